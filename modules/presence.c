/*
** presence.c -- presence state machine (micrOS LM_presence): a motion
** trigger (a PIR on an interrupt: irq1 with irq1_cbf 'presence
** motion_trig', or the LD2410 radar, below) runs the ON callbacks and
** (re)starts an off timer; when it runs out the OFF callbacks run. The
** callbacks are InterCon commands set with subscribe_intercon(on='host
** cmd', off='host cmd'), run as `cmd >>host` pipelines.
**   load(threshold=3, timer=120, mic=0, enable_notify=False)
**        -> 'Init presence module: th: 3 timer: 120 mic: 0 notify: False'
**   motion_trig(sample_ms=15, buff_size=10) -> 'Starting' / 'Already running'
**        (task "presence._capture": 'N sec until off event')
**   subscribe_intercon(on, off) -> {'on': ..., 'off': ...}
**   get_samples -> the microphone samples [[ticks_ms, level %, trigger], ...]
**        ([] without a microphone)
** mic=1: while the off timer runs, each capture step averages 15 SmartADC
** readings of the `mic` pin (percent) into a sample; a sample further than
** threshold % from the mean of the last buff_size samples is noise, which
** restarts the off timer (micrOS's __mic_sample / __eval_trigger).
** enable_notify=True: each started capture sends "Motion detected" through
** the notify service (nd_notify), as micrOS's notify() does.
** nodus: load(..., radar=False): with radar=True the task
** "presence._radar" reads the LD2410 (`ld2410 read`'s decoding) every
** 200 ms and a moving or combined target is a motion trigger.
** missing: mic=2 (an I2S microphone: no I2S in the HAL).
** The contract: docs/modules.md.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nodus/hal.h"
#include "nodus/module.h"
#include "nodus/node.h"
#include "nodus/notify.h"
#include "nodus/port.h"
#include "nodus/pins.h"
#include "nodus/sensors.h"
#include "nodus/task.h"

#define CMD_MAX 128
#define RADAR_MS 200
#define SAMPLES_MAX 100 /* longest buff_size: the sample ring is static */
#define MIC_READS 15    /* SmartADC readings averaged per sample, as micrOS */

static struct {
    int64_t timer;      /* off timer in seconds */
    double off_left;    /* seconds until the off event */
    char on[CMD_MAX], off[CMD_MAX];
    uint32_t period_ms;
    bool running;
    int uart;
    bool radar;
    uint64_t triggers;
    int64_t threshold;  /* percent of noise change that is a trigger (>= 1) */
    int mic;            /* 0: none, 1: ADC */
    bool notify;
    int mic_pin;        /* GPIO of `mic`, -1 until bound */
    int buff;           /* samples kept (buff_size of the running capture) */
    int ns;             /* samples held, oldest first */
} s = {.timer = 120, .uart = -1, .threshold = 3, .mic_pin = -1};

/* The microphone samples: apart from the initialised state above, so the
** ring is zeroed storage (.bss) rather than 2.4 KB of initial data that a
** firmware image would carry in flash as well as RAM. */
static struct {
    uint64_t ms;
    double level;
    int trig;
} smp[SAMPLES_MAX];

/* One SmartADC.get()['percent']: the mean of two 12-bit readings widened
** to 16 bits as MicroPython's read_u16 does, in percent to 1 decimal. */
static int mic_percent(double *pc)
{
    int v[2];
    for (int i = 0; i < 2; i++) {
        int r = nd_adc_read(s.mic_pin);
        if (r < 0) return ND_ERR;
        v[i] = (r << 4) | (r >> 8);
    }
    char b[32]; /* Python's round(x, 1): the exact binary value rounded, as %.1f does */
    snprintf(b, sizeof b, "%.1f", (v[0] + v[1]) / 2 / 65535.0 * 100);
    *pc = strtod(b, NULL);
    return ND_OK;
}

/* micrOS's __mic_sample: a sample, the ring rotated to buff, and a noise
** trigger restarts the off timer. */
static void mic_sample(nd_task *t)
{
    double sum = 0, pc;
    for (int i = 0; i < MIC_READS; i++) {
        if (mic_percent(&pc)) {
            nd_task_printf(t, "mic error: %s", nd_hal_error());
            return;
        }
        sum += pc;
    }
    if (s.ns == s.buff) memmove(&smp[0], &smp[1], sizeof smp[0] * (size_t)(--s.ns));
    int k = s.ns++;
    smp[k].ms = nd_port_mono_ms(), smp[k].level = sum / MIC_READS, smp[k].trig = 0;
    double avg = 0;
    for (int i = 0; i < s.ns; i++) avg += smp[i].level;
    avg = nearbyint(avg / s.ns * 10000) / 10000;
    nd_buf b; /* micrOS's task text; the level as Python prints a float */
    nd_buf_init(&b, 64);
    nd_render_float(&b, smp[k].level);
    nd_task_printf(t, "th: %lld last: [%llu, %s, 0] - timer: %lld", (long long)s.threshold,
                   (unsigned long long)smp[k].ms, nd_buf_cstr(&b), (long long)s.off_left);
    nd_buf_free(&b);
    if (fabs(avg - smp[k].level) > (double)s.threshold) {
        s.off_left = (double)s.timer;
        smp[k].trig = 1;
    }
}

