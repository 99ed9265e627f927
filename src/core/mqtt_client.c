/*
** mqtt_client.c -- one MQTT 3.1.1 session over the port's non-blocking TCP
** (mqtt_client.h; packets: mqtt_codec.c).
**
** States: TCP connecting -> waiting for CONNACK -> up -> down. Every step
** is driven by the loop (the socket's watch, nd_mqttc_tick once a second):
**   - CONNECT is queued at open and leaves when the connect completes; no
**     CONNACK within ND_MQTTC_CONNACK_MS ends the session;
**   - keep-alive: PINGREQ when nothing was sent or heard for a keep-alive
**     period; nothing heard for 1.5 periods = the broker is dead (a silent
**     broker must not keep a node "connected" forever);
**   - QoS 1: packet ids of unacknowledged publishes are kept; PUBACK
**     reports them (on_acked). The core keeps the messages themselves and
**     sends them again on the next session with DUP set (ND_MQTT_PORT_DUP);
**     the session is clean, so ids start afresh with it;
**   - back-pressure: bytes the socket did not take wait in a bounded output
**     buffer; a publish that does not fit gets ND_EAGAIN (the core keeps it
**     queued) -- the buffer shrinks back when drained, so an idle node
**     holds no more than its 8 kB input buffer.
** Reentrancy: the core may close the session from inside a callback; the
** session is then only marked and freed when its own handler returns. A
** session's end is reported (on_down) from the loop, never from inside a
** call of the core (publish may find the socket dead: the next tick says).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqtt_client.h"
#include "mqtt_codec.h"
#include "nodus/port.h"
#include "nodus/value.h"

enum { MC_TCP, MC_CONNACK, MC_UP, MC_DOWN };

#include "nodus/opts.h" /* the limits; a port may override them */

struct nd_mqttc {
    nd_sock *s;
    nd_mqtt_port_cb cb;
    void *ud;
    int st;
    bool reported;     /* on_down called (or closed: no callback any more) */
    int busy;          /* inside our own socket handler */
    bool freeme;       /* closed from a callback: free when the handler returns */
    int down_rc;
    char why[128];
    uint32_t keep_ms;
    uint64_t opened_ms, tx_ms, rx_ms;
    bool ping_out;
    uint16_t next_pid;
    uint16_t infl[ND_MQTTC_INFLIGHT];
    int ninfl;
    uint8_t *out;
    size_t out_off, out_n, out_cap;
    uint64_t skip;     /* payload bytes of an oversized PUBLISH still to discard */
    size_t in_n;
    uint8_t in[ND_MQTT_RX_MAX];
};

const char *nd_mqttc_about(void) { return "nodus MQTT client, MQTT 3.1.1"; }

static void go_down(nd_mqttc *c, int rc, const char *why)
{
    if (c->st == MC_DOWN) return;
    c->st = MC_DOWN;
    c->down_rc = rc;
    snprintf(c->why, sizeof c->why, "%s", why);
    if (c->s) { /* no event after this: the end is reported from the loop */
        nd_net_close(c->s);
        c->s = NULL;
    }
}

static void destroy(nd_mqttc *c)
{
    if (c->s) nd_net_close(c->s);
    free(c->out);
    free(c);
}

/* Tell the core once, outside its calls. c may be freed by the callback. */
static void report(nd_mqttc *c)
{
    if (c->st != MC_DOWN || c->reported || c->busy) return;
    c->reported = true;
    if (c->cb.on_down) c->cb.on_down(c->ud, c->down_rc, c->why);
}

/* ---- output ------------------------------------------------------------------ */
static void on_sock(nd_sock *s, int ev, void *ud);

static void rewatch(nd_mqttc *c)
{
    if (!c->s || c->st == MC_TCP) return; /* connecting: the port watches for write */
    nd_net_watch(c->s, on_sock, c, ND_EV_READ | (c->out_off < c->out_n ? ND_EV_WRITE : 0));
}

