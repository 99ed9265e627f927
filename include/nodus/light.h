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

/* ---- the calls of a plain PWM light module (rgb, cct, dimmer) ----------
** One light of l->n channels on the pins named by tags (NULL-ended), status
** keys in keys. Arguments follow micrOS's LMs: load pin... cache; set
** v... smooth; toggle state smooth; brightness percent smooth; transition
** v... sec wake. Pins are booked on first use when load was not called. */
typedef struct nd_light_lm {
    nd_light *l;
    const char *const *tags;
    const char *const *keys;
} nd_light_lm;

int nd_light_lm_load(nd_call *c, const nd_light_lm *m);
int nd_light_lm_status(nd_call *c, const nd_light_lm *m);
int nd_light_lm_set(nd_call *c, const nd_light_lm *m);
int nd_light_lm_toggle(nd_call *c, const nd_light_lm *m);
int nd_light_lm_brightness(nd_call *c, const nd_light_lm *m);
int nd_light_lm_transition(nd_call *c, const nd_light_lm *m);

#endif
