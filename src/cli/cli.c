/*
** cli.c -- `nodus connect` and `nodus exec`: a ShellCli client.
**
** The wire is micrOS's (docs/micros-compat.md §2.3): no framing but the prompt.
** The session (cli_sess.c, over the shared client machine src/core/shcli.c)
** reads it: a reply is everything up to the prompt `[prefix] <devfid> $ `,
** and after the greeting only a prompt with the greeting's devfid ends one,
** so a reply line that happens to contain " $ " cannot end a reply early.
** This file is the user's side: the address, the password, the terminal.
**
** This is a client program, not the node: it blocks (with timeouts), and that
** is fine here.
*/
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <dlfcn.h>

#include "cli.h"
#include "cli_fleet.h"
#include "cli_sess.h"

#define CLI_PORT 9008

enum { EXIT_OK = 0, EXIT_USAGE = 1, EXIT_CONN = 2, EXIT_REFUSED = 3 };

typedef struct {
    const char *target;
    const char *pwd;
    int timeout_ms;
    char **cmds;
    int ncmds;
} cli_opts;

/* HOST, HOST:PORT, [V6]:PORT or a bare V6 address. */
static int split_target(const char *t, char *host, size_t hn, int *port)
{
    *port = CLI_PORT;
    const char *colon = strrchr(t, ':');
    size_t hlen = strlen(t);
    if (t[0] == '[') {
        const char *rb = strchr(t, ']');
        if (!rb) return -1;
        hlen = (size_t)(rb - t - 1);
        t++;
        colon = rb[1] == ':' ? rb + 1 : NULL;
        if (rb[1] && !colon) return -1;
    } else if (colon && strchr(t, ':') != colon) {
        colon = NULL; /* bare IPv6 address, no port */
    } else if (colon) {
        hlen = (size_t)(colon - t);
    }
    if (colon) {
        char *end;
        long p = strtol(colon + 1, &end, 10);
        if (*end || p < 1 || p > 65535) return -1;
        *port = (int)p;
    }
    if (hlen == 0 || hlen >= hn) return -1;
    memcpy(host, t, hlen);
    host[hlen] = 0;
    return 0;
}

/* Connect to host:port (a name or an address, any family) with a timeout;
** the socket comes back non-blocking. Prints why on failure, prefixed with
** who ("nodus", "nodus sh"). */
int nd_cli_tcp_connect(const char *host, int port, int timeout_ms, const char *who)
{
    char ports[8];
    snprintf(ports, sizeof ports, "%d", port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res, *ai;
    int rc = getaddrinfo(host, ports, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "%s: cannot resolve %s: %s\n", who, host, gai_strerror(rc));
        return -1;
    }
    int fd = -1, err = 0;
    for (ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) break;
        if (errno == EINPROGRESS) {
            struct pollfd p = {.fd = fd, .events = POLLOUT};
            socklen_t sl = sizeof err;
            if (poll(&p, 1, timeout_ms) == 1 &&
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &sl) == 0 && err == 0)
                break;
            if (err == 0) err = ETIMEDOUT;
        } else {
            err = errno;
        }
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) fprintf(stderr, "%s: cannot connect to %s:%d: %s\n", who, host, port, strerror(err));
    return fd;
}

/* Connect with a timeout; prints why on failure. */
static int cli_dial(const char *target, int timeout_ms)
{
    char host[256];
    int port;
    if (split_target(target, host, sizeof host, &port) != 0) {
        fprintf(stderr, "nodus: bad address '%s' (want HOST[:PORT])\n", target);
        return -1;
    }
    /* a cached device name, or NAME.local over mDNS (cli_fleet.c) */
    nd_cli_resolve_name(host, sizeof host, &port, strchr(target, ':') != NULL);
    return nd_cli_tcp_connect(host, port, timeout_ms, "nodus");
}

/* Why a session step did not get what it waited for (what: "prompt" ...). */
static void report(int r, const char *what)
{
    if (r == CLI_TIMEOUT) fprintf(stderr, "nodus: no %s in time (--timeout)\n", what);
    else if (r == ND_SHCLI_EV_CLOSED || r == ND_SHCLI_EV_BYE)
        fprintf(stderr, "nodus: the node closed the connection\n");
    else if (r == ND_SHCLI_EV_GARBAGE) fprintf(stderr, "nodus: garbage instead of the %s\n", what);
    else if (r == CLI_TOOBIG)
        fprintf(stderr, "nodus: reply larger than %u bytes, giving up\n", CLI_REPLY_MAX);
    else if (r == CLI_SENDERR) fprintf(stderr, "nodus: cannot send: %s\n", strerror(errno));
    else fprintf(stderr, "nodus: connection error: %s\n", strerror(errno));
}

