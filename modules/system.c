/*
** system.c -- the `system` Load Module: node information and management,
** with micrOS's function names and output shapes (docs/micros-compat.md §9.1).
** Values are real: resident memory, state-directory disk use, loop load.
*/
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "nodus/module.h"
#include "nodus/node.h"
#include "nodus/opts.h"
#include "nodus/notify.h"
#include "nodus/pins.h"
#include "nodus/port.h"
#include "nodus/update.h"

/* A percentage with one decimal, like micrOS: from tenths of a percent
** (nodus/port.h's nd_permille), integers throughout -- no soft-float
** division on a board. */
static double pct(uint64_t part, uint64_t whole) { return nd_decimal(nd_permille(part, whole), -1); }

static int put(nd_call *c, nd_value *d, const char *k, nd_value *v)
{
    if (!v || nd_dict_set(c->arena, d, k, v) != ND_OK) return nd_fail(c, "memory allocation failed");
    return ND_OK;
}

/* nd_dict_kv (nodus/value.h: "fpercent\0imem_used\0", values in order) for
** a call: d NULL starts the call's return dict, a failure is the call's
** "memory allocation failed". */
static int kv(nd_call *c, nd_value *d, const char *spec, ...)
{
    if (!d && !(d = nd_ret_dict(c))) return ND_ERR;
    va_list ap;
    va_start(ap, spec);
    int rc = nd_dict_vkv(c->arena, d, spec, ap);
    va_end(ap);
    return rc == ND_OK ? ND_OK : nd_fail(c, "memory allocation failed");
}

/* The call's return value, or the allocation error when a constructor failed. */
static int ret(nd_call *c, nd_value *v)
{
    if (!v) return nd_fail(c, "memory allocation failed");
    c->ret = v;
    return ND_OK;
}

/* Push n values onto seq: seq, or NULL when a constructor or a push failed
** (nd_seq_push refuses a NULL seq or item). */
static nd_value *seq_of(nd_call *c, nd_value *seq, int n, ...)
{
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        if (nd_seq_push(c->arena, seq, va_arg(ap, nd_value *)) != ND_OK) seq = NULL;
    va_end(ap);
    return seq;
}

/* A tuple of n ints, or NULL. */
static nd_value *int_tuple(nd_call *c, const int *v, int n)
{
    nd_value *t = nd_tuple(c->arena);
    for (int i = 0; i < n; i++)
        if (nd_seq_push(c->arena, t, nd_int(c->arena, v[i])) != ND_OK) t = NULL;
    return t;
}

static double mem_pct(void) { return pct(nd_port_rss_bytes(), nd_port_mem_total()); }

static double fs_pct(uint64_t *used)
{
    uint64_t tree = 0, total = 0, avail = 0;
    nd_fs_usage(&tree, &total, &avail);
    if (used) *used = tree;
    return pct(total - avail, total);
}

static int uptime_text(nd_call *c, char *buf, size_t n)
{
    /* seconds since boot fit 32 bits for 136 years: 32-bit divisions are one
    ** instruction on the MCU, 64-bit ones a library call each */
    unsigned long s = (unsigned long)(nd_node_uptime_ms(c->node) / 1000);
    return snprintf(buf, n, "%lu %lu:%lu:%lu", s / 86400, s / 3600 % 24, s / 60 % 60, s % 60);
}

static int top_into(nd_call *c, nd_value *d)
{
    double mem = mem_pct(), fs = fs_pct(NULL);
    double load = nd_decimal(nd_loop_load_pm(), -1);
    return kv(c, d, "fMem usage [%]\0fFS usage [%]\0fCPU load [%]\0", mem, fs, load);
}

/* The JSON of `system info` is read by clients with a Python literal parser:
** only numbers and strings, never true/false/null (docs/micros-compat.md §9.1). */
static int f_info(nd_call *c)
{
    nd_value *d = nd_ret_dict(c);
    if (!d || top_into(c, d)) return ND_ERR;
    char up[64], ip[16], mask[16], gw[16], dns[16], mac[18];
    uptime_text(c, up, sizeof up);
    nd_port_ifconfig(ip, mask, gw, dns, mac);
    double mhz = (double)(long long)(nd_port_cpu_mhz() + 0.5);
    if (kv(c, d, "fCPU clock [MHz]\0supython\0sboard\0suptime\0smac\0", mhz,
           "nodus " NODUS_VERSION " (C)", nd_port_board(), up, mac))
        return ND_ERR;
    const char *probs = nd_node_problems(c->node);
    if (probs[0] && kv(c, d, "sproblems\0", probs)) return ND_ERR;
    /* nodus: a boot without boothook and init scripts (README "Where nsh runs") */
    const char *rec = nd_node_recovery_why(c->node);
    return rec ? kv(c, d, "srecovery\0", rec) : ND_OK;
}

