/*
** test_cron.c -- crontasks grammar, malformed tasks, next/prev fire times
** across DST, sun tags, catch-up, and the simulated year.
**
** Expected instants in the tables are written as wall time minus the UTC
** offset in force (W(...) below), worked out by hand from the zone rules,
** not by the code under test. The simulated-year test derives its expected
** occurrences independently by a brute-force minute-by-minute walk of the
** wall clock.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nodus/node.h"
#include "nodus/value.h"
#include "cron.h"
#include "sun.h"
#include "tz.h"

#define CET "CET-1CEST,M3.5.0,M10.5.0/3"
#define US "EST5EDT,M3.2.0,M11.1.0"
#define SYD "AEST-10AEDT,M10.1.0,M4.1.0/3"
#define BUD_LAT 47.4979
#define BUD_LON 19.0402

static int64_t ymd(int y, int mo, int d, int h, int mi, int s)
{
    nd_tm tm = {0};
    tm.year = y, tm.mon = mo, tm.mday = d, tm.hour = h, tm.min = mi, tm.sec = s;
    return nd_time_join(&tm);
}
/* wall time y-mo-d h:mi:s at UTC offset `off` hours -> UTC */
#define W(y, mo, d, h, mi, s, off) (ymd(y, mo, d, h, mi, s) - (int64_t)(off) * 3600)
#define Z(y, mo, d, h, mi, s) ymd(y, mo, d, h, mi, s)

static nd_tz zone(const char *s)
{
    nd_tz tz;
#if ND_WITH_TZ
    char err[128];
    if (nd_tz_parse(&tz, s, err, sizeof err) != ND_OK)
        fail_msg("tz '%s': %s", s, err);
#else
    /* built without the TZ rules (ND_WITH_TZ 0): only UTC is there; a
    ** test that needs a real zone is skipped, the others still run */
    if (strcmp(s, "UTC0") != 0)
        skip();
    nd_tz_fixed(&tz, 0);
#endif
    return tz;
}

static nd_cron_entry entry(const char *task)
{
    nd_cron_entry e;
    char why[96];
    int rc = nd_cron_parse_entry(&e, task, strlen(task), why, sizeof why);
    if (rc != ND_OK)
        fail_msg("'%s' rejected: %s", task, why);
    return e;
}

static uint64_t bits(const int *v)
{
    uint64_t m = 0;
    for (; *v >= 0; v++)
        m |= UINT64_C(1) << *v;
    return m;
}
#define B(...) bits((const int[]){__VA_ARGS__, -1})
#define ALL60 ((UINT64_C(1) << 60) - 1)

/* ---- grammar ----------------------------------------------------------- */

