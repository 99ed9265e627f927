/*
** test_nsh_cmd_board.c -- the board files (src/core/board_desc.c) that
** `lshw` prints: one per built-in pin map, every field filled with its unit,
** every GPIO inside the board's range, and consistent with the pin map
** where both name a pin (the I2C pins, the on-board LED).
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "board_desc.h"
#include "pinmap.h"

static void check_gpio(const nd_board *b, int g, const char *what)
{
    if (g == ND_BOARD_NONE || g == ND_PIN_LED) return;
    int a = g < 0 ? -g : g;
    if (a > b->max_gpio) fail_msg("%s: %s GPIO %d outside 0..%d", b->name, what, g, b->max_gpio);
}

static void test_one_per_pin_map(void **state)
{
    (void)state;
    int maps = 0;
    for (size_t i = 0; nd_board_at(i); i++, maps++) {
        const nd_board *b = nd_board_at(i);
        const nd_board_desc *d = nd_board_desc_find(b->name);
        if (!d) fail_msg("pin map %s has no board file", b->name);
        assert_string_equal(d->map, b->name);
        assert_true(d->name && d->name[0] && d->vendor && d->vendor[0] && d->text && d->text[0]);
        for (int k = 0; k < d->ni2c; k++) {
            check_gpio(b, d->i2c[k].sda_gpio, "i2c sda");
            check_gpio(b, d->i2c[k].scl_gpio, "i2c scl");
        }
        for (int k = 0; k < d->nspi; k++) {
            check_gpio(b, d->spi[k].mosi_gpio, "spi mosi");
            check_gpio(b, d->spi[k].miso_gpio, "spi miso");
            check_gpio(b, d->spi[k].sck_gpio, "spi sck");
            check_gpio(b, d->spi[k].cs_gpio, "spi cs");
        }
        for (int k = 0; k < d->nuart; k++) {
            check_gpio(b, d->uart[k].tx_gpio, "uart tx");
            check_gpio(b, d->uart[k].rx_gpio, "uart rx");
        }
        check_gpio(b, d->led_gpio, "led");
        check_gpio(b, d->rgb_gpio, "rgb");
        if (d->arch) { /* an MCU board: the chip's figures are fixed */
            assert_true(d->cores > 0 && d->clock_mhz > 0 && d->ram_kib > 0);
        }
        /* where the pin map names the I2C pins, the board file agrees */
        int sda, scl;
        if (b->pins && d->ni2c && nd_board_pin(b, "i2c_sda", &sda) && nd_board_pin(b, "i2c_scl", &scl)) {
            if (sda != d->i2c[0].sda_gpio || scl != d->i2c[0].scl_gpio)
                fail_msg("%s: i2c0 %d/%d, pin map %d/%d", b->name, d->i2c[0].sda_gpio,
                         d->i2c[0].scl_gpio, sda, scl);
        }
        int led;
        if (b->pins && d->led_gpio != ND_BOARD_NONE && nd_board_pin(b, "builtin", &led) &&
            led != d->led_gpio)
            fail_msg("%s: led_gpio %d, pin map builtin %d", b->name, d->led_gpio, led);
    }
    int descs = 0;
    while (nd_board_desc_at(descs)) descs++;
    assert_int_equal(descs, maps); /* no board file without a pin map */
    assert_null(nd_board_desc_find("nope"));
    assert_null(nd_board_desc_find(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_one_per_pin_map)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
