/*
** auth.c -- the one authentication decision (auth.h) and the failed-login
** bookkeeping behind it.
**
** Failures are kept per address in a fixed table (ND_AUTH_PEERS_MAX): when
** it is full the entry with the oldest failure that is not locked out gives
** way, so memory stays bounded whatever an attacker does; an attacker with
** more addresses than the table can only make the node forget its own older
** failures, never lock out an address that did not fail.
*/
#include "auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth_hash.h"
#include "cmd.h"
#include "node_int.h"
#include "nodus/port.h"

typedef struct {
    char ip[48];
    uint32_t fails;       /* failures in the current window */
    uint64_t window;      /* start of the window (mono ms) */
    uint64_t last;        /* last failure (mono ms), for replacement */
    uint64_t locked_until;
} peer_entry;

struct nd_auth {
    peer_entry peers[ND_AUTH_PEERS_MAX];
    int npeers;
    nd_auth_stats st;
    bool have_verifier;
    bool warned_write;                  /* the verifier file could not be written: said once */
    char verifier[ND_AUTH_HASH_MAX];    /* auth_hash.h record of appwd */
};

bool nd_auth_on(struct nd_node *n) { return nd_cfg_get_bool(n->cfg, ND_K_auth); }

/* ---- the decision table (README "Security") -------------------------------- */

bool nd_auth_allows(struct nd_node *n, int door, int act, bool authed)
{
    if (authed) return true;
    /* the console is the terminal of whoever started the node: the state
    ** directory is theirs already, a password would protect nothing */
    if (door == ND_AUTH_DOOR_CONSOLE) return act != ND_ACT_SUDO;
    if (act == ND_ACT_SUDO) return false; /* micrOS @sudo: the password, whatever `auth` says */
    if (!nd_auth_on(n)) return true;
    switch (door) {
    case ND_AUTH_DOOR_SHELL:
    case ND_AUTH_DOOR_TELNET: return act == ND_ACT_HELLO; /* so never ND_ACT_NSH */
    case ND_AUTH_DOOR_REST:
        /* micrOS: already-loaded modules and `modules` (not `task`: no task
        ** control before authentication) */
        return act == ND_ACT_LM_CALL || act == ND_ACT_MODULES || act == ND_ACT_REST_INFO;
    case ND_AUTH_DOOR_HTTP: return act == ND_ACT_UI_FILE || act == ND_ACT_REST_INFO;
    case ND_AUTH_DOOR_MQTT:
        /* the broker authenticated whoever may publish to <prefix>/cmd (its
        ** users and ACLs); the door has no password of its own, so every
        ** command passes but nsh, which needs a terminal (@sudo functions
        ** still need pwd=, above) */
        return act != ND_ACT_NSH;
    default: return false;
    }
}

