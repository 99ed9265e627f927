/*
** shell.c -- the ShellCli door: micrOS's TCP shell, byte for byte
** (docs/micros-compat.md §2).
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
** Slots. A session holds one of the node's shared client slots (slots.c)
** for its life. A newcomer finding none waits in the node's waiting room (up
** to 5 s) for a slot to free or for an active session idle for more than
** soctout seconds, which the door evicts (door.c); otherwise it gets
** "Connection is busy. Bye!". Idle means no command ran; with `auth` on, a
** `hello` before authentication does not count, so a client without the
** password that only says hello is idle to micrOS's eviction rule.
**
** Auth. Whether a line may run before the session authenticated, and
** whether a password is right, is decided in auth.c; this door only holds a
** failed attempt's reply back (ND_AUTH_FAIL_DELAY_MS) before it closes.
**
** Back-pressure. A client that does not read its replies stops being read
** (its output above ND_OUT_HIGH): a session's memory is bounded and nothing
** it sent is lost.
*/
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "door.h"
#include "node_int.h"
#include "nodus/port.h"
#include "nsh.h"

#if !ND_WITH_NSH
/* nsh is not built in (nodus/opts.h): no session ever has one, so these are
** never reached; as no-ops they keep nsh's code out of the image. */
#define nd_nsh_open(node, d) ((void)(node), (void)(d), (nd_nsh *)NULL)
#define nd_nsh_close(x) ((void)(x))
#define nd_nsh_drained(x) ((void)(x))
#define nd_nsh_busy(x) ((void)(x), false)
#define nd_nsh_prompt(x) ((void)(x), "")
#define nd_nsh_input(x, l, n) ((void)(x), (void)(l), (void)(n), ND_OK)
#define nd_nsh_interrupt(x) ((void)(x))
#endif
/* The session's nsh, or NULL: a constant NULL without nsh, so the compiler
** drops every path that only runs inside one. */
#define SESS_NSH(s) (ND_WITH_NSH ? (s)->nsh : (nd_nsh *)NULL)

#include "nodus/opts.h" /* the limits; a port may override them */
/* ND_LINE_MAX, ND_OUT_HIGH, ND_TAIL_MS come from nodus/opts.h */
#define ND_OUT_MAX (ND_OUT_HIGH + ND_REPLY_MAX + 4096)

typedef struct nd_sess nd_sess;
struct nd_sess {
    struct nd_shell *sh;
    nd_sock *sock;
    nd_door_sess ds; /* the door's lists; `since`: admitted at, or the last command that ran */
    nd_ctx ctx;
    bool authed;
    bool closing;   /* flush the output, then close */
    bool discard;   /* dropping the rest of an over-long line */
    bool tail_cmd;  /* the last read was short: unterminated bytes are a command */
    bool held;      /* a failed login's reply is held back (tail_timer releases it) */
    nd_timer tail_timer; /* runs an unterminated tail that got no rest */
    nd_nsh *nsh;         /* `sh` typed: lines go to nsh until it says exit */
    bool nsh_exit;       /* nsh said exit: back to micrOS once out of its callback */
    bool in_nsh;         /* inside an nsh call */
    nd_timer nsh_timer;  /* resumes input / leaves nsh outside nsh's callbacks */
    char peer[64];
    char devfid[40];
    nd_buf out;
    nd_buf held_bc; /* `~~~` lines that came while idle: sent ahead of the next reply */
    size_t inn;
    char in[ND_LINE_MAX];
};

struct nd_shell {
    nd_door door;     /* sessions, slots, the waiting room (door.c) */
    nd_sess *running; /* the session whose command runs now (broadcasts reach it at once) */
};

static void sess_event(nd_sock *s, int ev, void *ud);
static void process(nd_sess *s);
static void tail_fn(nd_timer *t, void *ud);

