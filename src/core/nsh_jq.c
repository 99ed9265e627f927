/*
** nsh_jq.c -- nsh's jq filters (nsh_jq.h): a recursive-descent parser into
** a small node table, and an evaluator that streams results through a
** callback, as jq's generators do (`.[]` yields each element to whatever
** follows the pipe). New values (keys, length, type ...) are kept in one
** cJSON array owned by the program, so results never dangle while emitted.
*/
#include "nsh_jq.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "text.h"

enum {
    J_ID,      /* . */
    J_FIELD,   /* .name on the input */
    J_INDEX,   /* .[n] */
    J_ITER,    /* .[] */
    J_RECURSE, /* .. */
    J_PIPE,    /* a | b */
    J_COMMA,   /* a , b */
    J_TRY,     /* a ? */
    J_KEYS,
    J_LENGTH,
    J_TYPE,
    J_VALUES,
    J_NOT,
    J_LIT,     /* number, string, null, true, false */
};

typedef struct jnode {
    int kind;
    int a, b;      /* children (node indexes), -1 none */
    char *name;    /* J_FIELD */
    long idx;      /* J_INDEX */
    cJSON *lit;    /* J_LIT */
} jnode;

struct nd_jq {
    jnode n[ND_JQ_NODES];
    int nn;
    int root;
    cJSON *made;   /* values the evaluation created */
    int nmade;
    /* parsing */
    const char *p;
    int depth;
    char *err;
    size_t errn;
    bool failed;
};

static void perr(nd_jq *q, const char *fmt, ...)
{
    if (q->failed) return;
    q->failed = true;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(q->err, q->errn, fmt, ap);
    va_end(ap);
}

static int node(nd_jq *q, int kind, int a, int b)
{
    if (q->nn >= ND_JQ_NODES) {
        perr(q, "filter too long (more than %d parts)", ND_JQ_NODES);
        return -1;
    }
    jnode *x = &q->n[q->nn];
    memset(x, 0, sizeof *x);
    x->kind = kind;
    x->a = a;
    x->b = b;
    return q->nn++;
}

static void ws(nd_jq *q)
{
    while (*q->p == ' ' || *q->p == '\t' || *q->p == '\n' || *q->p == '\r') q->p++;
}

static bool is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static bool is_ident(char c) { return is_ident_start(c) || (c >= '0' && c <= '9'); }

/* A "..." string literal (JSON escapes) into a malloc'ed C string. */
static char *str_lit(nd_jq *q)
{
    const char *s = q->p; /* at the opening quote */
    const char *e = s + 1;
    while (*e && *e != '"') {
        if (*e == '\\' && e[1]) e++;
        e++;
    }
    if (*e != '"') {
        perr(q, "unterminated string at '%.20s'", s);
        return NULL;
    }
    size_t n = (size_t)(e - s) + 1;
    cJSON *v = nd_json_parse(s, n, NULL);
    if (!v || !cJSON_IsString(v)) {
        cJSON_Delete(v);
        perr(q, "bad string %.*s", (int)(n > 40 ? 40 : n), s);
        return NULL;
    }
    size_t len = strlen(v->valuestring) + 1;
    char *out = malloc(len);
    if (out) memcpy(out, v->valuestring, len);
    else perr(q, "out of memory");
    cJSON_Delete(v);
    q->p = e + 1;
    return out;
}

static char *ident(nd_jq *q)
{
    const char *s = q->p;
    while (is_ident(*q->p)) q->p++;
    size_t n = (size_t)(q->p - s);
    char *out = malloc(n + 1);
    if (!out) {
        perr(q, "out of memory");
        return NULL;
    }
    memcpy(out, s, n);
    out[n] = 0;
    return out;
}

static int parse_pipe(nd_jq *q);

