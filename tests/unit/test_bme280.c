/*
** test_bme280.c -- BME280 compensation against the Bosch datasheet's worked
** example (the T/P formulas and the example calibration are shared by the
** BMP280 and BME280 datasheets: adc_T 519888 -> 25.08 degC, t_fine 128422;
** adc_P 415148 -> 100653.27 Pa), humidity against the datasheet's
** floating-point formula, the calibration register layout (H4/H5 nibbles)
** and the sim chip read through the HAL like a driver would.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "nodus/hal.h"
#include "nodus/sensors.h"

static const nd_bme280_calib ex = {
    27504, 26435, -1000, 36477, -10685, 3024, 2855, 140, -7, 15500, -14600, 6000,
    75, 362, 0, 313, 50, 30,
};

static void calib_eq(const nd_bme280_calib *a, const nd_bme280_calib *b)
{
    /* field by field: the struct has padding */
    assert_int_equal(a->T1, b->T1);
    assert_int_equal(a->T2, b->T2);
    assert_int_equal(a->T3, b->T3);
    assert_int_equal(a->P1, b->P1);
    assert_int_equal(a->P2, b->P2);
    assert_int_equal(a->P3, b->P3);
    assert_int_equal(a->P4, b->P4);
    assert_int_equal(a->P5, b->P5);
    assert_int_equal(a->P6, b->P6);
    assert_int_equal(a->P7, b->P7);
    assert_int_equal(a->P8, b->P8);
    assert_int_equal(a->P9, b->P9);
    assert_int_equal(a->H1, b->H1);
    assert_int_equal(a->H2, b->H2);
    assert_int_equal(a->H3, b->H3);
    assert_int_equal(a->H4, b->H4);
    assert_int_equal(a->H5, b->H5);
    assert_int_equal(a->H6, b->H6);
}

static void test_datasheet_example(void **state)
{
    int32_t tf;
    assert_int_equal(nd_bme280_temp(&ex, 519888, &tf), 2508); /* 25.08 degC */
    assert_int_equal(tf, 128422);
    uint32_t p = nd_bme280_press(&ex, 415148, tf);
    /* Q24.8; bit-exact with the datasheet's 64-bit reference code, and the
    ** datasheet's printed 100653.27 Pa to within its rounding */
    assert_int_equal(p, 25767233);
    assert_float_equal(p / 256.0, 100653.27, 0.05);
}

/* Datasheet section 8.1 (double precision) humidity, for comparison. */
static double hum_double(const nd_bme280_calib *c, int32_t adc_h, int32_t t_fine)
{
    double h = (double)t_fine - 76800.0;
    h = (adc_h - (c->H4 * 64.0 + c->H5 / 16384.0 * h)) *
        (c->H2 / 65536.0 * (1.0 + c->H6 / 67108864.0 * h * (1.0 + c->H3 / 67108864.0 * h)));
    h = h * (1.0 - c->H1 * h / 524288.0);
    return h > 100 ? 100 : h < 0 ? 0 : h;
}

static void test_humidity(void **state)
{
    int32_t tf;
    nd_bme280_temp(&ex, 519888, &tf);
    for (int32_t adc = 20000; adc <= 40000; adc += 1000) {
        double want = hum_double(&ex, adc, tf), got = nd_bme280_hum(&ex, adc, tf) / 1024.0;
        assert_float_equal(got, want, 0.05);
    }
    assert_int_equal(nd_bme280_hum(&ex, 0, tf), 0);             /* clamped low */
    assert_true(nd_bme280_hum(&ex, 65535, tf) <= 100u * 1024u); /* clamped high */
}

static void test_divide_by_zero_guard(void **state)
{
    nd_bme280_calib c = ex;
    c.P1 = 0;
    assert_int_equal(nd_bme280_press(&c, 415148, 128422), 0);
}

static void test_calib_layout(void **state)
{
    uint8_t c1[26], c2[7];
    nd_bme280_calib back, neg = ex;
    neg.H4 = -300;
    neg.H5 = -5;
    neg.H6 = -7;
    nd_bme280_calib_pack(&neg, c1, c2);
    assert_int_equal(c1[0], 27504 & 0xff); /* little-endian T1 at 0x88 */
    assert_int_equal(c1[1], 27504 >> 8);
    nd_bme280_calib_parse(c1, c2, &back);
    calib_eq(&back, &neg);
    /* H4 = E4<<4 | E5[3:0], H5 = E6<<4 | E5[7:4] */
    const uint8_t raw2[7] = {0x6A, 0x01, 0x00, 0x13, 0x25, 0x03, 0x1E};
    nd_bme280_calib_parse(c1, raw2, &back);
    assert_int_equal(back.H2, 362);
    assert_int_equal(back.H4, (0x13 << 4) | 0x5);
    assert_int_equal(back.H5, (0x03 << 4) | 0x2);
    assert_int_equal(back.H6, 30);
}

