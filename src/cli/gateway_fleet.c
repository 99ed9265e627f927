/*
** gateway_fleet.c -- the gateway's fleet table and how it reaches nodes
** (gateway.h).
**
** Learning: libmosquitto's own network thread (mosquitto_loop_start) hands
** every <root>/status, <root>/telemetry and <root>/reply message to
** on_message, which updates the table under its mutex. A discovery thread
** browses mDNS (_nodus._tcp) and reads the device cache every mdns_s
** seconds, and probes the shell port of nodes the broker does not know
** (connect only, all in parallel), so /metrics never waits on the network.
**
** When the gateway loses the broker it cannot tell which MQTT nodes are up:
** they count as down until the broker speaks again (their retained birth or
** a fresh one), which is also what the fleet bench measures after a broker
** restart.
**
** Commands: over MQTT, {"cmd", "id"} to <prefix>/cmd and a wait (condition
** variable, bounded by the timeout) for the <prefix>/reply carrying the id;
** else one ShellCli session (cli_sess) per command, as micrOS's gateway does.
*/
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli_fleet.h"
#include "cli_mdns.h"
#include "cli_sess.h"
#include "gateway.h"
#include "../port/posix/mosq_dl.h"

gw_fleet gw; /* its mutex and the ones below: mtx_init in gw_fleet_start */

static struct mosquitto *mosq;

/* libmosquitto is dlopen()ed, as the node does (src/port/posix/mosq_dl.h):
** linking it would map it, libssl and libcrypto into every node process,
** since the gateway lives in the same binary. Set by gw_fleet_start. */
static const nd_mosq_api *mq;

static bool load_mosquitto(void)
{
    const char *why;
    mq = nd_mosq_load(&why);
    if (!mq) fprintf(stderr, "gateway: %s\n", why);
    return mq != NULL;
}
static thrd_t disc_thread;
static bool disc_running, stopping;
static mtx_t disc_mu;
static cnd_t disc_cv;
static bool search_asked, searching;
static double last_search;

double gw_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the table ------------------------------------------------------------ */

/* Find by prefix (MQTT) or name; create when asked. Lock held. */
static gw_node *lookup(const char *prefix, const char *name, bool create)
{
    for (int i = 0; i < gw.n; i++) {
        gw_node *x = &gw.nodes[i];
        if (prefix && x->prefix[0] && !strcmp(x->prefix, prefix)) return x;
    }
    for (int i = 0; i < gw.n; i++) {
        gw_node *x = &gw.nodes[i];
        if (name && !strcasecmp(x->name, name) && (!prefix || !x->prefix[0])) return x;
    }
    if (!create) return NULL;
    if (gw.n == GW_NODES_MAX) {
        gw.refused++;
        return NULL;
    }
    gw_node *x = &gw.nodes[gw.n++];
    memset(x, 0, sizeof *x);
    snprintf(x->name, sizeof x->name, "%s", name);
    if (prefix) snprintf(x->prefix, sizeof x->prefix, "%s", prefix);
    x->mqtt_up = -1;
    return x;
}

bool gw_find(const char *name, gw_node *out)
{
    bool found = false;
    mtx_lock(&gw.mu);
    for (int i = 0; i < gw.n && !found; i++) {
        gw_node *x = &gw.nodes[i];
        if (!strcasecmp(x->name, name) || (x->hwuid[0] && !strcasecmp(x->hwuid, name)) ||
            (x->prefix[0] && !strcmp(x->prefix, name))) {
            *out = *x;
            found = true;
        }
    }
    mtx_unlock(&gw.mu);
    return found;
}

bool gw_up(const gw_node *n)
{
    if (n->prefix[0] && n->mqtt_up >= 0) return n->mqtt_up == 1;
    return n->probe_up;
}

gw_node *gw_snapshot(int *n)
{
    mtx_lock(&gw.mu);
    gw_node *c = malloc(sizeof *c * (size_t)(gw.n ? gw.n : 1));
    *n = c ? gw.n : 0;
    if (c && gw.n) memcpy(c, gw.nodes, sizeof *c * (size_t)gw.n);
    mtx_unlock(&gw.mu);
    return c;
}

