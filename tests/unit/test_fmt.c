/*
** test_fmt.c -- nd_vsnprintf / nd_strtod (src/core/fmt.c), the firmware's
** printf, strtod and nd_decimal: a table of edge cases with written-out answers, then
** differential loops against glibc's snprintf and strtod (random bit patterns
** incl. subnormals, inf, nan; exact halfway points of two doubles; long digit
** strings; hex floats; garbage), comparing text, return value, value bits,
** errno and end pointer. The generator is seeded: a failure is reproducible
** and prints its input.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "nodus/port.h"
#include "nodus/value.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static unsigned rndn(unsigned n)
{
    return (unsigned)(rnd() % n);
}

static double bits_d(uint64_t b)
{
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

static uint64_t d_bits(double d)
{
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    return b;
}

/* both formatters into 1 KB buffers (and once more cut short), compared */
static void same(size_t n, const char *fmt, ...)
{
    char a[1200], b[1200];
    va_list ap, aq;
    va_start(ap, fmt);
    va_copy(aq, ap);
    if (n > sizeof a) n = sizeof a;
    memset(a, 'Z', sizeof a);
    memset(b, 'Z', sizeof b);
    int ra = nd_vsnprintf(a, n, fmt, ap);
    int rb = vsnprintf(b, n, fmt, aq);
    va_end(aq);
    va_end(ap);
    if (ra != rb || memcmp(a, b, sizeof a) != 0) {
        fail_msg("format \"%s\" n=%zu: nd %d \"%.200s\", glibc %d \"%.200s\"", fmt, n, ra,
                 n ? a : "", rb, n ? b : "");
    }
}

static size_t rand_n(void)
{
    return rndn(8) == 0 ? rndn(12) : 1200;
}

/* ---- table ------------------------------------------------------------------ */
static void expect(const char *want, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int r = nd_vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (strcmp(buf, want) != 0 || r != (int)strlen(want))
        fail_msg("format \"%s\": got \"%s\" (%d), want \"%s\"", fmt, buf, r, want);
}

static void test_table(void **state)
{
    expect("42 -7 +5  3 0x1f 0X1F 017 0", "%d %i %+d % d %#x %#X %#o %#x", 42, -7, 5, 3, 31, 31,
           15, 0);
    expect("18446744073709551615 ffffffffffffffff", "%llu %llx", ~0ull, ~0ull);
    expect("-9223372036854775808", "%lld", (long long)INT64_MIN);
    expect("4294967295 -1 255 -1 65535", "%zu %zd %hhu %hhd %hu", (size_t)4294967295u,
           (ptrdiff_t)-1, 511, 255, 0x1ffff);
    expect("123 -5 7", "%jd %td %ju", (intmax_t)123, (ptrdiff_t)-5, (uintmax_t)7);
    expect("[  -42] [-42  ] [-0042] [   42] [  042]", "[%5d] [%-5d] [%05d] [%05.0d] [%5.3d]", -42,
           -42, -42, 42, 42);
    expect("[] [0] [   ]", "[%.0d] [%#.0o] [%3.0x]", 0, 0, 0);
    expect("[abc] [  abc] [ab   ] [(null)] [] [%]", "[%s] [%5s] [%-5.2s] [%s] [%.3s] [%%]", "abc",
           "abc", "abc", (char *)NULL, (char *)NULL);
    expect("[   xy] [x]", "[%*.*s] [%c]", 5, 2, "xyz", 'x');
    expect("[xy   ]", "[%*s]", -5, "xy");
    expect("(nil) 0x10", "%p %p", (void *)0, (void *)16);
    /* floats: exact binary value, rounded half-even */
    expect("0 2 2 4 0.1 0.12", "%.0f %.0f %.0f %.0f %.1f %.2f", 0.5, 1.5, 2.5, 3.5, 0.125, 0.125);
    expect("0.10000000000000000555", "%.20f", 0.1);
    expect("0.10000000000000001 1e+23 9.9999999999999992e+22", "%.17g %g %.17g", 0.1, 1e23, 1e23);
    expect("9007199254740992 99999999999999991611392.000000", "%.0f %f", 9007199254740993.0, 1e23);
    expect("4.940656e-324 2.225073858507201e-308", "%e %.15e", 4.9406564584124654e-324,
           2.2250738585072009e-308);
    expect("inf -inf nan INF  -inf", "%f %e %g %F %5.1f", INFINITY, -INFINITY, NAN, INFINITY,
           -INFINITY);
    expect("-0.000000 -0 0.000000e+00 0", "%f %g %e %g", -0.0, -0.0, 0.0, 0.0);
    expect("100000 1e+06 0.0001 1e-05 1.0000e+06 1. 1.00e+03 100.", "%g %g %g %g %#.5g %#.0f %#.3g %#.3g",
           1e5, 1e6, 1e-4, 1e-5, 1e6, 1.0, 999.5, 99.96);
    expect("+001.50 -1.5E+00 |3.14    |", "%+07.2f %.1E |%-8.2f|", 1.5, -1.5, 3.14159);
    expect("9.99e+99 1e+100 1.000000e+100", "%.3g %.3g %e", 9.99e99, 9.999e99, 1e100);
    char big[400];
    int r = nd_snprintf(big, sizeof big, "%f", 1e308);
    assert_int_equal(r, 316);
    assert_memory_equal(big, "10000000000000000109790636294404554174049230967731184633681068290315758540491", 77);
    /* cut output, C99 return value */
    char b4[4];
    assert_int_equal(nd_snprintf(b4, sizeof b4, "%s-%d", "abcdef", 12), 9);
    assert_string_equal(b4, "abc");
    assert_int_equal(nd_snprintf(NULL, 0, "%zu", (size_t)12345), 5);
}

