/* test_http.c -- HTTP request parser and percent-decoding. Table rows
** read as the specification; every request is also fed byte by byte into
** exactly-sized heap buffers, so ASan catches any read past n. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

#define BMAX ND_HTTP_BODY_MAX

static void span_is(nd_span s, const char *want)
{
    char got[4096];
    snprintf(got, sizeof got, "%.*s", (int)s.n, s.p ? s.p : "");
    assert_string_equal(got, want);
}

/* Parse from a heap copy of exactly n bytes (ASan traps over-reads). The
** spans are rebased onto `base` so callers can compare them. */
static int parse_copy(const char *s, size_t n, size_t body_max, nd_http_req *r, const char *base)
{
    char *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, s, n);
    int rc = nd_http_parse(copy, n, body_max, r);
#define REBASE(sp) do { if ((sp).p) (sp).p = base + ((sp).p - copy); } while (0)
    REBASE(r->target);
    REBASE(r->path);
    REBASE(r->query);
    REBASE(r->body);
    for (int i = 0; i < r->nhdr && i < ND_HTTP_HEADERS_MAX; i++) {
        REBASE(r->hdr[i].name);
        REBASE(r->hdr[i].value);
    }
#undef REBASE
    free(copy);
    return rc;
}

static bool span_same(nd_span a, nd_span b) { return a.n == b.n && (a.n == 0 || a.p == b.p); }

static void assert_req_same(const nd_http_req *a, const nd_http_req *b)
{
    assert_int_equal(a->method, b->method);
    assert_true(span_same(a->target, b->target));
    assert_true(span_same(a->path, b->path));
    assert_true(span_same(a->query, b->query));
    assert_int_equal(a->minor, b->minor);
    assert_int_equal(a->keep_alive, b->keep_alive);
    assert_int_equal(a->content_length, b->content_length);
    assert_int_equal(a->chunked, b->chunked);
    assert_int_equal(a->nhdr, b->nhdr);
    for (int i = 0; i < a->nhdr; i++) {
        assert_true(span_same(a->hdr[i].name, b->hdr[i].name));
        assert_true(span_same(a->hdr[i].value, b->hdr[i].value));
    }
    assert_int_equal(a->head_len, b->head_len);
    assert_true(span_same(a->body, b->body));
}

/* Feeding the bytes one at a time: every prefix answers MORE or the final
** verdict, and once final the verdict (and the request) never changes. */
static int parse_incremental(const char *s, size_t n, size_t body_max, nd_http_req *out)
{
    static nd_http_req full, part;
    int want = parse_copy(s, n, body_max, &full, s);
    bool final = false;
    for (size_t k = 0; k < n; k++) {
        int rc = parse_copy(s, k, body_max, &part, s);
        if (final) assert_int_equal(rc, want);
        if (rc == ND_HTTP_MORE) continue;
        assert_int_equal(rc, want);
        if (rc == ND_HTTP_DONE) assert_req_same(&part, &full);
        final = true;
    }
    if (out) *out = full;
    return want;
}

static int parse_str(const char *s, size_t body_max, nd_http_req *r)
{
    return parse_incremental(s, strlen(s), body_max, r);
}

/* ---- valid requests ----------------------------------------------------- */

