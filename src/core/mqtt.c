/*
** mqtt.c -- the node's MQTT session and its command door.
**
** Life of a session: resolve `mqtt_host` through the node's resolver (never
** a blocking lookup), open a port session to the numeric address (the port
** connects and shakes hands without blocking), wait for CONNACK at most
** ND_MQTT_CONNECT_TIMEOUT_MS (a broker that accepts TCP and then says
** nothing must not hold the node), then: subscribe, publish the retained
** birth `online` (the will says `offline`), Home Assistant discovery, and
** drain the queue. A failure anywhere closes the session and retries after
** an exponential backoff (1 s doubling to 60 s) with jitter, so a fleet
** that lost its broker does not come back in one thundering herd.
**
** The outgoing queue holds every message published through
** nd_mqtt_publish until the port took it (QoS 0) or the broker acknowledged
** it (QoS 1: an unacknowledged message is sent again on the next session).
** It is bounded by count (`mqtt_queue`) and bytes (ND_MQTT_QUEUE_BYTES);
** when full, the oldest message goes and nodus_mqtt_dropped_total counts it.
**
** The command door: <prefix>/cmd carries a command line, or JSON
** {"cmd": "...", "id": "..."}. It runs through nd_exec like every other
** door; the reply goes to <prefix>/reply as REST's envelope
** {"result": ..., "state": ...} plus "id" when the command had one. The
** door's authentication is the broker's (README "MQTT and Home Assistant").
** Bounded: at most `mqtt_cmd_rate` commands per second (token bucket) and
** ND_MQTT_CMD_MAX bytes per message; refusals are counted and answered.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "json.h"
#include "mqtt_int.h"
#include "nodus/port.h"

nd_mqtt *nd_mqtt_of(struct nd_node *n) { return n ? n->mqtt : NULL; }

static void retry_later(nd_mqtt *m);
static void flush(nd_mqtt *m);

/* ---- topics ---------------------------------------------------------------- */
int nd_mqtt_topic_ok(const char *t, size_t len, bool filter, char *err, size_t errn)
{
    if (len == 0) {
        snprintf(err, errn, "empty topic");
        return ND_EINVAL;
    }
    if (len > ND_MQTT_TOPIC_MAX) {
        snprintf(err, errn, "topic too long: %lu bytes (limit %d)", (unsigned long)len,
                 ND_MQTT_TOPIC_MAX);
        return ND_ELIMIT;
    }
    for (size_t i = 0; i < len; i++) {
        char c = t[i];
        if (c == 0) {
            snprintf(err, errn, "NUL byte in topic");
            return ND_EINVAL;
        }
        if (c == '+' || c == '#') {
            if (!filter) {
                snprintf(err, errn, "wildcard '%c' in a topic to publish to", c);
                return ND_EINVAL;
            }
            /* a wildcard fills a whole level; '#' only the last */
            bool lone = (i == 0 || t[i - 1] == '/') && (i + 1 == len || t[i + 1] == '/');
            if (!lone || (c == '#' && i + 1 != len)) {
                snprintf(err, errn, "misplaced wildcard '%c' in filter", c);
                return ND_EINVAL;
            }
        }
    }
    return ND_OK;
}

int nd_mqtt_check_topic(const char *topic, size_t len, bool filter, char *err, size_t errn)
{
    return nd_mqtt_topic_ok(topic, len, filter, err, errn);
}

const char *nd_mqtt_prefix(struct nd_node *n)
{
    nd_mqtt *m = nd_mqtt_of(n);
    return m ? m->prefix : "";
}

bool nd_mqtt_connected(struct nd_node *n)
{
    nd_mqtt *m = nd_mqtt_of(n);
    return m && m->state == ND_MQ_UP;
}

/* ---- the queue ------------------------------------------------------------- */
static void q_unlink(nd_mqtt *m, nd_mq_item *it)
{
    if (it->prev) it->prev->next = it->next;
    else m->qhead = it->next;
    if (it->next) it->next->prev = it->prev;
    else m->qtail = it->prev;
    m->qcount--;
    m->qbytes -= it->len + strlen(it->topic);
    free(it);
}

