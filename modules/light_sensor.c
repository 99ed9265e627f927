/*
** light_sensor.c -- TEMT6000-style analog light sensor on `temp6000`
** (micrOS LM_light_sensor): intensity -> {'light intensity [%]': x} and
** illuminance -> {'illuminance [lux]': '123.45'} (a string, as micrOS),
** both the average of 20 readings in micrOS SmartADC's scale (16-bit raw,
** 2.45 V full scale). The contract: docs/modules.md.
*/
#include <stdio.h>
#include <stdlib.h>

#include "nodus/hal.h"
#include "nodus/module.h"
#include "nodus/pins.h"

#define SAMPLES 20          /* micrOS averages 20 readings (noise) */
#define U16_MAX 65535.0     /* SmartADC: read_u16() */
#define FULL_MV 2450.0      /* SmartADC: 11 dB attenuation, 2.45 V */

static int pin = -1;

static double pyround(double x, int nd) /* Python's round(x, nd) */
{
    char b[400];
    snprintf(b, sizeof b, "%.*f", nd, x);
    return strtod(b, NULL);
}

/* One SmartADC.get(): the mean of two read_u16() (12 bits widened to 16 by
** repeating the top bits, as MicroPython does), percent and volts. */
static int smart_adc(nd_call *c, int *raw, double *percent, double *volt)
{
    int s[2];
    if (pin < 0 && nd_pin_bind(c, "temp6000", &pin)) return ND_ERR;
    for (int i = 0; i < 2; i++) {
        int r = nd_adc_read(nd_pin_gpio(pin));
        if (r < 0) return nd_fail(c, "%s", nd_hal_error());
        s[i] = (r << 4) | (r >> 8);
    }
    *raw = (s[0] + s[1]) / 2;
    double p = *raw / U16_MAX;
    *percent = pyround(p * 100, 1);
    *volt = pyround(p * FULL_MV / 1000, 2);
    return ND_OK;
}

static int f_intensity(nd_call *c)
{
    double sum = 0, p, v;
    int raw;
    for (int i = 0; i < SAMPLES; i++) {
        if (smart_adc(c, &raw, &p, &v)) return ND_ERR;
        sum += p;
    }
    nd_value *d = nd_ret_dict(c);
    if (!d || nd_dict_set(c->arena, d, "light intensity [%]", nd_float(c->arena, pyround(sum / SAMPLES, 1))))
        return nd_fail(c, "memory allocation failed");
    return ND_OK;
}

static int f_illuminance(nd_call *c)
{
    double sum = 0, p, v;
    int raw;
    for (int i = 0; i < SAMPLES; i++) {
        if (smart_adc(c, &raw, &p, &v)) return ND_ERR;
        sum += v;
    }
    double volts = pyround(sum / SAMPLES, 1);
    double amps = volts / 10000.0; /* across the 10 kOhm divider */
    double microamps = amps * 1000000;
    nd_value *d = nd_ret_dict(c);
    if (!d || nd_dict_set(c->arena, d, "illuminance [lux]", nd_strf(c->arena, "%.2f", microamps * 2.0)))
        return nd_fail(c, "memory allocation failed");
    return ND_OK;
}

/* nodus: one SmartADC reading as micrOS's genIO get_adc shows it */
static int f_adc(nd_call *c)
{
    double p, v;
    int raw;
    if (smart_adc(c, &raw, &p, &v)) return ND_ERR;
    nd_value *d = nd_ret_dict(c);
    if (!d || nd_dict_set(c->arena, d, "raw", nd_int(c->arena, raw)) ||
        nd_dict_set(c->arena, d, "percent", nd_float(c->arena, p)) ||
        nd_dict_set(c->arena, d, "volt", nd_float(c->arena, v)))
        return nd_fail(c, "memory allocation failed");
    return ND_OK;
}

static int f_load(nd_call *c)
{
    if (nd_pin_bind_arg(c, "temp6000", 0, &pin)) return ND_ERR;
    return nd_ret_str(c, "TEMPT6000 light sensor module - loaded");
}

static int f_pinmap(nd_call *c)
{
    static const char *const tags[] = {"temp6000", NULL};
    return nd_pin_ret_map(c, tags);
}

/* micrOS's help order (subscribe_intercon and the "[Info]" line are not in
** nodus); load's pin= and adc are nodus's */
static const nd_func funcs[] = {
    ND_FUNC("intensity", f_intensity, "", "TEXTBOX intensity"),
    ND_FUNC("illuminance", f_illuminance, "", "TEXTBOX illuminance"),
    ND_FUNC("pinmap", f_pinmap, "", "pinmap"),
    ND_FUNC("load", f_load, "pin=None", "load"),
    ND_FUNC("adc", f_adc, "", "adc"),
    ND_FUNCS_END,
};

const nd_module nd_mod_light_sensor = {"light_sensor", funcs, NULL, "analog light sensor (ADC)"};
