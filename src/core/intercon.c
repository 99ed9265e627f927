/*
** intercon.c -- the client side of ShellCli: `command >>host`
** (docs/micros-compat.md §5.1-5.2), as a task the loop drives.
**
** A call is a small state machine owned by a core stepped task tagged
** con.<host>.<module>: resolve, connect, then a ShellCli session -- the
** shared client machine (shcli.h) reads the prompt, the auth answer and the
** reply; this file does the I/O, the password policy and the retries.
** Socket readiness moves it forward (loop callbacks); the task's own timer
** is its deadline: every waiting phase re-arms it with the per-phase timeout
** (`intercontout`), and a step that fires while the call still waits is a
** timeout. When the call ends (result or error) it wakes its task at once;
** that last step publishes the output and frees the call. Nothing blocks:
** resolution is nd_resolve_any (off-loop for real names), the connect is
** non-blocking, reads take what the socket has.
**
** Wire exchange, as micrOS's InterConnect.py:
**   resolve -> connect to <ip>:<local socport> -> read until the prompt ->
**   (target given by name: prompt devfid must equal its first label) ->
**   (prompt "[password] ...": send the password `icpeers` names for this
**   host -- the local appwd or a per-peer secret -- or, when it names
**   none, end the call without sending anything; expect AuthOk) ->
**   send the command without newline (>>host removed) -> read until the
**   prompt, "Bye!" or "[configure]" -> strip the prompt, newlines become
**   spaces -> task output. The socket is closed, no `exit`. A failed
**   attempt (no answer, refused, reset, busy, timeout) is retried once
**   after 100 ms; an auth failure or a prompt mismatch is not (it would
**   fail the same way). Names that worked go to the host cache.
**
** Differences from micrOS, all invisible to a micrOS peer: errors are the
** task's output (and its `task list` err) instead of an empty result and a
** `~~~` broadcast, and every phase has a timeout.
**
** The password is the node's key, and the caller picks the host: micrOS
** answers any "[password]" prompt with appwd, so a fake node collects it.
** Here the password is chosen at prompt time for this call's host as the
** caller wrote it (icpeers.h; default: nobody), sent only on the connection
** that showed the prompt, and wiped once sent and whenever the attempt ends.
** The address resolved first is kept for the retry, so a changed name
** resolution (cache, `hosts`, DNS) cannot redirect a call mid-way.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "icpeers.h"
#include "intercon.h"
#include "node_int.h"
#include "nodus/port.h"
#include "resolve.h"
#include "shcli.h"
#include "task.h"

#include "nodus/opts.h" /* the limits; a port may override them */

enum { P_START, P_RESOLVE, P_CONNECT, P_SHELL, P_RETRY, P_DONE };

typedef struct nd_icall {
    struct nd_node *node;
    nd_task *task;
    nd_sock *sock;
    nd_resolve_job *rj;
    int phase, attempt, port;
    uint32_t wait;       /* ms until the task's next step (deadline, retry delay, 0 = now) */
    bool in_step;        /* inside the step: it returns `wait` instead of waking */
    bool by_name;        /* target given by name: check the prompt's devfid */
    bool failed;         /* the result is an error message */
    bool truncated;      /* reply longer than the buffer: middle dropped */
    bool own_secret;     /* the password sent is an icpeers per-peer secret, not appwd */
    bool pinned;         /* ip resolved: a retry dials it again, never a new resolution */
    char host[ND_HOST_NAME_MAX];
    char label[ND_HOST_NAME_MAX]; /* host up to the first dot */
    char ip[ND_IP_TEXT_MAX]; /* dotted IPv4, or IPv6 (a literal target or a name's only address) */
    char msg[ND_ERRMSG];
    char *cmd;           /* forwarded command */
    size_t cmdn, sent;
    const char *pending; /* bytes being sent: cmd or the password */
    size_t pendn;
    char pwd[64];        /* password in flight; zero except while it is being sent */
    nd_shcli sh;         /* this attempt's ShellCli session (P_SHELL) */
    size_t outn;
    char out[ND_IC_IN_MAX + 1]; /* the reply's text */
} nd_icall;

static void on_sock(nd_sock *s, int ev, void *ud);

