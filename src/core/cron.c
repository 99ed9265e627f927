/*
** cron.c -- crontasks parser and next/previous occurrence computation.
**
** An entry is four bit masks (weekday, hour, minute, second) or a sun tag.
** Scheduling works on WALL time: the smallest matching wall time at or after
** a threshold is found by bit scans over the calendar fields of at most a
** week of days, then mapped to UTC through the zone. The zone mapping is
** monotone (gap wall times map to the transition instant, repeated wall
** times to their first occurrence), so "first matching wall time whose
** instant is after X" is "first matching wall time at or after the wall
** threshold of X" (nd_tz_wall_after) -- no iteration over seconds, and DST
** behaviour falls out of the mapping instead of special cases here.
**
** Sun tags: the occurrence of calendar date D is sun_event(D) + offset. It
** is strictly increasing in D (a rise lies within 12 h before that day's
** solar noon, a set within 12 h after), so scanning dates upward from a
** date whose occurrence is surely in the past finds the next one.
*/
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "nodus/node.h"
#include "nodus/value.h"
#include "cron.h"
#include "sun.h"

#define DAY 86400

static int64_t fdiv64(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b) != 0 && a < 0)
        q--;
    return q;
}

/* ---- parsing ----------------------------------------------------------- */

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void trim(const char **s, const char **e)
{
    while (*s < *e && is_space(**s))
        (*s)++;
    while (*e > *s && is_space((*e)[-1]))
        (*e)--;
}

#if defined(__GNUC__)
static int reason(char *why, size_t whyn, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
#endif

/* Most reasons below are kept in `fmt` and printed by one shared exit per
** argument list (one call instead of one per reason: flash). -Wformat
** cannot follow a variable, so each such reason is checked where it is
** written, against the argument types of the exit it goes to: AS() is a
** call of fmt_args inside sizeof, never made, no code. */
__attribute__((format(printf, 1, 2))) int nd_cron_fmt_args(const char *fmt, ...);
#define AS(f, ...) ((void)sizeof nd_cron_fmt_args(f, __VA_ARGS__), (f))
#define NAME_ONLY ""          /* name_only: the field's name */
#define NUMBER "", 0L, 0      /* number: the field's name, the value, its limit */
#define FIELD_QUOTE "", 0, "" /* parse_field's quote: the field's name, the text */
#define QUOTE 0, ""           /* nd_cron_parse_entry's quote: the text */
#define RANGE 0L, 0           /* range: the value, its limit */

/* Write a one-line reason and return rc. */
static int reason(char *why, size_t whyn, int rc, const char *fmt, ...)
{
    if (why && whyn) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, whyn, fmt, ap);
        va_end(ap);
    }
    return rc;
}

/* Decimal number of up to 5 digits at *p (< end); -1 when there is none. */
static long number(const char **p, const char *end)
{
    long v = 0;
    int nd = 0;
    while (*p < end && **p >= '0' && **p <= '9') {
        if (nd < 6)
            v = v * 10 + (**p - '0');
        nd++;
        (*p)++;
    }
    if (nd == 0)
        return -1;
    return nd > 5 ? 999999 : v;
}

typedef struct {
    const char *name;
    int hi; /* values 0..hi */
} field_desc;

static const field_desc fields[4] = {
    {"weekday", 6}, {"hour", 23}, {"minute", 59}, {"second", 59}};

/* One comma list: "*", "*\/15", "5", "1-3", "8-18/2", "5-1", "10/5".
** Reasons that take the same arguments share one call (flash). */
static int parse_field(const char *s, const char *end, const field_desc *f,
                       uint64_t *mask, char *why, size_t whyn)
{
    const int span = f->hi + 1;
    const char *q, *p, *fmt;
    long v;
    *mask = 0;
    if (s == end) {
        fmt = AS("empty %s field", NAME_ONLY);
        goto name_only;
    }
    for (; s <= end; s = q + 1) {
        for (q = s; q < end && *q != ',';)
            q++;
        p = s;
        long a = 0, b = f->hi, step = 1;
        int is_range = 0;
        if (p == q) {
            fmt = AS("empty item in %s field", NAME_ONLY);
            goto name_only;
        }
        fmt = AS("%s %ld out of range 0-%d", NUMBER);
        if (*p == '*') {
            p++;
        } else {
            if ((v = a = number(&p, q)) < 0)
                goto bad_char;
            if (a > f->hi)
                goto number;
            b = a;
            if (p < q && *p == '-') {
                p++;
                is_range = 1;
                if ((v = b = number(&p, q)) < 0)
                    goto bad_range;
                if (b > f->hi)
                    goto number;
            }
        }
        if (p < q && *p == '/') {
            p++;
            if ((v = step = number(&p, q)) < 0) {
                fmt = AS("missing step in %s field '%.*s'", FIELD_QUOTE);
                goto quote;
            }
            fmt = AS("%s step %ld out of range 1-%d", NUMBER);
            if (step == 0 || step > f->hi)
                goto number;
            if (!is_range && *s != '*')
                b = f->hi; /* "10/5": from 10 to the end */
        }
        if (p != q) {
            if (is_range || *p == '-')
                goto bad_range;
            goto bad_char;
        }
        /* Walk the inclusive, possibly wrapped range a..b. */
        long count = (b - a + span) % span + 1;
        for (long i = 0; i < count; i += step)
            *mask |= UINT64_C(1) << ((a + i) % span);
    }
    return ND_OK;
name_only:
    return reason(why, whyn, ND_ESYNTAX, fmt, f->name);
number:
    return reason(why, whyn, ND_ESYNTAX, fmt, f->name, v, f->hi);
bad_range:
    fmt = AS("bad %s range '%.*s'", FIELD_QUOTE);
quote:
    return reason(why, whyn, ND_ESYNTAX, fmt, f->name, (int)(q - s), s);
bad_char:
    return reason(why, whyn, ND_ESYNTAX, "bad character '%c' in %s field", *p, f->name);
}

