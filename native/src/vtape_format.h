/*
 * The virtual-cartridge format v1.0 (spec/tape-devices.md §4), byte for byte as the managed
 * implementation (src/TapeKit/Devices/Virtual/Format/) writes it: operations A (append),
 * T (truncate), C (commit), R (recovery at load) and P (power loss).
 * Little-endian hosts only (x86_64, aarch64), as the emulation's scope says (§8.1).
 */
#ifndef TAPEKIT_VTAPE_FORMAT_H
#define TAPEKIT_VTAPE_FORMAT_H
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define VT_HEADER_LENGTH 12288
#define VT_RECORD_LENGTH 32
#define VT_MAX_OBJECTS 2147483647LL

typedef struct {
    uint16_t minor;
    int write_protected;
    int synthetic;
    char vsn[17];
    char profile[17];
    uint8_t density;
    uint32_t footprint;
    uint64_t capacity;
    uint64_t ew_distance;
    uint64_t seed;
} vt_header;

typedef struct {
    uint64_t sequence;
    int64_t objects, data_length, tape_length, filemarks;
} vt_commit;

typedef struct {
    uint8_t filemark, synthetic;
    uint32_t length;
    int64_t tape_offset, data_offset;
    uint32_t crc;
} vt_record;

typedef struct {
    char dir[4096];
    int fd_header, fd_index, fd_data, fd_lock;
    dev_t dev;
    ino_t ino;
    int durability_full;
    int tab_on_disk;
    vt_header header;
    vt_commit commit;
    vt_record *rec;
    int64_t count, cap;
    int64_t *fm;
    int64_t fm_count, fm_cap;
    int64_t data_length, tape_length;
} vt_cart;

/* Results: 0 on success, or -1 with errno set and a message in err (size 512). */
int vt_create(const char *dir, const vt_header *h, char *err);
int vt_open(const char *dir, int durability_full, vt_cart **out, char *err);
void vt_close(vt_cart *c);

int vt_truncate(vt_cart *c, int64_t p);
int vt_append_block(vt_cart *c, const void *data, uint32_t length);
int vt_append_filemark(vt_cart *c);
int vt_sync(vt_cart *c);
int vt_drop_uncommitted(vt_cart *c);
int vt_has_uncommitted(const vt_cart *c);
/* 1 = payload good, 0 = CRC mismatch or short data (a media error). */
int vt_read_payload(vt_cart *c, int64_t id, void *dest);
int64_t vt_filemarks_before(const vt_cart *c, int64_t id);
int64_t vt_tape_offset(const vt_cart *c, int64_t id);
int vt_set_tab(vt_cart *c, int on);

/* The canonical dump of §4.8. */
void vt_dump_canonical(const vt_cart *c, FILE *out);
/* Full verification including payload CRCs; prints problems, returns their number. */
int vt_verify_payloads(vt_cart *c, FILE *out);

void vt_splitmix_fill(uint64_t seed, int64_t id, unsigned char *dest, uint32_t length);
uint64_t vt_splitmix_hash(uint64_t x);
int vt_valid_vsn(const char *vsn);

#endif
