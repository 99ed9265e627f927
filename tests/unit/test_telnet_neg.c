/*
** test_telnet_neg.c -- the telnet byte machine (src/core/telnet_neg.c):
** line ends of every client, IAC stripping and doubling, commands, the
** Q-method negotiation (answers only on state changes: no loops), timing
** mark, subnegotiations of any length, input cut anywhere by TCP, and the
** salted password hash (src/core/auth_hash.c) against RFC test vectors.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "auth_hash.h"
#include "telnet_neg.h"

typedef struct {
    char data[8192];
    size_t n;
    uint8_t sent[8192];
    size_t ns;
    int ev[64];
    int nev;
} rec;

static void on_data(void *ud, const char *p, size_t n)
{
    rec *r = ud;
    assert_true(r->n + n < sizeof r->data);
    memcpy(r->data + r->n, p, n);
    r->n += n;
    r->data[r->n] = 0;
}

static void on_send(void *ud, const uint8_t *p, size_t n)
{
    rec *r = ud;
    assert_true(r->ns + n < sizeof r->sent);
    memcpy(r->sent + r->ns, p, n);
    r->ns += n;
}

static void on_event(void *ud, int ev)
{
    rec *r = ud;
    if (r->nev < 64) r->ev[r->nev++] = ev;
}

static void setup(nd_tn *t, rec *r)
{
    memset(r, 0, sizeof *r);
    nd_tn_cb cb = {.data = on_data, .event = on_event, .send = on_send, .ud = r};
    nd_tn_init(t, &cb);
}

static void feed(nd_tn *t, const char *p, size_t n) { nd_tn_feed(t, (const uint8_t *)p, n); }

/* the same input, whole and one byte at a time, must give the same result */
static void both_ways(const char *in, size_t n, const char *want_data, const uint8_t *want_sent,
                      size_t want_ns)
{
    for (int split = 0; split < 2; split++) {
        nd_tn t;
        rec r;
        setup(&t, &r);
        if (split)
            for (size_t i = 0; i < n; i++) feed(&t, in + i, 1);
        else
            feed(&t, in, n);
        assert_string_equal(r.data, want_data);
        assert_int_equal(r.ns, want_ns);
        if (want_ns) assert_memory_equal(r.sent, want_sent, want_ns);
    }
}

static void test_line_ends(void **st)
{
    (void)st;
    /* telnet line mode CR LF, char mode CR NUL, nc LF, a lone CR */
    both_ways("a\r\nb\r\0c\nd\re", 12, "a\nb\nc\nd\ne", NULL, 0);
    both_ways("\r\n\r\n", 4, "\n\n", NULL, 0);
    both_ways("x\r\r\n", 4, "x\n\n", NULL, 0);
}

static void test_iac_stripped_and_doubled(void **st)
{
    (void)st;
    both_ways("a\xff\xff" "b\xff\xf1" "c\xff\xf9" "d", 10, "a\xff" "bcd", NULL, 0);
    uint8_t out[16];
    size_t k = nd_tn_escape("\xff\n\r\rz", 5, out);
    const uint8_t want[] = {0xff, 0xff, '\r', '\n', '\r', 0, '\r', 0, 'z'};
    assert_int_equal(k, sizeof want);
    assert_memory_equal(out, want, k);
    k = nd_tn_escape("a\r\nb", 4, out); /* CR LF stays one end of line */
    assert_int_equal(k, 4);
    assert_memory_equal(out, "a\r\nb", 4);
}

static void test_commands_become_events(void **st)
{
    (void)st;
    nd_tn t;
    rec r;
    setup(&t, &r);
    feed(&t, "ab\xff\xf4" "c\x03\xff\xf7\x7f\x08\xff\xf8\x15\xff\xf6\x04\xff\xec\xff\xf3", 20);
    int want[] = {ND_TN_EV_INTR, ND_TN_EV_INTR, ND_TN_EV_EC, ND_TN_EV_EC, ND_TN_EV_EC,
                  ND_TN_EV_EL, ND_TN_EV_EL, ND_TN_EV_AYT, ND_TN_EV_EOF, ND_TN_EV_EOF, ND_TN_EV_INTR};
    assert_int_equal(r.nev, (int)(sizeof want / sizeof want[0]));
    for (int i = 0; i < r.nev; i++) assert_int_equal(r.ev[i], want[i]);
    assert_string_equal(r.data, "abc");
    assert_int_equal(r.ns, 0);
}

static void test_refuses_what_it_does_not_offer(void **st)
{
    (void)st;
    /* DO LINEMODE -> WONT; WILL NAWS -> DONT; WONT/DONT of what is off -> nothing */
    const uint8_t want[] = {255, 252, 34, 255, 254, 31};
    both_ways("\xff\xfd\x22\xff\xfb\x1f\xff\xfc\x05\xff\xfe\x05", 12, "", want, sizeof want);
    /* a client cannot turn our ECHO or SGA on behind the door's back */
    const uint8_t want2[] = {255, 252, 1, 255, 252, 3};
    both_ways("\xff\xfd\x01\xff\xfd\x03", 6, "", want2, sizeof want2);
}

