/*
 * C tests of the cartridge format and of the st rules at the system-call level, through the
 * exported open/read/write/ioctl/close of libtapekit_vst.so (spec/tape-devices.md §8.5).
 */
#include "crc32c.h"
#include "vtape_format.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mtio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

int tkvst_set_root(const char *dir);
int tkvst_configure(int drive, const char *conf_text);
int tkvst_inject(int drive, const char *fault_line);
int tkvst_power_loss(int drive);
int tkvst_reset(void);
const char *tkvst_last_error(void);
int tkvst_version(void);

static int failures;
static char root[128];

#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "%s:%d: CHECK failed: %s (errno %d, %s)\n", __FILE__, __LINE__, #cond, errno, tkvst_last_error()); failures++; } } while (0)
#define EXPECT_ERR(expr, e) do { errno = 0; long _r = (long)(expr); if (_r != -1 || errno != (e)) { fprintf(stderr, "%s:%d: %s = %ld errno %d, expected -1/%d\n", __FILE__, __LINE__, #expr, _r, errno, e); failures++; } } while (0)

static int op(int fd, short code, int count)
{
    struct mtop m = { code, count };
    return ioctl(fd, MTIOCTOP, &m);
}

static struct mtget get(int fd)
{
    struct mtget m;
    memset(&m, 0, sizeof m);
    CHECK(ioctl(fd, MTIOCGET, &m) == 0);
    return m;
}

static long pos(int fd)
{
    struct mtpos p = { -1 };
    CHECK(ioctl(fd, MTIOCPOS, &p) == 0);
    return p.mt_blkno;
}

static ssize_t put(int fd, size_t n)
{
    static unsigned char buf[1 << 16];
    for (size_t i = 0; i < n && i < sizeof buf; i++)
        buf[i] = (unsigned char)(i * 7 + n);
    return write(fd, buf, n);
}

static void fresh_cartridge(const char *vsn, uint64_t capacity, uint64_t ew, int wp)
{
    char cmd[600], dir[512], link[512];
    snprintf(cmd, sizeof cmd, "rm -rf %s/%s.tkvt", root, vsn);
    CHECK(system(cmd) == 0);
    snprintf(dir, sizeof dir, "%s/%s.tkvt", root, vsn);
    vt_header h;
    memset(&h, 0, sizeof h);
    snprintf(h.vsn, sizeof h.vsn, "%s", vsn);
    snprintf(h.profile, sizeof h.profile, "LTO-9");
    h.density = 0x60;
    h.capacity = capacity;
    h.ew_distance = ew;
    h.write_protected = wp;
    char err[512];
    CHECK(vt_create(dir, &h, err) == 0);
    snprintf(link, sizeof link, "%s/drive0/medium", root);
    unlink(link);
    CHECK(symlink(dir, link) == 0);
}

static void test_crc(void)
{
    CHECK(tk_crc32c(0, "123456789", 9) == 0xE3069283u);
    CHECK(tk_crc32c(tk_crc32c(0, "1234", 4), "56789", 5) == 0xE3069283u);
}

static void test_passthrough_and_safety(void)
{
    char path[300];
    snprintf(path, sizeof path, "%s/plain.txt", root);
    int fd = open(path, O_CREAT | O_TRUNC | O_RDWR | O_CLOEXEC, 0600);
    CHECK(fd >= 0);
    CHECK(write(fd, "abc", 3) == 3);
    CHECK(lseek(fd, 0, SEEK_SET) == 0);
    char b[4] = { 0 };
    CHECK(read(fd, b, 3) == 3 && strcmp(b, "abc") == 0);
    CHECK(close(fd) == 0);
    EXPECT_ERR(open("/dev/nst1", O_RDWR), ENXIO);
    EXPECT_ERR(open("/dev/nst0l", O_RDWR), ENXIO);
    CHECK(tkvst_version() == 10001);
}

