/*
** json.c -- reading JSON text and writing JSON values (json.h).
**
** Strings are escaped by text.c and scalars written by the value renderer,
** so every JSON the node writes (REST replies, events, /config, widgets,
** node_config.json) spells a string or a number the same way. cJSON builds
** the trees; the strict reader below is the only JSON parser written here,
** for the two questions cJSON cannot answer (json.h).
*/
#include "json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int first(int rc, int r)
{
    return rc != ND_OK ? rc : r;
}

/* ---- trees (cJSON) ---------------------------------------------------------- */

size_t nd_json_nuls(const char *p, size_t n, bool *mark, size_t cap)
{
    size_t i = 0, marked = 0, member = 0;
    int depth = 0;
    bool in_str = false, want_key = false, any = false;
    while (i < n && p[i] != '{') i++; /* white space or a BOM before the object */
    for (; i < n; i++) {
        char ch = p[i];
        if (in_str) {
            bool nul = ch == 0;
            if (ch == '\\' && i + 1 < n) {
                nul = p[i + 1] == 'u' && n - i >= 6 && memcmp(p + i + 2, "0000", 4) == 0;
                i++; /* the escaped character cannot end the string */
            } else if (ch == '"') {
                in_str = false;
            }
            if (nul && any && member < cap && !mark[member]) {
                mark[member] = true;
                marked++;
            }
            continue;
        }
        switch (ch) {
        case '"':
            in_str = true;
            if (depth == 1 && want_key) { /* a member's key opens */
                member += any;
                any = true;
                want_key = false;
            }
            break;
        case '{':
        case '[':
            if (++depth == 1) want_key = true;
            break;
        case '}':
        case ']':
            if (--depth <= 0) return marked;
            break;
        case ',':
            if (depth == 1) want_key = true;
            break;
        default: break;
        }
    }
    return marked;
}

/* Largest magnitude a double holds exactly: ints beyond it would change. */
#define INT_EXACT 9007199254740992.0

void nd_json_scalar(const cJSON *v, nd_value *out)
{
    memset(out, 0, sizeof *out);
    if (cJSON_IsString(v)) {
        out->type = ND_T_STR;
        out->u.s.p = v->valuestring;
        out->u.s.n = strlen(v->valuestring);
    } else if (cJSON_IsBool(v)) {
        out->type = ND_T_BOOL;
        out->u.b = cJSON_IsTrue(v);
    } else if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (isfinite(d) && d == floor(d) && fabs(d) <= INT_EXACT) {
            out->type = ND_T_INT;
            out->u.i = (int64_t)d;
        } else {
            out->type = ND_T_FLOAT;
            out->u.f = d;
        }
    } else if (cJSON_IsArray(v)) {
        out->type = ND_T_LIST;
    } else if (cJSON_IsObject(v)) {
        out->type = ND_T_DICT;
    } else {
        out->type = ND_T_NONE;
    }
}

static nd_value *to_value(nd_arena *a, const cJSON *v, int depth)
{
    if (depth > ND_JSON_MAX_DEPTH) return NULL;
    if (cJSON_IsArray(v)) {
        nd_value *l = nd_list(a);
        for (const cJSON *it = v->child; l && it; it = it->next) {
            nd_value *x = to_value(a, it, depth + 1);
            if (!x || nd_seq_push(a, l, x) != ND_OK) return NULL;
        }
        return l;
    }
    if (cJSON_IsObject(v)) {
        nd_value *d = nd_dict(a);
        for (const cJSON *it = v->child; d && it; it = it->next) {
            nd_value *x = to_value(a, it, depth + 1);
            if (!x || nd_dict_set(a, d, it->string, x) != ND_OK) return NULL;
        }
        return d;
    }
    nd_value s;
    nd_json_scalar(v, &s);
    switch (s.type) {
    case ND_T_STR: return nd_str(a, s.u.s.p);
    case ND_T_BOOL: return nd_bool(a, s.u.b);
    case ND_T_INT: return nd_int(a, s.u.i);
    case ND_T_FLOAT: return nd_float(a, s.u.f);
    default: return nd_none(a);
    }
}

nd_value *nd_json_value(nd_arena *a, const cJSON *v)
{
    return to_value(a, v, 0);
}

/* ---- writing a cJSON tree ---------------------------------------------------- */

