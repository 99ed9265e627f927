/*
** shell.c -- the ShellCli door: micrOS's TCP shell, byte for byte
** (micros-compat.md section 2).
**
** Framing. micrOS treats each read() as one command, and its clients send a
** command with no newline; telnet users end lines with \n or \r\n. We accept
** both: every complete line is a command. Bytes without a newline are a
** command too when they came alone in a read that did not fill the buffer
** (a micrOS client's command: run at once). When they trail newline-framed
** commands they are more likely the first half of a line cut by TCP, so they
** wait for the rest -- for at most ND_TAIL_MS, then they run as they are.
** Several newline-separated commands in one segment run one after another,
** each answered with its reply and a prompt.
**
** Slots. Active sessions share max(1, aioqueue) slots. A newcomer finding
** them full waits (polled every 100 ms, up to 5 s) for a slot to free or for
** an active session idle for more than soctout seconds, which is evicted;
** otherwise it gets "Connection is busy. Bye!". The waiting room itself is
** bounded: past ND_WAIT_MAX the busy message is immediate.
**
** Back-pressure. A client that does not read its replies stops being read
** (its output above ND_OUT_HIGH): a session's memory is bounded and nothing
** it sent is lost.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node_int.h"
#include "nodus/port.h"
#include "web.h"

#define ND_LINE_MAX 4096           /* longest command line, bytes */
#define ND_OUT_HIGH (64 * 1024)    /* stop reading above this much unsent output */
#define ND_OUT_MAX (ND_OUT_HIGH + ND_REPLY_MAX + 4096)
#define ND_WAIT_MAX 64             /* newcomers waiting for a slot */
#define ND_WAIT_MS 5000            /* how long a newcomer waits (micrOS: 5 s) */
#define ND_TICK_MS 100             /* waiting-room poll period (micrOS: 100 ms) */
#define ND_SESSIONS_MAX 256        /* hard cap on slots, whatever aioqueue says */
#define ND_TAIL_MS 100             /* wait for the rest of an unterminated line */

typedef struct nd_sess nd_sess;
struct nd_sess {
    struct nd_shell *sh;
    nd_sock *sock;
    nd_sess *next;
    nd_ctx ctx;
    bool authed;
    bool waiting;   /* not admitted yet */
    bool closing;   /* flush the output, then close */
    bool discard;   /* dropping the rest of an over-long line */
    bool tail_cmd;  /* the last read was short: unterminated bytes are a command */
    uint64_t since; /* waiting since, or start of the last read (mono ms) */
    nd_timer tail_timer; /* runs an unterminated tail that got no rest */
    char devfid[40];
    nd_buf out;
    size_t inn;
    char in[ND_LINE_MAX];
};

struct nd_shell {
    struct nd_node *node;
    nd_sock *ls;
    nd_sess *active, *waiting;
    int nactive, nwaiting;
    nd_timer tick;
};

static void sess_event(nd_sock *s, int ev, void *ud);
static void process(nd_sess *s);
static void tail_fn(nd_timer *t, void *ud);

/* Shell sessions and web clients share max(1, aioqueue) slots (micrOS 2.10):
** what the web door holds is not available to the shell. */
static int slots(struct nd_shell *sh)
{
    int64_t q = nd_cfg_int(sh->node->cfg, "aioqueue");
    if (q < 1) q = 1;
    if (q > ND_SESSIONS_MAX) q = ND_SESSIONS_MAX;
    q -= sh->node->web_active;
    return q < 0 ? 0 : (int)q;
}

static void unlink_sess(nd_sess **head, nd_sess *s)
{
    for (nd_sess **pp = head; *pp; pp = &(*pp)->next)
        if (*pp == s) {
            *pp = s->next;
            return;
        }
}

static void arm_tick(struct nd_shell *sh, uint64_t delay);

static void sess_free(nd_sess *s)
{
    struct nd_shell *sh = s->sh;
    if (s->waiting) {
        unlink_sess(&sh->waiting, s);
        sh->nwaiting--;
    } else {
        unlink_sess(&sh->active, s);
        sh->nactive--;
        if (sh->nwaiting) arm_tick(sh, 0); /* a slot freed: admit a waiter now */
    }
    nd_timer_disarm(&sh->node->timers, &s->tail_timer);
    nd_net_close(s->sock);
    nd_buf_free(&s->out);
    free(s);
}