/* ---- MQTT ----------------------------------------------------------------- */

typedef struct waiter {
    bool used, done;
    char id[32];
    char *payload;
    size_t len;
} waiter;
static waiter waiters[GW_WAIT_MAX];
static cnd_t wait_cv;
static unsigned long next_id;

/* "<a>/<b>/status" with root "nodus/+": the prefix is the topic minus its
** last level; the node's name is the prefix's last level. */
static bool split_topic(const char *topic, char *prefix, size_t pn, const char **kind)
{
    const char *slash = strrchr(topic, '/');
    if (!slash || slash == topic || (size_t)(slash - topic) >= pn) return false;
    memcpy(prefix, topic, (size_t)(slash - topic));
    prefix[slash - topic] = 0;
    *kind = slash + 1;
    return true;
}

static void on_telemetry(gw_node *x, const char *p, int len)
{
    cJSON *doc = cJSON_ParseWithLength(p, (size_t)len);
    if (!cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        return;
    }
    int k = 0;
    for (cJSON *it = doc->child; it && k < GW_TELE_MAX; it = it->next) {
        if (!cJSON_IsNumber(it) || !it->string) continue;
        /* a metric name piece: [a-zA-Z0-9_] only */
        char key[48];
        size_t j = 0;
        for (const char *s = it->string; *s && j + 1 < sizeof key; s++)
            key[j++] = ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9'))
                           ? *s
                           : '_';
        key[j] = 0;
        if (!j) continue;
        snprintf(x->tele[k].key, sizeof x->tele[k].key, "%s", key);
        x->tele[k].v = it->valuedouble;
        k++;
    }
    x->ntele = k;
    x->tele_at = gw_now();
    cJSON_Delete(doc);
}

static void on_reply(const char *p, int len)
{
    cJSON *doc = cJSON_ParseWithLength(p, (size_t)len);
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(doc, "id");
    if (cJSON_IsString(id)) {
        for (int i = 0; i < GW_WAIT_MAX; i++) {
            waiter *w = &waiters[i];
            if (w->used && !w->done && !strcmp(w->id, id->valuestring)) {
                w->payload = malloc((size_t)len + 1);
                if (w->payload) {
                    memcpy(w->payload, p, (size_t)len);
                    w->payload[len] = 0;
                    w->len = (size_t)len;
                }
                w->done = true;
                cnd_broadcast(&wait_cv);
                break;
            }
        }
    }
    cJSON_Delete(doc);
}

static void on_message(struct mosquitto *m, void *ud, const struct mosquitto_message *msg)
{
    (void)m, (void)ud;
    char prefix[160];
    const char *kind;
    if (!msg->topic || !split_topic(msg->topic, prefix, sizeof prefix, &kind)) return;
    const char *name = strrchr(prefix, '/');
    name = name ? name + 1 : prefix;
    mtx_lock(&gw.mu);
    gw.mqtt_msgs++;
    const char *p = msg->payload ? msg->payload : "";
    int len = msg->payloadlen;
    if (!strcmp(kind, "reply")) {
        on_reply(p, len);
    } else if (!strcmp(kind, "status") && len > 0) { /* an empty retained message clears: ignore */
        gw_node *x = lookup(prefix, name, true);
        if (x) {
            if (!x->prefix[0]) snprintf(x->prefix, sizeof x->prefix, "%s", prefix);
            x->src |= GW_SRC_MQTT;
            x->mqtt_up = len == 6 && !memcmp(p, "online", 6);
            if (x->mqtt_up) x->seen = gw_now();
        }
    } else if (!strcmp(kind, "telemetry")) {
        gw_node *x = lookup(prefix, name, true);
        if (x) {
            if (!x->prefix[0]) snprintf(x->prefix, sizeof x->prefix, "%s", prefix);
            x->src |= GW_SRC_MQTT;
            x->seen = gw_now();
            on_telemetry(x, p, len);
        }
    }
    mtx_unlock(&gw.mu);
}

