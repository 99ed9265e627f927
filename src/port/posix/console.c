/*
** console.c -- nsh on the node's own terminal (console.h).
*/
#define _GNU_SOURCE
#include "console.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth.h"
#include "ledit.h"
#include "nodus/node.h"
#include "nodus/port.h"
#include "nsh.h"
#include "posix.h"

#define CON_QUEUE 16 /* lines typed ahead while a command runs */

static struct {
    struct nd_node *node;
    nd_nsh *sh;
    nd_sock *watch;
    int intr;           /* Ctrl-C in a row at an idle prompt */
    char *queue[CON_QUEUE];
    int nq;
    bool open;
} con;

static bool c_write(void *ud, const void *p, size_t n)
{
    (void)ud;
    nd_ledit_print(p, n); /* a terminal: written at once */
    return true;
}

static void feed(void);

static void c_idle(void *ud)
{
    (void)ud;
    if (!con.sh) return;
    nd_ledit_set_prompt(nd_nsh_prompt(con.sh));
    if (con.nq) feed();
}

static void c_exit(void *ud, int status)
{
    (void)ud;
    nd_log(con.node, "[INFO] console: exit %d: stopping the node", status);
    nd_loop_stop(); /* a clean stop: /etc/end.sh runs, the config is saved */
}

/* One line to nsh: queued while a command runs (nsh refuses it then). */
static void give(char *line)
{
    nd_ledit_set_prompt("");
    int rc = nd_nsh_input(con.sh, line, strlen(line));
    if (rc == ND_EAGAIN) {
        if (con.nq < CON_QUEUE) {
            con.queue[con.nq++] = line;
            return;
        }
        nd_ledit_print("console: too many lines typed ahead, dropped\n", 45);
    }
    free(line);
}

static void feed(void)
{
    while (con.nq && con.sh && !nd_nsh_busy(con.sh)) {
        char *l = con.queue[0];
        memmove(con.queue, con.queue + 1, (size_t)(--con.nq) * sizeof *con.queue);
        give(l);
    }
}

static void on_line(char *line, void *ud)
{
    (void)ud;
    if (!line) { /* ^D on an empty line or stdin closed: the node runs on */
        nd_log(con.node, "[INFO] console: end of input, console closed; the node runs on");
        nd_console_stop();
        return;
    }
    con.intr = 0;
    nd_ledit_add_history(line);
    if (con.nq || nd_nsh_busy(con.sh)) {
        if (con.nq < CON_QUEUE) con.queue[con.nq++] = line;
        else free(line);
        return;
    }
    give(line);
}

static void log_line(const char *line)
{
    char buf[2048];
    int k = snprintf(buf, sizeof buf, "%s\n", line);
    if (k > (int)sizeof buf - 1) k = (int)sizeof buf - 1;
    fflush(stdout);
    nd_ledit_print(buf, (size_t)k);
}

static void on_stdin(nd_sock *s, int ev, void *ud)
{
    (void)s;
    (void)ev;
    (void)ud;
    nd_ledit_input();
}

static void on_sigint(void)
{
    if (!con.sh) return;
    if (nd_nsh_busy(con.sh) || con.nq) {
        for (int i = 0; i < con.nq; i++) free(con.queue[i]);
        con.nq = 0;
        nd_nsh_interrupt(con.sh); /* the foreground command, not the node */
        return;
    }
    nd_ledit_cancel();
    if (++con.intr >= 2) {
        static const char hint[] = "(Ctrl-C interrupts nsh commands; to stop the node type "
                                   "exit, or send SIGTERM)\n";
        nd_ledit_print(hint, sizeof hint - 1);
        con.intr = 0;
    }
}

static void history_file(char *buf, size_t n)
{
    const char *x = getenv("XDG_STATE_HOME"), *h = getenv("HOME");
    buf[0] = 0;
    if (x && *x) snprintf(buf, n, "%s/nodus_nsh_history", x);
    else if (h && *h) snprintf(buf, n, "%s/.local/state/nodus_nsh_history", h);
}

bool nd_console_start(struct nd_node *n)
{
    if (!isatty(0) || con.open) return false;
    con.node = n;
    nd_nsh_door d = {.write = c_write, .idle = c_idle, .exit = c_exit, .ud = NULL,
                     /* the auth table's console door: whoever started the node */
                     .authed = nd_auth_allows(n, ND_AUTH_DOOR_CONSOLE, ND_ACT_NSH, false),
                     .who = "console"};
    con.sh = nd_nsh_open(n, &d);
    if (!con.sh) return false;
    con.watch = nd_posix_watch_fd(0, on_stdin, NULL);
    if (!con.watch) {
        nd_nsh_close(con.sh);
        con.sh = NULL;
        return false;
    }
    char hist[4096];
    history_file(hist, sizeof hist);
    if (!nd_ledit_open(hist, on_line, NULL))
        fprintf(stderr, "nodus: libedit.so.2 not found: console without line editing\n");
    con.open = true;
    nd_posix_on_sigint(on_sigint);
    nd_posix_log_hook = log_line;
    nd_ledit_print("nsh console: type help; Ctrl-C interrupts a command; exit stops the node\n",
                   74);
    nd_ledit_set_prompt(nd_nsh_prompt(con.sh));
    return true;
}

void nd_console_stop(void)
{
    if (!con.open) return;
    con.open = false;
    nd_posix_on_sigint(NULL); /* Ctrl-C stops the node again */
    nd_posix_log_hook = NULL;
    nd_ledit_close();
    if (con.watch) nd_posix_sock_forget(con.watch); /* fd 0 stays open */
    con.watch = NULL;
    for (int i = 0; i < con.nq; i++) free(con.queue[i]);
    con.nq = 0;
    nd_nsh *sh = con.sh;
    con.sh = NULL;
    if (sh) nd_nsh_close(sh);
}
