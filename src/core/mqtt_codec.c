/*
** mqtt_codec.c -- MQTT 3.1.1 packet encoding and decoding (OASIS MQTT
** 3.1.1, sections 2 and 3). Only what a client needs: it encodes the
** packets a client sends and decodes the ones a broker sends; anything
** else from a broker is malformed (a client may not be sent a CONNECT).
** The decoder trusts nothing: every length is checked against the bytes
** there before it is used.
*/
#include <string.h>

#include "mqtt_codec.h"
#include "nodus/value.h"

int nd_mqtt_enc_varint(uint8_t *b, uint32_t v)
{
    if (v > ND_MQTT_RL_MAX) return ND_EINVAL;
    int i = 0;
    do {
        uint8_t d = v % 128;
        v /= 128;
        b[i++] = (uint8_t)(d | (v ? 0x80 : 0));
    } while (v);
    return i;
}

static size_t varint_len(size_t v) { return v < 128 ? 1 : v < 16384 ? 2 : v < 2097152 ? 3 : 4; }

/* Writer over a bounded buffer: a write past cap sets over and stops. */
typedef struct {
    uint8_t *b;
    size_t cap, n;
    bool over;
} wr;

static void put(wr *w, const void *p, size_t n)
{
    if (w->over || n > w->cap - w->n) {
        w->over = true;
        return;
    }
    if (n) memcpy(w->b + w->n, p, n);
    w->n += n;
}
static void put8(wr *w, uint8_t v) { put(w, &v, 1); }
static void put16(wr *w, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    put(w, b, 2);
}
static void putstr(wr *w, const void *s, size_t n)
{
    put16(w, (uint16_t)n);
    put(w, s, n);
}

/* Fixed header then the body: rl is checked by the caller. */
static long finish(wr *w) { return w->over ? ND_ELIMIT : (long)w->n; }

static void header(wr *w, uint8_t byte0, size_t rl)
{
    uint8_t v[4];
    put8(w, byte0);
    put(w, v, (size_t)nd_mqtt_enc_varint(v, (uint32_t)rl));
}

long nd_mqtt_enc_connect(uint8_t *buf, size_t cap, const nd_mqtt_connect *c)
{
    size_t idl = c->client_id ? strlen(c->client_id) : 0;
    size_t ul = c->user ? strlen(c->user) : 0, pl = c->pwd ? strlen(c->pwd) : 0;
    size_t wtl = c->will_topic ? strlen(c->will_topic) : 0;
    if (idl > 65535 || ul > 65535 || pl > 65535 || wtl > 65535 || c->will_len > 65535)
        return ND_EINVAL;
    if (c->pwd && !c->user) return ND_EINVAL; /* 3.1.2.9 */
    if (c->will_topic && (c->will_qos < 0 || c->will_qos > 1)) return ND_EINVAL;
    size_t rl = 10 + 2 + idl;
    uint8_t flags = c->clean ? 0x02 : 0;
    if (c->will_topic) {
        rl += 2 + wtl + 2 + c->will_len;
        flags |= (uint8_t)(0x04 | (c->will_qos << 3) | (c->will_retain ? 0x20 : 0));
    }
    if (c->user) {
        rl += 2 + ul;
        flags |= 0x80;
    }
    if (c->pwd) {
        rl += 2 + pl;
        flags |= 0x40;
    }
    wr w = {buf, cap, 0, false};
    header(&w, ND_MQTT_CONNECT << 4, rl);
    putstr(&w, "MQTT", 4);
    put8(&w, 4); /* protocol level: 3.1.1 */
    put8(&w, flags);
    put16(&w, c->keepalive_s);
    putstr(&w, c->client_id ? c->client_id : "", idl);
    if (c->will_topic) {
        putstr(&w, c->will_topic, wtl);
        putstr(&w, c->will_payload, c->will_len);
    }
    if (c->user) putstr(&w, c->user, ul);
    if (c->pwd) putstr(&w, c->pwd, pl);
    return finish(&w);
}

size_t nd_mqtt_publish_size(size_t tlen, size_t n, int qos)
{
    if (tlen > 65535 || n > ND_MQTT_RL_MAX) return 0;
    size_t rl = 2 + tlen + (qos ? 2 : 0) + n;
    if (rl > ND_MQTT_RL_MAX) return 0;
    return 1 + varint_len(rl) + rl;
}

