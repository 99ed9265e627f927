/*
** board_desc.h -- board files: what a board is, beside its pin map
** (pinmap_boards.c), one description per built-in map, selected by the
** same `board` key (upyOS: etc/boards/NAME.board; docs: README "Board files
** and lshw"). Compiled in as data: no file to lose or parse at boot.
**
** One unit per field, named in the field: GPIO numbers (a negative GPIO is
** an active-low line, as in the pin maps), clock in MHz, memory in KiB.
** A GPIO of ND_BOARD_NONE means "not on this board". The bus pins and LED
** pins are GPIO numbers too -- never header pin numbers (upyOS mixes both).
*/
#ifndef ND_BOARD_DESC_H
#define ND_BOARD_DESC_H

#include <stdbool.h>

#define ND_BOARD_NONE (-1000)
#define ND_BOARD_BUSES 3 /* instances per bus kind */

typedef struct nd_board_i2c { int sda_gpio, scl_gpio; const char *dev; } nd_board_i2c;
typedef struct nd_board_spi { int mosi_gpio, miso_gpio, sck_gpio, cs_gpio; const char *dev; } nd_board_spi;
typedef struct nd_board_uart { int tx_gpio, rx_gpio; const char *dev; } nd_board_uart;

typedef struct nd_board_desc {
    const char *map;        /* the pin map / `board` value it describes */
    /* identity */
    const char *name;       /* "ESP32-DevKitC" */
    const char *vendor;     /* "Espressif" */
    const char *text;       /* one-line note */
    /* MCU / CPU */
    const char *arch;       /* "xtensa", "riscv32", "armv6-m", "aarch64"; NULL: the host's */
    const char *cpu;        /* "ESP32 (Xtensa LX6)" */
    int cores;              /* 0: the host's */
    int clock_mhz;          /* nominal; 0: the host's (nd_port_cpu_mhz) */
    int ram_kib;            /* on-chip SRAM; 0: the host's memory */
    int flash_kib;          /* 0: none / not fixed */
    /* capabilities */
    bool wifi, bt, eth, rtc, temp, usb;
    /* buses (n* used entries) */
    nd_board_i2c i2c[ND_BOARD_BUSES];
    int ni2c;
    nd_board_spi spi[ND_BOARD_BUSES];
    int nspi;
    nd_board_uart uart[ND_BOARD_BUSES];
    int nuart;
    /* LEDs: GPIO of the on-board LED (negative: active low; ND_PIN_LED: on
    ** the radio chip) and of an on-board addressable RGB LED */
    int led_gpio;
    int rgb_gpio;
} nd_board_desc;

/* The description of a pin map by name; NULL for an unknown one. */
const nd_board_desc *nd_board_desc_find(const char *map);
const nd_board_desc *nd_board_desc_at(int i); /* NULL past the end */

#endif