static const struct ok_row {
    const char *req;
    int method;
    const char *target, *path, *query;
    int minor;
    bool keep_alive;
    long long cl;
    const char *body;
} ok_rows[] = {
    {"GET / HTTP/1.1\r\n\r\n", ND_HTTP_GET, "/", "/", "", 1, true, -1, ""},
    {"GET /rest/system/info?x=1&y HTTP/1.1\r\nHost: n\r\n\r\n", ND_HTTP_GET, "/rest/system/info?x=1&y",
     "/rest/system/info", "x=1&y", 1, true, -1, ""},
    {"GET /a? HTTP/1.1\r\n\r\n", ND_HTTP_GET, "/a?", "/a", "", 1, true, -1, ""},
    {"GET /a?b?c HTTP/1.1\r\n\r\n", ND_HTTP_GET, "/a?b?c", "/a", "b?c", 1, true, -1, ""},
    {"HEAD /index.html HTTP/1.0\r\n\r\n", ND_HTTP_HEAD, "/index.html", "/index.html", "", 0, false, -1, ""},
    {"POST /config HTTP/1.1\r\nContent-Length: 12\r\n\r\n{\"a\": \"b c\"}", ND_HTTP_POST, "/config",
     "/config", "", 1, true, 12, "{\"a\": \"b c\"}"},
    {"POST /fs/list HTTP/1.1\r\nContent-Length: 0\r\n\r\n", ND_HTTP_POST, "/fs/list", "/fs/list", "", 1,
     true, 0, ""},
    {"PUT /x HTTP/1.1\r\ncontent-length: 2\r\n\r\nhi", ND_HTTP_PUT, "/x", "/x", "", 1, true, 2, "hi"},
    {"DELETE /fs/files HTTP/1.1\r\nContent-Length: 18\r\n\r\n/user_data/x.txt\r\n", ND_HTTP_DELETE,
     "/fs/files", "/fs/files", "", 1, true, 18, "/user_data/x.txt\r\n"},
    {"OPTIONS * HTTP/1.1\r\n\r\n", ND_HTTP_OPTIONS, "*", "*", "", 1, true, -1, ""},
    {"OPTIONS /rest HTTP/1.1\r\n\r\n", ND_HTTP_OPTIONS, "/rest", "/rest", "", 1, true, -1, ""},
    /* bare LF line ends, leading blank lines, leading zeros */
    {"GET /lf HTTP/1.1\nA: b\n\n", ND_HTTP_GET, "/lf", "/lf", "", 1, true, -1, ""},
    {"\r\n\nGET / HTTP/1.1\r\n\r\n", ND_HTTP_GET, "/", "/", "", 1, true, -1, ""},
    {"POST / HTTP/1.1\r\nContent-Length: 003\r\n\r\nabc", ND_HTTP_POST, "/", "/", "", 1, true, 3, "abc"},
    /* pipelined bytes after the body are not part of it */
    {"POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\nokGET / HTTP/1.1\r\n\r\n", ND_HTTP_POST, "/", "/", "", 1,
     true, 2, "ok"},
    /* percent escapes stay encoded in the target */
    {"GET /rest/m/f/%22a%20b%22 HTTP/1.1\r\n\r\n", ND_HTTP_GET, "/rest/m/f/%22a%20b%22",
     "/rest/m/f/%22a%20b%22", "", 1, true, -1, ""},
};

static void test_valid(void **st)
{
    for (size_t i = 0; i < sizeof ok_rows / sizeof ok_rows[0]; i++) {
        const struct ok_row *w = &ok_rows[i];
        print_message("row %zu\n", i);
        nd_http_req r;
        assert_int_equal(parse_str(w->req, BMAX, &r), ND_HTTP_DONE);
        assert_int_equal(r.method, w->method);
        span_is(r.target, w->target);
        span_is(r.path, w->path);
        span_is(r.query, w->query);
        assert_int_equal(r.minor, w->minor);
        assert_int_equal(r.keep_alive, w->keep_alive);
        assert_int_equal(r.content_length, w->cl);
        assert_false(r.chunked);
        span_is(r.body, w->body);
        assert_true(r.head_len <= strlen(w->req));
        assert_ptr_equal(r.body.p, w->req + r.head_len);
    }
}

