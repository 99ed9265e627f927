/*
** task.c -- background tasks: `mod func &`, `&<ms>`, `&&`, `&&<ms>`, the
** `task list|show|kill` built-in (docs/micros-compat.md §3), and stepped tasks that
** modules spawn (nodus/task.h).
**
** A task is a timer in the node's heap plus a little bookkeeping; an idle
** task costs no CPU and a couple of hundred bytes. One-shot tasks are due
** at once: they run right after the reply to the command that started them
** is queued, so `x &` followed by `x &&` behaves predictably. Loop tasks run
** first at once, then every period, scheduled against their previous due
** time (no drift); a run that comes more than a period late skips the missed
** periods instead of firing a burst.
**
** Beyond micrOS, each task records its runs, total and longest run time,
** the runs that blocked the loop longer than `taskbudget` ms, and its last
** error; `task stats` shows them (`task list` stays micrOS's exact text), so
** a task that died or starves the loop is visible. A loop task whose call
** fails stops, and its output keeps the error.
**
** The table keeps creation order, as micrOS's task dict does: `task list`
** and `task kill <module>.*` go oldest first.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modsrc.h"
#include "text.h" /* nd_json_escape */
#include "nodus/port.h"
#include "nodus/task.h"
#include "task.h"

/* ND_LATE_BUCKETS (lateness histogram: 50 us buckets) comes from nodus/opts.h */
#include "nodus/opts.h" /* the limits; a port may override them */

struct nd_task {
    nd_task *next;
    struct nd_node *node;
    nd_timer timer;
    char *line;        /* LM call to run; NULL for a stepped task */
    nd_step_fn step;   /* stepped task */
    void *ud;
    void (*drop)(void *ud); /* core-owned stepped task: release ud if freed while active */
    nd_step_fn cont;   /* the call of a `&` task goes on in steps (a Lua function that sleeps) */
    void *cont_ud;
    void (*cont_drop)(void *ud);
    int32_t cont_ms;   /* when its first step runs */
    char *out;         /* output of the last run, NUL-terminated */
    uint64_t runs, total_us, max_us;
    uint64_t finished; /* order of finishing, for purging the oldest */
    uint32_t period;   /* ms; 0 = one-shot */
    uint32_t slow;     /* runs longer than taskbudget */
    bool active, failed, stop;
    bool kill;         /* `task kill` from inside its own run (nodus.call): freed when the run ends */
    char tag[ND_TASK_TAG_MAX];
};

struct nd_tasks {
    nd_task *head;
    nd_task *current;  /* the `&` task whose call runs now (nd_task_take_current) */
    nd_task *running;  /* the task whose run is on the stack: never freed under it */
    uint64_t finish_seq;
    uint32_t late[ND_LATE_BUCKETS + 1];
    uint64_t late_count, late_max_us, late_sum_us, runs, run_us;
};

static struct nd_tasks *table(struct nd_node *n)
{
    if (!n->tasks) n->tasks = calloc(1, sizeof *n->tasks);
    return n->tasks;
}

static int queue_size(struct nd_node *n)
{
    int64_t q = nd_cfg_get_int(n->cfg, ND_K_aioqueue);
    return q < 1 ? 1 : (int)q;
}

int nd_tasks_active(struct nd_node *n)
{
    int k = 0;
    if (n->tasks)
        for (nd_task *t = n->tasks->head; t; t = t->next) k += t->active;
    return k;
}

static nd_task *find(struct nd_node *n, const char *tag)
{
    if (!n->tasks) return NULL;
    for (nd_task *t = n->tasks->head; t; t = t->next)
        if (!strcmp(t->tag, tag)) return t;
    return NULL;
}

