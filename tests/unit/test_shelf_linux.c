/*
** test_shelf_linux.c -- the linux backend's 1-Wire mapping (w1_linux.c)
** against a fake /sys/bus/w1 tree (ND_W1_DIR): device discovery from the
** directory names, CONVERT T as a bulk-read trigger written to every bus
** master, READ SCRATCHPAD from w1_slave (the kernel's own example text), a
** CRC failure reported by the kernel, and the clear errors for an empty
** tree and commands w1_therm cannot do. No hardware needed.
*/
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "hal_int.h"
#include "nodus/sensors.h"

/* the linux backend's entry points (src/port/posix/posix.h: not on the
** unit tests' include path) */
int nd_lx_ow_search(int pin, uint64_t *roms, int max);
int nd_lx_ow_xfer(int pin, uint64_t rom, const uint8_t *w, size_t wn, uint8_t *r, size_t rn);
int nd_lx_uart_open(int tx, int rx, uint32_t baud);

static char root[200];

static void put(const char *rel, const char *text)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void get(const char *rel, char *buf, size_t cap)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    FILE *f = fopen(p, "r");
    assert_non_null(f);
    size_t n = fread(buf, 1, cap - 1, f);
    buf[n] = 0;
    fclose(f);
}

static int setup(void **state)
{
    const char *tmp = getenv("ND_TEST_TMP");
    snprintf(root, sizeof root, "%s/w1-%d", tmp && *tmp ? tmp : "/tmp", (int)getpid());
    char p[1024];
    snprintf(p, sizeof p, "mkdir -p %s/28-0316a2791eff %s/28-0000000a0b0c %s/w1_bus_master1", root, root, root);
    assert_int_equal(system(p), 0);
    put("w1_bus_master1/therm_bulk_read", "0\n");
    put("28-0316a2791eff/w1_slave",
        "72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n72 01 4b 46 7f ff 0e 10 57 t=23125\n");
    put("28-0000000a0b0c/w1_slave",
        "72 01 4b 46 7f ff 0e 10 56 : crc=57 NO\n72 01 4b 46 7f ff 0e 10 56 t=23125\n");
    setenv("ND_W1_DIR", root, 1);
    return 0;
}

static int teardown(void **state)
{
    char p[1024];
    snprintf(p, sizeof p, "rm -rf %s", root);
    return system(p) == 0 ? 0 : -1;
}

static void test_linux_w1(void **state)
{
    uint64_t roms[8];
    assert_int_equal(nd_lx_ow_search(4, roms, 8), 2);
    char nm[20];
    nd_w1_rom_name(roms[0], nm, sizeof nm);
    assert_string_equal(nm, "28-0000000a0b0c"); /* ascending ROM order */
    nd_w1_rom_name(roms[1], nm, sizeof nm);
    assert_string_equal(nm, "28-0316a2791eff");

    uint8_t cmd = ND_DS18_CONVERT, sp[9];
    char text[64];
    assert_int_equal(nd_lx_ow_xfer(4, 0, &cmd, 1, NULL, 0), ND_OK);
    get("w1_bus_master1/therm_bulk_read", text, sizeof text);
    assert_string_equal(text, "trigger\n");

    double t;
    cmd = ND_DS18_READ;
    assert_int_equal(nd_lx_ow_xfer(4, roms[1], &cmd, 1, sp, 9), ND_OK);
    assert_int_equal(nd_ds18_decode(sp, &t), ND_OK);
    assert_true(t == 23.125);
    /* the kernel said NO: the bytes come through and the driver's CRC check fails */
    assert_int_equal(nd_lx_ow_xfer(4, roms[0], &cmd, 1, sp, 9), ND_OK);
    assert_int_equal(nd_ds18_decode(sp, &t), ND_EIO);
    /* SKIP ROM with two devices cannot be read */
    assert_int_equal(nd_lx_ow_xfer(4, 0, &cmd, 1, sp, 9), ND_EINVAL);
    cmd = 0x4E;
    assert_int_equal(nd_lx_ow_xfer(4, roms[1], &cmd, 1, NULL, 0), ND_EINVAL);
    assert_non_null(strstr(nd_hal_error(), "not available through the kernel's w1_therm driver"));
    /* garbage in w1_slave */
    put("28-0316a2791eff/w1_slave", "hello\n");
    cmd = ND_DS18_READ;
    assert_int_equal(nd_lx_ow_xfer(4, roms[1], &cmd, 1, sp, 9), ND_EIO);
    assert_non_null(strstr(nd_hal_error(), "unreadable w1_slave text"));
}

static void test_linux_w1_missing(void **state)
{
    uint64_t roms[2];
    setenv("ND_W1_DIR", "/nonexistent/w1", 1);
    assert_int_equal(nd_lx_ow_search(4, roms, 2), ND_EIO);
    assert_non_null(strstr(nd_hal_error(), "is the w1-gpio overlay loaded?"));
    uint8_t cmd = ND_DS18_CONVERT;
    assert_int_equal(nd_lx_ow_xfer(4, 0, &cmd, 1, NULL, 0), ND_EIO);
    setenv("ND_W1_DIR", root, 1);
}

static void test_linux_uart_missing(void **state)
{
    setenv("ND_UART", "/nonexistent/ttyUSB9", 1);
    assert_int_equal(nd_lx_uart_open(14, 15, 256000), ND_ENOTFOUND);
    assert_non_null(strstr(nd_hal_error(), "cannot open /nonexistent/ttyUSB9"));
    unsetenv("ND_UART");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_linux_w1, setup, teardown),
        cmocka_unit_test_setup_teardown(test_linux_w1_missing, setup, teardown),
        cmocka_unit_test(test_linux_uart_missing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