static int render(nd_buf *b, const cJSON *v, int style, bool top)
{
    if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
        bool obj = cJSON_IsObject(v);
        int rc = nd_buf_putc(b, obj ? '{' : '[');
        for (const cJSON *it = v->child; it && !b->overflow; it = it->next) {
            if (it != v->child) rc = first(rc, nd_buf_put(b, ", ", 2));
            if (obj) {
                nd_value k = {.type = ND_T_STR};
                k.u.s.p = it->string ? it->string : "";
                k.u.s.n = strlen(k.u.s.p);
                rc = first(rc, style == ND_JSON_AS_JSON ? nd_render_json(b, &k) : nd_render_repr(b, &k));
                rc = first(rc, nd_buf_put(b, ": ", 2));
            }
            rc = first(rc, render(b, it, style, false));
        }
        return first(rc, nd_buf_putc(b, obj ? '}' : ']'));
    }
    nd_value s;
    nd_json_scalar(v, &s);
    if (style == ND_JSON_AS_JSON) return nd_render_json(b, &s);
    return style == ND_JSON_AS_STR && top ? nd_render_str(b, &s) : nd_render_repr(b, &s);
}

int nd_json_render(nd_buf *b, const cJSON *v, int style)
{
    return render(b, v, style, true);
}

/* ---- the strict reader ------------------------------------------------------- */

/* An nd_buf error while writing the value again: out of room. */
#define PUT(call) \
    do { \
        if (out && (call) != ND_OK) return ND_ENOMEM; \
    } while (0)

static bool is_digit(int c)
{
    return c >= '0' && c <= '9';
}

int nd_json_rd_peek(const nd_json_rd *r)
{
    if (r->i >= r->n) return -1;
    char c = r->s[r->i];
    return c == '\'' && (r->flags & ND_JSON_SQUOTE) ? '"' : (unsigned char)c;
}

void nd_json_rd_ws(nd_json_rd *r)
{
    while (r->i < r->n && (r->s[r->i] == ' ' || r->s[r->i] == '\t' || r->s[r->i] == '\n' ||
                           r->s[r->i] == '\r'))
        r->i++;
}

static bool rd_lit(nd_json_rd *r, const char *lit)
{
    size_t l = strlen(lit);
    if (r->n - r->i < l || memcmp(r->s + r->i, lit, l) != 0) return false;
    r->i += l;
    return true;
}

/* The next code unit of a string, r->i inside its quotes: 1 with *u, 0 at
** the closing quote (read past), or ND_ESYNTAX. An escape gives its unit,
** a \uXXXX one UTF-16 unit (a surrogate pair is two calls). */
static int rd_unit(nd_json_rd *r, uint32_t *u)
{
    int c = nd_json_rd_peek(r);
    if (c < 0x20) return ND_ESYNTAX; /* unterminated (-1), or a raw control character */
    if (c == '"') {
        r->i++;
        return 0;
    }
    if (c == '\\') {
        r->i++;
        int e = nd_json_rd_peek(r);
        if (e < 0) return ND_ESYNTAX;
        r->i++;
        /* the one-letter escapes and what they stand for, side by side */
        static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
        const char *at = e ? strchr(from, e) : NULL;
        if (at) {
            *u = (unsigned char)to[at - from];
        } else if (e == 'u' && r->n - r->i >= 4) {
            *u = 0;
            for (int k = 0; k < 4; k++) {
                int h = nd_hex_val((unsigned char)r->s[r->i + (size_t)k]);
                if (h < 0) return ND_ESYNTAX;
                *u = (*u << 4) | (uint32_t)h;
            }
            r->i += 4;
        } else {
            return ND_ESYNTAX;
        }
    } else if (c < 0x80) {
        r->i++;
        *u = (uint32_t)c;
    } else {
        int len = nd_utf8_next(r->s + r->i, r->n - r->i, u);
        if (len < 0) return ND_ESYNTAX;
        r->i += (size_t)len;
    }
    return 1;
}

/* \uXXXX units are written back one by one: Python joins a surrogate pair
** and ensure_ascii splits it again, and a lone surrogate survives both, so
** unit by unit gives the same text. */
int nd_json_rd_string(nd_json_rd *r, nd_buf *out)
{
    if (nd_json_rd_peek(r) != '"') return ND_ESYNTAX;
    r->i++;
    PUT(nd_buf_putc(out, '"'));
    uint32_t u;
    int rc;
    while ((rc = rd_unit(r, &u)) == 1) PUT(nd_json_escape_cp(out, u));
    if (rc) return rc;
    PUT(nd_buf_putc(out, '"'));
    return ND_OK;
}