static uint32_t phase_ms(nd_icall *ic)
{
    int64_t ms = nd_cfg_get_int(ic->node->cfg, ND_K_intercontout);
    return ms < 100 ? 100 : (uint32_t)ms;
}

/* Ask for the task's next step in ms: returned by the step itself, or a
** wake-up from a socket callback. */
static void arm(nd_icall *ic, uint32_t ms)
{
    ic->wait = ms;
    if (!ic->in_step) nd_task_wake(ic->task, ms);
}

/* The password copy lives only while it is sent: no later step, retry or
** freed block holds it. */
static void wipe_pwd(nd_icall *ic)
{
    if (ic->pending == ic->pwd) ic->pending = NULL, ic->pendn = ic->sent = 0;
    nd_wipe(ic->pwd, sizeof ic->pwd);
}

static void release(nd_icall *ic)
{
    wipe_pwd(ic);
    if (ic->rj) nd_resolve_cancel(ic->rj);
    ic->rj = NULL;
    if (ic->sock) nd_net_close(ic->sock);
    ic->sock = NULL;
}

static void drop(void *ud)
{
    nd_icall *ic = ud;
    release(ic); /* wipes the password too */
    free(ic->cmd);
    free(ic);
}

static void begin(nd_icall *ic);

/* End this attempt with an error; retry once when the error is transient. */
static void fail(nd_icall *ic, bool retry, const char *fmt, ...)
{
    release(ic);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ic->msg, sizeof ic->msg, fmt, ap);
    va_end(ap);
    ic->failed = true;
    if (retry && ic->attempt < ND_IC_ATTEMPTS) {
        ic->phase = P_RETRY;
        arm(ic, ND_IC_RETRY_MS);
    } else {
        ic->phase = P_DONE;
        arm(ic, 0);
    }
}

static void succeed(nd_icall *ic)
{
    release(ic);
    ic->failed = false;
    if (ic->by_name) nd_hosts_learn(ic->node, ic->host, ic->ip);
    ic->phase = P_DONE;
    arm(ic, 0);
}

/* Queue bytes (what: ND_SHCLI_SEND_*) and send what the socket takes; the
** rest goes on ND_EV_WRITE. micrOS framing: one write, no newline. */
static void send_text(nd_icall *ic, int what, const char *p, size_t n)
{
    nd_shcli_sent(&ic->sh, what);
    ic->pending = p;
    ic->pendn = n;
    ic->sent = 0;
    long k = nd_net_send(ic->sock, p, n);
    if (k < 0 && k != ND_EAGAIN) {
        fail(ic, true, "[intercon] %s: connection lost while sending", ic->host);
        return;
    }
    if (k > 0) ic->sent = (size_t)k;
    bool more = ic->sent < n;
    if (!more && p == ic->pwd) wipe_pwd(ic);
    nd_net_watch(ic->sock, on_sock, ic, ND_EV_READ | (more ? ND_EV_WRITE : 0));
    arm(ic, phase_ms(ic));
}

/* The reply's text (shcli sink): the head, and once the buffer is full a
** window over the tail, so the end of a long reply is still seen. */
static void on_reply_text(void *ud, const char *p, size_t n)
{
    nd_icall *ic = ud;
    while (n) {
        if (ic->outn == ND_IC_IN_MAX) {
            memmove(ic->out + ND_IC_KEEP, ic->out + ic->outn - ND_IC_TAIL, ND_IC_TAIL);
            ic->outn = ND_IC_KEEP + ND_IC_TAIL;
            ic->truncated = true;
        }
        size_t k = ND_IC_IN_MAX - ic->outn < n ? ND_IC_IN_MAX - ic->outn : n;
        memcpy(ic->out + ic->outn, p, k);
        ic->outn += k;
        p += k;
        n -= k;
    }
}

