/*
** mqtt_posix.c -- the MQTT port (include/nodus/mqtt_port.h) on POSIX.
**
** Plain TCP (mqtt_tls off): nodus's own client (src/core/mqtt_client.c)
** over the loop's sockets. It is small, its incoming packet size is
** bounded (libmosquitto takes any size the broker sends), and it does not
** bring in libmosquitto and the OpenSSL that library links: about 2 MB of
** resident memory per node, which a 1000-node fleet pays 1000 times.
**
** TLS (mqtt_tls on): libmosquitto, dlopen()ed on the first TLS session,
** driven from the node's poll() loop -- TLS is what it is kept for.
**
** libmosquitto has an "external loop" mode: the owner watches
** mosquitto_socket() and calls mosquitto_loop_read / _write when it is
** ready and mosquitto_loop_misc now and then (keep-alive). Nothing here runs
** a libmosquitto thread or a blocking call:
**   - connect: mosquitto_connect_async gets a NUMERIC address (the core
**     resolved the name through the node's resolver), so its getaddrinfo
**     only parses digits, and it opens a non-blocking socket whose connect
**     returns EINPROGRESS. The CONNECT packet waits in libmosquitto's queue
**     until the socket is writable (we watch for write while
**     mosquitto_want_write says so).
**   - TLS: the handshake runs inside loop_read/loop_write on the
**     non-blocking socket (SSL_ERROR_WANT_* keep it going); we bring our
**     own SSL_CTX so the certificate is checked against the configured
**     host NAME, while the socket connects to the resolved address
**     (libmosquitto's own check would compare the certificate with the
**     numeric address it was given).
**   - a session that ends (error, refused CONNACK, keep-alive) is reported
**     to the core after libmosquitto returned, never from inside it, so
**     the core may destroy the session in its callback.
** The socket belongs to libmosquitto: the loop only watches it
** (nd_posix_sock_forget removes the watch without closing the fd).
*/
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mosq_dl.h"
#include "mqtt_client.h"
#include "nodus/mqtt_port.h"
#include "nodus/port.h"
#include "posix.h"
#include "tls/mqtt_tls.h"

struct nd_mqtt_conn {
    nd_mqttc *own;         /* plain TCP: nodus's own client, nothing below is used */
    struct mosquitto *mosq;
    nd_sock *watch;        /* the loop's watch on mosquitto_socket() */
    int fd;                /* fd watched (libmosquitto may open a new one) */
    nd_mqtt_port_cb cb;
    void *ud;
    void *ssl;             /* our SSL_CTX (tls/mqtt_tls.c) */
    bool up;               /* CONNACK accepted */
    bool down;             /* the session ended; report pending or done */
    bool reported;         /* on_down was called */
    bool in_lib;           /* inside a libmosquitto call: defer reports */
    int down_rc;
    char why[128];
    size_t pending;        /* publishes not yet written (QoS 0) or acked (QoS 1) */
};

/* ---- libmosquitto, loaded when the first session opens ------------------
** dlopen()ed (mosq_dl.c) so that only nodes with `mqtt_tls` on pay for it
** and the OpenSSL it links: about 2 MB of resident memory. */
static const nd_mosq_api *mq; /* set once the library is loaded and initialised */

static bool load_lib(void)
{
    if (mq) return true;
    mq = nd_mosq_load(NULL); /* the reason for a failure: nd_mqtt_port_about */
    if (mq) mq->mosquitto_lib_init();
    return mq != NULL;
}


/* Never loads the library itself: asking must not cost a plain-TCP node
** the megabytes the library brings in. */
const char *nd_mqtt_port_about(void)
{
    static char about[128];
    const char *why;
    const nd_mosq_api *m = nd_mosq_peek(&why);
    if (why) return why;
    if (!m) return "nodus MQTT 3.1.1 client for plain TCP, libmosquitto for TLS (not loaded)";
    int maj, min, rev;
    m->mosquitto_lib_version(&maj, &min, &rev);
    snprintf(about, sizeof about,
             "nodus MQTT 3.1.1 client for plain TCP, libmosquitto %d.%d.%d for TLS", maj, min, rev);
    return about;
}

static void set_down(nd_mqtt_conn *c, int rc, const char *why)
{
    if (c->down) return;
    c->down = true;
    c->up = false;
    c->down_rc = rc;
    snprintf(c->why, sizeof c->why, "%s", why ? why : "");
}

