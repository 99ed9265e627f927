/*
** task_timing.c -- timer precision and task overhead of the real loop.
**
**   bench_task_timing [seconds=60] [tasks=1000]
**
** The process is a node (real loop, real timer heap, real shell on a
** loopback port). It spawns `tasks` stepped tasks with mixed periods (20, 50,
** 100, 250, 500, 1000 ms) while a forked client hammers the shell with
** `hello` round trips, and prints how late task runs started (p50/p99/max,
** from the node's own histogram), the CPU time per task run, and the memory
** one idle task costs.
*/
#define _GNU_SOURCE
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include "bench_util.h"
#include "node_int.h"
#include "nodus/port.h"
#include "nodus/task.h"
#include "task.h"

static const uint32_t periods[] = {20, 50, 100, 250, 500, 1000};
static uint32_t period_of[200000];
static nd_timer stop_timer;

static int32_t step(nd_task *t, void *ud)
{
    (void)t;
    return (int32_t)(uintptr_t)ud; /* trivial work: just come back next period */
}

static void stop_fn(nd_timer *t, void *ud)
{
    (void)t;
    (void)ud;
    nd_loop_stop();
}

static void spawn(struct nd_node *n, int i, uint32_t period)
{
    char tag[32];
    snprintf(tag, sizeof tag, "bench.t%d", i);
    nd_call c;
    memset(&c, 0, sizeof c);
    c.node = n;
    c.arena = &n->arena;
    nd_arena_reset(&n->arena);
    if (nd_task_spawn(&c, tag, step, (void *)(uintptr_t)period, period) != ND_OK) {
        fprintf(stderr, "spawn %s: %s\n", tag, c.err);
        exit(1);
    }
}

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

static void hammer(int port, int seconds)
{
    int fd = nd_bench_dial("127.0.0.1", port);
    struct timeval tv = {2, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[4096];
    long n = 0;
    uint64_t end = nd_port_mono_ms() + (uint64_t)seconds * 1000;
    recv(fd, buf, sizeof buf, 0); /* prompt */
    while (nd_port_mono_ms() < end) {
        if (send(fd, "hello", 5, 0) != 5) break;
        if (nd_bench_read_prompt(fd, buf, sizeof buf) < 0) break;
        n++;
    }
    printf("  shell load:        %ld hello round trips in %d s from a second process\n", n, seconds);
    fflush(stdout);
    _exit(0);
}

int main(int argc, char **argv)
{
    int seconds = argc > 1 ? atoi(argv[1]) : 60;
    int ntasks = argc > 2 ? atoi(argv[2]) : 1000;
    if (seconds < 1 || ntasks < 1 || ntasks > 100000) {
        fprintf(stderr, "usage: bench_task_timing [seconds] [tasks<=100000]\n");
        return 2;
    }
    char dir[] = "/tmp/nd_bench_tasks_XXXXXX";
    if (!mkdtemp(dir) || nd_fs_set_root(dir) != ND_OK) return 1;
    static struct nd_node node;
    /* a free loopback port for the shell */
    int probe = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    socklen_t sl = sizeof sa;
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    bind(probe, (struct sockaddr *)&sa, sizeof sa);
    getsockname(probe, (struct sockaddr *)&sa, &sl);
    char portset[32];
    snprintf(portset, sizeof portset, "socport=%d", ntohs(sa.sin_port));
    close(probe);
    const char *sets[] = {"aioqueue=4096", "bind=127.0.0.1", portset, "taskbudget=50"};
    char err[160];
    if (nd_node_init(&node, sets, 4, err, sizeof err) != ND_OK) {
        fprintf(stderr, "init: %s\n", err);
        return 1;
    }

    /* memory per idle task: heap growth for 2000 tasks armed an hour ahead */
    struct mallinfo2 m0 = mallinfo2();
    for (int i = 0; i < 2000; i++) spawn(&node, 100000 + i, 3600000);
    struct mallinfo2 m1 = mallinfo2();
    double per_task = (double)(m1.uordblks - m0.uordblks) / 2000.0;
    char kill[] = "task kill bench.*";
    nd_ctx ctx = {.door = ND_DOOR_SHELL};
    nd_buf_clear(&node.reply);
    nd_exec(&node, &ctx, kill, strlen(kill), &node.reply);

    if (nd_node_start(&node) != ND_OK) return 1;
    int port = nd_shell_port(&node);
    for (int i = 0; i < ntasks; i++) {
        period_of[i] = periods[i % 6];
        spawn(&node, i, period_of[i]);
    }

    /* phase 1: tasks alone -- the CPU cost of a task run, loop included */
    int quiet_s = seconds < 10 ? seconds : 10;
    uint64_t tq[6];
    nd_node_timing(&node, tq, true);
    double q0 = cpu_s();
    nd_timer_arm(&node.timers, &stop_timer, nd_port_mono_ms() + (uint64_t)quiet_s * 1000, stop_fn, NULL);
    nd_loop_run(&node);
    double quiet_cpu = cpu_s() - q0;
    nd_node_timing(&node, tq, true);

    /* phase 2: the same tasks while a second process uses the shell */
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) hammer(port, seconds);
    double expected = 0;
    for (int i = 0; i < ntasks; i++) expected += (double)(seconds + 1) * 1000.0 / period_of[i];
    uint64_t junk[6];
    nd_node_timing(&node, junk, true);
    double c0 = cpu_s();
    /* the loop outlives the client by a second, so its last request is answered */
    nd_timer_arm(&node.timers, &stop_timer, nd_port_mono_ms() + (uint64_t)seconds * 1000 + 1000, stop_fn, NULL);
    nd_loop_run(&node);
    double cpu = cpu_s() - c0;
    nd_task_timing t;
    nd_task_timing_get(&node, &t, false);
    waitpid(child, NULL, 0);

    printf("bench_task_timing: %d stepped tasks, periods 20/50/100/250/500/1000 ms, %d s, shell in use\n",
           ntasks, seconds);
    printf("  task runs:        %llu (expected ~%.0f)\n", (unsigned long long)t.count, expected);
    printf("  lateness p50:     %.3f ms   (histogram bucket upper bound, 0.05 ms buckets)\n", t.p50_us / 1000.0);
    printf("  lateness p99:     %.3f ms   (target < 2 ms)\n", t.p99_us / 1000.0);
    printf("  lateness max:     %.3f ms\n", t.max_us / 1000.0);
    printf("  run time/task run: %.3f us (inside the step, measured by the node)\n",
           t.runs ? (double)t.run_us / (double)t.runs : 0.0);
    printf("  CPU time/task run: %.3f us (whole process, loop and poll included, tasks alone for %d s;"
           " target < 2 us)\n", tq[0] ? quiet_cpu * 1e6 / (double)tq[0] : 0.0, quiet_s);
    printf("  CPU, shell phase:  %.1f %% of one core\n", 100.0 * cpu / seconds);
    printf("  memory/idle task:  %.0f bytes (heap growth for 2000 idle tasks; target < 256)\n", per_task);
    nd_node_shutdown(&node);
    nd_node_free(&node);
    return 0;
}
