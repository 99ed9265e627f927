/*
** nsh_int.h -- the insides of nsh shared by its interpreter files:
** nsh_lex.c (grammar), nsh_env.c (variables), nsh_run.c (lines, scripts,
** redirection), nsh_builtin.c (built-ins), nsh_job.c (jobs in the task
** table), nsh.c (sessions, the doors' API). Commands (nsh_cmd_*.c) use
** nsh.h only.
**
** Shape of a run: a session's foreground line, a job, or a boot script is
** one nd_nsh_run: a stack of frames (an interactive line, a script file, a
** `watch` loop) and at most one command in progress (nd_nsh_io) that said
** ND_NSH_AGAIN. The run is stepped from a timer (foreground) or as a task
** (jobs); each step executes a bounded number of lines and yields, so no
** script, however long or endless, holds the loop.
*/
#ifndef ND_NSH_INT_H
#define ND_NSH_INT_H

#include "node_int.h"
#include "nodus/port.h"
#include "nodus/task.h"
#include "nsh.h"
#include "task.h"

#include "nodus/opts.h" /* the limits; a port may override them */
#define ND_NSH_ENV_FILE "config/nsh.env" /* `env save` */

/* ---- files: never through a symbolic link --------------------------------- */
/* What the interpreter itself opens for a user (redirections, scripts, cd,
** test -f, $PATH lookups) goes through these: nd_fs_nofollow on, so no link
** anywhere in the state directory leads out of it (as nsh's commands). */
static inline int nd_nsh_fs_stat(const char *rel, nd_fs_info *info)
{
    bool was = nd_fs_nofollow(true);
    int rc = nd_fs_stat(rel, info);
    nd_fs_nofollow(was);
    return rc;
}
static inline int nd_nsh_fs_read_at(const char *rel, uint64_t off, void *buf, size_t n, size_t *got)
{
    bool was = nd_fs_nofollow(true);
    int rc = nd_fs_read_at(rel, off, buf, n, got);
    nd_fs_nofollow(was);
    return rc;
}
static inline int nd_nsh_fs_append(const char *rel, const void *p, size_t n)
{
    bool was = nd_fs_nofollow(true);
    int rc = nd_fs_append(rel, p, n);
    nd_fs_nofollow(was);
    return rc;
}
static inline int nd_nsh_fs_write_atomic(const char *rel, const void *p, size_t n)
{
    bool was = nd_fs_nofollow(true);
    int rc = nd_fs_write_atomic(rel, p, n);
    nd_fs_nofollow(was);
    return rc;
}

/* ---- lexer (nsh_lex.c) -------------------------------------------------- */
enum {
    ND_NSH_T_WORD,
    ND_NSH_T_GT,    /* >   */
    ND_NSH_T_GTGT,  /* >>  */
    ND_NSH_T_2GT,   /* 2>  */
    ND_NSH_T_2GTGT, /* 2>> */
    ND_NSH_T_2TO1,  /* 2>&1 */
    ND_NSH_T_AMP,   /* & (ends the command) */
    ND_NSH_T_JSON,  /* >json (module calls) */
};

typedef struct nd_nsh_tok {
    uint8_t kind;
    bool quoted;  /* a quote or backslash took part: never an operator or keyword */
    bool var;     /* a redirection target written $NAME / ${NAME}: s is the name */
    uint16_t src; /* offset of the token in the line */
    char *s;      /* the word after expansion (NUL-terminated, in buf) */
} nd_nsh_tok;

typedef struct nd_nsh_vars {
    const char *(*get)(void *ud, const char *name); /* NULL when unset */
    int (*args)(void *ud, char *const **argv);      /* "$@": positional 1.. */
    void *ud;
} nd_nsh_vars;

typedef struct nd_nsh_lexed {
    int ntok;
    nd_nsh_tok tok[ND_NSH_ARGS_MAX + 8];
    size_t end;  /* where the next command starts (past ';'), or the line length */
    size_t used; /* bytes of buf used */
    char buf[ND_NSH_EXP_MAX];
} nd_nsh_lexed;

/* Lex one command of line[pos..n): up to an unquoted ';' or the end (an
** unquoted '#' at a word's start comments out the rest of the line).
** ND_NSH_LEX_RAW: keep quotes and backslashes in the words (module calls
** keep micrOS's literal syntax) while still expanding variables.
** ND_NSH_LEX_CMP: a whole-word > or >= is a word (`if A > B ...`), not a
** redirection. Returns 0, or ND_ESYNTAX / ND_ELIMIT with a message. */
#define ND_NSH_LEX_RAW 1
#define ND_NSH_LEX_CMP 2
int nd_nsh_lex(const char *line, size_t n, size_t pos, int mode, const nd_nsh_vars *v,
               nd_nsh_lexed *out, char *err, size_t errn);

