/*
** door.h -- the stream door: what every one-session-per-connection door (the
** micrOS shell, telnet) does the same way around its sessions.
**
** A stream door listens on one TCP port and gives each connection a session.
** A session holds one of the node's shared client slots (slots.h) for its
** life. A newcomer finding none joins the node's one waiting room, and is
** admitted when a slot frees, or told "Connection is busy. Bye!" when the
** room is full or its wait ran out. When the room needs a slot, the door
** gives up its session idle the longest, if idle for more than soctout
** seconds (micrOS's rule for its shell; at least 5 s).
**
** This module keeps that bookkeeping in one place: the active and waiting
** lists, the accept loop, admission, the idle victim, the counts. A door
** keeps what is its own -- framing, the texts its clients see, negotiation,
** login -- behind nd_door_ops. It embeds nd_door in its own state and
** nd_door_sess in each session (as nd_slot_waiter is embedded here), and
** gets back to its session with ND_DOOR_SESS.
*/
#ifndef ND_DOOR_H
#define ND_DOOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nodus/port.h"
#include "slots.h"

struct nd_node;
struct nd_door;

/* What a client that found no slot is told (micrOS's words), then closed. */
#define ND_DOOR_BUSY_TEXT "Connection is busy. Bye!\n"

typedef struct nd_door_sess nd_door_sess;
struct nd_door_sess {
    struct nd_door *door;
    nd_door_sess *next; /* in door->active or door->waiting */
    bool waiting;       /* not admitted yet: holds no slot, its input is kept */
    uint64_t since;     /* admitted at, or its last activity (mono ms): the idle clock */
    nd_slot_waiter wait; /* in the node's waiting room while `waiting` */
};

/* The session struct of type `type` whose nd_door_sess member `member` p is. */
#define ND_DOOR_SESS(p, type, member) ((type *)(void *)((char *)(p) - offsetof(type, member)))

typedef struct nd_door_ops {
    /* A connection came: make its session (nd_door_sess zeroed), or NULL to
    ** refuse it (the door closes the socket). */
    nd_door_sess *(*open)(struct nd_door *d, nd_sock *sock, const char *peer);
    /* It got a slot, at once or from the waiting room: greet it. It is on
    ** the active list and `since` is now. */
    void (*admit)(nd_door_sess *s);
    /* Send `text`, then close once it is out (may free the session). */
    void (*bye)(nd_door_sess *s, const char *text);
    /* It was queued in the waiting room: watch its socket. */
    void (*watch)(nd_door_sess *s);
    /* Could it go for a newcomer, idleness aside (not closing, nothing running)? */
    bool (*evictable)(nd_door_sess *s);
    /* Free it now: the waiting room wants its slot. */
    void (*evict)(nd_door_sess *s);
    /* Free it now: the node stops (an admitted one sends what it has, best effort). */
    void (*stop)(nd_door_sess *s);
} nd_door_ops;

typedef struct nd_door {
    struct nd_node *node;
    const nd_door_ops *ops;
    nd_sock *ls;                    /* listening, or NULL */
    nd_door_sess *active, *waiting; /* admitted sessions, newest first; those in the waiting room */
    int nactive, nwaiting;
    nd_slot_door slot;              /* the door's share of the node's client slots */
} nd_door;

/* Set the door up and register it with the node's slots (name: the log's). */
void nd_door_init(nd_door *d, struct nd_node *n, const char *name, const nd_door_ops *ops);
/* Listen on the node's `bind` address; ND_OK or the port's error, logged
** either way ("[BOOT] <what> listening on ...", "[ERR] <name>: cannot ..."). */
int nd_door_listen(nd_door *d, const char *what, int port, int backlog);
/* The session goes (its free calls this): out of its list, and its slot or
** its place in the waiting room given back. */
void nd_door_leave(nd_door_sess *s);
/* Every session stopped (ops->stop), the slots left, the socket closed. */
void nd_door_stop(nd_door *d);
/* The bound port (port 0 picks one), -1 when not listening. */
int nd_door_port(const nd_door *d);

#endif