static void on_connect(struct mosquitto *m, void *ud, int rc)
{
    (void)ud;
    if (rc != 0) {
        fprintf(stderr, "gateway: broker refused the connection: %s\n", mq->mosquitto_connack_string(rc));
        return;
    }
    static const char *const kinds[] = {"status", "telemetry", "reply"};
    for (int i = 0; i < 3; i++) {
        char t[256];
        snprintf(t, sizeof t, "%s/%s", gw.o->root, kinds[i]);
        mq->mosquitto_subscribe(m, NULL, t, 1);
    }
    mtx_lock(&gw.mu);
    gw.broker_up = true;
    mtx_unlock(&gw.mu);
    fprintf(stderr, "gateway: connected to the broker %s:%d\n", gw.o->broker, gw.o->broker_port);
}

static void on_disconnect(struct mosquitto *m, void *ud, int rc)
{
    (void)m, (void)ud, (void)rc;
    mtx_lock(&gw.mu);
    if (gw.broker_up) fprintf(stderr, "gateway: lost the broker; MQTT nodes count as down until it is back\n");
    gw.broker_up = false;
    for (int i = 0; i < gw.n; i++)
        if (gw.nodes[i].prefix[0]) gw.nodes[i].mqtt_up = 0;
    mtx_unlock(&gw.mu);
}

static int mqtt_start(const gw_opts *o)
{
    if (!load_mosquitto()) return -1;
    mq->mosquitto_lib_init();
    char id[64];
    snprintf(id, sizeof id, "nodus-gateway-%ld", (long)getpid());
    mosq = mq->mosquitto_new(id, true, NULL);
    if (!mosq) return -1;
    if (o->mqtt_user) mq->mosquitto_username_pw_set(mosq, o->mqtt_user, o->mqtt_pwd);
    mq->mosquitto_connect_callback_set(mosq, on_connect);
    mq->mosquitto_disconnect_callback_set(mosq, on_disconnect);
    mq->mosquitto_message_callback_set(mosq, on_message);
    mq->mosquitto_reconnect_delay_set(mosq, 1, 5, false);
    /* connect_async: a broker that is down at start is retried by the loop thread */
    int rc = mq->mosquitto_connect_async(mosq, o->broker, o->broker_port, 30);
    if (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_ERRNO)
        fprintf(stderr, "gateway: broker %s:%d: %s (retrying)\n", o->broker, o->broker_port, mq->mosquitto_strerror(rc));
    return mq->mosquitto_loop_start(mosq) == MOSQ_ERR_SUCCESS ? 0 : -1;
}

/* {"result": ..., "state": ...} -> r */
static void envelope(const char *payload, gw_reply *r)
{
    cJSON *doc = cJSON_Parse(payload);
    const cJSON *res = cJSON_GetObjectItemCaseSensitive(doc, "result");
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(doc, "state");
    if (!doc || !res) {
        snprintf(r->err, sizeof r->err, "the node's reply is not a REST envelope");
        cJSON_Delete(doc);
        return;
    }
    r->ok = true;
    r->state = cJSON_IsTrue(st);
    if (cJSON_IsString(res)) {
        r->text = strdup(res->valuestring);
    } else {
        r->json = true;
        r->text = cJSON_PrintUnformatted(res);
    }
    cJSON_Delete(doc);
}

