/*
** neopixel.c -- WS2812 strip on the `neop` pin (micrOS LM_neopixel, 3.3.1,
** plus a few effects of nodus's own). The whole strip shows one colour
** (0..255 per channel); colour and on/off survive a restart
** (data/neopixel.cache). The contract: docs/modules.md.
** Fades run as the tasks "neopixel._fade" and "neopixel._tran" (light.h);
** effects are stepped tasks "neopixel.effect" that stop as soon as colour,
** toggle, brightness, segment ... is used (a generation counter, checked
** at every step).
*/
#include <stdio.h>
#include <string.h>

#include "nodus/hal.h"
#include "nodus/light.h"
#include "nodus/module.h"
#include "nodus/pins.h"
#include "nodus/task.h"

static int show(nd_light *l, const int *v);
static const char *const keys[] = {"R", "G", "B"};
static nd_light rgb = {.name = "neopixel", .n = 3, .max = 255, .keys = keys, .val = {100, 100, 100},
                       .off_restore_sf = true, .br_mode = ND_BR_NEO, .show = show};
static uint8_t px[ND_PIXEL_MAX * 3]; /* the frame last sent */
static int ledcnt = 24, gen;        /* gen: bumped to stop a running effect */

static int show(nd_light *l, const int *v)
{
    for (int i = 0; i < ledcnt; i++)
        for (int k = 0; k < 3; k++) px[i * 3 + k] = (uint8_t)v[k];
    return nd_pixel_show(l->pin[0], px, (size_t)ledcnt, 3);
}
static const char *const tags[] = {"neop", NULL}; /* one pin drives all three channels */
static const int load_arg[] = {1};                /* load(ledcnt, pin, cache) */

static void stop_effect(nd_light *l)
{
    (void)l;
    gen++;
}

/* colour, toggle, brightness, transition, random: the shared calls
** (light_lm.c), which stop a running effect through on_change */
static const nd_light_lm lm = {.l = &rgb, .tags = tags, .load_arg = load_arg, .cache_arg = 2,
                               .on_change = stop_effect};

static int ready(nd_call *c) { return nd_light_lm_ready(c, &lm); }

static int f_load(nd_call *c)
{
    bool cache = true;
    int64_t n;
    if (nd_arg_int(c, 0, &n)) return ND_ERR;
    if (n < 1 || n > ND_PIXEL_MAX) return nd_fail(c, "ledcnt=%lld out of range 1..%d", (long long)n, ND_PIXEL_MAX);
    if (!nd_arg_is_none(c, 2)) nd_arg_bool(c, 2, &cache);
    ledcnt = (int)n;
    if (nd_light_lm_bind(c, &lm, true, cache)) return ND_ERR;
    char cnt[32];
    snprintf(cnt, sizeof cnt, ", LED CNT: %d", ledcnt);
    return nd_light_cache_reply(c, 2, cnt);
}

static int f_status(nd_call *c) { return nd_light_lm_status(c, &lm); }
static int f_color(nd_call *c) { return nd_light_lm_set(c, &lm); }
static int f_toggle(nd_call *c) { return nd_light_lm_toggle(c, &lm); }
static int f_brightness(nd_call *c) { return nd_light_lm_brightness(c, &lm); }
static int f_transition(nd_call *c) { return nd_light_lm_transition(c, &lm); }
static int f_random(nd_call *c) { return nd_light_lm_random(c, &lm); }

/* ---- segment and effects ------------------------------------------------ */

/* segment(r=None, g=None, b=None, s=0, cache=False, write=True): one pixel,
** Python indexing (s=-1 is the last pixel); past the end micrOS answers
** with a string, not an error. */
static int f_segment(nd_call *c)
{
    double v[3];
    bool vf[3], cache, write;
    int64_t s;
    gen++;
    if (ready(c)) return ND_ERR;
    for (int i = 0; i < 3; i++) {
        v[i] = (int)rgb.val[i], vf[i] = false; /* micrOS: int(cached) */
        if (nd_light_arg(c, &rgb, i, &v[i], &vf[i])) return ND_ERR;
    }
    if (nd_arg_int(c, 3, &s)) return ND_ERR;
    if (s > ledcnt) return nd_ret_str(c, "NEOPIXEL index error: %lld > %d", (long long)s, ledcnt);
    if (s == ledcnt || s < -ledcnt) return nd_fail(c, "bytearray index out of range");
    if (s < 0) s += ledcnt;
    nd_arg_bool(c, 4, &cache);
    nd_arg_bool(c, 5, &write);
    for (int k = 0; k < 3; k++) px[s * 3 + k] = (uint8_t)v[k];
    if (write && nd_pixel_show(rgb.pin[0], px, (size_t)ledcnt, 3) < 0) return nd_fail(c, "%s", nd_hal_error());
    if (cache) { /* micrOS stores the colour as its state, without showing it on the strip */
        if (v[0] > 0 || v[1] > 0 || v[2] > 0) {
            for (int k = 0; k < 3; k++) rgb.val[k] = v[k], rgb.vf[k] = vf[k];
            rgb.s = 1;
        } else {
            rgb.s = 0;
        }
        rgb.sf = false;
        nd_light_save(&rgb);
    }
    return f_status(c);
}

typedef struct effect {
    int kind, gen, speed;
} effect;
static effect fx;
enum { FX_RAINBOW, FX_CYCLE, FX_BREATHE };

