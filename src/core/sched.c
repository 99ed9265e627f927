/*
** sched.c -- pipelines, boothook, timirq and cron (see sched.h).
**
** Cron is timer-driven: one timer in the node's heap is armed for the
** earliest next occurrence of all entries, converted from node wall time to
** the monotonic clock. When it fires, the node's wall clock is checked again
** and a timer that came early (clock drift) is simply re-armed: an entry
** never fires before its second. Each entry remembers the occurrence it last
** fired, and the next one is always searched strictly after both that
** occurrence and the present, so no occurrence can fire twice -- not after a
** late wake-up, not after the clock was set backwards.
**
** Clock moves (`system setclock`, or the OS clock jumping, noticed by a
** 1-second check while cron is on) re-plan every entry from the new time:
** occurrences jumped over are skipped (micrOS behaviour), except for entries
** with a "~N" catch-up suffix, which run once if their latest occurrence was
** missed within N minutes. The same catch-up runs at boot against the time
** saved in data/cron.time (written at each firing and every 10 minutes while
** catch-up entries exist).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cron.h"
#include "nodus/port.h"
#include "nsh.h" /* nd_node_recovery */
#include "sched.h"

#if !ND_WITH_CRON
/* cron is not built in (nodus/opts.h): load_cron keeps the table empty, so
** these are never reached; as stubs they keep cron.c out of the image. */
#define nd_cron_parse(t, str) ((void)(t), (void)(str))
#define nd_cron_next(e, z, la, lo, after, next) \
    ((void)(e), (void)(z), (void)(la), (void)(lo), (void)(after), (void)(next), ND_ENOTFOUND)
#define nd_cron_missed(e, z, la, lo, since, now, occ) \
    ((void)(e), (void)(z), (void)(la), (void)(lo), (void)(since), (void)(now), (void)(occ), 0)
#endif

#include "nodus/opts.h" /* the limits; a port may override them */
#define ND_CRON_TIME_FILE "data/cron.time"

typedef struct nd_cron_state {
    int64_t next;   /* next occurrence (UTC s), INT64_MAX when none */
    int64_t last;   /* occurrence fired last, INT64_MIN when none */
    uint32_t fires;
} nd_cron_state;

struct nd_sched {
    nd_cron_table table;
    nd_cron_state st[ND_CRON_MAX];
    bool cron_on;
    nd_timer cron_timer;
    nd_timer watch_timer;   /* notices OS clock jumps */
    int64_t watch_skew_ms;  /* node wall ms - mono ms at the last check */
    int64_t saved_at;       /* node time last written to data/cron.time */
    nd_timer timirq_timer;
    char *timirq_cbf;       /* captured at start, as micrOS */
    uint32_t timirq_ms;
};

static struct nd_sched *sch(struct nd_node *n)
{
    if (!n->sched) n->sched = calloc(1, sizeof *n->sched);
    return n->sched;
}

/* ---- pipelines --------------------------------------------------------- */
int nd_pipe_run(struct nd_node *n, const char *text, const char *origin)
{
    if (!text || !strncmp(text, "n/a", 3)) return 0;
    int failed = 0, count = 0;
    const char *p = text;
    nd_buf out;
    nd_buf_init(&out, ND_REPLY_MAX);
    while (*p && count < ND_PIPE_MAX) {
        const char *e = strchr(p, ';');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        const char *s = p;
        while (len && (*s == ' ' || *s == '\t')) s++, len--;
        while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n')) len--;
        if (len && *s != '#') {
            nd_ctx ctx = {.door = ND_DOOR_PIPE};
            nd_buf_clear(&out);
            int rc = nd_exec(n, &ctx, s, len, &out);
            count++;
            if (rc != ND_X_OK) {
                failed++;
                nd_log(n, "[WARN] exec_lm_pipe: %.*s (%s): %.*s", (int)(len > 120 ? 120 : len), s,
                       origin, (int)(out.n > 160 ? 160 : out.n), out.p ? out.p : "");
            }
        }
        if (!e) break;
        p = e + 1;
    }
    nd_buf_free(&out);
    return failed;
}

