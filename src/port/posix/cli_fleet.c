/*
** cli_fleet.c -- `nodus search`, `nodus status` and the device cache
** (cli_fleet.h).
**
** search asks the link for _nodus._tcp over mDNS with one-shot queries
** (RFC 6762 5.1: from an ephemeral port, so responders answer us directly
** and nothing needs port 5353 here), and with --scan also knocks on a port
** of every address of a CIDR block: non-blocking connects, at most --conc in
** flight and at most --rate started per second, each open port then asked
** `hello` as micrOS's devToolKit does (micros-compat 10.4).
**
** status probes every cached device in parallel (connect only), then opens
** one session per online device for hello, version and the conf flags
** (micros-compat 10.5).
**
** Like cli.c this is a client program: it may block, with timeouts.
*/
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
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
#include "dns.h"
#include "nodus/value.h"

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
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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

/* ---- one-shot mDNS ----------------------------------------------------- */
/* Send one query on every multicast-capable IPv4 link (or the default one). */
static void mdns_send(int fd, const char *name, uint16_t type)
{
    uint8_t buf[512];
    nd_dns_w w;
    nd_dns_w_init(&w, buf, sizeof buf, (uint16_t)(now_ms() & 0xffff), 0);
    nd_dns_w_question(&w, name, type, ND_DNS_IN);
    size_t len = nd_dns_w_finish(&w);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(5353)};
    inet_pton(AF_INET, "224.0.0.251", &to.sin_addr);
    struct ifaddrs *list, *ifa;
    int sent = 0;
    if (getifaddrs(&list) == 0) {
        for (ifa = list; ifa; ifa = ifa->ifa_next) {
            if (!ifa->ifa_addr || ifa->ifa_addr->sa_family != AF_INET) continue;
            if (!(ifa->ifa_flags & IFF_UP) || !(ifa->ifa_flags & IFF_MULTICAST)) continue;
            struct ip_mreqn mr = {.imr_ifindex = (int)if_nametoindex(ifa->ifa_name)};
            setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof mr);
            if (sendto(fd, buf, len, 0, (struct sockaddr *)&to, sizeof to) > 0) sent++;
        }
        freeifaddrs(list);
    }
    if (!sent) (void)!sendto(fd, buf, len, 0, (struct sockaddr *)&to, sizeof to);
}

static int mdns_socket(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    unsigned char ttl = 255;
    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl);
    return fd;
}

/* Wait up to ms for one datagram; its length, 0 on timeout. */
static int mdns_recv(int fd, uint8_t *buf, size_t cap, long long deadline, char *from, size_t fn)
{
    long long left = deadline - now_ms();
    if (left <= 0) return 0;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, (int)left) <= 0) return 0;
    struct sockaddr_in sa;
    socklen_t sl = sizeof sa;
    ssize_t r = recvfrom(fd, buf, cap, 0, (struct sockaddr *)&sa, &sl);
    if (r <= 0) return r < 0 && errno == EINTR ? -1 : 0;
    inet_ntop(AF_INET, &sa.sin_addr, from, (socklen_t)fn);
    return (int)r;
}

/* NAME.local -> IPv4 over mDNS, within timeout_ms. */
static int mdns_resolve(const char *name, char ip[64], int timeout_ms)
{
    int fd = mdns_socket();
    if (fd < 0) return -1;
    long long deadline = now_ms() + timeout_ms, resend = now_ms() + 300;
    mdns_send(fd, name, ND_DNS_A);
    int rc = -1;
    static uint8_t buf[9000];
    while (rc != 0 && now_ms() < deadline) {
        char from[64];
        int n = mdns_recv(fd, buf, sizeof buf, resend < deadline ? resend : deadline, from,
                          sizeof from);
        if (n == 0 && now_ms() >= resend) { /* one retry: a lost datagram is common */
            mdns_send(fd, name, ND_DNS_A);
            resend = deadline;
            continue;
        }
        nd_dns_msg m;
        if (n <= 0 || nd_dns_parse(buf, (size_t)n, &m) != ND_OK || !(m.flags & ND_DNS_QR)) continue;
        for (int i = 0; i < m.nan + m.nns + m.nar; i++) {
            const nd_dns_rr *r = &m.rr[i];
            if (r->type == ND_DNS_A && r->ttl && nd_dns_name_eq(buf, (size_t)n, r->name, name)) {
                inet_ntop(AF_INET, buf + r->rdata, ip, 64);
                rc = 0;
                break;
            }
        }
    }
    close(fd);
    return rc;
}

