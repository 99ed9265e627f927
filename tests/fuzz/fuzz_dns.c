/*
** fuzz_dns.c -- libFuzzer target for the DNS message parser (src/core/dns.c).
**
** Every accepted message is walked the way the mDNS responder walks one:
** each question and record name is turned into text and compared, PTR/SRV
** rdata names are compared, and the text of each name is written back with
** the builder and re-parsed. Invariants (abort on failure):
**   a parsed name's text is shorter than ND_DNS_TEXT_MAX and its wire length
**   is 1..255; every record's rdata lies inside the message; a name the
**   builder writes from a parsed name's text parses again (when the text
**   has no escapes) and compares equal to the original.
** Seed corpus: tests/fuzz/corpus/dns/ (queries, responses, compression
** loops, forward pointers, oversize names).
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "nodus/value.h"

static void check(int ok)
{
    if (!ok) abort();
}

static void roundtrip(const uint8_t *p, size_t n, size_t off)
{
    char text[ND_DNS_TEXT_MAX];
    int tl = nd_dns_name_text(p, n, off, text, sizeof text);
    check(tl >= 0 && tl < ND_DNS_TEXT_MAX);
    size_t end;
    int wl = nd_dns_name_walk(p, n, off, &end);
    check(wl >= 1 && wl <= ND_DNS_NAME_WIRE_MAX && end <= n);
    if (!tl || strchr(text, '\\')) return; /* the builder takes plain labels only */
    check(nd_dns_name_eq(p, n, off, text));
    uint8_t buf[600];
    nd_dns_w w;
    nd_dns_w_init(&w, buf, sizeof buf, 1, 0);
    nd_dns_w_question(&w, text, ND_DNS_A, ND_DNS_IN);
    nd_dns_w_question(&w, text, ND_DNS_AAAA, ND_DNS_IN); /* second copy is compressed */
    size_t len = nd_dns_w_finish(&w);
    check(len > 0);
    nd_dns_msg m2;
    check(nd_dns_parse(buf, len, &m2) == ND_OK && m2.nq == 2);
    check(nd_dns_names_eq(buf, len, m2.q[0].name, p, n, off));
    check(nd_dns_names_eq(buf, len, m2.q[1].name, p, n, off));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static nd_dns_msg m;
    if (nd_dns_parse(data, size, &m) != ND_OK) return 0;
    check(m.nq <= ND_DNS_Q_MAX && m.nan + m.nns + m.nar <= ND_DNS_RR_MAX);
    for (int i = 0; i < m.nq; i++) roundtrip(data, size, m.q[i].name);
    for (int i = 0; i < m.nan + m.nns + m.nar; i++) {
        const nd_dns_rr *rr = &m.rr[i];
        check((size_t)rr->rdata + rr->rdlen <= size);
        roundtrip(data, size, rr->name);
        if (rr->type == ND_DNS_PTR) roundtrip(data, size, rr->rdata);
        if (rr->type == ND_DNS_SRV) roundtrip(data, size, rr->rdata + 6u);
        (void)nd_dns_name_eq(data, size, rr->name, "node01.local");
    }
    return 0;
}
