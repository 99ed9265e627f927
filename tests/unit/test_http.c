/* test_http.c -- HTTP request parser, percent-decoding, REST tokeniser,
** file path normalisation and the streaming multipart parser. Table rows
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

    assert_true(nd_http_span_ieq((nd_span){"Content-LENGTH", 14}, "content-length"));
    assert_false(nd_http_span_ieq((nd_span){"Content-Lengthx", 15}, "content-length"));
    assert_false(nd_http_span_ieq((nd_span){"Content-Lengt", 13}, "content-length"));
    assert_true(nd_http_span_ieq((nd_span){"", 0}, ""));
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

/* ---- REST tokeniser (micros-compat 4.3) --------------------------------- */

static const struct rest_row {
    const char *path;
    int rc;
    const char *out;
} rest_rows[] = {
    {"system/heartbeat", ND_OK, "system heartbeat"},
    {"neopixel/color/10/20/30", ND_OK, "neopixel color 10 20 30"},
    {"modules", ND_OK, "modules"},
    {"", ND_OK, ""},
    {"/", ND_OK, ""},
    {"/system//info/", ND_OK, "system info"},
    {"system/clock/&", ND_OK, "system clock &"},
    {"system/clock/&&", ND_OK, "system clock &&"},
    {"system/clock/%26", ND_OK, "system clock &"},
    {"task/list", ND_OK, "task list"},
    {"m/f/-5", ND_OK, "m f -5"}, /* '-' is not a separator in nodus */
    {"m/f/-5/2.5e-3", ND_OK, "m f -5 2.5e-3"},
    {"m/f/%22hi%20there%22", ND_OK, "m f \"hi there\""},
    {"m/f/\"a/b\"", ND_OK, "m f \"a/b\""}, /* '/' inside quotes is text */
    {"m/f/%22a/b%22/c", ND_OK, "m f \"a/b\" c"},
    {"m/f/%E2%80%9Chi%E2%80%9D", ND_OK, "m f \"hi\""},
    {"m/f/%e2%80%9chi%e2%80%9d", ND_OK, "m f \"hi\""},
    {"m/f/text=%22a%20b%22", ND_OK, "m f text=\"a b\""},
    {"m/f/text=\"a b\"/2", ND_OK, "m f text=\"a b\" 2"},
    {"m/f/x%22a%22y", ND_OK, "m f x \"a\" y"}, /* a quote starts its own token */
    {"m/f/%22%22", ND_OK, "m f \"\""},
    {"m/f/a%2Fb", ND_OK, "m f a/b"}, /* %2F is data, not a separator */
    {"m/f/%27a%20b%27", ND_OK, "m f 'a b'"},
    {"m/f/%23%3D%3E%5C%3F%25", ND_OK, "m f #=>\\?%"},
    {"m/f/%C3%A9", ND_OK, "m f \xc3\xa9"}, /* any valid escape */
    /* quotes inside a dict split it, harmlessly: still one Python literal */
    {"m/f/k=%7B%22a%22:1%7D", ND_OK, "m f k={ \"a\" :1}"},
    {"m/f/%22a", ND_ESYNTAX, ""},
    {"m/f/\"", ND_ESYNTAX, ""},
    {"m/f/%2", ND_ESYNTAX, ""},
    {"m/f/%ZZ", ND_ESYNTAX, ""},
    {"m/f/%00", ND_ESYNTAX, ""},
    {"m/f/%E2%80%9Chi", ND_ESYNTAX, ""},
};

static void test_rest_tokenize(void **st)
{
    for (size_t i = 0; i < sizeof rest_rows / sizeof rest_rows[0]; i++) {
        const struct rest_row *w = &rest_rows[i];
        print_message("row %zu: %s\n", i, w->path);
        char out[128], err[ND_ERRMSG];
        size_t n = 99;
        memset(out, 'X', sizeof out);
        err[0] = 0;
        assert_int_equal(nd_rest_tokenize((nd_span){w->path, strlen(w->path)}, out, sizeof out, &n, err, sizeof err),
                         w->rc);
        assert_string_equal(out, w->out);
        assert_int_equal(n, strlen(w->out));
        if (w->rc != ND_OK) assert_true(strlen(err) > 5);
    }
    /* too long for the output, by one byte; NULL err is fine */
    char out[16];
    size_t n;
    assert_int_equal(nd_rest_tokenize((nd_span){"abcdefg/12345678", 16}, out, sizeof out, &n, NULL, 0), ND_ELIMIT);
    assert_string_equal(out, "");
    assert_int_equal(nd_rest_tokenize((nd_span){"abcdefg/1234567", 15}, out, sizeof out, &n, NULL, 0), ND_OK);
    assert_string_equal(out, "abcdefg 1234567");
    assert_int_equal(nd_rest_tokenize((nd_span){"a", 1}, out, 0, &n, NULL, 0), ND_ELIMIT);
    assert_int_equal(nd_rest_tokenize((nd_span){"m/\0", 3}, out, sizeof out, &n, NULL, 0), ND_ESYNTAX);
    /* a bad escape is reported whatever the capacity */
    assert_int_equal(nd_rest_tokenize((nd_span){"abcdefghijklmnopq/%G", 20}, out, sizeof out, &n, NULL, 0),
                     ND_ESYNTAX);
}

