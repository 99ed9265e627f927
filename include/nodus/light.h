/*
** light.h -- the state machine micrOS's light modules share (rgb, cct,
** dimmer, neopixel), with micrOS 3.3.1's reply shapes (docs/modules.md).
**
** Semantics (micrOS LM_rgb, LM_cct, LM_dimmer, LM_neopixel):
**  - set(v): any channel > 0 stores v and turns on; all zero turns off and
**    keeps the stored colour, so toggle brings it back.
**  - toggle(state): on shows the stored colour, off shows 0; asking for the
**    state the light is already in changes nothing.
**  - brightness(p): rescales the stored colour so its largest channel is
**    p % of max (micrOS's arithmetic, see light_lm.c).
**  - transition(v, ms, wake): a long fade, always a task "<module>._tran";
**    while off it only updates the stored colour unless wake.
** The stored values keep micrOS's Python types: a value the user gave as an
** int stays an int, brightness() and a restored cache give floats, so the
** status renders `R: 10` or `R: 10.0` exactly as micrOS would.
** Every change fades from what the hardware shows now (out[]) with fade.h,
** one step per ND_FADE_STEP_MS, in the task "<module>._fade" (smooth=True,
** 0.2 s) or "<module>._tran" (transition); a new change simply retargets
** the fade a running task follows. Status values are the stored colour.
*/
#ifndef NODUS_LIGHT_H
#define NODUS_LIGHT_H

#include <stdbool.h>

#include "nodus/fade.h"
#include "nodus/module.h"

typedef struct nd_light nd_light;
/* Write channel values to the hardware; ND_OK or a hal error (message in nd_hal_error). */
typedef int (*nd_light_show_fn)(nd_light *l, const int *v);

/* How brightness() rounds the new channel values (micrOS differs per module). */
enum {
    ND_BR_ROUND3, /* rgb: round(x, 3) floats */
    ND_BR_INT,    /* cct: int(x) */
    ND_BR_NEO,    /* neopixel: round(x, 3) when it lights up, else int(x) */
};

struct nd_light {
    const char *name;         /* module name: cache file and task tag */
    int n, max;               /* channels; channel maximum (micrOS CH_MAX) */
    const char *const *keys;  /* n status keys ("R", "G", "B"); task output labels */
    int pin[ND_FADE_CH];      /* GPIO per channel (default show: PWM) */
    double val[ND_FADE_CH];   /* stored colour, kept while off */
    bool vf[ND_FADE_CH];      /* val[i] is a Python float (renders 10.0) */
    int s;                    /* 1 on, 0 off */
    bool sf;                  /* S renders as a float (neopixel restored while off) */
    int out[ND_FADE_CH];      /* what the hardware shows now (channel units) */
    bool ready, cache;
    /* micrOS's per-module differences */
    bool int_vals;            /* cct, dimmer: stored values are ints (duty read back, int()) */
    bool restore_int;         /* dimmer: the cache file restores ints, others floats */
    bool off_restore_sf;      /* neopixel: restored while off, S stays the file's float */
    int min_on;               /* dimmer: a value > 0 is stored as at least this */
    int br_mode;              /* ND_BR_* */
    nd_fade fade;
    nd_light_show_fn show;    /* NULL: PWM on pin[], duty = v * 1023 / max */
    char tag[40];
};

/* Restore the cache (when cache) and show the state: load's second half,
** after the module has bound its pins. */
int nd_light_init(nd_call *c, nd_light *l, bool cache);
/* micrOS __state_machine: store v[n] (vf: which are floats) and fade there
** in ms (0 = at once). */
int nd_light_set(nd_call *c, nd_light *l, const double *v, const bool *vf, uint32_t ms);
/* state -1 flips; 0/1 asks for a state (no change when already there). */
int nd_light_toggle(nd_call *c, nd_light *l, int state, uint32_t ms);
/* Always starts the task "<name>._tran"; its reply dict becomes c->ret. */
int nd_light_transition(nd_call *c, nd_light *l, const double *v, uint32_t ms, bool wake);
/* Show v now (no fade; a running fade ends there) without touching the
** stored state: for a module's own effects (cct hue_transition). */
int nd_light_show(nd_call *c, nd_light *l, const int *v);
/* Save the stored state to data/<name>.cache when the cache is on. */
void nd_light_save(nd_light *l);
/* Status dict {keys[i]: val[i] ..., 'S': s, 'BR': brightness %}. */
int nd_light_status(nd_call *c, nd_light *l);

/* ---- the calls of a light module (rgb, cct, dimmer, neopixel) ----------
** One light of l->n channels on the pins named by tags (NULL-ended, one pin
** per tag: rgb has three, neopixel's one strip pin carries all channels).
** Argument positions follow micrOS's functions:
**   load      pins per load_arg[tag], cache at cache_arg (None: True)
**   set       v0..v(n-1) smooth force         (color, white, set_value)
**   toggle    state smooth
**   brightness percent smooth wake
**   transition v0..v(n-1) sec wake
**   random    smooth max_val
** Pins are booked on first use when load was not called. Write it with
** designated initializers: the hook is optional. */
typedef struct nd_light_lm {
    nd_light *l;
    const char *const *tags;
    const int *load_arg;      /* per tag: the load argument holding its pin number */
    int cache_arg;            /* load's cache argument */
    /* Called when the light is (re)loaded and at the start of every set,
    ** toggle, brightness, transition and random, even one refused
    ** afterwards: neopixel stops its running effect there. NULL: nothing. */
    void (*on_change)(nd_light *l);
} nd_light_lm;

int nd_light_lm_load(nd_call *c, const nd_light_lm *m);
int nd_light_lm_status(nd_call *c, const nd_light_lm *m);
int nd_light_lm_set(nd_call *c, const nd_light_lm *m);
int nd_light_lm_toggle(nd_call *c, const nd_light_lm *m);
int nd_light_lm_brightness(nd_call *c, const nd_light_lm *m);
int nd_light_lm_transition(nd_call *c, const nd_light_lm *m);
int nd_light_lm_random(nd_call *c, const nd_light_lm *m);
/* For a module with its own load or calls (neopixel): book the pins, from
** load's arguments (from_args; None: the pin map) or from the pin map, then
** restore the cache (when cache) and show the state. */
int nd_light_lm_bind(nd_call *c, const nd_light_lm *m, bool from_args, bool cache);
/* nd_light_lm_bind(c, m, false, true) unless the light is loaded already. */
int nd_light_lm_ready(nd_call *c, const nd_light_lm *m);
/* Read channel argument argi (None: the stored value) as micrOS takes it:
** int or float, 0..max (a clear error outside); *isf tells which it was. */
int nd_light_arg(nd_call *c, nd_light *l, int argi, double *out, bool *isf);
/* "CACHE: <str(value)>" for load's reply (None reads as True). */
int nd_light_cache_reply(nd_call *c, int argi, const char *suffix);
/* Python's round(x, nd) (correctly rounded decimal, ties to even). */
double nd_light_pyround(double x, int nd);

#endif
