/*
** fuzz_manifest.c -- libFuzzer target for everything an update reads from
** outside before it trusts it: the bundle header, the manifest, versions,
** the update record, and the fetch's URL, HTTP response head and chunked
** decoder (src/core/update_manifest.c, update_fetch.c), plus the signature
** check on garbage (update_sig.c, mbedTLS's DER and ECDSA code).
**
** Input: byte 0 picks the parser (mod 7), the rest is its input. Beyond
** memory safety (ASan/UBSan) the target aborts when:
**   - a manifest parses but is not its own canonical form: written back
**     from the parsed fields it must be byte for byte the input (one
**     spelling per manifest, so two parsers cannot read it differently);
**     or the file walk disagrees with the counts (files, total, binary),
**     or a walked path fails nd_upd_path_ok or is not in strict order;
**   - a version parses but prints back differently, or compares unequal
**     to itself;
**   - a record written back and read again differs from the first read;
**   - a header parses outside its documented bounds;
**   - the chunked decoder gives different body bytes, or a different end,
**     fed whole or in pieces of the sizes the input's first byte picks;
**   - a response head parses to a status outside 100..999, or with both a
**     length and chunked;
**   - a URL parses to an empty host, a port outside 1..65535 or a path not
**     starting with '/';
**   - nd_upd_verify accepts a random signature.
** Seed corpus: tests/fuzz/corpus/manifest/.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "update_fetch.h"
#include "update_manifest.h"
#include "update_sig.h"

static void check(int ok)
{
    if (!ok) abort();
}

static void hex(const uint8_t *p, char out[65])
{
    for (int i = 0; i < 32; i++) snprintf(out + 2 * i, 3, "%02x", p[i]);
}

static void fuzz_manifest(const char *t, size_t n)
{
    nd_upd_manifest m;
    char err[256];
    if (nd_upd_manifest_parse(t, n, &m, err, sizeof err) != ND_OK) {
        check(err[0] != 0);
        return;
    }
    static char back[ND_UPD_MANIFEST_MAX * 2];
    size_t k = (size_t)snprintf(back, sizeof back, "nodus-bundle 1\nname %s\nversion %s\narch %s\nboard %s\n",
                                m.name, m.version, m.arch, m.board);
    size_t cur = 0;
    nd_upd_file f;
    int count = 0;
    uint64_t total = 0;
    bool binary = false;
    char prev[ND_UPD_PATH_MAX] = "";
    while (nd_upd_manifest_next(&m, &cur, &f)) {
        check(nd_upd_path_ok(f.path, strlen(f.path)));
        check(!prev[0] || strcmp(prev, f.path) < 0);
        check(f.binary == !strcmp(f.path, ND_UPD_BINARY));
        snprintf(prev, sizeof prev, "%s", f.path);
        char h[65];
        hex(f.sha, h);
        k += (size_t)snprintf(back + k, sizeof back - k, "file %s %llu %s\n", f.path,
                              (unsigned long long)f.size, h);
        count++;
        total += f.size;
        binary |= f.binary;
        check(k < sizeof back);
    }
    check(count == m.nfiles && total == m.total && binary == m.has_binary);
    check(k == n && memcmp(back, t, n) == 0);
    nd_upd_ver v;
    check(nd_upd_ver_parse(m.version, strlen(m.version), &v) == ND_OK && nd_upd_ver_cmp(&v, &m.ver) == 0);
}

static void fuzz_version(const char *t, size_t n)
{
    nd_upd_ver v;
    if (nd_upd_ver_parse(t, n, &v) != ND_OK) return;
    char back[64];
    int k = snprintf(back, sizeof back, "%u.%u.%u-%u", v.v[0], v.v[1], v.v[2], v.v[3]);
    check((size_t)k == n && memcmp(back, t, n) == 0);
    check(nd_upd_ver_cmp(&v, &v) == 0);
}

static void fuzz_record(const char *t, size_t n)
{
    nd_upd_record a, b;
    nd_upd_record_parse(t, n, &a);
    char buf[ND_REC_TEXT_MAX];
    size_t k = nd_upd_record_format(&a, buf, sizeof buf);
    check(k < sizeof buf);
    check(nd_upd_record_parse(buf, k, &b) == ND_OK);
    /* the error line loses nothing but its line breaks, which format removed */
    check(a.seq == b.seq && a.state == b.state && a.slot == b.slot && a.prev == b.prev &&
          a.starts == b.starts && a.since_ms == b.since_ms && a.deadline_s == b.deadline_s &&
          a.reported == b.reported && !strcmp(a.version, b.version) &&
          !strcmp(a.prev_version, b.prev_version) && !strcmp(a.base, b.base));
}

