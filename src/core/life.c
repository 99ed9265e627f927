/*
** life.c -- boot scripts, the end script and recovery mode (life.h).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "life.h"
#include "node_int.h"
#include "nodus/port.h"
#include "nsh.h"

struct nd_life {
    bool recovery;
    char why[96];
    bool booted;       /* nd_life_boot ran */
    bool stopping;     /* nd_node_stopping ran (once per process) */
    bool end_running;  /* end.sh has not finished yet */
    nd_timer good_timer; /* ND_LIFE_GOOD_MS after start: the boot was good */
    nd_timer end_timer;  /* end.sh's deadline */
};

static struct nd_life *life(struct nd_node *n)
{
    if (!n->life) n->life = calloc(1, sizeof *n->life);
    return n->life;
}

bool nd_node_recovery(struct nd_node *n) { return n->life && n->life->recovery; }

const char *nd_node_recovery_why(struct nd_node *n)
{
    return nd_node_recovery(n) ? n->life->why : NULL;
}

void nd_life_force_recovery(struct nd_node *n, const char *why)
{
    struct nd_life *l = life(n);
    if (!l || l->recovery) return;
    l->recovery = true;
    snprintf(l->why, sizeof l->why, "%s", why);
}

static int read_count(void)
{
    char buf[32];
    size_t len;
    if (nd_fs_read(ND_LIFE_COUNT_FILE, buf, sizeof buf, &len) != ND_OK) return 0;
    long v = strtol(buf, NULL, 10);
    return v < 0 ? 0 : v > 1000000 ? 1000000 : (int)v;
}

static void write_count(struct nd_node *n, int c)
{
    char buf[32];
    int k = snprintf(buf, sizeof buf, "%d\n", c);
    if (nd_fs_write_atomic(ND_LIFE_COUNT_FILE, buf, (size_t)k) != ND_OK)
        nd_log(n, "[WARN] boot: cannot write %s: no automatic recovery", ND_LIFE_COUNT_FILE);
}

static void good_fn(nd_timer *t, void *ud)
{
    (void)t;
    struct nd_node *n = ud;
    write_count(n, 0); /* up long enough: this boot was not a bad one */
}

void nd_life_boot(struct nd_node *n)
{
    struct nd_life *l = life(n);
    if (!l) return;
    l->booted = true;
    /* the nsh tree ("/" is the state dir): etc for the shipped scripts,
    ** local for the user's own, tmp for scratch -- where there is an nsh */
    if (ND_WITH_NSH) {
        nd_fs_mkdir("etc");
        nd_fs_mkdir("local");
        nd_fs_mkdir("tmp");
    }
    int short_boots = read_count();
    nd_fs_info fi;
    if (!l->recovery && nd_fs_stat(ND_LIFE_MARKER, &fi) == ND_OK)
        nd_life_force_recovery(n, "marker file " ND_LIFE_MARKER " in the state directory");
    if (!l->recovery && short_boots >= ND_LIFE_SHORT_BOOTS) {
        l->recovery = true;
        snprintf(l->why, sizeof l->why, "%d boots in a row ended before %d s of uptime",
                 short_boots, ND_LIFE_GOOD_MS / 1000);
    }
    write_count(n, short_boots + 1);
    nd_timer_arm(&n->timers, &l->good_timer, nd_port_mono_ms() + ND_LIFE_GOOD_MS, good_fn, n);
    if (l->recovery)
        nd_log(n, "[WARN] boot: RECOVERY MODE (%s): boothook and init scripts skipped", l->why);
}

/* ---- init scripts ------------------------------------------------------------ */
static void local_done(void *ud, int status)
{
    nd_log(ud, "[BOOT] init: /local/init.sh exited %d", status);
}

static void run_local(struct nd_node *n)
{
    int rc = ND_WITH_NSH ? nd_nsh_run_file(n, "local/init.sh", local_done, n) : ND_ENOTFOUND;
    if (rc == ND_OK) nd_log(n, "[BOOT] init: /local/init.sh started");
    else if (rc != ND_ENOTFOUND)
        nd_log(n, "[ERR] init: /local/init.sh: %s", nd_strerror(rc));
}

static void etc_done(void *ud, int status)
{
    struct nd_node *n = ud;
    nd_log(n, "[BOOT] init: /etc/init.sh exited %d", status);
    run_local(n); /* the user's script runs after the system's, whatever it returned */
}

void nd_life_start(struct nd_node *n)
{
    struct nd_life *l = life(n);
    if (!l || l->recovery) return;
    int rc = ND_WITH_NSH ? nd_nsh_run_file(n, "etc/init.sh", etc_done, n) : ND_ENOTFOUND;
    if (rc == ND_OK) {
        nd_log(n, "[BOOT] init: /etc/init.sh started");
        return;
    }
    if (rc != ND_ENOTFOUND) nd_log(n, "[ERR] init: /etc/init.sh: %s", nd_strerror(rc));
    run_local(n);
}

/* ---- end script ---------------------------------------------------------------- */
static void end_done(void *ud, int status)
{
    struct nd_node *n = ud;
    if (!n->life || !n->life->end_running) return;
    n->life->end_running = false;
    nd_timer_disarm(&n->timers, &n->life->end_timer);
    nd_log(n, "[INFO] end: /etc/end.sh exited %d", status);
    nd_loop_stop();
}

static void end_late(nd_timer *t, void *ud)
{
    (void)t;
    struct nd_node *n = ud;
    n->life->end_running = false;
    nd_log(n, "[WARN] end: /etc/end.sh still running after %d ms: not waited for",
           ND_LIFE_END_MS);
    nd_loop_stop();
}

bool nd_node_stopping(struct nd_node *n)
{
    struct nd_life *l = life(n);
    if (!l || l->stopping) return false;
    l->stopping = true;
    nd_timer_disarm(&n->timers, &l->good_timer);
    /* an operator's stop says nothing bad about the boot; a reboot might be
    ** a loop (a boot script that reboots), so it keeps counting */
    if (l->booted && !n->reboot) write_count(n, 0);
    l->end_running = true;
    /* no nsh in this image (nodus/opts.h): no end script to run either */
    int rc = ND_WITH_NSH ? nd_nsh_run_file(n, "etc/end.sh", end_done, n) : ND_ENOTFOUND;
    if (rc != ND_OK) {
        l->end_running = false;
        if (rc != ND_ENOTFOUND) nd_log(n, "[ERR] end: /etc/end.sh: %s", nd_strerror(rc));
        return false;
    }
    if (!l->end_running) return false; /* it finished at once */
    nd_log(n, "[INFO] end: /etc/end.sh started");
    nd_timer_arm(&n->timers, &l->end_timer, nd_port_mono_ms() + ND_LIFE_END_MS, end_late, n);
    return true;
}

void nd_life_free(struct nd_node *n)
{
    if (!n->life) return;
    nd_timer_disarm(&n->timers, &n->life->good_timer);
    nd_timer_disarm(&n->timers, &n->life->end_timer);
    free(n->life);
    n->life = NULL;
}
