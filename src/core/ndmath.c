/*
** ndmath.c -- sin, cos, tan, asin, acos and fmod in ~2.3 KB of Thumb code
** (soft float: every double operation is a libgcc call of ~14 bytes), within
** 1 ulp (ndmath.h says why and how accurate).
**
** sin/cos/tan: x = k * pi/2 + r, |r| <= pi/4, with r carried as two doubles
** (hi + lo) so that the cancellation in x - k * pi/2 loses nothing. The
** polynomials on |r| <= pi/4 are Chebyshev fits in z = r^2 computed for
** nodus with mpmath (60 digits), then rounded to double; their own error is
** below 2^-57 relative to the result, so the final rounding dominates.
** tan is sin/cos with both carried as double-doubles and the division
** refined by one exact residual step, which keeps it within 1 ulp too.
**
** asin/acos: |x| <= 1/2 directly from the asin polynomial; above,
** asin(x) = pi/2 - 2 asin(s) with s = sqrt((1 - |x|)/2) <= 1/2. s is split
** into a 21-bit head (its square is exact) and a correction from the exact
** residual, so the sqrt's own rounding does not reach the result. The sqrt
** is a few Newton steps here rather than libm's (that would link newlib's
** e_sqrt and its errno wrapper).
*/
#include <float.h>
#include <stdbool.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "ndmath.h"

/* pi/2 in three parts: P1 and P2 have 33 significant bits, so k * P1 and
   k * P2 are exact for k < 2^20 */
#define P1 0x1.921fb54400000p+0
#define P2 0x1.0b4611a600000p-34
#define P3 0x1.3198a2e037073p-69
#define PIO2_HI 0x1.921fb54442d18p+0
#define PIO2_LO 0x1.1a62633145c07p-54
#define INV_PIO2 0x1.45f306dc9c883p-1
#define TINY 0x1p-27 /* below this sin x, tan x, asin x round to x and cos x to 1 */

/* sin r = r + r^3 * S(r^2) on |r| <= pi/4 */
static const double S[] = {
    -0.16666666666666666,     0.0083333333333333315,  -0.00019841269841265065,
    2.7557319219339167e-06,   -2.5052106232447578e-08, 1.6058531618986147e-10,
    -7.5866971177069183e-13,
};
/* cos r = 1 - r^2/2 + r^4 * C(r^2) on |r| <= pi/4 */
static const double C[] = {
    0.041666666666666664,     -0.0013888888888887398, 2.4801587298765689e-05,
    -2.7557317271729793e-07,  2.0876146268403199e-09, -1.1382632425521717e-11,
};
/* asin s = s + s^3 * A(s^2) on |s| <= 1/2 */
static const double A[] = {
    0.16666666666666669,  0.074999999999984329, 0.044642857146355429,
    0.030381944138531247, 0.022372172942149889, 0.017352392720869973,
    0.013971212973552933, 0.011479177415184906, 0.010322814350185779,
    0.0054575067186403581, 0.017400879442694021, -0.014851887071247204,
    0.028757851367421566,
};

/* The four roundings to an integer, on the bits rather than in double
   arithmetic: a board without an FPU that rounds (JSON's and the config's
   "is it an integer", light levels) then links no soft-float addition for
   it, and one routine serves all four. The magnitude is cut below its units
   and, where the mode says so, raised by one unit: a carry out of the
   significand moves the exponent, which is the next power of two. */
enum { R_FLOOR, R_TRUNC, R_EVEN, R_AWAY };

