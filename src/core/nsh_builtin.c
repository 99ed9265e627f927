/*
** nsh_builtin.c -- the shell's built-ins: what changes the session itself
** (cd, export, read ...), the job control words, and the keywords the
** runner handles (if, goto, skip, return, exit, sh, watch), listed here so
** `help` shows them. They are found before nsh commands and modules.
*/
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nodus/port.h"
#include "nsh_int.h"

#define USAGE(io, syn) (nd_nsh_eprintf(io, "usage: %s\n", syn), 2)

bool nd_nsh_is_number(const char *s, double *d)
{
    if (!s || !*s) return false;
    char *e;
    double v = strtod(s, &e);
    if (*e || e == s || !isfinite(v)) return false;
    /* strtod takes "inf", "nan", hex and leading blanks: only plain decimals count */
    for (const char *p = s; *p; p++)
        if (!((*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == '+' || *p == 'e' || *p == 'E'))
            return false;
    if (d) *d = v;
    return true;
}

static bool int_of(const char *s, long long *v)
{
    if (!s || !*s) return false;
    char *e;
    long long x = strtoll(s, &e, 10);
    if (*e || e == s) return false;
    if ((x == LLONG_MAX || x == LLONG_MIN) && strlen(s) > 18) return false; /* out of range */
    *v = x;
    return true;
}

bool nd_nsh_is_cmp_op(const char *op)
{
    return !strcmp(op, "==") || !strcmp(op, "!=") || !strcmp(op, "<") || !strcmp(op, ">") ||
           !strcmp(op, "<=") || !strcmp(op, ">=") || !strcmp(op, "in");
}

int nd_nsh_compare(const char *a, const char *op, const char *b)
{
    double x, y;
    int c;
    if (!strcmp(op, "in")) return strstr(b, a) ? 0 : 1;
    if (nd_nsh_is_number(a, &x) && nd_nsh_is_number(b, &y)) c = x < y ? -1 : x > y ? 1 : 0;
    else c = strcmp(a, b);
    bool r;
    if (!strcmp(op, "==")) r = c == 0;
    else if (!strcmp(op, "!=")) r = c != 0;
    else if (!strcmp(op, "<")) r = c < 0;
    else if (!strcmp(op, ">")) r = c > 0;
    else if (!strcmp(op, "<=")) r = c <= 0;
    else if (!strcmp(op, ">=")) r = c >= 0;
    else return 2;
    return r ? 0 : 1;
}

/* ---- test / [ -------------------------------------------------------------- */
static int file_test(nd_nsh_io *io, char k, const char *path)
{
    char rel[ND_NSH_PATH_MAX];
    nd_fs_info info;
    if (nd_nsh_path(io, path, rel, sizeof rel)) return 1;
    if (nd_nsh_fs_stat(rel, &info) != ND_OK) return 1;
    if (k == 'f') return info.dir ? 1 : 0;
    if (k == 'd') return info.dir ? 0 : 1;
    return 0;
}

int nd_nsh_test(nd_nsh_io *io, int argc, char **argv, char *err, size_t errn)
{
    bool neg = false;
    if (argc > 0 && !strcmp(argv[0], "!")) {
        neg = true;
        argc--;
        argv++;
    }
    int r;
    if (argc == 0) r = 1;
    else if (argc == 1) r = argv[0][0] ? 0 : 1;
    else if (argc == 2) {
        const char *o = argv[0];
        if (!strcmp(o, "-z")) r = argv[1][0] ? 1 : 0;
        else if (!strcmp(o, "-n")) r = argv[1][0] ? 0 : 1;
        else if (!strcmp(o, "-f") || !strcmp(o, "-d") || !strcmp(o, "-e")) r = file_test(io, o[1], argv[1]);
        else {
            snprintf(err, errn, "%s: unknown test (-f -d -e -z -n)", o);
            return 2;
        }
    } else if (argc == 3) {
        const char *a = argv[0], *o = argv[1], *b = argv[2];
        if (!strcmp(o, "=") || !strcmp(o, "==")) r = strcmp(a, b) ? 1 : 0;
        else if (!strcmp(o, "!=")) r = strcmp(a, b) ? 0 : 1;
        else if (!strcmp(o, "<")) r = strcmp(a, b) < 0 ? 0 : 1;
        else if (!strcmp(o, ">")) r = strcmp(a, b) > 0 ? 0 : 1;
        else if (o[0] == '-') {
            long long x, y;
            if (!int_of(a, &x) || !int_of(b, &y)) {
                snprintf(err, errn, "%s: integers expected: '%.40s' '%.40s'", o, a, b);
                return 2;
            }
            if (!strcmp(o, "-eq")) r = x == y ? 0 : 1;
            else if (!strcmp(o, "-ne")) r = x != y ? 0 : 1;
            else if (!strcmp(o, "-lt")) r = x < y ? 0 : 1;
            else if (!strcmp(o, "-le")) r = x <= y ? 0 : 1;
            else if (!strcmp(o, "-gt")) r = x > y ? 0 : 1;
            else if (!strcmp(o, "-ge")) r = x >= y ? 0 : 1;
            else {
                snprintf(err, errn, "%s: unknown operator", o);
                return 2;
            }
        } else {
            snprintf(err, errn, "%s: unknown operator (= != < > -eq -ne -lt -le -gt -ge)", o);
            return 2;
        }
    } else {
        snprintf(err, errn, "too many arguments");
        return 2;
    }
    return neg ? !r : r;
}

static int b_test(nd_nsh_io *io, int argc, char **argv)
{
    char err[160];
    if (!strcmp(argv[0], "[")) {
        if (strcmp(argv[argc - 1], "]")) {
            nd_nsh_eprintf(io, "[: missing ']'\n");
            return 2;
        }
        argc--;
    }
    int r = nd_nsh_test(io, argc - 1, argv + 1, err, sizeof err);
    if (r == 2) nd_nsh_eprintf(io, "%s: %s\n", argv[0], err);
    return r;
}

/* ---- output ------------------------------------------------------------------ */
static size_t unescape(const char *s, char *out, size_t cap, bool *stop)
{
    size_t o = 0;
    for (const char *p = s; *p && o + 4 < cap; p++) {
        if (*p != '\\' || !p[1]) {
            out[o++] = *p;
            continue;
        }
        p++;
        switch (*p) {
        case 'n': out[o++] = '\n'; break;
        case 't': out[o++] = '\t'; break;
        case 'r': out[o++] = '\r'; break;
        case 'e': out[o++] = 27; break;
        case 'a': out[o++] = 7; break;
        case '\\': out[o++] = '\\'; break;
        case 'c':
            if (stop) *stop = true;
            return o;
        case '0': {
            int v = 0, k = 0;
            while (k < 3 && p[1] >= '0' && p[1] <= '7') v = v * 8 + (*++p - '0'), k++;
            out[o++] = (char)v;
            break;
        }
        default:
            out[o++] = '\\';
            out[o++] = *p;
        }
    }
    out[o] = 0;
    return o;
}

static int b_echo(nd_nsh_io *io, int argc, char **argv)
{
    bool nl = true, esc = false;
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        const char *o = argv[i] + 1;
        if (strspn(o, "ne") != strlen(o)) break;
        nl &= !strchr(o, 'n');
        esc |= strchr(o, 'e') != NULL;
    }
    for (int k = i; k < argc; k++) {
        if (k > i) nd_nsh_write(io, " ", 1);
        if (esc) {
            char buf[ND_NSH_EXP_MAX];
            bool stop = false;
            size_t n = unescape(argv[k], buf, sizeof buf, &stop);
            nd_nsh_write(io, buf, n);
            if (stop) return 0;
        } else {
            nd_nsh_write(io, argv[k], strlen(argv[k]));
        }
    }
    if (nl) nd_nsh_write(io, "\n", 1);
    return 0;
}