/* Report a finished session once, outside libmosquitto. */
static void report(nd_mqtt_conn *c)
{
    if (!c->down || c->reported || c->in_lib) return;
    c->reported = true;
    if (c->watch) {
        nd_posix_sock_forget(c->watch);
        c->watch = NULL;
    }
    if (c->cb.on_down) c->cb.on_down(c->ud, c->down_rc, c->why);
}

static int map_mosq(int rc)
{
    switch (rc) {
    case MOSQ_ERR_SUCCESS: return ND_OK;
    case MOSQ_ERR_NOMEM: return ND_ENOMEM;
    case MOSQ_ERR_INVAL:
    case MOSQ_ERR_PAYLOAD_SIZE:
    case MOSQ_ERR_MALFORMED_UTF8: return ND_EINVAL;
    case MOSQ_ERR_NO_CONN:
    case MOSQ_ERR_CONN_LOST:
    case MOSQ_ERR_CONN_REFUSED: return ND_ECLOSED;
    default: return ND_EIO;
    }
}

static const char *mosq_why(int rc)
{
    if (rc == MOSQ_ERR_ERRNO) return errno ? strerror(errno) : "connection failed or lost";
    if (rc == MOSQ_ERR_TLS)
        return "TLS handshake failed (certificate not signed by mqtt_ca, or not for mqtt_host)";
    if (rc == MOSQ_ERR_KEEPALIVE) return "broker silent past the keep-alive";
    return mq->mosquitto_strerror(rc);
}

/* ---- libmosquitto callbacks (inside loop_read/write/misc) ---------------- */
static void cb_connect(struct mosquitto *m, void *ud, int rc)
{
    (void)m;
    nd_mqtt_conn *c = ud;
    if (rc == 0) {
        c->up = true;
        if (c->cb.on_up) c->cb.on_up(c->ud);
    } else {
        set_down(c, rc == 4 || rc == 5 ? ND_EINVAL : ND_ECLOSED, mq->mosquitto_connack_string(rc));
    }
}

static void cb_disconnect(struct mosquitto *m, void *ud, int rc)
{
    (void)m;
    nd_mqtt_conn *c = ud;
    set_down(c, ND_ECLOSED, rc ? mosq_why(rc) : "disconnected");
}

static void cb_message(struct mosquitto *m, void *ud, const struct mosquitto_message *msg)
{
    (void)m;
    nd_mqtt_conn *c = ud;
    if (c->cb.on_message && !c->down)
        c->cb.on_message(c->ud, msg->topic, msg->payload, (size_t)msg->payloadlen, msg->qos,
                         msg->retain);
}

static void cb_publish(struct mosquitto *m, void *ud, int mid)
{
    (void)m;
    nd_mqtt_conn *c = ud;
    if (c->pending) c->pending--;
    if (c->cb.on_acked) c->cb.on_acked(c->ud, mid);
}

/* ---- the loop's watch ----------------------------------------------------- */
static void on_sock(nd_sock *s, int ev, void *ud);

static void rewatch(nd_mqtt_conn *c)
{
    if (c->down) return;
    int fd = mq->mosquitto_socket(c->mosq);
    if (fd < 0) {
        set_down(c, ND_ECLOSED, "connection closed");
        return;
    }
    if (c->watch && fd != c->fd) {
        nd_posix_sock_forget(c->watch);
        c->watch = NULL;
    }
    int want = ND_EV_READ | (mq->mosquitto_want_write(c->mosq) ? ND_EV_WRITE : 0);
    if (!c->watch) {
        c->watch = nd_posix_sock_add(fd, on_sock, c, want);
        c->fd = fd;
        if (!c->watch) set_down(c, ND_ELIMIT, "socket table full");
        return;
    }
    nd_net_watch(c->watch, on_sock, c, want);
}

static void on_sock(nd_sock *s, int ev, void *ud)
{
    (void)s;
    nd_mqtt_conn *c = ud;
    c->in_lib = true;
    int rc = MOSQ_ERR_SUCCESS;
    if (ev & ND_EV_READ) rc = mq->mosquitto_loop_read(c->mosq, 1);
    if (rc == MOSQ_ERR_SUCCESS && (ev & ND_EV_WRITE) && !c->down)
        rc = mq->mosquitto_loop_write(c->mosq, 1);
    c->in_lib = false;
    if (rc != MOSQ_ERR_SUCCESS) set_down(c, map_mosq(rc) == ND_EIO ? ND_EIO : ND_ECLOSED, mosq_why(rc));
    rewatch(c);
    report(c);
}

