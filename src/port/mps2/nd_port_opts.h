/*
** nd_port_opts.h -- the firmware's limits (include/nodus/opts.h reads this
** first when ND_PORT_OPTS is defined). A board has kilobytes, not gigabytes:
** every bound here is what one small node serving a handful of clients
** needs. The Makefile adds -DND_PROFILE_MIN for the minimal image.
*/
#ifndef ND_PORT_OPTS_H
#define ND_PORT_OPTS_H

/* services: no mDNS/SNTP (no UDP in this port yet), no A/B updates (no
** mbedTLS in the image); the minimal profile also drops the web door */
#define ND_WITH_MDNS 0
#define ND_WITH_SNTP 0
#define ND_WITH_UPDATE 0
/* nsh (a Linux-style shell with file and network commands, ~60 KB) and
** telnet are not part of either firmware profile (issue 15: minimal = shell
** + config + system + scheduler; full = that + REST, cron, sim backend) */
#define ND_WITH_NSH 0
#define ND_WITH_TELNET 0
#define ND_WITH_HTTP_CLIENT 0 /* notify's webhook/Telegram channels say "not built in" */
/* the full image keeps MQTT and InterCon (the port has both: mqtt_own.c,
** tests/blackbox/test_firmware_mqtt.py); the minimal one leaves out: */
#ifdef ND_PROFILE_MIN
#define ND_WITH_WEB 0
#define ND_WITH_MQTT 0
#define ND_WITH_INTERCON 0
#define ND_WITH_CRON 0 /* tasks and timirq stay; crontasks are the full profile's */
#define ND_WITH_SUN 0  /* `system sun` says so: 12 KB of sun.c and libm */
#endif

#define ND_TIMERS_MAX 128          /* tasks + sessions + services */
#define ND_ARENA_SIZE (48 * 1024)  /* one command's values (sim state: ~20 KB) */
#define ND_REPLY_MAX (16 * 1024)   /* one rendered reply */
#define ND_MODULES_MAX 24
#ifdef ND_PROFILE_MIN
#define ND_PARAMS_CACHE 16         /* one module (system): fewer specs to keep */
#else
#define ND_PARAMS_CACHE 48         /* parsed parameter specs (~100 B each); a miss re-parses */
#endif
#define ND_OUT_HIGH (8 * 1024)     /* unsent shell output before reading stops */
#define ND_SLOTS_MAX 4             /* concurrent sessions, whatever aioqueue says */
#ifdef ND_PROFILE_MIN
/* one door only: 1 listener + 4 slots + 8 waiting fit 16 sockets (net_lwip.c);
** newcomers past them are refused by lwIP's pool, cleanly */
#define ND_SLOT_WAIT_MAX 8
#define ND_FW_SOCKS 16
#else
#define ND_SLOT_WAIT_MAX 12        /* clients in the waiting room */
#endif
#define ND_LATE_BUCKETS 200        /* lateness histogram: up to 10 ms in 50 us steps */
#define ND_CRON_MAX 16
#define ND_PIPE_MAX 8
#define ND_CFG_FILE_MAX (8 * 1024) /* one copy of the flash config store holds this */
#define ND_CFG_STR_MAX 1024
#define ND_HTTP_HEAD_MAX 2048
#define ND_HTTP_BODY_MAX (8 * 1024)
#define ND_WEB_CONN_MAX 8
#define ND_FETCH_READ 2048         /* HTTP client recv chunk: more calls, same bytes */
#ifdef ND_PROFILE_MIN
#define ND_NOTES 4                 /* `system notifications` kept */
#else
#define ND_NOTES 8
#endif
#define ND_IRQ_LAT_N 128           /* interrupt latency samples (percentiles over fewer) */
#define ND_GPIO_RING 64            /* queued GPIO edges between two loop turns */
#define ND_PINMAP_CUSTOM_MAX 16    /* cstmpmap overrides + bind_pin */
#define ND_PINMAP_BOOK_MAX 32      /* pins booked at once (the MPS2 sim board has fewer) */
#define ND_PINMAP_PROBLEMS 256     /* cstmpmap problems text */

#endif
