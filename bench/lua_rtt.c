/*
** lua_rtt.c -- shell round trips of two commands, interleaved on one
** connection in the same run: a trivial Lua module function against the same
** trivial C function (bench/lua.py starts the node and picks the commands).
**
**   bench_lua_rtt HOST PORT n 'command A' 'command B'
**
** Prints p50/p99/max of each and the ratio of the p50s (B / A). Interleaving
** A and B call by call keeps machine noise out of the ratio.
*/
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench_util.h"

static double once(int fd, const char *cmd, char *buf, size_t cap)
{
    size_t n = strlen(cmd);
    double t0 = nd_bench_now_us();
    if (send(fd, cmd, n, 0) != (ssize_t)n) exit(1);
    nd_bench_expect_prompt(fd, buf, cap);
    return nd_bench_now_us() - t0;
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: bench_lua_rtt HOST PORT n 'command A' 'command B'\n");
        return 1;
    }
    int n = atoi(argv[3]);
    if (n < 1) n = 1;
    char buf[4096];
    int fd = nd_bench_dial(argv[1], atoi(argv[2]));
    nd_bench_expect_prompt(fd, buf, sizeof buf);
    for (int i = 0; i < 500; i++) { /* warm up both paths (first Lua call loads the module) */
        once(fd, argv[4], buf, sizeof buf);
        once(fd, argv[5], buf, sizeof buf);
    }
    double *a = malloc(sizeof *a * (size_t)n), *b = malloc(sizeof *b * (size_t)n);
    for (int i = 0; i < n; i++) {
        a[i] = once(fd, argv[4], buf, sizeof buf);
        b[i] = once(fd, argv[5], buf, sizeof buf);
    }
    close(fd);
    nd_bench_pct pa = nd_bench_percentiles(a, (size_t)n), pb = nd_bench_percentiles(b, (size_t)n);
    printf("%-32s n=%d  p50 %.1f us  p99 %.1f us  max %.1f us\n", argv[4], n, pa.p50, pa.p99, pa.max);
    printf("%-32s n=%d  p50 %.1f us  p99 %.1f us  max %.1f us\n", argv[5], n, pb.p50, pb.p99, pb.max);
    printf("ratio p50 B/A: %.2f\n", pb.p50 / pa.p50);
    free(a);
    free(b);
    return 0;
}
