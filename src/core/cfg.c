/*
** cfg.c -- the configuration store: node_config.json merged over the schema.
**
** The store is one cJSON object whose members are, in this order, every
** schema key (always holding a value of the key's type) and then the keys the
** file had that the schema does not know, in file order. That order is the
** order of `dump` and of the saved file, so a save of a micrOS file keeps
** micrOS's layout and never drops what nodus does not understand.
**
** Loading is where data gets lost on other systems, so it
** never discards bytes: an unreadable or unparsable file is renamed
** node_config.json.bad before defaults are written; a file whose values had
** to be converted or replaced is first copied to node_config.json.bad. If
** the .bad copy cannot be made, the original file is left alone and the node
** runs on its in-memory values. Saves go through nd_fs_write_atomic (temp
** file, fsync, rename), so a power cut leaves either the old or the new file;
** a leftover temp file from an interrupted save is removed at load.
**
** Every change is a transaction (nd_cfg_begin/commit; a lone set opens its
** own): values are staged in memory with a duplicate of the store to return
** to, the commit renders the new file (its size is known before any write),
** writes offloaded key files and then node_config.json, and on any failure
** restores the duplicate and the key files it already wrote. Before this, a
** failed save left the new values in memory, and the next save (another key,
** shutdown) wrote what the client had been told failed.
**
** Reads go by key (enum nd_key, the schema index) through two arrays: each
** schema key's member of the object, and its --set override, which is
** consulted first and never written. Reads by name (conf mode, REST, the
** module API) find the index first; keys kept from the file are read from
** the object itself. The offloaded key (guimeta) keeps "..." in the
** JSON file and its real value in config/.<key>.key, as micrOS does.
**
** Known limits: cJSON stores numbers as doubles, so ints are confined to
** +-2^53 and a float written as 1.0 in a key nodus does not know reads back as
** the int 1. Memory is bounded by ND_CFG_FILE_MAX (file, saved text) and
** ND_CFG_STR_MAX (each string set by a user).
*/
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "json.h"
#include "nodus/port.h"

/* Largest magnitude a double holds exactly: ints beyond it would change. */
#define INT_EXACT 9007199254740992.0
#define PROBLEMS_MAX 1024

struct nd_cfg {
    cJSON *obj;   /* schema keys in schema order, then kept keys in file order */
    /* Per schema index (nd_key): the key's member of obj, so a typed read is
    ** an array lookup. A member only ever changes its value in place
    ** (swap_values); where one is replaced (fill_defaults, merge) the array
    ** is rebuilt (index_members). */
    cJSON *mem[ND_K_COUNT];
    cJSON *ovr[ND_K_COUNT]; /* its --set override (typed like obj), or NULL; never saved */
    char *off[ND_K_COUNT];  /* cached content of an offloaded key, or NULL */
    char problems[PROBLEMS_MAX];
    /* The open transaction (nd_cfg_begin). Per schema index: the value the
    ** member had before the key's first set (see swap_values) and its
    ** detached --set override, both put back by a failed commit, and an
    ** offloaded value staged for the commit. dirty: obj changed, so
    ** node_config.json must be written (a commit that changed nothing
    ** writes nothing). */
    bool txn, dirty;
    cJSON *was[ND_K_COUNT], *was_ovr[ND_K_COUNT];
    char *stage[ND_K_COUNT];
};

/* ---- small helpers ---------------------------------------------------- */

static void seterr(char *err, size_t errn, const char *fmt, ...)
{
    if (!err || errn == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errn, fmt, ap);
    va_end(ap);
}

static void clear_err(char *err, size_t errn)
{
    if (err && errn) err[0] = 0;
}

/* Append one line to the problems. A line about a value in the file (kept)
** is "node_config.json: " fmt "original kept as node_config.json.bad": the
** frame is written here once rather than in each message. */
static void vproblem(nd_cfg *c, bool kept, const char *fmt, va_list ap)
{
    char *s = c->problems;
    size_t cap = sizeof c->problems, len = strlen(s);
    if (len + 4 >= cap) return;
    if (len) s[len++] = '\n';
    size_t at = len; /* where the line would end, were there room */
    if (kept) at += (size_t)snprintf(s + at, cap - at, "node_config.json: ");
    if (at < cap) {
        int k = vsnprintf(s + at, cap - at, fmt, ap);
        at = k < 0 ? cap : at + (size_t)k;
    }
    if (kept && at < cap)
        at += (size_t)snprintf(s + at, cap - at, "original kept as node_config.json.bad");
    /* one problem per line: a key name from the file may hold a newline */
    for (char *p = s + len; *p; p++)
        if ((unsigned char)*p < 0x20) *p = '?';
    /* mark a cut line so nobody mistakes it for the whole story */
    if (at >= cap) memcpy(s + cap - 4, "...", 4);
}

static void problem(nd_cfg *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vproblem(c, false, fmt, ap);
    va_end(ap);
}

static void kept_problem(nd_cfg *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vproblem(c, true, fmt, ap);
    va_end(ap);
}


/* Python int(text) (int_only) or float(text) for decimal text, finite
** values only (JSON cannot store inf or nan): surrounding white space
** allowed, the rest must convert completely ("9008x" fails). The grammar is
** checked first because strtod also accepts hex, "inf" and "nan"; strtod then
** stops where the grammar did. An int is one within +-2^53 (exact in a
** double, which is how cJSON keeps it). */
static bool parse_num(const char *t, bool int_only, double *out)
{
    while (nd_is_space(*t)) t++;
    const char *s = t, *p = t;
    if (*p == '+' || *p == '-') p++;
    size_t digits = 0;
    while (*p >= '0' && *p <= '9') p++, digits++;
    if (*p == '.' && !int_only) {
        p++;
        while (*p >= '0' && *p <= '9') p++, digits++;
    }
    if (!digits) return false;
    if ((*p == 'e' || *p == 'E') && !int_only) {
        p++;
        if (*p == '+' || *p == '-') p++;
        if (*p < '0' || *p > '9') return false;
        while (*p >= '0' && *p <= '9') p++;
    }
    size_t len = (size_t)(p - s);
    while (nd_is_space(*p)) p++;
    if (*p) return false;
    if (!int_only && len >= 64) return false; /* the float text limit nodus always had */
    double d = strtod(s, NULL);
    if (int_only) {
        if (fabs(d) > INT_EXACT) return false;
        d = (double)(int64_t)d; /* "-0" is the int 0 */
    }
    if (!isfinite(d)) return false;
    *out = d;
    return true;
}

