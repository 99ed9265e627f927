/*
** icmp.c -- ICMP echo for nsh's `ping` (port.h nd_icmp_*).
**
** Linux lets an unprivileged process send echo requests through an ICMP
** datagram socket when its group is inside net.ipv4.ping_group_range: the
** kernel picks the identifier, fills the checksum and hands back only the
** replies to this socket. Where that range is closed (the default "1 0"),
** a process with CAP_NET_RAW can still ping through a raw socket, which
** sees every ICMP packet: replies are matched by an identifier of our own
** and the IP header is skipped. Neither: ND_EINVAL, and the command says
** why. Both sockets are non-blocking and live in the loop's table.
*/
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nodus/port.h"
#include "posix.h"

#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQ 8

static uint16_t csum(const uint8_t *p, size_t n)
{
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < n; i += 2) s += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1) s += (uint32_t)(p[n - 1] << 8);
    while (s >> 16) s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static bool is_raw(int fd)
{
    int type = 0;
    socklen_t len = sizeof type;
    return getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_RAW;
}

/* Our identifier on a raw socket (the kernel's port on a datagram one). */
static uint16_t raw_id(int fd) { return (uint16_t)((unsigned)getpid() * 31u + (unsigned)fd); }

int nd_icmp_open(nd_sock_fn fn, void *ud, nd_sock **out, bool *raw)
{
    bool r = false;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
    if (fd < 0 && (errno == EACCES || errno == EPERM || errno == EPROTONOSUPPORT)) {
        fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
        r = true;
        if (fd < 0 && (errno == EACCES || errno == EPERM)) return ND_EINVAL;
    }
    if (fd < 0) return ND_EIO;
    int one = 1;
    setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &one, sizeof one);
    nd_sock *s = nd_posix_sock_add(fd, fn, ud, ND_EV_READ);
    if (!s) {
        close(fd);
        return ND_ELIMIT;
    }
    if (raw) *raw = r;
    *out = s;
    return ND_OK;
}

long nd_icmp_echo_send(nd_sock *s, const char *ip, uint16_t seq, const void *data, size_t n)
{
    uint8_t pkt[8 + 1024];
    if (n > 1024) return ND_EINVAL;
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    if (inet_pton(AF_INET, ip, &sa.sin_addr) != 1) return ND_EINVAL;
    int fd = nd_posix_sock_fd(s);
    uint16_t id = raw_id(fd);
    memset(pkt, 0, 8);
    pkt[0] = ICMP_ECHO_REQ;
    pkt[4] = (uint8_t)(id >> 8);
    pkt[5] = (uint8_t)id;
    pkt[6] = (uint8_t)(seq >> 8);
    pkt[7] = (uint8_t)seq;
    if (n) memcpy(pkt + 8, data, n);
    uint16_t c = csum(pkt, 8 + n);
    pkt[2] = (uint8_t)(c >> 8);
    pkt[3] = (uint8_t)c;
    ssize_t w = sendto(fd, pkt, 8 + n, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&sa, sizeof sa);
    if (w < 0) return errno == EAGAIN || errno == EWOULDBLOCK ? ND_EAGAIN : ND_EIO;
    return (long)n;
}

long nd_icmp_echo_recv(nd_sock *s, uint16_t *seq, int *ttl, char ip[16])
{
    int fd = nd_posix_sock_fd(s);
    bool raw = is_raw(fd);
    for (;;) {
        uint8_t buf[2048];
        char cbuf[128];
        struct sockaddr_in from;
        struct iovec iov = {buf, sizeof buf};
        struct msghdr mh;
        memset(&mh, 0, sizeof mh);
        mh.msg_name = &from;
        mh.msg_namelen = sizeof from;
        mh.msg_iov = &iov;
        mh.msg_iovlen = 1;
        mh.msg_control = cbuf;
        mh.msg_controllen = sizeof cbuf;
        ssize_t r = recvmsg(fd, &mh, MSG_DONTWAIT);
        if (r < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? ND_EAGAIN : ND_EIO;
        const uint8_t *p = buf;
        size_t n = (size_t)r;
        int t = -1;
        if (raw) {
            if (n < 20) continue;
            size_t ihl = (size_t)(p[0] & 0x0f) * 4;
            if (ihl < 20 || n < ihl + 8) continue;
            t = p[8];
            p += ihl;
            n -= ihl;
            if (p[0] != ICMP_ECHO_REPLY || (uint16_t)(p[4] << 8 | p[5]) != raw_id(fd)) continue;
        } else {
            if (n < 8 || p[0] != ICMP_ECHO_REPLY) continue;
            for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
                if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_TTL) memcpy(&t, CMSG_DATA(cm), sizeof t);
        }
        *seq = (uint16_t)(p[6] << 8 | p[7]);
        *ttl = t;
        inet_ntop(AF_INET, &from.sin_addr, ip, 16);
        return (long)(n - 8);
    }
}
