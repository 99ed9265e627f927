/*
** test_text.c -- the text layer (src/core/text.c): spans, ASCII helpers,
** the UTF-8 decoder and validator, and the JSON string escaper. Escaper
** rows are what Python 3's json.dumps gives for the same string.
**
** Inputs are copied into malloc'd buffers of exactly their length, so
** AddressSanitizer catches any read past n.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "text.h"

static char *exact_copy(const char *s, size_t n)
{
    char *p = malloc(n ? n : 1);
    assert_non_null(p);
    memcpy(p, s, n);
    return p;
}

/* ---- spans -------------------------------------------------------------- */

static void test_span_eq_prefix(void **state)
{
    nd_span s = nd_span_of("/rest/x");
    assert_int_equal(s.n, 7);
    assert_true(nd_span_eq(s, "/rest/x"));
    assert_false(nd_span_eq(s, "/rest/"));
    assert_false(nd_span_eq(s, "/rest/xy"));
    assert_true(nd_span_prefix(s, "/rest/"));
    assert_true(nd_span_prefix(s, ""));
    assert_true(nd_span_prefix(s, "/rest/x"));
    assert_false(nd_span_prefix(s, "/rest/xy"));
    assert_false(nd_span_prefix((nd_span){"/re", 3}, "/rest"));
    /* a span is its bytes only: what follows it never counts */
    assert_true(nd_span_eq((nd_span){"helloX", 5}, "hello"));
    assert_true(nd_span_eq((nd_span){NULL, 0}, ""));
    assert_true(nd_span_eq(nd_span_of(NULL), ""));
    assert_false(nd_span_eq((nd_span){"a\0b", 3}, "a"));
}

static void test_span_ieq(void **state)
{
    assert_true(nd_span_ieq((nd_span){"Content-LENGTH", 14}, "content-length"));
    assert_false(nd_span_ieq((nd_span){"Content-Lengthx", 15}, "content-length"));
    assert_false(nd_span_ieq((nd_span){"Content-Lengt", 13}, "content-length"));
    assert_true(nd_span_ieq((nd_span){"", 0}, ""));
    assert_true(nd_span_ieq(nd_span_of("TRUE"), "true"));
    /* ASCII only: no locale, and a byte >= 0x80 matches only itself */
    assert_false(nd_span_ieq(nd_span_of("\xc3\x89"), "\xc3\xa9"));
    assert_true(nd_span_ieq(nd_span_of("\xc3\xa9"), "\xc3\xa9"));
    assert_false(nd_span_ieq(nd_span_of("["), "{")); /* '[' + 32 is '{': not a letter */
    assert_false(nd_span_ieq(nd_span_of("@"), "`"));
}

static void test_span_chr_trim(void **state)
{
    nd_span s = {"a=b=c", 5};
    assert_ptr_equal(nd_span_chr(s, '='), s.p + 1);
    assert_null(nd_span_chr((nd_span){"a=", 1}, '='));
    assert_null(nd_span_chr((nd_span){NULL, 0}, '='));
    nd_span t = nd_span_trim(nd_span_of(" \t\r\n\v\fx y\f\v\n\r\t "));
    assert_int_equal(t.n, 3);
    assert_memory_equal(t.p, "x y", 3);
    t = nd_span_trim(nd_span_of(" \t "));
    assert_int_equal(t.n, 0);
    /* only ASCII white space: U+00A0 and \x1c stay */
    t = nd_span_trim(nd_span_of("\xc2\xa0x\x1c"));
    assert_int_equal(t.n, 4);
}

static void test_hex_lower(void **state)
{
    const char *digits = "0123456789abcdefABCDEF";
    for (int i = 0; digits[i]; i++) assert_int_equal(nd_hex_val(digits[i]), i < 16 ? i : i - 6);
    assert_int_equal(nd_hex_val('g'), -1);
    assert_int_equal(nd_hex_val('G'), -1);
    assert_int_equal(nd_hex_val('/'), -1);
    assert_int_equal(nd_hex_val(':'), -1);
    assert_int_equal(nd_hex_val(-1), -1);
    assert_int_equal(nd_hex_val(0xe0), -1);
    assert_int_equal(nd_ascii_lower('A'), 'a');
    assert_int_equal(nd_ascii_lower('Z'), 'z');
    assert_int_equal(nd_ascii_lower('@'), '@');
    assert_int_equal(nd_ascii_lower('['), '[');
    assert_int_equal(nd_ascii_lower(0xc9), 0xc9);
}

/* ---- nd_utf8_valid ----------------------------------------------------- */

