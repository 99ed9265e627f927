/*
** fuzz_nsh_lex.c -- nsh's lexer on arbitrary lines, in all three modes
** (plain, raw for module calls, `if` comparison), command after command
** as the runner walks a line. Checks what the runner relies on: progress
** (end moves forward), bounds (end within the line, words within the
** buffer, at most ND_NSH_ARGS_MAX words) and NUL-terminated words.
*/
#include <stdlib.h>
#include <string.h>

#include "nsh_int.h"

static const char *get(void *ud, const char *name)
{
    (void)ud;
    if (!strcmp(name, "a")) return "5";
    if (!strcmp(name, "long")) return "a value with blanks, quotes ' \" and $dollars; and ;";
    return NULL;
}

static char *const av[] = {"one", "two words", ""};
static int args(void *ud, char *const **argv)
{
    (void)ud;
    *argv = av;
    return 3;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    static nd_nsh_lexed L;
    static const nd_nsh_vars v = {get, args, NULL};
    char err[160];
    const char *line = (const char *)data;
    for (int mode = 0; mode < 3; mode++) {
        size_t pos = 0;
        while (pos < size) {
            if (nd_nsh_lex(line, size, pos, mode, &v, &L, err, sizeof err)) {
                if (!err[0] || strlen(err) >= sizeof err) abort();
                break;
            }
            if (L.end <= pos || L.end > size || L.used > sizeof L.buf) abort();
            int words = 0;
            for (int i = 0; i < L.ntok; i++) {
                const nd_nsh_tok *t = &L.tok[i];
                if (t->s < L.buf || t->s >= L.buf + sizeof L.buf) abort();
                if (!memchr(t->s, 0, (size_t)(L.buf + sizeof L.buf - t->s))) abort();
                if (t->src > size) abort();
                words += t->kind == ND_NSH_T_WORD;
            }
            if (words > ND_NSH_ARGS_MAX) abort();
            pos = L.end;
        }
    }
    return 0;
}
