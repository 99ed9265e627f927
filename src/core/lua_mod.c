/*
** lua_mod.c -- Lua Load Modules: the module source behind the registry
** (modsrc.h) and the glue that runs a call, a sleeping call and a task.
**
** A file modules/LM_<name>.lua is the module <name>. It is found and loaded
** on its first call (or by `help lm`), and registered like a C module: its
** functions are the module table's functions whose names do not start with
** '_', each with a parameter spec built from the Lua parameter names (all
** default to None, since Lua has no defaults: `garden water sec=30` binds
** sec). Every call stats the file (one syscall, no polling loop): a changed
** mtime or size loads the new text into a fresh state; if that fails the
** previous version stays and the call reports the load error once.
**
** A call runs in a coroutine. When it returns, its results are the reply.
** When it sleeps (nodus.sleep yields), the call goes on as a task: inside a
** `&`/`&&` task that task continues it; a synchronous call becomes the task
** <module>.<function> and answers micrOS's {'<tag>': 'Starting'}, so a
** dashboard button on a watering function works as `garden water 30 &`.
**
** Every Lua API call that may allocate runs inside lua_pcall: a refused
** allocation (the memory budget) must become an error of that call, never
** a panic of the node.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua_int.h"
#include "modsrc.h"
#include "nodus/port.h"
#include "task.h"

const char nd_lua_sleep_mark = 's';

static struct nd_lua *lua_of(struct nd_node *n)
{
    if (!n->lua) {
        n->lua = calloc(1, sizeof *n->lua);
        if (n->lua) n->lua->node = n;
    }
    return n->lua;
}

static bool valid_name(const char *s, size_t n)
{
    if (n == 0 || n >= sizeof ((nd_luamod *)0)->name) return false;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_'))
            return false;
    }
    return true;
}

static int lower(int ch) { return ch >= 'A' && ch <= 'Z' ? ch + 32 : ch; }

static bool ieq(const char *a, size_t an, const char *b, size_t bn)
{
    if (an != bn) return false;
    for (size_t i = 0; i < an; i++)
        if (lower((unsigned char)a[i]) != lower((unsigned char)b[i])) return false;
    return true;
}

static nd_luamod *find_mod(struct nd_lua *l, const char *name, size_t len)
{
    for (int i = 0; i < l->nmods; i++)
        if (strlen(l->mods[i]->name) == len && !memcmp(l->mods[i]->name, name, len)) return l->mods[i];
    return NULL;
}

/* ---- the function table of a loaded version ------------------------------ */

typedef struct build_ctx {
    nd_luavm *vm;
    nd_buf *strs;            /* name\0params\0help\0 per function */
    size_t off[ND_LUA_FUNCS_MAX][3];
    int n;
    char err[ND_ERRMSG];
} build_ctx;

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Function `fname` (on top of L): its spec "a=None b=None" into strs. */
static void add_func(lua_State *L, build_ctx *b, const char *fname, const char *help)
{
    if (b->n >= ND_LUA_FUNCS_MAX) return;
    for (int i = 0; i < b->n; i++)
        if (!strcmp(b->strs->p + b->off[i][0], fname)) return;
    lua_Debug ar;
    lua_pushvalue(L, -1);
    lua_getinfo(L, ">u", &ar);
    b->off[b->n][0] = b->strs->n;
    nd_buf_put(b->strs, fname, strlen(fname) + 1);
    b->off[b->n][1] = b->strs->n;
    for (int p = 1; p <= ar.nparams && p <= ND_MAX_PARAMS; p++) {
        const char *pn = lua_getlocal(L, NULL, p);
        nd_buf_printf(b->strs, "%s%s=None", p > 1 ? " " : "", pn ? pn : "_");
    }
    /* f(a, ...): positional arguments up to the binder's limit (call_run
    ** drops the trailing Nones of the vararg part) */
    for (int p = ar.nparams + 1; ar.isvararg && p <= ND_MAX_PARAMS; p++)
        nd_buf_printf(b->strs, "%sarg%d=None", p > 1 ? " " : "", p);
    nd_buf_putc(b->strs, 0);
    b->off[b->n][2] = b->strs->n;
    if (help) nd_buf_put(b->strs, help, strlen(help) + 1);
    else { /* no help line: the call as it is typed */
        nd_buf_puts(b->strs, fname);
        for (int p = 1; p <= ar.nparams && p <= ND_MAX_PARAMS; p++) {
            const char *pn = lua_getlocal(L, NULL, p);
            nd_buf_printf(b->strs, " %s", pn ? pn : "_");
        }
        if (ar.isvararg) nd_buf_puts(b->strs, " ...");
        nd_buf_putc(b->strs, 0);
    }
    b->n++;
}

