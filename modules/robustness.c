/*
** robustness.c -- test helpers with micrOS's names: an error on purpose, and
** safe, bounded C equivalents of a memory leak and deep recursion. They
** report what they did instead of taking the node down.
*/
#include "nodus/module.h"
#include "nodus/task.h"

#define ND_LEAK_MAX 4096   /* items memory_leak may allocate in one call */
#define ND_RECURSION_MAX 2000

static int f_raise_error(nd_call *c) { return nd_fail(c, "Test exception"); }

/* Allocates n small strings in the command arena (as micrOS appends to a
** list): memory is bounded by the arena and returned when the call ends. */
static int f_memory_leak(nd_call *c)
{
    int64_t n;
    if (nd_arg_int(c, 0, &n)) return ND_ERR;
    if (n < 0) return nd_fail(c, "n must be >= 0");
    if (n > ND_LEAK_MAX) n = ND_LEAK_MAX;
    int64_t made = 0;
    size_t before = c->arena->used;
    /* keep 1 KiB of the arena for the reply itself */
    for (; made < n && c->arena->cap - c->arena->used > 1024; made++)
        if (!nd_strf(c->arena, "leak item %lld", (long long)made)) break;
    size_t bytes = c->arena->used - before;
    nd_value *d = nd_ret_dict(c);
    if (!d) return ND_ERR;
    nd_dict_set(c->arena, d, "allocated", nd_int(c->arena, made));
    nd_dict_set(c->arena, d, "bytes", nd_int(c->arena, (int64_t)bytes));
    nd_dict_set(c->arena, d, "freed", nd_str(c->arena, made < n ? "arena full, stopped early" : "at end of call"));
    return ND_OK;
}

static int64_t recurse(int64_t depth, int64_t limit)
{
    volatile char frame[64]; /* a real stack frame, as a Python frame would be */
    frame[0] = (char)depth;
    if (depth >= limit) return depth + frame[0] - (char)depth;
    return recurse(depth + 1, limit);
}

static int f_recursion_limit(nd_call *c)
{
    int64_t n;
    if (nd_arg_int(c, 0, &n)) return ND_ERR;
    if (n < 0) return nd_fail(c, "n must be >= 0");
    int64_t capped = n > ND_RECURSION_MAX ? ND_RECURSION_MAX : n;
    int64_t reached = recurse(0, capped);
    if (capped < n)
        return nd_ret_str(c, "Recursion depth %lld refused, stopped at the limit %d", (long long)n,
                          ND_RECURSION_MAX);
    return nd_ret_str(c, "Recursion depth reached: %lld", (long long)reached);
}

/* A stepped task (nodus/task.h): counts to `count`, one step every
** `period` ms, never blocking the loop. Shows how a module runs long work. */
static struct {
    int64_t count, period;
} counter;

static int32_t counter_step(nd_task *t, void *ud)
{
    (void)ud;
    uint64_t done = nd_task_runs(t) + 1;
    nd_task_printf(t, "step %llu/%lld", (unsigned long long)done, (long long)counter.count);
    return done >= (uint64_t)counter.count ? ND_TASK_DONE : (int32_t)counter.period;
}

static int f_create_task(nd_call *c)
{
    int64_t count, period;
    if (nd_arg_int(c, 0, &count) || nd_arg_int(c, 1, &period)) return ND_ERR;
    if (count < 1 || count > 1000000) return nd_fail(c, "count must be 1..1000000");
    if (period < 0 || period > 3600000) return nd_fail(c, "period must be 0..3600000 ms");
    counter.count = count;
    counter.period = period;
    return nd_task_spawn(c, "robustness.counter", counter_step, NULL, 0);
}

/* A dashboard demo: a SLIDER widget whose reply echoes the value it got. */
static int f_level(nd_call *c)
{
    int64_t v;
    if (nd_arg_int(c, 0, &v)) return ND_ERR;
    nd_value *d = nd_ret_dict(c);
    if (!d) return ND_ERR;
    return nd_dict_set(c->arena, d, "level", nd_int(c->arena, v)) == ND_OK
               ? ND_OK
               : nd_fail(c, "memory allocation failed");
}

static const nd_func funcs[] = {
    ND_FUNC("raise_error", f_raise_error, "", "BUTTON raise_error"),
    ND_FUNC("memory_leak", f_memory_leak, "n", "memory_leak n"),
    ND_FUNC("recursion_limit", f_recursion_limit, "n", "recursion_limit n"),
    ND_FUNC("create_task", f_create_task, "count=10 period=100", "BUTTON create_task count period"),
    ND_FUNC("level", f_level, "value=50", "SLIDER level value=<0-100-5>"),
    ND_FUNCS_END,
};

const nd_module nd_mod_robustness = {"robustness", funcs, NULL, "test helpers for error paths"};
