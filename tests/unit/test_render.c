/*
** test_render.c -- repr, str and JSON output, byte for byte as CPython 3.11
** writes them (the expected strings below were produced by CPython's
** repr(), str() and json.dumps() on the same literals), plus micrOS reply
** formatting and the failure paths: invalid UTF-8, non-finite floats,
** keys json.dumps refuses, a buffer hitting its max, runaway nesting.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
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
    if (used != strlen(s)) fail_msg("literal %s: only %zu bytes used", s, used);
    return v;
}

/* Render with fn into a fresh buffer and compare to want. */
static void check(int (*fn)(nd_buf *, const nd_value *), const nd_value *v, const char *want,
                  const char *what, const char *input)
{
    nd_buf b;
    nd_buf_init(&b, 4096);
    int rc = fn(&b, v);
    if (rc != ND_OK) fail_msg("%s of %s: rc %d", what, input, rc);
    if (b.n != strlen(want) || (b.n && memcmp(b.p, want, b.n) != 0))
        fail_msg("%s of %s:\n  got  [%s]\n  want [%s]", what, input, nd_buf_cstr(&b), want);
    nd_buf_free(&b);
}

/* ---- repr / str / json of literals ------------------------------------ */

static const struct {
    const char *lit, *repr, *str, *json;
} render_rows[] = {
    {"None", "None", "None", "null"},
    {"True", "True", "True", "true"},
    {"False", "False", "False", "false"},
    {"0", "0", "0", "0"},
    {"-7", "-7", "-7", "-7"},
    {"9223372036854775807", "9223372036854775807", "9223372036854775807", "9223372036854775807"},
    {"-9223372036854775808", "-9223372036854775808", "-9223372036854775808", "-9223372036854775808"},
    {"1.0", "1.0", "1.0", "1.0"},
    {"16.7", "16.7", "16.7", "16.7"},
    {"-0.0", "-0.0", "-0.0", "-0.0"},
    {"0.1", "0.1", "0.1", "0.1"},
    {"1e16", "1e+16", "1e+16", "1e+16"},
    {"1e15", "1000000000000000.0", "1000000000000000.0", "1000000000000000.0"},
    {"1e-05", "1e-05", "1e-05", "1e-05"},
    {"0.0001", "0.0001", "0.0001", "0.0001"},
    {"1.5e-07", "1.5e-07", "1.5e-07", "1.5e-07"},
    {"123456789.125", "123456789.125", "123456789.125", "123456789.125"},
    {"1e+100", "1e+100", "1e+100", "1e+100"},
    {"5e-324", "5e-324", "5e-324", "5e-324"},
    {"1.7976931348623157e308", "1.7976931348623157e+308", "1.7976931348623157e+308", "1.7976931348623157e+308"},
    {"2.5e-5", "2.5e-05", "2.5e-05", "2.5e-05"},
    {"1e22", "1e+22", "1e+22", "1e+22"},
    {"''", "''", "", "\"\""},
    {"'a'", "'a'", "a", "\"a\""},
    {"'it\\'s'", "\"it's\"", "it's", "\"it's\""},
    {"'say \"hi\"'", "'say \"hi\"'", "say \"hi\"", "\"say \\\"hi\\\"\""},
    {"'both \\' and \"'", "'both \\' and \"'", "both ' and \"", "\"both ' and \\\"\""},
    {"'tab\\tnl\\ncr\\r'", "'tab\\tnl\\ncr\\r'", "tab\x09""nl\x0a""cr\x0d""", "\"tab\\tnl\\ncr\\r\""},
    {"'bs\\\\'", "'bs\\\\'", "bs\\", "\"bs\\\\\""},
    {"'\\x01\\x1f\\x7f'", "'\\x01\\x1f\\x7f'", "\x01""\x1f""\x7f""", "\"\\u0001\\u001f\\u007f\""},
    {"'\\x08\\x0c'", "'\\x08\\x0c'", "\x08""\x0c""", "\"\\b\\f\""},
    {"'caf\\u00e9'", "'caf\xc3""\xa9""'", "caf\xc3""\xa9""", "\"caf\\u00e9\""},
    {"'\\U0001F600'", "'\xf0""\x9f""\x98""\x80""'", "\xf0""\x9f""\x98""\x80""", "\"\\ud83d\\ude00\""},
    {"'\\u20ac 5'", "'\xe2""\x82""\xac"" 5'", "\xe2""\x82""\xac"" 5", "\"\\u20ac 5\""},
    {"'\\x80'", "'\\x80'", "\xc2""\x80""", "\"\\u0080\""},
    {"'\\u00a0'", "'\\xa0'", "\xc2""\xa0""", "\"\\u00a0\""},
    {"[]", "[]", "[]", "[]"},
    {"()", "()", "()", "[]"},
    {"{}", "{}", "{}", "{}"},
    {"['a', 1]", "['a', 1]", "['a', 1]", "[\"a\", 1]"},
    {"(1, 2)", "(1, 2)", "(1, 2)", "[1, 2]"},
    {"(1,)", "(1,)", "(1,)", "[1]"},
    {"((),)", "((),)", "((),)", "[[]]"},
    {"[(1,), [2], {'x': ()}]", "[(1,), [2], {'x': ()}]", "[(1,), [2], {'x': ()}]", "[[1], [2], {\"x\": []}]"},
    {"{'k': 1, 'j': [1]}", "{'k': 1, 'j': [1]}", "{'k': 1, 'j': [1]}", "{\"k\": 1, \"j\": [1]}"},
    {"{'a': None, 'b': True, 'c': 1.5}", "{'a': None, 'b': True, 'c': 1.5}", "{'a': None, 'b': True, 'c': 1.5}", "{\"a\": null, \"b\": true, \"c\": 1.5}"},
    {"{1: 'x', 2.5: 'y', True: 'z', None: 0, False: 1}", "{1: 'z', 2.5: 'y', None: 0, False: 1}", "{1: 'z', 2.5: 'y', None: 0, False: 1}", "{\"1\": \"z\", \"2.5\": \"y\", \"null\": 0, \"false\": 1}"},
    {"{'nested': {'deep': [1, (2, 3)]}}", "{'nested': {'deep': [1, (2, 3)]}}", "{'nested': {'deep': [1, (2, 3)]}}", "{\"nested\": {\"deep\": [1, [2, 3]]}}"},
    {"[None, True, False]", "[None, True, False]", "[None, True, False]", "[null, true, false]"},
    {"[-1.5, 1e-07, 1e+16]", "[-1.5, 1e-07, 1e+16]", "[-1.5, 1e-07, 1e+16]", "[-1.5, 1e-07, 1e+16]"},
    {"['\\u00e9', 'x\\'y']", "['\xc3""\xa9""', \"x'y\"]", "['\xc3""\xa9""', \"x'y\"]", "[\"\\u00e9\", \"x'y\"]"},};