static nd_sess *sess_of(nd_door_sess *ds) { return ND_DOOR_SESS(ds, nd_sess, ds); }
static struct nd_node *node_of(nd_sess *s) { return s->sh->door.node; }

static void sess_free(nd_sess *s)
{
    struct nd_shell *sh = s->sh;
    if (SESS_NSH(s)) { /* first: its last words may still come through the door */
        nd_nsh *x = s->nsh;
        s->nsh = NULL;
        s->closing = true;
        nd_nsh_close(x);
    }
    if (ND_WITH_NSH) nd_timer_disarm(&node_of(s)->timers, &s->nsh_timer);
    nd_door_leave(&s->ds);
    nd_timer_disarm(&node_of(s)->timers, &s->tail_timer);
    nd_net_close(s->sock);
    nd_buf_free(&s->out);
    nd_buf_free(&s->held_bc);
    if (sh->running == s) sh->running = NULL;
    free(s);
}

static void update_watch(nd_sess *s)
{
    int ev = 0;
    if (s->out.n) ev |= ND_EV_WRITE;
    if (!s->closing && s->out.n <= ND_OUT_HIGH && s->inn < ND_LINE_MAX) ev |= ND_EV_READ;
    if (s->held) ev = 0; /* a failed login's reply waits; so does the client */
    nd_net_watch(s->sock, sess_event, s, ev);
}

/* Send what we can; returns false when the session was freed. */
static bool flush(nd_sess *s)
{
    if (s->held) {
        update_watch(s);
        return true;
    }
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
    if (SESS_NSH(s) && !s->in_nsh && s->out.n <= ND_OUT_HIGH) {
        s->in_nsh = true;
        nd_nsh_drained(s->nsh); /* room again for a command that waits for it */
        s->in_nsh = false;
        update_watch(s);
    }
    return true;
}

static void put_prompt(nd_sess *s)
{
    bool auth = nd_cfg_get_bool(node_of(s)->cfg, ND_K_auth);
    nd_buf_printf(&s->out, "%s%s%s $ ", auth && !s->authed ? "[password] " : "",
                  s->ctx.conf_mode ? "[configure] " : "", s->devfid);
}

/* ---- the door's callbacks (door.h) ---------------------------------------- */
/* The session got a slot (at accept or from the waiting room). */
static void sess_admit(nd_door_sess *ds)
{
    nd_sess *s = sess_of(ds);
    /* devfid is cached per session, as micrOS does */
    snprintf(s->devfid, sizeof s->devfid, "%s", nd_cfg_get_str(ds->door->node->cfg, ND_K_devfid));
    put_prompt(s);
    if (flush(s) && s->inn) process(s); /* commands sent while waiting */
}

static void sess_bye(nd_door_sess *ds, const char *text)
{
    nd_sess *s = sess_of(ds);
    nd_buf_puts(&s->out, text);
    s->closing = true;
    flush(s);
}

static void sess_watch(nd_door_sess *ds) { update_watch(sess_of(ds)); }

/* Idleness aside: a session inside a running nsh command is not idle. */
static bool sess_evictable(nd_door_sess *ds)
{
    nd_sess *s = sess_of(ds);
    return !s->closing && !(SESS_NSH(s) && nd_nsh_busy(s->nsh));
}

static void sess_evict(nd_door_sess *ds) { sess_free(sess_of(ds)); }

static void sess_stop(nd_door_sess *ds)
{
    nd_sess *s = sess_of(ds);
    if (!ds->waiting && s->out.n) nd_net_send(s->sock, s->out.p, s->out.n); /* best effort */
    sess_free(s);
}

static void release_fn(nd_timer *t, void *ud)
{
    (void)t;
    nd_sess *s = ud;
    s->held = false;
    flush(s);
}

static bool text_ok(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)p[i];
        if ((ch < 0x20 && ch != '\t' && ch != '\r') || ch == 0x7f) return false;
    }
    return nd_utf8_valid(p, n);
}

