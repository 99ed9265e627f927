/*
** sim.c -- drive and inspect the simulated board (hwbackend sim).
**
**   sim pins                      pins in use and wired devices
**   sim set 4 1                   drive input 4 high (a button press)
**   sim pulse 4 ms=100            press for 100 ms, then release
**   sim burst 4 n=10 us=1000      10 alternating edges 1 ms apart (bounce)
**   sim noise 4 hz=100000 ms=1000 an edge storm as a background task
**   sim i2c                       devices on I2C bus 0
**   sim i2cread 0x76 reg=0xD0 n=1 raw register read (fails on NACK)
**   sim dht t=21.5 h=40 bad=2     DHT22 values; next 2 frames corrupt (-1: silent)
**   sim bme280 t=20 p=1013 h=50 present=True
**   sim light 3000                light sensor ADC level 0..4095
**   sim dhtmodel 11               the dhtpin sensor answers as a DHT11 (22: DHT22)
**   sim ds18 0 t=25.5 present=True  DS18B20 number 0/1 on the 1-Wire pin `ds18`
**   sim aht10 t=20 h=40 present=True  AHT10 at 0x38 (I2C parts start unplugged)
**   sim veml7700 counts=2000 present=True  VEML7700 ALS counts at 0x10
**   sim oled present=True         SSD1306 at 0x3C (its frame buffer is on /sim)
**   sim radar state=1 move=120 ... LD2410 report contents on UART tx 1 / rx 38
**   sim rotate 3                  rotary encoder: 3 detents clockwise (-3 ccw)
**   sim state                     everything, for /sim
**   sim irq                       interrupts, edge queue and latency
*/
#include <stdio.h>
#include <string.h>

#include "nodus/hal.h"
#include "nodus/module.h"
#include "nodus/port.h"
#include "nodus/task.h"

static int hal_fail(nd_call *c) { return nd_fail(c, "%s", nd_hal_error()); }

static int f_pins(nd_call *c)
{
    nd_value *st, *d = nd_ret_dict(c);
    if (!d || nd_sim_state(c->arena, &st) != ND_OK) return d ? hal_fail(c) : ND_ERR;
    nd_value *pins = nd_dict_get(st, "pins");
    for (size_t i = 0; i < pins->u.seq.n; i++) {
        nd_value *p = pins->u.seq.v[i];
        nd_value *f = nd_dict_get(p, "freq");
        nd_value *ang = nd_dict_get(p, "angle");
        char extra[64] = "";
        if (f) snprintf(extra, sizeof extra, " %lldHz duty=%lld", (long long)f->u.i,
                        (long long)nd_dict_get(p, "duty")->u.i);
        if (ang) snprintf(extra + strlen(extra), sizeof extra - strlen(extra), " angle=%.1f", ang->u.f);
        nd_value *txt = nd_strf(c->arena, "%s %s %s %lld%s", nd_dict_get(p, "name")->u.s.p,
                                nd_dict_get(p, "device")->u.s.p, nd_dict_get(p, "mode")->u.s.p,
                                (long long)nd_dict_get(p, "level")->u.i, extra);
        if (nd_dict_setv(c->arena, d, nd_dict_get(p, "pin"), txt) != ND_OK) return ND_ENOMEM;
    }
    return ND_OK;
}

static int f_set(nd_call *c)
{
    int64_t pin, level;
    if (nd_arg_int(c, 0, &pin) || nd_arg_int(c, 1, &level)) return ND_ERR;
    if (nd_sim_drive((int)pin, (int)level) != ND_OK) return hal_fail(c);
    return nd_ret_dict(c) && nd_dict_set(c->arena, c->ret, "pin", nd_int(c->arena, pin)) == ND_OK &&
                   nd_dict_set(c->arena, c->ret, "level", nd_int(c->arena, level)) == ND_OK
               ? ND_OK
               : ND_ERR;
}