static void update_watch(nd_sess *s)
{
    int ev = 0;
    if (s->out.n) ev |= ND_EV_WRITE;
    if (!s->closing && s->out.n <= ND_OUT_HIGH && s->inn < ND_LINE_MAX) ev |= ND_EV_READ;
    nd_net_watch(s->sock, sess_event, s, ev);
}

/* Send what we can; returns false when the session was freed. */
static bool flush(nd_sess *s)
{
    while (s->out.n) {
        long r = nd_net_send(s->sock, s->out.p, s->out.n);
        if (r == ND_EAGAIN) break;
        if (r < 0) {
            sess_free(s);
            return false;
        }
        nd_buf_consume(&s->out, (size_t)r);
    }
    if (s->closing && !s->out.n) {
        sess_free(s);
        return false;
    }
    update_watch(s);
    return true;
}

static void put_prompt(nd_sess *s)
{
    bool auth = nd_cfg_bool(s->sh->node->cfg, "auth");
    nd_buf_printf(&s->out, "%s%s%s $ ", auth && !s->authed ? "[password] " : "",
                  s->ctx.conf_mode ? "[configure] " : "", s->devfid);
}

static void admit(nd_sess *s)
{
    struct nd_shell *sh = s->sh;
    if (s->waiting) {
        unlink_sess(&sh->waiting, s);
        sh->nwaiting--;
    }
    s->waiting = false;
    s->next = sh->active;
    sh->active = s;
    sh->nactive++;
    s->since = nd_port_mono_ms();
    /* devfid is cached per session, as micrOS does */
    snprintf(s->devfid, sizeof s->devfid, "%s", nd_cfg_str(sh->node->cfg, "devfid"));
    put_prompt(s);
    if (flush(s) && s->inn) process(s); /* commands sent while waiting */
}

static void busy(nd_sess *s)
{
    nd_buf_puts(&s->out, "Connection is busy. Bye!\n");
    s->closing = true;
    flush(s);
}

static void tick_fn(nd_timer *t, void *ud)
{
    struct nd_shell *sh = ud;
    uint64_t now = nd_port_mono_ms();
    int64_t idle_ms = nd_cfg_int(sh->node->cfg, "soctout");
    if (idle_ms < 5) idle_ms = 5;
    idle_ms *= 1000;
    while (sh->waiting) {
        /* oldest waiter first: the list is kept in arrival order */
        nd_sess *w = sh->waiting;
        /* an idle HTTP keep-alive connection gives its slot up first */
        if (sh->nactive >= slots(sh)) nd_web_release_idle(sh->node);
        if (sh->nactive >= slots(sh)) {
            nd_sess *victim = NULL;
            for (nd_sess *a = sh->active; a; a = a->next)
                if (!a->closing && now - a->since > (uint64_t)idle_ms) victim = a;
            if (victim) sess_free(victim);
        }
        if (sh->nactive < slots(sh)) {
            admit(w);
            continue;
        }
        break;
    }
    /* newcomers that waited too long get the busy message */
    for (nd_sess *w = sh->waiting, *nx; w; w = nx) {
        nx = w->next;
        if (now - w->since >= ND_WAIT_MS && !w->closing) busy(w);
    }
    if (sh->nwaiting) arm_tick(sh, ND_TICK_MS);
    (void)t;
}

static void arm_tick(struct nd_shell *sh, uint64_t delay)
{
    uint64_t due = nd_port_mono_ms() + delay;
    if (nd_timer_armed(&sh->tick) && sh->tick.due <= due) return;
    nd_timer_arm(&sh->node->timers, &sh->tick, due, tick_fn, sh);
}

/* Constant-time comparison: the time taken does not depend on where the
** guess differs from the password. */
static bool pw_equal(const char *a, size_t an, const char *b)
{
    size_t bn = strlen(b);
    unsigned diff = (unsigned)(an ^ bn);
    for (size_t i = 0; i < an; i++) diff |= (unsigned char)a[i] ^ (unsigned char)b[bn ? i % bn : 0];
    return diff == 0;
}

