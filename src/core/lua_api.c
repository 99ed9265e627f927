/*
** lua_api.c -- the `nodus` table a Lua module sees: sleep, task, running,
** call, intercon, notify, config.get, log, cache, time. Hardware (gpio, pwm, adc,
** i2c, pixels, pin) is in lua_hw.c.
**
** Everything goes through the same doors as a C module: call() is the
** dispatcher (any module, C or Lua), tasks are the node's task table, the
** cache is data/<module>.cache. Nothing here blocks: sleep yields the
** coroutine back to the loop.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua_int.h"
#include "nodus/lmcache.h"
#include "nodus/notify.h"
#include "nodus/port.h"
#include "task.h"

static struct nd_node *node_of(lua_State *L) { return nd_luavm_of(L)->node; }

/* nodus.sleep(ms): yields to the glue in lua_mod.c, which makes the call a task. */
static int api_sleep(lua_State *L)
{
    lua_Integer ms = luaL_checkinteger(L, 1);
    if (ms < 0 || ms > ND_TASK_PERIOD_MAX) return luaL_error(L, "sleep: ms must be 0..%d", ND_TASK_PERIOD_MAX);
    if (!lua_isyieldable(L))
        return luaL_error(L, "nodus.sleep cannot wait here (inside a C function such as table.sort)");
    lua_pushlightuserdata(L, (void *)&nd_lua_sleep_mark);
    lua_pushinteger(L, ms);
    return lua_yield(L, 2);
}

static const char *task_name(lua_State *L, int idx)
{
    const char *name = luaL_optstring(L, idx, "task");
    size_t n = strlen(name);
    if (!n || n > 30) luaL_error(L, "task name must be 1..30 characters");
    for (size_t i = 0; i < n; i++)
        if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
              (name[i] >= '0' && name[i] <= '9') || name[i] == '_'))
            luaL_error(L, "task name '%s': letters, digits and _ only", name);
    return name;
}

/* nodus.task(fn [, name [, args...]]) -> 'Starting' | 'Already running' */
static int api_task(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TFUNCTION);
    if (lua_gettop(L) < 2) lua_pushnil(L);
    const char *name = task_name(L, 2);
    char copy[32];
    snprintf(copy, sizeof copy, "%s", name);
    return nd_lua_spawn(L, copy);
}

/* nodus.running([name]) -> is the task <module>.<name> running */
static int api_running(lua_State *L)
{
    nd_luavm *vm = nd_luavm_of(L);
    const char *name = task_name(L, 1);
    char tag[ND_TASK_TAG_MAX];
    snprintf(tag, sizeof tag, "%.30s.%.30s", vm->mod->name, name);
    lua_pushboolean(L, nd_task_active(vm->node, tag));
    return 1;
}

/* Run line through the dispatcher on a fresh arena; push its value (or its
** text when the line was not a module call). A failed call raises its
** "Core error: ..." text. The arena and buffer are the node's per-depth
** pool, so an error raised while pushing leaks nothing. */
static char *arena_pool[ND_LUA_DEPTH_MAX + 1];
static nd_buf buf_pool[ND_LUA_DEPTH_MAX + 1];

/* "LM_a->b: " at p (before e): the head of a Core error's message */
static bool is_head(const char *p, const char *e)
{
    const char *q = p;
    bool arrow = false;
    if (e - p < 4 || memcmp(p, "LM_", 3)) return false;
    for (; q + 1 < e && !(q[0] == ':' && q[1] == ' ') && *q != ' '; q++) arrow |= q[0] == '-' && q[1] == '>';
    return arrow && q + 1 < e && q[0] == ':' && q[1] == ' ';
}