static void got_prompt(nd_icall *ic, bool pwd)
{
    const char *dev = ic->sh.devfid;
    if (ic->by_name && strcmp(dev, ic->label) != 0) {
        nd_log(ic->node, "[WARN] [intercon] prompt mismatch, hostname: %s prompt: %s", ic->host, dev);
        fail(ic, false, "[intercon] prompt mismatch, hostname: %s prompt: %s $", ic->host, dev);
        return;
    }
    if (pwd) {
        /* looked up now, for this host: a policy change applies to the next
        ** prompt, and nothing chosen for another call can reach this socket */
        int how = nd_icpeers_pick(nd_cfg_get_str(ic->node->cfg, ND_K_icpeers), ic->host, ic->pwd,
                                  sizeof ic->pwd);
        if (how == ND_ICPEER_NONE) {
            nd_log(ic->node, "[WARN] [intercon] %s: asks for a password; not sent (%s is not in icpeers)",
                   ic->host, ic->host);
            fail(ic, false, "[intercon] %s: asks for a password; not sent (%s is not in icpeers)",
                 ic->host, ic->host);
            return;
        }
        if (how == ND_ICPEER_APPWD)
            snprintf(ic->pwd, sizeof ic->pwd, "%s", nd_cfg_get_str(ic->node->cfg, ND_K_appwd));
        ic->own_secret = how == ND_ICPEER_SECRET;
        send_text(ic, ND_SHCLI_SEND_PASSWORD, ic->pwd, strlen(ic->pwd));
        return;
    }
    send_text(ic, ND_SHCLI_SEND_COMMAND, ic->cmd, ic->cmdn);
}

/* What the session said (shcli event) moves the call on. */
static void on_event(nd_icall *ic, int ev)
{
    const nd_shcli *sh = &ic->sh;
    switch (ev) {
    case ND_SHCLI_EV_GREETED:
    case ND_SHCLI_EV_ASKS_PASSWORD:
        got_prompt(ic, ev == ND_SHCLI_EV_ASKS_PASSWORD);
        return;
    case ND_SHCLI_EV_AUTH_OK:
        send_text(ic, ND_SHCLI_SEND_COMMAND, ic->cmd, ic->cmdn);
        return;
    case ND_SHCLI_EV_REPLY:
    case ND_SHCLI_EV_BYE: /* closed after Bye! (exit, reboot): the reply is complete */
        for (size_t i = 0; i < ic->outn; i++) /* newlines become spaces (micrOS) */
            if (ic->out[i] == '\n' || ic->out[i] == '\r') ic->out[i] = ' ';
        succeed(ic);
        return;
    case ND_SHCLI_EV_BUSY:
        fail(ic, true, "[intercon] %s: Connection is busy", ic->host);
        return;
    case ND_SHCLI_EV_AUTH_FAILED: {
        const char *what = ic->own_secret ? "icpeers secret" : "local appwd";
        nd_log(ic->node, "[WARN] [intercon] %s: authentication failed (%s differs)", ic->host,
               ic->own_secret ? "icpeers secret" : "appwd");
        fail(ic, false, "[intercon] %s: AuthFailed (the %s is not the target's)", ic->host, what);
        return;
    }
    case ND_SHCLI_EV_GARBAGE:
        if (sh->ended_in == ND_SHCLI_ST_AUTH)
            fail(ic, false, "[intercon] %s: garbage answer to the password", ic->host);
        else
            fail(ic, false, "[intercon] %s: no ShellCli prompt (garbage answer)", ic->host);
        return;
    default: /* closed */
        if (sh->ended_in == ND_SHCLI_ST_AUTH)
            fail(ic, false, "[intercon] %s: AuthFailed (connection closed)", ic->host);
        else if (sh->ended_in == ND_SHCLI_ST_GREETING && sh->got)
            fail(ic, true, "[intercon] %s: closed without a ShellCli prompt (garbage answer)",
                 ic->host);
        else
            fail(ic, true, "[intercon] %s: connection closed %s", ic->host,
                 sh->ended_in == ND_SHCLI_ST_REPLY ? "before the reply ended" : "before the prompt");
        return;
    }
}

