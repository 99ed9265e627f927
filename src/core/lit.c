/*
** lit.c -- Python literal syntax in, nd_value trees out; nothing evaluated.
**
** micrOS builds a Python call from the words after "module function" and
** eval()s it, so its users type Python: 10, -3, 1.5, 'text', [1, 2],
** {'k': 1}, br=5. This file parses exactly the literal subset of that
** language, never an expression: a bare name fails as NameError would
** ("name 'builtin' is not defined"), and error texts follow CPython 3.11's
** wording so a client sees the messages it knows.
**
** Error precedence follows Python too. CPython compiles the whole call
** before evaluating any of it, so a syntax error anywhere beats a NameError
** or TypeError earlier in the line. We parse in one pass, so such
** "evaluation-time" errors (unknown name, unhashable dict key, unary minus
** on a string, an int outside int64) are deferred: the first one is
** remembered, parsing goes on with a None placeholder, and it is reported
** only if the rest of the input is well-formed. Syntax errors and arena
** exhaustion stop at once.
**
** Known limits, on purpose: no expressions of any kind (1+2, x.y, f()),
** no adjacent-literal concatenation ('a' 'b'), no bytes, f-strings, sets,
** complex numbers or \N{NAME} escapes (no Unicode name table on an MCU),
** lone surrogates (\ud800) are refused because strings are stored as UTF-8,
** and ints are limited to int64. Non-ASCII identifiers are accepted without
** checking they are letters, as CPython would.
**
** The input is a byte range, not a C string: nothing reads s[n].
*/
#include "nodus/value.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct lp {
    nd_arena *a;
    const char *s; /* input, n bytes, not NUL-terminated */
    size_t n, i;   /* i: next byte to read */
    int depth;     /* open brackets; stack[depth-1] is the innermost */
    char stack[ND_LIT_MAX_DEPTH + 1];
    char *err;
    size_t errn;
    int drc;                 /* first deferred (evaluation-time) error, 0 if none */
    char dmsg[ND_ERRMSG];    /* its message */
} lp;

/* ---- messages ---------------------------------------------------------- */

/* Format into dst (size dn), cut safely when too long. */
static void msg_vformat(char *dst, size_t dn, const char *fmt, va_list ap)
{
    if (!dst || dn == 0) return;
    int len = vsnprintf(dst, dn, fmt, ap);
    if (len < 0) {
        dst[0] = 0;
        return;
    }
    /* drop a UTF-8 sequence the cut left incomplete: messages quote user
    ** text and must stay valid UTF-8 */
    if ((size_t)len >= dn) dst[nd_utf8_cut(dst, dn - 1)] = 0;
}

#if defined(__GNUC__)
#define LP_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define LP_PRINTF(f, a)
#endif

/* A syntax error: it ends the parse. Most errors are syntax errors. */
static int LP_PRINTF(2, 3) fail(lp *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    msg_vformat(p->err, p->errn, fmt, ap);
    va_end(ap);
    return ND_ESYNTAX;
}

static int invalid(lp *p)
{
    return fail(p, "invalid syntax");
}

/* The end of the input inside the innermost open bracket. */
static int unclosed(lp *p)
{
    return fail(p, "'%c' was never closed", p->stack[p->depth - 1]);
}

/* Another error that ends the parse (rc is never ND_OK). */
static int fail_rc(lp *p, int rc, const char *msg)
{
    fail(p, "%s", msg);
    return rc;
}

/* An evaluation-time error: remembered (the first one wins), parsing goes
** on, and it is reported only if no syntax error follows. The value it
** stands for becomes None (when out is not NULL). */
static int done(lp *p, nd_value **out, nd_value *v);

static int LP_PRINTF(4, 5) defer(lp *p, nd_value **out, int rc, const char *fmt, ...)
{
    if (!p->drc) {
        va_list ap;
        va_start(ap, fmt);
        msg_vformat(p->dmsg, sizeof p->dmsg, fmt, ap);
        va_end(ap);
        p->drc = rc;
    }
    return out ? done(p, out, nd_none(p->a)) : ND_OK;
}

