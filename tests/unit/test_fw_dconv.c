/*
** test_fw_dconv.c -- the firmware's conversions between double and the
** integer types (src/port/mps2/libc_dconv.c), compiled here (ND_LIBC_NAME:
** renamed fw___aeabi_*) and compared bit for bit with the host's own casts
** (x86-64 converts in hardware, rounding to nearest, ties to even):
**  - integer -> double: the edges (0, +-1, 2^53 and its neighbours, the
**    halfway points between two doubles and one above and below them,
**    INT64_MIN, INT64_MAX, UINT64_MAX, the 32-bit ends), then millions of
**    seeded random integers of every length, often with a run of ones or
**    zeros below the kept bits (the rounding cases);
**  - double -> integer: random bit patterns of every exponent (subnormals,
**    zeros, NaN, infinities) and values near integers and near the types'
**    ends; inside the target type against the cast, outside it (where C
**    says nothing) against the saturation the file documents.
** A failure prints its operand.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#define ND_LIBC_NAME(x) fw_##x
#include "../../src/port/mps2/libc_dconv.c"

#define ND_XORSHIFT_SEED 0x2545f4914f6cdd1dull
#include "xorshift.h"

static uint64_t rnd64(void)
{
    rndn(1);
    return rng;
}

static uint64_t bits_of(double d)
{
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    return b;
}

static void same_double(const char *what, unsigned long long v, double got, double want)
{
    if (bits_of(got) != bits_of(want))
        fail_msg("%s(%#llx) = %a, want %a", what, v, got, want);
}

/* one integer through all the conversions that take it */
static void check_int(uint64_t u)
{
    same_double("ul2d", u, fw___aeabi_ul2d(u), (double)u);
    same_double("l2d", u, fw___aeabi_l2d((int64_t)u), (double)(int64_t)u);
    same_double("ui2d", (uint32_t)u, fw___aeabi_ui2d((uint32_t)u), (double)(uint32_t)u);
    same_double("i2d", (uint32_t)u, fw___aeabi_i2d((int32_t)(uint32_t)u), (double)(int32_t)(uint32_t)u);
}

/* a number of `len` significant bits whose low bits are random, all ones,
   all zeros, or exactly/just off a halfway point of the 53 kept */
static uint64_t rnd_len(unsigned len)
{
    if (len == 0) return 0;
    uint64_t top = 1ull << (len - 1), low = rnd64() & (top - 1);
    unsigned cut = len > 53 ? len - 53 : 0; /* bits rounded away */
    switch (rndn(6)) {
    case 0: low = top - 1; break;
    case 1: low = 0; break;
    case 2:
        if (cut) low = (low & ~((1ull << cut) - 1)) | 1ull << (cut - 1); /* exactly halfway */
        break;
    case 3:
        if (cut) low = ((low & ~((1ull << cut) - 1)) | 1ull << (cut - 1)) + (rndn(2) ? 1 : -1);
        break;
    default: break;
    }
    return top | (low & (top - 1));
}

static void test_to_double(void **state)
{
    (void)state;
    static const uint64_t edge[] = {
        0, 1, 2, 3, (1ull << 53) - 1, 1ull << 53, (1ull << 53) + 1, (1ull << 53) + 2,
        (1ull << 53) + 3, (1ull << 54) + 2, (1ull << 54) + 6, (1ull << 63) - 1, 1ull << 63,
        (1ull << 63) + 1, UINT64_MAX, UINT64_MAX - 1024, UINT64_MAX - 1025, 0xfffffffffffffc00ull,
        0xfffffffffffffbffull, 0x7ffffffffffffe00ull, 0x7ffffffffffffdffull, 0xffffffffull,
        0x80000000ull, 0x7fffffffull, -(uint64_t)1, -(uint64_t)((1ull << 53) + 1),
    };
    for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++) check_int(edge[i]);
    for (int it = 0; it < 4000000; it++) {
        uint64_t u = rnd_len(rndn(65));
        check_int(rndn(2) ? u : -u);
    }
}

