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

/* Add (+1) or subtract (-1) one unit in the last place of t, a "%.*e"
** mantissa whose last digit is at t[last] (the point at t[1] is skipped),
** in place. A borrow past the front leaves a leading zero, which strtod
** reads; a carry past the front returns false (caller treats it as "no
** candidate" because the shorter spelling was already tried). */
static bool digits_step(char *t, int last, int step)
{
    for (int i = last; i >= 0; i--) {
        if (t[i] == '.') continue;
        char wrap = step > 0 ? '9' : '0';
        if (t[i] != wrap) {
            t[i] = (char)(t[i] + step);
            return true;
        }
        t[i] = (char)('9' + '0' - wrap);
    }
    return false;
}

/* Shortest decimal digits D (no leading or trailing zeros, returned) and
** exponent such that 0.D x 10^decpt reads back as f (finite, >= 0). This is
** what CPython's repr computes with David Gay's dtoa (mode 0); we get there
** by trying precisions 1..17 with the correctly rounded printf and strtod.
** At a power of two the round-trip interval is lopsided, so when the
** nearest p-digit decimal fails, its two neighbours are tried too: one of
** them may lie inside the wider half, and Gay's algorithm would pick it.
** Cost: at most 17 x 3 printf/strtod pairs per float -- fine for replies.
** Relies on the "C" locale's decimal point, as the whole node does. */
static int float_shortest(double f, char *d, int *decpt)
{
    char buf[40], t[40];
    for (int p = 1;; p++) {
        snprintf(buf, sizeof buf, "%.*e", p - 1, f); /* d[.ddd]e[+-]XX */
        int last = p > 1 ? p : 0;                     /* index of the last digit */
        for (int k = 0; k < 3; k++) {                 /* as printed, one up, one down */
            memcpy(t, buf, sizeof t);
            if (k && !digits_step(t, last, k == 1 ? 1 : -1)) continue;
            if (strtod(t, NULL) != f && p < 17) continue; /* 17 digits always read back */
            /* Normalise: a borrow may have left a leading zero, a carry or the
            ** neighbour trailing zeros. */
            int nd = 0, lead = 0;
            for (int i = 0; i <= last; i++)
                if (t[i] != '.' && (nd || t[i] != '0' || i == last)) d[nd++] = t[i];
                else if (t[i] == '0') lead++;
            while (nd > 1 && d[nd - 1] == '0') nd--;
            *decpt = atoi(t + last + 2) + 1 - lead; /* digits count from the point */
            return nd;
        }
    }
}

/* repr(f), or json.dumps(f): the same but for NaN and Infinity. */
static int put_float(nd_buf *b, double f, bool json)
{
    if (isnan(f)) return nd_buf_puts(b, json ? "NaN" : "nan"); /* Python drops nan's sign */
    if (isinf(f)) {
        int rc = f < 0 ? nd_buf_putc(b, '-') : ND_OK;
        return first(rc, nd_buf_puts(b, json ? "Infinity" : "inf"));
    }
    char d[24], out[64];
    int decpt, nd = float_shortest(fabs(f), d, &decpt);
    int o = 0;
    if (signbit(f)) out[o++] = '-';
    /* CPython's repr switches to exponent form when decpt <= -4 or
    ** decpt > 16, i.e. a scientific exponent < -4 or >= 16. */
    if (decpt <= -4 || decpt > 16) {
        out[o++] = d[0];
        if (nd > 1) out[o++] = '.';
        memcpy(out + o, d + 1, (size_t)nd - 1);
        o += nd - 1;
        o += snprintf(out + o, sizeof out - (size_t)o, "e%+03d", decpt - 1);
    } else {
        /* 0.D x 10^decpt written out: a "0" before the point when decpt <= 0,
        ** zeros up to the point, at least one digit after it ("100.0"). */
        int hi = nd > decpt ? nd : decpt + 1;
        for (int i = decpt > 0 ? 0 : decpt - 1; i < hi; i++) {
            if (i == decpt) out[o++] = '.';
            out[o++] = i >= 0 && i < nd ? d[i] : '0';
        }
    }
    return nd_buf_put(b, out, (size_t)o);
}

int nd_render_float(nd_buf *b, double f)
{
    return put_float(b, f, false);
}

/* ---- strings ----------------------------------------------------------- */

