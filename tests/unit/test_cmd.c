/* test_cmd.c -- command-line splitting and postfixes, one row per case. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "cmd.h"

static void span_is(nd_span s, const char *want)
{
    char got[256];
    snprintf(got, sizeof got, "%.*s", (int)s.n, s.p);
    assert_string_equal(got, want);
}

static const struct row {
    const char *line;
    const char *w0, *w1, *args, *local, *host;
    int nwords, json, task;
    long long ms;
} rows[] = {
    {"system info", "system", "info", "", "system info", "", 2, 0, ND_TASK_NONE, -1},
    {"  system   info  \r\n", "system", "info", "", "system   info", "", 2, 0, ND_TASK_NONE, -1},
    {"system info >json", "system", "info", "", "system info >json", "", 2, 1, ND_TASK_NONE, -1},
    {"rgb color 1 2 3 &", "rgb", "color", "1 2 3", "rgb color 1 2 3 &", "", 3, 0, ND_TASK_ONCE, -1},
    {"rgb color 1 &500", "rgb", "color", "1", "rgb color 1 &500", "", 3, 0, ND_TASK_ONCE, 500},
    {"system clock &&", "system", "clock", "", "system clock &&", "", 2, 0, ND_TASK_LOOP, -1},
    {"system clock &&1000 >json", "system", "clock", "", "system clock &&1000 >json", "", 2, 1, ND_TASK_LOOP, 1000},
    {"system heartbeat >>node02.local", "system", "heartbeat", "", "system heartbeat", "node02.local", 2, 0, ND_TASK_NONE, -1},
    {"system info >json >>10.0.1.5", "system", "info", ">json", "system info >json", "10.0.1.5", 3, 0, ND_TASK_NONE, -1},
    {"m f 'a &' 'b'", "m", "f", "'a &' 'b'", "m f 'a &' 'b'", "", 3, 0, ND_TASK_NONE, -1},
    {"m f x='a b' [1, 2]", "m", "f", "x='a b' [1, 2]", "m f x='a b' [1, 2]", "", 3, 0, ND_TASK_NONE, -1},
    {"hello", "hello", "", "", "hello", "", 1, 0, ND_TASK_NONE, -1},
    {"", "", "", "", "", "", 0, 0, ND_TASK_NONE, -1},
    {">json", ">json", "", "", ">json", "", 1, 0, ND_TASK_NONE, -1},
    {"task list >json", "task", "list", "", "task list >json", "", 2, 1, ND_TASK_NONE, -1},
};

static void test_rows(void **st)
{
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const struct row *r = &rows[i];
        print_message("row %zu: %s\n", i, r->line);
        nd_cmd c;
        char err[160];
        assert_int_equal(nd_cmd_parse(r->line, strlen(r->line), &c, err, sizeof err), 0);
        span_is(c.w0, r->w0);
        span_is(c.w1, r->w1);
        span_is(c.args, r->args);
        span_is(c.local, r->local);
        span_is(c.host, r->host);
        assert_int_equal(c.nwords, r->nwords);
        assert_int_equal(c.json, r->json);
        assert_int_equal(c.task, r->task);
        assert_int_equal(c.task_ms, r->ms);
    }
}

static void test_errors(void **st)
{
    const char *bad[] = {"m f &abc", "m f &&5x", "m f >>bad/host", "m f >>", "m f &99999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        nd_cmd c;
        char err[160] = "";
        assert_int_equal(nd_cmd_parse(bad[i], strlen(bad[i]), &c, err, sizeof err), -1);
        assert_true(strlen(err) > 10);
    }
}

/* The line is never read past its length (it need not be NUL-terminated). */
static void test_not_terminated(void **st)
{
    char buf[16];
    memcpy(buf, "system infoXXXXX", 16);
    nd_cmd c;
    char err[160];
    assert_int_equal(nd_cmd_parse(buf, 11, &c, err, sizeof err), 0);
    span_is(c.w1, "info");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_not_terminated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
