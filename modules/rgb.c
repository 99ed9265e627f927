/*
** rgb.c -- analog RGB LED strip on three PWM pins (micrOS LM_rgb).
** Channels 0..255 (duty = v * 1023 / 255); colour and on/off survive a
** restart (data/rgb.cache). Fades run as the task "rgb._tran" (light.h).
*/
#include "nodus/light.h"
#include "nodus/module.h"
#include "nodus/pins.h"

#define SMOOTH_MS 300 /* micrOS: 0.3 s */

static nd_light rgb = {.name = "rgb", .n = 3, .max = 255, .val = {197, 35, 10}};
static const char *const keys[] = {"R", "G", "B"};
static const char *const tags[] = {"redgb", "rgreenb", "rgbue", NULL};

static int load_pins(nd_call *c, int a0, bool cache)
{
    for (int i = 0; i < 3; i++)
        if (a0 < 0 ? nd_pin_bind(c, tags[i], &rgb.pin[i]) : nd_pin_bind_arg(c, tags[i], a0 + i, &rgb.pin[i]))
            return ND_ERR;
    return nd_light_init(c, &rgb, cache);
}

static int ready(nd_call *c) { return rgb.ready ? ND_OK : load_pins(c, -1, true); }

static int f_load(nd_call *c)
{
    bool cache;
    nd_arg_bool(c, 3, &cache);
    if (load_pins(c, 0, cache)) return ND_ERR;
    return nd_ret_str(c, "CACHE: %s", cache ? "True" : "False");
}

static int f_status(nd_call *c) { return ready(c) ? ND_ERR : nd_light_status(c, &rgb, keys); }

static int f_color(nd_call *c)
{
    int v[3];
    bool smooth;
    if (ready(c)) return ND_ERR;
    for (int i = 0; i < 3; i++)
        if (nd_light_arg(c, &rgb, i, rgb.val[i], &v[i])) return ND_ERR;
    nd_arg_bool(c, 3, &smooth);
    if (nd_light_set(c, &rgb, v, smooth ? SMOOTH_MS : 0)) return ND_ERR;
    return f_status(c);
}

static int f_toggle(nd_call *c)
{
    bool smooth;
    if (ready(c)) return ND_ERR;
    nd_arg_bool(c, 1, &smooth);
    int st = -1;
    if (!nd_arg_is_none(c, 0)) {
        bool b;
        nd_arg_bool(c, 0, &b);
        st = b;
    }
    if (nd_light_toggle(c, &rgb, st, smooth ? SMOOTH_MS : 0)) return ND_ERR;
    return f_status(c);
}

static int f_brightness(nd_call *c)
{
    if (ready(c)) return ND_ERR;
    if (nd_arg_is_none(c, 0)) return nd_ret_str(c, "%g %%", nd_light_br(&rgb));
    int64_t p;
    bool smooth;
    if (nd_arg_int(c, 0, &p)) return ND_ERR;
    if (p < 0 || p > 100) return nd_fail(c, "Percent is out of range: 0-100");
    nd_arg_bool(c, 1, &smooth);
    if (nd_light_brightness(c, &rgb, (int)p, smooth ? SMOOTH_MS : 0)) return ND_ERR;
    return f_status(c);
}

static int f_transition(nd_call *c)
{
    int v[3];
    double sec;
    bool wake;
    if (ready(c)) return ND_ERR;
    for (int i = 0; i < 3; i++)
        if (nd_light_arg(c, &rgb, i, rgb.val[i], &v[i])) return ND_ERR;
    if (nd_arg_float(c, 3, &sec)) return ND_ERR;
    if (sec < 0 || sec > 3600) return nd_fail(c, "sec=%g out of range 0..3600", sec);
    nd_arg_bool(c, 4, &wake);
    if (nd_light_transition(c, &rgb, v, (uint32_t)(sec * 1000), wake)) return ND_ERR;
    return nd_ret_str(c, "Starting transition");
}

static int f_pinmap(nd_call *c) { return nd_pin_ret_map(c, tags); }

static const nd_func funcs[] = {
    ND_FUNC("load", f_load, "red_pin=None green_pin=None blue_pin=None cache=True",
            "load red_pin=None green_pin=None blue_pin=None cache=True"),
    ND_FUNC("color", f_color, "r=None g=None b=None smooth=True force=True",
            "COLOR color r=<0-255-5> g b smooth=True force=True"),
    ND_FUNC("toggle", f_toggle, "state=None smooth=True", "BUTTON toggle state=<True,False> smooth=True"),
    ND_FUNC("brightness", f_brightness, "percent=None smooth=True",
            "SLIDER brightness percent=<0-100> smooth=True"),
    ND_FUNC("transition", f_transition, "r=None g=None b=None sec=1.0 wake=False",
            "transition r g b sec=1.0 wake=False"),
    ND_FUNC("status", f_status, "lmf=None", "STATUS status"),
    ND_FUNC("pinmap", f_pinmap, "", "pinmap"),
    ND_FUNCS_END,
};

const nd_module nd_mod_rgb = {"rgb", funcs, NULL, "analog RGB LED strip on 3 PWM pins"};
