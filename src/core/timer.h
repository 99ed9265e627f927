/*
** timer.h -- one-shot timers on the monotonic clock, kept in a binary heap.
**
** Arming, disarming and finding the next deadline cost O(log n) / O(1): an
** idle timer costs nothing per loop turn, however many there are. Timers are
** intrusive (caller-owned struct nd_timer), so the heap holds only pointers,
** and its capacity is fixed at init: arming past it fails with ND_ENOMEM.
** Periodic behaviour is a callback that re-arms itself (Redis ae style).
** Time is passed in by the caller (injected), so tests drive a fake clock.
*/
#ifndef ND_TIMER_H
#define ND_TIMER_H

#include <stdint.h>

typedef struct nd_timer nd_timer;
typedef void (*nd_timer_fn)(nd_timer *t, void *ud);

struct nd_timer {
    uint64_t due;    /* monotonic ms */
    uint64_t seq;    /* arm order: equal deadlines fire first-armed first */
    uint32_t slot;   /* heap index + 1; 0 when not armed */
    nd_timer_fn fn;
    void *ud;
};

typedef struct nd_timers {
    nd_timer **heap;
    uint32_t n, max;
    uint64_t seq;
} nd_timers;

int nd_timers_init(nd_timers *ts, uint32_t max);
void nd_timers_free(nd_timers *ts);
/* Arm (or re-arm) t to fire at `due`. ND_ENOMEM when the heap is full. */
int nd_timer_arm(nd_timers *ts, nd_timer *t, uint64_t due, nd_timer_fn fn, void *ud);
void nd_timer_disarm(nd_timers *ts, nd_timer *t);
static inline int nd_timer_armed(const nd_timer *t) { return t->slot != 0; }
/* Milliseconds until the next deadline (0 if due), -1 when none is armed. */
int64_t nd_timers_wait(const nd_timers *ts, uint64_t now);
/* Fire every timer due at `now`. A timer re-armed for `now` by its own
** callback waits for the next call, so a zero-period timer cannot starve
** the loop. Returns the number fired. */
int nd_timers_run(nd_timers *ts, uint64_t now);

#endif