/* "host cmd words" -> "cmd words >>host" */
static void run_intercon(struct nd_node *n, const char *spec)
{
    char line[CMD_MAX + 80];
    const char *sp = strchr(spec, ' ');
    if (!spec[0] || !sp) return;
    snprintf(line, sizeof line, "%s >>%.*s", sp + 1, (int)(sp - spec), spec);
    nd_node_run(n, line, "presence");
}

static int32_t capture_step(nd_task *t, void *ud)
{
    (void)ud;
    if ((int64_t)s.off_left > 0) {
        if (s.mic) mic_sample(t);
        else nd_task_printf(t, "%lld sec until off event", (long long)s.off_left - 1);
        s.off_left -= s.period_ms / 1000.0;
        return (int32_t)s.period_ms;
    }
    s.running = false;
    nd_task_printf(t, "off event");
    run_intercon(nd_task_node(t), s.off);
    return ND_TASK_DONE;
}

/* micrOS motion_trig: ON callbacks, timer reset, the capture task. 1 when
** it was running already, -1 on failure (call failed). */
static int trigger(nd_call *c, uint32_t period_ms, int buff)
{
    s.triggers++;
    run_intercon(c->node, s.on);
    s.off_left = (double)s.timer;
    if (s.running) return 1;
    s.period_ms = period_ms, s.buff = buff;
    if (s.ns > buff) { /* keep the newest buff samples */
        memmove(&smp[0], &smp[s.ns - buff], sizeof smp[0] * (size_t)buff);
        s.ns = buff;
    }
    if (s.notify) (void)nd_notify(c->node, NULL, "Motion detected"); /* queued, never waits */
    nd_value *keep = c->ret;
    if (nd_task_spawn(c, "presence._capture", capture_step, NULL, 0)) return -1;
    c->ret = keep;
    s.running = true;
    return 0;
}

static int f_motion_trig(nd_call *c)
{
    int64_t ms, buf;
    if (nd_arg_int(c, 0, &ms) || nd_arg_int(c, 1, &buf)) return ND_ERR;
    if (ms < 1 || ms > 60000) return nd_fail(c, "sample_ms=%lld out of range 1..60000", (long long)ms);
    if (buf < 1 || buf > SAMPLES_MAX) return nd_fail(c, "buff_size=%lld out of range 1..%d", (long long)buf, SAMPLES_MAX);
    if (s.mic && s.mic_pin < 0) {
        int p;
        if (nd_pin_bind(c, "mic", &p)) return ND_ERR;
        s.mic_pin = nd_pin_gpio(p);
    }
    int r = trigger(c, (uint32_t)ms, (int)buf);
    if (r < 0) return ND_ERR;
    return nd_ret_str(c, r ? "Already running" : "Starting");
}

/* nodus: the radar as the motion trigger */
static int32_t radar_step(nd_task *t, void *ud)
{
    static uint8_t buf[ND_UART_RX];
    size_t n = 0;
    (void)ud;
    if (!s.radar) return ND_TASK_DONE;
    for (int k; n < sizeof buf && (k = nd_uart_read(s.uart, buf + n, sizeof buf - n)) > 0;) n += (size_t)k;
    nd_ld2410 m;
    if (nd_ld2410_find(buf, n, &m) == ND_OK) {
        nd_task_printf(t, "radar state %d, %d cm", m.state, m.detection_distance);
        /* a moving target is a trigger, as a PIR edge on irq1 would be */
        if (m.state == 1 || m.state == 3) nd_node_run(nd_task_node(t), "presence motion_trig", "presence");
    }
    return RADAR_MS;
}

