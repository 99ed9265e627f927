/*
** hal_sim.c -- the simulated board: the default hardware backend.
**
** An ESP32-like board with GPIO 0..39 (34..39 input-only, ADC on 32..39,
** I2C bus 0 on 21/22) and devices wired as in the table below -- the ONE
** place the sim board's wiring is written down; the `sim` pin map is built
** from it (nd_sim_wiring). Every other pin is a bare pin: an output shows as
** an LED on /sim, an input reads its pull level unless driven.
**
** Inputs are driven from outside with nd_sim_drive/nd_sim_burst (the `sim`
** module, tests): a level change on a pin with edge detection queues an
** edge through nd_hal_edge_push, time-stamped with the port's monotonic
** clock, exactly as the interrupt bottom half of a real port would.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hal_int.h"
#include "nodus/port.h"
#include "nodus/sensors.h"
#include "sim_dev.h"
#include "ndmath.h"

#define SIM_PINS 40
#define SIM_ADC_FIRST 32
#define SIM_INPUT_ONLY_FIRST 34
#define SIM_SDA 21
#define SIM_SCL 22

static const nd_sim_wire wiring[] = {
    {"builtin", 2, ND_SIM_LED},
    {"irq1", 4, ND_SIM_BUTTON},
    {"irq2", 18, ND_SIM_BUTTON},
    {"irq3", 5, ND_SIM_BUTTON},
    {"irq4", 13, ND_SIM_BUTTON},
    {"neop", 15, ND_SIM_STRIP},
    {"dhtpin", 32, ND_SIM_DHT22},
    {"servo_1", 27, ND_SIM_SERVO},
    {"servo_2", 26, ND_SIM_SERVO},
    {"buzzer", 33, ND_SIM_BUZZER},
    {"temp6000", 36, ND_SIM_LIGHT},
    {"i2c_sda", SIM_SDA, ND_SIM_I2C_SDA},
    {"i2c_scl", SIM_SCL, ND_SIM_I2C_SCL},
    {"redgb", 14, ND_SIM_LED},
    {"rgreenb", 12, ND_SIM_LED},
    {"rgbue", 25, ND_SIM_LED},
    {"wwhite", 16, ND_SIM_LED},
    {"cwhite", 17, ND_SIM_LED},
    {"dim_1", 19, ND_SIM_LED},
    {"switch_1", 23, ND_SIM_LED},
    {"switch_2", 0, ND_SIM_LED},
    {"switch_3", 1, ND_SIM_LED},
    {"switch_4", 3, ND_SIM_LED},
    /* the device shelf (sim_shelf.c); tx shares GPIO 1 with switch_3 as an
    ** ESP32's U0TXD does, l9110 shares switch_2/switch_4's wires (micrOS's
    ** boards share motor pins too): booking catches a double use */
    {"ds18", 10, ND_SIM_ONEWIRE},
    {"stppr_1", 6, ND_SIM_STEPPER},
    {"stppr_2", 7, ND_SIM_STEPPER},
    {"stppr_3", 8, ND_SIM_STEPPER},
    {"stppr_4", 9, ND_SIM_STEPPER},
    {"haptic", 11, ND_SIM_MOTOR},
    {"l298n_ENA", 20, ND_SIM_MOTOR},
    {"l298n_INA", 24, ND_SIM_HBRIDGE},
    {"l298n_INB", 28, ND_SIM_HBRIDGE},
    {"l298n_ENB", 29, ND_SIM_MOTOR},
    {"l298n_INC", 30, ND_SIM_HBRIDGE},
    {"l298n_IND", 31, ND_SIM_HBRIDGE},
    {"l9110dir_1", 0, ND_SIM_MOTOR},
    {"l9110dir_2", 3, ND_SIM_MOTOR},
    {"rot_dt", 34, ND_SIM_ENCODER},
    {"rot_clk", 35, ND_SIM_ENCODER},
    {"tx", 1, ND_SIM_UART_TX},
    {"rx", 38, ND_SIM_UART_RX},
    {"mic", 39, ND_SIM_MIC},
    {NULL, -1, ND_SIM_NONE},
};