char *nd_cli_ask_password(void)
{
    static char pw[256];
    struct termios old, quiet;
    bool tty = tcgetattr(0, &old) == 0;
    fputs("Password: ", stderr);
    if (tty) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(0, TCSAFLUSH, &quiet);
    }
    char *r = fgets(pw, sizeof pw, stdin);
    if (tty) tcsetattr(0, TCSAFLUSH, &old);
    fputc('\n', stderr);
    if (!r) return NULL;
    pw[strcspn(pw, "\r\n")] = 0;
    return pw;
}

/* Connect, read the greeting, log in if asked. Returns an exit code. */
static int cli_open(cli_sess *c, const cli_opts *o, bool may_ask)
{
    memset(c, 0, sizeof *c);
    c->fd = -1;
    int fd = cli_dial(o->target, o->timeout_ms < 5000 ? o->timeout_ms : 5000);
    if (fd < 0) return EXIT_CONN;
    int r = cli_sess_greet(c, fd, o->timeout_ms);
    if (r == ND_SHCLI_EV_BUSY) {
        size_t n;
        const char *line = nd_shcli_partial(&c->sh, &n);
        fprintf(stderr, "nodus: %.*s\n", (int)n, line);
        return EXIT_REFUSED;
    }
    if (r == ND_SHCLI_EV_GREETED) return EXIT_OK;
    if (r != ND_SHCLI_EV_ASKS_PASSWORD) {
        report(r, "prompt");
        return EXIT_CONN;
    }
    const char *pwd = o->pwd;
    if (!pwd) pwd = getenv("NODUS_PWD");
    if (!pwd && may_ask) pwd = nd_cli_ask_password();
    if (!pwd) {
        fprintf(stderr, "nodus: the node asks for a password: give --pwd or set NODUS_PWD\n");
        return EXIT_REFUSED;
    }
    if (!*pwd || strpbrk(pwd, " \t\r\n")) {
        fprintf(stderr, "nodus: a password cannot be empty or contain spaces\n");
        return EXIT_REFUSED;
    }
    r = cli_sess_login(c, pwd);
    if (r == ND_SHCLI_EV_AUTH_OK) return EXIT_OK;
    if (r == ND_SHCLI_EV_AUTH_FAILED) {
        fprintf(stderr, "nodus: wrong password (AuthFailed)\n");
        return EXIT_REFUSED;
    }
    report(r, "answer to the password");
    return EXIT_CONN;
}

/* Commands after which the node closes the session on purpose. */
static bool ends_session(const char *cmd)
{
    while (*cmd == ' ' || *cmd == '\t') cmd++;
    return !strncmp(cmd, "exit", 4) || !strncmp(cmd, "reboot", 6);
}

static int parse_opts(int argc, char **argv, cli_opts *o, bool want_cmds)
{
    memset(o, 0, sizeof *o);
    o->timeout_ms = 10000;
    o->cmds = calloc((size_t)argc + 1, sizeof *o->cmds);
    if (!o->cmds) return -1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--pwd") && i + 1 < argc) {
            o->pwd = argv[++i];
        } else if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
            char *end;
            double s = strtod(argv[++i], &end);
            if (*end || s <= 0 || s > 86400) {
                fprintf(stderr, "nodus: --timeout wants seconds (0 < s <= 86400)\n");
                return -1;
            }
            o->timeout_ms = (int)(s * 1000);
        } else if (!o->target && argv[i][0] != '-') {
            o->target = argv[i];
        } else if (o->target && want_cmds && strcmp(argv[i], "--") != 0) {
            o->cmds[o->ncmds++] = argv[i];
        } else if (!strcmp(argv[i], "--")) {
            continue;
        } else {
            fprintf(stderr, "nodus %s: unexpected argument '%s'\n", argv[0], argv[i]);
            return -1;
        }
    }
    if (!o->target) {
        fprintf(stderr, "usage: nodus %s HOST[:PORT] [--pwd PASSWORD] [--timeout SECONDS]%s\n",
                argv[0], want_cmds ? " 'command' ..." : "");
        return -1;
    }
    return 0;
}

/* Run one command and print its reply. Returns an exit code, or -1 when the
** session ended as the command asked (exit, reboot). */
static int run_one(cli_sess *c, const char *cmd)
{
    int r = cli_sess_cmd(c, cmd);
    fwrite(c->buf, 1, c->len, stdout);
    fflush(stdout);
    if (r == ND_SHCLI_EV_REPLY) return EXIT_OK;
    if ((r == ND_SHCLI_EV_CLOSED || r == ND_SHCLI_EV_BYE) && ends_session(cmd)) return -1;
    report(r, "reply");
    return EXIT_CONN;
}

