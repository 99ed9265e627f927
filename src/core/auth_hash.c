/*
** auth_hash.c -- PBKDF2-HMAC-SHA256 and the verifier record (auth_hash.h).
**
** HMAC is built on the SHA-256 the update verifier already links
** (update_sig.c), so checking a password brings in no new crypto code. The
** inner and outer hash states after the padded key are computed once and
** copied for each iteration: two compressions per iteration, not four.
*/
#include "auth_hash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nodus/value.h"
#include "update_sig.h"

typedef struct {
    nd_sha256 in, out; /* states after the ipad / opad block */
} hmac_key;

static void hmac_init(hmac_key *h, const void *key, size_t n)
{
    uint8_t k[64] = {0}, pad[64];
    if (n > 64) nd_sha256_of(key, n, k);
    else memcpy(k, key, n);
    for (int i = 0; i < 64; i++) pad[i] = k[i] ^ 0x36;
    nd_sha256_begin(&h->in);
    nd_sha256_add(&h->in, pad, 64);
    for (int i = 0; i < 64; i++) pad[i] = k[i] ^ 0x5c;
    nd_sha256_begin(&h->out);
    nd_sha256_add(&h->out, pad, 64);
    memset(k, 0, sizeof k);
}

/* HMAC(key, a || b): the key's states are copied, never consumed. */
static void hmac(const hmac_key *h, const void *a, size_t an, const void *b, size_t bn,
                 uint8_t out[32])
{
    nd_sha256 s = h->in; /* plain data: a copy is a clone */
    nd_sha256_add(&s, a, an);
    nd_sha256_add(&s, b, bn); /* it skips an empty part */
    uint8_t inner[32];
    nd_sha256_end(&s, inner);
    s = h->out;
    nd_sha256_add(&s, inner, 32);
    nd_sha256_end(&s, out);
}

static void hmac_free(hmac_key *h)
{
    uint8_t dummy[32];
    nd_sha256_end(&h->in, dummy);
    nd_sha256_end(&h->out, dummy);
}

void nd_pbkdf2_sha256(const void *pw, size_t pwn, const uint8_t *salt, size_t saltn,
                      uint32_t iter, uint8_t out[32])
{
    hmac_key h;
    hmac_init(&h, pw, pwn);
    static const uint8_t block1[4] = {0, 0, 0, 1};
    uint8_t u[32];
    memset(out, 0, 32);
    /* out = U1 ^ U2 ^ ... with U1 = HMAC(salt || block 1), U(i+1) = HMAC(U(i));
    ** U1 at least, whatever iter says */
    uint32_t i = 0;
    do {
        hmac(&h, i ? u : salt, i ? 32 : saltn, block1, i ? 0 : 4, u);
        for (int j = 0; j < 32; j++) out[j] ^= u[j];
    } while (++i < iter);
    hmac_free(&h);
}

static void hex(const uint8_t *p, size_t n, char *out)
{
    static const char d[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = d[p[i] >> 4];
        out[2 * i + 1] = d[p[i] & 15];
    }
    out[2 * n] = 0;
}

static int unhex(const char *s, size_t n, uint8_t *out)
{
    for (size_t i = 0; i < n; i++) {
        int v = 0;
        for (int k = 0; k < 2; k++) {
            char c = s[2 * i + k];
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            if (d < 0) return -1;
            v = v * 16 + d;
        }
        out[i] = (uint8_t)v;
    }
    return 0;
}

int nd_auth_hash_make(const char *pw, size_t n, const uint8_t salt[16], uint32_t iter, char *rec,
                      size_t cap)
{
    uint8_t dk[32];
    char sh[33], kh[65];
    nd_pbkdf2_sha256(pw, n, salt, 16, iter, dk);
    hex(salt, 16, sh);
    hex(dk, 32, kh);
    int k = snprintf(rec, cap, "pbkdf2-sha256$%u$%s$%s", (unsigned)iter, sh, kh);
    return k > 0 && (size_t)k < cap ? ND_OK : ND_ELIMIT;
}

bool nd_auth_hash_check(const char *rec, const char *guess, size_t n)
{
    static const char tag[] = "pbkdf2-sha256$";
    if (!rec || strncmp(rec, tag, sizeof tag - 1) != 0) return false;
    const char *p = rec + sizeof tag - 1;
    char *end;
    unsigned long iter = strtoul(p, &end, 10);
    /* a record is the node's own: bounds keep a corrupt one from costing minutes */
    if (end == p || *end != '$' || iter < 1 || iter > 1000000) return false;
    p = end + 1;
    uint8_t salt[16], want[32], got[32];
    if (strlen(p) != 32 + 1 + 64 || p[32] != '$' || unhex(p, 16, salt) || unhex(p + 33, 32, want))
        return false;
    nd_pbkdf2_sha256(guess, n, salt, 16, (uint32_t)iter, got);
    unsigned diff = 0;
    for (int i = 0; i < 32; i++) diff |= (unsigned)(got[i] ^ want[i]);
    return diff == 0;
}
