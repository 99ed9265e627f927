/*
** fade.h -- smooth transitions for device modules (rgb, cct, dimmer,
** neopixel), computed from the clock instead of counted in steps.
**
** A fade knows where each channel starts, where it ends and over how long;
** the value at any instant is from + (to - from) * elapsed / duration,
** rounded toward `from`. That is monotonic in time by construction (never
** overshoots, never steps back), reaches the target exactly at the end, and
** a late or skipped step only makes the fade coarser, never longer: the
** stepped task that drives it (task.h) can be delayed by a busy loop and
** still finish on time.
*/
#ifndef NODUS_FADE_H
#define NODUS_FADE_H

#include <stdbool.h>
#include <stdint.h>

#define ND_FADE_CH 4       /* channels per fade (R G B + one) */
#define ND_FADE_STEP_MS 20 /* step period of fade tasks: 50 updates/s */

typedef struct nd_fade {
    int from[ND_FADE_CH], to[ND_FADE_CH];
    int n;           /* channels in use, 1..ND_FADE_CH */
    uint64_t t0;     /* start, monotonic ms */
    uint32_t dur_ms; /* 0 = jump */
} nd_fade;

void nd_fade_start(nd_fade *f, const int *from, const int *to, int n, uint64_t now_ms,
                   uint32_t dur_ms);
/* Values at now_ms into out[n]; true once the fade is complete (out == to). */
bool nd_fade_at(const nd_fade *f, uint64_t now_ms, int *out);

#endif
