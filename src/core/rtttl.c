/*
** rtttl.c -- RTTTL parsing (rtttl.h). Limits: durations 1..32 (powers of
** two), octaves 3..8, tempo 10..900 bpm; anything else is refused with the
** offending text, never guessed.
*/
#include <stdio.h>
#include <string.h>

#include "nodus/rtttl.h"
#include "nodus/value.h"

/* Octave 4 in centi-Hz (C4 .. B4), equal temperament, A4 = 440 Hz. */
static const long oct4[12] = {26163, 27718, 29366, 31113, 32963, 34923,
                              36999, 39200, 41530, 44000, 46616, 49388};

static void sp(const char **p)
{
    while (**p == ' ' || **p == '\t' || **p == '\r' || **p == '\n') (*p)++;
}

static int num(const char **p, int *out)
{
    int v = 0, k = 0;
    while (**p >= '0' && **p <= '9' && k < 5) v = v * 10 + (*(*p)++ - '0'), k++;
    if (!k) return 0;
    *out = v;
    return 1;
}

static int dur_ok(int d) { return d == 1 || d == 2 || d == 4 || d == 8 || d == 16 || d == 32; }

int nd_rtttl_open(nd_rtttl *r, const char *text, char *err, size_t errn)
{
    const char *c1 = strchr(text, ':');
    const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (!c2) {
        snprintf(err, errn, "RTTTL must be name:settings:notes");
        return ND_ESYNTAX;
    }
    size_t nl = (size_t)(c1 - text);
    if (nl >= sizeof r->name) nl = sizeof r->name - 1;
    memcpy(r->name, text, nl);
    r->name[nl] = 0;
    r->d = 4, r->o = 6, r->b = 63;
    const char *p = c1 + 1;
    while (p < c2) {
        sp(&p);
        if (p >= c2) break;
        char k = *p++;
        sp(&p);
        int v;
        if (*p++ != '=' || (sp(&p), !num(&p, &v))) {
            snprintf(err, errn, "bad RTTTL setting near '%.12s'", p - 1);
            return ND_ESYNTAX;
        }
        if ((k == 'd' && !dur_ok(v)) || (k == 'o' && (v < 3 || v > 8)) ||
            (k == 'b' && (v < 10 || v > 900)) || (k != 'd' && k != 'o' && k != 'b')) {
            snprintf(err, errn, "RTTTL setting %c=%d out of range (d=1..32, o=3..8, b=10..900)", k, v);
            return ND_ESYNTAX;
        }
        if (k == 'd') r->d = v;
        if (k == 'o') r->o = v;
        if (k == 'b') r->b = v;
        sp(&p);
        if (p < c2 && *p == ',') p++;
    }
    r->p = c2 + 1;
    return ND_OK;
}

int nd_rtttl_next(nd_rtttl *r, int *hz, int *ms, char *err, size_t errn)
{
    const char *p = r->p, *start;
    sp(&p);
    if (!*p) return 0;
    start = p;
    int d = r->d, o = r->o, dotted = 0;
    if (*p >= '0' && *p <= '9' && (!num(&p, &d) || !dur_ok(d))) goto bad;
    char n = *p >= 'A' && *p <= 'Z' ? (char)(*p + 32) : *p;
    static const char names[] = "c d ef g a b"; /* index = semitone */
    const char *at = n && n != ' ' ? strchr(names, n) : NULL;
    if (!at && n != 'p') goto bad;
    p++;
    int semi = at ? (int)(at - names) : 0;
    if (*p == '#') semi++, p++;
    if (*p == '.') dotted = 1, p++;
    if (*p >= '0' && *p <= '9' && (!num(&p, &o) || o < 3 || o > 8)) goto bad;
    if (*p == '.') dotted = 1, p++;
    sp(&p);
    if (*p == ',') p++;
    else if (*p) goto bad;
    long whole = 240000L / r->b; /* a whole note is 4 beats */
    *ms = (int)(whole / d * (dotted ? 3 : 2) / 2);
    if (n == 'p') {
        *hz = 0;
    } else {
        long c = oct4[semi % 12] * (semi == 12 ? 2 : 1); /* b# = c of the next octave */
        for (int i = 4; i < o; i++) c *= 2;
        for (int i = o; i < 4; i++) c /= 2;
        *hz = (int)((c + 50) / 100);
    }
    r->p = p;
    return 1;
bad:
    snprintf(err, errn, "bad RTTTL note '%.12s'", start);
    return ND_ESYNTAX;
}
