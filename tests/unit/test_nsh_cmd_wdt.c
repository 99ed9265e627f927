/*
** test_nsh_cmd_wdt.c -- the node's own watchdog behind nsh's `wdt`
** (src/port/posix/wdt.c): armed and not fed it ends the process; fed (as
** the event loop does on every turn) it does not; with a device it writes
** the keep-alive and closes with the magic 'V'. Each case runs in a child
** process, so the abort it expects does not end the test.
*/
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nodus/port.h"

static void nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Run fn in a child; its wait status. */
static int in_child(void (*fn)(void))
{
    fflush(NULL);
    pid_t p = fork();
    assert_true(p >= 0);
    if (p == 0) {
        fn();
        _exit(0);
    }
    int st = 0;
    assert_int_equal(waitpid(p, &st, 0), p);
    return st;
}

static void starve(void)
{
    unsetenv("WATCHDOG_USEC");
    setenv("NODUS_WATCHDOG_DEV", "/nonexistent/watchdog", 1);
    if (nd_port_wdt_arm(1, 0) != ND_OK) _exit(3);
    nd_wdt_info w;
    nd_port_wdt_info(&w);
    if (strcmp(w.kind, "node") != 0 || !w.armed || w.timeout_s != 1) _exit(4);
    nap_ms(20000); /* a wedged loop: nobody feeds */
    _exit(5);
}

static void fed(void)
{
    unsetenv("WATCHDOG_USEC");
    setenv("NODUS_WATCHDOG_DEV", "/nonexistent/watchdog", 1);
    if (nd_port_wdt_arm(1, 0) != ND_OK) _exit(3);
    for (int i = 0; i < 30; i++) { /* 3 s of a turning loop */
        nd_port_wdt_feed();
        nap_ms(100);
    }
    if (nd_port_wdt_arm(0, 0) != ND_OK) _exit(4);
    nap_ms(2000); /* stopped: no bite either */
    _exit(0);
}

static void test_starved_watchdog_aborts(void **state)
{
    (void)state;
    int st = in_child(starve);
    assert_true(WIFSIGNALED(st));
    assert_int_equal(WTERMSIG(st), SIGABRT);
}

static void test_fed_watchdog_lives(void **state)
{
    (void)state;
    int st = in_child(fed);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
}

static char devfile[256];

static void device(void)
{
    unsetenv("WATCHDOG_USEC");
    setenv("NODUS_WATCHDOG_DEV", devfile, 1);
    if (nd_port_wdt_arm(5, 0) != ND_OK) _exit(3);
    nd_wdt_info w;
    nd_port_wdt_info(&w);
    if (strcmp(w.kind, "device") != 0) _exit(4);
    nd_port_wdt_feed();
    nap_ms(1100);
    nd_port_wdt_feed();
    if (nd_port_wdt_arm(0, 0) != ND_OK) _exit(5);
    _exit(0);
}

static void test_device_fed_and_closed_with_magic(void **state)
{
    (void)state;
    const char *t = getenv("ND_TEST_TMP");
    snprintf(devfile, sizeof devfile, "%s/test_wdt_dev.%ld", t && *t ? t : "/tmp", (long)getpid());
    FILE *f = fopen(devfile, "w");
    assert_non_null(f);
    fclose(f);
    int st = in_child(device);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    char buf[16] = "";
    f = fopen(devfile, "rb");
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    remove(devfile);
    assert_true(n >= 2);
    assert_int_equal(buf[0], 0);      /* a keep-alive write */
    assert_int_equal(buf[n - 1], 'V'); /* the magic close */
}

static void systemd(void)
{
    setenv("WATCHDOG_USEC", "20000000", 1);
    nd_wdt_info w;
    nd_port_wdt_info(&w);
    if (strcmp(w.kind, "systemd") != 0 || w.timeout_s != 20 || !w.armed) _exit(3);
    if (nd_port_wdt_arm(0, 0) != ND_EINVAL) _exit(4); /* systemd's cannot be stopped */
    _exit(0);
}

static void test_systemd_watchdog_reported(void **state)
{
    (void)state;
    int st = in_child(systemd);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_starved_watchdog_aborts),
        cmocka_unit_test(test_fed_watchdog_lives),
        cmocka_unit_test(test_device_fed_and_closed_with_magic),
        cmocka_unit_test(test_systemd_watchdog_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
