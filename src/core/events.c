/*
** events.c -- the node's live events (see events.h): the ring, its readers
** and the emitters (nd_node_emit and the nd_emit_* helpers called by tasks,
** the log and the dispatcher). The web door's /events stream is one
** reader (web_events.c); nothing here knows about it.
**
** Cost when nobody reads: one comparison per call (n->events is NULL).
** A build with no reader at all (no /events, no MQTT) has none: every
** emitter returns at once and the compiler drops its body.
**
** One ring for all readers. An event is rendered once into the ring of the
** last ND_EV_RING events; each reader only remembers the sequence number of
** the next event it needs. A reader that reads slower than events come
** falls more than a ring behind: each new event then overwrites the oldest
** one it has not read, and the loss is counted at once (per reader and, for
** /metrics, in the node). Memory is bounded by the ring, whatever the
** number or speed of the readers, and the ring exists only while someone
** reads.
**
** Delivery is never inline: emitting only stores the event and arms a timer
** that is due at once, and the loop then wakes the readers. Events are
** emitted from deep inside the dispatcher and the task runner, and writing
** to a connection there could re-enter them.
*/
#include <stdlib.h>
#include <string.h>

#include "node_int.h"
#include "text.h"
#include "nodus/port.h"

/* The ring: allocated by the first reader, freed when the last one goes. */
struct nd_events {
    uint64_t seq;            /* sequence number of the next event */
    char *text[ND_EV_RING];  /* "event: ...\ndata: ...\n\n", slot seq % ND_EV_RING */
    uint32_t len[ND_EV_RING];
    nd_timer pump;           /* wakes the readers from the loop, never inline */
    nd_ev_reader *readers;
};

static void pump_fn(nd_timer *t, void *ud)
{
    (void)t;
    struct nd_node *n = ud;
    /* a wake may end its reader's connection, and with the last reader the
    ** ring: the next reader is taken before, the ring never after */
    for (nd_ev_reader *r = n->events ? n->events->readers : NULL, *nx; r; r = nx) {
        nx = r->next;
        r->wake(r->ud);
    }
}

int nd_events_listen(struct nd_node *n, nd_ev_reader *r, void (*wake)(void *ud), void *ud)
{
    if (!n->events && !(n->events = calloc(1, sizeof *n->events))) return ND_ENOMEM;
    struct nd_events *ev = n->events;
    r->wake = wake;
    r->ud = ud;
    r->next_seq = ev->seq; /* from now on: no history */
    r->dropped = r->unreported = 0;
    r->next = ev->readers;
    ev->readers = r;
    return ND_OK;
}

bool nd_events_unlisten(struct nd_node *n, nd_ev_reader *r)
{
    struct nd_events *ev = n->events;
    bool found = false;
    if (!ev) return false;
    for (nd_ev_reader **pp = &ev->readers; *pp; pp = &(*pp)->next)
        if (*pp == r) {
            *pp = r->next;
            found = true;
            break;
        }
    r->next = NULL;
    if (!ev->readers) { /* nobody reads: give the ring's memory back */
        for (int i = 0; i < ND_EV_RING; i++) free(ev->text[i]);
        nd_timer_disarm(&n->timers, &ev->pump);
        free(ev);
        n->events = NULL;
    }
    return found;
}

const char *nd_events_next(struct nd_node *n, nd_ev_reader *r, size_t *len)
{
    struct nd_events *ev = n->events;
    if (!ev || r->next_seq >= ev->seq) return NULL;
    size_t slot = (size_t)(r->next_seq % ND_EV_RING);
    r->next_seq++;
    *len = ev->len[slot];
    return ev->text[slot];
}

/* Whether anyone reads. The readers are the web door's /events stream and
** MQTT telemetry: a build with neither never has one (nothing listens), and
** this is false at compile time there. */
static bool any_reader(const struct nd_node *n)
{
    return ((ND_WITH_WEB && ND_WITH_WEB_EVENTS) || ND_WITH_MQTT) && n->events;
}

void nd_node_emit(struct nd_node *n, const char *kind, const char *json, size_t len)
{
    struct nd_events *ev = n->events;
    if (!any_reader(n)) return;
    size_t kl = strlen(kind);
    size_t need = 7 + kl + 7 + len + 2; /* "event: " kind "\ndata: " json "\n\n" */
    if (need > ND_EV_MAX) return;       /* the helpers keep events far below this */
    size_t slot = (size_t)(ev->seq % ND_EV_RING);
    char *p = realloc(ev->text[slot], need); /* the oldest event's slot, resized */
    if (!p) return;
    ev->text[slot] = p;
    memcpy(p, "event: ", 7);
    memcpy(p + 7, kind, kl);
    memcpy(p + 7 + kl, "\ndata: ", 7);
    memcpy(p + 14 + kl, json, len);
    /* the choke point: whatever built this JSON, no secret goes out (the
    ** helpers already masked their strings before escaping and cutting them;
    ** this catches any other caller). The byte after the JSON is room for
    ** the NUL the masker writes: "\n\n" is put after it. */
    len = nd_mask_secrets(n, p + 14 + kl, len, false);
    memcpy(p + 14 + kl + len, "\n\n", 2);
    need = 14 + kl + len + 2;
    ev->len[slot] = (uint32_t)need;
    ev->seq++;
    /* a reader a whole ring behind just lost its oldest event: count it now,
    ** so /metrics shows the loss while the reader is still stuck */
    for (nd_ev_reader *r = ev->readers; r; r = r->next)
        if (ev->seq - r->next_seq > ND_EV_RING) {
            r->next_seq++;
            r->dropped++;
            r->unreported++;
            n->events_dropped++;
        }
    if (!nd_timer_armed(&ev->pump)) nd_timer_arm(&n->timers, &ev->pump, nd_port_mono_ms(), pump_fn, n);
}

