/*
** i2c.c -- I2C bus scan on i2c_sda/i2c_scl (micrOS LM_i2c): `scan` lists
** the 7-bit addresses that answer, as micrOS's [118]; `discover` (nodus)
** names the usual suspects. The contract: docs/modules.md.
*/
#include <stdio.h>

#include "nodus/hal.h"
#include "nodus/module.h"
#include "nodus/pins.h"

static int bus_of(nd_call *c, int *bus)
{
    int sda = 0, scl = 0;
    if (nd_pin_bind(c, "i2c_sda", &sda) || nd_pin_bind(c, "i2c_scl", &scl)) return ND_ERR;
    *bus = nd_i2c_bus(nd_pin_gpio(sda), nd_pin_gpio(scl));
    if (*bus < 0) return nd_fail(c, "no I2C bus on sda %d scl %d: %s", sda, scl, nd_hal_error());
    return ND_OK;
}

static const char *known(int a)
{
    switch (a) {
    case 0x3c: case 0x3d: return "SSD1306/SH1106 OLED";
    case 0x38: return "AHT10";
    case 0x10: return "VEML7700";
    case 0x29: return "VL53L0X/TCS3472";
    case 0x68: case 0x69: return "MPU6050/DS3231/QMI8658";
    case 0x76: case 0x77: return "BME280/BMP280";
    case 0x0a: return "trackball";
    default: return "unknown";
    }
}

static int scan(nd_call *c, bool names)
{
    int bus = 0;
    uint8_t a[128];
    if (bus_of(c, &bus)) return ND_ERR;
    int n = nd_i2c_scan(bus, a, (int)sizeof a);
    if (n < 0) return nd_fail(c, "%s", nd_hal_error());
    if (n > (int)sizeof a) n = (int)sizeof a;
    nd_value *r = names ? nd_ret_dict(c) : nd_list(c->arena);
    if (!r) return nd_fail(c, "memory allocation failed");
    for (int i = 0; i < n; i++) {
        char k[8];
        snprintf(k, sizeof k, "0x%02x", a[i]);
        int rc = names ? nd_dict_set(c->arena, r, k, nd_str(c->arena, known(a[i])))
                       : nd_seq_push(c->arena, r, nd_int(c->arena, a[i]));
        if (rc) return nd_fail(c, "memory allocation failed");
    }
    c->ret = r;
    return ND_OK;
}

static int f_scan(nd_call *c) { return scan(c, false); }
static int f_discover(nd_call *c) { return scan(c, true); }

static int f_pinmap(nd_call *c)
{
    static const char *const tags[] = {"i2c_scl", "i2c_sda", NULL}; /* micrOS's order */
    return nd_pin_ret_map(c, tags);
}

static const nd_func funcs[] = {
    ND_FUNC("scan", f_scan, "", "scan"), /* micrOS's help has no widget tags */
    ND_FUNC("pinmap", f_pinmap, "", "pinmap"),
    ND_FUNC("discover", f_discover, "", "discover"),
    ND_FUNCS_END,
};

const nd_module nd_mod_i2c = {"i2c", funcs, NULL, "I2C bus scan"};