/* The end of a parse: the deferred error, if any, becomes the result (cut
** to a shorter caller buffer as any message). */
static int finish(lp *p)
{
    return p->drc ? fail_rc(p, p->drc, p->dmsg) : ND_OK;
}

static int oom(lp *p)
{
    return fail_rc(p, ND_ENOMEM, "memory allocation failed");
}

/* *out = v, a constructor's result: NULL means the arena is full. */
static int done(lp *p, nd_value **out, nd_value *v)
{
    *out = v;
    return v ? ND_OK : oom(p);
}

/* ---- UTF-8 (text.c decodes) ---------------------------------------------- */

static int u8_fail(lp *p, size_t at, int why)
{
    return fail(p, "(unicode error) 'utf-8' codec can't decode byte 0x%02x in position %zu: %s",
                (unsigned char)p->s[at], at,
                why == ND_UTF8_START ? "invalid start byte"
                : why == ND_UTF8_CONT ? "invalid continuation byte" : "unexpected end of data");
}

/* ---- characters -------------------------------------------------------- */

static bool is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha_(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

/* May byte c continue an identifier? Non-ASCII bytes count: CPython allows
** Unicode letters, and a number glued to one is an invalid literal either way. */
static bool is_ident(int c)
{
    return is_alpha_(c) || is_digit(c) || c >= 0x80;
}

static int peek(const lp *p, size_t k)
{
    return p->i + k < p->n ? (unsigned char)p->s[p->i + k] : -1;
}

static void skip_ws(lp *p)
{
    while (p->i < p->n && nd_is_space((unsigned char)p->s[p->i])) p->i++;
}

static bool is_closer(int c)
{
    return c == ')' || c == ']' || c == '}';
}

static char closer_of(char open)
{
    return open == '(' ? ')' : open == '[' ? ']' : '}';
}

/* A closing bracket where a value or separator was expected. */
static int closer_fail(lp *p, int c)
{
    if (p->depth == 0) return fail(p, "unmatched '%c'", c);
    char open = p->stack[p->depth - 1];
    if (closer_of(open) == c) return invalid(p);
    return fail(p, "closing parenthesis '%c' does not match opening parenthesis '%c'", c, open);
}

/* Python's keywords: the constants False, True and None first, then the
** others, which as a bare word are a syntax error, not an unknown name. */
static const char keywords[] = "False\0True\0None\0"
                               "and\0as\0assert\0async\0await\0break\0class\0continue\0def\0del\0elif\0"
                               "else\0except\0finally\0for\0from\0global\0if\0import\0in\0is\0lambda\0"
                               "nonlocal\0not\0or\0pass\0raise\0return\0try\0while\0with\0yield\0";

/* The keyword w[0..n) is, counted from 1 (1 False, 2 True, 3 None), or 0. */
static int keyword_id(const char *w, size_t n)
{
    int id = 1;
    for (const char *k = keywords; *k; k += strlen(k) + 1, id++)
        if (strlen(k) == n && memcmp(k, w, n) == 0) return id;
    return 0;
}

/* Scan an identifier at p->i (ASCII letters, digits, _, valid non-ASCII
** UTF-8); returns its length, 0 if none starts here. */
static size_t scan_ident(const lp *p, size_t at)
{
    size_t j = at;
    const unsigned char *u = (const unsigned char *)p->s;
    while (j < p->n) {
        int c = u[j];
        if (c < 0x80) {
            if (!(is_alpha_(c) || (j > at && is_digit(c)))) break;
            j++;
        } else {
            uint32_t cp;
            int l = nd_utf8_next(p->s + j, p->n - j, &cp);
            if (l < 0) break;
            j += (size_t)l;
        }
    }
    return j - at;
}

/* The identifier in a message, cut at a character boundary: CPython quotes
** it whole, but our message buffer is 160 bytes. */
static int ident_shown(const char *w, size_t n)
{
    size_t m = n > 48 ? 48 : n;
    while (m > 0 && m < n && ((unsigned char)w[m] & 0xc0) == 0x80) m--;
    return (int)m;
}

/* ---- values ------------------------------------------------------------ */

static int parse_value(lp *p, nd_value **out);

/* Python's digitpart, digit (['_'] digit)*: returns the number of digits
** read; a '_' not followed by a digit is left for the caller to reject. */
static size_t digitpart(lp *p, bool *nonzero)
{
    size_t count = 0;
    for (;;) {
        int c = peek(p, 0);
        if (is_digit(c)) {
            if (c != '0') *nonzero = true;
            p->i++, count++;
        } else if (c == '_' && count > 0 && is_digit(peek(p, 1))) {
            p->i++;
        } else {
            return count;
        }
    }
}

/* The int of the digits from `from` to p->i in `base` ('_' skipped), with
** the sign. `neg` folded in here lets -9223372036854775808 be read although
** its magnitude alone is outside int64. */
static int int_value(lp *p, size_t from, unsigned base, bool neg, nd_value **out)
{
    uint64_t mag = 0;
    bool big = false;
    for (size_t k = from; k < p->i; k++) {
        int v = nd_hex_val((unsigned char)p->s[k]);
        if (v < 0) continue; /* '_' */
        if (mag > (UINT64_MAX - (uint64_t)v) / base) big = true;
        mag = mag * base + (uint64_t)v;
    }
    if (big || mag > (uint64_t)INT64_MAX + (neg ? 1u : 0u)) {
        return defer(p, out, ND_ELIMIT, "integer out of range");
    }
    int64_t i = !neg ? (int64_t)mag : mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
    return done(p, out, nd_int(p->a, i));
}

/* Numbers. `neg` is the parity of the unary minus signs in front. */
static int parse_number(lp *p, bool neg, nd_value **out)
{
    const unsigned char *u = (const unsigned char *)p->s;
    size_t start = p->i;
    int c1 = peek(p, 1) | 0x20;
    if (u[start] == '0' && (c1 == 'x' || c1 == 'o' || c1 == 'b')) {
        unsigned base = c1 == 'x' ? 16 : c1 == 'o' ? 8 : 2;
        const char *kind = base == 16 ? "hexadecimal" : base == 8 ? "octal" : "binary";
        p->i += 2;
        size_t ndig = 0;
        for (;;) { /* a '_' is allowed after the prefix and between digits */
            int us = peek(p, 0) == '_';
            int d = peek(p, us);
            int v = nd_hex_val(d); /* -1 at the end too */
            if (v < 0 || (unsigned)v >= base) break;
            p->i += 1 + (size_t)us;
            ndig++;
        }
        int c = peek(p, 0);
        if (base != 16 && is_digit(c))
            return fail(p, "invalid digit '%c' in %s literal", c, kind);
        if (ndig == 0 || is_ident(c)) /* '_' included */
            return fail(p, "invalid %s literal", kind);
        return int_value(p, start + 2, base, neg, out);
    }

    /* decimal: digitpart [. [digitpart]] [e [+-] digitpart], or .digitpart ... */
    bool isfloat = false, nonzero = false;
    size_t nint = digitpart(p, &nonzero);
    bool int_nonzero = nonzero;
    if (peek(p, 0) == '.') {
        isfloat = true;
        p->i++;
        size_t nfrac = digitpart(p, &nonzero);
        if (nint == 0 && nfrac == 0) return invalid(p);
    }
    int e = peek(p, 0);
    if (e == 'e' || e == 'E') {
        isfloat = true;
        p->i++;
        int sg = peek(p, 0);
        if (sg == '+' || sg == '-') p->i++;
        if (digitpart(p, &nonzero) == 0) return fail(p, "invalid decimal literal");
    }
    int c = peek(p, 0);
    if (c == 'j' || c == 'J') return fail(p, "complex literals are not supported");
    if (is_ident(c)) return fail(p, "invalid decimal literal"); /* '_' included */
    size_t len = p->i - start;

    if (!isfloat) {
        if (u[start] == '0' && int_nonzero)
            return fail(p, "leading zeros in decimal integer literals are not permitted; "
                                       "use an 0o prefix for octal integers");
        return int_value(p, start, 10, neg, out);
    }

    /* strtod wants a C string without underscores. Short literals use the
    ** stack; a long one borrows arena space that is given back at once. */
    char small[64], *tmp = small;
    size_t mark = p->a->used;
    if (len >= sizeof small) {
        tmp = nd_arena_alloc(p->a, len + 1);
        if (!tmp) return oom(p);
    }
    size_t t = 0;
    for (size_t k = start; k < p->i; k++)
        if (u[k] != '_') tmp[t++] = (char)u[k];
    tmp[t] = 0;
    /* Overflow gives inf and underflow 0 or a subnormal, as in Python. */
    double f = strtod(tmp, NULL);
    if (tmp != small) p->a->used = mark;
    return done(p, out, nd_float(p->a, neg ? -f : f));
}

/* Read \x, \u, \U hex digits; returns the count of valid digits read (up to
** want) and the value. */
static size_t read_hex(const unsigned char *s, size_t n, size_t want, uint32_t *v)
{
    size_t k = 0;
    *v = 0;
    while (k < want && k < n && nd_hex_val(s[k]) >= 0) *v = (*v << 4) | (uint32_t)nd_hex_val(s[k++]);
    return k;
}

static int esc_fail(lp *p, size_t from, size_t to, const char *why)
{
    return fail(p, "(unicode error) 'unicodeescape' codec can't decode bytes in position %zu-%zu: %s",
                from, to, why);
}

/* The one-letter escapes and what they stand for. */
static const char esc_in[] = "\\'\"nrtabfv", esc_out[] = "\\'\"\n\r\t\a\b\f\v";

/* A string literal; p->i is at the opening quote. Raw strings keep every
** backslash (it still stops a quote from ending the literal). */
static int parse_string(lp *p, bool raw, nd_value **out)
{
    const unsigned char *u = (const unsigned char *)p->s;
    unsigned char q = u[p->i];
    bool triple = peek(p, 1) == q && peek(p, 2) == q;
    size_t qlen = triple ? 3 : 1;
    size_t body = p->i + qlen, j = body, end;
    /* Pass 1: find the end, so the arena gets one exact-size buffer. */
    for (;;) {
        if (j >= p->n)
            return fail(p, triple ? "unterminated triple-quoted string literal"
                                              : "unterminated string literal");
        unsigned char c = u[j];
        if (c == '\\') { /* skips the escaped byte; \ CR LF is one line continuation */
            j += (j + 2 < p->n && u[j + 1] == '\r' && u[j + 2] == '\n') ? 3 : 2;
            continue;
        }
        if (!triple && (c == '\n' || c == '\r')) return fail(p, "unterminated string literal");
        if (c == q && (!triple || (j + 2 < p->n && u[j + 1] == q && u[j + 2] == q))) {
            end = j;
            break;
        }
        j++;
    }
    /* Escapes never produce more bytes than they take (\U0010ffff: 10 in,
    ** 4 out; \777: 4 in, 2 out), so the body length bounds the result. */
    nd_value *v = nd_none(p->a); /* becomes the string below */
    if (!v) return oom(p);
    size_t cap = end - body + 1;
    char *d = nd_arena_alloc(p->a, cap);
    if (!d) return oom(p);
    size_t o = 0;
    for (size_t k = body; k < end;) {
        unsigned char c = u[k];
        if (c >= 0x80) {
            uint32_t cp;
            int l = nd_utf8_next(p->s + k, end - k, &cp);
            if (l < 0) return u8_fail(p, k, l);
            memcpy(d + o, u + k, (size_t)l);
            o += (size_t)l, k += (size_t)l;
            continue;
        }
        if (c != '\\' || raw) { /* raw strings keep backslash pairs verbatim */
            d[o++] = (char)c;
            k++;
            continue;
        }
        /* An escape; positions in messages count from the body, like CPython. */
        size_t at = k - body;
        unsigned char e = u[k + 1]; /* exists: pass 1 never ends a body on a backslash */
        k += 2;
        uint32_t cp;
        const char *simple;
        switch (e) {
        case '\n': break; /* line continuation */
        case '\r':
            if (k < end && u[k] == '\n') k++;
            break;
        case 'x':
        case 'u':
        case 'U': {
            size_t want = e == 'x' ? 2 : e == 'u' ? 4 : 8;
            size_t got = read_hex(u + k, end - k, want, &cp);
            if (got < want) { /* "truncated \\xXX escape", \\uXXXX, \\UXXXXXXXX */
                char why[32];
                snprintf(why, sizeof why, "truncated \\%c%.*s escape", e, (int)want, "XXXXXXXX");
                return esc_fail(p, at, at + 1 + got, why);
            }
            if (cp > 0x10ffff) return esc_fail(p, at, at + 1 + got, "illegal Unicode character");
            if (cp >= 0xd800 && cp <= 0xdfff)
                return fail(p, "(unicode error) surrogates not allowed");
            k += got;
            o += nd_utf8_put(d + o, cp);
            break;
        }
        case 'N': {
            /* \N{NAME} needs the Unicode name table, which an MCU can't carry. */
            bool brace = k < end && u[k] == '{';
            size_t close = k + 1;
            while (brace && close < end && u[close] != '}') close++;
            if (!brace || close >= end || close == k + 1)
                return esc_fail(p, at, brace ? (close < end ? close : end - 1) - body : at + 1,
                                "malformed \\N character escape");
            return esc_fail(p, at, close - body, "unknown Unicode character name");
        }
        default:
            if ((simple = memchr(esc_in, e, sizeof esc_in - 1)) != NULL) {
                d[o++] = esc_out[simple - esc_in];
            } else if (e >= '0' && e <= '7') {
                cp = e - '0';
                for (int m = 0; m < 2 && k < end && u[k] >= '0' && u[k] <= '7'; m++) cp = cp * 8 + (u[k++] - '0');
                o += nd_utf8_put(d + o, cp); /* up to \777 = U+01FF, as CPython */
            } else {
                /* unknown escape: CPython keeps the backslash */
                d[o++] = '\\';
                k--; /* the next byte is read normally (it may start UTF-8) */
            }
        }
    }
    d[o] = 0;
    /* Give back the unused tail when the buffer is the last allocation. */
    if (d + ((cap + 7) & ~(size_t)7) == p->a->base + p->a->used)
        p->a->used = (size_t)(d - p->a->base) + ((o + 1 + 7) & ~(size_t)7);
    v->type = ND_T_STR;
    v->u.s.p = d;
    v->u.s.n = o;
    p->i = end + qlen;
    *out = v;
    return ND_OK;
}

/* True, False, None, a string prefix, or an unknown name. */
static int parse_name(lp *p, nd_value **out)
{
    size_t len = scan_ident(p, p->i);
    const char *w = p->s + p->i;
    if (len == 0) {
        /* a byte >= 0x80 that is not valid UTF-8 */
        uint32_t cp;
        return u8_fail(p, p->i, nd_utf8_next(w, p->n - p->i, &cp));
    }
    int c = p->i + len < p->n ? (unsigned char)p->s[p->i + len] : -1;
    if (c == '\'' || c == '"') {
        bool raw = false, bytes = false, fstr = false, ok = len <= 2;
        for (size_t k = 0; ok && k < len; k++) {
            char l = (char)(w[k] | 0x20);
            if (l == 'r' && !raw) raw = true;
            else if (l == 'b' && !bytes && !fstr) bytes = true;
            else if (l == 'f' && !fstr && !bytes) fstr = true;
            else if (!(l == 'u' && len == 1)) ok = false;
        }
        if (!ok) return invalid(p);
        if (bytes) return fail(p, "bytes literals are not supported");
        if (fstr) return fail(p, "f-strings are not supported");
        p->i += len;
        return parse_string(p, raw, out);
    }
    p->i += len;
    int id = keyword_id(w, len);
    if (id && id <= 3) return done(p, out, id < 3 ? nd_bool(p->a, id == 2) : nd_none(p->a));
    if (id) return invalid(p); /* another keyword */
    return defer(p, out, ND_ENOTFOUND, "name '%.*s' is not defined", ident_shown(w, len), w);
}

static int open_bracket(lp *p)
{
    if (p->depth >= ND_LIT_MAX_DEPTH) return fail_rc(p, ND_ELIMIT, "too many nested parentheses");
    p->stack[p->depth++] = p->s[p->i++];
    return ND_OK;
}

/* Does a number start at p->i (a digit, or '.' and a digit)? */
static bool starts_number(const lp *p)
{
    int c = peek(p, 0);
    return is_digit(c) || (c == '.' && is_digit(peek(p, 1)));
}

/* Does a value (other than a signed one, which Python would read as a
** subtraction) start at p->i? */
static bool starts_value(const lp *p)
{
    int c = peek(p, 0);
    return starts_number(p) || is_ident(c) || c == '\'' || c == '"' || c == '[' || c == '(' || c == '{';
}

/* What follows an item where a separator was expected (p->i < p->n):
** CPython's hint when another value starts right there, unless it is a
** string after a string (concatenation in Python, not a missing comma). */
static int stray(lp *p, bool strings)
{
    int c = (unsigned char)p->s[p->i];
    if (is_closer(c)) return closer_fail(p, c);
    if (!strings && starts_value(p)) return fail(p, "invalid syntax. Perhaps you forgot a comma?");
    return invalid(p);
}

/* What follows an item in a container when it is neither ',' nor the
** closer: the end of the input, or something stray. */
static int after_item_fail(lp *p)
{
    if (p->i >= p->n) return unclosed(p);
    return stray(p, false);
}

/* Before an item of the container closed by `close`: the ',' after the
** previous item (none before the first), then white space. Returns 1 when
** the container ends here (its closer consumed), 0 when an item follows,
** or an error. */
static int next_item(lp *p, char close, bool first)
{
    skip_ws(p);
    if (!first) {
        int c = peek(p, 0);
        if (c == close) goto closed;
        if (c != ',') return after_item_fail(p);
        p->i++;
        skip_ws(p);
    }
    if (p->i >= p->n) return unclosed(p);
    if (p->s[p->i] != close) return 0; /* else empty, or a trailing comma */
closed:
    p->i++;
    p->depth--;
    return 1;
}

/* Items up to `close`, appended to seq. Called after the first item of a
** tuple too, so it starts at a separator when `first` is false. */
static int parse_items(lp *p, nd_value *seq, char close, bool first)
{
    for (;; first = false) {
        int rc = next_item(p, close, first);
        if (rc) return rc > 0 ? ND_OK : rc;
        nd_value *item = NULL;
        rc = parse_value(p, &item);
        if (rc != ND_OK) return rc;
        if (nd_seq_push(p->a, seq, item) != ND_OK) return oom(p);
    }
}

static int parse_list(lp *p, nd_value **out)
{
    int rc = open_bracket(p);
    if (rc != ND_OK) return rc;
    *out = nd_list(p->a);
    if (!*out) return oom(p);
    return parse_items(p, *out, ']', true);
}

/* ( ) is the empty tuple, (x) is just x, (x,) and (x, y) are tuples. */
static int parse_paren(lp *p, nd_value **out)
{
    int rc = open_bracket(p);
    if (rc != ND_OK) return rc;
    rc = next_item(p, ')', true);
    if (rc) return rc > 0 ? done(p, out, nd_tuple(p->a)) : rc;
    nd_value *first = NULL;
    rc = parse_value(p, &first);
    if (rc != ND_OK) return rc;
    skip_ws(p);
    int c = peek(p, 0);
    if (c == ')') {
        p->i++;
        p->depth--;
        *out = first;
        return ND_OK;
    }
    if (c != ',') return after_item_fail(p);
    *out = nd_tuple(p->a);
    if (!*out || nd_seq_push(p->a, *out, first) != ND_OK) return oom(p);
    return parse_items(p, *out, ')', false);
}

/* The type CPython names in "unhashable type: '...'". */
static const char *unhashable(const nd_value *v)
{
    if (v->type == ND_T_LIST || v->type == ND_T_DICT) return nd_type_name(v->type);
    if (v->type == ND_T_TUPLE)
        for (size_t k = 0; k < v->u.seq.n; k++) {
            const char *t = unhashable(v->u.seq.v[k]);
            if (t) return t;
        }
    return NULL;
}

static int parse_dict(lp *p, nd_value **out)
{
    int rc = open_bracket(p);
    if (rc != ND_OK) return rc;
    nd_value *d = nd_dict(p->a);
    if (!d) return oom(p);
    for (bool first = true;; first = false) {
        rc = next_item(p, '}', first);
        if (rc) return rc > 0 ? done(p, out, d) : rc;
        nd_value *k = NULL, *v = NULL;
        rc = parse_value(p, &k);
        if (rc != ND_OK) return rc;
        skip_ws(p);
        int c = peek(p, 0);
        if (c == ',' || c == '}') return fail(p, "set literals are not supported");
        if (c != ':') return after_item_fail(p); /* the end too */
        p->i++;
        skip_ws(p);
        c = peek(p, 0);
        if (c == ',' || c == '}') return fail(p, "expression expected after dictionary key and ':'");
        rc = parse_value(p, &v);
        if (rc != ND_OK) return rc;
        const char *bad = unhashable(k);
        if (bad) {
            defer(p, NULL, ND_ETYPE, "unhashable type: '%s'", bad);
            continue;
        }
        if (nd_dict_setv(p->a, d, k, v) != ND_OK) return oom(p);
    }
}

/* Unary + and - (any number of them, white space allowed in between, as in
** Python) in front of a value. */
static int parse_unary(lp *p, nd_value **out)
{
    bool neg = false;
    char innermost = 0;
    while (p->i < p->n && (p->s[p->i] == '-' || p->s[p->i] == '+')) {
        innermost = p->s[p->i];
        if (innermost == '-') neg = !neg;
        p->i++;
        skip_ws(p);
    }
    if (starts_number(p)) return parse_number(p, neg, out);
    nd_value *v = NULL;
    int rc = parse_value(p, &v);
    if (rc != ND_OK) return rc;
    if (v->type == ND_T_FLOAT) return done(p, out, nd_float(p->a, neg ? -v->u.f : v->u.f));
    if (v->type != ND_T_BOOL && v->type != ND_T_INT)
        return defer(p, out, ND_ETYPE, "bad operand type for unary %c: '%s'", innermost, nd_type_name(v->type));
    int64_t i = v->type == ND_T_BOOL ? (int64_t)v->u.b : v->u.i;
    if (neg && i == INT64_MIN) return defer(p, out, ND_ELIMIT, "integer out of range");
    return done(p, out, nd_int(p->a, neg ? -i : i));
}

static int parse_value(lp *p, nd_value **out)
{
    *out = NULL; /* callers may rely on it after an error */
    skip_ws(p);
    if (p->i >= p->n) return invalid(p);
    int c = (unsigned char)p->s[p->i];
    switch (c) {
    case '[': return parse_list(p, out);
    case '(': return parse_paren(p, out);
    case '{': return parse_dict(p, out);
    case '\'':
    case '"': return parse_string(p, false, out);
    case '+':
    case '-': return parse_unary(p, out);
    case ')':
    case ']':
    case '}': return closer_fail(p, c);
    default: break;
    }
    if (starts_number(p)) return parse_number(p, false, out);
    if (is_alpha_(c) || c >= 0x80) return parse_name(p, out);
    return invalid(p);
}

static void lp_init(lp *p, nd_arena *a, const char *s, size_t n, char *err, size_t errn)
{
    memset(p, 0, sizeof *p);
    p->a = a;
    p->s = s ? s : "";
    p->n = s ? n : 0;
    p->err = err;
    p->errn = errn;
}

int nd_lit_parse(nd_arena *a, const char *s, size_t n, size_t *used, nd_value **out, char *err,
                 size_t errn)
{
    lp p;
    nd_value *v = NULL;
    lp_init(&p, a, s, n, err, errn);
    int rc = parse_value(&p, &v);
    if (rc == ND_OK) rc = finish(&p);
    if (used) *used = p.i;
    if (out) *out = rc == ND_OK ? v : NULL;
    return rc;
}

/* ---- argument lists ---------------------------------------------------- */

int nd_args_parse(nd_arena *a, const char *s, size_t n, nd_arg *out, int max, int *count,
                  char *err, size_t errn)
{
    lp p;
    lp_init(&p, a, s, n, err, errn);
    int nargs = 0;
    bool seen_kw = false;
    if (count) *count = 0;

    /* CPython decodes the whole line before parsing any of it. */
    const unsigned char *u = (const unsigned char *)p.s;
    for (size_t k = 0; k < p.n;) {
        uint32_t cp;
        if (u[k] == 0) return fail(&p, "source code cannot contain null bytes");
        int l = nd_utf8_next(p.s + k, p.n - k, &cp);
        if (l < 0) return u8_fail(&p, k, l);
        k += (size_t)l;
    }

    skip_ws(&p);
    while (p.i < p.n) {
        if (p.s[p.i] == ',') return invalid(&p);
        /* name=value, but not name==value (a comparison, i.e. a name) */
        const char *name = NULL;
        bool kw = false;
        size_t nlen = scan_ident(&p, p.i);
        if (nlen && peek(&p, nlen) == '=' && peek(&p, nlen + 1) != '=') {
            const char *w = p.s + p.i;
            int id = keyword_id(w, nlen);
            if (id && id <= 3) return fail(&p, "cannot assign to %.*s", (int)nlen, w);
            if (id) return invalid(&p);
            for (int k = 0; k < nargs; k++)
                if (out[k].name && strncmp(out[k].name, w, nlen) == 0 && !out[k].name[nlen])
                    return fail(&p, "keyword argument repeated: %.*s", ident_shown(w, nlen), w);
            kw = true;
            if (nargs < max) { /* past max it is still checked, just not kept */
                name = nd_arena_strndup(a, w, nlen);
                if (!name) return oom(&p);
            }
            p.i += nlen + 1;
            skip_ws(&p);
            if (p.i >= p.n || p.s[p.i] == ',') return invalid(&p);
        }
        nd_value *v = NULL;
        int rc = parse_value(&p, &v);
        if (rc != ND_OK) return rc;
        /* separator: white space and/or one comma */
        size_t before = p.i;
        skip_ws(&p);
        bool sep = p.i > before;
        if (p.i < p.n && p.s[p.i] == ',') {
            p.i++, sep = true;
            skip_ws(&p);
        }
        if (!sep && p.i < p.n) {
            int c = (unsigned char)p.s[p.i];
            if (c == '=' && !kw && peek(&p, 1) != '=')
                return fail(&p, "expression cannot contain assignment, perhaps you meant \"==\"?");
            /* 'a''b' is concatenation in Python, not a missing comma */
            return stray(&p, v->type == ND_T_STR && (c == '\'' || c == '"'));
        }
        if (!kw && seen_kw) return fail(&p, "positional argument follows keyword argument");
        seen_kw = seen_kw || kw;
        if (nargs >= max) {
            defer(&p, NULL, ND_ELIMIT, "too many arguments");
            continue;
        }
        out[nargs].name = name;
        out[nargs].v = v;
        nargs++;
    }
    if (count) *count = nargs;
    return finish(&p);
}
