/*
** mqtt_port.h -- the MQTT wire protocol as a port provides it.
**
** The core (src/core/mqtt*.c) owns everything MQTT means to a node: topics,
** command routing, the outgoing queue, reconnect policy, Home Assistant
** discovery, telemetry. A port owns only one broker session at a time:
** bytes on a socket, CONNECT/CONNACK, PUBLISH/PUBACK, SUBSCRIBE, PINGREQ.
** nodus's own client (src/core/mqtt_client.c, over nd_net_*) for plain TCP
** on POSIX and on the firmware; libmosquitto driven from the loop's socket
** watch for TLS (src/port/posix/mqtt_posix.c).
**
** Rules for a port:
**   - nothing blocks: nd_mqtt_port_open starts a non-blocking TCP connect
**     (and TLS handshake) to a NUMERIC address -- the core resolves names
**     first (src/core/resolve.h) -- and returns at once;
**   - callbacks run from the loop, never inside the call that caused them
**     (except on_message/on_publish from inside the port's own socket
**     handler, which is the loop);
**   - after on_down the session is dead: the core calls nd_mqtt_port_close
**     and later opens a new one (its own backoff);
**   - keep-alive: the core calls nd_mqtt_port_tick about once a second; the
**     port sends PINGREQ and declares the session down when the broker went
**     silent for 1.5 keep-alive periods.
*/
#ifndef NODUS_MQTT_PORT_H
#define NODUS_MQTT_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct nd_mqtt_conn nd_mqtt_conn;

typedef struct nd_mqtt_opts {
    const char *ip;        /* numeric IPv4 address of the broker */
    int port;
    const char *client_id; /* unique per node */
    const char *user;      /* NULL: no user name */
    const char *pwd;       /* NULL: no password */
    bool tls;
    const char *ca_file;   /* PEM file of the CA that signed the broker (tls); NULL: system store */
    const char *tls_name;  /* name the broker's certificate must carry (the configured host) */
    int keepalive_s;
    const char *will_topic; /* last will (NULL: none) */
    const void *will_payload;
    size_t will_len;
    int will_qos;
    bool will_retain;
} nd_mqtt_opts;

/* Session events. rc: ND_OK, or a negative ND_E* (ND_ECLOSED refused or
** lost, ND_EIO I/O or TLS failure, ND_EINVAL rejected CONNECT: credentials,
** client id, ND_ESYNTAX a malformed packet from the broker, ND_ELIMIT a
** packet from it over the port's size limit). why: short text for the log
** ("not authorised", "TLS: certificate verify failed" ...). */
typedef struct nd_mqtt_port_cb {
    void (*on_up)(void *ud);                      /* CONNACK accepted */
    void (*on_down)(void *ud, int rc, const char *why); /* refused, failed or lost */
    void (*on_message)(void *ud, const char *topic, const void *payload, size_t len, int qos,
                       bool retain);
    void (*on_acked)(void *ud, int mid);          /* a QoS 1 publish was acknowledged */
    /* Optional: a PUBLISH over the port's incoming size limit was dropped
    ** unread (len: its payload's size); the session goes on. */
    void (*on_oversize)(void *ud, const char *topic, size_t len, int qos, bool retain);
} nd_mqtt_port_cb;

/* Or'ed into nd_mqtt_port_publish's qos: a QoS 1 message an earlier session
** sent and never saw acknowledged (the PUBLISH carries DUP). */
#define ND_MQTT_PORT_DUP 0x10

/* Start a session. ND_OK: events follow through cb. */
int nd_mqtt_port_open(const nd_mqtt_opts *o, const nd_mqtt_port_cb *cb, void *ud,
                      nd_mqtt_conn **out);
/* End it: a clean DISCONNECT when up (the broker then drops the will), the
** socket closed, no callback after this returns. NULL is fine. */
void nd_mqtt_port_close(nd_mqtt_conn *c);
/* Drop the session without DISCONNECT (the broker publishes the will). */
void nd_mqtt_port_abort(nd_mqtt_conn *c);
/* Queue one PUBLISH on an up session. *mid (may be NULL) gets the message id
** that on_acked reports for QoS 1. ND_EAGAIN when the session cannot take
** more now (its own output is full: retry later), ND_ECLOSED when down. */
int nd_mqtt_port_publish(nd_mqtt_conn *c, const char *topic, const void *p, size_t n, int qos,
                         bool retain, int *mid);
int nd_mqtt_port_subscribe(nd_mqtt_conn *c, const char *filter, int qos);
int nd_mqtt_port_unsubscribe(nd_mqtt_conn *c, const char *filter);
/* Once a second or so: keep-alive and time-outs. */
void nd_mqtt_port_tick(nd_mqtt_conn *c);
/* Messages accepted but not yet written to the socket (backpressure). */
size_t nd_mqtt_port_pending(nd_mqtt_conn *c);
/* Library and protocol, for `mqttc ping` and the log ("libmosquitto 2.0.11, MQTT 3.1.1"). */
const char *nd_mqtt_port_about(void);

#endif
