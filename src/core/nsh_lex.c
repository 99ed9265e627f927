/*
** nsh_lex.c -- nsh's grammar: one command of a line into expanded words and
** redirection operators, in one pass over the characters.
**
** The rules (README "nsh: Grammar"), each the fix of an upyOS defect
** (docs upyos-shell.md §15):
**   - words split on blanks (space AND tab);
**   - '...' is literal; "..." expands $NAME / ${NAME} / $? $# $@ $0..$9;
**     a backslash escapes the next character outside quotes, and $ " \ inside
**     double quotes (elsewhere inside them it stays, for printf);
**   - expansion is done while scanning a token, never by substring
**     replacement, so `$a` never rewrites the front of `$ab`, and a value is
**     never split or re-scanned (a value with blanks or quotes stays one word);
**   - an unquoted ';' ends the command, a quoted one is text;
**   - an unquoted '#' at the start of a word comments out the rest of the
**     line, at the prompt and in scripts alike ("x #y" is text);
**   - "" and '' give an empty word; an unset $x is an empty word too, so
**     `if $x == 1` keeps its shape;
**   - operators are only operators unquoted, at a word's start:
**     > >> 2> 2>> 2>&1 >json and a final &. A redirection target written
**     $NAME or ${NAME} names a variable to capture into; any other spelling
**     is a file (no guessing from a '.' or '/').
*/
#include <stdio.h>
#include <string.h>

#include "nsh_int.h"

typedef struct lx {
    const char *s;
    size_t n, i;
    bool raw;
    bool cmp; /* `if` lines: a whole-word > or >= compares */
    const nd_nsh_vars *v;
    nd_nsh_lexed *o;
    char *err;
    size_t errn;
    int rc;
    int words;
} lx;

static bool blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
static bool name_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
static bool name_char(char c) { return name_start(c) || (c >= '0' && c <= '9'); }
static bool special(char c) { return c == '?' || c == '#' || c == '@' || (c >= '0' && c <= '9'); }

static int fail(lx *x, int rc, const char *msg)
{
    if (!x->rc) {
        snprintf(x->err, x->errn, "%s", msg);
        x->rc = rc;
    }
    return rc;
}

static bool at_end(lx *x, size_t i) { return i >= x->n || blank(x->s[i]) || x->s[i] == ';'; }

static int put(lx *x, const char *p, size_t n)
{
    if (x->o->used + n + 1 > sizeof x->o->buf)
        return fail(x, ND_ELIMIT, "line too long after expansion (max 4096 bytes)");
    memcpy(x->o->buf + x->o->used, p, n);
    x->o->used += n;
    return 0;
}

static nd_nsh_tok *new_tok(lx *x, int kind, size_t src)
{
    if (kind == ND_NSH_T_WORD && ++x->words > ND_NSH_ARGS_MAX) {
        fail(x, ND_ELIMIT, "too many words (max 64)");
        return NULL;
    }
    if (x->o->ntok >= (int)(sizeof x->o->tok / sizeof x->o->tok[0]) - 1) {
        fail(x, ND_ELIMIT, "too many words (max 64)");
        return NULL;
    }
    nd_nsh_tok *t = &x->o->tok[x->o->ntok++];
    memset(t, 0, sizeof *t);
    t->kind = (uint8_t)kind;
    t->src = (uint16_t)(src > 65535 ? 65535 : src);
    t->s = x->o->buf + x->o->used;
    return t;
}

static int end_tok(lx *x)
{
    if (x->o->used + 1 > sizeof x->o->buf)
        return fail(x, ND_ELIMIT, "line too long after expansion (max 4096 bytes)");
    x->o->buf[x->o->used++] = 0;
    return 0;
}

