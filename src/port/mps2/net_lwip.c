/*
** net_lwip.c -- the port's non-blocking sockets (port.h) over lwIP's raw
** TCP API, driven by the node's loop (NO_SYS=1: lwIP runs only inside
** nd_fw_net_poll and the nd_net_* calls, never from an interrupt).
**
** lwIP pushes (callbacks on arrival, on error); port.h's contract is
** readiness, like poll(): each socket keeps what lwIP handed it (received
** pbufs, end of stream, error) and nd_fw_net_dispatch calls the owner's
** callback while the socket is ready for what it watches (level-triggered).
** A connection is given its socket when lwIP accepts it, so bytes that
** arrive before the node calls nd_net_accept are kept, not refused. The
** socket table is static (ND_FW_SOCKS) and smaller than lwIP's PCB pool: a
** connection past it is reset at once ("refused cleanly"), the admitted
** ones go on.
**
** UDP (mDNS, SNTP) shares the table: lwIP hands each datagram over as a
** pbuf, kept whole in the socket's small ring until nd_udp_recvfrom copies
** it out. Received pbufs come from the pool the TCP doors live on, so the
** rings are bounded twice -- ND_FW_UDP_RING per socket and ND_FW_UDP_HELD in
** all -- and a datagram past either is dropped and counted, never queued
** at the doors' expense. IPv4 only (lwipopts.h: LWIP_IPV6 0).
*/
#include <stdio.h>
#include <string.h>

#include "dns_lwip.h"
#include "lwip/igmp.h"
#include "lwip/init.h"
#include "lwip/ip4_addr.h"
#include "lwip/netif.h"
#include "lwip/tcp.h"
#include "lwip/timeouts.h"
#include "lwip/udp.h"
#include "mps2.h"
#include "netif/ethernet.h"
#include "nodus/opts.h" /* ND_FW_SOCKS may come from nd_port_opts.h */
#include "nodus/port.h"

#ifndef ND_FW_SOCKS
#define ND_FW_SOCKS 24 /* TCP sockets, listeners included (lwipopts.h: MEMP_NUM_TCP_PCB) */
#endif
#define ND_FW_BACKLOG 20 /* accepted connections a listener holds for nd_net_accept */
/* Input is readable when the sender's write is complete (see ready()), or
** when this much is queued, or after this long without the rest */
#define ND_FW_RX_WHOLE 4096
#define ND_FW_RX_WAIT_MS 20
/* UDP: datagrams a socket holds unread, and all sockets together (each
** holds a 1536-byte pool buffer: PBUF_POOL_SIZE in lwipopts.h is 24) */
#define ND_FW_UDP_RING 4
#define ND_FW_UDP_HELD 8
/* one Ethernet frame's payload: mDNS and SNTP never need more (lwipopts.h
** has no IP reassembly, so this only guards against a change there) */
#define ND_FW_UDP_MAX 1472
#define ND_FW_UDP_GROUPS 2 /* multicast groups one socket joins (mDNS: one) */
#define ND_FW_UDP_LOG_MS 5000 /* drop reports on the UART: at most this often */
/* UDP's only users are SNTP and mDNS: an image without both (min) has no
** UDP socket, and the table's UDP paths compile to nothing */
#define ND_FW_UDP (ND_WITH_SNTP || ND_WITH_MDNS)

enum { K_FREE, K_TCP, K_LISTEN, K_UDP };

/* one datagram waiting in a UDP socket's ring */
typedef struct {
    struct pbuf *p;
    uint32_t ip; /* sender, network byte order */
    uint16_t port;
} nd_dgram;

struct nd_sock {
    uint8_t kind;
    bool connecting, eof;
    bool push;      /* rx holds the end of a sender's write (TCP PSH) */
    uint32_t rx_ms; /* when the last segment arrived */
    int err; /* ND_ECLOSED / ND_EIO once lwIP reported an error (the pcb is gone) */
    struct tcp_pcb *pcb;
    struct pbuf *rx; /* received, not yet read */
    nd_sock_fn fn;
    void *ud;
    int events;
    union {
        struct { /* listener: accepted sockets waiting for nd_net_accept, oldest first */
            nd_sock *pend[ND_FW_BACKLOG];
            int npend;
        };
        struct { /* UDP (in place of the backlog: the table does not grow) */
            struct udp_pcb *upcb;
            nd_dgram ring[ND_FW_UDP_RING];
            uint8_t head, nq;
            uint32_t groups[ND_FW_UDP_GROUPS]; /* joined, network byte order; 0 = free */
            uint32_t full, big, told; /* dropped: ring or pool share full, oversize; reported */
        };
    };
    char peer[24];
};