static int run_line(lua_State *L, const char *line, size_t len)
{
    struct nd_node *n = node_of(L);
    int d = n->lua->line_depth; /* each nested line has its own arena */
    if (d > ND_LUA_DEPTH_MAX) return luaL_error(L, "calls nested deeper than %d", ND_LUA_DEPTH_MAX);
    if (!arena_pool[d] && !(arena_pool[d] = malloc(ND_ARENA_SIZE))) return luaL_error(L, "out of memory");
    nd_buf *out = &buf_pool[d];
    if (!out->max) nd_buf_init(out, ND_REPLY_MAX);
    nd_buf_clear(out);
    nd_arena saved = n->arena;
    nd_arena_init(&n->arena, arena_pool[d], ND_ARENA_SIZE);
    nd_value *v = NULL;
    n->lua->line_depth++;
    int x = nd_exec_value(n, line, len, out, &v);
    n->lua->line_depth--;
    n->arena = saved;
    size_t tn = out->n;
    while (tn && out->p[tn - 1] == '\n') tn--;
    if (x != ND_X_OK) { /* "LM_b->g: why", the innermost of a chain: the caller adds its own name */
        const char *p = out->p ? out->p : "";
        const char *e = p + tn, *q;
        if (tn > 12 && !memcmp(p, "Core error: ", 12)) p += 12;
        while (is_head(p, e) && (q = memchr(p, ':', (size_t)(e - p))) && q + 2 < e && is_head(q + 2, e)) p = q + 2;
        lua_pushlstring(L, p, (size_t)(e - p));
        return lua_error(L);
    }
    if (v) {
        if (nd_lua_push(L, v) != ND_OK) return luaL_error(L, "result nested too deeply");
    } else if (tn == 4 && !memcmp(out->p, "None", 4)) {
        lua_pushnil(L);
    } else {
        lua_pushlstring(L, out->p ? out->p : "", tn);
    }
    return 1;
}

void nd_lua_api_pool_free(void)
{
    for (int i = 0; i <= ND_LUA_DEPTH_MAX; i++) {
        free(arena_pool[i]);
        arena_pool[i] = NULL;
        nd_buf_free(&buf_pool[i]);
        memset(&buf_pool[i], 0, sizeof buf_pool[i]);
    }
}

/* nodus.call('rgb color 0 0 255') -> the function's value */
static int api_call(lua_State *L)
{
    size_t len;
    const char *line = luaL_checklstring(L, 1, &len);
    return run_line(L, line, len);
}

/* nodus.intercon(host, 'system heartbeat') -> micrOS's task reply (the
** answer arrives in the task con.<host>.<module>, as from the shell) */
static int api_intercon(lua_State *L)
{
    const char *host = luaL_checkstring(L, 1);
    const char *cmd = luaL_checkstring(L, 2);
    lua_pushfstring(L, "%s >>%s", cmd, host);
    size_t len;
    const char *line = lua_tolstring(L, -1, &len);
    return run_line(L, line, len);
}

/* nodus.config.get(key): read-only, secrets refused. */
static int api_config_get(lua_State *L)
{
    struct nd_node *n = node_of(L);
    const char *key = luaL_checkstring(L, 1);
    const nd_cfg_key *k = nd_cfg_schema_find(key);
    if (!k) {
        lua_pushnil(L);
        return 1;
    }
    if (k->flags & ND_CFG_SECRET) return luaL_error(L, "config key '%s' is secret", key);
    char mem[ND_CFG_STR_MAX + 256];
    nd_arena a;
    nd_arena_init(&a, mem, sizeof mem);
    nd_value *v = nd_cfg_get_value(n->cfg, &a, nd_cfg_key_id(k));
    nd_lua_push(L, v);
    return 1;
}

static int do_log(lua_State *L, const char *level)
{
    nd_luavm *vm = nd_luavm_of(L);
    const char *msg = luaL_tolstring(L, 1, NULL);
    nd_log(vm->node, "[%s] LM_%s: %.400s", level, vm->mod->name, msg);
    return 0;
}
static int api_log_info(lua_State *L) { return do_log(L, "INFO"); }
static int api_log_warn(lua_State *L) { return do_log(L, "WARN"); }
static int api_log_err(lua_State *L) { return do_log(L, "ERR"); }

