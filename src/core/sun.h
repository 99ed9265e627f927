/*
** sun.h -- sunrise, sunset and solar noon from latitude/longitude, offline.
**
** Solar position from the NOAA solar calculator equations (Jean Meeus,
** "Astronomical Algorithms"): declination and equation of time as functions
** of the Julian century. Rise/set is the instant the centre of the sun is at
** -0.833 degrees (refraction 34' plus the solar radius 16'), computed for
** the solar day that is centred on local mean noon of the given calendar
** date at that longitude, and refined by recomputing the sun's position at
** the event itself until it moves less than a second.
**
** Results are UTC instants (seconds since 1970). Near the poles there may be
** no event: the status says whether the sun stays up (polar day) or down
** (polar night); no time is invented.
**
** Accuracy: within a few seconds of NOAA's own calculator; the model ignores
** elevation, terrain and actual atmospheric refraction, which move real
** observed times by up to a few minutes anyway. Latitudes beyond about 65
** degrees get rapidly less precise near the start and end of polar day/night
** because the sun then crosses the horizon at a grazing angle.
*/
#ifndef ND_SUN_H
#define ND_SUN_H

#include <stdint.h>

enum {
    ND_SUN_OK = 0,          /* *t holds the event */
    ND_SUN_POLAR_DAY = 1,   /* the sun does not set: no event that day */
    ND_SUN_POLAR_NIGHT = 2, /* the sun does not rise: no event that day */
};

enum { ND_SUN_RISE = 0, ND_SUN_SET = 1, ND_SUN_NOON = 2 };

#define ND_SUN_ALTITUDE (-0.833) /* degrees, standard rise/set altitude */

/* One event (ND_SUN_RISE, ND_SUN_SET or ND_SUN_NOON) for the calendar date
** year-mon-mday at latitude lat (north positive) and longitude lon (EAST
** positive), at the given altitude of the sun's centre in degrees.
** Returns ND_SUN_OK with *t, or a polar status (never for ND_SUN_NOON).
** A negative ND_EINVAL for latitudes outside -90..90, longitudes outside
** -180..180 or a non-finite value. */
int nd_sun_event(double lat, double lon, int year, int mon, int mday,
                 int which, double altitude, int64_t *t);

/* Both standard events of a date. Returns ND_SUN_OK when both exist,
** otherwise the polar status (both *rise and *set are then left at 0), or
** ND_EINVAL. */
int nd_sun_times(double lat, double lon, int year, int mon, int mday,
                 int64_t *rise, int64_t *set);

/* Solar declination (degrees) and equation of time (minutes) at a UTC
** instant -- exposed for tests and the `system sun` detail view. */
void nd_sun_position(int64_t utc, double *decl_deg, double *eot_min);

#endif
