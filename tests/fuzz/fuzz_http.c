/*
** fuzz_http.c -- libFuzzer target for the HTTP request parser and the
** streaming multipart/form-data parser (src/core/http.c, multipart.c).
**
** Input: byte 0 = flags, bytes 1-2 = split position (big endian), the rest
** is the payload.
**   flags & 3 : body_max for nd_http_parse: 0, 16, 1024, ND_HTTP_BODY_MAX
**   flags & 4 : multipart input is the parsed request (its Content-Type and
**               the bytes after the head); otherwise the whole payload with
**               Content-Type "multipart/form-data; boundary=XyZ".
** Beyond memory safety the target aborts when an invariant fails:
**   - parser: every span lies inside the buffer; the request is
**     self-consistent (path/query split the target, head_len, body vs
**     Content-Length and body_max, header names are tokens, values
**     trimmed); feeding any prefix gives ND_HTTP_MORE or the final verdict,
**     and once final the verdict and the request never change;
**   - multipart: the callbacks' transcript and result are the same whether
**     the body comes in one piece, in two pieces split at the position
**     from the input, or (for short bodies) one byte at a time; part_begin
**     and part_end alternate; names are NUL-terminated within their arrays.
** Seed corpus: tests/fuzz/corpus/http/.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "multipart.h"

static void check(int ok)
{
    if (!ok) abort();
}

static void check_span(nd_span s, const char *lo, const char *hi)
{
    if (s.n == 0) return;
    check(s.p != NULL && s.p >= lo && s.p <= hi && (size_t)(hi - s.p) >= s.n);
}

static int is_tchar(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

static void check_req(const char *buf, size_t n, size_t body_max, const nd_http_req *r)
{
    const char *end = buf + n;
    check(r->method >= ND_HTTP_GET && r->method <= ND_HTTP_OPTIONS);
    check(r->minor == 0 || r->minor == 1);
    check(r->head_len <= n && r->head_len <= ND_HTTP_HEAD_MAX);
    const char *head_end = buf + r->head_len;

    check_span(r->target, buf, head_end);
    check(r->target.n >= 1 && r->target.n <= ND_HTTP_URL_MAX);
    check(r->target.p[0] == '/' || (r->target.n == 1 && r->target.p[0] == '*' && r->method == ND_HTTP_OPTIONS));
    for (size_t i = 0; i < r->target.n; i++)
        check((unsigned char)r->target.p[i] > 0x20 && (unsigned char)r->target.p[i] < 0x7f);
    check(r->path.p == r->target.p && r->path.n <= r->target.n);
    check(memchr(r->path.p, '?', r->path.n) == NULL);
    if (r->path.n < r->target.n) {
        check(r->target.p[r->path.n] == '?');
        check(r->query.p == r->target.p + r->path.n + 1 && r->query.n == r->target.n - r->path.n - 1);
    } else {
        check(r->query.n == 0);
    }
    check_span(r->query, buf, head_end);

    check(r->nhdr >= 0 && r->nhdr <= ND_HTTP_HEADERS_MAX);
    int have_conn = 0;
    for (int i = 0; i < r->nhdr; i++) {
        nd_span nm = r->hdr[i].name, v = r->hdr[i].value;
        check(nm.n > 0);
        check_span(nm, buf, head_end);
        check_span(v, buf, head_end);
        for (size_t k = 0; k < nm.n; k++) check(is_tchar((unsigned char)nm.p[k]));
        for (size_t k = 0; k < v.n; k++) {
            unsigned char c = (unsigned char)v.p[k];
            check(c == '\t' || (c >= 0x20 && c < 0x7f));
        }
        if (v.n) check(v.p[0] != ' ' && v.p[0] != '\t' && v.p[v.n - 1] != ' ' && v.p[v.n - 1] != '\t');
        /* lookup finds this header or an earlier one of the same name */
        char name[ND_HTTP_HEAD_MAX + 1];
        memcpy(name, nm.p, nm.n);
        name[nm.n] = 0;
        const nd_http_hdr *h = nd_http_header(r, name);
        check(h != NULL && h <= &r->hdr[i] && nd_span_ieq(h->name, name));
        if (nd_span_ieq(nm, "connection")) have_conn = 1;
    }
    if (!have_conn) check(r->keep_alive == (r->minor == 1));

    check(r->content_length >= -1);
    if (r->chunked) check(r->content_length == -1 && nd_http_header(r, "transfer-encoding"));
    if (r->content_length >= 0) check(nd_http_header(r, "content-length") != NULL);
    if (body_max > 0 && r->content_length > 0) {
        check((uint64_t)r->content_length <= body_max);
        check(r->body.p == head_end && r->body.n == (size_t)r->content_length);
        check_span(r->body, buf, end);
    } else {
        check(r->body.n == 0);
    }
}

