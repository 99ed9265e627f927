/*
** test_lit.c -- the Python literal and argument-list parser, one row per
** input. Expected values and messages are what CPython 3.11 gives for the
** same text (eval of the literal, or of f(<args>) for comma-separated
** argument lists), except where a row says "nodus:" -- a documented limit
** (int64, no sets/bytes/complex, space-separated arguments, ...).
**
** Every input is copied into a malloc'd buffer of exactly its length, so
** AddressSanitizer catches any read past n (the parser's input is not
** NUL-terminated).
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nodus/value.h"

static _Alignas(8) char mem[1 << 16];

#define FULL ((size_t)-1) /* "used" = the whole input */

static char *exact_copy(const char *s, size_t n)
{
    char *p = malloc(n ? n : 1);
    assert_non_null(p);
    memcpy(p, s, n);
    return p;
}

static void repr_of(nd_buf *b, const nd_value *v)
{
    nd_buf_clear(b);
    nd_render_repr(b, v);
}

/* ---- nd_lit_parse ------------------------------------------------------ */

static const struct {
    const char *in;
    int rc;
    const char *want; /* repr on success, message on failure */
    size_t used;
} lit_rows[] = {
    /* ints */
    {"1", ND_OK, "1", FULL},
    {"-1", ND_OK, "-1", FULL},
    {"+5", ND_OK, "5", FULL},
    {"--5", ND_OK, "5", FULL},
    {"- 3", ND_OK, "-3", FULL},
    {"0", ND_OK, "0", FULL},
    {"00", ND_OK, "0", FULL},
    {"0_0", ND_OK, "0", FULL},
    {"1_000", ND_OK, "1000", FULL},
    {"0x_ff", ND_OK, "255", FULL},
    {"0XFF", ND_OK, "255", FULL},
    {"0o17", ND_OK, "15", FULL},
    {"0b101", ND_OK, "5", FULL},
    {"0B1_0", ND_OK, "2", FULL},
    {"9223372036854775807", ND_OK, "9223372036854775807", FULL},
    {"-9223372036854775808", ND_OK, "-9223372036854775808", FULL},
    {"-0x8000000000000000", ND_OK, "-9223372036854775808", FULL},
    {"-0b" "1000000000000000000000000000000000000000000000000000000000000000", ND_OK,
     "-9223372036854775808", FULL},
    /* nodus: ints are int64 */
    {"9223372036854775808", ND_ELIMIT, "integer out of range", FULL},
    {"-9223372036854775809", ND_ELIMIT, "integer out of range", FULL},
    {"--9223372036854775808", ND_ELIMIT, "integer out of range", FULL},
    {"0x8000000000000000", ND_ELIMIT, "integer out of range", FULL},
    {"0o7777777777777777777777", ND_ELIMIT, "integer out of range", FULL},
    {"99999999999999999999999", ND_ELIMIT, "integer out of range", FULL},
    {"-(-9223372036854775808)", ND_ELIMIT, "integer out of range", FULL},
    {"[99999999999999999999, x]", ND_ELIMIT, "integer out of range", FULL}, /* first error wins */
    {"[99999999999999999999, 1", ND_ESYNTAX, "'[' was never closed", 24}, /* syntax beats it */
    /* malformed numbers */
    {"007", ND_ESYNTAX,
     "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers", 3},
    {"0_7", ND_ESYNTAX,
     "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers", 3},
    {"1__0", ND_ESYNTAX, "invalid decimal literal", 1},
    {"1_", ND_ESYNTAX, "invalid decimal literal", 1},
    {"1abc", ND_ESYNTAX, "invalid decimal literal", 1},
    {"1é", ND_ESYNTAX, "invalid decimal literal", 1},
    {"0b12", ND_ESYNTAX, "invalid digit '2' in binary literal", 3},
    {"0b1a", ND_ESYNTAX, "invalid binary literal", 3},
    {"0o19", ND_ESYNTAX, "invalid digit '9' in octal literal", 3},
    {"0o", ND_ESYNTAX, "invalid octal literal", 2},
    {"0b", ND_ESYNTAX, "invalid binary literal", 2},
    {"0x", ND_ESYNTAX, "invalid hexadecimal literal", 2},
    {"0x1_", ND_ESYNTAX, "invalid hexadecimal literal", 3},
    {"0x_", ND_ESYNTAX, "invalid hexadecimal literal", 2},
    {"0xfg", ND_ESYNTAX, "invalid hexadecimal literal", 3},
    {"1e", ND_ESYNTAX, "invalid decimal literal", 2},
    {"1.5e", ND_ESYNTAX, "invalid decimal literal", 4},
    {"1e+", ND_ESYNTAX, "invalid decimal literal", 3},
    {"1e_5", ND_ESYNTAX, "invalid decimal literal", 2},
    {"0.5_", ND_ESYNTAX, "invalid decimal literal", 3},
    {"1._5", ND_ESYNTAX, "invalid decimal literal", 2},
    {"1.5x", ND_ESYNTAX, "invalid decimal literal", 3},
    {"1ex", ND_ESYNTAX, "invalid decimal literal", 2},
    {"1j", ND_ESYNTAX, "complex literals are not supported", 1}, /* nodus */
    {".e1", ND_ESYNTAX, "invalid syntax", 0},
    {".", ND_ESYNTAX, "invalid syntax", 0},
    {"-", ND_ESYNTAX, "invalid syntax", 1},
    {"+ -", ND_ESYNTAX, "invalid syntax", 3},
    /* floats */
    {"1.5", ND_OK, "1.5", FULL},
    {"-2e3", ND_OK, "-2000.0", FULL},
    {".5", ND_OK, "0.5", FULL},
    {"5.", ND_OK, "5.0", FULL},
    {"-.5e-3", ND_OK, "-0.0005", FULL},
    {"1_000.5", ND_OK, "1000.5", FULL},
    {"1e1_0", ND_OK, "10000000000.0", FULL},
    {"0e0", ND_OK, "0.0", FULL},
    {"-0.0", ND_OK, "-0.0", FULL},
    {"09.5", ND_OK, "9.5", FULL},
    {"00.0", ND_OK, "0.0", FULL},
    {"1.e5", ND_OK, "100000.0", FULL},
    {"1E5", ND_OK, "100000.0", FULL},
    {"1e999", ND_OK, "inf", FULL},
    {"-1e999", ND_OK, "-inf", FULL},
    {"1e-400", ND_OK, "0.0", FULL},
    {"16.7", ND_OK, "16.7", FULL},
    {"0.1000000000000000055511151231257827021181583404541015625", ND_OK, "0.1", FULL},
    {"2.2250738585072011e-308", ND_OK, "2.225073858507201e-308", FULL},
    {"0.000000000000000000000000000000000000000000000000000000000000000000000001e72", ND_OK, "1.0", FULL},
    /* True / False / None, unary signs */
    {"True", ND_OK, "True", FULL},
    {"False", ND_OK, "False", FULL},
    {"None", ND_OK, "None", FULL},
    {"-True", ND_OK, "-1", FULL},
    {"+False", ND_OK, "0", FULL},
    {"-(1)", ND_OK, "-1", FULL},
    {"-(-(2.5))", ND_OK, "2.5", FULL},
    {"-None", ND_ETYPE, "bad operand type for unary -: 'NoneType'", FULL},
    {"-'a'", ND_ETYPE, "bad operand type for unary -: 'str'", FULL},
    {"+-'a'", ND_ETYPE, "bad operand type for unary -: 'str'", FULL},
    {"+'a'", ND_ETYPE, "bad operand type for unary +: 'str'", FULL},
    {"-[1]", ND_ETYPE, "bad operand type for unary -: 'list'", FULL},
    /* names */
    {"builtin", ND_ENOTFOUND, "name 'builtin' is not defined", FULL},
    {"abc(1)", ND_ENOTFOUND, "name 'abc' is not defined", 3},
    {"True1", ND_ENOTFOUND, "name 'True1' is not defined", FULL},
    {"_x9", ND_ENOTFOUND, "name '_x9' is not defined", FULL},
    {"é", ND_ENOTFOUND, "name 'é' is not defined", FULL},
    {"if", ND_ESYNTAX, "invalid syntax", 2},
    {"not", ND_ESYNTAX, "invalid syntax", 3},
    {"[builtin, 'x'", ND_ESYNTAX, "'[' was never closed", 13},
    {"[builtin, 1 2]", ND_ESYNTAX, "invalid syntax. Perhaps you forgot a comma?", 12},
    {"$", ND_ESYNTAX, "invalid syntax", 0},
    {"@", ND_ESYNTAX, "invalid syntax", 0},
    {"", ND_ESYNTAX, "invalid syntax", 0},
    {"   ", ND_ESYNTAX, "invalid syntax", 3},
    /* strings */
    {"'abc'", ND_OK, "'abc'", FULL},
    {"\"abc\"", ND_OK, "'abc'", FULL},
    {"'a\"b'", ND_OK, "'a\"b'", FULL},
    {"\"a'b\"", ND_OK, "\"a'b\"", FULL},
    {"'a\\'b\"c'", ND_OK, "'a\\'b\"c'", FULL},
    {"''", ND_OK, "''", FULL},
    {"\"\"", ND_OK, "''", FULL},
    {"'caf\xc3\xa9 \xe2\x82\xac'", ND_OK, "'caf\xc3\xa9 \xe2\x82\xac'", FULL},
    {"'\\x41\\u00e9\\U0001F600'", ND_OK, "'A\xc3\xa9\xf0\x9f\x98\x80'", FULL},
    {"'\\101\\0\\777'", ND_OK, "'A\\x00\xc7\xbf'", FULL},
    {"'\\1234'", ND_OK, "'S4'", FULL},
    {"'\\q\\8\\9\\\xc3\xa9'", ND_OK, "'\\\\q\\\\8\\\\9\\\\\xc3\xa9'", FULL},
    {"'\\n\\r\\t\\a\\b\\f\\v\\\\'", ND_OK, "'\\n\\r\\t\\x07\\x08\\x0c\\x0b\\\\'", FULL},
    {"'\\\"\\''", ND_OK, "'\"\\''", FULL},
    {"'a\\\nb'", ND_OK, "'ab'", FULL},
    {"'a\\\r\nb'", ND_OK, "'ab'", FULL},
    {"'\\x4'", ND_ESYNTAX,
     "(unicode error) 'unicodeescape' codec can't decode bytes in position 0-2: truncated \\xXX escape", 0},
    {"'ab\\x4'", ND_ESYNTAX,
     "(unicode error) 'unicodeescape' codec can't decode bytes in position 2-4: truncated \\xXX escape", 0},
    {"'\\x'", ND_ESYNTAX,
     "(unicode error) 'unicodeescape' codec can't decode bytes in position 0-1: truncated \\xXX escape", 0},
    {"'\\u12'", ND_ESYNTAX,
     "(unicode error) 'unicodeescape' codec can't decode bytes in position 0-3: truncated \\uXXXX escape", 0},
    {"'\\U0001F60'", ND_ESYNTAX,
     "(unicode error) 'unicodeescape' codec can't decode bytes in position 0-8: truncated \\UXXXXXXXX escape", 0},
    {"'\\U00110000'", ND_ESYNTAX,
     "(unicode error) 'unicodeescape' codec can't decode bytes in position 0-9: illegal Unicode character", 0},
    {"'\\ud800'", ND_ESYNTAX, "(unicode error) surrogates not allowed", 0}, /* nodus: UTF-8 storage */
    {"'\\N{DASH}'", ND_ESYNTAX,
     "(unicode error) 'unicodeescape' codec can't decode bytes in position 0-7: unknown Unicode character name", 0},
    {"'\\N'", ND_ESYNTAX,
     "(unicode error) 'unicodeescape' codec can't decode bytes in position 0-1: malformed \\N character escape", 0},
    {"'\\N{'", ND_ESYNTAX,
     "(unicode error) 'unicodeescape' codec can't decode bytes in position 0-2: malformed \\N character escape", 0},
    {"'\\N{}'", ND_ESYNTAX,
     "(unicode error) 'unicodeescape' codec can't decode bytes in position 0-3: malformed \\N character escape", 0},
    {"r'\\n\\x'", ND_OK, "'\\\\n\\\\x'", FULL},
    {"R'a\\'b'", ND_OK, "\"a\\\\'b\"", FULL},
    {"r'\\\xc3\xa9'", ND_OK, "'\\\\\xc3\xa9'", FULL},
    {"u'x'", ND_OK, "'x'", FULL},
    {"U\"y\"", ND_OK, "'y'", FULL},
    {"b'x'", ND_ESYNTAX, "bytes literals are not supported", 0}, /* nodus */
    {"Rb'x'", ND_ESYNTAX, "bytes literals are not supported", 0},
    {"f'x'", ND_ESYNTAX, "f-strings are not supported", 0},
    {"x'a'", ND_ESYNTAX, "invalid syntax", 0},
    {"ur'a'", ND_ESYNTAX, "invalid syntax", 0},
    {"'''a'b'''", ND_OK, "\"a'b\"", FULL},
    {"\"\"\"a\nb\"\"\"", ND_OK, "'a\\nb'", FULL},
    {"'''a''''", ND_OK, "'a'", 7},
    {"'''abc", ND_ESYNTAX, "unterminated triple-quoted string literal", 0},
    {"'''abc''", ND_ESYNTAX, "unterminated triple-quoted string literal", 0},
    {"'abc", ND_ESYNTAX, "unterminated string literal", 0},
    {"'abc\\'", ND_ESYNTAX, "unterminated string literal", 0},
    {"'abc\\", ND_ESYNTAX, "unterminated string literal", 0},
    {"'ab\ncd'", ND_ESYNTAX, "unterminated string literal", 0},
    {"\"abc", ND_ESYNTAX, "unterminated string literal", 0},
    {"'a\xffz'", ND_ESYNTAX,
     "(unicode error) 'utf-8' codec can't decode byte 0xff in position 2: invalid start byte", 0},
    {"'a\xc3z'", ND_ESYNTAX,
     "(unicode error) 'utf-8' codec can't decode byte 0xc3 in position 2: invalid continuation byte", 0},
    {"'\xed\xa0\x80'", ND_ESYNTAX,
     "(unicode error) 'utf-8' codec can't decode byte 0xed in position 1: invalid continuation byte", 0},
    {"\xff", ND_ESYNTAX,
     "(unicode error) 'utf-8' codec can't decode byte 0xff in position 0: invalid start byte", 0},
    {"\xe2\x82", ND_ESYNTAX,
     "(unicode error) 'utf-8' codec can't decode byte 0xe2 in position 0: unexpected end of data", 0},
    /* lists, tuples, dicts */
    {"[]", ND_OK, "[]", FULL},
    {"[1]", ND_OK, "[1]", FULL},
    {"[1,]", ND_OK, "[1]", FULL},
    {" [ 1 ,\t2\n, 3 ] ", ND_OK, "[1, 2, 3]", 14},
    {"[1, 'a', [2.5, None], (True,)]", ND_OK, "[1, 'a', [2.5, None], (True,)]", FULL},
    {"[1 2]", ND_ESYNTAX, "invalid syntax. Perhaps you forgot a comma?", 3},
    {"[1 'a']", ND_ESYNTAX, "invalid syntax. Perhaps you forgot a comma?", 3},
    {"[1 :]", ND_ESYNTAX, "invalid syntax", 3},
    {"[1,,2]", ND_ESYNTAX, "invalid syntax", 3},
    {"[,]", ND_ESYNTAX, "invalid syntax", 1},
    {"[1, -]", ND_ESYNTAX, "invalid syntax", 5},
    {"[", ND_ESYNTAX, "'[' was never closed", 1},
    {"[1,", ND_ESYNTAX, "'[' was never closed", 3},
    {"[1", ND_ESYNTAX, "'[' was never closed", 2},
    {"[(1,", ND_ESYNTAX, "'(' was never closed", 4},
    {"]", ND_ESYNTAX, "unmatched ']'", 0},
    {")", ND_ESYNTAX, "unmatched ')'", 0},
    {"}", ND_ESYNTAX, "unmatched '}'", 0},
    {"[1, (2]", ND_ESYNTAX, "closing parenthesis ']' does not match opening parenthesis '('", 6},
    {"[1,)", ND_ESYNTAX, "closing parenthesis ')' does not match opening parenthesis '['", 3},
    {"{1: 2]", ND_ESYNTAX, "closing parenthesis ']' does not match opening parenthesis '{'", 5},
    {"()", ND_OK, "()", FULL},
    {"( )", ND_OK, "()", FULL},
    {"(1)", ND_OK, "1", FULL},
    {"((1))", ND_OK, "1", FULL},
    {"('a')", ND_OK, "'a'", FULL},
    {"(1,)", ND_OK, "(1,)", FULL},
    {"(1, 2,)", ND_OK, "(1, 2)", FULL},
    {"((),)", ND_OK, "((),)", FULL},
    {"(1 2)", ND_ESYNTAX, "invalid syntax. Perhaps you forgot a comma?", 3},
    {"(1, 2", ND_ESYNTAX, "'(' was never closed", 5},
    {"(1", ND_ESYNTAX, "'(' was never closed", 2},
    {"(", ND_ESYNTAX, "'(' was never closed", 1},
    {"(,)", ND_ESYNTAX, "invalid syntax", 1},
    {"(1,,)", ND_ESYNTAX, "invalid syntax", 3},
    {"{}", ND_OK, "{}", FULL},
    {"{1: 2}", ND_OK, "{1: 2}", FULL},
    {"{'a': 1, 'b': [1, 2], 'c': {'d': (1,)}}", ND_OK, "{'a': 1, 'b': [1, 2], 'c': {'d': (1,)}}", FULL},
    {"{1: 2, 1.0: 3, True: 4}", ND_OK, "{1: 4}", FULL},
    {"{'k': 1, 'k': 2}", ND_OK, "{'k': 2}", FULL},
    {"{(1, 2): 3}", ND_OK, "{(1, 2): 3}", FULL},
    {"{None: 0, 1.5: 1, 'x':2,}", ND_OK, "{None: 0, 1.5: 1, 'x': 2}", FULL},
    {"{1, 2}", ND_ESYNTAX, "set literals are not supported", 2}, /* nodus */
    {"{1}", ND_ESYNTAX, "set literals are not supported", 2},
    {"{1:}", ND_ESYNTAX, "expression expected after dictionary key and ':'", 3},
    {"{1 2}", ND_ESYNTAX, "invalid syntax. Perhaps you forgot a comma?", 3},
    {"{1:2 3:4}", ND_ESYNTAX, "invalid syntax. Perhaps you forgot a comma?", 5},
    {"{:1}", ND_ESYNTAX, "invalid syntax", 1},
    {"{,}", ND_ESYNTAX, "invalid syntax", 1},
    {"{1:2,,}", ND_ESYNTAX, "invalid syntax", 5},
    {"{1:", ND_ESYNTAX, "invalid syntax", 3},
    {"{1", ND_ESYNTAX, "'{' was never closed", 2},
    {"{1:2", ND_ESYNTAX, "'{' was never closed", 4},
    {"{1:2,", ND_ESYNTAX, "'{' was never closed", 5},
    {"{[1]: 2}", ND_ETYPE, "unhashable type: 'list'", FULL},
    {"{(1, [2]): 3}", ND_ETYPE, "unhashable type: 'list'", FULL},
    {"{{}: 1}", ND_ETYPE, "unhashable type: 'dict'", FULL},
    {"{[1]: 2, 'x': y}", ND_ETYPE, "unhashable type: 'list'", FULL},
    {"{[1]: 2, 'x': 3", ND_ESYNTAX, "'{' was never closed", 15},
    /* a literal ends where the next token starts */
    {"1 2", ND_OK, "1", 1},
    {"'a' 'b'", ND_OK, "'a'", 3},
    {"None.x", ND_OK, "None", 4},
    {"0x1.5", ND_OK, "1", 3},
    {"[1]]", ND_OK, "[1]", 3},
};

