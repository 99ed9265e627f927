/*
** debounce.c -- leading-edge and stable-level debouncing (debounce.h).
** Pure logic: time comes in as a parameter, so the unit tests drive it with
** exact edge sequences.
*/
#include <stdint.h>
#include <string.h>

#include "nodus/debounce.h"
#include "nodus/hal.h"

void nd_debounce_init(nd_debounce *d, int mode, int trig, uint32_t window_ms, int level)
{
    memset(d, 0, sizeof *d);
    d->mode = (uint8_t)mode;
    d->trig = (uint8_t)trig;
    d->window = window_ms;
    d->level = d->stable = level ? 1 : 0;
}

static int dir(int level) { return level ? ND_EDGE_RISING : ND_EDGE_FALLING; }

int nd_debounce_edge(nd_debounce *d, int level, uint64_t now_ms)
{
    level = level ? 1 : 0;
    d->level = level;
    if (d->mode == ND_DEBOUNCE_LEAD) {
        int e = dir(level);
        if (!(d->trig & e)) return 0;
        /* micrOS accepts an edge when *more than* prell ms passed since the
        ** last accepted one; a window of 0 means no debouncing at all (micrOS
        ** would drop a second edge within the same millisecond). */
        if (d->window && d->accepted && now_ms - d->last <= d->window) return 0;
        d->accepted = true;
        d->last = now_ms;
        return e;
    }
    /* stable: every edge restarts the wait; only the level counts */
    d->pending = true;
    d->last = now_ms;
    return d->window == 0 ? nd_debounce_poll(d, now_ms) : 0;
}

uint64_t nd_debounce_due(const nd_debounce *d)
{
    return d->mode == ND_DEBOUNCE_STABLE && d->pending ? d->last + d->window : UINT64_MAX;
}

int nd_debounce_poll(nd_debounce *d, uint64_t now_ms)
{
    if (d->mode != ND_DEBOUNCE_STABLE || !d->pending || now_ms < d->last + d->window) return 0;
    d->pending = false;
    if (d->level == d->stable) return 0; /* a burst that ended where it began */
    d->stable = d->level;
    int e = dir(d->stable);
    return d->trig & e ? e : 0;
}