static void run_mqtt(const gw_node *n, const char *cmd, gw_reply *r)
{
    waiter *w = NULL;
    mtx_lock(&gw.mu);
    for (int i = 0; i < GW_WAIT_MAX && !w; i++)
        if (!waiters[i].used) w = &waiters[i];
    if (!w) {
        mtx_unlock(&gw.mu);
        snprintf(r->err, sizeof r->err, "too many commands waiting for replies (max %d)", GW_WAIT_MAX);
        return;
    }
    memset(w, 0, sizeof *w);
    w->used = true;
    snprintf(w->id, sizeof w->id, "gw%ld-%lu", (long)getpid(), ++next_id);
    mtx_unlock(&gw.mu);

    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "cmd", cmd);
    cJSON_AddStringToObject(o, "id", w->id);
    char *payload = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    char topic[200];
    snprintf(topic, sizeof topic, "%s/cmd", n->prefix);
    int rc = payload ? mq->mosquitto_publish(mosq, NULL, topic, (int)strlen(payload), payload, 1, false)
                     : MOSQ_ERR_NOMEM;
    free(payload);

    mtx_lock(&gw.mu);
    if (rc != MOSQ_ERR_SUCCESS) {
        snprintf(r->err, sizeof r->err, "cannot publish to the broker: %s", mq->mosquitto_strerror(rc));
    } else {
        struct timespec dl;
        clock_gettime(CLOCK_REALTIME, &dl);
        dl.tv_sec += gw.o->timeout_ms / 1000;
        dl.tv_nsec += (long)(gw.o->timeout_ms % 1000) * 1000000L;
        if (dl.tv_nsec >= 1000000000L) {
            dl.tv_sec++;
            dl.tv_nsec -= 1000000000L;
        }
        while (!w->done)
            if (cnd_timedwait(&wait_cv, &gw.mu, &dl) == thrd_timedout) break;
        if (!w->done) snprintf(r->err, sizeof r->err, "no reply from %s within %d ms", n->name, gw.o->timeout_ms);
    }
    char *got = w->payload;
    w->used = false;
    w->payload = NULL;
    mtx_unlock(&gw.mu);
    if (got) {
        envelope(got, r);
        free(got);
    }
}

/* ---- ShellCli --------------------------------------------------------------- */

/* Non-blocking connect bounded by timeout_ms: the fd, or -1. */
static int tcp_connect(const char *ip, int port, int timeout_ms)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, ip, &a.sin_addr) != 1) return -1;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return -1;
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0 && errno != EINPROGRESS) {
        close(fd);
        return -1;
    }
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    int err = 0;
    socklen_t el = sizeof err;
    if (poll(&p, 1, timeout_ms) != 1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0 || err) {
        close(fd);
        return -1;
    }
    return fd;
}

static void run_shell(const gw_node *n, const char *cmd, gw_reply *r)
{
    int fd = tcp_connect(n->ip, n->port, gw.o->timeout_ms);
    if (fd < 0) {
        snprintf(r->err, sizeof r->err, "cannot connect to %s:%d", n->ip, n->port);
        return;
    }
    cli_sess s;
    int g = cli_sess_greet(&s, fd, gw.o->timeout_ms);
    if (g == ND_SHCLI_EV_ASKS_PASSWORD)
        g = gw.o->node_pwd && cli_sess_login(&s, gw.o->node_pwd) == ND_SHCLI_EV_AUTH_OK ? ND_SHCLI_EV_GREETED
                                                                                      : ND_SHCLI_EV_AUTH_FAILED;
    if (g != ND_SHCLI_EV_GREETED) {
        snprintf(r->err, sizeof r->err, "%s: %s", n->name,
                 g == ND_SHCLI_EV_BUSY          ? "Connection is busy"
                 : g == ND_SHCLI_EV_AUTH_FAILED ? "the node wants a password (NODUS_GATEWAY_PWD)"
                                                : "no prompt");
        cli_sess_close(&s, false);
        return;
    }
    int e = cli_sess_cmd(&s, cmd);
    if (e == ND_SHCLI_EV_REPLY) {
        r->ok = true;
        r->text = strdup(s.buf ? s.buf : "");
        /* the shell has no state flag: micrOS's error texts say it */
        r->state = !(r->text && (!strncmp(r->text, "Core error:", 11) || !strncmp(r->text, "Shell: for hints", 16) ||
                                 !strncmp(r->text, "Auth:Protected", 14)));
    } else {
        snprintf(r->err, sizeof r->err, "%s: no reply within %d ms", n->name, gw.o->timeout_ms);
    }
    cli_sess_close(&s, e == ND_SHCLI_EV_REPLY);
}

