/*
** pins.c -- the node's pin map (nodus/pins.h over pinmap.h).
**
** One pin map per node, built on first use from the `board` and `cstmpmap`
** keys (both take effect after a reboot, as in micrOS). It is kept here
** rather than in struct nd_node so the node stays independent of the
** hardware layer; the owning node is remembered so that a second node in one
** process (unit tests) starts with a fresh booking table.
*/
#include <stdio.h>
#include <string.h>

#include "cfg.h"
#include "hal_int.h"
#include "nodus/node.h"
#include "nodus/pins.h"
#include "pinmap.h"

static struct {
    struct nd_node *node;
    nd_pinmap pm;
} g;

/* NULL in an image with no hardware backend at all (ND_WITH_HW 0): no pin
** map either, and pinmap.c drops out of the link; each caller answers the
** missing backend's reason (nd_hal_no_backend), as a hardware call would. */
static nd_pinmap *pm_of(struct nd_node *n)
{
    if (!ND_WITH_HW) return NULL;
    if (g.node != n) {
        g.node = n;
        const nd_cfg *cfg = nd_node_config(n);
        const char *cst = nd_cfg_get_str(cfg, ND_K_cstmpmap);
        if (nd_pinmap_init(&g.pm, nd_cfg_get_str(cfg, ND_K_board), cst) != ND_OK)
            nd_log(n, "[WARN] [io] cstmpmap '%s': %s", cst, g.pm.problems);
    }
    return &g.pm;
}

int nd_node_pin_bind(struct nd_node *n, const char *tag, const int *number, int *pin, char *err,
                     size_t errn)
{
    nd_pinmap *pm = pm_of(n);
    if (pm) return nd_pinmap_bind(pm, tag, number, pin, err, errn);
    int rc = nd_hal_no_backend();
    snprintf(err, errn, "%s", nd_hal_error());
    return rc;
}

int nd_pin_bind(nd_call *c, const char *tag, int *pin)
{
    char err[ND_ERRMSG];
    if (nd_node_pin_bind(c->node, tag, NULL, pin, err, sizeof err) != ND_OK)
        return nd_fail(c, "%s", err);
    return ND_OK;
}

int nd_pin_bind_arg(nd_call *c, const char *tag, int argi, int *pin)
{
    if (nd_arg_is_none(c, argi)) return nd_pin_bind(c, tag, pin);
    int64_t v;
    if (nd_arg_int(c, argi, &v)) return ND_ERR;
    if (v < -100000 || v > 100000) return nd_fail(c, "[io] Pin %s:%lld out of range", tag, (long long)v);
    int num = (int)v;
    char err[ND_ERRMSG];
    if (nd_node_pin_bind(c->node, tag, &num, pin, err, sizeof err) != ND_OK)
        return nd_fail(c, "%s", err);
    return ND_OK;
}

int nd_pin_find(struct nd_node *n, const char *tag, int *pin)
{
    nd_pinmap *pm = pm_of(n);
    return pm ? nd_pinmap_resolve(pm, tag, pin, NULL, 0) : nd_hal_no_backend();
}

int nd_pins_resolve(struct nd_node *n, const char *name, int *pin)
{
    const char *p = name;
    int v = 0;
    if (*p == '-') p++;
    for (; *p >= '0' && *p <= '9' && v < 100000; p++) v = v * 10 + (*p - '0');
    if (*p == 0 && p > name && name[p - name - 1] != '-') { /* a plain number */
        *pin = name[0] == '-' ? -v : v;
        return ND_OK;
    }
    return nd_pin_find(n, name, pin);
}

void nd_pin_release(struct nd_node *n, const char *tag)
{
    nd_pinmap *pm = pm_of(n);
    if (pm) nd_pinmap_release(pm, tag);
}

static nd_value *pin_value(nd_arena *a, int pin)
{
    return pin == ND_PIN_LED ? nd_str(a, "LED") : nd_int(a, pin);
}

/* A tag's pin value, or None when the map has no such tag. */
static nd_value *pin_or_none(nd_call *c, const char *tag)
{
    int pin = 0; /* set on ND_OK only */
    return nd_pin_find(c->node, tag, &pin) == ND_OK ? pin_value(c->arena, pin) : nd_none(c->arena);
}

static int set(nd_call *c, nd_value *d, const char *k, nd_value *v)
{
    if (nd_dict_set(c->arena, d, k, v) != ND_OK) return nd_fail(c, "memory allocation failed");
    return ND_OK;
}

int nd_pin_ret_map(nd_call *c, const char *const *tags)
{
    nd_value *d = nd_ret_dict(c);
    if (!d) return ND_ERR;
    for (; *tags; tags++)
        if (set(c, d, *tags, pin_or_none(c, *tags))) return ND_ERR;
    return ND_OK;
}

/* micrOS pinmap_search: keys split on white space, commas ignored. */
static int search(nd_call *c, const char *keys)
{
    nd_value *d = nd_ret_dict(c);
    if (!d) return ND_ERR;
    char tag[ND_PIN_TAG_MAX];
    for (const char *p = keys; *p;) {
        while (*p && strchr(" ,\t", *p)) p++;
        size_t n = strcspn(p, " ,\t");
        if (!n) break;
        if (n >= sizeof tag) return nd_fail(c, "pin name too long: %.40s...", p);
        memcpy(tag, p, n);
        tag[n] = 0;
        if (set(c, d, tag, pin_or_none(c, tag))) return ND_ERR;
        p += n;
    }
    return ND_OK;
}

int nd_pin_ret_info(nd_call *c, const char *keys)
{
    if (keys) return search(c, keys);
    nd_pinmap *pm = pm_of(c->node);
    if (!pm) return nd_fail(c, "%s", (nd_hal_no_backend(), nd_hal_error()));
    nd_arena *a = c->arena;
    nd_value *d = nd_ret_dict(c);
    nd_value *booked = nd_dict(a), *custom = nd_dict(a), *maps = nd_list(a);
    /* each step below refuses a NULL value (ND_ENOMEM): one error check at the end */
    int rc = ND_OK;
    /* micrOS keeps bookings as {pin: tag} and overrides as {tag: pin} */
    for (int i = 0; i < pm->nbooked && !rc; i++)
        rc = nd_dict_setv(a, booked, pin_value(a, pm->booked[i].pin), nd_str(a, pm->booked[i].tag));
    for (int i = 0; i < pm->ncustom && !rc; i++)
        rc = nd_dict_set(a, custom, pm->custom[i].tag, pin_value(a, pm->custom[i].pin));
    for (size_t i = 0; !rc && nd_board_at(i); i++)
        rc = nd_seq_push(a, maps, nd_str(a, nd_board_at(i)->name));
    if (rc || set(c, d, "map", nd_str(a, pm->board->name)) || set(c, d, "booked", booked) ||
        set(c, d, "custom", custom) || set(c, d, "known_maps", maps) ||
        (pm->problems[0] && set(c, d, "problems", nd_str(a, pm->problems))))
        return nd_fail(c, "memory allocation failed");
    return ND_OK;
}
