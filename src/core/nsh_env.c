/*
** nsh_env.c -- nsh variables: sorted, bounded name=value maps.
**
** Two layers: the node's environment (seeded at first use from the config
** key `nshenv`, then from config/nsh.env that `env save` wrote) and each
** session's overlay over it (export/unset in a session change only the
** overlay; a job gets a copy of its session's overlay when it starts, as a
** forked process would). Values are strings: no types to guess (upyOS
** stored Python objects, §2.6). Nothing is persisted but by `env save`.
**
** Limits: ND_NSH_ENV_MAX variables per map, names up to ND_NSH_NAME_MAX-1
** bytes of [A-Za-z_][A-Za-z0-9_]*, values up to ND_NSH_VAL_MAX-1 bytes.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nodus/port.h"
#include "nsh_int.h"

static char *dup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

bool nd_nsh_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (!n || n >= ND_NSH_NAME_MAX) return false;
    if (!((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z') || s[0] == '_')) return false;
    for (size_t i = 1; i < n; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') || s[i] == '_' ||
              (s[i] >= '0' && s[i] <= '9')))
            return false;
    return true;
}

/* index of name, or -(insertion point)-1 */
static int search(const nd_nsh_env *e, const char *name)
{
    int lo = 0, hi = e->n - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        int c = strcmp(e->v[mid].name, name);
        if (!c) return mid;
        if (c < 0) lo = mid + 1;
        else hi = mid - 1;
    }
    return -lo - 1;
}

nd_nsh_var *nd_nsh_env_find(const nd_nsh_env *e, const char *name)
{
    int i = e->n ? search(e, name) : -1;
    return i >= 0 ? &e->v[i] : NULL;
}

const char *nd_nsh_env_strerror(int rc)
{
    switch (rc) {
    case ND_EINVAL: return "bad variable name (letters, digits, _; not starting with a digit; max 31)";
    case ND_ELIMIT: return "too many variables (max 128) or value too long (max 1023 bytes)";
    case ND_ENOMEM: return "out of memory";
    default: return "error";
    }
}

int nd_nsh_env_put(nd_nsh_env *e, const char *name, const char *val)
{
    if (!nd_nsh_name_ok(name)) return ND_EINVAL;
    if (val && strlen(val) >= ND_NSH_VAL_MAX) return ND_ELIMIT;
    char *nv = NULL;
    if (val && !(nv = dup(val))) return ND_ENOMEM;
    int i = search(e, name);
    if (i >= 0) {
        free(e->v[i].val);
        e->v[i].val = nv;
        return 0;
    }
    if (e->n >= ND_NSH_ENV_MAX) {
        free(nv);
        return ND_ELIMIT;
    }
    if (e->n == e->cap) {
        int cap = e->cap ? e->cap * 2 : 8;
        nd_nsh_var *v = realloc(e->v, (size_t)cap * sizeof *v);
        if (!v) {
            free(nv);
            return ND_ENOMEM;
        }
        e->v = v;
        e->cap = cap;
    }
    char *nn = dup(name);
    if (!nn) {
        free(nv);
        return ND_ENOMEM;
    }
    i = -i - 1;
    memmove(e->v + i + 1, e->v + i, (size_t)(e->n - i) * sizeof *e->v);
    e->v[i].name = nn;
    e->v[i].val = nv;
    e->n++;
    return 0;
}

void nd_nsh_env_del(nd_nsh_env *e, const char *name)
{
    int i = e->n ? search(e, name) : -1;
    if (i < 0) return;
    free(e->v[i].name);
    free(e->v[i].val);
    memmove(e->v + i, e->v + i + 1, (size_t)(e->n - i - 1) * sizeof *e->v);
    e->n--;
}

void nd_nsh_env_free(nd_nsh_env *e)
{
    for (int i = 0; i < e->n; i++) {
        free(e->v[i].name);
        free(e->v[i].val);
    }
    free(e->v);
    memset(e, 0, sizeof *e);
}

int nd_nsh_env_copy(nd_nsh_env *dst, const nd_nsh_env *src)
{
    memset(dst, 0, sizeof *dst);
    for (int i = 0; i < src->n; i++) {
        int rc = nd_nsh_env_put(dst, src->v[i].name, src->v[i].val);
        if (rc) {
            nd_nsh_env_free(dst);
            return rc;
        }
    }
    return 0;
}

