/*
** libc_num.c -- the C library's strtol family, atoi, qsort and errno on the
** board, small versions instead of newlib's.
**
** Why: newlib has one converter per type (_strtol_l, _strtoul_l, _strtoll_l:
** ~1.1 KB together) that reads errno through the reentrancy struct, and a
** quicksort with median-of-3 and an insertion-sort cut-off (~1.5 KB). Its
** __errno returns _impure_ptr->_errno, which links impure_data: 1 KB of
** .data (flash for its initial value, RAM for the copy) for a struct of
** stdio and locale state this firmware never uses. Here one converter
** serves all four strto* functions, qsort is a heapsort of ~100 bytes and
** errno is a plain int (check: the map's "Archive member included" list has
** no lib_a-strtol, lib_a-strtoul, lib_a-strtoll, lib_a-qsort, lib_a-errno,
** lib_a-impure).
**
** The conversions follow C: leading white space, a sign, base 0 (prefix
** 0x/0X: 16, 0: 8, else 10) or 2..36 (16 also takes the 0x prefix; "0x"
** without a hex digit after it is the number 0 ending before the x), the
** value clamped to the type's range with errno = ERANGE, the end pointer at
** nptr when there are no digits, and an unsigned conversion of "-n" is the
** negated value (strtoul("-1") is ULONG_MAX). A base outside 0, 2..36 sets
** errno = EINVAL and converts nothing. "0b" prefixes (C23) are not taken.
**
** qsort is a heapsort: no recursion and no stack that grows with n, O(n log n)
** compares in every case; not stable (C does not ask it to be). The core
** sorts arrays of a few dozen elements, where its extra compares over a
** quicksort cost nothing noticeable.
**
** ND_LIBC_NAME(x) (tests/unit/test_fw_libc.c) renames the functions so the
** host test can run them next to glibc's; errno is then the host's.
*/
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>

#ifndef ND_LIBC_NAME
#define ND_LIBC_NAME(x) x /* the board: the C library's own names */

/* newlib's errno.h reads errno as *__errno() */
static int nd_errno;
int *__errno(void)
{
    return &nd_errno;
}
#endif

/* ---- strto* ----------------------------------------------------------------- */

/* the value of c as a digit in any base up to 36; 36 or more: not a digit */
static unsigned digit(unsigned c)
{
    if (c - '0' < 10) return c - '0';
    c |= 0x20; /* 'A'..'Z' to 'a'..'z'; no other byte lands in 'a'..'z' */
    if (c - 'a' < 26) return c - 'a' + 10;
    return 36;
}

/* The number at nptr as the bits of the result type, for all four strto*:
   max is the type's largest value; sgn says whether the type is signed, so
   a negative value may reach max + 1 in magnitude. The magnitude is read in
   unsigned long long, the widest type; past the limit the digits are still
   consumed (the end pointer goes past all of them, as C says). */
static unsigned long long conv(const char *nptr, char **end, int base, unsigned long long max,
                               int sgn)
{
    const unsigned char *s = (const unsigned char *)nptr;
    unsigned long long acc = 0;
    int neg = 0, any = 0, over = 0;
    if (base < 0 || base == 1 || base > 36) {
        errno = EINVAL;
        goto out;
    }
    while (*s == ' ' || (unsigned)(*s - '\t') < 5) s++; /* C locale isspace */
    if (*s == '-' || *s == '+') neg = *s++ == '-';
    /* 0x counts as a prefix only when a hex digit follows: else "0" is the
       number and the end pointer stops at the x */
    if ((base == 0 || base == 16) && s[0] == '0' && (s[1] | 0x20) == 'x' && digit(s[2]) < 16) {
        s += 2;
        base = 16;
    } else if (base == 0) {
        base = *s == '0' ? 8 : 10;
    }
    unsigned long long lim = max + (unsigned)(neg & sgn);
    for (unsigned d; (d = digit(*s)) < (unsigned)base; s++) {
        any = 1;
        if (__builtin_mul_overflow(acc, (unsigned)base, &acc) ||
            __builtin_add_overflow(acc, d, &acc) || acc > lim)
            over = 1;
    }
    if (over) {
        errno = ERANGE;
        acc = lim;
        neg &= sgn; /* an unsigned overflow is the type's max, even for "-" */
    }
out:
    if (end) *end = (char *)(any ? (const char *)s : nptr);
    return neg ? -acc : acc; /* unsigned negation: wraps as C's conversion says */
}

/* the unsigned long long result converted to the signed type is the value
   modulo 2^N (GCC's implementation-defined conversion), i.e. the negative
   number for a negated magnitude */
long ND_LIBC_NAME(strtol)(const char *restrict s, char **restrict end, int base)
{
    return (long)conv(s, end, base, LONG_MAX, 1);
}

unsigned long ND_LIBC_NAME(strtoul)(const char *restrict s, char **restrict end, int base)
{
    return (unsigned long)conv(s, end, base, ULONG_MAX, 0);
}

long long ND_LIBC_NAME(strtoll)(const char *restrict s, char **restrict end, int base)
{
    return (long long)conv(s, end, base, LLONG_MAX, 1);
}

unsigned long long ND_LIBC_NAME(strtoull)(const char *restrict s, char **restrict end, int base)
{
    return conv(s, end, base, ULLONG_MAX, 0);
}

/* C leaves atoi's overflow undefined; this one gives strtol's value cut to int */
int ND_LIBC_NAME(atoi)(const char *s)
{
    return (int)conv(s, NULL, 10, LONG_MAX, 1);
}

/* ---- qsort ------------------------------------------------------------------ */

static void swap(char *a, char *b, size_t size)
{
    while (size--) {
        char t = *a;
        *a++ = *b;
        *b++ = t;
    }
}

/* Heapsort in one loop: first i walks down from the last parent, sifting
   each into a max-heap over [0, n); then each round swaps the largest (the
   root) to the end of the heap, shrinks the heap by one and sifts the new
   root down. */
void ND_LIBC_NAME(qsort)(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    char *b = base;
    size_t i = n / 2, end = n;
    for (;;) {
        if (i > 0) {
            i--;
        } else if (end > 1) {
            end--;
            swap(b, b + end * size, size);
        } else {
            return;
        }
        for (size_t r = i, c; (c = 2 * r + 1) < end; r = c) {
            if (c + 1 < end && cmp(b + c * size, b + (c + 1) * size) < 0) c++;
            if (cmp(b + r * size, b + c * size) >= 0) break;
            swap(b + r * size, b + c * size, size);
        }
    }
}
