/*
** light.c -- shared state machine of the light modules (light.h).
*/
#include <stdio.h>
#include <string.h>

#include "nodus/hal.h"
#include "nodus/lmcache.h"
#include "nodus/light.h"
#include "nodus/node.h"
#include "nodus/port.h"
#include "nodus/task.h"

#define ND_LIGHT_PWM_HZ 20000 /* above hearing, as micrOS's 20480 */

static int show(nd_light *l, const int *v)
{
    if (l->show) return l->show(l, v);
    for (int i = 0; i < l->n; i++) {
        int rc = nd_pwm_set(l->pin[i], ND_LIGHT_PWM_HZ, (uint32_t)((long)v[i] * ND_PWM_DUTY_MAX / l->max));
        if (rc < 0) return rc;
    }
    return ND_OK;
}

static void save(nd_light *l)
{
    if (!l->cache) return;
    double v[ND_FADE_CH + 1];
    for (int i = 0; i < l->n; i++) v[i] = l->val[i];
    v[l->n] = l->s;
    nd_lm_cache_save(l->name, v, l->n + 1);
}

static int32_t step(nd_task *t, void *ud)
{
    nd_light *l = ud;
    int v[ND_FADE_CH];
    bool done = nd_fade_at(&l->fade, nd_port_mono_ms(), v);
    if (show(l, v) < 0) {
        nd_task_fail(t, "%s", nd_hal_error());
        return ND_TASK_DONE;
    }
    memcpy(l->out, v, sizeof v);
    nd_task_printf(t, done ? "Dimming DONE: %d %d %d %d" : "Dimming: %d %d %d %d", v[0],
                   l->n > 1 ? v[1] : 0, l->n > 2 ? v[2] : 0, l->n > 3 ? v[3] : 0);
    return done ? ND_TASK_DONE : ND_FADE_STEP_MS;
}

/* Fade the hardware from out[] to target[] in ms. */
static int go(nd_call *c, nd_light *l, const int *target, uint32_t ms)
{
    nd_fade_start(&l->fade, l->out, target, l->n, nd_port_mono_ms(), ms);
    if (ms == 0) {
        if (show(l, target) < 0) return nd_fail(c, "%s", nd_hal_error());
        memcpy(l->out, target, sizeof l->out);
        return ND_OK;
    }
    snprintf(l->tag, sizeof l->tag, "%s._tran", l->name);
    if (nd_task_spawn(c, l->tag, step, l, 0) != ND_OK) {
        /* task queue full: no fade, but the light still does what was asked */
        c->err[0] = 0;
        nd_fade_start(&l->fade, l->out, target, l->n, 0, 0);
        return go(c, l, target, 0);
    }
    return ND_OK;
}

static void target_of(const nd_light *l, int *t)
{
    for (int i = 0; i < ND_FADE_CH; i++) t[i] = (i < l->n && l->s) ? l->val[i] : 0;
}

int nd_light_init(nd_call *c, nd_light *l, bool cache)
{
    l->cache = cache;
    if (cache) {
        double v[ND_FADE_CH + 1];
        int k = nd_lm_cache_load(l->name, v, l->n + 1);
        if (k == l->n + 1) {
            for (int i = 0; i < l->n; i++) {
                int x = (int)v[i];
                l->val[i] = x < 0 ? 0 : x > l->max ? l->max : x;
            }
            l->s = v[l->n] != 0;
        } else if (k != 0) {
            nd_log(c->node, "[WARN] %s: damaged data/%s.cache ignored", l->name, l->name);
        }
    }
    l->ready = true;
    int t[ND_FADE_CH];
    target_of(l, t);
    return go(c, l, t, 0);
}

int nd_light_set(nd_call *c, nd_light *l, const int *v, uint32_t ms)
{
    bool any = false;
    for (int i = 0; i < l->n; i++) any |= v[i] > 0;
    if (any) {
        memcpy(l->val, v, sizeof(int) * (size_t)l->n);
        l->s = 1;
    } else {
        l->s = 0;
    }
    save(l);
    int t[ND_FADE_CH];
    target_of(l, t);
    return go(c, l, t, ms);
}

int nd_light_toggle(nd_call *c, nd_light *l, int state, uint32_t ms)
{
    l->s = state < 0 ? !l->s : state != 0;
    save(l);
    int t[ND_FADE_CH];
    target_of(l, t);
    return go(c, l, t, ms);
}

int nd_light_brightness(nd_call *c, nd_light *l, int percent, uint32_t ms)
{
    int top = 0, v[ND_FADE_CH];
    for (int i = 0; i < l->n; i++) top = l->val[i] > top ? l->val[i] : top;
    long want = ((long)l->max * percent + 50) / 100;
    for (int i = 0; i < l->n; i++)
        v[i] = top ? (int)(((long)l->val[i] * want + top / 2) / top) : (int)want;
    if (percent == 0) { /* off, keep the colour for toggle */
        l->s = 0;
        save(l);
        int t[ND_FADE_CH];
        target_of(l, t);
        return go(c, l, t, ms);
    }
    return nd_light_set(c, l, v, ms);
}

int nd_light_transition(nd_call *c, nd_light *l, const int *v, uint32_t ms, bool wake)
{
    memcpy(l->val, v, sizeof(int) * (size_t)l->n);
    if (wake) l->s = 1;
    save(l);
    if (!l->s) return ND_OK; /* off: the new colour waits for toggle */
    int t[ND_FADE_CH];
    target_of(l, t);
    return go(c, l, t, ms);
}

double nd_light_br(const nd_light *l)
{
    int top = 0;
    for (int i = 0; i < l->n; i++) top = l->val[i] > top ? l->val[i] : top;
    if (!l->s) return 0.0;
    return (double)(long)((double)top * 1000.0 / l->max + 0.5) / 10.0;
}

int nd_light_status(nd_call *c, nd_light *l, const char *const *keys)
{
    nd_value *d = nd_ret_dict(c);
    if (!d) return ND_ERR;
    for (int i = 0; i < l->n; i++)
        if (nd_dict_set(c->arena, d, keys[i], nd_int(c->arena, l->val[i])) != ND_OK)
            return nd_fail(c, "memory allocation failed");
    if (nd_dict_set(c->arena, d, "S", nd_int(c->arena, l->s)) != ND_OK)
        return nd_fail(c, "memory allocation failed");
    return ND_OK;
}

int nd_light_arg(nd_call *c, nd_light *l, int argi, int dflt, int *out)
{
    int64_t v;
    if (nd_arg_is_none(c, argi)) {
        *out = dflt;
        return ND_OK;
    }
    if (nd_arg_int(c, argi, &v)) return ND_ERR;
    if (v < 0 || v > l->max)
        return nd_fail(c, "%s=%lld out of range 0..%d", c->argn[argi], (long long)v, l->max);
    *out = (int)v;
    return ND_OK;
}