const nd_sim_wire *nd_sim_wiring(void) { return wiring; }

/* The n-th of the NUL-separated names in blob (one string: no pointer table). */
static const char *nth_name(const char *blob, int n)
{
    while (n-- > 0) blob += strlen(blob) + 1;
    return blob;
}

const char *nd_sim_device_name(int d)
{
    return d >= 0 && d <= ND_SIM_MIC ? nth_name("\0led\0button\0strip\0dht22\0servo\0light\0buzzer\0i2c_sda\0"
                                                "i2c_scl\0onewire\0stepper\0motor\0hbridge\0encoder\0"
                                                "uart_tx\0uart_rx\0mic",
                                                d)
                                     : "";
}

enum { M_UNUSED, M_IN, M_OUT, M_PWM };

typedef struct sim_pin {
    uint8_t mode, pull;
    uint8_t out;        /* driven output level */
    uint8_t ext;        /* level driven from outside (inputs) */
    bool ext_driven;
    uint8_t edges;      /* edge detection mask */
    uint32_t freq, duty;
} sim_pin;

static sim_pin pins[SIM_PINS];
static bool active;
static bool bme_ready; /* registers initialised (lazily when never opened) */
/* devices */
static uint8_t strip[ND_PIXEL_MAX * 4];
static size_t strip_n;
static int strip_bpp = 3;
static uint64_t strip_frames;
static double dht_t = 21.5, dht_rh = 48.2;
static int dht_bad;       /* next N frames carry a wrong checksum */
static bool dht_silent;   /* the sensor does not answer */
static uint64_t dht_reads;
static int light_raw = 2048;
static int mic_raw = 2048; /* a quiet room: the amplifier idles at mid scale */
static bool bme_present = true;

static const nd_sim_wire *wire_of(int pin)
{
    for (const nd_sim_wire *w = wiring; w->name; w++)
        if (w->pin == pin) return w;
    return NULL;
}

static int level_of(const sim_pin *p)
{
    if (p->mode == M_OUT) return p->out;
    if (p->mode == M_PWM) return p->duty > 0;
    if (p->ext_driven) return p->ext;
    return p->pull == ND_PULL_UP;
}

static int sim_open(void)
{
    memset(pins, 0, sizeof pins);
    memset(strip, 0, sizeof strip);
    strip_n = 0;
    strip_frames = 0;
    dht_bad = 0;
    dht_silent = false;
    bme_present = true;
    nd_simbme_reset();
    nd_simshelf_reset();
    bme_ready = true;
    active = true;
    return ND_OK;
}

static void sim_close(void) { active = false; }

static int sim_gpio_mode(int pin, int mode, int pull)
{
    if (mode == ND_GPIO_OUT && pin >= SIM_INPUT_ONLY_FIRST)
        return nd_hal_fail(ND_ETYPE, "pin %d is input-only (sim: 34..39)", pin);
    sim_pin *p = &pins[pin];
    p->mode = mode == ND_GPIO_OUT ? M_OUT : M_IN;
    p->pull = (uint8_t)pull;
    p->freq = p->duty = 0;
    return ND_OK;
}

static int sim_gpio_write(int pin, int level)
{
    sim_pin *p = &pins[pin];
    if (p->mode == M_UNUSED || p->mode == M_PWM) {
        int rc = sim_gpio_mode(pin, ND_GPIO_OUT, ND_PULL_NONE);
        if (rc) return rc;
    }
    if (p->mode != M_OUT) return nd_hal_fail(ND_ETYPE, "pin %d is an input", pin);
    p->out = (uint8_t)level;
    nd_simshelf_pin(pin, level, false, 0);
    return ND_OK;
}

static int sim_gpio_read(int pin) { return level_of(&pins[pin]); }

static int sim_gpio_edges(int pin, int edges)
{
    pins[pin].edges = (uint8_t)edges;
    return ND_OK;
}