/* ---- environment (nsh_env.c) ------------------------------------------- */
typedef struct nd_nsh_var {
    char *name;
    char *val; /* NULL in an overlay: unset there (hides the node's value) */
} nd_nsh_var;
typedef struct nd_nsh_env {
    nd_nsh_var *v; /* sorted by name */
    int n, cap;
} nd_nsh_env;

bool nd_nsh_name_ok(const char *name);
nd_nsh_var *nd_nsh_env_find(const nd_nsh_env *e, const char *name);
/* val NULL: a tombstone. Returns 0, ND_EINVAL (bad name), ND_ELIMIT, ND_ENOMEM. */
int nd_nsh_env_put(nd_nsh_env *e, const char *name, const char *val);
void nd_nsh_env_del(nd_nsh_env *e, const char *name);
int nd_nsh_env_copy(nd_nsh_env *dst, const nd_nsh_env *src);
void nd_nsh_env_free(nd_nsh_env *e);
const char *nd_nsh_env_strerror(int rc);

/* ---- node-wide state ---------------------------------------------------- */
struct nd_nsh_job;
typedef struct nd_nsh_node {
    nd_nsh *sessions;
    struct nd_nsh_job *jobs; /* running and recently finished, oldest first */
    int next_job;
    uint32_t next_token;
    nd_nsh_env env; /* the node's environment: config `nshenv`, then config/nsh.env */
} nd_nsh_all;
nd_nsh_all *nd_nsh_node_get(struct nd_node *n); /* created on first use */
void nd_nsh_node_free(struct nd_node *n);
void nd_nsh_env_seed(struct nd_node *n, nd_nsh_all *nn);
int nd_nsh_env_save(struct nd_node *n, const nd_nsh_env *overlay, char *err, size_t errn);

/* ---- runs (nsh_run.c) --------------------------------------------------- */
typedef struct nd_nsh_ctx {
    char cwd[ND_NSH_PATH_MAX]; /* "/" or "/data/x" */
    nd_nsh_env env;            /* overlay over the node's environment */
    int status;                /* $? */
} nd_nsh_ctx;

enum { ND_NSH_R_SESSION, ND_NSH_R_FILE, ND_NSH_R_VAR, ND_NSH_R_NULL, ND_NSH_R_OUT };
typedef struct nd_nsh_redir {
    int kind;
    bool append;
    char target[ND_NSH_PATH_MAX]; /* state-dir path (FILE) or name (VAR) */
    nd_buf cap;                   /* VAR: what was written */
    int err;                      /* first write error */
} nd_nsh_redir;

typedef struct nd_nsh_frame nd_nsh_frame;
typedef struct nd_nsh_run nd_nsh_run;

struct nd_nsh_io {
    nd_nsh_run *run;
    const nd_nsh_cmd *cmd;
    int argc;
    char *argv[ND_NSH_ARGS_MAX + 1];
    char *argmem;
    nd_nsh_redir own_out, own_err;
    nd_nsh_redir *out, *err; /* NULL = the run's output */
    void *st;
    void (*st_free)(void *);
    uint32_t token;
    bool woke; /* a wake condition was set */
};

struct nd_nsh_run {
    struct nd_node *node;
    nd_nsh *sh;               /* where output goes; NULL: nowhere (job of a closed session) */
    nd_nsh_ctx *ctx;
    struct nd_nsh_job *job;   /* NULL for a foreground or boot run */
    nd_nsh_frame *top;
    int depth;
    nd_nsh_io *io;            /* the command that said ND_NSH_AGAIN */
    nd_timer tm;              /* foreground: next step */
    uint64_t due;             /* jobs: when to step next (UINT64_MAX: on an event) */
    bool in_step;
    bool want_drained, want_input;
    char *input;              /* a line for `read` */
    bool stop;                /* Ctrl-C / kill: abort at the next step */
    bool exit_session;        /* `exit` at the prompt */
    bool done;
    bool waiting;             /* r->io said ND_NSH_AGAIN: step only when woken */
    int stop_status;          /* status a stop ends with (130 Ctrl-C, 143 kill) */
    void (*kick)(nd_nsh_run *r); /* foreground: step it (the session's handler) */
    void *owner;              /* the session of a foreground run */
    void *scratch;            /* lexer scratch (nsh_run.c) */
    bool authed;              /* the door's login stands for pwd= of @sudo module functions */
};

