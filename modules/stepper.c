/*
** stepper.c -- 28BYJ-48 stepper on a ULN2003 driver, pins stppr_1..4
** (micrOS LM_stepper): angle(dg) -> 'Move 90 degree (2 ms)', step(st) ->
** 'Move 2 step (2 ms)', standby -> 'Standby', load_n_init(mode='HALF').
**
** micrOS's units: one "step" is one pass through the coil table (8 entries
** in HALF mode, 4 in FULL), a revolution is int(4075.77 / 8) = 509 steps,
** angle() moves round(509 * dg / 360) of them; the delay between entries is
** speed_ms (HALF 2 ms, FULL 10 ms; micrOS's setter turns 1..9 into 10 and
** below 1 into 1). micrOS sleeps through a move; nodus plays it in the task
** "stepper._move", one table entry per step, and the call returns micrOS's
** text at once. A call during a move adds its steps to the one running (the
** end position is the same as micrOS's one-after-the-other). After a move
** the coils are switched off (geared motor: no holding current), as micrOS.
** FULL mode energises adjacent coil pairs (1+2, 2+3 ...): micrOS's table
** pairs opposite coils, whose fields cancel on a 28BYJ-48. The contract:
** docs/modules.md.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nodus/hal.h"
#include "nodus/module.h"
#include "nodus/pins.h"
#include "nodus/task.h"

#define FULL_ROTATION 509 /* int(4075.7728395061727 / 8) */

static const uint8_t half_tab[8][4] = {{0, 0, 0, 1}, {0, 0, 1, 1}, {0, 0, 1, 0}, {0, 1, 1, 0},
                                       {0, 1, 0, 0}, {1, 1, 0, 0}, {1, 0, 0, 0}, {1, 0, 0, 1}};
static const uint8_t full_tab[4][4] = {{0, 0, 1, 1}, {0, 1, 1, 0}, {1, 1, 0, 0}, {1, 0, 0, 1}};

static struct {
    bool init;
    bool half;
    int pin[4];
    double delay;   /* ms: 2, 10 or what speed set */
    bool delay_f;   /* it is a Python float (the user's float, unclamped) */
    long left;      /* table entries still to play, signed by direction */
    int idx;        /* next entry within the current pass */
    bool moving;
} s;

static int init(nd_call *c, bool half)
{
    if (s.init) return ND_OK;
    static const char *const tags[4] = {"stppr_1", "stppr_2", "stppr_3", "stppr_4"};
    for (int i = 0; i < 4; i++) {
        if (nd_pin_bind(c, tags[i], &s.pin[i])) return ND_ERR;
        if (nd_gpio_write(nd_pin_gpio(s.pin[i]), 0) < 0) return nd_fail(c, "%s", nd_hal_error());
    }
    s.half = half;
    s.delay = half ? 2 : 10;
    s.init = true;
    return ND_OK;
}

static void coils(const uint8_t *bits)
{
    for (int i = 0; i < 4; i++) nd_gpio_write(nd_pin_gpio(s.pin[i]), bits[i]);
}

static int32_t move_step(nd_task *t, void *ud)
{
    (void)ud;
    int n = s.half ? 8 : 4;
    if (s.left == 0) {
        static const uint8_t off[4] = {0, 0, 0, 0};
        coils(off);
        s.moving = false;
        nd_task_printf(t, "Standby");
        return ND_TASK_DONE;
    }
    int dir = s.left > 0 ? 1 : -1;
    /* micrOS plays mode[::direction]: forward 0..n-1, backward n-1..0 */
    int e = dir > 0 ? s.idx : n - 1 - s.idx;
    coils(s.half ? half_tab[e] : full_tab[e]);
    s.idx = (s.idx + 1) % n;
    s.left -= dir;
    nd_task_printf(t, "%ld entries left", labs(s.left));
    return (int32_t)ceil(s.delay);
}