/* Help lines first, in their order (the dashboard's order), then the other
** functions by name. */
static int build_funcs(lua_State *L)
{
    build_ctx *b = lua_touserdata(L, 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, b->vm->mtab);
    int mt = lua_gettop(L);
    if (lua_getfield(L, mt, "help") == LUA_TTABLE) {
        lua_Integer nh = (lua_Integer)lua_rawlen(L, -1);
        for (lua_Integer i = 1; i <= nh; i++) {
            if (lua_rawgeti(L, -1, i) != LUA_TSTRING) {
                lua_pop(L, 1);
                continue;
            }
            const char *line = lua_tostring(L, -1);
            size_t tag;
            const char *rest = nd_help_untag(line, &tag);
            char fname[64];
            size_t k = strcspn(rest, " ");
            snprintf(fname, sizeof fname, "%.*s", (int)(k < 63 ? k : 63), rest);
            if (fname[0] != '_' && lua_getfield(L, mt, fname) == LUA_TFUNCTION)
                add_func(L, b, fname, line);
            lua_pop(L, 2);
        }
    }
    lua_pop(L, 1);
    const char *names[ND_LUA_FUNCS_MAX * 2];
    int nn = 0;
    lua_pushnil(L);
    while (lua_next(L, mt)) {
        if (lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TFUNCTION) {
            const char *k = lua_tostring(L, -2);
            if (k[0] != '_' && valid_name(k, strlen(k)) && nn < ND_LUA_FUNCS_MAX * 2) names[nn++] = k;
        }
        lua_pop(L, 1);
    }
    qsort(names, (size_t)nn, sizeof names[0], name_cmp); /* keys stay alive in the table */
    for (int i = 0; i < nn; i++) {
        lua_getfield(L, mt, names[i]);
        add_func(L, b, names[i], NULL);
        lua_pop(L, 1);
    }
    if (nn > ND_LUA_FUNCS_MAX) snprintf(b->err, sizeof b->err, "more than %d functions", ND_LUA_FUNCS_MAX);
    return 0;
}

static int make_funcs(nd_luamod *m, nd_luavm *vm, nd_func **funcs, char **strs, char *err, size_t errn)
{
    nd_buf sb;
    nd_buf_init(&sb, 256 * 1024);
    build_ctx *b = calloc(1, sizeof *b);
    if (!b) return snprintf(err, errn, "out of memory"), ND_ERR;
    b->vm = vm;
    b->strs = &sb;
    lua_pushcfunction(vm->L, build_funcs);
    lua_pushlightuserdata(vm->L, b);
    int st = lua_pcall(vm->L, 1, 0, 0);
    int rc = ND_OK;
    if (st != LUA_OK) {
        nd_luavm_errmsg(vm, vm->L, st, err, errn);
        lua_pop(vm->L, 1);
        rc = ND_ERR;
    } else if (b->err[0] || sb.overflow) {
        snprintf(err, errn, "LM_%s.lua: %s", m->name, b->err[0] ? b->err : "help lines too long");
        rc = ND_ERR;
    }
    if (rc == ND_OK) {
        *funcs = calloc((size_t)b->n + 1, sizeof **funcs);
        *strs = malloc(sb.n ? sb.n : 1);
        if (!*funcs || !*strs) {
            free(*funcs);
            free(*strs);
            rc = ND_ERR;
            snprintf(err, errn, "out of memory");
        } else {
            if (sb.n) memcpy(*strs, sb.p, sb.n);
            for (int i = 0; i < b->n; i++) {
                (*funcs)[i] = (nd_func)ND_FUNC(*strs + b->off[i][0], nd_lua_fn, *strs + b->off[i][1],
                                               *strs + b->off[i][2]);
            }
        }
    }
    free(b);
    nd_buf_free(&sb);
    return rc;
}

/* ---- finding and (re)loading ---------------------------------------------- */

typedef struct dup_ctx {
    const char *name;
    char other[80];
} dup_ctx;

static int dup_one(void *ud, const char *fname, const nd_fs_info *info)
{
    dup_ctx *d = ud;
    size_t fl = strlen(fname), nl = strlen(d->name);
    if (info->dir || fl != nl + 7 || strncmp(fname, "LM_", 3) || strcmp(fname + fl - 4, ".lua")) return 0;
    if (ieq(fname + 3, nl, d->name, nl) && memcmp(fname + 3, d->name, nl)) {
        snprintf(d->other, sizeof d->other, "%s", fname);
        return 1;
    }
    return 0;
}

