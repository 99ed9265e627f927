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
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int dial(const char *host, int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, host, &a.sin_addr);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        perror("connect");
        exit(1);
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

/* Read up to the prompt; the reply (without the prompt line) into buf. */
static size_t cmd(int fd, const char *line, char *buf, size_t cap)
{
    if (line && send(fd, line, strlen(line), 0) < 0) {
        perror("send");
        exit(1);
    }
    size_t n = 0;
    for (;;) {
        ssize_t r = recv(fd, buf + n, cap - n - 1, 0);
        if (r <= 0) {
            fprintf(stderr, "connection closed\n");
            exit(1);
        }
        n += (size_t)r;
        buf[n] = 0;
        if (n >= 3 && !memcmp(buf + n - 3, " $ ", 3)) break;
    }
    char *nl = strrchr(buf, '\n');
    if (nl) nl[1] = 0;
    else buf[0] = 0;
    return n;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s HOST PORT PEER [n]\n", argv[0]);
        return 2;
    }
    const char *host = argv[1], *peer = argv[3];
    int port = atoi(argv[2]), n = argc > 4 ? atoi(argv[4]) : 2000;
    char label[64], start[128], show[128], kill[128], buf[8192];
    snprintf(label, sizeof label, "%.*s", (int)strcspn(peer, "."), peer);
    snprintf(start, sizeof start, "system heartbeat >>%s", peer);
    snprintf(show, sizeof show, "task show con.%s.system", label);
    snprintf(kill, sizeof kill, "task kill con.%s.system", label);
    int fd = dial(host, port);
    cmd(fd, NULL, buf, sizeof buf);
    double *t = calloc((size_t)n, sizeof *t);
    long polls = 0;
    for (int i = 0; i < n; i++) {
        cmd(fd, kill, buf, sizeof buf);
        double t0 = now_us();
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
        t[i] = now_us() - t0;
    }
    qsort(t, (size_t)n, sizeof *t, cmp);
    printf("intercon round trip (system heartbeat >>%s, through task show), %d calls:\n", peer, n);
    printf("  p50 %.3f ms  p99 %.3f ms  max %.3f ms  (%.1f task-show polls per call)\n",
           t[n / 2] / 1000, t[(int)(n * 0.99)] / 1000, t[n - 1] / 1000, (double)polls / n);
    free(t);
    close(fd);
    return 0;
}