static int valid_rc(int rc)
{
    return rc == ND_HTTP_MORE || rc == ND_HTTP_DONE || rc == ND_HTTP_E400 || rc == ND_HTTP_E405 ||
           rc == ND_HTTP_E413 || rc == ND_HTTP_E414 || rc == ND_HTTP_E431 || rc == ND_HTTP_E505;
}

static int same_span(nd_span a, const char *abase, nd_span b, const char *bbase)
{
    return a.n == b.n && (a.n == 0 || a.p - abase == b.p - bbase);
}

static void check_same_req(const nd_http_req *a, const char *ab, const nd_http_req *b, const char *bb)
{
    check(a->method == b->method && a->minor == b->minor && a->keep_alive == b->keep_alive);
    check(a->content_length == b->content_length && a->chunked == b->chunked);
    check(a->nhdr == b->nhdr && a->head_len == b->head_len);
    check(same_span(a->target, ab, b->target, bb) && same_span(a->path, ab, b->path, bb));
    check(same_span(a->query, ab, b->query, bb) && same_span(a->body, ab, b->body, bb));
    for (int i = 0; i < a->nhdr; i++)
        check(same_span(a->hdr[i].name, ab, b->hdr[i].name, bb) &&
              same_span(a->hdr[i].value, ab, b->hdr[i].value, bb));
}

static void fuzz_parse(const char *buf, size_t n, size_t body_max, nd_http_req *full)
{
    static nd_http_req part;
    int want = nd_http_parse(buf, n, body_max, full);
    check(valid_rc(want));
    if (want == ND_HTTP_DONE) check_req(buf, n, body_max, full);

    /* Prefixes, each in an exactly-sized heap copy so that ASan sees any
    ** read past n: all of them for short inputs, a sample otherwise. */
    size_t step = n <= 256 ? 1 : n / 32 + 1;
    int final = 0;
    for (size_t k = 0; k < n; k += step) {
        char *copy = malloc(k ? k : 1);
        if (!copy) return;
        memcpy(copy, buf, k);
        int rc = nd_http_parse(copy, k, body_max, &part);
        check(valid_rc(rc));
        if (final) check(rc == want);
        if (rc != ND_HTTP_MORE) {
            check(rc == want);
            if (rc == ND_HTTP_DONE) check_same_req(&part, copy, full, buf);
            final = 1;
        }
        free(copy);
    }
}

/* ---- multipart ---------------------------------------------------------- */

typedef struct tape {
    unsigned char *p;
    size_t n, cap;
    int in_part;
    int last; /* last event: 0 none, 1 begin, 2 data, 3 end */
} tape;

/* strnlen is POSIX, not C11 */
static size_t bounded_len(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n]) n++;
    return n;
}

static void tape_put(tape *t, const void *p, size_t n)
{
    check(t->n + n <= t->cap);
    memcpy(t->p + t->n, p, n);
    t->n += n;
}

static int cb_begin(void *ud, const char *filename, const char *name)
{
    tape *t = ud;
    check(!t->in_part);
    size_t fl = bounded_len(filename, sizeof ((nd_mpart *)0)->filename);
    size_t nl = bounded_len(name, sizeof ((nd_mpart *)0)->name);
    check(fl < sizeof ((nd_mpart *)0)->filename && nl < sizeof ((nd_mpart *)0)->name);
    tape_put(t, "\1", 1);
    tape_put(t, filename, fl + 1);
    tape_put(t, name, nl + 1);
    t->in_part = 1;
    t->last = 1;
    return ND_OK;
}

