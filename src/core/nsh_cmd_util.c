/*
** nsh_cmd_util.c -- what nsh's command groups share: the entry wrapper
** (help, no-follow file calls), option parsing, path display, human sizes,
** glob matching and a bounded tree walker. Kept apart from the tables
** (nsh_cmds.c) so a unit test can link one group alone.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nodus/value.h"
#include "nsh_cmds.h"

/* Does the synopsis offer -h as an option of its own (ls -h, df -h)? */
static bool has_h_option(const char *syn)
{
    const char *sp = syn ? strchr(syn, ' ') : NULL;
    for (const char *p = sp; p && (p = strstr(p, "-h")) != NULL; p += 2) {
        char c = p[2];
        char b = p[-1];
        if ((b == '[' || b == ' ') && (c == ']' || c == ' ' || c == 0 || c == '|')) return true;
    }
    return false;
}

int nd_cmd_enter(nd_nsh_io *io, int argc, char **argv, const nd_nsh_cmd *self, nd_nsh_cmd_fn fn)
{
    if (argc >= 2 && (!strcmp(argv[1], "--help") ||
                      (!strcmp(argv[1], "-h") && argc == 2 && !has_h_option(self->synopsis)))) {
        nd_nsh_printf(io, "usage: %s\n  %s\n", self->synopsis, self->about);
        return 0;
    }
    bool was = nd_fs_nofollow(true);
    int rc = fn(io, argc, argv);
    nd_fs_nofollow(was);
    return rc;
}

int nd_cmd_usage(nd_nsh_io *io, const char *synopsis)
{
    nd_nsh_eprintf(io, "usage: %s\n", synopsis);
    return 2;
}

int nd_cmd_opts(nd_nsh_io *io, int argc, char **argv, const char *spec, const char *synopsis,
                nd_opts *o)
{
    memset(o, 0, sizeof *o);
    bool ended = false;
    for (int i = 1; i < argc; i++) {
        char *a = argv[i];
        if (ended || a[0] != '-' || a[1] == 0) {
            if (o->npos < ND_NSH_ARGS_MAX) o->pos[o->npos++] = a;
            continue;
        }
        if (!strcmp(a, "--")) {
            ended = true;
            continue;
        }
        for (int k = 1; a[k]; k++) {
            unsigned char c = (unsigned char)a[k];
            const char *s = c < 128 && c != ':' ? strchr(spec, c) : NULL;
            if (!s) {
                nd_nsh_eprintf(io, "%s: unknown option '-%c'\n", argv[0], c);
                return nd_cmd_usage(io, synopsis);
            }
            o->set[c] = true;
            if (s[1] == ':') {
                if (a[k + 1]) o->val[c] = a + k + 1;
                else if (i + 1 < argc) o->val[c] = argv[++i];
                else {
                    nd_nsh_eprintf(io, "%s: option '-%c' needs a value\n", argv[0], c);
                    return nd_cmd_usage(io, synopsis);
                }
                break;
            }
        }
    }
    return 0;
}

int nd_cmd_path(nd_nsh_io *io, const char *cmd, const char *arg, char *rel, size_t n)
{
    int rc = nd_nsh_path(io, arg, rel, n);
    if (rc != 0) {
        nd_nsh_eprintf(io, "%s: %s: invalid path\n", cmd, arg);
        return 1;
    }
    if (!rel[0]) snprintf(rel, n, ".");
    return 0;
}

const char *nd_cmd_shown(const char *rel, char *buf, size_t n)
{
    if (!rel[0] || !strcmp(rel, ".")) snprintf(buf, n, "/");
    else snprintf(buf, n, "/%s", rel);
    return buf;
}

const char *nd_cmd_strerror(int rc)
{
    switch (rc) {
    case ND_ENOTFOUND: return "no such file or directory";
    case ND_ELIMIT: return "too large or name too long";
    case ND_EINVAL: return "invalid path";
    case ND_ENOMEM: return "out of memory";
    case ND_EIO: return "input/output error (or a link, which nsh never follows)";
    default: return "failed";
    }
}

int nd_cmd_join(char *out, size_t n, const char *dir, const char *name)
{
    int k = !strcmp(dir, ".") || !dir[0] ? snprintf(out, n, "%s", name)
                                          : snprintf(out, n, "%s/%s", dir, name);
    return k < 0 || (size_t)k >= n ? ND_ELIMIT : 0;
}

const char *nd_cmd_human(uint64_t v, char *buf, size_t n)
{
    static const char units[] = "KMGTP";
    if (v < 1024) {
        snprintf(buf, n, "%llu", (unsigned long long)v);
        return buf;
    }
    double d = (double)v;
    int u = -1;
    while (d >= 1024.0 && u < 4) {
        d /= 1024.0;
        u++;
    }
    snprintf(buf, n, "%.1f%c", d, units[u]);
    return buf;
}

