/*
** cli_fleet.c -- `nodus search`, `nodus status` and the device cache
** (cli_fleet.h).
**
** search asks the link for _nodus._tcp over mDNS with one-shot queries
** (cli_mdns.c), and with --scan also knocks on a port
** of every address of a CIDR block: non-blocking connects, at most --conc in
** flight and at most --rate started per second, each open port then asked
** `hello` as micrOS's devToolKit does (docs/micros-compat.md §10.4).
**
** status probes every cached device in parallel (connect only), then opens
** one session per online device for hello, version and the conf flags
** (docs/micros-compat.md §10.5).
**
** Every session is a cli_sess (the shared ShellCli client). Like cli.c
** this is a client program: it may block, with timeouts.
*/
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli_fleet.h"
#include "cli_mdns.h"
#include "cli_sess.h"
#include "nodus/port.h"

#define FLEET_MAX 256        /* devices in the cache / found in one search */
#define SCAN_HOSTS_MAX 65536 /* --scan refuses blocks larger than a /16 */
#define DEF_PORT 9008

typedef struct {
    char uid[64], fuid[64], ip[64];
    int port;
    char version[32];
} dev;

static long long now_ms(void)
{
    return (long long)nd_port_mono_ms();
}

static double now_msf(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* ---- the device cache -------------------------------------------------- */
static int cache_path(char *buf, size_t n, bool mkdirs)
{
    const char *e = getenv("NODUS_DEVICE_CACHE");
    const char *x = getenv("XDG_STATE_HOME"), *h = getenv("HOME");
    int w;
    if (e && *e) w = snprintf(buf, n, "%s", e);
    else if (x && *x) w = snprintf(buf, n, "%s/nodus/device_conn_cache.json", x);
    else if (h && *h) w = snprintf(buf, n, "%s/.local/state/nodus/device_conn_cache.json", h);
    else return -1;
    if (w < 0 || (size_t)w >= n) return -1;
    char *slash = strrchr(buf, '/');
    if (mkdirs && slash && slash != buf) { /* mkdir -p of the directory */
        *slash = 0;
        for (char *p = buf + 1;; p++) {
            if (*p == '/' || !*p) {
                char c = *p;
                *p = 0;
                mkdir(buf, 0700);
                *p = c;
                if (!c) break;
            }
        }
        *slash = '/';
    }
    return 0;
}

/* Load the cache; a missing file is an empty fleet, a broken one is said. */
static int cache_load(dev *d, int max)
{
    char path[4096];
    if (cache_path(path, sizeof path, false) != 0) return 0;
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    static char text[1 << 20];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = 0;
    cJSON *root = cJSON_Parse(text);
    if (!cJSON_IsObject(root)) {
        fprintf(stderr, "nodus: %s is not a device cache (ignored)\n", path);
        cJSON_Delete(root);
        return 0;
    }
    int cnt = 0;
    for (cJSON *e = root->child; e && cnt < max; e = e->next) {
        cJSON *ip = cJSON_GetArrayItem(e, 0), *port = cJSON_GetArrayItem(e, 1),
              *fuid = cJSON_GetArrayItem(e, 2);
        if (!e->string || !cJSON_IsString(ip) || !cJSON_IsNumber(port) || !cJSON_IsString(fuid))
            continue;
        dev *o = &d[cnt++];
        memset(o, 0, sizeof *o);
        snprintf(o->uid, sizeof o->uid, "%s", e->string);
        snprintf(o->ip, sizeof o->ip, "%s", ip->valuestring);
        snprintf(o->fuid, sizeof o->fuid, "%s", fuid->valuestring);
        o->port = port->valueint;
    }
    cJSON_Delete(root);
    return cnt;
}

int nd_cli_cache_devices(nd_cli_dev *out, int max)
{
    static dev d[FLEET_MAX];
    int n = 0, loaded = cache_load(d, FLEET_MAX);
    for (int i = 0; i < loaded && n < max; i++) {
        if (!strncmp(d[i].uid, "__", 2)) continue; /* micrOS's placeholders */
        nd_cli_dev *o = &out[n++];
        snprintf(o->uid, sizeof o->uid, "%.63s", d[i].uid);
        snprintf(o->fuid, sizeof o->fuid, "%.63s", d[i].fuid);
        snprintf(o->ip, sizeof o->ip, "%.63s", d[i].ip);
        o->port = d[i].port;
    }
    return n;
}

/* Merge found devices into the cache (by uid) and write it atomically. */
static int cache_store(const dev *found, int nfound)
{
    static dev all[FLEET_MAX];
    int n = cache_load(all, FLEET_MAX);
    static const dev defaults[2] = {{"__devuid__", "__device_on_AP__", "192.168.4.1", DEF_PORT, ""},
                                    {"__localhost__", "__simulator__", "127.0.0.1", DEF_PORT, ""}};
    const dev *srcs[2] = {defaults, found};
    int counts[2] = {2, nfound};
    for (int s = 0; s < 2; s++)
        for (int i = 0; i < counts[s]; i++) {
            const dev *f = &srcs[s][i];
            int k = 0;
            while (k < n && strcmp(all[k].uid, f->uid)) k++;
            if (k == n) {
                if (n == FLEET_MAX) continue;
                n++;
            } else if (s == 0) {
                continue; /* never overwrite a placeholder the user edited */
            }
            all[k] = *f;
        }
    cJSON *root = cJSON_CreateObject();
    for (int i = 0; i < n; i++) {
        cJSON *arr = cJSON_CreateArray();
        cJSON_AddItemToArray(arr, cJSON_CreateString(all[i].ip));
        cJSON_AddItemToArray(arr, cJSON_CreateNumber(all[i].port));
        cJSON_AddItemToArray(arr, cJSON_CreateString(all[i].fuid));
        cJSON_AddItemToObject(root, all[i].uid, arr);
    }
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    char path[4096], tmp[4200];
    int rc = -1;
    if (text && cache_path(path, sizeof path, true) == 0) {
        snprintf(tmp, sizeof tmp, "%s.tmp", path);
        FILE *f = fopen(tmp, "wb");
        if (f && fputs(text, f) >= 0 && fputc('\n', f) != EOF && fflush(f) == 0 &&
            fsync(fileno(f)) == 0) {
            fclose(f);
            rc = rename(tmp, path);
        } else if (f) {
            fclose(f);
        }
        if (rc != 0) fprintf(stderr, "nodus: cannot write %s: %s\n", path, strerror(errno));
    }
    free(text);
    return rc;
}

/* ---- mDNS browse ------------------------------------------------------- */
typedef struct {
    dev *out;
    int n, max;
} browse_acc;

/* An instance heard: a device, once per uid. */
static void on_found(void *ud, const nd_mdnsq_inst *in, const char *ip)
{
    browse_acc *b = ud;
    dev d;
    memset(&d, 0, sizeof d);
    d.port = in->port ? in->port : DEF_PORT;
    snprintf(d.ip, sizeof d.ip, "%s", ip);
    snprintf(d.uid, sizeof d.uid, "%s", in->hwuid[0] ? in->hwuid : in->label);
    snprintf(d.fuid, sizeof d.fuid, "%s", in->devfid[0] ? in->devfid : in->label);
    snprintf(d.version, sizeof d.version, "%s", in->version);
    int k = 0;
    while (k < b->n && strcmp(b->out[k].uid, d.uid)) k++;
    if (k == b->n && b->n < b->max) b->out[b->n++] = d;
}

/* Browse _nodus._tcp: every instance with its SRV port, TXT and address. */
static int mdns_browse(dev *out, int max, int timeout_ms)
{
    browse_acc b = {out, 0, max};
    cli_mdns_browse("_nodus._tcp.local", timeout_ms, on_found, &b);
    return b.n;
}

/* ---- sessions ---------------------------------------------------------- */
/* Greeting and, when the node asks, the password: NULL when ready, else
** what went wrong, for the status table. */
static const char *sess_open(cli_sess *s, int fd, int timeout_ms, const char *pwd)
{
    int g = cli_sess_greet(s, fd, timeout_ms);
    if (g == ND_SHCLI_EV_GREETED) return NULL;
    if (g == ND_SHCLI_EV_ASKS_PASSWORD)
        return pwd && cli_sess_login(s, pwd) == ND_SHCLI_EV_AUTH_OK ? NULL : "auth needed";
    return g == ND_SHCLI_EV_BUSY ? "busy" : "no prompt";
}

/* A command whose reply is one line: that line in s->buf; 0 ok, else -1. */
static int sess_cmd(cli_sess *s, const char *cmd)
{
    if (cli_sess_cmd(s, cmd) != ND_SHCLI_EV_REPLY) return -1;
    s->buf[strcspn(s->buf, "\r\n")] = 0;
    return 0;
}

/* Non-blocking connect; the socket (still connecting) or -1. */
static int dial_start(const char *ip, int port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, ip, &sa.sin_addr) != 1) return -1;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0 && errno != EINPROGRESS) {
        close(fd);
        return -1;
    }
    return fd;
}

