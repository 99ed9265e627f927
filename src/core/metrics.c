/*
** metrics.c -- the node's metrics registry and its Prometheus formatter
** (GET /metrics, text exposition format 0.0.4).
**
** The registry is the table of families below; collect() reads every value
** from where the node keeps it (node counters, task table, web door, port).
** A scrape takes one snapshot of the values -- a few kilobytes of numbers,
** never the text -- then measures the text it will produce (for the
** Content-Length) and writes it line by line into the connection's output as
** the socket drains. Both passes render from the same snapshot, so the
** length is exact however the node's state moves meanwhile.
**
** Every series exists from the start (a module never called counts 0; every
** status code of the list is present), so the shape of the output depends
** only on the build, and rates never see a series appear out of nowhere.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "mqtt.h"
#include "task.h"
#include "web_int.h"

enum {
    M_INFO,
    M_UPTIME,
    M_RSS,
    M_HEAP_FREE,
    M_LOAD,
    M_CONN,
    M_ACCEPTED,
    M_CMDS,
    M_CMD_FAILS,
    M_TASKS_ACTIVE,
    M_TASK_RUNS,
    M_TASK_RUN_SECONDS,
    M_TASK_LATE,
    M_HTTP,
    M_HTTP_BUSY,
    M_EV_CLIENTS,
    M_EV_DROPPED,
    M_AUTH_FAILS,
    M_AUTH_LOCKOUTS,
    M_AUTH_REFUSED,
    M_AUTH_LOCKED,
    M_MQTT_UP,
    M_MQTT_PUB,
    M_MQTT_DROP,
    M_MQTT_QUEUED,
    M_MQTT_RECV,
    M_MQTT_CMDS,
    M_MQTT_REFUSED,
    M_MQTT_CONNECTS,
    M_MQTT_CFAILS,
    M_NFAM
};

static const struct {
    const char *name, *type, *help;
} fams[M_NFAM] = {
    {"nodus_info", "gauge", "Node identity (value 1): version and name"},
    {"nodus_uptime_seconds", "gauge", "Seconds since the node started"},
    {"nodus_memory_rss_bytes", "gauge", "Resident memory of the node"},
    {"nodus_heap_free_bytes", "gauge", "Free bytes held by the allocator"},
    {"nodus_loop_load_percent", "gauge", "Share of time the event loop was busy (last window)"},
    {"nodus_connections", "gauge", "Client connections holding a slot, by door"},
    {"nodus_connections_accepted_total", "counter", "Client connections accepted, by door"},
    {"nodus_commands_total", "counter", "Load Module function calls, by module"},
    {"nodus_command_failures_total", "counter", "Load Module function calls that failed, by module"},
    {"nodus_tasks_active", "gauge", "Background tasks running"},
    {"nodus_task_runs_total", "counter", "Task runs since start (or the last timing reset)"},
    {"nodus_task_run_seconds_total", "counter", "Time spent running tasks"},
    {"nodus_task_lateness_seconds", "histogram", "How late task runs started after their due time"},
    {"nodus_http_requests_total", "counter", "HTTP responses, by status code"},
    {"nodus_http_busy_total", "counter", "HTTP connections refused for want of a client slot"},
    {"nodus_events_clients", "gauge", "Clients of the live event stream (/events)"},
    {"nodus_events_dropped_total", "counter", "Live events lost by clients that read too slowly"},
    {"nodus_auth_failures_total", "counter", "Wrong passwords, every door"},
    {"nodus_auth_lockouts_total", "counter", "Addresses locked out after too many failed logins"},
    {"nodus_auth_locked_refusals_total", "counter", "Logins refused because the address was locked out"},
    {"nodus_auth_locked_addresses", "gauge", "Addresses locked out right now"},
    {"nodus_mqtt_connected", "gauge", "1 while the MQTT session with the broker is up"},
    {"nodus_mqtt_published_total", "counter", "MQTT messages handed to the broker"},
    {"nodus_mqtt_dropped_total", "counter", "Queued MQTT messages dropped, oldest first, while the broker was away"},
    {"nodus_mqtt_queued", "gauge", "MQTT messages waiting for the broker"},
    {"nodus_mqtt_received_total", "counter", "MQTT messages received"},
    {"nodus_mqtt_commands_total", "counter", "Commands run from the MQTT door (cmd topic, Home Assistant)"},
    {"nodus_mqtt_refused_total", "counter", "MQTT commands and incoming packets refused, by reason"},
    {"nodus_mqtt_connects_total", "counter", "MQTT sessions established"},
    {"nodus_mqtt_connect_failures_total", "counter", "MQTT connection attempts that failed"},
};

/* lateness histogram bounds, microseconds (multiples of task.c's 50 us) */
static const uint32_t late_le_us[] = {100, 500, 1000, 5000, 10000, 50000, 100000};
#define NLATE ((int)(sizeof late_le_us / sizeof late_le_us[0]))

