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
#ifndef ND_WITH_TZ
#define ND_WITH_TZ 1 /* POSIX TZ rules for `tz` (tz.c); off: local time is UTC + `utc` minutes */
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
#ifndef ND_WITH_LUA
#define ND_WITH_LUA 1 /* Lua Load Modules (lua_*.c; a port without Lua sets 0: its keys go too) */
#endif
#ifndef ND_WITH_MQTT
#define ND_WITH_MQTT 1 /* MQTT client, Home Assistant discovery, telemetry (mqtt*.c) */
#endif
/* parts of the web door (each off: its paths answer 404 like any unknown file); by
** default each is there exactly where the door is */
#ifndef ND_WITH_METRICS
#define ND_WITH_METRICS ND_WITH_WEB /* Prometheus /metrics (metrics.c) */
#endif
#ifndef ND_WITH_WEB_EVENTS
#define ND_WITH_WEB_EVENTS ND_WITH_WEB /* live events over SSE, /events (web_events.c) */
#endif
#ifndef ND_WITH_WEB_UI
#define ND_WITH_WEB_UI ND_WITH_WEB /* web UI files from <state>/web/, the update slot, the embedded assets (webfile.c); off: those paths answer 404, as an empty web/ would */
#endif
#ifndef ND_WITH_WEB_FILES
#define ND_WITH_WEB_FILES ND_WITH_WEB /* /fs/ file API and uploads, $data/$logs mounts (webfs.c, multipart.c) */
#endif
#ifndef ND_WITH_SIM
#define ND_WITH_SIM 1 /* the simulated board (hal_sim.c + its device shelf); off: no backend
                       ** until the port's own answers, each hardware call says so */