long nd_mqtt_enc_publish(uint8_t *buf, size_t cap, const char *topic, size_t tlen, const void *p,
                         size_t n, int qos, bool retain, bool dup, uint16_t pid)
{
    if (qos < 0 || qos > 1 || (qos && !pid) || tlen == 0) return ND_EINVAL;
    size_t total = nd_mqtt_publish_size(tlen, n, qos);
    if (!total) return ND_EINVAL;
    if (total > cap) return ND_ELIMIT;
    wr w = {buf, cap, 0, false};
    header(&w, (uint8_t)(ND_MQTT_PUBLISH << 4 | (dup && qos ? 0x08 : 0) | qos << 1 | (retain ? 1 : 0)),
           2 + tlen + (qos ? 2 : 0) + n);
    putstr(&w, topic, tlen);
    if (qos) put16(&w, pid);
    put(&w, p, n);
    return finish(&w);
}

long nd_mqtt_enc_puback(uint8_t *buf, size_t cap, uint16_t pid)
{
    if (!pid) return ND_EINVAL;
    wr w = {buf, cap, 0, false};
    header(&w, ND_MQTT_PUBACK << 4, 2);
    put16(&w, pid);
    return finish(&w);
}

long nd_mqtt_enc_subscribe(uint8_t *buf, size_t cap, uint16_t pid, const char *filter, int qos)
{
    size_t fl = strlen(filter);
    if (!pid || fl == 0 || fl > 65535 || qos < 0 || qos > 1) return ND_EINVAL;
    wr w = {buf, cap, 0, false};
    header(&w, ND_MQTT_SUBSCRIBE << 4 | 0x02, 2 + 2 + fl + 1); /* flags 0010: 3.8.1 */
    put16(&w, pid);
    putstr(&w, filter, fl);
    put8(&w, (uint8_t)qos);
    return finish(&w);
}

long nd_mqtt_enc_unsubscribe(uint8_t *buf, size_t cap, uint16_t pid, const char *filter)
{
    size_t fl = strlen(filter);
    if (!pid || fl == 0 || fl > 65535) return ND_EINVAL;
    wr w = {buf, cap, 0, false};
    header(&w, ND_MQTT_UNSUBSCRIBE << 4 | 0x02, 2 + 2 + fl);
    put16(&w, pid);
    putstr(&w, filter, fl);
    return finish(&w);
}

long nd_mqtt_enc_empty(uint8_t *buf, size_t cap, int type)
{
    if (type != ND_MQTT_PINGREQ && type != ND_MQTT_PINGRESP && type != ND_MQTT_DISCONNECT)
        return ND_EINVAL;
    wr w = {buf, cap, 0, false};
    header(&w, (uint8_t)(type << 4), 0);
    return finish(&w);
}

/* ---- decoding -------------------------------------------------------------- */
int nd_mqtt_dec_header(const uint8_t *p, size_t n, uint8_t *byte0, uint32_t *rl, size_t *hlen)
{
    if (n < 2) return ND_EAGAIN;
    uint32_t v = 0, mul = 1;
    for (size_t i = 1; i <= 4; i++) {
        if (i >= n) return ND_EAGAIN;
        uint8_t d = p[i];
        v += (uint32_t)(d & 0x7F) * mul;
        if (!(d & 0x80)) {
            if (i > 1 && d == 0) return ND_EINVAL; /* not the shortest encoding */
            *byte0 = p[0];
            *rl = v;
            *hlen = i + 1;
            return ND_OK;
        }
        mul *= 128;
    }
    return ND_EINVAL; /* a fifth length byte */
}

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

#define BAD(w) \
    do { \
        *why = (w); \
        return ND_EINVAL; \
    } while (0)

/* Topic name rules for a PUBLISH from the broker (4.7.3, 3.3.2.1). */
static int topic_ok(const uint8_t *t, size_t n, const char **why)
{
    if (!n) BAD("empty topic in PUBLISH");
    for (size_t i = 0; i < n; i++) {
        if (t[i] == 0) BAD("NUL byte in a PUBLISH topic");
        if (t[i] == '+' || t[i] == '#') BAD("wildcard in a PUBLISH topic");
    }
    return ND_OK;
}

