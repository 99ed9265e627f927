/*
** events.c -- live events: the node's hook (nd_node_emit and the nd_emit_*
** helpers called by tasks, the log and the dispatcher) and the /events
** Server-Sent Events stream of the web door.
**
** Cost when nobody listens: one integer comparison per call (ev_listeners).
**
** One ring for all clients. An event is rendered once into the ring of the
** last ND_EV_RING events; each client only remembers the sequence number of
** the next event it needs. A client that reads slower than events come
** falls more than a ring behind: each new event then overwrites the oldest
** one it has not read, the loss is counted at once (per client and in
** /metrics) and announced to it, when it reads again, as a ": dropped <n>
** events" comment. Memory is bounded by the ring, whatever the
** number or speed of the clients.
**
** Delivery is never inline: emitting only stores the event and arms a timer
** that is due at once, and the loop then writes to the clients. Events are
** emitted from deep inside the dispatcher and the task runner, and writing
** to a connection there could re-enter them.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web_int.h"

static void pump_fn(nd_timer *t, void *ud)
{
    (void)t;
    struct nd_web *w = ud;
    for (nd_wconn *c = w->sse, *nx; c; c = nx) {
        nx = c->sse_next;
        nd_web_drive(c);
    }
}

void nd_node_emit(struct nd_node *n, const char *kind, const char *json, size_t len)
{
    if (!n->ev_listeners || !n->web) return;
    struct nd_web *w = n->web;
    nd_events *ev = &w->ev;
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
    /* a client a whole ring behind just lost its oldest event: count it now,
    ** so /metrics shows the loss while the client is still stuck */
    for (nd_wconn *c = w->sse; c; c = c->sse_next)
        if (ev->seq - c->ev_next > ND_EV_RING) {
            c->ev_next++;
            c->ev_dropped++;
            c->ev_unreported++;
            ev->dropped++;
        }
    if (!nd_timer_armed(&ev->pump)) nd_timer_arm(&n->timers, &ev->pump, nd_port_mono_ms(), pump_fn, w);
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
    nd_web_json_str(b, tmp, len);
}

void nd_emit_task(struct nd_node *n, const char *tag, const char *out)
{
    if (!n->ev_listeners) return;
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
    if (!n->ev_listeners) return;
    nd_buf b;
    nd_buf_init(&b, ND_EV_MAX - 64);
    nd_buf_puts(&b, "{\"line\": ");
    put_str(n, &b, line, 1024);
    nd_buf_putc(&b, '}');
    emit_buf(n, "log", &b);
}

void nd_emit_task_state(struct nd_node *n, const char *tag, bool active)
{
    if (!n->ev_listeners) return;
    nd_buf b;
    nd_buf_init(&b, ND_EV_MAX - 64);
    nd_buf_puts(&b, "{\"what\": \"task\", \"tag\": ");
    put_str(n, &b, tag, 128);
    nd_buf_printf(&b, ", \"active\": %s}", active ? "true" : "false");
    emit_buf(n, "state", &b);
}

void nd_emit_module(struct nd_node *n, const char *module)
{
    if (!n->ev_listeners) return;
    nd_buf b;
    nd_buf_init(&b, ND_EV_MAX - 64);
    nd_buf_puts(&b, "{\"what\": \"module\", \"module\": ");
    put_str(n, &b, module, 128);
    nd_buf_putc(&b, '}');
    emit_buf(n, "state", &b);
}

/* Names only, never values: a config event must not carry a secret (nor
** any value: a listener reads /config, which hides the secret keys). */
void nd_emit_config(struct nd_node *n, const char *const *keys, int nkeys)
{
    if (!n->ev_listeners) return;
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

/* ---- the /events stream ------------------------------------------------------ */

static int produce_events(nd_wconn *c)
{
    nd_events *ev = &c->web->ev;
    if (c->ev_unreported) {
        nd_buf_printf(&c->out, ": dropped %llu events\n\n", (unsigned long long)c->ev_unreported);
        c->ev_unreported = 0;
    }
    while (c->ev_next < ev->seq && c->out.n - c->outoff < ND_WEB_OUT_LOW) {
        size_t slot = (size_t)(c->ev_next % ND_EV_RING);
        nd_buf_put(&c->out, ev->text[slot], ev->len[slot]);
        c->ev_next++;
    }
    return 0; /* a stream has no end: it stops when the client goes */
}

void nd_events_handle(nd_wconn *c, const nd_http_req *r)
{
    struct nd_web *w = c->web;
    (void)r;
    nd_web_head(c, 200, "text/event-stream", "cache-control: no-cache\r\nx-accel-buffering: no\r\n",
                -1);
    if (c->head_only) {
        c->close_after = true; /* no length was given: only a close ends the reply */
        return;
    }
    /* the client reconnects 3 s after a drop; the comment makes the browser
    ** see the stream open at once */
    nd_buf_puts(&c->out, "retry: 3000\n: nodus events\n\n");
    nd_net_set_sndbuf(c->sock, ND_WEB_SSE_SNDBUF);
    c->state = W_SSE;
    c->produce = produce_events;
    c->ev_next = w->ev.seq; /* from now on: no history */
    c->since = nd_port_mono_ms();
    c->sse_next = w->sse;
    w->sse = c;
    w->nsse++;
    w->node->ev_listeners++;
    nd_web_arm(c, ND_WEB_SSE_PING_MS);
}

void nd_events_ping(nd_wconn *c)
{
    if (c->out.n - c->outoff < ND_WEB_OUT_LOW) nd_buf_puts(&c->out, ": keepalive\n\n");
}

void nd_events_drop(nd_wconn *c)
{
    struct nd_web *w = c->web;
    for (nd_wconn **pp = &w->sse; *pp; pp = &(*pp)->sse_next)
        if (*pp == c) {
            *pp = c->sse_next;
            w->nsse--;
            w->node->ev_listeners--;
            break;
        }
    c->sse_next = NULL;
    if (!w->nsse) nd_events_free(w); /* nobody listens: give the ring's memory back */
}

void nd_events_free(struct nd_web *w)
{
    for (int i = 0; i < ND_EV_RING; i++) {
        free(w->ev.text[i]);
        w->ev.text[i] = NULL;
        w->ev.len[i] = 0;
    }
    nd_timer_disarm(&w->node->timers, &w->ev.pump);
}
