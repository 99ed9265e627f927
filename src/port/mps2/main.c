/*
** main.c -- the nodus firmware: bring up the board, then run the node in a
** super-loop (nodus/run.h). Each turn: Ethernet frames into lwIP and lwIP's
** timers, the callbacks of ready sockets, then nd_node_step; when nothing
** moved and no deadline is due, WFI sleeps until the next SysTick (1 ms).
*/
#include <string.h>

#include "mps2.h"
#include "nodus/node.h"
#include "nodus/opts.h"
#include "nodus/port.h"
#include "nodus/run.h"

#ifndef ND_FW_ECHO_PORT
#define ND_FW_ECHO_PORT 7 /* the bare lwIP echo the bench compares the shell with */
#endif

static volatile int stop_flag;
static uint64_t busy_us, window_us;
static unsigned load_pm;

void nd_loop_stop(void) { stop_flag = 1; }
unsigned nd_loop_load_pm(void) { return load_pm; }

/* Load: the share of time spent outside WFI over 5 s windows. */
static void account(uint64_t t0)
{
    uint64_t now = nd_port_mono_us();
    busy_us += now - t0;
    if (now - window_us >= 5000000u) {
        load_pm = nd_permille(busy_us, now - window_us);
        busy_us = 0;
        window_us = now;
    }
}

int nd_loop_run(struct nd_node *node)
{
    stop_flag = 0;
    window_us = nd_port_mono_us();
    while (!stop_flag) {
        uint64_t t0 = nd_port_mono_us();
        nd_port_wdt_feed();
        int moved = nd_fw_net_poll();
        moved += nd_fw_net_dispatch();
        /* after the socket callbacks: they may have armed earlier timers */
        uint64_t next = nd_node_step(node, nd_port_mono_ms());
        account(t0);
        if (!moved && next > nd_port_mono_ms()) __asm volatile("wfi");
    }
    return ND_OK;
}

int main(void)
{
    nd_fw_uart_init();
    nd_fw_time_init();
    nd_fw_diag("\r\nnodus %s firmware on %s\r\n", NODUS_VERSION, nd_port_board());
    nd_fw_fs_init();
    nd_fw_net_init();
    nd_fw_echo_start(ND_FW_ECHO_PORT);
    nd_fs_set_root("flash:");
    struct nd_node *node = nd_node_storage();
    char err[128] = "";
#if ND_WITH_WEB
    /* the REST door is what this image is for: on at every boot */
    static const char *const sets[] = {"webui=True"};
    int nsets = 1;
#else
    static const char *const *sets = NULL;
    int nsets = 0;
#endif
    if (nd_node_init(node, sets, nsets, err, sizeof err) != ND_OK) {
        nd_fw_diag("nodus: %s\r\n", err);
        nd_node_free(node);
        return 1; /* startup.c resets */
    }
    if (nd_node_start(node) != ND_OK) {
        nd_fw_diag("nodus: cannot start the shell\r\n");
        nd_node_shutdown(node);
        nd_node_free(node);
        return 1;
    }
    nd_fw_diag("nodus: node running, shell on 10.0.2.15:9008\r\n");
    nd_loop_run(node);
    nd_node_shutdown(node);
    bool reboot = nd_node_wants_reboot(node);
    nd_node_free(node);
    nd_fw_diag("nodus: %s\r\n", reboot ? "rebooting" : "stopped; resetting");
    nd_port_reboot();
    return 0;
}
