/*
** sntp.h -- the SNTP client that keeps the node clock right (sntp.c).
*/
#ifndef ND_SNTP_H
#define ND_SNTP_H

#include "node_int.h"

void nd_sntp_start(struct nd_node *n); /* first sync now, then periodic (ntpserver) */
void nd_sntp_stop(struct nd_node *n);
/* Where the client stands (nsh's `ntpupdate` waits on it). */
typedef struct nd_sntp_info {
    bool running;       /* a sync is under way */
    bool ok;            /* the last finished sync set the clock */
    uint64_t syncs;     /* successful syncs since start */
    int64_t offset_ms;  /* the correction the last one applied */
    const char *why;    /* the last failure ("no answer from"), NULL if none */
    char host[64];
    int port;
} nd_sntp_info;
void nd_sntp_status(struct nd_node *n, nd_sntp_info *out);

#endif
