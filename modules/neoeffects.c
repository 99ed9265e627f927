/*
** neoeffects.c -- animations on the `neopixel` strip (micrOS LM_neoeffects):
** meteor, cycle, rainbow, fire (looping, one frame per speed_ms in the task
** "neoeffects._play"), shader (at once), color / random (the colour the
** effects use: neopixel's stored colour), stop, load(pixel_cnt=24).
**
** As micrOS's, the effects draw straight to the strip behind `neopixel`'s
** back (its stored colour and status stay): load calls `neopixel load
** ledcnt=<pixel_cnt>` (pin, cache), the effects' colour starts as
** neopixel's stored colour and color()/random() change only that copy
** (micrOS's DCACHE); color answers neopixel's status as micrOS does.
** Frames follow micrOS's formulas: meteor's 0.6 * (p/n)^0.9 tail, cycle's
** 10 % wings, rainbow's colour wheel at br %, fire's flicker up to br %.
** Replies micrOS leaves to its AnimationPlayer are nodus's: the task reply
** {'neoeffects._play': 'Starting'}, stop -> 'Stopped: neoeffects._play',
** load -> 'neoeffects: 24 pixels'. control changes the running effect's
** speed and batch flag (a frame is still always drawn whole). The contract: docs/modules.md.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "nodus/hal.h"
#include "nodus/module.h"
#include "nodus/pins.h"
#include "nodus/port.h"
#include "nodus/task.h"

enum { FX_NONE, FX_METEOR, FX_CYCLE, FX_RAINBOW, FX_FIRE };

static struct {
    bool ready;
    int n, pin;
    int rgb[3];               /* the effects' colour (micrOS Data.DCACHE) */
    uint8_t px[ND_PIXEL_MAX * 3];
    int fx, speed, br;
    bool shift, playing;
    bool batch;               /* micrOS AnimationPlayer's batch_draw (False until an effect plays) */
    int bsize;                /* its batch size: 8 until an effect sets it */
    uint32_t frame;
} s;


static double num(const nd_value *v) { return !v ? 0 : v->type == ND_T_FLOAT ? v->u.f : v->type == ND_T_INT ? (double)v->u.i : 0; }

static int ready(nd_call *c, int cnt)
{
    if (s.ready) return ND_OK;
    if (cnt < 1 || cnt > ND_PIXEL_MAX) return nd_fail(c, "pixel_cnt=%d out of range 1..%d", cnt, ND_PIXEL_MAX);
    nd_value *r, *a[3] = {nd_int(c->arena, cnt), NULL, NULL};
    a[2] = nd_bool(c->arena, true);
    if (nd_lm_call(c, "neopixel", "load", a, 3, &r) || nd_lm_call(c, "neopixel", "status", NULL, 0, &r)) return ND_ERR;
    if (r && r->type == ND_T_DICT)
        s.rgb[0] = (int)num(nd_dict_get(r, "R")), s.rgb[1] = (int)num(nd_dict_get(r, "G")),
        s.rgb[2] = (int)num(nd_dict_get(r, "B"));
    int p;
    if (nd_pin_find(c->node, "neop", &p) != ND_OK) return nd_fail(c, "no pin neop on this board");
    s.pin = nd_pin_gpio(p), s.n = cnt, s.ready = true;
    s.speed = 10, s.bsize = 8; /* micrOS AnimationPlayer's defaults before any effect */
    return ND_OK;
}

static void set(int i, double r, double g, double b)
{
    uint8_t *q = &s.px[(size_t)(((i % s.n) + s.n) % s.n) * 3];
    q[0] = (uint8_t)(r < 0 ? 0 : r > 255 ? 255 : (int)r);
    q[1] = (uint8_t)(g < 0 ? 0 : g > 255 ? 255 : (int)g);
    q[2] = (uint8_t)(b < 0 ? 0 : b > 255 ? 255 : (int)b);
}

static void wheel(int pos, int *r, int *g, int *b)
{
    if (pos < 85) *r = 255 - pos * 3, *g = pos * 3, *b = 0;
    else if (pos < 170) pos -= 85, *r = 0, *g = 255 - pos * 3, *b = pos * 3;
    else pos -= 170, *r = pos * 3, *g = 0, *b = 255 - pos * 3;
}