static void task_free(struct nd_node *n, nd_task *t)
{
    nd_timer_disarm(&n->timers, &t->timer);
    if (t->active && t->drop) t->drop(t->ud);
    if (t->cont && t->cont_drop) t->cont_drop(t->cont_ud);
    if (n->tasks->current == t) n->tasks->current = NULL;
    for (nd_task **pp = &n->tasks->head; *pp; pp = &(*pp)->next)
        if (*pp == t) {
            *pp = t->next;
            break;
        }
    free(t->line);
    free(t->out);
    free(t);
}

void nd_tasks_free(struct nd_node *n)
{
    if (!n->tasks) return;
    while (n->tasks->head) task_free(n, n->tasks->head);
    free(n->tasks);
    n->tasks = NULL;
}

/* micrOS keeps finished tasks listed until there are more of them than the
** queue size; then the oldest go. */
static void purge_finished(struct nd_node *n)
{
    for (;;) {
        int done = 0;
        nd_task *oldest = NULL;
        for (nd_task *t = n->tasks->head; t; t = t->next)
            if (!t->active) {
                done++;
                if (!oldest || t->finished < oldest->finished) oldest = t;
            }
        if (done <= queue_size(n) || !oldest) return;
        task_free(n, oldest);
    }
}

static void set_out(nd_task *t, const char *p, size_t len)
{
    while (len && (p[len - 1] == '\n' || p[len - 1] == '\r')) len--;
    if (len > ND_TASK_OUT_MAX - 1) len = ND_TASK_OUT_MAX - 1;
    char *o = realloc(t->out, len + 1);
    if (!o) return; /* keep the previous output rather than none */
    memcpy(o, p, len);
    o[len] = 0;
    t->out = o;
}

static void finish(nd_task *t)
{
    if (!t->active) return;
    t->active = false;
    t->finished = ++t->node->tasks->finish_seq;
    nd_timer_disarm(&t->node->timers, &t->timer);
    nd_emit_task_state(t->node, t->tag, false);
}

static void record_late(struct nd_tasks *ts, uint64_t late_us)
{
    size_t b = late_us / ND_LATE_STEP_US;
    ts->late[b > ND_LATE_BUCKETS ? ND_LATE_BUCKETS : b]++;
    ts->late_count++;
    ts->late_sum_us += late_us;
    if (late_us > ts->late_max_us) ts->late_max_us = late_us;
}

static void run_fn(nd_timer *tm, void *ud);

static void schedule(nd_task *t, uint64_t due)
{
    if (nd_timer_arm(&t->node->timers, &t->timer, due, run_fn, t) != ND_OK) {
        set_out(t, "timer table full: task stopped", 30);
        t->failed = true;
        finish(t);
    }
}

