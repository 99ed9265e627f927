/*
** hal_down.c -- the backend that stands in when the one `hwbackend` asked
** for cannot open (no /dev/gpiochip0, no permission). Every call fails with
** the reason the open failed: a user who asked for real hardware must never
** get a simulated success (the sim board used to stand in here), but the
** node itself keeps running so the shell, the web UI and `conf` can be used
** to see the reason and fix it.
*/
#include <stdio.h>
#include <string.h>

#include "hal_int.h"

/* Until nd_hal_down names a backend, this is the image without any
** (ND_WITH_SIM 0 and no port backend): the same table, named "none", its
** own reason. The name and reason buffers are zeroed (bss), not
** initialised data: their initial text would cost flash at full size. */
static char down_name[24];
static char why[ND_ERRMSG];

static int unusable(const char *name, const char *reason)
{
    return nd_hal_fail(ND_EIO, "hwbackend %s is not usable: %s", name, reason);
}

void nd_hal_no_backend_msg(void) { unusable("none", "this image has no hardware backend"); }

static int fail(void)
{
    if (nd_hal_none_ops.name != down_name) return nd_hal_no_backend(); /* nd_hal_down did not run */
    return unusable(down_name, why);
}

static void d_close(void) {}
static int d_pin_mode(int p, int m, int u) { (void)p, (void)m, (void)u; return fail(); }
static int d_pin(int p) { (void)p; return fail(); }
static int d_pin_level(int p, int l) { (void)p, (void)l; return fail(); }
static int d_pwm_set(int p, uint32_t f, uint32_t d) { (void)p, (void)f, (void)d; return fail(); }
static int d_pwm_get(int p, uint32_t *f, uint32_t *d) { (void)p, (void)f, (void)d; return fail(); }
static int d_i2c_bus(int a, int b) { (void)a, (void)b; return fail(); }
static int d_i2c_scan(int b, uint8_t *a, int m) { (void)b, (void)a, (void)m; return fail(); }
static int d_i2c_xfer(int b, uint8_t a, const uint8_t *w, size_t wn, uint8_t *r, size_t rn)
{
    (void)b, (void)a, (void)w, (void)wn, (void)r, (void)rn;
    return fail();
}
static int d_pixel(int p, const uint8_t *c, size_t n, int bpp)
{
    (void)p, (void)c, (void)n, (void)bpp;
    return fail();
}
static int d_dht(int p, uint8_t f[5]) { (void)p, (void)f; return fail(); }
static int d_ow_search(int p, uint64_t *r, int m) { (void)p, (void)r, (void)m; return fail(); }
static int d_ow_xfer(int p, uint64_t rom, const uint8_t *w, size_t wn, uint8_t *r, size_t rn)
{
    (void)p, (void)rom, (void)w, (void)wn, (void)r, (void)rn;
    return fail();
}
static int d_uart_open(int t, int r, uint32_t b) { (void)t, (void)r, (void)b; return fail(); }
static int d_uart_write(int i, const uint8_t *p, size_t n) { (void)i, (void)p, (void)n; return fail(); }
static int d_uart_read(int i, uint8_t *p, size_t n) { (void)i, (void)p, (void)n; return fail(); }
static void d_uart_close(int i) { (void)i; }

nd_hal_ops nd_hal_none_ops = {
    .name = "none",
    .pin_max = 255, /* no board: any pin number reaches the one reason */
    .open = NULL,
    .close = d_close,
    .gpio_mode = d_pin_mode,
    .gpio_write = d_pin_level,
    .gpio_read = d_pin,
    .gpio_edges = d_pin_level,
    .pwm_set = d_pwm_set,
    .pwm_get = d_pwm_get,
    .pwm_stop = d_pin,
    .adc_read = d_pin,
    .i2c_bus = d_i2c_bus,
    .i2c_scan = d_i2c_scan,
    .i2c_xfer = d_i2c_xfer,
    .pixel_show = d_pixel,
    .dht_read = d_dht,
    .ow_search = d_ow_search,
    .ow_xfer = d_ow_xfer,
    .uart_open = d_uart_open,
    .uart_write = d_uart_write,
    .uart_read = d_uart_read,
    .uart_close = d_uart_close,
};

const nd_hal_ops *nd_hal_down(const nd_hal_ops *wanted, const char *reason)
{
    snprintf(down_name, sizeof down_name, "%s", wanted->name);
    snprintf(why, sizeof why, "%s", reason);
    nd_hal_none_ops.name = down_name;
    nd_hal_none_ops.pin_max = wanted->pin_max; /* pin range errors still name the real board */
    return &nd_hal_none_ops;
}
