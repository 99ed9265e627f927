/*
** door.c -- the stream door's sessions and admission (door.h).
**
** Lists are singly linked with the newest first, and the idle victim is the
** first of the oldest on the active list: a scan, as the sessions are few
** (bounded by the node's slots).
*/
#include "door.h"

#include "node_int.h"

static void unlink_sess(nd_door_sess **head, nd_door_sess *s)
{
    for (nd_door_sess **pp = head; *pp; pp = &(*pp)->next)
        if (*pp == s) {
            *pp = s->next;
            return;
        }
}

/* The session got a slot (taken at accept or by the waiting room). */
static void admit(nd_door_sess *s)
{
    nd_door *d = s->door;
    if (s->waiting) {
        unlink_sess(&d->waiting, s);
        d->nwaiting--;
    }
    s->waiting = false;
    s->next = d->active;
    d->active = s;
    d->nactive++;
    s->since = nd_port_mono_ms();
    d->ops->admit(s);
}

static void wait_admit(nd_slot_waiter *w) { admit(ND_DOOR_SESS(w, nd_door_sess, wait)); }

static void wait_busy(nd_slot_waiter *w)
{
    /* it stays on the waiting list (holding no slot) until it is gone */
    nd_door_sess *s = ND_DOOR_SESS(w, nd_door_sess, wait);
    s->door->ops->bye(s, ND_DOOR_BUSY_TEXT);
}

/* The waiting room asks for a slot: the session idle the longest, if it has
** been idle for more than soctout seconds (micrOS's rule), goes. */
static bool evict_idle(void *ud, uint64_t now)
{
    nd_door *d = ud;
    int64_t idle_ms = nd_cfg_get_int(d->node->cfg, ND_K_soctout);
    if (idle_ms < 5) idle_ms = 5;
    idle_ms *= 1000;
    nd_door_sess *victim = NULL;
    for (nd_door_sess *a = d->active; a; a = a->next)
        if (now - a->since > (uint64_t)idle_ms && (!victim || a->since < victim->since) &&
            d->ops->evictable(a))
            victim = a;
    if (!victim) return false;
    d->ops->evict(victim);
    return true;
}

static void accept_event(nd_sock *ls, int ev, void *ud)
{
    (void)ev;
    nd_door *d = ud;
    for (int k = 0; k < 64; k++) { /* bounded per turn: other sockets get served too */
        nd_sock *cs;
        char peer[64];
        int rc = nd_net_accept(ls, &cs, peer, sizeof peer);
        if (rc == ND_EAGAIN) return;
        if (rc != ND_OK) continue;
        nd_door_sess *s = d->ops->open(d, cs, peer);
        if (!s) {
            nd_net_close(cs);
            continue;
        }
        s->door = d;
        s->since = nd_port_mono_ms();
        if (nd_slot_take(&d->node->slots, &d->slot)) {
            admit(s);
            continue;
        }
        s->waiting = true;
        s->next = d->waiting;
        d->waiting = s;
        d->nwaiting++;
        s->wait.door = &d->slot;
        s->wait.admit = wait_admit;
        s->wait.busy = wait_busy;
        if (!nd_slot_wait(&d->node->slots, &s->wait)) {
            d->ops->bye(s, ND_DOOR_BUSY_TEXT); /* the waiting room is full */
            continue;
        }
        d->ops->watch(s);
    }
}

void nd_door_init(nd_door *d, struct nd_node *n, const char *name, const nd_door_ops *ops)
{
    d->node = n;
    d->ops = ops;
    d->ls = NULL;
    d->active = d->waiting = NULL;
    d->nactive = d->nwaiting = 0;
    d->slot.name = name;
    d->slot.cap = NULL;
    d->slot.evict = evict_idle;
    d->slot.ud = d;
    nd_slot_door_add(&n->slots, &d->slot);
}

int nd_door_listen(nd_door *d, const char *what, int port, int backlog)
{
    const char *bind = nd_cfg_get_str(d->node->cfg, ND_K_bind);
    int rc = nd_net_listen(bind, port, backlog, accept_event, d, &d->ls);
    if (rc != ND_OK) {
        d->ls = NULL;
        nd_log(d->node, "[ERR] %s: cannot listen on %s:%d (%s)", d->slot.name, bind, port,
               nd_strerror(rc));
        return rc;
    }
    nd_log(d->node, "[BOOT] %s listening on %s:%d", what, bind, nd_net_local_port(d->ls));
    return ND_OK;
}

void nd_door_leave(nd_door_sess *s)
{
    nd_door *d = s->door;
    if (s->waiting) {
        nd_slot_unwait(&d->node->slots, &s->wait);
        unlink_sess(&d->waiting, s);
        d->nwaiting--;
    } else {
        unlink_sess(&d->active, s);
        d->nactive--;
        nd_slot_release(&d->node->slots, &d->slot);
    }
}

void nd_door_stop(nd_door *d)
{
    while (d->active) d->ops->stop(d->active);
    while (d->waiting) d->ops->stop(d->waiting);
    nd_slot_door_remove(&d->node->slots, &d->slot);
    if (d->ls) nd_net_close(d->ls);
    d->ls = NULL;
}

int nd_door_port(const nd_door *d) { return d->ls ? nd_net_local_port(d->ls) : -1; }
