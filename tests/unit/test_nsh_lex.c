/*
** test_nsh_lex.c -- nsh's grammar as a table: one line in, the commands'
** tokens out, or the error. Each upyOS defect of docs upyos-shell.md §15
** has a row showing it done right (marked "§15").
**
** Rendering: words joined by '|', commands by " ; ", operators in braces
** ({>} {>>} {2>} {2>>} {2>&1} {&} {json}), a variable target as {$name}.
** "R:" before the input lexes it raw (module calls: quotes kept), "C:" as an
** `if` line (whole-word > and >= compare).
** Variables: a=5 ab=77 sp="hello there" q=it's "x" e="" ; $0=t.sh $1=one
** $2="two words"; $?=0.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "nsh_int.h"

static const char *get(void *ud, const char *name)
{
    (void)ud;
    static const char *const tab[][2] = {
        {"a", "5"}, {"ab", "77"}, {"sp", "hello there"}, {"q", "it's \"x\""}, {"e", ""},
        {"0", "t.sh"}, {"1", "one"}, {"2", "two words"}, {"#", "2"}, {"?", "0"},
    };
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
        if (!strcmp(tab[i][0], name)) return tab[i][1];
    return NULL;
}

static char *const args_v[] = {"one", "two words"};
static int args(void *ud, char *const **argv)
{
    (void)ud;
    *argv = args_v;
    return 2;
}

static const nd_nsh_vars vars = {get, args, NULL};

/* the whole line, command by command */
static void render(const char *in, char *out, size_t n)
{
    int mode = 0;
    if (!strncmp(in, "R:", 2)) mode = ND_NSH_LEX_RAW;
    if (!strncmp(in, "C:", 2)) mode = ND_NSH_LEX_CMP;
    if (mode) in += 2;
    static nd_nsh_lexed L;
    char err[128];
    size_t len = strlen(in), pos = 0, o = 0;
    out[0] = 0;
    int cmds = 0;
    while (pos < len) {
        int rc = nd_nsh_lex(in, len, pos, mode, &vars, &L, err, sizeof err);
        if (rc) {
            snprintf(out, n, "ERR:%s", err);
            return;
        }
        if (L.ntok) {
            if (cmds++) o += (size_t)snprintf(out + o, n - o, " ; ");
            for (int i = 0; i < L.ntok; i++) {
                const nd_nsh_tok *t = &L.tok[i];
                const char *sep = i ? "|" : "";
                static const char *const ops[] = {"", "{>}", "{>>}", "{2>}", "{2>>}", "{2>&1}", "{&}", "{json}"};
                if (t->kind != ND_NSH_T_WORD) o += (size_t)snprintf(out + o, n - o, "%s%s", sep, ops[t->kind]);
                else if (t->var) o += (size_t)snprintf(out + o, n - o, "%s{$%s}", sep, t->s);
                else o += (size_t)snprintf(out + o, n - o, "%s%s", sep, t->s);
            }
        }
        assert_true(L.end > pos || L.end == len);
        if (L.end <= pos) break;
        pos = L.end;
    }
}

