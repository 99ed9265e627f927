/*
** update_sig.h -- SHA-256 and the bundle signature check (ECDSA P-256
** over SHA-256), on mbedTLS: the library Debian ships and the firmware
** SDKs (ESP-IDF, Zephyr, Pico SDK) carry too, so a board port links the
** same verify step. mbedTLS is portable C with no OS dependency, which is
** why the core may include it (tests/check_core_purity.sh allows it).
*/
#ifndef ND_UPDATE_SIG_H
#define ND_UPDATE_SIG_H

#include <stddef.h>
#include <stdint.h>

#include "mbedtls/sha256.h"
#include "update_manifest.h"

typedef struct nd_sha256 {
    mbedtls_sha256_context c;
} nd_sha256;
void nd_sha256_begin(nd_sha256 *s);
void nd_sha256_add(nd_sha256 *s, const void *p, size_t n);
void nd_sha256_end(nd_sha256 *s, uint8_t out[32]); /* and releases s */
void nd_sha256_of(const void *p, size_t n, uint8_t out[32]);

#include "nodus/opts.h" /* the limits; a port may override them */

/* The key id of one public key in PEM: the first 8 bytes of SHA-256 of
** its DER SubjectPublicKeyInfo. ND_EINVAL (err says why) when pem is not
** an EC P-256 public key. pem needs no NUL terminator. */
int nd_upd_keyid(const char *pem, size_t n, uint8_t id[8], char *err, size_t errn);
/* Hex of a key id, 16 characters + NUL. */
void nd_upd_keyid_hex(const uint8_t id[8], char out[17]);

/* Is the manifest signed by one of the public keys in keys (PEM blocks,
** concatenated, as config/update.pub holds them)? The header's key id picks
** the key. ND_OK, or ND_EINVAL with err telling apart: no key trusted, a
** bad key file, a bundle signed by a key this node does not trust, and a
** signature that does not match (tampered manifest or signature). */
int nd_upd_verify(const char *keys, size_t keysn, const nd_upd_head *h, const uint8_t *manifest,
                  size_t mlen, const uint8_t *sig, char *err, size_t errn);

#endif
