/*
** hal_linux.c -- the `linux` hardware backend: GPIO through the kernel's
** GPIO character device (v2 uAPI), I2C through /dev/i2c-N (I2C_RDWR), PWM
** through sysfs. For Linux boards such as the Raspberry Pi.
**
** UNTESTED ON HARDWARE: it compiles and fails cleanly here (no GPIO chip in
** the sandbox); every failure names the device file and the reason.
**
** GPIO numbers are line offsets on one chip: /dev/gpiochip0, or the chip in
** the environment variable ND_GPIOCHIP (a Raspberry Pi 5's header is on
** /dev/gpiochip4 with older kernels). Each used pin holds its own line
** request; a change of direction, pull or edges re-requests the line. Edge
** events are read non-blockingly from the request's fd, which the loop
** watches; their CLOCK_MONOTONIC timestamps are the port's clock.
** I2C buses: header pins sda 2 / scl 3 are /dev/i2c-1, 0 / 1 are /dev/i2c-0.
** PWM: GPIO 12/18 -> pwmchip0 channel 0, GPIO 13/19 -> channel 1 (the Pi's
** pwm-2chan overlay). ADC, WS2812 and DHT are not available here.
** 1-Wire (the kernel's w1 subsystem) and UART (ttys) are in w1_linux.c and
** uart_linux.c.
*/
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/gpio.h>
#include <linux/i2c-dev.h>
#include <linux/i2c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "hal_int.h"
#include "nodus/port.h"
#include "posix.h"

#define LX_PINS 64 /* line offsets 0..63 */

typedef struct lx_line {
    int fd;          /* line request fd, -1 when not requested */
    nd_sock *watch;  /* loop watch on fd when edges are on */
    int mode, pull, edges;
    int out;
    bool pwm;
} lx_line;

static lx_line lines[LX_PINS];
static int chip_fd = -1;
static char chip_path[64];

static const char *chip_name(void)
{
    const char *e = getenv("ND_GPIOCHIP");
    return e && *e ? e : "/dev/gpiochip0";
}

static int lx_open(void)
{
    for (int i = 0; i < LX_PINS; i++) lines[i] = (lx_line){-1, NULL, -1, 0, 0, 0, false};
    snprintf(chip_path, sizeof chip_path, "%s", chip_name());
    chip_fd = open(chip_path, O_RDWR | O_CLOEXEC);
    if (chip_fd < 0)
        return nd_hal_fail(ND_EIO, "cannot open GPIO chip %s: %s", chip_path, strerror(errno));
    return ND_OK;
}

static void release(int pin)
{
    lx_line *l = &lines[pin];
    if (l->watch) nd_net_close(l->watch); /* closes l->fd too */
    else if (l->fd >= 0) close(l->fd);
    l->watch = NULL;
    l->fd = -1;
}

static void lx_close(void)
{
    for (int i = 0; i < LX_PINS; i++) release(i);
    if (chip_fd >= 0) close(chip_fd);
    chip_fd = -1;
}

static void on_events(nd_sock *s, int ev, void *ud)
{
    (void)s;
    (void)ev;
    int pin = (int)(intptr_t)ud;
    struct gpio_v2_line_event e[16];
    for (;;) { /* drain what is there; never wait */
        ssize_t r = read(lines[pin].fd, e, sizeof e);
        if (r <= 0) break;
        for (size_t i = 0; i < (size_t)r / sizeof e[0]; i++)
            nd_hal_edge_push(pin, e[i].id == GPIO_V2_LINE_EVENT_RISING_EDGE,
                             e[i].timestamp_ns / 1000u);
        if ((size_t)r < sizeof e) break;
    }
}

/* (Re)request one line with the given direction, pull and edges. */
static int request(int pin, int mode, int pull, int edges, int out)
{
    if (chip_fd < 0) return nd_hal_fail(ND_EIO, "GPIO chip %s is not open", chip_path);
    release(pin);
    struct gpio_v2_line_request req;
    memset(&req, 0, sizeof req);
    req.offsets[0] = (uint32_t)pin;
    req.num_lines = 1;
    snprintf(req.consumer, sizeof req.consumer, "nodus");
    uint64_t f = mode == ND_GPIO_OUT ? GPIO_V2_LINE_FLAG_OUTPUT : GPIO_V2_LINE_FLAG_INPUT;
    if (pull == ND_PULL_UP) f |= GPIO_V2_LINE_FLAG_BIAS_PULL_UP;
    else if (pull == ND_PULL_DOWN) f |= GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN;
    if (mode != ND_GPIO_OUT && (edges & ND_EDGE_RISING)) f |= GPIO_V2_LINE_FLAG_EDGE_RISING;
    if (mode != ND_GPIO_OUT && (edges & ND_EDGE_FALLING)) f |= GPIO_V2_LINE_FLAG_EDGE_FALLING;
    req.config.flags = f;
    if (mode == ND_GPIO_OUT) {
        req.config.num_attrs = 1;
        req.config.attrs[0].attr.id = GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES;
        req.config.attrs[0].attr.values = out ? 1 : 0;
        req.config.attrs[0].mask = 1;
    }
    if (ioctl(chip_fd, GPIO_V2_GET_LINE_IOCTL, &req) < 0)
        return nd_hal_fail(errno == EBUSY ? ND_ELIMIT : ND_EIO, "GPIO %d on %s: %s", pin, chip_path,
                           strerror(errno));
    lx_line *l = &lines[pin];
    l->fd = req.fd;
    l->mode = mode;
    l->pull = pull;
    l->edges = edges;
    l->out = out;
    fcntl(l->fd, F_SETFL, fcntl(l->fd, F_GETFL) | O_NONBLOCK);
    if (mode != ND_GPIO_OUT && edges) {
        l->watch = nd_posix_watch_fd(l->fd, on_events, (void *)(intptr_t)pin);
        if (!l->watch) {
            release(pin);
            return nd_hal_fail(ND_ELIMIT, "GPIO %d: loop socket table full", pin);
        }
    }
    return ND_OK;
}

