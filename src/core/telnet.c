/*
** telnet.c -- the telnet door (telnet.h): sessions, login, slots, nsh.
**
** A session goes LOGIN -> PASSWORD -> SHELL. Every received byte goes
** through the telnet byte machine (telnet_neg.c), which strips the
** protocol, answers negotiation and turns ^C / IAC IP into an interrupt of
** the foreground nsh command; the data that is left is assembled into
** lines here. While the password is typed the door says WILL ECHO and
** WILL SGA (the client stops echoing and we echo nothing), and WONT both
** afterwards, so the session itself runs in the client's own line mode
** with its local editing. nc, which speaks no telnet, just works: the few
** negotiation bytes it receives are harmless, and it sends none.
**
** Auth. The door asks auth.c twice: may this session run nsh before it
** logged in (ND_ACT_NSH: only with `auth` off), and is the password right
** for this address (nd_auth_password: the salted verifier, per-address
** lockout). A failed attempt's answer is held back ND_AUTH_FAIL_DELAY_MS;
** three failures close the connection (the lockout counts across
** connections). The login name is free text: the node has one account,
** its password.
**
** Slots, idleness. A session holds one shared client slot for its life
** (slots.c, door.c); a newcomer finding none waits in the node's one waiting
** room, and a session idle for more than soctout (no input, no command
** running) may be evicted for it, as the micrOS shell's are. Independently of
** newcomers, a session idle for telnetidle_s is closed.
**
** Back-pressure. Output (nsh's and the protocol's) is queued in a bounded
** buffer; above ND_TN_OUT_HIGH the door stops reading that client and tells
** nsh it has no room (nd_nsh_drained() when it has again): a session's
** memory is bounded whatever it runs and however slowly its client reads.
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
#include "telnet.h"
#include "telnet_neg.h"

#include "nodus/opts.h" /* the limits; a port may override them */
#define ND_TN_OUT_MAX (ND_TN_OUT_HIGH + 16 * 1024)

enum { ST_LOGIN, ST_PASSWORD, ST_SHELL };

typedef struct tn_sess tn_sess;
struct tn_sess {
    nd_sock *sock;
    nd_door_sess ds; /* the door's lists; `since`: last input or the end of the last command */
    nd_tn tn;
    int state;
    int tries;
    bool closing;   /* flush the output, then close */
    bool held;      /* a failed login's answer is held back */
    bool discard;   /* dropping the rest of an over-long line */
    bool nsh_exit;  /* nsh said `exit`: close once out of its callback */
    bool in_nsh;    /* inside an nsh call: no closing from here */
    bool intr;      /* an interrupt arrived: delivered after the whole read is parsed */
    nd_timer idle_timer;
    nd_timer hold_timer;
    nd_timer resume_timer; /* pending lines, nsh's exit: handled outside nsh's callbacks */
    nd_nsh *nsh;
    char peer[64];
    char user[ND_TN_NAME_MAX];
    nd_buf out;
    size_t inn;
    char in[ND_TN_LINE_MAX];
};

struct nd_telnet {
    nd_door door; /* sessions, slots, the waiting room (door.c) */
};

static void sess_event(nd_sock *s, int ev, void *ud);
static void process(tn_sess *s);
static void sess_bye(nd_door_sess *ds, const char *text);
static void arm_idle(tn_sess *s);

static tn_sess *sess_of(nd_door_sess *ds) { return ND_DOOR_SESS(ds, tn_sess, ds); }
static struct nd_node *node_of(tn_sess *s) { return s->ds.door->node; }

static void sess_free(tn_sess *s)
{
    struct nd_node *n = node_of(s);
    if (s->nsh) { /* first: its last words may still come through the door */
        nd_nsh *sh = s->nsh;
        s->nsh = NULL;
        s->closing = true;
        nd_nsh_close(sh);
    }
    nd_door_leave(&s->ds);
    nd_timer_disarm(&n->timers, &s->idle_timer);
    nd_timer_disarm(&n->timers, &s->hold_timer);
    nd_timer_disarm(&n->timers, &s->resume_timer);
    nd_net_close(s->sock);
    nd_buf_free(&s->out);
    free(s);
}

