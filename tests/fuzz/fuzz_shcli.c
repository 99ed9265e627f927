/*
** fuzz_shcli.c -- libFuzzer target for the ShellCli client machine
** (src/core/shcli.c): what a hostile or broken node may send to InterCon
** or the CLI.
**
** Input: chunks, each a control byte then its bytes. Control 0xff: the node
** closes. Otherwise the low 7 bits are the chunk's length (what TCP
** delivered in one read) and the top bit also tries a send the session does
** not wait for, which must be refused without changing anything. The
** target answers like a client: a password when asked, a command when
** ready. End of input closes.
** Invariants (abort on failure): events match the state they leave; after
** the greeting the devfid is a one-word name the prompt repeats; the held
** line stays within ND_SHCLI_LINE_MAX; the sink is only called while a reply
** is read; and nothing is lost or invented -- a reply's bytes are exactly
** its text plus its prompt (or plus the unfinished line when it ends some
** other way); a greeting or an auth answer over ND_SHCLI_HEAD_MAX without a
** prompt ends as garbage.
** Seed corpus: tests/fuzz/corpus/shcli/ (micrOS and nodus streams: plain,
** password accepted and refused, busy, exit, conf mode, prompts split).
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nodus/value.h"
#include "shcli.h"

static void check(int ok)
{
    if (!ok) abort();
}

static size_t sunk;

static void sink(void *ud, const char *p, size_t n)
{
    const nd_shcli *c = ud;
    check(c->state == ND_SHCLI_ST_REPLY || c->state == ND_SHCLI_ST_READY);
    check(n > 0 && p != NULL);
    sunk += n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static nd_shcli c;
    nd_shcli_init(&c, sink, &c);
    sunk = 0;
    size_t in_reply = 0; /* bytes fed since the command went */
    int ev = ND_SHCLI_EV_MORE;
    size_t i = 0;
    while (c.state != ND_SHCLI_ST_OVER) {
        int before = c.state;
        size_t n = 0;
        if (i >= size || data[i] == 0xff) {
            ev = nd_shcli_closed(&c);
            i++;
        } else {
            uint8_t ctl = data[i++];
            n = ctl & 0x7f;
            if (n > size - i) n = size - i;
            if (ctl & 0x80) { /* out of turn (it waits for the node): refused, nothing changes */
                check(nd_shcli_sent(&c, ND_SHCLI_SEND_PASSWORD) == ND_EINVAL);
                check(nd_shcli_sent(&c, ND_SHCLI_SEND_COMMAND) == ND_EINVAL);
                check(c.state == before);
            }
            if (before == ND_SHCLI_ST_REPLY) in_reply += n;
            size_t got = c.got;
            ev = nd_shcli_feed(&c, (const char *)data + i, n);
            i += n;
            if (ev == ND_SHCLI_EV_MORE && (before == ND_SHCLI_ST_GREETING || before == ND_SHCLI_ST_AUTH))
                check(c.got == got + n && c.got <= ND_SHCLI_HEAD_MAX);
        }
        check(c.linen <= ND_SHCLI_LINE_MAX);
        size_t pn;
        (void)nd_shcli_partial(&c, &pn);
        check(pn <= ND_SHCLI_LINE_MAX);
        switch (ev) {
        case ND_SHCLI_EV_MORE:
            check(c.state == before);
            break;
        case ND_SHCLI_EV_GREETED:
        case ND_SHCLI_EV_ASKS_PASSWORD:
        case ND_SHCLI_EV_AUTH_OK:
        case ND_SHCLI_EV_REPLY: {
            char fid[ND_SHCLI_FID_MAX];
            bool pwd, conf;
            check(c.state == (ev == ND_SHCLI_EV_ASKS_PASSWORD ? ND_SHCLI_ST_PASSWORD : ND_SHCLI_ST_READY));
            check(before == (ev == ND_SHCLI_EV_GREETED || ev == ND_SHCLI_EV_ASKS_PASSWORD
                                 ? ND_SHCLI_ST_GREETING
                                 : ev == ND_SHCLI_EV_AUTH_OK ? ND_SHCLI_ST_AUTH : ND_SHCLI_ST_REPLY));
            check(c.devfid[0] && strlen(c.devfid) < ND_SHCLI_FID_MAX);
            check(nd_shcli_prompt(c.prompt, strlen(c.prompt), c.devfid, fid, sizeof fid, &pwd, &conf));
            check(!strcmp(fid, c.devfid) && pwd == c.asks_password && conf == c.configure);
            check(!strchr(c.prompt, '\n') && c.linen == 0 && c.got == 0);
            if (ev == ND_SHCLI_EV_REPLY) check(sunk + strlen(c.prompt) == in_reply);
            /* answer as a client does */
            if (ev == ND_SHCLI_EV_ASKS_PASSWORD) {
                check(nd_shcli_sent(&c, ND_SHCLI_SEND_PASSWORD) == ND_OK);
                check(c.state == ND_SHCLI_ST_AUTH);
            } else {
                check(nd_shcli_sent(&c, ND_SHCLI_SEND_COMMAND) == ND_OK);
                check(c.state == ND_SHCLI_ST_REPLY);
                sunk = 0;
                in_reply = 0;
            }
            break;
        }
        case ND_SHCLI_EV_BYE:
        case ND_SHCLI_EV_CLOSED:
            check(c.state == ND_SHCLI_ST_OVER && c.outcome == ev && c.ended_in == before);
            check(ev == ND_SHCLI_EV_CLOSED || before == ND_SHCLI_ST_REPLY);
            if (before == ND_SHCLI_ST_REPLY) check(sunk + pn == in_reply);
            break;
        case ND_SHCLI_EV_BUSY:
        case ND_SHCLI_EV_AUTH_FAILED:
        case ND_SHCLI_EV_GARBAGE:
            check(c.state == ND_SHCLI_ST_OVER && c.outcome == ev && c.ended_in == before);
            check(ev != ND_SHCLI_EV_BUSY || before == ND_SHCLI_ST_GREETING);
            check(ev != ND_SHCLI_EV_AUTH_FAILED || before == ND_SHCLI_ST_AUTH);
            check(ev != ND_SHCLI_EV_GARBAGE ||
                  (before != ND_SHCLI_ST_REPLY && c.got > ND_SHCLI_HEAD_MAX));
            break;
        default:
            abort();
        }
    }
    /* over is final */
    check(nd_shcli_feed(&c, "node01 $ ", 9) == c.outcome);
    check(nd_shcli_closed(&c) == c.outcome);
    return 0;
}
