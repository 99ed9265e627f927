/*
** notify.c -- the notify service (notify.h): micrOS's Notify role.
**
** A message goes to every configured channel (MQTT topic, webhook,
** Telegram bot). Each channel is a small machine of its own:
**   - a rate gate: at most one message per notify_rate_s; the rest are
**     counted (suppressed) and the next message that passes says how many
**     were left out, so a flood costs nothing but a counter;
**   - a bounded queue (ND_NOTIFY_QUEUE, the oldest goes when full, counted);
**   - one delivery at a time through the node's HTTP client (or one
**     nd_mqtt_publish), with a timeout; a failure is logged and the message
**     retried after a doubling backoff, up to ND_NOTIFY_ATTEMPTS times.
** Nothing here waits on the network: the loop drives every step. The service
** is allocated on first use, so a node that never notifies pays nothing.
**
** Secrets: the Telegram token is part of the request path and the webhook
** token a header; neither is ever logged (the HTTP client's errors name
** only host and port, and nd_log masks secret config values anyway).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_client.h"
#include "mqtt.h"
#include "node_int.h"
#include "notify.h"
#include "nodus/port.h"
#include "text.h"

#if !ND_WITH_HTTP_CLIENT
/* no HTTP client in this image (nodus/opts.h): start_http refuses before any
** fetch exists, so these are never reached; as stubs they keep it out. */
#define nd_fetch_status(f) ((void)(f), 0)
#define nd_fetch_free(f) ((void)(f))
#define nd_fetch_request(n, rq, tmo, max, cb, ud, out, err, errn) \
    ((void)(n), (void)(rq), (void)(tmo), (void)(max), (void)(cb), (void)(ud), (void)(out), \
     (void)(err), (void)(errn), ND_EINVAL)
#endif

/* Neither MQTT nor the HTTP client in this image (nodus/opts.h): no channel
** can deliver, so a message the rate gate lets through is given up at once,
** with the log line and counts a failed first attempt gives. The queue, the
** retries and the payload builders are then never reached, and left out. */
#define ND_NOTIFY_DELIVERS (ND_WITH_MQTT || ND_WITH_HTTP_CLIENT)

typedef struct note {
    char title[ND_NOTIFY_TITLE_MAX];
    char text[ND_NOTIFY_TEXT_MAX];
    int64_t when;        /* node wall clock, s */
    uint64_t suppressed; /* messages the rate gate left out just before this one */
    int attempts;
} note;

typedef struct chan {
    struct nd_notify *svc;
    int id;
    note q[ND_NOTIFY_QUEUE];
    int head, count;
    uint64_t last_pass_ms; /* when the rate gate last let one through */
    bool passed_once;
    uint64_t pending_suppressed; /* left out since the last that passed */
    nd_fetch *fetch;             /* delivery in flight */
    int fetch_rc;                /* its outcome, read by the reaper */
    char fetch_err[ND_ERRMSG];
    bool fetch_done;
    nd_timer t; /* retry backoff, or the reaper of a finished fetch */
    nd_notify_stats st;
} chan;

struct nd_notify {
    struct nd_node *node;
    bool disabled;
    chan ch[ND_NCH_N];
};

static const char *const names[ND_NCH_N] = {"MQTT", "Webhook", "Telegram"};

const char *nd_notify_channel_name(int ch) { return ch >= 0 && ch < ND_NCH_N ? names[ch] : "?"; }

int nd_notify_channel_find(const char *name)
{
    for (int i = 0; i < ND_NCH_N; i++)
        if (nd_span_ieq((nd_span){name, strlen(name)}, names[i])) return i;
    return -1;
}

static bool set(const char *v) { return v && *v && strcmp(v, "n/a") != 0; }