/* ---- node environment: seed and save ------------------------------------ */

/* "N=V" lines; in the file "\n" and "\\" stand for a newline and a
** backslash, so a captured multi-line value survives a save. */
static void put_line(nd_nsh_env *e, const char *p, size_t n, bool unescape)
{
    char name[ND_NSH_NAME_MAX], val[ND_NSH_VAL_MAX];
    while (n && (*p == ' ' || *p == '\t')) p++, n--;
    const char *eq = memchr(p, '=', n);
    if (!eq || (size_t)(eq - p) >= sizeof name) return;
    size_t nl = (size_t)(eq - p);
    memcpy(name, p, nl);
    while (nl && (name[nl - 1] == ' ' || name[nl - 1] == '\t')) nl--;
    name[nl] = 0;
    size_t vn = 0;
    for (const char *q = eq + 1; q < p + n && vn + 1 < sizeof val; q++) {
        if (unescape && *q == '\\' && q + 1 < p + n) {
            q++;
            val[vn++] = *q == 'n' ? '\n' : *q;
        } else {
            val[vn++] = *q;
        }
    }
    val[vn] = 0;
    nd_nsh_env_put(e, name, val); /* a bad line is skipped, as a bad name would be refused */
}

void nd_nsh_env_seed(struct nd_node *n, nd_nsh_all *nn)
{
    const char *s = nd_cfg_get_str(n->cfg, ND_K_nshenv);
    if (s && strncmp(s, "n/a", 3) != 0)
        for (const char *p = s; *p;) {
            size_t k = strcspn(p, ";");
            put_line(&nn->env, p, k, false);
            p += k + (p[k] == ';');
        }
    size_t sz;
    if (nd_fs_size(ND_NSH_ENV_FILE, &sz) != ND_OK || sz > 256 * 1024) return;
    char *buf = malloc(sz + 1);
    size_t got = 0;
    if (buf && nd_fs_read(ND_NSH_ENV_FILE, buf, sz + 1, &got) == ND_OK)
        for (char *p = buf; p < buf + got;) {
            char *e = memchr(p, '\n', (size_t)(buf + got - p));
            size_t k = e ? (size_t)(e - p) : (size_t)(buf + got - p);
            if (k && p[0] != '#') put_line(&nn->env, p, k, true);
            p += k + 1;
        }
    free(buf);
}

/* The session's view (node env under its overlay) becomes the node's
** environment and is written to config/nsh.env atomically. */
int nd_nsh_env_save(struct nd_node *n, const nd_nsh_env *overlay, char *err, size_t errn)
{
    nd_nsh_all *nn = nd_nsh_node_get(n);
    if (!nn) {
        snprintf(err, errn, "out of memory");
        return ND_ENOMEM;
    }
    for (int i = 0; overlay && i < overlay->n; i++) {
        if (overlay->v[i].val) {
            int rc = nd_nsh_env_put(&nn->env, overlay->v[i].name, overlay->v[i].val);
            if (rc) {
                snprintf(err, errn, "%s: %s", overlay->v[i].name, nd_nsh_env_strerror(rc));
                return rc;
            }
        } else {
            nd_nsh_env_del(&nn->env, overlay->v[i].name);
        }
    }
    nd_buf b;
    nd_buf_init(&b, 512 * 1024);
    nd_buf_puts(&b, "# nsh environment, written by `env save`\n");
    for (int i = 0; i < nn->env.n; i++) {
        nd_buf_printf(&b, "%s=", nn->env.v[i].name);
        for (const char *q = nn->env.v[i].val; *q; q++) {
            if (*q == '\n') nd_buf_puts(&b, "\\n");
            else if (*q == '\\') nd_buf_puts(&b, "\\\\");
            else nd_buf_putc(&b, *q);
        }
        nd_buf_putc(&b, '\n');
    }
    int rc = b.overflow ? ND_ELIMIT : nd_fs_write_atomic(ND_NSH_ENV_FILE, b.p, b.n);
    nd_buf_free(&b);
    if (rc) snprintf(err, errn, "cannot write /%s (%d)", ND_NSH_ENV_FILE, rc);
    return rc;
}
