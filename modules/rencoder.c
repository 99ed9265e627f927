/*
** rencoder.c -- rotary encoder on rot_dt / rot_clk (micrOS LM_rencoder):
** load(min_val=0, max_val=20) -> 'Init RotaryEncoder with IRQs.',
** read_state -> 'RotaryState: 3', reset_state -> 'Reset state 3 -> 0'. The
** value counts detents and wraps around min..max as micrOS's does.
**
** Both pins' edges come through the hal's edge ring (nd_gpio_watch, the
** layer the irq1..4 interrupts use) and are decoded from the levels the
** edges carry, not from reading the pins later: the ring is drained by the
** loop, after a fast turn the pins may already be back at rest. micrOS's
** decoding: state = dt << 1 | clk; 11 -> 10 is a clockwise detent, 11 -> 01
** counter-clockwise. color_indicator() shows the value on the neopixel strip
** (micrOS's palette, `neopixel color r g b` run as a pipeline per change).
** The contract: docs/modules.md.
*/
#include <stdio.h>

#include "nodus/hal.h"
#include "nodus/module.h"
#include "nodus/node.h"
#include "nodus/pins.h"

/* micrOS's palette template: the value picks template[val % 5] */
static const int palette[5][3] = {{20, 0, 0}, {10, 10, 0}, {0, 20, 0}, {0, 10, 10}, {0, 0, 20}};

static struct {
    bool init;
    int dt, clk;         /* GPIOs */
    int dt_lv, clk_lv;   /* levels as the edges report them */
    int last;            /* last state dt << 1 | clk */
    int64_t val, min, max;
    uint64_t detents;
    struct nd_node *color_node; /* color_indicator on: the node to run neopixel on */
} s;

static void show_color(void)
{
    if (!s.color_node) return;
    /* micrOS: palette = template * (max // 5 + 1), indexed by the value */
    const int *c = palette[((s.val % 5) + 5) % 5];
    char cmd[64];
    snprintf(cmd, sizeof cmd, "neopixel color %d %d %d", c[0], c[1], c[2]);
    nd_node_run(s.color_node, cmd, "rencoder");
}

static void on_edge(void *ud, const nd_gpio_event *ev)
{
    (void)ud;
    if (ev->pin == s.dt) s.dt_lv = ev->level;
    if (ev->pin == s.clk) s.clk_lv = ev->level;
    int now = s.dt_lv << 1 | s.clk_lv;
    if (now == s.last) return;
    int tr = s.last << 2 | now;
    if (tr == 0xE) { /* clockwise */
        if (++s.val > s.max) s.val = s.min;
        s.detents++;
    } else if (tr == 0xD) {
        if (--s.val < s.min) s.val = s.max;
        s.detents++;
    }
    s.last = now;
    if (tr == 0xE || tr == 0xD) show_color();
}

static int init(nd_call *c)
{
    if (s.init) return ND_OK;
    int dt, clk;
    if (nd_pin_bind(c, "rot_dt", &dt) || nd_pin_bind(c, "rot_clk", &clk)) return ND_ERR;
    s.dt = nd_pin_gpio(dt), s.clk = nd_pin_gpio(clk);
    if (nd_gpio_mode(s.dt, ND_GPIO_IN, ND_PULL_DOWN) < 0 || nd_gpio_mode(s.clk, ND_GPIO_IN, ND_PULL_DOWN) < 0)
        return nd_fail(c, "%s", nd_hal_error());
    if (nd_gpio_watch(s.dt, ND_EDGE_BOTH, on_edge, NULL) < 0) return nd_fail(c, "%s", nd_hal_error());
    if (nd_gpio_watch(s.clk, ND_EDGE_BOTH, on_edge, NULL) < 0) {
        nd_gpio_unwatch(s.dt, on_edge, NULL);
        return nd_fail(c, "%s", nd_hal_error());
    }
    s.dt_lv = nd_gpio_read(s.dt) == 1, s.clk_lv = nd_gpio_read(s.clk) == 1;
    s.last = s.dt_lv << 1 | s.clk_lv;
    s.init = true;
    return ND_OK;
}

static int f_load(nd_call *c)
{
    int64_t lo, hi;
    if (nd_arg_int(c, 0, &lo) || nd_arg_int(c, 1, &hi)) return ND_ERR;
    if (lo > hi) return nd_fail(c, "min_val=%lld is above max_val=%lld", (long long)lo, (long long)hi);
    if (!s.init) { /* micrOS takes the limits only when it creates the encoder */
        if (init(c)) return ND_ERR;
        s.min = lo, s.max = hi, s.val = lo;
    }
    return nd_ret_str(c, "Init RotaryEncoder with IRQs.");
}

static int f_read_state(nd_call *c)
{
    if (!s.init) {
        if (init(c)) return ND_ERR;
        s.min = 0, s.max = 20, s.val = 0;
    }
    return nd_ret_str(c, "RotaryState: %lld", (long long)s.val);
}

static int f_reset_state(nd_call *c)
{
    int64_t was = s.val;
    s.val = s.min;
    return nd_ret_str(c, "Reset state %lld -> 0", (long long)was);
}

static int f_color_indicator(nd_call *c)
{
    if (!s.init && f_read_state(c)) return ND_ERR;
    s.color_node = c->node;
    if (nd_node_run(c->node, "neopixel color 0 0 0", "rencoder") != 0) /* initial colour off */
        return nd_fail(c, "neopixel color failed (see the log)");
    /* micrOS returns the palette: the template repeated int(max / 5) + 1 times */
    nd_value *t = nd_tuple(c->arena);
    if (!t) return nd_fail(c, "memory allocation failed");
    int64_t reps = s.max / 5 + 1;
    for (int64_t r = 0; r < reps && r < 200; r++)
        for (int i = 0; i < 5; i++) {
            nd_value *e = nd_tuple(c->arena);
            if (!e) return nd_fail(c, "memory allocation failed");
            for (int k = 0; k < 3; k++) nd_seq_push(c->arena, e, nd_int(c->arena, palette[i][k]));
            if (nd_seq_push(c->arena, t, e)) return nd_fail(c, "memory allocation failed");
        }
    c->ret = t;
    return ND_OK;
}

static int f_pinmap(nd_call *c)
{
    static const char *const tags[] = {"rot_clk", "rot_dt", NULL};
    return nd_pin_ret_map(c, tags);
}

static const nd_func funcs[] = {
    ND_FUNC("load", f_load, "min_val=0 max_val=20", "load min_val=0 max_val=20"),
    ND_FUNC("read_state", f_read_state, "", "TEXTBOX read_state"),
    ND_FUNC("reset_state", f_reset_state, "", "reset_state"),
    ND_FUNC("color_indicator", f_color_indicator, "", "color_indicator"),
    ND_FUNC("pinmap", f_pinmap, "", "pinmap"),
    ND_FUNCS_END,
};

const nd_module nd_mod_rencoder = {"rencoder", funcs, NULL, "rotary encoder (quadrature, edge interrupts)"};
