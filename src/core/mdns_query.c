/*
** mdns_query.c -- the mDNS querier (mdns_query.h): lookups of other hosts'
** names with a small answer cache, and the reading of DNS-SD browse answers.
*/
#include <stdio.h>
#include <string.h>

#include "mdns_query.h"
#include "nodus/value.h"

void nd_mdnsq_init(nd_mdnsq *q, uint32_t timeout_ms, uint32_t resend_ms)
{
    memset(q, 0, sizeof *q);
    q->timeout_ms = timeout_ms;
    q->resend_ms = resend_ms ? resend_ms : timeout_ms;
}

bool nd_mdnsq_same_name(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = (*a >= 'A' && *a <= 'Z') ? (char)(*a + 32) : *a;
        char y = (*b >= 'A' && *b <= 'Z') ? (char)(*b + 32) : *b;
        if (x != y) return false;
    }
    return *a == *b;
}

size_t nd_mdnsq_write(uint8_t *buf, size_t cap, uint16_t id, const char *name, uint16_t type)
{
    nd_dns_w w;
    nd_dns_w_init(&w, buf, cap, id, 0);
    nd_dns_w_question(&w, name, type, ND_DNS_IN);
    return nd_dns_w_finish(&w);
}

int nd_mdnsq_lookup(nd_mdnsq *q, const char *name, uint64_t now, char ip[16], nd_resolve_fn fn,
                    void *ud, void **handle)
{
    if (strlen(name) >= ND_MDNSQ_NAME) return ND_ENOTFOUND;
    for (int k = 0; k < ND_MDNSQ_CACHE; k++)
        if (q->cache[k].until > now && nd_mdnsq_same_name(q->cache[k].name, name)) {
            memcpy(ip, q->cache[k].ip, 16);
            return ND_OK;
        }
    for (int k = 0; k < ND_MDNSQ_ASKS; k++) {
        nd_mdnsq_ask *a = &q->ask[k];
        if (a->used) continue;
        a->used = true;
        snprintf(a->name, sizeof a->name, "%s", name);
        a->fn = fn;
        a->ud = ud;
        a->next_send = now;
        a->deadline = now + q->timeout_ms;
        *handle = a;
        return ND_EAGAIN;
    }
    return ND_ELIMIT;
}

void nd_mdnsq_cancel(nd_mdnsq *q, void *handle)
{
    (void)q;
    ((nd_mdnsq_ask *)handle)->used = false;
}

