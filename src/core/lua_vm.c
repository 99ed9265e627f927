/*
** lua_vm.c -- one Lua state per loaded module version: its allocator (the
** memory budget), its instruction-count hook (the time budget) and its
** sandbox.
**
** Memory: the state's allocator counts every byte and refuses an allocation
** that would take the state past `luamem_kb`. Lua turns the refusal into a
** "not enough memory" error of the running call (after one emergency
** collection); the node and the other modules never notice. Shrinking and
** freeing always succeed, as Lua requires.
**
** Time: every ND_LUA_HOOK_EVERY VM instructions the hook looks at the clock;
** past the call's deadline (`luacpu_ms` from its start) it raises "time
** budget exceeded". From then on the hook fires on every instruction and the
** sandbox's pcall/xpcall re-raise, so a runaway that catches errors is still
** stopped. Work inside one C function (a huge string.rep, a pattern match)
** is not counted by instructions; the memory budget bounds most of it.
**
** Sandbox: base (without dofile, loadfile; load takes text only, never
** bytecode; collectgarbage answers "count" only; print goes to the log),
** string (without dump), table, math, utf8, coroutine, and `nodus`. No io,
** os, debug, package/require.
*/
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua_int.h"
#include "nodus/port.h"

nd_luavm *nd_luavm_of(lua_State *L) { return *(nd_luavm **)lua_getextraspace(L); }

static void *vm_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    nd_luavm *vm = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        vm->used -= old;
        return NULL;
    }
    if (nsize > old && vm->limit && vm->used - old + nsize > vm->limit) {
        vm->oom = true;
        return NULL;
    }
    void *p = realloc(ptr, nsize);
    if (!p) {
        vm->oom = true;
        return NULL;
    }
    vm->used = vm->used - old + nsize;
    if (vm->used > vm->peak) vm->peak = vm->used;
    return p;
}

static int budget_error(lua_State *L, nd_luavm *vm)
{
    lua_pushfstring(L, "time budget exceeded (%d ms)", vm->budget_ms);
    return lua_error(L);
}

static void vm_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    nd_luavm *vm = nd_luavm_of(L);
    if (!vm->killed && nd_port_mono_us() < vm->deadline_us) return;
    vm->killed = true;
    lua_sethook(L, vm_hook, LUA_MASKCOUNT, 1); /* the next instruction of this thread fails too */
    budget_error(L, vm);
}

void nd_luavm_begin(nd_luavm *vm, lua_State *co)
{
    int64_t ms = nd_cfg_get_int(vm->node->cfg, ND_K_luacpu_ms);
    int64_t kb = nd_cfg_get_int(vm->node->cfg, ND_K_luamem_kb);
    vm->budget_ms = (int)ms;
    vm->deadline_us = nd_port_mono_us() + (uint64_t)ms * 1000;
    vm->limit = (size_t)kb * 1024;
    vm->killed = vm->oom = false;
    lua_sethook(co, vm_hook, LUA_MASKCOUNT, ND_LUA_HOOK_EVERY);
}

/* A Lua error can carry any bytes (error("\255")) and snprintf may cut a
** character in two; a reply must stay UTF-8 text: such a message keeps its
** ASCII and shows '?' for the rest. */
static void utf8_only(char *buf)
{
    size_t len = strlen(buf);
    if (nd_utf8_valid(buf, len)) return;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)buf[i] >= 0x80) buf[i] = '?';
}

static void errmsg(nd_luavm *vm, lua_State *co, int status, char *buf, size_t n);

void nd_luavm_errmsg(nd_luavm *vm, lua_State *co, int status, char *buf, size_t n)
{
    errmsg(vm, co, status, buf, n);
    utf8_only(buf);
}

static void errmsg(nd_luavm *vm, lua_State *co, int status, char *buf, size_t n)
{
    if (vm->killed) {
        snprintf(buf, n, "time budget exceeded (%d ms)", vm->budget_ms);
        return;
    }
    const char *m = lua_type(co, -1) == LUA_TSTRING ? lua_tostring(co, -1) : NULL;
    if (status == LUA_ERRMEM || (vm->oom && m && strstr(m, "not enough memory"))) {
        snprintf(buf, n, "memory budget exceeded (%zu KiB)", vm->limit / 1024);
        return;
    }
    if (m) snprintf(buf, n, "%s", m);
    else snprintf(buf, n, "error object is a %s value", luaL_typename(co, -1));
}

