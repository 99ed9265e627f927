/*
** mqttc.c -- MQTT from the shell (upyOS's `mqttc`, usable from the micrOS
** shell, REST, cron and nsh alike): publish, subscribe, listen.
**
** It works on the node's own broker session (config keys mqtt, mqtt_host
** ...), not a second connection: one session per node keeps the broker's
** view simple (one client id, one will) and costs nothing extra. So
** `close` drops what mqttc added (subscriptions, a custom will, the listen
** task) and leaves the node's session -- which carries its commands,
** telemetry and Home Assistant entities -- up.
**
**   mqttc pub <topic> <msg> qos=0 retain=False
**   mqttc sub <filter> qos=0        (+ and # wildcards; kept across reconnects)
**   mqttc unsub <filter>
**   mqttc listsub
**   mqttc lastwill <topic> <msg> qos=1 retain=True   (next session; no topic: the default)
**   mqttc ping                      (a QoS 1 round trip; the result shows in the next ping)
**   mqttc listen period_ms=200      (task mqttc.listen: `task show mqttc.listen`)
**   mqttc close
*/
#include <stdio.h>
#include <string.h>

#include "mqtt.h"
#include "nodus/module.h"
#include "nodus/task.h"


static int text_arg(nd_call *c, int i, nd_buf *b)
{
    const nd_value *v = c->argv[i];
    if (v && v->type == ND_T_STR) return nd_buf_put(b, v->u.s.p, v->u.s.n);
    return nd_render_str(b, v);
}

static int topic_arg(nd_call *c, int i, bool filter, const char **t, size_t *n)
{
    const nd_value *v = c->argv[i];
    if (!v || v->type != ND_T_STR) return nd_fail(c, "topic must be a string");
    char err[ND_ERRMSG];
    if (nd_mqtt_check_topic(v->u.s.p, v->u.s.n, filter, err, sizeof err) != ND_OK)
        return nd_fail(c, "%s", err);
    *t = v->u.s.p;
    *n = v->u.s.n;
    return ND_OK;
}

static int why_fail(nd_call *c, int rc)
{
    if (rc == ND_EAGAIN) return nd_fail(c, "MQTT is off (conf: mqtt True, then reboot)");
    return nd_fail(c, "%s", nd_strerror(rc));
}

static int f_pub(nd_call *c)
{
    const char *t = NULL; /* topic_arg sets it; a Release (-O3) build cannot see that */
    size_t tn = 0;
    int64_t qos;
    bool retain;
    if (topic_arg(c, 0, false, &t, &tn) || nd_arg_int(c, 2, &qos) || nd_arg_bool(c, 3, &retain))
        return ND_ERR;
    if (qos != 0 && qos != 1) return nd_fail(c, "qos must be 0 or 1");
    nd_buf b;
    nd_buf_init(&b, ND_MQTT_PAYLOAD_MAX);
    text_arg(c, 1, &b);
    int rc = b.overflow ? ND_ELIMIT
                        : nd_mqtt_publish(c->node, t, b.p ? b.p : "", b.n, (int)qos, retain);
    nd_buf_free(&b);
    if (rc == ND_ELIMIT) return nd_fail(c, "message too large (limit %d bytes)", ND_MQTT_PAYLOAD_MAX);
    if (rc != ND_OK) return why_fail(c, rc);
    return nd_ret_str(c, nd_mqtt_connected(c->node) ? "published" : "queued (broker away)");
}

static int f_sub(nd_call *c)
{
    const char *t = NULL;
    size_t tn = 0;
    int64_t qos;
    if (topic_arg(c, 0, true, &t, &tn) || nd_arg_int(c, 1, &qos)) return ND_ERR;
    char err[ND_ERRMSG] = "";
    int rc = nd_mqtt_sub(c->node, t, tn, (int)qos, err, sizeof err);
    if (rc != ND_OK) return nd_fail(c, "%s", err[0] ? err : nd_strerror(rc));
    return nd_ret_str(c, "subscribed %s", t);
}

static int f_unsub(nd_call *c)
{
    const char *t = NULL;
    size_t tn = 0;
    if (topic_arg(c, 0, true, &t, &tn)) return ND_ERR;
    int rc = nd_mqtt_unsub(c->node, t, tn);
    if (rc == ND_ENOTFOUND) return nd_fail(c, "not subscribed: %s", t);
    if (rc != ND_OK) return why_fail(c, rc);
    return nd_ret_str(c, "unsubscribed %s", t);
}

static int f_listsub(nd_call *c)
{
    nd_value *d = nd_ret_dict(c);
    if (!d) return ND_ERR;
    int qos;
    const char *f;
    for (int i = 0; (f = nd_mqtt_sub_at(c->node, i, &qos)); i++)
        if (nd_dict_set(c->arena, d, f, nd_int(c->arena, qos)) != ND_OK)
            return nd_fail(c, "memory allocation failed");
    return ND_OK;
}

static int f_lastwill(nd_call *c)
{
    char err[ND_ERRMSG] = "";
    int rc;
    if (nd_arg_is_none(c, 0)) {
        rc = nd_mqtt_set_will(c->node, NULL, NULL, 1, true, err, sizeof err);
    } else {
        const char *t = NULL;
        size_t tn = 0;
        int64_t qos;
        bool retain;
        if (topic_arg(c, 0, false, &t, &tn) || nd_arg_int(c, 2, &qos) || nd_arg_bool(c, 3, &retain))
            return ND_ERR;
        nd_buf b;
        nd_buf_init(&b, 1024);
        text_arg(c, 1, &b);
        rc = nd_mqtt_set_will(c->node, t, nd_buf_cstr(&b), (int)qos, retain, err, sizeof err);
        nd_buf_free(&b);
    }
    if (rc != ND_OK) return nd_fail(c, "%s", err[0] ? err : nd_strerror(rc));
    return nd_ret_str(c, "last will set: takes effect at the next session");
}