/* Release what the module holds of its current version. */
static void drop_version(nd_luamod *m)
{
    if (!m->vm) return;
    nd_lua_watches_drop(m->vm);
    nd_luavm_release(m->vm);
    m->vm = NULL;
}

static int load_file(struct nd_node *n, nd_luamod *m, const nd_fs_info *info, char *err, size_t errn)
{
    char rel[96];
    snprintf(rel, sizeof rel, "modules/LM_%s.lua", m->name);
    size_t nb = 0;
    for (size_t count = nd_registry_count(); nb < count; nb++)
        if (nd_registry_is_builtin((int)nb) && ieq(nd_registry_at(nb)->name, strlen(nd_registry_at(nb)->name),
                                                   m->name, strlen(m->name)))
            return snprintf(err, errn, "LM_%s.lua: the name clashes with the built-in module '%s': rename the file",
                            m->name, nd_registry_at(nb)->name), ND_ERR;
    dup_ctx d = {m->name, ""};
    nd_fs_list("modules", dup_one, &d);
    if (d.other[0])
        return snprintf(err, errn, "LM_%s.lua and %s differ only in case: rename one", m->name, d.other),
               ND_ERR;
    if (info->size > ND_LUA_FILE_MAX)
        return snprintf(err, errn, "LM_%s.lua is %llu bytes (at most %d)", m->name,
                        (unsigned long long)info->size, ND_LUA_FILE_MAX), ND_ERR;
    char *src = malloc(ND_LUA_FILE_MAX + 1);
    size_t len = 0;
    if (!src) return snprintf(err, errn, "out of memory"), ND_ERR;
    int rc = nd_fs_read(rel, src, ND_LUA_FILE_MAX + 1, &len);
    if (rc != ND_OK) {
        free(src);
        return snprintf(err, errn, "LM_%s.lua: %s", m->name, nd_strerror(rc)), ND_ERR;
    }
    nd_luavm *vm = nd_luavm_new(n, m, err, errn);
    if (!vm) {
        free(src);
        return ND_ERR;
    }
    rc = nd_luavm_load(vm, src, len, err, errn);
    free(src);
    nd_func *funcs = NULL;
    char *strs = NULL;
    if (rc == ND_OK) rc = make_funcs(m, vm, &funcs, &strs, err, errn);
    if (rc != ND_OK) {
        nd_luavm_release(vm);
        return ND_ERR;
    }
    int index = nd_registry_add(&m->mod);
    if (index < 0) {
        nd_luavm_release(vm);
        free(funcs);
        free(strs);
        return snprintf(err, errn, "too many modules (at most %d)", ND_MODULES_MAX), ND_ERR;
    }
    bool was = m->vm != NULL;
    drop_version(m);
    free(m->funcs);
    free(m->strs);
    m->funcs = funcs;
    m->strs = strs;
    m->mod.funcs = funcs;
    m->vm = vm;
    m->index = index;
    m->mtime = info->mtime;
    m->size = info->size;
    m->bad = false;
    int nf = 0;
    while (funcs[nf].name) nf++;
    nd_log(n, "[INFO] LM_%s.lua %sloaded: %d functions, %zu bytes", m->name, was ? "re" : "", nf, vm->used);
    return ND_OK;
}

static nd_luamod *new_mod(struct nd_lua *l, const char *name, size_t len)
{
    if (l->nmods >= ND_MODULES_MAX) return NULL;
    nd_luamod *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    memcpy(m->name, name, len);
    m->mod.name = m->name;
    m->mod.about = "Lua module";
    m->index = -1;
    l->mods[l->nmods++] = m;
    return m;
}

