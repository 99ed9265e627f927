/*
** tz.h -- POSIX TZ rules: UTC offset at an instant, local wall time -> UTC.
**
** A zone is the POSIX TZ string (the `tz` config key), e.g.
**     CET-1CEST,M3.5.0,M10.5.0/3      UTC0      <+0530>-5:30
**     EST5EDT,M3.2.0,M11.1.0          AEST-10AEDT,M10.1.0,M4.1.0/3
** Grammar: std offset [dst [offset] [,start[/time],end[/time]]]
**   name    3+ letters, or <...> of 3+ letters, digits, '+', '-'
**   offset  [+-]hh[:mm[:ss]], hours 0..24, POSIX sign: west of Greenwich is
**           positive ("EST5" is UTC-5); dst offset defaults to std + 1 h
**   rule    Jn (1..365, Feb 29 never counted), n (0..365, zero based, Feb 29
**           counted) or Mm.w.d (month 1..12, week 1..5 with 5 = last,
**           day 0..6 with 0 = Sunday, as POSIX -- unlike nd_tm.wday)
**   time    [+-]hh[:mm[:ss]], hours 0..167 (RFC 8536 extension), default
**           02:00:00, given in the local time in force before the transition
** A dst name without rules uses the US rules M3.2.0,M11.1.0 (what glibc
** does). ":Area/City" zoneinfo names are rejected: the node has no tz
** database. Rules that make DST last the whole year ("0/0,J365/25") are
** recognised and turned into a fixed offset.
**
** Offsets stored here are seconds EAST of UTC (the sign users expect,
** opposite to the POSIX text). Everything is pure arithmetic on injected
** instants; nothing reads a clock.
**
** Limit: rules whose transitions come closer than two days to each other
** (possible only with exotic /time values) are rejected at parse time,
** because the wall-time mapping below assumes isolated transitions.
*/
#ifndef ND_TZ_H
#define ND_TZ_H

#include <stddef.h>
#include <stdint.h>

#include "nodus/opts.h"

/* ND_WITH_TZ 0 (a board's minimal image): no POSIX TZ rules, only the fixed
** zone of nd_tz_fixed -- local time is UTC + the `utc` minutes. The same
** functions stay, reduced to that case; nd_tz_parse is not built. */

#define ND_TZ_NAME_MAX 16 /* name bytes incl. NUL; POSIX requires >= 6 */

typedef struct nd_tz_rule {
    uint8_t kind;  /* ND_TZ_RULE_J, _N or _M */
    uint8_t mon;   /* M: 1..12 */
    uint8_t week;  /* M: 1..5 */
    uint8_t wday;  /* M: 0..6, 0 = Sunday */
    int16_t day;   /* J: 1..365, N: 0..365 */
    int32_t time;  /* seconds after local midnight, -167h..+167h */
} nd_tz_rule;

enum { ND_TZ_RULE_J = 1, ND_TZ_RULE_N, ND_TZ_RULE_M };

typedef struct nd_tz {
    int32_t std_off;   /* seconds east of UTC in standard time */
    int32_t dst_off;   /* seconds east of UTC in DST (== std_off if none) */
    int has_dst;       /* 0: fixed offset, rules ignored */
    nd_tz_rule start;  /* std -> dst, time in standard local time */
    nd_tz_rule end;    /* dst -> std, time in DST local time */
    char std_name[ND_TZ_NAME_MAX];
    char dst_name[ND_TZ_NAME_MAX];
} nd_tz;

/* Status of nd_tz_local_to_utc. */
enum {
    ND_TZ_EXACT = 0,   /* the wall time exists once */
    ND_TZ_GAP = 1,     /* skipped by a spring-forward: result is the transition */
    ND_TZ_OVERLAP = 2, /* repeated by a fall-back: fold picked one of two */
};

#if ND_WITH_TZ
/* Parse a POSIX TZ string. ND_OK, or ND_ESYNTAX with a one-line reason in
** err (e.g. "tz: month 13 out of range 1-12 at 'M13.1.0'"); *tz is then a
** UTC zone. err may be NULL. */
int nd_tz_parse(nd_tz *tz, const char *s, char *err, size_t errn);
#endif

/* A fixed zone, seconds east of UTC (micrOS `utc` minutes * 60). */
void nd_tz_fixed(nd_tz *tz, int32_t offset_seconds);

/* Seconds east of UTC in effect at the UTC instant. */
int32_t nd_tz_offset_utc(const nd_tz *tz, int64_t utc);

/* Wall time (local seconds, as if UTC) -> UTC instant.
**  gap (wall time skipped):  returns the transition instant, i.e. the first
**                            valid second after the gap; status ND_TZ_GAP
**  overlap (wall time twice): fold 0 = first occurrence (earlier instant),
**                            fold 1 = second; status ND_TZ_OVERLAP
** status may be NULL. The mapping with fold 0 is monotone non-decreasing. */
int64_t nd_tz_local_to_utc(const nd_tz *tz, int64_t local, int fold, int *status);

/* Transitions: the last one at or before t / the first one strictly after t.
** Return 1 and fill *when (UTC) and the offsets before/after it, 0 when the
** zone has no transitions. Any out-pointer may be NULL. */
int nd_tz_prev_transition(const nd_tz *tz, int64_t t, int64_t *when,
                          int32_t *off_before, int32_t *off_after);
int nd_tz_next_transition(const nd_tz *tz, int64_t t, int64_t *when,
                          int32_t *off_before, int32_t *off_after);

/* The smallest wall time L whose fold-0 instant nd_tz_local_to_utc(L, 0) is
** strictly greater than `utc`. Schedulers search matching wall times from
** here: everything before it has already happened at `utc`. */
int64_t nd_tz_wall_after(const nd_tz *tz, int64_t utc);

/* Name in force at an instant (std_name or dst_name). */
const char *nd_tz_name(const nd_tz *tz, int64_t utc);

#endif
