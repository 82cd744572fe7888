#include "vst_model.h"
#include "vtape_format.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/mtio.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

/* st option bits (§1.6). */
#define OPT_KERNEL_DEFAULT 0x107u
#define OPT_TWO_FM 0x10u
#define OPT_FAST_MTEOM 0x20u
#define OPT_SCSI2LOGICAL 0x800u
#define OPT_NOWAIT_EOF 0x8000u
#define OPT_MASK 0xF0000000u
#define MAX_COUNT 0x7FFFFF

enum { READY, NOT_READY, NO_TAPE };
enum { NOEOF, FM_HIT, FM, EOM_OK, EOM_ERROR, EOD_1, EOD_2, EOD };
enum { IDLE, READING, WRITING };
enum { M_EMPTY, M_LOADED, M_EJECTED };
enum { T_WRITTEN, T_PAST_EW, T_NOFIT, T_MEDIA, T_IDLIMIT };
enum { F_POWER_LOSS, F_RESET, F_DRIVE_FAILURE };

typedef struct { int64_t id; int sticky; } media_fault;
typedef struct { int64_t at; int kind; } pending_fault;

typedef struct {
    pthread_mutex_t lock;
    int initialised, configured;
    /* options (§8.4) */
    int scsi2logical, legacy, fast_mteom, two_fm, nowait_eof, min_block, max_block, compression, cap_sys_admin, durability_full;
    /* driver state (§2.1) */
    int ready, pos_unknown, file_no, blk_no, eof, rw, block_size, in_use, drv_wp, recovered, compression_on;
    unsigned density;
    uint32_t options;
    int64_t medium_gen;
    /* transport */
    int mstate, failed, cleaning, tab, not_ready_active;
    vt_cart *cart;
    int64_t pos, load_gen, ew, peom, pending_ew, pending_eom, not_ready_s;
    media_fault *rerr, *werr;
    int nrerr, nwerr;
    int random_on;
    uint64_t rseed, rthr, wthr;
    int64_t counted;
    pending_fault *pend;
    int npend;
} drive_t;

typedef struct {
    int drive;
    int write_prot, rewind_at_close, nonblocking, access;
    int is_attr;
    char text[32];
    size_t len, off;
} file_t;

static drive_t drives[VST_MAX_DRIVES];
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static file_t **files;
static int nfiles;
static char root[4096];
static int root_set;
static __thread char last_error[512];
static vstm_backing_open backing_open;
static vstm_backing_close backing_close;

void vstm_set_backing(vstm_backing_open o, vstm_backing_close c)
{
    backing_open = o;
    backing_close = c;
}

void vstm_set_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
}

const char *vstm_last_error(void) { return last_error; }

static int fail_errno(int e)
{
    errno = e;
    return -1;
}

/* ---------- configuration ---------- */

static void defaults(drive_t *d)
{
    d->scsi2logical = 0;
    d->legacy = 0;
    d->fast_mteom = d->two_fm = d->nowait_eof = 0;
    d->min_block = 1;
    d->max_block = 8388608;
    d->compression = 1;
    d->cap_sys_admin = 0;
    d->durability_full = 0;
    free(d->rerr);
    free(d->werr);
    free(d->pend);
    d->rerr = d->werr = NULL;
    d->pend = NULL;
    d->nrerr = d->nwerr = d->npend = 0;
    d->random_on = 0;
    d->not_ready_s = 0;
    d->pending_ew = d->pending_eom = -1;
}

static uint32_t driver_options(const drive_t *d)
{
    return OPT_KERNEL_DEFAULT | (d->scsi2logical ? OPT_SCSI2LOGICAL : 0) | (d->fast_mteom ? OPT_FAST_MTEOM : 0)
         | (d->two_fm ? OPT_TWO_FM : 0) | (d->nowait_eof ? OPT_NOWAIT_EOF : 0);
}

static void init_drive(drive_t *d)
{
    if (d->initialised)
        return;
    memset(d, 0, sizeof *d);
    pthread_mutex_init(&d->lock, NULL);
    d->initialised = 1;
    d->ready = NO_TAPE;
    d->file_no = d->blk_no = -1;
    d->medium_gen = -1;
    defaults(d);
    d->options = driver_options(d);
}

static int parse_u64(const char *s, uint64_t *out)
{
    if (!*s)
        return -1;
    uint64_t v = 0;
    for (; *s; s++) {
        if (!isdigit((unsigned char)*s))
            return -1;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return 0;
}

static int parse_rate(const char *s, uint64_t *threshold)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v >= 0 && v <= 1))
        return -1;
    *threshold = v >= 1.0 ? UINT64_MAX : v <= 0 ? 0 : (uint64_t)(v * 18446744073709551616.0);
    return 0;
}

static void apply_eom(drive_t *d, int64_t ew, int64_t eom)
{
    if (ew >= 0)
        d->ew = ew;
    if (eom >= 0) {
        d->peom = eom;
        if (eom < d->ew)
            d->ew = eom;
    }
}

static void fire(drive_t *d, int kind);

