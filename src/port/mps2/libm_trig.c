/*
** libm_trig.c -- the C library's sin, cos, tan, asin, acos, fmod and floor
** on the board, from nodus's own src/core/ndmath.c instead of newlib's.
**
** Why: newlib's versions (fdlibm) reduce arguments of any size with
** Payne-Hanek (k_rem_pio2, e_rem_pio2, scalbn) and bring their own kernels,
** asin/acos with a rational approximation, a bit-by-bit sqrt and errno
** wrappers: ~10 KB of flash for sun.c's few calls on small angles. ndmath.c
** does the same within 1 ulp in ~2.3 KB. floor is exact, on the bits (the
** core's other roundings call nd_trunc/nd_rint/nd_round directly: newlib's
** rint adds and subtracts 2^52 in double, and a reference to it from any
** object, even code LTO drops, links libgcc's soft-float addition). Defined
** here, these symbols
** satisfy sun.c and caltime.c before the linker looks in libm.a (check: the
** map's "Archive member included" list has no lib_a-k_rem_pio2, e_rem_pio2,
** k_sin, k_cos, k_tan, e_asin, e_acos, e_fmod, s_floor).
**
** Differences from newlib, none of which nodus relies on: errno is not set
** (domain errors just return NaN), and sin/cos/tan of |x| > ND_TRIG_MAX
** (1.6e6 rad) return NaN instead of a reduced value.
*/
#include <math.h>

#include "ndmath.h"
#include "nodus/opts.h"

/* sun.c is their only caller. Without it (ND_WITH_SUN 0: the minimal
** image) they are not defined at all: LTO keeps a definition of a C library
** function whether or not anything calls it (the compiler may make calls to
** one after LTO), so the trigonometry's soft-float additions and
** multiplications would reach the link and pull in libgcc's arithmetic,
** which then also replaces libc_dconv.c's conversions. A board module that
** calls sin there gets newlib's. */
#if ND_WITH_SUN
double sin(double x) { return nd_sin(x); }
double cos(double x) { return nd_cos(x); }
double tan(double x) { return nd_tan(x); }
double asin(double x) { return nd_asin(x); }
double acos(double x) { return nd_acos(x); }
double fmod(double x, double y) { return nd_fmod(x, y); }
#endif
double floor(double x) { return nd_floor(x); }