static void test_render_table(void **state)
{
    nd_arena a;
    for (size_t i = 0; i < sizeof render_rows / sizeof render_rows[0]; i++) {
        nd_arena_init(&a, mem, sizeof mem);
        nd_value *v = lit(&a, render_rows[i].lit);
        check(nd_render_repr, v, render_rows[i].repr, "repr", render_rows[i].lit);
        check(nd_render_str, v, render_rows[i].str, "str", render_rows[i].lit);
        check(nd_render_json, v, render_rows[i].json, "json", render_rows[i].lit);
    }
}

/* ---- floats ------------------------------------------------------------ */

static const struct {
    double f;
    const char *repr;
} float_rows[] = {
    {0.0, "0.0"},
    {-0.0, "-0.0"},
    {0x1.0000000000000p+0, "1.0"},
    {-0x1.0000000000000p+0, "-1.0"},
    {0x1.0b33333333333p+4, "16.7"},
    {0x1.999999999999ap-4, "0.1"},
    {0x1.3333333333334p-2, "0.30000000000000004"},
    {0x1.5555555555555p-2, "0.3333333333333333"},
    {0x1.5555555555555p-1, "0.6666666666666666"},
    {0x1.9000000000000p+6, "100.0"},
    {0x1.1c37937e08000p+53, "1e+16"},
    {0x1.1c37937e07fffp+53, "9999999999999998.0"},
    {0x1.c6bf526340000p+49, "1000000000000000.0"},
    {0x1.c12218377de66p+46, "123456789012345.6"},
    {0x1.a36e2eb1c432dp-14, "0.0001"},
    {0x1.4f8b588e368f1p-17, "1e-05"},
    {0x1.02e4b6ce5dc68p-13, "0.00012345"},
    {0x1.421f5f40d8376p-23, "1.5e-07"},
    {0x0.0000000000001p-1022, "5e-324"},
    {0x1.0000000000000p-1022, "2.2250738585072014e-308"},
    {0x1.fffffffffffffp+1023, "1.7976931348623157e+308"},
    {0x1.0000000000000p+63, "9.223372036854776e+18"},
    {0x1.0000000000001p+53, "9007199254740994.0"},
    {0x1.921f9f01b866ep+1, "3.14159"},
    {-0x1.f400000000000p+10, "-2000.0"},
    {0x1.52d02c7e14af6p+76, "1e+23"},
    {0x1.52d02c7e14af6p+75, "5e+22"},
    {0x1.1666666666666p+2, "4.35"},
    {0x1.3333333333333p-2, "0.3"},
    {0x1.a36e2eb1c432dp-16, "2.5e-05"},
    {0x1.78c29dccccccdp+23, "12345678.9"},};

