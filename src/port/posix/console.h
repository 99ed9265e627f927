/*
** console.h -- the node's console: nsh on the terminal `nodus run` was
** started from (README "Where nsh runs").
**
** Started only when stdin is a terminal and --no-console was not given.
** Lines are edited with libedit's callback interface (ledit.h), fed from
** the loop's watch on fd 0: the loop never waits for the user. While the
** console is open, SIGINT (Ctrl-C) interrupts the foreground nsh command
** instead of stopping the node; at an idle prompt it drops the line being
** typed, and a second one in a row prints how to stop the node. SIGTERM
** still stops the node; `exit` at the console stops it too (cleanly,
** /etc/end.sh included); end of input (^D) closes the console only.
*/
#ifndef ND_CONSOLE_H
#define ND_CONSOLE_H

#include <stdbool.h>

struct nd_node;

bool nd_console_start(struct nd_node *n); /* false: not a terminal, or no memory */
void nd_console_stop(void);               /* terminal restored, history saved */

#endif