static void test_lit_table(void **state)
{
    nd_arena a;
    nd_buf b;
    nd_buf_init(&b, 1024);
    for (size_t i = 0; i < sizeof lit_rows / sizeof lit_rows[0]; i++) {
        size_t n = strlen(lit_rows[i].in);
        char *in = exact_copy(lit_rows[i].in, n);
        nd_arena_init(&a, mem, sizeof mem);
        nd_value *v = (nd_value *)&b; /* must be overwritten */
        size_t used = 12345;
        char err[ND_ERRMSG] = "";
        int rc = nd_lit_parse(&a, in, n, &used, &v, err, sizeof err);
        const char *got = err;
        if (rc == ND_OK) {
            repr_of(&b, v);
            got = nd_buf_cstr(&b);
        }
        size_t want_used = lit_rows[i].used == FULL ? n : lit_rows[i].used;
        if (rc != lit_rows[i].rc || strcmp(got, lit_rows[i].want) != 0 || used != want_used)
            fail_msg("row %zu [%s]: rc %d used %zu got [%s]; want rc %d used %zu [%s]", i, lit_rows[i].in, rc,
                     used, got, lit_rows[i].rc, want_used, lit_rows[i].want);
        if (rc != ND_OK) assert_null(v);
        free(in);
    }
    nd_buf_free(&b);
}