/* ---- `sh`: nsh inside this session (nsh.h) -------------------------------- */
static void process(nd_sess *s);

static bool nsh_write(void *ud, const void *p, size_t n)
{
    nd_sess *s = ud;
    if (s->closing) return true;
    nd_buf_put(&s->out, p, n);
    update_watch(s); /* the loop sends it: never flush (and maybe free) inside nsh */
    return s->out.n <= ND_OUT_HIGH;
}

static void nsh_resume(nd_timer *t, void *ud)
{
    (void)t;
    nd_sess *s = ud;
    if (s->nsh_exit) { /* back to the micrOS prompt */
        nd_nsh *x = s->nsh;
        s->nsh = NULL;
        s->nsh_exit = false;
        if (x) nd_nsh_close(x);
        put_prompt(s);
    }
    if (s->inn) process(s);
    else flush(s);
}

static void nsh_idle(void *ud)
{
    nd_sess *s = ud;
    if (!s->nsh || s->closing) return;
    s->ds.since = nd_port_mono_ms();
    nd_buf_puts(&s->out, nd_nsh_prompt(s->nsh));
    update_watch(s);
    if (s->inn) /* typed ahead while the command ran */
        nd_timer_arm(&node_of(s)->timers, &s->nsh_timer, nd_port_mono_ms(), nsh_resume, s);
}

static void nsh_exit(void *ud, int status)
{
    (void)status;
    nd_sess *s = ud;
    s->nsh_exit = true;
    nd_timer_arm(&node_of(s)->timers, &s->nsh_timer, nd_port_mono_ms(), nsh_resume, s);
}

static void enter_nsh(nd_sess *s)
{
    if (!ND_WITH_NSH) {
        nd_buf_puts(&s->out, "sh: not built into this node\n");
        put_prompt(s);
        return;
    }
    nd_nsh_door d = {.write = nsh_write, .idle = nsh_idle, .exit = nsh_exit, .ud = s,
                     .authed = true, .who = s->peer};
    s->in_nsh = true;
    s->nsh = nd_nsh_open(node_of(s), &d);
    s->in_nsh = false;
    if (!s->nsh) {
        nd_buf_puts(&s->out, "sh: out of memory\n");
        put_prompt(s);
        return;
    }
    nd_buf_puts(&s->out, nd_nsh_prompt(s->nsh));
}

/* One line for nsh; false when it is busy and the line must wait. */
static bool nsh_line(nd_sess *s, const char *line, size_t n)
{
    if (s->nsh_exit) return false;
    while (n && line[n - 1] == '\r') n--;
    s->ds.since = nd_port_mono_ms();
    s->in_nsh = true;
    int rc = nd_nsh_input(s->nsh, line, n);
    s->in_nsh = false;
    return rc != ND_EAGAIN;
}

