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

/* One comma list: "*", "*\/15", "5", "1-3", "8-18/2", "5-1", "10/5". */
static int parse_field(const char *s, const char *end, const field_desc *f,
                       uint64_t *mask, char *why, size_t whyn)
{
    const int span = f->hi + 1;
    *mask = 0;
    if (s == end)
        return reason(why, whyn, ND_ESYNTAX, "empty %s field", f->name);
    while (s <= end) {
        const char *q = s;
        while (q < end && *q != ',')
            q++;
        const char *p = s;
        long a, b, step = 1;
        int is_range = 0;
        if (p == q)
            return reason(why, whyn, ND_ESYNTAX, "empty item in %s field", f->name);
        if (*p == '*') {
            p++;
            a = 0;
            b = f->hi;
        } else {
            a = number(&p, q);
            if (a < 0)
                return reason(why, whyn, ND_ESYNTAX, "bad character '%c' in %s field", *p, f->name);
            if (a > f->hi)
                return reason(why, whyn, ND_ESYNTAX, "%s %ld out of range 0-%d", f->name, a, f->hi);
            b = a;
            if (p < q && *p == '-') {
                p++;
                is_range = 1;
                b = number(&p, q);
                if (b < 0)
                    return reason(why, whyn, ND_ESYNTAX, "bad %s range '%.*s'", f->name,
                                  (int)(q - s), s);
                if (b > f->hi)
                    return reason(why, whyn, ND_ESYNTAX, "%s %ld out of range 0-%d", f->name, b, f->hi);
            }
        }
        if (p < q && *p == '/') {
            p++;
            step = number(&p, q);
            if (step < 0)
                return reason(why, whyn, ND_ESYNTAX, "missing step in %s field '%.*s'", f->name,
                              (int)(q - s), s);
            if (step == 0 || step > f->hi)
                return reason(why, whyn, ND_ESYNTAX, "%s step %ld out of range 1-%d", f->name,
                              step, f->hi);
            if (!is_range && *s != '*')
                b = f->hi; /* "10/5": from 10 to the end */
        }
        if (p != q) {
            if (is_range || *p == '-')
                return reason(why, whyn, ND_ESYNTAX, "bad %s range '%.*s'", f->name, (int)(q - s), s);
            return reason(why, whyn, ND_ESYNTAX, "bad character '%c' in %s field", *p, f->name);
        }
        /* Walk the inclusive, possibly wrapped range a..b. */
        long count = (b - a + span) % span + 1;
        for (long i = 0; i < count; i += step)
            *mask |= UINT64_C(1) << ((a + i) % span);
        s = q + 1;
    }
    return ND_OK;
}

static int parse_sun(nd_cron_entry *e, const char *s, const char *end, char *why, size_t whyn)
{
    size_t n = (size_t)(end - s);
    const char *p;
    if (n >= 7 && memcmp(s, "sunrise", 7) == 0) {
        e->kind = ND_CRON_SUNRISE;
        p = s + 7;
    } else if (n >= 6 && memcmp(s, "sunset", 6) == 0) {
        e->kind = ND_CRON_SUNSET;
        p = s + 6;
    } else {
        return reason(why, whyn, ND_ESYNTAX, "unknown sun tag '%.*s' (sunrise, sunset)",
                      (int)(n > 20 ? 20 : n), s);
    }
    e->wday = 0x7f;
    if (p == end)
        return ND_OK;
    if (*p != '+' && *p != '-')
        return reason(why, whyn, ND_ESYNTAX, "bad sun tag '%.*s' (use sunrise+30, sunset-15)",
                      (int)(n > 20 ? 20 : n), s);
    int neg = *p++ == '-';
    long v = number(&p, end);
    if (v < 0 || p != end)
        return reason(why, whyn, ND_ESYNTAX, "bad sun offset '%.*s' (minutes expected)",
                      (int)(n > 20 ? 20 : n), s);
    if (v > ND_CRON_SUN_OFF_MAX)
        return reason(why, whyn, ND_ESYNTAX, "sun offset %ld out of range 0-%d minutes", v,
                      ND_CRON_SUN_OFF_MAX);
    e->sun_off = (int16_t)(neg ? -v : v);
    return ND_OK;
}

