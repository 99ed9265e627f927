/*
** nsh_run.c -- executing nsh: lines, scripts, redirection, resolution of
** the first word, and the step loop that keeps all of it off the event
** loop's back.
**
** A run is a stack of frames. A LINE frame is text typed at the prompt (or
** a job's command); a SCRIPT frame streams its file line by line through a
** small read-ahead window (nd_fs_read_at), so a 1 MB script costs what a
** 1 KB one does; labels are found by scanning the file and the last few are
** remembered (ND_NSH_LABELS) so a tight loop does not rescan; a WATCH frame
** repeats its line. Each step runs at most ND_NSH_SLICE_LINES commands or
** ND_NSH_SLICE_US of time and then asks to be stepped again at once: an
** endless script shares the loop with every door, and Ctrl-C / kill land
** between two commands.
**
** A command that has to wait returns ND_NSH_AGAIN; the run keeps it (r->io)
** and the step ends until one of its wake conditions fires.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "nodus/port.h"
#include "nsh_int.h"

enum { F_LINE, F_SCRIPT, F_WATCH, F_COND };

struct nd_nsh_frame {
    nd_nsh_frame *up;
    int kind;
    char line[ND_NSH_LINE_MAX + 1];
    size_t len, pos;
    /* F_COND: the `if CMD ... then ACTION` condition; on its end the parent
    ** runs ACTION (from act) when the status says so */
    bool negate;
    size_t act;
    /* F_WATCH */
    uint32_t repeat_ms;
    /* F_SCRIPT */
    char rel[ND_NSH_PATH_MAX];
    char shown[ND_NSH_PATH_MAX];
    uint64_t off; /* offset of the next line */
    uint32_t lineno, skip;
    int argc; /* $0 .. */
    char *argv[ND_NSH_ARGS_MAX + 1];
    char *argmem;
    char chunk[ND_NSH_CHUNK];
    uint64_t chunk_off;
    size_t chunk_len;
    bool chunk_ok;
    struct {
        char name[ND_NSH_NAME_MAX];
        uint64_t off;
        uint32_t lineno;
    } lab[ND_NSH_LABELS];
    int nlab, lab_next;
    /* `sh x.sh > f`: what the script's commands write by default */
    nd_nsh_redir out;
    bool has_out;
};

/* scratch of one run, not on the C stack: a lexed command is ~6 KB */
typedef struct run_scratch {
    nd_nsh_lexed lx;
    char tmp[32];
} run_scratch;

static run_scratch *scratch(nd_nsh_run *r)
{
    return (run_scratch *)r->scratch;
}

/* ---- variables --------------------------------------------------------- */
static nd_nsh_frame *script_of(nd_nsh_run *r)
{
    for (nd_nsh_frame *f = r->top; f; f = f->up)
        if (f->kind == F_SCRIPT) return f;
    return NULL;
}

const char *nd_nsh_run_getenv(nd_nsh_run *r, const char *name)
{
    nd_nsh_var *v = nd_nsh_env_find(&r->ctx->env, name);
    if (v) return v->val;
    nd_nsh_all *nn = nd_nsh_node_get(r->node);
    v = nn ? nd_nsh_env_find(&nn->env, name) : NULL;
    return v ? v->val : NULL;
}

int nd_nsh_run_setenv(nd_nsh_run *r, const char *name, const char *val)
{
    if (!nd_nsh_name_ok(name)) return ND_EINVAL;
    if (val) return nd_nsh_env_put(&r->ctx->env, name, val);
    nd_nsh_all *nn = nd_nsh_node_get(r->node);
    if (nn && nd_nsh_env_find(&nn->env, name)) return nd_nsh_env_put(&r->ctx->env, name, NULL);
    nd_nsh_env_del(&r->ctx->env, name);
    return 0;
}

static const char *var_get(void *ud, const char *name)
{
    nd_nsh_run *r = ud;
    char *tmp = scratch(r)->tmp;
    nd_nsh_frame *s = script_of(r);
    if (name[0] == '?' && !name[1]) {
        snprintf(tmp, sizeof scratch(r)->tmp, "%d", r->ctx->status);
        return tmp;
    }
    if (name[0] == '#' && !name[1]) {
        snprintf(tmp, sizeof scratch(r)->tmp, "%d", s ? s->argc - 1 : 0);
        return tmp;
    }
    if (name[0] >= '0' && name[0] <= '9' && !name[1]) {
        int k = name[0] - '0';
        if (!s) return k == 0 ? "nsh" : NULL;
        return k < s->argc ? s->argv[k] : NULL;
    }
    return nd_nsh_run_getenv(r, name);
}

static int var_args(void *ud, char *const **argv)
{
    nd_nsh_frame *s = script_of(ud);
    if (!s || s->argc < 2) return 0;
    *argv = s->argv + 1;
    return s->argc - 1;
}

/* ---- output ------------------------------------------------------------ */
void nd_nsh_run_out(nd_nsh_run *r, const char *p, size_t n)
{
    if (r->sh && n) nd_nsh_session_write(r->sh, p, n);
}

static void where(nd_nsh_run *r, char *buf, size_t n)
{
    nd_nsh_frame *s = script_of(r);
    if (s) snprintf(buf, n, "%s:%u: ", s->shown, (unsigned)s->lineno); /* uint32_t is long on ARM */
    else buf[0] = 0;
}

/* An interpreter error: on stderr, prefixed with file:line inside a script. */
void nd_nsh_run_err(nd_nsh_run *r, const char *fmt, ...)
{
    char buf[512];
    where(r, buf, sizeof buf);
    size_t k = strlen(buf);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + k, sizeof buf - k - 1, fmt, ap);
    va_end(ap);
    k = strlen(buf);
    buf[k++] = '\n';
    nd_nsh_run_out(r, buf, k);
}