/* A channel whose transport the image lacks has no keys there (cfg_keys.def:
** ND_KEY_WITH), so it is never configured: said as constants, the compiler
** then leaves out everything behind it. */
bool nd_notify_configured(struct nd_node *n, int ch)
{
    switch (ch) {
    case ND_NCH_MQTT: return ND_WITH_MQTT && set(nd_cfg_get_str(n->cfg, ND_K_notify_mqtt));
    case ND_NCH_WEBHOOK: return ND_WITH_HTTP_CLIENT && set(nd_cfg_get_str(n->cfg, ND_K_notify_webhook));
    case ND_NCH_TELEGRAM:
        return ND_WITH_HTTP_CLIENT && set(nd_cfg_get_str(n->cfg, ND_K_notify_tg_token)) &&
               set(nd_cfg_get_str(n->cfg, ND_K_notify_tg_chat));
    }
    return false;
}

static struct nd_notify *svc(struct nd_node *n, bool create)
{
    if (n->notify || !create) return n->notify;
    struct nd_notify *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->node = n;
    for (int i = 0; i < ND_NCH_N; i++) {
        s->ch[i].svc = s;
        s->ch[i].id = i;
    }
    n->notify = s;
    return s;
}

bool nd_notify_enabled(struct nd_node *n) { return !(n->notify && n->notify->disabled); }

void nd_notify_set_enabled(struct nd_node *n, bool on)
{
    struct nd_notify *s = svc(n, !on);
    if (s) s->disabled = !on;
}

/* ---- payloads -------------------------------------------------------------- */

/* {"node": ..., "title": ..., "text": ..., "time": ..., "suppressed": n} */
static int json_payload(struct nd_node *n, const note *m, nd_buf *b)
{
    nd_buf_puts(b, "{\"node\": ");
    const char *fid = nd_cfg_get_str(n->cfg, ND_K_devfid);
    nd_json_escape(b, fid, strlen(fid));
    nd_buf_puts(b, ", \"title\": ");
    nd_json_escape(b, m->title, strlen(m->title));
    nd_buf_puts(b, ", \"text\": ");
    nd_json_escape(b, m->text, strlen(m->text));
    return nd_buf_printf(b, ", \"time\": %lld, \"suppressed\": %llu}", (long long)m->when,
                         (unsigned long long)m->suppressed);
}

/* Telegram's sendMessage: {"chat_id": ..., "text": "<devfid>: [title: ]text"},
** the devfid first as micrOS writes it. */
static int telegram_payload(struct nd_node *n, const note *m, nd_buf *b)
{
    nd_buf line;
    nd_buf_init(&line, ND_NOTIFY_TITLE_MAX + ND_NOTIFY_TEXT_MAX + 128);
    nd_buf_printf(&line, "%s: ", nd_cfg_get_str(n->cfg, ND_K_devfid));
    if (m->title[0]) nd_buf_printf(&line, "%s: ", m->title);
    nd_buf_puts(&line, m->text);
    if (m->suppressed) nd_buf_printf(&line, " (+%llu suppressed)", (unsigned long long)m->suppressed);
    const char *chat = nd_cfg_get_str(n->cfg, ND_K_notify_tg_chat);
    nd_buf_puts(b, "{\"chat_id\": ");
    nd_json_escape(b, chat, strlen(chat));
    nd_buf_puts(b, ", \"text\": ");
    nd_json_escape(b, line.p ? line.p : "", line.n);
    int rc = nd_buf_puts(b, "}");
    nd_buf_free(&line);
    return rc;
}

/* ---- delivery -------------------------------------------------------------- */

static void pump(chan *c);

static void set_error(chan *c, const char *fmt, const char *detail)
{
    snprintf(c->st.last_error, sizeof c->st.last_error, fmt, detail);
}

/* The head message is done with: delivered (ok) or given up. */
static void pop(chan *c)
{
    c->head = (c->head + 1) % ND_NOTIFY_QUEUE;
    c->count--;
}

static void on_timer(nd_timer *t, void *ud);

