/*
** opts.h -- every tunable limit and feature switch of the core, in one place.
**
** lwIP's opt.h pattern: each value below is a default guarded by #ifndef, so
** a port overrides any of them without touching the core. A port that needs
** other values compiles with -DND_PORT_OPTS and puts its own nd_port_opts.h
** on the include path; that header is read first and wins (the firmware's is
** src/port/mps2/nd_port_opts.h). -DNAME=value on the command line works too.
** The defaults are the Linux node's limits (a desktop or a Raspberry Pi):
** a board port shrinks them.
**
** Limits are bounds, not allocations, unless the comment says "static" or
** "allocated": a bigger bound only costs memory when it is used.
*/
#ifndef NODUS_OPTS_H
#define NODUS_OPTS_H

#ifdef ND_PORT_OPTS
#include "nd_port_opts.h"
#endif

/* ---- feature switches (1 = built in, 0 = the service is not in the image) --
** A switched-off service is never started; the linker (--gc-sections) then
** drops its code. Its config keys stay (a saved config keeps its meaning). */
#ifndef ND_WITH_WEB
#define ND_WITH_WEB 1 /* web door: REST, dashboard, /metrics, SSE (web.c, rest.c, http.c ...) */
#endif
#ifndef ND_WITH_MDNS
#define ND_WITH_MDNS 1 /* mDNS responder and .local lookups (mdns.c, mdns_query.c) */
#endif
#ifndef ND_WITH_SNTP
#define ND_WITH_SNTP 1 /* SNTP client (sntp.c) */
#endif
#ifndef ND_WITH_INTERCON
#define ND_WITH_INTERCON 1 /* `cmd >>host` to other nodes (intercon.c) */
#endif
#ifndef ND_WITH_CRON
#define ND_WITH_CRON 1 /* crontasks with time zone and sun (cron.c, sun.c) */
#endif
#ifndef ND_WITH_SUN
#define ND_WITH_SUN 1 /* `system sun` (sun.c + libm trigonometry; cron's sunrise/sunset keep it) */
#endif
#ifndef ND_WITH_UPDATE
#define ND_WITH_UPDATE 1 /* signed A/B updates (update*.c; needs mbedTLS) */
#endif
#ifndef ND_WITH_HTTP_CLIENT
#define ND_WITH_HTTP_CLIENT 1 /* outgoing HTTP (http_client.c): notify webhook/Telegram, nsh fetch */
#endif
#ifndef ND_WITH_NSH
#define ND_WITH_NSH 1 /* `sh`: the POSIX-like shell, init scripts (nsh*.c); off: `sh` says so */
#endif
#ifndef ND_WITH_TELNET
#define ND_WITH_TELNET 1 /* the telnet door (telnet.c, telnet_neg.c) */
#endif
#ifndef ND_WITH_MQTT
#define ND_WITH_MQTT 1 /* MQTT client, Home Assistant discovery, telemetry (mqtt*.c) */
#endif

/* ---- the node (node_int.h) -------------------------------------------- */
#ifndef ND_TIMERS_MAX
#define ND_TIMERS_MAX 8192 /* armed timers at once (tasks, sessions, services); allocated */
#endif
#ifndef ND_ARENA_SIZE
#define ND_ARENA_SIZE (64 * 1024) /* values of one command (arguments + result); allocated */
#endif
#ifndef ND_REPLY_MAX
#define ND_REPLY_MAX (64 * 1024) /* rendered reply of one command */
#endif
#ifndef ND_MODULES_MAX
#define ND_MODULES_MAX 64 /* built-in + user modules */
#endif
#ifndef ND_PARAMS_CACHE
#define ND_PARAMS_CACHE 256 /* parsed parameter specs kept (static; registry.c): a miss costs speed */
#endif
#ifndef ND_CFG_WARN_MAX
#define ND_CFG_WARN_MAX 16 /* unknown config key names warned about, per node */
#endif

/* ---- the shell door (shell.c) ----------------------------------------- */
#ifndef ND_LINE_MAX
#define ND_LINE_MAX 4096 /* longest command line, bytes */
#endif
#ifndef ND_OUT_HIGH
#define ND_OUT_HIGH (64 * 1024) /* stop reading above this much unsent output */
#endif
#ifndef ND_TAIL_MS
#define ND_TAIL_MS 100 /* wait for the rest of an unterminated line */
#endif