/* A number (Python's NUMBER_RE). Written again: ints keep their digits
** ("-0" is 0), floats go through strtod and Python's repr (1e400 is
** Infinity). A '.' or 'e' not followed by digits ends the number, and the
** caller then finds a byte that cannot follow a value. */
static int scan_number(nd_json_rd *r, size_t *int_end, bool *is_float)
{
    if (nd_json_rd_peek(r) == '-') r->i++;
    if (nd_json_rd_peek(r) == '0')
        r->i++;
    else if (is_digit(nd_json_rd_peek(r)))
        while (is_digit(nd_json_rd_peek(r))) r->i++;
    else
        return ND_ESYNTAX;
    *int_end = r->i;
    *is_float = false;
    if (nd_json_rd_peek(r) == '.' && r->i + 1 < r->n && is_digit((unsigned char)r->s[r->i + 1])) {
        r->i++;
        while (is_digit(nd_json_rd_peek(r))) r->i++;
        *is_float = true;
    }
    if (nd_json_rd_peek(r) == 'e' || nd_json_rd_peek(r) == 'E') {
        size_t e = r->i + 1;
        if (e < r->n && (r->s[e] == '+' || r->s[e] == '-')) e++;
        if (e < r->n && is_digit((unsigned char)r->s[e])) {
            r->i = e;
            while (is_digit(nd_json_rd_peek(r))) r->i++;
            *is_float = true;
        }
    }
    return ND_OK;
}

/* r->s[s..r->i) as a double: strtod needs a terminated copy, so it borrows
   b's tail and gives it back (b->overflow latches when there is no room) */
static double span_double(const nd_json_rd *r, size_t s, nd_buf *b)
{
    size_t at = b->n;
    double d = nd_buf_put(b, r->s + s, r->i - s) == ND_OK ? strtod(nd_buf_cstr(b) + at, NULL) : NAN;
    b->n = at;
    return d;
}

static int rd_number(nd_json_rd *r, nd_buf *out)
{
    size_t s = r->i, int_end;
    bool is_float;
    int rc = scan_number(r, &int_end, &is_float);
    if (rc != ND_OK || !out) return rc;
    size_t len = r->i - s;
    if (!is_float) {
        bool minus_zero = nd_span_eq((nd_span){r->s + s, int_end - s}, "-0");
        rc = minus_zero ? nd_buf_putc(out, '0') : nd_buf_put(out, r->s + s, len);
        return rc != ND_OK ? ND_ENOMEM : ND_OK;
    }
    nd_value v = {.type = ND_T_FLOAT};
    v.u.f = span_double(r, s, out);
    if (out->overflow) return ND_ENOMEM;
    return nd_render_json(out, &v) == ND_OK ? ND_OK : ND_ENOMEM;
}

static int rd_value(nd_json_rd *r, nd_buf *out, int depth)
{
    int c = nd_json_rd_peek(r);
    if (c == '"') return nd_json_rd_string(r, out);
    if (c == '[' || c == '{') {
        bool obj = c == '{';
        char close = obj ? '}' : ']';
        if (depth >= ND_JSON_MAX_DEPTH) return ND_ESYNTAX;
        r->i++;
        PUT(nd_buf_putc(out, (char)c));
        nd_json_rd_ws(r);
        if (nd_json_rd_peek(r) == close) {
            r->i++;
            PUT(nd_buf_putc(out, close));
            return ND_OK;
        }
        for (;;) {
            nd_json_rd_ws(r);
            int rc;
            if (obj) {
                if ((rc = nd_json_rd_string(r, out)) != ND_OK) return rc;
                nd_json_rd_ws(r);
                if (nd_json_rd_peek(r) != ':') return ND_ESYNTAX;
                r->i++;
                PUT(nd_buf_put(out, ": ", 2));
                nd_json_rd_ws(r);
            }
            if ((rc = rd_value(r, out, depth + 1)) != ND_OK) return rc;
            nd_json_rd_ws(r);
            c = nd_json_rd_peek(r);
            if (c < 0) return ND_ESYNTAX;
            r->i++;
            if (c == close) {
                PUT(nd_buf_putc(out, close));
                return ND_OK;
            }
            if (c != ',') return ND_ESYNTAX;
            PUT(nd_buf_put(out, ", ", 2));
        }
    }
    static const char *const consts[] = {"true", "false", "null", "NaN", "Infinity", "-Infinity"};
    size_t nconst = (r->flags & ND_JSON_CONSTS) ? 6 : 3;
    for (size_t k = 0; k < nconst; k++) {
        if (rd_lit(r, consts[k])) {
            PUT(nd_buf_puts(out, consts[k]));
            return ND_OK;
        }
    }
    if (c == '-' || is_digit(c)) return rd_number(r, out);
    return ND_ESYNTAX;
}

