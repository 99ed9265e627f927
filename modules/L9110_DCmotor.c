/*
** L9110_DCmotor.c -- L9110 DC motor driver (micrOS LM_L9110_DCmotor): two
** PWM inputs l9110dir_1 / l9110dir_2 at 1024 Hz; motor_control(direc,
** speed) drives one with the speed and holds the other at 0: direc 0 ->
** {'speed': 500, 'direc': 'forward'}, 1 -> 'backward'; another direc ->
** 'invalid parameters' (micrOS's string). micrOS never checks the speed
** (its `0 > speed > 1000` is always false) and crashes past the duty range;
** nodus refuses speeds outside 0..1023 with a clear error. The contract:
** docs/modules.md.
*/
#include "nodus/hal.h"
#include "nodus/module.h"
#include "nodus/pins.h"

#define FREQ 1024

static int pin[2] = {-1, -1};

static int init(nd_call *c)
{
    static const char *const tags[2] = {"l9110dir_1", "l9110dir_2"};
    for (int i = 0; i < 2; i++) {
        if (pin[i] >= 0) continue;
        if (nd_pin_bind(c, tags[i], &pin[i])) return ND_ERR;
        if (nd_pwm_set(nd_pin_gpio(pin[i]), FREQ, 0) < 0) return nd_fail(c, "%s", nd_hal_error());
    }
    return ND_OK;
}

static int f_motor_control(nd_call *c)
{
    int64_t direc, speed;
    if (nd_arg_is_none(c, 0) || nd_arg_is_none(c, 1)) return nd_ret_str(c, "invalid parameters");
    if (nd_arg_int(c, 0, &direc) || nd_arg_int(c, 1, &speed)) return ND_ERR;
    if (direc != 0 && direc != 1) return nd_ret_str(c, "invalid parameters");
    if (speed < 0 || speed > 1023) return nd_fail(c, "speed=%lld out of range 0..1023", (long long)speed);
    if (init(c)) return ND_ERR;
    int on = direc == 0 ? 0 : 1, off = 1 - on;
    if (nd_pwm_set(nd_pin_gpio(pin[off]), FREQ, 0) < 0 || nd_pwm_set(nd_pin_gpio(pin[on]), FREQ, (uint32_t)speed) < 0)
        return nd_fail(c, "%s", nd_hal_error());
    nd_value *d = nd_ret_dict(c);
    if (!d || nd_dict_set(c->arena, d, "speed", c->argv[1]) ||
        nd_dict_set(c->arena, d, "direc", nd_str(c->arena, direc == 0 ? "forward" : "backward")))
        return nd_fail(c, "memory allocation failed");
    return ND_OK;
}

static int f_pinmap(nd_call *c)
{
    static const char *const tags[] = {"l9110dir_1", "l9110dir_2", NULL};
    return nd_pin_ret_map(c, tags);
}

static const nd_func funcs[] = {
    ND_FUNC("motor_control", f_motor_control, "direc=None speed=None",
            "motor_control direc=<0/1> speed=<0-1000>"),
    ND_FUNC("pinmap", f_pinmap, "", "pinmap"),
    ND_FUNCS_END,
};

const nd_module nd_mod_L9110_DCmotor = {"L9110_DCmotor", funcs, NULL, "L9110 DC motor driver (2 PWM inputs)"};
