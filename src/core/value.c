/*
** value.c -- the value model: arena, value constructors, Python equality and
** truthiness, and the bounded output buffer.
**
** A command's values all live in one caller-owned arena, a bump allocator
** that is reset after the reply. Nothing is ever freed individually, so the
** growable containers (lists, tuples, dicts) double their item array by
** copying it to fresh arena memory; the old array is simply abandoned until
** the next reset. When the array happens to be the last allocation it is
** extended in place instead, which makes building one big list cheap.
**
** Every allocation failure is an ordinary result: constructors return NULL,
** container operations return ND_ENOMEM, and a NULL passed to a container
** operation is treated as "the constructor before me failed" (ND_ENOMEM), so
** call sites may nest constructors: nd_seq_push(a, l, nd_int(a, 1)).
**
** The output buffer (nd_buf) is the one place that uses malloc: replies vary
** from two bytes to kilobytes, so it grows on demand, but never past its
** max. Past max the tail is cut and overflow latches until nd_buf_clear: a
** runaway reply costs at most max bytes of heap.
*/
#include "nodus/value.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Containers and renderers recurse; values built by C code could in theory
** contain a cycle. Past this depth equality gives up (false) rather than
** exhausting a small MCU stack. */
#define VALUE_MAX_DEPTH 64

/* The k-th string of a blob of NUL-terminated strings. */
static const char *nth_str(const char *blob, unsigned k)
{
    while (k--) blob += strlen(blob) + 1;
    return blob;
}

const char *nd_strerror(int err)
{
    /* by -err: ND_OK, ND_ERR, ... ND_ETIMEOUT, then the fallback */
    static const char msgs[] = "success\0error\0out of memory\0syntax error\0wrong type\0not found\0"
                               "limit exceeded\0I/O error\0try again\0connection closed\0"
                               "invalid argument\0timed out\0unknown error";
    return nth_str(msgs, err <= 0 && err >= ND_ETIMEOUT ? (unsigned)-err : 12u);
}

/* ---- arena ------------------------------------------------------------- */

void nd_arena_init(nd_arena *a, void *buf, size_t cap)
{
    /* The caller's buffer may be a char array with any alignment: skip to
    ** the first 8-aligned byte so every allocation is aligned as long as
    ** its offset (used) is a multiple of 8. */
    a->used = 0;
    a->peak = 0;
    if (!buf) {
        a->base = NULL;
        a->cap = 0;
        return;
    }
    uintptr_t p = (uintptr_t)buf;
    size_t skip = (size_t)((8 - (p & 7)) & 7);
    if (cap < skip) skip = cap;
    a->base = (char *)buf + skip;
    a->cap = (cap - skip) & ~(size_t)7;
}

void *nd_arena_alloc(nd_arena *a, size_t n)
{
    if (!a || !a->base) return NULL;
    if (n == 0) n = 1; /* distinct non-NULL pointers, like malloc(0) may give */
    if (n > a->cap - a->used) return NULL; /* also catches n near SIZE_MAX */
    size_t r = (n + 7) & ~(size_t)7;
    if (r > a->cap - a->used) return NULL; /* cap is a multiple of 8, so only ties */
    void *p = a->base + a->used;
    a->used += r;
    if (a->used > a->peak) a->peak = a->used;
    return p;
}

void nd_arena_reset(nd_arena *a)
{
    a->used = 0;
}

char *nd_arena_strndup(nd_arena *a, const char *s, size_t n)
{
    if (n == SIZE_MAX) return NULL;
    char *p = nd_arena_alloc(a, n + 1);
    if (!p) return NULL;
    if (n) memcpy(p, s, n);
    p[n] = 0;
    return p;
}

/* ---- constructors ------------------------------------------------------ */

static nd_value *value_new(nd_arena *a, nd_type t)
{
    nd_value *v = nd_arena_alloc(a, sizeof *v);
    if (!v) return NULL;
    memset(v, 0, sizeof *v);
    v->type = t;
    return v;
}

nd_value *nd_none(nd_arena *a)
{
    return value_new(a, ND_T_NONE);
}

nd_value *nd_bool(nd_arena *a, bool b)
{
    nd_value *v = value_new(a, ND_T_BOOL);
    if (v) v->u.b = b;
    return v;
}

nd_value *nd_int(nd_arena *a, int64_t i)
{
    nd_value *v = value_new(a, ND_T_INT);
    if (v) v->u.i = i;
    return v;
}

nd_value *nd_float(nd_arena *a, double f)
{
    nd_value *v = value_new(a, ND_T_FLOAT);
    if (v) v->u.f = f;
    return v;
}

