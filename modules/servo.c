/*
** servo.c -- two hobby servos on servo_1/servo_2 (micrOS LM_servo: sduty,
** s2duty, sdemo, deinit, status in PWM duty units at 50 Hz, where 1023 is
** the whole 20 ms period). micrOS clamps sduty to 40..115; nodus adds
** angle/center in degrees (0..180 = 0.5..2.5 ms = duty 26..128) and keeps
** the positions in data/servo.cache for its own `load`.
** The contract: docs/modules.md.
*/
#include <string.h>

#include "nodus/hal.h"
#include "nodus/lmcache.h"
#include "nodus/module.h"
#include "nodus/pins.h"
#include "nodus/task.h"

#define DUTY_MIN 26  /* 0.5 ms of 20 ms: nodus's angle 0 */
#define DUTY_MAX 128 /* 2.5 ms of 20 ms: nodus's angle 180 */
#define SDUTY_MIN 40 /* micrOS's sduty clamp */
#define SDUTY_MAX 115
static const char *const tags[] = {"servo_1", "servo_2", NULL};
static int pin[2], duty[2] = {75, 75}, bound[2]; /* micrOS starts both at 75 */

static int bind(nd_call *c, int ch)
{
    if (!bound[ch]) {
        if (nd_pin_bind(c, tags[ch], &pin[ch])) return ND_ERR;
        bound[ch] = 1;
    }
    return ND_OK;
}

static int drive(nd_call *c, int ch, int d)
{
    if (bind(c, ch)) return ND_ERR;
    if (nd_pwm_set(nd_pin_gpio(pin[ch]), 50, (uint32_t)d) < 0) return nd_fail(c, "%s", nd_hal_error());
    duty[ch] = d;
    double v[2] = {duty[0], duty[1]};
    nd_lm_cache_save("servo", v, 2);
    return ND_OK;
}

static int status(nd_call *c)
{
    nd_value *d = nd_ret_dict(c);
    if (!d || nd_dict_set(c->arena, d, "S1", nd_int(c->arena, duty[0])) ||
        nd_dict_set(c->arena, d, "S2", nd_int(c->arena, duty[1])))
        return nd_fail(c, "memory allocation failed");
    return ND_OK;
}

/* sduty(duty=75) / s2duty(duty=75): clamped to 40..115 as micrOS does */
static int sduty(nd_call *c, int ch)
{
    int64_t d;
    if (nd_arg_int(c, 0, &d)) return ND_ERR;
    d = d > SDUTY_MAX ? SDUTY_MAX : d < SDUTY_MIN ? SDUTY_MIN : d;
    if (drive(c, ch, (int)d)) return ND_ERR;
    return nd_ret_str(c, "SET SERVO%d: duty: %d", ch + 1, (int)d);
}

static int f_sduty(nd_call *c) { return sduty(c, 0); }
static int f_s2duty(nd_call *c) { return sduty(c, 1); }

/* sdemo: 40, a second later 115, a second later 75 (micrOS sleeps; this is
** the task "servo.sdemo") */
static int32_t demo_step(nd_task *t, void *ud)
{
    (void)ud;
    static const int seq[] = {SDUTY_MIN, SDUTY_MAX, 75};
    uint64_t k = nd_task_runs(t);
    if (k >= 3) return ND_TASK_DONE;
    nd_call c;
    memset(&c, 0, sizeof c);
    c.node = nd_task_node(t);
    if (drive(&c, 0, seq[k])) {
        nd_task_fail(t, "%s", c.err);
        return ND_TASK_DONE;
    }
    nd_task_printf(t, "SET SERVO1: duty: %d", seq[k]);
    return k == 2 ? ND_TASK_DONE : 1000;
}

static int f_sdemo(nd_call *c)
{
    if (bind(c, 0) || nd_task_spawn(c, "servo.sdemo", demo_step, NULL, 0)) return ND_ERR;
    return nd_ret_str(c, "sduty DEMO");
}

