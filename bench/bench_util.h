/*
** bench_util.h -- what the benchmark clients share (bench_util.c): a clock,
** a loopback TCP dial, reading a shell reply up to its prompt, and the
** p50/p99/max of a set of samples. Benchmarks run on the OS directly, so
** this is POSIX code, outside the core.
*/
#ifndef ND_BENCH_UTIL_H
#define ND_BENCH_UTIL_H

#include <stddef.h>
#include <sys/types.h>

/* Monotonic clock in microseconds. */
double nd_bench_now_us(void);

/* TCP connection to host:port (an IPv4 address) with TCP_NODELAY; exits
** the process with a message when it cannot connect. */
int nd_bench_dial(const char *host, int port);

/* Read from fd until the data ends with the shell prompt " $ "; buf gets
** the bytes, NUL-terminated. Returns their count, or -1 when the peer
** closed, recv failed (or timed out) or the reply did not fit in cap. */
ssize_t nd_bench_read_prompt(int fd, char *buf, size_t cap);

/* The same, but a failure ends the process with a message. */
size_t nd_bench_expect_prompt(int fd, char *buf, size_t cap);

/* Percentiles of n > 0 samples; sorts v in place. */
typedef struct nd_bench_pct {
    double p50, p99, max;
} nd_bench_pct;
nd_bench_pct nd_bench_percentiles(double *v, size_t n);

#endif
