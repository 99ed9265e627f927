/*
** light_sensor.c -- TEMT6000-style analog light sensor on `temp6000`
** (micrOS LM_light_sensor); readings in micrOS SmartADC's shape.
*/
#include "nodus/hal.h"
#include "nodus/module.h"
#include "nodus/pins.h"

static int pin = -1;

static int f_intensity(nd_call *c)
{
    if (pin < 0 && nd_pin_bind(c, "temp6000", &pin)) return ND_ERR;
    int raw = nd_adc_read(nd_pin_gpio(pin));
    if (raw < 0) return nd_fail(c, "%s", nd_hal_error());
    double pct = (double)(long)(raw * 1000.0 / ND_ADC_MAX + 0.5) / 10.0;
    double volt = (double)(long)(raw * (double)ND_ADC_VREF_MV / ND_ADC_MAX + 0.5) / 1000.0;
    nd_value *d = nd_ret_dict(c);
    if (!d || nd_dict_set(c->arena, d, "raw", nd_int(c->arena, raw)) ||
        nd_dict_set(c->arena, d, "percent", nd_float(c->arena, pct)) ||
        nd_dict_set(c->arena, d, "volt", nd_float(c->arena, volt)))
        return nd_fail(c, "memory allocation failed");
    return ND_OK;
}

static int f_load(nd_call *c)
{
    if (nd_pin_bind_arg(c, "temp6000", 0, &pin)) return ND_ERR;
    return nd_ret_str(c, "light sensor on pin %d", pin);
}

static int f_pinmap(nd_call *c)
{
    static const char *const tags[] = {"temp6000", NULL};
    return nd_pin_ret_map(c, tags);
}

static const nd_func funcs[] = {
    ND_FUNC("load", f_load, "pin=None", "load pin=None"),
    ND_FUNC("intensity", f_intensity, "", "GRAPH{\"refresh\":5000} intensity"),
    ND_FUNC("pinmap", f_pinmap, "", "pinmap"),
    ND_FUNCS_END,
};

const nd_module nd_mod_light_sensor = {"light_sensor", funcs, NULL, "analog light sensor (ADC)"};