static int ch_arg(nd_call *c, int argi, int *ch)
{
    int64_t v;
    if (nd_arg_int(c, argi, &v)) return ND_ERR;
    if (v != 1 && v != 2) return nd_fail(c, "ch=%lld must be 1 or 2", (long long)v);
    *ch = (int)v - 1;
    return ND_OK;
}

/* deinit(): both PWM channels off; nodus's ch= stops just one */
static int f_deinit(nd_call *c)
{
    int from = 0, to = 1;
    if (!nd_arg_is_none(c, 0)) {
        if (ch_arg(c, 0, &from)) return ND_ERR;
        to = from;
    }
    for (int ch = from; ch <= to; ch++)
        if (bound[ch] && nd_pwm_stop(nd_pin_gpio(pin[ch])) < 0) return nd_fail(c, "%s", nd_hal_error());
    if (from != to) return nd_ret_str(c, "Deinit servo 1 and 2");
    return nd_ret_str(c, "Deinit servo %d", from + 1);
}

/* status(lmf=None): both, or {'X': duty} of the servo lmf names */
static int f_status(nd_call *c)
{
    if (nd_arg_is_none(c, 0)) return status(c);
    const char *lmf;
    if (nd_arg_str(c, 0, &lmf)) return ND_ERR;
    while (*lmf == ' ' || *lmf == '\t') lmf++;
    size_t n = strlen(lmf);
    while (n && (lmf[n - 1] == ' ' || lmf[n - 1] == '\t')) n--;
    int ch = (n == 6 && memcmp(lmf, "s2duty", 6) == 0) ? 1 : 0;
    nd_value *d = nd_ret_dict(c);
    if (!d || nd_dict_set(c->arena, d, "X", nd_int(c->arena, duty[ch]))) return nd_fail(c, "memory allocation failed");
    return ND_OK;
}

static int f_pinmap(nd_call *c) { return nd_pin_ret_map(c, tags); }

/* ---- nodus: degrees and restoring the positions --------------------------- */
static int angle_duty(int64_t a) { return DUTY_MIN + (int)((a * (DUTY_MAX - DUTY_MIN) + 90) / 180); }

static int f_angle(nd_call *c)
{
    int64_t a;
    int ch = 0;
    if (nd_arg_int(c, 0, &a) || ch_arg(c, 1, &ch)) return ND_ERR;
    if (a < 0 || a > 180) return nd_fail(c, "deg=%lld out of range 0..180", (long long)a);
    return drive(c, ch, angle_duty(a)) ? ND_ERR : status(c);
}

static int f_center(nd_call *c)
{
    int ch = 0;
    if (ch_arg(c, 0, &ch)) return ND_ERR;
    return drive(c, ch, angle_duty(90)) ? ND_ERR : status(c);
}

static int f_load(nd_call *c)
{
    double v[2];
    if (nd_lm_cache_load("servo", v, 2) == 2)
        for (int ch = 0; ch < 2; ch++)
            if (v[ch] >= DUTY_MIN && v[ch] <= DUTY_MAX) duty[ch] = (int)v[ch];
    for (int ch = 0; ch < 2; ch++)
        if (drive(c, ch, duty[ch])) return ND_ERR;
    return status(c);
}

/* micrOS's help order, then nodus's */
static const nd_func funcs[] = {
    ND_FUNC("sduty", f_sduty, "duty=75", "sduty duty=<int>40-115"),
    ND_FUNC("sdemo", f_sdemo, "", "sdemo"),
    ND_FUNC("s2duty", f_s2duty, "duty=75", "s2duty"),
    ND_FUNC("deinit", f_deinit, "ch=None", "deinit"),
    ND_FUNC("status", f_status, "lmf=None", "status"),
    ND_FUNC("pinmap", f_pinmap, "", "pinmap"),
    ND_FUNC("angle", f_angle, "deg=90 ch=1", "SLIDER angle deg=<0-180-5> ch=1"),
    ND_FUNC("center", f_center, "ch=1", "BUTTON center ch=1"),
    ND_FUNC("load", f_load, "", "load"),
    ND_FUNCS_END,
};

const nd_module nd_mod_servo = {"servo", funcs, NULL, "two hobby servos (50 Hz PWM)"};
