/*
** render.c -- value trees to text, byte for byte as CPython writes them.
**
** micrOS clients parse node replies with Python tools (ast.literal_eval,
** json.loads, plain string compares), so "close enough" output breaks them.
** Three renderers share one walk:
**  - repr: Python repr(): quotes chosen like CPython, shortest round-trip
**    floats, one-element tuples with a trailing comma;
**  - str:  str(): a top-level string is written raw, anything else as repr;
**  - json: json.dumps() with its defaults (", " / ": " separators,
**    ensure_ascii, NaN/Infinity, non-string keys converted to strings);
**    its strings are text.c's escaper, the one every JSON writer uses.
**
** Non-ASCII in repr: CPython prints printable characters as they are and
** escapes the others (\x85, \xa0, \u200b ...) using its Unicode database.
** We carry only the 27 ranges of assigned non-printable characters (Unicode
** 14, CPython 3.11); unassigned code points, which CPython also escapes,
** are printed as they are -- that list changes with every Unicode version.
** Bytes that are not valid UTF-8 come out as \xNN in repr and as U+FFFD in
** JSON, so output stays well-formed whatever the value holds.
**
** Every renderer writes as much as it can and returns the first error met:
** ND_ELIMIT when the buffer hit its max, ND_ENOMEM when it could not grow,
** ND_ETYPE for a JSON key json.dumps would refuse (written as its str()).
*/
#include "nodus/value.h"
#include "text.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Deeper trees are cut with "..." (and ND_ELIMIT): a value built by C code
** could contain itself, and the node's stack is small. */
#define RENDER_MAX_DEPTH 64

enum { MODE_REPR, MODE_JSON };

/* Keep the first error, as every renderer promises. */
static int first(int rc, int r)
{
    return rc != ND_OK ? rc : r;
}

/* ---- floats ------------------------------------------------------------ */

/* Does the decimal `digits` x 10^exp10 read back as exactly f? */
static bool reads_back(const char *digits, int exp10, double f)
{
    char buf[48];
    snprintf(buf, sizeof buf, "%se%d", digits, exp10);
    return strtod(buf, NULL) == f;
}

/* Add (+1) or subtract (-1) one unit in the last place of a string of
** decimal digits, in place. A borrow past the front leaves a leading zero,
** a carry past the front returns false (caller treats it as "no candidate"
** because the shorter spelling was already tried). */
static bool digits_step(char *d, size_t nd, int step)
{
    for (size_t i = nd; i-- > 0;) {
        if (step > 0) {
            if (d[i] != '9') {
                d[i]++;
                return true;
            }
            d[i] = '0';
        } else {
            if (d[i] != '0') {
                d[i]--;
                return true;
            }
            d[i] = '9';
        }
    }
    return false;
}

/* Shortest decimal digits D (no leading or trailing zeros) and exponent e
** such that 0.D x 10^decpt reads back as f (finite, > 0). This is what
** CPython's repr computes with David Gay's dtoa (mode 0); we get there by
** trying precisions 1..17 with the C library's correctly rounded printf and
** strtod. At a power of two the round-trip interval is lopsided, so when the
** nearest p-digit decimal fails, its two neighbours are tried too: one of
** them may lie inside the wider half, and Gay's algorithm would pick it.
** Cost: at most 17 x 3 printf/strtod pairs per float -- fine for replies.
** Relies on the "C" locale's decimal point, as the whole node does. */
static void float_shortest(double f, char *out, size_t *nout, int *decpt)
{
    char buf[40];
    for (int p = 1; p <= 17; p++) {
        snprintf(buf, sizeof buf, "%.*e", p - 1, f);
        /* buf = d[.ddd]e[+-]XX */
        char d[24];
        size_t nd = 0;
        const char *s = buf;
        for (; *s && *s != 'e'; s++)
            if (*s >= '0' && *s <= '9') d[nd++] = *s;
        d[nd] = 0;
        int e = atoi(s + 1); /* exponent of the first digit */
        int scale = e - (int)(nd - 1);
        const char *pick = NULL;
        char up[24], dn[24];
        if (reads_back(d, scale, f)) {
            pick = d;
        } else {
            memcpy(up, d, nd + 1);
            memcpy(dn, d, nd + 1);
            if (digits_step(up, nd, +1) && reads_back(up, scale, f))
                pick = up;
            else if (digits_step(dn, nd, -1) && reads_back(dn, scale, f))
                pick = dn;
        }
        if (!pick) continue;
        /* Normalise: a borrow may have left a leading zero, a carry or the
        ** neighbour trailing zeros. */
        size_t lead = 0;
        while (lead + 1 < nd && pick[lead] == '0') lead++;
        size_t len = nd - lead;
        while (len > 1 && pick[lead + len - 1] == '0') len--;
        memcpy(out, pick + lead, len);
        out[len] = 0;
        *nout = len;
        *decpt = scale + (int)(nd - lead); /* digits count from the point */
        return;
    }
    /* Unreachable: 17 significant digits always read back. */
    snprintf(buf, sizeof buf, "%.16e", f);
    out[0] = buf[0];
    out[1] = 0;
    *nout = 1;
    *decpt = 1;
}

