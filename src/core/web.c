/*
** web.c -- the WebCli door: connections, client slots, timeouts, request
** framing, routing, responses and the web UI files (docs/micros-compat.md §4).
**
** Beyond micrOS (which answers one request per connection, HTTP/1.1 only):
** keep-alive and HTTP/1.0, HEAD on files, Content-Length on every response
** that has an end, small text bodies on errors, and streaming bodies. The
** web UI files themselves are served by webfile.c.
**
** Slots. A request holds one of the node's shared client slots (slots.c,
** shared with the shell; at most webui_max_con of them) while it is served:
** from its complete head to the end of its response. A connection that only
** holds a socket -- reading a head (slowloris), idle between keep-alive
** requests -- takes no slot, so it cannot lock anyone out; an /events stream
** gives its slot back once it starts and lives in its own bounded pool
** (webevents_max). A complete request that finds no slot waits in the
** node's waiting room (up to 5 s, nothing more read from it) and then gets
** micrOS's text as an HTTP reply: "503 Service Unavailable" with body
** "Connection is busy. Bye!" -- micrOS sends the bare text, which no HTTP
** client can read as a response. When the door has ND_WEB_CONN_MAX sockets,
** a newcomer closes the oldest idle or still-incomplete one instead of
** being refused.
**
** Auth. A request that carries a password (x-micros-auth, or Authorization:
** Bearer for Prometheus) has it checked once, by auth.c, before anything
** else; a wrong one is answered 401 (a locked-out address 429), held back
** ND_AUTH_FAIL_DELAY_MS. What the request may then do is auth.c's table too
** (nd_web_allows); no endpoint compares passwords.
**
** Timeouts, one timer per connection, meaning set by the state: the request
** head must be complete within 10 s of its first byte (or of the accept) or
** the client gets 408 and loses its slot (slowloris); a buffered body must
** be complete within 10 s of its head, an upload must move 4 KiB every 10 s;
** an idle keep-alive connection closes after 15 s; a response that does not
** move 4 KiB (or finish) in 30 s is abandoned. A final response is followed by
** a half-close and a short linger that drains the client's unread bytes, so
** the close never turns into a reset that would destroy the response.
*/
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "web_int.h"

/* Bodies made piecewise (c->produce, c->ps) come from the UI files
** (webfile.c), /metrics, /events and the file endpoints: an image with none
** of them (the firmware's full profile) leaves the machinery out. */
#if !ND_WITH_WEB_UI && !ND_WITH_METRICS && !ND_WITH_WEB_EVENTS && \
    !ND_WITH_WEB_FILES
#define PRODUCERS 0
#else
#define PRODUCERS 1
#endif

const int nd_web_status_codes[ND_WEB_NSTATUS] = {200, 204, 400, 401, 403, 404, 405, 408, 411,
                                                 413, 414, 431, 500, 501, 503, 505, 0};

static void conn_event(nd_sock *s, int ev, void *ud);
static void conn_timer(nd_timer *t, void *ud);
static void arm(nd_wconn *c, uint64_t delay);

/* ---- small helpers ---------------------------------------------------------- */

