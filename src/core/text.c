/*
** text.c -- spans, the UTF-8 decoder and the JSON string escaper (text.h).
**
** One copy of each, on purpose: the literal parser, the renderers, the web
** door, the config store and the widget builder all decode UTF-8 and escape
** JSON strings, and two copies that disagree (one writing UTF-8 raw, one
** \uXXXX) is how a byte-exact contract breaks.
*/
#include "text.h"

#include <stdio.h>
#include <string.h>

/* ---- spans -------------------------------------------------------------- */

nd_span nd_span_of(const char *s)
{
    return (nd_span){s ? s : "", s ? strlen(s) : 0};
}

bool nd_span_eq(nd_span s, const char *lit)
{
    size_t n = strlen(lit);
    return s.n == n && (n == 0 || memcmp(s.p, lit, n) == 0);
}

bool nd_span_ieq(nd_span s, const char *lit)
{
    size_t n = strlen(lit);
    if (s.n != n) return false;
    for (size_t i = 0; i < n; i++)
        if (nd_ascii_lower((unsigned char)s.p[i]) != nd_ascii_lower((unsigned char)lit[i])) return false;
    return true;
}

bool nd_span_prefix(nd_span s, const char *lit)
{
    size_t n = strlen(lit);
    return s.n >= n && (n == 0 || memcmp(s.p, lit, n) == 0);
}

const char *nd_span_chr(nd_span s, char c)
{
    return s.n ? memchr(s.p, c, s.n) : NULL;
}

nd_span nd_span_trim(nd_span s)
{
    while (s.n && nd_is_space(s.p[0])) s.p++, s.n--;
    while (s.n && nd_is_space(s.p[s.n - 1])) s.n--;
    return s;
}

/* ---- UTF-8 -------------------------------------------------------------- */

int nd_utf8_next(const char *s, size_t n, uint32_t *cp)
{
    if (n == 0) return ND_UTF8_END;
    const unsigned char *u = (const unsigned char *)s;
    unsigned c = u[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    /* The second byte's range excludes overlongs, surrogates and > U+10FFFF,
    ** so a wrong one is an invalid continuation byte, as CPython says. */
    int len;
    unsigned lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        if (c == 0xe0) lo = 0xa0; /* overlong */
        if (c == 0xed) hi = 0x9f; /* surrogates */
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        if (c == 0xf0) lo = 0x90; /* overlong */
        if (c == 0xf4) hi = 0x8f; /* > U+10FFFF */
    } else {
        return ND_UTF8_START;
    }
    uint32_t v = c & (0x7fu >> len);
    for (int k = 1; k < len; k++) {
        if ((size_t)k >= n) return ND_UTF8_END;
        unsigned d = u[k];
        if (d < lo || d > hi) return ND_UTF8_CONT;
        lo = 0x80, hi = 0xbf;
        v = (v << 6) | (d & 0x3f);
    }
    *cp = v;
    return len;
}

bool nd_utf8_valid(const char *s, size_t n)
{
    uint32_t cp;
    for (size_t i = 0; i < n;) {
        int l = nd_utf8_next(s + i, n - i, &cp);
        if (l < 0) return false;
        i += (size_t)l;
    }
    return true;
}

size_t nd_utf8_put(char *d, uint32_t cp)
{
    if (cp < 0x80) {
        d[0] = (char)cp;
        return 1;
    }
    size_t n = cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    for (size_t i = n - 1; i > 0; i--, cp >>= 6) d[i] = (char)(0x80 | (cp & 0x3f));
    d[0] = (char)(((0xff00u >> n) & 0xff) | cp); /* lead byte: 110xxxxx, 1110xxxx, 11110xxx */
    return n;
}

size_t nd_utf8_cut(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t j = n, back = 0;
    while (j > 0 && back < 4 && (u[j - 1] & 0xc0) == 0x80) j--, back++;
    if (j == 0) return n;
    unsigned c = u[j - 1];
    size_t need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    return c >= 0xc0 && back + 1 < need ? j - 1 : n;
}

/* ---- JSON strings --------------------------------------------------------- */

static int first(int rc, int r)
{
    return rc != ND_OK ? rc : r;
}

/* The escape json.dumps writes for cp into esc, or NULL when cp is
** printable ASCII and goes out as it is. */
static const char *escape_of(uint32_t cp, char esc[16])
{
    /* the characters with a one-letter escape, and their letters */
    static const char from[] = "\"\\\n\r\t\b\f", to[] = "\"\\nrtbf";
    const char *at = cp && cp < 0x80 ? strchr(from, (int)cp) : NULL;
    if (at) {
        esc[0] = '\\';
        esc[1] = to[at - from];
        esc[2] = 0;
        return esc;
    }
    if (cp >= 0x20 && cp < 0x7f) return NULL;
    char *e = esc;
    if (cp >= 0x10000) { /* ensure_ascii writes a UTF-16 surrogate pair */
        cp -= 0x10000;
        e += snprintf(e, 7, "\\u%04x", (unsigned)(0xd800 + (cp >> 10)) & 0xffff);
        cp = 0xdc00 + (cp & 0x3ff);
    }
    snprintf(e, 7, "\\u%04x", (unsigned)cp & 0xffff);
    return esc;
}

int nd_json_escape_cp(nd_buf *b, uint32_t cp)
{
    char esc[16];
    const char *e = escape_of(cp, esc);
    return e ? nd_buf_puts(b, e) : nd_buf_putc(b, (char)cp);
}

int nd_json_escape_chars(nd_buf *b, const char *p, size_t n)
{
    if (!p) p = "", n = 0;
    int rc = ND_OK;
    size_t run = 0; /* start of the pending stretch that needs no escape */
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        int len = nd_utf8_next(p + i, n - i, &cp);
        if (len < 0) cp = 0xfffd, len = 1; /* one bad byte, one replacement character */
        char esc[16];
        const char *e = escape_of(cp, esc);
        if (e) {
            rc = first(rc, nd_buf_put(b, p + run, i - run));
            rc = first(rc, nd_buf_puts(b, e));
            run = i + (size_t)len;
        }
        i += (size_t)len;
    }
    return first(rc, nd_buf_put(b, p + run, n - run));
}

int nd_json_escape(nd_buf *b, const char *p, size_t n)
{
    int rc = nd_buf_putc(b, '"');
    rc = first(rc, nd_json_escape_chars(b, p, n));
    return first(rc, nd_buf_putc(b, '"'));
}