static int prepare(struct nd_node *n, const char *name, size_t len, bool force, char *err, size_t errn)
{
    if (!valid_name(name, len)) return ND_ENOTFOUND;
    char rel[96];
    snprintf(rel, sizeof rel, "modules/LM_%.*s.lua", (int)len, name);
    nd_fs_info info;
    struct nd_lua *l = n->lua;
    nd_luamod *m = l ? find_mod(l, name, len) : NULL;
    /* The stat is most of a call's cost (a symlink-safe walk: five
    ** syscalls), so a module called again within ND_LUA_CHECK_MS is not
    ** checked again -- unless the node wrote modules/ meanwhile (/fs). */
    uint64_t now = nd_port_mono_ms();
    if (m && m->vm && !force && m->seen_gen == l->gen && now - m->checked_ms < ND_LUA_CHECK_MS &&
        !nd_registry_hidden(m->index))
        return ND_OK;
    if (m) {
        m->checked_ms = now;
        m->seen_gen = l->gen;
    }
    if (nd_fs_stat(rel, &info) != ND_OK || info.dir) {
        if (m && m->index >= 0 && !nd_registry_hidden(m->index)) {
            nd_registry_hide(n, m->index);
            nd_log(n, "[INFO] LM_%s.lua is gone: module unloaded", m->name);
        }
        if (m && !m->busy) drop_version(m); /* its running tasks keep their version */
        return ND_ENOTFOUND;
    }
    if (m && m->vm && !force && m->mtime == info.mtime && m->size == info.size) {
        if (nd_registry_hidden(m->index)) nd_registry_add(&m->mod);
        return ND_OK;
    }
    if (m && !force && m->bad && m->bad_mtime == info.mtime && m->bad_size == info.size) {
        if (m->vm) return ND_OK; /* reported once; the previous version goes on */
        /* no version at all: try again, which reports it on every call */
    }
    if (!l && !(l = lua_of(n))) return snprintf(err, errn, "out of memory"), ND_ERR;
    if (!m && !(m = new_mod(l, name, len)))
        return snprintf(err, errn, "too many modules (at most %d)", ND_MODULES_MAX), ND_ERR;
    m->checked_ms = now;
    m->seen_gen = l->gen;
    if (m->busy) return m->vm ? ND_OK : ND_ENOTFOUND; /* never swap a version under its own call */
    if (m->loading) /* its top level called itself (nodus.call, help lm) */
        return snprintf(err, errn, "LM_%s.lua is still loading: its top level cannot call it", m->name), ND_ERR;
    m->loading = true;
    int rc = load_file(n, m, &info, err, errn);
    m->loading = false;
    if (rc != ND_OK) {
        m->bad = true;
        m->bad_mtime = info.mtime;
        m->bad_size = info.size;
        nd_log(n, "[ERR] LM_%s->load: %s", m->name, err);
        return ND_ERR;
    }
    return ND_OK;
}

int nd_modsrc_prepare(struct nd_node *n, const char *name, size_t len, char *err, size_t errn)
{
    return prepare(n, name, len, false, err, errn);
}

static int scan_one(void *ud, const char *fname, const nd_fs_info *info)
{
    struct nd_node *n = ud;
    size_t fl = strlen(fname);
    if (info->dir || fl <= 7 || strncmp(fname, "LM_", 3) || strcmp(fname + fl - 4, ".lua")) return 0;
    const char *name = fname + 3;
    size_t len = fl - 7;
    if (!valid_name(name, len)) return 0;
    int idx;
    const nd_module *bm = nd_registry_find(name, len, &idx);
    if (bm && nd_registry_is_builtin(idx)) return 0; /* the built-in wins; `modules reload` says why */
    nd_luamod *m = n->lua ? find_mod(n->lua, name, len) : NULL;
    if (m && !m->vm && m->bad && m->bad_mtime == info->mtime && m->bad_size == info->size)
        return 0; /* known broken: its error was logged when it was found */
    bool had = m && m->vm;
    char err[ND_ERRMSG];
    if (prepare(n, name, len, false, err, sizeof err) != ND_OK) return 0;
    m = find_mod(n->lua, name, len);
    /* listed with its functions; a module nobody called yet gives its memory back */
    if (m && !had && !nd_registry_is_loaded(n, m->index) && !m->busy) {
        drop_version(m);
        m->mtime = -1;
    }
    return 0;
}

void nd_modsrc_scan(struct nd_node *n) { nd_fs_list("modules", scan_one, n); }

void nd_modsrc_touched(struct nd_node *n)
{
    if (n->lua) n->lua->gen++;
}

/* ---- calls ------------------------------------------------------------------ */

/* A coroutine that lives in a task. Listed by tag, so a call of a function
** whose coroutine task runs answers 'Already running' before it runs
** (and not halfway, at its first sleep). */
typedef struct nd_luatask {
    struct nd_luatask *next;
    nd_luavm *vm;
    int coref;      /* registry reference of the coroutine */
    int nargs;      /* arguments waiting on the coroutine for its first resume */
    char fname[48];
    char tag[ND_TASK_TAG_MAX];
} luatask;

