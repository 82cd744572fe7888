/*
 * tapekit_vtape: virtual cartridges from the command line (spec/tape-devices.md §4.8, §8.5).
 *
 *   tapekit_vtape create PATH --vsn V [--media LTO-9] [--capacity N] [--ew-distance N]
 *                        [--footprint N] [--synthetic-seed S] [--write-protect]
 *   tapekit_vtape dump [--canonical] PATH
 *   tapekit_vtape verify PATH
 *   tapekit_vtape replay CARTRIDGE SCRIPT
 *
 * replay runs a tape script (spec/tape-devices.md §8.6: "conf KEY = VALUE" lines, then one step per
 * line: open, close, read, write, ioctl, attr, fault) through the native st model on drive 0 holding
 * CARTRIDGE, and prints one "STEP  -> OBSERVATION" line per step, exactly as the managed replay does.
 * Like the differential harness, the drive starts with the cartridge loaded and a session begun.
 *
 * Exit codes follow the tapekit contract: 0 ok, 2 usage, 3 damaged cartridge, 5 I/O error.
 */
#include "crc32c.h"
#include "vst_model.h"
#include "vtape_format.h"

#include <ctype.h>
#include <fcntl.h>
#include <linux/mtio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { const char *name; uint64_t capacity; uint8_t density; } profile_t;

static const profile_t profiles[] = {
    { "LTO-7", 6000000000000ULL, 0x5C }, { "LTO-8", 12000000000000ULL, 0x5E }, { "LTO-9", 18000000000000ULL, 0x60 },
    { "LTO-10", 30000000000000ULL, 0x62 }, { "LTO-10P", 40000000000000ULL, 0x63 }, { "TS1160", 20000000000000ULL, 0x00 },
    { "TS1170", 50000000000000ULL, 0x00 },
};

static void normalise(const char *in, char *out, size_t size)
{
    size_t j = 0;
    for (size_t i = 0; in[i] && j + 1 < size; i++)
        if (in[i] != '-' && in[i] != '_')
            out[j++] = (char)toupper((unsigned char)in[i]);
    out[j] = 0;
}

static const profile_t *find_profile(const char *name)
{
    char want[32], have[32];
    normalise(name, want, sizeof want);
    for (size_t i = 0; i < sizeof profiles / sizeof *profiles; i++) {
        normalise(profiles[i].name, have, sizeof have);
        if (strcmp(want, have) == 0)
            return &profiles[i];
    }
    return NULL;
}

static const char *errno_name(int e)
{
    switch (e) {
    case EPERM: return "EPERM"; case ENOENT: return "ENOENT"; case EINTR: return "EINTR"; case EIO: return "EIO";
    case ENXIO: return "ENXIO"; case EBADF: return "EBADF"; case EAGAIN: return "EAGAIN"; case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES"; case EFAULT: return "EFAULT"; case EBUSY: return "EBUSY"; case EINVAL: return "EINVAL";
    case ENOTTY: return "ENOTTY"; case ENOSPC: return "ENOSPC"; case EROFS: return "EROFS"; case ENOSYS: return "ENOSYS";
    case EOVERFLOW: return "EOVERFLOW"; case ENOMEDIUM: return "ENOMEDIUM"; default: return NULL;
    }
}

static void print_result(long r, int e)
{
    if (r < 0) {
        const char *n = errno_name(e);
        if (n)
            printf("-1/%s\n", n);
        else
            printf("-1/errno %d\n", e);
    } else {
        printf("%ld\n", r);
    }
}

static int backing_open(void) { return openat(AT_FDCWD, "/dev/null", O_RDWR | O_CLOEXEC); }
static int backing_close(int fd) { return (int)syscall(SYS_close, fd); }

