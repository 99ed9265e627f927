/*
** lua_hw.c -- hardware for Lua modules: nodus.pin, gpio, pwm, adc, i2c,
** pixels, over the same HAL (nodus/hal.h) and pin maps (nodus/pins.h) the
** C modules use. A HAL error raises the HAL's one-line message.
**
** gpio.watch callbacks run from the loop (edges are queued by the backend,
** never delivered in an interrupt), each in a fresh coroutine with the call
** budgets; an error is logged and counted and the watch stays. A callback
** must return: nodus.sleep inside one is refused -- it can nodus.task().
** Watches belong to the module version that made them and go when it is
** replaced or unloaded.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua_int.h"
#include "nodus/hal.h"
#include "nodus/pins.h"

typedef struct nd_luawatch {
    nd_luavm *vm;
    int pin;
    int fnref;
} nd_luawatch;

static int hal_fail(lua_State *L, int rc)
{
    const char *e = nd_hal_error();
    return luaL_error(L, "%s", e && *e ? e : nd_strerror(rc));
}

/* nodus.pin('switch_1') -> gpio number (booked for that tag), inverted */
static int api_pin(lua_State *L)
{
    nd_luavm *vm = nd_luavm_of(L);
    const char *tag = luaL_checkstring(L, 1);
    int pin;
    char err[ND_ERRMSG];
    if (nd_node_pin_bind(vm->node, tag, NULL, &pin, err, sizeof err) != ND_OK) return luaL_error(L, "%s", err);
    lua_pushinteger(L, nd_pin_gpio(pin));
    lua_pushboolean(L, nd_pin_inverted(pin));
    return 2;
}

static int gpio_mode(lua_State *L)
{
    int pin = (int)luaL_checkinteger(L, 1);
    static const char *const modes[] = {"in", "out", NULL};
    static const char *const pulls[] = {"none", "up", "down", NULL};
    int mode = luaL_checkoption(L, 2, NULL, modes);
    int pull = luaL_checkoption(L, 3, "none", pulls);
    int rc = nd_gpio_mode(pin, mode == 1 ? ND_GPIO_OUT : ND_GPIO_IN, pull);
    return rc < 0 ? hal_fail(L, rc) : 0;
}

static int gpio_read(lua_State *L)
{
    int rc = nd_gpio_read((int)luaL_checkinteger(L, 1));
    if (rc < 0) return hal_fail(L, rc);
    lua_pushinteger(L, rc);
    return 1;
}

static int gpio_write(lua_State *L)
{
    int pin = (int)luaL_checkinteger(L, 1);
    int level = lua_isboolean(L, 2) ? lua_toboolean(L, 2) : (int)luaL_checkinteger(L, 2);
    int rc = nd_gpio_write(pin, level);
    return rc < 0 ? hal_fail(L, rc) : 0;
}

static void watch_fn(void *ud, const nd_gpio_event *ev)
{
    nd_luawatch *w = ud;
    nd_lua_callback(w->vm, w->fnref, "gpio.watch", ev->pin, ev->level);
}

/* nodus.gpio.watch(pin, 'rising'|'falling'|'both', function(pin, level) ... end) */
static int gpio_watch(lua_State *L)
{
    nd_luavm *vm = nd_luavm_of(L);
    int pin = (int)luaL_checkinteger(L, 1);
    static const char *const edges[] = {"rising", "falling", "both", NULL};
    int edge = luaL_checkoption(L, 2, NULL, edges) + 1;
    luaL_checktype(L, 3, LUA_TFUNCTION);
    int slot = -1;
    for (int i = 0; i < ND_LUA_WATCH_MAX; i++)
        if (!vm->watches[i]) {
            slot = i;
            break;
        }
    if (slot < 0) return luaL_error(L, "gpio.watch: at most %d watches per module", ND_LUA_WATCH_MAX);
    nd_luawatch *w = calloc(1, sizeof *w);
    if (!w) return luaL_error(L, "out of memory");
    lua_pushvalue(L, 3);
    w->fnref = luaL_ref(L, LUA_REGISTRYINDEX);
    w->vm = vm;
    w->pin = pin;
    int rc = nd_gpio_watch(pin, edge, watch_fn, w);
    if (rc < 0) {
        luaL_unref(L, LUA_REGISTRYINDEX, w->fnref);
        free(w);
        return hal_fail(L, rc);
    }
    vm->watches[slot] = w;
    lua_pushboolean(L, 1);
    return 1;
}

