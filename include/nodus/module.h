/*
** module.h -- the Load Module API.
**
** A Load Module (LM) is a C file in modules/ that defines a table of plain
** functions and one `const nd_module nd_mod_<name>` describing it. The build
** finds every modules/<name>.c and registers nd_mod_<name>; nothing else is
** needed. Each function is reachable, with no glue code, as
**
**     <name> <function> [args...]           (shell, REST, cron, interrupts ...)
**
** Arguments are Python literals (10, -3, 1.5, True, None, 'text', [1, 2],
** {'k': 1}) or name=literal keywords, mapped onto the declared parameters.
** A parameter spec is written like a Python signature without parentheses:
**
**     "r g b smooth=True force=True"     (r, g, b required; two defaults)
**
** The help string keeps micrOS's widget tags (BUTTON, SLIDER, COLOR, TEXTBOX,
** GRAPH, STATUS ...): "SLIDER brightness br=<0-100>". The shell shows it
** without the tag; the dashboard builds a widget from it.
**
** A function reads its arguments with nd_arg_*, sets a return value with
** nd_ret_* (or c->ret directly) and returns ND_OK, or fails with
** `return nd_fail(c, "reason %d", x);` which the shell shows as
**     Core error: LM_<module>-><function>: reason 1
**
** Functions that change what a password protects (micrOS's @sudo) are
** declared with ND_FUNC_SUDO (always) or ND_FUNC_SUDO_IF (only when the named
** parameter's value is truthy, micrOS's @sudo(_when_true=...)). The caller
** then adds the keyword pwd='<appwd>'; the dispatcher checks it in one place
** (exec.c), removes it before binding, and otherwise fails the call with
** micrOS's text "Access denied, wrong password (pwd)". The function never
** sees pwd and declares no such parameter.
*/
#ifndef NODUS_MODULE_H
#define NODUS_MODULE_H

#include <stdbool.h>
#include <stdint.h>

#include "nodus/value.h"

#define ND_MAX_PARAMS 12 /* parameters per function */

struct nd_node;
typedef struct nd_call nd_call;
typedef int (*nd_fn)(nd_call *c);

typedef struct nd_func {
    const char *name;   /* function name as typed in the shell */
    nd_fn fn;           /* the C function */
    const char *params; /* "a b=1 c='x'"; "" or NULL for none */
    const char *help;   /* micrOS help line, widget tag first if any */
    unsigned flags;     /* ND_F_* below; 0 for an ordinary function */
    const char *sudo_if; /* ND_F_SUDO_IF: the parameter whose truthy value needs pwd
                          ** (naming no parameter: pwd is always needed) */
} nd_func;

#define ND_F_SUDO 1u    /* always needs pwd='<appwd>' */
#define ND_F_SUDO_IF 2u /* needs it when parameter `sudo_if` is truthy */

typedef struct nd_module {
    const char *name;         /* shell name, [A-Za-z0-9_]+ */
    const nd_func *funcs;     /* terminated by an entry with name NULL */
    int (*on_load)(nd_call *c); /* optional: first use (lazy load); ND_OK or fail */
    const char *about;        /* one line for `help lm` and the README */
} nd_module;

#define ND_FUNC(name, fn, params, help) {name, fn, params, help, 0, 0}
#define ND_FUNC_SUDO(name, fn, params, help) {name, fn, params, help, ND_F_SUDO, 0}
#define ND_FUNC_SUDO_IF(name, fn, params, help, param) \
    {name, fn, params, help, ND_F_SUDO_IF, param}
#define ND_FUNCS_END {0, 0, 0, 0, 0, 0}

struct nd_call {
    struct nd_node *node;    /* the node: config, clock, tasks ... (node.h) */
    nd_arena *arena;         /* where argument and return values live */
    const nd_module *mod;
    const nd_func *func;
    int argc;                /* number of declared parameters */
    nd_value *argv[ND_MAX_PARAMS]; /* argument per parameter, defaults filled in */
    const char *argn[ND_MAX_PARAMS]; /* parameter names */
    nd_value *ret;           /* return value; NULL means None */
    bool json;               /* the caller asked for >json (rarely needed) */
    char err[ND_ERRMSG];     /* set by nd_fail */
};

/* Fail the call with a message (printf style). Always returns ND_ERR. */
int nd_fail(nd_call *c, const char *fmt, ...);

/* Typed argument access by position in the parameter spec. On a type
** mismatch these fail the call ("argument 'br' must be int, not 'str'") and
** return ND_ETYPE, so a function can simply `if (nd_arg_int(...)) return ND_ERR;`.
** nd_arg_int accepts bool (True == 1) like Python; nd_arg_float accepts ints. */
int nd_arg_int(nd_call *c, int i, int64_t *out);
int nd_arg_float(nd_call *c, int i, double *out);
int nd_arg_bool(nd_call *c, int i, bool *out); /* Python truthiness of any value */
int nd_arg_str(nd_call *c, int i, const char **out);
bool nd_arg_is_none(nd_call *c, int i);

/* Return-value helpers (allocate in the call's arena; ND_ENOMEM fails the call). */
int nd_ret_str(nd_call *c, const char *fmt, ...);
int nd_ret_int(nd_call *c, int64_t v);
int nd_ret_float(nd_call *c, double v);
int nd_ret_bool(nd_call *c, bool v);
/* Start a dict return value; add items with nd_dict_set(c->arena, d, ...). */
nd_value *nd_ret_dict(nd_call *c);

#endif
