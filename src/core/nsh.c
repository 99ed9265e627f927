/*
** nsh.c -- nsh sessions: what the doors (console, telnet, `sh` in the
** micrOS shell, boot scripts) call, and the node-wide nsh state.
**
** A session owns a cwd, an environment overlay, `$?`, a bounded history and
** at most one foreground run. A line typed while that run waits goes to a
** waiting `read`, or is refused (ND_EAGAIN): the door keeps it. Door
** callbacks (write, idle, exit) may close the session from inside; the
** session then only marks itself closing and is freed when the step that
** called the door unwinds, so nothing runs on freed memory.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nodus/port.h"
#include "nsh_int.h"

struct nd_nsh {
    nd_nsh *next;
    struct nd_node *node;
    nd_nsh_door door;
    bool has_door;
    nd_nsh_ctx ctx;
    nd_nsh_run *run; /* foreground */
    bool full;       /* the door is above its high-water mark */
    bool closing;
    int depth;       /* inside a step of this session: freeing waits */
    char *hist[ND_NSH_HIST_MAX];
    int nhist, hist_first;
    char prompt[ND_NSH_PATH_MAX + 4];
    /* door-less (boot script): output goes to the log line by line */
    char log[240];
    size_t loglen;
    void (*done)(void *ud, int status);
    void *done_ud;
};

/* ---- node-wide state ------------------------------------------------------- */
nd_nsh_all *nd_nsh_node_get(struct nd_node *n)
{
    if (!n->nsh) {
        n->nsh = calloc(1, sizeof *n->nsh);
        if (!n->nsh) return NULL;
        n->nsh->next_job = 1;
        nd_nsh_env_seed(n, n->nsh);
    }
    return n->nsh;
}

/* ---- sessions ---------------------------------------------------------------- */
static void session_unlink(nd_nsh *sh)
{
    nd_nsh_all *nn = sh->node->nsh;
    if (!nn) return;
    for (nd_nsh **pp = &nn->sessions; *pp; pp = &(*pp)->next)
        if (*pp == sh) {
            *pp = sh->next;
            break;
        }
    nd_nsh_jobs_session_closed(sh->node, sh);
}

static void session_free(nd_nsh *sh)
{
    if (sh->run) {
        nd_nsh_run_free(sh->run);
        sh->run = NULL;
    }
    nd_nsh_env_free(&sh->ctx.env);
    nd_nsh_clear_history(sh);
    free(sh);
}

void nd_nsh_node_free(struct nd_node *n)
{
    nd_nsh_all *nn = n->nsh;
    if (!nn) return;
    /* jobs end with their tasks (nd_task_kill_tag calls their drop) */
    for (nd_nsh_job *j = nn->jobs; j; j = j->next)
        if (j->task) {
            char tag[24];
            snprintf(tag, sizeof tag, "nsh.%d", j->id);
            nd_task_kill_tag(n, tag);
        }
    while (nn->jobs) {
        nd_nsh_job *j = nn->jobs;
        nn->jobs = j->next;
        nd_nsh_run_free(j->run);
        nd_nsh_env_free(&j->ctx.env);
        free(j);
    }
    while (nn->sessions) { /* a door that forgot to close: its memory goes */
        nd_nsh *sh = nn->sessions;
        nn->sessions = sh->next;
        session_free(sh);
    }
    nd_nsh_env_free(&nn->env);
    free(nn);
    n->nsh = NULL;
}

static nd_nsh *session_new(struct nd_node *n, const nd_nsh_door *door)
{
    nd_nsh_all *nn = nd_nsh_node_get(n);
    nd_nsh *sh = nn ? calloc(1, sizeof *sh) : NULL;
    if (!sh) return NULL;
    sh->node = n;
    if (door) {
        sh->door = *door;
        sh->has_door = true;
    }
    snprintf(sh->ctx.cwd, sizeof sh->ctx.cwd, "/");
    sh->next = nn->sessions;
    nn->sessions = sh;
    return sh;
}

