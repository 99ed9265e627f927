/*
** value.h -- the one value type of nodus, its arena, and its two renderers.
**
** Every module function receives and returns nd_value trees. A command's
** values live in one caller-owned arena (nd_arena) that is reset after the
** reply is sent: a command can never leak, and the memory one command may use
** is bounded by the arena's size. Running out of arena is an ordinary error
** (ND_ENOMEM), reported to the user, never a crash.
**
** The two renderers reproduce what micrOS clients parse:
**  - Python text (repr/str): True, None, 'a', ['a', 'b'], {'k': 1}, 16.7
**  - JSON as Python's json.dumps writes it: ", " and ": " separators,
**    non-ASCII escaped as \uXXXX.
*/
#ifndef NODUS_VALUE_H
#define NODUS_VALUE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One error idiom for the whole code base: 0 is success, negative is one of: */
enum {
    ND_OK = 0,
    ND_ERR = -1,       /* generic failure; the message is elsewhere (nd_call.err) */
    ND_ENOMEM = -2,    /* arena, pool or table full */
    ND_ESYNTAX = -3,   /* malformed input text */
    ND_ETYPE = -4,     /* value of the wrong type */
    ND_ENOTFOUND = -5, /* no such key, module, function, file */
    ND_ELIMIT = -6,    /* a configured limit was hit (length, count, depth) */
    ND_EIO = -7,       /* storage or network I/O failed */
    ND_EAGAIN = -8,    /* would block; try again when the loop says so */
    ND_ECLOSED = -9,   /* peer closed the connection */
    ND_EINVAL = -10,   /* invalid argument or value */
    ND_ETIMEOUT = -11, /* no answer in time (a name server that never answered) */
};
const char *nd_strerror(int err);

/* ---- arena: bump allocator over a caller-owned buffer ------------------ */
typedef struct nd_arena {
    char *base;  /* caller-owned storage */
    size_t cap;  /* its size */
    size_t used; /* bytes handed out, always 8-aligned */
    size_t peak; /* high-water mark since init, for metrics */
} nd_arena;

void nd_arena_init(nd_arena *a, void *buf, size_t cap);
void *nd_arena_alloc(nd_arena *a, size_t n); /* 8-aligned; NULL when full */
void nd_arena_reset(nd_arena *a);
char *nd_arena_strndup(nd_arena *a, const char *s, size_t n); /* NUL-terminated */

/* ---- values ----------------------------------------------------------- */
typedef enum nd_type {
    ND_T_NONE,
    ND_T_BOOL,
    ND_T_INT,
    ND_T_FLOAT,
    ND_T_STR,
    ND_T_LIST,
    ND_T_TUPLE,
    ND_T_DICT
} nd_type;

typedef struct nd_value nd_value;
struct nd_value {
    nd_type type;
    union {
        bool b;
        int64_t i;
        double f;
        struct {
            const char *p; /* always NUL-terminated; may also contain NULs */
            size_t n;
        } s;
        struct {
            nd_value **v; /* list/tuple: n items; dict: v[2k]=key, v[2k+1]=value */
            size_t n;     /* items (list/tuple) or pairs (dict) */
            size_t cap;   /* allocated slots in v */
        } seq;
    } u;
};

/* Constructors allocate in the arena and return NULL when it is full. */
nd_value *nd_none(nd_arena *a);
nd_value *nd_bool(nd_arena *a, bool b);
nd_value *nd_int(nd_arena *a, int64_t i);
nd_value *nd_float(nd_arena *a, double f);
/* m * 10^e10 as the nearest double (half-even), the way strtod reads
** "<m>e<e10>", without floating-point arithmetic (src/core/fmt.c): for
** integers shown as decimals -- microseconds as milliseconds is
** nd_decimal(us, -3), tenths of a percent nd_decimal(pm, -1) -- so that a
** board without an FPU links no soft-float division for them. Bit for bit
** (double)m / 10^-e10 where |m| < 2^53. Overflow gives HUGE_VAL, underflow
** 0, both with ERANGE, as strtod. */
double nd_decimal(int64_t m, int e10);
nd_value *nd_str(nd_arena *a, const char *s);
nd_value *nd_strn(nd_arena *a, const char *s, size_t n);
nd_value *nd_strf(nd_arena *a, const char *fmt, ...);
nd_value *nd_list(nd_arena *a);
nd_value *nd_tuple(nd_arena *a);
nd_value *nd_dict(nd_arena *a);