/* Assigned code points >= 0x80 that str.isprintable() rejects (categories
** Cc, Cf, Zs, Zl, Zp, Co), from CPython 3.11's unicodedata: ranges as their
** first code point and how many more follow (two arrays: no padding). */
static const uint32_t nonprint_lo[] = {
    0x80, 0xad, 0x600, 0x61c, 0x6dd, 0x70f, 0x890, 0x8e2, 0x1680, 0x180e, 0x2000, 0x2028, 0x205f,
    0x2066, 0x3000, 0xe000, 0xfeff, 0xfff9, 0x110bd, 0x110cd, 0x13430, 0x1bca0, 0x1d173, 0xe0001,
    0xe0020, 0xf0000, 0x100000,
};
static const uint16_t nonprint_len[] = {
    0x20, 0x0, 0x5, 0x0, 0x0, 0x0, 0x1, 0x0, 0x0, 0x0, 0xf, 0x7, 0x5, 0x9, 0x0, 0x18ff, 0x0, 0x2,
    0x0, 0x0, 0x8, 0x3, 0x7, 0x0, 0x5f, 0xfffd, 0xfffd,
};

static bool printable(uint32_t cp)
{
    for (size_t k = 0; k < sizeof nonprint_lo / sizeof nonprint_lo[0]; k++)
        if (cp - nonprint_lo[k] <= nonprint_len[k]) return false; /* unsigned: cp below lo wraps */
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
        uint32_t x = c; /* escaped as \xXX, \uXXXX or \UXXXXXXXX when hex */
        bool hex = c < 0x20 || c == 0x7f;
        if (c == (unsigned char)q || c == '\\') {
            esc[0] = '\\', esc[1] = (char)c, esc[2] = 0, e = esc;
            hex = false;
        } else if (c == '\n') {
            e = "\\n", hex = false;
        } else if (c == '\r') {
            e = "\\r", hex = false;
        } else if (c == '\t') {
            e = "\\t", hex = false;
        } else if (c >= 0x80) {
            uint32_t cp;
            int l = nd_utf8_next(p + i, n - i, &cp);
            if (l > 0) len = (size_t)l, x = cp;
            hex = l < 0 || !printable(cp);
        }
        if (hex) {
            snprintf(esc, sizeof esc, x < 0x100 ? "\\x%02x" : x < 0x10000 ? "\\u%04x" : "\\U%08x", (unsigned)x);
            e = esc;
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
    if (k && k->type == ND_T_STR) return nd_json_escape(b, k->u.s.p, k->u.s.n);
    if (!k || k->type <= ND_T_FLOAT) { /* NULL stands for None */
        /* the JSON of None, a bool or a number, quoted: "null", "true", "1.5" */
        int rc = nd_buf_putc(b, '"');
        rc = first(rc, render(b, k, MODE_JSON, depth));
        return first(rc, nd_buf_putc(b, '"'));
    }
    /* A tuple key: json.dumps raises TypeError. Write its repr as a
    ** string so the output stays valid JSON, and say so. */
    nd_buf tmp;
    nd_buf_init(&tmp, b->max);
    int rc = render(&tmp, k, MODE_REPR, depth + 1);
    rc = first(rc, nd_json_escape(b, tmp.p ? tmp.p : "", tmp.n));
    nd_buf_free(&tmp);
    return first(rc, ND_ETYPE);
}

static int render(nd_buf *b, const nd_value *v, int mode, int depth)
{
    bool json = mode == MODE_JSON;
    if (depth > RENDER_MAX_DEPTH) return first(nd_buf_puts(b, "..."), ND_ELIMIT);
    int rc = ND_OK;
    switch (v ? v->type : ND_T_NONE) { /* NULL stands for None */
    case ND_T_NONE: return nd_buf_puts(b, json ? "null" : "None");
    case ND_T_BOOL:
        return nd_buf_puts(b, json ? (v->u.b ? "true" : "false") : (v->u.b ? "True" : "False"));
    case ND_T_INT: return nd_buf_printf(b, "%lld", (long long)v->u.i);
    case ND_T_FLOAT: return put_float(b, v->u.f, json);
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
    /* micrOS: '\n'.join(f" {key}: {value}" for key, value in d.items()) for a
    ** dict, and one " item," line per item of a help list */
    bool dict = v && v->type == ND_T_DICT;
    if (!dict && !(is_help && v && (v->type == ND_T_LIST || v->type == ND_T_TUPLE))) return nd_render_str(b, v);
    if (json) return nd_render_json(b, v);
    int rc = ND_OK;
    for (size_t i = 0; i < v->u.seq.n; i++) {
        if (i) rc = first(rc, nd_buf_putc(b, '\n'));
        rc = first(rc, nd_buf_putc(b, ' '));
        if (dict) {
            rc = first(rc, nd_render_str(b, v->u.seq.v[2 * i]));
            rc = first(rc, nd_buf_put(b, ": ", 2));
        }
        rc = first(rc, nd_render_str(b, v->u.seq.v[dict ? 2 * i + 1 : i]));
        if (!dict) rc = first(rc, nd_buf_putc(b, ','));
    }
    return rc;
}
