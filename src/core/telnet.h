/*
** telnet.h -- the telnet door: nsh (nsh.h) over TCP, after a real login.
**
** `telnet` on opens it at start on `telnetport` (default 2323). Each
** connection is one nsh session of its own (cwd, environment overlay, $?),
** behind `login:` / `Password:` checked by the one auth module (auth.c: the
** same secret and the same per-address lockout as every other door) and
** holding one of the node's shared client slots (slots.c) for its life.
*/
#ifndef ND_TELNET_H
#define ND_TELNET_H

struct nd_node;

int nd_telnet_start(struct nd_node *n); /* when `telnet` is on; errors are logged */
void nd_telnet_stop(struct nd_node *n);
int nd_telnet_port(struct nd_node *n);     /* the bound port, -1 when closed */
int nd_telnet_sessions(struct nd_node *n); /* sessions holding a slot */

#endif
