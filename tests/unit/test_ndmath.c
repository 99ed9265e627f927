/*
** test_ndmath.c -- nodus's own sin/cos/tan/asin/acos/fmod (src/core/ndmath.c),
** which the firmware uses instead of newlib's (src/port/mps2/libm_trig.c).
**
** 1. Accuracy: ~300k seeded random arguments per function over the ranges
**    sun.c uses (a few thousand radians), the whole reduction range
**    (|x| <= ND_TRIG_MAX), tiny magnitudes, near multiples of pi/2 and
**    near +-1 for asin/acos; the error is measured in ulps against the
**    long double functions (64-bit significand on x86-64), must be <= 1 ulp,
**    and the maximum seen is printed.
** 2. Special values: +-0 (sign kept), inf, NaN, asin/acos outside [-1, 1],
**    the ends of the domains, beyond ND_TRIG_MAX.
** 3. fmod, floor, trunc, rint and round: bit-identical to glibc's (exact in
**    both) on random bit patterns, incl. subnormals, inf and NaN, halfway
**    cases and their neighbours, and on sun.c/caltime.c-like operands.
** 4. The real sun.c, run twice: this file defines sin, cos, tan, asin, acos,
**    fmod (and sincos, which the compiler may form from sin+cos), so sun.c in
**    nodus_lib calls these; they forward to glibc's (dlsym RTLD_NEXT) or to
**    nd_*. Rise/set/noon for latitudes -66..66, longitudes -180..180 and
**    every day of 2024..2027 must be the same second with both -- the
**    integer UTC second is exactly what the node prints. A call counter
**    proves the seam is really in sun.c's path.
*/
#define _GNU_SOURCE
#include <dlfcn.h>
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ndmath.h"
#include "sun.h"

/* ---- the seam: sun.c's libm calls land here ---- */

static int use_nd;          /* 0: glibc, 1: nd_* */
static unsigned long calls; /* seam calls seen, to prove sun.c goes through it */

typedef double (*fn1)(double);
static void *real(const char *name)
{
    void *p = dlsym(RTLD_NEXT, name);
    if (!p) {
        fprintf(stderr, "dlsym %s: %s\n", name, dlerror());
        abort();
    }
    return p;
}