static void test_headers(void **st)
{
    const char *s = "GET / HTTP/1.1\r\nHost: node01.local\r\nX-Empty:\r\nX-Pad: \t a  b \t\r\n"
                    "x-micros-auth:secret\r\nAccept: text/html, */*\r\n\r\n";
    nd_http_req r;
    assert_int_equal(parse_str(s, BMAX, &r), ND_HTTP_DONE);
    assert_int_equal(r.nhdr, 5);
    span_is(r.hdr[0].name, "Host");
    span_is(r.hdr[0].value, "node01.local");
    span_is(nd_http_header(&r, "host")->value, "node01.local");
    span_is(nd_http_header(&r, "X-EMPTY")->value, "");
    span_is(nd_http_header(&r, "x-pad")->value, "a  b");
    span_is(nd_http_header(&r, "X-Micros-Auth")->value, "secret");
    assert_null(nd_http_header(&r, "Content-Type"));
    assert_null(nd_http_header(&r, "Hos"));
    assert_int_equal(r.head_len, strlen(s));

    /* the first of repeated headers is found */
    assert_int_equal(parse_str("GET / HTTP/1.1\r\nA: 1\r\na: 2\r\n\r\n", BMAX, &r), ND_HTTP_DONE);
    span_is(nd_http_header(&r, "A")->value, "1");
}

