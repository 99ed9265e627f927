/*
** nsh_rtt.c -- a Load Module call from nsh over the telnet door against the
** same call in the micrOS shell, in the same run, alternating batches so
** both see the same machine load (issue 12 goal: nsh <= 1.2x).
**
**   bench_nsh_rtt SHELL_PORT TELNET_PORT [N] [COMMAND]
**
** The node must run with telnet on and auth off (no login to script);
** bench/nsh_doors.sh starts one. Prints p50/p99 of each and the p50 ratio.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "bench_util.h"

#define BATCH 500

static void run(int fd, const char *line, size_t len, double *v, size_t k)
{
    char buf[65536];
    for (size_t i = 0; i < k; i++) {
        double t0 = nd_bench_now_us();
        if (send(fd, line, len, MSG_NOSIGNAL) != (ssize_t)len) {
            perror("send");
            exit(1);
        }
        nd_bench_expect_prompt(fd, buf, sizeof buf);
        v[i] = nd_bench_now_us() - t0;
    }
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s SHELL_PORT TELNET_PORT [N] [COMMAND]\n", argv[0]);
        return 2;
    }
    int sport = atoi(argv[1]), tport = atoi(argv[2]);
    size_t n = argc > 3 ? (size_t)atol(argv[3]) : 10000;
    const char *cmd = argc > 4 ? argv[4] : "system heartbeat";
    if (n < BATCH) n = BATCH;
    n -= n % BATCH;
    char sline[512], tline[512];
    int sl = snprintf(sline, sizeof sline, "%s\n", cmd);
    int tl = snprintf(tline, sizeof tline, "%s\r\n", cmd);
    char buf[65536];
    int sfd = nd_bench_dial("127.0.0.1", sport);
    nd_bench_expect_prompt(sfd, buf, sizeof buf);
    int tfd = nd_bench_dial("127.0.0.1", tport);
    nd_bench_expect_prompt(tfd, buf, sizeof buf); /* auth off: banner, then nsh's prompt */
    double *sv = malloc(n * sizeof *sv), *tv = malloc(n * sizeof *tv);
    if (!sv || !tv) return 1;
    run(sfd, sline, (size_t)sl, sv, 200); /* warm-up */
    run(tfd, tline, (size_t)tl, tv, 200);
    for (size_t i = 0; i < n; i += BATCH) {
        run(sfd, sline, (size_t)sl, sv + i, BATCH);
        run(tfd, tline, (size_t)tl, tv + i, BATCH);
    }
    nd_bench_pct s = nd_bench_percentiles(sv, n), t = nd_bench_percentiles(tv, n);
    printf("'%s' x %zu, alternating batches of %d\n", cmd, n, BATCH);
    printf("  micrOS shell : p50 %.1f us, p99 %.1f us\n", s.p50, s.p99);
    printf("  nsh (telnet) : p50 %.1f us, p99 %.1f us\n", t.p50, t.p99);
    printf("  ratio nsh / micrOS shell (p50): %.2f (goal <= 1.2)\n", t.p50 / s.p50);
    return 0;
}
