/*
** L298N.c -- dual H-bridge DC motor driver (micrOS LM_L298N): motor 1 on
** l298n_ENA (PWM speed) / l298n_INA / l298n_INB, motor 2 on l298n_ENB /
** l298n_INC / l298n_IND. speed(motor, 0..1023), direction(motor,
** forward), coast, brake, state -> {'motor1': {'speed': 0, 'state':
** 'coast'}, ...}; states from the direction pins as read back: (1,0)
** forward, (0,1) backward, (0,0) coast, (1,1) brake.
**
** Pins: the board's pin map, else micrOS's default numbers for a board
** that lacks the names (ENA 10, INA 12, INB 11, ENB 3, INC 9, IND 40).
** As micrOS: any motor number but 1 means motor 2, state() with other
** than 1/2 shows both, an out-of-range speed answers {'speed': 'value
** range error'}. The contract: docs/modules.md.
*/
#include "nodus/hal.h"
#include "nodus/module.h"
#include "nodus/pins.h"

#define NPINS 6

static const char *const tags[] = {"l298n_ENA", "l298n_INA", "l298n_INB", "l298n_ENB",
                                   "l298n_INC", "l298n_IND", NULL};
static const int defaults[NPINS] = {10, 12, 11, 3, 9, 40}; /* micrOS's PIN_BINDINGS */

static struct {
    bool init;
    int pin[NPINS];
    int64_t speed[2];
    int64_t freq;
} s = {.freq = 50};

static int bind(nd_call *c, int i)
{
    int p;
    if (nd_pin_find(c->node, tags[i], &p) == ND_OK) return nd_pin_bind(c, tags[i], &s.pin[i]);
    char err[ND_ERRMSG];
    if (nd_node_pin_bind(c->node, tags[i], &defaults[i], &s.pin[i], err, sizeof err) != ND_OK)
        return nd_fail(c, "%s", err);
    return ND_OK;
}

static int init(nd_call *c)
{
    if (s.init) return ND_OK;
    for (int i = 0; i < NPINS; i++) {
        if (bind(c, i)) return ND_ERR;
        int g = nd_pin_gpio(s.pin[i]);
        int rc = i % 3 == 0 ? nd_pwm_set(g, (uint32_t)s.freq, 0) : nd_gpio_write(g, 0);
        if (rc < 0) return nd_fail(c, "%s", nd_hal_error());
    }
    s.init = true;
    return ND_OK;
}

static nd_value *motor_state(nd_call *c, int m)
{
    static const char *const names[4] = {"coast", "backward", "forward", "brake"};
    int in1 = nd_gpio_read(nd_pin_gpio(s.pin[m * 3 + 1]));
    int in2 = nd_gpio_read(nd_pin_gpio(s.pin[m * 3 + 2]));
    nd_value *d = nd_dict(c->arena);
    if (!d) return NULL;
    const char *st = in1 < 0 || in2 < 0 ? "unknown" : names[in1 * 2 + in2];
    if (nd_dict_set(c->arena, d, "speed", nd_int(c->arena, s.speed[m])) ||
        nd_dict_set(c->arena, d, "state", nd_str(c->arena, st)))
        return NULL;
    return d;
}

static int ret_state(nd_call *c, int64_t motor)
{
    nd_value *d = nd_ret_dict(c);
    if (!d) return nd_fail(c, "memory allocation failed");
    for (int m = 0; m < 2; m++) {
        if ((motor == 1 && m == 1) || (motor == 2 && m == 0)) continue;
        nd_value *v = motor_state(c, m);
        if (!v || nd_dict_set(c->arena, d, m ? "motor2" : "motor1", v)) return nd_fail(c, "memory allocation failed");
    }
    return ND_OK;
}

static int motor_arg(nd_call *c, int64_t *motor)
{
    return init(c) || nd_arg_int(c, 0, motor) ? ND_ERR : ND_OK;
}

static int control(nd_call *c, int in1, int in2)
{
    int64_t motor;
    if (motor_arg(c, &motor)) return ND_ERR;
    int b = motor == 1 ? 0 : 3;
    if (nd_gpio_write(nd_pin_gpio(s.pin[b + 1]), in1) < 0 || nd_gpio_write(nd_pin_gpio(s.pin[b + 2]), in2) < 0)
        return nd_fail(c, "%s", nd_hal_error());
    return ret_state(c, motor);
}

static int f_load(nd_call *c)
{
    if (!nd_arg_is_none(c, 0)) {
        int64_t f;
        if (nd_arg_int(c, 0, &f)) return ND_ERR;
        if (f < 1 || f > ND_PWM_FREQ_MAX) return nd_fail(c, "pwm_freq=%lld out of range 1..%d", (long long)f, ND_PWM_FREQ_MAX);
        s.freq = f;
        for (int i = 0; s.init && i < NPINS; i += 3) /* a new frequency for a running driver */
            nd_pwm_set(nd_pin_gpio(s.pin[i]), (uint32_t)f, (uint32_t)s.speed[i / 3]);
    }
    if (init(c)) return ND_ERR;
    return nd_ret_str(c, "Motor driver loaded successfully.");
}

static int f_state(nd_call *c)
{
    int64_t motor;
    if (init(c) || nd_arg_int(c, 0, &motor)) return ND_ERR;
    return ret_state(c, motor);
}

static int f_speed(nd_call *c)
{
    int64_t motor, v;
    if (motor_arg(c, &motor) || nd_arg_int(c, 1, &v)) return ND_ERR;
    if (v < 0 || v > 1023) {
        nd_value *d = nd_ret_dict(c);
        if (!d || nd_dict_set(c->arena, d, "speed", nd_str(c->arena, "value range error")))
            return nd_fail(c, "memory allocation failed");
        return ND_OK;
    }
    int m = motor == 1 ? 0 : 1;
    if (nd_pwm_set(nd_pin_gpio(s.pin[m * 3]), (uint32_t)s.freq, (uint32_t)v) < 0)
        return nd_fail(c, "%s", nd_hal_error());
    s.speed[m] = v;
    return ret_state(c, motor);
}

static int f_direction(nd_call *c)
{
    bool fwd;
    if (nd_arg_bool(c, 1, &fwd)) return ND_ERR;
    return control(c, fwd ? 1 : 0, fwd ? 0 : 1);
}

static int f_coast(nd_call *c) { return control(c, 0, 0); }
static int f_brake(nd_call *c) { return control(c, 1, 1); }
static int f_pinmap(nd_call *c) { return nd_pin_ret_map(c, tags); }

static const nd_func funcs[] = {
    ND_FUNC("speed", f_speed, "motor speed=1023", "speed motor=<1/2> speed=<0-1023>"),
    ND_FUNC("direction", f_direction, "motor forward=True", "direction motor=<1/2> forward=<True/False>"),
    ND_FUNC("coast", f_coast, "motor", "coast motor=<1/2>"),
    ND_FUNC("brake", f_brake, "motor", "brake motor=<1/2>"),
    ND_FUNC("state", f_state, "motor=0", "state motor=<0/1/2>"),
    ND_FUNC("pinmap", f_pinmap, "", "pinmap"),
    ND_FUNC("load", f_load, "pwm_freq=None", "load"),
    ND_FUNCS_END,
};

const nd_module nd_mod_L298N = {"L298N", funcs, NULL, "L298N dual H-bridge DC motor driver"};