#define SEAM1(name)                                                        \
    double name(double x)                                                  \
    {                                                                      \
        static fn1 r;                                                      \
        calls++;                                                           \
        if (use_nd)                                                        \
            return nd_##name(x);                                           \
        if (!r)                                                            \
            r = (fn1)real(#name);                                          \
        return r(x);                                                       \
    }
SEAM1(sin)
SEAM1(cos)
SEAM1(tan)
SEAM1(asin)
SEAM1(acos)

double fmod(double x, double y)
{
    static double (*r)(double, double);
    calls++;
    if (use_nd)
        return nd_fmod(x, y);
    if (!r)
        r = (double (*)(double, double))real("fmod");
    return r(x, y);
}

void sincos(double x, double *s, double *c)
{
    /* through volatile pointers: at -O2 GCC fuses a sin(x) and cos(x) pair
       into a sincos call, which here would be this function again */
    double (*volatile fs)(double) = sin;
    double (*volatile fc)(double) = cos;
    *s = fs(x);
    *c = fc(x);
}

/* the references, called through pointers so that no call in this file can
   be folded into the seam above */
static double ref_fmod(double x, double y)
{
    static double (*r)(double, double);
    if (!r)
        r = (double (*)(double, double))real("fmod");
    return r(x, y);
}

/* ---- random numbers (seeded: a failure is reproducible) ---- */

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static double u01(void) { return (double)(rnd() >> 11) * 0x1p-53; }
static double sym(double m) { return (2 * u01() - 1) * m; }

/* |got - ref| in units of the last place of the double nearest ref */
static double ulp_err(double got, long double ref)
{
    if (isnan(got) || isnan(ref))
        return isnan(got) && isnan(ref) ? 0 : 1e9;
    long double a = fabsl(ref);
    int e;
    frexpl(a, &e);
    long double ulp = a < 0x1p-1022L ? 0x1p-1074L : ldexpl(1.0L, e - 53);
    return (double)(fabsl((long double)got - ref) / ulp);
}

#if LDBL_MANT_DIG >= 64
#define LIMIT 1.0 /* the reference is 11 bits better than double */
#else
#define LIMIT 1.5 /* double reference: its own error (< 0.5 ulp) is in the figure */
#endif

enum { F_SIN, F_COS, F_TAN, F_ASIN, F_ACOS };
static const char *const fname[] = {"sin", "cos", "tan", "asin", "acos"};

static double mine(int f, double x)
{
    switch (f) {
    case F_SIN: return nd_sin(x);
    case F_COS: return nd_cos(x);
    case F_TAN: return nd_tan(x);
    case F_ASIN: return nd_asin(x);
    default: return nd_acos(x);
    }
}

static long double refl(int f, double x)
{
    switch (f) {
    case F_SIN: return sinl(x);
    case F_COS: return cosl(x);
    case F_TAN: return tanl(x);
    case F_ASIN: return asinl(x);
    default: return acosl(x);
    }
}

/* one argument of the mix for f: i selects the range */
static double arg(int f, unsigned i)
{
    double m = ldexp(u01(), -(int)(rnd() % 50)); /* log-uniform small */
    if (f >= F_ASIN) {
        switch (i % 4) {
        case 0: return sym(1);
        case 1: return sym(0.5);
        case 2: return (rnd() & 1 ? -1 : 1) * (1 - m); /* near +-1 */
        default: return (rnd() & 1 ? -1 : 1) * m;
        }
    }
    switch (i % 6) {
    case 0: return sym(3.2);
    case 1: return sym(2000); /* sun.c: 3 * mean anomaly stays below this until 2200 */
    case 2: return sym(ND_TRIG_MAX);
    case 3: return (rnd() & 1 ? -1 : 1) * m;
    case 4: { /* near k * pi/2: the reduction's hard cases */
        double k = (double)(rnd() % 1000000);
        return k * 1.5707963267948966 + sym(1e-6) * u01();
    }
    default: return sym(100) * u01();
    }
}

/* The references need long double's extra bits. Under valgrind (make
** valgrind runs every unit test under memcheck) x87 arithmetic is done in
** double precision, so the references themselves are off by an ulp or so:
** there the ulp bound cannot be judged and only memory errors are looked
** for. A normal run always has the extra bits on x86-64 and checks it. */
static int extended_long_double(void)
{
    volatile long double one = 1.0L, tiny = 0x1p-60L;
    return one + tiny != one;
}

static void test_accuracy(void **state)
{
    (void)state;
    if (!extended_long_double()) {
        printf("  long double has no extra precision here (valgrind?): ulp bounds not judged\n");
        for (int f = F_SIN; f <= F_ACOS; f++)
            for (unsigned i = 0; i < 1000; i++) (void)mine(f, arg(f, i));
        return;
    }
    for (int f = F_SIN; f <= F_ACOS; f++) {
        double worst = 0, at = 0;
        for (unsigned i = 0; i < 300000; i++) {
            double x = arg(f, i);
            double e = ulp_err(mine(f, x), refl(f, x));
            if (e > worst) {
                worst = e;
                at = x;
            }
        }
        printf("  nd_%-4s max error %.3f ulp (at %a)\n", fname[f], worst, at);
        if (worst > LIMIT)
            fail_msg("nd_%s(%a) = %a: %.3f ulp off (limit %.1f)", fname[f], at, mine(f, at),
                     worst, LIMIT);
    }
}

static int same(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0 || (isnan(a) && isnan(b));
}

static void test_special_values(void **state)
{
    (void)state;
    const double inf = INFINITY, z = 0.0, sub = 0x1p-1060;
    /* signed zeros and tiny arguments */
    assert_true(same(nd_sin(z), z) && same(nd_sin(-z), -z));
    assert_true(same(nd_tan(z), z) && same(nd_tan(-z), -z));
    assert_true(same(nd_asin(z), z) && same(nd_asin(-z), -z));
    assert_true(same(nd_cos(z), 1.0) && same(nd_cos(-z), 1.0));
    assert_true(same(nd_sin(-sub), -sub) && same(nd_tan(sub), sub) && same(nd_asin(sub), sub));
    assert_true(same(nd_acos(z), 0x1.921fb54442d18p+0) && same(nd_acos(-z), 0x1.921fb54442d18p+0));
    assert_true(same(nd_acos(sub), 0x1.921fb54442d18p+0));
    /* the domain ends, correctly rounded */
    assert_true(same(nd_asin(1.0), 0x1.921fb54442d18p+0));
    assert_true(same(nd_asin(-1.0), -0x1.921fb54442d18p+0));
    assert_true(same(nd_acos(1.0), z));
    assert_true(same(nd_acos(-1.0), 0x1.921fb54442d18p+1));
    assert_true(same(nd_acos(0.5), 0x1.0c152382d7366p+0));  /* pi/3 */
    assert_true(same(nd_asin(0.5), 0x1.0c152382d7366p-1));  /* pi/6 */
    /* NaN: non-finite trig arguments, arc arguments outside [-1, 1] */
    const double bad_trig[] = {inf, -inf, NAN, -NAN, ND_TRIG_MAX * 1.0001, -1e300};
    for (size_t i = 0; i < sizeof bad_trig / sizeof bad_trig[0]; i++) {
        assert_true(isnan(nd_sin(bad_trig[i])));
        assert_true(isnan(nd_cos(bad_trig[i])));
        assert_true(isnan(nd_tan(bad_trig[i])));
    }
    const double bad_arc[] = {inf, -inf, NAN, 1.0000000000000002, -1.0000000000000002, 2, -1e300};
    for (size_t i = 0; i < sizeof bad_arc / sizeof bad_arc[0]; i++) {
        assert_true(isnan(nd_asin(bad_arc[i])));
        assert_true(isnan(nd_acos(bad_arc[i])));
    }
    /* the last argument reduced still is, within the limit */
    if (extended_long_double()) {
        assert_true(ulp_err(nd_sin(ND_TRIG_MAX), sinl(ND_TRIG_MAX)) <= LIMIT);
        assert_true(ulp_err(nd_tan(-ND_TRIG_MAX), tanl(-ND_TRIG_MAX)) <= LIMIT);
    }
    /* symmetry is exact */
    for (int i = 0; i < 1000; i++) {
        double x = sym(10);
        assert_true(same(nd_sin(-x), -nd_sin(x)) && same(nd_cos(-x), nd_cos(x)));
        assert_true(same(nd_tan(-x), -nd_tan(x)));
        double y = sym(1);
        assert_true(same(nd_asin(-y), -nd_asin(y)));
    }
}

static double any_double(void)
{
    uint64_t u = rnd();
    switch (rnd() % 8) {
    case 0: u &= 0x800fffffffffffffull; break;                  /* subnormal */
    case 1: u = (u & 0x8000000000000000ull) | 0x7ff0000000000000ull; break; /* inf */
    case 2: u |= 0x7ff8000000000000ull; break;                  /* NaN */
    case 3: u &= 0x8000000000000000ull; break;                  /* +-0 */
    default: break;
    }
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

static void test_fmod(void **state)
{
    (void)state;
    for (unsigned i = 0; i < 300000; i++) {
        double x, y;
        switch (i % 3) {
        case 0: x = any_double(); y = any_double(); break;
        case 1: /* magnitudes within 2^60 of each other: where real callers live */
            x = ldexp(sym(1), (int)(rnd() % 120) - 60);
            y = ldexp(sym(1), (int)(rnd() % 120) - 60);
            break;
        default: { /* sun.c (360 deg), caltime.c-like (days, seconds) */
            static const double ys[] = {360.0, 86400.0, 7.0, 60.0, 1e-3};
            x = sym(1e7) * u01();
            y = ys[rnd() % 5];
        }
        }
        double got = nd_fmod(x, y), want = ref_fmod(x, y);
        if (!same(got, want))
            fail_msg("nd_fmod(%a, %a) = %a, glibc %a", x, y, got, want);
    }
    assert_true(same(nd_fmod(-720.0, 360.0), -0.0));
    assert_true(same(nd_fmod(5.0, INFINITY), 5.0));
    assert_true(isnan(nd_fmod(5.0, 0.0)) && isnan(nd_fmod(INFINITY, 1.0)));
    assert_true(same(nd_fmod(DBL_MAX, 0x1p-1074), 0.0));
}

/* One rounding function of ndmath against C's, bit for bit: bit patterns
   of every kind (huge, tiny, subnormal, +-0), integers and halfway cases
   (x1, /2, /4, /8: what the sim board's callers pass), the neighbours of
   both (0.49999999999999994 rounds to 0), powers of two on both sides of
   2^52; then the given edge cases and NaN. */
static void same_rounding(const char *name, double (*ours)(double), double (*libc)(double),
                          const double *edge, size_t nedge)
{
    for (unsigned i = 0; i < 800000; i++) {
        double x, sign = rnd() & 1 ? -1 : 1, half = i & 4 ? 0.5 : 0.0;
        switch (i % 4) {
        case 0: x = any_double(); break;
        case 1: x = sign * ((double)(rnd() % 200000) + half) * ldexp(1, -(int)(rnd() % 4)); break;
        case 2: x = nextafter(sign * ((double)(rnd() % 1000) + half), rnd() & 1 ? INFINITY : -INFINITY); break;
        default: x = sym(1) * ldexp(1, (int)(rnd() % 64)); break;
        }
        if (!same(ours(x), libc(x))) fail_msg("%s(%a) = %a, glibc %a", name, x, ours(x), libc(x));
    }
    for (size_t i = 0; i < nedge; i++)
        if (!same(ours(edge[i]), libc(edge[i])))
            fail_msg("%s(%a) = %a, glibc %a", name, edge[i], ours(edge[i]), libc(edge[i]));
    assert_true(isnan(ours(NAN)));
}

static void test_floor(void **state)
{
    (void)state;
    static const double edge[] = {0.0, -0.0, 0.5, -0.5, 0x1p-1074, -0x1p-1074, -1.0, -1.5,
                                  0x1p52 - 0.5, -(0x1p52 - 0.5), 0x1p52, -0x1p52, 0x1p63, -0x1p63,
                                  DBL_MAX, -DBL_MAX, INFINITY, -INFINITY};
    same_rounding("nd_floor", nd_floor, floor, edge, sizeof edge / sizeof edge[0]);
}

static void test_trunc(void **state)
{
    (void)state;
    static const double edge[] = {0.0, -0.0, 0.5, -0.5, 0.99999999999999989, -0.99999999999999989,
                                  1.0, -1.5, 0x1p52 - 0.5, -(0x1p52 - 0.5), 0x1p52, 0x1p-1074,
                                  -0x1p-1074, DBL_MAX, INFINITY, -INFINITY};
    same_rounding("nd_trunc", nd_trunc, trunc, edge, sizeof edge / sizeof edge[0]);
}

/* the host's rint in its default rounding mode (to nearest, ties to even),
   which is the only mode the board has */
static void test_rint(void **state)
{
    (void)state;
    static const double edge[] = {0.0, -0.0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 0.49999999999999994,
                                  -0.50000000000000011, 0x1p52 - 0.5, -(0x1p52 - 1.5), 0x1p51 + 0.5,
                                  0x1p51 + 1.5, 0x1p-1074, DBL_MAX, INFINITY, -INFINITY};
    same_rounding("nd_rint", nd_rint, rint, edge, sizeof edge / sizeof edge[0]);
}

static void test_round(void **state)
{
    (void)state;
    static const double edge[] = {0.0, -0.0, 0.5, -0.5, 0.49999999999999994, -0.49999999999999994,
                                  1.5, 2.5, -2.5, 0x1p52 - 0.5, 0x1p52 + 1, 0x1p53 + 2, DBL_MAX,
                                  0x1p-1074, INFINITY, -INFINITY};
    same_rounding("nd_round", nd_round, round, edge, sizeof edge / sizeof edge[0]);
}

/* ---- sun.c through both sets of functions ---- */

static int mdays(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0) ? 29 : d[m - 1];
}

static void test_sun_same_second(void **state)
{
    (void)state;
    unsigned long events = 0, polar = 0;
    for (int lat = -66; lat <= 66; lat += 6) {
        for (int lon = -180; lon <= 180; lon += 30) {
            double la = lat + 0.3721, lo = lon + (lon < 180 ? 0.1913 : 0);
            for (int y = 2024; y <= 2027; y++)
                for (int m = 1; m <= 12; m++)
                    for (int d = 1; d <= mdays(y, m); d++) {
                        int64_t r[2], s[2], n[2];
                        int st[2], sn[2];
                        for (int k = 0; k < 2; k++) {
                            use_nd = k;
                            calls = 0;
                            st[k] = nd_sun_times(la, lo, y, m, d, &r[k], &s[k]);
                            sn[k] = nd_sun_event(la, lo, y, m, d, ND_SUN_NOON, ND_SUN_ALTITUDE, &n[k]);
                            if (calls == 0)
                                fail_msg("sun.c did not call the libm seam");
                        }
                        use_nd = 0;
                        if (st[0] != st[1] || r[0] != r[1] || s[0] != s[1] || sn[0] != sn[1] ||
                            n[0] != n[1])
                            fail_msg("%.4f %.4f %d-%02d-%02d: glibc %d %lld %lld %lld, "
                                     "nd %d %lld %lld %lld", la, lo, y, m, d, st[0],
                                     (long long)r[0], (long long)s[0], (long long)n[0], st[1],
                                     (long long)r[1], (long long)s[1], (long long)n[1]);
                        events++;
                        polar += st[0] != ND_SUN_OK;
                    }
        }
    }
    printf("  sun: %lu place-days identical (%lu polar)\n", events, polar);
    /* the position itself agrees to far below what a second needs */
    for (int i = 0; i < 20000; i++) {
        int64_t t = (int64_t)(sym(1) * 3e9);
        double d[2], e[2];
        for (int k = 0; k < 2; k++) {
            use_nd = k;
            nd_sun_position(t, &d[k], &e[k]);
        }
        use_nd = 0;
        assert_true(fabs(d[0] - d[1]) < 1e-12 && fabs(e[0] - e[1]) < 1e-11);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accuracy),
        cmocka_unit_test(test_special_values),
        cmocka_unit_test(test_fmod),
        cmocka_unit_test(test_floor),
        cmocka_unit_test(test_trunc),
        cmocka_unit_test(test_rint),
        cmocka_unit_test(test_round),
        cmocka_unit_test(test_sun_same_second),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