/* The input is a byte range: text after n is never looked at. */
static void test_lit_bounded(void **state)
{
    static const struct {
        const char *in;
        size_t n;
        int rc;
        const char *want;
    } rows[] = {
        {"12345", 2, ND_OK, "12"},
        {"'abc'", 4, ND_ESYNTAX, "unterminated string literal"},
        {"[1, 2]", 5, ND_ESYNTAX, "'[' was never closed"},
        {"1.5e10", 4, ND_ESYNTAX, "invalid decimal literal"},
        {"0x10", 2, ND_ESYNTAX, "invalid hexadecimal literal"},
        {"True", 3, ND_ENOTFOUND, "name 'Tru' is not defined"},
        {"'\\x41'", 5, ND_ESYNTAX, "unterminated string literal"},
        {"'''a'''", 6, ND_ESYNTAX, "unterminated triple-quoted string literal"},
        {"-5", 1, ND_ESYNTAX, "invalid syntax"},
        {"\xc3\xa9", 1, ND_ESYNTAX,
         "(unicode error) 'utf-8' codec can't decode byte 0xc3 in position 0: unexpected end of data"},
    };
    nd_arena a;
    nd_buf b;
    nd_buf_init(&b, 256);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char *in = exact_copy(rows[i].in, rows[i].n);
        nd_arena_init(&a, mem, sizeof mem);
        nd_value *v;
        size_t used;
        char err[ND_ERRMSG] = "";
        int rc = nd_lit_parse(&a, in, rows[i].n, &used, &v, err, sizeof err);
        const char *got = err;
        if (rc == ND_OK) repr_of(&b, v), got = nd_buf_cstr(&b);
        if (rc != rows[i].rc || strcmp(got, rows[i].want) != 0)
            fail_msg("bounded row %zu: rc %d [%s]", i, rc, got);
        free(in);
    }
    nd_buf_free(&b);
    /* NULL input with n = 0, and NULL out-parameters, are tolerated */
    nd_arena_init(&a, mem, sizeof mem);
    assert_int_equal(nd_lit_parse(&a, NULL, 0, NULL, NULL, NULL, 0), ND_ESYNTAX);
    assert_int_equal(nd_lit_parse(&a, "1", 1, NULL, NULL, NULL, 0), ND_OK);
}

