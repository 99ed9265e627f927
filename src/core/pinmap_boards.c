/*
** pinmap_boards.c -- the board tables, as data.
**
** The ESP32-family, rp2 and tinypico tables are micrOS's IO_<board>.py with
** the same logical names (note micrOS's spelling of the RGB channels:
** redgb, rgreenb, rgbue) and the same numbers, so a pin map that works on
** micrOS works here. Names micrOS implements as functions (the on-board
** addressable `builtin` LED of esp32s3 and tinypico) are given the data pin
** of that LED (esp32s3: 38) or left out (tinypico's DotStar needs SPI).
**
** `rpi` is a Raspberry Pi 40-pin header in BCM GPIO numbers; it has no ADC
** and its hardware PWM exists only on GPIO 12/13/18/19 (two channels), so
** several PWM names share channels -- the booking table catches conflicts.
**
** `sim` is the simulated board: its names and numbers are the sim backend's
** wiring table (nd_sim_wiring, hal.h), read here rather than copied, so the
** map and the simulated devices cannot drift apart.
**
** A board's image needs only its own map: ND_PINMAP_BOARDS (pinmap.h) picks
** the tables built in, and `known_maps`, the `board` check and cstmpmap's
** map names then know only those (an unknown map falls back to `sim`, as
** on Linux). The Linux node has them all.
*/
#include <stddef.h>
#include <string.h>

#include "nodus/hal.h"
#include "pinmap.h"

#define END {NULL, 0}

#if ND_PINMAP_BOARDS & ND_PINMAP_ESP32
static const nd_pin_def esp32[] = {
    {"builtin", 2},    {"redgb", 14},      {"rgreenb", 12},    {"rgbue", 15},
    {"wwhite", 27},    {"cwhite", 26},     {"neop", 15},       {"servo_1", 27},
    {"servo_2", 12},   {"switch_1", 26},   {"switch_2", 14},   {"switch_3", 27},
    {"switch_4", 25},  {"dim_1", 33},      {"l298speed", 32},  {"l298dir_1", 33},
    {"l298dir_2", 25}, {"l9110dir_1", 33}, {"l9110dir_2", 25}, {"buzzer", 33},
    {"stppr_1", 33},   {"stppr_2", 25},    {"stppr_3", 26},    {"stppr_4", 27},
    {"i2c_sda", 21},   {"i2c_scl", 22},    {"i2s_sck", 26},    {"i2s_ws", 25},
    {"i2s_sd", 33},    {"irq1", 4},        {"irq2", 18},       {"irq3", 5},
    {"irq4", 13},      {"js_right", 4},    {"js_left", 18},    {"js_up", 5},
    {"js_down", 13},   {"js_press", 34},   {"touch_0", 13},    {"dhtpin", 32},
    {"co2", 35},       {"temp6000", 36},   {"ph", 39},         {"ds18", 19},
    {"mic", 39},       {"rot_dt", 13},     {"rot_clk", 12},    END,
};
#define B_ESP32 {"esp32", 39, esp32},
#define N_ESP32 "esp32 "
#else
#define B_ESP32
#define N_ESP32 ""
#endif

#if ND_PINMAP_BOARDS & ND_PINMAP_ESP32S2
static const nd_pin_def esp32s2[] = {
    {"builtin", 15},   {"redgb", 7},       {"rgreenb", 5},    {"rgbue", 3},
    {"wwhite", 12},    {"cwhite", 11},     {"neop", 18},      {"servo_1", 12},
    {"servo_2", 11},   {"switch_1", 40},   {"switch_2", 38},  {"switch_3", 36},
    {"switch_4", 34},  {"dim_1", 16},      {"l298speed", 6},  {"l298dir_1", 4},
    {"l298dir_2", 2},  {"l9110dir_1", 6},  {"l9110dir_2", 4}, {"buzzer", 10},
    {"stppr_1", 1},    {"stppr_2", 2},     {"stppr_3", 4},    {"stppr_4", 6},
    {"i2c_sda", 18},   {"i2c_scl", 16},    {"irq1", 39},      {"irq2", 37},
    {"irq3", 35},      {"irq4", 33},       {"js_right", 39},  {"js_left", 37},
    {"js_up", 35},     {"js_down", 33},    {"js_press", 34},  {"dhtpin", 17},
    {"co2", 13},       {"temp6000", 10},   {"ph", 1},         {"ds18", 21},
    {"mic", 14},       {"rot_dt", 33},     {"rot_clk", 35},   END,
};
#define B_ESP32S2 {"esp32s2", 46, esp32s2},
#define N_ESP32S2 "esp32s2 "
#else
#define B_ESP32S2
#define N_ESP32S2 ""
#endif

