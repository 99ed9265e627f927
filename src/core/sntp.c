/*
** sntp.c -- SNTP client (RFC 4330) feeding the node clock.
**
** The server is the `ntpserver` config key: a name or IPv4 address,
** optionally ":port" (a test server on a free port); "n/a" or "" turns the
** client off. A sync resolves the name (nd_resolve: never blocks), sends one
** 48-byte client request from an ephemeral UDP port and waits for the answer
** for ND_SNTP_WAIT_MS. The answer moves the node clock by the measured
** offset (the OS clock is never touched -- the node clock is an offset over
** it, node.c), and cron is told the clock moved, as for `system setclock`.
**
** Rhythm: at start, then every ND_SNTP_PERIOD_S after a success. A failure
** retries after 2 s, doubling up to ND_SNTP_PERIOD_S (capped exponential
** backoff: an absent server costs nothing and floods
** nothing). Results are logged once per change (first success, clock
** steps of a second or more, the first failure of a streak), so a node
** without network writes one line, not one per retry.
**
** Answers are checked: mode 4 (server), a non-zero stratum (0 is a
** kiss-o'-death), the originate timestamp equal to what we sent (an old or
** forged datagram is ignored), a non-zero transmit timestamp.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node_int.h"
#include "nodus/port.h"
#include "resolve.h"
#include "sched.h"
#include "sntp.h"

#include "nodus/opts.h" /* the limits; a port may override them */
#define ND_NTP_UNIX_DELTA 2208988800LL /* 1900-01-01 -> 1970-01-01 in seconds */

enum { S_IDLE, S_RESOLVE, S_WAIT };

struct nd_sntp {
    struct nd_node *node;
    nd_timer timer;      /* next sync, or the deadline of the running one */
    nd_sock *sock;
    nd_resolve_job *rj;
    int phase;
    int fails;           /* consecutive failures: the backoff exponent */
    bool ok;             /* the last finished sync succeeded */
    bool logged_fail;    /* this failure streak is already in the log */
    uint64_t syncs;
    uint8_t sent_ts[8];  /* transmit timestamp of the request (originate in the answer) */
    int64_t t1_ms;       /* node wall ms at send */
    uint64_t t1_us;      /* monotonic us at send, for the round trip */
    int64_t t1_off;      /* node clock offset at send: a setclock meanwhile moves t1 too */
    int64_t last_offset_ms;
    const char *why;     /* reason of the current failure, for the log */
    char host[ND_HOST_NAME_MAX];
    int port;
};

static void sync_start(struct nd_sntp *s);

static void close_io(struct nd_sntp *s)
{
    if (s->rj) nd_resolve_cancel(s->rj);
    s->rj = NULL;
    if (s->sock) nd_net_close(s->sock);
    s->sock = NULL;
}

static void timer_fn(nd_timer *t, void *ud)
{
    (void)t;
    struct nd_sntp *s = ud;
    if (s->phase == S_IDLE) {
        sync_start(s);
        return;
    }
    /* the running sync's deadline (or fail_now) */
    if (!s->why) s->why = s->phase == S_RESOLVE ? "no address for" : "no answer from";
    close_io(s);
    s->phase = S_IDLE;
    s->ok = false;
    s->fails++;
    if (!s->logged_fail) {
        nd_log(s->node, "[WARN] ntp: %s %s:%d (retrying with backoff)", s->why, s->host, s->port);
        s->logged_fail = true;
    }
    uint64_t delay = (uint64_t)ND_SNTP_RETRY_MS << (s->fails > 11 ? 11 : s->fails - 1);
    if (delay > (uint64_t)ND_SNTP_PERIOD_S * 1000) delay = (uint64_t)ND_SNTP_PERIOD_S * 1000;
    nd_timer_arm(&s->node->timers, &s->timer, nd_port_mono_ms() + delay, timer_fn, s);
}

/* End the running sync with a failure now (the deadline path does the rest). */
static void fail_now(struct nd_sntp *s, const char *why)
{
    s->why = why;
    nd_timer_arm(&s->node->timers, &s->timer, nd_port_mono_ms(), timer_fn, s);
}

static void put_ts(uint8_t *p, int64_t unix_ms)
{
    uint64_t sec = (uint64_t)(unix_ms / 1000 + ND_NTP_UNIX_DELTA);
    uint64_t frac = ((uint64_t)(unix_ms % 1000) << 32) / 1000;
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(sec >> (24 - 8 * i));
    for (int i = 0; i < 4; i++) p[4 + i] = (uint8_t)(frac >> (24 - 8 * i));
}

static int64_t get_ts(const uint8_t *p)
{
    uint64_t sec = 0, frac = 0;
    for (int i = 0; i < 4; i++) sec = sec << 8 | p[i];
    for (int i = 0; i < 4; i++) frac = frac << 8 | p[4 + i];
    /* era 1 (from 2036-02-07): seconds wrapped past 2^32 */
    if (sec < 0x80000000u) sec += 0x100000000ULL;
    return ((int64_t)sec - ND_NTP_UNIX_DELTA) * 1000 + (int64_t)((frac * 1000) >> 32);
}

