/*
** hal.h -- the hardware API for Load Modules: GPIO, PWM, ADC, I2C, pixel
** strips, the DHT single-wire sensor, 1-Wire and UART.
**
** Modules reach hardware only through these functions; the backend behind
** them is chosen at start by the config key `hwbackend`:
**   sim    (default) a virtual board in memory (src/core/hal_sim.c) with real
**          device behaviour: buttons, LEDs, a DHT22, a BME280 on I2C, a WS2812
**          strip, servos, a light sensor, and the device shelf's parts
**          (sim_shelf.c: DS18B20s, AHT10, VEML7700, SSD1306, LD2410 radar,
**          encoder, stepper and motor observers). Drive and inspect it with
**          the `sim` module (`sim pins`, `sim set 4 1`, `sim i2c` ...) or the
**          /sim page.
**   linux  the kernel's GPIO character device (v2 uAPI), /dev/i2c-N and sysfs
**          PWM (src/port/posix/hal_linux.c), the w1 subsystem (w1_linux.c) and
**          ttys (uart_linux.c). Untested on real hardware.
**
** Pins are the board's GPIO numbers (what a pin map resolves `builtin`,
** `neop` ... to). Every call returns ND_OK (or a non-negative result) or a
** negative ND_E* code from value.h; after a failure nd_hal_error() holds a
** one-line message for the user ("pin 48 is not on board sim (0..39)"), so
** a module can simply write
**     if ((rc = nd_gpio_write(pin, 1)) < 0) return nd_fail(c, "%s", nd_hal_error());
** Codes: ND_EINVAL unknown pin / value out of range, ND_ENOTFOUND no such
** bus or device, ND_EIO the device did not answer (I2C NACK, DHT timeout or
** checksum), ND_ELIMIT a table is full, ND_ETYPE the pin cannot do that
** (ADC on a pin without ADC, reading an output ...).
**
** Threading: all calls are made from the event loop; none blocks for more
** than a sensor transaction (DHT: ~5 ms on hardware). Edge events are queued
** by the backend into a bounded ring and delivered to watchers from the loop,
** never from an interrupt.
**
** --- note for the pin-map / device-module code --------------------------
** The sim board's wiring lives in ONE table, nd_sim_wiring() below (defined
** in src/core/hal_sim.c): logical name -> GPIO -> simulated device. The
** `sim` pin map must use the same numbers; build it from that table rather
** than copying the numbers. The IRQ subsystem resolves `irq1`..`irq4` with
** nd_hal_pin_lookup(); the pin map installs its resolver (cstmpmap aware)
** with nd_hal_set_resolver() before the hardware starts (node start).
** Sensor math shared with the modules (DHT frame decode, BME280
** compensation) is in nodus/sensors.h.
*/
#ifndef NODUS_HAL_H
#define NODUS_HAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nodus/value.h"

struct nd_node;

/* Last error message of a hal call on this node ("" when none). */
const char *nd_hal_error(void);
/* Name of the active backend: "sim" or "linux". */
const char *nd_hal_backend(void);
/* Highest GPIO number of the active board (sim: 39). */
int nd_hal_pin_max(void);

/* ---- pin names ---------------------------------------------------------- */
/* Resolve a logical pin name ("irq1", "builtin", or a plain number "4") to a
** GPIO number. ND_ENOTFOUND when the name is unknown. Uses the installed
** resolver; without one, plain numbers and the sim wiring table. */
typedef int (*nd_pin_resolver)(struct nd_node *n, const char *name, int *pin);
void nd_hal_set_resolver(nd_pin_resolver fn);
int nd_hal_pin_lookup(struct nd_node *n, const char *name, int *pin);

/* ---- GPIO ------------------------------------------------------------- */
enum { ND_GPIO_IN = 0, ND_GPIO_OUT = 1 };
enum { ND_PULL_NONE = 0, ND_PULL_UP = 1, ND_PULL_DOWN = 2 };
enum { ND_EDGE_RISING = 1, ND_EDGE_FALLING = 2, ND_EDGE_BOTH = 3 };

