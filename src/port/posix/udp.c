/*
** udp.c -- non-blocking UDP, multicast membership and the host's interface
** addresses (port.h), for mDNS and SNTP.
**
** A UDP socket lives in loop.c's socket table like a TCP one, so the loop
** polls it with everything else. Multicast sockets ask the kernel for the
** arrival interface (IP_PKTINFO / IPV6_RECVPKTINFO): a responder must answer
** on the link a query came from, with that link's addresses (RFC 6762 s6).
** Sending to a chosen interface uses the same ancillary data, so one socket
** serves every interface.
*/
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nodus/port.h"
#include "posix.h"

#define ND_IF_MAX 64 /* interfaces considered by a join on "all" */

/* ---- addresses --------------------------------------------------------- */
static void to_sockaddr(const nd_addr *a, struct sockaddr_storage *ss, socklen_t *len)
{
    memset(ss, 0, sizeof *ss);
    if (a->family == 6) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(a->port);
        memcpy(&s6->sin6_addr, a->ip, 16);
        s6->sin6_scope_id = a->ifindex;
        *len = sizeof *s6;
    } else {
        struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
        s4->sin_family = AF_INET;
        s4->sin_port = htons(a->port);
        memcpy(&s4->sin_addr, a->ip, 4);
        *len = sizeof *s4;
    }
}

static void from_sockaddr(const struct sockaddr *sa, nd_addr *a)
{
    memset(a, 0, sizeof *a);
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
        a->family = 6;
        memcpy(a->ip, &s6->sin6_addr, 16);
        a->port = ntohs(s6->sin6_port);
        a->ifindex = s6->sin6_scope_id;
    } else if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
        a->family = 4;
        memcpy(a->ip, &s4->sin_addr, 4);
        a->port = ntohs(s4->sin_port);
    }
}

int nd_addr_parse(const char *text, uint16_t port, nd_addr *out)
{
    memset(out, 0, sizeof *out);
    out->port = port;
    if (!text) return ND_EINVAL;
    if (inet_pton(AF_INET, text, out->ip) == 1) {
        out->family = 4;
        return ND_OK;
    }
    char buf[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
    if (strlen(text) >= sizeof buf) return ND_EINVAL;
    strcpy(buf, text);
    char *pct = strchr(buf, '%');
    if (pct) {
        *pct++ = 0;
        char *end;
        unsigned long idx = strtoul(pct, &end, 10);
        out->ifindex = (*pct && !*end) ? (uint32_t)idx : if_nametoindex(pct);
        if (!out->ifindex) return ND_EINVAL;
    }
    if (inet_pton(AF_INET6, buf, out->ip) != 1) return ND_EINVAL;
    out->family = 6;
    return ND_OK;
}

int nd_addr_format(const nd_addr *a, char *buf, size_t n)
{
    char ip[INET6_ADDRSTRLEN];
    if (a->family == 4) {
        inet_ntop(AF_INET, a->ip, ip, sizeof ip);
        return snprintf(buf, n, "%s", ip) < (int)n ? ND_OK : ND_ELIMIT;
    }
    if (a->family != 6) return ND_EINVAL;
    inet_ntop(AF_INET6, a->ip, ip, sizeof ip);
    bool scoped = a->ip[0] == 0xfe && (a->ip[1] & 0xc0) == 0x80 && a->ifindex;
    int w = scoped ? snprintf(buf, n, "%s%%%u", ip, (unsigned)a->ifindex)
                   : snprintf(buf, n, "%s", ip);
    return w < (int)n ? ND_OK : ND_ELIMIT;
}

/* ---- sockets ----------------------------------------------------------- */
int nd_udp_open(const char *bind_addr, int port, int flags, nd_sock_fn fn, void *ud,
                nd_sock **out)
{
    bool v6 = flags & ND_UDP_V6;
    nd_addr a;
    if (bind_addr && *bind_addr) {
        if (nd_addr_parse(bind_addr, (uint16_t)port, &a) != ND_OK || (a.family == 6) != v6)
            return ND_EINVAL;
    } else {
        memset(&a, 0, sizeof a);
        a.family = v6 ? 6 : 4;
        a.port = (uint16_t)port;
    }
    int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return errno == EAFNOSUPPORT ? ND_ENOTFOUND : ND_EIO;
    int one = 1, ttl = 255;
    if (v6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (flags & ND_UDP_REUSE) {
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    }
    if (flags & ND_UDP_MCAST) {
        /* RFC 6762 s11: link-local traffic goes out with TTL 255, and
        ** loopback lets other responders/browsers on this host hear us. */
        if (v6) {
            setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &ttl, sizeof ttl);
            setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof ttl);
            setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &one, sizeof one);
            setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one);
        } else {
            unsigned char t8 = 255, l8 = 1;
            setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &t8, sizeof t8);
            setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl);
            setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &l8, sizeof l8);
            setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one);
        }
    }
    struct sockaddr_storage ss;
    socklen_t len;
    to_sockaddr(&a, &ss, &len);
    if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
        int e = errno;
        close(fd);
        return e == EADDRINUSE ? ND_ELIMIT : ND_EIO;
    }
    nd_sock *s = nd_posix_sock_add(fd, fn, ud, ND_EV_READ);
    if (!s) {
        close(fd);
        return ND_ELIMIT;
    }
    *out = s;
    return ND_OK;
}

