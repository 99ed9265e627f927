/*
** xorshift.h -- the seeded random numbers of the firmware's host tests
** (test_fw_heap.c, test_fw_libc.c): Marsaglia's xorshift64, one generator
** per test file, its seed chosen by the file (ND_XORSHIFT_SEED) so that a
** failure is reproducible and the state (`rng`) can be printed with it.
*/
#ifndef ND_XORSHIFT_H
#define ND_XORSHIFT_H

#include <stdint.h>

static uint64_t rng = ND_XORSHIFT_SEED;

/* a number in [0, n) */
static unsigned rndn(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

#endif