/* Browse _nodus._tcp: every instance with its SRV port, TXT and address. */
static int mdns_browse(dev *out, int max, int timeout_ms)
{
    int fd = mdns_socket();
    if (fd < 0) return 0;
    static const char svc[] = "_nodus._tcp.local";
    long long deadline = now_ms() + timeout_ms, resend = now_ms() + 1000;
    mdns_send(fd, svc, ND_DNS_PTR);
    static uint8_t buf[9000];
    int n = 0;
    for (;;) {
        char from[64] = "";
        int len = mdns_recv(fd, buf, sizeof buf, resend < deadline ? resend : deadline, from,
                            sizeof from);
        if (now_ms() >= deadline) break;
        if (len == 0 && now_ms() >= resend) {
            mdns_send(fd, svc, ND_DNS_PTR);
            resend = deadline;
            continue;
        }
        nd_dns_msg m;
        if (len <= 0 || nd_dns_parse(buf, (size_t)len, &m) != ND_OK || !(m.flags & ND_DNS_QR))
            continue;
        /* one responder's packet carries PTR + SRV + TXT + A (additionals) */
        for (int i = 0; i < m.nan + m.nns + m.nar; i++) {
            const nd_dns_rr *r = &m.rr[i];
            if (r->type != ND_DNS_PTR || !nd_dns_name_eq(buf, (size_t)len, r->name, svc)) continue;
            dev d;
            memset(&d, 0, sizeof d);
            d.port = DEF_PORT;
            snprintf(d.ip, sizeof d.ip, "%s", from);
            char inst[ND_DNS_TEXT_MAX];
            if (nd_dns_name_text(buf, (size_t)len, r->rdata, inst, sizeof inst) < 0) continue;
            char *dot = strchr(inst, '.');
            if (dot) *dot = 0;
            snprintf(d.fuid, sizeof d.fuid, "%.63s", inst);
            for (int k = 0; k < m.nan + m.nns + m.nar; k++) {
                const nd_dns_rr *s = &m.rr[k];
                if (!nd_dns_names_eq(buf, (size_t)len, s->name, buf, (size_t)len, r->rdata))
                    continue;
                if (s->type == ND_DNS_SRV) d.port = buf[s->rdata + 4] << 8 | buf[s->rdata + 5];
                if (s->type != ND_DNS_TXT) continue;
                for (size_t o = s->rdata; o < (size_t)s->rdata + s->rdlen;) {
                    size_t l = buf[o++];
                    if (o + l > (size_t)s->rdata + s->rdlen) break;
                    char kv[256];
                    memcpy(kv, buf + o, l);
                    kv[l] = 0;
                    o += l;
                    if (!strncmp(kv, "hwuid=", 6)) snprintf(d.uid, sizeof d.uid, "%.63s", kv + 6);
                    if (!strncmp(kv, "devfid=", 7))
                        snprintf(d.fuid, sizeof d.fuid, "%.63s", kv + 7);
                    if (!strncmp(kv, "version=", 8))
                        snprintf(d.version, sizeof d.version, "%.31s", kv + 8);
                }
            }
            if (!d.uid[0]) snprintf(d.uid, sizeof d.uid, "%.63s", inst);
            int k = 0;
            while (k < n && strcmp(out[k].uid, d.uid)) k++;
            if (k == n && n < max) out[n++] = d;
        }
    }
    close(fd);
    return n;
}

/* ---- a small ShellCli session ------------------------------------------ */
typedef struct {
    int fd;
    int timeout_ms;
    char buf[65536];
    size_t len;
} sess;

/* Read up to a prompt (" $ " after the last newline); 0 ok, -1 otherwise. */
static int sess_read(sess *s)
{
    s->len = 0;
    long long deadline = now_ms() + s->timeout_ms;
    for (;;) {
        long long left = deadline - now_ms();
        struct pollfd p = {.fd = s->fd, .events = POLLIN};
        if (left <= 0 || poll(&p, 1, (int)left) <= 0) return -1;
        ssize_t r = recv(s->fd, s->buf + s->len, sizeof s->buf - 1 - s->len, 0);
        if (r <= 0) return -1;
        s->len += (size_t)r;
        s->buf[s->len] = 0;
        if (s->len >= 3 && !memcmp(s->buf + s->len - 3, " $ ", 3)) {
            char *nl = memrchr(s->buf, '\n', s->len);
            s->len = nl ? (size_t)(nl - s->buf) + 1 : 0; /* keep the reply, drop the prompt */
            s->buf[s->len] = 0;
            return 0;
        }
        if (s->len >= sizeof s->buf - 1) return -1;
    }
}

