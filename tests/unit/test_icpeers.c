/*
** test_icpeers.c -- the InterCon password policy (icpeers key): which value
** is accepted, and which peer gets which password. Fails closed: anything
** not listed, or a policy that does not check, sends nothing.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "icpeers.h"

static void test_check_accepts(void **state)
{
    (void)state;
    static const char *const ok[] = {
        "n/a", "", " n/a ", ";;", "*", "beta", "beta;gamma", " beta ; gamma=Sec123x ;",
        "10.0.1.5=Other123x", "beta = Sec123x", "a.b-c_d=p=q!#~", "*;beta=Sec123x",
        "beta.local;beta", /* different names as written */
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        const char *e = nd_icpeers_check(ok[i]);
        if (e) fail_msg("%s: %s", ok[i], e);
    }
}

static void test_check_rejects(void **state)
{
    (void)state;
    static const struct {
        const char *in, *msg;
    } bad[] = {
        {"=Sec123x", "icpeers entry 1: empty name"},
        {"beta;gamma=", "icpeers entry 2: empty secret after ="},
        {"*=Sec123x", "icpeers entry 1: * takes no secret"},
        {"bad!name", "icpeers entry 1: a name may only contain"},
        {"n/a;beta", "icpeers entry 1: a name may only contain"},
        {"two words", "icpeers entry 1: a name may only contain"},
        {"beta=has space", "icpeers entry 1: a secret may only hold printable"},
        {"beta=tab\there", "icpeers entry 1: a secret may only hold printable"},
        {"beta;BETA=x", "icpeers entry 2: BETA is listed twice"},
        {"10.0.0.5;10.0.0.05", "icpeers entry 2: 10.0.0.05 is listed twice"},
        {"*;*", "icpeers entry 2: * is listed twice"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *e = nd_icpeers_check(bad[i].in);
        if (!e || strncmp(e, bad[i].msg, strlen(bad[i].msg)) != 0)
            fail_msg("%s: got %s", bad[i].in, e ? e : "(ok)");
    }
    /* bounded: names, secrets and the whole value */
    char big[ND_ICPEERS_MAX + 2];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = 0;
    assert_non_null(strstr(nd_icpeers_check(big), "at most 1024"));
    char name[ND_ICPEER_NAME_MAX + 2];
    memset(name, 'a', sizeof name - 1);
    name[sizeof name - 1] = 0;
    assert_non_null(strstr(nd_icpeers_check(name), "name longer than 63"));
    char sec[ND_ICPEER_SECRET_MAX + 8] = "b=";
    memset(sec + 2, 'S', ND_ICPEER_SECRET_MAX + 1);
    sec[ND_ICPEER_SECRET_MAX + 3] = 0;
    const char *e = nd_icpeers_check(sec);
    assert_non_null(strstr(e, "secret longer than 63"));
    assert_null(strstr(e, "SSSS")); /* a secret is never quoted */
}

static int pick(const char *policy, const char *host, char *out)
{
    return nd_icpeers_pick(policy, host, out, 64);
}

static void test_pick(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(pick("n/a", "beta", out), ND_ICPEER_NONE);
    assert_int_equal(pick("", "beta", out), ND_ICPEER_NONE);
    assert_int_equal(pick("gamma;delta=X1", "beta", out), ND_ICPEER_NONE);
    assert_int_equal(pick("beta", "beta", out), ND_ICPEER_APPWD);
    assert_int_equal(pick("BeTa", "bEtA", out), ND_ICPEER_APPWD); /* any case */
    /* exactly as written: no domain or resolution magic */
    assert_int_equal(pick("beta", "beta.local", out), ND_ICPEER_NONE);
    assert_int_equal(pick("beta.local", "beta", out), ND_ICPEER_NONE);
    assert_int_equal(pick("bet", "beta", out), ND_ICPEER_NONE);
    assert_int_equal(pick("beta", "bet", out), ND_ICPEER_NONE);
    assert_int_equal(pick("gamma; beta = Sec123x ;", "beta", out), ND_ICPEER_SECRET);
    assert_string_equal(out, "Sec123x");
    assert_int_equal(pick("beta=a=b", "beta", out), ND_ICPEER_SECRET);
    assert_string_equal(out, "a=b");
    /* IPv4 literals match by value */
    assert_int_equal(pick("10.0.1.5=Other123x", "10.0.1.5", out), ND_ICPEER_SECRET);
    assert_string_equal(out, "Other123x");
    assert_int_equal(pick("10.0.1.05", "10.0.1.5", out), ND_ICPEER_APPWD);
    assert_int_equal(pick("10.0.1.5", "10.0.1.50", out), ND_ICPEER_NONE);
    /* * sends appwd to the rest; a listed name wins over it */
    assert_int_equal(pick("*", "anything", out), ND_ICPEER_APPWD);
    assert_int_equal(pick("*;beta=Sec123x", "beta", out), ND_ICPEER_SECRET);
    assert_int_equal(pick("beta=Sec123x;*", "beta", out), ND_ICPEER_SECRET);
    assert_int_equal(pick("beta=Sec123x;*", "gamma", out), ND_ICPEER_APPWD);
    /* fail closed: a policy that does not check lists nobody, not even `*` */
    assert_int_equal(pick("*;bad!name", "beta", out), ND_ICPEER_NONE);
    assert_int_equal(pick("beta;beta=X1", "beta", out), ND_ICPEER_NONE);
    assert_int_equal(pick(NULL, "beta", out), ND_ICPEER_NONE);
    assert_int_equal(pick("*", "", out), ND_ICPEER_NONE);
    /* a secret that does not fit the caller's buffer is not sent cut short */
    assert_int_equal(nd_icpeers_pick("beta=Sec123x", "beta", out, 4), ND_ICPEER_NONE);
    assert_string_equal(out, "");
}

static void test_wipe(void **state)
{
    (void)state;
    char b[16] = "Secret123";
    nd_wipe(b, sizeof b);
    for (size_t i = 0; i < sizeof b; i++) assert_int_equal(b[i], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_accepts),
        cmocka_unit_test(test_check_rejects),
        cmocka_unit_test(test_pick),
        cmocka_unit_test(test_wipe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