/* ---- time helpers ---------------------------------------------------- */
static void fmt_local(struct nd_node *n, int64_t utc, char *buf, size_t len)
{
    nd_tm tm;
    nd_time_split(utc + nd_node_utc_offset(n, utc), &tm);
    snprintf(buf, len, "%d.%02d.%02d %02d:%02d:%02d", tm.year, tm.mon, tm.mday, tm.hour, tm.min, tm.sec);
}

static void save_time(struct nd_node *n, int64_t now)
{
    char buf[32];
    int k = snprintf(buf, sizeof buf, "%lld\n", (long long)now);
    nd_fs_write_atomic(ND_CRON_TIME_FILE, buf, (size_t)k);
    n->sched->saved_at = now;
}

/* Cron runs; constant false without ND_WITH_CRON, so the compiler drops
** the table, its timers and the catch-up code from such an image. */
static bool cron_on(const struct nd_sched *s)
{
    return ND_WITH_CRON && s && s->cron_on;
}

static bool any_catchup(struct nd_sched *s)
{
    for (int i = 0; i < s->table.n; i++)
        if (s->table.e[i].catchup) return true;
    return false;
}

/* ---- cron ------------------------------------------------------------ */
static void cron_fire(nd_timer *t, void *ud);

static void plan(struct nd_node *n, int i, int64_t now)
{
    struct nd_sched *s = n->sched;
    int64_t after = now;
    if (s->st[i].last != INT64_MIN && s->st[i].last > after) after = s->st[i].last;
    int64_t next;
    if (nd_cron_next(&s->table.e[i], &n->tz, nd_cfg_get_float(n->cfg, ND_K_lat),
                     nd_cfg_get_float(n->cfg, ND_K_lon), after, &next) == ND_OK)
        s->st[i].next = next;
    else
        s->st[i].next = INT64_MAX;
}

static void arm_cron(struct nd_node *n)
{
    struct nd_sched *s = n->sched;
    int64_t first = INT64_MAX;
    for (int i = 0; i < s->table.n; i++)
        if (s->st[i].next < first) first = s->st[i].next;
    if (first == INT64_MAX) {
        nd_timer_disarm(&n->timers, &s->cron_timer);
        return;
    }
    int64_t wait = first * 1000 - nd_node_time_ms(n);
    if (wait < 0) wait = 0;
    if (wait > 3600000) wait = 3600000; /* re-check hourly: cheap, and bounds drift */
    nd_timer_arm(&n->timers, &s->cron_timer, nd_port_mono_ms() + (uint64_t)wait, cron_fire, n);
}

static void cron_fire(nd_timer *t, void *ud)
{
    (void)t;
    struct nd_node *n = ud;
    struct nd_sched *s = n->sched;
    int64_t now = nd_node_time(n);
    for (int i = 0; i < s->table.n; i++) {
        if (s->st[i].next > now) continue; /* not yet: never early */
        s->st[i].last = s->st[i].next;
        s->st[i].fires++;
        nd_pipe_run(n, s->table.e[i].cmd, "cron");
        plan(n, i, nd_node_time(n)); /* strictly after now and the last occurrence */
    }
    if (any_catchup(s) && now - s->saved_at >= 1) save_time(n, now);
    arm_cron(n);
}

static void run_catchup(struct nd_node *n, int64_t since, int64_t now)
{
    struct nd_sched *s = n->sched;
    for (int i = 0; i < s->table.n; i++) {
        int64_t occ;
        if (nd_cron_missed(&s->table.e[i], &n->tz, nd_cfg_get_float(n->cfg, ND_K_lat),
                           nd_cfg_get_float(n->cfg, ND_K_lon), since, now, &occ) == 1 &&
            (s->st[i].last == INT64_MIN || occ > s->st[i].last)) {
            char when[40];
            fmt_local(n, occ, when, sizeof when);
            nd_log(n, "[INFO] cron #%d: catching up the run missed at %s", s->table.e[i].index, when);
            s->st[i].last = occ;
            s->st[i].fires++;
            nd_pipe_run(n, s->table.e[i].cmd, "cron catch-up");
        }
    }
}