static int set_speed(nd_call *c, int i)
{
    if (nd_arg_is_none(c, i)) return ND_OK;
    double ms;
    if (nd_arg_float(c, i, &ms)) return ND_ERR;
    if (ms == 0) return ND_OK; /* `if speed:` */
    if (ms > 10000) return nd_fail(c, "speed=%g ms out of range (at most 10000)", ms);
    /* micrOS's setter, as written: below 1 is 1 in HALF mode, else below 10 is 10 */
    s.delay_f = c->argv[i]->type == ND_T_FLOAT;
    if (s.half && ms < 1) ms = 1, s.delay_f = false;
    else if (ms < 10) ms = 10, s.delay_f = false;
    s.delay = ms;
    return ND_OK;
}

static int move(nd_call *c, long steps)
{
    int n = s.half ? 8 : 4;
    if (labs(steps) > 100000) return nd_fail(c, "move of %ld steps is too long (at most 100000)", steps);
    if (!s.moving) s.idx = 0;
    /* a reversal restarts the table, as a new micrOS call would */
    if (s.moving && (s.left > 0) != (steps > 0)) s.idx = 0;
    s.left += steps * n;
    if (!s.moving && s.left != 0) {
        nd_value *keep = c->ret;
        if (nd_task_spawn(c, "stepper._move", move_step, NULL, 0)) return ND_ERR;
        c->ret = keep;
        s.moving = true;
    }
    return ND_OK;
}

/* "Move <what> <unit> (<speed_ms> ms)" with Python's str() of both numbers */
static int reply(nd_call *c, const char *unit)
{
    nd_buf b;
    nd_buf_init(&b, 64);
    nd_buf_printf(&b, "Move ");
    nd_render_str(&b, c->argv[0]);
    nd_buf_printf(&b, " %s (", unit);
    nd_render_str(&b, s.delay_f ? nd_float(c->arena, s.delay) : nd_int(c->arena, (int64_t)s.delay));
    nd_buf_printf(&b, " ms)");
    int rc = nd_ret_str(c, "%s", nd_buf_cstr(&b));
    nd_buf_free(&b);
    return rc;
}

static int f_angle(nd_call *c)
{
    double dg;
    if (init(c, true) || nd_arg_float(c, 0, &dg) || set_speed(c, 1)) return ND_ERR;
    if (fabs(dg) > 36000) return nd_fail(c, "dg=%g out of range (at most 100 turns)", dg);
    long st = (long)nearbyint(FULL_ROTATION * fabs(dg) / 360); /* round(): halves to even */
    if (move(c, dg < 0 ? -st : st)) return ND_ERR;
    return reply(c, "degree");
}

static int f_step(nd_call *c)
{
    int64_t st;
    if (init(c, true) || nd_arg_int(c, 0, &st) || set_speed(c, 1)) return ND_ERR;
    if (move(c, (long)st)) return ND_ERR;
    return reply(c, "step");
}

static int f_standby(nd_call *c)
{
    if (init(c, true)) return ND_ERR;
    s.left = 0; /* a running move stops at its next entry and switches the coils off */
    if (!s.moving) {
        static const uint8_t off[4] = {0, 0, 0, 0};
        coils(off);
    }
    return nd_ret_str(c, "Standby");
}

static int f_load_n_init(nd_call *c)
{
    const char *mode;
    if (nd_arg_str(c, 0, &mode)) return ND_ERR;
    return init(c, strcmp(mode, "FULL") != 0); /* micrOS: anything but 'FULL' is HALF; returns None */
}

static int f_pinmap(nd_call *c)
{
    static const char *const tags[] = {"stppr_1", "stppr_2", "stppr_3", "stppr_4", NULL};
    return nd_pin_ret_map(c, tags);
}

static const nd_func funcs[] = {
    ND_FUNC("angle", f_angle, "dg speed=None", "angle dg=+/-360 speed=<ms>"),
    ND_FUNC("step", f_step, "st speed=None", "step st=+/-2 speed=<ms>"),
    ND_FUNC("standby", f_standby, "", "BUTTON standby"),
    ND_FUNC("load_n_init", f_load_n_init, "mode='HALF'", "load_n_init mode=<\"HALF\"/\"FULL\">"),
    ND_FUNC("pinmap", f_pinmap, "", "pinmap"),
    ND_FUNCS_END,
};

const nd_module nd_mod_stepper = {"stepper", funcs, NULL, "28BYJ-48 stepper on a ULN2003 driver"};
