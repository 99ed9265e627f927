/*
** http.c -- HTTP/1.x request parsing, micrOS's REST tokeniser, file path
** normalisation and a streaming multipart/form-data parser (see http.h).
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
#include <stdio.h>
#include <string.h>

#include "http.h"

/* ---- character classes (ASCII only; no locale-dependent ctype) ---------- */

static bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static bool is_alpha(unsigned char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
static bool is_ows(unsigned char c) { return c == ' ' || c == '\t'; }
static unsigned char lower(unsigned char c) { return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c; }

/* token characters of RFC 9110 5.6.2: method and header names */
static bool is_tchar(unsigned char c)
{
    return is_digit(c) || is_alpha(c) || (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int hexval(unsigned char c)
{
    if (is_digit(c)) return c - '0';
    c = lower(c);
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

bool nd_http_span_ieq(nd_span s, const char *lit)
{
    size_t n = strlen(lit);
    if (s.n != n) return false;
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)s.p[i]) != lower((unsigned char)lit[i])) return false;
    return true;
}

static nd_span trim_ows(const char *p, size_t n)
{
    while (n && is_ows((unsigned char)*p)) p++, n--;
    while (n && is_ows((unsigned char)p[n - 1])) n--;
    return (nd_span){p, n};
}

const nd_http_hdr *nd_http_header(const nd_http_req *req, const char *name)
{
    if (!req || !name) return NULL;
    int n = req->nhdr < ND_HTTP_HEADERS_MAX ? req->nhdr : ND_HTTP_HEADERS_MAX;
    for (int i = 0; i < n; i++)
        if (nd_http_span_ieq(req->hdr[i].name, name)) return &req->hdr[i];
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

static const char *const method_names[] = {
    [ND_HTTP_GET] = "GET",       [ND_HTTP_HEAD] = "HEAD",     [ND_HTTP_POST] = "POST",
    [ND_HTTP_PUT] = "PUT",       [ND_HTTP_DELETE] = "DELETE", [ND_HTTP_OPTIONS] = "OPTIONS",
};
#define METHOD_LEN_MAX 7 /* "OPTIONS" */

static int parse_method(cursor *c, nd_http_req *r)
{
    char m[METHOD_LEN_MAX];
    size_t k = 0;
    for (;;) {
        unsigned char ch;
        int rc = next(c, &ch);
        if (rc != GOT) return rc;
        if (ch == ' ') break;
        if (!is_tchar(ch)) return ND_HTTP_E400;
        /* a well-formed token longer than any method we know: it is some
        ** method (PROPFIND, ...), just not one of ours */
        if (k == METHOD_LEN_MAX) return ND_HTTP_E405;
        m[k++] = (char)ch;
    }
    if (k == 0) return ND_HTTP_E400;
    for (size_t i = 0; i < sizeof method_names / sizeof method_names[0]; i++) {
        if (strlen(method_names[i]) == k && memcmp(method_names[i], m, k) == 0) {
            r->method = (int)i;
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
            if (!is_digit(ch)) return ND_HTTP_E400;
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
        if (!is_tchar(ch)) return ND_HTTP_E400; /* includes SP, CR, LF, non-ASCII */
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
        if (is_ows(ch)) {
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
        if (!is_digit(ch)) return ND_HTTP_E400;
        if (x > (INT64_MAX - (ch - '0')) / 10) return ND_HTTP_E413;
        x = x * 10 + (ch - '0');
    }
    *out = x;
    return GOT;
}

/* Calls fn for each element of a comma-separated header list, trimmed;
** empty elements are skipped (RFC 9110 5.6.1). */
static void list_each(nd_span v, void (*fn)(nd_span e, void *ud), void *ud)
{
    size_t i = 0;
    while (i <= v.n) {
        const char *comma = memchr(v.p + i, ',', v.n - i);
        size_t end = comma ? (size_t)(comma - v.p) : v.n;
        nd_span e = trim_ows(v.p + i, end - i);
        if (e.n) fn(e, ud);
        i = end + 1;
    }
}

static void conn_token(nd_span e, void *ud)
{
    int *flags = ud;
    if (nd_http_span_ieq(e, "close")) *flags |= 1;
    else if (nd_http_span_ieq(e, "keep-alive")) *flags |= 2;
}

static void last_token(nd_span e, void *ud) { *(nd_span *)ud = e; }

/* Meaning of the headers the parser itself needs. */
static int interpret(nd_http_req *r)
{
    int conn = 0; /* 1: close seen, 2: keep-alive seen */
    bool have_cl = false, have_te = false;
    nd_span te_last = {NULL, 0};
    for (int i = 0; i < r->nhdr; i++) {
        const nd_http_hdr *h = &r->hdr[i];
        if (nd_http_span_ieq(h->name, "content-length")) {
            /* even two identical values are refused: one request, one length */
            if (have_cl) return ND_HTTP_E400;
            have_cl = true;
            int rc = parse_length(h->value, &r->content_length);
            if (rc != GOT) return rc;
        } else if (nd_http_span_ieq(h->name, "transfer-encoding")) {
            have_te = true;
            te_last.n = 0;
            list_each(h->value, last_token, &te_last);
        } else if (nd_http_span_ieq(h->name, "connection")) {
            list_each(h->value, conn_token, &conn);
        }
    }
    if (have_te) {
        if (have_cl || !nd_http_span_ieq(te_last, "chunked")) return ND_HTTP_E400;
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
** Percent-decoding and the REST tokeniser
** ============================================================= */

/* Decodes "%XX" at s[i] (i indexes the '%'); -1 when invalid, truncated,
** or %00 (see nd_http_pct_decode). */
static int pct_at(nd_span s, size_t i)
{
    if (s.n - i < 3) return -1;
    int hi = hexval((unsigned char)s.p[i + 1]), lo = hexval((unsigned char)s.p[i + 2]);
    if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) return -1;
    return hi * 16 + lo;
}

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
            if ((ch = pct_at(src, i)) < 0) {
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

/* Output of the tokeniser: bounded, remembers overflow. */
typedef struct tokw {
    char *p;
    size_t cap, n;
    bool over;
} tokw;

static void tok_put(tokw *w, char ch)
{
    if (w->n + 1 >= w->cap) w->over = true;
    else w->p[w->n++] = ch;
}

static bool ieq_at(nd_span s, size_t i, const char *lit)
{
    size_t n = strlen(lit);
    return s.n - i >= n && nd_http_span_ieq((nd_span){s.p + i, n}, lit);
}

static int tok_fail(int rc, char *out, size_t cap, size_t *outn, char *err, size_t errn, const char *msg,
                    size_t pos)
{
    if (cap) out[0] = 0;
    if (outn) *outn = 0;
    if (err && errn) snprintf(err, errn, "%s at %zu", msg, pos);
    return rc;
}

int nd_rest_tokenize(nd_span path, char *out, size_t cap, size_t *outn, char *err, size_t errn)
{
    tokw w = {out, out ? cap : 0, 0, false};
    bool in_tok = false, in_quote = false;
    size_t quote_pos = 0;
    if (err && errn) err[0] = 0;
    if (outn) *outn = 0;
    if (!w.cap) return ND_ELIMIT;

    for (size_t i = 0; i < path.n;) {
        size_t at = i;
        int ch = (unsigned char)path.p[i];
        bool raw = true;
        if (ch == '%') {
            raw = false;
            /* typographic quotes, as phones' "smart punctuation" types them */
            if (ieq_at(path, i, "%E2%80%9C") || ieq_at(path, i, "%E2%80%9D")) {
                ch = '"';
                i += 9;
            } else if ((ch = pct_at(path, i)) < 0) {
                return tok_fail(ND_ESYNTAX, out, cap, outn, err, errn, "bad escape", at);
            } else {
                i += 3;
            }
        } else if (ch == 0) {
            return tok_fail(ND_ESYNTAX, out, cap, outn, err, errn, "NUL byte", at);
        } else {
            i++;
        }

        /* only a '/' the client left unescaped separates: %2F is data */
        if (raw && ch == '/' && !in_quote) {
            in_tok = false;
            continue;
        }
        if (ch == '"' && in_quote) { /* closing quote ends the token */
            tok_put(&w, '"');
            in_quote = in_tok = false;
            continue;
        }
        if (ch == '"') {
            /* a quoted text is a token of its own, except as the value
            ** of a keyword: text="a b" */
            if (in_tok && !(w.n && w.p[w.n - 1] == '=')) in_tok = false;
            in_quote = true;
            quote_pos = at;
        }
        if (!in_tok) {
            if (w.n) tok_put(&w, ' ');
            in_tok = true;
        }
        tok_put(&w, (char)ch);
    }
    if (in_quote) return tok_fail(ND_ESYNTAX, out, cap, outn, err, errn, "unbalanced quote", quote_pos);
    if (w.over) return tok_fail(ND_ELIMIT, out, cap, outn, err, errn, "command too long", path.n);
    w.p[w.n] = 0;
    if (outn) *outn = w.n;
    return ND_OK;
}

/* }============================================================ */

/* {============================================================
** File paths
** ============================================================= */

static bool is_name_char(unsigned char c)
{
    return is_alpha(c) || is_digit(c) || c == '.' || c == '_' || c == '-';
}

/* Walks the segments of in[0..n) right to left: a ".." drops the nearest
** kept segment to its left, so only segments that survive are ever
** written (a long path that resolves to a short one fits a short buffer).
** With out, writes the result so that it ends at out[len]; returns the
** result's length, or SIZE_MAX when a ".." would leave the root. */
static size_t resolve(const char *in, size_t n, char *out, size_t len)
{
    size_t got = 0, skip = 0, e = n;
    for (;;) {
        size_t s = e;
        while (s > 0 && in[s - 1] != '/') s--;
        size_t sl = e - s;
        if (sl == 0 || (sl == 1 && in[s] == '.')) {
            /* empty or "." segment: nothing */
        } else if (sl == 2 && in[s] == '.' && in[s + 1] == '.') {
            skip++;
        } else if (skip) {
            skip--;
        } else {
            if (got) {
                got++;
                if (out) out[len - got] = '/';
            }
            got += sl;
            if (out) memcpy(out + len - got, in + s, sl);
        }
        if (s == 0) break;
        e = s - 1;
    }
    return skip ? SIZE_MAX : got;
}

int nd_http_safe_path(const char *in, char *out, size_t cap)
{
    if (!out || cap == 0) return ND_ELIMIT;
    out[0] = 0;
    if (!in || in[0] == '/') return ND_EINVAL;
    size_t n = 0;
    for (; in[n]; n++)
        if (in[n] != '/' && !is_name_char((unsigned char)in[n])) return ND_EINVAL;
    size_t len = resolve(in, n, NULL, 0);
    if (len == SIZE_MAX) return ND_EINVAL;
    if (len >= cap) return ND_ELIMIT;
    resolve(in, n, out, len);
    out[len] = 0;
    return ND_OK;
}

/* }============================================================ */

/* {============================================================
** multipart/form-data
**
** The delimiter D is "\r\n" + m->boundary ("--" + boundary). A boundary
** has no CR (RFC 2046 bchars), so the only CR in D is its first byte: when
** a partial match fails, the held bytes are plain data and only the
** failing byte itself can start a new match. That makes the matcher a
** counter (holdn) plus a copy of the held bytes (hold) to emit as data.
** The body is treated as if preceded by "\r\n", so the first boundary at
** the very start is found by the same matcher, and a preamble is skipped.
** ============================================================= */

enum {
    MP_PRE,    /* preamble: looking for the first delimiter */
    MP_AFTER,  /* just after a delimiter: "--", padding or CRLF follows */
    MP_DASH,   /* one '-' of the closing "--" seen */
    MP_PAD,    /* transport padding (SP/HTAB) before the CRLF */
    MP_LF,     /* CR seen after the delimiter, LF must follow */
    MP_HDR,    /* in a part header line */
    MP_HDR_LF, /* CR seen in the header block, LF must follow */
    MP_DATA,   /* part data */
    MP_EPI,    /* after the closing delimiter: epilogue, ignored */
};            /* negative: a sticky error code */

/* bchars of RFC 2046 5.1.1 */
static bool is_bchar(unsigned char c)
{
    return is_alpha(c) || is_digit(c) || (c != 0 && strchr("'()+_,-./:=? ", c) != NULL);
}

/* Finds parameter `key` in a header value `type; k=v; k2="v 2"` and
** unquotes its value into out. Inside quotes only \" and \\ are escapes:
** browsers send other backslashes literally (Windows paths) and percent-
** encode '"' (WHATWG), curl escapes '"' and '\'. Returns GOT, 0 when
** absent, ND_ESYNTAX (unterminated quote, value does not fit). The first
** occurrence wins; "filename*" (RFC 5987) is a different key and ignored. */
static int param_get(nd_span v, const char *key, char *out, size_t cap)
{
    const char *semi = memchr(v.p, ';', v.n);
    size_t i = semi ? (size_t)(semi - v.p) + 1 : v.n;
    while (i < v.n) {
        while (i < v.n && (is_ows((unsigned char)v.p[i]) || v.p[i] == ';')) i++;
        size_t ks = i;
        while (i < v.n && v.p[i] != '=' && v.p[i] != ';') i++;
        nd_span k = trim_ows(v.p + ks, i - ks);
        if (i >= v.n || v.p[i] == ';') continue; /* a parameter without value */
        i++;
        while (i < v.n && is_ows((unsigned char)v.p[i])) i++;
        bool want = nd_http_span_ieq(k, key);
        size_t o = 0;
        if (i < v.n && v.p[i] == '"') {
            for (i++;; i++) {
                if (i >= v.n) return ND_ESYNTAX;
                char ch = v.p[i];
                if (ch == '"') break;
                if (ch == '\\' && i + 1 < v.n && (v.p[i + 1] == '"' || v.p[i + 1] == '\\')) ch = v.p[++i];
                if (want) {
                    if (o + 1 >= cap) return ND_ESYNTAX;
                    out[o++] = ch;
                }
            }
            i++;
            while (i < v.n && v.p[i] != ';') i++; /* tolerate junk after the quote */
        } else {
            size_t vs = i;
            while (i < v.n && v.p[i] != ';') i++;
            nd_span t = trim_ows(v.p + vs, i - vs);
            if (want) {
                if (t.n + 1 > cap) return ND_ESYNTAX;
                memcpy(out, t.p, t.n);
                o = t.n;
            }
        }
        if (want) {
            out[o] = 0;
            return GOT;
        }
    }
    return 0;
}

int nd_mpart_init(nd_mpart *m, nd_span content_type, const nd_mpart_cb *cb, void *ud)
{
    memset(m, 0, sizeof *m);
    m->cb = cb;
    m->ud = ud;
    m->state = ND_ESYNTAX; /* until proven valid */
    if (!content_type.p) return ND_ESYNTAX;
    const char *semi = memchr(content_type.p, ';', content_type.n);
    nd_span type = trim_ows(content_type.p, semi ? (size_t)(semi - content_type.p) : content_type.n);
    if (!nd_http_span_ieq(type, "multipart/form-data")) return ND_ESYNTAX;
    char b[72]; /* 70 bchars, NUL, and one more to notice a longer one */
    if (param_get(content_type, "boundary", b, sizeof b) != GOT) return ND_ESYNTAX;
    size_t bl = strlen(b);
    if (bl < 1 || bl > 70 || b[bl - 1] == ' ') return ND_ESYNTAX;
    for (size_t i = 0; i < bl; i++)
        if (!is_bchar((unsigned char)b[i])) return ND_ESYNTAX;
    memcpy(m->boundary, "--", 2);
    memcpy(m->boundary + 2, b, bl + 1);
    m->blen = bl + 2;
    memcpy(m->hold, "\r\n", 2); /* as if the body followed a line end */
    m->holdn = 2;
    m->state = MP_PRE;
    return ND_OK;
}

static int mp_fail(nd_mpart *m, int rc)
{
    m->state = rc < 0 ? rc : ND_ERR;
    return m->state;
}

/* Data bytes: delivered in MP_DATA, dropped in the preamble. */
static int mp_emit(nd_mpart *m, const char *p, size_t n)
{
    if (m->state != MP_DATA || n == 0 || !m->cb || !m->cb->part_data) return ND_OK;
    return m->cb->part_data(m->ud, p, n);
}

static char delim_at(const nd_mpart *m, size_t k)
{
    return k < 2 ? "\r\n"[k] : m->boundary[k - 2];
}

/* A complete part header line in m->hline. */
static int mp_header(nd_mpart *m)
{
    nd_span line = {m->hline, m->hlinen};
    const char *colon = memchr(line.p, ':', line.n);
    if (!colon) return ND_ESYNTAX;
    nd_span name = trim_ows(line.p, (size_t)(colon - line.p));
    if (name.n == 0) return ND_ESYNTAX;
    for (size_t i = 0; i < name.n; i++)
        if (!is_tchar((unsigned char)name.p[i])) return ND_ESYNTAX;
    if (!nd_http_span_ieq(name, "content-disposition")) return ND_OK; /* Content-Type ...: not needed */
    nd_span v = trim_ows(colon + 1, line.n - (size_t)(colon + 1 - line.p));
    m->filename[0] = m->name[0] = 0;
    if (param_get(v, "filename", m->filename, sizeof m->filename) < 0) return ND_ESYNTAX;
    if (param_get(v, "name", m->name, sizeof m->name) < 0) return ND_ESYNTAX;
    return ND_OK;
}

/* One byte in a state other than MP_PRE, MP_DATA and MP_EPI. */
static int mp_step(nd_mpart *m, unsigned char ch)
{
    int rc;
    switch (m->state) {
    case MP_AFTER:
        if (ch == '-') m->state = MP_DASH;
        else if (is_ows(ch)) m->state = MP_PAD;
        else if (ch == '\r') m->state = MP_LF;
        else return ND_ESYNTAX;
        return ND_OK;
    case MP_DASH:
        if (ch != '-') return ND_ESYNTAX;
        m->state = MP_EPI;
        return ND_OK;
    case MP_PAD:
        if (ch == '\r') m->state = MP_LF;
        else if (!is_ows(ch)) return ND_ESYNTAX;
        return ND_OK;
    case MP_LF:
        if (ch != '\n') return ND_ESYNTAX;
        m->state = MP_HDR;
        m->hlinen = 0;
        m->filename[0] = m->name[0] = 0;
        return ND_OK;
    case MP_HDR:
        if (ch == '\r') {
            m->state = MP_HDR_LF;
            return ND_OK;
        }
        /* UTF-8 file names are fine; control bytes and bare LF are not */
        if ((ch < 0x20 && ch != '\t') || ch == 0x7f) return ND_ESYNTAX;
        if (m->hlinen + 1 >= sizeof m->hline) return ND_ESYNTAX;
        m->hline[m->hlinen++] = (char)ch;
        return ND_OK;
    case MP_HDR_LF:
        if (ch != '\n') return ND_ESYNTAX;
        if (m->hlinen == 0) { /* blank line: the data follows */
            m->state = MP_DATA;
            m->holdn = 0;
            if (m->cb && m->cb->part_begin) return m->cb->part_begin(m->ud, m->filename, m->name);
            return ND_OK;
        }
        m->hline[m->hlinen] = 0;
        rc = mp_header(m);
        m->hlinen = 0;
        m->state = MP_HDR;
        return rc;
    default: /* MP_PRE, MP_DATA, MP_EPI are the caller's; not reached */
        return ND_ESYNTAX;
    }
}

int nd_mpart_feed(nd_mpart *m, const char *p, size_t n)
{
    size_t run = 0; /* start of data bytes not yet emitted nor held */
    size_t dl = m->blen + 2;
    int rc;
    if (m->state < 0) return m->state;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)p[i];
        if (m->state == MP_EPI) return ND_OK; /* rest of the body ignored */
        if (m->state != MP_PRE && m->state != MP_DATA) {
            if ((rc = mp_step(m, ch)) != ND_OK) return mp_fail(m, rc);
            run = i + 1;
            continue;
        }
        if (ch == (unsigned char)delim_at(m, m->holdn)) {
            if (m->holdn == 0 && (rc = mp_emit(m, p + run, i - run)) != ND_OK) return mp_fail(m, rc);
            m->hold[m->holdn++] = (char)ch;
            run = i + 1;
            if (m->holdn < dl) continue;
            m->holdn = 0; /* delimiter complete */
            if (m->state == MP_DATA && m->cb && m->cb->part_end && (rc = m->cb->part_end(m->ud)) != ND_OK)
                return mp_fail(m, rc);
            m->state = MP_AFTER;
            continue;
        }
        if (m->holdn) { /* not a delimiter after all: the held bytes are data */
            if ((rc = mp_emit(m, m->hold, m->holdn)) != ND_OK) return mp_fail(m, rc);
            m->holdn = 0;
            run = i;
            if (ch == '\r') {
                m->hold[m->holdn++] = (char)ch;
                run = i + 1;
            }
        }
    }
    if (m->state == MP_DATA && (rc = mp_emit(m, p + run, n - run)) != ND_OK) return mp_fail(m, rc);
    return ND_OK;
}

int nd_mpart_finish(nd_mpart *m)
{
    if (m->state < 0) return m->state;
    return m->state == MP_EPI ? ND_OK : ND_ESYNTAX;
}

/* }============================================================ */
