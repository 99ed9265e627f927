/*
** mdns.c -- mDNS responder (mdns.h): probe, announce, answer, defend, goodbye.
**
** The node owns a handful of record kinds (K_* below). Everything that goes
** out -- probes, announcements, answers, goodbyes -- is "these kinds, for
** this link", written by put(); everything that comes in is classified by
** ours(): identical to one of our records (a known answer, or our own packet
** looped back), conflicting with one (same name and type, other data), or
** unrelated. That one comparison drives known-answer suppression, conflict
** detection and the probe tie-break.
**
** State: PROBING (3 probes, 250 ms apart, after 0-250 ms) -> ANNOUNCING (2
** unsolicited responses, 1 s apart) -> RUNNING. A conflicting answer while
** probing renames (<devfid>-N) and probes again; after 15 conflicts the
** probes slow to one per 5 s (RFC 6762 8.1). A conflict seen later sends us
** back to probing the same name (RFC 6762 9): whoever wins keeps it.
**
** Simplifications, on purpose: the probe tie-break compares only the first
** conflicting authority record (A address bytes, or SRV priority/weight/
** port); we answer from one packet (no TC-bit known-answer continuation);
** negative answers (NSEC) are given for the host name only.
**
** Other hosts' names (InterCon >>name.local) are the querier's
** (mdns_query.c, shared with the CLI): this file feeds it every response
** heard on the link, sends the queries it writes, and is the resolver's
** .local hook.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "mdns.h"
#include "mdns_query.h"
#include "node_int.h"
#include "resolve.h"
#include "web.h"
#include "nodus/port.h"

#define MDNS_PORT 5353
#define MDNS_PKT 1440       /* fits one Ethernet frame over IPv4 or IPv6 */
#define MDNS_RX 9000        /* largest mDNS message (RFC 6762 17) */
#define MDNS_IF_MAX 8       /* links served */
#define MDNS_ADDR_MAX 4     /* addresses per family per link in answers */
#define MDNS_TTL_HOST 120   /* RFC 6762 10: records naming a host */
#define MDNS_TTL_OTHER 4500 /* ... and the rest */
#define MDNS_ADDR_POLL_MS 5000
#define MDNS_Q_MS 2000      /* a lookup of another host gives up after this */
#define MDNS_Q_RESEND_MS 500 /* ... and asks again this often */

enum { K_A, K_AAAA, K_NSEC, K_PTR_N, K_SRV_N, K_TXT_N, K_PTR_H, K_SRV_H, K_TXT_H, K_ENUM_N,
       K_ENUM_H, K_COUNT };
#define B(k) (1u << (k))
#define UNIQUE (B(K_A) | B(K_AAAA) | B(K_NSEC) | B(K_SRV_N) | B(K_TXT_N) | B(K_SRV_H) | B(K_TXT_H))
#define HTTP_KINDS (B(K_PTR_H) | B(K_SRV_H) | B(K_TXT_H) | B(K_ENUM_H))

enum { ST_IDLE, ST_PROBING, ST_ANNOUNCING, ST_RUNNING };

static const char SVC_N[] = "_nodus._tcp.local", SVC_H[] = "_http._tcp.local",
                  SVC_ENUM[] = "_services._dns-sd._udp.local";

typedef struct mdns_if {
    uint32_t ifindex;
    nd_addr v4[MDNS_ADDR_MAX], v6[MDNS_ADDR_MAX];
    uint8_t prefix4[MDNS_ADDR_MAX];
    int n4, n6;
    uint64_t last[K_COUNT]; /* mono ms of the last multicast of each kind here */
    uint32_t pend[2];       /* delayed shared answers, per family (0: v4, 1: v6) */
    uint64_t pend_due;
} mdns_if;

struct nd_mdns {
    struct nd_node *node;
    nd_sock *s4, *s6;
    nd_timer t_state, t_resp, t_addr;
    int state, step;
    int suffix;             /* 1: plain devfid, N: devfid-N */
    int conflicts;          /* renames so far: past 15, probe slowly */
    char fid[40];           /* the devfid the names were made from */
    char label[64];         /* devfid or devfid-N */
    char host[80];          /* label.local */
    char inst_n[96], inst_h[96];
    uint16_t shell_port, web_port;
    uint8_t txt[400];
    size_t txtlen;
    mdns_if ifs[MDNS_IF_MAX];
    int nifs;
    uint32_t addr_sum;      /* checksum of the links' addresses (change detection) */
    uint8_t rx[MDNS_RX], tx[MDNS_PKT];
    uint64_t n_rx, n_bad, n_answers;
    nd_mdnsq q;             /* other hosts' names (InterCon >>name.local) */
    nd_timer t_query;
};

/* ---- names and records ------------------------------------------------- */
static void set_names(struct nd_mdns *m)
{
    const char *fid = nd_cfg_get_str(m->node->cfg, ND_K_devfid);
    snprintf(m->fid, sizeof m->fid, "%.32s", fid);
    if (m->suffix > 1) snprintf(m->label, sizeof m->label, "%.32s-%d", fid, m->suffix);
    else snprintf(m->label, sizeof m->label, "%.32s", fid);
    snprintf(m->host, sizeof m->host, "%s.local", m->label);
    snprintf(m->inst_n, sizeof m->inst_n, "%s.%s", m->label, SVC_N);
    snprintf(m->inst_h, sizeof m->inst_h, "%s.%s", m->label, SVC_H);
}

