/*
 * The native st model (spec/tape-devices.md §2, §8): the same behaviour contract T1–T28/T30 as the
 * managed VirtualStSyscalls, over the virtual-cartridge format, with no time. Internal API used by
 * the libc-named exports (vst.c) and by the tapekit_vtape tool.
 */
#ifndef TAPEKIT_VST_MODEL_H
#define TAPEKIT_VST_MODEL_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define VST_MAX_DRIVES 32
#define VST_VERSION (1 * 10000 + 0 * 100 + 1)

/* Each returns the system call's result, or -1 with errno set. */
int vstm_is_tape_path(const char *path);       /* 1 for /dev/(n)st* and st sysfs paths */
int vstm_open(const char *path, int flags);     /* returns an emulated descriptor */
int vstm_close(int fd);
ssize_t vstm_read(int fd, void *buf, size_t count);
ssize_t vstm_write(int fd, const void *buf, size_t count);
int vstm_ioctl(int fd, unsigned long request, void *arg);
int vstm_owns(int fd);                          /* 1 if fd is an emulated descriptor */

int vstm_set_root(const char *dir);
int vstm_configure(int drive, const char *conf_text);
int vstm_inject(int drive, const char *fault_line);
int vstm_power_loss(int drive);
int vstm_reset(void);
const char *vstm_last_error(void);
void vstm_set_error(const char *fmt, ...);
void vstm_shutdown(void);

/* How emulated descriptors are backed (vst.c passes libc's open/close of /dev/null). */
typedef int (*vstm_backing_open)(void);
typedef int (*vstm_backing_close)(int fd);
void vstm_set_backing(vstm_backing_open open_fn, vstm_backing_close close_fn);

#endif