static double round_bits(double x, int mode)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    int e = (int)(u >> 52 & 0x7ff) - 1023; /* 2^e <= |x| < 2^(e+1) */
    uint64_t sign = u & 1ull << 63, mag = u ^ sign;
    if (e >= 52 || !mag) return x; /* an integer, an infinity, NaN or +-0 */
    bool up;
    if (e < 0) { /* |x| < 1: +-0 or +-1, the sign kept */
        up = mode == R_FLOOR ? sign != 0
           : mode == R_EVEN  ? e == -1 && mag != 0x3fe0000000000000ull /* above 1/2 */
           : mode == R_AWAY  ? e == -1
                             : false;
        mag = up ? 0x3ff0000000000000ull : 0;
    } else {
        uint64_t frac = 0x000fffffffffffffull >> e, rest = mag & frac, half = (frac >> 1) + 1;
        if (!rest) return x;
        mag -= rest;
        up = mode == R_FLOOR ? sign != 0
           : mode == R_EVEN  ? rest > half || (rest == half && (mag & (frac + 1))) /* odd: to even */
           : mode == R_AWAY  ? rest >= half
                             : false;
        if (up) mag += frac + 1;
    }
    u = sign | mag;
    memcpy(&x, &u, sizeof x);
    return x;
}

double nd_floor(double x) { return round_bits(x, R_FLOOR); }
double nd_trunc(double x) { return round_bits(x, R_TRUNC); }
double nd_rint(double x) { return round_bits(x, R_EVEN); }
double nd_round(double x) { return round_bits(x, R_AWAY); }

/* not inlined: one copy serves these three polynomials and sun.c's (flash,
   not speed, is scarce) */
__attribute__((noinline)) double nd_poly(double z, const double *c, int n)
{
    double p = c[--n];
    while (n > 0)
        p = p * z + c[--n];
    return p;
}

/* x with the low `bits` bits of its significand cleared */
static double chop(double x, int bits)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    u &= ~(((uint64_t)1 << bits) - 1);
    memcpy(&x, &u, sizeof x);
    return x;
}

/* a * b - p exactly (p is the rounded product): a and b split into 26-bit
   heads and tails whose products are exact (Dekker); only the tails'
   product rounds, far below what the callers need */
__attribute__((noinline)) static double mul_err(double a, double b, double p)
{
    double ah = chop(a, 27), al = a - ah, bh = chop(b, 27), bl = b - bh;
    return ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}

/* sin (cosine = 0) or cos (cosine = 1) of hi + lo, |hi| <= pi/4, as the
   unevaluated sum of the result and *tail. The rounding error of hi^2 is
   recovered exactly (zl) and -r^3/6 is divided, not multiplied by an inexact
   1/6: those two would otherwise cost up to 0.25 ulp, and tan needs both
   sin and cos well inside half an ulp. */
static double kernel(double hi, double lo, int cosine, double *tail)
{
    double z = hi * hi, zl = mul_err(hi, hi, z), head, t; /* hi^2 = z + zl */
    if (cosine) {
        double hz = 0.5 * z;
        head = 1.0 - hz;
        /* (1 - head) - hz is the rounding error of head, exactly */
        t = ((1.0 - head) - hz) + (z * z * nd_poly(z, C, 6) - (0.5 * zl + hi * lo));
    } else {
        double h3 = hi * z;
        head = hi;
        t = h3 / -6.0 + ((hi * zl / -6.0 + h3 * z * nd_poly(z, S + 1, 6)) + lo * (1.0 - 0.5 * z));
    }
    double r = head + t;
    *tail = t - (r - head);
    return r;
}

/* x = n * pi/2 + (*hi + *lo); returns n (only its low bits matter) */
static int reduce(double x, double *hi, double *lo)
{
    /* round to nearest integer without libm: 1.5 * 2^52 pushes the fraction out */
    double k = (x * INV_PIO2 + 0x1.8p52) - 0x1.8p52;
    double t = x - k * P1; /* exact */
    double w = k * P2;     /* exact */
    double r = t - w;
    double l = ((t - r) - w) - k * P3;
    *hi = r + l;
    *lo = l - (*hi - r);
    return (int)k;
}