static int lx_gpio_mode(int pin, int mode, int pull)
{
    return request(pin, mode, pull, lines[pin].edges, 0);
}

static int lx_gpio_write(int pin, int level)
{
    lx_line *l = &lines[pin];
    if (l->fd < 0 || l->mode != ND_GPIO_OUT) return request(pin, ND_GPIO_OUT, 0, 0, level);
    struct gpio_v2_line_values v = {(uint64_t)(level ? 1 : 0), 1};
    if (ioctl(l->fd, GPIO_V2_LINE_SET_VALUES_IOCTL, &v) < 0)
        return nd_hal_fail(ND_EIO, "GPIO %d write: %s", pin, strerror(errno));
    l->out = level;
    return ND_OK;
}

static int lx_gpio_read(int pin)
{
    lx_line *l = &lines[pin];
    if (l->fd < 0) {
        int rc = request(pin, ND_GPIO_IN, ND_PULL_NONE, 0, 0);
        if (rc) return rc;
    }
    struct gpio_v2_line_values v = {0, 1};
    if (ioctl(l->fd, GPIO_V2_LINE_GET_VALUES_IOCTL, &v) < 0)
        return nd_hal_fail(ND_EIO, "GPIO %d read: %s", pin, strerror(errno));
    return (int)(v.bits & 1);
}

static int lx_gpio_edges(int pin, int edges)
{
    lx_line *l = &lines[pin];
    if (l->mode == ND_GPIO_OUT && edges)
        return nd_hal_fail(ND_ETYPE, "GPIO %d is an output; edges need an input", pin);
    return request(pin, ND_GPIO_IN, l->mode < 0 ? ND_PULL_NONE : l->pull, edges, 0);
}

/* ---- PWM (sysfs) ----------------------------------------------------------- */
static int pwm_channel(int pin)
{
    if (pin == 12 || pin == 18) return 0;
    if (pin == 13 || pin == 19) return 1;
    return nd_hal_fail(ND_ETYPE, "GPIO %d has no hardware PWM (linux: 12/18 channel 0, 13/19 channel 1)",
                       pin);
}

static int sysfs_write(const char *path, const char *val)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return nd_hal_fail(ND_EIO, "%s: %s", path, strerror(errno));
    ssize_t n = write(fd, val, strlen(val));
    int e = errno;
    close(fd);
    if (n < 0 && e != EBUSY) return nd_hal_fail(ND_EIO, "%s: %s", path, strerror(e));
    return ND_OK;
}

static int lx_pwm_set(int pin, uint32_t freq, uint32_t duty)
{
    int ch = pwm_channel(pin);
    if (ch < 0) return ch;
    char p[96], v[32];
    snprintf(p, sizeof p, "/sys/class/pwm/pwmchip0/pwm%d/period", ch);
    if (access(p, F_OK) != 0) {
        snprintf(v, sizeof v, "%d", ch);
        int rc = sysfs_write("/sys/class/pwm/pwmchip0/export", v);
        if (rc) return rc;
    }
    uint64_t period = 1000000000ull / freq, dc = period * duty / ND_PWM_DUTY_MAX;
    /* duty first to 0 so a shorter period is never below the old duty */
    snprintf(p, sizeof p, "/sys/class/pwm/pwmchip0/pwm%d/duty_cycle", ch);
    int rc = sysfs_write(p, "0");
    snprintf(v, sizeof v, "%llu", (unsigned long long)period);
    snprintf(p, sizeof p, "/sys/class/pwm/pwmchip0/pwm%d/period", ch);
    if (!rc) rc = sysfs_write(p, v);
    snprintf(v, sizeof v, "%llu", (unsigned long long)dc);
    snprintf(p, sizeof p, "/sys/class/pwm/pwmchip0/pwm%d/duty_cycle", ch);
    if (!rc) rc = sysfs_write(p, v);
    snprintf(p, sizeof p, "/sys/class/pwm/pwmchip0/pwm%d/enable", ch);
    if (!rc) rc = sysfs_write(p, "1");
    if (rc) return rc;
    lines[pin].pwm = true;
    lines[pin].out = (int)freq;
    lines[pin].pull = (int)duty; /* remembered for pwm_get */
    return ND_OK;
}