static void handle_line(nd_sess *s, const char *line, size_t n)
{
    struct nd_node *node = node_of(s);
    if (s->held_bc.n) { /* broadcast lines of the idle time, ahead of this reply */
        nd_buf_put(&s->out, s->held_bc.p, s->held_bc.n);
        nd_buf_clear(&s->held_bc);
    }
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
    bool authed = s->authed || !nd_auth_on(node);
    /* Before authentication a shell client may only say `hello` (auth.c's
    ** table): nd_auth_classify's finer classes are for the REST and MQTT
    ** doors, which allow more, so this door needs only these two. */
    int act = nd_auth_is_hello(line, n) ? ND_ACT_HELLO : ND_ACT_COMMAND;
    if (!nd_auth_allows(node, ND_AUTH_DOOR_SHELL, act, authed)) {
        /* micrOS: the first message other than `hello` is the password
        ** (its first word) */
        size_t w = 0;
        while (w < n && line[w] != ' ' && line[w] != '\t') w++;
        s->authed = nd_auth_password(node, s->peer, line, w) == ND_AUTH_OK;
        nd_buf_puts(&s->out, s->authed ? "AuthOk\n" : "AuthFailed\nBye!\n");
        put_prompt(s);
        if (!s->authed) { /* wrong, or the address is locked out: the same bytes, held back */
            nd_buf_puts(&s->out, "Bye!\n");
            s->closing = true;
            s->held = true;
            nd_timer_arm(&node->timers, &s->tail_timer, nd_port_mono_ms() + ND_AUTH_FAIL_DELAY_MS,
                         release_fn, s);
        }
        return;
    }
    /* a command ran: not idle -- but a `hello` before authentication does
    ** not count, so nobody holds a slot without the password by chatting */
    if (authed) s->ds.since = nd_port_mono_ms();
    /* nsh in this session: only an authenticated client gets this far with
    ** anything but `hello`, and auth.c lets it in (ND_ACT_NSH) */
    if (n == 2 && memcmp(line, "sh", 2) == 0) {
        enter_nsh(s);
        return;
    }
    nd_buf_clear(&node->reply);
    s->sh->running = s;
    int rc = nd_exec(node, &s->ctx, line, n, &node->reply);
    s->sh->running = NULL;
    nd_buf_put(&s->out, node->reply.p, node->reply.n);
    if (node->reply.overflow)
        nd_buf_printf(&s->out, "\n[reply truncated at %d bytes]\n", ND_REPLY_MAX);
    if (rc == ND_X_REBOOT) {
        node->reboot = true;
        nd_loop_stop();
    }
    if (rc == ND_X_CLOSE || rc == ND_X_REBOOT) s->closing = true;
    else put_prompt(s);
}