static const char *type_word(nd_cfg_type t)
{
    static const char *const word[] = {"a string", "a bool", "an int", "a float"}; /* nd_cfg_type order */
    return word[t <= ND_CFG_FLOAT ? t : ND_CFG_STR];
}

/* A copy of s on the heap; NULL when out of memory. */
static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    return d ? memcpy(d, s, n) : NULL;
}

/* ---- conversion and validation --------------------------------------- */

/* Text to a new cJSON item of k's type, with the conf-mode rules. */
static int from_text(const nd_cfg_key *k, const char *t, cJSON **out, char *err, size_t errn)
{
    cJSON *v = NULL;
    switch (k->type) {
    case ND_CFG_BOOL:
        if (nd_span_ieq(nd_span_of(t), "true"))
            v = cJSON_CreateTrue();
        else if (nd_span_ieq(nd_span_of(t), "false"))
            v = cJSON_CreateFalse();
        else {
            seterr(err, errn, "%s expects True or False", k->name);
            return ND_ETYPE;
        }
        break;
    case ND_CFG_INT:
    case ND_CFG_FLOAT: {
        double d;
        bool is_int = k->type == ND_CFG_INT;
        if (!parse_num(t, is_int, &d)) {
            seterr(err, errn, "%s expects %s", k->name, is_int ? "an integer" : "a number");
            return ND_ETYPE;
        }
        v = cJSON_CreateNumber(d);
        break;
    }
    default: {
        size_t n = strlen(t);
        size_t lim = (k->flags & ND_CFG_OFFLOAD) ? ND_CFG_FILE_MAX : ND_CFG_STR_MAX;
        if (n > lim) {
            seterr(err, errn, "%s is longer than %zu bytes", k->name, lim);
            return ND_EINVAL;
        }
        if (!nd_utf8_valid(t, n)) {
            seterr(err, errn, "%s is not valid UTF-8", k->name);
            return ND_EINVAL;
        }
        v = cJSON_CreateString(t);
        break;
    }
    }
    if (!v) {
        seterr(err, errn, "out of memory");
        return ND_ENOMEM;
    }
    *out = v;
    return ND_OK;
}

/* Range and check of a typed item (the schema's rules). */
static int validate(const nd_cfg_key *k, const cJSON *v, char *err, size_t errn)
{
    int32_t lo, hi; /* only int and float keys have a range */
    if (nd_cfg_key_range(k, &lo, &hi)) {
        double d = v->valuedouble;
        if (d < lo || d > hi) {
            if (hi == ND_CFG_ATLEAST)
                seterr(err, errn, "%s must be at least %d", k->name, (int)lo);
            else
                seterr(err, errn, "%s must be between %d and %d", k->name, (int)lo, (int)hi);
            return ND_EINVAL;
        }
    }
    const char *why = cJSON_IsString(v) ? nd_cfg_key_check(k, v->valuestring) : NULL;
    if (why) {
        seterr(err, errn, "%s", why);
        return ND_EINVAL;
    }
    return ND_OK;
}

/* A value read from the file, brought to k's type when that is unambiguous.
** Returns a new item (same type: *converted = false) or NULL. */
static cJSON *coerce(const nd_cfg_key *k, const cJSON *v, bool *converted)
{
    *converted = false;
    if (cJSON_IsBool(v) && k->type == ND_CFG_BOOL) return cJSON_CreateBool(cJSON_IsTrue(v));
    if (cJSON_IsString(v)) {
        if (k->type == ND_CFG_STR) {
            size_t lim = (k->flags & ND_CFG_OFFLOAD) ? ND_CFG_FILE_MAX : ND_CFG_STR_MAX;
            return strlen(v->valuestring) <= lim ? cJSON_CreateString(v->valuestring) : NULL;
        }
        /* "9008", "true": converted as conf mode converts text */
        cJSON *r = NULL;
        *converted = true;
        from_text(k, v->valuestring, &r, NULL, 0);
        return r;
    }
    if (!cJSON_IsNumber(v)) return NULL;
    double d = v->valuedouble;
    switch (k->type) {
    case ND_CFG_STR: {
        nd_buf b;
        nd_buf_init(&b, 64);
        nd_json_render(&b, v, ND_JSON_AS_STR); /* Python str() of the number */
        cJSON *r = b.overflow ? NULL : cJSON_CreateString(nd_buf_cstr(&b));
        nd_buf_free(&b);
        *converted = r != NULL;
        return r;
    }
    case ND_CFG_BOOL:
        *converted = true;
        return d == 1 ? cJSON_CreateTrue() : d == 0 ? cJSON_CreateFalse() : NULL;
    /* a whole number within +-2^53 (inf and nan are neither); -0 becomes
    ** the int 0, as a conversion to int64_t and back would (a compare, not
    ** d + 0.0: no soft-float addition on a board without an FPU) */
    case ND_CFG_INT: return d == floor(d) && fabs(d) <= INT_EXACT ? cJSON_CreateNumber(d == 0 ? 0.0 : d) : NULL;
    default: return isfinite(d) ? cJSON_CreateNumber(d) : NULL;
    }
}