void gw_run(const gw_node *n, const char *cmd, gw_reply *r)
{
    memset(r, 0, sizeof *r);
    double t0 = mono();
    bool mqtt = n->prefix[0] && mosq && (!n->ip[0] || n->mqtt_up == 1);
    snprintf(r->via, sizeof r->via, "%s", mqtt ? "mqtt" : "shell");
    if (mqtt) run_mqtt(n, cmd, r);
    else if (n->ip[0]) run_shell(n, cmd, r);
    else snprintf(r->err, sizeof r->err, "no way to reach %s", n->name);
    r->latency = mono() - t0;
}

void gw_reply_free(gw_reply *r)
{
    free(r->text);
    r->text = NULL;
}

/* ---- discovery: mDNS, the device cache, probes ---------------------------------- */

static void on_mdns(void *ud, const nd_mdnsq_inst *in, const char *ip)
{
    (void)ud;
    const char *name = in->devfid[0] ? in->devfid : in->label;
    mtx_lock(&gw.mu);
    gw_node *x = lookup(NULL, name, false);
    if (!x) { /* an MQTT node of that name takes the address too */
        for (int i = 0; i < gw.n && !x; i++)
            if (!strcasecmp(gw.nodes[i].name, name)) x = &gw.nodes[i];
    }
    if (!x) x = lookup(NULL, name, true);
    if (x) {
        x->src |= GW_SRC_MDNS;
        snprintf(x->ip, sizeof x->ip, "%s", ip);
        x->port = in->port ? in->port : 9008;
        if (in->hwuid[0]) snprintf(x->hwuid, sizeof x->hwuid, "%s", in->hwuid);
        if (in->version[0]) snprintf(x->version, sizeof x->version, "%s", in->version);
        x->seen = gw_now();
    }
    mtx_unlock(&gw.mu);
}

static void read_cache(void)
{
    static nd_cli_dev d[256];
    int k = nd_cli_cache_devices(d, 256);
    mtx_lock(&gw.mu);
    for (int i = 0; i < k; i++) {
        gw_node *x = NULL;
        for (int j = 0; j < gw.n && !x; j++)
            if (!strcasecmp(gw.nodes[j].name, d[i].fuid)) x = &gw.nodes[j];
        if (!x) x = lookup(NULL, d[i].fuid, true);
        if (!x) break;
        x->src |= GW_SRC_CACHE;
        if (!x->ip[0] || !(x->src & GW_SRC_MDNS)) { /* mDNS is fresher than the cache */
            snprintf(x->ip, sizeof x->ip, "%.63s", d[i].ip);
            x->port = d[i].port;
        }
        if (!x->hwuid[0]) snprintf(x->hwuid, sizeof x->hwuid, "%.63s", d[i].uid);
    }
    mtx_unlock(&gw.mu);
}

