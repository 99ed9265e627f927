/*
** dht22.c -- DHT22 temperature/humidity on `dhtpin` (micrOS LM_dht22).
** One transaction per measure: the hal returns the raw 40-bit frame and
** nd_dht_decode checks it, so a bad checksum is reported as such instead
** of a plausible-looking wrong reading.
*/
#include "nodus/hal.h"
#include "nodus/module.h"
#include "nodus/pins.h"
#include "nodus/sensors.h"

static int pin = -1;

static int f_measure(nd_call *c)
{
    if (pin < 0 && nd_pin_bind(c, "dhtpin", &pin)) return ND_ERR;
    uint8_t f[5];
    double t, h;
    if (nd_dht_read(nd_pin_gpio(pin), f) < 0) return nd_fail(c, "DHT22 read failed: %s", nd_hal_error());
    if (nd_dht_decode(f, 22, &t, &h) != ND_OK)
        return nd_fail(c, "DHT22 checksum error: frame %02x %02x %02x %02x sum %02x", f[0], f[1], f[2], f[3], f[4]);
    nd_value *d = nd_ret_dict(c);
    if (!d || nd_dict_set(c->arena, d, "temp [\xc2\xba" "C]", nd_float(c->arena, t)) ||
        nd_dict_set(c->arena, d, "hum [%]", nd_float(c->arena, h)))
        return nd_fail(c, "memory allocation failed");
    return ND_OK;
}

static int f_load(nd_call *c)
{
    if (nd_pin_bind_arg(c, "dhtpin", 0, &pin)) return ND_ERR;
    return nd_ret_str(c, "dht22 on pin %d", pin);
}

static int f_pinmap(nd_call *c)
{
    static const char *const tags[] = {"dhtpin", NULL};
    return nd_pin_ret_map(c, tags);
}

static const nd_func funcs[] = {
    ND_FUNC("load", f_load, "pin=None", "load pin=None"),
    ND_FUNC("measure", f_measure, "", "TEXTBOX measure"),
    ND_FUNC("pinmap", f_pinmap, "", "pinmap"),
    ND_FUNCS_END,
};

const nd_module nd_mod_dht22 = {"dht22", funcs, NULL, "DHT22 temperature and humidity"};
