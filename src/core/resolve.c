/*
** resolve.c -- name resolution chain and host cache (see resolve.h).
**
** The cache is a small fixed table scanned linearly: at ND_HOSTS_MAX
** entries a scan is cheaper than any index, and it never allocates after
** the first use. Only InterCon calls fill it and only the mDNS engine sets
** the .local hook: an image without both (ND_WITH_INTERCON, ND_WITH_MDNS)
** has an empty cache and no hook for ever, and leaves out the code that
** would consult them.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolve.h"

typedef struct nd_host {
    char name[ND_HOST_NAME_MAX];
    char ip[ND_IP_TEXT_MAX]; /* IPv4, or IPv6 learned by an nd_resolve_any caller */
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

bool nd_ipv6_literal(const char *s, char *out, size_t cap)
{
    size_t n = strlen(s);
    if (n >= 2 && s[0] == '[' && s[n - 1] == ']') s++, n -= 2;
    if (n < 2 || n > 45 || n >= cap) return false;
    int colons = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch == ':') colons++;
        else if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F') ||
                   ch == '.'))
            return false;
    }
    if (colons < 2) return false;
    memcpy(out, s, n);
    out[n] = 0;
    return true;
}

/* "node02" matches "node02" and "node02.local"; a dotted name only itself. */
static bool name_match(const char *want, const char *have)
{
    if (!strcmp(want, have)) return true;
    if (strchr(want, '.')) return false;
    size_t k = strlen(want);
    return !strncmp(want, have, k) && have[k] == '.';
}

/* A cached IPv6 answer is only for callers that take one (any); an
** IPv4-only caller goes on down the chain as if it were not cached. */
static bool cache_find(struct nd_resolver *r, const char *name, bool any, char *ip)
{
    for (int i = 0; i < ND_HOSTS_MAX; i++) {
        nd_host *h = &r->hosts[i];
        if (h->used && name_match(name, h->name) && (any || nd_ipv4_literal(h->ip))) {
            h->used = ++r->seq;
            memcpy(ip, h->ip, strlen(h->ip) + 1);
            return true;
        }
    }
    return false;
}

void nd_hosts_learn(struct nd_node *n, const char *name, const char *ip)
{
    struct nd_resolver *r = rs(n);
    if (!r || nd_ipv4_literal(name) || strlen(name) >= ND_HOST_NAME_MAX || strlen(ip) >= ND_IP_TEXT_MAX) return;
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
    if (!ND_WITH_INTERCON || !r) return ND_OK;
    for (int i = 0; i < ND_HOSTS_MAX; i++)
        if (r->hosts[i].used && nd_dict_set(a, dict, r->hosts[i].name, nd_str(a, r->hosts[i].ip)) != ND_OK)
            return ND_ENOMEM;
    return ND_OK;
}

int nd_hosts_find(const char *p, const char *name, char v4[16], char v6[ND_IP_TEXT_MAX])
{
    int found = 0;
    if (!p || !strncmp(p, "n/a", 3)) return 0;
    while (*p) {
        while (*p == ' ' || *p == ';') p++;
        const char *s = p, *eq = NULL;
        while (*p && *p != ';') {
            if (*p == '=' && !eq) eq = p;
            p++;
        }
        if (!eq) continue;
        char key[ND_HOST_NAME_MAX], val[ND_IP_TEXT_MAX + 2]; /* an IPv6 value may be [bracketed] */
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
        if (!name_match(name, key)) continue;
        if (!(found & ND_HOSTS_V4) && nd_ipv4_literal(val)) {
            if (v4) memcpy(v4, val, vn + 1);
            found |= ND_HOSTS_V4;
        } else if (!(found & ND_HOSTS_V6)) {
            char tmp[ND_IP_TEXT_MAX];
            if (nd_ipv6_literal(val, tmp, sizeof tmp)) {
                if (v6) memcpy(v6, tmp, strlen(tmp) + 1);
                found |= ND_HOSTS_V6;
            }
        }
    }
    return found;
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

static int resolve_name(struct nd_node *n, const char *name, bool any, char *ip, nd_resolve_fn fn,
                        void *ud, nd_resolve_job **job)
{
    size_t len = strlen(name);
    *job = NULL;
    if (!len || len >= ND_HOST_NAME_MAX) return ND_EINVAL;
    if (nd_ipv4_literal(name)) {
        memcpy(ip, name, len + 1);
        return ND_OK;
    }
    char v6[ND_IP_TEXT_MAX];
    if (nd_ipv6_literal(name, v6, sizeof v6)) {
        if (any) {
            memcpy(ip, v6, strlen(v6) + 1);
            return ND_OK;
        }
        nd_log(n, "[WARN] resolve: %s is an IPv6 address; this client needs IPv4", name);
        return ND_ENOTFOUND;
    }
    struct nd_resolver *r = NULL;
    if (ND_WITH_INTERCON || ND_WITH_MDNS) {
        if (!(r = rs(n))) return ND_ENOMEM;
        if (ND_WITH_INTERCON && cache_find(r, name, any, ip)) return ND_OK;
    }
    int st = nd_hosts_find(nd_cfg_get_str(n->cfg, ND_K_hosts), name, ip, v6); /* v4 fits ip */
    if (st & ND_HOSTS_V4) return ND_OK; /* IPv4 wins when the name has both */
    if (st & ND_HOSTS_V6) {
        if (any) {
            memcpy(ip, v6, strlen(v6) + 1);
            return ND_OK;
        }
        /* the node's own table says IPv6 only: a clear answer now beats
        ** asking DNS for a name the user pinned here */
        nd_log(n, "[WARN] resolve: %s has only an IPv6 address (%s in hosts); this client needs IPv4",
               name, v6);
        return ND_ENOTFOUND;
    }
    nd_resolve_job *j = calloc(1, sizeof *j);
    if (!j) return ND_ENOMEM;
    j->node = n;
    j->fn = fn;
    j->ud = ud;
    memcpy(j->name, name, len + 1);
    if (ND_WITH_MDNS && r->mdns && ends_with(name, ".local")) { /* A records only: IPv4 answers */
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
    int rc = nd_port_resolve(name, any ? ND_RESOLVE_ANY : 0, job_done, j, &req);
    if (rc != ND_OK) {
        free(j);
        return rc;
    }
    j->kind = JOB_PORT;
    j->handle = req;
    *job = j;
    return ND_EAGAIN;
}

int nd_resolve(struct nd_node *n, const char *name, char ip[16], nd_resolve_fn fn, void *ud,
               nd_resolve_job **job)
{
    return resolve_name(n, name, false, ip, fn, ud, job);
}

int nd_resolve_any(struct nd_node *n, const char *name, char ip[ND_IP_TEXT_MAX], nd_resolve_fn fn,
                   void *ud, nd_resolve_job **job)
{
    return resolve_name(n, name, true, ip, fn, ud, job);
}

void nd_resolve_cancel(nd_resolve_job *j)
{
    if (!j) return;
    if (!ND_WITH_MDNS || j->kind == JOB_PORT) {
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