static void txt_add(struct nd_mdns *m, const char *k, const char *v)
{
    char item[256];
    int l = snprintf(item, sizeof item, "%s=%s", k, v);
    if (l < 0 || l > 255 || m->txtlen + 1 + (size_t)l > sizeof m->txt) return;
    m->txt[m->txtlen++] = (uint8_t)l;
    memcpy(m->txt + m->txtlen, item, (size_t)l);
    m->txtlen += (size_t)l;
}

static void build_txt(struct nd_mdns *m)
{
    char port[8];
    m->txtlen = 0;
    snprintf(port, sizeof port, "%u", m->web_port);
    txt_add(m, "version", NODUS_VERSION);
    txt_add(m, "hwuid", nd_cfg_get_str(m->node->cfg, ND_K_hwuid));
    txt_add(m, "devfid", nd_cfg_get_str(m->node->cfg, ND_K_devfid));
    txt_add(m, "webport", port);
}

static uint32_t kinds_all(const struct nd_mdns *m, const mdns_if *ifc)
{
    uint32_t k = B(K_A) | B(K_PTR_N) | B(K_SRV_N) | B(K_TXT_N) | B(K_ENUM_N);
    if (ifc->n6) k |= B(K_AAAA);
    if (m->web_port) k |= HTTP_KINDS;
    return k;
}

static uint32_t ttl_of(int k)
{
    return (k == K_A || k == K_AAAA || k == K_NSEC || k == K_SRV_N || k == K_SRV_H)
               ? MDNS_TTL_HOST
               : MDNS_TTL_OTHER;
}

enum { PUT_LEGACY = 1, PUT_GOODBYE = 2 };

/* Write the records of kind k for link ifc into section sec. */
static void put(struct nd_mdns *m, nd_dns_w *w, int sec, int k, const mdns_if *ifc, int how)
{
    uint32_t ttl = (how & PUT_GOODBYE) ? 0 : ttl_of(k);
    if ((how & PUT_LEGACY) && ttl > 10) ttl = 10; /* RFC 6762 6.7 */
    uint16_t cls = ND_DNS_IN;
    /* cache-flush marks unique records, but never in legacy unicast replies
    ** nor in the authority section of probes */
    if ((UNIQUE & B(k)) && !(how & PUT_LEGACY) && sec != ND_DNS_SEC_NS) cls |= ND_DNS_CLASS_TOP;
    switch (k) {
    case K_A:
        for (int i = 0; i < ifc->n4; i++) {
            nd_dns_w_rr_begin(w, sec, m->host, ND_DNS_A, cls, ttl);
            nd_dns_w_bytes(w, ifc->v4[i].ip, 4);
            nd_dns_w_rr_end(w);
        }
        break;
    case K_AAAA:
        for (int i = 0; i < ifc->n6; i++) {
            nd_dns_w_rr_begin(w, sec, m->host, ND_DNS_AAAA, cls, ttl);
            nd_dns_w_bytes(w, ifc->v6[i].ip, 16);
            nd_dns_w_rr_end(w);
        }
        break;
    case K_NSEC: { /* "only these types exist here" (RFC 6762 6.1) */
        uint8_t bm[4] = {0x40, 0, 0, 0}; /* type 1 (A) */
        size_t bl = 1;
        if (ifc->n6) {
            bm[3] = 0x08; /* type 28 (AAAA) */
            bl = 4;
        }
        nd_dns_w_rr_begin(w, sec, m->host, ND_DNS_NSEC, cls, ttl);
        nd_dns_w_name(w, m->host, true);
        nd_dns_w_u8(w, 0);
        nd_dns_w_u8(w, (uint8_t)bl);
        nd_dns_w_bytes(w, bm, bl);
        nd_dns_w_rr_end(w);
        break;
    }
    case K_PTR_N:
    case K_PTR_H:
        nd_dns_w_rr_begin(w, sec, k == K_PTR_N ? SVC_N : SVC_H, ND_DNS_PTR, cls, ttl);
        nd_dns_w_name(w, k == K_PTR_N ? m->inst_n : m->inst_h, false);
        nd_dns_w_rr_end(w);
        break;
    case K_ENUM_N:
    case K_ENUM_H:
        nd_dns_w_rr_begin(w, sec, SVC_ENUM, ND_DNS_PTR, cls, ttl);
        nd_dns_w_name(w, k == K_ENUM_N ? SVC_N : SVC_H, false);
        nd_dns_w_rr_end(w);
        break;
    case K_SRV_N:
    case K_SRV_H:
        nd_dns_w_rr_begin(w, sec, k == K_SRV_N ? m->inst_n : m->inst_h, ND_DNS_SRV, cls, ttl);
        nd_dns_w_u16(w, 0);
        nd_dns_w_u16(w, 0);
        nd_dns_w_u16(w, k == K_SRV_N ? m->shell_port : m->web_port);
        nd_dns_w_name(w, m->host, false);
        nd_dns_w_rr_end(w);
        break;
    case K_TXT_N:
        nd_dns_w_rr_begin(w, sec, m->inst_n, ND_DNS_TXT, cls, ttl);
        nd_dns_w_bytes(w, m->txt, m->txtlen);
        nd_dns_w_rr_end(w);
        break;
    case K_TXT_H: {
        static const uint8_t path[] = "\x06path=/";
        nd_dns_w_rr_begin(w, sec, m->inst_h, ND_DNS_TXT, cls, ttl);
        nd_dns_w_bytes(w, path, sizeof path - 1);
        nd_dns_w_rr_end(w);
        break;
    }
    }
}