static bool dial_done(int fd)
{
    int err = 0;
    socklen_t sl = sizeof err;
    return getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &sl) == 0 && err == 0;
}

/* ---- search ------------------------------------------------------------ */
static int parse_cidr(const char *s, uint32_t *first, uint32_t *count)
{
    char ip[32];
    const char *slash = strchr(s, '/');
    size_t l = slash ? (size_t)(slash - s) : strlen(s);
    if (l >= sizeof ip) return -1;
    memcpy(ip, s, l);
    ip[l] = 0;
    struct in_addr a;
    if (inet_pton(AF_INET, ip, &a) != 1) return -1;
    int bits = slash ? atoi(slash + 1) : 32;
    if (bits < 16 || bits > 32) return -2;
    uint32_t base = ntohl(a.s_addr), mask = bits == 32 ? 0xffffffffu : ~(0xffffffffu >> bits);
    base &= mask;
    uint32_t size = bits == 32 ? 1 : (0xffffffffu >> bits) + 1;
    if (size > 2) { /* skip network and broadcast addresses */
        *first = base + 1;
        *count = size - 2;
    } else {
        *first = base;
        *count = size;
    }
    return 0;
}

/* hello on an open port (fd, closed here): fills fuid/uid. */
static int ask_hello(dev *d, int fd, int timeout_ms)
{
    cli_sess s;
    int rc = -1;
    char *p;
    if (!sess_open(&s, fd, timeout_ms, getenv("NODUS_PWD")) && sess_cmd(&s, "hello") == 0 &&
        (p = strstr(s.buf, "hello:")) != NULL) {
        char *f1 = p + 6, *f2 = strchr(f1, ':');
        if (f2) {
            *f2++ = 0;
            char *f3 = strchr(f2, ':');
            if (f3) *f3 = 0;
            snprintf(d->fuid, sizeof d->fuid, "%s", f1);
            snprintf(d->uid, sizeof d->uid, "%s", f2);
            rc = 0;
        }
    }
    cli_sess_close(&s, rc == 0);
    return rc;
}