static void on_sock(nd_sock *s, int ev, void *ud)
{
    nd_icall *ic = ud;
    (void)s;
    if (ic->phase == P_CONNECT) {
        int e = nd_net_error(ic->sock);
        if (e) {
            fail(ic, true, "[intercon] %s (%s:%d): %s", ic->host, ic->ip, ic->port,
                 e == ND_ECLOSED ? "Connection refused" : nd_strerror(e));
            return;
        }
        if (!(ev & ND_EV_WRITE)) return;
        ic->phase = P_SHELL;
        nd_shcli_init(&ic->sh, on_reply_text, ic);
        nd_net_watch(ic->sock, on_sock, ic, ND_EV_READ);
        arm(ic, phase_ms(ic));
        return;
    }
    if ((ev & ND_EV_WRITE) && ic->sent < ic->pendn) {
        long k = nd_net_send(ic->sock, ic->pending + ic->sent, ic->pendn - ic->sent);
        if (k < 0 && k != ND_EAGAIN) {
            fail(ic, true, "[intercon] %s: connection lost while sending", ic->host);
            return;
        }
        if (k > 0) ic->sent += (size_t)k;
        if (ic->sent >= ic->pendn) {
            if (ic->pending == ic->pwd) wipe_pwd(ic);
            nd_net_watch(ic->sock, on_sock, ic, ND_EV_READ);
        }
    }
    if (!(ev & ND_EV_READ)) return;
    char buf[1024];
    for (int i = 0; i < ND_IC_READS; i++) {
        long k = nd_net_recv(ic->sock, buf, sizeof buf);
        if (k == ND_EAGAIN) return;
        /* an error reads as a close: the session machine says what it means */
        int r = k > 0 ? nd_shcli_feed(&ic->sh, buf, (size_t)k) : nd_shcli_closed(&ic->sh);
        if (r != ND_SHCLI_EV_MORE) {
            on_event(ic, r);
            return;
        }
    }
}

static void connect_ip(nd_icall *ic)
{
    ic->pinned = true; /* only ever called with a resolved address */
    ic->phase = P_CONNECT;
    int rc = nd_net_connect(ic->ip, ic->port, on_sock, ic, &ic->sock);
    if (rc != ND_OK) {
        ic->sock = NULL;
        fail(ic, rc != ND_EINVAL, "[intercon] %s (%s:%d): %s", ic->host, ic->ip, ic->port,
             rc == ND_ECLOSED ? "Connection refused" : nd_strerror(rc));
        return;
    }
    arm(ic, phase_ms(ic));
}

static void on_resolved(void *ud, int rc, const char *ip)
{
    nd_icall *ic = ud;
    ic->rj = NULL;
    if (rc != ND_OK) {
        nd_log(ic->node, "[WARN] [intercon] NoHost: %s (%s)", ic->host, nd_strerror(rc));
        fail(ic, rc != ND_ENOTFOUND, "[intercon] NoHost: %s (%s)", ic->host,
             rc == ND_ENOTFOUND ? "name not found" : nd_strerror(rc));
        return;
    }
    snprintf(ic->ip, sizeof ic->ip, "%s", ip);
    connect_ip(ic);
}

static void begin(nd_icall *ic)
{
    ic->attempt++;
    ic->outn = 0;
    ic->truncated = false;
    ic->failed = false;
    ic->own_secret = false;
    if (ic->pinned) { /* resolved on the first attempt: the retry goes to the same address */
        connect_ip(ic);
        return;
    }
    ic->phase = P_RESOLVE;
    /* IPv6 literals answer at once; a name with only an IPv6 address is
    ** dialled over IPv6 (IPv4 preferred: micrOS peers are IPv4) */
    int rc = nd_resolve_any(ic->node, ic->host, ic->ip, on_resolved, ic, &ic->rj);
    if (rc == ND_OK) {
        connect_ip(ic);
    } else if (rc == ND_EAGAIN) {
        arm(ic, phase_ms(ic));
    } else {
        ic->rj = NULL;
        nd_log(ic->node, "[WARN] [intercon] NoHost: %s (%s)", ic->host, nd_strerror(rc));
        fail(ic, rc == ND_ELIMIT, "[intercon] NoHost: %s (%s)", ic->host, nd_strerror(rc));
    }
}

static const char *phase_name(const nd_icall *ic)
{
    if (ic->phase == P_RESOLVE) return "resolving the name";
    if (ic->phase == P_CONNECT) return "connecting";
    if (ic->sh.state == ND_SHCLI_ST_GREETING) return "waiting for the prompt";
    if (ic->sh.state == ND_SHCLI_ST_AUTH) return "waiting for AuthOk";
    return "waiting for the reply";
}

