/*
** test_fw_heap.c -- the firmware's heap (src/port/mps2/heap.c), compiled
** here over a static array (ND_HEAP_HOST): seeded random malloc / calloc /
** realloc / free sequences against a shadow list of live blocks, checking
** after every step alignment, no overlap, contents kept across realloc, and
** an independent walk of the region (every header, the free list, the
** counters). Then the edges: exhaustion, the whole region back as one block
** after the last free, in-place realloc, calloc overflow, double free and an
** overrun header logged and ignored.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

static int heap_errs;
static char heap_why[32];
#define ND_HEAP_HOST 1
#define ND_HEAP_ERR(why, p) (heap_errs++, snprintf(heap_why, sizeof heap_why, "%s", why), (void)(p))
#include "../../src/port/mps2/heap.c"

#define REGION 16384
static _Alignas(8) unsigned char region[REGION + 8];

#define ND_XORSHIFT_SEED 0x2545f4914f6cdd1dull
#include "xorshift.h"

/* the region walked header by header, independent of the counters: returns
   the number of free blocks; fails on any inconsistency */
static size_t walk(size_t *used_out, size_t *largest_out)
{
    size_t used = 0, nfree = 0, largest = 0;
    uint32_t prev = 0;
    int prev_free = 0;
    blk *b = (blk *)h.base;
    while (b != h.end) {
        uint32_t sz = b->size & ~USED;
        assert_true(((uintptr_t)b & 7u) == 0);
        assert_int_equal(b->prev, prev);
        assert_true(sz >= MIN_BLK && (sz & 7u) == 0);
        assert_true((char *)b + sz <= (char *)h.end);
        if (b->size & USED) {
            used += sz;
            prev_free = 0;
        } else {
            assert_false(prev_free); /* two free neighbours: a merge was missed */
            prev_free = 1;
            nfree++;
            if (sz - HDR > largest) largest = sz - HDR;
        }
        prev = sz;
        b = (blk *)((char *)b + sz);
    }
    assert_int_equal(h.end->prev, prev);
    assert_int_equal(h.end->size, USED);
    size_t listed = 0;
    for (blk *f = h.free, *back = NULL; f; back = f, f = f->fnext) {
        assert_ptr_equal(f->fprev, back);
        assert_false(f->size & USED);
        assert_true(++listed <= nfree);
    }
    assert_int_equal(listed, nfree);
    assert_int_equal(used, h.used);
    assert_true(h.peak >= h.used);
    *used_out = used;
    *largest_out = largest;
    return nfree;
}

static void check_stats(void)
{
    size_t used, largest;
    walk(&used, &largest);
    struct nd_heap_stats s;
    nd_heap_stats(&s);
    assert_int_equal(s.used, used);
    assert_int_equal(s.free, s.size - used);
    assert_int_equal(s.largest, largest);
}

#define SLOTS 96
static struct slot {
    unsigned char *p;
    size_t n;
    unsigned char fill;
} slot[SLOTS];

static void fill(struct slot *s)
{
    s->fill = (unsigned char)rndn(256);
    memset(s->p, s->fill, s->n);
}

static void assert_content(const struct slot *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s->p[i] != s->fill) fail_msg("block %p byte %zu: %02x, wrote %02x", (void *)s->p, i, s->p[i], s->fill);
}

static void assert_placed(const struct slot *s)
{
    assert_true(((uintptr_t)s->p & 7u) == 0);
    assert_true(s->p >= region && s->p + s->n <= region + sizeof region);
    for (int j = 0; j < SLOTS; j++)
        if (slot[j].p && &slot[j] != s && s->p < slot[j].p + slot[j].n && slot[j].p < s->p + s->n)
            fail_msg("blocks overlap: %p+%zu and %p+%zu", (void *)s->p, s->n, (void *)slot[j].p, slot[j].n);
}

/* a NULL must mean that no free block holds the request */
static void assert_no_room(size_t n)
{
    size_t used, largest;
    walk(&used, &largest);
    assert_true(n > largest);
}