#define ND_METRICS_MAX (50 + 2 * ND_MODULES_MAX + ND_WEB_NSTATUS + NLATE)

typedef struct {
    uint16_t fam, idx;
    double v;
} msample;

typedef struct {
    int n;
    msample s[ND_METRICS_MAX];
    char devfid[48];
    /* cursor: family, phase (0 HELP, 1 TYPE, 2 samples), next sample */
    int fam, phase, si;
} msnap;

static void add(msnap *m, int fam, int idx, double v)
{
    if (m->n >= ND_METRICS_MAX) return; /* sized for the build: cannot happen */
    m->s[m->n].fam = (uint16_t)fam;
    m->s[m->n].idx = (uint16_t)idx;
    m->s[m->n].v = v;
    m->n++;
}

static void collect(struct nd_web *w, msnap *m)
{
    struct nd_node *n = w->node;
    memset(m, 0, sizeof *m);
    snprintf(m->devfid, sizeof m->devfid, "%s", nd_cfg_get_str(n->cfg, ND_K_devfid));
    add(m, M_INFO, 0, 1);
    add(m, M_UPTIME, 0, (double)nd_node_uptime_ms(n) / 1000.0);
    add(m, M_RSS, 0, (double)nd_port_rss_bytes());
    add(m, M_HEAP_FREE, 0, (double)nd_port_heap_free());
    add(m, M_LOAD, 0, nd_decimal(nd_loop_load_pm(), -1));
    add(m, M_CONN, 0, nd_shell_sessions(n));
    add(m, M_CONN, 1, n->web_active);
    add(m, M_ACCEPTED, 0, (double)n->shell_accepted);
    add(m, M_ACCEPTED, 1, (double)w->accepted);
    size_t nm = nd_registry_count();
    if (nm > ND_MODULES_MAX) nm = ND_MODULES_MAX;
    for (size_t i = 0; i < nm; i++) add(m, M_CMDS, (int)i, (double)n->mod_runs[i]);
    for (size_t i = 0; i < nm; i++) add(m, M_CMD_FAILS, (int)i, (double)n->mod_fails[i]);
    add(m, M_TASKS_ACTIVE, 0, nd_tasks_active(n));
    nd_task_timing t;
    nd_task_timing_get(n, &t, false);
    add(m, M_TASK_RUNS, 0, (double)t.runs);
    add(m, M_TASK_RUN_SECONDS, 0, (double)t.run_us / 1e6);
    uint64_t cum[NLATE], count, sum_us;
    nd_task_late_hist(n, late_le_us, NLATE, cum, &count, &sum_us);
    for (int i = 0; i < NLATE; i++) add(m, M_TASK_LATE, i, (double)cum[i]);
    add(m, M_TASK_LATE, NLATE, (double)count);     /* le="+Inf" */
    add(m, M_TASK_LATE, NLATE + 1, (double)sum_us / 1e6); /* _sum */
    add(m, M_TASK_LATE, NLATE + 2, (double)count); /* _count */
    for (int i = 0; i < ND_WEB_NSTATUS; i++) add(m, M_HTTP, i, (double)w->status[i]);
    add(m, M_HTTP_BUSY, 0, (double)w->busy);
    add(m, M_EV_CLIENTS, 0, w->nsse);
    add(m, M_EV_DROPPED, 0, (double)w->node->events_dropped);
    nd_auth_stats st;
    nd_auth_get_stats(n, &st);
    add(m, M_AUTH_FAILS, 0, (double)st.failures);
    add(m, M_AUTH_LOCKOUTS, 0, (double)st.lockouts);
    add(m, M_AUTH_REFUSED, 0, (double)st.refused);
    add(m, M_AUTH_LOCKED, 0, (double)st.locked_now);
    nd_mqtt_stats mq = {0};
    if (ND_WITH_MQTT) nd_mqtt_get_stats(n, &mq);
    add(m, M_MQTT_UP, 0, mq.up);
    add(m, M_MQTT_PUB, 0, (double)mq.published);
    add(m, M_MQTT_DROP, 0, (double)mq.dropped);
    add(m, M_MQTT_QUEUED, 0, (double)mq.queued);
    add(m, M_MQTT_RECV, 0, (double)mq.received);
    add(m, M_MQTT_CMDS, 0, (double)mq.commands);
    add(m, M_MQTT_REFUSED, 0, (double)mq.refused_rate);
    add(m, M_MQTT_REFUSED, 1, (double)mq.refused_size);
    add(m, M_MQTT_REFUSED, 2, (double)mq.refused_bad);
    add(m, M_MQTT_REFUSED, 3, (double)mq.rx_oversize);
    add(m, M_MQTT_REFUSED, 4, (double)mq.rx_malformed);
    add(m, M_MQTT_CONNECTS, 0, (double)mq.connects);
    add(m, M_MQTT_CFAILS, 0, (double)mq.connect_fails);
}