static void run_fn(nd_timer *tm, void *ud)
{
    nd_task *t = ud;
    struct nd_node *n = t->node;
    struct nd_tasks *ts = n->tasks;
    uint64_t due = tm->due;
    uint64_t start = nd_port_mono_us();
    record_late(ts, start > due * 1000 ? start - due * 1000 : 0);
    int32_t next = ND_TASK_DONE;
    ts->running = t;
    if (t->cont) { /* the call's own steps; back to the line's period when they end */
        next = t->cont(t, t->cont_ud);
        if (t->stop) next = ND_TASK_DONE;
        if (next == ND_TASK_DONE) {
            t->cont = NULL;
            next = !t->failed && t->period ? (int32_t)t->period : ND_TASK_DONE;
        }
    } else if (t->line) {
        nd_cmd c;
        char err[ND_ERRMSG];
        nd_buf_clear(&n->reply);
        nd_task *outer = ts->current;
        ts->current = t;
        if (nd_cmd_parse(t->line, strlen(t->line), &c, err, sizeof err) != 0) {
            nd_buf_puts(&n->reply, err);
            t->failed = true;
        } else if (nd_exec_lm(n, &c, false, &n->reply) != ND_X_OK) {
            t->failed = true;
        }
        ts->current = outer;
        if (!t->cont || t->failed) set_out(t, n->reply.p ? n->reply.p : "", n->reply.n);
        nd_emit_task(n, t->tag, t->out ? t->out : "");
        if (t->cont && !t->failed) next = t->cont_ms;
        else if (!t->failed && t->period) next = (int32_t)t->period;
    } else {
        next = t->step(t, t->ud);
        if (t->stop) next = ND_TASK_DONE;
    }
    ts->running = NULL;
    if (t->kill) { /* killed by its own call: what its step still holds goes with it */
        if (next == ND_TASK_DONE) finish(t);
        task_free(n, t);
        return;
    }
    uint64_t took = nd_port_mono_us() - start;
    t->runs++;
    t->total_us += took;
    if (took > t->max_us) t->max_us = took;
    ts->runs++;
    ts->run_us += took;
    int64_t budget = nd_cfg_get_int(n->cfg, ND_K_taskbudget);
    if (budget > 0 && took > (uint64_t)budget * 1000) {
        t->slow++;
        nd_log(n, "[WARN] task %s blocked the loop for %.1f ms (taskbudget %lld ms)", t->tag,
               nd_decimal((int64_t)took, -3), (long long)budget);
    }
    if (t->failed) nd_log(n, "[WARN] task %s stopped: %s", t->tag, t->out ? t->out : "");
    if (next == ND_TASK_DONE || t->failed || !t->active) {
        finish(t);
        purge_finished(n);
        return;
    }
    uint64_t now = nd_port_mono_ms();
    bool periodic = t->line && !t->cont;
    uint64_t at = periodic ? due + (uint64_t)next : now + (uint64_t)next;
    if (periodic && at <= now) /* late by more than a period: skip, don't burst */
        at = now + (uint64_t)next - (now - due) % (uint64_t)next;
    schedule(t, at);
}

/* Reply {'<tag>': '<msg>'} as the shell (repr) or REST (JSON) expects. */
static void reply_dict(nd_buf *out, const char *tag, const char *msg, bool json)
{
    nd_arena a;
    char mem[512];
    nd_arena_init(&a, mem, sizeof mem);
    nd_value *d = nd_dict(&a);
    if (d && nd_dict_set(&a, d, tag, nd_str(&a, msg)) == ND_OK) {
        if (json) nd_render_json(out, d);
        else nd_render_repr(out, d);
    }
    nd_buf_putc(out, '\n');
}

#define QFULL_MAX 48 /* "[aio] Task queue full: N" */
static const char already[] = "Already running"; /* a refusal that is no failure */

/* Admission shared by shell tasks and stepped tasks. Returns the task or
** NULL with the reply/error already decided in *msg: already, the queue-full
** text (written to q) or "memory allocation failed". */
static nd_task *admit(struct nd_node *n, const char *tag, const char **msg, char q[QFULL_MAX])
{
    nd_task *old = find(n, tag);
    *msg = already;
    if (old && old->active) return NULL;
    if (nd_tasks_active(n) >= queue_size(n)) {
        snprintf(q, QFULL_MAX, "[aio] Task queue full: %d", queue_size(n));
        *msg = q;
        return NULL;
    }
    *msg = "memory allocation failed";
    if (!table(n)) return NULL;
    if (old) task_free(n, old); /* a finished task of that tag is replaced */
    nd_task *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->node = n;
    t->active = true;
    snprintf(t->tag, sizeof t->tag, "%s", tag);
    nd_task **tail = &n->tasks->head; /* appended: the table is in creation order */
    while (*tail) tail = &(*tail)->next;
    *tail = t;
    *msg = "Starting";
    return t;
}

/* Arm the admitted task's first run and tell the listeners it runs (a
** full timer table has already stopped it). */
static bool launch(nd_task *t, uint64_t at)
{
    schedule(t, at);
    if (t->active) nd_emit_task_state(t->node, t->tag, true);
    return t->active;
}

