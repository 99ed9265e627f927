/*
** mqtt_ha.c -- Home Assistant MQTT discovery, and HA's commands back.
**
** One HA device per node; its entities come from what the node runs:
**   - the node:       binary_sensor `status` (device_class connectivity, on
**                     the retained status topic), sensors uptime / memory /
**                     loop load / Wi-Fi RSSI (from telemetry)
**   - light modules:  a module with `toggle` and `brightness` functions is a
**                     light (brightness 0..100); with a COLOR-tagged `color`
**                     function it is an RGB light as well
**   - switches:       a function with `state=<True,False>` or `state=<0,1>`
**                     (the switch module's relay channels) is a switch
**   - BUTTON tags:    a BUTTON line without a choice (<...>) is a button
**                     that runs the line
**   - sensor modules: every reading of nodus/sensors.h's table (device_class,
**                     unit_of_measurement, state_class measurement)
** Only loaded modules take part (loading one re-publishes, as does HA's
** birth `online` on homeassistant/status). Every entity is available while
** the node's status topic says `online`.
**
** Discovery: retained homeassistant/<component>/<node>_<object>/config.
** HA's commands arrive on <prefix>/ha/<module>/<function>/<verb> and run as
** ordinary command lines through the MQTT door (same dispatcher, same auth).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqtt_int.h"
#include "nodus/sensors.h"
#include "text.h"

typedef struct ha_ctx {
    nd_mqtt *m;
    char node[64];   /* devfid, topic-safe */
    char dev[1024];  /* the "device" object */
    nd_buf b;
} ha_ctx;

static void js(nd_buf *b, const char *key, const char *val)
{
    nd_buf_printf(b, ", \"%s\": ", key);
    nd_json_escape(b, val, strlen(val));
}

/* Start a config payload: name, unique_id, availability, device. */
static void begin(ha_ctx *h, const char *object, const char *name)
{
    nd_mqtt *m = h->m;
    nd_buf_clear(&h->b);
    nd_buf_puts(&h->b, "{\"name\": ");
    nd_json_escape(&h->b, name, strlen(name));
    char uid[160];
    snprintf(uid, sizeof uid, "%s_%s", h->node, object);
    js(&h->b, "unique_id", uid);
    js(&h->b, "object_id", uid);
    js(&h->b, "availability_topic", m->t_status);
    js(&h->b, "payload_available", "online");
    js(&h->b, "payload_not_available", "offline");
    nd_buf_printf(&h->b, ", \"device\": %s", h->dev);
}

static void finish(ha_ctx *h, const char *component, const char *object)
{
    nd_buf_putc(&h->b, '}');
    char t[ND_MQTT_TOPIC_MAX + 64];
    snprintf(t, sizeof t, "homeassistant/%s/%s_%s/config", component, h->node, object);
    /* straight to the session, not through the queue: discovery is
    ** re-sent whole on every new session, it must not push out what
    ** waited in the queue for the broker */
    if (!h->b.overflow) nd_mqtt_send_now(h->m, t, h->b.p, h->b.n, 1, true);
}

static void cmd_topic(ha_ctx *h, const char *key, const char *mod, const char *fn, const char *verb)
{
    char t[ND_MQTT_TOPIC_MAX + 64];
    snprintf(t, sizeof t, "%s%s/%s/%s", h->m->t_ha, mod, fn, verb);
    js(&h->b, key, t);
}

static void sensor(ha_ctx *h, const char *object, const char *name, const char *field,
                   const char *device_class, const char *unit, const char *state_class)
{
    begin(h, object, name);
    char t[ND_MQTT_TOPIC_MAX + 16], tpl[128];
    snprintf(t, sizeof t, "%s/telemetry", h->m->prefix);
    js(&h->b, "state_topic", t);
    snprintf(tpl, sizeof tpl, "{{ value_json.%s }}", field);
    js(&h->b, "value_template", tpl);
    if (device_class) js(&h->b, "device_class", device_class);
    if (unit) js(&h->b, "unit_of_measurement", unit);
    js(&h->b, "state_class", state_class);
    finish(h, "sensor", object);
}

static const nd_func *func_of(const nd_module *mod, const char *name)
{
    return nd_registry_func(mod, name, strlen(name));
}

static bool tagged(const nd_func *f, const char *tag)
{
    size_t n = strlen(tag);
    return f && f->help && strncmp(f->help, tag, n) == 0 && (f->help[n] == ' ' || f->help[n] == '{');
}

/* A function that sets an on/off state: `state=<True,False>` (light
** modules' toggle) or `state=<0,1>` (the switch module's relay channels). */
static bool is_switch(const nd_func *f)
{
    return f->help && (strstr(f->help, "state=<True,False>") || strstr(f->help, "state=<0,1>"));
}

