/*
** light_lm.c -- the calls rgb, cct, dimmer and neopixel share
** (nodus/light.h), with micrOS 3.3.1's arguments and replies: they differ
** only in channel count, channel maximum, pin names, status keys and a few
** flags, so the module files hold just those and their function tables.
**
** Where micrOS answers a bad brightness with a plain string ("Percent is
** out of range: 0-100") so does nodus; values micrOS would crash on (a
** channel past its maximum) are refused with a clear error instead.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "ndmath.h"
#include "nodus/light.h"
#include "nodus/module.h"
#include "nodus/pins.h"
#include "nodus/port.h"

#define SMOOTH_MS 200 /* micrOS 3.3.1: interval_sec=0.2 */

double nd_light_pyround(double x, int nd)
{
    /* printf rounds the exact binary value correctly (ties to even), as
    ** Python's round(x, n) does; strtod reads the nearest double back */
    char b[400];
    snprintf(b, sizeof b, "%.*f", nd, x);
    return strtod(b, NULL);
}

static void changing(const nd_light_lm *m)
{
    if (m->on_change) m->on_change(m->l);
}

int nd_light_lm_bind(nd_call *c, const nd_light_lm *m, bool from_args, bool cache)
{
    nd_light *l = m->l;
    for (int i = 0; m->tags[i]; i++)
        if (from_args ? nd_pin_bind_arg(c, m->tags[i], m->load_arg[i], &l->pin[i])
                      : nd_pin_bind(c, m->tags[i], &l->pin[i]))
            return ND_ERR;
    changing(m);
    return nd_light_init(c, l, cache);
}

int nd_light_lm_ready(nd_call *c, const nd_light_lm *m)
{
    return m->l->ready ? ND_OK : nd_light_lm_bind(c, m, false, true);
}

static uint32_t smooth_ms(nd_call *c, int argi)
{
    bool smooth;
    nd_arg_bool(c, argi, &smooth);
    return smooth ? SMOOTH_MS : 0;
}

int nd_light_cache_reply(nd_call *c, int argi, const char *suffix)
{
    nd_buf b;
    nd_buf_init(&b, 256);
    if (nd_arg_is_none(c, argi)) nd_buf_puts(&b, "True"); /* micrOS: cache=None means True */
    else nd_render_str(&b, c->argv[argi]);
    int rc = nd_ret_str(c, "CACHE: %s%s", nd_buf_cstr(&b), suffix);
    nd_buf_free(&b);
    return rc;
}

int nd_light_lm_load(nd_call *c, const nd_light_lm *m)
{
    bool cache = true;
    if (!nd_arg_is_none(c, m->cache_arg)) nd_arg_bool(c, m->cache_arg, &cache);
    if (nd_light_lm_bind(c, m, true, cache)) return ND_ERR;
    return nd_light_cache_reply(c, m->cache_arg, "");
}

int nd_light_lm_status(nd_call *c, const nd_light_lm *m)
{
    if (nd_light_lm_ready(c, m)) return ND_ERR;
    return nd_light_status(c, m->l);
}

int nd_light_arg(nd_call *c, nd_light *l, int argi, double *out, bool *isf)
{
    if (nd_arg_is_none(c, argi)) return ND_OK; /* the stored value the caller put there */
    double v;
    if (nd_arg_float(c, argi, &v)) return ND_ERR;
    if (!(v >= 0 && v <= l->max)) return nd_fail(c, "%s=%g out of range 0..%d", c->argn[argi], v, l->max);
    *out = v;
    *isf = c->argv[argi]->type == ND_T_FLOAT;
    return ND_OK;
}

/* the n channel values from arguments 0..n-1 (None keeps the stored one) */
static int values(nd_call *c, const nd_light_lm *m, double *v, bool *vf)
{
    nd_light *l = m->l;
    for (int i = 0; i < l->n; i++) {
        v[i] = l->val[i], vf[i] = l->vf[i];
        if (nd_light_arg(c, l, i, &v[i], &vf[i])) return ND_ERR;
    }
    return ND_OK;
}

int nd_light_lm_set(nd_call *c, const nd_light_lm *m)
{
    double v[ND_FADE_CH];
    bool vf[ND_FADE_CH];
    changing(m);
    if (nd_light_lm_ready(c, m) || values(c, m, v, vf)) return ND_ERR;
    if (nd_light_set(c, m->l, v, vf, smooth_ms(c, m->l->n))) return ND_ERR;
    return nd_light_status(c, m->l);
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
    return nd_light_status(c, m->l);
}