/* Remember every A record heard (bounded, oldest goes) and complete the
** lookups waiting for it. Goodbyes (TTL 0) forget. */
void nd_mdnsq_learn(nd_mdnsq *q, const nd_dns_msg *m, uint64_t now)
{
    for (int i = 0; i < m->nan + m->nns + m->nar; i++) {
        const nd_dns_rr *rr = &m->rr[i];
        if (rr->type != ND_DNS_A || rr->cls != ND_DNS_IN || rr->rdlen != 4) continue;
        char name[ND_MDNSQ_NAME], ip[16];
        if (nd_dns_name_text(m->p, m->n, rr->name, name, sizeof name) <= 0) continue;
        const uint8_t *a = m->p + rr->rdata;
        snprintf(ip, sizeof ip, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
        int slot = -1, oldest = 0;
        for (int k = 0; k < ND_MDNSQ_CACHE; k++) {
            if (q->cache[k].until && nd_mdnsq_same_name(q->cache[k].name, name)) slot = k;
            if (q->cache[k].until < q->cache[oldest].until) oldest = k;
        }
        if (!rr->ttl) {
            if (slot >= 0) q->cache[slot].until = 0;
            continue;
        }
        if (slot < 0) slot = oldest;
        memcpy(q->cache[slot].name, name, sizeof name);
        memcpy(q->cache[slot].ip, ip, sizeof ip);
        q->cache[slot].until = now + (uint64_t)rr->ttl * 1000u;
        for (int k = 0; k < ND_MDNSQ_ASKS; k++) {
            nd_mdnsq_ask *w = &q->ask[k];
            if (!w->used || !nd_mdnsq_same_name(w->name, name)) continue;
            w->used = false; /* first: fn may start another lookup */
            w->fn(w->ud, ND_OK, ip);
        }
    }
}

size_t nd_mdnsq_poll(nd_mdnsq *q, uint64_t now, uint8_t *buf, size_t cap, uint64_t *wake)
{
    *wake = 0;
    for (int k = 0; k < ND_MDNSQ_ASKS; k++) {
        nd_mdnsq_ask *a = &q->ask[k];
        if (!a->used) continue;
        if (now >= a->deadline) {
            a->used = false;
            a->fn(a->ud, ND_ENOTFOUND, "");
            continue;
        }
        if (now >= a->next_send) { /* ask (again): one lost datagram must not fail a lookup */
            a->next_send = now + q->resend_ms;
            size_t len = nd_mdnsq_write(buf, cap, q->id, a->name, ND_DNS_A);
            if (len) return len; /* the caller calls again for the others and *wake */
        }
        uint64_t due = a->next_send < a->deadline ? a->next_send : a->deadline;
        if (!*wake || due < *wake) *wake = due;
    }
    return 0;
}

void nd_mdnsq_stop(nd_mdnsq *q)
{
    for (int k = 0; k < ND_MDNSQ_ASKS; k++)
        if (q->ask[k].used) {
            q->ask[k].used = false;
            q->ask[k].fn(q->ask[k].ud, ND_ENOTFOUND, "");
        }
}

/* A TXT value: up to its end, a NUL, or the room. */
static void txt_value(char *dst, size_t cap, const uint8_t *v, size_t n)
{
    size_t k = 0;
    for (; k < n && k + 1 < cap && v[k]; k++) dst[k] = (char)v[k];
    dst[k] = 0;
}

static void txt_keys(nd_mdnsq_inst *d, const uint8_t *p, size_t off, size_t len)
{
    static const struct {
        const char *key;
        size_t at, cap;
    } keys[] = {{"hwuid=", offsetof(nd_mdnsq_inst, hwuid), sizeof d->hwuid},
                {"devfid=", offsetof(nd_mdnsq_inst, devfid), sizeof d->devfid},
                {"version=", offsetof(nd_mdnsq_inst, version), sizeof d->version}};
    for (size_t o = off, end = off + len; o < end;) { /* <len><key=value> strings */
        size_t l = p[o++];
        if (o + l > end) break;
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
            size_t kl = strlen(keys[k].key);
            if (l >= kl && !memcmp(p + o, keys[k].key, kl))
                txt_value((char *)d + keys[k].at, keys[k].cap, p + o + kl, l - kl);
        }
        o += l;
    }
}

int nd_mdnsq_instances(const nd_dns_msg *m, const char *svc, nd_mdnsq_inst *out, int max)
{
    const uint8_t *p = m->p;
    int all = m->nan + m->nns + m->nar, cnt = 0;
    for (int i = 0; i < all && cnt < max; i++) {
        const nd_dns_rr *r = &m->rr[i];
        if (r->type != ND_DNS_PTR || !nd_dns_name_eq(p, m->n, r->name, svc)) continue;
        char inst[ND_DNS_TEXT_MAX];
        if (nd_dns_name_text(p, m->n, r->rdata, inst, sizeof inst) < 0) continue;
        nd_mdnsq_inst *d = &out[cnt++];
        memset(d, 0, sizeof *d);
        inst[strcspn(inst, ".")] = 0;
        snprintf(d->label, sizeof d->label, "%.63s", inst);
        /* one responder's packet carries PTR + SRV + TXT + A (additionals) */
        for (int k = 0; k < all; k++) {
            const nd_dns_rr *s = &m->rr[k];
            if (!nd_dns_names_eq(p, m->n, s->name, p, m->n, r->rdata)) continue;
            if (s->type == ND_DNS_SRV && s->rdlen >= 6)
                d->port = (uint16_t)(p[s->rdata + 4] << 8 | p[s->rdata + 5]);
            if (s->type == ND_DNS_TXT) txt_keys(d, p, s->rdata, s->rdlen);
        }
    }
    return cnt;
}