/* What follows '[' : ']' (iterate), an integer, or a string; then ']'. */
static int bracket(nd_jq *q)
{
    q->p++; /* [ */
    ws(q);
    int r;
    if (*q->p == ']') {
        r = node(q, J_ITER, -1, -1);
    } else if (*q->p == '"') {
        r = node(q, J_FIELD, -1, -1);
        if (r >= 0) q->n[r].name = str_lit(q);
    } else if (*q->p == '-' || (*q->p >= '0' && *q->p <= '9')) {
        char *end;
        long v = strtol(q->p, &end, 10);
        if (end == q->p || *end == '.' || *end == ':') {
            perr(q, "only integer indexes are supported at '%.20s'", q->p);
            return -1;
        }
        q->p = end;
        r = node(q, J_INDEX, -1, -1);
        if (r >= 0) q->n[r].idx = v;
    } else {
        perr(q, "expected ], a number or a string after [ at '%.20s'", q->p);
        return -1;
    }
    ws(q);
    if (*q->p != ']') {
        perr(q, "expected ] at '%.20s'", q->p);
        return -1;
    }
    q->p++;
    return r;
}

static int word_node(nd_jq *q, const char *w)
{
    static const struct {
        const char *w;
        int kind;
    } words[] = {{"keys", J_KEYS}, {"length", J_LENGTH}, {"type", J_TYPE}, {"values", J_VALUES},
                 {"not", J_NOT}};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (!strcmp(w, words[i].w)) return node(q, words[i].kind, -1, -1);
    cJSON *lit = !strcmp(w, "null")    ? cJSON_CreateNull()
                 : !strcmp(w, "true")  ? cJSON_CreateTrue()
                 : !strcmp(w, "false") ? cJSON_CreateFalse()
                                       : NULL;
    if (!lit) {
        perr(q, "unknown function '%s' (known: keys length type values not)", w);
        return -1;
    }
    int r = node(q, J_LIT, -1, -1);
    if (r < 0) cJSON_Delete(lit);
    else q->n[r].lit = lit;
    return r;
}

static int primary(nd_jq *q)
{
    ws(q);
    char c = *q->p;
    if (c == '.' && q->p[1] == '.') {
        q->p += 2;
        return node(q, J_RECURSE, -1, -1);
    }
    if (c == '.') {
        q->p++;
        if (is_ident_start(*q->p)) {
            int r = node(q, J_FIELD, -1, -1);
            if (r >= 0) q->n[r].name = ident(q);
            return r;
        }
        if (*q->p == '"') {
            int r = node(q, J_FIELD, -1, -1);
            if (r >= 0) q->n[r].name = str_lit(q);
            return r;
        }
        if (*q->p == '[') return bracket(q);
        return node(q, J_ID, -1, -1);
    }
    if (c == '(') {
        if (++q->depth > ND_JQ_DEPTH) {
            perr(q, "parentheses nest deeper than %d", ND_JQ_DEPTH);
            return -1;
        }
        q->p++;
        int r = parse_pipe(q);
        ws(q);
        if (r < 0) return -1;
        if (*q->p != ')') {
            perr(q, "expected ) at '%.20s'", q->p);
            return -1;
        }
        q->p++;
        q->depth--;
        return r;
    }
    if (c == '"') {
        char *s = str_lit(q);
        if (!s) return -1;
        int r = node(q, J_LIT, -1, -1);
        if (r >= 0) q->n[r].lit = cJSON_CreateString(s);
        free(s);
        return r;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        char *end;
        double v = strtod(q->p, &end);
        if (end == q->p) {
            perr(q, "bad number at '%.20s'", q->p);
            return -1;
        }
        q->p = end;
        int r = node(q, J_LIT, -1, -1);
        if (r >= 0) q->n[r].lit = cJSON_CreateNumber(v);
        return r;
    }
    if (is_ident_start(c)) {
        char *w = ident(q);
        if (!w) return -1;
        int r = word_node(q, w);
        free(w);
        return r;
    }
    if (!c) perr(q, "filter ends too early");
    else perr(q, "unexpected '%c' at '%.20s'", c, q->p);
    return -1;
}

