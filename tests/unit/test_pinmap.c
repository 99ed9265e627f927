/*
** test_pinmap.c -- board tables, cstmpmap parsing (including garbage) and
** pin booking with micrOS's error texts (docs/micros-compat.md §8.4). One row per
** input; the expected problems are substrings of pm.problems.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "nodus/hal.h"
#include "nodus/value.h"
#include "pinmap.h"

/* ---- board tables ------------------------------------------------------ */

static void test_boards_are_sane(void **st)
{
    (void)st;
    static const char *const want[] = {"esp32", "esp32s2", "esp32s3", "esp32c3", "esp32c6",
                                       "rp2",   "tinypico", "rpi",    "sim",     NULL};
    size_t i = 0;
    for (; want[i]; i++) {
        const nd_board *b = nd_board_at(i);
        assert_non_null(b);
        assert_string_equal(b->name, want[i]);
        assert_ptr_equal(nd_board_find(want[i]), b);
        nd_pinmap pm;
        assert_int_equal(nd_pinmap_init(&pm, b->name, "n/a"), ND_OK);
        const char *name, *other;
        int pin, op;
        size_t n = 0;
        for (; nd_board_pin_at(b, n, &name, &pin); n++) {
            /* every table entry is bindable on its own board */
            assert_true(nd_pinmap_in_range(&pm, pin));
            assert_true(strlen(name) < ND_PIN_TAG_MAX);
            for (size_t k = n + 1; nd_board_pin_at(b, k, &other, &op); k++)
                assert_string_not_equal(name, other);
        }
        assert_true(n > 0);
        int p;
        assert_true(nd_board_pin(b, "builtin", &p) || strcmp(b->name, "tinypico") == 0);
    }
    assert_null(nd_board_at(i));
    assert_null(nd_board_find("esp8266"));
    assert_null(nd_pinmap_check_board("rpi"));
    /* the Linux node has every map, and says so in this order */
    assert_string_equal(nd_pinmap_check_board("esp99"),
                        "board must be one of esp32 esp32s2 esp32s3 esp32c3 esp32c6 rp2 "
                        "tinypico rpi sim");
}

static const struct {
    const char *board, *name;
    int pin;
} board_rows[] = {
    /* micrOS IO_esp32.py */
    {"esp32", "builtin", 2},     {"esp32", "neop", 15},      {"esp32", "irq1", 4},
    {"esp32", "irq2", 18},       {"esp32", "irq3", 5},       {"esp32", "irq4", 13},
    {"esp32", "i2c_sda", 21},    {"esp32", "i2c_scl", 22},   {"esp32", "dhtpin", 32},
    {"esp32", "redgb", 14},      {"esp32", "rgreenb", 12},   {"esp32", "rgbue", 15},
    /* inverted LEDs and the Pico W's radio LED */
    {"esp32c3", "builtin", -8},  {"esp32c6", "builtin", -15}, {"rp2", "builtin", ND_PIN_LED},
    {"esp32s3", "neop", 6},      {"esp32s2", "buzzer", 10},  {"tinypico", "neop", 26},
    {"rpi", "i2c_sda", 2},       {"rpi", "i2c_scl", 3},      {"rpi", "neop", 18},
    /* sim: the simulated board's wiring (hal_sim.c) */
    {"sim", "builtin", 2},       {"sim", "neop", 15},        {"sim", "irq1", 4},
};

static void test_board_rows(void **st)
{
    (void)st;
    for (size_t i = 0; i < sizeof board_rows / sizeof board_rows[0]; i++) {
        int p = -12345;
        assert_true(nd_board_pin(nd_board_find(board_rows[i].board), board_rows[i].name, &p));
        assert_int_equal(p, board_rows[i].pin);
    }
    int p;
    assert_false(nd_board_pin(nd_board_find("rp2"), "neop", &p));
}

/* ---- cstmpmap ----------------------------------------------------------- */

