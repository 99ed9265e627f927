/*
** http_client.c -- the node's small HTTP client (http_client.h): update
** bundles and notifications.
**
** One fetch is a small state machine like an InterCon call: resolve ->
** connect -> send the request -> read the head -> hand on the body. Socket
** readiness moves it on; one timer is its idle deadline, re-armed whenever
** bytes move. A callback that stops it (head/data non-zero) is the last
** thing the fetch does in that call chain: it closes its socket and goes
** quiet, and the owner frees it later from its own timer.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node_int.h"
#include "nodus/port.h"
#include "resolve.h"
#include "text.h"
#include "http_client.h"

/* ND_FETCH_READ (bytes per recv, static) comes from nodus/opts.h */
#include "nodus/opts.h" /* the limits; a port may override them */

static int fail_msg(char *err, size_t errn, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (err && errn) vsnprintf(err, errn, fmt, ap);
    va_end(ap);
    return ND_EINVAL;
}

/* ---- pure parts ---------------------------------------------------------- */

int nd_url_parse(const char *url, nd_url *u, char *err, size_t errn)
{
    memset(u, 0, sizeof *u);
    size_t n = strlen(url);
    if (n >= ND_FETCH_URL_MAX) return fail_msg(err, errn, "url longer than %d bytes", ND_FETCH_URL_MAX - 1);
    if (strncmp(url, "http://", 7) != 0) {
        if (!strncmp(url, "https://", 8))
            return fail_msg(err, errn, "https is not supported: use http:// (the bundle is signed)");
        return fail_msg(err, errn, "url must start with http://");
    }
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)url[i] <= 0x20 || (unsigned char)url[i] >= 0x7f)
            return fail_msg(err, errn, "url holds a space or a non-ASCII byte (percent-encode it)");
    const char *h = url + 7, *slash = strchr(h, '/');
    size_t hl = slash ? (size_t)(slash - h) : strlen(h);
    const char *colon = memchr(h, ':', hl);
    if (memchr(h, '@', hl)) return fail_msg(err, errn, "url with user:password@ is not supported");
    if (h[0] == '[') return fail_msg(err, errn, "IPv6 addresses are not supported in the url");
    size_t namel = colon ? (size_t)(colon - h) : hl;
    if (namel == 0 || namel >= sizeof u->host) return fail_msg(err, errn, "url has no host");
    for (size_t i = 0; i < namel; i++) {
        char c = h[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                  c == '-';
        if (!ok)
            return fail_msg(err, errn, "url host '%.*s' is not a host name", (int)namel, h);
    }
    memcpy(u->host, h, namel);
    u->port = 80;
    if (colon) {
        const char *p = colon + 1;
        size_t pl = hl - namel - 1;
        long v = 0;
        if (pl == 0 || pl > 5) return fail_msg(err, errn, "url port is not 1-65535");
        for (size_t i = 0; i < pl; i++) {
            if (p[i] < '0' || p[i] > '9') return fail_msg(err, errn, "url port is not 1-65535");
            v = v * 10 + (p[i] - '0');
        }
        if (v < 1 || v > 65535) return fail_msg(err, errn, "url port is not 1-65535");
        u->port = (int)v;
    }
    snprintf(u->path, sizeof u->path, "%s", slash ? slash : "/");
    char *hash = strchr(u->path, '#'); /* a fragment is not sent */
    if (hash) *hash = 0;
    return ND_OK;
}

size_t nd_http_head_len(const char *buf, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++) {
        if (buf[i] != '\n') continue;
        if (buf[i + 1] == '\n') return i + 2;
        if (i + 2 < n && buf[i + 1] == '\r' && buf[i + 2] == '\n') return i + 3;
    }
    return 0;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

