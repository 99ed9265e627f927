/*
** web_int.h -- internals shared by the files of the WebCli door: the
** connection (web.c), the REST and config endpoints (rest.c), the file
** endpoints (webfs.c), the live-event stream (web_events.c) and metrics
** (metrics.c).
**
** A connection is a small state machine driven by socket readiness and one
** timer. Its memory is bounded: the input buffer holds at most one request
** head plus a non-streamed body (ND_WEB_IN_MAX), the output buffer at most
** one rendered reply (ND_WEB_OUT_MAX). Large or endless bodies (files,
** /metrics, /events) are produced piecewise by a `produce` callback that the
** connection calls whenever its output drained below ND_WEB_OUT_LOW, so a
** slow reader never makes the node buffer more.
*/
#ifndef ND_WEB_INT_H
#define ND_WEB_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "http.h"
#include "node_int.h"
#include "nodus/port.h"
#include "web.h"

/* ND_WEB_CONN_MAX comes from nodus/opts.h (via http.h) */
#include "nodus/opts.h" /* the limits; a port may override them */
#define ND_WEB_IN_MAX (ND_HTTP_HEAD_MAX + ND_HTTP_BODY_MAX)
/* A REST reply is at most ND_REPLY_MAX bytes, and JSON string escaping can
** make a byte six (\u00XX): the envelope is bounded by this. */
#define ND_WEB_OUT_MAX (6 * ND_REPLY_MAX + 4096)

enum {
    W_WAIT,   /* a complete request waits for a client slot; nothing more is read */
    W_HEAD,   /* reading a request head (or idle between keep-alive requests) */
    W_BODY,   /* head done, waiting for the rest of a buffered body */
    W_UPLOAD, /* streaming a multipart body to disk */
    W_SEND,   /* sending a response (possibly produced piecewise) */
    W_SSE,    /* an /events stream: produced forever */
    W_LINGER, /* final response sent, write side shut: drain input, then close */
};

typedef struct nd_wconn nd_wconn;
/* Fill c->out with more of the body. Returns 1 when the body is complete,
** 0 when more will come (call again once the output drained), negative to
** abort the connection (the promised Content-Length can no longer be met). */
typedef int (*nd_wproduce_fn)(nd_wconn *c);

struct nd_wconn {
    struct nd_web *web;
    nd_sock *sock;
    nd_wconn *prev, *next;   /* web->conns */
    int state;               /* W_* */
    bool admitted;           /* holds a client slot while its request is served */
    bool authed;             /* the current request carried the right password */
    bool held;               /* a failed login's reply is held back (the timer releases it) */
    bool keep_alive;         /* the current request allows another one after it */
    bool close_after;        /* close once the current response is out */
    bool head_only;          /* HEAD: headers without the body */
    bool got_bytes;          /* bytes of the next request arrived: the head timer runs */
    bool kick;               /* the timer fires to resume pipelined input */
    uint32_t nreq;           /* requests answered on this connection */
    uint64_t since;          /* accept time; an events stream: its start */
    nd_slot_waiter wait;     /* W_WAIT: in the node's waiting room */
    char peer[64];           /* ip:port of the client */
    uint64_t progress;       /* last time bytes moved, see note_progress (mono ms) */
    size_t moved;            /* bytes moved since then */
    nd_timer timer;
    /* input: bytes [inoff, inn) of in are unprocessed */
    char *in;
    size_t inn, inoff, incap;
    size_t need;             /* W_BODY: bytes of head + body to wait for */
    /* output: bytes [outoff, out.n) are still to send */
    nd_buf out;
    size_t outoff;
    /* piecewise body */
    nd_wproduce_fn produce;
    void *ps;                /* producer or upload state, freed with free() */
    int64_t body_left;       /* W_UPLOAD: body bytes still to come */
    nd_ev_reader ev;         /* W_SSE: its place in the node's live events */
};

/* HTTP status codes counted for /metrics (the last slot counts the rest). */
#define ND_WEB_NSTATUS 17
extern const int nd_web_status_codes[ND_WEB_NSTATUS];

