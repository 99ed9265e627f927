/*
** life.h -- the node's life cycle around nsh: boot scripts, the end
** script, and recovery mode.
**
** Boot: micrOS's boothook first (sched.c), then /etc/init.sh, then
** /local/init.sh (the user's; updates never touch /local), each when it
** exists, as nsh scripts without a door (output to the log). "/" is the
** state directory; etc/, local/ and tmp/ are made at start.
**
** Shutdown: /etc/end.sh on every clean stop and every reboot, while the
** loop still turns (a script may sleep or talk to the network), for at most
** ND_LIFE_END_MS.
**
** Recovery mode skips the boothook and both init scripts, so a node whose
** boot work hangs or crashes can still be reached and fixed. Three ways in:
**   - `nodus run --recovery` (the port calls nd_life_force_recovery);
**   - the marker file `recovery` in the state directory (the node stays in
**     recovery while it exists: remove it to boot normally);
**   - automatically, after ND_LIFE_SHORT_BOOTS boots in a row that ended
**     before ND_LIFE_GOOD_MS of uptime (crash or reboot loops). The count
**     lives in data/bootcount: bumped at every start, zeroed once the node
**     has been up ND_LIFE_GOOD_MS and on an operator's stop (SIGTERM), which
**     says nothing about the boot being bad. A reboot does not zero it: a
**     boot script that reboots the node is exactly a loop to break.
** Recovery is logged, shown by `system info` (key "recovery") and `lshw`.
*/
#ifndef ND_LIFE_H
#define ND_LIFE_H

#include <stdbool.h>

struct nd_node;

#include "nodus/opts.h" /* the limits; a port may override them */
#define ND_LIFE_MARKER "recovery" /* state-dir file that asks for recovery */
#define ND_LIFE_COUNT_FILE "data/bootcount"

/* Before nd_node_start: boot in recovery mode (why: "--recovery"). */
void nd_life_force_recovery(struct nd_node *n, const char *why);
/* nd_node_start, before the boothook: directories, boot count, the decision. */
void nd_life_boot(struct nd_node *n);
/* nd_node_start, once the doors are open: the init scripts. */
void nd_life_start(struct nd_node *n);
/* For the port, after its loop ended (stop or reboot): starts /etc/end.sh.
** true: it runs -- turn the loop again (nd_loop_run) until it stops it,
** at the latest after ND_LIFE_END_MS; false: go on to nd_node_shutdown. */
bool nd_node_stopping(struct nd_node *n);
/* nd_node_recovery() (nsh.h) and nd_node_recovery_why() (nodus/node.h)
** tell whether and why the node runs in recovery mode. */
void nd_life_free(struct nd_node *n);

#endif
