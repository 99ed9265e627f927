/*
** nsh_fake_io.h -- a small stand-in for the interpreter's side of nsh.h, so
** the command groups (src/core/nsh_cmd_*.c) can be tested alone: output and
** error go to buffers, state and wake-ups are recorded, paths resolve like
** nd_nsh_path (cwd, "..", clamped at "/"), and "config/node.json" plus
** anything named in fake_protected is protected. Include it in ONE test file,
** after defining FIO_TABLE as the group's table (nd_nsh_cmds_fs ...): a test
** links only that group, not the interpreter.
*/
#ifndef NSH_FAKE_IO_H
#define NSH_FAKE_IO_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nsh.h"
#include "nsh_cmds.h"

struct nd_nsh_io {
    char *out, *err;
    size_t outn, errn;
    void *st;
    void (*free_fn)(void *);
    int agains, drained_waits;
    size_t max_call_out; /* most bytes one call wrote (streaming is bounded) */
    bool room;
    struct nd_node *node;
    char cwd[256];
    char env[8][2][128];
};

static nd_nsh_io fio;
static const char *fake_protected = "config/node.json";

static void fio_reset(void)
{
    free(fio.out);
    free(fio.err);
    memset(&fio, 0, sizeof fio);
    strcpy(fio.cwd, "/");
    fio.room = true;
}

static void app(char **b, size_t *n, const void *p, size_t k)
{
    *b = realloc(*b, *n + k + 1);
    memcpy(*b + *n, p, k);
    *n += k;
    (*b)[*n] = 0;
}

struct nd_node *nd_nsh_node(nd_nsh_io *io) { return io->node; }
int nd_nsh_write(nd_nsh_io *io, const void *p, size_t n)
{
    app(&io->out, &io->outn, p, n);
    return 0;
}
int nd_nsh_printf(nd_nsh_io *io, const char *fmt, ...)
{
    char b[8192];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(b, sizeof b, fmt, ap);
    va_end(ap);
    app(&io->out, &io->outn, b, k < (int)sizeof b ? (size_t)k : sizeof b - 1);
    return 0;
}
int nd_nsh_eprintf(nd_nsh_io *io, const char *fmt, ...)
{
    char b[8192];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(b, sizeof b, fmt, ap);
    va_end(ap);
    app(&io->err, &io->errn, b, k < (int)sizeof b ? (size_t)k : sizeof b - 1);
    return 0;
}
bool nd_nsh_out_room(nd_nsh_io *io) { return io->room; }
void *nd_nsh_state(nd_nsh_io *io) { return io->st; }
void nd_nsh_set_state(nd_nsh_io *io, void *st, void (*free_fn)(void *st))
{
    io->st = st;
    io->free_fn = free_fn;
}
void nd_nsh_wake_at(nd_nsh_io *io, uint64_t mono_ms) { (void)io, (void)mono_ms; }
void nd_nsh_wake_drained(nd_nsh_io *io) { io->drained_waits++; }
void nd_nsh_wake(nd_nsh_io *io) { (void)io; }
uint32_t nd_nsh_wake_token(nd_nsh_io *io) { (void)io; return 1; }
void nd_nsh_wake_by_token(struct nd_node *n, uint32_t token) { (void)n, (void)token; }
const char *nd_nsh_getenv(nd_nsh_io *io, const char *name)
{
    for (int i = 0; i < 8; i++)
        if (!strcmp(io->env[i][0], name)) return io->env[i][1];
    return NULL;
}
int nd_nsh_setenv(nd_nsh_io *io, const char *name, const char *value)
{
    for (int i = 0; i < 8; i++)
        if (!io->env[i][0][0] || !strcmp(io->env[i][0], name)) {
            snprintf(io->env[i][0], 128, "%s", name);
            snprintf(io->env[i][1], 128, "%s", value ? value : "");
            return 0;
        }
    return -1;
}
const char *nd_nsh_cwd(nd_nsh_io *io) { return io->cwd; }
int nd_nsh_path(nd_nsh_io *io, const char *arg, char *rel, size_t n)
{
    if (!arg || !arg[0]) return ND_EINVAL;
    char full[1024];
    if (arg[0] == '/') snprintf(full, sizeof full, "%s", arg);
    else snprintf(full, sizeof full, "%s/%s", io->cwd, arg);
    char out[1024] = "";
    size_t on = 0;
    for (char *tok = strtok(full, "/"); tok; tok = strtok(NULL, "/")) {
        if (!strcmp(tok, ".")) continue;
        if (!strcmp(tok, "..")) {
            char *s = strrchr(out, '/');
            on = s ? (size_t)(s - out) : 0;
            out[on] = 0;
            continue;
        }
        on += (size_t)snprintf(out + on, sizeof out - on, "%s%s", on ? "/" : "", tok);
    }
    if (on >= n) return ND_EINVAL;
    memcpy(rel, out, on + 1);
    return 0;
}
bool nd_nsh_protected(struct nd_node *n, const char *rel)
{
    (void)n;
    return !strcmp(rel, fake_protected) || !strcmp(rel, "config/node.json");
}

/* Run one command to its end as the interpreter would: call again while it
** says ND_NSH_AGAIN; every third call finds the output full (drain path). */
static int fio_run(const char *line)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", line);
    char *argv[ND_NSH_ARGS_MAX];
    int argc = 0;
    for (char *t = strtok(buf, " "); t && argc < ND_NSH_ARGS_MAX; t = strtok(NULL, " "))
        argv[argc++] = t;
    const nd_nsh_cmd *c = NULL;
    for (int i = 0; (c = FIO_TABLE[i]) != NULL; i++)
        if (!strcmp(c->name, argv[0])) break;
    if (!c) return -999;
    int rc, calls = 0;
    for (;;) {
        size_t before = fio.outn;
        fio.room = calls % 3 != 2;
        rc = c->fn(&fio, argc, argv);
        calls++;
        if (fio.outn - before > fio.max_call_out) fio.max_call_out = fio.outn - before;
        if (rc != ND_NSH_AGAIN) break;
        fio.agains++;
    }
    if (fio.free_fn) fio.free_fn(fio.st);
    fio.st = NULL;
    fio.free_fn = NULL;
    return rc;
}

#endif
