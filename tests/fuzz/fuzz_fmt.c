/*
** fuzz_fmt.c -- libFuzzer differential target for src/core/fmt.c, the
** firmware's printf and strtod, against glibc.
**
** Each input is read as a string by nd_strtod and glibc's strtod: value bits
** (for NaN: NaN-ness and sign), end pointer and errno must agree. The value is
** then printed with the formats the code uses and one whose flags, width,
** precision and conversion come from the input's first bytes; the input's
** first 8 bytes are printed as integers with every length modifier. Output
** and return value must equal glibc's, also into a buffer cut short.
** abort() on any difference, so the fuzzer reports it.
**
** Build: clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc/core \
**   src/core/fmt.c tests/fuzz/fuzz_fmt.c -lm
*/
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"

#define ND_OUT 1400
static size_t cut; /* output buffer size given to both */

static void same(const char *fmt, ...)
{
    static char a[ND_OUT], b[ND_OUT];
    va_list ap, aq;
    va_start(ap, fmt);
    va_copy(aq, ap);
    memset(a, 'Z', sizeof a);
    memset(b, 'Z', sizeof b);
    int ra = nd_vsnprintf(a, cut, fmt, ap);
    int rb = vsnprintf(b, cut, fmt, aq);
    va_end(aq);
    va_end(ap);
    if (ra != rb || memcmp(a, b, sizeof a) != 0) {
        fprintf(stderr, "format \"%s\" n=%zu: nd %d \"%.300s\" glibc %d \"%.300s\"\n", fmt, cut,
                ra, cut ? a : "", rb, cut ? b : "");
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char s[4097];
    if (size > 4096) size = 4096;
    memcpy(s, data, size);
    s[size] = 0;

    char *ea, *eb;
    errno = 0;
    double a = nd_strtod(s, &ea);
    int xa = errno;
    errno = 0;
    double b = strtod(s, &eb);
    int xb = errno;
    uint64_t ba, bb;
    memcpy(&ba, &a, sizeof ba);
    memcpy(&bb, &b, sizeof bb);
    /* NaN: no payload, and glibc's errno leaks from reading "nan(chars)" as
       a number (ERANGE when they overflow 64 bits): not compared */
    int ok = isnan(a) ? isnan(b) && signbit(a) == signbit(b) : ba == bb && xa == xb;
    if (!ok || ea != eb) {
        fprintf(stderr, "strtod(\"%.300s\"): nd %a +%td errno %d, glibc %a +%td errno %d\n", s, a,
                ea - s, xa, b, eb - s, xb);
        abort();
    }

    uint8_t k[8] = {0};
    memcpy(k, data, size < 8 ? size : 8);
    cut = k[7] < 32 ? k[7] % 12 : ND_OUT;
    static const char *fixed[] = {"%.17g", "%g", "%.1f", "%.2f", "%.3f", "%.0f",
                                  "%.4g",  "%.10g", "%.16e", "%e",  "%f"};
    same(fixed[k[0] % (sizeof fixed / sizeof fixed[0])], a);
    /* "%<flags><width>.<prec><conv>" from the input; no %#g (glibc 2.36 drops
       the zeros C requires when rounding carries into the e style) */
    char f[32];
    int fl = k[1] & 31, conv = "fFeEgG"[k[2] % 6];
    if ((conv | 32) == 'g') fl &= ~8;
    snprintf(f, sizeof f, "%%%s%s%s%s%s%d.%d%c", fl & 1 ? "-" : "", fl & 2 ? "+" : "",
             fl & 4 ? " " : "", fl & 8 ? "#" : "", fl & 16 ? "0" : "", k[3] % 40, k[4] % 60, conv);
    same(f, a);
    same("%.*e|%*.*g", k[5] % 40, a, k[6] % 30 - 10, k[4] % 20, a);

    uint64_t u;
    memcpy(&u, k, sizeof u);
    same("%lld|%llx|%#llo|%+.3lld|%-20llu|", (long long)u, (unsigned long long)u,
         (unsigned long long)u, (long long)u, (unsigned long long)u);
    same("%zu|%zd|%jd|%td|%hhd|%hhu|%hd|%#hx|%ld|%lu|%d|%05i|%.0u|% d", (size_t)u, (ptrdiff_t)u,
         (intmax_t)u, (ptrdiff_t)u, (int)u, (int)u, (int)u, (int)u, (long)u, (unsigned long)u,
         (int)u, (int)u, (unsigned)(u >> 40), (int)(u >> 20));
    same("%.*s|%-*s|%c|%%", (int)(k[3] % 20), s, (int)(k[4] % 20), s, k[5] ? k[5] : 'x');
    return 0;
}
