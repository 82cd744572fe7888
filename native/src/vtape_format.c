#include "vtape_format.h"
#include "crc32c.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The emulation exports open/close/read/write; this file never calls them (§8.2): it uses openat,
 * pread, pwrite and the close system call directly. */
static void sys_close(int fd)
{
    if (fd >= 0)
        syscall(SYS_close, fd);
}

static void fail(char *err, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, 512, fmt, ap);
    va_end(ap);
}

static void put16(unsigned char *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(unsigned char *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(unsigned char *p, uint64_t v) { memcpy(p, &v, 8); }
static uint16_t get16(const unsigned char *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static uint32_t get32(const unsigned char *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t get64(const unsigned char *p) { uint64_t v; memcpy(&v, p, 8); return v; }

static int pwrite_all(int fd, const void *buf, size_t n, off_t off)
{
    const unsigned char *p = buf;
    while (n > 0) {
        ssize_t w = pwrite(fd, p, n, off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
        off += w;
    }
    return 0;
}

static ssize_t pread_all(int fd, void *buf, size_t n, off_t off)
{
    unsigned char *p = buf;
    size_t total = 0;
    while (total < n) {
        ssize_t r = pread(fd, p + total, n - total, off + (off_t)total);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (r == 0)
            break;
        total += (size_t)r;
    }
    return (ssize_t)total;
}

int vt_valid_vsn(const char *vsn)
{
    size_t n = strlen(vsn);
    if (n < 1 || n > 16)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((vsn[i] >= 'A' && vsn[i] <= 'Z') || (vsn[i] >= '0' && vsn[i] <= '9')))
            return 0;
    return 1;
}

static void put_padded(unsigned char *field, const char *text)
{
    memset(field, ' ', 16);
    size_t n = strlen(text);
    memcpy(field, text, n > 16 ? 16 : n);
}

static void get_padded(char *out, const unsigned char *field)
{
    memcpy(out, field, 16);
    out[16] = 0;
    for (int i = 15; i >= 0 && out[i] == ' '; i--)
        out[i] = 0;
}

static void header_write(const vt_header *h, unsigned char *block)
{
    memset(block, 0, 4096);
    memcpy(block, "TKVTAPE\0", 8);
    put16(block + 8, 1);
    put16(block + 10, h->minor);
    put32(block + 12, VT_HEADER_LENGTH);
    put32(block + 16, VT_RECORD_LENGTH);
    put32(block + 20, h->write_protected ? 1u : 0u);
    put32(block + 24, h->synthetic ? 1u : 0u);
    put32(block + 28, 1);
    put_padded(block + 32, h->vsn);
    put_padded(block + 48, h->profile);
    block[64] = h->density;
    put32(block + 68, h->footprint);
    put64(block + 72, h->capacity);
    put64(block + 80, h->ew_distance);
    put64(block + 88, h->seed);
    put32(block + 508, tk_crc32c(0, block, 508));
}

static int header_parse(const unsigned char *b, vt_header *h, char *err)
{
    if (memcmp(b, "TKVTAPE\0", 8) != 0) {
        fail(err, "the header does not start with the magic \"TKVTAPE\\0\"; this is not a TapeKit virtual cartridge");
        return -1;
    }
    if (get32(b + 508) != tk_crc32c(0, b, 508)) {
        fail(err, "cartridge header field headerCrc (offset 508, length 4): the header checksum does not match its contents");
        return -1;
    }
    if (get16(b + 8) != 1) {
        fail(err, "cartridge header field majorVersion: the cartridge has format major version %u; version 1 only", get16(b + 8));
        return -1;
    }
    if (get32(b + 12) != VT_HEADER_LENGTH || get32(b + 16) != VT_RECORD_LENGTH) {
        fail(err, "cartridge header: the header or index record length is wrong");
        return -1;
    }
    uint32_t incompatible = get32(b + 24);
    if (incompatible & ~1u) {
        fail(err, "cartridge header field incompatibleFlags: unknown incompatible features 0x%08X", incompatible);
        return -1;
    }
    if (get32(b + 28) != 1) {
        fail(err, "cartridge header field partitionCount: the partition count is not 1");
        return -1;
    }
    memset(h, 0, sizeof *h);
    h->minor = get16(b + 10);
    h->write_protected = (get32(b + 20) & 1) != 0;
    h->synthetic = (incompatible & 1) != 0;
    get_padded(h->vsn, b + 32);
    get_padded(h->profile, b + 48);
    if (!vt_valid_vsn(h->vsn)) {
        fail(err, "cartridge header field vsn: the VSN is not 1 to 16 characters A-Z, 0-9");
        return -1;
    }
    h->density = b[64];
    h->footprint = get32(b + 68);
    h->capacity = get64(b + 72);
    h->ew_distance = get64(b + 80);
    h->seed = get64(b + 88);
    if (h->capacity == 0 || h->ew_distance > h->capacity) {
        fail(err, "cartridge header field capacity: the capacity is 0 or smaller than the early-warning distance");
        return -1;
    }
    return 0;
}

static void commit_write(const vt_commit *c, unsigned char *slot)
{
    memset(slot, 0, 64);
    memcpy(slot, "TKCOMMIT", 8);
    put64(slot + 8, c->sequence);
    put64(slot + 16, (uint64_t)c->objects);
    put64(slot + 24, (uint64_t)c->data_length);
    put64(slot + 32, (uint64_t)c->tape_length);
    put64(slot + 40, (uint64_t)c->filemarks);
    put32(slot + 60, tk_crc32c(0, slot, 60));
}

static int commit_parse(const unsigned char *slot, vt_commit *c)
{
    if (memcmp(slot, "TKCOMMIT", 8) != 0 || get32(slot + 60) != tk_crc32c(0, slot, 60))
        return 0;
    c->sequence = get64(slot + 8);
    c->objects = (int64_t)get64(slot + 16);
    c->data_length = (int64_t)get64(slot + 24);
    c->tape_length = (int64_t)get64(slot + 32);
    c->filemarks = (int64_t)get64(slot + 40);
    return c->sequence >= 1 && c->objects >= 0 && c->data_length >= 0 && c->tape_length >= 0 && c->filemarks >= 0;
}

static void record_write(const vt_record *r, unsigned char *b)
{
    memset(b, 0, 32);
    b[0] = r->filemark ? 2 : 1;
    b[1] = r->synthetic ? 1 : 0;
    put32(b + 4, r->length);
    put64(b + 8, (uint64_t)r->tape_offset);
    put64(b + 16, (uint64_t)r->data_offset);
    put32(b + 24, r->crc);
    put32(b + 28, tk_crc32c(0, b, 28));
}

static int write_file(const char *dir, const char *name, const void *data, size_t n, int flags)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = openat(AT_FDCWD, path, O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0644);
    if (fd < 0)
        return -1;
    int r = n ? pwrite_all(fd, data, n, 0) : 0;
    if (r == 0 && n)
        r = fdatasync(fd);
    sys_close(fd);
    return r;
}

int vt_create(const char *dir, const vt_header *h, char *err)
{
    if (!vt_valid_vsn(h->vsn)) {
        fail(err, "the VSN \"%s\" is not 1 to 16 characters A-Z, 0-9", h->vsn);
        errno = EINVAL;
        return -1;
    }
    if (mkdir(dir, 0755) != 0) {
        if (errno != EEXIST) {
            fail(err, "cannot create %s: %s", dir, strerror(errno));
            return -1;
        }
        DIR *d = opendir(dir);
        if (!d) {
            fail(err, "cannot open %s: %s", dir, strerror(errno));
            return -1;
        }
        struct dirent *e;
        int entries = 0;
        while ((e = readdir(d)) != NULL)
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                entries++;
        closedir(d);
        if (entries) {
            fail(err, "cannot create a cartridge in %s: the directory exists and is not empty", dir);
            errno = EEXIST;
            return -1;
        }
    }
    static unsigned char block[VT_HEADER_LENGTH];
    memset(block, 0, sizeof block);
    header_write(h, block);
    vt_commit first = { 1, 0, 0, 0, 0 };
    commit_write(&first, block + 4096);
    if (write_file(dir, "header", block, sizeof block, O_EXCL) != 0 || write_file(dir, "index", NULL, 0, O_TRUNC) != 0
        || write_file(dir, "data", NULL, 0, O_TRUNC) != 0 || write_file(dir, "lock", NULL, 0, 0) != 0) {
        fail(err, "cannot write the cartridge files in %s: %s", dir, strerror(errno));
        return -1;
    }
    return 0;
}

static int open_in(const char *dir, const char *name, int flags)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return openat(AT_FDCWD, path, flags | O_CLOEXEC, 0644);
}

static int grow(void **p, int64_t *cap, int64_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    int64_t n = *cap ? *cap : 64;
    while (n < need)
        n *= 2;
    void *q = realloc(*p, (size_t)n * size);
    if (!q) {
        errno = ENOMEM;
        return -1;
    }
    *p = q;
    *cap = n;
    return 0;
}

static int load_records(vt_cart *c, char *err)
{
    int64_t n = c->commit.objects;
    if (n > VT_MAX_OBJECTS) {
        fail(err, "cartridge %s has %lld objects, more than 2^31 - 1", c->dir, (long long)n);
        return -1;
    }
    if (grow((void **)&c->rec, &c->cap, n, sizeof(vt_record)) != 0)
        return -1;
    static __thread unsigned char buf[2048 * VT_RECORD_LENGTH];
    int64_t tape = 0, data = 0;
    for (int64_t start = 0; start < n; start += 2048) {
        int64_t k = n - start < 2048 ? n - start : 2048;
        ssize_t got = pread_all(c->fd_index, buf, (size_t)k * VT_RECORD_LENGTH, (off_t)(start * VT_RECORD_LENGTH));
        if (got != (ssize_t)(k * VT_RECORD_LENGTH)) {
            fail(err, "cartridge object %lld is damaged: the index file ends early", (long long)(start + (got > 0 ? got / 32 : 0)));
            return -1;
        }
        for (int64_t j = 0; j < k; j++) {
            int64_t id = start + j;
            const unsigned char *b = buf + j * VT_RECORD_LENGTH;
            if (get32(b + 28) != tk_crc32c(0, b, 28)) {
                fail(err, "Cartridge object %lld is damaged: its record checksum does not match (index record field recordCrc)", (long long)id);
                return -1;
            }
            if (b[0] != 1 && b[0] != 2) {
                fail(err, "Cartridge object %lld is damaged: its kind is %u (index record field kind)", (long long)id, b[0]);
                return -1;
            }
            if (b[1] & ~1) {
                fail(err, "Cartridge object %lld is damaged: unknown flags (index record field flags)", (long long)id);
                return -1;
            }
            vt_record r = { b[0] == 2, b[1] & 1, get32(b + 4), (int64_t)get64(b + 8), (int64_t)get64(b + 16), get32(b + 24) };
            if ((r.filemark && r.length != 0) || (!r.filemark && r.length == 0)) {
                fail(err, "Cartridge object %lld is damaged: its length %u does not suit its kind (index record field length)", (long long)id, r.length);
                return -1;
            }
            if (r.tape_offset != tape) {
                fail(err, "Cartridge object %lld is damaged: its tape offset is %lld, expected %lld (index record field tapeOffset)", (long long)id, (long long)r.tape_offset, (long long)tape);
                return -1;
            }
            if (r.data_offset != data) {
                fail(err, "Cartridge object %lld is damaged: its data offset is %lld, expected %lld (index record field dataOffset)", (long long)id, (long long)r.data_offset, (long long)data);
                return -1;
            }
            if (r.synthetic != (c->header.synthetic && !r.filemark)) {
                fail(err, "Cartridge object %lld is damaged: its synthetic flag does not match the cartridge's (index record field flags)", (long long)id);
                return -1;
            }
            if (r.filemark) {
                if (grow((void **)&c->fm, &c->fm_cap, c->fm_count + 1, sizeof(int64_t)) != 0)
                    return -1;
                c->fm[c->fm_count++] = id;
                tape += c->header.footprint;
            } else {
                tape += r.length;
                if (!r.synthetic)
                    data += r.length;
            }
            c->rec[c->count++] = r;
        }
    }
    if (tape != c->commit.tape_length || data != c->commit.data_length || c->fm_count != c->commit.filemarks) {
        fail(err, "Cartridge %s is damaged: the objects add up to %lld tape bytes, %lld data bytes and %lld filemarks, but the commit says %lld, %lld and %lld",
             c->dir, (long long)tape, (long long)data, (long long)c->fm_count, (long long)c->commit.tape_length,
             (long long)c->commit.data_length, (long long)c->commit.filemarks);
        return -1;
    }
    c->tape_length = tape;
    c->data_length = data;
    return 0;
}

int vt_open(const char *dir, int durability_full, vt_cart **out, char *err)
{
    *out = NULL;
    vt_cart *c = calloc(1, sizeof *c);
    if (!c) {
        errno = ENOMEM;
        return -1;
    }
    snprintf(c->dir, sizeof c->dir, "%s", dir);
    c->fd_header = c->fd_index = c->fd_data = c->fd_lock = -1;
    c->durability_full = durability_full;
    struct stat st;
    int saved;
    if (stat(dir, &st) != 0) {
        fail(err, "%s: %s", dir, strerror(errno));
        goto bad;
    }
    c->dev = st.st_dev;
    c->ino = st.st_ino;
    c->fd_header = open_in(dir, "header", O_RDWR);
    if (c->fd_header < 0) {
        fail(err, "%s is not a virtual cartridge: it has no header file", dir);
        goto bad;
    }
    c->fd_lock = open_in(dir, "lock", O_RDWR | O_CREAT);
    if (c->fd_lock < 0) {
        fail(err, "cannot open the lock of %s: %s", dir, strerror(errno));
        goto bad;
    }
    if (flock(c->fd_lock, LOCK_EX | LOCK_NB) != 0) {
        fail(err, "the cartridge %s is in use by another drive or process", dir);
        errno = EBUSY;
        goto bad;
    }
    c->fd_index = open_in(dir, "index", O_RDWR);
    c->fd_data = open_in(dir, "data", O_RDWR);
    if (c->fd_index < 0 || c->fd_data < 0) {
        fail(err, "cannot open the index or data file of %s: %s", dir, strerror(errno));
        goto bad;
    }
    unsigned char *block = malloc(VT_HEADER_LENGTH);
    if (!block) {
        errno = ENOMEM;
        goto bad;
    }
    ssize_t n = pread_all(c->fd_header, block, VT_HEADER_LENGTH, 0);
    if (n != VT_HEADER_LENGTH) {
        fail(err, "Cartridge %s: the header file has %zd bytes, not 12288", dir, n);
        free(block);
        errno = EIO;
        goto bad;
    }
    if (header_parse(block, &c->header, err) != 0) {
        free(block);
        errno = EIO;
        goto bad;
    }
    c->tab_on_disk = c->header.write_protected;
    vt_commit a, b;
    int va = commit_parse(block + 4096, &a) && (a.sequence & 1) == 1;
    int vb = commit_parse(block + 8192, &b) && (b.sequence & 1) == 0;
    free(block);
    if (!va && !vb) {
        fail(err, "Cartridge %s is damaged: neither commit slot is valid", dir);
        errno = EIO;
        goto bad;
    }
    c->commit = va && (!vb || a.sequence > b.sequence) ? a : b;
    struct stat si, sd;
    if (fstat(c->fd_index, &si) != 0 || fstat(c->fd_data, &sd) != 0)
        goto bad;
    if (si.st_size < c->commit.objects * VT_RECORD_LENGTH || sd.st_size < c->commit.data_length) {
        fail(err, "Cartridge %s is damaged: the commit covers %lld objects and %lld data bytes, but the index has %lld records and data %lld bytes",
             dir, (long long)c->commit.objects, (long long)c->commit.data_length, (long long)(si.st_size / 32), (long long)sd.st_size);
        errno = EIO;
        goto bad;
    }
    if (c->commit.objects > VT_MAX_OBJECTS) {
        fail(err, "Cartridge %s has more than 2^31 - 1 objects", dir);
        errno = EIO;
        goto bad;
    }
    if (si.st_size > c->commit.objects * VT_RECORD_LENGTH && ftruncate(c->fd_index, c->commit.objects * VT_RECORD_LENGTH) != 0)
        goto bad;
    if (sd.st_size > c->commit.data_length && ftruncate(c->fd_data, c->commit.data_length) != 0)
        goto bad;
    if (load_records(c, err) != 0) {
        if (errno != ENOMEM)
            errno = EIO;
        goto bad;
    }
    *out = c;
    return 0;
bad:
    saved = errno;
    vt_close(c);
    errno = saved;
    return -1;
}

void vt_close(vt_cart *c)
{
    if (!c)
        return;
    sys_close(c->fd_header);
    sys_close(c->fd_index);
    sys_close(c->fd_data);
    sys_close(c->fd_lock);
    free(c->rec);
    free(c->fm);
    free(c);
}

int64_t vt_filemarks_before(const vt_cart *c, int64_t id)
{
    int64_t lo = 0, hi = c->fm_count;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (c->fm[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int64_t vt_tape_offset(const vt_cart *c, int64_t id)
{
    return id >= c->count ? c->tape_length : c->rec[id].tape_offset;
}

int vt_has_uncommitted(const vt_cart *c)
{
    return c->count != c->commit.objects || c->data_length != c->commit.data_length;
}

static int write_commit(vt_cart *c, vt_commit commit)
{
    unsigned char slot[64];
    commit_write(&commit, slot);
    if (pwrite_all(c->fd_header, slot, 64, (commit.sequence & 1) ? 4096 : 8192) != 0)
        return -1;
    if (c->durability_full && fdatasync(c->fd_header) != 0)
        return -1;
    c->commit = commit;
    return 0;
}

int vt_truncate(vt_cart *c, int64_t p)
{
    if (p >= c->count)
        return 0;
    int64_t data_offset = c->rec[p].data_offset, tape_offset = c->rec[p].tape_offset;
    int64_t fm = vt_filemarks_before(c, p);
    if (p < c->commit.objects) {
        vt_commit k = { c->commit.sequence + 1, p, data_offset, tape_offset, fm };
        if (write_commit(c, k) != 0)
            return -1;
    }
    c->count = p;
    c->fm_count = fm;
    c->data_length = data_offset;
    c->tape_length = tape_offset;
    if (ftruncate(c->fd_index, p * VT_RECORD_LENGTH) != 0 || ftruncate(c->fd_data, data_offset) != 0)
        return -1;
    return 0;
}

static int append_record(vt_cart *c, const vt_record *r)
{
    if (grow((void **)&c->rec, &c->cap, c->count + 1, sizeof(vt_record)) != 0)
        return -1;
    unsigned char b[32];
    record_write(r, b);
    if (pwrite_all(c->fd_index, b, 32, (off_t)(c->count * VT_RECORD_LENGTH)) != 0)
        return -1;
    c->rec[c->count++] = *r;
    return 0;
}

int vt_append_block(vt_cart *c, const void *data, uint32_t length)
{
    int synthetic = c->header.synthetic;
    uint32_t crc = 0;
    if (!synthetic) {
        crc = tk_crc32c(0, data, length);
        if (pwrite_all(c->fd_data, data, length, c->data_length) != 0)
            return -1;
    }
    vt_record r = { 0, (uint8_t)synthetic, length, c->tape_length, c->data_length, crc };
    if (append_record(c, &r) != 0)
        return -1;
    if (!synthetic)
        c->data_length += length;
    c->tape_length += length;
    return 0;
}

int vt_append_filemark(vt_cart *c)
{
    if (grow((void **)&c->fm, &c->fm_cap, c->fm_count + 1, sizeof(int64_t)) != 0)
        return -1;
    vt_record r = { 1, 0, 0, c->tape_length, c->data_length, 0 };
    if (append_record(c, &r) != 0)
        return -1;
    c->fm[c->fm_count++] = c->count - 1;
    c->tape_length += c->header.footprint;
    return 0;
}

int vt_sync(vt_cart *c)
{
    if (!vt_has_uncommitted(c))
        return 0;
    if (c->durability_full && (fdatasync(c->fd_data) != 0 || fdatasync(c->fd_index) != 0))
        return -1;
    vt_commit k = { c->commit.sequence + 1, c->count, c->data_length, c->tape_length, c->fm_count };
    return write_commit(c, k);
}

int vt_drop_uncommitted(vt_cart *c)
{
    int64_t keep = c->commit.objects;
    if (keep < c->count) {
        c->fm_count = vt_filemarks_before(c, keep);
        c->count = keep;
    }
    c->data_length = c->commit.data_length;
    c->tape_length = c->commit.tape_length;
    if (ftruncate(c->fd_index, keep * VT_RECORD_LENGTH) != 0 || ftruncate(c->fd_data, c->data_length) != 0)
        return -1;
    return 0;
}

uint64_t vt_splitmix_hash(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ULL;
    uint64_t z = x;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

void vt_splitmix_fill(uint64_t seed, int64_t id, unsigned char *dest, uint32_t length)
{
    uint64_t state = seed ^ ((uint64_t)id * 0x9E3779B97F4A7C15ULL);
    while (length > 0) {
        uint64_t v = vt_splitmix_hash(state);
        state += 0x9E3779B97F4A7C15ULL;
        uint32_t n = length < 8 ? length : 8;
        memcpy(dest, &v, n);
        dest += n;
        length -= n;
    }
}

int vt_read_payload(vt_cart *c, int64_t id, void *dest)
{
    const vt_record *r = &c->rec[id];
    if (r->synthetic) {
        vt_splitmix_fill(c->header.seed, id, dest, r->length);
        return 1;
    }
    if (pread_all(c->fd_data, dest, r->length, r->data_offset) != (ssize_t)r->length)
        return 0;
    return tk_crc32c(0, dest, r->length) == r->crc;
}

int vt_set_tab(vt_cart *c, int on)
{
    unsigned char block[4096];
    vt_header h = c->header;
    h.write_protected = on;
    header_write(&h, block);
    if (pwrite_all(c->fd_header, block, 4096, 0) != 0)
        return -1;
    if (c->durability_full && fdatasync(c->fd_header) != 0)
        return -1;
    c->tab_on_disk = on;
    return 0;
}

void vt_dump_canonical(const vt_cart *c, FILE *out)
{
    for (int64_t i = 0; i < c->count; i++) {
        const vt_record *r = &c->rec[i];
        fprintf(out, "%lld %s %u %lld %08x\n", (long long)i, r->filemark ? "filemark" : "data", r->length, (long long)r->tape_offset, r->crc);
    }
    fprintf(out, "commit sequence=%llu objects=%lld data=%lld tape=%lld filemarks=%lld\n", (unsigned long long)c->commit.sequence,
            (long long)c->commit.objects, (long long)c->commit.data_length, (long long)c->commit.tape_length, (long long)c->commit.filemarks);
}

int vt_verify_payloads(vt_cart *c, FILE *out)
{
    int problems = 0;
    unsigned char *buf = NULL;
    uint32_t size = 0;
    for (int64_t i = 0; i < c->count; i++) {
        const vt_record *r = &c->rec[i];
        if (r->filemark || r->synthetic)
            continue;
        if (r->length > size) {
            unsigned char *nb = realloc(buf, r->length);
            if (!nb) {
                fprintf(out, "out of memory reading object %lld\n", (long long)i);
                problems++;
                break;
            }
            buf = nb;
            size = r->length;
        }
        if (!vt_read_payload(c, i, buf)) {
            fprintf(out, "object %lld: the payload CRC does not match (a media error on read)\n", (long long)i);
            problems++;
        }
    }
    free(buf);
    return problems;
}