/* Exact equality of two scalar items (cJSON_Compare uses an epsilon). */
static bool same(const cJSON *a, const cJSON *b)
{
    if (!a || !b || (a->type & 0xff) != (b->type & 0xff)) return false;
    if (cJSON_IsNumber(a)) return a->valuedouble == b->valuedouble;
    if (cJSON_IsString(a)) return strcmp(a->valuestring, b->valuestring) == 0;
    if (cJSON_IsBool(a) || cJSON_IsNull(a)) return true;
    return false;
}

/* Insert or replace member `name` of obj by the detached item (which takes a
** copy of name: name may point into the item's own key). */
static bool obj_put(cJSON *obj, const char *name, cJSON *item)
{
    size_t n = strlen(name) + 1;
    char *key = cJSON_malloc(n);
    if (!key) return false;
    memcpy(key, name, n);
    if (item->string && !(item->type & cJSON_StringIsConst)) cJSON_free(item->string);
    item->string = key;
    item->type &= ~cJSON_StringIsConst;
    cJSON *old = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (old) return cJSON_ReplaceItemViaPointer(obj, old, item);
    return cJSON_AddItemToArray(obj, item);
}

/* ---- rendering -------------------------------------------------------- */

/* A key's value as text: Python str() (conf mode: True, n/a), or JSON (the
** file: true, "n/a"). A float key always shows a '.'; a key the schema does
** not know (k NULL) renders as JSON reads. */
static void put_typed(nd_buf *b, const nd_cfg_key *k, const cJSON *v, bool json)
{
    if (!k) {
        nd_json_render(b, v, json ? ND_JSON_AS_JSON : ND_JSON_AS_STR);
        return;
    }
    const char *t = cJSON_IsString(v) ? v->valuestring : "";
    switch (k->type) {
    case ND_CFG_BOOL:
        nd_buf_puts(b, cJSON_IsTrue(v) ? (json ? "true" : "True") : (json ? "false" : "False"));
        break;
    case ND_CFG_INT: nd_buf_printf(b, "%lld", (long long)v->valuedouble); break;
    case ND_CFG_FLOAT: nd_render_float(b, v->valuedouble); break;
    default:
        if (json)
            nd_json_escape(b, t, strlen(t));
        else
            nd_buf_puts(b, t);
        break;
    }
}

/* ---- offloaded keys (config/.<key>.key) ------------------------------- */

static void off_path(const nd_cfg_key *k, char *p, size_t n)
{
    snprintf(p, n, "config/.%s.key", k->name);
}

/* Read an offloaded key's file; NULL when absent (or unreadable). */
static char *off_read(const nd_cfg_key *k)
{
    char path[96];
    off_path(k, path, sizeof path);
    char *buf = malloc(ND_CFG_FILE_MAX + 1);
    size_t n = 0;
    if (buf && nd_fs_read(path, buf, ND_CFG_FILE_MAX + 1, &n) == ND_OK) return buf;
    free(buf);
    return NULL;
}

static size_t key_index(const nd_cfg_key *k) { return (size_t)nd_cfg_key_id(k); }

/* Point mem[] at the members of obj (after members were replaced). */
static void index_members(nd_cfg *c)
{
    for (size_t i = 0; i < ND_K_COUNT; i++)
        c->mem[i] = c->obj ? cJSON_GetObjectItemCaseSensitive(c->obj, nd_cfg_schema_at(i)->name)
                           : NULL;
}

/* ---- life cycle ------------------------------------------------------- */

/* Reset obj to the schema's defaults (drops kept keys). */
static int fill_defaults(nd_cfg *c)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return ND_ENOMEM;
    for (size_t i = 0; i < ND_K_COUNT; i++) {
        const nd_cfg_key *k = nd_cfg_schema_at(i);
        cJSON *v = NULL;
        if (from_text(k, k->def, &v, NULL, 0) != ND_OK || !obj_put(o, k->name, v)) {
            cJSON_Delete(v);
            cJSON_Delete(o);
            return ND_ENOMEM;
        }
    }
    cJSON_Delete(c->obj);
    c->obj = o;
    index_members(c);
    return ND_OK;
}

nd_cfg *nd_cfg_new(void)
{
    nd_cfg *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    if (fill_defaults(c) != ND_OK) {
        nd_cfg_free(c);
        return NULL;
    }
    return c;
}

void nd_cfg_free(nd_cfg *c)
{
    if (!c) return;
    cJSON_Delete(c->obj);
    for (size_t i = 0; i < ND_K_COUNT; i++) {
        cJSON_Delete(c->ovr[i]);
        free(c->off[i]);
        free(c->stage[i]);
        cJSON_Delete(c->was[i]);
        cJSON_Delete(c->was_ovr[i]);
    }
    free(c);
}

const char *nd_cfg_problems(const nd_cfg *c) { return c ? c->problems : ""; }

/* ---- save ------------------------------------------------------------- */

/* The file text of the store into b (capacity ND_CFG_FILE_MAX): b->overflow
** means the file would be larger than the loader accepts. Strings are
** written as every JSON of the node is, json.dumps style (non-ASCII as
** \uXXXX): micrOS's and Python's json read that as they read raw UTF-8. */
static void render_file(const nd_cfg *c, nd_buf *b)
{
    nd_buf_puts(b, "{\n");
    for (const cJSON *it = c->obj->child; it && !b->overflow; it = it->next) {
        nd_buf_puts(b, "  ");
        nd_json_escape(b, it->string, strlen(it->string));
        nd_buf_puts(b, ": ");
        put_typed(b, nd_cfg_schema_find(it->string), it, true);
        nd_buf_puts(b, it->next ? ",\n" : "\n");
    }
    nd_buf_puts(b, "}\n");
}

int nd_cfg_save(nd_cfg *c)
{
    if (c->txn) return ND_EINVAL; /* staged values are saved by nd_cfg_commit only */
    nd_buf b;
    nd_buf_init(&b, ND_CFG_FILE_MAX);
    render_file(c, &b);
    /* a file the next load would refuse must not be written */
    int rc = b.overflow ? ND_ELIMIT : nd_fs_write_atomic(ND_CFG_PATH, b.p, b.n);
    nd_buf_free(&b);
    return rc;
}

