/*
** http.c -- HTTP/1.x request parsing and percent-decoding (see http.h).
**
** The request parser keeps no state between calls: it re-scans the buffer
** from the start each time the door has read more. That costs O(head) per
** call (the head is at most ND_HTTP_HEAD_MAX bytes) and buys a simple
** guarantee the door relies on: the scan goes strictly left to right and
** every verdict depends only on the bytes before the point where it is
** made, so a result other than ND_HTTP_MORE never changes when more bytes
** arrive. Errors are reported as early as the bytes allow (a TLS hello or
** a bad method is refused on its first bytes, not after 8 KiB).
**
** Deliberate choices and known gaps:
**  - bare LF is accepted as a line end (handy with nc); a CR must be
**    followed by LF;
**  - only origin-form targets ("/...") and "*" for OPTIONS: the absolute
**    form ("http://host/x", meant for proxies) gets 400;
**  - Host is not required (micrOS does not require it and simple clients
**    omit it);
**  - Transfer-Encoding must end in chunked (else 400) and must not come
**    with Content-Length (400: the classic smuggling ambiguity); chunked
**    bodies themselves are not decoded, the door refuses them with 501.
*/
#include <string.h>

#include "http.h"
#include "http_lex.h"

const nd_http_hdr *nd_http_header(const nd_http_req *req, const char *name)
{
    if (!req || !name) return NULL;
    int n = req->nhdr < ND_HTTP_HEADERS_MAX ? req->nhdr : ND_HTTP_HEADERS_MAX;
    for (int i = 0; i < n; i++)
        if (nd_span_ieq(req->hdr[i].name, name)) return &req->hdr[i];
    return NULL;
}

/* {============================================================
** Request head
** ============================================================= */

/* Reading position in the caller's buffer. */
typedef struct cursor {
    const char *b;
    size_t n; /* bytes received */
    size_t i; /* next byte to look at */
} cursor;

/* Internal results, all distinct from the ND_HTTP_* codes (MORE is 0). */
#define GOT 1      /* a byte was read, an element parsed */
#define NOT_EOL 2  /* line_end(): the byte does not end a line */
#define HEAD_END 3 /* parse_header(): the blank line ending the head */

/* The next head byte. The head limit is checked before running out of data
** so that a full buffer with an unfinished head gets its verdict (431). */
static int next(cursor *c, unsigned char *ch)
{
    if (c->i >= ND_HTTP_HEAD_MAX) return ND_HTTP_E431;
    if (c->i >= c->n) return ND_HTTP_MORE;
    *ch = (unsigned char)c->b[c->i++];
    return GOT;
}

/* ch was just read: GOT when it ends a line (LF, or CR LF), NOT_EOL when
** it does not, ND_HTTP_E400 for a CR not followed by LF, ND_HTTP_MORE. */
static int line_end(cursor *c, unsigned char ch)
{
    if (ch == '\n') return GOT;
    if (ch != '\r') return NOT_EOL;
    int rc = next(c, &ch);
    if (rc != GOT) return rc;
    return ch == '\n' ? GOT : ND_HTTP_E400;
}

/* in the order of ND_HTTP_GET ... ND_HTTP_OPTIONS, one blob (no pointers) */
static const char method_names[] = "GET\0HEAD\0POST\0PUT\0DELETE\0OPTIONS\0";
#define METHOD_LEN_MAX 7 /* "OPTIONS" */

static int parse_method(cursor *c, nd_http_req *r)
{
    size_t start = c->i;
    for (;;) {
        unsigned char ch;
        int rc = next(c, &ch);
        if (rc != GOT) return rc;
        if (ch == ' ') break;
        if (!nd_lex_tchar(ch)) return ND_HTTP_E400;
        /* a well-formed token longer than any method we know: it is some
        ** method (PROPFIND, ...), just not one of ours */
        if (c->i - start > METHOD_LEN_MAX) return ND_HTTP_E405;
    }
    size_t k = c->i - 1 - start;
    if (k == 0) return ND_HTTP_E400;
    int i = 0;
    for (const char *p = method_names; *p; p += strlen(p) + 1, i++) {
        if (strlen(p) == k && memcmp(p, c->b + start, k) == 0) {
            r->method = i;
            return GOT;
        }
    }
    return ND_HTTP_E405;
}

