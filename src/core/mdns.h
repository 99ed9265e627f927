/*
** mdns.h -- the node's mDNS responder (RFC 6762) and DNS-SD records (RFC 6763).
**
** With `mdns` on (the default) the node answers for <devfid>.local (A, and
** AAAA on links with IPv6), and advertises
**   _nodus._tcp  <name>._nodus._tcp.local  SRV -> shell port,
**                TXT version=, hwuid=, devfid=, webport= (0 when the web UI is off)
**   _http._tcp   <name>._http._tcp.local   SRV -> web port, TXT path=/ (web UI on)
**   _services._dns-sd._udp.local PTR to each service type.
** It probes before claiming the name; when another host holds it, the node
** takes <devfid>-2, then -3, ... (host and instance names alike) and logs it.
** It announces twice after probing and when the interface addresses change,
** answers queries for as long as it runs (no periodic chatter), and says
** goodbye (TTL 0) on shutdown.
**
** Links: with bind 0.0.0.0 every up, multicast-capable interface, each
** answered with its own addresses; with a specific bind address only the
** interface holding it, answered with that address only (the shell is not
** reachable elsewhere). A loopback-only node (bind 127.0.0.1) stays silent.
*/
#ifndef ND_MDNS_H
#define ND_MDNS_H

#include <stdbool.h>

struct nd_node;

int nd_mdns_start(struct nd_node *n); /* ND_OK also when no link is usable yet */
void nd_mdns_stop(struct nd_node *n); /* goodbye, close, free */
/* `mdns` or `devfid` changed (cfg_apply.c): start or stop the responder as
** `mdns` now says; a running one whose devfid changed says goodbye for the
** old names, then probes and announces the new ones (a conflict renames as
** at start). */
void nd_mdns_config_changed(struct nd_node *n);
/* The host name claimed ("node01.local", "node01-2.local"); "" while probing
** or when the responder is off. */
const char *nd_mdns_hostname(struct nd_node *n);

#endif
