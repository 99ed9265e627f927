/*
** fmt.c -- printf formatting and strtod without the C library (fmt.h).
**
** Both directions are exact, with big integers in fixed arrays on the stack
** (no malloc; ~350 bytes each):
**  - printing: a double is m * 2^e. Its exact decimal expansion is
**    m * 2^e (e >= 0) or m * 5^-e / 10^-e (e < 0), computed directly in base
**    10^9 limbs, so no division is needed to get the digits; rounding to the
**    requested digit is half-even on that exact expansion, as glibc does.
**  - parsing: the decimal value D * 10^E is the fraction N/M with N = D * 5^E
**    (or D) and M = 5^-E (or 1), times 2^E. Long division by shift and
**    subtract gives the 53 bits, a round bit and a sticky bit. Digits past
**    the 780th cannot move the result except through "is anything left":
**    they become one trailing 1 digit (the largest exact halfway point of
**    two doubles has 767 significant digits).
*/
#include "fmt.h"
#include "nodus/port.h"
#include "nodus/value.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

/* ---- output --------------------------------------------------------------- */
typedef struct {
    char *b;
    size_t n, pos;
} out;

static void put(out *o, char c)
{
    if (o->pos + 1 < o->n) o->b[o->pos] = c;
    o->pos++;
}

static void rep(out *o, char c, long k)
{
    while (k-- > 0) put(o, c);
}

enum { F_MINUS = 1, F_PLUS = 2, F_SPACE = 4, F_ALT = 8, F_ZERO = 16 };

/* Left padding and the prefix (sign, 0x) of a field of len characters; the
   '0' flag pads between the prefix and the digits. */
static void pad_pre(out *o, int fl, long w, const char *pre, long len)
{
    if (!(fl & (F_MINUS | F_ZERO))) rep(o, ' ', w - len);
    while (*pre) put(o, *pre++);
    if ((fl & (F_MINUS | F_ZERO)) == F_ZERO) rep(o, '0', w - len);
}

static void pad_post(out *o, int fl, long w, long len)
{
    if (fl & F_MINUS) rep(o, ' ', w - len);
}

/* ---- exact decimal expansion of a double, base 10^9 ----------------------- */
/* 2^53 * 5^1074 (the smallest subnormal's expansion) has 767 digits: 86
   limbs, one more for a rounding carry */
#define DLIMBS 88
#define BASE9 1000000000u

typedef struct {
    uint32_t d[DLIMBS]; /* little-endian limbs, each < 10^9 */
    int n;              /* limbs in use; 0 is the value 0 */
} dec;

static const uint32_t p10[10] = {1,      10,      100,      1000,      10000,
                                 100000, 1000000, 10000000, 100000000, 1000000000};

static void dec_mul(dec *a, uint32_t m)
{
    uint64_t c = 0;
    for (int i = 0; i < a->n; i++) {
        c += (uint64_t)a->d[i] * m;
        a->d[i] = (uint32_t)(c % BASE9);
        c /= BASE9;
    }
    while (c) {
        a->d[a->n++] = (uint32_t)(c % BASE9);
        c /= BASE9;
    }
}

/* digit i of the integer (0: units), 0 outside it */
static int dec_dig(const dec *a, int i)
{
    if (i < 0 || i >= 9 * a->n) return 0;
    return (int)(a->d[i / 9] / p10[i % 9] % 10);
}

static int dec_ndig(const dec *a)
{
    if (!a->n) return 0;
    int k = 9 * (a->n - 1) + 1;
    while (k % 9 && a->d[a->n - 1] >= p10[k % 9]) k++;
    return k;
}

/* Drop digits below index i (i > 0), rounding half-even. */
static void dec_round(dec *a, int i)
{
    if (i <= 0 || i > 9 * a->n) {
        if (i > 9 * a->n) a->n = 0; /* below half of the kept unit */
        return;
    }
    int j = i - 1, r = dec_dig(a, j);
    int sticky = a->d[j / 9] % p10[j % 9] != 0;
    for (int k = 0; k < j / 9; k++) sticky |= a->d[k] != 0;
    int up = r > 5 || (r == 5 && (sticky || (dec_dig(a, i) & 1)));
    int L = i / 9;
    for (int k = 0; k < L && k < a->n; k++) a->d[k] = 0;
    if (L == a->n) a->d[a->n++] = 0;
    a->d[L] -= a->d[L] % p10[i % 9];
    if (up) {
        uint32_t c = p10[i % 9];
        for (int k = L; c; k++) {
            if (k == a->n) a->d[a->n++] = 0;
            a->d[k] += c;
            c = a->d[k] >= BASE9;
            if (c) a->d[k] -= BASE9;
        }
    }
    while (a->n && !a->d[a->n - 1]) a->n--;
}