/* admit() for the doors: a refusal is answered here, {'<tag>': '<why>'}, and
** *x says how (Already running is no failure). */
static nd_task *admit_reply(struct nd_node *n, const char *tag, bool json, nd_buf *out, int *x)
{
    const char *msg;
    char q[QFULL_MAX];
    nd_task *t = admit(n, tag, &msg, q);
    if (!t) {
        reply_dict(out, tag, msg, json);
        *x = msg == already ? ND_X_OK : ND_X_FAIL;
    }
    return t;
}

int nd_task_start(struct nd_node *n, nd_cmd *c, bool json, nd_buf *out)
{
    char tag[ND_TASK_TAG_MAX];
    snprintf(tag, sizeof tag, "%.*s.%.*s", (int)(c->w0.n > 30 ? 30 : c->w0.n), c->w0.p,
             (int)(c->w1.n > 30 ? 30 : c->w1.n), c->w1.p);
    int64_t ms = c->task_ms;
    if (ms > ND_TASK_PERIOD_MAX) {
        nd_buf_printf(out, "Core error: LM_%.*s->%.*s: task period %lld ms too long (max %d)\n",
                      (int)c->w0.n, c->w0.p, (int)c->w1.n, c->w1.p, (long long)ms, ND_TASK_PERIOD_MAX);
        return ND_X_FAIL;
    }
    /* refuse what could never run: unknown module or function */
    int idx;
    const nd_module *m = nd_registry_find(c->w0.p, c->w0.n, &idx);
    if (!m || !nd_registry_is_builtin(idx)) { /* a module file: find it first (its errors: below) */
        char err[ND_ERRMSG];
        if (nd_modsrc_prepare(n, c->w0.p, c->w0.n, err, sizeof err) == ND_OK)
            m = nd_registry_find(c->w0.p, c->w0.n, &idx);
        else m = NULL;
    }
    if (!m || (!nd_registry_func(m, c->w1.p, c->w1.n) && !nd_span_eq(c->w1, "help"))) {
        nd_cmd plain = *c;
        plain.task = ND_TASK_NONE;
        return nd_exec_lm(n, &plain, json, out);
    }
    int x;
    nd_task *t = admit_reply(n, tag, json, out, &x);
    if (!t) return x;
    /* the task runs the call without its postfixes */
    size_t len = (size_t)(c->args.p + c->args.n - c->w0.p);
    if (c->args.n == 0) len = (size_t)(c->w1.p + c->w1.n - c->w0.p);
    t->line = malloc(len + 1);
    if (!t->line) {
        task_free(n, t);
        reply_dict(out, tag, "memory allocation failed", json);
        return ND_X_FAIL;
    }
    memcpy(t->line, c->w0.p, len);
    t->line[len] = 0;
    uint64_t at = nd_port_mono_ms();
    if (c->task == ND_TASK_LOOP)
        t->period = (uint32_t)(ms < ND_TASK_PERIOD_MIN ? ND_TASK_PERIOD_MIN : ms);
    else
        at += (uint64_t)(ms < 0 ? 0 : ms);
    reply_dict(out, tag, "Starting", json);
    return launch(t, at) ? ND_X_OK : ND_X_FAIL;
}

/* ---- stepped tasks (nodus/task.h) -------------------------------------- */
int nd_task_spawn(nd_call *c, const char *tag, nd_step_fn step, void *ud, uint32_t first_ms)
{
    struct nd_node *n = c->node;
    const char *msg;
    char q[QFULL_MAX];
    nd_task *t = admit(n, tag, &msg, q);
    if (msg == q) return nd_fail(c, "%s", q);
    nd_value *d = nd_dict(c->arena);
    if (!d || nd_dict_set(c->arena, d, tag, nd_str(c->arena, msg)) != ND_OK)
        return nd_fail(c, "memory allocation failed");
    c->ret = d;
    if (!t) return msg == already ? ND_OK : nd_fail(c, "%s", msg);
    t->step = step;
    t->ud = ud;
    launch(t, nd_port_mono_ms() + first_ms);
    return ND_OK;
}

