/*
** mqtt_tele.c -- what the node tells the broker by itself: telemetry every
** `mqtt_telemetry_s` on <prefix>/telemetry, and every live event (the
** /events stream's: task output, task state, module loads, config saves,
** log lines) on <prefix>/events/<kind>.
**
** Telemetry is one JSON object: the system figures (uptime, memory, loop
** load, Wi-Fi RSSI where the port knows it) and one field per reading of
** every loaded sensor module, named <module>_<quantity> so that Home
** Assistant's sensors (mqtt_ha.c) pick theirs with a value_template.
** Readings come from the modules' own functions through the dispatcher,
** as a user calling them would get them.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "mqtt_int.h"
#include "nodus/port.h"
#include "nodus/sensors.h"

const char *nd_mqtt_sensor_field(const nd_sensor_desc *s)
{
    return s->device_class && s->device_class[0] ? s->device_class : s->func;
}

/* Run a reading function; the result (a JSON dict) parsed, or NULL. */
static cJSON *read_module(nd_mqtt *m, const char *mod, const char *fn)
{
    struct nd_node *n = m->node;
    char line[128];
    int k = snprintf(line, sizeof line, "%s %s >json", mod, fn);
    nd_ctx ctx = {.door = ND_DOOR_PIPE, .json = true};
    nd_buf_clear(&n->reply);
    int x = nd_exec(n, &ctx, line, (size_t)k, &n->reply);
    if (x == ND_X_FAIL || n->reply.overflow || !n->reply.p) return NULL;
    cJSON *doc = nd_json_parse(n->reply.p, n->reply.n, NULL);
    if (doc && !cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        return NULL;
    }
    return doc;
}

static void put_num(nd_buf *b, bool *first, const char *name, double v)
{
    nd_buf_printf(b, "%s\"%s\": ", *first ? "" : ", ", name);
    if (v == (double)(int64_t)v && v > -9007199254740992.0 && v < 9007199254740992.0)
        nd_buf_printf(b, "%lld", (long long)v); /* counts stay integers */
    else
        nd_render_float(b, v);
    *first = false;
}

void nd_mqtt_tele_publish(nd_mqtt *m)
{
    struct nd_node *n = m->node;
    nd_buf b;
    nd_buf_init(&b, 8192);
    bool first = true;
    nd_buf_putc(&b, '{');
    put_num(&b, &first, "uptime_s", (double)(nd_node_uptime_ms(n) / 1000));
    put_num(&b, &first, "rss_bytes", (double)nd_port_rss_bytes());
    put_num(&b, &first, "mem_total_bytes", (double)nd_port_mem_total());
    put_num(&b, &first, "load_pct", nd_decimal(nd_loop_load_pm(), -1));
    int dbm;
    if (nd_port_wifi_rssi(&dbm) == ND_OK) put_num(&b, &first, "rssi_dbm", dbm);
    put_num(&b, &first, "mqtt_dropped", (double)m->st.dropped);
    const char *last_mod = NULL, *last_fn = NULL;
    cJSON *doc = NULL;
    for (const nd_sensor_desc *s = nd_sensor_list(); s->module; s++) {
        int idx;
        if (!nd_registry_find(s->module, strlen(s->module), &idx) || !nd_registry_is_loaded(n, idx))
            continue;
        if (!last_mod || strcmp(last_mod, s->module) || strcmp(last_fn, s->func)) {
            cJSON_Delete(doc);
            doc = read_module(m, s->module, s->func);
            last_mod = s->module;
            last_fn = s->func;
        }
        const cJSON *v = doc ? cJSON_GetObjectItemCaseSensitive(doc, s->key) : NULL;
        double d;
        if (cJSON_IsNumber(v)) d = v->valuedouble;
        else if (cJSON_IsString(v)) d = strtod(v->valuestring, NULL); /* "240.00" */
        else continue;
        char name[96];
        snprintf(name, sizeof name, "%s_%s", s->module, nd_mqtt_sensor_field(s));
        put_num(&b, &first, name, d);
    }
    cJSON_Delete(doc);
    nd_buf_putc(&b, '}');
    char t[ND_MQTT_TOPIC_MAX + 16];
    snprintf(t, sizeof t, "%s/telemetry", m->prefix);
    if (!b.overflow) nd_mqtt_publish(n, t, b.p, b.n, 0, false);
    nd_buf_free(&b);
}

static void on_tele(nd_timer *t, void *ud)
{
    nd_mqtt *m = ud;
    int64_t s = nd_cfg_get_int(m->node->cfg, ND_K_mqtt_telemetry_s);
    /* re-read each time: a change takes effect at the next period */
    nd_timer_arm(&m->node->timers, t, nd_port_mono_ms() + (uint64_t)(s > 0 ? s : 10) * 1000,
                 on_tele, m);
    if (s > 0 && m->state == ND_MQ_UP) nd_mqtt_tele_publish(m);
}

/* ---- live events ------------------------------------------------------------ */
static void drain_events(nd_timer *t, void *ud)
{
    (void)t;
    nd_mqtt *m = ud;
    struct nd_node *n = m->node;
    size_t len;
    const char *e;
    while ((e = nd_events_next(n, &m->ev, &len))) {
        /* "event: <kind>\ndata: <json>\n\n" */
        if (len < 16 || memcmp(e, "event: ", 7) != 0) continue;
        const char *k = e + 7, *nl = memchr(k, '\n', len - 7);
        if (!nl || (size_t)(nl - k) > 32 || (size_t)(e + len - nl) < 9) continue;
        const char *d = nl + 1 + 6; /* "data: " */
        size_t dn = (size_t)(e + len - d);
        while (dn && d[dn - 1] == '\n') dn--;
        char topic[ND_MQTT_TOPIC_MAX + 48];
        snprintf(topic, sizeof topic, "%s/events/%.*s", m->prefix, (int)(nl - k), k);
        bool module_loaded = (nl - k) == 5 && memcmp(k, "state", 5) == 0 &&
                             dn > 20 && memcmp(d, "{\"what\": \"module\"", 17) == 0;
        /* live only: events of a broker outage would push queued messages
        ** out; and at most ND_MQTT_EVENTS_PER_S, so a fast task (&&20) cannot
        ** flood the broker -- the rest are counted as dropped */
        uint64_t now = nd_port_mono_ms();
        if (now - m->ev_window_ms >= 1000) {
            m->ev_window_ms = now;
            m->ev_in_window = 0;
        }
        if (m->state == ND_MQ_UP) {
            if (m->ev_in_window++ < ND_MQTT_EVENTS_PER_S) nd_mqtt_publish(n, topic, d, dn, 0, false);
            else m->st.dropped++;
        }
        if (module_loaded) m->ha_dirty = true; /* a new module: new HA entities */
    }
}

static void on_events(void *ud)
{
    nd_mqtt *m = ud;
    nd_timer_arm(&m->node->timers, &m->t_events, nd_port_mono_ms(), drain_events, m);
}

void nd_mqtt_tele_start(nd_mqtt *m)
{
    nd_timer_arm(&m->node->timers, &m->t_tele, nd_port_mono_ms() + 2000, on_tele, m);
    m->ev_on = nd_events_listen(m->node, &m->ev, on_events, m) == ND_OK;
}

void nd_mqtt_tele_stop(nd_mqtt *m)
{
    nd_timer_disarm(&m->node->timers, &m->t_tele);
    nd_timer_disarm(&m->node->timers, &m->t_events);
    if (m->ev_on) nd_events_unlisten(m->node, &m->ev);
    m->ev_on = false;
}
