/*
** gateway_prom.c -- the gateway's Prometheus text (gateway.h).
**
** /metrics renders the fleet table as it stands: node up/down, last sign of
** life, and every numeric field of each node's latest MQTT telemetry as
** nodus_telemetry_<field>{node="..."}. Nothing is fetched at scrape time,
** so one scrape of a thousand nodes costs a table walk, not a thousand
** requests. Series of one family are written together, as the exposition
** format wants.
**
** /metrics/<dev>/<cmd> is micrOS Gateway's conversion of one command's
** output (docs/micros-compat.md §10.3), line for line.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "gateway.h"

#define GW_KEYS_MAX 256 /* distinct telemetry fields rendered */

static void label(nd_buf *b, const char *v)
{
    for (; *v; v++) {
        if (*v == '\\' || *v == '"') nd_buf_putc(b, '\\'), nd_buf_putc(b, *v);
        else if (*v == '\n') nd_buf_puts(b, "\\n");
        else nd_buf_putc(b, *v);
    }
}

static void num(nd_buf *b, double v)
{
    if (isnan(v)) nd_buf_puts(b, "NaN");
    else if (isinf(v)) nd_buf_puts(b, v > 0 ? "+Inf" : "-Inf");
    else if (v == (double)(long long)v && fabs(v) < 1e15) nd_buf_printf(b, "%lld", (long long)v);
    else nd_buf_printf(b, "%.17g", v);
}

static void fam(nd_buf *b, const char *name, const char *type, const char *help)
{
    nd_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void sample(nd_buf *b, const char *name, const gw_node *n, double v)
{
    nd_buf_printf(b, "%s{node=\"", name);
    label(b, n->name);
    nd_buf_puts(b, "\"} ");
    num(b, v);
    nd_buf_putc(b, '\n');
}

void gw_prom_fleet(nd_buf *b, double t0)
{
    int n;
    gw_node *c = gw_snapshot(&n);
    if (!c) return;
    mtx_lock(&gw.mu);
    bool broker = gw.broker_up;
    unsigned long msgs = gw.mqtt_msgs, refused = gw.refused;
    mtx_unlock(&gw.mu);
    int up = 0;
    for (int i = 0; i < n; i++) up += gw_up(&c[i]);

    fam(b, "nodus_gateway_nodes", "gauge", "Nodes the gateway knows, by state");
    nd_buf_printf(b, "nodus_gateway_nodes{state=\"up\"} %d\nnodus_gateway_nodes{state=\"down\"} %d\n", up, n - up);
    fam(b, "nodus_gateway_broker_up", "gauge", "1 while the gateway holds a session with the MQTT broker");
    nd_buf_printf(b, "nodus_gateway_broker_up %d\n", broker);
    fam(b, "nodus_gateway_mqtt_messages_total", "counter", "MQTT messages the gateway received");
    nd_buf_printf(b, "nodus_gateway_mqtt_messages_total %lu\n", msgs);
    fam(b, "nodus_gateway_nodes_refused_total", "counter", "Nodes left out because the fleet table was full");
    nd_buf_printf(b, "nodus_gateway_nodes_refused_total %lu\n", refused);

    fam(b, "nodus_node_up", "gauge",
        "1 while the node is up: its MQTT status (birth/last will), else a probe of its shell port");
    for (int i = 0; i < n; i++) {
        nd_buf_puts(b, "nodus_node_up{node=\"");
        label(b, c[i].name);
        nd_buf_printf(b, "\",source=\"%s\"} %d\n",
                      c[i].prefix[0] && c[i].mqtt_up >= 0 ? "mqtt" : (c[i].src & GW_SRC_MDNS ? "mdns" : "cache"),
                      gw_up(&c[i]));
    }
    fam(b, "nodus_node_last_seen_seconds", "gauge", "Wall time of the node's last sign of life (0: never)");
    for (int i = 0; i < n; i++) sample(b, "nodus_node_last_seen_seconds", &c[i], floor(c[i].seen));

    /* telemetry: one family per field any node reported */
    char (*keys)[48] = malloc(GW_KEYS_MAX * sizeof *keys);
    int nk = 0;
    for (int i = 0; keys && i < n; i++)
        for (int j = 0; j < c[i].ntele; j++) {
            int k = 0;
            while (k < nk && strcmp(keys[k], c[i].tele[j].key)) k++;
            if (k == nk && nk < GW_KEYS_MAX) memcpy(keys[nk++], c[i].tele[j].key, 48);
        }
    for (int k = 0; k < nk; k++) {
        char name[80];
        snprintf(name, sizeof name, "nodus_telemetry_%s", keys[k]);
        char help[96];
        snprintf(help, sizeof help, "Field %s of the node's latest MQTT telemetry", keys[k]);
        fam(b, name, "gauge", help);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < c[i].ntele; j++)
                if (!strcmp(c[i].tele[j].key, keys[k])) sample(b, name, &c[i], c[i].tele[j].v);
    }
    free(keys);
    free(c);
    fam(b, "nodus_gateway_scrape_seconds", "gauge", "Time the gateway took to render this page");
    nd_buf_printf(b, "nodus_gateway_scrape_seconds %.6f\n", gw_now() - t0);
}

