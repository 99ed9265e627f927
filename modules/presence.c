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
**   get_samples -> the microphone samples ([] without a microphone)
** nodus: load(..., radar=False): with radar=True the task
** "presence._radar" reads the LD2410 (`ld2410 read`'s decoding) every
** 200 ms and a moving or combined target is a motion trigger.
** missing: microphone sampling (mic=1 ADC, 2 I2S) and notifications.
** The contract: docs/modules.md.
*/
#include <stdio.h>
#include <string.h>

#include "nodus/hal.h"
#include "nodus/module.h"
#include "nodus/node.h"
#include "nodus/pins.h"
#include "nodus/sensors.h"
#include "nodus/task.h"

#define CMD_MAX 128
#define RADAR_MS 200

static struct {
    int64_t timer;      /* off timer in seconds */
    double off_left;    /* seconds until the off event */
    char on[CMD_MAX], off[CMD_MAX];
    uint32_t period_ms;
    bool running;
    int uart;
    bool radar;
    uint64_t triggers;
} s = {.timer = 120, .uart = -1};

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
        nd_task_printf(t, "%lld sec until off event", (long long)s.off_left - 1);
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
static int trigger(nd_call *c, uint32_t period_ms)
{
    s.triggers++;
    run_intercon(c->node, s.on);
    s.off_left = (double)s.timer;
    if (s.running) return 1;
    s.period_ms = period_ms;
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
    int r = trigger(c, (uint32_t)ms);
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
    if (mic != 0) return nd_fail(c, "mic=%lld: microphone sampling is not in nodus (mic=0 only)", (long long)mic);
    if (timer < 0 || timer > 86400) return nd_fail(c, "timer=%lld out of range 0..86400 s", (long long)timer);
    s.timer = timer;
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
    c->ret = nd_list(c->arena);
    return c->ret ? ND_OK : nd_fail(c, "memory allocation failed");
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
