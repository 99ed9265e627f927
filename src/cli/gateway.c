/*
** gateway.c -- `nodus gateway`: options, the HTTP server and its routes
** (gateway.h; README "Fleet gateway").
**
** One thread per HTTP connection (at most GW_CONN_MAX; more get 503), one
** request per connection (Connection: close): a scrape, a proxied call or a
** micrOS Gateway query each take their own connection in practice. Request
** heads are bounded (8 KiB) and must arrive within 5 s.
**
** Passwords come from the environment only (NODUS_GATEWAY_PWD for nodes'
** ShellCli, NODUS_GATEWAY_MQTT_PWD for the broker), never from the command
** line where `ps` shows them, and are never logged.
*/
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "gateway.h"
#include "nodus/node.h"
#include "rest_path.h"
#include "text.h"

#define GW_HEAD_MAX 8192
#define GW_STATUS_LIMIT_S 60 /* micrOS Gateway: /status refreshes at most this often */
#define GW_SEARCH_LIMIT_S 30 /* micrOS Gateway: /search/ at most this often */
#define GW_STATUS_WORKERS 16

static volatile sig_atomic_t quit;
static mtx_t conn_mu; /* mtx_init in nd_cli_gateway */
static int conns;

static void on_signal(int sig)
{
    (void)sig;
    quit = 1;
}

/* ---- responses ------------------------------------------------------------- */

static void send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return;
        p += k;
        n -= (size_t)k;
    }
}

static void respond(int fd, int code, const char *ctype, const char *body, size_t n)
{
    const char *reason = code == 200   ? "OK"
                         : code == 404 ? "Not Found"
                         : code == 405 ? "Method Not Allowed"
                         : code == 400 ? "Bad Request"
                         : code == 503 ? "Service Unavailable"
                                       : "Error";
    char head[256];
    int k = snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n", code,
                     reason, ctype, n);
    send_all(fd, head, (size_t)k);
    send_all(fd, body, n);
}

static void respond_json(int fd, int code, cJSON *doc)
{
    char *s = cJSON_PrintUnformatted(doc);
    if (s) respond(fd, code, "application/json", s, strlen(s));
    else respond(fd, 503, "text/plain", "out of memory\n", 14);
    free(s);
    cJSON_Delete(doc);
}

static void respond_err(int fd, int code, const char *msg)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "error", msg);
    respond_json(fd, code, o);
}

/* ---- helpers ---------------------------------------------------------------- */

/* %XX decoding of one path piece, in place ('+' stays: micrOS's space). */
static bool pct_decode(char *s)
{
    char *o = s;
    for (char *p = s; *p; p++) {
        if (*p == '%') {
            int h = nd_hex_val((unsigned char)p[1]), l = h >= 0 ? nd_hex_val((unsigned char)p[2]) : -1;
            if (h < 0 || l < 0 || (h == 0 && l == 0)) return false;
            *o++ = (char)(h * 16 + l);
            p += 2;
        } else {
            *o++ = *p;
        }
    }
    *o = 0;
    return true;
}

/* micrOS's device tuple [uid, ip, port, fuid]. */
static cJSON *device_tuple(const gw_node *n)
{
    cJSON *a = cJSON_CreateArray();
    cJSON_AddItemToArray(a, cJSON_CreateString(n->hwuid[0] ? n->hwuid : n->name));
    cJSON_AddItemToArray(a, cJSON_CreateString(n->ip));
    cJSON_AddItemToArray(a, cJSON_CreateNumber(n->port));
    cJSON_AddItemToArray(a, cJSON_CreateString(n->name));
    return a;
}

static double round2(double v) { return round(v * 100.0) / 100.0; }

static char *strip(char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n')) s[--n] = 0;
    return s;
}

/* The reply as micrOS Gateway's "response": a JSON result as it is, text
** stripped, or a list of stripped lines when it has several. */
static cJSON *response_value(const gw_reply *r, bool keep_lines)
{
    if (!r->ok) return cJSON_CreateString(r->err);
    if (r->json) {
        cJSON *v = cJSON_Parse(r->text);
        return v ? v : cJSON_CreateString(r->text);
    }
    char *t = strdup(r->text ? r->text : "");
    if (!t) return cJSON_CreateNull();
    cJSON *out;
    char *body = strip(t);
    if (strchr(body, '\n')) {
        out = cJSON_CreateArray();
        for (char *line = body; line;) {
            char *nl = strchr(line, '\n');
            if (nl) *nl = 0;
            cJSON_AddItemToArray(out, cJSON_CreateString(keep_lines ? line : strip(line)));
            line = nl ? nl + 1 : NULL;
        }
    } else {
        out = cJSON_CreateString(body);
    }
    free(t);
    return out;
}

