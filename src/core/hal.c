/*
** hal.c -- the hardware API front (hal.h): argument checks, error
** messages, the edge ring and its watchers; everything device-specific is
** in the backend table (hal_int.h).
**
** The hardware is process-global by nature (one board under one node), so
** the backend pointer, the ring and the watcher table are file statics,
** sized at compile time: an edge storm can fill the ring but never grow it.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hal_int.h"
#include "nodus/port.h"

#if ND_WITH_SIM && !ND_WITH_HW
#error "ND_WITH_HW 0 is for an image without any hardware backend: the sim board is one"
#endif
#if ND_WITH_SIM
static const nd_hal_ops *ops = &nd_hal_sim_ops;
#else
static const nd_hal_ops *ops = &nd_hal_none_ops; /* until a port backend opens */
#endif
static char errmsg[ND_ERRMSG];
static nd_pin_resolver resolver;

struct watch {
    bool used;
    int pin;
    int edges;
    nd_gpio_fn fn;
    void *ud;
};
static struct watch watches[ND_GPIO_WATCH_MAX];
static int nwatches; /* slots in use (for the quick "nobody watches" test) */

/* Single-producer/single-consumer ring: head is written only by the
** producer (backend/ISR), tail only by the loop. */
static nd_gpio_event ring[ND_GPIO_RING];
static volatile uint32_t head, tail;
static nd_gpio_stats stats;

int nd_hal_fail(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errmsg, sizeof errmsg, fmt, ap);
    va_end(ap);
    return code;
}

const char *nd_hal_error(void) { return errmsg; }
const char *nd_hal_backend(void) { return ops->name; }
int nd_hal_pin_max(void) { return ops->pin_max; }

static int check_pin(int pin)
{
    if (pin < 0 || pin > ops->pin_max)
        return nd_hal_fail(ND_EINVAL, "pin %d is not on board %s (0..%d)", pin, ops->name,
                           ops->pin_max);
    return ND_OK;
}

#define PIN_OR_FAIL(p)                                                                           \
    do {                                                                                         \
        int rc_ = check_pin(p);                                                                  \
        if (rc_) return rc_;                                                                     \
    } while (0)

/* ---- backend selection ------------------------------------------------- */
void nd_hal_reset(void)
{
    memset(watches, 0, sizeof watches);
    nwatches = 0;
    head = tail = 0;
    memset(&stats, 0, sizeof stats);
}

int nd_hal_open(const char *name)
{
    const nd_hal_ops *o = NULL;
    if (ND_WITH_SIM && strcmp(name, "sim") == 0) o = &nd_hal_sim_ops;
    else if (!(o = nd_port_hal(name)) && !ND_WITH_SIM && strcmp(name, "sim") == 0) {
        /* the default hwbackend in an image built without the sim board:
        ** the node runs, each hardware call says why it cannot */
        if (ops && ops->close) ops->close();
        nd_hal_reset();
        ops = &nd_hal_none_ops;
        return ND_OK;
    } else if (!o)
        return nd_hal_fail(ND_ENOTFOUND, "hardware backend '%s' is not available on this port",
                           name);
    if (ops && ops->close) ops->close();
    nd_hal_reset();
    ops = o;
    int rc = ops->open ? ops->open() : ND_OK;
    if (rc != ND_OK) {
        char why[ND_ERRMSG];
        snprintf(why, sizeof why, "%s", errmsg);
        /* Never the sim board in its place: a user who asked for real hardware
        ** gets each call failing with this reason, not a simulated success. */
        ops = nd_hal_down(o, why);
        nd_hal_fail(rc, "%s", why);
    }
    return rc;
}

void nd_hal_close(void)
{
    if (ops && ops->close) ops->close();
    nd_hal_reset();
}

/* ---- pin names --------------------------------------------------------- */
void nd_hal_set_resolver(nd_pin_resolver fn) { resolver = fn; }

int nd_hal_pin_lookup(struct nd_node *n, const char *name, int *pin)
{
    /* no backend can exist (ND_WITH_HW 0): said here, where the compiler sees
    ** it, so the interrupt set-up after a lookup drops out of the image */
    if (!ND_WITH_HW) return nd_hal_no_backend();
    if (resolver) return resolver(n, name, pin);
    char *end;
    long v = strtol(name, &end, 10);
    if (*name && !*end) {
        *pin = (int)v;
        return ND_OK;
    }
    for (const nd_sim_wire *w = nd_sim_wiring(); ND_WITH_SIM && w->name; w++)
        if (strcmp(w->name, name) == 0) {
            *pin = w->pin;
            return ND_OK;
        }
    return nd_hal_fail(ND_ENOTFOUND, "no pin named '%s'", name);
}

