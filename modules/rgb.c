/*
** rgb.c -- analog RGB LED strip on three PWM pins (micrOS LM_rgb).
** Channels 0..255 (duty = v * 1023 / 255); colour and on/off survive a
** restart (data/rgb.cache). Fades run as the task "rgb._tran" (light.h).
*/
#include "nodus/light.h"
#include "nodus/module.h"
#include "nodus/pins.h"

static nd_light rgb = {.name = "rgb", .n = 3, .max = 255, .val = {197, 35, 10}};
static const char *const keys[] = {"R", "G", "B"};
static const char *const tags[] = {"redgb", "rgreenb", "rgbue", NULL};
static const nd_light_lm lm = {.l = &rgb, .tags = tags, .keys = keys}; /* the calls: light_lm.c */

static int f_load(nd_call *c) { return nd_light_lm_load(c, &lm); }
static int f_status(nd_call *c) { return nd_light_lm_status(c, &lm); }
static int f_color(nd_call *c) { return nd_light_lm_set(c, &lm); }
static int f_toggle(nd_call *c) { return nd_light_lm_toggle(c, &lm); }
static int f_brightness(nd_call *c) { return nd_light_lm_brightness(c, &lm); }
static int f_transition(nd_call *c) { return nd_light_lm_transition(c, &lm); }

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