/* ---- libmosquitto sessions (TLS) --------------------------------------------- */
static void destroy(nd_mqtt_conn *c)
{
    if (c->watch) nd_posix_sock_forget(c->watch);
    mq->mosquitto_destroy(c->mosq); /* closes its socket */
    if (c->ssl) nd_mqtt_tls_free(c->ssl);
    free(c);
}

static int mosq_open(const nd_mqtt_opts *o, const nd_mqtt_port_cb *cb, void *ud,
                     nd_mqtt_conn **out)
{
    if (!load_lib()) return ND_ENOTFOUND;
    nd_mqtt_conn *c = calloc(1, sizeof *c);
    if (!c) return ND_ENOMEM;
    c->cb = *cb;
    c->ud = ud;
    c->fd = -1;
    c->mosq = mq->mosquitto_new(o->client_id, true, c);
    if (!c->mosq) {
        free(c);
        return ND_ENOMEM;
    }
    mq->mosquitto_int_option(c->mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
    mq->mosquitto_int_option(c->mosq, MOSQ_OPT_TCP_NODELAY, 1);
    mq->mosquitto_connect_callback_set(c->mosq, cb_connect);
    mq->mosquitto_disconnect_callback_set(c->mosq, cb_disconnect);
    mq->mosquitto_message_callback_set(c->mosq, cb_message);
    mq->mosquitto_publish_callback_set(c->mosq, cb_publish);
    int rc = MOSQ_ERR_SUCCESS;
    if (o->user && *o->user) rc = mq->mosquitto_username_pw_set(c->mosq, o->user, o->pwd);
    if (rc == MOSQ_ERR_SUCCESS && o->will_topic)
        rc = mq->mosquitto_will_set(c->mosq, o->will_topic, (int)o->will_len, o->will_payload,
                                o->will_qos, o->will_retain);
    if (rc == MOSQ_ERR_SUCCESS && o->tls) {
        char why[128];
        c->ssl = nd_mqtt_tls_ctx(o->ca_file, o->tls_name && *o->tls_name ? o->tls_name : o->ip,
                                 why, sizeof why);
        if (!c->ssl) {
            mq->mosquitto_destroy(c->mosq);
            free(c);
            return ND_EINVAL;
        }
        mq->mosquitto_int_option(c->mosq, MOSQ_OPT_SSL_CTX_WITH_DEFAULTS, 0);
        rc = mq->mosquitto_void_option(c->mosq, MOSQ_OPT_SSL_CTX, c->ssl);
    }
    if (rc != MOSQ_ERR_SUCCESS) { /* bad options: nothing was started */
        mq->mosquitto_destroy(c->mosq);
        if (c->ssl) nd_mqtt_tls_free(c->ssl);
        free(c);
        return map_mosq(rc);
    }
    /* Never waits: the socket is non-blocking before connect(), and the TLS
    ** handshake (SSL_connect) only processes what already arrived. On
    ** loopback both can finish -- or fail -- inside this call (refused
    ** port, an answer with an untrusted certificate): that failure is
    ** reported like any later one, from the next tick. */
    errno = 0;
    rc = mq->mosquitto_connect_async(c->mosq, o->ip, o->port, o->keepalive_s);
    if (rc != MOSQ_ERR_SUCCESS) {
        char why[128];
        if (rc == MOSQ_ERR_ERRNO && errno) snprintf(why, sizeof why, "%s", strerror(errno));
        else snprintf(why, sizeof why, "%s", mosq_why(rc));
        set_down(c, rc == MOSQ_ERR_TLS ? ND_EIO : ND_ECLOSED, why);
        *out = c;
        return ND_OK;
    }
    rewatch(c);
    if (c->down) { /* no watch possible */
        destroy(c);
        return ND_ELIMIT;
    }
    *out = c;
    return ND_OK;
}


static void mosq_close(nd_mqtt_conn *c)
{
    if (c->up && !c->down) {
        /* best effort: DISCONNECT goes out if the socket takes it now */
        c->in_lib = true;
        mq->mosquitto_disconnect(c->mosq);
        mq->mosquitto_loop_write(c->mosq, 1);
        c->in_lib = false;
    }
    destroy(c);
}


static int mosq_publish(nd_mqtt_conn *c, const char *topic, const void *p, size_t n, int qos,
                        bool retain, int *mid)
{
    qos &= ~ND_MQTT_PORT_DUP; /* libmosquitto sets DUP only on its own resends */
    if (!c->up || c->down) return ND_ECLOSED;
    if (n > 0x0FFFFFFF) return ND_ELIMIT;
    bool was = c->in_lib; /* called from a callback inside loop_read too */
    c->in_lib = true;
    int rc = mq->mosquitto_publish(c->mosq, mid, topic, (int)n, p, qos, retain);
    c->in_lib = was;
    if (rc == MOSQ_ERR_SUCCESS) c->pending++;
    else if (rc == MOSQ_ERR_NO_CONN || rc == MOSQ_ERR_CONN_LOST || rc == MOSQ_ERR_ERRNO)
        set_down(c, ND_ECLOSED, mosq_why(rc));
    rewatch(c);
    return rc == MOSQ_ERR_SUCCESS ? ND_OK : map_mosq(rc);
}

static int mosq_subscribe(nd_mqtt_conn *c, const char *filter, int qos)
{
    if (!c->up || c->down) return ND_ECLOSED;
    bool was = c->in_lib; /* called from a callback inside loop_read too */
    c->in_lib = true;
    int rc = mq->mosquitto_subscribe(c->mosq, NULL, filter, qos);
    c->in_lib = was;
    rewatch(c);
    return map_mosq(rc);
}

static int mosq_unsubscribe(nd_mqtt_conn *c, const char *filter)
{
    if (!c->up || c->down) return ND_ECLOSED;
    bool was = c->in_lib; /* called from a callback inside loop_read too */
    c->in_lib = true;
    int rc = mq->mosquitto_unsubscribe(c->mosq, NULL, filter);
    c->in_lib = was;
    rewatch(c);
    return map_mosq(rc);
}

static void mosq_tick(nd_mqtt_conn *c)
{
    if (!c->down) {
        c->in_lib = true;
        int rc = mq->mosquitto_loop_misc(c->mosq);
        c->in_lib = false;
        if (rc != MOSQ_ERR_SUCCESS) set_down(c, ND_ECLOSED, mosq_why(rc));
        rewatch(c);
    }
    report(c); /* may free c (the core closes it in on_down) */
}

/* ---- the port API: plain TCP -> own client, TLS -> libmosquitto ------------ */
int nd_mqtt_port_open(const nd_mqtt_opts *o, const nd_mqtt_port_cb *cb, void *ud,
                      nd_mqtt_conn **out)
{
    if (o->tls) return mosq_open(o, cb, ud, out);
    nd_mqtt_conn *c = calloc(1, sizeof *c);
    if (!c) return ND_ENOMEM;
    int rc = nd_mqttc_open(o, cb, ud, &c->own);
    if (rc != ND_OK) {
        free(c);
        return rc;
    }
    *out = c;
    return ND_OK;
}

void nd_mqtt_port_close(nd_mqtt_conn *c)
{
    if (!c) return;
    if (c->own) {
        nd_mqttc_close(c->own);
        free(c);
    } else {
        mosq_close(c);
    }
}

void nd_mqtt_port_abort(nd_mqtt_conn *c)
{
    if (!c) return;
    if (c->own) {
        nd_mqttc_abort(c->own);
        free(c);
    } else {
        destroy(c);
    }
}

int nd_mqtt_port_publish(nd_mqtt_conn *c, const char *topic, const void *p, size_t n, int qos,
                         bool retain, int *mid)
{
    if (!c) return ND_ECLOSED;
    if (c->own) return nd_mqttc_publish(c->own, topic, p, n, qos, retain, mid);
    return mosq_publish(c, topic, p, n, qos, retain, mid);
}

int nd_mqtt_port_subscribe(nd_mqtt_conn *c, const char *filter, int qos)
{
    if (!c) return ND_ECLOSED;
    return c->own ? nd_mqttc_subscribe(c->own, filter, qos) : mosq_subscribe(c, filter, qos);
}

int nd_mqtt_port_unsubscribe(nd_mqtt_conn *c, const char *filter)
{
    if (!c) return ND_ECLOSED;
    return c->own ? nd_mqttc_unsubscribe(c->own, filter) : mosq_unsubscribe(c, filter);
}

void nd_mqtt_port_tick(nd_mqtt_conn *c)
{
    if (!c) return;
    if (c->own) nd_mqttc_tick(c->own); /* may free c (the core aborts it in on_down) */
    else mosq_tick(c);
}

size_t nd_mqtt_port_pending(nd_mqtt_conn *c)
{
    if (!c) return 0;
    return c->own ? nd_mqttc_pending(c->own) : c->pending;
}
