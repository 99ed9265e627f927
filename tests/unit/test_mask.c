/*
** test_mask.c -- nd_mask_secrets: the current value of every secret config
** key (ND_CFG_SECRET) disappears from a text bound for a log or an event,
** and the rest of the text stays.
*/
#define _XOPEN_SOURCE 700 /* nftw */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "node_int.h"
#include "nodus/port.h"

static struct nd_node node;

static int setup(void **state)
{
    (void)state;
    memset(&node, 0, sizeof node);
    node.cfg = nd_cfg_new();
    assert_non_null(node.cfg);
    char err[256];
    assert_int_equal(nd_cfg_override(node.cfg, "appwd", "Zq7Secr3t", err, sizeof err), ND_OK);
    assert_int_equal(
        nd_cfg_override(node.cfg, "stapwd", "HomeNet99; Guest pass 1 ;abc", err, sizeof err),
        ND_OK);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    nd_cfg_free(node.cfg);
    return 0;
}

/* mask a copy of in; the result as a static string */
static const char *mask(const char *in, bool cut)
{
    static char buf[1024];
    size_t n = strlen(in);
    memcpy(buf, in, n + 1);
    size_t got = nd_mask_secrets(&node, buf, n, cut);
    assert_true(got <= n);
    assert_int_equal(strlen(buf), got);
    return buf;
}

static void test_masks_every_secret(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } t[] = {
        {"login pwd='Zq7Secr3t' ok", "login pwd='****' ok"},
        {"Zq7Secr3t", "****"},
        {"Zq7Secr3tZq7Secr3t and Zq7Secr3t", "**** and ****"},
        {"xZq7Secr3ty", "x****y"},
        {"stapwd HomeNet99; Guest pass 1 ;abc", "stapwd ****"}, /* the whole value */
        {"wifi HomeNet99 or Guest pass 1", "wifi **** or ****"},  /* each piece, trimmed */
        {"abc is too short to mask", "abc is too short to mask"},
        {"Zq7Secr3 is not the password", "Zq7Secr3 is not the password"},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        const char *got = mask(t[i].in, false);
        if (strcmp(got, t[i].out)) fail_msg("%s -> %s (want %s)", t[i].in, got, t[i].out);
    }
}

static void test_cut_text(void **state)
{
    (void)state;
    /* a text truncated in the middle of a secret: its start is masked too */
    assert_string_equal(mask("cmd 'Zq7Sec", true), "cmd '****");
    assert_string_equal(mask("cmd 'Zq", true), "cmd '**");
    assert_string_equal(mask("cmd 'Zq7Sec", false), "cmd 'Zq7Sec"); /* not cut: just text */
    assert_string_equal(mask("cmd 'Zq7Secr3t' x", true), "cmd '****' x");
}

static void test_follows_the_current_value(void **state)
{
    (void)state;
    char err[256];
    assert_string_equal(mask("NewPass12", false), "NewPass12");
    assert_int_equal(nd_cfg_override(node.cfg, "appwd", "NewPass12", err, sizeof err), ND_OK);
    assert_string_equal(mask("NewPass12", false), "****");
}

/* name=secret lists (icpeers-style): the secret alone is masked too */
static void test_name_secret_pieces(void **state)
{
    (void)state;
    char err[256];
    assert_int_equal(nd_cfg_override(node.cfg, "stapwd", "beta=Sec123x;gamma = Oth3rPw1",
                                     err, sizeof err),
                     ND_OK);
    assert_string_equal(mask("to beta with Sec123x, to gamma with Oth3rPw1", false),
                        "to beta with ****, to gamma with ****");
}

static void test_no_config(void **state)
{
    (void)state;
    char buf[] = "Zq7Secr3t";
    assert_int_equal(nd_mask_secrets(NULL, buf, strlen(buf), false), strlen(buf));
    struct nd_node bare;
    memset(&bare, 0, sizeof bare);
    assert_int_equal(nd_mask_secrets(&bare, buf, strlen(buf), false), strlen(buf));
}

/* ---- nd_log: masked lines, routed by their tag --------------------------- */

static const char *read_file(const char *rel)
{
    static char buf[8192];
    size_t n = 0;
    if (nd_fs_read(rel, buf, sizeof buf - 1, &n) != ND_OK) n = 0;
    buf[n] = 0;
    return buf;
}

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *f)
{
    (void)st, (void)flag, (void)f;
    return remove(p);
}

static void test_log_routes(void **state)
{
    (void)state;
    char dir[512];
    const char *base = getenv("ND_TEST_TMP");
    snprintf(dir, sizeof dir, "%s/test_mask.%ld", base && *base ? base : "/tmp", (long)getpid());
    assert_int_equal(nd_fs_set_root(dir), ND_OK);
    static const struct {
        const char *line, *file;
    } t[] = {
        {"[ERR] e1", "logs/err.sys.log"},     {"[WARN] w1", "logs/warn.sys.log"},
        {"[BOOT] b1", "logs/boot.sys.log"},   {"[INFO] i1", "logs/info.sys.log"},
        {"[ERRX] u1", "logs/user.sys.log"},   {"[err] u2", "logs/user.sys.log"},
        {"[ERR u3", "logs/user.sys.log"},     {"ERR] u4", "logs/user.sys.log"},
        {"[DEBUG] u5", "logs/user.sys.log"},  {"plain u6", "logs/user.sys.log"},
        {"[INFO] pwd Zq7Secr3t", "logs/info.sys.log"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) nd_log(&node, "%s", t[i].line);
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char want[64];
        snprintf(want, sizeof want, " %s\n", strstr(t[i].line, "Zq7") ? "[INFO] pwd ****" : t[i].line);
        assert_non_null(strstr(read_file(t[i].file), want));
    }
    assert_null(strstr(read_file("logs/info.sys.log"), "Zq7"));
    /* past logmax (1024 at least) the file moves to <file>.1 and starts again */
    char err[256];
    assert_int_equal(nd_cfg_override(node.cfg, "logmax", "1024", err, sizeof err), ND_OK);
    for (int i = 0; i < 25; i++) nd_log(&node, "[WARN] line %02d of a rotation test", i);
    assert_non_null(strstr(read_file("logs/warn.sys.log.1"), "[WARN] w1\n"));
    assert_non_null(strstr(read_file("logs/warn.sys.log"), "line 24 of"));
    assert_null(strstr(read_file("logs/warn.sys.log"), "[WARN] w1"));
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_masks_every_secret, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cut_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_follows_the_current_value, setup, teardown),
        cmocka_unit_test_setup_teardown(test_name_secret_pieces, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_config, setup, teardown),
        cmocka_unit_test_setup_teardown(test_log_routes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