int nd_mqtt_publish(struct nd_node *n, const char *topic, const void *payload, size_t len,
                    int qos, bool retain)
{
    nd_mqtt *m = nd_mqtt_of(n);
    if (!m) return ND_EAGAIN;
    if (!topic || (qos != 0 && qos != 1) || (len && !payload)) return ND_EINVAL;
    size_t tl = strlen(topic);
    char err[ND_ERRMSG];
    int rc = nd_mqtt_topic_ok(topic, tl, false, err, sizeof err);
    if (rc) return rc;
    if (len > ND_MQTT_PAYLOAD_MAX) return ND_ELIMIT;
    /* room: drop the oldest waiting message until this one fits. When only
    ** in-flight ones are left, the oldest of those goes: it is already with
    ** the session (libmosquitto resends it while the session lasts), only
    ** our copy for the next session is lost -- the bound holds whatever the
    ** broker does, and only messages that never left count as dropped */
    while (m->qhead && (m->qcount >= m->qmax || m->qbytes + len + tl > ND_MQTT_QUEUE_BYTES)) {
        nd_mq_item *v = m->qhead;
        while (v && v->inflight) v = v->next;
        if (v) m->st.dropped++;
        q_unlink(m, v ? v : m->qhead);
    }
    nd_mq_item *it = malloc(sizeof *it + len + tl + 1);
    if (!it) return ND_ENOMEM;
    memset(it, 0, sizeof *it);
    if (len) memcpy(it->data, payload, len);
    it->topic = it->data + len;
    memcpy(it->topic, topic, tl + 1);
    it->len = len;
    it->qos = (uint8_t)qos;
    it->retain = retain;
    it->prev = m->qtail;
    if (m->qtail) m->qtail->next = it;
    else m->qhead = it;
    m->qtail = it;
    m->qcount++;
    m->qbytes += len + tl;
    flush(m);
    return ND_OK;
}

/* Hand waiting messages to the session while it takes them. */
static void flush(nd_mqtt *m)
{
    if (m->state != ND_MQ_UP) return;
    nd_mq_item *it = m->qhead;
    while (it && nd_mqtt_port_pending(m->conn) < ND_MQTT_INFLIGHT) {
        nd_mq_item *next = it->next;
        if (!it->inflight) {
            int mid = 0;
            /* a QoS 1 message with a mid was sent in an earlier session */
            int q = it->qos | (it->qos && it->mid ? ND_MQTT_PORT_DUP : 0);
            int rc = nd_mqtt_port_publish(m->conn, it->topic, it->data, it->len, q, it->retain,
                                          &mid);
            if (rc == ND_EAGAIN || rc == ND_ECLOSED) return; /* later / next session */
            if (rc != ND_OK) {
                q_unlink(m, it); /* the broker can never take it */
                m->st.dropped++;
            } else {
                m->st.published++;
                if (it->qos == 0) {
                    q_unlink(m, it);
                } else {
                    it->inflight = true;
                    it->mid = mid;
                }
            }
        }
        it = next;
    }
}

int nd_mqtt_send_now(nd_mqtt *m, const char *topic, const void *p, size_t len, int qos, bool retain)
{
    if (m->state != ND_MQ_UP) return ND_ECLOSED;
    int rc = nd_mqtt_port_publish(m->conn, topic, p, len, qos, retain, NULL);
    if (rc == ND_OK) m->st.published++;
    return rc;
}

/* ---- the command door ------------------------------------------------------ */
int nd_mqtt_exec(nd_mqtt *m, const char *line, size_t len, nd_buf *out)
{
    struct nd_node *n = m->node;
    /* the one decision table: the MQTT door's row (auth.c) */
    if (!nd_auth_allows(n, ND_AUTH_DOOR_MQTT, nd_auth_classify(n, line, len), false)) {
        nd_buf_puts(out, "Auth:Protected");
        return ND_X_FAIL;
    }
    nd_ctx ctx = {.door = ND_DOOR_MQTT, .json = true};
    m->st.commands++;
    return nd_exec(n, &ctx, line, len, out);
}

/* {"id": <id>, "result": <result>, "state": <bool>} onto <prefix>/reply. */
static void reply(nd_mqtt *m, const char *id_json, const char *res, size_t rn, bool res_is_json,
                  bool state, int qos)
{
    nd_buf b;
    nd_buf_init(&b, ND_REPLY_MAX + 1024);
    nd_buf_putc(&b, '{');
    if (id_json) nd_buf_printf(&b, "\"id\": %s, ", id_json);
    nd_buf_puts(&b, "\"result\": ");
    if (res_is_json) nd_buf_put(&b, res, rn);
    else nd_json_escape(&b, res, rn);
    nd_buf_printf(&b, ", \"state\": %s}", state ? "true" : "false");
    if (!b.overflow) nd_mqtt_publish(m->node, m->t_reply, b.p, b.n, qos, false);
    nd_buf_free(&b);
}