/* Arms one §7 fault line; returns 0 or -1 (EINVAL, message set). Caller holds the drive lock. */
static int arm(drive_t *d, const char *line)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", line);
    char *w[8];
    int n = 0;
    for (char *t = strtok(buf, " \t\r\n"); t && n < 8; t = strtok(NULL, " \t\r\n"))
        w[n++] = t;
    uint64_t v = 0;
    int sticky = 0;
    if (n >= 3 && strcmp(w[0], "media-error") == 0 && (strcmp(w[1], "read") == 0 || strcmp(w[1], "write") == 0) && parse_u64(w[2], &v) == 0
        && (n == 3 || (n == 4 && (strcmp(w[3], "once") == 0 || (sticky = strcmp(w[3], "sticky") == 0))))) {
        int isread = strcmp(w[1], "read") == 0;
        media_fault **list = isread ? &d->rerr : &d->werr;
        int *count = isread ? &d->nrerr : &d->nwerr;
        media_fault *nl = realloc(*list, (size_t)(*count + 1) * sizeof **list);
        if (!nl)
            return fail_errno(ENOMEM);
        nl[*count].id = (int64_t)v;
        nl[*count].sticky = sticky;
        *list = nl;
        (*count)++;
        return 0;
    }
    if (n == 4 && strcmp(w[0], "random-media-errors") == 0 && strncmp(w[1], "seed=", 5) == 0 && strncmp(w[2], "read-rate=", 10) == 0
        && strncmp(w[3], "write-rate=", 11) == 0 && parse_u64(w[1] + 5, &d->rseed) == 0 && parse_rate(w[2] + 10, &d->rthr) == 0
        && parse_rate(w[3] + 11, &d->wthr) == 0) {
        d->random_on = 1;
        return 0;
    }
    if (n == 3 && strcmp(w[1], "after") == 0 && parse_u64(w[2], &v) == 0
        && (strcmp(w[0], "power-loss") == 0 || strcmp(w[0], "reset") == 0 || strcmp(w[0], "drive-failure") == 0)) {
        int kind = strcmp(w[0], "power-loss") == 0 ? F_POWER_LOSS : strcmp(w[0], "reset") == 0 ? F_RESET : F_DRIVE_FAILURE;
        if (v == 0) {
            fire(d, kind);
            return 0;
        }
        pending_fault *np = realloc(d->pend, (size_t)(d->npend + 1) * sizeof *np);
        if (!np)
            return fail_errno(ENOMEM);
        np[d->npend].at = d->counted + (int64_t)v;
        np[d->npend].kind = kind;
        d->pend = np;
        d->npend++;
        return 0;
    }
    if (n == 2 && strcmp(w[0], "not-ready") == 0 && parse_u64(w[1], &v) == 0) {
        d->not_ready_s = (int64_t)v;
        return 0;
    }
    if (n == 3 && strcmp(w[1], "at") == 0 && parse_u64(w[2], &v) == 0 && (strcmp(w[0], "early-warning") == 0 || strcmp(w[0], "end-of-medium") == 0)) {
        int is_ew = strcmp(w[0], "early-warning") == 0;
        if (d->mstate == M_LOADED)
            apply_eom(d, is_ew ? (int64_t)v : -1, is_ew ? -1 : (int64_t)v);
        else if (is_ew)
            d->pending_ew = (int64_t)v;
        else
            d->pending_eom = (int64_t)v;
        return 0;
    }
    if ((n == 1 || (n == 2 && strcmp(w[1], "off") == 0)) && strcmp(w[0], "write-protect") == 0) {
        if (d->cart && vt_set_tab(d->cart, n == 1) != 0)
            return -1;
        return 0;
    }
    if (n == 1 && strcmp(w[0], "cleaning-request") == 0) {
        d->cleaning = 1;
        return 0;
    }
    if (n == 2 && strcmp(w[0], "recovered-errors") == 0 && parse_u64(w[1], &v) == 0) {
        d->recovered = v > 0xFFFF ? 0xFFFF : (int)v;
        return 0;
    }
    vstm_set_error("\"%s\" is not a drive fault line of spec/tape-devices.md §7.2 (library faults are armed on the library)", line);
    return fail_errno(EINVAL);
}

static int parse_bit(const char *v, int *out)
{
    if (strcmp(v, "0") == 0)
        *out = 0;
    else if (strcmp(v, "1") == 0)
        *out = 1;
    else
        return -1;
    return 0;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = 0;
    return s;
}

/* Parses drive.conf text (§8.4); caller holds the lock. */
static int configure_locked(drive_t *d, const char *text)
{
    defaults(d);
    char *copy = strdup(text ? text : "");
    if (!copy)
        return fail_errno(ENOMEM);
    int line_no = 0, rc = 0;
    char *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        line_no++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = 0;
        char *l = trim(line);
        if (!*l)
            continue;
        char *eq = strchr(l, '=');
        if (!eq) {
            vstm_set_error("drive.conf line %d: \"%s\" is not \"key = value\"", line_no, l);
            rc = -1;
            break;
        }
        *eq = 0;
        char *key = trim(l), *value = trim(eq + 1);
        int ok = 0, b;
        if (strcmp(key, "scsi2logical") == 0)
            ok = parse_bit(value, &d->scsi2logical) == 0;
        else if (strcmp(key, "kernel-profile") == 0) {
            ok = strcmp(value, "modern") == 0 || strcmp(value, "legacy") == 0;
            d->legacy = strcmp(value, "legacy") == 0;
        } else if (strcmp(key, "async-writes") == 0)
            ok = parse_bit(value, &b) == 0 && b == 0; /* T29 is not implemented (open point O9) */
        else if (strcmp(key, "fast-mteom") == 0)
            ok = parse_bit(value, &d->fast_mteom) == 0;
        else if (strcmp(key, "two-fm") == 0)
            ok = parse_bit(value, &d->two_fm) == 0;
        else if (strcmp(key, "nowait-eof") == 0)
            ok = parse_bit(value, &d->nowait_eof) == 0;
        else if (strcmp(key, "block-limits") == 0) {
            int mn, mx;
            char extra;
            ok = sscanf(value, "%d %d %c", &mn, &mx, &extra) == 2 && mn >= 1 && mx >= mn && mx <= 0xFFFFFF;
            if (ok) {
                d->min_block = mn;
                d->max_block = mx;
            }
        } else if (strcmp(key, "compression") == 0) {
            ok = strcmp(value, "supported") == 0 || strcmp(value, "none") == 0;
            d->compression = strcmp(value, "none") != 0;
        } else if (strcmp(key, "cap-sys-admin") == 0)
            ok = parse_bit(value, &d->cap_sys_admin) == 0;
        else if (strcmp(key, "durability") == 0) {
            ok = strcmp(value, "full") == 0 || strcmp(value, "process") == 0;
            d->durability_full = strcmp(value, "full") == 0;
        } else if (strcmp(key, "fault") == 0) {
            if (arm(d, value) != 0) {
                rc = -1;
                break;
            }
            ok = 1;
        } else {
            vstm_set_error("drive.conf line %d: unknown key \"%s\"", line_no, key);
            rc = -1;
            break;
        }
        if (!ok) {
            vstm_set_error("drive.conf line %d: bad value \"%s\" for %s", line_no, value, key);
            rc = -1;
            break;
        }
    }
    free(copy);
    d->options = driver_options(d);
    d->configured = 1;
    if (rc)
        errno = EINVAL;
    return rc;
}

static void drive_dir(int n, char *out, size_t size) { snprintf(out, size, "%s/drive%d", root, n); }

