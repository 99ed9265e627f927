/*
** fuzz_auth.c -- the parsers behind the security decisions, on arbitrary
** input: the icpeers policy (check and lookup), the pre-auth command
** classifier, the password attempt path (rate-limit table included), the
** JSON NUL scanner of POST /config, and secret masking.
**
** Input: the first line is an icpeers value, the second a host, the rest a
** command line / JSON body / log text. Beyond memory safety the target
** checks invariants and aborts when one fails:
**   - a value nd_icpeers_check refuses never yields a password;
**   - a line the classifier lets through before auth is one command with no
**     postfix (no `>>`, `&`, `>json`, `;`, newline);
**   - masking never makes text longer and leaves no copy of the password.
** Seed corpus: tests/fuzz/corpus/auth/.
*/
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "cfg.h"
#include "icpeers.h"
#include "json.h"
#include "node_int.h"
#include "nodus/port.h"

static struct nd_node node;
static int ready;

static void check(int ok)
{
    if (!ok) abort();
}

static const char *line_of(const char **p, const char *e, size_t *n)
{
    const char *s = *p, *nl = memchr(s, '\n', (size_t)(e - s));
    *n = nl ? (size_t)(nl - s) : (size_t)(e - s);
    *p = nl ? nl + 1 : e;
    return s;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (!ready) {
        char dir[] = "/tmp/nd_fuzz_auth_XXXXXX";
        char err[160];
        if (!mkdtemp(dir)) abort();
        if (nd_fs_set_root(dir) != ND_OK) abort();
        if (nd_node_init(&node, NULL, 0, err, sizeof err) != ND_OK) abort();
        ready = 1;
    }
    const char *p = (const char *)data, *e = p + size;
    size_t pn, hn;
    const char *pol = line_of(&p, e, &pn);
    const char *host = line_of(&p, e, &hn);
    char policy[ND_ICPEERS_MAX + 64], h[128], secret[ND_ICPEER_SECRET_MAX + 1];
    snprintf(policy, sizeof policy, "%.*s", (int)(pn < ND_ICPEERS_MAX + 32 ? pn : ND_ICPEERS_MAX + 32), pol);
    snprintf(h, sizeof h, "%.*s", (int)(hn < 100 ? hn : 100), host);
    bool valid = nd_icpeers_check(policy) == NULL;
    int pick = nd_icpeers_pick(policy, h, secret, sizeof secret);
    if (!valid) check(pick == ND_ICPEER_NONE);
    if (pick == ND_ICPEER_SECRET) check(strlen(secret) > 0 && strlen(secret) <= ND_ICPEER_SECRET_MAX);

    size_t rn = (size_t)(e - p);
    int act = nd_auth_classify(&node, p, rn);
    if (act == ND_ACT_LM_CALL || act == ND_ACT_HELLO || act == ND_ACT_MODULES) {
        check(!memchr(p, ';', rn) && !memchr(p, '\n', rn));
        for (size_t i = 0; i + 1 < rn; i++) check(!(p[i] == '>' && p[i + 1] == '>'));
    }
    /* a password attempt from a varying address: the table stays bounded */
    char peer[32];
    snprintf(peer, sizeof peer, "127.0.%u.%u:1", size > 0 ? data[0] : 0, size > 1 ? data[1] : 0);
    int rc = nd_auth_password(&node, peer, p, rn > 64 ? 64 : rn);
    check(rc == ND_AUTH_OK || rc == ND_AUTH_BAD || rc == ND_AUTH_LOCKED);

    bool mark[64] = {false};
    nd_json_nuls(p, rn, mark, 64);

    char *text = malloc(rn + 1);
    if (!text) return 0;
    memcpy(text, p, rn);
    text[rn] = 0;
    size_t m = nd_mask_secrets(&node, text, rn, false);
    check(m <= rn);
    const char *pw = nd_cfg_str(node.cfg, "appwd");
    check(memmem(text, m, pw, strlen(pw)) == NULL);
    free(text);
    return 0;
}
