/*
** shcli.c -- the ShellCli client state machine (shcli.h).
**
** Bytes are cut into lines as they arrive. A complete line (or one too long
** to be a prompt) is reply text: it goes to the sink while a reply is read,
** and is only looked at for markers before that. The unfinished last line is
** held: only once everything received so far has been taken can it be the
** prompt, because the prompt is the last thing a node sends -- the same test
** every ShellCli client makes ("the buffer ends with the prompt").
*/
#include <string.h>

#include "nodus/value.h"
#include "shcli.h"

static bool starts(const char *s, size_t n, const char *lit)
{
    size_t k = strlen(lit);
    return n >= k && !memcmp(s, lit, k);
}

/* A byte of a one-word devfid: no blank, no control byte, no bracket. */
static bool word_byte(char c)
{
    unsigned char ch = (unsigned char)c;
    return ch > ' ' && ch != 0x7f && ch != '[' && ch != ']';
}

bool nd_shcli_prompt(const char *s, size_t n, const char *devfid, char *fid, size_t fidn,
                     bool *pwd, bool *conf)
{
    bool p = false, cf = false;
    if (n < 4 || memcmp(s + n - 3, " $ ", 3) != 0) return false;
    size_t i = 0, end = n - 3;
    while (i < end && s[i] == '[') { /* prefixes: "[word] " */
        size_t j = i + 1;
        while (j < end && word_byte(s[j])) j++;
        if (j == i + 1 || j + 1 >= end || s[j] != ']' || s[j + 1] != ' ') return false;
        size_t w = j + 1 - i;
        if (w == 10 && !memcmp(s + i, "[password]", 10)) p = true;
        if (w == 11 && !memcmp(s + i, "[configure]", 11)) cf = true;
        i = j + 2;
    }
    if (i >= end || end - i >= ND_SHCLI_FID_MAX) return false;
    for (size_t k = i; k < end; k++) /* the devfid: one word */
        if (!word_byte(s[k])) return false;
    if (devfid && *devfid && (strlen(devfid) != end - i || memcmp(devfid, s + i, end - i) != 0))
        return false;
    if (fid) {
        if (fidn <= end - i) return false;
        memcpy(fid, s + i, end - i);
        fid[end - i] = 0;
    }
    if (pwd) *pwd = p;
    if (conf) *conf = cf;
    return true;
}

void nd_shcli_init(nd_shcli *c, nd_shcli_sink sink, void *ud)
{
    memset(c, 0, sizeof *c);
    c->state = ND_SHCLI_ST_GREETING;
    c->outcome = ND_SHCLI_EV_MORE;
    c->sink = sink;
    c->ud = ud;
}

static int end_session(nd_shcli *c, int ev)
{
    c->ended_in = c->state;
    c->state = ND_SHCLI_ST_OVER;
    c->outcome = ev;
    return ev;
}

/* Reply text: the caller's while it reads a reply (READY: bytes that came
** before the command was sent belong to its reply, as on the wire). */
static void emit(nd_shcli *c, const char *p, size_t n)
{
    if (n && c->sink && (c->state == ND_SHCLI_ST_REPLY || c->state == ND_SHCLI_ST_READY))
        c->sink(c->ud, p, n);
}

/* The markers a line starts with; may end the session. */
static int marks(nd_shcli *c, const char *s, size_t n)
{
    switch (c->state) {
    case ND_SHCLI_ST_GREETING:
        if (starts(s, n, "Connection is busy")) return end_session(c, ND_SHCLI_EV_BUSY);
        break;
    case ND_SHCLI_ST_AUTH:
        /* micrOS: "AuthFailed\nBye!\n[password] <devfid> $ Bye!\n", then it closes */
        if (starts(s, n, "AuthFailed") || starts(s, n, "Bye!"))
            return end_session(c, ND_SHCLI_EV_AUTH_FAILED);
        if (starts(s, n, "AuthOk")) c->auth_ok = true;
        break;
    case ND_SHCLI_ST_REPLY:
        /* a node that closes after these ended the reply on purpose */
        if (starts(s, n, "Bye!") || starts(s, n, "[configure]")) c->bye = true;
        break;
    }
    return ND_SHCLI_EV_MORE;
}

