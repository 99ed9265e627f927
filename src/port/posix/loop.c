/*
** loop.c -- the POSIX event loop and non-blocking TCP (port.h).
**
** One thread, one poll() over a fixed table of sockets. Each socket keeps
** its index in the pollfd array, so watching/closing is O(1); closing swaps
** the last entry into the hole. The node is driven only through its public
** entry (nodus/run.h): nd_node_step runs what is due and gives the next
** deadline, which becomes the poll timeout, so idle timers cost nothing.
** Every socket is non-blocking and close-on-exec (a reboot re-execs us).
*/
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "nodus/port.h"
#include "nodus/run.h"
#include "posix.h"
#include "sdnotify.h"

#define ND_SOCKS_MAX 4096 /* sockets open at once; accept past it is refused */

struct nd_sock {
    int fd;
    int idx; /* index in pfds/socks */
    bool listener;
    nd_sock_fn fn;
    void *ud;
};

static struct pollfd pfds[ND_SOCKS_MAX];
static nd_sock *socks[ND_SOCKS_MAX];
static int nsocks;
static volatile sig_atomic_t stop_flag;
/* SIGINT while the console is open (console.c) interrupts its nsh command:
** the handler only notes it; the loop calls sigint_fn after poll(). */
static volatile sig_atomic_t sigint_routed, sigint_pending;
static void (*sigint_fn)(void);
static uint64_t busy_us_window, window_start_us;
static unsigned load_pm;

/* ---- clocks ------------------------------------------------------------ */
uint64_t nd_port_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

uint64_t nd_port_mono_ms(void) { return nd_port_mono_us() / 1000u; }

int64_t nd_port_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- socket table ------------------------------------------------------ */
static nd_sock *sock_new(int fd, nd_sock_fn fn, void *ud, int events)
{
    if (nsocks >= ND_SOCKS_MAX) return NULL;
    nd_sock *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->fd = fd;
    s->idx = nsocks++;
    s->fn = fn;
    s->ud = ud;
    socks[s->idx] = s;
    pfds[s->idx].fd = fd;
    pfds[s->idx].events = 0;
    pfds[s->idx].revents = 0;
    nd_net_watch(s, fn, ud, events);
    return s;
}

void nd_net_watch(nd_sock *s, nd_sock_fn fn, void *ud, int events)
{
    s->fn = fn;
    s->ud = ud;
    short ev = 0;
    if (events & ND_EV_READ) ev |= POLLIN;
    if (events & ND_EV_WRITE) ev |= POLLOUT;
    pfds[s->idx].events = ev;
}

static void close_entry(nd_sock *s);

void nd_net_close(nd_sock *s)
{
    if (!s) return;
    close(s->fd);
    close_entry(s);
}

static void close_entry(nd_sock *s)
{
    int i = s->idx, last = nsocks - 1;
    if (i != last) {
        pfds[i] = pfds[last];
        socks[i] = socks[last];
        socks[i]->idx = i;
    }
    socks[last] = NULL;
    nsocks--;
    free(s);
}

int nd_net_open_count(void) { return nsocks; }

nd_sock *nd_posix_watch_fd(int fd, nd_posix_fd_fn fn, void *ud)
{
    return sock_new(fd, fn, ud, ND_EV_READ);
}

/* Hooks for other files of this port (udp.c): a socket made elsewhere joins
** the same table and poll set, so UDP costs the loop nothing new. */
nd_sock *nd_posix_sock_add(int fd, nd_sock_fn fn, void *ud, int events)
{
    return sock_new(fd, fn, ud, events);
}

int nd_posix_sock_fd(nd_sock *s) { return s->fd; }

/* Stop watching a descriptor another library owns (libmosquitto closes its
** own socket): the entry leaves the table, the fd stays open. */
void nd_posix_sock_forget(nd_sock *s)
{
    if (!s) return;
    s->fd = -1;
    close_entry(s);
}

void nd_net_shutdown(nd_sock *s)
{
    if (s) shutdown(s->fd, SHUT_WR);
}

void nd_net_set_sndbuf(nd_sock *s, int bytes)
{
    if (s) setsockopt(s->fd, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof bytes);
}

static int map_errno(int e)
{
    switch (e) {
    case EAGAIN:
#if EAGAIN != EWOULDBLOCK
    case EWOULDBLOCK:
#endif
    case EINPROGRESS:
        return ND_EAGAIN;
    case ECONNRESET:
    case EPIPE:
    case ENOTCONN:
        return ND_ECLOSED;
    case EMFILE:
    case ENFILE:
    case ENOBUFS:
    case ENOMEM:
        return ND_ELIMIT;
    default:
        return ND_EIO;
    }
}