static void out_flush(nd_mqttc *c)
{
    while (c->s && c->st != MC_TCP && c->out_off < c->out_n) {
        long k = nd_net_send(c->s, c->out + c->out_off, c->out_n - c->out_off);
        if (k == ND_EAGAIN || k == 0) break;
        if (k < 0) {
            go_down(c, ND_ECLOSED, "connection lost (send failed)");
            return;
        }
        c->out_off += (size_t)k;
    }
    if (c->out_off == c->out_n) {
        c->out_off = c->out_n = 0;
        if (c->out_cap > ND_MQTTC_OUT_KEEP) { /* a burst is over: give the memory back */
            free(c->out);
            c->out = NULL;
            c->out_cap = 0;
        }
    }
    rewatch(c);
}

/* Room for need more bytes at c->out + c->out_n. Acknowledgements and
** pings (control) may go over the limit by a little: refusing them would
** stall the session. */
static int out_room(nd_mqttc *c, size_t need, bool control)
{
    size_t limit = ND_MQTTC_OUT_MAX + (control ? 256 : 0);
    if (need > ND_MQTTC_OUT_MAX) return ND_ELIMIT;
    if (c->out_n - c->out_off + need > limit) return ND_EAGAIN;
    if (c->out_off) {
        memmove(c->out, c->out + c->out_off, c->out_n - c->out_off);
        c->out_n -= c->out_off;
        c->out_off = 0;
    }
    if (c->out_n + need > c->out_cap) {
        size_t cap = c->out_cap ? c->out_cap : 256;
        while (cap < c->out_n + need) cap *= 2;
        if (cap > limit) cap = limit;
        uint8_t *p = realloc(c->out, cap);
        if (!p) return ND_ENOMEM;
        c->out = p;
        c->out_cap = cap;
    }
    return ND_OK;
}

/* Encode a small control packet (at most 64 bytes) and send it. */
static void send_small(nd_mqttc *c, const uint8_t *pkt, long n)
{
    if (n <= 0 || c->st == MC_DOWN) return;
    if (out_room(c, (size_t)n, true) != ND_OK) {
        go_down(c, ND_ENOMEM, "out of memory");
        return;
    }
    memcpy(c->out + c->out_n, pkt, (size_t)n);
    c->out_n += (size_t)n;
    c->tx_ms = nd_port_mono_ms();
    out_flush(c);
}

static uint16_t new_pid(nd_mqttc *c)
{
    for (;;) {
        if (++c->next_pid == 0) c->next_pid = 1;
        bool used = false;
        for (int i = 0; i < c->ninfl; i++) used |= c->infl[i] == c->next_pid;
        if (!used) return c->next_pid;
    }
}

/* ---- input ------------------------------------------------------------------- */
static const char *connack_text(int rc)
{
    static const char *t[] = {"Connection Accepted.",
                              "Connection Refused: unacceptable protocol version.",
                              "Connection Refused: identifier rejected.",
                              "Connection Refused: broker unavailable.",
                              "Connection Refused: bad user name or password.",
                              "Connection Refused: not authorised."};
    return rc >= 0 && rc <= 5 ? t[rc] : "Connection Refused: unknown reason.";
}

static void malformed(nd_mqttc *c, const char *why)
{
    char w[128];
    snprintf(w, sizeof w, "malformed packet from the broker: %s", why);
    go_down(c, ND_ESYNTAX, w);
}

static void puback(nd_mqttc *c, uint16_t pid)
{
    uint8_t b[4];
    send_small(c, b, nd_mqtt_enc_puback(b, sizeof b, pid));
}

