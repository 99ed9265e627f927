/* test_timer.c -- the timer heap with an injected clock. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include "nodus/value.h"
#include "timer.h"

static int order[64], norder;
static nd_timers *rearm_ts;

static void record(nd_timer *t, void *ud)
{
    (void)t;
    order[norder++] = (int)(intptr_t)ud;
}

static void test_order_and_ties(void **st)
{
    nd_timers ts;
    nd_timer t[6] = {0};
    assert_int_equal(nd_timers_init(&ts, 8), ND_OK);
    uint64_t due[6] = {50, 10, 30, 10, 20, 40};
    for (int i = 0; i < 6; i++) nd_timer_arm(&ts, &t[i], due[i], record, (void *)(intptr_t)i);
    assert_int_equal(nd_timers_wait(&ts, 0), 10);
    norder = 0;
    assert_int_equal(nd_timers_run(&ts, 35), 4);
    int want[] = {1, 3, 4, 2};
    for (int i = 0; i < 4; i++) assert_int_equal(order[i], want[i]);
    assert_int_equal(nd_timers_wait(&ts, 35), 5);
    nd_timer_disarm(&ts, &t[5]);
    assert_int_equal(nd_timers_wait(&ts, 35), 15);
    assert_int_equal(nd_timers_run(&ts, 100), 1);
    assert_int_equal(nd_timers_wait(&ts, 100), -1);
    nd_timers_free(&ts);
}

static void test_capacity_limit(void **st)
{
    nd_timers ts;
    nd_timer t[3] = {0};
    nd_timers_init(&ts, 2);
    assert_int_equal(nd_timer_arm(&ts, &t[0], 1, record, NULL), ND_OK);
    assert_int_equal(nd_timer_arm(&ts, &t[1], 1, record, NULL), ND_OK);
    assert_int_equal(nd_timer_arm(&ts, &t[2], 1, record, NULL), ND_ENOMEM);
    /* re-arming an armed timer does not need a new slot */
    assert_int_equal(nd_timer_arm(&ts, &t[1], 5, record, NULL), ND_OK);
    nd_timers_free(&ts);
}

static void rearm_now(nd_timer *t, void *ud)
{
    (*(int *)ud)++;
    nd_timer_arm(rearm_ts, t, t->due, rearm_now, ud); /* due again at once */
}

/* A timer that re-arms itself for "now" must not starve the loop. */
static void test_zero_period_does_not_spin(void **st)
{
    nd_timers ts;
    nd_timer t = {0};
    int count = 0;
    nd_timers_init(&ts, 4);
    rearm_ts = &ts;
    nd_timer_arm(&ts, &t, 10, rearm_now, &count);
    assert_int_equal(nd_timers_run(&ts, 10), 1);
    assert_int_equal(count, 1);
    assert_int_equal(nd_timers_run(&ts, 10), 1);
    assert_int_equal(count, 2);
    nd_timers_free(&ts);
}

/* Random arm/disarm against a brute-force model: the heap always yields
** the earliest deadline. */
static void test_random_against_model(void **st)
{
    enum { N = 500 };
    static nd_timer t[N];
    nd_timers ts;
    nd_timers_init(&ts, N);
    srand(7);
    for (int step = 0; step < 20000; step++) {
        int i = rand() % N;
        if (rand() % 3) nd_timer_arm(&ts, &t[i], (uint64_t)(rand() % 100000), record, NULL);
        else nd_timer_disarm(&ts, &t[i]);
        uint64_t best = UINT64_MAX;
        for (int k = 0; k < N; k++)
            if (nd_timer_armed(&t[k]) && t[k].due < best) best = t[k].due;
        int64_t w = nd_timers_wait(&ts, 0);
        if (best == UINT64_MAX) assert_int_equal(w, -1);
        else assert_int_equal((uint64_t)w, best);
    }
    nd_timers_free(&ts);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_and_ties),
        cmocka_unit_test(test_capacity_limit),
        cmocka_unit_test(test_zero_period_does_not_spin),
        cmocka_unit_test(test_random_against_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