/* ---- sessions: slots and the waiting room (slots.h) -------------------- */
#ifndef ND_SLOTS_MAX
#define ND_SLOTS_MAX 256 /* hard cap on slots, whatever aioqueue says */
#endif
#ifndef ND_SLOT_WAIT_MAX
#define ND_SLOT_WAIT_MAX 192 /* clients in the waiting room, all doors */
#endif
#ifndef ND_SLOT_WAIT_MS
#define ND_SLOT_WAIT_MS 5000 /* how long a newcomer waits (micrOS: 5 s) */
#endif
#ifndef ND_SLOT_TICK_MS
#define ND_SLOT_TICK_MS 100 /* waiting-room poll period (micrOS: 100 ms) */
#endif

/* ---- tasks (task.h, task.c) -------------------------------------------- */
#ifndef ND_TASK_OUT_MAX
#define ND_TASK_OUT_MAX 1024 /* output kept per task (its last run) */
#endif
#ifndef ND_LATE_BUCKETS
#define ND_LATE_BUCKETS 2000 /* lateness histogram (static): 50 us buckets up to 100 ms */
#endif

/* ---- static rings and buffers of services ------------------------------ */
#ifndef ND_FETCH_READ
#define ND_FETCH_READ 16384 /* HTTP client bytes per recv (static; http_client.c) */
#endif
#ifndef ND_NOTES
#define ND_NOTES 32 /* `system notifications` kept, the oldest goes first (static; modules/system.c) */
#endif
#ifndef ND_GPIO_RING
#define ND_GPIO_RING 256 /* queued GPIO edges, more are dropped and counted (static ring; hal.c) */
#endif
#ifndef ND_IRQ_LAT_N
#define ND_IRQ_LAT_N 1024 /* interrupt latency samples kept (static ring; irq.c) */
#endif

/* ---- scheduler (cron.h, sched.h) --------------------------------------- */
#ifndef ND_CRON_MAX
#define ND_CRON_MAX 64 /* tasks per crontasks string */
#endif
#ifndef ND_CRON_CMD_MAX
#define ND_CRON_CMD_MAX 160 /* command bytes incl. NUL */
#endif
#ifndef ND_PIPE_MAX
#define ND_PIPE_MAX 32 /* commands in one pipeline */
#endif

/* ---- pin maps (pinmap.h; one static map per node) ---------------------- */
#ifndef ND_PIN_TAG_MAX
#define ND_PIN_TAG_MAX 32 /* tag length incl. NUL */
#endif
#ifndef ND_PINMAP_CUSTOM_MAX
#define ND_PINMAP_CUSTOM_MAX 32 /* cstmpmap overrides + bind_pin(tag, n) */
#endif
#ifndef ND_PINMAP_BOOK_MAX
#define ND_PINMAP_BOOK_MAX 64 /* pins booked at once */
#endif
#ifndef ND_PINMAP_PROBLEMS
#define ND_PINMAP_PROBLEMS 512 /* cstmpmap problems text */
#endif

/* ---- config (cfg.h) ---------------------------------------------------- */
#ifndef ND_CFG_FILE_MAX
#define ND_CFG_FILE_MAX (64 * 1024) /* larger files are refused as unparsable, and never written */
#endif
#ifndef ND_CFG_STR_MAX
#define ND_CFG_STR_MAX 4096 /* longest string value accepted */
#endif

/* ---- web door (http.h, web_int.h) -------------------------------------- */
#ifndef ND_HTTP_HEAD_MAX
#define ND_HTTP_HEAD_MAX 8192 /* request line + headers */
#endif
#ifndef ND_HTTP_BODY_MAX
#define ND_HTTP_BODY_MAX (64 * 1024) /* non-streamed bodies (/config POST ...) */
#endif
#ifndef ND_WEB_CONN_MAX
#define ND_WEB_CONN_MAX 1024 /* sockets of the door, whatever they do */
#endif

#endif