static int f_load(nd_call *c)
{
    int64_t th, timer, mic;
    bool ntfy, radar;
    if (nd_arg_int(c, 0, &th) || nd_arg_int(c, 1, &timer) || nd_arg_int(c, 2, &mic) ||
        nd_arg_bool(c, 3, &ntfy) || nd_arg_bool(c, 4, &radar))
        return ND_ERR;
    if (mic == 2) return nd_fail(c, "mic=2: I2S microphones are not in nodus (0: none, 1: ADC)");
    if (mic != 0 && mic != 1) return nd_fail(c, "mic=%lld: 0 (none) or 1 (ADC)", (long long)mic);
    if (timer < 0 || timer > 86400) return nd_fail(c, "timer=%lld out of range 0..86400 s", (long long)timer);
    if (mic == 1 && s.mic_pin < 0) { /* book the pin now: a clash shows at load, not in the task */
        int p;
        if (nd_pin_bind(c, "mic", &p)) return ND_ERR;
        s.mic_pin = nd_pin_gpio(p);
    }
    s.timer = timer, s.threshold = th > 1 ? th : 1, s.mic = (int)mic, s.notify = ntfy;
    if (radar && !s.radar) {
        int tx, rx;
        if (nd_pin_bind(c, "tx", &tx) || nd_pin_bind(c, "rx", &rx)) return ND_ERR;
        if (s.uart < 0 && (s.uart = nd_uart_open(nd_pin_gpio(tx), nd_pin_gpio(rx), 256000)) < 0)
            return nd_fail(c, "%s", nd_hal_error());
        s.radar = true;
        if (nd_task_spawn(c, "presence._radar", radar_step, NULL, 0)) return ND_ERR;
    }
    if (!radar) s.radar = false;
    nd_buf b;
    nd_buf_init(&b, 96);
    nd_buf_puts(&b, "Init presence module: th: ");
    if (th > 1) nd_render_str(&b, c->argv[0]);
    else nd_buf_puts(&b, "1");
    nd_buf_puts(&b, " timer: ");
    nd_render_str(&b, c->argv[1]);
    nd_buf_puts(&b, " mic: ");
    nd_render_str(&b, c->argv[2]);
    nd_buf_puts(&b, " notify: ");
    nd_render_str(&b, c->argv[3]);
    int rc = nd_ret_str(c, "%s", nd_buf_cstr(&b));
    nd_buf_free(&b);
    return rc;
}

static int f_subscribe_intercon(nd_call *c)
{
    const char *on, *off;
    if (nd_arg_str(c, 0, &on) || nd_arg_str(c, 1, &off)) return ND_ERR;
    if (strlen(on) >= CMD_MAX || strlen(off) >= CMD_MAX) return nd_fail(c, "callbacks are limited to %d characters", CMD_MAX - 1);
    snprintf(s.on, sizeof s.on, "%s", on);
    snprintf(s.off, sizeof s.off, "%s", off);
    nd_value *d = nd_ret_dict(c);
    if (!d || nd_dict_set(c->arena, d, "on", c->argv[0]) || nd_dict_set(c->arena, d, "off", c->argv[1]))
        return nd_fail(c, "memory allocation failed");
    return ND_OK;
}

static int f_get_samples(nd_call *c)
{
    nd_value *l = nd_list(c->arena);
    if (!l) return nd_fail(c, "memory allocation failed");
    for (int i = 0; i < s.ns; i++) {
        nd_value *e = nd_list(c->arena);
        if (!e || nd_seq_push(c->arena, e, nd_int(c->arena, (int64_t)smp[i].ms)) ||
            nd_seq_push(c->arena, e, nd_float(c->arena, smp[i].level)) ||
            nd_seq_push(c->arena, e, nd_int(c->arena, smp[i].trig)) || nd_seq_push(c->arena, l, e))
            return nd_fail(c, "memory allocation failed");
    }
    c->ret = l;
    return ND_OK;
}

static int f_pinmap(nd_call *c)
{
    static const char *const tags[] = {"mic", "irq1", NULL};
    return nd_pin_ret_map(c, tags);
}

static const nd_func funcs[] = {
    ND_FUNC("load", f_load, "threshold=3 timer=120 mic=0 enable_notify=False radar=False",
            "load threshold=<percent> timer=<sec> mic=0 (0: None, 1: ADC, 2: I2S) enable_notify=False"),
    ND_FUNC("motion_trig", f_motion_trig, "sample_ms=15 buff_size=10", "motion_trig sample_ms=15 buff_size=10"),
    ND_FUNC("get_samples", f_get_samples, "", "get_samples"),
    ND_FUNC("subscribe_intercon", f_subscribe_intercon, "on off",
            "subscribe_intercon on=\"host cmd\" off=\"host cmd\""),
    ND_FUNC("pinmap", f_pinmap, "", "pinmap"),
    ND_FUNCS_END,
};

const nd_module nd_mod_presence = {"presence", funcs, NULL, "presence: motion trigger with an off timer"};
