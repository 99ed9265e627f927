/*
** irq.c -- external interrupts irq1..irq4 (docs/micros-compat.md §7.3),
** armed by the hardware life cycle (hw.c) once the backend is open.
**
** An interrupt is enabled when `irqN` is True and `irqN_cbf` is set. Its pin
** is the pin-map name `irqN`, configured as an input with pull-down. Edges
** come from the backend's ring (hal.c) in the loop, go through a debouncer
** (debounce.h; mode `irq_debounce`, window `irq_prell_ms`) and a firing
** edge runs the `irqN_cbf` pipeline right there, as micrOS does. Stable mode
** confirms a level with a timer on the node's heap.
**
** The interrupt table is file-static like the hardware it mirrors (one
** board per process).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "hal_int.h"
#include "irq.h"
#include "nodus/debounce.h"
#include "nodus/port.h"
#include "sched.h"

#define IRQ_N 4
#define LAT_N ND_IRQ_LAT_N /* latency samples kept (a ring, static; nodus/opts.h) */

typedef struct irq {
    bool on;
    int pin;
    int trig;           /* ND_EDGE_* */
    char name[16];      /* "irq1" */
    char *cbf;          /* captured at start, as micrOS */
    nd_debounce db;
    nd_timer timer;     /* stable mode: confirmation */
    uint64_t edges, fired;
} irq;

static irq irqs[IRQ_N];
static struct nd_node *node;
static uint32_t lat[LAT_N];
static uint64_t lat_n;

static void run(irq *q, int edge, uint64_t t_us)
{
    uint64_t now = nd_port_mono_us();
    lat[lat_n++ % LAT_N] = now > t_us ? (uint32_t)(now - t_us > UINT32_MAX ? UINT32_MAX : now - t_us) : 0;
    q->fired++;
    nd_emit_irq(node, q->name, edge == ND_EDGE_RISING, q->fired); /* /events, MQTT events/irq */
    nd_pipe_run(node, q->cbf, q->name);
}

static void confirm_fn(nd_timer *t, void *ud)
{
    (void)t;
    irq *q = ud;
    uint64_t due = nd_debounce_due(&q->db);
    int e = nd_debounce_poll(&q->db, nd_port_mono_ms());
    if (e) run(q, e, due * 1000);
    else if (nd_debounce_due(&q->db) != UINT64_MAX)
        nd_timer_arm(&node->timers, &q->timer, nd_debounce_due(&q->db), confirm_fn, q);
}

static void on_edge(void *ud, const nd_gpio_event *ev)
{
    irq *q = ud;
    q->edges++;
    int e = nd_debounce_edge(&q->db, ev->level, ev->t_us / 1000);
    if (e) run(q, e, ev->t_us);
    uint64_t due = nd_debounce_due(&q->db);
    if (due != UINT64_MAX) nd_timer_arm(&node->timers, &q->timer, due, confirm_fn, q);
}

/* irqN_trig names by ND_EDGE_* value (rising 1, falling 2, both 3) */
static const char trig_names[4][5] = {"", "up", "down", "both"};

static int parse_trig(const char *t)
{
    for (int e = ND_EDGE_FALLING; e <= ND_EDGE_BOTH; e++)
        if (strcmp(t, trig_names[e]) == 0) return e;
    return ND_EDGE_RISING; /* micrOS: anything else is rising */
}

static const char *trig_name(int trig) { return trig_names[trig]; }

