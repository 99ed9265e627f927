/*
** hw.c -- the node's hardware life cycle (hw.h): open the backend chosen by
** `hwbackend` (when it cannot, every hardware call fails with the reason:
** hal_down.c), arm the external interrupts
** on it (irq.c), and in the loop hand queued edges to their watchers.
**
** The backend is process-wide like the hardware it drives (one board per
** process), and so is the drop bookkeeping here.
*/
#include "hal_int.h"
#include "hw.h"
#include "irq.h"
#include "node_int.h"
#include "nodus/port.h"

static uint64_t drops_logged, drop_log_ms;

int nd_hw_start(struct nd_node *n)
{
    /* no hardware at all in this image (ND_WITH_HW 0): no hwbackend key
    ** either, and the default's name opens the backend that says so */
    const char *be = ND_WITH_HW ? nd_cfg_get_str(n->cfg, ND_K_hwbackend) : "sim";
    if (nd_hal_open(be) != ND_OK) {
        nd_node_add_problem(n, "hwbackend %s: %s (every hardware call fails until fixed)", be,
                            nd_hal_error());
        nd_log(n, "[ERR] hwbackend %s: %s; every hardware call fails until fixed", be,
               nd_hal_error());
    }
    drops_logged = 0;
    nd_irq_start(n); /* a backend that is down makes each irq fail with its reason */
    return ND_OK;
}

void nd_hw_stop(struct nd_node *n)
{
    nd_irq_stop(n);
    nd_hal_close();
}

bool nd_hw_pending(void) { return nd_hal_edges_pending(); }

void nd_hw_poll(struct nd_node *n)
{
    if (nd_hal_edges_pending()) nd_hal_edges_dispatch(ND_HW_EDGES_PER_TURN);
    nd_gpio_stats st;
    nd_gpio_stats_get(&st);
    if (st.dropped > drops_logged) {
        uint64_t now = nd_port_mono_ms();
        if (now - drop_log_ms >= 1000 || drops_logged == 0) {
            nd_log(n, "[WARN] irq: %llu edges dropped (edge queue of %d full), %llu in total",
                   (unsigned long long)(st.dropped - drops_logged), ND_GPIO_RING,
                   (unsigned long long)st.dropped);
            drops_logged = st.dropped;
            drop_log_ms = now;
        }
    }
}