nd_nsh_run *nd_nsh_run_new(struct nd_node *n, nd_nsh *sh, nd_nsh_ctx *ctx);
/* Push an interactive line (or a job's command) as the run's next frame. */
int nd_nsh_run_line(nd_nsh_run *r, const char *line, size_t len);
/* Push a script: rel is state-dir relative, shown is $0. */
int nd_nsh_run_script(nd_nsh_run *r, const char *rel, const char *shown, int argc,
                      char *const *argv, char *err, size_t errn);
/* Execute until done, waiting, or the slice is used. Returns true when done. */
bool nd_nsh_run_step(nd_nsh_run *r);
void nd_nsh_run_free(nd_nsh_run *r); /* ends the command in progress */
void nd_nsh_run_wake(nd_nsh_run *r, uint64_t due); /* schedule a step */
/* What the run writes (stdout and stderr of commands without redirection). */
void nd_nsh_run_out(nd_nsh_run *r, const char *p, size_t n);
/* Write to a redirection (NULL or SESSION: the run's output). */
int nd_nsh_redir_write(nd_nsh_run *r, nd_nsh_redir *d, const void *p, size_t n);
void nd_nsh_run_err(nd_nsh_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *nd_nsh_run_getenv(nd_nsh_run *r, const char *name);
int nd_nsh_run_setenv(nd_nsh_run *r, const char *name, const char *val);
nd_nsh_run *nd_nsh_find_token(struct nd_node *n, uint32_t token);
/* cwd + a user's path -> state-dir path ("" = root); ".." stops at "/". */
int nd_nsh_resolve(const char *cwd, const char *arg, char *rel, size_t n);
/* `watch`: run line again every ms until stopped. */
int nd_nsh_run_watch(nd_nsh_run *r, const char *line, size_t len, uint32_t ms);

/* ---- sessions (nsh.c) --------------------------------------------------- */
void nd_nsh_session_write(nd_nsh *sh, const char *p, size_t n);
nd_nsh_ctx *nd_nsh_session_ctx(nd_nsh *sh);
bool nd_nsh_session_room(nd_nsh *sh);
bool nd_nsh_session_authed(nd_nsh *sh);
nd_nsh *nd_nsh_session_next(nd_nsh *sh);
nd_nsh_run *nd_nsh_session_run(nd_nsh *sh);
bool nd_nsh_session_has_door(nd_nsh *sh);
/* history of a session, oldest first (i = 0, 1 ... until NULL) */
const char *nd_nsh_history_at(nd_nsh *sh, int i);
void nd_nsh_clear_history(nd_nsh *sh);

/* ---- built-ins (nsh_builtin.c) ------------------------------------------ */
/* Keywords the runner itself handles (if, goto, skip, return, exit, sh,
** watch) have fn NULL here: listed for `help`, never called. */
const nd_nsh_cmd *nd_nsh_builtin(const char *name);
const nd_nsh_cmd *nd_nsh_builtin_at(int i);
bool nd_nsh_is_number(const char *s, double *d);
/* `test`/`[` over argv (no command name); 0 true, 1 false, 2 error (msg). */
int nd_nsh_test(nd_nsh_io *io, int argc, char **argv, char *err, size_t errn);
/* `if A OP B`: 0 true, 1 false, 2 unknown operator */
int nd_nsh_compare(const char *a, const char *op, const char *b);
bool nd_nsh_is_cmp_op(const char *op);

/* ---- jobs (nsh_job.c) ---------------------------------------------------- */
enum { ND_NSH_J_RUNNING, ND_NSH_J_HELD, ND_NSH_J_STOPPING, ND_NSH_J_DONE };
typedef struct nd_nsh_job {
    struct nd_nsh_job *next;
    int id;
    int state;
    int status;
    nd_task *task;
    nd_nsh_run *run;
    nd_nsh_ctx ctx;
    nd_nsh *sh; /* the session that started it; NULL once closed */
    int64_t start_wall_ms;
    uint64_t start_ms, end_ms;
    char cmd[128];
} nd_nsh_job;
/* Start line as job of the run's session. Returns the job id or a negative
** error with the message written to the run's stderr. */
int nd_nsh_job_start(nd_nsh_run *r, const char *line, size_t len);
nd_nsh_job *nd_nsh_job_find(struct nd_node *n, int id);
void nd_nsh_job_kill(nd_nsh_job *j);
void nd_nsh_job_hold(nd_nsh_job *j, bool hold);
void nd_nsh_jobs_session_closed(struct nd_node *n, nd_nsh *sh);
const char *nd_nsh_job_state(const nd_nsh_job *j, char *buf, size_t n);

#endif
