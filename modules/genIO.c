/*
** genIO.c -- generic GPIO by number (micrOS LM_genIO): replies are dicts
** that echo the pin as given ({'pin': 13, 'state': 1}). Each pin used is
** booked as micrOS books it -- "OUT13", "IN13", "PWM13", "ADC13" -- so genIO
** cannot grab a pin a device module owns (and the reverse), and numbers
** outside the board are refused by the booking. A logical name ('neop')
** is taken only after `load allow_tags=True`, as in micrOS.
** The contract: docs/modules.md.
*/
#include <stdio.h>
#include <stdlib.h>

#include "nodus/hal.h"
#include "nodus/module.h"
#include "nodus/pins.h"
#include "nodus/port.h"

#define U16_MAX 65535.0 /* SmartADC: read_u16() */
#define FULL_MV 2450.0  /* SmartADC: 11 dB attenuation, 2.45 V */

static bool allow_tags;

/* micrOS's pin handling: an int is booked as <kind><n>; a str is a pin-map
** name, refused unless load(allow_tags=True). */
static int pin_arg(nd_call *c, int i, const char *kind, int *pin)
{
    nd_value *v = c->argv[i];
    if (v && v->type == ND_T_STR) {
        if (!allow_tags) return nd_fail(c, "pin must be integer not <class 'str'>: %.40s", v->u.s.p);
        if (nd_pin_bind(c, v->u.s.p, pin)) return ND_ERR;
        *pin = nd_pin_gpio(*pin);
        return ND_OK;
    }
    if (!v || (v->type != ND_T_INT && v->type != ND_T_BOOL))
        return nd_fail(c, "microIO.allocate_pin number parameter must be integer!");
    int64_t n;
    nd_arg_int(c, i, &n);
    if (n < 0 || n > 1000) return nd_fail(c, "pin=%lld out of range", (long long)n);
    char tag[16];
    snprintf(tag, sizeof tag, "%s%d", kind, (int)n);
    return nd_pin_bind_arg(c, tag, i, pin);
}

static int set(nd_call *c, nd_value *d, const char *k, nd_value *v)
{
    if (!v || nd_dict_set(c->arena, d, k, v) != ND_OK) return nd_fail(c, "memory allocation failed");
    return ND_OK;
}

/* {'pin': <as given>, 'freq': f, 'duty': d} */
static int pwm(nd_call *c, int64_t duty, int freq_arg)
{
    int pin = 0;
    int64_t freq;
    if (pin_arg(c, 0, "PWM", &pin) || nd_arg_int(c, freq_arg, &freq)) return ND_ERR;
    if (duty < 0 || duty > ND_PWM_DUTY_MAX) return nd_fail(c, "duty=%lld out of range 0..%d", (long long)duty, ND_PWM_DUTY_MAX);
    if (freq < 1 || freq > ND_PWM_FREQ_MAX) return nd_fail(c, "freq=%lld out of range 1..%d", (long long)freq, ND_PWM_FREQ_MAX);
    if (nd_pwm_set(pin, (uint32_t)freq, (uint32_t)duty) < 0) return nd_fail(c, "%s", nd_hal_error());
    nd_value *d = nd_ret_dict(c);
    if (!d || set(c, d, "pin", c->argv[0]) || set(c, d, "freq", nd_int(c->arena, freq)) ||
        set(c, d, "duty", nd_int(c->arena, duty)))
        return ND_ERR;
    return ND_OK;
}

static int f_set_pwm(nd_call *c)
{
    int64_t duty;
    return nd_arg_int(c, 1, &duty) ? ND_ERR : pwm(c, duty, 2);
}

static int f_set_random_pwm(nd_call *c)
{
    int64_t lo, hi;
    if (nd_arg_int(c, 1, &lo) || nd_arg_int(c, 2, &hi)) return ND_ERR;
    if (lo > hi) return nd_fail(c, "empty range for randrange() (%lld, %lld, %lld)", (long long)lo, (long long)hi + 1,
                                (long long)(hi + 1 - lo));
    uint32_t r;
    nd_port_random(&r, sizeof r);
    return pwm(c, lo + (int64_t)(r % (uint64_t)(hi - lo + 1)), 3); /* randint(min, max) */
}