/* printf FORMAT [ARGS...]: %s %d %i %u %x %X %o %c %f %e %g %%, flags and
** widths, the format reused while arguments remain (as POSIX printf). */
static int b_printf(nd_nsh_io *io, int argc, char **argv)
{
    if (argc < 2) return USAGE(io, "printf FORMAT [ARGS...]");
    char fmt[ND_NSH_EXP_MAX];
    bool stop = false;
    unescape(argv[1], fmt, sizeof fmt, &stop);
    int ai = 2, rc = 0;
    do {
        int used = 0;
        for (const char *p = fmt; *p; p++) {
            if (*p != '%') {
                nd_nsh_write(io, p, 1);
                continue;
            }
            if (p[1] == '%') {
                nd_nsh_write(io, "%", 1);
                p++;
                continue;
            }
            char spec[32];
            size_t k = 0;
            spec[k++] = '%';
            p++;
            while (*p && strchr("-+ #0123456789.", *p) && k < 20) spec[k++] = *p++;
            char conv = *p;
            if (!conv || !strchr("sdiuxXocfeEgG", conv)) {
                nd_nsh_eprintf(io, "printf: bad conversion '%%%c'\n", conv ? conv : '?');
                return 1;
            }
            const char *arg = ai < argc ? argv[ai++] : NULL;
            used++;
            if (conv == 's') {
                spec[k++] = 's';
                spec[k] = 0;
                nd_nsh_printf(io, spec, arg ? arg : "");
            } else if (conv == 'c') {
                if (arg && *arg) nd_nsh_write(io, arg, 1);
            } else if (strchr("feEgG", conv)) {
                double d = 0;
                if (arg && !nd_nsh_is_number(arg, &d)) {
                    nd_nsh_eprintf(io, "printf: '%s': not a number\n", arg);
                    rc = 1;
                }
                spec[k++] = conv;
                spec[k] = 0;
                nd_nsh_printf(io, spec, d);
            } else {
                long long v = 0;
                if (arg && !int_of(arg, &v)) {
                    double d;
                    if (nd_nsh_is_number(arg, &d)) v = (long long)d;
                    else {
                        nd_nsh_eprintf(io, "printf: '%s': not an integer\n", arg);
                        rc = 1;
                    }
                }
                spec[k++] = 'l';
                spec[k++] = 'l';
                spec[k++] = conv == 'i' ? 'd' : conv;
                spec[k] = 0;
                nd_nsh_printf(io, spec, v);
            }
        }
        if (!used) break;
    } while (ai < argc && !stop);
    return rc;
}

