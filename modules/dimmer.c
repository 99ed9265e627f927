/*
** dimmer.c -- one PWM dimmer channel (micrOS LM_dimmer).
** Channels 0..255 (duty = v * 1023 / 255); colour and on/off survive a
** restart (data/dimmer.cache). Fades run as the task "dimmer._tran" (light.h).
*/
#include "nodus/light.h"
#include "nodus/module.h"
#include "nodus/pins.h"

static nd_light dim = {.name = "dimmer", .n = 1, .max = 255, .val = {128}};
static const char *const keys[] = {"X"};
static const char *const tags[] = {"dim_1", NULL};
static const nd_light_lm lm = {.l = &dim, .tags = tags, .keys = keys}; /* the calls: light_lm.c */

static int f_load(nd_call *c) { return nd_light_lm_load(c, &lm); }
static int f_status(nd_call *c) { return nd_light_lm_status(c, &lm); }
static int f_set_value(nd_call *c) { return nd_light_lm_set(c, &lm); }
static int f_toggle(nd_call *c) { return nd_light_lm_toggle(c, &lm); }
static int f_brightness(nd_call *c) { return nd_light_lm_brightness(c, &lm); }
static int f_transition(nd_call *c) { return nd_light_lm_transition(c, &lm); }

static int f_pinmap(nd_call *c) { return nd_pin_ret_map(c, tags); }

static const nd_func funcs[] = {
    ND_FUNC("load", f_load, "pin=None cache=True", "load pin=None cache=True"),
    ND_FUNC("set_value", f_set_value, "value=None smooth=True force=True",
            "SLIDER set_value value=<0-255-5> smooth=True force=True"),
    ND_FUNC("toggle", f_toggle, "state=None smooth=True", "BUTTON toggle state=<True,False> smooth=True"),
    ND_FUNC("brightness", f_brightness, "percent=None smooth=True",
            "SLIDER brightness percent=<0-100> smooth=True"),
    ND_FUNC("transition", f_transition, "value=None sec=1.0 wake=False",
            "transition value sec=1.0 wake=False"),
    ND_FUNC("status", f_status, "lmf=None", "STATUS status"),
    ND_FUNC("pinmap", f_pinmap, "", "pinmap"),
    ND_FUNCS_END,
};

const nd_module nd_mod_dimmer = {"dimmer", funcs, NULL, "single PWM dimmer channel"};
