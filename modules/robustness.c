/*
** robustness.c -- test helpers with micrOS's names and texts (micrOS's
** SystemTest reads them): an error on purpose, and safe, bounded C
** equivalents of a memory leak and deep recursion. They report what they
** did instead of taking the node down.
*/
#include <stdio.h>

#include "nodus/module.h"
#include "nodus/opts.h" /* ND_LEAK_MAX, ND_RECURSION_MAX, ND_REPLY_TEXT_MAX */
#include "nodus/task.h"

#define ND_XSTR(x) #x
#define ND_STR(x) ND_XSTR(x)

static int f_raise_error(nd_call *c) { return nd_fail(c, "Test exception"); }

/* The text built in out as the call's reply (copied into the arena), out
** freed: the end of memory_leak and recursion_limit. */
static int ret_text(nd_call *c, nd_buf *out)
{
    nd_value *v = out->overflow ? NULL : nd_strn(c->arena, out->p, out->n);
    nd_buf_free(out);
    if (!v) return nd_fail(c, "memory allocation failed");
    c->ret = v;
    return ND_OK;
}

/* micrOS's text, line by line: "[k] gen: micrOS memory usage: <p> %" per
** item, then "[n] RAM Alloc.: <kB> kB <byte> byte" (SystemTest looks for
** "[12] RAM Alloc"). Each item is allocated in the command arena, as micrOS
** fills a dict: the memory is bounded by the arena and returned when the
** call ends. The percentage is the arena's fill, the memory the items draw
** from. Where micrOS would run out of memory, this stops early and says so
** in a line before the last. */
static int f_memory_leak(nd_call *c)
{
    int64_t n;
    if (nd_arg_int(c, 0, &n)) return ND_ERR;
    if (n < 0) return nd_fail(c, "n must be >= 0");
    nd_arena *a = c->arena;
    nd_buf out;
    nd_buf_init(&out, ND_REPLY_TEXT_MAX);
    size_t before = a->used;
    int64_t made = 0;
    const char *why = NULL;
    for (; made < n; made++) {
        if (made == ND_LEAK_MAX) {
            why = "item limit " ND_STR(ND_LEAK_MAX);
            break;
        }
        double pct = 100.0 * (double)a->used / (double)a->cap;
        char data[48];
        int dn = snprintf(data, sizeof data, "micrOS memory usage: %.1f %%", pct);
        /* room for this item, the reply text so far plus this line, and the
        ** closing lines: the reply is copied into the arena at the end */
        size_t need = (size_t)dn + 64 + out.n + (size_t)dn + 32 + 512;
        if (a->cap - a->used < need || !nd_strn(a, data, (size_t)dn)) {
            why = "command arena full";
            break;
        }
        nd_buf_printf(&out, "%s[%lld] gen: %s", made ? "\n" : "", (long long)made, data);
    }
    size_t delta = a->used - before;
    if (why)
        nd_buf_printf(&out, "%sstopped early (%s): %lld of %lld items", made ? "\n" : "", why,
                      (long long)made, (long long)n);
    nd_buf_printf(&out, "%s[%lld] RAM Alloc.: %zu kB %zu byte", made || why ? "\n" : "", (long long)made,
                  delta / 1024, delta % 1024);
    return ret_text(c, &out);
}

static int64_t recurse(int64_t depth, int64_t limit)
{
    volatile char frame[64]; /* a real stack frame, as a Python frame would be */
    frame[0] = (char)depth;
    if (depth >= limit) return depth + frame[0] - (char)depth;
    return recurse(depth + 1, limit);
}

/* micrOS's text: "recalled <d>" for each depth 1..n reached, then
** "Recursion limit: <d>". Past ND_RECURSION_MAX frames it answers as
** micrOS does when Python's limit is hit: "ok error: maximum recursion
** depth exceeded", and the last line names the depth that failed. */
static int f_recursion_limit(nd_call *c)
{
    int64_t n;
    if (nd_arg_int(c, 0, &n)) return ND_ERR;
    if (n < 0) return nd_fail(c, "n must be >= 0");
    nd_buf out;
    nd_buf_init(&out, ND_REPLY_TEXT_MAX);
    int64_t d = 0;
    for (d = 1; d <= n; d++) {
        if (d > ND_RECURSION_MAX) {
            nd_buf_puts(&out, "ok error: maximum recursion depth exceeded\n");
            break;
        }
        nd_buf_printf(&out, "recalled %lld\n", (long long)recurse(1, d));
    }
    if (d > n) d = n; /* the loop ran to its end: the last depth done */
    nd_buf_printf(&out, "Recursion limit: %lld", (long long)d);
    return ret_text(c, &out);
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

/* micrOS's @sudo examples: the dispatcher checks pwd= before these run. */
static int f_func_sudo(nd_call *c) { return nd_ret_str(c, "Access granted"); }

static int f_func_sudo_opt(nd_call *c)
{
    bool opt;
    if (nd_arg_bool(c, 0, &opt)) return ND_ERR;
    nd_buf b; /* micrOS formats the value as given: f"...: {opt}" (Python str) */
    nd_buf_init(&b, 256);
    nd_render_str(&b, c->argv[0]);
    int rc = nd_ret_str(c, "Access granted, opt flag: %s", nd_buf_cstr(&b));
    nd_buf_free(&b);
    return rc;
}

static const nd_func funcs[] = {
    ND_FUNC("raise_error", f_raise_error, "", "BUTTON raise_error"),
    ND_FUNC("memory_leak", f_memory_leak, "n", "memory_leak n"),
    ND_FUNC("recursion_limit", f_recursion_limit, "n", "recursion_limit n"),
    ND_FUNC("create_task", f_create_task, "count=10 period=100", "BUTTON create_task count period"),
    ND_FUNC("level", f_level, "value=50", "SLIDER level value=<0-100-5>"),
    ND_FUNC_SUDO("func_sudo", f_func_sudo, "", "func_sudo"),
    ND_FUNC_SUDO_IF("func_sudo_opt", f_func_sudo_opt, "opt=False", "func_sudo_opt opt=False", "opt"),
    ND_FUNCS_END,
};

const nd_module nd_mod_robustness = {"robustness", funcs, NULL, "test helpers for error paths"};