static const struct {
    const char *board, *cst;
    int rc;
    const char *map;     /* selected map */
    const char *custom;  /* "tag:pin " list in order */
    const char *problem; /* substring of problems, NULL = none */
} cst_rows[] = {
    {"sim", "n/a", ND_OK, "sim", "", NULL},
    {"sim", "  n/a ", ND_OK, "sim", "", NULL},
    {"sim", "", ND_OK, "sim", "", NULL},
    {NULL, NULL, ND_OK, "sim", "", NULL},
    {"bogus", "n/a", ND_OK, "sim", "", NULL},
    {"sim", "dht:10", ND_OK, "sim", "dht:10 ", NULL},
    {"sim", "esp32; dht:10; neop:15", ND_OK, "esp32", "dht:10 neop:15 ", NULL},
    {"sim", "esp32c3", ND_OK, "esp32c3", "", NULL},
    {"sim", "rpi;", ND_OK, "rpi", "", NULL},
    {"sim", " dht : 10 ;; neop:+3 ; ", ND_OK, "sim", "dht:10 neop:3 ", NULL},
    {"sim", "builtin:-2", ND_OK, "sim", "builtin:-2 ", NULL},
    {"sim", "a:1;a:2", ND_OK, "sim", "a:2 ", NULL},  /* later wins, as a dict */
    {"sim", "x:1_0", ND_OK, "sim", "x:10 ", NULL},   /* Python int() */
    /* garbage: bad items skipped, good ones kept, each problem described */
    {"sim", "esp99; dht:10", ND_ESYNTAX, "sim", "dht:10 ", "unknown map 'esp99', using sim"},
    {"sim", "dht:abc", ND_ESYNTAX, "sim", "", "item 1: dht:'abc' is not an integer pin"},
    {"sim", "dht:", ND_ESYNTAX, "sim", "", "is not an integer pin"},
    {"sim", ":5", ND_ESYNTAX, "sim", "", "item 1: bad pin name ''"},
    {"sim", "neop:15; junk", ND_ESYNTAX, "sim", "neop:15 ", "item 2 'junk' is not name:pin"},
    {"sim", "d-h-t:4", ND_ESYNTAX, "sim", "", "bad pin name 'd-h-t'"},
    {"sim", "a:1:2", ND_ESYNTAX, "sim", "", "is not an integer pin"},
    {"esp32", "neop:40", ND_ESYNTAX, "esp32", "", "neop:40 out of range for esp32 (0..39)"},
    {"sim", "esp32c3; neop:22", ND_ESYNTAX, "esp32c3", "", "out of range for esp32c3 (0..21)"},
    {"sim", "x:99999999999", ND_ESYNTAX, "sim", "", "is not an integer pin"},
    {"sim", "x:0x10", ND_ESYNTAX, "sim", "", "is not an integer pin"},
    {"sim", "\x01\xff:1", ND_ESYNTAX, "sim", "", "bad pin name '?" "?'"},
    {"sim", "abcdefghijabcdefghijabcdefghijabc:1", ND_ESYNTAX, "sim", "", "bad pin name 'abcdefghijabcdefghijabcd...'"},
};

static void test_cstmpmap(void **st)
{
    (void)st;
    for (size_t i = 0; i < sizeof cst_rows / sizeof cst_rows[0]; i++) {
        nd_pinmap pm;
        int rc = nd_pinmap_init(&pm, cst_rows[i].board, cst_rows[i].cst);
        char got[512] = "";
        for (int k = 0; k < pm.ncustom; k++) {
            size_t l = strlen(got);
            snprintf(got + l, sizeof got - l, "%s:%d ", pm.custom[k].tag, pm.custom[k].pin);
        }
        if (rc != cst_rows[i].rc || strcmp(pm.board->name, cst_rows[i].map) != 0 ||
            strcmp(got, cst_rows[i].custom) != 0 ||
            (cst_rows[i].problem && !strstr(pm.problems, cst_rows[i].problem)) ||
            (!cst_rows[i].problem && pm.problems[0]))
            fail_msg("row %zu '%s': rc %d map %s custom '%s' problems '%s'", i,
                     cst_rows[i].cst ? cst_rows[i].cst : "(null)", rc, pm.board->name, got,
                     pm.problems);
    }
}

static void test_cstmpmap_limits(void **st)
{
    (void)st;
    char big[4096] = "";
    for (int i = 0; i < 40; i++) {
        size_t l = strlen(big);
        snprintf(big + l, sizeof big - l, "p%d:%d;", i, i % 40);
    }
    nd_pinmap pm;
    assert_int_equal(nd_pinmap_init(&pm, "sim", big), ND_ESYNTAX);
    assert_int_equal(pm.ncustom, ND_PINMAP_CUSTOM_MAX);
    assert_non_null(strstr(pm.problems, "too many overrides (max 32)"));
    /* many bad items: the problems text is truncated, never overflows */
    char junk[4096];
    memset(junk, ';', sizeof junk - 1);
    for (size_t i = 0; i + 2 < sizeof junk; i += 2) junk[i] = 'x';
    junk[sizeof junk - 1] = 0;
    assert_int_equal(nd_pinmap_init(&pm, "sim", junk), ND_ESYNTAX);
    assert_true(strlen(pm.problems) < sizeof pm.problems);
}

