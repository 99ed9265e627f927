/*
** fade.c -- linear, clock-driven transitions (fade.h).
*/
#include "nodus/fade.h"

void nd_fade_start(nd_fade *f, const int *from, const int *to, int n, uint64_t now_ms,
                   uint32_t dur_ms)
{
    if (n < 1) n = 1;
    if (n > ND_FADE_CH) n = ND_FADE_CH;
    f->n = n;
    for (int i = 0; i < n; i++) {
        f->from[i] = from[i];
        f->to[i] = to[i];
    }
    f->t0 = now_ms;
    f->dur_ms = dur_ms;
}

bool nd_fade_at(const nd_fade *f, uint64_t now_ms, int *out)
{
    uint64_t e = now_ms > f->t0 ? now_ms - f->t0 : 0;
    bool done = e >= f->dur_ms;
    for (int i = 0; i < f->n; i++) {
        if (done) {
            out[i] = f->to[i];
            continue;
        }
        /* C division truncates toward zero, so the offset is rounded toward
        ** `from` in both directions: |offset| grows with e, never exceeds |d|. */
        int64_t d = (int64_t)f->to[i] - f->from[i];
        out[i] = f->from[i] + (int)(d * (int64_t)e / (int64_t)f->dur_ms);
    }
    return done;
}