static const char *op_names[] = { "MTRESET", "MTFSF", "MTBSF", "MTFSR", "MTBSR", "MTWEOF", "MTREW", "MTOFFL", "MTNOP",
    "MTRETEN", "MTBSFM", "MTFSFM", "MTEOM", "MTERASE", "MTRAS1", "MTRAS2", "MTRAS3", NULL, NULL, NULL, "MTSETBLK",
    "MTSETDENSITY", "MTSEEK", "MTTELL", "MTSETDRVBUFFER", "MTFSS", "MTBSS", "MTWSM", "MTLOCK", "MTUNLOCK", "MTLOAD",
    "MTUNLOAD", "MTCOMPRESSION", "MTSETPART", "MTMKPART", "MTWEOFI" };

static int op_code(const char *name)
{
    for (int i = 0; i < (int)(sizeof op_names / sizeof *op_names); i++)
        if (op_names[i] && strcmp(op_names[i], name) == 0)
            return i;
    if (strncmp(name, "MTOP", 4) == 0)
        return atoi(name + 4);
    return -1;
}

static int replay(const char *cartridge, const char *script)
{
    FILE *f = fopen(script, "re");
    if (!f) {
        fprintf(stderr, "tapekit_vtape: cannot read %s: %s\n", script, strerror(errno));
        return 5;
    }
    char root[] = "/tmp/tapekit-replay-XXXXXX", path[4200], target[4096];
    if (!mkdtemp(root) || !realpath(cartridge, target)) {
        fprintf(stderr, "tapekit_vtape: %s: %s\n", cartridge, strerror(errno));
        fclose(f);
        return 5;
    }
    snprintf(path, sizeof path, "%s/drive0", root);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/drive0/medium", root);
    if (symlink(target, path) != 0) {
        fclose(f);
        return 5;
    }
    vstm_set_backing(backing_open, backing_close);
    vstm_set_root(root);
    static char conf[16384], line[1024];
    conf[0] = 0;
    int fd = -1, started = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (!line[0] || line[0] == '#')
            continue;
        if (strncmp(line, "conf ", 5) == 0) {
            strncat(conf, line + 5, sizeof conf - strlen(conf) - 2);
            strcat(conf, "\n");
            continue;
        }
        if (!started) {
            started = 1;
            if (vstm_configure(0, conf) != 0) {
                fprintf(stderr, "tapekit_vtape: %s\n", vstm_last_error());
                rc = 2;
                break;
            }
            int s = vstm_open("/dev/nst0", O_RDONLY | O_NONBLOCK);
            if (s >= 0)
                vstm_close(s);
        }
        printf("%s  -> ", line);
        char w1[32] = "", w2[64] = "", w3[64] = "", w4[64] = "";
        sscanf(line, "%31s %63s %63s %63s", w1, w2, w3, w4);
        long r;
        int e;
        if (strcmp(w1, "open") == 0) {
            int flags = strcmp(w3, "rdonly") == 0 ? O_RDONLY | O_CLOEXEC : O_RDWR | O_CLOEXEC;
            if (strcmp(w4, "nonblock") == 0)
                flags |= O_NONBLOCK;
            snprintf(path, sizeof path, "/dev/%s", w2);
            r = vstm_open(path, flags);
            e = errno;
            if (r >= 0) {
                fd = (int)r;
                printf("ok\n");
            } else {
                print_result(r, e);
            }
        } else if (strcmp(w1, "close") == 0) {
            r = vstm_close(fd);
            e = errno;
            fd = -1;
            print_result(r, e);
        } else if (strcmp(w1, "read") == 0) {
            size_t n = (size_t)atol(w2);
            unsigned char *buf = malloc(n ? n : 1);
            r = vstm_read(fd, buf, n);
            e = errno;
            if (r > 0)
                printf("%ld crc=%08x\n", r, tk_crc32c(0, buf, (size_t)r));
            else
                print_result(r, e);
            free(buf);
        } else if (strcmp(w1, "write") == 0) {
            size_t n = (size_t)atol(w2);
            uint64_t state = (uint64_t)atol(w3 + 5);
            unsigned char *buf = malloc(n ? n : 1);
            for (size_t i = 0; i < n; i++) {
                state = state * 6364136223846793005ULL + 1442695040888963407ULL;
                buf[i] = (unsigned char)(state >> 56);
            }
            r = vstm_write(fd, buf, n);
            e = errno;
            print_result(r, e);
            free(buf);
        } else if (strcmp(w1, "ioctl") == 0 && strcmp(w2, "MTIOCGET") == 0) {
            struct mtget m;
            r = vstm_ioctl(fd, MTIOCGET, &m);
            e = errno;
            if (r == 0)
                printf("type=%lx resid=%ld dsreg=%lx gstat=%lx erreg=%ld file=%d blk=%d\n", (unsigned long)m.mt_type, m.mt_resid,
                       (unsigned long)m.mt_dsreg, (unsigned long)m.mt_gstat & 0xFFFFFFFFUL, m.mt_erreg, m.mt_fileno, m.mt_blkno);
            else
                print_result(r, e);
        } else if (strcmp(w1, "ioctl") == 0 && strcmp(w2, "MTIOCPOS") == 0) {
            struct mtpos p;
            r = vstm_ioctl(fd, MTIOCPOS, &p);
            e = errno;
            if (r == 0)
                printf("%ld\n", p.mt_blkno);
            else
                print_result(r, e);
        } else if (strcmp(w1, "ioctl") == 0 && op_code(w2) >= 0) {
            struct mtop op = { (short)op_code(w2), atoi(w3) };
            r = vstm_ioctl(fd, MTIOCTOP, &op);
            e = errno;
            print_result(r, e);
        } else if (strcmp(w1, "attr") == 0) {
            snprintf(path, sizeof path, "/sys/class/scsi_tape/nst0/%s", w2);
            int a = vstm_open(path, O_RDONLY);
            if (a < 0) {
                printf("(none)\n");
            } else {
                char text[64] = "";
                ssize_t n = vstm_read(a, text, sizeof text - 1);
                vstm_close(a);
                text[n > 0 ? n : 0] = 0;
                for (char *c = text; *c; c++)
                    if (*c == '\n')
                        fputs("\\n", stdout);
                    else
                        putchar(*c);
                putchar('\n');
            }
        } else if (strcmp(w1, "fault") == 0 && strcmp(w2, "power-loss") == 0 && !w3[0]) {
            vstm_power_loss(0);
            printf("done\n");
        } else if (strcmp(w1, "fault") == 0) {
            if (vstm_inject(0, line + 6) != 0) {
                printf("\n");
                fprintf(stderr, "tapekit_vtape: %s\n", vstm_last_error());
                rc = 2;
                break;
            }
            printf("armed\n");
        } else {
            printf("\n");
            fprintf(stderr, "tapekit_vtape: \"%s\" is not a tape-script line\n", line);
            rc = 2;
            break;
        }
    }
    fclose(f);
    if (fd >= 0) {
        long r = vstm_close(fd);
        int e = errno;
        printf("close (end of script)  -> ");
        print_result(r, e);
    }
    vstm_reset();
    snprintf(path, sizeof path, "%s/drive0/medium", root);
    unlink(path);
    snprintf(path, sizeof path, "%s/drive0", root);
    rmdir(path);
    rmdir(root);
    fflush(stdout);
    return rc;
}