static bool line_ready(tn_sess *s) { return memchr(s->in, '\n', s->inn) != NULL; }

static void update_watch(tn_sess *s)
{
    int ev = 0;
    if (s->out.n) ev |= ND_EV_WRITE;
    if (!s->closing && !s->held && s->out.n <= ND_TN_OUT_HIGH && s->inn < ND_TN_LINE_MAX)
        ev |= ND_EV_READ;
    if (s->held) ev = 0; /* a failed login's answer waits; so does the client */
    nd_net_watch(s->sock, sess_event, s, ev);
}

/* Send what we can; returns false when the session was freed. */
static bool flush(tn_sess *s)
{
    if (s->held) {
        update_watch(s);
        return true;
    }
    bool was_high = s->out.n > ND_TN_OUT_HIGH;
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
    if (was_high && s->out.n <= ND_TN_OUT_HIGH && s->nsh && !s->in_nsh) {
        s->in_nsh = true;
        nd_nsh_drained(s->nsh); /* may write again: the watch above is refreshed below */
        s->in_nsh = false;
        update_watch(s);
    }
    return true;
}

/* Text to the client: "\n" becomes CR LF, IAC is doubled. */
static void put(tn_sess *s, const char *p, size_t n)
{
    uint8_t tmp[1024];
    while (n) {
        size_t k = n > sizeof tmp / 2 ? sizeof tmp / 2 : n;
        size_t m = nd_tn_escape(p, k, tmp);
        nd_buf_put(&s->out, tmp, m);
        p += k;
        n -= k;
    }
}

static void puts_(tn_sess *s, const char *text) { put(s, text, strlen(text)); }

/* ---- telnet byte machine callbacks ---------------------------------------- */
static void tn_data(void *ud, const char *p, size_t n)
{
    tn_sess *s = ud;
    /* recv never asks for more than the room left (data <= received bytes) */
    if (n > ND_TN_LINE_MAX - s->inn) n = ND_TN_LINE_MAX - s->inn;
    memcpy(s->in + s->inn, p, n);
    s->inn += n;
}

static void tn_send(void *ud, const uint8_t *p, size_t n)
{
    tn_sess *s = ud;
    nd_buf_put(&s->out, p, n); /* protocol bytes: already on the wire's terms */
}

static void tn_event(void *ud, int ev)
{
    tn_sess *s = ud;
    size_t start = s->inn;
    while (start && s->in[start - 1] != '\n') start--; /* the line being typed */
    switch (ev) {
    case ND_TN_EV_INTR:
        s->inn = start; /* what was typed on this line goes, as in a terminal */
        if (s->state == ST_SHELL && s->nsh) {
            /* later: telnet sends IP then DO TIMING-MARK and drops our output
            ** until the mark's answer, so the prompt must come after it */
            s->intr = true;
        } else if (s->state != ST_SHELL) {
            puts_(s, "\n");
            s->closing = true; /* ^C at login: leave */
        }
        break;
    case ND_TN_EV_EC:
        if (s->inn > start) s->inn--;
        break;
    case ND_TN_EV_EL: s->inn = start; break;
    case ND_TN_EV_AYT: puts_(s, "\n[yes]\n"); break;
    case ND_TN_EV_EOF:
        /* ^D on an empty line leaves, as in a shell */
        if (s->inn == start) {
            if (s->state == ST_SHELL && s->nsh && nd_nsh_busy(s->nsh)) break;
            puts_(s, "\nlogout\n");
            s->closing = true;
        }
        break;
    default: break;
    }
}

/* ---- nsh's door ----------------------------------------------------------- */
static bool door_write(void *ud, const void *p, size_t n)
{
    tn_sess *s = ud;
    if (s->closing) return true; /* nobody will read it */
    put(s, p, n);
    update_watch(s); /* the loop sends it; never flush (and maybe free) inside nsh */
    return s->out.n <= ND_TN_OUT_HIGH;
}

static void resume_fn(nd_timer *tm, void *ud);

static void door_idle(void *ud)
{
    tn_sess *s = ud;
    if (s->closing || !s->nsh) return;
    s->ds.since = nd_port_mono_ms();
    puts_(s, nd_nsh_prompt(s->nsh));
    update_watch(s);
    if (line_ready(s)) /* typed ahead while the command ran */
        nd_timer_arm(&node_of(s)->timers, &s->resume_timer, nd_port_mono_ms(), resume_fn, s);
}

