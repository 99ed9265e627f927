/*
** fuzz_telnet.c -- the telnet byte machine (src/core/telnet_neg.c) on
** arbitrary input, cut at arbitrary points, with the door's ECHO/SGA
** requests interleaved. Beyond memory safety it checks, and aborts when one
** fails:
**   - no more data comes out than went in (a session's line buffer relies on it);
**   - every reply is one 3-byte IAC verb option sequence;
**   - at most one reply per negotiation command received plus one per door
**     request (no negotiation loop can be driven from outside);
**   - escaped output fed back through the machine gives the same text
**     (line ends normalised), so nothing the node prints can turn into a
**     telnet command on the wire.
** Seed corpus: tests/fuzz/corpus/telnet/.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "telnet_neg.h"

typedef struct {
    size_t data, sent, nreplies;
    uint8_t buf[1 << 16];
    size_t n;
} sink;

static void check(int ok)
{
    if (!ok) abort();
}

static void on_data(void *ud, const char *p, size_t n)
{
    sink *s = ud;
    s->data += n;
    if (s->n + n <= sizeof s->buf) {
        memcpy(s->buf + s->n, p, n);
        s->n += n;
    }
}

static void on_send(void *ud, const uint8_t *p, size_t n)
{
    sink *s = ud;
    check(n == 3 && p[0] == ND_TN_IAC && p[1] >= ND_TN_WILL && p[1] <= ND_TN_DONT);
    s->nreplies++;
}

static void on_event(void *ud, int ev)
{
    (void)ud;
    check(ev >= ND_TN_EV_INTR && ev <= ND_TN_EV_EOF);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sink s;
    memset(&s, 0, sizeof s);
    nd_tn t;
    nd_tn_cb cb = {.data = on_data, .event = on_event, .send = on_send, .ud = &s};
    nd_tn_init(&t, &cb);
    size_t verbs = 0, asks = 0;
    for (size_t i = 0; i + 1 < size; i++)
        if (data[i] == ND_TN_IAC && data[i + 1] >= ND_TN_WILL && data[i + 1] <= ND_TN_DONT) verbs++;
    /* the first byte picks the cut points and the door's requests */
    uint8_t mode = size ? data[0] : 0;
    size_t off = size ? 1 : 0, step = (size_t)(mode & 7) + 1;
    while (off < size) {
        size_t k = size - off < step ? size - off : step;
        nd_tn_feed(&t, data + off, k);
        off += k;
        if (mode & 0x08) {
            nd_tn_set_echo(&t, (off & 1) != 0);
            asks++;
        }
        if (mode & 0x10) {
            nd_tn_set_sga(&t, (off & 2) != 0);
            asks++;
        }
    }
    check(s.data <= size);
    check(s.nreplies <= verbs + asks);
    /* round trip: escape what came out, parse it again */
    if (s.n && s.n <= 4096) {
        static uint8_t esc[8192];
        size_t e = nd_tn_escape((const char *)s.buf, s.n, esc);
        check(e <= 2 * s.n);
        sink s2;
        memset(&s2, 0, sizeof s2);
        nd_tn t2;
        nd_tn_cb cb2 = {.data = on_data, .event = on_event, .send = on_send, .ud = &s2};
        nd_tn_init(&t2, &cb2);
        nd_tn_feed(&t2, esc, e);
        check(s2.nreplies == 0);
        /* the text, with control bytes that are events (^C, BS...) gone */
        size_t j = 0;
        for (size_t i = 0; i < s.n; i++) {
            uint8_t c = s.buf[i];
            if (c == 3 || c == 4 || c == 8 || c == 0x7f || c == 0x15 || c == 0) continue;
            if (c == '\r') c = '\n';
            check(j < s2.n && s2.buf[j] == c);
            j++;
        }
        check(j == s2.n);
    }
    return 0;
}
