/*
** cfg.c -- the configuration store: node_config.json merged over the schema.
**
** The store is one cJSON object whose members are, in this order, every
** schema key (always holding a value of the key's type) and then the keys the
** file had that the schema does not know, in file order. That order is the
** order of `dump` and of the saved file, so a save of a micrOS file keeps
** micrOS's layout and never drops what nodus does not understand.
**
** Loading is where data gets lost on other systems (field-lessons 5), so it
** never discards bytes: an unreadable or unparsable file is renamed
** node_config.json.bad before defaults are written; a file whose values had
** to be converted or replaced is first copied to node_config.json.bad. If
** the .bad copy cannot be made, the original file is left alone and the node
** runs on its in-memory values. Saves go through nd_fs_write_atomic (temp
** file, fsync, rename), so a power cut leaves either the old or the new file;
** a leftover temp file from an interrupted save is removed at load.
**
** --set overrides live in a second object that is consulted first by every
** getter and never written. The offloaded key (guimeta) keeps "..." in the
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

#include <cjson/cJSON.h>

#include "cfg.h"
#include "nodus/port.h"

/* Largest magnitude a double holds exactly: ints beyond it would change. */
#define INT_EXACT 9007199254740992.0
/* Must match cfg_schema.c: max == this means "no upper bound". */
#define ATLEAST INT32_MAX
#define PROBLEMS_MAX 1024

struct nd_cfg {
    cJSON *obj;   /* schema keys in schema order, then kept keys in file order */
    cJSON *ovr;   /* --set overrides, typed like obj; never saved */
    char **off;   /* per schema index: cached content of an offloaded key, or NULL */
    char problems[PROBLEMS_MAX];
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

static void problem(nd_cfg *c, const char *fmt, ...)
{
    size_t len = strlen(c->problems);
    if (len + 4 >= sizeof c->problems) return;
    if (len) c->problems[len++] = '\n';
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(c->problems + len, sizeof c->problems - len, fmt, ap);
    va_end(ap);
    /* one problem per line: a key name from the file may hold a newline */
    for (char *p = c->problems + len; *p; p++)
        if ((unsigned char)*p < 0x20) *p = '?';
    /* mark a cut line so nobody mistakes it for the whole story */
    if (k < 0 || (size_t)k >= sizeof c->problems - len)
        memcpy(c->problems + sizeof c->problems - 4, "...", 4);
}

static bool dbl_to_int(double d, int64_t *out)
{
    if (!isfinite(d) || d != floor(d) || fabs(d) > INT_EXACT) return false;
    *out = (int64_t)d;
    return true;
}

static bool is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
}

/* Python int(text) for decimal text: surrounding white space allowed, the
** rest must convert completely ("9008x" fails). */
static bool parse_int(const char *t, int64_t *out)
{
    while (is_space(*t)) t++;
    bool neg = false;
    if (*t == '+' || *t == '-') neg = *t++ == '-';
    if (*t < '0' || *t > '9') return false;
    double acc = 0; /* in double so the range test below cannot overflow */
    int64_t v = 0;
    for (; *t >= '0' && *t <= '9'; t++) {
        acc = acc * 10 + (*t - '0');
        if (acc > INT_EXACT) return false;
        v = v * 10 + (*t - '0');
    }
    while (is_space(*t)) t++;
    if (*t) return false;
    *out = neg ? -v : v;
    return true;
}

/* Python float(text), finite values only (JSON cannot store inf or nan). The
** grammar is checked first because strtod also accepts hex and "inf". */
static bool parse_float(const char *t, double *out)
{
    while (is_space(*t)) t++;
    const char *s = t, *p = t;
    if (*p == '+' || *p == '-') p++;
    size_t digits = 0;
    while (*p >= '0' && *p <= '9') p++, digits++;
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') p++, digits++;
    }
    if (!digits) return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-') p++;
        if (*p < '0' || *p > '9') return false;
        while (*p >= '0' && *p <= '9') p++;
    }
    const char *end = p;
    while (is_space(*p)) p++;
    if (*p) return false;
    char tmp[64];
    if ((size_t)(end - s) >= sizeof tmp) return false;
    memcpy(tmp, s, (size_t)(end - s));
    tmp[end - s] = 0;
    double d = strtod(tmp, NULL);
    if (!isfinite(d)) return false;
    *out = d;
    return true;
}

