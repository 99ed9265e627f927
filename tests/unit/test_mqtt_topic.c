/*
** test_mqtt_topic.c -- MQTT topic rules of the node (mqtt.h): what may be
** published to, what may be subscribed, and which filter matches which
** topic (MQTT 3.1.1 section 4.7, its examples included).
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "mqtt.h"
#include "nodus/value.h"

static int check(const char *t, size_t n, bool filter)
{
    char err[ND_ERRMSG];
    return nd_mqtt_check_topic(t, n, filter, err, sizeof err);
}

static void test_publish_topics(void **state)
{
    (void)state;
    assert_int_equal(check("nodus/a/cmd", 11, false), ND_OK);
    assert_int_equal(check("/", 1, false), ND_OK);
    assert_int_equal(check("a/+/b", 5, false), ND_EINVAL); /* no wildcard to publish to */
    assert_int_equal(check("a/#", 3, false), ND_EINVAL);
    assert_int_equal(check("a\0b", 3, false), ND_EINVAL); /* NUL inside */
    assert_int_equal(check("", 0, false), ND_EINVAL);
    char big[ND_MQTT_TOPIC_MAX + 2];
    memset(big, 'a', sizeof big);
    assert_int_equal(check(big, ND_MQTT_TOPIC_MAX, false), ND_OK);
    assert_int_equal(check(big, ND_MQTT_TOPIC_MAX + 1, false), ND_ELIMIT);
}

static void test_filters(void **state)
{
    (void)state;
    static const char *const ok[] = {"#", "+", "a/#", "a/+/b", "+/+", "/+", "a//+", "+/#"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (check(ok[i], strlen(ok[i]), true) != ND_OK) fail_msg("refused %s", ok[i]);
    static const char *const bad[] = {"a#", "a/b#", "#/a", "a+/b", "a/+b", "++", "a/#/b"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (check(bad[i], strlen(bad[i]), true) == ND_OK) fail_msg("accepted %s", bad[i]);
}

static void test_matching(void **state)
{
    (void)state;
    static const struct {
        const char *f, *t;
        bool m;
    } cases[] = {
        {"sport/tennis/player1/#", "sport/tennis/player1", true}, /* 4.7.1.2 */
        {"sport/tennis/player1/#", "sport/tennis/player1/ranking", true},
        {"sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true},
        {"sport/#", "sport", true},
        {"sport/tennis/+", "sport/tennis/player1", true}, /* 4.7.1.3 */
        {"sport/tennis/+", "sport/tennis/player1/ranking", false},
        {"sport/+", "sport", false},
        {"sport/+", "sport/", true},
        {"+/+", "/finance", true},
        {"/+", "/finance", true},
        {"+", "/finance", false},
        {"#", "$SYS/x", false}, /* 4.7.2 */
        {"+/monitor/Clients", "$SYS/monitor/Clients", false},
        {"$SYS/#", "$SYS/x", true},
        {"in/+/t", "in/a/t", true},
        {"in/+/t", "in/a/b/t", false},
        {"a/b", "a/b", true},
        {"a/b", "a/bc", false},
        {"a/b", "a", false},
        {"a", "a/b", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (nd_mqtt_topic_matches(cases[i].f, cases[i].t) != cases[i].m)
            fail_msg("%s vs %s: expected %d", cases[i].f, cases[i].t, cases[i].m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_publish_topics),
        cmocka_unit_test(test_filters),
        cmocka_unit_test(test_matching),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
