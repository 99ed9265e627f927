/*
** test_resolve_hosts.c -- the `hosts` key's parsing (nd_hosts_find) with
** IPv6 values, and the IPv6 literal test the resolver and InterCon share
** (nd_ipv6_literal). An IPv4-only caller must never get an IPv6 address,
** nor a cut one; a name with both families must give IPv4.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "resolve.h"

static void test_ipv4_entries_as_before(void **state)
{
    (void)state;
    char v4[16] = "", v6[ND_IP_TEXT_MAX] = "";
    assert_int_equal(nd_hosts_find(" hall = 10.0.1.5 ; cellar=10.0.1.6", "hall", v4, v6), ND_HOSTS_V4);
    assert_string_equal(v4, "10.0.1.5");
    assert_string_equal(v6, "");
    assert_int_equal(nd_hosts_find("hall=10.0.1.5;cellar=10.0.1.6", "cellar", v4, v6), ND_HOSTS_V4);
    assert_string_equal(v4, "10.0.1.6");
    assert_int_equal(nd_hosts_find("hall.local=10.0.1.5", "hall", v4, v6), ND_HOSTS_V4); /* bare name */
    assert_int_equal(nd_hosts_find("hall=10.0.1.5", "cellar", v4, v6), 0);
    assert_int_equal(nd_hosts_find("n/a", "hall", v4, v6), 0);
    assert_int_equal(nd_hosts_find(NULL, "hall", v4, v6), 0);
}

static void test_ipv6_entries(void **state)
{
    (void)state;
    char v4[16] = "", v6[ND_IP_TEXT_MAX] = "";
    assert_int_equal(nd_hosts_find("six=::1", "six", v4, v6), ND_HOSTS_V6);
    assert_string_equal(v6, "::1");
    assert_string_equal(v4, ""); /* an IPv4-only caller's buffer is never touched */
    assert_int_equal(nd_hosts_find("a=10.0.0.1; six = [2001:db8::7] ", "six", v4, v6), ND_HOSTS_V6);
    assert_string_equal(v6, "2001:db8::7"); /* brackets dropped */
    /* the longest IPv6 text (45 characters) fits, with and without brackets */
    const char *longest = "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255";
    assert_int_equal(strlen(longest), 45);
    char cfg[128];
    snprintf(cfg, sizeof cfg, "big=%s;bigb=[%s]", longest, longest);
    assert_int_equal(nd_hosts_find(cfg, "big", v4, v6), ND_HOSTS_V6);
    assert_string_equal(v6, longest);
    memset(v6, 0, sizeof v6);
    assert_int_equal(nd_hosts_find(cfg, "bigb", v4, v6), ND_HOSTS_V6);
    assert_string_equal(v6, longest);
}

static void test_both_families_first_of_each(void **state)
{
    (void)state;
    char v4[16] = "", v6[ND_IP_TEXT_MAX] = "";
    assert_int_equal(nd_hosts_find("duo=::1;duo=127.0.0.9;duo=::2;duo=127.0.0.8", "duo", v4, v6),
                     ND_HOSTS_V4 | ND_HOSTS_V6);
    assert_string_equal(v4, "127.0.0.9");
    assert_string_equal(v6, "::1");
    /* NULL buffers: only asks what exists */
    assert_int_equal(nd_hosts_find("duo=::1", "duo", NULL, NULL), ND_HOSTS_V6);
}

static void test_bad_values_skipped(void **state)
{
    (void)state;
    char v4[16] = "", v6[ND_IP_TEXT_MAX] = "";
    static const char *const bad[] = {
        "x=host.lan",  "x=1:2",    "x=::g",        "x=[::1",     "x=10.0.0.256", "x=",
        "x=:: 1",      "=::1",     "x",            "x=::1::2::3::4::5::6::7::8::9::10::11::12::13::14",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (nd_hosts_find(bad[i], "x", v4, v6) != 0) fail_msg("accepted: %s", bad[i]);
        assert_string_equal(v6, "");
    }
    /* a bad entry does not hide a good one after it */
    assert_int_equal(nd_hosts_find("x=1:2;x=fe80::1", "x", v4, v6), ND_HOSTS_V6);
    assert_string_equal(v6, "fe80::1");
}

static void test_ipv6_literal(void **state)
{
    (void)state;
    char out[ND_IP_TEXT_MAX];
    assert_true(nd_ipv6_literal("::1", out, sizeof out));
    assert_string_equal(out, "::1");
    assert_true(nd_ipv6_literal("[fe80::1]", out, sizeof out));
    assert_string_equal(out, "fe80::1");
    assert_true(nd_ipv6_literal("::ffff:10.0.0.1", out, sizeof out));
    assert_false(nd_ipv6_literal("10.0.0.1", out, sizeof out));
    assert_false(nd_ipv6_literal("hall.local", out, sizeof out));
    assert_false(nd_ipv6_literal("host:8080", out, sizeof out)); /* one colon: not an address */
    assert_false(nd_ipv6_literal("[]", out, sizeof out));
    assert_false(nd_ipv6_literal("::1", out, 3)); /* no room: refused, not cut */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ipv4_entries_as_before),
        cmocka_unit_test(test_ipv6_entries),
        cmocka_unit_test(test_both_families_first_of_each),
        cmocka_unit_test(test_bad_values_skipped),
        cmocka_unit_test(test_ipv6_literal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
