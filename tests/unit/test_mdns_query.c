/*
** test_mdns_query.c -- the mDNS querier (src/core/mdns_query.c) that the
** node's .local resolver hook and the CLI share: lookups, their resend and
** deadline on a hand-driven clock, the answer cache, goodbyes, the table
** limit, and the reading of DNS-SD browse answers.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "mdns_query.h"
#include "nodus/value.h"

typedef struct {
    int calls, rc;
    char ip[16];
} result;

static void on_result(void *ud, int rc, const char *ip)
{
    result *r = ud;
    r->calls++;
    r->rc = rc;
    strncpy(r->ip, ip, sizeof r->ip - 1);
}

/* A response with one A record. */
static size_t answer_a(uint8_t *buf, size_t cap, const char *name, const uint8_t ip[4], uint32_t ttl)
{
    nd_dns_w w;
    nd_dns_w_init(&w, buf, cap, 0, ND_DNS_QR | ND_DNS_AA);
    nd_dns_w_rr_begin(&w, ND_DNS_SEC_AN, name, ND_DNS_A, ND_DNS_IN | ND_DNS_CLASS_TOP, ttl);
    nd_dns_w_bytes(&w, ip, 4);
    nd_dns_w_rr_end(&w);
    return nd_dns_w_finish(&w);
}

static void learn(nd_mdnsq *q, const char *name, const uint8_t ip[4], uint32_t ttl, uint64_t now)
{
    uint8_t buf[512];
    nd_dns_msg m;
    size_t n = answer_a(buf, sizeof buf, name, ip, ttl);
    assert_int_equal(nd_dns_parse(buf, n, &m), ND_OK);
    nd_mdnsq_learn(q, &m, now);
}

static void test_lookup_asks_until_answered(void **state)
{
    (void)state;
    static nd_mdnsq q;
    nd_mdnsq_init(&q, 2000, 500);
    result r = {0};
    char ip[16];
    void *h;
    uint8_t pkt[512];
    uint64_t wake;
    assert_int_equal(nd_mdnsq_lookup(&q, "Beta.local", 1000, ip, on_result, &r, &h), ND_EAGAIN);
    /* the first query goes at once: one question, A, for the name */
    size_t n = nd_mdnsq_poll(&q, 1000, pkt, sizeof pkt, &wake);
    assert_true(n > 0);
    nd_dns_msg m;
    assert_int_equal(nd_dns_parse(pkt, n, &m), ND_OK);
    assert_int_equal(m.nq, 1);
    assert_int_equal(m.q[0].type, ND_DNS_A);
    assert_true(nd_dns_name_eq(pkt, n, m.q[0].name, "beta.local"));
    assert_int_equal(nd_mdnsq_poll(&q, 1000, pkt, sizeof pkt, &wake), 0);
    assert_int_equal(wake, 1500);
    /* nothing before the resend time, then again */
    assert_int_equal(nd_mdnsq_poll(&q, 1499, pkt, sizeof pkt, &wake), 0);
    assert_true(nd_mdnsq_poll(&q, 1500, pkt, sizeof pkt, &wake) > 0);
    /* an answer for another name does nothing; ours completes, any case */
    const uint8_t a[4] = {10, 0, 0, 7}, b[4] = {10, 0, 0, 8};
    learn(&q, "gamma.local", b, 120, 1600);
    assert_int_equal(r.calls, 0);
    learn(&q, "BETA.local", a, 120, 1600);
    assert_int_equal(r.calls, 1);
    assert_int_equal(r.rc, ND_OK);
    assert_string_equal(r.ip, "10.0.0.7");
    assert_int_equal(nd_mdnsq_poll(&q, 1600, pkt, sizeof pkt, &wake), 0);
    assert_int_equal(wake, 0); /* nothing pending */
    /* remembered for its TTL: answered at once, without asking */
    assert_int_equal(nd_mdnsq_lookup(&q, "beta.local", 2000, ip, on_result, &r, &h), ND_OK);
    assert_string_equal(ip, "10.0.0.7");
    assert_int_equal(nd_mdnsq_lookup(&q, "gamma.local", 2000, ip, on_result, &r, &h), ND_OK);
    assert_string_equal(ip, "10.0.0.8");
    assert_int_equal(nd_mdnsq_lookup(&q, "beta.local", 1600 + 120000, ip, on_result, &r, &h),
                     ND_EAGAIN);
    nd_mdnsq_cancel(&q, h);
    /* a goodbye (TTL 0) forgets */
    learn(&q, "gamma.local", b, 0, 2100);
    assert_int_equal(nd_mdnsq_lookup(&q, "gamma.local", 2100, ip, on_result, &r, &h), ND_EAGAIN);
    nd_mdnsq_cancel(&q, h);
    assert_int_equal(r.calls, 1); /* cancelled lookups never call back */
}