static void unwatch(nd_luavm *vm, int i)
{
    nd_luawatch *w = vm->watches[i];
    nd_gpio_unwatch(w->pin, watch_fn, w);
    luaL_unref(vm->L, LUA_REGISTRYINDEX, w->fnref);
    free(w);
    vm->watches[i] = NULL;
}

/* nodus.gpio.unwatch(pin) */
static int gpio_unwatch(lua_State *L)
{
    nd_luavm *vm = nd_luavm_of(L);
    int pin = (int)luaL_checkinteger(L, 1);
    for (int i = 0; i < ND_LUA_WATCH_MAX; i++)
        if (vm->watches[i] && vm->watches[i]->pin == pin) unwatch(vm, i);
    return 0;
}

void nd_lua_watches_drop(nd_luavm *vm)
{
    for (int i = 0; i < ND_LUA_WATCH_MAX; i++)
        if (vm->watches[i]) unwatch(vm, i);
}

static int pwm_set(lua_State *L)
{
    int pin = (int)luaL_checkinteger(L, 1);
    lua_Integer freq = luaL_checkinteger(L, 2), duty = luaL_checkinteger(L, 3);
    if (freq < 1 || freq > ND_PWM_FREQ_MAX || duty < 0 || duty > ND_PWM_DUTY_MAX)
        return luaL_error(L, "pwm.set: freq 1..%d Hz, duty 0..%d", ND_PWM_FREQ_MAX, ND_PWM_DUTY_MAX);
    int rc = nd_pwm_set(pin, (uint32_t)freq, (uint32_t)duty);
    return rc < 0 ? hal_fail(L, rc) : 0;
}

static int pwm_get(lua_State *L)
{
    uint32_t f, d;
    int rc = nd_pwm_get((int)luaL_checkinteger(L, 1), &f, &d);
    if (rc < 0) return hal_fail(L, rc);
    lua_pushinteger(L, f);
    lua_pushinteger(L, d);
    return 2;
}

static int pwm_stop(lua_State *L)
{
    int rc = nd_pwm_stop((int)luaL_checkinteger(L, 1));
    return rc < 0 ? hal_fail(L, rc) : 0;
}

static int adc_read(lua_State *L)
{
    int rc = nd_adc_read((int)luaL_checkinteger(L, 1));
    if (rc < 0) return hal_fail(L, rc);
    lua_pushinteger(L, rc);
    return 1;
}

static int i2c_bus(lua_State *L)
{
    int rc = nd_i2c_bus((int)luaL_checkinteger(L, 1), (int)luaL_checkinteger(L, 2));
    if (rc < 0) return hal_fail(L, rc);
    lua_pushinteger(L, rc);
    return 1;
}