/* ---- pulse: press now, release later (a stepped task per pin) -------------- */
static int pulse_pin[64];
static int32_t pulse_step(nd_task *t, void *ud)
{
    int pin = (int)(intptr_t)ud;
    if (nd_task_runs(t) == 0) return pulse_pin[pin]; /* first step: wait the pulse length */
    nd_sim_drive(pin, 0);
    nd_task_printf(t, "pin %d released", pin);
    return ND_TASK_DONE;
}

static int f_pulse(nd_call *c)
{
    int64_t pin, ms;
    if (nd_arg_int(c, 0, &pin) || nd_arg_int(c, 1, &ms)) return ND_ERR;
    if (ms < 0 || ms > 600000) return nd_fail(c, "ms must be 0..600000");
    if (pin < 0 || pin >= 64) return nd_fail(c, "pin %lld is not on board sim", (long long)pin);
    if (nd_sim_drive((int)pin, 1) != ND_OK) return hal_fail(c);
    pulse_pin[pin] = (int)ms;
    char tag[24];
    snprintf(tag, sizeof tag, "sim.pulse%lld", (long long)pin);
    return nd_task_spawn(c, tag, pulse_step, (void *)(intptr_t)pin, 0);
}

static int f_burst(nd_call *c)
{
    int64_t pin, n, us;
    if (nd_arg_int(c, 0, &pin) || nd_arg_int(c, 1, &n) || nd_arg_int(c, 2, &us)) return ND_ERR;
    if (us < 0 || us > 10000000) return nd_fail(c, "us must be 0..10000000");
    nd_gpio_stats a, b;
    nd_gpio_stats_get(&a);
    int q = nd_sim_burst((int)pin, (int)n, (uint32_t)us);
    if (q < 0) return hal_fail(c);
    nd_gpio_stats_get(&b);
    nd_value *d = nd_ret_dict(c);
    if (!d) return ND_ERR;
    /* edges of a direction nobody watches are not detected, so not queued */
    nd_dict_set(c->arena, d, "edges", nd_int(c->arena, n));
    nd_dict_set(c->arena, d, "queued", nd_int(c->arena, q));
    nd_dict_set(c->arena, d, "dropped", nd_int(c->arena, (int64_t)(b.dropped - a.dropped)));
    return ND_OK;
}

/* ---- noise: edges at a fixed rate for a while (stepped task) ---------------- */
static struct {
    int pin;
    uint32_t hz;
    uint64_t start_us, end_us, sent, queued;
} noise;

static int32_t noise_step(nd_task *t, void *ud)
{
    (void)ud;
    uint64_t now = nd_port_mono_us();
    if (now > noise.end_us) now = noise.end_us;
    uint64_t due = (now - noise.start_us) * noise.hz / 1000000u;
    uint64_t n = due > noise.sent ? due - noise.sent : 0;
    if (n > 100000) n = 100000; /* after a stall: a bounded catch-up */
    if (n) {
        int q = nd_sim_burst(noise.pin, (int)n, 1000000u / noise.hz);
        if (q < 0) {
            nd_task_fail(t, "%s", nd_hal_error());
            return ND_TASK_DONE;
        }
        noise.sent += n;
        noise.queued += (uint64_t)q;
    }
    nd_task_printf(t, "pin %d: %llu edges sent, %llu queued, %llu dropped", noise.pin,
                   (unsigned long long)noise.sent, (unsigned long long)noise.queued,
                   (unsigned long long)(noise.sent - noise.queued));
    return now >= noise.end_us ? ND_TASK_DONE : 1;
}

static int f_noise(nd_call *c)
{
    int64_t pin, hz, ms;
    if (nd_arg_int(c, 0, &pin) || nd_arg_int(c, 1, &hz) || nd_arg_int(c, 2, &ms)) return ND_ERR;
    if (hz < 1 || hz > 1000000) return nd_fail(c, "hz must be 1..1000000");
    if (ms < 1 || ms > 600000) return nd_fail(c, "ms must be 1..600000");
    if (nd_sim_burst((int)pin, 0, 0) < 0) return hal_fail(c); /* checks the pin */
    noise.pin = (int)pin;
    noise.hz = (uint32_t)hz;
    noise.start_us = nd_port_mono_us();
    noise.end_us = noise.start_us + (uint64_t)ms * 1000u;
    noise.sent = noise.queued = 0;
    return nd_task_spawn(c, "sim.noise", noise_step, NULL, 1);
}