static nd_sock socks[ND_FW_SOCKS];
static struct netif nif;
static int udp_held;           /* datagrams in all rings (ND_FW_UDP_HELD) */
static uint32_t udp_told_ms;   /* last drop report on the UART */

static nd_sock *sock_new(int kind)
{
    for (int i = 0; i < ND_FW_SOCKS; i++)
        if (socks[i].kind == K_FREE) {
            memset(&socks[i], 0, sizeof socks[i]);
            socks[i].kind = (uint8_t)kind;
            return &socks[i];
        }
    return NULL;
}

int nd_net_open_count(void)
{
    int n = 0;
    for (int i = 0; i < ND_FW_SOCKS; i++) n += socks[i].kind != K_FREE;
    return n;
}

/* ---- lwIP callbacks ---------------------------------------------------- */
static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    nd_sock *s = arg;
    if (!s) { /* the socket was closed under lwIP's feet: nobody reads */
        if (p) pbuf_free(p);
        return ERR_OK;
    }
    if (!p || err != ERR_OK) {
        if (p) pbuf_free(p);
        s->eof = true;
        return ERR_OK;
    }
    for (struct pbuf *q = p; q; q = q->next)
        if (q->flags & PBUF_FLAG_PUSH) s->push = true;
    s->rx_ms = (uint32_t)nd_port_mono_ms();
    if (s->rx) pbuf_cat(s->rx, p);
    else s->rx = p;
    /* ACK at once (lwIP sends it when tcp_input returns): with delayed ACKs
    ** (250 ms) a sender in slow start stalls mid-line, and the shell takes a
    ** line cut by a pause over ND_TAIL_MS for a whole command */
    tcp_set_flags(pcb, TF_ACK_NOW);
    return ERR_OK;
}

static void on_err(void *arg, err_t err)
{
    nd_sock *s = arg;
    if (!s) return;
    s->pcb = NULL; /* lwIP freed it */
    s->err = (err == ERR_RST || err == ERR_ABRT || err == ERR_CLSD) ? ND_ECLOSED : ND_EIO;
    s->connecting = false;
}

static void adopt(nd_sock *s, struct tcp_pcb *pcb)
{
    s->pcb = pcb;
    tcp_arg(pcb, s);
    tcp_recv(pcb, on_recv);
    tcp_err(pcb, on_err);
    tcp_nagle_disable(pcb); /* replies are small and whole: send at once (TCP_NODELAY) */
}

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
    nd_sock *ls = arg;
    if (err != ERR_OK || !pcb) return ERR_VAL;
    nd_sock *s = (ls && ls->npend < ND_FW_BACKLOG) ? sock_new(K_TCP) : NULL;
    if (!s) { /* table or backlog full: refuse now, with a reset */
        tcp_abort(pcb);
        return ERR_ABRT;
    }
    adopt(s, pcb);
    snprintf(s->peer, sizeof s->peer, "%s:%u", ip4addr_ntoa(ip_2_ip4(&pcb->remote_ip)),
             pcb->remote_port);
    ls->pend[ls->npend++] = s;
    return ERR_OK;
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
    nd_sock *s = arg;
    (void)pcb;
    if (s) {
        s->connecting = false;
        if (err != ERR_OK) s->err = ND_ECLOSED;
    }
    return ERR_OK;
}

/* ---- port.h: TCP ------------------------------------------------------- */
/* A listening PCB on ip:port handing connections to fn(arg): the node's
** doors and the bench echo. */
static int listen_on(const ip_addr_t *ip, int port, tcp_accept_fn fn, void *arg,
                     struct tcp_pcb **out)
{
    struct tcp_pcb *pcb = tcp_new();
    if (!pcb) return ND_ELIMIT;
    int rc = ND_EIO;
    if (tcp_bind(pcb, ip, (u16_t)port) == ERR_OK) {
        struct tcp_pcb *lp = tcp_listen(pcb); /* frees pcb when it succeeds */
        if (lp) {
            tcp_arg(lp, arg);
            tcp_accept(lp, fn);
            *out = lp;
            return ND_OK;
        }
        rc = ND_ELIMIT;
    }
    tcp_close(pcb);
    return rc;
}

