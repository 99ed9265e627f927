/*
** test_lua_conv.c -- micrOS values <-> Lua values (lua_conv.c): the literal
** types going in, the documented rendering of tables coming out (lists,
** sorted dict keys, tuples of several results), and a clear error -- never
** a crash -- for what has no micrOS form.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <lualib.h>

#include "lua_int.h"

static char mem[64 * 1024];
static nd_arena arena;
static char err[ND_ERRMSG];

/* Run a Lua expression, convert its value, render it as the shell does. */
static const char *conv(lua_State *L, const char *expr, bool json)
{
    static char out[4096];
    char src[1024];
    snprintf(src, sizeof src, "return %s", expr);
    nd_arena_reset(&arena);
    assert_int_equal(luaL_dostring(L, src), LUA_OK);
    nd_value *v = NULL;
    err[0] = 0;
    int rc = nd_lua_to_value(L, -1, &arena, &v, err, sizeof err);
    lua_settop(L, 0);
    if (rc != ND_OK) return snprintf(out, sizeof out, "ERR %s", err), out;
    nd_buf b;
    nd_buf_init(&b, sizeof out);
    nd_render_reply(&b, v, json, false);
    snprintf(out, sizeof out, "%s", nd_buf_cstr(&b));
    nd_buf_free(&b);
    return out;
}