/* decimal exponent of the leading digit (0 for the value 0) */
static int dec_top(const dec *a, int fr)
{
    return a->n ? dec_ndig(a) - 1 - fr : 0;
}

static void fmt_float(out *o, int fl, long w, int prec, char conv, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    char pre[2] = {0, 0};
    if (bits >> 63) pre[0] = '-';
    else if (fl & F_PLUS) pre[0] = '+';
    else if (fl & F_SPACE) pre[0] = ' ';
    int upper = conv >= 'A' && conv <= 'Z', c = conv | 32;
    int e2 = (int)(bits >> 52 & 0x7ff);
    uint64_t m = bits & ((1ull << 52) - 1);
    if (e2 == 0x7ff) { /* glibc pads inf and nan with spaces even with '0' */
        const char *t = m ? (upper ? "NAN" : "nan") : (upper ? "INF" : "inf");
        long len = 3 + (pre[0] != 0);
        pad_pre(o, fl & ~F_ZERO, w, pre, len);
        while (*t) put(o, *t++);
        pad_post(o, fl, w, len);
        return;
    }
    if (e2) m |= 1ull << 52;
    else e2 = 1;
    e2 -= 1075;
    dec a;
    a.d[0] = (uint32_t)(m % BASE9);
    a.d[1] = (uint32_t)(m / BASE9 % BASE9);
    a.d[2] = (uint32_t)(m / BASE9 / BASE9);
    a.n = 3;
    while (a.n && !a.d[a.n - 1]) a.n--;
    int fr = 0; /* value = a / 10^fr */
    if (e2 > 0) {
        for (int k = e2; k > 0; k -= 29) dec_mul(&a, 1u << (k < 29 ? k : 29));
    } else {
        fr = -e2;
        for (int k = fr; k > 0; k -= 13) {
            uint32_t f = 1;
            for (int i = 0; i < k && i < 13; i++) f *= 5;
            dec_mul(&a, f);
        }
    }
    if (prec < 0) prec = 6;
    int x = dec_top(&a, fr), P = prec;
    if (c == 'g') {
        if (P == 0) P = 1;
        dec_round(&a, x - (P - 1) + fr);
        x = dec_top(&a, fr);
        if (x < P && x >= -4) {
            c = 'f';
            P = P - 1 - x;
        } else {
            c = 'e';
            P = P - 1;
        }
        if (!(fl & F_ALT))
            while (P > 0 && !dec_dig(&a, (c == 'e' ? x - P : -P) + fr)) P--;
    } else if (c == 'e') {
        dec_round(&a, x - P + fr);
        x = dec_top(&a, fr);
    } else {
        dec_round(&a, fr - P);
        x = dec_top(&a, fr);
    }
    int point = P > 0 || (fl & F_ALT);
    int ax = x < 0 ? -x : x;
    long len = (pre[0] != 0) + point + P;
    if (c == 'f') len += x > 0 ? x + 1 : 1;
    else len += 1 + 2 + (ax >= 100 ? 3 : 2);
    pad_pre(o, fl, w, pre, len);
    int hi = c == 'f' ? (x > 0 ? x : 0) : x;
    put(o, (char)('0' + dec_dig(&a, hi + fr)));
    for (int k = hi - 1; c == 'f' && k >= 0; k--) put(o, (char)('0' + dec_dig(&a, k + fr)));
    if (c == 'f') hi = 0;
    if (point) put(o, '.');
    for (int k = 1; k <= P; k++) put(o, (char)('0' + dec_dig(&a, hi - k + fr)));
    if (c == 'e') {
        put(o, upper ? 'E' : 'e');
        put(o, x < 0 ? '-' : '+');
        if (ax >= 100) put(o, (char)('0' + ax / 100));
        put(o, (char)('0' + ax / 10 % 10));
        put(o, (char)('0' + ax % 10));
    }
    pad_post(o, fl, w, len);
}