/* a new socket is set up: its owner, what it watches, and the caller's handle */
static int opened(nd_sock *s, nd_sock_fn fn, void *ud, int events, nd_sock **out)
{
    nd_net_watch(s, fn, ud, events);
    *out = s;
    return ND_OK;
}

int nd_net_listen(const char *host, int port, int backlog, nd_sock_fn fn, void *ud, nd_sock **out)
{
    (void)backlog;
    ip_addr_t a;
    if (!host || !*host) host = "0.0.0.0";
    if (!ip4addr_aton(host, &a)) return ND_EINVAL;
    nd_sock *s = sock_new(K_LISTEN);
    if (!s) return ND_ELIMIT;
    int rc = listen_on(&a, port, on_accept, s, &s->pcb);
    if (rc != ND_OK) {
        s->kind = K_FREE;
        return rc;
    }
    return opened(s, fn, ud, ND_EV_READ, out);
}

int nd_net_local_port(nd_sock *s) { return s && s->pcb ? s->pcb->local_port : -1; }

int nd_net_accept(nd_sock *ls, nd_sock **out, char *peer, size_t peern)
{
    if (!ls->npend) return ND_EAGAIN;
    nd_sock *s = ls->pend[0];
    memmove(ls->pend, ls->pend + 1, (size_t)(--ls->npend) * sizeof ls->pend[0]);
    if (peer && peern) snprintf(peer, peern, "%s", s->peer);
    *out = s;
    return ND_OK;
}

int nd_net_connect(const char *host, int port, nd_sock_fn fn, void *ud, nd_sock **out)
{
    ip_addr_t a;
    if (!host || !ip4addr_aton(host, &a)) return ND_EINVAL;
    nd_sock *s = sock_new(K_TCP);
    if (!s) return ND_ELIMIT;
    struct tcp_pcb *pcb = tcp_new();
    if (!pcb) {
        s->kind = K_FREE;
        return ND_ELIMIT;
    }
    adopt(s, pcb);
    s->connecting = true;
    if (tcp_connect(pcb, &a, (u16_t)port, on_connected) != ERR_OK) {
        tcp_arg(pcb, NULL);
        tcp_abort(pcb);
        s->kind = K_FREE;
        return ND_ELIMIT;
    }
    return opened(s, fn, ud, ND_EV_WRITE, out);
}

int nd_net_error(nd_sock *s) { return s->err; }

void nd_net_watch(nd_sock *s, nd_sock_fn fn, void *ud, int events)
{
    s->fn = fn;
    s->ud = ud;
    s->events = events;
}

/* lwIP takes more to send: room in the buffer and in the segment queue */
static bool can_send(const struct tcp_pcb *pcb)
{
    return tcp_sndbuf(pcb) > 0 && tcp_sndqueuelen(pcb) < TCP_SND_QUEUELEN - 1;
}

long nd_net_send(nd_sock *s, const void *p, size_t n)
{
    if (!s->pcb || s->err) return ND_ECLOSED;
    if (s->connecting) return ND_EAGAIN;
    if (!can_send(s->pcb)) return ND_EAGAIN;
    size_t room = tcp_sndbuf(s->pcb);
    size_t k = n < room ? n : room;
    if (k > 0xffffu) k = 0xffffu;
    err_t e = tcp_write(s->pcb, p, (u16_t)k, TCP_WRITE_FLAG_COPY);
    if (e == ERR_MEM) {
        tcp_output(s->pcb); /* what is queued goes, and frees room */
        return ND_EAGAIN;
    }
    if (e != ERR_OK) return ND_ECLOSED;
    tcp_output(s->pcb);
    return (long)k;
}

long nd_net_recv(nd_sock *s, void *p, size_t n)
{
    if (s->rx) {
        size_t k = n < s->rx->tot_len ? n : s->rx->tot_len;
        if (k > 0xffffu) k = 0xffffu;
        pbuf_copy_partial(s->rx, p, (u16_t)k, 0);
        s->rx = pbuf_free_header(s->rx, (u16_t)k);
        if (!s->rx) s->push = false;
        if (s->pcb) tcp_recved(s->pcb, (u16_t)k); /* open the window again */
        return (long)k;
    }
    if (s->err) return ND_ECLOSED;
    if (s->eof || !s->pcb) return 0;
    return ND_EAGAIN;
}

