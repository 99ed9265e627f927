/*
** test_mqtt_codec.c -- MQTT 3.1.1 packets (src/core/mqtt_codec.c): encoded
** bytes checked against the standard's layouts, remaining lengths at every
** varint boundary, and a table of broker packets the decoder must accept or
** refuse (malformed varints, truncated and padded packets, reserved bits,
** packets a broker never sends a client).
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "mqtt_codec.h"
#include "nodus/value.h"

static void test_varint_boundaries(void **state)
{
    (void)state;
    static const struct {
        uint32_t v;
        int n;
        uint8_t b[4];
    } t[] = {
        {0, 1, {0x00}},
        {127, 1, {0x7F}},
        {128, 2, {0x80, 0x01}},
        {16383, 2, {0xFF, 0x7F}},
        {16384, 3, {0x80, 0x80, 0x01}},
        {2097151, 3, {0xFF, 0xFF, 0x7F}},
        {2097152, 4, {0x80, 0x80, 0x80, 0x01}},
        {268435455, 4, {0xFF, 0xFF, 0xFF, 0x7F}},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        uint8_t b[5] = {0};
        assert_int_equal(nd_mqtt_enc_varint(b, t[i].v), t[i].n);
        assert_memory_equal(b, t[i].b, (size_t)t[i].n);
        /* and back, as a PINGRESP-shaped header */
        uint8_t h[6] = {0xD0};
        memcpy(h + 1, b, (size_t)t[i].n);
        uint8_t b0;
        uint32_t rl;
        size_t hl;
        assert_int_equal(nd_mqtt_dec_header(h, 1 + (size_t)t[i].n, &b0, &rl, &hl), ND_OK);
        assert_int_equal(rl, t[i].v);
        assert_int_equal(hl, 1 + (size_t)t[i].n);
        /* one byte short: more is needed, never a wrong answer */
        assert_int_equal(nd_mqtt_dec_header(h, (size_t)t[i].n, &b0, &rl, &hl), ND_EAGAIN);
    }
    uint8_t b[5];
    assert_int_equal(nd_mqtt_enc_varint(b, 268435456u), ND_EINVAL);
}

static void test_varint_malformed(void **state)
{
    (void)state;
    uint8_t b0;
    uint32_t rl;
    size_t hl;
    static const uint8_t five[] = {0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01};
    assert_int_equal(nd_mqtt_dec_header(five, sizeof five, &b0, &rl, &hl), ND_EINVAL);
    static const uint8_t nonmin[] = {0x30, 0x80, 0x00}; /* 0 in two bytes */
    assert_int_equal(nd_mqtt_dec_header(nonmin, sizeof nonmin, &b0, &rl, &hl), ND_EINVAL);
    static const uint8_t four_open[] = {0x30, 0xFF, 0xFF, 0xFF, 0xFF};
    assert_int_equal(nd_mqtt_dec_header(four_open, sizeof four_open, &b0, &rl, &hl), ND_EINVAL);
}

/* PUBLISH with payloads that put the remaining length on each boundary. */
static void test_publish_boundaries(void **state)
{
    (void)state;
    static const uint32_t rls[] = {127, 128, 16383, 16384};
    for (size_t i = 0; i < 4; i++) {
        for (int qos = 0; qos <= 1; qos++) {
            size_t head = 2 + 3 + (qos ? 2 : 0); /* topic "a/b" */
            size_t plen = rls[i] - head;
            uint8_t *pl = malloc(plen), *buf = malloc(rls[i] + 8);
            memset(pl, 'x', plen);
            long n = nd_mqtt_enc_publish(buf, rls[i] + 8, "a/b", 3, pl, plen, qos, true, false, 7);
            size_t vl = rls[i] < 128 ? 1 : rls[i] < 16384 ? 2 : 3;
            assert_int_equal(n, (long)(1 + vl + rls[i]));
            assert_int_equal((size_t)n, nd_mqtt_publish_size(3, plen, qos));
            assert_int_equal(buf[0], 0x31 | qos << 1);
            nd_mqtt_pkt p;
            const char *why = NULL;
            assert_int_equal(nd_mqtt_decode(buf, (size_t)n, &p, &why), ND_OK);
            assert_int_equal(p.type, ND_MQTT_PUBLISH);
            assert_int_equal(p.plen, plen);
            assert_int_equal(p.tlen, 3);
            assert_memory_equal(p.topic, "a/b", 3);
            assert_int_equal(p.qos, qos);
            assert_true(p.retain);
            assert_int_equal(p.pid, qos ? 7 : 0);
            /* too small a buffer: refused, not overrun */
            assert_int_equal(nd_mqtt_enc_publish(buf, (size_t)n - 1, "a/b", 3, pl, plen, qos, true,
                                                 false, 7),
                             ND_ELIMIT);
            /* truncated by one byte, or one byte too many: not this packet */
            assert_int_equal(nd_mqtt_decode(buf, (size_t)n - 1, &p, &why), ND_EINVAL);
            free(pl);
            free(buf);
        }
    }
}

