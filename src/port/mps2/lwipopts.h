/*
** lwipopts.h -- lwIP 2.1 for the nodus firmware: raw API only (NO_SYS=1, the
** node's loop drives lwIP), IPv4, TCP for the shell and web doors, static
** pools sized for the socket table in net_lwip.c (ND_FW_SOCKS); UDP and
** IGMP for mDNS and SNTP (net_lwip.c bounds what UDP may hold), the DNS
** client for host names (dns_lwip.c). All of lwIP's memory is static:
** `make footprint` reports it as lwip_ram.
*/
#ifndef ND_LWIPOPTS_H
#define ND_LWIPOPTS_H

#define NO_SYS 1
#define SYS_LIGHTWEIGHT_PROT 0 /* one thread, no lwIP call from an interrupt */
#define LWIP_SOCKET 0
#define LWIP_NETCONN 0
#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define LWIP_ICMP 1 /* ping answers */
#define LWIP_DHCP 0 /* static 10.0.2.15 (QEMU user network) */
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_RAW 0
/* multicast membership for mDNS (224.0.0.251): the LAN9118 passes all
** multicast (eth_lan9118.c), IGMP tells the switches which groups we want */
#define LWIP_IGMP 1
#define MEMP_NUM_IGMP_GROUP 3 /* all-systems + mDNS + one spare */
/* DNS client for host names (dns_lwip.c; the server is set per lookup).
** Nothing in the min profile resolves names (no SNTP, MQTT or InterCon) */
#ifndef LWIP_DNS
#ifdef ND_PROFILE_MIN
#define LWIP_DNS 0
#else
#define LWIP_DNS 1
#endif
#endif
/* four lookups at once, each with its own table entry and query: lwIP's
** default merges a lookup into a pending one for the same name, whose
** give-up would then come early for the newcomer (dns_lwip.c tells a
** timeout from "no such name" by time: lwIP gives up after DNS_MAX_RETRIES
** queries, 6-7 s). Random query ids and source ports against forged
** answers: a UDP PCB per outstanding query */
#define LWIP_DNS_SECURE (LWIP_DNS_SECURE_RAND_XID | LWIP_DNS_SECURE_RAND_SRC_PORT)
#define DNS_TABLE_SIZE 4
#define DNS_MAX_RETRIES 4
#define DNS_MAX_NAME_LENGTH 64 /* the core's longest name (opts.h ND_HOST_NAME_MAX) */
#define DNS_MAX_SERVERS 1      /* the `nameserver` key, or QEMU's */
#define LWIP_STATS 0
#define LWIP_NETIF_HOSTNAME 0
#define LWIP_TCP_KEEPALIVE 1

#define MEM_ALIGNMENT 4
#define MEM_SIZE (24 * 1024) /* lwIP's heap: outgoing segments (tcp_write copies) */
#define MEMP_NUM_PBUF 16
#if LWIP_DNS
#define MEMP_NUM_UDP_PCB 8 /* mDNS, one SNTP request, four DNS queries, two spare */
#else
#define MEMP_NUM_UDP_PCB 4 /* mDNS, one SNTP request, two spare */
#endif
/* well above the node's socket table (24, net_lwip.c), as closing
** connections keep their PCB for a while: the node refuses (RST) before lwIP
** runs out -- lwIP out of PCBs drops SYNs silently and the client hangs */
#define MEMP_NUM_TCP_PCB 48
#define MEMP_NUM_TCP_PCB_LISTEN 4
#define MEMP_NUM_TCP_SEG 64
#define MEMP_NUM_SYS_TIMEOUT 8
#define PBUF_POOL_SIZE 24
#define PBUF_POOL_BUFSIZE 1536

#define TCP_MSS 1460
#define TCP_WND (4 * TCP_MSS)
#define TCP_SND_BUF (4 * TCP_MSS)
#define TCP_SND_QUEUELEN (4 * TCP_SND_BUF / TCP_MSS)
/* no listen backlog in lwIP: it drops the SYNs past it silently (a burst
** of 20 clients arrives in one poll); the socket table refuses cleanly */
#define TCP_LISTEN_BACKLOG 0
#define LWIP_CHKSUM_ALGORITHM 3
/* no IP fragments either way: TCP keeps to the MSS, UDP datagrams are one
** frame (net_lwip.c: ND_FW_UDP_MAX), and reassembly would hold up to ten
** pool buffers the doors need; a fragment is dropped on arrival */
#define IP_REASSEMBLY 0
#define IP_FRAG 0

#endif