/* Python's str() of a JSON value, as micrOS's gateway formats it. */
static void py_value(nd_buf *b, const cJSON *v)
{
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (d == (double)(long long)d && fabs(d) < 1e15) {
            nd_buf_printf(b, "%lld", (long long)d);
            return;
        }
        char t[40];
        for (int p = 15; p <= 17; p++) { /* the shortest text that reads back the same: Python's repr */
            snprintf(t, sizeof t, "%.*g", p, d);
            if (strtod(t, NULL) == d) break;
        }
        nd_buf_puts(b, t);
    } else if (cJSON_IsBool(v)) {
        nd_buf_puts(b, cJSON_IsTrue(v) ? "True" : "False");
    } else if (cJSON_IsNull(v)) {
        nd_buf_puts(b, "None");
    } else if (cJSON_IsString(v)) {
        nd_buf_puts(b, v->valuestring);
    } else {
        char *s = cJSON_PrintUnformatted(v);
        nd_buf_puts(b, s ? s : "");
        free(s);
    }
}

static void emit(nd_buf *b, bool *first, const char *tag, const char *key, const char *value)
{
    char word[128];
    size_t k = strcspn(key, " \t\n");
    snprintf(word, sizeof word, "%.*s", (int)(k < 120 ? k : 120), key);
    if (!*first) nd_buf_putc(b, '\n');
    *first = false;
    nd_buf_printf(b, "# TYPE python_info gauge\n# HELP %s_%s Dynamic content: %s\n# TYPE %s_%s gauge\n%s_%s %s", tag,
                  word, key, tag, word, tag, word, value);
}

void gw_prom_micros(nd_buf *b, const char *tag, const char *response)
{
    /* micrOS strips these before parsing, keys and values alike */
    size_t n = strlen(response);
    char *s = malloc(n + 1);
    if (!s) return;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (response[i] != '[' && response[i] != ']' && response[i] != '%') s[k++] = response[i];
    s[k] = 0;
    bool first = true;
    cJSON *doc = cJSON_Parse(s);
    if (cJSON_IsObject(doc)) {
        for (cJSON *it = doc->child; it; it = it->next) {
            nd_buf v;
            nd_buf_init(&v, 4096);
            py_value(&v, it);
            emit(b, &first, tag, it->string ? it->string : "", nd_buf_cstr(&v));
            nd_buf_free(&v);
        }
    } else {
        /* a text reply: per line, the digits and dots are the value, the rest the name */
        static const char special[] = "%&-[]{}:";
        int items = 0;
        for (char *line = s; line && *line;) {
            char *nl = strchr(line, '\n');
            if (nl) *nl = 0;
            char var[256], val[64];
            size_t vn = 0, ln = 0;
            for (char *p = line; *p; p++) {
                if ((*p >= '0' && *p <= '9') || *p == '.') {
                    if (ln + 1 < sizeof val) val[ln++] = *p;
                } else if (!strchr(special, *p) && vn + 1 < sizeof var) {
                    var[vn++] = *p;
                }
            }
            var[vn] = val[ln] = 0;
            char *a = var, *e = var + vn; /* strip, then spaces -> '_' */
            while (*a == ' ' || *a == '\t' || *a == '\r') a++;
            while (e > a && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r')) *--e = 0;
            for (char *p = a; *p; p++)
                if (*p == ' ') *p = '_';
            char *end;
            double d = ln ? strtod(val, &end) : 0;
            if (ln && *end == 0) {
                char t[48];
                if (d == floor(d) && fabs(d) < 1e15) snprintf(t, sizeof t, "%.1f", d); /* Python float */
                else snprintf(t, sizeof t, "%.17g", d);
                for (int p = 15; p <= 17 && !(d == floor(d) && fabs(d) < 1e15); p++) {
                    snprintf(t, sizeof t, "%.*g", p, d);
                    if (strtod(t, NULL) == d) break;
                }
                emit(b, &first, tag, a, t);
                items++;
            }
            line = nl ? nl + 1 : NULL;
        }
        if (!items) emit(b, &first, tag, "Unknown", "-1");
    }
    cJSON_Delete(doc);
    free(s);
}