static void put_mask(struct nd_mdns *m, nd_dns_w *w, int sec, uint32_t mask, const mdns_if *ifc,
                     int how)
{
    for (int k = 0; k < K_COUNT; k++)
        if (mask & B(k)) put(m, w, sec, k, ifc, how);
}

/* Records worth adding to an answer so the asker needs no second round. */
static uint32_t additionals(const mdns_if *ifc, uint32_t ans)
{
    uint32_t add = 0;
    if (ans & B(K_PTR_N)) add |= B(K_SRV_N) | B(K_TXT_N);
    if (ans & B(K_PTR_H)) add |= B(K_SRV_H) | B(K_TXT_H);
    if ((ans | add) & (B(K_SRV_N) | B(K_SRV_H))) add |= B(K_A) | (ifc->n6 ? B(K_AAAA) : 0);
    return add & ~ans;
}

/* Which of our kinds does a question ask for? */
static uint32_t match_q(const struct nd_mdns *m, const nd_dns_msg *msg, const nd_dns_rr *q,
                        const mdns_if *ifc)
{
    if (q->cls != ND_DNS_IN && q->cls != ND_DNS_ANY) return 0;
    const uint8_t *p = msg->p;
    size_t n = msg->n;
    uint16_t t = q->type;
    bool any = t == ND_DNS_ANY;
    uint32_t k = 0;
    if (nd_dns_name_eq(p, n, q->name, m->host)) {
        if (any || t == ND_DNS_A) k |= B(K_A);
        if ((any || t == ND_DNS_AAAA) && ifc->n6) k |= B(K_AAAA);
        if (!any && t != ND_DNS_A && (t != ND_DNS_AAAA || !ifc->n6)) k |= B(K_NSEC);
    } else if (nd_dns_name_eq(p, n, q->name, SVC_N)) {
        if (any || t == ND_DNS_PTR) k |= B(K_PTR_N);
    } else if (nd_dns_name_eq(p, n, q->name, m->inst_n)) {
        if (any || t == ND_DNS_SRV) k |= B(K_SRV_N);
        if (any || t == ND_DNS_TXT) k |= B(K_TXT_N);
    } else if (m->web_port && nd_dns_name_eq(p, n, q->name, SVC_H)) {
        if (any || t == ND_DNS_PTR) k |= B(K_PTR_H);
    } else if (m->web_port && nd_dns_name_eq(p, n, q->name, m->inst_h)) {
        if (any || t == ND_DNS_SRV) k |= B(K_SRV_H);
        if (any || t == ND_DNS_TXT) k |= B(K_TXT_H);
    } else if (nd_dns_name_eq(p, n, q->name, SVC_ENUM)) {
        if (any || t == ND_DNS_PTR) k |= B(K_ENUM_N) | (m->web_port ? B(K_ENUM_H) : 0);
    }
    return k;
}

enum { NOT_OURS = -2, CONFLICT = -1 };

static bool have_addr(const struct nd_mdns *m, int fam, const uint8_t *ip)
{
    for (int i = 0; i < m->nifs; i++) {
        const mdns_if *f = &m->ifs[i];
        int cnt = fam == 4 ? f->n4 : f->n6;
        for (int a = 0; a < cnt; a++)
            if (!memcmp(fam == 4 ? f->v4[a].ip : f->v6[a].ip, ip, fam == 4 ? 4 : 16)) return true;
    }
    return false;
}

static int srv_cmp(const struct nd_mdns *m, const nd_dns_msg *msg, const nd_dns_rr *rr,
                   uint16_t port)
{
    const uint8_t *d = msg->p + rr->rdata;
    if (d[0] || d[1] || d[2] || d[3] || ((d[4] << 8) | d[5]) != port) return CONFLICT;
    return nd_dns_name_eq(msg->p, msg->n, rr->rdata + 6u, m->host) ? 0 : CONFLICT;
}