static int sim_pwm_set(int pin, uint32_t freq, uint32_t duty)
{
    if (pin >= SIM_INPUT_ONLY_FIRST)
        return nd_hal_fail(ND_ETYPE, "pin %d is input-only, no PWM (sim: 34..39)", pin);
    sim_pin *p = &pins[pin];
    p->mode = M_PWM;
    p->freq = freq;
    p->duty = duty;
    nd_simshelf_pin(pin, duty > 0, true, duty);
    return ND_OK;
}

static int sim_pwm_get(int pin, uint32_t *freq, uint32_t *duty)
{
    const sim_pin *p = &pins[pin];
    if (p->mode != M_PWM) return nd_hal_fail(ND_ETYPE, "pin %d is not running PWM", pin);
    *freq = p->freq;
    *duty = p->duty;
    return ND_OK;
}

static int sim_pwm_stop(int pin)
{
    sim_pin *p = &pins[pin];
    if (pin >= SIM_INPUT_ONLY_FIRST) return ND_OK;
    p->mode = M_OUT;
    p->out = 0;
    p->freq = p->duty = 0;
    nd_simshelf_pin(pin, 0, false, 0);
    return ND_OK;
}

static int sim_adc_read(int pin)
{
    if (pin < SIM_ADC_FIRST)
        return nd_hal_fail(ND_ETYPE, "pin %d has no ADC (sim: 32..39)", pin);
    const nd_sim_wire *w = wire_of(pin);
    if (w && w->device == ND_SIM_LIGHT) return light_raw;
    if (w && w->device == ND_SIM_MIC) return mic_raw;
    return level_of(&pins[pin]) ? ND_ADC_MAX : 0;
}

static int sim_i2c_bus(int sda, int scl)
{
    if (sda == SIM_SDA && scl == SIM_SCL) return 0;
    return nd_hal_fail(ND_ENOTFOUND, "no I2C bus on sda=%d scl=%d (sim: sda=%d scl=%d)", sda, scl,
                       SIM_SDA, SIM_SCL);
}

static int bad_bus(int bus)
{
    return nd_hal_fail(ND_ENOTFOUND, "no I2C bus %d (sim has bus 0)", bus);
}

static int sim_i2c_scan(int bus, uint8_t *addrs, int max)
{
    if (bus != 0) return bad_bus(bus);
    /* ascending, as hal.h promises: the shelf's scan is, and the BME280's
    ** address is above all of its parts' */
    _Static_assert(ND_SIM_VEML_ADDR < ND_SIM_BME280_ADDR && ND_SIM_AHT10_ADDR < ND_SIM_BME280_ADDR &&
                       ND_SIM_OLED_ADDR < ND_SIM_BME280_ADDR,
                   "the BME280 comes last in a scan");
    uint8_t all[8];
    int n = nd_simshelf_i2c_scan(all, 0, 7);
    if (bme_present) all[n++] = ND_SIM_BME280_ADDR;
    for (int i = 0; i < n && i < max; i++) addrs[i] = all[i];
    return n;
}

static int sim_i2c_xfer(int bus, uint8_t addr, const uint8_t *w, size_t wn, uint8_t *r, size_t rn)
{
    if (bus != 0) return bad_bus(bus);
    if (!bme_ready) {
        nd_simbme_reset();
        nd_simshelf_reset();
        bme_ready = true;
    }
    int rc = nd_simshelf_i2c_xfer(addr, w, wn, r, rn);
    if (rc != ND_ENOTFOUND) return rc;
    if (addr != ND_SIM_BME280_ADDR || !bme_present)
        return nd_hal_fail(ND_EIO, "I2C device 0x%02x did not answer (no ACK) on bus %d", addr,
                           bus);
    return nd_simbme_xfer(w, wn, r, rn);
}