static void door_exit(void *ud, int status)
{
    (void)status;
    tn_sess *s = ud;
    s->nsh_exit = true;
    nd_timer_arm(&node_of(s)->timers, &s->resume_timer, nd_port_mono_ms(), resume_fn, s);
}

static void resume_fn(nd_timer *tm, void *ud)
{
    (void)tm;
    tn_sess *s = ud;
    if (s->nsh_exit) {
        nd_nsh *sh = s->nsh;
        s->nsh = NULL;
        if (sh) nd_nsh_close(sh);
        sess_bye(&s->ds, "logout\n");
        return;
    }
    process(s);
}

/* ---- login ------------------------------------------------------------------ */
static void start_shell(tn_sess *s)
{
    struct nd_node *n = node_of(s);
    s->state = ST_SHELL;
    nd_nsh_door d = {
        .write = door_write, .idle = door_idle, .exit = door_exit, .ud = s,
        .authed = true, /* it logged in, or the auth table lets it in without */
        .who = s->peer,
    };
    s->in_nsh = true;
    s->nsh = nd_nsh_open(n, &d);
    s->in_nsh = false;
    if (!s->nsh) {
        puts_(s, "nsh: out of memory, try later\n");
        s->closing = true;
        return;
    }
    /* one fixed line before the first prompt: `nodus sh` knows the login is over */
    char banner[128];
    snprintf(banner, sizeof banner, "nsh on %s: type help; exit leaves\n",
             nd_cfg_get_str(n->cfg, ND_K_devfid));
    puts_(s, banner);
    puts_(s, nd_nsh_prompt(s->nsh));
}

static void ask_login(tn_sess *s)
{
    s->state = ST_LOGIN;
    puts_(s, "login: ");
}

static void release_fn(nd_timer *tm, void *ud)
{
    (void)tm;
    tn_sess *s = ud;
    s->held = false;
    if (flush(s) && !s->closing) process(s);
}

static void got_password(tn_sess *s, const char *pw, size_t n)
{
    struct nd_node *node = node_of(s);
    nd_tn_set_echo(&s->tn, false);
    nd_tn_set_sga(&s->tn, false);
    puts_(s, "\n"); /* the client echoed nothing, not even the Enter */
    int rc = nd_auth_password(node, s->peer, pw, n);
    if (rc == ND_AUTH_OK) {
        nd_log(node, "[INFO] telnet: %s logged in from %s", s->user, s->peer);
        start_shell(s);
        return;
    }
    /* wrong, or the address is locked out: the same words, held back */
    s->tries++;
    puts_(s, "Login incorrect\n");
    if (rc == ND_AUTH_LOCKED || s->tries >= ND_TN_TRIES) s->closing = true;
    else ask_login(s);
    s->held = true;
    nd_timer_arm(&node->timers, &s->hold_timer, nd_port_mono_ms() + ND_AUTH_FAIL_DELAY_MS,
                 release_fn, s);
}

static void handle_line(tn_sess *s, char *line, size_t n)
{
    if (s->state == ST_LOGIN) {
        while (n && (line[n - 1] == ' ' || line[n - 1] == '\t')) n--;
        while (n && (*line == ' ' || *line == '\t')) line++, n--;
        if (!n) {
            puts_(s, "login: ");
            return;
        }
        snprintf(s->user, sizeof s->user, "%.*s", (int)n, line);
        for (char *c = s->user; *c; c++)
            if ((unsigned char)*c < 0x20 || *c == 0x7f) *c = '?'; /* it goes to the log */
        s->state = ST_PASSWORD;
        puts_(s, "Password: ");
        nd_tn_set_echo(&s->tn, true);
        nd_tn_set_sga(&s->tn, true);
        return;
    }
    if (s->state == ST_PASSWORD) {
        got_password(s, line, n);
        return;
    }
}

