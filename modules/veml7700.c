/*
** veml7700.c -- VEML7700 ambient light sensor over I2C at 0x10 (micrOS
** LM_veml7700): read_lux -> {'LUX': 461}. load configures what micrOS
** does: integration time 100 ms, gain 1/8 (ALS_CONF 0x1000, power on),
** thresholds and power saving cleared; lux = counts x 0.4608 (micrOS's
** table for that setting), int(round(lux, 0)) -- Python rounds halves to
** even, so does nearbyint. The sensor integrates continuously: a read
** returns the last completed integration, nothing to wait for. The
** contract: docs/modules.md.
*/
#include <math.h>

#include "nodus/hal.h"
#include "nodus/module.h"
#include "nodus/pins.h"
#include "nodus/sensors.h"

#define RESOLUTION 0.4608 /* lux per count at 100 ms, gain 1/8 */

static int bus = -1;

static int setup(nd_call *c)
{
    if (bus >= 0) return ND_OK;
    int sda, scl;
    if (nd_pin_bind(c, "i2c_sda", &sda) || nd_pin_bind(c, "i2c_scl", &scl)) return ND_ERR;
    int b = nd_i2c_bus(nd_pin_gpio(sda), nd_pin_gpio(scl));
    if (b < 0) return nd_fail(c, "no I2C bus on sda %d scl %d: %s", sda, scl, nd_hal_error());
    static const uint8_t conf[4][2] = {{0x00, 0x10}, {0, 0}, {0, 0}, {0, 0}};
    for (int r = 0; r < 4; r++)
        if (nd_i2c_reg_write(b, ND_VEML7700_ADDR, (uint8_t)r, conf[r], 2) < 0)
            return nd_fail(c, "VEML7700 at 0x10 does not answer: %s", nd_hal_error());
    bus = b;
    return ND_OK;
}

/* micrOS returns the driver object (its repr); nodus a line saying so */
static int f_load(nd_call *c)
{
    if (setup(c)) return ND_ERR;
    return nd_ret_str(c, "VEML7700 Digital light intensity sensor - loaded");
}

static int f_read_lux(nd_call *c)
{
    if (setup(c)) return ND_ERR;
    uint8_t v[2];
    if (nd_i2c_reg_read(bus, ND_VEML7700_ADDR, ND_VEML7700_ALS, v, 2) < 0) {
        bus = -1; /* configure again: it may have lost power */
        return nd_fail(c, "VEML7700 at 0x10 does not answer: %s", nd_hal_error());
    }
    double lux = (v[0] + v[1] * 256) * RESOLUTION;
    nd_value *d = nd_ret_dict(c);
    if (!d || nd_dict_set(c->arena, d, "LUX", nd_int(c->arena, (int64_t)nearbyint(lux))))
        return nd_fail(c, "memory allocation failed");
    return ND_OK;
}

static int f_pinmap(nd_call *c)
{
    static const char *const tags[] = {"i2c_scl", "i2c_sda", NULL};
    return nd_pin_ret_map(c, tags);
}

static const nd_func funcs[] = {
    ND_FUNC("load", f_load, "", "load"),
    ND_FUNC("read_lux", f_read_lux, "", "TEXTBOX read_lux"),
    ND_FUNC("pinmap", f_pinmap, "", "pinmap"),
    ND_FUNCS_END,
};

const nd_module nd_mod_veml7700 = {"veml7700", funcs, NULL, "VEML7700 ambient light (I2C)"};