static void refuse(nd_mqtt *m, const char *id_json, const char *msg, int qos)
{
    reply(m, id_json, msg, strlen(msg), false, false, qos);
}

static bool take_token(nd_mqtt *m)
{
    uint64_t now = nd_port_mono_ms();
    double rate = (double)nd_cfg_get_int(m->node->cfg, ND_K_mqtt_cmd_rate);
    m->tokens += (double)(now - m->tokens_ms) * rate / 1000.0;
    if (m->tokens > rate) m->tokens = rate; /* burst: one second's worth */
    m->tokens_ms = now;
    if (m->tokens < 1.0) return false;
    m->tokens -= 1.0;
    return true;
}

static void on_command(nd_mqtt *m, const char *p, size_t len, int qos)
{
    if (!take_token(m)) {
        m->st.refused_rate++;
        m->rate_refused_unreported++;
        /* one answer per second says how many went: answering each one
        ** would let a flood double itself on the broker */
        uint64_t now = nd_port_mono_ms();
        if (now - m->rate_reply_ms >= 1000) {
            char msg[160];
            snprintf(msg, sizeof msg,
                     "Rate limited: more than %lld commands/s (mqtt_cmd_rate); %llu refused",
                     (long long)nd_cfg_get_int(m->node->cfg, ND_K_mqtt_cmd_rate),
                     (unsigned long long)m->rate_refused_unreported);
            refuse(m, NULL, msg, 0);
            m->rate_reply_ms = now;
            m->rate_refused_unreported = 0;
        }
        return;
    }
    char msg[ND_ERRMSG + 64];
    if (len > ND_MQTT_CMD_MAX) {
        m->st.refused_size++;
        snprintf(msg, sizeof msg, "Command too large: %lu bytes (limit %d)",
                 (unsigned long)len, ND_MQTT_CMD_MAX);
        refuse(m, NULL, msg, qos);
        return;
    }
    size_t i = 0;
    while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n')) i++;
    const char *line = p + i;
    size_t ln = len - i;
    char idbuf[ND_MQTT_CMD_MAX + 2];
    const char *id = NULL;
    cJSON *doc = NULL;
    if (ln && line[0] == '{') {
        size_t end = 0;
        doc = nd_json_parse(line, ln, &end);
        if (!doc || end != ln || !cJSON_IsObject(doc)) {
            m->st.refused_bad++;
            snprintf(msg, sizeof msg, "Malformed JSON command at byte %zu: expected "
                                      "{\"cmd\": \"...\", \"id\": \"...\"}", i + end);
            refuse(m, NULL, msg, qos);
            cJSON_Delete(doc);
            return;
        }
        bool nul[8] = {0};
        size_t nn = nd_json_nuls(line, ln, nul, 8);
        const cJSON *jid = cJSON_GetObjectItemCaseSensitive(doc, "id");
        if (jid && (cJSON_IsString(jid) || cJSON_IsNumber(jid))) {
            nd_buf ib;
            nd_buf_init(&ib, sizeof idbuf - 1);
            nd_json_render(&ib, jid, 0);
            if (!ib.overflow && ib.n < sizeof idbuf) {
                memcpy(idbuf, ib.p, ib.n);
                idbuf[ib.n] = 0;
                id = idbuf;
            }
            nd_buf_free(&ib);
        }
        const cJSON *jc = cJSON_GetObjectItemCaseSensitive(doc, "cmd");
        if (!cJSON_IsString(jc) || nn) {
            m->st.refused_bad++;
            refuse(m, id, nn ? "NUL byte in a JSON command"
                             : "JSON command without a \"cmd\" string", qos);
            cJSON_Delete(doc);
            return;
        }
        line = jc->valuestring;
        ln = strlen(line);
    } else if (memchr(line, 0, ln)) {
        m->st.refused_bad++;
        refuse(m, NULL, "NUL byte in command", qos);
        return;
    }
    while (ln && (line[ln - 1] == '\n' || line[ln - 1] == '\r' || line[ln - 1] == ' ')) ln--;
    if (!ln) {
        m->st.refused_bad++;
        refuse(m, id, "Empty command", qos);
        cJSON_Delete(doc);
        return;
    }
    struct nd_node *n = m->node;
    nd_buf_clear(&n->reply);
    int x = nd_mqtt_exec(m, line, ln, &n->reply);
    const char *o = n->reply.p ? n->reply.p : "";
    size_t on = n->reply.n;
    while (on && (o[on - 1] == '\n' || o[on - 1] == '\r')) on--;
    bool js = on && !n->reply.overflow && nd_json_valid(o, on);
    reply(m, id, o, on, js, x != ND_X_FAIL, qos);
    cJSON_Delete(doc);
}

