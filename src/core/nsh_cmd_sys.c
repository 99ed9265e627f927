/*
** nsh_cmd_sys.c -- nsh's system commands: date uptime free df sensors lshw
** wdt ntpupdate.
**
** They read the node (its clock and zone, the port's memory and storage
** figures, the board file, the sensor modules) and print upyOS's simple
** text forms; none of them blocks: ntpupdate starts the node's SNTP sync and
** polls its state (ND_NSH_AGAIN + a timer) until it ends.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board_desc.h"
#include "node_int.h"
#include "nodus/sensors.h"
#include "nsh_cmds.h"
#include "pinmap.h"
#include "sntp.h"

#ifndef NODUS_VERSION
#define NODUS_VERSION "dev"
#endif

static const char *const wdays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};

static int no_operands(nd_nsh_io *io, int argc, char **argv, const char *spec, const char *syn,
                       nd_opts *o)
{
    int rc = nd_cmd_opts(io, argc, argv, spec, syn, o);
    if (rc) return rc;
    if (o->npos) {
        nd_nsh_eprintf(io, "%s: unexpected '%s'\n", argv[0], o->pos[0]);
        return nd_cmd_usage(io, syn);
    }
    return 0;
}

/* ---- date uptime --------------------------------------------------------- */

#define SYN_DATE "date [-u]"
ND_CMD_DEF(c_date, "date", SYN_DATE,
           "the node's clock in its local zone (config tz/utc), -u in UTC")