int nd_cli_exec(int argc, char **argv)
{
    cli_opts o;
    if (parse_opts(argc, argv, &o, true) != 0) {
        free(o.cmds);
        return EXIT_USAGE;
    }
    cli_sess c;
    int rc = cli_open(&c, &o, false);
    char line[8192];
    for (int i = 0; rc == EXIT_OK; i++) {
        const char *cmd;
        if (o.ncmds) {
            if (i == o.ncmds) break;
            cmd = o.cmds[i];
        } else { /* no commands given: one per line from stdin */
            if (!fgets(line, sizeof line, stdin)) break;
            line[strcspn(line, "\r\n")] = 0;
            if (!line[0] || line[0] == '#') continue;
            cmd = line;
        }
        int r = run_one(&c, cmd);
        if (r == -1) break;
        rc = r;
    }
    cli_sess_close(&c, rc == EXIT_OK);
    free(o.cmds);
    return rc;
}

/* Line editing comes from libedit, loaded only by `nodus connect`: a
** running node never maps it (with its libtinfo and libbsd that is ~370 kB
** of resident memory the node would pay for nothing). Without libedit the
** client still works, without editing and history. */
static struct {
    char *(*readline)(const char *);
    int (*add_history)(const char *);
    int (*read_history)(const char *);
    int (*write_history)(const char *);
    void (*stifle_history)(int);
    void (*using_history)(void);
} ed;

static bool edit_load(void)
{
    void *h = dlopen("libedit.so.2", RTLD_NOW | RTLD_LOCAL);
    if (!h) return false;
    /* POSIX's way to store a dlsym() result in a function pointer */
    *(void **)&ed.readline = dlsym(h, "readline");
    *(void **)&ed.add_history = dlsym(h, "add_history");
    *(void **)&ed.read_history = dlsym(h, "read_history");
    *(void **)&ed.write_history = dlsym(h, "write_history");
    *(void **)&ed.stifle_history = dlsym(h, "stifle_history");
    *(void **)&ed.using_history = dlsym(h, "using_history");
    if (ed.readline && ed.add_history && ed.read_history && ed.write_history && ed.stifle_history &&
        ed.using_history)
        return true;
    memset(&ed, 0, sizeof ed);
    dlclose(h);
    return false;
}

static char history_path[4096];

static void history_open(void)
{
    const char *x = getenv("XDG_STATE_HOME"), *h = getenv("HOME");
    char dir[4000];
    if (x && *x) snprintf(dir, sizeof dir, "%s", x);
    else if (h && *h) snprintf(dir, sizeof dir, "%s/.local/state", h);
    else return;
    char *p = dir;
    while ((p = strchr(p + 1, '/'))) { /* mkdir -p */
        *p = 0;
        mkdir(dir, 0700);
        *p = '/';
    }
    mkdir(dir, 0700);
    snprintf(history_path, sizeof history_path, "%s/nodus_history", dir);
    ed.using_history();
    ed.stifle_history(1000);
    ed.read_history(history_path);
}

int nd_cli_connect(int argc, char **argv)
{
    cli_opts o;
    if (parse_opts(argc, argv, &o, false) != 0) {
        free(o.cmds);
        return EXIT_USAGE;
    }
    o.timeout_ms = o.timeout_ms < 30000 ? 30000 : o.timeout_ms; /* people run slow things */
    bool tty = isatty(0);
    cli_sess c;
    int rc = cli_open(&c, &o, tty);
    if (rc != EXIT_OK) {
        cli_sess_close(&c, false);
        free(o.cmds);
        return rc;
    }
    bool edit = tty && edit_load();
    if (tty) {
        if (edit) history_open();
        else fprintf(stderr, "nodus: libedit.so.2 not found: no line editing or history\n");
        printf("connected to %s (%s); type help, or exit to leave\n", c.sh.devfid, o.target);
    }
    char *line = NULL;
    size_t lcap = 0;
    for (;;) {
        char *cmd;
        if (edit) {
            cmd = ed.readline(c.sh.prompt);
        } else {
            fputs(c.sh.prompt, stdout);
            fflush(stdout);
            if (getline(&line, &lcap, stdin) < 0) cmd = NULL;
            else cmd = strdup(line);
            if (cmd) cmd[strcspn(cmd, "\r\n")] = 0;
        }
        if (!cmd) { /* end of input: leave politely */
            if (tty) putchar('\n');
            break;
        }
        char *s = cmd;
        while (*s == ' ' || *s == '\t') s++;
        if (!*s) { /* an empty line means "exit" to micrOS: do not send it */
            free(cmd);
            continue;
        }
        if (edit) ed.add_history(s);
        int r = run_one(&c, s);
        free(cmd);
        if (r == -1) {
            cli_sess_close(&c, false);
            goto out;
        }
        if (r != EXIT_OK) {
            rc = r;
            break;
        }
    }
    cli_sess_close(&c, rc == EXIT_OK);
out:
    if (edit && history_path[0]) ed.write_history(history_path);
    free(line);
    free(o.cmds);
    return rc;
}