#if ND_PINMAP_BOARDS & ND_PINMAP_ESP32S3
static const nd_pin_def esp32s3[] = {
    {"builtin", 38},   {"redgb", 37},      {"rgreenb", 36},   {"rgbue", 35},
    {"wwhite", 40},    {"cwhite", 39},     {"neop", 6},       {"servo_1", 4},
    {"servo_2", 5},    {"switch_1", 6},    {"switch_2", 7},   {"switch_3", 15},
    {"switch_4", 16},  {"dim_1", 17},      {"l298speed", 18}, {"l298dir_1", 8},
    {"l298dir_2", 3},  {"l9110dir_1", 46}, {"l9110dir_2", 9}, {"buzzer", 2},
    {"stppr_1", 43},   {"stppr_2", 44},    {"stppr_3", 1},    {"stppr_4", 2},
    {"i2c_sda", 42},   {"i2c_scl", 41},    {"i2s_sck", 42},   {"i2s_ws", 41},
    {"i2s_sd", 21},    {"irq1", 45},       {"irq2", 48},      {"irq3", 47},
    {"irq4", 21},      {"js_right", 45},   {"js_left", 48},   {"js_up", 47},
    {"js_down", 21},   {"js_press", 20},   {"touch_0", 0},    {"dhtpin", 20},
    {"co2", 14},       {"temp6000", 13},   {"ph", 12},        {"ds18", 35},
    {"mic", 5},        END,
};
#define B_ESP32S3 {"esp32s3", 48, esp32s3},
#define N_ESP32S3 "esp32s3 "
#else
#define B_ESP32S3
#define N_ESP32S3 ""
#endif

#if ND_PINMAP_BOARDS & ND_PINMAP_ESP32C3
static const nd_pin_def esp32c3[] = {
    {"builtin", -8},  {"redgb", 4},     {"rgreenb", 3},   {"rgbue", 2},     {"wwhite", 1},
    {"cwhite", 0},    {"neop", 7},      {"servo_1", 6},   {"servo_2", 7},   {"switch_1", 8},
    {"switch_2", 9},  {"switch_3", 10}, {"switch_4", 20}, {"dim_1", 21},    {"buzzer", 0},
    {"irq1", 5},      {"irq2", 6},      {"irq3", 7},      {"irq4", 8},      {"js_right", 5},
    {"js_left", 6},   {"js_up", 7},     {"js_down", 8},   {"js_press", 20}, {"i2c_sda", 8},
    {"i2c_scl", 9},   {"tx", 21},       {"rx", 20},       {"ds18", 10},     {"dhtpin", 2},
    END,
};
#define B_ESP32C3 {"esp32c3", 21, esp32c3},
#define N_ESP32C3 "esp32c3 "
#else
#define B_ESP32C3
#define N_ESP32C3 ""
#endif

#if ND_PINMAP_BOARDS & ND_PINMAP_ESP32C6
/* Seeed Studio XIAO ESP32-C6 */
static const nd_pin_def esp32c6[] = {
    {"builtin", -15}, {"i2c_sda", 22}, {"i2c_scl", 23}, {"irq1", 21},
    {"irq2", 2},      {"irq3", 1},     {"irq4", 0},     {"neop", 18},
    END,
};
#define B_ESP32C6 {"esp32c6", 30, esp32c6},
#define N_ESP32C6 "esp32c6 "
#else
#define B_ESP32C6
#define N_ESP32C6 ""
#endif

#if ND_PINMAP_BOARDS & ND_PINMAP_RP2
/* Raspberry Pi Pico W: micrOS maps only the LED (on the CYW43 radio). */
static const nd_pin_def rp2[] = {
    {"builtin", ND_PIN_LED},
    END,
};
#define B_RP2 {"rp2", 29, rp2},
#define N_RP2 "rp2 "
#else
#define B_RP2
#define N_RP2 ""
#endif

