/*
** icpeers.c -- the InterCon password policy (see icpeers.h).
**
** The value is parsed where it is used, at the moment a peer asks for a
** password: no cached copy can go stale, and a value that fails the check
** (it cannot be stored, but be safe) lists nobody: a policy error never
** sends a password.
*/
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "icpeers.h"
#include "text.h"

typedef struct {
    nd_span name, secret;
    bool eq; /* "name=..." form */
} entry;

/* Next non-empty entry from *pp, trimmed; false at the end. */
static bool next_entry(const char **pp, entry *e)
{
    const char *p = *pp;
    for (;;) {
        while (*p == ' ' || *p == ';') p++;
        if (!*p) {
            *pp = p;
            return false;
        }
        const char *s = p, *eq = NULL;
        while (*p && *p != ';') {
            if (*p == '=' && !eq) eq = p;
            p++;
        }
        const char *end = p;
        while (end > s && end[-1] == ' ') end--;
        if (end == s) continue;
        e->eq = eq != NULL;
        const char *ne = eq ? eq : end;
        while (ne > s && ne[-1] == ' ') ne--;
        e->name = (nd_span){s, (size_t)(ne - s)};
        e->secret = (nd_span){end, 0};
        if (eq) {
            const char *v = eq + 1;
            while (v < end && *v == ' ') v++;
            e->secret = (nd_span){v, (size_t)(end - v)};
        }
        *pp = p;
        return true;
    }
}

/* Dotted-quad IPv4 literal (as nd_ipv4_literal) into *ip. */
static bool ipv4(nd_span s, uint32_t *ip)
{
    uint32_t v = 0;
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        unsigned o = 0, digits = 0;
        while (i < s.n && s.p[i] >= '0' && s.p[i] <= '9' && digits < 4)
            o = o * 10 + (unsigned)(s.p[i++] - '0'), digits++;
        if (!digits || digits > 3 || o > 255) return false;
        v = v << 8 | o;
        if (part < 3 && (i >= s.n || s.p[i++] != '.')) return false;
    }
    if (i != s.n) return false;
    *ip = v;
    return true;
}

static bool same_peer(nd_span a, nd_span b)
{
    uint32_t x, y;
    if (ipv4(a, &x) && ipv4(b, &y)) return x == y;
    if (a.n != b.n) return false;
    for (size_t i = 0; i < a.n; i++)
        if (nd_ascii_lower((unsigned char)a.p[i]) != nd_ascii_lower((unsigned char)b.p[i])) return false;
    return true;
}

static bool is_star(nd_span s) { return s.n == 1 && s.p[0] == '*'; }

static bool name_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
}

/* "n/a" or nothing but separators: nobody listed. */
static bool lists_nobody(const char *t)
{
    while (*t == ' ') t++;
    if (!strncmp(t, "n/a", 3)) {
        t += 3;
        while (*t == ' ') t++;
        return *t == 0;
    }
    return false;
}

/* The check's messages name the entry by position and, for a name, the name;
** a secret is never quoted (conf mode and the REST answer show the text). */
static bool validate(const char *text, char *err, size_t errn)
{
    if (strlen(text) > ND_ICPEERS_MAX) {
        snprintf(err, errn, "icpeers may be at most %d characters", ND_ICPEERS_MAX);
        return false;
    }
    if (lists_nobody(text)) return true;
    const char *p = text;
    entry e;
    int k = 0;
    while (next_entry(&p, &e)) {
        k++;
        if (!e.name.n) {
            snprintf(err, errn, "icpeers entry %d: empty name (entries are name, name=secret or *)", k);
            return false;
        }
        if (is_star(e.name)) {
            if (e.eq) {
                snprintf(err, errn, "icpeers entry %d: * takes no secret (it sends appwd to any peer)", k);
                return false;
            }
        } else {
            if (e.name.n > ND_ICPEER_NAME_MAX) {
                snprintf(err, errn, "icpeers entry %d: name longer than %d characters", k,
                         ND_ICPEER_NAME_MAX);
                return false;
            }
            for (size_t i = 0; i < e.name.n; i++)
                if (!name_char(e.name.p[i])) {
                    snprintf(err, errn,
                             "icpeers entry %d: a name may only contain A-Z a-z 0-9 . _ - "
                             "(entries are name, name=secret or *, ';'-separated)", k);
                    return false;
                }
        }
        if (e.eq) {
            if (!e.secret.n) {
                snprintf(err, errn, "icpeers entry %d: empty secret after =", k);
                return false;
            }
            if (e.secret.n > ND_ICPEER_SECRET_MAX) {
                snprintf(err, errn, "icpeers entry %d: secret longer than %d characters", k,
                         ND_ICPEER_SECRET_MAX);
                return false;
            }
            for (size_t i = 0; i < e.secret.n; i++)
                if (e.secret.p[i] <= ' ' || e.secret.p[i] > '~') {
                    snprintf(err, errn,
                             "icpeers entry %d: a secret may only hold printable characters, no spaces", k);
                    return false;
                }
        }
        /* one entry per peer: which of two secrets is meant would be a guess */
        const char *q = text;
        entry f;
        for (int j = 1; j < k && next_entry(&q, &f); j++)
            if (same_peer(f.name, e.name)) {
                snprintf(err, errn, "icpeers entry %d: %.*s is listed twice", k, (int)e.name.n,
                         e.name.p);
                return false;
            }
    }
    return true;
}

/* An image without InterCon has no icpeers key (cfg_keys.def: ND_KEY_WITH),
** so nothing calls this there and the linker drops it. */
const char *nd_icpeers_check(const char *text)
{
    static char err[160];
    return validate(text ? text : "", err, sizeof err) ? NULL : err;
}

int nd_icpeers_pick(const char *policy, const char *host, char *out, size_t outn)
{
    char err[160];
    if (outn) out[0] = 0;
    if (!policy || !host || !*host || lists_nobody(policy) || !validate(policy, err, sizeof err))
        return ND_ICPEER_NONE;
    nd_span h = {host, strlen(host)};
    bool star = false;
    const char *p = policy;
    entry e;
    while (next_entry(&p, &e)) {
        if (is_star(e.name)) {
            star = true;
            continue;
        }
        if (!same_peer(e.name, h)) continue;
        if (!e.eq) return ND_ICPEER_APPWD;
        if (e.secret.n >= outn) return ND_ICPEER_NONE;
        memcpy(out, e.secret.p, e.secret.n);
        out[e.secret.n] = 0;
        return ND_ICPEER_SECRET;
    }
    return star ? ND_ICPEER_APPWD : ND_ICPEER_NONE;
}

void nd_wipe(void *p, size_t n)
{
    volatile unsigned char *v = p;
    while (n--) *v++ = 0;
}