/* ---- booking ------------------------------------------------------------ */

static void test_bind(void **st)
{
    (void)st;
    nd_pinmap pm;
    char err[ND_ERRMSG];
    int p, n;
    nd_pinmap_init(&pm, "esp32", "n/a");
    /* neop and rgbue share GPIO 15 on micrOS's esp32 map */
    assert_int_equal(nd_pinmap_bind(&pm, "neop", NULL, &p, err, sizeof err), ND_OK);
    assert_int_equal(p, 15);
    assert_int_equal(nd_pinmap_bind(&pm, "neop", NULL, &p, err, sizeof err), ND_OK); /* re-init */
    assert_int_equal(pm.nbooked, 1);
    assert_int_equal(nd_pinmap_bind(&pm, "rgbue", NULL, &p, err, sizeof err), ND_ERR);
    assert_string_equal(err, "[io] Pin rgbue is busy: neop:15");
    /* bind_pin(tag, number) */
    n = 15;
    assert_int_equal(nd_pinmap_bind(&pm, "mine", &n, &p, err, sizeof err), ND_ERR);
    assert_string_equal(err, "[io-register] mine:15 already in use: neop");
    n = 16;
    assert_int_equal(nd_pinmap_bind(&pm, "mine", &n, &p, err, sizeof err), ND_OK);
    assert_int_equal(nd_pinmap_resolve(&pm, "mine", &p, err, sizeof err), ND_OK);
    assert_int_equal(p, 16); /* registered as a custom mapping, as micrOS */
    n = 17;                  /* moved: the old pin is free again */
    assert_int_equal(nd_pinmap_bind(&pm, "mine", &n, &p, err, sizeof err), ND_OK);
    n = 16;
    assert_int_equal(nd_pinmap_bind(&pm, "other", &n, &p, err, sizeof err), ND_OK);
    /* range and unknown names */
    n = 40;
    assert_int_equal(nd_pinmap_bind(&pm, "x", &n, &p, err, sizeof err), ND_EINVAL);
    assert_string_equal(err, "[io] Pin x:40 out of range for esp32 (0..39)");
    n = -40;
    assert_int_equal(nd_pinmap_bind(&pm, "x", &n, &p, err, sizeof err), ND_EINVAL);
    n = ND_PIN_LED;
    assert_int_equal(nd_pinmap_bind(&pm, "x", &n, &p, err, sizeof err), ND_EINVAL);
    assert_int_equal(nd_pinmap_bind(&pm, "nosuch", NULL, &p, err, sizeof err), ND_ENOTFOUND);
    assert_string_equal(err, "[io-resolve] error: no pin named 'nosuch' in map esp32");
    assert_int_equal(nd_pinmap_bind(&pm, "bad name", NULL, &p, err, sizeof err), ND_EINVAL);
    /* release frees the wire */
    nd_pinmap_release(&pm, "neop");
    assert_int_equal(nd_pinmap_bind(&pm, "rgbue", NULL, &p, err, sizeof err), ND_OK);
}

static void test_bind_inverted_and_led(void **st)
{
    (void)st;
    nd_pinmap pm;
    char err[ND_ERRMSG];
    int p, n;
    nd_pinmap_init(&pm, "esp32c3", "n/a");
    assert_int_equal(nd_pinmap_bind(&pm, "builtin", NULL, &p, err, sizeof err), ND_OK);
    assert_int_equal(p, -8);
    /* -8 and 8 are the same wire: switch_1 (8) conflicts with the LED */
    assert_int_equal(nd_pinmap_bind(&pm, "switch_1", NULL, &p, err, sizeof err), ND_ERR);
    assert_string_equal(err, "[io] Pin switch_1 is busy: builtin:-8");
    nd_pinmap_init(&pm, "rp2", NULL);
    assert_int_equal(nd_pinmap_bind(&pm, "builtin", NULL, &p, err, sizeof err), ND_OK);
    assert_int_equal(p, ND_PIN_LED);
    n = 29;
    assert_int_equal(nd_pinmap_bind(&pm, "gp29", &n, &p, err, sizeof err), ND_OK);
}

static void test_custom_over_table(void **st)
{
    (void)st;
    nd_pinmap pm;
    char err[ND_ERRMSG];
    int p;
    nd_pinmap_init(&pm, "sim", "esp32; neop:4; dhtpin:33");
    assert_int_equal(nd_pinmap_resolve(&pm, "neop", &p, err, sizeof err), ND_OK);
    assert_int_equal(p, 4);
    /* irq1 is also 4 on esp32: the override moved neop onto it */
    assert_int_equal(nd_pinmap_bind(&pm, "irq1", NULL, &p, err, sizeof err), ND_OK);
    assert_int_equal(nd_pinmap_bind(&pm, "neop", NULL, &p, err, sizeof err), ND_ERR);
    assert_string_equal(err, "[io] Pin neop is busy: irq1:4");
}

