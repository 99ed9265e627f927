/*
** light.c -- shared state machine of the light modules (light.h).
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "nodus/hal.h"
#include "nodus/light.h"
#include "nodus/lmcache.h"
#include "nodus/node.h"
#include "nodus/port.h"
#include "nodus/task.h"
#include "ndmath.h" /* nd_rint, nd_trunc: on the bits, no libm (a board links no soft-float for them) */

#define ND_LIGHT_PWM_HZ 20000 /* above hearing, as micrOS's 20480 */

static int hw_show(nd_light *l, const int *v)
{
    if (l->show) return l->show(l, v);
    for (int i = 0; i < l->n; i++) {
        int rc = nd_pwm_set(l->pin[i], ND_LIGHT_PWM_HZ, (uint32_t)((long)v[i] * ND_PWM_DUTY_MAX / l->max));
        if (rc < 0) return rc;
    }
    return ND_OK;
}

void nd_light_save(nd_light *l)
{
    if (!l->cache) return;
    double v[ND_FADE_CH + 1];
    for (int i = 0; i < l->n; i++) v[i] = l->val[i];
    v[l->n] = l->s;
    nd_lm_cache_save(l->name, v, l->n + 1);
}

/* micrOS's task output: "R:10 G:20 B:30", a single channel bare ("10"). */
static void describe(const nd_light *l, const int *v, char *b, size_t n)
{
    size_t k = 0;
    b[0] = 0;
    for (int i = 0; i < l->n && k < n; i++) {
        int w = l->n == 1 ? snprintf(b + k, n - k, "%d", v[i])
                          : snprintf(b + k, n - k, "%s%s:%d", i ? " " : "", l->keys[i], v[i]);
        if (w < 0) break;
        k += (size_t)w;
    }
}

static int32_t step(nd_task *t, void *ud)
{
    nd_light *l = ud;
    int v[ND_FADE_CH];
    char d[64];
    bool done = nd_fade_at(&l->fade, nd_port_mono_ms(), v);
    if (hw_show(l, v) < 0) {
        nd_task_fail(t, "%s", nd_hal_error());
        return ND_TASK_DONE;
    }
    memcpy(l->out, v, sizeof v);
    describe(l, v, d, sizeof d);
    nd_task_printf(t, done ? "Dimming DONE: %s" : "Dimming: %s", d);
    return done ? ND_TASK_DONE : ND_FADE_STEP_MS;
}

static int show_now(nd_call *c, nd_light *l, const int *target)
{
    nd_fade_start(&l->fade, target, target, l->n, 0, 0); /* a running fade ends here */
    if (hw_show(l, target) < 0) return nd_fail(c, "%s", nd_hal_error());
    memcpy(l->out, target, (size_t)l->n * sizeof l->out[0]); /* the caller has n values */
    return ND_OK;
}

/* Fade the hardware from out[] to target[] in ms. task: run it as the task
** even when ms is 0 (transition, whose reply is the task's). */
static int go(nd_call *c, nd_light *l, const int *target, uint32_t ms, bool task)
{
    if (ms == 0 && !task) return show_now(c, l, target);
    nd_fade_start(&l->fade, l->out, target, l->n, nd_port_mono_ms(), ms);
    /* micrOS's smooth colour change blocks for 0.2 s; ours is a task of its
    ** own, so a transition right after it still starts ("_tran") */
    snprintf(l->tag, sizeof l->tag, "%s.%s", l->name, task ? "_tran" : "_fade");
    if (nd_task_spawn(c, l->tag, step, l, 0) != ND_OK) {
        /* task queue full: no fade, but the light still does what was asked;
        ** a transition reports the queue as micrOS's task reply does */
        char why[ND_ERRMSG];
        snprintf(why, sizeof why, "%s", c->err);
        c->err[0] = 0;
        c->ret = NULL;
        if (show_now(c, l, target)) return ND_ERR;
        if (task) {
            nd_value *d = nd_ret_dict(c);
            if (!d || nd_dict_set(c->arena, d, l->tag, nd_str(c->arena, why)) != ND_OK)
                return nd_fail(c, "memory allocation failed");
        }
    }
    return ND_OK;
}

static int hw_of(const nd_light *l, double v)
{
    int x = (int)nd_rint(v); /* Python round(): ties to even */
    return x < 0 ? 0 : x > l->max ? l->max : x;
}

static void target_of(const nd_light *l, int *t)
{
    for (int i = 0; i < ND_FADE_CH; i++) t[i] = (i < l->n && l->s) ? hw_of(l, l->val[i]) : 0;
}

/* int_vals modules keep ints (cct reads the PWM duty back, dimmer int()s). */
static double norm(const nd_light *l, double v) { return l->int_vals ? nd_trunc(v) : v; }