/* ---- the formatter ------------------------------------------------------------ */
enum { L_NONE, L_HH, L_H, L_L, L_LL, L_Z, L_J, L_T };

_Static_assert(sizeof(size_t) == sizeof(ptrdiff_t), "%zd reads a ptrdiff_t");

int nd_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
    out o = {buf, n, 0};
    while (*fmt) {
        if (*fmt != '%') {
            put(&o, *fmt++);
            continue;
        }
        const char *spec = fmt++;
        int fl = 0;
        for (const char *f; *fmt && (f = strchr("-+ #0", *fmt)); fmt++) fl |= 1 << (f - "-+ #0");
        long w = 0;
        int prec = -1;
        if (*fmt == '*') {
            w = va_arg(ap, int);
            if (w < 0) {
                fl |= F_MINUS;
                w = -w;
            }
            fmt++;
        } else
            for (; *fmt >= '0' && *fmt <= '9'; fmt++) /* saturated: no overflow */
                if (w < 100000000) w = w * 10 + (*fmt - '0');
        if (*fmt == '.') {
            fmt++;
            prec = 0;
            if (*fmt == '*') {
                prec = va_arg(ap, int);
                if (prec < 0) prec = -1;
                fmt++;
            } else
                for (; *fmt >= '0' && *fmt <= '9'; fmt++)
                    if (prec < 100000000) prec = prec * 10 + (*fmt - '0');
        }
        int len = L_NONE;
        if (*fmt == 'h') len = *++fmt == 'h' ? (fmt++, L_HH) : L_H;
        else if (*fmt == 'l') len = *++fmt == 'l' ? (fmt++, L_LL) : L_L;
        else if (*fmt == 'z') len = (fmt++, L_Z);
        else if (*fmt == 'j') len = (fmt++, L_J);
        else if (*fmt == 't') len = (fmt++, L_T);
        char conv = *fmt;
        if (conv) fmt++;
        if (fl & F_PLUS) fl &= ~F_SPACE;
        unsigned long long u;
        char pre[3] = {0, 0, 0};
        int base = 10;
        switch (conv) {
        case 'd':
        case 'i': {
            long long v;
            switch (len) {
            case L_HH: v = (signed char)va_arg(ap, int); break;
            case L_H: v = (short)va_arg(ap, int); break;
            case L_L: v = va_arg(ap, long); break;
            case L_LL: v = va_arg(ap, long long); break;
            case L_Z:
            case L_T: v = va_arg(ap, ptrdiff_t); break;
            case L_J: v = va_arg(ap, intmax_t); break;
            default: v = va_arg(ap, int); break;
            }
            u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
            pre[0] = v < 0 ? '-' : (fl & F_PLUS) ? '+' : (fl & F_SPACE) ? ' ' : 0;
            goto integer;
        }
        case 'o':
        case 'u':
        case 'x':
        case 'X':
            switch (len) {
            case L_HH: u = (unsigned char)va_arg(ap, unsigned); break;
            case L_H: u = (unsigned short)va_arg(ap, unsigned); break;
            case L_L: u = va_arg(ap, unsigned long); break;
            case L_LL: u = va_arg(ap, unsigned long long); break;
            case L_Z:
            case L_T: u = va_arg(ap, size_t); break;
            case L_J: u = va_arg(ap, uintmax_t); break;
            default: u = va_arg(ap, unsigned); break;
            }
            base = conv == 'o' ? 8 : conv == 'u' ? 10 : 16;
            if ((fl & F_ALT) && base == 16 && u) {
                pre[0] = '0';
                pre[1] = conv;
            }
            goto integer;
        case 'p': {
            void *ptr = va_arg(ap, void *);
            if (!ptr) {
                prec = -1;
                goto nil;
            }
            u = (uintptr_t)ptr;
            base = 16;
            pre[0] = '0';
            pre[1] = 'x';
            conv = 'x';
            goto integer;
        }
        integer : {
            char tmp[24];
            const char *dg = conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
            int k = 0;
            for (; u; u /= (unsigned)base) tmp[k++] = dg[u % (unsigned)base];
            long zeros = prec < 0 ? (k ? 0 : 1) : (prec > k ? prec - k : 0);
            if (prec >= 0) fl &= ~F_ZERO;
            if ((fl & F_ALT) && base == 8 && !zeros && (!k || tmp[k - 1] != '0')) zeros = 1;
            long flen = (long)strlen(pre) + zeros + k;
            pad_pre(&o, fl, w, pre, flen);
            rep(&o, '0', zeros);
            while (k) put(&o, tmp[--k]);
            pad_post(&o, fl, w, flen);
            break;
        }
        case 'c': {
            char ch = (char)va_arg(ap, int);
            pad_pre(&o, fl & ~F_ZERO, w, "", 1);
            put(&o, ch);
            pad_post(&o, fl, w, 1);
            break;
        }
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s) {
            nil:
                s = conv == 'p' ? "(nil)" : prec < 0 || prec >= 6 ? "(null)" : "";
            }
            long sl = 0;
            while ((prec < 0 || sl < prec) && s[sl]) sl++;
            pad_pre(&o, fl & ~F_ZERO, w, "", sl);
            for (long k = 0; k < sl; k++) put(&o, s[k]);
            pad_post(&o, fl, w, sl);
            break;
        }
        case 'f':
        case 'F':
        case 'e':
        case 'E':
        case 'g':
        case 'G': fmt_float(&o, fl, w, prec, conv, va_arg(ap, double)); break;
        case '%': put(&o, '%'); break;
        case 'n': (void)va_arg(ap, void *); break;
        default: /* unknown conversion: printed as written, like glibc */
            while (spec < fmt) put(&o, *spec++);
            break;
        }
    }
    if (n) buf[o.pos < n ? o.pos : n - 1] = 0;
    return o.pos > 0x7fffffff ? -1 : (int)o.pos;
}