static int sim_pixel_show(int pin, const uint8_t *rgbw, size_t n, int bpp)
{
    if (pin >= SIM_INPUT_ONLY_FIRST)
        return nd_hal_fail(ND_ETYPE, "pin %d is input-only (sim: 34..39)", pin);
    pins[pin].mode = M_OUT;
    const nd_sim_wire *w = wire_of(pin);
    if (!w || w->device != ND_SIM_STRIP) return ND_OK; /* nothing attached: bits go nowhere */
    memcpy(strip, rgbw, n * (size_t)bpp);
    strip_n = n;
    strip_bpp = bpp;
    strip_frames++;
    return ND_OK;
}

static int sim_dht_read(int pin, uint8_t f[5])
{
    const nd_sim_wire *w = wire_of(pin);
    if (!w || w->device != ND_SIM_DHT22 || dht_silent)
        return nd_hal_fail(ND_EIO, "no DHT answered on pin %d (timeout)", pin);
    dht_reads++;
    if (nd_simshelf_dht_type() == 11) nd_simshelf_dht11_encode(dht_t, dht_rh, f);
    else nd_dht22_encode(dht_t, dht_rh, f);
    if (dht_bad > 0) {
        dht_bad--;
        f[4] ^= 0x5a; /* a bit error on the wire: the checksum no longer matches */
    }
    return ND_OK;
}

const nd_hal_ops nd_hal_sim_ops = {
    "sim",          SIM_PINS - 1,  sim_open,     sim_close,    sim_gpio_mode,
    sim_gpio_write, sim_gpio_read, sim_gpio_edges, sim_pwm_set, sim_pwm_get,
    sim_pwm_stop,   sim_adc_read,  sim_i2c_bus,  sim_i2c_scan, sim_i2c_xfer,
    sim_pixel_show, sim_dht_read,  nd_simshelf_ow_search, nd_simshelf_ow_xfer,
    nd_simshelf_uart_open, nd_simshelf_uart_write, nd_simshelf_uart_read, nd_simshelf_uart_close,
};

/* ---- control API ---------------------------------------------------------- */
#define NO_PIN (-1000) /* need_sim: no pin to check */
static int need_sim(int pin)
{
    if (strcmp(nd_hal_backend(), "sim") != 0)
        return nd_hal_fail(ND_ETYPE, "the sim board is not active (hwbackend is %s)",
                           nd_hal_backend());
    if (!active) sim_open();
    if (pin != NO_PIN && (pin < 0 || pin >= SIM_PINS))
        return nd_hal_fail(ND_EINVAL, "pin %d is not on board sim (0..%d)", pin, SIM_PINS - 1);
    return ND_OK;
}

static void edge(int pin, int level, uint64_t t_us)
{
    int e = level ? ND_EDGE_RISING : ND_EDGE_FALLING;
    if (pins[pin].edges & e) nd_hal_edge_push(pin, level, t_us);
}

int nd_sim_drive(int pin, int level)
{
    int rc = need_sim(pin);
    if (rc) return rc;
    if (level != 0 && level != 1) return nd_hal_fail(ND_EINVAL, "level must be 0 or 1");
    sim_pin *p = &pins[pin];
    if (p->mode == M_OUT || p->mode == M_PWM)
        return nd_hal_fail(ND_ETYPE, "pin %d is an output; only inputs can be driven", pin);
    int before = level_of(p);
    p->ext = (uint8_t)level;
    p->ext_driven = true;
    if (level_of(p) != before) edge(pin, level, nd_port_mono_us());
    return ND_OK;
}

