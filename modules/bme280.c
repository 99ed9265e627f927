/*
** bme280.c -- BME280 temperature/humidity/pressure over I2C (micrOS
** LM_bme280), register level: chip id, calibration, normal mode at x1
** oversampling, then each measure reads the 8 data bytes and applies the
** datasheet's integer compensation (sensors.h). Normal mode keeps measuring
** on its own, so reading never waits for a conversion. measure answers
** micrOS's keys {'temp[C]', 'hum[%]', 'pressure[hPa]'} with micrOS's two
** decimals (cut, not rounded). The contract: docs/modules.md.
*/
#include "nodus/hal.h"
#include "nodus/module.h"
#include "nodus/notify.h"
#include "nodus/pins.h"
#include "nodus/sensors.h"

static struct {
    int bus, addr;
    bool ok;
    nd_bme280_calib cal;
} s = {-1, 0x76, false, {0}};

static int setup(nd_call *c, int addr)
{
    int sda = 0, scl = 0;
    if (nd_pin_bind(c, "i2c_sda", &sda) || nd_pin_bind(c, "i2c_scl", &scl)) return ND_ERR;
    int bus = nd_i2c_bus(nd_pin_gpio(sda), nd_pin_gpio(scl));
    if (bus < 0) return nd_fail(c, "no I2C bus on sda %d scl %d: %s", sda, scl, nd_hal_error());
    uint8_t id = 0, c1[26], c2[7];
    if (nd_i2c_reg_read(bus, (uint8_t)addr, ND_BME280_REG_ID, &id, 1) < 0)
        return nd_fail(c, "BME280 at 0x%02x does not answer: %s", addr, nd_hal_error());
    if (id != ND_BME280_CHIP_ID) return nd_fail(c, "device at 0x%02x is not a BME280 (chip id 0x%02x)", addr, id);
    if (nd_i2c_reg_read(bus, (uint8_t)addr, ND_BME280_REG_CALIB1, c1, sizeof c1) < 0 ||
        nd_i2c_reg_read(bus, (uint8_t)addr, ND_BME280_REG_CALIB2, c2, sizeof c2) < 0)
        return nd_fail(c, "BME280 calibration read failed: %s", nd_hal_error());
    nd_bme280_calib_parse(c1, c2, &s.cal);
    uint8_t hum = 0x01, meas = 0x27; /* osrs_h x1; osrs_t x1, osrs_p x1, normal mode */
    if (nd_i2c_reg_write(bus, (uint8_t)addr, ND_BME280_REG_CTRL_HUM, &hum, 1) < 0 ||
        nd_i2c_reg_write(bus, (uint8_t)addr, ND_BME280_REG_CTRL_MEAS, &meas, 1) < 0)
        return nd_fail(c, "BME280 configuration failed: %s", nd_hal_error());
    s.bus = bus, s.addr = addr, s.ok = true;
    return ND_OK;
}

static int addr_arg(nd_call *c, int i, int *a)
{
    int64_t v;
    if (nd_arg_int(c, i, &v)) return ND_ERR;
    if (v != 0x76 && v != 0x77) return nd_fail(c, "addr=0x%llx must be 0x76 or 0x77", (long long)v);
    *a = (int)v;
    return ND_OK;
}

static int f_load(nd_call *c)
{
    int a = 0x76;
    if (addr_arg(c, 0, &a) || setup(c, a)) return ND_ERR;
    return nd_ret_str(c, "BME280 temp/hum/pressure sensor - loaded");
}

static int f_measure(nd_call *c)
{
    if (!s.ok && setup(c, s.addr)) return ND_ERR;
    uint8_t d[8];
    if (nd_i2c_reg_read(s.bus, (uint8_t)s.addr, ND_BME280_REG_DATA, d, sizeof d) < 0) {
        s.ok = false; /* set up again next time: the sensor may have been reset */
        return nd_fail(c, "BME280 at 0x%02x does not answer: %s", s.addr, nd_hal_error());
    }
    int32_t at, ap, ah, tf;
    nd_bme280_raw(d, &at, &ap, &ah);
    /* micrOS prints "<int>.<2 digits>" of the integer results and reads it
    ** back: 0.01 degC / 100, whole Pa / 100, and %RH cut to 2 decimals --
    ** a correctly rounded division gives that same double */
    double t = nd_bme280_temp(&s.cal, at, &tf) / 100.0;
    double p = (double)(nd_bme280_press(&s.cal, ap, tf) >> 8) / 100.0;
    double h = (double)(((uint64_t)nd_bme280_hum(&s.cal, ah, tf) * 100) >> 10) / 100.0;
    nd_value *r = nd_ret_dict(c);
    if (!r || nd_dict_set(c->arena, r, "temp[C]", nd_float(c->arena, t)) ||
        nd_dict_set(c->arena, r, "hum[%]", nd_float(c->arena, h)) ||
        nd_dict_set(c->arena, r, "pressure[hPa]", nd_float(c->arena, p)))
        return nd_fail(c, "memory allocation failed");
    bool ntfy = false;
    nd_arg_bool(c, 0, &ntfy);
    if (ntfy) { /* micrOS: notify('\n'.join(f"{k}: {v}" ...)), no title; the reply is the same
                ** either way, and a channel that is off or rate-limited is not an error */
        nd_buf b;
        nd_buf_init(&b, 256);
        nd_buf_puts(&b, "temp[C]: ");
        nd_render_float(&b, t);
        nd_buf_puts(&b, "\nhum[%]: ");
        nd_render_float(&b, h);
        nd_buf_puts(&b, "\npressure[hPa]: ");
        nd_render_float(&b, p);
        (void)nd_notify(c->node, NULL, nd_buf_cstr(&b));
        nd_buf_free(&b);
    }
    return ND_OK;
}

static int f_pinmap(nd_call *c)
{
    static const char *const tags[] = {"i2c_scl", "i2c_sda", NULL}; /* micrOS's order */
    return nd_pin_ret_map(c, tags);
}

static const nd_func funcs[] = {
    ND_FUNC("measure", f_measure, "ntfy=False", "TEXTBOX{\"refresh\": 2000} measure ntfy=False"),
    ND_FUNC("load", f_load, "addr=0x76", "load"), /* addr= is nodus's */
    ND_FUNC("pinmap", f_pinmap, "", "pinmap"),
    ND_FUNCS_END,
};

const nd_module nd_mod_bme280 = {"bme280", funcs, NULL, "BME280 temperature, humidity, pressure (I2C)"};
