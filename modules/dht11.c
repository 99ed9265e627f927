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

#define LOG_LINES 12 /* micrOS data_logger's default line limit */
#define LOG_LINE 96

static int pin = -1;
static char log_ring[LOG_LINES][LOG_LINE];
static int log_n, log_next;

static void log_add(nd_call *c, const nd_value *data)
{
    nd_tm tm;
    nd_buf b;
    nd_node_localtime(c->node, &tm);
    nd_buf_init(&b, LOG_LINE);
    nd_buf_printf(&b, "%d.%d.%d-%d:%d:%d ", tm.year, tm.mon, tm.mday, tm.hour, tm.min, tm.sec);
    nd_render_repr(&b, data);
    snprintf(log_ring[log_next], LOG_LINE, "%s", nd_buf_cstr(&b));
    nd_buf_free(&b);
    log_next = (log_next + 1) % LOG_LINES;
    if (log_n < LOG_LINES) log_n++;
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
    if (log) log_add(c, d);
    return ND_OK;
}

static int f_logger(nd_call *c)
{
    nd_buf b;
    nd_buf_init(&b, LOG_LINES * LOG_LINE);
    for (int i = 0; i < log_n; i++) {
        int k = (log_next - log_n + i + LOG_LINES) % LOG_LINES;
        nd_buf_printf(&b, "%s%s", i ? "\n" : "", log_ring[k]);
    }
    c->ret = nd_strn(c->arena, b.p ? b.p : "", b.n);
    nd_buf_free(&b);
    return c->ret ? ND_OK : nd_fail(c, "memory allocation failed");
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