static luatask *luatask_new(nd_luavm *vm, const char *fname, int coref)
{
    luatask *lt = calloc(1, sizeof *lt);
    if (!lt) return NULL;
    lt->vm = vm;
    lt->coref = coref;
    snprintf(lt->fname, sizeof lt->fname, "%s", fname);
    snprintf(lt->tag, sizeof lt->tag, "%.30s.%.30s", vm->mod->name, fname);
    nd_luavm_hold(vm);
    struct nd_lua *l = vm->node->lua;
    lt->next = l->tasks;
    l->tasks = lt;
    return lt;
}

static void luatask_free(void *ud)
{
    luatask *lt = ud;
    struct nd_lua *l = lt->vm->node->lua;
    for (luatask **pp = &l->tasks; *pp; pp = &(*pp)->next)
        if (*pp == lt) {
            *pp = lt->next;
            break;
        }
    luaL_unref(lt->vm->L, LUA_REGISTRYINDEX, lt->coref);
    nd_luavm_release(lt->vm);
    free(lt);
}

static bool coroutine_task_runs(struct nd_lua *l, const char *tag)
{
    for (luatask *lt = l->tasks; lt; lt = lt->next)
        if (!strcmp(lt->tag, tag)) return true;
    return false;
}

typedef struct step_ctx {
    luatask *lt;
    nd_task *t;
    int32_t next;
} step_ctx;

static int step_run(lua_State *L)
{
    step_ctx *sc = lua_touserdata(L, 1);
    luatask *lt = sc->lt;
    nd_luavm *vm = lt->vm;
    lua_rawgeti(L, LUA_REGISTRYINDEX, lt->coref);
    lua_State *co = lua_tothread(L, -1);
    nd_luavm_begin(vm, co);
    int nres = 0, nargs = lt->nargs;
    lt->nargs = 0;
    lua_State *saved = vm->cur;
    vm->cur = co;
    int st = lua_resume(co, L, nargs, &nres);
    vm->cur = saved;
    char msg[ND_ERRMSG];
    if (st == LUA_YIELD && nres == 2 && lua_touserdata(co, -2) == &nd_lua_sleep_mark) {
        sc->next = (int32_t)lua_tointeger(co, -1);
        lua_pop(co, nres);
        return 0;
    }
    sc->next = ND_TASK_DONE;
    if (st == LUA_OK) {
        char mem[8192];
        nd_arena a;
        nd_arena_init(&a, mem, sizeof mem);
        nd_value *v = NULL;
        nd_buf b;
        nd_buf_init(&b, ND_TASK_OUT_MAX);
        if (nd_lua_results(co, lua_gettop(co) - nres + 1, nres, &a, &v, msg, sizeof msg) == ND_OK) {
            nd_render_reply(&b, v, false, false);
            nd_task_printf(sc->t, "%s", nd_buf_cstr(&b));
        } else {
            nd_task_fail(sc->t, "Core error: LM_%s->%s: %s", vm->mod->name, lt->fname, msg);
        }
        nd_buf_free(&b);
        return 0;
    }
    if (st == LUA_YIELD) snprintf(msg, sizeof msg, "coroutine.yield outside a coroutine (use nodus.sleep)");
    else nd_luavm_errmsg(vm, co, st, msg, sizeof msg);
    nd_task_fail(sc->t, "Core error: LM_%s->%s: %s", vm->mod->name, lt->fname, msg);
    nd_log(vm->node, "[ERR] task LM_%s->%s: %s", vm->mod->name, lt->fname, msg);
    vm->node->lua->task_errors++;
    vm->mod->errors++;
    return 0;
}

static int32_t lua_step(nd_task *t, void *ud)
{
    luatask *lt = ud;
    nd_luavm *vm = lt->vm;
    step_ctx sc = {lt, t, ND_TASK_DONE};
    int top = lua_gettop(vm->L);
    lua_pushcfunction(vm->L, step_run);
    lua_pushlightuserdata(vm->L, &sc);
    int st = lua_pcall(vm->L, 1, 0, 0);
    if (st != LUA_OK) {
        char msg[ND_ERRMSG];
        nd_luavm_errmsg(vm, vm->L, st, msg, sizeof msg);
        nd_task_fail(t, "Core error: LM_%s->%s: %s", vm->mod->name, lt->fname, msg);
        vm->node->lua->task_errors++;
        vm->mod->errors++;
        sc.next = ND_TASK_DONE;
    }
    lua_settop(vm->L, top);
    if (sc.next == ND_TASK_DONE) luatask_free(lt);
    return sc.next;
}