static int scan(const char *cidr, int port, int conc, int rate, int timeout_ms, dev *out, int max)
{
    uint32_t first, count;
    int pr = parse_cidr(cidr, &first, &count);
    if (pr == -2) {
        fprintf(stderr, "nodus: --scan takes a block of at most /16 (65534 hosts)\n");
        return -1;
    }
    if (pr != 0) {
        fprintf(stderr, "nodus: --scan wants CIDR like 192.168.1.0/24\n");
        return -1;
    }
    struct slot {
        int fd;
        uint32_t ip;
        long long deadline;
    } *slots = calloc((size_t)conc, sizeof *slots);
    struct pollfd *pfd = calloc((size_t)conc, sizeof *pfd);
    if (!slots || !pfd) {
        free(slots);
        free(pfd);
        return -1;
    }
    for (int i = 0; i < conc; i++) slots[i].fd = -1;
    uint32_t next = 0;
    int active = 0, n = 0;
    long long t0 = now_ms();
    while (next < count || active) {
        long long now = now_ms();
        /* start connects: the rate is an average since the start */
        for (int i = 0; i < conc && next < count; i++) {
            if (slots[i].fd >= 0) continue;
            if ((long long)next * 1000 > (now - t0) * rate) break;
            char ip[16];
            struct in_addr a = {.s_addr = htonl(first + next)};
            inet_ntop(AF_INET, &a, ip, sizeof ip);
            slots[i].ip = first + next++;
            slots[i].fd = dial_start(ip, port);
            slots[i].deadline = now + timeout_ms;
            if (slots[i].fd >= 0) active++;
        }
        int np = 0;
        for (int i = 0; i < conc; i++) {
            pfd[i].fd = slots[i].fd;
            pfd[i].events = POLLOUT;
            pfd[i].revents = 0;
            if (slots[i].fd >= 0) np++;
        }
        int wait = 20;
        if (!np && next >= count) break;
        poll(pfd, (nfds_t)conc, wait);
        now = now_ms();
        for (int i = 0; i < conc; i++) {
            if (slots[i].fd < 0) continue;
            bool ready = pfd[i].revents != 0, late = now >= slots[i].deadline;
            if (!ready && !late) continue;
            if (ready && dial_done(slots[i].fd) && n < max) {
                dev d;
                memset(&d, 0, sizeof d);
                struct in_addr a = {.s_addr = htonl(slots[i].ip)};
                inet_ntop(AF_INET, &a, d.ip, sizeof d.ip);
                d.port = port;
                /* a ShellCli answers hello; anything else on the port is not ours */
                if (ask_hello(&d, slots[i].fd, 2000) == 0) out[n++] = d;
            } else {
                close(slots[i].fd);
            }
            slots[i].fd = -1;
            active--;
        }
    }
    free(slots);
    free(pfd);
    return n;
}