static int drive_exists(int n)
{
    char p[4200];
    struct stat st;
    drive_dir(n, p, sizeof p);
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Reads driveN/drive.conf on first use when the drive was not configured through tkvst_configure. */
static int ensure_configured(drive_t *d, int n)
{
    if (d->configured)
        return 0;
    char p[4200];
    drive_dir(n, p, sizeof p);
    strncat(p, "/drive.conf", sizeof p - strlen(p) - 1);
    FILE *f = fopen(p, "re");
    if (!f) {
        d->configured = 1;
        return 0;
    }
    char text[8192];
    size_t len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[len] = 0;
    return configure_locked(d, text);
}

/* ---------- transport ---------- */

static void load_ejected(drive_t *d)
{
    d->mstate = M_LOADED;
    d->load_gen++;
    d->pos = 0;
    d->tab = d->cart->tab_on_disk;
    d->peom = d->cart->header.capacity > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)d->cart->header.capacity;
    uint64_t ewd = d->cart->header.ew_distance < (uint64_t)d->peom ? d->cart->header.ew_distance : (uint64_t)d->peom;
    d->ew = d->peom - (int64_t)ewd;
    d->cleaning = 0;
    apply_eom(d, d->pending_ew, d->pending_eom);
    d->pending_ew = d->pending_eom = -1;
    d->not_ready_active = d->not_ready_s > 0;
}

static void t_sync(drive_t *d)
{
    if (d->cart && vt_has_uncommitted(d->cart))
        vt_sync(d->cart);
}

static void release_cart(drive_t *d)
{
    if (!d->cart)
        return;
    if (!d->failed)
        vt_sync(d->cart);
    vt_close(d->cart);
    d->cart = NULL;
    d->mstate = M_EMPTY;
    d->pos = 0;
}

/* Resolves driveN/medium at open and MTLOAD (§8.3); 0 or an errno. */
static int resolve_medium(drive_t *d, int n)
{
    char p[4200];
    drive_dir(n, p, sizeof p);
    strncat(p, "/medium", sizeof p - strlen(p) - 1);
    struct stat st;
    if (stat(p, &st) != 0) {
        release_cart(d);
        return 0;
    }
    if (d->cart && d->cart->dev == st.st_dev && d->cart->ino == st.st_ino)
        return 0;
    release_cart(d);
    char err[512] = "";
    vt_cart *c;
    if (vt_open(p, d->durability_full, &c, err) != 0) {
        int e = errno;
        vstm_set_error("drive %d: cannot load %s: %s", n, p, err);
        return e == EBUSY ? EBUSY : EIO;
    }
    d->cart = c;
    load_ejected(d);
    return 0;
}

static int64_t eod(drive_t *d) { return d->cart->count; }
static int is_fm(drive_t *d, int64_t id) { return d->cart->rec[id].filemark; }

static int consume(media_fault *list, int *count, int64_t id)
{
    for (int i = 0; i < *count; i++) {
        if (list[i].id == id) {
            if (!list[i].sticky) {
                memmove(&list[i], &list[i + 1], (size_t)(*count - i - 1) * sizeof *list);
                (*count)--;
            }
            return 1;
        }
    }
    return 0;
}

static int read_fault(drive_t *d, int64_t id)
{
    return consume(d->rerr, &d->nrerr, id) || (d->random_on && vt_splitmix_hash(d->rseed ^ (uint64_t)id) < d->rthr);
}

static int write_fault(drive_t *d, int64_t id)
{
    return consume(d->werr, &d->nwerr, id) || (d->random_on && vt_splitmix_hash(d->rseed ^ (uint64_t)id) < d->wthr);
}

static int t_write_block(drive_t *d, const void *data, uint32_t n)
{
    vt_cart *c = d->cart;
    int64_t p = d->pos;
    int64_t end = vt_tape_offset(c, p) + n;
    if (end > d->peom) {
        vt_truncate(c, p);
        return T_NOFIT;
    }
    if (p >= VT_MAX_OBJECTS)
        return T_IDLIMIT;
    if (write_fault(d, p)) {
        vt_truncate(c, p);
        return T_MEDIA;
    }
    if (vt_truncate(c, p) != 0 || vt_append_block(c, data, n) != 0)
        return T_MEDIA;
    d->pos = p + 1;
    return end > d->ew ? T_PAST_EW : T_WRITTEN;
}

static int t_write_filemarks(drive_t *d, int count, int sync, int *written)
{
    vt_cart *c = d->cart;
    int64_t p = d->pos;
    int w = 0, result = T_WRITTEN;
    for (; w < count; w++) {
        int64_t id = p + w;
        if (id >= VT_MAX_OBJECTS) {
            result = T_IDLIMIT;
            break;
        }
        if (write_fault(d, id)) {
            vt_truncate(c, id);
            result = T_MEDIA;
            break;
        }
        if (vt_truncate(c, id) != 0 || vt_append_filemark(c) != 0) {
            result = T_MEDIA;
            break;
        }
    }
    d->pos = p + w;
    if (sync && result == T_WRITTEN)
        t_sync(d);
    *written = w;
    return result;
}

static void fire(drive_t *d, int kind)
{
    if (kind == F_POWER_LOSS) {
        if (d->mstate != M_EMPTY && d->cart)
            vt_drop_uncommitted(d->cart);
        d->pos = 0;
    } else if (kind == F_RESET) {
        t_sync(d);
    } else {
        if (d->mstate != M_EMPTY && d->cart) {
            vt_drop_uncommitted(d->cart);
            if (d->pos > d->cart->count)
                d->pos = d->cart->count;
        }
        d->failed = 1;
        return;
    }
    d->pos_unknown = 1;
    d->file_no = d->blk_no = -1;
}

static void completed(drive_t *d)
{
    d->counted++;
    for (int i = 0; i < d->npend;) {
        if (d->pend[i].at <= d->counted) {
            int kind = d->pend[i].kind;
            memmove(&d->pend[i], &d->pend[i + 1], (size_t)(d->npend - i - 1) * sizeof *d->pend);
            d->npend--;
            fire(d, kind);
        } else {
            i++;
        }
    }
}

/* ---------- st bookkeeping helpers ---------- */

