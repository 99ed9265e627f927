/*
** mqtt_own.c -- the MQTT port (nodus/mqtt_port.h) of the MPS2 firmware:
** nodus's own MQTT 3.1.1 client (src/core/mqtt_client.c) over lwIP
** through the port's nd_net_* sockets (net_lwip.c). Plain TCP only: the
** firmware has no TLS, so a session with mqtt_tls on is refused (logged,
** retried with the core's backoff).
*/
#include "mqtt_client.h"
#include "nodus/mqtt_port.h"
#include "nodus/value.h"

/* the port's session is the client's session */
struct nd_mqtt_conn;
#define OWN(c) ((nd_mqttc *)(void *)(c))

int nd_mqtt_port_open(const nd_mqtt_opts *o, const nd_mqtt_port_cb *cb, void *ud,
                      nd_mqtt_conn **out)
{
    if (o->tls) return ND_EINVAL;
    nd_mqttc *c = NULL;
    int rc = nd_mqttc_open(o, cb, ud, &c);
    if (rc == ND_OK) *out = (nd_mqtt_conn *)(void *)c;
    return rc;
}
void nd_mqtt_port_close(nd_mqtt_conn *c) { nd_mqttc_close(OWN(c)); }
void nd_mqtt_port_abort(nd_mqtt_conn *c) { nd_mqttc_abort(OWN(c)); }
int nd_mqtt_port_publish(nd_mqtt_conn *c, const char *topic, const void *p, size_t n, int qos,
                         bool retain, int *mid)
{
    return nd_mqttc_publish(OWN(c), topic, p, n, qos, retain, mid);
}
int nd_mqtt_port_subscribe(nd_mqtt_conn *c, const char *filter, int qos)
{
    return nd_mqttc_subscribe(OWN(c), filter, qos);
}
int nd_mqtt_port_unsubscribe(nd_mqtt_conn *c, const char *filter)
{
    return nd_mqttc_unsubscribe(OWN(c), filter);
}
void nd_mqtt_port_tick(nd_mqtt_conn *c) { nd_mqttc_tick(OWN(c)); }
size_t nd_mqtt_port_pending(nd_mqtt_conn *c) { return nd_mqttc_pending(OWN(c)); }
const char *nd_mqtt_port_about(void) { return "nodus MQTT 3.1.1 client (plain TCP; no TLS on this board)"; }