static int int_opt(const char *v, int lo, int hi, int *out, const char *name)
{
    char *end;
    long x = strtol(v, &end, 10);
    if (*end || x < lo || x > hi) {
        fprintf(stderr, "nodus: %s wants a number in %d..%d\n", name, lo, hi);
        return -1;
    }
    *out = (int)x;
    return 0;
}

static int secs_opt(const char *v, int *ms)
{
    char *end;
    double s = strtod(v, &end);
    if (*end || s <= 0 || s > 3600) {
        fprintf(stderr, "nodus: --timeout wants seconds (0 < s <= 3600)\n");
        return -1;
    }
    *ms = (int)(s * 1000);
    return 0;
}

int nd_cli_search(int argc, char **argv)
{
    int timeout_ms = 2000, port = DEF_PORT, conc = 64, rate = 200;
    const char *cidr = NULL;
    bool save = true;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--timeout") && v) {
            if (secs_opt(argv[++i], &timeout_ms)) return 1;
        } else if (!strcmp(a, "--scan") && v) {
            cidr = argv[++i];
        } else if (!strcmp(a, "--port") && v) {
            if (int_opt(argv[++i], 1, 65535, &port, "--port")) return 1;
        } else if (!strcmp(a, "--conc") && v) {
            if (int_opt(argv[++i], 1, 512, &conc, "--conc")) return 1;
        } else if (!strcmp(a, "--rate") && v) {
            if (int_opt(argv[++i], 1, 10000, &rate, "--rate")) return 1;
        } else if (!strcmp(a, "--no-save")) {
            save = false;
        } else {
            fprintf(stderr, "usage: nodus search [--timeout S] [--scan CIDR [--port P] "
                            "[--conc N] [--rate N/s]] [--no-save]\n");
            return 1;
        }
    }
    static dev found[FLEET_MAX];
    int n = mdns_browse(found, FLEET_MAX, timeout_ms);
    if (cidr) {
        static dev scanned[FLEET_MAX];
        int s = scan(cidr, port, conc, rate, timeout_ms < 1000 ? timeout_ms : 1000, scanned,
                     FLEET_MAX);
        if (s < 0) return 1;
        for (int i = 0; i < s; i++) {
            int k = 0;
            while (k < n && strcmp(found[k].uid, scanned[i].uid)) k++;
            if (k == n && n < FLEET_MAX) found[n++] = scanned[i];
        }
    }
    printf("%-22s %-20s %-22s %s\n", "UID", "NAME", "ADDRESS", "VERSION");
    for (int i = 0; i < n; i++) {
        char addr[80];
        snprintf(addr, sizeof addr, "%s:%d", found[i].ip, found[i].port);
        printf("%-22s %-20s %-22s %s\n", found[i].uid, found[i].fuid, addr,
               found[i].version[0] ? found[i].version : "-");
    }
    printf("%d device(s) found\n", n);
    if (save && n) {
        char path[4096];
        if (cache_store(found, n) == 0 && cache_path(path, sizeof path, false) == 0)
            printf("saved in %s\n", path);
    }
    return 0;
}