int nd_http_resp_parse(const char *buf, size_t n, nd_http_resp *r, char *err, size_t errn)
{
    memset(r, 0, sizeof *r);
    const char *e = buf + n;
    const char *nl = memchr(buf, '\n', n);
    if (!nl || n < 12 || memcmp(buf, "HTTP/1.", 7) != 0 || !is_digit(buf[7]) || buf[8] != ' ' ||
        !is_digit(buf[9]) || !is_digit(buf[10]) || !is_digit(buf[11]) ||
        (buf + 12 < nl && buf[12] != ' ' && buf[12] != '\r'))
        return fail_msg(err, errn, "the server's answer is not an HTTP response");
    r->status = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
    if (r->status < 100) return fail_msg(err, errn, "the server's answer is not an HTTP response");
    const char *rs = buf + 12 < nl ? buf + 13 : nl;
    size_t rl = (size_t)(nl - rs);
    if (rl && rs[rl - 1] == '\r') rl--;
    size_t k = 0;
    for (size_t i = 0; i < rl && k + 1 < sizeof r->reason; i++)
        r->reason[k++] = (rs[i] >= 0x20 && rs[i] < 0x7f) ? rs[i] : '?';
    r->reason[k] = 0;
    bool te = false;
    for (const char *p = nl + 1; p < e;) {
        const char *le = memchr(p, '\n', (size_t)(e - p));
        if (!le) le = e;
        nd_span line = {p, (size_t)(le - p)};
        if (line.n && line.p[line.n - 1] == '\r') line.n--;
        p = le + 1;
        if (!line.n) break; /* the blank line */
        const char *colon = nd_span_chr(line, ':');
        if (!colon) return fail_msg(err, errn, "the server's answer has a malformed header line");
        nd_span name = {line.p, (size_t)(colon - line.p)};
        nd_span val = nd_span_trim((nd_span){colon + 1, (size_t)(line.p + line.n - colon - 1)});
        if (nd_span_ieq(name, "content-length")) {
            uint64_t v = 0;
            if (!val.n || val.n > 15) return fail_msg(err, errn, "bad Content-Length in the server's answer");
            for (size_t i = 0; i < val.n; i++) {
                if (!is_digit(val.p[i]))
                    return fail_msg(err, errn, "bad Content-Length in the server's answer");
                v = v * 10 + (uint64_t)(val.p[i] - '0');
            }
            if (r->has_length && v != r->length)
                return fail_msg(err, errn, "two different Content-Length headers in the server's answer");
            r->has_length = true;
            r->length = v;
        } else if (nd_span_ieq(name, "transfer-encoding")) {
            if (te) return fail_msg(err, errn, "two Transfer-Encoding headers in the server's answer");
            te = true;
            if (!nd_span_ieq(val, "chunked"))
                return fail_msg(err, errn, "the server sent Transfer-Encoding %.*s (only chunked is read)",
                                (int)(val.n > 32 ? 32 : val.n), val.p);
            r->chunked = true;
        }
    }
    if (r->chunked) r->has_length = false; /* RFC 9112 6.3: chunked wins */
    return ND_OK;
}

enum { CH_SIZE, CH_EXT, CH_SIZE_LF, CH_DATA, CH_DATA_CR, CH_DATA_LF, CH_TRAILER, CH_TRAILER_LF };

void nd_chunked_init(nd_chunked *c) { memset(c, 0, sizeof *c); }

