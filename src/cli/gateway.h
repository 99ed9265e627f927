/*
** gateway.h -- `nodus gateway`: one HTTP endpoint for a whole fleet
** (README "Fleet gateway").
**
** A separate process, not a node: it learns the fleet from the MQTT broker
** (each node's retained <prefix>/status birth/last will, its
** <prefix>/telemetry), from mDNS (_nodus._tcp browse) and from the device
** cache `nodus search` fills, and serves
**   /metrics                     the whole fleet in one scrape, per-node labels
**   /rest/<node>/<module>/...    the node's REST call, micrOS envelope
**   /list/ /status /search/ /sendcmd/<dev>/<cmd> /metrics/<dev>/<cmd>
**                                micrOS Gateway's endpoints (docs/micros-compat.md §10.3)
** Commands reach a node through its MQTT command topic (<prefix>/cmd ->
** <prefix>/reply, matched by id) when the broker knows it, else through a
** ShellCli session (cli_sess) to the address mDNS or the cache gave.
**
** A client program: it may block, with timeouts, and it uses threads (one
** per HTTP connection, bounded; libmosquitto's network thread; an mDNS and
** probe thread; a small pool for /status).
*/
#ifndef ND_GATEWAY_H
#define ND_GATEWAY_H

#include <threads.h> /* not pthread.h: its <sched.h> would find src/core/sched.h */
#include <stdbool.h>
#include <stddef.h>

#include "nodus/value.h"

#define GW_NODES_MAX 4096  /* nodes in the fleet table: more are refused (counted) */
#define GW_TELE_MAX 32     /* telemetry fields kept per node */
#define GW_CONN_MAX 64     /* HTTP connections served at once; more get 503 */
#define GW_WAIT_MAX 256    /* MQTT commands waiting for their reply at once */
#define GW_REPLY_MAX (256 * 1024) /* bytes of one command reply */

enum { GW_SRC_MQTT = 1, GW_SRC_MDNS = 2, GW_SRC_CACHE = 4 };

typedef struct gw_node {
    char name[64];    /* devfid: how URLs name the node */
    char hwuid[64];   /* micrOS uid, "" until known */
    char prefix[160]; /* MQTT topic prefix, "" when the broker does not know it */
    char ip[64];      /* ShellCli address, "" when unknown */
    int port;
    char version[32];
    unsigned src;     /* GW_SRC_* that named it */
    int mqtt_up;      /* -1 unknown, 0 offline (last will), 1 online (birth) */
    bool probe_up;    /* the shell port answered the last probe */
    double seen;      /* wall time of the last sign of life */
    int ntele;
    struct {
        char key[48];
        double v;
    } tele[GW_TELE_MAX];
    double tele_at;   /* wall time of the last telemetry */
} gw_node;

typedef struct gw_opts {
    const char *broker; /* NULL: no MQTT */
    int broker_port;
    const char *mqtt_user;
    const char *mqtt_pwd; /* from the environment, never logged */
    const char *root;     /* topic root: <root>/status ... ("nodus/+") */
    const char *bind;
    int port;
    int timeout_ms;       /* one command's reply */
    int mdns_s;           /* browse period, 0: off */
    const char *node_pwd; /* appwd for ShellCli sessions, from the environment */
} gw_opts;

/* The fleet (gateway_fleet.c). */
typedef struct gw_fleet {
    mtx_t mu;
    gw_node *nodes;
    int n;
    unsigned long refused;   /* nodes past GW_NODES_MAX */
    bool broker_up;
    unsigned long mqtt_msgs; /* messages received */
    double started;
    const gw_opts *o;
} gw_fleet;

extern gw_fleet gw;

double gw_now(void); /* wall clock, s */
int gw_fleet_start(const gw_opts *o);
void gw_fleet_stop(void);
/* Copy of a node by name (devfid, hwuid or prefix), under the lock. */
bool gw_find(const char *name, gw_node *out);
/* Is the node up: the broker's word when it has one, else the probe's. */
bool gw_up(const gw_node *n);
/* Copies of every node (malloc'd, caller frees); count in *n. */
gw_node *gw_snapshot(int *n);
/* Browse mDNS now (/search/): false when a browse is under way. */
bool gw_search_now(void);
double gw_last_search(void);

/* One command on one node. */
typedef struct gw_reply {
    bool ok;       /* an answer came (else err says why) */
    bool state;    /* the node's state (REST envelope) */
    bool json;     /* text is JSON (the result was not a string) */
    char *text;    /* malloc'd */
    double latency;
    char via[8];   /* "mqtt" or "shell" */
    char err[160];
} gw_reply;
void gw_run(const gw_node *n, const char *cmd, gw_reply *r);
void gw_reply_free(gw_reply *r);

/* Prometheus text (gateway_prom.c). */
void gw_prom_fleet(nd_buf *b, double scrape_started);
/* micrOS Gateway's /metrics/<dev>/<cmd> conversion of one reply. */
void gw_prom_micros(nd_buf *b, const char *tag, const char *response);

int nd_cli_gateway(int argc, char **argv); /* argv[0] == "gateway" */

#endif