static int f_top(nd_call *c)
{
    nd_value *d = nd_ret_dict(c);
    return d ? top_into(c, d) : ND_ERR;
}

static int f_memory_usage(nd_call *c)
{
    double p = mem_pct();
    return kv(c, NULL, "fpercent\0imem_used\0", p, (int64_t)nd_port_rss_bytes());
}

static int f_disk_usage(nd_call *c)
{
    uint64_t used = 0;
    double p = fs_pct(&used);
    return kv(c, NULL, "fpercent\0ifs_used\0", p, (int64_t)used);
}

static int f_gclean(nd_call *c)
{
    return kv(c, NULL, "iGC MemFree[byte]\0", (int64_t)nd_port_heap_free());
}

static int f_heartbeat(nd_call *c) { return nd_ret_str(c, "<3 heartbeat <3"); }

static int f_clock(nd_call *c)
{
    nd_tm t;
    nd_node_localtime(c->node, &t);
    return nd_ret_str(c, "%d.%d.%d  %d:%d:%d\nWD: %d YD: %d", t.year, t.mon, t.mday, t.hour, t.min,
                      t.sec, t.wday, t.yday);
}

static int localtime_tuple(nd_call *c)
{
    nd_tm t;
    nd_node_localtime(c->node, &t);
    int v[8] = {t.year, t.mon, t.mday, t.hour, t.min, t.sec, t.wday, t.yday};
    return ret(c, int_tuple(c, v, 8));
}

/* setclock moves the node's clock only (an offset over the OS clock). */
static int f_setclock(nd_call *c)
{
    int64_t f[6];
    static const int16_t lo[6] = {1970, 1, 1, 0, 0, 0}, hi[6] = {2200, 12, 31, 23, 59, 59};
    for (int i = 0; i < 6; i++) {
        if (nd_arg_int(c, i, &f[i])) return ND_ERR;
        if (f[i] < lo[i] || f[i] > hi[i])
            return nd_fail(c, "%s=%lld out of range %lld..%lld", c->argn[i], (long long)f[i],
                           (long long)lo[i], (long long)hi[i]);
    }
    nd_tm t = {(int)f[0], (int)f[1], (int)f[2], (int)f[3], (int)f[4], (int)f[5], 0, 0};
    int64_t local = nd_time_join(&t);
    nd_tm check;
    nd_time_split(local, &check);
    if (check.mday != t.mday) return nd_fail(c, "day %d does not exist in %d-%d", t.mday, t.year, t.mon);
    int64_t utc = nd_node_local_to_utc(c->node, local);
    nd_node_set_time(c->node, utc);
    nd_log(c->node, "[INFO] clock set to %d.%d.%d %d:%d:%d", t.year, t.mon, t.mday, t.hour, t.min, t.sec);
    return localtime_tuple(c);
}

static int f_uptime(nd_call *c)
{
    char up[64];
    uptime_text(c, up, sizeof up);
    return nd_ret_str(c, "%s", up);
}

static int f_ifconfig(nd_call *c)
{
    char ip[16], mask[16], gw[16], dns[16], mac[18];
    int rc = nd_port_ifconfig(ip, mask, gw, dns, mac);
    nd_arena *a = c->arena;
    nd_value *addr = seq_of(c, nd_tuple(a), 4, nd_str(a, ip), nd_str(a, mask), nd_str(a, gw),
                            nd_str(a, dns));
    /* micrOS: STA when connected to a network, AP when ip == gateway */
    const char *mode = rc != ND_OK ? "" : (strcmp(ip, gw) == 0 ? "AP" : "STA");
    return ret(c, seq_of(c, nd_tuple(a), 2, nd_str(a, mode), addr));
}

static int f_hosts(nd_call *c)
{
    nd_value *d = nd_ret_dict(c);
    if (!d) return ND_ERR;
    nd_value *ic = nd_dict(c->arena);
    if (!ic || nd_node_hosts(c->node, c->arena, ic) != ND_OK) return nd_fail(c, "memory allocation failed");
    return kv(c, d, "vurequests\0vintercon\0", nd_dict(c->arena), ic);
}