static void irq_start(struct nd_node *n, int i)
{
    irq *q = &irqs[i];
    memcpy(q->name, "irq", 3); /* "irq1".."irq4"; the rest of irqs[] is zeroed */
    q->name[3] = (char)('1' + i);
    const char *cbf = nd_cfg_get_str(n->cfg, ND_K_IRQ_CBF(i + 1));
    if (!nd_cfg_get_bool(n->cfg, ND_K_IRQ(i + 1)) || !cbf[0] || strncmp(cbf, "n/a", 3) == 0)
        return;
    q->trig = parse_trig(nd_cfg_get_str(n->cfg, ND_K_IRQ_TRIG(i + 1)));
    if (nd_hal_pin_lookup(n, q->name, &q->pin) != ND_OK) {
        nd_log(n, "[ERR] %s: %s", q->name, nd_hal_error());
        return;
    }
    bool stable = strcmp(nd_cfg_get_str(n->cfg, ND_K_irq_debounce), "stable") == 0;
    if (nd_gpio_mode(q->pin, ND_GPIO_IN, ND_PULL_DOWN) != ND_OK ||
        /* stable mode follows the level, so it needs both edges */
        nd_gpio_watch(q->pin, stable ? ND_EDGE_BOTH : q->trig, on_edge, q) != ND_OK) {
        nd_log(n, "[ERR] %s on pin %d: %s", q->name, q->pin, nd_hal_error());
        return;
    }
    int level = nd_gpio_read(q->pin);
    int prell = (int)nd_cfg_get_int(n->cfg, ND_K_irq_prell_ms);
    nd_debounce_init(&q->db, stable ? ND_DEBOUNCE_STABLE : ND_DEBOUNCE_LEAD, q->trig,
                     (uint32_t)prell, level > 0);
    q->cbf = malloc(strlen(cbf) + 1);
    if (!q->cbf) {
        nd_gpio_unwatch(q->pin, on_edge, q);
        return;
    }
    strcpy(q->cbf, cbf);
    q->on = true;
    nd_log(n, "[INFO] %s: pin %d, trigger %s, debounce %s %d ms", q->name, q->pin,
           trig_name(q->trig), stable ? "stable" : "lead", prell);
}

void nd_irq_start(struct nd_node *n)
{
    node = n;
    memset(irqs, 0, sizeof irqs);
    lat_n = 0;
    for (int i = 0; i < IRQ_N; i++) irq_start(n, i);
}

void nd_irq_stop(struct nd_node *n)
{
    for (int i = 0; i < IRQ_N; i++) {
        irq *q = &irqs[i];
        if (!q->on) continue;
        nd_gpio_unwatch(q->pin, on_edge, q);
        nd_timer_disarm(&n->timers, &q->timer);
        free(q->cbf);
        q->cbf = NULL;
        q->on = false;
    }
    node = NULL;
}

/* ---- info ------------------------------------------------------------------ */
static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

int nd_irq_info(struct nd_node *n, nd_arena *a, nd_value **out)
{
    nd_value *d = nd_dict(a);
    for (int i = 0; i < IRQ_N; i++) {
        irq *q = &irqs[i];
        char name[8] = "irq";
        name[3] = (char)('1' + i);
        nd_value *e = nd_dict(a);
        if (nd_dict_kv(a, e, "benabled\0", q->on) ||
            (q->on && nd_dict_kv(a, e, "ipin\0strig\0iedges\0ifired\0", (int64_t)q->pin,
                              trig_name(q->trig), (int64_t)q->edges, (int64_t)q->fired)) ||
            nd_dict_set(a, d, name, e))
            return ND_ENOMEM;
    }
    nd_gpio_stats st;
    nd_gpio_stats_get(&st);
    size_t k = lat_n < LAT_N ? (size_t)lat_n : LAT_N;
    static uint32_t tmp[LAT_N];
    memcpy(tmp, lat, k * sizeof tmp[0]);
    qsort(tmp, k, sizeof tmp[0], cmp_u32);
    nd_value *l = nd_dict(a);
    if (nd_dict_kv(a, l, "in\0ip50\0ip99\0imax\0", (int64_t)lat_n, (int64_t)(k ? tmp[k / 2] : 0),
                (int64_t)(k ? tmp[(k * 99) / 100 < k ? (k * 99) / 100 : k - 1] : 0),
                (int64_t)(k ? tmp[k - 1] : 0)) ||
        nd_dict_kv(a, d, "sdebounce\0iprell_ms\0iqueued\0idropped\0idepth_max\0vlatency_us\0",
                nd_cfg_get_str(n->cfg, ND_K_irq_debounce),
                (int64_t)nd_cfg_get_int(n->cfg, ND_K_irq_prell_ms),
                (int64_t)st.queued, (int64_t)st.dropped, (int64_t)st.depth_max, l))
        return ND_ENOMEM;
    *out = d;
    return ND_OK;
}