/* A string containing NUL bytes is stored with its length. */
static void test_lit_nul(void **state)
{
    nd_arena a;
    nd_arena_init(&a, mem, sizeof mem);
    nd_value *v;
    size_t used;
    char err[ND_ERRMSG];
    assert_int_equal(nd_lit_parse(&a, "'a\0b'", 5, &used, &v, err, sizeof err), ND_OK);
    assert_int_equal(v->u.s.n, 3);
    assert_memory_equal(v->u.s.p, "a\0b", 4);
    assert_int_equal(nd_lit_parse(&a, "'\\0\\x00'", 8, &used, &v, err, sizeof err), ND_OK);
    assert_int_equal(v->u.s.n, 2);
}

/* ---- nesting depth ----------------------------------------------------- */

static void test_lit_depth(void **state)
{
    static const char *const shapes[][3] = {
        /* open, inner, close (repeated depth times) */
        {"[", "1", "]"},
        {"(", "1", ",)"},
        {"{1: ", "1", "}"},
        {"(", "1", ")"}, /* parenthesised expressions count too */
        {"[(", "1", ",)]"},
    };
    char in[1024];
    nd_arena a;
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        for (int depth = ND_LIT_MAX_DEPTH - 1; depth <= ND_LIT_MAX_DEPTH + 2; depth++) {
            size_t n = 0;
            int opens = 0;
            for (int k = 0; opens < depth; k++) {
                n += (size_t)snprintf(in + n, sizeof in - n, "%s", shapes[s][0]);
                opens += strlen(shapes[s][0]) == 2 && shapes[s][0][1] == '(' ? 2 : 1;
            }
            n += (size_t)snprintf(in + n, sizeof in - n, "%s", shapes[s][1]);
            int closes = 0;
            while (closes < opens) {
                n += (size_t)snprintf(in + n, sizeof in - n, "%s", shapes[s][2]);
                closes += strlen(shapes[s][2]) == 3 && shapes[s][2][2] == ']' ? 2 : 1;
            }
            nd_arena_init(&a, mem, sizeof mem);
            nd_value *v;
            size_t used;
            char err[ND_ERRMSG] = "";
            int rc = nd_lit_parse(&a, in, n, &used, &v, err, sizeof err);
            if (opens <= ND_LIT_MAX_DEPTH) {
                if (rc != ND_OK || used != n) fail_msg("depth %d [%s]: %s", opens, in, err);
            } else {
                assert_int_equal(rc, ND_ELIMIT);
                assert_string_equal(err, "too many nested parentheses");
            }
        }
    }
}