/* micrOS: (synced, localtime). The sync itself runs in the background
** (sntp.c): the flag is the last finished sync's, a new one starts now. */
static int f_ntp(nd_call *c)
{
    bool ok = ND_WITH_SNTP && nd_node_ntp(c->node); /* no SNTP client built in: never synced */
    if (localtime_tuple(c) != ND_OK) return ND_ERR;
    return ret(c, seq_of(c, nd_tuple(c->arena), 2, nd_bool(c->arena, ok), c->ret));
}

/* micrOS microIO pinmap_info / pinmap_search (pins.h). */
static int f_pinmap(nd_call *c)
{
    const char *keys = NULL;
    if (!nd_arg_is_none(c, 0) && nd_arg_str(c, 0, &keys)) return ND_ERR;
    return nd_pin_ret_info(c, keys);
}

/* Sun times at the node's lat/lon for today's local date, computed locally
** (NOAA equations): (h, m, s) local, or "no event" on polar days/nights. */
static int f_sun(nd_call *c)
{
    if (!ND_WITH_SUN) /* nodus/opts.h: leaves sun.c and libm's trigonometry out */
        return nd_fail(c, "sun times are not built into this node");
    nd_tm day;
    nd_node_localtime(c->node, &day);
    int64_t rise = 0, set = 0;
    int st = nd_node_sun(c->node, &day, &rise, &set);
    if (st < 0) return nd_fail(c, "invalid lat/lon in the config");
    int64_t when[2] = {rise, set};
    nd_value *v[2];
    for (int i = 0; i < 2; i++) {
        if (st != 0) {
            v[i] = nd_str(c->arena, st == 1 ? "no event (polar day)" : "no event (polar night)");
        } else {
            nd_tm t;
            nd_time_split(when[i] + nd_node_utc_offset(c->node, when[i]), &t);
            v[i] = int_tuple(c, (const int[3]){t.hour, t.min, t.sec}, 3);
        }
    }
    return kv(c, NULL, "vsunrise\0vsunset\0", v[0], v[1]);
}

static int f_cron(nd_call *c)
{
    nd_value *d = nd_ret_dict(c);
    if (!d) return ND_ERR;
    if (nd_node_cron_info(c->node, c->arena, d) != ND_OK) return nd_fail(c, "memory allocation failed");
    return ND_OK;
}

/* Task timing: how late task runs started (lateness) and what they cost. */
static int f_timing(nd_call *c)
{
    bool reset;
    nd_arg_bool(c, 0, &reset);
    uint64_t t[6];
    nd_node_timing(c->node, t, reset);
    /* lateness p50, p99 and max: kept in microseconds, shown in ms */
    double ms[3];
    for (int i = 0; i < 3; i++) ms[i] = nd_decimal((int64_t)t[i + 1], -3);
    /* the mean to a thousandth of a microsecond, rounded half up: integers */
    int64_t avg = (int64_t)nd_thousandths(t[5], t[4]);
    return kv(c, NULL, "iruns\0flate_p50_ms\0flate_p99_ms\0flate_max_ms\0frun_avg_us\0",
              (int64_t)t[0], ms[0], ms[1], ms[2], nd_decimal(avg, -3));
}

/* ---- network ------------------------------------------------------------ */

/* micrOS's thresholds: > -67 Amazing, > -70 VeryGood, > -80 Okay, > -90
** NotGood, else Unusable; {'Unavailable': -90} without a station link. */
static int f_rssi(nd_call *c)
{
    static const int8_t above[4] = {-67, -70, -80, -90};
    int dbm = -90;
    const char *k = "Unavailable";
    if (nd_port_wifi_rssi(&dbm) == ND_OK) { /* the first threshold passed names it */
        k = "Amazing\0VeryGood\0Okay\0NotGood\0Unusable";
        for (int i = 0; i < 4 && dbm <= above[i]; i++) k += strlen(k) + 1;
    } else {
        dbm = -90;
    }
    nd_value *d = nd_ret_dict(c);
    if (!d) return ND_ERR;
    return put(c, d, k, nd_int(c->arena, dbm));
}

