/*
** cli_files.c -- `nodus put` and `nodus get`: files to and from a node over
** its web door's /fs endpoints, the ones the browser's file manager uses.
**
**   nodus put HOST[:WEBPORT] FILE [--as NAME] [--pwd PASSWORD]
**   nodus get HOST[:WEBPORT] NAME [-o OUT|-] [--pwd PASSWORD]
**
** A file named LM_<name>.lua (or .py) goes to $modules -- a Load Module,
** picked up by the node at its next call -- anything else to /user_data.
** Modules are code: the node wants the password for them even with `auth`
** off (--pwd, or $NODUS_PWD). One blocking HTTP/1.1 request per command,
** Connection: close; WEBPORT defaults to 80 (the config key webport).
** Every wait -- the connect, room to send, the answer -- is bounded by
** --timeout (10 s), so an address that drops packets fails in time.
**
** Exit codes: 0 done, 1 usage, 2 cannot connect or no answer, 3 the node
** wants the (right) password, 4 the node refused the request otherwise.
*/
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_files.h"

#define FILE_MAX (16 * 1024 * 1024) /* what we send or accept in one go */

typedef struct opts {
    const char *host, *file, *as, *out, *pwd;
    char hostname[256];
    char port[8];
    int timeout_ms;
} opts;

static int usage(const char *cmd)
{
    if (!strcmp(cmd, "put"))
        fprintf(stderr, "usage: nodus put HOST[:WEBPORT] FILE [--as NAME] [--pwd PASSWORD] [--timeout S]\n"
                        "  LM_<name>.lua/.py go to $modules (password needed), other files to /user_data\n");
    else
        fprintf(stderr, "usage: nodus get HOST[:WEBPORT] NAME [-o OUT|-] [--pwd PASSWORD] [--timeout S]\n");
    return 1;
}

static int parse(int argc, char **argv, opts *o)
{
    memset(o, 0, sizeof *o);
    o->timeout_ms = 10000;
    o->pwd = getenv("NODUS_PWD");
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--pwd") && i + 1 < argc) o->pwd = argv[++i];
        else if (!strcmp(argv[i], "--as") && i + 1 < argc) o->as = argv[++i];
        else if (!strcmp(argv[i], "-o") && i + 1 < argc) o->out = argv[++i];
        else if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
            double s = atof(argv[++i]);
            if (s <= 0 || s > 3600) return -1;
            o->timeout_ms = (int)(s * 1000);
        } else if (argv[i][0] == '-' && argv[i][1]) return -1;
        else if (!o->host) o->host = argv[i];
        else if (!o->file) o->file = argv[i];
        else return -1;
    }
    if (!o->host || !o->file) return -1;
    const char *colon = strrchr(o->host, ':');
    size_t hn = colon ? (size_t)(colon - o->host) : strlen(o->host);
    if (hn == 0 || hn >= sizeof o->hostname) return -1;
    memcpy(o->hostname, o->host, hn);
    snprintf(o->port, sizeof o->port, "%s", colon ? colon + 1 : "80");
    return 0;
}

static bool is_module(const char *name)
{
    size_t n = strlen(name);
    return !strncmp(name, "LM_", 3) &&
           ((n > 7 && !strcmp(name + n - 4, ".lua")) || (n > 6 && !strcmp(name + n - 3, ".py")));
}

/* The shared dialer (cli.c): name lookup, a connect bounded by --timeout
** (a node behind a firewall that drops SYNs would otherwise hold us for
** the kernel's minutes of SYN retries), and the same error text as
** `nodus connect`. The socket comes back non-blocking. */
static int dial(const opts *o)
{
    char *end;
    long port = strtol(o->port, &end, 10);
    if (*end || port < 1 || port > 65535) {
        fprintf(stderr, "nodus: bad address '%s' (want HOST[:WEBPORT])\n", o->host);
        return -1;
    }
    return nd_cli_tcp_connect(o->hostname, (int)port, o->timeout_ms, "nodus");
}

/* The socket is non-blocking: wait for room, at most timeout_ms each time
** the node takes nothing. */
static bool send_all(int fd, const void *p, size_t n, int timeout_ms, const char *host)
{
    const char *c = p;
    while (n) {
        ssize_t k = send(fd, c, n, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd w = {fd, POLLOUT, 0};
            int r = poll(&w, 1, timeout_ms);
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) {
                fprintf(stderr, r ? "nodus: the connection to %s was lost\n" : "nodus: %s took no data in time\n",
                        host);
                return false;
            }
            continue;
        }
        if (k <= 0) {
            fprintf(stderr, "nodus: the connection to %s was lost\n", host);
            return false;
        }
        c += k;
        n -= (size_t)k;
    }
    return true;
}

