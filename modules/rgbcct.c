/*
** rgbcct.c -- an RGB strip and a CCT (warm/cold white) strip as one light
** (micrOS LM_rgbcct): it calls the `rgb` and `cct` modules' own functions
** and merges their replies as micrOS's dict.update does -- rgb's keys
** first, then cct's (S and BR keep their place and take cct's values, CW
** and WW follow):
**   load(cache=None)  -> 'RGB: CACHE: True, CCT: CACHE: True'
**   toggle(state, smooth) -> rgb toggles, cct follows rgb's new state
**   brightness(percent, smooth, wake), status(lmf), pinmap -> merged dicts
** Pins, cache files and fades are rgb's and cct's. The contract:
** docs/modules.md.
*/
#include <string.h>

#include "nodus/module.h"


/* micrOS: rgb.update(cct) */
static int merge(nd_call *c, nd_value *rgb, nd_value *cct)
{
    if (!rgb || rgb->type != ND_T_DICT || !cct || cct->type != ND_T_DICT) {
        c->ret = rgb;
        return ND_OK;
    }
    for (size_t k = 0; k < cct->u.seq.n; k++) /* n pairs: v[2k] key, v[2k+1] value */
        if (nd_dict_set(c->arena, rgb, cct->u.seq.v[2 * k]->u.s.p, cct->u.seq.v[2 * k + 1]))
            return nd_fail(c, "memory allocation failed");
    c->ret = rgb;
    return ND_OK;
}

static int f_load(nd_call *c)
{
    nd_value *r, *w, *ra[4] = {NULL, NULL, NULL, c->argv[0]}, *wa[3] = {NULL, NULL, c->argv[0]};
    if (nd_lm_call(c, "rgb", "load", ra, 4, &r) || nd_lm_call(c, "cct", "load", wa, 3, &w)) return ND_ERR;
    nd_buf b;
    nd_buf_init(&b, 128);
    nd_buf_printf(&b, "RGB: ");
    nd_render_str(&b, r);
    nd_buf_printf(&b, ", CCT: ");
    nd_render_str(&b, w);
    int rc = nd_ret_str(c, "%s", nd_buf_cstr(&b));
    nd_buf_free(&b);
    return rc;
}

static int f_toggle(nd_call *c)
{
    nd_value *r, *w;
    if (nd_lm_call(c, "rgb", "toggle", c->argv, 2, &r)) return ND_ERR;
    nd_value *st = r && r->type == ND_T_DICT ? nd_dict_get(r, "S") : NULL;
    bool on = st && ((st->type == ND_T_INT && st->u.i != 0) || (st->type == ND_T_FLOAT && st->u.f != 0));
    nd_value *wa[2] = {nd_bool(c->arena, on), c->argv[1]};
    if (nd_lm_call(c, "cct", "toggle", wa, 2, &w)) return ND_ERR;
    return merge(c, r, w);
}

static int f_brightness(nd_call *c)
{
    nd_value *r, *w;
    if (nd_lm_call(c, "rgb", "brightness", c->argv, 3, &r) || nd_lm_call(c, "cct", "brightness", c->argv, 3, &w))
        return ND_ERR;
    return merge(c, r, w);
}

static int f_status(nd_call *c)
{
    nd_value *r, *w;
    if (nd_lm_call(c, "rgb", "status", c->argv, 1, &r) || nd_lm_call(c, "cct", "status", c->argv, 1, &w))
        return ND_ERR;
    return merge(c, r, w);
}

static int f_pinmap(nd_call *c)
{
    nd_value *r, *w;
    if (nd_lm_call(c, "rgb", "pinmap", NULL, 0, &r) || nd_lm_call(c, "cct", "pinmap", NULL, 0, &w)) return ND_ERR;
    return merge(c, r, w);
}

static const nd_func funcs[] = {
    ND_FUNC("load", f_load, "cache=None", "load"),
    ND_FUNC("toggle", f_toggle, "state=None smooth=True", "BUTTON toggle state=<True,False> smooth=True"),
    ND_FUNC("brightness", f_brightness, "percent=None smooth=True wake=True",
            "SLIDER brightness percent smooth=True wake=True"),
    ND_FUNC("status", f_status, "lmf=None", "status"),
    ND_FUNC("pinmap", f_pinmap, "", "pinmap"),
    ND_FUNCS_END,
};

const nd_module nd_mod_rgbcct = {"rgbcct", funcs, NULL, "RGB + CCT strips as one light (rgb and cct)"};
