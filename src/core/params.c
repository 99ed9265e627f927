/*
** params.c -- parameter spec parsing (params.h). Runs once per function
** (the registry caches the result), not once per call.
*/
#include <string.h>

#include "params.h"

/* The end of a default literal starting at p: the next space outside
** quotes and brackets, or the end of the spec. */
static const char *default_end(const char *p)
{
    int depth = 0;
    char q = 0;
    for (; *p; p++) {
        if (q) {
            if (*p == '\\' && p[1]) p++;
            else if (*p == q) q = 0;
        } else if (*p == '\'' || *p == '"') q = *p;
        else if (*p == '[' || *p == '(' || *p == '{') depth++;
        else if (*p == ']' || *p == ')' || *p == '}') depth--;
        else if (*p == ' ' && depth <= 0) break;
    }
    return p;
}

static int fail(nd_params *out, int why)
{
    out->n = out->nreq = 0;
    out->error = (uint8_t)why;
    return ND_ERR;
}

int nd_params_parse(const char *spec, nd_params *out)
{
    memset(out, 0, sizeof *out);
    if (!spec) return ND_OK;
    if (strlen(spec) > ND_PARAMS_SPEC_MAX) return fail(out, ND_PARAMS_TOO_LONG);
    for (const char *p = spec; *p;) {
        while (*p == ' ') p++;
        if (!*p) break;
        if (out->n >= ND_MAX_PARAMS) return fail(out, ND_PARAMS_TOO_MANY);
        nd_param *q = &out->p[out->n++];
        const char *s = p;
        while (*p && *p != ' ' && *p != '=') p++;
        q->name = (uint16_t)(s - spec);
        q->name_len = (uint16_t)(p - s);
        if (*p == '=') {
            const char *d = ++p;
            p = default_end(p);
            q->def = (uint16_t)(d - spec);
            q->def_len = (uint16_t)(p - d);
        } else {
            out->nreq++;
        }
    }
    return ND_OK;
}