/* Find the node of a URL, answering 404/503 itself when it cannot be used. */
static bool node_of(int fd, const char *name, gw_node *n)
{
    if (!gw_find(name, n)) {
        char m[160];
        snprintf(m, sizeof m, "no such device: %.100s", name);
        respond_err(fd, 404, m);
        return false;
    }
    return true;
}

/* ---- micrOS Gateway endpoints ------------------------------------------------- */

static void route_help(int fd)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "nodus gateway", NODUS_VERSION);
    cJSON_AddStringToObject(o, "/list/", "List known devices.");
    cJSON_AddStringToObject(o, "/search/", "Search devices (mDNS)");
    cJSON_AddStringToObject(o, "/status", "Get all device status");
    cJSON_AddStringToObject(o, "/sendcmd/<device>/<cmd>", "Send command to the selected device. Use + instead of space.");
    cJSON_AddStringToObject(o, "/metrics/<device>/<cmd>", "Prometheus text of one command's output");
    cJSON_AddStringToObject(o, "/metrics", "Prometheus metrics of the whole fleet");
    cJSON_AddStringToObject(o, "/rest/<device>/<module>/<function>/<args>", "A device's REST call");
    respond_json(fd, 200, o);
}

static void route_list(int fd)
{
    int n;
    gw_node *c = gw_snapshot(&n);
    cJSON *o = cJSON_CreateObject(), *on = cJSON_AddObjectToObject(o, "online"),
          *off = cJSON_AddObjectToObject(o, "offline");
    for (int i = 0; c && i < n; i++) {
        cJSON *t = cJSON_CreateArray();
        cJSON_AddItemToArray(t, cJSON_CreateString(c[i].ip));
        cJSON_AddItemToArray(t, cJSON_CreateNumber(c[i].port));
        cJSON_AddItemToArray(t, cJSON_CreateString(c[i].name));
        cJSON_AddItemToObject(gw_up(&c[i]) ? on : off, c[i].hwuid[0] ? c[i].hwuid : c[i].name, t);
    }
    free(c);
    cJSON *m = cJSON_AddObjectToObject(o, "gateway_metrics");
    cJSON_AddStringToObject(m, "status", "done"); /* the table is always current */
    cJSON_AddNumberToObject(m, "last[sec]", 0);
    respond_json(fd, 200, o);
}

static void route_search(int fd)
{
    double last = gw_last_search();
    const char *status = "Done";
    if (!gw.o->mdns_s) status = "Off";
    else if (gw_now() - last > GW_SEARCH_LIMIT_S) status = gw_search_now() ? "Start" : "Running";
    int n;
    gw_node *c = gw_snapshot(&n);
    cJSON *o = cJSON_CreateObject(), *d = cJSON_AddObjectToObject(o, "devices");
    for (int i = 0; c && i < n; i++) {
        cJSON *t = cJSON_CreateArray();
        cJSON_AddItemToArray(t, cJSON_CreateString(c[i].ip));
        cJSON_AddItemToArray(t, cJSON_CreateNumber(c[i].port));
        cJSON_AddItemToArray(t, cJSON_CreateString(c[i].name));
        cJSON_AddItemToObject(d, c[i].hwuid[0] ? c[i].hwuid : c[i].name, t);
    }
    free(c);
    cJSON *m = cJSON_AddObjectToObject(o, "gateway_metrics");
    cJSON_AddStringToObject(m, "status", status);
    cJSON_AddNumberToObject(m, "last[sec]", round(10 * (last ? gw_now() - last : gw_now() - gw.started)) / 10);
    cJSON_AddNumberToObject(m, "qlimit[sec]", GW_SEARCH_LIMIT_S);
    respond_json(fd, 200, o);
}