/* a connection's PCB let go: no more callbacks; the node's sockets and the
** bench echo's */
static void close_pcb(struct tcp_pcb *pcb)
{
    tcp_arg(pcb, NULL);
    tcp_recv(pcb, NULL);
    tcp_err(pcb, NULL);
    /* A closing connection keeps its PCB until the peer closes too (FIN_WAIT_2
    ** up to 20 s): lowest priority, so that lwIP, out of PCBs, resets the
    ** oldest of these for a newcomer instead of dropping the newcomer's SYN */
    tcp_setprio(pcb, TCP_PRIO_MIN);
    /* unread input makes this a reset, as close() does on POSIX */
    if (tcp_close(pcb) != ERR_OK) tcp_abort(pcb);
}

static void drop_pcb(nd_sock *s)
{
    if (!s->pcb) return;
    struct tcp_pcb *pcb = s->pcb;
    s->pcb = NULL;
    if (s->kind == K_LISTEN) {
        tcp_arg(pcb, NULL);
        tcp_accept(pcb, NULL);
        tcp_close(pcb);
        return;
    }
    close_pcb(pcb);
}

static void udp_close_sock(nd_sock *s);

void nd_net_close(nd_sock *s)
{
    if (!s || s->kind == K_FREE) return;
    if (ND_FW_UDP && s->kind == K_UDP) {
        udp_close_sock(s);
        s->kind = K_FREE;
        return;
    }
    if (s->kind == K_LISTEN)
        for (int i = 0; i < s->npend; i++) nd_net_close(s->pend[i]);
    drop_pcb(s);
    if (s->rx) pbuf_free(s->rx);
    s->rx = NULL;
    s->kind = K_FREE;
}

void nd_net_shutdown(nd_sock *s)
{
    if (s && s->pcb && s->kind == K_TCP) tcp_shutdown(s->pcb, 0, 1);
}

void nd_net_set_sndbuf(nd_sock *s, int bytes)
{
    /* lwIP's send buffer is TCP_SND_BUF already: nothing to shrink */
    (void)s;
    (void)bytes;
}

/* ---- readiness --------------------------------------------------------- */
static int ready(nd_sock *s)
{
    int ev = 0;
    if (s->kind == K_LISTEN) return s->npend ? ND_EV_READ : 0;
    if (ND_FW_UDP && s->kind == K_UDP) /* sending never waits: lwIP copies or refuses at once */
        return s->events & ((s->nq ? ND_EV_READ : 0) | ND_EV_WRITE);
    bool dead = s->err || !s->pcb;
    /* A segment is not a message: the shell door takes bytes that come
    ** alone in one read without a newline for a whole micrOS command, so a
    ** line cut into MSS-sized segments must not be handed over piecemeal.
    ** Received bytes become readable once the sender's write is complete
    ** (PSH, set on the last segment of each write), once a line's worth is
    ** queued, or when the rest has not come within ND_FW_RX_WAIT_MS. */
    bool rx_ready = s->rx && (s->push || s->rx->tot_len >= ND_FW_RX_WHOLE ||
                              (uint32_t)nd_port_mono_ms() - s->rx_ms >= ND_FW_RX_WAIT_MS);
    if ((s->events & ND_EV_READ) && (rx_ready || s->eof || dead)) ev |= ND_EV_READ;
    if (s->events & ND_EV_WRITE) {
        if (dead) ev |= ND_EV_WRITE | ND_EV_READ;
        else if (!s->connecting && can_send(s->pcb))
            ev |= ND_EV_WRITE;
    }
    return ev & (s->events | (dead ? ND_EV_READ : 0));
}

static void udp_report_drops(void);

int nd_fw_net_dispatch(void)
{
    int calls = nd_fw_dns_dispatch(); /* lookups lwIP answered (dns_lwip.c) */
    if (ND_FW_UDP) udp_report_drops();
    for (int i = 0; i < ND_FW_SOCKS; i++) {
        nd_sock *s = &socks[i];
        if (s->kind == K_FREE || !s->fn || !s->events) continue;
        int ev = ready(s);
        if (!ev) continue;
        calls++;
        s->fn(s, ev, s->ud);
    }
    return calls;
}