int nd_snprintf(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = nd_vsnprintf(buf, n, fmt, ap);
    va_end(ap);
    return r;
}

/* ---- strtod ------------------------------------------------------------------ */
/* 781 digits (2595 bits) or 5^1104 (2564 bits), plus the shifts of the long
   division */
#define BLIMBS 84
#define MAXDIG 780

typedef struct {
    uint32_t w[BLIMBS]; /* little-endian */
    int n;              /* words in use, no leading zero word */
} big;

static void big_muladd(big *a, uint32_t m, uint32_t add)
{
    uint64_t c = add;
    for (int i = 0; i < a->n; i++) {
        c += (uint64_t)a->w[i] * m;
        a->w[i] = (uint32_t)c;
        c >>= 32;
    }
    if (c) a->w[a->n++] = (uint32_t)c;
}

static void big_pow5(big *a, long k)
{
    for (; k > 0; k -= 13) {
        uint32_t f = 1;
        for (int i = 0; i < k && i < 13; i++) f *= 5;
        big_muladd(a, f, 0);
    }
}

static int big_bits(const big *a)
{
    if (!a->n) return 0;
    int b = 32 * a->n;
    for (uint32_t t = a->w[a->n - 1]; !(t & 0x80000000u); t <<= 1) b--;
    return b;
}

static void big_shl(big *a, int s)
{
    if (!a->n || s <= 0) return;
    int q = s / 32, r = s % 32;
    a->w[a->n] = 0;
    for (int i = a->n; i >= 0; i--) {
        uint32_t v = a->w[i] << r;
        if (r && i) v |= a->w[i - 1] >> (32 - r);
        a->w[i + q] = v;
    }
    for (int i = 0; i < q; i++) a->w[i] = 0;
    a->n += q + 1;
    while (a->n && !a->w[a->n - 1]) a->n--;
}

static int big_cmp(const big *a, const big *b)
{
    if (a->n != b->n) return a->n < b->n ? -1 : 1;
    for (int i = a->n - 1; i >= 0; i--)
        if (a->w[i] != b->w[i]) return a->w[i] < b->w[i] ? -1 : 1;
    return 0;
}

