/*
** node.c -- node life cycle, its clock and the accessors modules use.
**
** Start-up order: config (merged over defaults; problems recorded, never
** fatal), node-written keys (version, hwuid), timers, then the doors. The
** wall clock is the OS clock plus a node-local offset, so `system setclock`
** (and tests) can move the node's time without touching the machine's.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devip.h"
#include "mdns.h"
#include "modsrc.h"
#include "mqtt.h"
#include "hw.h"
#include "auth.h"
#include "life.h"
#include "telnet.h"
#include "node_int.h"
#include "resolve.h"
#include "sntp.h"
#include "notify.h"
#include "sched.h"
#include "sun.h"
#include "task.h"
#include "web.h"
#include "nodus/hal.h"
#include "nodus/pins.h"
#include "nodus/port.h"
#include "nodus/run.h"

void nd_node_add_problem(struct nd_node *n, const char *fmt, ...)
{
    size_t len = strlen(n->problems);
    if (len + 2 >= sizeof n->problems) return;
    if (len) n->problems[len++] = '\n';
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(n->problems + len, sizeof n->problems - len, fmt, ap);
    va_end(ap);
}

const char *nd_node_problems(struct nd_node *n) { return n->problems; }

/* hwuid = "micr" + 12 hex digits + "OS", as micrOS builds it from a 6-byte
** MAC. We hash the machine id together with the state directory so that
** several nodes on one machine (one per state dir) get distinct ids, and
** keep it in the config once written: it never changes afterwards. */
/* FNV-1a 64 of s, continuing from h. */
static uint64_t fnv64(uint64_t h, const char *s)
{
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static void derive_hwuid(struct nd_node *n)
{
    const char *cur = nd_cfg_get_str(n->cfg, ND_K_hwuid);
    if (strncmp(cur, "micr", 4) == 0 && strlen(cur) == 18) return;
    char id[256];
    if (nd_port_machine_id(id, sizeof id) != ND_OK) {
        unsigned char r[16];
        nd_port_random(r, sizeof r);
        for (int i = 0; i < 16; i++) snprintf(id + 2 * i, 3, "%02x", r[i]);
    }
    /* FNV-1a 64 over machine id and state dir; 48 bits kept, like a MAC. */
    uint64_t h = fnv64(fnv64(1469598103934665603ULL, id), nd_fs_root());
    char uid[32];
    snprintf(uid, sizeof uid, "micr%012llxOS", (unsigned long long)(h & 0xffffffffffffULL));
    nd_cfg_put_node(n->cfg, ND_K_hwuid, uid);
}

int nd_node_init(struct nd_node *n, const char *const *overrides, int noverrides, char *err,
                 size_t errn)
{
    memset(n, 0, sizeof *n);
    n->start_ms = nd_port_mono_ms();
    n->cfg = nd_cfg_new();
    n->arena_mem = malloc(ND_ARENA_SIZE);
    if (!n->cfg || !n->arena_mem || nd_timers_init(&n->timers, ND_TIMERS_MAX) != ND_OK) {
        snprintf(err, errn, "out of memory");
        return ND_ENOMEM;
    }
    nd_arena_init(&n->arena, n->arena_mem, ND_ARENA_SIZE);
    nd_buf_init(&n->reply, ND_REPLY_MAX);
    nd_slots_init(&n->slots, n);
    nd_cfg_load(n->cfg);
    /* `tz` is read at start */
    nd_tz_fixed(&n->tz, (int32_t)(nd_cfg_get_int(n->cfg, ND_K_utc) * 60));
    const char *probs = nd_cfg_problems(n->cfg);
    if (probs && *probs) nd_node_add_problem(n, "%s", probs);
    for (int i = 0; i < noverrides; i++) {
        const char *kv = overrides[i];
        const char *eq = strchr(kv, '=');
        char key[64], e[ND_ERRMSG];
        int rc = ND_EINVAL;
        const char *why = "expected key=value", *what = kv; /* "--set <what>: <why>" */
        if (eq && eq != kv && (size_t)(eq - kv) < sizeof key) {
            memcpy(key, kv, (size_t)(eq - kv));
            key[eq - kv] = 0;
            e[0] = 0;
            rc = nd_cfg_override(n->cfg, key, eq + 1, e, sizeof e);
            what = key;
            why = rc == ND_ENOTFOUND ? "unknown config key" : e[0] ? e : nd_strerror(rc);
        }
        if (rc != ND_OK) {
            snprintf(err, errn, "--set %s: %s", what, why);
            return rc;
        }
    }
    if (strcmp(nd_cfg_get_str(n->cfg, ND_K_version), NODUS_VERSION) != 0)
        nd_cfg_put_node(n->cfg, ND_K_version, NODUS_VERSION);
    derive_hwuid(n);
    return ND_OK;
}

int nd_node_start(struct nd_node *n)
{
    nd_log(n, "[BOOT] nodus %s starting, state dir %s", NODUS_VERSION, nd_fs_root());
    if (n->problems[0]) nd_log(n, "[ERR] %s", n->problems);
    /* irq1..4 and modules name pins through the board's pin map (cstmpmap) */
    nd_hal_set_resolver(nd_pins_resolve);
    nd_hw_start(n);    /* hardware first: boothook may drive pins */
    nd_auth_secret_sync(n); /* the salted verifier of appwd, before any door asks */
    nd_life_boot(n);   /* recovery mode or not: decided before the boothook */
    nd_sched_start(n); /* boothook runs before the doors open, as micrOS */
    /* micrOS writes its address to `devip` when the network is up. Before
    ** the doors: a client that got in must not find a config save of the
    ** node's own still in progress. */
    nd_devip_start(n);
    int rc = nd_shell_start(n);
    if (rc == ND_OK && ND_WITH_TELNET && nd_cfg_get_bool(n->cfg, ND_K_telnet)) nd_telnet_start(n); /* never fatal */
    /* ND_WITH_*: a service switched off in nodus/opts.h is never started,
    ** so the linker leaves its code out of a firmware image */
    if (ND_WITH_SNTP) nd_sntp_start(n); /* non-blocking: the first sync completes in the loop */
    /* a web port that cannot be bound is reported, never fatal: the shell
    ** is how the user fixes it (conf: webport 8080) */
    if (ND_WITH_WEB && rc == ND_OK && nd_cfg_get_bool(n->cfg, ND_K_webui)) nd_web_start(n);
    /* after the doors: the records carry their bound ports; a responder
    ** that cannot start is logged, never fatal */
    if (ND_WITH_MDNS && rc == ND_OK && nd_cfg_get_bool(n->cfg, ND_K_mdns)) nd_mdns_start(n);
    if (ND_WITH_MQTT && rc == ND_OK) nd_mqtt_start(n); /* non-blocking: the session comes up in the loop */
    if (rc == ND_OK) nd_life_start(n); /* /etc/init.sh, /local/init.sh: after the boothook */
    return rc;
}

void nd_node_shutdown(struct nd_node *n)
{
    if (ND_WITH_MDNS) nd_mdns_stop(n); /* goodbye first, while the doors still answer */
    if (ND_WITH_MQTT) nd_mqtt_stop(n); /* retained `offline` while the doors still answer */
    if (ND_WITH_WEB) nd_web_stop(n);
    if (ND_WITH_TELNET) nd_telnet_stop(n);
    nd_shell_stop(n);
    nd_sched_stop(n);
    if (ND_WITH_SNTP) nd_sntp_stop(n);
    nd_devip_stop(n);
    nd_slots_stop(&n->slots);
    nd_cfg_save(n->cfg);
    nd_log(n, "[INFO] nodus stopped%s", n->reboot ? " for reboot" : "");
}

void nd_node_free(struct nd_node *n)
{
    nd_devip_stop(n);
    nd_notify_free(n);
    if (ND_WITH_NSH) nd_nsh_node_free(n); /* before the tasks: its jobs are tasks */
    nd_tasks_free(n);
    nd_modsrc_free(n); /* after the tasks: they hold Lua states */
    nd_resolver_free(n);
    nd_auth_free(n);
    nd_life_free(n);
    nd_cfg_free(n->cfg);
    nd_timers_free(&n->timers);
    nd_buf_free(&n->reply);
    free(n->arena_mem);
    n->cfg = NULL;
    n->arena_mem = NULL;
}

/* ---- accessors for modules ------------------------------------------- */

const nd_cfg *nd_node_config(struct nd_node *n) { return n->cfg; }

/* Modules name keys as strings (they are external code: no enum to compile
** against). A name that is neither a schema key nor one kept from the file
** reads as "", false or 0, as always -- but a typo there would fail
** silently, so the first read of each such name (up to ND_CFG_WARN_MAX
** names) logs a warning. */
static void cfg_lookup(struct nd_node *n, const char *key)
{
    if (nd_cfg_has(n->cfg, key)) return;
    uint32_t h = 2166136261u; /* FNV-1a: a collision only spares a warning */
    for (const char *p = key ? key : ""; *p; p++) h = (h ^ (unsigned char)*p) * 16777619u;
    for (int i = 0; i < n->ncfg_warned && i < ND_CFG_WARN_MAX; i++)
        if (n->cfg_warned[i] == h) return;
    if (n->ncfg_warned > ND_CFG_WARN_MAX) return;
    if (n->ncfg_warned == ND_CFG_WARN_MAX) {
        n->ncfg_warned++;
        nd_log(n, "[WARN] config: more unknown keys read by modules, no longer reported");
        return;
    }
    n->cfg_warned[n->ncfg_warned++] = h;
    nd_log(n, "[WARN] config: a module read unknown key '%.64s' (it reads as empty/0)",
           key ? key : "(null)");
}

const char *nd_node_cfg_str(struct nd_node *n, const char *k)
{
    cfg_lookup(n, k);
    return nd_cfg_str(n->cfg, k);
}

bool nd_node_cfg_bool(struct nd_node *n, const char *k)
{
    cfg_lookup(n, k);
    return nd_cfg_bool(n->cfg, k);
}

int64_t nd_node_cfg_int(struct nd_node *n, const char *k)
{
    cfg_lookup(n, k);
    return nd_cfg_int(n->cfg, k);
}

double nd_node_cfg_float(struct nd_node *n, const char *k)
{
    cfg_lookup(n, k);
    return nd_cfg_float(n->cfg, k);
}

int64_t nd_node_time_ms(struct nd_node *n) { return nd_port_wall_ms() + n->clock_offset_ms; }
int64_t nd_node_time(struct nd_node *n)
{
    int64_t ms = nd_node_time_ms(n);
    return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
}

void nd_node_set_time(struct nd_node *n, int64_t utc_seconds)
{
    int64_t before = nd_node_time(n);
    n->clock_offset_ms = utc_seconds * 1000 - nd_port_wall_ms();
    nd_sched_clock_moved(n, before);
}

int32_t nd_node_utc_offset(struct nd_node *n, int64_t utc_seconds)
{
    return nd_tz_offset_utc(&n->tz, utc_seconds);
}

int64_t nd_node_local_to_utc(struct nd_node *n, int64_t local)
{
    return nd_tz_local_to_utc(&n->tz, local, 0, NULL);
}

uint64_t nd_node_uptime_ms(struct nd_node *n) { return nd_port_mono_ms() - n->start_ms; }

void nd_node_localtime(struct nd_node *n, nd_tm *tm)
{
    int64_t t = nd_node_time(n);
    nd_time_split(t + nd_node_utc_offset(n, t), tm);
}

/* ---- schedules and tasks, for the system module ------------------------ */
int nd_node_cron_info(struct nd_node *n, nd_arena *a, nd_value *dict)
{
    return nd_sched_cron_info(n, a, dict);
}

int nd_node_sun(struct nd_node *n, const nd_tm *local_day, int64_t *rise, int64_t *set)
{
    return nd_sun_times(nd_cfg_get_float(n->cfg, ND_K_lat), nd_cfg_get_float(n->cfg, ND_K_lon),
                        local_day->year, local_day->mon, local_day->mday, rise, set);
}

void nd_node_timing(struct nd_node *n, uint64_t out[6], bool reset)
{
    /* nd_task_timing's six fields are out[]'s, in out[]'s order */
    _Static_assert(sizeof(nd_task_timing) == 6 * sizeof(uint64_t), "nd_task_timing is out[6]");
    nd_task_timing t;
    nd_task_timing_get(n, &t, reset);
    memcpy(out, &t, sizeof t);
}

/* ---- the port's entry (nodus/run.h) ------------------------------------ */
/* Included here rather than with the others so this section stays one
** self-contained block; it checks the definitions below against run.h. */

struct nd_node *nd_node_storage(void)
{
    static struct nd_node node;
    return &node;
}

uint64_t nd_node_step(struct nd_node *n, uint64_t now_ms)
{
    nd_timers_run(&n->timers, now_ms);
    nd_hw_poll(n); /* pin edges queued by the hardware backend, bounded per turn */
    if (nd_hw_pending()) return now_ms; /* edges left over: the port must not sleep */
    int64_t wait = nd_timers_wait(&n->timers, now_ms);
    return wait < 0 ? UINT64_MAX : now_ms + (uint64_t)wait;
}

bool nd_node_wants_reboot(struct nd_node *n) { return n->reboot; }
