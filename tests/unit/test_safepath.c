/* test_safepath.c -- path confinement for the file endpoints
** (safepath.h). Table rows read as the specification. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "safepath.h"

/* ---- file paths ----------------------------------------------------------- */

static const struct path_row {
    const char *in;
    int rc;
    const char *out;
} path_rows[] = {
    {"notes.txt", ND_OK, "notes.txt"},
    {"user_data/notes.txt", ND_OK, "user_data/notes.txt"},
    {"a/./b", ND_OK, "a/b"},
    {"./a//b/", ND_OK, "a/b"},
    {"a/b/../c", ND_OK, "a/c"},
    {"a/b/../../c", ND_OK, "c"},
    {"a/..", ND_OK, ""},
    {"", ND_OK, ""},
    {".", ND_OK, ""},
    {"LM_x-1.py", ND_OK, "LM_x-1.py"},
    {".hidden/...", ND_OK, ".hidden/..."},
    {"..", ND_EINVAL, ""},
    {"../etc/passwd", ND_EINVAL, ""},
    {"a/../../b", ND_EINVAL, ""},
    {"a/b/../../..", ND_EINVAL, ""},
    {"/etc/passwd", ND_EINVAL, ""},
    {"/", ND_EINVAL, ""},
    {"a\\b", ND_EINVAL, ""},
    {"a b", ND_EINVAL, ""},
    {"a\tb", ND_EINVAL, ""},
    {"a\nb", ND_EINVAL, ""},
    {"\x7f", ND_EINVAL, ""},
    {"caf\xc3\xa9", ND_EINVAL, ""},
    {"$modules/LM_x.py", ND_EINVAL, ""},
    {"a:b", ND_EINVAL, ""},
    {"a%2e%2e", ND_EINVAL, ""},
    {"a*", ND_EINVAL, ""},
};

static void test_safe_path(void **st)
{
    for (size_t i = 0; i < sizeof path_rows / sizeof path_rows[0]; i++) {
        const struct path_row *w = &path_rows[i];
        print_message("row %zu: %s\n", i, w->in);
        char out[64];
        memset(out, 'X', sizeof out);
        assert_int_equal(nd_http_safe_path(w->in, out, sizeof out), w->rc);
        assert_string_equal(out, w->out);
    }
    char out[6];
    assert_int_equal(nd_http_safe_path("ab/cd", out, sizeof out), ND_OK);
    assert_string_equal(out, "ab/cd");
    assert_int_equal(nd_http_safe_path("ab/cde", out, sizeof out), ND_ELIMIT);
    assert_string_equal(out, "");
    assert_int_equal(nd_http_safe_path("x/../ab/cd", out, sizeof out), ND_OK);
    /* only the result must fit, not the path before ".." is resolved */
    assert_int_equal(nd_http_safe_path("a-very-long-directory-name/../ab/cd", out, sizeof out), ND_OK);
    assert_string_equal(out, "ab/cd");
    /* refusals win over the capacity */
    assert_int_equal(nd_http_safe_path("abcdefghij/../../x", out, sizeof out), ND_EINVAL);
    assert_int_equal(nd_http_safe_path("abcdefghij/x y", out, sizeof out), ND_EINVAL);
    assert_int_equal(nd_http_safe_path("a", out, 0), ND_ELIMIT);
    assert_int_equal(nd_http_safe_path(NULL, out, sizeof out), ND_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_safe_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
