/*
** multipart.c -- a streaming multipart/form-data parser (see multipart.h).
**
** The delimiter D is "\r\n" + m->boundary ("--" + boundary). A boundary
** has no CR (RFC 2046 bchars), so the only CR in D is its first byte: when
** a partial match fails, the held bytes are plain data and only the
** failing byte itself can start a new match. That makes the matcher a
** counter (holdn) plus a copy of the held bytes (hold) to emit as data.
** The body is treated as if preceded by "\r\n", so the first boundary at
** the very start is found by the same matcher, and a preamble is skipped.
*/
#include <string.h>

#include "http.h"
#include "http_lex.h"
#include "multipart.h"

#define GOT 1 /* param_get(): the parameter is there */

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
    return nd_lex_alpha(c) || nd_lex_digit(c) || (c != 0 && strchr("'()+_,-./:=? ", c) != NULL);
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
        while (i < v.n && (nd_lex_ows((unsigned char)v.p[i]) || v.p[i] == ';')) i++;
        size_t ks = i;
        while (i < v.n && v.p[i] != '=' && v.p[i] != ';') i++;
        nd_span k = nd_lex_trim_ows(v.p + ks, i - ks);
        if (i >= v.n || v.p[i] == ';') continue; /* a parameter without value */
        i++;
        while (i < v.n && nd_lex_ows((unsigned char)v.p[i])) i++;
        bool want = nd_span_ieq(k, key);
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
            nd_span t = nd_lex_trim_ows(v.p + vs, i - vs);
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
    nd_span type = nd_lex_trim_ows(content_type.p, semi ? (size_t)(semi - content_type.p) : content_type.n);
    if (!nd_span_ieq(type, "multipart/form-data")) return ND_ESYNTAX;
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
    nd_span name = nd_lex_trim_ows(line.p, (size_t)(colon - line.p));
    if (name.n == 0) return ND_ESYNTAX;
    for (size_t i = 0; i < name.n; i++)
        if (!nd_lex_tchar((unsigned char)name.p[i])) return ND_ESYNTAX;
    if (!nd_span_ieq(name, "content-disposition")) return ND_OK; /* Content-Type ...: not needed */
    nd_span v = nd_lex_trim_ows(colon + 1, line.n - (size_t)(colon + 1 - line.p));
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
        else if (nd_lex_ows(ch)) m->state = MP_PAD;
        else if (ch == '\r') m->state = MP_LF;
        else return ND_ESYNTAX;
        return ND_OK;
    case MP_DASH:
        if (ch != '-') return ND_ESYNTAX;
        m->state = MP_EPI;
        return ND_OK;
    case MP_PAD:
        if (ch == '\r') m->state = MP_LF;
        else if (!nd_lex_ows(ch)) return ND_ESYNTAX;
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