static void big_sub(big *a, const big *b) /* a >= b */
{
    int64_t c = 0;
    for (int i = 0; i < a->n; i++) {
        c += (int64_t)a->w[i] - (i < b->n ? b->w[i] : 0);
        a->w[i] = (uint32_t)c;
        c = c < 0 ? -1 : 0;
    }
    while (a->n && !a->w[a->n - 1]) a->n--;
}

/* The double nearest N/M * 2^b2 (N > 0), half-even; ERANGE like glibc. */
static double big_to_double(big *N, big *M, long b2)
{
    int s = big_bits(N) - big_bits(M);
    big_shl(M, s);
    big_shl(N, -s);
    if (big_cmp(N, M) < 0) {
        big_shl(N, 1);
        s--;
    }
    long k = s + b2; /* 2^k <= value < 2^(k+1) */
    if (k > 1023) goto huge;
    if (k < -1076) goto tiny;
    /* mantissa bits: 53, fewer for a subnormal; two more for rounding */
    int nb = k >= -1022 ? 53 : (int)(k + 1075);
    uint64_t g = 0;
    for (int i = 0; i < nb + 2; i++) {
        g <<= 1;
        if (big_cmp(N, M) >= 0) {
            big_sub(N, M);
            g |= 1;
        }
        big_shl(N, 1);
    }
    int sticky = (g & 1) || N->n, half = (int)(g >> 1 & 1);
    uint64_t m = g >> 2;
    if (half && (sticky || (m & 1))) m++;
    uint64_t bits = ((uint64_t)(k >= -1022 ? k + 1022 : 0) << 52) + m;
    if (bits >= 0x7ff0000000000000ull) goto huge;
    /* glibc (x86) takes a result as tiny after rounding to 53 bits with an
       unbounded exponent: just below 2^-1022 it may round up to it */
    if (k < -1022 && (half || sticky) && !(k == -1023 && g == (1ull << 54) - 1)) errno = ERANGE;
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
huge:
    errno = ERANGE;
    return HUGE_VAL;
tiny:
    errno = ERANGE;
    return 0.0;
}

/* Integer times a power of ten as a double, exactly rounded: the same
   long division as strtod's, for values the node has as integers
   (microseconds shown in ms, tenths of a percent). A board without an FPU
   then needs no soft-float division or multiplication (~1.5 KB of libgcc)
   for them, and the result is bit for bit what (double)m / 10^k gives
   wherever m is below 2^53. */
double nd_decimal(int64_t m, int e10)
{
    uint64_t u = m < 0 ? -(uint64_t)m : (uint64_t)m;
    double r = 0.0;
    if (u && (e10 > 400 || e10 < -400)) { /* beyond any double / under half the least subnormal */
        errno = ERANGE;
        r = e10 > 0 ? HUGE_VAL : 0.0;
    } else if (u) {
        big N, M;
        N.w[0] = (uint32_t)u;
        N.w[1] = (uint32_t)(u >> 32);
        N.n = N.w[1] ? 2 : 1;
        M.w[0] = 1;
        M.n = 1;
        if (e10 >= 0) big_pow5(&N, e10);
        else big_pow5(&M, -e10);
        r = big_to_double(&N, &M, e10);
    }
    return m < 0 ? -r : r;
}

/* Exact integers: both scaled down alike past 2^52, where a thousandth of
   their ratio is far above the bits lost, so part * 2000 cannot wrap. Not
   inlined: one copy serves nd_permille and the means of system timing. */
__attribute__((noinline)) uint64_t nd_thousandths(uint64_t part, uint64_t whole)
{
    while ((part | whole) >> 52) {
        part >>= 1;
        whole >>= 1;
    }
    return whole ? (part * 2000 + whole) / (whole * 2) : 0;
}

