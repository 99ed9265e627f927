/*
** node_int.h -- the node: the one context every door, module and service
** hangs off. Internal to the core and the port; modules use nodus/node.h.
*/
#ifndef ND_NODE_INT_H
#define ND_NODE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "cfg.h"
#include "events.h"
#include "nodus/module.h"
#include "nodus/node.h"
#include "nodus/value.h"
#include "slots.h"
#include "timer.h"
#include "tz.h"

/* ND_TIMERS_MAX, ND_ARENA_SIZE, ND_REPLY_MAX, ND_MODULES_MAX, ND_CFG_WARN_MAX */
#include "nodus/opts.h" /* the limits; a port may override them */

struct nd_shell;
struct nd_web;
struct nd_tasks;
struct nd_nsh_node;
struct nd_sched;
struct nd_resolver;
struct nd_sntp;
struct nd_cmd;
struct nd_auth;
struct nd_events;
struct nd_devip;

/* Per-door session state the dispatcher needs. */
enum { ND_DOOR_SHELL, ND_DOOR_REST, ND_DOOR_PIPE, ND_DOOR_MQTT };
typedef struct nd_ctx {
    int door;
    bool conf_mode;  /* shell conf mode */
    bool json;       /* force JSON rendering (REST) */
    bool authed;     /* REST: the request carried the right password (x-micros-auth), which
                     ** stands for pwd= of @sudo functions (exec.c) */
} nd_ctx;

/* What a door must do after a command (nd_exec's return value). */
enum {
    ND_X_OK = 0,     /* reply written, state True */
    ND_X_FAIL = 1,   /* reply written, state False */
    ND_X_CLOSE = 2,  /* reply written, then close the session */
    ND_X_REBOOT = 3, /* reply written, then flush and reboot the node */
};

struct nd_node {
    nd_cfg *cfg;
    nd_timers timers;
    int64_t clock_offset_ms;  /* node wall clock = OS wall clock + offset */
    uint64_t start_ms;        /* monotonic ms at start */
    struct nd_shell *shell;
    nd_slots slots;           /* client slots shared by every door (slots.c) */
    struct nd_auth *auth;     /* failed-login bookkeeping (auth.c) */
    int web_active;           /* HTTP requests holding a client slot */
    struct nd_web *web;       /* the WebCli door (web.c), NULL when webui is off */
    struct nd_events *events; /* live-event ring (events.c), NULL while nobody reads */
    struct nd_tasks *tasks;   /* task table (task.c) */
    struct nd_nsh_node *nsh;  /* nsh sessions, jobs, environment (nsh.c), NULL until used */
    struct nd_sched *sched;   /* boothook, timirq, cron (sched.c) */
    struct nd_mdns *mdns;     /* mDNS responder (mdns.c), NULL when off */
    struct nd_resolver *resolver; /* host cache and mDNS hook (resolve.c) */
    struct nd_sntp *sntp;     /* NTP client (sntp.c) */
    struct nd_devip *devip;   /* keeps the `devip` key current (devip.c) */
    struct nd_telnet *telnet; /* the telnet door (telnet.c), NULL when `telnet` is off */
    struct nd_life *life;     /* boot/end scripts, recovery mode (life.c) */
    struct nd_mqtt *mqtt;     /* MQTT client (mqtt.c), NULL when `mqtt` is off */
    struct nd_notify *notify; /* notify service (notify.c), NULL until first used */
    struct nd_lua *lua;       /* Lua Load Modules (lua_mod.c), NULL until the first one is used */
    nd_tz tz;                 /* local time rules: `tz`, else fixed `utc` minutes */
    /* registry: load order of modules (indexes into nd_registry_all) */
    uint16_t loaded[ND_MODULES_MAX];
    int nloaded;
    /* command scratch: one arena and one reply buffer, reused */
    nd_arena arena;
    char *arena_mem;
    nd_buf reply;
    char problems[1024];      /* start-up problems for `system info` and the log */
    bool reboot;              /* set when a reboot was asked: the loop stops */
    bool stop;                /* set by SIGINT/SIGTERM */
    /* metrics (metrics.c formats them) */
    uint64_t cmds_run, cmds_failed;
    uint64_t mod_runs[ND_MODULES_MAX], mod_fails[ND_MODULES_MAX]; /* by registry index */
    uint64_t shell_accepted;  /* shell connections accepted since start */
    uint64_t events_dropped;  /* live events lost by slow readers since start */
    /* unknown config keys modules asked for, already warned about (node.c) */
    uint32_t cfg_warned[ND_CFG_WARN_MAX];
    int ncfg_warned;
};

