/*
** test_params.c -- parameter specs parsed once (params.h): the parse of
** names and default literals, its limits, and the registry's cache (one
** parse per function, shared by every call).
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node_int.h"
#include "params.h"

static void expect_param(const char *spec, const nd_params *ps, int i, const char *name, const char *def)
{
    const nd_param *q = &ps->p[i];
    assert_int_equal(q->name_len, strlen(name));
    assert_memory_equal(spec + q->name, name, strlen(name));
    if (!def) {
        assert_int_equal(q->def, 0);
        return;
    }
    assert_true(q->def > 0);
    assert_int_equal(q->def_len, strlen(def));
    assert_memory_equal(spec + q->def, def, strlen(def));
}

static void test_names_and_defaults(void **state)
{
    (void)state;
    nd_params ps;
    const char *spec = "  r g=None  s='a b' l=[1, (2, 3)] d={'k': \"x y\"} e=";
    assert_int_equal(nd_params_parse(spec, &ps), ND_OK);
    assert_int_equal(ps.error, ND_PARAMS_OK);
    assert_int_equal(ps.n, 6);
    assert_int_equal(ps.nreq, 1);
    expect_param(spec, &ps, 0, "r", NULL);
    expect_param(spec, &ps, 1, "g", "None");
    expect_param(spec, &ps, 2, "s", "'a b'");
    expect_param(spec, &ps, 3, "l", "[1, (2, 3)]");
    expect_param(spec, &ps, 4, "d", "{'k': \"x y\"}");
    expect_param(spec, &ps, 5, "e", ""); /* an empty default is a default (bind_args refuses it) */

    const char *esc = "q='it\\'s x' z";
    assert_int_equal(nd_params_parse(esc, &ps), ND_OK);
    assert_int_equal(ps.n, 2);
    expect_param(esc, &ps, 0, "q", "'it\\'s x'");
    expect_param(esc, &ps, 1, "z", NULL);
}

static void test_empty(void **state)
{
    (void)state;
    nd_params ps;
    const char *specs[] = {NULL, "", "   "};
    for (size_t i = 0; i < 3; i++) {
        memset(&ps, 0xff, sizeof ps);
        assert_int_equal(nd_params_parse(specs[i], &ps), ND_OK);
        assert_int_equal(ps.n, 0);
        assert_int_equal(ps.nreq, 0);
        assert_int_equal(ps.error, ND_PARAMS_OK);
    }
}

static void test_limits(void **state)
{
    (void)state;
    nd_params ps;
    char spec[256] = "";
    for (int i = 0; i < ND_MAX_PARAMS; i++) snprintf(spec + strlen(spec), sizeof spec - strlen(spec), "p%d ", i);
    assert_int_equal(nd_params_parse(spec, &ps), ND_OK);
    assert_int_equal(ps.n, ND_MAX_PARAMS);
    strcat(spec, "one_too_many=1");
    assert_int_equal(nd_params_parse(spec, &ps), ND_ERR);
    assert_int_equal(ps.error, ND_PARAMS_TOO_MANY);
    assert_int_equal(ps.n, 0);

    size_t n = ND_PARAMS_SPEC_MAX + 1;
    char *big = malloc(n + 1);
    assert_non_null(big);
    memset(big, ' ', n);
    big[0] = 'a';
    big[n] = 0;
    assert_int_equal(nd_params_parse(big, &ps), ND_ERR);
    assert_int_equal(ps.error, ND_PARAMS_TOO_LONG);
    big[n - 1] = 0; /* at the limit: fine */
    assert_int_equal(nd_params_parse(big, &ps), ND_OK);
    assert_int_equal(ps.n, 1);
    free(big);
}

/* Every function of a module comes parsed from one cache entry, the same
** one on every call; the parse equals a fresh one. */
static void test_registry_cache(void **state)
{
    (void)state;
    size_t count = nd_registry_count();
    assert_true(count > 0);
    for (size_t i = 0; i < count; i++) {
        const nd_module *m = nd_registry_at(i);
        for (const nd_func *f = m->funcs; f && f->name; f++) {
            nd_params scratch, fresh;
            memset(&scratch, 0xee, sizeof scratch);
            const nd_params *a = nd_registry_params(m, f, &scratch);
            const nd_params *b = nd_registry_params(m, f, &scratch);
            assert_ptr_equal(a, b);
            assert_ptr_not_equal(a, &scratch); /* cached, not parsed per call */
            nd_params_parse(f->params, &fresh);
            assert_int_equal(a->n, fresh.n);
            assert_int_equal(a->nreq, fresh.nreq);
            assert_int_equal(a->error, ND_PARAMS_OK);
            assert_memory_equal(a->p, fresh.p, sizeof(nd_param) * fresh.n);
        }
    }
}

/* A function that is not in its module's table (the built-in `help`) is
** parsed into the caller's scratch. */
static void test_registry_foreign_func(void **state)
{
    (void)state;
    const nd_module *m = nd_registry_at(0);
    static const nd_func help = ND_FUNC("help", NULL, "widgets=False", "help");
    nd_params scratch;
    const nd_params *p = nd_registry_params(m, &help, &scratch);
    assert_ptr_equal(p, &scratch);
    assert_int_equal(p->n, 1);
    assert_int_equal(p->nreq, 0);
    expect_param(help.params, p, 0, "widgets", "False");

    static const nd_func none[] = {ND_FUNC("x", NULL, "a b", "x"), ND_FUNCS_END};
    static const nd_module stranger = {"stranger", none, NULL, "not registered"};
    p = nd_registry_params(&stranger, &none[0], &scratch);
    assert_ptr_equal(p, &scratch);
    assert_int_equal(p->n, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_and_defaults),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_registry_cache),
        cmocka_unit_test(test_registry_foreign_func),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
