/*
** nsh_job.c -- `cmd &`: nsh jobs are tasks of the node's one task table.
**
** A job is a stepped task tagged "nsh.<id>" (task.c's nd_task_open): it is
** admitted against `aioqueue` like any micrOS task, `task list` in the
** micrOS shell shows it (the list's text is unchanged: the tag is simply
** one more row), `task kill nsh.3` ends it, and nsh's `ps` shows micrOS's
** tasks next to the jobs. Each task step is one step of the job's run (a
** bounded slice of its lines), so a job that loops forever shares the loop
** and is killed between two commands.
**
** States are distinct: running, held (steps do nothing until resume),
** stopping (kill asked; the next step ends it), done(status). Ids count up
** and are never reused; the last ND_NSH_JOBS_DONE finished jobs stay listed
** for ps and wait.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nodus/port.h"
#include "nsh_int.h"
#include "task.h"

#define IDLE_MS 3600000 /* a job waiting for an event: woken by it (nd_task_wake) */

const char *nd_nsh_job_state(const nd_nsh_job *j, char *buf, size_t n)
{
    switch (j->state) {
    case ND_NSH_J_RUNNING: return "running";
    case ND_NSH_J_HELD: return "held";
    case ND_NSH_J_STOPPING: return "stopping";
    default: snprintf(buf, n, "done(%d)", j->status); return buf;
    }
}

nd_nsh_job *nd_nsh_job_find(struct nd_node *n, int id)
{
    for (nd_nsh_job *j = n->nsh ? n->nsh->jobs : NULL; j; j = j->next)
        if (j->id == id) return j;
    return NULL;
}

static void purge_done(nd_nsh_all *nn)
{
    for (;;) {
        int done = 0;
        nd_nsh_job **oldest = NULL;
        for (nd_nsh_job **pp = &nn->jobs; *pp; pp = &(*pp)->next)
            if ((*pp)->state == ND_NSH_J_DONE) {
                if (!oldest) oldest = pp;
                done++;
            }
        if (done <= ND_NSH_JOBS_DONE || !oldest) return;
        nd_nsh_job *j = *oldest;
        *oldest = j->next;
        free(j);
    }
}

/* The job ended (its run finished, or its task was killed). */
static void job_done(nd_nsh_job *j, int status, bool killed)
{
    if (j->run) {
        nd_nsh_run_free(j->run);
        j->run = NULL;
    }
    nd_nsh_env_free(&j->ctx.env);
    j->state = ND_NSH_J_DONE;
    j->status = status;
    j->end_ms = nd_port_mono_ms();
    j->task = NULL;
    if (j->sh) {
        char line[200];
        int k;
        if (killed) k = snprintf(line, sizeof line, "[%d]+ Killed %s\n", j->id, j->cmd);
        else if (status) k = snprintf(line, sizeof line, "[%d]+ Done (%d) %s\n", j->id, status, j->cmd);
        else k = snprintf(line, sizeof line, "[%d]+ Done %s\n", j->id, j->cmd);
        nd_nsh_session_write(j->sh, line, (size_t)(k < (int)sizeof line ? k : (int)sizeof line - 1));
    }
}

static int32_t job_step(nd_task *t, void *ud)
{
    nd_nsh_job *j = ud;
    if (j->state == ND_NSH_J_HELD) return IDLE_MS; /* resume wakes it */
    nd_nsh_run *r = j->run;
    if (j->state == ND_NSH_J_STOPPING) {
        r->stop = true;
        r->stop_status = 143;
    }
    if (nd_nsh_run_step(r)) {
        int st = j->ctx.status;
        bool killed = j->state == ND_NSH_J_STOPPING;
        nd_task_printf(t, "%s (%d): %s", killed ? "Killed" : "Done", st, j->cmd);
        job_done(j, st, killed);
        nd_nsh_all *nn = nd_task_node(t)->nsh;
        if (nn) purge_done(nn);
        return ND_TASK_DONE;
    }
    if (r->due == UINT64_MAX) return IDLE_MS;
    uint64_t now = nd_port_mono_ms();
    return r->due > now ? (int32_t)(r->due - now > IDLE_MS ? IDLE_MS : r->due - now) : 0;
}