/* ---- stepped tasks owned by the core (InterCon) ------------------------- */
nd_task *nd_task_open(struct nd_node *n, const char *tag, nd_step_fn step, void *ud,
                      void (*drop)(void *ud), uint32_t first_ms, bool json, nd_buf *out, int *x)
{
    nd_task *t = admit_reply(n, tag, json, out, x);
    if (!t) return NULL;
    reply_dict(out, tag, "Starting", json);
    t->step = step;
    t->ud = ud;
    t->drop = drop;
    *x = launch(t, nd_port_mono_ms() + first_ms) ? ND_X_OK : ND_X_FAIL;
    return t->active ? t : NULL;
}

nd_task *nd_task_take_current(struct nd_node *n)
{
    if (!n->tasks) return NULL;
    nd_task *t = n->tasks->current;
    n->tasks->current = NULL;
    return t;
}

void nd_task_continue(nd_task *t, nd_step_fn step, void *ud, void (*drop)(void *ud), int32_t first_ms)
{
    t->cont = step;
    t->cont_ud = ud;
    t->cont_drop = drop;
    t->cont_ms = first_ms < 0 ? 0 : first_ms;
}

const char *nd_task_tag(nd_task *t) { return t->tag; }

bool nd_task_active(struct nd_node *n, const char *tag)
{
    nd_task *t = find(n, tag);
    return t && t->active;
}

void nd_task_wake(nd_task *t, uint32_t ms)
{
    if (t->active) schedule(t, nd_port_mono_ms() + ms);
}

/* The task's output, formatted (nd_task_printf and nd_task_fail). */
static void vprint(nd_task *t, const char *fmt, va_list ap)
{
    char buf[ND_TASK_OUT_MAX];
    int k = vsnprintf(buf, sizeof buf, fmt, ap);
    set_out(t, buf, k < 0 ? 0 : ((size_t)k >= sizeof buf ? sizeof buf - 1 : (size_t)k));
    nd_emit_task(t->node, t->tag, t->out ? t->out : "");
}

void nd_task_printf(nd_task *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprint(t, fmt, ap);
    va_end(ap);
}

void nd_task_fail(nd_task *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprint(t, fmt, ap);
    va_end(ap);
    t->failed = true;
    t->stop = true;
}

struct nd_node *nd_task_node(nd_task *t) { return t->node; }

/* ---- the table for nsh (ps, kill, killall) ------------------------------- */
void nd_task_visit(struct nd_node *n, nd_task_visit_fn fn, void *ud)
{
    for (nd_task *t = n->tasks ? n->tasks->head : NULL; t; t = t->next)
        fn(ud, t->tag, t->active && !t->kill); /* killed, ending when its run returns */
}

/* End t now -- or, when it is the task whose run is on the stack (it kills
** itself: nodus.call, an nsh job's own kill), when that run returns
** (run_fn): freeing it under its own step would be a use after free. */
static void kill_task(struct nd_node *n, nd_task *t)
{
    if (t->active) nd_emit_task_state(n, t->tag, false);
    if (t == n->tasks->running) t->kill = true;
    else task_free(n, t);
}

int nd_task_kill_tag(struct nd_node *n, const char *tag)
{
    nd_task *t = find(n, tag);
    if (!t) return ND_ENOTFOUND;
    kill_task(n, t);
    return ND_OK;
}

int nd_task_find_tag(struct nd_node *n, const char *text, char *tag, size_t len)
{
    for (nd_task *t = n->tasks ? n->tasks->head : NULL; t; t = t->next)
        if (t->active && !t->kill && strncmp(t->tag, "nsh.", 4) && strstr(t->tag, text)) {
            snprintf(tag, len, "%s", t->tag);
            return ND_OK;
        }
    return ND_ENOTFOUND;
}
uint64_t nd_task_runs(nd_task *t) { return t->runs; }

/* ---- the `task` built-in ------------------------------------------------ */
static void json_str(nd_buf *out, const char *s)
{
    nd_json_escape(out, s, strlen(s)); /* what nd_render_json writes for a string */
}