static void watch_fn(nd_timer *t, void *ud)
{
    (void)t;
    struct nd_node *n = ud;
    struct nd_sched *s = n->sched;
    int64_t skew = nd_node_time_ms(n) - (int64_t)nd_port_mono_ms();
    int64_t d = skew - s->watch_skew_ms;
    if (d > 1500 || d < -1500) {
        nd_log(n, "[INFO] clock jumped by %lld s", (long long)(d / 1000));
        nd_sched_clock_moved(n, nd_node_time(n) - d / 1000);
    }
    s->watch_skew_ms = skew;
    int64_t now = nd_node_time(n);
    if (any_catchup(s) && now - s->saved_at >= ND_CRON_SAVE_S) save_time(n, now);
    nd_timer_arm(&n->timers, &s->watch_timer, nd_port_mono_ms() + 1000, watch_fn, n);
}

static void load_tz(struct nd_node *n)
{
    const char *tz = nd_cfg_get_str(n->cfg, ND_K_tz);
    nd_tz_fixed(&n->tz, (int32_t)(nd_cfg_get_int(n->cfg, ND_K_utc) * 60));
    if (tz[0] && strncmp(tz, "n/a", 3) != 0) {
#if ND_WITH_TZ
        char err[ND_ERRMSG] = "";
        nd_tz zone;
        if (nd_tz_parse(&zone, tz, err, sizeof err) == ND_OK) n->tz = zone;
        else nd_log(n, "[ERR] invalid tz '%s': %s; using utc=%lld minutes", tz, err,
                    (long long)nd_cfg_get_int(n->cfg, ND_K_utc));
#else
        /* the POSIX rules are not in this image (tz.h): say so once per load */
        nd_log(n, "[ERR] tz '%s' ignored: time-zone rules are not built into this node; "
                  "using utc=%lld minutes", tz, (long long)nd_cfg_get_int(n->cfg, ND_K_utc));
#endif
    }
}

static void load_cron(struct nd_node *n)
{
    struct nd_sched *s = n->sched;
    nd_timer_disarm(&n->timers, &s->cron_timer);
    nd_timer_disarm(&n->timers, &s->watch_timer);
    memset(&s->table, 0, sizeof s->table);
    s->cron_on = nd_cfg_get_bool(n->cfg, ND_K_cron);
    if (!ND_WITH_CRON) {
        if (s->cron_on) nd_log(n, "[ERR] cron: not built into this node, crontasks ignored");
        s->cron_on = false;
    }
    if (!cron_on(s)) return;
    nd_cron_parse(&s->table, nd_cfg_get_str(n->cfg, ND_K_crontasks));
    for (int i = 0; i < s->table.nerr; i++)
        nd_log(n, "[ERR] cron #%d '%s': %s (other entries still run)", s->table.err[i].index,
               s->table.err[i].text, s->table.err[i].reason);
    int64_t now = nd_node_time(n);
    for (int i = 0; i < s->table.n; i++) {
        s->st[i].last = INT64_MIN;
        s->st[i].fires = 0;
        plan(n, i, now);
    }
    s->watch_skew_ms = nd_node_time_ms(n) - (int64_t)nd_port_mono_ms();
    nd_timer_arm(&n->timers, &s->watch_timer, nd_port_mono_ms() + 1000, watch_fn, n);
    arm_cron(n);
}

void nd_sched_clock_moved(struct nd_node *n, int64_t before)
{
    struct nd_sched *s = n->sched;
    if (!cron_on(s)) return;
    int64_t now = nd_node_time(n);
    if (now > before) run_catchup(n, before, now);
    for (int i = 0; i < s->table.n; i++) plan(n, i, now);
    s->watch_skew_ms = nd_node_time_ms(n) - (int64_t)nd_port_mono_ms();
    arm_cron(n);
}

static void timirq_fn(nd_timer *t, void *ud)
{
    struct nd_node *n = ud;
    struct nd_sched *s = n->sched;
    uint64_t due = t->due;
    nd_pipe_run(n, s->timirq_cbf, "timirq");
    uint64_t now = nd_port_mono_ms(), next = due + s->timirq_ms;
    if (next <= now) next = now + s->timirq_ms - (now - due) % s->timirq_ms;
    nd_timer_arm(&n->timers, &s->timirq_timer, next, timirq_fn, n);
}