static void add_file(drive_t *d, int delta) { if (d->file_no >= 0) d->file_no += delta; }
static void add_block(drive_t *d, int delta) { if (d->blk_no >= 0) d->blk_no += delta; }

static void new_session(drive_t *d)
{
    d->file_no = d->blk_no = 0;
    d->eof = NOEOF;
    d->rw = IDLE;
    d->pos_unknown = 0;
    d->block_size = 0;
    d->density = d->cart->header.density;
    d->medium_gen = d->load_gen;
}

static void check_readiness(drive_t *d, int blocking)
{
    if (d->mstate != M_LOADED) {
        d->ready = NO_TAPE;
        return;
    }
    if (blocking && d->not_ready_active && !d->failed && d->not_ready_s <= 120)
        d->not_ready_active = 0; /* the open's 120 s wait covers it (no time passes here) */
    if (d->failed || d->not_ready_active) {
        d->ready = NOT_READY;
        return;
    }
    d->ready = READY;
    d->drv_wp = d->tab || d->cart->header.minor > 0;
    if (d->load_gen != d->medium_gen)
        new_session(d);
}

/* ---------- descriptor table ---------- */

static file_t *lookup(int fd)
{
    pthread_mutex_lock(&table_lock);
    file_t *f = fd >= 0 && fd < nfiles ? files[fd] : NULL;
    pthread_mutex_unlock(&table_lock);
    return f;
}

int vstm_owns(int fd) { return lookup(fd) != NULL; }

static int insert_file(file_t *f)
{
    int fd = backing_open ? backing_open() : -1;
    if (fd < 0)
        return -1;
    pthread_mutex_lock(&table_lock);
    if (fd >= nfiles) {
        int n = nfiles ? nfiles : 64;
        while (n <= fd)
            n *= 2;
        file_t **nf = realloc(files, (size_t)n * sizeof *nf);
        if (!nf) {
            pthread_mutex_unlock(&table_lock);
            if (backing_close)
                backing_close(fd);
            return fail_errno(ENOMEM);
        }
        memset(nf + nfiles, 0, (size_t)(n - nfiles) * sizeof *nf);
        files = nf;
        nfiles = n;
    }
    files[fd] = f;
    pthread_mutex_unlock(&table_lock);
    return fd;
}

static void remove_file(int fd)
{
    pthread_mutex_lock(&table_lock);
    file_t *f = fd >= 0 && fd < nfiles ? files[fd] : NULL;
    if (f)
        files[fd] = NULL;
    pthread_mutex_unlock(&table_lock);
    if (f) {
        free(f);
        if (backing_close)
            backing_close(fd);
    }
}

/* ---------- paths ---------- */

static int parse_drive_number(const char *s, const char **rest)
{
    if (!isdigit((unsigned char)s[0]))
        return -1;
    int n = s[0] - '0';
    int len = 1;
    if (isdigit((unsigned char)s[1])) {
        if (s[0] == '0')
            return -1;
        n = n * 10 + (s[1] - '0');
        len = 2;
    }
    *rest = s + len;
    return n < VST_MAX_DRIVES ? n : -1;
}

/* 1 = device node, 2 = sysfs attribute, 0 = not ours. */
static int classify(const char *path, int *drive, int *rewind, const char **attr, int *valid)
{
    const char *rest;
    *valid = 0;
    *attr = NULL;
    *rewind = 0;
    const char *p = NULL;
    if (strncmp(path, "/dev/nst", 8) == 0)
        p = path + 8;
    else if (strncmp(path, "/dev/st", 7) == 0) {
        p = path + 7;
        *rewind = 1;
    }
    if (p) {
        *drive = parse_drive_number(p, &rest);
        *valid = *drive >= 0 && *rest == 0;
        return 1;
    }
    const char *sys = "/sys/class/scsi_tape/";
    if (strncmp(path, sys, strlen(sys)) == 0) {
        p = path + strlen(sys);
        if (strncmp(p, "nst", 3) == 0)
            p += 3;
        else if (strncmp(p, "st", 2) == 0)
            p += 2;
        else
            return 2;
        *drive = parse_drive_number(p, &rest);
        if (*drive >= 0 && *rest == '/') {
            *attr = rest + 1;
            *valid = 1;
        }
        return 2;
    }
    return 0;
}

int vstm_is_tape_path(const char *path)
{
    int drive, rewind, valid;
    const char *attr;
    return classify(path, &drive, &rewind, &attr, &valid) != 0;
}

int vstm_set_root(const char *dir)
{
    if (!dir || !*dir || strlen(dir) >= sizeof root - 64) {
        vstm_set_error("the emulation root must be a non-empty path");
        return fail_errno(EINVAL);
    }
    snprintf(root, sizeof root, "%s", dir);
    root_set = 1;
    return 0;
}

static int ensure_root(void)
{
    if (root_set)
        return 0;
    const char *env = getenv("TAPEKIT_VST_ROOT");
    if (env && *env)
        return vstm_set_root(env);
    return -1;
}

/* ---------- open / close ---------- */

