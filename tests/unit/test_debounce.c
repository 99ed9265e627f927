/*
** test_debounce.c -- both debounce modes against exact edge sequences on an
** injected clock (debounce.h). Rows read: (time ms, level) -> expected fire.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "nodus/debounce.h"
#include "nodus/hal.h"

#define R ND_EDGE_RISING
#define F ND_EDGE_FALLING

typedef struct { uint64_t t; int level; int fire; } row;

static void run_rows(nd_debounce *d, const row *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int got = nd_debounce_edge(d, r[i].level, r[i].t);
        if (got != r[i].fire) fail_msg("row %zu (t=%llu level=%d): fired %d, want %d", i,
                                       (unsigned long long)r[i].t, r[i].level, got, r[i].fire);
    }
}

/* micrOS: the first edge fires, then nothing until MORE than window ms passed. */
static void test_lead_rising(void **state)
{
    nd_debounce d;
    nd_debounce_init(&d, ND_DEBOUNCE_LEAD, R, 300, 0);
    const row r[] = {
        {1000, 1, R}, {1001, 0, 0}, {1002, 1, 0}, /* bounce ignored */
        {1300, 0, 0}, {1300, 1, 0},               /* exactly 300 ms later: not more than */
        {1301, 0, 0}, {1302, 1, R},               /* 302 ms after the accepted edge */
        {1400, 0, 0},                             /* falling edges never fire with trig up */
    };
    run_rows(&d, r, sizeof r / sizeof r[0]);
    assert_int_equal(nd_debounce_due(&d), UINT64_MAX); /* lead mode needs no timer */
}

static void test_lead_falling_and_both(void **state)
{
    nd_debounce d;
    nd_debounce_init(&d, ND_DEBOUNCE_LEAD, F, 50, 1);
    const row r1[] = {{10, 0, F}, {11, 1, 0}, {12, 0, 0}, {70, 1, 0}, {71, 0, F}};
    run_rows(&d, r1, 5);
    nd_debounce_init(&d, ND_DEBOUNCE_LEAD, ND_EDGE_BOTH, 50, 0);
    const row r2[] = {{10, 1, R}, {20, 0, 0}, {61, 0, F}, {200, 1, R}};
    run_rows(&d, r2, 4);
}

/* A noise burst on an idle line fires in lead mode (the known weakness). */
static void test_lead_noise_fires(void **state)
{
    nd_debounce d;
    nd_debounce_init(&d, ND_DEBOUNCE_LEAD, R, 300, 0);
    assert_int_equal(nd_debounce_edge(&d, 1, 5000), R);
    assert_int_equal(nd_debounce_edge(&d, 0, 5000), 0);
}

static void test_lead_window_zero(void **state)
{
    nd_debounce d;
    nd_debounce_init(&d, ND_DEBOUNCE_LEAD, R, 0, 0);
    assert_int_equal(nd_debounce_edge(&d, 1, 7), R);
    assert_int_equal(nd_debounce_edge(&d, 0, 7), 0);
    assert_int_equal(nd_debounce_edge(&d, 1, 7), R); /* same ms: still fires */
}

/* Stable mode: a press that bounces, then holds, fires window ms after the
** last bounce; the release (trig up) does not fire. */
static void test_stable_press(void **state)
{
    nd_debounce d;
    nd_debounce_init(&d, ND_DEBOUNCE_STABLE, R, 50, 0);
    const row r[] = {{100, 1, 0}, {101, 0, 0}, {103, 1, 0}, {104, 0, 0}, {105, 1, 0}};
    run_rows(&d, r, 5);
    assert_int_equal(nd_debounce_due(&d), 155);
    assert_int_equal(nd_debounce_poll(&d, 154), 0);
    assert_int_equal(nd_debounce_poll(&d, 155), R);
    assert_int_equal(nd_debounce_due(&d), UINT64_MAX);
    assert_int_equal(nd_debounce_poll(&d, 1000), 0); /* fires once */
    assert_int_equal(nd_debounce_edge(&d, 0, 2000), 0);
    assert_int_equal(nd_debounce_poll(&d, 2050), 0); /* release: level confirmed, trig up */
    assert_int_equal(d.stable, 0);
}

/* A burst that ends at the level it started from never fires. */
static void test_stable_noise_never_fires(void **state)
{
    nd_debounce d;
    nd_debounce_init(&d, ND_DEBOUNCE_STABLE, ND_EDGE_BOTH, 20, 0);
    uint64_t t = 1000;
    for (int i = 0; i < 10000; i++) assert_int_equal(nd_debounce_edge(&d, (i & 1) == 0, t += 1), 0);
    /* 10000 edges: ends at 0 */
    assert_int_equal(nd_debounce_poll(&d, t + 20), 0);
    assert_int_equal(d.stable, 0);
}

/* A level change shorter than the window never fires. */
static void test_stable_short_glitch(void **state)
{
    nd_debounce d;
    nd_debounce_init(&d, ND_DEBOUNCE_STABLE, R, 300, 0);
    assert_int_equal(nd_debounce_edge(&d, 1, 0), 0);
    assert_int_equal(nd_debounce_poll(&d, 299), 0);
    assert_int_equal(nd_debounce_edge(&d, 0, 299), 0);
    assert_int_equal(nd_debounce_poll(&d, 700), 0);
    assert_int_equal(nd_debounce_edge(&d, 1, 1000), 0);
    assert_int_equal(nd_debounce_poll(&d, 1300), R);
}

static void test_stable_falling_and_zero(void **state)
{
    nd_debounce d;
    nd_debounce_init(&d, ND_DEBOUNCE_STABLE, F, 10, 1);
    assert_int_equal(nd_debounce_edge(&d, 0, 0), 0);
    assert_int_equal(nd_debounce_poll(&d, 10), F);
    nd_debounce_init(&d, ND_DEBOUNCE_STABLE, ND_EDGE_BOTH, 0, 0);
    assert_int_equal(nd_debounce_edge(&d, 1, 5), R); /* window 0: every change is stable */
    assert_int_equal(nd_debounce_edge(&d, 0, 5), F);
}

/* Times near the top of the 64-bit range do not wrap the comparisons. */
static void test_large_times(void **state)
{
    nd_debounce d;
    uint64_t big = UINT64_MAX / 2;
    nd_debounce_init(&d, ND_DEBOUNCE_LEAD, R, 300, 0);
    assert_int_equal(nd_debounce_edge(&d, 1, big), R);
    assert_int_equal(nd_debounce_edge(&d, 0, big + 1), 0);
    assert_int_equal(nd_debounce_edge(&d, 1, big + 100), 0);
    assert_int_equal(nd_debounce_edge(&d, 0, big + 301), 0);
    assert_int_equal(nd_debounce_edge(&d, 1, big + 302), R);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lead_rising),       cmocka_unit_test(test_lead_falling_and_both),
        cmocka_unit_test(test_lead_noise_fires),  cmocka_unit_test(test_lead_window_zero),
        cmocka_unit_test(test_stable_press),      cmocka_unit_test(test_stable_noise_never_fires),
        cmocka_unit_test(test_stable_short_glitch), cmocka_unit_test(test_stable_falling_and_zero),
        cmocka_unit_test(test_large_times),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
