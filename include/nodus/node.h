/*
** node.h -- what a Load Module may ask of the node it runs in.
**
** Modules never reach into the node's structures; they call these functions
** with the nd_node pointer they find in their nd_call.
*/
#ifndef NODUS_NODE_H
#define NODUS_NODE_H

#include <stdbool.h>
#include <stdint.h>

#include "nodus/value.h"

struct nd_node;

#define NODUS_VERSION "0.1.0-0" /* micrOS-style X.Y.Z-N: clients check '.' and '-' */

/* Configuration (override > file > default); see README "Config keys". A key
** nodus does not know reads as its value when node_config.json has it (a
** module's own key), else as "", false or 0 -- and the first read of such a
** name logs a [WARN] (a misspelt key would otherwise fail silently). */
const char *nd_node_cfg_str(struct nd_node *n, const char *key);
bool nd_node_cfg_bool(struct nd_node *n, const char *key);
int64_t nd_node_cfg_int(struct nd_node *n, const char *key);
double nd_node_cfg_float(struct nd_node *n, const char *key);

/* The node's wall clock: OS clock plus a node-local offset that
** `system setclock` moves (the OS clock is never touched). UTC seconds. */
int64_t nd_node_time(struct nd_node *n);
int64_t nd_node_time_ms(struct nd_node *n);
void nd_node_set_time(struct nd_node *n, int64_t utc_seconds);
/* Local-time offset in seconds east of UTC for a UTC instant (config `utc`). */
int32_t nd_node_utc_offset(struct nd_node *n, int64_t utc_seconds);
/* Local wall time (seconds, as if UTC) -> UTC: a time skipped by a DST
** change maps to the first valid second after it, a repeated one to its
** first occurrence. */
int64_t nd_node_local_to_utc(struct nd_node *n, int64_t local);
uint64_t nd_node_uptime_ms(struct nd_node *n);

/* Broken-down calendar time (proleptic Gregorian, no OS calls). */
typedef struct nd_tm {
    int year, mon, mday;   /* mon 1..12, mday 1..31 */
    int hour, min, sec;
    int wday;              /* 0 = Monday ... 6 = Sunday (micrOS/MicroPython) */
    int yday;              /* 1..366 */
} nd_tm;
void nd_time_split(int64_t t, nd_tm *tm);    /* seconds since 1970 -> fields */
int64_t nd_time_join(const nd_tm *tm);       /* fields -> seconds (yday/wday ignored) */
/* Local time of the node now. */
void nd_node_localtime(struct nd_node *n, nd_tm *tm);

/* `system cron`: one dict item per cron entry (next/last fire, command)
** and per malformed entry. */
int nd_node_cron_info(struct nd_node *n, nd_arena *a, nd_value *dict);
/* Sunrise/sunset (UTC s) at the node's lat/lon for a local calendar day.
** Returns 0 when both exist, else a polar-day/night status (sun.h). */
int nd_node_sun(struct nd_node *n, const nd_tm *local_day, int64_t *rise, int64_t *set);
/* Task timing since the last reset: count, p50, p99, max lateness (us),
** runs and total run time (us). */
void nd_node_timing(struct nd_node *n, uint64_t out[6], bool reset);

/* `system hosts`: the InterCon host cache (name: ip items) into dict. */
int nd_node_hosts(struct nd_node *n, nd_arena *a, nd_value *dict);
/* `system ntp`: start an NTP sync now unless one is running (non-blocking);
** true when the last finished sync set the clock. */
bool nd_node_ntp(struct nd_node *n);

/* Problems recorded at start (broken config ...), "" when none. */
const char *nd_node_problems(struct nd_node *n);
/* Why the node booted in recovery mode (no boothook, no init scripts);
** NULL in a normal boot. */
const char *nd_node_recovery_why(struct nd_node *n);

/* Run a command pipeline ("rgb color 0 0 255; dimmer set 50") as boothook,
** interrupts and cron do: output discarded, a failure logged with origin.
** Returns the number of commands that failed. */
int nd_node_run(struct nd_node *n, const char *pipeline, const char *origin);

/* Log a line; a leading [ERR] [WARN] [BOOT] [INFO] tag picks the file
** (logs/err.sys.log ...), anything else goes to logs/user.sys.log. */
void nd_log(struct nd_node *n, const char *fmt, ...);

#endif