static int postfix(nd_jq *q)
{
    int r = primary(q);
    while (r >= 0 && !q->failed) {
        ws(q);
        int s;
        if (*q->p == '?') {
            q->p++;
            r = node(q, J_TRY, r, -1);
            continue;
        }
        if (*q->p == '[') {
            s = bracket(q);
        } else if (*q->p == '.' && (is_ident_start(q->p[1]) || q->p[1] == '"' || q->p[1] == '[')) {
            q->p++;
            if (*q->p == '[') {
                s = bracket(q);
            } else {
                s = node(q, J_FIELD, -1, -1);
                if (s >= 0) q->n[s].name = *q->p == '"' ? str_lit(q) : ident(q);
            }
        } else {
            break;
        }
        if (s < 0) return -1;
        r = node(q, J_PIPE, r, s);
    }
    return q->failed ? -1 : r;
}

static int parse_comma(nd_jq *q)
{
    int r = postfix(q);
    for (;;) {
        ws(q);
        if (r < 0 || *q->p != ',') return r;
        q->p++;
        int s = postfix(q);
        if (s < 0) return -1;
        r = node(q, J_COMMA, r, s);
    }
}

static int parse_pipe(nd_jq *q)
{
    int r = parse_comma(q);
    for (;;) {
        ws(q);
        if (r < 0 || *q->p != '|') return r;
        q->p++;
        int s = parse_comma(q);
        if (s < 0) return -1;
        r = node(q, J_PIPE, r, s);
    }
}

void nd_jq_free(nd_jq *q)
{
    if (!q) return;
    for (int i = 0; i < q->nn; i++) {
        free(q->n[i].name);
        cJSON_Delete(q->n[i].lit);
    }
    cJSON_Delete(q->made);
    free(q);
}

nd_jq *nd_jq_compile(const char *filter, char *err, size_t errn)
{
    static char dummy[2];
    if (!err || !errn) {
        err = dummy;
        errn = sizeof dummy;
    }
    err[0] = 0;
    nd_jq *q = calloc(1, sizeof *q);
    if (!q) {
        snprintf(err, errn, "out of memory");
        return NULL;
    }
    q->p = filter ? filter : "";
    q->err = err;
    q->errn = errn;
    ws(q);
    if (!*q->p) q->root = node(q, J_ID, -1, -1);
    else q->root = parse_pipe(q);
    ws(q);
    if (!q->failed && *q->p) perr(q, "unexpected '%.20s'", q->p);
    for (int i = 0; !q->failed && i < q->nn; i++)
        if ((q->n[i].kind == J_FIELD && !q->n[i].name) || (q->n[i].kind == J_LIT && !q->n[i].lit))
            perr(q, "out of memory");
    if (q->failed || q->root < 0) {
        if (!q->failed) snprintf(err, errn, "bad filter");
        nd_jq_free(q);
        return NULL;
    }
    return q;
}

/* ---- evaluation ---------------------------------------------------------- */

typedef struct run {
    nd_jq *q;
    nd_jq_emit emit;
    void *ud;
    char *err;
    size_t errn;
    int depth;
} run;

#define E_ERR (-1)

static int rerr(run *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err, r->errn, fmt, ap);
    va_end(ap);
    return E_ERR;
}

static const char *type_name(const cJSON *v)
{
    if (cJSON_IsNull(v)) return "null";
    if (cJSON_IsBool(v)) return "boolean";
    if (cJSON_IsNumber(v)) return "number";
    if (cJSON_IsString(v)) return "string";
    if (cJSON_IsArray(v)) return "array";
    if (cJSON_IsObject(v)) return "object";
    return "invalid";
}

/* Keep a new value alive for the rest of the run. */
static cJSON *keep(run *r, cJSON *v)
{
    if (!v) return NULL;
    if (!r->q->made && !(r->q->made = cJSON_CreateArray())) {
        cJSON_Delete(v);
        return NULL;
    }
    if (r->q->nmade >= ND_JQ_MADE) {
        cJSON_Delete(v);
        return NULL;
    }
    r->q->nmade++;
    cJSON_AddItemToArray(r->q->made, v);
    return v;
}


/* Evaluate node i on v, passing each result to k(kud). */
typedef struct then {
    int node;        /* -1: emit */
    struct then *next;
} then;

static int eval(run *r, int i, const cJSON *v, then *k);