int nd_nsh_redir_write(nd_nsh_run *r, nd_nsh_redir *d, const void *p, size_t n)
{
    if (!d || d->kind == ND_NSH_R_SESSION) {
        nd_nsh_run_out(r, p, n);
        return 0;
    }
    if (d->err) return d->err;
    switch (d->kind) {
    case ND_NSH_R_FILE: {
        int rc = nd_nsh_fs_append(d->target, p, n);
        if (rc) d->err = rc;
        return rc;
    }
    case ND_NSH_R_VAR:
        if (d->cap.n + n >= ND_NSH_VAL_MAX) {
            d->err = ND_ELIMIT;
            return ND_ELIMIT;
        }
        return nd_buf_put(&d->cap, p, n);
    default: return 0; /* /dev/null */
    }
}

/* cwd + arg, normalised: "." and empty parts vanish, ".." stops at the
** root. Out: state-dir relative, "" for the root. */
int nd_nsh_resolve(const char *cwd, const char *arg, char *rel, size_t n)
{
    if (!arg || !arg[0] || n < 2) return ND_EINVAL;
    size_t al = strlen(arg), cl = strlen(cwd);
    if (al >= ND_NSH_PATH_MAX * 2 || cl >= ND_NSH_PATH_MAX * 2) return ND_EINVAL;
    char tmp[ND_NSH_PATH_MAX * 4 + 2];
    if (arg[0] == '/') snprintf(tmp, sizeof tmp, "%s", arg);
    else snprintf(tmp, sizeof tmp, "%s/%s", cwd, arg);
    size_t o = 0;
    rel[0] = 0;
    for (char *p = tmp; *p;) {
        size_t k = strcspn(p, "/");
        if (k == 0 || (k == 1 && p[0] == '.')) {
        } else if (k == 2 && p[0] == '.' && p[1] == '.') {
            while (o > 0 && rel[o - 1] != '/') o--;
            if (o > 0) o--; /* the '/' before the dropped part */
            rel[o] = 0;
        } else {
            if (o + (o ? 1 : 0) + k + 1 > n || o + k + 1 > ND_NSH_PATH_MAX - 1) return ND_EINVAL;
            if (o) rel[o++] = '/';
            memcpy(rel + o, p, k);
            o += k;
            rel[o] = 0;
        }
        p += k;
        if (*p == '/') p++;
    }
    return 0;
}

/* ---- frames ------------------------------------------------------------- */
static nd_nsh_frame *push(nd_nsh_run *r, int kind, char *err, size_t errn)
{
    if (r->depth >= ND_NSH_DEPTH_MAX) {
        snprintf(err, errn, "too many nested scripts (max %d)", ND_NSH_DEPTH_MAX);
        return NULL;
    }
    nd_nsh_frame *f = calloc(1, sizeof *f);
    if (!f) {
        snprintf(err, errn, "out of memory");
        return NULL;
    }
    f->kind = kind;
    f->up = r->top;
    r->top = f;
    r->depth++;
    return f;
}

static void finish_redir(nd_nsh_run *r, nd_nsh_redir *d)
{
    if (d->kind == ND_NSH_R_VAR) {
        if (d->err == ND_ELIMIT) {
            nd_nsh_run_err(r, "%s: captured output too long (max %d bytes)", d->target, ND_NSH_VAL_MAX - 1);
            r->ctx->status = 1;
        } else {
            size_t k = d->cap.n;
            if (k && d->cap.p[k - 1] == '\n') k--; /* as $(...) would */
            char val[ND_NSH_VAL_MAX];
            size_t o = 0;
            const char *old = d->append ? nd_nsh_run_getenv(r, d->target) : NULL;
            if (old) o = (size_t)snprintf(val, sizeof val, "%s", old);
            if (o + k >= sizeof val) {
                nd_nsh_run_err(r, "%s: value too long (max %d bytes)", d->target, ND_NSH_VAL_MAX - 1);
                r->ctx->status = 1;
            } else {
                if (k) memcpy(val + o, d->cap.p, k);
                val[o + k] = 0;
                int rc = nd_nsh_run_setenv(r, d->target, val);
                if (rc) {
                    nd_nsh_run_err(r, "%s: %s", d->target, nd_nsh_env_strerror(rc));
                    r->ctx->status = 1;
                }
            }
        }
    } else if (d->kind == ND_NSH_R_FILE && d->err) {
        nd_nsh_run_err(r, "/%s: write failed (%s)", d->target, nd_strerror(d->err));
        r->ctx->status = 1;
    }
    nd_buf_free(&d->cap);
    d->kind = ND_NSH_R_SESSION;
}

static void pop(nd_nsh_run *r)
{
    nd_nsh_frame *f = r->top;
    if (!f) return;
    r->top = f->up;
    r->depth--;
    if (f->has_out) finish_redir(r, &f->out);
    if (f->kind == F_COND && r->top) {
        bool ok = (r->ctx->status == 0) != f->negate;
        if (ok) r->top->pos = f->act;
        else r->ctx->status = 0; /* as POSIX: an if that ran nothing succeeds */
    }
    free(f->argmem);
    free(f);
}

int nd_nsh_run_line(nd_nsh_run *r, const char *line, size_t len)
{
    char err[96];
    if (len > ND_NSH_LINE_MAX) {
        nd_nsh_run_err(r, "line too long (max %d bytes)", ND_NSH_LINE_MAX);
        return ND_ELIMIT;
    }
    nd_nsh_frame *f = push(r, F_LINE, err, sizeof err);
    if (!f) {
        nd_nsh_run_err(r, "%s", err);
        return ND_ELIMIT;
    }
    memcpy(f->line, line, len);
    f->line[len] = 0;
    f->len = len;
    return 0;
}