int nd_sim_burst(int pin, int n, uint32_t us_apart)
{
    int rc = need_sim(pin);
    if (rc) return rc;
    if (pins[pin].mode == M_OUT || pins[pin].mode == M_PWM)
        return nd_hal_fail(ND_ETYPE, "pin %d is an output; only inputs can be driven", pin);
    pins[pin].ext = (uint8_t)level_of(&pins[pin]);
    pins[pin].ext_driven = true;
    if (n < 0 || n > 1000000) return nd_hal_fail(ND_EINVAL, "burst of %d edges (0..1000000)", n);
    sim_pin *p = &pins[pin];
    /* time stamps end now: the burst has just happened */
    uint64_t now = nd_port_mono_us(), span = (uint64_t)us_apart * (uint64_t)(n ? n - 1 : 0);
    uint64_t t0 = now > span ? now - span : 0;
    nd_gpio_stats before;
    nd_gpio_stats_get(&before);
    for (int i = 0; i < n; i++) {
        p->ext = (uint8_t)!p->ext;
        edge(pin, p->ext, t0 + (uint64_t)i * us_apart);
    }
    nd_gpio_stats after;
    nd_gpio_stats_get(&after);
    return (int)(after.queued - before.queued);
}

int nd_sim_dht_set(double temp_c, double rh, int bad_frames)
{
    int rc = need_sim(NO_PIN);
    if (rc) return rc;
    if (temp_c < -40 || temp_c > 80 || rh < 0 || rh > 100)
        return nd_hal_fail(ND_EINVAL, "DHT22 range is -40..80 degC, 0..100 %%RH");
    dht_t = temp_c;
    dht_rh = rh;
    dht_silent = bad_frames < 0;
    dht_bad = bad_frames > 0 ? bad_frames : 0;
    return ND_OK;
}

int nd_sim_bme280_set(double temp_c, double hpa, double rh)
{
    int rc = need_sim(NO_PIN);
    if (rc) return rc;
    if (temp_c < -40 || temp_c > 85 || hpa < 300 || hpa > 1100 || rh < 0 || rh > 100)
        return nd_hal_fail(ND_EINVAL, "BME280 range is -40..85 degC, 300..1100 hPa, 0..100 %%RH");
    nd_simbme_set(temp_c, hpa, rh);
    return ND_OK;
}

int nd_sim_bme280_present(bool present)
{
    int rc = need_sim(NO_PIN);
    if (rc) return rc;
    bme_present = present;
    return ND_OK;
}

/* An ADC level set from outside (what: the message's name of it). */
static int adc_set(int *dst, int raw, const char *what)
{
    int rc = need_sim(NO_PIN);
    if (rc) return rc;
    if (raw < 0 || raw > ND_ADC_MAX) return nd_hal_fail(ND_EINVAL, "%s level 0..%d", what, ND_ADC_MAX);
    *dst = raw;
    return ND_OK;
}

int nd_sim_light_set(int raw) { return adc_set(&light_raw, raw, "light"); }

int nd_sim_mic_set(int raw) { return adc_set(&mic_raw, raw, "mic"); }

/* ---- snapshot ------------------------------------------------------------- */
#define TRY(x)                                                                                   \
    do {                                                                                         \
        if ((x) != ND_OK) return ND_ENOMEM;                                                      \
    } while (0)
#define NN(x) ((x) ? ND_OK : ND_ENOMEM)

static double servo_angle(const sim_pin *p)
{
    if (p->mode != M_PWM || !p->freq) return -1;
    double pulse_us = (double)p->duty / 1024.0 * 1e6 / p->freq; /* 0.5..2.5 ms = 0..180 */
    double a = (pulse_us - 500.0) / 2000.0 * 180.0;
    return a < 0 ? 0 : a > 180 ? 180 : nd_round(a * 10) / 10;
}

static int pin_item(nd_arena *a, nd_value *list, int i)
{
    const sim_pin *p = &pins[i];
    const nd_sim_wire *w = wire_of(i);
    if (p->mode == M_UNUSED && !w) return ND_OK;
    const char *name = w ? w->name : "", *dev = w ? nd_sim_device_name(w->device) : "";
    const char *mode = nth_name("unused\0in\0out\0pwm", p->mode);
    int level = level_of(p);
    const void *const v[] = {&i, &name, &dev, &mode, &level, &p->freq, &p->duty};
    nd_value *d = nd_simshelf_fields(a, nd_dict(a), "ipin\0sname\0sdevice\0smode\0ilevel\0", v);
    if (p->mode == M_PWM) {
        d = nd_simshelf_fields(a, d, "ufreq\0uduty\0", v + 5);
        if (w && w->device == ND_SIM_SERVO) {
            const double ang = servo_angle(p);
            const void *const av[] = {&ang};
            d = nd_simshelf_fields(a, d, "fangle\0", av);
        }
    }
    return nd_seq_push(a, list, d);
}

