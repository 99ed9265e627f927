/*
** posix.h -- POSIX-port-only hooks used by main.c (not part of port.h).
*/
#ifndef ND_POSIX_H
#define ND_POSIX_H

void nd_posix_set_argv(char **argv); /* for reboot: re-exec with the same arguments */
void nd_posix_set_quiet(int quiet);  /* 1: no log lines on stderr */

/* Socket-table hooks of loop.c for the port's other files (udp.c). */
#include "nodus/port.h"
nd_sock *nd_posix_sock_add(int fd, nd_sock_fn fn, void *ud, int events); /* NULL: table full */
void nd_port_resolve_shutdown(void); /* at exit: end the resolver thread (resolve.c) */
int nd_posix_sock_fd(nd_sock *s);

/* Watch a non-socket fd (GPIO line events ...) for reading in the loop;
** nd_net_close on the result closes the fd. NULL when the table is full. */
struct nd_sock;
typedef void (*nd_posix_fd_fn)(struct nd_sock *s, int events, void *ud);
struct nd_sock *nd_posix_watch_fd(int fd, nd_posix_fd_fn fn, void *ud);

#endif