/* One complete packet. pkt points into c->in, which we may write to. */
static void handle(nd_mqttc *c, uint8_t *pkt, size_t n)
{
    nd_mqtt_pkt p;
    const char *why = "";
    if (nd_mqtt_decode(pkt, n, &p, &why) != ND_OK) {
        malformed(c, why);
        return;
    }
    if (c->st == MC_CONNACK && p.type != ND_MQTT_CONNACK) {
        malformed(c, "first packet is not CONNACK");
        return;
    }
    switch (p.type) {
    case ND_MQTT_CONNACK:
        if (c->st != MC_CONNACK) {
            malformed(c, "second CONNACK");
            return;
        }
        if (p.connack_rc) {
            go_down(c, p.connack_rc == 4 || p.connack_rc == 5 ? ND_EINVAL : ND_ECLOSED,
                    connack_text(p.connack_rc));
            return;
        }
        c->st = MC_UP;
        if (c->cb.on_up) c->cb.on_up(c->ud);
        return;
    case ND_MQTT_PUBLISH: {
        /* the core wants a C string: move the topic one byte back, over
        ** the low byte of its length, and end it where it ended */
        char *t = (char *)p.topic - 1;
        memmove(t, p.topic, p.tlen);
        t[p.tlen] = 0;
        if (c->cb.on_message)
            c->cb.on_message(c->ud, t, p.payload, p.plen, p.qos, p.retain);
        if (p.qos == 1 && !c->freeme) puback(c, p.pid);
        return;
    }
    case ND_MQTT_PUBACK:
        for (int i = 0; i < c->ninfl; i++) {
            if (c->infl[i] == p.pid) {
                c->infl[i] = c->infl[--c->ninfl];
                if (c->cb.on_acked) c->cb.on_acked(c->ud, p.pid);
                break;
            }
        }
        return; /* an unknown id: a late ack of an id we gave up on -- harmless */
    case ND_MQTT_PINGRESP: c->ping_out = false; return;
    default: return; /* SUBACK, UNSUBACK: nothing waits on them */
    }
}

/* A PUBLISH larger than we keep: tell the core its topic and size, skip
** the payload. ND_EAGAIN: its head has not all arrived yet. */
static int oversize_publish(nd_mqttc *c, size_t total)
{
    nd_mqtt_pkt p;
    size_t head = 0;
    const char *why = "";
    int rc = nd_mqtt_dec_publish_head(c->in, c->in_n, &p, &head, &why);
    if (rc == ND_EAGAIN) {
        if (c->in_n < sizeof c->in) return ND_EAGAIN;
        go_down(c, ND_ELIMIT, "packet from the broker over the size limit (topic too long)");
        return ND_ELIMIT;
    }
    if (rc) {
        malformed(c, why);
        return rc;
    }
    /* a C string in place, as in handle(): no 8 kB copy on a firmware stack */
    char *t = (char *)p.topic - 1;
    memmove(t, p.topic, p.tlen);
    t[p.tlen] = 0;
    if (c->cb.on_oversize) c->cb.on_oversize(c->ud, t, p.plen, p.qos, p.retain);
    if (p.qos == 1 && !c->freeme) puback(c, p.pid);
    /* total > sizeof c->in >= in_n: what is here is all this packet's */
    c->skip = total - c->in_n;
    c->in_n = 0;
    return ND_OK;
}

/* Decode what arrived; keep an incomplete packet's start. */
static void parse(nd_mqttc *c)
{
    while (c->in_n && c->st != MC_DOWN && !c->freeme) {
        uint8_t b0;
        uint32_t rl;
        size_t hl;
        int rc = nd_mqtt_dec_header(c->in, c->in_n, &b0, &rl, &hl);
        if (rc == ND_EAGAIN) return;
        if (rc) {
            malformed(c, "remaining length over 4 bytes or not minimal");
            return;
        }
        size_t total = hl + rl;
        if (total > sizeof c->in) {
            if (b0 >> 4 != ND_MQTT_PUBLISH) {
                char w[128];
                snprintf(w, sizeof w, "packet of %lu bytes from the broker: over the %d-byte limit",
                         (unsigned long)total, ND_MQTT_RX_MAX);
                go_down(c, ND_ELIMIT, w);
                return;
            }
            if (oversize_publish(c, total) != ND_OK) return;
            if (c->skip) return; /* the rest comes with later reads */
            continue;
        }
        if (c->in_n < total) return;
        handle(c, c->in, total);
        if (c->st == MC_DOWN || c->freeme) return;
        memmove(c->in, c->in + total, c->in_n - total);
        c->in_n -= total;
    }
}

