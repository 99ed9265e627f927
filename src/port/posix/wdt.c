/*
** wdt.c -- the node's watchdog (port.h nd_port_wdt_*, nsh's `wdt`).
**
** systemd's watchdog (WatchdogSec=, $WATCHDOG_USEC) is fed by the loop in
** sdnotify.c; here it is only reported. Otherwise `wdt -t` arms either the
** hardware device (/dev/watchdog or $NODUS_WATCHDOG_DEV: opened, its timeout
** set with WDIOC_SETTIMEOUT when it is a real device, fed by a write, closed
** with the magic 'V' on stop), or the node's own: one thread that wakes
** every 250 ms and aborts the process when the loop has not fed for the
** timeout. Either way the feed comes from the event loop's every turn, so
** only a turning loop keeps the node alive -- not a background job that
** might itself be the thing still running while everything else hangs.
*/
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <threads.h> /* not pthread.h: the core's sched.h shadows <sched.h> (resolve.c) */
#include <time.h>
#include <unistd.h>
#if defined(__linux__)
#include <linux/watchdog.h>
#endif

#include "nodus/port.h"

static atomic_uint_least64_t last_feed; /* mono ms */
static atomic_uint_least64_t not_before; /* -d: the node's own bites only after this */
static atomic_uint timeout_s;           /* 0: disarmed */
static int dev_fd = -1;
static bool thread_started;
static uint64_t dev_fed;

static bool systemd_dog(void)
{
    const char *u = getenv("WATCHDOG_USEC");
    return u && *u && atol(u) > 0;
}

static const char *dev_path(void)
{
    const char *p = getenv("NODUS_WATCHDOG_DEV");
    return p && *p ? p : "/dev/watchdog";
}

static int watcher(void *arg)
{
    (void)arg;
    for (;;) {
        struct timespec ts = {0, 250 * 1000000L};
        nanosleep(&ts, NULL);
        unsigned t = atomic_load(&timeout_s);
        if (!t || dev_fd >= 0) continue;
        uint64_t now = nd_port_mono_ms();
        if (now < atomic_load(&not_before)) continue;
        if (now - atomic_load(&last_feed) > (uint64_t)t * 1000) {
            fprintf(stderr, "nodus: watchdog: the event loop has not turned for %u s; aborting\n", t);
            abort();
        }
    }
    return 0;
}

int nd_port_wdt_arm(uint32_t t, uint32_t delay_s)
{
    if (systemd_dog()) return t ? ND_OK : ND_EINVAL; /* systemd's is always on */
    atomic_store(&last_feed, nd_port_mono_ms());
    if (t == 0) {
        atomic_store(&timeout_s, 0);
        if (dev_fd >= 0) {
            if (write(dev_fd, "V", 1) < 0) { /* magic close: the device stops */
            }
            close(dev_fd);
            dev_fd = -1;
        }
        return ND_OK;
    }
    if (dev_fd < 0 && access(dev_path(), W_OK) == 0) {
        dev_fd = open(dev_path(), O_WRONLY | O_CLOEXEC | O_NONBLOCK);
#if defined(__linux__)
        int to = (int)t;
        if (dev_fd >= 0) ioctl(dev_fd, WDIOC_SETTIMEOUT, &to); /* a plain file (tests) says ENOTTY */
#endif
    }
    atomic_store(&not_before, nd_port_mono_ms() + (uint64_t)delay_s * 1000);
    atomic_store(&timeout_s, t);
    if (dev_fd < 0 && !thread_started) {
        thrd_t th;
        if (thrd_create(&th, watcher, NULL) != thrd_success) {
            atomic_store(&timeout_s, 0);
            return ND_ENOMEM;
        }
        thrd_detach(th);
        thread_started = true;
    }
    return ND_OK;
}

void nd_port_wdt_info(nd_wdt_info *out)
{
    memset(out, 0, sizeof *out);
    if (systemd_dog()) {
        snprintf(out->kind, sizeof out->kind, "systemd");
        out->armed = true;
        out->timeout_s = (uint32_t)(atol(getenv("WATCHDOG_USEC")) / 1000000);
        out->last_feed_ms = atomic_load(&last_feed);
        return;
    }
    bool dev = dev_fd >= 0 || (atomic_load(&timeout_s) == 0 && access(dev_path(), W_OK) == 0);
    snprintf(out->kind, sizeof out->kind, "%s", dev ? "device" : "node");
    out->timeout_s = atomic_load(&timeout_s);
    out->armed = out->timeout_s > 0;
    out->last_feed_ms = atomic_load(&last_feed);
}

void nd_port_wdt_feed(void)
{
    uint64_t now = nd_port_mono_ms();
    atomic_store(&last_feed, now);
    if (dev_fd >= 0 && now - dev_fed >= 1000) { /* a device needs no more than one write a second */
        dev_fed = now;
        if (write(dev_fd, "\0", 1) < 0) {
        }
    }
}
