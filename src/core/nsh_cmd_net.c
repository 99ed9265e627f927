/*
** nsh_cmd_net.c -- nsh's network commands: curl wget ping intercon.
**
** None blocks. curl and wget ride the node's HTTP client (http_client.c:
** resolver, non-blocking connect, idle timeout, size bound); its callbacks
** only fill the command's state and wake the command through a token, which
** is a no-op once the command was killed. ping uses the port's ICMP socket;
** intercon reuses InterCon's task (`cmd >>host`) and waits for its result.
** Limits: ND_CURL_OUT_MAX bytes of body held for a slow terminal (beyond it:
** use -o), ND_CURL_FILE_MAX bytes to a file, ND_CURL_REDIRECTS hops.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_client.h"
#include "intercon.h"
#include "node_int.h"
#include "nsh_cmds.h"
#include "resolve.h"
#include "task.h"

#include "nodus/opts.h" /* the limits; a port may override them */

/* ---- curl / wget ----------------------------------------------------------- */

typedef struct curlst {
    struct nd_node *node;
    uint32_t token;
    nd_fetch *f;
    bool wget;
    bool include, follow, fail_http;
    const char *method;
    char url[ND_FETCH_URL_MAX];
    char hdrs[ND_CURL_HDRS_MAX];
    const char *data;
    /* where the body goes */
    char file[ND_CMD_PATH_MAX]; /* "" = standard output */
    char tmp[ND_CMD_PATH_MAX + 16];
    bool tmp_made;
    nd_buf out;   /* body (and -i head) waiting for the reader */
    size_t outoff;
    /* progress */
    int status;
    bool done;
    int rc;
    char err[160];
    char location[ND_FETCH_URL_MAX];
    int hops;
    int file_rc;
    uint64_t written;
} curlst;

/* A callback stops the fetch (non-zero): the client calls nothing more, so
** the command learns the end here. */
static int curl_stop(curlst *st, int rc, const char *err)
{
    st->done = true;
    st->rc = rc;
    snprintf(st->err, sizeof st->err, "%s", err);
    nd_nsh_wake_by_token(st->node, st->token);
    return 1;
}

static bool prefix_ci(const char *s, const char *lit)
{
    for (; *lit; s++, lit++) {
        char c = *s >= 'A' && *s <= 'Z' ? (char)(*s - 'A' + 'a') : *s;
        if (c != *lit) return false;
    }
    return true;
}

static void curl_free(void *p)
{
    curlst *st = p;
    nd_fetch_free(st->f);
    if (st->tmp_made) { /* killed halfway: no partial file stays */
        bool was = nd_fs_nofollow(true);
        nd_fs_remove(st->tmp);
        nd_fs_nofollow(was);
    }
    nd_buf_free(&st->out);
    free(st);
}

/* Location of a 3xx head, made absolute against the current URL. */
static void find_location(curlst *st, const char *h, size_t n)
{
    st->location[0] = 0;
    for (size_t i = 0; i < n;) {
        const char *line = h + i;
        const char *nl = memchr(line, '\n', n - i);
        size_t len = nl ? (size_t)(nl - line) : n - i;
        i += len + 1;
        if (len > 9 && prefix_ci(line, "location:")) {
            const char *v = line + 9;
            size_t vl = len - 9;
            while (vl && (*v == ' ' || *v == '\t')) v++, vl--;
            while (vl && (v[vl - 1] == '\r' || v[vl - 1] == ' ')) vl--;
            if (vl >= sizeof st->location) return;
            if (v[0] == '/') { /* a path on the same server */
                nd_url u;
                char e[64];
                if (nd_url_parse(st->url, &u, e, sizeof e) != ND_OK) return;
                int k = snprintf(st->location, sizeof st->location, "http://%s:%d%.*s", u.host, u.port,
                                 (int)vl, v);
                if (k < 0 || (size_t)k >= sizeof st->location) st->location[0] = 0;
            } else {
                memcpy(st->location, v, vl);
                st->location[vl] = 0;
            }
            return;
        }
    }
}

static int curl_head(void *ud, bool known, uint64_t length)
{
    curlst *st = ud;
    (void)known, (void)length;
    st->status = nd_fetch_status(st->f);
    size_t hn = 0;
    const char *h = nd_fetch_head(st->f, &hn);
    if (st->follow && st->status >= 300 && st->status < 400 && h) {
        find_location(st, h, hn);
        if (st->location[0]) return curl_stop(st, ND_OK, ""); /* the command starts the next hop */
    }
    if (st->include && h) {
        nd_buf_put(&st->out, h, hn);
    }
    nd_nsh_wake_by_token(st->node, st->token);
    return 0;
}