/* the value the file documents for a double outside the integer type */
static int64_t sat_s(double d, int64_t lo, int64_t hi)
{
    return isnan(d) ? 0 : d < 0 ? lo : hi;
}

static uint64_t sat_u(double d, uint64_t hi)
{
    return isnan(d) || d < 0 ? 0 : hi;
}

static void check_double(double d)
{
    uint64_t b = bits_of(d);
    /* C's casts where the truncated value fits, the saturation elsewhere */
    int64_t l = d > -0x1p63 - 1 && d < 0x1p63 ? (int64_t)d : sat_s(d, INT64_MIN, INT64_MAX);
    if (d == -0x1p63) l = INT64_MIN;
    uint64_t ul = d > -1.0 && d < 0x1p64 ? (uint64_t)d : sat_u(d, UINT64_MAX);
    int32_t i = d > -0x1p31 - 1 && d < 0x1p31 ? (int32_t)d : (int32_t)sat_s(d, INT32_MIN, INT32_MAX);
    uint32_t ui = d > -1.0 && d < 0x1p32 ? (uint32_t)d : (uint32_t)sat_u(d, UINT32_MAX);
    if (fw___aeabi_d2lz(d) != l)
        fail_msg("d2lz(%a / %#llx) = %lld, want %lld", d, (unsigned long long)b,
                 (long long)fw___aeabi_d2lz(d), (long long)l);
    if (fw___aeabi_d2ulz(d) != ul)
        fail_msg("d2ulz(%a) = %llu, want %llu", d, (unsigned long long)fw___aeabi_d2ulz(d),
                 (unsigned long long)ul);
    if (fw___aeabi_d2iz(d) != i) fail_msg("d2iz(%a) = %d, want %d", d, fw___aeabi_d2iz(d), i);
    if (fw___aeabi_d2uiz(d) != ui) fail_msg("d2uiz(%a) = %u, want %u", d, fw___aeabi_d2uiz(d), ui);
}

static void test_from_double(void **state)
{
    (void)state;
    static const double edge[] = {
        0.0, -0.0, 0x1p-1074, -0x1p-1074, 0.5, -0.5, 0.99999999999999989, -0.99999999999999989,
        1.0, -1.0, 1.5, -1.5, 0x1p52, 0x1p52 + 1, 0x1p53, 0x1p63, -0x1p63, 0x1p63 - 1024,
        -0x1p63 - 2048, 0x1p64, 0x1p64 - 2048, 0x1p31, -0x1p31, 0x1p31 - 0.5, -0x1p31 - 0.5,
        -0x1p31 - 1, 0x1p32, 0x1p32 - 0.5, 4294967295.5, 1e300, -1e300, INFINITY, -INFINITY, NAN,
        -NAN,
    };
    for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++) check_double(edge[i]);
    for (int it = 0; it < 4000000; it++) {
        double d;
        switch (rndn(4)) {
        case 0: { /* any bit pattern */
            uint64_t b = rnd64();
            memcpy(&d, &b, sizeof d);
            break;
        }
        case 1: /* every exponent the conversions cut at, both signs */
            d = ldexp((double)(rnd64() >> 11) / 0x1p53 + 1.0, (int)rndn(70) - 3) * (rndn(2) ? 1 : -1);
            break;
        case 2: /* near an integer */
            d = nextafter((double)(int64_t)rnd_len(rndn(64)), rndn(2) ? INFINITY : -INFINITY);
            break;
        default: /* near the types' ends */
            d = ldexp(1.0, (int)(rndn(2) ? 31 + rndn(2) : 63 + rndn(2))) * (rndn(2) ? 1 : -1);
            d = rndn(3) ? nextafter(d, rndn(2) ? INFINITY : -INFINITY) : d;
        }
        check_double(d);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_to_double),
        cmocka_unit_test(test_from_double),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