/* Configure a pin (also releases PWM on it). */
int nd_gpio_mode(int pin, int mode, int pull);
/* Drive an output: level 0 or 1 (anything else is ND_EINVAL). A pin never
** configured becomes an output on first write, as MicroPython's Pin(OUT). */
int nd_gpio_write(int pin, int level);
/* Read a pin's level: 0 or 1, or a negative error. Outputs read back the
** driven level. */
int nd_gpio_read(int pin);

/* An edge, delivered from the loop. t_us is the monotonic time (port clock,
** microseconds) at which the backend saw the edge; level is the new level. */
typedef struct nd_gpio_event {
    int pin;
    int level;
    uint64_t t_us;
} nd_gpio_event;
typedef void (*nd_gpio_fn)(void *ud, const nd_gpio_event *ev);

#define ND_GPIO_WATCH_MAX 16   /* watchers on the whole board */
#include "nodus/opts.h" /* ND_GPIO_RING: queued edges; more are dropped and counted */

/* Call fn for every raw edge of `edges` (ND_EDGE_*) on an input pin. No
** debouncing here (see nodus/debounce.h). ND_ELIMIT when all watcher slots
** are used. Several watchers may share a pin. */
int nd_gpio_watch(int pin, int edges, nd_gpio_fn fn, void *ud);
/* Remove every watch with this fn/ud on the pin (pin < 0: on all pins). */
void nd_gpio_unwatch(int pin, nd_gpio_fn fn, void *ud);
/* Edge queue statistics since start. */
typedef struct nd_gpio_stats {
    uint64_t queued;    /* edges accepted into the ring */
    uint64_t delivered; /* edges handed to watchers */
    uint64_t dropped;   /* edges lost because the ring was full */
    uint32_t depth;     /* edges waiting now */
    uint32_t depth_max; /* high-water mark of the ring */
} nd_gpio_stats;
void nd_gpio_stats_get(nd_gpio_stats *st);

/* ---- PWM -------------------------------------------------------------- */
#define ND_PWM_DUTY_MAX 1023    /* duty is 0..1023 as MicroPython's duty() */
#define ND_PWM_FREQ_MAX 1000000 /* Hz; 1..ND_PWM_FREQ_MAX */

/* Start or change PWM: frequency in Hz and duty 0..1023 (ND_EINVAL outside;
** callers clamp if their function documents clamping). */
int nd_pwm_set(int pin, uint32_t freq_hz, uint32_t duty);
/* Current frequency and duty; ND_ETYPE when the pin is not running PWM. */
int nd_pwm_get(int pin, uint32_t *freq_hz, uint32_t *duty);
/* Stop PWM; the pin becomes a low output. */
int nd_pwm_stop(int pin);

/* ---- ADC -------------------------------------------------------------- */
#define ND_ADC_MAX 4095     /* raw readings are 0..4095 on every backend */
#define ND_ADC_VREF_MV 3300 /* full scale in millivolts */
/* Read a raw sample 0..ND_ADC_MAX, or ND_ETYPE on a pin without ADC. */
int nd_adc_read(int pin);

/* ---- I2C -------------------------------------------------------------- */
/* The bus wired to these pins (sim: sda 21 / scl 22 is bus 0; linux: the
** Raspberry Pi header's 2/3 is /dev/i2c-1). Returns the bus number or
** ND_ENOTFOUND. */
int nd_i2c_bus(int sda, int scl);
/* Addresses (7-bit, 0x08..0x77) that ACK, ascending; returns how many were
** found (at most max are stored). */
int nd_i2c_scan(int bus, uint8_t *addrs, int max);
/* Write w (wn bytes) then, with a repeated start, read rn bytes into r.
** Either part may be empty. ND_EIO when the device does not ACK. */
int nd_i2c_xfer(int bus, uint8_t addr, const uint8_t *w, size_t wn, uint8_t *r, size_t rn);
/* Register helpers over nd_i2c_xfer (8-bit register address). */
int nd_i2c_reg_read(int bus, uint8_t addr, uint8_t reg, uint8_t *r, size_t n);
int nd_i2c_reg_write(int bus, uint8_t addr, uint8_t reg, const uint8_t *p, size_t n);

