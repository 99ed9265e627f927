/*
** registry.c -- the one module registry.
**
** Built-in modules come from the generated table nd_builtin_modules (one
** entry per modules/<name>.c). A module is "loaded" on its first use (lazy,
** as micrOS imports LMs on first call); `modules` lists loaded ones in load
** order. Lookups are linear: there are tens of modules, not thousands, and a
** scan of a small array beats a hash table at this size (SQLite hash.h).
**
** Dynamic modules (Lua files, lua_mod.c) are added at run time behind the
** built-ins, so every index below ND_MODULES_MAX means the same module for
** the node's whole life: an entry is never removed, only hidden while its
** file is gone (and shown again when it comes back), so the load order and
** the per-module counters stay valid.
*/
#include <string.h>

#include "node_int.h"
#include "params.h"

extern const nd_module *const nd_builtin_modules[];

static const nd_module *dyn[ND_MODULES_MAX]; /* dynamic modules, in order of discovery */
static bool dyn_hidden[ND_MODULES_MAX];
static size_t ndyn;

static size_t builtin_count(void)
{
    size_t n = 0;
    while (nd_builtin_modules[n]) n++;
    return n;
}

size_t nd_registry_count(void) { return builtin_count() + ndyn; }

const nd_module *nd_registry_at(size_t i)
{
    size_t nb = builtin_count();
    return i < nb ? nd_builtin_modules[i] : dyn[i - nb];
}

const nd_module *nd_registry_find(const char *name, size_t len, int *index)
{
    size_t count = nd_registry_count(), nb = builtin_count();
    for (size_t i = 0; i < count; i++) {
        if (i >= nb && dyn_hidden[i - nb]) continue;
        const char *m = nd_registry_at(i)->name;
        if (strlen(m) == len && memcmp(m, name, len) == 0) {
            if (index) *index = (int)i;
            return nd_registry_at(i);
        }
    }
    return NULL;
}

bool nd_registry_is_builtin(int index) { return index >= 0 && (size_t)index < builtin_count(); }

int nd_registry_add(const nd_module *m)
{
    size_t nb = builtin_count();
    for (size_t k = 0; k < ndyn; k++)
        if (dyn[k] == m) {
            dyn_hidden[k] = false;
            return (int)(nb + k);
        }
    if (nb + ndyn >= ND_MODULES_MAX) return ND_ELIMIT;
    dyn[ndyn] = m;
    dyn_hidden[ndyn] = false;
    return (int)(nb + ndyn++);
}

void nd_registry_hide(struct nd_node *n, int index)
{
    size_t nb = builtin_count();
    if (index < 0 || (size_t)index < nb || (size_t)index >= nb + ndyn) return;
    dyn_hidden[(size_t)index - nb] = true;
    nd_registry_mark_unloaded(n, index);
}

bool nd_registry_hidden(int index)
{
    size_t nb = builtin_count();
    return index >= 0 && (size_t)index >= nb && (size_t)index < nb + ndyn && dyn_hidden[index - nb];
}

void nd_registry_clear_dynamic(void)
{
    ndyn = 0;
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

void nd_registry_mark_unloaded(struct nd_node *n, int index)
{
    int k = 0;
    for (int i = 0; i < n->nloaded; i++)
        if (n->loaded[i] != index) n->loaded[k++] = n->loaded[i];
    n->nloaded = k;
}

/* Parsed parameter specs, one per function, filled a module at a time on
** the first call of any of its functions: a call binds its arguments from
** here instead of parsing the spec again. One pool for all modules (the
** built-ins have about a hundred functions); when it is full, specs are
** parsed per call as before, so the limit costs speed, never a call. */
/* ND_PARAMS_CACHE (pool entries, static) comes from nodus/opts.h */
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