static void test_open_rules(void)
{
    fresh_cartridge("A00001", 64 << 20, 1 << 20, 0);
    int fd = open("/dev/nst0", O_RDWR | O_CLOEXEC);
    CHECK(fd >= 0);
    EXPECT_ERR(open("/dev/st0", O_RDONLY), EBUSY);
    struct mtget m = get(fd);
    CHECK((unsigned long)m.mt_gstat == 0x41010000UL);
    CHECK(m.mt_type == 0x72 && m.mt_dsreg == (0x60L << 24));
    CHECK(close(fd) == 0);
    int a = open("/sys/class/scsi_tape/nst0/options", O_RDONLY);
    CHECK(a >= 0);
    char text[32] = { 0 };
    CHECK(read(a, text, sizeof text - 1) == 6 && strcmp(text, "0x907\n") == 0);
    EXPECT_ERR(write(a, "1", 1), EACCES);
    CHECK(close(a) == 0);

    fresh_cartridge("A00002", 64 << 20, 1 << 20, 1);
    EXPECT_ERR(open("/dev/nst0", O_RDWR), EROFS);
    fd = open("/dev/nst0", O_RDWR | O_NONBLOCK);
    CHECK(fd >= 0);
    EXPECT_ERR(put(fd, 10), EACCES);
    CHECK((get(fd).mt_gstat & 0x04000000L) != 0);
    CHECK(close(fd) == 0);

    char link[300];
    snprintf(link, sizeof link, "%s/drive0/medium", root);
    unlink(link);
    EXPECT_ERR(open("/dev/nst0", O_RDWR), ENOMEDIUM);
    fd = open("/dev/nst0", O_RDWR | O_NONBLOCK);
    CHECK(fd >= 0);
    m = get(fd);
    CHECK((unsigned long)m.mt_gstat == 0x04050000UL && m.mt_fileno == -1 && m.mt_blkno == -1); /* WR_PROT: the previous cartridge's tab persists (T2) */
    EXPECT_ERR(op(fd, MTREW, 1), ENOMEDIUM);
    EXPECT_ERR(op(fd, MTLOAD, 1), EIO);
    CHECK(close(fd) == 0);
}

static void test_read_write_rules(void)
{
    fresh_cartridge("A00003", 10000, 3000, 0);
    int fd = open("/dev/nst0", O_RDWR);
    CHECK(fd >= 0);
    EXPECT_ERR(read(fd, (char[64]){ 0 }, 64), EIO); /* T8 blank tape */
    for (int i = 0; i < 8; i++)
        CHECK(put(fd, 1000) == 1000);
    CHECK((get(fd).mt_gstat & 0x20000000L) != 0); /* T10: EOT after crossing EW */
    EXPECT_ERR(put(fd, 1000), ENOSPC);
    CHECK(put(fd, 1000) == 1000);
    EXPECT_ERR(put(fd, 1000), ENOSPC);
    CHECK(put(fd, 1000) == 1000);
    EXPECT_ERR(put(fd, 1000), ENOSPC);
    EXPECT_ERR(put(fd, 1), ENOSPC);
    CHECK(op(fd, MTWEOF, 1) == 0);
    CHECK(op(fd, MTREW, 1) == 0);
    char buf[2000];
    CHECK(read(fd, buf, sizeof buf) == 1000);
    EXPECT_ERR(read(fd, buf, 999), ENOMEM); /* T5 */
    CHECK(pos(fd) == 2);
    CHECK(op(fd, MTFSF, 1) == 0);
    CHECK(read(fd, buf, sizeof buf) == 0); /* T7: 0 at EOD after a seen filemark */
    EXPECT_ERR(read(fd, buf, sizeof buf), EIO);
    CHECK(close(fd) == 0);
}

static void test_positioning_rules(void)
{
    fresh_cartridge("A00004", 64 << 20, 1 << 20, 0);
    int fd = open("/dev/nst0", O_RDWR);
    CHECK(put(fd, 10) == 10 && put(fd, 10) == 10 && put(fd, 10) == 10);
    CHECK(op(fd, MTWEOF, 1) == 0);
    CHECK(put(fd, 10) == 10);
    CHECK(close(fd) == 0); /* T12: a filemark at close */
    fd = open("/dev/nst0", O_RDWR);
    struct mtget m = get(fd);
    CHECK(m.mt_fileno == 2 && m.mt_blkno == 0 && pos(fd) == 6);
    CHECK(op(fd, MTREW, 1) == 0);
    CHECK(op(fd, MTFSF, 1) == 0 && pos(fd) == 4); /* T19: filemarks count */
    CHECK(op(fd, MTBSF, 1) == 0);
    m = get(fd);
    CHECK(m.mt_fileno == 0 && m.mt_blkno == -1 && pos(fd) == 3);
    CHECK(op(fd, MTSEEK, 1) == 0);
    m = get(fd);
    CHECK(m.mt_fileno == -1 && m.mt_blkno == -1 && pos(fd) == 1);
    EXPECT_ERR(op(fd, MTSEEK, 99), EIO);
    CHECK(pos(fd) == 6);
    CHECK(op(fd, MTREW, 1) == 0);
    EXPECT_ERR(op(fd, MTFSR, 9), EIO); /* T16: stopped by a filemark */
    m = get(fd);
    CHECK(m.mt_fileno == 1 && m.mt_blkno == 0 && pos(fd) == 4);
    CHECK(op(fd, MTEOM, 1) == 0);
    m = get(fd);
    CHECK(m.mt_fileno == 2 && m.mt_blkno == -1 && (m.mt_gstat & 0x08000000L));
    EXPECT_ERR(op(fd, MTTELL, 1), ENOSYS);
    EXPECT_ERR(op(fd, MTSETPART, 1), EINVAL);
    EXPECT_ERR(op(fd, MTSETDRVBUFFER, 1), EPERM);
    EXPECT_ERR(ioctl(fd, _IOR('m', 2, int), &m), EINVAL); /* T26 */
    EXPECT_ERR(ioctl(fd, TCGETS, &m), ENOTTY);
    CHECK(close(fd) == 0);
}