#define CACHE_MAX 32
/* nodus.cache.save({1, 2.5, 3}) -> true; data/<module>.cache as C modules */
static int api_cache_save(lua_State *L)
{
    nd_luavm *vm = nd_luavm_of(L);
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_Integer n = (lua_Integer)lua_rawlen(L, 1);
    if (n > CACHE_MAX) return luaL_error(L, "cache.save: at most %d numbers", CACHE_MAX);
    double v[CACHE_MAX];
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, 1, i);
        int ok;
        v[i - 1] = (double)lua_tonumberx(L, -1, &ok);
        if (!ok) return luaL_error(L, "cache.save: item %d is not a number", (int)i);
        lua_pop(L, 1);
    }
    int rc = nd_lm_cache_save(vm->mod->name, v, (int)n);
    if (rc != ND_OK) return luaL_error(L, "cache.save: %s", nd_strerror(rc));
    lua_pushboolean(L, 1);
    return 1;
}

/* nodus.cache.load() -> {numbers} ({} when there is no cache) */
static int api_cache_load(lua_State *L)
{
    nd_luavm *vm = nd_luavm_of(L);
    double v[CACHE_MAX];
    int n = nd_lm_cache_load(vm->mod->name, v, CACHE_MAX);
    if (n < 0) return luaL_error(L, "cache.load: data/%s.cache is damaged", vm->mod->name);
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        if (v[i] == (double)(lua_Integer)v[i]) lua_pushinteger(L, (lua_Integer)v[i]);
        else lua_pushnumber(L, v[i]);
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

/* nodus.notify(text [, title]) -> channels that took it (nodus/notify.h) */
static int api_notify(lua_State *L)
{
    const char *text = luaL_checkstring(L, 1);
    const char *title = luaL_optstring(L, 2, "");
    int rc = nd_notify(node_of(L), title, text);
    if (rc == ND_EAGAIN) return luaL_error(L, "notifications are disabled");
    if (rc == ND_ELIMIT)
        return luaL_error(L, "notify: title at most %d bytes, text at most %d", ND_NOTIFY_TITLE_MAX - 1,
                          ND_NOTIFY_TEXT_MAX - 1);
    if (rc < 0) return luaL_error(L, "notify: %s", nd_strerror(rc));
    lua_pushinteger(L, rc);
    return 1;
}

static int api_time(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)nd_node_time(node_of(L)));
    return 1;
}

static int api_ticks_ms(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)nd_port_mono_ms());
    return 1;
}

/* nodus.localtime() -> {year, month, mday, hour, min, sec, wday (0 = Monday), yday} */
static int api_localtime(lua_State *L)
{
    nd_tm tm;
    nd_node_localtime(node_of(L), &tm);
    lua_createtable(L, 0, 8);
    const struct {
        const char *k;
        int v;
    } f[] = {{"year", tm.year}, {"month", tm.mon}, {"mday", tm.mday}, {"hour", tm.hour},
             {"min", tm.min},   {"sec", tm.sec},   {"wday", tm.wday}, {"yday", tm.yday}};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        lua_pushinteger(L, f[i].v);
        lua_setfield(L, -2, f[i].k);
    }
    return 1;
}

void nd_lua_api_open(lua_State *L)
{
    static const luaL_Reg top[] = {
        {"sleep", api_sleep},       {"task", api_task},       {"running", api_running},
        {"call", api_call},         {"intercon", api_intercon}, {"time", api_time},
        {"ticks_ms", api_ticks_ms}, {"localtime", api_localtime}, {"notify", api_notify},
        {NULL, NULL},
    };
    static const luaL_Reg log[] = {{"info", api_log_info}, {"warn", api_log_warn}, {"err", api_log_err}, {NULL, NULL}};
    static const luaL_Reg cache[] = {{"load", api_cache_load}, {"save", api_cache_save}, {NULL, NULL}};
    static const luaL_Reg config[] = {{"get", api_config_get}, {NULL, NULL}};
    luaL_newlib(L, top);
    luaL_newlib(L, log);
    lua_setfield(L, -2, "log");
    luaL_newlib(L, cache);
    lua_setfield(L, -2, "cache");
    luaL_newlib(L, config);
    lua_setfield(L, -2, "config");
    nd_lua_hw_open(L);
    lua_setglobal(L, "nodus");
}