int nd_nsh_run_watch(nd_nsh_run *r, const char *line, size_t len, uint32_t ms)
{
    char err[96];
    nd_nsh_frame *f = push(r, F_WATCH, err, sizeof err);
    if (!f) {
        nd_nsh_run_err(r, "watch: %s", err);
        return ND_ELIMIT;
    }
    memcpy(f->line, line, len);
    f->line[len] = 0;
    f->len = len;
    f->repeat_ms = ms;
    return 0;
}

int nd_nsh_run_script(nd_nsh_run *r, const char *rel, const char *shown, int argc,
                      char *const *argv, char *err, size_t errn)
{
    nd_fs_info info;
    int rc = nd_nsh_fs_stat(rel, &info);
    if (rc || info.dir) {
        snprintf(err, errn, "%s: %s", shown, rc ? "no such script" : "is a directory");
        return rc ? rc : ND_EINVAL;
    }
    size_t total = strlen(shown) + 1;
    for (int i = 0; i < argc; i++) total += strlen(argv[i]) + 1;
    if (argc + 1 > ND_NSH_ARGS_MAX || total > ND_NSH_EXP_MAX) {
        snprintf(err, errn, "%s: too many arguments", shown);
        return ND_ELIMIT;
    }
    nd_nsh_frame *f = push(r, F_SCRIPT, err, errn);
    if (!f) return ND_ELIMIT;
    f->argmem = malloc(total);
    if (!f->argmem) {
        pop(r);
        snprintf(err, errn, "out of memory");
        return ND_ENOMEM;
    }
    char *p = f->argmem;
    f->argv[0] = p;
    p += sprintf(p, "%s", shown) + 1;
    for (int i = 0; i < argc; i++) {
        f->argv[i + 1] = p;
        p += sprintf(p, "%s", argv[i]) + 1;
    }
    f->argc = argc + 1;
    snprintf(f->rel, sizeof f->rel, "%s", rel);
    snprintf(f->shown, sizeof f->shown, "%s", shown);
    f->pos = f->len = 0;
    return 0;
}

/* One physical line at off: 1 with the line, 0 at the end, or an error. */
static int read_line(nd_nsh_frame *f, uint64_t off, char *dst, size_t cap, size_t *len,
                     uint64_t *next)
{
    size_t n = 0;
    uint64_t p = off;
    for (;;) {
        if (!f->chunk_ok || p < f->chunk_off || p >= f->chunk_off + f->chunk_len) {
            size_t got = 0;
            int rc = nd_nsh_fs_read_at(f->rel, p, f->chunk, sizeof f->chunk, &got);
            if (rc) return rc;
            f->chunk_off = p;
            f->chunk_len = got;
            f->chunk_ok = true;
            if (!got) {
                if (n == 0) return 0;
                break;
            }
        }
        const char *c = f->chunk + (p - f->chunk_off);
        size_t avail = f->chunk_len - (size_t)(p - f->chunk_off);
        const char *nl = memchr(c, '\n', avail);
        size_t take = nl ? (size_t)(nl - c) : avail;
        if (n + take > cap - 1) return ND_ELIMIT;
        memcpy(dst + n, c, take);
        n += take;
        p += take;
        if (nl) {
            p++;
            break;
        }
    }
    if (n && dst[n - 1] == '\r') n--;
    dst[n] = 0;
    if (memchr(dst, 0, n)) return ND_ETYPE;
    *len = n;
    *next = p;
    return 1;
}

static const char *label_of(const char *line, size_t *k)
{
    while (*line == ' ' || *line == '\t') line++;
    if (*line != ':') return NULL;
    line++;
    while (*line == ' ' || *line == '\t') line++;
    size_t n = strcspn(line, " \t#");
    *k = n;
    return line;
}

static void remember(nd_nsh_frame *f, const char *name, size_t k, uint64_t off, uint32_t lineno)
{
    if (!k || k >= ND_NSH_NAME_MAX) return;
    for (int i = 0; i < f->nlab; i++)
        if (strlen(f->lab[i].name) == k && !memcmp(f->lab[i].name, name, k)) return;
    int i = f->nlab < ND_NSH_LABELS ? f->nlab++ : (f->lab_next++ % ND_NSH_LABELS);
    memcpy(f->lab[i].name, name, k);
    f->lab[i].name[k] = 0;
    f->lab[i].off = off;
    f->lab[i].lineno = lineno;
}

static int script_error(nd_nsh_run *r, nd_nsh_frame *f, int rc)
{
    if (rc == ND_ELIMIT) nd_nsh_run_err(r, "line too long (max %d bytes)", ND_NSH_LINE_MAX);
    else if (rc == ND_ETYPE) nd_nsh_run_err(r, "binary data in a script");
    else nd_nsh_run_err(r, "read failed (%s)", nd_strerror(rc));
    (void)f;
    return rc;
}

/* Load the script's next line to execute: skips `skip N` lines and labels. */
static int next_line(nd_nsh_run *r, nd_nsh_frame *f)
{
    for (;;) {
        size_t len;
        uint64_t next;
        int rc = read_line(f, f->off, f->line, sizeof f->line, &len, &next);
        if (rc <= 0) {
            if (rc < 0) {
                f->lineno++;
                script_error(r, f, rc);
            }
            return rc;
        }
        f->lineno++;
        f->off = next;
        if (f->skip) {
            f->skip--;
            continue;
        }
        size_t k;
        const char *lab = label_of(f->line, &k);
        if (lab) {
            remember(f, lab, k, f->off, f->lineno);
            continue;
        }
        f->len = len;
        f->pos = 0;
        return 1;
    }
}

