/*
** ds18.c -- DS18B20 temperature sensors on the 1-Wire pin `ds18` (micrOS
** LM_ds18): measure -> {'temp[C]': 21.5} for one sensor, [21.5, 23.0] (ROM
** order) for several, 'Sensor(s) was not found.' for none -- micrOS's
** shapes exactly.
**
** A conversion takes 750 ms, which micrOS sleeps through; nodus never
** blocks the loop, so a background task "ds18._conv" keeps the readings
** fresh instead: search + CONVERT T on all sensors, 750 ms later READ
** SCRATCHPAD of each (CRC-8 checked), every PERIOD_MS. measure returns the
** newest reading (at most PERIOD_MS + 750 ms old). The task starts on load
** or the first measure; until its first conversion completes measure fails
** with a clear "first conversion running" (call again after 750 ms).
** The contract: docs/modules.md.
*/
#include <stdio.h>
#include <string.h>

#include "nodus/hal.h"
#include "nodus/module.h"
#include "nodus/pins.h"
#include "nodus/sensors.h"
#include "nodus/task.h"

#define CONV_MS 750
#define PERIOD_MS 2000
#define TAG "ds18._conv"

static struct {
    int pin;
    int n;                        /* sensors of the last completed round */
    double t[ND_OW_DEV_MAX];
    uint64_t rom[ND_OW_DEV_MAX];
    int nfound;                   /* sensors found by the running round */
    bool reading;                 /* next step reads the scratchpads */
    bool have;                    /* a round has completed */
    bool none;                    /* the last search found nothing */
    char err[120];                /* the last round's failure, "" when none */
} s = {.pin = -1};

static int32_t conv_step(nd_task *t, void *ud)
{
    (void)ud;
    int g = nd_pin_gpio(s.pin);
    if (!s.reading) {
        int n = nd_ow_search(g, s.rom, ND_OW_DEV_MAX);
        s.none = n <= 0;
        if (n <= 0) {
            s.have = true, s.n = 0;
            nd_task_printf(t, "Sensor(s) was not found.");
            return PERIOD_MS;
        }
        uint8_t cmd = ND_DS18_CONVERT;
        if (nd_ow_xfer(g, 0, &cmd, 1, NULL, 0) < 0) {
            snprintf(s.err, sizeof s.err, "conversion failed: %s", nd_hal_error());
            s.have = true;
            return PERIOD_MS;
        }
        s.nfound = n;
        s.reading = true;
        return CONV_MS;
    }
    s.reading = false;
    double v[ND_OW_DEV_MAX];
    for (int i = 0; i < s.nfound; i++) {
        uint8_t cmd = ND_DS18_READ, sp[9];
        const char *why = NULL;
        if (nd_ow_xfer(g, s.rom[i], &cmd, 1, sp, sizeof sp) < 0) why = nd_hal_error();
        else if (nd_ds18_decode(sp, &v[i]) != ND_OK) why = "scratchpad CRC error";
        if (why) {
            char nm[20];
            nd_w1_rom_name(s.rom[i], nm, sizeof nm);
            snprintf(s.err, sizeof s.err, "%s: %s", nm, why);
            s.have = true;
            return PERIOD_MS - CONV_MS;
        }
    }
    memcpy(s.t, v, sizeof v);
    s.n = s.nfound;
    s.err[0] = 0;
    s.have = true;
    nd_task_printf(t, "%d sensor(s), first %.4g C", s.n, s.t[0]);
    return PERIOD_MS - CONV_MS;
}

/* Bind the pin and make sure the conversion task runs. */
static int start(nd_call *c)
{
    if (s.pin < 0 && nd_pin_bind(c, "ds18", &s.pin)) return ND_ERR;
    nd_value *keep = c->ret;
    if (nd_task_spawn(c, TAG, conv_step, NULL, 0)) return ND_ERR;
    /* a new task (the last one was killed) starts its cycle from the top */
    nd_value *st = c->ret ? nd_dict_get(c->ret, TAG) : NULL;
    if (st && st->type == ND_T_STR && strcmp(st->u.s.p, "Starting") == 0) s.reading = false;
    c->ret = keep;
    return ND_OK;
}

static int f_load(nd_call *c)
{
    if (start(c)) return ND_ERR;
    return nd_ret_str(c, "DS18 temp sensor module - loaded");
}

static int f_measure(nd_call *c)
{
    if (start(c)) return ND_ERR;
    if (!s.have) {
        /* the search is quick: an empty bus answers at once, as micrOS does */
        uint64_t r[1];
        if (nd_ow_search(nd_pin_gpio(s.pin), r, 1) <= 0) return nd_ret_str(c, "Sensor(s) was not found.");
        return nd_fail(c, "DS18B20: first conversion running (%d ms), call again", CONV_MS);
    }
    if (s.none) return nd_ret_str(c, "Sensor(s) was not found.");
    if (s.err[0]) return nd_fail(c, "DS18B20 %s", s.err);
    if (s.n == 1) {
        nd_value *d = nd_ret_dict(c);
        if (!d || nd_dict_set(c->arena, d, "temp[C]", nd_float(c->arena, s.t[0])))
            return nd_fail(c, "memory allocation failed");
        return ND_OK;
    }
    nd_value *l = nd_list(c->arena);
    if (!l) return nd_fail(c, "memory allocation failed");
    for (int i = 0; i < s.n; i++)
        if (nd_seq_push(c->arena, l, nd_float(c->arena, s.t[i]))) return nd_fail(c, "memory allocation failed");
    c->ret = l;
    return ND_OK;
}

/* nodus: the ROM codes found, as the kernel names them ("28-...") */
static int f_roms(nd_call *c)
{
    if (s.pin < 0 && nd_pin_bind(c, "ds18", &s.pin)) return ND_ERR;
    uint64_t r[ND_OW_DEV_MAX];
    int n = nd_ow_search(nd_pin_gpio(s.pin), r, ND_OW_DEV_MAX);
    nd_value *l = nd_list(c->arena);
    if (!l) return nd_fail(c, "memory allocation failed");
    for (int i = 0; i < n; i++) {
        char nm[20];
        nd_w1_rom_name(r[i], nm, sizeof nm);
        nd_seq_push(c->arena, l, nd_str(c->arena, nm));
    }
    c->ret = l;
    return ND_OK;
}

static int f_pinmap(nd_call *c)
{
    static const char *const tags[] = {"ds18", NULL};
    return nd_pin_ret_map(c, tags);
}

static const nd_func funcs[] = {
    ND_FUNC("measure", f_measure, "", "TEXTBOX measure"),
    ND_FUNC("load", f_load, "", "load"),
    ND_FUNC("pinmap", f_pinmap, "", "pinmap"),
    ND_FUNC("roms", f_roms, "", "roms"),
    ND_FUNCS_END,
};

const nd_module nd_mod_ds18 = {"ds18", funcs, NULL, "DS18B20 1-Wire temperature sensors"};