static int b_clear(nd_nsh_io *io, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    nd_nsh_write(io, "\033[2J\033[H", 7);
    return 0;
}

static int b_true(nd_nsh_io *io, int argc, char **argv)
{
    (void)io;
    (void)argc;
    return argv[0][0] == 'f' ? 1 : 0;
}

/* ---- session ----------------------------------------------------------------- */
static int b_cd(nd_nsh_io *io, int argc, char **argv)
{
    if (argc > 2) return USAGE(io, "cd [DIR]");
    const char *to = argc > 1 ? argv[1] : "/";
    char rel[ND_NSH_PATH_MAX - 1]; /* room for the leading '/' of cwd */
    nd_fs_info info;
    if (nd_nsh_path(io, to, rel, sizeof rel)) {
        nd_nsh_eprintf(io, "cd: %s: bad path\n", to);
        return 1;
    }
    if (rel[0] && (nd_nsh_fs_stat(rel, &info) != ND_OK || !info.dir)) {
        nd_nsh_eprintf(io, "cd: %s: not a directory\n", to);
        return 1;
    }
    snprintf(io->run->ctx->cwd, sizeof io->run->ctx->cwd, "/%s", rel);
    return 0;
}

static int b_pwd(nd_nsh_io *io, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    nd_nsh_printf(io, "%s\n", io->run->ctx->cwd);
    return 0;
}