/* Parse a variable reference at s[i] == '$'. On success *name gets the name
** (in nm) and the index past it; returns 0, 1 when the '$' is a plain
** character, or an error. */
static int ref(lx *x, size_t i, char *nm, size_t *next)
{
    const char *s = x->s;
    size_t j = i + 1;
    if (j < x->n && s[j] == '{') {
        size_t k = j + 1, st = k;
        while (k < x->n && s[k] != '}') k++;
        if (k >= x->n) return fail(x, ND_ESYNTAX, "'${' without '}'");
        size_t len = k - st;
        bool ok = len > 0 && len < ND_NSH_NAME_MAX;
        if (ok && len == 1 && special(s[st])) ok = true;
        else if (ok) {
            ok = name_start(s[st]);
            for (size_t q = st; ok && q < k; q++) ok = name_char(s[q]);
        }
        if (!ok) {
            char m[96];
            snprintf(m, sizeof m, "bad substitution '${%.*s}'", (int)(len > 40 ? 40 : len), s + st);
            return fail(x, ND_ESYNTAX, m);
        }
        memcpy(nm, s + st, len);
        nm[len] = 0;
        *next = k + 1;
        return 0;
    }
    if (j < x->n && special(s[j])) {
        nm[0] = s[j];
        nm[1] = 0;
        *next = j + 1;
        return 0;
    }
    if (j < x->n && name_start(s[j])) {
        size_t k = j;
        while (k < x->n && name_char(s[k])) k++;
        if (k - j >= ND_NSH_NAME_MAX) return fail(x, ND_ELIMIT, "variable name too long (max 31)");
        memcpy(nm, s + j, k - j);
        nm[k - j] = 0;
        *next = k;
        return 0;
    }
    return 1;
}

static int expand(lx *x, const char *nm)
{
    if (!strcmp(nm, "@")) { /* "$@" inside a longer word: the arguments joined by blanks */
        char *const *av = NULL;
        int ac = x->v && x->v->args ? x->v->args(x->v->ud, &av) : 0;
        for (int k = 0; k < ac; k++) {
            if (k && put(x, " ", 1)) return x->rc;
            if (put(x, av[k], strlen(av[k]))) return x->rc;
        }
        return 0;
    }
    const char *val = x->v && x->v->get ? x->v->get(x->v->ud, nm) : NULL;
    return val ? put(x, val, strlen(val)) : 0;
}

/* "$@" or $@ as a whole word: one word per positional argument. */
static bool whole_args(lx *x, size_t i, size_t *next)
{
    const char *s = x->s + i;
    size_t left = x->n - i;
    if (left >= 2 && s[0] == '$' && s[1] == '@' && at_end(x, i + 2)) {
        *next = i + 2;
        return true;
    }
    if (left >= 4 && !memcmp(s, "\"$@\"", 4) && at_end(x, i + 4)) {
        *next = i + 4;
        return true;
    }
    return false;
}

static int word(lx *x, bool target)
{
    const char *s = x->s;
    size_t start = x->i;
    size_t nx;
    if (!x->raw && whole_args(x, start, &nx)) {
        char *const *av = NULL;
        int ac = x->v && x->v->args ? x->v->args(x->v->ud, &av) : 0;
        for (int k = 0; k < ac; k++) {
            nd_nsh_tok *t = new_tok(x, ND_NSH_T_WORD, start);
            if (!t) return x->rc;
            t->quoted = true;
            if (put(x, av[k], strlen(av[k])) || end_tok(x)) return x->rc;
        }
        x->i = nx;
        return 0;
    }
    nd_nsh_tok *t = new_tok(x, ND_NSH_T_WORD, start);
    if (!t) return x->rc;
    if (target && s[start] == '$') { /* >$var: capture into a variable */
        char nm[ND_NSH_NAME_MAX];
        int rc = ref(x, start, nm, &nx);
        if (rc < 0) return rc;
        if (rc == 0 && at_end(x, nx) && nd_nsh_name_ok(nm)) {
            t->var = true;
            if (put(x, nm, strlen(nm)) || end_tok(x)) return x->rc;
            x->i = nx;
            return 0;
        }
    }
    char q = 0; /* the open quote */
    size_t i = start;
    while (i < x->n) {
        char c = s[i];
        if (!q && (blank(c) || c == ';')) break;
        if (c == '\'' && q != '"') {
            q = q ? 0 : '\'';
            t->quoted = true;
            if (x->raw && put(x, &c, 1)) return x->rc;
            i++;
            continue;
        }
        if (c == '"' && q != '\'') {
            q = q ? 0 : '"';
            t->quoted = true;
            if (x->raw && put(x, &c, 1)) return x->rc;
            i++;
            continue;
        }
        if (c == '\\' && q != '\'') {
            t->quoted = true;
            if (i + 1 >= x->n) { /* a trailing backslash escapes nothing: it stays */
                if (put(x, "\\", 1)) return x->rc;
                i++;
                continue;
            }
            char d = s[i + 1];
            if (x->raw) {
                if (put(x, s + i, 2)) return x->rc;
            } else if (q == '"' && d != '$' && d != '"' && d != '\\') {
                if (put(x, s + i, 2)) return x->rc; /* "\n" stays for printf */
            } else if (put(x, &d, 1)) {
                return x->rc;
            }
            i += 2;
            continue;
        }
        if (c == '$' && q != '\'') {
            char nm[ND_NSH_NAME_MAX];
            int rc = ref(x, i, nm, &nx);
            if (rc < 0) return rc;
            if (rc == 0) {
                if (expand(x, nm)) return x->rc;
                i = nx;
                continue;
            }
        }
        if (put(x, &c, 1)) return x->rc;
        i++;
    }
    if (q == '\'') return fail(x, ND_ESYNTAX, "unterminated ' quote");
    if (q == '"') return fail(x, ND_ESYNTAX, "unterminated \" quote");
    x->i = i;
    return end_tok(x);
}