static int sess_cmd(sess *s, const char *cmd)
{
    char line[256];
    int n = snprintf(line, sizeof line, "%s\n", cmd);
    if (send(s->fd, line, (size_t)n, MSG_NOSIGNAL) != n) return -1;
    if (sess_read(s) != 0) return -1;
    s->buf[strcspn(s->buf, "\r\n")] = 0; /* one-line replies are all we ask for */
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

/* Greeting on a connected socket: 0 plain prompt, 1 the node asks for a
** password ([password] prompt), -1 no prompt in time (busy text in buf). */
static int sess_greet(sess *s, int fd, int timeout_ms)
{
    s->fd = fd;
    s->timeout_ms = timeout_ms;
    s->len = 0;
    s->buf[0] = 0;
    int fl = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    long long deadline = now_ms() + timeout_ms;
    /* read raw: the prompt itself tells whether a password is wanted */
    while (!(s->len >= 3 && !memcmp(s->buf + s->len - 3, " $ ", 3))) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        long long left = deadline - now_ms();
        ssize_t k;
        if (left <= 0 || poll(&p, 1, (int)left) <= 0 ||
            (k = recv(fd, s->buf + s->len, sizeof s->buf - 1 - s->len, 0)) <= 0)
            return -1;
        s->len += (size_t)k;
        s->buf[s->len] = 0;
    }
    return strstr(s->buf, "[password] ") ? 1 : 0;
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

/* hello on an open port: fills fuid/uid. */
static int ask_hello(dev *d, int fd, int timeout_ms)
{
    static sess s;
    const char *pwd = getenv("NODUS_PWD");
    int g = sess_greet(&s, fd, timeout_ms);
    if (g < 0 || (g == 1 && (!pwd || sess_cmd(&s, pwd) != 0 || !strstr(s.buf, "AuthOk"))))
        return -1;
    if (sess_cmd(&s, "hello") != 0) return -1;
    char *p = strstr(s.buf, "hello:");
    if (!p) return -1;
    char *f1 = p + 6, *f2 = strchr(f1, ':');
    if (!f2) return -1;
    *f2++ = 0;
    char *f3 = strchr(f2, ':');
    if (f3) *f3 = 0;
    snprintf(d->fuid, sizeof d->fuid, "%s", f1);
    snprintf(d->uid, sizeof d->uid, "%s", f2);
    (void)!send(fd, "exit\n", 5, MSG_NOSIGNAL);
    return 0;
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
            }
            close(slots[i].fd);
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

static void status_one(const dev *d, row *r, int timeout_ms, const char *pwd)
{
    static sess s;
    int g = sess_greet(&s, r->fd, timeout_ms);
    if (g < 0) {
        snprintf(r->note, sizeof r->note, "%s", strstr(s.buf, "busy") ? "busy" : "no prompt");
        return;
    }
    if (g == 1 && (!pwd || sess_cmd(&s, pwd) != 0 || !strstr(s.buf, "AuthOk"))) {
        snprintf(r->note, sizeof r->note, "auth needed");
        return;
    }
    double t0 = now_msf();
    if (sess_cmd(&s, "hello") != 0) return;
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
    (void)!send(s.fd, "exit\n", 5, MSG_NOSIGNAL);
    (void)d;
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
        if (r[i].online) status_one(&d[i], &r[i], timeout_ms, pwd);
        if (r[i].fd >= 0) close(r[i].fd);
        online += r[i].online;
        char addr[80], lat[16] = "-";
        snprintf(addr, sizeof addr, "%s:%d", d[i].ip, d[i].port);
        if (r[i].hello_ms > 0) snprintf(lat, sizeof lat, "%.1f", r[i].hello_ms);
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
        char ip[64];
        if (mdns_resolve(host, ip, 1500) == 0) {
            snprintf(host, hostn, "%s", ip);
            return 0;
        }
        return from_cache(host, strcspn(host, "."), host, hostn, port, port_given);
    }
    return -1;
}