/* Texts by status code, one blob of "<code><text>\0" entries: smaller
** than a switch. The text for code, or dflt when it has none. */
static const char *coded(const char *blob, int code, const char *dflt)
{
    for (const char *p = blob; *p; p += strlen(p) + 1)
        if ((p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0') == code) return p + 3;
    return dflt;
}

/* Reason phrases; a status not listed (429) is "Unknown", as it always was
** (100 Continue is never looked up: process_input sends it as a literal). */
static const char reasons[] = "200OK\0" "204No Content\0" "400Bad Request\0"
                              "401Unauthorized\0" "403Forbidden\0" "404Not Found\0"
                              "405Method Not Allowed\0" "408Request Timeout\0"
                              "411Length Required\0" "413Content Too Large\0" "414URI Too Long\0"
                              "431Request Header Fields Too Large\0" "500Internal Server Error\0"
                              "501Not Implemented\0" "503Service Unavailable\0"
                              "505HTTP Version Not Supported\0";

/* Counted for /metrics only: without it nothing reads the counts. */
static void count_status(struct nd_web *w, int status)
{
    if (!ND_WITH_METRICS) return;
    int i = 0;
    while (i < ND_WEB_NSTATUS - 1 && nd_web_status_codes[i] != status) i++;
    w->status[i]++;
}

static uint64_t now_ms(void) { return nd_port_mono_ms(); }

void nd_web_arm(nd_wconn *c, uint64_t delay) { arm(c, delay); }

static void arm(nd_wconn *c, uint64_t delay)
{
    /* the heap is sized for every socket the port can hold: arming fails
    ** only if something leaks timers, and then the connection just lives
    ** without its timeout */
    nd_timer_arm(&c->web->node->timers, &c->timer, now_ms() + delay, conn_timer, c);
}

/* ---- responses ------------------------------------------------------------- */

void nd_web_head(nd_wconn *c, int status, const char *ctype, const char *extra, int64_t length)
{
    struct nd_web *w = c->web;
    count_status(w, status);
    if (!c->keep_alive) c->close_after = true;
    const char *conn = c->close_after ? "close" : "keep-alive";
    /* micrOS's header order and lower-case names (docs/micros-compat.md §4.4) */
    nd_buf_printf(&c->out, "HTTP/1.1 %d %s\r\n", status, coded(reasons, status, "Unknown"));
    if (length >= 0) nd_buf_printf(&c->out, "content-length: %lld\r\n", (long long)length);
    nd_buf_printf(&c->out, "content-type: %s\r\nconnection: %s\r\n%s\r\n", ctype, conn,
                  extra ? extra : "");
    c->state = W_SEND;
}

void nd_web_put(nd_wconn *c, const void *p, size_t n)
{
    if (!c->head_only) nd_buf_put(&c->out, p, n);
}

void nd_web_reply(nd_wconn *c, int status, const char *ctype, const char *extra, const void *body,
                  size_t n)
{
    nd_web_head(c, status, ctype, extra, (int64_t)n);
    nd_web_put(c, body, n);
}

void nd_web_error(nd_wconn *c, int status, const char *text, bool close)
{
    char body[160];
    int k = snprintf(body, sizeof body, "%s\n", text);
    if (k < 0) k = 0;
    if ((size_t)k >= sizeof body) k = (int)sizeof body - 1;
    if (close) c->close_after = true;
    const char *extra = "";
    if (status == 405) extra = "allow: GET, POST, DELETE\r\n";
    if (status == 503) extra = "retry-after: 1\r\n";
    nd_web_reply(c, status, "text/plain", extra, body, (size_t)k);
}

/* An error after which the connection ends, whatever the request asked. */
static void refuse(nd_wconn *c, int status, const char *text)
{
    c->keep_alive = false;
    nd_web_error(c, status, text, true);
}

bool nd_web_authorized(struct nd_web *w, const nd_http_req *r)
{
    (void)r;
    return w->cur && w->cur->authed;
}

bool nd_web_allows(nd_wconn *c, int act)
{
    return nd_auth_allows(c->web->node, ND_AUTH_DOOR_HTTP, act, c->authed);
}

/* Hold the response just built back for ms (a failed login). */
static void hold(nd_wconn *c, uint64_t ms)
{
    c->held = true;
    arm(c, ms);
}

/* The request's password, if it carries one, checked once. Returns false
** when it was wrong (or the address is locked out): the reply is made. */
static bool request_auth(nd_wconn *c, const nd_http_req *r)
{
    c->authed = false;
    nd_span guess = {NULL, 0};
    const nd_http_hdr *h = nd_http_header(r, "x-micros-auth");
    if (h) {
        guess = h->value;
    } else if ((h = nd_http_header(r, "authorization")) && h->value.n > 7 &&
               nd_span_ieq((nd_span){h->value.p, 7}, "bearer ")) {
        guess = (nd_span){h->value.p + 7, h->value.n - 7};
    } else {
        return true; /* no password: what anonymous clients may do */
    }
    struct nd_node *n = c->web->node;
    int rc = nd_auth_password(n, c->peer, guess.p, guess.n);
    if (rc == ND_AUTH_OK) {
        c->authed = true;
        return true;
    }
    c->keep_alive = false;
    if (rc == ND_AUTH_LOCKED) {
        char extra[64], body[160];
        uint64_t left = (nd_auth_locked_ms(n, c->peer) + 999) / 1000;
        snprintf(extra, sizeof extra, "retry-after: %llu\r\ncache-control: no-store\r\n",
                 (unsigned long long)left);
        int k = snprintf(body, sizeof body,
                         "{\"state\": false, \"result\": \"Too many failed logins: locked out "
                         "for %llu s\"}", (unsigned long long)left);
        nd_web_reply(c, 429, "application/json", extra, body, (size_t)k);
    } else {
        nd_web_unauthorized(c, r);
    }
    hold(c, ND_AUTH_FAIL_DELAY_MS);
    return false;
}

void nd_web_unauthorized(nd_wconn *c, const nd_http_req *r)
{
    /* the page's headers are the JSON reply's plus a policy line: one copy
    ** of the text, the JSON reply ends before the policy */
#define CSP_LINE "content-security-policy: default-src 'self'; script-src 'self'\r\n"
    static const char hdrs[] = "cache-control: no-store\r\nx-content-type-options: nosniff\r\n"
                               "referrer-policy: no-referrer\r\n" CSP_LINE;
    const size_t common = sizeof hdrs - sizeof CSP_LINE;
#undef CSP_LINE
    const nd_http_hdr *acc = nd_http_header(r, "accept");
    bool html = false;
    if (acc && r->method == ND_HTTP_GET)
        for (size_t i = 0; i + 9 <= acc->value.n && !html; i++)
            html = memcmp(acc->value.p + i, "text/html", 9) == 0;
    if (html) {
        static const char page[] =
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Auth required</title>"
            "</head><body><script src=\"/auth.js\"></script></body></html>\n";
        nd_web_reply(c, 401, "text/html", hdrs, page, sizeof page - 1);
        return;
    }
    static const char body[] = "{\"state\": false, \"result\": \"Auth required\"}";
    char extra[sizeof hdrs];
    memcpy(extra, hdrs, common);
    extra[common] = 0;
    nd_web_reply(c, 401, "application/json", extra, body, sizeof body - 1);
}

/* ---- routing --------------------------------------------------------------- */

static bool method_is(const nd_http_req *r, int m) { return r->method == m; }

/* An endpoint the request may not use: 401, as micrOS's @sudo. */
static bool refused(nd_wconn *c, const nd_http_req *r, int act)
{
    if (nd_web_allows(c, act)) return false;
    nd_web_unauthorized(c, r);
    return true;
}

static void release_slot(nd_wconn *c);

static void events(nd_wconn *c, const nd_http_req *r)
{
    struct nd_web *w = c->web;
    if (refused(c, r, ND_ACT_EVENTS)) return;
    int64_t max = nd_cfg_get_int(w->node->cfg, ND_K_webevents_max);
    if (!c->head_only && w->nsse >= max) {
        refuse(c, 503, "Too many event streams (webevents_max)");
        return;
    }
    nd_web_events_handle(c, r);
    if (c->state == W_SSE) release_slot(c); /* streams have their own pool */
}

/* Every endpoint that does not take the request's method falls through to
** the one 405 at the end. */
static void dispatch(nd_wconn *c, const nd_http_req *r, nd_span body)
{
    c->head_only = r->method == ND_HTTP_HEAD;
    nd_span p = r->path;
    bool read = method_is(r, ND_HTTP_GET) || method_is(r, ND_HTTP_HEAD);
    if (p.n == 0 || p.p[0] != '/') {
        nd_web_error(c, 400, "Bad request", true);
        return;
    }
    if (nd_span_eq(p, "/rest") || nd_span_prefix(p, "/rest/")) {
        nd_rest_handle(c, r); /* the command decides: rest.c asks auth.c */
        return;
    }
    if (nd_webep_handle(c, r, body)) return; /* modules' endpoints (webep.c), before files */
    if (nd_span_eq(p, "/config")) {
        if (method_is(r, ND_HTTP_GET) || method_is(r, ND_HTTP_POST)) {
            if (!refused(c, r, ND_ACT_SUDO)) nd_config_handle(c, r, body);
            return;
        }
    } else if (nd_span_eq(p, "/config/reboot")) {
        if (method_is(r, ND_HTTP_POST)) {
            if (!refused(c, r, ND_ACT_SUDO)) nd_config_reboot(c, r);
            return;
        }
    } else if (ND_WITH_WEB_EVENTS && nd_span_eq(p, "/events")) {
        if (read) {
            events(c, r);
            return;
        }
    } else if (ND_WITH_METRICS && nd_span_eq(p, "/metrics")) {
        if (read) {
            if (!refused(c, r, ND_ACT_METRICS)) nd_metrics_handle(c, r);
            return;
        }
    } else {
        /* $modules writes need more (@sudo): webfs.c knows the place */
        if (ND_WITH_WEB_FILES && nd_span_prefix(p, "/fs/") &&
            (refused(c, r, read ? ND_ACT_FS_READ : ND_ACT_FS_WRITE) || nd_webfs_handle(c, r, body)))
            return;
        if (read) {
            /* uploaded files are the node's data, not the UI's */
            bool mount = nd_span_prefix(p, "/$data/") || nd_span_prefix(p, "/$logs/");
            int act = nd_span_prefix(p, "/user_data/") || mount ? ND_ACT_FS_READ : ND_ACT_UI_FILE;
            if (refused(c, r, act)) return;
            if (!mount || !ND_WITH_WEB_FILES || !nd_webfs_mount_get(c, r))
                nd_web_static(c, r); /* micrOS's mounts */
            return;
        }
    }
    nd_web_error(c, 405, "Method not allowed", false);
}

/* ---- slots and the waiting room --------------------------------------------- */

static int web_cap(struct nd_node *n)
{
    int64_t m = nd_cfg_get_int(n->cfg, ND_K_webui_max_con);
    return m < 1 ? 1 : m > ND_SLOTS_MAX ? ND_SLOTS_MAX : (int)m;
}

static void list_remove(nd_wconn **head, nd_wconn *c)
{
    if (c->prev) c->prev->next = c->next;
    else *head = c->next;
    if (c->next) c->next->prev = c->prev;
    c->prev = c->next = NULL;
}

static void list_push(nd_wconn **head, nd_wconn *c)
{
    c->prev = NULL;
    c->next = *head;
    if (*head) (*head)->prev = c;
    *head = c;
}

static void release_slot(nd_wconn *c)
{
    if (!c->admitted) return;
    c->admitted = false;
    c->web->node->web_active--;
    nd_slot_release(&c->web->node->slots, &c->web->door);
}

static void conn_free(nd_wconn *c)
{
    struct nd_web *w = c->web;
    if (w->cur == c) w->cur = NULL;
    if (ND_WITH_WEB_EVENTS && c->state == W_SSE) nd_web_events_drop(c);
    if (ND_WITH_WEB_FILES && c->state == W_UPLOAD)
        nd_webfs_upload_feed(c, NULL, 0, false); /* drops the partial file */
    release_slot(c);
    nd_slot_unwait(&w->node->slots, &c->wait);
    list_remove(&w->conns, c);
    w->nconns--;
    nd_timer_disarm(&w->node->timers, &c->timer);
    nd_net_close(c->sock);
    nd_buf_free(&c->out);
    free(c->in);
    if (PRODUCERS) free(c->ps);
    free(c);
}

static void begin_linger(nd_wconn *c)
{
    release_slot(c);
    c->state = W_LINGER;
    c->produce = NULL;
    nd_net_shutdown(c->sock);
    arm(c, ND_WEB_LINGER_MS);
}

static void update_watch(nd_wconn *c)
{
    int ev = 0;
    if (c->outoff < c->out.n) ev |= ND_EV_WRITE;
    switch (c->state) {
    case W_HEAD:
    case W_BODY:
    case W_UPLOAD:
        if (c->inn - c->inoff < ND_WEB_IN_MAX) ev |= ND_EV_READ;
        break;
    case W_SSE:
    case W_LINGER:
        ev |= ND_EV_READ; /* only to see the peer go */
        break;
    default:
        /* W_SEND: not reading is the back-pressure on pipelining clients;
        ** W_WAIT: the request is complete, the rest waits its turn */
        break;
    }
    if (c->held) ev = 0; /* a failed login's reply waits; so does the client */
    nd_net_watch(c->sock, conn_event, c, ev);
}

static void process_input(nd_wconn *c);

static nd_wconn *of_waiter(nd_slot_waiter *sw)
{
    return (nd_wconn *)((char *)sw - offsetof(nd_wconn, wait));
}

/* The waiting room gave the request a slot: serve it now. */
static void wait_admit(nd_slot_waiter *sw)
{
    nd_wconn *c = of_waiter(sw);
    c->admitted = true;
    c->web->node->web_active++;
    c->state = W_HEAD;
    arm(c, ND_WEB_SEND_MS);
    nd_web_drive(c);
}

/* micrOS's busy text, as an HTTP reply; the connection ends after it. */
static void busy_reply(nd_wconn *c)
{
    c->web->busy++;
    refuse(c, 503, "Connection is busy. Bye!");
}

/* A request that waited in vain: the busy reply, without a slot. */
static void wait_busy(nd_slot_waiter *sw)
{
    nd_wconn *c = of_waiter(sw);
    c->state = W_HEAD;
    busy_reply(c);
    arm(c, ND_WEB_SEND_MS);
    nd_web_drive(c);
}

/* A slot for the complete request at the head of the input, now or after
** waiting. Returns false when it has to wait (or was told busy). */
static bool get_slot(nd_wconn *c)
{
    struct nd_web *w = c->web;
    if (c->admitted) return true;
    if (nd_slot_take(&w->node->slots, &w->door)) {
        c->admitted = true;
        w->node->web_active++;
        return true;
    }
    c->wait.door = &w->door;
    c->wait.admit = wait_admit;
    c->wait.busy = wait_busy;
    if (!nd_slot_wait(&w->node->slots, &c->wait)) {
        busy_reply(c);
        return false;
    }
    c->state = W_WAIT;
    nd_timer_disarm(&w->node->timers, &c->timer); /* the waiting room has the clock */
    return false;
}

/* When the door has ND_WEB_CONN_MAX sockets a newcomer takes the place of
** one that serves no one: idle between keep-alive requests (the longest
** idle first), else the oldest whose request head is still incomplete. */
static bool evict_socket(struct nd_web *w)
{
    nd_wconn *idle = NULL, *partial = NULL;
    for (nd_wconn *c = w->conns; c; c = c->next) {
        if (c->state != W_HEAD || c->admitted || c->held) continue;
        if (!c->got_bytes && c->inoff == c->inn) {
            if (!idle || c->progress < idle->progress) idle = c;
        } else if (!partial || c->since < partial->since) {
            partial = c;
        }
    }
    nd_wconn *victim = idle ? idle : partial;
    if (!victim) return false;
    conn_free(victim);
    return true;
}

/* ---- request framing --------------------------------------------------------- */

/* Body texts of the statuses a request head is refused with; the rest
** (400) is "Bad request". */
static const char head_texts[] = "405Method not allowed\0" "413Request too large\0"
                                 "414URI too long\0" "431Request headers too large\0"
                                 "505HTTP version not supported\0";

static void bad_head(nd_wconn *c, int status)
{
    /* the stream cannot be trusted past a bad head */
    refuse(c, status, coded(head_texts, status, "Bad request"));
}

/* Handle the request at the start of the unprocessed input, if complete. */
static void process_input(nd_wconn *c)
{
    struct nd_web *w = c->web;
    size_t avail = c->inn - c->inoff;
    const char *base = c->in + c->inoff;
    nd_http_req *r = &w->req;
    int rc = nd_http_parse(base, avail, 0, r);
    if (rc == ND_HTTP_MORE) {
        if (avail >= ND_HTTP_HEAD_MAX) {
            bad_head(c, 431);
            return;
        }
        if (!c->got_bytes) { /* the first bytes of a request: the head clock starts */
            c->got_bytes = true;
            arm(c, ND_WEB_HEAD_MS);
        }
        return;
    }
    if (rc < 0) { /* ND_HTTP_E<status> (http.h) */
        bad_head(c, -rc);
        return;
    }
    c->keep_alive = r->keep_alive;
    if (!c->admitted && !request_auth(c, r)) { /* a wrong password: answered, held back */
        c->inoff = c->inn; /* nothing after it on this connection is served */
        c->nreq++;
        c->got_bytes = false;
        return;
    }
    if (r->chunked) {
        refuse(c, 501, "Chunked request bodies are not supported: send Content-Length");
        return;
    }
    int64_t cl = r->content_length < 0 ? 0 : r->content_length;
    const nd_http_hdr *expect = nd_http_header(r, "expect");
    bool want_continue = expect && nd_span_ieq(expect->value, "100-continue") && r->minor >= 1;
    if (ND_WITH_WEB_FILES && nd_webfs_is_upload(r)) {
        if (r->content_length < 0) {
            refuse(c, 411, "Content-Length required");
            return;
        }
        if (cl > ND_WEB_UPLOAD_MAX) {
            refuse(c, 413, "Upload too large");
            return;
        }
        c->head_only = false;
        size_t head = r->head_len;
        if (!nd_web_allows(c, ND_ACT_FS_WRITE)) { /* before anything about the body is said */
            c->keep_alive = false;
            nd_web_unauthorized(c, r);
            c->inoff = c->inn;
            c->nreq++;
            c->got_bytes = false;
            return;
        }
        if (!get_slot(c)) return;
        w->cur = c;
        nd_webfs_upload_begin(c, r);
        w->cur = NULL;
        if (c->state == W_SEND) return; /* refused (auth, content type): replied */
        if (want_continue && avail == head) nd_buf_puts(&c->out, "HTTP/1.1 100 Continue\r\n\r\n");
        c->state = W_UPLOAD;
        c->body_left = cl;
        c->inoff += head;
        size_t have = c->inn - c->inoff;
        if (have > (size_t)c->body_left) have = (size_t)c->body_left;
        c->body_left -= (int64_t)have;
        const char *p = c->in + c->inoff;
        c->inoff += have;
        arm(c, ND_WEB_BODY_MS);
        nd_webfs_upload_feed(c, p, have, c->body_left == 0);
        if (c->state == W_SEND) c->nreq++, c->got_bytes = false;
        return;
    }
    if (cl > ND_HTTP_BODY_MAX) {
        refuse(c, 413, "Request body too large");
        return;
    }
    size_t total = r->head_len + (size_t)cl;
    if (avail < total) {
        if (c->state != W_BODY && want_continue && avail == r->head_len)
            nd_buf_puts(&c->out, "HTTP/1.1 100 Continue\r\n\r\n");
        c->state = W_BODY;
        c->need = total;
        arm(c, ND_WEB_BODY_MS);
        return;
    }
    if (!get_slot(c)) return;
    nd_span body = {base + r->head_len, (size_t)cl};
    w->cur = c;
    dispatch(c, r, body);
    w->cur = NULL;
    c->inoff += total;
    c->nreq++;
    c->got_bytes = false;
}

/* Bytes moved count as progress (and push the connection's deadlines back)
** only in lumps of ND_WEB_PROGRESS_MIN, or when a transfer completes: a
** client dripping a byte now and then cannot hold its slot for ever. */
static bool note_progress(nd_wconn *c, size_t n, bool complete)
{
    c->moved += n;
    if (c->moved < ND_WEB_PROGRESS_MIN && !complete) return false;
    c->moved = 0;
    c->progress = now_ms();
    return true;
}

/* Send, produce, finish responses and serve pipelined requests as far as
** the socket allows. The only place a connection is freed on its own. */
bool nd_web_drive(nd_wconn *c)
{
    for (int turn = 0;; turn++) {
        if (c->held) goto wait;
        while (c->outoff < c->out.n) {
            long r = nd_net_send(c->sock, c->out.p + c->outoff, c->out.n - c->outoff);
            if (r == ND_EAGAIN) goto wait;
            if (r < 0) {
                conn_free(c);
                return false;
            }
            c->outoff += (size_t)r;
            note_progress(c, (size_t)r, c->outoff == c->out.n);
        }
        c->out.n = c->outoff = 0;
        c->out.overflow = false;
        if (PRODUCERS && c->produce) {
            int r = c->produce(c);
            if (r < 0) {
                conn_free(c);
                return false;
            }
            if (r > 0) {
                c->produce = NULL;
                free(c->ps);
                c->ps = NULL;
            }
            if (c->out.n) continue;
            if (c->produce) goto wait; /* an events stream waiting for events */
        }
        if (c->state == W_SEND) {
            if (c->close_after) {
                begin_linger(c);
                goto wait;
            }
            c->state = W_HEAD;
            c->head_only = false;
            release_slot(c); /* served: an idle connection holds no slot */
            c->progress = now_ms(); /* idle since now (eviction picks the oldest) */
            /* give back what a large request or response needed */
            if (c->out.cap > 4 * ND_WEB_OUT_LOW) nd_buf_free(&c->out);
            if (c->inoff == c->inn) {
                c->inoff = c->inn = 0;
                if (c->incap > ND_WEB_IN_FIRST) {
                    free(c->in);
                    c->in = NULL;
                    c->incap = 0;
                }
            }
            if (!c->got_bytes) arm(c, ND_WEB_IDLE_MS);
        }
        if (c->state == W_BODY && c->inn - c->inoff >= c->need) c->state = W_HEAD;
        if (c->state == W_HEAD && c->inoff < c->inn) {
            if (turn >= 32) { /* many pipelined requests: let other clients in first */
                c->kick = true;
                nd_timer_arm(&c->web->node->timers, &c->timer, now_ms(), conn_timer, c);
                goto wait;
            }
            process_input(c);
            if (c->state == W_SEND) continue;
        }
        break;
    }
wait:
    update_watch(c);
    return true;
}

/* ---- socket and timer events -------------------------------------------------- */

static bool grow_input(nd_wconn *c)
{
    if (c->inoff) { /* compact: processed bytes go */
        memmove(c->in, c->in + c->inoff, c->inn - c->inoff);
        c->inn -= c->inoff;
        c->inoff = 0;
    }
    /* an upload reads in larger pieces: fewer system calls per megabyte */
    bool upload_small = ND_WITH_WEB_FILES && c->state == W_UPLOAD && c->incap < ND_WEB_CHUNK;
    if (c->inn < c->incap && !upload_small) return true;
    if (c->incap >= ND_WEB_IN_MAX) return false;
    size_t ncap = c->incap ? c->incap * 2 : ND_WEB_IN_FIRST;
    if (upload_small) ncap = ND_WEB_CHUNK;
    if (ncap > ND_WEB_IN_MAX) ncap = ND_WEB_IN_MAX;
    char *p = realloc(c->in, ncap);
    if (!p) return false;
    c->in = p;
    c->incap = ncap;
    return true;
}

static void on_readable(nd_wconn *c)
{
    if (c->state == W_SEND) {
        /* not watched for reading: this is a hang-up or an error; sending
        ** tells which (a pipelined request stays unread meanwhile) */
        nd_web_drive(c);
        return;
    }
    if ((ND_WITH_WEB_EVENTS && c->state == W_SSE) || c->state == W_LINGER) {
        char sink[512];
        long r = nd_net_recv(c->sock, sink, sizeof sink);
        if (r == ND_EAGAIN) return;
        if (r <= 0) conn_free(c); /* the peer went: nothing left to do for it */
        return;
    }
    if (!grow_input(c)) {
        update_watch(c);
        return;
    }
    size_t space = c->incap - c->inn;
    if (c->state == W_WAIT) space = 0; /* not watched: a hang-up shows when it is served */
    if (!space) {
        update_watch(c);
        return;
    }
    long r = nd_net_recv(c->sock, c->in + c->inn, space);
    if (r == ND_EAGAIN) return;
    if (r <= 0) {
        conn_free(c);
        return;
    }
    c->inn += (size_t)r;
    if (ND_WITH_WEB_FILES && c->state == W_UPLOAD) {
        size_t have = c->inn - c->inoff;
        if (have > (size_t)c->body_left) have = (size_t)c->body_left;
        c->body_left -= (int64_t)have;
        const char *p = c->in + c->inoff;
        c->inoff += have;
        if (note_progress(c, have, c->body_left == 0)) arm(c, ND_WEB_BODY_MS);
        nd_webfs_upload_feed(c, p, have, c->body_left == 0);
        if (c->state == W_SEND) c->nreq++, c->got_bytes = false;
        else {
            c->inoff = c->inn = 0; /* everything fed: the buffer is free again */
            update_watch(c);
            return;
        }
    } else if (c->state == W_BODY) {
        /* a buffered body (<= ND_HTTP_BODY_MAX) has one deadline, from its head */
        if (c->inn - c->inoff < c->need) {
            update_watch(c);
            return;
        }
    }
    nd_web_drive(c);
}

static void conn_event(nd_sock *s, int ev, void *ud)
{
    (void)s;
    nd_wconn *c = ud;
    if ((ev & ND_EV_WRITE) && !nd_web_drive(c)) return;
    if (ev & ND_EV_READ) on_readable(c);
}

static void conn_timer(nd_timer *t, void *ud)
{
    (void)t;
    nd_wconn *c = ud;
    if (c->held) { /* a failed login's reply may go now */
        c->held = false;
        arm(c, ND_WEB_SEND_MS);
        nd_web_drive(c);
        return;
    }
    if (c->kick) {
        c->kick = false;
        if (c->state == W_HEAD && c->got_bytes) arm(c, ND_WEB_HEAD_MS);
        else if (c->state == W_HEAD) arm(c, ND_WEB_IDLE_MS);
        nd_web_drive(c);
        return;
    }
    if (c->state == W_HEAD && !c->got_bytes) { /* an idle keep-alive connection */
        conn_free(c);
        return;
    }
    switch (c->state) {
    case W_HEAD: /* an incomplete head */
    case W_BODY:
    case W_UPLOAD:
        if (ND_WITH_WEB_FILES && c->state == W_UPLOAD)
            nd_webfs_upload_feed(c, NULL, 0, false); /* aborts it */
        if (PRODUCERS) {
            c->produce = NULL;
            free(c->ps);
            c->ps = NULL;
        }
        c->out.n = c->outoff = 0;
        refuse(c, 408, "Request timeout");
        arm(c, ND_WEB_SEND_MS);
        nd_web_drive(c);
        return;
    case W_SSE:
        if (!ND_WITH_WEB_EVENTS) return; /* no streams in this image */
        if (c->outoff < c->out.n && now_ms() - c->progress >= ND_WEB_SSE_STALL_MS) {
            conn_free(c);
            return;
        }
        if (ND_WITH_WEB_EVENTS) nd_web_events_ping(c);
        arm(c, ND_WEB_SSE_PING_MS);
        nd_web_drive(c);
        return;
    case W_WAIT:
        return; /* the waiting room has the clock */
    default: /* W_SEND stalled, W_LINGER over */
        if (c->state == W_SEND && now_ms() - c->progress < ND_WEB_SEND_MS) {
            arm(c, ND_WEB_SEND_MS - (now_ms() - c->progress));
            return;
        }
        conn_free(c);
        return;
    }
}

static void accept_event(nd_sock *ls, int ev, void *ud)
{
    (void)ev;
    struct nd_web *w = ud;
    for (int k = 0; k < 64; k++) { /* bounded per turn: other sockets get served too */
        nd_sock *cs;
        char peer[64];
        int rc = nd_net_accept(ls, &cs, peer, sizeof peer);
        if (rc == ND_EAGAIN) return;
        if (rc != ND_OK) continue;
        if (w->nconns >= ND_WEB_CONN_MAX) evict_socket(w);
        nd_wconn *c = w->nconns < ND_WEB_CONN_MAX ? calloc(1, sizeof *c) : NULL;
        if (!c) {
            nd_net_close(cs); /* every socket serves someone: refuse without a word */
            w->busy++;
            continue;
        }
        w->accepted++;
        w->nconns++;
        c->web = w;
        c->sock = cs;
        c->since = c->progress = now_ms();
        snprintf(c->peer, sizeof c->peer, "%s", peer);
        nd_buf_init(&c->out, ND_WEB_OUT_MAX);
        list_push(&w->conns, c);
        c->state = W_HEAD;
        c->keep_alive = true;
        /* micrOS: no data within 10 s -> 408; counted from the accept */
        c->got_bytes = true;
        arm(c, ND_WEB_HEAD_MS);
        update_watch(c);
    }
}

/* ---- start and stop ------------------------------------------------------------ */

int nd_web_start(struct nd_node *n)
{
    struct nd_web *w = calloc(1, sizeof *w);
    if (!w) return ND_ENOMEM;
    w->node = n;
    n->web = w;
    w->door.name = "web";
    w->door.cap = web_cap;
    nd_slot_door_add(&n->slots, &w->door);
    nd_buf_init(&w->body, ND_WEB_OUT_MAX);
    if (ND_WITH_WEB_FILES) nd_webfs_start(w);
    const char *bind = nd_cfg_get_str(n->cfg, ND_K_bind);
    int port = (int)nd_cfg_get_int(n->cfg, ND_K_webport);
    int rc = nd_net_listen(bind, port, 511, accept_event, w, &w->ls);
    if (rc != ND_OK) {
        w->ls = NULL;
        if (rc == ND_EINVAL && port < 1024)
            snprintf(w->problem, sizeof w->problem,
                     "cannot listen on %s:%d: ports below 1024 need root; set webport, "
                     "e.g. --set webport=8080 (or `conf` then `webport 8080`)", bind, port);
        else
            snprintf(w->problem, sizeof w->problem,
                     "cannot listen on %s:%d (%s); set webport to a free port, "
                     "e.g. --set webport=8080", bind, port,
                     rc == ND_EIO ? "address in use?" : nd_strerror(rc));
        nd_log(n, "[ERR] web: %s", w->problem);
        return ND_OK; /* the shell runs on */
    }
    nd_log(n, "[BOOT] web listening on %s:%d", bind, nd_net_local_port(w->ls));
    return ND_OK;
}

void nd_web_stop(struct nd_node *n)
{
    struct nd_web *w = n->web;
    if (!w) return;
    while (w->conns) {
        nd_wconn *c = w->conns;
        if (c->outoff < c->out.n) /* best effort, as the shell does */
            nd_net_send(c->sock, c->out.p + c->outoff, c->out.n - c->outoff);
        conn_free(c);
    }
    nd_slot_door_remove(&n->slots, &w->door);
    nd_timer_disarm(&n->timers, &w->reboot);
    if (w->ls) nd_net_close(w->ls);
    nd_buf_free(&w->body);
    free(w);
    n->web = NULL;
}

int nd_web_port(struct nd_node *n) { return n->web && n->web->ls ? nd_net_local_port(n->web->ls) : -1; }

int nd_web_clients(struct nd_node *n) { return n->web_active; }

const char *nd_web_problem(struct nd_node *n) { return n->web ? n->web->problem : ""; }