#endif
#ifndef ND_WITH_HW
#define ND_WITH_HW 1 /* pin names and maps (pins.c, pinmap.c); 0 only in an image with no hardware
                      ** backend at all (ND_WITH_SIM 0 and none of the port's): every pin lookup then
                      ** answers the backend's reason, as every hardware call does */
#endif
#ifndef ND_WITH_WIDGETS
#define ND_WITH_WIDGETS 1 /* `<module> help True`: dashboard widget JSON from help tags (widget.c);
                           ** off (an image without a dashboard): that call says so */
#endif
#ifndef ND_WITH_KEY_HELP
#define ND_WITH_KEY_HELP 1 /* config keys' help lines (for `nodus config-keys` and docs) */
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
#ifndef ND_BCAST_HELD
#define ND_BCAST_HELD 4096 /* `~~~` bytes kept for a session idle at its prompt */
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
#ifndef ND_TASK_TAG_MAX
#define ND_TASK_TAG_MAX 64 /* task tag "<module>.<function>", NUL included */
#endif
#ifndef ND_LATE_STEP_US
#define ND_LATE_STEP_US 50 /* width of one lateness histogram bucket, microseconds */
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

/* ---- scheduler (cron.h, sched.h, sched.c) ------------------------------ */
#ifndef ND_CRON_MAX
#define ND_CRON_MAX 64 /* tasks per crontasks string */
#endif
#ifndef ND_CRON_CMD_MAX
#define ND_CRON_CMD_MAX 160 /* command bytes incl. NUL */
#endif
#ifndef ND_PIPE_MAX
#define ND_PIPE_MAX 32 /* commands in one pipeline */
#endif
#ifndef ND_CRON_SPEC_MAX
#define ND_CRON_SPEC_MAX 40 /* time spec kept for listings (truncated) */
#endif
#ifndef ND_CRON_SAVE_S
#define ND_CRON_SAVE_S 600 /* how often the last-seen time is saved for catch-up */
#endif

/* ---- pin maps (pinmap.h; one static map per node) ---------------------- */
#ifndef ND_PIN_TAG_MAX
#define ND_PIN_TAG_MAX 32 /* tag length incl. NUL */
#endif
#ifndef ND_PINMAP_BOARDS
#define ND_PINMAP_BOARDS 0xff /* board pin maps built in: a mask of pinmap.h's ND_PINMAP_ESP32 ... _RPI; `sim` is always in */
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

/* ---- web door: deadlines and buffers (http.h, web_int.h, webfs.c) ----- */
/* web_int.h derives the buffer caps from these (not tunable on their own):
** ND_WEB_IN_MAX = ND_HTTP_HEAD_MAX + ND_HTTP_BODY_MAX, and
** ND_WEB_OUT_MAX = 6 * ND_REPLY_MAX + 4096 (JSON escaping makes a byte six). */
#ifndef ND_HTTP_HEADERS_MAX
#define ND_HTTP_HEADERS_MAX 32 /* header lines kept */
#endif
#ifndef ND_HTTP_URL_MAX
#define ND_HTTP_URL_MAX 2048 /* request target bytes; longer gets 414 */
#endif
#ifndef ND_WEB_HEAD_MS
#define ND_WEB_HEAD_MS 10000 /* a request head must be complete within this (408) */
#endif
#ifndef ND_WEB_BODY_MS
#define ND_WEB_BODY_MS 10000 /* a body must make progress within this (408) */
#endif
#ifndef ND_WEB_PROGRESS_MIN
#define ND_WEB_PROGRESS_MIN 4096 /* bytes that count as progress against the deadlines */
#endif
#ifndef ND_WEB_IDLE_MS
#define ND_WEB_IDLE_MS 15000 /* an idle keep-alive connection is closed after this */
#endif
#ifndef ND_WEB_SEND_MS
#define ND_WEB_SEND_MS 30000 /* a response that makes no progress is abandoned */
#endif
#ifndef ND_WEB_LINGER_MS
#define ND_WEB_LINGER_MS 2000 /* after a closing response: drain input, then close */
#endif
#ifndef ND_WEB_SSE_PING_MS
#define ND_WEB_SSE_PING_MS 15000 /* ": keepalive" comment period on /events */
#endif
#ifndef ND_WEB_SSE_STALL_MS
#define ND_WEB_SSE_STALL_MS 60000 /* an events client that reads nothing is dropped */
#endif
#ifndef ND_WEB_SSE_SNDBUF
#define ND_WEB_SSE_SNDBUF (16 * 1024) /* kernel send buffer of an events stream */
#endif
#ifndef ND_WEB_IN_FIRST
#define ND_WEB_IN_FIRST 2048 /* first input buffer; grows up to ND_WEB_IN_MAX */
#endif
#ifndef ND_WEB_OUT_LOW
#define ND_WEB_OUT_LOW (16 * 1024) /* producers refill the output below this */
#endif
#ifndef ND_WEB_CHUNK
#define ND_WEB_CHUNK (16 * 1024) /* file bytes read per produce call */
#endif
#ifndef ND_WEB_UPLOAD_MAX
#define ND_WEB_UPLOAD_MAX (16 * 1024 * 1024) /* largest multipart upload body */
#endif
#ifndef ND_WEB_PATH_MAX
#define ND_WEB_PATH_MAX 256 /* relative file paths (state dir) the door serves */
#endif
#ifndef ND_FS_DEPTH
#define ND_FS_DEPTH 4 /* path segments below a place: bounded walks and listings (webfs.c) */
#endif
#ifndef ND_FS_SUBDIRS
#define ND_FS_SUBDIRS 32 /* subfolders walked per folder (webfs.c) */
#endif

/* ---- hardware and life cycle (hw.h, life.h) ---------------------------- */
#ifndef ND_HW_EDGES_PER_TURN
#define ND_HW_EDGES_PER_TURN 64 /* edges handled per loop turn: a storm cannot starve the doors */
#endif
#ifndef ND_LIFE_END_MS
#define ND_LIFE_END_MS 5000 /* end.sh gets this long at shutdown */
#endif
#ifndef ND_LIFE_GOOD_MS
#define ND_LIFE_GOOD_MS 60000 /* up this long: the boot was good */
#endif
#ifndef ND_LIFE_SHORT_BOOTS
#define ND_LIFE_SHORT_BOOTS 3 /* this many short boots in a row: recovery mode */
#endif

/* ---- live events (events.h) -------------------------------------------- */
#ifndef ND_EV_RING
#define ND_EV_RING 128 /* live events kept for slow readers (SSE, MQTT) */
#endif
#ifndef ND_EV_MAX
#define ND_EV_MAX 8192 /* bytes of one rendered event */
#endif

/* ---- log-in protection (auth.h, auth_hash.h) --------------------------- */
#ifndef ND_AUTH_PEERS_MAX
#define ND_AUTH_PEERS_MAX 256 /* addresses with recent failures tracked at once */
#endif
#ifndef ND_AUTH_WINDOW_MS
#define ND_AUTH_WINDOW_MS 60000 /* failures count within this window */
#endif
#ifndef ND_AUTH_FAIL_DELAY_MS
#define ND_AUTH_FAIL_DELAY_MS 500 /* a failed attempt's reply is held back this long */
#endif
#ifndef ND_AUTH_HASH_ITER
#define ND_AUTH_HASH_ITER 1024 /* ~2 ms on a PC (mbedTLS 2.28): a login attempt's cost to the loop */
#endif

/* ---- telnet door (telnet.c) -------------------------------------------- */
/* ND_TN_OUT_MAX (telnet.c) is ND_TN_OUT_HIGH + 16 KiB: the reply in progress still fits. */
#ifndef ND_TN_LINE_MAX
#define ND_TN_LINE_MAX 4096 /* longest input line, bytes */
#endif
#ifndef ND_TN_NAME_MAX
#define ND_TN_NAME_MAX 64 /* longest login name kept */
#endif
#ifndef ND_TN_OUT_HIGH
#define ND_TN_OUT_HIGH (64 * 1024) /* stop reading / tell nsh "no room" above this */
#endif
#ifndef ND_TN_TRIES
#define ND_TN_TRIES 3 /* password attempts per connection */
#endif
#ifndef ND_TN_LOGIN_IDLE_MS
#define ND_TN_LOGIN_IDLE_MS 60000 /* at most this long to log in */
#endif

/* ---- HTTP client (http_client.h, http_client.c) ------------------------ */
#ifndef ND_FETCH_URL_MAX
#define ND_FETCH_URL_MAX 512 /* bytes of one URL */
#endif
#ifndef ND_FETCH_HEAD_MAX
#define ND_FETCH_HEAD_MAX 8192 /* response line and headers */
#endif
#ifndef ND_FETCH_BODY_MAX
#define ND_FETCH_BODY_MAX (16 * 1024) /* bytes of a request body */
#endif
#ifndef ND_FETCH_READS
#define ND_FETCH_READS 16 /* recv calls per readiness callback: the loop stays fair */
#endif

/* ---- names and addresses (dns.h, mdns_query.h, resolve.h, devip.c) ---- */
#ifndef ND_DNS_Q_MAX
#define ND_DNS_Q_MAX 16 /* questions looked at in one message */
#endif
#ifndef ND_DNS_RR_MAX
#define ND_DNS_RR_MAX 48 /* answer + authority + additional records looked at */
#endif
#ifndef ND_DNS_Z_MAX
#define ND_DNS_Z_MAX 48 /* names remembered for compression by the builder */
#endif
#ifndef ND_MDNSQ_NAME
#define ND_MDNSQ_NAME 64 /* longest name looked up, NUL included */
#endif
#ifndef ND_MDNSQ_CACHE
#define ND_MDNSQ_CACHE 16 /* .local name -> IPv4 learned from answers */
#endif
#ifndef ND_MDNSQ_ASKS
#define ND_MDNSQ_ASKS 8 /* lookups in flight */
#endif
#ifndef ND_HOSTS_MAX
#define ND_HOSTS_MAX 32 /* learned name->ip pairs kept (least recently used goes) */
#endif
#ifndef ND_HOST_NAME_MAX
#define ND_HOST_NAME_MAX 64 /* longest cached name */
#endif
#ifndef ND_DEVIP_POLL_MS
#define ND_DEVIP_POLL_MS 5000 /* interface addresses are looked at this often */
#endif
#ifndef ND_DEVIP_IFS
#define ND_DEVIP_IFS 64 /* interface addresses looked at */
#endif

/* ---- SNTP (sntp.c) ----------------------------------------------------- */
#ifndef ND_SNTP_WAIT_MS
#define ND_SNTP_WAIT_MS 2000 /* wait for an answer to one request */
#endif
#ifndef ND_SNTP_RETRY_MS
#define ND_SNTP_RETRY_MS 2000 /* first retry after a failure (doubles up to the period) */
#endif
#ifndef ND_SNTP_PERIOD_S
#define ND_SNTP_PERIOD_S 3600 /* resync period after a success */
#endif

/* ---- InterCon (intercon.h, intercon.c, icpeers.h, shcli.h) ------------- */
/* ND_IC_KEEP + ND_IC_TAIL must stay below ND_IC_IN_MAX (head + tail window).
** The retry count and delay and the command size are micrOS's (intercon.h). */
#ifndef ND_IC_IN_MAX
#define ND_IC_IN_MAX 4096 /* reply bytes buffered per call (head + a tail window) */
#endif
#ifndef ND_IC_KEEP
#define ND_IC_KEEP 2048 /* reply head kept once the buffer fills; the rest is a tail window */
#endif
#ifndef ND_IC_TAIL
#define ND_IC_TAIL 256 /* tail kept when the window moves on */
#endif
#ifndef ND_IC_READS
#define ND_IC_READS 64 /* reads per readiness callback: a flooding peer cannot hold the loop */
#endif
#if ND_IC_KEEP + ND_IC_TAIL >= ND_IC_IN_MAX
#error "ND_IC_KEEP + ND_IC_TAIL must stay below ND_IC_IN_MAX"
#endif
#ifndef ND_ICPEERS_MAX
#define ND_ICPEERS_MAX 1024 /* bytes of the icpeers config value */
#endif
#ifndef ND_SHCLI_FID_MAX
#define ND_SHCLI_FID_MAX 64 /* devfid in a prompt, NUL included (nodus allows 32) */
#endif
#ifndef ND_SHCLI_LINE_MAX
#define ND_SHCLI_LINE_MAX 160 /* longest line that may still be a prompt */
#endif
#ifndef ND_SHCLI_HEAD_MAX
#define ND_SHCLI_HEAD_MAX 4096 /* greeting / answer to the password without a prompt */
#endif

/* ---- MQTT (mqtt.h, mqtt_int.h, mqtt_client.h, mqtt_client.c) ----------- */
#ifndef ND_MQTT_TOPIC_MAX
#define ND_MQTT_TOPIC_MAX 256 /* bytes of one topic */
#endif
#ifndef ND_MQTT_PAYLOAD_MAX
#define ND_MQTT_PAYLOAD_MAX (64 * 1024) /* bytes of one outgoing payload */
#endif
#ifndef ND_MQTT_INFLIGHT
#define ND_MQTT_INFLIGHT 32 /* handed to the port, not yet written/acked */
#endif
#ifndef ND_MQTT_QUEUE_BYTES
#define ND_MQTT_QUEUE_BYTES (512 * 1024) /* payload + topic bytes the queue may hold */
#endif
#ifndef ND_MQTT_CMD_MAX
#define ND_MQTT_CMD_MAX 4096 /* bytes of one command message */
#endif
#ifndef ND_MQTT_CONNECT_TIMEOUT_MS
#define ND_MQTT_CONNECT_TIMEOUT_MS 10000 /* TCP + TLS + CONNACK */
#endif
#ifndef ND_MQTT_BACKOFF_MIN_MS
#define ND_MQTT_BACKOFF_MIN_MS 1000 /* first reconnect delay (doubles on each failure) */
#endif
#ifndef ND_MQTT_BACKOFF_MAX_MS
#define ND_MQTT_BACKOFF_MAX_MS 60000 /* longest reconnect delay */
#endif
#ifndef ND_MQTT_SUBS_MAX
#define ND_MQTT_SUBS_MAX 16 /* mqttc subscriptions */
#endif
#ifndef ND_MQTT_INBOX
#define ND_MQTT_INBOX 32 /* messages kept for `mqttc listen` */
#endif
#ifndef ND_MQTT_INBOX_MSG
#define ND_MQTT_INBOX_MSG 512 /* bytes of one kept message (topic + payload) */
#endif
#ifndef ND_MQTT_EVENTS_PER_S
#define ND_MQTT_EVENTS_PER_S 100 /* live events published per second; more are dropped */
#endif
#ifndef ND_MQTT_RX_MAX
#define ND_MQTT_RX_MAX 8192 /* bytes of one incoming packet kept */
#endif
#ifndef ND_MQTTC_OUT_MAX
#define ND_MQTTC_OUT_MAX (256 * 1024) /* bytes queued for the socket */
#endif
#ifndef ND_MQTTC_OUT_KEEP
#define ND_MQTTC_OUT_KEEP 1024 /* output buffer kept when drained */
#endif
#ifndef ND_MQTTC_INFLIGHT
#define ND_MQTTC_INFLIGHT 256 /* QoS 1 publishes awaiting PUBACK (discovery sends many at once) */
#endif
#ifndef ND_MQTTC_CONNACK_MS
#define ND_MQTTC_CONNACK_MS 10000 /* TCP connect + CONNACK */
#endif
#ifndef ND_MQTTC_READS
#define ND_MQTTC_READS 16 /* reads per socket event: a flood cannot hold the loop */
#endif

/* ---- nsh, the shell language (nsh.h, nsh_int.h) ------------------------ */
#ifndef ND_NSH_ARGS_MAX
#define ND_NSH_ARGS_MAX 64 /* words per command after expansion */
#endif
#ifndef ND_NSH_LINE_MAX
#define ND_NSH_LINE_MAX 1024 /* one input or script line */
#endif
#ifndef ND_NSH_EXP_MAX
#define ND_NSH_EXP_MAX 4096 /* one command's words after expansion */
#endif
#ifndef ND_NSH_PATH_MAX
#define ND_NSH_PATH_MAX 256 /* a path as the user sees it */
#endif
#ifndef ND_NSH_NAME_MAX
#define ND_NSH_NAME_MAX 32 /* variable name */
#endif
#ifndef ND_NSH_VAL_MAX
#define ND_NSH_VAL_MAX 1024 /* variable value */
#endif
#ifndef ND_NSH_ENV_MAX
#define ND_NSH_ENV_MAX 128 /* variables per map (node, session overlay) */
#endif
#ifndef ND_NSH_DEPTH_MAX
#define ND_NSH_DEPTH_MAX 16 /* nested scripts and watch loops per run */
#endif
#ifndef ND_NSH_HIST_MAX
#define ND_NSH_HIST_MAX 32 /* history lines per session */
#endif
#ifndef ND_NSH_LABELS
#define ND_NSH_LABELS 16 /* labels remembered per script (more are found by scanning) */
#endif
#ifndef ND_NSH_CHUNK
#define ND_NSH_CHUNK 2048 /* script read-ahead */
#endif
#ifndef ND_NSH_SLICE_LINES
#define ND_NSH_SLICE_LINES 512 /* commands per turn before yielding to the loop */
#endif
#ifndef ND_NSH_SLICE_US
#define ND_NSH_SLICE_US 5000 /* ... or this much time */
#endif
#ifndef ND_NSH_JOBS_DONE
#define ND_NSH_JOBS_DONE 16 /* finished jobs remembered for ps/wait */
#endif

/* ---- nsh commands: files, curl, jq (nsh_cmds.h, nsh_cmd_net.c, nsh_jq.h, nsh_cmd_jq.c) ---- */
#ifndef ND_CMD_PATH_MAX
#define ND_CMD_PATH_MAX 512 /* state-dir-relative path of any file nsh touches */
#endif
#ifndef ND_CMD_CHUNK
#define ND_CMD_CHUNK 16384 /* bytes read per nd_fs_read_at */
#endif
#ifndef ND_CMD_SLICE
#define ND_CMD_SLICE (256 * 1024) /* bytes one call may move before it yields to the loop */
#endif
#ifndef ND_WALK_DEPTH
#define ND_WALK_DEPTH 32 /* levels a tree walk (grep -r, find, cp -r) descends */
#endif
#ifndef ND_WALK_PENDING
#define ND_WALK_PENDING 4096 /* entries a tree walk holds waiting; beyond it says "truncated" */
#endif
#ifndef ND_CURL_OUT_MAX
#define ND_CURL_OUT_MAX (1024 * 1024) /* body bytes held for a slow terminal (beyond it: use -o) */
#endif
#ifndef ND_CURL_FILE_MAX
#define ND_CURL_FILE_MAX (64ull * 1024 * 1024) /* body bytes curl -o writes to a file */
#endif
#ifndef ND_CURL_REDIRECTS
#define ND_CURL_REDIRECTS 5 /* redirect hops followed */
#endif
#ifndef ND_CURL_IDLE_MS
#define ND_CURL_IDLE_MS 10000 /* a transfer that stays silent this long fails */
#endif
#ifndef ND_CURL_HDRS_MAX
#define ND_CURL_HDRS_MAX 1024 /* bytes of -H headers of one request */
#endif
#ifndef ND_JQ_NODES
#define ND_JQ_NODES 128 /* parts of one jq filter (static per filter) */
#endif
#ifndef ND_JQ_DEPTH
#define ND_JQ_DEPTH 32 /* parentheses nesting of a jq filter */
#endif
#ifndef ND_JQ_MADE
#define ND_JQ_MADE 100000 /* values one jq run may make: a runaway filter stops */
#endif
#ifndef ND_JQ_INPUT_MAX
#define ND_JQ_INPUT_MAX (1024 * 1024) /* bytes of jq input */
#endif
#ifndef ND_JQ_OUT_MAX
#define ND_JQ_OUT_MAX (4 * 1024 * 1024) /* bytes of jq output */
#endif

/* ---- Lua Load Modules (lua_int.h, lmcache.c) --------------------------- */
#ifndef ND_LUA_FILE_MAX
#define ND_LUA_FILE_MAX (256 * 1024) /* bytes of one LM_<name>.lua */
#endif
#ifndef ND_LUA_FUNCS_MAX
#define ND_LUA_FUNCS_MAX 64 /* exposed functions per module */
#endif
#ifndef ND_LUA_DEPTH_MAX
#define ND_LUA_DEPTH_MAX 8 /* nested calls (nodus.call from a Lua module) */
#endif
#ifndef ND_LUA_HOOK_EVERY
#define ND_LUA_HOOK_EVERY 1000 /* VM instructions between two looks at the clock */
#endif
#ifndef ND_LUA_WATCH_MAX
#define ND_LUA_WATCH_MAX 8 /* gpio.watch callbacks per module */
#endif
#ifndef ND_LUA_CHECK_MS
#define ND_LUA_CHECK_MS 50 /* a module file is stat()ed at most this often */
#endif
#ifndef ND_LMCACHE_MAX
#define ND_LMCACHE_MAX 16 /* values per module */
#endif

/* ---- A/B updates (update.h, update_manifest.h, update_sig.h) ----------- */
#ifndef ND_UPD_MAX_STARTS
#define ND_UPD_MAX_STARTS 3 /* starts of a trial slot without confirmation before rollback */
#endif
#ifndef ND_UPD_HEALTHY_TICKS
#define ND_UPD_HEALTHY_TICKS 3 /* health checks in a row that confirm a trial slot */
#endif
#ifndef ND_UPD_TICK_MS
#define ND_UPD_TICK_MS 200 /* health check period of a trial slot */
#endif
#ifndef ND_UPD_MANIFEST_MAX
#define ND_UPD_MANIFEST_MAX 16384 /* bytes of manifest text */
#endif
#ifndef ND_UPD_FILES_MAX
#define ND_UPD_FILES_MAX 256 /* files in one bundle */
#endif
#ifndef ND_UPD_FILE_MAX
#define ND_UPD_FILE_MAX (256ull << 20) /* bytes of one file in a bundle */
#endif
#ifndef ND_UPD_TOTAL_MAX
#define ND_UPD_TOTAL_MAX (512ull << 20) /* bytes of all files of a bundle */
#endif
#ifndef ND_UPD_KEYS_MAX
#define ND_UPD_KEYS_MAX 8 /* public keys trusted at once (key rotation) */
#endif
#ifndef ND_UPD_KEYFILE_MAX
#define ND_UPD_KEYFILE_MAX 8192 /* bytes of config/update.pub */
#endif

/* ---- built-in modules (modules/mqttc.c, robustness.c, system.c) -------- */
#ifndef ND_LISTEN_SHOW
#define ND_LISTEN_SHOW 1000 /* bytes of recent messages `mqttc listen` shows (static) */
#endif
#ifndef ND_LEAK_MAX
#define ND_LEAK_MAX 4096 /* items robustness memory_leak may allocate in one call */
#endif
#ifndef ND_RECURSION_MAX
#define ND_RECURSION_MAX 2000 /* deepest robustness recursion_limit goes: bound it by the stack */
#endif
#ifndef ND_REPLY_TEXT_MAX
#define ND_REPLY_TEXT_MAX (ND_REPLY_MAX - 4 * 1024) /* robustness replies: fit ND_REPLY_MAX (60 KiB on Linux) */
#endif
#ifndef ND_ALARM_NAMES
#define ND_ALARM_NAMES 16 /* log files `system alarms` handles per directory pass */
#endif
#ifndef ND_ALARM_STREAM_LINES
#define ND_ALARM_STREAM_LINES 200 /* `~~~` lines per file at most: a huge log stays cheap */
#endif
#ifndef ND_NOTE_MAX
#define ND_NOTE_MAX 256 /* bytes of one `system notifications` message, NUL included */
#endif

#endif
