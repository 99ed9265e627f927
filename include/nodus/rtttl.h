/*
** rtttl.h -- Nokia RTTTL ringtone parser for the buzzer module.
**
**     name:d=4,o=5,b=100:8e6,8d#6,p,2a.5
**
** The parser walks the text in place, one note per call, so playing a tune
** is a stepped task that asks for the next note when the previous one ends:
** no note array, no allocation, any length of tune.
** Header defaults (d, o, b) follow the RTTTL spec: 4, 6, 63.
*/
#ifndef NODUS_RTTTL_H
#define NODUS_RTTTL_H

#include <stddef.h>

typedef struct nd_rtttl {
    const char *p;   /* next note (inside the caller's string) */
    int d, o, b;     /* default duration, octave, beats per minute */
    char name[32];   /* tune name (truncated) */
} nd_rtttl;

/* Parse the header. ND_OK, or ND_ESYNTAX with a message in err. The text
** must outlive the parser. */
int nd_rtttl_open(nd_rtttl *r, const char *text, char *err, size_t errn);
/* Next note: 1 with *hz (0 = pause) and *ms, 0 at the end, ND_ESYNTAX with
** a message on a malformed note. */
int nd_rtttl_next(nd_rtttl *r, int *hz, int *ms, char *err, size_t errn);

#endif