/* ---- sandbox ------------------------------------------------------------ */

/* pcall/xpcall as the base library's, plus: a call that ran out of time
** stays failed (the continuation also runs after a yield inside). */
static int finish_pcall(lua_State *L, int status, lua_KContext extra)
{
    nd_luavm *vm = nd_luavm_of(L);
    if (vm->killed) return budget_error(L, vm);
    if (status != LUA_OK && status != LUA_YIELD) {
        lua_pushboolean(L, 0);
        lua_pushvalue(L, -2);
        return 2;
    }
    return lua_gettop(L) - (int)extra;
}

static int sb_pcall(lua_State *L)
{
    luaL_checkany(L, 1);
    lua_pushboolean(L, 1);
    lua_insert(L, 1);
    int status = lua_pcallk(L, lua_gettop(L) - 2, LUA_MULTRET, 0, 0, finish_pcall);
    return finish_pcall(L, status, 0);
}

static int sb_xpcall(lua_State *L)
{
    int n = lua_gettop(L);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushboolean(L, 1);
    lua_pushvalue(L, 1);
    lua_rotate(L, 3, 2);
    int status = lua_pcallk(L, n - 2, LUA_MULTRET, 2, 2, finish_pcall);
    return finish_pcall(L, status, 2);
}

/* load(text [, name [, mode [, env]]]): text only -- bytecode could break
** the VM's invariants, so mode is always "t". */
static int sb_load(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    const char *name = luaL_optstring(L, 2, "=(load)");
    int env = lua_isnone(L, 4) ? 0 : 4;
    if (luaL_loadbufferx(L, s, len, name, "t") == LUA_OK) {
        if (env) {
            lua_pushvalue(L, env);
            if (!lua_setupvalue(L, -2, 1)) lua_pop(L, 1);
        }
        return 1;
    }
    luaL_pushfail(L);
    lua_insert(L, -2);
    return 2;
}

static int sb_collectgarbage(lua_State *L)
{
    const char *opt = luaL_optstring(L, 1, "collect");
    if (strcmp(opt, "count") != 0)
        return luaL_error(L, "collectgarbage('%s') is not available in a module", opt);
    int kb = lua_gc(L, LUA_GCCOUNT, 0), b = lua_gc(L, LUA_GCCOUNTB, 0);
    lua_pushnumber(L, (lua_Number)kb + (lua_Number)b / 1024);
    return 1;
}

static int sb_print(lua_State *L)
{
    nd_luavm *vm = nd_luavm_of(L);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    int n = lua_gettop(L);
    for (int i = 1; i <= n; i++) {
        if (i > 1) luaL_addchar(&b, '\t');
        luaL_tolstring(L, i, NULL);
        luaL_addvalue(&b);
    }
    luaL_pushresult(&b);
    nd_log(vm->node, "[INFO] LM_%s: %.400s", vm->mod->name, lua_tostring(L, -1));
    return 0;
}

void nd_lua_sandbox(lua_State *L)
{
    static const luaL_Reg libs[] = {
        {LUA_GNAME, luaopen_base},         {LUA_STRLIBNAME, luaopen_string},
        {LUA_TABLIBNAME, luaopen_table},   {LUA_MATHLIBNAME, luaopen_math},
        {LUA_UTF8LIBNAME, luaopen_utf8},   {LUA_COLIBNAME, luaopen_coroutine},
        {NULL, NULL},
    };
    for (const luaL_Reg *l = libs; l->name; l++) {
        luaL_requiref(L, l->name, l->func, 1);
        lua_pop(L, 1);
    }
    static const char *const gone[] = {"dofile", "loadfile", "require", NULL};
    for (int i = 0; gone[i]; i++) {
        lua_pushnil(L);
        lua_setglobal(L, gone[i]);
    }
    static const luaL_Reg repl[] = {
        {"pcall", sb_pcall}, {"xpcall", sb_xpcall}, {"load", sb_load},
        {"collectgarbage", sb_collectgarbage}, {"print", sb_print}, {NULL, NULL},
    };
    lua_pushglobaltable(L);
    luaL_setfuncs(L, repl, 0);
    lua_pop(L, 1);
    lua_getglobal(L, LUA_STRLIBNAME);
    lua_pushnil(L);
    lua_setfield(L, -2, "dump");
    lua_pop(L, 1);
}

/* ---- life cycle ----------------------------------------------------------- */