/* Lines for nsh: one at a time, as it takes them. Returns false to stop
** (nsh is busy and the line must wait, or the session is going). */
static bool shell_line(tn_sess *s, const char *line, size_t n)
{
    s->ds.since = nd_port_mono_ms();
    s->in_nsh = true;
    int rc = nd_nsh_input(s->nsh, line, n);
    s->in_nsh = false;
    return rc != ND_EAGAIN;
}

/* Run the complete lines in the input buffer. */
static void process(tn_sess *s)
{
    while (!s->closing && !s->held && !s->nsh_exit && s->out.n <= ND_TN_OUT_HIGH) {
        char *nl = memchr(s->in, '\n', s->inn);
        if (!nl) {
            if (s->inn == ND_TN_LINE_MAX) { /* a line longer than we keep */
                if (!s->discard) {
                    nd_buf_printf(&s->out, "\r\nnsh: line too long (max %d bytes), ignored\r\n",
                                  ND_TN_LINE_MAX - 1);
                    if (s->state == ST_SHELL && s->nsh) puts_(s, nd_nsh_prompt(s->nsh));
                }
                s->discard = true;
                s->inn = 0;
            }
            break;
        }
        size_t len = (size_t)(nl - s->in);
        if (s->discard) {
            s->discard = false;
        } else if (s->state == ST_SHELL) {
            if (!s->nsh) break;
            if (!shell_line(s, s->in, len)) break; /* nsh busy: keep it, door_idle resumes */
        } else {
            *nl = 0;
            handle_line(s, s->in, len);
        }
        /* handle_line may have consumed nothing else; drop this line */
        size_t rest = s->inn - len - 1;
        memmove(s->in, s->in + len + 1, rest);
        s->inn = rest;
    }
    flush(s);
}

/* ---- socket events -------------------------------------------------------------- */
static void sess_event(nd_sock *sock, int ev, void *ud)
{
    tn_sess *s = ud;
    if (ev & ND_EV_WRITE) {
        if (!flush(s)) return;
        if (!s->ds.waiting && line_ready(s) && s->out.n <= ND_TN_OUT_HIGH && !s->held) {
            process(s);
            return;
        }
    }
    if (!(ev & ND_EV_READ)) return;
    size_t space = ND_TN_LINE_MAX - s->inn;
    if (!space || s->closing || s->held) {
        update_watch(s);
        return;
    }
    uint8_t raw[ND_TN_LINE_MAX];
    long r = nd_net_recv(sock, raw, space);
    if (r == ND_EAGAIN) return;
    if (r <= 0) {
        sess_free(s); /* peer closed or reset */
        return;
    }
    s->ds.since = nd_port_mono_ms();
    nd_tn_feed(&s->tn, raw, (size_t)r);
    if (s->intr) {
        s->intr = false;
        if (s->nsh) {
            if (nd_nsh_busy(s->nsh)) {
                s->in_nsh = true;
                nd_nsh_interrupt(s->nsh);
                s->in_nsh = false;
            } else { /* at the prompt: a fresh one, as a terminal shows */
                puts_(s, "^C\n");
                puts_(s, nd_nsh_prompt(s->nsh));
            }
        }
    }
    if (s->ds.waiting) {
        update_watch(s); /* kept; it runs once admitted */
        return;
    }
    process(s);
}

/* ---- slots and idleness ----------------------------------------------------------- */
static bool is_idle(tn_sess *s) { return !(s->nsh && nd_nsh_busy(s->nsh)); }

static void idle_fn(nd_timer *tm, void *ud)
{
    (void)tm;
    tn_sess *s = ud;
    struct nd_node *n = node_of(s);
    uint64_t now = nd_port_mono_ms();
    uint64_t limit = (uint64_t)nd_cfg_get_int(n->cfg, ND_K_telnetidle_s) * 1000;
    if (s->state != ST_SHELL && limit > ND_TN_LOGIN_IDLE_MS) limit = ND_TN_LOGIN_IDLE_MS;
    if (!is_idle(s)) s->ds.since = now; /* a running command is not idleness */
    if (now - s->ds.since >= limit && !s->closing) {
        nd_log(n, "[INFO] telnet: %s idle for %llu s, closed", s->peer,
               (unsigned long long)(limit / 1000));
        sess_bye(&s->ds, "\nidle timeout: bye\n");
        return;
    }
    arm_idle(s);
}

