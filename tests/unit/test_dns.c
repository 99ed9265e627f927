/*
** test_dns.c -- the DNS message parser and builder (src/core/dns.c).
**
** Hand-written wire bytes, one per line: good messages, every way a name can
** be bad (pointer to itself, two-pointer loop, forward pointer, label of 64,
** 256-byte name, cut short), records running past the end, and the builder's
** compression and its roll-back when the buffer is full.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dns.h"
#include "nodus/value.h"

#define HDR_Q1 "\0\0\0\0\0\1\0\0\0\0\0\0" /* a query with one question */
#define NAME_HALL "\4hall\5local\0"
#define A_IN "\0\1\0\1"

typedef struct {
    const char *what;
    const char *bytes;
    size_t n;
    int rc;
} parse_case;

#define C(what, lit, rc) {what, lit, sizeof(lit) - 1, rc}

static const parse_case cases[] = {
    C("plain query", HDR_Q1 NAME_HALL A_IN, ND_OK),
    C("short header", "\0\0\0", ND_ESYNTAX),
    C("pointer to itself", HDR_Q1 "\xc0\x0c" A_IN, ND_ESYNTAX),
    C("forward pointer", HDR_Q1 "\xc0\x20" A_IN "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", ND_ESYNTAX),
    C("two-pointer loop",
      "\0\0\0\0\0\2\0\0\0\0\0\0"
      "\1a\xc0\x12" A_IN "\1b\xc0\x0c" A_IN,
      ND_ESYNTAX),
    C("label of 64",
      HDR_Q1 "\x40" "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" "\0" A_IN,
      ND_ESYNTAX),
    C("name cut short", HDR_Q1 "\4hall\5loc", ND_ESYNTAX),
    C("question cut short", HDR_Q1 NAME_HALL "\0", ND_ESYNTAX),
    C("A rdata of 5",
      "\0\0\x84\0\0\0\0\1\0\0\0\0" NAME_HALL A_IN "\0\0\0\x78\0\5" "\1\2\3\4\5", ND_ESYNTAX),
    C("rdata past the end", "\0\0\x84\0\0\0\0\1\0\0\0\0" NAME_HALL A_IN "\0\0\0\x78\0\4" "\1\2",
      ND_ESYNTAX),
    C("good A record", "\0\0\x84\0\0\0\0\1\0\0\0\0" NAME_HALL A_IN "\0\0\0\x78\0\4" "\12\0\0\1",
      ND_OK),
    C("PTR with compressed target",
      "\0\0\x84\0\0\0\0\1\0\0\0\0" "\6_nodus\4_tcp\5local\0" "\0\x0c\0\1\0\0\x11\x94\0\x09"
      "\6node01\xc0\x0c",
      ND_OK),
    C("PTR target points into itself",
      "\0\0\x84\0\0\0\0\1\0\0\0\0" "\6_nodus\4_tcp\5local\0" "\0\x0c\0\1\0\0\x11\x94\0\x02"
      "\xc0\x29",
      ND_ESYNTAX),
};

static void test_parse_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        nd_dns_msg m;
        int rc = nd_dns_parse((const uint8_t *)cases[i].bytes, cases[i].n, &m);
        if (rc != cases[i].rc) fail_msg("%s: got %d, want %d", cases[i].what, rc, cases[i].rc);
    }
}

static void test_oversize_name(void **state)
{
    (void)state;
    uint8_t buf[400];
    memcpy(buf, HDR_Q1, 12);
    size_t o = 12;
    for (int i = 0; i < 4; i++) { /* 4 x 64 = 256 bytes + root: one too many */
        buf[o++] = 63;
        memset(buf + o, 'a', 63);
        o += 63;
    }
    buf[o++] = 0;
    memcpy(buf + o, A_IN, 4);
    nd_dns_msg m;
    assert_int_equal(nd_dns_parse(buf, o + 4, &m), ND_ESYNTAX);
    /* 255 exactly is fine: the last label two bytes shorter */
    buf[12 + 3 * 64] = 61;
    memmove(buf + 12 + 3 * 64 + 1 + 61, buf + 12 + 3 * 64 + 1 + 63, 5);
    assert_int_equal(nd_dns_parse(buf, o + 4 - 2, &m), ND_OK);
    char text[ND_DNS_TEXT_MAX];
    assert_int_equal(nd_dns_name_text(buf, o + 2, m.q[0].name, text, sizeof text), 253);
}