/* ---- GPIO -------------------------------------------------------------- */
int nd_gpio_mode(int pin, int mode, int pull)
{
    PIN_OR_FAIL(pin);
    if (mode != ND_GPIO_IN && mode != ND_GPIO_OUT)
        return nd_hal_fail(ND_EINVAL, "pin mode must be in (0) or out (1), not %d", mode);
    if (pull < ND_PULL_NONE || pull > ND_PULL_DOWN)
        return nd_hal_fail(ND_EINVAL, "pull must be none (0), up (1) or down (2), not %d", pull);
    return ops->gpio_mode(pin, mode, pull);
}

int nd_gpio_write(int pin, int level)
{
    PIN_OR_FAIL(pin);
    if (level != 0 && level != 1)
        return nd_hal_fail(ND_EINVAL, "pin level must be 0 or 1, not %d", level);
    return ops->gpio_write(pin, level);
}

int nd_gpio_read(int pin)
{
    PIN_OR_FAIL(pin);
    return ops->gpio_read(pin);
}

int nd_hal_watched_edges(int pin)
{
    int m = 0;
    for (int i = 0; i < ND_GPIO_WATCH_MAX; i++)
        if (watches[i].used && watches[i].pin == pin) m |= watches[i].edges;
    return m;
}

int nd_gpio_watch(int pin, int edges, nd_gpio_fn fn, void *ud)
{
    PIN_OR_FAIL(pin);
    if (edges < ND_EDGE_RISING || edges > ND_EDGE_BOTH || !fn)
        return nd_hal_fail(ND_EINVAL, "edges must be rising (1), falling (2) or both (3)");
    int slot = -1;
    for (int i = 0; i < ND_GPIO_WATCH_MAX && slot < 0; i++)
        if (!watches[i].used) slot = i;
    if (slot < 0) return nd_hal_fail(ND_ELIMIT, "edge watchers full (%d)", ND_GPIO_WATCH_MAX);
    int rc = ops->gpio_edges(pin, nd_hal_watched_edges(pin) | edges);
    if (rc != ND_OK) return rc;
    watches[slot] = (struct watch){true, pin, edges, fn, ud};
    nwatches++;
    return ND_OK;
}

void nd_gpio_unwatch(int pin, nd_gpio_fn fn, void *ud)
{
    if (nwatches == 0) return;
    for (int i = 0; i < ND_GPIO_WATCH_MAX; i++) {
        struct watch *w = &watches[i];
        if (!w->used || (pin >= 0 && w->pin != pin) || w->fn != fn || w->ud != ud) continue;
        int p = w->pin;
        w->used = false;
        nwatches--;
        ops->gpio_edges(p, nd_hal_watched_edges(p));
    }
}

void nd_gpio_stats_get(nd_gpio_stats *st)
{
    *st = stats;
    st->depth = head - tail;
}

int nd_hal_edge_push(int pin, int level, uint64_t t_us)
{
    uint32_t h = head;
    if (h - tail >= ND_GPIO_RING) {
        stats.dropped++;
        return ND_ELIMIT;
    }
    ring[h % ND_GPIO_RING] = (nd_gpio_event){pin, level ? 1 : 0, t_us};
    head = h + 1;
    stats.queued++;
    if (head - tail > stats.depth_max) stats.depth_max = head - tail;
    return ND_OK;
}

bool nd_hal_edges_pending(void) { return head != tail; }

int nd_hal_edges_dispatch(int budget)
{
    int done = 0;
    while (done < budget && tail != head) {
        nd_gpio_event ev = ring[tail % ND_GPIO_RING];
        tail = tail + 1;
        done++;
        stats.delivered++;
        int e = ev.level ? ND_EDGE_RISING : ND_EDGE_FALLING;
        for (int i = 0; i < ND_GPIO_WATCH_MAX && nwatches; i++) {
            struct watch *w = &watches[i];
            if (w->used && w->pin == ev.pin && (w->edges & e)) w->fn(w->ud, &ev);
        }
    }
    return done;
}

/* ---- PWM, ADC ---------------------------------------------------------- */
int nd_pwm_set(int pin, uint32_t freq_hz, uint32_t duty)
{
    PIN_OR_FAIL(pin);
    if (freq_hz < 1 || freq_hz > ND_PWM_FREQ_MAX)
        return nd_hal_fail(ND_EINVAL, "PWM frequency %lu Hz out of range 1..%d",
                           (unsigned long)freq_hz, ND_PWM_FREQ_MAX);
    if (duty > ND_PWM_DUTY_MAX)
        return nd_hal_fail(ND_EINVAL, "PWM duty %lu out of range 0..%d", (unsigned long)duty,
                           ND_PWM_DUTY_MAX);
    return ops->pwm_set(pin, freq_hz, duty);
}

int nd_pwm_get(int pin, uint32_t *freq_hz, uint32_t *duty)
{
    PIN_OR_FAIL(pin);
    return ops->pwm_get(pin, freq_hz, duty);
}

int nd_pwm_stop(int pin)
{
    PIN_OR_FAIL(pin);
    return ops->pwm_stop(pin);
}

int nd_adc_read(int pin)
{
    PIN_OR_FAIL(pin);
    return ops->adc_read(pin);
}