static int open_state(lua_State *L)
{
    nd_lua_sandbox(L);
    nd_lua_api_open(L);
    return 0;
}

nd_luavm *nd_luavm_new(struct nd_node *n, nd_luamod *m, char *err, size_t errn)
{
    nd_luavm *vm = calloc(1, sizeof *vm);
    if (!vm) {
        snprintf(err, errn, "out of memory");
        return NULL;
    }
    vm->node = n;
    vm->mod = m;
    vm->refs = 1;
    vm->mtab = LUA_NOREF;
    vm->limit = (size_t)nd_cfg_get_int(n->cfg, ND_K_luamem_kb) * 1024;
    vm->L = lua_newstate(vm_alloc, vm);
    if (!vm->L) {
        snprintf(err, errn, "memory budget exceeded (%zu KiB)", vm->limit / 1024);
        free(vm);
        return NULL;
    }
    *(nd_luavm **)lua_getextraspace(vm->L) = vm;
    nd_luavm_begin(vm, vm->L);
    lua_pushcfunction(vm->L, open_state);
    int st = lua_pcall(vm->L, 0, 0, 0);
    if (st != LUA_OK) {
        nd_luavm_errmsg(vm, vm->L, st, err, errn);
        nd_luavm_release(vm);
        return NULL;
    }
    return vm;
}

typedef struct load_ctx {
    const char *src;
    size_t len;
    const char *chunk;
} load_ctx;

/* Compile and run the chunk on a coroutine, so a chunk that calls
** nodus.sleep at top level gets a clear error instead of a broken state. */
static int load_chunk(lua_State *L)
{
    nd_luavm *vm = nd_luavm_of(L);
    load_ctx *lc = lua_touserdata(L, 1);
    if (luaL_loadbufferx(L, lc->src, lc->len, lc->chunk, "t") != LUA_OK) {
        const char *m = lua_tostring(L, -1);
        if (m && strncmp(m, lc->chunk + 1, strlen(lc->chunk + 1)) != 0) /* name the file in every message */
            lua_pushfstring(L, "%s: %s", lc->chunk + 1, m);
        return lua_error(L);
    }
    lua_State *co = lua_newthread(L);
    lua_rotate(L, -2, 1);
    lua_xmove(L, co, 1);
    nd_luavm_begin(vm, co);
    int nres = 0;
    int st = lua_resume(co, L, 0, &nres);
    if (st == LUA_YIELD) return luaL_error(L, "%s: nodus.sleep outside a function", lc->chunk + 1);
    if (st != LUA_OK) {
        char msg[ND_ERRMSG];
        nd_luavm_errmsg(vm, co, st, msg, sizeof msg);
        lua_pushstring(L, msg);
        return lua_error(L);
    }
    if (nres < 1 || !lua_istable(co, -nres))
        return luaL_error(L, "%s: the file must end with `return M` (a table of functions)",
                          lc->chunk + 1);
    lua_pop(co, nres - 1);
    lua_xmove(co, L, 1);
    vm->mtab = luaL_ref(L, LUA_REGISTRYINDEX);
    return 0;
}

int nd_luavm_load(nd_luavm *vm, const char *src, size_t len, char *err, size_t errn)
{
    char chunk[64];
    snprintf(chunk, sizeof chunk, "=LM_%s.lua", vm->mod->name);
    load_ctx lc = {src, len, chunk};
    nd_luavm_begin(vm, vm->L);
    lua_pushcfunction(vm->L, load_chunk);
    lua_pushlightuserdata(vm->L, &lc);
    int st = lua_pcall(vm->L, 1, 0, 0);
    if (st != LUA_OK) {
        nd_luavm_errmsg(vm, vm->L, st, err, errn);
        lua_pop(vm->L, 1);
        return ND_ERR;
    }
    lua_gc(vm->L, LUA_GCCOLLECT, 0); /* the compiler's garbage is not the module's */
    return ND_OK;
}

void nd_luavm_hold(nd_luavm *vm) { vm->refs++; }

void nd_luavm_release(nd_luavm *vm)
{
    if (!vm || --vm->refs > 0) return;
    nd_lua_watches_drop(vm);
    nd_luavm_begin(vm, vm->L); /* __gc metamethods run at close: bounded too */
    vm->limit = 0;             /* ... but closing never fails for want of memory */
    lua_close(vm->L);
    free(vm);
}
