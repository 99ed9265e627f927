/*
** resolve.c -- name resolution chain and host cache (see resolve.h).
**
** The cache is a small fixed table scanned linearly: at ND_HOSTS_MAX
** entries a scan is cheaper than any index, and it never allocates after
** the first use.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolve.h"

typedef struct nd_host {
    char name[ND_HOST_NAME_MAX];
    char ip[16];
    uint64_t used; /* last use (sequence), 0 = free slot */
} nd_host;

struct nd_resolver {
    nd_host hosts[ND_HOSTS_MAX];
    uint64_t seq;
    nd_mdns_resolve_fn mdns;
    nd_mdns_cancel_fn mdns_cancel;
    void *mdns_ud;
};

enum { JOB_PORT, JOB_MDNS };
struct nd_resolve_job {
    struct nd_node *node;
    int kind;
    void *handle; /* nd_resolve_req or the mDNS engine's handle */
    nd_resolve_fn fn;
    void *ud;
    char name[ND_HOST_NAME_MAX];
};

static struct nd_resolver *rs(struct nd_node *n)
{
    if (!n->resolver) n->resolver = calloc(1, sizeof *n->resolver);
    return n->resolver;
}

void nd_resolver_free(struct nd_node *n)
{
    free(n->resolver);
    n->resolver = NULL;
}

bool nd_ipv4_literal(const char *s)
{
    int parts = 0;
    while (parts < 4) {
        int v = 0, digits = 0;
        while (*s >= '0' && *s <= '9' && digits < 4) v = v * 10 + (*s++ - '0'), digits++;
        if (!digits || digits > 3 || v > 255) return false;
        parts++;
        if (parts < 4 && *s++ != '.') return false;
    }
    return *s == 0;
}

/* "node02" matches "node02" and "node02.local"; a dotted name only itself. */
static bool name_match(const char *want, const char *have)
{
    if (!strcmp(want, have)) return true;
    if (strchr(want, '.')) return false;
    size_t k = strlen(want);
    return !strncmp(want, have, k) && have[k] == '.';
}

static bool cache_find(struct nd_resolver *r, const char *name, char ip[16])
{
    for (int i = 0; i < ND_HOSTS_MAX; i++) {
        nd_host *h = &r->hosts[i];
        if (h->used && name_match(name, h->name)) {
            h->used = ++r->seq;
            memcpy(ip, h->ip, 16);
            return true;
        }
    }
    return false;
}

void nd_hosts_learn(struct nd_node *n, const char *name, const char *ip)
{
    struct nd_resolver *r = rs(n);
    if (!r || nd_ipv4_literal(name) || strlen(name) >= ND_HOST_NAME_MAX || strlen(ip) >= 16) return;
    nd_host *slot = NULL;
    for (int i = 0; i < ND_HOSTS_MAX; i++) {
        nd_host *h = &r->hosts[i];
        if (h->used && !strcmp(h->name, name)) {
            slot = h;
            break;
        }
        if (!slot || h->used < slot->used) slot = h; /* free slot (0) or least recent */
    }
    snprintf(slot->name, sizeof slot->name, "%s", name);
    snprintf(slot->ip, sizeof slot->ip, "%s", ip);
    slot->used = ++r->seq;
}

int nd_hosts_dict(struct nd_node *n, nd_arena *a, nd_value *dict)
{
    struct nd_resolver *r = n->resolver;
    if (!r) return ND_OK;
    for (int i = 0; i < ND_HOSTS_MAX; i++)
        if (r->hosts[i].used && nd_dict_set(a, dict, r->hosts[i].name, nd_str(a, r->hosts[i].ip)) != ND_OK)
            return ND_ENOMEM;
    return ND_OK;
}

/* The `hosts` key: "name=ip;name=ip" (spaces around items ignored). */
static bool static_find(struct nd_node *n, const char *name, char ip[16])
{
    const char *p = nd_cfg_get_str(n->cfg, ND_K_hosts);
    if (!p || !strncmp(p, "n/a", 3)) return false;
    while (*p) {
        while (*p == ' ' || *p == ';') p++;
        const char *s = p, *eq = NULL;
        while (*p && *p != ';') {
            if (*p == '=' && !eq) eq = p;
            p++;
        }
        if (!eq) continue;
        char key[ND_HOST_NAME_MAX], val[16];
        size_t kn = (size_t)(eq - s), vn = (size_t)(p - eq - 1);
        while (kn && s[kn - 1] == ' ') kn--;
        const char *v = eq + 1;
        while (vn && *v == ' ') v++, vn--;
        while (vn && v[vn - 1] == ' ') vn--;
        if (!kn || kn >= sizeof key || !vn || vn >= sizeof val) continue;
        memcpy(key, s, kn);
        key[kn] = 0;
        memcpy(val, v, vn);
        val[vn] = 0;
        if (name_match(name, key) && nd_ipv4_literal(val)) {
            memcpy(ip, val, vn + 1);
            return true;
        }
    }
    return false;
}

static bool ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !strcmp(s + a - b, suf);
}

static void job_done(void *ud, int rc, const char *ip)
{
    nd_resolve_job *j = ud;
    nd_resolve_fn fn = j->fn;
    void *fud = j->ud;
    free(j);
    fn(fud, rc, ip);
}

int nd_resolve(struct nd_node *n, const char *name, char ip[16], nd_resolve_fn fn, void *ud,
               nd_resolve_job **job)
{
    size_t len = strlen(name);
    *job = NULL;
    if (!len || len >= ND_HOST_NAME_MAX) return ND_EINVAL;
    if (nd_ipv4_literal(name)) {
        memcpy(ip, name, len + 1);
        return ND_OK;
    }
    struct nd_resolver *r = rs(n);
    if (!r) return ND_ENOMEM;
    if (cache_find(r, name, ip) || static_find(n, name, ip)) return ND_OK;
    nd_resolve_job *j = calloc(1, sizeof *j);
    if (!j) return ND_ENOMEM;
    j->node = n;
    j->fn = fn;
    j->ud = ud;
    memcpy(j->name, name, len + 1);
    if (r->mdns && ends_with(name, ".local")) {
        int rc = r->mdns(r->mdns_ud, name, ip, job_done, j, &j->handle);
        if (rc == ND_EAGAIN) {
            j->kind = JOB_MDNS;
            *job = j;
            return ND_EAGAIN;
        }
        if (rc != ND_ENOTFOUND) { /* answered (or failed) at once */
            free(j);
            return rc;
        }
    }
    nd_resolve_req *req = NULL;
    int rc = nd_port_resolve(name, job_done, j, &req);
    if (rc != ND_OK) {
        free(j);
        return rc;
    }
    j->kind = JOB_PORT;
    j->handle = req;
    *job = j;
    return ND_EAGAIN;
}

void nd_resolve_cancel(nd_resolve_job *j)
{
    if (!j) return;
    if (j->kind == JOB_PORT) {
        nd_port_resolve_cancel(j->handle);
    } else {
        struct nd_resolver *r = j->node->resolver;
        if (r && r->mdns_cancel) r->mdns_cancel(r->mdns_ud, j->handle);
    }
    free(j);
}

void nd_resolve_set_mdns(struct nd_node *n, nd_mdns_resolve_fn resolve, nd_mdns_cancel_fn cancel,
                         void *hook_ud)
{
    struct nd_resolver *r = rs(n);
    if (!r) return;
    r->mdns = resolve;
    r->mdns_cancel = cancel;
    r->mdns_ud = hook_ud;
}

int nd_node_hosts(struct nd_node *n, nd_arena *a, nd_value *dict) { return nd_hosts_dict(n, a, dict); }