/* ---- file paths ----------------------------------------------------------- */

static const struct path_row {
    const char *in;
    int rc;
    const char *out;
} path_rows[] = {
    {"notes.txt", ND_OK, "notes.txt"},
    {"user_data/notes.txt", ND_OK, "user_data/notes.txt"},
    {"a/./b", ND_OK, "a/b"},
    {"./a//b/", ND_OK, "a/b"},
    {"a/b/../c", ND_OK, "a/c"},
    {"a/b/../../c", ND_OK, "c"},
    {"a/..", ND_OK, ""},
    {"", ND_OK, ""},
    {".", ND_OK, ""},
    {"LM_x-1.py", ND_OK, "LM_x-1.py"},
    {".hidden/...", ND_OK, ".hidden/..."},
    {"..", ND_EINVAL, ""},
    {"../etc/passwd", ND_EINVAL, ""},
    {"a/../../b", ND_EINVAL, ""},
    {"a/b/../../..", ND_EINVAL, ""},
    {"/etc/passwd", ND_EINVAL, ""},
    {"/", ND_EINVAL, ""},
    {"a\\b", ND_EINVAL, ""},
    {"a b", ND_EINVAL, ""},
    {"a\tb", ND_EINVAL, ""},
    {"a\nb", ND_EINVAL, ""},
    {"\x7f", ND_EINVAL, ""},
    {"caf\xc3\xa9", ND_EINVAL, ""},
    {"$modules/LM_x.py", ND_EINVAL, ""},
    {"a:b", ND_EINVAL, ""},
    {"a%2e%2e", ND_EINVAL, ""},
    {"a*", ND_EINVAL, ""},
};

static void test_safe_path(void **st)
{
    for (size_t i = 0; i < sizeof path_rows / sizeof path_rows[0]; i++) {
        const struct path_row *w = &path_rows[i];
        print_message("row %zu: %s\n", i, w->in);
        char out[64];
        memset(out, 'X', sizeof out);
        assert_int_equal(nd_http_safe_path(w->in, out, sizeof out), w->rc);
        assert_string_equal(out, w->out);
    }
    char out[6];
    assert_int_equal(nd_http_safe_path("ab/cd", out, sizeof out), ND_OK);
    assert_string_equal(out, "ab/cd");
    assert_int_equal(nd_http_safe_path("ab/cde", out, sizeof out), ND_ELIMIT);
    assert_string_equal(out, "");
    assert_int_equal(nd_http_safe_path("x/../ab/cd", out, sizeof out), ND_OK);
    /* only the result must fit, not the path before ".." is resolved */
    assert_int_equal(nd_http_safe_path("a-very-long-directory-name/../ab/cd", out, sizeof out), ND_OK);
    assert_string_equal(out, "ab/cd");
    /* refusals win over the capacity */
    assert_int_equal(nd_http_safe_path("abcdefghij/../../x", out, sizeof out), ND_EINVAL);
    assert_int_equal(nd_http_safe_path("abcdefghij/x y", out, sizeof out), ND_EINVAL);
    assert_int_equal(nd_http_safe_path("a", out, 0), ND_ELIMIT);
    assert_int_equal(nd_http_safe_path(NULL, out, sizeof out), ND_EINVAL);
}

/* ---- multipart -------------------------------------------------------------- */

/* Records callbacks as a transcript: "[B:<filename>|<name>]", raw data, "[E]". */
typedef struct rec {
    char log[16384];
    size_t n;
    int fail_data;  /* part_data returns this when non-zero */
    int fail_begin; /* part_begin, part_end likewise */
    int fail_end;
    int begins, ends;
} rec;

