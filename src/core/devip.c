/*
** devip.c -- the `devip` config key, as micrOS keeps it: the node's own
** address, written by the node (micrOS stores its station IP there when the
** network comes up; clients such as micrOS's SystemTest read it to reach the
** web door).
**
** The address: the `bind` address when the node listens on one address;
** with bind 0.0.0.0, the first non-loopback IPv4 address of an interface
** that is up (the first loopback one when there is nothing else). It is
** checked at start and every ND_DEVIP_POLL_MS, as the mDNS responder polls
** the interfaces, because DHCP can move a host's address under a running
** node.
**
** A config write is a file write (atomic, fsync'ed): the key is written only
** when the address changed since the last check, and not when the stored
** value already is the address. A value set by the user stays until the
** address changes, and a `--set devip=` override, which wins over the file
** on reads, can never make every check write again.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devip.h"
#include "node_int.h"
#include "nodus/port.h"

#include "nodus/opts.h" /* the limits; a port may override them */

struct nd_devip {
    struct nd_node *node;
    nd_timer timer;
    char last[16]; /* the address seen by the last check, "" before the first */
};

/* The node's IPv4 address as text; false when there is none. */
static bool node_addr(struct nd_node *n, char ip[16])
{
    const char *bind = nd_cfg_get_str(n->cfg, ND_K_bind);
    nd_addr b;
    if (*bind && strcmp(bind, "0.0.0.0") != 0 && nd_addr_parse(bind, 0, &b) == ND_OK && b.family == 4)
        return nd_addr_format(&b, ip, 16) == ND_OK;
    nd_ifaddr all[ND_DEVIP_IFS];
    int k = nd_port_ifaddrs(all, ND_DEVIP_IFS);
    const nd_ifaddr *pick = NULL;
    for (int i = 0; i < k; i++) {
        if (all[i].addr.family != 4) continue;
        if (!all[i].loopback) {
            pick = &all[i];
            break;
        }
        if (!pick) pick = &all[i];
    }
    return pick && nd_addr_format(&pick->addr, ip, 16) == ND_OK;
}

static void check(struct nd_devip *d)
{
    char ip[16];
    if (!node_addr(d->node, ip) || strcmp(ip, d->last) == 0) return;
    snprintf(d->last, sizeof d->last, "%s", ip);
    if (strcmp(nd_cfg_get_str(d->node->cfg, ND_K_devip), ip) == 0) return;
    int rc = nd_cfg_put_node(d->node->cfg, ND_K_devip, ip);
    if (rc == ND_OK) nd_log(d->node, "[INFO] devip %s", ip);
    else nd_log(d->node, "[WARN] devip %s not saved: %s", ip, nd_strerror(rc));
}

static void on_timer(nd_timer *t, void *ud)
{
    struct nd_devip *d = ud;
    check(d);
    nd_timer_arm(&d->node->timers, t, nd_port_mono_ms() + ND_DEVIP_POLL_MS, on_timer, d);
}

void nd_devip_start(struct nd_node *n)
{
    if (n->devip) return;
    struct nd_devip *d = calloc(1, sizeof *d);
    if (!d) {
        nd_log(n, "[WARN] devip: out of memory, the key is not kept current");
        return;
    }
    d->node = n;
    n->devip = d;
    check(d);
    nd_timer_arm(&n->timers, &d->timer, nd_port_mono_ms() + ND_DEVIP_POLL_MS, on_timer, d);
}

void nd_devip_stop(struct nd_node *n)
{
    if (!n->devip) return;
    nd_timer_disarm(&n->timers, &n->devip->timer);
    free(n->devip);
    n->devip = NULL;
}