/* Classify a received record against ours: the kind it repeats, CONFLICT
** (our name and type, other data) or NOT_OURS. */
static int ours(const struct nd_mdns *m, const nd_dns_msg *msg, const nd_dns_rr *rr)
{
    const uint8_t *p = msg->p;
    size_t n = msg->n;
    if (rr->cls != ND_DNS_IN) return NOT_OURS;
    if (nd_dns_name_eq(p, n, rr->name, m->host)) {
        if (rr->type == ND_DNS_A) return have_addr(m, 4, p + rr->rdata) ? K_A : CONFLICT;
        if (rr->type == ND_DNS_AAAA) return have_addr(m, 6, p + rr->rdata) ? K_AAAA : CONFLICT;
        return NOT_OURS;
    }
    for (int h = 0; h < 2; h++) {
        const char *inst = h ? m->inst_h : m->inst_n;
        if (h && !m->web_port) break;
        if (nd_dns_name_eq(p, n, rr->name, inst)) {
            if (rr->type == ND_DNS_SRV) {
                int r = srv_cmp(m, msg, rr, h ? m->web_port : m->shell_port);
                return r ? r : (h ? K_SRV_H : K_SRV_N);
            }
            if (rr->type == ND_DNS_TXT && !h)
                return (rr->rdlen == m->txtlen && !memcmp(p + rr->rdata, m->txt, m->txtlen))
                           ? K_TXT_N
                           : CONFLICT;
            return NOT_OURS;
        }
        if (rr->type == ND_DNS_PTR && nd_dns_name_eq(p, n, rr->name, h ? SVC_H : SVC_N))
            return nd_dns_name_eq(p, n, rr->rdata, inst) ? (h ? K_PTR_H : K_PTR_N) : NOT_OURS;
    }
    return NOT_OURS;
}

/* ---- sending ----------------------------------------------------------- */
static void send_to(struct nd_mdns *m, size_t len, int fam, const nd_addr *dst, uint32_t ifindex)
{
    nd_addr to;
    if (dst) {
        to = *dst;
    } else {
        nd_addr_parse(fam == 6 ? "ff02::fb" : "224.0.0.251", MDNS_PORT, &to);
    }
    to.ifindex = ifindex;
    nd_sock *s = fam == 6 ? m->s6 : m->s4;
    if (s && len) nd_udp_sendto(s, m->tx, len, &to);
}

/* Multicast kinds on one link, on each family it has. */
static void mcast(struct nd_mdns *m, mdns_if *ifc, uint32_t ans, uint32_t add, int how)
{
    nd_dns_w w;
    nd_dns_w_init(&w, m->tx, sizeof m->tx, 0, ND_DNS_QR | ND_DNS_AA);
    put_mask(m, &w, ND_DNS_SEC_AN, ans, ifc, how);
    put_mask(m, &w, ND_DNS_SEC_AR, add, ifc, how);
    size_t len = nd_dns_w_finish(&w);
    if (!w.count[ND_DNS_SEC_AN]) return;
    if (ifc->n4) send_to(m, len, 4, NULL, ifc->ifindex);
    if (ifc->n6) send_to(m, len, 6, NULL, ifc->ifindex);
    uint64_t now = nd_port_mono_ms();
    for (int k = 0; k < K_COUNT; k++)
        if (ans & B(k)) ifc->last[k] = now;
}

static void send_probe(struct nd_mdns *m, mdns_if *ifc)
{
    nd_dns_w w;
    nd_dns_w_init(&w, m->tx, sizeof m->tx, 0, 0);
    nd_dns_w_question(&w, m->host, ND_DNS_ANY, ND_DNS_IN);
    nd_dns_w_question(&w, m->inst_n, ND_DNS_ANY, ND_DNS_IN);
    if (m->web_port) nd_dns_w_question(&w, m->inst_h, ND_DNS_ANY, ND_DNS_IN);
    uint32_t auth = B(K_A) | (ifc->n6 ? B(K_AAAA) : 0) | B(K_SRV_N) | B(K_TXT_N) |
                    (m->web_port ? B(K_SRV_H) : 0);
    put_mask(m, &w, ND_DNS_SEC_NS, auth, ifc, 0);
    size_t len = nd_dns_w_finish(&w);
    if (ifc->n4) send_to(m, len, 4, NULL, ifc->ifindex);
    if (ifc->n6) send_to(m, len, 6, NULL, ifc->ifindex);
}

/* ---- the state machine ------------------------------------------------- */
static void on_state(nd_timer *t, void *ud);

static void arm_state(struct nd_mdns *m, uint64_t delay)
{
    nd_timer_arm(&m->node->timers, &m->t_state, nd_port_mono_ms() + delay, on_state, m);
}

static uint32_t rnd(uint32_t below)
{
    uint32_t r;
    nd_port_random(&r, sizeof r);
    return below ? r % below : 0;
}

static void start_probing(struct nd_mdns *m, uint64_t delay)
{
    m->state = m->nifs ? ST_PROBING : ST_IDLE;
    m->step = 0;
    if (m->state == ST_PROBING) arm_state(m, delay + rnd(250));
    else nd_timer_disarm(&m->node->timers, &m->t_state);
}

static void start_announcing(struct nd_mdns *m)
{
    m->state = ST_ANNOUNCING;
    m->step = 0;
    arm_state(m, 0);
}