static void rec_put(rec *r, const char *p, size_t n)
{
    assert_true(r->n + n < sizeof r->log);
    memcpy(r->log + r->n, p, n);
    r->n += n;
    r->log[r->n] = 0;
}

static int rec_begin(void *ud, const char *filename, const char *name)
{
    rec *r = ud;
    char tmp[256];
    int k = snprintf(tmp, sizeof tmp, "[B:%s|%s]", filename, name);
    if (r->fail_begin) return r->fail_begin;
    rec_put(r, tmp, (size_t)k);
    r->begins++;
    return ND_OK;
}

static int rec_data(void *ud, const char *p, size_t n)
{
    rec *r = ud;
    assert_true(n > 0);
    if (r->fail_data) return r->fail_data;
    rec_put(r, p, n);
    return ND_OK;
}

static int rec_end(void *ud)
{
    rec *r = ud;
    if (r->fail_end) return r->fail_end;
    rec_put(r, "[E]", 3);
    r->ends++;
    return ND_OK;
}

static const nd_mpart_cb rec_cb = {rec_begin, rec_data, rec_end};

#define CT_XYZ "multipart/form-data; boundary=XyZ"

static const char one_part[] = "--XyZ\r\n"
                               "Content-Disposition: form-data; name=\"file\"; filename=\"user_data/notes.txt\"\r\n"
                               "Content-Type: text/plain\r\n"
                               "\r\n"
                               "hello\r\nworld\r\n--Xy\r\n--XyY\r\r\n-\r\n"
                               "\r\n--XyZ--\r\n";
static const char one_part_log[] = "[B:user_data/notes.txt|file]hello\r\nworld\r\n--Xy\r\n--XyY\r\r\n-\r\n[E]";

static const char three_parts[] = "--XyZ\r\n"
                                  "content-disposition: form-data; name=\"file\"; filename=\"user_data/big.txt\"\r\n"
                                  "\r\n"
                                  "AAAA\r\n"
                                  "--XyZ\r\n"
                                  "Content-Disposition: form-data; name=\"file\"; filename=\"user_data/big.txt\"\r\n"
                                  "\r\n"
                                  "BB\rB\r\n"
                                  "--XyZ\r\n"
                                  "Content-Disposition: form-data; filename=\"user_data/big.txt\"; name=file\r\n"
                                  "\r\n"
                                  "\r\n"
                                  "--XyZ--";
static const char three_parts_log[] =
    "[B:user_data/big.txt|file]AAAA[E][B:user_data/big.txt|file]BB\rB[E][B:user_data/big.txt|file][E]";

/* Feeds body in pieces cut at `cuts` (sorted offsets), then finishes. */
static int mp_run(const char *ct, const char *body, size_t n, const size_t *cuts, int ncut, rec *r)
{
    nd_mpart m;
    memset(r, 0, sizeof *r);
    int rc = nd_mpart_init(&m, (nd_span){ct, strlen(ct)}, &rec_cb, r);
    if (rc != ND_OK) return rc;
    size_t at = 0;
    for (int i = 0; i <= ncut; i++) {
        size_t end = i < ncut ? cuts[i] : n;
        char *piece = malloc(end - at + 1); /* exact copies: ASan sees over-reads */
        assert_non_null(piece);
        memcpy(piece, body + at, end - at);
        rc = nd_mpart_feed(&m, piece, end - at);
        free(piece);
        if (rc != ND_OK) return rc;
        at = end;
    }
    return nd_mpart_finish(&m);
}

static void mp_expect(const char *ct, const char *body, size_t n, int want, const char *log)
{
    rec r;
    assert_int_equal(mp_run(ct, body, n, NULL, 0, &r), want);
    if (log) assert_string_equal(r.log, log);
}

/* The same transcript for every split in two pieces and for byte-by-byte
** feeding: boundaries split anywhere, including inside the boundary. */
static void mp_expect_splits(const char *ct, const char *body, size_t n, int want, const char *log)
{
    static rec r;
    for (size_t k = 0; k <= n; k++) {
        assert_int_equal(mp_run(ct, body, n, &k, 1, &r), want);
        if (log) assert_string_equal(r.log, log);
    }
    size_t *cuts = malloc(n * sizeof *cuts + 1);
    assert_non_null(cuts);
    for (size_t k = 0; k < n; k++) cuts[k] = k;
    assert_int_equal(mp_run(ct, body, n, cuts, (int)n, &r), want);
    if (log) assert_string_equal(r.log, log);
    free(cuts);
}

