/*
** test_cfgstore.c -- the firmware's flash config store (src/core/cfgstore.c):
** a power cut at every byte of a save (erase and program, byte by byte)
** leaves the old or the new config, never neither; a corrupt copy loses to
** the other; both corrupt is ND_EIO (defaults + logged error); an empty
** store is ND_ENOTFOUND; seq wraps.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cfgstore.h"
#include "nodus/value.h"

#define COPY 256

/* NOR flash: erase -> 0xff, program clears bits; `budget` bytes of erase or
** program work are done before the power goes (-1: no cut). */
typedef struct {
    uint8_t mem[2][COPY];
    long budget;
} flash;

static int spend(flash *f)
{
    if (f->budget < 0) return 1;
    if (f->budget == 0) return 0;
    f->budget--;
    return 1;
}

static int f_read(void *ctx, int copy, uint32_t off, void *buf, uint32_t n)
{
    flash *f = ctx;
    memcpy(buf, f->mem[copy] + off, n);
    return 0;
}

static int f_erase(void *ctx, int copy)
{
    flash *f = ctx;
    for (int i = 0; i < COPY; i++) {
        if (!spend(f)) return ND_EIO;
        f->mem[copy][i] = 0xff;
    }
    return 0;
}

static int f_prog(void *ctx, int copy, uint32_t off, const void *buf, uint32_t n)
{
    flash *f = ctx;
    const uint8_t *b = buf;
    for (uint32_t i = 0; i < n; i++) {
        if (!spend(f)) return ND_EIO;
        f->mem[copy][off + i] &= b[i];
    }
    return 0;
}

static nd_cfgstore_dev dev_of(flash *f)
{
    nd_cfgstore_dev d = {COPY, f, f_read, f_erase, f_prog};
    return d;
}

static void load_is(flash *f, const char *want)
{
    nd_cfgstore_dev d = dev_of(f);
    char buf[COPY];
    size_t n = 0;
    assert_int_equal(nd_cfgstore_load(&d, buf, sizeof buf, &n, NULL), ND_OK);
    assert_int_equal(n, strlen(want));
    assert_memory_equal(buf, want, n);
}

static void empty_store(void **st)
{
    (void)st;
    flash f;
    memset(&f, 0xff, sizeof f.mem); /* erased flash */
    f.budget = -1;
    nd_cfgstore_dev d = dev_of(&f);
    char buf[64];
    size_t n;
    assert_int_equal(nd_cfgstore_load(&d, buf, sizeof buf, &n, NULL), ND_ENOTFOUND);
    memset(&f, 0, sizeof f.mem); /* zeroed RAM (QEMU's first boot) */
    assert_int_equal(nd_cfgstore_load(&d, buf, sizeof buf, &n, NULL), ND_ENOTFOUND);
}

static void save_load_alternate(void **st)
{
    (void)st;
    flash f;
    memset(&f, 0, sizeof f.mem);
    f.budget = -1;
    nd_cfgstore_dev d = dev_of(&f);
    char msg[32];
    for (int i = 1; i <= 5; i++) {
        snprintf(msg, sizeof msg, "{\"v\": %d}", i);
        assert_int_equal(nd_cfgstore_save(&d, msg, strlen(msg)), ND_OK);
        uint32_t seq = 0;
        char buf[COPY];
        size_t n;
        assert_int_equal(nd_cfgstore_load(&d, buf, sizeof buf, &n, &seq), ND_OK);
        assert_int_equal(seq, (uint32_t)i);
        assert_string_equal(buf, msg);
    }
    char big[COPY];
    memset(big, 'x', sizeof big);
    assert_int_equal(nd_cfgstore_save(&d, big, COPY - ND_CFGSTORE_HDR + 1), ND_ELIMIT);
    load_is(&f, msg);
    char small[4];
    size_t n;
    assert_int_equal(nd_cfgstore_load(&d, small, sizeof small, &n, NULL), ND_ELIMIT);
}