/* ---- I2C and sensors ---------------------------------------------------------- */
static int f_i2c(nd_call *c)
{
    uint8_t a[128];
    int n = nd_i2c_scan(0, a, 128);
    if (n < 0) return hal_fail(c);
    nd_value *d = nd_ret_dict(c);
    if (!d) return ND_ERR;
    for (int i = 0; i < n && i < 128; i++) {
        char k[8];
        snprintf(k, sizeof k, "0x%02x", a[i]);
        const char *nm = a[i] == 0x76 ? "bme280" : a[i] == 0x38 ? "aht10" : a[i] == 0x10 ? "veml7700"
                       : a[i] == 0x3c ? "ssd1306" : "?";
        nd_dict_set(c->arena, d, k, nd_str(c->arena, nm));
    }
    return ND_OK;
}

static int f_i2cread(nd_call *c)
{
    int64_t addr, reg, n;
    if (nd_arg_int(c, 0, &addr) || nd_arg_int(c, 1, &reg) || nd_arg_int(c, 2, &n)) return ND_ERR;
    if (addr < 0 || addr > 0x7f) return nd_fail(c, "addr must be 0..0x7f");
    if (reg < 0 || reg > 255 || n < 1 || n > 64) return nd_fail(c, "reg 0..255, n 1..64");
    uint8_t b[64];
    if (nd_i2c_reg_read(0, (uint8_t)addr, (uint8_t)reg, b, (size_t)n) != ND_OK) return hal_fail(c);
    nd_value *l = nd_list(c->arena);
    if (!l) return ND_ERR;
    for (int64_t i = 0; i < n; i++) nd_seq_push(c->arena, l, nd_int(c->arena, b[i]));
    c->ret = l;
    return ND_OK;
}

/* ---- the device shelf's parts (sim_shelf.c) ----------------------------- */
/* The part's current settings from `sim state` (key), for a partial update. */
static nd_value *part(nd_call *c, const char *key)
{
    nd_value *v;
    return nd_sim_part(c->arena, key, &v) == ND_OK ? v : NULL;
}

/* One setting: a float ('f') or an integer (bools too). */
typedef union {
    double f;
    int64_t i;
} num;

/* The values of a shelf part's call: v[i] is argument first+i when given,
** else the part's current value (cur, from `sim state`; NULL: none) under
** key i. keys: per argument a type letter ('f' float, 'b' bool, 'i'
** integer) and the key, NUL-separated, ending with an empty one -- one
** loop for every part instead of a copy per part. Returns a bit per
** argument given (bit first+i), or -1 when one does not parse. */
static int merge(nd_call *c, int first, const nd_value *cur, const char *keys, num *v)
{
    int given = 0;
    for (const char *k = keys; *k; k += strlen(k) + 1, v++, first++) {
        const nd_value *x = cur ? nd_dict_get(cur, k + 1) : NULL;
        if (x) {
            if (*k == 'f') v->f = x->u.f;
            else v->i = *k == 'b' ? x->u.b : x->u.i;
        }
        if (nd_arg_is_none(c, first)) continue;
        given |= 1 << first;
        bool b = false;
        if (*k == 'f' ? nd_arg_float(c, first, &v->f)
            : *k == 'i' ? nd_arg_int(c, first, &v->i)
                        : nd_arg_bool(c, first, &b))
            return -1;
        if (*k == 'b') v->i = b;
    }
    return given;
}

/* The reply of a part's call: the part as it is now. */
static int reply_part(nd_call *c, const char *key)
{
    return (c->ret = part(c, key)) ? ND_OK : hal_fail(c);
}

static int f_dht(nd_call *c)
{
    num v[2] = {{21.5}, {48.2}};
    int64_t bad;
    nd_value *cur = part(c, "dht22");
    /* bad arguments are reported before an inactive sim board */
    if (merge(c, 0, cur, "ftemp\0fhum\0", v) < 0 || nd_arg_int(c, 2, &bad)) return ND_ERR;
    if (!cur) return hal_fail(c);
    if (nd_sim_dht_set(v[0].f, v[1].f, (int)bad) != ND_OK) return hal_fail(c);
    return reply_part(c, "dht22");
}

