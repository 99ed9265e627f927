/*
** bench_util.c -- helpers of the benchmark clients (bench_util.h).
*/
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"

double nd_bench_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

int nd_bench_dial(const char *host, int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (fd < 0 || inet_pton(AF_INET, host, &a.sin_addr) != 1) {
        fprintf(stderr, "cannot dial %s: not an IPv4 address\n", host);
        exit(1);
    }
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        perror("connect");
        exit(1);
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

ssize_t nd_bench_read_prompt(int fd, char *buf, size_t cap)
{
    size_t n = 0;
    for (;;) {
        if (n + 1 >= cap) return -1; /* no room left for the rest of the reply */
        ssize_t r = recv(fd, buf + n, cap - n - 1, 0);
        if (r <= 0) return -1;
        n += (size_t)r;
        buf[n] = 0;
        if (n >= 3 && !memcmp(buf + n - 3, " $ ", 3)) return (ssize_t)n;
    }
}

size_t nd_bench_expect_prompt(int fd, char *buf, size_t cap)
{
    ssize_t n = nd_bench_read_prompt(fd, buf, cap);
    if (n < 0) {
        fprintf(stderr, "no prompt: connection closed, read failed or reply over %zu bytes\n", cap - 1);
        exit(1);
    }
    return (size_t)n;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

nd_bench_pct nd_bench_percentiles(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_d);
    nd_bench_pct p = {v[n / 2], v[(size_t)((double)n * 0.99)], v[n - 1]};
    return p;
}
