/*
** libc_fmt.c -- the C library's formatting and number parsing on the board,
** from nodus's own src/core/fmt.c instead of newlib's.
**
** Why: newlib (Debian's build) prints C99 length modifiers (%zu, %jd, %hhu)
** wrongly, and its snprintf/strtod bring svfprintf, dtoa, mprec, gethex and
** the FILE machinery: ~30 KB of flash. Defined here, these symbols satisfy
** every reference before the linker looks in libc.a, so none of that is
** linked (check: the map's "Archive member included" list has no
** lib_a-svfprintf / lib_a-dtoa / lib_a-strtod / lib_a-svfscanf).
**
** sscanf: the one caller left in the image is cJSON's print_number, which
** reads back its "%1.15g" with "%lg" to see whether 15 digits round-trip.
** newlib's would bring the whole scanf (svfscanf, svfiscanf: ~8 KB) and
** strtod again, so this sscanf knows only what is needed: white space,
** literal characters, %lg/%lf/%le (double), %d (int), %%. Anything else
** stops the scan there (the count so far is returned), never a guess.
*/
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "fmt.h"

int vsnprintf(char *restrict buf, size_t n, const char *restrict fmt, va_list ap)
{
    return nd_vsnprintf(buf, n, fmt, ap);
}

int snprintf(char *restrict buf, size_t n, const char *restrict fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = nd_vsnprintf(buf, n, fmt, ap);
    va_end(ap);
    return r;
}

/* sprintf has no bound: the caller sized buf (as C says); INT_MAX is the
   most a printf-family function can report */
int vsprintf(char *restrict buf, const char *restrict fmt, va_list ap)
{
    return nd_vsnprintf(buf, INT_MAX, fmt, ap);
}

int sprintf(char *restrict buf, const char *restrict fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = nd_vsnprintf(buf, INT_MAX, fmt, ap);
    va_end(ap);
    return r;
}

double strtod(const char *restrict s, char **restrict end)
{
    return nd_strtod(s, end);
}

int sscanf(const char *restrict s, const char *restrict fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int got = 0;
    for (; *fmt; fmt++) {
        if (*fmt == ' ' || (*fmt >= '\t' && *fmt <= '\r')) {
            while (*s == ' ' || (*s >= '\t' && *s <= '\r')) s++;
            continue;
        }
        if (*fmt != '%' || fmt[1] == '%') {
            fmt += *fmt == '%';
            if (*s != *fmt) break;
            s++;
            continue;
        }
        char *end;
        if (fmt[1] == 'l' && (fmt[2] == 'g' || fmt[2] == 'f' || fmt[2] == 'e')) {
            double d = nd_strtod(s, &end);
            if (end == s) break;
            *va_arg(ap, double *) = d;
            fmt += 2;
        } else if (fmt[1] == 'd') {
            long v = strtol(s, &end, 10);
            if (end == s) break;
            *va_arg(ap, int *) = (int)v;
            fmt += 1;
        } else
            break;
        s = end;
        got++;
    }
    va_end(ap);
    /* C: EOF when the input ends before the first conversion */
    return !got && !*s ? EOF : got;
}