static int curl_data(void *ud, const void *p, size_t n)
{
    curlst *st = ud;
    if (st->file[0]) {
        if (st->file_rc == ND_OK) { /* from the loop, outside nd_cmd_enter: no link followed here either */
            bool was = nd_fs_nofollow(true);
            st->file_rc = nd_fs_append(st->tmp, p, n);
            nd_fs_nofollow(was);
        }
        st->written += n;
        return st->file_rc != ND_OK ? curl_stop(st, st->file_rc, "cannot write the file") : 0;
    }
    nd_buf_put(&st->out, p, n);
    if (st->out.overflow) return curl_stop(st, ND_ELIMIT, "output too large"); /* reader far behind */
    nd_nsh_wake_by_token(st->node, st->token);
    return 0;
}

static void curl_done(void *ud, int rc, const char *err)
{
    curlst *st = ud;
    st->done = true;
    st->rc = rc;
    snprintf(st->err, sizeof st->err, "%s", err ? err : "");
    nd_nsh_wake_by_token(st->node, st->token);
}

static int curl_start(nd_nsh_io *io, curlst *st)
{
    static const nd_fetch_cb cb = {curl_head, curl_data, curl_done};
    nd_fetch_req rq = {.method = st->method,
                       .url = st->url,
                       .headers = st->hdrs,
                       .ctype = st->data ? "application/x-www-form-urlencoded" : NULL,
                       .body = st->data,
                       .bodyn = st->data ? strlen(st->data) : 0,
                       .any_status = true};
    nd_fetch_free(st->f);
    st->f = NULL;
    st->done = false;
    st->status = 0;
    st->location[0] = 0;
    char err[160];
    uint64_t max = st->file[0] ? ND_CURL_FILE_MAX : ND_CURL_OUT_MAX * 64;
    int rc = nd_fetch_request(st->node, &rq, ND_CURL_IDLE_MS, max, &cb, st, &st->f, err, sizeof err);
    if (rc != ND_OK) {
        nd_nsh_eprintf(io, "%s: %s\n", st->wget ? "wget" : "curl", err);
        return 1;
    }
    return 0;
}

static int curl_run(nd_nsh_io *io, curlst *st)
{
    const char *me = st->wget ? "wget" : "curl";
    while (st->outoff < st->out.n) { /* what arrived: to the reader as it drains */
        if (!nd_nsh_out_room(io)) return nd_cmd_wait_room(io);
        size_t k = st->out.n - st->outoff;
        if (k > ND_CMD_CHUNK) k = ND_CMD_CHUNK;
        nd_nsh_write(io, st->out.p + st->outoff, k);
        st->outoff += k;
    }
    if (st->out.n && st->outoff == st->out.n && !st->out.overflow) {
        nd_buf_clear(&st->out);
        st->outoff = 0;
    }
    if (st->location[0] && st->done) { /* -L: the next hop */
        if (++st->hops > ND_CURL_REDIRECTS) {
            nd_nsh_eprintf(io, "%s: more than %d redirects\n", me, ND_CURL_REDIRECTS);
            return 1;
        }
        snprintf(st->url, sizeof st->url, "%s", st->location);
        if (st->file[0]) {
            nd_fs_remove(st->tmp);
            st->file_rc = nd_fs_append(st->tmp, "", 0);
        }
        if (curl_start(io, st)) return 1;
        return ND_NSH_AGAIN;
    }
    if (!st->done) return ND_NSH_AGAIN; /* the fetch's callbacks wake us */
    if (st->out.overflow) {
        nd_nsh_eprintf(io, "%s: more than %d bytes waiting for the terminal; use -o FILE\n", me,
                       ND_CURL_OUT_MAX);
        return 1;
    }
    if (st->rc != ND_OK) {
        nd_nsh_eprintf(io, "%s: %s\n", me, st->err[0] ? st->err : "failed");
        return 1;
    }
    if ((st->fail_http || st->wget) && st->status >= 400) { /* no file from an error page */
        nd_nsh_eprintf(io, "%s: the server answered HTTP %d\n", me, st->status);
        return 1;
    }
    if (st->file[0]) {
        int rc = st->file_rc != ND_OK ? st->file_rc : nd_fs_rename(st->tmp, st->file);
        if (rc != ND_OK) {
            char shown[ND_CMD_PATH_MAX + 2];
            nd_nsh_eprintf(io, "%s: %s: %s\n", me, nd_cmd_shown(st->file, shown, sizeof shown),
                           nd_cmd_strerror(rc));
            return 1;
        }
        st->tmp_made = false;
    }
    return 0;
}