int nd_cron_parse_entry(nd_cron_entry *e, const char *task, size_t len, char *why, size_t whyn)
{
    const char *s = task, *end = task + len, *bang;
    memset(e, 0, sizeof *e);
    if (why && whyn)
        why[0] = 0;
    trim(&s, &end);
    bang = memchr(s, '!', (size_t)(end - s));
    if (!bang)
        return reason(why, whyn, ND_ESYNTAX, "missing '!' between time and command");

    /* command */
    const char *c = bang + 1, *ce = end;
    trim(&c, &ce);
    if (c == ce)
        return reason(why, whyn, ND_ESYNTAX, "empty command");
    if ((size_t)(ce - c) >= ND_CRON_CMD_MAX)
        return reason(why, whyn, ND_ELIMIT, "command longer than %d bytes", ND_CRON_CMD_MAX - 1);
    if (memchr(c, 0, (size_t)(ce - c)))
        return reason(why, whyn, ND_ESYNTAX, "NUL byte in command");
    memcpy(e->cmd, c, (size_t)(ce - c));

    /* time spec, with the optional catch-up suffix */
    const char *t = s, *te = bang;
    trim(&t, &te);
    if (t == te)
        return reason(why, whyn, ND_ESYNTAX, "empty time before '!'");
    size_t sl = (size_t)(te - t);
    memcpy(e->spec, t, sl < ND_CRON_SPEC_MAX ? sl : ND_CRON_SPEC_MAX - 1);
    const char *tilde = memchr(t, '~', sl);
    if (tilde) {
        const char *p = tilde + 1;
        while (p < te && is_space(*p))
            p++;
        long v = number(&p, te);
        if (v < 0 || p != te)
            return reason(why, whyn, ND_ESYNTAX, "bad catch-up suffix '%.*s' (use ~minutes)",
                          (int)(te - tilde > 20 ? 20 : te - tilde), tilde);
        if (v < 1 || v > ND_CRON_CATCHUP_MAX)
            return reason(why, whyn, ND_ESYNTAX, "catch-up ~%ld out of range 1-%d minutes", v,
                          ND_CRON_CATCHUP_MAX);
        e->catchup = (uint16_t)v;
        te = tilde;
        trim(&t, &te);
        if (t == te)
            return reason(why, whyn, ND_ESYNTAX, "empty time before '~'");
    }

    if (*t == 's')
        return parse_sun(e, t, te, why, whyn);

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
** down to 0); -1 when there is none. */
static int scan_bit(uint64_t m, int from, int hi, int dir)
{
    for (int i = from; i >= 0 && i <= hi; i += dir)
        if ((m >> i) & 1)
            return i;
    return -1;
}

static int wday_of(int64_t day)
{
    return (int)(((day + 3) % 7 + 7) % 7); /* 1970-01-01 was a Thursday (3) */
}

/* dir +1: the smallest matching wall time >= L; dir -1: the largest <= L.
** Non-empty masks guarantee a match within 8 days. One walker for both
** directions: each field restarts at its first value in that direction. */
static int64_t match(const nd_cron_entry *e, int64_t L, int dir)
{
    int64_t day = fdiv64(L, DAY);
    int sod = (int)(L - day * DAY);
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
                    return day * DAY + hh * 3600 + mm * 60 + ss;
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

static int sun_occ(const nd_cron_entry *e, double lat, double lon, int64_t day, int64_t *occ)
{
    nd_tm tm;
    int64_t ev;
    nd_time_split(day * DAY, &tm);
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
#define found(u) (dir > 0 ? (u) > t : (u) <= t)
#define beyond(u) (dir > 0 ? (u) > ND_CRON_T_MAX : (u) < ND_CRON_T_MIN)
    if (t < ND_CRON_T_MIN || t > ND_CRON_T_MAX)
        return ND_EINVAL;
    if (e->kind == ND_CRON_SUNRISE || e->kind == ND_CRON_SUNSET) {
        /* Occurrences of dates before d0 end before t (see header); going
        ** down, those of dates after d0 start after it. */
        int64_t d0 = fdiv64(t, DAY) - 3 * dir;
        for (int64_t d = d0; d != d0 + SUN_SCAN_DAYS * dir; d += dir) {
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
