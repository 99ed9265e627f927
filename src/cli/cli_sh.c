/*
** cli_sh.c -- `nodus sh`: a client of the telnet door (cli_sh.h).
**
** The telnet protocol is the node's own byte machine (src/core/telnet_neg.c):
** as a client we want no option at all, and that machine refuses every
** option it is offered, so it is the client's machine too.
**
** Non-interactive runs need to know where a command's output ends and what
** its status was, over a wire that only carries text and prompts. The
** client asks nsh itself: after each command it sends `echo <marker>:$?`
** (the marker is random per run), so the output ends at the line holding
** the marker, which carries the status; the text before the marker on that
** line is the prompt nsh printed, learned once at the start with a bare
** `echo <marker>`. Lines typed ahead wait in the door while a command runs.
**
** A client program may block; every wait is a poll() bounded by --timeout.
*/
#define _GNU_SOURCE
#include "cli_sh.h"
#include "cli.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../port/posix/ledit.h"
#include "telnet_neg.h"

#define SH_PORT 2323
#define SH_BUF_MAX (16u << 20) /* output kept while waiting for a marker */

enum { X_USAGE = 64, X_CONN = 69, X_REFUSED = 77 };

typedef struct {
    int fd;
    int timeout_ms;
    nd_tn tn;
    char *buf; /* received text, telnet stripped, "\n" line ends */
    size_t len, cap;
    bool closed, too_big;
    bool interactive;
} sh_conn;

static volatile sig_atomic_t got_int;

static void on_int(int sig)
{
    (void)sig;
    got_int = 1;
}

/* ---- the telnet byte machine's callbacks ------------------------------------ */
static void c_data(void *ud, const char *p, size_t n)
{
    sh_conn *c = ud;
    if (c->interactive) {
        nd_ledit_print(p, n);
        return;
    }
    if (c->len + n + 1 > c->cap) {
        size_t cap = c->cap ? c->cap : 4096;
        while (cap < c->len + n + 1) cap *= 2;
        if (cap > SH_BUF_MAX) {
            c->too_big = true;
            return;
        }
        char *b = realloc(c->buf, cap);
        if (!b) {
            c->too_big = true;
            return;
        }
        c->buf = b;
        c->cap = cap;
    }
    memcpy(c->buf + c->len, p, n);
    c->len += n;
    c->buf[c->len] = 0;
}

static void c_send(void *ud, const uint8_t *p, size_t n)
{
    sh_conn *c = ud;
    (void)!send(c->fd, p, n, MSG_NOSIGNAL); /* a few bytes of negotiation */
}

static void c_event(void *ud, int ev)
{
    (void)ud;
    (void)ev; /* the node sends no commands a client must act on */
}