long nd_chunked_feed(nd_chunked *c, const char *in, size_t n, nd_body_fn out, void *ud, char *err,
                     size_t errn)
{
    size_t i = 0;
    while (i < n && !c->done) {
        char ch = in[i];
        switch (c->st) {
        case CH_SIZE: {
            int v = nd_hex_val((unsigned char)ch);
            if (v >= 0) {
                if (++c->digits > 15) return fail_msg(err, errn, "chunk size too large");
                c->left = c->left * 16 + (uint64_t)v;
                i++;
            } else if (c->digits && (ch == ';' || ch == ' ' || ch == '\t')) {
                c->st = CH_EXT;
            } else if (c->digits && ch == '\r') {
                c->st = CH_SIZE_LF;
                i++;
            } else if (c->digits && ch == '\n') {
                c->st = c->left ? CH_DATA : CH_TRAILER;
                c->linelen = 0;
                i++;
            } else {
                return fail_msg(err, errn, "malformed chunk size line");
            }
            break;
        }
        case CH_EXT: /* chunk extensions: skipped, bounded */
            if (++c->linelen > 256) return fail_msg(err, errn, "chunk extension too long");
            if (ch == '\n') {
                c->st = c->left ? CH_DATA : CH_TRAILER;
                c->linelen = 0;
            } else if (ch == '\r') {
                c->st = CH_SIZE_LF;
            }
            i++;
            break;
        case CH_SIZE_LF:
            if (ch != '\n') return fail_msg(err, errn, "malformed chunk size line");
            c->st = c->left ? CH_DATA : CH_TRAILER;
            c->linelen = 0;
            i++;
            break;
        case CH_DATA: {
            size_t k = n - i < c->left ? n - i : (size_t)c->left;
            int rc = out(ud, in + i, k);
            if (rc < 0) return rc;
            i += k;
            c->left -= k;
            if (!c->left) c->st = CH_DATA_CR;
            break;
        }
        case CH_DATA_CR:
            if (ch == '\n') {
                c->st = CH_SIZE;
                c->digits = 0;
            } else if (ch == '\r') {
                c->st = CH_DATA_LF;
            } else {
                return fail_msg(err, errn, "chunk not followed by CRLF");
            }
            i++;
            break;
        case CH_DATA_LF:
            if (ch != '\n') return fail_msg(err, errn, "chunk not followed by CRLF");
            c->st = CH_SIZE;
            c->digits = 0;
            i++;
            break;
        case CH_TRAILER: /* trailer lines until an empty one */
            if (ch == '\n') {
                if (c->linelen == 0) c->done = true;
                c->linelen = 0;
            } else if (ch != '\r' || c->linelen) {
                if (++c->linelen > 1024) return fail_msg(err, errn, "chunked trailer too long");
            }
            i++;
            break;
        }
    }
    return (long)i;
}

/* ---- the client ---------------------------------------------------------- */

enum { F_RESOLVE, F_CONNECT, F_SEND, F_HEAD, F_BODY, F_DONE };

struct nd_fetch {
    struct nd_node *node;
    nd_fetch_cb cb;
    void *ud;
    int phase;
    nd_url url;
    char ip[ND_IP_TEXT_MAX]; /* IPv6 when the host has no IPv4 address */
    nd_resolve_job *rj;
    nd_sock *sock;
    nd_timer timer;
    uint32_t idle_ms;
    uint64_t max_body, body, length;
    bool known, chunked;
    nd_chunked ch;
    char *req; /* request line, headers and body */
    size_t reqn, sent;
    int status;
    bool any_status;
    char *head; /* ND_FETCH_HEAD_MAX bytes while reading the head */
    size_t headn;
    char err[ND_ERRMSG];
};

static void release(nd_fetch *f)
{
    if (f->rj) nd_resolve_cancel(f->rj);
    f->rj = NULL;
    if (f->sock) nd_net_close(f->sock);
    f->sock = NULL;
    nd_timer_disarm(&f->node->timers, &f->timer);
    free(f->head);
    f->head = NULL;
}

/* Stop quietly: a callback asked for it (it knows why). */
static void stop(nd_fetch *f)
{
    release(f);
    f->phase = F_DONE;
}

static void finish(nd_fetch *f, int rc, const char *fmt, ...)
{
    release(f);
    f->phase = F_DONE;
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(f->err, sizeof f->err, fmt, ap);
        va_end(ap);
    }
    f->cb.done(f->ud, rc, f->err); /* last: the owner may not free f here, but may act */
}

const char *nd_fetch_phase(const nd_fetch *f)
{
    static const char *const names[] = {"resolving the name", "connecting", "sending the request",
                                        "waiting for the response", "receiving", "done"};
    return names[f->phase];
}

