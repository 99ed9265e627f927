/*
** webassets.c -- lookup in the embedded web UI table (the table itself is
** generated at build time: build/nd_webassets.c).
*/
#include <string.h>

#include "webassets.h"

const nd_webasset *nd_webasset_find(const char *path, size_t n)
{
    size_t lo = 0, hi = nd_webassets_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *p = nd_webassets[mid].path;
        size_t pn = strlen(p);
        int c = memcmp(p, path, pn < n ? pn : n);
        if (c == 0) c = pn < n ? -1 : pn > n ? 1 : 0;
        if (c == 0) return &nd_webassets[mid];
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}
