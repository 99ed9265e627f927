/*
** test_shcli.c -- the ShellCli client machine (src/core/shcli.c) against the
** byte streams micrOS and nodus nodes send (docs/micros-compat.md §2.2,
** §2.3, §2.9, §2.10): greetings, prompts cut anywhere by TCP, the password
** exchange both ways, busy nodes, exit, conf mode, garbage, closes.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "nodus/value.h"
#include "shcli.h"

typedef struct {
    char text[16384];
    size_t n;
} sink_buf;

static void sink(void *ud, const char *p, size_t n)
{
    sink_buf *b = ud;
    assert_true(b->n + n < sizeof b->text);
    memcpy(b->text + b->n, p, n);
    b->n += n;
    b->text[b->n] = 0;
}

static int feed(nd_shcli *c, const char *s)
{
    return nd_shcli_feed(c, s, strlen(s));
}

/* A session past a plain greeting from node01. */
static void ready(nd_shcli *c, sink_buf *b)
{
    memset(b, 0, sizeof *b);
    nd_shcli_init(c, sink, b);
    assert_int_equal(feed(c, "node01 $ "), ND_SHCLI_EV_GREETED);
}

static void test_prompt_syntax(void **state)
{
    (void)state;
    char fid[ND_SHCLI_FID_MAX];
    bool pwd, conf;
    static const struct {
        const char *s, *fid;
        bool pwd, conf;
    } ok[] = {
        {"node01 $ ", "node01", false, false},
        {"[password] node01 $ ", "node01", true, false},
        {"[configure] node01 $ ", "node01", false, true},
        {"[password] [configure] n $ ", "n", true, true},
        {"[other] sim-2_x $ ", "sim-2_x", false, false},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        if (!nd_shcli_prompt(ok[i].s, strlen(ok[i].s), NULL, fid, sizeof fid, &pwd, &conf))
            fail_msg("not a prompt: '%s'", ok[i].s);
        assert_string_equal(fid, ok[i].fid);
        assert_int_equal(pwd, ok[i].pwd);
        assert_int_equal(conf, ok[i].conf);
    }
    static const char *const bad[] = {
        "node01 $",       /* the trailing space is part of the prompt */
        " $ ",            /* no devfid */
        "a b $ ",         /* devfid is one word */
        "[password]node $ ", "[password]  node $ ", "[] node $ ", "[pass word] n $ ",
        "[password] $ ",  /* prefix only */
        "node\t1 $ ", "no\x01" "de $ ", "node01 $ x", "node01 $  ", "",
        "[pass\x01] node01 $ ", "[pa\x7f" "ss] node01 $ ",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (nd_shcli_prompt(bad[i], strlen(bad[i]), NULL, fid, sizeof fid, &pwd, &conf))
            fail_msg("taken as a prompt: '%s'", bad[i]);
    /* a known devfid must match exactly */
    assert_true(nd_shcli_prompt("node01 $ ", 9, "node01", NULL, 0, NULL, NULL));
    assert_false(nd_shcli_prompt("node02 $ ", 9, "node01", NULL, 0, NULL, NULL));
    assert_false(nd_shcli_prompt("Node01 $ ", 9, "node01", NULL, 0, NULL, NULL));
    /* bounded devfid */
    char big[ND_SHCLI_FID_MAX + 8];
    memset(big, 'a', ND_SHCLI_FID_MAX - 1);
    memcpy(big + ND_SHCLI_FID_MAX - 1, " $ ", 4);
    assert_true(nd_shcli_prompt(big, strlen(big), NULL, fid, sizeof fid, NULL, NULL));
    memset(big, 'a', ND_SHCLI_FID_MAX);
    memcpy(big + ND_SHCLI_FID_MAX, " $ ", 4);
    assert_false(nd_shcli_prompt(big, strlen(big), NULL, fid, sizeof fid, NULL, NULL));
}

static void test_greeting_and_reply(void **state)
{
    (void)state;
    nd_shcli c;
    sink_buf b;
    ready(&c, &b);
    assert_string_equal(c.devfid, "node01");
    assert_string_equal(c.prompt, "node01 $ ");
    assert_int_equal(c.state, ND_SHCLI_ST_READY);
    assert_int_equal(nd_shcli_sent(&c, ND_SHCLI_SEND_COMMAND), ND_OK);
    assert_int_equal(feed(&c, "<3 heartbeat <3\nnode01 $ "), ND_SHCLI_EV_REPLY);
    assert_string_equal(b.text, "<3 heartbeat <3\n");
    assert_int_equal(c.state, ND_SHCLI_ST_READY);
    /* a multi-line reply, and an empty one (conf answers with the prompt only) */
    b.n = 0;
    nd_shcli_sent(&c, ND_SHCLI_SEND_COMMAND);
    assert_int_equal(feed(&c, " percent: 0.0\n mem_used: 1716224\nnode01 $ "), ND_SHCLI_EV_REPLY);
    assert_string_equal(b.text, " percent: 0.0\n mem_used: 1716224\n");
    b.n = 0;
    b.text[0] = 0;
    nd_shcli_sent(&c, ND_SHCLI_SEND_COMMAND);
    assert_int_equal(feed(&c, "[configure] node01 $ "), ND_SHCLI_EV_REPLY);
    assert_string_equal(b.text, "");
    assert_true(c.configure);
    assert_string_equal(c.prompt, "[configure] node01 $ ");
    nd_shcli_sent(&c, ND_SHCLI_SEND_COMMAND);
    assert_int_equal(feed(&c, "node01\n[configure] node01 $ "), ND_SHCLI_EV_REPLY);
    nd_shcli_sent(&c, ND_SHCLI_SEND_COMMAND);
    assert_int_equal(feed(&c, "node01 $ "), ND_SHCLI_EV_REPLY);
    assert_false(c.configure);
}

/* Every cut of a stream into two reads gives the same events and text. */
static void test_prompts_split_across_reads(void **state)
{
    (void)state;
    const char *greet = "[password] node01 $ ", *auth = "AuthOk\nnode01 $ ",
               *reply = "hello:node01:micr5f3c0a29be11OS:dev\nnode01 $ ";
    for (size_t cut = 0; cut <= strlen(reply); cut++) {
        nd_shcli c;
        sink_buf b = {0};
        nd_shcli_init(&c, sink, &b);
        size_t g = cut < strlen(greet) ? cut : strlen(greet) / 2;
        assert_int_equal(nd_shcli_feed(&c, greet, g), g == strlen(greet) ? ND_SHCLI_EV_ASKS_PASSWORD
                                                                          : ND_SHCLI_EV_MORE);
        if (g < strlen(greet))
            assert_int_equal(feed(&c, greet + g), ND_SHCLI_EV_ASKS_PASSWORD);
        assert_int_equal(nd_shcli_sent(&c, ND_SHCLI_SEND_PASSWORD), ND_OK);
        size_t a = cut < strlen(auth) ? cut : 3;
        int ev = nd_shcli_feed(&c, auth, a);
        if (ev == ND_SHCLI_EV_MORE) ev = feed(&c, auth + a);
        assert_int_equal(ev, ND_SHCLI_EV_AUTH_OK);
        nd_shcli_sent(&c, ND_SHCLI_SEND_COMMAND);
        ev = nd_shcli_feed(&c, reply, cut);
        if (cut < strlen(reply)) {
            assert_int_equal(ev, ND_SHCLI_EV_MORE);
            ev = feed(&c, reply + cut);
        }
        assert_int_equal(ev, ND_SHCLI_EV_REPLY);
        assert_string_equal(b.text, "hello:node01:micr5f3c0a29be11OS:dev\n");
    }
    /* one byte at a time */
    nd_shcli c;
    sink_buf b;
    ready(&c, &b);
    nd_shcli_sent(&c, ND_SHCLI_SEND_COMMAND);
    const char *r = "a\nb\nnode01 $ ";
    for (size_t i = 0; r[i]; i++)
        assert_int_equal(nd_shcli_feed(&c, r + i, 1), r[i + 1] ? ND_SHCLI_EV_MORE : ND_SHCLI_EV_REPLY);
    assert_string_equal(b.text, "a\nb\n");
}

/* Only the greeting's devfid ends a reply: output that looks like another
** node's prompt, or this one's not at the end of what arrived, is text. */
static void test_reply_lines_that_look_like_prompts(void **state)
{
    (void)state;
    nd_shcli c;
    sink_buf b;
    ready(&c, &b);
    nd_shcli_sent(&c, ND_SHCLI_SEND_COMMAND);
    assert_int_equal(feed(&c, "beta $ "), ND_SHCLI_EV_MORE);
    assert_int_equal(feed(&c, "\nnode01 $ more\n"), ND_SHCLI_EV_MORE);
    assert_int_equal(feed(&c, "node01 $"), ND_SHCLI_EV_MORE);
    assert_int_equal(feed(&c, " "), ND_SHCLI_EV_REPLY);
    assert_string_equal(b.text, "beta $ \nnode01 $ more\n");
}

static void test_password_accepted(void **state)
{
    (void)state;
    nd_shcli c;
    sink_buf b = {0};
    nd_shcli_init(&c, sink, &b);
    assert_int_equal(nd_shcli_sent(&c, ND_SHCLI_SEND_COMMAND), ND_EINVAL); /* not yet */
    assert_int_equal(feed(&c, "[password] node01 $ "), ND_SHCLI_EV_ASKS_PASSWORD);
    assert_true(c.asks_password);
    assert_string_equal(c.devfid, "node01");
    assert_int_equal(nd_shcli_sent(&c, ND_SHCLI_SEND_COMMAND), ND_EINVAL); /* password first */
    assert_int_equal(nd_shcli_sent(&c, ND_SHCLI_SEND_PASSWORD), ND_OK);
    assert_int_equal(feed(&c, "AuthOk\n"), ND_SHCLI_EV_MORE);
    assert_int_equal(feed(&c, "node01 $ "), ND_SHCLI_EV_AUTH_OK);
    assert_false(c.asks_password);
    assert_int_equal(b.n, 0); /* AuthOk is not reply text */
    assert_int_equal(nd_shcli_sent(&c, ND_SHCLI_SEND_PASSWORD), ND_EINVAL);
    assert_int_equal(nd_shcli_sent(&c, ND_SHCLI_SEND_COMMAND), ND_OK);
    assert_int_equal(feed(&c, "3.3.1-0\nnode01 $ "), ND_SHCLI_EV_REPLY);
    assert_string_equal(b.text, "3.3.1-0\n");
}

static void test_password_refused(void **state)
{
    (void)state;
    /* micrOS and nodus alike, in one read, in two, and byte by byte */
    const char *answer = "AuthFailed\nBye!\n[password] node01 $ Bye!\n";
    for (size_t step = 1; step <= strlen(answer); step++) {
        nd_shcli c;
        nd_shcli_init(&c, NULL, NULL);
        assert_int_equal(feed(&c, "[password] node01 $ "), ND_SHCLI_EV_ASKS_PASSWORD);
        nd_shcli_sent(&c, ND_SHCLI_SEND_PASSWORD);
        int ev = ND_SHCLI_EV_MORE;
        for (size_t i = 0; i < strlen(answer) && ev == ND_SHCLI_EV_MORE; i += step) {
            size_t k = strlen(answer) - i < step ? strlen(answer) - i : step;
            ev = nd_shcli_feed(&c, answer + i, k);
        }
        assert_int_equal(ev, ND_SHCLI_EV_AUTH_FAILED);
        assert_int_equal(c.state, ND_SHCLI_ST_OVER);
        assert_int_equal(c.ended_in, ND_SHCLI_ST_AUTH);
        /* over: more input or the close change nothing */
        assert_int_equal(feed(&c, "node01 $ "), ND_SHCLI_EV_AUTH_FAILED);
        assert_int_equal(nd_shcli_closed(&c), ND_SHCLI_EV_AUTH_FAILED);
    }
    /* AuthFailed alone is enough, newline or not */
    nd_shcli c;
    nd_shcli_init(&c, NULL, NULL);
    feed(&c, "[password] node01 $ ");
    nd_shcli_sent(&c, ND_SHCLI_SEND_PASSWORD);
    assert_int_equal(feed(&c, "AuthFailed"), ND_SHCLI_EV_AUTH_FAILED);
    /* a marker counts at the start of a line only */
    nd_shcli_init(&c, NULL, NULL);
    feed(&c, "[password] node01 $ ");
    nd_shcli_sent(&c, ND_SHCLI_SEND_PASSWORD);
    assert_int_equal(feed(&c, "not AuthFailed, not Bye!\n"), ND_SHCLI_EV_MORE);
    /* asked again without AuthOk: the password was not taken */
    assert_int_equal(feed(&c, "[password] node01 $ "), ND_SHCLI_EV_AUTH_FAILED);
    /* closed before any answer */
    nd_shcli_init(&c, NULL, NULL);
    feed(&c, "[password] node01 $ ");
    nd_shcli_sent(&c, ND_SHCLI_SEND_PASSWORD);
    assert_int_equal(nd_shcli_closed(&c), ND_SHCLI_EV_CLOSED);
    assert_int_equal(c.ended_in, ND_SHCLI_ST_AUTH);
}

static void test_busy(void **state)
{
    (void)state;
    size_t n;
    const char *line;
    nd_shcli c;
    nd_shcli_init(&c, NULL, NULL);
    assert_int_equal(feed(&c, "Connection is busy. Bye!\n"), ND_SHCLI_EV_BUSY);
    line = nd_shcli_partial(&c, &n);
    assert_int_equal(n, strlen("Connection is busy. Bye!"));
    assert_memory_equal(line, "Connection is busy. Bye!", n);
    assert_int_equal(nd_shcli_closed(&c), ND_SHCLI_EV_BUSY);
    /* without the newline, and cut in two: seen at once, before the close */
    nd_shcli_init(&c, NULL, NULL);
    assert_int_equal(feed(&c, "Connection is"), ND_SHCLI_EV_MORE);
    assert_int_equal(feed(&c, " busy. Bye!"), ND_SHCLI_EV_BUSY);
    /* only in the greeting: a reply may say it */
    sink_buf b;
    ready(&c, &b);
    nd_shcli_sent(&c, ND_SHCLI_SEND_COMMAND);
    assert_int_equal(feed(&c, "Connection is busy\nnode01 $ "), ND_SHCLI_EV_REPLY);
}

static void test_exit_and_closes(void **state)
{
    (void)state;
    nd_shcli c;
    sink_buf b;
    size_t n;
    /* exit: Bye! then the node closes -- the reply is complete */
    ready(&c, &b);
    nd_shcli_sent(&c, ND_SHCLI_SEND_COMMAND);
    assert_int_equal(feed(&c, "Bye!\n"), ND_SHCLI_EV_MORE);
    assert_int_equal(nd_shcli_closed(&c), ND_SHCLI_EV_BYE);
    assert_string_equal(b.text, "Bye!\n");
    /* reboot */
    ready(&c, &b);
    nd_shcli_sent(&c, ND_SHCLI_SEND_COMMAND);
    feed(&c, "Reboot micrOS system.\nBye!\n");
    assert_int_equal(nd_shcli_closed(&c), ND_SHCLI_EV_BYE);
    /* closed mid-reply: the unfinished line stays for the caller to show */
    ready(&c, &b);
    nd_shcli_sent(&c, ND_SHCLI_SEND_COMMAND);
    assert_int_equal(feed(&c, "part one\npart tw"), ND_SHCLI_EV_MORE);
    assert_int_equal(nd_shcli_closed(&c), ND_SHCLI_EV_CLOSED);
    assert_int_equal(c.ended_in, ND_SHCLI_ST_REPLY);
    assert_string_equal(b.text, "part one\n");
    const char *rest = nd_shcli_partial(&c, &n);
    assert_int_equal(n, 7);
    assert_memory_equal(rest, "part tw", 7);
    /* closed before the prompt: with and without bytes */
    nd_shcli_init(&c, NULL, NULL);
    assert_int_equal(nd_shcli_closed(&c), ND_SHCLI_EV_CLOSED);
    assert_int_equal(c.ended_in, ND_SHCLI_ST_GREETING);
    assert_int_equal(c.got, 0);
    nd_shcli_init(&c, NULL, NULL);
    feed(&c, "\x17\xf3xx\n\x01");
    assert_int_equal(nd_shcli_closed(&c), ND_SHCLI_EV_CLOSED);
    assert_int_equal(c.got, 6);
}

static void test_garbage_is_bounded(void **state)
{
    (void)state;
    char junk[1024];
    memset(junk, 'x', sizeof junk);
    nd_shcli c;
    nd_shcli_init(&c, NULL, NULL);
    int ev = ND_SHCLI_EV_MORE;
    size_t fed = 0;
    while (ev == ND_SHCLI_EV_MORE && fed < 100000) {
        ev = nd_shcli_feed(&c, junk, sizeof junk);
        fed += sizeof junk;
    }
    assert_int_equal(ev, ND_SHCLI_EV_GARBAGE);
    assert_true(fed > ND_SHCLI_HEAD_MAX && fed <= ND_SHCLI_HEAD_MAX + sizeof junk);
    /* a greeting with a banner before its prompt is fine */
    nd_shcli_init(&c, NULL, NULL);
    assert_int_equal(feed(&c, "welcome\nto the node\nnode01 $ "), ND_SHCLI_EV_GREETED);
    /* a reply has no such limit: a long one streams through one line of memory */
    sink_buf b;
    ready(&c, &b);
    nd_shcli_sent(&c, ND_SHCLI_SEND_COMMAND);
    for (int i = 0; i < 10; i++) assert_int_equal(nd_shcli_feed(&c, junk, sizeof junk), ND_SHCLI_EV_MORE);
    assert_true(b.n > 10 * sizeof junk - ND_SHCLI_LINE_MAX);
    assert_int_equal(feed(&c, "\nnode01 $ "), ND_SHCLI_EV_REPLY);
    assert_int_equal(b.n, 10 * sizeof junk + 1);
    /* a line longer than any prompt is never one, even if it ends like one */
    ready(&c, &b);
    nd_shcli_sent(&c, ND_SHCLI_SEND_COMMAND);
    char lng[ND_SHCLI_LINE_MAX + 16];
    memset(lng, 'y', sizeof lng);
    memcpy(lng + sizeof lng - 10, " node01 $ ", 10);
    assert_int_equal(nd_shcli_feed(&c, lng, sizeof lng), ND_SHCLI_EV_MORE);
    assert_int_equal(b.n, sizeof lng);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prompt_syntax),
        cmocka_unit_test(test_greeting_and_reply),
        cmocka_unit_test(test_prompts_split_across_reads),
        cmocka_unit_test(test_reply_lines_that_look_like_prompts),
        cmocka_unit_test(test_password_accepted),
        cmocka_unit_test(test_password_refused),
        cmocka_unit_test(test_busy),
        cmocka_unit_test(test_exit_and_closes),
        cmocka_unit_test(test_garbage_is_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
