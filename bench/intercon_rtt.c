/*
** intercon_rtt.c -- InterCon round trip between two running nodes.
**
**   bench_intercon_rtt HOST PORT PEER [n=2000]
**
** On one shell session to HOST:PORT, n times: `task kill con.<peer>.system`
** (untimed, so the previous result cannot be mistaken for the new one),
** then the timed part: send `system heartbeat >>PEER`, read the Starting
** reply, and poll `task show con.<peer>.system` on the same session until
** it shows the peer's `<3 heartbeat <3 `. That is what a user of InterCon
** sees: resolve, connect, prompt, command, reply, task output. p50/p99/max.
** The polling itself costs one shell round trip (~50 us) per turn, so the
** figures are an upper bound by about that much. Started by
** bench/intercon_rtt.sh, which brings up the two nodes.
*/
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench_util.h"

/* Send line (unless NULL) and read up to the prompt; the reply without the
** prompt line into buf. */
static void cmd(int fd, const char *line, char *buf, size_t cap)
{
    if (line && send(fd, line, strlen(line), 0) < 0) {
        perror("send");
        exit(1);
    }
    nd_bench_expect_prompt(fd, buf, cap);
    char *nl = strrchr(buf, '\n');
    if (nl) nl[1] = 0;
    else buf[0] = 0;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s HOST PORT PEER [n]\n", argv[0]);
        return 2;
    }
    const char *host = argv[1], *peer = argv[3];
    int port = atoi(argv[2]), n = argc > 4 ? atoi(argv[4]) : 2000;
    if (n < 1) n = 2000;
    char label[64], start[128], show[128], kill[128], buf[8192];
    snprintf(label, sizeof label, "%.*s", (int)strcspn(peer, "."), peer);
    snprintf(start, sizeof start, "system heartbeat >>%s", peer);
    snprintf(show, sizeof show, "task show con.%s.system", label);
    snprintf(kill, sizeof kill, "task kill con.%s.system", label);
    int fd = nd_bench_dial(host, port);
    cmd(fd, NULL, buf, sizeof buf);
    double *t = calloc((size_t)n, sizeof *t);
    long polls = 0;
    for (int i = 0; i < n; i++) {
        cmd(fd, kill, buf, sizeof buf);
        double t0 = nd_bench_now_us();
        cmd(fd, start, buf, sizeof buf);
        if (!strstr(buf, "Starting")) {
            fprintf(stderr, "start failed: %s", buf);
            return 1;
        }
        for (;;) {
            cmd(fd, show, buf, sizeof buf);
            polls++;
            if (!strcmp(buf, "<3 heartbeat <3 \n")) break;
            if (strstr(buf, "[intercon]")) {
                fprintf(stderr, "call failed: %s", buf);
                return 1;
            }
        }
        t[i] = nd_bench_now_us() - t0;
    }
    nd_bench_pct p = nd_bench_percentiles(t, (size_t)n);
    printf("intercon round trip (system heartbeat >>%s, through task show), %d calls:\n", peer, n);
    printf("  p50 %.3f ms  p99 %.3f ms  max %.3f ms  (%.1f task-show polls per call)\n",
           p.p50 / 1000, p.p99 / 1000, p.max / 1000, (double)polls / n);
    free(t);
    close(fd);
    return 0;
}