static void module_entities(ha_ctx *h, const nd_module *mod)
{
    const nd_func *toggle = func_of(mod, "toggle"), *bright = func_of(mod, "brightness");
    const nd_func *color = func_of(mod, "color");
    bool light = toggle && bright;
    if (light) {
        begin(h, mod->name, mod->name);
        cmd_topic(h, "command_topic", mod->name, "light", "set");
        cmd_topic(h, "brightness_command_topic", mod->name, "light", "brightness");
        nd_buf_puts(&h->b, ", \"brightness_scale\": 100");
        if (tagged(color, "COLOR")) {
            cmd_topic(h, "rgb_command_topic", mod->name, "light", "rgb");
            nd_buf_puts(&h->b, ", \"supported_color_modes\": [\"rgb\"]");
        } else {
            nd_buf_puts(&h->b, ", \"supported_color_modes\": [\"brightness\"]");
        }
        nd_buf_puts(&h->b, ", \"optimistic\": true");
        finish(h, "light", mod->name);
    }
    for (const nd_func *f = mod->funcs; f && f->name; f++) {
        if (light && f == toggle) continue;
        bool sw = is_switch(f);
        if (!sw && !tagged(f, "BUTTON")) continue;
        char object[96];
        snprintf(object, sizeof object, "%s_%s", mod->name, f->name);
        char name[96];
        snprintf(name, sizeof name, "%s %s", mod->name, f->name);
        if (sw) {
            begin(h, object, name);
            cmd_topic(h, "command_topic", mod->name, f->name, "set");
            js(&h->b, "payload_on", "ON");
            js(&h->b, "payload_off", "OFF");
            nd_buf_puts(&h->b, ", \"optimistic\": true");
            finish(h, "switch", object);
        } else if (!strchr(f->help, '<')) {
            begin(h, object, name);
            cmd_topic(h, "command_topic", mod->name, f->name, "press");
            js(&h->b, "payload_press", "PRESS");
            finish(h, "button", object);
        }
    }
    for (const nd_sensor_desc *s = nd_sensor_list(); s->module; s++) {
        if (strcmp(s->module, mod->name) != 0) continue;
        char object[96], name[96];
        const char *field = nd_mqtt_sensor_field(s);
        snprintf(object, sizeof object, "%s_%s", s->module, field);
        snprintf(name, sizeof name, "%s %s", s->module, field);
        sensor(h, object, name, object, s->device_class[0] ? s->device_class : NULL,
               s->unit[0] ? s->unit : NULL, "measurement");
    }
}

void nd_mqtt_ha_publish(nd_mqtt *m)
{
    struct nd_node *n = m->node;
    if (!nd_cfg_get_bool(n->cfg, ND_K_mqtt_ha)) return;
    ha_ctx *h = calloc(1, sizeof *h);
    if (!h) return;
    h->m = m;
    snprintf(h->node, sizeof h->node, "%s", nd_cfg_get_str(n->cfg, ND_K_devfid));
    for (char *p = h->node; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '-'))
            *p = '_';
    nd_buf_init(&h->b, 4096);
    /* the device: identifiers stay the same across renames (hwuid) */
    nd_buf_puts(&h->b, "{\"identifiers\": [");
    char id[96];
    snprintf(id, sizeof id, "nodus_%s", nd_cfg_get_str(n->cfg, ND_K_hwuid));
    nd_json_escape(&h->b, id, strlen(id));
    nd_buf_puts(&h->b, "], \"name\": ");
    const char *devfid = nd_cfg_get_str(n->cfg, ND_K_devfid);
    nd_json_escape(&h->b, devfid, strlen(devfid));
    js(&h->b, "manufacturer", "nodus");
    char model[96];
    snprintf(model, sizeof model, "nodus node (%s)", nd_port_board());
    js(&h->b, "model", model);
    js(&h->b, "sw_version", NODUS_VERSION);
    if (nd_cfg_get_bool(n->cfg, ND_K_webui)) {
        const char *ip = nd_cfg_get_str(n->cfg, ND_K_devip);
        char url[160];
        snprintf(url, sizeof url, "http://%s:%lld/",
                 ip[0] && strcmp(ip, "n/a") != 0 ? ip : devfid,
                 (long long)nd_cfg_get_int(n->cfg, ND_K_webport));
        js(&h->b, "configuration_url", url);
    }
    nd_buf_putc(&h->b, '}');
    snprintf(h->dev, sizeof h->dev, "%.*s", (int)h->b.n, h->b.p);

    /* the node itself */
    begin(h, "status", "status");
    js(&h->b, "state_topic", m->t_status);
    js(&h->b, "payload_on", "online");
    js(&h->b, "payload_off", "offline");
    js(&h->b, "device_class", "connectivity");
    js(&h->b, "entity_category", "diagnostic");
    finish(h, "binary_sensor", "status");
    sensor(h, "uptime", "uptime", "uptime_s", "duration", "s", "total_increasing");
    sensor(h, "memory", "memory", "rss_bytes", "data_size", "B", "measurement");
    sensor(h, "load", "loop load", "load_pct", NULL, "%", "measurement");
    int dbm;
    if (nd_port_wifi_rssi(&dbm) == ND_OK)
        sensor(h, "rssi", "Wi-Fi signal", "rssi_dbm", "signal_strength", "dBm", "measurement");

    for (int i = 0; i < n->nloaded; i++) module_entities(h, nd_registry_at(n->loaded[i]));
    nd_buf_free(&h->b);
    free(h);
}