typedef struct call_ctx {
    nd_call *c;
    nd_luavm *vm;
    nd_task *task;  /* the `&` task running this call, if any */
    int rc;
} call_ctx;

/* Hand the yielded coroutine on top of L (co) to a task. */
static void to_task(lua_State *L, call_ctx *cx, int32_t ms)
{
    nd_call *c = cx->c;
    luatask *lt = luatask_new(cx->vm, c->func->name, luaL_ref(L, LUA_REGISTRYINDEX));
    if (!lt) {
        cx->rc = nd_fail(c, "memory allocation failed");
        return;
    }
    if (cx->task) { /* `garden water 30 &`: the task goes on with the coroutine */
        nd_task_continue(cx->task, lua_step, lt, luatask_free, ms);
        cx->rc = ND_OK;
        return;
    }
    char tag[ND_TASK_TAG_MAX];
    snprintf(tag, sizeof tag, "%.30s.%.30s", cx->vm->mod->name, c->func->name);
    nd_buf tmp;
    nd_buf_init(&tmp, 256);
    int x;
    nd_task *t = nd_task_open(c->node, tag, lua_step, lt, luatask_free, (uint32_t)ms, false, &tmp, &x);
    nd_buf_free(&tmp);
    if (!t) {
        luatask_free(lt);
        if (x != ND_X_OK) {
            cx->rc = nd_fail(c, "[aio] Task queue full: %lld", (long long)nd_cfg_get_int(c->node->cfg, ND_K_aioqueue));
            return;
        }
    }
    nd_value *d = nd_dict(c->arena);
    if (!d || nd_dict_set(c->arena, d, tag, nd_str(c->arena, t ? "Starting" : "Already running")) != ND_OK) {
        cx->rc = nd_fail(c, "memory allocation failed");
        return;
    }
    c->ret = d;
    cx->rc = ND_OK;
}

static int call_run(lua_State *L)
{
    call_ctx *cx = lua_touserdata(L, 1);
    nd_call *c = cx->c;
    nd_luavm *vm = cx->vm;
    lua_settop(L, 0);
    lua_rawgeti(L, LUA_REGISTRYINDEX, vm->mtab);
    if (lua_getfield(L, 1, c->func->name) != LUA_TFUNCTION)
        return luaL_error(L, "'%s' is not a function of the module any more", c->func->name);
    lua_Debug ar;
    lua_pushvalue(L, -1);
    lua_getinfo(L, ">u", &ar);
    int argc = c->argc;
    if (ar.isvararg) /* the vararg part ends at its last given value */
        while (argc > ar.nparams && (!c->argv[argc - 1] || c->argv[argc - 1]->type == ND_T_NONE)) argc--;
    for (int i = 0; i < argc; i++)
        if (nd_lua_push(L, c->argv[i]) != ND_OK) return luaL_error(L, "argument nested too deeply");
    /* a finished call's coroutine is kept for the next one: no allocation per call */
    lua_State *co;
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &nd_lua_sleep_mark) == LUA_TTHREAD) {
        co = lua_tothread(L, -1);
        lua_pushnil(L);
        lua_rawsetp(L, LUA_REGISTRYINDEX, &nd_lua_sleep_mark);
    } else {
        lua_pop(L, 1);
        co = lua_newthread(L);
    }
    lua_rotate(L, 2, 1); /* co under the function and its arguments */
    if (!lua_checkstack(co, argc + LUA_MINSTACK)) return luaL_error(L, "stack overflow");
    lua_xmove(L, co, argc + 1);
    nd_luavm_begin(vm, co);
    lua_State *saved = vm->cur;
    vm->cur = co;
    int nres = 0;
    int st = lua_resume(co, L, argc, &nres);
    vm->cur = saved;
    char msg[ND_ERRMSG];
    if (st == LUA_OK) {
        if (nd_lua_results(co, lua_gettop(co) - nres + 1, nres, c->arena, &c->ret, msg, sizeof msg) != ND_OK)
            cx->rc = nd_fail(c, "%s", msg);
        else cx->rc = ND_OK;
        if (lua_resetthread(co) == LUA_OK) {
            lua_settop(L, 2);
            lua_rawsetp(L, LUA_REGISTRYINDEX, &nd_lua_sleep_mark); /* the spare coroutine */
        }
        return 0;
    }
    if (st == LUA_YIELD && nres == 2 && lua_touserdata(co, -2) == &nd_lua_sleep_mark) {
        int32_t ms = (int32_t)lua_tointeger(co, -1);
        lua_pop(co, nres);
        lua_settop(L, 2); /* co on top */
        to_task(L, cx, ms);
        return 0;
    }
    if (st == LUA_YIELD) snprintf(msg, sizeof msg, "coroutine.yield outside a coroutine (use nodus.sleep)");
    else nd_luavm_errmsg(vm, co, st, msg, sizeof msg);
    cx->rc = nd_fail(c, "%s", msg);
    return 0;
}