static void draw_frame(void)
{
    int n = s.n, f = (int)s.frame;
    const int *c = s.rgb;
    if (s.fx == FX_METEOR) {
        int off = s.shift ? f % n : 0;
        for (int p = 0; p < n; p++) {
            double fade = 0.6 * pow((double)p / n, 0.9);
            set(p + off, c[0] * fade, c[1] * fade, c[2] * fade);
        }
    } else if (s.fx == FX_CYCLE) {
        int off = s.shift ? f % n : 0;
        set(off - 1, 0, 0, 0);
        set(off, (int)(c[0] * 0.1), (int)(c[1] * 0.1), (int)(c[2] * 0.1));
        set(off + 1, c[0], c[1], c[2]);
        set(off + 2, (int)(c[0] * 0.1), (int)(c[1] * 0.1), (int)(c[2] * 0.1));
    } else if (s.fx == FX_RAINBOW) {
        int w = f % 255;
        for (int i = 0; i < n; i++) {
            int r, g, b;
            wheel(((i * 256 / n) + w) & 255, &r, &g, &b);
            set(i + w, nearbyint(r * s.br * 0.01), nearbyint(g * s.br * 0.01), nearbyint(b * s.br * 0.01));
        }
    } else if (s.fx == FX_FIRE) {
        int max = (int)(255 * (s.br / 100.0));
        if (max < 1) max = 1;
        for (int i = 0; i < n; i++) {
            uint32_t rnd;
            nd_port_random(&rnd, sizeof rnd);
            double k = nearbyint((1 + rnd % (uint32_t)max) * 100.0 / max) / 100; /* round(randint(1, max)/max, 2) */
            double v[3];
            for (int ch = 0; ch < 3; ch++) v[ch] = fmin(fmax((int)(c[ch] * k), 0), max);
            set(i, v[0], v[1], v[2]);
        }
    }
}

static int32_t play_step(nd_task *t, void *ud)
{
    (void)ud;
    if (s.fx == FX_NONE) {
        s.playing = false;
        nd_task_printf(t, "stopped");
        return ND_TASK_DONE;
    }
    draw_frame();
    nd_pixel_show(s.pin, s.px, (size_t)s.n, 3);
    nd_task_printf(t, "frame %lu", (unsigned long)s.frame);
    s.frame++;
    return s.speed > 0 ? s.speed : 1; /* control may set 0: still yield to the loop */
}

static int play(nd_call *c, int fx, int speed_arg, int br_arg, int shift_arg)
{
    int64_t sp, br = 100;
    bool shift = true, batch = true;
    if (ready(c, 24) || nd_arg_int(c, speed_arg, &sp) || (br_arg >= 0 && nd_arg_int(c, br_arg, &br)) ||
        (shift_arg >= 0 && nd_arg_bool(c, shift_arg, &shift)) || nd_arg_bool(c, c->argc - 1, &batch))
        return ND_ERR;
    if (sp < 1 || sp > 60000) return nd_fail(c, "speed_ms=%lld out of range 1..60000", (long long)sp);
    if (br < 0 || br > 100) return nd_fail(c, "br=%lld out of range 0..100", (long long)br);
    if (s.fx != fx) s.frame = 0;
    s.fx = fx, s.speed = (int)sp, s.br = (int)br, s.shift = shift;
    s.batch = batch, s.bsize = fx == FX_CYCLE ? 4 : s.n; /* micrOS's bt_size per effect */
    if (!s.playing) memset(s.px, 0, sizeof s.px);
    if (nd_task_spawn(c, "neoeffects._play", play_step, NULL, 0)) return ND_ERR;
    s.playing = true;
    return ND_OK;
}

static int f_meteor(nd_call *c) { return play(c, FX_METEOR, 0, -1, 1); }
static int f_cycle(nd_call *c) { return play(c, FX_CYCLE, 0, -1, 1); }
static int f_rainbow(nd_call *c) { return play(c, FX_RAINBOW, 0, 1, -1); }
static int f_fire(nd_call *c) { return play(c, FX_FIRE, 0, 1, -1); }

static int f_shader(nd_call *c)
{
    int64_t off, size;
    if (ready(c, 24) || nd_arg_int(c, 0, &off) || nd_arg_int(c, 1, &size)) return ND_ERR;
    int n = s.n;
    int64_t sl1 = size + off > n ? n : size + off, sl2 = size + off > n ? size + off - n : 0;
    for (int i = 0; i < n; i++) {
        bool dark = (off <= i && i < sl1) || (0 <= i && i < sl2);
        set(i, dark ? 0 : s.rgb[0], dark ? 0 : s.rgb[1], dark ? 0 : s.rgb[2]);
    }
    if (nd_pixel_show(s.pin, s.px, (size_t)n, 3) < 0) return nd_fail(c, "%s", nd_hal_error());
    return nd_ret_str(c, "Shader was set.");
}