static int usage(void)
{
    fprintf(stderr, "usage: tapekit_vtape create PATH --vsn V [--media P] [--capacity N] [--ew-distance N] [--footprint N] [--synthetic-seed S] [--write-protect]\n"
                    "       tapekit_vtape dump [--canonical] PATH\n"
                    "       tapekit_vtape verify PATH\n"
                    "       tapekit_vtape replay CARTRIDGE SCRIPT\n");
    return 2;
}

static int parse_u64(const char *s, uint64_t *v)
{
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (!*s || *end || errno || s[0] == '-')
        return -1;
    *v = x;
    return 0;
}

static int create(int argc, char **argv)
{
    if (argc < 3)
        return usage();
    const char *path = argv[2], *media = "LTO-9";
    vt_header h;
    memset(&h, 0, sizeof h);
    uint64_t capacity = 0, ew = 0, v;
    int have_capacity = 0, have_ew = 0;
    for (int i = 3; i < argc; i++) {
        if (strcmp(argv[i], "--vsn") == 0 && i + 1 < argc)
            snprintf(h.vsn, sizeof h.vsn, "%s", argv[++i]);
        else if (strcmp(argv[i], "--media") == 0 && i + 1 < argc)
            media = argv[++i];
        else if (strcmp(argv[i], "--capacity") == 0 && i + 1 < argc && parse_u64(argv[i + 1], &capacity) == 0)
            have_capacity = 1, i++;
        else if (strcmp(argv[i], "--ew-distance") == 0 && i + 1 < argc && parse_u64(argv[i + 1], &ew) == 0)
            have_ew = 1, i++;
        else if (strcmp(argv[i], "--footprint") == 0 && i + 1 < argc && parse_u64(argv[i + 1], &v) == 0 && v <= 0xFFFFFFFFu)
            h.footprint = (uint32_t)v, i++;
        else if (strcmp(argv[i], "--synthetic-seed") == 0 && i + 1 < argc && parse_u64(argv[i + 1], &h.seed) == 0)
            h.synthetic = 1, i++;
        else if (strcmp(argv[i], "--write-protect") == 0)
            h.write_protected = 1;
        else
            return usage();
    }
    const profile_t *p = find_profile(media);
    if (!p) {
        fprintf(stderr, "tapekit_vtape: unknown media profile \"%s\"\n", media);
        return 2;
    }
    if (!vt_valid_vsn(h.vsn)) {
        fprintf(stderr, "tapekit_vtape: --vsn must be 1 to 16 characters A-Z, 0-9\n");
        return 2;
    }
    snprintf(h.profile, sizeof h.profile, "%s", p->name);
    h.density = p->density;
    h.capacity = have_capacity ? capacity : p->capacity;
    uint64_t def = h.capacity / 1000 > 2097152 ? h.capacity / 1000 : 2097152;
    h.ew_distance = have_ew ? ew : def;
    if (h.capacity == 0 || h.ew_distance > h.capacity) {
        fprintf(stderr, "tapekit_vtape: the capacity must be positive and at least the early-warning distance\n");
        return 2;
    }
    char err[512] = "";
    if (vt_create(path, &h, err) != 0) {
        fprintf(stderr, "tapekit_vtape: %s\n", err);
        return 5;
    }
    return 0;
}

static int open_cart(const char *path, vt_cart **c)
{
    char err[512] = "";
    if (vt_open(path, 0, c, err) != 0) {
        fprintf(stderr, "tapekit_vtape: %s\n", err[0] ? err : strerror(errno));
        return errno == EIO ? 3 : 5;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage();
    if (strcmp(argv[1], "create") == 0)
        return create(argc, argv);
    vt_cart *c;
    int rc;
    if (strcmp(argv[1], "dump") == 0) {
        const char *path = argc == 4 && strcmp(argv[2], "--canonical") == 0 ? argv[3] : argc == 3 ? argv[2] : NULL;
        if (!path)
            return usage();
        if ((rc = open_cart(path, &c)) != 0)
            return rc;
        vt_dump_canonical(c, stdout);
        vt_close(c);
        return 0;
    }
    if (strcmp(argv[1], "verify") == 0 && argc == 3) {
        if ((rc = open_cart(argv[2], &c)) != 0)
            return rc;
        int problems = vt_verify_payloads(c, stderr);
        vt_close(c);
        return problems ? 3 : 0;
    }
    if (strcmp(argv[1], "replay") == 0 && argc == 4)
        return replay(argv[2], argv[3]);
    return usage();
}