/* ---- transactions ------------------------------------------------------ */

int nd_cfg_begin(nd_cfg *c)
{
    if (!c || c->txn) return ND_EINVAL;
    c->txn = true;
    c->dirty = false;
    return ND_OK;
}

/* Exchange the values of two scalar items, not their keys or places: a
** member takes a new value in place (its schema position is the file's
** order), and a string buffer only moves between items, so a pointer to it
** (nd_cfg_str) stays valid as long as the value is in either. */
static void swap_values(cJSON *a, cJSON *b)
{
    int ka = a->type & cJSON_StringIsConst, kb = b->type & cJSON_StringIsConst;
    int ta = a->type & ~cJSON_StringIsConst;
    a->type = (b->type & ~cJSON_StringIsConst) | ka;
    b->type = ta | kb;
    char *s = a->valuestring;
    a->valuestring = b->valuestring;
    b->valuestring = s;
    int i = a->valueint;
    a->valueint = b->valueint;
    b->valueint = i;
    double d = a->valuedouble;
    a->valuedouble = b->valuedouble;
    b->valuedouble = d;
}

/* Close the transaction; undo = put every member and override back. */
static void txn_end(nd_cfg *c, bool undo)
{
    if (!c->txn) return;
    for (size_t i = 0; i < ND_K_COUNT; i++) {
        if (c->was[i] && undo && c->mem[i]) /* the original value returns to the member */
            swap_values(c->mem[i], c->was[i]);
        cJSON_Delete(c->was[i]);
        c->was[i] = NULL;
        if (c->was_ovr[i] && undo) {
            cJSON_Delete(c->ovr[i]);
            c->ovr[i] = c->was_ovr[i];
        } else {
            cJSON_Delete(c->was_ovr[i]);
        }
        c->was_ovr[i] = NULL;
        free(c->stage[i]);
        c->stage[i] = NULL;
    }
    c->txn = c->dirty = false;
}

void nd_cfg_rollback(nd_cfg *c)
{
    if (c) txn_end(c, true);
}

/* Put an offloaded key's file back to its committed content (c->off). */
static int off_restore(const nd_cfg_key *k, const char *committed)
{
    char path[96];
    off_path(k, path, sizeof path);
    if (!committed) {
        int rc = nd_fs_remove(path);
        return rc == ND_ENOTFOUND ? ND_OK : rc;
    }
    return nd_fs_write_atomic(path, committed, strlen(committed));
}

/* Offloaded key files written by this commit are put back (failure path).
** One that cannot be restored keeps the new value, and memory follows it so
** that both agree; err then says so. */
static void off_undo(nd_cfg *c, size_t upto, char *err, size_t errn)
{
    for (size_t i = 0; i < upto; i++) {
        if (!c->stage[i]) continue;
        const nd_cfg_key *k = nd_cfg_schema_at(i);
        if (off_restore(k, c->off[i]) == ND_OK) continue;
        free(c->off[i]);
        c->off[i] = c->stage[i]; /* on disk now: the truth */
        c->stage[i] = NULL;
        size_t len = err ? strlen(err) : 0;
        if (err && len < errn)
            snprintf(err + len, errn - len, " (config/.%s.key kept the new value)", k->name);
    }
}

int nd_cfg_commit(nd_cfg *c, char *err, size_t errn)
{
    clear_err(err, errn);
    if (!c || !c->txn) return ND_EINVAL;
    /* 1. the whole new file, in memory: its size is known before anything
    **    is written, so an oversized change leaves no trace */
    nd_buf b;
    nd_buf_init(&b, ND_CFG_FILE_MAX);
    if (c->dirty) render_file(c, &b);
    if (b.overflow) {
        nd_buf_free(&b);
        txn_end(c, true);
        seterr(err, errn, "node_config.json would be larger than %d bytes (the config file limit): "
                          "nothing was applied", ND_CFG_FILE_MAX);
        return ND_ELIMIT;
    }
    /* 2. offloaded key files (config/.<key>.key), then 3. node_config.json;
    **    a failure undoes the files already written (those before i) and
    **    the memory */
    char path[96];
    const char *what = path;
    int rc = ND_OK;
    size_t i;
    for (i = 0; i < ND_K_COUNT; i++) {
        if (!c->stage[i]) continue;
        off_path(nd_cfg_schema_at(i), path, sizeof path);
        rc = nd_fs_write_atomic(path, c->stage[i], strlen(c->stage[i]));
        if (rc != ND_OK) break;
    }
    if (rc == ND_OK && c->dirty) {
        rc = nd_fs_write_atomic(ND_CFG_PATH, b.p, b.n);
        what = "node_config.json";
    }
    nd_buf_free(&b);
    if (rc != ND_OK) {
        seterr(err, errn, "%s could not be written (%s): nothing was applied", what,
               nd_strerror(rc));
        off_undo(c, i, err, errn);
        txn_end(c, true);
        return ND_EIO;
    }
    for (i = 0; i < ND_K_COUNT; i++) {
        if (!c->stage[i]) continue;
        free(c->off[i]);
        c->off[i] = c->stage[i];
        c->stage[i] = NULL;
    }
    txn_end(c, false);
    return ND_OK;
}

/* ---- load ------------------------------------------------------------- */

/* Short printable form of a file value for a problem line; secrets hidden. */
static void preview(const nd_cfg_key *k, const cJSON *v, char *out, size_t n)
{
    if (k->flags & ND_CFG_SECRET) {
        snprintf(out, n, "(secret)");
        return;
    }
    nd_buf b;
    nd_buf_init(&b, n > 4 ? n - 4 : 1);
    nd_json_render(&b, v, ND_JSON_AS_JSON);
    snprintf(out, n, "%s%s", nd_buf_cstr(&b), b.overflow ? "..." : "");
    nd_buf_free(&b);
}