/* Reasons with the same arguments share one reason() call (flash): `plain`
** takes none, `quote` a text (qn bytes at qt), `range` a number and its
** limit. */
int nd_cron_parse_entry(nd_cron_entry *e, const char *task, size_t len, char *why, size_t whyn)
{
    const char *s = task, *end = task + len, *bang, *fmt, *qt;
    long v, qn, max;
    memset(e, 0, sizeof *e);
    if (why && whyn)
        why[0] = 0;
    trim(&s, &end);
    bang = memchr(s, '!', (size_t)(end - s));
    fmt = "missing '!' between time and command";
    if (!bang)
        goto plain;

    /* command */
    const char *c = bang + 1, *ce = end;
    trim(&c, &ce);
    fmt = "empty command";
    if (c == ce)
        goto plain;
    if ((size_t)(ce - c) >= ND_CRON_CMD_MAX)
        return reason(why, whyn, ND_ELIMIT, "command longer than %d bytes", ND_CRON_CMD_MAX - 1);
    fmt = "NUL byte in command";
    if (memchr(c, 0, (size_t)(ce - c)))
        goto plain;
    memcpy(e->cmd, c, (size_t)(ce - c));

    /* time spec, with the optional catch-up suffix */
    const char *t = s, *te = bang;
    trim(&t, &te);
    fmt = "empty time before '!'";
    if (t == te)
        goto plain;
    size_t sl = (size_t)(te - t);
    memcpy(e->spec, t, sl < ND_CRON_SPEC_MAX ? sl : ND_CRON_SPEC_MAX - 1);
    const char *tilde = memchr(t, '~', sl);
    if (tilde) {
        const char *p = tilde + 1;
        while (p < te && is_space(*p))
            p++;
        v = number(&p, te);
        qt = tilde;
        qn = te - tilde;
        fmt = AS("bad catch-up suffix '%.*s' (use ~minutes)", QUOTE);
        if (v < 0 || p != te)
            goto quote;
        fmt = AS("catch-up ~%ld out of range 1-%d minutes", RANGE);
        max = ND_CRON_CATCHUP_MAX;
        if (v < 1 || v > ND_CRON_CATCHUP_MAX)
            goto range;
        e->catchup = (uint16_t)v;
        te = tilde;
        trim(&t, &te);
        fmt = "empty time before '~'";
        if (t == te)
            goto plain;
    }

    if (*t == 's') { /* sun tag */
        const char *p;
        qt = t;
        qn = te - t;
        if (qn >= 7 && memcmp(t, "sunrise", 7) == 0) {
            e->kind = ND_CRON_SUNRISE;
            p = t + 7;
        } else if (qn >= 6 && memcmp(t, "sunset", 6) == 0) {
            e->kind = ND_CRON_SUNSET;
            p = t + 6;
        } else {
            fmt = AS("unknown sun tag '%.*s' (sunrise, sunset)", QUOTE);
            goto quote;
        }
        e->wday = 0x7f;
        if (p == te)
            return ND_OK;
        fmt = AS("bad sun tag '%.*s' (use sunrise+30, sunset-15)", QUOTE);
        if (*p != '+' && *p != '-')
            goto quote;
        int neg = *p++ == '-';
        v = number(&p, te);
        fmt = AS("bad sun offset '%.*s' (minutes expected)", QUOTE);
        if (v < 0 || p != te)
            goto quote;
        fmt = AS("sun offset %ld out of range 0-%d minutes", RANGE);
        max = ND_CRON_SUN_OFF_MAX;
        if (v > ND_CRON_SUN_OFF_MAX)
            goto range;
        e->sun_off = (int16_t)(neg ? -v : v);
        return ND_OK;
    }

    const char *sep[5];
    int nf = 0;
    sep[0] = t - 1;
    for (const char *p = t; p < te; p++) {
        if (*p == ':') {
            if (++nf > 3)
                break;
            sep[nf] = p;
        }
    }
    if (nf != 3)
        return reason(why, whyn, ND_ESYNTAX, "expected WD:H:M:S or sunrise/sunset, got '%.*s'",
                      (int)(sl > 30 ? 30 : sl), t);
    sep[4] = te;
    uint64_t m[4];
    for (int i = 0; i < 4; i++) {
        int rc = parse_field(sep[i] + 1, sep[i + 1], &fields[i], &m[i], why, whyn);
        if (rc)
            return rc;
    }
    e->kind = ND_CRON_CLOCK;
    e->wday = (uint8_t)m[0];
    e->hour = (uint32_t)m[1];
    e->min = m[2];
    e->sec = m[3];
    return ND_OK;
plain:
    return reason(why, whyn, ND_ESYNTAX, "%s", fmt);
quote:
    return reason(why, whyn, ND_ESYNTAX, fmt, (int)(qn > 20 ? 20 : qn), qt);
range:
    return reason(why, whyn, ND_ESYNTAX, fmt, v, (int)max);
}

