/*
** cfgstore.h -- a config blob in flash that a power cut cannot lose.
**
** For ports whose storage is raw flash (the firmware ports): the node's
** config file is kept in two copies, each in its own erase unit(s):
**
**   copy A: [ header 16 bytes ][ data len bytes ][ erased ... ]
**   copy B: [ header 16 bytes ][ data len bytes ][ erased ... ]
**
**   header (little endian): seq u32 | len u32 | crc u32 | magic u32 "NDCF"
**   crc = CRC-32 (IEEE) over seq, len and the data
**
** A save goes to the copy that does NOT hold the newest valid config: erase
** it, program the data, then seq/len/crc, and the magic last. Until the
** magic's last byte is programmed that copy is invalid and the other one
** (the previous config) is what a load finds; once it is, the new one wins
** (higher seq, serial-number arithmetic). So a cut at any byte of a save
** leaves either the old or the new config, never neither.
** A load takes the valid copy with the higher seq; a copy whose magic is
** there but whose CRC fails is corrupt (the other wins; both corrupt:
** ND_EIO, the caller starts on defaults and logs it); no magic anywhere is
** an empty store (ND_ENOTFOUND: first boot).
**
** Portable: the flash is reached through nd_cfgstore_dev, so the same code
** runs in the firmware (RAM standing in for flash in QEMU) and in the host
** unit test that cuts power at every byte (tests/unit/test_cfgstore.c).
*/
#ifndef ND_CFGSTORE_H
#define ND_CFGSTORE_H

#include <stddef.h>
#include <stdint.h>

#define ND_CFGSTORE_HDR 16u
#define ND_CFGSTORE_MAGIC 0x4643444Eu /* "NDCF" in memory order */

typedef struct nd_cfgstore_dev {
    uint32_t size; /* bytes of one copy (header included) */
    void *ctx;
    /* 0 or a negative ND_E* code. prog only clears bits (NOR flash); erase
    ** sets the whole copy to 0xff. */
    int (*read)(void *ctx, int copy, uint32_t off, void *buf, uint32_t n);
    int (*erase)(void *ctx, int copy);
    int (*prog)(void *ctx, int copy, uint32_t off, const void *buf, uint32_t n);
} nd_cfgstore_dev;

/* The newest valid config into buf (cap bytes; *n gets its length, buf is
** NUL-terminated when room allows). ND_ENOTFOUND: empty store; ND_EIO: both
** copies corrupt; ND_ELIMIT: larger than cap. *seq (may be NULL) gets its
** sequence number. */
int nd_cfgstore_load(const nd_cfgstore_dev *d, void *buf, size_t cap, size_t *n, uint32_t *seq);
/* Save data as the new config (see above). ND_ELIMIT when it does not fit
** in one copy; ND_EIO when the flash failed (the old config still loads). */
int nd_cfgstore_save(const nd_cfgstore_dev *d, const void *data, size_t n);
uint32_t nd_crc32(uint32_t crc, const void *p, size_t n); /* start with 0 */

#endif
