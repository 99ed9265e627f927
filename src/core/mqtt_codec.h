/*
** mqtt_codec.h -- MQTT 3.1.1 packets as bytes: encoders for what a client
** sends, a decoder for what a broker sends. No state, no I/O, no
** allocation: the client (mqtt_client.c) owns the buffers, the fuzz target
** and the unit tests drive these directly.
**
** Every encoder writes one whole packet into buf and returns its length,
** or ND_ELIMIT when cap is too small (nothing useful written), or
** ND_EINVAL for an argument MQTT cannot carry (a string over 65535 bytes,
** a remaining length over 268435455, packet id 0, qos other than 0/1).
*/
#ifndef ND_MQTT_CODEC_H
#define ND_MQTT_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    ND_MQTT_CONNECT = 1, ND_MQTT_CONNACK, ND_MQTT_PUBLISH, ND_MQTT_PUBACK, ND_MQTT_PUBREC,
    ND_MQTT_PUBREL, ND_MQTT_PUBCOMP, ND_MQTT_SUBSCRIBE, ND_MQTT_SUBACK, ND_MQTT_UNSUBSCRIBE,
    ND_MQTT_UNSUBACK, ND_MQTT_PINGREQ, ND_MQTT_PINGRESP, ND_MQTT_DISCONNECT
};

#define ND_MQTT_RL_MAX 268435455u /* the largest remaining length 4 varint bytes carry */

typedef struct nd_mqtt_connect {
    const char *client_id;
    const char *user, *pwd;   /* NULL: absent (a password needs a user name, 3.1.2.9) */
    uint16_t keepalive_s;
    bool clean;
    const char *will_topic;   /* NULL: no will */
    const void *will_payload;
    size_t will_len;
    int will_qos;
    bool will_retain;
} nd_mqtt_connect;

/* Remaining-length varint: bytes written (1..4) into b (4 bytes room), or
** ND_EINVAL above ND_MQTT_RL_MAX. */
int nd_mqtt_enc_varint(uint8_t *b, uint32_t v);
/* Bytes a PUBLISH of this topic length, payload length and qos takes in
** total (fixed header included); 0 when MQTT cannot carry it. */
size_t nd_mqtt_publish_size(size_t tlen, size_t n, int qos);

long nd_mqtt_enc_connect(uint8_t *buf, size_t cap, const nd_mqtt_connect *c);
long nd_mqtt_enc_publish(uint8_t *buf, size_t cap, const char *topic, size_t tlen, const void *p,
                         size_t n, int qos, bool retain, bool dup, uint16_t pid);
long nd_mqtt_enc_puback(uint8_t *buf, size_t cap, uint16_t pid);
long nd_mqtt_enc_subscribe(uint8_t *buf, size_t cap, uint16_t pid, const char *filter, int qos);
long nd_mqtt_enc_unsubscribe(uint8_t *buf, size_t cap, uint16_t pid, const char *filter);
/* PINGREQ, PINGRESP or DISCONNECT: two bytes. */
long nd_mqtt_enc_empty(uint8_t *buf, size_t cap, int type);

/* The fixed header at the start of p[0..n): ND_OK with the first byte, the
** remaining length and the header's size; ND_EAGAIN when more bytes are
** needed to know; ND_EINVAL for a varint of 5 bytes or a non-minimal one
** (a continuation byte of 0x80 last: 3.1.1 allows only the shortest form). */
int nd_mqtt_dec_header(const uint8_t *p, size_t n, uint8_t *byte0, uint32_t *rl, size_t *hlen);

/* One decoded packet from the broker; pointers point into the input. */
typedef struct nd_mqtt_pkt {
    uint8_t type;
    uint16_t pid;              /* PUBLISH qos 1, PUBACK, SUBACK, UNSUBACK */
    /* CONNACK */
    bool session_present;
    uint8_t connack_rc;
    /* SUBACK: the first return code (0, 1, 2 granted; 0x80 failure) */
    uint8_t suback_rc;
    /* PUBLISH */
    uint8_t qos;
    bool retain, dup;
    const char *topic;         /* not NUL-terminated */
    size_t tlen;
    const uint8_t *payload;
    size_t plen;
} nd_mqtt_pkt;

/* Decode one complete packet p[0..n) (n = header + remaining length
** exactly). ND_OK, or ND_EINVAL with *why set for anything a broker must
** not send a client, reserved flag bits, a length that does not add up, a
** topic with a NUL or wildcard, qos 2 (the node never subscribes with it). */
int nd_mqtt_decode(const uint8_t *p, size_t n, nd_mqtt_pkt *out, const char **why);

/* The head of a PUBLISH too large to keep (the client skips its payload):
** from the fixed header and the first bytes of the body in p[0..n), the
** topic and packet id. ND_OK, ND_EAGAIN when the head is not all in p yet,
** ND_EINVAL when malformed. *head gets the bytes the head takes. */
int nd_mqtt_dec_publish_head(const uint8_t *p, size_t n, nd_mqtt_pkt *out, size_t *head,
                             const char **why);

#endif
