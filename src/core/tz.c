/*
** tz.c -- POSIX TZ strings: parsing, offsets, wall time <-> UTC.
**
** A zone has at most two offsets (standard and DST) and two yearly rules.
** Each year therefore has two transitions; for an instant we list the
** transitions of the surrounding years (rules with +-167 h times may push a
** transition into the neighbouring year) and take the state after the last
** one that already happened. This is a handful of integer operations and
** needs no table, so it works for any year.
**
** Wall time -> UTC tries both offsets and keeps the candidates that are
** self-consistent: two survivors are an overlap (fall-back hour), none is a
** gap (spring-forward hour), whose wall times are mapped to the transition
** instant -- the first valid second after the gap. This works the same for
** "negative DST" zones (Europe/Dublin style, DST offset below standard).
**
** Without ND_WITH_TZ every zone is fixed (has_dst is never set, there is no
** parser): the tests of ND_WITH_TZ below let the compiler drop the rules.
*/
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "nodus/node.h"
#include "nodus/value.h"
#include "tz.h"

#define DAY 86400

static int64_t fdiv64(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b) != 0 && a < 0)
        q--;
    return q;
}

/* Days since 1970 fit 32 bits for every year rule_local sees (clamp_t), so
** the weekday arithmetic below needs no 64-bit division. */
static int32_t days_of(int y, int m, int d)
{
    nd_tm tm = {0};
    tm.year = y;
    tm.mon = m;
    tm.mday = d;
    return (int32_t)fdiv64(nd_time_join(&tm), DAY);
}

static int leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int year_of(int64_t t)
{
    nd_tm tm;
    nd_time_split(t, &tm);
    return tm.year;
}

/* Local (wall) seconds of a rule's transition in year y. */
static int64_t rule_local(const nd_tz_rule *r, int y)
{
    int32_t day;
    if (r->kind != ND_TZ_RULE_M) {
        day = days_of(y, 1, 1) + r->day;   /* N: 0..365 */
        if (r->kind == ND_TZ_RULE_J)       /* J: 1..365, Feb 29 not counted */
            day += (leap(y) && r->day >= 60) - 1;
    } else {
        int32_t first = days_of(y, r->mon, 1);
        int32_t len = days_of(y, r->mon + 1, 1) - first;
        int w1 = ((first + 3) % 7 + 7) % 7; /* Monday = 0 */
        int sun0 = (w1 + 1) % 7;            /* Sunday = 0, as POSIX */
        day = first + (r->wday - sun0 + 7) % 7 + (r->week - 1) * 7;
        while (day >= first + len)
            day -= 7;                       /* week 5 = last */
    }
    return (int64_t)day * DAY + r->time;
}

/* Transitions of years y0 .. y0+ny-1, two per year, sorted within a year.
** to_dst[i] says the transition enters DST. Returns the count. */
static int events(const nd_tz *tz, int y0, int ny, int64_t *when, uint8_t *to_dst)
{
    int n = 0;
    for (int y = y0; y < y0 + ny; y++) {
        int64_t s = rule_local(&tz->start, y) - tz->std_off;
        int64_t e = rule_local(&tz->end, y) - tz->dst_off;
        if (s <= e) {
            when[n] = s, to_dst[n++] = 1;
            when[n] = e, to_dst[n++] = 0;
        } else {
            when[n] = e, to_dst[n++] = 0;
            when[n] = s, to_dst[n++] = 1;
        }
    }
    return n;
}

/* Clamp instants to a range where year arithmetic stays comfortably in int. */
static int64_t clamp_t(int64_t t)
{
    const int64_t lim = INT64_C(60000000000000); /* ~1.9 million years */
    return t > lim ? lim : t < -lim ? -lim : t;
}