/* ---- port callbacks ------------------------------------------------------ */
static void on_message(void *ud, const char *topic, const void *p, size_t len, int qos, bool retain)
{
    nd_mqtt *m = ud;
    m->st.received++;
    if (strcmp(topic, m->t_cmd) == 0) {
        if (!retain) on_command(m, p, len, qos); /* a retained command would rerun on every connect */
        return;
    }
    if (strcmp(topic, "homeassistant/status") == 0) {
        if (len == 6 && memcmp(p, "online", 6) == 0) m->ha_dirty = true; /* HA restarted */
        nd_mqtt_subs_message(m, topic, p, len);
        return;
    }
    if (strncmp(topic, m->t_ha, strlen(m->t_ha)) == 0 && nd_mqtt_ha_message(m, topic, p, len))
        return;
    nd_mqtt_subs_message(m, topic, p, len);
}

static void on_acked(void *ud, int mid)
{
    nd_mqtt *m = ud;
    if (mid && mid == m->ping_mid) {
        m->ping_rtt_ms = (double)(nd_port_mono_us() - m->ping_sent_us) / 1000.0;
        m->ping_mid = 0;
    }
    for (nd_mq_item *it = m->qhead; it; it = it->next) {
        if (it->inflight && it->mid == mid) {
            q_unlink(m, it);
            break;
        }
    }
}

/* The port dropped a message over its incoming size limit unread: count
** it, say so (at most once a second), and answer a command like any other
** one too large. */
static void on_oversize(void *ud, const char *topic, size_t len, int qos, bool retain)
{
    nd_mqtt *m = ud;
    m->st.rx_oversize++;
    uint64_t now = nd_port_mono_ms();
    if (m->st.rx_oversize == 1 || now - m->oversize_log_ms >= 1000) {
        m->oversize_log_ms = now;
        nd_log(m->node, "[WARN] mqtt: dropped a %lu-byte message on %s: over the incoming packet "
                        "limit (%llu dropped so far)", (unsigned long)len, topic,
               (unsigned long long)m->st.rx_oversize);
    }
    if (strcmp(topic, m->t_cmd) == 0 && !retain && len > ND_MQTT_CMD_MAX)
        on_command(m, NULL, len, qos); /* refused on its size before the payload is read */
}

static void on_up(void *ud)
{
    nd_mqtt *m = ud;
    struct nd_node *n = m->node;
    m->state = ND_MQ_UP;
    m->backoff_ms = 0;
    m->up_since = nd_port_mono_ms();
    m->st.connects++;
    nd_log(n, "[INFO] mqtt: connected to %s:%lld (%s)", m->host,
           (long long)nd_cfg_get_int(n->cfg, ND_K_mqtt_port), m->ip);
    nd_mqtt_port_subscribe(m->conn, m->t_cmd, 1);
    char ha[ND_MQTT_TOPIC_MAX + 4];
    snprintf(ha, sizeof ha, "%s#", m->t_ha);
    nd_mqtt_port_subscribe(m->conn, ha, 1);
    if (nd_cfg_get_bool(n->cfg, ND_K_mqtt_ha)) nd_mqtt_port_subscribe(m->conn, "homeassistant/status", 1);
    nd_mqtt_subs_restore(m);
    nd_mqtt_send_now(m, m->t_status, "online", 6, 1, true); /* birth */
    m->ha_dirty = false;
    nd_mqtt_ha_publish(m);
    flush(m);
}

