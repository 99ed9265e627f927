/*
** cli_update.c -- `nodus update`: a fleet rollout (cli_update.h).
**
** Each node is told `system update url='URL' >json` over its shell and
** answers at once with the update's id; the node then fetches, verifies,
** stages, restarts on trial and confirms or rolls back on its own. This
** side only polls `system update_status >json` (a new connection each
** time: the node restarts in between) until that id is confirmed, rolled
** back or failed. Canaries go first; any canary that does not confirm
** stops the rollout before the other nodes are touched.
*/
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli_fleet.h"
#include "cli_sess.h"
#include "cli_update.h"
#include "nodus/port.h"

#define TARGETS_MAX 256
#define POLL_MS 500
#define DIAL_MS 2000

enum { T_NEW, T_WAIT, T_OK, T_FAIL };

typedef struct {
    char name[64], ip[64];
    int port;
    int st;
    unsigned long id;
    char state[24], version[32], note[256];
    double t0, t1;
} target;

static target tg[TARGETS_MAX];

static double now_s(void) { return (double)nd_port_mono_ms() / 1000.0; }

static int dial(const char *ip, int port, int timeout_ms)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, ip, &sa.sin_addr) != 1) return -1;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return -1;
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        int err = 0;
        socklen_t sl = sizeof err;
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        if (errno != EINPROGRESS || poll(&p, 1, timeout_ms) != 1 ||
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &sl) != 0 || err != 0) {
            close(fd);
            return -1;
        }
    }
    return fd;
}

/* One command on a fresh session: its JSON reply (caller frees), or NULL
** with why set (unreachable, refused, not JSON: the node's own words). */
static cJSON *ask(const target *t, const char *cmd, const char *pwd, int timeout_ms, char *why,
                  size_t whyn)
{
    int fd = dial(t->ip, t->port, DIAL_MS);
    if (fd < 0) {
        snprintf(why, whyn, "unreachable");
        return NULL;
    }
    cli_sess s;
    int g = cli_sess_greet(&s, fd, timeout_ms);
    if (g == ND_SHCLI_EV_ASKS_PASSWORD)
        g = pwd && cli_sess_login(&s, pwd) == ND_SHCLI_EV_AUTH_OK ? ND_SHCLI_EV_GREETED : -100;
    cJSON *j = NULL;
    if (g == -100) snprintf(why, whyn, "the node wants a password (--pwd or NODUS_PWD)");
    else if (g != ND_SHCLI_EV_GREETED) snprintf(why, whyn, g == ND_SHCLI_EV_BUSY ? "busy" : "no prompt");
    else if (cli_sess_cmd(&s, cmd) != ND_SHCLI_EV_REPLY) snprintf(why, whyn, "no reply");
    else if (!(j = cJSON_Parse(s.buf)) || !cJSON_IsObject(j)) {
        cJSON_Delete(j);
        j = NULL;
        s.buf[strcspn(s.buf, "\r\n")] = 0;
        snprintf(why, whyn, "%s", s.buf);
    }
    cli_sess_close(&s, g == ND_SHCLI_EV_GREETED);
    return j;
}

static const char *jstr(cJSON *j, const char *k)
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(j, k);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static void start_one(target *t, const char *url, bool force, const char *pwd)
{
    char cmd[1024], why[256];
    snprintf(cmd, sizeof cmd, "system update url='%s' force=%s >json", url, force ? "True" : "False");
    t->t0 = now_s();
    cJSON *j = ask(t, cmd, pwd, 10000, why, sizeof why);
    cJSON *id = j ? cJSON_GetObjectItemCaseSensitive(j, "id") : NULL;
    if (!cJSON_IsNumber(id)) {
        t->st = T_FAIL;
        snprintf(t->state, sizeof t->state, "refused");
        snprintf(t->note, sizeof t->note, "%s", j ? "no update id in the reply" : why);
    } else {
        t->st = T_WAIT;
        t->id = (unsigned long)id->valuedouble;
        snprintf(t->state, sizeof t->state, "%s", jstr(j, "state"));
    }
    cJSON_Delete(j);
}

static void poll_one(target *t, const char *pwd)
{
    char why[256];
    cJSON *j = ask(t, "system update_status >json", pwd, 3000, why, sizeof why);
    if (!j) {
        snprintf(t->state, sizeof t->state, "%.23s", strcmp(why, "unreachable") ? why : "restarting?");
        return;
    }
    cJSON *id = cJSON_GetObjectItemCaseSensitive(j, "id");
    const char *st = jstr(j, "state");
    if (cJSON_IsNumber(id) && (unsigned long)id->valuedouble == t->id) {
        snprintf(t->state, sizeof t->state, "%s", st);
        snprintf(t->version, sizeof t->version, "%s", jstr(j, "version"));
        if (!strcmp(st, "confirmed")) t->st = T_OK;
        if (!strcmp(st, "rolledback") || !strcmp(st, "failed")) {
            t->st = T_FAIL;
            snprintf(t->note, sizeof t->note, "%s", jstr(j, "error"));
        }
        if (t->st != T_WAIT) t->t1 = now_s();
    }
    cJSON_Delete(j);
}