static void route_sendcmd(int fd, const char *dev, char *cmd)
{
    gw_node n;
    if (!node_of(fd, dev, &n)) return;
    cJSON *list = cJSON_CreateArray();
    for (char *p = cmd; p;) { /* micrOS: '+' separates the words */
        char *plus = strchr(p, '+');
        if (plus) *plus = 0;
        cJSON_AddItemToArray(list, cJSON_CreateString(p));
        if (plus) *plus = ' ';
        p = plus ? plus + 1 : NULL;
    }
    gw_reply r;
    gw_run(&n, cmd, &r);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "cmd", list);
    cJSON_AddItemToObject(o, "device", device_tuple(&n));
    cJSON_AddNumberToObject(o, "latency", round2(r.latency));
    cJSON_AddItemToObject(o, "response", response_value(&r, !strcmp(strip(cmd), "help")));
    cJSON_AddBoolToObject(o, "state", r.ok && r.state);
    gw_reply_free(&r);
    respond_json(fd, 200, o);
}

static void route_metrics_cmd(int fd, const char *dev, char *cmd)
{
    gw_node n;
    if (!node_of(fd, dev, &n)) return;
    size_t cl = strlen(cmd);
    char *full = malloc(cl + 8);
    if (!full) {
        respond_err(fd, 503, "out of memory");
        return;
    }
    /* micrOS: the output must be JSON to be parsed */
    snprintf(full, cl + 8, "%s%s", cmd, cl >= 5 && !strcmp(cmd + cl - 5, ">json") ? "" : "+>json");
    char w0[64] = "", w1[64] = "";
    sscanf(full, "%63[^+]+%63[^+]", w0, w1);
    char tag[300];
    if (w1[0]) snprintf(tag, sizeof tag, "micrOS_%s__%s_%s", n.name, w0, w1);
    else snprintf(tag, sizeof tag, "micrOS_%s__%s", n.name, w0);
    for (char *p = full; *p; p++)
        if (*p == '+') *p = ' ';
    gw_reply r;
    gw_run(&n, full, &r);
    free(full);
    nd_buf b;
    nd_buf_init(&b, 1 << 20);
    if (r.ok) gw_prom_micros(&b, tag, r.text ? r.text : "");
    else nd_buf_puts(&b, "-1"); /* micrOS answers -1 when the conversion fails */
    gw_reply_free(&r);
    respond(fd, 200, "text/plain; charset=utf-8", b.p ? b.p : "", b.n);
    nd_buf_free(&b);
}

/* /status: micrOS Gateway's background health check, cached for a minute */
static mtx_t st_mu;
static cJSON *st_devices;
static double st_last;
static bool st_running;
static int st_online, st_total;
static gw_node *st_nodes;
static int st_n, st_next;
static cJSON *st_new;

