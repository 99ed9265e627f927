/*
** libc_dconv.c -- conversions between double and the integer types on the
** board: the run-time ABI's __aeabi_l2d, ul2d, i2d, ui2d, d2lz, d2ulz, d2iz
** and d2uiz, on the bits, instead of libgcc's.
**
** Why: the Cortex-M3 has no FPU, so every double operation is a libgcc call.
** The minimal image computes nothing in double any more (its percentages,
** milliseconds and loads are integers shown through nd_decimal, nodus/
** value.h; floor is nd_floor on the bits), but it still converts: config
** numbers (cJSON keeps them as doubles) to int64 and back, a float argument
** compared with an int. libgcc's conversions live in the same objects as
** its arithmetic: int64 -> double in _arm_addsubdf3.o (with the addition,
** ~900 bytes) and double -> uint64 in C that multiplies and subtracts in
** double (_fixunsdfdi.o, which pulls _arm_muldivdf3.o, ~1 KB). Here the
** eight take ~300 bytes, and an image that converts but does no double
** arithmetic links neither object (check: the map's "Archive member
** included" list of the min image has no _arm_addsubdf3, _arm_muldivdf3,
** _fixdfdi, _fixunsdfdi, _arm_fixdfsi or _arm_fixunsdfsi).
**
** The definitions are weak: an image that does double arithmetic (the full
** profile's sun and hardware simulation) links libgcc's objects for it, and
** their strong definitions of these names then win, without a clash.
**
** Results, as C's conversions give them: int -> double rounds to nearest,
** ties to even (the default rounding mode; exact for 32-bit ints and below
** 2^53); double -> int truncates toward zero. C leaves a value outside the
** target type undefined; here it saturates, as the hardware's VCVT does
** (NaN gives 0, a negative double 0 for an unsigned type).
**
** ND_LIBC_NAME(x) (tests/unit/test_fw_dconv.c, as in libc_num.c) renames
** the functions so the host test can run them next to its own casts.
*/
#include <stdint.h>
#include <string.h>

#ifdef ND_LIBC_NAME
#define NAME(x) ND_LIBC_NAME(x)
#define RTABI
#else
#define NAME(x) x
/* The RTABI's helpers take and return doubles in core registers (base
   AAPCS) even where the image uses FPU registers for its own calls; weak:
   see above; used: the calls to them are made after LTO, which would drop
   them as unused. */
#define RTABI __attribute__((pcs("aapcs"), weak, used))
#endif

static double of_bits(uint64_t b)
{
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

/* The double of magnitude u, negated when neg. u is shifted up until its
   leading 1 is bit 63 (one variable shift; the rest are constant, which a
   32-bit core does in a few instructions): its top 53 bits are the
   significand, rounded half-even on the 11 below them (zeros for u < 2^53,
   which is exact). */
static double from_u64(uint64_t u, int neg)
{
    uint64_t b = 0;
    if (u) {
        uint32_t hi = (uint32_t)(u >> 32);
        int lz = hi ? __builtin_clz(hi) : 32 + __builtin_clz((uint32_t)u);
        u <<= lz;
        uint32_t rest = (uint32_t)u & 0x7ff;
        b = u >> 11;
        b += rest > 0x400 || (rest == 0x400 && (b & 1));
        /* b is the significand with its leading 1 at bit 52 (or 2^53 when
           rounding carried out): adding the exponent field less one makes
           that 1 the field's last unit, and a carry the next power of two */
        b += (uint64_t)(1022 + 63 - lz) << 52;
    }
    return of_bits(b | (uint64_t)neg << 63);
}

/* The magnitude of d truncated toward zero, saturated at 2^64 - 1; *neg:
   d < 0 (not for NaN, which gives 0). The significand is put at the top of
   64 bits and shifted down once, by 63 - e. */
static uint64_t to_u64(double d, int *neg)
{
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    int e = (int)(b >> 52 & 0x7ff) - 1023; /* 2^e <= |d| < 2^(e+1) */
    *neg = (int)(b >> 63);
    if (e < 0) return 0; /* |d| < 1, zeros and subnormals */
    if (e == 1024 && b << 12) { /* NaN */
        *neg = 0;
        return 0;
    }
    if (e >= 64) return UINT64_MAX;
    return (b << 11 | 1ull << 63) >> (63 - e);
}

RTABI double NAME(__aeabi_ul2d)(uint64_t u) { return from_u64(u, 0); }

RTABI double NAME(__aeabi_l2d)(int64_t v) { return from_u64(v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0); }

RTABI double NAME(__aeabi_ui2d)(uint32_t u) { return from_u64(u, 0); }

RTABI double NAME(__aeabi_i2d)(int32_t v) { return NAME(__aeabi_l2d)(v); }

RTABI uint64_t NAME(__aeabi_d2ulz)(double d)
{
    int neg;
    uint64_t u = to_u64(d, &neg);
    return neg ? 0 : u;
}

RTABI int64_t NAME(__aeabi_d2lz)(double d)
{
    int neg;
    uint64_t u = to_u64(d, &neg);
    if (neg) return u >= 1ull << 63 ? INT64_MIN : -(int64_t)u;
    return u >= 1ull << 63 ? INT64_MAX : (int64_t)u;
}

RTABI uint32_t NAME(__aeabi_d2uiz)(double d)
{
    uint64_t u = NAME(__aeabi_d2ulz)(d);
    return u > UINT32_MAX ? UINT32_MAX : (uint32_t)u;
}

RTABI int32_t NAME(__aeabi_d2iz)(double d)
{
    int64_t v = NAME(__aeabi_d2lz)(d);
    return v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : (int32_t)v;
}
