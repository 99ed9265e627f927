/*
** notify.h -- the notify service's life cycle, for the node (node.c). Its
** interface for modules is include/nodus/notify.h.
*/
#ifndef ND_NOTIFY_INT_H
#define ND_NOTIFY_INT_H

#include "nodus/notify.h"

struct nd_node;
void nd_notify_free(struct nd_node *n); /* stop every delivery, free the service */

#endif