/* ---- the interface ----------------------------------------------------- */
static err_t eth_init(struct netif *n) { return (err_t)nd_fw_eth_init(n); }

u32_t sys_now(void) { return (u32_t)nd_port_mono_ms(); }

void nd_fw_net_init(void)
{
    lwip_init();
    ip4_addr_t ip, mask, gw;
    IP4_ADDR(&ip, 10, 0, 2, 15); /* QEMU user networking's guest address */
    IP4_ADDR(&mask, 255, 255, 255, 0);
    IP4_ADDR(&gw, 10, 0, 2, 2);
    if (!netif_add(&nif, &ip, &mask, &gw, NULL, eth_init, ethernet_input)) {
        nd_fw_diag("[ERR] network: no LAN9118 found\r\n");
        return;
    }
    netif_set_default(&nif);
    netif_set_up(&nif);
    netif_set_link_up(&nif);
}

/* "%02x:%02x:%02x:%02x:%02x:%02x" of the interface's MAC (ifconfig, the
** machine id): straight from the netif, which has it from nd_fw_net_init on */
void nd_fw_mac_text(char out[18])
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 6; i++) {
        out[3 * i] = hex[nif.hwaddr[i] >> 4];
        out[3 * i + 1] = hex[nif.hwaddr[i] & 15];
        out[3 * i + 2] = i < 5 ? ':' : 0;
    }
}

int nd_fw_net_poll(void)
{
    int n = 0;
    if (netif_is_up(&nif)) n = nd_fw_eth_poll(&nif);
    sys_check_timeouts();
    return n;
}

/* ---- the bare lwIP echo (bench: the shell's round trip against this) ---- */
static err_t echo_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    (void)arg;
    if (!p || err != ERR_OK) {
        if (p) pbuf_free(p);
        close_pcb(pcb); /* at TCP_PRIO_MIN already (echo_accept) */
        return ERR_OK;
    }
    for (struct pbuf *q = p; q; q = q->next) tcp_write(pcb, q->payload, q->len, TCP_WRITE_FLAG_COPY);
    tcp_output(pcb);
    tcp_recved(pcb, p->tot_len);
    pbuf_free(p);
    return ERR_OK;
}

static err_t echo_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
    (void)arg;
    if (err != ERR_OK || !pcb) return ERR_VAL;
    tcp_nagle_disable(pcb);
    tcp_setprio(pcb, TCP_PRIO_MIN); /* the node's own connections come first */
    tcp_recv(pcb, echo_recv);
    return ERR_OK;
}

int nd_fw_echo_start(int port)
{
    struct tcp_pcb *lp;
    return listen_on(IP_ANY_TYPE, port, echo_accept, NULL, &lp);
}

/* ---- port.h: UDP (IPv4; mDNS and SNTP) --------------------------------- */
static void on_udp_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
                        u16_t port)
{
    (void)pcb;
    nd_sock *s = arg;
    if (!s || s->kind != K_UDP || !p) {
        if (p) pbuf_free(p);
        return;
    }
    /* full ring, the pool share used up, or more than one frame's worth:
    ** drop the newcomer (what waits is older, and a flood must not move it) */
    if (p->tot_len > ND_FW_UDP_MAX || s->nq >= ND_FW_UDP_RING || udp_held >= ND_FW_UDP_HELD) {
        if (p->tot_len > ND_FW_UDP_MAX) s->big++;
        else s->full++;
        pbuf_free(p);
        return;
    }
    nd_dgram *d = &s->ring[(s->head + s->nq) % ND_FW_UDP_RING];
    d->p = p;
    d->ip = ip_2_ip4(addr)->addr;
    d->port = port;
    s->nq++;
    udp_held++;
}