static void test_out_table_driven(void **state)
{
    (void)state;
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    nd_arena_init(&arena, mem, sizeof mem);
    static const struct {
        const char *lua, *text, *json;
    } rows[] = {
        {"nil", "None", "None"},
        {"true", "True", "True"},
        {"42", "42", "42"},
        {"-2^63", "-9.223372036854776e+18", "-9.223372036854776e+18"},
        {"math.mininteger", "-9223372036854775808", "-9223372036854775808"},
        {"1.5", "1.5", "1.5"},
        {"0/0", "nan", "nan"},
        {"'text'", "text", "text"},
        {"{}", "", "{}"},
        {"{1, 'a', true}", "[1, 'a', True]", "[1, 'a', True]"},
        {"{x = 1}", " x: 1", "{\"x\": 1}"},
        {"{b = 1, a = 2, [2] = 'two', [1.5] = 'f', [true] = 't'}",
         " 1.5: f\n 2: two\n a: 2\n b: 1\n True: t", "{\"1.5\": \"f\", \"2\": \"two\", \"a\": 2, \"b\": 1, \"true\": \"t\"}"},
        {"{1, 2, x = 3}", " 1: 1\n 2: 2\n x: 3", "{\"1\": 1, \"2\": 2, \"x\": 3}"},
        {"{[2] = 'b', [3] = 'c'}", " 2: b\n 3: c", "{\"2\": \"b\", \"3\": \"c\"}"},
        {"{k = {1, {2}}}", " k: [1, [2]]", "{\"k\": [1, [2]]}"},
        {"{bb = 1, b = 2, B = 3, ['b!'] = 4}", " B: 3\n b: 2\n b!: 4\n bb: 1",
         "{\"B\": 3, \"b\": 2, \"b!\": 4, \"bb\": 1}"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const char *t = conv(L, rows[i].lua, false);
        if (strcmp(t, rows[i].text)) fail_msg("%s -> '%s', want '%s'", rows[i].lua, t, rows[i].text);
        t = conv(L, rows[i].lua, true);
        if (strcmp(t, rows[i].json)) fail_msg("%s >json -> '%s', want '%s'", rows[i].lua, t, rows[i].json);
    }
    lua_close(L);
}

static void test_out_errors(void **state)
{
    (void)state;
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    nd_arena_init(&arena, mem, sizeof mem);
    static const struct {
        const char *lua, *err;
    } rows[] = {
        {"(function() local t = {} t[1] = t return t end)()", "ERR cyclic table (a table that contains itself)"},
        {"(function() local t = {} t.a = {b = {c = t}} return t end)()", "ERR cyclic table (a table that contains itself)"},
        {"print", "ERR a function has no micrOS value (return numbers, strings, booleans, nil or tables)"},
        {"{f = print}", "ERR a function has no micrOS value (return numbers, strings, booleans, nil or tables)"},
        {"coroutine.create(print)", "ERR a thread has no micrOS value (return numbers, strings, booleans, nil or tables)"},
        {"io.stdout", "ERR a userdata has no micrOS value (return numbers, strings, booleans, nil or tables)"},
        {"{[print] = 1}", "ERR a dict key cannot be a function"},
        {"'\\255'", "ERR a result string is not UTF-8 text"},
        {"{['\\255'] = 1}", "ERR a result string is not UTF-8 text"},
        {"(function() local t = {} local c = t for i = 1, 40 do c[1] = {} c = c[1] end return t end)()",
         "ERR table nested deeper than 32 levels"},
        {"(function() local t = {} for i = 1, 20000 do t[i] = i end return t end)()",
         "ERR result larger than the command's 64 KiB of values"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const char *t = conv(L, rows[i].lua, false);
        if (strcmp(t, rows[i].err)) fail_msg("%s -> '%s', want '%s'", rows[i].lua, t, rows[i].err);
    }
    lua_close(L);
}

static void test_in_literals(void **state)
{
    (void)state;
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    nd_arena_init(&arena, mem, sizeof mem);
    static const struct {
        const char *lit, *check; /* a Lua expression over `v` that must be true */
    } rows[] = {
        {"7", "math.type(v) == 'integer' and v == 7"},
        {"7.0", "math.type(v) == 'float' and v == 7"},
        {"True", "v == true"},
        {"None", "v == nil"},
        {"'a\\x00b'", "v == 'a\\0b'"},
        {"[1, None, 3]", "type(v) == 'table' and v[1] == 1 and v[2] == nil and v[3] == 3"},
        {"(1, 'x')", "v[1] == 1 and v[2] == 'x'"},
        {"{'a': [1], 2: 'two', None: 1}", "v.a[1] == 1 and v[2] == 'two'"},
        {"{1.0: 'one'}", "v[1] == 'one'"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        nd_arena_reset(&arena);
        nd_value *v;
        size_t used;
        assert_int_equal(nd_lit_parse(&arena, rows[i].lit, strlen(rows[i].lit), &used, &v, err, sizeof err), ND_OK);
        char src[256];
        snprintf(src, sizeof src, "local v = ... return %s", rows[i].check);
        assert_int_equal(luaL_loadstring(L, src), LUA_OK);
        assert_int_equal(nd_lua_push(L, v), ND_OK);
        assert_int_equal(lua_pcall(L, 1, 1, 0), LUA_OK);
        if (!lua_toboolean(L, -1)) fail_msg("%s: %s is false", rows[i].lit, rows[i].check);
        lua_settop(L, 0);
    }
    lua_close(L);
}

static void test_results_tuple(void **state)
{
    (void)state;
    lua_State *L = luaL_newstate();
    nd_arena_init(&arena, mem, sizeof mem);
    lua_pushinteger(L, 1);
    lua_pushstring(L, "b");
    nd_value *v;
    assert_int_equal(nd_lua_results(L, 1, 2, &arena, &v, err, sizeof err), ND_OK);
    nd_buf b;
    nd_buf_init(&b, 256);
    nd_render_repr(&b, v);
    assert_string_equal(nd_buf_cstr(&b), "(1, 'b')");
    assert_int_equal(nd_lua_results(L, 1, 0, &arena, &v, err, sizeof err), ND_OK);
    assert_null(v);
    nd_buf_free(&b);
    lua_close(L);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_out_table_driven),
        cmocka_unit_test(test_out_errors),
        cmocka_unit_test(test_in_literals),
        cmocka_unit_test(test_results_tuple),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