int nd_cmd_yield(nd_nsh_io *io)
{
    nd_nsh_wake_at(io, nd_port_mono_ms());
    return ND_NSH_AGAIN;
}

int nd_cmd_wait_room(nd_nsh_io *io)
{
    nd_nsh_wake_drained(io);
    return ND_NSH_AGAIN;
}

bool nd_cmd_glob(const char *p, const char *s)
{
    const char *star_p = NULL, *star_s = NULL;
    while (*s) {
        if (*p == '*') {
            star_p = ++p;
            star_s = s;
            continue;
        }
        if (*p == '[') {
            const char *q = p + 1;
            bool neg = *q == '!' || *q == '^';
            if (neg) q++;
            bool hit = false;
            const char *start = q;
            while (*q && (*q != ']' || q == start)) {
                if (q[1] == '-' && q[2] && q[2] != ']') {
                    if (*s >= q[0] && *s <= q[2]) hit = true;
                    q += 3;
                } else {
                    if (*s == *q) hit = true;
                    q++;
                }
            }
            if (*q == ']' && hit != neg) {
                p = q + 1;
                s++;
                continue;
            }
        } else if (*p == '?' || (*p && *p == *s)) {
            p++;
            s++;
            continue;
        }
        if (!star_p) return false;
        p = star_p;
        s = ++star_s;
    }
    while (*p == '*') p++;
    return *p == 0;
}

/* ---- walker ------------------------------------------------------------- */

typedef struct {
    char **names;
    int n, cap;
    bool full;
} walk_list;

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

static int walk_collect(void *ud, const char *name, const nd_fs_info *info)
{
    (void)info;
    walk_list *l = ud;
    if (l->n >= l->cap) {
        l->full = true;
        return 0;
    }
    char *s = dup_str(name);
    if (!s) return ND_ENOMEM;
    l->names[l->n++] = s;
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk_push(nd_walk *w, const char *rel, int depth)
{
    if (w->n >= ND_WALK_PENDING) {
        w->truncated = true;
        return 0;
    }
    if (w->n == w->cap) {
        int nc = w->cap ? w->cap * 2 : 64;
        char **ns = realloc(w->stack, (size_t)nc * sizeof *ns);
        if (!ns) return ND_ENOMEM;
        w->stack = ns;
        w->cap = nc;
    }
    size_t len = strlen(rel);
    char *s = malloc(len + 2);
    if (!s) return ND_ENOMEM;
    s[0] = (char)(depth + 1);
    memcpy(s + 1, rel, len + 1);
    w->stack[w->n++] = s;
    return 0;
}

int nd_walk_init(nd_walk *w, const char *rel)
{
    memset(w, 0, sizeof *w);
    return walk_push(w, rel, 0);
}

int nd_walk_next(nd_walk *w, char *rel, size_t n, nd_fs_info *info)
{
    while (w->n > 0) {
        char *top = w->stack[--w->n];
        int depth = top[0] - 1;
        snprintf(rel, n, "%s", top + 1);
        bool fits = strlen(top + 1) < n;
        free(top);
        if (!fits) {
            w->truncated = true;
            continue;
        }
        int rc = nd_fs_stat(rel, info);
        if (rc != ND_OK) {
            if (depth == 0) return rc;
            continue; /* vanished, or a link: nothing to walk */
        }
        if (info->dir) {
            int maxd = w->max_depth > 0 ? w->max_depth : ND_WALK_DEPTH;
            if (depth >= maxd) {
                if (maxd == ND_WALK_DEPTH) w->truncated = true;
                return 1;
            }
            walk_list l = {0};
            l.cap = ND_WALK_PENDING - w->n;
            if (l.cap <= 0) {
                w->truncated = true;
                return 1;
            }
            if (l.cap > 1024) l.cap = 1024; /* one directory's share of the pending list */
            l.names = malloc((size_t)l.cap * sizeof *l.names);
            if (!l.names) return ND_ENOMEM;
            rc = nd_fs_list(rel, walk_collect, &l);
            if (l.full) w->truncated = true;
            qsort(l.names, (size_t)l.n, sizeof *l.names, cmp_names);
            char child[ND_CMD_PATH_MAX];
            for (int i = l.n - 1; i >= 0; i--) {
                if (nd_cmd_join(child, sizeof child, rel, l.names[i])) w->truncated = true;
                else if (rc == ND_OK) rc = walk_push(w, child, depth + 1);
                free(l.names[i]);
            }
            free(l.names);
            if (rc < 0 && rc != ND_ENOMEM) rc = 0;
            if (rc == ND_ENOMEM) return rc;
        }
        return 1;
    }
    return 0;
}

void nd_walk_free(nd_walk *w)
{
    for (int i = 0; i < w->n; i++) free(w->stack[i]);
    free(w->stack);
    memset(w, 0, sizeof *w);
}
