/*
** buzzer.c -- PWM buzzer on the `buzzer` pin (micrOS LM_buzzer): bipp and
** RTTTL tunes, played by stepped tasks one note at a time (rtttl.h walks
** the text in place), so a tune never blocks the loop. micrOS's replies:
** bipp -> "Bipp on 600 Hz", play -> {'buzzer._play': 'Starting'}, tunes by
** title (a part of it, any case), raw "d=4,o=5,b=250:..." text, or nodus's
** full "name:d=..:notes"; an unknown title plays micrOS's short default.
** A tune is checked completely before it starts: a bad note is refused up
** front with its text, never discovered halfway through.
** The contract: docs/modules.md.
*/
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "nodus/hal.h"
#include "nodus/lmcache.h"
#include "nodus/module.h"
#include "nodus/notify.h"
#include "nodus/pins.h"
#include "nodus/port.h"
#include "nodus/rtttl.h"
#include "nodus/task.h"

#define TUNE_MAX 1024 /* longest RTTTL text */

/* micrOS's widget offers Indiana, TakeOnMe, StarWars and MissionImp; the
** melodies are nodus's own short transcriptions. */
static const struct {
    const char *name, *rtttl;
} tunes[] = {
    {"Indiana", "Indiana:d=4,o=5,b=250:e,8p,8f,8g,8p,1c6,8p.,d,8p,8e,1f,p.,g,8p,8a,8b,8p,1f6,p,a,8p,8b,2c6,2d6,2e6"},
    {"TakeOnMe", "TakeOnMe:d=8,o=5,b=160:f#,f#,d,b4,p,b4,p,e,p,e,p,e,g#,g#,a,b,a,a,a,e,p,d,p,f#,p,f#,p,f#,e,e,f#,e"},
    {"StarWars", "StarWars:d=4,o=5,b=45:32p,32f#,32f#,32f#,8b.,8f#.6,32e6,32d#6,32c#6,8b.6,16f#.6"},
    {"MissionImp", "MissionImp:d=8,o=5,b=140:g,p,g,p,a#,c6,g,p,g,p,f,f#,g,p,g,p,a#,c6,g,p,g,p,f,f#"},
    {"Mario", "Mario:d=4,o=5,b=100:16e6,16e6,32p,8e6,16c6,8e6,8g6,8p,8g,8p"},
};
/* micrOS plays this when the title is not found */
static const char dflt[] = ":d=4,o=5,b=250:e,8p,8f,8g,8p,1c6,8p.,d,8p,8e,1f,p.";

static int pin = -1;
static int bipp_hz = 600;        /* micrOS's cached bipp frequency */
static bool cache_, check_notify;
static struct {
    char text[TUNE_MAX + 2];
    nd_rtttl r;
    int beeps, freq; /* bipp: remaining on/off halves, tone */
    uint64_t until;  /* the note playing now ends (monotonic ms) */
    int gen;         /* bumped by stop: a running task ends */
} pl;
static int gen;

static int ready(nd_call *c) { return pin >= 0 ? ND_OK : nd_pin_bind(c, "buzzer", &pin); }

static void quiet(void) { nd_pwm_stop(nd_pin_gpio(pin)); }

static int32_t step(nd_task *t, void *ud)
{
    bool tune = ud != NULL;
    if (pl.gen != gen) {
        quiet();
        nd_task_printf(t, "Stopped");
        return ND_TASK_DONE;
    }
    if (!tune) { /* bipp: 150 ms tone, 100 ms pause, as micrOS */
        int on = pl.beeps-- % 2 == 0;
        if (on && pl.freq > 0) nd_pwm_set(nd_pin_gpio(pin), (uint32_t)pl.freq, 512);
        else quiet();
        return pl.beeps > 0 ? (on ? 150 : 100) : ND_TASK_DONE;
    }
    /* wake at least every 20 ms inside a note, so stop ends a long note now */
    uint64_t now = nd_port_mono_ms();
    if (now < pl.until) return (int32_t)(pl.until - now < 20 ? pl.until - now : 20);
    int hz, ms;
    char err[ND_ERRMSG];
    int rc = nd_rtttl_next(&pl.r, &hz, &ms, err, sizeof err);
    if (rc <= 0) {
        quiet();
        nd_task_printf(t, "%s", rc == 0 ? "Song played successfully" : err);
        return ND_TASK_DONE;
    }
    if (hz) nd_pwm_set(nd_pin_gpio(pin), (uint32_t)hz, 512);
    else quiet();
    nd_task_printf(t, "Play song...");
    pl.until = now + (uint64_t)(ms > 0 ? ms : 1);
    return ms > 0 && ms < 20 ? ms : 20;
}