/* ---- HA's commands ---------------------------------------------------------- */
static int color_max(const nd_func *f)
{
    const char *p = f && f->help ? strstr(f->help, "<0-") : NULL;
    int v = p ? atoi(p + 3) : 255;
    return v > 0 ? v : 255;
}

/* The next '/'-ended part of a topic into dst (cap bytes): false when empty
   or too long. Plain parsing, no sscanf: on the firmware that would link
   newlib's whole scanf (~8 KB). */
static bool topic_part(const char **s, char *dst, size_t cap)
{
    size_t n = strcspn(*s, "/");
    if (!n || n >= cap || (*s)[n] != '/') return false;
    memcpy(dst, *s, n);
    dst[n] = 0;
    *s += n + 1;
    return true;
}

/* "r,g,b" as sscanf's "%d,%d,%d" read it (blanks and signs allowed) */
static bool three_ints(const char *s, int v[3])
{
    for (int i = 0; i < 3; i++) {
        char *e;
        long x = strtol(s, &e, 10);
        if (e == s) return false;
        v[i] = (int)x;
        s = e;
        if (i < 2 && *s++ != ',') return false;
    }
    return true;
}

bool nd_mqtt_ha_message(nd_mqtt *m, const char *topic, const char *p, size_t len)
{
    /* <prefix>/ha/<module>/<function>/<verb>; the verb ends at white space
       and is cut to 15 characters */
    const char *rest = topic + strlen(m->t_ha);
    char mod[64], fn[64], verb[16];
    if (!topic_part(&rest, mod, sizeof mod) || !topic_part(&rest, fn, sizeof fn)) return false;
    rest += strspn(rest, " \t\n\v\f\r");
    size_t vl = strcspn(rest, " \t\n\v\f\r");
    if (!vl) return false;
    if (vl >= sizeof verb) vl = sizeof verb - 1;
    memcpy(verb, rest, vl);
    verb[vl] = 0;
    int idx;
    const nd_module *md = nd_registry_find(mod, strlen(mod), &idx);
    if (!md) return false;
    char val[64];
    size_t vn = len < sizeof val - 1 ? len : sizeof val - 1;
    memcpy(val, p, vn);
    val[vn] = 0;
    char line[256];
    line[0] = 0;
    bool on = strcmp(val, "ON") == 0, off = strcmp(val, "OFF") == 0;
    if (strcmp(fn, "light") == 0) {
        if (strcmp(verb, "set") == 0 && (on || off))
            snprintf(line, sizeof line, "%s toggle state=%s", mod, on ? "True" : "False");
        else if (strcmp(verb, "brightness") == 0)
            snprintf(line, sizeof line, "%s brightness percent=%d", mod, atoi(val));
        else if (strcmp(verb, "rgb") == 0) {
            int c[3], mx = color_max(func_of(md, "color"));
            if (three_ints(val, c))
                snprintf(line, sizeof line, "%s color r=%d g=%d b=%d", mod, c[0] * mx / 255,
                         c[1] * mx / 255, c[2] * mx / 255);
        }
    } else {
        const nd_func *f = func_of(md, fn);
        if (!f || !(tagged(f, "BUTTON") || is_switch(f))) return false;
        size_t tl;
        const char *cmdline = nd_help_untag(f->help, &tl);
        while (*cmdline == ' ') cmdline++;
        bool bits = strstr(f->help, "state=<0,1>") != NULL;
        if (strcmp(verb, "set") == 0 && (on || off) && is_switch(f))
            snprintf(line, sizeof line, "%s %s state=%s", mod, fn,
                     bits ? (on ? "1" : "0") : (on ? "True" : "False"));
        else if (strcmp(verb, "press") == 0 && tagged(f, "BUTTON") && !strchr(cmdline, '<'))
            snprintf(line, sizeof line, "%s %s", mod, cmdline);
    }
    if (!line[0]) {
        nd_log(m->node, "[WARN] mqtt: Home Assistant command not understood: %s %s", topic, val);
        m->st.refused_bad++;
        return true;
    }
    nd_buf_clear(&m->node->reply);
    if (nd_mqtt_exec(m, line, strlen(line), &m->node->reply) == ND_X_FAIL)
        nd_log(m->node, "[WARN] mqtt: Home Assistant command `%s` failed: %.*s", line,
               (int)(m->node->reply.n > 200 ? 200 : m->node->reply.n),
               m->node->reply.p ? m->node->reply.p : "");
    return true;
}