/* The file cannot be used at all: move it aside, start on defaults. */
static bool quarantine(nd_cfg *c, const char *why)
{
    if (nd_fs_rename(ND_CFG_PATH, ND_CFG_BAD_PATH) == ND_OK) {
        problem(c, "node_config.json %s: kept as node_config.json.bad, using defaults", why);
        return true;
    }
    problem(c, "node_config.json %s and could not be renamed: left as is, using defaults", why);
    return false;
}

static int line_of(const char *buf, const char *at)
{
    int line = 1;
    for (const char *p = buf; p < at && *p; p++)
        if (*p == '\n') line++;
    return line;
}

/* JSON has no inf/nan, so a kept value holding 1e999 could not be saved as
** read: such numbers become null (and the caller keeps the original). */
static size_t drop_nonfinite(cJSON *v)
{
    size_t n = 0;
    if (cJSON_IsNumber(v) && !isfinite(v->valuedouble)) {
        v->type = cJSON_NULL | (v->type & cJSON_StringIsConst);
        v->valuedouble = 0;
        v->valueint = 0;
        return 1;
    }
    for (cJSON *it = v->child; it; it = it->next) n += drop_nonfinite(it);
    return n;
}

/* Merge the parsed file into c->obj. Sets *repair when values were converted
** or replaced (the original must be kept), *rewrite when the file should be
** written back (keys added, duplicates, repairs). */
static int merge(nd_cfg *c, cJSON *root, bool *repair, bool *rewrite)
{
    bool seen[ND_K_COUNT] = {false};
    int rc = ND_OK;
    cJSON *it = root->child;
    while (it) {
        cJSON *next = it->next;
        const nd_cfg_key *k = nd_cfg_schema_find(it->string);
        if (!k) {
            /* kept key: Python dict semantics for duplicates (first place, last value) */
            if (cJSON_GetObjectItemCaseSensitive(c->obj, it->string)) *rewrite = true;
            if (drop_nonfinite(it)) {
                kept_problem(c, "%s holds a number JSON cannot store: saved as null, ", it->string);
                *repair = *rewrite = true;
            }
            cJSON_DetachItemViaPointer(root, it);
            if (!obj_put(c->obj, it->string, it)) {
                cJSON_Delete(it);
                rc = ND_ENOMEM;
                break;
            }
            it = next;
            continue;
        }
        size_t ki = key_index(k);
        if (seen[ki]) *rewrite = true;
        seen[ki] = true;
        if (k->flags & ND_CFG_OFFLOAD) {
            /* The file holds "..."; anything else is an inline value (older
            ** writer): move it to the key file unless that already exists. */
            if (!cJSON_IsString(it) || strcmp(it->valuestring, k->def) != 0) {
                char pv[48];
                preview(k, it, pv, sizeof pv);
                char path[96];
                off_path(k, path, sizeof path);
                if (!c->off[ki] && cJSON_IsString(it) &&
                    strlen(it->valuestring) <= ND_CFG_FILE_MAX &&
                    nd_fs_write_atomic(path, it->valuestring, strlen(it->valuestring)) == ND_OK) {
                    c->off[ki] = dup_str(it->valuestring);
                    *rewrite = true;
                } else {
                    kept_problem(c, "%s = %s not moved to %s: ", k->name, pv, path);
                    *repair = *rewrite = true;
                }
            }
            it = next;
            continue;
        }
        bool conv = false;
        cJSON *v = coerce(k, it, &conv);
        char why[ND_ERRMSG] = "";
        if (v && !(k->flags & ND_CFG_NODE) && validate(k, v, why, sizeof why) != ND_OK) {
            cJSON_Delete(v);
            v = NULL;
        }
        char pv[48];
        if (!v) {
            preview(k, it, pv, sizeof pv);
            if (!why[0]) snprintf(why, sizeof why, "not %s", type_word(k->type));
            kept_problem(c, "%s = %s rejected (%s): using default %s, ", k->name, pv, why,
                    (k->flags & ND_CFG_SECRET) ? "(secret)" : k->def);
            *repair = *rewrite = true;
            it = next;
            continue;
        }
        if (conv) {
            preview(k, it, pv, sizeof pv);
            nd_buf b;
            nd_buf_init(&b, 64);
            if (k->flags & ND_CFG_SECRET)
                nd_buf_puts(&b, "(secret)");
            else
                put_typed(&b, k, v, false);
            kept_problem(c, "%s = %s converted to %s, ", k->name, pv, nd_buf_cstr(&b));
            nd_buf_free(&b);
            *repair = *rewrite = true;
        }
        if (!obj_put(c->obj, k->name, v)) {
            cJSON_Delete(v);
            rc = ND_ENOMEM;
            break;
        }
        it = next;
    }
    for (size_t i = 0; i < ND_K_COUNT; i++)
        if (!seen[i]) *rewrite = true; /* missing keys are added, as micrOS does */
    return rc;
}

/* cJSON ends a string at a \u0000 escape, so the text after it would be
** dropped without a word: say so, and keep the original as .bad. */
static void nul_problems(nd_cfg *c, const cJSON *root, const char *buf, size_t n, bool *repair,
                         bool *rewrite)
{
    size_t cnt = (size_t)cJSON_GetArraySize(root);
    bool *mark = cnt ? calloc(cnt, sizeof *mark) : NULL;
    if (!mark) return;
    if (nd_json_nuls(buf, n, mark, cnt)) {
        size_t i = 0;
        for (const cJSON *it = root->child; it && i < cnt; it = it->next, i++)
            if (mark[i])
                kept_problem(c, "%s holds \\u0000 (NUL), which nodus cannot store: cut there, ",
                             it->string);
        *repair = *rewrite = true;
    }
    free(mark);
}

