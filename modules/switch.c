/*
** switch.c -- four digital switch channels switch_1..switch_4 (micrOS
** LM_switch). States survive a restart (data/switch.cache).
*/
#include "nodus/hal.h"
#include "nodus/lmcache.h"
#include "nodus/module.h"
#include "nodus/pins.h"

#define CH 4
static const char *const tags[] = {"switch_1", "switch_2", "switch_3", "switch_4", NULL};
static int pin[CH], st[CH];
static bool ready_, cache_ = true;

static int apply(nd_call *c, int i)
{
    int lvl = nd_pin_inverted(pin[i]) ? !st[i] : st[i];
    if (nd_gpio_write(nd_pin_gpio(pin[i]), lvl) < 0) return nd_fail(c, "%s", nd_hal_error());
    return ND_OK;
}

static int init(nd_call *c, bool cache)
{
    for (int i = 0; i < CH; i++)
        if (nd_pin_bind(c, tags[i], &pin[i])) return ND_ERR;
    cache_ = cache;
    double v[CH];
    if (cache && nd_lm_cache_load("switch", v, CH) == CH)
        for (int i = 0; i < CH; i++) st[i] = v[i] != 0;
    for (int i = 0; i < CH; i++)
        if (apply(c, i)) return ND_ERR;
    ready_ = true;
    return ND_OK;
}

static int ready(nd_call *c) { return ready_ ? ND_OK : init(c, true); }

static int f_status(nd_call *c)
{
    if (ready(c)) return ND_ERR;
    nd_value *d = nd_ret_dict(c);
    if (!d) return ND_ERR;
    for (int i = 0; i < CH; i++) {
        char k[4] = {'S', (char)('1' + i), 0, 0};
        if (nd_dict_set(c->arena, d, k, nd_int(c->arena, st[i])) != ND_OK)
            return nd_fail(c, "memory allocation failed");
    }
    return ND_OK;
}

static int channel(nd_call *c, int argi, int *ch)
{
    int64_t v;
    if (nd_arg_int(c, argi, &v)) return ND_ERR;
    if (v < 1 || v > CH) return nd_fail(c, "ch=%lld out of range 1..%d", (long long)v, CH);
    *ch = (int)v - 1;
    return ND_OK;
}

static int change(nd_call *c, int ch, int s)
{
    st[ch] = s;
    if (apply(c, ch)) return ND_ERR;
    if (cache_) {
        double v[CH];
        for (int i = 0; i < CH; i++) v[i] = st[i];
        nd_lm_cache_save("switch", v, CH);
    }
    return f_status(c);
}

static int f_load(nd_call *c)
{
    bool cache;
    nd_arg_bool(c, 0, &cache);
    if (init(c, cache)) return ND_ERR;
    return nd_ret_str(c, "CACHE: %s", cache ? "True" : "False");
}

static int f_set_state(nd_call *c)
{
    int ch = 0;
    bool s;
    if (ready(c) || channel(c, 1, &ch)) return ND_ERR;
    nd_arg_bool(c, 0, &s);
    return change(c, ch, s);
}

static int f_toggle(nd_call *c)
{
    int ch = 0;
    if (ready(c) || channel(c, 0, &ch)) return ND_ERR;
    return change(c, ch, !st[ch]);
}

static int f_pinmap(nd_call *c) { return nd_pin_ret_map(c, tags); }

static const nd_func funcs[] = {
    ND_FUNC("load", f_load, "cache=True", "load cache=True"),
    ND_FUNC("set_state", f_set_state, "state ch=1", "set_state state=<True,False> ch=<1,2,3,4>"),
    ND_FUNC("toggle", f_toggle, "ch=1", "BUTTON toggle ch=<1,2,3,4>"),
    ND_FUNC("status", f_status, "lmf=None", "STATUS status"),
    ND_FUNC("pinmap", f_pinmap, "", "pinmap"),
    ND_FUNCS_END,
};

const nd_module nd_mod_switch = {"switch", funcs, NULL, "four digital switch channels"};
