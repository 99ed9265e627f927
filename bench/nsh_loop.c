/*
** nsh_loop.c -- nsh's script speed against dash and busybox sh.
**
**   bench_nsh_loop [iterations=100000]
**
** The same counting loop in each shell, in the same run:
**   nsh:   export i 0 / :top / incr i / if $i < N goto top
**   sh:    i=0; while [ $i -lt N ]; do i=$((i+1)); done
** Two script lines run per iteration in each (the increment, the test that
** jumps back), so lines/s = 2 * N / seconds. nsh is measured in-process
** (a node on a temporary state directory, the script run by
** nd_nsh_run_file and the node's timers driven as the loop would) and,
** when NODUS_BIN names a nodus binary, over a real door: `sh` typed in the
** micrOS shell of a node started for the purpose, then `sh /data/loop.sh`,
** timed from the line sent to the prompt back. Prints lines/s and the
** ratio nsh/dash (below 2 meets the goal "within 2x of dash").
**
** In the door mode it also times 2000 round trips of a Load Module call
** (`system heartbeat`) typed in nsh and in the micrOS shell of the same
** node, alternating, and prints their p50 and ratio (goal: nsh <= 1.2x).
*/
#define _GNU_SOURCE
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_util.h"
#include "node_int.h"
#include "nodus/port.h"
#include "nsh.h"

static int done_status = -1;
static void done(void *ud, int st)
{
    (void)ud;
    done_status = st;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f)) {
        perror(path);
        exit(1);
    }
}

static double nsh_inprocess(const char *script, long n)
{
    char dir[] = "/tmp/nd_bench_nsh_XXXXXX", err[160];
    static struct nd_node node;
    if (!mkdtemp(dir) || nd_fs_set_root(dir) != ND_OK) exit(1);
    if (nd_node_init(&node, NULL, 0, err, sizeof err) != ND_OK) {
        fprintf(stderr, "node: %s\n", err);
        exit(1);
    }
    if (nd_fs_write_atomic("data/loop.sh", script, strlen(script)) != ND_OK) exit(1);
    double t0 = nd_bench_now_us();
    if (nd_nsh_run_file(&node, "data/loop.sh", done, NULL) != 0) exit(1);
    while (done_status < 0) nd_timers_run(&node.timers, nd_port_mono_ms());
    double t = (nd_bench_now_us() - t0) / 1e6;
    if (done_status != 0) fprintf(stderr, "nsh: script ended with %d\n", done_status);
    nd_node_free(&node);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd)) {}
    (void)n;
    return t;
}

static double run_shell(const char *shell, const char *path)
{
    double t0 = nd_bench_now_us();
    pid_t pid = fork();
    if (pid == 0) {
        if (!strcmp(shell, "busybox")) execlp("busybox", "busybox", "sh", path, (char *)NULL);
        else execlp(shell, shell, path, (char *)NULL);
        _exit(127);
    }
    int st;
    waitpid(pid, &st, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st) == 127) return -1;
    return (nd_bench_now_us() - t0) / 1e6;
}

static int free_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001)};
    socklen_t l = sizeof a;
    if (bind(s, (struct sockaddr *)&a, sizeof a) || getsockname(s, (struct sockaddr *)&a, &l)) exit(1);
    close(s);
    return ntohs(a.sin_port);
}

static double p50_nsh = -1, p50_micros = -1;

static int dial_port(int port)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(0x7f000001)};
    if (connect(s, (struct sockaddr *)&a, sizeof a) == 0) return s;
    close(s);
    return -1;
}

static double rtt(int fd, const char *line, char *buf, size_t cap)
{
    double t0 = nd_bench_now_us();
    if (write(fd, line, strlen(line)) != (ssize_t)strlen(line) || nd_bench_read_prompt(fd, buf, cap) < 0)
        return -1;
    return nd_bench_now_us() - t0;
}

