/*
** slots.h -- the client slots every door shares.
**
** micrOS gives its shell sessions and web requests max(1, aioqueue) slots
** between them; nodus keeps that rule in this one place. A door registers
** once (nd_slot_door) and then takes and releases slots; a client that finds
** none joins the one waiting room, served in arrival order whatever its door,
** and is admitted when a slot frees -- or when a door gives one up through
** its evict callback (the stream doors, door.c: a session idle for more than
** soctout) -- or told busy after ND_SLOT_WAIT_MS. A door may cap its own
** share (the web's webui_max_con).
**
** What a slot stands for is the door's choice: a shell session holds one for
** its life; the web door holds one per request being served, so connections
** that only hold a socket open (slowloris, idle keep-alive, event streams)
** take nothing from anyone.
*/
#ifndef ND_SLOTS_H
#define ND_SLOTS_H

#include <stdbool.h>
#include <stdint.h>

#include "timer.h"

struct nd_node;

/* ND_SLOTS_MAX, ND_SLOT_WAIT_MAX, ND_SLOT_WAIT_MS, ND_SLOT_TICK_MS */
#include "nodus/opts.h" /* the limits; a port may override them */

typedef struct nd_slot_door {
    const char *name;
    int held;                               /* slots this door holds */
    int (*cap)(struct nd_node *n);          /* the door's own cap, or NULL */
    bool (*evict)(void *ud, uint64_t now);  /* free one slot of an idle client, or NULL */
    void *ud;
    struct nd_slot_door *next;
} nd_slot_door;

typedef struct nd_slot_waiter nd_slot_waiter;
struct nd_slot_waiter {
    nd_slot_waiter *prev, *next;
    nd_slot_door *door;
    uint64_t since;
    bool queued;
    void (*admit)(nd_slot_waiter *w); /* a slot was taken for it */
    void (*busy)(nd_slot_waiter *w);  /* it waited in vain; it has left the room */
};

typedef struct nd_slots {
    struct nd_node *node;
    nd_slot_door *doors;
    int held;
    nd_slot_waiter *head, *tail;
    int nwait;
    nd_timer tick;
} nd_slots;

void nd_slots_init(nd_slots *p, struct nd_node *n);
void nd_slots_stop(nd_slots *p);
void nd_slot_door_add(nd_slots *p, nd_slot_door *d);
void nd_slot_door_remove(nd_slots *p, nd_slot_door *d);
/* Take a slot now: only when one is free and nobody waits. */
bool nd_slot_take(nd_slots *p, nd_slot_door *d);
void nd_slot_release(nd_slots *p, nd_slot_door *d);
/* Join the waiting room (w->door, admit, busy set by the caller); false when
** the room is full: tell the client busy at once. */
bool nd_slot_wait(nd_slots *p, nd_slot_waiter *w);
void nd_slot_unwait(nd_slots *p, nd_slot_waiter *w);
/* Slots the pool has in all (max(1, aioqueue), capped). */
int nd_slots_total(nd_slots *p);

#endif