/* ---- addressable pixel strip (WS2812 / SK6812) ------------------------ */
#define ND_PIXEL_MAX 512 /* pixels on one strip */
/* Send a frame: n pixels of bpp bytes each (3: R,G,B or 4: R,G,B,W), in
** that order; the backend reorders for the wire (GRB). ND_EINVAL for bpp
** other than 3/4 or n > ND_PIXEL_MAX. */
int nd_pixel_show(int pin, const uint8_t *rgbw, size_t n, int bpp);

/* ---- DHT11/DHT22 single-wire sensor ---------------------------------- */
/* Run one transaction: start pulse, then the sensor's 40-bit frame (5
** bytes: hum hi, hum lo, temp hi, temp lo, checksum). The frame is returned
** raw -- decode and checksum with nd_dht_decode (sensors.h). ND_EIO when the
** sensor does not answer. */
int nd_dht_read(int pin, uint8_t frame[5]);

/* ---- 1-Wire (DS18B20 ...) --------------------------------------------- */
/* One bus per data pin. ROM codes are 64-bit: family code in the low byte,
** 48-bit serial, CRC-8 in the high byte (the order they come off the wire).
** Linux: the kernel's w1 master (w1-gpio overlay: whatever pin it was set
** up on) -- devices are /sys/bus/w1/devices/<ff>-<serial>; the byte-level
** transaction below is mapped onto the w1_therm sysfs files for the DS18B20
** command set (convert 0x44, read scratchpad 0xBE), see hal_linux.c. */
#define ND_OW_DEV_MAX 8 /* devices found per search */
/* Search the bus: up to max ROM codes (ascending), returns how many. ND_EIO
** when nothing answers the reset pulse (no presence). */
int nd_ow_search(int pin, uint64_t *roms, int max);
/* One transaction: reset, MATCH ROM rom (0: SKIP ROM, all devices), write
** wn bytes, read rn bytes. ND_EIO without presence or for an unknown ROM. */
int nd_ow_xfer(int pin, uint64_t rom, const uint8_t *w, size_t wn, uint8_t *r, size_t rn);

/* ---- UART -------------------------------------------------------------- */
/* A serial port on pins tx/rx at baud (sim: tx 1 / rx 38, the LD2410 radar;
** linux: tx 14 / rx 15 -> /dev/serial0|ttyAMA0|ttyS0, any other pair ->
** /dev/ttyUSB0). Returns a port id >= 0 (the same id for the same pins).
** Reads never block: they return what has arrived (0: nothing yet). */
#define ND_UART_MAX 2     /* open ports */
#define ND_UART_RX 1024   /* receive ring per port; older bytes are dropped */
int nd_uart_open(int tx, int rx, uint32_t baud);
int nd_uart_write(int id, const uint8_t *p, size_t n);
int nd_uart_read(int id, uint8_t *p, size_t max);
void nd_uart_close(int id);