static int32_t step(nd_task *t, void *ud)
{
    nd_icall *ic = ud;
    (void)t;
    ic->in_step = true;
    switch (ic->phase) {
    case P_START:
    case P_RETRY:
        begin(ic);
        break;
    case P_DONE:
        break;
    default: /* the deadline of a waiting phase passed */
        fail(ic, true, "[intercon] %s: timeout %s (%u ms)", ic->host, phase_name(ic),
             (unsigned)phase_ms(ic));
        break;
    }
    ic->in_step = false;
    if (ic->phase != P_DONE) return (int32_t)ic->wait;
    /* publish the result and let the task finish */
    if (ic->failed) {
        /* micrOS broadcasts these two to every shell session as well
        ** (`~~~ [intercon] NoHost: ...`, `... prompt mismatch, ...`) */
        if (!strncmp(ic->msg, "[intercon] NoHost: ", 19) ||
            !strncmp(ic->msg, "[intercon] prompt mismatch, ", 28))
            nd_shell_broadcast(ic->node, ic->msg, strlen(ic->msg));
        nd_task_fail(ic->task, "%s", ic->msg);
    } else {
        ic->out[ic->outn] = 0;
        nd_task_printf(ic->task, "%s%s", ic->out, ic->truncated ? " [reply truncated]" : "");
    }
    drop(ic);
    return ND_TASK_DONE;
}

int nd_intercon_start(struct nd_node *n, const nd_cmd *c, bool json, nd_buf *out)
{
    nd_span h = c->host;
    if (h.n >= ND_HOST_NAME_MAX) {
        nd_buf_printf(out, "Invalid InterCon host: %.*s... (at most %d characters)\n", 32, h.p,
                      ND_HOST_NAME_MAX - 1);
        return ND_X_FAIL;
    }
    if (c->local.n > ND_IC_CMD_MAX) {
        nd_buf_printf(out, "InterCon command too long (%zu bytes, max %d)\n", c->local.n, ND_IC_CMD_MAX);
        return ND_X_FAIL;
    }
    nd_icall *ic = calloc(1, sizeof *ic);
    char *cmd = malloc(c->local.n + 1);
    if (!ic || !cmd) {
        free(ic);
        free(cmd);
        nd_buf_puts(out, "InterCon: memory allocation failed\n");
        return ND_X_FAIL;
    }
    memcpy(cmd, c->local.p, c->local.n);
    cmd[c->local.n] = 0;
    ic->node = n;
    ic->cmd = cmd;
    ic->cmdn = c->local.n;
    memcpy(ic->host, h.p, h.n);
    ic->host[h.n] = 0;
    char v6[ND_IP_TEXT_MAX];
    bool is_v6 = nd_ipv6_literal(ic->host, v6, sizeof v6);
    ic->by_name = !nd_ipv4_literal(ic->host) && !is_v6;
    size_t lab = strcspn(ic->host, ".");
    memcpy(ic->label, ic->host, lab);
    ic->label[lab] = 0;
    /* micrOS: the local port is the target's */
    int64_t port = nd_cfg_get_int(n->cfg, ND_K_socport);
    ic->port = port > 0 ? (int)port : 9008;

    /* tag: con.<last two octets | first label>.<module> (micrOS) */
    char who[ND_HOST_NAME_MAX];
    if (ic->by_name) {
        snprintf(who, sizeof who, "%s", ic->label);
    } else if (is_v6) { /* the last group: con.1.system for ::1 */
        const char *last = strrchr(v6, ':');
        snprintf(who, sizeof who, "%s", last[1] ? last + 1 : "0");
    } else {
        const char *p = ic->host, *dots[3] = {0};
        int k = 0;
        for (const char *q = p; *q; q++)
            if (*q == '.' && k < 3) dots[k++] = q;
        snprintf(who, sizeof who, "%s", dots[1] ? dots[1] + 1 : p);
    }
    char tag[ND_TASK_TAG_MAX];
    snprintf(tag, sizeof tag, "con.%.24s.%.*s", who, (int)(c->w0.n > 30 ? 30 : c->w0.n), c->w0.p);
    int x = ND_X_FAIL;
    ic->in_step = true; /* not running yet: no wake-ups before the task exists */
    nd_task *t = nd_task_open(n, tag, step, ic, drop, 0, json, out, &x);
    if (!t) {
        drop(ic);
        return x;
    }
    ic->task = t;
    ic->in_step = false;
    return x;
}