static size_t rnd_size(void)
{
    unsigned k = rndn(100);
    return k < 70 ? rndn(64) : k < 95 ? rndn(1024) : k < 99 ? rndn(6000) : REGION + rndn(100);
}

static void free_all(void)
{
    for (int i = 0; i < SLOTS; i++) {
        if (slot[i].p) assert_content(&slot[i], slot[i].n);
        nd_heap_free(slot[i].p);
        slot[i].p = NULL;
    }
}

static void assert_one_block(void)
{
    size_t used, largest;
    assert_int_equal(walk(&used, &largest), 1);
    assert_int_equal(used, 0);
    assert_int_equal(largest, (size_t)((char *)h.end - h.base) - HDR);
}

static void test_random(void **state)
{
    (void)state;
    nd_heap_init(region + 3, REGION); /* an odd base: rounded up to 8 */
    assert_true(((uintptr_t)h.base & 7u) == 0 && h.base >= (char *)region + 3);
    assert_one_block();
    size_t nulls = 0, inplace = 0;
    for (int op = 0; op < 100000; op++) {
        struct slot *s = &slot[rndn(SLOTS)];
        size_t n = rnd_size();
        unsigned k = rndn(10);
        if (!s->p && k < 6) {
            s->p = k < 4 ? nd_heap_malloc(n) : nd_heap_calloc(1, n);
            if (!s->p) {
                nulls++;
                assert_no_room(n);
                continue;
            }
            s->n = n;
            assert_placed(s);
            if (k >= 4)
                for (size_t i = 0; i < n; i++) assert_int_equal(s->p[i], 0);
            fill(s);
        } else if (s->p && k < 5) {
            assert_content(s, s->n);
            nd_heap_free(s->p);
            s->p = NULL;
        } else if (s->p) {
            unsigned char *q = nd_heap_realloc(s->p, n);
            if (!q) { /* the old block stays as it was */
                nulls++;
                assert_no_room(n);
                assert_content(s, s->n);
                continue;
            }
            inplace += q == s->p;
            s->p = q;
            assert_content(s, n < s->n ? n : s->n);
            s->n = n;
            assert_placed(s);
            fill(s);
        }
        check_stats();
    }
    assert_int_equal(heap_errs, 0);
    assert_true(nulls > 100);   /* exhaustion was reached */
    assert_true(inplace > 1000); /* and realloc stayed in place often */
    free_all();
    assert_one_block();
    struct nd_heap_stats st;
    nd_heap_stats(&st);
    assert_true(st.peak > REGION / 2);
}

static void test_exhaust_and_merge(void **state)
{
    (void)state;
    nd_heap_init(region, REGION);
    int n = 0;
    while (n < SLOTS && (slot[n].p = nd_heap_malloc(200)) != NULL) {
        slot[n].n = 200;
        fill(&slot[n++]);
    }
    assert_true(n > 10 && n < SLOTS);
    assert_null(nd_heap_malloc(200));
    assert_null(nd_heap_malloc(REGION));
    assert_null(nd_heap_malloc(SIZE_MAX));
    /* free every other one, then the rest: each free merges with both sides */
    for (int i = 0; i < n; i += 2) {
        nd_heap_free(slot[i].p);
        slot[i].p = NULL;
    }
    check_stats();
    free_all();
    assert_one_block();
    assert_int_equal(heap_errs, 0);
    void *all = nd_heap_malloc(REGION - 2 * HDR); /* the whole region, once more */
    assert_non_null(all);
    assert_null(nd_heap_malloc(0));
    nd_heap_free(all);
    assert_one_block();
}

