/*
** board_desc.c -- the built-in board files (board_desc.h): one per pin map
** in pinmap_boards.c. Facts are the vendors' datasheet defaults (UART0
** console pins, the default I2C/SPI pins the micrOS maps use, on-board LED);
** where a board does not fix something it is left out rather than guessed.
*/
#include "board_desc.h"

#include <string.h>

#include "nodus/pins.h" /* ND_PIN_LED */

#define NONE ND_BOARD_NONE

static const nd_board_desc descs[] = {
    {.map = "esp32", .name = "ESP32-DevKitC (WROOM-32)", .vendor = "Espressif",
     .text = "the classic dual-core ESP32 module",
     .arch = "xtensa", .cpu = "ESP32 (Xtensa LX6)", .cores = 2, .clock_mhz = 240, .ram_kib = 520,
     .flash_kib = 4096, .wifi = true, .bt = true, .rtc = true, .temp = true, .usb = false,
     .i2c = {{21, 22, NULL}}, .ni2c = 1,
     .spi = {{23, 19, 18, 5, NULL}}, .nspi = 1,
     .uart = {{1, 3, NULL}, {17, 16, NULL}}, .nuart = 2,
     .led_gpio = 2, .rgb_gpio = NONE},
    {.map = "esp32s2", .name = "ESP32-S2-Saola-1", .vendor = "Espressif",
     .text = "single-core ESP32-S2, native USB, no Bluetooth",
     .arch = "xtensa", .cpu = "ESP32-S2 (Xtensa LX7)", .cores = 1, .clock_mhz = 240, .ram_kib = 320,
     .flash_kib = 4096, .wifi = true, .rtc = true, .temp = true, .usb = true,
     .i2c = {{18, 16, NULL}}, .ni2c = 1,
     .spi = {{35, 37, 36, 34, NULL}}, .nspi = 1,
     .uart = {{43, 44, NULL}}, .nuart = 1,
     .led_gpio = 15, .rgb_gpio = NONE},
    {.map = "esp32s3", .name = "ESP32-S3-DevKitC-1", .vendor = "Espressif",
     .text = "dual-core ESP32-S3, native USB, BLE",
     .arch = "xtensa", .cpu = "ESP32-S3 (Xtensa LX7)", .cores = 2, .clock_mhz = 240, .ram_kib = 512,
     .flash_kib = 8192, .wifi = true, .bt = true, .rtc = true, .temp = true, .usb = true,
     .i2c = {{42, 41, NULL}}, .ni2c = 1,
     .spi = {{11, 13, 12, 10, NULL}}, .nspi = 1,
     .uart = {{43, 44, NULL}}, .nuart = 1,
     .led_gpio = 38, .rgb_gpio = NONE},
    {.map = "esp32c3", .name = "ESP32-C3 SuperMini", .vendor = "Espressif (various makers)",
     .text = "single-core RISC-V ESP32-C3, LED active low on GPIO 8",
     .arch = "riscv32", .cpu = "ESP32-C3 (RISC-V RV32IMC)", .cores = 1, .clock_mhz = 160,
     .ram_kib = 400, .flash_kib = 4096, .wifi = true, .bt = true, .rtc = true, .temp = true,
     .usb = true,
     .i2c = {{8, 9, NULL}}, .ni2c = 1,
     .uart = {{21, 20, NULL}}, .nuart = 1,
     .led_gpio = -8, .rgb_gpio = NONE},
    {.map = "esp32c6", .name = "XIAO ESP32-C6", .vendor = "Seeed Studio",
     .text = "RISC-V ESP32-C6: Wi-Fi 6, BLE, 802.15.4; LED active low on GPIO 15",
     .arch = "riscv32", .cpu = "ESP32-C6 (RISC-V RV32IMAC)", .cores = 1, .clock_mhz = 160,
     .ram_kib = 512, .flash_kib = 4096, .wifi = true, .bt = true, .rtc = true, .temp = true,
     .usb = true,
     .i2c = {{22, 23, NULL}}, .ni2c = 1,
     .uart = {{16, 17, NULL}}, .nuart = 1,
     .led_gpio = -15, .rgb_gpio = NONE},
    {.map = "rp2", .name = "Raspberry Pi Pico W", .vendor = "Raspberry Pi",
     .text = "RP2040 with a CYW43439 radio; the LED hangs on the radio chip",
     .arch = "armv6-m", .cpu = "RP2040 (Cortex-M0+)", .cores = 2, .clock_mhz = 133, .ram_kib = 264,
     .flash_kib = 2048, .wifi = true, .bt = true, .rtc = true, .temp = true, .usb = true,
     .i2c = {{4, 5, NULL}}, .ni2c = 1,
     .spi = {{19, 16, 18, 17, NULL}}, .nspi = 1,
     .uart = {{0, 1, NULL}}, .nuart = 1,
     .led_gpio = ND_PIN_LED, .rgb_gpio = NONE},
    {.map = "tinypico", .name = "TinyPICO", .vendor = "Unexpected Maker",
     .text = "ESP32-PICO-D4 with 4 MB PSRAM and an APA102 RGB LED",
     .arch = "xtensa", .cpu = "ESP32-PICO-D4 (Xtensa LX6)", .cores = 2, .clock_mhz = 240,
     .ram_kib = 520, .flash_kib = 4096, .wifi = true, .bt = true, .rtc = true, .temp = true,
     .i2c = {{21, 22, NULL}}, .ni2c = 1,
     .spi = {{23, 19, 18, 5, NULL}}, .nspi = 1,
     .uart = {{1, 3, NULL}}, .nuart = 1,
     .led_gpio = NONE, .rgb_gpio = 2},
    {.map = "rpi", .name = "Raspberry Pi (40-pin header)", .vendor = "Raspberry Pi",
     .text = "a Linux host; BCM GPIO numbers, buses through /dev",
     .arch = NULL, .cpu = "Broadcom BCM27xx (Cortex-A)", .cores = 0, .clock_mhz = 0,
     .wifi = true, .bt = true, .eth = true, .usb = true,
     .i2c = {{2, 3, "/dev/i2c-1"}}, .ni2c = 1,
     .spi = {{10, 9, 11, 8, "/dev/spidev0.0"}}, .nspi = 1,
     .uart = {{14, 15, "/dev/serial0"}}, .nuart = 1,
     .led_gpio = 17, .rgb_gpio = NONE},
    {.map = "sim", .name = "nodus simulated board", .vendor = "nodus",
     .text = "the host with simulated pins and devices (hal sim backend)",
     .arch = NULL, .cpu = NULL, .cores = 0, .clock_mhz = 0, .rtc = true,
     .led_gpio = NONE, .rgb_gpio = NONE},
};

#define NDESCS ((int)(sizeof descs / sizeof descs[0]))

const nd_board_desc *nd_board_desc_at(int i) { return i >= 0 && i < NDESCS ? &descs[i] : NULL; }

const nd_board_desc *nd_board_desc_find(const char *map)
{
    for (int i = 0; map && i < NDESCS; i++)
        if (!strcmp(descs[i].map, map)) return &descs[i];
    return NULL;
}