/* Update targets [from, to) together; true when every one confirmed. */
static bool wave(int from, int to, const char *url, bool force, const char *pwd, int wait_s)
{
    for (int i = from; i < to; i++) start_one(&tg[i], url, force, pwd);
    double deadline = now_s() + wait_s;
    for (;;) {
        int waiting = 0;
        for (int i = from; i < to; i++) {
            if (tg[i].st != T_WAIT) continue;
            poll_one(&tg[i], pwd);
            if (tg[i].st == T_WAIT) waiting++;
        }
        if (!waiting) break;
        if (now_s() > deadline) {
            for (int i = from; i < to; i++)
                if (tg[i].st == T_WAIT) {
                    char last[sizeof tg[i].state];
                    memcpy(last, tg[i].state, sizeof last);
                    tg[i].st = T_FAIL;
                    tg[i].t1 = now_s();
                    snprintf(tg[i].note, sizeof tg[i].note, "no confirmation within %d s (last: %s)",
                             wait_s, last);
                }
            break;
        }
        usleep(POLL_MS * 1000);
    }
    bool all = true;
    for (int i = from; i < to; i++) {
        char addr[96];
        snprintf(addr, sizeof addr, "%s:%d", tg[i].ip, tg[i].port);
        printf("  %-16s %-21s %-11s %-10s %6.1f s  %s\n", tg[i].name, addr, tg[i].state,
               tg[i].version[0] ? tg[i].version : "-", tg[i].t1 - tg[i].t0, tg[i].note);
        all &= tg[i].st == T_OK;
    }
    fflush(stdout);
    return all;
}

/* A NAME, HOST or HOST:PORT given on the command line, as an IPv4 target. */
static int add_named(int k, const char *arg)
{
    char host[256];
    int port = 9008;
    const char *colon = strrchr(arg, ':');
    size_t hl = colon ? (size_t)(colon - arg) : strlen(arg);
    if (!hl || hl >= sizeof host) return -1;
    memcpy(host, arg, hl);
    host[hl] = 0;
    if (colon) port = atoi(colon + 1);
    if (port < 1 || port > 65535) return -1;
    nd_cli_resolve_name(host, sizeof host, &port, colon != NULL);
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res;
    if (getaddrinfo(host, NULL, &hints, &res) != 0) return -1;
    target *t = &tg[k];
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%.*s", (int)hl, arg);
    inet_ntop(AF_INET, &((struct sockaddr_in *)res->ai_addr)->sin_addr, t->ip, sizeof t->ip);
    t->port = port;
    freeaddrinfo(res);
    return 0;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: nodus update --url URL (--all | NAME[:PORT] ...) [--canary N] [--force]\n"
               "                    [--pwd PASSWORD] [--timeout S]\n");
}

int nd_cli_update(int argc, char **argv)
{
    const char *url = NULL, *pwd = getenv("NODUS_PWD");
    bool all = false, force = false;
    int canary = 1, wait_s = 300, n = 0;
    const char *names[TARGETS_MAX];
    int nnames = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--url") && v) url = argv[++i];
        else if (!strcmp(a, "--pwd") && v) pwd = argv[++i];
        else if (!strcmp(a, "--canary") && v) canary = atoi(argv[++i]);
        else if (!strcmp(a, "--timeout") && v) wait_s = atoi(argv[++i]);
        else if (!strcmp(a, "--all")) all = true;
        else if (!strcmp(a, "--force")) force = true;
        else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (a[0] != '-' && nnames < TARGETS_MAX) names[nnames++] = a;
        else {
            fprintf(stderr, "nodus update: unknown option '%s'\n", a);
            usage(stderr);
            return 1;
        }
    }
    if (!url || (all == (nnames > 0)) || canary < 0 || wait_s < 1) {
        usage(stderr);
        return 1;
    }
    if (strncmp(url, "http://", 7) != 0 || strpbrk(url, "'\\ ")) {
        fprintf(stderr, "nodus update: the url must be http://... without quotes, backslashes or spaces\n");
        return 1;
    }
    if (all) {
        static nd_cli_dev d[TARGETS_MAX];
        int k = nd_cli_cache_devices(d, TARGETS_MAX);
        for (int i = 0; i < k; i++) {
            target *t = &tg[n++];
            memset(t, 0, sizeof *t);
            snprintf(t->name, sizeof t->name, "%s", d[i].fuid[0] ? d[i].fuid : d[i].uid);
            snprintf(t->ip, sizeof t->ip, "%s", d[i].ip);
            t->port = d[i].port;
        }
        if (!n) {
            fprintf(stderr, "nodus update: no devices in the cache: run nodus search first\n");
            return 2;
        }
    } else {
        for (int i = 0; i < nnames; i++) {
            if (add_named(n, names[i]) != 0) {
                fprintf(stderr, "nodus update: cannot resolve '%s'\n", names[i]);
                return 2;
            }
            n++;
        }
    }
    if (canary > n) canary = n;
    if (canary > 0) {
        printf("canary: %d of %d node(s) get %s first\n", canary, n, url);
        fflush(stdout);
        if (!wave(0, canary, url, force, pwd, wait_s)) {
            printf("rollout stopped: a canary did not confirm the update; %d node(s) left untouched\n",
                   n - canary);
            return 4;
        }
    }
    if (canary < n) {
        printf("rollout: %d node(s)\n", n - canary);
        fflush(stdout);
        if (!wave(canary, n, url, force, pwd, wait_s)) {
            int bad = 0;
            for (int i = canary; i < n; i++) bad += tg[i].st != T_OK;
            printf("rollout finished with %d node(s) not updated\n", bad);
            return 4;
        }
    }
    printf("rollout done: %d node(s) confirmed\n", n);
    return 0;
}