static int f_color(nd_call *c)
{
    if (ready(c, 24)) return ND_ERR;
    for (int i = 0; i < 3; i++) {
        if (nd_arg_is_none(c, i)) continue;
        int64_t v;
        if (nd_arg_int(c, i, &v)) return ND_ERR;
        if (v < 0 || v > 255) return nd_fail(c, "%s=%lld out of range 0..255", c->argn[i], (long long)v);
        s.rgb[i] = (int)v;
    }
    nd_value *r;
    if (nd_lm_call(c, "neopixel", "status", NULL, 0, &r)) return ND_ERR;
    c->ret = r; /* micrOS answers neopixel's status */
    return ND_OK;
}

static int f_random(nd_call *c)
{
    int64_t max;
    if (ready(c, 24) || nd_arg_int(c, 0, &max)) return ND_ERR;
    if (max < 0 || max > 255) return nd_fail(c, "max_val=%lld out of range 0..255", (long long)max);
    for (int i = 0; i < 3; i++) {
        uint32_t rnd;
        nd_port_random(&rnd, sizeof rnd);
        s.rgb[i] = (int)(rnd % (uint32_t)(max + 1));
    }
    /* micrOS's format string has two fields for three values: G is left empty */
    return nd_ret_str(c, "Set random: R:%d G: B:%d", s.rgb[0], s.rgb[1]);
}

static int f_stop(nd_call *c)
{
    bool was = s.playing;
    s.fx = FX_NONE; /* the task ends at its next step */
    return nd_ret_str(c, was ? "Stopped: neoeffects._play" : "Not running: neoeffects._play");
}

/* control(speed_ms=None, batch=None): micrOS's AnimationPlayer.control --
** an int speed_ms (clamped 0..10000) changes the running effect's frame
** time from its next frame, a bool batch the batch flag; None keeps. The
** reply is micrOS's text byte for byte, including its "(speed: Nonems)":
** LM_neoeffects looks up a "player_speed" key the player never returns. */
static int f_control(nd_call *c)
{
    if (ready(c, 24)) return ND_ERR;
    int64_t sp = s.speed;
    bool batch = s.batch;
    if (!nd_arg_is_none(c, 0) && nd_arg_int(c, 0, &sp)) return ND_ERR;
    if (!nd_arg_is_none(c, 1) && nd_arg_bool(c, 1, &batch)) return ND_ERR;
    s.speed = (int)(sp < 0 ? 0 : sp > 10000 ? 10000 : sp);
    s.batch = batch;
    return nd_ret_str(c, "Control state: {'realtime': %s, 'batched': %s, 'size': %d, 'speed_ms': %d, 'loop': True} (speed: Nonems)",
                      s.batch ? "False" : "True", s.batch ? "True" : "False", s.bsize, s.speed);
}

static int f_load(nd_call *c)
{
    int64_t n;
    if (nd_arg_int(c, 0, &n)) return ND_ERR;
    if (ready(c, (int)(n > ND_PIXEL_MAX || n < 1 ? -1 : n))) return ND_ERR;
    return nd_ret_str(c, "neoeffects: %d pixels", s.n);
}

static int f_pinmap(nd_call *c)
{
    static const char *const tags[] = {"neop", NULL};
    return nd_pin_ret_map(c, tags);
}

static const nd_func funcs[] = {
    ND_FUNC("load", f_load, "pixel_cnt=24", "load pixel_cnt=24"),
    ND_FUNC("meteor", f_meteor, "speed_ms=60 shift=True batch=True", "BUTTON meteor speed_ms=60"),
    ND_FUNC("cycle", f_cycle, "speed_ms=60 shift=True batch=True", "BUTTON cycle speed_ms=60"),
    ND_FUNC("rainbow", f_rainbow, "speed_ms=50 br=15 batch=True", "BUTTON rainbow"),
    ND_FUNC("fire", f_fire, "speed_ms=150 br=30 batch=True", "BUTTON fire speed_ms=150"),
    ND_FUNC("stop", f_stop, "", "BUTTON stop"),
    ND_FUNC("shader", f_shader, "offset=0 size=6", "shader offset=0 size=6"),
    ND_FUNC("control", f_control, "speed_ms=None batch=None", "control speed_ms=None batch=None"),
    ND_FUNC("random", f_random, "max_val=255", "random max_val=255"),
    ND_FUNC("pinmap", f_pinmap, "", "pinmap"),
    ND_FUNC("color", f_color, "r=None g=None b=None", "COLOR color r=<0-255-10> g b"),
    ND_FUNCS_END,
};

const nd_module nd_mod_neoeffects = {"neoeffects", funcs, NULL, "animations on the neopixel strip"};
