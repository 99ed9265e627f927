/*
** nd_port_opts.h -- the firmware's limits (include/nodus/opts.h reads this
** first when ND_PORT_OPTS is defined). A board has kilobytes, not gigabytes:
** every bound here is what one small node serving a handful of clients
** needs. The Makefile adds -DND_PROFILE_MIN for the minimal image.
*/
#ifndef ND_PORT_OPTS_H
#define ND_PORT_OPTS_H

/* Profiles (the Makefile passes -DND_PROFILE_MIN/FULL/MAX; README "Firmware"):
**   min   shell + config + system + scheduler (tasks, timirq)
**   full  min + REST, cron with time zone and sun, SNTP, the sim backend
**         (modules system, sim and robustness -- SystemTest's)
**   max   everything this port has: MQTT, InterCon, mDNS, every module
** Never in a board image: nsh (a Linux-style shell with file and network
** commands, ~60 KB), telnet, the HTTP client (notify's webhook/Telegram
** channels say "not built in") and A/B updates (no mbedTLS beyond SHA-256). */
#define ND_WITH_NSH 0
#define ND_WITH_TELNET 0
#define ND_WITH_HTTP_CLIENT 0
#define ND_WITH_UPDATE 0
#define ND_WITH_LUA 0 /* no Lua yet: the Makefile leaves lua_*.c out (and the schema its keys) */
#define ND_WITH_KEY_HELP 0 /* config keys' help lines: docs only */
/* UDP services (net_lwip.c): SNTP gives cron's time zone and sun a wall
** clock (+3.7 KB), mDNS answers <devfid>.local (+10 KB, ~16 KB heap) */
#if !defined ND_WITH_SNTP && defined ND_PROFILE_MIN
#define ND_WITH_SNTP 0
#endif
#if !defined ND_WITH_MDNS && !defined ND_PROFILE_MAX
#define ND_WITH_MDNS 0
#endif
#if defined ND_PROFILE_MIN
#define ND_WITH_WEB 0
#define ND_WITH_MQTT 0
#define ND_WITH_INTERCON 0
#define ND_WITH_CRON 0 /* tasks and timirq stay; crontasks are the full profile's */
#define ND_WITH_TZ 0   /* no cron to need the `tz` rules: local time is UTC + `utc` minutes */
#define ND_WITH_SUN 0  /* `system sun` says so: 12 KB of sun.c and libm */
#define ND_WITH_SIM 0  /* no hardware backend: each hardware call says so */
#define ND_WITH_HW 0   /* and so no pin map: a pin lookup says the same (-2.3 KB) */
#define ND_WITH_WIDGETS 0 /* no web door, no dashboard to draw widgets: `help True` says so */
#elif defined ND_PROFILE_FULL
/* the web door serves REST (and micrOS's /config); the rest of it is max's */
#define ND_WITH_METRICS 0
#define ND_WITH_WEB_EVENTS 0
#define ND_WITH_WEB_FILES 0
#define ND_WITH_WEB_UI 0 /* no assets embedded (Makefile) and nothing in the image writes web/ */
#define ND_WITH_MQTT 0
#define ND_WITH_INTERCON 0
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
#ifdef ND_PROFILE_MIN
/* no backend in the image (ND_WITH_SIM 0, none of this port's own) pushes
** an edge: a 64-slot ring would be 1 KB of zeros that LTO, seeing no
** writer, moves into flash */
#define ND_GPIO_RING 2
#else
#define ND_GPIO_RING 64            /* queued GPIO edges between two loop turns */
#endif
#define ND_PINMAP_BOARDS 0         /* pin maps built in: `sim`, this board's own (pinmap.h; -2.2 KB) */
#define ND_PINMAP_CUSTOM_MAX 16    /* cstmpmap overrides + bind_pin */
#define ND_PINMAP_BOOK_MAX 32      /* pins booked at once (the MPS2 sim board has fewer) */
#define ND_PINMAP_PROBLEMS 256     /* cstmpmap problems text */

/* services' own bounds, sized for a board (the Linux defaults in opts.h are
** for a desktop): what a handful of clients and one broker need */
#define ND_EV_RING 16              /* live events kept for slow readers */
#define ND_EV_MAX 1024             /* one rendered event */
#define ND_DNS_Q_MAX 4             /* mDNS: questions looked at in one message */
#define ND_DNS_RR_MAX 8
#define ND_DNS_Z_MAX 16
#define ND_MDNSQ_CACHE 4
#define ND_MDNSQ_ASKS 2
#define ND_HOSTS_MAX 8             /* learned name -> address pairs */
#define ND_MQTT_TOPIC_MAX 128
#define ND_MQTT_PAYLOAD_MAX (8 * 1024)
#define ND_MQTT_RX_MAX 2048        /* one incoming packet */
#define ND_MQTTC_OUT_MAX (16 * 1024)
#define ND_MQTTC_INFLIGHT 32       /* QoS 1 publishes awaiting PUBACK (HA discovery bursts) */
#define ND_HTTP_URL_MAX 512
#define ND_HTTP_HEADERS_MAX 16
#define ND_WEB_IN_FIRST 512
#define ND_WEB_OUT_LOW 2048
#define ND_WEB_CHUNK 2048
#define ND_WEB_UPLOAD_MAX (64 * 1024)
#define ND_IC_IN_MAX 2048          /* InterCon reply bytes buffered per call */
#define ND_IC_KEEP 1024
#define ND_IC_TAIL 256
#define ND_ICPEERS_MAX 256
#define ND_AUTH_PEERS_MAX 16       /* peers the log-in lockout remembers */
#define ND_BCAST_HELD 1024         /* `~~~` bytes kept for an idle session */
#define ND_LISTEN_SHOW 256         /* mqttc listen: recent message bytes shown */
#define ND_RECURSION_MAX 100       /* robustness recursion_limit: a 16 KB stack */

#endif