/* Where the body goes: -o FILE (not protected), through a temporary file. */
static int curl_target(nd_nsh_io *io, curlst *st, const char *arg)
{
    const char *me = st->wget ? "wget" : "curl";
    if (nd_cmd_path(io, me, arg, st->file, sizeof st->file)) return 1;
    nd_fs_info info;
    if (!strcmp(st->file, ".") || (nd_fs_stat(st->file, &info) == ND_OK && info.dir)) {
        nd_nsh_eprintf(io, "%s: %s: is a directory\n", me, arg);
        return 1;
    }
    if (nd_nsh_protected(st->node, st->file)) {
        nd_nsh_eprintf(io, "%s: %s: protected file, not overwritten\n", me, arg);
        return 1;
    }
    snprintf(st->tmp, sizeof st->tmp, "%s.nsh-dl", st->file);
    nd_fs_remove(st->tmp);
    st->file_rc = nd_fs_append(st->tmp, "", 0);
    if (st->file_rc != ND_OK) {
        nd_nsh_eprintf(io, "%s: %s: %s\n", me, arg, nd_cmd_strerror(st->file_rc));
        return 1;
    }
    st->tmp_made = true;
    return 0;
}

static curlst *curl_new(nd_nsh_io *io, bool wget)
{
    curlst *st = calloc(1, sizeof *st);
    if (!st) return NULL;
    st->node = nd_nsh_node(io);
    st->token = nd_nsh_wake_token(io);
    st->wget = wget;
    nd_buf_init(&st->out, ND_CURL_OUT_MAX);
    return st;
}

static int set_url(nd_nsh_io *io, curlst *st, const char *u)
{
    int k = strstr(u, "://") ? snprintf(st->url, sizeof st->url, "%s", u)
                             : snprintf(st->url, sizeof st->url, "http://%s", u);
    if (k < 0 || (size_t)k >= sizeof st->url) {
        nd_nsh_eprintf(io, "%s: URL too long\n", st->wget ? "wget" : "curl");
        return 1;
    }
    if (strncmp(st->url, "http://", 7) != 0) {
        nd_nsh_eprintf(io, "%s: only http:// URLs (https through a local relay)\n",
                       st->wget ? "wget" : "curl");
        return 1;
    }
    return 0;
}

#define SYN_CURL "curl [-X METHOD] [-H 'K: V']... [-d DATA] [-i] [-f] [-L] [-o FILE] URL"
ND_CMD_DEF(c_curl, "curl", SYN_CURL,
           "HTTP request (GET, POST with -d, PUT, DELETE ...): body to the terminal or -o FILE; "
           "-i with the head, -L follows redirects, -f fails on HTTP >= 400")
static int c_curl(nd_nsh_io *io, int argc, char **argv)
{
    curlst *st = nd_nsh_state(io);
    if (st) return curl_run(io, st);
    st = curl_new(io, false);
    if (!st) return 1;
    nd_nsh_set_state(io, st, curl_free);
    size_t hn = 0;
    const char *url = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool more = i + 1 < argc;
        if (!strcmp(a, "-X") && more) st->method = argv[++i];
        else if (!strcmp(a, "-d") && more) st->data = argv[++i];
        else if (!strcmp(a, "-o") && more) {
            if (curl_target(io, st, argv[++i])) return 1;
        } else if (!strcmp(a, "-H") && more) {
            const char *h = argv[++i];
            if (!strchr(h, ':') || strpbrk(h, "\r\n")) {
                nd_nsh_eprintf(io, "curl: -H wants 'Name: value', not '%s'\n", h);
                return 2;
            }
            int k = snprintf(st->hdrs + hn, sizeof st->hdrs - hn, "%s\r\n", h);
            if (k < 0 || (size_t)k >= sizeof st->hdrs - hn) {
                nd_nsh_eprintf(io, "curl: headers longer than %d bytes\n", ND_CURL_HDRS_MAX);
                return 2;
            }
            hn += (size_t)k;
        } else if (a[0] == '-' && a[1] && strspn(a + 1, "iLfsS") == strlen(a + 1)) {
            st->include |= strchr(a, 'i') != NULL;
            st->follow |= strchr(a, 'L') != NULL;
            st->fail_http |= strchr(a, 'f') != NULL;
        } else if (a[0] == '-') {
            nd_nsh_eprintf(io, "curl: unknown option '%s'\n", a);
            return nd_cmd_usage(io, SYN_CURL);
        } else if (!url) url = a;
        else {
            nd_nsh_eprintf(io, "curl: one URL only\n");
            return nd_cmd_usage(io, SYN_CURL);
        }
    }
    if (!url) return nd_cmd_usage(io, SYN_CURL);
    if (!st->method) st->method = st->data ? "POST" : "GET";
    for (const char *m = st->method; *m; m++)
        if (*m < 'A' || *m > 'Z') {
            nd_nsh_eprintf(io, "curl: bad method '%s'\n", st->method);
            return 2;
        }
    if (set_url(io, st, url) || curl_start(io, st)) return 1;
    return ND_NSH_AGAIN;
}