static void test_booking_full(void **st)
{
    (void)st;
    nd_pinmap pm;
    char err[ND_ERRMSG], tag[16];
    int p;
    nd_pinmap_init(&pm, "sim", NULL);
    int ok = 0, rc = ND_OK;
    /* sim has 40 pins, inverted numbers share wires: at most 40 bookings
    ** on sim -- use a board loop over distinct tags on the same pins */
    for (int i = 0; i <= 39; i++) {
        int n = i;
        snprintf(tag, sizeof tag, "t%d", i);
        rc = nd_pinmap_bind(&pm, tag, &n, &p, err, sizeof err);
        if (rc == ND_OK) ok++;
    }
    assert_int_equal(pm.nbooked, ok);
    assert_true(pm.nbooked <= ND_PINMAP_BOOK_MAX);
    assert_true(pm.ncustom <= ND_PINMAP_CUSTOM_MAX);
    (void)rc;
}

/* ---- a board image's selection (ND_PINMAP_BOARDS) ------------------------
** The same two files compiled again with only the rpi map, under other
** names, so the selection is tested as a board image builds it while the
** tests above keep the Linux node's full set. */
#undef ND_PINMAP_BOARDS
#define ND_PINMAP_BOARDS ND_PINMAP_RPI
#define nd_board_at sel_board_at
#define nd_board_find sel_board_find
#define nd_board_pin_at sel_board_pin_at
#define nd_board_pin sel_board_pin
#define nd_pinmap_check_board sel_pinmap_check_board
#define nd_pinmap_init sel_pinmap_init
#define nd_pinmap_resolve sel_pinmap_resolve
#define nd_pinmap_release sel_pinmap_release
#define nd_pinmap_bind sel_pinmap_bind
#define nd_pinmap_in_range sel_pinmap_in_range
#include "../../src/core/pinmap_boards.c" /* first: pinmap.c calls it */
#include "../../src/core/pinmap.c"

static void test_selected_boards_only(void **st)
{
    (void)st;
    /* known_maps: the selected board, then sim (always there) */
    assert_string_equal(sel_board_at(0)->name, "rpi");
    assert_string_equal(sel_board_at(1)->name, "sim");
    assert_null(sel_board_at(2));
    assert_null(sel_board_find("esp32"));
    assert_null(sel_pinmap_check_board("rpi"));
    assert_null(sel_pinmap_check_board("sim"));
    assert_string_equal(sel_pinmap_check_board("esp32"), "board must be one of rpi sim");

    nd_pinmap pm;
    int pin = 0;
    /* a map left out of the image is an unknown one: sim, and the problem said */
    assert_int_equal(sel_pinmap_init(&pm, "sim", "esp32; dht:10"), ND_ESYNTAX);
    assert_string_equal(pm.board->name, "sim");
    assert_string_equal(pm.problems, "unknown map 'esp32', using sim");
    assert_int_equal(sel_pinmap_resolve(&pm, "dht", &pin, NULL, 0), ND_OK);
    assert_int_equal(pin, 10);
    assert_int_equal(sel_pinmap_init(&pm, "esp32", "n/a"), ND_OK); /* `board` fallback */
    assert_string_equal(pm.board->name, "sim");
    /* the selected one works as in the full set */
    assert_int_equal(sel_pinmap_init(&pm, "sim", "rpi"), ND_OK);
    assert_string_equal(pm.board->name, "rpi");
    assert_int_equal(sel_pinmap_resolve(&pm, "i2c_sda", &pin, NULL, 0), ND_OK);
    assert_int_equal(pin, 2);
    char err[128];
    assert_int_equal(sel_pinmap_bind(&pm, "neop", NULL, &pin, err, sizeof err), ND_OK);
    assert_int_equal(pin, 18);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_boards_are_sane), cmocka_unit_test(test_board_rows),
        cmocka_unit_test(test_cstmpmap),        cmocka_unit_test(test_cstmpmap_limits),
        cmocka_unit_test(test_bind),            cmocka_unit_test(test_bind_inverted_and_led),
        cmocka_unit_test(test_custom_over_table), cmocka_unit_test(test_booking_full),
        cmocka_unit_test(test_selected_boards_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
