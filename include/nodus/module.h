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
    /* NULL: no password; otherwise pwd='<appwd>' is needed -- always for ""
    ** (ND_FUNC_SUDO), else when the parameter of that name is truthy
    ** (ND_FUNC_SUDO_IF; naming no parameter: always, fail closed). One
    ** pointer rather than flags and a name: 20 bytes an entry on a board,
    ** not 24. */
    const char *sudo;
} nd_func;

typedef struct nd_module {
    const char *name;         /* shell name, [A-Za-z0-9_]+ */
    const nd_func *funcs;     /* terminated by an entry with name NULL */
    int (*on_load)(nd_call *c); /* optional: first use (lazy load); ND_OK or fail */
    const char *about;        /* one line for `help lm` and the README */
} nd_module;

#define ND_FUNC(name, fn, params, help) {name, fn, params, help, 0}
#define ND_FUNC_SUDO(name, fn, params, help) {name, fn, params, help, ""}
/* param: the parameter's name as a string literal ("" param: NULL, which
** would mean "no password", does not compile) */
#define ND_FUNC_SUDO_IF(name, fn, params, help, param) {name, fn, params, help, "" param}
#define ND_FUNCS_END {0, 0, 0, 0, 0}

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

/* micrOS Common.socket_stream's msgobj: send `~~~ <text>` to every logged-in
** shell session now (also the caller's, before its reply), as micrOS's
** reply_all does. For progress of long calls and log dumps. */
void nd_stream(nd_call *c, const char *fmt, ...);

/* micrOS Common.data_logger: append one line to data/<name>.dat, keeping its
** last `limit` lines (1..ND_DATALOG_LINES, micrOS default 12), each stamped
** `Y.M.D-h:m:s ` as micrOS stamps it. The file is
** plain text, readable over /fs/files/data/<name>.dat ($data). A name is
** [A-Za-z0-9_-], max 32 characters. ND_OK or an error (message in c->err). */
#define ND_DATALOG_LINES 30 /* micrOS caps its logger at 30 lines too */
#define ND_DATALOG_LINE_MAX 256
int nd_data_log(nd_call *c, const char *name, const char *line, int limit);
/* Read mode (data=None in micrOS): stream the log's lines with nd_stream;
** returns how many, or < 0 (message in c->err). */
int nd_data_log_stream(nd_call *c, const char *name);

/* micrOS Common.web_endpoint: serve GET|POST /<endpoint> from a module (a
** page, a JSON feed). The callback fills *out (at most ND_WEB_EP_BODY_MAX
** bytes) and sets *ctype ("text/html", "application/json", ...); it gets the
** query string ("" if none) and, for POST, the request body. A non-ND_OK
** return answers 500 with out's text (micrOS answers an exception so).
** Registered endpoints are matched before the web UI's files, listed in the
** `/rest` info's usr_endpoints, and need the password when `auth` is on.
** Registering the same endpoint and method again replaces the callback.
** endpoint: [A-Za-z0-9_/-], 1..47 characters, no leading '/'. */
#define ND_WEB_EP_MAX 16
#define ND_WEB_EP_BODY_MAX (64 * 1024)
typedef int (*nd_web_ep_fn)(struct nd_node *n, const char *query, const char *body, size_t body_n,
                            nd_buf *out, const char **ctype);
int nd_web_endpoint(nd_call *c, const char *endpoint, const char *method, nd_web_ep_fn fn);

/* Return-value helpers (allocate in the call's arena; ND_ENOMEM fails the call). */
int nd_ret_str(nd_call *c, const char *fmt, ...);
int nd_ret_int(nd_call *c, int64_t v);
int nd_ret_float(nd_call *c, double v);
int nd_ret_bool(nd_call *c, bool v);
/* Start a dict return value; add items with nd_dict_set(c->arena, d, ...). */
nd_value *nd_ret_dict(nd_call *c);

/* Call another module's function from a module function (micrOS modules
** import each other: rgbcct drives rgb and cct). The module is loaded first
** if it was not; args bind by position (NULL = None), the rest take their
** declared defaults; an @sudo function is refused. The result lives in the
** caller's arena. ND_OK, or ND_ERR with the callee's error in c->err. */
int nd_lm_call(nd_call *c, const char *mod, const char *fn, nd_value *const *args, int nargs,
               nd_value **ret);

#endif
