/*
** cli_mdns.h -- one-shot mDNS for the CLI (RFC 6762 5.1): the node's
** querier (src/core/mdns_query.h) over a UDP socket on an ephemeral port, so
** responders answer us directly and nothing here needs port 5353.
*/
#ifndef ND_CLI_MDNS_H
#define ND_CLI_MDNS_H

#include "mdns_query.h"

/* NAME.local -> IPv4 text within timeout_ms: 0, or -1 (no answer). */
int cli_mdns_resolve(const char *name, char ip[16], int timeout_ms);

/* Browse service svc for timeout_ms: fn gets each instance of each
** answer, with the address it came from (duplicates included). */
typedef void (*cli_mdns_found_fn)(void *ud, const nd_mdnsq_inst *in, const char *ip);
void cli_mdns_browse(const char *svc, int timeout_ms, cli_mdns_found_fn fn, void *ud);

#endif
