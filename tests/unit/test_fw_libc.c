/*
** test_fw_libc.c -- the firmware's own C library functions (src/port/mps2/
** libc_str.c, libc_num.c), compiled here under fw_* names (ND_LIBC_NAME) and
** compared with glibc's: seeded random strings from small alphabets (so
** matches, prefixes and equal runs are frequent; bytes >= 0x80 to catch
** signed-char compares), overlapping memmove in both directions, strto* on
** generated numbers (white space, signs, 0x/0/0b prefixes, every base,
** garbage after) and on every limit +-1 in every base, checking value,
** errno and end pointer; the 32-bit board's long (conv with INT32 limits)
** against glibc's 64-bit result clamped by hand; qsort on element sizes
** 1..24 with many equal keys, checked for order, a permutation and payloads
** kept. The generator is seeded: a failure prints its input.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ND_LIBC_NAME(x) fw_##x
#include "../../src/port/mps2/libc_num.c"
#include "../../src/port/mps2/libc_str.c"

#define ND_XORSHIFT_SEED 0x853c49e6748fea9bull
#include "xorshift.h"

static int sgn(int x)
{
    return (x > 0) - (x < 0);
}

/* a random string of up to max bytes from one of a few alphabets */
static void rand_str(char *s, unsigned max)
{
    static const char *const alpha[] = {"ab", "abc", "a", "xyz/ =", "\x80\xff\141\x7f"};
    const char *a = alpha[rndn(5)];
    unsigned k = (unsigned)strlen(a), n = rndn(max + 1);
    for (unsigned i = 0; i < n; i++) s[i] = a[rndn(k)];
    s[n] = '\0';
}

/* ---- strings ------------------------------------------------------------- */

static void test_str_table(void **state)
{
    (void)state;
    assert_int_equal(fw_strlen(""), 0);
    assert_int_equal(fw_strlen("abc"), 3);
    assert_true(fw_strcmp("a", "b") < 0);
    assert_true(fw_strcmp("\x80", "a") > 0); /* unsigned char compare */
    assert_int_equal(fw_strcmp("", ""), 0);
    assert_true(fw_strcmp("ab", "abc") < 0);
    assert_int_equal(fw_strncmp("abx", "aby", 2), 0);
    assert_int_equal(fw_strncmp("a", "b", 0), 0);
    const char *s = "hello world";
    assert_ptr_equal(fw_strchr(s, 'o'), s + 4);
    assert_ptr_equal(fw_strrchr(s, 'o'), s + 7);
    assert_ptr_equal(fw_strchr(s, 0), s + 11);
    assert_ptr_equal(fw_strrchr(s, 0), s + 11);
    assert_null(fw_strchr(s, 'z'));
    assert_ptr_equal(fw_strchr(s, 'o' + 256), s + 4); /* c converted to char */
    assert_ptr_equal(fw_strstr(s, ""), s);
    assert_ptr_equal(fw_strstr(s, "world"), s + 6);
    assert_null(fw_strstr(s, "worlds"));
    assert_null(fw_strstr("", "a"));
    assert_ptr_equal(fw_strstr("aaab", "aab"), (const char *)"aaab" + 1);
    assert_int_equal(fw_strspn("  x", " "), 2);
    assert_int_equal(fw_strcspn("ab,c", ",;"), 2);
    assert_int_equal(fw_strcspn("abc", ""), 3);
    assert_null(fw_strpbrk("abc", "xyz"));
    char buf[8];
    assert_ptr_equal(fw_strcpy(buf, "hi"), buf);
    assert_string_equal(buf, "hi");
}

static void test_str_random(void **state)
{
    (void)state;
    char a[48], b[48], c[48], set[8];
    for (int it = 0; it < 200000; it++) {
        uint64_t seed = rng;
        rand_str(a, 40);
        rand_str(b, rndn(4) ? 5 : 40);
        if (rndn(3) == 0) { /* b a piece of a: a match exists */
            size_t la = strlen(a), off = la ? rndn((unsigned)la) : 0;
            size_t n = rndn((unsigned)(la - off) + 1);
            memcpy(b, a + off, n);
            b[n] = '\0';
        }
        rand_str(set, 4);
        int ch = (unsigned char)"ab\x80z\xff"[rndn(5)] + (rndn(4) == 0 ? -256 : rndn(4) == 0 ? 256 : 0);
        size_t n = rndn(50);
        if (fw_strlen(a) != strlen(a) || sgn(fw_strcmp(a, b)) != sgn(strcmp(a, b)) ||
            sgn(fw_strncmp(a, b, n)) != sgn(strncmp(a, b, n)) ||
            fw_strchr(a, ch) != strchr(a, ch) || fw_strrchr(a, ch) != strrchr(a, ch) ||
            fw_strstr(a, b) != strstr(a, b) || fw_strspn(a, set) != strspn(a, set) ||
            fw_strcspn(a, set) != strcspn(a, set) || fw_strpbrk(a, set) != strpbrk(a, set)) {
            fail_msg("seed %#llx: a \"%s\" b \"%s\" set \"%s\" ch %d n %zu", (unsigned long long)seed,
                     a, b, set, ch, n);
        }
        memset(c, 'Z', sizeof c);
        if (fw_strcpy(c, a) != c || memcmp(c, a, strlen(a) + 1) != 0 || c[strlen(a) + 1] != 'Z')
            fail_msg("strcpy \"%s\"", a);
    }
}

