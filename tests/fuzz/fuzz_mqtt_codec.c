/*
** fuzz_mqtt_codec.c -- libFuzzer target for the MQTT packet codec
** (src/core/mqtt_codec.c): the bytes a broker could send, cut into packets
** the way the client (mqtt_client.c) cuts its input stream.
**
** Beyond memory safety the target aborts when:
**   - a header is accepted with a remaining length over ND_MQTT_RL_MAX or a
**     header size outside 2..5;
**   - a decoded packet's pointers reach outside the input, or its lengths
**     do not add up;
**   - an accepted PUBLISH, encoded again from what was decoded, is not the
**     same bytes (3.1.1 has one encoding of a packet; a decoder that accepts
**     two spellings of one packet is reading something it should refuse);
**   - the head decoder (used for packets too large to keep) disagrees with
**     the full decoder on topic, packet id or payload size;
**   - encoding varints: a value does not decode back to itself.
** Seed corpus: tests/fuzz/corpus/mqtt_codec/.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mqtt_codec.h"
#include "nodus/value.h"

static void check(int ok)
{
    if (!ok) abort();
}

static void one(const uint8_t *p, size_t n)
{
    nd_mqtt_pkt k;
    const char *why = NULL;
    int rc = nd_mqtt_decode(p, n, &k, &why);
    if (rc != ND_OK) {
        check(why && *why);
        return;
    }
    if (k.type != ND_MQTT_PUBLISH) return;
    const uint8_t *end = p + n;
    check((const uint8_t *)k.topic > p && (const uint8_t *)k.topic + k.tlen <= end);
    check(k.payload >= (const uint8_t *)k.topic + k.tlen && k.payload + k.plen == end);
    check(k.qos <= 1 && (k.qos == 0 || k.pid != 0));
    /* the same bytes again from what was decoded */
    uint8_t *again = malloc(n + 8);
    long m = nd_mqtt_enc_publish(again, n + 8, k.topic, k.tlen, k.payload, k.plen, k.qos, k.retain,
                                 k.dup, k.pid);
    check(m == (long)n && memcmp(again, p, n) == 0);
    free(again);
    /* the head decoder agrees, given the whole packet or any prefix */
    nd_mqtt_pkt h;
    size_t head = 0;
    check(nd_mqtt_dec_publish_head(p, n, &h, &head, &why) == ND_OK);
    check(h.tlen == k.tlen && h.topic == k.topic && h.pid == k.pid && h.plen == k.plen);
    check(head + k.plen == n);
    size_t cut = n ? (size_t)p[n - 1] % (n + 1) : 0;
    rc = nd_mqtt_dec_publish_head(p, cut, &h, &head, &why);
    check(rc == ND_EAGAIN || (rc == ND_OK && head <= cut && h.plen == k.plen));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* varints: the first 4 bytes as a value */
    if (size >= 4) {
        uint32_t v;
        memcpy(&v, data, 4);
        uint8_t b[6] = {0xD0};
        int vl = nd_mqtt_enc_varint(b + 1, v);
        if (v > ND_MQTT_RL_MAX) {
            check(vl == ND_EINVAL);
        } else {
            uint8_t b0;
            uint32_t rl;
            size_t hl;
            check(vl >= 1 && vl <= 4);
            check(nd_mqtt_dec_header(b, 1 + (size_t)vl, &b0, &rl, &hl) == ND_OK && rl == v &&
                  hl == 1 + (size_t)vl);
        }
    }
    /* the stream, packet by packet, as the client cuts it */
    size_t off = 0;
    while (off < size) {
        uint8_t b0;
        uint32_t rl;
        size_t hl;
        int rc = nd_mqtt_dec_header(data + off, size - off, &b0, &rl, &hl);
        if (rc != ND_OK) {
            check(rc == ND_EAGAIN || rc == ND_EINVAL);
            break;
        }
        check(hl >= 2 && hl <= 5 && rl <= ND_MQTT_RL_MAX && b0 == data[off]);
        if (rl > size - off - hl) { /* incomplete: what a too-large packet's head says */
            nd_mqtt_pkt h;
            size_t head = 0;
            const char *why = NULL;
            rc = nd_mqtt_dec_publish_head(data + off, size - off, &h, &head, &why);
            if (rc == ND_OK) check(head <= size - off && head - hl + h.plen == rl);
            break;
        }
        /* an exact copy, so that reading past the packet is an ASan error */
        uint8_t *pkt = malloc(hl + rl ? hl + rl : 1);
        memcpy(pkt, data + off, hl + rl);
        one(pkt, hl + rl);
        free(pkt);
        off += hl + rl;
    }
    return 0;
}
