/*
** icpeers.h -- the `icpeers` key: which InterCon peer gets which password.
**
** An outgoing InterCon call answers a "[password]" prompt only when the host
** the caller wrote after `>>` is listed here; otherwise anyone able to make
** the node dial a fake ShellCli would collect the password. The value is
** ';'-separated entries (spaces around them ignored):
**   name          send this node's appwd to that peer
**   name=secret   send secret instead (a per-peer password)
**   *             send appwd to any peer that asks (micrOS behaviour)
** "n/a" (the default) or an empty value lists nobody. A name matches the
** host exactly as written, in any case; two IPv4 literals match by value
** ("10.0.0.05" is 10.0.0.5). A listed name wins over `*`.
*/
#ifndef ND_ICPEERS_H
#define ND_ICPEERS_H

#include <stddef.h>

#include "nodus/opts.h" /* the limits; a port may override them */
#define ND_ICPEER_NAME_MAX 63  /* longest name (the InterCon host limit) */
#define ND_ICPEER_SECRET_MAX 63 /* longest per-peer secret */

enum { ND_ICPEER_NONE, ND_ICPEER_APPWD, ND_ICPEER_SECRET };

/* NULL when text is a valid icpeers value, else the error (never quotes a
** secret). The text is kept in a static buffer until the next call. An
** image without InterCon (ND_WITH_INTERCON 0) takes only a value naming
** nobody ("n/a", empty). */
const char *nd_icpeers_check(const char *text);

/* What to send to host when it asks for a password: ND_ICPEER_NONE,
** ND_ICPEER_APPWD, or ND_ICPEER_SECRET with the secret copied into out
** (NUL-terminated; ND_ICPEER_NONE when it does not fit). */
int nd_icpeers_pick(const char *policy, const char *host, char *out, size_t outn);

/* Zero n bytes in a way the compiler may not drop (memory about to be freed
** or reused must not keep a password). */
void nd_wipe(void *p, size_t n);

#endif