static cJSON *health(const gw_node *n)
{
    gw_reply r;
    char *s;
    cJSON *o = cJSON_CreateObject();
    gw_run(n, "version", &r);
    bool healthy = r.ok && r.state;
    cJSON_AddStringToObject(o, "verdict", healthy ? "HEALTHY" : "UNHEALTHY");
    cJSON_AddStringToObject(o, "fuid", n->name);
    cJSON_AddStringToObject(o, "devip", n->ip);
    cJSON_AddStringToObject(o, "version", r.ok && r.text ? strip(r.text) : "Unknown");
    gw_reply_free(&r);
    char uid[64];
    snprintf(uid, sizeof uid, "%s", n->hwuid[0] ? n->hwuid : n->name);
    double latency = 0;
    cJSON *alarms = NULL;
    const char *upython = "Unknown";
    char upy[64] = "";
    double free_fs = -1, free_ram = -1;
    if (healthy) {
        gw_run(n, "hello", &r);
        latency = round2(r.latency);
        if (r.ok && r.text) { /* hello:<devfid>:<uid> */
            char *a = strchr(r.text, ':'), *b = a ? strchr(a + 1, ':') : NULL;
            if (b) snprintf(uid, sizeof uid, "%.*s", (int)strcspn(b + 1, "\r\n"), b + 1);
        }
        gw_reply_free(&r);
        gw_run(n, "system alarms", &r);
        if (r.ok) {
            alarms = cJSON_CreateObject();
            cJSON *log = cJSON_CreateArray();
            char verdict[160] = "";
            if (r.json) { /* {"OK alarm": 0} */
                cJSON *d = cJSON_Parse(r.text);
                for (cJSON *it = d ? d->child : NULL; it; it = it->next) {
                    s = cJSON_PrintUnformatted(it);
                    snprintf(verdict, sizeof verdict, "%s: %s", it->string ? it->string : "", s ? s : "");
                    free(s);
                }
                cJSON_Delete(d);
            } else { /* text: the log lines, then the verdict */
                char *t = strip(r.text);
                char *last = strrchr(t, '\n');
                snprintf(verdict, sizeof verdict, "%s", strip(last ? last + 1 : t));
                if (last) {
                    *last = 0;
                    for (char *line = t; line;) {
                        char *nl = strchr(line, '\n');
                        if (nl) *nl = 0;
                        cJSON_AddItemToArray(log, cJSON_CreateString(line));
                        line = nl ? nl + 1 : NULL;
                    }
                }
            }
            cJSON_AddStringToObject(alarms, "verdict", verdict);
            cJSON_AddItemToObject(alarms, "log", log);
        }
        gw_reply_free(&r);
        gw_run(n, "system info >json", &r);
        cJSON *info = r.ok && r.text ? cJSON_Parse(r.text) : NULL;
        const cJSON *mem = cJSON_GetObjectItemCaseSensitive(info, "Mem usage [%]");
        const cJSON *fs = cJSON_GetObjectItemCaseSensitive(info, "FS usage [%]");
        const cJSON *up = cJSON_GetObjectItemCaseSensitive(info, "upython");
        if (cJSON_IsNumber(mem)) free_ram = round2(100 - mem->valuedouble);
        if (cJSON_IsNumber(fs)) free_fs = round2(100 - fs->valuedouble);
        if (cJSON_IsString(up)) {
            snprintf(upy, sizeof upy, "%s", up->valuestring);
            upython = upy;
        }
        cJSON_Delete(info);
        gw_reply_free(&r);
    }
    cJSON_AddItemToObject(o, "alarms", alarms ? alarms : cJSON_CreateString("Unknown"));
    cJSON_AddNumberToObject(o, "latency", latency);
    cJSON_AddStringToObject(o, "upython", upython);
    cJSON_AddStringToObject(o, "cpu_temp", "Unknown"); /* micrOS asks `esp32 temp`: no such module here */
    if (free_fs >= 0) cJSON_AddNumberToObject(o, "free_fs", free_fs);
    else cJSON_AddStringToObject(o, "free_fs", "Unknown");
    if (free_ram >= 0) cJSON_AddNumberToObject(o, "free_ram", free_ram);
    else cJSON_AddStringToObject(o, "free_ram", "Unknown");
    cJSON_AddStringToObject(o, "uid", uid);
    return o;
}

static int status_worker(void *ud)
{
    (void)ud;
    for (;;) {
        mtx_lock(&st_mu);
        int i = st_next < st_n ? st_next++ : -1;
        mtx_unlock(&st_mu);
        if (i < 0) return 0;
        cJSON *h = health(&st_nodes[i]);
        cJSON *uid = cJSON_DetachItemFromObjectCaseSensitive(h, "uid");
        mtx_lock(&st_mu);
        if (!strcmp(cJSON_GetObjectItemCaseSensitive(h, "verdict")->valuestring, "HEALTHY")) st_online++;
        cJSON_AddItemToObject(st_new, uid && uid->valuestring ? uid->valuestring : st_nodes[i].name, h);
        mtx_unlock(&st_mu);
        cJSON_Delete(uid);
    }
}

static int status_run(void *ud)
{
    (void)ud;
    int n;
    gw_node *c = gw_snapshot(&n);
    mtx_lock(&st_mu);
    st_nodes = c;
    st_n = c ? n : 0;
    st_next = 0;
    st_online = 0;
    st_new = cJSON_CreateObject();
    mtx_unlock(&st_mu);
    thrd_t t[GW_STATUS_WORKERS];
    int k = 0;
    for (; k < GW_STATUS_WORKERS && k < st_n; k++)
        if (thrd_create(&t[k], status_worker, NULL) != thrd_success) break;
    if (!k) status_worker(NULL);
    for (int i = 0; i < k; i++) thrd_join(t[i], NULL);
    mtx_lock(&st_mu);
    cJSON_Delete(st_devices);
    st_devices = st_new;
    st_new = NULL;
    st_total = st_n;
    st_last = gw_now();
    st_running = false;
    free(st_nodes);
    st_nodes = NULL;
    mtx_unlock(&st_mu);
    return 0;
}

