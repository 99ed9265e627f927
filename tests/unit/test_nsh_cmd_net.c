/*
** test_nsh_cmd_net.c -- the port's ICMP echo behind nsh's `ping`
** (src/port/posix/icmp.c): echo replies from loopback come back with their
** sequence numbers, and a process that may open neither an unprivileged
** ICMP socket nor a raw one gets ND_EINVAL (the command's "not allowed").
** (curl, wget, intercon and ping itself: tests/blackbox/test_nsh_cmds.py.)
*/
#define _DEFAULT_SOURCE /* setgroups */
#include <grp.h>
#include <setjmp.h>
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

static void no_events(nd_sock *s, int ev, void *ud) { (void)s, (void)ev, (void)ud; }

static void nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void test_echo_on_loopback(void **state)
{
    (void)state;
    nd_sock *s = NULL;
    bool raw = false;
    int rc = nd_icmp_open(no_events, NULL, &s, &raw);
    if (rc == ND_EINVAL) skip(); /* this machine allows no ICMP socket to this process */
    assert_int_equal(rc, ND_OK);
    for (uint16_t i = 0; i < 3; i++)
        assert_int_equal(nd_icmp_echo_send(s, "127.0.0.1", i, "0123456789", 10), 10);
    assert_int_equal(nd_icmp_echo_send(s, "not-an-ip", 9, "x", 1), ND_EINVAL);
    bool seen[3] = {false, false, false};
    int got = 0;
    for (int tries = 0; tries < 100 && got < 3; tries++) {
        uint16_t seq;
        int ttl;
        char ip[16];
        long r = nd_icmp_echo_recv(s, &seq, &ttl, ip);
        if (r == ND_EAGAIN) {
            nap_ms(20);
            continue;
        }
        assert_int_equal(r, 10);
        assert_string_equal(ip, "127.0.0.1");
        assert_true(seq < 3 && !seen[seq]);
        seen[seq] = true;
        got++;
    }
    assert_int_equal(got, 3);
    nd_net_close(s);
}

/* As an unprivileged user outside ping_group_range: no socket, ND_EINVAL. */
static void test_refused_without_rights(void **state)
{
    (void)state;
    if (geteuid() != 0) skip(); /* needs root to become `nobody` */
    long lo = 1, hi = 0;
    FILE *f = fopen("/proc/sys/net/ipv4/ping_group_range", "r");
    if (f) {
        if (fscanf(f, "%ld %ld", &lo, &hi) != 2) lo = 1, hi = 0;
        fclose(f);
    }
    if (lo <= 65534 && 65534 <= hi) skip(); /* nobody may ping here: nothing to refuse */
    fflush(NULL);
    pid_t p = fork();
    assert_true(p >= 0);
    if (p == 0) {
        if (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0) _exit(3);
        nd_sock *s = NULL;
        bool raw = false;
        _exit(nd_icmp_open(no_events, NULL, &s, &raw) == ND_EINVAL ? 0 : 4);
    }
    int st = 0;
    assert_int_equal(waitpid(p, &st, 0), p);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_echo_on_loopback),
        cmocka_unit_test(test_refused_without_rights),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