int nd_render_float(nd_buf *b, double f)
{
    if (isnan(f)) return nd_buf_puts(b, "nan"); /* Python drops nan's sign */
    if (isinf(f)) return nd_buf_puts(b, f < 0 ? "-inf" : "inf");
    if (f == 0.0) return nd_buf_puts(b, signbit(f) ? "-0.0" : "0.0");
    char d[24], out[64];
    size_t nd;
    int decpt;
    float_shortest(fabs(f), d, &nd, &decpt);
    size_t o = 0;
    if (f < 0) out[o++] = '-';
    /* CPython's repr switches to exponent form when decpt <= -4 or
    ** decpt > 16, i.e. a scientific exponent < -4 or >= 16. */
    if (decpt <= -4 || decpt > 16) {
        out[o++] = d[0];
        if (nd > 1) {
            out[o++] = '.';
            memcpy(out + o, d + 1, nd - 1);
            o += nd - 1;
        }
        int e = decpt - 1;
        o += (size_t)snprintf(out + o, sizeof out - o, "e%c%02d", e < 0 ? '-' : '+', e < 0 ? -e : e);
    } else if (decpt <= 0) {
        out[o++] = '0';
        out[o++] = '.';
        for (int i = 0; i < -decpt; i++) out[o++] = '0';
        memcpy(out + o, d, nd);
        o += nd;
    } else if ((size_t)decpt >= nd) {
        memcpy(out + o, d, nd);
        o += nd;
        for (size_t i = nd; i < (size_t)decpt; i++) out[o++] = '0';
        out[o++] = '.';
        out[o++] = '0';
    } else {
        memcpy(out + o, d, (size_t)decpt);
        o += (size_t)decpt;
        out[o++] = '.';
        memcpy(out + o, d + decpt, nd - (size_t)decpt);
        o += nd - (size_t)decpt;
    }
    return nd_buf_put(b, out, o);
}

static int json_float(nd_buf *b, double f)
{
    if (isnan(f)) return nd_buf_puts(b, "NaN");
    if (isinf(f)) return nd_buf_puts(b, f < 0 ? "-Infinity" : "Infinity");
    return nd_render_float(b, f);
}

/* ---- strings ----------------------------------------------------------- */

/* Assigned code points >= 0x80 that str.isprintable() rejects (categories
** Cc, Cf, Zs, Zl, Zp, Co), from CPython 3.11's unicodedata. */
static const uint32_t nonprint[][2] = {
    {0x80, 0xa0},       {0xad, 0xad},       {0x600, 0x605},     {0x61c, 0x61c},
    {0x6dd, 0x6dd},     {0x70f, 0x70f},     {0x890, 0x891},     {0x8e2, 0x8e2},
    {0x1680, 0x1680},   {0x180e, 0x180e},   {0x2000, 0x200f},   {0x2028, 0x202f},
    {0x205f, 0x2064},   {0x2066, 0x206f},   {0x3000, 0x3000},   {0xe000, 0xf8ff},
    {0xfeff, 0xfeff},   {0xfff9, 0xfffb},   {0x110bd, 0x110bd}, {0x110cd, 0x110cd},
    {0x13430, 0x13438}, {0x1bca0, 0x1bca3}, {0x1d173, 0x1d17a}, {0xe0001, 0xe0001},
    {0xe0020, 0xe007f}, {0xf0000, 0xffffd}, {0x100000, 0x10fffd},
};