/* ---- I2C --------------------------------------------------------------- */
int nd_i2c_bus(int sda, int scl)
{
    PIN_OR_FAIL(sda);
    PIN_OR_FAIL(scl);
    return ops->i2c_bus(sda, scl);
}

int nd_i2c_scan(int bus, uint8_t *addrs, int max)
{
    if (max < 0) return nd_hal_fail(ND_EINVAL, "negative scan size");
    return ops->i2c_scan(bus, addrs, max);
}

int nd_i2c_xfer(int bus, uint8_t addr, const uint8_t *w, size_t wn, uint8_t *r, size_t rn)
{
    if (addr > 0x7f) return nd_hal_fail(ND_EINVAL, "I2C address 0x%02x is not 7-bit", addr);
    if (wn > 256 || rn > 256) return nd_hal_fail(ND_ELIMIT, "I2C transfer longer than 256 bytes");
    return ops->i2c_xfer(bus, addr, w, wn, r, rn);
}

int nd_i2c_reg_read(int bus, uint8_t addr, uint8_t reg, uint8_t *r, size_t n)
{
    return nd_i2c_xfer(bus, addr, &reg, 1, r, n);
}

int nd_i2c_reg_write(int bus, uint8_t addr, uint8_t reg, const uint8_t *p, size_t n)
{
    uint8_t buf[257];
    if (n > 256) return nd_hal_fail(ND_ELIMIT, "I2C register write longer than 256 bytes");
    buf[0] = reg;
    if (n) memcpy(buf + 1, p, n);
    return nd_i2c_xfer(bus, addr, buf, n + 1, NULL, 0);
}

/* ---- pixels, DHT --------------------------------------------------------- */
int nd_pixel_show(int pin, const uint8_t *rgbw, size_t n, int bpp)
{
    PIN_OR_FAIL(pin);
    if (bpp != 3 && bpp != 4)
        return nd_hal_fail(ND_EINVAL, "pixel size must be 3 (RGB) or 4 (RGBW) bytes, not %d", bpp);
    if (n > ND_PIXEL_MAX)
        return nd_hal_fail(ND_EINVAL, "%lu pixels exceed the strip limit %d", (unsigned long)n,
                           ND_PIXEL_MAX);
    return ops->pixel_show(pin, rgbw, n, bpp);
}

int nd_dht_read(int pin, uint8_t frame[5])
{
    PIN_OR_FAIL(pin);
    return ops->dht_read(pin, frame);
}

/* ---- 1-Wire, UART ---------------------------------------------------------- */
int nd_ow_search(int pin, uint64_t *roms, int max)
{
    PIN_OR_FAIL(pin);
    if (max < 0) return nd_hal_fail(ND_EINVAL, "negative search size");
    if (!ops->ow_search) return nd_hal_fail(ND_ENOTFOUND, "no 1-Wire on backend %s", ops->name);
    return ops->ow_search(pin, roms, max);
}

int nd_ow_xfer(int pin, uint64_t rom, const uint8_t *w, size_t wn, uint8_t *r, size_t rn)
{
    PIN_OR_FAIL(pin);
    if (wn > 64 || rn > 64) return nd_hal_fail(ND_ELIMIT, "1-Wire transfer longer than 64 bytes");
    if (!ops->ow_xfer) return nd_hal_fail(ND_ENOTFOUND, "no 1-Wire on backend %s", ops->name);
    return ops->ow_xfer(pin, rom, w, wn, r, rn);
}

static int check_uart(int id)
{
    if (id < 0 || id >= ND_UART_MAX) return nd_hal_fail(ND_EINVAL, "no UART %d (0..%d)", id, ND_UART_MAX - 1);
    if (!ops->uart_open) return nd_hal_fail(ND_ENOTFOUND, "no UART on backend %s", ops->name);
    return ND_OK;
}

int nd_uart_open(int tx, int rx, uint32_t baud)
{
    PIN_OR_FAIL(tx);
    PIN_OR_FAIL(rx);
    if (baud < 300 || baud > 4000000)
        return nd_hal_fail(ND_EINVAL, "baud rate %lu out of range 300..4000000", (unsigned long)baud);
    if (!ops->uart_open) return nd_hal_fail(ND_ENOTFOUND, "no UART on backend %s", ops->name);
    return ops->uart_open(tx, rx, baud);
}

int nd_uart_write(int id, const uint8_t *p, size_t n)
{
    int rc = check_uart(id);
    if (rc) return rc;
    if (n > ND_UART_RX) return nd_hal_fail(ND_ELIMIT, "UART write longer than %d bytes", ND_UART_RX);
    return ops->uart_write(id, p, n);
}

int nd_uart_read(int id, uint8_t *p, size_t max)
{
    int rc = check_uart(id);
    if (rc) return rc;
    return ops->uart_read(id, p, max > ND_UART_RX ? ND_UART_RX : max);
}

void nd_uart_close(int id)
{
    if (check_uart(id) == ND_OK) ops->uart_close(id);
}
