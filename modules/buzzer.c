/*
** buzzer.c -- PWM buzzer on the `buzzer` pin (micrOS LM_buzzer): beeps and
** RTTTL tunes, both played by the stepped task "buzzer.play" one note at a
** time (rtttl.h walks the text in place), so a tune never blocks the loop.
** A tune is checked completely before it starts: a bad note is refused up
** front with its text, never discovered halfway through.
*/
#include <string.h>

#include "nodus/hal.h"
#include "nodus/module.h"
#include "nodus/pins.h"
#include "nodus/rtttl.h"
#include "nodus/task.h"

#define TUNE_MAX 1024 /* longest RTTTL text */

static const struct {
    const char *name, *rtttl;
} tunes[] = {
    {"indiana", "Indiana:d=4,o=5,b=250:e,8p,8f,8g,8p,1c6,8p.,d,8p,8e,1f,p.,g,8p,8a,8b,8p,1f6,p,a,8p,8b,2c6,2d6,2e6"},
    {"mario", "Mario:d=4,o=5,b=100:16e6,16e6,32p,8e6,16c6,8e6,8g6,8p,8g,8p"},
    {"starwars", "StarWars:d=4,o=5,b=45:32p,32f#,32f#,32f#,8b.,8f#.6,32e6,32d#6,32c#6,8b.6,16f#.6"},
};

static int pin = -1;
static struct {
    char text[TUNE_MAX + 1];
    nd_rtttl r;
    int beeps, freq; /* bipp: remaining half-periods, tone */
    bool gap;        /* next step ends a short silence between notes */
    int gen;         /* bumped by stop: a running task ends */
} pl;
static int gen;

static int ready(nd_call *c) { return pin >= 0 ? ND_OK : nd_pin_bind(c, "buzzer", &pin); }

static void quiet(void) { nd_pwm_stop(nd_pin_gpio(pin)); }

static int32_t step(nd_task *t, void *ud)
{
    (void)ud;
    if (pl.gen != gen) {
        quiet();
        nd_task_printf(t, "Stopped");
        return ND_TASK_DONE;
    }
    if (pl.beeps > 0) { /* bipp: 50 ms on, 50 ms off */
        int on = pl.beeps-- % 2 == 0;
        if (on) nd_pwm_set(nd_pin_gpio(pin), (uint32_t)pl.freq, 512);
        else quiet();
        return pl.beeps ? 50 : ND_TASK_DONE;
    }
    if (pl.gap) { /* the rest of a note was silence */
        pl.gap = false;
    }
    int hz, ms;
    char err[ND_ERRMSG];
    int rc = nd_rtttl_next(&pl.r, &hz, &ms, err, sizeof err);
    if (rc <= 0) {
        quiet();
        nd_task_printf(t, rc == 0 ? "Played %s" : "%s", rc == 0 ? pl.r.name : err);
        return ND_TASK_DONE;
    }
    if (hz) nd_pwm_set(nd_pin_gpio(pin), (uint32_t)hz, 512);
    else quiet();
    nd_task_printf(t, "%s: %d Hz %d ms", pl.r.name, hz, ms);
    return ms > 0 ? ms : 1;
}

static int f_bipp(nd_call *c)
{
    int64_t n, f;
    if (ready(c) || nd_arg_int(c, 0, &n) || nd_arg_int(c, 1, &f)) return ND_ERR;
    if (n < 1 || n > 100) return nd_fail(c, "repeat=%lld out of range 1..100", (long long)n);
    if (f < 20 || f > 20000) return nd_fail(c, "freq=%lld out of range 20..20000 Hz", (long long)f);
    pl.gen = ++gen, pl.beeps = (int)n * 2, pl.freq = (int)f;
    return nd_task_spawn(c, "buzzer.play", step, NULL, 0);
}

static int play(nd_call *c, const char *text)
{
    char err[ND_ERRMSG];
    nd_rtttl chk;
    int hz, ms, rc;
    if (strlen(text) > TUNE_MAX) return nd_fail(c, "RTTTL text longer than %d characters", TUNE_MAX);
    if (nd_rtttl_open(&chk, text, err, sizeof err) != ND_OK) return nd_fail(c, "%s", err);
    while ((rc = nd_rtttl_next(&chk, &hz, &ms, err, sizeof err)) > 0) {}
    if (rc < 0) return nd_fail(c, "%s", err);
    if (ready(c)) return ND_ERR;
    strcpy(pl.text, text);
    nd_rtttl_open(&pl.r, pl.text, err, sizeof err);
    pl.gen = ++gen, pl.beeps = 0, pl.gap = false;
    return nd_task_spawn(c, "buzzer.play", step, NULL, 0);
}

static int f_play(nd_call *c)
{
    const char *s;
    if (nd_arg_str(c, 0, &s)) return ND_ERR;
    return play(c, s);
}

static int f_tune(nd_call *c)
{
    const char *s;
    if (nd_arg_str(c, 0, &s)) return ND_ERR;
    for (size_t i = 0; i < sizeof tunes / sizeof tunes[0]; i++)
        if (strcmp(tunes[i].name, s) == 0) return play(c, tunes[i].rtttl);
    return nd_fail(c, "unknown tune '%s' (see list_tunes)", s);
}

static int f_list_tunes(nd_call *c)
{
    nd_value *l = nd_list(c->arena);
    if (!l) return nd_fail(c, "memory allocation failed");
    for (size_t i = 0; i < sizeof tunes / sizeof tunes[0]; i++)
        if (nd_seq_push(c->arena, l, nd_str(c->arena, tunes[i].name))) return nd_fail(c, "memory allocation failed");
    c->ret = l;
    return ND_OK;
}

static int f_stop(nd_call *c)
{
    if (ready(c)) return ND_ERR;
    gen++;
    quiet();
    return nd_ret_str(c, "Stopped");
}

static int f_pinmap(nd_call *c)
{
    static const char *const tags[] = {"buzzer", NULL};
    return nd_pin_ret_map(c, tags);
}

static const nd_func funcs[] = {
    ND_FUNC("bipp", f_bipp, "repeat=1 freq=1000", "BUTTON bipp repeat=1 freq=1000"),
    ND_FUNC("play", f_play, "rtttlstr", "play rtttlstr"),
    ND_FUNC("tune", f_tune, "name='mario'", "BUTTON tune name=<indiana,mario,starwars>"),
    ND_FUNC("list_tunes", f_list_tunes, "", "list_tunes"),
    ND_FUNC("stop", f_stop, "", "BUTTON stop"),
    ND_FUNC("pinmap", f_pinmap, "", "pinmap"),
    ND_FUNCS_END,
};

const nd_module nd_mod_buzzer = {"buzzer", funcs, NULL, "PWM buzzer: beeps and RTTTL tunes"};