/* ---- status ------------------------------------------------------------ */
typedef struct {
    int fd;
    bool online;
    char mode[8], version[32], web[6], cron[6], timirq[6], irq[6], note[24];
    double hello_ms;
} row;

static const char *flag(const char *reply)
{
    return !strcmp(reply, "True") ? "ON" : !strcmp(reply, "False") ? "off" : "?";
}

/* One session on the connected r->fd (closed here): the row's columns. */
static void status_one(row *r, int timeout_ms, const char *pwd)
{
    cli_sess s;
    const char *why = sess_open(&s, r->fd, timeout_ms, pwd);
    r->fd = -1;
    if (why) {
        snprintf(r->note, sizeof r->note, "%s", why);
        cli_sess_close(&s, false);
        return;
    }
    double t0 = now_msf();
    if (sess_cmd(&s, "hello") != 0) {
        cli_sess_close(&s, false);
        return;
    }
    r->hello_ms = now_msf() - t0;
    char *f = strrchr(s.buf, ':');
    if (f && strstr(s.buf, "hello:")) snprintf(r->mode, sizeof r->mode, "%s", f + 1);
    if (sess_cmd(&s, "version") == 0) snprintf(r->version, sizeof r->version, "%.31s", s.buf);
    if (sess_cmd(&s, "conf") == 0) {
        struct {
            const char *key;
            char *out;
        } q[] = {{"webui", r->web}, {"cron", r->cron}, {"timirq", r->timirq}};
        for (size_t i = 0; i < sizeof q / sizeof q[0]; i++)
            if (sess_cmd(&s, q[i].key) == 0) snprintf(q[i].out, 6, "%s", flag(s.buf));
        snprintf(r->irq, sizeof r->irq, "off");
        for (int i = 1; i <= 4; i++) { /* IRQ: ON when any of irq1..irq4 is */
            char key[8];
            snprintf(key, sizeof key, "irq%d", i);
            if (sess_cmd(&s, key) == 0 && !strcmp(s.buf, "True"))
                snprintf(r->irq, sizeof r->irq, "ON");
        }
        sess_cmd(&s, "noconf");
    }
    cli_sess_close(&s, true);
}