static void on_timeout(nd_timer *t, void *ud)
{
    (void)t;
    nd_fetch *f = ud;
    finish(f, ND_EIO, "timeout: nothing from %s:%d for %u s while %s", f->url.host, f->url.port,
           (unsigned)(f->idle_ms / 1000), nd_fetch_phase(f));
}

static void progress(nd_fetch *f)
{
    nd_timer_arm(&f->node->timers, &f->timer, nd_port_mono_ms() + f->idle_ms, on_timeout, f);
}

static int body_out(void *ud, const void *p, size_t n)
{
    nd_fetch *f = ud;
    if (!n) return 0;
    if (f->body + n > f->max_body) {
        finish(f, ND_ELIMIT, "the server sends more than %llu bytes (the most accepted)",
               (unsigned long long)f->max_body);
        return -1;
    }
    f->body += n;
    if (f->cb.data(f->ud, p, n) != 0) {
        stop(f);
        return -2;
    }
    return 0;
}

/* Body bytes as they arrive. Returns false when the fetch ended. */
static bool body_bytes(nd_fetch *f, const char *p, size_t n)
{
    if (f->chunked) {
        char e[96];
        long k = nd_chunked_feed(&f->ch, p, n, body_out, f, e, sizeof e);
        if (k == -1 || k == -2) return false; /* body_out ended it */
        if (k < 0) {
            finish(f, ND_EINVAL, "garbage from the server: %s", e);
            return false;
        }
        if (f->ch.done) {
            finish(f, ND_OK, NULL);
            return false;
        }
        return true;
    }
    if (f->known && f->body + n > f->length) n = (size_t)(f->length - f->body); /* extra bytes: not ours */
    if (body_out(f, p, n) != 0) return false;
    if (f->known && f->body == f->length) {
        finish(f, ND_OK, NULL);
        return false;
    }
    return true;
}

static bool head_bytes(nd_fetch *f, const char *p, size_t n)
{
    size_t room = ND_FETCH_HEAD_MAX - f->headn, k = n < room ? n : room;
    memcpy(f->head + f->headn, p, k);
    f->headn += k;
    size_t hl = nd_http_head_len(f->head, f->headn);
    if (!hl) {
        if (f->headn == ND_FETCH_HEAD_MAX) {
            finish(f, ND_EINVAL, "garbage from the server: no HTTP response head within %d bytes",
                   ND_FETCH_HEAD_MAX);
            return false;
        }
        return true;
    }
    nd_http_resp r;
    char e[120];
    if (nd_http_resp_parse(f->head, hl, &r, e, sizeof e) != ND_OK) {
        finish(f, ND_EINVAL, "garbage from the server: %s", e);
        return false;
    }
    f->status = r.status;
    if (r.status != 200 && !f->any_status) {
        finish(f, ND_EIO, "the server answered HTTP %d %s", r.status, r.reason);
        return false;
    }
    f->known = r.has_length;
    f->length = r.length;
    f->chunked = r.chunked;
    if (f->known && f->length > f->max_body) {
        finish(f, ND_ELIMIT, "the server offers %llu bytes, more than the %llu accepted",
               (unsigned long long)f->length, (unsigned long long)f->max_body);
        return false;
    }
    f->phase = F_BODY;
    if (f->cb.head(f->ud, f->known, f->length) != 0) {
        stop(f);
        return false;
    }
    /* what came after the head is body; the head buffer goes */
    size_t rest = f->headn - hl;
    char *h = f->head;
    f->head = NULL;
    bool go = true;
    if (f->known && f->length == 0) {
        finish(f, ND_OK, NULL);
        go = false;
    } else if (rest) {
        go = body_bytes(f, h + hl, rest);
    }
    if (go && k < n) go = body_bytes(f, p + k, n - k);
    free(h);
    return go;
}