static int out(run *r, const cJSON *v, then *k)
{
    if (!k) return r->emit(r->ud, v);
    return eval(r, k->node, v, k->next);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int recurse_all(run *r, const cJSON *v, then *k, int depth)
{
    if (depth > 512) return rerr(r, "value nests too deep for ..");
    int rc = out(r, v, k);
    if (rc) return rc;
    if (cJSON_IsArray(v) || cJSON_IsObject(v))
        for (const cJSON *c = v->child; c; c = c->next)
            if ((rc = recurse_all(r, c, k, depth + 1)) != 0) return rc;
    return 0;
}

static int eval(run *r, int i, const cJSON *v, then *k)
{
    if (++r->depth > 4 * ND_JQ_NODES + 600) {
        r->depth--;
        return rerr(r, "evaluation nests too deep");
    }
    jnode *x = &r->q->n[i];
    int rc = 0;
    static cJSON null_item = {.type = cJSON_NULL};
    switch (x->kind) {
    case J_ID: rc = out(r, v, k); break;
    case J_LIT: rc = out(r, x->lit, k); break;
    case J_FIELD:
        if (cJSON_IsNull(v)) rc = out(r, &null_item, k);
        else if (!cJSON_IsObject(v))
            rc = rerr(r, "Cannot index %s with \"%s\"", type_name(v), x->name);
        else {
            const cJSON *c = cJSON_GetObjectItemCaseSensitive(v, x->name);
            rc = out(r, c ? c : &null_item, k);
        }
        break;
    case J_INDEX:
        if (cJSON_IsNull(v)) rc = out(r, &null_item, k);
        else if (!cJSON_IsArray(v)) rc = rerr(r, "Cannot index %s with number", type_name(v));
        else {
            long n = cJSON_GetArraySize(v), idx = x->idx < 0 ? x->idx + n : x->idx;
            const cJSON *c = idx >= 0 && idx < n ? cJSON_GetArrayItem(v, (int)idx) : NULL;
            rc = out(r, c ? c : &null_item, k);
        }
        break;
    case J_ITER:
    case J_VALUES:
        if (!cJSON_IsArray(v) && !cJSON_IsObject(v)) {
            rc = rerr(r, "Cannot iterate over %s", type_name(v));
            break;
        }
        for (const cJSON *c = v->child; c && !rc; c = c->next) rc = out(r, c, k);
        break;
    case J_RECURSE: rc = recurse_all(r, v, k, 0); break;
    case J_PIPE: {
        then t = {x->b, k};
        rc = eval(r, x->a, v, &t);
        break;
    }
    case J_COMMA:
        rc = eval(r, x->a, v, k);
        if (!rc) rc = eval(r, x->b, v, k);
        break;
    case J_TRY:
        rc = eval(r, x->a, v, k);
        if (rc == E_ERR) {
            rc = 0; /* errors dropped, as jq's `?` does (an error later in the pipe too) */
            r->err[0] = 0;
        }
        break;
    case J_KEYS: {
        if (!cJSON_IsObject(v) && !cJSON_IsArray(v)) {
            rc = rerr(r, "%s has no keys", type_name(v));
            break;
        }
        cJSON *arr = keep(r, cJSON_CreateArray());
        if (!arr) {
            rc = rerr(r, "too many values made");
            break;
        }
        if (cJSON_IsArray(v)) {
            int n = cJSON_GetArraySize(v);
            for (int j = 0; j < n; j++) cJSON_AddItemToArray(arr, cJSON_CreateNumber(j));
        } else {
            int n = cJSON_GetArraySize(v), m = 0;
            const char **names = malloc((size_t)(n ? n : 1) * sizeof *names);
            if (!names) {
                rc = rerr(r, "out of memory");
                break;
            }
            for (const cJSON *c = v->child; c; c = c->next) names[m++] = c->string ? c->string : "";
            qsort(names, (size_t)m, sizeof *names, cmp_str);
            for (int j = 0; j < m; j++) cJSON_AddItemToArray(arr, cJSON_CreateString(names[j]));
            free(names);
        }
        rc = out(r, arr, k);
        break;
    }
    case J_LENGTH: {
        double len;
        if (cJSON_IsNull(v)) len = 0;
        else if (cJSON_IsArray(v) || cJSON_IsObject(v)) len = cJSON_GetArraySize(v);
        else if (cJSON_IsString(v)) {
            len = 0; /* code points, as jq counts */
            for (const unsigned char *s = (const unsigned char *)v->valuestring; *s; s++)
                if ((*s & 0xC0) != 0x80) len++;
        } else if (cJSON_IsNumber(v)) len = fabs(v->valuedouble);
        else {
            rc = rerr(r, "%s has no length", type_name(v));
            break;
        }
        cJSON *n = keep(r, cJSON_CreateNumber(len));
        rc = n ? out(r, n, k) : rerr(r, "too many values made");
        break;
    }
    case J_TYPE: {
        cJSON *s = keep(r, cJSON_CreateString(type_name(v)));
        rc = s ? out(r, s, k) : rerr(r, "too many values made");
        break;
    }
    case J_NOT: {
        bool falsy = cJSON_IsNull(v) || cJSON_IsFalse(v);
        cJSON *b = keep(r, cJSON_CreateBool(falsy));
        rc = b ? out(r, b, k) : rerr(r, "too many values made");
        break;
    }
    default: rc = rerr(r, "internal: bad node"); break;
    }
    r->depth--;
    return rc;
}

int nd_jq_run(nd_jq *q, const cJSON *in, nd_jq_emit emit, void *ud, char *err, size_t errn)
{
    static char dummy[2];
    if (!err || !errn) {
        err = dummy;
        errn = sizeof dummy;
    }
    err[0] = 0;
    cJSON_Delete(q->made);
    q->made = NULL;
    q->nmade = 0;
    run r = {q, emit, ud, err, errn, 0};
    return eval(&r, q->root, in, NULL);
}

/* ---- printing ------------------------------------------------------------ */

static int pr_scalar(nd_buf *b, const cJSON *v)
{
    if (cJSON_IsString(v)) return nd_json_escape(b, v->valuestring, strlen(v->valuestring));
    /* 1e999 reads as infinity: JSON has no word for it, jq prints the
    ** largest double instead (and null for NaN) */
    if (cJSON_IsNumber(v) && isnan(v->valuedouble)) return nd_buf_puts(b, "null");
    if (cJSON_IsNumber(v) && isinf(v->valuedouble))
        return nd_buf_puts(b, v->valuedouble < 0 ? "-1.7976931348623157e+308" : "1.7976931348623157e+308");
    return nd_json_render(b, v, ND_JSON_AS_JSON);
}

static int pr(nd_buf *b, const cJSON *v, int indent, int level)
{
    if (level > 512) return ND_ELIMIT;
    bool arr = cJSON_IsArray(v), obj = cJSON_IsObject(v);
    if (!arr && !obj) return pr_scalar(b, v);
    if (!v->child) return nd_buf_puts(b, arr ? "[]" : "{}");
    nd_buf_putc(b, arr ? '[' : '{');
    for (const cJSON *c = v->child; c; c = c->next) {
        if (indent >= 0) {
            nd_buf_putc(b, '\n');
            for (int s = 0; s < indent * (level + 1); s++) nd_buf_putc(b, ' ');
        }
        if (obj) {
            const char *key = c->string ? c->string : "";
            nd_json_escape(b, key, strlen(key));
            nd_buf_puts(b, indent >= 0 ? ": " : ":");
        }
        int rc = pr(b, c, indent, level + 1);
        if (rc != ND_OK) return rc;
        if (c->next) nd_buf_putc(b, ',');
    }
    if (indent >= 0) {
        nd_buf_putc(b, '\n');
        for (int s = 0; s < indent * level; s++) nd_buf_putc(b, ' ');
    }
    return nd_buf_putc(b, arr ? ']' : '}');
}

int nd_jq_print(nd_buf *b, const cJSON *v, int indent, bool raw)
{
    if (raw && cJSON_IsString(v)) return nd_buf_puts(b, v->valuestring);
    return pr(b, v, indent, 0);
}
