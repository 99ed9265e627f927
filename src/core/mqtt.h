/*
** mqtt.h -- the node's MQTT client: the core's side (topics, routing,
** Home Assistant discovery, telemetry, the outgoing queue).
**
** The wire protocol lives behind a small port interface
** (include/nodus/mqtt_port.h): libmosquitto on POSIX, lwIP's MQTT client on a
** microcontroller. Everything here runs on the node's event loop and never
** blocks it.
**
** Other parts of the node (notify, gateway helpers, mqttc) publish through
** nd_mqtt_publish; its signature is stable.
*/
#ifndef ND_MQTT_H
#define ND_MQTT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nd_node;
struct nd_arena;
struct nd_value;

/* Publish one message. topic is a full topic (no wildcards, no NUL, at most
** ND_MQTT_TOPIC_MAX bytes); payload at most ND_MQTT_PAYLOAD_MAX bytes; qos 0
** or 1. Returns 0 when sent or queued: while the broker is away the message
** waits in a bounded queue (config `mqtt_queue`, drop-oldest, counted as
** nodus_mqtt_dropped_total in /metrics). ND_EAGAIN when MQTT is off (`mqtt`
** false) or not started; ND_EINVAL for a bad topic or qos; ND_ELIMIT for an
** oversized payload or topic. */
int nd_mqtt_publish(struct nd_node *n, const char *topic, const void *payload, size_t len,
                    int qos, bool retain);

/* The node's topic prefix: config `mqtt_prefix`, or "nodus/<devfid>" when it
** is empty. Never NULL (returns "" before the node is configured). */
const char *nd_mqtt_prefix(struct nd_node *n);

/* True while a session with the broker is up (CONNACK accepted). */
bool nd_mqtt_connected(struct nd_node *n);

#include "nodus/opts.h" /* the limits; a port may override them */

/* ---- the node's life cycle (node.c) ----------------------------------- */
int nd_mqtt_start(struct nd_node *n); /* no-op when `mqtt` is off */
void nd_mqtt_stop(struct nd_node *n); /* `offline`, DISCONNECT, memory freed */

/* ---- counters for /metrics (metrics.c) ---------------------------------- */
typedef struct nd_mqtt_stats {
    uint64_t published;     /* messages handed to the broker */
    uint64_t dropped;       /* queued messages dropped (oldest first) while the broker was away */
    uint64_t received;      /* messages received */
    uint64_t commands;      /* commands run from <prefix>/cmd and HA */
    uint64_t refused_rate;  /* commands refused by the rate limit (mqtt_cmd_rate) */
    uint64_t refused_size;  /* command messages over ND_MQTT_CMD_MAX bytes */
    uint64_t refused_bad;   /* malformed commands (JSON, NUL bytes, empty) */
    uint64_t rx_oversize;   /* incoming packets over the port's size limit (dropped unread) */
    uint64_t rx_malformed;  /* malformed packets from the broker (the session was closed) */
    uint64_t connects;      /* sessions established */
    uint64_t connect_fails; /* attempts that failed (resolve, TCP, TLS, CONNACK, time-out) */
    uint64_t queued;        /* messages waiting right now */
    bool up;
} nd_mqtt_stats;
void nd_mqtt_get_stats(struct nd_node *n, nd_mqtt_stats *st);

/* ---- `mqttc` (modules/mqttc.c) ------------------------------------------ */
/* Subscribe the node's session to a filter (kept across reconnects);
** messages go to an inbox that `mqttc listen` prints. */
int nd_mqtt_sub(struct nd_node *n, const char *filter, size_t len, int qos, char *err, size_t errn);
int nd_mqtt_unsub(struct nd_node *n, const char *filter, size_t len);
int nd_mqtt_sub_count(struct nd_node *n);
const char *nd_mqtt_sub_at(struct nd_node *n, int i, int *qos); /* NULL past the end */
/* The last will for the next session (NULL topic: back to <prefix>/status offline). */
int nd_mqtt_set_will(struct nd_node *n, const char *topic, const char *msg, int qos, bool retain,
                     char *err, size_t errn);
/* Inbox: the message with sequence number >= *seq, or false when none;
** *seq moves past it. topic/payload point into the node's inbox. */
bool nd_mqtt_inbox_next(struct nd_node *n, uint64_t *seq, const char **topic,
                        const char **payload, size_t *plen);
uint64_t nd_mqtt_inbox_seq(struct nd_node *n);
/* Ping: a QoS 1 publish to <prefix>/ping; the PUBACK's round trip shows
** in nd_mqtt_info later. */
int nd_mqtt_ping(struct nd_node *n);
/* "connected"/"connecting"/..., broker, last ping rtt (ms, <0 unknown), library. */
void nd_mqtt_info(struct nd_node *n, const char **state, const char **broker, double *rtt_ms,
                  const char **lib);
/* Check a topic (filter: wildcards allowed where MQTT allows them). */
int nd_mqtt_check_topic(const char *topic, size_t len, bool filter, char *err, size_t errn);
/* Does a filter ('+' one level, '#' the rest) match a topic (MQTT 3.1.1
** 4.7; wildcards never match a leading '$')? */
bool nd_mqtt_topic_matches(const char *filter, const char *topic);

#endif
