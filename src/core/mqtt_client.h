/*
** mqtt_client.h -- nodus's own MQTT 3.1.1 client: one broker session over
** the port's non-blocking TCP (nd_net_*), with the exact contract of
** include/nodus/mqtt_port.h. A port with no MQTT library of its own (the
** firmware) or one that wants a small client for plain TCP (POSIX, where
** libmosquitto and the OpenSSL it loads are kept for mqtt_tls) implements
** nd_mqtt_port_* by forwarding to these.
**
** Bounded: an incoming packet larger than ND_MQTT_RX_MAX is never
** buffered. A PUBLISH over it has its payload skipped as it arrives (its
** topic and size go to cb->on_oversize, a QoS 1 one is acknowledged so the
** broker does not send it again); any other packet over it, and anything
** malformed, ends the session (on_down ND_ELIMIT / ND_ESYNTAX). Outgoing:
** at most ND_MQTTC_OUT_MAX bytes wait for the socket (then ND_EAGAIN) and
** ND_MQTTC_INFLIGHT QoS 1 messages wait for their PUBACK.
*/
#ifndef ND_MQTT_CLIENT_H
#define ND_MQTT_CLIENT_H

#include "nodus/mqtt_port.h"

#include "nodus/opts.h" /* the limits; a port may override them */

typedef struct nd_mqttc nd_mqttc;

int nd_mqttc_open(const nd_mqtt_opts *o, const nd_mqtt_port_cb *cb, void *ud, nd_mqttc **out);
void nd_mqttc_close(nd_mqttc *c);
void nd_mqttc_abort(nd_mqttc *c);
int nd_mqttc_publish(nd_mqttc *c, const char *topic, const void *p, size_t n, int qos, bool retain,
                     int *mid);
int nd_mqttc_subscribe(nd_mqttc *c, const char *filter, int qos);
int nd_mqttc_unsubscribe(nd_mqttc *c, const char *filter);
void nd_mqttc_tick(nd_mqttc *c);
size_t nd_mqttc_pending(nd_mqttc *c);
const char *nd_mqttc_about(void);

#endif
