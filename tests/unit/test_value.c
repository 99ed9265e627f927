/*
** test_value.c -- the value model: arena, constructors, containers,
** Python equality/truthiness and the bounded buffer, failures included
** (full arena, wrong types, buffer past max).
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nodus/value.h"

static _Alignas(8) char mem[1 << 16];

static nd_value *lit(nd_arena *a, const char *s)
{
    nd_value *v = NULL;
    size_t used;
    char err[ND_ERRMSG];
    int rc = nd_lit_parse(a, s, strlen(s), &used, &v, err, sizeof err);
    if (rc != ND_OK) fail_msg("literal %s: %s", s, err);
    return v;
}

/* ---- nd_strerror ------------------------------------------------------- */

static void test_strerror(void **state)
{
    static const struct {
        int err;
        const char *msg;
    } rows[] = {
        {ND_OK, "success"},        {ND_ERR, "error"},
        {ND_ENOMEM, "out of memory"}, {ND_ESYNTAX, "syntax error"},
        {ND_ETYPE, "wrong type"},  {ND_ENOTFOUND, "not found"},
        {ND_ELIMIT, "limit exceeded"}, {ND_EIO, "I/O error"},
        {ND_EAGAIN, "try again"},  {ND_ECLOSED, "connection closed"},
        {ND_EINVAL, "invalid argument"}, {ND_ETIMEOUT, "timed out"}, {-12, "unknown error"},
        {-999, "unknown error"},
        {1, "unknown error"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        assert_string_equal(nd_strerror(rows[i].err), rows[i].msg);
}

/* ---- arena ------------------------------------------------------------- */

static void test_arena_alignment(void **state)
{
    /* A misaligned caller buffer still yields 8-aligned blocks. */
    for (size_t off = 0; off < 8; off++) {
        nd_arena a;
        nd_arena_init(&a, mem + off, 100);
        assert_true(a.cap <= 100 && a.cap % 8 == 0);
        static const size_t sizes[] = {1, 3, 8, 9, 0, 17};
        for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
            char *p = nd_arena_alloc(&a, sizes[k]);
            assert_non_null(p);
            assert_int_equal((uintptr_t)p % 8, 0);
            assert_int_equal(a.used % 8, 0);
        }
    }
}

static void test_arena_full_reset_peak(void **state)
{
    nd_arena a;
    nd_arena_init(&a, mem, 64);
    assert_int_equal(a.cap, 64);
    assert_non_null(nd_arena_alloc(&a, 60));
    assert_null(nd_arena_alloc(&a, 8)); /* 64 used */
    assert_int_equal(a.used, 64);
    assert_int_equal(a.peak, 64);
    nd_arena_reset(&a);
    assert_int_equal(a.used, 0);
    assert_int_equal(a.peak, 64); /* high-water mark survives reset */
    assert_null(nd_arena_alloc(&a, 65));
    assert_null(nd_arena_alloc(&a, SIZE_MAX));
    assert_null(nd_arena_alloc(&a, SIZE_MAX - 3));
    assert_non_null(nd_arena_alloc(&a, 64));
    assert_null(nd_arena_alloc(&a, 1));

    nd_arena z; /* zero-sized and NULL arenas never hand out memory */
    nd_arena_init(&z, mem, 0);
    assert_null(nd_arena_alloc(&z, 1));
    nd_arena_init(&z, NULL, 100);
    assert_null(nd_arena_alloc(&z, 1));
    nd_arena_init(&z, mem + 1, 5); /* nothing aligned inside */
    assert_null(nd_arena_alloc(&z, 1));
}

static void test_arena_strndup(void **state)
{
    nd_arena a;
    nd_arena_init(&a, mem, 32);
    char *s = nd_arena_strndup(&a, "hello world", 5);
    assert_string_equal(s, "hello");
    assert_string_equal(nd_arena_strndup(&a, NULL, 0), "");
    assert_null(nd_arena_strndup(&a, "0123456789012345678901234567890123", 33));
    assert_null(nd_arena_strndup(&a, "x", SIZE_MAX));
}

/* ---- constructors ------------------------------------------------------ */

static void test_constructors(void **state)
{
    nd_arena a;
    nd_arena_init(&a, mem, sizeof mem);
    assert_int_equal(nd_none(&a)->type, ND_T_NONE);
    nd_value *v = nd_bool(&a, true);
    assert_int_equal(v->type, ND_T_BOOL);
    assert_true(v->u.b);
    v = nd_int(&a, INT64_MIN);
    assert_int_equal(v->type, ND_T_INT);
    assert_true(v->u.i == INT64_MIN);
    v = nd_float(&a, 1.5);
    assert_true(v->type == ND_T_FLOAT && v->u.f == 1.5);
    v = nd_str(&a, "abc");
    assert_true(v->type == ND_T_STR && v->u.s.n == 3);
    assert_string_equal(v->u.s.p, "abc");
    v = nd_str(&a, NULL);
    assert_true(v->type == ND_T_STR && v->u.s.n == 0 && v->u.s.p[0] == 0);
    v = nd_strn(&a, "a\0b", 3); /* embedded NUL kept, still terminated */
    assert_int_equal(v->u.s.n, 3);
    assert_memory_equal(v->u.s.p, "a\0b\0", 4);
    v = nd_strf(&a, "%s=%d", "x", 42);
    assert_int_equal(v->u.s.n, 4);
    assert_string_equal(v->u.s.p, "x=42");
    v = nd_strf(&a, "%s", "");
    assert_true(v && v->u.s.n == 0);
    assert_int_equal(nd_list(&a)->type, ND_T_LIST);
    assert_int_equal(nd_tuple(&a)->type, ND_T_TUPLE);
    v = nd_dict(&a);
    assert_true(v->type == ND_T_DICT && v->u.seq.n == 0);
}

/* Every constructor returns NULL, never crashes, in a full arena; and a
** string constructor fails too when only its header fits. */
static void test_constructors_full(void **state)
{
    nd_arena a;
    nd_arena_init(&a, mem, 0);
    assert_null(nd_none(&a));
    assert_null(nd_bool(&a, false));
    assert_null(nd_int(&a, 1));
    assert_null(nd_float(&a, 1));
    assert_null(nd_str(&a, "x"));
    assert_null(nd_strn(&a, "x", 1));
    assert_null(nd_strf(&a, "%d", 1));
    assert_null(nd_list(&a));
    assert_null(nd_tuple(&a));
    assert_null(nd_dict(&a));
    nd_arena_init(&a, mem, sizeof(nd_value));
    assert_null(nd_str(&a, "x"));
    nd_arena_init(&a, mem, sizeof(nd_value));
    assert_null(nd_strf(&a, "%d", 12345));
    nd_arena_init(&a, mem, sizeof(nd_value) + 8);
    assert_non_null(nd_strf(&a, "%d", 1234567));
}

/* ---- containers -------------------------------------------------------- */

static void test_seq_push_grow(void **state)
{
    nd_arena a;
    nd_arena_init(&a, mem, sizeof mem);
    nd_value *l = nd_list(&a);
    for (int i = 0; i < 100; i++) {
        assert_int_equal(nd_seq_push(&a, l, nd_int(&a, i)), ND_OK);
        /* something else in between, so growth must copy */
        if (i % 7 == 0) nd_none(&a);
    }
    assert_int_equal(l->u.seq.n, 100);
    assert_true(l->u.seq.cap >= 100);
    for (int i = 0; i < 100; i++) assert_true(l->u.seq.v[i]->u.i == i);
    /* growth in place when the array is the last allocation */
    nd_value *t = nd_tuple(&a);
    for (int i = 0; i < 64; i++) assert_int_equal(nd_seq_push(&a, t, l), ND_OK);
    assert_int_equal(t->u.seq.n, 64);
    for (int i = 0; i < 64; i++) assert_ptr_equal(t->u.seq.v[i], l);
}

static void test_seq_push_errors(void **state)
{
    nd_arena a;
    nd_arena_init(&a, mem, sizeof mem);
    nd_value *d = nd_dict(&a), *i = nd_int(&a, 1), *l = nd_list(&a);
    assert_int_equal(nd_seq_push(&a, d, i), ND_ETYPE);
    assert_int_equal(nd_seq_push(&a, i, i), ND_ETYPE);
    assert_int_equal(nd_seq_push(&a, l, NULL), ND_ENOMEM); /* failed constructor */
    assert_int_equal(nd_seq_push(&a, NULL, i), ND_ENOMEM);

    /* A tiny arena: the list header and one item fit, the array does not. */
    nd_arena t;
    nd_arena_init(&t, mem, 2 * sizeof(nd_value));
    nd_value *tl = nd_list(&t), *ti = nd_int(&t, 7);
    assert_non_null(tl);
    assert_non_null(ti);
    assert_int_equal(nd_seq_push(&t, tl, ti), ND_ENOMEM);
    assert_int_equal(tl->u.seq.n, 0);

    /* Growth failing part way keeps every item pushed so far. */
    nd_arena_init(&t, mem, 2 * sizeof(nd_value) + 4 * sizeof(nd_value *));
    tl = nd_list(&t);
    ti = nd_int(&t, 7);
    int rc = ND_OK, pushed = 0;
    while ((rc = nd_seq_push(&t, tl, ti)) == ND_OK) pushed++;
    assert_int_equal(rc, ND_ENOMEM);
    assert_int_equal(pushed, 4);
    assert_int_equal(tl->u.seq.n, 4);
}

static void test_dict(void **state)
{
    nd_arena a;
    nd_arena_init(&a, mem, sizeof mem);
    nd_value *d = nd_dict(&a);
    assert_int_equal(nd_dict_set(&a, d, "b", nd_int(&a, 1)), ND_OK);
    assert_int_equal(nd_dict_set(&a, d, "a", nd_int(&a, 2)), ND_OK);
    assert_int_equal(nd_dict_set(&a, d, "b", nd_int(&a, 3)), ND_OK); /* replace keeps place */
    assert_int_equal(d->u.seq.n, 2);
    assert_string_equal(d->u.seq.v[0]->u.s.p, "b");
    assert_true(nd_dict_get(d, "b")->u.i == 3);
    assert_true(nd_dict_get(d, "a")->u.i == 2);
    assert_null(nd_dict_get(d, "c"));
    assert_null(nd_dict_get(d, NULL));
    assert_null(nd_dict_get(NULL, "a"));
    assert_null(nd_dict_get(nd_list(&a), "a"));

    /* any hashable key; 1, 1.0 and True are one key, the first spelling stays */
    assert_int_equal(nd_dict_setv(&a, d, nd_int(&a, 1), nd_str(&a, "x")), ND_OK);
    assert_int_equal(nd_dict_setv(&a, d, nd_float(&a, 1.0), nd_str(&a, "y")), ND_OK);
    assert_int_equal(nd_dict_setv(&a, d, nd_bool(&a, true), nd_str(&a, "z")), ND_OK);
    assert_int_equal(d->u.seq.n, 3);
    assert_int_equal(d->u.seq.v[4]->type, ND_T_INT);
    assert_string_equal(d->u.seq.v[5]->u.s.p, "z");
    assert_int_equal(nd_dict_setv(&a, d, lit(&a, "(1, 'a')"), nd_none(&a)), ND_OK);
    assert_int_equal(nd_dict_setv(&a, d, lit(&a, "(1, 'a')"), nd_int(&a, 5)), ND_OK);
    assert_int_equal(d->u.seq.n, 4);
    /* a non-string key does not match a string lookup */
    assert_null(nd_dict_get(d, "1"));

    /* errors */
    assert_int_equal(nd_dict_setv(&a, d, lit(&a, "[1]"), nd_none(&a)), ND_ETYPE);
    assert_int_equal(nd_dict_setv(&a, d, lit(&a, "{}"), nd_none(&a)), ND_ETYPE);
    assert_int_equal(nd_dict_setv(&a, d, lit(&a, "(1, [2])"), nd_none(&a)), ND_ETYPE);
    assert_int_equal(nd_dict_setv(&a, nd_list(&a), nd_int(&a, 1), nd_none(&a)), ND_ETYPE);
    assert_int_equal(nd_dict_set(&a, nd_list(&a), "k", nd_none(&a)), ND_ETYPE);
    assert_int_equal(nd_dict_set(&a, d, "k", NULL), ND_ENOMEM);
    assert_int_equal(nd_dict_set(&a, d, NULL, nd_none(&a)), ND_ENOMEM);
    assert_int_equal(nd_dict_setv(&a, d, NULL, nd_none(&a)), ND_ENOMEM);
    assert_int_equal(nd_dict_setv(&a, NULL, nd_none(&a), nd_none(&a)), ND_ENOMEM);
    assert_int_equal(d->u.seq.n, 4);
}

static void test_dict_full(void **state)
{
    nd_arena a;
    /* header + value fit, but not the key string */
    nd_arena_init(&a, mem, 2 * sizeof(nd_value));
    nd_value *d = nd_dict(&a), *v = nd_none(&a);
    assert_int_equal(nd_dict_set(&a, d, "key", v), ND_ENOMEM);
    assert_int_equal(d->u.seq.n, 0);
    /* key fits, pair array does not */
    nd_arena_init(&a, mem, 3 * sizeof(nd_value));
    d = nd_dict(&a);
    v = nd_none(&a);
    nd_value *k = nd_int(&a, 1);
    assert_int_equal(nd_dict_setv(&a, d, k, v), ND_ENOMEM);
    /* keys until full: each earlier pair stays readable */
    nd_arena_init(&a, mem, 1024);
    d = nd_dict(&a);
    int rc, i = 0;
    char key[32];
    do {
        snprintf(key, sizeof key, "k%d", i++);
        rc = nd_dict_set(&a, d, key, nd_int(&a, i));
    } while (rc == ND_OK);
    assert_int_equal(rc, ND_ENOMEM);
    assert_true(d->u.seq.n > 4);
    for (size_t j = 0; j < d->u.seq.n; j++) {
        snprintf(key, sizeof key, "k%zu", j);
        assert_true(nd_dict_get(d, key)->u.i == (int64_t)j + 1);
    }
}

/* ---- equality ---------------------------------------------------------- */

static void test_eq(void **state)
{
    static const struct {
        const char *x, *y;
        bool eq;
    } rows[] = {
        {"None", "None", true},
        {"None", "0", false},
        {"None", "False", false},
        {"1", "1", true},
        {"1", "1.0", true},
        {"1", "True", true},
        {"0", "False", true},
        {"0.0", "-0.0", true},
        {"0", "-0.0", true},
        {"True", "1.0", true},
        {"2", "2.5", false},
        {"9007199254740993", "9007199254740992.0", false}, /* exact int/float compare */
        {"9007199254740992", "9007199254740992.0", true},
        {"9223372036854775807", "9223372036854775808.0", false},
        {"-9223372036854775808", "-9223372036854775808.0", true},
        {"1", "1e999", false},
        {"'a'", "'a'", true},
        {"'a'", "'b'", false},
        {"'a'", "'ab'", false},
        {"''", "''", true},
        {"'\\x00a'", "'\\x00b'", false},
        {"'1'", "1", false},
        {"[1, 2]", "[1, 2]", true},
        {"[1, 2]", "[1.0, 2.5]", false},
        {"[1, 2]", "(1, 2)", false},
        {"(1, 2)", "(1, 2)", true},
        {"(1, 2)", "(1, 2, 3)", false},
        {"[]", "[]", true},
        {"()", "[]", false},
        {"[[1], (2,)]", "[[1.0], (2.0,)]", true},
        {"{}", "{}", true},
        {"{'a': 1, 'b': 2}", "{'b': 2, 'a': 1}", true}, /* order does not matter */
        {"{'a': 1, 'b': 2}", "{'a': 1, 'b': 3}", false},
        {"{'a': 1, 'b': 2}", "{'a': 1, 'c': 2}", false},
        {"{'a': 1}", "{'a': 1, 'b': 2}", false},
        {"{1: 'x'}", "{1.0: 'x'}", true},
        {"{}", "[]", false},
    };
    nd_arena a;
    nd_arena_init(&a, mem, sizeof mem);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const char *y = rows[i].y;
        nd_value *vx = lit(&a, rows[i].x), *vy = lit(&a, y);
        if (nd_value_eq(vx, vy) != rows[i].eq || nd_value_eq(vy, vx) != rows[i].eq)
            fail_msg("row %zu: %s == %s should be %d", i, rows[i].x, y, rows[i].eq);
    }
    /* NaN is unequal to everything, itself included; NULL counts as None */
    nd_value *nan = nd_float(&a, NAN);
    assert_false(nd_value_eq(nan, nan));
    assert_true(nd_value_eq(NULL, NULL));
    assert_true(nd_value_eq(NULL, nd_none(&a)));
    assert_false(nd_value_eq(NULL, nd_int(&a, 0)));
    nd_value *l = nd_list(&a);
    assert_true(nd_value_eq(l, l));
    /* a list containing itself: bounded, no stack overflow */
    nd_seq_push(&a, l, l);
    nd_value *m = nd_list(&a);
    nd_seq_push(&a, m, m);
    assert_false(nd_value_eq(l, m));
}

