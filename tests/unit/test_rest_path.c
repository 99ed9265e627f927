/* test_rest_path.c -- micrOS's REST path tokeniser (rest_path.h). Table
** rows read as the specification. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "rest_path.h"

/* ---- REST tokeniser (docs/micros-compat.md §4.3) --------------------------------- */

static const struct rest_row {
    const char *path;
    int rc;
    const char *out;
} rest_rows[] = {
    {"system/heartbeat", ND_OK, "system heartbeat"},
    {"neopixel/color/10/20/30", ND_OK, "neopixel color 10 20 30"},
    {"modules", ND_OK, "modules"},
    {"", ND_OK, ""},
    {"/", ND_OK, ""},
    {"/system//info/", ND_OK, "system info"},
    {"system/clock/&", ND_OK, "system clock &"},
    {"system/clock/&&", ND_OK, "system clock &&"},
    {"system/clock/%26", ND_OK, "system clock &"},
    {"task/list", ND_OK, "task list"},
    {"m/f/-5", ND_OK, "m f -5"}, /* '-' is not a separator in nodus */
    {"m/f/-5/2.5e-3", ND_OK, "m f -5 2.5e-3"},
    {"m/f/%22hi%20there%22", ND_OK, "m f \"hi there\""},
    {"m/f/\"a/b\"", ND_OK, "m f \"a/b\""}, /* '/' inside quotes is text */
    {"m/f/%22a/b%22/c", ND_OK, "m f \"a/b\" c"},
    {"m/f/%E2%80%9Chi%E2%80%9D", ND_OK, "m f \"hi\""},
    {"m/f/%e2%80%9chi%e2%80%9d", ND_OK, "m f \"hi\""},
    {"m/f/text=%22a%20b%22", ND_OK, "m f text=\"a b\""},
    {"m/f/text=\"a b\"/2", ND_OK, "m f text=\"a b\" 2"},
    {"m/f/x%22a%22y", ND_OK, "m f x \"a\" y"}, /* a quote starts its own token */
    {"m/f/%22%22", ND_OK, "m f \"\""},
    {"m/f/a%2Fb", ND_OK, "m f a/b"}, /* %2F is data, not a separator */
    {"m/f/%27a%20b%27", ND_OK, "m f 'a b'"},
    {"m/f/%23%3D%3E%5C%3F%25", ND_OK, "m f #=>\\?%"},
    {"m/f/%C3%A9", ND_OK, "m f \xc3\xa9"}, /* any valid escape */
    /* quotes inside a dict split it, harmlessly: still one Python literal */
    {"m/f/k=%7B%22a%22:1%7D", ND_OK, "m f k={ \"a\" :1}"},
    {"m/f/%22a", ND_ESYNTAX, ""},
    {"m/f/\"", ND_ESYNTAX, ""},
    {"m/f/%2", ND_ESYNTAX, ""},
    {"m/f/%ZZ", ND_ESYNTAX, ""},
    {"m/f/%00", ND_ESYNTAX, ""},
    {"m/f/%E2%80%9Chi", ND_ESYNTAX, ""},
};

static void test_rest_tokenize(void **st)
{
    for (size_t i = 0; i < sizeof rest_rows / sizeof rest_rows[0]; i++) {
        const struct rest_row *w = &rest_rows[i];
        print_message("row %zu: %s\n", i, w->path);
        char out[128], err[ND_ERRMSG];
        size_t n = 99;
        memset(out, 'X', sizeof out);
        err[0] = 0;
        assert_int_equal(nd_rest_tokenize((nd_span){w->path, strlen(w->path)}, out, sizeof out, &n, err, sizeof err),
                         w->rc);
        assert_string_equal(out, w->out);
        assert_int_equal(n, strlen(w->out));
        if (w->rc != ND_OK) assert_true(strlen(err) > 5);
    }
    /* too long for the output, by one byte; NULL err is fine */
    char out[16];
    size_t n;
    assert_int_equal(nd_rest_tokenize((nd_span){"abcdefg/12345678", 16}, out, sizeof out, &n, NULL, 0), ND_ELIMIT);
    assert_string_equal(out, "");
    assert_int_equal(nd_rest_tokenize((nd_span){"abcdefg/1234567", 15}, out, sizeof out, &n, NULL, 0), ND_OK);
    assert_string_equal(out, "abcdefg 1234567");
    assert_int_equal(nd_rest_tokenize((nd_span){"a", 1}, out, 0, &n, NULL, 0), ND_ELIMIT);
    assert_int_equal(nd_rest_tokenize((nd_span){"m/\0", 3}, out, sizeof out, &n, NULL, 0), ND_ESYNTAX);
    /* a bad escape is reported whatever the capacity */
    assert_int_equal(nd_rest_tokenize((nd_span){"abcdefghijklmnopq/%G", 20}, out, sizeof out, &n, NULL, 0),
                     ND_ESYNTAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rest_tokenize),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