/* dir -1: the last transition at or before t; dir +1: the first one
** strictly after t. The years listed reach two back (down) or one back
** (up), covering rules pushed into a neighbouring year. */
static int transition(const nd_tz *tz, int64_t t, int dir, int64_t *when,
                      int32_t *off_before, int32_t *off_after)
{
    if (!ND_WITH_TZ || !tz->has_dst)
        return 0;
    int64_t w[8];
    uint8_t d[8];
    int y = year_of(clamp_t(t) + tz->std_off);
    int n = events(tz, dir < 0 ? y - 2 : y - 1, 4, w, d);
    for (int k = 0; k < n; k++) {
        int i = dir < 0 ? n - 1 - k : k;
        if (dir < 0 ? w[i] <= t : w[i] > t) {
            if (when)
                *when = w[i];
            if (off_before)
                *off_before = d[i] ? tz->std_off : tz->dst_off;
            if (off_after)
                *off_after = d[i] ? tz->dst_off : tz->std_off;
            return 1;
        }
    }
    return 0; /* only for clamped extreme instants */
}

int nd_tz_prev_transition(const nd_tz *tz, int64_t t, int64_t *when,
                          int32_t *off_before, int32_t *off_after)
{
    return transition(tz, t, -1, when, off_before, off_after);
}

int nd_tz_next_transition(const nd_tz *tz, int64_t t, int64_t *when,
                          int32_t *off_before, int32_t *off_after)
{
    return transition(tz, t, 1, when, off_before, off_after);
}

int32_t nd_tz_offset_utc(const nd_tz *tz, int64_t utc)
{
    int32_t after;
    if (!nd_tz_prev_transition(tz, utc, NULL, NULL, &after))
        return tz->std_off;
    return after;
}

const char *nd_tz_name(const nd_tz *tz, int64_t utc)
{
    if (tz->has_dst && nd_tz_offset_utc(tz, utc) == tz->dst_off && tz->dst_off != tz->std_off)
        return tz->dst_name;
    return tz->std_name;
}

int64_t nd_tz_local_to_utc(const nd_tz *tz, int64_t local, int fold, int *status)
{
    int st = ND_TZ_EXACT;
    int64_t r;
    if (!ND_WITH_TZ || !tz->has_dst || tz->std_off == tz->dst_off) {
        r = local - tz->std_off;
    } else {
        int64_t a = local - tz->std_off, b = local - tz->dst_off;
        int va = nd_tz_offset_utc(tz, a) == tz->std_off;
        int vb = nd_tz_offset_utc(tz, b) == tz->dst_off;
        int64_t lo = a < b ? a : b, hi = a < b ? b : a;
        if (va && vb) {
            st = ND_TZ_OVERLAP;
            r = fold ? hi : lo;
        } else if (va) {
            r = a;
        } else if (vb) {
            r = b;
        } else {
            int64_t t;
            st = ND_TZ_GAP;
            r = nd_tz_next_transition(tz, lo, &t, NULL, NULL) ? t : hi;
        }
    }
    if (status)
        *status = st;
    return r;
}

int64_t nd_tz_wall_after(const nd_tz *tz, int64_t utc)
{
    int64_t t = utc + 1, p;
    int32_t ob, oa;
    if (!nd_tz_prev_transition(tz, t, &p, &ob, &oa))
        return t + nd_tz_offset_utc(tz, t);
    if (p == t)                    /* wall times up to the old clock reading */
        return t + ob;             /* map below t; the rest map to >= t */
    if (oa < ob && t < p + (ob - oa))
        return p + ob;             /* second pass of a repeated hour: already seen */
    return t + oa;
}

void nd_tz_fixed(nd_tz *tz, int32_t offset_seconds)
{
    memset(tz, 0, sizeof *tz);
    tz->std_off = tz->dst_off = offset_seconds;
    strcpy(tz->std_name, "UTC");
}

/* ---- parser ------------------------------------------------------------ */
#if ND_WITH_TZ

typedef struct {
    const char *s, *p;
    char *err;
    size_t errn;
} cur;