static void on_down(void *ud, int rc, const char *why)
{
    nd_mqtt *m = ud;
    bool was_up = m->state == ND_MQ_UP;
    char reason[160]; /* why may live in the session freed just below */
    snprintf(reason, sizeof reason, "%s", why && *why ? why : nd_strerror(rc));
    why = reason;
    nd_mqtt_port_abort(m->conn); /* the session is over: nothing to say to it */
    m->conn = NULL;
    for (nd_mq_item *it = m->qhead; it; it = it->next) it->inflight = false; /* resend */
    if (!was_up) m->st.connect_fails++;
    if (rc == ND_ESYNTAX) m->st.rx_malformed++; /* the broker sent a malformed packet */
    if (rc == ND_ELIMIT) m->st.rx_oversize++;   /* ... or one over the size limit */
    nd_log(m->node, "[WARN] mqtt: %s %s:%lld: %s", was_up ? "lost" : "cannot connect to", m->host,
           (long long)nd_cfg_get_int(m->node->cfg, ND_K_mqtt_port), why);
    retry_later(m);
}

static const nd_mqtt_port_cb port_cb = {on_up, on_down, on_message, on_acked, on_oversize};

/* ---- connecting ------------------------------------------------------------ */
static void open_session(nd_mqtt *m)
{
    struct nd_node *n = m->node;
    nd_cfg *cfg = n->cfg;
    char ca[512] = "";
    const char *caf = nd_cfg_get_str(cfg, ND_K_mqtt_ca);
    if (caf[0] && strcmp(caf, "n/a") != 0) {
        /* a relative path is relative to the state directory */
        if (caf[0] == '/') snprintf(ca, sizeof ca, "%s", caf);
        else snprintf(ca, sizeof ca, "%s/%s", nd_fs_root(), caf);
    }
    const char *user = nd_cfg_get_str(cfg, ND_K_mqtt_user);
    const char *pwd = nd_cfg_get_str(cfg, ND_K_mqtt_pwd);
    bool has_user = user[0] && strcmp(user, "n/a") != 0;
    nd_mqtt_opts o = {
        .ip = m->ip,
        .port = (int)nd_cfg_get_int(cfg, ND_K_mqtt_port),
        .client_id = m->client_id,
        .user = has_user ? user : NULL,
        .pwd = has_user && strcmp(pwd, "n/a") != 0 ? pwd : NULL,
        .tls = nd_cfg_get_bool(cfg, ND_K_mqtt_tls),
        .ca_file = ca[0] ? ca : NULL,
        .tls_name = m->host,
        .keepalive_s = (int)nd_cfg_get_int(cfg, ND_K_mqtt_keepalive),
        .will_topic = m->will_topic,
        .will_payload = m->will_msg,
        .will_len = strlen(m->will_msg),
        .will_qos = m->will_qos,
        .will_retain = m->will_retain,
    };
    m->state = ND_MQ_CONNECTING;
    m->connect_deadline = nd_port_mono_ms() + ND_MQTT_CONNECT_TIMEOUT_MS;
    int rc = nd_mqtt_port_open(&o, &port_cb, m, &m->conn);
    if (rc != ND_OK) {
        m->conn = NULL;
        m->st.connect_fails++;
        nd_log(n, "[WARN] mqtt: cannot connect to %s:%d: %s", m->host, o.port,
               rc == ND_ENOTFOUND ? nd_mqtt_port_about()
               : rc == ND_EINVAL && o.tls ? "TLS setup failed (mqtt_ca?)" : nd_strerror(rc));
        retry_later(m);
    }
}

static void on_resolved(void *ud, int rc, const char *ip)
{
    nd_mqtt *m = ud;
    m->rjob = NULL;
    if (rc != ND_OK) {
        m->st.connect_fails++;
        nd_log(m->node, "[WARN] mqtt: cannot resolve %s: %s", m->host, nd_strerror(rc));
        retry_later(m);
        return;
    }
    snprintf(m->ip, sizeof m->ip, "%s", ip);
    open_session(m);
}

static void begin(nd_mqtt *m)
{
    m->state = ND_MQ_RESOLVING;
    char ip[ND_IP_TEXT_MAX];
    int rc = nd_resolve_any(m->node, m->host, ip, on_resolved, m, &m->rjob);
    if (rc == ND_EAGAIN) return;
    m->rjob = NULL;
    on_resolved(m, rc, rc == ND_OK ? ip : "");
}

static void on_retry(nd_timer *t, void *ud)
{
    (void)t;
    begin(ud);
}

