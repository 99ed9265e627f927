/*
** rgb.c -- analog RGB LED strip on three PWM pins (micrOS LM_rgb, 3.3.1).
** Channels 0..1000 as micrOS (duty = v * 1023 / 1000); colour and on/off
** survive a restart (data/rgb.cache). Fades run as the tasks "rgb._fade"
** (smooth=True) and "rgb._tran" (transition), light.h. The contract,
** function by function: docs/modules.md.
*/
#include "nodus/light.h"
#include "nodus/module.h"
#include "nodus/pins.h"

static const char *const keys[] = {"R", "G", "B"};
/* micrOS's power-on colour: floats (197.0, 35.0, 10.0), off */
static nd_light rgb = {.name = "rgb", .n = 3, .max = 1000, .keys = keys, .val = {197, 35, 10},
                       .vf = {true, true, true}, .br_mode = ND_BR_ROUND3};
static const char *const tags[] = {"redgb", "rgreenb", "rgbue", NULL};
static const int load_arg[] = {0, 1, 2};
static const nd_light_lm lm = {.l = &rgb, .tags = tags, .load_arg = load_arg, .cache_arg = 3};

static int f_load(nd_call *c) { return nd_light_lm_load(c, &lm); }
static int f_status(nd_call *c) { return nd_light_lm_status(c, &lm); }
static int f_color(nd_call *c) { return nd_light_lm_set(c, &lm); }
static int f_toggle(nd_call *c) { return nd_light_lm_toggle(c, &lm); }
static int f_brightness(nd_call *c) { return nd_light_lm_brightness(c, &lm); }
static int f_transition(nd_call *c) { return nd_light_lm_transition(c, &lm); }
static int f_random(nd_call *c) { return nd_light_lm_random(c, &lm); }
static int f_pinmap(nd_call *c) { return nd_pin_ret_map(c, tags); }

/* micrOS's help order; subscribe_presence (LM_presence) is not in nodus */
static const nd_func funcs[] = {
    ND_FUNC("color", f_color, "r=None g=None b=None smooth=True force=True",
            "COLOR color r=<0-1000-10> g b smooth=True force=True"),
    ND_FUNC("toggle", f_toggle, "state=None smooth=True", "BUTTON toggle state=<True,False> smooth=True"),
    ND_FUNC("load", f_load, "red_pin=None green_pin=None blue_pin=None cache=True", "load"),
    ND_FUNC("brightness", f_brightness, "percent=None smooth=True wake=True",
            "SLIDER brightness percent=<0-100> smooth=True wake=True"),
    ND_FUNC("transition", f_transition, "r=None g=None b=None sec=1.0 wake=False",
            "transition r=None g=None b=None sec=1.0 wake=False"),
    ND_FUNC("random", f_random, "smooth=True max_val=1000", "BUTTON random smooth=True max_val=1000"),
    ND_FUNC("status", f_status, "lmf=None", "STATUS status"),
    ND_FUNC("pinmap", f_pinmap, "", "pinmap"),
    ND_FUNCS_END,
};

const nd_module nd_mod_rgb = {"rgb", funcs, NULL, "analog RGB LED strip on 3 PWM pins"};