static void strtod_is(const char *s, double want, long used, int err)
{
    char *end;
    errno = 0;
    double d = nd_strtod(s, &end);
    if (d_bits(d) != d_bits(want) || end - s != used || errno != err)
        fail_msg("nd_strtod(\"%s\") = %a end +%ld errno %d; want %a +%ld %d", s, d,
                 (long)(end - s), errno, want, used, err);
}

static void test_strtod_table(void **state)
{
    strtod_is("  -1.5e3x", -1500.0, 8, 0);
    strtod_is("0.1", 0.1, 3, 0);
    strtod_is("1e23", 1e23, 4, 0);
    strtod_is("9007199254740993", 9007199254740992.0, 16, 0);
    strtod_is("9007199254740993.0000000000000000000000000001", 9007199254740994.0, 45, 0);
    strtod_is("2.2250738585072011e-308", 2.2250738585072011e-308, 23, ERANGE);
    strtod_is("4.9406564584124654e-324", 4.9406564584124654e-324, 23, ERANGE);
    strtod_is("2.4703282292062327e-324", 0.0, 23, ERANGE);
    strtod_is("2.4703282292062328e-324", 4.9406564584124654e-324, 23, ERANGE);
    strtod_is("1.7976931348623157e308", DBL_MAX, 22, 0);
    strtod_is("1.7976931348623159e308", HUGE_VAL, 22, ERANGE);
    strtod_is("-1e99999999999999999999", -HUGE_VAL, 23, ERANGE);
    strtod_is("1e-99999999999999999999", 0.0, 23, ERANGE);
    strtod_is("0e99999", 0.0, 7, 0);
    strtod_is("0x1.8p3", 12.0, 7, 0);
    strtod_is("0x.1P-2", 0.015625, 7, 0);
    strtod_is("0x", 0.0, 1, 0);
    strtod_is("0x1p-1075", 0.0, 9, ERANGE);
    strtod_is("0x1p-1074", 4.9406564584124654e-324, 9, 0);
    strtod_is("1e", 1.0, 1, 0);
    strtod_is("1.e+", 1.0, 2, 0);
    strtod_is(".5", 0.5, 2, 0);
    strtod_is(".", 0.0, 0, 0);
    strtod_is("-", 0.0, 0, 0);
    strtod_is("abc", 0.0, 0, 0);
    strtod_is("-0", -0.0, 2, 0);
    strtod_is("INFinity", INFINITY, 8, 0);
    strtod_is("-infinit", -INFINITY, 4, 0);
    char *end;
    double n = nd_strtod("nan(0x1_a)z", &end);
    assert_true(isnan(n));
    assert_string_equal(end, "z");
    n = nd_strtod("-NaN(", &end);
    assert_true(isnan(n) && signbit(n));
    assert_string_equal(end, "(");
    /* 800 digits: the first ones sit on a halfway point, a 1 far behind
       decides (a cut without a sticky bit would round down) */
    char s[900];
    strcpy(s, "9007199254740993.");
    memset(s + 17, '0', 800);
    strcpy(s + 817, "1");
    strtod_is(s, 9007199254740994.0, 818, 0);
    s[817] = '0';
    strtod_is(s, 9007199254740992.0, 818, 0);
}