/* sleep SECONDS (fractional): waits without holding the loop */
static void free_ptr(void *p) { free(p); }

static int b_sleep(nd_nsh_io *io, int argc, char **argv)
{
    uint64_t *until = nd_nsh_state(io);
    uint64_t now = nd_port_mono_ms();
    if (!until) {
        double s;
        if (argc != 2 || !nd_nsh_is_number(argv[1], &s) || s < 0 || s > 31536000)
            return USAGE(io, "sleep SECONDS (fractional, up to a year)");
        until = malloc(sizeof *until);
        if (!until) return 1;
        *until = now + (uint64_t)(s * 1000.0 + 0.5);
        nd_nsh_set_state(io, until, free_ptr);
    }
    if (now >= *until) return 0;
    nd_nsh_wake_at(io, *until);
    return ND_NSH_AGAIN;
}

static int b_history(nd_nsh_io *io, int argc, char **argv)
{
    nd_nsh *sh = io->run->sh;
    if (argc == 2 && !strcmp(argv[1], "-c")) {
        if (sh) nd_nsh_clear_history(sh);
        return 0;
    }
    if (argc > 1) return USAGE(io, "history [-c]");
    for (int i = 0; sh; i++) {
        const char *h = nd_nsh_history_at(sh, i);
        if (!h) break;
        nd_nsh_printf(io, "%5d  %s\n", i + 1, h);
    }
    return 0;
}

/* ---- environment ------------------------------------------------------------- */
static int set_checked(nd_nsh_io *io, const char *who, const char *name, const char *val)
{
    int rc = nd_nsh_setenv(io, name, val);
    if (rc) nd_nsh_eprintf(io, "%s: %s: %s\n", who, name, nd_nsh_env_strerror(rc));
    return rc ? 1 : 0;
}

/* the merged view, sorted: the overlay over the node's environment */
static void list_env(nd_nsh_io *io)
{
    nd_nsh_env *ov = &io->run->ctx->env;
    nd_nsh_all *nn = nd_nsh_node_get(io->run->node);
    nd_nsh_env empty = {0};
    nd_nsh_env *ne = nn ? &nn->env : &empty;
    int i = 0, j = 0;
    while (i < ov->n || j < ne->n) {
        int c = i >= ov->n ? 1 : j >= ne->n ? -1 : strcmp(ov->v[i].name, ne->v[j].name);
        nd_nsh_var *v = c <= 0 ? &ov->v[i] : &ne->v[j];
        if (v->val) nd_nsh_printf(io, "%s=%s\n", v->name, v->val);
        if (c <= 0) i++;
        if (c >= 0) j++;
    }
}

static int b_export(nd_nsh_io *io, int argc, char **argv)
{
    if (argc == 1) {
        list_env(io);
        return 0;
    }
    if (argc == 2) {
        char *eq = strchr(argv[1], '=');
        if (!eq) { /* export N: make an unset N exist, empty */
            const char *cur = nd_nsh_getenv(io, argv[1]);
            return set_checked(io, "export", argv[1], cur ? cur : "");
        }
        char name[ND_NSH_NAME_MAX + 1];
        size_t k = (size_t)(eq - argv[1]);
        if (k >= sizeof name) k = sizeof name - 1;
        memcpy(name, argv[1], k);
        name[k] = 0;
        return set_checked(io, "export", name, eq + 1);
    }
    if (argc == 3) return set_checked(io, "export", argv[1], argv[2]);
    if (argc == 4 && !strcmp(argv[2], "=")) return set_checked(io, "export", argv[1], argv[3]);
    return USAGE(io, "export NAME VALUE | export NAME=VALUE | export NAME = VALUE");
}

static int b_unset(nd_nsh_io *io, int argc, char **argv)
{
    if (argc < 2) return USAGE(io, "unset NAME...");
    int rc = 0;
    for (int i = 1; i < argc; i++) rc |= set_checked(io, "unset", argv[i], NULL);
    return rc;
}