static void save(void)
{
    double v = bipp_hz;
    if (cache_) nd_lm_cache_save("buzzer", &v, 1);
}

/* bipp(repeat=1, freq=None): freq None is the last one used (600) */
static int f_bipp(nd_call *c)
{
    int64_t n, f = bipp_hz;
    if (ready(c) || nd_arg_int(c, 0, &n) || (!nd_arg_is_none(c, 1) && nd_arg_int(c, 1, &f))) return ND_ERR;
    if (check_notify && !nd_notify_enabled(c->node)) return nd_ret_str(c, "NoBipp - notify off");
    if (n > 100) return nd_fail(c, "repeat=%lld out of range 0..100", (long long)n);
    if (f < 0 || f > 20000) return nd_fail(c, "freq=%lld out of range 0..20000 Hz", (long long)f);
    if (n > 0) {
        pl.gen = ++gen, pl.beeps = (int)n * 2, pl.freq = (int)f;
        if (nd_task_spawn(c, "buzzer.bipp", step, NULL, 0)) return ND_ERR;
    }
    bipp_hz = (int)f;
    save();
    char p[101];
    int k = n > 0 ? (int)n : 0;
    memset(p, 'p', (size_t)k);
    p[k] = 0;
    return nd_ret_str(c, "Bi%s on %d Hz", p, bipp_hz);
}

static bool has_ci(const char *hay, const char *needle) /* needle.lower() in hay.lower() */
{
    size_t n = strlen(needle);
    for (const char *h = hay;; h++) {
        size_t i = 0;
        while (i < n && h[i] && tolower((unsigned char)h[i]) == tolower((unsigned char)needle[i])) i++;
        if (i == n) return true;
        if (!*h) return false;
    }
}

/* micrOS's tune lookup: raw "d=..." text, else a title containing the
** (stripped) text, else the short default; nodus also takes "name:d=..:notes" */
static const char *resolve(const char *s, char *buf, size_t n)
{
    while (*s == ' ') s++;
    size_t len = strlen(s);
    while (len && s[len - 1] == ' ') len--;
    if (strncmp(s, "d=", 2) == 0) {
        snprintf(buf, n, ":%.*s", (int)len, s);
        return buf;
    }
    if (strchr(s, ':')) return s;
    snprintf(buf, n, "%.*s", (int)len, s);
    for (size_t i = 0; i < sizeof tunes / sizeof tunes[0]; i++)
        if (has_ci(tunes[i].name, buf)) return tunes[i].rtttl;
    return dflt;
}