/* sin (which = 0), cos (1) and tan (2): the cases shared by all three */
static double trig(double x, int which)
{
    if (!(fabs(x) <= ND_TRIG_MAX))
        return NAN; /* inf, NaN or beyond the reduction's range */
    if (fabs(x) < TINY)
        return which == 1 ? 1.0 : x;
    double hi, lo, t1, t2;
    int n = reduce(x, &hi, &lo);
    if (which < 2) {
        n += which; /* cos x = sin(x + pi/2) */
        double r = kernel(hi, lo, n & 1, &t1);
        return n & 2 ? -r : r;
    }
    /* tan: sin/cos, or -cos/sin in odd quadrants */
    double s = kernel(hi, lo, n & 1, &t1);
    double c = kernel(hi, lo, !(n & 1), &t2);
    double q = s / c, p = q * c;
    /* one correction step from the residual (s + t1) - q (c + t2); s - p is
       exact (Sterbenz), mul_err gives what p lost */
    q += (((s - p) - mul_err(q, c, p)) + (t1 - q * t2)) / c;
    return n & 1 ? -q : q;
}

double nd_sin(double x) { return trig(x, 0); }
double nd_cos(double x) { return trig(x, 1); }
double nd_tan(double x) { return trig(x, 2); }

/* s^3 * A(s^2): asin s - s */
static double asin_tail(double s)
{
    double z = s * s;
    return z * s * nd_poly(z, A, 13);
}

/* sqrt(t) = *head + *corr, t in [0, 1/4]; *head has 21 significant bits */
static void sqrt_split(double t, double *head, double *corr)
{
    *head = *corr = 0;
    if (t == 0)
        return;
    uint64_t u;
    memcpy(&u, &t, sizeof u);
    u = (u >> 1) + ((uint64_t)0x3ff << 51); /* halve the exponent: within 7 % */
    double s;
    memcpy(&s, &u, sizeof s);
    for (int i = 0; i < 5; i++) /* quadratic: 2^-4 -> 2^-9 -> ... -> 2^-70 */
        s = 0.5 * (s + t / s);
    *head = chop(s, 32);
    /* t - head^2 is exact (head^2 has 42 bits and is within 2^-20 of t) */
    *corr = (t - *head * *head) / (s + *head);
}

/* asin (is_acos = 0) or acos (1) */
static double arc(double x, int is_acos)
{
    double ax = fabs(x);
    if (!(ax <= 1.0))
        return NAN;
    if (ax <= 0.5) {
        if (ax < TINY && !is_acos)
            return x;
        double p = asin_tail(x);
        return is_acos ? PIO2_HI - (x - (PIO2_LO - p)) : x + p;
    }
    double h, c;
    sqrt_split((1.0 - ax) * 0.5, &h, &c);
    double e = c + asin_tail(h + c); /* asin s = h + e */
    /* asin x = pi/2 - 2 asin s, acos x = 2 asin s (x > 0) or pi - 2 asin s;
       k_hi - 2h is exact in all three (h has 21 bits) */
    double khi = PIO2_HI, klo = PIO2_LO;
    int neg = x < 0;
    if (is_acos) {
        khi = klo = 0;
        if (neg) {
            khi = 2.0 * PIO2_HI;
            klo = 2.0 * PIO2_LO;
        } else {
            h = -h;
            e = -e;
        }
        neg = 0;
    }
    double r = (khi - 2.0 * h) + (klo - 2.0 * e);
    return neg ? -r : r;
}

double nd_asin(double x) { return arc(x, 0); }
double nd_acos(double x) { return arc(x, 1); }

/* Exact: subtract |y| * 2^k for k from the largest that fits down to 0.
   Each subtraction has t <= ax < 2t, so it is exact (Sterbenz). */
double nd_fmod(double x, double y)
{
    double ax = fabs(x), ay = fabs(y);
    if (!(ax <= DBL_MAX) || !(ay > 0)) /* x inf or NaN, y 0 or NaN */
        return NAN;
    if (ax < ay) /* also y = +-inf, where the steps below would not end */
        return x;
    double t = ay;
    while (t * 2 <= ax)
        t *= 2;
    for (; t >= ay; t *= 0.5)
        if (ax >= t)
            ax -= t;
    return copysign(ax, x);
}