static int f_ping(nd_call *c)
{
    const char *state, *broker, *lib;
    double rtt;
    nd_mqtt_info(c->node, &state, &broker, &rtt, &lib);
    int rc = nd_mqtt_ping(c->node);
    nd_value *d = nd_ret_dict(c);
    if (!d) return ND_ERR;
    nd_arena *a = c->arena;
    if (nd_dict_set(a, d, "state", nd_str(a, state)) || nd_dict_set(a, d, "broker", nd_str(a, broker)) ||
        nd_dict_set(a, d, "last_rtt_ms", rtt >= 0 ? nd_float(a, (double)(int)(rtt * 100) / 100.0)
                                                  : nd_none(a)) ||
        nd_dict_set(a, d, "ping", nd_str(a, rc == ND_OK ? "sent" : "not sent (no session)")) ||
        nd_dict_set(a, d, "library", nd_str(a, lib)))
        return nd_fail(c, "memory allocation failed");
    return ND_OK;
}

/* ---- listen: a task that shows the newest messages of the subscriptions ---- */
static struct {
    uint64_t seq;       /* next inbox message to show */
    uint32_t period;
    char text[ND_LISTEN_SHOW + 1];
    size_t n;
    bool stop;
} lis;

static int32_t listen_step(nd_task *t, void *ud)
{
    (void)ud;
    struct nd_node *n = nd_task_node(t);
    if (lis.stop) return ND_TASK_DONE;
    const char *topic, *payload;
    size_t plen;
    bool got = false;
    while (nd_mqtt_inbox_next(n, &lis.seq, &topic, &payload, &plen)) {
        char line[600];
        int k = snprintf(line, sizeof line, "%s %.*s\n", topic, (int)plen, payload);
        if (k < 0) continue;
        size_t ln = (size_t)k < sizeof line ? (size_t)k : sizeof line - 1;
        /* keep the newest lines: drop whole old lines from the front */
        while (lis.n + ln > ND_LISTEN_SHOW && lis.n) {
            char *nl = memchr(lis.text, '\n', lis.n);
            size_t cut = nl ? (size_t)(nl - lis.text) + 1 : lis.n;
            memmove(lis.text, lis.text + cut, lis.n - cut);
            lis.n -= cut;
        }
        if (ln > ND_LISTEN_SHOW) ln = ND_LISTEN_SHOW;
        memcpy(lis.text + lis.n, line, ln);
        lis.n += ln;
        got = true;
    }
    if (got) {
        lis.text[lis.n] = 0;
        nd_task_printf(t, "%s", lis.text);
    } else if (nd_task_runs(t) == 0) {
        nd_task_printf(t, "listening (%d subscriptions)", nd_mqtt_sub_count(n));
    }
    return (int32_t)lis.period;
}

static int f_listen(nd_call *c)
{
    int64_t period;
    if (nd_arg_int(c, 0, &period)) return ND_ERR;
    if (period < 20 || period > 60000) return nd_fail(c, "period_ms must be 20..60000");
    if (!nd_mqtt_sub_count(c->node)) return nd_fail(c, "no subscriptions: mqttc sub <topic> first");
    lis.period = (uint32_t)period;
    lis.seq = nd_mqtt_inbox_seq(c->node); /* from now on */
    lis.n = 0;
    lis.stop = false;
    return nd_task_spawn(c, "mqttc.listen", listen_step, NULL, 0);
}

static int f_close(nd_call *c)
{
    const char *f;
    int k = 0;
    while ((f = nd_mqtt_sub_at(c->node, 0, NULL))) {
        char copy[ND_MQTT_TOPIC_MAX + 1];
        snprintf(copy, sizeof copy, "%s", f);
        nd_mqtt_unsub(c->node, copy, strlen(copy));
        k++;
    }
    char err[ND_ERRMSG];
    nd_mqtt_set_will(c->node, NULL, NULL, 1, true, err, sizeof err);
    lis.stop = true; /* the listen task ends at its next step */
    return nd_ret_str(c, "closed: %d subscriptions dropped (the node's own session stays)", k);
}

static const nd_func funcs[] = {
    ND_FUNC("pub", f_pub, "topic msg qos=0 retain=False", "pub topic msg qos=0 retain=False"),
    ND_FUNC("sub", f_sub, "topic qos=0", "sub topic qos=0"),
    ND_FUNC("unsub", f_unsub, "topic", "unsub topic"),
    ND_FUNC("listsub", f_listsub, "", "listsub"),
    ND_FUNC("lastwill", f_lastwill, "topic=None msg='offline' qos=1 retain=True",
            "lastwill topic msg qos=1 retain=True"),
    ND_FUNC("ping", f_ping, "", "ping"),
    ND_FUNC("listen", f_listen, "period_ms=200", "listen period_ms=200"),
    ND_FUNC("close", f_close, "", "close"),
    ND_FUNCS_END,
};

const nd_module nd_mod_mqttc = {"mqttc", funcs, NULL,
                                "MQTT client on the node's broker session: pub, sub, listen"};