/* ---- memory ---------------------------------------------------------------- */

static void test_mem_random(void **state)
{
    (void)state;
    unsigned char x[160], y[160], z[160];
    for (int it = 0; it < 200000; it++) {
        uint64_t seed = rng;
        for (size_t i = 0; i < sizeof x; i++) x[i] = (unsigned char)("ab\x80\xff"[rndn(4)]);
        memcpy(y, x, sizeof x);
        size_t n = rndn(rndn(8) ? 20 : 160), so = rndn((unsigned)(sizeof x - n) + 1),
               d = rndn((unsigned)(sizeof x - n) + 1);
        /* memmove: src and dst in the same buffer, overlapping either way */
        void *r = fw_memmove(y + d, y + so, n);
        memmove(x + d, x + so, n);
        if (r != y + d || memcmp(x, y, sizeof x) != 0)
            fail_msg("seed %#llx: memmove d %zu s %zu n %zu", (unsigned long long)seed, d, so, n);
        /* memcpy: separate buffers; the bytes around the copy untouched */
        memset(z, 0x5a, sizeof z);
        if (fw_memcpy(z + d, x + so, n) != z + d || memcmp(z + d, x + so, n) != 0 ||
            (d && z[d - 1] != 0x5a) || (d + n < sizeof z && z[d + n] != 0x5a))
            fail_msg("seed %#llx: memcpy d %zu s %zu n %zu", (unsigned long long)seed, d, so, n);
        int c = (int)rndn(512) - 128; /* memset stores (unsigned char)c */
        memcpy(y, x, sizeof x);
        if (fw_memset(y + d, c, n) != y + d) fail_msg("memset return");
        memset(x + d, c, n);
        if (memcmp(x, y, sizeof x) != 0) fail_msg("seed %#llx: memset c %d n %zu", (unsigned long long)seed, c, n);
        /* memcmp on two buffers that often share a long prefix */
        memcpy(z, x, sizeof x);
        if (rndn(2)) z[rndn(sizeof z)] = (unsigned char)rndn(256);
        if (sgn(fw_memcmp(x + so, z + so, n)) != sgn(memcmp(x + so, z + so, n)))
            fail_msg("seed %#llx: memcmp s %zu n %zu", (unsigned long long)seed, so, n);
        if (fw_memchr(x + so, c, n) != memchr(x + so, c, n))
            fail_msg("seed %#llx: memchr c %d n %zu", (unsigned long long)seed, c, n);
    }
    assert_ptr_equal(fw_memcpy(x, y, 0), x);
    assert_null(fw_memchr(x, 'a', 0));
    assert_int_equal(fw_memcmp(x, y, 0), 0);
}

/* ---- strto* ---------------------------------------------------------------- */

/* all four against glibc (long is 64-bit here, like long long), then the
   board's 32-bit long and unsigned long: conv with 32-bit limits against
   glibc's 64-bit results clamped to 32 bits the way C says */