/* Exponential backoff with "equal jitter": half the delay fixed, half random. */
static void retry_later(nd_mqtt *m)
{
    m->state = ND_MQ_WAIT;
    m->backoff_ms = m->backoff_ms ? m->backoff_ms * 2 : ND_MQTT_BACKOFF_MIN_MS;
    if (m->backoff_ms > ND_MQTT_BACKOFF_MAX_MS) m->backoff_ms = ND_MQTT_BACKOFF_MAX_MS;
    uint32_t r;
    nd_port_random(&r, sizeof r);
    uint32_t half = m->backoff_ms / 2;
    uint32_t delay = half + (half ? r % (half + 1) : 0);
    nd_timer_arm(&m->node->timers, &m->t_retry, nd_port_mono_ms() + delay, on_retry, m);
}

static void on_tick(nd_timer *t, void *ud)
{
    nd_mqtt *m = ud;
    uint64_t now = nd_port_mono_ms();
    nd_timer_arm(&m->node->timers, t, now + 1000, on_tick, m);
    if (m->state == ND_MQ_CONNECTING && now >= m->connect_deadline) {
        m->state = ND_MQ_WAIT; /* on_down counts it as a failed attempt */
        on_down(m, ND_EIO, "no CONNACK within 10 s");
        return;
    }
    if (m->conn) nd_mqtt_port_tick(m->conn); /* may end the session (on_down) */
    if (m->state == ND_MQ_UP && m->ha_dirty) {
        m->ha_dirty = false;
        nd_mqtt_ha_publish(m);
    }
    flush(m);
}

/* ---- start / stop ---------------------------------------------------------- */
static void topic_safe(char *s)
{
    for (; *s; s++)
        if (*s == '+' || *s == '#' || *s == '/' || *s == ' ') *s = '_';
}

int nd_mqtt_start(struct nd_node *n)
{
    if (!nd_cfg_get_bool(n->cfg, ND_K_mqtt) || n->mqtt) return ND_OK;
    nd_mqtt *m = calloc(1, sizeof *m);
    if (!m) return ND_ENOMEM;
    m->node = n;
    n->mqtt = m;
    nd_cfg *cfg = n->cfg;
    const char *host = nd_cfg_get_str(cfg, ND_K_mqtt_host);
    snprintf(m->host, sizeof m->host, "%s", host);
    char dev[33]; /* devfid: at most 32 characters (cfg_schema.c check_devfid) */
    snprintf(dev, sizeof dev, "%s", nd_cfg_get_str(cfg, ND_K_devfid));
    topic_safe(dev);
    const char *px = nd_cfg_get_str(cfg, ND_K_mqtt_prefix);
    char err[ND_ERRMSG];
    if (px[0] && strcmp(px, "n/a") != 0 &&
        nd_mqtt_topic_ok(px, strlen(px), false, err, sizeof err) == ND_OK &&
        strlen(px) < sizeof m->prefix)
        snprintf(m->prefix, sizeof m->prefix, "%s", px);
    else {
        if (px[0] && strcmp(px, "n/a") != 0)
            nd_log(n, "[WARN] mqtt: mqtt_prefix '%s' is not a topic to publish to (wildcards, "
                      "NUL or over %zu bytes): using nodus/%s", px, sizeof m->prefix - 1, dev);
        snprintf(m->prefix, sizeof m->prefix, "nodus/%s", dev);
    }
    snprintf(m->t_cmd, sizeof m->t_cmd, "%s/cmd", m->prefix);
    snprintf(m->t_reply, sizeof m->t_reply, "%s/reply", m->prefix);
    snprintf(m->t_status, sizeof m->t_status, "%s/status", m->prefix);
    snprintf(m->t_ha, sizeof m->t_ha, "%s/ha/", m->prefix);
    snprintf(m->client_id, sizeof m->client_id, "nodus-%s-%.16s", dev,
             nd_cfg_get_str(cfg, ND_K_hwuid));
    nd_mqtt_set_will(n, NULL, NULL, 1, true, err, sizeof err);
    m->qmax = (size_t)nd_cfg_get_int(cfg, ND_K_mqtt_queue);
    m->tokens = (double)nd_cfg_get_int(cfg, ND_K_mqtt_cmd_rate);
    m->tokens_ms = nd_port_mono_ms();
    m->ping_rtt_ms = -1;
    nd_timer_arm(&n->timers, &m->t_tick, nd_port_mono_ms() + 1000, on_tick, m);
    nd_mqtt_tele_start(m);
    nd_log(n, "[INFO] mqtt: %s, broker %s:%lld%s, prefix %s", nd_mqtt_port_about(), m->host,
           (long long)nd_cfg_get_int(cfg, ND_K_mqtt_port),
           nd_cfg_get_bool(cfg, ND_K_mqtt_tls) ? " (TLS)" : "", m->prefix);
    begin(m);
    return ND_OK;
}

