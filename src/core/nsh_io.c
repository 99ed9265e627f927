/*
** nsh_io.c -- what a running command may do (nsh.h): write to its
** redirected stdout/stderr, keep state across ND_NSH_AGAIN, ask to be
** woken, read and set variables, resolve paths.
**
** Only nsh.h's command API lives here, nothing the interpreter calls
** itself: a unit test of the commands can link the library with its own
** fake of this API (tests/unit/nsh_fake_io.h) and this file stays out.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nodus/port.h"
#include "nsh_int.h"

/* ---- the commands' API (nsh.h) ------------------------------------------ */
struct nd_node *nd_nsh_node(nd_nsh_io *io) { return io->run->node; }

int nd_nsh_write(nd_nsh_io *io, const void *p, size_t n)
{
    return nd_nsh_redir_write(io->run, io->out, p, n);
}

static int vwrite(nd_nsh_io *io, nd_nsh_redir *d, const char *fmt, va_list ap)
{
    char buf[1024];
    va_list cp;
    va_copy(cp, ap);
    int k = vsnprintf(buf, sizeof buf, fmt, ap);
    if (k < 0) {
        va_end(cp);
        return ND_EINVAL;
    }
    int rc;
    if ((size_t)k < sizeof buf) {
        rc = nd_nsh_redir_write(io->run, d, buf, (size_t)k);
    } else {
        char *big = malloc((size_t)k + 1);
        if (!big) {
            va_end(cp);
            return ND_ENOMEM;
        }
        vsnprintf(big, (size_t)k + 1, fmt, cp);
        rc = nd_nsh_redir_write(io->run, d, big, (size_t)k);
        free(big);
    }
    va_end(cp);
    return rc;
}

int nd_nsh_printf(nd_nsh_io *io, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vwrite(io, io->out, fmt, ap);
    va_end(ap);
    return rc;
}

int nd_nsh_eprintf(nd_nsh_io *io, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vwrite(io, io->err && io->err->kind == ND_NSH_R_OUT ? io->out : io->err, fmt, ap);
    va_end(ap);
    return rc;
}

bool nd_nsh_out_room(nd_nsh_io *io)
{
    if (io->out && io->out->kind != ND_NSH_R_SESSION) return true;
    return !io->run->sh || nd_nsh_session_room(io->run->sh);
}

void *nd_nsh_state(nd_nsh_io *io) { return io->st; }

void nd_nsh_set_state(nd_nsh_io *io, void *st, void (*free_fn)(void *st))
{
    io->st = st;
    io->st_free = free_fn;
}

void nd_nsh_wake_at(nd_nsh_io *io, uint64_t mono_ms)
{
    io->woke = true;
    nd_nsh_run_wake(io->run, mono_ms);
}

void nd_nsh_wake_drained(nd_nsh_io *io)
{
    io->woke = true;
    io->run->want_drained = true;
    if (nd_nsh_out_room(io)) nd_nsh_run_wake(io->run, nd_port_mono_ms());
}

void nd_nsh_wake(nd_nsh_io *io)
{
    io->woke = true;
    nd_nsh_run_wake(io->run, nd_port_mono_ms());
}

uint32_t nd_nsh_wake_token(nd_nsh_io *io)
{
    if (!io->token) {
        nd_nsh_all *nn = nd_nsh_node_get(io->run->node);
        if (nn) {
            if (!++nn->next_token) ++nn->next_token;
            io->token = nn->next_token;
        }
    }
    return io->token;
}

void nd_nsh_wake_by_token(struct nd_node *n, uint32_t token)
{
    nd_nsh_run *r = token ? nd_nsh_find_token(n, token) : NULL;
    if (r) nd_nsh_run_wake(r, nd_port_mono_ms());
}

const char *nd_nsh_getenv(nd_nsh_io *io, const char *name) { return nd_nsh_run_getenv(io->run, name); }

int nd_nsh_setenv(nd_nsh_io *io, const char *name, const char *value)
{
    return nd_nsh_run_setenv(io->run, name, value);
}

const char *nd_nsh_cwd(nd_nsh_io *io) { return io->run->ctx->cwd; }

int nd_nsh_path(nd_nsh_io *io, const char *arg, char *rel, size_t n)
{
    return nd_nsh_resolve(io->run->ctx->cwd, arg, rel, n);
}

bool nd_nsh_protected(struct nd_node *n, const char *rel)
{
    const char *list = nd_cfg_get_str(n->cfg, ND_K_pfiles);
    if (!list) return false;
    while (*rel == '/') rel++;
    size_t rl = strlen(rel);
    if (rl == 1 && rel[0] == '.') rl = 0; /* "." as some callers spell the root */
    for (const char *p = list; *p;) {
        size_t k = strcspn(p, ";,");
        const char *e = p;
        while (k && (*e == ' ' || *e == '/')) e++, k--;
        while (k && e[k - 1] == ' ') k--;
        /* the file itself, or a directory above it (rm -r, mv of a parent) */
        if (k && ((rl == k && !memcmp(rel, e, k)) || rl == 0 ||
                  (rl < k && e[rl] == '/' && !memcmp(rel, e, rl))))
            return true;
        p = e + k;
        while (*p && *p != ';' && *p != ',') p++;
        if (*p) p++;
    }
    return false;
}