static int send_all(sh_conn *c, const char *p, size_t n)
{
    while (n) {
        ssize_t r = send(c->fd, p, n, MSG_NOSIGNAL);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 && errno == EAGAIN) {
            struct pollfd pf = {.fd = c->fd, .events = POLLOUT};
            poll(&pf, 1, c->timeout_ms);
            continue;
        }
        if (r <= 0) return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

/* Send a line as telnet wants it: IAC doubled, CR LF. */
static int send_line(sh_conn *c, const char *line)
{
    size_t n = strlen(line);
    uint8_t *tmp = malloc(2 * n + 2);
    if (!tmp) return -1;
    size_t k = nd_tn_escape(line, n, tmp);
    tmp[k++] = '\r';
    tmp[k++] = '\n';
    int rc = send_all(c, (const char *)tmp, k);
    free(tmp);
    return rc;
}

/* Read once (up to timeout_ms); false on timeout, close or error. */
static bool pump(sh_conn *c, int timeout_ms)
{
    struct pollfd pf = {.fd = c->fd, .events = POLLIN};
    int r = poll(&pf, 1, timeout_ms);
    if (r <= 0) return false;
    uint8_t raw[8192];
    ssize_t n = recv(c->fd, raw, sizeof raw, 0);
    if (n <= 0) {
        c->closed = true;
        return false;
    }
    nd_tn_feed(&c->tn, raw, (size_t)n);
    return true;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read until pred() finds what it wants in buf (index of its end, or -1). */
static long wait_for(sh_conn *c, long (*pred)(sh_conn *c, const void *arg), const void *arg)
{
    long long deadline = now_ms() + c->timeout_ms;
    for (;;) {
        long at = pred(c, arg);
        if (at >= 0) return at;
        if (c->closed || c->too_big) return -1;
        long long left = deadline - now_ms();
        if (left <= 0) return -1;
        if (!pump(c, (int)left) && !c->closed) return -1;
    }
}

static long ends_with(sh_conn *c, const void *arg)
{
    const char *s = arg;
    size_t n = strlen(s);
    return c->len >= n && !memcmp(c->buf + c->len - n, s, n) ? (long)c->len : -1;
}

static long has_line(sh_conn *c, const void *arg)
{
    /* a whole line containing arg; returns the index after its '\n' */
    const char *s = arg;
    const char *hit = c->buf ? strstr(c->buf, s) : NULL;
    if (!hit) return -1;
    const char *nl = strchr(hit, '\n');
    return nl ? (long)(nl - c->buf + 1) : -1;
}

static void consume(sh_conn *c, size_t n)
{
    memmove(c->buf, c->buf + n, c->len - n);
    c->len -= n;
    c->buf[c->len] = 0;
}

/* ---- connecting and logging in -------------------------------------------------- */
static int dial(const char *target, int timeout_ms)
{
    char host[256];
    int port = SH_PORT;
    const char *colon = strrchr(target, ':');
    size_t hlen = strlen(target);
    if (target[0] == '[') {
        const char *rb = strchr(target, ']');
        if (!rb) return -2;
        hlen = (size_t)(rb - target - 1);
        target++;
        colon = rb[1] == ':' ? rb + 1 : NULL;
    } else if (colon && strchr(target, ':') != colon) {
        colon = NULL; /* a bare IPv6 address */
    } else if (colon) {
        hlen = (size_t)(colon - target);
    }
    if (colon) {
        char *end;
        long p = strtol(colon + 1, &end, 10);
        if (*end || p < 1 || p > 65535) return -2;
        port = (int)p;
    }
    if (!hlen || hlen >= sizeof host) return -2;
    memcpy(host, target, hlen);
    host[hlen] = 0;
    return nd_cli_tcp_connect(host, port, timeout_ms, "nodus sh");
}

static long login_state(sh_conn *c, const void *arg)
{
    (void)arg;
    if (ends_with(c, "login: ") >= 0 || ends_with(c, "Password: ") >= 0) return (long)c->len;
    if (has_line(c, "Connection is busy") >= 0 || has_line(c, "Login incorrect") >= 0 ||
        has_line(c, "nsh on ") >= 0)
        return (long)c->len;
    return -1;
}

/* Log in; 0, or an exit code. The banner line "nsh on ..." ends it. */
static int login(sh_conn *c, const char *user, const char *pwd, bool may_ask)
{
    bool sent_pw = false;
    for (int step = 0; step < 4; step++) {
        if (wait_for(c, login_state, NULL) < 0) {
            fprintf(stderr, "nodus sh: %s\n", c->closed ? "the node closed the connection"
                                                         : "no login prompt in time (--timeout)");
            return X_CONN;
        }
        long at;
        if ((at = has_line(c, "nsh on ")) >= 0) {
            consume(c, (size_t)at);
            return 0;
        }
        if (has_line(c, "Connection is busy") >= 0) {
            fprintf(stderr, "nodus sh: the node is busy (no free client slot)\n");
            return X_REFUSED;
        }
        if (has_line(c, "Login incorrect") >= 0) {
            fprintf(stderr, "nodus sh: login refused (wrong password, or locked out)\n");
            return X_REFUSED;
        }
        if (ends_with(c, "login: ") >= 0) {
            if (sent_pw) {
                fprintf(stderr, "nodus sh: login refused\n");
                return X_REFUSED;
            }
            c->len = 0;
            if (send_line(c, user) != 0) return X_CONN;
            continue;
        }
        if (ends_with(c, "Password: ") >= 0) {
            c->len = 0;
            if (!pwd) pwd = getenv("NODUS_PWD");
            if (!pwd && may_ask) pwd = nd_cli_ask_password();
            if (!pwd) {
                fprintf(stderr, "nodus sh: the node asks for a password: give --pwd or set NODUS_PWD\n");
                return X_REFUSED;
            }
            if (send_line(c, pwd) != 0) return X_CONN;
            sent_pw = true;
        }
    }
    fprintf(stderr, "nodus sh: unexpected login dialogue\n");
    return X_CONN;
}

/* ---- non-interactive ---------------------------------------------------------------- */
typedef struct {
    char marker[48];
    char prompt[512]; /* what nsh printed before the marker the last time */
} sh_batch;

/* Consume the prompt that follows a marker line, once it has arrived. */
static void skip_prompt(sh_conn *c, const sh_batch *b)
{
    size_t n = strlen(b->prompt);
    if (!n) return;
    long long deadline = now_ms() + 2000;
    while (c->len < n && !c->closed && now_ms() < deadline)
        if (!pump(c, 200) && c->closed) break;
    if (c->len >= n && !memcmp(c->buf, b->prompt, n)) consume(c, n);
}

static int learn_prompt(sh_conn *c, sh_batch *b)
{
    char line[96];
    snprintf(line, sizeof line, "echo %s", b->marker);
    if (send_line(c, line) != 0) return X_CONN;
    char want[64];
    snprintf(want, sizeof want, "%s\n", b->marker);
    long at = wait_for(c, has_line, want);
    if (at < 0) {
        fprintf(stderr, "nodus sh: no answer from nsh in time\n");
        return X_CONN;
    }
    const char *hit = strstr(c->buf, want);
    const char *ls = hit;
    while (ls > c->buf && ls[-1] != '\n') ls--;
    snprintf(b->prompt, sizeof b->prompt, "%.*s", (int)(hit - ls), ls);
    consume(c, (size_t)at);
    skip_prompt(c, b);
    return 0;
}

/* Run one command; prints its output; *status gets $?. */
static int run_cmd(sh_conn *c, sh_batch *b, const char *cmd, int *status)
{
    char line[96];
    snprintf(line, sizeof line, "echo %s:$?", b->marker);
    if (send_line(c, cmd) != 0 || send_line(c, line) != 0) return X_CONN;
    char want[64];
    snprintf(want, sizeof want, "%s:", b->marker);
    long long deadline = now_ms() + c->timeout_ms;
    for (;;) {
        /* print whole lines as they come (a long command shows progress) */
        char *hit = strstr(c->buf ? c->buf : "", want);
        if (hit && strchr(hit, '\n')) break;
        char *lastnl = c->buf ? memrchr(c->buf, '\n', c->len) : NULL;
        if (!hit && lastnl) {
            size_t n = (size_t)(lastnl - c->buf) + 1;
            fwrite(c->buf, 1, n, stdout);
            fflush(stdout);
            consume(c, n);
            continue;
        }
        if (c->closed) { /* the command ended the session (exit) */
            fwrite(c->buf ? c->buf : "", 1, c->len, stdout);
            c->len = 0;
            *status = 0;
            return -1;
        }
        if (c->too_big) return X_CONN;
        long long left = deadline - now_ms();
        if (left <= 0) {
            fprintf(stderr, "nodus sh: no end of '%s' in time (--timeout)\n", cmd);
            return X_CONN;
        }
        pump(c, (int)left);
    }
    char *hit = strstr(c->buf, want);
    char *ls = hit;
    while (ls > c->buf && ls[-1] != '\n') ls--;
    fwrite(c->buf, 1, (size_t)(ls - c->buf), stdout);
    /* before the marker: the prompt, after output that had no newline */
    size_t pre = (size_t)(hit - ls), pn = strlen(b->prompt);
    if (pn <= pre && !memcmp(hit - pn, b->prompt, pn)) {
        fwrite(ls, 1, pre - pn, stdout);
        if (pre > pn) fputc('\n', stdout);
    } else { /* a new prompt (cd): all of it is the prompt */
        snprintf(b->prompt, sizeof b->prompt, "%.*s", (int)pre, ls);
    }
    fflush(stdout);
    *status = atoi(hit + strlen(want));
    char *nl = strchr(hit, '\n');
    consume(c, (size_t)(nl - c->buf) + 1);
    skip_prompt(c, b);
    return 0;
}

static int batch(sh_conn *c, char **cmds, int ncmds)
{
    sh_batch b;
    unsigned r = (unsigned)getpid() * 2654435761u ^ (unsigned)now_ms();
    snprintf(b.marker, sizeof b.marker, "@@nodus-sh-%08x@@", r);
    b.prompt[0] = 0;
    int rc = learn_prompt(c, &b);
    if (rc) return rc;
    int status = 0;
    char *line = NULL;
    size_t cap = 0;
    for (int i = 0;; i++) {
        const char *cmd;
        if (ncmds) {
            if (i == ncmds) break;
            cmd = cmds[i];
        } else {
            if (getline(&line, &cap, stdin) < 0) break;
            line[strcspn(line, "\r\n")] = 0;
            cmd = line;
        }
        rc = run_cmd(c, &b, cmd, &status);
        if (rc == -1) { /* the session ended: exit */
            free(line);
            return status;
        }
        if (rc) {
            free(line);
            return rc;
        }
    }
    free(line);
    send_line(c, "exit");
    long long deadline = now_ms() + 2000; /* a polite goodbye, bounded */
    while (!c->closed && now_ms() < deadline) pump(c, 200);
    return status;
}

/* ---- interactive ---------------------------------------------------------------------- */
static sh_conn *live;
static bool eof_sent;

static void on_line(char *line, void *ud)
{
    (void)ud;
    if (!line) {
        if (!eof_sent) send_line(live, "exit");
        eof_sent = true;
        return;
    }
    nd_ledit_add_history(line);
    send_line(live, line);
    free(line);
}

static void history_path(char *buf, size_t n)
{
    const char *x = getenv("XDG_STATE_HOME"), *h = getenv("HOME");
    buf[0] = 0;
    if (x && *x) snprintf(buf, n, "%s/nodus_sh_history", x);
    else if (h && *h) snprintf(buf, n, "%s/.local/state/nodus_sh_history", h);
}

static int interactive(sh_conn *c)
{
    live = c;
    char hist[4096];
    history_path(hist, sizeof hist);
    if (!nd_ledit_open(hist, on_line, NULL))
        fprintf(stderr, "nodus sh: libedit.so.2 not found: no line editing or history\n");
    c->interactive = true;
    if (c->len) nd_ledit_print(c->buf, c->len); /* the prompt that came with the banner */
    c->len = 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_int;
    sigaction(SIGINT, &sa, NULL);
    while (!c->closed) {
        struct pollfd pf[2] = {{.fd = c->fd, .events = POLLIN}, {.fd = 0, .events = POLLIN}};
        int n = poll(pf, eof_sent ? 1 : 2, -1);
        if (got_int) { /* Ctrl-C: the remote command, as telnet's IAC IP */
            got_int = 0;
            static const uint8_t ip[2] = {ND_TN_IAC, ND_TN_IP};
            send_all(c, (const char *)ip, 2);
            nd_ledit_cancel();
        }
        if (n <= 0) continue;
        if (pf[0].revents) {
            uint8_t raw[8192];
            ssize_t r = recv(c->fd, raw, sizeof raw, 0);
            if (r <= 0 && !(r < 0 && (errno == EAGAIN || errno == EINTR))) break;
            if (r > 0) nd_tn_feed(&c->tn, raw, (size_t)r);
        }
        if (!eof_sent && pf[1].revents) nd_ledit_input();
    }
    nd_ledit_close();
    return 0;
}

int nd_cli_sh(int argc, char **argv)
{
    const char *target = NULL, *user = "admin", *pwd = NULL;
    int timeout_ms = 30000;
    char **cmds = calloc((size_t)argc + 1, sizeof *cmds);
    int ncmds = 0;
    if (!cmds) return X_USAGE;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--pwd") && i + 1 < argc) pwd = argv[++i];
        else if (!strcmp(argv[i], "--user") && i + 1 < argc) user = argv[++i];
        else if (!strcmp(argv[i], "-c") && i + 1 < argc) cmds[ncmds++] = argv[++i];
        else if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
            char *end;
            double s = strtod(argv[++i], &end);
            if (*end || s <= 0 || s > 86400) {
                fprintf(stderr, "nodus sh: --timeout wants seconds (0 < s <= 86400)\n");
                free(cmds);
                return X_USAGE;
            }
            timeout_ms = (int)(s * 1000);
        } else if (!target && argv[i][0] != '-') target = argv[i];
        else {
            fprintf(stderr, "nodus sh: unexpected argument '%s'\n", argv[i]);
            target = NULL;
            break;
        }
    }
    if (!target) {
        fprintf(stderr, "usage: nodus sh HOST[:PORT] [--user NAME] [--pwd PASSWORD] "
                        "[--timeout SECONDS] [-c 'command' ...]\n");
        free(cmds);
        return X_USAGE;
    }
    sh_conn c;
    memset(&c, 0, sizeof c);
    c.timeout_ms = timeout_ms;
    c.fd = dial(target, timeout_ms < 5000 ? timeout_ms : 5000);
    if (c.fd < 0) {
        if (c.fd == -2) fprintf(stderr, "nodus sh: bad address '%s' (want HOST[:PORT])\n", target);
        free(cmds);
        return c.fd == -2 ? X_USAGE : X_CONN;
    }
    nd_tn_cb cb = {.data = c_data, .event = c_event, .send = c_send, .ud = &c};
    nd_tn_init(&c.tn, &cb);
    bool tty = isatty(0) && !ncmds;
    int rc = login(&c, user, pwd, isatty(0));
    if (!rc) rc = tty ? interactive(&c) : batch(&c, cmds, ncmds);
    close(c.fd);
    free(c.buf);
    free(cmds);
    return rc;
}
