/*
** cli_sess.c -- a ShellCli session over a socket, for the CLI (cli_sess.h).
*/
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli_sess.h"
#include "nodus/port.h"

/* The machine's reply text: collected whole, bounded by CLI_REPLY_MAX. */
static void on_text(void *ud, const char *p, size_t n)
{
    cli_sess *s = ud;
    if (s->too_big) return;
    if (s->len + n + 1 > s->cap) {
        if (s->len + n + 1 > CLI_REPLY_MAX) {
            s->too_big = true;
            return;
        }
        size_t cap = s->cap ? s->cap : 4096;
        while (cap < s->len + n + 1) cap *= 2;
        char *nb = realloc(s->buf, cap);
        if (!nb) {
            s->too_big = true;
            return;
        }
        s->buf = nb;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, p, n);
    s->len += n;
    s->buf[s->len] = 0;
}

/* Read until the machine has something to say, or the time is up. */
static int wait_event(cli_sess *s)
{
    uint64_t deadline = nd_port_mono_ms() + (uint64_t)s->timeout_ms;
    char chunk[4096];
    for (;;) {
        uint64_t now = nd_port_mono_ms();
        if (now >= deadline) return CLI_TIMEOUT;
        struct pollfd p = {.fd = s->fd, .events = POLLIN};
        int pr = poll(&p, 1, (int)(deadline - now));
        if (pr < 0 && errno == EINTR) continue;
        if (pr < 0) return CLI_IOERR;
        if (pr == 0) return CLI_TIMEOUT;
        ssize_t n = recv(s->fd, chunk, sizeof chunk, 0);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (n < 0 && errno != ECONNRESET) return CLI_IOERR;
        int ev = n > 0 ? nd_shcli_feed(&s->sh, chunk, (size_t)n) : nd_shcli_closed(&s->sh);
        if (s->too_big) return CLI_TOOBIG;
        if (ev != ND_SHCLI_EV_MORE) return ev;
    }
}

/* text + "\n" in one write where the socket takes it: a nodus node runs a
** line that arrives alone at once, so a split "\n" would read as `exit`. */
static int send_line(cli_sess *s, const char *text)
{
    size_t n = strlen(text);
    char *line = malloc(n + 1);
    if (!line) return -1;
    memcpy(line, text, n);
    line[n] = '\n';
    size_t off = 0;
    int rc = 0;
    while (off < n + 1) {
        ssize_t w = send(s->fd, line + off, n + 1 - off, MSG_NOSIGNAL);
        if (w < 0 && (errno == EINTR || errno == EAGAIN)) {
            struct pollfd p = {.fd = s->fd, .events = POLLOUT};
            if (poll(&p, 1, s->timeout_ms) == 0) {
                errno = ETIMEDOUT;
                rc = -1;
                break;
            }
            continue;
        }
        if (w <= 0) {
            rc = -1;
            break;
        }
        off += (size_t)w;
    }
    free(line);
    return rc;
}

int cli_sess_greet(cli_sess *s, int fd, int timeout_ms)
{
    memset(s, 0, sizeof *s);
    s->fd = fd;
    s->timeout_ms = timeout_ms;
    nd_shcli_init(&s->sh, on_text, s);
    on_text(s, "", 0); /* buf exists from here on */
    if (!s->buf) return CLI_IOERR;
    return wait_event(s);
}

int cli_sess_login(cli_sess *s, const char *pwd)
{
    if (nd_shcli_sent(&s->sh, ND_SHCLI_SEND_PASSWORD) != 0) return CLI_IOERR;
    if (send_line(s, pwd) != 0) return CLI_SENDERR;
    return wait_event(s);
}

int cli_sess_cmd(cli_sess *s, const char *cmd)
{
    s->len = 0;
    s->buf[0] = 0;
    if (nd_shcli_sent(&s->sh, ND_SHCLI_SEND_COMMAND) != 0) return CLI_IOERR;
    if (send_line(s, cmd) != 0) return CLI_SENDERR;
    int ev = wait_event(s);
    if (ev != ND_SHCLI_EV_REPLY) { /* unfinished: show all that came, the last line too */
        size_t n;
        const char *rest = nd_shcli_partial(&s->sh, &n);
        on_text(s, rest, n);
    }
    return ev;
}

void cli_sess_close(cli_sess *s, bool say_bye)
{
    if (s->fd >= 0) {
        if (say_bye) (void)!send(s->fd, "exit\n", 5, MSG_NOSIGNAL);
        close(s->fd);
    }
    free(s->buf);
    s->fd = -1;
    s->buf = NULL;
    s->len = s->cap = 0;
}
