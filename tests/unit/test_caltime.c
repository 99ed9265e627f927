/*
** test_caltime.c -- nd_time_split / nd_time_join: proleptic Gregorian
** calendar, negative times, wday 0 = Monday, yday 1..366.
** Reference rows were produced independently with Python's datetime.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "nodus/node.h"

static const struct {
    int64_t t;
    int year, mon, mday, hour, min, sec, wday, yday;
} rows[] = {
    {INT64_C(0), 1970, 1, 1, 0, 0, 0, 3, 1},
    {INT64_C(-1), 1969, 12, 31, 23, 59, 59, 2, 365},
    {INT64_C(86399), 1970, 1, 1, 23, 59, 59, 3, 1},
    {INT64_C(86400), 1970, 1, 2, 0, 0, 0, 4, 2},
    {INT64_C(951782400), 2000, 2, 29, 0, 0, 0, 1, 60},
    {INT64_C(951868800), 2000, 3, 1, 0, 0, 0, 2, 61},
    {INT64_C(1709164800), 2024, 2, 29, 0, 0, 0, 3, 60},
    {INT64_C(-2208988800), 1900, 1, 1, 0, 0, 0, 0, 1},
    {INT64_C(-62135596800), 1, 1, 1, 0, 0, 0, 0, 1},
    {INT64_C(253402300799), 9999, 12, 31, 23, 59, 59, 4, 365},
    {INT64_C(4102444800), 2100, 1, 1, 0, 0, 0, 4, 1},
    {INT64_C(-11644473600), 1601, 1, 1, 0, 0, 0, 0, 1},
    {INT64_C(1774746000), 2026, 3, 29, 1, 0, 0, 6, 88},
    {INT64_C(1234567890), 2009, 2, 13, 23, 31, 30, 4, 44},
    {INT64_C(-86401), 1969, 12, 30, 23, 59, 59, 1, 364},
    {INT64_C(68256000000), 4132, 12, 12, 0, 0, 0, 4, 347},
};

static void test_table(void **state)
{
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        nd_tm tm;
        nd_time_split(rows[i].t, &tm);
        assert_int_equal(tm.year, rows[i].year);
        assert_int_equal(tm.mon, rows[i].mon);
        assert_int_equal(tm.mday, rows[i].mday);
        assert_int_equal(tm.hour, rows[i].hour);
        assert_int_equal(tm.min, rows[i].min);
        assert_int_equal(tm.sec, rows[i].sec);
        assert_int_equal(tm.wday, rows[i].wday);
        assert_int_equal(tm.yday, rows[i].yday);
        assert_int_equal(nd_time_join(&tm), rows[i].t);
    }
}

static int leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Walk every day from year -1000 to 3000 and check the calendar advances
** one day at a time, with months, leap years, weekdays and yday right. */
static void test_day_walk(void **state)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    nd_tm start = {0};
    start.year = -1000;
    start.mon = 1;
    start.mday = 1;
    int64_t t = nd_time_join(&start);
    nd_tm prev;
    nd_time_split(t, &prev);
    assert_int_equal(prev.year, -1000);
    for (;;) {
        t += 86400;
        nd_tm tm;
        nd_time_split(t + 43210, &tm); /* mid-day, with seconds */
        assert_int_equal(tm.hour, 12);
        assert_int_equal(tm.sec, 10);
        nd_time_split(t, &tm);
        assert_int_equal(tm.wday, (prev.wday + 1) % 7);
        int ml = mdays[prev.mon - 1] + (prev.mon == 2 && leap(prev.year));
        if (prev.mday < ml) {
            assert_int_equal(tm.year, prev.year);
            assert_int_equal(tm.mon, prev.mon);
            assert_int_equal(tm.mday, prev.mday + 1);
            assert_int_equal(tm.yday, prev.yday + 1);
        } else if (prev.mon < 12) {
            assert_int_equal(tm.mon, prev.mon + 1);
            assert_int_equal(tm.mday, 1);
            assert_int_equal(tm.yday, prev.yday + 1);
        } else {
            assert_int_equal(prev.yday, 365 + leap(prev.year));
            assert_int_equal(tm.year, prev.year + 1);
            assert_int_equal(tm.mon, 1);
            assert_int_equal(tm.mday, 1);
            assert_int_equal(tm.yday, 1);
        }
        assert_int_equal(nd_time_join(&tm), t);
        prev = tm;
        if (tm.year == 3000)
            break;
    }
}

/* join normalises out-of-range fields (used to step calendar days). */
static void test_join_normalises(void **state)
{
    static const struct {
        int y, mo, d, h, mi, s;
        int64_t t;
    } n[] = {
        {2025, 13, 1, 0, 0, 0, INT64_C(1767225600)},   /* = 2026-01-01 */
        {2026, 0, 1, 0, 0, 0, INT64_C(1764547200)},    /* = 2025-12-01 */
        {2026, 3, 0, 0, 0, 0, INT64_C(1772236800)},    /* = 2026-02-28 */
        {2026, 2, 29, 0, 0, 0, INT64_C(1772323200)},   /* = 2026-03-01 */
        {2026, 1, 1, 24, 0, 0, INT64_C(1767312000)},   /* = 2026-01-02 */
        {2026, 1, 1, 0, 0, -1, INT64_C(1767225599)},   /* = 2025-12-31 23:59:59 */
        {2026, -23, 1, 0, 0, 0, INT64_C(1704067200)},  /* = 2024-01-01 */
    };
    for (size_t i = 0; i < sizeof n / sizeof n[0]; i++) {
        nd_tm tm = {0};
        tm.year = n[i].y;
        tm.mon = n[i].mo;
        tm.mday = n[i].d;
        tm.hour = n[i].h;
        tm.min = n[i].mi;
        tm.sec = n[i].s;
        assert_int_equal(nd_time_join(&tm), n[i].t);
    }
}

/* Extreme inputs are clamped, never undefined. */
static void test_extremes(void **state)
{
    nd_tm tm;
    nd_time_split(INT64_MAX, &tm);
    assert_true(tm.year > 1000000000);
    nd_time_split(INT64_MIN, &tm);
    assert_true(tm.year < -1000000000);
    assert_true(tm.mon >= 1 && tm.mon <= 12 && tm.mday >= 1 && tm.mday <= 31);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_day_walk),
        cmocka_unit_test(test_join_normalises),
        cmocka_unit_test(test_extremes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