static void check_num(const char *s, int base)
{
    /* a bad base: C leaves the end pointer unspecified (glibc does not set
       it, ASan's interceptor sets garbage), ours sets it to s */
    int bad = base < 0 || base == 1 || base > 36;
    char *e1 = (char *)s, *e2 = (char *)s;
    int er1, er2;
#define SAME(T, fn)                                                                         \
    do {                                                                                    \
        e1 = e2 = (char *)s;                                                                \
        errno = 0;                                                                          \
        T v1 = fw_##fn(s, &e1, base);                                                       \
        er1 = errno;                                                                        \
        errno = 0;                                                                          \
        T v2 = fn(s, &e2, base);                                                            \
        er2 = errno;                                                                        \
        if (v1 != v2 || er1 != er2 || (bad ? e1 != s : e1 != e2))                                             \
            fail_msg(#fn "(\"%s\", %d): fw %lld errno %d end +%td, glibc %lld errno %d end +%td", \
                     s, base, (long long)v1, er1, e1 - s, (long long)v2, er2, e2 - s);     \
    } while (0)
    SAME(long, strtol);
    SAME(unsigned long, strtoul);
    SAME(long long, strtoll);
    SAME(unsigned long long, strtoull);
#undef SAME
    if (base == 10) {
        int a1 = fw_atoi(s);
        if (a1 != atoi(s)) fail_msg("atoi(\"%s\"): fw %d glibc %d", s, a1, atoi(s));
    }

    /* the sign of the subject sequence, for the unsigned reference */
    const char *p = s;
    while (*p == ' ' || (*p >= '\t' && *p <= '\r')) p++;
    int neg = *p == '-';

    e1 = e2 = (char *)s;
    errno = 0;
    long long r = strtoll(s, &e2, base);
    er2 = errno;
    int32_t want = (int32_t)r;
    if (er2 == 0 && (r > INT32_MAX || r < INT32_MIN)) er2 = ERANGE;
    if (er2 == ERANGE) want = r < 0 ? INT32_MIN : INT32_MAX;
    errno = 0;
    int32_t got = (int32_t)(uint32_t)conv(s, &e1, base, INT32_MAX, 1);
    er1 = errno;
    if (got != want || er1 != er2 || (bad ? e1 != s : e1 != e2))
        fail_msg("32-bit strtol(\"%s\", %d): fw %d errno %d, want %d errno %d", s, base, got, er1,
                 want, er2);

    e1 = e2 = (char *)s;
    errno = 0;
    unsigned long long u = strtoull(s, &e2, base);
    er2 = errno;
    unsigned long long mag = neg ? -u : u;
    uint32_t uwant = (uint32_t)(neg ? -mag : mag);
    if (er2 == 0 && mag > UINT32_MAX) er2 = ERANGE;
    if (er2 == ERANGE) uwant = UINT32_MAX;
    errno = 0;
    uint32_t ugot = (uint32_t)conv(s, &e1, base, UINT32_MAX, 0);
    er1 = errno;
    if (ugot != uwant || er1 != er2 || (bad ? e1 != s : e1 != e2))
        fail_msg("32-bit strtoul(\"%s\", %d): fw %u errno %d, want %u errno %d", s, base, ugot, er1,
                 uwant, er2);
}

static void test_num_table(void **state)
{
    (void)state;
    static const char *const cases[] = {
        "", " ", "+", "-", "+-1", "0", "-0", "00", "0x", "0X", "0x1g", "0xg", "-0x", " 0x10",
        "0xFFz", "0b101", "012389", "  \t\n\v\f\r42x", "\0341", "1e5", "-", "- 1",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808",
        "-9223372036854775809", "18446744073709551615", "18446744073709551616",
        "-18446744073709551615", "-18446744073709551616", "2147483647", "2147483648",
        "-2147483648", "-2147483649", "4294967295", "4294967296", "-4294967295", "-4294967296",
        "0x7fffffffffffffff", "0x8000000000000000", "0xffffffffffffffff", "0x10000000000000000",
        "00000000000000000000000000000000000000000001", "zz", "ZZ", "Zz9", "123456789012345678901234567890",
    };
    static const int bases[] = {0, 2, 8, 10, 16, 36, -1, 1, 37};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (size_t b = 0; b < sizeof bases / sizeof bases[0]; b++) check_num(cases[i], bases[b]);

    char *e;
    errno = 0;
    assert_int_equal(fw_strtol("0x", &e, 16), 0);
    assert_string_equal(e, "x");
    assert_int_equal(fw_strtoul("-1", NULL, 10), ULONG_MAX);
    assert_int_equal(errno, 0);
    assert_int_equal(fw_strtol("  junk", &e, 0), 0);
    assert_string_equal(e, "  junk");
    assert_int_equal(fw_strtol("99999999999999999999", NULL, 10), LONG_MAX);
    assert_int_equal(errno, ERANGE);
}

/* v (up to 2^66) written in base b, with a prefix fitting base 0 when b is 0 */
static void put_num(char *out, unsigned __int128 v, int b, const char *sign)
{
    char tmp[140];
    int n = 0, base = b ? b : (int[]){8, 10, 16}[rndn(3)];
    do {
        unsigned d = (unsigned)(v % (unsigned)base);
        tmp[n++] = (char)(d < 10 ? '0' + d : (rndn(2) ? 'a' : 'A') + d - 10);
        v /= (unsigned)base;
    } while (v);
    const char *pre = base == 16 && (b == 0 || rndn(2)) ? (rndn(2) ? "0x" : "0X") : base == 8 && !b ? "0" : "";
    int k = sprintf(out, "%s%s", sign, pre);
    while (n) out[k++] = tmp[--n];
    out[k] = '\0';
}

static void test_num_limits(void **state)
{
    (void)state;
    const unsigned __int128 one = 1;
    const unsigned __int128 edges[] = {0, one << 31, one << 32, one << 63, one << 64, one << 65};
    char s[160];
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
        for (int d = -2; d <= 2; d++) {
            if (edges[i] == 0 && d < 0) continue;
            for (int b = 0; b <= 36; b++) {
                if (b == 1) continue;
                for (int sg = 0; sg < 3; sg++) {
                    put_num(s, edges[i] + (unsigned __int128)(__int128)d, b, (const char *[]){"", "-", "+"}[sg]);
                    check_num(s, b);
                }
            }
        }
}