#if ND_PINMAP_BOARDS & ND_PINMAP_TINYPICO
static const nd_pin_def tinypico[] = {
    {"redgb", 25},      {"rgreenb", 26},  {"rgbue", 27},      {"wwhite", 15},
    {"cwhite", 14},     {"neop", 26},     {"servo_1", 14},    {"servo_2", 4},
    {"switch_1", 18},   {"switch_2", 19}, {"dim_1", 4},       {"l298speed", 5},
    {"l298dir_1", 18},  {"l298dir_2", 19}, {"l9110dir_1", 18}, {"l9110dir_2", 19},
    {"buzzer", 33},     {"haptic", 32},   {"i2c_sda", 21},    {"i2c_scl", 22},
    {"trackball_int", 25}, {"irq1", 5},   {"irq2", 18},       {"irq3", 19},
    {"irq4", 23},       {"js_right", 23}, {"js_left", 5},     {"js_up", 18},
    {"js_down", 19},    {"js_press", 32}, {"touch_0", 32},    {"dhtpin", 32},
    {"co2", 33},        {"temp6000", 32}, {"ph", 32},         {"ds18", 19},
    {"bat_volt", 35},   {"bat_stat", 34}, END,
};
#define B_TINYPICO {"tinypico", 39, tinypico},
#define N_TINYPICO "tinypico "
#else
#define B_TINYPICO
#define N_TINYPICO ""
#endif

#if ND_PINMAP_BOARDS & ND_PINMAP_RPI
/* Raspberry Pi 40-pin header, BCM numbering. I2C-1 on 2/3, 1-Wire on 4,
** hardware PWM on 12/13/18/19; `builtin` is an LED the user wires to 17. */
static const nd_pin_def rpi[] = {
    {"builtin", 17},  {"i2c_sda", 2},   {"i2c_scl", 3},   {"dhtpin", 4},
    {"ds18", 4},      {"irq1", 5},      {"irq2", 6},      {"irq3", 16},
    {"irq4", 26},     {"neop", 18},     {"redgb", 12},    {"rgreenb", 13},
    {"rgbue", 19},    {"cwhite", 12},   {"wwhite", 13},   {"dim_1", 13},
    {"servo_1", 12},  {"servo_2", 13},  {"buzzer", 19},   {"switch_1", 22},
    {"switch_2", 23}, {"switch_3", 24}, {"switch_4", 25}, {"tx", 14},
    {"rx", 15},       END,
};
#define B_RPI {"rpi", 27, rpi},
#define N_RPI "rpi "
#else
#define B_RPI
#define N_RPI ""
#endif

/* `known_maps` order; `sim` is always in: it is the `board` key's default
** and the map an unknown name falls back to. */
static const nd_board boards[] = {
    B_ESP32 B_ESP32S2 B_ESP32S3 B_ESP32C3 B_ESP32C6 B_RP2 B_TINYPICO B_RPI {"sim", 39, NULL},
};

const nd_board *nd_board_at(size_t i)
{
    return i < sizeof boards / sizeof boards[0] ? &boards[i] : NULL;
}

const nd_board *nd_board_find(const char *name)
{
    for (size_t i = 0; i < sizeof boards / sizeof boards[0]; i++)
        if (strcmp(boards[i].name, name) == 0) return &boards[i];
    return NULL;
}

bool nd_board_pin_at(const nd_board *b, size_t i, const char **name, int *pin)
{
    if (!b->pins) { /* sim: the backend's wiring table */
        if (!ND_WITH_SIM) return false; /* not in this image */
        const nd_sim_wire *w = nd_sim_wiring();
        for (size_t k = 0; k < i; k++)
            if (!w[k].name) return false;
        if (!w[i].name) return false;
        *name = w[i].name;
        *pin = w[i].pin;
        return true;
    }
    for (size_t k = 0; k < i; k++)
        if (!b->pins[k].name) return false;
    if (!b->pins[i].name) return false;
    *name = b->pins[i].name;
    *pin = b->pins[i].pin;
    return true;
}

const char *nd_pinmap_check_board(const char *name)
{
    return nd_board_find(name) ? NULL
                               : "board must be one of " N_ESP32 N_ESP32S2 N_ESP32S3 N_ESP32C3
                                 N_ESP32C6 N_RP2 N_TINYPICO N_RPI "sim";
}

bool nd_board_pin(const nd_board *b, const char *name, int *pin)
{
    const char *n;
    int p;
    for (size_t i = 0; nd_board_pin_at(b, i, &n, &p); i++)
        if (strcmp(n, name) == 0) {
            *pin = p;
            return true;
        }
    return false;
}
