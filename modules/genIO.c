/*
** genIO.c -- generic GPIO by number (micrOS LM_genIO). Each pin used is
** booked as "genio_<n>", so genIO cannot grab a pin a device module owns
** (and the reverse); numbers outside the board are refused by the booking.
*/
#include <stdio.h>

#include "nodus/hal.h"
#include "nodus/module.h"
#include "nodus/pins.h"

static int pin_arg(nd_call *c, int i, int *pin)
{
    int64_t v;
    if (nd_arg_int(c, i, &v)) return ND_ERR;
    if (v < 0 || v > 1000) return nd_fail(c, "pin=%lld out of range", (long long)v);
    char tag[16];
    snprintf(tag, sizeof tag, "genio_%d", (int)v);
    if (nd_pin_bind_arg(c, tag, i, pin)) return ND_ERR;
    return ND_OK;
}

static int f_set_out(nd_call *c)
{
    int pin = 0;
    bool st;
    if (pin_arg(c, 0, &pin)) return ND_ERR;
    nd_arg_bool(c, 1, &st);
    if (nd_gpio_write(pin, st) < 0) return nd_fail(c, "%s", nd_hal_error());
    return nd_ret_str(c, "Set pin %d to %d", pin, st);
}

static int f_get_in(nd_call *c)
{
    int pin = 0;
    if (pin_arg(c, 0, &pin)) return ND_ERR;
    int64_t pull;
    if (nd_arg_int(c, 1, &pull)) return ND_ERR;
    if (pull < 0 || pull > 2) return nd_fail(c, "pull=%lld must be 0 (none), 1 (up) or 2 (down)", (long long)pull);
    if (nd_gpio_mode(pin, ND_GPIO_IN, (int)pull) < 0) return nd_fail(c, "%s", nd_hal_error());
    int v = nd_gpio_read(pin);
    if (v < 0) return nd_fail(c, "%s", nd_hal_error());
    return nd_ret_int(c, v);
}

static int f_get_adc(nd_call *c)
{
    int pin = 0;
    if (pin_arg(c, 0, &pin)) return ND_ERR;
    int raw = nd_adc_read(pin);
    if (raw < 0) return nd_fail(c, "%s", nd_hal_error());
    nd_value *d = nd_ret_dict(c);
    if (!d || nd_dict_set(c->arena, d, "raw", nd_int(c->arena, raw)) ||
        nd_dict_set(c->arena, d, "percent", nd_float(c->arena, (double)(long)(raw * 1000.0 / ND_ADC_MAX + 0.5) / 10.0)) ||
        nd_dict_set(c->arena, d, "volt", nd_float(c->arena, (double)(long)(raw * (double)ND_ADC_VREF_MV / ND_ADC_MAX + 0.5) / 1000.0)))
        return nd_fail(c, "memory allocation failed");
    return ND_OK;
}

static int f_set_pwm(nd_call *c)
{
    int pin = 0;
    int64_t duty, freq;
    if (pin_arg(c, 0, &pin) || nd_arg_int(c, 1, &duty) || nd_arg_int(c, 2, &freq)) return ND_ERR;
    if (duty < 0 || duty > ND_PWM_DUTY_MAX) return nd_fail(c, "duty=%lld out of range 0..%d", (long long)duty, ND_PWM_DUTY_MAX);
    if (freq < 1 || freq > ND_PWM_FREQ_MAX) return nd_fail(c, "freq=%lld out of range 1..%d", (long long)freq, ND_PWM_FREQ_MAX);
    if (nd_pwm_set(pin, (uint32_t)freq, (uint32_t)duty) < 0) return nd_fail(c, "%s", nd_hal_error());
    return nd_ret_str(c, "Set pin %d duty %lld", pin, (long long)duty);
}

static const nd_func funcs[] = {
    ND_FUNC("set_out", f_set_out, "pin state=True", "set_out pin state=<True,False>"),
    ND_FUNC("get_in", f_get_in, "pin pull=2", "get_in pin pull=<0,1,2>"),
    ND_FUNC("get_adc", f_get_adc, "pin", "get_adc pin"),
    ND_FUNC("set_pwm", f_set_pwm, "pin duty freq=1000", "set_pwm pin duty=<0-1023> freq=1000"),
    ND_FUNCS_END,
};

const nd_module nd_mod_genIO = {"genIO", funcs, NULL, "generic GPIO, PWM and ADC by pin number"};
