/*
** exec.c -- the one dispatcher. Every door (shell, REST, pipelines from
** cron/boothook/interrupts) hands it a line; it resolves built-ins, conf
** mode, then Load Module functions, in micrOS's order (docs/micros-compat.md §2.4),
** and appends the rendered reply to `out`.
**
** A module call's values live in the node's command arena, reset per call:
** nothing a command allocates outlives it, and no command can take more than
** ND_ARENA_SIZE bytes of values.
*/
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "cfg_apply.h"
#include "cmd.h"
#include "intercon.h"
#include "modsrc.h"
#include "node_int.h"
#include "params.h"
#include "task.h"
#include "widget.h"

/* The built-in help, one line per command, and an empty line after it. */
static const char help_block[] =
    "[MICROS] Built-in commands\n"
    "   hello     - node identity: hello:<devfid>:<hwuid>:<mode>\n"
    "   version   - nodus version (micrOS-style X.Y.Z-N)\n"
    "   modules   - loaded Load Modules (plus task)\n"
    "   exit      - close this session (an empty line does too)\n"
    "   reboot    - restart the node (reboot -h: hard restart)\n"
#if ND_WITH_WEB_FILES
    "   webrepl   - not available on nodus: use the web file manager\n"
#else
    "   webrepl   - not available on nodus\n" /* nor the file manager: a board image */
#endif
    "[CONF] Configuration mode\n"
    "   conf      - enter configuration mode\n"
    "     dump    - show every key, dump <text>: keys containing text\n"
    "     key     - show the value of key\n"
    "     key value - set key to value (saved at once)\n"
    "   noconf    - leave configuration mode\n"
    "[TASK] Task operations\n"
    "   task list       - list tasks by tag (task stats: their runs, times, errors; >json)\n"
    "   task kill <tag> - stop a task (<module>.* for all of a module)\n"
    "   task show <tag> - show the output of a task\n"
    "[EXEC] Command mode, syntax(...): <module> <function> <params> <postfix>\n"
    "   params    - Python literals: 10 -2 1.5 True None 'text' [1, 2] k=v\n"
    "   &<ms>     - run once in the background (after <ms>)\n"
    "   &&<ms>    - run periodically every <ms> (min 20 ms)\n"
    "   >json     - JSON output\n"
#if ND_WITH_INTERCON /* without it, >>host answers that it is not built in */
    "   >>host    - run on another node (InterCon)\n"
#endif
    "   help lm   - list every Load Module and its functions\n"
    "\n";

static void put_lines_help(struct nd_node *n, nd_buf *out, bool all)
{
    nd_buf_put(out, help_block, sizeof help_block - 1);
    size_t count = nd_registry_count();
    for (size_t i = 0; i < count; i++) {
        if (!all && !nd_registry_is_loaded(n, (int)i)) continue;
        if (nd_registry_hidden((int)i)) continue;
        const nd_module *m = nd_registry_at(i);
        /* the module's name, then its functions under it, and `help`: every
        ** module answers it (builtin_help); micrOS lists it too */
        int pad = 0;
        bool own_help = false;
        const nd_func *f = m->funcs;
        for (const char *name = m->name; name; pad = (int)strlen(m->name)) {
            nd_buf_printf(out, "  %*s%s\n", pad, "", name);
            if (f && f->name) {
                name = (f++)->name;
                own_help |= strcmp(name, "help") == 0;
            } else {
                name = own_help ? NULL : "help";
                own_help = true;
            }
        }
    }
}

/* `help lm` (any argument containing "lm") lists every module. */
static bool has_lm(nd_span s)
{
    for (size_t i = 0; i + 1 < s.n; i++)
        if (s.p[i] == 'l' && s.p[i + 1] == 'm') return true;
    return false;
}

static void put_hints(nd_buf *out)
{
    nd_buf_puts(out, "Shell: for hints type help.\n"
                     "Shell: for LM exec: [1](LM)module [2]function [3...]optional params\n");
}