#if defined(__GNUC__)
static int fail(cur *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#endif

/* Every parse error: "tz: <reason> at '<rest>'" (or "at end of '<input>'"
** when the input is used up). One formatter for all reasons (flash); the
** longest reason is 85 bytes. */
static int fail(cur *c, const char *fmt, ...)
{
    if (c->err && c->errn) {
        char why[96];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, sizeof why, fmt, ap);
        va_end(ap);
        snprintf(c->err, c->errn, *c->p ? "tz: %s at '%.20s'" : "tz: %s at end of '%.40s'", why,
                 *c->p ? c->p : c->s);
    }
    return ND_ESYNTAX;
}

static int is_alpha(char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z');
}

static int is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

/* A zone name: letters, or <letters, digits, + and -> */
static int parse_name(cur *c, char *out)
{
    int quoted = *c->p == '<';
    const char *b = c->p + quoted, *q = b;
    while (is_alpha(*q) || (quoted && (is_digit(*q) || *q == '+' || *q == '-')))
        q++;
    if (quoted && *q != '>')
        return fail(c, "unterminated or invalid <name>");
    size_t n = (size_t)(q - b);
    if (n < 3 || n >= ND_TZ_NAME_MAX)
        return fail(c, "zone name must have 3 to 15 %s", quoted ? "characters" : "letters");
    memcpy(out, b, n);
    out[n] = 0;
    c->p = q + quoted;
    return ND_OK;
}

/* Up to 4 decimal digits -> *v: how many, 0 when none or more follow. */
static int digits(cur *c, int32_t *v)
{
    int nd = 0;
    *v = 0;
    while (is_digit(*c->p) && nd < 4)
        *v = *v * 10 + (*c->p++ - '0'), nd++;
    return is_digit(*c->p) ? 0 : nd;
}

/* [+-]hh[:mm[:ss]] -> seconds, hours <= maxh. */
static int parse_hms(cur *c, int maxh, int32_t *out, const char *what)
{
    int sign = 1;
    if (*c->p == '+' || *c->p == '-')
        sign = *c->p++ == '-' ? -1 : 1;
    if (!is_digit(*c->p))
        return fail(c, "expected %s", what);
    int32_t v[3] = {0, 0, 0};
    for (int i = 0; i < 3; i++) {
        int nd = digits(c, &v[i]);
        if (nd == 0 || (i > 0 && nd > 2))
            return fail(c, "bad number in time");
        if (v[i] > (i ? 59 : maxh))
            return fail(c, "%s out of range (hours 0-%d, minutes/seconds 0-59)", what, maxh);
        if (i == 2 || *c->p != ':' || !is_digit(c->p[1]))
            break;
        c->p++;
    }
    *out = sign * (v[0] * 3600 + v[1] * 60 + v[2]);
    return ND_OK;
}

/* The numbers of a rule: Jn, n, Mm.w.d (in that order here) */
static const struct {
    const char *what;
    uint8_t lo;
    uint16_t hi;
} rule_nums[5] = {{"Julian day", 1, 365}, {"day", 0, 365}, {"month", 1, 12}, {"week", 1, 5},
                  {"weekday", 0, 6}};

static int parse_rule(cur *c, nd_tz_rule *r)
{
    int32_t v[3];
    int first, n = 1;
    memset(r, 0, sizeof *r);
    if (*c->p == 'J') {
        c->p++;
        r->kind = ND_TZ_RULE_J;
        first = 0;
    } else if (*c->p == 'M') {
        c->p++;
        r->kind = ND_TZ_RULE_M;
        first = 2;
        n = 3;
    } else if (is_digit(*c->p)) {
        r->kind = ND_TZ_RULE_N;
        first = 1;
    } else {
        return fail(c, "expected a rule (Jn, n or Mm.w.d)");
    }
    for (int i = 0; i < n; i++) {
        if (i && *c->p++ != '.')
            return c->p--, fail(c, "expected '.' in Mm.w.d");
        const char *what = rule_nums[first + i].what;
        int lo = rule_nums[first + i].lo, hi = rule_nums[first + i].hi;
        if (!digits(c, &v[i]))
            return fail(c, "expected %s number", what);
        if (v[i] < lo || v[i] > hi)
            return fail(c, "%s %d out of range %d-%d", what, (int)v[i], lo, hi);
    }
    if (n == 3) {
        r->mon = (uint8_t)v[0];
        r->week = (uint8_t)v[1];
        r->wday = (uint8_t)v[2];
    } else {
        r->day = (int16_t)v[0];
    }
    r->time = 7200;
    if (*c->p == '/') {
        c->p++;
        return parse_hms(c, 167, &r->time, "rule time");
    }
    return ND_OK;
}