static int cb_data(void *ud, const char *p, size_t n)
{
    tape *t = ud;
    check(t->in_part && n > 0);
    if (t->last != 2) tape_put(t, "\2", 1); /* pieces of one run compare equal */
    tape_put(t, p, n);
    t->last = 2;
    return ND_OK;
}

static int cb_end(void *ud)
{
    tape *t = ud;
    check(t->in_part);
    tape_put(t, "\3", 1);
    t->in_part = 0;
    t->last = 3;
    return ND_OK;
}

static const nd_mpart_cb cbs = {cb_begin, cb_data, cb_end};

/* Feeds body cut at the given offsets (sorted), each piece an exact heap
** copy; returns the first error or nd_mpart_finish's verdict. */
static int mp_run(nd_span ct, const char *body, size_t n, const size_t *cuts, size_t ncut, tape *t)
{
    nd_mpart m;
    t->n = 0;
    t->in_part = 0;
    t->last = 0;
    int rc = nd_mpart_init(&m, ct, &cbs, t);
    if (rc != ND_OK) {
        check(rc == ND_ESYNTAX && nd_mpart_feed(&m, body, n) == ND_ESYNTAX);
        return rc;
    }
    check(m.blen >= 3 && m.blen <= 72 && m.boundary[m.blen] == 0);
    size_t at = 0;
    for (size_t i = 0; i <= ncut; i++) {
        size_t e = i < ncut ? cuts[i] : n;
        char *piece = malloc(e - at + 1);
        if (!piece) abort();
        memcpy(piece, body + at, e - at);
        rc = nd_mpart_feed(&m, piece, e - at);
        free(piece);
        check(m.holdn < sizeof m.hold && m.hlinen < sizeof m.hline);
        if (rc != ND_OK) {
            check(rc == ND_ESYNTAX);
            check(nd_mpart_finish(&m) == rc); /* sticky */
            return rc;
        }
        at = e;
    }
    rc = nd_mpart_finish(&m);
    check(rc == ND_OK || rc == ND_ESYNTAX);
    if (rc == ND_OK) check(!t->in_part);
    return rc;
}

static void fuzz_mpart(nd_span ct, const char *body, size_t n, size_t split)
{
    /* transcript: markers + names (<= 194 per part) + data, parts <= n/4 */
    size_t cap = 2 * n + 256 * (n / 4 + 2);
    tape a = {malloc(cap), 0, cap, 0, 0}, b = {malloc(cap), 0, cap, 0, 0};
    size_t *cuts = malloc((n + 1) * sizeof *cuts);
    if (!a.p || !b.p || !cuts) abort();

    int ra = mp_run(ct, body, n, NULL, 0, &a);
    int rb = mp_run(ct, body, n, &split, 1, &b);
    check(ra == rb && a.n == b.n && memcmp(a.p, b.p, a.n) == 0);
    if (n <= 256) {
        for (size_t k = 0; k < n; k++) cuts[k] = k;
        rb = mp_run(ct, body, n, cuts, n, &b);
        check(ra == rb && a.n == b.n && memcmp(a.p, b.p, a.n) == 0);
    }
    free(a.p);
    free(b.p);
    free(cuts);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t body_maxes[] = {0, 16, 1024, ND_HTTP_BODY_MAX};
    static nd_http_req req;
    uint8_t flags = size > 0 ? data[0] : 0;
    size_t split = (size > 1 ? (size_t)data[1] << 8 : 0) | (size > 2 ? data[2] : 0);
    const char *buf = (const char *)data + (size < 3 ? size : 3);
    size_t n = size < 3 ? 0 : size - 3;
    size_t body_max = body_maxes[flags & 3];

    fuzz_parse(buf, n, body_max, &req);

    if (flags & 4) {
        int rc = nd_http_parse(buf, n, 0, &req);
        const nd_http_hdr *ct = rc == ND_HTTP_DONE ? nd_http_header(&req, "content-type") : NULL;
        if (ct) {
            size_t bn = n - req.head_len;
            fuzz_mpart(ct->value, buf + req.head_len, bn, bn ? split % (bn + 1) : 0);
        }
    } else {
        static const char xyz[] = "multipart/form-data; boundary=XyZ";
        fuzz_mpart((nd_span){xyz, sizeof xyz - 1}, buf, n, split % (n + 1));
    }
    return 0;
}
