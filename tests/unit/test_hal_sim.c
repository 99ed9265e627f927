/*
** test_hal_sim.c -- the HAL front and the sim board: pin and value checks
** with their messages, GPIO, PWM, ADC, pixels, DHT faults, and the edge
** ring (bounded, drops counted, delivered in order to the right watchers).
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hal_int.h"
#include "nodus/sensors.h"

static int setup(void **state)
{
    return nd_hal_open("sim");
}

static int teardown(void **state)
{
    nd_hal_close();
    return 0;
}

static void test_pins_and_messages(void **state)
{
    assert_string_equal(nd_hal_backend(), "sim");
    assert_int_equal(nd_hal_pin_max(), 39);
    assert_int_equal(nd_gpio_write(40, 1), ND_EINVAL);
    assert_string_equal(nd_hal_error(), "pin 40 is not on board sim (0..39)");
    assert_int_equal(nd_gpio_write(-1, 1), ND_EINVAL);
    assert_int_equal(nd_gpio_write(2, 2), ND_EINVAL);
    assert_string_equal(nd_hal_error(), "pin level must be 0 or 1, not 2");
    assert_int_equal(nd_gpio_mode(36, ND_GPIO_OUT, ND_PULL_NONE), ND_ETYPE);
    assert_string_equal(nd_hal_error(), "pin 36 is input-only (sim: 34..39)");
    assert_int_equal(nd_gpio_mode(4, 7, ND_PULL_NONE), ND_EINVAL);
    assert_int_equal(nd_hal_open("nope"), ND_ENOTFOUND);
    assert_string_equal(nd_hal_backend(), "sim");
}

static void test_gpio(void **state)
{
    assert_int_equal(nd_gpio_write(2, 1), ND_OK); /* auto output */
    assert_int_equal(nd_gpio_read(2), 1);
    assert_int_equal(nd_sim_drive(2, 0), ND_ETYPE); /* outputs cannot be driven */
    assert_int_equal(nd_gpio_mode(4, ND_GPIO_IN, ND_PULL_UP), ND_OK);
    assert_int_equal(nd_gpio_read(4), 1); /* pull-up */
    assert_int_equal(nd_sim_drive(4, 0), ND_OK);
    assert_int_equal(nd_gpio_read(4), 0);
    assert_int_equal(nd_gpio_write(4, 1), ND_ETYPE); /* an input is not driven by accident */
    assert_string_equal(nd_hal_error(), "pin 4 is an input");
    assert_int_equal(nd_gpio_mode(4, ND_GPIO_OUT, ND_PULL_NONE), ND_OK);
    assert_int_equal(nd_gpio_write(4, 1), ND_OK);
    assert_int_equal(nd_gpio_read(4), 1);
    int pin;
    assert_int_equal(nd_hal_pin_lookup(NULL, "neop", &pin), ND_OK);
    assert_int_equal(pin, 15);
    assert_int_equal(nd_hal_pin_lookup(NULL, "7", &pin), ND_OK);
    assert_int_equal(pin, 7);
    assert_int_equal(nd_hal_pin_lookup(NULL, "nosuch", &pin), ND_ENOTFOUND);
}

static void test_pwm_adc(void **state)
{
    uint32_t f, d;
    assert_int_equal(nd_pwm_set(27, 50, 77), ND_OK);
    assert_int_equal(nd_pwm_get(27, &f, &d), ND_OK);
    assert_int_equal(f, 50);
    assert_int_equal(d, 77);
    assert_int_equal(nd_pwm_set(27, 50, 1024), ND_EINVAL);
    assert_string_equal(nd_hal_error(), "PWM duty 1024 out of range 0..1023");
    assert_int_equal(nd_pwm_set(27, 0, 10), ND_EINVAL);
    assert_int_equal(nd_pwm_set(39, 1000, 10), ND_ETYPE);
    assert_int_equal(nd_pwm_stop(27), ND_OK);
    assert_int_equal(nd_pwm_get(27, &f, &d), ND_ETYPE);
    assert_int_equal(nd_adc_read(36), 2048);
    assert_int_equal(nd_sim_light_set(4000), ND_OK);
    assert_int_equal(nd_adc_read(36), 4000);
    assert_int_equal(nd_sim_light_set(4096), ND_EINVAL);
    assert_int_equal(nd_adc_read(4), ND_ETYPE);
    assert_string_equal(nd_hal_error(), "pin 4 has no ADC (sim: 32..39)");
}

