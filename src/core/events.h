/*
** events.h -- the node's live events: where something happens (tasks, the
** log, the dispatcher, config saves) an event is emitted; whoever wants
** them registers a reader. The only reader today is the web door's
** /events stream (web_events.c); the hook knows nothing about it, so a
** door can come or go without the emitters noticing.
**
** Each emit call costs one comparison when nobody reads, so doors and
** tasks call them freely. A build with neither reader (ND_WITH_WEB_EVENTS
** and ND_WITH_MQTT off, nodus/opts.h) has nobody to listen: there the
** emitters compile to nothing.
*/
#ifndef ND_EVENTS_H
#define ND_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nd_node;

#include "nodus/opts.h" /* the limits; a port may override them */

/* A reader, embedded in whatever reads (a connection): its position in the
** node's ring of the last ND_EV_RING events. A reader that falls more than
** a ring behind loses the oldest events; the loss is counted at once. */
typedef struct nd_ev_reader nd_ev_reader;
struct nd_ev_reader {
    nd_ev_reader *next;     /* the node's readers (events.c) */
    void (*wake)(void *ud); /* events wait: called from the loop, never inline */
    void *ud;
    uint64_t next_seq;      /* sequence number of the next event to read */
    uint64_t dropped;       /* events this reader lost */
    uint64_t unreported;    /* lost events the reader has not announced yet */
};

/* Start reading: from now on, no history. The first reader allocates the
** ring (ND_ENOMEM when it cannot). wake(ud) is called from a timer after
** events were emitted, never inside the emitting call: events come from
** deep inside the dispatcher and the task runner, and a reader that writes
** to a connection there could re-enter them. */
int nd_events_listen(struct nd_node *n, nd_ev_reader *r, void (*wake)(void *ud), void *ud);
/* Stop reading; the last reader gives the ring's memory back. False when
** r was not reading. */
bool nd_events_unlisten(struct nd_node *n, nd_ev_reader *r);
/* The next event for r, rendered "event: <kind>\ndata: <json>\n\n" (*len
** bytes, no NUL), and r moves past it; NULL when r is up to date. The text
** stays valid until the next emit. */
const char *nd_events_next(struct nd_node *n, nd_ev_reader *r, size_t *len);

/* Emit one event. kind is "task", "log", "state" or "irq"; json is one JSON
** object. Every string leaves through nd_mask_secrets (log.c). */
void nd_node_emit(struct nd_node *n, const char *kind, const char *json, size_t len);
void nd_emit_task(struct nd_node *n, const char *tag, const char *out);    /* {"tag","out"} */
void nd_emit_log(struct nd_node *n, const char *line);                     /* {"line"} */
void nd_emit_task_state(struct nd_node *n, const char *tag, bool active);  /* what: task */
void nd_emit_module(struct nd_node *n, const char *module);                /* what: module */
void nd_emit_config(struct nd_node *n, const char *const *keys, int nkeys); /* what: config */
/* A pin interrupt ran its callback: {"irq": "irq1", "edge": "rising"|"falling", "fired": n} */
void nd_emit_irq(struct nd_node *n, const char *name, bool rising, uint64_t fired);

#endif
