/*
** fuzz_lua.c -- libFuzzer target for Lua module files (lua_vm.c, lua_conv.c).
**
** Each input is a module's source, loaded into a module state with small
** budgets (64 KiB, 20 ms); if it loads, every function of its table is called
** without arguments on a coroutine, as the call glue does, and its results
** are converted into a small arena. The `nodus` table and print are removed
** first (they need a running node). Properties (abort() on violation):
**  - error messages are NUL-terminated, shorter than ND_ERRMSG, valid UTF-8;
**  - the state never holds more than its budget;
**  - closing the state returns every byte (LeakSanitizer checks the rest).
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lua_int.h"

static struct nd_node node;
static nd_luamod mod;
static _Alignas(8) char mem[8192];

static void check_err(const char *err)
{
    const char *z = memchr(err, 0, ND_ERRMSG);
    if (!z || !nd_utf8_valid(err, (size_t)(z - err))) abort();
}

static int call_all(lua_State *L)
{
    nd_luavm *vm = nd_luavm_of(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, vm->mtab);
    int mt = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, mt)) {
        if (lua_type(L, -1) == LUA_TFUNCTION) {
            lua_State *co = lua_newthread(L);
            lua_pushvalue(L, -2);
            lua_xmove(L, co, 1);
            nd_luavm_begin(vm, co);
            int nres = 0, st = lua_resume(co, L, 0, &nres);
            char err[ND_ERRMSG];
            if (st == LUA_OK) {
                nd_arena a;
                nd_arena_init(&a, mem, sizeof mem);
                nd_value *v;
                err[0] = 0;
                if (nd_lua_results(co, lua_gettop(co) - nres + 1, nres, &a, &v, err, sizeof err) != ND_OK)
                    check_err(err);
            } else if (st != LUA_YIELD) {
                nd_luavm_errmsg(vm, co, st, err, sizeof err);
                check_err(err);
            }
            lua_pop(L, 1); /* the thread */
        }
        lua_pop(L, 1);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!node.cfg) {
        char e[ND_ERRMSG];
        node.cfg = nd_cfg_new();
        nd_cfg_override(node.cfg, "luamem_kb", "64", e, sizeof e);
        nd_cfg_override(node.cfg, "luacpu_ms", "20", e, sizeof e);
        strcpy(mod.name, "f");
        mod.mod.name = mod.name;
    }
    static const char prelude[] = "nodus = nil print = nil ";
    char *src = malloc(sizeof prelude + size);
    if (!src) return 0;
    memcpy(src, prelude, sizeof prelude - 1);
    memcpy(src + sizeof prelude - 1, data, size);
    char err[ND_ERRMSG];
    nd_luavm *vm = nd_luavm_new(&node, &mod, err, sizeof err);
    if (!vm) abort(); /* 64 KiB always holds a bare state */
    if (nd_luavm_load(vm, src, sizeof prelude - 1 + size, err, sizeof err) != ND_OK) {
        check_err(err);
    } else {
        lua_pushcfunction(vm->L, call_all);
        if (lua_pcall(vm->L, 0, 0, 0) != LUA_OK) {
            nd_luavm_errmsg(vm, vm->L, LUA_ERRRUN, err, sizeof err);
            check_err(err);
            lua_pop(vm->L, 1);
        }
    }
    if (vm->peak > vm->limit) abort();
    nd_luavm_release(vm);
    free(src);
    return 0;
}