static void test_encode_layouts(void **state)
{
    (void)state;
    uint8_t b[256];
    /* CONNECT: will, user, password, keep-alive 30, clean session */
    nd_mqtt_connect c = {.client_id = "id", .user = "u", .pwd = "pw", .keepalive_s = 30,
                         .clean = true, .will_topic = "w", .will_payload = "off", .will_len = 3,
                         .will_qos = 1, .will_retain = true};
    static const uint8_t conn[] = {0x10, 29, 0, 4, 'M', 'Q', 'T', 'T', 4, 0xEE, 0, 30, 0, 2, 'i',
                                   'd', 0, 1, 'w', 0, 3, 'o', 'f', 'f', 0, 1, 'u', 0, 2, 'p', 'w'};
    long n = nd_mqtt_enc_connect(b, sizeof b, &c);
    assert_int_equal(n, sizeof conn);
    assert_memory_equal(b, conn, sizeof conn);
    assert_int_equal(nd_mqtt_enc_connect(b, 10, &c), ND_ELIMIT);
    /* no will, no user */
    nd_mqtt_connect c2 = {.client_id = "id", .keepalive_s = 60, .clean = true};
    static const uint8_t conn2[] = {0x10, 14, 0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 60, 0, 2, 'i', 'd'};
    n = nd_mqtt_enc_connect(b, sizeof b, &c2);
    assert_int_equal(n, sizeof conn2);
    assert_memory_equal(b, conn2, sizeof conn2);
    /* a password needs a user name */
    nd_mqtt_connect c3 = {.client_id = "id", .pwd = "x"};
    assert_int_equal(nd_mqtt_enc_connect(b, sizeof b, &c3), ND_EINVAL);
    /* PUBLISH qos 1 with DUP, qos 0 ignores DUP */
    static const uint8_t pub[] = {0x3A, 7, 0, 1, 't', 0x12, 0x34, 'h', 'i'};
    n = nd_mqtt_enc_publish(b, sizeof b, "t", 1, "hi", 2, 1, false, true, 0x1234);
    assert_int_equal(n, sizeof pub);
    assert_memory_equal(b, pub, sizeof pub);
    n = nd_mqtt_enc_publish(b, sizeof b, "t", 1, "hi", 2, 0, false, true, 0);
    assert_int_equal(b[0], 0x30);
    assert_int_equal(nd_mqtt_enc_publish(b, sizeof b, "t", 1, "", 0, 1, false, false, 0), ND_EINVAL);
    assert_int_equal(nd_mqtt_enc_publish(b, sizeof b, "t", 1, "", 0, 2, false, false, 1), ND_EINVAL);
    /* PUBACK, SUBSCRIBE, UNSUBSCRIBE, PINGREQ, DISCONNECT */
    static const uint8_t pa[] = {0x40, 2, 0, 5};
    assert_int_equal(nd_mqtt_enc_puback(b, sizeof b, 5), 4);
    assert_memory_equal(b, pa, 4);
    static const uint8_t sub[] = {0x82, 8, 0, 9, 0, 3, 'a', '/', '#', 1};
    assert_int_equal(nd_mqtt_enc_subscribe(b, sizeof b, 9, "a/#", 1), sizeof sub);
    assert_memory_equal(b, sub, sizeof sub);
    static const uint8_t uns[] = {0xA2, 7, 0, 9, 0, 3, 'a', '/', '#'};
    assert_int_equal(nd_mqtt_enc_unsubscribe(b, sizeof b, 9, "a/#"), sizeof uns);
    assert_memory_equal(b, uns, sizeof uns);
    assert_int_equal(nd_mqtt_enc_empty(b, sizeof b, ND_MQTT_PINGREQ), 2);
    assert_int_equal(b[0], 0xC0);
    assert_int_equal(b[1], 0);
    assert_int_equal(nd_mqtt_enc_empty(b, sizeof b, ND_MQTT_DISCONNECT), 2);
    assert_int_equal(b[0], 0xE0);
    assert_int_equal(nd_mqtt_enc_empty(b, 1, ND_MQTT_DISCONNECT), ND_ELIMIT);
    assert_int_equal(nd_mqtt_enc_empty(b, sizeof b, ND_MQTT_CONNECT), ND_EINVAL);
}

