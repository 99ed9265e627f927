/*
** timer.c -- binary min-heap of intrusive timers (see timer.h).
*/
#include "timer.h"

#include <stdlib.h>

#include "nodus/value.h"

int nd_timers_init(nd_timers *ts, uint32_t max)
{
    ts->heap = calloc(max ? max : 1, sizeof *ts->heap);
    ts->n = 0;
    ts->max = max;
    ts->seq = 0;
    return ts->heap ? ND_OK : ND_ENOMEM;
}

void nd_timers_free(nd_timers *ts)
{
    for (uint32_t i = 0; i < ts->n; i++) ts->heap[i]->slot = 0;
    free(ts->heap);
    ts->heap = NULL;
    ts->n = ts->max = 0;
}

static int before(const nd_timer *a, const nd_timer *b)
{
    return a->due < b->due || (a->due == b->due && a->seq < b->seq);
}

static void place(nd_timers *ts, uint32_t i, nd_timer *t)
{
    ts->heap[i] = t;
    t->slot = i + 1;
}

static void sift_up(nd_timers *ts, uint32_t i)
{
    nd_timer *t = ts->heap[i];
    while (i > 0) {
        uint32_t p = (i - 1) / 2;
        if (!before(t, ts->heap[p])) break;
        place(ts, i, ts->heap[p]);
        i = p;
    }
    place(ts, i, t);
}

static void sift_down(nd_timers *ts, uint32_t i)
{
    nd_timer *t = ts->heap[i];
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= ts->n) break;
        if (c + 1 < ts->n && before(ts->heap[c + 1], ts->heap[c])) c++;
        if (!before(ts->heap[c], t)) break;
        place(ts, i, ts->heap[c]);
        i = c;
    }
    place(ts, i, t);
}

void nd_timer_disarm(nd_timers *ts, nd_timer *t)
{
    if (!t->slot) return;
    uint32_t i = t->slot - 1;
    t->slot = 0;
    ts->n--;
    if (i == ts->n) return;
    nd_timer *moved = ts->heap[ts->n]; /* the last leaf fills the hole */
    place(ts, i, moved);
    sift_up(ts, i);
    sift_down(ts, moved->slot - 1);
}

int nd_timer_arm(nd_timers *ts, nd_timer *t, uint64_t due, nd_timer_fn fn, void *ud)
{
    nd_timer_disarm(ts, t);
    if (ts->n >= ts->max) return ND_ENOMEM;
    t->due = due;
    t->seq = ts->seq++;
    t->fn = fn;
    t->ud = ud;
    place(ts, ts->n++, t);
    sift_up(ts, ts->n - 1);
    return ND_OK;
}

int64_t nd_timers_wait(const nd_timers *ts, uint64_t now)
{
    if (!ts->n) return -1;
    uint64_t due = ts->heap[0]->due;
    return due <= now ? 0 : (int64_t)(due - now);
}

int nd_timers_run(nd_timers *ts, uint64_t now)
{
    /* Only timers armed before this call may fire in it (seq guard). */
    uint64_t limit = ts->seq;
    int fired = 0;
    while (ts->n && ts->heap[0]->due <= now && ts->heap[0]->seq < limit) {
        nd_timer *t = ts->heap[0];
        nd_timer_disarm(ts, t);
        fired++;
        t->fn(t, t->ud);
    }
    return fired;
}