/* the same module call typed in nsh (fd, inside `sh`) and in the micrOS shell */
static void module_rtt(int fd, int port, char *buf, size_t cap)
{
    enum { N = 2000 };
    static double a[N], b[N];
    int m = dial_port(port);
    if (m < 0 || nd_bench_read_prompt(m, buf, cap) < 0) return;
    for (int i = 0; i < N; i++) {
        a[i] = rtt(fd, "system heartbeat\n", buf, cap);
        b[i] = rtt(m, "system heartbeat\n", buf, cap);
        if (a[i] < 0 || b[i] < 0) {
            close(m);
            return;
        }
    }
    close(m);
    p50_nsh = nd_bench_percentiles(a, N).p50;
    p50_micros = nd_bench_percentiles(b, N).p50;
}

/* `sh` in the micrOS shell of a real node, then the script. */
static double nsh_door(const char *bin, const char *script)
{
    char dir[] = "/tmp/nd_bench_nshd_XXXXXX", path[600], portarg[32], buf[65536];
    if (!mkdtemp(dir)) return -1;
    snprintf(path, sizeof path, "%s/data", dir);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/data/loop.sh", dir);
    write_file(path, script);
    int port = free_port();
    snprintf(portarg, sizeof portarg, "socport=%d", port);
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) dup2(null, 1); /* its banner is not a figure */
        execl(bin, bin, "run", "--state", dir, "--set", "bind=127.0.0.1", "--set", portarg, "--quiet",
              "--no-console", (char *)NULL);
        _exit(127);
    }
    int fd = -1;
    for (int i = 0; i < 200 && fd < 0; i++) {
        usleep(20000);
        int s = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                                .sin_addr.s_addr = htonl(0x7f000001)};
        if (connect(s, (struct sockaddr *)&a, sizeof a) == 0) fd = s;
        else close(s);
    }
    double t = -1;
    if (fd >= 0 && nd_bench_read_prompt(fd, buf, sizeof buf) >= 0 && write(fd, "sh\n", 3) == 3 &&
        nd_bench_read_prompt(fd, buf, sizeof buf) >= 0) {
        const char *line = "sh /data/loop.sh\n";
        double t0 = nd_bench_now_us();
        if (write(fd, line, strlen(line)) == (ssize_t)strlen(line) && nd_bench_read_prompt(fd, buf, sizeof buf) >= 0)
            t = (nd_bench_now_us() - t0) / 1e6;
        if (t > 0) module_rtt(fd, port, buf, sizeof buf);
    }
    if (fd >= 0) close(fd);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd)) {}
    return t;
}

static void row(const char *name, double secs, long n, double dash)
{
    if (secs < 0) {
        printf("%-22s not available\n", name);
        return;
    }
    printf("%-22s %8.3f s  %10.0f lines/s", name, secs, 2.0 * (double)n / secs);
    if (dash > 0) printf("  %.2fx dash's time", secs / dash);
    printf("\n");
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 100000;
    if (n < 1) n = 100000;
    char nsh[256], sh[256], path[] = "/tmp/nd_bench_loop_XXXXXX";
    snprintf(nsh, sizeof nsh, "export i 0\n:top\nincr i\nif $i < %ld goto top\n", n);
    snprintf(sh, sizeof sh, "i=0\nwhile [ $i -lt %ld ]; do i=$((i+1)); done\n", n);
    int fd = mkstemp(path);
    if (fd < 0 || write(fd, sh, strlen(sh)) != (ssize_t)strlen(sh)) return 1;
    close(fd);
    printf("nsh_loop: %ld iterations, 2 script lines each\n", n);
    double dash = run_shell("dash", path);
    double bb = run_shell("busybox", path);
    double in = nsh_inprocess(nsh, n);
    const char *bin = getenv("NODUS_BIN");
    double door = bin && *bin ? nsh_door(bin, nsh) : -1;
    unlink(path);
    row("dash", dash, n, -1);
    row("busybox sh", bb, n, dash);
    row("nsh (in-process)", in, n, dash);
    row("nsh (micrOS shell sh)", door, n, dash);
    if (p50_nsh > 0)
        printf("module call `system heartbeat` round trip, p50 of 2000: nsh %.1f us, micrOS shell %.1f us, "
               "ratio %.2f\n", p50_nsh, p50_micros, p50_nsh / p50_micros);
    return 0;
}
