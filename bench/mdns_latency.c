/*
** mdns_latency.c -- mDNS query-to-answer latency of a responder.
**
**   bench_mdns_latency NAME [COUNT] [TO]
**
** Sends COUNT one-shot A queries for NAME (RFC 6762 5.1: from an ephemeral
** port, so the responder answers this socket directly) to TO (default the
** group 224.0.0.251), one at a time, and times each until the matching
** answer arrives. Prints p50/p99/max in microseconds. Queries that get no
** answer within 1 s are counted as lost, not timed.
**
** bench/mdns_latency.sh runs it against a node in a network namespace.
*/
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench_util.h"
#include "dns.h"
#include "nodus/value.h"

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s NAME [COUNT] [TO]\n", argv[0]);
        return 2;
    }
    const char *name = argv[1], *to_ip = argc > 3 ? argv[3] : "224.0.0.251";
    int count = argc > 2 ? atoi(argv[2]) : 2000;
    if (count < 1 || count > 1000000) count = 2000;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    unsigned char ttl = 255;
    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(5353)};
    if (fd < 0 || inet_pton(AF_INET, to_ip, &to.sin_addr) != 1) {
        fprintf(stderr, "bad address %s\n", to_ip);
        return 2;
    }
    double *lat = calloc((size_t)count, sizeof *lat);
    int got = 0, lost = 0;
    uint8_t q[512], r[9000];
    for (int i = 0; i < count; i++) {
        nd_dns_w w;
        uint16_t id = (uint16_t)(i + 1);
        nd_dns_w_init(&w, q, sizeof q, id, 0);
        nd_dns_w_question(&w, name, ND_DNS_A, ND_DNS_IN);
        size_t len = nd_dns_w_finish(&w);
        double t0 = nd_bench_now_us();
        if (sendto(fd, q, len, 0, (struct sockaddr *)&to, sizeof to) < 0) {
            perror("sendto");
            return 1;
        }
        for (;;) {
            int left = (int)((t0 + 1e6 - nd_bench_now_us()) / 1000);
            struct pollfd p = {.fd = fd, .events = POLLIN};
            if (left <= 0 || poll(&p, 1, left) <= 0) {
                lost++;
                break;
            }
            ssize_t n = recv(fd, r, sizeof r, 0);
            nd_dns_msg m;
            if (n > 0 && nd_dns_parse(r, (size_t)n, &m) == ND_OK && m.id == id && m.nan > 0) {
                lat[got++] = nd_bench_now_us() - t0;
                break;
            }
        }
    }
    if (!got) {
        printf("mdns latency: no answers (%d lost)\n", lost);
        return 1;
    }
    nd_bench_pct p = nd_bench_percentiles(lat, (size_t)got);
    printf("mdns query->answer (%s, A %s): n=%d lost=%d p50=%.0f us p99=%.0f us max=%.0f us\n",
           to_ip, name, got, lost, p.p50, p.p99, p.max);
    free(lat);
    return 0;
}
