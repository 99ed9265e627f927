/*
** aht10.c -- AHT10 temperature/humidity over I2C at 0x38 (micrOS
** LM_aht10): measure -> {'temp [ºC]': 22.49998, 'hum [%]': 40.99998} --
** micrOS's keys (with their spaces and the ordinal sign) and its unrounded
** floats from the datasheet formulas.
**
** A measurement takes at least 75 ms, which micrOS sleeps through. nodus
** never blocks the loop: a background task "aht10._meas" triggers a
** measurement (0xAC 33 00), reads the 6-byte frame once the busy bit
** clears (polling 20 ms at a time, at most 10 times as micrOS), and keeps
** the newest reading; measure returns it (at most PERIOD_MS old). Until the
** first frame, measure fails with "first measurement running". The
** contract: docs/modules.md.
*/
#include <stdio.h>
#include <string.h>

#include "nodus/hal.h"
#include "nodus/module.h"
#include "nodus/pins.h"
#include "nodus/sensors.h"
#include "nodus/task.h"

#define MEAS_MS 80
#define POLL_MS 20
#define PERIOD_MS 2000
#define TAG "aht10._meas"

static struct {
    int bus;
    bool init;
    int polls;     /* busy polls of the running measurement; -1: none running */
    bool have;
    double t, h;
    char err[120];
} s = {-1, false, -1, false, 0, 0, ""};

static int setup(nd_call *c)
{
    if (s.init) return ND_OK;
    int sda, scl;
    if (nd_pin_bind(c, "i2c_sda", &sda) || nd_pin_bind(c, "i2c_scl", &scl)) return ND_ERR;
    int bus = nd_i2c_bus(nd_pin_gpio(sda), nd_pin_gpio(scl));
    if (bus < 0) return nd_fail(c, "no I2C bus on sda %d scl %d: %s", sda, scl, nd_hal_error());
    static const uint8_t init_cmd[3] = {0xE1, 0x08, 0x00};
    if (nd_i2c_xfer(bus, ND_AHT10_ADDR, init_cmd, 3, NULL, 0) < 0)
        return nd_fail(c, "Could not initialize the sensor! AHT10 at 0x38: %s", nd_hal_error());
    s.bus = bus, s.init = true;
    return ND_OK;
}

static int32_t meas_step(nd_task *t, void *ud)
{
    (void)ud;
    if (s.polls < 0) {
        static const uint8_t trig[3] = {0xAC, 0x33, 0x00};
        if (nd_i2c_xfer(s.bus, ND_AHT10_ADDR, trig, 3, NULL, 0) < 0) {
            snprintf(s.err, sizeof s.err, "AHT10 at 0x38 does not answer: %s", nd_hal_error());
            s.init = false; /* initialise again when it comes back */
            return ND_TASK_DONE;
        }
        s.polls = 0;
        return MEAS_MS;
    }
    uint8_t d[6];
    if (nd_i2c_xfer(s.bus, ND_AHT10_ADDR, NULL, 0, d, sizeof d) < 0) {
        snprintf(s.err, sizeof s.err, "AHT10 at 0x38 does not answer: %s", nd_hal_error());
        s.init = false, s.polls = -1;
        return ND_TASK_DONE;
    }
    if (d[0] & 0x80) { /* still busy */
        if (++s.polls < 10) return POLL_MS;
        snprintf(s.err, sizeof s.err, "AHT10 stays busy");
        s.polls = -1;
        return PERIOD_MS;
    }
    nd_aht10_decode(d, &s.t, &s.h);
    s.have = true, s.err[0] = 0, s.polls = -1;
    nd_task_printf(t, "temp %.2f C hum %.2f %%", s.t, s.h);
    return PERIOD_MS - MEAS_MS;
}

static int start(nd_call *c)
{
    if (setup(c)) return ND_ERR;
    nd_value *keep = c->ret;
    if (nd_task_spawn(c, TAG, meas_step, NULL, 0)) return ND_ERR;
    /* a new task (the last one was killed) starts its cycle from the top */
    nd_value *st = c->ret ? nd_dict_get(c->ret, TAG) : NULL;
    if (st && st->type == ND_T_STR && strcmp(st->u.s.p, "Starting") == 0) s.polls = -1;
    c->ret = keep;
    return ND_OK;
}

static int f_load(nd_call *c)
{
    if (start(c)) return ND_ERR;
    return nd_ret_str(c, "AHT10 temp/hum sensor - loaded");
}

static int f_measure(nd_call *c)
{
    if (start(c)) return ND_ERR;
    if (s.err[0]) {
        s.have = false;
        nd_fail(c, "%s", s.err);
        s.err[0] = 0;
        return ND_ERR;
    }
    if (!s.have) return nd_fail(c, "AHT10: first measurement running (%d ms), call again", MEAS_MS);
    nd_value *d = nd_ret_dict(c);
    if (!d || nd_dict_set(c->arena, d, "temp [ºC]", nd_float(c->arena, s.t)) ||
        nd_dict_set(c->arena, d, "hum [%]", nd_float(c->arena, s.h)))
        return nd_fail(c, "memory allocation failed");
    return ND_OK;
}

static int f_reset(nd_call *c)
{
    if (setup(c)) return ND_ERR;
    static const uint8_t rst = 0xBA;
    if (nd_i2c_xfer(s.bus, ND_AHT10_ADDR, &rst, 1, NULL, 0) < 0)
        return nd_fail(c, "AHT10 at 0x38 does not answer: %s", nd_hal_error());
    s.init = false; /* the next use sends the init command again */
    return ND_OK;   /* micrOS returns None */
}

static int f_pinmap(nd_call *c)
{
    static const char *const tags[] = {"i2c_scl", "i2c_sda", NULL};
    return nd_pin_ret_map(c, tags);
}

static const nd_func funcs[] = {
    ND_FUNC("measure", f_measure, "", "GRAPH measure"),
    ND_FUNC("reset", f_reset, "", "reset"),
    ND_FUNC("load", f_load, "", "load"),
    ND_FUNC("pinmap", f_pinmap, "", "pinmap"),
    ND_FUNCS_END,
};

const nd_module nd_mod_aht10 = {"aht10", funcs, NULL, "AHT10 temperature and humidity (I2C)"};