static void test_grammar(void **state)
{
    const struct {
        const char *task;
        int kind;
        uint64_t wday, hour, min, sec;
        int sun_off, catchup;
        const char *spec, *cmd;
    } rows[] = {
        {"*:*:*:*!c", ND_CRON_CLOCK, 0x7f, 0xffffff, ALL60, ALL60, 0, 0, "*:*:*:*", "c"},
        {"0:0:0:0!c", ND_CRON_CLOCK, 1, 1, 1, 1, 0, 0, "0:0:0:0", "c"},
        {"6:23:59:59!c", ND_CRON_CLOCK, B(6), B(23), B(59), B(59), 0, 0, "6:23:59:59", "c"},
        {"5-1:8:0:0!c", ND_CRON_CLOCK, B(5, 6, 0, 1), B(8), 1, 1, 0, 0, "5-1:8:0:0", "c"},
        {"1-1:8:0:0!c", ND_CRON_CLOCK, B(1), B(8), 1, 1, 0, 0, "1-1:8:0:0", "c"},
        {"0-4:7:30:0!c", ND_CRON_CLOCK, B(0, 1, 2, 3, 4), B(7), B(30), 1, 0, 0, "0-4:7:30:0", "c"},
        {"1,3,5:*:*/15:0!c", ND_CRON_CLOCK, B(1, 3, 5), 0xffffff, B(0, 15, 30, 45), 1, 0, 0, NULL, "c"},
        {"*:8-18/2:0:0!c", ND_CRON_CLOCK, 0x7f, B(8, 10, 12, 14, 16, 18), 1, 1, 0, 0, NULL, "c"},
        {"*:22-2:0:0!c", ND_CRON_CLOCK, 0x7f, B(22, 23, 0, 1, 2), 1, 1, 0, 0, NULL, "c"},
        {"*:22-2/2:0:0!c", ND_CRON_CLOCK, 0x7f, B(22, 0, 2), 1, 1, 0, 0, NULL, "c"},
        {"*:*:10/15:0!c", ND_CRON_CLOCK, 0x7f, 0xffffff, B(10, 25, 40, 55), 1, 0, 0, NULL, "c"},
        {"*:*:0:*/5!c", ND_CRON_CLOCK, 0x7f, 0xffffff, 1, B(0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55), 0, 0, NULL, "c"},
        {"*:1,2-3,*/12:0:0!c", ND_CRON_CLOCK, 0x7f, B(0, 1, 2, 3, 12), 1, 1, 0, 0, NULL, "c"},
        {"0,6:07:05:09!c", ND_CRON_CLOCK, B(0, 6), B(7), B(5), B(9), 0, 0, NULL, "c"},
        {"  *:7:0:0 !  system clock  ", ND_CRON_CLOCK, 0x7f, B(7), 1, 1, 0, 0, "*:7:0:0", "system clock"},
        {"*:7:0:0!a!b", ND_CRON_CLOCK, 0x7f, B(7), 1, 1, 0, 0, NULL, "a!b"},
        {"*:7:0:0~30!relay on", ND_CRON_CLOCK, 0x7f, B(7), 1, 1, 0, 30, "*:7:0:0~30", "relay on"},
        {"*:7:0:0 ~ 10080 !x", ND_CRON_CLOCK, 0x7f, B(7), 1, 1, 0, 10080, NULL, "x"},
        {"sunrise!c", ND_CRON_SUNRISE, 0x7f, 0, 0, 0, 0, 0, "sunrise", "c"},
        {"sunset!c", ND_CRON_SUNSET, 0x7f, 0, 0, 0, 0, 0, "sunset", "c"},
        {"sunrise+30!c", ND_CRON_SUNRISE, 0x7f, 0, 0, 0, 30, 0, "sunrise+30", "c"},
        {"sunset-15!c", ND_CRON_SUNSET, 0x7f, 0, 0, 0, -15, 0, "sunset-15", "c"},
        {"sunset-720~60!c", ND_CRON_SUNSET, 0x7f, 0, 0, 0, -720, 60, "sunset-720~60", "c"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        nd_cron_entry e = entry(rows[i].task);
        assert_int_equal(e.kind, rows[i].kind);
        assert_int_equal(e.wday, rows[i].wday);
        if (rows[i].kind == ND_CRON_CLOCK) {
            if (e.hour != rows[i].hour || e.min != rows[i].min || e.sec != rows[i].sec)
                fail_msg("'%s': masks %x %llx %llx", rows[i].task, (unsigned)e.hour,
                         (unsigned long long)e.min, (unsigned long long)e.sec);
        }
        assert_int_equal(e.sun_off, rows[i].sun_off);
        assert_int_equal(e.catchup, rows[i].catchup);
        assert_string_equal(e.cmd, rows[i].cmd);
        if (rows[i].spec)
            assert_string_equal(e.spec, rows[i].spec);
    }
}

static void test_malformed(void **state)
{
    char longcmd[300];
    memset(longcmd, 0, sizeof longcmd);
    strcpy(longcmd, "*:1:0:0!");
    memset(longcmd + 8, 'x', 200);
    const struct {
        const char *task;
        int rc;
        const char *reason;
    } rows[] = {
        {"*:25:0:0!c", ND_ESYNTAX, "hour 25 out of range 0-23"},
        {"*:1:0:0 c", ND_ESYNTAX, "missing '!'"},
        {"*:1:0:0!", ND_ESYNTAX, "empty command"},
        {"*:1:0:0!   ", ND_ESYNTAX, "empty command"},
        {"!c", ND_ESYNTAX, "empty time"},
        {"7:1:0:0!c", ND_ESYNTAX, "weekday 7 out of range 0-6"},
        {"3-:1:0:0!c", ND_ESYNTAX, "bad weekday range '3-'"},
        {"1-3-5:1:0:0!c", ND_ESYNTAX, "bad weekday range '1-3-5'"},
        {"0-9:1:0:0!c", ND_ESYNTAX, "weekday 9 out of range 0-6"},
        {"*:1:60:0!c", ND_ESYNTAX, "minute 60 out of range 0-59"},
        {"*:1:0:60!c", ND_ESYNTAX, "second 60 out of range 0-59"},
        {"*:1:0!c", ND_ESYNTAX, "expected WD:H:M:S"},
        {"*:1:0:0:0!c", ND_ESYNTAX, "expected WD:H:M:S"},
        {"7!c", ND_ESYNTAX, "expected WD:H:M:S"},
        {"*:1,:0:0!c", ND_ESYNTAX, "empty item in hour field"},
        {"*:,1:0:0!c", ND_ESYNTAX, "empty item in hour field"},
        {"*::0:0!c", ND_ESYNTAX, "empty hour field"},
        {":1:0:0!c", ND_ESYNTAX, "empty weekday field"},
        {"*:*/0:0:0!c", ND_ESYNTAX, "hour step 0 out of range 1-23"},
        {"*:*/24:0:0!c", ND_ESYNTAX, "hour step 24 out of range 1-23"},
        {"*:*/:0:0!c", ND_ESYNTAX, "missing step in hour field"},
        {"*:a:0:0!c", ND_ESYNTAX, "bad character 'a' in hour field"},
        {"*:-1:0:0!c", ND_ESYNTAX, "bad character '-' in hour field"},
        {"*:1-2-3:0:0!c", ND_ESYNTAX, "bad hour range '1-2-3'"},
        {"*:*5:0:0!c", ND_ESYNTAX, "bad character '5' in hour field"},
        {"*:1:0:0x!c", ND_ESYNTAX, "bad character 'x' in second field"},
        {"*:99999999:0:0!c", ND_ESYNTAX, "out of range 0-23"},
        {"sunrize!c", ND_ESYNTAX, "unknown sun tag"},
        {"sun!c", ND_ESYNTAX, "unknown sun tag"},
        {"sunrise+!c", ND_ESYNTAX, "bad sun offset"},
        {"sunrise+5x!c", ND_ESYNTAX, "bad sun offset"},
        {"sunrise*5!c", ND_ESYNTAX, "bad sun tag"},
        {"sunset+721!c", ND_ESYNTAX, "sun offset 721 out of range"},
        {"*:7:0:0~!c", ND_ESYNTAX, "bad catch-up suffix"},
        {"*:7:0:0~5m!c", ND_ESYNTAX, "bad catch-up suffix"},
        {"*:7:0:0~0!c", ND_ESYNTAX, "catch-up ~0 out of range 1-10080"},
        {"*:7:0:0~10081!c", ND_ESYNTAX, "catch-up ~10081 out of range"},
        {"~5!c", ND_ESYNTAX, "empty time before '~'"},
        {"*:7:0:0~5~5!c", ND_ESYNTAX, "bad catch-up suffix"},
        {longcmd, ND_ELIMIT, "command longer than 159 bytes"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        nd_cron_entry e;
        char why[96] = "";
        int rc = nd_cron_parse_entry(&e, rows[i].task, strlen(rows[i].task), why, sizeof why);
        if (rc != rows[i].rc || !strstr(why, rows[i].reason))
            fail_msg("'%.40s': rc %d '%s', want %d '%s'", rows[i].task, rc, why, rows[i].rc,
                     rows[i].reason);
    }
}

static void test_table_parse(void **state)
{
    static nd_cron_table t;
    /* ';' separates tasks */
    assert_int_equal(nd_cron_parse(&t, "*:3:0:0!system clock;*:4:0:0!system heartbeat"), ND_OK);
    assert_int_equal(t.n, 2);
    assert_string_equal(t.e[0].cmd, "system clock");
    assert_string_equal(t.e[1].cmd, "system heartbeat");
    assert_int_equal(t.e[1].index, 1);
    /* ';;' separates tasks, ';' commands of one task */
    assert_int_equal(nd_cron_parse(&t, "*:3:0:0!a x;b y;;sunset!c;;*:4:0:0!d"), ND_OK);
    assert_int_equal(t.n, 3);
    assert_string_equal(t.e[0].cmd, "a x;b y");
    assert_int_equal(t.e[1].kind, ND_CRON_SUNSET);
    assert_string_equal(t.e[2].cmd, "d");
    /* malformed tasks are reported one by one; the others stay usable */
    assert_int_equal(nd_cron_parse(&t, "*:25:0:0!a;*:1:0:0!b; bogus ;*:2:0:0!;5-1:7:0:0!e;"),
                     ND_ESYNTAX);
    assert_int_equal(t.n, 2);
    assert_string_equal(t.e[0].cmd, "b");
    assert_int_equal(t.e[0].index, 1);
    assert_string_equal(t.e[1].cmd, "e");
    assert_int_equal(t.e[1].index, 4);
    assert_int_equal(t.nerr, 3);
    assert_int_equal(t.err[0].index, 0);
    assert_string_equal(t.err[0].text, "*:25:0:0!a");
    assert_string_equal(t.err[0].reason, "hour 25 out of range 0-23");
    assert_int_equal(t.err[1].index, 2);
    assert_string_equal(t.err[1].text, "bogus");
    assert_non_null(strstr(t.err[1].reason, "missing '!'"));
    assert_int_equal(t.err[2].index, 3);
    assert_string_equal(t.err[2].reason, "empty command");
    /* nothing to do */
    assert_int_equal(nd_cron_parse(&t, "n/a"), ND_OK);
    assert_int_equal(t.n + t.nerr, 0);
    assert_int_equal(nd_cron_parse(&t, ""), ND_OK);
    assert_int_equal(nd_cron_parse(&t, NULL), ND_OK);
    assert_int_equal(nd_cron_parse(&t, " ; ; "), ND_OK);
    assert_int_equal(t.n + t.nerr, 0);
    /* too many tasks: the limit is reported, the first ND_CRON_MAX kept */
    static char big[ND_CRON_MAX * 20 + 200];
    big[0] = 0;
    for (int i = 0; i < ND_CRON_MAX + 6; i++)
        sprintf(big + strlen(big), "*:*:%d:0!t%d;", i % 60, i);
    assert_int_equal(nd_cron_parse(&t, big), ND_ELIMIT);
    assert_int_equal(t.n, ND_CRON_MAX);
    assert_int_equal(t.nerr, 1);
    assert_int_equal(t.err[0].index, ND_CRON_MAX);
    assert_non_null(strstr(t.err[0].reason, "too many tasks (max 64)"));
}

/* ---- next / prev ------------------------------------------------------- */

static void test_next_table(void **state)
{
    const struct {
        const char *tz, *task;
        int64_t after, next;
    } rows[] = {
        /* Europe spring-forward 2026-03-29: 02:30 does not exist -> 03:00 CEST */
        {CET, "*:2:30:0!c", Z(2026, 3, 28, 12, 0, 0), W(2026, 3, 29, 3, 0, 0, 2)},
        {CET, "*:2:30:0!c", W(2026, 3, 29, 3, 0, 0, 2), W(2026, 3, 30, 2, 30, 0, 2)},
        {CET, "*:2:0:0!c", W(2026, 3, 29, 1, 0, 0, 1), W(2026, 3, 29, 3, 0, 0, 2)},
        {CET, "*:3:0:0!c", W(2026, 3, 29, 1, 0, 0, 1), W(2026, 3, 29, 3, 0, 0, 2)},
        {CET, "*:*:*:*/5!c", W(2026, 3, 29, 1, 59, 58, 1), W(2026, 3, 29, 3, 0, 0, 2)},
        {CET, "*:*:*:*/5!c", W(2026, 3, 29, 3, 0, 0, 2), W(2026, 3, 29, 3, 0, 5, 2)},
        {CET, "*:2:*:0!c", W(2026, 3, 29, 3, 0, 0, 2), W(2026, 3, 30, 2, 0, 0, 2)},
        {CET, "*:1:59:59!c", W(2026, 3, 29, 0, 0, 0, 1), W(2026, 3, 29, 1, 59, 59, 1)},
        /* Europe fall-back 2026-10-25: 02:30 twice -> first only */
        {CET, "*:2:30:0!c", Z(2026, 10, 24, 12, 0, 0), W(2026, 10, 25, 2, 30, 0, 2)},
        {CET, "*:2:30:0!c", W(2026, 10, 25, 2, 30, 0, 2), W(2026, 10, 26, 2, 30, 0, 1)},
        {CET, "*:*:*/15:0!c", W(2026, 10, 25, 2, 45, 0, 2), W(2026, 10, 25, 3, 0, 0, 1)},
        {CET, "*:*:*/15:0!c", W(2026, 10, 25, 2, 10, 0, 1), W(2026, 10, 25, 3, 0, 0, 1)},
        {CET, "*:*:*:*!c", W(2026, 10, 25, 2, 59, 59, 2), W(2026, 10, 25, 3, 0, 0, 1)},
        {CET, "*:3:0:0!c", W(2026, 10, 25, 2, 30, 0, 2), W(2026, 10, 25, 3, 0, 0, 1)},
        /* weekday wrap: Sat..Tue; 2026-01-07 is a Wednesday */
        {CET, "5-1:8:0:0!c", Z(2026, 1, 7, 12, 0, 0), W(2026, 1, 10, 8, 0, 0, 1)},
        {CET, "5-1:8:0:0!c", W(2026, 1, 12, 8, 0, 0, 1), W(2026, 1, 13, 8, 0, 0, 1)},
        {CET, "5-1:8:0:0!c", W(2026, 1, 13, 8, 0, 0, 1), W(2026, 1, 17, 8, 0, 0, 1)},
        {CET, "6:23:59:59!c", Z(2026, 1, 7, 0, 0, 0), W(2026, 1, 11, 23, 59, 59, 1)},
        /* lists and steps */
        {CET, "*:8-18/2:0,30:0!c", W(2026, 6, 1, 8, 31, 0, 2), W(2026, 6, 1, 10, 0, 0, 2)},
        {CET, "*:8-18/2:0,30:0!c", W(2026, 6, 1, 18, 30, 0, 2), W(2026, 6, 2, 8, 0, 0, 2)},
        {CET, "*:*:10/15:0!c", W(2026, 6, 1, 8, 55, 0, 2), W(2026, 6, 1, 9, 10, 0, 2)},
        {CET, "*:0:0:0!c", W(2027, 1, 1, 0, 0, 0, 1), W(2027, 1, 2, 0, 0, 0, 1)},
        {CET, "*:0:0:0!c", W(2027, 1, 1, 0, 0, 0, 1) - 1, W(2027, 1, 1, 0, 0, 0, 1)},
        /* US */
        {US, "*:2:30:0!c", Z(2026, 3, 7, 12, 0, 0), W(2026, 3, 8, 3, 0, 0, -4)},
        {US, "*:1:30:0!c", Z(2026, 10, 31, 12, 0, 0), W(2026, 11, 1, 1, 30, 0, -4)},
        {US, "*:1:30:0!c", W(2026, 11, 1, 1, 30, 0, -4), W(2026, 11, 2, 1, 30, 0, -5)},
        /* Sydney (southern hemisphere) */
        {SYD, "*:2:30:0!c", Z(2026, 10, 3, 0, 0, 0), W(2026, 10, 4, 3, 0, 0, 11)},
        {SYD, "*:2:30:0!c", Z(2026, 4, 4, 0, 0, 0), W(2026, 4, 5, 2, 30, 0, 11)},
        {SYD, "*:2:30:0!c", W(2026, 4, 5, 2, 30, 0, 11), W(2026, 4, 6, 2, 30, 0, 10)},
        /* fixed zones, leap day, negative times */
        {"UTC0", "*:12:0:0!c", Z(2028, 2, 28, 12, 0, 0), Z(2028, 2, 29, 12, 0, 0)},
        {"<+0530>-5:30", "*:0:0:0!c", Z(2026, 1, 1, 0, 0, 0), Z(2026, 1, 1, 18, 30, 0)},
        {"UTC0", "3:0:0:0!c", -1, Z(1970, 1, 1, 0, 0, 0)},
        {"UTC0", "2:0:0:0!c", Z(1969, 12, 20, 0, 0, 0), Z(1969, 12, 24, 0, 0, 0)},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        nd_tz tz = zone(rows[i].tz);
        nd_cron_entry e = entry(rows[i].task);
        int64_t n = 0, p = 0;
        int rc = nd_cron_next(&e, &tz, 0, 0, rows[i].after, &n);
        if (rc != ND_OK || n != rows[i].next)
            fail_msg("row %zu '%s': rc %d next %lld, want %lld (diff %lld)", i, rows[i].task, rc,
                     (long long)n, (long long)rows[i].next, (long long)(n - rows[i].next));
        /* prev is the mirror image: the occurrence itself, then nothing in between */
        assert_int_equal(nd_cron_prev(&e, &tz, 0, 0, n, &p), ND_OK);
        assert_int_equal(p, n);
        assert_int_equal(nd_cron_prev(&e, &tz, 0, 0, n - 1, &p), ND_OK);
        assert_true(p <= rows[i].after);
    }
}

/* Consistency of next/prev over a dense sweep around DST transitions. */
static void test_next_prev_sweep(void **state)
{
    const char *tasks[] = {"*:*:*:*/7!c", "*:2:*/10:30!c", "*:1-3:0,59:0!c", "5-1:2:30:0!c"};
    const char *zones[] = {CET, SYD, "IST-1GMT0,M10.5.0,M3.5.0/1"};
    const int64_t around[] = {Z(2026, 3, 29, 1, 0, 0), Z(2026, 10, 25, 1, 0, 0),
                              Z(2026, 4, 4, 16, 0, 0), Z(2026, 10, 3, 16, 0, 0)};
    for (size_t z = 0; z < 3; z++) {
        nd_tz tz = zone(zones[z]);
        for (size_t k = 0; k < 4; k++) {
            nd_cron_entry e = entry(tasks[k]);
            for (size_t a = 0; a < 4; a++) {
                for (int64_t t = around[a] - 3 * 3600; t < around[a] + 3 * 3600; t += 37) {
                    int64_t n, p, q;
                    assert_int_equal(nd_cron_next(&e, &tz, 0, 0, t, &n), ND_OK);
                    assert_true(n > t);
                    assert_int_equal(nd_cron_prev(&e, &tz, 0, 0, n - 1, &p), ND_OK);
                    assert_true(p <= t);                    /* nothing skipped in (t, n) */
                    assert_int_equal(nd_cron_next(&e, &tz, 0, 0, p, &q), ND_OK);
                    assert_int_equal(q, n);
                }
            }
        }
    }
}

static void test_sun_tags(void **state)
{
    nd_tz tz = zone(CET);
    int64_t n, rise, set, ref;
    /* Budapest 2026-12-21: sunrise 06:28:40 UTC per the NOAA reference */
    nd_cron_entry e = entry("sunrise+30!c");
    assert_int_equal(nd_cron_next(&e, &tz, BUD_LAT, BUD_LON, Z(2026, 12, 20, 12, 0, 0), &n), ND_OK);
    assert_int_equal(nd_sun_times(BUD_LAT, BUD_LON, 2026, 12, 21, &rise, &set), ND_SUN_OK);
    assert_int_equal(n, rise + 1800);
    ref = INT64_C(1797834520) + 1800;
    assert_true(llabs(n - ref) <= 60);
    /* the day's own sun time, not yesterday's: next after that is Dec 22 */
    int64_t n2;
    assert_int_equal(nd_cron_next(&e, &tz, BUD_LAT, BUD_LON, n, &n2), ND_OK);
    assert_int_equal(nd_sun_times(BUD_LAT, BUD_LON, 2026, 12, 22, &rise, &set), ND_SUN_OK);
    assert_int_equal(n2, rise + 1800);
    /* sunset-15 at Reykjavik on the solstice: set 00:04 on June 22 -> 23:49 */
    e = entry("sunset-15!c");
    assert_int_equal(nd_cron_next(&e, &tz, 64.1466, -21.9426, Z(2026, 6, 21, 12, 0, 0), &n), ND_OK);
    assert_true(llabs(n - (INT64_C(1782086642) - 900)) <= 60);
    /* sunset in Sydney (June 21 06:53:50 UTC) */
    e = entry("sunset!c");
    assert_int_equal(nd_cron_next(&e, &tz, -33.8688, 151.2093, Z(2026, 6, 21, 0, 0, 0), &n), ND_OK);
    assert_true(llabs(n - INT64_C(1782024830)) <= 60);
    /* prev and the sun */
    int64_t p;
    assert_int_equal(nd_cron_prev(&e, &tz, -33.8688, 151.2093, n, &p), ND_OK);
    assert_int_equal(p, n);
    assert_int_equal(nd_cron_prev(&e, &tz, -33.8688, 151.2093, n - 1, &p), ND_OK);
    assert_true(n - p > 86000 && n - p < 86800);
    /* polar night at Longyearbyen: the next sunrise after Nov 1 is in February */
    e = entry("sunrise!c");
    assert_int_equal(nd_cron_next(&e, &tz, 78.2232, 15.6267, Z(2026, 11, 1, 0, 0, 0), &n), ND_OK);
    nd_tm tm;
    nd_time_split(n, &tm);
    assert_int_equal(tm.year, 2027);
    assert_int_equal(tm.mon, 2);
    /* near the North Pole in its polar day: no sunset for months, found anyway */
    e = entry("sunset!c");
    assert_int_equal(nd_cron_next(&e, &tz, 89.0, 0, Z(2026, 4, 1, 0, 0, 0), &n), ND_OK);
    nd_time_split(n, &tm);
    assert_int_equal(tm.year, 2026);
    assert_true(tm.mon == 9 || tm.mon == 10);
    /* no location -> error, not a time */
    assert_int_equal(nd_cron_next(&e, &tz, 200.0, 0, 0, &n), ND_EINVAL);
}

static void test_limits(void **state)
{
    nd_tz tz = zone("UTC0");
    nd_cron_entry e = entry("*:*:*:*!c");
    int64_t n;
    assert_int_equal(nd_cron_next(&e, &tz, 0, 0, ND_CRON_T_MAX + 1, &n), ND_EINVAL);
    assert_int_equal(nd_cron_next(&e, &tz, 0, 0, ND_CRON_T_MIN - 1, &n), ND_EINVAL);
    assert_int_equal(nd_cron_next(&e, &tz, 0, 0, ND_CRON_T_MAX, &n), ND_ENOTFOUND);
    assert_int_equal(nd_cron_prev(&e, &tz, 0, 0, ND_CRON_T_MIN, &n), ND_OK);
    assert_int_equal(n, ND_CRON_T_MIN);
    nd_cron_entry bad;
    memset(&bad, 0, sizeof bad);
    assert_int_equal(nd_cron_next(&bad, &tz, 0, 0, 0, &n), ND_EINVAL); /* empty masks */
}

/* A dense entry is stepped without per-second scanning: a whole day of
** `*:*:*:*\/5` is 17280 calls, each returning the next 5 s slot. */
static void test_efficiency(void **state)
{
    nd_tz tz = zone(CET);
    nd_cron_entry e = entry("*:*:*:*/5!c");
    int64_t t = Z(2026, 3, 28, 23, 0, 0) - 1, end = Z(2026, 3, 29, 22, 0, 0); /* 23 h local day */
    int count = 0;
    while (nd_cron_next(&e, &tz, 0, 0, t, &t) == ND_OK && t < end)
        count++;
    assert_int_equal(count, 23 * 720);
    /* a rare entry (29 Feb is not expressible, but Sunday 23:59:59 is) */
    e = entry("6:23:59:59!c");
    t = Z(2026, 1, 1, 0, 0, 0);
    for (int i = 0; i < 52; i++)
        assert_int_equal(nd_cron_next(&e, &tz, 0, 0, t, &t), ND_OK);
    nd_tm tm;
    nd_time_split(t + nd_tz_offset_utc(&tz, t), &tm);
    assert_int_equal(tm.wday, 6);
    assert_int_equal(tm.hour * 3600 + tm.min * 60 + tm.sec, 86399);
}

/* ---- catch-up ---------------------------------------------------------- */

static void test_catchup(void **state)
{
    nd_tz tz = zone(CET);
    nd_cron_entry plain = entry("*:7:0:0!c");
    nd_cron_entry e = entry("*:7:0:0~30!c");
    int64_t occ = 0, seven = W(2026, 6, 1, 7, 0, 0, 2);
    /* node was off from 06:00 to 07:20: run the 07:00 job once at boot */
    assert_int_equal(nd_cron_missed(&e, &tz, 0, 0, seven - 3600, seven + 1200, &occ), 1);
    assert_int_equal(occ, seven);
    /* too old (31 min) */
    assert_int_equal(nd_cron_missed(&e, &tz, 0, 0, seven - 3600, seven + 1860, &occ), 0);
    /* exactly N minutes is still within */
    assert_int_equal(nd_cron_missed(&e, &tz, 0, 0, seven - 3600, seven + 1800, &occ), 1);
    /* already handled before the outage */
    assert_int_equal(nd_cron_missed(&e, &tz, 0, 0, seven, seven + 600, &occ), 0);
    /* default policy: skip */
    assert_int_equal(nd_cron_missed(&plain, &tz, 0, 0, seven - 3600, seven + 60, &occ), 0);
    /* clock set forward over the occurrence: one catch-up, then the normal
    ** schedule continues strictly after now (no storm, no double) */
    int64_t now = seven + 600, n;
    assert_int_equal(nd_cron_missed(&e, &tz, 0, 0, seven - 5, now, &occ), 1);
    assert_int_equal(nd_cron_next(&e, &tz, 0, 0, now, &n), ND_OK);
    assert_int_equal(n, W(2026, 6, 2, 7, 0, 0, 2));
    /* missed occurrence in the DST gap: it was due at 03:00 CEST */
    nd_cron_entry g = entry("*:2:30:0~120!c");
    assert_int_equal(nd_cron_missed(&g, &tz, 0, 0, Z(2026, 3, 28, 23, 0, 0), W(2026, 3, 29, 4, 0, 0, 2), &occ), 1);
    assert_int_equal(occ, W(2026, 3, 29, 3, 0, 0, 2));
    /* sun tags catch up too */
    nd_cron_entry s = entry("sunrise~60!c");
    int64_t rise, set;
    assert_int_equal(nd_sun_times(BUD_LAT, BUD_LON, 2026, 6, 1, &rise, &set), ND_SUN_OK);
    assert_int_equal(nd_cron_missed(&s, &tz, BUD_LAT, BUD_LON, rise - 100, rise + 3000, &occ), 1);
    assert_int_equal(occ, rise);
}

/* ---- the simulated year ------------------------------------------------ */

#define MAXEV 40000

typedef struct {
    int64_t *v;
    size_t n;
} evlist;

static void push(evlist *l, int64_t t)
{
    if (l->n && l->v[l->n - 1] == t)
        return; /* collapsed occurrences (DST gap) are one firing */
    assert_true(l->n < MAXEV);
    assert_true(l->n == 0 || t > l->v[l->n - 1]);
    l->v[l->n++] = t;
}

/* Does the wall minute (seconds, as UTC, multiple of 60) match a clock
** entry's weekday/hour/minute? Uses only the calendar split, independent of
** cron.c's bit scanning; the seconds are then taken from the mask. */
static int minute_matches(const nd_cron_entry *e, int64_t wall)
{
    nd_tm tm;
    nd_time_split(wall, &tm);
    assert_int_equal(tm.sec, 0);
    return ((e->wday >> tm.wday) & 1) && ((e->hour >> tm.hour) & 1) && ((e->min >> tm.min) & 1);
}

/* Brute force: walk UTC minute by minute, look at the wall clock. A wall
** time fires the first time it is shown; wall minutes jumped over by a
** spring-forward fire at the first instant after the jump. */
static void expected_clock(const nd_cron_entry *e, const int32_t *offs, int64_t from, int64_t to,
                           evlist *out)
{
    int64_t max_wall = INT64_MIN, prev_wall = INT64_MIN;
    for (int64_t u = from; u < to; u += 60) {
        int64_t wall = u + offs[(u - from) / 60]; /* the zone's offset at u */
        if (prev_wall != INT64_MIN && wall > prev_wall + 60) {
            for (int64_t w = prev_wall + 60; w < wall; w += 60)
                if (w > max_wall && minute_matches(e, w) && e->sec)
                    push(out, u);
            max_wall = wall - 1;
        }
        if (minute_matches(e, wall)) {
            for (int s = 0; s < 60; s++) {
                if (((e->sec >> s) & 1) && wall + s > max_wall && u + s > from)
                    push(out, u + s);
            }
        }
        if (wall + 59 > max_wall)
            max_wall = wall + 59;
        prev_wall = wall;
    }
}

static void expected_sun(const nd_cron_entry *e, const nd_tz *tz, double lat, double lon,
                         int64_t from, int64_t to, evlist *out)
{
    /* every local calendar date of the period, one event each */
    int64_t day0 = (from + nd_tz_offset_utc(tz, from)) / 86400 - 2;
    int64_t day1 = (to + nd_tz_offset_utc(tz, to)) / 86400 + 2;
    for (int64_t d = day0; d <= day1; d++) {
        nd_tm tm;
        int64_t ev;
        nd_time_split(d * 86400, &tm);
        if (nd_sun_event(lat, lon, tm.year, tm.mon, tm.mday,
                         e->kind == ND_CRON_SUNRISE ? ND_SUN_RISE : ND_SUN_SET, ND_SUN_ALTITUDE,
                         &ev) != ND_SUN_OK)
            continue;
        ev += e->sun_off * 60;
        if (ev > from && ev < to)
            push(out, ev);
    }
}

static void simulate_year(const char *tzs, double lat, double lon)
{
    const char *tasks[] = {"*:*:0:0!hourly",        "0-4:7:30:0!weekdays",
                           "*:2:30:0!gap+overlap",  "sunrise+10!sun",
                           "*:*:*/15:0!quarter",    "5-1:23:59:59!wrap",
                           "*:1:59:59!before-gap",  "*:2:*/20:30!in-gap",
                           "sunset-15!sunset"};
    enum { NT = sizeof tasks / sizeof tasks[0] };
    nd_tz tz = zone(tzs);
    nd_cron_entry e[NT];
    evlist exp[NT], got[NT];
    int64_t next[NT];
    const int64_t from = Z(2025, 12, 31, 0, 0, 0), to = Z(2027, 1, 2, 0, 0, 0);
    int32_t *offs = calloc((size_t)((to - from) / 60 + 1), sizeof *offs);
    for (int64_t u = from; u < to; u += 60)
        offs[(u - from) / 60] = nd_tz_offset_utc(&tz, u);

    for (int i = 0; i < NT; i++) {
        e[i] = entry(tasks[i]);
        exp[i].v = calloc(MAXEV, sizeof(int64_t));
        got[i].v = calloc(MAXEV, sizeof(int64_t));
        exp[i].n = got[i].n = 0;
        if (e[i].kind == ND_CRON_CLOCK)
            expected_clock(&e[i], offs, from, to, &exp[i]);
        else
            expected_sun(&e[i], &tz, lat, lon, from, to, &exp[i]);
        assert_int_equal(nd_cron_next(&e[i], &tz, lat, lon, from, &next[i]), ND_OK);
    }

    /* The fake clock ticks every second; a due entry fires and is
    ** rescheduled strictly after the occurrence it just served. */
    int64_t due = INT64_MAX;
    for (int i = 0; i < NT; i++)
        due = next[i] < due ? next[i] : due;
    for (int64_t now = from + 1; now < to; now++) {
        if (now < due)
            continue;
        due = INT64_MAX;
        for (int i = 0; i < NT; i++) {
            if (now >= next[i]) {
                got[i].v[got[i].n++] = now;
                assert_true(got[i].n < MAXEV);
                assert_int_equal(nd_cron_next(&e[i], &tz, lat, lon, next[i], &next[i]), ND_OK);
                assert_true(next[i] > now);
            }
            due = next[i] < due ? next[i] : due;
        }
    }

    for (int i = 0; i < NT; i++) {
        /* fired exactly once per expected occurrence, 0 s early, <= 1 s late */
        size_t n = got[i].n < exp[i].n ? got[i].n : exp[i].n;
        for (size_t k = 0; k < n; k++) {
            int64_t late = got[i].v[k] - exp[i].v[k];
            if (late < 0 || late > 1) {
                nd_tm tm;
                nd_time_split(exp[i].v[k], &tm);
                fail_msg("%s %s: occurrence %zu expected %04d-%02d-%02d %02d:%02d:%02d UTC, fired %+lld s",
                         tzs, tasks[i], k, tm.year, tm.mon, tm.mday, tm.hour, tm.min, tm.sec,
                         (long long)late);
            }
            if (k)
                assert_true(got[i].v[k] > got[i].v[k - 1]);
        }
        if (got[i].n != exp[i].n)
            fail_msg("%s %s: fired %zu times, expected %zu", tzs, tasks[i], got[i].n, exp[i].n);
        free(exp[i].v);
        free(got[i].v);
    }
    free(offs);
}

static void test_simulated_year(void **state)
{
    simulate_year(CET, BUD_LAT, BUD_LON);
    simulate_year(US, 40.7128, -74.0060);
    simulate_year(SYD, -33.8688, 151.2093);
    simulate_year("<+0530>-5:30", 28.6139, 77.2090);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grammar),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_table_parse),
        cmocka_unit_test(test_next_table),
        cmocka_unit_test(test_next_prev_sweep),
        cmocka_unit_test(test_sun_tags),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_efficiency),
        cmocka_unit_test(test_catchup),
        cmocka_unit_test(test_simulated_year),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
