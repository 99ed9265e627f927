/*
** resolve.h -- host name to address without blocking the loop, and the
** node's host cache (`system hosts`).
**
** Two entry points, because most callers hold the answer in 16 bytes and
** speak IPv4 only (SNTP, ping, micrOS peers are IPv4): nd_resolve answers
** dotted IPv4 and nothing else, ever; nd_resolve_any also answers an IPv6
** address (text up to ND_IP_TEXT_MAX = 46 bytes with the NUL, both in ip
** and in fn's ip) when the name has no IPv4 one -- IPv4 still wins when
** both exist. A name that has only IPv6 gives an IPv4-only caller
** ND_ENOTFOUND (and, when the node's own data says so -- an IPv6 literal or
** a `hosts` entry -- one [WARN] log line naming the reason), never a cut
** address.
**
** nd_resolve tries, in order (docs/micros-compat.md §5.2 step 1, extended):
**   1. an IPv4 literal (or, for nd_resolve_any, an IPv6 one, brackets
**      allowed): the answer itself;
**   2. the host cache: name->ip pairs learned from successful InterCon
**      calls; a bare name without a dot also matches a cached
**      "name.<domain>" (micrOS matches bare names against its cache);
**   3. the `hosts` config key: static "name=ip" pairs, ';'-separated
**      (ip IPv4 or IPv6; nd_hosts_find),
**      (a node-local /etc/hosts that survives reboots and needs no DNS);
**   4. names ending in ".local": the mDNS hook, when the mDNS engine has
**      set one (nd_resolve_set_mdns) -- its cache answers at once, or it
**      queries and answers later;
**   5. the port's resolver (nd_port_resolve: getaddrinfo off the loop;
**      AF_UNSPEC for nd_resolve_any).
** The mDNS querier asks A records only: a `.local` name with only AAAA
** records is not found through it.
** Steps 1-3 answer synchronously; 4-5 may answer later through fn.
*/
#ifndef ND_RESOLVE_H
#define ND_RESOLVE_H

#include <stdbool.h>

#include "node_int.h"
#include "nodus/port.h"

#include "nodus/opts.h" /* the limits; a port may override them */

typedef struct nd_resolve_job nd_resolve_job;

/* ND_OK: ip filled now. ND_EAGAIN: fn(ud, rc, ip) will run later from the
** loop (*job set; nd_resolve_cancel stops it). Other negative codes:
** failed now (ND_EINVAL bad name, ND_ELIMIT resolver queue full, ND_ENOMEM). */
int nd_resolve(struct nd_node *n, const char *name, char ip[16], nd_resolve_fn fn, void *ud,
               nd_resolve_job **job);
/* The same for callers that can dial IPv6 (nd_net_connect takes both):
** ip and fn's ip are up to ND_IP_TEXT_MAX bytes. */
int nd_resolve_any(struct nd_node *n, const char *name, char ip[ND_IP_TEXT_MAX], nd_resolve_fn fn,
                   void *ud, nd_resolve_job **job);
void nd_resolve_cancel(nd_resolve_job *job);
bool nd_ipv4_literal(const char *s);
/* "::1", "[fe80::1]", "::ffff:10.0.0.1": an IPv6 literal by its characters
** (hex digits, ':' -- at least two -- and '.'; 45 at most), copied without
** brackets into out (cap bytes). The port refuses a malformed one when it
** dials. */
bool nd_ipv6_literal(const char *s, char *out, size_t cap);

/* The `hosts` value ("name=ip;name=ip", spaces around items ignored): the
** first IPv4 entry for name into v4 and the first IPv6 one into v6 (either
** may be NULL). Returns ND_HOSTS_V4 | ND_HOSTS_V6 bits for what was found;
** entries whose address is neither literal are skipped. */
enum { ND_HOSTS_V4 = 1, ND_HOSTS_V6 = 2 };
int nd_hosts_find(const char *hosts, const char *name, char v4[16], char v6[ND_IP_TEXT_MAX]);

/* Host cache. */
void nd_hosts_learn(struct nd_node *n, const char *name, const char *ip);
int nd_hosts_dict(struct nd_node *n, nd_arena *a, nd_value *dict); /* name: ip items */
void nd_resolver_free(struct nd_node *n);

/* The mDNS engine's hook for ".local" names. resolve returns ND_OK with ip
** filled (cache hit), ND_EAGAIN after starting a query -- it must then call
** fn(ud, rc, ip) exactly once from the loop unless cancel(hook_ud, *handle)
** ran first -- or ND_ENOTFOUND to let the port's resolver try. */
typedef int (*nd_mdns_resolve_fn)(void *hook_ud, const char *name, char ip[16], nd_resolve_fn fn,
                                  void *ud, void **handle);
typedef void (*nd_mdns_cancel_fn)(void *hook_ud, void *handle);
void nd_resolve_set_mdns(struct nd_node *n, nd_mdns_resolve_fn resolve, nd_mdns_cancel_fn cancel,
                         void *hook_ud);

#endif
