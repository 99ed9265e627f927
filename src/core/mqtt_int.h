/*
** mqtt_int.h -- the MQTT client's state, shared by its files:
**   mqtt.c       session life (resolve, connect, backoff), the outgoing
**                queue, the command door (<prefix>/cmd -> <prefix>/reply)
**   mqtt_tele.c  telemetry and the live events (<prefix>/events/<kind>)
**   mqtt_ha.c    Home Assistant discovery and HA's commands
**   mqtt_sub.c   subscriptions of `mqttc` and their inbox
*/
#ifndef ND_MQTT_INT_H
#define ND_MQTT_INT_H

#include "events.h"
#include "mqtt.h"
#include "node_int.h"
#include "nodus/mqtt_port.h"
#include "resolve.h"
#include "timer.h"

#include "nodus/opts.h" /* the limits; a port may override them */

enum { ND_MQ_OFF, ND_MQ_RESOLVING, ND_MQ_CONNECTING, ND_MQ_UP, ND_MQ_WAIT };

typedef struct nd_mq_item nd_mq_item;
struct nd_mq_item {
    nd_mq_item *next, *prev;
    int mid;        /* port message id while in flight (QoS 1) */
    bool inflight;
    uint8_t qos;
    bool retain;
    size_t len;
    char *topic;    /* points into data, after the payload */
    char data[];
};

typedef struct nd_mq_sub {
    char filter[ND_MQTT_TOPIC_MAX + 1];
    uint8_t qos;
    bool used;
} nd_mq_sub;

typedef struct nd_mq_msg {
    uint16_t tlen;
    uint16_t plen;
    bool cut;       /* payload longer than kept */
    char text[ND_MQTT_INBOX_MSG]; /* topic, NUL, payload */
} nd_mq_msg;

typedef struct nd_mqtt {
    struct nd_node *node;
    int state;
    nd_mqtt_conn *conn;
    nd_resolve_job *rjob;
    char ip[ND_IP_TEXT_MAX]; /* the broker: IPv4, or IPv6 when its name has no IPv4 */
    char host[256];
    uint32_t backoff_ms;
    uint64_t connect_deadline;
    uint64_t up_since;
    nd_timer t_tick, t_retry, t_tele, t_events;
    /* topics */
    char prefix[ND_MQTT_TOPIC_MAX / 2];
    char t_cmd[ND_MQTT_TOPIC_MAX], t_reply[ND_MQTT_TOPIC_MAX], t_status[ND_MQTT_TOPIC_MAX];
    char t_ha[ND_MQTT_TOPIC_MAX];      /* <prefix>/ha/ : HA command topics below it */
    char client_id[96];
    /* the will: <prefix>/status offline, unless `mqttc lastwill` set another */
    char will_topic[ND_MQTT_TOPIC_MAX + 1];
    char will_msg[256];
    uint8_t will_qos;
    bool will_retain;
    /* outgoing queue (oldest first) */
    nd_mq_item *qhead, *qtail;
    size_t qcount, qbytes, qmax;
    /* command door rate limit: a token bucket, mqtt_cmd_rate per second */
    double tokens;
    uint64_t tokens_ms;
    uint64_t rate_refused_unreported;
    uint64_t rate_reply_ms;            /* last "rate limited" reply */
    uint64_t oversize_log_ms;          /* last "over the incoming packet limit" log line */
    /* events */
    nd_ev_reader ev;
    bool ev_on;
    uint64_t ev_window_ms;             /* events published in the current second */
    uint32_t ev_in_window;
    /* Home Assistant */
    bool ha_dirty;                     /* republish discovery at the next tick */
    /* mqttc */
    nd_mq_sub subs[ND_MQTT_SUBS_MAX];
    nd_mq_msg inbox[ND_MQTT_INBOX];
    uint32_t inbox_head, inbox_n;      /* ring */
    uint64_t inbox_seq;                /* messages ever put in the inbox */
    uint64_t ping_sent_us;
    int ping_mid;
    double ping_rtt_ms;
    /* counters (/metrics) */
    nd_mqtt_stats st;
} nd_mqtt;

nd_mqtt *nd_mqtt_of(struct nd_node *n);
/* Publish straight to the session (birth, discovery): ND_ECLOSED when down. */
int nd_mqtt_send_now(nd_mqtt *m, const char *topic, const void *p, size_t len, int qos,
                     bool retain);
int nd_mqtt_topic_ok(const char *topic, size_t len, bool filter, char *err, size_t errn);

/* mqtt_tele.c */
void nd_mqtt_tele_start(nd_mqtt *m);
void nd_mqtt_tele_stop(nd_mqtt *m);
void nd_mqtt_tele_publish(nd_mqtt *m);
/* Run one line through the dispatcher as the MQTT door; the reply text
** (trailing newlines cut) in out. Returns nd_exec's ND_X_*. */
int nd_mqtt_exec(nd_mqtt *m, const char *line, size_t len, nd_buf *out);

/* mqtt_ha.c */
void nd_mqtt_ha_publish(nd_mqtt *m);
bool nd_mqtt_ha_message(nd_mqtt *m, const char *topic, const char *p, size_t len);

/* mqtt_sub.c */
void nd_mqtt_subs_restore(nd_mqtt *m);
bool nd_mqtt_subs_message(nd_mqtt *m, const char *topic, const void *p, size_t len);

/* The telemetry field (and HA object suffix) of a sensor reading of
** nodus/sensors.h's one table: its HA device class ("temperature"), or the
** reading function's name when it has none ("intensity"). */
struct nd_sensor_desc;
const char *nd_mqtt_sensor_field(const struct nd_sensor_desc *s);

#endif