#define SYN_WGET "wget URL [-O FILE]"
ND_CMD_DEF(c_wget, "wget", SYN_WGET,
           "download URL into FILE (default: the URL's last path segment, 'index' for /) in the "
           "current directory; follows redirects")
static int c_wget(nd_nsh_io *io, int argc, char **argv)
{
    curlst *st = nd_nsh_state(io);
    if (st) return curl_run(io, st);
    nd_opts o;
    int rc = nd_cmd_opts(io, argc, argv, "O:q", SYN_WGET, &o);
    if (rc) return rc;
    if (o.npos != 1) return nd_cmd_usage(io, SYN_WGET);
    st = curl_new(io, true);
    if (!st) return 1;
    nd_nsh_set_state(io, st, curl_free);
    st->follow = true;
    st->method = "GET";
    if (set_url(io, st, o.pos[0])) return 1;
    char name[256];
    if (o.val['O']) {
        snprintf(name, sizeof name, "%s", o.val['O']);
    } else {
        const char *path = strchr(st->url + 7, '/');
        const char *q = path ? path + strcspn(path, "?#") : NULL;
        const char *slash = path ? path : NULL;
        for (const char *p = path; p && p < q; p++)
            if (*p == '/') slash = p;
        size_t len = slash && q ? (size_t)(q - slash - 1) : 0;
        if (!len || len >= sizeof name) snprintf(name, sizeof name, "index");
        else {
            memcpy(name, slash + 1, len);
            name[len] = 0;
        }
        if (!strcmp(name, "..") || !strcmp(name, ".")) snprintf(name, sizeof name, "index");
    }
    if (curl_target(io, st, name) || curl_start(io, st)) return 1;
    return ND_NSH_AGAIN;
}

/* ---- ping ------------------------------------------------------------------ */

#define PING_DATA 56

typedef struct pingst {
    struct nd_node *node;
    uint32_t token;
    nd_sock *sock;
    nd_resolve_job *rj;
    bool resolving;
    int resolve_rc;
    char host[ND_HOST_NAME_MAX];
    char ip[16];
    int count, sent, got;
    uint64_t sent_at[64]; /* send time (us) by sequence % 64 */
    uint64_t next_ms, end_ms;
    double min, max, sum;
} pingst;

static void ping_free(void *p)
{
    pingst *st = p;
    if (st->rj) nd_resolve_cancel(st->rj);
    if (st->sock) nd_net_close(st->sock);
    free(st);
}

static void ping_ready(nd_sock *s, int ev, void *ud)
{
    pingst *st = ud;
    (void)s, (void)ev;
    nd_nsh_wake_by_token(st->node, st->token);
}

static void ping_resolved(void *ud, int rc, const char *ip)
{
    pingst *st = ud;
    st->rj = NULL;
    st->resolving = false;
    st->resolve_rc = rc;
    if (rc == ND_OK) snprintf(st->ip, sizeof st->ip, "%s", ip);
    nd_nsh_wake_by_token(st->node, st->token);
}