static void rx(nd_mqttc *c)
{
    for (int i = 0; i < ND_MQTTC_READS && c->s && c->st != MC_DOWN && !c->freeme; i++) {
        long k;
        if (c->skip) { /* discard, straight into the input buffer */
            size_t want = c->skip < sizeof c->in ? (size_t)c->skip : sizeof c->in;
            k = nd_net_recv(c->s, c->in, want);
            if (k > 0) c->skip -= (uint64_t)k;
        } else {
            k = nd_net_recv(c->s, c->in + c->in_n, sizeof c->in - c->in_n);
            if (k > 0) c->in_n += (size_t)k;
        }
        if (k == ND_EAGAIN) return;
        if (k == 0) {
            go_down(c, ND_ECLOSED, "connection closed by the broker");
            return;
        }
        if (k < 0) {
            go_down(c, ND_ECLOSED, "connection lost");
            return;
        }
        c->rx_ms = nd_port_mono_ms();
        if (!c->skip) parse(c);
    }
}

/* The words of the system's strerror, as libmosquitto logged them. */
static const char *connect_why(int e)
{
    return e == ND_ECLOSED ? "Connection refused" : nd_strerror(e);
}

static void on_sock(nd_sock *s, int ev, void *ud)
{
    (void)s;
    nd_mqttc *c = ud;
    c->busy++;
    if (c->st == MC_TCP) {
        int e = nd_net_error(c->s);
        if (e) {
            go_down(c, ND_ECLOSED, connect_why(e));
        } else {
            c->st = MC_CONNACK;
            out_flush(c); /* CONNECT */
        }
    } else {
        if ((ev & ND_EV_WRITE) && c->st != MC_DOWN) out_flush(c);
        if ((ev & ND_EV_READ) && c->st != MC_DOWN) rx(c);
    }
    c->busy--;
    if (c->freeme) {
        destroy(c);
        return;
    }
    report(c);
}

/* ---- the port API -------------------------------------------------------------- */
int nd_mqttc_open(const nd_mqtt_opts *o, const nd_mqtt_port_cb *cb, void *ud, nd_mqttc **out)
{
    if (o->tls) return ND_EINVAL; /* plain TCP only */
    nd_mqtt_connect cn = {
        .client_id = o->client_id,
        .user = o->user,
        .pwd = o->user ? o->pwd : NULL,
        .keepalive_s = (uint16_t)(o->keepalive_s > 0 && o->keepalive_s < 65536 ? o->keepalive_s : 0),
        .clean = true,
        .will_topic = o->will_topic,
        .will_payload = o->will_payload,
        .will_len = o->will_len,
        .will_qos = o->will_qos,
        .will_retain = o->will_retain,
    };
    nd_mqttc *c = calloc(1, sizeof *c);
    if (!c) return ND_ENOMEM;
    c->cb = *cb;
    c->ud = ud;
    c->keep_ms = (uint32_t)cn.keepalive_s * 1000u;
    c->opened_ms = c->tx_ms = c->rx_ms = nd_port_mono_ms();
    /* CONNECT waits in the output buffer until the socket is connected */
    long n = ND_ELIMIT;
    size_t need = 1024;
    for (;;) {
        int rc = out_room(c, need, false);
        if (rc) {
            destroy(c);
            return rc;
        }
        n = nd_mqtt_enc_connect(c->out, c->out_cap, &cn);
        if (n != ND_ELIMIT || need >= ND_MQTTC_OUT_MAX) break;
        need *= 4;
    }
    if (n < 0) {
        destroy(c);
        return (int)n;
    }
    c->out_n = (size_t)n;
    c->st = MC_TCP;
    int rc = nd_net_connect(o->ip, o->port, on_sock, c, &c->s);
    if (rc == ND_EINVAL || rc == ND_ELIMIT) {
        c->s = NULL;
        destroy(c);
        return rc;
    }
    if (rc != ND_OK) { /* refused at once (loopback): reported from the next tick */
        c->s = NULL;
        go_down(c, ND_ECLOSED, connect_why(rc));
    }
    *out = c;
    return ND_OK;
}

void nd_mqttc_abort(nd_mqttc *c)
{
    if (!c) return;
    if (c->busy) { /* inside our handler: it frees c when the callback returns */
        c->freeme = true;
        c->reported = true;
        if (c->s) {
            nd_net_close(c->s);
            c->s = NULL;
        }
        return;
    }
    destroy(c);
}