/* Connect to every shell port the broker does not vouch for, all at once. */
static void probe(void)
{
    int n;
    gw_node *c = gw_snapshot(&n);
    if (!c) return;
    int *fds = malloc(sizeof *fds * (size_t)(n ? n : 1));
    struct pollfd *p = malloc(sizeof *p * (size_t)(n ? n : 1));
    if (!fds || !p) {
        free(c), free(fds), free(p);
        return;
    }
    for (int i = 0; i < n; i++) {
        fds[i] = -1;
        p[i].fd = -1;
        p[i].events = POLLOUT;
        if (!c[i].ip[0] || (c[i].prefix[0] && c[i].mqtt_up >= 0)) continue;
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)c[i].port)};
        if (inet_pton(AF_INET, c[i].ip, &a.sin_addr) != 1) continue;
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0) continue;
        if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0 && errno != EINPROGRESS) {
            close(fd);
            fds[i] = -2; /* refused at once: down */
            continue;
        }
        fds[i] = p[i].fd = fd;
    }
    double deadline = mono() + 2.0;
    for (;;) {
        int left = 0;
        for (int i = 0; i < n; i++) left += p[i].fd >= 0;
        double now = mono();
        if (!left || now >= deadline) break;
        if (poll(p, (nfds_t)n, (int)((deadline - now) * 1000) + 1) <= 0) break;
        for (int i = 0; i < n; i++) {
            if (p[i].fd < 0 || !p[i].revents) continue;
            int err = 0;
            socklen_t el = sizeof err;
            getsockopt(p[i].fd, SOL_SOCKET, SO_ERROR, &err, &el);
            close(p[i].fd);
            fds[i] = err ? -2 : -3; /* -3: up */
            p[i].fd = -1;
        }
    }
    mtx_lock(&gw.mu);
    for (int i = 0; i < n; i++) {
        if (fds[i] == -1) continue;
        if (fds[i] >= 0) close(fds[i]); /* no answer in time: down */
        for (int j = 0; j < gw.n; j++)
            if (!strcmp(gw.nodes[j].name, c[i].name) && !strcmp(gw.nodes[j].prefix, c[i].prefix)) {
                gw.nodes[j].probe_up = fds[i] == -3;
                if (fds[i] == -3) gw.nodes[j].seen = gw_now();
            }
    }
    mtx_unlock(&gw.mu);
    free(c), free(fds), free(p);
}

static int discovery(void *ud)
{
    (void)ud;
    double next_browse = 0;
    mtx_lock(&disc_mu);
    while (!stopping) {
        bool browse = gw.o->mdns_s > 0 && (search_asked || mono() >= next_browse);
        search_asked = false;
        searching = browse;
        mtx_unlock(&disc_mu);
        read_cache();
        if (browse) {
            cli_mdns_browse("_nodus._tcp.local", 1500, on_mdns, NULL);
            next_browse = mono() + gw.o->mdns_s;
        }
        probe();
        mtx_lock(&disc_mu);
        if (browse) last_search = gw_now();
        searching = false;
        struct timespec dl;
        clock_gettime(CLOCK_REALTIME, &dl);
        dl.tv_sec += 5; /* probes every 5 s; mDNS every mdns_s; /search/ wakes it */
        if (!stopping && !search_asked) cnd_timedwait(&disc_cv, &disc_mu, &dl);
    }
    mtx_unlock(&disc_mu);
    return 0;
}

bool gw_search_now(void)
{
    mtx_lock(&disc_mu);
    bool busy = searching;
    if (!busy) {
        search_asked = true;
        cnd_signal(&disc_cv);
    }
    mtx_unlock(&disc_mu);
    return !busy;
}

double gw_last_search(void)
{
    mtx_lock(&disc_mu);
    double t = last_search;
    mtx_unlock(&disc_mu);
    return t;
}

int gw_fleet_start(const gw_opts *o)
{
    mtx_init(&gw.mu, mtx_plain);
    mtx_init(&disc_mu, mtx_plain);
    cnd_init(&disc_cv);
    cnd_init(&wait_cv);
    gw.o = o;
    gw.started = gw_now();
    gw.nodes = calloc(GW_NODES_MAX, sizeof *gw.nodes);
    if (!gw.nodes) return -1;
    if (o->broker && mqtt_start(o) != 0) {
        fprintf(stderr, "gateway: cannot start the MQTT client\n");
        return -1;
    }
    disc_running = thrd_create(&disc_thread, discovery, NULL) == thrd_success;
    return 0;
}

void gw_fleet_stop(void)
{
    mtx_lock(&disc_mu);
    stopping = true;
    cnd_signal(&disc_cv);
    mtx_unlock(&disc_mu);
    if (disc_running) thrd_join(disc_thread, NULL);
    if (mosq) {
        mq->mosquitto_disconnect(mosq);
        mq->mosquitto_loop_stop(mosq, true);
        mq->mosquitto_destroy(mosq);
        mq->mosquitto_lib_cleanup();
    }
}