static void test_render_float(void **state)
{
    nd_buf b;
    nd_buf_init(&b, 64);
    for (size_t i = 0; i < sizeof float_rows / sizeof float_rows[0]; i++) {
        nd_buf_clear(&b);
        assert_int_equal(nd_render_float(&b, float_rows[i].f), ND_OK);
        if (strcmp(nd_buf_cstr(&b), float_rows[i].repr) != 0)
            fail_msg("float row %zu: got %s want %s", i, nd_buf_cstr(&b), float_rows[i].repr);
    }
    nd_buf_free(&b);
}

/* Non-finite floats have no literal; repr and json.dumps spell them so. */
static void test_render_nonfinite(void **state)
{
    static const struct {
        double f;
        const char *repr, *json;
    } rows[] = {
        {INFINITY, "inf", "Infinity"},
        {-INFINITY, "-inf", "-Infinity"},
        {NAN, "nan", "NaN"},
        {-NAN, "nan", "NaN"}, /* Python drops the sign of nan */
    };
    nd_arena a;
    nd_arena_init(&a, mem, sizeof mem);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        nd_value *v = nd_float(&a, rows[i].f);
        check(nd_render_repr, v, rows[i].repr, "repr", rows[i].repr);
        check(nd_render_json, v, rows[i].json, "json", rows[i].json);
    }
    /* float keys become strings in JSON, non-finite ones too */
    nd_value *d = nd_dict(&a);
    nd_dict_setv(&a, d, nd_float(&a, INFINITY), nd_int(&a, 1));
    nd_dict_setv(&a, d, nd_float(&a, NAN), nd_float(&a, -INFINITY));
    check(nd_render_json, d, "{\"Infinity\": 1, \"NaN\": -Infinity}", "json", "nonfinite keys");
    check(nd_render_repr, d, "{inf: 1, nan: -inf}", "repr", "nonfinite keys");
}

/* ---- strings that did not come from the parser ------------------------- */

