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
void nd_posix_sock_forget(nd_sock *s); /* unwatch without closing the fd */
/* SIGINT calls fn from the loop instead of stopping the node (NULL: stops
** it again). The console (console.c) routes Ctrl-C to nsh this way. */
void nd_posix_on_sigint(void (*fn)(void));
/* SIGINT/SIGTERM stop the loop, SIGPIPE ignored; main() calls it before the node starts. */
void nd_posix_signals(void);
/* Set by the console while it is open: log lines for the terminal go
** through it (printed above the line being edited), else to stderr. */
extern void (*nd_posix_log_hook)(const char *line);

/* Watch a non-socket fd (GPIO line events ...) for reading in the loop;
** nd_net_close on the result closes the fd. NULL when the table is full. */
struct nd_sock;
typedef void (*nd_posix_fd_fn)(struct nd_sock *s, int events, void *ud);
struct nd_sock *nd_posix_watch_fd(int fd, nd_posix_fd_fn fn, void *ud);

/* The linux hardware backend's 1-Wire (w1_linux.c) and UART (uart_linux.c). */
#include <stddef.h>
#include <stdint.h>
int nd_lx_ow_search(int pin, uint64_t *roms, int max);
int nd_lx_ow_xfer(int pin, uint64_t rom, const uint8_t *w, size_t wn, uint8_t *r, size_t rn);
int nd_lx_uart_open(int tx, int rx, uint32_t baud);
int nd_lx_uart_write(int id, const uint8_t *p, size_t n);
int nd_lx_uart_read(int id, uint8_t *p, size_t max);
void nd_lx_uart_close(int id);

#endif