/* The PUBLISH flags and the head (topic, packet id) from the body b[0..n). */
static int publish_head(uint8_t byte0, const uint8_t *b, size_t n, uint32_t rl, nd_mqtt_pkt *o,
                        size_t *used, const char **why)
{
    o->type = ND_MQTT_PUBLISH;
    o->qos = (byte0 >> 1) & 3;
    o->retain = byte0 & 1;
    o->dup = (byte0 >> 3) & 1;
    if (o->qos == 3) BAD("PUBLISH with qos 3");
    if (o->qos == 2) BAD("PUBLISH with qos 2 (never subscribed with it)");
    if (o->qos == 0 && o->dup) BAD("PUBLISH with qos 0 and DUP set");
    if (rl < 2) BAD("PUBLISH shorter than its topic length");
    if (n < 2) return ND_EAGAIN;
    size_t tl = get16(b);
    size_t head = 2 + tl + (o->qos ? 2 : 0);
    if (head > rl) BAD("PUBLISH topic longer than the packet");
    if (n < head) return ND_EAGAIN;
    if (topic_ok(b + 2, tl, why)) return ND_EINVAL;
    o->topic = (const char *)b + 2;
    o->tlen = tl;
    if (o->qos) {
        o->pid = get16(b + 2 + tl);
        if (!o->pid) BAD("PUBLISH with packet id 0");
    }
    *used = head;
    return ND_OK;
}

int nd_mqtt_dec_publish_head(const uint8_t *p, size_t n, nd_mqtt_pkt *out, size_t *head,
                             const char **why)
{
    uint8_t b0;
    uint32_t rl;
    size_t hl, used = 0;
    memset(out, 0, sizeof *out);
    int rc = nd_mqtt_dec_header(p, n, &b0, &rl, &hl);
    if (rc == ND_EINVAL) BAD("malformed remaining length");
    if (rc) return rc;
    if (b0 >> 4 != ND_MQTT_PUBLISH) BAD("not a PUBLISH");
    rc = publish_head(b0, p + hl, n - hl, rl, out, &used, why);
    if (rc) return rc;
    *head = hl + used;
    out->plen = rl - used;
    return ND_OK;
}

int nd_mqtt_decode(const uint8_t *p, size_t n, nd_mqtt_pkt *o, const char **why)
{
    uint8_t b0;
    uint32_t rl;
    size_t hl;
    memset(o, 0, sizeof *o);
    int rc = nd_mqtt_dec_header(p, n, &b0, &rl, &hl);
    if (rc == ND_EINVAL) BAD("malformed remaining length");
    if (rc == ND_EAGAIN || hl + rl != n) BAD("packet length does not match its header");
    const uint8_t *b = p + hl;
    int type = b0 >> 4;
    uint8_t flags = b0 & 0x0F;
    o->type = (uint8_t)type;
    if (type != ND_MQTT_PUBLISH && flags) BAD("reserved flag bits set");
    switch (type) {
    case ND_MQTT_CONNACK:
        if (rl != 2) BAD("CONNACK of the wrong length");
        if (b[0] & 0xFE) BAD("CONNACK with reserved bits set");
        o->session_present = b[0] & 1;
        o->connack_rc = b[1];
        if (o->connack_rc > 5) BAD("CONNACK with an unknown return code");
        return ND_OK;
    case ND_MQTT_PUBLISH: {
        size_t used = 0;
        rc = publish_head(b0, b, rl, rl, o, &used, why);
        if (rc == ND_EAGAIN) BAD("PUBLISH topic longer than the packet");
        if (rc) return rc;
        o->payload = b + used;
        o->plen = rl - used;
        return ND_OK;
    }
    case ND_MQTT_PUBACK:
    case ND_MQTT_UNSUBACK:
        if (rl != 2) BAD("acknowledgement of the wrong length");
        o->pid = get16(b);
        if (!o->pid) BAD("acknowledgement of packet id 0");
        return ND_OK;
    case ND_MQTT_SUBACK:
        if (rl < 3) BAD("SUBACK without a return code");
        o->pid = get16(b);
        if (!o->pid) BAD("SUBACK of packet id 0");
        for (size_t i = 2; i < rl; i++)
            if (b[i] > 2 && b[i] != 0x80) BAD("SUBACK with an unknown return code");
        o->suback_rc = b[2];
        return ND_OK;
    case ND_MQTT_PINGRESP:
        if (rl != 0) BAD("PINGRESP with a body");
        return ND_OK;
    default:
        BAD("packet type a broker does not send a client");
    }
}
