/*
** run.h -- how a port drives a node: its life cycle and its event loop.
**
** For a port's main() and loop (src/port/<target>/); Load Modules use
** nodus/node.h. A port never reaches into struct nd_node: this header is all
** it needs, so a firmware port (a super-loop or one RTOS task) drives the
** same core the POSIX port does.
**
** The contract, in order:
**
**   1. Start. nd_fs_set_root (port.h), then n = nd_node_storage();
**      nd_node_init(n, ...); nd_node_start(n). When init fails: nd_node_free.
**      When start fails: nd_node_shutdown, then nd_node_free.
**
**   2. Run, until the core calls nd_loop_stop() (port.h: a reboot was asked)
**      or the port itself decides to stop (SIGTERM ...). Each turn:
**
**          next = nd_node_step(n, nd_port_mono_ms());
**          wait for I/O (or an interrupt) at most until `next`;
**          run the callbacks of the ready sockets;
**
**      nd_node_step runs every timer due at now_ms (tasks, sessions, the
**      scheduler, services), then hands queued pin edges (nd_hal_edge_push)
**      to their watchers, a bounded number per call so an edge storm cannot
**      starve the sockets. It returns the monotonic ms of the next deadline:
**      UINT64_MAX when nothing is armed, and a time <= now_ms when work is
**      already waiting (edges left over, a timer re-armed for now) -- the
**      port must then look at its I/O without sleeping and step again.
**      Calling it early is harmless (only what is due runs); calling it late
**      makes timers late, which `system timing` reports.
**      The deadline holds only until the next callback: a socket callback may
**      arm an earlier timer, so step after the socket callbacks of a turn and
**      never carry an old deadline past them.
**
**   3. Stop. nd_node_shutdown(n); reboot = nd_node_wants_reboot(n);
**      nd_node_free(n); then nd_port_reboot() when reboot is true.
**
** Never block. The whole node is one thread; the port's wait for I/O is the
** only place it may sleep, and that wait must end at `next`, on I/O, and on
** an edge pushed from an interrupt. nd_node_step itself never blocks. It is
** not re-entrant: never call it from a callback (socket, timer, edge).
*/
#ifndef NODUS_RUN_H
#define NODUS_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nd_node;

/* The process's node, zeroed and never freed: the core runs one node per
** process (the loop, the hardware and the log are process-wide), and static
** storage means a firmware port needs no heap block of that size. */
struct nd_node *nd_node_storage(void);

/* Life cycle. overrides are "key=value" strings applied for this run only
** (never saved); on failure err gets a one-line reason. */
int nd_node_init(struct nd_node *n, const char *const *overrides, int noverrides, char *err,
                 size_t errn);
int nd_node_start(struct nd_node *n);     /* open the doors, run boot work */
void nd_node_shutdown(struct nd_node *n); /* close the doors, flush config */
void nd_node_free(struct nd_node *n);     /* release what init took (not the storage) */

/* One loop turn of the core: see the contract above. */
uint64_t nd_node_step(struct nd_node *n, uint64_t now_ms);

/* After the loop ended: true when the stop was a reboot request. */
bool nd_node_wants_reboot(struct nd_node *n);

#endif
