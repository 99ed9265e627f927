/*
** cct.c -- cold/warm white LED strip on two PWM pins (micrOS LM_cct, 3.3.1).
** Channels 0..1000 as micrOS (duty = v * 1023 / 1000); colour and on/off
** survive a restart (data/cct.cache). Fades run as the tasks "cct._fade"
** and "cct._tran" (light.h); hue_transition moves the warm/cold ratio at
** constant total brightness as the task "cct._hue".
** The contract: docs/modules.md.
*/
#include <math.h>

#include "nodus/light.h"
#include "nodus/module.h"
#include "nodus/pins.h"
#include "nodus/port.h"
#include "nodus/task.h"

static const char *const keys[] = {"CW", "WW"};
/* micrOS reads the PWM duty back into its cache: values stay ints */
static nd_light cw = {.name = "cct", .n = 2, .max = 1000, .keys = keys, .val = {500, 500},
                      .int_vals = true, .br_mode = ND_BR_INT};
static const char *const tags[] = {"cwhite", "wwhite", NULL};
static const int load_arg[] = {1, 0}; /* load(pin_warm, pin_cold): cold white is the 2nd */
static const nd_light_lm lm = {.l = &cw, .tags = tags, .load_arg = load_arg, .cache_arg = 2};

/* ---- hue_transition: the task "cct._hue" --------------------------------- */
static struct {
    nd_fade f;  /* warm share in per mille, one channel */
    bool wake;
    int gen;    /* the generation it runs for; hue_gen moves on to stop it */
} hue;
static int hue_gen;
static bool hue_running;    /* set by the step, cleared when it ends ... */
static uint64_t hue_seen_ms; /* ... or, killed from the shell, when it stops stepping */

static void stop_hue(void) { hue_gen++; }

static int32_t hue_step(nd_task *t, void *ud)
{
    (void)ud;
    if (hue.gen != hue_gen) {
        nd_task_printf(t, "Cancelled");
        hue_running = false;
        return ND_TASK_DONE;
    }
    hue_running = true;
    hue_seen_ms = nd_port_mono_ms();
    int h;
    bool done = nd_fade_at(&hue.f, nd_port_mono_ms(), &h);
    /* the total follows brightness changes made while the hue moves */
    int all = (int)(cw.val[0] + cw.val[1]);
    int warm = all * h / 1000, cold = all - warm;
    cw.val[0] = cold, cw.val[1] = warm, cw.vf[0] = cw.vf[1] = false;
    if (cw.s || hue.wake) {
        int v[2] = {cold, warm};
        nd_call c = {.node = nd_task_node(t)};
        if (nd_light_show(&c, &cw, v)) {
            nd_task_fail(t, "%s", c.err);
            hue_running = false;
            return ND_TASK_DONE;
        }
    }
    nd_task_printf(t, done ? "HUE DONE %d%%w - CW:%d WW:%d" : "HUE %d%%w - CW:%d WW:%d", h / 10, cold, warm);
    if (!done) return ND_FADE_STEP_MS;
    if ((cw.s || hue.wake) && (cold > 0 || warm > 0)) cw.s = 1;
    nd_light_save(&cw);
    hue_running = false;
    return ND_TASK_DONE;
}

static int f_hue_transition(nd_call *c)
{
    double p, sec;
    if (nd_light_lm_ready(c, &lm) || nd_arg_float(c, 0, &p) || nd_arg_float(c, 1, &sec)) return ND_ERR;
    if (!(p >= 0 && p <= 100)) return nd_ret_str(c, "Invalid range, percent=<0-100>");
    if (!(sec >= 0 && sec <= 3600)) return nd_fail(c, "sec=%g out of range 0..3600", sec);
    nd_arg_bool(c, 2, &hue.wake);
    int all = (int)(cw.val[0] + cw.val[1]);
    int from = all ? (int)(cw.val[1] * 1000 / all) : 0, to = (int)lround(p * 10);
    nd_fade_start(&hue.f, &from, &to, 1, nd_port_mono_ms(), (uint32_t)(sec * 1000));
    hue.gen = hue_gen;
    return nd_task_spawn(c, "cct._hue", hue_step, NULL, 0);
}

/* ---- the shared calls ---------------------------------------------------- */
static int f_load(nd_call *c)
{
    stop_hue();
    return nd_light_lm_load(c, &lm);
}

static int f_white(nd_call *c)
{
    bool force;
    nd_arg_bool(c, 3, &force);
    if (force) stop_hue(); /* micrOS: force cancels the running transitions */
    return nd_light_lm_set(c, &lm);
}

static int f_brightness(nd_call *c)
{
    /* micrOS: while the hue moves, brightness applies at once and the hue
    ** task carries on with the new total */
    bool moving = hue_running && nd_port_mono_ms() - hue_seen_ms < 10 * ND_FADE_STEP_MS;
    if (moving && !nd_arg_is_none(c, 0) && !(c->argv[1] = nd_bool(c->arena, false)))
        return nd_fail(c, "memory allocation failed");
    return nd_light_lm_brightness(c, &lm);
}

static int f_random(nd_call *c)
{
    stop_hue();
    return nd_light_lm_random(c, &lm);
}

static int f_status(nd_call *c) { return nd_light_lm_status(c, &lm); }
static int f_toggle(nd_call *c) { return nd_light_lm_toggle(c, &lm); }
static int f_transition(nd_call *c) { return nd_light_lm_transition(c, &lm); }
static int f_pinmap(nd_call *c) { return nd_pin_ret_map(c, tags); }

/* micrOS's help order; subscribe_presence (LM_presence) is not in nodus */
static const nd_func funcs[] = {
    ND_FUNC("white", f_white, "cw=None ww=None smooth=True force=True",
            "WHITE white cw=<0-800-5> ww smooth=True force=True"),
    ND_FUNC("toggle", f_toggle, "state=None smooth=True", "BUTTON toggle state=<True,False> smooth=True"),
    ND_FUNC("load", f_load, "pin_warm=None pin_cold=None cache=True", "load"),
    ND_FUNC("brightness", f_brightness, "percent=None smooth=True wake=True",
            "SLIDER brightness percent=<0-100> smooth=True wake=True"),
    ND_FUNC("transition", f_transition, "cw=None ww=None sec=1.0 wake=False",
            "transition cw=None ww=None sec=1.0 wake=False"),
    ND_FUNC("hue_transition", f_hue_transition, "percent sec=1.0 wake=False",
            "hue_transition percent=<0-100> sec=1.0 wake=False"),
    ND_FUNC("random", f_random, "smooth=True max_val=1000", "BUTTON random smooth=True max_val=1000"),
    ND_FUNC("status", f_status, "lmf=None", "STATUS status"),
    ND_FUNC("pinmap", f_pinmap, "", "pinmap"),
    ND_FUNCS_END,
};

const nd_module nd_mod_cct = {"cct", funcs, NULL, "cold/warm white LED strip on 2 PWM pins"};
