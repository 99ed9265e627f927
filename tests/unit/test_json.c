/*
** test_json.c -- the JSON layer (src/core/json.c): the strict reader
** (nd_json_valid and the re-rendering reader the widgets use), the trees it
** builds (nd_json_parse: the same grammar, against cJSON's own parser on
** random documents), the NUL scanner, items to nd_values, and writing a
** cJSON tree through the value renderer.
**
** nd_json_valid rows: "true" rows are all accepted by Python 3's json.loads;
** "false" rows are refused by it too, except NaN/Infinity, which json.loads
** takes and nd_json_valid refuses on purpose (a REST client's JSON reader
** may not). Inputs are copied into exact-size buffers, so AddressSanitizer
** catches any read past n.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

static _Alignas(8) char mem[1 << 16];

static char *exact_copy(const char *s, size_t n)
{
    char *p = malloc(n ? n : 1);
    assert_non_null(p);
    memcpy(p, s, n);
    return p;
}

/* ---- nd_json_valid ------------------------------------------------------------ */

static const struct {
    const char *in;
    size_t n;
    bool ok;
} valid_rows[] = {
    {"0", 1, true},
    {"-0", 2, true},
    {"1", 1, true},
    {"-1.5e+10", 8, true},
    {"1E5", 3, true},
    {"0.0", 3, true},
    {"12345678901234567890123", 23, true},
    {" \x09""\x0d""\x0a""[1, 2]\x0a"" ", 12, true},
    {"[]", 2, true},
    {"{}", 2, true},
    {"{\"a\": {\"b\": [null, true, false]}}", 33, true},
    {"\"x\"", 3, true},
    {"\"\\u00e9\\ud800\"", 14, true},
    {"\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", 18, true},
    {"\"caf\xc3""\xa9"" \xf0""\x9f""\x98""\x80""\"", 12, true},
    {"\"\x7f""\"", 3, true},
    {"{\"a\": 1, \"a\": 2}", 16, true},
    {"[1,2]", 5, true},
    {"{\"a\":1}", 7, true},
    {"", 0, false},
    {" ", 1, false},
    {"01", 2, false},
    {"-", 1, false},
    {"1.", 2, false},
    {".5", 2, false},
    {"1e", 2, false},
    {"1e+", 3, false},
    {"+1", 2, false},
    {"0x10", 4, false},
    {"1 2", 3, false},
    {"[1,]", 4, false},
    {"[,1]", 4, false},
    {"{\"a\":1,}", 8, false},
    {"{a:1}", 5, false},
    {"{'a': 1}", 8, false},
    {"{\"a\" 1}", 7, false},
    {"{\"a\":}", 6, false},
    {"{1: 2}", 6, false},
    {"[1", 2, false},
    {"{\"a\": 1", 7, false},
    {"\"abc", 4, false},
    {"\"a\x01""\"", 4, false},
    {"\"a\x0a""b\"", 5, false},
    {"\"a\x00""\"", 4, false},
    {"\"\\x41\"", 6, false},
    {"\"\\u12\"", 6, false},
    {"\"\\u12g4\"", 8, false},
    {"\"\\", 2, false},
    {"\"\xff""\"", 3, false},
    {"\"\xed""\xa0""\x80""\"", 5, false},
    {"\"\xc3""\"", 3, false},
    {"tru", 3, false},
    {"True", 4, false},
    {"null x", 6, false},
    {"nul", 3, false},
    {"[1]\x00""", 4, false},
    {"\xef""\xbb""\xbf""[1]", 6, false},
    {"[1]\x0c""", 4, false},
    {"\x0b""[1]", 4, false},
    {"NaN", 3, false},
    {"Infinity", 8, false},
    {"-Infinity", 9, false},
    {"[NaN]", 5, false},
};

static void test_valid(void **state)
{
    for (size_t i = 0; i < sizeof valid_rows / sizeof valid_rows[0]; i++) {
        char *in = exact_copy(valid_rows[i].in, valid_rows[i].n);
        if (nd_json_valid(in, valid_rows[i].n) != valid_rows[i].ok)
            fail_msg("row %zu (%.*s): want %s", i, (int)valid_rows[i].n, valid_rows[i].in,
                     valid_rows[i].ok ? "valid" : "refused");
        free(in);
    }
}