static int do_goto(nd_nsh_run *r, nd_nsh_frame *f, const char *name)
{
    if (*name == ':') name++;
    size_t nl = strlen(name);
    for (int i = 0; i < f->nlab; i++)
        if (!strcmp(f->lab[i].name, name)) {
            f->off = f->lab[i].off;
            f->lineno = f->lab[i].lineno;
            f->pos = f->len;
            return 0;
        }
    /* scan the file from the top; the window and the line buffer are the
    ** frame's own, so memory does not grow with the file */
    char line[ND_NSH_LINE_MAX + 1];
    uint64_t off = 0;
    uint32_t lineno = 0;
    for (;;) {
        size_t len;
        uint64_t next;
        int rc = read_line(f, off, line, sizeof line, &len, &next);
        if (rc < 0) return script_error(r, f, rc);
        if (rc == 0) break;
        lineno++;
        off = next;
        size_t k;
        const char *lab = label_of(line, &k);
        if (lab && k == nl && !memcmp(lab, name, k)) {
            remember(f, lab, k, off, lineno);
            f->off = off;
            f->lineno = lineno;
            f->pos = f->len;
            return 0;
        }
    }
    nd_nsh_run_err(r, "goto: no label '%s'", name);
    return ND_ENOTFOUND;
}

/* ---- commands ------------------------------------------------------------ */
static void free_io(nd_nsh_io *io)
{
    if (io->st_free && io->st) io->st_free(io->st);
    nd_buf_free(&io->own_out.cap);
    nd_buf_free(&io->own_err.cap);
    free(io->argmem);
    free(io);
}

static void finish_io(nd_nsh_run *r, nd_nsh_io *io, int rc)
{
    if (rc < 0) rc = 1;
    if (rc > 255) rc = 255;
    r->ctx->status = rc;
    if (io->st_free && io->st) io->st_free(io->st);
    io->st = NULL;
    if (io->out == &io->own_out) finish_redir(r, &io->own_out);
    if (io->err == &io->own_err) finish_redir(r, &io->own_err);
    free_io(io);
}

/* Set up one redirection from its operator and target token. */
static int setup_redir(nd_nsh_run *r, nd_nsh_redir *d, int kind, const nd_nsh_tok *t)
{
    memset(d, 0, sizeof *d);
    d->append = kind == ND_NSH_T_GTGT || kind == ND_NSH_T_2GTGT;
    if (kind == ND_NSH_T_2TO1) {
        d->kind = ND_NSH_R_OUT;
        return 0;
    }
    if (t->var) {
        d->kind = ND_NSH_R_VAR;
        snprintf(d->target, sizeof d->target, "%s", t->s);
        nd_buf_init(&d->cap, ND_NSH_VAL_MAX);
        return 0;
    }
    if (!strcmp(t->s, "/dev/null")) {
        d->kind = ND_NSH_R_NULL;
        return 0;
    }
    if (nd_nsh_resolve(r->ctx->cwd, t->s, d->target, sizeof d->target) || !d->target[0]) {
        nd_nsh_run_err(r, "%s: bad path for a redirection", t->s);
        return ND_EINVAL;
    }
    if (nd_nsh_protected(r->node, d->target)) {
        nd_nsh_run_err(r, "%s: protected file (pfiles)", t->s);
        return ND_EINVAL;
    }
    nd_fs_info info;
    if (nd_nsh_fs_stat(d->target, &info) == ND_OK && info.dir) {
        nd_nsh_run_err(r, "%s: is a directory", t->s);
        return ND_EINVAL;
    }
    int rc = d->append ? nd_nsh_fs_append(d->target, "", 0) : nd_nsh_fs_write_atomic(d->target, "", 0);
    if (rc) {
        nd_nsh_run_err(r, "%s: cannot write (%s)", t->s, nd_strerror(rc));
        return rc;
    }
    d->kind = ND_NSH_R_FILE;
    return 0;
}

/* A parsed command: words and redirections out of the lexed tokens. */
typedef struct parsed {
    int argc;
    char *argv[ND_NSH_ARGS_MAX + 1];
    int wtok[ND_NSH_ARGS_MAX + 1]; /* token index of each word */
    int rkind[4];
    const nd_nsh_tok *rtok[4];
    int nredir;
    bool json, bg;
    int amp; /* token index of '&' */
} parsed;

static int parse(nd_nsh_run *r, nd_nsh_lexed *L, parsed *p)
{
    memset(p, 0, sizeof *p);
    for (int i = 0; i < L->ntok; i++) {
        nd_nsh_tok *t = &L->tok[i];
        switch (t->kind) {
        case ND_NSH_T_WORD:
            if (p->argc >= ND_NSH_ARGS_MAX) {
                nd_nsh_run_err(r, "too many words (max %d)", ND_NSH_ARGS_MAX);
                return ND_ELIMIT;
            }
            p->wtok[p->argc] = i;
            p->argv[p->argc++] = t->s;
            break;
        case ND_NSH_T_JSON: p->json = true; break;
        case ND_NSH_T_AMP:
            if (i != L->ntok - 1) {
                nd_nsh_run_err(r, "'&' must end the command");
                return ND_ESYNTAX;
            }
            p->bg = true;
            p->amp = i;
            break;
        default:
            if (p->nredir >= 4) {
                nd_nsh_run_err(r, "too many redirections");
                return ND_ELIMIT;
            }
            p->rkind[p->nredir] = t->kind;
            if (t->kind != ND_NSH_T_2TO1) {
                if (i + 1 >= L->ntok || L->tok[i + 1].kind != ND_NSH_T_WORD) {
                    nd_nsh_run_err(r, "redirection without a target");
                    return ND_ESYNTAX;
                }
                p->rtok[p->nredir] = &L->tok[++i];
            }
            p->nredir++;
        }
    }
    p->argv[p->argc] = NULL;
    return 0;
}

static nd_nsh_redir *inherited_out(nd_nsh_run *r)
{
    for (nd_nsh_frame *f = r->top; f; f = f->up)
        if (f->has_out) return &f->out;
    return NULL;
}