static void route_status(int fd)
{
    const char *status = "Done";
    mtx_lock(&st_mu);
    if (st_running) {
        status = "Running";
    } else if (gw_now() - st_last > GW_STATUS_LIMIT_S || !st_devices || !cJSON_GetArraySize(st_devices)) {
        thrd_t t;
        if (thrd_create(&t, status_run, NULL) == thrd_success) {
            thrd_detach(t);
            st_running = true;
            status = "Start";
        }
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "devices", st_devices ? cJSON_Duplicate(st_devices, true) : cJSON_CreateObject());
    cJSON *m = cJSON_AddObjectToObject(o, "gateway_metrics");
    cJSON_AddStringToObject(m, "status", status);
    cJSON_AddNumberToObject(m, "last[sec]", round(10 * (gw_now() - (st_last ? st_last : gw.started))) / 10);
    cJSON_AddNumberToObject(m, "device_count", st_total);
    cJSON_AddNumberToObject(m, "availablity[%]", st_total ? round(1000.0 * st_online / st_total) / 10 : 0);
    cJSON_AddNumberToObject(m, "qlimit[sec]", GW_STATUS_LIMIT_S);
    mtx_unlock(&st_mu);
    respond_json(fd, 200, o);
}

/* ---- nodus endpoints ------------------------------------------------------------ */

static void route_metrics(int fd)
{
    double t0 = gw_now();
    nd_buf b;
    nd_buf_init(&b, 64u << 20);
    gw_prom_fleet(&b, t0);
    if (b.overflow) respond(fd, 503, "text/plain", "fleet metrics too large\n", 24);
    else respond(fd, 200, "text/plain; version=0.0.4; charset=utf-8", b.p ? b.p : "", b.n);
    nd_buf_free(&b);
}

/* /rest/<node>/<tokens...>: the node's REST call through the gateway. */
static void route_rest(int fd, const char *rest)
{
    const char *slash = strchr(rest, '/');
    char name[128];
    snprintf(name, sizeof name, "%.*s", (int)(slash ? (size_t)(slash - rest) : strlen(rest)), rest);
    if (!pct_decode(name)) {
        respond_err(fd, 400, "bad %-escape in the node name");
        return;
    }
    if (!name[0]) {
        int n;
        gw_node *c = gw_snapshot(&n);
        cJSON *o = cJSON_CreateObject(), *l = cJSON_CreateArray();
        for (int i = 0; c && i < n; i++) cJSON_AddItemToArray(l, cJSON_CreateString(c[i].name));
        free(c);
        cJSON_AddItemToObject(o, "result", l);
        cJSON_AddBoolToObject(o, "state", true);
        {
        respond_json(fd, 200, o);
        return;
    }
    }
    gw_node n;
    if (!gw_find(name, &n)) {
        cJSON *o = cJSON_CreateObject();
        char m[200];
        snprintf(m, sizeof m, "no such node: %.100s", name);
        cJSON_AddStringToObject(o, "result", m);
        cJSON_AddBoolToObject(o, "state", false);
        {
        respond_json(fd, 404, o);
        return;
    }
    }
    const char *tokens = slash ? slash + 1 : "";
    char line[4096], err[160];
    size_t ln;
    cJSON *o = cJSON_CreateObject();
    if (nd_rest_tokenize((nd_span){tokens, strlen(tokens)}, line, sizeof line, &ln, err, sizeof err) != ND_OK) {
        cJSON_AddStringToObject(o, "result", err);
        cJSON_AddBoolToObject(o, "state", false);
        {
        respond_json(fd, 200, o);
        return;
    }
    }
    if (!ln) { /* micrOS: /rest// */
        cJSON_AddNullToObject(o, "result");
        cJSON_AddBoolToObject(o, "state", false);
        {
        respond_json(fd, 200, o);
        return;
    }
    }
    if (!gw_up(&n)) {
        char m[200];
        snprintf(m, sizeof m, "node %.100s is down", n.name);
        cJSON_AddStringToObject(o, "result", m);
        cJSON_AddBoolToObject(o, "state", false);
        {
        respond_json(fd, 503, o);
        return;
    }
    }
    gw_reply r;
    /* the REST door renders JSON; over ShellCli >json asks the same */
    bool shell = !(n.prefix[0] && n.mqtt_up == 1) && n.ip[0];
    if (shell && ln + 6 < sizeof line) memcpy(line + ln, " >json", 7);
    gw_run(&n, line, &r);
    if (!r.ok) {
        cJSON_AddStringToObject(o, "result", r.err);
        cJSON_AddBoolToObject(o, "state", false);
        gw_reply_free(&r);
        {
        respond_json(fd, 504, o);
        return;
    }
    }
    cJSON *res = NULL;
    if (r.json || shell) res = cJSON_Parse(r.text ? r.text : "");
    if (!res) { /* text stays text (one trailing newline off, as the REST door) */
        size_t tl = r.text ? strlen(r.text) : 0;
        if (shell && tl && r.text[tl - 1] == '\n') r.text[--tl] = 0;
        res = cJSON_CreateString(r.text ? r.text : "");
    }
    cJSON_AddItemToObject(o, "result", res);
    cJSON_AddBoolToObject(o, "state", r.state);
    gw_reply_free(&r);
    respond_json(fd, 200, o);
}