static void test_render_raw_strings(void **state)
{
    static const struct {
        const char *s;
        size_t n;
        const char *repr, *json;
    } rows[] = {
        /* invalid UTF-8: \xNN in repr, U+FFFD in JSON */
        {"\xff", 1, "'\\xff'", "\"\\ufffd\""},
        {"a\x80z", 3, "'a\\x80z'", "\"a\\ufffdz\""},
        {"\xc3", 1, "'\\xc3'", "\"\\ufffd\""},                      /* truncated */
        {"\xc3(", 2, "'\\xc3('", "\"\\ufffd(\""},                   /* bad continuation */
        {"\xc0\xaf", 2, "'\\xc0\\xaf'", "\"\\ufffd\\ufffd\""},      /* overlong */
        {"\xed\xa0\x80", 3, "'\\xed\\xa0\\x80'", "\"\\ufffd\\ufffd\\ufffd\""}, /* surrogate */
        {"\xf4\x90\x80\x80", 4, "'\\xf4\\x90\\x80\\x80'", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""},
        {"\xe2\x82\xac\xe2\x82", 5, "'\xe2\x82\xac\\xe2\\x82'", "\"\\u20ac\\ufffd\\ufffd\""},
        /* embedded NUL */
        {"a\0b", 3, "'a\\x00b'", "\"a\\u0000b\""},
        /* non-printable non-ASCII escaped as CPython does */
        {"\xc2\x85", 2, "'\\x85'", "\"\\u0085\""},
        {"\xe2\x80\x8b", 3, "'\\u200b'", "\"\\u200b\""},
        {"\xf3\xa0\x80\x81", 4, "'\\U000e0001'", "\"\\udb40\\udc01\""},
        {"\xf4\x8f\xbf\xbf", 4, "'\xf4\x8f\xbf\xbf'", "\"\\udbff\\udfff\""}, /* unassigned: as is */
    };
    nd_arena a;
    nd_arena_init(&a, mem, sizeof mem);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        nd_value *v = nd_strn(&a, rows[i].s, rows[i].n);
        check(nd_render_repr, v, rows[i].repr, "repr", rows[i].repr);
        check(nd_render_json, v, rows[i].json, "json", rows[i].json);
    }
    /* str() writes the bytes untouched */
    nd_buf b;
    nd_buf_init(&b, 64);
    assert_int_equal(nd_render_str(&b, nd_strn(&a, "a\0\xff", 3)), ND_OK);
    assert_int_equal(b.n, 3);
    assert_memory_equal(b.p, "a\0\xff", 3);
    nd_buf_free(&b);
}

static void test_render_null(void **state)
{
    check(nd_render_repr, NULL, "None", "repr", "NULL");
    check(nd_render_str, NULL, "None", "str", "NULL");
    check(nd_render_json, NULL, "null", "json", "NULL");
}

/* json.dumps refuses tuple keys; we write the repr as a string, say ETYPE. */
static void test_render_json_bad_key(void **state)
{
    nd_arena a;
    nd_arena_init(&a, mem, sizeof mem);
    nd_value *d = lit(&a, "{(1, 'a'): 2, 'b': 3}");
    nd_buf b;
    nd_buf_init(&b, 256);
    assert_int_equal(nd_render_json(&b, d), ND_ETYPE);
    assert_string_equal(nd_buf_cstr(&b), "{\"(1, 'a')\": 2, \"b\": 3}");
    nd_buf_free(&b);
}

/* A reply longer than the buffer's max: cut, ND_ELIMIT, never past max. */
static void test_render_overflow(void **state)
{
    nd_arena a;
    nd_arena_init(&a, mem, sizeof mem);
    nd_value *v = lit(&a, "{'key': ['a long string value', 1.5, None, (1, 2)], 'k2': 'caf\\u00e9'}");
    int (*fns[])(nd_buf *, const nd_value *) = {nd_render_repr, nd_render_str, nd_render_json};
    for (size_t f = 0; f < 3; f++) {
        nd_buf full;
        nd_buf_init(&full, 4096);
        assert_int_equal(fns[f](&full, v), ND_OK);
        for (size_t max = 0; max < full.n; max++) {
            nd_buf b;
            nd_buf_init(&b, max);
            assert_int_equal(fns[f](&b, v), ND_ELIMIT);
            assert_true(b.overflow);
            assert_int_equal(b.n, max);
            assert_memory_equal(b.p, full.p, max); /* a prefix of the full text */
            nd_buf_free(&b);
        }
        nd_buf_free(&full);
    }
    nd_buf b;
    nd_buf_init(&b, 10);
    assert_int_equal(nd_render_reply(&b, v, false, false), ND_ELIMIT);
    assert_int_equal(b.n, 10);
    nd_buf_free(&b);
    nd_buf_init(&b, 3);
    assert_int_equal(nd_render_reply(&b, lit(&a, "('a', 'b')"), false, true), ND_ELIMIT);
    assert_string_equal(nd_buf_cstr(&b), " a,");
    nd_buf_free(&b);
}

/* Nesting beyond the renderer's limit (here: a list holding itself) is cut
** with "..." instead of recursing without end. */
static void test_render_cycle(void **state)
{
    nd_arena a;
    nd_arena_init(&a, mem, sizeof mem);
    nd_value *l = nd_list(&a);
    nd_seq_push(&a, l, l);
    nd_buf b;
    nd_buf_init(&b, 4096);
    assert_int_equal(nd_render_repr(&b, l), ND_ELIMIT);
    assert_non_null(strstr(nd_buf_cstr(&b), "[[[..."));
    nd_buf_clear(&b);
    assert_int_equal(nd_render_json(&b, l), ND_ELIMIT);
    nd_buf_free(&b);
}