static bool printable(uint32_t cp)
{
    for (size_t k = 0; k < sizeof nonprint / sizeof nonprint[0]; k++)
        if (cp >= nonprint[k][0] && cp <= nonprint[k][1]) return false;
    return true;
}

static int repr_str(nd_buf *b, const char *p, size_t n)
{
    if (!p) p = "", n = 0;
    bool sq = n && memchr(p, '\'', n), dq = n && memchr(p, '"', n);
    char q = sq && !dq ? '"' : '\'';
    int rc = nd_buf_putc(b, q);
    const unsigned char *s = (const unsigned char *)p;
    size_t run = 0; /* start of the pending stretch that needs no escape */
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        size_t len = 1;
        char esc[16];
        const char *e = NULL;
        if (c == (unsigned char)q || c == '\\') {
            esc[0] = '\\', esc[1] = (char)c, esc[2] = 0, e = esc;
        } else if (c == '\n') {
            e = "\\n";
        } else if (c == '\r') {
            e = "\\r";
        } else if (c == '\t') {
            e = "\\t";
        } else if (c < 0x20 || c == 0x7f) {
            snprintf(esc, sizeof esc, "\\x%02x", c), e = esc;
        } else if (c >= 0x80) {
            uint32_t cp;
            int l = nd_utf8_next(p + i, n - i, &cp);
            if (l > 0) len = (size_t)l;
            if (l < 0) {
                snprintf(esc, sizeof esc, "\\x%02x", c), e = esc;
            } else if (!printable(cp)) {
                if (cp < 0x100) snprintf(esc, sizeof esc, "\\x%02x", (unsigned)cp);
                else if (cp < 0x10000) snprintf(esc, sizeof esc, "\\u%04x", (unsigned)cp);
                else snprintf(esc, sizeof esc, "\\U%08x", (unsigned)cp);
                e = esc;
            }
        }
        if (e) {
            rc = first(rc, nd_buf_put(b, s + run, i - run));
            rc = first(rc, nd_buf_puts(b, e));
            run = i + len;
        }
        i += len;
    }
    rc = first(rc, nd_buf_put(b, s + run, n - run));
    return first(rc, nd_buf_putc(b, q));
}

/* ---- the walk ---------------------------------------------------------- */

static int render(nd_buf *b, const nd_value *v, int mode, int depth);

/* json.dumps converts the scalar key types to strings and refuses the rest. */
static int json_key(nd_buf *b, const nd_value *k, int depth)
{
    if (!k) return nd_buf_puts(b, "\"null\""); /* NULL stands for None */
    switch (k->type) {
    case ND_T_STR: return nd_json_escape(b, k->u.s.p, k->u.s.n);
    case ND_T_NONE: return nd_buf_puts(b, "\"null\"");
    case ND_T_BOOL: return nd_buf_puts(b, k->u.b ? "\"true\"" : "\"false\"");
    case ND_T_INT: return nd_buf_printf(b, "\"%lld\"", (long long)k->u.i);
    case ND_T_FLOAT: {
        int rc = nd_buf_putc(b, '"');
        rc = first(rc, json_float(b, k->u.f));
        return first(rc, nd_buf_putc(b, '"'));
    }
    default: {
        /* A tuple key: json.dumps raises TypeError. Write its repr as a
        ** string so the output stays valid JSON, and say so. */
        nd_buf tmp;
        nd_buf_init(&tmp, b->max);
        int rc = render(&tmp, k, MODE_REPR, depth + 1);
        rc = first(rc, nd_json_escape(b, tmp.p ? tmp.p : "", tmp.n));
        nd_buf_free(&tmp);
        return first(rc, ND_ETYPE);
    }
    }
}