/* The task was freed while active (`task kill nsh.N`, node shutdown). */
static void job_drop(void *ud)
{
    nd_nsh_job *j = ud;
    j->task = NULL;
    job_done(j, 143, true);
}

int nd_nsh_job_start(nd_nsh_run *r, const char *line, size_t len)
{
    struct nd_node *n = r->node;
    nd_nsh_all *nn = nd_nsh_node_get(n);
    nd_nsh_job *j = nn ? calloc(1, sizeof *j) : NULL;
    if (!j) {
        nd_nsh_run_err(r, "job: out of memory");
        return ND_ENOMEM;
    }
    j->id = nn->next_job++;
    snprintf(j->cmd, sizeof j->cmd, "%.*s", (int)(len > 127 ? 127 : len), line);
    j->sh = r->sh;
    j->state = ND_NSH_J_RUNNING;
    j->start_ms = nd_port_mono_ms();
    j->start_wall_ms = nd_port_wall_ms() + n->clock_offset_ms;
    snprintf(j->ctx.cwd, sizeof j->ctx.cwd, "%s", r->ctx->cwd);
    j->run = nd_nsh_run_new(n, r->sh, &j->ctx);
    if (!j->run || nd_nsh_env_copy(&j->ctx.env, &r->ctx->env) ||
        nd_nsh_run_line(j->run, line, len)) {
        nd_nsh_run_err(r, "job: out of memory");
        goto fail;
    }
    j->run->job = j;
    j->run->authed = r->authed; /* the starter's rights, even after its session closed */
    char tag[24];
    snprintf(tag, sizeof tag, "nsh.%d", j->id);
    nd_buf reply;
    nd_buf_init(&reply, 256);
    int x;
    /* appended before it starts, so a drop during admission finds it listed */
    nd_nsh_job **tail = &nn->jobs;
    while (*tail) tail = &(*tail)->next;
    *tail = j;
    j->task = nd_task_open(n, tag, job_step, j, job_drop, 0, false, &reply, &x);
    if (!j->task) {
        const char *msg = nd_buf_cstr(&reply);
        nd_nsh_run_err(r, "job not started: %.*s", (int)strcspn(msg, "\n"), msg);
        nd_buf_free(&reply);
        for (nd_nsh_job **pp = &nn->jobs; *pp; pp = &(*pp)->next)
            if (*pp == j) {
                *pp = j->next;
                break;
            }
        goto fail;
    }
    nd_buf_free(&reply);
    char msg[24];
    int k = snprintf(msg, sizeof msg, "[%d]\n", j->id);
    nd_nsh_run_out(r, msg, (size_t)k);
    return j->id;
fail:
    nd_nsh_run_free(j->run);
    nd_nsh_env_free(&j->ctx.env);
    free(j);
    return ND_ELIMIT;
}

void nd_nsh_job_kill(nd_nsh_job *j)
{
    if (j->state == ND_NSH_J_DONE || !j->task) return;
    j->state = ND_NSH_J_STOPPING;
    if (!j->run || !j->run->in_step) nd_task_wake(j->task, 0);
}

void nd_nsh_job_hold(nd_nsh_job *j, bool hold)
{
    if (!j->task) return;
    if (hold && j->state == ND_NSH_J_RUNNING) j->state = ND_NSH_J_HELD;
    else if (!hold && j->state == ND_NSH_J_HELD) {
        j->state = ND_NSH_J_RUNNING;
        if (!j->run || !j->run->in_step) nd_task_wake(j->task, 0);
    }
}

void nd_nsh_jobs_session_closed(struct nd_node *n, nd_nsh *sh)
{
    for (nd_nsh_job *j = n->nsh ? n->nsh->jobs : NULL; j; j = j->next)
        if (j->sh == sh) {
            j->sh = NULL;
            if (j->run) j->run->sh = NULL;
        }
}