void nd_mqtt_stop(struct nd_node *n)
{
    nd_mqtt *m = nd_mqtt_of(n);
    if (!m) return;
    if (m->state == ND_MQ_UP) {
        /* a clean DISCONNECT suppresses the will: say offline ourselves */
        nd_mqtt_port_publish(m->conn, m->t_status, "offline", 7, 0, true, NULL);
    }
    nd_mqtt_port_close(m->conn);
    if (m->rjob) nd_resolve_cancel(m->rjob);
    nd_timer_disarm(&n->timers, &m->t_tick);
    nd_timer_disarm(&n->timers, &m->t_retry);
    nd_mqtt_tele_stop(m);
    while (m->qhead) q_unlink(m, m->qhead);
    n->mqtt = NULL;
    free(m);
}

void nd_mqtt_get_stats(struct nd_node *n, nd_mqtt_stats *st)
{
    nd_mqtt *m = nd_mqtt_of(n);
    memset(st, 0, sizeof *st);
    if (!m) return;
    *st = m->st;
    st->queued = m->qcount;
    st->up = m->state == ND_MQ_UP;
}

/* ---- mqttc helpers ----------------------------------------------------------- */
int nd_mqtt_set_will(struct nd_node *n, const char *topic, const char *msg, int qos, bool retain,
                     char *err, size_t errn)
{
    nd_mqtt *m = nd_mqtt_of(n);
    if (!m) {
        snprintf(err, errn, "MQTT is off (conf: mqtt True, then reboot)");
        return ND_EAGAIN;
    }
    if (!topic) {
        snprintf(m->will_topic, sizeof m->will_topic, "%s", m->t_status);
        snprintf(m->will_msg, sizeof m->will_msg, "offline");
        m->will_qos = 1;
        m->will_retain = true;
        return ND_OK;
    }
    int rc = nd_mqtt_topic_ok(topic, strlen(topic), false, err, errn);
    if (rc) return rc;
    if (strlen(msg) >= sizeof m->will_msg) {
        snprintf(err, errn, "will message too long (limit %zu bytes)", sizeof m->will_msg - 1);
        return ND_ELIMIT;
    }
    snprintf(m->will_topic, sizeof m->will_topic, "%s", topic);
    snprintf(m->will_msg, sizeof m->will_msg, "%s", msg);
    m->will_qos = (uint8_t)(qos ? 1 : 0);
    m->will_retain = retain;
    return ND_OK;
}

int nd_mqtt_ping(struct nd_node *n)
{
    nd_mqtt *m = nd_mqtt_of(n);
    if (!m) return ND_EAGAIN;
    if (m->state != ND_MQ_UP) return ND_ECLOSED;
    char t[ND_MQTT_TOPIC_MAX + 8];
    snprintf(t, sizeof t, "%s/ping", m->prefix);
    int mid = 0;
    m->ping_sent_us = nd_port_mono_us();
    int rc = nd_mqtt_port_publish(m->conn, t, "ping", 4, 1, false, &mid);
    if (rc == ND_OK) m->ping_mid = mid;
    return rc;
}

void nd_mqtt_info(struct nd_node *n, const char **state, const char **broker, double *rtt_ms,
                  const char **lib)
{
    static const char *names[] = {"off", "resolving", "connecting", "connected", "waiting to retry"};
    static char b[300];
    nd_mqtt *m = nd_mqtt_of(n);
    *lib = nd_mqtt_port_about();
    if (!m) {
        *state = "off";
        *broker = "";
        *rtt_ms = -1;
        return;
    }
    *state = names[m->state];
    snprintf(b, sizeof b, "%s:%lld", m->host, (long long)nd_cfg_get_int(n->cfg, ND_K_mqtt_port));
    *broker = b;
    *rtt_ms = m->ping_rtt_ms;
}
