/*
** web_events.c -- GET /events: the node's live events (events.h) as a
** Server-Sent Events stream of the web door.
**
** Each stream is one reader of the node's event ring. The ring wakes the
** stream's connection from the loop when events were emitted; the
** connection copies them whenever its output drained below ND_WEB_OUT_LOW,
** so a slow client costs no more than one output buffer. Events it lost by
** falling a whole ring behind (counted by events.c at once) are announced
** to it, when it reads again, as a ": dropped <n> events" comment.
*/
#include <stdio.h>

#include "web_int.h"

static int produce_events(nd_wconn *c)
{
    struct nd_node *n = c->web->node;
    if (c->ev.unreported) {
        nd_buf_printf(&c->out, ": dropped %llu events\n\n", (unsigned long long)c->ev.unreported);
        c->ev.unreported = 0;
    }
    while (c->out.n - c->outoff < ND_WEB_OUT_LOW) {
        size_t len;
        const char *text = nd_events_next(n, &c->ev, &len);
        if (!text) break;
        nd_buf_put(&c->out, text, len);
    }
    return 0; /* a stream has no end: it stops when the client goes */
}

/* The ring's wake-up: events wait (called from the loop, never inline). */
static void wake(void *ud) { nd_web_drive(ud); }

void nd_web_events_handle(nd_wconn *c, const nd_http_req *r)
{
    struct nd_web *w = c->web;
    (void)r;
    if (!c->head_only && nd_events_listen(w->node, &c->ev, wake, c) != ND_OK) {
        c->keep_alive = false;
        nd_web_error(c, 503, "Out of memory", true);
        return;
    }
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
    c->since = nd_port_mono_ms();
    w->nsse++;
    nd_web_arm(c, ND_WEB_SSE_PING_MS);
}

void nd_web_events_ping(nd_wconn *c)
{
    if (c->out.n - c->outoff < ND_WEB_OUT_LOW) nd_buf_puts(&c->out, ": keepalive\n\n");
}

void nd_web_events_drop(nd_wconn *c)
{
    if (nd_events_unlisten(c->web->node, &c->ev)) c->web->nsse--;
}
