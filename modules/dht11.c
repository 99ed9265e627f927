/*
** dht11.c -- DHT11 temperature/humidity on `dhtpin` (micrOS LM_dht11):
** measure -> {'temp[C]': 21, 'hum[%]': 48}. MicroPython's DHT11 driver
** gives the frame's integer bytes (humidity byte 0, temperature byte 2), so
** micrOS prints ints; so does nodus. The sign bit of byte 2 (newer DHT11
** parts) gives a negative value rather than micrOS's 128 + t. One
** transaction per measure, checksum checked (sensors.h). The contract:
** docs/modules.md.
*/
#include <stdio.h>

#include "nodus/hal.h"
#include "nodus/module.h"
#include "nodus/node.h"
#include "nodus/pins.h"
#include "nodus/sensors.h"

#define LOG_LIMIT 12 /* micrOS data_logger's default line limit */

static int pin = -1;

/* measure(log=True): micrOS's data_logger('dht11', data) -- a stamped line
** in data/dht11.dat, the newest LOG_LIMIT kept (module.h nd_data_log). */
static int log_add(nd_call *c, const nd_value *data)
{
    nd_buf b;
    nd_buf_init(&b, ND_DATALOG_LINE_MAX);
    nd_render_repr(&b, data);
    int rc = nd_data_log(c, "dht11", nd_buf_cstr(&b), LOG_LIMIT);
    nd_buf_free(&b);
    return rc;
}

static int f_measure(nd_call *c)
{
    if (pin < 0 && nd_pin_bind(c, "dhtpin", &pin)) return ND_ERR;
    uint8_t f[5];
    if (nd_dht_read(nd_pin_gpio(pin), f) < 0) return nd_fail(c, "DHT11 read failed: %s", nd_hal_error());
    if ((uint8_t)(f[0] + f[1] + f[2] + f[3]) != f[4])
        return nd_fail(c, "DHT11 checksum error: frame %02x %02x %02x %02x sum %02x", f[0], f[1], f[2], f[3], f[4]);
    int t = f[2] & 0x7f, h = f[0];
    if (f[2] & 0x80) t = -t;
    nd_value *d = nd_ret_dict(c);
    if (!d || nd_dict_set(c->arena, d, "temp[C]", nd_int(c->arena, t)) ||
        nd_dict_set(c->arena, d, "hum[%]", nd_int(c->arena, h)))
        return nd_fail(c, "memory allocation failed");
    bool log;
    nd_arg_bool(c, 0, &log);
    if (log && log_add(c, d)) return ND_ERR;
    return ND_OK;
}

/* logger(): micrOS's data_logger('dht11') read mode -- the file name and
** each line streamed as `~~~` lines (nd_stream), the reply itself empty. */
static int f_logger(nd_call *c)
{
    if (nd_data_log_stream(c, "dht11") < 0) return ND_ERR;
    return nd_ret_str(c, "%s", "");
}

static int f_load(nd_call *c)
{
    if (nd_pin_bind_arg(c, "dhtpin", 0, &pin)) return ND_ERR;
    return nd_ret_str(c, "DHT11 hum/temp sensor module - loaded");
}

static int f_pinmap(nd_call *c)
{
    static const char *const tags[] = {"dhtpin", NULL};
    return nd_pin_ret_map(c, tags);
}

static const nd_func funcs[] = {
    ND_FUNC("measure", f_measure, "log=False", "TEXTBOX measure log=False"),
    ND_FUNC("logger", f_logger, "", "logger"),
    ND_FUNC("load", f_load, "pin=None", "load"),
    ND_FUNC("pinmap", f_pinmap, "", "pinmap"),
    ND_FUNCS_END,
};

const nd_module nd_mod_dht11 = {"dht11", funcs, NULL, "DHT11 temperature and humidity"};