/* A line without the blanks around it (micrOS strips each message). */
static nd_span stripped(const char *line, size_t len)
{
    while (len && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r')) len--;
    while (len && (line[0] == ' ' || line[0] == '\t')) line++, len--;
    return (nd_span){line, len};
}

bool nd_auth_is_hello(const char *line, size_t len) { return nd_span_eq(stripped(line, len), "hello"); }

int nd_auth_classify(struct nd_node *n, const char *line, size_t len)
{
    nd_span t = stripped(line, len);
    line = t.p, len = t.n;
    if (nd_span_eq(t, "hello")) return ND_ACT_HELLO;
    if (nd_span_eq((nd_span){line, len}, "modules")) return ND_ACT_MODULES;
    if (nd_span_eq((nd_span){line, len}, "sh")) return ND_ACT_NSH;
    /* one command only: no pipeline separator, no second line */
    if (memchr(line, ';', len) || memchr(line, '\n', len)) return ND_ACT_COMMAND;
    nd_cmd c;
    char err[64];
    if (nd_cmd_parse(line, len, &c, err, sizeof err) != 0) return ND_ACT_COMMAND;
    if (c.host.n || c.task != ND_TASK_NONE || c.json || c.nwords < 2) return ND_ACT_COMMAND;
    if (nd_span_eq(c.w0, "task")) return ND_ACT_COMMAND;
    int idx;
    if (!nd_registry_find(c.w0.p, c.w0.n, &idx) || !nd_registry_is_loaded(n, idx))
        return ND_ACT_COMMAND;
    /* nodus's update functions install or remove code (README "Updates"): not
    ** part of micrOS's pre-authentication REST surface; the status is */
    if (nd_span_eq(c.w0, "system") && (nd_span_eq(c.w1, "update") || nd_span_eq(c.w1, "update_rollback")))
        return ND_ACT_COMMAND;
    return ND_ACT_LM_CALL;
}

/* ---- password attempts -------------------------------------------------------- */

bool nd_auth_equal(const char *a, size_t an, const char *b)
{
    /* the time taken does not depend on where the guess differs */
    size_t bn = strlen(b);
    unsigned diff = (unsigned)(an ^ bn);
    for (size_t i = 0; i < an; i++) diff |= (unsigned char)a[i] ^ (unsigned char)b[bn ? i % bn : 0];
    return diff == 0;
}

static struct nd_auth *state(struct nd_node *n)
{
    if (!n->auth) n->auth = calloc(1, sizeof *n->auth);
    return n->auth;
}

/* "1.2.3.4:5678" -> "1.2.3.4" ("[::1]:80" -> "::1"; a bare IPv6 address,
** with more than one colon, stays whole). */
static void peer_ip(const char *peer, char *ip, size_t cap)
{
    if (!peer) peer = "?";
    const char *p = peer, *e = strchr(p, ':');
    if (*p == '[') e = strchr(++p, ']');
    else if (e && strchr(e + 1, ':')) e = NULL;
    snprintf(ip, cap, "%.*s", (int)(e ? (size_t)(e - p) : strlen(p)), p);
}

static peer_entry *find(struct nd_auth *a, const char *ip)
{
    for (int i = 0; i < a->npeers; i++)
        if (!strcmp(a->peers[i].ip, ip)) return &a->peers[i];
    return NULL;
}

static peer_entry *add(struct nd_auth *a, const char *ip, uint64_t now)
{
    peer_entry *e = NULL;
    if (a->npeers < ND_AUTH_PEERS_MAX) {
        e = &a->peers[a->npeers++];
    } else {
        for (int i = 0; i < a->npeers; i++) {
            peer_entry *c = &a->peers[i];
            if (c->locked_until > now) continue;
            if (!e || c->last < e->last) e = c;
        }
        if (!e) e = &a->peers[0]; /* every entry locked: the oldest slot */
    }
    *e = (peer_entry){.window = now};
    memcpy(e->ip, ip, sizeof e->ip); /* peer_ip's buffer: the same size, NUL-terminated */
    return e;
}

/* authfails and authlock_s: the schema bounds them (1..86400), an int holds them */
static int cfg_int(struct nd_node *n, nd_key key, int dflt)
{
    int64_t v = nd_cfg_get_int(n->cfg, key);
    return v > 0 && v <= 1000000 ? (int)v : dflt;
}

uint64_t nd_auth_locked_ms(struct nd_node *n, const char *peer)
{
    struct nd_auth *a = state(n);
    if (!a) return 0;
    char ip[48];
    peer_ip(peer, ip, sizeof ip);
    peer_entry *e = find(a, ip);
    uint64_t now = nd_port_mono_ms();
    return e && e->locked_until > now ? e->locked_until - now : 0;
}

void nd_auth_secret_sync(struct nd_node *n)
{
    struct nd_auth *a = state(n);
    if (!a) return;
    const char *pw = nd_cfg_get_str(n->cfg, ND_K_appwd);
    size_t pwn = strlen(pw);
    /* the file's record, read in place: overwritten below unless it is
    ** still appwd's (then its salt stays) */
    char *rec = a->verifier;
    size_t len = 0;
    if (nd_fs_read(ND_AUTH_HASH_FILE, rec, sizeof a->verifier, &len) == ND_OK) {
        while (len && (rec[len - 1] == '\n' || rec[len - 1] == '\r' || rec[len - 1] == ' ')) len--;
        rec[len] = 0;
        if (nd_auth_hash_check(rec, pw, pwn)) {
            a->have_verifier = true;
            return;
        }
    }
    /* a new salt for each new password: equal passwords never look equal */
    uint8_t salt[16];
    nd_port_random(salt, sizeof salt);
    if (nd_auth_hash_make(pw, pwn, salt, ND_AUTH_HASH_ITER, a->verifier, sizeof a->verifier) !=
        ND_OK)
        return;
    a->have_verifier = true;
    /* the file holds the record and a newline: written from the record
    ** itself, its NUL made a newline for the time of the write */
    len = strlen(rec);
    rec[len] = '\n';
    int rc = nd_fs_write_atomic(ND_AUTH_HASH_FILE, rec, len + 1);
    rec[len] = 0;
    if (rc != ND_OK && !a->warned_write) {
        a->warned_write = true; /* the verifier in memory still guards every door */
        nd_log(n, "[WARN] auth: cannot write %s", ND_AUTH_HASH_FILE);
    }
}

int nd_auth_password(struct nd_node *n, const char *peer, const char *guess, size_t len)
{
    struct nd_auth *a = state(n);
    if (!a) /* out of memory: still no way in */
        return nd_auth_equal(guess, len, nd_cfg_get_str(n->cfg, ND_K_appwd)) ? ND_AUTH_OK
                                                                              : ND_AUTH_BAD;
    char ip[48];
    peer_ip(peer, ip, sizeof ip);
    uint64_t now = nd_port_mono_ms();
    peer_entry *e = find(a, ip);
    if (e && e->locked_until > now) { /* refused before hashing: a locked peer costs nothing */
        a->st.refused++;
        return ND_AUTH_LOCKED;
    }
    if (!a->have_verifier) nd_auth_secret_sync(n);
    /* the salted hash, never the plain key, decides (auth_hash.h) */
    if (a->have_verifier && nd_auth_hash_check(a->verifier, guess, len)) return ND_AUTH_OK;
    a->st.failures++;
    if (!e) e = add(a, ip, now);
    if (now - e->window > ND_AUTH_WINDOW_MS) {
        e->window = now;
        e->fails = 0;
    }
    e->last = now;
    int max = cfg_int(n, ND_K_authfails, 5);
    if (++e->fails < (uint32_t)max) {
        nd_log(n, "[WARN] auth: failed login from %s", ip);
        return ND_AUTH_BAD;
    }
    int secs = cfg_int(n, ND_K_authlock_s, 60);
    e->locked_until = now + (uint32_t)secs * 1000u;
    e->fails = 0;
    e->window = now;
    a->st.lockouts++;
    nd_log(n, "[WARN] auth: %s locked out for %d s after %d failed logins", ip, secs, max);
    return ND_AUTH_BAD;
}

void nd_auth_get_stats(struct nd_node *n, nd_auth_stats *st)
{
    memset(st, 0, sizeof *st);
    struct nd_auth *a = n->auth;
    if (!a) return;
    *st = a->st;
    uint64_t now = nd_port_mono_ms();
    for (int i = 0; i < a->npeers; i++)
        if (a->peers[i].locked_until > now) st->locked_now++;
}

void nd_auth_free(struct nd_node *n)
{
    free(n->auth);
    n->auth = NULL;
}
