/* CRC32C (Castagnoli, reflected 0x82F63B78), slicing-by-8 (spec/tape-devices.md §4.8). */
#ifndef TAPEKIT_CRC32C_H
#define TAPEKIT_CRC32C_H
#include <stddef.h>
#include <stdint.h>

/* CRC32C of data, continuing from crc (0 for a fresh computation): init and final XOR 0xFFFFFFFF. */
uint32_t tk_crc32c(uint32_t crc, const void *data, size_t length);

#endif