int nd_cfg_load(nd_cfg *c)
{
    c->problems[0] = 0;
    if (fill_defaults(c) != ND_OK) return ND_ENOMEM;
    for (size_t i = 0; i < ND_K_COUNT; i++) {
        const nd_cfg_key *k = nd_cfg_schema_at(i);
        free(c->off[i]);
        c->off[i] = (k->flags & ND_CFG_OFFLOAD) ? off_read(k) : NULL;
    }
    /* A temp file is left only by a save cut short; the real file is intact. */
    nd_fs_remove(ND_CFG_PATH ".tmp");

    char *buf = malloc(ND_CFG_FILE_MAX + 1);
    if (!buf) return ND_ENOMEM;
    size_t n = 0;
    bool rewrite = true, repair = false;
    int rc = nd_fs_read(ND_CFG_PATH, buf, ND_CFG_FILE_MAX + 1, &n);
    /* why the file cannot be used at all, if it cannot (one quarantine call) */
    const char *why = NULL;
    char line[48];
    if (rc == ND_ELIMIT)
        why = "is larger than 65536 bytes";
    else if (rc != ND_OK && rc != ND_ENOTFOUND) /* not found: first start, write the defaults */
        why = "is unreadable";
    if (rc == ND_OK) {
        size_t sp = 0;
        while (sp < n && nd_is_space(buf[sp])) sp++;
        size_t end = 0;
        cJSON *root = NULL;
        if (sp == n) {
            why = "is empty";
        } else if (strlen(buf) != n) {
            why = "contains a NUL byte";
        } else if (!nd_utf8_valid(buf, n)) {
            why = "is not valid UTF-8";
        } else if (!(root = nd_json_parse(buf, n, &end)) || end != n) { /* one value, nothing after it */
            snprintf(line, sizeof line, "unparsable (line %d)", line_of(buf, buf + end));
            why = line;
        } else if (!cJSON_IsObject(root)) {
            why = "is not a JSON object";
        } else {
            rewrite = false;
            nul_problems(c, root, buf, n, &repair, &rewrite);
            rc = merge(c, root, &repair, &rewrite);
            index_members(c); /* merge replaced members */
            if (rc != ND_OK) {
                cJSON_Delete(root);
                free(buf);
                return rc;
            }
        }
        cJSON_Delete(root);
        if (repair && nd_fs_write_atomic(ND_CFG_BAD_PATH, buf, n) != ND_OK) {
            /* without a copy the original must not be overwritten */
            problem(c, "node_config.json.bad could not be written: node_config.json left as is");
            rewrite = false;
        }
    }
    if (why) rewrite = quarantine(c, why);
    free(buf);
    rc = ND_OK;
    if (rewrite && nd_cfg_save(c) != ND_OK) {
        problem(c, "node_config.json could not be written");
        rc = ND_EIO;
    }
    return rc;
}

/* ---- setters ---------------------------------------------------------- */

/* Stage a typed item for k in the open transaction: validate, then replace
** the member (or, for an offloaded key, keep the text for the commit).
** clear_ovr drops a --set override of the key, as a user's set does.
** Takes ownership of nv; on an error nothing is staged. */
static int stage_value(nd_cfg *c, const nd_cfg_key *k, cJSON *nv, bool check, bool clear_ovr,
                       char *err, size_t errn)
{
    int rc = check ? validate(k, nv, err, errn) : ND_OK;
    if (rc != ND_OK) {
        cJSON_Delete(nv);
        return rc;
    }
    size_t ki = key_index(k);
    cJSON *cur = c->mem[ki];
    if (k->flags & ND_CFG_OFFLOAD) {
        char *copy = dup_str(nv->valuestring);
        cJSON_Delete(nv);
        if (!copy) {
            seterr(err, errn, "out of memory");
            return ND_ENOMEM;
        }
        free(c->stage[ki]);
        c->stage[ki] = copy;
    } else if (same(cur, nv)) {
        cJSON_Delete(nv); /* "Saved" without wearing the flash */
    } else if (!cur) { /* not reached: every schema key is a member (fill_defaults) */
        cJSON_Delete(nv);
        seterr(err, errn, "%s missing from the store", k->name);
        return ND_EINVAL;
    } else {
        swap_values(cur, nv); /* nv now holds the value cur had */
        if (c->was[ki])
            cJSON_Delete(nv); /* a value staged earlier in this transaction */
        else
            c->was[ki] = nv; /* the original, for the way back */
        c->dirty = true;
    }
    if (clear_ovr) {
        cJSON *ov = c->ovr[ki];
        c->ovr[ki] = NULL;
        if (ov && !c->was_ovr[ki])
            c->was_ovr[ki] = ov;
        else
            cJSON_Delete(ov);
    }
    return ND_OK;
}

/* One set: into the open transaction, or as a transaction of its own that
** is committed at once (save) -- so a failed save leaves memory as it was.
** save=false outside a transaction keeps the old contract: memory changes
** now, node_config.json on the caller's nd_cfg_save (an offloaded key's
** file is still written here). */
static int set_one(nd_cfg *c, const nd_cfg_key *k, cJSON *nv, bool check, bool clear_ovr,
                   bool save, char *err, size_t errn)
{
    if (c->txn) return stage_value(c, k, nv, check, clear_ovr, err, errn);
    nd_cfg_begin(c); /* cannot fail: none is open */
    int rc = stage_value(c, k, nv, check, clear_ovr, err, errn);
    if (rc != ND_OK) {
        nd_cfg_rollback(c);
        return rc;
    }
    if (!save) c->dirty = false; /* the caller saves node_config.json */
    return nd_cfg_commit(c, err, errn);
}