static int parse_target(cursor *c, nd_http_req *r)
{
    size_t start = c->i, len = 0;
    for (;;) {
        unsigned char ch;
        int rc = next(c, &ch);
        if (rc != GOT) return rc;
        if (ch == ' ') break;
        /* visible ASCII only: CR/LF here means the version is missing */
        if (ch <= 0x20 || ch >= 0x7f) return ND_HTTP_E400;
        if (len == 0 && ch != '/' && ch != '*') return ND_HTTP_E400;
        if (++len > ND_HTTP_URL_MAX) return ND_HTTP_E414;
    }
    if (len == 0) return ND_HTTP_E400;
    const char *t = c->b + start;
    if (t[0] == '*' && (len != 1 || r->method != ND_HTTP_OPTIONS)) return ND_HTTP_E400;
    r->target = (nd_span){t, len};
    const char *q = memchr(t, '?', len);
    if (q) {
        r->path = (nd_span){t, (size_t)(q - t)};
        r->query = (nd_span){q + 1, len - (size_t)(q - t) - 1};
    } else {
        r->path = r->target;
        r->query = (nd_span){t + len, 0};
    }
    return GOT;
}

/* "HTTP/" DIGIT "." DIGIT and the line end; only 1.0 and 1.1 are served. */
static int parse_version(cursor *c, nd_http_req *r)
{
    static const char pat[] = "HTTP/9.9"; /* '9' stands for any digit */
    int major = 0, minor = 0;
    for (size_t k = 0; k < sizeof pat - 1; k++) {
        unsigned char ch;
        int rc = next(c, &ch);
        if (rc != GOT) return rc;
        if (pat[k] == '9') {
            if (!nd_lex_digit(ch)) return ND_HTTP_E400;
            if (k == 5) major = ch - '0';
            else minor = ch - '0';
        } else if (ch != (unsigned char)pat[k]) {
            return ND_HTTP_E400;
        }
    }
    unsigned char ch;
    int rc = next(c, &ch);
    if (rc != GOT) return rc;
    rc = line_end(c, ch);
    if (rc != GOT) return rc == NOT_EOL ? ND_HTTP_E400 : rc;
    if (major != 1 || minor > 1) return ND_HTTP_E505;
    r->minor = minor;
    return GOT;
}

/* One header line (GOT), or the blank line that ends the head (HEAD_END). */
static int parse_header(cursor *c, nd_http_req *r)
{
    unsigned char ch;
    int rc = next(c, &ch);
    if (rc != GOT) return rc;
    rc = line_end(c, ch);
    if (rc == GOT) return HEAD_END;
    if (rc != NOT_EOL) return rc;
    if (r->nhdr == ND_HTTP_HEADERS_MAX) return ND_HTTP_E431;
    /* white space before a name is an obsolete line folding (or garbage):
    ** RFC 9112 5.2 lets a server reject it, and we do */
    size_t name_start = c->i - 1;
    while (ch != ':') {
        if (!nd_lex_tchar(ch)) return ND_HTTP_E400; /* includes SP, CR, LF, non-ASCII */
        rc = next(c, &ch);
        if (rc != GOT) return rc;
    }
    size_t name_len = c->i - 1 - name_start;
    if (name_len == 0) return ND_HTTP_E400;

    size_t vstart = c->i, vend = c->i; /* vend: just past the last non-blank byte */
    bool lead = true;
    for (;;) {
        rc = next(c, &ch);
        if (rc != GOT) return rc;
        if (ch == '\r' || ch == '\n') {
            rc = line_end(c, ch);
            if (rc != GOT) return rc;
            break;
        }
        if (ch != '\t' && (ch < 0x20 || ch >= 0x7f)) return ND_HTTP_E400; /* CTL, non-ASCII */
        if (nd_lex_ows(ch)) {
            if (lead) vstart = vend = c->i;
        } else {
            lead = false;
            vend = c->i;
        }
    }
    nd_http_hdr *h = &r->hdr[r->nhdr++];
    h->name = (nd_span){c->b + name_start, name_len};
    h->value = (nd_span){c->b + vstart, vend - vstart};
    return GOT;
}

/* 1*DIGIT; a number beyond int64 is certainly a body we will not take. */
static int parse_length(nd_span v, int64_t *out)
{
    if (v.n == 0) return ND_HTTP_E400;
    int64_t x = 0;
    for (size_t i = 0; i < v.n; i++) {
        unsigned char ch = (unsigned char)v.p[i];
        if (!nd_lex_digit(ch)) return ND_HTTP_E400;
        if (x > (INT64_MAX - (ch - '0')) / 10) return ND_HTTP_E413;
        x = x * 10 + (ch - '0');
    }
    *out = x;
    return GOT;
}

