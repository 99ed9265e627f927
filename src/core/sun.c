/*
** sun.c -- NOAA/Meeus solar equations: declination, equation of time,
** sunrise, sunset and solar noon for a date and place. No OS, no clock.
**
** The sun's position is evaluated at the instant of interest (not once per
** day as the NOAA spreadsheet does): we start at local mean noon, compute
** the hour angle at which the sun's centre reaches the requested altitude,
** move to that instant and recompute. Two or three rounds converge to well
** under a second wherever the sun crosses the horizon at a usable angle.
*/
#include <math.h>
#include <stdint.h>

#include "nodus/node.h"
#include "nodus/value.h"
#include "sun.h"

#define PI 3.14159265358979323846
#define RAD (PI / 180.0)

static double norm360(double x)
{
    x = fmod(x, 360.0);
    return x < 0 ? x + 360.0 : x;
}

void nd_sun_position(int64_t utc, double *decl_deg, double *eot_min)
{
    double jd = (double)utc / 86400.0 + 2440587.5;
    double T = (jd - 2451545.0) / 36525.0;        /* Julian centuries since J2000 */

    double L0 = norm360(280.46646 + T * (36000.76983 + T * 0.0003032)); /* mean longitude */
    double M = 357.52911 + T * (35999.05029 - 0.0001537 * T);          /* mean anomaly */
    double e = 0.016708634 - T * (0.000042037 + 0.0000001267 * T);     /* orbit eccentricity */
    double Mr = M * RAD;
    double C = sin(Mr) * (1.914602 - T * (0.004817 + 0.000014 * T)) /* equation of centre */
             + sin(2 * Mr) * (0.019993 - 0.000101 * T)
             + sin(3 * Mr) * 0.000289;
    double omega = (125.04 - 1934.136 * T) * RAD;                    /* node of the Moon */
    double lambda = (L0 + C - 0.00569 - 0.00478 * sin(omega)) * RAD;  /* apparent longitude */
    double eps0 = 23.0 + (26.0 + (21.448 - T * (46.815 + T * (0.00059 - T * 0.001813))) / 60.0) / 60.0;
    double eps = (eps0 + 0.00256 * cos(omega)) * RAD;                 /* obliquity, corrected */

    if (decl_deg)
        *decl_deg = asin(sin(eps) * sin(lambda)) / RAD;
    if (eot_min) {
        double y = tan(eps / 2) * tan(eps / 2);
        double l2 = 2 * L0 * RAD;
        double eot = y * sin(l2) - 2 * e * sin(Mr) + 4 * e * y * sin(Mr) * cos(l2)
                   - 0.5 * y * y * sin(2 * l2) - 1.25 * e * e * sin(2 * Mr);
        *eot_min = 4.0 * eot / RAD;
    }
}

/* Hour angle (degrees) at which the sun's centre is at `alt`, or a polar status. */
static int hour_angle(double lat, double decl, double alt, double *ha)
{
    double den = cos(lat * RAD) * cos(decl * RAD);
    if (fabs(den) < 1e-12) {
        /* At a pole the sun's altitude is +-declination all day. */
        return (lat > 0 ? decl : -decl) > alt ? ND_SUN_POLAR_DAY : ND_SUN_POLAR_NIGHT;
    }
    double c = (sin(alt * RAD) - sin(lat * RAD) * sin(decl * RAD)) / den;
    if (c > 1.0)
        return ND_SUN_POLAR_NIGHT;
    if (c < -1.0)
        return ND_SUN_POLAR_DAY;
    *ha = acos(c) / RAD;
    return ND_SUN_OK;
}

int nd_sun_event(double lat, double lon, int year, int mon, int mday,
                 int which, double altitude, int64_t *t)
{
    if (!(lat >= -90.0 && lat <= 90.0) || !(lon >= -180.0 && lon <= 180.0) ||
        !(altitude >= -90.0 && altitude <= 90.0) || which < ND_SUN_RISE || which > ND_SUN_NOON)
        return ND_EINVAL;

    nd_tm tm = {0};
    tm.year = year;
    tm.mon = mon;
    tm.mday = mday;
    double day0 = (double)nd_time_join(&tm);      /* 00:00 UTC of the date */
    double mean_noon = day0 + 43200.0 - lon * 240.0;
    double at = mean_noon, res = mean_noon;

    for (int i = 0; i < 8; i++) {
        double decl, eot, ha = 0;
        nd_sun_position((int64_t)floor(at), &decl, &eot);
        double noon = mean_noon - eot * 60.0;
        if (which == ND_SUN_NOON) {
            res = noon;
        } else {
            int st = hour_angle(lat, decl, altitude, &ha);
            if (st != ND_SUN_OK)
                return st;
            res = which == ND_SUN_RISE ? noon - ha * 240.0 : noon + ha * 240.0;
        }
        if (fabs(res - at) < 0.5)
            break;
        at = res;
    }
    *t = (int64_t)floor(res + 0.5);
    return ND_SUN_OK;
}

int nd_sun_times(double lat, double lon, int year, int mon, int mday,
                 int64_t *rise, int64_t *set)
{
    int64_t r = 0, s = 0;
    int st = nd_sun_event(lat, lon, year, mon, mday, ND_SUN_RISE, ND_SUN_ALTITUDE, &r);
    if (st == ND_SUN_OK)
        st = nd_sun_event(lat, lon, year, mon, mday, ND_SUN_SET, ND_SUN_ALTITUDE, &s);
    if (st != ND_SUN_OK)
        r = s = 0;
    *rise = r;
    *set = s;
    return st;
}