/* Run the commands in the input buffer (see the framing note above). */
static void process(nd_sess *s)
{
    for (;;) {
        while (!s->closing && s->out.n <= ND_OUT_HIGH) {
            char *nl = memchr(s->in, '\n', s->inn);
            size_t len = nl ? (size_t)(nl - s->in) : s->inn;
            if (!nl) {
                if (s->inn == ND_LINE_MAX) {
                    if (!s->discard) {
                        nd_buf_printf(&s->out,
                                      "Shell: command too long (max %d bytes), ignored\n",
                                      ND_LINE_MAX - 1);
                        put_prompt(s);
                    }
                    s->discard = true;
                    s->inn = 0;
                }
                if (!s->tail_cmd || !s->inn) {
                    /* an unterminated tail, or the end of an over-long line:
                    ** a quiet ND_TAIL_MS ends it (tail_fn) */
                    if (s->inn || s->discard)
                        nd_timer_arm(&node_of(s)->timers, &s->tail_timer,
                                     nd_port_mono_ms() + ND_TAIL_MS, tail_fn, s);
                    break;
                }
            }
            /* a line, or a tail that is a whole command (tail_cmd) */
            if (s->discard) s->discard = false;
            else if (SESS_NSH(s)) { /* nsh busy: kept (tail_cmd too) for nsh_idle */
                if (!nsh_line(s, s->in, len)) break;
            } else handle_line(s, s->in, len);
            if (!nl) s->tail_cmd = false;
            size_t used = nl ? len + 1 : len;
            memmove(s->in, s->in + used, s->inn - used);
            s->inn -= used;
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
    if (s->ds.waiting || memchr(s->in, '\n', s->inn)) return;
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
        if (!s->ds.waiting && s->inn && s->out.n <= ND_OUT_HIGH) {
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
    if (SESS_NSH(s)) { /* in nsh, ^C interrupts the foreground command; it is no input */
        char *p = s->in + s->inn, *w = p;
        bool intr = false;
        for (long i = 0; i < r; i++)
            if (p[i] == 3) intr = true;
            else *w++ = p[i];
        r = (long)(w - p);
        if (intr) {
            s->in_nsh = true;
            nd_nsh_interrupt(s->nsh);
            s->in_nsh = false;
        }
    }
    s->inn += (size_t)r;
    nd_timer_disarm(&node_of(s)->timers, &s->tail_timer);
    if (s->ds.waiting) {
        update_watch(s); /* keep it; it runs once admitted */
        return;
    }
    process(s);
}

/* A connection came: its session, admitted or queued by door.c. */
static nd_door_sess *sess_open(nd_door *d, nd_sock *sock, const char *peer)
{
    nd_sess *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    d->node->shell_accepted++;
    s->sh = d->node->shell;
    s->sock = sock;
    s->ctx.door = ND_DOOR_SHELL;
    snprintf(s->peer, sizeof s->peer, "%s", peer);
    nd_buf_init(&s->out, ND_OUT_MAX);
    nd_buf_init(&s->held_bc, ND_BCAST_HELD);
    return &s->ds;
}

static const nd_door_ops shell_door = {
    .open = sess_open, .admit = sess_admit, .bye = sess_bye, .watch = sess_watch,
    .evictable = sess_evictable, .evict = sess_evict, .stop = sess_stop,
};

int nd_shell_start(struct nd_node *n)
{
    struct nd_shell *sh = calloc(1, sizeof *sh);
    if (!sh) return ND_ENOMEM;
    n->shell = sh;
    nd_door_init(&sh->door, n, "shell", &shell_door);
    return nd_door_listen(&sh->door, "shell", (int)nd_cfg_get_int(n->cfg, ND_K_socport), 511);
}

void nd_shell_stop(struct nd_node *n)
{
    struct nd_shell *sh = n->shell;
    if (!sh) return;
    nd_door_stop(&sh->door);
    free(sh);
    n->shell = NULL;
}

int nd_shell_sessions(struct nd_node *n) { return n->shell ? n->shell->door.nactive : 0; }

/* micrOS's Server.reply_all: one `~~~ <text>` line to every admitted,
** logged-in shell session (not nsh sessions, not web clients).
** The session whose command is running gets it at once (ahead of its
** reply), sent directly when nothing is queued, so a long call streams.
** A session idle at its prompt gets it ahead of its next reply instead:
** micrOS writes it after the prompt, where a client that reads up to the
** prompt would wait for a second prompt that never comes.
** Never frees a session here (the caller may be inside that session's
** command): a failed send is left for the session's own next event.
** Bounded: a session that does not read, or idles through more than
** ND_BCAST_HELD bytes of them, loses broadcast lines, not memory. */
void nd_shell_broadcast(struct nd_node *n, const char *text, size_t len)
{
    struct nd_shell *sh = n->shell;
    if (!sh) return;
    if (len > ND_LINE_MAX) len = ND_LINE_MAX;
    char line[ND_LINE_MAX + 8];
    int k = snprintf(line, sizeof line, "~~~ %.*s\n", (int)len, text);
    if (k < 0) return;
    size_t ln = (size_t)k < sizeof line ? (size_t)k : sizeof line - 1;
    for (nd_door_sess *ds = sh->door.active; ds; ds = ds->next) {
        nd_sess *s = sess_of(ds);
        if (s->closing || SESS_NSH(s) || s->held) continue;
        if (nd_auth_on(n) && !s->authed) continue;
        if (s != sh->running) {
            if (s->held_bc.n + ln <= ND_BCAST_HELD) nd_buf_put(&s->held_bc, line, ln);
            continue;
        }
        if (s->out.n + ln > ND_OUT_MAX) continue;
        size_t off = 0;
        if (!s->out.n) {
            long r = nd_net_send(s->sock, line, ln);
            if (r > 0) off = (size_t)r;
        }
        if (off < ln) nd_buf_put(&s->out, line + off, ln - off);
        update_watch(s);
    }
}

int nd_shell_port(struct nd_node *n)
{
    return n->shell ? nd_door_port(&n->shell->door) : -1;
}