nd_value *nd_strn(nd_arena *a, const char *s, size_t n)
{
    nd_value *v = value_new(a, ND_T_STR);
    if (!v) return NULL;
    char *p = nd_arena_strndup(a, s ? s : "", s ? n : 0);
    if (!p) return NULL; /* the value header is abandoned, as all arena garbage */
    v->u.s.p = p;
    v->u.s.n = s ? n : 0;
    return v;
}

nd_value *nd_str(nd_arena *a, const char *s)
{
    return nd_strn(a, s, s ? strlen(s) : 0);
}

nd_value *nd_strf(nd_arena *a, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    nd_value *v = NULL;
    if (len >= 0) {
        v = value_new(a, ND_T_STR);
        char *p = v ? nd_arena_alloc(a, (size_t)len + 1) : NULL;
        if (p) {
            vsnprintf(p, (size_t)len + 1, fmt, ap2);
            v->u.s.p = p;
            v->u.s.n = (size_t)len;
        } else {
            v = NULL;
        }
    }
    va_end(ap2);
    return v;
}

nd_value *nd_list(nd_arena *a)
{
    return value_new(a, ND_T_LIST);
}

nd_value *nd_tuple(nd_arena *a)
{
    return value_new(a, ND_T_TUPLE);
}

nd_value *nd_dict(nd_arena *a)
{
    return value_new(a, ND_T_DICT);
}

/* ---- containers -------------------------------------------------------- */

/* Make room for `need` more slots in seq's item array. */
static int seq_reserve(nd_arena *a, nd_value *seq, size_t need)
{
    size_t used = seq->u.seq.n * (seq->type == ND_T_DICT ? 2 : 1);
    size_t cap = seq->u.seq.cap;
    if (cap - used >= need) return ND_OK;
    size_t ncap = cap ? cap : 4;
    while (ncap - used < need) {
        if (ncap > SIZE_MAX / 2 / sizeof(nd_value *)) return ND_ENOMEM;
        ncap *= 2;
    }
    char *old = (char *)seq->u.seq.v;
    /* The array is the arena's last allocation: grow it where it stands. */
    if (old && old + ((cap * sizeof(nd_value *) + 7) & ~(size_t)7) == a->base + a->used) {
        size_t extra = (ncap - cap) * sizeof(nd_value *);
        if (extra <= a->cap - a->used) {
            a->used += (extra + 7) & ~(size_t)7;
            if (a->used > a->cap) a->used = a->cap; /* cap is 8-aligned: unreachable */
            if (a->used > a->peak) a->peak = a->used;
            seq->u.seq.cap = ncap;
            return ND_OK;
        }
        return ND_ENOMEM;
    }
    nd_value **nv = nd_arena_alloc(a, ncap * sizeof(nd_value *));
    if (!nv) return ND_ENOMEM;
    if (used) memcpy(nv, seq->u.seq.v, used * sizeof(nd_value *));
    seq->u.seq.v = nv;
    seq->u.seq.cap = ncap;
    return ND_OK;
}

int nd_seq_push(nd_arena *a, nd_value *seq, nd_value *item)
{
    if (!seq || !item) return ND_ENOMEM; /* a constructor in the call failed */
    if (seq->type != ND_T_LIST && seq->type != ND_T_TUPLE) return ND_ETYPE;
    int rc = seq_reserve(a, seq, 1);
    if (rc != ND_OK) return rc;
    seq->u.seq.v[seq->u.seq.n++] = item;
    return ND_OK;
}

/* Python's hashability: lists and dicts (and tuples holding them) cannot be
** dict keys. */
static bool hashable(const nd_value *v, int depth)
{
    if (depth > VALUE_MAX_DEPTH) return false;
    if (v->type == ND_T_LIST || v->type == ND_T_DICT) return false;
    if (v->type == ND_T_TUPLE)
        for (size_t i = 0; i < v->u.seq.n; i++)
            if (!hashable(v->u.seq.v[i], depth + 1)) return false;
    return true;
}

int nd_dict_setv(nd_arena *a, nd_value *dict, nd_value *key, nd_value *val)
{
    if (!dict || !key || !val) return ND_ENOMEM;
    if (dict->type != ND_T_DICT) return ND_ETYPE;
    if (!hashable(key, 0)) return ND_ETYPE;
    /* Linear search: replies hold a handful of keys, and a hash table would
    ** cost arena space on every dict. As in Python, an equal key (1, 1.0,
    ** True) keeps its first spelling and position; only the value changes. */
    for (size_t k = 0; k < dict->u.seq.n; k++) {
        if (nd_value_eq(dict->u.seq.v[2 * k], key)) {
            dict->u.seq.v[2 * k + 1] = val;
            return ND_OK;
        }
    }
    int rc = seq_reserve(a, dict, 2);
    if (rc != ND_OK) return rc;
    dict->u.seq.v[2 * dict->u.seq.n] = key;
    dict->u.seq.v[2 * dict->u.seq.n + 1] = val;
    dict->u.seq.n++;
    return ND_OK;
}

