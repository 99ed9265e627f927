/*
** test_devkit.c -- the pure helpers of the device modules: fade.h
** (monotonic, exact end, robust to late steps) and rtttl.h (notes,
** durations, errors). One row per case.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "nodus/fade.h"
#include "nodus/rtttl.h"
#include "nodus/value.h"

static void test_fade_monotonic_and_exact(void **st)
{
    (void)st;
    static const int from[][4] = {{0, 255, 10, 7}, {255, 0, 10, 0}, {3, 3, 3, 3}};
    static const int to[][4] = {{255, 0, 10, 1000}, {0, 255, 0, 1}, {3, 3, 3, 3}};
    static const uint32_t durs[] = {1, 7, 300, 1000, 30000};
    for (size_t r = 0; r < 3; r++)
        for (size_t d = 0; d < sizeof durs / sizeof durs[0]; d++) {
            nd_fade f;
            int prev[4], v[4];
            nd_fade_start(&f, from[r], to[r], 4, UINT64_C(5000), durs[d]);
            nd_fade_at(&f, 4000, prev); /* before the start: still at from */
            assert_memory_equal(prev, from[r], sizeof prev);
            for (uint64_t t = 5000; t <= 5000 + durs[d] + 5; t += 1 + durs[d] / 97) {
                bool done = nd_fade_at(&f, t, v);
                for (int i = 0; i < 4; i++) {
                    int dir = to[r][i] > from[r][i] ? 1 : to[r][i] < from[r][i] ? -1 : 0;
                    assert_true((v[i] - prev[i]) * dir >= 0);       /* never steps back */
                    assert_true((v[i] - to[r][i]) * dir <= 0);      /* never overshoots */
                }
                assert_int_equal(done, t >= 5000 + durs[d]);
                memcpy(prev, v, sizeof v);
            }
            assert_true(nd_fade_at(&f, 5000 + durs[d], v));
            assert_memory_equal(v, to[r], sizeof v);
        }
    /* zero duration: at the target at once; a step skipped does not delay the end */
    nd_fade f;
    int a = 0, b = 100, v;
    nd_fade_start(&f, &a, &b, 1, 10, 0);
    assert_true(nd_fade_at(&f, 10, &v));
    assert_int_equal(v, 100);
    nd_fade_start(&f, &a, &b, 1, 0, 1000);
    assert_false(nd_fade_at(&f, 500, &v));
    assert_int_equal(v, 50);
    assert_true(nd_fade_at(&f, 99999, &v));
    assert_int_equal(v, 100);
}

static const struct {
    const char *tune;
    const char *notes; /* "hz/ms " each, or the error substring after '!' */
} rt_rows[] = {
    {"t:d=4,o=5,b=120:a", "880/500 "},
    {"t:d=4,o=4,b=60:a,8a,a.,p,16c#5", "440/1000 440/500 440/1500 0/1000 554/250 "},
    {"t::c", "1047/952 "},                     /* defaults d=4 o=6 b=63 */
    {"t:b=240:8e6,4b#4", "1319/125 523/250 "}, /* b# is c of the next octave */
    {"t:d=4,o=5,b=100:2a.5", "880/1800 "},
    {"t:d=4,o=5,b=100:", ""},
    {"notune", "!name:settings:notes"},
    {"t:d=3:c", "!d=3 out of range"},
    {"t:o=9:c", "!o=9 out of range"},
    {"t:b=2:c", "!b=2 out of range"},
    {"t:x=2:c", "!setting x=2 out of range"},
    {"t:d=4:c,h,d", "!bad RTTTL note 'h,d'"},
    {"t:d=4:3c", "!bad RTTTL note '3c'"},
    {"t:d=4:c9", "!bad RTTTL note 'c9'"},
    {"t:d=4:c c", "!bad RTTTL note 'c c'"},
};

static void test_rtttl_rows(void **st)
{
    (void)st;
    for (size_t i = 0; i < sizeof rt_rows / sizeof rt_rows[0]; i++) {
        nd_rtttl r;
        char err[ND_ERRMSG] = "", got[256] = "";
        int hz, ms, rc = nd_rtttl_open(&r, rt_rows[i].tune, err, sizeof err);
        while (rc == ND_OK && (rc = nd_rtttl_next(&r, &hz, &ms, err, sizeof err)) == 1) {
            size_t l = strlen(got);
            snprintf(got + l, sizeof got - l, "%d/%d ", hz, ms);
            rc = ND_OK;
        }
        const char *want = rt_rows[i].notes;
        if (want[0] == '!') {
            if (rc >= 0 || !strstr(err, want + 1))
                fail_msg("row %zu '%s': rc %d err '%s'", i, rt_rows[i].tune, rc, err);
        } else if (rc != 0 || strcmp(got, want) != 0) {
            fail_msg("row %zu '%s': rc %d got '%s' err '%s'", i, rt_rows[i].tune, rc, got, err);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fade_monotonic_and_exact),
        cmocka_unit_test(test_rtttl_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