static void on_state(nd_timer *t, void *ud)
{
    struct nd_mdns *m = ud;
    (void)t;
    if (m->state == ST_PROBING) {
        if (m->step < 3) {
            for (int i = 0; i < m->nifs; i++) send_probe(m, &m->ifs[i]);
            m->step++;
            arm_state(m, 250);
            return;
        }
        nd_log(m->node, "[mdns] %s is ours (%s, port %u)", m->host, m->inst_n, m->shell_port);
        start_announcing(m);
        return;
    }
    if (m->state == ST_ANNOUNCING) {
        for (int i = 0; i < m->nifs; i++)
            mcast(m, &m->ifs[i], kinds_all(m, &m->ifs[i]), 0, 0);
        if (++m->step < 2) arm_state(m, 1000);
        else m->state = ST_RUNNING;
    }
}

static void conflict(struct nd_mdns *m, bool rename)
{
    if (rename) {
        char old[80];
        snprintf(old, sizeof old, "%s", m->host);
        m->suffix = m->suffix < 2 ? 2 : m->suffix + 1;
        set_names(m);
        nd_log(m->node, "[mdns] name conflict: %s is taken, trying %s", old, m->host);
    } else {
        nd_log(m->node, "[mdns] conflicting record for %s seen: probing again", m->host);
    }
    /* RFC 6762 8.1: more than 15 conflicts in a row -> one probe per 5 s */
    uint64_t delay = ++m->conflicts > 15 ? 5000 : 0;
    start_probing(m, delay);
}

/* ---- receiving --------------------------------------------------------- */
static mdns_if *find_if(struct nd_mdns *m, uint32_t ifindex)
{
    for (int i = 0; i < m->nifs; i++)
        if (m->ifs[i].ifindex == ifindex) return &m->ifs[i];
    return NULL;
}

/* RFC 6762 11: unicast replies only to queriers on one of our subnets. */
static bool on_link(const mdns_if *ifc, const nd_addr *a)
{
    if (a->family == 6) return true; /* scoped to the arrival link by the kernel */
    for (int i = 0; i < ifc->n4; i++) {
        int bits = ifc->prefix4[i];
        uint32_t mask = bits >= 32 ? 0xffffffffu : bits <= 0 ? 0 : ~(0xffffffffu >> bits);
        uint32_t x = (uint32_t)ifc->v4[i].ip[0] << 24 | (uint32_t)ifc->v4[i].ip[1] << 16 |
                     (uint32_t)ifc->v4[i].ip[2] << 8 | ifc->v4[i].ip[3];
        uint32_t y = (uint32_t)a->ip[0] << 24 | (uint32_t)a->ip[1] << 16 |
                     (uint32_t)a->ip[2] << 8 | a->ip[3];
        if ((x & mask) == (y & mask)) return true;
    }
    return false;
}

static void on_response(struct nd_mdns *m, const nd_dns_msg *msg)
{
    if (m->state == ST_IDLE) return;
    for (int i = 0; i < msg->nan + msg->nns + msg->nar; i++) {
        if (i >= msg->nan && i < msg->nan + msg->nns) continue; /* authority: not claims */
        const nd_dns_rr *rr = &msg->rr[i];
        if (rr->ttl == 0) continue; /* a goodbye claims nothing */
        if (ours(m, msg, rr) == CONFLICT) {
            conflict(m, m->state == ST_PROBING);
            return;
        }
    }
}

/* Simultaneous probes (RFC 6762 8.2): the host whose data sorts lower
** waits a second and probes again. */
static void tie_break(struct nd_mdns *m, const nd_dns_msg *msg, const mdns_if *ifc)
{
    for (int i = msg->nan; i < msg->nan + msg->nns; i++) {
        const nd_dns_rr *rr = &msg->rr[i];
        if (ours(m, msg, rr) != CONFLICT) continue;
        int c = 0;
        if (rr->type == ND_DNS_A && ifc->n4) {
            c = memcmp(ifc->v4[0].ip, msg->p + rr->rdata, 4);
        } else if (rr->type == ND_DNS_AAAA && ifc->n6) {
            c = memcmp(ifc->v6[0].ip, msg->p + rr->rdata, 16);
        } else if (rr->type == ND_DNS_SRV) {
            uint8_t mine[6] = {0, 0, 0, 0, (uint8_t)(m->shell_port >> 8), (uint8_t)m->shell_port};
            c = memcmp(mine, msg->p + rr->rdata, 6);
        }
        if (c < 0) {
            nd_log(m->node, "[mdns] simultaneous probe for %s lost: probing again in 1 s",
                   m->host);
            start_probing(m, 1000);
        }
        return;
    }
}

static void on_resp_timer(nd_timer *t, void *ud);