/* The slot of dict's value for the string key, NULL when absent. */
static nd_value **str_slot(const nd_value *dict, const char *key)
{
    size_t kn = strlen(key);
    for (size_t k = 0; k < dict->u.seq.n; k++) {
        const nd_value *kv = dict->u.seq.v[2 * k];
        if (kv->type == ND_T_STR && kv->u.s.n == kn && memcmp(kv->u.s.p, key, kn) == 0)
            return &dict->u.seq.v[2 * k + 1];
    }
    return NULL;
}

int nd_dict_set(nd_arena *a, nd_value *dict, const char *key, nd_value *val)
{
    if (!dict || !key || !val) return ND_ENOMEM;
    if (dict->type != ND_T_DICT) return ND_ETYPE;
    nd_value **slot = str_slot(dict, key);
    if (slot) {
        *slot = val;
        return ND_OK;
    }
    nd_value *kv = nd_str(a, key);
    if (!kv) return ND_ENOMEM;
    return nd_dict_setv(a, dict, kv, val);
}

int nd_dict_vkv(nd_arena *a, nd_value *d, const char *spec, va_list ap)
{
    int rc = ND_OK;
    for (; *spec && rc == ND_OK; spec += strlen(spec) + 1) {
        nd_value *v;
        switch (*spec) {
        case 'i': v = nd_int(a, va_arg(ap, int64_t)); break;
        case 'f': v = nd_float(a, va_arg(ap, double)); break;
        case 'b': v = nd_bool(a, va_arg(ap, int)); break;
        case 's': v = nd_str(a, va_arg(ap, const char *)); break;
        default: v = va_arg(ap, nd_value *); break;
        }
        rc = nd_dict_set(a, d, spec + 1, v); /* ND_ENOMEM for a NULL d or v */
    }
    return rc;
}

int nd_dict_kv(nd_arena *a, nd_value *d, const char *spec, ...)
{
    va_list ap;
    va_start(ap, spec);
    int rc = nd_dict_vkv(a, d, spec, ap);
    va_end(ap);
    return rc;
}

nd_value *nd_dict_get(const nd_value *dict, const char *key)
{
    if (!dict || !key || dict->type != ND_T_DICT) return NULL;
    nd_value **slot = str_slot(dict, key);
    return slot ? *slot : NULL;
}

/* ---- equality and truthiness ------------------------------------------- */

/* Python compares int and float exactly (2**53 + 1 != 2.0**53), so the
** float must be integral and inside int64 before the int comparison. The
** range test is false for nan too; inside it, the cast truncates, and only
** an integral f comes back unchanged. */
static bool int_eq_float(int64_t i, double f)
{
    if (!(f >= -9223372036854775808.0 && f < 9223372036854775808.0)) return false;
    int64_t k = (int64_t)f;
    return (double)k == f && k == i;
}

/* A bool or int as the int Python compares it as. */
static int64_t int_of(const nd_value *v)
{
    return v->type == ND_T_BOOL ? (int64_t)v->u.b : v->u.i;
}

static bool value_eq(const nd_value *x, const nd_value *y, int depth)
{
    if (depth > VALUE_MAX_DEPTH) return false;
    if (x == y && (!x || x->type != ND_T_FLOAT)) return true; /* nan != nan */
    nd_type tx = x ? x->type : ND_T_NONE, ty = y ? y->type : ND_T_NONE;
    if (tx == ND_T_NONE || ty == ND_T_NONE) return tx == ty;
    if (tx <= ND_T_FLOAT && ty <= ND_T_FLOAT) { /* numbers: bool, int, float */
        if (tx == ND_T_FLOAT && ty == ND_T_FLOAT) return x->u.f == y->u.f;
        if (tx == ND_T_FLOAT) return int_eq_float(int_of(y), x->u.f);
        if (ty == ND_T_FLOAT) return int_eq_float(int_of(x), y->u.f);
        return int_of(x) == int_of(y);
    }
    if (tx != ty || tx > ND_T_DICT) return false;
    if (tx == ND_T_STR)
        return x->u.s.n == y->u.s.n && (x->u.s.n == 0 || memcmp(x->u.s.p, y->u.s.p, x->u.s.n) == 0);
    /* list, tuple, dict */
    size_t n = x->u.seq.n;
    if (n != y->u.seq.n) return false;
    for (size_t i = 0; i < n; i++) {
        if (tx != ND_T_DICT) {
            if (!value_eq(x->u.seq.v[i], y->u.seq.v[i], depth + 1)) return false;
            continue;
        }
        /* Order does not matter for dict equality; keys are unique, so every
        ** key of x matching a key of y with an equal value is enough. */
        size_t j = 0;
        while (j < n && !value_eq(x->u.seq.v[2 * i], y->u.seq.v[2 * j], depth + 1)) j++;
        if (j == n || !value_eq(x->u.seq.v[2 * i + 1], y->u.seq.v[2 * j + 1], depth + 1)) return false;
    }
    return true;
}