static void test_num_random(void **state)
{
    (void)state;
    static const char *const digs[] = {"0123456789", "0123456789abcdefABCDEF", "01",
                                       "0123456789abcdefghijklmnopqrstuvwxyzXYZ", "01234567"};
    static const char *const pres[] = {"", "", "0x", "0X", "0", "0b", "x"};
    char s[120];
    for (int it = 0; it < 300000; it++) {
        int k = 0;
        for (unsigned n = rndn(4); n; n--) s[k++] = " \t\n\v\f\r\x1c"[rndn(rndn(8) ? 6 : 7)];
        k += sprintf(s + k, "%s", (const char *[]){"", "", "-", "+", "+-", "--"}[rndn(6)]);
        k += sprintf(s + k, "%s", pres[rndn(7)]);
        const char *dg = digs[rndn(5)];
        unsigned nd = (unsigned)strlen(dg);
        for (unsigned n = rndn(rndn(4) ? 22 : 70); n; n--) s[k++] = dg[rndn(nd)];
        if (rndn(2)) s[k++] = "zZ.-x 9"[rndn(7)];
        s[k] = '\0';
        int base = rndn(3) ? (int[]){0, 2, 8, 10, 16, 36}[rndn(6)] : (int)rndn(40) - 1;
        check_num(s, base);
    }
}

/* ---- qsort ------------------------------------------------------------------ */

/* an element: a key (few distinct values: many ties), an id making each one
   unique, and padding up to the element size being tested */
static size_t elsz;
static unsigned char *arr_lo, *arr_hi;

static int cmp_key(const void *a, const void *b)
{
    /* qsort passes only element pointers inside the array */
    const unsigned char *p = a, *q = b;
    if (p < arr_lo || q < arr_lo || p >= arr_hi || q >= arr_hi || (size_t)(p - arr_lo) % elsz ||
        (size_t)(q - arr_lo) % elsz)
        fail_msg("qsort compared a pointer outside the elements");
    return (int)*p - (int)*q;
}

static void test_qsort(void **state)
{
    (void)state;
    static const size_t sizes[] = {1, 2, 3, 4, 8, 13, 24};
    unsigned char a[300 * 24], ref[300 * 24];
    fw_qsort(NULL, 0, 8, cmp_key); /* nothing to sort: base is never touched */
    for (int it = 0; it < 3000; it++) {
        uint64_t seed = rng;
        elsz = sizes[rndn(7)];
        size_t n = rndn(rndn(4) ? 20 : 300);
        unsigned keys = 1 + rndn(rndn(2) ? 4 : 256);
        for (size_t i = 0; i < n; i++) {
            unsigned char *e = a + i * elsz;
            memset(e, (int)(i * 7 + 1), elsz);
            e[0] = (unsigned char)rndn(keys);
            if (elsz >= 3) e[1] = (unsigned char)i, e[2] = (unsigned char)(i >> 8); /* id */
        }
        memcpy(ref, a, n * elsz);
        arr_lo = a;
        arr_hi = a + n * elsz;
        fw_qsort(a, n, elsz, cmp_key);
        for (size_t i = 1; i < n; i++)
            if (a[(i - 1) * elsz] > a[i * elsz])
                fail_msg("seed %#llx: n %zu size %zu: not sorted at %zu", (unsigned long long)seed, n,
                         elsz, i);
        /* the same elements: every original one found intact exactly once */
        if (elsz >= 3) {
            unsigned char seen[300] = {0};
            for (size_t i = 0; i < n; i++) {
                const unsigned char *e = a + i * elsz;
                size_t id = e[1] | (size_t)e[2] << 8;
                if (id >= n || seen[id]++ || memcmp(e, ref + id * elsz, elsz) != 0)
                    fail_msg("seed %#llx: n %zu size %zu: element %zu lost or changed",
                             (unsigned long long)seed, n, elsz, i);
            }
        } else {
            unsigned cnt[256] = {0};
            for (size_t i = 0; i < n; i++) cnt[ref[i * elsz]]++, cnt[a[i * elsz]]--;
            for (int k = 0; k < 256; k++)
                if (cnt[k]) fail_msg("seed %#llx: n %zu: keys changed", (unsigned long long)seed, n);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_str_table),  cmocka_unit_test(test_str_random),
        cmocka_unit_test(test_mem_random), cmocka_unit_test(test_num_table),
        cmocka_unit_test(test_num_limits), cmocka_unit_test(test_num_random),
        cmocka_unit_test(test_qsort),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