static int sock_family(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0) return -1;
    return ss.ss_family;
}

static int join_one(int fd, int fam, const nd_addr *g, uint32_t ifindex)
{
    int r;
    if (fam == AF_INET6) {
        struct ipv6_mreq m;
        memcpy(&m.ipv6mr_multiaddr, g->ip, 16);
        m.ipv6mr_interface = ifindex;
        r = setsockopt(fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &m, sizeof m);
    } else {
        struct ip_mreqn m;
        memset(&m, 0, sizeof m);
        memcpy(&m.imr_multiaddr, g->ip, 4);
        m.imr_ifindex = (int)ifindex;
        r = setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m);
    }
    return (r == 0 || errno == EADDRINUSE) ? ND_OK : ND_EIO;
}

int nd_udp_join(nd_sock *s, const char *group, uint32_t ifindex)
{
    int fd = nd_posix_sock_fd(s), fam = sock_family(fd);
    nd_addr g;
    if (nd_addr_parse(group, 0, &g) != ND_OK || (g.family == 6) != (fam == AF_INET6))
        return ND_EINVAL;
    if (ifindex) return join_one(fd, fam, &g, ifindex);
    /* every up, multicast-capable interface with an address of the family */
    nd_ifaddr ifs[ND_IF_MAX];
    int n = nd_port_ifaddrs(ifs, ND_IF_MAX), joined = 0;
    uint32_t done[ND_IF_MAX];
    int ndone = 0;
    for (int i = 0; i < n; i++) {
        if (!ifs[i].multicast || ifs[i].addr.family != g.family) continue;
        bool seen = false;
        for (int k = 0; k < ndone; k++) seen = seen || done[k] == ifs[i].ifindex;
        if (seen) continue;
        done[ndone++] = ifs[i].ifindex;
        if (join_one(fd, fam, &g, ifs[i].ifindex) == ND_OK) joined++;
    }
    return joined ? ND_OK : ND_ENOTFOUND;
}

long nd_udp_sendto(nd_sock *s, const void *p, size_t n, const nd_addr *to)
{
    struct sockaddr_storage ss;
    socklen_t len;
    to_sockaddr(to, &ss, &len);
    struct iovec iov = {.iov_base = (void *)p, .iov_len = n};
    struct msghdr mh = {.msg_name = &ss, .msg_namelen = len, .msg_iov = &iov, .msg_iovlen = 1};
    union {
        char b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
        struct cmsghdr align;
    } cb;
    memset(&cb, 0, sizeof cb);
    if (to->ifindex) {
        /* the outgoing interface rides along as pktinfo: one socket can
        ** multicast on any link without IP_MULTICAST_IF round trips */
        mh.msg_control = cb.b;
        struct cmsghdr *c = (struct cmsghdr *)cb.b;
        if (to->family == 6) {
            mh.msg_controllen = CMSG_SPACE(sizeof(struct in6_pktinfo));
            c->cmsg_level = IPPROTO_IPV6;
            c->cmsg_type = IPV6_PKTINFO;
            c->cmsg_len = CMSG_LEN(sizeof(struct in6_pktinfo));
            struct in6_pktinfo pi;
            memset(&pi, 0, sizeof pi);
            pi.ipi6_ifindex = to->ifindex;
            memcpy(CMSG_DATA(c), &pi, sizeof pi);
        } else {
            mh.msg_controllen = CMSG_SPACE(sizeof(struct in_pktinfo));
            c->cmsg_level = IPPROTO_IP;
            c->cmsg_type = IP_PKTINFO;
            c->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
            struct in_pktinfo pi;
            memset(&pi, 0, sizeof pi);
            pi.ipi_ifindex = (int)to->ifindex;
            memcpy(CMSG_DATA(c), &pi, sizeof pi);
        }
    }
    ssize_t r = sendmsg(nd_posix_sock_fd(s), &mh, MSG_NOSIGNAL);
    if (r >= 0) return (long)r;
    return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ENOBUFS)
               ? ND_EAGAIN
               : ND_EIO;
}

