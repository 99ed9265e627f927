/*
** libc_str.c -- the C library's string and memory functions on the board,
** small versions instead of newlib's.
**
** Why: newlib's are built for speed: word-at-a-time strlen/strcmp/strcpy/
** strchr/memset/memchr, unrolled memcpy/memmove, a two-way strstr (which
** also brings strnlen). Together ~2.7 KB of flash for a node whose strings
** are a shell line, a REST path or a config key of a few dozen bytes. Each
** function here is a plain byte loop of 10-40 bytes. Defined here, these
** symbols satisfy every reference before the linker looks in libc.a (check:
** the map's "Archive member included" list has no lib_a-memcpy, lib_a-strstr,
** lib_a-strcmp ...).
**
** The price is speed on long buffers: a byte loop copies ~1 byte per 3-4
** cycles where newlib's moves a word. The largest copies are lwIP's (one
** Ethernet frame, 1.5 KB: a few microseconds), far below anything the
** node's loop notices.
**
** strstr is the naive search, O(len(haystack) * len(needle)) in the worst
** case; every caller looks for a short literal in a short string.
**
** GCC turns loops that look like memset/memcpy/memmove (and, since GCC 12,
** strlen) into calls to those functions: inside memset itself that would be
** endless recursion. The pragma below switches that transformation off for
** this file (checked in the disassembly: no bl/b to memset, memcpy, memmove
** or strlen from these functions).
**
** ND_LIBC_NAME(x) (tests/unit/test_fw_libc.c) renames the functions so the
** host test can run them next to glibc's.
*/
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-tree-loop-distribute-patterns")
#endif

#ifndef ND_LIBC_NAME
#define ND_LIBC_NAME(x) x /* the board: the C library's own names */
#endif
#define ND_LIBC_STR_(x) #x
#define ND_LIBC_STR(x) ND_LIBC_STR_(x)

/* ---- memory --------------------------------------------------------------- */

/* forwards when the destination is below the source, else backwards, so an
   overlap is never read after it was written; compared as integers because
   comparing pointers into different objects is undefined */
void *ND_LIBC_NAME(memmove)(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if ((uintptr_t)d <= (uintptr_t)s) {
        while (n--) *d++ = *s++;
    } else {
        while (n--) d[n] = s[n];
    }
    return dst;
}

/* memcpy's buffers do not overlap, so memmove is a correct memcpy: one body
   for both (an alias costs no flash) */
void *ND_LIBC_NAME(memcpy)(void *restrict dst, const void *restrict src, size_t n)
    __attribute__((alias(ND_LIBC_STR(ND_LIBC_NAME(memmove)))));

void *ND_LIBC_NAME(memset)(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    while (n--) *d++ = (unsigned char)c;
    return dst;
}

int ND_LIBC_NAME(memcmp)(const void *a, const void *b, size_t n)
{
    const unsigned char *p = a, *q = b;
    for (; n; n--, p++, q++)
        if (*p != *q) return *p - *q;
    return 0;
}

void *ND_LIBC_NAME(memchr)(const void *s, int c, size_t n)
{
    const unsigned char *p = s;
    for (; n; n--, p++)
        if (*p == (unsigned char)c) return (void *)p;
    return NULL;
}

/* ---- strings ---------------------------------------------------------------- */

size_t ND_LIBC_NAME(strlen)(const char *s)
{
    const char *p = s;
    while (*p) p++;
    return (size_t)(p - s);
}

/* C compares strings as unsigned char */
int ND_LIBC_NAME(strcmp)(const char *a, const char *b)
{
    while (*a && *a == *b) a++, b++;
    return (unsigned char)*a - (unsigned char)*b;
}

int ND_LIBC_NAME(strncmp)(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        int d = (unsigned char)*a - (unsigned char)*b;
        if (d || !*a) return d;
    }
    return 0;
}

char *ND_LIBC_NAME(strcpy)(char *restrict dst, const char *restrict src)
{
    char *d = dst;
    while ((*d++ = *src++) != '\0') {}
    return dst;
}

/* the terminator is part of the string: strchr(s, 0) finds it */
char *ND_LIBC_NAME(strchr)(const char *s, int c)
{
    do {
        if (*s == (char)c) return (char *)s;
    } while (*s++);
    return NULL;
}

char *ND_LIBC_NAME(strrchr)(const char *s, int c)
{
    const char *r = NULL;
    do {
        if (*s == (char)c) r = s;
    } while (*s++);
    return (char *)r;
}

/* strspn and strcspn in one loop: the length of the prefix of s whose bytes
   are (in == 1) or are not (in == 0) in set */
static size_t span(const char *s, const char *set, int in)
{
    const char *p = s;
    for (; *p; p++) {
        const char *q = set;
        while (*q && *q != *p) q++;
        if ((*q != '\0') != in) break; /* *q != 0: *p is in set */
    }
    return (size_t)(p - s);
}

size_t ND_LIBC_NAME(strspn)(const char *s, const char *set)
{
    return span(s, set, 1);
}

size_t ND_LIBC_NAME(strcspn)(const char *s, const char *set)
{
    return span(s, set, 0);
}

char *ND_LIBC_NAME(strpbrk)(const char *s, const char *set)
{
    s += span(s, set, 0);
    return *s ? (char *)s : NULL;
}

/* naive search; the empty needle matches at the start */
char *ND_LIBC_NAME(strstr)(const char *h, const char *n)
{
    for (;; h++) {
        size_t i = 0;
        while (n[i] && h[i] == n[i]) i++;
        if (!n[i]) return (char *)h;
        if (!h[i]) return NULL; /* the haystack ended: no later match either */
    }
}