int vstm_open(const char *path, int flags)
{
    int n, rewind, valid;
    const char *attr;
    int kind = classify(path, &n, &rewind, &attr, &valid);
    if (ensure_root() != 0) {
        vstm_set_error("no emulation root is configured; tape paths are refused");
        return fail_errno(ENXIO);
    }
    if (!valid || !drive_exists(n))
        return fail_errno(kind == 2 ? ENOENT : ENXIO);
    drive_t *d = &drives[n];
    pthread_mutex_lock(&table_lock);
    init_drive(d);
    pthread_mutex_unlock(&table_lock);
    pthread_mutex_lock(&d->lock);
    int result = -1, e = 0;
    if (ensure_configured(d, n) != 0) {
        e = EINVAL;
        goto out;
    }
    if (kind == 2) {
        file_t *f = calloc(1, sizeof *f);
        if (!f) {
            e = ENOMEM;
            goto out;
        }
        f->drive = n;
        f->is_attr = 1;
        if (strcmp(attr, "options") == 0)
            snprintf(f->text, sizeof f->text, "0x%x\n", d->options);
        else if (strcmp(attr, "position_lost_in_reset") == 0 && !d->legacy)
            snprintf(f->text, sizeof f->text, "%d\n", d->pos_unknown ? 1 : 0);
        else {
            free(f);
            e = ENOENT;
            goto out;
        }
        f->len = strlen(f->text);
        result = insert_file(f);
        if (result < 0) {
            e = errno;
            free(f);
        }
        goto out;
    }
    if (d->in_use) {
        e = EBUSY;
        goto out;
    }
    int r = resolve_medium(d, n);
    if (r) {
        e = r;
        goto out;
    }
    int nonblocking = (flags & O_NONBLOCK) != 0, access = flags & O_ACCMODE;
    check_readiness(d, !nonblocking);
    int write_prot = access == O_RDONLY || d->drv_wp;
    if (!nonblocking) {
        if (d->ready == NOT_READY) {
            e = EIO;
            goto out;
        }
        if (d->ready == NO_TAPE) {
            e = ENOMEDIUM;
            goto out;
        }
        if (d->drv_wp && access != O_RDONLY) {
            e = EROFS;
            goto out;
        }
    } else if (d->ready != READY) {
        d->file_no = d->blk_no = -1;
        d->block_size = 0;
        d->density = 0;
        write_prot = 0;
    }
    file_t *f = calloc(1, sizeof *f);
    if (!f) {
        e = ENOMEM;
        goto out;
    }
    f->drive = n;
    f->write_prot = write_prot;
    f->rewind_at_close = rewind;
    f->nonblocking = nonblocking;
    f->access = access;
    result = insert_file(f);
    if (result < 0) {
        e = errno;
        free(f);
        goto out;
    }
    d->in_use = 1;
    d->rw = IDLE;
out:
    pthread_mutex_unlock(&d->lock);
    if (result < 0)
        errno = e;
    return result;
}

static int close_filemark(drive_t *d)
{
    int two = (d->options & OPT_TWO_FM) != 0, sync = (d->options & OPT_NOWAIT_EOF) == 0, w;
    int r = t_write_filemarks(d, two ? 2 : 1, sync, &w);
    if (r != T_WRITTEN) {
        add_file(d, w);
        d->blk_no = -1;
        return EIO;
    }
    if (two)
        d->pos -= 1;
    add_file(d, 1);
    d->blk_no = 0;
    d->eof = FM;
    return 0;
}

int vstm_close(int fd)
{
    file_t *f = lookup(fd);
    if (!f)
        return fail_errno(EBADF);
    if (f->is_attr) {
        remove_file(fd);
        return 0;
    }
    drive_t *d = &drives[f->drive];
    pthread_mutex_lock(&d->lock);
    int error = 0;
    if (d->ready == READY && !d->failed && d->rw == WRITING && !d->pos_unknown)
        error = close_filemark(d);
    if (f->rewind_at_close) {
        if (d->ready == NO_TAPE)
            error = error ? error : ENOMEDIUM;
        else if (d->ready != READY || d->failed)
            error = error ? error : EIO;
        else {
            t_sync(d);
            d->pos = 0;
            d->file_no = d->blk_no = 0;
            d->eof = NOEOF;
            d->pos_unknown = 0;
        }
    }
    if (d->ready == READY && !d->failed)
        t_sync(d);
    d->rw = IDLE;
    d->in_use = 0;
    pthread_mutex_unlock(&d->lock);
    remove_file(fd);
    return error ? fail_errno(error) : 0;
}

/* ---------- read / write (T3–T11, T27, T28) ---------- */

static ssize_t read_mark_or_end(drive_t *d, int64_t p)
{
    if (p == eod(d)) {
        d->blk_no = -1;
        if (d->eof == FM) {
            d->eof = EOD;
            return 0;
        }
        return fail_errno(EIO);
    }
    d->pos++;
    add_file(d, 1);
    d->blk_no = 0;
    d->eof = FM;
    return 0;
}

static ssize_t read_fixed(drive_t *d, unsigned char *buf, size_t count)
{
    int size = d->block_size;
    size_t wanted = count / (size_t)size, delivered = 0;
    while (delivered < wanted) {
        int64_t p = d->pos;
        if (p == eod(d) || is_fm(d, p)) {
            if (delivered == 0)
                return read_mark_or_end(d, p);
            break;
        }
        if (d->cart->rec[p].length != (uint32_t)size) {
            if (delivered == 0)
                return fail_errno(EIO);
            break;
        }
        if (read_fault(d, p)) {
            d->pos = p + 1;
            d->blk_no = -1;
            return fail_errno(EIO);
        }
        d->pos = p + 1;
        if (!vt_read_payload(d->cart, p, buf + delivered * (size_t)size)) {
            d->blk_no = -1;
            return fail_errno(EIO);
        }
        delivered++;
        add_block(d, 1);
    }
    if (d->eof == FM)
        d->eof = NOEOF;
    return (ssize_t)(delivered * (size_t)size);
}

static ssize_t read_core(drive_t *d, void *buf, size_t count)
{
    if (d->ready != READY)
        return fail_errno(d->ready == NO_TAPE ? ENOMEDIUM : EIO);
    if (d->failed || d->pos_unknown)
        return fail_errno(EIO);
    if (count == 0)
        return 0;
    if (count < (size_t)d->min_block || count > (size_t)d->max_block || (d->block_size > 0 && count % (size_t)d->block_size != 0))
        return fail_errno(EINVAL);
    d->rw = READING;
    if (d->eof == EOD)
        return fail_errno(EIO);
    if (d->eof == EOD_1 || d->eof == EOD_2) {
        d->eof++;
        return 0;
    }
    t_sync(d);
    if (d->block_size > 0)
        return read_fixed(d, buf, count);
    int64_t p = d->pos;
    if (p == eod(d) || is_fm(d, p))
        return read_mark_or_end(d, p);
    if (read_fault(d, p)) {
        d->pos = p + 1;
        d->blk_no = -1;
        return fail_errno(EIO);
    }
    uint32_t length = d->cart->rec[p].length;
    if (length > count) {
        d->pos = p + 1;
        add_block(d, 1);
        return fail_errno(ENOMEM);
    }
    d->pos = p + 1;
    if (!vt_read_payload(d->cart, p, buf)) {
        d->blk_no = -1;
        return fail_errno(EIO);
    }
    add_block(d, 1);
    if (d->eof == FM)
        d->eof = NOEOF;
    return (ssize_t)length;
}