static int render(nd_buf *b, const nd_value *v, int mode, int depth)
{
    bool json = mode == MODE_JSON;
    if (depth > RENDER_MAX_DEPTH) return first(nd_buf_puts(b, "..."), ND_ELIMIT);
    if (!v) return nd_buf_puts(b, json ? "null" : "None");
    int rc = ND_OK;
    switch (v->type) {
    case ND_T_NONE: return nd_buf_puts(b, json ? "null" : "None");
    case ND_T_BOOL:
        return nd_buf_puts(b, json ? (v->u.b ? "true" : "false") : (v->u.b ? "True" : "False"));
    case ND_T_INT: return nd_buf_printf(b, "%lld", (long long)v->u.i);
    case ND_T_FLOAT: return json ? json_float(b, v->u.f) : nd_render_float(b, v->u.f);
    case ND_T_STR: return json ? nd_json_escape(b, v->u.s.p, v->u.s.n) : repr_str(b, v->u.s.p, v->u.s.n);
    case ND_T_LIST:
    case ND_T_TUPLE: {
        bool tuple = v->type == ND_T_TUPLE && !json;
        rc = nd_buf_putc(b, tuple ? '(' : '[');
        for (size_t i = 0; i < v->u.seq.n; i++) {
            if (i) rc = first(rc, nd_buf_put(b, ", ", 2));
            rc = first(rc, render(b, v->u.seq.v[i], mode, depth + 1));
        }
        if (tuple && v->u.seq.n == 1) rc = first(rc, nd_buf_putc(b, ','));
        return first(rc, nd_buf_putc(b, tuple ? ')' : ']'));
    }
    case ND_T_DICT:
        rc = nd_buf_putc(b, '{');
        for (size_t i = 0; i < v->u.seq.n; i++) {
            if (i) rc = first(rc, nd_buf_put(b, ", ", 2));
            const nd_value *k = v->u.seq.v[2 * i];
            if (json)
                rc = first(rc, json_key(b, k, depth));
            else
                rc = first(rc, render(b, k, mode, depth + 1));
            rc = first(rc, nd_buf_put(b, ": ", 2));
            rc = first(rc, render(b, v->u.seq.v[2 * i + 1], mode, depth + 1));
        }
        return first(rc, nd_buf_putc(b, '}'));
    default: return first(nd_buf_puts(b, json ? "null" : "None"), ND_ETYPE);
    }
}

int nd_render_repr(nd_buf *b, const nd_value *v)
{
    return render(b, v, MODE_REPR, 0);
}

int nd_render_str(nd_buf *b, const nd_value *v)
{
    if (v && v->type == ND_T_STR) return nd_buf_put(b, v->u.s.p, v->u.s.n);
    return render(b, v, MODE_REPR, 0);
}

int nd_render_json(nd_buf *b, const nd_value *v)
{
    return render(b, v, MODE_JSON, 0);
}

int nd_render_reply(nd_buf *b, const nd_value *v, bool json, bool is_help)
{
    if (v && v->type == ND_T_DICT) {
        if (json) return nd_render_json(b, v);
        /* micrOS: '\n'.join(f" {key}: {value}" for key, value in d.items()) */
        int rc = ND_OK;
        for (size_t i = 0; i < v->u.seq.n; i++) {
            if (i) rc = first(rc, nd_buf_putc(b, '\n'));
            rc = first(rc, nd_buf_putc(b, ' '));
            rc = first(rc, nd_render_str(b, v->u.seq.v[2 * i]));
            rc = first(rc, nd_buf_put(b, ": ", 2));
            rc = first(rc, nd_render_str(b, v->u.seq.v[2 * i + 1]));
        }
        return rc;
    }
    if (is_help && v && (v->type == ND_T_LIST || v->type == ND_T_TUPLE)) {
        if (json) return nd_render_json(b, v);
        int rc = ND_OK;
        for (size_t i = 0; i < v->u.seq.n; i++) {
            if (i) rc = first(rc, nd_buf_putc(b, '\n'));
            rc = first(rc, nd_buf_putc(b, ' '));
            rc = first(rc, nd_render_str(b, v->u.seq.v[i]));
            rc = first(rc, nd_buf_putc(b, ','));
        }
        return rc;
    }
    return nd_render_str(b, v);
}
