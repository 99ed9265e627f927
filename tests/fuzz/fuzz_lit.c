/*
** fuzz_lit.c -- libFuzzer target for the literal/argument parser and the
** renderers.
**
** Each input is parsed as an argument line (nd_args_parse) and as a single
** literal (nd_lit_parse) in small arenas, so running out of arena is hit
** often; every parsed value is rendered with repr, str, JSON and the micrOS
** reply formatter into bounded buffers. Properties checked (abort() on
** violation, so the fuzzer reports it):
**  - error messages are NUL-terminated, shorter than ND_ERRMSG, valid UTF-8;
**  - repr output is valid UTF-8 and JSON output is pure ASCII;
**  - round trip: repr of a parsed value re-parses (nd_lit_parse) to a value
**    nd_value_eq to it, using all of the text. Values holding inf are
**    skipped (1e999 parses to inf, whose repr 'inf' is not a literal), as
**    are cut (overflowed) renderings.
**
** Build: clang -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude \
**   src/core/value.c src/core/render.c src/core/lit.c tests/fuzz/fuzz_lit.c -lm
*/
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nodus/value.h"

#define ARGS_MAX 12

static _Alignas(8) char arena_mem[4096];
static _Alignas(8) char check_mem[1 << 16];

static void check_err(const char *err)
{
    const char *z = memchr(err, 0, ND_ERRMSG);
    if (!z) abort();
    if (!nd_utf8_valid(err, (size_t)(z - err))) abort();
}

/* Does v contain a float that has no literal form (inf, nan)? */
static bool has_nonfinite(const nd_value *v)
{
    switch (v->type) {
    case ND_T_FLOAT: return !isfinite(v->u.f);
    case ND_T_LIST:
    case ND_T_TUPLE:
        for (size_t i = 0; i < v->u.seq.n; i++)
            if (has_nonfinite(v->u.seq.v[i])) return true;
        return false;
    case ND_T_DICT:
        for (size_t i = 0; i < 2 * v->u.seq.n; i++)
            if (has_nonfinite(v->u.seq.v[i])) return true;
        return false;
    default: return false;
    }
}

static void exercise(const nd_value *v)
{
    nd_buf repr, json, other;
    nd_buf_init(&repr, 8192);
    nd_buf_init(&json, 8192);
    nd_buf_init(&other, 512);

    nd_render_repr(&repr, v);
    nd_render_json(&json, v);
    nd_render_str(&other, v);
    nd_buf_clear(&other);
    nd_render_reply(&other, v, false, false);
    nd_buf_clear(&other);
    nd_render_reply(&other, v, true, true);
    nd_buf_clear(&other);
    nd_render_reply(&other, v, false, true);

    if (!repr.overflow && !nd_utf8_valid(repr.p ? repr.p : "", repr.n)) abort();
    for (size_t i = 0; i < json.n; i++)
        if ((unsigned char)json.p[i] >= 0x80) abort();

    if (!repr.overflow && !has_nonfinite(v)) {
        nd_arena a;
        nd_arena_init(&a, check_mem, sizeof check_mem);
        nd_value *w = NULL;
        size_t used = 0;
        char err[ND_ERRMSG];
        int rc = nd_lit_parse(&a, repr.p, repr.n, &used, &w, err, sizeof err);
        if (rc == ND_OK) {
            if (used != repr.n) abort();
            if (!nd_value_eq(v, w)) abort();
        } else if (rc != ND_ENOMEM) {
            abort(); /* our own repr must always be a valid literal */
        }
    }
    nd_buf_free(&repr);
    nd_buf_free(&json);
    nd_buf_free(&other);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size copy: ASan then catches any read past the end. */
    char *s = malloc(size ? size : 1);
    if (!s) return 0;
    if (size) memcpy(s, data, size);

    nd_arena a;
    /* The first byte picks a small arena size, so ENOMEM paths run too. */
    size_t cap = size ? 256 + (size_t)(unsigned char)s[0] * 15 : 256;
    nd_arena_init(&a, arena_mem, cap);
    nd_arg av[ARGS_MAX];
    int count = -1;
    char err[ND_ERRMSG];
    memset(err, 0, sizeof err);
    int rc = nd_args_parse(&a, s, size, av, ARGS_MAX, &count, err, sizeof err);
    if (count < 0 || count > ARGS_MAX) abort();
    if (rc == ND_OK) {
        for (int i = 0; i < count; i++) {
            if (!av[i].v) abort();
            if (av[i].name && !nd_utf8_valid(av[i].name, strlen(av[i].name))) abort();
            exercise(av[i].v);
        }
    } else {
        check_err(err);
    }

    nd_arena_init(&a, arena_mem, sizeof arena_mem);
    nd_value *v = NULL;
    size_t used = 0;
    memset(err, 0, sizeof err);
    rc = nd_lit_parse(&a, s, size, &used, &v, err, sizeof err);
    if (used > size) abort();
    if (rc == ND_OK) {
        if (!v) abort();
        exercise(v);
    } else {
        if (v) abort();
        check_err(err);
    }
    (void)nd_utf8_valid(s, size);
    free(s);
    return 0;
}
