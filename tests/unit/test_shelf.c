/*
** test_shelf.c -- the device shelf's pure parts: 1-Wire CRC-8 against
** Maxim's published example, the DS18B20 scratchpad, the Linux w1 sysfs
** texts (the kernel's own w1_slave example), AHT10 and LD2410 frames, and
** the sim board's 1-Wire and UART models through the hal.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hal_int.h"
#include "nodus/sensors.h"

static void test_crc8(void **state)
{
    /* Maxim application note 27: ROM 02 1C B8 01 00 00 00 has CRC A2 */
    const uint8_t rom[8] = {0x02, 0x1C, 0xB8, 0x01, 0x00, 0x00, 0x00, 0xA2};
    assert_int_equal(nd_ow_crc8(rom, 7), 0xA2);
    assert_int_equal(nd_ow_crc8(rom, 8), 0); /* the CRC over data + CRC is 0 */
}

static void test_w1_slave_text(void **state)
{
    /* the example of the kernel's w1_therm documentation: 23.125 degC */
    uint8_t sp[9];
    double t;
    const char *ok = "72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n72 01 4b 46 7f ff 0e 10 57 t=23125\n";
    assert_int_equal(nd_w1_slave_parse(ok, sp), ND_OK);
    assert_int_equal(sp[0], 0x72);
    assert_int_equal(sp[8], 0x57);
    assert_int_equal(nd_ds18_decode(sp, &t), ND_OK);
    assert_true(t == 23.125);
    const char *bad = "72 01 4b 46 7f ff 0e 10 56 : crc=57 NO\n72 01 4b 46 7f ff 0e 10 56 t=23125\n";
    assert_int_equal(nd_w1_slave_parse(bad, sp), ND_EIO);
    assert_int_equal(nd_ds18_decode(sp, &t), ND_EIO); /* and the driver sees it too */
    assert_int_equal(nd_w1_slave_parse("", sp), ND_ESYNTAX);
    assert_int_equal(nd_w1_slave_parse("72 01 4b 46 7f ff 0e 10 : crc=57 YES\n", sp), ND_ESYNTAX);
    assert_int_equal(nd_w1_slave_parse("72 01 4b 46 7f ff 0e 10 5 : crc=57 YES\n", sp), ND_ESYNTAX);
    assert_int_equal(nd_w1_slave_parse("72 01 4b 46 7f ff 0e 10 57 : crc=57 MAYBE\n", sp), ND_ESYNTAX);
    assert_int_equal(nd_w1_slave_parse("zz 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n", sp), ND_ESYNTAX);
}

static void test_w1_names(void **state)
{
    uint64_t rom;
    char nm[20];
    assert_int_equal(nd_w1_name_rom("28-0316a2791eff", &rom), ND_OK);
    assert_int_equal(rom & 0xff, 0x28);
    assert_int_equal((rom >> 8) & 0xff, 0xff); /* the serial's least significant byte first */
    uint8_t b[8];
    for (int i = 0; i < 8; i++) b[i] = (uint8_t)(rom >> (8 * i));
    assert_int_equal(nd_ow_crc8(b, 8), 0); /* a valid ROM with its CRC */
    nd_w1_rom_name(rom, nm, sizeof nm);
    assert_string_equal(nm, "28-0316a2791eff");
    assert_int_equal(nd_w1_name_rom("w1_bus_master1", &rom), ND_ESYNTAX);
    assert_int_equal(nd_w1_name_rom("28-0316A2791EFF", &rom), ND_ESYNTAX); /* the kernel prints lower case */
    assert_int_equal(nd_w1_name_rom("28-0316a2791ef", &rom), ND_ESYNTAX);
}

static void test_ds18_encode_negative(void **state)
{
    uint8_t sp[9];
    double t;
    nd_ds18_encode(-10.0625, sp);
    assert_int_equal(sp[0], 0x5F); /* datasheet table 1: -10.125 is FF5E, -10.0625 FF5F */
    assert_int_equal(sp[1], 0xFF);
    assert_int_equal(nd_ds18_decode(sp, &t), ND_OK);
    assert_true(t == -10.0625);
    sp[0] ^= 1;
    assert_int_equal(nd_ds18_decode(sp, &t), ND_EIO);
}