/* ---- simulated board (sim backend; the `sim` module and /sim use it) -- */
/* Simulated devices. */
enum {
    ND_SIM_NONE = 0,
    ND_SIM_LED,      /* an LED on an output (PWM dims it) */
    ND_SIM_BUTTON,   /* a push button on an input (pressed = 1, pull-down) */
    ND_SIM_STRIP,    /* WS2812 strip */
    ND_SIM_DHT22,    /* DHT22 on its single-wire pin */
    ND_SIM_SERVO,    /* hobby servo on PWM (50 Hz, 0.5..2.5 ms = 0..180 deg) */
    ND_SIM_LIGHT,    /* analog light sensor (ADC) */
    ND_SIM_BUZZER,   /* piezo buzzer (PWM frequency = tone) */
    ND_SIM_I2C_SDA,  /* I2C bus 0 data */
    ND_SIM_I2C_SCL,  /* I2C bus 0 clock */
    ND_SIM_ONEWIRE,  /* 1-Wire bus with DS18B20 sensors (sim_shelf.c) */
    ND_SIM_STEPPER,  /* a ULN2003 coil input of a 28BYJ-48 stepper */
    ND_SIM_MOTOR,    /* DC motor driver enable / PWM input (L298N, L9110, haptic) */
    ND_SIM_HBRIDGE,  /* H-bridge direction input */
    ND_SIM_ENCODER,  /* rotary encoder output (quadrature) */
    ND_SIM_UART_TX,  /* UART 0 (LD2410 radar) */
    ND_SIM_UART_RX,
    ND_SIM_MIC,      /* analog microphone amplifier (ADC level; presence mic=1) */
};
/* One wire of the sim board: pin-map name, GPIO, device. Small fields: the
** table sits in flash, and the sim board's GPIOs are 0..39 (-1 ends it). */
typedef struct nd_sim_wire {
    const char *name; /* micrOS pin-map name: "builtin", "irq1", "neop", "dhtpin" ... */
    int8_t pin;
    uint8_t device;   /* ND_SIM_* */
} nd_sim_wire;
/* The sim board's wiring table (terminated by name == NULL). */
const nd_sim_wire *nd_sim_wiring(void);
const char *nd_sim_device_name(int device); /* "led", "button" ... */

/* Control API for tests, the `sim` module and the /sim page. All fail with
** ND_ETYPE when the sim backend is not active. */
/* Drive an input pin externally (a button, a signal generator): a change of
** level queues an edge exactly as a real interrupt would. */
int nd_sim_drive(int pin, int level);
/* Queue n alternating edges on an input spaced us_apart microseconds in
** their time stamps, as a bouncing contact or noise would produce. Edges the
** ring cannot take are dropped and counted. Returns the edges queued. */
int nd_sim_burst(int pin, int n, uint32_t us_apart);
/* Sensor values and faults. */
int nd_sim_dht_set(double temp_c, double rh, int bad_frames); /* bad_frames: next N reads have a wrong checksum; -1: sensor silent */
int nd_sim_bme280_set(double temp_c, double hpa, double rh);
int nd_sim_bme280_present(bool present); /* absent: the address NACKs */
int nd_sim_light_set(int raw);          /* 0..ND_ADC_MAX */
int nd_sim_mic_set(int raw);            /* the microphone's ADC level, 0..ND_ADC_MAX */
/* The device shelf's models (sim_shelf.c; the `sim` module's shelf calls). */
int nd_sim_dht_model(int type);          /* the dhtpin sensor is a DHT11 or DHT22 */
int nd_sim_ds18_set(int idx, double temp_c, bool present); /* sensor 0..ND_SIM_DS18_N-1 */
#define ND_SIM_DS18_N 2
int nd_sim_aht10_set(double temp_c, double rh, bool present);
int nd_sim_veml7700_set(int als_counts, bool present); /* raw ALS register 0..65535 */
int nd_sim_radar_set(int state, int move_cm, int move_energy, int still_cm, int still_energy,
                     int detect_cm);     /* LD2410 report contents; state 0..3 */
int nd_sim_rotate(int steps);            /* encoder: +cw / -ccw detents, as edges */
int nd_sim_oled_present(bool present);
/* One part of nd_sim_state's snapshot ("dht22", "ds18", "oled" ...), built alone. */
int nd_sim_part(nd_arena *a, const char *key, nd_value **out);
/* Snapshot of the whole board as a value tree (pins, devices, strip,
** servos, sensors, edge statistics) for `sim state` and /sim. */
int nd_sim_state(nd_arena *a, nd_value **out);

/* ---- external interrupts irq1..irq4 (core, config driven) ------------- */
/* State of the four interrupts, the edge queue and the edge-to-callback
** latency (microseconds, last 1024 fires) as a dict for `sim irq`. */
int nd_irq_info(struct nd_node *n, nd_arena *a, nd_value **out);

/* ---- backend selection (node start; internal users only) --------------- */
/* Select and open a backend by name ("sim", "linux"). ND_ENOTFOUND for an
** unknown name; on a port without real hardware "linux" fails with a message
** and the node stays on sim. */
int nd_hal_open(const char *backend);
void nd_hal_close(void);

#endif
