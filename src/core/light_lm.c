/*
** light_lm.c -- the calls rgb, cct, dimmer and neopixel share
** (nodus/light.h): they differ only in channel count, pin names, status
** keys and two optional hooks, so the module files hold just those and
** their function tables (neopixel adds its effects).
*/
#include "nodus/light.h"
#include "nodus/module.h"
#include "nodus/pins.h"

#define SMOOTH_MS 300 /* micrOS: 0.3 s */

static void changing(const nd_light_lm *m)
{
    if (m->on_change) m->on_change(m->l);
}

static int npins(const nd_light_lm *m)
{
    int n = 0;
    while (m->tags[n]) n++;
    return n;
}

int nd_light_lm_bind(nd_call *c, const nd_light_lm *m, int a0, bool cache)
{
    nd_light *l = m->l;
    for (int i = 0; m->tags[i]; i++)
        if (a0 < 0 ? nd_pin_bind(c, m->tags[i], &l->pin[i]) : nd_pin_bind_arg(c, m->tags[i], a0 + i, &l->pin[i]))
            return ND_ERR;
    changing(m);
    return nd_light_init(c, l, cache);
}

int nd_light_lm_ready(nd_call *c, const nd_light_lm *m)
{
    return m->l->ready ? ND_OK : nd_light_lm_bind(c, m, -1, true);
}

static uint32_t smooth_ms(nd_call *c, int argi)
{
    bool smooth;
    nd_arg_bool(c, argi, &smooth);
    return smooth ? SMOOTH_MS : 0;
}

int nd_light_lm_load(nd_call *c, const nd_light_lm *m)
{
    bool cache;
    nd_arg_bool(c, npins(m), &cache);
    if (nd_light_lm_bind(c, m, 0, cache)) return ND_ERR;
    return nd_ret_str(c, "CACHE: %s", cache ? "True" : "False");
}

int nd_light_lm_status(nd_call *c, const nd_light_lm *m)
{
    if (nd_light_lm_ready(c, m) || nd_light_status(c, m->l, m->keys)) return ND_ERR;
    return m->on_status ? m->on_status(c, m->l) : ND_OK;
}

/* the n channel values from arguments 0..n-1 (None keeps the stored one) */
static int values(nd_call *c, const nd_light_lm *m, int *v)
{
    for (int i = 0; i < m->l->n; i++)
        if (nd_light_arg(c, m->l, i, m->l->val[i], &v[i])) return ND_ERR;
    return ND_OK;
}

int nd_light_lm_set(nd_call *c, const nd_light_lm *m)
{
    int v[ND_FADE_CH];
    changing(m);
    if (nd_light_lm_ready(c, m) || values(c, m, v)) return ND_ERR;
    if (nd_light_set(c, m->l, v, smooth_ms(c, m->l->n))) return ND_ERR;
    return nd_light_lm_status(c, m);
}

int nd_light_lm_toggle(nd_call *c, const nd_light_lm *m)
{
    changing(m);
    if (nd_light_lm_ready(c, m)) return ND_ERR;
    int st = -1;
    if (!nd_arg_is_none(c, 0)) {
        bool b;
        nd_arg_bool(c, 0, &b);
        st = b;
    }
    if (nd_light_toggle(c, m->l, st, smooth_ms(c, 1))) return ND_ERR;
    return nd_light_lm_status(c, m);
}

int nd_light_lm_brightness(nd_call *c, const nd_light_lm *m)
{
    changing(m);
    if (nd_light_lm_ready(c, m)) return ND_ERR;
    if (nd_arg_is_none(c, 0)) return nd_ret_str(c, "%g %%", nd_light_br(m->l));
    int64_t p;
    if (nd_arg_int(c, 0, &p)) return ND_ERR;
    if (p < 0 || p > 100) return nd_fail(c, "Percent is out of range: 0-100");
    if (nd_light_brightness(c, m->l, (int)p, smooth_ms(c, 1))) return ND_ERR;
    return nd_light_lm_status(c, m);
}

int nd_light_lm_transition(nd_call *c, const nd_light_lm *m)
{
    int v[ND_FADE_CH];
    double sec;
    bool wake;
    int n = m->l->n;
    changing(m);
    if (nd_light_lm_ready(c, m) || values(c, m, v)) return ND_ERR;
    if (nd_arg_float(c, n, &sec)) return ND_ERR;
    if (sec < 0 || sec > 3600) return nd_fail(c, "sec=%g out of range 0..3600", sec);
    nd_arg_bool(c, n + 1, &wake);
    if (nd_light_transition(c, m->l, v, (uint32_t)(sec * 1000), wake)) return ND_ERR;
    return nd_ret_str(c, "Starting transition");
}