static void test_aht10_frame(void **state)
{
    uint8_t d[6];
    double t, h;
    nd_aht10_encode(22.5, 41.0, d);
    assert_int_equal(d[0] & 0x80, 0);
    nd_aht10_decode(d, &t, &h);
    assert_true(t > 22.49 && t < 22.51);
    assert_true(h > 40.99 && h < 41.01);
}

static void test_ld2410_frames(void **state)
{
    /* the basic report of LM_ld2410's comment: moving+stationary, 79 cm */
    const uint8_t ex[23] = {0xf4, 0xf3, 0xf2, 0xf1, 0x0d, 0x00, 0x02, 0xaa, 0x03, 0x4f, 0x00, 0x64,
                            0x4c, 0x00, 0x64, 0x32, 0x00, 0x55, 0x00, 0xf8, 0xf7, 0xf6, 0xf5};
    nd_ld2410 m;
    uint8_t buf[60];
    memset(buf, 0x11, sizeof buf);
    memcpy(buf + 5, ex, 23);
    memcpy(buf + 30, ex, 10); /* a torn frame after it is skipped */
    assert_int_equal(nd_ld2410_find(buf, 40, &m), ND_OK);
    assert_int_equal(m.state, 3);
    assert_int_equal(m.moving_distance, 79);
    assert_int_equal(m.moving_energy, 100);
    assert_int_equal(m.stationary_distance, 76);
    assert_int_equal(m.detection_distance, 50);
    uint8_t f[23];
    nd_ld2410_encode(&m, f);
    assert_memory_equal(f, ex, 23);
    assert_int_equal(nd_ld2410_find(buf, 20, &m), ND_ENOTFOUND);
}

static int setup(void **state) { return nd_hal_open("sim"); }
static int teardown(void **state)
{
    nd_hal_close();
    return 0;
}

static void test_sim_onewire_and_uart(void **state)
{
    uint64_t roms[4];
    assert_int_equal(nd_ow_search(10, roms, 4), 1);
    assert_int_equal(nd_ow_search(11, roms, 4), ND_EIO);
    assert_string_equal(nd_hal_error(), "no 1-Wire device answered on pin 11 (no presence pulse)");
    uint8_t cmd = ND_DS18_READ, sp[9];
    double t;
    assert_int_equal(nd_ow_xfer(10, roms[0], &cmd, 1, sp, 9), ND_OK);
    assert_int_equal(nd_ds18_decode(sp, &t), ND_OK);
    assert_true(t == 85.0); /* power-up value: no conversion yet */
    assert_int_equal(nd_ow_xfer(10, 0x1234, &cmd, 1, sp, 9), ND_EIO);
    assert_int_equal(nd_ow_xfer(10, 0, sp, 65, NULL, 0), ND_ELIMIT);
    /* UART: the radar's frames arrive only at its baud rate */
    assert_int_equal(nd_uart_open(2, 38, 256000), ND_ENOTFOUND);
    int id = nd_uart_open(1, 38, 256000);
    assert_int_equal(id, 0);
    uint8_t rx[256];
    nd_ld2410 m;
    int n = nd_uart_read(id, rx, sizeof rx);
    assert_true(n >= 23);
    assert_int_equal(nd_ld2410_find(rx, (size_t)n, &m), ND_OK);
    assert_int_equal(nd_uart_read(5, rx, 1), ND_EINVAL);
    nd_uart_close(id);
    assert_int_equal(nd_uart_read(id, rx, 1), ND_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc8),
        cmocka_unit_test(test_w1_slave_text),
        cmocka_unit_test(test_w1_names),
        cmocka_unit_test(test_ds18_encode_negative),
        cmocka_unit_test(test_aht10_frame),
        cmocka_unit_test(test_ld2410_frames),
        cmocka_unit_test_setup_teardown(test_sim_onewire_and_uart, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
