/*
** sched.h -- command pipelines and the node's schedules: boothook (once at
** start), timirq (every timirqseq ms) and cron (crontasks at exact seconds
** of local wall time, with time zones, sun times and catch-up).
*/
#ifndef ND_SCHED_H
#define ND_SCHED_H

#include "node_int.h"

/* ND_PIPE_MAX (commands in one pipeline) comes from nodus/opts.h */

/* Run a pipeline: commands separated by ';', pieces starting with '#' are
** comments, a value starting with "n/a" does nothing. Output is discarded;
** failures are logged "[WARN] exec_lm_pipe: <cmd>". Returns the number of
** commands that failed. */
int nd_pipe_run(struct nd_node *n, const char *text, const char *origin);

void nd_sched_start(struct nd_node *n);  /* boothook, timirq, cron */
void nd_sched_stop(struct nd_node *n);
/* The config changed (cron, crontasks, tz, utc, lat, lon): re-read it. */
void nd_sched_reload(struct nd_node *n);
/* The node clock moved (setclock, or the OS clock jumped): `before` is the
** node time (UTC s) just before the move. */
void nd_sched_clock_moved(struct nd_node *n, int64_t before);
/* Lines describing the cron table for `system cron`, into a dict value. */
int nd_sched_cron_info(struct nd_node *n, nd_arena *a, nd_value *dict);

#endif
