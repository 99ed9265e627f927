/*
** resolve.c -- host names to IPv4 (or, when asked, IPv6) addresses
** without blocking the loop (port.h nd_port_resolve).
**
** getaddrinfo() may wait seconds on a DNS server, so it never runs on the
** loop thread. One worker thread takes requests from a bounded queue, runs
** getaddrinfo (which reads /etc/hosts first, then DNS and any nss plug-in
** such as nss-mdns), and puts the answer on a done list; a byte on a pipe
** wakes the loop, which reports the answers from its own thread. A request
** cancelled while the worker is busy with it is dropped when it comes back.
**
** Limits: ND_RESOLVE_PENDING requests at once (past that ND_ELIMIT), one
** lookup at a time (a slow DNS server delays the others; their callers
** keep their own timeouts). The thread starts on first use.
*/
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <threads.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nodus/port.h"
#include "posix.h"

#define ND_RESOLVE_PENDING 32
#define ND_RESOLVE_NAME_MAX 254

struct nd_resolve_req {
    nd_resolve_req *next;
    nd_resolve_fn fn; /* NULL once cancelled */
    void *ud;
    int rc;
    int flags;               /* ND_RESOLVE_* */
    char ip[ND_IP_TEXT_MAX]; /* IPv4 fits in 16: only ND_RESOLVE_ANY lookups fill more */
    char name[ND_RESOLVE_NAME_MAX];
};

static mtx_t mu;
static cnd_t cv;
static nd_resolve_req *todo, *done; /* FIFO queue (todo), LIFO done list */
static int pending;                 /* requests not yet reported */
static bool started, quit, exited;
static int wake_rd = -1, wake_wr = -1;
static nd_sock *wake_sock;

/* AF_UNSPEC only when the caller takes IPv6, and then an IPv4 answer still
** wins: micrOS nodes are IPv4, and a name with both is reached as before. */
static void lookup(nd_resolve_req *r)
{
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = (r->flags & ND_RESOLVE_ANY) ? AF_UNSPEC : AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    int e = getaddrinfo(r->name, NULL, &hints, &res);
    const struct addrinfo *v4 = NULL, *v6 = NULL;
    for (const struct addrinfo *a = e == 0 ? res : NULL; a; a = a->ai_next) {
        if (a->ai_family == AF_INET && !v4) v4 = a;
        /* a scoped (link-local) address needs its interface, which the
        ** text answer does not carry and nd_net_connect would not take */
        if (a->ai_family == AF_INET6 && !v6 && !((struct sockaddr_in6 *)a->ai_addr)->sin6_scope_id)
            v6 = a;
    }
    if (v4) {
        inet_ntop(AF_INET, &((struct sockaddr_in *)v4->ai_addr)->sin_addr, r->ip, 16);
        r->rc = ND_OK;
    } else if (v6 && (r->flags & ND_RESOLVE_ANY)) {
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)v6->ai_addr)->sin6_addr, r->ip, sizeof r->ip);
        r->rc = ND_OK;
    } else if (e == 0) {
        r->rc = ND_ENOTFOUND; /* only addresses of a family the caller cannot use */
    } else {
        r->rc = (e == EAI_NONAME || e == EAI_NODATA || e == EAI_FAIL || e == EAI_ADDRFAMILY)
                    ? ND_ENOTFOUND
                    : ND_EIO;
    }
    if (res) freeaddrinfo(res);
}

static int worker(void *arg)
{
    (void)arg;
    mtx_lock(&mu);
    for (;;) {
        while (!todo && !quit) cnd_wait(&cv, &mu);
        if (quit) break;
        nd_resolve_req *r = todo;
        todo = r->next;
        mtx_unlock(&mu);
        lookup(r);
        mtx_lock(&mu);
        r->next = done;
        done = r;
        char b = 1;
        if (write(wake_wr, &b, 1) < 0) { /* pipe full: the loop is already woken */
        }
    }
    exited = true;
    cnd_broadcast(&cv);
    mtx_unlock(&mu);
    return 0; /* thread exit frees glibc's per-thread resolver state */
}