static nd_nsh_io *new_io(nd_nsh_run *r, const nd_nsh_cmd *cmd, parsed *p)
{
    nd_nsh_io *io = calloc(1, sizeof *io);
    size_t total = 0;
    for (int i = 0; i < p->argc; i++) total += strlen(p->argv[i]) + 1;
    if (!io || !(io->argmem = malloc(total ? total : 1))) {
        free(io);
        nd_nsh_run_err(r, "out of memory");
        return NULL;
    }
    io->run = r;
    io->cmd = cmd;
    char *q = io->argmem;
    for (int i = 0; i < p->argc; i++) {
        size_t k = strlen(p->argv[i]) + 1;
        memcpy(q, p->argv[i], k);
        io->argv[i] = q;
        q += k;
    }
    io->argc = p->argc;
    io->out = inherited_out(r);
    io->err = NULL;
    for (int i = 0; i < p->nredir; i++) {
        bool to_err = p->rkind[i] == ND_NSH_T_2GT || p->rkind[i] == ND_NSH_T_2GTGT ||
                      p->rkind[i] == ND_NSH_T_2TO1;
        nd_nsh_redir *d = to_err ? &io->own_err : &io->own_out;
        if (d->kind == ND_NSH_R_VAR) nd_buf_free(&d->cap); /* the last one wins */
        if (setup_redir(r, d, p->rkind[i], p->rtok[i])) {
            free_io(io);
            return NULL;
        }
        if (to_err) io->err = d;
        else io->out = d;
    }
    return io;
}

/* Run a command with its io: at once, and keep it if it has to wait. */
static void start_io(nd_nsh_run *r, nd_nsh_io *io)
{
    io->woke = false;
    r->want_drained = r->want_input = false;
    int rc = io->cmd->fn(io, io->argc, io->argv);
    if (rc == ND_NSH_AGAIN) {
        r->io = io;
        r->waiting = true;
        if (!io->woke && !r->want_input) nd_nsh_run_wake(r, nd_port_mono_ms() + 50);
        return;
    }
    finish_io(r, io, rc);
}

/* A module call runs synchronously in module_call(); its io only carries
** the redirections, so this is never called. */
static int module_call_fn(nd_nsh_io *io, int argc, char **argv)
{
    (void)io;
    (void)argc;
    (void)argv;
    return 0;
}

/* Load Module call: the words again, lexed raw so the arguments keep
** micrOS's literal syntax ('text', [1, 2], k=v), through the dispatcher. */
static void module_call(nd_nsh_run *r, nd_nsh_frame *f, size_t start, parsed *p0)
{
    static const nd_nsh_cmd mod = {"(module)", module_call_fn, "MODULE FUNCTION [ARGS...]", "Load Module call"};
    nd_nsh_io *io = new_io(r, &mod, p0);
    if (!io) {
        r->ctx->status = 1;
        return;
    }
    char err[ND_ERRMSG];
    nd_nsh_vars v = {var_get, var_args, r};
    nd_nsh_lexed *L = &scratch(r)->lx;
    if (nd_nsh_lex(f->line, f->len, start, ND_NSH_LEX_RAW, &v, L, err, sizeof err)) {
        nd_nsh_run_err(r, "%s", err);
        finish_io(r, io, 2);
        return;
    }
    char mline[ND_NSH_EXP_MAX];
    size_t o = 0;
    bool json = false;
    for (int i = 0; i < L->ntok; i++) {
        nd_nsh_tok *t = &L->tok[i];
        if (t->kind == ND_NSH_T_JSON) json = true;
        if (t->kind != ND_NSH_T_WORD) {
            if (t->kind != ND_NSH_T_2TO1 && t->kind != ND_NSH_T_JSON && t->kind != ND_NSH_T_AMP) i++;
            continue;
        }
        o += (size_t)snprintf(mline + o, sizeof mline - o, "%s%s", o ? " " : "", t->s);
        if (o >= sizeof mline) break;
    }
    if (json && o < sizeof mline) o += (size_t)snprintf(mline + o, sizeof mline - o, " >json");
    if (o >= sizeof mline) {
        nd_nsh_run_err(r, "%s: command too long", p0->argv[0]);
        finish_io(r, io, 2);
        return;
    }
    nd_cmd c;
    if (nd_cmd_parse(mline, o, &c, err, sizeof err) == 0 && (c.task || c.host.n)) {
        nd_nsh_run_err(r, "%s: micrOS '&'/'>>host' postfixes are not nsh syntax: use 'CMD &' for a "
                          "job, 'intercon HOST CMD' for another node",
                       p0->argv[0]);
        finish_io(r, io, 2);
        return;
    }
    if (r->job && !strcmp(p0->argv[0], "task") && p0->argc > 1 && !strcmp(p0->argv[1], "kill")) {
        /* a task freeing itself from inside its own step would pull the
        ** ground from under task.c: jobs stop tasks with kill/killall */
        nd_nsh_run_err(r, "task kill: not from inside a job (use kill / killall)");
        finish_io(r, io, 1);
        return;
    }
    nd_ctx ctx = {.door = ND_DOOR_PIPE, .authed = r->authed};
    nd_buf out;
    nd_buf_init(&out, ND_REPLY_MAX);
    int x = nd_exec(r->node, &ctx, mline, o, &out);
    int rc = nd_nsh_redir_write(r, x == ND_X_OK ? io->out : (io->err && io->err->kind == ND_NSH_R_OUT ? io->out : io->err), out.p ? out.p : "", out.n);
    nd_buf_free(&out);
    finish_io(r, io, x == ND_X_OK ? (rc ? 1 : 0) : 1);
}

static bool is_module(const char *w)
{
    int idx;
    if (nd_registry_find(w, strlen(w), &idx)) return true;
    return !strcmp(w, "task") || !strcmp(w, "modules") || !strcmp(w, "hello") || !strcmp(w, "version");
}

