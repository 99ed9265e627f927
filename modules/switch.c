/*
** switch.c -- four digital switch channels switch_1..switch_4 (micrOS
** LM_switch): set_state/toggle for channel 1, set_state2..4/toggle2..4
** for the others, replies as micrOS ("SET STATE(2): 1"). A channel's pin
** is booked when it is first driven. States survive a restart
** (data/switch.cache). The contract: docs/modules.md.
*/
#include <stdlib.h>
#include <string.h>

#include "nodus/hal.h"
#include "nodus/lmcache.h"
#include "nodus/module.h"
#include "nodus/pins.h"

#define CH 4
static const char *const tags[] = {"switch_1", "switch_2", "switch_3", "switch_4", NULL};
static int pin[CH], st[CH];
static bool bound[CH], restored, cache_ = true;

/* micrOS restores its cache in load(); nodus also on first use, so the
** states survive a restart without a boothook */
static void restore(bool cache)
{
    double v[CH];
    cache_ = cache;
    restored = true;
    if (cache && nd_lm_cache_load("switch", v, CH) == CH)
        for (int i = 0; i < CH; i++) st[i] = v[i] != 0;
}

static void save(void)
{
    if (!cache_) return;
    double v[CH];
    for (int i = 0; i < CH; i++) v[i] = st[i];
    nd_lm_cache_save("switch", v, CH);
}

/* Python's int(x) for the state argument: None keeps the stored one. */
static int state_arg(nd_call *c, int argi, int ch, int64_t *out)
{
    nd_value *a = argi < c->argc ? c->argv[argi] : NULL;
    if (!a || a->type == ND_T_NONE) {
        *out = st[ch];
        return ND_OK;
    }
    if (a->type == ND_T_STR) {
        char *e;
        long long x = strtoll(a->u.s.p, &e, 10);
        while (*e == ' ') e++;
        if (e == a->u.s.p || *e) return nd_fail(c, "invalid literal for int() with base 10: '%.40s'", a->u.s.p);
        *out = x;
        return ND_OK;
    }
    double f;
    if (nd_arg_float(c, argi, &f)) return ND_ERR;
    *out = (int64_t)f;
    return ND_OK;
}

/* micrOS set_state<N>(state=None): 0 or 1, else an error string. */
static int apply(nd_call *c, int ch, int64_t s)
{
    if (s != 0 && s != 1) return nd_ret_str(c, "[ERROR] switch input have to 0 or 1");
    if (!bound[ch]) {
        if (nd_pin_bind(c, tags[ch], &pin[ch])) return ND_ERR;
        bound[ch] = true;
    }
    int lvl = nd_pin_inverted(pin[ch]) ? !s : (int)s;
    if (nd_gpio_write(nd_pin_gpio(pin[ch]), lvl) < 0) return nd_fail(c, "%s", nd_hal_error());
    st[ch] = (int)s;
    save();
    return ch ? nd_ret_str(c, "SET STATE(%d): %d", ch + 1, st[ch]) : nd_ret_str(c, "SET STATE: %d", st[ch]);
}

static int set(nd_call *c, int ch, int argi)
{
    int64_t s = 0;
    if (!restored) restore(true);
    return state_arg(c, argi, ch, &s) ? ND_ERR : apply(c, ch, s);
}

/* toggle<N>() is set_state<N>(1 - state) */
static int toggle(nd_call *c, int ch)
{
    if (!restored) restore(true);
    return apply(c, ch, st[ch] ? 0 : 1);
}

/* nodus's ch=1 keyword on set_state/toggle reaches the other channels too */
static int ch_arg(nd_call *c, int argi, int *ch)
{
    int64_t v;
    if (nd_arg_int(c, argi, &v)) return ND_ERR;
    if (v < 1 || v > CH) return nd_fail(c, "ch=%lld out of range 1..%d", (long long)v, CH);
    *ch = (int)v - 1;
    return ND_OK;
}

static int f_set_state(nd_call *c)
{
    int ch = 0;
    return ch_arg(c, 1, &ch) ? ND_ERR : set(c, ch, 0);
}
static int f_set_state2(nd_call *c) { return set(c, 1, 0); }
static int f_set_state3(nd_call *c) { return set(c, 2, 0); }
static int f_set_state4(nd_call *c) { return set(c, 3, 0); }