void nd_mqttc_close(nd_mqttc *c)
{
    if (!c) return;
    if (c->st == MC_UP && c->s) {
        /* best effort: DISCONNECT goes if the socket takes it now, after
        ** what was already queued (the core's last "offline") */
        uint8_t b[2];
        long n = nd_mqtt_enc_empty(b, sizeof b, ND_MQTT_DISCONNECT);
        if (out_room(c, (size_t)n, true) == ND_OK) {
            memcpy(c->out + c->out_n, b, (size_t)n);
            c->out_n += (size_t)n;
            while (c->out_off < c->out_n) {
                long k = nd_net_send(c->s, c->out + c->out_off, c->out_n - c->out_off);
                if (k <= 0) break;
                c->out_off += (size_t)k;
            }
        }
    }
    nd_mqttc_abort(c);
}

int nd_mqttc_publish(nd_mqttc *c, const char *topic, const void *p, size_t n, int qos, bool retain,
                     int *mid)
{
    if (!c || c->st != MC_UP || c->freeme) return ND_ECLOSED;
    bool dup = (qos & ND_MQTT_PORT_DUP) != 0;
    qos &= ~ND_MQTT_PORT_DUP;
    if (qos < 0 || qos > 1) return ND_EINVAL;
    size_t tl = strlen(topic);
    size_t need = nd_mqtt_publish_size(tl, n, qos);
    if (!need || !tl) return ND_ELIMIT;
    if (qos && c->ninfl >= ND_MQTTC_INFLIGHT) return ND_EAGAIN;
    int rc = out_room(c, need, false);
    if (rc) return rc;
    uint16_t pid = qos ? new_pid(c) : 0;
    long k = nd_mqtt_enc_publish(c->out + c->out_n, c->out_cap - c->out_n, topic, tl, p, n, qos,
                                 retain, dup, pid);
    if (k < 0) return (int)k;
    c->out_n += (size_t)k;
    if (qos) c->infl[c->ninfl++] = pid;
    if (mid) *mid = pid;
    c->tx_ms = nd_port_mono_ms();
    out_flush(c);
    return ND_OK;
}

int nd_mqttc_subscribe(nd_mqttc *c, const char *filter, int qos)
{
    if (!c || c->st != MC_UP || c->freeme) return ND_ECLOSED;
    size_t fl = strlen(filter);
    if (fl > 1024) return ND_ELIMIT;
    uint8_t b[1024 + 16];
    long n = nd_mqtt_enc_subscribe(b, sizeof b, new_pid(c), filter, qos);
    if (n < 0) return (int)n;
    send_small(c, b, n);
    return ND_OK;
}

int nd_mqttc_unsubscribe(nd_mqttc *c, const char *filter)
{
    if (!c || c->st != MC_UP || c->freeme) return ND_ECLOSED;
    size_t fl = strlen(filter);
    if (fl > 1024) return ND_ELIMIT;
    uint8_t b[1024 + 16];
    long n = nd_mqtt_enc_unsubscribe(b, sizeof b, new_pid(c), filter);
    if (n < 0) return (int)n;
    send_small(c, b, n);
    return ND_OK;
}

void nd_mqttc_tick(nd_mqttc *c)
{
    if (!c) return;
    uint64_t now = nd_port_mono_ms();
    if ((c->st == MC_TCP || c->st == MC_CONNACK) && now - c->opened_ms >= ND_MQTTC_CONNACK_MS)
        go_down(c, ND_EIO, "no CONNACK within 10 s");
    if (c->st == MC_UP && c->keep_ms) {
        if (now - c->rx_ms >= (uint64_t)c->keep_ms * 3 / 2) {
            go_down(c, ND_ECLOSED, "broker silent past the keep-alive");
        } else if ((now - c->tx_ms >= c->keep_ms || now - c->rx_ms >= c->keep_ms) &&
                   (!c->ping_out || now - c->tx_ms >= c->keep_ms)) {
            uint8_t b[2];
            c->ping_out = true;
            send_small(c, b, nd_mqtt_enc_empty(b, sizeof b, ND_MQTT_PINGREQ));
        }
    }
    report(c); /* may free c (the core aborts it in on_down) */
}

size_t nd_mqttc_pending(nd_mqttc *c)
{
    if (!c) return 0;
    return (size_t)c->ninfl + (c->out_off < c->out_n ? 1 : 0);
}