/* ---- differential ----------------------------------------------------------- */
static double rand_double(void)
{
    static const double special[] = {0.125, 2.5, 0.5, 1e23, 9007199254740993.0, 0.1, 1.0,
                                     DBL_MAX, DBL_MIN, 4.9406564584124654e-324, 1e308, 1e-308,
                                     123456789.0, 0.3, 5e-324, 1.5, 0.05, 0.005, 999.5, 9.5};
    switch (rndn(6)) {
    case 0: return bits_d(rnd());
    case 1: return bits_d(rnd() & 0x800fffffffffffffull); /* subnormal */
    case 2: return ldexp(1.0, (int)rndn(2098) - 1074) * (rndn(2) ? -1 : 1);
    case 3: return special[rndn(sizeof special / sizeof special[0])] * (rndn(2) ? -1 : 1);
    case 4: return (double)(int64_t)(rnd() >> rndn(64)) / (double)(1 << rndn(12)); /* halves */
    default: {
        char t[40];
        snprintf(t, sizeof t, "%.*e", (int)rndn(6), ldexp((double)(rnd() >> 11), (int)rndn(200) - 150));
        return strtod(t, NULL);
    }
    }
}

/* "%<flags><width><.prec><conv>" into f; *ws / *ps tell whether * is used */
static void rand_spec(char *f, const char *convs, const char *lenmod, int *ws, int *ps)
{
    *f++ = '%';
    for (int i = 0; i < 5; i++)
        if (!rndn(4)) *f++ = "-+ #0"[i];
    *ws = *ps = 0;
    switch (rndn(4)) {
    case 0: f += sprintf(f, "%u", rndn(30)); break;
    case 1: *f++ = '*'; *ws = 1; break;
    }
    switch (rndn(4)) {
    case 0: f += sprintf(f, ".%u", rndn(25)); break;
    case 1: f += sprintf(f, ".%u", rndn(2) ? 17 : rndn(60)); break;
    case 2: *f++ = '.'; *f++ = '*'; *ps = 1; break;
    }
    f += sprintf(f, "%s%c", lenmod, convs[rndn((unsigned)strlen(convs))]);
    *f = 0;
}

static void test_diff_float(void **state)
{
    char f[64];
    for (int it = 0; it < 150000; it++) {
        double v = rand_double();
        int ws, ps, w = (int)rndn(40) - 10, p = (int)rndn(40) - 2;
        if (rndn(3) == 0) {
            /* the formats the code uses */
            static const char *fixed[] = {"%.17g", "%g", "%.1f", "%.2f", "%.3f", "%.0f",
                                          "%.4g", "%.10g", "%.16e", "%e", "%f"};
            same(rand_n(), fixed[rndn(sizeof fixed / sizeof fixed[0])], v);
            snprintf(f, sizeof f, "%%.%ug", 1 + rndn(17));
            same(rand_n(), f, v);
            continue;
        }
        rand_spec(f, "fFeEgG", "", &ws, &ps);
        /* glibc 2.36 drops the zeros %#g must keep when rounding carries into
           the e style (%#.3g of 999.5: "1.e+03", C says "1.00e+03"); the
           code never uses %#g, nd_ follows C (table above) */
        if (strchr(f, '#') && (f[strlen(f) - 1] | 32) == 'g') continue;
        if (fabs(v) > 1e200 && strchr("fF", f[strlen(f) - 1]) && (ps ? p : 0) > 300) continue;
        size_t n = rand_n();
        if (ws && ps) same(n, f, w, p, v);
        else if (ws) same(n, f, w, v);
        else if (ps) same(n, f, p, v);
        else same(n, f, v);
    }
}