nd_nsh *nd_nsh_open(struct nd_node *n, const nd_nsh_door *door)
{
    if (!door || !door->write) return NULL;
    return session_new(n, door);
}

nd_nsh *nd_nsh_session_next(nd_nsh *sh) { return sh->next; }
nd_nsh_run *nd_nsh_session_run(nd_nsh *sh) { return sh->run; }
nd_nsh_ctx *nd_nsh_session_ctx(nd_nsh *sh) { return &sh->ctx; }
bool nd_nsh_session_room(nd_nsh *sh) { return !sh->full; }
bool nd_nsh_session_authed(nd_nsh *sh) { return !sh->has_door || sh->door.authed; }
bool nd_nsh_session_has_door(nd_nsh *sh) { return sh->has_door; }

static void log_flush(nd_nsh *sh)
{
    if (!sh->loglen) return;
    sh->log[sh->loglen] = 0;
    nd_log(sh->node, "[nsh] %s", sh->log);
    sh->loglen = 0;
}

void nd_nsh_session_write(nd_nsh *sh, const char *p, size_t n)
{
    if (sh->closing) return;
    if (sh->has_door) {
        /* the door may close the session from inside write (a job's
        ** output, outside any step of this session): free it after */
        sh->depth++;
        bool ok = sh->door.write(sh->door.ud, p, n);
        sh->depth--;
        if (!ok) sh->full = true;
        if (sh->closing && !sh->depth) session_free(sh);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\n') {
            log_flush(sh);
            continue;
        }
        if (sh->loglen + 1 >= sizeof sh->log) log_flush(sh);
        sh->log[sh->loglen++] = p[i];
    }
}

/* The foreground run ended: prompt, exit, or (boot script) report. */
static void finish_fg(nd_nsh *sh)
{
    nd_nsh_run *r = sh->run;
    sh->run = NULL;
    bool ex = r->exit_session;
    int st = sh->ctx.status;
    nd_nsh_run_free(r);
    if (sh->closing) return;
    if (!sh->has_door) {
        log_flush(sh);
        void (*done)(void *, int) = sh->done;
        void *ud = sh->done_ud;
        session_unlink(sh);
        sh->closing = true;
        if (done) done(ud, st);
        return;
    }
    sh->depth++; /* a callback that closes the session frees it after we return */
    if (ex && sh->door.exit) sh->door.exit(sh->door.ud, st);
    else if (sh->door.idle) sh->door.idle(sh->door.ud);
    sh->depth--;
}

static void fg_kick(nd_nsh_run *r)
{
    nd_nsh *sh = r->owner;
    sh->depth++;
    bool done = nd_nsh_run_step(r);
    sh->depth--;
    if (done && sh->run == r) finish_fg(sh);
    if (sh->closing && sh->depth == 0) session_free(sh);
}

static void hist_add(nd_nsh *sh, const char *line, size_t n)
{
    size_t i = 0;
    while (i < n && (line[i] == ' ' || line[i] == '\t')) i++;
    if (i == n) return;
    const char *last = sh->nhist ? nd_nsh_history_at(sh, sh->nhist - 1) : NULL;
    if (last && strlen(last) == n && !memcmp(last, line, n)) return;
    char *c = malloc(n + 1);
    if (!c) return;
    memcpy(c, line, n);
    c[n] = 0;
    if (sh->nhist < ND_NSH_HIST_MAX) {
        sh->hist[(sh->hist_first + sh->nhist++) % ND_NSH_HIST_MAX] = c;
    } else {
        free(sh->hist[sh->hist_first]);
        sh->hist[sh->hist_first] = c;
        sh->hist_first = (sh->hist_first + 1) % ND_NSH_HIST_MAX;
    }
}

const char *nd_nsh_history_at(nd_nsh *sh, int i)
{
    if (i < 0 || i >= sh->nhist) return NULL;
    return sh->hist[(sh->hist_first + i) % ND_NSH_HIST_MAX];
}

void nd_nsh_clear_history(nd_nsh *sh)
{
    for (int i = 0; i < sh->nhist; i++) free(sh->hist[(sh->hist_first + i) % ND_NSH_HIST_MAX]);
    sh->nhist = sh->hist_first = 0;
}