static int lx_pwm_get(int pin, uint32_t *freq, uint32_t *duty)
{
    if (!lines[pin].pwm) return nd_hal_fail(ND_ETYPE, "GPIO %d is not running PWM", pin);
    *freq = (uint32_t)lines[pin].out;
    *duty = (uint32_t)lines[pin].pull;
    return ND_OK;
}

static int lx_pwm_stop(int pin)
{
    int ch = pwm_channel(pin);
    if (ch < 0) return ch;
    char p[96];
    snprintf(p, sizeof p, "/sys/class/pwm/pwmchip0/pwm%d/enable", ch);
    lines[pin].pwm = false;
    return sysfs_write(p, "0");
}

static int lx_adc_read(int pin)
{
    return nd_hal_fail(ND_ETYPE, "no ADC on the linux backend (pin %d); use an I2C ADC", pin);
}

/* ---- I2C ------------------------------------------------------------------- */
static int lx_i2c_bus(int sda, int scl)
{
    if (sda == 2 && scl == 3) return 1;
    if (sda == 0 && scl == 1) return 0;
    return nd_hal_fail(ND_ENOTFOUND, "no I2C bus on sda=%d scl=%d (linux: 2/3 = i2c-1, 0/1 = i2c-0)",
                       sda, scl);
}

static int i2c_open(int bus)
{
    char p[32];
    snprintf(p, sizeof p, "/dev/i2c-%d", bus);
    int fd = open(p, O_RDWR | O_CLOEXEC);
    if (fd < 0) return nd_hal_fail(ND_ENOTFOUND, "cannot open %s: %s", p, strerror(errno));
    return fd;
}

static int rdwr(int fd, int bus, uint8_t addr, const uint8_t *w, size_t wn, uint8_t *r, size_t rn)
{
    struct i2c_msg m[2];
    int k = 0;
    if (wn) m[k++] = (struct i2c_msg){addr, 0, (uint16_t)wn, (uint8_t *)w};
    if (rn) m[k++] = (struct i2c_msg){addr, I2C_M_RD, (uint16_t)rn, r};
    if (!k) return ND_OK;
    struct i2c_rdwr_ioctl_data d = {m, (uint32_t)k};
    if (ioctl(fd, I2C_RDWR, &d) < 0) {
        int e = errno;
        if (e == ENXIO || e == EREMOTEIO || e == EIO)
            return nd_hal_fail(ND_EIO, "I2C device 0x%02x did not answer (no ACK) on bus %d", addr,
                               bus);
        return nd_hal_fail(ND_EIO, "I2C bus %d, device 0x%02x: %s", bus, addr, strerror(e));
    }
    return ND_OK;
}

static int lx_i2c_scan(int bus, uint8_t *addrs, int max)
{
    int fd = i2c_open(bus);
    if (fd < 0) return fd;
    int n = 0;
    for (uint8_t a = 0x08; a <= 0x77; a++) {
        uint8_t b;
        if (rdwr(fd, bus, a, NULL, 0, &b, 1) == ND_OK) {
            if (n < max) addrs[n] = a;
            n++;
        }
    }
    close(fd);
    return n;
}

static int lx_i2c_xfer(int bus, uint8_t addr, const uint8_t *w, size_t wn, uint8_t *r, size_t rn)
{
    int fd = i2c_open(bus);
    if (fd < 0) return fd;
    int rc = rdwr(fd, bus, addr, w, wn, r, rn);
    close(fd);
    return rc;
}

static int lx_pixel_show(int pin, const uint8_t *rgbw, size_t n, int bpp)
{
    return nd_hal_fail(ND_ETYPE, "WS2812 strips are not supported on the linux backend yet (pin %d)",
                       pin);
}

static int lx_dht_read(int pin, uint8_t f[5])
{
    return nd_hal_fail(ND_EIO, "DHT on the linux backend is not supported (pin %d); use the kernel "
                               "dht11 IIO driver", pin);
}

static const nd_hal_ops linux_ops = {
    "linux",        LX_PINS - 1,  lx_open,       lx_close,      lx_gpio_mode,
    lx_gpio_write,  lx_gpio_read, lx_gpio_edges, lx_pwm_set,    lx_pwm_get,
    lx_pwm_stop,    lx_adc_read,  lx_i2c_bus,    lx_i2c_scan,   lx_i2c_xfer,
    lx_pixel_show,  lx_dht_read,  nd_lx_ow_search, nd_lx_ow_xfer,
    nd_lx_uart_open, nd_lx_uart_write, nd_lx_uart_read, nd_lx_uart_close,
};

const struct nd_hal_ops *nd_port_hal(const char *name)
{
    return strcmp(name, "linux") == 0 ? &linux_ops : NULL;
}