static int b_env(nd_nsh_io *io, int argc, char **argv)
{
    if (argc == 1) {
        list_env(io);
        return 0;
    }
    if (argc == 2 && !strcmp(argv[1], "save")) {
        char err[160];
        if (nd_nsh_env_save(io->run->node, &io->run->ctx->env, err, sizeof err)) {
            nd_nsh_eprintf(io, "env save: %s\n", err);
            return 1;
        }
        nd_nsh_printf(io, "saved to /%s\n", ND_NSH_ENV_FILE);
        return 0;
    }
    return USAGE(io, "env [save]");
}

static int b_incr(nd_nsh_io *io, int argc, char **argv)
{
    bool dec = argv[0][0] == 'd';
    if (argc < 2 || argc > 3) return USAGE(io, dec ? "decr NAME [STEP]" : "incr NAME [STEP]");
    long long v = 0, step = 1;
    const char *cur = nd_nsh_getenv(io, argv[1]);
    if (cur && *cur && !int_of(cur, &v)) {
        nd_nsh_eprintf(io, "%s: %s: '%.60s' is not an integer\n", argv[0], argv[1], cur);
        return 1;
    }
    if (argc == 3 && !int_of(argv[2], &step)) {
        nd_nsh_eprintf(io, "%s: step '%.60s' is not an integer\n", argv[0], argv[2]);
        return 1;
    }
    if (dec) step = -step;
    if ((step > 0 && v > LLONG_MAX - step) || (step < 0 && v < LLONG_MIN - step)) {
        nd_nsh_eprintf(io, "%s: %s: integer overflow\n", argv[0], argv[1]);
        return 1;
    }
    char buf[24];
    snprintf(buf, sizeof buf, "%lld", v + step);
    return set_checked(io, argv[0], argv[1], buf);
}

/* read NAME ["PROMPT"]: the next line the user types (foreground only) */
static int b_read(nd_nsh_io *io, int argc, char **argv)
{
    nd_nsh_run *r = io->run;
    if (argc < 2 || argc > 3) return USAGE(io, "read NAME [PROMPT]");
    if (!nd_nsh_name_ok(argv[1])) {
        nd_nsh_eprintf(io, "read: %s: %s\n", argv[1], nd_nsh_env_strerror(ND_EINVAL));
        return 2;
    }
    if (r->input) {
        char *line = r->input;
        r->input = NULL;
        int rc = set_checked(io, "read", argv[1], line);
        free(line);
        return rc;
    }
    if (r->job || !r->sh || !nd_nsh_session_has_door(r->sh)) {
        nd_nsh_eprintf(io, "read: no input here (a job or a boot script)\n");
        return 1;
    }
    if (!nd_nsh_state(io)) {
        if (argc == 3) nd_nsh_run_out(r, argv[2], strlen(argv[2]));
        nd_nsh_set_state(io, (void *)1, NULL);
    }
    r->want_input = true;
    io->woke = true;
    return ND_NSH_AGAIN;
}

/* ---- jobs ---------------------------------------------------------------------- */
static void hms(struct nd_node *n, int64_t wall_ms, char *buf, size_t len)
{
    int64_t utc = wall_ms / 1000;
    int64_t loc = utc + nd_tz_offset_utc(&n->tz, utc);
    int64_t d = ((loc % 86400) + 86400) % 86400;
    snprintf(buf, len, "%02d:%02d:%02d", (int)(d / 3600), (int)(d / 60 % 60), (int)(d % 60));
}

static void elapsed(uint64_t ms, char *buf, size_t len)
{
    uint64_t s = ms / 1000;
    snprintf(buf, len, "%llud %02d:%02d:%02d", (unsigned long long)(s / 86400), (int)(s / 3600 % 24),
             (int)(s / 60 % 60), (int)(s % 60));
}

