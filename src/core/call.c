/*
** call.c -- helpers a module function uses to read arguments and return
** values (module.h). Type errors read like Python's so users of micrOS
** recognise them.
*/
#include <stdarg.h>
#include <stdio.h>

#include "nodus/module.h"

int nd_fail(nd_call *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, sizeof c->err, fmt, ap);
    va_end(ap);
    if (!c->err[0]) snprintf(c->err, sizeof c->err, "error");
    return ND_ERR;
}

static nd_value *arg(nd_call *c, int i)
{
    return (i >= 0 && i < c->argc) ? c->argv[i] : NULL;
}

#define T(type) (1u << (type)) /* a set of types, for typed() */

/* Argument i when its type is one of `types` (T(x) | T(y) ...); else NULL, and
** the call fails as Python would say it. */
static nd_value *typed(nd_call *c, int i, unsigned types, const char *want)
{
    nd_value *v = arg(c, i);
    if (v && (types >> v->type & 1u)) return v;
    nd_fail(c, "argument '%s' must be %s, not '%s'", i < c->argc ? c->argn[i] : "?", want,
            v ? nd_type_name(v->type) : "NoneType");
    return NULL;
}

int nd_arg_int(nd_call *c, int i, int64_t *out)
{
    nd_value *v = typed(c, i, T(ND_T_INT) | T(ND_T_BOOL), "int");
    if (!v) return ND_ETYPE;
    *out = v->type == ND_T_INT ? v->u.i : v->u.b;
    return ND_OK;
}

int nd_arg_float(nd_call *c, int i, double *out)
{
    nd_value *v = typed(c, i, T(ND_T_FLOAT) | T(ND_T_INT) | T(ND_T_BOOL), "float");
    if (!v) return ND_ETYPE;
    *out = v->type == ND_T_FLOAT ? v->u.f : v->type == ND_T_INT ? (double)v->u.i : v->u.b;
    return ND_OK;
}

int nd_arg_bool(nd_call *c, int i, bool *out)
{
    nd_value *v = arg(c, i);
    *out = v ? nd_value_truthy(v) : false;
    return ND_OK;
}

int nd_arg_str(nd_call *c, int i, const char **out)
{
    nd_value *v = typed(c, i, T(ND_T_STR), "str");
    if (!v) return ND_ETYPE;
    *out = v->u.s.p;
    return ND_OK;
}

bool nd_arg_is_none(nd_call *c, int i)
{
    nd_value *v = arg(c, i);
    return !v || v->type == ND_T_NONE;
}

static int set_ret(nd_call *c, nd_value *v)
{
    if (!v) return nd_fail(c, "memory allocation failed");
    c->ret = v;
    return ND_OK;
}

int nd_ret_str(nd_call *c, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    if ((size_t)n >= sizeof tmp) n = sizeof tmp - 1;
    return set_ret(c, nd_strn(c->arena, tmp, (size_t)n));
}

int nd_ret_int(nd_call *c, int64_t v) { return set_ret(c, nd_int(c->arena, v)); }
int nd_ret_float(nd_call *c, double v) { return set_ret(c, nd_float(c->arena, v)); }
int nd_ret_bool(nd_call *c, bool v) { return set_ret(c, nd_bool(c->arena, v)); }

nd_value *nd_ret_dict(nd_call *c)
{
    nd_value *d = nd_dict(c->arena);
    if (!d) nd_fail(c, "memory allocation failed");
    c->ret = d;
    return d;
}
