/*
** http.h -- HTTP/1.x request parsing for the WebCli door, and the percent-
** decoding of a request's path and query. Pure code: no I/O, no allocation
** beyond the caller's buffers. What is built on a parsed request has its
** own file: the REST tokeniser (rest_path.h), path confinement for the file
** endpoints (safepath.h), upload bodies (multipart.h).
**
** The parser is incremental and zero-copy: the door keeps a connection's
** received bytes in one bounded buffer and calls nd_http_parse() after each
** read; spans in nd_http_req point into that buffer. It answers "need more",
** "complete" (the head, and the body when Content-Length says there is one
** and it fits), or an error that maps to a status code (400, 405, 408 is the
** door's business, 413, 414, 431, 501, 505).
*/
#ifndef ND_HTTP_H
#define ND_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nodus/value.h"
#include "text.h"

#include "nodus/opts.h" /* the limits; a port may override them */

/* in this order: http.c names them by position */
enum { ND_HTTP_GET, ND_HTTP_HEAD, ND_HTTP_POST, ND_HTTP_PUT, ND_HTTP_DELETE, ND_HTTP_OPTIONS };

typedef struct nd_http_hdr {
    nd_span name;  /* as received; compare with nd_span_ieq (case-insensitive) */
    nd_span value; /* leading/trailing white space removed */
} nd_http_hdr;

typedef struct nd_http_req {
    int method;             /* ND_HTTP_* */
    nd_span target;         /* raw request target, e.g. "/rest/system/info?x=1" */
    nd_span path;           /* target up to '?' (still percent-encoded) */
    nd_span query;          /* after '?', may be empty */
    int minor;              /* HTTP/1.<minor>: 0 or 1 */
    bool keep_alive;        /* after Connection: and the version's default */
    int64_t content_length; /* -1 when absent */
    bool chunked;           /* Transfer-Encoding: chunked (refused with 501 by the door) */
    int nhdr;
    nd_http_hdr hdr[ND_HTTP_HEADERS_MAX];
    size_t head_len;        /* bytes of request line + headers incl. the blank line */
    nd_span body;           /* when complete and content_length > 0 */
} nd_http_req;

/* Results of nd_http_parse (negative are errors carrying the status). */
enum {
    ND_HTTP_MORE = 0,       /* incomplete: read more (when buf is full: 431/413) */
    ND_HTTP_DONE = 1,       /* head (and body, if any) complete */
    ND_HTTP_E400 = -400,    /* malformed request line or header */
    ND_HTTP_E405 = -405,    /* unknown method */
    ND_HTTP_E413 = -413,    /* body larger than body_max */
    ND_HTTP_E414 = -414,    /* URL longer than ND_HTTP_URL_MAX */
    ND_HTTP_E431 = -431,    /* headers too large or too many */
    ND_HTTP_E505 = -505,    /* not HTTP/1.0 or HTTP/1.1 */
};

/* Parse the bytes buf[0..n). body_max bounds a body the caller wants whole
** (pass 0 to get only the head: body.n stays 0 and the caller streams).
** Never reads past n; buf need not be NUL-terminated. A result other than
** ND_HTTP_MORE never changes when more bytes are appended. req is complete
** on ND_HTTP_DONE; on ND_HTTP_MORE after a complete head (body still
** arriving) the head fields are already set. */
int nd_http_parse(const char *buf, size_t n, size_t body_max, nd_http_req *req);

/* Case-insensitive header lookup; NULL when absent. */
const nd_http_hdr *nd_http_header(const nd_http_req *req, const char *name);

/* Percent-decode src into dst (cap bytes, NUL-terminated). ND_ESYNTAX on an
** invalid escape (%G1, truncated %4) or a NUL (raw or %00: the result is
** always a C string), ND_ELIMIT when it does not fit; on error dst is "".
** plus_space: '+' means ' ' (query strings only). outn may be NULL. */
int nd_http_pct_decode(nd_span src, char *dst, size_t cap, size_t *outn, bool plus_space);

#endif
