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
#include "nodus/opts.h"
#include "nodus/value.h"
#include "ndmath.h"
#include "sun.h"

#define PI 3.14159265358979323846
#define RAD (PI / 180.0)

static double norm360(double x)
{
    x = fmod(x, 360.0);
    return x < 0 ? x + 360.0 : x;
}

/* Polynomials in T, lowest power first, for nd_poly. Differences are
** written as sums of negated coefficients: a - T * b is exactly
** a + T * (-b) in IEEE arithmetic, so the results are bit for bit those of
** the textbook nesting, with one evaluation routine instead of each
** multiply and add (a library call each on soft-float boards) spelled out. */
static const double K[] = {
    280.46646, 36000.76983, 0.0003032,          /* L0: mean longitude */
    357.52911, 35999.05029, -0.0001537,         /* M: mean anomaly */
    0.016708634, -0.000042037, -0.0000001267,   /* e: orbit eccentricity */
    1.914602, -0.004817, -0.000014,             /* equation of centre: sin M */
    0.019993, -0.000101,                        /*                     sin 2M */
    125.04, -1934.136,                          /* omega: node of the Moon */
    21.448, -46.815, -0.00059, 0.001813,        /* obliquity: arc seconds */
};
enum { K_L0 = 0, K_M = 3, K_E = 6, K_C1 = 9, K_C2 = 12, K_OM = 14, K_EPS = 16 };

/* Without ND_WITH_SUN (nodus/opts.h) the three entry points return at
** once, so that no reference to the trigonometry is left in the object:
** an image without the sun (the minimal firmware) then links no libm
** trigonometry and no soft-float arithmetic at all (libc_dconv.c). */
void nd_sun_position(int64_t utc, double *decl_deg, double *eot_min)
{
    if (!ND_WITH_SUN) {
        *decl_deg = *eot_min = 0;
        return;
    }
    double jd = (double)utc / 86400.0 + 2440587.5;
    double T = (jd - 2451545.0) / 36525.0;        /* Julian centuries since J2000 */

    double L0 = norm360(nd_poly(T, K + K_L0, 3));
    double M = nd_poly(T, K + K_M, 3);
    double e = nd_poly(T, K + K_E, 3);
    double Mr = M * RAD, sM = sin(Mr), s2M = sin(2 * Mr); /* each used twice */
    double C = sM * nd_poly(T, K + K_C1, 3) /* equation of centre */
             + s2M * nd_poly(T, K + K_C2, 2)
             + sin(3 * Mr) * 0.000289;
    double omega = nd_poly(T, K + K_OM, 2) * RAD;
    double lambda = (L0 + C - 0.00569 - 0.00478 * sin(omega)) * RAD;  /* apparent longitude */
    double eps0 = 23.0 + (26.0 + nd_poly(T, K + K_EPS, 4) / 60.0) / 60.0;
    double eps = (eps0 + 0.00256 * cos(omega)) * RAD;                 /* obliquity, corrected */

    if (decl_deg)
        *decl_deg = asin(sin(eps) * sin(lambda)) / RAD;
    if (eot_min) {
        double te = tan(eps / 2), y = te * te;
        double l2 = 2 * L0 * RAD;
        double eot = y * sin(l2) - 2 * e * sM + 4 * e * y * sM * cos(l2)
                   - 0.5 * y * y * sin(2 * l2) - 1.25 * e * e * s2M;
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
    if (!ND_WITH_SUN) return ND_ENOTFOUND;
    /* fabs(v) <= m is -m <= v <= m (NaN fails both), with one comparison */
    if (!(fabs(lat) <= 90.0) || !(fabs(lon) <= 180.0) || !(fabs(altitude) <= 90.0) ||
        which < ND_SUN_RISE || which > ND_SUN_NOON)
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
            /* noon + (-ha) * 240 is exactly noon - ha * 240 */
            res = noon + (which == ND_SUN_RISE ? -ha : ha) * 240.0;
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