static void test_raw_unpack(void **state)
{
    const uint8_t d[8] = {0x65, 0x5A, 0xC0, 0x7E, 0xED, 0x00, 0x6E, 0x4D};
    int32_t t, p, h;
    nd_bme280_raw(d, &t, &p, &h);
    assert_int_equal(p, 415148);
    assert_int_equal(t, 519888);
    assert_int_equal(h, 0x6E4D);
}

/* The sim chip through the HAL: id, calibration, a forced measurement. */
static void test_sim_chip(void **state)
{
    assert_int_equal(nd_hal_open("sim"), ND_OK);
    int bus = nd_i2c_bus(21, 22);
    assert_int_equal(bus, 0);
    uint8_t id = 0, c1[26], c2[7], d[8];
    assert_int_equal(nd_i2c_reg_read(bus, 0x76, ND_BME280_REG_ID, &id, 1), ND_OK);
    assert_int_equal(id, ND_BME280_CHIP_ID);
    /* before any measurement the data registers hold the reset value 0x80000 */
    assert_int_equal(nd_i2c_reg_read(bus, 0x76, ND_BME280_REG_DATA, d, 8), ND_OK);
    assert_int_equal(d[3], 0x80);
    assert_int_equal(nd_i2c_reg_read(bus, 0x76, ND_BME280_REG_CALIB1, c1, 26), ND_OK);
    assert_int_equal(nd_i2c_reg_read(bus, 0x76, ND_BME280_REG_CALIB2, c2, 7), ND_OK);
    nd_bme280_calib cal;
    nd_bme280_calib_parse(c1, c2, &cal);
    calib_eq(&cal, &ex);
    /* byte for byte what the packing gives (the sim copies a register image) */
    uint8_t p1[26], p2[7];
    nd_bme280_calib_pack(&ex, p1, p2);
    assert_memory_equal(c1, p1, sizeof p1);
    assert_memory_equal(c2, p2, sizeof p2);
    uint8_t hum = 1, meas = (1 << 5) | (1 << 2) | 1; /* x1 T, x1 P, forced */
    assert_int_equal(nd_i2c_reg_write(bus, 0x76, ND_BME280_REG_CTRL_HUM, &hum, 1), ND_OK);
    assert_int_equal(nd_i2c_reg_write(bus, 0x76, ND_BME280_REG_CTRL_MEAS, &meas, 1), ND_OK);
    assert_int_equal(nd_i2c_reg_read(bus, 0x76, ND_BME280_REG_DATA, d, 8), ND_OK);
    int32_t at, ap, ah, tf;
    nd_bme280_raw(d, &at, &ap, &ah);
    assert_int_equal(nd_bme280_temp(&cal, at, &tf), 2508);
    assert_int_equal(nd_bme280_press(&cal, ap, tf), 25767233);
    assert_float_equal(nd_bme280_hum(&cal, ah, tf) / 1024.0, 45.0, 0.1);
    /* back in sleep mode after a forced conversion */
    assert_int_equal(nd_i2c_reg_read(bus, 0x76, ND_BME280_REG_CTRL_MEAS, &meas, 1), ND_OK);
    assert_int_equal(meas & 3, 0);
    /* new physical values come back through the same math */
    assert_int_equal(nd_sim_bme280_set(-12.5, 987.6, 73.0), ND_OK);
    meas = (1 << 5) | (1 << 2) | 1;
    nd_i2c_reg_write(bus, 0x76, ND_BME280_REG_CTRL_MEAS, &meas, 1);
    nd_i2c_reg_read(bus, 0x76, ND_BME280_REG_DATA, d, 8);
    nd_bme280_raw(d, &at, &ap, &ah);
    assert_int_equal(nd_bme280_temp(&cal, at, &tf), -1250);
    assert_float_equal(nd_bme280_press(&cal, ap, tf) / 25600.0, 987.6, 0.01);
    assert_float_equal(nd_bme280_hum(&cal, ah, tf) / 1024.0, 73.0, 0.1);
    /* an absent chip does not ACK */
    assert_int_equal(nd_sim_bme280_present(false), ND_OK);
    assert_int_equal(nd_i2c_reg_read(bus, 0x76, ND_BME280_REG_ID, &id, 1), ND_EIO);
    nd_sim_bme280_present(true);
    nd_hal_close();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_datasheet_example), cmocka_unit_test(test_humidity),
        cmocka_unit_test(test_divide_by_zero_guard), cmocka_unit_test(test_calib_layout),
        cmocka_unit_test(test_raw_unpack),        cmocka_unit_test(test_sim_chip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