/* One piece of input: k bytes ending with '\n' (complete) or not. */
static int take(nd_shcli *c, const char *p, size_t k, bool complete)
{
    if (!c->spill) {
        size_t body = k - (complete ? 1 : 0);
        size_t room = ND_SHCLI_LINE_MAX - c->linen, m = body < room ? body : room;
        memcpy(c->line + c->linen, p, m);
        c->linen += m;
        p += m;
        k -= m;
        body -= m;
        if (!complete && !body) return ND_SHCLI_EV_MORE; /* the line goes on */
        /* a whole line, or one too long to be a prompt: reply text */
        int ev = marks(c, c->line, c->linen);
        if (ev != ND_SHCLI_EV_MORE) return ev;
        emit(c, c->line, c->linen);
        c->linen = 0;
    }
    emit(c, p, k);
    c->spill = !complete;
    return ND_SHCLI_EV_MORE;
}

/* The held line is the last thing received: is it the prompt? */
static int prompt(nd_shcli *c)
{
    char fid[ND_SHCLI_FID_MAX];
    bool pwd = false, conf = false;
    int st = c->state;
    if (!nd_shcli_prompt(c->line, c->linen, st == ND_SHCLI_ST_GREETING ? NULL : c->devfid, fid,
                         sizeof fid, &pwd, &conf))
        return ND_SHCLI_EV_MORE;
    memcpy(c->prompt, c->line, c->linen);
    c->prompt[c->linen] = 0;
    c->asks_password = pwd;
    c->configure = conf;
    c->linen = 0;
    c->got = 0;
    if (st == ND_SHCLI_ST_GREETING) {
        memcpy(c->devfid, fid, sizeof fid);
        c->state = pwd ? ND_SHCLI_ST_PASSWORD : ND_SHCLI_ST_READY;
        return pwd ? ND_SHCLI_EV_ASKS_PASSWORD : ND_SHCLI_EV_GREETED;
    }
    if (st == ND_SHCLI_ST_AUTH && !c->auth_ok) /* asked again: the password was not taken */
        return end_session(c, ND_SHCLI_EV_AUTH_FAILED);
    c->state = ND_SHCLI_ST_READY;
    return st == ND_SHCLI_ST_AUTH ? ND_SHCLI_EV_AUTH_OK : ND_SHCLI_EV_REPLY;
}

int nd_shcli_feed(nd_shcli *c, const char *p, size_t n)
{
    if (c->state == ND_SHCLI_ST_OVER) return c->outcome;
    while (n) {
        const char *nl = memchr(p, '\n', n);
        size_t k = nl ? (size_t)(nl - p) + 1 : n;
        c->got += k;
        int ev = take(c, p, k, nl != NULL);
        if (ev != ND_SHCLI_EV_MORE) return ev;
        p += k;
        n -= k;
    }
    int st = c->state;
    if (st != ND_SHCLI_ST_GREETING && st != ND_SHCLI_ST_AUTH && st != ND_SHCLI_ST_REPLY)
        return ND_SHCLI_EV_MORE; /* the caller owes a send: no prompt is due */
    if (!c->spill && c->linen) {
        int ev = marks(c, c->line, c->linen); /* "Connection is busy" may come without \n */
        if (ev == ND_SHCLI_EV_MORE) ev = prompt(c);
        if (ev != ND_SHCLI_EV_MORE) return ev;
    }
    if (st != ND_SHCLI_ST_REPLY && c->state == st && c->got > ND_SHCLI_HEAD_MAX)
        return end_session(c, ND_SHCLI_EV_GARBAGE);
    return ND_SHCLI_EV_MORE;
}

int nd_shcli_closed(nd_shcli *c)
{
    if (c->state == ND_SHCLI_ST_OVER) return c->outcome;
    if (!c->spill && c->linen) {
        int ev = marks(c, c->line, c->linen);
        if (ev != ND_SHCLI_EV_MORE) return ev;
    }
    return end_session(c, c->state == ND_SHCLI_ST_REPLY && c->bye ? ND_SHCLI_EV_BYE
                                                                  : ND_SHCLI_EV_CLOSED);
}

int nd_shcli_sent(nd_shcli *c, int what)
{
    if (what == ND_SHCLI_SEND_PASSWORD && c->state == ND_SHCLI_ST_PASSWORD) {
        c->state = ND_SHCLI_ST_AUTH;
        c->auth_ok = false;
    } else if (what == ND_SHCLI_SEND_COMMAND && c->state == ND_SHCLI_ST_READY) {
        c->state = ND_SHCLI_ST_REPLY;
        c->bye = false;
    } else {
        return ND_EINVAL;
    }
    c->got = 0;
    return ND_OK;
}

const char *nd_shcli_partial(const nd_shcli *c, size_t *n)
{
    *n = c->spill ? 0 : c->linen;
    return c->line;
}
