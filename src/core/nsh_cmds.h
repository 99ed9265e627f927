/*
** nsh_cmds.h -- internal to nsh's commands (nsh_cmds.c, nsh_cmd_*.c): the
** per-group tables and what the groups share (entry wrapper, options, paths,
** a bounded tree walker).
*/
#ifndef ND_NSH_CMDS_H
#define ND_NSH_CMDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nodus/port.h"
#include "nsh.h"

/* NULL-terminated tables, one per group (nsh_cmd_fs.c, nsh_cmd_sys.c ...). */
extern const nd_nsh_cmd *const nd_nsh_cmds_fs[];
extern const nd_nsh_cmd *const nd_nsh_cmds_sys[];
extern const nd_nsh_cmd *const nd_nsh_cmds_net[];
extern const nd_nsh_cmd *const nd_nsh_cmds_jq[];

#include "nodus/opts.h" /* the limits; a port may override them */

/* Every command enters through nd_cmd_enter: `--help` (and `-h` for commands
** whose synopsis has no -h option) prints the synopsis; the real function
** then runs with nd_fs_nofollow on, so no file call follows a link. */
int nd_cmd_enter(nd_nsh_io *io, int argc, char **argv, const nd_nsh_cmd *self, nd_nsh_cmd_fn fn);
#define ND_CMD_DEF(id, name, syn, about)                                                   \
    static int id(nd_nsh_io *io, int argc, char **argv);                                   \
    static const nd_nsh_cmd id##_def;                                                      \
    static int id##_w(nd_nsh_io *io, int argc, char **argv)                                \
    {                                                                                      \
        return nd_cmd_enter(io, argc, argv, &id##_def, id);                                \
    }                                                                                      \
    static const nd_nsh_cmd id##_def = {name, id##_w, syn, about};

/* "usage: SYNOPSIS" on stderr; returns 2. */
int nd_cmd_usage(nd_nsh_io *io, const char *synopsis);

/* Options: letters in spec, a ':' after one that takes a value ("n:").
** Options and operands may mix ("ls /data -l"); "--" ends options. The
** operands end up in pos[0..npos). Returns 0, or 2 after printing an error
** and the usage line. */
typedef struct nd_opts {
    bool set[128];
    const char *val[128];
    char *pos[ND_NSH_ARGS_MAX];
    int npos;
} nd_opts;
int nd_cmd_opts(nd_nsh_io *io, int argc, char **argv, const char *spec, const char *synopsis,
                nd_opts *o);

/* A user's path to a state-dir path for the port ("." for the root), with a
** clear error on stderr (prefixed with the command name). 0 or 1. */
int nd_cmd_path(nd_nsh_io *io, const char *cmd, const char *arg, char *rel, size_t n);
/* The path as the user sees it: "/" + rel. */
const char *nd_cmd_shown(const char *rel, char *buf, size_t n);
/* A port error as words ("no such file or directory" ...). */
const char *nd_cmd_strerror(int rc);
/* dir + "/" + name as a state-dir path (dir "." = the root). 0, or ND_ELIMIT
** when it does not fit. */
int nd_cmd_join(char *out, size_t n, const char *dir, const char *name);
/* Human size: 1023, 1.0K, 5.3M, 2.1G. */
const char *nd_cmd_human(uint64_t v, char *buf, size_t n);
/* Give the loop a turn: be called again at once (returns ND_NSH_AGAIN). */
int nd_cmd_yield(nd_nsh_io *io);
/* Output is behind: be called again when it drained (returns ND_NSH_AGAIN). */
int nd_cmd_wait_room(nd_nsh_io *io);
/* Shell-style glob: * ? [abc] [a-z] [!x]. */
bool nd_cmd_glob(const char *pat, const char *s);

/* A bounded depth-first walk of a tree (grep -r, find, cp -r): entries come
** out one at a time, a directory before its content, names sorted within a
** directory. Links are never followed (nd_fs_list skips them). Limits:
** ND_WALK_DEPTH levels, ND_WALK_PENDING entries waiting; beyond either the
** walk skips and `truncated` tells the command to say so. */
typedef struct nd_walk {
    char **stack; /* pending paths, each "rel\0" with a leading type byte 'd'/'f' */
    int n, cap;
    bool truncated;
    int max_depth; /* 0: ND_WALK_DEPTH; 1: the directory's own entries only */
} nd_walk;
int nd_walk_init(nd_walk *w, const char *rel); /* rel: file or directory */
/* Next entry: 1 with rel/dir/info filled, 0 at the end, negative ND_E* on error. */
int nd_walk_next(nd_walk *w, char *rel, size_t n, nd_fs_info *info);
void nd_walk_free(nd_walk *w);

#endif
