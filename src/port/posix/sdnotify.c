/*
** sdnotify.c -- the sd_notify datagram protocol (sdnotify.h), spoken directly.
**
** One message is one datagram on a fresh socket: no descriptor stays open
** between messages (the node's fd count does not change under systemd, and
** nothing leaks across the re-exec of a reboot). The socket is non-blocking:
** if systemd's queue is full the message is dropped rather than stalling the
** loop -- the keep-alive goes out at half the watchdog interval, so one drop
** still leaves time for the next. The environment is left as it is (unlike
** sd_notify's unset_environment): the re-exec'd node after `reboot` is the
** same service process and must find $NOTIFY_SOCKET again to say READY=1.
*/
#define _GNU_SOURCE
#include "sdnotify.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int warned; /* a broken $NOTIFY_SOCKET is reported once, not per keep-alive */

static int fail(const char *path, const char *why)
{
    if (!warned) fprintf(stderr, "nodus: cannot notify systemd at %s: %s\n", path, why);
    warned = 1;
    return -1;
}

static int send_state(const char *msg, size_t len)
{
    const char *path = getenv("NOTIFY_SOCKET");
    if (!path || !*path) return 0;
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    size_t n = strlen(path);
    /* a file system path, or '@' for Linux's abstract namespace (a leading
    ** NUL, not counted as a terminator: the length says where it ends) */
    if (path[0] != '/' && path[0] != '@') return fail(path, "not a unix socket path");
    if (n >= sizeof sa.sun_path) return fail(path, "path too long");
    memcpy(sa.sun_path, path, n);
    if (path[0] == '@') sa.sun_path[0] = 0;
    socklen_t salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return fail(path, strerror(errno));
    ssize_t r;
    do
        r = sendto(fd, msg, len, MSG_NOSIGNAL, (struct sockaddr *)&sa, salen);
    while (r < 0 && errno == EINTR);
    int e = errno;
    close(fd);
    if (r < 0) return e == EAGAIN ? -1 : fail(path, strerror(e)); /* full queue: just dropped */
    return 1;
}

int nd_sd_notifyf(const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n < 0) return -1;
    return send_state(msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1);
}

/* $WATCHDOG_USEC, read once per process image: systemd sets it for the main
** process only ($WATCHDOG_PID), so a child that inherited it stays quiet. */
static uint64_t watchdog_period_ms(void)
{
    static int parsed;
    static uint64_t period;
    if (parsed) return period;
    parsed = 1;
    const char *u = getenv("WATCHDOG_USEC"), *p = getenv("WATCHDOG_PID");
    if (!u || !*u) return 0;
    char *end;
    errno = 0;
    unsigned long long usec = strtoull(u, &end, 10);
    if (errno || *end || usec == 0 || u[0] == '-') return 0;
    if (p && *p) {
        unsigned long long pid = strtoull(p, &end, 10);
        if (*end || pid != (unsigned long long)getpid()) return 0;
    }
    period = usec / 2000u; /* half the interval, as sd_watchdog_enabled(3) advises */
    if (period == 0) period = 1;
    return period;
}

static int watchdog_off; /* config `ha` False: no supervision asked for */

void nd_sd_watchdog_ha(bool ha)
{
    watchdog_off = !ha;
    /* systemd still counts down from WatchdogSec=: a timeout of 0 stops its
    ** watchdog for this service run, instead of a restart for silence */
    if (!ha && watchdog_period_ms()) nd_sd_notifyf("WATCHDOG_USEC=0");
}

uint64_t nd_sd_watchdog(uint64_t now_ms, uint64_t next_ms)
{
    if (watchdog_off) return next_ms;
    static uint64_t due; /* 0: feed on the first turn */
    uint64_t period = watchdog_period_ms();
    if (!period) return next_ms;
    if (now_ms >= due) {
        nd_sd_notifyf("WATCHDOG=1");
        due = now_ms + period;
    }
    return due < next_ms ? due : next_ms;
}