static const char *const cases[][2] = {
    /* words */
    {"echo a b", "echo|a|b"},
    {"echo   a    b  ", "echo|a|b"},
    {"echo a\tb", "echo|a|b"}, /* §15 space-only tokenising: tabs split too */
    {"  ", ""},
    {"echo a>b", "echo|a>b"}, /* operators only at a word's start */
    {"a&b", "a&b"},
    /* quotes */
    {"echo 'a b'", "echo|a b"},
    {"echo \"a b\"", "echo|a b"},
    {"a\"b c\"d", "ab cd"},
    {"echo \"it's\" 'say \"hi\"'", "echo|it's|say \"hi\""},
    {"echo \"a\" \"\" 'b'", "echo|a||b"},
    {"echo \"\"", "echo|"},         /* §15 "" yields no argument */
    {"echo ''", "echo|"},
    {"export e \"\"", "export|e|"}, /* §15 the upyOS run: export usage text */
    /* backslash */
    {"echo a\\ b", "echo|a b"},
    {"echo 'a\\b'", "echo|a\\b"}, /* no escapes inside '...' */
    {"echo a\\\"b", "echo|a\"b"},
    {"echo \"a\\\"b\"", "echo|a\"b"},
    {"echo \"a\\nb\"", "echo|a\\nb"}, /* kept for printf */
    {"echo \"a\\\\b\"", "echo|a\\b"},
    {"echo \\\\", "echo|\\"},
    {"echo a\\", "echo|a\\"},
    {"echo \"\\$a\"", "echo|$a"},
    {"echo \\$a", "echo|$a"},
    /* expansion */
    {"echo $a", "echo|5"},
    {"echo $a $ab", "echo|5|77"}, /* §15 $a rewrote the front of $ab */
    {"echo $ab $a", "echo|77|5"},
    {"echo x$a", "echo|x5"},                   /* §15 x$a was not expanded */
    {"echo \"$a and $ab\"", "echo|5 and 77"}, /* §15 no expansion inside quotes, quote eaten */
    {"echo '$a'", "echo|$a"},
    {"echo ${a}b", "echo|5b"},
    {"echo \"${a}${ab}\"", "echo|577"},
    {"echo $a$ab", "echo|577"},
    {"echo $a;", "echo|5"}, /* §15 punctuation stuck to the name */
    {"echo $sp", "echo|hello there"},
    {"echo $q", "echo|it's \"x\""}, /* a value is never re-scanned */
    {"echo $nope", "echo|"},
    {"echo \"$nope\"", "echo|"},
    {"echo $e x", "echo||x"},
    {"echo \"it's $a\"", "echo|it's 5"},
    {"echo $", "echo|$"},
    {"echo $-x", "echo|$-x"},
    {"echo a$", "echo|a$"},
    /* positional and specials */
    {"echo $0 $1 $2", "echo|t.sh|one|two words"},
    {"echo $#", "echo|2"},
    {"echo $?", "echo|0"},
    {"echo ${1}", "echo|one"},
    {"echo $10", "echo|one0"},
    {"echo \"$@\"", "echo|one|two words"},
    {"echo $@ x", "echo|one|two words|x"},
    {"echo \"x $@\"", "echo|x one two words"},
    /* sequencing */
    {"echo a;echo b", "echo|a ; echo|b"},
    {"echo a ; echo b ;", "echo|a ; echo|b"},
    {"echo \"a;b\"", "echo|a;b"}, /* §15 ';' split inside quotes */
    {"echo 'a;b'; echo c", "echo|a;b ; echo|c"},
    {"echo a\\;b", "echo|a;b"},
    {";;echo a", "echo|a"},
    /* comments */
    {"# comment", ""},
    {"echo a # comment", "echo|a"},
    {"echo \"x #y\"", "echo|x #y"}, /* §15 ' #' cut quoted text */
    {"echo a#b", "echo|a#b"},
    {"echo a;#c; echo d", "echo|a"},
    {"echo '#'", "echo|#"},
    /* redirection: the file-vs-variable choice is the spelling, never a '.' (§15) */
    {"cmd > f", "cmd|{>}|f"},
    {"cmd >f", "cmd|{>}|f"},
    {"cmd >> out", "cmd|{>>}|out"},
    {"cmd > out.txt", "cmd|{>}|out.txt"},
    {"cmd >$v", "cmd|{>}|{$v}"},
    {"cmd >>$v", "cmd|{>>}|{$v}"},
    {"cmd > $v", "cmd|{>}|{$v}"},
    {"cmd >${v}", "cmd|{>}|{$v}"},
    {"cmd > \"$a\"", "cmd|{>}|5"},
    {"cmd >$a.txt", "cmd|{>}|5.txt"},
    {"cmd 2> err", "cmd|{2>}|err"},
    {"cmd 2>>err", "cmd|{2>>}|err"},
    {"cmd 2>&1", "cmd|{2>&1}"},
    {"cmd \">\" f", "cmd|>|f"},
    {"echo 2 > x", "echo|2|{>}|x"},
    /* background and >json */
    {"sleep 1 &", "sleep|1|{&}"},
    {"sleep 1&", "sleep|1&"},
    {"echo '&'", "echo|&"},
    {"system info >json", "system|info|{json}"},
    {"system info >jsonx", "system|info|{>}|jsonx"},
    {"system info '>json'", "system|info|>json"},
    /* raw (module calls keep micrOS literal syntax) */
    {"R:rgb color 'x y' $a", "rgb|color|'x y'|5"},
    {"R:mod f \"a $a\" k=[1, 2]", "mod|f|\"a 5\"|k=[1,|2]"},
    {"R:mod f 'a $a'", "mod|f|'a $a'"},
    {"R:mod f a\\ b", "mod|f|a\\ b"},
    /* `if` lines ("C:"): > and >= as whole words compare */
    {"C:if $a > 3 echo x", "if|5|>|3|echo|x"},
    {"C:if $a >= 3 echo x", "if|5|>=|3|echo|x"},
    {"C:if $a >> 3", "if|5|{>>}|3"},
    {"C:if $a >x", "if|5|{>}|x"},
    {"if $a > 3", "if|5|{>}|3"},
    /* bad input */
    {"echo 'abc", "ERR:unterminated ' quote"},
    {"echo \"abc", "ERR:unterminated \" quote"},
    {"echo \"abc'", "ERR:unterminated \" quote"},
    {"echo ${a", "ERR:'${' without '}'"},
    {"echo \"${a\"", "ERR:'${' without '}'"},
    {"echo ${}", "ERR:bad substitution '${}'"},
    {"echo ${a-b}", "ERR:bad substitution '${a-b}'"},
    {"echo ${1a}", "ERR:bad substitution '${1a}'"},
    {"cmd >", "ERR:redirection without a target"},
    {"cmd 2>>", "ERR:redirection without a target"},
    {"echo '${' ok", "echo|${|ok"},
};

static void test_table(void **state)
{
    (void)state;
    char out[8192];
    int bad = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        render(cases[i][0], out, sizeof out);
        if (strcmp(out, cases[i][1])) {
            print_error("line %zu: [%s]\n  want [%s]\n  got  [%s]\n", i, cases[i][0], cases[i][1], out);
            bad++;
        }
    }
    assert_true(sizeof cases / sizeof cases[0] >= 60);
    assert_int_equal(bad, 0);
}

static void test_limits(void **state)
{
    (void)state;
    char line[2048], out[8192];
    size_t o = 0;
    for (int i = 0; i < 70; i++) o += (size_t)snprintf(line + o, sizeof line - o, "w%d ", i);
    render(line, out, sizeof out);
    assert_string_equal(out, "ERR:too many words (max 64)");
    /* expansion cannot grow a command past its buffer */
    o = 0;
    for (int i = 0; i < 60; i++) o += (size_t)snprintf(line + o, sizeof line - o, "$sp$sp$sp$sp$sp$sp$sp ");
    render(line, out, sizeof out);
    assert_string_equal(out, "ERR:line too long after expansion (max 4096 bytes)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