static void test_realloc_in_place(void **state)
{
    (void)state;
    nd_heap_init(region, REGION);
    unsigned char *a = nd_heap_malloc(100), *b = nd_heap_malloc(100), *c = nd_heap_malloc(100);
    unsigned char *d = nd_heap_malloc(50); /* the last block: the free tail above it */
    memset(a, 'a', 100);
    memset(d, 'd', 50);
    nd_heap_free(b);
    assert_ptr_equal(nd_heap_realloc(a, 200), a); /* grows into the free b */
    for (int i = 0; i < 100; i++) assert_int_equal(a[i], 'a');
    assert_ptr_equal(nd_heap_realloc(a, 16), a); /* shrinks in place */
    check_stats();
    assert_ptr_equal(nd_heap_realloc(d, 8000), d);
    for (int i = 0; i < 50; i++) assert_int_equal(d[i], 'd');
    unsigned char *a2 = nd_heap_realloc(a, 1000); /* c is in the way: moved */
    assert_ptr_not_equal(a2, a);
    for (int i = 0; i < 16; i++) assert_int_equal(a2[i], 'a');
    assert_null(nd_heap_realloc(d, REGION)); /* too big: d stays */
    assert_null(nd_heap_realloc(d, SIZE_MAX));
    for (int i = 0; i < 50; i++) assert_int_equal(d[i], 'd');
    unsigned char *e = nd_heap_realloc(NULL, 10);
    assert_non_null(e);
    check_stats();
    nd_heap_free(a2);
    nd_heap_free(c);
    nd_heap_free(d);
    nd_heap_free(e);
    assert_one_block();
    assert_int_equal(heap_errs, 0);
}

static void test_calloc_zero_overflow(void **state)
{
    (void)state;
    nd_heap_init(region, REGION);
    unsigned char *p = nd_heap_malloc(1000);
    memset(p, 0xAA, 1000);
    nd_heap_free(p);
    unsigned char *q = nd_heap_calloc(10, 100); /* the same memory, zeroed */
    assert_ptr_equal(q, p);
    for (int i = 0; i < 1000; i++) assert_int_equal(q[i], 0);
    assert_null(nd_heap_calloc(SIZE_MAX / 2 + 1, 2)); /* the product wraps to 0 */
    assert_null(nd_heap_calloc((SIZE_MAX >> 4) + 1, 32));
    assert_null(nd_heap_calloc(1u << 20, 1u << 20));
    nd_heap_free(q);
    assert_one_block();
}

static void test_misuse_logged(void **state)
{
    (void)state;
    nd_heap_init(region, REGION);
    heap_errs = 0;
    unsigned char *a = nd_heap_malloc(24), *b = nd_heap_malloc(24), *c = nd_heap_malloc(24);
    nd_heap_free(b);
    nd_heap_free(b);
    assert_int_equal(heap_errs, 1);
    assert_string_equal(heap_why, "double free");
    check_stats(); /* ignored: nothing changed */
    nd_heap_free(a + 4);
    nd_heap_free(region + sizeof region - 8);
    assert_null(nd_heap_realloc((char *)h.end + HDR, 10));
    nd_heap_free(a + 8); /* into a block: its payload is no header in use */
    assert_int_equal(heap_errs, 5);
    assert_string_equal(heap_why, "double free");
    check_stats();
    /* x writes past its end into the header of y, its upper neighbour */
    unsigned char *x = nd_heap_malloc(40), *y = nd_heap_malloc(40); /* b's hole is too small */
    size_t room = ((((blk *)(x - HDR))->size) & ~USED) - HDR;
    assert_ptr_equal(x + room + HDR, y);
    size_t used = h.used;
    unsigned char saved[8];
    memcpy(saved, x + room, 8);
    memset(x + room, 0x55, 8);
    nd_heap_free(x); /* y's header does not name x back */
    assert_int_equal(heap_errs, 6);
    assert_string_equal(heap_why, "corrupt block");
    nd_heap_free(y); /* y's header names no block below */
    assert_int_equal(heap_errs, 7);
    assert_int_equal(h.used, used); /* both ignored */
    memcpy(x + room, saved, 8);
    nd_heap_free(x);
    nd_heap_free(y);
    nd_heap_free(a);
    nd_heap_free(c);
    assert_int_equal(heap_errs, 7);
    assert_one_block();
    nd_heap_free(NULL);
    assert_int_equal(heap_errs, 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_exhaust_and_merge),
        cmocka_unit_test(test_realloc_in_place),
        cmocka_unit_test(test_calloc_zero_overflow),
        cmocka_unit_test(test_misuse_logged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
