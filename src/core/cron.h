/*
** cron.h -- micrOS `crontasks` parsing and pure next/previous fire times.
**
** GRAMMAR (a superset of micrOS, see docs/micros-compat.md §7.1)
**
**   crontasks := task { SEP task }          "n/a..." or "" = no tasks
**   SEP       := ";;" if the string contains ";;" anywhere, else ";"
**                (with ";;", a single ';' separates commands of one task
**                and stays in the command text: "a; b" is a pipeline)
**   task      := time [ "~" minutes ] "!" commands
**   time      := WD ":" H ":" M ":" S | sun
**   field     := item { "," item }
**   item      := "*" [ "/" step ] | n [ "-" m ] [ "/" step ]
**   sun       := ("sunrise" | "sunset") [ ("+" | "-") minutes ]
**
**   WD 0..6 (0 = Monday, as micrOS), H 0..23, M 0..59, S 0..59.
**   Ranges are inclusive and wrap when n > m in every field ("5-1" is
**   Sat, Sun, Mon, Tue; "22-2" is 22, 23, 0, 1, 2); "n/step" means n-max/step;
**   a step walks the (possibly wrapped) range from its start.
**   Sun tags fire every day at the sun event of that date at the node's
**   lat/lon (nd_sun), shifted by the offset (-720..+720 minutes); days
**   without the event (polar day/night) have no occurrence.
**   Whitespace around tasks, around the time and around the command is
**   ignored; empty tasks (e.g. a trailing ';') are skipped.
**
** CATCH-UP SUFFIX (nodus extension): "~N" right after the time, N = 1..10080
** minutes, e.g.  "*:7:0:0~30!relay on"  or  "sunset+10~120!lights on".
** Default (no suffix) is micrOS behaviour: an occurrence that passes while
** the node is off or while the clock jumps over it is skipped. With "~N",
** at boot (once the clock is valid) and after a forward clock set, the
** most recent missed occurrence is run ONCE if it lies within the last N
** minutes (nd_cron_missed). '~' never appears in micrOS time specs, and the
** suffix sits before '!', so no micrOS command text can be misread.
**
** TIMING SEMANTICS (what nd_cron_next computes)
**   Occurrences are wall-clock times of the zone, computed from the local
**   calendar fields of each candidate day (never "last + 24 h"):
**   - a wall time skipped by spring-forward fires at the first valid second
**     after the gap (the transition instant); several skipped wall times of
**     one entry collapse into that one firing;
**   - a wall time repeated by fall-back fires once, at its first occurrence;
**   - nd_cron_next(after) returns the first occurrence STRICTLY after
**     `after`: pass the previous fire time to step through occurrences,
**     which guarantees that no occurrence fires twice; pass now - 1 to
**     include an occurrence at exactly `now`.
**   Supported instants: years 1..9999 (ND_EINVAL outside).
**
** Cost: next/prev of a clock entry is a few calendar conversions and bit
** scans (no per-second or per-minute search); a sun entry computes the sun
** for about four days (more only across polar night).
**
** Memory is fixed: ND_CRON_MAX entries of ND_CRON_CMD_MAX command bytes;
** exceeding either is reported like any other malformed task.
*/
#ifndef ND_CRON_H
#define ND_CRON_H

#include <stddef.h>
#include <stdint.h>

#include "tz.h"

/* ND_CRON_MAX, ND_CRON_CMD_MAX */
#include "nodus/opts.h" /* the limits; a port may override them */
#define ND_CRON_CATCHUP_MAX 10080 /* "~N" limit: one week in minutes */
#define ND_CRON_SUN_OFF_MAX 720 /* |sunrise+N| limit in minutes */

#define ND_CRON_T_MIN INT64_C(-62135596800) /* 0001-01-01 00:00:00 */
#define ND_CRON_T_MAX INT64_C(253402300799) /* 9999-12-31 23:59:59 */

enum { ND_CRON_CLOCK = 0, ND_CRON_SUNRISE = 1, ND_CRON_SUNSET = 2 };

typedef struct nd_cron_entry {
    uint8_t kind;        /* ND_CRON_CLOCK or a sun tag */
    uint8_t wday;        /* bit d set: weekday d (0 = Monday); never 0 */
    uint32_t hour;       /* bit h: hour h; never 0 for clock entries */
    uint64_t min, sec;   /* bit m: minute m / bit s: second s */
    int16_t sun_off;     /* minutes added to the sun event */
    uint16_t catchup;    /* minutes, 0 = skip missed occurrences */
    int index;           /* position of the task in crontasks, 0-based */
    char spec[ND_CRON_SPEC_MAX]; /* time text as written (may be truncated) */
    char cmd[ND_CRON_CMD_MAX];   /* commands, trimmed */
} nd_cron_entry;

typedef struct nd_cron_error {
    int index;           /* position of the task in crontasks, 0-based */
    char text[48];       /* the task as written (truncated) */
    char reason[80];     /* e.g. "hour 25 out of range 0-23" */
} nd_cron_error;

typedef struct nd_cron_table {
    int n;                           /* valid entries */
    nd_cron_entry e[ND_CRON_MAX];
    int nerr;                        /* malformed tasks */
    nd_cron_error err[ND_CRON_MAX + 1];
} nd_cron_table;

/* Parse one task ("time!commands", len bytes, need not be NUL-terminated).
** ND_OK or ND_ESYNTAX / ND_ELIMIT with a one-line reason in why. */
int nd_cron_parse_entry(nd_cron_entry *e, const char *task, size_t len,
                        char *why, size_t whyn);

/* Parse a whole crontasks value into t (which is overwritten). Every valid
** task lands in t->e, every malformed one in t->err (with its index, text
** and reason); the valid ones are usable either way. Returns ND_OK when all
** tasks parsed, ND_ESYNTAX when some were malformed, ND_ELIMIT when more
** than ND_CRON_MAX tasks were given (the extra ones are one error entry). */
int nd_cron_parse(nd_cron_table *t, const char *crontasks);

/* First occurrence strictly after `after` (UTC) -> *next. lat/lon (degrees,
** east positive) matter only for sun tags. ND_OK; ND_ENOTFOUND when there is
** none within 400 days or before year 10000 (a sun tag in a long polar
** day/night); ND_EINVAL for `after` outside the supported range or a sun tag
** with an invalid lat/lon. */
int nd_cron_next(const nd_cron_entry *e, const nd_tz *tz, double lat, double lon,
                 int64_t after, int64_t *next);

/* Last occurrence at or before `at` -> *prev (same codes as nd_cron_next). */
int nd_cron_prev(const nd_cron_entry *e, const nd_tz *tz, double lat, double lon,
                 int64_t at, int64_t *prev);

/* Catch-up decision: 1 (and *occ) when the entry has a "~N" suffix and its
** most recent occurrence at or before `now` is later than `since` (the
** instant up to which schedules were already handled: the last persisted
** time before power-off, or the clock reading before a forward clock set)
** and no older than N minutes. 0 otherwise (including entries without the
** suffix), negative ND_* on error. Run it once at boot / after the clock
** set; the normal nd_cron_next(now) schedule then continues. */
int nd_cron_missed(const nd_cron_entry *e, const nd_tz *tz, double lat, double lon,
                   int64_t since, int64_t now, int64_t *occ);

#endif