static int ret_percent(nd_call *c, double p)
{
    nd_buf b;
    nd_buf_init(&b, 64);
    nd_render_float(&b, p); /* "{} %".format(float): Python's repr */
    int rc = nd_ret_str(c, "%s %%", nd_buf_cstr(&b));
    nd_buf_free(&b);
    return rc;
}

/* micrOS's brightness(percent=None, smooth=True, wake=True), step by step:
** the same float operations in the same order give the same bits. */
int nd_light_lm_brightness(nd_call *c, const nd_light_lm *m)
{
    nd_light *l = m->l;
    changing(m);
    if (nd_light_lm_ready(c, m)) return ND_ERR;
    double chmax = 0;
    bool chmax_f = false;
    for (int i = 0; i < l->n; i++)
        if (i == 0 || l->val[i] > chmax) chmax = l->val[i], chmax_f = l->vf[i];
    double actual = chmax / l->max * 100;
    if (nd_arg_is_none(c, 0)) return l->s ? ret_percent(c, actual) : nd_ret_str(c, "0 %%");
    double p;
    if (nd_arg_float(c, 0, &p)) return ND_ERR;
    if (p < 0 || p > 100) return nd_ret_str(c, "Percent is out of range: 0-100");
    if (p == actual && l->s) return nd_light_status(c, l);
    if (chmax == 0) return nd_fail(c, chmax_f ? "float division by zero" : "division by zero");
    bool wake, lit;
    nd_arg_bool(c, 2, &wake);
    lit = l->s || wake;
    double tb = l->max * (p / 100), nv[ND_FADE_CH];
    bool nf[ND_FADE_CH];
    for (int i = 0; i < l->n; i++) {
        /* neopixel computes its blue channel as target * float(b) / max */
        double x = (l->br_mode == ND_BR_NEO && i == 2) ? tb * l->val[2] / chmax : tb * (l->val[i] / chmax);
        bool r3 = l->br_mode == ND_BR_ROUND3 || (l->br_mode == ND_BR_NEO && lit);
        nv[i] = r3 ? nd_light_pyround(x, 3) : nd_trunc(x);
        nf[i] = r3;
    }
    if (lit) {
        if (nd_light_set(c, l, nv, nf, smooth_ms(c, 1))) return ND_ERR;
    } else { /* off and no wake: micrOS only updates its in-memory colour */
        for (int i = 0; i < l->n; i++) l->val[i] = nv[i], l->vf[i] = nf[i];
    }
    return nd_light_status(c, l);
}

int nd_light_lm_transition(nd_call *c, const nd_light_lm *m)
{
    double v[ND_FADE_CH], sec;
    bool vf[ND_FADE_CH], wake;
    int n = m->l->n;
    changing(m);
    if (nd_light_lm_ready(c, m) || values(c, m, v, vf)) return ND_ERR;
    if (nd_arg_float(c, n, &sec)) return ND_ERR;
    if (!(sec >= 0 && sec <= 3600)) return nd_fail(c, "sec=%g out of range 0..3600", sec);
    nd_arg_bool(c, n + 1, &wake);
    return nd_light_transition(c, m->l, v, (uint32_t)(sec * 1000), wake);
}

int nd_light_lm_random(nd_call *c, const nd_light_lm *m)
{
    nd_light *l = m->l;
    int64_t mx;
    changing(m);
    if (nd_light_lm_ready(c, m) || nd_arg_int(c, 1, &mx)) return ND_ERR;
    if (mx < 0 || mx > l->max) return nd_fail(c, "max_val=%lld out of range 0..%d", (long long)mx, l->max);
    double v[ND_FADE_CH];
    bool vf[ND_FADE_CH] = {0};
    for (int i = 0; i < l->n; i++) { /* randint(0, max_val) */
        uint32_t r;
        nd_port_random(&r, sizeof r);
        v[i] = (double)(r % (uint32_t)(mx + 1));
    }
    if (nd_light_set(c, l, v, vf, smooth_ms(c, 0))) return ND_ERR;
    return nd_light_status(c, l);
}
