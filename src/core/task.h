/*
** task.h (core) -- the task table behind `&`, `&&`, `task ...` and the
** stepped-task API of nodus/task.h.
*/
#ifndef ND_TASK_INT_H
#define ND_TASK_INT_H

#include "cmd.h"
#include "node_int.h"
#include "nodus/task.h"

#include "nodus/opts.h" /* the limits; a port may override them */
#define ND_TASK_PERIOD_MIN 20        /* ms, as micrOS */
#define ND_TASK_PERIOD_MAX 604800000 /* ms: one week */

int nd_task_builtin(struct nd_node *n, nd_cmd *c, nd_buf *out);
int nd_task_start(struct nd_node *n, nd_cmd *c, bool json, nd_buf *out);
void nd_tasks_free(struct nd_node *n);

/* A stepped task started by the core itself (InterCon `con.<host>.<mod>`):
** admitted like `&` tasks (queue limit, one per tag) and micrOS's reply
** dict written to out ({'<tag>': 'Starting'}, 'Already running' or
** '[aio] Task queue full: N'); *x is the door's ND_X_* result. drop(ud)
** runs when the task is killed or freed while still active, so the owner
** releases what its last step would have. Returns NULL unless started;
** if schedule() fails the reply says Starting but the task is already
** finished with its error. */
nd_task *nd_task_open(struct nd_node *n, const char *tag, nd_step_fn step, void *ud,
                      void (*drop)(void *ud), uint32_t first_ms, bool json, nd_buf *out, int *x);
/* A call that cannot finish at once (a Lua function that sleeps) goes on as
** steps of the task that runs it: take_current gives the `&`/`&&` task whose
** call the dispatcher runs now, once (nested calls get NULL); continue makes
** that task run step(ud) first_ms after this run instead of its line, until
** the step returns ND_TASK_DONE -- then a `&&` task goes back to its period.
** drop(ud) runs when the task is killed or freed before that. */
nd_task *nd_task_take_current(struct nd_node *n);
void nd_task_continue(nd_task *t, nd_step_fn step, void *ud, void (*drop)(void *ud), int32_t first_ms);
const char *nd_task_tag(nd_task *t);
bool nd_task_active(struct nd_node *n, const char *tag); /* a task of that tag is running */
/* Run the task's next step ms from now, instead of when it asked. */
void nd_task_wake(nd_task *t, uint32_t ms);
int nd_tasks_active(struct nd_node *n); /* running tasks counted against aioqueue */
/* The table in creation order (nsh's ps/kill/killall). */
typedef void (*nd_task_visit_fn)(void *ud, const char *tag, bool active);
void nd_task_visit(struct nd_node *n, nd_task_visit_fn fn, void *ud);
/* Remove a task as `task kill <tag>` does (its drop runs if active). */
int nd_task_kill_tag(struct nd_node *n, const char *tag); /* 0 or ND_ENOTFOUND */
/* Tag of the first active task whose tag contains text (nsh.* excluded). */
int nd_task_find_tag(struct nd_node *n, const char *text, char *tag, size_t len);

/* Task-run lateness since the last reset, in microseconds. The fields are
** in nd_node_timing's out[] order: it copies the struct whole. */
typedef struct nd_task_timing {
    uint64_t count, p50_us, p99_us, max_us;
    uint64_t runs, run_us; /* all runs and their total run time */
} nd_task_timing;
void nd_task_timing_get(struct nd_node *n, nd_task_timing *t, bool reset);
/* Cumulative lateness histogram for /metrics: cum[i] = runs late by less
** than le_us[i] (ascending, multiples of 50 us); count and sum of all. */
void nd_task_late_hist(struct nd_node *n, const uint32_t *le_us, int nb, uint64_t *cum,
                       uint64_t *count, uint64_t *sum_us);

#endif
