/*
** multipart.h -- streaming multipart/form-data parsing for uploads. Pure
** code: no I/O, no allocation; the caller owns the nd_mpart.
*/
#ifndef ND_MULTIPART_H
#define ND_MULTIPART_H

#include <stddef.h>

#include "cmd.h"
#include "nodus/value.h"

/* Streaming multipart/form-data parser (uploads, docs/micros-compat.md §4.7). The
** door feeds body bytes as they arrive; callbacks get part headers and data
** pieces. Bounded state, no allocation. */
typedef struct nd_mpart nd_mpart;
typedef struct nd_mpart_cb {
    /* a part begins: its Content-Disposition filename= value (decoded) */
    int (*part_begin)(void *ud, const char *filename, const char *name);
    int (*part_data)(void *ud, const char *p, size_t n);
    int (*part_end)(void *ud);
} nd_mpart_cb;
struct nd_mpart {
    char boundary[80];      /* "--" + boundary from the Content-Type */
    size_t blen;
    int state;
    char hold[160];         /* bytes that may be the start of a boundary */
    size_t holdn;
    char hline[512];        /* current part-header line */
    size_t hlinen;
    char filename[128], name[64];
    const nd_mpart_cb *cb;
    void *ud;
};
/* content_type is the request's Content-Type header value. ND_ESYNTAX when
** it is not multipart/form-data with a valid boundary. */
int nd_mpart_init(nd_mpart *m, nd_span content_type, const nd_mpart_cb *cb, void *ud);
/* Feed bytes; ND_OK, ND_ESYNTAX for a broken body, or a callback's error
** (a callback returns ND_OK to go on). Errors are sticky. part_end comes
** when a delimiter ends the part, before the body is known to be whole:
** commit an upload only when nd_mpart_finish() says ND_OK. Part header
** lines longer than hline, a filename or name longer than its array give
** ND_ESYNTAX. */
int nd_mpart_feed(nd_mpart *m, const char *p, size_t n);
/* End of body: ND_OK only if the closing boundary was seen. */
int nd_mpart_finish(nd_mpart *m);

#endif