static bool text_ok(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)p[i];
        if ((ch < 0x20 && ch != '\t' && ch != '\r') || ch == 0x7f) return false;
    }
    return nd_utf8_valid(p, n);
}

static void handle_line(nd_sess *s, const char *line, size_t n)
{
    struct nd_node *node = s->sh->node;
    while (n && (line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t')) n--;
    while (n && (line[0] == ' ' || line[0] == '\t' || line[0] == '\r')) line++, n--;
    if (!text_ok(line, n)) {
        nd_buf_puts(&s->out, "Shell: invalid input (not UTF-8 text), ignored\n");
        put_prompt(s);
        return;
    }
    if (n == 0 || (n == 4 && memcmp(line, "exit", 4) == 0)) {
        nd_buf_puts(&s->out, "Bye!\n");
        s->closing = true;
        return;
    }
    bool hello = n >= 5 && memcmp(line, "hello", 5) == 0 && (n == 5 || line[5] == ' ');
    if (nd_cfg_bool(node->cfg, "auth") && !s->authed && !hello) {
        size_t w = 0;
        while (w < n && line[w] != ' ' && line[w] != '\t') w++;
        if (pw_equal(line, w, nd_cfg_str(node->cfg, "appwd"))) {
            s->authed = true;
            nd_buf_puts(&s->out, "AuthOk\n");
            put_prompt(s);
        } else {
            nd_log(node, "[WARN] shell: authentication failed");
            nd_buf_puts(&s->out, "AuthFailed\nBye!\n");
            put_prompt(s);
            nd_buf_puts(&s->out, "Bye!\n");
            s->closing = true;
        }
        return;
    }
    nd_buf_clear(&node->reply);
    int rc = nd_exec(node, &s->ctx, line, n, &node->reply);
    nd_buf_put(&s->out, node->reply.p, node->reply.n);
    if (node->reply.overflow)
        nd_buf_printf(&s->out, "\n[reply truncated at %d bytes]\n", ND_REPLY_MAX);
    if (rc == ND_X_CLOSE) {
        s->closing = true;
        return;
    }
    if (rc == ND_X_REBOOT) {
        s->closing = true;
        node->reboot = true;
        nd_loop_stop();
        return;
    }
    put_prompt(s);
}

/* Run the commands in the input buffer (see the framing note above). */
static void process(nd_sess *s)
{
    for (;;) {
        while (!s->closing && s->out.n <= ND_OUT_HIGH) {
            char *nl = memchr(s->in, '\n', s->inn);
            if (nl) {
                size_t len = (size_t)(nl - s->in);
                if (s->discard) s->discard = false;
                else handle_line(s, s->in, len);
                memmove(s->in, nl + 1, s->inn - len - 1);
                s->inn -= len + 1;
                continue;
            }
            if (s->inn == ND_LINE_MAX) {
                if (!s->discard) {
                    nd_buf_printf(&s->out, "Shell: command too long (max %d bytes), ignored\n",
                                  ND_LINE_MAX - 1);
                    put_prompt(s);
                }
                s->discard = true;
                s->inn = 0;
            }
            if (s->tail_cmd && s->inn) {
                s->tail_cmd = false;
                if (s->discard) s->discard = false;
                else handle_line(s, s->in, s->inn);
                s->inn = 0;
            } else if (s->inn || s->discard) {
                /* an unterminated tail, or the end of an over-long line:
                ** a quiet ND_TAIL_MS ends it (tail_fn) */
                nd_timer_arm(&s->sh->node->timers, &s->tail_timer,
                             nd_port_mono_ms() + ND_TAIL_MS, tail_fn, s);
            }
            break;
        }
        /* Stopped by back-pressure with commands left: if the socket takes
        ** the output at once (loopback usually does) no write event will
        ** come to resume us, so go on here. Each turn consumes input, and
        ** the input buffer is bounded: this loop is too. */
        bool blocked = !s->closing && s->out.n > ND_OUT_HIGH;
        if (!flush(s)) return;
        if (!blocked || s->out.n > ND_OUT_HIGH) return;
    }
}

static void tail_fn(nd_timer *t, void *ud)
{
    (void)t;
    nd_sess *s = ud;
    if (s->waiting || memchr(s->in, '\n', s->inn)) return;
    if (!s->inn) {
        s->discard = false; /* the over-long line is over: the next bytes are a new command */
        return;
    }
    s->tail_cmd = true;
    process(s);
}

static void sess_event(nd_sock *sock, int ev, void *ud)
{
    nd_sess *s = ud;
    if (ev & ND_EV_WRITE) {
        if (!flush(s)) return;
        if (!s->waiting && s->inn && s->out.n <= ND_OUT_HIGH) {
            process(s);
            return;
        }
    }
    if (!(ev & ND_EV_READ)) return;
    size_t space = ND_LINE_MAX - s->inn;
    if (!space || s->closing) {
        update_watch(s);
        return;
    }
    long r = nd_net_recv(sock, s->in + s->inn, space);
    if (r == ND_EAGAIN) return;
    if (r <= 0) {
        sess_free(s); /* peer closed or reset: nothing left to answer */
        return;
    }
    /* a short read with no newline is a whole micrOS-style command */
    s->tail_cmd = (size_t)r < space && !memchr(s->in + s->inn, '\n', (size_t)r);
    s->inn += (size_t)r;
    nd_timer_disarm(&s->sh->node->timers, &s->tail_timer);
    if (s->waiting) {
        update_watch(s); /* keep it; it runs once admitted */
        return;
    }
    s->since = nd_port_mono_ms();
    process(s);
}

static void accept_event(nd_sock *ls, int ev, void *ud)
{
    struct nd_shell *sh = ud;
    for (int k = 0; k < 64; k++) { /* bounded per turn: other sockets get served too */
        nd_sock *cs;
        char peer[64];
        int rc = nd_net_accept(ls, &cs, peer, sizeof peer);
        if (rc == ND_EAGAIN) return;
        if (rc != ND_OK) continue;
        nd_sess *s = calloc(1, sizeof *s);
        if (!s) {
            nd_net_close(cs);
            continue;
        }
        sh->node->shell_accepted++;
        s->sh = sh;
        s->sock = cs;
        s->ctx.door = ND_DOOR_SHELL;
        s->since = nd_port_mono_ms();
        nd_buf_init(&s->out, ND_OUT_MAX);
        if (sh->nactive < slots(sh) && !sh->nwaiting) {
            admit(s);
            continue;
        }
        s->waiting = true;
        /* append: the waiting room is served in arrival order */
        nd_sess **pp = &sh->waiting;
        while (*pp) pp = &(*pp)->next;
        *pp = s;
        sh->nwaiting++;
        if (sh->nwaiting > ND_WAIT_MAX) {
            busy(s);
            continue;
        }
        update_watch(s);
        arm_tick(sh, 0);
    }
}

int nd_shell_start(struct nd_node *n)
{
    struct nd_shell *sh = calloc(1, sizeof *sh);
    if (!sh) return ND_ENOMEM;
    sh->node = n;
    n->shell = sh;
    const char *bind = nd_cfg_str(n->cfg, "bind");
    int port = (int)nd_cfg_int(n->cfg, "socport");
    int rc = nd_net_listen(bind, port, 511, accept_event, sh, &sh->ls);
    if (rc != ND_OK) {
        nd_log(n, "[ERR] shell: cannot listen on %s:%d (%s)", bind, port, nd_strerror(rc));
        return rc;
    }
    nd_log(n, "[BOOT] shell listening on %s:%d", bind, nd_net_local_port(sh->ls));
    return ND_OK;
}

void nd_shell_stop(struct nd_node *n)
{
    struct nd_shell *sh = n->shell;
    if (!sh) return;
    while (sh->active) {
        nd_sess *s = sh->active;
        if (s->out.n) nd_net_send(s->sock, s->out.p, s->out.n); /* best effort */
        sess_free(s);
    }
    while (sh->waiting) sess_free(sh->waiting);
    nd_timer_disarm(&n->timers, &sh->tick);
    if (sh->ls) nd_net_close(sh->ls);
    free(sh);
    n->shell = NULL;
}

int nd_shell_sessions(struct nd_node *n) { return n->shell ? n->shell->nactive : 0; }

int nd_shell_port(struct nd_node *n)
{
    return n->shell && n->shell->ls ? nd_net_local_port(n->shell->ls) : -1;
}
