/*
** lua_conv.c -- micrOS values <-> Lua values.
**
** In: the shell's literals arrive as nd_value: int -> integer, float ->
** number, True/False -> boolean, None -> nil, str -> string, list/tuple ->
** sequence table (1-based), dict -> table.
**
** Out: Lua tables have no order, so the order of a returned table is a rule,
** documented in the README: a table whose keys are exactly 1..n (n > 0) is a
** list; any other table is a dict with its keys sorted -- numbers ascending,
** then strings bytewise, then false, true -- and the empty table is {}.
** Several results are a tuple, as Python's `return a, b`. What has no micrOS
** form is an error naming it, never a crash: functions, userdata, threads,
** a table that contains itself, nesting deeper than the literal parser's 32
** levels, and strings that are not UTF-8. NaN and infinities render as
** Python renders them (nan, inf).
**
** Reading a result allocates nothing in the Lua state (lua_next, rawlen,
** numbers read as numbers), so it is safe outside a protected call.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua_int.h"

/* ---- in ------------------------------------------------------------------- */

static int push_depth(lua_State *L, const nd_value *v, int depth)
{
    if (depth > ND_LIT_MAX_DEPTH || !lua_checkstack(L, 4)) return ND_ELIMIT;
    if (!v) {
        lua_pushnil(L);
        return ND_OK;
    }
    switch (v->type) {
    case ND_T_NONE: lua_pushnil(L); break;
    case ND_T_BOOL: lua_pushboolean(L, v->u.b); break;
    case ND_T_INT: lua_pushinteger(L, (lua_Integer)v->u.i); break;
    case ND_T_FLOAT: lua_pushnumber(L, v->u.f); break;
    case ND_T_STR: lua_pushlstring(L, v->u.s.p, v->u.s.n); break;
    case ND_T_LIST:
    case ND_T_TUPLE:
        lua_createtable(L, (int)v->u.seq.n, 0);
        for (size_t i = 0; i < v->u.seq.n; i++) {
            int rc = push_depth(L, v->u.seq.v[i], depth + 1);
            if (rc) return rc;
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
        break;
    case ND_T_DICT:
        lua_createtable(L, 0, (int)v->u.seq.n);
        for (size_t i = 0; i < v->u.seq.n; i++) {
            const nd_value *k = v->u.seq.v[2 * i];
            if (!k || k->type == ND_T_NONE) continue; /* nil cannot be a Lua key */
            if (k->type == ND_T_FLOAT && k->u.f != k->u.f) continue; /* nor NaN */
            int rc = push_depth(L, k, depth + 1);
            if (!rc) rc = push_depth(L, v->u.seq.v[2 * i + 1], depth + 1);
            if (rc) return rc;
            lua_rawset(L, -3);
        }
        break;
    }
    return ND_OK;
}

int nd_lua_push(lua_State *L, const nd_value *v) { return push_depth(L, v, 0); }

/* ---- out ------------------------------------------------------------------ */

typedef struct conv {
    nd_arena *a;
    char *err;
    size_t errn;
    const void *path[ND_LIT_MAX_DEPTH + 2]; /* tables being converted: a cycle returns to one */
} conv;

static int fail(conv *c, int rc, const char *fmt, const char *what)
{
    snprintf(c->err, c->errn, fmt, what);
    return rc;
}

static int to_value(lua_State *L, int idx, conv *c, int depth, nd_value **out);

typedef struct pair {
    nd_value *k, *v;
    int rank; /* 0 number, 1 string, 2 boolean */
} pair;

static int pair_cmp(const void *x, const void *y)
{
    const pair *a = x, *b = y;
    if (a->rank != b->rank) return a->rank - b->rank;
    if (a->rank == 0) {
        double p = a->k->type == ND_T_INT ? (double)a->k->u.i : a->k->u.f;
        double q = b->k->type == ND_T_INT ? (double)b->k->u.i : b->k->u.f;
        if (a->k->type == ND_T_INT && b->k->type == ND_T_INT)
            return a->k->u.i < b->k->u.i ? -1 : a->k->u.i > b->k->u.i;
        return p < q ? -1 : p > q;
    }
    if (a->rank == 2) return (int)a->k->u.b - (int)b->k->u.b;
    size_t n = a->k->u.s.n < b->k->u.s.n ? a->k->u.s.n : b->k->u.s.n;
    int r = memcmp(a->k->u.s.p, b->k->u.s.p, n);
    if (r) return r;
    return a->k->u.s.n < b->k->u.s.n ? -1 : a->k->u.s.n > b->k->u.s.n;
}

static int table_value(lua_State *L, int idx, conv *c, int depth, nd_value **out)
{
    const void *me = lua_topointer(L, idx);
    for (int i = 0; i < depth; i++)
        if (c->path[i] == me) return fail(c, ND_EINVAL, "%s", "cyclic table (a table that contains itself)");
    if (depth >= ND_LIT_MAX_DEPTH) return fail(c, ND_ELIMIT, "%s", "table nested deeper than 32 levels");
    c->path[depth] = me;
    size_t count = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        count++;
        lua_pop(L, 1);
    }
    lua_Unsigned len = lua_rawlen(L, idx);
    bool seq = count > 0 && len == count;
    for (lua_Unsigned i = 1; seq && i <= len; i++) { /* a border is not proof of 1..n */
        seq = lua_rawgeti(L, idx, (lua_Integer)i) != LUA_TNIL;
        lua_pop(L, 1);
    }
    if (seq) {
        nd_value *l = nd_list(c->a);
        if (!l) return fail(c, ND_ENOMEM, "%s", "result larger than the command's 64 KiB of values");
        for (lua_Unsigned i = 1; i <= len; i++) {
            lua_rawgeti(L, idx, (lua_Integer)i);
            nd_value *item;
            int rc = to_value(L, lua_gettop(L), c, depth + 1, &item);
            lua_pop(L, 1);
            if (rc) return rc;
            if (nd_seq_push(c->a, l, item) != ND_OK)
                return fail(c, ND_ENOMEM, "%s", "result larger than the command's 64 KiB of values");
        }
        *out = l;
        return ND_OK;
    }
    nd_value *d = nd_dict(c->a);
    pair *ps = count ? nd_arena_alloc(c->a, count * sizeof *ps) : NULL;
    if (!d || (count && !ps)) return fail(c, ND_ENOMEM, "%s", "result larger than the command's 64 KiB of values");
    size_t k = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        int kt = lua_type(L, -2), rc;
        pair *p = &ps[k];
        if (kt == LUA_TNUMBER) {
            p->rank = 0;
            p->k = lua_isinteger(L, -2) ? nd_int(c->a, (int64_t)lua_tointeger(L, -2))
                                        : nd_float(c->a, (double)lua_tonumber(L, -2));
        } else if (kt == LUA_TSTRING) {
            p->rank = 1;
            rc = to_value(L, lua_gettop(L) - 1, c, depth + 1, &p->k);
            if (rc) {
                lua_pop(L, 2);
                return rc;
            }
        } else if (kt == LUA_TBOOLEAN) {
            p->rank = 2;
            p->k = nd_bool(c->a, lua_toboolean(L, -2));
        } else {
            lua_pop(L, 2);
            return fail(c, ND_ETYPE, "a dict key cannot be a %s", lua_typename(L, kt));
        }
        rc = p->k ? to_value(L, lua_gettop(L), c, depth + 1, &p->v) : ND_ENOMEM;
        if (rc) {
            lua_pop(L, 2);
            if (rc == ND_ENOMEM && !c->err[0])
                fail(c, rc, "%s", "result larger than the command's 64 KiB of values");
            return rc;
        }
        lua_pop(L, 1);
        k++;
    }
    if (k) qsort(ps, k, sizeof *ps, pair_cmp);
    for (size_t i = 0; i < k; i++)
        if (nd_dict_setv(c->a, d, ps[i].k, ps[i].v) != ND_OK)
            return fail(c, ND_ENOMEM, "%s", "result larger than the command's 64 KiB of values");
    *out = d;
    return ND_OK;
}

