/*
** devip.h -- the `devip` config key: the node's own address, kept current.
*/
#ifndef ND_DEVIP_H
#define ND_DEVIP_H

struct nd_node;

/* Write the address now when it differs, then re-check it periodically. */
void nd_devip_start(struct nd_node *n);
/* Stop the periodic check (idempotent; before the node's timers go). */
void nd_devip_stop(struct nd_node *n);

#endif