/* Life cycle (node.c). */
int nd_node_init(struct nd_node *n, const char *const *overrides, int noverrides, char *err,
                 size_t errn);
int nd_node_start(struct nd_node *n); /* open servers, run boot work */
void nd_node_shutdown(struct nd_node *n); /* close servers, flush config */
void nd_node_free(struct nd_node *n);
void nd_node_add_problem(struct nd_node *n, const char *fmt, ...);

/* Dispatcher (exec.c): run one command line, append the reply lines
** (each ending in "\n"; an empty reply is "\n") to out. */
int nd_exec(struct nd_node *n, nd_ctx *ctx, const char *line, size_t len, nd_buf *out);
/* Run a parsed Load Module call (no task postfix): used by tasks too. */
int nd_exec_lm(struct nd_node *n, struct nd_cmd *c, bool json, nd_buf *out);
/* nd_exec for a caller inside the node (a Lua module's nodus.call): as a
** pipeline door, and *ret gets the value of the module call it ran (NULL:
** None, or no module call), which lives in n->arena until the next call. */
int nd_exec_value(struct nd_node *n, const char *line, size_t len, nd_buf *out, nd_value **ret);

/* Secrets out of logs and events (log.c): in text[0..len), every occurrence
** of the current value of an ND_CFG_SECRET key (appwd, stapwd ...; a ';'-
** separated value also piece by piece, and of a name=secret piece the
** secret alone, blanks trimmed) becomes "****". Values shorter than
** ND_MASK_MIN are left alone: they would mask ordinary words. cut: the text
** was truncated, so a tail that starts a secret is masked as well. In place
** (the text never grows; it needs room for len+1 bytes): NUL-terminates
** at and returns the new length.
** nd_log and the event emitters call it: no other caller needs to. */
#define ND_MASK_MIN 4
size_t nd_mask_secrets(const struct nd_node *n, char *text, size_t len, bool cut);

/* Registry (registry.c). */
size_t nd_registry_count(void);
const nd_module *nd_registry_at(size_t i);
const nd_module *nd_registry_find(const char *name, size_t len, int *index);
const nd_func *nd_registry_func(const nd_module *m, const char *name, size_t len);
bool nd_registry_is_loaded(struct nd_node *n, int index);
void nd_registry_mark_loaded(struct nd_node *n, int index);
void nd_registry_mark_unloaded(struct nd_node *n, int index);
/* Dynamic modules (modsrc.h: Lua files) behind the built-ins: add returns the
** module's index (the same one again for the same module), ND_ELIMIT when
** the table is full; hide takes a module whose file is gone out of lookups
** and of the loaded list until it is added again. */
int nd_registry_add(const nd_module *m);
void nd_registry_hide(struct nd_node *n, int index);
bool nd_registry_hidden(int index);
bool nd_registry_is_builtin(int index);
void nd_registry_clear_dynamic(void); /* node free: the modules' memory goes with it */
/* Strip a leading widget tag (BUTTON, SLIDER{...} ...) from a help line. */
const char *nd_help_untag(const char *help, size_t *tag_len);

/* nsh (nsh.c): sessions, jobs and environment; freed with the node. */
void nd_nsh_node_free(struct nd_node *n);

/* Shell server (shell.c). */
int nd_shell_start(struct nd_node *n);
void nd_shell_stop(struct nd_node *n);
int nd_shell_sessions(struct nd_node *n);
/* `~~~ <text>` to every logged-in shell session (micrOS reply_all; shell.c). */
void nd_shell_broadcast(struct nd_node *n, const char *text, size_t len);
int nd_shell_port(struct nd_node *n); /* the bound port (socport 0 picks one) */

#endif