static void test_utf8_valid(void **state)
{
    static const struct {
        const char *s;
        size_t n;
        bool ok;
    } rows[] = {
        {"", 0, true},
        {"plain ascii", 11, true},
        {"\0", 1, true},
        {"\x7f", 1, true},
        {"\xc2\x80", 2, true},         /* U+0080 */
        {"\xdf\xbf", 2, true},         /* U+07FF */
        {"\xe0\xa0\x80", 3, true},     /* U+0800 */
        {"\xed\x9f\xbf", 3, true},     /* U+D7FF */
        {"\xee\x80\x80", 3, true},     /* U+E000 */
        {"\xef\xbf\xbf", 3, true},     /* U+FFFF */
        {"\xf0\x90\x80\x80", 4, true}, /* U+10000 */
        {"\xf4\x8f\xbf\xbf", 4, true}, /* U+10FFFF */
        {"caf\xc3\xa9", 5, true},
        {"\x80", 1, false},              /* lone continuation */
        {"\xbf", 1, false},
        {"\xc0\x80", 2, false},          /* overlong NUL */
        {"\xc1\xbf", 2, false},          /* overlong */
        {"\xe0\x9f\xbf", 3, false},      /* overlong */
        {"\xf0\x8f\xbf\xbf", 4, false},  /* overlong */
        {"\xed\xa0\x80", 3, false},      /* U+D800 */
        {"\xed\xbf\xbf", 3, false},      /* U+DFFF */
        {"\xf4\x90\x80\x80", 4, false},  /* U+110000 */
        {"\xf5\x80\x80\x80", 4, false},
        {"\xf8\x88\x80\x80\x80", 5, false},
        {"\xff", 1, false},
        {"\xfe", 1, false},
        {"\xc3", 1, false},              /* truncated */
        {"\xe2\x82", 2, false},
        {"\xf0\x9f\x98", 3, false},
        {"\xc3(", 2, false},             /* bad continuation */
        {"\xe2\x28\xa1", 3, false},
        {"a\xc3\xa9\xc3", 4, false},
        {"\xc3\xa9", 1, false},          /* n cuts the sequence */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char *in = exact_copy(rows[i].s, rows[i].n);
        if (nd_utf8_valid(in, rows[i].n) != rows[i].ok) fail_msg("utf8 row %zu", i);
        free(in);
    }
}

static void test_utf8_next(void **state)
{
    static const struct {
        const char *s;
        size_t n;
        int len;
        uint32_t cp;
    } rows[] = {
        {"A", 1, 1, 'A'},
        {"\0", 1, 1, 0},
        {"\xc2\x80", 2, 2, 0x80},
        {"\xe2\x82\xac", 3, 3, 0x20ac},
        {"\xf0\x9f\x98\x80", 4, 4, 0x1f600},
        {"\xf4\x8f\xbf\xbf", 4, 4, 0x10ffff},
        {"", 0, ND_UTF8_END, 0},
        {"\x80", 1, ND_UTF8_START, 0},
        {"\xc1\xbf", 2, ND_UTF8_START, 0},     /* overlong lead */
        {"\xf5\x80\x80\x80", 4, ND_UTF8_START, 0},
        {"\xe0\x9f\xbf", 3, ND_UTF8_CONT, 0},  /* overlong */
        {"\xed\xa0\x80", 3, ND_UTF8_CONT, 0},  /* surrogate */
        {"\xf4\x90\x80\x80", 4, ND_UTF8_CONT, 0},
        {"\xc3(", 2, ND_UTF8_CONT, 0},
        {"\xc3", 1, ND_UTF8_END, 0},
        {"\xe2\x82", 2, ND_UTF8_END, 0},
        {"\xe2\x82\xac", 2, ND_UTF8_END, 0},   /* n cuts the sequence */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char *in = exact_copy(rows[i].s, rows[i].n);
        uint32_t cp = 0xdeadbeef;
        int len = nd_utf8_next(in, rows[i].n, &cp);
        if (len != rows[i].len) fail_msg("row %zu: length %d, want %d", i, len, rows[i].len);
        if (len > 0 && cp != rows[i].cp) fail_msg("row %zu: U+%04x", i, (unsigned)cp);
        free(in);
    }
}

/* Every scalar value encodes to valid UTF-8 that decodes back to itself. */
static void test_utf8_put_round_trip(void **state)
{
    for (uint32_t cp = 0; cp < 0x110000; cp++) {
        if (cp >= 0xd800 && cp <= 0xdfff) continue;
        char d[4];
        size_t n = nd_utf8_put(d, cp);
        size_t want = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        if (n != want) fail_msg("U+%04x: %zu bytes", (unsigned)cp, n);
        uint32_t back;
        if (nd_utf8_next(d, n, &back) != (int)n || back != cp) fail_msg("U+%04x: no round trip", (unsigned)cp);
    }
}

static void test_utf8_cut(void **state)
{
    static const struct {
        const char *s;
        size_t n, want;
    } rows[] = {
        {"abc", 3, 3},
        {"", 0, 0},
        {"a\xc3\xa9", 3, 3},             /* complete */
        {"a\xc3", 2, 1},                 /* a lead byte alone */
        {"a\xe2\x82", 3, 1},             /* 2 of 3 */
        {"a\xf0\x9f\x98", 4, 1},         /* 3 of 4 */
        {"a\xf0\x9f\x98\x80", 5, 5},
        {"\x80\x80", 2, 2},              /* no lead byte: nothing to cut */
        {"a\x80\x80\x80\x80\x80", 6, 6}, /* more than 4 back: left alone */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char *in = exact_copy(rows[i].s, rows[i].n);
        size_t got = nd_utf8_cut(in, rows[i].n);
        if (got != rows[i].want) fail_msg("row %zu: %zu, want %zu", i, got, rows[i].want);
        free(in);
    }
}

