/*
** task.h -- long-running work for Load Modules, without blocking the loop.
**
** Any module function can already run in the background from the shell
** (`mod func &`, `&&1000`). For work that has its own rhythm -- an
** animation, a fade, a polling loop -- a module spawns a *stepped task*: a
** function the loop calls again and again. Each call does a small piece of
** work and returns the delay in ms until the next step, or ND_TASK_DONE.
** It never sleeps and never loops for long: the loop measures every step
** and flags the task when one step overruns the `taskbudget` config key.
**
** A stepped task is listed, shown and killed like any other task (`task
** list`, `task show <tag>`, `task kill <tag>`) and counts against the task
** queue (`aioqueue`), as micrOS's native LM tasks do.
*/
#ifndef NODUS_TASK_H
#define NODUS_TASK_H

#include <stdint.h>

#include "nodus/module.h"

#define ND_TASK_DONE (-1)

typedef struct nd_task nd_task;
/* One step: return ms until the next step (0 = as soon as the loop can),
** or ND_TASK_DONE to finish. */
typedef int32_t (*nd_step_fn)(nd_task *t, void *ud);

/* Start a stepped task tagged `tag` (e.g. "robustness.counter"), first step
** after first_ms. Sets the call's return value to micrOS's reply
** {'<tag>': 'Starting'} (or 'Already running'; a full queue fails the call
** with "[aio] Task queue full: N"). */
int nd_task_spawn(nd_call *c, const char *tag, nd_step_fn step, void *ud, uint32_t first_ms);

/* Set the task's output (what `task show <tag>` prints). */
void nd_task_printf(nd_task *t, const char *fmt, ...);
/* Record an error: the task stops after this step and shows the message. */
void nd_task_fail(nd_task *t, const char *fmt, ...);
struct nd_node *nd_task_node(nd_task *t);
uint64_t nd_task_runs(nd_task *t); /* steps run so far */

#endif