/* ND_JSON_MAX_DEPTH levels of [ or { are fine, one more is refused. */
static void test_valid_depth(void **state)
{
    char buf[2 * (ND_JSON_MAX_DEPTH + 1) + 8];
    for (int extra = 0; extra <= 1; extra++) {
        int d = ND_JSON_MAX_DEPTH + extra;
        /* d arrays, then d - 1 arrays inside an object */
        size_t n = 0;
        for (int i = 0; i < d; i++) buf[n++] = '[';
        for (int i = 0; i < d; i++) buf[n++] = ']';
        assert_int_equal(nd_json_valid(buf, n), extra == 0);
        memcpy(buf, "{\"k\": ", 6);
        n = 6;
        for (int i = 1; i < d; i++) buf[n++] = '[';
        for (int i = 1; i < d; i++) buf[n++] = ']';
        buf[n++] = '}';
        assert_int_equal(nd_json_valid(buf, n), extra == 0);
    }
}

/* ---- the reader, writing again (json.loads then json.dumps) --------------------- */

static const struct {
    const char *in;
    unsigned flags;
    const char *out; /* NULL: ND_ESYNTAX */
} redump_rows[] = {
    {"\"a\"", 0, "\"a\""},
    {"'a'", ND_JSON_SQUOTE, "\"a\""},
    {"'a'", 0, NULL},
    {"'it\\'s'", ND_JSON_SQUOTE, "\"it\\\"s\""}, /* \' became \" before json.loads */
    {"[1,2 , 3]", 0, "[1, 2, 3]"},
    {"{\"b\":1,\"a\":[true,false,null]}", 0, "{\"b\": 1, \"a\": [true, false, null]}"},
    {"{\"a\": 1, \"a\": 2}", 0, "{\"a\": 1, \"a\": 2}"}, /* duplicates kept (documented) */
    {"-0", 0, "0"},
    {"-0.0", 0, "-0.0"},
    {"007", 0, NULL},
    {"12345678901234567890123", 0, "12345678901234567890123"}, /* Python ints are exact */
    {"1E2", 0, "100.0"},
    {"1.50", 0, "1.5"},
    {"1e400", 0, "Infinity"},
    {"-1e400", 0, "-Infinity"},
    {"NaN", ND_JSON_CONSTS, "NaN"},
    {"-Infinity", ND_JSON_CONSTS, "-Infinity"},
    {"NaN", 0, NULL},
    {"\"caf\xc3\xa9\"", 0, "\"caf\\u00e9\""},
    {"\"\\u00E9\\/\"", 0, "\"\\u00e9/\""},
    {"\"\\ud83d\\ude00 \\ud800\"", 0, "\"\\ud83d\\ude00 \\ud800\""}, /* unit by unit */
    {"\"\xf0\x9f\x98\x80\"", 0, "\"\\ud83d\\ude00\""},
    {"\"\xff\"", 0, NULL},
    {"\"a\tb\"", 0, NULL},
};

static void test_redump(void **state)
{
    for (size_t i = 0; i < sizeof redump_rows / sizeof redump_rows[0]; i++) {
        size_t n = strlen(redump_rows[i].in);
        char *in = exact_copy(redump_rows[i].in, n);
        nd_json_rd r = {in, n, 0, redump_rows[i].flags};
        nd_buf b;
        nd_buf_init(&b, 1024);
        int rc = nd_json_rd_value(&r, &b);
        if (rc == ND_OK && r.i != n) rc = ND_ESYNTAX; /* all of it, or it is not JSON */
        if (!redump_rows[i].out) {
            if (rc != ND_ESYNTAX) fail_msg("row %zu: %d, want ND_ESYNTAX", i, rc);
        } else if (rc != ND_OK || strcmp(nd_buf_cstr(&b), redump_rows[i].out) != 0) {
            fail_msg("row %zu: %d %s, want %s", i, rc, nd_buf_cstr(&b), redump_rows[i].out);
        }
        nd_buf_free(&b);
        free(in);
    }
}

/* The text does not fit: ND_ENOMEM, not a syntax error. */
static void test_redump_full(void **state)
{
    nd_json_rd r = {"[\"abcdefgh\"]", 12, 0, 0};
    nd_buf b;
    nd_buf_init(&b, 6);
    assert_int_equal(nd_json_rd_value(&r, &b), ND_ENOMEM);
    nd_buf_free(&b);
}