/* The conf-mode text for the schema key named key, as a new item in *nv:
** the key (NULL: *rc is ND_ENOTFOUND) and from_text's code in *rc. */
static const nd_cfg_key *key_text(const char *key, const char *text, cJSON **nv, int *rc, char *err,
                                  size_t errn)
{
    clear_err(err, errn);
    const nd_cfg_key *k = nd_cfg_schema_find(key);
    *rc = k ? from_text(k, text ? text : "", nv, err, errn) : ND_ENOTFOUND;
    return k;
}

int nd_cfg_set_text(nd_cfg *c, const char *key, const char *text, char *err, size_t errn)
{
    cJSON *nv = NULL;
    int rc;
    const nd_cfg_key *k = key_text(key, text, &nv, &rc, err, errn);
    if (rc == ND_ETYPE) {
        /* micrOS answers a failed conversion with a bare "Failed to save"
        ** (utc "type"); the shell prints err when it is not empty. */
        clear_err(err, errn);
        return rc;
    }
    if (rc != ND_OK) return rc;
    return set_one(c, k, nv, true, true, true, err, errn);
}

/* A typed value for k (nd_cfg_set_value, nd_cfg_set_json), converted and set. */
static int set_typed(nd_cfg *c, const nd_cfg_key *k, const nd_value *v, bool save, char *err,
                     size_t errn)
{
    cJSON *nv = NULL;
    bool num_key = k->type == ND_CFG_INT || k->type == ND_CFG_FLOAT;
    if (v->type == ND_T_STR) {
        if (strlen(v->u.s.p) != v->u.s.n) {
            seterr(err, errn, "%s: NUL byte in value", k->name);
            return ND_EINVAL;
        }
        int rc = from_text(k, v->u.s.p, &nv, err, errn);
        if (rc != ND_OK) return rc;
    } else if (v->type == ND_T_BOOL && k->type == ND_CFG_BOOL) {
        nv = cJSON_CreateBool(v->u.b);
    } else if (v->type == ND_T_INT && num_key) {
        if (v->u.i > (int64_t)INT_EXACT || v->u.i < -(int64_t)INT_EXACT) {
            seterr(err, errn, "%s: value out of range", k->name);
            return ND_EINVAL;
        }
        nv = cJSON_CreateNumber((double)v->u.i);
    } else if (v->type == ND_T_FLOAT && k->type == ND_CFG_FLOAT) {
        if (!isfinite(v->u.f)) {
            seterr(err, errn, "%s expects a finite number", k->name);
            return ND_EINVAL;
        }
        nv = cJSON_CreateNumber(v->u.f);
    } else {
        seterr(err, errn, "%s expects %s, not %s", k->name, type_word(k->type),
               nd_type_name(v->type));
        return ND_ETYPE;
    }
    if (!nv) {
        seterr(err, errn, "out of memory");
        return ND_ENOMEM;
    }
    return set_one(c, k, nv, true, true, save, err, errn);
}

int nd_cfg_set_value(nd_cfg *c, const char *key, const nd_value *v, bool save, char *err,
                     size_t errn)
{
    clear_err(err, errn);
    const nd_cfg_key *k = nd_cfg_schema_find(key);
    if (!k) return ND_ENOTFOUND;
    if (!v) return ND_EINVAL;
    return set_typed(c, k, v, save, err, errn);
}

int nd_cfg_set_json(nd_cfg *c, nd_key key, const cJSON *item, char *err, size_t errn)
{
    clear_err(err, errn);
    if (!c || (unsigned)key >= ND_K_COUNT) return ND_ENOTFOUND;
    if (!item) return ND_EINVAL;
    /* the item as the nd_value it reads as (nd_json_scalar: a number is an
    ** int when whole and within +-2^53); a string is not copied */
    const nd_cfg_key *k = nd_cfg_schema_at(key);
    nd_value v;
    nd_json_scalar(item, &v);
    if (v.type == ND_T_INT && k->type == ND_CFG_FLOAT) { /* a float key takes -0 as -0.0 */
        v.type = ND_T_FLOAT;
        v.u.f = item->valuedouble;
    }
    return set_typed(c, k, &v, true, err, errn);
}

int nd_cfg_set_node(nd_cfg *c, const char *key, const char *text)
{
    int k = nd_key_of(key);
    return k < 0 ? ND_ENOTFOUND : nd_cfg_put_node(c, (nd_key)k, text);
}

int nd_cfg_put_node(nd_cfg *c, nd_key key, const char *text)
{
    if (!c || (unsigned)key >= ND_K_COUNT) return ND_ENOTFOUND;
    const nd_cfg_key *k = nd_cfg_schema_at(key);
    cJSON *nv = NULL;
    int rc = from_text(k, text ? text : "", &nv, NULL, 0);
    if (rc != ND_OK) return rc;
    /* a --set override of the key, if any, stays in effect for this run */
    return set_one(c, k, nv, false, false, true, NULL, 0);
}

int nd_cfg_override(nd_cfg *c, const char *key, const char *text, char *err, size_t errn)
{
    cJSON *nv = NULL;
    int rc;
    const nd_cfg_key *k = key_text(key, text, &nv, &rc, err, errn);
    if (rc == ND_ETYPE) rc = ND_EINVAL;
    if (rc != ND_OK) return rc;
    if (validate(k, nv, err, errn) != ND_OK) {
        cJSON_Delete(nv);
        return ND_EINVAL;
    }
    size_t ki = key_index(k);
    cJSON_Delete(c->ovr[ki]);
    c->ovr[ki] = nv;
    return ND_OK;
}

/* ---- getters ---------------------------------------------------------- */

/* Reading an item as a type: Python's rules for the ones that convert (a
** bool is 0/1), 0 for the rest. Shared by the typed and the by-name reads,
** and by keys kept from the file, which can hold anything. */
static bool item_bool(const cJSON *v)
{
    if (cJSON_IsBool(v)) return cJSON_IsTrue(v);
    if (cJSON_IsNumber(v)) return v->valuedouble != 0;
    return false;
}