/* ---- arena exhaustion -------------------------------------------------- */

/* For every arena size below what an input needs, parsing fails cleanly
** with ND_ENOMEM; at the first size that suffices it gives the full value. */
static void test_lit_arena_exhaustion(void **state)
{
    static const char *const inputs[] = {
        "1",
        "'a string long enough to need some room'",
        "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]",
        "{'a': [1, (2, 3)], 'b': {'c': 'd'}, 'e': -1.5, 'f': None, 'g': True}",
        "(1, 'x', [], {}, ())",
        "-(1)",
        "1.00000000000000000000000000000000000000000000000000000000000000000000000000005",
    };
    static _Alignas(8) char big[8192];
    nd_arena a;
    nd_buf want, got;
    nd_buf_init(&want, 4096);
    nd_buf_init(&got, 4096);
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        size_t n = strlen(inputs[i]);
        nd_value *v;
        size_t used;
        char err[ND_ERRMSG];
        nd_arena_init(&a, big, sizeof big);
        assert_int_equal(nd_lit_parse(&a, inputs[i], n, &used, &v, err, sizeof err), ND_OK);
        repr_of(&want, v);
        size_t need = a.peak; /* scratch space counts: long floats, string tails */
        for (size_t cap = 0; cap <= need; cap += 8) {
            nd_arena_init(&a, big, cap);
            int rc = nd_lit_parse(&a, inputs[i], n, &used, &v, err, sizeof err);
            if (cap < need) {
                if (rc != ND_ENOMEM) fail_msg("[%s] cap %zu: rc %d", inputs[i], cap, rc);
                assert_string_equal(err, "memory allocation failed");
                assert_null(v);
            } else {
                assert_int_equal(rc, ND_OK);
                repr_of(&got, v);
                assert_string_equal(nd_buf_cstr(&got), nd_buf_cstr(&want));
            }
        }
    }
    nd_buf_free(&want);
    nd_buf_free(&got);
}