/* ---- the server ------------------------------------------------------------------ */

static void serve(int fd)
{
    char head[GW_HEAD_MAX + 1];
    size_t n = 0;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        long left = 5000 - ((now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000);
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (left <= 0 || poll(&p, 1, (int)left) <= 0) return;
        ssize_t k = recv(fd, head + n, GW_HEAD_MAX - n, 0);
        if (k <= 0) return;
        n += (size_t)k;
        head[n] = 0;
        if (strstr(head, "\r\n\r\n") || strstr(head, "\n\n")) break;
        if (n == GW_HEAD_MAX) {
        respond_err(fd, 400, "request head too large");
        return;
    }
    }
    char method[16], target[GW_HEAD_MAX];
    if (sscanf(head, "%15s %8191s", method, target) != 2) {
        respond_err(fd, 400, "bad request line");
        return;
    }
    if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
        respond_err(fd, 405, "only GET");
        return;
    }
    char *q = strchr(target, '?');
    if (q) *q = 0;
    char *path = target;
    if (!strcmp(path, "/")) {
        route_help(fd);
        return;
    }
    if (!strcmp(path, "/list/") || !strcmp(path, "/list")) {
        route_list(fd);
        return;
    }
    if (!strcmp(path, "/search/") || !strcmp(path, "/search")) {
        route_search(fd);
        return;
    }
    if (!strcmp(path, "/status") || !strcmp(path, "/status/")) {
        route_status(fd);
        return;
    }
    if (!strcmp(path, "/metrics")) {
        route_metrics(fd);
        return;
    }
    if (!strcmp(path, "/rest") || !strcmp(path, "/rest/")) {
        route_rest(fd, "");
        return;
    }
    if (!strncmp(path, "/rest/", 6)) {
        route_rest(fd, path + 6);
        return;
    }
    bool sendcmd = !strncmp(path, "/sendcmd/", 9), metrics = !strncmp(path, "/metrics/", 9);
    if (sendcmd || metrics) {
        char *dev = path + 9, *cmd = strchr(dev, '/');
        if (!cmd || !cmd[1]) {
        respond_err(fd, 404, "use /sendcmd/<device>/<cmd>");
        return;
    }
        *cmd++ = 0;
        if (!pct_decode(dev) || !pct_decode(cmd)) {
        respond_err(fd, 400, "bad %-escape");
        return;
    }
        if (sendcmd) route_sendcmd(fd, dev, cmd);
        else route_metrics_cmd(fd, dev, cmd);
        return;
    }
    respond_err(fd, 404, "no such endpoint (see /)");
}