/* The message after `attempts` tries is lost: counted and logged. */
static void give_up(chan *c, int attempts)
{
    c->st.failed++;
    nd_log(c->svc->node, "[ERR] notify %s: message given up after %d attempt(s): %s", names[c->id],
           attempts, c->st.last_error);
}

/* A delivery failed: retry after a backoff, or give the message up. */
static void failed(chan *c, bool permanent)
{
    struct nd_node *n = c->svc->node;
    note *m = &c->q[c->head];
    if (permanent || m->attempts >= ND_NOTIFY_ATTEMPTS) {
        give_up(c, m->attempts);
        pop(c);
        pump(c);
        return;
    }
    uint64_t delay = (uint64_t)ND_NOTIFY_BACKOFF_MS << (m->attempts - 1);
    if (delay > ND_NOTIFY_BACKOFF_MAX_MS) delay = ND_NOTIFY_BACKOFF_MAX_MS;
    uint16_t r;
    nd_port_random(&r, sizeof r);
    delay += r % (delay / 4 + 1); /* jitter: a fleet that lost one endpoint does not retry in step */
    c->st.retries++;
    nd_log(n, "[WARN] notify %s: attempt %d failed (%s); retry in %llu ms", names[c->id], m->attempts,
           c->st.last_error, (unsigned long long)delay);
    nd_timer_arm(&n->timers, &c->t, nd_port_mono_ms() + delay, on_timer, c);
}

static void delivered(chan *c)
{
    c->st.sent++;
    c->st.last_error[0] = 0;
    pop(c);
    pump(c);
}

/* Called from inside the HTTP client: only note the outcome; the reaper
** (a timer, outside the client) frees the fetch and moves on. */
static void f_done(void *ud, int rc, const char *err)
{
    chan *c = ud;
    c->fetch_rc = rc;
    snprintf(c->fetch_err, sizeof c->fetch_err, "%s", err ? err : "");
    c->fetch_done = true;
    nd_timer_arm(&c->svc->node->timers, &c->t, nd_port_mono_ms(), on_timer, c);
}

/* The status line says it all: stop there, whatever body follows (a
** webhook that answers 200 with a large page is still a success). */
static int f_head(void *ud, bool known, uint64_t length)
{
    (void)known, (void)length;
    f_done(ud, ND_OK, NULL);
    return 1; /* stop: the client calls nothing more */
}

static int f_data(void *ud, const void *p, size_t n)
{
    (void)ud, (void)p, (void)n;
    return 1;
}

static void reap(chan *c)
{
    int status = nd_fetch_status(c->fetch);
    nd_fetch_free(c->fetch);
    c->fetch = NULL;
    c->fetch_done = false;
    if (c->fetch_rc != ND_OK) {
        set_error(c, "%s", c->fetch_err);
        failed(c, false);
    } else if (status >= 200 && status < 300) {
        delivered(c);
    } else {
        char e[32];
        snprintf(e, sizeof e, "%d", status);
        set_error(c, "the endpoint answered HTTP %s", e);
        /* a client error other than timeout/too-many will not heal by itself */
        failed(c, status >= 400 && status < 500 && status != 408 && status != 429);
    }
}