ssize_t vstm_read(int fd, void *buf, size_t count)
{
    file_t *f = lookup(fd);
    if (!f)
        return fail_errno(EBADF);
    if (f->is_attr) {
        size_t n = f->len - f->off < count ? f->len - f->off : count;
        memcpy(buf, f->text + f->off, n);
        f->off += n;
        return (ssize_t)n;
    }
    drive_t *d = &drives[f->drive];
    pthread_mutex_lock(&d->lock);
    ssize_t r = read_core(d, buf, count);
    int e = errno;
    if (count > 0)
        completed(d);
    pthread_mutex_unlock(&d->lock);
    errno = e;
    return r;
}

static int write_one(drive_t *d, const void *data, uint32_t n)
{
    switch (t_write_block(d, data, n)) {
    case T_NOFIT:
        d->eof = EOM_OK;
        return ENOSPC;
    case T_IDLIMIT:
        return EIO;
    case T_MEDIA:
        d->blk_no = -1;
        return EIO;
    case T_PAST_EW:
        add_block(d, 1);
        d->eof = EOM_OK;
        return 0;
    default:
        add_block(d, 1);
        d->eof = d->eof == EOD_1 ? EOM_OK : NOEOF;
        return 0;
    }
}

static ssize_t write_core(drive_t *d, file_t *f, const void *data, size_t count)
{
    if (d->ready != READY)
        return fail_errno(d->ready == NO_TAPE ? ENOMEDIUM : EIO);
    if (d->failed || d->pos_unknown)
        return fail_errno(EIO);
    if (count == 0)
        return 0;
    if (count < (size_t)d->min_block || count > (size_t)d->max_block || (d->block_size > 0 && count % (size_t)d->block_size != 0))
        return fail_errno(EINVAL);
    if (f->write_prot)
        return fail_errno(EACCES);
    if (d->rw == READING)
        d->rw = WRITING;
    if (d->eof == EOM_OK) {
        d->eof = EOD_1;
        return fail_errno(ENOSPC);
    }
    if (d->eof == EOM_ERROR)
        return fail_errno(EIO);
    d->rw = WRITING;
    if (d->block_size == 0) {
        int e = write_one(d, data, (uint32_t)count);
        return e ? fail_errno(e) : (ssize_t)count;
    }
    size_t size = (size_t)d->block_size, written = 0;
    for (size_t off = 0; off < count; off += size) {
        int e = write_one(d, (const unsigned char *)data + off, (uint32_t)size);
        if (e)
            return written == 0 ? fail_errno(e) : (ssize_t)written;
        written += size;
    }
    return (ssize_t)written;
}

ssize_t vstm_write(int fd, const void *buf, size_t count)
{
    file_t *f = lookup(fd);
    if (!f)
        return fail_errno(EBADF);
    if (f->is_attr)
        return fail_errno(EACCES);
    drive_t *d = &drives[f->drive];
    pthread_mutex_lock(&d->lock);
    ssize_t r = write_core(d, f, buf, count);
    int e = errno;
    if (count > 0)
        completed(d);
    pthread_mutex_unlock(&d->lock);
    errno = e;
    return r;
}

/* ---------- MTIOCTOP (T12–T22, T24, T25) ---------- */

static int auto_filemark(drive_t *d, int was_writing)
{
    if (!was_writing)
        return 0;
    int w, r = t_write_filemarks(d, 1, (d->options & OPT_NOWAIT_EOF) == 0, &w);
    if (r != T_WRITTEN) {
        add_file(d, w);
        d->blk_no = -1;
        return EIO;
    }
    add_file(d, 1);
    d->blk_no = 0;
    d->eof = FM;
    return 0;
}

static int forward_filemarks(drive_t *d, int n)
{
    t_sync(d);
    int64_t before = vt_filemarks_before(d->cart, d->pos);
    int64_t target = before + n - 1;
    if (target < d->cart->fm_count) {
        d->pos = d->cart->fm[target] + 1;
        add_file(d, n);
        d->blk_no = 0;
        d->eof = FM;
        return 0;
    }
    int crossed = (int)(d->cart->fm_count - before);
    d->pos = eod(d);
    add_file(d, crossed);
    d->blk_no = -1;
    d->eof = EOD;
    return EIO;
}

static int backward_filemarks(drive_t *d, int n)
{
    t_sync(d);
    int64_t before = vt_filemarks_before(d->cart, d->pos);
    int64_t target = before - n;
    if (target >= 0) {
        d->pos = d->cart->fm[target];
        add_file(d, -n);
        d->blk_no = -1;
        d->eof = NOEOF;
        return 0;
    }
    d->pos = 0;
    add_file(d, -(int)before);
    d->blk_no = 0;
    d->eof = NOEOF;
    return EIO;
}

static int forward_blocks(drive_t *d, int n)
{
    t_sync(d);
    int64_t p = d->pos, before = vt_filemarks_before(d->cart, p);
    int mark = before < d->cart->fm_count;
    int64_t limit = mark ? d->cart->fm[before] : eod(d);
    int64_t blocks = limit - p;
    if (n <= blocks) {
        d->pos = p + n;
        add_block(d, n);
        d->eof = NOEOF;
        return 0;
    }
    if (mark) {
        d->pos = limit + 1;
        add_file(d, 1);
        d->blk_no = 0;
        d->eof = FM;
        return EIO;
    }
    d->pos = limit;
    add_block(d, (int)blocks);
    d->eof = EOD;
    return EIO;
}

static int backward_blocks(drive_t *d, int n)
{
    t_sync(d);
    int64_t p = d->pos, before = vt_filemarks_before(d->cart, p);
    int mark = before > 0;
    int64_t start = mark ? d->cart->fm[before - 1] + 1 : 0;
    int64_t blocks = p - start;
    if (n <= blocks) {
        d->pos = p - n;
        add_block(d, -n);
        d->eof = NOEOF;
        return 0;
    }
    d->eof = NOEOF;
    if (mark) {
        d->pos = start - 1;
        d->file_no -= 1;
        d->blk_no = -1;
        return EIO;
    }
    d->pos = 0;
    d->blk_no = (d->blk_no >= 0 ? d->blk_no - n : -1) + (n - (int)blocks);
    return EIO;
}

