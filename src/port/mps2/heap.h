/*
** heap.h -- the firmware's heap (heap.c): malloc/free/calloc/realloc over the
** RAM between the end of .bss and the stack, with figures that go down again
** after a free (system info's "Mem usage", GC MemFree).
*/
#ifndef ND_FW_HEAP_H
#define ND_FW_HEAP_H

#include <stddef.h>

struct nd_heap_stats {
    size_t size;    /* the region: every block incl. headers */
    size_t used;    /* bytes in blocks handed out (headers included) */
    size_t peak;    /* most `used` has been since init */
    size_t free;    /* size - used */
    size_t largest; /* the largest request that would succeed now */
};

/* the firmware calls none of these itself: malloc() sets the heap up over
   mps2.ld's _end.._heap_limit on first use; the unit test gives its own region */
void nd_heap_init(void *base, size_t size);
void *nd_heap_malloc(size_t n);
void nd_heap_free(void *p);
void *nd_heap_calloc(size_t n, size_t size);
void *nd_heap_realloc(void *p, size_t n);
void nd_heap_stats(struct nd_heap_stats *s);

#endif
