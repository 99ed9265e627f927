/*
** auth_hash.h -- the node's password as a salted hash (PBKDF2-HMAC-SHA256).
**
** Every door checks a password attempt against a verifier record, never
** against the plain text: "pbkdf2-sha256$<iterations>$<salt hex>$<key hex>"
** (16 random salt bytes, a 32-byte derived key), kept by the node in
** config/.appwd.hash (ND_AUTH_HASH_FILE). micrOS's plain `appwd` key stays
** in node_config.json because micrOS features need the plain value (the
** boothook's $pwd, the password InterCon sends to a peer); the node reads
** it only to (re)derive the verifier: at start, and when `appwd` changes.
** README "Security" tells the whole story.
*/
#ifndef ND_AUTH_HASH_H
#define ND_AUTH_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ND_AUTH_HASH_FILE "config/.appwd.hash"
#include "nodus/opts.h" /* the limits; a port may override them */
#define ND_AUTH_HASH_MAX 160   /* one record, NUL included */

/* PBKDF2-HMAC-SHA256 (RFC 8018), one 32-byte block. */
void nd_pbkdf2_sha256(const void *pw, size_t pwn, const uint8_t *salt, size_t saltn,
                      uint32_t iter, uint8_t out[32]);
/* A record for pw with the given 16-byte salt. Returns ND_OK or ND_ELIMIT. */
int nd_auth_hash_make(const char *pw, size_t n, const uint8_t salt[16], uint32_t iter,
                      char *rec, size_t cap);
/* Does guess match the record? Constant time in the guess's content; a
** malformed record matches nothing. */
bool nd_auth_hash_check(const char *rec, const char *guess, size_t n);

#endif
