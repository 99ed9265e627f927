/*
** neopixel.c -- WS2812 strip on the `neop` pin (micrOS LM_neopixel plus a
** few neoeffects). The whole strip shows one colour (0..255 per channel);
** colour, on/off and brightness survive a restart (data/neopixel.cache).
** Fades run as the task "neopixel._tran" (light.h); effects are stepped
** tasks "neopixel.effect" that stop as soon as colour/toggle/brightness/
** segment is used (a generation counter, checked at every step).
*/
#include <string.h>

#include "nodus/hal.h"
#include "nodus/light.h"
#include "nodus/module.h"
#include "nodus/pins.h"
#include "nodus/task.h"

static int show(nd_light *l, const int *v);
static nd_light rgb = {.name = "neopixel", .n = 3, .max = 255, .val = {100, 100, 100}, .show = show};
static uint8_t px[ND_PIXEL_MAX * 3]; /* the frame last sent */
static int ledcnt = 24, gen;        /* gen: bumped to stop a running effect */

static int show(nd_light *l, const int *v)
{
    for (int i = 0; i < ledcnt; i++)
        for (int k = 0; k < 3; k++) px[i * 3 + k] = (uint8_t)v[k];
    return nd_pixel_show(l->pin[0], px, (size_t)ledcnt, 3);
}
static const char *const keys[] = {"R", "G", "B"};
static const char *const tags[] = {"neop", NULL}; /* one pin drives all three channels */

static void stop_effect(nd_light *l) { gen++; }

static int status_br(nd_call *c, nd_light *l)
{
    if (nd_dict_set(c->arena, c->ret, "BR", nd_float(c->arena, nd_light_br(l))) != ND_OK)
        return nd_fail(c, "memory allocation failed");
    return ND_OK;
}

/* colour, toggle, brightness, transition: the shared calls (light_lm.c),
** which stop a running effect through on_change */
static const nd_light_lm lm = {.l = &rgb, .tags = tags, .keys = keys, .on_change = stop_effect,
                               .on_status = status_br};

static int ready(nd_call *c) { return nd_light_lm_ready(c, &lm); }

static int f_load(nd_call *c)
{
    bool cache;
    int64_t n;
    if (nd_arg_int(c, 0, &n)) return ND_ERR;
    if (n < 1 || n > ND_PIXEL_MAX) return nd_fail(c, "ledcnt=%lld out of range 1..%d", (long long)n, ND_PIXEL_MAX);
    nd_arg_bool(c, 2, &cache);
    ledcnt = (int)n;
    if (nd_light_lm_bind(c, &lm, 1, cache)) return ND_ERR;
    return nd_ret_str(c, "CACHE: %s, LED CNT: %d", cache ? "True" : "False", ledcnt);
}

static int f_status(nd_call *c) { return nd_light_lm_status(c, &lm); }
static int f_color(nd_call *c) { return nd_light_lm_set(c, &lm); }
static int f_toggle(nd_call *c) { return nd_light_lm_toggle(c, &lm); }
static int f_brightness(nd_call *c) { return nd_light_lm_brightness(c, &lm); }
static int f_transition(nd_call *c) { return nd_light_lm_transition(c, &lm); }

/* ---- segment and effects ------------------------------------------------ */

static int f_segment(nd_call *c)
{
    int v[3];
    int64_t s;
    gen++;
    if (ready(c)) return ND_ERR;
    for (int i = 0; i < 3; i++)
        if (nd_light_arg(c, &rgb, i, rgb.val[i], &v[i])) return ND_ERR;
    if (nd_arg_int(c, 3, &s)) return ND_ERR;
    if (s < 0 || s >= ledcnt) return nd_fail(c, "NEOPIXEL index error: %lld not in 0..%d", (long long)s, ledcnt - 1);
    for (int k = 0; k < 3; k++) px[s * 3 + k] = (uint8_t)v[k];
    if (nd_pixel_show(rgb.pin[0], px, (size_t)ledcnt, 3) < 0) return nd_fail(c, "%s", nd_hal_error());
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
    for (int k = 0; k < 3; k++) top = rgb.val[k] > top ? rgb.val[k] : top;
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
            for (int k = 0; k < 3; k++) p[k] = (uint8_t)(rgb.val[k] * lvl / 31);
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
    for (int k = 0; k < 3; k++) t[k] = rgb.s ? rgb.val[k] : 0;
    if (nd_light_set(c, &rgb, t, 0)) return ND_ERR; /* back to the plain colour */
    return f_status(c);
}

static int f_pinmap(nd_call *c) { return nd_pin_ret_map(c, tags); }

static const nd_func funcs[] = {
    ND_FUNC("load", f_load, "ledcnt=24 pin=None cache=True", "load ledcnt=24 pin=None cache=True"),
    ND_FUNC("color", f_color, "r=None g=None b=None smooth=True force=True",
            "COLOR color r=<0-255-5> g b smooth=True force=True"),
    ND_FUNC("toggle", f_toggle, "state=None smooth=True", "BUTTON toggle state=<True,False> smooth=True"),
    ND_FUNC("brightness", f_brightness, "percent=None smooth=True",
            "SLIDER brightness percent=<0-100> smooth=True"),
    ND_FUNC("transition", f_transition, "r=None g=None b=None sec=1.0 wake=False",
            "transition r g b sec=1.0 wake=False"),
    ND_FUNC("segment", f_segment, "r=None g=None b=None s=0", "segment r g b s=<0-n>"),
    ND_FUNC("rainbow", f_rainbow, "speed_ms=50", "BUTTON rainbow speed_ms=50"),
    ND_FUNC("cycle", f_cycle, "speed_ms=100", "BUTTON cycle speed_ms=100"),
    ND_FUNC("breathe", f_breathe, "speed_ms=30", "BUTTON breathe speed_ms=30"),
    ND_FUNC("stop", f_stop, "", "BUTTON stop"),
    ND_FUNC("status", f_status, "lmf=None", "STATUS status"),
    ND_FUNC("pinmap", f_pinmap, "", "pinmap"),
    ND_FUNCS_END,
};

const nd_module nd_mod_neopixel = {"neopixel", funcs, NULL, "WS2812 pixel strip: colour, brightness, effects"};
