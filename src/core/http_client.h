/*
** http_client.h -- the node's one small HTTP/1.1 client, driven by the
** event loop (no call blocks): name through nd_resolve, a non-blocking
** connect, the request (GET, or a POST with a body), the response head
** (bounded), then the body handed on piece by piece as it arrives
** (Content-Length, chunked, or up to the close), with an idle timeout in
** every phase and a size bound. Update bundles (update.c) and notifications
** (notify.c: webhook, Telegram) both go through it.
**
** http:// only. Update bundles are signed and every file hashed, so their
** transport needs no integrity of its own; a notification endpoint that
** needs https is reached through a local relay (README Notifications).
**
** The parsing pieces are pure functions (URL, response head, chunked
** framing) so the unit tests and tests/fuzz/fuzz_manifest.c reach them.
*/
#ifndef ND_HTTP_CLIENT_H
#define ND_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nodus/value.h" /* ND_OK, ND_E* */

struct nd_node;

#include "nodus/opts.h" /* the limits; a port may override them */

typedef struct nd_url {
    char host[256];
    int port;
    char path[ND_FETCH_URL_MAX];
} nd_url;
/* http://host[:port][/path]; ND_EINVAL with err set otherwise. */
int nd_url_parse(const char *url, nd_url *u, char *err, size_t errn);

/* The response head in buf[0..n) (up to and including the blank line). */
typedef struct nd_http_resp {
    int status;
    bool chunked;
    bool has_length;
    uint64_t length;
    char reason[64];
} nd_http_resp;
int nd_http_resp_parse(const char *buf, size_t n, nd_http_resp *r, char *err, size_t errn);
/* Length of the head when buf[0..n) holds a complete one (ends in a blank
** line), 0 when more is needed. */
size_t nd_http_head_len(const char *buf, size_t n);

/* Chunked transfer coding, undone as bytes arrive. */
typedef struct nd_chunked {
    int st;
    uint64_t left;    /* bytes left in the current chunk */
    int digits, linelen;
    bool done;
} nd_chunked;
void nd_chunked_init(nd_chunked *c);
/* Decode in[0..n): calls out(ud, p, k) for every run of body bytes.
** Returns the bytes consumed (all of them, or fewer when the last chunk
** ended: c->done), or ND_EINVAL on a framing error (err set), or what out
** returned when that was negative. */
typedef int (*nd_body_fn)(void *ud, const void *p, size_t n);
long nd_chunked_feed(nd_chunked *c, const char *in, size_t n, nd_body_fn out, void *ud, char *err,
                     size_t errn);

/* ---- the client --------------------------------------------------------- */
typedef struct nd_fetch nd_fetch;
typedef struct nd_fetch_cb {
    /* The head said 200 OK (or any status, for a request with any_status:
    ** nd_fetch_status tells it); length is the body's size when known (else
    ** 0 and known false). Non-zero stops the fetch (nothing more is called). */
    int (*head)(void *ud, bool known, uint64_t length);
    /* Body bytes, in order. Non-zero stops the fetch. */
    int (*data)(void *ud, const void *p, size_t n);
    /* The end: ND_OK after the whole body, else an error with its text.
    ** Called once, unless head or data stopped the fetch. The fetch holds
    ** no socket and no timer afterwards; free it with nd_fetch_free. */
    void (*done)(void *ud, int rc, const char *err);
} nd_fetch_cb;

/* One request. method NULL means GET; headers are extra header lines, each
** ending in "\r\n" (e.g. an Authorization line); body/bodyn with ctype
** its Content-Type. Without any_status a status other than 200 ends the
** fetch with an error ("the server answered HTTP 404 Not Found"). */
typedef struct nd_fetch_req {
    const char *method;
    const char *url;
    const char *headers;
    const char *ctype;
    const void *body;
    size_t bodyn;
    bool any_status;
} nd_fetch_req;
int nd_fetch_request(struct nd_node *n, const nd_fetch_req *rq, uint32_t idle_ms, uint64_t max_body,
                     const nd_fetch_cb *cb, void *ud, nd_fetch **out, char *err, size_t errn);
int nd_fetch_status(const nd_fetch *f); /* the response's status, 0 before the head */
/* The response head as received (status line and header lines, up to the
** blank line); only valid inside the head callback (nsh's curl -i, -L). */
const char *nd_fetch_head(const nd_fetch *f, size_t *n);

/* Start a GET of url (nd_fetch_request with only a url). idle_ms: the longest wait for progress in any phase;
** max_body: more body bytes than this is an error. ND_OK, or an error with
** err set (nothing started). */
int nd_fetch_start(struct nd_node *n, const char *url, uint32_t idle_ms, uint64_t max_body,
                   const nd_fetch_cb *cb, void *ud, nd_fetch **out, char *err, size_t errn);
/* Stop (if running) and free. Never call it from inside a callback. */
void nd_fetch_free(nd_fetch *f);
const char *nd_fetch_phase(const nd_fetch *f); /* "connecting", "receiving" ... */

#endif
