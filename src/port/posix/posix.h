/*
** posix.h -- POSIX-port-only hooks used by main.c (not part of port.h).
*/
#ifndef ND_POSIX_H
#define ND_POSIX_H

void nd_posix_set_argv(char **argv); /* for reboot: re-exec with the same arguments */
void nd_posix_set_quiet(int quiet);  /* 1: no log lines on stderr */

#endif
