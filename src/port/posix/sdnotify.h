/*
** sdnotify.h -- tell systemd how the node is doing (the sd_notify protocol).
**
** Under a Type=notify unit systemd puts the path of a unix datagram socket in
** $NOTIFY_SOCKET; a service sends it newline-separated KEY=VALUE lines:
** READY=1 once it serves, RELOADING=1 before it restarts itself, STATUS=...
** for `systemctl status`, WATCHDOG=1 as a keep-alive when the unit has
** WatchdogSec= (then $WATCHDOG_USEC holds the interval). The protocol is
** documented (sd_notify(3)) and stable, so the port speaks it itself rather
** than linking libsystemd. Outside systemd (no $NOTIFY_SOCKET) every call is
** a no-op. Nothing here blocks: a full socket queue drops the message.
*/
#ifndef ND_SDNOTIFY_H
#define ND_SDNOTIFY_H

#include <stdbool.h>
#include <stdint.h>

/* Send one message, printf-style (at most 511 bytes).
** 1 sent, 0 no $NOTIFY_SOCKET, -1 not sent (reported once on stderr). */
int nd_sd_notifyf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The watchdog keep-alive, called by the event loop on every turn: sends
** WATCHDOG=1 when half of $WATCHDOG_USEC has passed since the last one, and
** returns the earlier of next_ms and the next keep-alive, so the loop wakes
** in time. Only the loop feeds it: a wedged loop starves systemd's watchdog,
** which then restarts the service. Returns next_ms when no watchdog is asked
** for (no $WATCHDOG_USEC, or $WATCHDOG_PID names another process). */
uint64_t nd_sd_watchdog(uint64_t now_ms, uint64_t next_ms);

/* The config key `ha` (micrOS: watchdog and self-heal), given once at start:
** False stops the keep-alives and tells systemd to stop watching this run
** (WATCHDOG_USEC=0, sd_notify(3)), so the service is not restarted for the
** silence; True (the default) leaves the watchdog as above. */
void nd_sd_watchdog_ha(bool ha);

#endif