static void test_diff_int(void **state)
{
    static const char *mods[] = {"", "hh", "h", "l", "ll", "z", "j", "t"};
    char f[64];
    for (int it = 0; it < 150000; it++) {
        int m = (int)rndn(8), ws, ps, w = (int)rndn(40) - 10, p = (int)rndn(30) - 2;
        uint64_t r = rnd() >> rndn(64);
        if (rndn(2)) r = -r;
        rand_spec(f, "diuoxX", mods[m], &ws, &ps);
        size_t n = rand_n();
#define CALL(val)                                                                                  \
    do {                                                                                           \
        if (ws && ps) same(n, f, w, p, val);                                                       \
        else if (ws) same(n, f, w, val);                                                           \
        else if (ps) same(n, f, p, val);                                                           \
        else same(n, f, val);                                                                      \
    } while (0)
        switch (m) {
        case 0:
        case 1:
        case 2: CALL((int)r); break;
        case 3: CALL((long)r); break;
        case 4: CALL((long long)r); break;
        case 5: CALL((size_t)r); break;
        case 6: CALL((intmax_t)r); break;
        default: CALL((ptrdiff_t)r); break;
        }
    }
    /* strings, chars, pointers, percent */
    static const char *strs[] = {"", "a", "hello world", "node01 $ ", "x\ty"};
    for (int it = 0; it < 20000; it++) {
        int ws, ps, w = (int)rndn(30) - 10, p = (int)rndn(15) - 2;
        const char *s = strs[rndn(5)];
        size_t n = rand_n();
        rand_spec(f, "s", "", &ws, &ps);
        CALL(s);
        same(rand_n(), "%c|%-3c|%3c|%%|%p", 'a' + (int)rndn(26), 'q', 'z', (void *)(uintptr_t)rnd());
    }
#undef CALL
}

static void strtod_same(const char *s)
{
    char *ea, *eb;
    errno = 0;
    double a = nd_strtod(s, &ea);
    int xa = errno;
    errno = 0;
    double b = strtod(s, &eb);
    int xb = errno;
    /* NaN: no payload, and glibc's errno leaks from reading "nan(chars)" as
       a number (ERANGE past 64 bits): not compared */
    int ok = isnan(a) ? isnan(b) && signbit(a) == signbit(b) : d_bits(a) == d_bits(b) && xa == xb;
    if (!ok || ea != eb)
        fail_msg("strtod(\"%.300s\"): nd %a +%ld errno %d, glibc %a +%ld errno %d", s, a,
                 (long)(ea - s), xa, b, (long)(eb - s), xb);
}

static void test_diff_strtod(void **state)
{
    char s[1100];
    for (int it = 0; it < 80000; it++) {
        double v = fabs(rand_double());
        switch (rndn(7)) {
        case 0: /* shortest-ish and long round trips */
            snprintf(s, sizeof s, "%.*g", 1 + (int)rndn(25), v);
            break;
        case 1: { /* exact halfway point of v and the next double, maybe nudged */
            if (!isfinite(v) || v == DBL_MAX) v = 1.0;
            long double mid = ((long double)v + (long double)nextafter(v, INFINITY)) / 2;
            int k = snprintf(s, 900, "%.780Le", mid);
            char *e = strchr(s, 'e');
            char *last = e - 1;
            while (*last == '0') last--;
            memmove(last + 1, e, strlen(e) + 1); /* drop trailing zeros */
            switch (rndn(3)) {
            case 0: break;
            case 1: /* a digit more, after the halfway point */
                e = strchr(s, 'e');
                memmove(e + 3, e, strlen(e) + 1);
                memcpy(e, "001", 3);
                break;
            default: /* just below: cut the last digit off */
                e = strchr(s, 'e');
                if (e - s > 3) memmove(e - 1, e, strlen(e) + 1);
            }
            (void)k;
            break;
        }
        case 2: { /* long random digit strings with any exponent */
            int n = 1 + (int)rndn(rndn(4) ? 40 : 900), k = 0;
            if (rndn(3) == 0) k += sprintf(s, "0.%0*d", (int)rndn(20), 0);
            for (int i = 0; i < n; i++) s[k++] = (char)('0' + rndn(10));
            if (rndn(4) == 0) s[k++] = '.';
            for (int i = 0; i < n % 7; i++) s[k++] = (char)('0' + rndn(10));
            if (rndn(2)) k += sprintf(s + k, "e%d", (int)rndn(800) - 400 - n);
            s[k] = 0;
            break;
        }
        case 3: /* hex floats */
            snprintf(s, sizeof s, rndn(2) ? "%a" : "%.3A", v);
            if (rndn(2)) strcat(s, "ffffp-3");
            break;
        case 4: { /* spellings and garbage from a small alphabet */
            static const char *bits[] = {"inf", "INFINITY", "infin", "nan", "NaN(", "nan(a_9)",
                                         " ", "\t", "-", "+", ".", "e", "E", "p", "0x", "0X",
                                         "1", "0", "9", "x", "(", ")", "5", "e-", "e+9"};
            int k = 0, n = 1 + (int)rndn(6);
            s[0] = 0;
            for (int i = 0; i < n; i++) {
                const char *b = bits[rndn(sizeof bits / sizeof bits[0])];
                if (k + strlen(b) < 60) k += sprintf(s + k, "%s", b);
            }
            break;
        }
        case 5: /* near the ends of the range */
            snprintf(s, sizeof s, "%.*e", (int)rndn(20),
                     rndn(2) ? DBL_MAX * (1 + (double)rndn(100) / 1e17)
                             : ldexp((double)rndn(1000), -1074 - (int)rndn(4)));
            break;
        default:
            snprintf(s, sizeof s, "%s%.*e", rndn(2) ? "-" : " ", (int)rndn(19), v);
        }
        strtod_same(s);
    }
}