static void test_names_compare_and_text(void **state)
{
    (void)state;
    const char msg[] = "\0\0\x84\0\0\0\0\1\0\0\0\0" "\6_nodus\4_tcp\5local\0"
                       "\0\x0c\0\1\0\0\x11\x94\0\x09" "\6Node01\xc0\x0c";
    nd_dns_msg m;
    assert_int_equal(nd_dns_parse((const uint8_t *)msg, sizeof msg - 1, &m), ND_OK);
    assert_int_equal(m.nan, 1);
    const uint8_t *p = (const uint8_t *)msg;
    assert_true(nd_dns_name_eq(p, sizeof msg - 1, m.rr[0].rdata, "node01._nodus._tcp.local"));
    assert_false(nd_dns_name_eq(p, sizeof msg - 1, m.rr[0].rdata, "node01._nodus._tcp"));
    assert_false(nd_dns_name_eq(p, sizeof msg - 1, m.rr[0].rdata, "node01._nodus._tcp.local.x"));
    assert_false(nd_dns_name_eq(p, sizeof msg - 1, m.rr[0].name, "node01._nodus._tcp.local"));
    char t[64];
    assert_int_equal(nd_dns_name_text(p, sizeof msg - 1, m.rr[0].rdata, t, sizeof t), 24);
    assert_string_equal(t, "Node01._nodus._tcp.local");
    assert_int_equal(nd_dns_name_text(p, sizeof msg - 1, m.rr[0].rdata, t, 10), ND_ELIMIT);
    /* escapes: a dot inside a label, a control byte */
    const char esc[] = HDR_Q1 "\3a.\1\5local\0" A_IN;
    assert_int_equal(nd_dns_parse((const uint8_t *)esc, sizeof esc - 1, &m), ND_OK);
    nd_dns_name_text((const uint8_t *)esc, sizeof esc - 1, m.q[0].name, t, sizeof t);
    assert_string_equal(t, "a\\.\\001.local");
}

static void test_builder_compresses_and_rolls_back(void **state)
{
    (void)state;
    uint8_t buf[512];
    nd_dns_w w;
    nd_dns_w_init(&w, buf, sizeof buf, 7, ND_DNS_QR | ND_DNS_AA);
    nd_dns_w_rr_begin(&w, ND_DNS_SEC_AN, "_nodus._tcp.local", ND_DNS_PTR, ND_DNS_IN, 4500);
    nd_dns_w_name(&w, "hall._nodus._tcp.local", false);
    nd_dns_w_rr_end(&w);
    size_t before = w.len;
    nd_dns_w_rr_begin(&w, ND_DNS_SEC_AR, "hall.local", ND_DNS_A, ND_DNS_IN | ND_DNS_CLASS_TOP, 120);
    nd_dns_w_bytes(&w, "\12\0\0\1", 4);
    nd_dns_w_rr_end(&w);
    /* "hall" + pointer to "local": 1+4+2 name bytes, 10 fixed, 4 data */
    assert_int_equal(w.len - before, 7 + 10 + 4);
    size_t len = nd_dns_w_finish(&w);
    nd_dns_msg m;
    assert_int_equal(nd_dns_parse(buf, len, &m), ND_OK);
    assert_int_equal(m.id, 7);
    assert_int_equal(m.nan, 1);
    assert_int_equal(m.nar, 1);
    assert_true(m.rr[1].top);
    assert_true(nd_dns_name_eq(buf, len, m.rr[0].rdata, "hall._nodus._tcp.local"));
    /* a record that does not fit is rolled back whole; the message stays valid */
    nd_dns_w_init(&w, buf, 40, 1, ND_DNS_QR);
    nd_dns_w_rr_begin(&w, ND_DNS_SEC_AN, "hall.local", ND_DNS_A, ND_DNS_IN, 120);
    nd_dns_w_bytes(&w, "\12\0\0\1", 4);
    nd_dns_w_rr_end(&w);
    nd_dns_w_rr_begin(&w, ND_DNS_SEC_AN, "kitchen.local", ND_DNS_A, ND_DNS_IN, 120);
    nd_dns_w_bytes(&w, "\12\0\0\2", 4);
    nd_dns_w_rr_end(&w);
    assert_true(w.full);
    len = nd_dns_w_finish(&w);
    assert_int_equal(nd_dns_parse(buf, len, &m), ND_OK);
    assert_int_equal(m.nan, 1);
    /* misuse: an empty label or a label over 63 is an error, not a message */
    nd_dns_w_init(&w, buf, sizeof buf, 1, 0);
    nd_dns_w_question(&w, "a..local", ND_DNS_A, ND_DNS_IN);
    assert_int_equal(nd_dns_w_finish(&w), 0);
}

static void test_tables_are_bounded(void **state)
{
    (void)state;
    /* 40 questions: the first ND_DNS_Q_MAX are kept, the message is flagged */
    uint8_t buf[12 + 40 * 16];
    memcpy(buf, "\0\0\0\0\0\x28\0\0\0\0\0\0", 12);
    size_t o = 12;
    for (int i = 0; i < 40; i++) {
        memcpy(buf + o, NAME_HALL A_IN, 16);
        o += 16;
    }
    nd_dns_msg m;
    assert_int_equal(nd_dns_parse(buf, o, &m), ND_OK);
    assert_int_equal(m.nq, ND_DNS_Q_MAX);
    assert_true(m.partial);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_table),
        cmocka_unit_test(test_oversize_name),
        cmocka_unit_test(test_names_compare_and_text),
        cmocka_unit_test(test_builder_compresses_and_rolls_back),
        cmocka_unit_test(test_tables_are_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
