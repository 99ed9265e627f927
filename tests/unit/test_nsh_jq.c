/*
** test_nsh_jq.c -- nsh's jq filters (src/core/nsh_jq.c): a table of
** filter + input -> output lines (compact), syntax errors, runtime errors,
** and the pretty printer.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"
#include "nsh_jq.h"

static int emit(void *ud, const cJSON *v)
{
    nd_buf *b = ud;
    nd_jq_print(b, v, -1, false);
    nd_buf_putc(b, '\n');
    return 0;
}

/* run filter on input; returns the output lines, or "ERR: msg" */
static const char *jq(const char *filter, const char *input)
{
    static char res[2048];
    char err[160];
    nd_jq *q = nd_jq_compile(filter, err, sizeof err);
    if (!q) {
        snprintf(res, sizeof res, "SYNTAX: %s", err);
        return res;
    }
    cJSON *doc = nd_json_parse(input, strlen(input), NULL);
    assert_non_null(doc);
    nd_buf b;
    nd_buf_init(&b, 4096);
    int rc = nd_jq_run(q, doc, emit, &b, err, sizeof err);
    if (rc) snprintf(res, sizeof res, "ERR: %s", err);
    else snprintf(res, sizeof res, "%s", nd_buf_cstr(&b));
    nd_buf_free(&b);
    cJSON_Delete(doc);
    nd_jq_free(q);
    return res;
}

static const char *doc = "{\"a\": {\"b\": [10, 20, {\"c\": \"x\"}]}, \"n\": null, \"z\": 1, \"k\": \"v w\"}";

static void test_filters(void **state)
{
    (void)state;
    static const struct {
        const char *f, *in, *out;
    } cases[] = {
        {".", "[1, 2]", "[1,2]\n"},
        {"", "{\"a\": 1}", "{\"a\":1}\n"},
        {".a.b[0]", NULL, "10\n"},
        {".a.b[-1].c", NULL, "\"x\"\n"},
        {".a.b[2][\"c\"]", NULL, "\"x\"\n"},
        {".a[\"b\"][1]", NULL, "20\n"},
        {".\"k\"", NULL, "\"v w\"\n"},
        {".a.b[]", NULL, "10\n20\n{\"c\":\"x\"}\n"},
        {".a.b | .[]", NULL, "10\n20\n{\"c\":\"x\"}\n"},
        {".[]", "{\"x\": 1, \"y\": [2]}", "1\n[2]\n"},
        {"keys", NULL, "[\"a\",\"k\",\"n\",\"z\"]\n"},
        {".a.b | keys", NULL, "[0,1,2]\n"},
        {"..", "{\"a\": [1]}", "{\"a\":[1]}\n[1]\n1\n"},
        {".. | .c?", "[{\"c\": 3}]", "3\n"},
        {".missing", NULL, "null\n"},
        {".missing.deeper[3]", NULL, "null\n"},
        {".n", NULL, "null\n"},
        {".a.b[7]", NULL, "null\n"},
        {".z, .k", NULL, "1\n\"v w\"\n"},
        {"length", NULL, "4\n"},
        {".k | length", NULL, "3\n"},
        {".a.b | length", NULL, "3\n"},
        {".[] | type", "[1, \"s\", null, true, [], {}]", "\"number\"\n\"string\"\n\"null\"\n\"boolean\"\n\"array\"\n\"object\"\n"},
        {"(.a.b[0], .z) | not", NULL, "false\nfalse\n"},
        {".n | not", NULL, "true\n"},
        {"values", "[1]", "1\n"},
        {".[]?", "3", ""},
        {".x?", "[1]", ""},
        {"1, \"s\", null, true", "0", "1\n\"s\"\nnull\ntrue\n"},
        {".a .b [1]", NULL, "20\n"},
        {" . | . | .z ", NULL, "1\n"},
        {"5e+999, -5e999", "0", "1.7976931348623157e+308\n-1.7976931348623157e+308\n"}, /* fuzz */
        /* runtime errors */
        {".a.b.c", NULL, "ERR: Cannot index array with \"c\""},
        {".z[0]", NULL, "ERR: Cannot index number with number"},
        {".z | .[]", NULL, "ERR: Cannot iterate over number"},
        {".z | keys", NULL, "ERR: number has no keys"},
        {"true | length", NULL, "ERR: boolean has no length"},
        /* syntax errors */
        {".[", NULL, "SYNTAX: expected ], a number or a string after [ at ''"},
        {".a |", NULL, "SYNTAX: filter ends too early"},
        {"(.a", NULL, "SYNTAX: expected ) at ''"},
        {".[1.5]", NULL, "SYNTAX: only integer indexes are supported at '1.5]'"},
        {"frob", NULL, "SYNTAX: unknown function 'frob' (known: keys length type values not)"},
        {".\"abc", NULL, "SYNTAX: unterminated string at '\"abc'"},
        {". .", NULL, "SYNTAX: unexpected '.'"},
        {"@", NULL, "SYNTAX: unexpected '@' at '@'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *got = jq(cases[i].f, cases[i].in ? cases[i].in : doc);
        if (strcmp(got, cases[i].out) != 0)
            fail_msg("filter '%s': got [%s] want [%s]", cases[i].f, got, cases[i].out);
    }
}

static void test_limits(void **state)
{
    (void)state;
    char f[4096] = "";
    for (int i = 0; i < 40; i++) strcat(f, "(");
    assert_string_equal(jq(f, "1"), "SYNTAX: parentheses nest deeper than 32");
    f[0] = 0;
    for (int i = 0; i < 200; i++) strcat(f, ".a");
    assert_string_equal(jq(f, "1"), "SYNTAX: filter too long (more than 128 parts)");
}

static void test_pretty(void **state)
{
    (void)state;
    const char *t = "{\"a\": [1, {\"b\": null}], \"e\": [], \"s\": \"q\\\"\"}";
    cJSON *v = nd_json_parse(t, strlen(t), NULL);
    assert_non_null(v);
    nd_buf b;
    nd_buf_init(&b, 4096);
    nd_jq_print(&b, v, 2, false);
    assert_string_equal(nd_buf_cstr(&b), "{\n  \"a\": [\n    1,\n    {\n      \"b\": null\n    }\n  ],\n"
                                          "  \"e\": [],\n  \"s\": \"q\\\"\"\n}");
    nd_buf_clear(&b);
    nd_jq_print(&b, cJSON_GetObjectItem(v, "s"), 2, true);
    assert_string_equal(nd_buf_cstr(&b), "q\"");
    nd_buf_free(&b);
    cJSON_Delete(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_filters),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_pretty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