/* nd_decimal(m, e): strtod's value of "<m>e<e>" (glibc's), errno too, for
   m of every size and sign and exponents across and beyond the range; and
   bit for bit the quotient (double)m / 10^k for |m| < 2^53 and the k the
   node uses it with (1..3: tenths, milliseconds of microseconds). */
static void test_decimal(void **state)
{
    (void)state;
    char s[64];
    for (int it = 0; it < 200000; it++) {
        int bits = (int)rndn(64);
        int64_t m = (int64_t)(rnd() >> (63 - bits));
        if (rndn(2)) m = -m;
        if (rndn(50) == 0) m = rndn(2) ? INT64_MIN : INT64_MAX;
        int e = rndn(4) ? (int)rndn(40) - 20 : (int)rndn(900) - 450;
        snprintf(s, sizeof s, "%llde%d", (long long)m, e);
        errno = 0;
        double want = strtod(s, NULL);
        int want_err = errno;
        errno = 0;
        double got = nd_decimal(m, e);
        if (memcmp(&got, &want, sizeof got) || errno != want_err)
            fail_msg("nd_decimal(%s) = %a errno %d; strtod: %a errno %d", s, got, errno, want,
                     want_err);
        int k = 1 + (int)rndn(3);
        int64_t q = m % (1ll << 53);
        double div = (double)q / (k == 1 ? 10.0 : k == 2 ? 100.0 : 1000.0);
        got = nd_decimal(q, -k);
        if (memcmp(&got, &div, sizeof got))
            fail_msg("nd_decimal(%lld, -%d) = %a; the division: %a", (long long)q, k, got, div);
    }
    assert_true(nd_decimal(0, 500) == 0.0 && !signbit(nd_decimal(0, -3)));
    assert_true(signbit(nd_decimal(-1, -400)) && nd_decimal(-1, -400) == 0.0);
}

/* nd_permille: part / whole in tenths of a percent, rounded half up, capped
   at 1000, against exact 128-bit arithmetic; past 2^52 both are halved
   alike, which may move a result by one only at an exact half */
static void test_permille(void **state)
{
    (void)state;
    assert_int_equal(nd_permille(0, 0), 0);
    assert_int_equal(nd_permille(5, 0), 0);
    assert_int_equal(nd_permille(1, 2000), 1);   /* 0.05 % rounds up to 0.1 */
    assert_int_equal(nd_permille(1, 2001), 0);
    assert_int_equal(nd_permille(3, 2), 1000);   /* capped */
    assert_int_equal(nd_permille(UINT64_MAX, UINT64_MAX), 1000);
    assert_int_equal(nd_permille(UINT64_MAX / 2, UINT64_MAX), 500);
    /* nd_thousandths: the same rounding, not capped (a mean, not a share) */
    assert_int_equal(nd_thousandths(3, 2), 1500);
    assert_int_equal(nd_thousandths(2, 3), 667);
    assert_int_equal(nd_thousandths(7, 0), 0);
    for (int it = 0; it < 1000000; it++) {
        uint64_t whole = rnd() >> rndn(64), part = whole ? rnd() % (whole + (whole >> 3) + 1) : 0;
        if (!whole) continue;
        unsigned __int128 pm = ((unsigned __int128)part * 2000 + whole) / ((unsigned __int128)whole * 2);
        unsigned want = pm > 1000 ? 1000 : (unsigned)pm, got = nd_permille(part, whole);
        if (got != want && !((part | whole) >> 52 && (got + 1 == want || got == want + 1)))
            fail_msg("nd_permille(%llu, %llu) = %u, want %u", (unsigned long long)part,
                     (unsigned long long)whole, got, want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_strtod_table),
        cmocka_unit_test(test_diff_float),
        cmocka_unit_test(test_diff_int),
        cmocka_unit_test(test_diff_strtod),
        cmocka_unit_test(test_decimal),
        cmocka_unit_test(test_permille),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