/* Loop side: report every finished request. Callbacks run unlocked, so
** they may start new requests. */
static void on_wake(nd_sock *s, int ev, void *ud)
{
    (void)s, (void)ev, (void)ud;
    char buf[64];
    while (read(wake_rd, buf, sizeof buf) > 0) {
    }
    mtx_lock(&mu);
    nd_resolve_req *list = done;
    done = NULL;
    mtx_unlock(&mu);
    while (list) {
        nd_resolve_req *r = list;
        list = r->next;
        mtx_lock(&mu);
        nd_resolve_fn fn = r->fn;
        pending--;
        mtx_unlock(&mu);
        if (fn) fn(r->ud, r->rc, r->rc == ND_OK ? r->ip : "");
        free(r);
    }
}

static int start(void)
{
    int p[2];
    if (pipe2(p, O_NONBLOCK | O_CLOEXEC) < 0) return ND_EIO;
    wake_rd = p[0];
    wake_wr = p[1];
    wake_sock = nd_posix_sock_add(wake_rd, on_wake, NULL, ND_EV_READ);
    /* the pthread header cannot be used here: the core's sched.h shadows
    ** <sched.h> on the include path, so C11 threads it is */
    thrd_t th;
    int e = -1;
    if (wake_sock && mtx_init(&mu, mtx_plain) == thrd_success && cnd_init(&cv) == thrd_success &&
        thrd_create(&th, worker, NULL) == thrd_success) {
        thrd_detach(th);
        e = 0;
    }
    if (e != 0) {
        if (wake_sock) nd_net_close(wake_sock); /* closes wake_rd */
        else close(wake_rd);
        close(wake_wr);
        wake_sock = NULL;
        wake_rd = wake_wr = -1;
        return ND_EIO;
    }
    started = true;
    return ND_OK;
}

int nd_port_resolve(const char *name, int flags, nd_resolve_fn fn, void *ud, nd_resolve_req **out)
{
    size_t n = strlen(name);
    if (!n || n >= ND_RESOLVE_NAME_MAX || !fn) return ND_EINVAL;
    if (!started && start() != ND_OK) return ND_EIO;
    nd_resolve_req *r = calloc(1, sizeof *r);
    if (!r) return ND_ENOMEM;
    memcpy(r->name, name, n + 1);
    r->flags = flags;
    r->fn = fn;
    r->ud = ud;
    mtx_lock(&mu);
    if (pending >= ND_RESOLVE_PENDING) {
        mtx_unlock(&mu);
        free(r);
        return ND_ELIMIT;
    }
    pending++;
    nd_resolve_req **pp = &todo;
    while (*pp) pp = &(*pp)->next;
    *pp = r;
    cnd_signal(&cv);
    mtx_unlock(&mu);
    if (out) *out = r;
    return ND_OK;
}

void nd_port_resolve_cancel(nd_resolve_req *r)
{
    if (!r) return;
    mtx_lock(&mu);
    r->fn = NULL;
    /* still queued: drop it now; otherwise on_wake frees it */
    for (nd_resolve_req **pp = &todo; *pp; pp = &(*pp)->next)
        if (*pp == r) {
            *pp = r->next;
            pending--;
            mtx_unlock(&mu);
            free(r);
            return;
        }
    mtx_unlock(&mu);
}

/* At exit: let an idle worker end so its thread-local resolver state is
** freed (valgrind-clean). A lookup in flight may wait seconds for a DNS
** server: we give it 100 ms, then exit anyway -- SIGTERM must be quick. */
void nd_port_resolve_shutdown(void)
{
    if (!started) return;
    mtx_lock(&mu);
    quit = true;
    cnd_broadcast(&cv);
    struct timespec until;
    timespec_get(&until, TIME_UTC);
    until.tv_nsec += 100 * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    while (!exited)
        if (cnd_timedwait(&cv, &mu, &until) != thrd_success) break;
    bool gone = exited;
    nd_resolve_req *lists[2] = {todo, gone ? done : NULL};
    todo = NULL;
    if (gone) done = NULL;
    mtx_unlock(&mu);
    for (int i = 0; i < 2; i++)
        while (lists[i]) {
            nd_resolve_req *r = lists[i];
            lists[i] = r->next;
            free(r);
        }
}
