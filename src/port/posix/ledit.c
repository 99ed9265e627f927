/*
** ledit.c -- non-blocking line editing over libedit's callback interface
** (ledit.h).
**
** What is on the terminal's last line is "pending" output (the unfinished
** last line of what was printed: a remote prompt, or `printf` text without
** a newline) followed by the local prompt and the line being edited; the
** editor's prompt is pending + prompt, so a redisplay redraws exactly that.
*/
#define _GNU_SOURCE
#include "ledit.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LEDIT_PROMPT_MAX 512
#define LEDIT_PLAIN_MAX 4096 /* a plain-mode line longer than this is cut in pieces */

static struct {
    void (*install)(const char *, void (*)(char *));
    void (*read_char)(void);
    void (*remove)(void);
    int (*set_prompt)(const char *);
    void (*replace_line)(const char *, int);
    void (*forced_update)(void);
    int (*add_history)(const char *);
    int (*read_history)(const char *);
    int (*write_history)(const char *);
    void (*stifle_history)(int);
    void (*using_history)(void);
    char **line_buffer;
    int *point, *end, *catch_signals;
} ed;

static bool active, edit;
static nd_ledit_fn user_fn;
static void *user_ud;
static char pending[LEDIT_PROMPT_MAX], prompt[LEDIT_PROMPT_MAX];
static char history_path[4096];
static char plain[LEDIT_PLAIN_MAX];
static size_t plainn;

#define SYM(field, name) (*(void **)&ed.field = dlsym(h, name))

static bool load(void)
{
    void *h = dlopen("libedit.so.2", RTLD_NOW | RTLD_LOCAL);
    if (!h) return false;
    SYM(install, "rl_callback_handler_install");
    SYM(read_char, "rl_callback_read_char");
    SYM(remove, "rl_callback_handler_remove");
    SYM(set_prompt, "rl_set_prompt");
    SYM(replace_line, "rl_replace_line");
    SYM(forced_update, "rl_forced_update_display");
    SYM(add_history, "add_history");
    SYM(read_history, "read_history");
    SYM(write_history, "write_history");
    SYM(stifle_history, "stifle_history");
    SYM(using_history, "using_history");
    ed.line_buffer = dlsym(h, "rl_line_buffer");
    ed.point = dlsym(h, "rl_point");
    ed.end = dlsym(h, "rl_end");
    ed.catch_signals = dlsym(h, "rl_catch_signals");
    if (ed.install && ed.read_char && ed.remove && ed.set_prompt && ed.replace_line &&
        ed.forced_update && ed.add_history && ed.read_history && ed.write_history &&
        ed.stifle_history && ed.using_history && ed.line_buffer && ed.point && ed.end)
        return true;
    memset(&ed, 0, sizeof ed);
    dlclose(h);
    return false;
}

/* A line was just finished: libedit still holds it until it reads the next
** key (and then starts afresh), and its readline emulation cannot empty it
** (rl_replace_line ignores ""). While stale, a redisplay would bring the
** finished line back, so the prompt is drawn by hand, the cursor left at
** the line's start: libedit's own first redraw writes the same text over it. */
static bool stale;

static void show_prompt(void)
{
    char full[2 * LEDIT_PROMPT_MAX];
    snprintf(full, sizeof full, "%s%s", pending, prompt);
    if (edit) {
        ed.set_prompt(full);
        if (stale) printf("\r\033[K%s\r", full);
        else ed.forced_update();
    } else {
        fputs(full, stdout);
    }
    fflush(stdout);
}

static void on_line(char *line)
{
    pending[0] = 0; /* the line is finished on the screen, prompt and all */
    stale = edit;
    if (user_fn) user_fn(line, user_ud);
}

bool nd_ledit_open(const char *history, nd_ledit_fn fn, void *ud)
{
    user_fn = fn;
    user_ud = ud;
    active = true;
    pending[0] = prompt[0] = 0;
    plainn = 0;
    edit = isatty(0) && load();
    if (!edit) return false;
    /* our own SIGINT handling (the caller's): libedit must not take it */
    if (ed.catch_signals) *ed.catch_signals = 0;
    ed.install("", on_line);
    if (history && *history) {
        snprintf(history_path, sizeof history_path, "%s", history);
        ed.using_history();
        ed.stifle_history(1000);
        ed.read_history(history_path);
    }
    return true;
}

bool nd_ledit_active(void) { return active; }

void nd_ledit_input(void)
{
    if (!active) return;
    if (edit) {
        stale = false; /* this read starts a fresh line */
        ed.read_char();
        return;
    }
    long r = read(0, plain + plainn, sizeof plain - plainn);
    if (r < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (r <= 0) {
        if (plainn) { /* a last line without newline */
            char *l = strndup(plain, plainn);
            plainn = 0;
            if (l) on_line(l);
        }
        active = false;
        if (user_fn) user_fn(NULL, user_ud);
        return;
    }
    plainn += (size_t)r;
    for (;;) {
        char *nl = memchr(plain, '\n', plainn);
        size_t len = nl ? (size_t)(nl - plain) : plainn;
        if (!nl && plainn < sizeof plain) break;
        char *l = strndup(plain, len);
        size_t used = nl ? len + 1 : len;
        memmove(plain, plain + used, plainn - used);
        plainn -= used;
        if (l && len && l[len - 1] == '\r') l[len - 1] = 0;
        if (l) on_line(l);
        if (!active) break;
    }
}

void nd_ledit_print(const char *p, size_t n)
{
    if (!n) return;
    const char *nl = memrchr(p, '\n', n);
    size_t body = nl ? (size_t)(nl - p) + 1 : 0;
    if (!edit) {
        fwrite(p, 1, n, stdout);
        fflush(stdout);
        return;
    }
    /* take the prompt line off the screen; print; draw it again below */
    fputs("\r\033[K", stdout);
    if (body) {
        fputs(pending, stdout); /* the unfinished line, now finished */
        fwrite(p, 1, body, stdout);
        pending[0] = 0;
    }
    size_t have = strlen(pending), add = n - body;
    if (have + add >= sizeof pending) add = sizeof pending - 1 - have; /* screen text only */
    memcpy(pending + have, p + body, add);
    pending[have + add] = 0;
    show_prompt();
}

void nd_ledit_set_prompt(const char *p)
{
    snprintf(prompt, sizeof prompt, "%s", p ? p : "");
    if (!active) return;
    if (edit) show_prompt();
    else if (*prompt) {
        fputs(prompt, stdout);
        fflush(stdout);
    }
}

void nd_ledit_cancel(void)
{
    if (!active) return;
    if (edit) {
        ed.replace_line("", 0);
        fputs("^C\r\n", stdout);
        pending[0] = 0;
        show_prompt();
    } else {
        plainn = 0;
    }
}

void nd_ledit_add_history(const char *line)
{
    if (edit && line && *line) ed.add_history(line);
}

void nd_ledit_close(void)
{
    if (!active && !edit) return;
    if (edit) {
        ed.remove(); /* puts the terminal back as it was */
        if (history_path[0]) ed.write_history(history_path);
        fputs("\n", stdout);
        fflush(stdout);
    }
    active = edit = false;
}