/* One UART line per ND_FW_UDP_LOG_MS at most, for the sockets that dropped
** since the last one: a flood is seen, and cannot flood the UART in turn. */
static void udp_report_drops(void)
{
    uint32_t now = (uint32_t)nd_port_mono_ms();
    if (now - udp_told_ms < ND_FW_UDP_LOG_MS) return;
    for (int i = 0; i < ND_FW_SOCKS; i++) {
        nd_sock *s = &socks[i];
        if (s->kind != K_UDP || s->full + s->big == s->told) continue;
        nd_fw_diag("[WARN] udp: port %u: %lu datagram(s) dropped since the last report; in all "
                   "%lu with the queue full (%d), %lu over %d bytes\r\n",
                   s->upcb ? s->upcb->local_port : 0u,
                   (unsigned long)(s->full + s->big - s->told), (unsigned long)s->full,
                   ND_FW_UDP_RING, (unsigned long)s->big, ND_FW_UDP_MAX);
        s->told = s->full + s->big;
        udp_told_ms = now;
    }
}

static int ip4_of(const char *text, ip4_addr_t *a)
{
    return text && !strchr(text, ':') && ip4addr_aton(text, a) ? ND_OK : ND_EINVAL;
}

int nd_udp_open(const char *bind_addr, int port, int flags, nd_sock_fn fn, void *ud, nd_sock **out)
{
    /* ND_UDP_V6: no IPv6 in this image (lwipopts.h); mDNS asks for it only
    ** for links with IPv6 addresses, and nd_port_ifaddrs reports none */
    if (!ND_FW_UDP || (flags & ND_UDP_V6)) return ND_ENOTFOUND;
    ip_addr_t a;
    ip4_addr_set_any(&a);
    if (bind_addr && *bind_addr && ip4_of(bind_addr, &a) != ND_OK) return ND_EINVAL;
    if (port < 0 || port > 65535) return ND_EINVAL;
    nd_sock *s = sock_new(K_UDP);
    if (!s) return ND_ELIMIT;
    struct udp_pcb *pcb = udp_new();
    if (!pcb) { /* MEMP_NUM_UDP_PCB in use */
        s->kind = K_FREE;
        return ND_ELIMIT;
    }
    /* ND_UDP_REUSE needs nothing: one program owns the board, and a second
    ** bind of the same port is refused below (lwIP's SO_REUSE is off).
    ** ND_UDP_MCAST: lwIP sends with TTL 255 already (UDP_TTL, mcast_ttl) */
    err_t e = udp_bind(pcb, &a, (u16_t)port);
    if (e != ERR_OK) {
        udp_remove(pcb);
        s->kind = K_FREE;
        return e == ERR_USE ? ND_ELIMIT : ND_EIO;
    }
    udp_recv(pcb, on_udp_recv, s);
    s->upcb = pcb;
    return opened(s, fn, ud, ND_EV_READ, out);
}

int nd_udp_join(nd_sock *s, const char *group, uint32_t ifindex)
{
    ip4_addr_t g;
    if (!s || s->kind != K_UDP || ip4_of(group, &g) != ND_OK || !ip4_addr_ismulticast(&g))
        return ND_EINVAL;
    if (!ND_WITH_MDNS) return ND_ENOTFOUND; /* mDNS is groups' only user: no socket joins one */
    /* one interface: "every interface" (0) or its own index */
    if ((ifindex && ifindex != netif_get_index(&nif)) || !(nif.flags & NETIF_FLAG_IGMP))
        return ND_ENOTFOUND;
    int free_at = -1;
    for (int i = 0; i < ND_FW_UDP_GROUPS; i++) {
        if (s->groups[i] == g.addr) return ND_OK; /* joined already */
        if (!s->groups[i] && free_at < 0) free_at = i;
    }
    if (free_at < 0) return ND_ELIMIT;
    if (igmp_joingroup_netif(&nif, &g) != ERR_OK) return ND_ELIMIT; /* MEMP_NUM_IGMP_GROUP */
    s->groups[free_at] = g.addr;
    return ND_OK;
}

long nd_udp_sendto(nd_sock *s, const void *p, size_t n, const nd_addr *to)
{
    if (!s || s->kind != K_UDP || !s->upcb) return ND_EIO;
    if (!to || to->family != 4) return ND_EIO; /* no IPv6 here */
    if (n > ND_FW_UDP_MAX) return ND_ELIMIT;   /* no fragments: one frame */
    /* lwIP's heap (MEM_SIZE), shared with TCP's outgoing segments: when it
    ** is short the caller retries, as after EAGAIN */
    struct pbuf *b = pbuf_alloc(PBUF_TRANSPORT, (u16_t)n, PBUF_RAM);
    if (!b) return ND_EAGAIN;
    if (n) pbuf_take(b, p, (u16_t)n);
    ip_addr_t ia;
    memcpy(&ia.addr, to->ip, 4); /* both in network byte order */
    err_t e = udp_sendto(s->upcb, b, &ia, to->port);
    pbuf_free(b); /* lwIP copied it into the frame, or queued its own reference (ARP) */
    if (e == ERR_MEM || e == ERR_BUF) return ND_EAGAIN;
    return e == ERR_OK ? (long)n : ND_EIO;
}