static int c_date(nd_nsh_io *io, int argc, char **argv)
{
    nd_opts o;
    int rc = no_operands(io, argc, argv, "u", SYN_DATE, &o);
    if (rc) return rc;
    struct nd_node *n = nd_nsh_node(io);
    int64_t t = nd_node_time(n);
    int32_t off = o.set['u'] ? 0 : nd_node_utc_offset(n, t);
    const char *zone = o.set['u'] ? "UTC" : nd_tz_name(&n->tz, t);
    if (zone && off != 0 && !strcmp(zone, "UTC")) zone = NULL; /* a bare `utc` offset has no name */
    nd_tm tm;
    nd_time_split(t + off, &tm);
    char offs[16];
    int a = off < 0 ? -off : off;
    snprintf(offs, sizeof offs, "%c%02d%02d", off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
    nd_nsh_printf(io, "%s %04d-%02d-%02d %02d:%02d:%02d %s%s%s\n", wdays[tm.wday % 7], tm.year,
                  tm.mon, tm.mday, tm.hour, tm.min, tm.sec, offs, zone && zone[0] ? " " : "",
                  zone && zone[0] ? zone : "");
    return 0;
}

#define SYN_UPTIME "uptime"
ND_CMD_DEF(c_uptime, "uptime", SYN_UPTIME, "local time, time since the node started, loop load")
static int c_uptime(nd_nsh_io *io, int argc, char **argv)
{
    nd_opts o;
    int rc = no_operands(io, argc, argv, "", SYN_UPTIME, &o);
    if (rc) return rc;
    struct nd_node *n = nd_nsh_node(io);
    nd_tm tm;
    nd_node_localtime(n, &tm);
    uint64_t up = nd_node_uptime_ms(n) / 1000;
    unsigned pm = nd_loop_load_pm();
    nd_nsh_printf(io, "%02d:%02d:%02d up %llu days, %02u:%02u:%02u, loop load %u.%u%%\n", tm.hour,
                  tm.min, tm.sec, (unsigned long long)(up / 86400), (unsigned)(up / 3600 % 24),
                  (unsigned)(up / 60 % 60), (unsigned)(up % 60), pm / 10, pm % 10);
    return 0;
}

/* ---- free df --------------------------------------------------------------- */

static void size_cell(bool human, uint64_t v, char *buf, size_t n)
{
    if (human) nd_cmd_human(v, buf, n);
    else snprintf(buf, n, "%llu", (unsigned long long)v);
}

#define SYN_FREE "free [-h]"
ND_CMD_DEF(c_free, "free", SYN_FREE,
           "memory: the machine's total, the node's resident size, the allocator's free bytes (-h human)")
static int c_free(nd_nsh_io *io, int argc, char **argv)
{
    nd_opts o;
    int rc = no_operands(io, argc, argv, "h", SYN_FREE, &o);
    if (rc) return rc;
    uint64_t total = nd_port_mem_total(), rss = nd_port_rss_bytes(), heap = nd_port_heap_free();
    char a[32], b[32], c[32];
    size_cell(o.set['h'], total, a, sizeof a);
    size_cell(o.set['h'], rss, b, sizeof b);
    size_cell(o.set['h'], heap, c, sizeof c);
    nd_nsh_printf(io, "%-12s %12s\n%-12s %12s (%.2f%% of total)\n%-12s %12s\n", "Total:", a,
                  "Node (RSS):", b, total ? 100.0 * (double)rss / (double)total : 0.0,
                  "Heap free:", c);
    return 0;
}

#define SYN_DF "df [-h]"
ND_CMD_DEF(c_df, "df", SYN_DF,
           "storage: the file system's size, used and free bytes, and what the node's tree takes (-h human)")
static int c_df(nd_nsh_io *io, int argc, char **argv)
{
    nd_opts o;
    int rc = no_operands(io, argc, argv, "h", SYN_DF, &o);
    if (rc) return rc;
    uint64_t tree = 0, total = 0, fre = 0;
    rc = nd_fs_usage(&tree, &total, &fre);
    if (rc != ND_OK) {
        nd_nsh_eprintf(io, "df: %s\n", nd_cmd_strerror(rc));
        return 1;
    }
    uint64_t used = total > fre ? total - fre : 0;
    char a[32], b[32], c[32], d[32];
    size_cell(o.set['h'], total, a, sizeof a);
    size_cell(o.set['h'], used, b, sizeof b);
    size_cell(o.set['h'], fre, c, sizeof c);
    size_cell(o.set['h'], tree, d, sizeof d);
    nd_nsh_printf(io, "%-8s %12s\n%-8s %12s (%.2f%%)\n%-8s %12s (%.2f%%)\n%-8s %12s (the state directory /)\n",
                  "Total:", a, "Used:", b, total ? 100.0 * (double)used / (double)total : 0.0,
                  "Free:", c, total ? 100.0 * (double)fre / (double)total : 0.0, "Node:", d);
    return 0;
}

/* ---- sensors ------------------------------------------------------------- */

/* The readings come from the one sensor table (nodus/sensors.h), which MQTT
** telemetry and Home Assistant discovery read too: one line per reading
** function (a function that returns several values is called once). */
static bool seen_before(const nd_sensor_desc *list, const nd_sensor_desc *s)
{
    for (const nd_sensor_desc *p = list; p < s; p++)
        if (!strcmp(p->module, s->module) && !strcmp(p->func, s->func)) return true;
    return false;
}

#define SYN_SENSORS "sensors [-a]"
ND_CMD_DEF(c_sensors, "sensors", SYN_SENSORS,
           "one reading of every loaded sensor module (the readings of nodus/sensors.h's "
           "table); -a (and the sim board): every sensor module, which loads them")
static int c_sensors(nd_nsh_io *io, int argc, char **argv)
{
    nd_opts o;
    int rc = no_operands(io, argc, argv, "a", SYN_SENSORS, &o);
    if (rc) return rc;
    struct nd_node *n = nd_nsh_node(io);
    /* Reading a module loads it, and loading books its pins: on real hardware
    ** only what the user already uses is read unless -a asks for all. */
    const char *board = nd_cfg_get_str(n->cfg, ND_K_board);
    bool all = o.set['a'] || !nd_board_find(board) || !strcmp(board, "sim");
    int shown = 0, failed = 0;
    nd_buf out;
    nd_buf_init(&out, 4096);
    const nd_sensor_desc *list = nd_sensor_list();
    for (const nd_sensor_desc *sd = list; sd->module; sd++) {
        int idx;
        const nd_module *m = nd_registry_find(sd->module, strlen(sd->module), &idx);
        if (!m || seen_before(list, sd) || (!all && !nd_registry_is_loaded(n, idx))) continue;
        char line[96];
        int k = snprintf(line, sizeof line, "%s %s", m->name, sd->func);
        if (k < 0 || (size_t)k >= sizeof line) continue;
        nd_ctx ctx = {.door = ND_DOOR_PIPE};
        nd_buf_clear(&out);
        int x = nd_exec(n, &ctx, line, (size_t)k, &out);
        char *text = (char *)nd_buf_cstr(&out);
        size_t tl = strlen(text);
        while (tl && (text[tl - 1] == '\n' || text[tl - 1] == ' ')) tl--;
        for (size_t j = 0; j < tl; j++) /* a multi-line reading on one line */
            if (text[j] == '\n') text[j] = ';';
        if (x == ND_X_OK) nd_nsh_printf(io, "%-24s %.*s\n", line, (int)tl, text);
        else {
            nd_nsh_eprintf(io, "%-24s error: %.*s\n", line, (int)tl, text);
            failed++;
        }
        shown++;
    }
    nd_buf_free(&out);
    if (!shown) {
        nd_nsh_eprintf(io, "sensors: no sensor module %s\n",
                       all ? "built in" : "loaded yet (sensors -a reads every one, loading them)");
        return 1;
    }
    return failed == shown ? 1 : 0;
}

/* ---- lshw ---------------------------------------------------------------- */

static const char *gpio_str(int g, char *buf, size_t n)
{
    if (g == ND_BOARD_NONE) snprintf(buf, n, "-");
    else if (g == ND_PIN_LED) snprintf(buf, n, "LED (radio chip)");
    else if (g < 0) snprintf(buf, n, "%d (active low)", -g);
    else snprintf(buf, n, "%d", g);
    return buf;
}

static const char *const sections[] = {"identity", "mcu", "capabilities", "buses", "leds", "pins", NULL};

static void lshw_section(nd_nsh_io *io, struct nd_node *n, const nd_board_desc *d,
                         const char *board, const char *sec)
{
    char a[32], b[32], c[32], e[32];
    nd_nsh_printf(io, "[%s]\n", sec);
    if (!strcmp(sec, "identity")) {
        nd_nsh_printf(io, "  map: %s\n  name: %s\n  vendor: %s\n  text: %s\n", board, d->name,
                      d->vendor, d->text);
    } else if (!strcmp(sec, "mcu")) {
        double mhz = nd_port_cpu_mhz();
        nd_nsh_printf(io, "  arch: %s\n  cpu: %s\n", d->arch ? d->arch : nd_upd_arch(),
                      d->cpu ? d->cpu : nd_port_board());
        if (d->cores) nd_nsh_printf(io, "  cores: %d\n", d->cores);
        else nd_nsh_printf(io, "  cores: (the host's)\n");
        if (d->clock_mhz) nd_nsh_printf(io, "  clock_mhz: %d\n", d->clock_mhz);
        if (mhz > 0) nd_nsh_printf(io, "  clock_now_mhz: %.0f\n", mhz);
        if (d->ram_kib) nd_nsh_printf(io, "  ram_kib: %d\n", d->ram_kib);
        else nd_nsh_printf(io, "  ram_kib: %llu (the host's)\n", (unsigned long long)(nd_port_mem_total() / 1024));
        if (d->flash_kib) nd_nsh_printf(io, "  flash_kib: %d\n", d->flash_kib);
    } else if (!strcmp(sec, "capabilities")) {
        nd_nsh_printf(io, "  wifi: %s\n  bt: %s\n  eth: %s\n  rtc: %s\n  temp: %s\n  usb: %s\n",
                      d->wifi ? "yes" : "no", d->bt ? "yes" : "no", d->eth ? "yes" : "no",
                      d->rtc ? "yes" : "no", d->temp ? "yes" : "no", d->usb ? "yes" : "no");
    } else if (!strcmp(sec, "buses")) {
        for (int i = 0; i < d->ni2c; i++)
            nd_nsh_printf(io, "  i2c%d: sda_gpio=%s scl_gpio=%s%s%s\n", i,
                          gpio_str(d->i2c[i].sda_gpio, a, sizeof a), gpio_str(d->i2c[i].scl_gpio, b, sizeof b),
                          d->i2c[i].dev ? " dev=" : "", d->i2c[i].dev ? d->i2c[i].dev : "");
        for (int i = 0; i < d->nspi; i++)
            nd_nsh_printf(io, "  spi%d: mosi_gpio=%s miso_gpio=%s sck_gpio=%s cs_gpio=%s%s%s\n", i,
                          gpio_str(d->spi[i].mosi_gpio, a, sizeof a), gpio_str(d->spi[i].miso_gpio, b, sizeof b),
                          gpio_str(d->spi[i].sck_gpio, c, sizeof c), gpio_str(d->spi[i].cs_gpio, e, sizeof e),
                          d->spi[i].dev ? " dev=" : "", d->spi[i].dev ? d->spi[i].dev : "");
        for (int i = 0; i < d->nuart; i++)
            nd_nsh_printf(io, "  uart%d: tx_gpio=%s rx_gpio=%s%s%s\n", i,
                          gpio_str(d->uart[i].tx_gpio, a, sizeof a), gpio_str(d->uart[i].rx_gpio, b, sizeof b),
                          d->uart[i].dev ? " dev=" : "", d->uart[i].dev ? d->uart[i].dev : "");
        const nd_board *bd = nd_board_find(board);
        int sda, scl;
        if (!d->ni2c && bd && nd_board_pin(bd, "i2c_sda", &sda) && nd_board_pin(bd, "i2c_scl", &scl))
            nd_nsh_printf(io, "  i2c0: sda_gpio=%s scl_gpio=%s (from the pin map)\n", gpio_str(sda, a, sizeof a),
                          gpio_str(scl, b, sizeof b));
        else if (!d->ni2c && !d->nspi && !d->nuart) nd_nsh_printf(io, "  (none fixed by the board)\n");
    } else if (!strcmp(sec, "leds")) {
        nd_nsh_printf(io, "  led_gpio: %s\n  rgb_gpio: %s\n", gpio_str(d->led_gpio, a, sizeof a),
                      gpio_str(d->rgb_gpio, b, sizeof b));
    } else if (!strcmp(sec, "pins")) {
        const nd_board *bd = nd_board_find(board);
        const char *name;
        int pin;
        for (size_t i = 0; bd && nd_board_pin_at(bd, i, &name, &pin); i++)
            nd_nsh_printf(io, "  %s_gpio: %s\n", name, gpio_str(pin, a, sizeof a));
    }
    (void)n;
}

#define SYN_LSHW "lshw [-f [SECTION]]"
ND_CMD_DEF(c_lshw, "lshw", SYN_LSHW,
           "the hardware: summary; -f every board file section, -f SECTION one (identity mcu "
           "capabilities buses leds pins)")
static int c_lshw(nd_nsh_io *io, int argc, char **argv)
{
    nd_opts o;
    int rc = nd_cmd_opts(io, argc, argv, "f", SYN_LSHW, &o);
    if (rc) return rc;
    if (o.npos > (o.set['f'] ? 1 : 0)) {
        nd_nsh_eprintf(io, "lshw: unexpected '%s'\n", o.pos[0]);
        return nd_cmd_usage(io, SYN_LSHW);
    }
    struct nd_node *n = nd_nsh_node(io);
    const char *board = nd_cfg_get_str(n->cfg, ND_K_board);
    const nd_board_desc *d = nd_board_desc_find(board);
    if (!d) {
        board = "sim"; /* what the pin map falls back to as well */
        d = nd_board_desc_find(board);
    }
    if (o.set['f']) {
        if (o.npos) {
            for (int i = 0; sections[i]; i++)
                if (!strcmp(sections[i], o.pos[0])) {
                    lshw_section(io, n, d, board, sections[i]);
                    return 0;
                }
            nd_nsh_eprintf(io, "lshw: no section '%s' (identity mcu capabilities buses leds pins)\n",
                           o.pos[0]);
            return 1;
        }
        for (int i = 0; sections[i]; i++) lshw_section(io, n, d, board, sections[i]);
        return 0;
    }
    double mhz = nd_port_cpu_mhz();
    bool rec = nd_node_recovery(n);
    const char *why = rec ? nd_node_recovery_why(n) : NULL;
    nd_nsh_printf(io,
                  "SystemID: %s (%s)\nPlatform: %s\nBoard: %s -- %s, %s\nnodus: %s\nCPU: %s, %s\n",
                  nd_cfg_get_str(n->cfg, ND_K_devfid), nd_cfg_get_str(n->cfg, ND_K_hwuid),
                  nd_port_board(), board, d->name, d->vendor, NODUS_VERSION,
                  d->cpu ? d->cpu : nd_port_board(), d->arch ? d->arch : nd_upd_arch());
    if (mhz > 0) nd_nsh_printf(io, "CPU speed: %.0f MHz\n", mhz);
    else if (d->clock_mhz) nd_nsh_printf(io, "CPU speed: %d MHz (nominal)\n", d->clock_mhz);
    nd_nsh_printf(io, "Memory: %llu KiB\nRecovery: %s%s%s%s\n",
                  (unsigned long long)(nd_port_mem_total() / 1024), rec ? "yes" : "no",
                  why ? " (" : "", why ? why : "", why ? ")" : "");
    return 0;
}

/* ---- wdt ----------------------------------------------------------------- */

#define SYN_WDT "wdt [-t SECONDS [-d DELAY]] | wdt -s"
ND_CMD_DEF(c_wdt, "wdt", SYN_WDT,
           "watchdog: show which one guards the node; -t arm it (fed only while the event loop "
           "turns); -s stop the node's own one")
static int c_wdt(nd_nsh_io *io, int argc, char **argv)
{
    nd_opts o;
    int rc = no_operands(io, argc, argv, "t:d:sq", SYN_WDT, &o);
    if (rc) return rc;
    nd_wdt_info w;
    if (o.set['t']) {
        char *end;
        long t = strtol(o.val['t'], &end, 10);
        long delay = o.val['d'] ? strtol(o.val['d'], NULL, 10) : 0;
        if (*end || t < 1 || t > 3600 || delay < 0 || delay > 3600) {
            nd_nsh_eprintf(io, "wdt: -t wants 1..3600 seconds (-d 0..3600)\n");
            return 2;
        }
        rc = nd_port_wdt_arm((uint32_t)t, (uint32_t)delay);
        if (rc != ND_OK) {
            nd_nsh_eprintf(io, "wdt: cannot arm the watchdog: %s\n", nd_cmd_strerror(rc));
            return 1;
        }
        nd_port_wdt_info(&w);
        if (!o.set['q'])
            nd_nsh_printf(io, "Watchdog started (%s) with timeout = %lu seconds%s\n", w.kind,
                          (unsigned long)w.timeout_s, delay ? " after the delay" : "");
        return 0;
    }
    if (o.set['s']) {
        rc = nd_port_wdt_arm(0, 0);
        if (rc != ND_OK) {
            nd_nsh_eprintf(io, "wdt: this watchdog cannot be stopped (%s)\n", nd_cmd_strerror(rc));
            return 1;
        }
        if (!o.set['q']) nd_nsh_printf(io, "Watchdog stopped.\n");
        return 0;
    }
    nd_port_wdt_info(&w);
    if (!w.armed) {
        nd_nsh_printf(io, "Watchdog: none armed (wdt -t SECONDS arms the %s one)\n", w.kind);
        return 0;
    }
    nd_nsh_printf(io, "Watchdog: %s, timeout %lu s, last fed %llu ms ago (fed by the event loop)\n",
                  w.kind, (unsigned long)w.timeout_s,
                  (unsigned long long)(nd_port_mono_ms() - w.last_feed_ms));
    return 0;
}

/* ---- ntpupdate ------------------------------------------------------------ */

typedef struct ntpstate {
    uint64_t deadline;
    uint64_t syncs0;
    bool seen_running;
} ntpstate;

#define SYN_NTP "ntpupdate"
ND_CMD_DEF(c_ntp, "ntpupdate", SYN_NTP,
           "sync the node's clock now with its SNTP server (config ntpserver); waits up to 10 s")
static int c_ntp(nd_nsh_io *io, int argc, char **argv)
{
    struct nd_node *n = nd_nsh_node(io);
    ntpstate *st = nd_nsh_state(io);
    nd_sntp_info si;
    if (!st) {
        nd_opts o;
        int rc = no_operands(io, argc, argv, "", SYN_NTP, &o);
        if (rc) return rc;
        st = calloc(1, sizeof *st);
        if (!st) return 1;
        nd_sntp_status(n, &si);
        st->syncs0 = si.syncs;
        st->deadline = nd_port_mono_ms() + 10000;
        nd_nsh_set_state(io, st, free);
        nd_node_ntp(n);
    }
    nd_sntp_status(n, &si);
    if (si.running) st->seen_running = true;
    if (si.syncs != st->syncs0) {
        nd_nsh_printf(io, "clock set from %s:%d, offset %+lld ms\n", si.host, si.port,
                      (long long)si.offset_ms);
        return 0;
    }
    if (!si.running) {
        nd_nsh_eprintf(io, "ntpupdate: %s %s:%d\n", si.why ? si.why : "no answer from", si.host,
                       si.port);
        return 1;
    }
    if (nd_port_mono_ms() >= st->deadline) {
        nd_nsh_eprintf(io, "ntpupdate: no result within 10 s (the sync goes on in the background)\n");
        return 1;
    }
    nd_nsh_wake_at(io, nd_port_mono_ms() + 100);
    return ND_NSH_AGAIN;
}

const nd_nsh_cmd *const nd_nsh_cmds_sys[] = {
    &c_date_def, &c_uptime_def, &c_free_def, &c_df_def, &c_sensors_def,
    &c_lshw_def, &c_wdt_def,    &c_ntp_def,  NULL,
};
