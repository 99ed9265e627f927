/*
** mdns_query.h -- the mDNS querier (RFC 6762 5): other hosts' names and
** services, for the node (InterCon >>name.local, through the resolver's
** .local hook in mdns.c) and for the CLI (`nodus exec NAME.local`,
** `nodus search`).
**
** It owns no socket and reads no clock: the caller sends the packets
** nd_mdnsq_poll writes, parses what it receives (nd_dns_parse) and hands
** responses to nd_mdnsq_learn, passing the time in. The node feeds it
** everything its responder hears on port 5353; the CLI asks from an ephemeral
** port (a one-shot querier, RFC 6762 5.1), so responders answer it directly.
**
** Bounded: ND_MDNSQ_CACHE names remembered (the oldest goes), ND_MDNSQ_ASKS
** lookups in flight (more: ND_ELIMIT). A lookup asks again every resend_ms
** -- one lost datagram must not fail it -- and fails with ND_ENOTFOUND after
** timeout_ms.
*/
#ifndef ND_MDNS_QUERY_H
#define ND_MDNS_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns.h"
#include "nodus/port.h"

#include "nodus/opts.h" /* the limits; a port may override them */

typedef struct nd_mdnsq_ask {
    bool used;
    char name[ND_MDNSQ_NAME];
    nd_resolve_fn fn;
    void *ud;
    uint64_t next_send, deadline;
} nd_mdnsq_ask;

typedef struct nd_mdnsq {
    uint32_t timeout_ms, resend_ms;
    uint16_t id; /* message id of the queries (0 for the node's multicast ones) */
    struct {
        char name[ND_MDNSQ_NAME], ip[16];
        uint64_t until; /* ms on the caller's clock; 0 = free */
    } cache[ND_MDNSQ_CACHE];
    nd_mdnsq_ask ask[ND_MDNSQ_ASKS];
} nd_mdnsq;

void nd_mdnsq_init(nd_mdnsq *q, uint32_t timeout_ms, uint32_t resend_ms);

/* NAME -> IPv4: ND_OK with ip filled (remembered answer), ND_EAGAIN after
** starting a lookup -- fn(ud, rc, ip) then runs exactly once, from
** nd_mdnsq_learn (ND_OK), nd_mdnsq_poll or nd_mdnsq_stop (ND_ENOTFOUND),
** unless nd_mdnsq_cancel(*handle) ran first -- ND_ELIMIT when the table is
** full, ND_ENOTFOUND for a name too long to ask. */
int nd_mdnsq_lookup(nd_mdnsq *q, const char *name, uint64_t now, char ip[16], nd_resolve_fn fn,
                    void *ud, void **handle);
void nd_mdnsq_cancel(nd_mdnsq *q, void *handle);

/* A response heard: remember its A records (TTL 0 forgets) and complete
** the lookups waiting for them. */
void nd_mdnsq_learn(nd_mdnsq *q, const nd_dns_msg *m, uint64_t now);

/* Time passes: fails lookups past their deadline; when one is due to ask
** (again), writes its query into buf and returns the length -- call again
** until 0. *wake: when to call next (0: nothing pending). */
size_t nd_mdnsq_poll(nd_mdnsq *q, uint64_t now, uint8_t *buf, size_t cap, uint64_t *wake);

/* End every lookup (fn gets ND_ENOTFOUND). */
void nd_mdnsq_stop(nd_mdnsq *q);

/* A query with one question (QM, class IN); its length, 0 when name is bad. */
size_t nd_mdnsq_write(uint8_t *buf, size_t cap, uint16_t id, const char *name, uint16_t type);

/* ASCII case-insensitive name equality (RFC 6762 16). */
bool nd_mdnsq_same_name(const char *a, const char *b);

/* DNS-SD browse answers: every instance of service svc ("_nodus._tcp.local")
** a response names in a PTR, with its SRV port and TXT keys when the same
** response carries them (a responder adds them, RFC 6763 12.1). */
typedef struct nd_mdnsq_inst {
    char label[64];   /* instance name up to its first dot */
    uint16_t port;    /* SRV port; 0 when absent */
    char hwuid[64], devfid[64], version[32]; /* TXT keys; "" when absent */
} nd_mdnsq_inst;
int nd_mdnsq_instances(const nd_dns_msg *m, const char *svc, nd_mdnsq_inst *out, int max);

#endif