static bool ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a, y = *b;
        if (x >= 'A' && x <= 'Z') x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = (char)(y - 'A' + 'a');
        if (x != y) return false;
    }
    return *a == *b;
}

static const char *type_word(nd_cfg_type t)
{
    switch (t) {
    case ND_CFG_BOOL: return "a bool";
    case ND_CFG_INT: return "an int";
    case ND_CFG_FLOAT: return "a float";
    default: return "a string";
    }
}

/* Python str() of a number held by a cJSON item whose schema type is unknown. */
static void put_number(nd_buf *b, double d)
{
    int64_t i;
    if (dbl_to_int(d, &i))
        nd_buf_printf(b, "%lld", (long long)i);
    else
        nd_render_float(b, d);
}

/* ---- conversion and validation --------------------------------------- */

/* Text to a new cJSON item of k's type, with the conf-mode rules. */
static int from_text(const nd_cfg_key *k, const char *t, cJSON **out, char *err, size_t errn)
{
    cJSON *v = NULL;
    switch (k->type) {
    case ND_CFG_BOOL:
        if (ieq(t, "true"))
            v = cJSON_CreateTrue();
        else if (ieq(t, "false"))
            v = cJSON_CreateFalse();
        else {
            seterr(err, errn, "%s expects True or False", k->name);
            return ND_ETYPE;
        }
        break;
    case ND_CFG_INT: {
        int64_t i;
        if (!parse_int(t, &i)) {
            seterr(err, errn, "%s expects an integer", k->name);
            return ND_ETYPE;
        }
        v = cJSON_CreateNumber((double)i);
        break;
    }
    case ND_CFG_FLOAT: {
        double d;
        if (!parse_float(t, &d)) {
            seterr(err, errn, "%s expects a number", k->name);
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
    if ((k->type == ND_CFG_INT || k->type == ND_CFG_FLOAT) && k->min < k->max) {
        double d = v->valuedouble;
        if (d < (double)k->min || d > (double)k->max) {
            if (k->max == ATLEAST)
                seterr(err, errn, "%s must be at least %lld", k->name, (long long)k->min);
            else
                seterr(err, errn, "%s must be between %lld and %lld", k->name,
                       (long long)k->min, (long long)k->max);
            return ND_EINVAL;
        }
    }
    if (k->check && cJSON_IsString(v)) {
        const char *why = k->check(v->valuestring);
        if (why) {
            seterr(err, errn, "%s", why);
            return ND_EINVAL;
        }
    }
    return ND_OK;
}

/* A value read from the file, brought to k's type when that is unambiguous.
** Returns a new item (same type: *converted = false) or NULL. */
static cJSON *coerce(const nd_cfg_key *k, const cJSON *v, bool *converted)
{
    *converted = false;
    switch (k->type) {
    case ND_CFG_STR:
        if (cJSON_IsString(v)) {
            size_t lim = (k->flags & ND_CFG_OFFLOAD) ? ND_CFG_FILE_MAX : ND_CFG_STR_MAX;
            return strlen(v->valuestring) <= lim ? cJSON_CreateString(v->valuestring) : NULL;
        }
        if (cJSON_IsNumber(v)) {
            nd_buf b;
            nd_buf_init(&b, 64);
            put_number(&b, v->valuedouble);
            cJSON *r = b.overflow ? NULL : cJSON_CreateString(nd_buf_cstr(&b));
            nd_buf_free(&b);
            *converted = r != NULL;
            return r;
        }
        return NULL;
    case ND_CFG_BOOL:
        if (cJSON_IsBool(v)) return cJSON_CreateBool(cJSON_IsTrue(v));
        *converted = true;
        if (cJSON_IsString(v) && ieq(v->valuestring, "true")) return cJSON_CreateTrue();
        if (cJSON_IsString(v) && ieq(v->valuestring, "false")) return cJSON_CreateFalse();
        if (cJSON_IsNumber(v) && v->valuedouble == 1) return cJSON_CreateTrue();
        if (cJSON_IsNumber(v) && v->valuedouble == 0) return cJSON_CreateFalse();
        return NULL;
    case ND_CFG_INT: {
        int64_t i;
        if (cJSON_IsNumber(v))
            return dbl_to_int(v->valuedouble, &i) ? cJSON_CreateNumber((double)i) : NULL;
        *converted = true;
        if (cJSON_IsString(v) && parse_int(v->valuestring, &i))
            return cJSON_CreateNumber((double)i);
        return NULL;
    }
    case ND_CFG_FLOAT: {
        double d;
        if (cJSON_IsNumber(v))
            return isfinite(v->valuedouble) ? cJSON_CreateNumber(v->valuedouble) : NULL;
        *converted = true;
        if (cJSON_IsString(v) && parse_float(v->valuestring, &d)) return cJSON_CreateNumber(d);
        return NULL;
    }
    }
    return NULL;
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

/* Python repr()/str() of a value of a key nodus does not know. */
static void put_py(nd_buf *b, const cJSON *v, bool top)
{
    if (cJSON_IsString(v)) {
        if (top) {
            nd_buf_puts(b, v->valuestring);
            return;
        }
        nd_value s = {.type = ND_T_STR};
        s.u.s.p = v->valuestring;
        s.u.s.n = strlen(v->valuestring);
        nd_render_repr(b, &s);
    } else if (cJSON_IsNumber(v)) {
        put_number(b, v->valuedouble);
    } else if (cJSON_IsBool(v)) {
        nd_buf_puts(b, cJSON_IsTrue(v) ? "True" : "False");
    } else if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
        bool obj = cJSON_IsObject(v);
        nd_buf_putc(b, obj ? '{' : '[');
        for (const cJSON *it = v->child; it && !b->overflow; it = it->next) {
            if (it != v->child) nd_buf_puts(b, ", ");
            if (obj) {
                nd_value s = {.type = ND_T_STR};
                s.u.s.p = it->string ? it->string : "";
                s.u.s.n = strlen(s.u.s.p);
                nd_render_repr(b, &s);
                nd_buf_puts(b, ": ");
            }
            put_py(b, it, false);
        }
        nd_buf_putc(b, obj ? '}' : ']');
    } else {
        nd_buf_puts(b, "None");
    }
}

/* Python str() of a schema key's value (a float key always shows a '.'). */
static void put_typed(nd_buf *b, const nd_cfg_key *k, const cJSON *v)
{
    if (!k) {
        put_py(b, v, true);
        return;
    }
    switch (k->type) {
    case ND_CFG_BOOL: nd_buf_puts(b, cJSON_IsTrue(v) ? "True" : "False"); break;
    case ND_CFG_INT: nd_buf_printf(b, "%lld", (long long)v->valuedouble); break;
    case ND_CFG_FLOAT: nd_render_float(b, v->valuedouble); break;
    default: nd_buf_puts(b, cJSON_IsString(v) ? v->valuestring : ""); break;
    }
}

/* JSON string literal; UTF-8 is written as is (Python's json reads it). */
static void put_json_str(nd_buf *b, const char *s)
{
    nd_buf_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': nd_buf_puts(b, "\\\""); break;
        case '\\': nd_buf_puts(b, "\\\\"); break;
        case '\n': nd_buf_puts(b, "\\n"); break;
        case '\r': nd_buf_puts(b, "\\r"); break;
        case '\t': nd_buf_puts(b, "\\t"); break;
        default:
            if (*p < 0x20)
                nd_buf_printf(b, "\\u%04x", *p);
            else
                nd_buf_putc(b, (char)*p);
        }
    }
    nd_buf_putc(b, '"');
}

/* JSON text of a kept value. Not cJSON_Print: its numbers are "%.15g unless
** that reads back approximately equal", which loses the last digits; ours
** are the shortest round-trip form (Python's repr, as json.dumps writes). */
static void put_json(nd_buf *b, const cJSON *v)
{
    if (cJSON_IsString(v)) {
        put_json_str(b, v->valuestring);
    } else if (cJSON_IsNumber(v)) {
        put_number(b, v->valuedouble);
    } else if (cJSON_IsBool(v)) {
        nd_buf_puts(b, cJSON_IsTrue(v) ? "true" : "false");
    } else if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
        bool obj = cJSON_IsObject(v);
        nd_buf_putc(b, obj ? '{' : '[');
        for (const cJSON *it = v->child; it && !b->overflow; it = it->next) {
            if (it != v->child) nd_buf_puts(b, ", ");
            if (obj) {
                put_json_str(b, it->string ? it->string : "");
                nd_buf_puts(b, ": ");
            }
            put_json(b, it);
        }
        nd_buf_putc(b, obj ? '}' : ']');
    } else {
        nd_buf_puts(b, "null");
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

static size_t key_index(const nd_cfg_key *k) { return (size_t)(k - nd_cfg_schema_at(0)); }

/* ---- life cycle ------------------------------------------------------- */

/* Reset obj to the schema's defaults (drops kept keys). */
static int fill_defaults(nd_cfg *c)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return ND_ENOMEM;
    for (size_t i = 0; i < nd_cfg_schema_count(); i++) {
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
    return ND_OK;
}

nd_cfg *nd_cfg_new(void)
{
    nd_cfg *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->ovr = cJSON_CreateObject();
    c->off = calloc(nd_cfg_schema_count(), sizeof *c->off);
    if (!c->ovr || !c->off || fill_defaults(c) != ND_OK) {
        nd_cfg_free(c);
        return NULL;
    }
    return c;
}

void nd_cfg_free(nd_cfg *c)
{
    if (!c) return;
    cJSON_Delete(c->obj);
    cJSON_Delete(c->ovr);
    if (c->off)
        for (size_t i = 0; i < nd_cfg_schema_count(); i++) free(c->off[i]);
    free(c->off);
    free(c);
}

const char *nd_cfg_problems(const nd_cfg *c) { return c ? c->problems : ""; }

/* ---- save ------------------------------------------------------------- */

int nd_cfg_save(nd_cfg *c)
{
    nd_buf b;
    nd_buf_init(&b, ND_CFG_FILE_MAX);
    nd_buf_puts(&b, "{\n");
    for (const cJSON *it = c->obj->child; it && !b.overflow; it = it->next) {
        const nd_cfg_key *k = nd_cfg_schema_find(it->string);
        nd_buf_puts(&b, "  ");
        put_json_str(&b, it->string);
        nd_buf_puts(&b, ": ");
        if (k && k->type == ND_CFG_STR) {
            put_json_str(&b, it->valuestring);
        } else if (k && k->type == ND_CFG_BOOL) {
            nd_buf_puts(&b, cJSON_IsTrue(it) ? "true" : "false");
        } else if (k && k->type == ND_CFG_INT) {
            nd_buf_printf(&b, "%lld", (long long)it->valuedouble);
        } else if (k) {
            nd_render_float(&b, it->valuedouble);
        } else {
            put_json(&b, it);
        }
        nd_buf_puts(&b, it->next ? ",\n" : "\n");
    }
    nd_buf_puts(&b, "}\n");
    /* a file the next load would refuse must not be written */
    int rc = b.overflow ? ND_ELIMIT : nd_fs_write_atomic(ND_CFG_PATH, b.p, b.n);
    nd_buf_free(&b);
    return rc;
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
    put_json(&b, v);
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
    size_t nk = nd_cfg_schema_count();
    bool *seen = calloc(nk, sizeof *seen);
    if (!seen) return ND_ENOMEM;
    int rc = ND_OK;
    cJSON *it = root->child;
    while (it) {
        cJSON *next = it->next;
        const nd_cfg_key *k = nd_cfg_schema_find(it->string);
        if (!k) {
            /* kept key: Python dict semantics for duplicates (first place, last value) */
            if (cJSON_GetObjectItemCaseSensitive(c->obj, it->string)) *rewrite = true;
            if (drop_nonfinite(it)) {
                problem(c, "node_config.json: %s holds a number JSON cannot store: saved as null, "
                           "original kept as node_config.json.bad", it->string);
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
                    c->off[ki] = malloc(strlen(it->valuestring) + 1);
                    if (c->off[ki]) strcpy(c->off[ki], it->valuestring);
                    *rewrite = true;
                } else {
                    problem(c, "node_config.json: %s = %s not moved to %s: original kept as "
                               "node_config.json.bad", k->name, pv, path);
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
            problem(c, "node_config.json: %s = %s rejected (%s): using default %s, original kept "
                       "as node_config.json.bad", k->name, pv, why,
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
                put_typed(&b, k, v);
            problem(c, "node_config.json: %s = %s converted to %s, original kept as "
                       "node_config.json.bad", k->name, pv, nd_buf_cstr(&b));
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
    for (size_t i = 0; i < nk; i++)
        if (!seen[i]) *rewrite = true; /* missing keys are added, as micrOS does */
    free(seen);
    return rc;
}

int nd_cfg_load(nd_cfg *c)
{
    c->problems[0] = 0;
    if (fill_defaults(c) != ND_OK) return ND_ENOMEM;
    for (size_t i = 0; i < nd_cfg_schema_count(); i++) {
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
    if (rc == ND_ENOTFOUND) {
        /* first start: write the defaults */
    } else if (rc == ND_ELIMIT) {
        rewrite = quarantine(c, "is larger than 65536 bytes");
    } else if (rc != ND_OK) {
        rewrite = quarantine(c, "is unreadable");
    } else {
        size_t sp = 0;
        while (sp < n && is_space(buf[sp])) sp++;
        const char *end = NULL;
        cJSON *root = NULL;
        if (sp == n) {
            rewrite = quarantine(c, "is empty");
        } else if (strlen(buf) != n) {
            rewrite = quarantine(c, "contains a NUL byte");
        } else if (!nd_utf8_valid(buf, n)) {
            rewrite = quarantine(c, "is not valid UTF-8");
        } else if (/* n + 1: cJSON wants the NUL inside the length to reject trailing bytes */
                   !(root = cJSON_ParseWithLengthOpts(buf, n + 1, &end, 1))) {
            char why[48];
            snprintf(why, sizeof why, "unparsable (line %d)", line_of(buf, end ? end : buf));
            rewrite = quarantine(c, why);
        } else if (!cJSON_IsObject(root)) {
            rewrite = quarantine(c, "is not a JSON object");
        } else {
            rewrite = false;
            rc = merge(c, root, &repair, &rewrite);
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
    free(buf);
    rc = ND_OK;
    if (rewrite && nd_cfg_save(c) != ND_OK) {
        problem(c, "node_config.json could not be written");
        rc = ND_EIO;
    }
    return rc;
}

/* ---- setters ---------------------------------------------------------- */

/* Store a typed item for k: validate, write an offloaded key's file, or
** replace the member and save; on a failed save the old value comes back, so
** memory and file agree. Takes ownership of nv. */
static int put_value(nd_cfg *c, const nd_cfg_key *k, cJSON *nv, bool check, bool save, char *err,
                     size_t errn)
{
    int rc = check ? validate(k, nv, err, errn) : ND_OK;
    if (rc != ND_OK) {
        cJSON_Delete(nv);
        return rc;
    }
    cJSON *ov = cJSON_DetachItemFromObjectCaseSensitive(c->ovr, k->name);
    if (k->flags & ND_CFG_OFFLOAD) {
        char path[96];
        off_path(k, path, sizeof path);
        size_t n = strlen(nv->valuestring);
        char *copy = malloc(n + 1);
        if (!copy || nd_fs_write_atomic(path, nv->valuestring, n) != ND_OK) {
            free(copy);
            cJSON_Delete(nv);
            if (ov) cJSON_AddItemToObject(c->ovr, k->name, ov);
            seterr(err, errn, "%s could not be written", path);
            return ND_EIO;
        }
        memcpy(copy, nv->valuestring, n + 1);
        size_t ki = key_index(k);
        free(c->off[ki]);
        c->off[ki] = copy;
        cJSON_Delete(nv);
        cJSON_Delete(ov);
        return ND_OK;
    }
    cJSON *old = cJSON_GetObjectItemCaseSensitive(c->obj, k->name);
    if (same(old, nv)) { /* "Saved" without wearing the flash */
        cJSON_Delete(nv);
        cJSON_Delete(ov);
        return ND_OK;
    }
    /* a copy of the old value (a scalar) for the way back; obj_put replaces
    ** in place, so the key keeps its schema position */
    cJSON *keep = cJSON_Duplicate(old, true);
    if (!keep || !obj_put(c->obj, k->name, nv)) {
        cJSON_Delete(keep);
        cJSON_Delete(nv);
        if (ov) cJSON_AddItemToObject(c->ovr, k->name, ov);
        seterr(err, errn, "out of memory");
        return ND_ENOMEM;
    }
    if (save && nd_cfg_save(c) != ND_OK) {
        if (!obj_put(c->obj, k->name, keep)) cJSON_Delete(keep); /* no memory: nv stays, unsaved */
        if (ov) cJSON_AddItemToObject(c->ovr, k->name, ov);
        seterr(err, errn, "node_config.json could not be written");
        return ND_EIO;
    }
    cJSON_Delete(keep);
    cJSON_Delete(ov);
    return ND_OK;
}

int nd_cfg_set_text(nd_cfg *c, const char *key, const char *text, char *err, size_t errn)
{
    seterr(err, errn, "%s", "");
    const nd_cfg_key *k = nd_cfg_schema_find(key);
    if (!k) return ND_ENOTFOUND;
    cJSON *nv = NULL;
    int rc = from_text(k, text ? text : "", &nv, err, errn);
    if (rc == ND_ETYPE) {
        /* micrOS answers a failed conversion with a bare "Failed to save"
        ** (utc "type"); the shell prints err when it is not empty. */
        seterr(err, errn, "%s", "");
        return rc;
    }
    if (rc != ND_OK) return rc;
    return put_value(c, k, nv, true, true, err, errn);
}

int nd_cfg_set_value(nd_cfg *c, const char *key, const nd_value *v, bool save, char *err,
                     size_t errn)
{
    seterr(err, errn, "%s", "");
    const nd_cfg_key *k = nd_cfg_schema_find(key);
    if (!k) return ND_ENOTFOUND;
    if (!v) return ND_EINVAL;
    cJSON *nv = NULL;
    int rc = ND_OK;
    if (v->type == ND_T_STR) {
        if (strlen(v->u.s.p) != v->u.s.n) {
            seterr(err, errn, "%s: NUL byte in value", k->name);
            return ND_EINVAL;
        }
        rc = from_text(k, v->u.s.p, &nv, err, errn);
    } else if (v->type == ND_T_BOOL && k->type == ND_CFG_BOOL) {
        nv = cJSON_CreateBool(v->u.b);
    } else if (v->type == ND_T_INT && (k->type == ND_CFG_INT || k->type == ND_CFG_FLOAT)) {
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
    if (rc != ND_OK) return rc;
    if (!nv) {
        seterr(err, errn, "out of memory");
        return ND_ENOMEM;
    }
    return put_value(c, k, nv, true, save, err, errn);
}

int nd_cfg_set_node(nd_cfg *c, const char *key, const char *text)
{
    const nd_cfg_key *k = nd_cfg_schema_find(key);
    if (!k) return ND_ENOTFOUND;
    cJSON *nv = NULL;
    int rc = from_text(k, text ? text : "", &nv, NULL, 0);
    if (rc != ND_OK) return rc;
    /* an override of a node-written key would hide the fresh value */
    cJSON *ov = cJSON_DetachItemFromObjectCaseSensitive(c->ovr, k->name);
    rc = put_value(c, k, nv, false, true, NULL, 0);
    if (ov) cJSON_AddItemToObject(c->ovr, k->name, ov);
    return rc;
}

int nd_cfg_override(nd_cfg *c, const char *key, const char *text, char *err, size_t errn)
{
    seterr(err, errn, "%s", "");
    const nd_cfg_key *k = nd_cfg_schema_find(key);
    if (!k) return ND_ENOTFOUND;
    cJSON *nv = NULL;
    int rc = from_text(k, text ? text : "", &nv, err, errn);
    if (rc == ND_ETYPE) rc = ND_EINVAL;
    if (rc != ND_OK) return rc;
    if (validate(k, nv, err, errn) != ND_OK) {
        cJSON_Delete(nv);
        return ND_EINVAL;
    }
    if (!obj_put(c->ovr, k->name, nv)) {
        cJSON_Delete(nv);
        return ND_ENOMEM;
    }
    return ND_OK;
}

/* ---- getters ---------------------------------------------------------- */

/* The value in effect: override, else store. NULL for unknown keys. */
static const cJSON *effective(const nd_cfg *c, const char *key)
{
    if (!c || !key) return NULL;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->ovr, key);
    return v ? v : cJSON_GetObjectItemCaseSensitive(c->obj, key);
}

const char *nd_cfg_str(const nd_cfg *c, const char *key)
{
    if (!c || !key) return "";
    const nd_cfg_key *k = nd_cfg_schema_find(key);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->ovr, key);
    if (!v && k && (k->flags & ND_CFG_OFFLOAD)) {
        const char *s = c->off[key_index(k)];
        return s ? s : "n/a";
    }
    if (!v) v = cJSON_GetObjectItemCaseSensitive(c->obj, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

bool nd_cfg_bool(const nd_cfg *c, const char *key)
{
    const cJSON *v = effective(c, key);
    if (cJSON_IsBool(v)) return cJSON_IsTrue(v);
    if (cJSON_IsNumber(v)) return v->valuedouble != 0;
    return false;
}

int64_t nd_cfg_int(const nd_cfg *c, const char *key)
{
    const cJSON *v = effective(c, key);
    if (cJSON_IsBool(v)) return cJSON_IsTrue(v);
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble)) return 0;
    double d = v->valuedouble;
    if (d >= INT_EXACT) return (int64_t)INT_EXACT;
    if (d <= -INT_EXACT) return -(int64_t)INT_EXACT;
    return (int64_t)d;
}

double nd_cfg_float(const nd_cfg *c, const char *key)
{
    const cJSON *v = effective(c, key);
    if (cJSON_IsBool(v)) return cJSON_IsTrue(v);
    return cJSON_IsNumber(v) ? v->valuedouble : 0.0;
}

bool nd_cfg_has(const nd_cfg *c, const char *key)
{
    if (nd_cfg_schema_find(key)) return true;
    return c && key && cJSON_GetObjectItemCaseSensitive(c->obj, key) != NULL;
}

int nd_cfg_render(const nd_cfg *c, const char *key, nd_buf *b)
{
    if (!c || !key) return ND_ENOTFOUND;
    const nd_cfg_key *k = nd_cfg_schema_find(key);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->ovr, key);
    if (!v && k && (k->flags & ND_CFG_OFFLOAD)) {
        /* read the file each time: it is the value, the JSON holds "..." */
        char *s = off_read(k);
        nd_buf_puts(b, s ? s : "n/a");
        free(s);
        return ND_OK;
    }
    if (!v) v = cJSON_GetObjectItemCaseSensitive(c->obj, key);
    if (!v) return ND_ENOTFOUND;
    put_typed(b, k, v);
    return ND_OK;
}

/* nd_value of a kept (unknown) key; depth-bounded like the literal parser. */
static nd_value *to_value(nd_arena *a, const cJSON *v, int depth)
{
    if (depth > ND_LIT_MAX_DEPTH) return NULL;
    if (cJSON_IsString(v)) return nd_str(a, v->valuestring);
    if (cJSON_IsBool(v)) return nd_bool(a, cJSON_IsTrue(v));
    if (cJSON_IsNumber(v)) {
        int64_t i;
        return dbl_to_int(v->valuedouble, &i) ? nd_int(a, i) : nd_float(a, v->valuedouble);
    }
    if (cJSON_IsArray(v)) {
        nd_value *l = nd_list(a);
        for (const cJSON *it = v->child; l && it; it = it->next) {
            nd_value *x = to_value(a, it, depth + 1);
            if (!x || nd_seq_push(a, l, x) != ND_OK) return NULL;
        }
        return l;
    }
    if (cJSON_IsObject(v)) {
        nd_value *d = nd_dict(a);
        for (const cJSON *it = v->child; d && it; it = it->next) {
            nd_value *x = to_value(a, it, depth + 1);
            if (!x || nd_dict_set(a, d, it->string, x) != ND_OK) return NULL;
        }
        return d;
    }
    return nd_none(a);
}

nd_value *nd_cfg_value(const nd_cfg *c, nd_arena *a, const char *key)
{
    if (!c || !key) return NULL;
    const nd_cfg_key *k = nd_cfg_schema_find(key);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->ovr, key);
    if (!v && k && (k->flags & ND_CFG_OFFLOAD)) {
        char *s = off_read(k);
        nd_value *r = nd_str(a, s ? s : "n/a");
        free(s);
        return r;
    }
    if (!v) v = cJSON_GetObjectItemCaseSensitive(c->obj, key);
    if (!v) return NULL;
    if (!k) return to_value(a, v, 0);
    switch (k->type) {
    case ND_CFG_BOOL: return nd_bool(a, cJSON_IsTrue(v));
    case ND_CFG_INT: return nd_int(a, (int64_t)v->valuedouble);
    case ND_CFG_FLOAT: return nd_float(a, v->valuedouble);
    default: return nd_str(a, v->valuestring);
    }
}

int nd_cfg_dump(const nd_cfg *c, const char *substr, nd_buf *b)
{
    if (!c) return ND_EINVAL;
    for (const cJSON *it = c->obj->child; it; it = it->next) {
        const char *name = it->string;
        if (substr && !strstr(name, substr)) continue;
        const nd_cfg_key *k = nd_cfg_schema_find(name);
        nd_buf_printf(b, "  %-10s:        ", name);
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->ovr, name);
        if (k && (k->flags & ND_CFG_OFFLOAD))
            nd_buf_puts(b, "...");
        else
            put_typed(b, k, v ? v : it);
        nd_buf_putc(b, '\n');
    }
    return b->overflow ? ND_ELIMIT : ND_OK;
}