static void start_http(chan *c, note *m)
{
    struct nd_node *n = c->svc->node;
    if (!ND_WITH_HTTP_CLIENT) {
        set_error(c, "%s", "the HTTP client is not built into this node");
        failed(c, true);
        return;
    }
    nd_buf body, url, hdr;
    nd_buf_init(&body, ND_FETCH_BODY_MAX);
    nd_buf_init(&url, 1024);
    nd_buf_init(&hdr, 1024);
    if (c->id == ND_NCH_WEBHOOK) {
        nd_buf_puts(&url, nd_cfg_get_str(n->cfg, ND_K_notify_webhook));
        const char *tok = nd_cfg_get_str(n->cfg, ND_K_notify_webhook_token);
        if (set(tok)) nd_buf_printf(&hdr, "Authorization: Bearer %s\r\n", tok);
        json_payload(n, m, &body);
    } else {
        const char *base = nd_cfg_get_str(n->cfg, ND_K_notify_tg_url);
        size_t bl = strlen(base);
        while (bl && base[bl - 1] == '/') bl--;
        nd_buf_put(&url, base, bl);
        nd_buf_printf(&url, "/bot%s/sendMessage", nd_cfg_get_str(n->cfg, ND_K_notify_tg_token));
        telegram_payload(n, m, &body);
    }
    char err[ND_ERRMSG] = "";
    int rc = ND_ELIMIT;
    if (!body.overflow && !url.overflow && !hdr.overflow) {
        nd_fetch_req rq = {.method = "POST",
                           .url = nd_buf_cstr(&url),
                           .headers = hdr.p ? nd_buf_cstr(&hdr) : NULL,
                           .ctype = "application/json",
                           .body = body.p,
                           .bodyn = body.n,
                           .any_status = true};
        static const nd_fetch_cb cb = {f_head, f_data, f_done};
        /* no body bound: the head ends the exchange (f_head) */
        rc = nd_fetch_request(n, &rq, ND_NOTIFY_TIMEOUT_MS, UINT64_MAX, &cb, c, &c->fetch, err, sizeof err);
    } else {
        snprintf(err, sizeof err, "request too large");
    }
    nd_buf_free(&body);
    nd_buf_free(&url);
    nd_buf_free(&hdr);
    if (rc != ND_OK) {
        c->fetch = NULL;
        /* a bad URL is the user's to fix: say so once, do not retry */
        set_error(c, "%s", err);
        failed(c, rc == ND_EINVAL);
    }
}

static void start_mqtt(chan *c, note *m)
{
    struct nd_node *n = c->svc->node;
    if (!ND_WITH_MQTT) { /* nodus/opts.h: no MQTT client in this image */
        set_error(c, "%s", "MQTT is not built into this node");
        failed(c, true);
        return;
    }
    const char *t = nd_cfg_get_str(n->cfg, ND_K_notify_mqtt);
    char topic[ND_MQTT_TOPIC_MAX + 1];
    int k = !strncmp(t, "~/", 2) ? snprintf(topic, sizeof topic, "%s/%s", nd_mqtt_prefix(n), t + 2)
                                 : snprintf(topic, sizeof topic, "%s", t);
    if (k < 0 || (size_t)k >= sizeof topic) {
        set_error(c, "%s", "notify_mqtt topic too long");
        failed(c, true);
        return;
    }
    nd_buf body;
    nd_buf_init(&body, ND_FETCH_BODY_MAX);
    json_payload(n, m, &body);
    int rc = body.overflow ? ND_ELIMIT : nd_mqtt_publish(n, topic, body.p, body.n, 1, false);
    nd_buf_free(&body);
    if (rc == 0) {
        delivered(c);
        return;
    }
    set_error(c, "%s", rc == ND_EAGAIN ? "MQTT is off (config mqtt)" : nd_strerror(rc));
    failed(c, rc == ND_EINVAL || rc == ND_ELIMIT);
}

/* Start delivering the head message unless one is under way. */
static void pump(chan *c)
{
    if (c->fetch || nd_timer_armed(&c->t) || !c->count) return;
    note *m = &c->q[c->head];
    m->attempts++;
    if (c->id == ND_NCH_MQTT) start_mqtt(c, m);
    else start_http(c, m);
}

static void on_timer(nd_timer *t, void *ud)
{
    (void)t;
    chan *c = ud;
    if (c->fetch_done) reap(c);
    else pump(c); /* backoff over: try again */
}

/* ---- sending ------------------------------------------------------------- */