/* The next non-empty element of a comma-separated header list, trimmed,
** from *i on (start at 0); false when there is none (RFC 9110 5.6.1). */
static bool list_next(nd_span v, size_t *i, nd_span *e)
{
    while (*i <= v.n) {
        const char *comma = memchr(v.p + *i, ',', v.n - *i);
        size_t end = comma ? (size_t)(comma - v.p) : v.n;
        *e = nd_lex_trim_ows(v.p + *i, end - *i);
        *i = end + 1;
        if (e->n) return true;
    }
    return false;
}

/* Meaning of the headers the parser itself needs. */
static int interpret(nd_http_req *r)
{
    int conn = 0; /* 1: close seen, 2: keep-alive seen */
    bool have_cl = false, have_te = false;
    nd_span te_last = {NULL, 0}, e;
    for (int i = 0; i < r->nhdr; i++) {
        const nd_http_hdr *h = &r->hdr[i];
        if (nd_span_ieq(h->name, "content-length")) {
            /* even two identical values are refused: one request, one length */
            if (have_cl) return ND_HTTP_E400;
            have_cl = true;
            int rc = parse_length(h->value, &r->content_length);
            if (rc != GOT) return rc;
        } else if (nd_span_ieq(h->name, "transfer-encoding")) {
            have_te = true;
            te_last.n = 0;
            for (size_t k = 0; list_next(h->value, &k, &e);) te_last = e;
        } else if (nd_span_ieq(h->name, "connection")) {
            for (size_t k = 0; list_next(h->value, &k, &e);)
                conn |= nd_span_ieq(e, "close") ? 1 : nd_span_ieq(e, "keep-alive") ? 2 : 0;
        }
    }
    if (have_te) {
        if (have_cl || !nd_span_ieq(te_last, "chunked")) return ND_HTTP_E400;
        r->chunked = true;
    }
    r->keep_alive = (conn & 1) ? false : (conn & 2) ? true : r->minor == 1;
    return GOT;
}

int nd_http_parse(const char *buf, size_t n, size_t body_max, nd_http_req *req)
{
    memset(req, 0, sizeof *req);
    req->content_length = -1;
    cursor c = {buf, n, 0};
    unsigned char ch;
    int rc;

    /* RFC 9112 2.2: ignore empty lines before the request line (some
    ** clients send a CRLF after a POST body on a kept-alive connection) */
    for (;;) {
        rc = next(&c, &ch);
        if (rc != GOT) return rc;
        rc = line_end(&c, ch);
        if (rc == NOT_EOL) break;
        if (rc != GOT) return rc;
    }
    c.i--; /* the method's first byte */

    if ((rc = parse_method(&c, req)) != GOT) return rc;
    if ((rc = parse_target(&c, req)) != GOT) return rc;
    if ((rc = parse_version(&c, req)) != GOT) return rc;
    while ((rc = parse_header(&c, req)) == GOT)
        ; /* at most ND_HTTP_HEADERS_MAX + 1 rounds */
    if (rc != HEAD_END) return rc;
    req->head_len = c.i;
    if ((rc = interpret(req)) != GOT) return rc;

    if (req->content_length > 0 && body_max > 0) {
        if ((uint64_t)req->content_length > (uint64_t)body_max) return ND_HTTP_E413;
        if ((uint64_t)(n - req->head_len) < (uint64_t)req->content_length) return ND_HTTP_MORE;
        req->body = (nd_span){buf + req->head_len, (size_t)req->content_length};
    } else {
        req->body = (nd_span){buf + req->head_len, 0};
    }
    return ND_HTTP_DONE;
}

/* }============================================================ */

/* {============================================================
** Percent-decoding
** ============================================================= */

/* A NUL, raw or as %00, is refused everywhere: every caller wants a C
** string, and a NUL in a file name or command line would cut it short. */
int nd_http_pct_decode(nd_span src, char *dst, size_t cap, size_t *outn, bool plus_space)
{
    size_t o = 0;
    int rc = ND_OK;
    if (outn) *outn = 0;
    if (!dst || cap == 0) return ND_ELIMIT;
    for (size_t i = 0; i < src.n; i++) {
        int ch = (unsigned char)src.p[i];
        if (ch == '%') {
            if ((ch = nd_lex_pct(src, i)) < 0) {
                rc = ND_ESYNTAX;
                break;
            }
            i += 2;
        } else if (ch == '+' && plus_space) {
            ch = ' ';
        } else if (ch == 0) {
            rc = ND_ESYNTAX;
            break;
        }
        if (o + 1 >= cap) { /* keep room for the NUL */
            rc = ND_ELIMIT;
            break;
        }
        dst[o++] = (char)ch;
    }
    if (rc != ND_OK) o = 0; /* no half-decoded output */
    dst[o] = 0;
    if (outn) *outn = o;
    return rc;
}

/* }============================================================ */