long nd_udp_recvfrom(nd_sock *s, void *p, size_t n, nd_addr *from)
{
    struct sockaddr_storage ss;
    struct iovec iov = {.iov_base = p, .iov_len = n};
    union {
        char b[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(struct in_pktinfo))];
        struct cmsghdr align;
    } cb;
    struct msghdr mh = {.msg_name = &ss, .msg_namelen = sizeof ss, .msg_iov = &iov,
                        .msg_iovlen = 1, .msg_control = cb.b, .msg_controllen = sizeof cb.b};
    ssize_t r;
    do {
        r = recvmsg(nd_posix_sock_fd(s), &mh, MSG_DONTWAIT);
    } while (r < 0 && errno == EINTR);
    if (r < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? ND_EAGAIN : ND_EIO;
    if (from) {
        from_sockaddr((struct sockaddr *)&ss, from);
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
            if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
                struct in_pktinfo pi;
                memcpy(&pi, CMSG_DATA(c), sizeof pi);
                from->ifindex = (uint32_t)pi.ipi_ifindex;
            } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
                struct in6_pktinfo pi;
                memcpy(&pi, CMSG_DATA(c), sizeof pi);
                from->ifindex = pi.ipi6_ifindex;
            }
        }
    }
    if (mh.msg_flags & MSG_TRUNC) return ND_ELIMIT;
    return (long)r;
}

int nd_udp_local_port(nd_sock *s)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(nd_posix_sock_fd(s), (struct sockaddr *)&ss, &len) < 0) return -1;
    nd_addr a;
    from_sockaddr((struct sockaddr *)&ss, &a);
    return a.port;
}

/* ---- interface addresses ----------------------------------------------- */
static uint8_t prefix_len(const struct sockaddr *mask, int fam)
{
    if (!mask) return 0;
    const uint8_t *b;
    if (fam == AF_INET) b = (const uint8_t *)&((const struct sockaddr_in *)mask)->sin_addr;
    else b = (const uint8_t *)&((const struct sockaddr_in6 *)mask)->sin6_addr;
    int n = fam == AF_INET ? 4 : 16;
    uint8_t bits = 0;
    for (int i = 0; i < n; i++) bits += (uint8_t)__builtin_popcount(b[i]);
    return bits;
}

int nd_port_ifaddrs(nd_ifaddr *out, int max)
{
    struct ifaddrs *list, *ifa;
    if (getifaddrs(&list) < 0) return ND_EIO;
    int n = 0;
    for (ifa = list; ifa && n < max; ifa = ifa->ifa_next) {
        if (!ifa->ifa_addr || !(ifa->ifa_flags & IFF_UP)) continue;
        int fam = ifa->ifa_addr->sa_family;
        if (fam != AF_INET && fam != AF_INET6) continue;
        nd_ifaddr *o = &out[n];
        memset(o, 0, sizeof *o);
        snprintf(o->name, sizeof o->name, "%s", ifa->ifa_name);
        o->ifindex = if_nametoindex(ifa->ifa_name);
        from_sockaddr(ifa->ifa_addr, &o->addr);
        o->addr.port = 0;
        if (fam == AF_INET6) o->addr.ifindex = o->ifindex;
        o->prefix = prefix_len(ifa->ifa_netmask, fam);
        o->loopback = (ifa->ifa_flags & IFF_LOOPBACK) != 0;
        o->multicast = (ifa->ifa_flags & IFF_MULTICAST) != 0 && (ifa->ifa_flags & IFF_RUNNING);
        n++;
    }
    freeifaddrs(list);
    return n;
}