/* Colour wheel 0..255 -> r,g,b at full scale, then scaled to `top`. */
static void wheel(int pos, int top, uint8_t *o)
{
    int r, g, b;
    pos &= 255;
    if (pos < 85) r = 255 - pos * 3, g = pos * 3, b = 0;
    else if (pos < 170) pos -= 85, r = 0, g = 255 - pos * 3, b = pos * 3;
    else pos -= 170, r = pos * 3, g = 0, b = 255 - pos * 3;
    o[0] = (uint8_t)(r * top / 255), o[1] = (uint8_t)(g * top / 255), o[2] = (uint8_t)(b * top / 255);
}

static int32_t fx_step(nd_task *t, void *ud)
{
    effect *e = ud;
    if (e->gen != gen) {
        nd_task_printf(t, "Stopped");
        return ND_TASK_DONE;
    }
    int top = 0;
    for (int k = 0; k < 3; k++) top = (int)rgb.val[k] > top ? (int)rgb.val[k] : top;
    if (!top) top = 255;
    uint64_t n = nd_task_runs(t);
    for (int i = 0; i < ledcnt; i++) {
        uint8_t *p = &px[i * 3];
        if (e->kind == FX_RAINBOW) {
            wheel((int)((uint64_t)i * 256 / (uint64_t)ledcnt + n * 4), top, p);
        } else if (e->kind == FX_CYCLE) {
            bool on = (uint64_t)i == n % (uint64_t)ledcnt;
            for (int k = 0; k < 3; k++) p[k] = on ? (uint8_t)rgb.val[k] : 0;
        } else { /* breathe: triangle wave 0..100 % of the stored colour, 64 steps */
            int ph = (int)(n % 64), lvl = ph < 32 ? ph : 63 - ph;
            for (int k = 0; k < 3; k++) p[k] = (uint8_t)((int)rgb.val[k] * lvl / 31);
        }
    }
    if (nd_pixel_show(rgb.pin[0], px, (size_t)ledcnt, 3) < 0) {
        nd_task_fail(t, "%s", nd_hal_error());
        return ND_TASK_DONE;
    }
    for (int k = 0; k < 3; k++) rgb.out[k] = px[k]; /* a later fade starts from pixel 0 */
    nd_task_printf(t, "%s step %llu", e->kind == FX_RAINBOW ? "rainbow" : e->kind == FX_CYCLE ? "cycle" : "breathe",
                   (unsigned long long)n + 1);
    return e->speed;
}

static int start_fx(nd_call *c, int kind)
{
    int64_t ms;
    if (ready(c)) return ND_ERR;
    if (nd_arg_int(c, 0, &ms)) return ND_ERR;
    if (ms < 10 || ms > 10000) return nd_fail(c, "speed_ms=%lld out of range 10..10000", (long long)ms);
    fx.kind = kind, fx.speed = (int)ms, fx.gen = ++gen;
    /* a running effect task sees the new kind at its next step */
    return nd_task_spawn(c, "neopixel.effect", fx_step, &fx, 0);
}

static int f_rainbow(nd_call *c) { return start_fx(c, FX_RAINBOW); }
static int f_cycle(nd_call *c) { return start_fx(c, FX_CYCLE); }
static int f_breathe(nd_call *c) { return start_fx(c, FX_BREATHE); }

static int f_stop(nd_call *c)
{
    gen++;
    if (ready(c)) return ND_ERR;
    int t[3];
    for (int k = 0; k < 3; k++) t[k] = rgb.s ? (int)rgb.val[k] : 0;
    if (nd_light_show(c, &rgb, t)) return ND_ERR; /* back to the plain colour */
    return f_status(c);
}

static int f_pinmap(nd_call *c) { return nd_pin_ret_map(c, tags); }

/* micrOS's help order (subscribe_presence and an own help line are not in
** nodus), then nodus's effects */
static const nd_func funcs[] = {
    ND_FUNC("color", f_color, "r=None g=None b=None smooth=True force=True",
            "COLOR color r=<0-255-5> g b smooth=True force=True"),
    ND_FUNC("toggle", f_toggle, "state=None smooth=True", "BUTTON toggle state=<True,False> smooth=True"),
    ND_FUNC("load", f_load, "ledcnt=24 pin=None cache=True", "load ledcnt=24"),
    ND_FUNC("brightness", f_brightness, "percent=None smooth=True wake=True",
            "SLIDER brightness percent=<0-100> smooth=True wake=True"),
    ND_FUNC("segment", f_segment, "r=None g=None b=None s=0 cache=False write=True", "segment r g b s=<0-n>"),
    ND_FUNC("transition", f_transition, "r=None g=None b=None sec=1.0 wake=False",
            "transition r g b sec=1.0 wake=False"),
    ND_FUNC("random", f_random, "smooth=True max_val=255", "BUTTON random smooth=True max_val=254"),
    ND_FUNC("status", f_status, "lmf=None", "STATUS status"),
    ND_FUNC("pinmap", f_pinmap, "", "pinmap"),
    ND_FUNC("rainbow", f_rainbow, "speed_ms=50", "BUTTON rainbow speed_ms=50"),
    ND_FUNC("cycle", f_cycle, "speed_ms=100", "BUTTON cycle speed_ms=100"),
    ND_FUNC("breathe", f_breathe, "speed_ms=30", "BUTTON breathe speed_ms=30"),
    ND_FUNC("stop", f_stop, "", "BUTTON stop"),
    ND_FUNCS_END,
};

const nd_module nd_mod_neopixel = {"neopixel", funcs, NULL, "WS2812 pixel strip: colour, brightness, effects"};