static void on_query(struct nd_mdns *m, const nd_dns_msg *msg, const nd_addr *from, int fam)
{
    mdns_if *ifc = find_if(m, from->ifindex);
    if (!ifc) return; /* not a link we serve */
    if (m->state == ST_PROBING) {
        if (msg->nns) tie_break(m, msg, ifc);
        return;
    }
    if (m->state == ST_IDLE) return;
    bool legacy = from->port != MDNS_PORT, qu = msg->nq > 0;
    uint32_t ans = 0;
    for (int i = 0; i < msg->nq; i++) {
        uint32_t k = match_q(m, msg, &msg->q[i], ifc);
        if (k && !msg->q[i].top) qu = false;
        ans |= k;
    }
    if (!ans) return;
    /* known answers the querier already holds with at least half the TTL */
    for (int i = 0; i < msg->nan; i++) {
        int k = ours(m, msg, &msg->rr[i]);
        if (k < 0 || msg->rr[i].ttl < ttl_of(k) / 2) continue;
        if ((k == K_A && ifc->n4 > 1) || (k == K_AAAA && ifc->n6 > 1)) continue;
        ans &= ~B(k);
    }
    if (!ans) return;
    m->n_answers++;
    uint64_t now = nd_port_mono_ms();
    if (legacy || qu) {
        /* QU: unicast only what was multicast within a quarter TTL; the rest
        ** goes to the group so every cache stays fresh (RFC 6762 5.4) */
        uint32_t uni = ans;
        if (!legacy) {
            for (int k = 0; k < K_COUNT; k++)
                if ((uni & B(k)) && (!ifc->last[k] || now - ifc->last[k] > ttl_of(k) * 250u))
                    uni &= ~B(k);
        }
        if (uni && on_link(ifc, from)) {
            nd_dns_w w;
            nd_dns_w_init(&w, m->tx, sizeof m->tx, legacy ? msg->id : 0, ND_DNS_QR | ND_DNS_AA);
            if (legacy) /* a legacy resolver wants its question back */
                for (int i = 0; i < msg->nq && i < 4; i++) {
                    char q[ND_DNS_TEXT_MAX];
                    if (nd_dns_name_text(msg->p, msg->n, msg->q[i].name, q, sizeof q) > 0 &&
                        match_q(m, msg, &msg->q[i], ifc))
                        nd_dns_w_question(&w, q, msg->q[i].type, msg->q[i].cls);
                }
            put_mask(m, &w, ND_DNS_SEC_AN, uni, ifc, legacy ? PUT_LEGACY : 0);
            put_mask(m, &w, ND_DNS_SEC_AR, additionals(ifc, uni), ifc, legacy ? PUT_LEGACY : 0);
            send_to(m, nd_dns_w_finish(&w), fam, from, from->ifindex);
        }
        ans &= ~uni;
        if (!ans) return;
    }
    /* at most one multicast per record per second; 250 ms when defending
    ** against a probe (RFC 6762 6) */
    uint64_t gap = msg->nns ? 250 : 1000;
    for (int k = 0; k < K_COUNT; k++)
        if ((ans & B(k)) && ifc->last[k] && now - ifc->last[k] < gap) ans &= ~B(k);
    if (!ans) return;
    if (!(ans & ~UNIQUE)) { /* unique records: answer at once */
        mcast(m, ifc, ans, additionals(ifc, ans), 0);
        return;
    }
    /* shared records (PTR): 20-120 ms later, so several responders'
    ** answers do not collide and queries in between are aggregated */
    int fi = fam == 6 ? 1 : 0;
    if (!ifc->pend[0] && !ifc->pend[1]) ifc->pend_due = now + 20 + rnd(101);
    ifc->pend[fi] |= ans;
    uint64_t due = ifc->pend_due;
    if (!nd_timer_armed(&m->t_resp) || m->t_resp.due > due)
        nd_timer_arm(&m->node->timers, &m->t_resp, due, on_resp_timer, m);
}

static void on_resp_timer(nd_timer *t, void *ud)
{
    struct nd_mdns *m = ud;
    uint64_t now = nd_port_mono_ms(), next = 0;
    (void)t;
    for (int i = 0; i < m->nifs; i++) {
        mdns_if *ifc = &m->ifs[i];
        if (!ifc->pend[0] && !ifc->pend[1]) continue;
        if (ifc->pend_due > now) {
            if (!next || ifc->pend_due < next) next = ifc->pend_due;
            continue;
        }
        uint32_t ans = ifc->pend[0] | ifc->pend[1];
        ifc->pend[0] = ifc->pend[1] = 0;
        mcast(m, ifc, ans, additionals(ifc, ans), 0);
    }
    if (next) nd_timer_arm(&m->node->timers, &m->t_resp, next, on_resp_timer, m);
}

/* ---- the querier: other hosts' names (the resolver's .local hook) ------ */
static void on_query_timer(nd_timer *t, void *ud)
{
    struct nd_mdns *m = ud;
    uint64_t now = nd_port_mono_ms(), wake;
    size_t len;
    (void)t;
    while ((len = nd_mdnsq_poll(&m->q, now, m->tx, sizeof m->tx, &wake)) > 0)
        for (int i = 0; i < m->nifs; i++)
            if (m->ifs[i].n4) send_to(m, len, 4, NULL, m->ifs[i].ifindex);
    if (wake) nd_timer_arm(&m->node->timers, &m->t_query, wake, on_query_timer, m);
}

