/*
** nsh.h -- nodus's scripted shell (upyOS's side): the contract between the
** interpreter (nsh.c, nsh_*.c), its commands (nsh_cmd_*.c) and the doors
** that carry it (console, telnet, `sh` in the micrOS shell, boot scripts).
**
** One session (nd_nsh) = one cwd, one environment overlay over the node's
** environment, one `$?`, one foreground run and its jobs. The interpreter
** never blocks the loop: a command that has to wait (sleep, a network reply,
** a reader that is behind) returns ND_NSH_AGAIN and is called again when it
** asked to be woken; everything it needs to remember lives in its state.
**
** Paths: the file tree an nsh user sees is the node's state directory,
** presented as "/". nd_nsh_path() turns what a user typed (relative to the
** session's cwd, or absolute) into a state-dir-relative path for the port's
** nd_fs_* calls; nothing the user types can leave that tree.
*/
#ifndef ND_NSH_H
#define ND_NSH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nd_node;

typedef struct nd_nsh nd_nsh;       /* a session */
typedef struct nd_nsh_io nd_nsh_io; /* one running command inside a session or job */

/* ---- commands ----------------------------------------------------------- */
/* A command returns its exit status (0 = success, 1..255 = failure), or
** ND_NSH_AGAIN to be called again (with the same argv) after one of the
** nd_nsh_wake* conditions below; it keeps what it needs in its state. */
#define ND_NSH_AGAIN (-1000)
#include "nodus/opts.h" /* the limits; a port may override them */

typedef int (*nd_nsh_cmd_fn)(nd_nsh_io *io, int argc, char **argv);
typedef struct nd_nsh_cmd {
    const char *name;
    nd_nsh_cmd_fn fn;
    const char *synopsis; /* "ls [-l] [-a] [-h] [PATH...]" (`help`, `CMD -h`) */
    const char *about;    /* one line: "list directory contents" */
} nd_nsh_cmd;

/* The command tables (nsh_cmds.c): look a command up by name, or walk them
** all (i = 0, 1, ... until NULL) for `help`. Built-ins that change the
** session itself (cd, export, if, goto, jobs ...) live in the interpreter
** and are found before these. */
const nd_nsh_cmd *nd_nsh_find_cmd(const char *name);
const nd_nsh_cmd *nd_nsh_cmd_at(int i);

/* ---- what a running command may do (implemented by the interpreter) ---- */
struct nd_node *nd_nsh_node(nd_nsh_io *io);
/* Standard output and standard error of this command, after redirection
** (session, file, variable, /dev/null). Writes never block: when the reader
** is behind, nd_nsh_out_room() turns false and a command that streams much
** output (cat of a large file) returns ND_NSH_AGAIN with nd_nsh_wake_drained. */
int nd_nsh_write(nd_nsh_io *io, const void *p, size_t n); /* 0 or ND_E* */
int nd_nsh_printf(nd_nsh_io *io, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int nd_nsh_eprintf(nd_nsh_io *io, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool nd_nsh_out_room(nd_nsh_io *io);
/* Standard input of this command when it is the right side of nothing:
** nsh has no pipes; stdin is the door's input (for `read`), empty otherwise. */

/* Per-command state, kept across ND_NSH_AGAIN calls; free_fn runs when the
** command ends, is killed, or its session closes (never twice). */
void *nd_nsh_state(nd_nsh_io *io);
void nd_nsh_set_state(nd_nsh_io *io, void *st, void (*free_fn)(void *st));
/* When to be called again after returning ND_NSH_AGAIN (the last one set wins). */
void nd_nsh_wake_at(nd_nsh_io *io, uint64_t mono_ms); /* a timer */
void nd_nsh_wake_drained(nd_nsh_io *io);              /* when the output has room */
void nd_nsh_wake(nd_nsh_io *io); /* now, from a callback (socket, resolver, task end) */
/* A handle to wake a command from a callback that may outlive it (a socket
** callback after the command was killed): nd_nsh_wake_token() and
** nd_nsh_wake_by_token() do nothing once the command ended. */
uint32_t nd_nsh_wake_token(nd_nsh_io *io);
void nd_nsh_wake_by_token(struct nd_node *n, uint32_t token);

/* Environment: the session's overlay over the node's environment. */
const char *nd_nsh_getenv(nd_nsh_io *io, const char *name); /* NULL if unset */
int nd_nsh_setenv(nd_nsh_io *io, const char *name, const char *value); /* value NULL = unset */

/* Files: resolve a user's path against the session's cwd into a path
** relative to the state directory ("" for the root itself). Returns 0, or
** ND_EINVAL (empty, NUL, too long) -- ".." stops at "/", as in POSIX. */
int nd_nsh_path(nd_nsh_io *io, const char *arg, char *rel, size_t n);
const char *nd_nsh_cwd(nd_nsh_io *io); /* "/" or "/data/x" as shown to the user */
/* Protected files (config key `pfiles`, upyOS's pfiles): rm, mv, cp over
** them and uploads are refused. rel as from nd_nsh_path. */
bool nd_nsh_protected(struct nd_node *n, const char *rel);

/* ---- sessions (the doors) ---------------------------------------------- */
typedef struct nd_nsh_door {
    /* Send bytes to the user. Returns false when the door's output is above
    ** its high-water mark; the door then calls nd_nsh_drained() later. */
    bool (*write)(void *ud, const void *p, size_t n);
    /* The foreground line (or script) finished: show a prompt. */
    void (*idle)(void *ud);
    /* `exit` at the top level: the door closes (or, for `sh` inside the
    ** micrOS shell, returns to the micrOS prompt). */
    void (*exit)(void *ud, int status);
    void *ud;
    bool authed;     /* the door authenticated the user (auth decisions: auth.c) */
    const char *who; /* peer or "console", for logs */
} nd_nsh_door;

nd_nsh *nd_nsh_open(struct nd_node *n, const nd_nsh_door *door);
/* One line the user typed (no newline). While a foreground command runs,
** a line goes to a waiting `read`, or is refused with ND_EAGAIN. */
int nd_nsh_input(nd_nsh *sh, const char *line, size_t n);
void nd_nsh_interrupt(nd_nsh *sh); /* Ctrl-C: stop the foreground command or script */
void nd_nsh_drained(nd_nsh *sh);   /* the door's output has room again */
bool nd_nsh_busy(nd_nsh *sh);
const char *nd_nsh_prompt(nd_nsh *sh); /* "/data $ " */
void nd_nsh_close(nd_nsh *sh);         /* kills the foreground run; jobs keep running */

/* Run a script file without a door (boot and shutdown scripts): output goes
** to the node's log. done (may be NULL) gets the exit status. rel is a
** state-dir-relative path. ND_ENOTFOUND when the file is absent. A short
** script may finish (and call done) before nd_nsh_run_file returns. */
int nd_nsh_run_file(struct nd_node *n, const char *rel, void (*done)(void *ud, int status),
                    void *ud);

/* Recovery mode (life.c, life.h): the node booted without boothook and init
** scripts. `lshw` shows it; nd_node_recovery_why() (nodus/node.h) says why. */
bool nd_node_recovery(struct nd_node *n);

#endif
