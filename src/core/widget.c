/*
** widget.c -- micrOS dashboard widgets from help tags (docs/micros-compat.md §8.3).
**
** The output must be byte-for-byte what micrOS's Types.resolve(widgets=True)
** writes, because micrOS dashboards and apps parse it. So this file follows
** the Python step by step:
**
**   1. strip the line; the tag runs to the first ' ' or '{';
**   2. TAG{...} overrides: the text up to the FIRST '}' with every ' turned
**      into ", read as a JSON object (so nested objects can never work);
**   3. the widget dict = the tag's template, updated by the overrides;
**   4. callback = "<function> <params joined by ' '>" where each param is
**      p=<min-max[-step]> -> p=:range:, p=<a,b> -> p=:options:, bare p ->
**      p=:range: (or :options: when the dict has no 'range'), &x and p=v kept;
**      ranges/options found go to a second dict merged last (dict | other);
**   5. json.dumps of the result: ", " and ": ", ensure_ascii, tuples as lists.
**
** Python quirks kept on purpose: a function without parameters gives
** "toggle " (trailing space); a range with a non-integer part (p=<a-b>)
** leaves an empty parameter, so the callback gets two spaces.
**
** Where micrOS would throw (and silently drop the widget) we answer
** ND_ESYNTAX. Known differences, all on lines micrOS itself mishandles:
**  - overrides that are not valid JSON, or a '{' without '}': micrOS logs the
**    error and builds the widget without them (or with "{..." as function);
**    we drop the line, as widget.h specifies;
**  - a tag alone ("BUTTON") gives micrOS a widget with an empty callback; we
**    drop it unless the overrides set a callback (EMBED{"callback": ...});
**  - an override 'range' that is a string is indexed by Python; we refuse;
**  - only ASCII white space and ASCII digits (Python also knows U+00A0, '٣').
**
** Scratch space: the rendered keys and values are written past the end of
** out and assembled at the end, so nothing is allocated beyond out itself;
** out needs room for about twice the widget (4 KB fits any sane help line).
*/
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "widget.h"

#define WG_FIELDS 16   /* keys of one widget: 2-4 from the template + overrides */

/* One key of the widget dict, key and value already in json.dumps form,
** as offsets into out (out->p moves when out grows; offsets do not). */
typedef struct wg_field {
    size_t k, kn, v, vn;
} wg_field;

typedef struct wg {
    nd_buf *out;
    wg_field f[WG_FIELDS];
    int n;
} wg;

/* The templates of Types.py (STATUS from docs/micros-compat.md §8.3), packed
** in one string blob: per template its tag (the type is the tag in lower
** case), then the keys after 'callback' and their values in json.dumps form,
** each NUL-terminated, and an empty string; an empty tag ends the blob.
** micrOS 3.x's BUTTON carries "result": false (the dashboard shows the
** call's last result there). A value starting with a digit is a separate
** literal: "\0" followed by a digit would read as one octal escape. */
static const char tmpls[] = "BUTTON\0result\0false\0options\0[\"None\"]\0\0"
                            "SLIDER\0range\0[0, 100, 2]\0\0"
                            "TEXTBOX\0refresh\0" "10000\0\0"
                            "COLOR\0range\0[0, 255, 2]\0\0"
                            "WHITE\0range\0[0, 255, 2]\0\0"
                            "JOYSTICK\0range\0[0, 100, 2]\0\0"
                            "STATUS\0wtype\0\"auto\"\0\0"
                            "GRAPH\0refresh\0" "3000\0limit\0" "30\0\0"
                            "EMBED\0image\0false\0title\0null\0\0";

/* The string after s in a blob of NUL-terminated strings. */
static const char *next_str(const char *s)
{
    return s + strlen(s) + 1;
}