int nd_lua_fn(nd_call *c)
{
    nd_luamod *m = (nd_luamod *)(void *)c->mod; /* nd_module is the first member */
    struct nd_lua *l = c->node->lua;
    nd_luavm *vm = m->vm;
    if (!vm || !l) return nd_fail(c, "module LM_%s is not loaded", m->name);
    if (l->depth >= ND_LUA_DEPTH_MAX) return nd_fail(c, "calls nested deeper than %d", ND_LUA_DEPTH_MAX);
    call_ctx cx = {c, vm, l->depth == 0 ? nd_task_take_current(c->node) : NULL, ND_ERR};
    char tag[ND_TASK_TAG_MAX];
    snprintf(tag, sizeof tag, "%.30s.%.30s", m->name, c->func->name);
    if (!cx.task && coroutine_task_runs(l, tag)) { /* its task is at work: as `&` would answer */
        nd_value *d = nd_dict(c->arena);
        if (!d || nd_dict_set(c->arena, d, tag, nd_str(c->arena, "Already running")) != ND_OK)
            return nd_fail(c, "memory allocation failed");
        c->ret = d;
        return ND_OK;
    }
    /* a nested call of this same vm gets its own budget; the outer one resumes with its own */
    uint64_t deadline = vm->deadline_us;
    int budget = vm->budget_ms;
    bool killed = vm->killed;
    l->depth++;
    m->busy++;
    m->calls++;
    nd_luavm_hold(vm);
    lua_State *base = vm->cur ? vm->cur : vm->L;
    int top = lua_gettop(base);
    lua_pushcfunction(base, call_run);
    lua_pushlightuserdata(base, &cx);
    int st = lua_pcall(base, 1, 0, 0);
    if (st != LUA_OK) {
        char msg[ND_ERRMSG];
        nd_luavm_errmsg(vm, base, st, msg, sizeof msg);
        cx.rc = nd_fail(c, "%s", msg);
    }
    lua_settop(base, top);
    if (cx.rc != ND_OK) {
        m->errors++;
        if (vm->oom) lua_gc(vm->L, LUA_GCCOLLECT, 0); /* the failed call's garbage goes now */
    }
    vm->deadline_us = deadline;
    vm->budget_ms = budget;
    vm->killed = killed;
    m->busy--;
    l->depth--;
    nd_luavm_release(vm);
    return cx.rc;
}

/* nodus.task(fn, name, ...) */
int nd_lua_spawn(lua_State *L, const char *name)
{
    nd_luavm *vm = nd_luavm_of(L);
    int nargs = lua_gettop(L) - 2;
    lua_State *co = lua_newthread(L);
    lua_pushvalue(L, 1);
    lua_xmove(L, co, 1);
    if (nargs > 0) {
        if (!lua_checkstack(co, nargs + LUA_MINSTACK)) return luaL_error(L, "stack overflow");
        for (int i = 0; i < nargs; i++) lua_pushvalue(L, 3 + i);
        lua_xmove(L, co, nargs);
    }
    int coref = luaL_ref(L, LUA_REGISTRYINDEX); /* pops co */
    luatask *lt = luatask_new(vm, name, coref);
    if (!lt) {
        luaL_unref(L, LUA_REGISTRYINDEX, coref);
        return luaL_error(L, "out of memory");
    }
    lt->nargs = nargs;
    const char *tag = lt->tag;
    nd_buf tmp;
    nd_buf_init(&tmp, 256);
    int x;
    nd_task *t = nd_task_open(vm->node, tag, lua_step, lt, luatask_free, 0, false, &tmp, &x);
    nd_buf_free(&tmp);
    if (!t) {
        luatask_free(lt);
        if (x != ND_X_OK)
            return luaL_error(L, "[aio] Task queue full: %d", (int)nd_cfg_get_int(vm->node->cfg, ND_K_aioqueue));
        lua_pushstring(L, "Already running");
        return 1;
    }
    lua_pushstring(L, "Starting");
    return 1;
}