/* micrOS lists the stations of its own access point; a node that is not an
** access point answers [('NoAP', '')]. The POSIX port never runs one (a
** Wi-Fi scan or hostapd's station table is out of its scope). */
static int f_list_stations(nd_call *c)
{
    nd_arena *a = c->arena;
    nd_value *t = seq_of(c, nd_tuple(a), 2, nd_str(a, "NoAP"), nd_str(a, ""));
    return ret(c, seq_of(c, nd_list(a), 1, t));
}

/* ---- alarms: [ERR] lines in the logs ------------------------------------ */


typedef struct {
    char name[ND_ALARM_NAMES][64];
    int n;
    bool all; /* clean: every log and its older generation, not just *.sys.log */
} log_names;

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int collect_log(void *ud, const char *name, const nd_fs_info *info)
{
    log_names *ln = ud;
    if (info->dir || strlen(name) >= sizeof ln->name[0]) return 0;
    bool take = ends_with(name, ".sys.log") ||
                (ln->all && (ends_with(name, ".log") || ends_with(name, ".log.1")));
    if (!take) return 0;
    snprintf(ln->name[ln->n++], sizeof ln->name[0], "%s", name);
    return ln->n == ND_ALARM_NAMES; /* full: the caller takes another pass */
}

/* One log, read once in small pieces so a large log costs no memory:
** micrOS's Logger.log_get streams the file name, then each stripped line as
** `~~~ \t<line>` to every shell (nd_stream); and the lines containing
** "[ERR]" are counted. "[ERR]" has no border (no prefix is also a suffix),
** so a mismatch restarts the match at 0, or at 1 on a '['. */
static int64_t scan_log(nd_call *c, const char *rel, const char *name)
{
    static const char pat[] = "[ERR]";
    char buf[512], line[ND_DATALOG_LINE_MAX];
    size_t ln = 0, got = 0;
    uint64_t off = 0;
    int sent = 0, k = 0;
    int64_t count = 0;
    bool hit = false;
    nd_stream(c, "%s", name);
    while (nd_fs_read_at(rel, off, buf, sizeof buf, &got) == ND_OK && got > 0) {
        for (size_t i = 0; i < got; i++) {
            char ch = buf[i];
            if (ch != '\n') {
                k = ch == pat[k] ? k + 1 : ch == '[' ? 1 : 0;
                if (k == 5) {
                    hit = true;
                    k = 0;
                }
                if (ln < sizeof line - 1) line[ln++] = ch;
                continue;
            }
            count += hit;
            hit = false;
            k = 0;
            /* past the stream limit: count only */
            size_t a = 0, b = sent < ND_ALARM_STREAM_LINES ? ln : 0;
            while (a < b && (line[a] == ' ' || line[a] == '\t' || line[a] == '\r')) a++;
            while (b > a && (line[b - 1] == ' ' || line[b - 1] == '\t' || line[b - 1] == '\r')) b--;
            if (b > a) { /* micrOS stops at the first empty line; we skip it */
                nd_stream(c, "\t%.*s", (int)(b - a), line + a);
                sent++;
            }
            ln = 0;
        }
        off += got;
    }
    if (ln && sent < ND_ALARM_STREAM_LINES) nd_stream(c, "\t%.*s", (int)ln, line);
    return count + hit; /* a last line without its newline */
}

/* micrOS: optionally delete the logs, then count the [ERR] lines of every
** logs/<name>.sys.log: {'NOK alarm': n} or {'OK alarm': 0}. Like micrOS, each
** log's lines go to every shell as `~~~` lines first (docs/micros-compat.md
** §2.11). */
static int f_alarms(nd_call *c)
{
    bool clean;
    if (nd_arg_bool(c, 0, &clean)) return ND_ERR;
    char rel[80];
    int64_t errs = 0;
    /* phase 0 (clean only) deletes every log, phase 1 scans the *.sys.log files */
    for (int phase = !clean; phase < 2; phase++) {
        for (int pass = 0; pass < 64; pass++) { /* bounded: 64 passes of 16 files */
            log_names ln = {.n = 0, .all = phase == 0};
            nd_fs_list("logs", collect_log, &ln);
            for (int i = 0; i < ln.n; i++) {
                snprintf(rel, sizeof rel, "logs/%s", ln.name[i]);
                if (phase == 0) nd_fs_remove(rel);
                else errs += scan_log(c, rel, ln.name[i]);
            }
            /* phase 1: five *.sys.log files, one pass holds them */
            if (phase == 1 || ln.n < ND_ALARM_NAMES) break;
        }
    }
    nd_value *d = nd_ret_dict(c);
    if (!d) return ND_ERR;
    return put(c, d, errs > 0 ? "NOK alarm" : "OK alarm", nd_int(c->arena, errs));
}

