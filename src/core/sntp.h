/*
** sntp.h -- the SNTP client that keeps the node clock right (sntp.c).
*/
#ifndef ND_SNTP_H
#define ND_SNTP_H

#include "node_int.h"

void nd_sntp_start(struct nd_node *n); /* first sync now, then periodic (ntpserver) */
void nd_sntp_stop(struct nd_node *n);

#endif