static void test_power_loss_and_faults(void)
{
    fresh_cartridge("A00005", 64 << 20, 1 << 20, 0);
    int fd = open("/dev/nst0", O_RDWR);
    CHECK(put(fd, 10) == 10);
    CHECK(op(fd, MTWEOF, 1) == 0);
    CHECK(put(fd, 10) == 10);
    CHECK(op(fd, MTWEOFI, 1) == 0);
    CHECK(tkvst_power_loss(0) == 0);
    EXPECT_ERR(put(fd, 10), EIO); /* T24 */
    struct mtpos p;
    EXPECT_ERR(ioctl(fd, MTIOCPOS, &p), EIO);
    int a = open("/sys/class/scsi_tape/nst0/position_lost_in_reset", O_RDONLY);
    char text[8] = { 0 };
    CHECK(a >= 0 && read(a, text, 7) == 2 && strcmp(text, "1\n") == 0);
    close(a);
    CHECK(op(fd, MTEOM, 1) == 0 && pos(fd) == 2); /* only the synchronised prefix survived */
    CHECK(tkvst_inject(0, "media-error read 0 once") == 0);
    CHECK(op(fd, MTREW, 1) == 0);
    char buf[64];
    EXPECT_ERR(read(fd, buf, sizeof buf), EIO);
    CHECK(pos(fd) == 1);
    CHECK(op(fd, MTBSR, 1) == 0 && read(fd, buf, sizeof buf) == 10);
    CHECK(tkvst_inject(0, "drive-failure after 1") == 0);
    CHECK(op(fd, MTREW, 1) == 0);
    EXPECT_ERR(op(fd, MTREW, 1), EIO);
    CHECK(tkvst_inject(0, "no-such-fault") == -1 && errno == EINVAL);
    CHECK(close(fd) == 0);
    EXPECT_ERR(open("/dev/nst0", O_RDWR), EIO);
    CHECK(tkvst_configure(0, "scsi2logical = 1\n") == 0);
    CHECK(tkvst_reset() == 0);
    CHECK(tkvst_configure(0, "colour = blue\n") == -1 && errno == EINVAL);
    CHECK(tkvst_configure(0, "scsi2logical = 1\nkernel-profile = legacy\n") == 0);
    fd = open("/dev/nst0", O_RDWR);
    CHECK(fd >= 0);
    CHECK(tkvst_power_loss(0) == 0);
    EXPECT_ERR(ioctl(fd, MTIOCGET, &(struct mtget){ 0 }), EIO); /* legacy: MTIOCGET fails after a reset */
    CHECK(close(fd) == 0);
}

int main(void)
{
    snprintf(root, sizeof root, "/tmp/tapekit-native-tests-%d", (int)getpid());
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf %s && mkdir -p %s/drive0", root, root);
    if (system(cmd) != 0)
        return 1;
    EXPECT_ERR(open("/dev/nst0", O_RDWR), ENXIO); /* no root configured: tape paths refused */
    CHECK(tkvst_set_root(root) == 0);
    CHECK(tkvst_configure(0, "scsi2logical = 1\n") == 0);
    test_crc();
    test_passthrough_and_safety();
    test_open_rules();
    test_read_write_rules();
    test_positioning_rules();
    test_power_loss_and_faults();
    tkvst_reset();
    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    if (system(cmd) != 0)
        failures++;
    if (failures)
        fprintf(stderr, "%d check(s) failed\n", failures);
    else
        printf("native tests passed\n");
    return failures ? 1 : 0;
}