static void test_mpart_single(void **st)
{
    mp_expect_splits(CT_XYZ, one_part, strlen(one_part), ND_OK, one_part_log);
}

static void test_mpart_several(void **st)
{
    mp_expect_splits(CT_XYZ, three_parts, strlen(three_parts), ND_OK, three_parts_log);
    rec r;
    assert_int_equal(mp_run(CT_XYZ, three_parts, strlen(three_parts), NULL, 0, &r), ND_OK);
    assert_int_equal(r.begins, 3);
    assert_int_equal(r.ends, 3);
}

static void test_mpart_framing(void **st)
{
    /* preamble and epilogue are ignored; transport padding is allowed */
    const char *pre = "This is a preamble\r\n--XyZ \t\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--XyZ--\r\n"
                      "epilogue --XyZ garbage\r\n";
    mp_expect_splits(CT_XYZ, pre, strlen(pre), ND_OK, "[B:|a]1[E]");
    /* a part without headers, and an empty upload with no part */
    const char *nohdr = "--XyZ\r\n\r\ndata\r\n--XyZ--";
    mp_expect(CT_XYZ, nohdr, strlen(nohdr), ND_OK, "[B:|]data[E]");
    mp_expect(CT_XYZ, "--XyZ--", 7, ND_OK, "");
    /* a CRLF before the first boundary (some clients) */
    const char *crlf = "\r\n--XyZ\r\n\r\nx\r\n--XyZ--";
    mp_expect(CT_XYZ, crlf, strlen(crlf), ND_OK, "[B:|]x[E]");
    /* binary data, NUL bytes included */
    const char bin[] = "--XyZ\r\n\r\n\0\r\0\n\xff\r\n--XyZ--";
    rec r;
    assert_int_equal(mp_run(CT_XYZ, bin, sizeof bin - 1, NULL, 0, &r), ND_OK);
    assert_int_equal(r.n, 5 + 5 + 3);
    assert_memory_equal(r.log + 5, "\0\r\0\n\xff[E]", 8);
}

static void test_mpart_truncated(void **st)
{
    /* missing closing boundary: finish fails; part_end comes only once a
    ** delimiter has ended the part (rows 6 on) */
    const char *cut[] = {
        "",
        "--XyZ",
        "--XyZ\r\n",
        "--XyZ\r\nContent-Disposition: form-data; filename=\"a\"\r\n",
        "--XyZ\r\n\r\ndata",
        "--XyZ\r\n\r\ndata\r\n--Xy",
        "--XyZ\r\n\r\ndata\r\n--XyZ",
        "--XyZ\r\n\r\ndata\r\n--XyZ-",
        "--XyZ\r\n\r\ndata\r\n--XyZ\r\n",
        "no boundary at all",
    };
    for (size_t i = 0; i < sizeof cut / sizeof cut[0]; i++) {
        print_message("row %zu\n", i);
        rec r;
        assert_int_equal(mp_run(CT_XYZ, cut[i], strlen(cut[i]), NULL, 0, &r), ND_ESYNTAX);
        assert_int_equal(r.ends, i >= 6 && i <= 8 ? 1 : 0);
    }
    /* the full body minus its last byte */
    for (size_t k = strlen(one_part) - 3; k > 0; k--) {
        rec r;
        assert_int_equal(mp_run(CT_XYZ, one_part, k, NULL, 0, &r), ND_ESYNTAX);
    }
}