/* ---- error buffer ------------------------------------------------------ */

static void test_lit_errbuf(void **state)
{
    nd_arena a;
    nd_arena_init(&a, mem, sizeof mem);
    nd_value *v;
    size_t used;
    char err[16];
    /* cut short and always terminated */
    memset(err, 'x', sizeof err);
    assert_int_equal(nd_lit_parse(&a, "'abc", 4, &used, &v, err, 8), ND_ESYNTAX);
    assert_string_equal(err, "untermi");
    /* a deferred message is cut the same way */
    memset(err, 'x', sizeof err);
    assert_int_equal(nd_lit_parse(&a, "builtin", 7, &used, &v, err, 10), ND_ENOTFOUND);
    assert_string_equal(err, "name 'bui");
    /* never split a UTF-8 character */
    memset(err, 'x', sizeof err);
    assert_int_equal(nd_lit_parse(&a, "\xc3\xa9\xc3\xa9", 4, &used, &v, err, 9), ND_ENOTFOUND);
    assert_string_equal(err, "name '\xc3\xa9");
    memset(err, 'x', sizeof err);
    assert_int_equal(nd_lit_parse(&a, "\xc3\xa9\xc3\xa9", 4, &used, &v, err, 10), ND_ENOTFOUND);
    assert_string_equal(err, "name '\xc3\xa9");
    memset(err, 'x', sizeof err);
    assert_int_equal(nd_lit_parse(&a, "x\xe2\x82\xac", 4, &used, &v, err, 10), ND_ENOTFOUND);
    assert_string_equal(err, "name 'x");
    /* no buffer at all */
    assert_int_equal(nd_lit_parse(&a, "'abc", 4, &used, &v, NULL, 0), ND_ESYNTAX);
    assert_int_equal(nd_lit_parse(&a, "abc", 3, &used, &v, err, 0), ND_ENOTFOUND);
    /* a very long name is shown shortened and the message still fits */
    char name[400], big[ND_ERRMSG];
    memset(name, 'n', sizeof name);
    assert_int_equal(nd_lit_parse(&a, name, sizeof name, &used, &v, big, sizeof big), ND_ENOTFOUND);
    assert_true(strlen(big) < sizeof big);
    assert_non_null(strstr(big, "' is not defined"));
}

/* ---- nd_args_parse ----------------------------------------------------- */