static int hook_resolve(void *hud, const char *name, char ip[16], nd_resolve_fn fn, void *ud,
                        void **handle)
{
    struct nd_mdns *m = hud;
    if (!m->nifs) return ND_ENOTFOUND;
    if (nd_mdnsq_same_name(name, m->host) && m->ifs[0].n4) { /* ourselves */
        const uint8_t *a = m->ifs[0].v4[0].ip;
        snprintf(ip, 16, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
        return ND_OK;
    }
    uint64_t now = nd_port_mono_ms();
    int rc = nd_mdnsq_lookup(&m->q, name, now, ip, fn, ud, handle);
    if (rc == ND_EAGAIN) nd_timer_arm(&m->node->timers, &m->t_query, now, on_query_timer, m);
    return rc;
}

static void hook_cancel(void *hud, void *handle)
{
    nd_mdnsq_cancel(&((struct nd_mdns *)hud)->q, handle);
}

static void on_readable(nd_sock *s, int events, void *ud)
{
    struct nd_mdns *m = ud;
    (void)events;
    int fam = s == m->s6 ? 6 : 4;
    /* bounded drain: a flood cannot keep the loop here forever */
    for (int i = 0; i < 64; i++) {
        nd_addr from;
        long r = nd_udp_recvfrom(s, m->rx, sizeof m->rx, &from);
        if (r == ND_EAGAIN || r == ND_EIO) return;
        m->n_rx++;
        nd_dns_msg msg;
        if (r < 0 || nd_dns_parse(m->rx, (size_t)r, &msg) != ND_OK) {
            m->n_bad++;
            continue;
        }
        if ((msg.flags & 0x7800) != 0) continue; /* opcode must be QUERY */
        if (msg.flags & ND_DNS_QR) {
            if (from.port != MDNS_PORT) continue; /* RFC 6762 6: not a responder */
            nd_mdnsq_learn(&m->q, &msg, nd_port_mono_ms());
            on_response(m, &msg);
        } else {
            on_query(m, &msg, &from, fam);
        }
    }
}

/* ---- links ------------------------------------------------------------- */
/* Re-read the interfaces: which links we serve and with which addresses.
** Returns true when anything changed. */
static bool refresh_links(struct nd_mdns *m)
{
    nd_ifaddr all[64];
    int n = nd_port_ifaddrs(all, 64);
    if (n < 0) n = 0;
    const char *bind = nd_cfg_get_str(m->node->cfg, ND_K_bind);
    nd_addr bind_a;
    bool any = !*bind || !strcmp(bind, "0.0.0.0") || nd_addr_parse(bind, 0, &bind_a) != ND_OK;
    mdns_if next[MDNS_IF_MAX];
    int nn = 0;
    memset(next, 0, sizeof next);
    for (int i = 0; i < n; i++) {
        nd_ifaddr *a = &all[i];
        if (!a->multicast) continue;
        if (!any && (a->addr.family != bind_a.family || memcmp(a->addr.ip, bind_a.ip, 4)))
            continue;
        mdns_if *f = NULL;
        for (int k = 0; k < nn; k++)
            if (next[k].ifindex == a->ifindex) f = &next[k];
        if (!f) {
            if (nn == MDNS_IF_MAX) continue;
            f = &next[nn++];
            f->ifindex = a->ifindex;
        }
        if (a->addr.family == 4 && f->n4 < MDNS_ADDR_MAX) {
            f->prefix4[f->n4] = a->prefix;
            f->v4[f->n4++] = a->addr;
        } else if (a->addr.family == 6 && f->n6 < MDNS_ADDR_MAX) {
            f->v6[f->n6++] = a->addr;
        }
    }
    uint32_t sum = 2166136261u;
    for (int i = 0; i < nn; i++) {
        const mdns_if *f = &next[i];
        const void *parts[3] = {&f->ifindex, f->v4, f->v6};
        size_t lens[3] = {sizeof f->ifindex, sizeof(nd_addr) * (size_t)f->n4,
                          sizeof(nd_addr) * (size_t)f->n6};
        for (int p = 0; p < 3; p++)
            for (size_t b = 0; b < lens[p]; b++)
                sum = (sum ^ ((const uint8_t *)parts[p])[b]) * 16777619u;
    }
    if (sum == m->addr_sum && nn == m->nifs) return false;
    /* keep rate-limit memory and pending answers of links that stay */
    for (int i = 0; i < nn; i++) {
        mdns_if *old = find_if(m, next[i].ifindex);
        if (old) {
            memcpy(next[i].last, old->last, sizeof old->last);
            memcpy(next[i].pend, old->pend, sizeof old->pend);
            next[i].pend_due = old->pend_due;
        }
    }
    memcpy(m->ifs, next, sizeof next);
    m->nifs = nn;
    m->addr_sum = sum;
    for (int i = 0; i < nn; i++) {
        if (m->ifs[i].n4 && m->s4) nd_udp_join(m->s4, "224.0.0.251", m->ifs[i].ifindex);
        if (m->ifs[i].n6 && !m->s6)
            nd_udp_open(NULL, MDNS_PORT, ND_UDP_V6 | ND_UDP_REUSE | ND_UDP_MCAST, on_readable,
                        m, &m->s6);
        if (m->ifs[i].n6 && m->s6) nd_udp_join(m->s6, "ff02::fb", m->ifs[i].ifindex);
    }
    return true;
}

static void on_addr_timer(nd_timer *t, void *ud)
{
    struct nd_mdns *m = ud;
    (void)t;
    if (refresh_links(m)) {
        nd_log(m->node, "[mdns] links changed: %d link(s) served", m->nifs);
        if (m->state == ST_RUNNING || m->state == ST_ANNOUNCING) start_announcing(m);
        else if (m->state == ST_IDLE && m->nifs) start_probing(m, 0);
        else if (!m->nifs) start_probing(m, 0); /* goes idle */
    }
    nd_timer_arm(&m->node->timers, &m->t_addr, nd_port_mono_ms() + MDNS_ADDR_POLL_MS,
                 on_addr_timer, m);
}

/* ---- life cycle -------------------------------------------------------- */
int nd_mdns_start(struct nd_node *n)
{
    if (n->mdns) return ND_OK;
    struct nd_mdns *m = calloc(1, sizeof *m);
    if (!m) return ND_ENOMEM;
    m->node = n;
    m->suffix = 1;
    nd_mdnsq_init(&m->q, MDNS_Q_MS, MDNS_Q_RESEND_MS);
    int sp = nd_shell_port(n), wp = nd_web_port(n);
    m->shell_port = (uint16_t)(sp > 0 ? sp : 0);
    m->web_port = (uint16_t)(wp > 0 ? wp : 0);
    set_names(m);
    build_txt(m);
    int rc = nd_udp_open(NULL, MDNS_PORT, ND_UDP_REUSE | ND_UDP_MCAST, on_readable, m, &m->s4);
    if (rc != ND_OK) {
        nd_log(n, "[ERR] mdns: cannot open UDP port %d (%s): %s.local not announced", MDNS_PORT,
               nd_strerror(rc), m->label);
        free(m);
        return rc;
    }
    n->mdns = m;
    refresh_links(m);
    if (!m->nifs)
        nd_log(n, "[mdns] no multicast link for bind %s yet: %s not announced",
               nd_cfg_get_str(n->cfg, ND_K_bind), m->host);
    start_probing(m, 0);
    nd_timer_arm(&n->timers, &m->t_addr, nd_port_mono_ms() + MDNS_ADDR_POLL_MS, on_addr_timer, m);
    nd_resolve_set_mdns(n, hook_resolve, hook_cancel, m); /* InterCon >>name.local */
    return ND_OK;
}

/* Goodbye (TTL 0, RFC 6762 10.1) for every record announced so far. */
static void goodbye(struct nd_mdns *m)
{
    if (m->state == ST_RUNNING || m->state == ST_ANNOUNCING)
        for (int i = 0; i < m->nifs; i++)
            mcast(m, &m->ifs[i], kinds_all(m, &m->ifs[i]), 0, PUT_GOODBYE);
}

void nd_mdns_config_changed(struct nd_node *n)
{
    struct nd_mdns *m = n->mdns;
    if (!nd_cfg_get_bool(n->cfg, ND_K_mdns)) {
        nd_mdns_stop(n);
        return;
    }
    if (!m) {
        nd_mdns_start(n); /* logs why when it cannot */
        return;
    }
    char fid[sizeof m->fid];
    snprintf(fid, sizeof fid, "%.32s", nd_cfg_get_str(n->cfg, ND_K_devfid));
    if (!strcmp(fid, m->fid)) return; /* nothing announced changed */
    /* the old names leave caches now rather than when their TTL runs out;
    ** answers queued for them must not go out under the new ones */
    goodbye(m);
    nd_timer_disarm(&n->timers, &m->t_resp);
    for (int i = 0; i < m->nifs; i++) {
        m->ifs[i].pend[0] = m->ifs[i].pend[1] = 0;
        memset(m->ifs[i].last, 0, sizeof m->ifs[i].last);
    }
    char old[sizeof m->host];
    snprintf(old, sizeof old, "%s", m->host);
    m->suffix = 1;
    m->conflicts = 0;
    set_names(m);
    build_txt(m);
    nd_log(n, "[mdns] devfid changed: %s replaces %s", m->host, old);
    start_probing(m, 0);
}

void nd_mdns_stop(struct nd_node *n)
{
    struct nd_mdns *m = n->mdns;
    if (!m) return;
    goodbye(m);
    nd_timer_disarm(&n->timers, &m->t_state);
    nd_timer_disarm(&n->timers, &m->t_resp);
    nd_timer_disarm(&n->timers, &m->t_addr);
    nd_timer_disarm(&n->timers, &m->t_query);
    nd_resolve_set_mdns(n, NULL, NULL, NULL);
    nd_mdnsq_stop(&m->q); /* lookups in flight end now, with an answer */
    if (m->s4) nd_net_close(m->s4);
    if (m->s6) nd_net_close(m->s6);
    nd_log(n, "[mdns] stopped (%llu packets in, %llu malformed, %llu answered)",
           (unsigned long long)m->n_rx, (unsigned long long)m->n_bad,
           (unsigned long long)m->n_answers);
    free(m);
    n->mdns = NULL;
}

const char *nd_mdns_hostname(struct nd_node *n)
{
    struct nd_mdns *m = n->mdns;
    return m && (m->state == ST_RUNNING || m->state == ST_ANNOUNCING) ? m->host : "";
}
