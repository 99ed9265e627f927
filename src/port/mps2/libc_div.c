/*
** libc_div.c -- 64-bit division on the board: the run-time ABI's
** __aeabi_uldivmod and __aeabi_ldivmod, small versions instead of libgcc's.
**
** Why: the Cortex-M3 divides 32 bits in hardware (UDIV) but not 64, so GCC
** turns every 64-bit / and % (int64 formatting, splitting times into days
** and seconds, task and timer arithmetic) into a call to these two. libgcc's
** pair costs ~900 bytes of flash: the two entry points (~210 bytes) and
** __udivmoddi4 (~700 bytes, a long-division by 32-bit digits tuned for
** speed). Here a shift-subtract loop, a sign wrapper and two 18-byte entry
** points take ~230 bytes (check: the map's "Archive member included" list
** has no _aeabi_uldivmod, _aeabi_ldivmod, _udivmoddi4 or _dvmd_tls; the
** symbols are defined by this object, so the linker never looks for them in
** libgcc, and newlib's members that call them get these too).
**
** Speed: when dividend and divisor both fit 32 bits (most times in seconds,
** most numbers printed) the hardware's UDIV divides; else the loop runs 64
** rounds of ~12 instructions, ~1000 cycles (40 us at the board's 25 MHz)
** where libgcc's takes a few hundred. Skipping the dividend's leading zeros
** (CLZ and a 64-bit shift) would cost 22-34 more bytes for at most half of
** that. The node divides a few times per request or per printed number,
** never per byte of a data path.
**
** Results as the C operators give them: the quotient truncated toward zero,
** the remainder with the sign of the dividend; INT64_MIN / -1 does not trap
** (its quotient wraps to INT64_MIN, remainder 0, as libgcc's). A zero
** divisor (the node never divides by zero; the RTABI leaves the result to
** the implementation) gives libgcc's values, without its call to
** __aeabi_ldiv0: unsigned quotient UINT64_MAX, signed INT64_MAX or INT64_MIN
** by the dividend's sign, 0 for 0 / 0; remainder 0.
**
** ND_LIBC_NAME (tests/unit/test_fw_div.c, as in libc_num.c): defined, the
** file is compiled on the host for its test -- only the C routines (their
** nd_ names clash with nothing there), without the ARM entry points.
*/
#include <stdint.h>

/* Not static: the entry points' assembly calls them by name (used: LTO sees
   no call from C and would drop them; noinline: nd_sdivmod64 calls the
   unsigned one, which LTO would otherwise copy into it, two copies). */
uint64_t nd_udivmod64(uint64_t n, uint64_t d, uint64_t *rem) __attribute__((used, noinline));
int64_t nd_sdivmod64(int64_t n, int64_t d, int64_t *rem) __attribute__((used));

/* n / d, *rem = n % d */
uint64_t nd_udivmod64(uint64_t n, uint64_t d, uint64_t *rem)
{
    uint64_t q = 0, r = 0;
    if (d == 0) {
        q = -(uint64_t)(n != 0); /* libgcc's saturation */
    } else if (((n | d) >> 32) == 0) {
        /* both fit 32 bits: the hardware's UDIV */
        q = (uint32_t)n / (uint32_t)d;
        r = (uint32_t)n - (uint32_t)q * (uint32_t)d;
    } else {
        /* restoring division, one quotient bit per round from the top: the
           next bit of n (shifted out of q, which fills with the quotient)
           joins the remainder r; where d fits into r, it is subtracted and
           the bit is 1. r never loses a bit in the shift: before round i it
           is below 2^i (n's top i bits at most), so below 2^63. */
        q = n;
        for (int i = 64; i--;) {
            r = r << 1 | q >> 63;
            q <<= 1;
            if (r >= d) {
                r -= d;
                q |= 1;
            }
        }
    }
    *rem = r;
    return q;
}

/* the same, signed: the magnitudes divided (INT64_MIN's, 2^63, is exact in
   uint64_t), the quotient negative when the signs differ, the remainder
   with the sign of n. INT64_MIN / -1: the quotient 2^63 converts back to
   INT64_MIN (GCC's conversion is modulo 2^64). */
int64_t nd_sdivmod64(int64_t n, int64_t d, int64_t *rem)
{
    uint64_t r, q = nd_udivmod64(n < 0 ? -(uint64_t)n : (uint64_t)n,
                                 d < 0 ? -(uint64_t)d : (uint64_t)d, &r);
    /* a zero divisor: UINT64_MAX (0 for 0 / 0) becomes INT64_MAX, or
       INT64_MAX + 1 for n < 0, which the negation below keeps as INT64_MIN */
    if (d == 0) q = (q >> 1) + (n < 0);
    *rem = (int64_t)(n < 0 ? -r : r);
    return (int64_t)((n < 0) != (d < 0) ? -q : q);
}

#ifndef ND_LIBC_NAME
/* The RTABI returns both results in registers, the quotient in r0:r1 and
   the remainder in r2:r3, which no C function can do. So each entry point
   is a few instructions of Thumb-2 (naked: no prologue of the compiler's)
   around its C routine: n is already in r0:r1 and d in r2:r3, the routine's
   first two arguments; its third, the remainder's address, goes on the
   stack, pointing at an 8-byte slot below it, which is popped into r2:r3
   after the call (the quotient is already in r0:r1). r4 is saved first,
   being used; each push is of two registers (r5 in the second only fills
   the word beside the argument), so the stack stays 8-byte aligned, as the
   AAPCS asks at a call.
   used: GCC emits the calls to these after LTO, which would drop them. */
#define ND_DIVMOD_ENTRY(routine)                                                       \
    __asm__("push  {r4, lr}\n\t"                                                       \
            "sub   sp, #8\n\t"   /* the remainder's slot */                            \
            "mov   r4, sp\n\t"                                                         \
            "push  {r4, r5}\n\t" /* the 3rd argument: the slot's address */            \
            "bl    " #routine "\n\t"                                                   \
            "add   sp, #8\n\t"                                                         \
            "pop   {r2, r3}\n\t" /* the remainder */                                   \
            "pop   {r4, pc}")

__attribute__((naked, used)) void __aeabi_uldivmod(void)
{
    ND_DIVMOD_ENTRY(nd_udivmod64);
}

__attribute__((naked, used)) void __aeabi_ldivmod(void)
{
    ND_DIVMOD_ENTRY(nd_sdivmod64);
}
#endif