static int f_toggle(nd_call *c)
{
    int ch = 0;
    return ch_arg(c, 0, &ch) ? ND_ERR : toggle(c, ch);
}
static int f_toggle2(nd_call *c) { return toggle(c, 1); }
static int f_toggle3(nd_call *c) { return toggle(c, 2); }
static int f_toggle4(nd_call *c) { return toggle(c, 3); }

/* load(cache=None, ch_init=None): restore, then drive the channels listed
** in ch_init -- to their stored state when channel 1 was on, else to 0
** (micrOS decides on channel 1's state for all of them). */
static int f_load(nd_call *c)
{
    bool cache = true;
    if (!nd_arg_is_none(c, 0)) nd_arg_bool(c, 0, &cache);
    nd_value *init = c->argv[1];
    if (init && init->type != ND_T_NONE && init->type != ND_T_LIST && init->type != ND_T_TUPLE)
        return nd_fail(c, "argument of type '%s' is not iterable", nd_type_name(init->type));
    restore(cache);
    bool keep = cache && st[0] == 1;
    for (int ch = 0; init && init->type != ND_T_NONE && ch < CH; ch++) {
        nd_value *want = nd_int(c->arena, ch + 1);
        bool listed = false;
        for (size_t k = 0; want && k < init->u.seq.n; k++) listed |= nd_value_eq(init->u.seq.v[k], want);
        if (!listed) continue;
        if (apply(c, ch, keep ? st[ch] : 0)) return ND_ERR;
    }
    nd_buf b;
    nd_buf_init(&b, 64);
    if (nd_arg_is_none(c, 0)) nd_buf_puts(&b, "True");
    else nd_render_str(&b, c->argv[0]);
    int rc = nd_ret_str(c, "CACHE: %s", nd_buf_cstr(&b));
    nd_buf_free(&b);
    return rc;
}

/* status(lmf=None): all four, or {'S': x} of the channel lmf's last digit names */
static int f_status(nd_call *c)
{
    if (!restored) restore(true);
    nd_value *d = nd_ret_dict(c);
    if (!d) return ND_ERR;
    if (nd_arg_is_none(c, 0)) {
        for (int i = 0; i < CH; i++) {
            char k[4] = {'S', 'W', (char)('1' + i), 0};
            if (nd_dict_set(c->arena, d, k, nd_int(c->arena, st[i])) != ND_OK)
                return nd_fail(c, "memory allocation failed");
        }
        return ND_OK;
    }
    const char *lmf;
    if (c->argv[0]->type != ND_T_STR)
        return nd_fail(c, "'%s' object is not subscriptable", nd_type_name(c->argv[0]->type));
    nd_arg_str(c, 0, &lmf);
    size_t n = strlen(lmf);
    if (!n) return nd_fail(c, "string index out of range");
    int id = lmf[n - 1] - '0', ch = (id >= 2 && id <= 4) ? id - 1 : 0;
    if (nd_dict_set(c->arena, d, "S", nd_int(c->arena, st[ch])) != ND_OK) return nd_fail(c, "memory allocation failed");
    return ND_OK;
}

static int f_pinmap(nd_call *c) { return nd_pin_ret_map(c, tags); }

/* micrOS's help order */
static const nd_func funcs[] = {
    ND_FUNC("set_state", f_set_state, "state=None ch=1", "set_state state=<0,1>"),
    ND_FUNC("toggle", f_toggle, "ch=1", "BUTTON toggle"),
    ND_FUNC("set_state2", f_set_state2, "state=None", "set_state2 state=<0,1>"),
    ND_FUNC("toggle2", f_toggle2, "", "BUTTON toggle2"),
    ND_FUNC("set_state3", f_set_state3, "state=None", "set_state3 state=<0,1>"),
    ND_FUNC("toggle3", f_toggle3, "", "BUTTON toggle3"),
    ND_FUNC("set_state4", f_set_state4, "state=None", "set_state4 state=<0,1>"),
    ND_FUNC("toggle4", f_toggle4, "", "BUTTON toggle4"),
    ND_FUNC("load", f_load, "cache=None ch_init=None", "load cache=None<True/False> ch_init=[1,2,3,4]"),
    ND_FUNC("status", f_status, "lmf=None", "status"),
    ND_FUNC("pinmap", f_pinmap, "", "pinmap"),
    ND_FUNCS_END,
};

const nd_module nd_mod_switch = {"switch", funcs, NULL, "four digital switch channels"};
