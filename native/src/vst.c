/*
 * libtapekit_vst.so: the st system-call surface, emulated over virtual-cartridge files
 * (spec/tape-devices.md §8). Exports open/close/read/write/ioctl with libc's signatures: tape paths
 * (/dev/stN, /dev/nstN, /sys/class/scsi_tape/...) go to the model, everything else to libc.
 *
 * This file deliberately includes no header that declares open/close/read/write/ioctl, so the
 * exported definitions cannot clash with glibc's declarations (or their _FILE_OFFSET_BITS
 * redirections); the generic Linux O_* values below are the ones of §1.7.
 */
#include "vst_model.h"

#include <dlfcn.h>
#include <errno.h>
#include <gnu/lib-names.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>

#define EXPORT __attribute__((visibility("default")))
#define VST_O_RDWR 02
#define VST_O_CREAT 0100
#define VST_O_CLOEXEC 02000000
#define VST_O_TMPFILE (020000000 | 0200000)

typedef int (*open_fn)(const char *, int, ...);
typedef int (*close_fn)(int);
typedef ssize_t (*read_fn)(int, void *, size_t);
typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef int (*ioctl_fn)(int, unsigned long, ...);

static open_fn real_open;
static close_fn real_close;
static read_fn real_read;
static write_fn real_write;
static ioctl_fn real_ioctl;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static int backing_open(void) { return real_open("/dev/null", VST_O_RDWR | VST_O_CLOEXEC); }
static int backing_close(int fd) { return real_close(fd); }

static void resolve(void)
{
    void *libc = dlopen(LIBC_SO, RTLD_NOW | RTLD_NOLOAD);
    if (!libc)
        libc = dlopen(LIBC_SO, RTLD_NOW);
    real_open = (open_fn)dlsym(libc, "open");
    real_close = (close_fn)dlsym(libc, "close");
    real_read = (read_fn)dlsym(libc, "read");
    real_write = (write_fn)dlsym(libc, "write");
    real_ioctl = (ioctl_fn)dlsym(libc, "ioctl");
    vstm_set_backing(backing_open, backing_close);
}

EXPORT int vst_open(const char *path, int flags, ...) __asm__("open");
EXPORT int vst_close(int fd) __asm__("close");
EXPORT ssize_t vst_read(int fd, void *buf, size_t count) __asm__("read");
EXPORT ssize_t vst_write(int fd, const void *buf, size_t count) __asm__("write");
EXPORT int vst_ioctl(int fd, unsigned long request, ...) __asm__("ioctl");

int vst_open(const char *path, int flags, ...)
{
    pthread_once(&once, resolve);
    unsigned int mode = 0;
    if ((flags & VST_O_CREAT) || (flags & VST_O_TMPFILE) == VST_O_TMPFILE) {
        va_list ap;
        va_start(ap, flags);
        mode = va_arg(ap, unsigned int);
        va_end(ap);
    }
    if (path && vstm_is_tape_path(path))
        return vstm_open(path, flags);
    return real_open(path, flags, mode);
}

int vst_close(int fd)
{
    pthread_once(&once, resolve);
    return vstm_owns(fd) ? vstm_close(fd) : real_close(fd);
}

ssize_t vst_read(int fd, void *buf, size_t count)
{
    pthread_once(&once, resolve);
    return vstm_owns(fd) ? vstm_read(fd, buf, count) : real_read(fd, buf, count);
}

ssize_t vst_write(int fd, const void *buf, size_t count)
{
    pthread_once(&once, resolve);
    return vstm_owns(fd) ? vstm_write(fd, buf, count) : real_write(fd, buf, count);
}

int vst_ioctl(int fd, unsigned long request, ...)
{
    pthread_once(&once, resolve);
    va_list ap;
    va_start(ap, request);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    return vstm_owns(fd) ? vstm_ioctl(fd, request, arg) : real_ioctl(fd, request, arg);
}

EXPORT int tkvst_set_root(const char *dir)
{
    pthread_once(&once, resolve);
    return vstm_set_root(dir);
}

EXPORT int tkvst_configure(int drive, const char *conf_text)
{
    pthread_once(&once, resolve);
    return vstm_configure(drive, conf_text);
}

EXPORT int tkvst_inject(int drive, const char *fault_line)
{
    pthread_once(&once, resolve);
    return vstm_inject(drive, fault_line);
}

EXPORT int tkvst_power_loss(int drive)
{
    pthread_once(&once, resolve);
    return vstm_power_loss(drive);
}

EXPORT int tkvst_reset(void)
{
    pthread_once(&once, resolve);
    return vstm_reset();
}

EXPORT const char *tkvst_last_error(void) { return vstm_last_error(); }

EXPORT int tkvst_version(void) { return VST_VERSION; }

__attribute__((destructor)) static void at_exit(void) { vstm_shutdown(); }
