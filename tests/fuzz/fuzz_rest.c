/*
** fuzz_rest.c -- libFuzzer target for micrOS's REST tokeniser, percent-
** decoding and file path normalisation (src/core/rest_path.c, http.c,
** safepath.c).
**
** Input: byte 0 = flags (bits 0-5: a small output capacity 1..64, bit 6:
** plus_space for nd_http_pct_decode), the rest is the payload, given to
** all three functions (to nd_http_safe_path up to its first NUL).
** Every output buffer is an exactly-sized heap block, so ASan catches a
** write past cap. Beyond memory safety the target aborts when:
**   - an output is not NUL-terminated within cap, or *outn disagrees;
**   - an error leaves output behind, or the error is not a documented one;
**   - a smaller capacity gives anything but the same result or ND_ELIMIT
**     (for safe_path: ND_ELIMIT exactly when the result does not fit);
**   - tokeniser: OK output has a NUL byte or unbalanced double quotes, or
**     differs from a plain split on '/' when the path has no '%' and '"';
**   - pct_decode: differs from a straightforward reference decoder;
**   - safe_path: OK output is not normal (leading/trailing/double '/',
**     "." or ".." segments, characters outside [A-Za-z0-9._-/]), is longer
**     than the input, or is not a fixed point of safe_path.
** Seed corpus: tests/fuzz/corpus/rest/.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "rest_path.h"
#include "safepath.h"

static void check(int ok)
{
    if (!ok) abort();
}

/* A fresh exactly-sized output buffer, poisoned so stale bytes show. */
static char *out_buf(size_t cap)
{
    char *p = malloc(cap ? cap : 1);
    if (!p) abort();
    memset(p, 'Z', cap);
    return p;
}

static void check_cstr(const char *out, size_t cap, size_t outn)
{
    check(cap > 0 && outn < cap && out[outn] == 0 && memchr(out, 0, outn) == NULL);
}

/* ---- REST tokeniser ------------------------------------------------------- */

/* For a path without '%' and '"', the tokens are the '/'-separated pieces. */
static void rest_reference(const char *p, size_t n, const char *got, size_t gotn)
{
    size_t o = 0;
    int in_tok = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '/') {
            in_tok = 0;
            continue;
        }
        if (!in_tok && o) {
            check(o < gotn && got[o] == ' ');
            o++;
        }
        in_tok = 1;
        check(o < gotn && got[o] == p[i]);
        o++;
    }
    check(o == gotn);
}

static void fuzz_rest(const char *p, size_t n, size_t small)
{
    size_t cap = 2 * n + 2, outn = 12345;
    char *out = out_buf(cap), err[ND_ERRMSG];
    err[0] = 'Z';
    int rc = nd_rest_tokenize((nd_span){p, n}, out, cap, &outn, err, sizeof err);
    check(rc == ND_OK || rc == ND_ESYNTAX); /* 2n + 2 always fits */
    check_cstr(out, cap, outn);
    check(memchr(err, 0, sizeof err) != NULL);
    if (rc == ND_OK) {
        size_t q = 0;
        for (size_t i = 0; i < outn; i++) q += out[i] == '"';
        check(q % 2 == 0);
        if (!memchr(p, '%', n) && !memchr(p, '"', n)) rest_reference(p, n, out, outn);
    } else {
        check(outn == 0 && out[0] == 0 && err[0] != 0);
    }

    /* the same with a small capacity: same result, or out of room */
    size_t sn = 12345;
    char *so = out_buf(small);
    int src = nd_rest_tokenize((nd_span){p, n}, so, small, &sn, NULL, 0);
    check_cstr(so, small, sn);
    if (src == ND_ELIMIT) {
        check(sn == 0 && (rc != ND_OK || outn + 1 > small));
    } else {
        check(src == rc && sn == outn && memcmp(so, out, outn) == 0);
    }
    free(so);
    free(out);
}

/* ---- percent-decoding ------------------------------------------------------ */