/* `task list` -- micrOS builds the text as '\n'.join(active) + '\n' +
** '\n'.join(finished) + '\n', and the shell adds a newline: so the header
** and running tasks, then the finished ones, then an empty line -- two when
** none finished. The JSON form is {"active": [...], "inactive": [...]},
** nothing more. `idle` and `server` are micrOS's own tasks, listed first for
** clients that look for them.
** `task stats` (nodus): what each task cost. Text: one line per task, in
** `task list`'s order; JSON: {"<tag>": {"active", "runs", "time_ms",
** "max_ms", "slow", "error"}}. Both are written item by item, running tasks
** first (one pass each): no table to size for 2 x aioqueue tasks. */
static int show_tasks(struct nd_node *n, bool stats, bool json, nd_buf *out)
{
    nd_task *head = n->tasks ? n->tasks->head : NULL;
    if (json) {
        nd_buf_puts(out, stats ? "{" : "{\"active\": [\"idle\", \"server\"");
    } else {
        if (!stats)
            nd_buf_printf(out, "---- micrOS  top ----\n#queue: %d #load: %d%%\n\n",
                          queue_size(n) - nd_tasks_active(n), (int)(nd_loop_load_pm() + 5) / 10);
        nd_buf_puts(out, "#Active   #taskID\n");
        if (!stats) nd_buf_puts(out, "Yes       idle\nYes       server\n");
    }
    bool sep = !stats, finished = false; /* the list's idle and server come before */
    for (int pass = 0; pass < 2; pass++) {
        if (pass && !stats) { /* the list's second JSON array */
            if (json) nd_buf_puts(out, "], \"inactive\": [");
            sep = false;
        }
        for (nd_task *t = head; t; t = t->next) {
            if (t->active != (pass == 0)) continue;
            finished |= pass;
            const char *o = t->out ? t->out : "";
            if (!json) {
                nd_buf_printf(out, stats ? "%-10s%-24s" : "%-10s%s", t->active ? "Yes" : "No", t->tag);
                if (stats) {
                    nd_buf_printf(out, " runs:%llu time:%.3fms max:%.3fms slow:%u",
                                  (unsigned long long)t->runs, nd_decimal((int64_t)t->total_us, -3),
                                  nd_decimal((int64_t)t->max_us, -3), t->slow);
                    if (t->failed) nd_buf_printf(out, " err:%.*s", (int)strcspn(o, "\n"), o);
                }
                nd_buf_putc(out, '\n');
                continue;
            }
            if (sep) nd_buf_puts(out, ", ");
            sep = true;
            json_str(out, t->tag);
            if (!stats) continue;
            /* field by field, as nd_render_json writes the dict */
            nd_buf_printf(out, ": {\"active\": %s, \"runs\": %lld, \"time_ms\": ",
                          t->active ? "true" : "false", (long long)t->runs);
            nd_render_float(out, nd_decimal((int64_t)t->total_us, -3)); /* finite: JSON's form too */
            nd_buf_puts(out, ", \"max_ms\": ");
            nd_render_float(out, nd_decimal((int64_t)t->max_us, -3));
            nd_buf_printf(out, ", \"slow\": %u, \"error\": ", t->slow);
            if (t->failed) json_str(out, o);
            else nd_buf_puts(out, "null");
            nd_buf_putc(out, '}');
        }
    }
    if (json) nd_buf_puts(out, stats ? "}\n" : "]}\n");
    else if (!stats) nd_buf_puts(out, finished ? "\n" : "\n\n");
    return ND_X_OK;
}

static bool tag_match(const char *tag, nd_span pat)
{
    if (pat.n >= 2 && pat.p[pat.n - 1] == '*' && pat.p[pat.n - 2] == '.')
        return strncmp(tag, pat.p, pat.n - 1) == 0;
    return strlen(tag) == pat.n && memcmp(tag, pat.p, pat.n) == 0;
}