/* ---- the helpers: one JSON object each ------------------------------------ */

static void emit_buf(struct nd_node *n, const char *kind, nd_buf *b)
{
    if (!b->overflow && b->p) nd_node_emit(n, kind, b->p, b->n);
    nd_buf_free(b);
}

#define STR_MAX 1024 /* the longest string field of an event */

/* A string field, masked (nd_mask_secrets) before it is cut to max and
** JSON-escaped: a secret with a quote or backslash in it is caught in its
** raw form, and one cut in half at max is masked too. */
static void put_str(struct nd_node *n, nd_buf *b, const char *s, size_t max)
{
    char tmp[STR_MAX + 1];
    size_t len = strlen(s);
    if (max > STR_MAX) max = STR_MAX;
    bool cut = len > max;
    if (cut) len = max;
    memcpy(tmp, s, len);
    tmp[len] = 0;
    len = nd_mask_secrets(n, tmp, len, cut);
    nd_json_escape(b, tmp, len);
}

void nd_emit_task(struct nd_node *n, const char *tag, const char *out)
{
    if (!any_reader(n)) return;
    nd_buf b;
    nd_buf_init(&b, ND_EV_MAX - 64);
    nd_buf_puts(&b, "{\"tag\": ");
    put_str(n, &b, tag, 128);
    nd_buf_puts(&b, ", \"out\": ");
    put_str(n, &b, out, 1024); /* a task keeps at most ND_TASK_OUT_MAX anyway */
    nd_buf_putc(&b, '}');
    emit_buf(n, "task", &b);
}

void nd_emit_log(struct nd_node *n, const char *line)
{
    if (!any_reader(n)) return;
    nd_buf b;
    nd_buf_init(&b, ND_EV_MAX - 64);
    nd_buf_puts(&b, "{\"line\": ");
    put_str(n, &b, line, 1024);
    nd_buf_putc(&b, '}');
    emit_buf(n, "log", &b);
}

void nd_emit_task_state(struct nd_node *n, const char *tag, bool active)
{
    if (!any_reader(n)) return;
    nd_buf b;
    nd_buf_init(&b, ND_EV_MAX - 64);
    nd_buf_puts(&b, "{\"what\": \"task\", \"tag\": ");
    put_str(n, &b, tag, 128);
    nd_buf_printf(&b, ", \"active\": %s}", active ? "true" : "false");
    emit_buf(n, "state", &b);
}

void nd_emit_module(struct nd_node *n, const char *module)
{
    if (!any_reader(n)) return;
    nd_buf b;
    nd_buf_init(&b, ND_EV_MAX - 64);
    nd_buf_puts(&b, "{\"what\": \"module\", \"module\": ");
    put_str(n, &b, module, 128);
    nd_buf_putc(&b, '}');
    emit_buf(n, "state", &b);
}

void nd_emit_irq(struct nd_node *n, const char *name, bool rising, uint64_t fired)
{
    if (!any_reader(n)) return;
    nd_buf b;
    nd_buf_init(&b, 256);
    nd_buf_puts(&b, "{\"irq\": ");
    put_str(n, &b, name, 32);
    nd_buf_printf(&b, ", \"edge\": \"%s\", \"fired\": %llu}", rising ? "rising" : "falling",
                  (unsigned long long)fired);
    emit_buf(n, "irq", &b);
}

/* Names only, never values: a config event must not carry a secret (nor
** any value: a listener reads /config, which hides the secret keys). */
void nd_emit_config(struct nd_node *n, const char *const *keys, int nkeys)
{
    if (!any_reader(n)) return;
    nd_buf b;
    nd_buf_init(&b, ND_EV_MAX - 64);
    nd_buf_puts(&b, "{\"what\": \"config\", \"keys\": [");
    for (int i = 0; i < nkeys; i++) {
        if (i) nd_buf_puts(&b, ", ");
        put_str(n, &b, keys[i], 64);
    }
    nd_buf_puts(&b, "]}");
    emit_buf(n, "state", &b);
}
