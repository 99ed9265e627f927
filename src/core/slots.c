/*
** slots.c -- the shared client slots and the one waiting room (slots.h).
*/
#include "slots.h"

#include "node_int.h"
#include "nodus/port.h"

int nd_slots_total(nd_slots *p)
{
    int64_t q = nd_cfg_get_int(p->node->cfg, ND_K_aioqueue);
    if (q < 1) q = 1;
    if (q > ND_SLOTS_MAX) q = ND_SLOTS_MAX;
    return (int)q;
}

static bool room_for(nd_slots *p, nd_slot_door *d)
{
    if (p->held >= nd_slots_total(p)) return false;
    /* only the web door caps its share: without it, no door has a cap */
    return !ND_WITH_WEB || !d->cap || d->held < d->cap(p->node);
}

static void take(nd_slots *p, nd_slot_door *d)
{
    p->held++;
    d->held++;
}

void nd_slots_init(nd_slots *p, struct nd_node *n)
{
    p->node = n;
    p->doors = NULL;
    p->held = 0;
    p->head = p->tail = NULL;
    p->nwait = 0;
}

void nd_slot_door_add(nd_slots *p, nd_slot_door *d)
{
    d->held = 0;
    d->next = p->doors;
    p->doors = d;
}

void nd_slot_door_remove(nd_slots *p, nd_slot_door *d)
{
    for (nd_slot_door **pp = &p->doors; *pp; pp = &(*pp)->next)
        if (*pp == d) {
            *pp = d->next;
            break;
        }
    p->held -= d->held;
    d->held = 0;
}

static void arm_tick(nd_slots *p, uint64_t delay);

bool nd_slot_take(nd_slots *p, nd_slot_door *d)
{
    if (p->nwait || !room_for(p, d)) return false;
    take(p, d);
    return true;
}

void nd_slot_release(nd_slots *p, nd_slot_door *d)
{
    if (d->held <= 0) return;
    d->held--;
    p->held--;
    if (p->nwait) arm_tick(p, 0); /* a slot freed: admit a waiter now */
}

static void unlink_waiter(nd_slots *p, nd_slot_waiter *w)
{
    if (w->prev) w->prev->next = w->next;
    else p->head = w->next;
    if (w->next) w->next->prev = w->prev;
    else p->tail = w->prev;
    w->prev = w->next = NULL;
    w->queued = false;
    p->nwait--;
}

bool nd_slot_wait(nd_slots *p, nd_slot_waiter *w)
{
    if (p->nwait >= ND_SLOT_WAIT_MAX) return false;
    w->since = nd_port_mono_ms();
    w->queued = true;
    w->next = NULL;
    w->prev = p->tail;
    if (p->tail) p->tail->next = w;
    else p->head = w;
    p->tail = w;
    p->nwait++;
    arm_tick(p, 0);
    return true;
}

void nd_slot_unwait(nd_slots *p, nd_slot_waiter *w)
{
    if (w->queued) unlink_waiter(p, w);
}

/* Room for w, evicting an idle client of some door if that is what it takes. */
static bool make_room(nd_slots *p, nd_slot_waiter *w, uint64_t now)
{
    if (room_for(p, w->door)) return true;
    if (p->held < nd_slots_total(p)) return false; /* only the door's own cap is in the way */
    for (nd_slot_door *d = p->doors; d; d = d->next)
        if (d->evict && d->evict(d->ud, now) && room_for(p, w->door)) return true;
    return room_for(p, w->door);
}

static void tick_fn(nd_timer *t, void *ud)
{
    (void)t;
    nd_slots *p = ud;
    uint64_t now = nd_port_mono_ms();
    /* arrival order; a waiter whose door is at its own cap lets the next one by */
    for (nd_slot_waiter *w = p->head, *nx; w; w = nx) {
        nx = w->next;
        if (!make_room(p, w, now)) {
            if (p->held >= nd_slots_total(p)) break; /* no slot at all: keep the order */
            continue;
        }
        unlink_waiter(p, w);
        take(p, w->door);
        w->admit(w); /* may free other waiters: restart from the head */
        nx = p->head;
    }
    for (nd_slot_waiter *w = p->head, *nx; w; w = nx) {
        nx = w->next;
        if (now - w->since >= ND_SLOT_WAIT_MS) {
            unlink_waiter(p, w);
            w->busy(w);
            nx = p->head; /* busy() may have freed neighbours */
        }
    }
    if (p->nwait) arm_tick(p, ND_SLOT_TICK_MS);
}

static void arm_tick(nd_slots *p, uint64_t delay)
{
    uint64_t due = nd_port_mono_ms() + delay;
    if (nd_timer_armed(&p->tick) && p->tick.due <= due) return;
    nd_timer_arm(&p->node->timers, &p->tick, due, tick_fn, p);
}

void nd_slots_stop(nd_slots *p)
{
    nd_timer_disarm(&p->node->timers, &p->tick);
}