bool nd_value_eq(const nd_value *x, const nd_value *y)
{
    return value_eq(x, y, 0);
}

bool nd_value_truthy(const nd_value *v)
{
    if (!v) return false;
    switch (v->type) {
    case ND_T_NONE: return false;
    case ND_T_BOOL: return v->u.b;
    case ND_T_INT: return v->u.i != 0;
    case ND_T_FLOAT: return v->u.f != 0.0; /* nan is true in Python too */
    case ND_T_STR: return v->u.s.n != 0;
    case ND_T_LIST:
    case ND_T_TUPLE:
    case ND_T_DICT: return v->u.seq.n != 0;
    default: return false;
    }
}

const char *nd_type_name(nd_type t)
{
    static const char names[] = "NoneType\0bool\0int\0float\0str\0list\0tuple\0dict\0object";
    return nth_str(names, t <= ND_T_DICT ? (unsigned)t : 8u);
}

/* ---- bounded buffer ---------------------------------------------------- */
/* Invariants: n <= max; when p != NULL, cap > n so the NUL of nd_buf_cstr
** always fits; cap <= max + 1 (max content plus that terminator). */

void nd_buf_init(nd_buf *b, size_t max)
{
    b->p = NULL;
    b->n = 0;
    b->cap = 0;
    b->max = max == SIZE_MAX ? SIZE_MAX - 1 : max;
    b->overflow = false;
}

void nd_buf_free(nd_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->n = 0;
    b->cap = 0;
    b->overflow = false;
}

void nd_buf_clear(nd_buf *b)
{
    b->n = 0;
    b->overflow = false;
}

/* Ensure room for `want` more content bytes (plus the terminator), limited
** by max. Returns how many of them fit; sets *rc to ND_ENOMEM when realloc
** failed (the room already allocated is still usable). */
static size_t buf_room(nd_buf *b, size_t want, int *rc)
{
    size_t avail_max = b->max - b->n;
    if (want > avail_max) want = avail_max;
    size_t need = b->n + want + 1;
    if (need > b->cap) {
        size_t ncap = b->cap ? b->cap : 64;
        while (ncap < need && ncap <= (SIZE_MAX >> 1)) ncap *= 2;
        if (ncap < need) ncap = need;
        if (ncap > b->max + 1) ncap = b->max + 1;
        char *np = realloc(b->p, ncap);
        if (!np) {
            *rc = ND_ENOMEM;
            return b->cap > b->n ? b->cap - b->n - 1 : 0;
        }
        b->p = np;
        b->cap = ncap;
    }
    return want;
}

int nd_buf_put(nd_buf *b, const void *p, size_t n)
{
    if (b->overflow) return ND_ELIMIT;
    if (n == 0) return ND_OK;
    int rc = ND_OK;
    size_t room = buf_room(b, n, &rc);
    if (room) memcpy(b->p + b->n, p, room);
    b->n += room;
    if (room < n) {
        b->overflow = true; /* latches: a reply with a hole in it is worse than a cut one */
        return rc != ND_OK ? rc : ND_ELIMIT;
    }
    return ND_OK;
}

int nd_buf_puts(nd_buf *b, const char *s)
{
    return nd_buf_put(b, s, strlen(s));
}

int nd_buf_putc(nd_buf *b, char c)
{
    return nd_buf_put(b, &c, 1);
}

int nd_buf_vprintf(nd_buf *b, const char *fmt, va_list ap)
{
    if (b->overflow) return ND_ELIMIT;
    va_list ap2;
    va_copy(ap2, ap);
    int len = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (len < 0) return ND_EINVAL;
    if (len == 0) return ND_OK;
    int rc = ND_OK;
    size_t room = buf_room(b, (size_t)len, &rc);
    if (b->p && b->cap > b->n) {
        /* vsnprintf truncates at room bytes and writes the NUL in the spare
        ** byte the invariant keeps. */
        vsnprintf(b->p + b->n, room + 1, fmt, ap);
        b->n += room;
    }
    if (room < (size_t)len) {
        b->overflow = true;
        return rc != ND_OK ? rc : ND_ELIMIT;
    }
    return ND_OK;
}

int nd_buf_printf(nd_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = nd_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

void nd_buf_consume(nd_buf *b, size_t n)
{
    if (n >= b->n) {
        b->n = 0;
        return;
    }
    memmove(b->p, b->p + n, b->n - n);
    b->n -= n;
}

const char *nd_buf_cstr(nd_buf *b)
{
    if (!b->p) return "";
    b->p[b->n] = 0;
    return b->p;
}
