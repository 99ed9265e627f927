/*
** safepath.c -- path confinement for the file endpoints (see safepath.h):
** a relative path is normalised without touching the file system, and
** refused when it would leave its root.
*/
#include <stdint.h>
#include <string.h>

#include "http_lex.h"
#include "safepath.h"

static bool is_name_char(unsigned char c)
{
    return nd_lex_alpha(c) || nd_lex_digit(c) || c == '.' || c == '_' || c == '-';
}

/* Walks the segments of in[0..n) right to left: a ".." drops the nearest
** kept segment to its left, so only segments that survive are ever
** written (a long path that resolves to a short one fits a short buffer).
** With out, writes the result so that it ends at out[len]; returns the
** result's length, or SIZE_MAX when a ".." would leave the root. */
static size_t resolve(const char *in, size_t n, char *out, size_t len)
{
    size_t got = 0, skip = 0, e = n;
    for (;;) {
        size_t s = e;
        while (s > 0 && in[s - 1] != '/') s--;
        size_t sl = e - s;
        if (sl == 0 || (sl == 1 && in[s] == '.')) {
            /* empty or "." segment: nothing */
        } else if (sl == 2 && in[s] == '.' && in[s + 1] == '.') {
            skip++;
        } else if (skip) {
            skip--;
        } else {
            if (got) {
                got++;
                if (out) out[len - got] = '/';
            }
            got += sl;
            if (out) memcpy(out + len - got, in + s, sl);
        }
        if (s == 0) break;
        e = s - 1;
    }
    return skip ? SIZE_MAX : got;
}

int nd_http_safe_path(const char *in, char *out, size_t cap)
{
    if (!out || cap == 0) return ND_ELIMIT;
    out[0] = 0;
    if (!in || in[0] == '/') return ND_EINVAL;
    size_t n = 0;
    for (; in[n]; n++)
        if (in[n] != '/' && !is_name_char((unsigned char)in[n])) return ND_EINVAL;
    size_t len = resolve(in, n, NULL, 0);
    if (len == SIZE_MAX) return ND_EINVAL;
    if (len >= cap) return ND_ELIMIT;
    resolve(in, n, out, len);
    out[len] = 0;
    return ND_OK;
}