/* Python's str.isspace() for ASCII (it includes \x1c-\x1f). */
static bool py_space(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

/* ---- rendering strings as json.dumps (ensure_ascii) -------------------- */

/* The characters of raw text s[0..n) as inside a JSON string (no quotes). */
static int put_chars(nd_buf *b, const char *s, size_t n)
{
    if (!nd_utf8_valid(s, n)) return ND_ESYNTAX; /* Python would not have loaded the file */
    return nd_json_escape_chars(b, s, n) == ND_OK ? ND_OK : ND_ENOMEM;
}

static int put_str(nd_buf *b, const char *s, size_t n)
{
    if (!nd_utf8_valid(s, n)) return ND_ESYNTAX;
    return nd_json_escape(b, s, n) == ND_OK ? ND_OK : ND_ENOMEM;
}

static bool is_digit(int c)
{
    return c >= '0' && c <= '9';
}

/* ---- the widget dict --------------------------------------------------- */

static bool field_key_is(const wg *w, const wg_field *f, const char *key_json, size_t kn)
{
    return f->kn == kn && memcmp(w->out->p + f->k, key_json, kn) == 0;
}

/* Python's d[key] = value: replace in place, else append. Key and value
** are already rendered at the given offsets of out. */
static int wg_set(wg *w, size_t k, size_t kn, size_t v, size_t vn)
{
    for (int i = 0; i < w->n; i++) {
        if (field_key_is(w, &w->f[i], w->out->p + k, kn)) {
            w->f[i].v = v;
            w->f[i].vn = vn;
            return ND_OK;
        }
    }
    if (w->n >= WG_FIELDS) return ND_ENOMEM;
    w->f[w->n++] = (wg_field){k, kn, v, vn};
    return ND_OK;
}

/* Set key (a plain ASCII name) to the JSON text val. */
static int wg_set_lit(wg *w, const char *key, const char *val)
{
    size_t k = w->out->n;
    if (nd_buf_printf(w->out, "\"%s\"", key) != ND_OK) return ND_ENOMEM;
    size_t v = w->out->n;
    if (nd_buf_puts(w->out, val) != ND_OK) return ND_ENOMEM;
    return wg_set(w, k, v - k, v, w->out->n - v);
}

/* The field of key (a plain ASCII name; the rendered keys are quoted). */
static wg_field *wg_get(wg *w, const char *key)
{
    size_t kn = strlen(key);
    for (int i = 0; i < w->n; i++)
        if (w->f[i].kn == kn + 2 && memcmp(w->out->p + w->f[i].k + 1, key, kn) == 0) return &w->f[i];
    return NULL;
}

/* TAG{...}: the object's members, json.loads'ed, then d.update(). The text
** is read as Types.py reads it: every ' turned into " first, NaN and
** Infinity allowed. A nested '{' can never close (the text ends at the
** first '}'), so an object value is always a syntax error, as in micrOS. */
static int apply_overrides(wg *w, const char *s, size_t n)
{
    nd_json_rd r = {s, n, 0, ND_JSON_SQUOTE | ND_JSON_CONSTS};
    nd_json_rd_ws(&r);
    if (r.i == r.n) return ND_OK; /* {} */
    for (;;) {
        nd_json_rd_ws(&r);
        size_t k = w->out->n;
        int rc = nd_json_rd_string(&r, w->out);
        if (rc != ND_OK) return rc;
        size_t kn = w->out->n - k;
        nd_json_rd_ws(&r);
        if (nd_json_rd_peek(&r) != ':') return ND_ESYNTAX;
        r.i++;
        nd_json_rd_ws(&r);
        size_t v = w->out->n;
        rc = nd_json_rd_value(&r, w->out);
        if (rc != ND_OK) return rc;
        if ((rc = wg_set(w, k, kn, v, w->out->n - v)) != ND_OK) return rc;
        nd_json_rd_ws(&r);
        if (r.i == r.n) return ND_OK;
        if (nd_json_rd_peek(&r) != ',') return ND_ESYNTAX;
        r.i++;
    }
}

/* Python's int(s) accepts "+5", "007", "1_000": writes the canonical digits. */
static bool py_int(const char *s, size_t n, nd_buf *b)
{
    size_t i = 0;
    if (n && s[0] == '+') i++;
    if (i == n || !is_digit((unsigned char)s[i])) return false;
    for (size_t j = i; j < n; j++) {
        if (is_digit((unsigned char)s[j])) continue;
        if (s[j] == '_' && j + 1 < n && is_digit((unsigned char)s[j + 1])) continue;
        return false;
    }
    if (!b) return true;
    bool any = false;
    for (; i < n; i++) {
        if (s[i] == '_' || (s[i] == '0' && !any)) continue;
        any = true;
        nd_buf_putc(b, s[i]);
    }
    if (!any) nd_buf_putc(b, '0');
    return true;
}

/* The third item of a rendered JSON array (type_dict['range'][2]). */
static bool third_item(const char *p, size_t n, size_t *at, size_t *len)
{
    if (n < 2 || p[0] != '[') return false;
    int item = 0, depth = 0;
    bool in_str = false;
    size_t start = 1;
    for (size_t i = 1; i < n; i++) {
        char c = p[i];
        if (in_str) {
            if (c == '\\') i++;
            else if (c == '"') in_str = false;
            continue;
        }
        if (c == '"') in_str = true;
        else if (c == '[') depth++;
        else if ((c == ',' && depth == 0) || (c == ']' && depth-- == 0)) {
            if (item == 2) {
                *at = start;
                *len = i - start;
                return i > start;
            }
            item++;
            start = i + 2; /* past ", " */
            if (c == ']') return false;
        }
    }
    return false;
}

/* The second dict of `type_dict | overwrite`: 'range' and 'options' as the
** placeholders set them, in the order first set. */
typedef struct wg_over {
    const char *key[2];
    size_t v[2], vn[2];
    int n;
} wg_over;

static void over_set(wg_over *o, const char *key, size_t v, size_t vn)
{
    int i = 0;
    while (i < o->n && strcmp(o->key[i], key) != 0) i++;
    if (i == o->n) o->key[o->n++] = key;
    o->v[i] = v;
    o->vn[i] = vn;
}

/* A parameter's text in the callback: p[0..n) as written, or, when p is
** NULL, var[0..varn) followed by tail ("=:range:" or "=:options:"). */
typedef struct wg_param {
    const char *p;
    size_t n;
    const char *var;
    size_t varn;
    const char *tail;
} wg_param;

/* Copy the text at offset `from` (n bytes) of b to its end. Room is made
** first, so b->p no longer moves while copying. */
static int self_copy(nd_buf *b, size_t from, size_t n)
{
    size_t at = b->n;
    for (size_t i = 0; i < n; i++) nd_buf_putc(b, ' ');
    if (b->overflow) return ND_ENOMEM;
    memmove(b->p + at, b->p + from, n);
    return ND_OK;
}

/* One "var=value" parameter, Types._placeholder(): fills *out, and puts a
** range or options list found into ov (rendered in out's scratch area). */
static int placeholder(wg *w, wg_over *ov, const char *var, size_t varn, const char *val,
                       size_t valn, wg_param *out)
{
    out->p = NULL;
    out->var = var;
    out->varn = varn;
    out->tail = NULL;
    if (valn >= 2 && val[0] == '<' && val[valn - 1] == '>') {
        const char *in = val + 1;
        size_t inn = valn - 2;
        if (nd_span_chr((nd_span){val, valn}, '-')) {
            /* every part must be an int; a missing step is the dict's */
            const char *parts[64];
            size_t partn[64];
            int np = 0;
            for (const char *s = in, *e = in + inn;; np++) {
                const char *d = nd_span_chr((nd_span){s, (size_t)(e - s)}, '-');
                if (np == 64) return ND_ESYNTAX;
                parts[np] = s;
                partn[np] = d ? (size_t)(d - s) : (size_t)(e - s);
                if (!d) {
                    np++;
                    break;
                }
                s = d + 1;
            }
            for (int i = 0; i < np; i++)
                if (!py_int(parts[i], partn[i], NULL)) {
                    out->p = ""; /* Python appends "" for the whole parameter */
                    out->n = 0;
                    return ND_OK;
                }
            size_t step_at = 0, step_len = 0;
            if (np < 3) {
                wg_field *rf = wg_get(w, "range");
                if (!rf || !third_item(w->out->p + rf->v, rf->vn, &step_at, &step_len))
                    return ND_ESYNTAX; /* KeyError / TypeError / IndexError */
                step_at += rf->v;
            }
            nd_buf *b = w->out;
            size_t v = b->n;
            nd_buf_putc(b, '[');
            py_int(parts[0], partn[0], b);
            nd_buf_puts(b, ", ");
            py_int(parts[1], partn[1], b);
            nd_buf_puts(b, ", ");
            if (np >= 3) py_int(parts[2], partn[2], b);
            else if (self_copy(b, step_at, step_len) != ND_OK) return ND_ENOMEM;
            if (nd_buf_putc(b, ']') != ND_OK) return ND_ENOMEM;
            over_set(ov, "range", v, b->n - v);
            out->tail = "=:range:";
            return ND_OK;
        }
        if (nd_span_chr((nd_span){val, valn}, ',')) {
            nd_buf *b = w->out;
            size_t v = b->n;
            nd_buf_putc(b, '[');
            for (const char *s = in, *e = in + inn;;) {
                const char *d = nd_span_chr((nd_span){s, (size_t)(e - s)}, ',');
                size_t len = d ? (size_t)(d - s) : (size_t)(e - s);
                int rc = put_str(b, s, len);
                if (rc != ND_OK) return rc;
                if (!d) break;
                nd_buf_puts(b, ", ");
                s = d + 1;
            }
            if (nd_buf_putc(b, ']') != ND_OK) return ND_ENOMEM;
            over_set(ov, "options", v, b->n - v);
            out->tail = "=:options:";
            return ND_OK;
        }
    }
    out->p = var; /* "var=value" kept as written */
    out->n = (size_t)(val + valn - var);
    return ND_OK;
}

#define WG_PARAMS 64 /* parameters of one help line */

/* Types._generate(): the callback from "<function> <params>", and the
** range/options the placeholders found. cmd[0..n) has no leading space. */
static int generate(wg *w, const char *cmd, size_t n, wg_over *ov)
{
    const char *e = cmd + n;
    const char *p = cmd;
    const char *func = p;
    while (p < e && !py_space(*p)) p++;
    size_t funcn = (size_t)(p - func);
    wg_param params[WG_PARAMS];
    int np = 0;
    bool has_range = wg_get(w, "range") != NULL;
    for (;;) {
        while (p < e && py_space(*p)) p++;
        if (p == e) break;
        const char *s = p;
        while (p < e && !py_space(*p)) p++;
        size_t len = (size_t)(p - s);
        if (np == WG_PARAMS) return ND_ESYNTAX;
        wg_param *pa = &params[np++];
        const char *eq = nd_span_chr((nd_span){s, len}, '=');
        if (eq) {
            if (nd_span_chr((nd_span){eq + 1, (size_t)(s + len - eq - 1)}, '='))
                return ND_ESYNTAX; /* var, value = p.split("="): too many values */
            int rc = placeholder(w, ov, s, (size_t)(eq - s), eq + 1, (size_t)(s + len - eq - 1), pa);
            if (rc != ND_OK) return rc;
        } else if (s[0] == '&') {
            *pa = (wg_param){s, len, NULL, 0, NULL}; /* task postfix kept */
        } else {
            *pa = (wg_param){NULL, 0, s, len, has_range ? "=:range:" : "=:options:"};
        }
    }
    /* callback = f"{func} {' '.join(params)}" */
    nd_buf *b = w->out;
    size_t v = b->n;
    int rc = ND_OK;
    nd_buf_putc(b, '"');
    if ((rc = put_chars(b, func, funcn)) != ND_OK) return rc;
    nd_buf_putc(b, ' ');
    for (int i = 0; i < np; i++) {
        if (i) nd_buf_putc(b, ' ');
        if (params[i].p) rc = put_chars(b, params[i].p, params[i].n);
        else {
            rc = put_chars(b, params[i].var, params[i].varn);
            if (rc == ND_OK) rc = put_chars(b, params[i].tail, strlen(params[i].tail));
        }
        if (rc != ND_OK) return rc;
    }
    if (nd_buf_putc(b, '"') != ND_OK) return ND_ENOMEM;
    size_t k = b->n;
    if (nd_buf_puts(b, "\"callback\"") != ND_OK) return ND_ENOMEM;
    return wg_set(w, k, b->n - k, v, k - v);
}

/* Write the final dict at the end of out, then move it to `to`. */
static int assemble(wg *w, size_t to)
{
    nd_buf *b = w->out;
    size_t len = 2;
    for (int i = 0; i < w->n; i++) len += w->f[i].kn + 2 + w->f[i].vn + (i ? 2 : 0);
    size_t at = b->n;
    for (size_t i = 0; i < len; i++) nd_buf_putc(b, ' '); /* room first: b->p is stable after */
    if (b->overflow) return ND_ENOMEM;
    char *d = b->p + at;
    *d++ = '{';
    for (int i = 0; i < w->n; i++) {
        if (i) {
            memcpy(d, ", ", 2);
            d += 2;
        }
        memcpy(d, b->p + w->f[i].k, w->f[i].kn);
        d += w->f[i].kn;
        memcpy(d, ": ", 2);
        d += 2;
        memcpy(d, b->p + w->f[i].v, w->f[i].vn);
        d += w->f[i].vn;
    }
    *d = '}';
    memmove(b->p + to, b->p + at, len);
    b->n = to + len;
    return ND_OK;
}

static int widget(wg *w, const char *line)
{
    /* msg.strip(); the tag ends at the first ' ' or '{' */
    const char *s = line, *e = line + strlen(line);
    while (s < e && py_space(*s)) s++;
    while (e > s && py_space(e[-1])) e--;
    const char *t = s;
    while (t < e && *t != ' ' && *t != '{') t++;
    const char *tm = tmpls;
    while (!nd_span_eq((nd_span){s, (size_t)(t - s)}, tm)) {
        do tm = next_str(tm); /* the tag, then each key and value */
        while (*tm);
        if (!*++tm) return ND_ENOTFOUND;
    }
    const char *cmd = t;
    while (cmd < e && py_space(*cmd)) cmd++;

    int rc;
    char type[16] = "\"";
    size_t tl = strlen(tm);
    for (size_t i = 0; i < tl; i++) type[i + 1] = (char)(tm[i] | 0x20);
    type[tl + 1] = '"';
    if ((rc = wg_set_lit(w, "type", type)) != ND_OK) return rc;
    if ((rc = wg_set_lit(w, "callback", "\"\"")) != ND_OK) return rc;
    for (const char *x = next_str(tm); *x; x = next_str(next_str(x)))
        if ((rc = wg_set_lit(w, x, next_str(x))) != ND_OK) return rc;

    if (cmd < e && *cmd == '{') {
        const char *close = nd_span_chr((nd_span){cmd, (size_t)(e - cmd)}, '}');
        if (!close) return ND_ESYNTAX;
        if ((rc = apply_overrides(w, cmd + 1, (size_t)(close - cmd - 1))) != ND_OK) return rc;
        cmd = close + 1;
        while (cmd < e && py_space(*cmd)) cmd++;
    }
    if (cmd == e) {
        /* no function: the template as is (EMBED{"callback": "/cam/stream"}) */
        wg_field *cb = wg_get(w, "callback");
        if (cb->vn == 2 && !memcmp(w->out->p + cb->v, "\"\"", 2)) return ND_ESYNTAX;
        return ND_OK;
    }
    wg_over ov = {{0, 0}, {0, 0}, {0, 0}, 0};
    if ((rc = generate(w, cmd, (size_t)(e - cmd), &ov)) != ND_OK) return rc;
    for (int i = 0; i < ov.n; i++) {
        size_t k = w->out->n;
        if (nd_buf_printf(w->out, "\"%s\"", ov.key[i]) != ND_OK) return ND_ENOMEM;
        if ((rc = wg_set(w, k, w->out->n - k, ov.v[i], ov.vn[i])) != ND_OK) return rc;
    }
    return ND_OK;
}

int nd_widget_json(const char *help_line, nd_buf *out)
{
    if (!help_line || !out || out->overflow) return ND_ENOMEM;
    size_t n0 = out->n;
    wg w;
    w.out = out;
    w.n = 0;
    int rc = widget(&w, help_line);
    if (rc == ND_OK && out->overflow) rc = ND_ENOMEM;
    if (rc == ND_OK) rc = assemble(&w, n0);
    if (rc != ND_OK) {
        out->n = n0;
        out->overflow = false; /* it was false on entry */
    }
    return rc;
}
