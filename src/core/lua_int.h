/*
** lua_int.h -- the Lua 5.4 binding's shared internals (lua_vm.c, lua_conv.c,
** lua_mod.c, lua_api.c, lua_hw.c). Nothing outside these files includes it:
** the rest of the core sees Lua modules only through modsrc.h and the
** registry, as ordinary Load Modules.
**
** Shape: every loaded version of a module is its own lua_State (a "vm").
** That makes the sandbox trivial (a module sees its own globals and the
** `nodus` table, nothing else), the memory budget exact (the vm's allocator
** counts every byte), and unloading complete (lua_close returns it all).
** A vm is reference counted: the module holds it while it is the current
** version, each task running a coroutine of it holds it too, so a reload or a
** deleted file never pulls a state from under a running task.
*/
#ifndef ND_LUA_INT_H
#define ND_LUA_INT_H

#include <lauxlib.h>
#include <lua.h>

#include "node_int.h"

#include "nodus/opts.h" /* the limits; a port may override them */

typedef struct nd_luamod nd_luamod;

typedef struct nd_luavm {
    lua_State *L;
    nd_luamod *mod;
    struct nd_node *node;
    size_t used, peak;     /* bytes allocated now / at most */
    size_t limit;          /* the memory budget (luamem_kb), read at every call */
    bool oom;              /* an allocation was refused during this call */
    bool killed;           /* this call ran past its time budget */
    uint64_t deadline_us;  /* of the running call or task step */
    int budget_ms;         /* luacpu_ms of the running call, for the message */
    int refs;              /* the module while current + each task on it */
    int mtab;              /* registry reference of the module table */
    lua_State *cur;        /* the innermost coroutine of this vm running now (nested calls start there) */
    struct nd_luawatch *watches[ND_LUA_WATCH_MAX];
} nd_luavm;

struct nd_luamod {
    nd_module mod;         /* what the registry sees (funcs rebuilt at every load) */
    char name[40];
    nd_func *funcs;        /* ND_FUNCS_END terminated, with strs */
    char *strs;            /* the functions' names, parameter specs and help lines */
    int index;             /* registry index, -1 until registered */
    nd_luavm *vm;          /* the current version, NULL when not loaded */
    int64_t mtime;         /* of the file vm came from */
    uint64_t size;
    bool bad;              /* bad_mtime/bad_size failed to load: not tried again */
    int64_t bad_mtime;
    uint64_t bad_size;
    int busy;              /* calls of this module on the C stack now */
    bool loading;          /* its chunk runs now: a call of it from there must not load it again */
    uint64_t checked_ms;   /* when the file was last stat()ed */
    uint32_t seen_gen;     /* nd_lua.gen at that time */
    uint64_t calls, errors;
};

struct nd_lua {
    struct nd_node *node;
    nd_luamod *mods[ND_MODULES_MAX];
    int nmods;
    int depth;             /* nested Lua calls on the C stack */
    int line_depth;        /* nested nodus.call lines on the C stack (their arena pool) */
    struct nd_luatask *tasks; /* coroutines living in tasks, by tag (lua_mod.c) */
    uint64_t task_errors;  /* Lua errors in tasks and callbacks (logged, counted) */
    uint32_t gen;          /* bumped when the node itself writes modules/ (nd_modsrc_touched) */
};

/* ---- lua_vm.c: states, budgets, sandbox -------------------------------- */
nd_luavm *nd_luavm_new(struct nd_node *n, nd_luamod *m, char *err, size_t errn);
/* Compile and run the file's text; the chunk must return the module table. */
int nd_luavm_load(nd_luavm *vm, const char *src, size_t len, char *err, size_t errn);
void nd_luavm_hold(nd_luavm *vm);
void nd_luavm_release(nd_luavm *vm); /* lua_close at the last reference */
nd_luavm *nd_luavm_of(lua_State *L);  /* the vm a state or coroutine belongs to */
/* Start a call or task step on coroutine co: fresh time budget, memory limit
** from the config, hooks armed. */
void nd_luavm_begin(nd_luavm *vm, lua_State *co);
/* The message of a failed resume/pcall (the value on top of co), with the
** budget texts: "time budget exceeded (200 ms)", "memory budget exceeded (256 KiB)". */
void nd_luavm_errmsg(nd_luavm *vm, lua_State *co, int status, char *buf, size_t n);
/* Open the sandboxed standard libraries into L (lua_vm.c). */
void nd_lua_sandbox(lua_State *L);

/* ---- lua_conv.c: nd_value <-> Lua --------------------------------------- */
/* Push v (NULL = nil). ND_OK or ND_ELIMIT (nesting). */
int nd_lua_push(lua_State *L, const nd_value *v);
/* The Lua value at idx as an nd_value in a. Tables: a sequence 1..n (n > 0)
** is a list; anything else a dict with its keys sorted (numbers ascending,
** then strings bytewise, then booleans); the empty table is {}. Errors (err):
** functions, userdata, threads, cyclic or too deeply nested tables, keys that
** are not numbers/strings/booleans, strings that are not UTF-8, arena full. */
int nd_lua_to_value(lua_State *L, int idx, nd_arena *a, nd_value **out, char *err, size_t errn);
/* The results co[base .. base+n) as one value: none = None, one = it, more = a tuple. */
int nd_lua_results(lua_State *L, int base, int n, nd_arena *a, nd_value **out, char *err,
                   size_t errn);

/* ---- lua_mod.c: the module source and the call glue -------------------- */
/* The C function behind every Lua module function (the registry's nd_func.fn). */
int nd_lua_fn(nd_call *c);
/* nodus.task: run the function at L[1] with the arguments above it as a
** task tagged <module>.<name>; pushes micrOS's reply ('Starting' ...). */
int nd_lua_spawn(lua_State *L, const char *name);
/* The yield nodus.sleep makes: a marker the call glue recognises, then ms. */
extern const char nd_lua_sleep_mark;

/* ---- lua_api.c / lua_hw.c: the `nodus` table ----------------------------- */
void nd_lua_api_open(lua_State *L);  /* sets the global `nodus` */
void nd_lua_api_pool_free(void);     /* node free: nodus.call's arenas and buffers */
void nd_lua_hw_open(lua_State *L);   /* adds gpio, pwm, adc, i2c, pixels, pin to the table on top */
void nd_lua_watches_drop(nd_luavm *vm); /* a version stops being current: its callbacks go */
/* Run the function registered as fnref with two integer arguments (pin,
** level) in a coroutine of vm (a gpio.watch callback): errors are logged
** and counted, a sleep inside is refused (callbacks must return; spawn a task). */
void nd_lua_callback(nd_luavm *vm, int fnref, const char *what, lua_Integer arg1, lua_Integer arg2);

#endif