/* ---- nd_json_parse --------------------------------------------------------------- */

static void test_parse(void **state)
{
    static const struct {
        const char *in;
        bool tree;
        size_t end;
    } rows[] = {
        {"{\"a\": 1}", true, 8},
        {"  {\"a\": 1}  \n", true, 13},   /* trailing white space is part of it */
        {"\xef\xbb\xbf[1]", true, 6},      /* a BOM is skipped */
        {"{\"a\": 1} x", true, 9},         /* the caller sees what follows */
        {"{}{}", true, 2},
        {"{\"a\": 1,\n", false, 9},        /* cut short: fails at the end */
        {"{\"a\": tr", false, 6},
        {"", false, 0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        size_t n = strlen(rows[i].in), end = 12345;
        char *in = exact_copy(rows[i].in, n);
        cJSON *t = nd_json_parse(in, n, &end);
        if ((t != NULL) != rows[i].tree) fail_msg("row %zu: tree %p", i, (void *)t);
        if (end != rows[i].end) fail_msg("row %zu: end %zu, want %zu", i, end, rows[i].end);
        cJSON_Delete(t);
        free(in);
    }
    assert_null(nd_json_parse("[1]", 0, NULL));
}

/* One reader: nd_json_parse takes a text whole exactly when nd_json_valid
** does (json.loads's grammar), but for a lone surrogate escape (UTF-8 cannot
** hold it) and a BOM (skipped, as a config file written by an editor may
** start with one). */
static void test_parse_is_the_strict_reader(void **state)
{
    for (size_t i = 0; i < sizeof valid_rows / sizeof valid_rows[0]; i++) {
        const char *in = valid_rows[i].in;
        size_t n = valid_rows[i].n, end = 0;
        bool lone = strstr(in, "\\ud800") != NULL, bom = n >= 3 && !memcmp(in, "\xef\xbb\xbf", 3);
        char *x = exact_copy(in, n);
        cJSON *t = nd_json_parse(x, n, &end);
        bool whole = t && end == n;
        if (whole != ((valid_rows[i].ok && !lone) || bom))
            fail_msg("row %zu (%.*s): parse %s, valid says %d", i, (int)n, in, whole ? "whole" : "no",
                     valid_rows[i].ok);
        cJSON_Delete(t);
        free(x);
    }
}

/* What the trees hold: strings decoded (escapes, a surrogate pair joined,
** cut at \u0000 as a C string), numbers as doubles, members in text order,
** duplicates kept; and where a text fails, the offset of the failure. */
static void test_parse_trees(void **state)
{
    static const struct {
        const char *in;
        const char *repr; /* nd_json_render as repr; NULL: refused */
        size_t end;       /* where it failed (a tree's end is the text's) */
    } rows[] = {
        {"\"a\\n\\u00e9\\ud83d\\ude00\\/\"", "'a\\né😀/'", 0},
        {"\"x\\u0000y\"", "'x'", 0},
        {"[1, -0, 2.5, 1e400, 12345678901234567890, -1.5E-3]",
         "[1, 0, 2.5, inf, 1.2345678901234567e+19, -0.0015]", 0},
        {"{\"b\": 1, \"a\": {\"c\": [true, false, null]}, \"b\": 2}",
         "{'b': 1, 'a': {'c': [True, False, None]}, 'b': 2}", 0},
        {"{\"\\u0041\": \"\"}", "{'A': ''}", 0},
        {"[1, 2", NULL, 5},
        {"[1 2]", NULL, 3},
        {"{\"a\" 1}", NULL, 5},
        {"[01]", NULL, 2},
        {"[\"\\ud83d\"]", NULL, 9},
        {"[\"\\ude00\"]", NULL, 8},
        {"[\"\\ud83d\\u0041\"]", NULL, 14},
        {"\n\n  [tr", NULL, 5},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        size_t n = strlen(rows[i].in), end = 0;
        char *x = exact_copy(rows[i].in, n);
        cJSON *t = nd_json_parse(x, n, &end);
        if (!rows[i].repr != !t) fail_msg("row %zu: tree %p", i, (void *)t);
        size_t want = rows[i].repr ? n : rows[i].end;
        if (end != want) fail_msg("row %zu: end %zu, want %zu", i, end, want);
        if (t) {
            nd_buf b;
            nd_buf_init(&b, 1024);
            nd_json_render(&b, t, ND_JSON_AS_REPR);
            if (strcmp(nd_buf_cstr(&b), rows[i].repr))
                fail_msg("row %zu: %s, want %s", i, nd_buf_cstr(&b), rows[i].repr);
            nd_buf_free(&b);
        }
        cJSON_Delete(t);
        free(x);
    }
}

/* Against cJSON's own parser (which the node used before): random strict
** JSON documents -- nested containers, strings of ASCII, escapes, \u
** escapes and UTF-8, numbers of every form -- give the same tree, compared
** as the text nd_json_render writes of each. */
static uint64_t rs = 0x853c49e6748fea9bull;
static unsigned rn(unsigned n)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return (unsigned)(rs % n);
}

