/*
** fmt.h -- nodus's own printf formatter and decimal parser.
**
** The firmware's C library (newlib) prints C99 length modifiers (%zu, %jd,
** %hhu) wrongly and its printf/scanf/strtod/dtoa machinery costs ~30 KB of
** flash. These are small, portable replacements with glibc's output: the
** firmware routes snprintf/vsnprintf/strtod to them (src/port/mps2/libc_fmt.c);
** on Linux they are tested against glibc (tests/unit/test_fmt.c, fuzz_fmt.c).
**
** nd_vsnprintf: C99 snprintf. Flags -+ #0, width and precision (also *),
** lengths hh h l ll z j t, conversions d i u o x X c s p % f F e E g G.
** Floats are printed from their exact decimal expansion, rounded half-even
** like glibc. Not supported: %n (its argument is skipped), %a, L.
** Returns the length the whole output has (even when cut); writes at most
** n bytes, always NUL-terminated when n > 0.
**
** nd_strtod: C99 strtod for the "C" locale, correctly rounded for any number
** of digits; ERANGE on overflow and on inexact tiny (subnormal or zero)
** results, like glibc. NaN payloads from "nan(chars)" are not kept (nor is
** the ERANGE glibc leaves when those chars overflow a 64-bit number).
**
** nd_decimal (nodus/value.h, for modules too) is written here: it is
** strtod's long division.
*/
#ifndef ND_FMT_H
#define ND_FMT_H

#include <stdarg.h>
#include <stddef.h>

int nd_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap);
int nd_snprintf(char *buf, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
double nd_strtod(const char *s, char **end);

#endif
