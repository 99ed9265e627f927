/*
** haptic.c -- vibration motor on PWM pin `haptic` (micrOS LM_haptic):
** tap -> 'Tap: low' (duty 700, or 1000 after load intensity='high', for
** 150 ms), effect1 -> 'finished: 350ms', effect2 -> 'finished: 400ms',
** gen(intensity=700, wait=200, stop_wait=100, repeat=2) ->
** 'finished: 600ms:700:200:2', load -> MicroPython's PWM repr
** 'PWM(Pin(11), freq=20480, duty=0)', deinit -> 'Deinited'.
**
** micrOS sleeps through an effect; nodus plays it as the task
** "haptic._fx" (a list of duty/ms segments) and answers micrOS's text at
** once. A new effect replaces one still playing. The contract:
** docs/modules.md.
*/
#include <string.h>

#include "nodus/hal.h"
#include "nodus/module.h"
#include "nodus/pins.h"
#include "nodus/task.h"

#define FREQ 20480
#define LOW 700
#define HIGH 1000
#define SEG_MAX 64

static struct {
    int pin;
    bool high;
    struct { uint16_t duty; uint16_t ms; } seg[SEG_MAX];
    int n, i;
    bool playing;
} s = {.pin = -1};

static int init(nd_call *c)
{
    if (s.pin >= 0) return ND_OK;
    if (nd_pin_bind(c, "haptic", &s.pin)) return ND_ERR;
    if (nd_pwm_set(nd_pin_gpio(s.pin), FREQ, 0) < 0) return nd_fail(c, "%s", nd_hal_error());
    return ND_OK;
}

static int32_t fx_step(nd_task *t, void *ud)
{
    (void)ud;
    int g = nd_pin_gpio(s.pin);
    if (s.pin < 0 || s.i >= s.n) {
        if (s.pin >= 0) nd_pwm_set(g, FREQ, 0);
        s.playing = false;
        return ND_TASK_DONE;
    }
    nd_pwm_set(g, FREQ, s.seg[s.i].duty);
    nd_task_printf(t, "duty %u for %u ms", s.seg[s.i].duty, s.seg[s.i].ms);
    return s.seg[s.i++].ms;
}

static void add(int duty, int ms)
{
    if (s.n < SEG_MAX) s.seg[s.n].duty = (uint16_t)duty, s.seg[s.n].ms = (uint16_t)ms, s.n++;
}

/* Start playing the segments queued since begin(). */
static int play(nd_call *c)
{
    s.i = 0;
    if (s.playing) return ND_OK; /* the running task picks the new list up */
    nd_value *keep = c->ret;
    if (nd_task_spawn(c, "haptic._fx", fx_step, NULL, 0)) return ND_ERR;
    c->ret = keep;
    s.playing = true;
    return ND_OK;
}

static int begin(nd_call *c)
{
    if (init(c)) return ND_ERR;
    s.n = 0;
    return ND_OK;
}

static int f_load(nd_call *c)
{
    if (!nd_arg_is_none(c, 0)) {
        const char *in;
        if (nd_arg_str(c, 0, &in)) return ND_ERR;
        if (!strcmp(in, "high") || !strcmp(in, "low")) s.high = !strcmp(in, "high");
    }
    if (init(c)) return ND_ERR;
    uint32_t f = FREQ, d = 0;
    nd_pwm_get(nd_pin_gpio(s.pin), &f, &d);
    return nd_ret_str(c, "PWM(Pin(%d), freq=%lu, duty=%lu)", nd_pin_gpio(s.pin), (unsigned long)f, (unsigned long)d);
}

static int f_tap(nd_call *c)
{
    if (begin(c)) return ND_ERR;
    add(s.high ? HIGH : LOW, 150);
    if (play(c)) return ND_ERR;
    return nd_ret_str(c, s.high ? "Tap: high" : "Tap: low");
}

static int f_gen(nd_call *c)
{
    int64_t in, wait, stop, rep;
    if (nd_arg_int(c, 0, &in) || nd_arg_int(c, 1, &wait) || nd_arg_int(c, 2, &stop) || nd_arg_int(c, 3, &rep))
        return ND_ERR;
    if (in < 0 || in > 1023) return nd_fail(c, "intensity=%lld out of range 0..1023", (long long)in);
    if (wait < 0 || wait > 10000 || stop < 0 || stop > 10000)
        return nd_fail(c, "wait and stop_wait must be 0..10000 ms");
    if (rep < 0 || rep > SEG_MAX / 2) return nd_fail(c, "repeat=%lld out of range 0..%d", (long long)rep, SEG_MAX / 2);
    if (begin(c)) return ND_ERR;
    for (int i = 0; i < rep; i++) add((int)in, (int)wait), add(0, (int)stop);
    if (play(c)) return ND_ERR;
    return nd_ret_str(c, "finished: %lldms:%lld:%lld:%lld", (long long)((wait + stop) * rep), (long long)in,
                      (long long)wait, (long long)rep);
}

static int f_effect1(nd_call *c)
{
    if (begin(c)) return ND_ERR;
    add(HIGH, 150), add(LOW, 100), add(HIGH, 100);
    if (play(c)) return ND_ERR;
    return nd_ret_str(c, "finished: 350ms");
}

static int f_effect2(nd_call *c)
{
    if (begin(c)) return ND_ERR;
    add(HIGH, 150);
    for (int d = HIGH; d > 300; d -= 100) add(d, 50); /* range(HIGH, 300, -100) */
    if (play(c)) return ND_ERR;
    return nd_ret_str(c, "finished: 400ms");
}

static int f_deinit(nd_call *c)
{
    if (s.pin >= 0) {
        s.n = s.i = 0; /* a playing effect ends at its next step */
        nd_pwm_stop(nd_pin_gpio(s.pin));
        nd_pin_release(c->node, "haptic");
        s.pin = -1;
    }
    return nd_ret_str(c, "Deinited");
}

static int f_pinmap(nd_call *c)
{
    static const char *const tags[] = {"haptic", NULL};
    return nd_pin_ret_map(c, tags);
}

static const nd_func funcs[] = {
    ND_FUNC("load", f_load, "intensity=None", "load intensity='low/high'/None"),
    ND_FUNC("tap", f_tap, "", "BUTTON tap"),
    ND_FUNC("effect1", f_effect1, "", "BUTTON effect1"),
    ND_FUNC("effect2", f_effect2, "", "BUTTON effect2"),
    ND_FUNC("gen", f_gen, "intensity=700 wait=200 stop_wait=100 repeat=2",
            "gen max=<600-1000> wait=200 stop_wait=100 repeat=2"),
    ND_FUNC("deinit", f_deinit, "", "deinit"),
    ND_FUNC("pinmap", f_pinmap, "", "pinmap"),
    ND_FUNCS_END,
};

const nd_module nd_mod_haptic = {"haptic", funcs, NULL, "vibration motor (haptic feedback) on PWM"};