/* Broker packets: accepted (with what they say) or refused. */
static void test_decode_table(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        uint8_t b[16];
        size_t n;
        int rc;
        int type;
    } t[] = {
        {"connack ok", {0x20, 2, 0, 0}, 4, ND_OK, ND_MQTT_CONNACK},
        {"connack not authorised", {0x20, 2, 0, 5}, 4, ND_OK, ND_MQTT_CONNACK},
        {"connack rc 6", {0x20, 2, 0, 6}, 4, ND_EINVAL, 0},
        {"connack reserved bit", {0x20, 2, 2, 0}, 4, ND_EINVAL, 0},
        {"connack flags in header", {0x21, 2, 0, 0}, 4, ND_EINVAL, 0},
        {"connack long", {0x20, 3, 0, 0, 0}, 5, ND_EINVAL, 0},
        {"connack truncated", {0x20, 2, 0}, 3, ND_EINVAL, 0},
        {"puback", {0x40, 2, 0, 1}, 4, ND_OK, ND_MQTT_PUBACK},
        {"puback id 0", {0x40, 2, 0, 0}, 4, ND_EINVAL, 0},
        {"puback short", {0x40, 1, 0}, 3, ND_EINVAL, 0},
        {"suback", {0x90, 3, 0, 1, 1}, 5, ND_OK, ND_MQTT_SUBACK},
        {"suback failure", {0x90, 3, 0, 1, 0x80}, 5, ND_OK, ND_MQTT_SUBACK},
        {"suback rc 3", {0x90, 3, 0, 1, 3}, 5, ND_EINVAL, 0},
        {"suback no rc", {0x90, 2, 0, 1}, 4, ND_EINVAL, 0},
        {"unsuback", {0xB0, 2, 0, 1}, 4, ND_OK, ND_MQTT_UNSUBACK},
        {"pingresp", {0xD0, 0}, 2, ND_OK, ND_MQTT_PINGRESP},
        {"pingresp body", {0xD0, 1, 0}, 3, ND_EINVAL, 0},
        {"publish qos0", {0x30, 5, 0, 1, 't', 'h', 'i'}, 7, ND_OK, ND_MQTT_PUBLISH},
        {"publish empty payload", {0x30, 3, 0, 1, 't'}, 5, ND_OK, ND_MQTT_PUBLISH},
        {"publish qos1", {0x32, 5, 0, 1, 't', 0, 9}, 7, ND_OK, ND_MQTT_PUBLISH},
        {"publish qos1 id 0", {0x32, 5, 0, 1, 't', 0, 0}, 7, ND_EINVAL, 0},
        {"publish qos1 no id", {0x32, 3, 0, 1, 't'}, 5, ND_EINVAL, 0},
        {"publish qos2", {0x34, 5, 0, 1, 't', 0, 9}, 7, ND_EINVAL, 0},
        {"publish qos3", {0x36, 5, 0, 1, 't', 0, 9}, 7, ND_EINVAL, 0},
        {"publish qos0 dup", {0x38, 3, 0, 1, 't'}, 5, ND_EINVAL, 0},
        {"publish empty topic", {0x30, 2, 0, 0}, 4, ND_EINVAL, 0},
        {"publish topic past end", {0x30, 3, 0, 9, 't'}, 5, ND_EINVAL, 0},
        {"publish no topic length", {0x30, 1, 0}, 3, ND_EINVAL, 0},
        {"publish wildcard topic", {0x30, 3, 0, 1, '#'}, 5, ND_EINVAL, 0},
        {"publish NUL in topic", {0x30, 4, 0, 2, 'a', 0}, 6, ND_EINVAL, 0},
        {"connect to a client", {0x10, 0}, 2, ND_EINVAL, 0},
        {"subscribe to a client", {0x82, 0}, 2, ND_EINVAL, 0},
        {"pingreq to a client", {0xC0, 0}, 2, ND_EINVAL, 0},
        {"disconnect to a client", {0xE0, 0}, 2, ND_EINVAL, 0},
        {"pubrec (no qos 2)", {0x50, 2, 0, 1}, 4, ND_EINVAL, 0},
        {"type 0", {0x00, 0}, 2, ND_EINVAL, 0},
        {"type 15", {0xF0, 0}, 2, ND_EINVAL, 0},
        {"bad varint", {0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}, 6, ND_EINVAL, 0},
        {"header only", {0x20}, 1, ND_EINVAL, 0},
        {"empty", {0}, 0, ND_EINVAL, 0},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        nd_mqtt_pkt p;
        const char *why = NULL;
        int rc = nd_mqtt_decode(t[i].b, t[i].n, &p, &why);
        if (rc != t[i].rc) fail_msg("%s: rc %d, expected %d", t[i].name, rc, t[i].rc);
        if (rc == ND_OK && p.type != t[i].type) fail_msg("%s: type %d", t[i].name, p.type);
        if (rc != ND_OK && (!why || !*why)) fail_msg("%s: refused without a reason", t[i].name);
    }
    /* what the accepted ones say */
    nd_mqtt_pkt p;
    const char *why;
    static const uint8_t ca[] = {0x20, 2, 1, 5};
    assert_int_equal(nd_mqtt_decode(ca, 4, &p, &why), ND_OK);
    assert_true(p.session_present);
    assert_int_equal(p.connack_rc, 5);
    static const uint8_t pb[] = {0x33, 7, 0, 2, 'a', 'b', 0, 9, 'z'};
    assert_int_equal(nd_mqtt_decode(pb, sizeof pb, &p, &why), ND_OK);
    assert_int_equal(p.pid, 9);
    assert_true(p.retain);
    assert_int_equal(p.plen, 1);
    assert_int_equal(p.payload[0], 'z');
}