/* A numeric address, IPv4 or IPv6 (brackets allowed: "[::1]"), as a
** sockaddr. false when it is neither. */
static bool sockaddr_of(const char *host, int port, struct sockaddr_storage *ss, socklen_t *len)
{
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
        *len = sizeof *a4;
        return true;
    }
    char h[INET6_ADDRSTRLEN];
    size_t n = strlen(host);
    if (n >= 2 && host[0] == '[' && host[n - 1] == ']') snprintf(h, sizeof h, "%.*s", (int)n - 2, host + 1);
    else snprintf(h, sizeof h, "%s", host);
    if (inet_pton(AF_INET6, h, &a6->sin6_addr) != 1) return false;
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons((uint16_t)port);
    *len = sizeof *a6;
    return true;
}

/* host NULL, "" or "0.0.0.0": every interface, IPv6 and IPv4 on one
** dual-stack socket ("::" with IPV6_V6ONLY off) -- mDNS announces AAAA too --
** and IPv4 alone where the machine has no IPv6. An IPv6 literal ("::1"):
** that address only. */
int nd_net_listen(const char *host, int port, int backlog, nd_sock_fn fn, void *ud, nd_sock **out)
{
    struct sockaddr_storage sa;
    socklen_t salen;
    bool any = !host || !*host || !strcmp(host, "0.0.0.0");
    int fd = -1;
    if (any && sockaddr_of("::", port, &sa, &salen)) {
        fd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        int off = 0;
        if (fd >= 0 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) < 0) {
            close(fd);
            fd = -1;
        }
    }
    if (fd < 0) {
        if (!sockaddr_of(any ? "0.0.0.0" : host, port, &sa, &salen)) return ND_EINVAL;
        fd = socket(sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) return map_errno(errno);
        int on = 1;
        if (sa.ss_family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&sa, salen) < 0 || listen(fd, backlog) < 0) {
        int e = errno;
        close(fd);
        return e == EACCES ? ND_EINVAL : map_errno(e);
    }
    nd_sock *s = sock_new(fd, fn, ud, ND_EV_READ);
    if (!s) {
        close(fd);
        return ND_ELIMIT;
    }
    s->listener = true;
    *out = s;
    return ND_OK;
}

int nd_net_local_port(nd_sock *s)
{
    struct sockaddr_storage sa;
    socklen_t len = sizeof sa;
    if (getsockname(s->fd, (struct sockaddr *)&sa, &len) < 0) return -1;
    if (sa.ss_family == AF_INET6) return ntohs(((struct sockaddr_in6 *)&sa)->sin6_port);
    return ntohs(((struct sockaddr_in *)&sa)->sin_port);
}

/* "1.2.3.4:5678", "[::1]:5678"; an IPv4-mapped IPv6 peer of a dual-stack
** listener ("::ffff:1.2.3.4") is written as the IPv4 address it is. */
static void peer_name(const struct sockaddr_storage *sa, char *peer, size_t peern)
{
    char ip[INET6_ADDRSTRLEN] = "?";
    if (sa->ss_family == AF_INET6) {
        const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)sa;
        if (IN6_IS_ADDR_V4MAPPED(&a6->sin6_addr)) {
            inet_ntop(AF_INET, &a6->sin6_addr.s6_addr[12], ip, sizeof ip);
            snprintf(peer, peern, "%s:%u", ip, ntohs(a6->sin6_port));
        } else {
            inet_ntop(AF_INET6, &a6->sin6_addr, ip, sizeof ip);
            snprintf(peer, peern, "[%s]:%u", ip, ntohs(a6->sin6_port));
        }
        return;
    }
    const struct sockaddr_in *a4 = (const struct sockaddr_in *)sa;
    inet_ntop(AF_INET, &a4->sin_addr, ip, sizeof ip);
    snprintf(peer, peern, "%s:%u", ip, ntohs(a4->sin_port));
}

int nd_net_accept(nd_sock *ls, nd_sock **out, char *peer, size_t peern)
{
    struct sockaddr_storage sa;
    socklen_t len = sizeof sa;
    int fd = accept4(ls->fd, (struct sockaddr *)&sa, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) return ND_EAGAIN;
        return map_errno(errno) == ND_EAGAIN ? ND_EAGAIN : ND_ELIMIT;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    nd_sock *s = sock_new(fd, NULL, NULL, 0);
    if (!s) {
        close(fd);
        return ND_ELIMIT;
    }
    if (peer && peern) peer_name(&sa, peer, peern);
    *out = s;
    return ND_OK;
}