static int ping_summary(nd_nsh_io *io, pingst *st)
{
    nd_nsh_printf(io, "--- %s ping statistics ---\n%d packets transmitted, %d packets received, %d%% packet loss\n",
                  st->host, st->sent, st->got, st->sent ? 100 * (st->sent - st->got) / st->sent : 0);
    if (st->got)
        nd_nsh_printf(io, "round-trip min/avg/max = %.3f/%.3f/%.3f ms\n", st->min, st->sum / st->got, st->max);
    return st->got ? 0 : 1;
}

static int ping_run(nd_nsh_io *io, pingst *st)
{
    if (st->resolving) return ND_NSH_AGAIN;
    if (!st->sock) { /* resolved: open and start */
        if (st->resolve_rc != ND_OK) {
            nd_nsh_eprintf(io, "ping: %s: unknown host\n", st->host);
            return 1;
        }
        bool raw = false;
        int rc = nd_icmp_open(ping_ready, st, &st->sock, &raw);
        if (rc == ND_EINVAL) {
            nd_nsh_eprintf(io, "ping: ICMP sockets are not allowed for this process (Linux: sysctl "
                               "net.ipv4.ping_group_range must include its group)\n");
            return 1;
        }
        if (rc != ND_OK) {
            nd_nsh_eprintf(io, "ping: cannot open an ICMP socket (%s)\n", nd_cmd_strerror(rc));
            return 1;
        }
        nd_nsh_printf(io, "PING %s (%s): %d data bytes\n", st->host, st->ip, PING_DATA);
        st->next_ms = nd_port_mono_ms();
    }
    /* replies */
    for (;;) {
        uint16_t seq;
        int ttl;
        char from[16];
        long r = nd_icmp_echo_recv(st->sock, &seq, &ttl, from);
        if (r < 0) break;
        if (seq >= st->sent || st->sent - seq > 64 || strcmp(from, st->ip) != 0) continue;
        double ms = (double)(nd_port_mono_us() - st->sent_at[seq % 64]) / 1000.0;
        st->got++;
        st->sum += ms;
        if (st->got == 1 || ms < st->min) st->min = ms;
        if (ms > st->max) st->max = ms;
        if (ttl >= 0)
            nd_nsh_printf(io, "%ld bytes from %s: icmp_seq=%u ttl=%d time=%.3f ms\n", r + 8, from, seq, ttl, ms);
        else nd_nsh_printf(io, "%ld bytes from %s: icmp_seq=%u time=%.3f ms\n", r + 8, from, seq, ms);
    }
    uint64_t now = nd_port_mono_ms();
    if (st->sent < st->count && now >= st->next_ms) {
        char data[PING_DATA];
        for (int i = 0; i < PING_DATA; i++) data[i] = (char)(0x20 + i);
        st->sent_at[st->sent % 64] = nd_port_mono_us();
        long w = nd_icmp_echo_send(st->sock, st->ip, (uint16_t)st->sent, data, sizeof data);
        if (w < 0 && w != ND_EAGAIN) nd_nsh_eprintf(io, "ping: send to %s failed\n", st->ip);
        st->sent++;
        st->next_ms = now + 1000;
        if (st->sent == st->count) st->end_ms = now + 2000; /* the last reply's grace */
    }
    if ((st->sent == st->count && (st->got == st->count || now >= st->end_ms)))
        return ping_summary(io, st);
    nd_nsh_wake_at(io, st->sent < st->count ? st->next_ms : st->end_ms);
    return ND_NSH_AGAIN;
}

#define SYN_PING "ping [-c N] HOST"
ND_CMD_DEF(c_ping, "ping", SYN_PING,
           "ICMP echo to HOST, N times (default 4, at most 1000), one a second; exit 0 when any reply came")
static int c_ping(nd_nsh_io *io, int argc, char **argv)
{
    pingst *st = nd_nsh_state(io);
    if (st) return ping_run(io, st);
    nd_opts o;
    int rc = nd_cmd_opts(io, argc, argv, "c:", SYN_PING, &o);
    if (rc) return rc;
    if (o.npos != 1) return nd_cmd_usage(io, SYN_PING);
    long count = 4;
    if (o.val['c']) {
        char *end;
        count = strtol(o.val['c'], &end, 10);
        if (*end || count < 1 || count > 1000) {
            nd_nsh_eprintf(io, "ping: -c wants 1..1000\n");
            return 2;
        }
    }
    if (strlen(o.pos[0]) >= ND_HOST_NAME_MAX) {
        nd_nsh_eprintf(io, "ping: host name too long\n");
        return 2;
    }
    st = calloc(1, sizeof *st);
    if (!st) return 1;
    st->node = nd_nsh_node(io);
    st->token = nd_nsh_wake_token(io);
    st->count = (int)count;
    snprintf(st->host, sizeof st->host, "%s", o.pos[0]);
    nd_nsh_set_state(io, st, ping_free);
    st->resolving = true;
    rc = nd_resolve(st->node, st->host, st->ip, ping_resolved, st, &st->rj);
    if (rc == ND_EAGAIN) return ND_NSH_AGAIN;
    st->resolving = false;
    st->rj = NULL;
    st->resolve_rc = rc;
    return ping_run(io, st);
}

