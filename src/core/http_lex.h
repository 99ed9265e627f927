/*
** http_lex.h -- the byte-level pieces the parsers of request bytes share:
** the request parser (http.c), the REST tokeniser (rest_path.c), the
** multipart parser (multipart.c) and path confinement (safepath.c).
**
** ASCII only, on purpose: <ctype.h> depends on the locale, and a byte
** >= 0x80 must never count as a letter or a digit in a name or a token.
** Header-only and inline so that each parser stays a leaf: none of them
** calls into another for a character class.
*/
#ifndef ND_HTTP_LEX_H
#define ND_HTTP_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "text.h"

static inline bool nd_lex_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static inline bool nd_lex_alpha(unsigned char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
/* optional white space of RFC 9110 5.6.3 */
static inline bool nd_lex_ows(unsigned char c) { return c == ' ' || c == '\t'; }
/* token characters of RFC 9110 5.6.2: method and header names */
static inline bool nd_lex_tchar(unsigned char c)
{
    return nd_lex_digit(c) || nd_lex_alpha(c) || (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static inline nd_span nd_lex_trim_ows(const char *p, size_t n)
{
    while (n && nd_lex_ows((unsigned char)*p)) p++, n--;
    while (n && nd_lex_ows((unsigned char)p[n - 1])) n--;
    return (nd_span){p, n};
}

/* Decodes "%XX" at s[i] (i indexes the '%'); -1 when invalid, truncated,
** or %00: a NUL, raw or escaped, is refused everywhere (see
** nd_http_pct_decode and nd_rest_tokenize). */
static inline int nd_lex_pct(nd_span s, size_t i)
{
    if (s.n - i < 3) return -1;
    int hi = nd_hex_val((unsigned char)s.p[i + 1]), lo = nd_hex_val((unsigned char)s.p[i + 2]);
    if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) return -1;
    return hi * 16 + lo;
}

#endif