/* One request; *status and the body (malloc'ed) of the answer. */
static int request(const opts *o, const char *head, const void *body, size_t bn, int *status, char **rbody,
                   size_t *rn)
{
    int fd = dial(o);
    if (fd < 0) return 2;
    if (!send_all(fd, head, strlen(head), o->timeout_ms, o->host) ||
        (bn && !send_all(fd, body, bn, o->timeout_ms, o->host))) {
        close(fd);
        return 2;
    }
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        long left = o->timeout_ms - ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000);
        struct pollfd p = {fd, POLLIN, 0};
        if (!buf || left <= 0 || poll(&p, 1, (int)left) <= 0) {
            fprintf(stderr, "nodus: no answer from %s in time\n", o->host);
            free(buf);
            close(fd);
            return 2;
        }
        if (n == cap) {
            char *nb = cap < FILE_MAX + 65536 ? realloc(buf, cap * 2) : NULL;
            if (!nb) break;
            buf = nb;
            cap *= 2;
        }
        ssize_t k = recv(fd, buf + n, cap - n, 0);
        if (k < 0 && (errno == EINTR || errno == EAGAIN)) continue; /* non-blocking socket */
        if (k <= 0) break;
        n += (size_t)k;
    }
    close(fd);
    char *end = n ? memmem(buf, n, "\r\n\r\n", 4) : NULL;
    if (!end || sscanf(buf, "HTTP/1.%*d %d", status) != 1) {
        fprintf(stderr, "nodus: %s did not answer HTTP (is %s its web port?)\n", o->host, o->port);
        free(buf);
        return 2;
    }
    *rn = n - (size_t)(end + 4 - buf);
    memmove(buf, end + 4, *rn);
    buf[*rn < cap ? *rn : cap - 1] = 0;
    *rbody = buf;
    return 0;
}

static int http_result(const char *what, int status, const char *body)
{
    if (status == 200) return 0;
    fprintf(stderr, "nodus: %s: HTTP %d %s", what, status, body);
    if (status == 401 || status == 429) {
        fprintf(stderr, "%snodus: the node wants its password (appwd): --pwd or $NODUS_PWD\n",
                body[0] && body[strlen(body) - 1] == '\n' ? "" : "\n");
        return 3;
    }
    return 4;
}

static void auth_header(const opts *o, char *h, size_t n)
{
    if (o->pwd) snprintf(h, n, "x-micros-auth: %s\r\n", o->pwd);
    else h[0] = 0;
}

int nd_cli_put(int argc, char **argv)
{
    opts o;
    if (parse(argc, argv, &o)) return usage("put");
    const char *base = strrchr(o.file, '/') ? strrchr(o.file, '/') + 1 : o.file;
    const char *name = o.as ? o.as : base;
    FILE *f = fopen(o.file, "rb");
    if (!f) {
        fprintf(stderr, "nodus put: %s: %s\n", o.file, strerror(errno));
        return 1;
    }
    char *data = malloc(FILE_MAX + 1);
    size_t dn = data ? fread(data, 1, FILE_MAX + 1, f) : 0;
    fclose(f);
    if (!data || dn > FILE_MAX) {
        fprintf(stderr, "nodus put: %s is larger than %d bytes\n", o.file, FILE_MAX);
        free(data);
        return 1;
    }
    char target[300];
    snprintf(target, sizeof target, "%s%s", is_module(name) ? "$modules/" : "", name);
    static const char bnd[] = "----nodus-put-7f3a9c";
    char pre[512], post[64], head[1024], auth[300];
    int pn = snprintf(pre, sizeof pre,
                      "--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"%s\"\r\n"
                      "Content-Type: application/octet-stream\r\n\r\n", bnd, target);
    int qn = snprintf(post, sizeof post, "\r\n--%s--\r\n", bnd);
    auth_header(&o, auth, sizeof auth);
    snprintf(head, sizeof head,
             "POST /fs/files HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n%s"
             "Content-Type: multipart/form-data; boundary=%s\r\nContent-Length: %zu\r\n\r\n",
             o.hostname, auth, bnd, (size_t)pn + dn + (size_t)qn);
    size_t bn = (size_t)pn + dn + (size_t)qn;
    char *body = malloc(bn);
    if (!body) {
        free(data);
        return 1;
    }
    memcpy(body, pre, (size_t)pn);
    memcpy(body + pn, data, dn);
    memcpy(body + pn + dn, post, (size_t)qn);
    free(data);
    int status = 0;
    char *rb = NULL;
    size_t rn = 0;
    int rc = request(&o, head, body, bn, &status, &rb, &rn);
    free(body);
    if (rc) return rc;
    rc = http_result("put", status, rb);
    if (!rc)
        printf("%s -> %s (%zu bytes)%s\n", o.file, target, dn,
               is_module(name) ? ": the node loads it at its next call" : "");
    free(rb);
    return rc;
}

int nd_cli_get(int argc, char **argv)
{
    opts o;
    if (parse(argc, argv, &o)) return usage("get");
    const char *name = o.file;
    if (!strncmp(name, "$modules/", 9)) name += 9;
    else if (!strncmp(name, "/user_data/", 11)) name += 11;
    if (!*name || strchr(name, '/') || strchr(name, ' ')) return usage("get");
    char head[1024], auth[300];
    auth_header(&o, auth, sizeof auth);
    snprintf(head, sizeof head, "GET %s%s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n%s\r\n",
             is_module(name) || !strncmp(o.file, "$modules/", 9) ? "/fs/modules/" : "/user_data/", name,
             o.hostname, auth);
    int status = 0;
    char *rb = NULL;
    size_t rn = 0;
    int rc = request(&o, head, NULL, 0, &status, &rb, &rn);
    if (rc) return rc;
    rc = http_result("get", status, rb);
    if (!rc) {
        const char *out = o.out ? o.out : name;
        FILE *f = strcmp(out, "-") ? fopen(out, "wb") : stdout;
        if (!f || fwrite(rb, 1, rn, f) != rn || (f != stdout && fclose(f) != 0)) {
            fprintf(stderr, "nodus get: %s: %s\n", out, strerror(errno));
            rc = 1;
        }
    }
    free(rb);
    return rc;
}