/* ---- the JSON string escaper ------------------------------------------- */

static const struct {
    const char *in;
    size_t n;
    const char *out; /* json.dumps(in) */
} esc_rows[] = {
    {"", 0, "\"\""},
    {"plain", 5, "\"plain\""},
    {"a\"b\\\\c", 6, "\"a\\\"b\\\\\\\\c\""},
    {"\n\r\t\b\f", 5, "\"\\n\\r\\t\\b\\f\""},
    {"\0\x01\x1f\x7f", 4, "\"\\u0000\\u0001\\u001f\\u007f\""},
    {"caf\xc3\xa9", 5, "\"caf\\u00e9\""},
    {"\xe2\x82\xac", 3, "\"\\u20ac\""},
    {"\xf0\x9f\x98\x80", 4, "\"\\ud83d\\ude00\""},
    {"\xe2\x80\xa8", 3, "\"\\u2028\""},
    {"</script>", 9, "\"</script>\""}, /* json.dumps leaves '/' alone */
    {"\xc2\x80", 2, "\"\\u0080\""},
    {"\xed\x9f\xbf\xee\x80\x80\xef\xbf\xbf", 9, "\"\\ud7ff\\ue000\\uffff\""},
    {"\xf4\x8f\xbf\xbf", 4, "\"\\udbff\\udfff\""},
    /* not UTF-8: one U+FFFD per bad byte, so the output is always JSON */
    {"\xff", 1, "\"\\ufffd\""},
    {"a\xc3", 2, "\"a\\ufffd\""},
    {"\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\""},
    {"\xe2\x82\xac\xe2\x82", 5, "\"\\u20ac\\ufffd\\ufffd\""},
};

static void test_json_escape(void **state)
{
    for (size_t i = 0; i < sizeof esc_rows / sizeof esc_rows[0]; i++) {
        char *in = exact_copy(esc_rows[i].in, esc_rows[i].n);
        nd_buf b;
        nd_buf_init(&b, 1024);
        assert_int_equal(nd_json_escape(&b, in, esc_rows[i].n), ND_OK);
        if (strcmp(nd_buf_cstr(&b), esc_rows[i].out) != 0)
            fail_msg("row %zu: %s, want %s", i, nd_buf_cstr(&b), esc_rows[i].out);
        /* the same without the quotes */
        nd_buf_clear(&b);
        assert_int_equal(nd_json_escape_chars(&b, in, esc_rows[i].n), ND_OK);
        size_t on = strlen(esc_rows[i].out);
        assert_int_equal(b.n, on - 2);
        assert_memory_equal(b.p ? b.p : "", esc_rows[i].out + 1, on - 2);
        nd_buf_free(&b);
        free(in);
    }
    /* NULL is the empty string */
    nd_buf b;
    nd_buf_init(&b, 16);
    assert_int_equal(nd_json_escape(&b, NULL, 5), ND_OK);
    assert_string_equal(nd_buf_cstr(&b), "\"\"");
    nd_buf_free(&b);
}

static void test_json_escape_cp(void **state)
{
    static const struct {
        uint32_t cp;
        const char *out;
    } rows[] = {
        {'a', "a"},          {'"', "\\\""},         {'\\', "\\\\"},        {'/', "/"},
        {'\b', "\\b"},       {0, "\\u0000"},       {0x7f, "\\u007f"},    {0xe9, "\\u00e9"},
        {0xd800, "\\ud800"}, {0xdfff, "\\udfff"}, /* lone surrogates, as json.dumps keeps them */
        {0x1f600, "\\ud83d\\ude00"},
    };
    nd_buf b;
    nd_buf_init(&b, 64);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        nd_buf_clear(&b);
        assert_int_equal(nd_json_escape_cp(&b, rows[i].cp), ND_OK);
        if (strcmp(nd_buf_cstr(&b), rows[i].out) != 0) fail_msg("U+%04x: %s", (unsigned)rows[i].cp, b.p);
    }
    nd_buf_free(&b);
}

/* A full buffer: the first error comes back and nothing is half-written
** past max. */
static void test_json_escape_limit(void **state)
{
    nd_buf b;
    nd_buf_init(&b, 8);
    assert_int_equal(nd_json_escape(&b, "\xe2\x82\xac\xe2\x82\xac", 6), ND_ELIMIT);
    assert_true(b.overflow);
    assert_true(b.n <= 8);
    nd_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_span_eq_prefix),
        cmocka_unit_test(test_span_ieq),
        cmocka_unit_test(test_span_chr_trim),
        cmocka_unit_test(test_hex_lower),
        cmocka_unit_test(test_utf8_valid),
        cmocka_unit_test(test_utf8_next),
        cmocka_unit_test(test_utf8_put_round_trip),
        cmocka_unit_test(test_utf8_cut),
        cmocka_unit_test(test_json_escape),
        cmocka_unit_test(test_json_escape_cp),
        cmocka_unit_test(test_json_escape_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
