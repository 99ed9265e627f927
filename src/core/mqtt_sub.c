/*
** mqtt_sub.c -- `mqttc`'s subscriptions on the node's own session, and the
** inbox their messages land in.
**
** The node keeps one broker session for everything; `mqttc sub` adds a
** filter to it (at most ND_MQTT_SUBS_MAX, kept across reconnects). Matching
** messages go to a ring of the last ND_MQTT_INBOX messages (each cut to
** ND_MQTT_INBOX_MSG bytes) that `mqttc listen` tasks read by sequence
** number, so a slow reader loses the oldest, never the node's memory.
*/
#include <stdio.h>
#include <string.h>

#include "mqtt_int.h"

/* MQTT filter matching: '+' one level, '#' the rest (and the parent level). */
bool nd_mqtt_topic_matches(const char *f, const char *t)
{
    if (t[0] == '$' && (f[0] == '+' || f[0] == '#')) return false; /* $SYS is never wild */
    for (;;) {
        const char *fe = strchr(f, '/'), *te = strchr(t, '/');
        size_t fl = fe ? (size_t)(fe - f) : strlen(f), tl = te ? (size_t)(te - t) : strlen(t);
        if (fl == 1 && f[0] == '#') return true;
        if (!(fl == 1 && f[0] == '+') && (fl != tl || memcmp(f, t, fl) != 0)) return false;
        if (!fe && !te) return true;
        if (!te) return strcmp(fe + 1, "#") == 0; /* "a/#" matches "a" */
        if (!fe) return false;
        f = fe + 1;
        t = te + 1;
    }
}

static nd_mqtt *need(struct nd_node *n, char *err, size_t errn)
{
    nd_mqtt *m = nd_mqtt_of(n);
    if (!m && err) snprintf(err, errn, "MQTT is off (conf: mqtt True, then reboot)");
    return m;
}

int nd_mqtt_sub(struct nd_node *n, const char *filter, size_t len, int qos, char *err, size_t errn)
{
    nd_mqtt *m = need(n, err, errn);
    if (!m) return ND_EAGAIN;
    int rc = nd_mqtt_topic_ok(filter, len, true, err, errn);
    if (rc) return rc;
    if (qos != 0 && qos != 1) {
        snprintf(err, errn, "qos must be 0 or 1");
        return ND_EINVAL;
    }
    int free_i = -1;
    for (int i = 0; i < ND_MQTT_SUBS_MAX; i++) {
        if (m->subs[i].used && strcmp(m->subs[i].filter, filter) == 0) {
            free_i = i;
            break;
        }
        if (!m->subs[i].used && free_i < 0) free_i = i;
    }
    if (free_i < 0) {
        snprintf(err, errn, "too many subscriptions (limit %d)", ND_MQTT_SUBS_MAX);
        return ND_ELIMIT;
    }
    nd_mq_sub *s = &m->subs[free_i];
    memcpy(s->filter, filter, len);
    s->filter[len] = 0;
    s->qos = (uint8_t)qos;
    s->used = true;
    if (m->state == ND_MQ_UP) nd_mqtt_port_subscribe(m->conn, s->filter, qos);
    return ND_OK;
}

int nd_mqtt_unsub(struct nd_node *n, const char *filter, size_t len)
{
    nd_mqtt *m = nd_mqtt_of(n);
    if (!m) return ND_EAGAIN;
    for (int i = 0; i < ND_MQTT_SUBS_MAX; i++) {
        nd_mq_sub *s = &m->subs[i];
        if (s->used && strlen(s->filter) == len && memcmp(s->filter, filter, len) == 0) {
            if (m->state == ND_MQ_UP) nd_mqtt_port_unsubscribe(m->conn, s->filter);
            s->used = false;
            return ND_OK;
        }
    }
    return ND_ENOTFOUND;
}

int nd_mqtt_sub_count(struct nd_node *n)
{
    nd_mqtt *m = nd_mqtt_of(n);
    int k = 0;
    for (int i = 0; m && i < ND_MQTT_SUBS_MAX; i++) k += m->subs[i].used;
    return k;
}

const char *nd_mqtt_sub_at(struct nd_node *n, int i, int *qos)
{
    nd_mqtt *m = nd_mqtt_of(n);
    for (int j = 0; m && j < ND_MQTT_SUBS_MAX; j++) {
        if (!m->subs[j].used) continue;
        if (i-- == 0) {
            if (qos) *qos = m->subs[j].qos;
            return m->subs[j].filter;
        }
    }
    return NULL;
}

void nd_mqtt_subs_restore(nd_mqtt *m)
{
    for (int i = 0; i < ND_MQTT_SUBS_MAX; i++)
        if (m->subs[i].used) nd_mqtt_port_subscribe(m->conn, m->subs[i].filter, m->subs[i].qos);
}

bool nd_mqtt_subs_message(nd_mqtt *m, const char *topic, const void *p, size_t len)
{
    bool hit = false;
    for (int i = 0; i < ND_MQTT_SUBS_MAX && !hit; i++)
        hit = m->subs[i].used && nd_mqtt_topic_matches(m->subs[i].filter, topic);
    if (!hit) return false;
    uint32_t slot = (m->inbox_head + m->inbox_n) % ND_MQTT_INBOX;
    if (m->inbox_n == ND_MQTT_INBOX) {
        m->inbox_head = (m->inbox_head + 1) % ND_MQTT_INBOX; /* the oldest goes */
    } else {
        m->inbox_n++;
    }
    nd_mq_msg *msg = &m->inbox[slot];
    size_t tl = strlen(topic);
    if (tl > ND_MQTT_INBOX_MSG / 2) tl = ND_MQTT_INBOX_MSG / 2;
    memcpy(msg->text, topic, tl);
    msg->text[tl] = 0;
    size_t room = ND_MQTT_INBOX_MSG - tl - 2;
    size_t pl = len < room ? len : room;
    memcpy(msg->text + tl + 1, p, pl);
    msg->text[tl + 1 + pl] = 0;
    msg->tlen = (uint16_t)tl;
    msg->plen = (uint16_t)pl;
    msg->cut = pl < len;
    m->inbox_seq++;
    return true;
}

uint64_t nd_mqtt_inbox_seq(struct nd_node *n)
{
    nd_mqtt *m = nd_mqtt_of(n);
    return m ? m->inbox_seq : 0;
}

bool nd_mqtt_inbox_next(struct nd_node *n, uint64_t *seq, const char **topic, const char **payload,
                        size_t *plen)
{
    nd_mqtt *m = nd_mqtt_of(n);
    if (!m || *seq >= m->inbox_seq) return false;
    uint64_t oldest = m->inbox_seq - m->inbox_n;
    if (*seq < oldest) *seq = oldest; /* the reader fell behind: skip what is gone */
    uint32_t slot = (uint32_t)((m->inbox_head + (*seq - oldest)) % ND_MQTT_INBOX);
    nd_mq_msg *msg = &m->inbox[slot];
    *topic = msg->text;
    *payload = msg->text + msg->tlen + 1;
    *plen = msg->plen;
    (*seq)++;
    return true;
}