static const struct {
    const char *in;
    int rc;
    const char *want; /* "1, k=2" rendering, or the message */
} args_rows[] = {
    {"", ND_OK, ""},
    {"   ", ND_OK, ""},
    {"1, 2", ND_OK, "1, 2"},
    {"1,2", ND_OK, "1, 2"},
    {"1 2", ND_OK, "1, 2"}, /* nodus: white space separates, as micrOS splits on it */
    {"1 , 2", ND_OK, "1, 2"},
    {"  1\t\t2  ", ND_OK, "1, 2"},
    {"1,", ND_OK, "1"},
    {"1 ,", ND_OK, "1"},
    {"-1 -2", ND_OK, "-1, -2"},
    {"1, 'a b', k=3", ND_OK, "1, 'a b', k=3"},
    {"br=5 'a b'", ND_ESYNTAX, "positional argument follows keyword argument"},
    {"'a b' br=5", ND_OK, "'a b', br=5"},
    {"[1, 2] k={'a': 1}", ND_OK, "[1, 2], k={'a': 1}"},
    {"k= 2", ND_OK, "k=2"},
    {"r=10 g=20 b=30", ND_OK, "r=10, g=20, b=30"},
    {"key='builtin'", ND_OK, "key='builtin'"},
    {"key=builtin", ND_ENOTFOUND, "name 'builtin' is not defined"},
    {"é=1", ND_OK, "é=1"},
    {"(1, 2) (3,)", ND_OK, "(1, 2), (3,)"},
    {"True None 1.5", ND_OK, "True, None, 1.5"},
    {"k=1, 2", ND_ESYNTAX, "positional argument follows keyword argument"},
    {"k=1, k=2", ND_ESYNTAX, "keyword argument repeated: k"},
    {"k=1 k=2", ND_ESYNTAX, "keyword argument repeated: k"},
    {"k = 2", ND_ESYNTAX, "invalid syntax"},
    {"k =2", ND_ESYNTAX, "invalid syntax"},
    {"k==2", ND_ESYNTAX, "invalid syntax"},
    {"1=2", ND_ESYNTAX, "expression cannot contain assignment, perhaps you meant \"==\"?"},
    {"'a'=2", ND_ESYNTAX, "expression cannot contain assignment, perhaps you meant \"==\"?"},
    {"True=1", ND_ESYNTAX, "cannot assign to True"},
    {"None=1", ND_ESYNTAX, "cannot assign to None"},
    {"False=1", ND_ESYNTAX, "cannot assign to False"},
    {"if=1", ND_ESYNTAX, "invalid syntax"},
    {",1", ND_ESYNTAX, "invalid syntax"},
    {",", ND_ESYNTAX, "invalid syntax"},
    {"1,,2", ND_ESYNTAX, "invalid syntax"},
    {"1, ,2", ND_ESYNTAX, "invalid syntax"},
    {"1,,", ND_ESYNTAX, "invalid syntax"},
    {"k=", ND_ESYNTAX, "invalid syntax"},
    {"k=,", ND_ESYNTAX, "invalid syntax"},
    {"k= ,1", ND_ESYNTAX, "invalid syntax"},
    {"=1", ND_ESYNTAX, "invalid syntax"},
    {"x", ND_ENOTFOUND, "name 'x' is not defined"},
    {"x y=1", ND_ENOTFOUND, "name 'x' is not defined"},
    {"x, 1 2)", ND_ESYNTAX, "unmatched ')'"},
    {"x 'abc", ND_ESYNTAX, "unterminated string literal"},
    {"x if", ND_ESYNTAX, "invalid syntax"},
    {"k=x, 'abc", ND_ESYNTAX, "unterminated string literal"},
    {"1)", ND_ESYNTAX, "unmatched ')'"},
    {"1]", ND_ESYNTAX, "unmatched ']'"},
    {"[1 2]", ND_ESYNTAX, "invalid syntax. Perhaps you forgot a comma?"},
    {"1'a'", ND_ESYNTAX, "invalid syntax. Perhaps you forgot a comma?"},
    {"'a''b'", ND_ESYNTAX, "invalid syntax"},
    {"1:", ND_ESYNTAX, "invalid syntax"},
    {"*a", ND_ESYNTAX, "invalid syntax"},
    {"'a\xff'", ND_ESYNTAX, "(unicode error) 'utf-8' codec can't decode byte 0xff in position 2: invalid start byte"},
    {"1 \xc0\x80", ND_ESYNTAX, "(unicode error) 'utf-8' codec can't decode byte 0xc0 in position 2: invalid start byte"},
    {"x \xf0\x9f\x98", ND_ESYNTAX,
     "(unicode error) 'utf-8' codec can't decode byte 0xf0 in position 2: unexpected end of data"},
    {"{[1]: 2} 'x", ND_ESYNTAX, "unterminated string literal"},
    {"{[1]: 2} x", ND_ETYPE, "unhashable type: 'list'"},
    {"1 2 3 4 5 6 7 8", ND_OK, "1, 2, 3, 4, 5, 6, 7, 8"},
    {"1 2 3 4 5 6 7 8 9", ND_ELIMIT, "too many arguments"},
    {"a=1 b=2 c=3 d=4 e=5 f=6 g=7 h=8 i=9", ND_ELIMIT, "too many arguments"},
    {"1 2 3 4 5 6 7 8 9 x", ND_ELIMIT, "too many arguments"},
    {"1 2 3 4 5 6 7 8 9 'x", ND_ESYNTAX, "unterminated string literal"},
    {"x 2 3 4 5 6 7 8 9", ND_ENOTFOUND, "name 'x' is not defined"},
};

#define ARGS_MAX 8

static void render_args(nd_buf *b, const nd_arg *av, int n)
{
    nd_buf_clear(b);
    for (int i = 0; i < n; i++) {
        if (i) nd_buf_puts(b, ", ");
        if (av[i].name) nd_buf_printf(b, "%s=", av[i].name);
        nd_render_repr(b, av[i].v);
    }
}

static void test_args_table(void **state)
{
    nd_arena a;
    nd_buf b;
    nd_buf_init(&b, 1024);
    for (size_t i = 0; i < sizeof args_rows / sizeof args_rows[0]; i++) {
        size_t n = strlen(args_rows[i].in);
        char *in = exact_copy(args_rows[i].in, n);
        nd_arena_init(&a, mem, sizeof mem);
        nd_arg av[ARGS_MAX];
        int count = -1;
        char err[ND_ERRMSG] = "";
        int rc = nd_args_parse(&a, in, n, av, ARGS_MAX, &count, err, sizeof err);
        const char *got = err;
        if (rc == ND_OK) render_args(&b, av, count), got = nd_buf_cstr(&b);
        if (rc != args_rows[i].rc || strcmp(got, args_rows[i].want) != 0)
            fail_msg("args row %zu [%s]: rc %d got [%s]; want rc %d [%s]", i, args_rows[i].in, rc, got,
                     args_rows[i].rc, args_rows[i].want);
        assert_true(count >= 0 && count <= ARGS_MAX);
        free(in);
    }
    nd_buf_free(&b);
}