static int play(nd_call *c, const char *text)
{
    char err[ND_ERRMSG], buf[TUNE_MAX + 2];
    nd_rtttl chk;
    int hz, ms, rc;
    if (strlen(text) > TUNE_MAX) return nd_fail(c, "RTTTL text longer than %d characters", TUNE_MAX);
    text = resolve(text, buf, sizeof buf);
    if (nd_rtttl_open(&chk, text, err, sizeof err) != ND_OK) return nd_fail(c, "%s", err);
    while ((rc = nd_rtttl_next(&chk, &hz, &ms, err, sizeof err)) > 0) {}
    if (rc < 0) return nd_fail(c, "%s", err);
    if (ready(c)) return ND_ERR;
    if (check_notify && !nd_notify_enabled(c->node)) return nd_ret_str(c, "NoBipp - notify off");
    if (nd_task_spawn(c, "buzzer._play", step, &pl, 0)) return ND_ERR;
    nd_value *st = nd_dict_get(c->ret, "buzzer._play");
    if (!st || strcmp(st->u.s.p, "Starting") != 0) return ND_OK; /* busy: the running tune goes on */
    snprintf(pl.text, sizeof pl.text, "%s", text); /* the task's first step comes after this */
    nd_rtttl_open(&pl.r, pl.text, err, sizeof err);
    pl.gen = ++gen, pl.until = 0;
    return ND_OK;
}

static int f_play(nd_call *c)
{
    const char *s;
    if (nd_arg_str(c, 0, &s)) return ND_ERR;
    return play(c, s);
}

/* list_tones(): the titles, one per line (a single string, as micrOS) */
static int f_list_tones(nd_call *c)
{
    char b[256];
    size_t k = 0;
    for (size_t i = 0; i < sizeof tunes / sizeof tunes[0]; i++)
        k += (size_t)snprintf(b + k, sizeof b - k, "%s%s", i ? "\n" : "", tunes[i].name);
    return nd_ret_str(c, "%s", b);
}

/* load(check_notify=False, pin=None, cache=True) */
static int f_load(nd_call *c)
{
    bool cn, cache;
    nd_arg_bool(c, 0, &cn);
    nd_arg_bool(c, 2, &cache);
    int p;
    if (pin < 0 || !nd_arg_is_none(c, 1)) {
        if (nd_pin_bind_arg(c, "buzzer", 1, &p)) return ND_ERR;
        pin = p;
    }
    cache_ = cache, check_notify = cn; /* micrOS: make noise only while notifications are on */
    double v;
    if (cache && nd_lm_cache_load("buzzer", &v, 1) == 1 && v >= 0 && v <= 20000) bipp_hz = (int)v;
    nd_buf b;
    nd_buf_init(&b, 128);
    nd_render_str(&b, c->argv[2]);
    nd_buf_puts(&b, ", check notify: ");
    nd_render_str(&b, c->argv[0]);
    int rc = nd_ret_str(c, "CACHE: %s", nd_buf_cstr(&b));
    nd_buf_free(&b);
    return rc;
}

/* ---- nodus -------------------------------------------------------------- */
static int f_tune(nd_call *c)
{
    const char *s;
    if (nd_arg_str(c, 0, &s)) return ND_ERR;
    for (size_t i = 0; i < sizeof tunes / sizeof tunes[0]; i++)
        if (has_ci(tunes[i].name, s) && strlen(s) == strlen(tunes[i].name)) return play(c, tunes[i].rtttl);
    return nd_fail(c, "unknown tune '%s' (see list_tones)", s);
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

/* micrOS's help lines and order, then nodus's */
static const nd_func funcs[] = {
    ND_FUNC("bipp", f_bipp, "repeat=1 freq=None", "BUTTON bipp repeat=3 freq=600"),
    ND_FUNC("play", f_play, "rtttlstr='Indiana'", "BUTTON play rtttlstr=<Indiana,TakeOnMe,StarWars,MissionImp>"),
    ND_FUNC("list_tones", f_list_tones, "", "list_tones"),
    ND_FUNC("load", f_load, "check_notify=False pin=None cache=True", "load check_notify=False"),
    ND_FUNC("pinmap", f_pinmap, "", "pinmap"),
    ND_FUNC("tune", f_tune, "name='Mario'", "tune name=<Indiana,TakeOnMe,StarWars,MissionImp,Mario>"),
    ND_FUNC("stop", f_stop, "", "BUTTON stop"),
    ND_FUNCS_END,
};

const nd_module nd_mod_buzzer = {"buzzer", funcs, NULL, "PWM buzzer: beeps and RTTTL tunes"};