/* ---- micrOS reply formatting ------------------------------------------ */

static const struct {
    const char *lit;
    bool json, help;
    const char *want;
} reply_rows[] = {
    {"{'R': 10, 'G': 20, 'B': 30, 'S': 1, 'BR': 12}", false, false, " R: 10\x0a"" G: 20\x0a"" B: 30\x0a"" S: 1\x0a"" BR: 12"},
    {"{'R': 10, 'G': 20}", true, false, "{\"R\": 10, \"G\": 20}"},
    {"{}", false, false, ""},
    {"{}", true, false, "{}"},
    {"{'s': 'text', 'l': ['a', 'b'], 'd': {'x': 'y'}}", false, false, " s: text\x0a"" l: ['a', 'b']\x0a"" d: {'x': 'y'}"},
    {"{1: None, (1, 2): 'tuple key'}", false, false, " 1: None\x0a"" (1, 2): tuple key"},
    {"(False, (2026, 11, 22, 21, 44, 11, 6, 326))", false, false, "(False, (2026, 11, 22, 21, 44, 11, 6, 326))"},
    {"(False, (2026, 11, 22, 21, 44, 11, 6, 326))", true, false, "(False, (2026, 11, 22, 21, 44, 11, 6, 326))"},
    {"['a', 'b']", false, false, "['a', 'b']"},
    {"['a', 'b']", true, false, "['a', 'b']"},
    {"True", true, false, "True"},
    {"'plain text'", false, false, "plain text"},
    {"'plain text'", true, false, "plain text"},
    {"None", false, false, "None"},
    {"('color r=<0-255>', 'toggle state=None', 'help')", false, true, " color r=<0-255>,\x0a"" toggle state=None,\x0a"" help,"},
    {"('color r=<0-255>', 'toggle state=None', 'help')", true, true, "[\"color r=<0-255>\", \"toggle state=None\", \"help\"]"},
    {"['x']", false, true, " x,"},
    {"()", false, true, ""},
    {"()", true, true, "[]"},
    {"{'a': 1}", false, true, " a: 1"},
    {"'not a list'", false, true, "not a list"},
    {"['caf\\u00e9']", true, true, "[\"caf\\u00e9\"]"},
    {"16.7", true, false, "16.7"},};

static void test_render_reply(void **state)
{
    nd_arena a;
    for (size_t i = 0; i < sizeof reply_rows / sizeof reply_rows[0]; i++) {
        nd_arena_init(&a, mem, sizeof mem);
        nd_value *v = lit(&a, reply_rows[i].lit);
        nd_buf b;
        nd_buf_init(&b, 4096);
        assert_int_equal(nd_render_reply(&b, v, reply_rows[i].json, reply_rows[i].help), ND_OK);
        if (strcmp(nd_buf_cstr(&b), reply_rows[i].want) != 0)
            fail_msg("reply row %zu (%s json=%d help=%d):\n  got  [%s]\n  want [%s]", i, reply_rows[i].lit,
                     reply_rows[i].json, reply_rows[i].help, nd_buf_cstr(&b), reply_rows[i].want);
        nd_buf_free(&b);
    }
    /* a function that returned nothing */
    nd_buf b;
    nd_buf_init(&b, 64);
    assert_int_equal(nd_render_reply(&b, NULL, false, false), ND_OK);
    assert_string_equal(nd_buf_cstr(&b), "None");
    nd_buf_clear(&b);
    assert_int_equal(nd_render_reply(&b, NULL, true, true), ND_OK);
    assert_string_equal(nd_buf_cstr(&b), "None");
    nd_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_table),
        cmocka_unit_test(test_render_float),
        cmocka_unit_test(test_render_nonfinite),
        cmocka_unit_test(test_render_raw_strings),
        cmocka_unit_test(test_render_null),
        cmocka_unit_test(test_render_json_bad_key),
        cmocka_unit_test(test_render_overflow),
        cmocka_unit_test(test_render_cycle),
        cmocka_unit_test(test_render_reply),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
