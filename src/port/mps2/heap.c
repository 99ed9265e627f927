/*
** heap.c -- the firmware's malloc, free, calloc and realloc, instead of
** newlib's.
**
** Why: newlib's allocator (mallocr, freer, reallocr, callocr: ~3 KB of flash
** plus 1 KB of initialised bins) grows with sbrk and never gives memory back
** to it, so the only figure the port had was the sbrk high-water mark: Mem
** usage never went down after a free. This one counts what is in use.
**
** The heap is one region, mps2.ld's _end .. _heap_limit, set up on the first
** malloc. Every block is an 8-byte header and an 8-aligned payload:
**   prev  the size of the block just below (0: the first block), so free
**         merges with a free block below in O(1) without a footer
**   size  this block's size incl. its header, a multiple of 8; bit 0: in use
** A free block keeps its links in the free list (doubly linked: a neighbour
** that merges leaves the list in O(1)) in its payload. The region ends with a
** 0-size in-use header, the last block's upper neighbour, never merged.
** malloc is first fit over the free list; free merges both neighbours at
** once, so there are never two free blocks side by side, and after the last
** free the region is one block again. A request that does not fit returns
** NULL (the core reports it); errno is not set, no caller reads it.
**
** No locks: the firmware is one loop without threads, and no interrupt
** handler allocates (SysTick counts, the Ethernet driver is polled, lwIP has
** its own static heap).
**
** Checks kept on (a few compares per free): a pointer outside the region or
** not 8-aligned, a block not in use (double free), a header whose size does
** not lead to a header that names it back (overrun from the block below or
** of the block itself) are logged as "[ERR] heap: ..." on the UART and the
** call is ignored, never turned into a corrupt free list.
**
** ND_HEAP_HOST (tests/unit/test_fw_heap.c) compiles only the nd_heap_* core,
** over a static array, without the libc names and the UART.
*/
#include <stdint.h>
#include <string.h>

#include "heap.h"

#ifndef ND_HEAP_HOST
#include "mps2.h"
#define ND_HEAP_ERR(why, p) nd_fw_diag("[ERR] heap: %s %p\r\n", why, p)
#endif

typedef struct blk {
    uint32_t prev, size;       /* the header */
    struct blk *fnext, *fprev; /* free blocks only: the free list */
} blk;

#define HDR 8u
#define USED 1u
#define MIN_BLK ((uint32_t)((sizeof(blk) + 7u) & ~7u)) /* room for the links */
#define NEXT(b) ((blk *)((char *)(b) + ((b)->size & ~USED)))

static struct {
    blk *free;       /* the free list */
    char *base;      /* the first block */
    blk *end;        /* the sentinel */
    size_t used, peak;
} h;

static void unlink_free(blk *b)
{
    if (b->fprev) b->fprev->fnext = b->fnext;
    else h.free = b->fnext;
    if (b->fnext) b->fnext->fprev = b->fprev;
}

/* b (not in use, not listed) joins the free list, merged with a free
   neighbour on either side */
static void release(blk *b)
{
    blk *n = NEXT(b);
    if (!(n->size & USED)) {
        unlink_free(n);
        b->size += n->size;
    }
    blk *p = (blk *)((char *)b - b->prev);
    if (b->prev && !(p->size & USED)) {
        p->size += b->size; /* p is listed already */
        b = p;
    } else {
        b->fprev = NULL;
        b->fnext = h.free;
        if (h.free) h.free->fprev = b;
        h.free = b;
    }
    NEXT(b)->prev = b->size;
}

/* b (not in use, not listed, not counted) becomes a block of `need` bytes in
   use; what is left over, if it can hold a block, is released */
static void take(blk *b, uint32_t need)
{
    uint32_t sz = b->size, rest = sz - need;
    if (rest >= MIN_BLK) sz = need;
    b->size = sz | USED; /* before release: the rest must not merge down into b */
    if (rest >= MIN_BLK) {
        blk *r = (blk *)((char *)b + need);
        r->prev = need;
        r->size = rest;
        release(r);
    }
    if ((h.used += sz) > h.peak) h.peak = h.used;
}

void nd_heap_init(void *base, size_t size)
{
    uintptr_t a = ((uintptr_t)base + 7u) & ~(uintptr_t)7u;
    uintptr_t e = ((uintptr_t)base + size) & ~(uintptr_t)7u;
    blk *b = (blk *)a;
    memset(&h, 0, sizeof h);
    h.base = (char *)a;
    h.end = (blk *)(e - HDR);
    b->prev = 0;
    b->size = (uint32_t)(e - HDR - a);
    h.end->size = USED;
    release(b); /* lists b and sets the sentinel's prev */
}

