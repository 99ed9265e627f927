/*
** ndmath.h -- nodus's own double-precision trigonometry (and fmod): small
** and accurate, for the firmware, where newlib's versions cost ~9 KB of flash
** (Payne-Hanek reduction tables and code for arguments nodus never passes).
** src/port/mps2/libm_trig.c makes these the board's sin/cos/tan/asin/acos/fmod.
**
** Accuracy: at most 1 ulp (measured max ~0.6-0.8 ulp, tests/unit/test_ndmath.c)
** for every finite argument of asin/acos, and for sin/cos/tan with
** |x| <= ND_TRIG_MAX. fmod is exact, as C requires.
**
** Special cases as C99 Annex F: sin/tan/asin(+-0) = +-0, cos(+-0) = 1;
** sin/cos/tan of +-inf or NaN is NaN; asin/acos outside [-1, 1] or NaN is NaN;
** fmod(x, 0), fmod(+-inf, y) and any NaN operand give NaN, fmod(x, +-inf) = x.
** errno is never set (nodus never reads it after math calls).
**
** Range: sin/cos/tan reduce x modulo pi/2 with a three-part pi/2 (Cody-Waite),
** which is exact enough while the quadrant number fits 20 bits. Beyond
** ND_TRIG_MAX (1.6e6 radians, just under 2^20 * pi/2) they return NaN: a defined,
** visible answer instead of a silently wrong one -- nodus's callers (sun.c)
** pass at most a few thousand radians.
*/
#ifndef ND_NDMATH_H
#define ND_NDMATH_H

#define ND_TRIG_MAX 1.6e6 /* < 2^20 * pi/2: the quadrant number fits 20 bits */

double nd_sin(double x);
double nd_cos(double x);
double nd_tan(double x);
double nd_asin(double x);
double nd_acos(double x);
double nd_fmod(double x, double y);

/* C's floor, trunc, rint (in the default rounding mode: halfway cases to
** even) and round (halfway cases away from zero), bit for bit for every x
** (-0.5 -> -1 / -0.0 / -0.0 / -1; -0.0, NaN and +-inf unchanged; lround
** and llround are (long)/(long long) of nd_round inside their range). One
** routine on the bits, no double arithmetic, ~150 B for the four: newlib's
** floor, trunc, rint, round, lround and llround take ~1.2 KB, and its rint
** pulls in libgcc's soft-float addition. The core calls these by name
** (src/port/mps2/libm_trig.c makes nd_floor the board's floor too). */
double nd_floor(double x);
double nd_trunc(double x);
double nd_rint(double x);
double nd_round(double x);

/* c[0] + z * (c[1] + z * (... + z * c[n - 1])), Horner's rule (n >= 1) */
double nd_poly(double z, const double *c, int n);

#endif