int nd_net_connect(const char *host, int port, nd_sock_fn fn, void *ud, nd_sock **out)
{
    struct sockaddr_storage sa;
    socklen_t salen;
    if (!sockaddr_of(host, port, &sa, &salen)) return ND_EINVAL; /* IPv4 or IPv6 literal */
    int fd = socket(sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return map_errno(errno);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&sa, salen) < 0 && errno != EINPROGRESS) {
        int e = errno;
        close(fd);
        return e == ECONNREFUSED ? ND_ECLOSED : map_errno(e);
    }
    nd_sock *s = sock_new(fd, fn, ud, ND_EV_WRITE);
    if (!s) {
        close(fd);
        return ND_ELIMIT;
    }
    *out = s;
    return ND_OK;
}

int nd_net_error(nd_sock *s)
{
    int e = 0;
    socklen_t len = sizeof e;
    if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0) return ND_EIO;
    if (!e) return 0;
    return e == ECONNREFUSED ? ND_ECLOSED : map_errno(e);
}

long nd_net_send(nd_sock *s, const void *p, size_t n)
{
    ssize_t r = send(s->fd, p, n, MSG_NOSIGNAL);
    if (r >= 0) return (long)r;
    if (errno == EINTR) return ND_EAGAIN;
    return map_errno(errno);
}

long nd_net_recv(nd_sock *s, void *p, size_t n)
{
    ssize_t r = recv(s->fd, p, n, 0);
    if (r >= 0) return (long)r;
    if (errno == EINTR) return ND_EAGAIN;
    int e = map_errno(errno);
    return e == ND_EAGAIN ? ND_EAGAIN : ND_ECLOSED;
}

/* ---- the loop ---------------------------------------------------------- */
static void on_signal(int sig)
{
    if (sig == SIGINT && sigint_routed) sigint_pending++; /* each one counts (^C ^C: a hint) */
    else stop_flag = 1;
}

void nd_posix_on_sigint(void (*fn)(void))
{
    sigint_fn = fn;
    sigint_routed = fn != NULL;
}

void nd_loop_stop(void) { stop_flag = 1; }

unsigned nd_loop_load_pm(void) { return load_pm; }

/* Load: the share of wall time the loop spent outside poll() over the last
** few seconds (micrOS estimates it from the idle task's latency). */
static void account(uint64_t busy_us)
{
    uint64_t now = nd_port_mono_us();
    busy_us_window += busy_us;
    if (now - window_start_us >= 5000000u) {
        load_pm = nd_permille(busy_us_window, now - window_start_us);
        busy_us_window = 0;
        window_start_us = now;
    }
}

/* Installed before the node starts (main.c), not when the loop first
** turns: a SIGTERM that arrives while the node is still starting -- its
** doors may already accept -- must end it cleanly too, not kill it. It
** just sets stop_flag, which the loop sees before its first poll. */
void nd_posix_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int nd_loop_run(struct nd_node *node)
{
    nd_posix_signals();
    window_start_us = nd_port_mono_us();
    uint64_t next = nd_node_step(node, nd_port_mono_ms());
    while (!stop_flag) {
        /* next <= now: work waits (due timer, queued pin edges): no sleep */
        uint64_t now = nd_port_mono_ms();
        next = nd_sd_watchdog(now, next); /* systemd's keep-alive: fed only by a turning loop */
        nd_port_wdt_feed(); /* nsh's `wdt` (wdt.c): fed only by a turning loop too */
        int timeout = next <= now ? 0 : (next - now > 1000 ? 1000 : (int)(next - now));
        int r = poll(pfds, (nfds_t)nsocks, timeout);
        uint64_t t0 = nd_port_mono_us();
        if (r < 0 && errno != EINTR) return ND_EIO;
        while (sigint_pending) {
            sigint_pending--;
            if (sigint_fn) sigint_fn();
        }
        if (r > 0) {
            /* Walk from the end: a callback may close its own socket, which
            ** moves the last entry into its slot -- already visited. New
            ** sockets opened by callbacks are appended past `i` and wait for
            ** the next turn. */
            for (int i = nsocks - 1; i >= 0; i--) {
                if (i >= nsocks) continue;
                short re = pfds[i].revents;
                if (!re) continue;
                pfds[i].revents = 0;
                nd_sock *s = socks[i];
                int ev = 0;
                if (re & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) ev |= ND_EV_READ;
                if (re & POLLOUT) ev |= ND_EV_WRITE;
                if ((re & (POLLHUP | POLLERR)) && (pfds[i].events & POLLOUT)) ev |= ND_EV_WRITE;
                if (re & POLLNVAL) {
                    pfds[i].events = 0; /* never spin on a bad descriptor */
                }
                if (s->fn) s->fn(s, ev, s->ud);
            }
        }
        /* after the socket callbacks: they may have armed earlier timers */
        next = nd_node_step(node, nd_port_mono_ms());
        account(nd_port_mono_us() - t0);
    }
    stop_flag = 0; /* consumed: a second run (end.sh at shutdown) turns until stopped again */
    return ND_OK;
}