static void test_pixels_and_dht(void **state)
{
    uint8_t px[6] = {255, 0, 0, 0, 0, 255};
    assert_int_equal(nd_pixel_show(15, px, 2, 3), ND_OK);
    assert_int_equal(nd_pixel_show(15, px, 2, 5), ND_EINVAL);
    assert_int_equal(nd_pixel_show(15, px, ND_PIXEL_MAX + 1, 3), ND_EINVAL);
    static char mem[65536];
    nd_arena a;
    nd_arena_init(&a, mem, sizeof mem);
    nd_value *st;
    assert_int_equal(nd_sim_state(&a, &st), ND_OK);
    nd_value *pixels = nd_dict_get(nd_dict_get(st, "strip"), "pixels");
    assert_int_equal(pixels->u.seq.n, 2);
    assert_string_equal(pixels->u.seq.v[0]->u.s.p, "#ff0000");
    assert_string_equal(pixels->u.seq.v[1]->u.s.p, "#0000ff");

    uint8_t f[5];
    double t, h;
    assert_int_equal(nd_sim_dht_set(-5.5, 60.0, 1), ND_OK);
    assert_int_equal(nd_dht_read(32, f), ND_OK);
    assert_int_equal(nd_dht_decode(f, 22, &t, &h), ND_EIO); /* the corrupted frame */
    assert_int_equal(nd_dht_read(32, f), ND_OK);
    assert_int_equal(nd_dht_decode(f, 22, &t, &h), ND_OK);
    assert_float_equal(t, -5.5, 1e-9);
    assert_float_equal(h, 60.0, 1e-9);
    assert_int_equal(nd_dht_read(33, f), ND_EIO); /* nothing there */
    assert_int_equal(nd_sim_dht_set(20, 50, -1), ND_OK);
    assert_int_equal(nd_dht_read(32, f), ND_EIO); /* silent sensor */
    assert_int_equal(nd_sim_dht_set(200, 50, 0), ND_EINVAL);
}

static void test_i2c(void **state)
{
    uint8_t a[4], b;
    assert_int_equal(nd_i2c_bus(4, 5), ND_ENOTFOUND);
    assert_int_equal(nd_i2c_scan(0, a, 4), 1);
    assert_int_equal(a[0], 0x76);
    assert_int_equal(nd_i2c_scan(1, a, 4), ND_ENOTFOUND);
    assert_int_equal(nd_i2c_reg_read(0, 0x40, 0, &b, 1), ND_EIO);
    assert_string_equal(nd_hal_error(), "I2C device 0x40 did not answer (no ACK) on bus 0");
    assert_int_equal(nd_i2c_xfer(0, 0x80, NULL, 0, &b, 1), ND_EINVAL);
}

static int seen[ND_GPIO_RING * 2][2];
static int nseen, other;
static void on_edge(void *ud, const nd_gpio_event *ev)
{
    (void)ud;
    if (nseen < (int)(sizeof seen / sizeof seen[0])) {
        seen[nseen][0] = ev->pin;
        seen[nseen][1] = ev->level;
    }
    nseen++;
}
static void on_other(void *ud, const nd_gpio_event *ev) { other++; }

static void test_edges_ring(void **state)
{
    nseen = other = 0;
    assert_int_equal(nd_gpio_mode(4, ND_GPIO_IN, ND_PULL_DOWN), ND_OK);
    assert_int_equal(nd_gpio_watch(4, ND_EDGE_BOTH, on_edge, NULL), ND_OK);
    assert_int_equal(nd_gpio_watch(4, ND_EDGE_RISING, on_other, NULL), ND_OK);
    assert_int_equal(nd_gpio_watch(4, 0, on_other, NULL), ND_EINVAL);
    assert_int_equal(nd_sim_drive(4, 1), ND_OK);
    assert_int_equal(nd_sim_drive(4, 1), ND_OK); /* no change, no edge */
    assert_int_equal(nd_sim_drive(4, 0), ND_OK);
    assert_true(nd_hal_edges_pending());
    assert_int_equal(nd_hal_edges_dispatch(100), 2);
    assert_int_equal(nseen, 2);
    assert_int_equal(seen[0][1], 1);
    assert_int_equal(seen[1][1], 0);
    assert_int_equal(other, 1); /* rising only */

    /* a storm: the ring takes ND_GPIO_RING, the rest is counted */
    nseen = 0;
    assert_int_equal(nd_sim_burst(4, 1000, 1), ND_GPIO_RING);
    nd_gpio_stats st;
    nd_gpio_stats_get(&st);
    assert_int_equal(st.dropped, 1000 - ND_GPIO_RING);
    assert_int_equal(st.depth, ND_GPIO_RING);
    assert_int_equal(st.depth_max, ND_GPIO_RING);
    assert_int_equal(nd_hal_edges_dispatch(64), 64); /* a budget per loop turn */
    while (nd_hal_edges_dispatch(64)) {}
    assert_int_equal(nseen, ND_GPIO_RING);
    for (int i = 1; i < ND_GPIO_RING; i++) assert_int_not_equal(seen[i][1], seen[i - 1][1]);

    nd_gpio_unwatch(-1, on_edge, NULL);
    nd_gpio_unwatch(4, on_other, NULL);
    assert_int_equal(nd_hal_watched_edges(4), 0);
    nseen = 0;
    nd_sim_drive(4, 1); /* no watcher: edge detection off, nothing queued */
    assert_false(nd_hal_edges_pending());
    for (int i = 0; i < ND_GPIO_WATCH_MAX; i++)
        assert_int_equal(nd_gpio_watch(i, ND_EDGE_BOTH, on_edge, NULL), ND_OK);
    assert_int_equal(nd_gpio_watch(20, ND_EDGE_BOTH, on_edge, NULL), ND_ELIMIT);
}