static int ref_hex(unsigned char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Reference decoder, unbounded output: returns the length or -1. */
static long ref_decode(const char *p, size_t n, char *out, int plus)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '%') {
            if (i + 2 >= n) return -1;
            int h = ref_hex((unsigned char)p[i + 1]), l = ref_hex((unsigned char)p[i + 2]);
            if (h < 0 || l < 0 || h * 16 + l == 0) return -1;
            out[o++] = (char)(h * 16 + l);
            i += 2;
        } else if (p[i] == 0) {
            return -1;
        } else {
            out[o++] = plus && p[i] == '+' ? ' ' : p[i];
        }
    }
    return (long)o;
}

static void fuzz_pct(const char *p, size_t n, size_t small, int plus)
{
    char *ref = out_buf(n + 1);
    long rn = ref_decode(p, n, ref, plus);
    size_t cap = n + 1, outn = 12345;
    char *out = out_buf(cap);
    int rc = nd_http_pct_decode((nd_span){p, n}, out, cap, &outn, plus != 0);
    check_cstr(out, cap, outn);
    if (rn < 0) {
        check(rc == ND_ESYNTAX && outn == 0);
    } else {
        check(rc == ND_OK && outn == (size_t)rn && memcmp(out, ref, outn) == 0);
    }
    size_t sn = 12345;
    char *so = out_buf(small);
    int src = nd_http_pct_decode((nd_span){p, n}, so, small, &sn, plus != 0);
    check_cstr(so, small, sn);
    if (src == ND_ELIMIT) check(sn == 0 && (rc != ND_OK || outn + 1 > small));
    else check(src == rc && sn == outn && memcmp(so, out, outn) == 0);
    free(so);
    free(out);
    free(ref);
}

/* ---- safe_path ------------------------------------------------------------- */

static int name_char(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '.' || c == '_' ||
           c == '-';
}

static void check_normal(const char *s, size_t n)
{
    if (n == 0) return;
    check(s[0] != '/' && s[n - 1] != '/');
    size_t seg = 0; /* start of the current segment */
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] != '/') {
            check(name_char((unsigned char)s[i]));
            continue;
        }
        size_t len = i - seg;
        check(len > 0);                                   /* no "//" */
        check(!(len == 1 && s[seg] == '.'));              /* no "." */
        check(!(len == 2 && s[seg] == '.' && s[seg + 1] == '.')); /* no ".." */
        seg = i + 1;
    }
}

static void fuzz_path(const char *p, size_t n, size_t small)
{
    const char *nul = memchr(p, 0, n);
    size_t len = nul ? (size_t)(nul - p) : n;
    char *in = out_buf(len + 1);
    memcpy(in, p, len);
    in[len] = 0;

    size_t cap = len + 1;
    char *out = out_buf(cap);
    int rc = nd_http_safe_path(in, out, cap);
    check(rc == ND_OK || rc == ND_EINVAL); /* the input's length always fits */
    size_t on = strlen(out);
    check(on < cap);
    if (rc == ND_OK) {
        check(in[0] != '/');
        check_normal(out, on);
        char *again = out_buf(cap);
        check(nd_http_safe_path(out, again, cap) == ND_OK && strcmp(again, out) == 0);
        free(again);
    } else {
        check(on == 0);
        /* refusals have a reason: a bad byte, an absolute path, or ".." */
        int bad = in[0] == '/';
        for (size_t i = 0; i < len; i++) bad |= !(name_char((unsigned char)in[i]) || in[i] == '/');
        check(bad || strstr(in, "..") != NULL);
    }
    char *so = out_buf(small);
    int src = nd_http_safe_path(in, so, small);
    check(memchr(so, 0, small) != NULL);
    /* refusals do not depend on the capacity; the length check is exact */
    if (src == ND_ELIMIT) check(so[0] == 0 && rc == ND_OK && on + 1 > small);
    else check(src == rc && strcmp(so, out) == 0);
    free(so);
    free(out);
    free(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    uint8_t flags = data[0];
    const char *p = (const char *)data + 1;
    size_t n = size - 1;
    size_t small = (size_t)(flags & 63) + 1;
    fuzz_rest(p, n, small);
    fuzz_pct(p, n, small, (flags >> 6) & 1);
    fuzz_path(p, n, small);
    return 0;
}
