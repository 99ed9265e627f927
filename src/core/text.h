/*
** text.h -- the text layer every parser and writer of the core shares:
** byte spans, ASCII character helpers, the one UTF-8 decoder, and the one
** JSON string escaper.
**
** Everything here works on byte ranges (pointer + length), never reads past
** them, and is ASCII-only on purpose: <ctype.h> depends on the locale, and
** a byte >= 0x80 must never count as a letter, a digit or white space.
**
** UTF-8 is "strict" as CPython's decoder reads it: overlong forms,
** surrogates (U+D800..U+DFFF) and code points above U+10FFFF are invalid.
** nd_utf8_valid() itself is declared in nodus/value.h (module authors use it).
*/
#ifndef ND_TEXT_H
#define ND_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nodus/value.h"

/* ---- spans -------------------------------------------------------------- */

/* A byte range inside someone else's buffer; not NUL-terminated. */
typedef struct nd_span {
    const char *p;
    size_t n;
} nd_span;

nd_span nd_span_of(const char *s);              /* a C string as a span */
bool nd_span_eq(nd_span s, const char *lit);     /* s == lit */
bool nd_span_ieq(nd_span s, const char *lit);    /* s == lit, ASCII letters case-insensitive */
bool nd_span_prefix(nd_span s, const char *lit); /* s starts with lit */
const char *nd_span_chr(nd_span s, char c);      /* first c in s, or NULL */
/* s without leading and trailing ASCII white space (" \t\r\n\v\f"). */
nd_span nd_span_trim(nd_span s);

/* ---- ASCII characters ------------------------------------------------------ */

/* ASCII white space, as C's isspace in the "C" locale and Python's
** whitespace between tokens: " \t\n\r\v\f" (c may be -1, "no byte"). */
static inline bool nd_is_space(int c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static inline unsigned char nd_ascii_lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/* The value of a hex digit, -1 for anything else (including -1, "no byte"). */
static inline int nd_hex_val(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* ---- UTF-8 -------------------------------------------------------------- */

/* Why a sequence is bad, in the terms CPython's decoder reports. */
enum {
    ND_UTF8_START = -1, /* invalid start byte */
    ND_UTF8_CONT = -2,  /* invalid continuation byte (also overlongs, surrogates, > U+10FFFF) */
    ND_UTF8_END = -3,   /* unexpected end of data: the range ends inside the sequence */
};

/* Decode the sequence at s[0..n): its length (1..4) with the code point in
** *cp, or one of ND_UTF8_* (n == 0 gives ND_UTF8_END). */
int nd_utf8_next(const char *s, size_t n, uint32_t *cp);
/* Encode cp (< 0x110000) at d, which has room for 4 bytes; returns the length. */
size_t nd_utf8_put(char *d, uint32_t cp);
/* s[0..n) was cut at n: the length without a multi-byte sequence the cut
** left incomplete (n itself when the cut fell between characters). */
size_t nd_utf8_cut(const char *s, size_t n);

/* ---- JSON strings --------------------------------------------------------- */
/* Exactly as Python's json.dumps writes them with its defaults (ensure_ascii):
** \" \\ \n \r \t \b \f by name, other control characters, DEL and every
** non-ASCII character as \uXXXX (lower-case hex), above U+FFFF as a UTF-16
** surrogate pair; printable ASCII as is. Bytes that are not valid UTF-8 come
** out as \ufffd, so the result is always valid JSON whatever the input.
** Each returns ND_OK or the first nd_buf error (ND_ELIMIT, ND_ENOMEM). */

int nd_json_escape(nd_buf *b, const char *p, size_t n);       /* "..." literal */
int nd_json_escape_chars(nd_buf *b, const char *p, size_t n); /* the same without the quotes */
/* One code point, or one UTF-16 code unit: a lone surrogate (which
** json.loads accepts from \ud800) is written back as \ud800. */
int nd_json_escape_cp(nd_buf *b, uint32_t cp);

#endif
