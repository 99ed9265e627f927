/*
** rest_path.c -- micrOS's REST path tokeniser (see rest_path.h): the part
** of a /rest/ URL after the prefix becomes a command line.
**
** One pass, left to right, bounded output: a token is written as soon as
** its bytes are decoded, and an overflow is only remembered (over) so that
** an error names the first problem in the path, not the length.
*/
#include <stdio.h>
#include <string.h>

#include "http.h"
#include "http_lex.h"
#include "rest_path.h"

/* Output of the tokeniser: bounded, remembers overflow. */
typedef struct tokw {
    char *p;
    size_t cap, n;
    bool over;
} tokw;

static void tok_put(tokw *w, char ch)
{
    if (w->n + 1 >= w->cap) w->over = true;
    else w->p[w->n++] = ch;
}

static bool ieq_at(nd_span s, size_t i, const char *lit)
{
    size_t n = strlen(lit);
    return s.n - i >= n && nd_span_ieq((nd_span){s.p + i, n}, lit);
}

static int tok_fail(int rc, char *out, size_t cap, size_t *outn, char *err, size_t errn, const char *msg,
                    size_t pos)
{
    if (cap) out[0] = 0;
    if (outn) *outn = 0;
    if (err && errn) snprintf(err, errn, "%s at %zu", msg, pos);
    return rc;
}

int nd_rest_tokenize(nd_span path, char *out, size_t cap, size_t *outn, char *err, size_t errn)
{
    tokw w = {out, out ? cap : 0, 0, false};
    bool in_tok = false, in_quote = false;
    size_t quote_pos = 0;
    if (err && errn) err[0] = 0;
    if (outn) *outn = 0;
    if (!w.cap) return ND_ELIMIT;

    for (size_t i = 0; i < path.n;) {
        size_t at = i;
        int ch = (unsigned char)path.p[i];
        bool raw = true;
        if (ch == '%') {
            raw = false;
            /* typographic quotes, as phones' "smart punctuation" types them */
            if (ieq_at(path, i, "%E2%80%9C") || ieq_at(path, i, "%E2%80%9D")) {
                ch = '"';
                i += 9;
            } else if ((ch = nd_lex_pct(path, i)) < 0) {
                return tok_fail(ND_ESYNTAX, out, cap, outn, err, errn, "bad escape", at);
            } else {
                i += 3;
            }
        } else if (ch == 0) {
            return tok_fail(ND_ESYNTAX, out, cap, outn, err, errn, "NUL byte", at);
        } else {
            i++;
        }

        /* only a '/' the client left unescaped separates: %2F is data */
        if (raw && ch == '/' && !in_quote) {
            in_tok = false;
            continue;
        }
        if (ch == '"' && in_quote) { /* closing quote ends the token */
            tok_put(&w, '"');
            in_quote = in_tok = false;
            continue;
        }
        if (ch == '"') {
            /* a quoted text is a token of its own, except as the value
            ** of a keyword: text="a b" */
            if (in_tok && !(w.n && w.p[w.n - 1] == '=')) in_tok = false;
            in_quote = true;
            quote_pos = at;
        }
        if (!in_tok) {
            if (w.n) tok_put(&w, ' ');
            in_tok = true;
        }
        tok_put(&w, (char)ch);
    }
    if (in_quote) return tok_fail(ND_ESYNTAX, out, cap, outn, err, errn, "unbalanced quote", quote_pos);
    if (w.over) return tok_fail(ND_ELIMIT, out, cap, outn, err, errn, "command too long", path.n);
    w.p[w.n] = 0;
    if (outn) *outn = w.n;
    return ND_OK;
}