/* ---- intercon ------------------------------------------------------------- */

typedef struct icst {
    char tag[ND_TASK_TAG_MAX];
    uint64_t deadline;
} icst;

#define SYN_IC "intercon HOST 'COMMAND'"
ND_CMD_DEF(c_ic, "intercon", SYN_IC,
           "run a micrOS shell command on another node (InterCon, like `cmd >>host` in the micrOS "
           "shell) and print its reply; waits up to 30 s")
static int c_ic(nd_nsh_io *io, int argc, char **argv)
{
    struct nd_node *n = nd_nsh_node(io);
    icst *st = nd_nsh_state(io);
    nd_buf out;
    if (!st) {
        if (argc < 3) return nd_cmd_usage(io, SYN_IC);
        char line[ND_IC_CMD_MAX + ND_HOST_NAME_MAX + 8];
        size_t k = 0;
        for (int i = 2; i < argc; i++) {
            int w = snprintf(line + k, sizeof line - k, "%s%s", i > 2 ? " " : "", argv[i]);
            if (w < 0 || (size_t)w >= sizeof line - k) {
                nd_nsh_eprintf(io, "intercon: command too long\n");
                return 2;
            }
            k += (size_t)w;
        }
        int w = snprintf(line + k, sizeof line - k, " >>%s", argv[1]);
        if (w < 0 || (size_t)w >= sizeof line - k || strpbrk(argv[1], " >\t")) {
            nd_nsh_eprintf(io, "intercon: bad host '%s'\n", argv[1]);
            return 2;
        }
        k += (size_t)w;
        nd_ctx ctx = {.door = ND_DOOR_PIPE};
        nd_buf_init(&out, 4096);
        int x = nd_exec(n, &ctx, line, k, &out);
        const char *t = nd_buf_cstr(&out);
        const char *tg = strstr(t, "con.");
        if (x != ND_X_OK || !tg) {
            nd_nsh_eprintf(io, "intercon: %s", t[0] ? t : "failed\n");
            nd_buf_free(&out);
            return 1;
        }
        st = calloc(1, sizeof *st);
        if (!st) {
            nd_buf_free(&out);
            return 1;
        }
        size_t tl = strcspn(tg, "'\" \n,}");
        if (tl >= sizeof st->tag) tl = sizeof st->tag - 1;
        memcpy(st->tag, tg, tl);
        st->deadline = nd_port_mono_ms() + 30000;
        nd_buf_free(&out);
        nd_nsh_set_state(io, st, free);
    }
    if (nd_task_active(n, st->tag)) {
        if (nd_port_mono_ms() >= st->deadline) {
            nd_task_kill_tag(n, st->tag);
            nd_nsh_eprintf(io, "intercon: no reply within 30 s\n");
            return 1;
        }
        nd_nsh_wake_at(io, nd_port_mono_ms() + 50);
        return ND_NSH_AGAIN;
    }
    char line[ND_TASK_TAG_MAX + 16];
    int k = snprintf(line, sizeof line, "task show %s", st->tag);
    nd_ctx ctx = {.door = ND_DOOR_PIPE};
    nd_buf_init(&out, 64 * 1024);
    int x = nd_exec(n, &ctx, line, (size_t)k, &out);
    const char *t = nd_buf_cstr(&out);
    bool failed = x != ND_X_OK || !strncmp(t, "[intercon]", 10) || strstr(t, "Core error") == t;
    if (failed) nd_nsh_eprintf(io, "%s", t);
    else nd_nsh_printf(io, "%s", t);
    nd_buf_free(&out);
    return failed ? 1 : 0;
}

const nd_nsh_cmd *const nd_nsh_cmds_net[] = {&c_curl_def, &c_wget_def, &c_ping_def, &c_ic_def, NULL};