/* A label value with Prometheus's escapes (\\ \" \n). */
static void label_value(char *out, size_t cap, const char *v)
{
    size_t k = 0;
    for (; *v && k + 3 < cap; v++) {
        if (*v == '\\' || *v == '"') out[k++] = '\\', out[k++] = *v;
        else if (*v == '\n') out[k++] = '\\', out[k++] = 'n';
        else out[k++] = *v;
    }
    out[k] = 0;
}

static int put_value(char *out, size_t cap, double v)
{
    if (v == (double)(int64_t)v && v > -9007199254740992.0 && v < 9007199254740992.0)
        return snprintf(out, cap, "%lld", (long long)v);
    return snprintf(out, cap, "%.10g", v);
}

/* One sample line: name[_suffix]{labels} value */
static int sample_line(const msnap *m, const msample *s, char *out, size_t cap)
{
    const char *name = fams[s->fam].name;
    char labels[160] = "", lv[100];
    const char *suffix = "";
    switch (s->fam) {
    case M_INFO:
        label_value(lv, sizeof lv, m->devfid);
        snprintf(labels, sizeof labels, "{version=\"%s\",node=\"%s\"}", NODUS_VERSION, lv);
        break;
    case M_CONN:
    case M_ACCEPTED: snprintf(labels, sizeof labels, "{door=\"%s\"}", s->idx ? "web" : "shell"); break;
    case M_CMDS:
    case M_CMD_FAILS:
        label_value(lv, sizeof lv, nd_registry_at(s->idx)->name);
        snprintf(labels, sizeof labels, "{module=\"%s\"}", lv);
        break;
    case M_TASK_LATE:
        if (s->idx < NLATE) {
            suffix = "_bucket";
            snprintf(labels, sizeof labels, "{le=\"%g\"}", late_le_us[s->idx] / 1e6);
        } else if (s->idx == NLATE) {
            suffix = "_bucket";
            snprintf(labels, sizeof labels, "{le=\"+Inf\"}");
        } else {
            suffix = s->idx == NLATE + 1 ? "_sum" : "_count";
        }
        break;
    case M_HTTP:
        if (nd_web_status_codes[s->idx])
            snprintf(labels, sizeof labels, "{code=\"%d\"}", nd_web_status_codes[s->idx]);
        else
            snprintf(labels, sizeof labels, "{code=\"other\"}");
        break;
    case M_MQTT_REFUSED:
        snprintf(labels, sizeof labels, "{reason=\"%s\"}",
                 s->idx == 0 ? "rate" : s->idx == 1 ? "size" : s->idx == 2 ? "bad"
                 : s->idx == 3 ? "packet_size" : "malformed_packet");
        break;
    default: break;
    }
    char val[40];
    put_value(val, sizeof val, s->v);
    return snprintf(out, cap, "%s%s%s %s\n", name, suffix, labels, val);
}

static int next_line_(msnap *m, char *out, size_t cap);

/* The next line of the exposition into out; 0 at the end. A line that does
** not fit is cut the same way in both passes, so the length stays exact. */
static int next_line(msnap *m, char *out, size_t cap)
{
    int k = next_line_(m, out, cap);
    return k < 0 ? 0 : (size_t)k >= cap ? (int)cap - 1 : k;
}

static int next_line_(msnap *m, char *out, size_t cap)
{
    while (m->fam < M_NFAM) {
        if (m->phase == 0) {
            m->phase = 1;
            return snprintf(out, cap, "# HELP %s %s\n", fams[m->fam].name, fams[m->fam].help);
        }
        if (m->phase == 1) {
            m->phase = 2;
            return snprintf(out, cap, "# TYPE %s %s\n", fams[m->fam].name, fams[m->fam].type);
        }
        if (m->si < m->n && m->s[m->si].fam == m->fam) return sample_line(m, &m->s[m->si++], out, cap);
        m->fam++;
        m->phase = 0;
    }
    return 0;
}

static int produce_metrics(nd_wconn *c)
{
    msnap *m = c->ps;
    char line[512];
    while (c->out.n - c->outoff < ND_WEB_OUT_LOW) {
        int k = next_line(m, line, sizeof line);
        if (k <= 0) return 1;
        nd_buf_put(&c->out, line, (size_t)k);
    }
    return c->out.overflow ? -1 : 0;
}

void nd_metrics_handle(nd_wconn *c, const nd_http_req *r)
{
    (void)r;
    msnap *m = malloc(sizeof *m);
    if (!m) {
        nd_web_error(c, 500, "Out of memory", false);
        return;
    }
    collect(c->web, m);
    char line[512];
    int64_t total = 0;
    for (int k; (k = next_line(m, line, sizeof line)) > 0;) total += k;
    m->fam = m->phase = m->si = 0;
    nd_web_head(c, 200, "text/plain; version=0.0.4; charset=utf-8", "cache-control: no-store\r\n",
                total);
    if (c->head_only) {
        free(m);
        return;
    }
    c->ps = m;
    c->produce = produce_metrics;
}
