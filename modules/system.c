/*
** system.c -- the `system` Load Module: node information and management,
** with micrOS's function names and output shapes (micros-compat 9.1).
** Values are real: resident memory, state-directory disk use, loop load.
*/
#include <stdio.h>
#include <string.h>

#include "nodus/module.h"
#include "nodus/node.h"
#include "nodus/pins.h"
#include "nodus/port.h"

static double pct(double part, double whole)
{
    if (whole <= 0) return 0.0;
    double p = 100.0 * part / whole;
    return (double)(long long)(p * 10.0 + 0.5) / 10.0; /* one decimal, like micrOS */
}

static int put(nd_call *c, nd_value *d, const char *k, nd_value *v)
{
    if (!v || nd_dict_set(c->arena, d, k, v) != ND_OK) return nd_fail(c, "memory allocation failed");
    return ND_OK;
}

static double mem_pct(void) { return pct((double)nd_port_rss_bytes(), (double)nd_port_mem_total()); }

static double fs_pct(uint64_t *used)
{
    uint64_t tree = 0, total = 0, avail = 0;
    nd_fs_usage(&tree, &total, &avail);
    if (used) *used = tree;
    return pct((double)(total - avail), (double)total);
}

static int uptime_text(nd_call *c, char *buf, size_t n)
{
    uint64_t s = nd_node_uptime_ms(c->node) / 1000;
    return snprintf(buf, n, "%llu %llu:%llu:%llu", (unsigned long long)(s / 86400),
                    (unsigned long long)(s / 3600 % 24), (unsigned long long)(s / 60 % 60),
                    (unsigned long long)(s % 60));
}

static int top_into(nd_call *c, nd_value *d)
{
    if (put(c, d, "Mem usage [%]", nd_float(c->arena, mem_pct()))) return ND_ERR;
    if (put(c, d, "FS usage [%]", nd_float(c->arena, fs_pct(NULL)))) return ND_ERR;
    double load = (double)(long long)(nd_loop_load_pct() * 10.0 + 0.5) / 10.0;
    return put(c, d, "CPU load [%]", nd_float(c->arena, load));
}

/* The JSON of `system info` is read by clients with a Python literal parser:
** only numbers and strings, never true/false/null (micros-compat 9.1). */
static int f_info(nd_call *c)
{
    nd_value *d = nd_ret_dict(c);
    if (!d || top_into(c, d)) return ND_ERR;
    char up[64], ip[16], mask[16], gw[16], dns[16], mac[18];
    uptime_text(c, up, sizeof up);
    nd_port_ifconfig(ip, mask, gw, dns, mac);
    double mhz = (double)(long long)(nd_port_cpu_mhz() + 0.5);
    if (put(c, d, "CPU clock [MHz]", nd_float(c->arena, mhz)) ||
        put(c, d, "upython", nd_strf(c->arena, "nodus %s (C)", NODUS_VERSION)) ||
        put(c, d, "board", nd_str(c->arena, nd_port_board())) ||
        put(c, d, "uptime", nd_str(c->arena, up)) || put(c, d, "mac", nd_str(c->arena, mac)))
        return ND_ERR;
    const char *probs = nd_node_problems(c->node);
    if (probs[0] && put(c, d, "problems", nd_str(c->arena, probs))) return ND_ERR;
    return ND_OK;
}

static int f_top(nd_call *c)
{
    nd_value *d = nd_ret_dict(c);
    return d ? top_into(c, d) : ND_ERR;
}

static int f_memory_usage(nd_call *c)
{
    nd_value *d = nd_ret_dict(c);
    if (!d) return ND_ERR;
    if (put(c, d, "percent", nd_float(c->arena, mem_pct()))) return ND_ERR;
    return put(c, d, "mem_used", nd_int(c->arena, (int64_t)nd_port_rss_bytes()));
}

static int f_disk_usage(nd_call *c)
{
    nd_value *d = nd_ret_dict(c);
    if (!d) return ND_ERR;
    uint64_t used = 0;
    double p = fs_pct(&used);
    if (put(c, d, "percent", nd_float(c->arena, p))) return ND_ERR;
    return put(c, d, "fs_used", nd_int(c->arena, (int64_t)used));
}