struct nd_web {
    struct nd_node *node;
    nd_sock *ls;
    char problem[200];       /* why there is no listener */
    nd_wconn *conns;         /* every connection */
    int nconns, nsse;        /* every connection, /events streams */
    nd_slot_door door;       /* this door's share of the node's client slots */
    nd_wconn *cur;           /* the connection whose request is being handled */
    nd_timer reboot;         /* /config/reboot */
    nd_http_req req;         /* the request being handled (spans into its connection's input) */
    nd_buf body;             /* scratch for a response body being built */
    char line[ND_HTTP_URL_MAX + 64]; /* scratch for a decoded path or command line */
    uint64_t upload_seq;
    /* metrics */
    uint64_t accepted, busy;
    uint64_t status[ND_WEB_NSTATUS];
};

/* ---- responses (web.c) ---------------------------------------------------- */
/* Status line and headers; `extra` is "" or complete "name: value\r\n" lines.
** length < 0: no Content-Length (an event stream). */
void nd_web_head(nd_wconn *c, int status, const char *ctype, const char *extra, int64_t length);
/* A whole response with the body in memory (copied). */
void nd_web_reply(nd_wconn *c, int status, const char *ctype, const char *extra, const void *body,
                  size_t n);
/* A small text/plain error ("Not found\n"); close: end the connection after it. */
void nd_web_error(nd_wconn *c, int status, const char *text, bool close);
/* micrOS's 401 (docs/micros-compat.md §4.6): HTML for browsers, else JSON. */
void nd_web_unauthorized(nd_wconn *c, const nd_http_req *r);
/* Did the request being handled authenticate (x-micros-auth, or
** Authorization: Bearer, equal to appwd)? Decided once per request in web.c
** through auth.c. */
bool nd_web_authorized(struct nd_web *w, const nd_http_req *r);
/* May the request being handled do `act` (ND_ACT_*)? */
bool nd_web_allows(nd_wconn *c, int act);
/* Append body bytes of a produced response (ignored for HEAD). */
void nd_web_put(nd_wconn *c, const void *p, size_t n);
/* Serve a web UI file (user override in <state>/web/ first, then embedded). */
void nd_web_file(nd_wconn *c, const char *rel_in_web, const char *extra);
/* GET/HEAD of a path no endpoint claimed: a web UI file (webfile.c). */
void nd_web_static(nd_wconn *c, const nd_http_req *r);

/* ---- endpoints ------------------------------------------------------------- */
void nd_rest_handle(nd_wconn *c, const nd_http_req *r);                   /* rest.c */
void nd_config_handle(nd_wconn *c, const nd_http_req *r, nd_span body);   /* rest.c */
void nd_config_reboot(nd_wconn *c, const nd_http_req *r);                 /* rest.c */
void nd_web_events_handle(nd_wconn *c, const nd_http_req *r);             /* web_events.c */
void nd_web_events_drop(nd_wconn *c);  /* a stream connection goes away */
void nd_web_events_ping(nd_wconn *c);  /* keepalive timer of a stream */
void nd_metrics_handle(nd_wconn *c, const nd_http_req *r);                /* metrics.c */
/* webfs.c: true when it handled the request */
bool nd_webfs_handle(nd_wconn *c, const nd_http_req *r, nd_span body);
/* webep.c: a module's registered endpoint (true: handled); the table for /rest */
bool nd_webep_handle(nd_wconn *c, const nd_http_req *r, nd_span body);
int nd_webep_count(void);
const char *nd_webep_path(int i);
/* webfs.c: GET /$data/..., /$logs/... (read-only mounts); false: not one */
bool nd_webfs_mount_get(nd_wconn *c, const nd_http_req *r);
/* webfs.c: the upload area exists, and holds no stale partial uploads. */
void nd_webfs_start(struct nd_web *w);
/* webfs.c: is this the upload endpoint (its body is streamed, not buffered)? */
bool nd_webfs_is_upload(const nd_http_req *r);
/* Start streaming an upload whose head is r; the door then feeds the body. */
void nd_webfs_upload_begin(nd_wconn *c, const nd_http_req *r);
/* Body bytes of an upload; the last call has last = true (body complete). */
void nd_webfs_upload_feed(nd_wconn *c, const char *p, size_t n, bool last);

/* (Re)arm the connection's one timer; its meaning follows the state. */
void nd_web_arm(nd_wconn *c, uint64_t delay_ms);
/* Resume a connection after its output or state changed outside its own
** event (live events). Returns false when the connection was freed. */
bool nd_web_drive(nd_wconn *c);

#endif