static void on_sock(nd_sock *s, int ev, void *ud)
{
    nd_fetch *f = ud;
    (void)s;
    if (f->phase == F_CONNECT) {
        int e = nd_net_error(f->sock);
        if (e) {
            finish(f, ND_EIO, "cannot connect to %s:%d (%s)", f->url.host, f->url.port,
                   e == ND_ECLOSED ? "connection refused" : nd_strerror(e));
            return;
        }
        if (!(ev & ND_EV_WRITE)) return;
        f->phase = F_SEND;
    }
    if (f->phase == F_SEND) {
        long k = nd_net_send(f->sock, f->req + f->sent, f->reqn - f->sent);
        if (k < 0 && k != ND_EAGAIN) {
            finish(f, ND_EIO, "connection to %s:%d lost while sending the request", f->url.host,
                   f->url.port);
            return;
        }
        if (k > 0) f->sent += (size_t)k;
        if (f->sent < f->reqn) {
            nd_net_watch(f->sock, on_sock, f, ND_EV_WRITE);
            return;
        }
        f->phase = F_HEAD;
        f->head = malloc(ND_FETCH_HEAD_MAX);
        if (!f->head) {
            finish(f, ND_ENOMEM, "out of memory");
            return;
        }
        nd_net_watch(f->sock, on_sock, f, ND_EV_READ);
        progress(f);
        return;
    }
    static char buf[ND_FETCH_READ]; /* one loop thread: one buffer */
    for (int i = 0; i < ND_FETCH_READS; i++) {
        long k = nd_net_recv(f->sock, buf, sizeof buf);
        if (k == ND_EAGAIN) return;
        if (k <= 0) {
            if (f->phase == F_HEAD)
                finish(f, ND_EIO, "%s:%d closed the connection %s", f->url.host, f->url.port,
                       f->headn ? "in the middle of its response head" : "without an answer");
            else if (f->known || f->chunked)
                finish(f, ND_EIO, "%s:%d closed the connection after %llu of %s bytes", f->url.host,
                       f->url.port, (unsigned long long)f->body,
                       f->chunked ? "the chunked" : "the announced");
            else
                finish(f, ND_OK, NULL); /* no length given: the close ends the body */
            return;
        }
        progress(f);
        bool go = f->phase == F_HEAD ? head_bytes(f, buf, (size_t)k) : body_bytes(f, buf, (size_t)k);
        if (!go) return;
    }
}

static void connect_ip(nd_fetch *f)
{
    f->phase = F_CONNECT;
    int rc = nd_net_connect(f->ip, f->url.port, on_sock, f, &f->sock);
    if (rc != ND_OK) {
        f->sock = NULL;
        finish(f, ND_EIO, "cannot connect to %s:%d (%s)", f->url.host, f->url.port,
               rc == ND_ECLOSED ? "connection refused" : nd_strerror(rc));
        return;
    }
    progress(f);
}

static void on_resolved(void *ud, int rc, const char *ip)
{
    nd_fetch *f = ud;
    f->rj = NULL;
    if (rc != ND_OK) {
        finish(f, ND_EIO, "cannot resolve %s (%s)", f->url.host,
               rc == ND_ENOTFOUND ? "name not found" : nd_strerror(rc));
        return;
    }
    snprintf(f->ip, sizeof f->ip, "%s", ip);
    connect_ip(f);
}

/* Start from a timer: the caller's call returns before any callback runs. */
static void on_start(nd_timer *t, void *ud)
{
    (void)t;
    nd_fetch *f = ud;
    int rc = nd_resolve_any(f->node, f->url.host, f->ip, on_resolved, f, &f->rj);
    if (rc == ND_OK) {
        f->rj = NULL;
        connect_ip(f);
    } else if (rc == ND_EAGAIN) {
        progress(f);
    } else {
        f->rj = NULL;
        finish(f, ND_EIO, "cannot resolve %s (%s)", f->url.host, nd_strerror(rc));
    }
}