static void fuzz_head(const uint8_t *p, size_t n)
{
    nd_upd_head h;
    char err[160];
    if (nd_upd_head_parse(p, n, &h, err, sizeof err) != ND_OK) return;
    check(h.mlen >= 1 && h.mlen <= ND_UPD_MANIFEST_MAX);
    check(h.slen >= ND_UPD_SIG_MIN && h.slen <= ND_UPD_SIG_MAX);
    /* the rest: a manifest and a signature nobody signed */
    size_t rest = n - ND_UPD_HEAD;
    static const char pub[] = "-----BEGIN PUBLIC KEY-----\n"
                              "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEwINwH6c1HKt+wDMj1bX4nqHsvSXK\n"
                              "QjLqVNMj45GOrDO1teobWakfTIrsknofO3nNYTHEjD/icvy6L/Uij36WtQ==\n"
                              "-----END PUBLIC KEY-----\n";
    if (rest >= h.mlen + (size_t)h.slen) {
        static const uint8_t id[8] = {0xc1, 0xd1, 0xc6, 0x7b, 0x60, 0xaf, 0xc6, 0xc3};
        memcpy(h.keyid, id, 8); /* always the trusted key: reach the ECDSA code */
        check(nd_upd_verify(pub, sizeof pub - 1, &h, p + ND_UPD_HEAD, h.mlen, p + ND_UPD_HEAD + h.mlen,
                            err, sizeof err) != ND_OK);
    }
}

typedef struct {
    uint8_t out[4096];
    size_t n;
} sink;

static int to_sink(void *ud, const void *p, size_t n)
{
    sink *s = ud;
    size_t k = n < sizeof s->out - s->n ? n : sizeof s->out - s->n;
    memcpy(s->out + s->n, p, k);
    s->n += k;
    return 0;
}

/* Decode in pieces of step bytes (0: whole). Returns the bytes consumed, or -1. */
static long chunked(const char *t, size_t n, size_t step, sink *s, bool *done)
{
    nd_chunked c;
    nd_chunked_init(&c);
    char err[96];
    size_t used = 0;
    while (used < n && !c.done) {
        size_t k = step && n - used > step ? step : n - used;
        long r = nd_chunked_feed(&c, t + used, k, to_sink, s, err, sizeof err);
        if (r < 0) return -1;
        check((size_t)r <= k);
        used += (size_t)r;
        if ((size_t)r < k) check(c.done);
    }
    *done = c.done;
    return (long)used;
}

static void fuzz_http(const char *t, size_t n)
{
    nd_http_resp r;
    char err[160];
    size_t hl = nd_http_head_len(t, n);
    if (hl && nd_http_resp_parse(t, hl, &r, err, sizeof err) == ND_OK) {
        check(r.status >= 100 && r.status <= 999);
        check(!(r.chunked && r.has_length));
    }
    if (!n) return;
    static sink a, b;
    a.n = b.n = 0;
    bool da, db;
    size_t step = 1 + (unsigned char)t[0] % 17;
    long ra = chunked(t + 1, n - 1, 0, &a, &da), rb = chunked(t + 1, n - 1, step, &b, &db);
    check((ra < 0) == (rb < 0));
    if (ra >= 0) check(ra == rb && da == db && a.n == b.n && !memcmp(a.out, b.out, a.n));
}

static void fuzz_url(const char *t, size_t n)
{
    char s[ND_FETCH_URL_MAX + 8];
    if (n >= sizeof s) n = sizeof s - 1;
    memcpy(s, t, n);
    s[n] = 0;
    nd_url u;
    char err[160];
    if (nd_url_parse(s, &u, err, sizeof err) != ND_OK) return;
    check(u.host[0] && u.port >= 1 && u.port <= 65535 && u.path[0] == '/');
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (size < 1) return 0;
    const char *t = (const char *)data + 1;
    size_t n = size - 1;
    switch (data[0] % 7) {
    case 0: fuzz_manifest(t, n); break;
    case 1: fuzz_version(t, n); break;
    case 2: fuzz_record(t, n); break;
    case 3: fuzz_head(data + 1, n); break;
    case 4: fuzz_http(t, n); break;
    case 5: fuzz_url(t, n); break;
    default: { /* a whole bundle's front: header, then its manifest */
        nd_upd_head h;
        char err[160];
        if (nd_upd_head_parse(data + 1, n, &h, err, sizeof err) == ND_OK && n - ND_UPD_HEAD >= h.mlen)
            fuzz_manifest(t + ND_UPD_HEAD, h.mlen);
        break;
    }
    }
    return 0;
}