/* A script as a command: ./x.sh, /bin/x, or found in $PATH. */
static bool find_script(nd_nsh_run *r, const char *w, char *rel, size_t n)
{
    nd_fs_info info;
    if (strchr(w, '/'))
        return !nd_nsh_resolve(r->ctx->cwd, w, rel, n) && !nd_nsh_fs_stat(rel, &info) && !info.dir;
    const char *path = nd_nsh_run_getenv(r, "PATH");
    if (!path) path = "/bin";
    for (const char *p = path; *p;) {
        size_t k = strcspn(p, ":");
        char dir[ND_NSH_PATH_MAX], cand[ND_NSH_PATH_MAX * 2];
        if (k && k < sizeof dir) {
            memcpy(dir, p, k);
            dir[k] = 0;
            snprintf(cand, sizeof cand, "%s/%s", dir, w);
            if (dir[0] == '/' && !nd_nsh_resolve("/", cand, rel, n) && !nd_nsh_fs_stat(rel, &info) && !info.dir)
                return true;
        }
        p += k + (p[k] == ':');
    }
    return false;
}

static void push_script(nd_nsh_run *r, const char *rel, const char *shown, parsed *p, int first)
{
    char err[ND_NSH_PATH_MAX + 64];
    nd_nsh_redir out;
    bool has_out = false;
    for (int i = 0; i < p->nredir; i++) {
        if (p->rkind[i] != ND_NSH_T_GT && p->rkind[i] != ND_NSH_T_GTGT) continue;
        if (has_out) nd_buf_free(&out.cap);
        if (setup_redir(r, &out, p->rkind[i], p->rtok[i])) {
            r->ctx->status = 1;
            return;
        }
        has_out = true;
    }
    if (nd_nsh_run_script(r, rel, shown, p->argc - first, p->argv + first, err, sizeof err)) {
        nd_nsh_run_err(r, "sh: %s", err);
        if (has_out) nd_buf_free(&out.cap);
        r->ctx->status = 2;
        return;
    }
    if (has_out) {
        r->top->out = out;
        r->top->has_out = true;
    }
    r->ctx->status = 0;
}

/* Pop frames down to and including the innermost script (return), or
** the outermost one (exit). Returns false when there is no script. */
static bool leave_script(nd_nsh_run *r, bool outermost)
{
    nd_nsh_frame *target = NULL;
    for (nd_nsh_frame *f = r->top; f; f = f->up)
        if (f->kind == F_SCRIPT) {
            target = f;
            if (!outermost) break;
        }
    if (!target) return false;
    for (;;) {
        bool last = r->top == target;
        nd_nsh_frame *c = r->top;
        if (c->kind == F_COND) c->kind = F_LINE; /* no ACTION for a cut condition */
        pop(r);
        if (last) return true;
    }
}

static int int_arg(const char *s, long *v)
{
    char *e;
    long x = strtol(s, &e, 10);
    if (!*s || *e) return ND_EINVAL;
    *v = x;
    return 0;
}

static const char if_usage[] =
    "if: usage: if A OP B ACTION... (OP: == != < > <= >= in) | if [ TEST ] ACTION... | "
    "if CMD... then ACTION...";

/* `if`: decide, and either move pos to the ACTION or leave it past the command. */
static void do_if(nd_nsh_run *r, nd_nsh_frame *f, nd_nsh_lexed *L, parsed *p)
{
    int w = p->argc, b = 1;
    bool neg = false;
    if (w > b && !L->tok[p->wtok[b]].quoted && !strcmp(p->argv[b], "!")) {
        neg = true;
        b++;
    }
    /* A OP B ACTION */
    if (w - b >= 4 && !L->tok[p->wtok[b + 1]].quoted && nd_nsh_is_cmp_op(p->argv[b + 1]) &&
        f->line[L->tok[p->wtok[b + 1]].src] == p->argv[b + 1][0]) {
        int c = nd_nsh_compare(p->argv[b], p->argv[b + 1], p->argv[b + 2]);
        bool ok = (c == 0) != neg;
        r->ctx->status = 0; /* as POSIX: an if that ran nothing succeeds */
        if (ok) f->pos = L->tok[p->wtok[b + 3]].src;
        return;
    }
    /* [ TEST ] ACTION */
    if (w - b >= 3 && !strcmp(p->argv[b], "[") && !L->tok[p->wtok[b]].quoted) {
        int k = b + 1;
        while (k < w && (strcmp(p->argv[k], "]") || L->tok[p->wtok[k]].quoted)) k++;
        if (k + 1 >= w) {
            nd_nsh_run_err(r, "%s", if_usage);
            r->ctx->status = 2;
            return;
        }
        char err[160];
        nd_nsh_io tmp = {.run = r};
        int c = nd_nsh_test(&tmp, k - b - 1, p->argv + b + 1, err, sizeof err);
        if (c == 2) {
            nd_nsh_run_err(r, "if: %s", err);
            r->ctx->status = 2;
            return;
        }
        bool ok = (c == 0) != neg;
        r->ctx->status = 0;
        if (ok) f->pos = L->tok[p->wtok[k + 1]].src;
        return;
    }
    /* CMD ... then ACTION */
    int k = b;
    while (k < w && (strcmp(p->argv[k], "then") || L->tok[p->wtok[k]].quoted)) k++;
    if (k == b || k + 1 >= w) {
        nd_nsh_run_err(r, "%s", if_usage);
        r->ctx->status = 2;
        return;
    }
    char err[96];
    size_t cs = L->tok[p->wtok[b]].src, ce = L->tok[p->wtok[k]].src;
    size_t act = L->tok[p->wtok[k + 1]].src;
    nd_nsh_frame *c = push(r, F_COND, err, sizeof err);
    if (!c) {
        nd_nsh_run_err(r, "if: %s", err);
        r->ctx->status = 2;
        return;
    }
    memcpy(c->line, f->line + cs, ce - cs);
    c->line[ce - cs] = 0;
    c->len = ce - cs;
    c->negate = neg;
    c->act = act;
}