typedef struct ps_ctx {
    nd_nsh_io *io;
    const char *match; /* killall */
    int killed;
} ps_ctx;

static void ps_task(void *ud, const char *tag, bool active)
{
    ps_ctx *c = ud;
    if (!strncmp(tag, "nsh.", 4)) return; /* our jobs: listed with their own row */
    nd_nsh_printf(c->io, "%6s  %-10s %-9s %-12s %s (micrOS task)\n", "-", active ? "running" : "done", "-",
                  "-", tag);
}

static int b_ps(nd_nsh_io *io, int argc, char **argv)
{
    (void)argv;
    if (argc > 1) return USAGE(io, "ps");
    struct nd_node *n = io->run->node;
    nd_nsh_all *nn = nd_nsh_node_get(n);
    uint64_t now = nd_port_mono_ms();
    nd_nsh_printf(io, "%6s  %-10s %-9s %-12s %s\n", "ID", "STATE", "START", "ELAPSED", "CMD");
    for (nd_nsh_job *j = nn ? nn->jobs : NULL; j; j = j->next) {
        char st[24], t0[16], el[24];
        hms(n, j->start_wall_ms, t0, sizeof t0);
        elapsed((j->state == ND_NSH_J_DONE ? j->end_ms : now) - j->start_ms, el, sizeof el);
        nd_nsh_printf(io, "%6d  %-10s %-9s %-12s %s\n", j->id, nd_nsh_job_state(j, st, sizeof st), t0, el,
                      j->cmd);
    }
    ps_ctx c = {io, NULL, 0};
    nd_task_visit(n, ps_task, &c);
    return 0;
}

static int b_jobs(nd_nsh_io *io, int argc, char **argv)
{
    (void)argv;
    if (argc > 1) return USAGE(io, "jobs");
    nd_nsh_all *nn = nd_nsh_node_get(io->run->node);
    for (nd_nsh_job *j = nn ? nn->jobs : NULL; j; j = j->next) {
        if (j->sh != io->run->sh || !io->run->sh || j->state == ND_NSH_J_DONE) continue;
        char st[24];
        nd_nsh_printf(io, "[%d]  %-10s %s\n", j->id, nd_nsh_job_state(j, st, sizeof st), j->cmd);
    }
    return 0;
}

static nd_nsh_job *job_arg(nd_nsh_io *io, const char *s)
{
    long long id;
    if (*s == '%') s++;
    else if (!strncmp(s, "nsh.", 4)) s += 4; /* a job by its task tag */
    if (!int_of(s, &id) || id < 1 || id > 1000000000) return NULL;
    return nd_nsh_job_find(io->run->node, (int)id);
}

/* kill ID|%ID|TASKTAG...; hold ID; resume ID */
static int b_kill(nd_nsh_io *io, int argc, char **argv)
{
    const char *what = argv[0];
    bool hold = !strcmp(what, "hold"), resume = !strcmp(what, "resume");
    if (argc < 2) return USAGE(io, hold || resume ? "hold|resume ID..." : "kill ID|%ID|TASK-TAG...");
    int rc = 0;
    for (int i = 1; i < argc; i++) {
        nd_nsh_job *j = job_arg(io, argv[i]);
        if (j && j->state == ND_NSH_J_DONE) {
            nd_nsh_eprintf(io, "%s: %s: job already done\n", what, argv[i]);
            rc = 1;
        } else if (j) {
            if (hold || resume) nd_nsh_job_hold(j, hold);
            else nd_nsh_job_kill(j);
        } else if (!hold && !resume && strchr(argv[i], '.') && nd_task_kill_tag(io->run->node, argv[i]) == 0) {
        } else {
            nd_nsh_eprintf(io, "%s: %s: no such job%s\n", what, argv[i], hold || resume ? "" : " or task");
            rc = 1;
        }
    }
    return rc;
}

static void killall_task(void *ud, const char *tag, bool active)
{
    ps_ctx *c = ud;
    if (active && strncmp(tag, "nsh.", 4) && strstr(tag, c->match)) c->killed++;
}