long nd_udp_recvfrom(nd_sock *s, void *p, size_t n, nd_addr *from)
{
    if (!s || s->kind != K_UDP) return ND_EIO;
    if (!s->nq) return ND_EAGAIN;
    nd_dgram *d = &s->ring[s->head];
    s->head = (uint8_t)((s->head + 1) % ND_FW_UDP_RING);
    s->nq--;
    udp_held--;
    size_t len = d->p->tot_len, k = n < len ? n : len;
    pbuf_copy_partial(d->p, p, (u16_t)k, 0);
    pbuf_free(d->p);
    d->p = NULL;
    if (from) {
        memset(from, 0, sizeof *from);
        from->family = 4;
        memcpy(from->ip, &d->ip, 4);
        from->port = d->port;
        from->ifindex = netif_get_index(&nif); /* the only interface */
    }
    return k < len ? ND_ELIMIT : (long)k;
}

int nd_udp_local_port(nd_sock *s)
{
    return s && s->kind == K_UDP && s->upcb ? s->upcb->local_port : -1;
}

static void udp_close_sock(nd_sock *s)
{
    if (s->upcb) {
        udp_recv(s->upcb, NULL, NULL);
        udp_remove(s->upcb);
        s->upcb = NULL;
    }
    for (int i = 0; ND_WITH_MDNS && i < ND_FW_UDP_GROUPS; i++) {
        if (!s->groups[i]) continue;
        ip4_addr_t g;
        g.addr = s->groups[i];
        igmp_leavegroup_netif(&nif, &g); /* the membership is counted: others keep theirs */
        s->groups[i] = 0;
    }
    for (; s->nq; s->nq--, udp_held--) {
        pbuf_free(s->ring[s->head].p);
        s->head = (uint8_t)((s->head + 1) % ND_FW_UDP_RING);
    }
}

int nd_addr_parse(const char *text, uint16_t port, nd_addr *out)
{
    ip4_addr_t a;
    if (ip4_of(text, &a) != ND_OK) return ND_EINVAL;
    memset(out, 0, sizeof *out);
    out->family = 4;
    memcpy(out->ip, &a.addr, 4); /* network byte order already */
    out->port = port;
    return ND_OK;
}

int nd_addr_format(const nd_addr *a, char *buf, size_t n)
{
    if (a->family != 4) return ND_EINVAL;
    ip4_addr_t v;
    memcpy(&v.addr, a->ip, 4);
    return ip4addr_ntoa_r(&v, buf, (int)n) ? ND_OK : ND_ELIMIT; /* "%u.%u.%u.%u" */
}

int nd_port_ifaddrs(nd_ifaddr *out, int max)
{
    if (max < 1 || !netif_is_up(&nif)) return 0;
    memset(out, 0, sizeof *out);
    memcpy(out->name, "en0", 4);
    out->ifindex = netif_get_index(&nif);
    out->addr.family = 4;
    memcpy(out->addr.ip, &ip_2_ip4(&nif.ip_addr)->addr, 4);
    out->prefix = 24;
    out->multicast = (nif.flags & NETIF_FLAG_IGMP) != 0; /* mDNS serves it (nd_udp_join) */
    return 1;
}

int nd_port_ifconfig(char ip[16], char mask[16], char gw[16], char dns[16], char mac[18])
{
    ip4addr_ntoa_r(netif_ip4_addr(&nif), ip, 16);
    ip4addr_ntoa_r(netif_ip4_netmask(&nif), mask, 16);
    ip4addr_ntoa_r(netif_ip4_gw(&nif), gw, 16);
    nd_fw_dns_server(dns); /* where lookups go: `nameserver`, else QEMU's */
    nd_fw_mac_text(mac);
    return ND_OK;
}
