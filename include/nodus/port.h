/*
** port.h -- everything the portable core needs from an OS or a board.
**
** src/core and modules/ include no OS header; they reach the platform only
** through these functions. A port (src/port/<target>/) implements all of them;
** the build picks exactly one port. The POSIX port is the reference.
**
** Conventions: 0 / positive on success, negative ND_E* codes (value.h) on
** failure. Nothing here blocks the event loop for long: sockets are
** non-blocking; storage calls are small local file operations.
*/
#ifndef NODUS_PORT_H
#define NODUS_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nodus/value.h"

/* ---- clocks ------------------------------------------------------------ */
uint64_t nd_port_mono_ms(void); /* monotonic milliseconds, arbitrary origin */
uint64_t nd_port_mono_us(void); /* monotonic microseconds (metrics, budgets) */
int64_t nd_port_wall_ms(void);  /* OS wall clock, ms since 1970-01-01 UTC */

/* ---- storage: paths are relative to the node's state directory --------- */
/* The state directory is chosen once at start (nd_fs_set_root). Relative
** paths may contain '/', never "..": the port refuses to leave the root. */
int nd_fs_set_root(const char *dir); /* creates it and config/ data/ logs/ modules/ web/ */
const char *nd_fs_root(void);
/* Read a whole file into buf (at most cap-1 bytes, NUL-terminated). *n gets
** the length. ND_ENOTFOUND if missing, ND_ELIMIT if larger than cap-1. */
int nd_fs_read(const char *rel, char *buf, size_t cap, size_t *n);
/* Replace a file atomically: write rel.tmp, flush (fsync), rename over rel. */
int nd_fs_write_atomic(const char *rel, const void *data, size_t n);
/* Append (creating the file); used by bounded logs. */
int nd_fs_append(const char *rel, const void *data, size_t n);
int nd_fs_rename(const char *from_rel, const char *to_rel);
int nd_fs_remove(const char *rel);
int nd_fs_size(const char *rel, size_t *n); /* ND_ENOTFOUND if missing */
int nd_fs_mkdir(const char *rel);           /* ok if it exists */
/* Metadata of one file or directory (web server, file endpoints). */
typedef struct nd_fs_info {
    uint64_t size;  /* bytes (regular files) */
    int64_t mtime;  /* last modification, seconds since 1970 UTC */
    bool dir;       /* a directory (anything not a regular file or directory is refused) */
} nd_fs_info;
int nd_fs_stat(const char *rel, nd_fs_info *info); /* ND_ENOTFOUND if missing */
/* Read up to n bytes of a regular file from offset off, so a large file can
** be streamed in small pieces; *got is 0 at the end of the file. */
int nd_fs_read_at(const char *rel, uint64_t off, void *buf, size_t n, size_t *got);
/* Call fn for each entry of directory rel ("." and ".." skipped, symbolic
** links and special files skipped too). Stops early when fn returns non-zero
** and passes that value back. */
typedef int (*nd_fs_list_fn)(void *ud, const char *name, const nd_fs_info *info);
int nd_fs_list(const char *rel, nd_fs_list_fn fn, void *ud);
/* Bytes used by the state directory tree and the file system's size/free. */
int nd_fs_usage(uint64_t *tree_bytes, uint64_t *fs_total, uint64_t *fs_free);

/* ---- non-blocking TCP -------------------------------------------------- */
typedef struct nd_sock nd_sock;
enum { ND_EV_READ = 1, ND_EV_WRITE = 2 };
/* Called by the loop when the socket is ready for what it asked (events),
** or with ND_EV_READ on error/hang-up so the owner reads and sees the error. */
typedef void (*nd_sock_fn)(nd_sock *s, int events, void *ud);

/* Listen on host:port (host NULL or "0.0.0.0" = all IPv4 interfaces). */
int nd_net_listen(const char *host, int port, int backlog, nd_sock_fn fn, void *ud,
                  nd_sock **out);
/* Accept one pending connection (ND_EAGAIN when none). peer gets "a.b.c.d:port".
** ND_ELIMIT when the port's socket table is full (the connection is closed). */
int nd_net_accept(nd_sock *ls, nd_sock **out, char *peer, size_t peern);
/* Start a non-blocking connect; fn gets ND_EV_WRITE when it completes
** (check with nd_net_error). host must be a numeric IPv4 address. */
int nd_net_connect(const char *host, int port, nd_sock_fn fn, void *ud, nd_sock **out);
int nd_net_error(nd_sock *s); /* pending socket error as ND_E*, 0 if none */
void nd_net_watch(nd_sock *s, nd_sock_fn fn, void *ud, int events);
long nd_net_send(nd_sock *s, const void *p, size_t n); /* bytes, ND_EAGAIN, ND_ECLOSED */
long nd_net_recv(nd_sock *s, void *p, size_t n);       /* bytes, 0 = closed, ND_EAGAIN */
void nd_net_close(nd_sock *s);
/* Half-close: send FIN after the queued bytes, keep reading. Lets a server
** close after a final response without the peer's unread request bytes
** turning the close into a reset that destroys the response. */
void nd_net_shutdown(nd_sock *s);
/* Cap the kernel's send buffer of a socket (bytes). A live stream sets it
** small so that a slow reader's backlog stays in the node's own bounded,
** drop-oldest queue instead of megabytes of stale data in the kernel. */
void nd_net_set_sndbuf(nd_sock *s, int bytes);
int nd_net_local_port(nd_sock *s); /* port a listener is bound to (for port 0) */
int nd_net_open_count(void);       /* sockets currently open (metrics, leak tests) */

/* ---- loop -------------------------------------------------------------- */
struct nd_node;
/* Run the event loop until nd_loop_stop(); timers come from the node. */
int nd_loop_run(struct nd_node *node);
void nd_loop_stop(void);
/* Seconds of loop-busy time over the last window / the window (0..100). */
double nd_loop_load_pct(void);

/* ---- system information ------------------------------------------------ */
size_t nd_port_rss_bytes(void);      /* resident set size of the process */
size_t nd_port_mem_total(void);      /* physical memory of the machine (or heap size) */
size_t nd_port_heap_free(void);      /* free bytes held by the allocator after a trim */
double nd_port_cpu_mhz(void);        /* current CPU clock, 0 if unknown */
const char *nd_port_board(void);     /* e.g. "linux-x86_64" */
/* Primary IPv4 interface: ip, netmask, gateway, dns (dotted); "0.0.0.0" when none. */
int nd_port_ifconfig(char ip[16], char mask[16], char gw[16], char dns[16], char mac[18]);
/* Stable per-machine id bytes (e.g. /etc/machine-id); ND_ENOTFOUND if none. */
int nd_port_machine_id(char *buf, size_t cap);
void nd_port_random(void *buf, size_t n);
/* Console output for the log (stderr on POSIX). */
void nd_port_console(const char *line);
/* Restart the node in place (re-exec on POSIX). Returns only on failure. */
int nd_port_reboot(void);

#endif