/* ---- conf mode ------------------------------------------------------- */
static int conf_op(struct nd_node *n, nd_cmd *c, nd_buf *out)
{
    if (c->nwords == 0) { /* only blanks (the shell closes on these; other doors may not) */
        put_hints(out);
        return ND_X_FAIL;
    }
    if (nd_span_eq(c->w0, "dump")) {
        char sub[128] = "";
        if (c->nwords > 1) {
            nd_span rest = {c->w1.p, (size_t)(c->local.p + c->local.n - c->w1.p)};
            snprintf(sub, sizeof sub, "%.*s", (int)rest.n, rest.p);
        }
        nd_cfg_dump(n->cfg, sub[0] ? sub : NULL, out);
        return ND_X_OK;
    }
    char key[64];
    if (c->w0.n >= sizeof key) {
        nd_buf_puts(out, "Invalid key\n");
        return ND_X_FAIL;
    }
    memcpy(key, c->w0.p, c->w0.n);
    key[c->w0.n] = 0;
    if (c->nwords == 1) {
        if (nd_cfg_render(n->cfg, key, out) != ND_OK) nd_buf_puts(out, "None");
        nd_buf_putc(out, '\n');
        return ND_X_OK;
    }
    /* value = the remaining words joined by single spaces (micrOS). Other
    ** bytes are kept exactly (a control character the shell let through
    ** too); what cannot be kept -- a NUL, which would end the C string, or
    ** more than the store takes -- is refused, never cut. */
    char val[ND_CFG_STR_MAX + 1];
    size_t vn = 0;
    bool toolong = false;
    const char *p = c->w1.p, *e = c->local.p + c->local.n;
    while (p < e) {
        while (p < e && (*p == ' ' || *p == '\t')) p++;
        const char *s = p;
        while (p < e && *p != ' ' && *p != '\t') p++;
        size_t k = (size_t)(p - s);
        if (!k) continue;
        if (vn + (vn > 0) + k > ND_CFG_STR_MAX) {
            toolong = true;
            break;
        }
        if (vn) val[vn++] = ' ';
        memcpy(val + vn, s, k);
        vn += k;
    }
    val[vn] = 0;
    char err[ND_ERRMSG] = "";
    int rc, id = nd_key_of(key);
    if (id < 0) {
        rc = ND_ENOTFOUND;
    } else if (toolong) {
        snprintf(err, sizeof err, "%s is longer than %d bytes", key, ND_CFG_STR_MAX);
        rc = ND_ELIMIT;
    } else if (memchr(val, 0, vn)) {
        snprintf(err, sizeof err, "%s: NUL character in the value, which a config value cannot "
                                  "contain", key);
        rc = ND_EINVAL;
    } else {
        rc = nd_cfg_set_text(n->cfg, key, val, err, sizeof err);
    }
    if (rc == ND_OK) {
        nd_key changed = (nd_key)id;
        nd_config_changed(n, &changed, 1); /* the key's effect (scheduler, mDNS), the event */
        nd_buf_puts(out, "Saved\n");
        return ND_X_OK;
    }
    if (rc == ND_ENOTFOUND) {
        nd_buf_puts(out, "Invalid key\n");
        return ND_X_FAIL;
    }
    if (err[0]) nd_buf_printf(out, "node_config write error: %s\n", err);
    nd_buf_puts(out, "Failed to save\n");
    return ND_X_FAIL;
}

/* ---- Load Module calls ----------------------------------------------- */
#if defined(__GNUC__)
#define ND_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define ND_PRINTF(f, a)
#endif

static int core_error(nd_buf *out, nd_span m, nd_span f, const char *msg)
{
    nd_buf_printf(out, "Core error: LM_%.*s->%.*s: %s\n", (int)m.n, m.p, (int)f.n, f.p, msg);
    return ND_X_FAIL;
}