/* set_out(pin, state=None): None flips the output (and answers a bool) */
static int f_set_out(nd_call *c)
{
    int pin = 0;
    if (pin_arg(c, 0, "OUT", &pin)) return ND_ERR;
    nd_value *st = c->argv[1];
    bool level;
    if (!st || st->type == ND_T_NONE) {
        int now = nd_gpio_read(pin);
        level = now <= 0; /* not obj.value(); a fresh output reads 0 */
        st = nd_bool(c->arena, level);
    } else {
        nd_arg_bool(c, 1, &level);
    }
    if (nd_gpio_write(pin, level) < 0) return nd_fail(c, "%s", nd_hal_error());
    nd_value *d = nd_ret_dict(c);
    if (!d || set(c, d, "pin", c->argv[0]) || set(c, d, "state", st)) return ND_ERR;
    return ND_OK;
}

/* get_in(pin): micrOS reads with the pull-up on; pull= is nodus's */
static int f_get_in(nd_call *c)
{
    int pin = 0;
    int64_t pull;
    if (pin_arg(c, 0, "IN", &pin) || nd_arg_int(c, 1, &pull)) return ND_ERR;
    if (pull < 0 || pull > 2) return nd_fail(c, "pull=%lld must be 0 (none), 1 (up) or 2 (down)", (long long)pull);
    if (nd_gpio_mode(pin, ND_GPIO_IN, (int)pull) < 0) return nd_fail(c, "%s", nd_hal_error());
    int v = nd_gpio_read(pin);
    if (v < 0) return nd_fail(c, "%s", nd_hal_error());
    nd_value *d = nd_ret_dict(c);
    if (!d || set(c, d, "pin", c->argv[0]) || set(c, d, "state", nd_int(c->arena, v))) return ND_ERR;
    return ND_OK;
}

static double pyround(double x, int nd) /* Python's round(x, nd) */
{
    char b[400];
    snprintf(b, sizeof b, "%.*f", nd, x);
    return strtod(b, NULL);
}

/* get_adc(pin, key=None): SmartADC's {'raw', 'percent', 'volt'} plus the
** resolved 'pin'; key picks one of them (None when unknown) */
static int f_get_adc(nd_call *c)
{
    int pin = 0, s[2];
    if (pin_arg(c, 0, "ADC", &pin)) return ND_ERR;
    for (int i = 0; i < 2; i++) {
        int r = nd_adc_read(pin);
        if (r < 0) return nd_fail(c, "%s", nd_hal_error());
        s[i] = (r << 4) | (r >> 8); /* 12 bits widened to read_u16()'s 16 */
    }
    int raw = (s[0] + s[1]) / 2;
    double p = raw / U16_MAX;
    nd_value *d = nd_dict(c->arena);
    if (!d) return nd_fail(c, "memory allocation failed");
    if (set(c, d, "raw", nd_int(c->arena, raw)) || set(c, d, "percent", nd_float(c->arena, pyround(p * 100, 1))) ||
        set(c, d, "volt", nd_float(c->arena, pyround(p * FULL_MV / 1000, 2))) || set(c, d, "pin", nd_int(c->arena, pin)))
        return ND_ERR;
    if (nd_arg_is_none(c, 1)) {
        c->ret = d;
        return ND_OK;
    }
    const char *key;
    if (nd_arg_str(c, 1, &key)) return ND_ERR;
    c->ret = nd_dict_get(d, key); /* NULL renders as None */
    return ND_OK;
}

static int f_load(nd_call *c)
{
    nd_arg_bool(c, 0, &allow_tags);
    return nd_ret_str(c, allow_tags ? "[WARNING] allow_tag=True can be dangerous, use it consciously!!!" : "Loaded");
}

/* micrOS's help lines, as micrOS writes them (no widget tags) */
static const nd_func funcs[] = {
    ND_FUNC("set_pwm", f_set_pwm, "pin duty=500 freq=20480", "set_pwm pin=<int> duty=<0-1000> freq=<int>"),
    ND_FUNC("set_random_pwm", f_set_random_pwm, "pin min_duty max_duty freq=20480",
            "set_random_pwm pin min_duty max_duty freq=20480)"),
    ND_FUNC("set_out", f_set_out, "pin state=None", "set_out pin=<int> state=<None/True/False>"),
    ND_FUNC("get_adc", f_get_adc, "pin key=None", "get_adc pin key=None"),
    ND_FUNC("get_in", f_get_in, "pin pull=1", "get_in pin"),
    ND_FUNC("load", f_load, "allow_tags=False", "load allow_tags=False"),
    ND_FUNCS_END,
};

const nd_module nd_mod_genIO = {"genIO", funcs, NULL, "generic GPIO, PWM and ADC by pin number"};
