/*
** light.h -- the state machine micrOS's light modules share (rgb, cct,
** dimmer, neopixel): N channels 0..max, an on/off state, the colour kept
** while off, smooth transitions as a stepped task, and the state cached in
** data/<module>.cache and restored by load.
**
** Semantics (micrOS LM_rgb/LM_neopixel):
**  - set(v): any channel > 0 stores v and turns on; all zero turns off and
**    keeps the stored colour, so toggle brings it back.
**  - toggle(state): on shows the stored colour, off shows 0.
**  - brightness(p): rescales the stored colour so its largest channel is
**    p % of max (all-zero colour: every channel at p %).
**  - transition(v, ms, wake): a long fade; while off it only updates the
**    stored colour unless wake.
** Every change fades from what the hardware shows now (out[]) with fade.h,
** one step per ND_FADE_STEP_MS, in the task "<module>._tran"; a new change
** simply retargets the running task. Status values are the stored colour.
*/
#ifndef NODUS_LIGHT_H
#define NODUS_LIGHT_H

#include <stdbool.h>

#include "nodus/fade.h"
#include "nodus/module.h"

typedef struct nd_light nd_light;
/* Write channel values to the hardware; ND_OK or a hal error (message in nd_hal_error). */
typedef int (*nd_light_show_fn)(nd_light *l, const int *v);

struct nd_light {
    const char *name;         /* module name: cache file and task tag */
    int n, max;               /* channels, channel maximum */
    int pin[ND_FADE_CH];      /* GPIO per channel (default show: PWM) */
    int val[ND_FADE_CH];      /* stored colour, kept while off */
    int out[ND_FADE_CH];      /* what the hardware shows now */
    int s;                    /* 1 on, 0 off */
    bool ready, cache;
    nd_fade fade;
    nd_light_show_fn show;    /* NULL: PWM on pin[], duty = v * 1023 / max */
    char tag[40];
};

/* Restore the cache (when cache) and show the state: load's second half,
** after the module has bound its pins. */
int nd_light_init(nd_call *c, nd_light *l, bool cache);
/* Set the stored colour/state from v[n] (validated by the caller) and fade
** there in ms (0 = at once). Sets c->ret to nothing; callers add status. */
int nd_light_set(nd_call *c, nd_light *l, const int *v, uint32_t ms);
int nd_light_toggle(nd_call *c, nd_light *l, int state /* -1 flips */, uint32_t ms);
/* percent 0..100 (the caller refuses others). */
int nd_light_brightness(nd_call *c, nd_light *l, int percent, uint32_t ms);
int nd_light_transition(nd_call *c, nd_light *l, const int *v, uint32_t ms, bool wake);
/* Brightness of the stored colour in % (0 when off). */
double nd_light_br(const nd_light *l);
/* Status dict {keys[i]: val[i] ..., 'S': s}; keys has n names. */
int nd_light_status(nd_call *c, nd_light *l, const char *const *keys);
/* Check an argument against 0..max: fails the call with a clear message. */
int nd_light_arg(nd_call *c, nd_light *l, int argi, int dflt, int *out);

/* ---- the calls of a light module (rgb, cct, dimmer, neopixel) ----------
** One light of l->n channels on the pins named by tags (NULL-ended, one pin
** per tag: rgb has three, neopixel's one strip pin carries all channels),
** status keys in keys. Arguments follow micrOS's LMs: load pin... cache; set
** v... smooth; toggle state smooth; brightness percent smooth; transition
** v... sec wake. Pins are booked on first use when load was not called.
** Write it with designated initializers: the hooks are optional. */
typedef struct nd_light_lm {
    nd_light *l;
    const char *const *tags;
    const char *const *keys;
    /* Called when the light is (re)loaded and at the start of every set,
    ** toggle, brightness and transition, even one refused afterwards:
    ** neopixel stops its running effect there. NULL: nothing. */
    void (*on_change)(nd_light *l);
    /* Adds the module's own keys to the status dict in c->ret (neopixel:
    ** BR); ND_OK or a failed call. NULL: nothing. */
    int (*on_status)(nd_call *c, nd_light *l);
} nd_light_lm;

int nd_light_lm_load(nd_call *c, const nd_light_lm *m);
int nd_light_lm_status(nd_call *c, const nd_light_lm *m);
int nd_light_lm_set(nd_call *c, const nd_light_lm *m);
int nd_light_lm_toggle(nd_call *c, const nd_light_lm *m);
int nd_light_lm_brightness(nd_call *c, const nd_light_lm *m);
int nd_light_lm_transition(nd_call *c, const nd_light_lm *m);
/* For a module with its own load or calls (neopixel): book the pins, from
** arguments a0.. (None: the pin map) or, a0 < 0, from the pin map, then
** restore the cache (when cache) and show the state. */
int nd_light_lm_bind(nd_call *c, const nd_light_lm *m, int a0, bool cache);
/* nd_light_lm_bind(c, m, -1, true) unless the light is loaded already. */
int nd_light_lm_ready(nd_call *c, const nd_light_lm *m);

#endif