/* Append to a list/tuple (ND_OK, ND_ENOMEM, ND_ETYPE). */
int nd_seq_push(nd_arena *a, nd_value *seq, nd_value *item);
/* Set a string key in a dict: replaces an existing key, keeps insertion order. */
int nd_dict_set(nd_arena *a, nd_value *dict, const char *key, nd_value *val);
/* Set with any value as key (ints, tuples ... as Python allows). */
int nd_dict_setv(nd_arena *a, nd_value *dict, nd_value *key, nd_value *val);
/* Set a run of string-keyed items in one call (a constructor and a set per
** item cost more code than one packed spec): spec is a list of items, each a
** type letter, the key and a NUL -- "ipin\0strig\0" -- the values follow in
** the same order: i int64_t, f double, b int (bool), s const char *,
** v nd_value * (NULL: ND_ENOMEM, as a failed constructor). ND_OK, or the
** first failure (ND_ENOMEM, ND_ETYPE); d NULL is ND_ENOMEM. */
int nd_dict_kv(nd_arena *a, nd_value *d, const char *spec, ...);
int nd_dict_vkv(nd_arena *a, nd_value *d, const char *spec, va_list ap);
/* Look up a string key; NULL when absent. */
nd_value *nd_dict_get(const nd_value *dict, const char *key);
/* Python equality of two values (1 == 1.0 == True holds, as in Python). */
bool nd_value_eq(const nd_value *x, const nd_value *y);
/* Python truthiness. */
bool nd_value_truthy(const nd_value *v);
const char *nd_type_name(nd_type t); /* Python names: 'NoneType', 'int', 'str', ... */

/* ---- bounded output buffer -------------------------------------------- */
/* Grows (malloc) up to max bytes; past that further appends are dropped and
** overflow is set, so a runaway reply can never take the node's memory. */
typedef struct nd_buf {
    char *p;
    size_t n, cap, max;
    bool overflow;
} nd_buf;

void nd_buf_init(nd_buf *b, size_t max);
void nd_buf_free(nd_buf *b);
void nd_buf_clear(nd_buf *b); /* n = 0, overflow = false, memory kept */
int nd_buf_put(nd_buf *b, const void *p, size_t n);
int nd_buf_puts(nd_buf *b, const char *s);
int nd_buf_putc(nd_buf *b, char c);
int nd_buf_printf(nd_buf *b, const char *fmt, ...);
int nd_buf_vprintf(nd_buf *b, const char *fmt, va_list ap);
void nd_buf_consume(nd_buf *b, size_t n); /* drop n bytes from the front */
const char *nd_buf_cstr(nd_buf *b);       /* NUL-terminates (not counted in n) */

/* ---- renderers -------------------------------------------------------- */
int nd_render_repr(nd_buf *b, const nd_value *v);  /* Python repr() */
int nd_render_str(nd_buf *b, const nd_value *v);   /* Python str(): strings raw */
int nd_render_json(nd_buf *b, const nd_value *v);  /* Python json.dumps() */
int nd_render_float(nd_buf *b, double f);          /* Python repr of a float */

/* micrOS reply formatting of a module function's return value (docs/micros-compat.md §2.6 item 5):
**  dict, text : one line per item " <key>: <str(value)>", joined by "\n"
**  dict, json : JSON object on one line
**  help       : text " <item>," per line; json: JSON array of strings
**  otherwise  : str(value); json mode changes nothing for non-dicts
** No trailing newline is written. */
int nd_render_reply(nd_buf *b, const nd_value *v, bool json, bool is_help);

/* ---- Python literal parser (never evaluates code) --------------------- */
#define ND_LIT_MAX_DEPTH 32 /* nesting limit of [ ( { */
#define ND_ERRMSG 160       /* size of every error-message buffer */

/* Parse one literal starting at s (leading white space skipped). On success
** *out is the value and *used the number of bytes consumed (up to, not
** including, the following separator). On failure returns ND_ESYNTAX (or
** ND_ENOMEM/ND_ELIMIT) with a Python-style message in err, for example
**   name 'builtin' is not defined
**   '(' was never closed
**   unterminated string literal
** Accepted: ints (sign, decimal, 0x/0o/0b), floats (1.5, -2e3, .5), True,
** False, None, '...' and "..." strings with Python escapes, lists, tuples,
** dicts of these. */
int nd_lit_parse(nd_arena *a, const char *s, size_t n, size_t *used, nd_value **out,
                 char *err, size_t errn);

/* A parsed call argument: name is NULL for a positional one. */
typedef struct nd_arg {
    const char *name; /* NUL-terminated, in the arena */
    nd_value *v;
} nd_arg;

/* Parse an argument list: literals and name=literal keywords separated by
** white space and/or commas ("1 2", "1, 2", "br=5 'a b'", "[1, 2] k={'a': 1}").
** Errors: ND_ESYNTAX with a message; ND_ELIMIT "too many arguments" past max;
** "positional argument follows keyword argument"; duplicate keyword
** "keyword argument repeated: k". */
int nd_args_parse(nd_arena *a, const char *s, size_t n, nd_arg *out, int max, int *count,
                  char *err, size_t errn);

/* UTF-8 validity check (rejects overlongs, surrogates, > U+10FFFF). */
bool nd_utf8_valid(const char *s, size_t n);

#endif