/* An operator at s[i] (unquoted, at a word start): its kind and length, or 0. */
static int op(lx *x, size_t i, size_t *len)
{
    const char *s = x->s + i;
    size_t left = x->n - i;
    if (s[0] == '&' && at_end(x, i + 1)) {
        *len = 1;
        return ND_NSH_T_AMP;
    }
    if (s[0] == '2' && left >= 2 && s[1] == '>') {
        if (left >= 4 && s[2] == '&' && s[3] == '1' && at_end(x, i + 4)) {
            *len = 4;
            return ND_NSH_T_2TO1;
        }
        if (left >= 3 && s[2] == '>') {
            *len = 3;
            return ND_NSH_T_2GTGT;
        }
        *len = 2;
        return ND_NSH_T_2GT;
    }
    if (s[0] == '>') {
        if (x->cmp && (at_end(x, i + 1) || (left >= 2 && s[1] == '=' && at_end(x, i + 2)))) return 0;
        if (left >= 2 && s[1] == '>') {
            *len = 2;
            return ND_NSH_T_GTGT;
        }
        if (left >= 5 && !memcmp(s, ">json", 5) && at_end(x, i + 5)) {
            *len = 5;
            return ND_NSH_T_JSON;
        }
        *len = 1;
        return ND_NSH_T_GT;
    }
    return 0;
}

int nd_nsh_lex(const char *line, size_t n, size_t pos, int mode, const nd_nsh_vars *v,
               nd_nsh_lexed *out, char *err, size_t errn)
{
    lx x = {.s = line, .n = n, .i = pos, .raw = (mode & ND_NSH_LEX_RAW) != 0, .cmp = (mode & ND_NSH_LEX_CMP) != 0,
            .v = v, .o = out, .err = err, .errn = errn};
    out->ntok = 0;
    out->used = 0;
    if (errn) err[0] = 0;
    bool target = false;
    for (;;) {
        while (x.i < n && blank(line[x.i])) x.i++;
        if (x.i >= n) {
            out->end = n;
            break;
        }
        char c = line[x.i];
        if (c == ';') {
            out->end = x.i + 1;
            break;
        }
        if (c == '#' && !target) { /* a comment: the rest of the line */
            out->end = n;
            break;
        }
        size_t len = 0;
        int k = target ? 0 : op(&x, x.i, &len);
        if (k) {
            nd_nsh_tok *t = new_tok(&x, k, x.i);
            if (!t || end_tok(&x)) return x.rc;
            x.i += len;
            target = k == ND_NSH_T_GT || k == ND_NSH_T_GTGT || k == ND_NSH_T_2GT || k == ND_NSH_T_2GTGT;
            continue;
        }
        if (word(&x, target)) return x.rc;
        target = false;
    }
    if (target) return fail(&x, ND_ESYNTAX, "redirection without a target");
    return 0;
}