static void test_truthy_and_names(void **state)
{
    static const struct {
        const char *lit;
        bool truthy;
        const char *type;
    } rows[] = {
        {"None", false, "NoneType"}, {"False", false, "bool"}, {"True", true, "bool"},
        {"0", false, "int"},         {"-1", true, "int"},      {"0.0", false, "float"},
        {"-0.0", false, "float"},    {"0.5", true, "float"},   {"''", false, "str"},
        {"'0'", true, "str"},        {"[]", false, "list"},    {"[0]", true, "list"},
        {"()", false, "tuple"},      {"(0,)", true, "tuple"},  {"{}", false, "dict"},
        {"{0: 0}", true, "dict"},
    };
    nd_arena a;
    nd_arena_init(&a, mem, sizeof mem);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        nd_value *v = lit(&a, rows[i].lit);
        if (nd_value_truthy(v) != rows[i].truthy) fail_msg("truthy(%s)", rows[i].lit);
        assert_string_equal(nd_type_name(v->type), rows[i].type);
    }
    assert_false(nd_value_truthy(NULL));
    assert_true(nd_value_truthy(nd_float(&a, NAN)));
    assert_string_equal(nd_type_name((nd_type)99), "object");
}

/* ---- nd_buf ------------------------------------------------------------ */

static void test_buf_basic(void **state)
{
    nd_buf b;
    nd_buf_init(&b, 1000);
    assert_string_equal(nd_buf_cstr(&b), ""); /* before any allocation */
    assert_int_equal(nd_buf_puts(&b, "abc"), ND_OK);
    assert_int_equal(nd_buf_putc(&b, 'd'), ND_OK);
    assert_int_equal(nd_buf_put(&b, "e\0f", 3), ND_OK);
    assert_int_equal(nd_buf_put(&b, NULL, 0), ND_OK);
    assert_int_equal(nd_buf_printf(&b, "%d-%s", 42, "x"), ND_OK);
    assert_int_equal(nd_buf_printf(&b, "%s", ""), ND_OK);
    assert_int_equal(b.n, 11);
    assert_memory_equal(nd_buf_cstr(&b), "abcde\0f42-x", 12);
    nd_buf_consume(&b, 2);
    assert_memory_equal(b.p, "cde\0f42-x", 9);
    assert_int_equal(b.n, 9);
    nd_buf_consume(&b, 100);
    assert_int_equal(b.n, 0);
    assert_string_equal(nd_buf_cstr(&b), "");
    /* growth past the first chunk */
    for (int i = 0; i < 99; i++) assert_int_equal(nd_buf_puts(&b, "0123456789"), ND_OK);
    assert_int_equal(b.n, 990);
    assert_true(b.cap <= 1001);
    nd_buf_clear(&b);
    assert_int_equal(b.n, 0);
    assert_non_null(b.p); /* memory kept */
    nd_buf_free(&b);
    assert_null(b.p);
    nd_buf_free(&b); /* twice is harmless */
}