static int b_killall(nd_nsh_io *io, int argc, char **argv)
{
    if (argc != 2 || !argv[1][0]) return USAGE(io, "killall NAME (jobs whose command, tasks whose tag contain NAME)");
    nd_nsh_all *nn = nd_nsh_node_get(io->run->node);
    int k = 0;
    for (nd_nsh_job *j = nn ? nn->jobs : NULL; j; j = j->next)
        if ((j->state == ND_NSH_J_RUNNING || j->state == ND_NSH_J_HELD) && strstr(j->cmd, argv[1])) {
            nd_nsh_job_kill(j);
            k++;
        }
    /* micrOS tasks: collect tags first, the table changes as they go */
    for (;;) {
        ps_ctx c = {io, argv[1], 0};
        nd_task_visit(io->run->node, killall_task, &c);
        if (!c.killed) break;
        char tag[ND_TASK_TAG_MAX];
        if (nd_task_find_tag(io->run->node, argv[1], tag, sizeof tag) || nd_task_kill_tag(io->run->node, tag)) break;
        k++;
    }
    if (!k) {
        nd_nsh_eprintf(io, "killall: %s: nothing running\n", argv[1]);
        return 1;
    }
    return 0;
}

typedef struct wait_st {
    bool started;
} wait_st;

static int b_wait(nd_nsh_io *io, int argc, char **argv)
{
    nd_nsh_all *nn = nd_nsh_node_get(io->run->node);
    int status = 0;
    bool pending = false;
    if (argc == 1) {
        for (nd_nsh_job *j = nn ? nn->jobs : NULL; j; j = j->next)
            if (j->sh == io->run->sh && io->run->sh && j->state != ND_NSH_J_DONE) pending = true;
    } else {
        for (int i = 1; i < argc; i++) {
            nd_nsh_job *j = job_arg(io, argv[i]);
            if (!j) {
                nd_nsh_eprintf(io, "wait: %s: no such job\n", argv[i]);
                return 127;
            }
            if (j->state != ND_NSH_J_DONE) pending = true;
            else status = j->status;
        }
    }
    if (!pending) return status;
    nd_nsh_wake_at(io, nd_port_mono_ms() + 50);
    return ND_NSH_AGAIN;
}

/* ---- help -------------------------------------------------------------------------- */
static int b_help(nd_nsh_io *io, int argc, char **argv);