static void gen(nd_buf *b, int depth)
{
    static const char *const pieces[] = {"a", "Z", " ", "\\n", "\\\"", "\\\\", "\\/", "\\u00e9",
                                         "\\ud83d\\ude00", "\\u20ac", "\xc3\xa9", "\xe2\x82\xac",
                                         "\xf0\x9f\x98\x80", "\\t", "{", "]", ":"};
    static const char *const nums[] = {"0", "-0", "7", "-12", "3.25", "1e3", "-2.5E-7", "0.1",
                                       "123456789012345678901234", "1e308", "5e-324", "-0.0"};
    switch (depth > 4 ? rn(3) : rn(6)) {
    case 0:
        nd_buf_putc(b, '"');
        for (unsigned k = rn(6); k; k--) nd_buf_puts(b, pieces[rn(sizeof pieces / sizeof pieces[0])]);
        nd_buf_putc(b, '"');
        break;
    case 1: nd_buf_puts(b, nums[rn(sizeof nums / sizeof nums[0])]); break;
    case 2: nd_buf_puts(b, rn(3) == 0 ? "true" : rn(2) ? "false" : "null"); break;
    default: {
        bool obj = rn(2);
        nd_buf_putc(b, obj ? '{' : '[');
        for (unsigned k = rn(5), first = 1; k; k--, first = 0) {
            nd_buf_puts(b, first ? (rn(2) ? "" : " \n") : (rn(2) ? "," : " ,\t"));
            if (obj) {
                nd_buf_printf(b, "\"k%u\"", rn(4));
                nd_buf_puts(b, rn(2) ? ":" : " : ");
            }
            gen(b, depth + 1);
        }
        nd_buf_putc(b, obj ? '}' : ']');
    }
    }
}

static void test_parse_vs_cjson(void **state)
{
    for (int it = 0; it < 20000; it++) {
        nd_buf doc, ours, theirs;
        nd_buf_init(&doc, 1 << 16);
        nd_buf_init(&ours, 1 << 16);
        nd_buf_init(&theirs, 1 << 16);
        gen(&doc, 0);
        const char *x = nd_buf_cstr(&doc);
        size_t end = 0;
        cJSON *a = nd_json_parse(x, doc.n, &end), *b = cJSON_ParseWithLength(x, doc.n);
        if (!a || !b || end != doc.n) fail_msg("%s: ours %p (end %zu), cJSON %p", x, (void *)a, end, (void *)b);
        nd_json_render(&ours, a, ND_JSON_AS_JSON);
        nd_json_render(&theirs, b, ND_JSON_AS_JSON);
        if (strcmp(nd_buf_cstr(&ours), nd_buf_cstr(&theirs)))
            fail_msg("%s:\n ours  %s\n cJSON %s", x, nd_buf_cstr(&ours), nd_buf_cstr(&theirs));
        cJSON_Delete(a);
        cJSON_Delete(b);
        nd_buf_free(&doc);
        nd_buf_free(&ours);
        nd_buf_free(&theirs);
    }
}

/* ---- the NUL scanner (moved from test_cfg.c) ------------------------------------- */