static void test_mpart_broken(void **st)
{
    const char *bad[] = {
        "--XyZ\r\nNo colon here\r\n\r\nx\r\n--XyZ--",
        "--XyZ\r\n: empty name\r\n\r\nx\r\n--XyZ--",
        "--XyZ\r\nBad Name: v\r\n\r\nx\r\n--XyZ--",
        "--XyZ\r\nContent-Disposition: form-data\n\r\n\r\nx\r\n--XyZ--", /* bare LF */
        "--XyZ\r\nContent-Disposition: form-data\rX\r\n\r\nx\r\n--XyZ--", /* bare CR */
        "--XyZ\r\nContent-Disposition: form-data; filename=\"unterminated\r\n\r\nx\r\n--XyZ--",
        "--XyZ\r\nX: a\x01\r\n\r\nx\r\n--XyZ--", /* control byte */
        "--XyZx\r\n\r\nx\r\n--XyZ--",            /* boundary followed by junk */
        "--XyZ-x\r\n",
        "--XyZ \tx\r\n",
        "--XyZ\rx",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        print_message("row %zu\n", i);
        mp_expect_splits(CT_XYZ, bad[i], strlen(bad[i]), ND_ESYNTAX, NULL);
    }
    /* a header line longer than the line buffer */
    static char big[1024];
    size_t n = (size_t)sprintf(big, "--XyZ\r\nX-Long: ");
    memset(big + n, 'a', 600);
    n += 600;
    n += (size_t)sprintf(big + n, "\r\n\r\nx\r\n--XyZ--");
    mp_expect(CT_XYZ, big, n, ND_ESYNTAX, NULL);
    /* a file name longer than nd_mpart.filename */
    n = (size_t)sprintf(big, "--XyZ\r\nContent-Disposition: form-data; filename=\"");
    memset(big + n, 'f', 200);
    n += 200;
    n += (size_t)sprintf(big + n, "\"\r\n\r\nx\r\n--XyZ--");
    mp_expect(CT_XYZ, big, n, ND_ESYNTAX, NULL);

    /* errors are sticky: later feeds and finish report the same error */
    nd_mpart m;
    rec r;
    memset(&r, 0, sizeof r);
    assert_int_equal(nd_mpart_init(&m, (nd_span){CT_XYZ, strlen(CT_XYZ)}, &rec_cb, &r), ND_OK);
    assert_int_equal(nd_mpart_feed(&m, "--XyZ!", 6), ND_ESYNTAX);
    assert_int_equal(nd_mpart_feed(&m, "\r\n\r\nx\r\n--XyZ--", 14), ND_ESYNTAX);
    assert_int_equal(nd_mpart_finish(&m), ND_ESYNTAX);
}

static void test_mpart_callback_error(void **st)
{
    nd_mpart m;
    rec r;
    memset(&r, 0, sizeof r);
    r.fail_data = ND_EIO;
    assert_int_equal(nd_mpart_init(&m, (nd_span){CT_XYZ, strlen(CT_XYZ)}, &rec_cb, &r), ND_OK);
    assert_int_equal(nd_mpart_feed(&m, one_part, strlen(one_part)), ND_EIO);
    assert_int_equal(nd_mpart_feed(&m, "x", 1), ND_EIO);
    assert_int_equal(nd_mpart_finish(&m), ND_EIO);
    /* part_begin / part_end errors stop the parse too; a positive return
    ** (not an ND_* code) becomes ND_ERR so that errors stay negative */
    memset(&r, 0, sizeof r);
    r.fail_begin = ND_ENOTFOUND;
    assert_int_equal(nd_mpart_init(&m, (nd_span){CT_XYZ, strlen(CT_XYZ)}, &rec_cb, &r), ND_OK);
    assert_int_equal(nd_mpart_feed(&m, one_part, strlen(one_part)), ND_ENOTFOUND);
    assert_int_equal(nd_mpart_finish(&m), ND_ENOTFOUND);
    memset(&r, 0, sizeof r);
    r.fail_end = 1;
    assert_int_equal(nd_mpart_init(&m, (nd_span){CT_XYZ, strlen(CT_XYZ)}, &rec_cb, &r), ND_OK);
    assert_int_equal(nd_mpart_feed(&m, three_parts, strlen(three_parts)), ND_ERR);
    assert_int_equal(r.begins, 1);
    assert_int_equal(nd_mpart_finish(&m), ND_ERR);
    /* NULL callbacks are allowed */
    static const nd_mpart_cb none = {NULL, NULL, NULL};
    assert_int_equal(nd_mpart_init(&m, (nd_span){CT_XYZ, strlen(CT_XYZ)}, &none, NULL), ND_OK);
    assert_int_equal(nd_mpart_feed(&m, one_part, strlen(one_part)), ND_OK);
    assert_int_equal(nd_mpart_finish(&m), ND_OK);
}