static void test_q_method_no_loops(void **st)
{
    (void)st;
    nd_tn t;
    rec r;
    setup(&t, &r);
    nd_tn_set_echo(&t, true);
    nd_tn_set_echo(&t, true); /* asked already: nothing more */
    assert_int_equal(r.ns, 3);
    assert_memory_equal(r.sent, "\xff\xfb\x01", 3);
    feed(&t, "\xff\xfd\x01", 3); /* DO ECHO: the answer to our WILL, no reply */
    assert_int_equal(r.ns, 3);
    assert_int_equal(t.us_echo, ND_TNQ_YES);
    feed(&t, "\xff\xfd\x01\xff\xfd\x01", 6); /* repeated: already on, no reply */
    assert_int_equal(r.ns, 3);
    nd_tn_set_echo(&t, false);
    assert_memory_equal(r.sent + 3, "\xff\xfc\x01", 3);
    feed(&t, "\xff\xfe\x01", 3); /* DONT ECHO acknowledges */
    assert_int_equal(t.us_echo, ND_TNQ_NO);
    assert_int_equal(r.ns, 6);
    /* a client that refuses our offer: no retry, no answer */
    nd_tn_set_sga(&t, true);
    feed(&t, "\xff\xfe\x03", 3);
    assert_int_equal(t.us_sga, ND_TNQ_NO);
    assert_int_equal(r.ns, 9);
    nd_tn_set_sga(&t, false); /* already off */
    assert_int_equal(r.ns, 9);
}

static void test_timing_mark_and_subnegotiation(void **st)
{
    (void)st;
    const uint8_t want[] = {255, 251, 6};
    both_ways("\xff\xfd\x06", 3, "", want, sizeof want);
    /* SB contents are skipped, IAC IAC inside included; IAC SE ends it */
    both_ways("a\xff\xfa\x18\x01xy\xff\xffz\xff\xf0" "b", 13, "ab", NULL, 0);
    /* a broken SB (IAC then not SE) ends it; data goes on */
    both_ways("\xff\xfa\x18zz\xff\x41" "c", 8, "c", NULL, 0);
    /* an unterminated SB of any length costs nothing and yields nothing */
    nd_tn t;
    rec r;
    setup(&t, &r);
    feed(&t, "\xff\xfa\x01", 3);
    char junk[4096];
    memset(junk, 'q', sizeof junk);
    for (int i = 0; i < 256; i++) feed(&t, junk, sizeof junk);
    assert_int_equal(r.n, 0);
    feed(&t, "\xff\xf0ok", 4);
    assert_string_equal(r.data, "ok");
}

static void test_pbkdf2_vectors(void **st)
{
    (void)st;
    /* RFC 7914 section 11: PBKDF2-HMAC-SHA256("passwd", "salt", 1, 64): first 32 bytes */
    static const uint8_t v1[32] = {0x55, 0xac, 0x04, 0x6e, 0x56, 0xe3, 0x08, 0x9f, 0xec, 0x16, 0x91,
                                   0xc2, 0x25, 0x44, 0xb6, 0x05, 0xf9, 0x41, 0x85, 0x21, 0x6d, 0xde,
                                   0x04, 0x65, 0xe6, 0x8b, 0x9d, 0x57, 0xc2, 0x0d, 0xac, 0xbc};
    uint8_t out[32];
    nd_pbkdf2_sha256("passwd", 6, (const uint8_t *)"salt", 4, 1, out);
    assert_memory_equal(out, v1, 32);
    /* ("Password", "NaCl", 80000, 64): first 32 bytes */
    static const uint8_t v2[32] = {0x4d, 0xdc, 0xd8, 0xf6, 0x0b, 0x98, 0xbe, 0x21, 0x83, 0x0c, 0xee,
                                   0x5e, 0xf2, 0x27, 0x01, 0xf9, 0x64, 0x1a, 0x44, 0x18, 0xd0, 0x4c,
                                   0x04, 0x14, 0xae, 0xff, 0x08, 0x87, 0x6b, 0x34, 0xab, 0x56};
    nd_pbkdf2_sha256("Password", 8, (const uint8_t *)"NaCl", 4, 80000, out);
    assert_memory_equal(out, v2, 32);
}

static void test_hash_record(void **st)
{
    (void)st;
    uint8_t salt[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    char rec1[ND_AUTH_HASH_MAX], rec2[ND_AUTH_HASH_MAX];
    assert_int_equal(nd_auth_hash_make("ADmin123", 8, salt, 100, rec1, sizeof rec1), 0);
    assert_non_null(strstr(rec1, "pbkdf2-sha256$100$0102030405060708090a0b0c0d0e0f10$"));
    assert_null(strstr(rec1, "ADmin123"));
    assert_true(nd_auth_hash_check(rec1, "ADmin123", 8));
    assert_false(nd_auth_hash_check(rec1, "ADmin124", 8));
    assert_false(nd_auth_hash_check(rec1, "ADmin12", 7));
    assert_false(nd_auth_hash_check(rec1, "", 0));
    salt[0] = 99; /* another salt, another record for the same password */
    nd_auth_hash_make("ADmin123", 8, salt, 100, rec2, sizeof rec2);
    assert_string_not_equal(rec1, rec2);
    assert_true(nd_auth_hash_check(rec2, "ADmin123", 8));
    /* malformed records match nothing */
    const char *bad[] = {"", "pbkdf2-sha256$", "pbkdf2-sha256$0$00$00", "md5$1$aa$bb",
                         "pbkdf2-sha256$100$zz02030405060708090a0b0c0d0e0f10$00",
                         ("pbkdf2-sha256$99999999$0102030405060708090a0b0c0d0e0f10$"
                          "0000000000000000000000000000000000000000000000000000000000000000")};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(nd_auth_hash_check(bad[i], "ADmin123", 8));
    assert_false(nd_auth_hash_check(NULL, "x", 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_line_ends),
        cmocka_unit_test(test_iac_stripped_and_doubled),
        cmocka_unit_test(test_commands_become_events),
        cmocka_unit_test(test_refuses_what_it_does_not_offer),
        cmocka_unit_test(test_q_method_no_loops),
        cmocka_unit_test(test_timing_mark_and_subnegotiation),
        cmocka_unit_test(test_pbkdf2_vectors),
        cmocka_unit_test(test_hash_record),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
