/*
** test_lua_sandbox.c -- a Lua module's state (lua_vm.c): what the sandbox
** leaves out, the memory budget enforced by the allocator, the time budget
** enforced by the instruction hook (also against a runaway that catches
** errors), and that closing the state returns every byte.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lua_int.h"

static struct nd_node node;
static nd_luamod mod;

static int setup(void **state)
{
    (void)state;
    memset(&node, 0, sizeof node);
    node.cfg = nd_cfg_new();
    memset(&mod, 0, sizeof mod);
    snprintf(mod.name, sizeof mod.name, "t");
    mod.mod.name = mod.name;
    return node.cfg ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    nd_cfg_free(node.cfg);
    return 0;
}

static void set(const char *key, const char *val)
{
    char e[ND_ERRMSG];
    assert_int_equal(nd_cfg_override(node.cfg, key, val, e, sizeof e), ND_OK);
}

/* Load src (which must return a table) into a new state; err gets a failure. */
static nd_luavm *load(const char *src, char *err, size_t errn)
{
    nd_luavm *vm = nd_luavm_new(&node, &mod, err, errn);
    assert_non_null(vm);
    if (nd_luavm_load(vm, src, strlen(src), err, errn) != ND_OK) {
        nd_luavm_release(vm);
        return NULL;
    }
    return vm;
}

/* field k of the module table, as a string */
static const char *field(nd_luavm *vm, const char *k)
{
    static char out[256];
    lua_rawgeti(vm->L, LUA_REGISTRYINDEX, vm->mtab);
    lua_getfield(vm->L, -1, k);
    snprintf(out, sizeof out, "%s", lua_isstring(vm->L, -1) ? lua_tostring(vm->L, -1) : luaL_typename(vm->L, -1));
    lua_pop(vm->L, 2);
    return out;
}

static void test_sandbox_leaves_out_the_os(void **state)
{
    (void)state;
    char err[ND_ERRMSG] = "";
    nd_luavm *vm = load(
        "return {io = type(io), os = type(os), debug = type(debug), package = type(package),"
        " require = type(require), dofile = type(dofile), loadfile = type(loadfile),"
        " dump = type(string.dump), nodus = type(nodus), gpio = type(nodus.gpio.write),"
        " text = load('return 1 + 1')(),"
        " bytecode = select(2, load('\\27Lua\\84\\0garbage')),"
        " gc = select(2, pcall(collectgarbage, 'collect')),"
        " count = type(collectgarbage('count')),"
        " string = ('x'):rep(3), math = math.max(1, 2), utf8 = utf8.char(233),"
        " co = coroutine.wrap(function() coroutine.yield('y') end)() }",
        err, sizeof err);
    if (!vm) fail_msg("%s", err);
    static const char *const want[][2] = {
        {"io", "nil"}, {"os", "nil"}, {"debug", "nil"}, {"package", "nil"}, {"require", "nil"},
        {"dofile", "nil"}, {"loadfile", "nil"}, {"dump", "nil"}, {"nodus", "table"},
        {"gpio", "function"}, {"text", "2"},
        {"bytecode", "attempt to load a binary chunk (mode is 't')"},
        {"gc", "collectgarbage('collect') is not available in a module"},
        {"count", "number"}, {"string", "xxx"}, {"math", "2"}, {"utf8", "\xc3\xa9"}, {"co", "y"},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const char *got = field(vm, want[i][0]);
        if (!strstr(got, want[i][1])) fail_msg("%s: '%s', want '%s'", want[i][0], got, want[i][1]);
    }
    nd_luavm_release(vm);
}

static void test_memory_budget(void **state)
{
    (void)state;
    set("luamem_kb", "64");
    char err[ND_ERRMSG] = "";
    nd_luavm *vm = load("local t = {} for i = 1, 10000000 do t[i] = i end return t", err, sizeof err);
    assert_null(vm);
    assert_string_equal(err, "memory budget exceeded (64 KiB)");
    /* a failed allocation inside pcall is an ordinary error, and the state lives on */
    vm = load("local ok, e = pcall(function() return ('x'):rep(1 << 20) end)"
              " return {ok = tostring(ok), e = e, after = ('y'):rep(3)}", err, sizeof err);
    if (!vm) fail_msg("%s", err);
    assert_string_equal(field(vm, "ok"), "false");
    assert_string_equal(field(vm, "e"), "not enough memory");
    assert_string_equal(field(vm, "after"), "yyy");
    assert_true(vm->used <= 64 * 1024 && vm->peak <= 64 * 1024);
    nd_luavm_release(vm);
    /* too small a budget for the state itself: a clear error, no state */
    set("luamem_kb", "16");
    vm = nd_luavm_new(&node, &mod, err, sizeof err);
    if (vm) { /* 16 KiB may hold a bare state on some builds: then loading must fail cleanly */
        assert_int_not_equal(nd_luavm_load(vm, "local t = {} for i = 1, 1e6 do t[i] = i end return t", 60, err, sizeof err), ND_OK);
        nd_luavm_release(vm);
    }
    assert_non_null(strstr(err, "memory budget exceeded (16 KiB)"));
    set("luamem_kb", "256");
}

static void test_time_budget(void **state)
{
    (void)state;
    set("luacpu_ms", "30");
    static const char *const runaways[] = {
        "while true do end",
        "while true do pcall(function() while true do end end) end",
        "while true do xpcall(function() while true do end end, function(e) return e end) end",
        "local function f() return f() end f()", /* a tail call: runs forever in constant space */
        "while true do coroutine.resume(coroutine.create(function() while true do end end)) end",
    };
    for (size_t i = 0; i < sizeof runaways / sizeof runaways[0]; i++) {
        char err[ND_ERRMSG] = "";
        nd_luavm *vm = load(runaways[i], err, sizeof err);
        assert_null(vm);
        if (strcmp(err, "time budget exceeded (30 ms)")) fail_msg("%s: '%s'", runaways[i], err);
    }
    set("luacpu_ms", "200");
}

static void test_recursion_is_an_error(void **state)
{
    (void)state;
    char err[ND_ERRMSG] = "";
    nd_luavm *vm = load("local function f(n) return 1 + f(n + 1) end return {f(1)}", err, sizeof err);
    assert_null(vm);
    assert_true(strstr(err, "stack overflow") || strstr(err, "memory budget exceeded"));
}

static void test_close_returns_every_byte(void **state)
{
    (void)state;
    char err[ND_ERRMSG] = "";
    nd_luavm *vm = load("big = {} for i = 1, 3000 do big[i] = tostring(i) end return {}", err, sizeof err);
    if (!vm) fail_msg("%s", err);
    assert_true(vm->used > 30000);
    nd_luavm_hold(vm);
    nd_luavm_release(vm); /* still held once */
    assert_true(vm->used > 30000);
    nd_luavm_release(vm); /* freed: ASan/valgrind see any byte left behind */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sandbox_leaves_out_the_os),
        cmocka_unit_test(test_memory_budget),
        cmocka_unit_test(test_time_budget),
        cmocka_unit_test(test_recursion_is_an_error),
        cmocka_unit_test(test_close_returns_every_byte),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