static const struct ka_row {
    const char *req;
    bool keep_alive;
} ka_rows[] = {
    {"GET / HTTP/1.1\r\n\r\n", true},
    {"GET / HTTP/1.0\r\n\r\n", false},
    {"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", false},
    {"GET / HTTP/1.1\r\nConnection: Close\r\n\r\n", false},
    {"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true},
    {"GET / HTTP/1.0\r\nconnection: Keep-Alive\r\n\r\n", true},
    {"GET / HTTP/1.1\r\nConnection: Upgrade, close\r\n\r\n", false},
    {"GET / HTTP/1.1\r\nConnection: ,, keep-alive ,\r\n\r\n", true},
    {"GET / HTTP/1.1\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n", false},
    {"GET / HTTP/1.0\r\nConnection: close, keep-alive\r\n\r\n", false},
    {"GET / HTTP/1.1\r\nConnection: closed\r\n\r\n", true},
    {"GET / HTTP/1.0\r\nConnection: Upgrade\r\n\r\n", false},
};

static void test_keep_alive(void **st)
{
    for (size_t i = 0; i < sizeof ka_rows / sizeof ka_rows[0]; i++) {
        print_message("row %zu\n", i);
        nd_http_req r;
        assert_int_equal(parse_str(ka_rows[i].req, BMAX, &r), ND_HTTP_DONE);
        assert_int_equal(r.keep_alive, ka_rows[i].keep_alive);
    }
}

static void test_body(void **st)
{
    nd_http_req r;
    const char *full = "POST /config HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789";
    assert_int_equal(parse_str(full, BMAX, &r), ND_HTTP_DONE);
    span_is(r.body, "0123456789");

    /* incomplete body */
    assert_int_equal(nd_http_parse(full, strlen(full) - 1, BMAX, &r), ND_HTTP_MORE);
    assert_int_equal(r.content_length, 10); /* the head is already known */
    /* exactly at body_max, one over */
    assert_int_equal(nd_http_parse(full, strlen(full), 10, &r), ND_HTTP_DONE);
    assert_int_equal(parse_str(full, 9, &r), ND_HTTP_E413);
    /* 413 as soon as the head is complete, before the body arrives */
    assert_int_equal(nd_http_parse(full, strlen(full) - 10, 9, &r), ND_HTTP_E413);
    /* body_max 0: the head only, the caller streams the body */
    assert_int_equal(parse_str(full, 0, &r), ND_HTTP_DONE);
    assert_int_equal(r.body.n, 0);
    assert_int_equal(r.content_length, 10);
    assert_int_equal(nd_http_parse(full, strlen(full) - 10, 0, &r), ND_HTTP_DONE);
    assert_ptr_equal(r.body.p, full + r.head_len);

    /* a huge but well-formed length: 413 (also when streaming) */
    const char *big = "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n";
    assert_int_equal(parse_str(big, BMAX, &r), ND_HTTP_E413);
    assert_int_equal(parse_str(big, 0, &r), ND_HTTP_E413);
    const char *max = "POST / HTTP/1.1\r\nContent-Length: 9223372036854775807\r\n\r\n";
    assert_int_equal(parse_str(max, 0, &r), ND_HTTP_DONE);
    assert_int_equal(r.content_length, INT64_MAX);
    assert_int_equal(parse_str(max, BMAX, &r), ND_HTTP_E413);
    assert_int_equal(parse_str("POST / HTTP/1.1\r\nContent-Length: 9223372036854775808\r\n\r\n", 0, &r),
                     ND_HTTP_E413);
}

static void test_chunked(void **st)
{
    nd_http_req r;
    assert_int_equal(parse_str("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
                               BMAX, &r),
                     ND_HTTP_DONE);
    assert_true(r.chunked);
    assert_int_equal(r.content_length, -1);
    assert_int_equal(r.body.n, 0);
    assert_int_equal(parse_str("POST /x HTTP/1.1\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n", BMAX, &r),
                     ND_HTTP_DONE);
    assert_true(r.chunked);
    assert_int_equal(parse_str("POST /x HTTP/1.1\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n",
                               BMAX, &r),
                     ND_HTTP_DONE);
    assert_true(r.chunked);
    /* chunked not last, or with a Content-Length: ambiguous length */
    assert_int_equal(parse_str("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", BMAX, &r),
                     ND_HTTP_E400);
    assert_int_equal(parse_str("POST /x HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", BMAX, &r), ND_HTTP_E400);
    assert_int_equal(parse_str("POST /x HTTP/1.1\r\nTransfer-Encoding:\r\n\r\n", BMAX, &r), ND_HTTP_E400);
    assert_int_equal(
        parse_str("POST /x HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", BMAX, &r),
        ND_HTTP_E400);
}

/* ---- errors ------------------------------------------------------------- */

static const struct err_row {
    const char *req;
    int rc;
} err_rows[] = {
    /* request line */
    {"GET /\r\n\r\n", ND_HTTP_E400},                    /* two parts (HTTP/0.9) */
    {"GET / HTTP/1.1 x\r\n\r\n", ND_HTTP_E400},         /* four parts */
    {"GET  / HTTP/1.1\r\n\r\n", ND_HTTP_E400},          /* double space */
    {"GET /  HTTP/1.1\r\n\r\n", ND_HTTP_E400},
    {"GET\t/ HTTP/1.1\r\n\r\n", ND_HTTP_E400},
    {" GET / HTTP/1.1\r\n\r\n", ND_HTTP_E400},
    {"GET / HTTP/1.1 \r\n\r\n", ND_HTTP_E400},
    {"GET x HTTP/1.1\r\n\r\n", ND_HTTP_E400},           /* not origin-form */
    {"GET http://h/ HTTP/1.1\r\n\r\n", ND_HTTP_E400},   /* absolute-form: not served */
    {"GET * HTTP/1.1\r\n\r\n", ND_HTTP_E400},           /* '*' only for OPTIONS */
    {"OPTIONS *x HTTP/1.1\r\n\r\n", ND_HTTP_E400},
    {"GET /a\x01 HTTP/1.1\r\n\r\n", ND_HTTP_E400},
    {"GET /\xc3\xa9 HTTP/1.1\r\n\r\n", ND_HTTP_E400},   /* raw UTF-8 in the URL */
    {"GET / HTTP/1.1\rX\n\r\n", ND_HTTP_E400},          /* CR without LF */
    {"\x16\x03\x01\x02\x00\x01", ND_HTTP_E400},         /* a TLS hello, refused at once */
    {"\r\r\n", ND_HTTP_E400},
    {"GET/ HTTP/1.1\r\n\r\n", ND_HTTP_E400},
    /* methods */
    {"get / HTTP/1.1\r\n\r\n", ND_HTTP_E405},
    {"PATCH / HTTP/1.1\r\n\r\n", ND_HTTP_E405},
    {"TRACE / HTTP/1.1\r\n\r\n", ND_HTTP_E405},
    {"CONNECT h:80 HTTP/1.1\r\n\r\n", ND_HTTP_E405},
    {"PROPFIND / HTTP/1.1\r\n\r\n", ND_HTTP_E405},
    {"GETS / HTTP/1.1\r\n\r\n", ND_HTTP_E405},
    /* versions */
    {"GET / HTTP/2.0\r\n\r\n", ND_HTTP_E505},
    {"GET / HTTP/1.2\r\n\r\n", ND_HTTP_E505},
    {"GET / HTTP/0.9\r\n\r\n", ND_HTTP_E505},
    {"GET / HTTP/1.10\r\n\r\n", ND_HTTP_E400},
    {"GET / HTTP/1\r\n\r\n", ND_HTTP_E400},
    {"GET / http/1.1\r\n\r\n", ND_HTTP_E400},
    {"GET / HTTPS/1.1\r\n\r\n", ND_HTTP_E400},
    /* header lines */
    {"GET / HTTP/1.1\r\nNoColon\r\n\r\n", ND_HTTP_E400},
    {"GET / HTTP/1.1\r\n: v\r\n\r\n", ND_HTTP_E400},
    {"GET / HTTP/1.1\r\nName : v\r\n\r\n", ND_HTTP_E400},
    {"GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n", ND_HTTP_E400},
    {"GET / HTTP/1.1\r\n\tA: b\r\n\r\n", ND_HTTP_E400},
    {"GET / HTTP/1.1\r\nX-N\xc3\xa4me: v\r\n\r\n", ND_HTTP_E400},
    {"GET / HTTP/1.1\r\nX-Name: v\xc3\xa4lue\r\n\r\n", ND_HTTP_E400},
    {"GET / HTTP/1.1\r\nX-Name: v\x01\r\n\r\n", ND_HTTP_E400},
    {"GET / HTTP/1.1\r\nX-Name: v\x7f\r\n\r\n", ND_HTTP_E400},
    {"GET / HTTP/1.1\r\nX-Name: v\rw\r\n\r\n", ND_HTTP_E400},
    {"GET / HTTP/1.1\r\nA: b\r\n\rx", ND_HTTP_E400},
    /* Content-Length */
    {"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx", ND_HTTP_E400},
    {"POST / HTTP/1.1\r\nContent-Length: 1\r\ncontent-length: 2\r\n\r\nxy", ND_HTTP_E400},
    {"POST / HTTP/1.1\r\nContent-Length: 1, 1\r\n\r\nx", ND_HTTP_E400},
    {"POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n", ND_HTTP_E400},
    {"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", ND_HTTP_E400},
    {"POST / HTTP/1.1\r\nContent-Length: +1\r\n\r\nx", ND_HTTP_E400},
    {"POST / HTTP/1.1\r\nContent-Length: 1 2\r\n\r\nxy", ND_HTTP_E400},
    {"POST / HTTP/1.1\r\nContent-Length: 0x10\r\n\r\n", ND_HTTP_E400},
    {"POST / HTTP/1.1\r\nContent-Length:\r\n\r\n", ND_HTTP_E400},
};

static void test_errors(void **st)
{
    for (size_t i = 0; i < sizeof err_rows / sizeof err_rows[0]; i++) {
        print_message("row %zu: %s\n", i, err_rows[i].req);
        nd_http_req r;
        assert_int_equal(parse_str(err_rows[i].req, BMAX, &r), err_rows[i].rc);
    }
}

/* Errors are reported on the first bytes that prove them. */
static void test_early_errors(void **st)
{
    nd_http_req r;
    assert_int_equal(nd_http_parse("\x16", 1, BMAX, &r), ND_HTTP_E400);
    assert_int_equal(nd_http_parse("PATCH ", 6, BMAX, &r), ND_HTTP_E405);
    assert_int_equal(nd_http_parse("PROPFIND", 8, BMAX, &r), ND_HTTP_E405);
    assert_int_equal(nd_http_parse("PATCH", 5, BMAX, &r), ND_HTTP_MORE);
    assert_int_equal(nd_http_parse("GET / HTTP/2", 12, BMAX, &r), ND_HTTP_MORE);
    assert_int_equal(nd_http_parse("GET / HTTX", 10, BMAX, &r), ND_HTTP_E400);
    assert_int_equal(nd_http_parse("", 0, BMAX, &r), ND_HTTP_MORE);
    assert_int_equal(nd_http_parse("\r\n", 2, BMAX, &r), ND_HTTP_MORE);
    assert_int_equal(nd_http_parse("GET / HTTP/1.1\r", 15, BMAX, &r), ND_HTTP_MORE);
}

static void test_limits(void **st)
{
    static char buf[ND_HTTP_HEAD_MAX + 256];
    nd_http_req r;
    /* URL of exactly ND_HTTP_URL_MAX bytes, and one more */
    for (int extra = 0; extra <= 1; extra++) {
        size_t n = 0;
        n += (size_t)sprintf(buf, "GET /");
        memset(buf + n, 'a', ND_HTTP_URL_MAX - 1 + (size_t)extra);
        n += ND_HTTP_URL_MAX - 1 + (size_t)extra;
        n += (size_t)sprintf(buf + n, " HTTP/1.1\r\n\r\n");
        assert_int_equal(parse_incremental(buf, n, BMAX, &r), extra ? ND_HTTP_E414 : ND_HTTP_DONE);
        if (!extra) assert_int_equal(r.target.n, ND_HTTP_URL_MAX);
        /* 414 without waiting for the end of the line */
        if (extra) assert_int_equal(nd_http_parse(buf, 4 + ND_HTTP_URL_MAX + 1, BMAX, &r), ND_HTTP_E414);
    }

    /* ND_HTTP_HEADERS_MAX headers, and one more */
    for (int extra = 0; extra <= 1; extra++) {
        size_t n = (size_t)sprintf(buf, "GET / HTTP/1.1\r\n");
        for (int i = 0; i < ND_HTTP_HEADERS_MAX + extra; i++) n += (size_t)sprintf(buf + n, "X-%d: %d\r\n", i, i);
        n += (size_t)sprintf(buf + n, "\r\n");
        assert_int_equal(parse_incremental(buf, n, BMAX, &r), extra ? ND_HTTP_E431 : ND_HTTP_DONE);
        if (!extra) span_is(r.hdr[ND_HTTP_HEADERS_MAX - 1].value, "31");
    }

    /* a head of exactly ND_HTTP_HEAD_MAX bytes, and one more */
    for (int extra = 0; extra <= 1; extra++) {
        size_t n = (size_t)sprintf(buf, "GET / HTTP/1.1\r\nX-Big: ");
        size_t fill = ND_HTTP_HEAD_MAX - n - 4 + (size_t)extra;
        memset(buf + n, 'v', fill);
        n += fill;
        n += (size_t)sprintf(buf + n, "\r\n\r\n");
        assert_int_equal(nd_http_parse(buf, n, BMAX, &r), extra ? ND_HTTP_E431 : ND_HTTP_DONE);
        if (!extra) assert_int_equal(r.head_len, ND_HTTP_HEAD_MAX);
        /* a full buffer with an unfinished head gets its verdict at once */
        if (extra) assert_int_equal(nd_http_parse(buf, ND_HTTP_HEAD_MAX, BMAX, &r), ND_HTTP_E431);
        else assert_int_equal(nd_http_parse(buf, ND_HTTP_HEAD_MAX - 1, BMAX, &r), ND_HTTP_MORE);
    }
    /* a very long header line runs into the head limit, not a line limit */
    size_t n = (size_t)sprintf(buf, "GET / HTTP/1.1\r\nX: ");
    memset(buf + n, 'v', sizeof buf - n);
    assert_int_equal(nd_http_parse(buf, sizeof buf, BMAX, &r), ND_HTTP_E431);
}

/* The buffer is never read past n, and need not be NUL-terminated. */
static void test_not_terminated(void **st)
{
    char buf[64];
    const char *s = "GET /x HTTP/1.1\r\n\r\n";
    memset(buf, 'Z', sizeof buf);
    memcpy(buf, s, strlen(s));
    nd_http_req r;
    assert_int_equal(nd_http_parse(buf, strlen(s), BMAX, &r), ND_HTTP_DONE);
    assert_int_equal(r.head_len, strlen(s));
    assert_int_equal(nd_http_parse(buf, strlen(s) - 1, BMAX, &r), ND_HTTP_MORE);
}

/* ---- percent-decoding ----------------------------------------------------- */

static const struct pct_row {
    const char *in;
    bool plus;
    int rc;
    const char *out;
} pct_rows[] = {
    {"", false, ND_OK, ""},
    {"abc", false, ND_OK, "abc"},
    {"a%20b", false, ND_OK, "a b"},
    {"%2f%2F", false, ND_OK, "//"},
    {"%e2%80%9c", false, ND_OK, "\xe2\x80\x9c"},
    {"%25", false, ND_OK, "%"},
    {"%2525", false, ND_OK, "%25"}, /* decoded once only */
    {"a+b", false, ND_OK, "a+b"},
    {"a+b", true, ND_OK, "a b"},
    {"a%2Bb", true, ND_OK, "a+b"},
    {"%", false, ND_ESYNTAX, ""},
    {"%4", false, ND_ESYNTAX, ""},
    {"ab%4", false, ND_ESYNTAX, ""},
    {"%G1", false, ND_ESYNTAX, ""},
    {"%1G", false, ND_ESYNTAX, ""},
    {"% 1", false, ND_ESYNTAX, ""},
    {"%%41", false, ND_ESYNTAX, ""},
    {"%00", false, ND_ESYNTAX, ""}, /* never a NUL inside a C string */
    {"%ff", false, ND_OK, "\xff"},
};

static void test_pct_decode(void **st)
{
    for (size_t i = 0; i < sizeof pct_rows / sizeof pct_rows[0]; i++) {
        const struct pct_row *w = &pct_rows[i];
        print_message("row %zu: %s\n", i, w->in);
        char out[32];
        size_t n = 99;
        memset(out, 'X', sizeof out);
        assert_int_equal(nd_http_pct_decode((nd_span){w->in, strlen(w->in)}, out, sizeof out, &n, w->plus), w->rc);
        assert_string_equal(out, w->out);
        assert_int_equal(n, strlen(w->out));
    }
    /* capacity: the NUL needs its byte too */
    char out[4];
    size_t n;
    assert_int_equal(nd_http_pct_decode((nd_span){"abc", 3}, out, 4, &n, false), ND_OK);
    assert_string_equal(out, "abc");
    assert_int_equal(nd_http_pct_decode((nd_span){"abcd", 4}, out, 4, &n, false), ND_ELIMIT);
    assert_string_equal(out, "");
    assert_int_equal(n, 0);
    assert_int_equal(nd_http_pct_decode((nd_span){"%41%42%43", 9}, out, 4, &n, false), ND_OK);
    assert_string_equal(out, "ABC");
    assert_int_equal(nd_http_pct_decode((nd_span){"", 0}, out, 0, &n, false), ND_ELIMIT);
    assert_int_equal(nd_http_pct_decode((nd_span){"", 0}, out, 1, NULL, false), ND_OK);
    /* not NUL-terminated input: only n bytes are read */
    assert_int_equal(nd_http_pct_decode((nd_span){"a%41%4", 4}, out, 4, &n, false), ND_OK);
    assert_string_equal(out, "aA");
    assert_int_equal(nd_http_pct_decode((nd_span){"a%41", 3}, out, 4, &n, false), ND_ESYNTAX);
    /* a raw NUL is refused like %00 */
    assert_int_equal(nd_http_pct_decode((nd_span){"a\0b", 3}, out, 4, &n, false), ND_ESYNTAX);
    assert_string_equal(out, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_headers),
        cmocka_unit_test(test_keep_alive),
        cmocka_unit_test(test_body),
        cmocka_unit_test(test_chunked),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_early_errors),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_not_terminated),
        cmocka_unit_test(test_pct_decode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