int nd_cron_parse(nd_cron_table *t, const char *s)
{
    memset(t, 0, sizeof *t);
    if (!s)
        return ND_OK;
    const char *p = s, *end = s + strlen(s);
    trim(&p, &end);
    if (end - p >= 3 && memcmp(p, "n/a", 3) == 0)
        return ND_OK;
    const char *sep = strstr(s, ";;") ? ";;" : ";";
    size_t seplen = strlen(sep);
    int index = 0, rc = ND_OK;

    while (p < end) {
        const char *q = strstr(p, sep);
        if (!q || q > end)
            q = end;
        const char *a = p, *b = q;
        p = q < end ? q + seplen : end;
        trim(&a, &b);
        if (a == b)
            continue;
        char why[80];
        bool full = t->n + t->nerr >= ND_CRON_MAX;
        nd_cron_entry *e = &t->e[t->n];
        if (full) {
            snprintf(why, sizeof why, "too many tasks (max %d): this and later ones ignored", ND_CRON_MAX);
        } else if (nd_cron_parse_entry(e, a, (size_t)(b - a), why, sizeof why) == ND_OK) {
            e->index = index++;
            t->n++;
            continue;
        }
        /* one error entry: a malformed task, or the first one past the limit */
        nd_cron_error *er = &t->err[t->nerr++];
        er->index = index++;
        snprintf(er->text, sizeof er->text, "%.*s", (int)(b - a), a);
        memcpy(er->reason, why, sizeof er->reason);
        if (full)
            return ND_ELIMIT;
        rc = ND_ESYNTAX;
    }
    return rc;
}

/* ---- clock entries: wall-time matching --------------------------------- */

/* The nearest set bit of m from `from` in direction dir (+1 up to hi, -1
** down to 0); -1 when there is none. Not inlined: match() calls it from six
** places, and a 64-bit shift loop per call site costs flash. */
__attribute__((noinline)) static int scan_bit(uint64_t m, int from, int hi, int dir)
{
    for (int i = from; i >= 0 && i <= hi; i += dir)
        if ((m >> i) & 1)
            return i;
    return -1;
}

/* Day numbers (days since 1970) of the supported years fit 32 bits, which
** keeps the day arithmetic below free of 64-bit division calls. */
static int wday_of(int32_t day)
{
    return ((day + 3) % 7 + 7) % 7; /* 1970-01-01 was a Thursday (3) */
}

/* dir +1: the smallest matching wall time >= L; dir -1: the largest <= L.
** Non-empty masks guarantee a match within 8 days. One walker for both
** directions: each field restarts at its first value in that direction. */
static int64_t match(const nd_cron_entry *e, int64_t L, int dir)
{
    int32_t day = (int32_t)fdiv64(L, DAY);
    int sod = (int)(L - (int64_t)day * DAY);
    int h = sod / 3600, m = sod / 60 % 60, s = sod % 60;
    int h0 = dir > 0 ? 0 : 23, m0 = dir > 0 ? 0 : 59; /* a field's first value */
    for (int k = 0; k < 9; k++, day += dir, h = h0, m = s = m0) {
        if (!((e->wday >> wday_of(day)) & 1))
            continue;
        for (int hh = scan_bit(e->hour, h, 23, dir); hh >= 0; hh = scan_bit(e->hour, hh + dir, 23, dir)) {
            for (int mm = scan_bit(e->min, hh == h ? m : m0, 59, dir); mm >= 0;
                 mm = scan_bit(e->min, mm + dir, 59, dir)) {
                int ss = scan_bit(e->sec, (hh == h && mm == m) ? s : m0, 59, dir);
                if (ss >= 0)
                    return (int64_t)day * DAY + hh * 3600 + mm * 60 + ss;
            }
        }
    }
    return dir > 0 ? INT64_MAX : INT64_MIN;
}

