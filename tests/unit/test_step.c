/*
** test_step.c -- nd_node_step, the one entry a port drives the node through
** (nodus/run.h): it runs what is due at the injected time, hands queued pin
** edges over a bounded number per call, and returns the next deadline --
** "now" whenever the port must not sleep. A fake clock stands in for the
** port, as a firmware super-loop would drive it.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hal_int.h"
#include "hw.h"
#include "node_int.h"
#include "nodus/hal.h"
#include "nodus/run.h"

static struct nd_node node;
static int fired[4];

static void count_fn(nd_timer *t, void *ud)
{
    (void)t;
    fired[(intptr_t)ud]++;
}

/* re-arms itself for the same instant: a zero-period task */
static uint64_t rearm_at;
static void rearm_fn(nd_timer *t, void *ud)
{
    fired[(intptr_t)ud]++;
    nd_timer_arm(&node.timers, t, rearm_at, rearm_fn, ud);
}

static int setup(void **state)
{
    (void)state;
    memset(&node, 0, sizeof node);
    memset(fired, 0, sizeof fired);
    assert_int_equal(nd_timers_init(&node.timers, 16), ND_OK);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    nd_timers_free(&node.timers);
    return 0;
}

static void test_idle_node_has_no_deadline(void **state)
{
    (void)state;
    assert_true(nd_node_step(&node, 1000) == UINT64_MAX);
    assert_true(nd_node_step(&node, 0) == UINT64_MAX);
}

static void test_runs_due_timers_and_returns_next(void **state)
{
    (void)state;
    nd_timer a = {0}, b = {0};
    nd_timer_arm(&node.timers, &a, 110, count_fn, (void *)0);
    nd_timer_arm(&node.timers, &b, 130, count_fn, (void *)1);
    /* early: nothing runs, the deadline is the first timer */
    assert_true(nd_node_step(&node, 100) == 110);
    assert_int_equal(fired[0], 0);
    assert_true(nd_node_step(&node, 110) == 130);
    assert_int_equal(fired[0], 1);
    assert_int_equal(fired[1], 0);
    /* late: it still runs, and nothing is left */
    assert_true(nd_node_step(&node, 500) == UINT64_MAX);
    assert_int_equal(fired[1], 1);
}

static void test_earlier_timer_armed_between_steps(void **state)
{
    (void)state;
    nd_timer a = {0}, b = {0};
    nd_timer_arm(&node.timers, &a, 1000, count_fn, (void *)0);
    assert_true(nd_node_step(&node, 0) == 1000);
    /* as a socket callback would: the old deadline no longer holds */
    nd_timer_arm(&node.timers, &b, 20, count_fn, (void *)1);
    assert_true(nd_node_step(&node, 5) == 20);
    assert_true(nd_node_step(&node, 20) == 1000);
    assert_int_equal(fired[1], 1);
    assert_int_equal(fired[0], 0);
}

static void test_zero_period_timer_does_not_starve(void **state)
{
    (void)state;
    nd_timer t = {0};
    rearm_at = 50;
    nd_timer_arm(&node.timers, &t, 50, rearm_fn, (void *)2);
    /* one run per step, and the port is told not to sleep */
    assert_true(nd_node_step(&node, 50) <= 50);
    assert_int_equal(fired[2], 1);
    assert_true(nd_node_step(&node, 50) <= 50);
    assert_int_equal(fired[2], 2);
    nd_timer_disarm(&node.timers, &t);
}

static void test_edges_left_over_mean_no_sleep(void **state)
{
    (void)state;
    nd_timer a = {0};
    nd_timer_arm(&node.timers, &a, 900, count_fn, (void *)0);
    nd_gpio_stats st0, st;
    nd_gpio_stats_get(&st0);
    const int n = ND_HW_EDGES_PER_TURN + ND_HW_EDGES_PER_TURN / 2;
    for (int i = 0; i < n; i++) assert_int_equal(nd_hal_edge_push(4, i & 1, (uint64_t)i), ND_OK);
    /* a bounded share per step; the rest keeps the port awake */
    assert_true(nd_node_step(&node, 100) == 100);
    nd_gpio_stats_get(&st);
    assert_int_equal(st.delivered - st0.delivered, ND_HW_EDGES_PER_TURN);
    assert_true(nd_node_step(&node, 101) == 900);
    nd_gpio_stats_get(&st);
    assert_int_equal(st.delivered - st0.delivered, n);
    assert_false(nd_hw_pending());
}

static void test_reboot_request_is_visible(void **state)
{
    (void)state;
    assert_false(nd_node_wants_reboot(&node));
    node.reboot = true; /* what `reboot` in the shell or REST sets */
    assert_true(nd_node_wants_reboot(&node));
}

static void test_storage_is_one_node(void **state)
{
    (void)state;
    assert_non_null(nd_node_storage());
    assert_ptr_equal(nd_node_storage(), nd_node_storage());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_idle_node_has_no_deadline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_runs_due_timers_and_returns_next, setup, teardown),
        cmocka_unit_test_setup_teardown(test_earlier_timer_armed_between_steps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_zero_period_timer_does_not_starve, setup, teardown),
        cmocka_unit_test_setup_teardown(test_edges_left_over_mean_no_sleep, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reboot_request_is_visible, setup, teardown),
        cmocka_unit_test_setup_teardown(test_storage_is_one_node, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
