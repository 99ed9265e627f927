/*
** servo.c -- two hobby servos on servo_1/servo_2 (micrOS LM_servo).
** 50 Hz PWM; 0..180 degrees = 0.5..2.5 ms pulses = duty 26..128 of 1023.
** Out-of-range angles and duties are refused (a servo driven past its end
** stop strains its gears); positions survive a restart (data/servo.cache).
*/
#include "nodus/hal.h"
#include "nodus/lmcache.h"
#include "nodus/module.h"
#include "nodus/pins.h"

#define DUTY_MIN 26  /* 0.5 ms of 20 ms */
#define DUTY_MAX 128 /* 2.5 ms of 20 ms */
static const char *const tags[] = {"servo_1", "servo_2", NULL};
static int pin[2], deg[2] = {90, 90}, bound[2];

static int ch_arg(nd_call *c, int argi, int *ch)
{
    int64_t v;
    if (nd_arg_int(c, argi, &v)) return ND_ERR;
    if (v != 1 && v != 2) return nd_fail(c, "ch=%lld must be 1 or 2", (long long)v);
    *ch = (int)v - 1;
    if (!bound[*ch]) {
        if (nd_pin_bind(c, tags[*ch], &pin[*ch])) return ND_ERR;
        double v2[2];
        if (nd_lm_cache_load("servo", v2, 2) == 2) deg[0] = (int)v2[0], deg[1] = (int)v2[1];
        bound[*ch] = 1;
    }
    return ND_OK;
}

static int status(nd_call *c)
{
    nd_value *d = nd_ret_dict(c);
    if (!d || nd_dict_set(c->arena, d, "S1", nd_int(c->arena, deg[0])) ||
        nd_dict_set(c->arena, d, "S2", nd_int(c->arena, deg[1])))
        return nd_fail(c, "memory allocation failed");
    return ND_OK;
}

static int drive(nd_call *c, int ch, int duty)
{
    if (nd_pwm_set(nd_pin_gpio(pin[ch]), 50, (uint32_t)duty) < 0) return nd_fail(c, "%s", nd_hal_error());
    deg[ch] = (duty - DUTY_MIN) * 180 / (DUTY_MAX - DUTY_MIN);
    double v[2] = {deg[0], deg[1]};
    nd_lm_cache_save("servo", v, 2);
    return status(c);
}

static int angle_duty(int a) { return DUTY_MIN + (a * (DUTY_MAX - DUTY_MIN) + 90) / 180; }

static int f_angle(nd_call *c)
{
    int64_t a;
    int ch = 0;
    if (nd_arg_int(c, 0, &a) || ch_arg(c, 1, &ch)) return ND_ERR;
    if (a < 0 || a > 180) return nd_fail(c, "deg=%lld out of range 0..180", (long long)a);
    return drive(c, ch, angle_duty((int)a));
}

static int f_sduty(nd_call *c)
{
    int64_t d;
    int ch = 0;
    if (nd_arg_int(c, 0, &d) || ch_arg(c, 1, &ch)) return ND_ERR;
    if (d < DUTY_MIN || d > DUTY_MAX)
        return nd_fail(c, "duty=%lld out of range %d..%d (0.5..2.5 ms at 50 Hz)", (long long)d, DUTY_MIN, DUTY_MAX);
    return drive(c, ch, (int)d);
}

static int f_center(nd_call *c)
{
    int ch = 0;
    if (ch_arg(c, 0, &ch)) return ND_ERR;
    return drive(c, ch, angle_duty(90));
}

static int f_load(nd_call *c)
{
    int ch = 0;
    if (ch_arg(c, 0, &ch)) return ND_ERR;
    return drive(c, ch, angle_duty(deg[ch])); /* restore the cached position */
}

static int f_deinit(nd_call *c)
{
    int ch = 0;
    if (ch_arg(c, 0, &ch)) return ND_ERR;
    if (nd_pwm_stop(nd_pin_gpio(pin[ch])) < 0) return nd_fail(c, "%s", nd_hal_error());
    return nd_ret_str(c, "servo %d off", ch + 1);
}

static int f_status(nd_call *c) { return status(c); }
static int f_pinmap(nd_call *c) { return nd_pin_ret_map(c, tags); }

static const nd_func funcs[] = {
    ND_FUNC("load", f_load, "ch=1", "load ch=1"),
    ND_FUNC("angle", f_angle, "deg=90 ch=1", "SLIDER angle deg=<0-180-5> ch=1"),
    ND_FUNC("sduty", f_sduty, "duty=77 ch=1", "SLIDER sduty duty=<26-128> ch=1"),
    ND_FUNC("center", f_center, "ch=1", "BUTTON center ch=1"),
    ND_FUNC("deinit", f_deinit, "ch=1", "BUTTON deinit ch=1"),
    ND_FUNC("status", f_status, "lmf=None", "STATUS status"),
    ND_FUNC("pinmap", f_pinmap, "", "pinmap"),
    ND_FUNCS_END,
};

const nd_module nd_mod_servo = {"servo", funcs, NULL, "two hobby servos (50 Hz PWM)"};
