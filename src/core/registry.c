/*
** registry.c -- the one module registry.
**
** Built-in modules come from the generated table nd_builtin_modules (one
** entry per modules/<name>.c). A module is "loaded" on its first use (lazy,
** as micrOS imports LMs on first call); `modules` lists loaded ones in load
** order. Lookups are linear: there are tens of modules, not thousands, and a
** scan of a small array beats a hash table at this size (SQLite hash.h).
*/
#include <string.h>

#include "node_int.h"
#include "params.h"

extern const nd_module *const nd_builtin_modules[];

size_t nd_registry_count(void)
{
    size_t n = 0;
    while (nd_builtin_modules[n]) n++;
    return n;
}

const nd_module *nd_registry_at(size_t i) { return nd_builtin_modules[i]; }

const nd_module *nd_registry_find(const char *name, size_t len, int *index)
{
    for (int i = 0; nd_builtin_modules[i]; i++) {
        const char *m = nd_builtin_modules[i]->name;
        if (strlen(m) == len && memcmp(m, name, len) == 0) {
            if (index) *index = i;
            return nd_builtin_modules[i];
        }
    }
    return NULL;
}

const nd_func *nd_registry_func(const nd_module *m, const char *name, size_t len)
{
    for (const nd_func *f = m->funcs; f && f->name; f++)
        if (strlen(f->name) == len && memcmp(f->name, name, len) == 0) return f;
    return NULL;
}

bool nd_registry_is_loaded(struct nd_node *n, int index)
{
    for (int i = 0; i < n->nloaded; i++)
        if (n->loaded[i] == index) return true;
    return false;
}

void nd_registry_mark_loaded(struct nd_node *n, int index)
{
    if (nd_registry_is_loaded(n, index) || n->nloaded >= ND_MODULES_MAX) return;
    n->loaded[n->nloaded++] = (uint16_t)index;
}

/* Parsed parameter specs, one per function, filled a module at a time on
** the first call of any of its functions: a call binds its arguments from
** here instead of parsing the spec again. One pool for all modules (the
** built-ins have about a hundred functions); when it is full, specs are
** parsed per call as before, so the limit costs speed, never a call. */
#define ND_PARAMS_CACHE 256
static nd_params params_pool[ND_PARAMS_CACHE];
static uint16_t params_used;
static uint16_t params_first[ND_MODULES_MAX]; /* 1 + pool index of function 0; 0: not cached */

const nd_params *nd_registry_params(const nd_module *m, const nd_func *f, nd_params *scratch)
{
    int mi = 0;
    while (nd_builtin_modules[mi] && nd_builtin_modules[mi] != m) mi++;
    int fi = -1, nf = 0;
    for (; m->funcs && m->funcs[nf].name; nf++)
        if (&m->funcs[nf] == f) fi = nf;
    if (nd_builtin_modules[mi] && mi < ND_MODULES_MAX && fi >= 0) {
        if (!params_first[mi] && params_used + nf <= ND_PARAMS_CACHE) {
            for (int k = 0; k < nf; k++) nd_params_parse(m->funcs[k].params, &params_pool[params_used + k]);
            params_first[mi] = (uint16_t)(params_used + 1);
            params_used = (uint16_t)(params_used + nf);
        }
        if (params_first[mi]) return &params_pool[params_first[mi] - 1 + fi];
    }
    nd_params_parse(f->params, scratch);
    return scratch;
}

/* A widget tag is an upper-case word (BUTTON, SLIDER, COLOR, TEXTBOX, GRAPH,
** STATUS ...) optionally followed directly by a {...} JSON override, then a
** space. Returns the text after it; tag_len gets the tag's length (0: none). */
const char *nd_help_untag(const char *help, size_t *tag_len)
{
    size_t i = 0;
    while (help[i] >= 'A' && help[i] <= 'Z') i++;
    if (i < 2) {
        *tag_len = 0;
        return help;
    }
    *tag_len = i;
    if (help[i] == '{') {
        int depth = 0;
        for (; help[i]; i++) {
            if (help[i] == '{') depth++;
            if (help[i] == '}' && --depth == 0) {
                i++;
                break;
            }
        }
    }
    if (help[i] != ' ') {
        *tag_len = 0;
        return help;
    }
    return help + i + 1;
}
