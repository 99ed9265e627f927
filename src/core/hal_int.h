/*
** hal_int.h -- what a hardware backend implements (hal.h is what modules
** call). hal.c checks pin numbers and value ranges once, keeps the edge ring
** and the watchers, and forwards the rest to the active backend's table.
** Backends: hal_sim.c (core, always there) and the port's (nd_port_hal).
*/
#ifndef ND_HAL_INT_H
#define ND_HAL_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nodus/hal.h"

typedef struct nd_hal_ops {
    const char *name;
    int pin_max;                                /* GPIOs are 0..pin_max */
    int (*open)(void);                          /* ND_OK or fail (message set) */
    void (*close)(void);
    int (*gpio_mode)(int pin, int mode, int pull);
    int (*gpio_write)(int pin, int level);
    int (*gpio_read)(int pin);
    /* Enable edge detection (ND_EDGE_* mask, 0 = off); edges go to nd_hal_edge_push. */
    int (*gpio_edges)(int pin, int edges);
    int (*pwm_set)(int pin, uint32_t freq, uint32_t duty);
    int (*pwm_get)(int pin, uint32_t *freq, uint32_t *duty);
    int (*pwm_stop)(int pin);
    int (*adc_read)(int pin);
    int (*i2c_bus)(int sda, int scl);
    int (*i2c_scan)(int bus, uint8_t *addrs, int max);
    int (*i2c_xfer)(int bus, uint8_t addr, const uint8_t *w, size_t wn, uint8_t *r, size_t rn);
    int (*pixel_show)(int pin, const uint8_t *rgbw, size_t n, int bpp);
    int (*dht_read)(int pin, uint8_t frame[5]);
    int (*ow_search)(int pin, uint64_t *roms, int max);
    int (*ow_xfer)(int pin, uint64_t rom, const uint8_t *w, size_t wn, uint8_t *r, size_t rn);
    int (*uart_open)(int tx, int rx, uint32_t baud);
    int (*uart_write)(int id, const uint8_t *p, size_t n);
    int (*uart_read)(int id, uint8_t *p, size_t max);
    void (*uart_close)(int id);
} nd_hal_ops;


extern const nd_hal_ops nd_hal_sim_ops;
/* A backend named like `wanted` whose every call fails with `reason`
** (hal_down.c): what runs when the requested backend cannot open. */
const nd_hal_ops *nd_hal_down(const nd_hal_ops *wanted, const char *reason);
/* The image without any backend (ND_WITH_SIM 0 and none from the port):
** every call fails with "this image has no hardware backend". */
extern nd_hal_ops nd_hal_none_ops; /* hal_down.c's table; nd_hal_down renames it */

/* The image without any backend's answer: sets the message
** ("hwbackend none is not usable: this image has no hardware backend") and
** returns ND_EIO. Also what pins.c answers when there is no pin map
** (ND_WITH_HW 0). Inline, so that callers see the constant failure and
** drop what would follow a success (irq.c's set-up). */
void nd_hal_no_backend_msg(void);
static inline int nd_hal_no_backend(void)
{
    nd_hal_no_backend_msg();
    return ND_EIO;
}

/* Set the message nd_hal_error() returns and give back code (for `return`). */
int nd_hal_fail(int code, const char *fmt, ...);

/* The backend's interrupt bottom half: queue one edge. Never blocks, never
** allocates: when the ring is full the edge is dropped and counted
** (ND_ELIMIT). On a microcontroller this is the only call an ISR makes. */
int nd_hal_edge_push(int pin, int level, uint64_t t_us);
/* Loop side: are edges waiting; deliver at most `budget` of them to the
** watchers (returns how many). */
bool nd_hal_edges_pending(void);
int nd_hal_edges_dispatch(int budget);
/* The edge mask currently watched on a pin (union of watchers). */
int nd_hal_watched_edges(int pin);
/* Forget watchers and queued edges (backend switch, tests). */
void nd_hal_reset(void);

#endif
