/*
** dimmer.c -- one PWM dimmer channel (micrOS LM_dimmer, 3.3.1).
** Values 0..1000 as micrOS (duty = v * 1023 / 1000), ints; a value above 0
** is kept as at least 5 so toggle can light it again. Value and on/off
** survive a restart (data/dimmer.cache). Fades run as the tasks
** "dimmer._fade" and "dimmer._tran" (light.h). The contract: docs/modules.md.
*/
#include <math.h>
#include <stdlib.h>

#include "nodus/light.h"
#include "nodus/module.h"
#include "nodus/pins.h"

static const char *const keys[] = {"X"};
static nd_light dim = {.name = "dimmer", .n = 1, .max = 1000, .keys = keys, .val = {500},
                       .int_vals = true, .restore_int = true, .min_on = 5, .br_mode = ND_BR_INT};
static const char *const tags[] = {"dim_1", NULL};
static const int load_arg[] = {1}; /* load(cache=None, pin=None): pin is nodus's */
static const nd_light_lm lm = {.l = &dim, .tags = tags, .load_arg = load_arg, .cache_arg = 0};

static int f_load(nd_call *c) { return nd_light_lm_load(c, &lm); }
static int f_status(nd_call *c) { return nd_light_lm_status(c, &lm); }
static int f_toggle(nd_call *c) { return nd_light_lm_toggle(c, &lm); }
static int f_brightness(nd_call *c) { return nd_light_lm_brightness(c, &lm); }
static int f_transition(nd_call *c) { return nd_light_lm_transition(c, &lm); }
static int f_pinmap(nd_call *c) { return nd_pin_ret_map(c, tags); }

/* set_value(value=None, smooth=True, force=True): micrOS int()s the value
** and answers a range error as a plain string, not as an error. */
static int f_set_value(nd_call *c)
{
    if (nd_light_lm_ready(c, &lm)) return ND_ERR;
    double v = dim.val[0];
    nd_value *a = c->argv[0];
    if (a && a->type == ND_T_STR) {
        char *e;
        long long x = strtoll(a->u.s.p, &e, 10);
        while (*e == ' ') e++;
        if (e == a->u.s.p || *e) return nd_fail(c, "invalid literal for int() with base 10: '%.40s'", a->u.s.p);
        v = (double)x;
    } else if (!nd_arg_is_none(c, 0) && nd_arg_float(c, 0, &v)) {
        return ND_ERR;
    }
    v = trunc(v);
    if (!(v >= 0 && v <= 1000)) return nd_ret_str(c, "DIMMER ERROR, VALUE 0-1000 ONLY, GIVEN: %.0f", v);
    bool smooth, vf = false;
    nd_arg_bool(c, 1, &smooth);
    if (nd_light_set(c, &dim, &v, &vf, smooth ? 200 : 0)) return ND_ERR;
    return nd_light_status(c, &dim);
}

/* micrOS's help order; subscribe_presence (LM_presence) is not in nodus.
** brightness is nodus's (micrOS's dimmer has none). */
static const nd_func funcs[] = {
    ND_FUNC("set_value", f_set_value, "value=None smooth=True force=True",
            "SLIDER set_value value=<0-1000> smooth=True force=True"),
    ND_FUNC("toggle", f_toggle, "state=None smooth=True", "BUTTON toggle state=<True,False> smooth=True"),
    ND_FUNC("transition", f_transition, "value sec=1.0 wake=False", "transition value=<0-1000> sec wake=False"),
    ND_FUNC("status", f_status, "lmf=None", "STATUS status"),
    ND_FUNC("load", f_load, "cache=None pin=None", "load"),
    ND_FUNC("pinmap", f_pinmap, "", "pinmap"),
    ND_FUNC("brightness", f_brightness, "percent=None smooth=True wake=True",
            "brightness percent=<0-100> smooth=True wake=True"),
    ND_FUNCS_END,
};

const nd_module nd_mod_dimmer = {"dimmer", funcs, NULL, "single PWM dimmer channel"};
