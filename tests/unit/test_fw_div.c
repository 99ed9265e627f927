/*
** test_fw_div.c -- the firmware's 64-bit division (src/port/mps2/
** libc_div.c), its C routines compiled here (ND_LIBC_NAME: without the ARM
** entry points) and compared with the host's own / and %: the edges (0, 1,
** -1, powers of two and their neighbours, INT64_MIN, INT64_MAX, UINT64_MAX)
** against each other, then millions of seeded random pairs drawn from every
** size class (a dividend and a divisor of 1..64 significant bits each, so
** the divisor is as often larger as smaller; near-equal pairs; multiples of
** the divisor plus or minus a little, where a quotient bit is decided by
** the last compare), unsigned and signed with every sign combination. The
** zero divisor, which C leaves undefined, is checked against the values the
** file documents (libgcc's). A failure prints its operands.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>

#define ND_LIBC_NAME(x) fw_##x /* the host: the C routines only (nd_ names: no clash) */
#include "../../src/port/mps2/libc_div.c"

#define ND_XORSHIFT_SEED 0x9e3779b97f4a7c15ull
#include "xorshift.h"

static uint64_t rnd64(void)
{
    rndn(1); /* steps the generator */
    return rng;
}

/* a number with exactly `bits` significant bits (0: the number 0), its low
   bits random, or often all ones / all zeros (carries, borrows, exact fits) */
static uint64_t rnd_bits(unsigned bits)
{
    if (bits == 0) return 0;
    uint64_t top = 1ull << (bits - 1), low;
    switch (rndn(6)) {
    case 0: low = 0; break;               /* a power of two */
    case 1: low = top - 1; break;         /* 2^bits - 1 */
    default: low = rnd64() & (top - 1); break;
    }
    return top | low;
}

/* one unsigned pair against the host's operators */
static void check_u(uint64_t n, uint64_t d)
{
    uint64_t r = 0x5a5a5a5a5a5a5a5aull;
    uint64_t q = nd_udivmod64(n, d, &r);
    if (q != n / d || r != n % d)
        fail_msg("unsigned %#llx / %#llx: fw q %#llx r %#llx, want q %#llx r %#llx",
                 (unsigned long long)n, (unsigned long long)d, (unsigned long long)q,
                 (unsigned long long)r, (unsigned long long)(n / d), (unsigned long long)(n % d));
}

/* one signed pair; INT64_MIN / -1 overflows in C (the host traps): its
   quotient wraps to INT64_MIN, remainder 0, as on the board */
static void check_s(int64_t n, int64_t d)
{
    int64_t r = 0x5a5a5a5a5a5a5a5a;
    int64_t q = nd_sdivmod64(n, d, &r);
    int64_t wq = n == INT64_MIN && d == -1 ? INT64_MIN : n / d;
    int64_t wr = n == INT64_MIN && d == -1 ? 0 : n % d;
    if (q != wq || r != wr)
        fail_msg("signed %lld / %lld: fw q %lld r %lld, want q %lld r %lld", (long long)n,
                 (long long)d, (long long)q, (long long)r, (long long)wq, (long long)wr);
}

static void check_both(uint64_t n, uint64_t d)
{
    if (d == 0) return;
    check_u(n, d);
    check_s((int64_t)n, (int64_t)d);
}

static void test_div_edges(void **state)
{
    (void)state;
    /* every power of two and its neighbours, and the signed limits */
    uint64_t e[64 * 3 + 8];
    size_t k = 0;
    for (unsigned b = 0; b < 64; b++) {
        e[k++] = 1ull << b;
        e[k++] = (1ull << b) - 1;
        e[k++] = (1ull << b) + 1;
    }
    const uint64_t more[] = {UINT64_MAX, UINT64_MAX - 1, (uint64_t)INT64_MAX, (uint64_t)INT64_MIN,
                             (uint64_t)INT64_MIN + 1, 10, 1000, 86400};
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++) e[k++] = more[i];
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < k; j++) {
            check_both(e[i], e[j]);
            check_both(-e[i], e[j]);
            check_both(e[i], -e[j]);
            check_both(-e[i], -e[j]);
        }

    check_s(INT64_MIN, -1);
    check_s(INT64_MIN, 1);
    check_s(INT64_MIN, INT64_MIN);
    check_s(INT64_MAX, INT64_MIN);
    check_s(-7, 2); /* truncation toward zero: -3 r -1 */
    int64_t sr;
    assert_int_equal(nd_sdivmod64(-7, 2, &sr), -3);
    assert_int_equal(sr, -1);
    assert_int_equal(nd_sdivmod64(7, -2, &sr), -3);
    assert_int_equal(sr, 1);

    /* the zero divisor: libgcc's saturated quotients, remainder 0 */
    uint64_t r = 1;
    assert_true(nd_udivmod64(5, 0, &r) == UINT64_MAX && r == 0);
    r = 1;
    assert_true(nd_udivmod64(UINT64_MAX, 0, &r) == UINT64_MAX && r == 0);
    r = 1;
    assert_true(nd_udivmod64(0, 0, &r) == 0 && r == 0);
    static const int64_t sn[] = {5, INT64_MAX, -5, INT64_MIN, 0};
    static const int64_t sq[] = {INT64_MAX, INT64_MAX, INT64_MIN, INT64_MIN, 0};
    for (int i = 0; i < 5; i++) {
        sr = 1;
        int64_t q = nd_sdivmod64(sn[i], 0, &sr);
        if (q != sq[i] || sr != 0)
            fail_msg("signed %lld / 0: fw q %lld r %lld, want q %lld r 0", (long long)sn[i],
                     (long long)q, (long long)sr, (long long)sq[i]);
    }
}

static void test_div_random(void **state)
{
    (void)state;
    for (long it = 0; it < 4000000; it++) {
        uint64_t n = rnd_bits(rndn(65)), d;
        switch (rndn(5)) {
        case 0: /* near-equal */
            d = n + (uint64_t)((int)rndn(7) - 3);
            break;
        case 1: /* n is a multiple of d, give or take a little */
            d = rnd_bits(1 + rndn(64));
            n = d * rnd_bits(rndn(65)) + (uint64_t)((int)rndn(5) - 2);
            break;
        case 2: /* a small divisor: the printed digits, seconds in a day */
            d = rndn(4) ? 1 + rndn(100) : (uint64_t[]){10, 60, 1000, 3600, 86400, 1000000}[rndn(6)];
            break;
        default: /* any size class against any other */
            d = rnd_bits(1 + rndn(64));
            break;
        }
        if (rndn(4) == 0) n = -n; /* negative dividends and divisors for the signed check */
        if (rndn(4) == 0) d = -d;
        check_both(n, d);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_div_edges),
        cmocka_unit_test(test_div_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