static int write_filemarks_op(drive_t *d, file_t *f, int op, int count)
{
    if (f->write_prot)
        return EACCES;
    if (count < 0 || count > MAX_COUNT)
        return EINVAL;
    int sync = op == MTWEOF && (d->options & OPT_NOWAIT_EOF) == 0;
    if (count == 0) {
        if (sync)
            t_sync(d);
        d->blk_no = 0;
        d->eof = NOEOF;
        return 0;
    }
    int w, r = t_write_filemarks(d, count, sync, &w);
    add_file(d, w);
    d->eof = NOEOF;
    if (r != T_WRITTEN) {
        d->blk_no = -1;
        return EIO;
    }
    d->blk_no = 0;
    return 0;
}

static int rewind_core(drive_t *d)
{
    t_sync(d);
    d->pos = 0;
    d->file_no = d->blk_no = 0;
    d->eof = NOEOF;
    d->pos_unknown = 0;
    return 0;
}

static int offline(drive_t *d, file_t *f)
{
    t_sync(d);
    d->pos = 0;
    d->mstate = M_EJECTED;
    d->ready = NO_TAPE;
    f->rewind_at_close = 0;
    return 0;
}

static int end_of_medium(drive_t *d)
{
    t_sync(d);
    int crossed = (int)(d->cart->fm_count - vt_filemarks_before(d->cart, d->pos));
    d->pos = eod(d);
    if (d->options & OPT_FAST_MTEOM)
        d->file_no = -1;
    else
        add_file(d, crossed);
    d->blk_no = -1;
    d->eof = EOD;
    return 0;
}

static int erase_op(drive_t *d, file_t *f)
{
    if (f->write_prot)
        return EACCES;
    vt_truncate(d->cart, d->pos);
    t_sync(d);
    d->eof = NOEOF;
    if (d->legacy)
        d->file_no = d->blk_no = 0;
    return 0;
}

static int seek_op(drive_t *d, int n)
{
    d->eof = NOEOF;
    if ((d->options & OPT_SCSI2LOGICAL) == 0) {
        d->file_no = d->blk_no = -1;
        return EIO;
    }
    t_sync(d);
    if (n < 0 || n > eod(d)) {
        d->pos = eod(d);
        d->file_no = d->blk_no = -1;
        return EIO;
    }
    d->pos = n;
    d->file_no = d->blk_no = n == 0 ? 0 : -1;
    return 0;
}

static int set_drv_buffer(drive_t *d, int count)
{
    if (!d->cap_sys_admin)
        return EPERM;
    uint32_t v = (uint32_t)count, bits = v & ~OPT_MASK;
    switch (v & OPT_MASK) {
    case 0x10000000u: d->options = bits; break;
    case 0x30000000u: d->options |= bits; break;
    case 0x40000000u: d->options &= ~bits; break;
    default: break;
    }
    return 0;
}

static int load_op(drive_t *d, file_t *f)
{
    int r = resolve_medium(d, f->drive);
    if (r == 0 && d->mstate == M_EMPTY)
        r = EIO;
    if (r) {
        d->file_no = d->blk_no = -1;
        return EIO;
    }
    t_sync(d);
    if (d->mstate == M_EJECTED)
        load_ejected(d);
    else
        d->pos = 0;
    check_readiness(d, !f->nonblocking);
    if (d->ready != READY) {
        d->file_no = d->blk_no = -1;
        return EIO;
    }
    f->write_prot = f->access == O_RDONLY || d->drv_wp;
    if (d->drv_wp && !f->nonblocking && f->access != O_RDONLY)
        return EROFS;
    return 0;
}

static int keeps_rw(int op)
{
    return op == MTNOP || op == MTSETBLK || op == MTSETDENSITY || op == MTSETDRVBUFFER || op == MTWSM || op == MTSETPART;
}

static int clears_pos_lost(drive_t *d, int op)
{
    return op == MTREW || op == MTOFFL || op == MTRETEN || op == MTERASE || op == MTSEEK || op == MTEOM || (op == MTLOAD && !d->legacy);
}

static int bad_count(int count) { return count < 0 || count > MAX_COUNT; }

static int mtop_core(drive_t *d, file_t *f, int op, int count)
{
    if (d->failed)
        return EIO;
    if (d->ready != READY) {
        switch (op) {
        case MTLOCK:
        case MTUNLOCK: return 0;
        case MTLOAD: return load_op(d, f);
        case MTSEEK:
        case MTCOMPRESSION: return EIO;
        default: return d->ready == NO_TAPE ? ENOMEDIUM : EIO;
        }
    }
    int was_writing = d->rw == WRITING;
    if (!keeps_rw(op))
        d->rw = IDLE;
    if (d->pos_unknown) {
        if (!clears_pos_lost(d, op))
            return EIO;
        d->pos_unknown = 0;
        d->file_no = d->blk_no = -1;
        d->eof = NOEOF;
        d->rw = IDLE;
        was_writing = 0;
    }
    int e;
    switch (op) {
    case MTFSF: return bad_count(count) ? EINVAL : count == 0 ? 0 : forward_filemarks(d, count);
    case MTBSF:
        if (bad_count(count)) return EINVAL;
        if (count == 0) return 0;
        if ((e = auto_filemark(d, was_writing))) return e;
        return backward_filemarks(d, count + (was_writing ? 1 : 0));
    case MTFSFM:
        if (bad_count(count)) return EINVAL;
        if (count == 0) return 0;
        if ((e = forward_filemarks(d, count))) return e;
        return backward_filemarks(d, 1);
    case MTBSFM:
        if (bad_count(count)) return EINVAL;
        if (count == 0) return 0;
        if ((e = auto_filemark(d, was_writing))) return e;
        if ((e = backward_filemarks(d, count + (was_writing ? 1 : 0)))) return e;
        return forward_filemarks(d, 1);
    case MTFSR: return bad_count(count) ? EINVAL : count == 0 ? 0 : forward_blocks(d, count);
    case MTBSR: return bad_count(count) ? EINVAL : count == 0 ? 0 : backward_blocks(d, count);
    case MTWEOF:
    case MTWEOFI: return write_filemarks_op(d, f, op, count);
    case MTREW: return (e = auto_filemark(d, was_writing)) ? e : rewind_core(d);
    case MTRETEN: return rewind_core(d);
    case MTOFFL: return (e = auto_filemark(d, was_writing)) ? e : offline(d, f);
    case MTUNLOAD: return offline(d, f);
    case MTNOP:
    case MTLOCK:
    case MTUNLOCK: return 0;
    case MTEOM: return end_of_medium(d);
    case MTERASE: return erase_op(d, f);
    case MTSETBLK:
        if (count == 0 || (count >= d->min_block && count <= d->max_block)) {
            d->block_size = count;
            return 0;
        }
        return EINVAL;
    case MTSETDENSITY: d->density = (unsigned)count & 0xFF; return 0;
    case MTSEEK: return (e = auto_filemark(d, was_writing)) ? e : seek_op(d, count);
    case MTSETDRVBUFFER: return set_drv_buffer(d, count);
    case MTFSS:
    case MTBSS: d->eof = NOEOF; d->file_no = -1; return EIO;
    case MTWSM:
        if (f->write_prot) return EACCES;
        d->eof = NOEOF;
        return EIO;
    case MTLOAD: return load_op(d, f);
    case MTCOMPRESSION:
        if (!d->compression) return EIO;
        d->compression_on = count != 0;
        return 0;
    case MTSETPART:
    case MTMKPART: return EINVAL;
    default: return ENOSYS;
    }
}