static void test_lookup_deadline_limit_and_stop(void **state)
{
    (void)state;
    static nd_mdnsq q;
    nd_mdnsq_init(&q, 2000, 500);
    result r[ND_MDNSQ_ASKS + 1];
    memset(r, 0, sizeof r);
    char ip[16], name[32];
    void *h;
    uint8_t pkt[512];
    uint64_t wake;
    for (int i = 0; i < ND_MDNSQ_ASKS; i++) {
        snprintf(name, sizeof name, "n%d.local", i);
        assert_int_equal(nd_mdnsq_lookup(&q, name, 0, ip, on_result, &r[i], &h), ND_EAGAIN);
    }
    assert_int_equal(nd_mdnsq_lookup(&q, "more.local", 0, ip, on_result, &r[8], &h), ND_ELIMIT);
    /* one query per lookup */
    int sent = 0;
    while (nd_mdnsq_poll(&q, 0, pkt, sizeof pkt, &wake) > 0) sent++;
    assert_int_equal(sent, ND_MDNSQ_ASKS);
    /* the deadline fails them all */
    assert_int_equal(nd_mdnsq_poll(&q, 2000, pkt, sizeof pkt, &wake), 0);
    for (int i = 0; i < ND_MDNSQ_ASKS; i++) {
        assert_int_equal(r[i].calls, 1);
        assert_int_equal(r[i].rc, ND_ENOTFOUND);
    }
    assert_int_equal(wake, 0);
    /* stop ends what is in flight, with an answer */
    assert_int_equal(nd_mdnsq_lookup(&q, "x.local", 3000, ip, on_result, &r[8], &h), ND_EAGAIN);
    nd_mdnsq_stop(&q);
    assert_int_equal(r[8].calls, 1);
    assert_int_equal(r[8].rc, ND_ENOTFOUND);
    /* a name too long to ask */
    char big[ND_MDNSQ_NAME + 4];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = 0;
    assert_int_equal(nd_mdnsq_lookup(&q, big, 0, ip, on_result, &r[8], &h), ND_ENOTFOUND);
}

/* Records of a browse answer. */
static void put_ptr(nd_dns_w *w, const char *svc, const char *inst)
{
    nd_dns_w_rr_begin(w, ND_DNS_SEC_AN, svc, ND_DNS_PTR, ND_DNS_IN, 4500);
    nd_dns_w_name(w, inst, false);
    nd_dns_w_rr_end(w);
}

static void put_txt(nd_dns_w *w, const char *inst, const char *txt)
{
    nd_dns_w_rr_begin(w, ND_DNS_SEC_AR, inst, ND_DNS_TXT, ND_DNS_IN, 4500);
    nd_dns_w_bytes(w, txt, strlen(txt));
    nd_dns_w_rr_end(w);
}

static int browse(uint8_t *buf, nd_dns_w *w, nd_mdnsq_inst *in, int max)
{
    static nd_dns_msg m;
    size_t n = nd_dns_w_finish(w);
    assert_int_equal(nd_dns_parse(buf, n, &m), ND_OK);
    return nd_mdnsq_instances(&m, "_nodus._tcp.local", in, max);
}

static void test_browse_answer(void **state)
{
    (void)state;
    uint8_t buf[1024];
    nd_dns_w w;
    nd_dns_w_init(&w, buf, sizeof buf, 0, ND_DNS_QR | ND_DNS_AA);
    put_ptr(&w, "_nodus._tcp.local", "hall._nodus._tcp.local");
    put_ptr(&w, "_http._tcp.local", "hall._http._tcp.local"); /* another service: not listed */
    nd_dns_w_rr_begin(&w, ND_DNS_SEC_AR, "hall._nodus._tcp.local", ND_DNS_SRV, ND_DNS_IN, 120);
    nd_dns_w_u16(&w, 0);
    nd_dns_w_u16(&w, 0);
    nd_dns_w_u16(&w, 9010);
    nd_dns_w_name(&w, "hall.local", false);
    nd_dns_w_rr_end(&w);
    put_txt(&w, "hall._nodus._tcp.local",
            "\x0dversion=0.9.0\x10hwuid=micr1234OS\x0b" "devfid=hall\x05junk=");
    put_ptr(&w, "_nodus._tcp.local", "bare._nodus._tcp.local"); /* no SRV, no TXT */
    nd_mdnsq_inst in[4];
    assert_int_equal(browse(buf, &w, in, 4), 2);
    assert_string_equal(in[0].label, "hall");
    assert_int_equal(in[0].port, 9010);
    assert_string_equal(in[0].version, "0.9.0");
    assert_string_equal(in[0].hwuid, "micr1234OS");
    assert_string_equal(in[0].devfid, "hall");
    assert_string_equal(in[1].label, "bare");
    assert_int_equal(in[1].port, 0);
    assert_string_equal(in[1].hwuid, "");
    /* bounded by the caller's table */
    assert_int_equal(browse(buf, &w, in, 1), 1);
    /* a TXT string running past its record is not read */
    nd_dns_w_init(&w, buf, sizeof buf, 0, ND_DNS_QR);
    put_ptr(&w, "_nodus._tcp.local", "x._nodus._tcp.local");
    put_txt(&w, "x._nodus._tcp.local", "\x40version=1");
    assert_int_equal(browse(buf, &w, in, 4), 1);
    assert_string_equal(in[0].version, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookup_asks_until_answered),
        cmocka_unit_test(test_lookup_deadline_limit_and_stop),
        cmocka_unit_test(test_browse_answer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