static void do_watch(nd_nsh_run *r, nd_nsh_frame *f, nd_nsh_lexed *L, parsed *p)
{
    double secs = 2;
    int b = 1;
    if (b < p->argc && !strcmp(p->argv[b], "-n")) {
        if (b + 1 >= p->argc || !nd_nsh_is_number(p->argv[b + 1], &secs) || secs < 0.05 || secs > 86400) {
            nd_nsh_run_err(r, "watch: -n needs seconds between 0.05 and 86400");
            r->ctx->status = 2;
            return;
        }
        b += 2;
    }
    if (b >= p->argc) {
        nd_nsh_run_err(r, "watch: usage: watch [-n SECONDS] CMD [ARGS...]");
        r->ctx->status = 2;
        return;
    }
    size_t s = L->tok[p->wtok[b]].src, e = L->end;
    if (e > s && e <= f->len && f->line[e - 1] == ';') e--;
    if (nd_nsh_run_watch(r, f->line + s, e - s, (uint32_t)(secs * 1000)) == 0) r->ctx->status = 0;
    else r->ctx->status = 2;
}

/* Execute the next command of frame f. */
static void run_command(nd_nsh_run *r, nd_nsh_frame *f)
{
    char err[160];
    nd_nsh_vars v = {var_get, var_args, r};
    nd_nsh_lexed *L = &scratch(r)->lx;
    size_t start = f->pos;
    /* an `if` line compares with > and >=: no redirection in its condition
    ** (its ACTION is lexed again, normally, when it runs) */
    size_t k = start;
    while (k < f->len && (f->line[k] == ' ' || f->line[k] == '\t')) k++;
    int mode = f->len - k > 3 && !memcmp(f->line + k, "if", 2) && (f->line[k + 2] == ' ' || f->line[k + 2] == '\t')
                   ? ND_NSH_LEX_CMP : 0;
    if (nd_nsh_lex(f->line, f->len, start, mode, &v, L, err, sizeof err)) {
        nd_nsh_run_err(r, "%s", err);
        r->ctx->status = 2;
        f->pos = f->len; /* the rest of a broken line is not guessed at */
        return;
    }
    f->pos = L->end;
    if (!L->ntok) return;
    parsed p;
    if (parse(r, L, &p)) {
        r->ctx->status = 2;
        return;
    }
    if (p.bg) {
        size_t s = L->tok[0].src, e = L->tok[p.amp].src;
        while (e > s && (f->line[e - 1] == ' ' || f->line[e - 1] == '\t')) e--;
        int id = nd_nsh_job_start(r, f->line + s, e - s);
        r->ctx->status = id > 0 ? 0 : 1;
        return;
    }
    if (!p.argc) {
        nd_nsh_run_err(r, "redirection without a command");
        r->ctx->status = 2;
        return;
    }
    const char *w0 = p.argv[0];
    bool kw = !L->tok[p.wtok[0]].quoted;
    const nd_nsh_cmd *b = nd_nsh_builtin(w0);
    if (b && !b->fn && kw) { /* keywords of the runner */
        nd_nsh_frame *s = script_of(r);
        long nv = 0;
        if (!strcmp(w0, "if")) return do_if(r, f, L, &p);
        if (!strcmp(w0, "watch")) return do_watch(r, f, L, &p);
        if (!strcmp(w0, "run")) { /* upyOS's `if ... run CMD`: the rest is the command */
            if (p.argc > 1) f->pos = L->tok[p.wtok[1]].src;
            return;
        }
        if (!strcmp(w0, "goto")) {
            if (!s || p.argc != 2) {
                nd_nsh_run_err(r, s ? "goto: usage: goto LABEL" : "goto: only in scripts");
                r->ctx->status = 2;
                return;
            }
            /* a goto inside a watch or condition leaves them for the script */
            while (r->top != s) {
                if (r->top->kind == F_COND) r->top->kind = F_LINE;
                pop(r);
            }
            if (do_goto(r, s, p.argv[1])) {
                r->ctx->status = 2;
                leave_script(r, false); /* a missing label ends the script */
                r->ctx->status = 2;
            }
            return;
        }
        if (!strcmp(w0, "skip")) {
            if (!s || p.argc != 2 || int_arg(p.argv[1], &nv) || nv < 0) {
                nd_nsh_run_err(r, s ? "skip: usage: skip N (N >= 0)" : "skip: only in scripts");
                r->ctx->status = 2;
                return;
            }
            s->skip += (uint32_t)nv;
            r->ctx->status = 0;
            return;
        }
        if (!strcmp(w0, "return") || !strcmp(w0, "exit")) {
            bool ex = w0[0] == 'e';
            int st = r->ctx->status;
            if (p.argc > 2 || (p.argc == 2 && (int_arg(p.argv[1], &nv) || nv < 0 || nv > 255))) {
                nd_nsh_run_err(r, "%s: usage: %s [STATUS 0-255]", w0, w0);
                r->ctx->status = 2;
                return;
            }
            if (p.argc == 2) st = (int)nv;
            if (!leave_script(r, ex)) {
                if (!ex) {
                    nd_nsh_run_err(r, "return: not in a script");
                    r->ctx->status = 2;
                    return;
                }
                while (r->top) pop(r);
                r->exit_session = true;
            }
            r->ctx->status = st;
            return;
        }
        if (!strcmp(w0, "sh")) {
            char rel[ND_NSH_PATH_MAX];
            if (p.argc < 2) {
                nd_nsh_run_err(r, "sh: usage: sh FILE [ARGS...]");
                r->ctx->status = 2;
                return;
            }
            if (nd_nsh_resolve(r->ctx->cwd, p.argv[1], rel, sizeof rel)) {
                nd_nsh_run_err(r, "sh: %s: bad path", p.argv[1]);
                r->ctx->status = 2;
                return;
            }
            return push_script(r, rel, p.argv[1], &p, 2);
        }
    }
    const nd_nsh_cmd *cmd = b && b->fn ? b : NULL;
    if (!cmd) cmd = nd_nsh_find_cmd(w0);
    if (cmd && cmd == b && p.argc == 2 && strcmp(w0, "echo") && strcmp(w0, "printf") &&
        strcmp(w0, "test") && strcmp(w0, "[") &&
        (!strcmp(p.argv[1], "--help") || (!strcmp(p.argv[1], "-h") && !strstr(b->synopsis, "-h")))) {
        char msg[256];
        int m = snprintf(msg, sizeof msg, "usage: %s\n%s\n", b->synopsis, b->about);
        nd_nsh_run_out(r, msg, (size_t)(m < (int)sizeof msg ? m : (int)sizeof msg - 1));
        r->ctx->status = 0;
        return;
    }
    if (cmd) {
        nd_nsh_io *io = new_io(r, cmd, &p);
        if (!io) {
            r->ctx->status = 1;
            return;
        }
        start_io(r, io);
        return;
    }
    if (!strchr(w0, '/') && is_module(w0)) return module_call(r, f, start, &p);
    char rel[ND_NSH_PATH_MAX];
    if (find_script(r, w0, rel, sizeof rel)) return push_script(r, rel, w0, &p, 1);
    if (!strchr(w0, '/')) {
        char cand[ND_NSH_PATH_MAX];
        nd_fs_info info;
        if (!nd_nsh_resolve(r->ctx->cwd, w0, cand, sizeof cand) && !nd_nsh_fs_stat(cand, &info) && !info.dir)
            nd_nsh_run_err(r, "%s: not found (a script in the current directory runs as ./%s)", w0, w0);
        else nd_nsh_run_err(r, "%s: not found", w0);
    } else {
        nd_nsh_run_err(r, "%s: no such script", w0);
    }
    r->ctx->status = 127;
}