static void test_mpart_names(void **st)
{
    static const struct {
        const char *disp, *log;
    } rows[] = {
        {"form-data; name=\"f\"; filename=\"a\\\"b.txt\"", "[B:a\"b.txt|f]"},
        {"form-data; name=\"f\"; filename=\"C:\\dir\\f.txt\"", "[B:C:\\dir\\f.txt|f]"},
        {"form-data; name=\"f\"; filename=\"a\\\\b\"", "[B:a\\b|f]"},
        {"form-data; name=f; filename=plain.txt", "[B:plain.txt|f]"},
        {"form-data; NAME=\"f\"; FileName=\"x;y.txt\"", "[B:x;y.txt|f]"},
        {"form-data; filename*=UTF-8''x.txt; name=f", "[B:|f]"},
        {"form-data; name=\"up\"; filename=\"\"", "[B:|up]"},
        {"form-data;name=a;filename=b", "[B:b|a]"},
        {"form-data; name=\"a\"; filename=\"caf\xc3\xa9.txt\"", "[B:caf\xc3\xa9.txt|a]"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        print_message("row %zu: %s\n", i, rows[i].disp);
        char body[512], log[512];
        int n = snprintf(body, sizeof body, "--XyZ\r\nContent-Disposition: %s\r\n\r\nd\r\n--XyZ--", rows[i].disp);
        snprintf(log, sizeof log, "%sd[E]", rows[i].log);
        mp_expect(CT_XYZ, body, (size_t)n, ND_OK, log);
    }
}

static void test_mpart_content_type(void **st)
{
    static const struct {
        const char *ct, *boundary; /* NULL: refused */
    } rows[] = {
        {"multipart/form-data; boundary=XyZ", "XyZ"},
        {"multipart/form-data;boundary=XyZ", "XyZ"},
        {"Multipart/Form-Data; BOUNDARY=XyZ", "XyZ"},
        {"multipart/form-data; charset=utf-8; boundary=\"a b:c\"", "a b:c"},
        {"multipart/form-data; boundary=\"XyZ\"; charset=utf-8", "XyZ"},
        {"multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW",
         "----WebKitFormBoundary7MA4YWxkTrZu0gW"},
        {"multipart/form-data; boundary=------------------------d74496d66958873e",
         "------------------------d74496d66958873e"},
        {"multipart/form-data; boundary=0123456789012345678901234567890123456789012345678901234567890123456789",
         "0123456789012345678901234567890123456789012345678901234567890123456789"},
        {"multipart/form-data; boundary=01234567890123456789012345678901234567890123456789012345678901234567890",
         NULL},
        {"multipart/form-data", NULL},
        {"multipart/form-data; boundary=", NULL},
        {"multipart/form-data; boundary=\"\"", NULL},
        {"multipart/form-data; boundary=\"ab \"", NULL},
        {"multipart/form-data; boundary=\"unterminated", NULL},
        {"multipart/form-data; boundary=a@b", NULL},
        {"multipart/form-data; boundary=\"a\rb\"", NULL},
        {"multipart/mixed; boundary=XyZ", NULL},
        {"text/plain; boundary=XyZ", NULL},
        {"", NULL},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        print_message("row %zu: %s\n", i, rows[i].ct);
        nd_mpart m;
        int rc = nd_mpart_init(&m, (nd_span){rows[i].ct, strlen(rows[i].ct)}, &rec_cb, NULL);
        if (!rows[i].boundary) {
            assert_int_equal(rc, ND_ESYNTAX);
            assert_int_equal(nd_mpart_feed(&m, "x", 1), ND_ESYNTAX);
            assert_int_equal(nd_mpart_finish(&m), ND_ESYNTAX);
            continue;
        }
        assert_int_equal(rc, ND_OK);
        char body[256], log[64];
        int n = snprintf(body, sizeof body, "--%s\r\n\r\nok\r\n--%s--\r\n", rows[i].boundary, rows[i].boundary);
        snprintf(log, sizeof log, "[B:|]ok[E]");
        mp_expect_splits(rows[i].ct, body, (size_t)n, ND_OK, log);
    }
    nd_mpart m;
    assert_int_equal(nd_mpart_init(&m, (nd_span){NULL, 0}, &rec_cb, NULL), ND_ESYNTAX);
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
        cmocka_unit_test(test_rest_tokenize),
        cmocka_unit_test(test_safe_path),
        cmocka_unit_test(test_mpart_single),
        cmocka_unit_test(test_mpart_several),
        cmocka_unit_test(test_mpart_framing),
        cmocka_unit_test(test_mpart_truncated),
        cmocka_unit_test(test_mpart_broken),
        cmocka_unit_test(test_mpart_callback_error),
        cmocka_unit_test(test_mpart_names),
        cmocka_unit_test(test_mpart_content_type),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