/* ---- notifications: the node's own bounded record ----------------------- */

/* ND_NOTES (notifications kept, static) comes from nodus/opts.h */

/* micrOS sends notifications to subscribers (Telegram, MQTT); nodus keeps
** a local record, listed by `system notifications`, and hands the message
** to the notify service's configured channels (MQTT, Webhook, Telegram:
** src/core/notify.c), which also owns the global on/off switch. */
static struct {
    unsigned next, count;
    struct {
        char when[24];
        char text[ND_NOTE_MAX];
    } note[ND_NOTES];
} notes;

static int f_notifications(nd_call *c)
{
    if (!nd_arg_is_none(c, 0)) {
        if (c->argv[0]->type != ND_T_BOOL) /* micrOS changes the state only for a bool */
            return nd_fail(c, "enable must be True, False or None, not '%s'",
                           nd_type_name(c->argv[0]->type));
        nd_notify_set_enabled(c->node, c->argv[0]->u.b);
    }
    nd_buf b;
    nd_buf_init(&b, 1024 + ND_NOTES * (ND_NOTE_MAX + 32));
    nd_buf_puts(&b, "Notifications[Local");
    for (int i = 0; i < ND_NCH_N; i++)
        if (nd_notify_configured(c->node, i)) nd_buf_printf(&b, ", %s", nd_notify_channel_name(i));
    nd_buf_printf(&b, "]: %s", nd_notify_enabled(c->node) ? "enabled" : "disabled");
    unsigned first = (notes.next + ND_NOTES - notes.count) % ND_NOTES;
    for (unsigned i = 0; i < notes.count; i++) {
        unsigned k = (first + i) % ND_NOTES;
        nd_buf_printf(&b, "\n%s %s", notes.note[k].when, notes.note[k].text);
    }
    /* not nd_ret_str: the listing is longer than its 1 KiB */
    nd_value *v = b.overflow ? NULL : nd_strn(c->arena, b.p ? b.p : "", b.n);
    nd_buf_free(&b);
    return ret(c, v);
}

/* micrOS's channels argument picks subscribers by class name: a name, or a
** list/tuple of names; None or an empty list means all. Names: Local and
** the notify service's channels (MQTT, Webhook, Telegram). */
static void want_name(const char *name, bool *local, unsigned *mask)
{
    if (!strcmp(name, "Local")) *local = true;
    int ch = nd_notify_channel_find(name);
    if (ch >= 0) *mask |= 1u << ch;
}

static int wants_local(nd_call *c, bool *local, unsigned *mask)
{
    nd_value *ch = c->argv[1];
    *local = true;
    *mask = ND_NCH_ALL;
    if (!ch || ch->type == ND_T_NONE) return ND_OK;
    *local = false;
    *mask = 0;
    if (ch->type == ND_T_STR) { /* one name; "" names no subscriber, as on micrOS */
        want_name(ch->u.s.p, local, mask);
        return ND_OK;
    }
    if (ch->type != ND_T_LIST && ch->type != ND_T_TUPLE)
        return nd_fail(c, "channels must be a name or a list of names, not '%s'",
                       nd_type_name(ch->type));
    if (ch->u.seq.n == 0) {
        *local = true;
        *mask = ND_NCH_ALL;
    }
    for (size_t i = 0; i < ch->u.seq.n; i++) {
        nd_value *v = ch->u.seq.v[i];
        if (v->type == ND_T_STR) want_name(v->u.s.p, local, mask);
    }
    return ND_OK;
}