/* The head of a PUBLISH too large to keep: topic and size from its start. */
static void test_publish_head(void **state)
{
    (void)state;
    /* 1 MiB + 17 payload on "n/cmd", qos 1: only 13 bytes are there */
    uint8_t b[32];
    size_t rl = 2 + 5 + 2 + (1u << 20) + 17;
    b[0] = 0x32;
    int vl = nd_mqtt_enc_varint(b + 1, (uint32_t)rl);
    size_t o = 1 + (size_t)vl;
    memcpy(b + o, "\0\5n/cmd\0\x2a", 9);
    nd_mqtt_pkt p;
    size_t head = 0;
    const char *why = NULL;
    assert_int_equal(nd_mqtt_dec_publish_head(b, o + 9, &p, &head, &why), ND_OK);
    assert_int_equal(head, o + 9);
    assert_int_equal(p.plen, (1u << 20) + 17);
    assert_int_equal(p.pid, 42);
    assert_int_equal(p.tlen, 5);
    assert_memory_equal(p.topic, "n/cmd", 5);
    /* the head not all there yet */
    for (size_t k = 0; k < o + 9; k++)
        assert_int_equal(nd_mqtt_dec_publish_head(b, k, &p, &head, &why), ND_EAGAIN);
    b[0] = 0x20; /* not a PUBLISH */
    assert_int_equal(nd_mqtt_dec_publish_head(b, o + 9, &p, &head, &why), ND_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_varint_boundaries), cmocka_unit_test(test_varint_malformed),
        cmocka_unit_test(test_publish_boundaries), cmocka_unit_test(test_encode_layouts),
        cmocka_unit_test(test_decode_table),       cmocka_unit_test(test_publish_head),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