/* ---- `modules reload|unload|stats` ----------------------------------------- */

static int usage(nd_buf *out)
{
    nd_buf_puts(out, "Usage: modules / modules reload <name> / modules unload <name> / modules stats\n");
    return ND_X_FAIL;
}

static int stats(struct nd_node *n, bool json, nd_buf *out)
{
    char mem[16384];
    nd_arena a;
    nd_arena_init(&a, mem, sizeof mem);
    nd_value *d = nd_dict(&a);
    struct nd_lua *l = n->lua;
    for (int i = 0; l && i < l->nmods; i++) {
        nd_luamod *m = l->mods[i];
        if (m->index < 0 || nd_registry_hidden(m->index)) continue;
        nd_value *s = nd_dict(&a);
        if (!s) break;
        nd_dict_set(&a, s, "loaded", nd_bool(&a, m->vm != NULL));
        nd_dict_set(&a, s, "mem", nd_int(&a, m->vm ? (int64_t)m->vm->used : 0));
        nd_dict_set(&a, s, "peak", nd_int(&a, m->vm ? (int64_t)m->vm->peak : 0));
        nd_dict_set(&a, s, "budget", nd_int(&a, nd_cfg_get_int(n->cfg, ND_K_luamem_kb) * 1024));
        nd_dict_set(&a, s, "calls", nd_int(&a, (int64_t)m->calls));
        nd_dict_set(&a, s, "errors", nd_int(&a, (int64_t)m->errors));
        nd_dict_set(&a, d, m->name, s);
    }
    nd_render_reply(out, d, json, false);
    nd_buf_putc(out, '\n');
    return ND_X_OK;
}

int nd_modsrc_command(struct nd_node *n, nd_cmd *c, bool json, nd_buf *out)
{
    if (nd_span_eq(c->w1, "stats") && !c->args.n) return stats(n, json, out);
    bool reload = nd_span_eq(c->w1, "reload"), unload = nd_span_eq(c->w1, "unload");
    if (!(reload || unload) || !c->args.n || memchr(c->args.p, ' ', c->args.n)) return usage(out);
    const char *name = c->args.p;
    size_t len = c->args.n;
    int idx;
    const nd_module *bm = nd_registry_find(name, len, &idx);
    if (bm && nd_registry_is_builtin(idx)) {
        nd_buf_printf(out, "Core error: LM_%.*s->%s: '%.*s' is a built-in C module\n", (int)len, name,
                      reload ? "load" : "unload", (int)len, name);
        return ND_X_FAIL;
    }
    nd_luamod *m = n->lua && valid_name(name, len) ? find_mod(n->lua, name, len) : NULL;
    char err[ND_ERRMSG];
    if (unload) {
        if (!m || !m->vm) {
            nd_buf_printf(out, "Core error: LM_%.*s->unload: not loaded\n", (int)(len > 64 ? 64 : len), name);
            return ND_X_FAIL;
        }
        if (m->busy) {
            nd_buf_printf(out, "Core error: LM_%s->unload: a call of it is running\n", m->name);
            return ND_X_FAIL;
        }
        drop_version(m);
        m->mtime = -1;
        nd_registry_mark_unloaded(n, m->index);
        nd_buf_printf(out, "LM_%s unloaded\n", m->name);
        return ND_X_OK;
    }
    int rc = prepare(n, name, len, true, err, sizeof err);
    if (rc == ND_ENOTFOUND) {
        nd_buf_printf(out, "Core error: LM_%.*s->load: No module named 'LM_%.*s'\n", (int)(len > 64 ? 64 : len),
                      name, (int)(len > 64 ? 64 : len), name);
        return ND_X_FAIL;
    }
    if (rc != ND_OK) {
        nd_buf_printf(out, "Core error: LM_%.*s->load: %s\n", (int)len, name, err);
        return ND_X_FAIL;
    }
    m = find_mod(n->lua, name, len);
    nd_registry_mark_loaded(n, m->index);
    nd_buf_printf(out, "LM_%s reloaded\n", m->name);
    return ND_X_OK;
}

void nd_modsrc_free(struct nd_node *n)
{
    struct nd_lua *l = n->lua;
    if (!l) return;
    for (int i = 0; i < l->nmods; i++) {
        nd_luamod *m = l->mods[i];
        drop_version(m);
        free(m->funcs);
        free(m->strs);
        free(m);
    }
    free(l);
    n->lua = NULL;
    nd_registry_clear_dynamic();
    nd_lua_api_pool_free();
}
