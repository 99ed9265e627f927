/*
** update_sig.c -- SHA-256 and ECDSA P-256 signature checks (update_sig.h).
**
** mbedTLS 2.28 (Debian 12) and 3.x (current firmware SDKs) differ in the
** SHA-256 call names; the two macros below are the only difference.
*/
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mbedtls/ecp.h"
#include "mbedtls/pk.h"
#include "mbedtls/version.h"
#include "nodus/value.h"
#include "update_sig.h"

#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#define SHA_START(c) mbedtls_sha256_starts(c, 0)
#define SHA_UPDATE(c, p, n) mbedtls_sha256_update(c, p, n)
#define SHA_FINISH(c, o) mbedtls_sha256_finish(c, o)
#define EC_GROUP(pk) (mbedtls_pk_ec(pk)->MBEDTLS_PRIVATE(grp).id)
#else
#define SHA_START(c) mbedtls_sha256_starts_ret(c, 0)
#define SHA_UPDATE(c, p, n) mbedtls_sha256_update_ret(c, p, n)
#define SHA_FINISH(c, o) mbedtls_sha256_finish_ret(c, o)
#define EC_GROUP(pk) (mbedtls_pk_ec(pk)->grp.id)
#endif

void nd_sha256_begin(nd_sha256 *s)
{
    mbedtls_sha256_init(&s->c);
    SHA_START(&s->c);
}

void nd_sha256_add(nd_sha256 *s, const void *p, size_t n)
{
    if (n) SHA_UPDATE(&s->c, p, n);
}

void nd_sha256_end(nd_sha256 *s, uint8_t out[32])
{
    SHA_FINISH(&s->c, out);
    mbedtls_sha256_free(&s->c);
}

void nd_sha256_of(const void *p, size_t n, uint8_t out[32])
{
    nd_sha256 s;
    nd_sha256_begin(&s);
    nd_sha256_add(&s, p, n);
    nd_sha256_end(&s, out);
}

static int fail(char *err, size_t errn, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (err && errn) vsnprintf(err, errn, fmt, ap);
    va_end(ap);
    return ND_EINVAL;
}

void nd_upd_keyid_hex(const uint8_t id[8], char out[17])
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 8; i++) {
        out[2 * i] = hex[id[i] >> 4];
        out[2 * i + 1] = hex[id[i] & 15];
    }
    out[16] = 0;
}

/* Parse one PEM public key (copied to add the NUL mbedTLS wants) and check
** it is EC on P-256: the only curve a bundle is signed with. */
static int load_key(mbedtls_pk_context *pk, const char *pem, size_t n, char *err, size_t errn)
{
    static char buf[2048]; /* a P-256 public key PEM is ~180 bytes */
    if (n >= sizeof buf) return fail(err, errn, "key too long for a P-256 public key");
    memcpy(buf, pem, n);
    buf[n] = 0;
    mbedtls_pk_init(pk);
    if (mbedtls_pk_parse_public_key(pk, (const unsigned char *)buf, n + 1) != 0) {
        mbedtls_pk_free(pk);
        return fail(err, errn, "not a PEM public key");
    }
    if (!mbedtls_pk_can_do(pk, MBEDTLS_PK_ECDSA) ||
        EC_GROUP(*pk) != MBEDTLS_ECP_DP_SECP256R1) {
        mbedtls_pk_free(pk);
        return fail(err, errn, "not an EC P-256 (prime256v1) public key");
    }
    return ND_OK;
}

static int key_id(mbedtls_pk_context *pk, uint8_t id[8])
{
    unsigned char der[256];
    int k = mbedtls_pk_write_pubkey_der(pk, der, sizeof der);
    if (k <= 0) return ND_EINVAL;
    uint8_t h[32];
    nd_sha256_of(der + sizeof der - (size_t)k, (size_t)k, h); /* mbedTLS writes at the end */
    memcpy(id, h, 8);
    return ND_OK;
}

int nd_upd_keyid(const char *pem, size_t n, uint8_t id[8], char *err, size_t errn)
{
    mbedtls_pk_context pk;
    if (load_key(&pk, pem, n, err, errn) != ND_OK) return ND_EINVAL;
    int rc = key_id(&pk, id);
    mbedtls_pk_free(&pk);
    return rc == ND_OK ? ND_OK : fail(err, errn, "cannot encode the key");
}

/* The next "-----BEGIN PUBLIC KEY-----" ... "-----END PUBLIC KEY-----"
** block at or after *off; false when there is none. */
static bool next_block(const char *t, size_t n, size_t *off, const char **blk, size_t *bn)
{
    static const char b[] = "-----BEGIN PUBLIC KEY-----", e[] = "-----END PUBLIC KEY-----";
    for (size_t i = *off; i + sizeof b - 1 <= n; i++) {
        if (memcmp(t + i, b, sizeof b - 1) != 0) continue;
        for (size_t j = i + sizeof b - 1; j + sizeof e - 1 <= n; j++) {
            if (memcmp(t + j, e, sizeof e - 1) != 0) continue;
            *blk = t + i;
            *bn = j + sizeof e - 1 - i;
            *off = j + sizeof e - 1;
            return true;
        }
        return false; /* a BEGIN without its END */
    }
    return false;
}

int nd_upd_verify(const char *keys, size_t keysn, const nd_upd_head *h, const uint8_t *manifest,
                  size_t mlen, const uint8_t *sig, char *err, size_t errn)
{
    char want[17], have[ND_UPD_KEYS_MAX * 18 + 1] = "";
    nd_upd_keyid_hex(h->keyid, want);
    size_t off = 0, bn;
    const char *blk;
    int nkeys = 0;
    while (next_block(keys, keysn, &off, &blk, &bn)) {
        if (++nkeys > ND_UPD_KEYS_MAX)
            return fail(err, errn, "config/update.pub holds more than %d keys", ND_UPD_KEYS_MAX);
        mbedtls_pk_context pk;
        char why[96];
        if (load_key(&pk, blk, bn, why, sizeof why) != ND_OK)
            return fail(err, errn, "config/update.pub key %d: %s", nkeys, why);
        uint8_t id[8];
        char idhex[17];
        if (key_id(&pk, id) != ND_OK) {
            mbedtls_pk_free(&pk);
            return fail(err, errn, "config/update.pub key %d: cannot encode it", nkeys);
        }
        nd_upd_keyid_hex(id, idhex);
        size_t hn = strlen(have);
        snprintf(have + hn, sizeof have - hn, "%s%s", hn ? ", " : "", idhex);
        if (memcmp(id, h->keyid, 8) != 0) {
            mbedtls_pk_free(&pk);
            continue;
        }
        uint8_t digest[32];
        nd_sha256_of(manifest, mlen, digest);
        int rc = mbedtls_pk_verify(&pk, MBEDTLS_MD_SHA256, digest, sizeof digest, sig, h->slen);
        mbedtls_pk_free(&pk);
        if (rc != 0)
            return fail(err, errn,
                        "bad signature: the manifest and its signature do not match key %s "
                        "(changed after signing, or not signed by that key)",
                        want);
        return ND_OK;
    }
    if (nkeys == 0)
        return fail(err, errn,
                    "no trusted update key: put the release public key (nodus release --genkey) "
                    "in config/update.pub");
    return fail(err, errn, "signed by key %s, which this node does not trust (config/update.pub: %s)",
                want, have);
}
