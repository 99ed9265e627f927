/*
** auth.h -- the one authentication decision of the node, for every door.
**
** Doors never compare passwords or decide on their own what an anonymous
** client may do. They ask here, in two steps:
**
**   1. nd_auth_password(): a password attempt from a peer address (the
**      shell's first message, the web's x-micros-auth or Authorization
**      header, telnet's login later). It is compared in constant time, and
**      failures are rate-limited per address: after `authfails` failures
**      within a minute the address is locked out on every door for
**      `authlock_s` seconds (even the right password is refused then). A
**      failed attempt's reply is held back ND_AUTH_FAIL_DELAY_MS by the door.
**
**   2. nd_auth_allows(): may this door run this class of action, given
**      whether the client authenticated? The table in auth.c is the README's
**      "Security" table; nothing else in the core decides access.
**
** Command lines are classified by nd_auth_classify(): a line that is not
** exactly one of the few classes allowed before authentication (bare
** `hello`, a call of an already-loaded module with no postfix, `modules`)
** is ND_ACT_COMMAND, which needs authentication whenever `auth` is on.
*/
#ifndef ND_AUTH_H
#define ND_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nd_node;
struct nd_buf;

#include "nodus/opts.h" /* the limits; a port may override them */

/* Doors, as the decision table knows them. */
enum {
    ND_AUTH_DOOR_SHELL,  /* micrOS shell on socport; InterCon requests arriving use it too */
    ND_AUTH_DOOR_REST,   /* GET /rest/<command> */
    ND_AUTH_DOOR_HTTP,   /* every other HTTP endpoint */
    ND_AUTH_DOOR_TELNET, /* nsh over telnet: login first, the shell's rules */
    ND_AUTH_DOOR_MQTT,   /* MQTT <prefix>/cmd (mqtt.c): the broker authenticates */
    ND_AUTH_DOOR_CONSOLE, /* the node's own stdin terminal: whoever started the process */
    ND_AUTH_NDOORS
};

/* Classes of action. */
enum {
    ND_ACT_HELLO,     /* the bare line `hello` */
    ND_ACT_LM_CALL,   /* a function of an already-loaded module, no postfix, one command */
    ND_ACT_MODULES,   /* the bare line `modules` */
    ND_ACT_COMMAND,   /* any other line: built-ins, conf, task, postfixes, InterCon, ... */
    ND_ACT_REST_INFO, /* GET /rest: name, version, auth flag */
    ND_ACT_UI_FILE,   /* the web UI's own files (no node data in them) */
    ND_ACT_FS_READ,   /* /fs listings and downloads */
    ND_ACT_FS_WRITE,  /* /fs uploads and deletes outside $modules */
    ND_ACT_SUDO,      /* /config, /config/reboot, $modules writes: micrOS @sudo, always */
    ND_ACT_EVENTS,    /* /events live stream */
    ND_ACT_METRICS,   /* /metrics */
    ND_ACT_NSH,       /* enter nsh, the scripted shell (`sh`, a telnet session) */
    ND_AUTH_NACTS
};

/* nd_auth_password() results. */
enum { ND_AUTH_OK, ND_AUTH_BAD, ND_AUTH_LOCKED };

/* Is authentication on (`auth`)? */
bool nd_auth_on(struct nd_node *n);
/* The decision: may `door` run `act` for a client that did (authed) or did
** not authenticate? */
bool nd_auth_allows(struct nd_node *n, int door, int act, bool authed);
/* The class of one command line (trimmed). */
int nd_auth_classify(struct nd_node *n, const char *line, size_t len);
/* nd_auth_classify(line) == ND_ACT_HELLO, without the rest of the
** classification: a door that lets nothing else pass before authentication
** (the shell's) needs only this, and an image without REST and MQTT leaves
** the classifier out. */
bool nd_auth_is_hello(const char *line, size_t len);
/* A password attempt from `peer` ("ip" or "ip:port"). Counts, locks out and
** logs; constant time in the guess. */
int nd_auth_password(struct nd_node *n, const char *peer, const char *guess, size_t len);
/* The verifier (auth_hash.h): derive it again from `appwd` when that is not
** what config/.appwd.hash holds. At start and after `appwd` changed. */
void nd_auth_secret_sync(struct nd_node *n);
/* Milliseconds the address is still locked out for (0: not locked). */
uint64_t nd_auth_locked_ms(struct nd_node *n, const char *peer);
/* Constant-time comparison of a guess with a secret. */
bool nd_auth_equal(const char *guess, size_t len, const char *secret);
/* Prometheus lines of the auth counters (metrics.c asks). */
typedef struct nd_auth_stats {
    uint64_t failures;   /* wrong passwords */
    uint64_t lockouts;   /* addresses locked out */
    uint64_t refused;    /* attempts refused because the address was locked */
    uint64_t locked_now; /* addresses locked out right now */
} nd_auth_stats;
void nd_auth_get_stats(struct nd_node *n, nd_auth_stats *st);
void nd_auth_free(struct nd_node *n);

#endif
