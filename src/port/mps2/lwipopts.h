/*
** lwipopts.h -- lwIP 2.1 for the nodus firmware: raw API only (NO_SYS=1, the
** node's loop drives lwIP), IPv4, TCP for the shell and web doors, static
** pools sized for the socket table in net_lwip.c (ND_FW_SOCKS). All of
** lwIP's memory is static: `make footprint` reports it as lwip_ram.
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
#define LWIP_IGMP 0
#define LWIP_DNS 0
#define LWIP_STATS 0
#define LWIP_NETIF_HOSTNAME 0
#define LWIP_TCP_KEEPALIVE 1

#define MEM_ALIGNMENT 4
#define MEM_SIZE (24 * 1024) /* lwIP's heap: outgoing segments (tcp_write copies) */
#define MEMP_NUM_PBUF 16
#define MEMP_NUM_UDP_PCB 4
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

#endif