static const struct {
    const char *json;
    size_t n; /* 0: strlen */
    const char *marks; /* one char per member: 1 marked, 0 not */
} nuls[] = {
    {"{\"a\": \"x\", \"b\": \"y\"}", 0, "00"},
    {"{\"a\": \"x\\u0000y\", \"b\": \"y\"}", 0, "10"},
    {"{\"a\": \"x\", \"b\\u0000c\": 1}", 0, "01"},
    {"{\"a\": [\"q\", {\"r\": \"\\u0000\"}], \"b\": \"\\u0000\", \"c\": 1}", 0, "110"},
    {"{\"a\": \"x\\\\u0000\", \"b\": \"\\\\\\u0000\"}", 0, "01"}, /* \\u0000 is text */
    {"{\"a\": \"\\u0001\\u00000\", \"a\": \"ok\"}", 0, "10"},       /* duplicates count */
    /* a raw NUL byte */
    {" \n{\"a\": \"x\0y\", \"b\": 1}", sizeof " \n{\"a\": \"x\0y\", \"b\": 1}" - 1, "10"},
    {"{\"a\": \"{,[\\\"\", \"b\": \"\\u0000\"}", 0, "01"},           /* brackets in strings */
    {"{}", 0, ""},
};

static void test_json_nuls(void **state)
{
    for (size_t i = 0; i < sizeof nuls / sizeof nuls[0]; i++) {
        size_t n = nuls[i].n ? nuls[i].n : strlen(nuls[i].json), m = strlen(nuls[i].marks);
        bool mark[8] = {false};
        size_t want = 0;
        for (size_t j = 0; j < m; j++) want += nuls[i].marks[j] == '1';
        size_t got = nd_json_nuls(nuls[i].json, n, mark, m);
        if (got != want) fail_msg("case %zu: %zu marked, want %zu", i, got, want);
        for (size_t j = 0; j < m; j++)
            if (mark[j] != (nuls[i].marks[j] == '1')) fail_msg("case %zu member %zu", i, j);
    }
}

/* ---- items to nd_values ---------------------------------------------------------- */