static nd_nsh_run *fg_new(nd_nsh *sh)
{
    nd_nsh_run *r = nd_nsh_run_new(sh->node, sh, &sh->ctx);
    if (!r) return NULL;
    r->kick = fg_kick;
    r->owner = sh;
    return r;
}

int nd_nsh_input(nd_nsh *sh, const char *line, size_t n)
{
    if (!sh || sh->closing) return ND_EINVAL;
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) n--;
    if (sh->run) {
        nd_nsh_run *r = sh->run;
        if (!r->want_input || r->input) return ND_EAGAIN;
        r->input = malloc(n + 1);
        if (!r->input) return ND_ENOMEM;
        memcpy(r->input, line, n);
        r->input[n] = 0;
        nd_nsh_run_wake(r, nd_port_mono_ms());
        return 0;
    }
    if (n > ND_NSH_LINE_MAX) {
        char msg[64];
        int k = snprintf(msg, sizeof msg, "nsh: line too long (max %d bytes)\n", ND_NSH_LINE_MAX);
        nd_nsh_session_write(sh, msg, (size_t)k);
        sh->ctx.status = 2;
        if (sh->door.idle) sh->door.idle(sh->door.ud);
        return ND_ELIMIT;
    }
    hist_add(sh, line, n);
    nd_nsh_run *r = fg_new(sh);
    if (!r) return ND_ENOMEM;
    sh->run = r;
    nd_nsh_run_line(r, line, n);
    fg_kick(r);
    return 0;
}

void nd_nsh_interrupt(nd_nsh *sh)
{
    if (!sh || !sh->run || sh->closing) return;
    sh->run->stop = true;
    sh->run->stop_status = 130;
    if (!sh->depth) fg_kick(sh->run);
}

void nd_nsh_drained(nd_nsh *sh)
{
    if (!sh) return;
    sh->full = false;
    if (sh->run && sh->run->want_drained) nd_nsh_run_wake(sh->run, nd_port_mono_ms());
    for (nd_nsh_job *j = sh->node->nsh ? sh->node->nsh->jobs : NULL; j; j = j->next)
        if (j->sh == sh && j->run && j->run->want_drained) nd_nsh_run_wake(j->run, nd_port_mono_ms());
}

bool nd_nsh_busy(nd_nsh *sh) { return sh && sh->run; }

const char *nd_nsh_prompt(nd_nsh *sh)
{
    snprintf(sh->prompt, sizeof sh->prompt, "%s $ ", sh->ctx.cwd);
    return sh->prompt;
}

void nd_nsh_close(nd_nsh *sh)
{
    if (!sh || sh->closing) return;
    sh->closing = true;
    session_unlink(sh);
    if (sh->run) {
        sh->run->stop = true;
        sh->run->stop_status = 130;
    }
    if (sh->depth) return; /* freed when the current step unwinds */
    session_free(sh);
}

int nd_nsh_run_file(struct nd_node *n, const char *rel, void (*done)(void *ud, int status), void *ud)
{
    nd_fs_info info;
    if (nd_nsh_fs_stat(rel, &info) != ND_OK || info.dir) return ND_ENOTFOUND;
    nd_nsh *sh = session_new(n, NULL);
    if (!sh) return ND_ENOMEM;
    sh->done = done;
    sh->done_ud = ud;
    nd_nsh_run *r = fg_new(sh);
    if (!r) {
        session_unlink(sh);
        session_free(sh);
        return ND_ENOMEM;
    }
    sh->run = r;
    char shown[ND_NSH_PATH_MAX + 2], err[ND_NSH_PATH_MAX + 64];
    snprintf(shown, sizeof shown, "/%s", rel);
    if (nd_nsh_run_script(r, rel, shown, 0, NULL, err, sizeof err)) {
        nd_log(n, "[nsh] %s", err);
        session_unlink(sh);
        session_free(sh);
        return ND_ENOTFOUND;
    }
    fg_kick(r);
    return 0;
}