static void test_buf_overflow(void **state)
{
    static const struct {
        size_t max;
        const char *a, *b; /* appended with put, then printf */
        size_t n;          /* resulting length */
        bool overflow;
    } rows[] = {
        {10, "12345", "678", 8, false},
        {10, "12345", "67890", 10, false}, /* exactly max */
        {10, "12345", "678901", 10, true}, /* cut at max */
        {10, "12345678901", "x", 10, true},
        {0, "1", "", 0, true},
        {0, "", "", 0, false},
        {3, "", "abcdef", 3, true},
        {200, "", "x", 1, false},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        nd_buf b;
        nd_buf_init(&b, rows[i].max);
        int r1 = nd_buf_puts(&b, rows[i].a);
        int r2 = nd_buf_printf(&b, "%s", rows[i].b);
        if (b.n != rows[i].n || b.overflow != rows[i].overflow)
            fail_msg("row %zu: n=%zu overflow=%d", i, b.n, b.overflow);
        assert_int_equal(r1 == ND_OK && r2 == ND_OK, !rows[i].overflow);
        assert_true(b.cap <= rows[i].max + 1);
        assert_int_equal(strlen(nd_buf_cstr(&b)), rows[i].n);
        if (rows[i].overflow) {
            /* latched: nothing more gets in until cleared */
            assert_int_equal(nd_buf_putc(&b, 'z'), ND_ELIMIT);
            assert_int_equal(nd_buf_printf(&b, "z"), ND_ELIMIT);
            assert_int_equal(b.n, rows[i].n);
            nd_buf_consume(&b, 1);
            assert_int_equal(nd_buf_putc(&b, 'z'), ND_ELIMIT);
            nd_buf_clear(&b);
            assert_false(b.overflow);
            assert_int_equal(nd_buf_putc(&b, 'z') == ND_OK, rows[i].max > 0);
        }
        nd_buf_free(&b);
    }
    /* the cut keeps the prefix that fits */
    nd_buf b;
    nd_buf_init(&b, 6);
    nd_buf_puts(&b, "abc");
    assert_int_equal(nd_buf_printf(&b, "%d", 123456), ND_ELIMIT);
    assert_string_equal(nd_buf_cstr(&b), "abc123");
    nd_buf_free(&b);
    nd_buf_init(&b, 4);
    assert_int_equal(nd_buf_put(&b, "abcdef", 6), ND_ELIMIT);
    assert_string_equal(nd_buf_cstr(&b), "abcd");
    nd_buf_free(&b);
}

static void test_buf_large_printf(void **state)
{
    nd_buf b;
    nd_buf_init(&b, 100000);
    char big[5000];
    memset(big, 'q', sizeof big - 1);
    big[sizeof big - 1] = 0;
    assert_int_equal(nd_buf_printf(&b, "<%s>", big), ND_OK);
    assert_int_equal(b.n, sizeof big + 1);
    assert_int_equal(nd_buf_cstr(&b)[b.n - 1], '>');
    nd_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strerror),
        cmocka_unit_test(test_arena_alignment),
        cmocka_unit_test(test_arena_full_reset_peak),
        cmocka_unit_test(test_arena_strndup),
        cmocka_unit_test(test_constructors),
        cmocka_unit_test(test_constructors_full),
        cmocka_unit_test(test_seq_push_grow),
        cmocka_unit_test(test_seq_push_errors),
        cmocka_unit_test(test_dict),
        cmocka_unit_test(test_dict_full),
        cmocka_unit_test(test_eq),
        cmocka_unit_test(test_truthy_and_names),
        cmocka_unit_test(test_buf_basic),
        cmocka_unit_test(test_buf_overflow),
        cmocka_unit_test(test_buf_large_printf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