int nd_cli_status(int argc, char **argv)
{
    int timeout_ms = 2000;
    bool all = false;
    const char *pwd = getenv("NODUS_PWD");
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
            if (secs_opt(argv[++i], &timeout_ms)) return 1;
        } else if (!strcmp(argv[i], "--pwd") && i + 1 < argc) {
            pwd = argv[++i];
        } else if (!strcmp(argv[i], "--all")) {
            all = true;
        } else {
            fprintf(stderr, "usage: nodus status [--timeout S] [--pwd PASSWORD] [--all]\n");
            return 1;
        }
    }
    static dev d[FLEET_MAX];
    static row r[FLEET_MAX];
    int n = 0, loaded = cache_load(d, FLEET_MAX);
    for (int i = 0; i < loaded; i++) /* micrOS's placeholders only with --all */
        if (all || strncmp(d[i].uid, "__", 2)) d[n++] = d[i];
    if (!n) {
        char path[4096] = "";
        cache_path(path, sizeof path, false);
        fprintf(stderr, "nodus: no devices in %s: run nodus search first\n", path);
        return 2;
    }
    /* phase 1: connect to all at once, so offline devices cost one timeout */
    struct pollfd pf[FLEET_MAX];
    for (int i = 0; i < n; i++) {
        memset(&r[i], 0, sizeof r[i]);
        r[i].fd = dial_start(d[i].ip, d[i].port);
        pf[i].fd = r[i].fd;
        pf[i].events = POLLOUT;
    }
    long long deadline = now_ms() + timeout_ms;
    int pending = 0;
    for (int i = 0; i < n; i++) pending += r[i].fd >= 0;
    while (pending && now_ms() < deadline) {
        if (poll(pf, (nfds_t)n, (int)(deadline - now_ms())) <= 0) break;
        for (int i = 0; i < n; i++) {
            if (pf[i].fd < 0 || !pf[i].revents) continue;
            r[i].online = dial_done(r[i].fd);
            pf[i].fd = -1;
            pending--;
        }
    }
    /* phase 2: one session per online device */
    printf("%-20s %-16s %-21s %-7s %-9s %-4s %8s  %-5s %-5s %-6s %-5s\n", "UID", "NAME",
           "ADDRESS", "STATUS", "VERSION", "MODE", "HELLO ms", "WEBUI", "CRON", "TIMIRQ", "IRQ");
    int online = 0;
    for (int i = 0; i < n; i++) {
        if (r[i].online) status_one(&r[i], timeout_ms, pwd);
        if (r[i].fd >= 0) close(r[i].fd);
        online += r[i].online;
        char addr[80], lat[16] = "-";
        snprintf(addr, sizeof addr, "%s:%d", d[i].ip, d[i].port);
        /* microsecond resolution: a loopback or LAN round trip is well
        ** under 0.1 ms and must not print as 0.0 */
        if (r[i].hello_ms > 0) snprintf(lat, sizeof lat, "%.3f", r[i].hello_ms);
#define OR(x) ((x)[0] ? (x) : "-")
        printf("%-20s %-16s %-21s %-7s %-9s %-4s %8s  %-5s %-5s %-6s %-5s%s%s\n", d[i].uid,
               d[i].fuid, addr, r[i].online ? "ONLINE" : "OFFLINE", OR(r[i].version),
               OR(r[i].mode), lat, OR(r[i].web), OR(r[i].cron), OR(r[i].timirq), OR(r[i].irq),
               r[i].note[0] ? "  " : "", r[i].note);
#undef OR
    }
    printf("%d of %d online\n", online, n);
    return 0;
}

/* ---- names for exec/connect -------------------------------------------- */
static bool is_literal(const char *h)
{
    unsigned char b[16];
    return inet_pton(AF_INET, h, b) == 1 || inet_pton(AF_INET6, h, b) == 1;
}

static int from_cache(const char *name, size_t len, char *host, size_t hostn, int *port,
                      bool port_given)
{
    static dev d[FLEET_MAX];
    int n = cache_load(d, FLEET_MAX);
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < n; i++) {
            const char *key = pass ? d[i].uid : d[i].fuid;
            if (strlen(key) != len || strncasecmp(key, name, len)) continue;
            snprintf(host, hostn, "%s", d[i].ip);
            if (!port_given) *port = d[i].port;
            return 0;
        }
    return -1;
}

int nd_cli_resolve_name(char *host, size_t hostn, int *port, bool port_given)
{
    if (is_literal(host)) return -1;
    size_t len = strlen(host);
    if (!strchr(host, '.')) return from_cache(host, len, host, hostn, port, port_given);
    if (len > 6 && !strcasecmp(host + len - 6, ".local")) {
        char ip[16];
        if (cli_mdns_resolve(host, ip, 1500) == 0) {
            snprintf(host, hostn, "%s", ip);
            return 0;
        }
        return from_cache(host, strcspn(host, "."), host, hostn, port, port_given);
    }
    return -1;
}
