/*
 * tapekit_vtape: virtual cartridges from the command line (spec/tape-devices.md §4.8, §8.5).
 *
 *   tapekit_vtape create PATH --vsn V [--media LTO-9] [--capacity N] [--ew-distance N]
 *                        [--footprint N] [--synthetic-seed S] [--write-protect]
 *   tapekit_vtape dump [--canonical] PATH
 *   tapekit_vtape verify PATH
 *
 * Exit codes follow the tapekit contract: 0 ok, 2 usage, 3 damaged cartridge, 5 I/O error.
 */
#include "vtape_format.h"

#include <ctype.h>
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

static int usage(void)
{
    fprintf(stderr, "usage: tapekit_vtape create PATH --vsn V [--media P] [--capacity N] [--ew-distance N] [--footprint N] [--synthetic-seed S] [--write-protect]\n"
                    "       tapekit_vtape dump [--canonical] PATH\n"
                    "       tapekit_vtape verify PATH\n");
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
    return usage();
}