/* The snapshot the `sim` module and /sim show: every field with its type
** (the dicts are built from specs of typed fields, sim_shelf.c). */
static const nd_value *key(const nd_value *d, const char *k, nd_type t)
{
    const nd_value *v = nd_dict_get(d, k);
    assert_non_null(v);
    assert_int_equal(v->type, t);
    return v;
}

static void test_state_snapshot(void **state)
{
    static char mem[256 * 1024];
    nd_arena a;
    nd_arena_init(&a, mem, sizeof mem);
    assert_int_equal(nd_pwm_set(27, 50, 77), ND_OK); /* servo_1: 77/1024 of 20 ms = 1.504 ms */
    assert_int_equal(nd_sim_light_set(4000), ND_OK);
    assert_int_equal(nd_sim_mic_set(7), ND_OK);
    assert_int_equal(nd_sim_mic_set(-1), ND_EINVAL);
    assert_string_equal(nd_hal_error(), "mic level 0..4095");
    assert_int_equal(nd_sim_dht_set(-12.5, 33.3, -1), ND_OK);
    assert_int_equal(nd_sim_veml7700_set(65535, true), ND_OK);
    nd_value *st;
    assert_int_equal(nd_sim_state(&a, &st), ND_OK);
    const nd_value *pins = key(st, "pins", ND_T_LIST), *servo = NULL;
    for (size_t i = 0; i < pins->u.seq.n; i++)
        if (nd_dict_get(pins->u.seq.v[i], "pin")->u.i == 27) servo = pins->u.seq.v[i];
    assert_non_null(servo);
    assert_string_equal(key(servo, "name", ND_T_STR)->u.s.p, "servo_1");
    assert_string_equal(key(servo, "device", ND_T_STR)->u.s.p, "servo");
    assert_string_equal(key(servo, "mode", ND_T_STR)->u.s.p, "pwm");
    assert_int_equal(key(servo, "level", ND_T_INT)->u.i, 1);
    assert_int_equal(key(servo, "freq", ND_T_INT)->u.i, 50);
    assert_int_equal(key(servo, "duty", ND_T_INT)->u.i, 77);
    assert_true(key(servo, "angle", ND_T_FLOAT)->u.f == 90.4);
    assert_int_equal(servo->u.seq.n, 8);
    assert_int_equal(key(st, "light", ND_T_INT)->u.i, 4000);
    assert_int_equal(key(st, "mic", ND_T_INT)->u.i, 7);
    const nd_value *dht = key(st, "dht22", ND_T_DICT);
    assert_true(key(dht, "temp", ND_T_FLOAT)->u.f == -12.5);
    assert_int_equal(key(dht, "bad", ND_T_INT)->u.i, -1);
    assert_true(key(dht, "reads", ND_T_INT)->u.i >= 0); /* earlier tests read it too */
    assert_true(key(key(st, "bme280", ND_T_DICT), "present", ND_T_BOOL)->u.b);
    const nd_value *e = key(st, "edges", ND_T_DICT);
    assert_int_equal(e->u.seq.n, 4);
    key(e, "depth_max", ND_T_INT);
    const nd_value *veml = key(st, "veml7700", ND_T_DICT);
    assert_int_equal(key(veml, "counts", ND_T_INT)->u.i, 65535);
    assert_int_equal(key(veml, "conf", ND_T_INT)->u.i, 1);
    assert_true(key(veml, "present", ND_T_BOOL)->u.b);
    const nd_value *stp = key(st, "stepper", ND_T_DICT);
    assert_string_equal(key(stp, "coils", ND_T_STR)->u.s.p, "0000");
    assert_string_equal(stp->u.seq.v[2]->u.s.p, "coils"); /* position, coils, reversals */
    assert_int_equal(key(key(st, "oled", ND_T_DICT), "bytes", ND_T_INT)->u.i, 0);
    assert_int_equal(key(st, "dht_model", ND_T_INT)->u.i, 22);
    /* device names, in and out of range */
    assert_string_equal(nd_sim_device_name(ND_SIM_NONE), "");
    assert_string_equal(nd_sim_device_name(ND_SIM_LED), "led");
    assert_string_equal(nd_sim_device_name(ND_SIM_I2C_SCL), "i2c_scl");
    assert_string_equal(nd_sim_device_name(ND_SIM_MIC), "mic");
    assert_string_equal(nd_sim_device_name(ND_SIM_MIC + 1), "");
    assert_string_equal(nd_sim_device_name(-1), "");
    nd_value *part;
    assert_int_equal(nd_sim_part(&a, "nope", &part), ND_ENOTFOUND);
    assert_string_equal(nd_hal_error(), "no sim part 'nope'");
    /* a full arena is an error, not a half snapshot */
    nd_arena_init(&a, mem, 512);
    assert_int_equal(nd_sim_state(&a, &st), ND_ENOMEM);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pins_and_messages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gpio, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pwm_adc, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pixels_and_dht, setup, teardown),
        cmocka_unit_test_setup_teardown(test_i2c, setup, teardown),
        cmocka_unit_test_setup_teardown(test_edges_ring, setup, teardown),
        cmocka_unit_test_setup_teardown(test_state_snapshot, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