static int f_gclean(nd_call *c)
{
    nd_value *d = nd_ret_dict(c);
    if (!d) return ND_ERR;
    return put(c, d, "GC MemFree[byte]", nd_int(c->arena, (int64_t)nd_port_heap_free()));
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
    nd_value *tu = nd_tuple(c->arena);
    int v[8] = {t.year, t.mon, t.mday, t.hour, t.min, t.sec, t.wday, t.yday};
    if (!tu) return nd_fail(c, "memory allocation failed");
    for (int i = 0; i < 8; i++)
        if (nd_seq_push(c->arena, tu, nd_int(c->arena, v[i])) != ND_OK)
            return nd_fail(c, "memory allocation failed");
    c->ret = tu;
    return ND_OK;
}

/* setclock moves the node's clock only (an offset over the OS clock). */
static int f_setclock(nd_call *c)
{
    int64_t f[6];
    static const int64_t lo[6] = {1970, 1, 1, 0, 0, 0}, hi[6] = {2200, 12, 31, 23, 59, 59};
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
    nd_value *addr = nd_tuple(c->arena), *top = nd_tuple(c->arena);
    if (!addr || !top) return nd_fail(c, "memory allocation failed");
    const char *parts[4] = {ip, mask, gw, dns};
    for (int i = 0; i < 4; i++) nd_seq_push(c->arena, addr, nd_str(c->arena, parts[i]));
    /* micrOS: STA when connected to a network, AP when ip == gateway */
    const char *mode = rc != ND_OK ? "" : (strcmp(ip, gw) == 0 ? "AP" : "STA");
    if (nd_seq_push(c->arena, top, nd_str(c->arena, mode)) || nd_seq_push(c->arena, top, addr))
        return nd_fail(c, "memory allocation failed");
    c->ret = top;
    return ND_OK;
}

static int f_hosts(nd_call *c)
{
    nd_value *d = nd_ret_dict(c);
    if (!d) return ND_ERR;
    nd_value *ic = nd_dict(c->arena);
    if (!ic || nd_node_hosts(c->node, c->arena, ic) != ND_OK) return nd_fail(c, "memory allocation failed");
    if (put(c, d, "urequests", nd_dict(c->arena))) return ND_ERR;
    return put(c, d, "intercon", ic);
}

/* micrOS: (synced, localtime). The sync itself runs in the background
** (sntp.c): the flag is the last finished sync's, a new one starts now. */
static int f_ntp(nd_call *c)
{
    bool ok = nd_node_ntp(c->node);
    if (localtime_tuple(c) != ND_OK) return ND_ERR;
    nd_value *t = nd_tuple(c->arena);
    if (!t || nd_seq_push(c->arena, t, nd_bool(c->arena, ok)) || nd_seq_push(c->arena, t, c->ret))
        return nd_fail(c, "memory allocation failed");
    c->ret = t;
    return ND_OK;
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
    nd_tm day;
    nd_node_localtime(c->node, &day);
    int64_t rise = 0, set = 0;
    int st = nd_node_sun(c->node, &day, &rise, &set);
    if (st < 0) return nd_fail(c, "invalid lat/lon in the config");
    nd_value *d = nd_ret_dict(c);
    if (!d) return ND_ERR;
    const char *names[2] = {"sunrise", "sunset"};
    int64_t when[2] = {rise, set};
    for (int i = 0; i < 2; i++) {
        nd_value *v;
        if (st != 0) {
            v = nd_str(c->arena, st == 1 ? "no event (polar day)" : "no event (polar night)");
        } else {
            nd_tm t;
            nd_time_split(when[i] + nd_node_utc_offset(c->node, when[i]), &t);
            v = nd_tuple(c->arena);
            if (v && (nd_seq_push(c->arena, v, nd_int(c->arena, t.hour)) ||
                      nd_seq_push(c->arena, v, nd_int(c->arena, t.min)) ||
                      nd_seq_push(c->arena, v, nd_int(c->arena, t.sec))))
                v = NULL;
        }
        if (put(c, d, names[i], v)) return ND_ERR;
    }
    return ND_OK;
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
    nd_value *d = nd_ret_dict(c);
    if (!d) return ND_ERR;
    if (put(c, d, "runs", nd_int(c->arena, (int64_t)t[0])) ||
        put(c, d, "late_p50_ms", nd_float(c->arena, (double)t[1] / 1000.0)) ||
        put(c, d, "late_p99_ms", nd_float(c->arena, (double)t[2] / 1000.0)) ||
        put(c, d, "late_max_ms", nd_float(c->arena, (double)t[3] / 1000.0)) ||
        put(c, d, "run_avg_us", nd_float(c->arena, t[4] ? (double)t[5] / (double)t[4] : 0.0)))
        return ND_ERR;
    return ND_OK;
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
    ND_FUNCS_END,
};

const nd_module nd_mod_system = {"system", funcs, NULL, "node information and management"};
