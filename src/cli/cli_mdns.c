/*
** cli_mdns.c -- one-shot mDNS for the CLI (cli_mdns.h). What goes out and
** what answers mean is the querier's (src/core/mdns_query.c); this file is
** the socket, the links and the waiting.
*/
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli_mdns.h"
#include "nodus/port.h"
#include "nodus/value.h"

#define CLI_MDNS_RESEND_MS 500   /* a lookup asks again this often */
#define CLI_MDNS_BROWSE_AGAIN 1000 /* a browse asks once more after this */

static uint8_t pkt[9000]; /* largest mDNS message (RFC 6762 17) */

static int mdns_socket(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    unsigned char ttl = 255;
    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl);
    return fd;
}

/* Multicast a query on every multicast-capable IPv4 link (or the default one). */
static void mdns_send(int fd, const uint8_t *buf, size_t len)
{
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(5353)};
    inet_pton(AF_INET, "224.0.0.251", &to.sin_addr);
    nd_ifaddr ifs[64];
    uint32_t done[64];
    int n = nd_port_ifaddrs(ifs, 64), ndone = 0, sent = 0;
    for (int i = 0; i < n; i++) {
        if (!ifs[i].multicast || ifs[i].addr.family != 4) continue;
        bool seen = false;
        for (int k = 0; k < ndone; k++) seen = seen || done[k] == ifs[i].ifindex;
        if (seen) continue;
        done[ndone++] = ifs[i].ifindex;
        struct ip_mreqn mr = {.imr_ifindex = (int)ifs[i].ifindex};
        setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof mr);
        if (sendto(fd, buf, len, 0, (struct sockaddr *)&to, sizeof to) > 0) sent++;
    }
    if (!sent) (void)!sendto(fd, buf, len, 0, (struct sockaddr *)&to, sizeof to);
}

/* One response before deadline (parsed into m), its sender in from: its
** length, or 0 when the time ran out or nothing usable came. */
static int mdns_recv(int fd, uint64_t deadline, nd_dns_msg *m, char from[16])
{
    uint64_t now = nd_port_mono_ms();
    if (now >= deadline) return 0;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, (int)(deadline - now)) <= 0) return 0;
    struct sockaddr_in sa;
    socklen_t sl = sizeof sa;
    ssize_t r = recvfrom(fd, pkt, sizeof pkt, 0, (struct sockaddr *)&sa, &sl);
    if (r <= 0 || nd_dns_parse(pkt, (size_t)r, m) != ND_OK || !(m->flags & ND_DNS_QR)) return 0;
    inet_ntop(AF_INET, &sa.sin_addr, from, 16);
    return (int)r;
}

typedef struct {
    bool done;
    int rc;
    char ip[16];
} answer;

static void on_answer(void *ud, int rc, const char *ip)
{
    answer *a = ud;
    a->done = true;
    a->rc = rc;
    snprintf(a->ip, sizeof a->ip, "%s", ip);
}

int cli_mdns_resolve(const char *name, char ip[16], int timeout_ms)
{
    int fd = mdns_socket();
    if (fd < 0) return -1;
    static nd_mdnsq q;
    nd_mdnsq_init(&q, (uint32_t)timeout_ms, CLI_MDNS_RESEND_MS);
    q.id = (uint16_t)(nd_port_mono_ms() & 0xffff); /* one-shot queries carry an id */
    answer a = {.rc = ND_ENOTFOUND};
    void *handle;
    int rc = nd_mdnsq_lookup(&q, name, nd_port_mono_ms(), a.ip, on_answer, &a, &handle);
    a.done = rc != ND_EAGAIN;
    if (rc == ND_OK) a.rc = ND_OK;
    while (!a.done) {
        uint64_t wake;
        size_t len;
        while ((len = nd_mdnsq_poll(&q, nd_port_mono_ms(), pkt, sizeof pkt, &wake)) > 0)
            mdns_send(fd, pkt, len);
        if (a.done || !wake) break;
        nd_dns_msg m;
        char from[16];
        if (mdns_recv(fd, wake, &m, from) > 0) nd_mdnsq_learn(&q, &m, nd_port_mono_ms());
    }
    close(fd);
    if (a.rc != ND_OK) return -1;
    snprintf(ip, 16, "%s", a.ip);
    return 0;
}

void cli_mdns_browse(const char *svc, int timeout_ms, cli_mdns_found_fn fn, void *ud)
{
    int fd = mdns_socket();
    if (fd < 0) return;
    uint16_t id = (uint16_t)(nd_port_mono_ms() & 0xffff);
    uint64_t deadline = nd_port_mono_ms() + (uint64_t)timeout_ms,
             again = nd_port_mono_ms() + CLI_MDNS_BROWSE_AGAIN;
    size_t len = nd_mdnsq_write(pkt, sizeof pkt, id, svc, ND_DNS_PTR);
    mdns_send(fd, pkt, len);
    static nd_mdnsq_inst found[ND_DNS_RR_MAX];
    for (;;) {
        nd_dns_msg m;
        char from[16];
        int n = mdns_recv(fd, again < deadline ? again : deadline, &m, from);
        uint64_t now = nd_port_mono_ms();
        if (now >= deadline) break;
        if (n == 0 && now >= again) { /* once more: a lost datagram is common */
            len = nd_mdnsq_write(pkt, sizeof pkt, id, svc, ND_DNS_PTR);
            mdns_send(fd, pkt, len);
            again = deadline;
            continue;
        }
        if (n == 0) continue;
        int k = nd_mdnsq_instances(&m, svc, found, ND_DNS_RR_MAX);
        for (int i = 0; i < k; i++) fn(ud, &found[i], from);
    }
    close(fd);
}