static int valid_clock(const nd_cron_entry *e)
{
    return (e->wday & 0x7f) && (e->hour & 0xffffff) && (e->min & 0x0fffffffffffffff) &&
           (e->sec & 0x0fffffffffffffff);
}

/* ---- sun entries ------------------------------------------------------- */

static int sun_occ(const nd_cron_entry *e, double lat, double lon, int32_t day, int64_t *occ)
{
    nd_tm tm;
    int64_t ev;
    nd_time_split((int64_t)day * DAY, &tm);
    int st = nd_sun_event(lat, lon, tm.year, tm.mon, tm.mday,
                          e->kind == ND_CRON_SUNRISE ? ND_SUN_RISE : ND_SUN_SET, ND_SUN_ALTITUDE, &ev);
    if (st == ND_SUN_OK)
        *occ = ev + (int64_t)e->sun_off * 60;
    return st;
}

#define SUN_SCAN_DAYS 400

/* ---- public scheduling API --------------------------------------------- */

/* dir +1: the first occurrence strictly after t (nd_cron_next); dir -1: the
** last one at or before t (nd_cron_prev). The two searches mirror each
** other, so one body serves both; `found` is the side of t searched for. */
static int nearest(const nd_cron_entry *e, const nd_tz *tz, double lat, double lon, int64_t t,
                   int dir, int64_t *out)
{
/* found: on the searched side of t; beyond: outside the supported years
** (tested only on found values, which lie on the searched side of the
** in-range t, so only that side's limit can be crossed) */
#define found(u) (((u) > t) == (dir > 0))
#define beyond(u) ((u) < ND_CRON_T_MIN || (u) > ND_CRON_T_MAX)
    if (beyond(t))
        return ND_EINVAL;
    if (e->kind == ND_CRON_SUNRISE || e->kind == ND_CRON_SUNSET) {
        /* Occurrences of dates before d0 end before t (see header); going
        ** down, those of dates after d0 start after it. */
        int32_t d0 = (int32_t)fdiv64(t, DAY) - 3 * dir;
        for (int32_t d = d0; d != d0 + SUN_SCAN_DAYS * dir; d += dir) {
            int64_t occ;
            int st = sun_occ(e, lat, lon, d, &occ);
            if (st < 0)
                return st;
            if (st == ND_SUN_OK && found(occ)) {
                if (beyond(occ))
                    return ND_ENOTFOUND;
                *out = occ;
                return ND_OK;
            }
        }
        return ND_ENOTFOUND;
    }
    if (e->kind != ND_CRON_CLOCK || !valid_clock(e))
        return ND_EINVAL;
    int64_t L = match(e, nd_tz_wall_after(tz, t) - (dir < 0), dir);
    int64_t u = nd_tz_local_to_utc(tz, L, 0, NULL);
    /* By monotonicity u is found at once; the loop is a cheap safety net. */
    for (int g = 0; !found(u) && g < 8; g++) {
        L = match(e, L + dir, dir);
        u = nd_tz_local_to_utc(tz, L, 0, NULL);
    }
    if (!found(u))
        return ND_ERR;
    if (beyond(u))
        return ND_ENOTFOUND;
    *out = u;
    return ND_OK;
#undef found
#undef beyond
}

int nd_cron_next(const nd_cron_entry *e, const nd_tz *tz, double lat, double lon,
                 int64_t after, int64_t *next)
{
    return nearest(e, tz, lat, lon, after, 1, next);
}

int nd_cron_prev(const nd_cron_entry *e, const nd_tz *tz, double lat, double lon,
                 int64_t at, int64_t *prev)
{
    return nearest(e, tz, lat, lon, at, -1, prev);
}

int nd_cron_missed(const nd_cron_entry *e, const nd_tz *tz, double lat, double lon,
                   int64_t since, int64_t now, int64_t *occ)
{
    int64_t p;
    if (!e->catchup)
        return 0;
    int rc = nd_cron_prev(e, tz, lat, lon, now, &p);
    if (rc == ND_ENOTFOUND)
        return 0;
    if (rc < 0)
        return rc;
    if (p > since && now - p <= (int64_t)e->catchup * 60) {
        if (occ)
            *occ = p;
        return 1;
    }
    return 0;
}
