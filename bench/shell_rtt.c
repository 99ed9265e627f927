/*
** shell_rtt.c -- ShellCli round trips against a running node, next to the
** physical floor of the same loopback.
**
**   bench_shell_rtt HOST PORT [n=10000]
**
** 1. n sequential `hello` round trips on one connection (send, read up to
**    the prompt): p50, p99, max.
** 2. 1000 x (connect, read prompt, hello, read reply, close).
** 3. The same n round trips against a minimal C echo server started here
**    (one blocking thread of its own: a forked process answering each
**    request with a reply of the node's reply size). The ratio of the two
**    p50s says what nodus costs above the kernel.
*/
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_util.h"

static void stats(const char *what, double *v, int n, double *p50_out)
{
    nd_bench_pct p = nd_bench_percentiles(v, (size_t)n);
    printf("%-34s n=%d  p50 %.1f us  p99 %.1f us  max %.1f us\n", what, n, p.p50, p.p99, p.max);
    if (p50_out) *p50_out = p.p50;
}

/* n hello round trips on one connection. */
static void rtt(const char *host, int port, int n, const char *label, double *p50)
{
    char buf[4096];
    int fd = nd_bench_dial(host, port);
    nd_bench_expect_prompt(fd, buf, sizeof buf);
    double *v = malloc(sizeof *v * (size_t)n);
    for (int i = 0; i < n; i++) {
        double t0 = nd_bench_now_us();
        if (send(fd, "hello", 5, 0) != 5) exit(1);
        nd_bench_expect_prompt(fd, buf, sizeof buf);
        v[i] = nd_bench_now_us() - t0;
    }
    close(fd);
    stats(label, v, n, p50);
    free(v);
}

/* The floor: answers every read with `reply` (the node's hello reply plus
** prompt), like a shell that does no work at all. */
static pid_t echo_server(int *port_out, const char *reply, size_t rlen)
{
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    bind(ls, (struct sockaddr *)&a, sizeof a);
    socklen_t al = sizeof a;
    getsockname(ls, (struct sockaddr *)&a, &al);
    listen(ls, 16);
    *port_out = ntohs(a.sin_port);
    pid_t pid = fork();
    if (pid == 0) {
        for (;;) {
            int c = accept(ls, NULL, NULL);
            if (c < 0) _exit(0);
            setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            char buf[4096];
            if (send(c, "echo $ ", 7, 0) != 7) _exit(1);
            while (recv(c, buf, sizeof buf, 0) > 0)
                if (send(c, reply, rlen, 0) != (ssize_t)rlen) break;
            close(c);
        }
    }
    close(ls);
    return pid;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s HOST PORT [n=10000]\n", argv[0]);
        return 1;
    }
    const char *host = argv[1];
    int port = atoi(argv[2]);
    int n = argc > 3 ? atoi(argv[3]) : 10000;
    if (n < 100) n = 100;

    /* the node's exact hello reply, so the floor moves the same bytes */
    char reply[4096];
    int fd = nd_bench_dial(host, port);
    nd_bench_expect_prompt(fd, reply, sizeof reply);
    if (send(fd, "hello", 5, 0) != 5) return 1;
    size_t rlen = nd_bench_expect_prompt(fd, reply, sizeof reply);
    close(fd);

    double p50_node, p50_floor;
    rtt(host, port, n, "nodus: hello round trip", &p50_node);

    int conns = 1000;
    double *v = malloc(sizeof *v * (size_t)conns);
    char buf[4096];
    for (int i = 0; i < conns; i++) {
        double t0 = nd_bench_now_us();
        int c = nd_bench_dial(host, port);
        nd_bench_expect_prompt(c, buf, sizeof buf);
        if (send(c, "hello", 5, 0) != 5) return 1;
        nd_bench_expect_prompt(c, buf, sizeof buf);
        close(c);
        v[i] = nd_bench_now_us() - t0;
    }
    stats("nodus: connect + hello + close", v, conns, NULL);
    free(v);

    int eport;
    pid_t epid = echo_server(&eport, reply, rlen);
    rtt("127.0.0.1", eport, n, "floor: C echo server round trip", &p50_floor);
    kill(epid, SIGTERM);
    waitpid(epid, NULL, 0);
    printf("ratio p50 nodus / echo floor: %.2f (target <= 1.5)\n", p50_node / p50_floor);
    return 0;
}