static int f_bme280(nd_call *c)
{
    nd_value *cur = part(c, "bme280");
    if (!cur) return hal_fail(c);
    num v[4];
    int given = merge(c, 0, cur, "ftemp\0fhpa\0fhum\0", v);
    if (given < 0) return ND_ERR;
    if (given && nd_sim_bme280_set(v[0].f, v[1].f, v[2].f) != ND_OK) return hal_fail(c);
    /* present is taken after the values, so a bad one leaves them set */
    given = merge(c, 3, cur, "bpresent\0", v + 3);
    if (given < 0) return ND_ERR;
    if (given) nd_sim_bme280_present(v[3].i != 0);
    return reply_part(c, "bme280");
}

static int adc_level(nd_call *c, int (*set)(int), const char *what)
{
    int64_t raw;
    if (nd_arg_int(c, 0, &raw)) return ND_ERR;
    if (raw < 0 || raw > ND_ADC_MAX) return nd_fail(c, "%s level must be 0..%d", what, ND_ADC_MAX);
    if (set((int)raw) != ND_OK) return hal_fail(c);
    return nd_ret_int(c, raw);
}

static int f_light(nd_call *c) { return adc_level(c, nd_sim_light_set, "light"); }

static int f_mic(nd_call *c) { return adc_level(c, nd_sim_mic_set, "mic"); }

static int f_dhtmodel(nd_call *c)
{
    int64_t t;
    if (nd_arg_int(c, 0, &t)) return ND_ERR;
    if (nd_sim_dht_model((int)t) != ND_OK) return hal_fail(c);
    return nd_ret_int(c, t);
}

static int f_ds18(nd_call *c)
{
    int64_t i;
    if (nd_arg_int(c, 0, &i)) return ND_ERR;
    nd_value *l = part(c, "ds18");
    if (!l) return hal_fail(c);
    if (i < 0 || i >= (int64_t)l->u.seq.n) return nd_fail(c, "sensor index 0..%d", ND_SIM_DS18_N - 1);
    num v[2];
    if (merge(c, 1, l->u.seq.v[i], "ftemp\0bpresent\0", v) < 0) return ND_ERR;
    if (nd_sim_ds18_set((int)i, v[0].f, v[1].i != 0) != ND_OK) return hal_fail(c);
    if (!(l = part(c, "ds18"))) return hal_fail(c);
    c->ret = l->u.seq.v[i];
    return ND_OK;
}

static int f_aht10(nd_call *c)
{
    nd_value *cur = part(c, "aht10");
    if (!cur) return hal_fail(c);
    num v[3];
    if (merge(c, 0, cur, "ftemp\0fhum\0bpresent\0", v) < 0) return ND_ERR;
    if (nd_sim_aht10_set(v[0].f, v[1].f, v[2].i != 0) != ND_OK) return hal_fail(c);
    c->ret = part(c, "aht10");
    return ND_OK;
}

static int f_veml7700(nd_call *c)
{
    nd_value *cur = part(c, "veml7700");
    if (!cur) return hal_fail(c);
    num v[2];
    if (merge(c, 0, cur, "icounts\0bpresent\0", v) < 0) return ND_ERR;
    if (v[0].i < 0 || v[0].i > 65535) return nd_fail(c, "counts must be 0..65535");
    if (nd_sim_veml7700_set((int)v[0].i, v[1].i != 0) != ND_OK) return hal_fail(c);
    c->ret = part(c, "veml7700");
    return ND_OK;
}