static void test_args_edges(void **state)
{
    nd_arena a;
    nd_arena_init(&a, mem, sizeof mem);
    nd_arg av[4];
    int count = -1;
    char err[ND_ERRMSG] = "";
    /* max 0: any argument is one too many, none is fine */
    assert_int_equal(nd_args_parse(&a, "1", 1, av, 0, &count, err, sizeof err), ND_ELIMIT);
    assert_string_equal(err, "too many arguments");
    assert_int_equal(count, 0);
    assert_int_equal(nd_args_parse(&a, "", 0, av, 0, &count, err, sizeof err), ND_OK);
    assert_int_equal(nd_args_parse(&a, NULL, 0, av, 0, &count, err, sizeof err), ND_OK);
    /* NUL bytes are refused, as CPython refuses them in source */
    assert_int_equal(nd_args_parse(&a, "1 \0", 3, av, 4, &count, err, sizeof err), ND_ESYNTAX);
    assert_string_equal(err, "source code cannot contain null bytes");
    /* bounded input: the text after n is not read */
    char *in = exact_copy("k=5 j=6", 5);
    assert_int_equal(nd_args_parse(&a, in, 5, av, 4, &count, err, sizeof err), ND_ESYNTAX);
    assert_string_equal(err, "positional argument follows keyword argument");
    assert_int_equal(nd_args_parse(&a, in, 3, av, 4, &count, err, sizeof err), ND_OK);
    assert_int_equal(count, 1);
    assert_string_equal(av[0].name, "k");
    assert_true(av[0].v->u.i == 5);
    free(in);
    /* keyword names live in the arena, NUL-terminated */
    nd_arena_init(&a, mem, sizeof mem);
    assert_int_equal(nd_args_parse(&a, "alpha=1,beta='x'", 16, av, 4, &count, err, sizeof err), ND_OK);
    assert_int_equal(count, 2);
    assert_string_equal(av[0].name, "alpha");
    assert_string_equal(av[1].name, "beta");
    /* arena exhaustion on the way, including the keyword name */
    static _Alignas(8) char small[2048];
    const char *line = "first=[1, 2, 3] second={'a': 'b'} third='some text here'";
    size_t need = 0;
    nd_arena_init(&a, small, sizeof small);
    assert_int_equal(nd_args_parse(&a, line, strlen(line), av, 4, &count, err, sizeof err), ND_OK);
    need = a.peak;
    for (size_t cap = 0; cap < need; cap += 8) {
        nd_arena_init(&a, small, cap);
        assert_int_equal(nd_args_parse(&a, line, strlen(line), av, 4, &count, err, sizeof err), ND_ENOMEM);
        assert_string_equal(err, "memory allocation failed");
    }
    /* a long line with many separators is fine */
    static char many[20000];
    size_t n = 0;
    for (int i = 0; i < 4000; i++) n += (size_t)snprintf(many + n, sizeof many - n, " ,  ");
    nd_arena_init(&a, mem, sizeof mem);
    assert_int_equal(nd_args_parse(&a, many + 3, n - 3, av, 4, &count, err, sizeof err), ND_ESYNTAX);
}

/* ---- round trip: repr re-parses to an equal value ---------------------- */

static void test_round_trip(void **state)
{
    static const char *const inputs[] = {
        "[1, -2, 3.5, -0.0, 1e-05, 1e+16, 'x', \"it's\", 'a\\'b\"c', None, True]",
        "{'k': (1,), 2: [], (3, 'x'): {}, 1.5: 'caf\\u00e9\\U0001F600\\x85\\u200b'}",
        "('\\x00\\x01\\x7f\\t\\n\\r\\\\', -9223372036854775808, 9223372036854775807)",
        "[1.7976931348623157e308, 5e-324, 0.1, 2.2250738585072014e-308, 123456789.123456789]",
    };
    nd_arena a;
    nd_buf b;
    nd_buf_init(&b, 4096);
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        nd_arena_init(&a, mem, sizeof mem);
        nd_value *v, *w;
        size_t used;
        char err[ND_ERRMSG];
        assert_int_equal(nd_lit_parse(&a, inputs[i], strlen(inputs[i]), &used, &v, err, sizeof err), ND_OK);
        repr_of(&b, v);
        if (nd_lit_parse(&a, b.p, b.n, &used, &w, err, sizeof err) != ND_OK) fail_msg("%s: %s", b.p, err);
        assert_int_equal(used, b.n);
        assert_true(nd_value_eq(v, w));
    }
    nd_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lit_table),
        cmocka_unit_test(test_lit_bounded),
        cmocka_unit_test(test_lit_nul),
        cmocka_unit_test(test_lit_depth),
        cmocka_unit_test(test_lit_arena_exhaustion),
        cmocka_unit_test(test_lit_errbuf),
        cmocka_unit_test(test_args_table),
        cmocka_unit_test(test_args_edges),
        cmocka_unit_test(test_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