static int dht_part(nd_arena *a, nd_value *d)
{
    int bad = dht_silent ? -1 : dht_bad;
    const void *const v[] = {&dht_t, &dht_rh, &bad, &dht_reads};
    return nd_dict_set(a, d, "dht22", nd_simshelf_fields(a, nd_dict(a), "ftemp\0fhum\0ibad\0qreads\0", v));
}

static int bme_part(nd_arena *a, nd_value *d)
{
    double t, p, h;
    nd_simbme_get(&t, &p, &h);
    const void *const v[] = {&bme_present, &t, &p, &h};
    return nd_dict_set(a, d, "bme280", nd_simshelf_fields(a, nd_dict(a), "bpresent\0ftemp\0fhpa\0fhum\0", v));
}

/* One part of the snapshot without building the rest (the `sim` calls
** that read a part back would otherwise build the whole board twice). */
int nd_sim_part(nd_arena *a, const char *key, nd_value **out)
{
    int rc = need_sim(NO_PIN);
    if (rc) return rc;
    nd_value *d = nd_dict(a);
    if (!d) return nd_hal_fail(ND_ENOMEM, "out of memory");
    if (strcmp(key, "dht22") == 0) rc = dht_part(a, d);
    else if (strcmp(key, "bme280") == 0) rc = bme_part(a, d);
    else rc = nd_simshelf_state(a, d, key);
    if (rc != ND_OK) return nd_hal_fail(ND_ENOMEM, "out of memory");
    *out = nd_dict_get(d, key);
    return *out ? ND_OK : nd_hal_fail(ND_ENOTFOUND, "no sim part '%s'", key);
}

int nd_sim_state(nd_arena *a, nd_value **out)
{
    int rc = need_sim(NO_PIN);
    if (rc) return rc;
    nd_value *d = nd_dict(a), *pl = nd_list(a), *px = nd_list(a);
    TRY(NN(d && pl && px));
    TRY(nd_dict_set(a, d, "board", nd_str(a, "sim")));
    for (int i = 0; i < SIM_PINS; i++) TRY(pin_item(a, pl, i));
    TRY(nd_dict_set(a, d, "pins", pl));
    for (size_t i = 0; i < strip_n; i++) {
        const uint8_t *c = strip + i * (size_t)strip_bpp;
        nd_value *s = strip_bpp == 4 ? nd_strf(a, "#%02x%02x%02x%02x", c[0], c[1], c[2], c[3])
                                     : nd_strf(a, "#%02x%02x%02x", c[0], c[1], c[2]);
        TRY(nd_seq_push(a, px, s));
    }
    nd_value *st = nd_dict(a);
    TRY(nd_dict_set(a, st, "pixels", px));
    static const void *const sv[] = {&strip_frames, &light_raw, &mic_raw};
    TRY(nd_dict_set(a, d, "strip", nd_simshelf_fields(a, st, "qframes\0", sv)));
    TRY(dht_part(a, d));
    TRY(bme_part(a, d));
    TRY(NN(nd_simshelf_fields(a, d, "ilight\0imic\0", sv + 1)));
    nd_gpio_stats gs;
    nd_gpio_stats_get(&gs);
    const void *const ev[] = {&gs.queued, &gs.delivered, &gs.dropped, &gs.depth_max};
    TRY(nd_dict_set(a, d, "edges",
                    nd_simshelf_fields(a, nd_dict(a), "qqueued\0qdelivered\0qdropped\0udepth_max\0", ev)));
    TRY(nd_simshelf_state(a, d, NULL));
    *out = d;
    return ND_OK;
}
