/*
** caltime.c -- calendar <-> seconds conversion, proleptic Gregorian, no OS.
**
** Time is an int64 count of seconds since 1970-01-01 00:00:00 UTC (leap
** seconds ignored, as POSIX time does). The conversion is pure integer
** arithmetic on "days since the epoch": a civil date is mapped to a day
** count by shifting the year to start on March 1st (so the leap day is the
** last day of the shifted year) and splitting it into 400-year eras of
** exactly 146097 days. That makes every step a closed formula -- no tables,
** no loops over years -- and it is correct for negative times too.
**
** Callers that feed local wall-clock seconds (UTC seconds + offset) get the
** local fields; the code does not care which time scale the number is on.
**
** Limits: years are stored in an int; inputs beyond roughly +-6.7e16 s
** (years outside the int range) are clamped, never undefined behaviour.
*/
#include <stdint.h>

#include "nodus/node.h"

/* Floor division and modulo for a positive divisor (C truncates toward 0). */
static int64_t fdiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b) != 0 && a < 0)
        q--;
    return q;
}

static int64_t fmod64(int64_t a, int64_t b)
{
    int64_t r = a % b;
    return r < 0 ? r + b : r;
}

/* Days from 1970-01-01 to y-m-d (m 1..12, d may be anything: it is added).
** Only the era needs 64 bits; within it every value is small, and 32-bit
** arithmetic saves a board's 64-bit division calls. */
static int64_t days_from_civil(int64_t y, int m, int64_t d)
{
    y -= m <= 2;                          /* years start on March 1st */
    int64_t era = fdiv(y, 400);
    int yoe = (int)(y - era * 400);       /* 0..399 */
    int mp = (m + 9) % 12;                /* March = 0 ... February = 11 */
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + (153 * mp + 2) / 5;
    return era * 146097 + doe + d - 1 - 719468; /* 719468 = days 0000-03-01..1970-01-01 */
}

void nd_time_split(int64_t t, nd_tm *tm)
{
    /* Clamp so that the year fits in an int (about +-2.1e9 years). */
    const int64_t lim = INT64_C(67000000000000000);
    if (t > lim)
        t = lim;
    if (t < -lim)
        t = -lim;

    int64_t days = fdiv(t, 86400);
    int sod = (int)(t - days * 86400);

    tm->hour = sod / 3600;
    tm->min = sod / 60 % 60;
    tm->sec = sod % 60;

    int64_t z = days + 719468;
    int64_t era = fdiv(z, 146097);
    int doe = (int)(z - era * 146097);                             /* 0..146096 */
    /* An era is a whole number of weeks, and 1970-01-01 (a Thursday: 3 with
    ** Monday = 0) is doe 135080 of its era: so the weekday is (doe + 2) % 7. */
    tm->wday = (doe + 2) % 7;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* 0..399 */
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);             /* 0..365, from March 1 */
    int mp = (5 * doy + 2) / 153;                                   /* 0..11 */
    tm->mday = doy - (153 * mp + 2) / 5 + 1;
    tm->mon = mp < 10 ? mp + 3 : mp - 9;
    tm->year = (int)(yoe + era * 400 + (mp >= 10)); /* January and February: the next year */
    /* Day of year from January 1st: January 1st is doy 306; March 1st comes
    ** 59 days after it, plus the leap day of a leap year (for March..December
    ** the year is yoe plus a multiple of 400, so yoe decides). */
    bool leap = (yoe % 4 == 0 && yoe % 100 != 0) || yoe == 0;
    tm->yday = mp >= 10 ? doy - 305 : doy + 60 + leap;
}

int64_t nd_time_join(const nd_tm *tm)
{
    /* Normalise the month into the year so that mon 13 or mon 0 work, then
    ** let days/hours/minutes/seconds overflow naturally: 31 April is 1 May,
    ** hour 24 is the next day, negative values step back. */
    int64_t y = tm->year;
    int64_t m0 = (int64_t)tm->mon - 1;
    y += fdiv(m0, 12);
    int m = (int)fmod64(m0, 12) + 1;
    int64_t days = days_from_civil(y, m, tm->mday);
    return days * 86400 + (int64_t)tm->hour * 3600 + (int64_t)tm->min * 60 + tm->sec;
}
