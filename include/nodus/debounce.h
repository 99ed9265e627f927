/*
** debounce.h -- contact debouncing as pure logic over an injected clock.
**
** Two modes:
**  - LEAD (micrOS `irq_prell_ms`): fire on the first matching edge, then
**    ignore every edge until more than `window` ms passed since the last
**    accepted one. Fast, but a noise burst on an idle line fires.
**  - STABLE: fire only once the level has held for `window` ms after its
**    last change, and only if it differs from the last confirmed level. A
**    burst that ends where it started never fires; a press fires `window`
**    ms after the contact stopped bouncing.
** The caller feeds raw edges (level after the edge, time in ms) and, in
** stable mode, calls nd_debounce_poll at nd_debounce_due() (a timer).
*/
#ifndef NODUS_DEBOUNCE_H
#define NODUS_DEBOUNCE_H

#include <stdbool.h>
#include <stdint.h>

enum { ND_DEBOUNCE_LEAD = 0, ND_DEBOUNCE_STABLE = 1 };

typedef struct nd_debounce {
    uint8_t mode;        /* ND_DEBOUNCE_* */
    uint8_t trig;        /* ND_EDGE_* mask (hal.h): which confirmed edges fire */
    uint32_t window;     /* ms */
    int level;           /* last raw level seen */
    int stable;          /* stable mode: last confirmed level */
    bool accepted;       /* lead mode: an edge was accepted already */
    bool pending;        /* stable mode: a change waits for confirmation */
    uint64_t last;       /* lead: time of last accepted edge; stable: of last change */
} nd_debounce;

/* Start with the line at `level`. */
void nd_debounce_init(nd_debounce *d, int mode, int trig, uint32_t window_ms, int level);
/* A raw edge to `level` at now_ms. Returns the edge that fires now
** (ND_EDGE_RISING / ND_EDGE_FALLING) or 0. Stable mode never fires here
** unless window is 0. */
int nd_debounce_edge(nd_debounce *d, int level, uint64_t now_ms);
/* Stable mode: when to call nd_debounce_poll (ms), or UINT64_MAX if nothing waits. */
uint64_t nd_debounce_due(const nd_debounce *d);
/* Stable mode: confirm a level that held for the window. Returns the firing edge or 0. */
int nd_debounce_poll(nd_debounce *d, uint64_t now_ms);

#endif