unsigned nd_permille(uint64_t part, uint64_t whole)
{
    uint64_t pm = nd_thousandths(part, whole);
    return pm > 1000 ? 1000 : (unsigned)pm;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    c |= 32;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* case-insensitive prefix: the end of w in p, or NULL */
static const char *word(const char *p, const char *w)
{
    for (; *w; p++, w++)
        if ((*p | 32) != *w) return NULL;
    return p;
}

/* An optional exponent at p ("e-12", "p+3"); moves *end past it when it is
   well formed. Saturates: beyond 10^6 the result is 0 or inf anyway. */
static long exponent(const char *p, char c, const char **end)
{
    if ((*p | 32) != c) return 0;
    p++;
    int neg = *p == '-';
    if (*p == '-' || *p == '+') p++;
    if (*p < '0' || *p > '9') return 0;
    long x = 0;
    for (; *p >= '0' && *p <= '9'; p++)
        if (x < 1000000) x = x * 10 + (*p - '0');
    *end = p;
    return neg ? -x : x;
}

double nd_strtod(const char *s, char **end)
{
    const char *p = s, *e;
    while (*p == ' ' || (*p >= '\t' && *p <= '\r')) p++;
    int neg = *p == '-';
    if (*p == '-' || *p == '+') p++;
    double r = 0.0;
    big N, M;
    N.n = 0;
    M.w[0] = 1;
    M.n = 1;
    if ((e = word(p, "inf"))) {
        const char *t = word(e, "inity");
        if (t) e = t;
        r = HUGE_VAL;
    } else if ((e = word(p, "nan"))) {
        r = NAN;
        if (*e == '(') {
            const char *t = e + 1;
            while (((*t | 32) >= 'a' && (*t | 32) <= 'z') || (*t >= '0' && *t <= '9') || *t == '_')
                t++;
            if (*t == ')') e = t + 1;
        }
    } else if (p[0] == '0' && (p[1] | 32) == 'x' &&
               (hexval(p[2]) >= 0 || (p[2] == '.' && hexval(p[3]) >= 0))) {
        /* hex: 15 significant digits (60 bits) and a sticky bit */
        uint64_t m = 0;
        long b2 = 0;
        int nd = 0, dot = 0, sticky = 0;
        for (e = p + 2;; e++) {
            int v = hexval(*e);
            if (*e == '.' && !dot) {
                dot = 1;
                continue;
            }
            if (v < 0) break;
            if (nd < 15) {
                m = m * 16 + (uint64_t)v;
                nd += m != 0;
                b2 -= dot ? 4 : 0;
            } else {
                sticky |= v;
                b2 += dot ? 0 : 4;
            }
        }
        b2 += exponent(e, 'p', &e);
        if (m) {
            if (sticky) {
                m = m << 1 | 1;
                b2--;
            }
            N.w[0] = (uint32_t)m;
            N.w[1] = (uint32_t)(m >> 32);
            N.n = N.w[1] ? 2 : 1;
            r = big_to_double(&N, &M, b2);
        }
    } else {
        /* decimal: find the digits, then read the significant ones */
        long T = 0, F = 0, jf = -1, jl = -1;
        int dot = 0;
        for (e = p;; e++) {
            if (*e == '.' && !dot) {
                dot = 1;
                continue;
            }
            if (*e < '0' || *e > '9') break;
            if (*e != '0') {
                if (jf < 0) jf = T;
                jl = T;
            }
            T++;
            F += dot;
        }
        if (!T) {
            if (end) *end = (char *)s;
            return 0.0;
        }
        long x = exponent(e, 'e', &e);
        if (jf >= 0) {
            long nsig = jl - jf + 1, last = jl, E;
            if (nsig > MAXDIG) last = jf + MAXDIG - 1;
            E = (T - 1 - last) - F + x;
            if (nsig + E + (last - jl) > 309) { /* >= 10^309 */
                errno = ERANGE;
                r = HUGE_VAL;
            } else if (nsig + E + (last - jl) < -323) { /* < 10^-323 */
                errno = ERANGE;
            } else {
                uint32_t chunk = 0;
                int cn = 0;
                long j = 0;
                for (const char *q = p; j <= last; q++) {
                    if (*q == '.') continue;
                    if (j++ < jf) continue;
                    chunk = chunk * 10 + (uint32_t)(*q - '0');
                    if (++cn == 9 || j > last) {
                        big_muladd(&N, p10[cn], chunk);
                        chunk = 0;
                        cn = 0;
                    }
                }
                if (last < jl) { /* cut: the rest is not zero */
                    big_muladd(&N, 10, 1);
                    E--;
                }
                if (E >= 0) big_pow5(&N, E);
                else big_pow5(&M, -E);
                r = big_to_double(&N, &M, E);
            }
        }
    }
    if (end) *end = (char *)e;
    return neg ? -r : r;
}