void nd_sched_start(struct nd_node *n)
{
    struct nd_sched *s = sch(n);
    if (!s) return;
    load_tz(n);
    /* boothook: once, before the doors open; $pwd becomes the quoted appwd */
    const char *hook = nd_cfg_get_str(n->cfg, ND_K_boothook);
    /* recovery mode (life.c) boots without it: a boothook that hangs or
    ** crashes the node must not lock its owner out */
    if (hook[0] && strncmp(hook, "n/a", 3) != 0 && !nd_node_recovery(n)) {
        nd_buf b;
        nd_buf_init(&b, ND_CFG_STR_MAX * 2);
        for (const char *p = hook; *p; p++) {
            if (!strncmp(p, "$pwd", 4)) {
                nd_buf_printf(&b, "'%s'", nd_cfg_get_str(n->cfg, ND_K_appwd));
                p += 3;
            } else {
                nd_buf_putc(&b, *p);
            }
        }
        nd_log(n, "[BOOT] boothook: %s", hook);
        nd_pipe_run(n, nd_buf_cstr(&b), "boothook");
        nd_buf_free(&b);
    }
    if (nd_cfg_get_bool(n->cfg, ND_K_timirq)) {
        const char *cbf = nd_cfg_get_str(n->cfg, ND_K_timirqcbf);
        s->timirq_ms = (uint32_t)nd_cfg_get_int(n->cfg, ND_K_timirqseq);
        if (s->timirq_ms < 1) s->timirq_ms = 1;
        if (cbf[0] && strncmp(cbf, "n/a", 3) != 0 && (s->timirq_cbf = malloc(strlen(cbf) + 1))) {
            strcpy(s->timirq_cbf, cbf);
            nd_timer_arm(&n->timers, &s->timirq_timer, nd_port_mono_ms() + s->timirq_ms, timirq_fn, n);
        }
    }
    load_cron(n);
    if (cron_on(s) && any_catchup(s)) {
        char buf[32];
        size_t len;
        int64_t now = nd_node_time(n);
        if (nd_fs_read(ND_CRON_TIME_FILE, buf, sizeof buf, &len) == ND_OK) {
            int64_t since = strtoll(buf, NULL, 10);
            if (since > 0 && since < now) run_catchup(n, since, now);
        }
        save_time(n, now);
    }
}

void nd_sched_reload(struct nd_node *n)
{
    if (!sch(n)) return;
    load_tz(n);
    load_cron(n);
}

void nd_sched_stop(struct nd_node *n)
{
    struct nd_sched *s = n->sched;
    if (!s) return;
    if (cron_on(s) && any_catchup(s)) save_time(n, nd_node_time(n));
    nd_timer_disarm(&n->timers, &s->cron_timer);
    nd_timer_disarm(&n->timers, &s->watch_timer);
    nd_timer_disarm(&n->timers, &s->timirq_timer);
    free(s->timirq_cbf);
    free(s);
    n->sched = NULL;
}

int nd_sched_cron_info(struct nd_node *n, nd_arena *a, nd_value *d)
{
    struct nd_sched *s = n->sched;
    if (!cron_on(s)) return nd_dict_set(a, d, "cron", nd_str(a, "off (set cron True)"));
    for (int i = 0; i < s->table.n; i++) {
        const nd_cron_entry *e = &s->table.e[i];
        char key[64], next[40] = "never", last[40] = "-";
        snprintf(key, sizeof key, "#%d %s", e->index, e->spec);
        if (s->st[i].next != INT64_MAX) fmt_local(n, s->st[i].next, next, sizeof next);
        if (s->st[i].last != INT64_MIN) fmt_local(n, s->st[i].last, last, sizeof last);
        nd_value *v = nd_strf(a, "next %s | fired %u, last %s | %s", next, s->st[i].fires, last, e->cmd);
        if (!v || nd_dict_set(a, d, key, v) != ND_OK) return ND_ENOMEM;
    }
    for (int i = 0; i < s->table.nerr; i++) {
        char key[64];
        snprintf(key, sizeof key, "#%d error", s->table.err[i].index);
        nd_value *v = nd_strf(a, "%s: %s", s->table.err[i].reason, s->table.err[i].text);
        if (!v || nd_dict_set(a, d, key, v) != ND_OK) return ND_ENOMEM;
    }
    if (!s->table.n && !s->table.nerr) return nd_dict_set(a, d, "cron", nd_str(a, "no crontasks"));
    return ND_OK;
}

int nd_node_run(struct nd_node *n, const char *pipeline, const char *origin)
{
    return nd_pipe_run(n, pipeline, origin);
}