int nd_light_init(nd_call *c, nd_light *l, bool cache)
{
    bool restored = false;
    l->cache = cache;
    if (cache) {
        double v[ND_FADE_CH + 1];
        int k = nd_lm_cache_load(l->name, v, l->n + 1);
        if (k == l->n + 1) {
            for (int i = 0; i < l->n; i++) {
                double x = v[i] < 0 ? 0 : v[i] > l->max ? l->max : v[i];
                l->val[i] = l->restore_int ? nd_trunc(x) : x; /* micrOS: float(data) / int(data) */
                l->vf[i] = !l->restore_int;
            }
            l->s = v[l->n] != 0;
            restored = true;
        } else if (k != 0) {
            nd_log(c->node, "[WARN] %s: damaged data/%s.cache ignored", l->name, l->name);
        }
    }
    l->ready = true;
    if (restored) {
        if (l->s) /* micrOS turns it on through its set path */
            for (int i = 0; i < l->n; i++) {
                l->val[i] = norm(l, l->val[i]);
                l->vf[i] = l->vf[i] && !l->int_vals;
            }
        l->sf = !l->s && l->off_restore_sf;
    }
    int t[ND_FADE_CH];
    target_of(l, t);
    return go(c, l, t, 0, false);
}

int nd_light_set(nd_call *c, nd_light *l, const double *v, const bool *vf, uint32_t ms)
{
    bool any = false;
    for (int i = 0; i < l->n; i++) any |= norm(l, v[i]) > 0;
    if (any) {
        double nv[ND_FADE_CH];
        bool nf[ND_FADE_CH];
        for (int i = 0; i < l->n; i++) {
            nv[i] = norm(l, v[i]);
            nf[i] = vf[i] && !l->int_vals;
            if (l->min_on && nv[i] > 0 && nv[i] < l->min_on) nv[i] = l->min_on;
        }
        memcpy(l->val, nv, sizeof(double) * (size_t)l->n);
        memcpy(l->vf, nf, sizeof(bool) * (size_t)l->n);
        l->s = 1;
    } else {
        l->s = 0; /* off: the colour stays for toggle */
    }
    l->sf = false;
    nd_light_save(l);
    int t[ND_FADE_CH];
    target_of(l, t);
    return go(c, l, t, ms, false);
}

int nd_light_toggle(nd_call *c, nd_light *l, int state, uint32_t ms)
{
    if (state >= 0 && (state != 0) == (l->s != 0)) return ND_OK; /* already there */
    double v[ND_FADE_CH] = {0};
    bool vf[ND_FADE_CH] = {0};
    if (!l->s) {
        memcpy(v, l->val, sizeof v);
        memcpy(vf, l->vf, sizeof vf);
    }
    return nd_light_set(c, l, v, vf, ms);
}

int nd_light_transition(nd_call *c, nd_light *l, const double *v, uint32_t ms, bool wake)
{
    int fin[ND_FADE_CH] = {0}, t[ND_FADE_CH];
    bool any = false;
    for (int i = 0; i < l->n; i++) {
        fin[i] = hw_of(l, v[i]); /* micrOS's fade generator yields round()ed ints */
        any |= fin[i] > 0;
    }
    /* micrOS keeps every step's value, at least 5 so toggle can light it
    ** again, and at the end (when lit) runs its set path on the last one */
    for (int i = 0; i < l->n; i++) {
        l->val[i] = fin[i] > 5 ? fin[i] : 5;
        l->vf[i] = false;
    }
    if (l->s || wake) {
        if (any) {
            for (int i = 0; i < l->n; i++)
                l->val[i] = (l->min_on && fin[i] > 0 && fin[i] < l->min_on) ? l->min_on : fin[i];
            l->s = 1;
        } else {
            l->s = 0;
        }
        l->sf = false;
        nd_light_save(l);
        target_of(l, t);
    } else {
        memcpy(t, l->out, sizeof t); /* off: only the stored colour moves */
    }
    return go(c, l, t, ms, true);
}

int nd_light_show(nd_call *c, nd_light *l, const int *v) { return show_now(c, l, v); }

static double br_of(const nd_light *l)
{
    double m = 0;
    for (int i = 0; i < l->n; i++) m = l->val[i] > m ? l->val[i] : m;
    return m;
}

int nd_light_status(nd_call *c, nd_light *l)
{
    nd_value *d = nd_ret_dict(c);
    if (!d) return ND_ERR;
    nd_arena *a = c->arena;
    for (int i = 0; i < l->n; i++)
        if (nd_dict_set(a, d, l->keys[i], l->vf[i] ? nd_float(a, l->val[i]) : nd_int(a, (int64_t)l->val[i])))
            return nd_fail(c, "memory allocation failed");
    /* micrOS: 0 if off else int(max(channels) * 100 / CH_MAX + 0.5) */
    int64_t br = l->s ? (int64_t)(br_of(l) * 100 / l->max + 0.5) : 0;
    if (nd_dict_set(a, d, "S", l->sf ? nd_float(a, l->s) : nd_int(a, l->s)) ||
        nd_dict_set(a, d, "BR", nd_int(a, br)))
        return nd_fail(c, "memory allocation failed");
    return ND_OK;
}
