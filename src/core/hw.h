/*
** hw.h -- the node's hardware life cycle (hw.c): open the backend chosen by
** `hwbackend`, arm the pin interrupts irq1..irq4 (irq.c), and the loop's
** hook that hands queued edges to their watchers.
*/
#ifndef ND_HW_H
#define ND_HW_H

#include <stdbool.h>

struct nd_node;

#include "nodus/opts.h" /* the limits; a port may override them */

int nd_hw_start(struct nd_node *n);  /* before boothook: modules may touch hardware there */
void nd_hw_stop(struct nd_node *n);
/* Loop hook: true when edges wait (the loop must not sleep in poll). */
bool nd_hw_pending(void);
/* Loop hook: deliver up to ND_HW_EDGES_PER_TURN edges; log drops (once a second at most). */
void nd_hw_poll(struct nd_node *n);

#endif