static void on_answer(nd_sock *sk, int ev, void *ud)
{
    (void)ev;
    struct nd_sntp *s = ud;
    struct nd_node *n = s->node;
    uint8_t p[128];
    for (;;) {
        long k = nd_udp_recvfrom(sk, p, sizeof p, NULL);
        if (k == ND_EAGAIN) return;
        if (k < 48) {
            if (k < 0 && k != ND_ELIMIT) return;
            continue; /* short or oversize: not an SNTP answer */
        }
        int mode = p[0] & 7, stratum = p[1];
        if (mode != 4 || memcmp(p + 24, s->sent_ts, 8) != 0) continue; /* not ours */
        if (stratum == 0) {
            nd_log(n, "[WARN] ntp: %s:%d refused us (kiss-o'-death %.4s)", s->host, s->port, (char *)p + 12);
            fail_now(s, "refused by");
            return;
        }
        static const uint8_t zero[8];
        if (!memcmp(p + 40, zero, 8)) continue;
        /* t1 on today's node clock: the clock may have been set while we waited */
        int64_t t1 = s->t1_ms + (n->clock_offset_ms - s->t1_off);
        int64_t t4 = t1 + (int64_t)((nd_port_mono_us() - s->t1_us) / 1000);
        int64_t t2 = get_ts(p + 32), t3 = get_ts(p + 40);
        int64_t offset = ((t2 - t1) + (t3 - t4)) / 2;
        close_io(s);
        s->phase = S_IDLE;
        s->syncs++;
        int64_t before = nd_node_time(n);
        n->clock_offset_ms += offset;
        nd_sched_clock_moved(n, before);
        if (!s->ok || offset >= 1000 || offset <= -1000)
            nd_log(n, "[INFO] ntp: clock synced from %s:%d (offset %+lld ms, stratum %d)", s->host,
                   s->port, (long long)offset, stratum);
        s->ok = true;
        s->fails = 0;
        s->logged_fail = false;
        s->last_offset_ms = offset;
        nd_timer_arm(&n->timers, &s->timer, nd_port_mono_ms() + (uint64_t)ND_SNTP_PERIOD_S * 1000,
                     timer_fn, s);
        return;
    }
}

static void send_request(struct nd_sntp *s, const char *ip)
{
    nd_addr to;
    if (nd_addr_parse(ip, (uint16_t)s->port, &to) != ND_OK ||
        nd_udp_open(NULL, 0, 0, on_answer, s, &s->sock) != ND_OK) {
        s->sock = NULL;
        fail_now(s, "no UDP socket for");
        return;
    }
    uint8_t req[48];
    memset(req, 0, sizeof req);
    req[0] = 0x23; /* LI 0, version 4, mode 3 (client) */
    s->t1_ms = nd_node_time_ms(s->node);
    s->t1_us = nd_port_mono_us();
    s->t1_off = s->node->clock_offset_ms;
    put_ts(req + 40, s->t1_ms);
    /* the low fraction bits are noise below a microsecond: make them random so
    ** the originate check also rejects blind guesses */
    nd_port_random(req + 46, 2);
    memcpy(s->sent_ts, req + 40, 8);
    if (nd_udp_sendto(s->sock, req, sizeof req, &to) != (long)sizeof req) fail_now(s, "cannot send to");
}

static void on_resolved(void *ud, int rc, const char *ip)
{
    struct nd_sntp *s = ud;
    s->rj = NULL;
    if (rc != ND_OK) {
        fail_now(s, "no address for");
        return;
    }
    s->phase = S_WAIT;
    send_request(s, ip);
}

/* Read `ntpserver` anew on every sync: a conf change applies at the next one. */
static bool load_server(struct nd_sntp *s)
{
    const char *v = nd_cfg_get_str(s->node->cfg, ND_K_ntpserver);
    if (!v || !*v || !strncmp(v, "n/a", 3)) return false;
    snprintf(s->host, sizeof s->host, "%s", v);
    s->port = 123;
    char *colon = strchr(s->host, ':');
    if (colon) {
        *colon = 0;
        int p = atoi(colon + 1);
        if (p > 0 && p < 65536) s->port = p;
    }
    return s->host[0] != 0;
}

static void sync_start(struct nd_sntp *s)
{
    if (s->phase != S_IDLE) return;
    if (!load_server(s)) {
        s->ok = false;
        return;
    }
    char ip[16];
    s->why = NULL;
    s->phase = S_RESOLVE;
    nd_timer_arm(&s->node->timers, &s->timer, nd_port_mono_ms() + ND_SNTP_WAIT_MS, timer_fn, s);
    int rc = nd_resolve(s->node, s->host, ip, on_resolved, s, &s->rj);
    if (rc == ND_OK) {
        s->phase = S_WAIT;
        send_request(s, ip);
    } else if (rc != ND_EAGAIN) {
        s->rj = NULL;
        fail_now(s, "no address for");
    }
}

void nd_sntp_start(struct nd_node *n)
{
    if (n->sntp) return;
    struct nd_sntp *s = calloc(1, sizeof *s);
    if (!s) return;
    s->node = n;
    n->sntp = s;
    sync_start(s);
}

void nd_sntp_stop(struct nd_node *n)
{
    struct nd_sntp *s = n->sntp;
    if (!s) return;
    close_io(s);
    nd_timer_disarm(&n->timers, &s->timer);
    free(s);
    n->sntp = NULL;
}

bool nd_node_ntp(struct nd_node *n)
{
    if (!n->sntp) nd_sntp_start(n);
    struct nd_sntp *s = n->sntp;
    if (!s) return false;
    bool ok = s->ok;
    if (s->phase == S_IDLE) {
        s->fails = 0; /* asked for: retry soon again, not after a long backoff */
        sync_start(s);
    }
    return ok;
}

void nd_sntp_status(struct nd_node *n, nd_sntp_info *out)
{
    memset(out, 0, sizeof *out);
    struct nd_sntp *s = n->sntp;
    if (!s) return;
    out->running = s->phase != S_IDLE;
    out->ok = s->ok;
    out->syncs = s->syncs;
    out->offset_ms = s->last_offset_ms;
    out->why = s->ok ? NULL : s->why;
    snprintf(out->host, sizeof out->host, "%s", s->host);
    out->port = s->port;
}