static int f_notify(nd_call *c)
{
    bool local;
    unsigned mask;
    if (wants_local(c, &local, &mask)) return ND_ERR;
    if (!nd_notify_enabled(c->node)) return nd_ret_str(c, "Notifications disabled");
    nd_buf b;
    nd_buf_init(&b, 4 * ND_NOTE_MAX);
    nd_render_str(&b, c->argv[0]); /* str(msg), as micrOS formats any value */
    if (b.overflow || b.n >= ND_NOTE_MAX) {
        size_t n = b.n;
        nd_buf_free(&b);
        return nd_fail(c, "msg too long: %s%zu bytes (max %d)", n >= 4 * ND_NOTE_MAX ? "over " : "", n,
                       ND_NOTE_MAX - 1);
    }
    if (local) {
        unsigned k = notes.next;
        nd_tm t;
        nd_node_localtime(c->node, &t);
        snprintf(notes.note[k].when, sizeof notes.note[k].when, "%d.%d.%d-%d:%d:%d", t.year, t.mon,
                 t.mday, t.hour, t.min, t.sec);
        /* one record per line in the listing */
        for (size_t i = 0; i < b.n; i++)
            notes.note[k].text[i] = b.p[i] == '\n' || b.p[i] == '\r' ? ' ' : b.p[i];
        notes.note[k].text[b.n] = 0;
        notes.next = (k + 1) % ND_NOTES;
        if (notes.count < ND_NOTES) notes.count++;
    }
    /* the configured channels the caller picked: queued, or left out by their rate limit */
    int res[ND_NCH_N];
    const char *text = nd_buf_cstr(&b);
    nd_notify_send(c->node, "", text, mask, false, res);
    nd_buf_clear(&b); /* the message is sent: the buffer now takes the channel names */
    int total = local, sent = local, errs = 0;
    if (local) nd_buf_puts(&b, "Local");
    for (int i = 0; i < ND_NCH_N; i++) {
        if (res[i] == ND_NOTE_OFF) continue;
        if (b.n) nd_buf_puts(&b, ", ");
        nd_buf_puts(&b, nd_notify_channel_name(i));
        total++;
        sent += res[i] == ND_NOTE_QUEUED;
        errs += res[i] == ND_NOTE_ERROR;
    }
    /* micrOS's text; with nothing picked it still counts one client */
    int rc = nd_ret_str(c, "Sent over %s (%d/%d) client(s) - errors: (%d)", nd_buf_cstr(&b), sent,
                        total ? total : 1, errs);
    nd_buf_free(&b);
    return rc;
}

static const nd_func funcs[] = {
    ND_FUNC("info", f_info, "", "TEXTBOX info"),
    ND_FUNC("top", f_top, "", "GRAPH{\"refresh\":5000} top"),
    ND_FUNC("memory_usage", f_memory_usage, "", "memory_usage"),
    ND_FUNC("disk_usage", f_disk_usage, "", "disk_usage"),
    ND_FUNC("gclean", f_gclean, "", "gclean"),
    ND_FUNC("heartbeat", f_heartbeat, "", "BUTTON heartbeat"),
    ND_FUNC("clock", f_clock, "", "TEXTBOX clock"),
    ND_FUNC("setclock", f_setclock, "year month mday hour=0 minute=0 sec=0",
            "setclock year month mday hour minute sec"),
    ND_FUNC("uptime", f_uptime, "", "uptime"),
    ND_FUNC("ifconfig", f_ifconfig, "", "ifconfig"),
    ND_FUNC("hosts", f_hosts, "", "hosts"),
    ND_FUNC("ntp", f_ntp, "", "ntp"),
    ND_FUNC("pinmap", f_pinmap, "keys=None", "pinmap keys='builtin irq1'"),
    ND_FUNC("sun", f_sun, "refresh=False", "TEXTBOX sun"),
    ND_FUNC("cron", f_cron, "", "TEXTBOX cron"),
    ND_FUNC("timing", f_timing, "reset=False", "timing reset=False"),
    ND_FUNC("rssi", f_rssi, "", "rssi"),
    ND_FUNC("list_stations", f_list_stations, "", "list_stations"),
    ND_FUNC("alarms", f_alarms, "clean=False", "alarms clean=False"),
    ND_FUNC("notifications", f_notifications, "enable=None", "notifications enable=<None,True,False>"),
    ND_FUNC("notify", f_notify, "msg channels=None", "notify \"msg\""),
    /* signed updates (README "Updates"): src/core/update_lm.c */
    ND_FUNC("update", nd_update_lm_update, ND_UPDATE_PARAMS, "update url='http://host:port/x.ndu'"),
    ND_FUNC("update_status", nd_update_lm_status, "", "update_status"),
    ND_FUNC("update_rollback", nd_update_lm_rollback, "", "update_rollback"),
    ND_FUNCS_END,
};

const nd_module nd_mod_system = {"system", funcs, NULL, "node information and management"};
