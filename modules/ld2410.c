/*
** ld2410.c -- HLK-LD2410 presence radar on the UART pins tx / rx at 256000
** baud (micrOS LM_ld2410): read -> {'state': 'moving', 'measure':
** {'state': 1, 'moving_distance': 120, ...}} from the newest complete
** basic report frame (sensors.h); 'moving', 'combined' or (stationary, no
** target) 'n/a' as micrOS says, and without a new frame the last
** measurement, as micrOS's global keeps it. firmware_version -> the
** radar's acknowledgement as 'hex: fd fc ...' ('<no data>' when nothing
** came back yet), serial_flush -> the discarded bytes as Python's bytes
** repr.
**
** micrOS flushes and then sleeps 100 ms for a fresh frame; the radar sends
** one every ~100 ms and the UART ring (ND_UART_RX bytes) keeps the latest,
** so nodus reads what has arrived and never waits. The contract:
** docs/modules.md.
*/
#include <string.h>

#include "nodus/hal.h"
#include "nodus/module.h"
#include "nodus/pins.h"
#include "nodus/sensors.h"

#define BAUD 256000

static int uart = -1;
static nd_ld2410 meas;

static int open_uart(nd_call *c)
{
    if (uart >= 0) return ND_OK;
    int tx, rx;
    if (nd_pin_bind(c, "tx", &tx) || nd_pin_bind(c, "rx", &rx)) return ND_ERR;
    int id = nd_uart_open(nd_pin_gpio(tx), nd_pin_gpio(rx), BAUD);
    if (id < 0) return nd_fail(c, "%s", nd_hal_error());
    uart = id;
    return ND_OK;
}

/* Everything the UART holds now (at most ND_UART_RX bytes). */
static int drain(nd_call *c, uint8_t *buf, size_t cap, size_t *n)
{
    *n = 0;
    for (;;) {
        int k = nd_uart_read(uart, buf + *n, cap - *n);
        if (k < 0) return nd_fail(c, "%s", nd_hal_error());
        if (k == 0 || (*n += (size_t)k) == cap) return ND_OK;
    }
}

static int f_read(nd_call *c)
{
    static uint8_t buf[ND_UART_RX];
    size_t n;
    if (open_uart(c) || drain(c, buf, sizeof buf, &n)) return ND_ERR;
    nd_ld2410_find(buf, n, &meas); /* none: the last measurement stays, as micrOS */
    nd_value *d = nd_ret_dict(c), *m = nd_dict(c->arena);
    if (!d || !m) return nd_fail(c, "memory allocation failed");
    const char *st = meas.state == 1 ? "moving" : meas.state == 3 ? "combined" : "n/a";
    const char *const keys[6] = {"state", "moving_distance", "moving_energy", "stationary_distance",
                                 "stationary_energy", "detection_distance"};
    const int vals[6] = {meas.state, meas.moving_distance, meas.moving_energy, meas.stationary_distance,
                         meas.stationary_energy, meas.detection_distance};
    for (int i = 0; i < 6; i++)
        if (nd_dict_set(c->arena, m, keys[i], nd_int(c->arena, vals[i]))) return nd_fail(c, "memory allocation failed");
    if (nd_dict_set(c->arena, d, "state", nd_str(c->arena, st)) || nd_dict_set(c->arena, d, "measure", m))
        return nd_fail(c, "memory allocation failed");
    return ND_OK;
}

static int f_firmware_version(nd_call *c)
{
    static uint8_t buf[ND_UART_RX];
    size_t n;
    static const uint8_t cmd[] = {0xfd, 0xfc, 0xfb, 0xfa, 0x02, 0x00, 0xa0, 0x00, 0x04, 0x03, 0x02, 0x01};
    if (open_uart(c) || drain(c, buf, sizeof buf, &n)) return ND_ERR; /* old reports out of the way */
    if (nd_uart_write(uart, cmd, sizeof cmd) < 0) return nd_fail(c, "%s", nd_hal_error());
    if (drain(c, buf, sizeof buf, &n)) return ND_ERR;
    /* the acknowledgement frame among what arrived (report frames may surround it) */
    for (size_t i = 0; i + 10 <= n; i++) {
        if (memcmp(buf + i, "\xfd\xfc\xfb\xfa", 4) != 0) continue;
        size_t len = 4 + 2 + (size_t)(buf[i + 4] | buf[i + 5] << 8) + 4;
        if (i + len > n) break;
        nd_buf b;
        nd_buf_init(&b, 128);
        nd_buf_printf(&b, "hex: %02x", buf[i]);
        for (size_t k = 1; k < len; k++) nd_buf_printf(&b, " %02x", buf[i + k]);
        int rc = nd_ret_str(c, "%s", nd_buf_cstr(&b));
        nd_buf_free(&b);
        return rc;
    }
    return nd_ret_str(c, "<no data>");
}

static int f_serial_flush(nd_call *c)
{
    static uint8_t buf[ND_UART_RX];
    size_t n;
    if (open_uart(c) || drain(c, buf, sizeof buf, &n)) return ND_ERR;
    /* Python's repr of the bytes micrOS's ser.read() returns */
    nd_buf b;
    nd_buf_init(&b, 4 * n + 4);
    nd_buf_puts(&b, "b'");
    for (size_t i = 0; i < n; i++) {
        uint8_t x = buf[i];
        if (x == '\\' || x == '\'') nd_buf_printf(&b, "\\%c", x);
        else if (x == '\t') nd_buf_puts(&b, "\\t");
        else if (x == '\n') nd_buf_puts(&b, "\\n");
        else if (x == '\r') nd_buf_puts(&b, "\\r");
        else if (x < 32 || x > 126) nd_buf_printf(&b, "\\x%02x", x);
        else nd_buf_printf(&b, "%c", x);
    }
    nd_buf_puts(&b, "'");
    int rc = nd_ret_str(c, "%s", nd_buf_cstr(&b));
    nd_buf_free(&b);
    return rc;
}

static int f_pinmap(nd_call *c)
{
    static const char *const tags[] = {"tx", "rx", NULL};
    return nd_pin_ret_map(c, tags);
}

static const nd_func funcs[] = {
    ND_FUNC("read", f_read, "", "TEXTBOX read"),
    ND_FUNC("firmware_version", f_firmware_version, "", "firmware_version"),
    ND_FUNC("serial_flush", f_serial_flush, "", "serial_flush"),
    ND_FUNC("pinmap", f_pinmap, "", "pinmap"),
    ND_FUNCS_END,
};

const nd_module nd_mod_ld2410 = {"ld2410", funcs, NULL, "HLK-LD2410 presence radar (UART)"};