static void fill_status(drive_t *d, struct mtget *m)
{
    unsigned long g = 0x00010000UL; /* GMT_IM_REP_EN */
    if (d->blk_no == 0 && d->file_no == 0) g |= 0x40000000UL;
    if (d->blk_no == 0 && d->file_no != 0) g |= 0x80000000UL;
    if (d->eof == EOM_OK || d->eof == EOM_ERROR) g |= 0x20000000UL;
    if (d->eof == EOD_1 || d->eof == EOD_2 || d->eof == EOD) g |= 0x08000000UL;
    if (d->drv_wp) g |= 0x04000000UL;
    if (d->ready == READY) g |= 0x01000000UL;
    if (d->ready == NO_TAPE) g |= 0x00040000UL;
    if (d->cleaning) g |= 0x00008000UL;
    memset(m, 0, sizeof *m);
    m->mt_type = 0x72;
    m->mt_resid = 0;
    m->mt_dsreg = (long)(((unsigned long)d->block_size & 0xFFFFFFUL) | ((unsigned long)d->density << 24));
    m->mt_gstat = (long)g;
    m->mt_erreg = d->recovered & 0xFFFF;
    m->mt_fileno = d->file_no;
    m->mt_blkno = d->blk_no;
}

int vstm_ioctl(int fd, unsigned long request, void *arg)
{
    file_t *f = lookup(fd);
    if (!f)
        return fail_errno(EBADF);
    if (f->is_attr)
        return fail_errno(ENOTTY);
    if (_IOC_TYPE(request) != 'm' || _IOC_NR(request) < 1 || _IOC_NR(request) > 3)
        return fail_errno(ENOTTY);
    if (request != MTIOCTOP && request != MTIOCGET && request != MTIOCPOS)
        return fail_errno(EINVAL);
    if (!arg)
        return fail_errno(EFAULT);
    drive_t *d = &drives[f->drive];
    pthread_mutex_lock(&d->lock);
    int e = 0;
    if (request == MTIOCTOP) {
        const struct mtop *op = arg;
        int counted = op->mt_op != MTNOP && !(op->mt_op == MTSETDRVBUFFER && ((uint32_t)op->mt_count & OPT_MASK) != 0);
        e = mtop_core(d, f, op->mt_op, op->mt_count);
        if (counted)
            completed(d);
    } else if (request == MTIOCGET) {
        if (d->pos_unknown && d->legacy)
            e = EIO;
        else {
            fill_status(d, arg);
            d->recovered = 0;
        }
    } else {
        if (d->ready != READY || d->pos_unknown || d->failed || (d->options & OPT_SCSI2LOGICAL) == 0)
            e = EIO;
        else {
            ((struct mtpos *)arg)->mt_blkno = (long)d->pos;
            if (d->pos == 0)
                d->file_no = d->blk_no = 0;
        }
    }
    pthread_mutex_unlock(&d->lock);
    return e ? fail_errno(e) : 0;
}

/* ---------- control ---------- */

static drive_t *control_drive(int n)
{
    if (n < 0 || n >= VST_MAX_DRIVES) {
        vstm_set_error("drive %d does not exist (0 … 31)", n);
        errno = ENXIO;
        return NULL;
    }
    pthread_mutex_lock(&table_lock);
    init_drive(&drives[n]);
    pthread_mutex_unlock(&table_lock);
    return &drives[n];
}

int vstm_configure(int n, const char *text)
{
    drive_t *d = control_drive(n);
    if (!d)
        return -1;
    pthread_mutex_lock(&d->lock);
    int r = configure_locked(d, text);
    int e = errno;
    pthread_mutex_unlock(&d->lock);
    errno = e;
    return r;
}

int vstm_inject(int n, const char *line)
{
    drive_t *d = control_drive(n);
    if (!d)
        return -1;
    pthread_mutex_lock(&d->lock);
    int r = arm(d, line ? line : "");
    int e = errno;
    pthread_mutex_unlock(&d->lock);
    errno = e;
    return r;
}

int vstm_power_loss(int n)
{
    drive_t *d = control_drive(n);
    if (!d)
        return -1;
    pthread_mutex_lock(&d->lock);
    fire(d, F_POWER_LOSS);
    pthread_mutex_unlock(&d->lock);
    return 0;
}

int vstm_reset(void)
{
    pthread_mutex_lock(&table_lock);
    for (int i = 0; i < nfiles; i++) {
        if (files[i]) {
            free(files[i]);
            files[i] = NULL;
            if (backing_close)
                backing_close(i);
        }
    }
    pthread_mutex_unlock(&table_lock);
    for (int i = 0; i < VST_MAX_DRIVES; i++) {
        drive_t *d = &drives[i];
        if (!d->initialised)
            continue;
        pthread_mutex_lock(&d->lock);
        release_cart(d);
        defaults(d);
        pthread_mutex_unlock(&d->lock);
        pthread_mutex_destroy(&d->lock);
        d->initialised = 0;
    }
    return 0;
}

void vstm_shutdown(void)
{
    for (int i = 0; i < VST_MAX_DRIVES; i++) {
        drive_t *d = &drives[i];
        if (d->initialised && d->cart && !d->failed)
            vt_sync(d->cart);
    }
}