/* A header value must not smuggle a header of its own in. */
static bool header_lines_ok(const char *h)
{
    for (const char *p = h; *p; p++) {
        if (*p == '\r' && p[1] != '\n') return false;
        if (*p == '\n' && (p == h || p[-1] != '\r')) return false;
    }
    size_t n = strlen(h);
    return n == 0 || (n >= 2 && h[n - 1] == '\n');
}

int nd_fetch_request(struct nd_node *n, const nd_fetch_req *rq, uint32_t idle_ms, uint64_t max_body,
                     const nd_fetch_cb *cb, void *ud, nd_fetch **out, char *err, size_t errn)
{
    const char *method = rq->method ? rq->method : "GET";
    const char *hdrs = rq->headers ? rq->headers : "";
    if (rq->bodyn > ND_FETCH_BODY_MAX)
        return fail_msg(err, errn, "request body of %zu bytes (max %d)", rq->bodyn, ND_FETCH_BODY_MAX);
    if (!header_lines_ok(hdrs) || strlen(hdrs) > 1024 || (rq->ctype && strpbrk(rq->ctype, "\r\n")))
        return fail_msg(err, errn, "malformed request header lines");
    nd_fetch *f = calloc(1, sizeof *f);
    if (!f) return fail_msg(err, errn, "out of memory");
    if (nd_url_parse(rq->url, &f->url, err, errn) != ND_OK) {
        free(f);
        return ND_EINVAL;
    }
    /* request line and Host (url: < ND_FETCH_URL_MAX), fixed headers, the caller's */
    size_t cap = 2 * ND_FETCH_URL_MAX + 256 + strlen(hdrs) + (rq->ctype ? strlen(rq->ctype) : 0) + rq->bodyn;
    f->req = malloc(cap);
    if (!f->req) {
        free(f);
        return fail_msg(err, errn, "out of memory");
    }
    f->any_status = rq->any_status;
    f->node = n;
    f->cb = *cb;
    f->ud = ud;
    f->idle_ms = idle_ms < 100 ? 100 : idle_ms;
    f->max_body = max_body;
    nd_chunked_init(&f->ch);
    int k = snprintf(f->req, cap,
                     "%s %s HTTP/1.1\r\nHost: %s%s%.0d\r\nUser-Agent: nodus/%s\r\nAccept: */*\r\n"
                     "Connection: close\r\n%s",
                     method, f->url.path, f->url.host, f->url.port == 80 ? "" : ":",
                     f->url.port == 80 ? 0 : f->url.port, NODUS_VERSION, hdrs);
    if (rq->body || strcmp(method, "GET") != 0)
        k += snprintf(f->req + k, cap - (size_t)k, "Content-Type: %s\r\nContent-Length: %zu\r\n",
                      rq->ctype ? rq->ctype : "application/octet-stream", rq->bodyn);
    k += snprintf(f->req + k, cap - (size_t)k, "\r\n");
    if (rq->bodyn) memcpy(f->req + k, rq->body, rq->bodyn);
    f->reqn = (size_t)k + rq->bodyn;
    f->phase = F_RESOLVE;
    if (nd_timer_arm(&n->timers, &f->timer, nd_port_mono_ms(), on_start, f) != ND_OK) {
        free(f->req);
        free(f);
        return fail_msg(err, errn, "too many timers");
    }
    *out = f;
    return ND_OK;
}

int nd_fetch_start(struct nd_node *n, const char *url, uint32_t idle_ms, uint64_t max_body,
                   const nd_fetch_cb *cb, void *ud, nd_fetch **out, char *err, size_t errn)
{
    nd_fetch_req rq = {.url = url};
    return nd_fetch_request(n, &rq, idle_ms, max_body, cb, ud, out, err, errn);
}

int nd_fetch_status(const nd_fetch *f) { return f->status; }

const char *nd_fetch_head(const nd_fetch *f, size_t *n)
{
    *n = f->head ? nd_http_head_len(f->head, f->headn) : 0;
    return *n ? f->head : NULL;
}

void nd_fetch_free(nd_fetch *f)
{
    if (!f) return;
    release(f);
    free(f->req);
    free(f);
}