static int64_t item_int(const cJSON *v)
{
    if (cJSON_IsBool(v)) return cJSON_IsTrue(v);
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble)) return 0;
    double d = v->valuedouble;
    if (d >= INT_EXACT) return (int64_t)INT_EXACT;
    if (d <= -INT_EXACT) return -(int64_t)INT_EXACT;
    return (int64_t)d;
}

static double item_float(const cJSON *v)
{
    if (cJSON_IsBool(v)) return cJSON_IsTrue(v);
    return cJSON_IsNumber(v) ? v->valuedouble : 0.0;
}

static bool valid_key(const nd_cfg *c, nd_key k) { return c && (unsigned)k < ND_K_COUNT; }

/* The value in effect of a schema key: override, else store. */
static const cJSON *eff(const nd_cfg *c, nd_key k)
{
    if (!valid_key(c, k)) return NULL;
    return c->ovr[k] ? c->ovr[k] : c->mem[k];
}

/* A key by name: the schema's (*k set), else one kept from the file. */
static const cJSON *by_name(const nd_cfg *c, const char *key, const nd_cfg_key **k)
{
    *k = NULL;
    if (!c || !key) return NULL;
    if ((*k = nd_cfg_schema_find(key))) return eff(c, nd_cfg_key_id(*k));
    return cJSON_GetObjectItemCaseSensitive(c->obj, key);
}

const char *nd_cfg_get_str(const nd_cfg *c, nd_key k)
{
    if (!valid_key(c, k)) return "";
    if (!c->ovr[k] && (nd_cfg_schema_at(k)->flags & ND_CFG_OFFLOAD))
        return c->off[k] ? c->off[k] : "n/a";
    const cJSON *v = eff(c, k);
    return cJSON_IsString(v) ? v->valuestring : "";
}

bool nd_cfg_get_bool(const nd_cfg *c, nd_key k) { return item_bool(eff(c, k)); }
int64_t nd_cfg_get_int(const nd_cfg *c, nd_key k) { return item_int(eff(c, k)); }
double nd_cfg_get_float(const nd_cfg *c, nd_key k) { return item_float(eff(c, k)); }

const char *nd_cfg_str(const nd_cfg *c, const char *key)
{
    const nd_cfg_key *k;
    const cJSON *v = by_name(c, key, &k);
    if (k) return nd_cfg_get_str(c, nd_cfg_key_id(k));
    return cJSON_IsString(v) ? v->valuestring : "";
}

bool nd_cfg_bool(const nd_cfg *c, const char *key)
{
    const nd_cfg_key *k;
    return item_bool(by_name(c, key, &k));
}

int64_t nd_cfg_int(const nd_cfg *c, const char *key)
{
    const nd_cfg_key *k;
    return item_int(by_name(c, key, &k));
}

double nd_cfg_float(const nd_cfg *c, const char *key)
{
    const nd_cfg_key *k;
    return item_float(by_name(c, key, &k));
}

bool nd_cfg_has(const nd_cfg *c, const char *key)
{
    if (nd_cfg_schema_find(key)) return true;
    return c && key && cJSON_GetObjectItemCaseSensitive(c->obj, key) != NULL;
}

int nd_cfg_render(const nd_cfg *c, const char *key, nd_buf *b)
{
    const nd_cfg_key *k;
    const cJSON *v = by_name(c, key, &k);
    if (k && !c->ovr[nd_cfg_key_id(k)] && (k->flags & ND_CFG_OFFLOAD)) {
        /* read the file each time: it is the value, the JSON holds "..." */
        char *s = off_read(k);
        nd_buf_puts(b, s ? s : "n/a");
        free(s);
        return ND_OK;
    }
    if (!v) return ND_ENOTFOUND;
    put_typed(b, k, v, false);
    return ND_OK;
}

/* A key's value as nd_value: typed by the schema (k), else as JSON reads. */
static nd_value *as_value(const nd_cfg *c, nd_arena *a, const nd_cfg_key *k, const cJSON *v)
{
    if (k && !c->ovr[nd_cfg_key_id(k)] && (k->flags & ND_CFG_OFFLOAD)) {
        char *s = off_read(k);
        nd_value *r = nd_str(a, s ? s : "n/a");
        free(s);
        return r;
    }
    if (!v) return NULL;
    if (!k) return nd_json_value(a, v);
    switch (k->type) {
    case ND_CFG_BOOL: return nd_bool(a, cJSON_IsTrue(v));
    case ND_CFG_INT: return nd_int(a, (int64_t)v->valuedouble);
    case ND_CFG_FLOAT: return nd_float(a, v->valuedouble);
    default: return nd_str(a, v->valuestring);
    }
}

nd_value *nd_cfg_get_value(const nd_cfg *c, nd_arena *a, nd_key k)
{
    if (!valid_key(c, k)) return NULL;
    return as_value(c, a, nd_cfg_schema_at(k), eff(c, k));
}

nd_value *nd_cfg_value(const nd_cfg *c, nd_arena *a, const char *key)
{
    const nd_cfg_key *k;
    const cJSON *v = by_name(c, key, &k);
    return as_value(c, a, k, v);
}

int nd_cfg_dump(const nd_cfg *c, const char *substr, nd_buf *b)
{
    if (!c) return ND_EINVAL;
    for (const cJSON *it = c->obj->child; it; it = it->next) {
        const char *name = it->string;
        if (substr && !strstr(name, substr)) continue;
        const nd_cfg_key *k = nd_cfg_schema_find(name);
        nd_buf_printf(b, "  %-10s:        ", name);
        const cJSON *v = k ? c->ovr[nd_cfg_key_id(k)] : NULL;
        if (k && (k->flags & ND_CFG_OFFLOAD))
            nd_buf_puts(b, "...");
        else
            put_typed(b, k, v ? v : it, false);
        nd_buf_putc(b, '\n');
    }
    return b->overflow ? ND_ELIMIT : ND_OK;
}
