/*
 * tapekit_mtio_probe: prints the Linux magnetic-tape ABI as this machine's headers define it
 * (spec/tape-devices.md §1, §8.5). A managed test compares the output with TapeKit's constants.
 *
 *   tapekit_mtio_probe              print the JSON object
 *   tapekit_mtio_probe --check-lp64 exit 1 unless the layout is the generic LP64 one of §1.1
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/mtio.h>

#define FIELD(s, f) printf("    \"" #f "\": { \"offset\": %zu, \"size\": %zu },\n", offsetof(struct s, f), sizeof(((struct s *)0)->f))
#define CONST(c) printf("    \"" #c "\": %lld,\n", (long long)(c))
#define LAST_CONST(c) printf("    \"" #c "\": %lld\n", (long long)(c))
#define GSTAT(c) printf("    \"" #c "\": %llu,\n", (unsigned long long)c(~0UL))

static int check_lp64(void)
{
    int bad = 0;
    if (sizeof(long) != 8) { fprintf(stderr, "not LP64: sizeof(long) = %zu\n", sizeof(long)); return 1; }
    if (sizeof(struct mtop) != 8) { fprintf(stderr, "sizeof(struct mtop) = %zu, expected 8\n", sizeof(struct mtop)); bad = 1; }
    if (sizeof(struct mtget) != 48) { fprintf(stderr, "sizeof(struct mtget) = %zu, expected 48\n", sizeof(struct mtget)); bad = 1; }
    if (sizeof(struct mtpos) != 8) { fprintf(stderr, "sizeof(struct mtpos) = %zu, expected 8\n", sizeof(struct mtpos)); bad = 1; }
    if (offsetof(struct mtget, mt_fileno) != 40 || offsetof(struct mtget, mt_blkno) != 44) {
        fprintf(stderr, "struct mtget: mt_fileno at %zu, mt_blkno at %zu; expected 40 and 44\n",
                offsetof(struct mtget, mt_fileno), offsetof(struct mtget, mt_blkno));
        bad = 1;
    }
#if defined(__x86_64__) || defined(__aarch64__) || (defined(__riscv) && __riscv_xlen == 64)
    if ((unsigned long)MTIOCTOP != 0x40086d01UL || (unsigned long)MTIOCGET != 0x80306d02UL || (unsigned long)MTIOCPOS != 0x80086d03UL) {
        fprintf(stderr, "request numbers differ from the generic LP64 encoding\n");
        bad = 1;
    }
#endif
    return bad;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--check-lp64") == 0)
        return check_lp64();

    printf("{\n");
    printf("  \"sizeof\": { \"mtop\": %zu, \"mtget\": %zu, \"mtpos\": %zu, \"long\": %zu },\n",
           sizeof(struct mtop), sizeof(struct mtget), sizeof(struct mtpos), sizeof(long));
    printf("  \"mtop\": {\n");
    FIELD(mtop, mt_op);
    printf("    \"mt_count\": { \"offset\": %zu, \"size\": %zu }\n", offsetof(struct mtop, mt_count), sizeof(((struct mtop *)0)->mt_count));
    printf("  },\n  \"mtget\": {\n");
    FIELD(mtget, mt_type);
    FIELD(mtget, mt_resid);
    FIELD(mtget, mt_dsreg);
    FIELD(mtget, mt_gstat);
    FIELD(mtget, mt_erreg);
    FIELD(mtget, mt_fileno);
    printf("    \"mt_blkno\": { \"offset\": %zu, \"size\": %zu }\n", offsetof(struct mtget, mt_blkno), sizeof(((struct mtget *)0)->mt_blkno));
    printf("  },\n  \"mtpos\": {\n");
    printf("    \"mt_blkno\": { \"offset\": %zu, \"size\": %zu }\n", offsetof(struct mtpos, mt_blkno), sizeof(((struct mtpos *)0)->mt_blkno));
    printf("  },\n  \"requests\": {\n");
    printf("    \"MTIOCTOP\": %lu,\n    \"MTIOCGET\": %lu,\n    \"MTIOCPOS\": %lu\n",
           (unsigned long)MTIOCTOP, (unsigned long)MTIOCGET, (unsigned long)MTIOCPOS);
    printf("  },\n  \"ops\": {\n");
    CONST(MTRESET); CONST(MTFSF); CONST(MTBSF); CONST(MTFSR); CONST(MTBSR); CONST(MTWEOF);
    CONST(MTREW); CONST(MTOFFL); CONST(MTNOP); CONST(MTRETEN); CONST(MTBSFM); CONST(MTFSFM);
    CONST(MTEOM); CONST(MTERASE); CONST(MTRAS1); CONST(MTRAS2); CONST(MTRAS3); CONST(MTSETBLK);
    CONST(MTSETDENSITY); CONST(MTSEEK); CONST(MTTELL); CONST(MTSETDRVBUFFER); CONST(MTFSS);
    CONST(MTBSS); CONST(MTWSM); CONST(MTLOCK); CONST(MTUNLOCK); CONST(MTLOAD); CONST(MTUNLOAD);
    CONST(MTCOMPRESSION); CONST(MTSETPART); CONST(MTMKPART);
    LAST_CONST(MTWEOFI);
    printf("  },\n  \"gstat\": {\n");
    GSTAT(GMT_EOF); GSTAT(GMT_BOT); GSTAT(GMT_EOT); GSTAT(GMT_SM);
    GSTAT(GMT_EOD); GSTAT(GMT_WR_PROT); GSTAT(GMT_ONLINE); GSTAT(GMT_D_6250);
    GSTAT(GMT_D_1600); GSTAT(GMT_D_800); GSTAT(GMT_DR_OPEN);
#ifdef GMT_CLN
    GSTAT(GMT_CLN);
#endif
    printf("    \"GMT_IM_REP_EN\": %llu\n", (unsigned long long)GMT_IM_REP_EN(~0UL));
    printf("  },\n  \"st_options\": {\n");
    CONST(MT_ST_BOOLEANS); CONST(MT_ST_SETBOOLEANS); CONST(MT_ST_CLEARBOOLEANS); CONST(MT_ST_WRITE_THRESHOLD);
    CONST(MT_ST_DEF_BLKSIZE); CONST(MT_ST_BUFFER_WRITES); CONST(MT_ST_ASYNC_WRITES); CONST(MT_ST_READ_AHEAD);
    CONST(MT_ST_TWO_FM); CONST(MT_ST_FAST_MTEOM); CONST(MT_ST_AUTO_LOCK); CONST(MT_ST_CAN_BSR);
    CONST(MT_ST_NO_BLKLIMS); CONST(MT_ST_CAN_PARTITIONS); CONST(MT_ST_SCSI2LOGICAL); CONST(MT_ST_SYSV);
    CONST(MT_ST_DEBUGGING); CONST(MT_ST_DEF_WRITES);
#ifdef MT_ST_SILI
    CONST(MT_ST_SILI);
#endif
#ifdef MT_ST_NOWAIT_EOF
    CONST(MT_ST_NOWAIT_EOF);
#endif
    LAST_CONST(MT_ST_NOWAIT);
    printf("  },\n  \"open_flags\": {\n");
    CONST(O_RDONLY); CONST(O_WRONLY); CONST(O_RDWR); CONST(O_NONBLOCK); LAST_CONST(O_CLOEXEC);
    printf("  },\n  \"errno\": {\n");
    CONST(EPERM); CONST(ENOENT); CONST(EINTR); CONST(EIO); CONST(ENXIO); CONST(EBADF);
    CONST(EAGAIN); CONST(ENOMEM); CONST(EACCES); CONST(EBUSY); CONST(EINVAL); CONST(ENOSPC);
    CONST(EROFS); CONST(ENOTTY); CONST(ENOMEDIUM); CONST(ENOSYS); CONST(EFAULT); LAST_CONST(EOVERFLOW);
    printf("  }\n}\n");
    return 0;
}