int nd_task_builtin(struct nd_node *n, nd_cmd *c, nd_buf *out)
{
    nd_span rest = c->args;
    bool show = nd_span_eq(c->w1, "show"), kill = nd_span_eq(c->w1, "kill");
    bool stats = nd_span_eq(c->w1, "stats");
    if ((stats || nd_span_eq(c->w1, "list")) && rest.n == 0) return show_tasks(n, stats, c->json, out);
    if (!(show || kill) || !rest.n || memchr(rest.p, ' ', rest.n)) {
        nd_buf_puts(out, "Invalid task cmd! Help: task list / kill <taskID> / show <taskID>\n");
        return ND_X_FAIL;
    }
    bool wild = rest.n >= 2 && rest.p[rest.n - 1] == '*';
    int found = 0;
    nd_task *t = n->tasks ? n->tasks->head : NULL;
    for (nd_task *nx; t; t = nx) {
        nx = t->next;
        if (!tag_match(t->tag, rest)) continue;
        if (show) {
            if (wild) nd_buf_printf(out, "%s%s: %s", found ? "\n" : "", t->tag, t->out ? t->out : "");
            else nd_buf_puts(out, t->out ? t->out : "");
        } else {
            nd_buf_printf(out, "%s%s|True", found ? ", " : "Kill: ", t->tag);
            kill_task(n, t);
        }
        found++;
    }
    if (!found) {
        nd_buf_printf(out, "No task found: %.*s\n", (int)(rest.n > 64 ? 64 : rest.n), rest.p);
        return ND_X_OK;
    }
    nd_buf_putc(out, '\n');
    return ND_X_OK;
}

void nd_task_timing_get(struct nd_node *n, nd_task_timing *tt, bool reset)
{
    memset(tt, 0, sizeof *tt);
    struct nd_tasks *ts = n->tasks;
    if (!ts) return;
    tt->count = ts->late_count;
    tt->max_us = ts->late_max_us;
    tt->runs = ts->runs;
    tt->run_us = ts->run_us;
    uint64_t acc = 0, p50 = (ts->late_count + 1) / 2, p99 = (ts->late_count * 99 + 99) / 100;
    bool got50 = false;
    for (size_t b = 0; b <= ND_LATE_BUCKETS && ts->late_count; b++) {
        acc += ts->late[b];
        /* a percentile lies in its bucket, at most at the bucket's upper
        ** bound -- and never above the largest value seen: without that
        ** bound a p99 in the top bucket could read higher than the max */
        uint64_t top = (uint64_t)(b + 1) * ND_LATE_STEP_US;
        if (b == ND_LATE_BUCKETS || top > ts->late_max_us) top = ts->late_max_us;
        if (!got50 && acc >= p50) {
            tt->p50_us = top;
            got50 = true;
        }
        if (acc >= p99) {
            tt->p99_us = top;
            break;
        }
    }
    if (reset) {
        memset(ts->late, 0, sizeof ts->late);
        ts->late_count = ts->late_max_us = ts->late_sum_us = ts->runs = ts->run_us = 0;
    }
}

void nd_task_late_hist(struct nd_node *n, const uint32_t *le_us, int nb, uint64_t *cum,
                       uint64_t *count, uint64_t *sum_us)
{
    struct nd_tasks *ts = n->tasks;
    *count = ts ? ts->late_count : 0;
    *sum_us = ts ? ts->late_sum_us : 0;
    /* a run is counted under `le` when its whole 50 us bucket lies below it:
    ** the histogram's resolution is the bucket width, so bounds should be
    ** multiples of ND_LATE_STEP_US */
    for (int i = 0; i < nb; i++) {
        uint64_t acc = 0;
        size_t top = le_us[i] / ND_LATE_STEP_US;
        if (top > ND_LATE_BUCKETS) top = ND_LATE_BUCKETS;
        for (size_t b = 0; ts && b < top; b++) acc += ts->late[b];
        cum[i] = acc;
    }
}