/* the block size for an n-byte request; 0: it can never fit */
static uint32_t block_size(size_t n)
{
    if (n > (size_t)((char *)h.end - h.base)) return 0;
    uint32_t need = ((uint32_t)n + HDR + 7u) & ~7u;
    return need < MIN_BLK ? MIN_BLK : need;
}

void *nd_heap_malloc(size_t n)
{
#ifndef ND_HEAP_HOST
    extern char _end, _heap_limit;
    if (!h.end) nd_heap_init(&_end, (size_t)(&_heap_limit - &_end));
#endif
    uint32_t need = block_size(n);
    if (need)
        for (blk *b = h.free; b; b = b->fnext)
            if (b->size >= need) {
                unlink_free(b);
                take(b, need);
                return (char *)b + HDR;
            }
    return NULL;
}

/* the block of p if p is a block in use with a sound header, else NULL
   after logging why */
static blk *checked(void *p)
{
    blk *b = (blk *)((char *)p - HDR);
    uint32_t sz;
    const char *why = "bad pointer";
    if (((uintptr_t)p & 7u) || (char *)b < h.base || b >= h.end) {
    } else if (!((sz = b->size) & USED)) {
        why = "double free"; /* or a pointer into a block */
    } else if ((sz &= ~USED) < MIN_BLK || sz > (size_t)((char *)h.end - (char *)b) || NEXT(b)->prev != sz ||
               (b->prev && ((char *)b - h.base < (ptrdiff_t)b->prev ||
                            (((blk *)((char *)b - b->prev))->size & ~USED) != b->prev))) {
        why = "corrupt block";
    } else {
        return b;
    }
    ND_HEAP_ERR(why, p);
    return NULL;
}

void nd_heap_free(void *p)
{
    blk *b;
    if (!p || !(b = checked(p))) return;
    b->size &= ~USED;
    h.used -= b->size;
    release(b);
}

void *nd_heap_calloc(size_t n, size_t size)
{
    size_t t;
    if (__builtin_mul_overflow(n, size, &t)) return NULL;
    void *p = nd_heap_malloc(t);
    if (p) memset(p, 0, t);
    return p;
}

/* in place when the block itself, or it and a free block above it (the
   region's free tail included), hold the new size; else moved */
void *nd_heap_realloc(void *p, size_t n)
{
    blk *b;
    if (!p) return nd_heap_malloc(n);
    uint32_t need = block_size(n);
    if (!(b = checked(p)) || !need) return NULL;
    uint32_t sz = b->size & ~USED, avail = sz;
    blk *nx = NEXT(b);
    if (!(nx->size & USED)) avail += nx->size;
    if (avail >= need) {
        if (avail > sz) unlink_free(nx);
        h.used -= sz;
        b->size = avail;
        NEXT(b)->prev = avail;
        take(b, need);
        return p;
    }
    void *q = nd_heap_malloc(n);
    if (q) {
        memcpy(q, p, sz - HDR);
        nd_heap_free(p);
    }
    return q;
}

void nd_heap_stats(struct nd_heap_stats *s)
{
    size_t big = 0;
    for (blk *b = h.free; b; b = b->fnext)
        if (b->size > big) big = b->size;
    s->size = (size_t)((char *)h.end - h.base);
    s->used = h.used;
    s->peak = h.peak;
    s->free = s->size - h.used;
    s->largest = big ? big - HDR : 0;
}

#ifndef ND_HEAP_HOST
/* ---- the C library's names ---------------------------------------------- */
void *malloc(size_t n) __attribute__((alias("nd_heap_malloc")));
void free(void *p) __attribute__((alias("nd_heap_free")));
void *calloc(size_t n, size_t size) __attribute__((alias("nd_heap_calloc")));
void *realloc(void *p, size_t n) __attribute__((alias("nd_heap_realloc")));

/* newlib's own members (stdio's buffers, dtoa's big numbers) call the
   reentrant forms; defined here they keep mallocr & co out of the link. They
   are called from libc code that joins the link after the LTO code is made:
   `used, externally_visible` keeps LTO from dropping them. */
struct _reent;
#define ND_LIBC_HOOK __attribute__((used, externally_visible))
ND_LIBC_HOOK void *_malloc_r(struct _reent *r, size_t n) { return nd_heap_malloc(n); }
ND_LIBC_HOOK void _free_r(struct _reent *r, void *p) { nd_heap_free(p); }
ND_LIBC_HOOK void *_calloc_r(struct _reent *r, size_t n, size_t size) { return nd_heap_calloc(n, size); }
ND_LIBC_HOOK void *_realloc_r(struct _reent *r, void *p, size_t n) { return nd_heap_realloc(p, n); }

/* the figures the port reports (sys_mps2.c): what is in use now, of all */
size_t nd_fw_heap_used(void) { return h.used; }
size_t nd_fw_heap_size(void)
{
    extern char _end, _heap_limit;
    return (size_t)(&_heap_limit - &_end);
}
#endif