static int enqueue(chan *c, const char *title, const char *text, bool force)
{
    struct nd_node *n = c->svc->node;
    uint64_t now = nd_port_mono_ms();
    uint64_t gap = (uint64_t)nd_cfg_get_int(n->cfg, ND_K_notify_rate_s) * 1000u;
    if (!force && c->passed_once && now - c->last_pass_ms < gap) {
        c->st.suppressed++;
        c->pending_suppressed++;
        return ND_NOTE_SUPPRESSED;
    }
    c->passed_once = true;
    c->last_pass_ms = now;
    if (!ND_NOTIFY_DELIVERS) { /* its first attempt fails at once, as start_mqtt/start_http's would */
        c->pending_suppressed = 0;
        set_error(c, "%s", c->id == ND_NCH_MQTT ? "MQTT is not built into this node"
                                                : "the HTTP client is not built into this node");
        give_up(c, 1);
        return ND_NOTE_QUEUED;
    }
    if (c->count == ND_NOTIFY_QUEUE) { /* full: the oldest waiting one goes (never the one in flight) */
        int victim = (c->fetch || nd_timer_armed(&c->t)) ? (c->head + 1) % ND_NOTIFY_QUEUE : c->head;
        if (victim != c->head) /* shift the rest down over the victim */
            for (int i = 1; i < c->count - 1; i++)
                c->q[(c->head + i) % ND_NOTIFY_QUEUE] = c->q[(c->head + i + 1) % ND_NOTIFY_QUEUE];
        else
            c->head = (c->head + 1) % ND_NOTIFY_QUEUE;
        c->count--;
        c->st.dropped++;
    }
    note *m = &c->q[(c->head + c->count) % ND_NOTIFY_QUEUE];
    snprintf(m->title, sizeof m->title, "%s", title ? title : "");
    snprintf(m->text, sizeof m->text, "%s", text);
    m->when = nd_node_time(n);
    m->suppressed = c->pending_suppressed;
    m->attempts = 0;
    c->pending_suppressed = 0;
    c->count++;
    pump(c);
    return ND_NOTE_QUEUED;
}

int nd_notify_send(struct nd_node *n, const char *title, const char *text, unsigned mask, bool force,
                   int res[ND_NCH_N])
{
    for (int i = 0; res && i < ND_NCH_N; i++) res[i] = ND_NOTE_OFF; /* filled whatever happens */
    if (!nd_notify_enabled(n)) return ND_EAGAIN;
    if ((title && strlen(title) >= ND_NOTIFY_TITLE_MAX) || strlen(text) >= ND_NOTIFY_TEXT_MAX)
        return ND_ELIMIT;
    struct nd_notify *s = NULL;
    int queued = 0;
    for (int i = 0; i < ND_NCH_N; i++) {
        int r = ND_NOTE_OFF;
        if ((mask & (1u << i)) && nd_notify_configured(n, i)) {
            if (!s) s = svc(n, true);
            if (!s) r = ND_NOTE_ERROR;
            else r = enqueue(&s->ch[i], title, text, force);
            if (r == ND_NOTE_QUEUED) queued++;
        }
        if (res) res[i] = r;
    }
    return queued;
}

int nd_notify(struct nd_node *n, const char *title, const char *text)
{
    return nd_notify_send(n, title, text ? text : "", ND_NCH_ALL, false, NULL);
}

void nd_notify_get_stats(struct nd_node *n, int ch, nd_notify_stats *st)
{
    memset(st, 0, sizeof *st);
    if (n->notify && ch >= 0 && ch < ND_NCH_N) {
        *st = n->notify->ch[ch].st;
        st->queued = n->notify->ch[ch].count;
    }
    st->configured = nd_notify_configured(n, ch);
}

void nd_notify_free(struct nd_node *n)
{
    struct nd_notify *s = n->notify;
    if (!s) return;
    for (int i = 0; i < ND_NCH_N; i++) {
        nd_fetch_free(s->ch[i].fetch);
        nd_timer_disarm(&n->timers, &s->ch[i].t);
    }
    free(s);
    n->notify = NULL;
}
