/*
** test_dht22.c -- DHT11/DHT22 40-bit frame decoding, checksum errors, the
** sign bit, and the sim encoder round trip (sensors.h). Frames from the
** AM2302 datasheet's examples.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "nodus/sensors.h"
#include "nodus/value.h"

static void test_datasheet_frames(void **state)
{
    double t, h;
    /* AM2302 datasheet: 0x028C = 65.2 %RH, 0x015F = 35.1 degC, checksum 0xEE */
    const uint8_t f1[5] = {0x02, 0x8C, 0x01, 0x5F, 0xEE};
    assert_int_equal(nd_dht_decode(f1, 22, &t, &h), ND_OK);
    assert_float_equal(h, 65.2, 1e-9);
    assert_float_equal(t, 35.1, 1e-9);
    /* negative: 0x8065 = -10.1 degC */
    const uint8_t f2[5] = {0x02, 0x8C, 0x80, 0x65, (uint8_t)(0x02 + 0x8C + 0x80 + 0x65)};
    assert_int_equal(nd_dht_decode(f2, 22, &t, &h), ND_OK);
    assert_float_equal(t, -10.1, 1e-9);
}

static void test_checksum_errors(void **state)
{
    double t = 99, h = 99;
    const uint8_t good[5] = {0x02, 0x8C, 0x01, 0x5F, 0xEE};
    for (int byte = 0; byte < 5; byte++)
        for (int bit = 0; bit < 8; bit++) {
            uint8_t f[5];
            for (int i = 0; i < 5; i++) f[i] = good[i];
            f[byte] ^= (uint8_t)(1u << bit); /* any single bit error is caught */
            assert_int_equal(nd_dht_decode(f, 22, &t, &h), ND_EIO);
        }
    assert_float_equal(t, 99, 0); /* outputs untouched on error */
    assert_float_equal(h, 99, 0);
    const uint8_t sumwrap[5] = {0xFF, 0xFF, 0x01, 0x02, (uint8_t)(0xFF + 0xFF + 0x01 + 0x02)};
    assert_int_equal(nd_dht_decode(sumwrap, 22, &t, &h), ND_OK); /* checksum is mod 256 */
    assert_int_equal(nd_dht_decode(good, 12, &t, &h), ND_EINVAL);
}

static void test_dht11(void **state)
{
    double t, h;
    const uint8_t f[5] = {40, 0, 23, 5, 68};
    assert_int_equal(nd_dht_decode(f, 11, &t, &h), ND_OK);
    assert_float_equal(h, 40.0, 1e-9);
    assert_float_equal(t, 23.5, 1e-9);
}

static void test_encode_roundtrip(void **state)
{
    static const double vals[][2] = {{21.5, 48.2}, {-40.0, 0.0}, {80.0, 100.0}, {-0.1, 99.9}, {0, 0}};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        uint8_t f[5];
        double t, h;
        nd_dht22_encode(vals[i][0], vals[i][1], f);
        assert_int_equal(nd_dht_decode(f, 22, &t, &h), ND_OK);
        assert_float_equal(t, vals[i][0], 1e-9);
        assert_float_equal(h, vals[i][1], 1e-9);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_datasheet_frames),
        cmocka_unit_test(test_checksum_errors),
        cmocka_unit_test(test_dht11),
        cmocka_unit_test(test_encode_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