static int f_oled(nd_call *c)
{
    if (!nd_arg_is_none(c, 0)) {
        bool present;
        if (nd_arg_bool(c, 0, &present)) return ND_ERR;
        if (nd_sim_oled_present(present) != ND_OK) return hal_fail(c);
    }
    nd_value *cur = part(c, "oled");
    if (!cur) return hal_fail(c);
    /* the frame buffer is for /sim; the shell shows the rest */
    nd_value *d = nd_ret_dict(c);
    if (!d) return ND_ERR;
    static const char *const keys[] = {"present", "on", "inverse", "contrast", "bytes"};
    for (int i = 0; i < 5; i++) nd_dict_set(c->arena, d, keys[i], nd_dict_get(cur, keys[i]));
    return ND_OK;
}

static int f_radar(nd_call *c)
{
    int64_t v[6];
    for (int i = 0; i < 6; i++)
        if (nd_arg_int(c, i, &v[i])) return ND_ERR;
    for (int i = 0; i < 6; i++)
        if (v[i] < 0 || v[i] > 65535) return nd_fail(c, "radar values must be 0..65535");
    if (nd_sim_radar_set((int)v[0], (int)v[1], (int)v[2], (int)v[3], (int)v[4], (int)v[5]) != ND_OK)
        return hal_fail(c);
    c->ret = part(c, "ld2410");
    return ND_OK;
}

static int f_rotate(nd_call *c)
{
    int64_t n;
    if (nd_arg_int(c, 0, &n)) return ND_ERR;
    if (n < -1000 || n > 1000) return nd_fail(c, "steps must be -1000..1000");
    if (nd_sim_rotate((int)n) != ND_OK) return hal_fail(c);
    return nd_ret_int(c, n);
}

static int f_state(nd_call *c)
{
    if (nd_sim_state(c->arena, &c->ret) != ND_OK) return hal_fail(c);
    return ND_OK;
}

static int f_irq(nd_call *c)
{
    if (nd_irq_info(c->node, c->arena, &c->ret) != ND_OK) return nd_fail(c, "out of memory");
    return ND_OK;
}

static const nd_func funcs[] = {
    ND_FUNC("pins", f_pins, "", "STATUS pins"),
    ND_FUNC("set", f_set, "pin level", "set pin level=<0,1>"),
    ND_FUNC("pulse", f_pulse, "pin ms=100", "pulse pin ms=100"),
    ND_FUNC("burst", f_burst, "pin n=10 us=1000", "burst pin n=10 us=1000"),
    ND_FUNC("noise", f_noise, "pin hz=100000 ms=1000", "noise pin hz=100000 ms=1000"),
    ND_FUNC("i2c", f_i2c, "", "i2c"),
    ND_FUNC("i2cread", f_i2cread, "addr reg=208 n=1", "i2cread addr reg=208 n=1"),
    ND_FUNC("dht", f_dht, "t=None h=None bad=0", "dht t=None h=None bad=0"),
    ND_FUNC("bme280", f_bme280, "t=None p=None h=None present=None",
            "bme280 t=None p=None h=None present=None"),
    ND_FUNC("light", f_light, "raw", "SLIDER light raw=<0-4095-50>"),
    ND_FUNC("mic", f_mic, "raw", "SLIDER mic raw=<0-4095-50>"),
    ND_FUNC("dhtmodel", f_dhtmodel, "type", "dhtmodel type=<11,22>"),
    ND_FUNC("ds18", f_ds18, "idx=0 t=None present=None", "ds18 idx=0 t=None present=None"),
    ND_FUNC("aht10", f_aht10, "t=None h=None present=None", "aht10 t=None h=None present=None"),
    ND_FUNC("veml7700", f_veml7700, "counts=None present=None", "veml7700 counts=None present=None"),
    ND_FUNC("oled", f_oled, "present=None", "oled present=None"),
    ND_FUNC("radar", f_radar, "state=1 move=120 menergy=60 still=0 senergy=0 detect=120",
            "radar state=1 move=120 menergy=60 still=0 senergy=0 detect=120"),
    ND_FUNC("rotate", f_rotate, "steps", "rotate steps=<-n..n>"),
    ND_FUNC("state", f_state, "", "state"),
    ND_FUNC("irq", f_irq, "", "irq"),
    ND_FUNCS_END,
};

const nd_module nd_mod_sim = {"sim", funcs, NULL,
                              "the simulated board: drive inputs, set sensors, inspect outputs"};