static const nd_nsh_cmd builtins[] = {
    /* sorted by name: looked up by binary search */
    {"[", b_test, "[ EXPR ]", "test EXPR (see test)"},
    {"cd", b_cd, "cd [DIR]", "change the working directory"},
    {"clear", b_clear, "clear", "clear the terminal"},
    {"decr", b_incr, "decr NAME [STEP]", "subtract STEP (1) from an integer variable"},
    {"echo", b_echo, "echo [-n] [-e] [WORD...]", "print words (-e: \\n \\t \\e escapes)"},
    {"env", b_env, "env [save]", "list variables, sorted; save: keep them in /config/nsh.env"},
    {"exit", NULL, "exit [STATUS]", "leave the scripts of this run, or the shell at the prompt"},
    {"export", b_export, "export NAME VALUE | NAME=VALUE", "set a variable"},
    {"false", b_true, "false", "status 1"},
    {"goto", NULL, "goto LABEL", "continue a script after its line :LABEL"},
    {"help", b_help, "help [NAME]", "list every built-in and command, or show one"},
    {"history", b_history, "history [-c]", "lines typed in this session"},
    {"hold", b_kill, "hold ID...", "pause a job between its lines"},
    {"if", NULL, "if A OP B ACTION | if [ TEST ] ACTION | if CMD then ACTION",
     "run ACTION when true (OP: == != < > <= >= in)"},
    {"incr", b_incr, "incr NAME [STEP]", "add STEP (1) to an integer variable"},
    {"jobs", b_jobs, "jobs", "jobs of this session"},
    {"kill", b_kill, "kill ID|%ID|TASK-TAG...", "stop a job or a micrOS task"},
    {"killall", b_killall, "killall NAME", "stop jobs and tasks whose command contains NAME"},
    {"printf", b_printf, "printf FORMAT [ARGS...]", "formatted output"},
    {"ps", b_ps, "ps", "jobs and micrOS tasks: id, state, start, elapsed, command"},
    {"pwd", b_pwd, "pwd", "print the working directory"},
    {"read", b_read, "read NAME [PROMPT]", "read a line into a variable"},
    {"resume", b_kill, "resume ID...", "continue a held job"},
    {"return", NULL, "return [STATUS]", "end this script"},
    {"run", NULL, "run CMD [ARGS...]", "run CMD (upyOS's `if ... run CMD`)"},
    {"sh", NULL, "sh FILE [ARGS...]", "run a script ($0..$9, $#, $@)"},
    {"skip", NULL, "skip N", "skip the next N lines of the script"},
    {"sleep", b_sleep, "sleep SECONDS", "wait (fractional seconds)"},
    {"test", b_test, "test EXPR", "-f -d -e -z -n FILE|S, S1 = != < > S2, N1 -eq -ne -lt -le -gt -ge N2"},
    {"true", b_true, "true", "status 0"},
    {"unset", b_unset, "unset NAME...", "remove variables"},
    {"wait", b_wait, "wait [ID...]", "wait for jobs to end"},
    {"watch", NULL, "watch [-n SECONDS] CMD [ARGS...]", "run CMD every 2 (or SECONDS) seconds until Ctrl-C"},
};
#define NB (int)(sizeof builtins / sizeof builtins[0])

const nd_nsh_cmd *nd_nsh_builtin(const char *name)
{
    int lo = 0, hi = NB - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2, c = strcmp(builtins[mid].name, name);
        if (!c) return &builtins[mid];
        if (c < 0) lo = mid + 1;
        else hi = mid - 1;
    }
    return NULL;
}

const nd_nsh_cmd *nd_nsh_builtin_at(int i) { return i >= 0 && i < NB ? &builtins[i] : NULL; }

static int b_help(nd_nsh_io *io, int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "lm")) { /* the micrOS help of every module */
        nd_ctx ctx = {.door = ND_DOOR_PIPE};
        nd_buf out;
        nd_buf_init(&out, ND_REPLY_MAX);
        nd_exec(io->run->node, &ctx, "help lm", 7, &out);
        nd_nsh_write(io, out.p ? out.p : "", out.n);
        nd_buf_free(&out);
        return 0;
    }
    if (argc == 2) {
        const nd_nsh_cmd *c = nd_nsh_builtin(argv[1]);
        if (!c) c = nd_nsh_find_cmd(argv[1]);
        if (!c) {
            nd_nsh_eprintf(io, "help: %s: no such built-in or command (module calls: help lm)\n", argv[1]);
            return 1;
        }
        nd_nsh_printf(io, "usage: %s\n%s\n", c->synopsis, c->about);
        return 0;
    }
    if (argc > 2) return USAGE(io, "help [NAME]");
    nd_nsh_printf(io, "Built-ins:\n");
    for (int i = 0; i < NB; i++) nd_nsh_printf(io, "  %-34s %s\n", builtins[i].synopsis, builtins[i].about);
    nd_nsh_printf(io, "Commands:\n");
    for (int i = 0;; i++) {
        const nd_nsh_cmd *c = nd_nsh_cmd_at(i);
        if (!c) break;
        nd_nsh_printf(io, "  %-34s %s\n", c->synopsis, c->about);
    }
    nd_nsh_printf(io, "Load Module calls: MODULE FUNCTION [ARGS...] [>json] (every module: help lm)\n"
                      "Scripts: ./NAME or NAME found in $PATH (default /bin)\n");
    return 0;
}