int nd_json_rd_value(nd_json_rd *r, nd_buf *out)
{
    return rd_value(r, out, 0);
}

bool nd_json_valid(const char *p, size_t n)
{
    nd_json_rd r = {p, n, 0, 0};
    nd_json_rd_ws(&r);
    if (nd_json_rd_value(&r, NULL) != ND_OK) return false;
    nd_json_rd_ws(&r);
    return r.i == r.n;
}

/* ---- trees: the same reader, building cJSON items --------------------------- */

/* A string into b as UTF-8, NUL-terminated: a \uXXXX surrogate pair is
** joined; a lone surrogate is refused (UTF-8 cannot hold it; cJSON refused
** it too). A \u0000 ends the C string the tree keeps (nd_json_nuls tells). */
static int tree_string(nd_json_rd *r, nd_buf *b)
{
    nd_buf_clear(b);
    if (nd_json_rd_peek(r) != '"') return ND_ESYNTAX;
    r->i++;
    uint32_t u, lo;
    int rc;
    while ((rc = rd_unit(r, &u)) == 1) {
        if (u >= 0xd800 && u < 0xe000) { /* only an escape gives one: UTF-8 has none */
            if (u >= 0xdc00 || rd_unit(r, &lo) != 1 || lo < 0xdc00 || lo >= 0xe000) return ND_ESYNTAX;
            u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
        }
        char enc[4];
        if (nd_buf_put(b, enc, nd_utf8_put(enc, u)) != ND_OK) return ND_ENOMEM;
    }
    return rc;
}

/* One value as a cJSON item (NULL: not JSON here, or out of memory); b is
** scratch for strings and numbers. The grammar is the strict reader's. */
static cJSON *tree(nd_json_rd *r, nd_buf *b, int depth)
{
    int c = nd_json_rd_peek(r);
    if (c == '"') return tree_string(r, b) == ND_OK ? cJSON_CreateString(nd_buf_cstr(b)) : NULL;
    if (c == '-' || is_digit(c)) {
        size_t s = r->i, int_end;
        bool is_float;
        return scan_number(r, &int_end, &is_float) == ND_OK ? cJSON_CreateNumber(span_double(r, s, b))
                                                            : NULL;
    }
    if (rd_lit(r, "true")) return cJSON_CreateTrue();
    if (rd_lit(r, "false")) return cJSON_CreateFalse();
    if (rd_lit(r, "null")) return cJSON_CreateNull();
    if ((c != '[' && c != '{') || depth >= ND_JSON_MAX_DEPTH) return NULL;
    bool obj = c == '{';
    char close = obj ? '}' : ']';
    r->i++;
    cJSON *v = obj ? cJSON_CreateObject() : cJSON_CreateArray();
    nd_json_rd_ws(r);
    if (v && nd_json_rd_peek(r) == close) {
        r->i++;
        return v;
    }
    while (v) {
        char *key = NULL;
        nd_json_rd_ws(r);
        if (obj) { /* the key is kept apart: b then serves the value */
            if (tree_string(r, b) != ND_OK || !(key = malloc(b->n + 1))) break;
            memcpy(key, nd_buf_cstr(b), b->n + 1);
            nd_json_rd_ws(r);
            if (nd_json_rd_peek(r) != ':') {
                free(key);
                break;
            }
            r->i++;
            nd_json_rd_ws(r);
        }
        cJSON *item = tree(r, b, depth + 1);
        if (item && !(obj ? cJSON_AddItemToObject(v, key, item) : cJSON_AddItemToArray(v, item))) {
            cJSON_Delete(item); /* cJSON could not copy the key */
            item = NULL;
        }
        free(key);
        if (!item) break;
        nd_json_rd_ws(r);
        c = nd_json_rd_peek(r);
        if (c != ',' && c != close) break;
        r->i++;
        if (c == close) return v;
    }
    cJSON_Delete(v);
    return NULL;
}

cJSON *nd_json_parse(const char *p, size_t n, size_t *end)
{
    nd_json_rd r = {p, n, 0, 0};
    if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) r.i = 3; /* a BOM, as cJSON skipped it */
    nd_json_rd_ws(&r);
    nd_buf b;
    nd_buf_init(&b, n + 8); /* a string or number is never longer than the text */
    cJSON *root = tree(&r, &b, 0);
    nd_buf_free(&b);
    if (root) nd_json_rd_ws(&r);
    if (end) *end = r.i;
    return root;
}