/* ---- the step loop -------------------------------------------------------- */
nd_nsh_run *nd_nsh_run_new(struct nd_node *n, nd_nsh *sh, nd_nsh_ctx *ctx)
{
    nd_nsh_run *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->scratch = calloc(1, sizeof(run_scratch));
    if (!r->scratch) {
        free(r);
        return NULL;
    }
    r->node = n;
    r->sh = sh;
    r->authed = !sh || nd_nsh_session_authed(sh);
    r->ctx = ctx;
    r->due = UINT64_MAX;
    return r;
}

static void run_timer(nd_timer *t, void *ud)
{
    (void)t;
    nd_nsh_run *r = ud;
    if (r->kick) r->kick(r);
}

void nd_nsh_run_wake(nd_nsh_run *r, uint64_t due)
{
    if (r->job) {
        if (r->in_step) {
            if (due < r->due) r->due = due;
        } else if (r->job->task) {
            uint64_t now = nd_port_mono_ms();
            nd_task_wake(r->job->task, due > now ? (uint32_t)(due - now) : 0);
        }
        return;
    }
    if (nd_timer_armed(&r->tm) && r->tm.due <= due) return;
    nd_timer_arm(&r->node->timers, &r->tm, due, run_timer, r);
}

static void abort_all(nd_nsh_run *r, int status)
{
    if (r->io) {
        nd_nsh_io *io = r->io;
        r->io = NULL;
        finish_io(r, io, status);
    }
    while (r->top) {
        if (r->top->kind == F_COND) r->top->kind = F_LINE;
        pop(r);
    }
    r->ctx->status = status;
}

bool nd_nsh_run_step(nd_nsh_run *r)
{
    if (r->done) return true;
    r->in_step = true;
    r->waiting = false;
    r->want_drained = false;
    r->due = UINT64_MAX;
    uint64_t t0 = nd_port_mono_us();
    int lines = 0;
    for (;;) {
        if (r->stop) {
            abort_all(r, r->stop_status ? r->stop_status : 130);
            r->done = true;
            break;
        }
        if (r->io) {
            if (r->waiting) break;
            nd_nsh_io *io = r->io;
            r->io = NULL;
            start_io(r, io);
            continue;
        }
        if (!r->top) {
            r->done = true;
            break;
        }
        if (++lines > ND_NSH_SLICE_LINES ||
            ((lines & 31) == 0 && nd_port_mono_us() - t0 > ND_NSH_SLICE_US)) {
            nd_nsh_run_wake(r, nd_port_mono_ms());
            break;
        }
        if (r->sh && !nd_nsh_session_room(r->sh)) {
            /* the reader is behind: no further command until the door
            ** drains (nd_nsh_drained), so a chatty loop cannot pile up
            ** output; Ctrl-C and kill still work */
            r->want_drained = true;
            break;
        }
        nd_nsh_frame *f = r->top;
        if (f->pos >= f->len) {
            if (f->kind == F_SCRIPT) {
                if (next_line(r, f) <= 0) pop(r);
            } else if (f->kind == F_WATCH) {
                f->pos = 0;
                nd_nsh_run_wake(r, nd_port_mono_ms() + f->repeat_ms);
                break;
            } else {
                pop(r);
            }
            continue;
        }
        run_command(r, f);
    }
    r->in_step = false;
    return r->done;
}

void nd_nsh_run_free(nd_nsh_run *r)
{
    if (!r) return;
    if (!r->done) abort_all(r, 130);
    nd_timer_disarm(&r->node->timers, &r->tm);
    free(r->input);
    free(r->scratch);
    free(r);
}

nd_nsh_run *nd_nsh_find_token(struct nd_node *n, uint32_t token)
{
    nd_nsh_all *nn = n->nsh;
    if (!nn) return NULL;
    for (nd_nsh *sh = nn->sessions; sh; sh = nd_nsh_session_next(sh)) {
        nd_nsh_run *r = nd_nsh_session_run(sh);
        if (r && r->io && r->io->token == token) return r;
    }
    for (nd_nsh_job *j = nn->jobs; j; j = j->next)
        if (j->run && j->run->io && j->run->io->token == token) return j->run;
    return NULL;
}