static void arm_idle(tn_sess *s)
{
    struct nd_node *n = node_of(s);
    uint64_t limit = (uint64_t)nd_cfg_get_int(n->cfg, ND_K_telnetidle_s) * 1000;
    if (s->state != ST_SHELL && limit > ND_TN_LOGIN_IDLE_MS) limit = ND_TN_LOGIN_IDLE_MS;
    uint64_t now = nd_port_mono_ms(), due = s->ds.since + limit;
    if (due < now + 200) due = now + 200; /* a check, not a spin */
    if (due > now + 1000 && !is_idle(s)) due = now + 1000; /* busy: look again soon */
    nd_timer_arm(&n->timers, &s->idle_timer, due, idle_fn, s);
}

/* ---- the door's callbacks (door.h) ---------------------------------------- */
/* The session got a slot (at accept or from the waiting room). */
static void sess_admit(nd_door_sess *ds)
{
    tn_sess *s = sess_of(ds);
    struct nd_node *n = node_of(s);
    arm_idle(s);
    bool authed = false;
    if (nd_auth_allows(n, ND_AUTH_DOOR_TELNET, ND_ACT_NSH, authed)) { /* `auth` off */
        puts_(s, "auth is off: no login (README Security)\n");
        start_shell(s);
    } else {
        ask_login(s);
    }
    if (flush(s) && s->inn) process(s); /* typed while waiting */
}

static void sess_bye(nd_door_sess *ds, const char *text)
{
    tn_sess *s = sess_of(ds);
    puts_(s, text);
    s->closing = true;
    flush(s);
}

static void sess_watch(nd_door_sess *ds) { update_watch(sess_of(ds)); }

static bool sess_evictable(nd_door_sess *ds)
{
    tn_sess *s = sess_of(ds);
    return !s->closing && !s->in_nsh && is_idle(s);
}

static void sess_evict(nd_door_sess *ds)
{
    tn_sess *s = sess_of(ds);
    nd_log(node_of(s), "[INFO] telnet: %s idle, evicted for a newcomer", s->peer);
    sess_free(s);
}

static void sess_stop(nd_door_sess *ds)
{
    tn_sess *s = sess_of(ds);
    if (!ds->waiting && s->out.n) nd_net_send(s->sock, s->out.p, s->out.n); /* best effort */
    sess_free(s);
}

/* A connection came: its session, admitted or queued by door.c. */
static nd_door_sess *sess_open(nd_door *d, nd_sock *sock, const char *peer)
{
    tn_sess *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->sock = sock;
    snprintf(s->peer, sizeof s->peer, "%s", peer);
    nd_buf_init(&s->out, ND_TN_OUT_MAX);
    nd_tn_cb cb = {.data = tn_data, .event = tn_event, .send = tn_send, .ud = s};
    nd_tn_init(&s->tn, &cb);
    return &s->ds;
}

static const nd_door_ops telnet_door = {
    .open = sess_open, .admit = sess_admit, .bye = sess_bye, .watch = sess_watch,
    .evictable = sess_evictable, .evict = sess_evict, .stop = sess_stop,
};

int nd_telnet_start(struct nd_node *n)
{
    struct nd_telnet *t = calloc(1, sizeof *t);
    if (!t) return ND_ENOMEM;
    n->telnet = t;
    nd_door_init(&t->door, n, "telnet", &telnet_door);
    int port = (int)nd_cfg_get_int(n->cfg, ND_K_telnetport);
    int rc = nd_door_listen(&t->door, "telnet (nsh)", port, 128);
    if (rc != ND_OK)
        nd_node_add_problem(n, "telnet: cannot listen on %s:%d", nd_cfg_get_str(n->cfg, ND_K_bind),
                            port);
    return rc;
}

void nd_telnet_stop(struct nd_node *n)
{
    struct nd_telnet *t = n->telnet;
    if (!t) return;
    nd_door_stop(&t->door);
    free(t);
    n->telnet = NULL;
}

int nd_telnet_port(struct nd_node *n)
{
    return n->telnet ? nd_door_port(&n->telnet->door) : -1;
}

int nd_telnet_sessions(struct nd_node *n) { return n->telnet ? n->telnet->door.nactive : 0; }