static int to_value(lua_State *L, int idx, conv *c, int depth, nd_value **out)
{
    if (!lua_checkstack(L, 6)) return fail(c, ND_ELIMIT, "%s", "result nested too deeply");
    nd_value *v = NULL;
    switch (lua_type(L, idx)) {
    case LUA_TNIL:
    case LUA_TNONE: v = nd_none(c->a); break;
    case LUA_TBOOLEAN: v = nd_bool(c->a, lua_toboolean(L, idx)); break;
    case LUA_TNUMBER:
        v = lua_isinteger(L, idx) ? nd_int(c->a, (int64_t)lua_tointeger(L, idx))
                                  : nd_float(c->a, (double)lua_tonumber(L, idx));
        break;
    case LUA_TSTRING: {
        size_t n;
        const char *s = lua_tolstring(L, idx, &n);
        if (!nd_utf8_valid(s, n)) return fail(c, ND_EINVAL, "%s", "a result string is not UTF-8 text");
        v = nd_strn(c->a, s, n);
        break;
    }
    case LUA_TTABLE: return table_value(L, idx, c, depth, out);
    default:
        return fail(c, ND_ETYPE, "a %s has no micrOS value (return numbers, strings, booleans, nil or tables)",
                    lua_typename(L, lua_type(L, idx)));
    }
    if (!v) return fail(c, ND_ENOMEM, "%s", "result larger than the command's 64 KiB of values");
    *out = v;
    return ND_OK;
}

int nd_lua_to_value(lua_State *L, int idx, nd_arena *a, nd_value **out, char *err, size_t errn)
{
    conv c = {.a = a, .err = err, .errn = errn};
    err[0] = 0;
    return to_value(L, lua_absindex(L, idx), &c, 0, out);
}

int nd_lua_results(lua_State *L, int base, int n, nd_arena *a, nd_value **out, char *err,
                   size_t errn)
{
    if (n <= 0) {
        *out = NULL;
        return ND_OK;
    }
    if (n == 1) return nd_lua_to_value(L, base, a, out, err, errn);
    nd_value *t = nd_tuple(a);
    if (!t) return snprintf(err, errn, "result larger than the command's 64 KiB of values"), ND_ENOMEM;
    for (int i = 0; i < n; i++) {
        nd_value *v;
        int rc = nd_lua_to_value(L, base + i, a, &v, err, errn);
        if (rc) return rc;
        if (nd_seq_push(a, t, v) != ND_OK)
            return snprintf(err, errn, "result larger than the command's 64 KiB of values"), ND_ENOMEM;
    }
    *out = t;
    return ND_OK;
}