static int i2c_scan(lua_State *L)
{
    uint8_t addrs[128];
    int n = nd_i2c_scan((int)luaL_checkinteger(L, 1), addrs, 128);
    if (n < 0) return hal_fail(L, n);
    lua_createtable(L, n, 0);
    for (int i = 0; i < n && i < 128; i++) {
        lua_pushinteger(L, addrs[i]);
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

/* nodus.i2c.read(bus, addr, reg, n) -> string of n bytes */
static int i2c_read(lua_State *L)
{
    int bus = (int)luaL_checkinteger(L, 1);
    lua_Integer addr = luaL_checkinteger(L, 2), reg = luaL_checkinteger(L, 3), n = luaL_checkinteger(L, 4);
    if (n < 0 || n > 256 || addr < 0 || addr > 127 || reg < 0 || reg > 255)
        return luaL_error(L, "i2c.read: addr 0..127, reg 0..255, n 0..256");
    uint8_t buf[256];
    int rc = nd_i2c_reg_read(bus, (uint8_t)addr, (uint8_t)reg, buf, (size_t)n);
    if (rc < 0) return hal_fail(L, rc);
    lua_pushlstring(L, (const char *)buf, (size_t)n);
    return 1;
}

/* nodus.i2c.write(bus, addr, reg, bytes) */
static int i2c_write(lua_State *L)
{
    int bus = (int)luaL_checkinteger(L, 1);
    lua_Integer addr = luaL_checkinteger(L, 2), reg = luaL_checkinteger(L, 3);
    size_t n;
    const char *p = luaL_checklstring(L, 4, &n);
    if (n > 256 || addr < 0 || addr > 127 || reg < 0 || reg > 255)
        return luaL_error(L, "i2c.write: addr 0..127, reg 0..255, at most 256 bytes");
    int rc = nd_i2c_reg_write(bus, (uint8_t)addr, (uint8_t)reg, (const uint8_t *)p, n);
    return rc < 0 ? hal_fail(L, rc) : 0;
}

/* nodus.pixels.show(pin, {r, g, b, r, g, b ...} [, bpp=3]) */
static int pixels_show(lua_State *L)
{
    int pin = (int)luaL_checkinteger(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    int bpp = (int)luaL_optinteger(L, 3, 3);
    if (bpp != 3 && bpp != 4) return luaL_error(L, "pixels.show: bpp is 3 or 4");
    size_t n = lua_rawlen(L, 2);
    if (n % (size_t)bpp || n / (size_t)bpp > ND_PIXEL_MAX)
        return luaL_error(L, "pixels.show: a multiple of %d bytes, at most %d pixels", bpp, ND_PIXEL_MAX);
    uint8_t *buf = lua_newuserdatauv(L, n ? n : 1, 0);
    for (size_t i = 0; i < n; i++) {
        lua_rawgeti(L, 2, (lua_Integer)i + 1);
        lua_Integer v = lua_tointeger(L, -1);
        lua_pop(L, 1);
        buf[i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
    }
    int rc = nd_pixel_show(pin, buf, n / (size_t)bpp, bpp);
    return rc < 0 ? hal_fail(L, rc) : 0;
}

void nd_lua_hw_open(lua_State *L)
{
    static const luaL_Reg gpio[] = {{"mode", gpio_mode}, {"read", gpio_read}, {"write", gpio_write},
                                    {"watch", gpio_watch}, {"unwatch", gpio_unwatch}, {NULL, NULL}};
    static const luaL_Reg pwm[] = {{"set", pwm_set}, {"get", pwm_get}, {"stop", pwm_stop}, {NULL, NULL}};
    static const luaL_Reg adc[] = {{"read", adc_read}, {NULL, NULL}};
    static const luaL_Reg i2c[] = {{"bus", i2c_bus}, {"scan", i2c_scan}, {"read", i2c_read},
                                   {"write", i2c_write}, {NULL, NULL}};
    static const luaL_Reg pixels[] = {{"show", pixels_show}, {NULL, NULL}};
    lua_pushcfunction(L, api_pin);
    lua_setfield(L, -2, "pin");
    luaL_newlib(L, gpio);
    lua_setfield(L, -2, "gpio");
    luaL_newlib(L, pwm);
    lua_setfield(L, -2, "pwm");
    luaL_newlib(L, adc);
    lua_setfield(L, -2, "adc");
    luaL_newlib(L, i2c);
    lua_setfield(L, -2, "i2c");
    luaL_newlib(L, pixels);
    lua_setfield(L, -2, "pixels");
}

/* ---- callbacks -------------------------------------------------------------- */

typedef struct cb_ctx {
    int fnref;
    lua_Integer a1, a2;
    const char *what;
} cb_ctx;

static int cb_run(lua_State *L)
{
    cb_ctx *cc = lua_touserdata(L, 1);
    nd_luavm *vm = nd_luavm_of(L);
    lua_State *co = lua_newthread(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, cc->fnref);
    lua_pushinteger(L, cc->a1);
    lua_pushinteger(L, cc->a2);
    lua_xmove(L, co, 3);
    nd_luavm_begin(vm, co);
    lua_State *saved = vm->cur;
    vm->cur = co;
    int nres = 0;
    int st = lua_resume(co, L, 2, &nres);
    vm->cur = saved;
    if (st == LUA_OK) return 0;
    char msg[ND_ERRMSG];
    if (st == LUA_YIELD) snprintf(msg, sizeof msg, "nodus.sleep in a %s callback: start a task with nodus.task", cc->what);
    else nd_luavm_errmsg(vm, co, st, msg, sizeof msg);
    lua_pushstring(L, msg);
    return lua_error(L);
}

void nd_lua_callback(nd_luavm *vm, int fnref, const char *what, lua_Integer a1, lua_Integer a2)
{
    cb_ctx cc = {fnref, a1, a2, what};
    nd_luavm_hold(vm);
    lua_State *base = vm->cur ? vm->cur : vm->L;
    int top = lua_gettop(base);
    lua_pushcfunction(base, cb_run);
    lua_pushlightuserdata(base, &cc);
    int st = lua_pcall(base, 1, 0, 0);
    if (st != LUA_OK) {
        char msg[ND_ERRMSG];
        nd_luavm_errmsg(vm, base, st, msg, sizeof msg);
        nd_log(vm->node, "[ERR] LM_%s %s callback: %s", vm->mod->name, what, msg);
        if (vm->node->lua) vm->node->lua->task_errors++;
        vm->mod->errors++; /* `modules stats` counts it with the module's call errors */
    }
    lua_settop(base, top);
    nd_luavm_release(vm);
}