static int conn_thread(void *ud)
{
    int fd = (int)(intptr_t)ud;
    serve(fd);
    shutdown(fd, SHUT_WR);
    close(fd);
    mtx_lock(&conn_mu);
    conns--;
    mtx_unlock(&conn_mu);
    return 0;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: nodus gateway [--broker HOST] [--broker-port 1883] [--user NAME] [--root nodus/+]\n"
               "                     [--bind 127.0.0.1] [--port 5005] [--timeout MS] [--mdns SECONDS]\n"
               "environment: NODUS_GATEWAY_PWD (nodes' appwd for ShellCli), NODUS_GATEWAY_MQTT_PWD\n");
}

int nd_cli_gateway(int argc, char **argv)
{
    static gw_opts o;
    o.broker_port = 1883;
    o.root = "nodus/+";
    o.bind = "127.0.0.1";
    o.port = 5005;
    o.timeout_ms = 10000;
    o.mdns_s = 60;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        }
        if (!v) {
            fprintf(stderr, "nodus gateway: %s needs a value\n", a);
            usage(stderr);
            return 1;
        }
        i++;
        char *end;
        long num = strtol(v, &end, 10);
        bool isnum = *v && !*end;
        if (!strcmp(a, "--broker")) o.broker = v;
        else if (!strcmp(a, "--broker-port") && isnum && num > 0 && num < 65536) o.broker_port = (int)num;
        else if (!strcmp(a, "--user")) o.mqtt_user = v;
        else if (!strcmp(a, "--root") && *v && !strchr(v, '#')) o.root = v;
        else if (!strcmp(a, "--bind")) o.bind = v;
        else if (!strcmp(a, "--port") && isnum && num >= 0 && num < 65536) o.port = (int)num;
        else if (!strcmp(a, "--timeout") && isnum && num >= 100 && num <= 600000) o.timeout_ms = (int)num;
        else if (!strcmp(a, "--mdns") && isnum && num >= 0 && num <= 86400) o.mdns_s = (int)num;
        else {
            fprintf(stderr, "nodus gateway: bad option or value: %s %s\n", a, v);
            usage(stderr);
            return 1;
        }
    }
    o.node_pwd = getenv("NODUS_GATEWAY_PWD");
    mtx_init(&conn_mu, mtx_plain);
    mtx_init(&st_mu, mtx_plain);
    o.mqtt_pwd = getenv("NODUS_GATEWAY_MQTT_PWD");

    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)o.port)};
    if (inet_pton(AF_INET, o.bind, &sa.sin_addr) != 1) {
        fprintf(stderr, "nodus gateway: --bind wants an IPv4 address, not '%s'\n", o.bind);
        return 1;
    }
    int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(ls, 128) != 0) {
        fprintf(stderr, "nodus gateway: cannot listen on %s:%d: %s\n", o.bind, o.port, strerror(errno));
        if (ls >= 0) close(ls);
        return 2;
    }
    socklen_t sl = sizeof sa;
    getsockname(ls, (struct sockaddr *)&sa, &sl);
    signal(SIGPIPE, SIG_IGN);
    struct sigaction act = {.sa_handler = on_signal};
    sigaction(SIGINT, &act, NULL);
    sigaction(SIGTERM, &act, NULL);
    if (gw_fleet_start(&o) != 0) {
        close(ls);
        return 2;
    }
    fprintf(stderr, "gateway: serving http://%s:%d/ (broker %s:%d, topics %s/{status,telemetry,reply}, mDNS %s)\n",
            o.bind, ntohs(sa.sin_port), o.broker ? o.broker : "none", o.broker_port, o.root,
            o.mdns_s ? "on" : "off");
    while (!quit) {
        struct pollfd p = {.fd = ls, .events = POLLIN};
        if (poll(&p, 1, 500) <= 0) continue;
        int fd = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) continue;
        mtx_lock(&conn_mu);
        bool room = conns < GW_CONN_MAX;
        if (room) conns++;
        mtx_unlock(&conn_mu);
        if (!room) {
            respond_err(fd, 503, "too many connections");
            close(fd);
            continue;
        }
        thrd_t t;
        if (thrd_create(&t, conn_thread, (void *)(intptr_t)fd) == thrd_success) {
            thrd_detach(t);
        } else {
            close(fd);
            mtx_lock(&conn_mu);
            conns--;
            mtx_unlock(&conn_mu);
        }
    }
    close(ls);
    gw_fleet_stop();
    fprintf(stderr, "gateway: stopped\n");
    return 0;
}