static void test_scalar(void **state)
{
    static const struct {
        const char *json;
        nd_type type;
        int64_t i;
        double f;
    } rows[] = {
        {"5", ND_T_INT, 5, 0},
        {"5.0", ND_T_INT, 5, 0}, /* cJSON keeps a double: whole means int */
        {"-0.0", ND_T_INT, 0, 0},
        {"9007199254740992", ND_T_INT, 9007199254740992LL, 0},
        {"-9007199254740992", ND_T_INT, -9007199254740992LL, 0},
        {"9007199254740994", ND_T_FLOAT, 0, 9007199254740994.0},
        {"1.5", ND_T_FLOAT, 0, 1.5},
        {"1e999", ND_T_FLOAT, 0, INFINITY},
        {"true", ND_T_BOOL, 1, 0},
        {"null", ND_T_NONE, 0, 0},
        {"[1, 2]", ND_T_LIST, 0, 0},
        {"{\"a\": 1}", ND_T_DICT, 0, 0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        cJSON *t = nd_json_parse(rows[i].json, strlen(rows[i].json), NULL);
        assert_non_null(t);
        nd_value v;
        nd_json_scalar(t, &v);
        if (v.type != rows[i].type) fail_msg("row %zu: type %d", i, v.type);
        if (v.type == ND_T_INT && v.u.i != rows[i].i) fail_msg("row %zu: %lld", i, (long long)v.u.i);
        if (v.type == ND_T_BOOL && v.u.b != (rows[i].i != 0)) fail_msg("row %zu", i);
        if (v.type == ND_T_FLOAT && v.u.f != rows[i].f) fail_msg("row %zu: %g", i, v.u.f);
        if ((v.type == ND_T_LIST || v.type == ND_T_DICT) && v.u.seq.n) fail_msg("row %zu: children", i);
        cJSON_Delete(t);
    }
    cJSON *s = cJSON_CreateString("caf\xc3\xa9");
    nd_value v;
    nd_json_scalar(s, &v);
    assert_int_equal(v.type, ND_T_STR);
    assert_ptr_equal(v.u.s.p, s->valuestring); /* no copy */
    assert_int_equal(v.u.s.n, 5);
    cJSON_Delete(s);
}

static void test_value(void **state)
{
    nd_arena a;
    nd_arena_init(&a, mem, sizeof mem);
    const char *js = "{\"a\": [1, 2.5, \"x\", null, true], \"b\": {}}";
    cJSON *t = nd_json_parse(js, strlen(js), NULL);
    nd_value *v = nd_json_value(&a, t);
    assert_non_null(v);
    nd_buf b;
    nd_buf_init(&b, 256);
    nd_render_repr(&b, v);
    assert_string_equal(nd_buf_cstr(&b), "{'a': [1, 2.5, 'x', None, True], 'b': {}}");
    cJSON_Delete(t);

    /* deeper than ND_JSON_MAX_DEPTH: the reader refuses the text where the
    ** level too many opens (bounded recursion: a board's stack is small) */
    char deep[2 * (ND_JSON_MAX_DEPTH + 2)];
    size_t n = 0, end = 0;
    for (int i = 0; i < ND_JSON_MAX_DEPTH + 1; i++) deep[n++] = '[';
    for (int i = 0; i < ND_JSON_MAX_DEPTH + 1; i++) deep[n++] = ']';
    assert_null(nd_json_parse(deep, n, &end));
    assert_int_equal(end, ND_JSON_MAX_DEPTH);
    t = nd_json_parse(deep + 1, n - 2, &end); /* exactly the limit */
    assert_non_null(t);
    assert_int_equal(end, n - 2);
    cJSON_Delete(t);
    /* ... and nd_json_value a tree built deeper by other means: NULL, not a cut tree */
    t = cJSON_CreateArray();
    for (int i = 0; i < ND_JSON_MAX_DEPTH + 1; i++) {
        cJSON *outer = cJSON_CreateArray();
        cJSON_AddItemToArray(outer, t);
        t = outer;
    }
    assert_null(nd_json_value(&a, t));
    cJSON_Delete(t);

    /* a full arena: NULL */
    static _Alignas(8) char tiny[64];
    nd_arena_init(&a, tiny, sizeof tiny);
    t = nd_json_parse("[1, 2, 3, 4, 5, 6, 7, 8]", 24, NULL);
    assert_null(nd_json_value(&a, t));
    cJSON_Delete(t);
    nd_buf_free(&b);
}

/* ---- writing a cJSON tree ---------------------------------------------------------- */

static void test_render(void **state)
{
    const char *js = "{\"a\": [1, 2.5, \"x'y\", null, true, 1e300, 0.1], "
                     "\"\xc3\xa9\": {\"k\": \"caf\\u00e9\\n\"}, \"e\": [], \"o\": {}}";
    cJSON *t = nd_json_parse(js, strlen(js), NULL);
    assert_non_null(t);
    nd_buf b;
    nd_buf_init(&b, 1024);
    assert_int_equal(nd_json_render(&b, t, ND_JSON_AS_JSON), ND_OK);
    assert_string_equal(nd_buf_cstr(&b), "{\"a\": [1, 2.5, \"x'y\", null, true, 1e+300, 0.1], "
                                         "\"\\u00e9\": {\"k\": \"caf\\u00e9\\n\"}, \"e\": [], \"o\": {}}");
    nd_buf_clear(&b);
    assert_int_equal(nd_json_render(&b, t, ND_JSON_AS_REPR), ND_OK);
    assert_string_equal(nd_buf_cstr(&b), "{'a': [1, 2.5, \"x'y\", None, True, 1e+300, 0.1], "
                                         "'\xc3\xa9': {'k': 'caf\xc3\xa9\\n'}, 'e': [], 'o': {}}");
    /* str(): a string alone is raw, inside a container it is a repr */
    nd_buf_clear(&b);
    assert_int_equal(nd_json_render(&b, t->child->next->child, ND_JSON_AS_STR), ND_OK);
    assert_string_equal(nd_buf_cstr(&b), "caf\xc3\xa9\n");
    nd_buf_clear(&b);
    assert_int_equal(nd_json_render(&b, t->child, ND_JSON_AS_STR), ND_OK);
    assert_string_equal(nd_buf_cstr(&b), "[1, 2.5, \"x'y\", None, True, 1e+300, 0.1]");
    nd_buf_free(&b);
    /* a buffer too small: the first error comes back */
    nd_buf_init(&b, 10);
    assert_int_equal(nd_json_render(&b, t, ND_JSON_AS_JSON), ND_ELIMIT);
    nd_buf_free(&b);
    cJSON_Delete(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_valid_depth),
        cmocka_unit_test(test_redump),
        cmocka_unit_test(test_redump_full),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_parse_is_the_strict_reader),
        cmocka_unit_test(test_parse_trees),
        cmocka_unit_test(test_parse_vs_cjson),
        cmocka_unit_test(test_json_nuls),
        cmocka_unit_test(test_scalar),
        cmocka_unit_test(test_value),
        cmocka_unit_test(test_render),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