/* bind_args' errors: Python's TypeError texts, most of them about f. */
static int ND_PRINTF(4, 5) bind_fail(char *err, size_t errn, const nd_func *f, const char *fmt, ...)
{
    size_t l = f ? (size_t)snprintf(err, errn, "%s() ", f->name) : 0;
    if (l < errn) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err + l, errn - l, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* Bind parsed arguments onto the function's parameter spec, Python style.
** The spec comes parsed once per function from the registry (params.h). */
static int bind_args(nd_call *call, const nd_func *f, nd_arg *args, int nargs, char *err,
                     size_t errn)
{
    nd_params scratch;
    const nd_params *ps = nd_registry_params(call->mod, f, &scratch);
    if (ps->error) {
        bool many = ps->error == ND_PARAMS_TOO_MANY;
        return bind_fail(err, errn, f, many ? "declares more than %d parameters" : "has a parameter spec over %d characters",
                         many ? ND_MAX_PARAMS : ND_PARAMS_SPEC_MAX);
    }
    const char *spec = f->params;
    int np = ps->n;
    call->argc = np;
    for (int i = 0; i < np; i++) {
        call->argv[i] = NULL;
        call->argn[i] = nd_arena_strndup(call->arena, spec + ps->p[i].name, ps->p[i].name_len);
        if (!call->argn[i]) return bind_fail(err, errn, NULL, "memory allocation failed");
    }
    int npos = 0;
    for (int k = 0; k < nargs; k++) {
        if (args[k].name) {
            int i = 0;
            while (i < np && strcmp(args[k].name, call->argn[i]) != 0) i++;
            if (i == np)
                return bind_fail(err, errn, f, "got an unexpected keyword argument '%s'", args[k].name);
            if (call->argv[i])
                return bind_fail(err, errn, f, "got multiple values for argument '%s'", args[k].name);
            call->argv[i] = args[k].v;
        } else {
            if (npos >= np) { /* Python's wording, counting positional arguments only */
                int given = 0, nreq = ps->nreq;
                for (int j = 0; j < nargs; j++) given += args[j].name == NULL;
                const char *was = given == 1 ? "was" : "were";
                if (nreq < np)
                    return bind_fail(err, errn, f, "takes from %d to %d positional arguments but %d %s given",
                                     nreq, np, given, was);
                return bind_fail(err, errn, f, "takes %d positional argument%s but %d %s given", np,
                                 np == 1 ? "" : "s", given, was);
            }
            call->argv[npos++] = args[k].v;
        }
    }
    int missing = 0;
    char list[96] = "";
    for (int i = 0; i < np; i++) {
        if (call->argv[i]) continue;
        const nd_param *q = &ps->p[i];
        if (q->def) {
            size_t used = 0;
            char e[ND_ERRMSG];
            if (nd_lit_parse(call->arena, spec + q->def, q->def_len, &used, &call->argv[i], e, sizeof e) != ND_OK)
                return bind_fail(err, errn, NULL, "bad default of '%.40s': %.100s", call->argn[i], e);
            continue;
        }
        size_t l = strlen(list);
        snprintf(list + l, sizeof list - l, "%s'%s'", missing ? " and " : "", call->argn[i]);
        missing++;
    }
    if (missing)
        return bind_fail(err, errn, f, "missing %d required positional argument%s: %s", missing,
                         missing == 1 ? "" : "s", list);
    return 0;
}

/* The help function every module has: its functions' help lines, widget
** tags removed (micrOS text mode); with widgets=True one widget JSON string
** per tagged line, untagged lines dropped (the dashboard's /rest/<m>/help/True). */
static int builtin_help(nd_call *c)
{
    bool widgets = false;
    if (nd_arg_bool(c, 0, &widgets)) return ND_ERR;
    if (widgets && !ND_WITH_WIDGETS) return nd_fail(c, "widgets are not built into this node");
    nd_value *t = nd_tuple(c->arena);
    if (!t) return nd_fail(c, "memory allocation failed");
    nd_buf w;
    nd_buf_init(&w, 4096);
    int rc = ND_OK;
    for (const nd_func *f = c->mod->funcs; f && f->name && rc == ND_OK; f++) {
        const char *line = f->help ? f->help : f->name;
        nd_value *item;
        if (ND_WITH_WIDGETS && widgets) { /* said, not inferred: the widget code stays out */
            nd_buf_clear(&w);
            if (nd_widget_json(line, &w) != ND_OK) continue;
            item = nd_strn(c->arena, w.p, w.n);
        } else {
            size_t tag;
            item = nd_str(c->arena, nd_help_untag(line, &tag));
        }
        rc = nd_seq_push(c->arena, t, item);
    }
    nd_buf_free(&w);
    if (rc != ND_OK) return nd_fail(c, "memory allocation failed");
    c->ret = t;
    return ND_OK;
}
static const nd_func help_func = ND_FUNC("help", builtin_help, "widgets=False", "help");

/* Set by nd_exec for the one call it dispatches: a REST request that
** authenticated with the password (x-micros-auth) needs no pwd= for @sudo
** functions. Calls that do not come through nd_exec (tasks) need pwd=. */
static bool exec_authed;

/* micrOS's @sudo (Auth.py), in one place for every door: the keyword pwd
** is taken out of the arguments of a protected function whether or not it
** is needed, and when the function needs it (always, or when its sudo
** parameter is truthy) it must equal appwd. Runs after binding, so sudo
** sees the value the function will get (default included); a refusal is
** answered with micrOS's text, sudo_denied. */
static const char sudo_denied[] = "Access denied, wrong password (pwd)";
static void take_pwd(nd_arg *args, int *nargs, const nd_value **pwd)
{
    *pwd = NULL;
    int k = 0;
    for (int i = 0; i < *nargs; i++) {
        if (args[i].name && !strcmp(args[i].name, "pwd")) {
            *pwd = args[i].v;
            continue;
        }
        args[k++] = args[i];
    }
    *nargs = k;
}
static bool sudo_ok(struct nd_node *n, const nd_call *call, const nd_func *f, const nd_value *pwd)
{
    /* "" (ND_FUNC_SUDO) names no parameter, and neither may a misspelt
    ** SUDO_IF name: both protect always (fail closed) */
    bool need = f->sudo != NULL;
    for (int i = 0; f->sudo && i < call->argc; i++)
        if (!strcmp(call->argn[i], f->sudo)) need = nd_value_truthy(call->argv[i]);
    if (!need || exec_authed) return true;
    if (!pwd || pwd->type != ND_T_STR) return false;
    return nd_auth_equal(pwd->u.s.p, pwd->u.s.n, nd_cfg_get_str(n->cfg, ND_K_appwd));
}

/* A call of a function of module m (its registry index) on node n, values in
** arena: the module's on_load runs first when this is its first use on the
** node. ND_ERR when on_load fails (its message in call->err). */
static int call_open(nd_call *call, struct nd_node *n, nd_arena *a, const nd_module *m, int index, bool json)
{
    memset(call, 0, sizeof *call);
    call->node = n;
    call->arena = a;
    call->mod = m;
    call->json = json;
    if (nd_registry_is_loaded(n, index)) return ND_OK;
    if (m->on_load && m->on_load(call) != ND_OK) return ND_ERR;
    nd_registry_mark_loaded(n, index);
    nd_emit_module(n, m->name);
    return ND_OK;
}

/* nd_exec_value: where the value of the module call it runs goes (NULL: nowhere). */
static nd_value **exec_capture;

int nd_exec_lm(struct nd_node *n, nd_cmd *c, bool json, nd_buf *out)
{
    char err[ND_ERRMSG];
    int index = -1;
    const nd_module *m = nd_registry_find(c->w0.p, c->w0.n, &index);
    if (!m || !nd_registry_is_builtin(index)) { /* a module file (modsrc.h): found, reloaded if changed */
        if (nd_modsrc_prepare(n, c->w0.p, c->w0.n, err, sizeof err) == ND_ERR)
            return core_error(out, c->w0, (nd_span){"load", 4}, err);
        m = nd_registry_find(c->w0.p, c->w0.n, &index);
    }
    if (!m) {
        snprintf(err, sizeof err, "No module named 'LM_%.*s'", (int)(c->w0.n > 64 ? 64 : c->w0.n), c->w0.p);
        return core_error(out, c->w0, c->w1, err);
    }
    nd_arena_reset(&n->arena);
    nd_call call;
    if (call_open(&call, n, &n->arena, m, index, json) != ND_OK) return core_error(out, c->w0, c->w1, call.err);
    const nd_func *f = nd_registry_func(m, c->w1.p, c->w1.n);
    if (!f && nd_span_eq(c->w1, "help")) f = &help_func;
    if (!f) {
        snprintf(err, sizeof err, "module 'LM_%s' has no attribute '%.*s'", m->name,
                 (int)(c->w1.n > 64 ? 64 : c->w1.n), c->w1.p);
        return core_error(out, c->w0, c->w1, err);
    }
    call.func = f;
    nd_arg args[ND_MAX_PARAMS + 4];
    int nargs = 0;
    err[0] = 0;
    int prc = nd_args_parse(&n->arena, c->args.p, c->args.n, args, ND_MAX_PARAMS + 4, &nargs, err,
                            sizeof err);
    if (prc != ND_OK) {
        if (!err[0]) snprintf(err, sizeof err, "invalid syntax");
        /* micrOS evals the arguments: a SyntaxError's text names the source */
        if (prc == ND_ESYNTAX) {
            size_t l = strlen(err);
            snprintf(err + l, sizeof err - l, " (<string>, line 1)");
        }
        return core_error(out, c->w0, c->w1, err);
    }
    const nd_value *pwd = NULL;
    bool sudo = f->sudo != NULL;
    if (sudo) take_pwd(args, &nargs, &pwd);
    if (bind_args(&call, f, args, nargs, err, sizeof err) != 0) return core_error(out, c->w0, c->w1, err);
    if (sudo && !sudo_ok(n, &call, f, pwd)) {
        n->cmds_failed++;
        return core_error(out, c->w0, c->w1, sudo_denied);
    }
    n->cmds_run++;
    bool counted = index >= 0 && index < ND_MODULES_MAX;
    if (counted) n->mod_runs[index]++;
    if (f->fn(&call) != ND_OK) {
        n->cmds_failed++;
        if (counted) n->mod_fails[index]++;
        return core_error(out, c->w0, c->w1, call.err);
    }
    if (exec_capture) {
        *exec_capture = call.ret;
        exec_capture = NULL;
    }
    nd_render_reply(out, call.ret, call.json, strcmp(f->name, "help") == 0);
    nd_buf_putc(out, '\n');
    return ND_X_OK;
}

int nd_exec_value(struct nd_node *n, const char *line, size_t len, nd_buf *out, nd_value **ret)
{
    nd_value **saved = exec_capture;
    *ret = NULL;
    exec_capture = ret;
    nd_ctx ctx = {.door = ND_DOOR_PIPE};
    int x = nd_exec(n, &ctx, line, len, out);
    exec_capture = saved;
    return x;
}

/* Python repr of the list in the shell; JSON over REST, as micrOS's
** json.dumps of the same list. */
static int modules_list(struct nd_node *n, bool json, nd_buf *out)
{
    char q = json ? '"' : '\'';
    nd_buf_putc(out, '[');
    for (int i = 0; i < n->nloaded; i++)
        nd_buf_printf(out, "%c%s%c, ", q, nd_registry_at(n->loaded[i])->name, q);
    nd_buf_printf(out, "%ctask%c]\n", q, q);
    return ND_X_OK;
}

/* The built-in words, tried in this order (micrOS's) before conf mode and
** modules. Some match as a prefix ("configure" is conf), some only in the
** shell; `help` takes at most one argument. */
enum { B_HELLO, B_VERSION, B_REBOOT, B_WEBREPL, B_CONF, B_NOCONF, B_HELP, B_NONE };
static const char builtin_words[] = "hello\0version\0reboot\0webrepl\0conf\0noconf\0help";
#define B_PREFIX ((1u << B_WEBREPL) | (1u << B_CONF) | (1u << B_NOCONF))
#define B_SHELL ((1u << B_REBOOT) | (1u << B_CONF) | (1u << B_NOCONF))

static int builtin_of(const nd_cmd *c, const nd_ctx *ctx)
{
    const char *w = builtin_words;
    int b = 0;
    for (; b < B_NONE; b++, w += strlen(w) + 1) {
        if (!((B_PREFIX >> b & 1) ? nd_span_prefix(c->w0, w) : nd_span_eq(c->w0, w))) continue;
        if ((B_SHELL >> b & 1) && ctx->door != ND_DOOR_SHELL) continue;
        if (b == B_HELP && c->nwords > 2) continue;
        break;
    }
    return b;
}

int nd_exec(struct nd_node *n, nd_ctx *ctx, const char *line, size_t len, nd_buf *out)
{
    nd_cmd c;
    char err[ND_ERRMSG];
    if (nd_cmd_parse(line, len, &c, err, sizeof err) != 0) {
        nd_buf_printf(out, "%s\n", err);
        return ND_X_FAIL;
    }
    bool local = c.host.n == 0 || ctx->conf_mode;
    int b = local ? builtin_of(&c, ctx) : B_NONE;
    switch (b) {
    case B_HELLO:
        nd_buf_printf(out, "hello:%s:%s:dev\n", nd_cfg_get_str(n->cfg, ND_K_devfid),
                      nd_cfg_get_str(n->cfg, ND_K_hwuid));
        return ND_X_OK;
    case B_VERSION: nd_buf_printf(out, "%s\n", NODUS_VERSION); return ND_X_OK;
    case B_REBOOT: {
        bool hard = c.nwords > 1 && memchr(c.w1.p, 'h', c.w1.n) && c.w1.p[0] == '-';
        nd_buf_printf(out, "%sReboot micrOS system.\nBye!\n", hard ? "[HARD] " : "");
        return ND_X_REBOOT;
    }
    case B_WEBREPL:
        /* the advice only where the image has the web door's files (/fs) */
        nd_buf_puts(out, ND_WITH_WEB_FILES ? "webrepl is not available on nodus: upload files with "
                                             "the web file manager (/fs) or the REST API\n"
                                           : "webrepl is not available on nodus\n");
        return ND_X_FAIL;
    case B_CONF:
    case B_NOCONF: ctx->conf_mode = b == B_CONF; return ND_X_OK;
    case B_HELP: {
        bool all = c.nwords > 1 && has_lm(c.w1);
        if (all) nd_modsrc_scan(n); /* module files never used yet are listed too */
        put_lines_help(n, out, all);
        return ND_X_OK;
    }
    default: break;
    }
    if (ctx->conf_mode) return conf_op(n, &c, out);
    if (c.host.n && !ND_WITH_INTERCON) {
        nd_buf_puts(out, "InterCon is not built into this node\n");
        return ND_X_FAIL;
    }
    if (c.host.n) return nd_intercon_start(n, &c, ctx->json, out); /* every door, docs/micros-compat.md §5.1 */
    /* the shell's `modules >json` stays a repr, as on micrOS [verified] */
    if (nd_span_eq(c.w0, "modules"))
        return c.nwords > 1 ? nd_modsrc_command(n, &c, c.json || ctx->json, out) : modules_list(n, ctx->json, out);
    c.json |= ctx->json; /* REST: `task list` answers JSON, as micrOS, and so do module calls */
    if (nd_span_eq(c.w0, "task")) return nd_task_builtin(n, &c, out);
    if (c.nwords < 2) {
        put_hints(out);
        return ND_X_FAIL;
    }
    if (c.task) return nd_task_start(n, &c, c.json, out);
    exec_authed = ctx->authed;
    int x = nd_exec_lm(n, &c, c.json, out);
    exec_authed = false;
    return x;
}

/* A module function calling another module's function (module.h). The same
** steps as a shell call -- lazy load, defaults from the spec, @sudo -- minus
** the text: the values pass as they are, in the caller's arena, so the
** caller's own arguments stay valid (a nested nd_exec would reset the arena). */
int nd_lm_call(nd_call *c, const char *mod, const char *fn, nd_value *const *args, int nargs,
               nd_value **ret)
{
    int index = -1;
    const nd_module *m = nd_registry_find(mod, strlen(mod), &index);
    if (!m) return nd_fail(c, "No module named 'LM_%s'", mod);
    if (nargs < 0 || nargs > ND_MAX_PARAMS) return nd_fail(c, "%s.%s: too many arguments", mod, fn);
    nd_call s;
    if (call_open(&s, c->node, c->arena, m, index, c->json) != ND_OK) return nd_fail(c, "%s: %s", mod, s.err);
    const nd_func *f = nd_registry_func(m, fn, strlen(fn));
    if (!f) return nd_fail(c, "module 'LM_%s' has no attribute '%s'", mod, fn);
    s.func = f;
    nd_arg a[ND_MAX_PARAMS];
    for (int i = 0; i < nargs; i++) a[i].name = NULL, a[i].v = args[i] ? args[i] : nd_none(c->arena);
    char err[ND_ERRMSG];
    if (bind_args(&s, f, a, nargs, err, sizeof err) != 0) return nd_fail(c, "%s: %s", mod, err);
    if (f->sudo && !sudo_ok(c->node, &s, f, NULL))
        return nd_fail(c, "%s.%s: %s", mod, fn, sudo_denied);
    if (f->fn(&s) != ND_OK) return nd_fail(c, "%s: %s", mod, s.err);
    *ret = s.ret;
    return ND_OK;
}