/* Check the rules over one full Gregorian cycle (400 years repeat exactly):
** transitions must alternate and stay at least `gap` apart, or cancel out
** completely (permanent DST / permanent standard time). */
static int check_rules(nd_tz *tz, cur *c)
{
    int64_t w[2 * 402];
    uint8_t d[2 * 402];
    int n = events(tz, 2000, 402, w, d);
    int64_t delta = (int64_t)tz->dst_off - tz->std_off;
    int64_t gap = 2 * (delta < 0 ? -delta : delta) + 2 * DAY;
    int cancel = 0, keep = 0, perm_dst = 0;
    for (int i = 0; i + 1 < n; i++) {
        if (w[i + 1] == w[i] && d[i + 1] != d[i]) {
            cancel++;
            perm_dst = d[i] == 0; /* end then start: DST never stops */
            i++;
            continue;
        }
        keep++;
        if (d[i + 1] == d[i] || w[i + 1] - w[i] < gap)
            return fail(c, "DST rules give transitions too close together");
    }
    if (cancel && keep > 1)
        return fail(c, "DST rules are inconsistent across years");
    if (cancel) {
        int32_t off = perm_dst ? tz->dst_off : tz->std_off;
        tz->has_dst = 0;
        tz->std_off = tz->dst_off = off;
        if (perm_dst)
            memcpy(tz->std_name, tz->dst_name, ND_TZ_NAME_MAX);
    }
    return ND_OK;
}

int nd_tz_parse(nd_tz *tz, const char *s, char *err, size_t errn)
{
    cur c = {s ? s : "", s ? s : "", err, errn};
    nd_tz z;
    int32_t off;
    int rc;

    memset(&z, 0, sizeof z);
    nd_tz_fixed(tz, 0);
    if (err && errn)
        err[0] = 0;
    if (*c.p == ':')
        return fail(&c, "zoneinfo names are not supported, use a POSIX rule such as CET-1CEST,M3.5.0,M10.5.0/3");
    if ((rc = parse_name(&c, z.std_name)))
        return rc;
    if ((rc = parse_hms(&c, 24, &off, "UTC offset")))
        return rc;
    z.std_off = z.dst_off = -off;
    if (*c.p == 0) {
        *tz = z;
        return ND_OK;
    }
    if ((rc = parse_name(&c, z.dst_name)))
        return rc;
    z.has_dst = 1;
    z.dst_off = z.std_off + 3600;
    if (*c.p && *c.p != ',') {
        if ((rc = parse_hms(&c, 24, &off, "DST offset")))
            return rc;
        z.dst_off = -off;
    }
    if (*c.p == ',') {
        c.p++;
        if ((rc = parse_rule(&c, &z.start)))
            return rc;
        if (*c.p != ',')
            return fail(&c, "expected ',' before the DST end rule");
        c.p++;
        if ((rc = parse_rule(&c, &z.end)))
            return rc;
    } else {
        /* No rules: glibc's default, the US rules. */
        z.start = (nd_tz_rule){ND_TZ_RULE_M, 3, 2, 0, 0, 7200};
        z.end = (nd_tz_rule){ND_TZ_RULE_M, 11, 1, 0, 0, 7200};
    }
    if (*c.p)
        return fail(&c, "unexpected trailing characters");
    if (z.dst_off == z.std_off) {
        z.has_dst = 0;         /* a "DST" that changes nothing */
    } else if ((rc = check_rules(&z, &c))) {
        return rc;
    }
    *tz = z;
    return ND_OK;
}
#endif /* ND_WITH_TZ */