/* The point of the store: cut the power after k bytes of flash work, for
** every k a save takes, with the old config in either copy. */
static void power_cut_every_byte(void **st)
{
    (void)st;
    const char *old = "{\"devfid\": \"old\", \"socport\": 9008}";
    const char *neu = "{\"devfid\": \"new-name\", \"socport\": 9009, \"utc\": 60}";
    for (int prior = 1; prior <= 2; prior++) { /* old is in copy A (1 save) or B (2 saves) */
        long total = -1;
        for (long k = 0;; k++) {
            flash f;
            memset(&f, 0xff, sizeof f.mem);
            f.budget = -1;
            nd_cfgstore_dev d = dev_of(&f);
            for (int i = 0; i < prior; i++)
                assert_int_equal(nd_cfgstore_save(&d, old, strlen(old)), ND_OK);
            f.budget = k;
            int rc = nd_cfgstore_save(&d, neu, strlen(neu));
            f.budget = -1;
            if (rc == ND_OK) {
                load_is(&f, neu);
                total = k;
                break;
            }
            assert_int_equal(rc, ND_EIO);
            /* cut short: the old config, whatever byte the cut hit */
            load_is(&f, old);
            /* and the next save after the power comes back works */
            assert_int_equal(nd_cfgstore_save(&d, neu, strlen(neu)), ND_OK);
            load_is(&f, neu);
        }
        /* erase + data + header: every byte of the save was a cut point */
        assert_int_equal(total, COPY + (long)strlen(neu) + ND_CFGSTORE_HDR);
    }
}

static void corrupt_copies(void **st)
{
    (void)st;
    flash f;
    memset(&f, 0xff, sizeof f.mem);
    f.budget = -1;
    nd_cfgstore_dev d = dev_of(&f);
    assert_int_equal(nd_cfgstore_save(&d, "{\"a\": 1}", 8), ND_OK); /* copy 0, seq 1 */
    assert_int_equal(nd_cfgstore_save(&d, "{\"a\": 2}", 8), ND_OK); /* copy 1, seq 2 */
    f.mem[1][ND_CFGSTORE_HDR + 3] ^= 0x10; /* newest copy's data flipped */
    load_is(&f, "{\"a\": 1}");
    /* the next save overwrites the corrupt copy, not the good old one */
    assert_int_equal(nd_cfgstore_save(&d, "{\"a\": 3}", 8), ND_OK);
    load_is(&f, "{\"a\": 3}");
    f.mem[0][ND_CFGSTORE_HDR] ^= 1;
    f.mem[1][ND_CFGSTORE_HDR] ^= 1;
    char buf[64];
    size_t n;
    assert_int_equal(nd_cfgstore_load(&d, buf, sizeof buf, &n, NULL), ND_EIO);
    f.mem[1][5] ^= 0x10; /* a length beyond the copy is corrupt too, not a crash */
    assert_int_equal(nd_cfgstore_load(&d, buf, sizeof buf, &n, NULL), ND_EIO);
}

static void seq_wraps(void **st)
{
    (void)st;
    flash f;
    memset(&f, 0xff, sizeof f.mem);
    f.budget = -1;
    nd_cfgstore_dev d = dev_of(&f);
    assert_int_equal(nd_cfgstore_save(&d, "x", 1), ND_OK);
    /* forge copy 0 at seq 0xffffffff, then save: seq 0 must count as newer */
    uint8_t sl[8] = {0xff, 0xff, 0xff, 0xff, 1, 0, 0, 0};
    uint32_t crc = nd_crc32(nd_crc32(0, sl, 8), "x", 1);
    uint8_t h[16] = {0xff, 0xff, 0xff, 0xff, 1, 0, 0, 0, (uint8_t)crc, (uint8_t)(crc >> 8),
                     (uint8_t)(crc >> 16), (uint8_t)(crc >> 24), 'N', 'D', 'C', 'F'};
    memcpy(f.mem[0], h, 16);
    assert_int_equal(nd_cfgstore_save(&d, "y", 1), ND_OK);
    load_is(&f, "y");
    assert_int_equal(nd_crc32(0, "123456789", 9), 0xCBF43926u); /* the CRC-32 check value */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(empty_store),         cmocka_unit_test(save_load_alternate),
        cmocka_unit_test(power_cut_every_byte), cmocka_unit_test(corrupt_copies),
        cmocka_unit_test(seq_wraps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
