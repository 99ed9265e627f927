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
** paths may contain '/', never "..": the port refuses to leave the root.
**
** Served trees: web/ and modules/ are read and written for remote users (the
** web door's static files and /fs endpoints). Under them no nd_fs_* call
** follows a symbolic link, in any component of the path (web/ and modules/
** themselves included), and the check cannot race with a link swapped in:
**   - a link is as if absent for stat, size, read, read_at, list (skipped),
**     remove and as a rename source: ND_ENOTFOUND, nothing behind it read;
**   - write_atomic, append, mkdir and rename never write through a link
**     and never replace one (ND_EIO or ND_ENOTFOUND).
** Elsewhere (config/, data/, logs/) links the operator placed are followed. */
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
/* nsh's file commands (src/core/nsh_cmd_fs.c): while on, every nd_fs_* call
** treats every path as it treats web/ and modules/ above -- no symbolic link
** is followed in any component, anywhere in the state directory -- so no
** user of the shell can reach outside it through a link an operator or a
** script placed. The loop is single-threaded: a command turns it on for its
** own calls and restores the previous setting. Returns that setting. */
bool nd_fs_nofollow(bool on);
/* Create rel if missing (empty), else set its modification time to now
** (`touch`). A directory only gets its time updated. */
int nd_fs_touch(const char *rel);

/* ---- non-blocking TCP -------------------------------------------------- */
typedef struct nd_sock nd_sock;
enum { ND_EV_READ = 1, ND_EV_WRITE = 2 };
/* Called by the loop when the socket is ready for what it asked (events),
** or with ND_EV_READ on error/hang-up so the owner reads and sees the error. */
typedef void (*nd_sock_fn)(nd_sock *s, int events, void *ud);

/* Listen on host:port: host NULL or "0.0.0.0" = all interfaces, IPv6 and IPv4
** (dual stack where the port has IPv6); an IPv4 or IPv6 literal = that one. */
int nd_net_listen(const char *host, int port, int backlog, nd_sock_fn fn, void *ud,
                  nd_sock **out);
/* Accept one pending connection (ND_EAGAIN when none). peer gets "a.b.c.d:port"
** or "[v6addr]:port" (IPv4-mapped peers as a.b.c.d).
** ND_ELIMIT when the port's socket table is full (the connection is closed). */
int nd_net_accept(nd_sock *ls, nd_sock **out, char *peer, size_t peern);
/* Start a non-blocking connect; fn gets ND_EV_WRITE when it completes
** (check with nd_net_error). host must be a numeric IPv4 or IPv6 address
** (IPv6 with or without brackets). */
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

/* ---- UDP: datagrams and multicast (udp.c on POSIX) ---------------------
** A UDP socket is an nd_sock like a TCP one: the loop calls fn with
** ND_EV_READ when datagrams wait; the owner drains them with nd_udp_recvfrom
** until ND_EAGAIN, and closes it with nd_net_close. Addresses are numeric
** (no resolver: nothing may block the loop). */
typedef struct nd_addr {
    uint8_t family;   /* 4 or 6; 0 = unset */
    uint8_t ip[16];   /* network byte order; IPv4 uses ip[0..3] */
    uint16_t port;    /* host byte order */
    uint32_t ifindex; /* interface of arrival (recvfrom) or of departure (sendto); 0 = any */
} nd_addr;
enum {
    ND_UDP_V6 = 1,        /* an IPv6 socket (v6 only); default IPv4 */
    ND_UDP_REUSE = 2,     /* share the port with other sockets (mDNS: 5353) */
    ND_UDP_MCAST = 4,     /* multicast: TTL/hop limit 255, loop on, arrival ifindex reported */
};
/* Bind bind_addr:port (bind_addr NULL = any; port 0 = ephemeral). */
int nd_udp_open(const char *bind_addr, int port, int flags, nd_sock_fn fn, void *ud,
                nd_sock **out);
/* Join a multicast group ("224.0.0.251", "ff02::fb") on one interface
** (ifindex > 0) or on every up, multicast-capable interface (ifindex 0).
** Joining twice is not an error. ND_ENOTFOUND when no interface could join. */
int nd_udp_join(nd_sock *s, const char *group, uint32_t ifindex);
/* Send one datagram; to->ifindex picks the outgoing interface of a
** multicast (or link-local) destination. Returns bytes, ND_EAGAIN or ND_EIO. */
long nd_udp_sendto(nd_sock *s, const void *p, size_t n, const nd_addr *to);
/* Receive one datagram (non-blocking); bytes, or ND_EAGAIN when none waits.
** A datagram larger than n is truncated and reported as ND_ELIMIT. from
** (may be NULL) gets the sender and the interface it arrived on. */
long nd_udp_recvfrom(nd_sock *s, void *p, size_t n, nd_addr *from);
int nd_udp_local_port(nd_sock *s);
/* Text <-> nd_addr: "10.0.0.1", "fe80::1%3" (scope = ifindex); port kept/set. */
int nd_addr_parse(const char *text, uint16_t port, nd_addr *out);
int nd_addr_format(const nd_addr *a, char *buf, size_t n); /* no port; "%ifindex" for scoped v6 */

/* ---- ICMP echo (nsh's `ping`; icmp.c on POSIX) -------------------------
** An ICMP socket is an nd_sock like a UDP one: the loop calls fn with
** ND_EV_READ when replies wait. POSIX: an unprivileged ICMP datagram socket
** (Linux: net.ipv4.ping_group_range must hold the process's group), else a
** raw socket when the process may open one (CAP_NET_RAW); *raw tells which.
** ND_EINVAL when neither is allowed. IPv4, numeric addresses only. */
int nd_icmp_open(nd_sock_fn fn, void *ud, nd_sock **out, bool *raw);
/* Send one echo request with sequence seq and n payload bytes (at most 1024).
** Returns n, ND_EAGAIN, or ND_EIO. */
long nd_icmp_echo_send(nd_sock *s, const char *ip, uint16_t seq, const void *data, size_t n);
/* Take one echo reply to this socket's requests: its sequence number, TTL
** (-1 when unknown) and source; returns its payload size, or ND_EAGAIN when
** none waits (other ICMP traffic a raw socket sees is skipped). */
long nd_icmp_echo_recv(nd_sock *s, uint16_t *seq, int *ttl, char ip[16]);

/* The host's interface addresses (for mDNS A/AAAA answers). Only interfaces
** that are up (IPv6 tentative addresses are not told apart). Returns the
** count written (at most max), or a negative ND_E* code. */
typedef struct nd_ifaddr {
    char name[16];     /* "eth0" */
    uint32_t ifindex;
    nd_addr addr;      /* port 0 */
    uint8_t prefix;    /* prefix length */
    bool loopback;
    bool multicast;    /* the interface can send and receive multicast */
} nd_ifaddr;
int nd_port_ifaddrs(nd_ifaddr *out, int max);

/* ---- loop -------------------------------------------------------------- */
struct nd_node;
/* Run the event loop until nd_loop_stop(); timers come from the node. */
int nd_loop_run(struct nd_node *node);
void nd_loop_stop(void);
/* Loop-busy time over the last window (a few seconds) / the window, in
** tenths of a percent (0..1000): an integer, so that a board without an
** FPU shows it (system top, task list, metrics, MQTT) without soft-float
** arithmetic. Ports compute it with nd_permille. */
unsigned nd_loop_load_pm(void);

/* part / whole in thousandths, rounded half up; 0 when whole is 0
** (src/core/fmt.c, beside nd_decimal that shows it: nd_decimal(t, -3)).
** nd_permille is the same capped at 1000: tenths of a percent. */
uint64_t nd_thousandths(uint64_t part, uint64_t whole);
unsigned nd_permille(uint64_t part, uint64_t whole);

/* ---- name resolution (resolve.c on POSIX) ------------------------------
** Host names are resolved off the loop: the POSIX port runs getaddrinfo
** (/etc/hosts, DNS, nss plug-ins such as nss-mdns) in one worker thread and
** reports back through the loop. Callers normally use the core's nd_resolve
** (src/core/resolve.h), which answers numeric addresses, the node's host
** cache and `.local` names (mDNS hook) itself and calls this last. */
typedef struct nd_resolve_req nd_resolve_req;
/* rc ND_OK with ip = dotted IPv4 (at most 16 bytes with the NUL) -- or, for
** a lookup that asked ND_RESOLVE_ANY, an IPv6 address when the name has no
** IPv4 one (at most ND_IP_TEXT_MAX bytes); ND_ENOTFOUND (no such name, or
** no address of a family the caller takes) or ND_EIO (resolver failure)
** with ip "". */
typedef void (*nd_resolve_fn)(void *ud, int rc, const char *ip);
#define ND_IP_TEXT_MAX 46 /* INET6_ADDRSTRLEN: longest address text + NUL */
enum {
    ND_RESOLVE_ANY = 1, /* IPv6 answers welcome (IPv4 still preferred); default IPv4 only */
};
/* Start resolving name (flags: ND_RESOLVE_*); fn runs later from the loop,
** never inside this call. ND_ELIMIT when too many lookups are pending. */
int nd_port_resolve(const char *name, int flags, nd_resolve_fn fn, void *ud, nd_resolve_req **out);
/* Forget a pending lookup: its fn is not called. */
void nd_port_resolve_cancel(nd_resolve_req *r);

/* ---- hardware ------------------------------------------------------------ */
/* The port's real-hardware backend called `name` (POSIX: "linux"), NULL when
** the port has none; the sim backend lives in the core (hal_int.h). Edges
** reach the loop through nd_hal_edge_push; the loop calls nd_hw_poll. */
struct nd_hal_ops;
const struct nd_hal_ops *nd_port_hal(const char *name);

/* ---- system information ------------------------------------------------ */
size_t nd_port_rss_bytes(void);      /* resident set size of the process */
size_t nd_port_mem_total(void);      /* physical memory of the machine (or heap size) */
size_t nd_port_heap_free(void);      /* free bytes held by the allocator after a trim */
double nd_port_cpu_mhz(void);        /* current CPU clock, 0 if unknown */
/* CPU temperature in degC: ND_OK, or ND_ENOTFOUND where the platform does not
** expose one (linux: /sys/class/thermal, or the tree in ND_THERMAL_DIR). */
int nd_port_cpu_temp(double *celsius);
const char *nd_port_board(void);     /* e.g. "linux-x86_64" */
/* Primary IPv4 interface: ip, netmask, gateway, dns (dotted); "0.0.0.0" when none. */
int nd_port_ifconfig(char ip[16], char mask[16], char gw[16], char dns[16], char mac[18]);
/* Signal level of the machine's Wi-Fi station link in dBm (negative), for
** `system rssi`. ND_ENOTFOUND when there is no associated station link
** (no wireless interface, or none connected). POSIX: the first interface
** in /proc/net/wireless (another file with ND_WIRELESS) whose level is a
** plausible dBm value; interfaces that are not associated are not listed. */
int nd_port_wifi_rssi(int *dbm);
/* The watchdog (nsh's `wdt`). Which one guards the node, in this order:
** systemd's (the unit has WatchdogSec=; the loop already feeds it), the
** hardware device (POSIX: /dev/watchdog, or $NODUS_WATCHDOG_DEV, when it can
** be opened), else the node's own: a timer outside the loop that ends the
** process (abort) when the loop has not fed it for timeout_s -- so a wedged
** loop is restarted by the supervisor. Only the event loop feeds
** (nd_port_wdt_feed on every turn): a hung scheduler starves it.
** kind: "systemd", "device", "node". */
typedef struct nd_wdt_info {
    char kind[16];
    bool armed;
    uint32_t timeout_s;
    uint64_t last_feed_ms; /* nd_port_mono_ms of the last feed */
} nd_wdt_info;
/* Arm (timeout_s > 0, after delay_s) or stop (0: the node's own and the
** device, which is closed with the magic 'V'; systemd's cannot be: ND_EINVAL). */
int nd_port_wdt_arm(uint32_t timeout_s, uint32_t delay_s);
void nd_port_wdt_info(nd_wdt_info *out);
void nd_port_wdt_feed(void); /* the loop, every turn; cheap */
/* Stable per-machine id bytes (e.g. /etc/machine-id); ND_ENOTFOUND if none. */
int nd_port_machine_id(char *buf, size_t cap);
void nd_port_random(void *buf, size_t n);
/* Console output for the log (stderr on POSIX). */
void nd_port_console(const char *line);
/* Restart the node in place (re-exec on POSIX). Returns only on failure. */
int nd_port_reboot(void);

/* ---- A/B update slots (update_posix.c on POSIX; docs/updates.md) --------
** The core's update machine (src/core/update.c) stages a verified bundle in
** the slot that is not running, switches to it, and confirms or rolls back.
** Slots are ND_UPD_A and ND_UPD_B; ND_UPD_BASE is "no slot": the binary the
** node was started as (POSIX) or the factory image (a board). The port
** owns where slots live: directories <state>/slots/a|b with a `current`
** symlink on POSIX, two flash partitions and a boot record on a board.
** Every call is a short local storage operation. */
int nd_upd_active(void);       /* the slot a restart runs (ND_UPD_BASE when none) */
int nd_upd_running_slot(void); /* the slot this process was started from */
const char *nd_upd_arch(void); /* CPU architecture bundles must name: "x86_64", "aarch64" ... */
/* Bytes a bundle's files may take in a slot (free space, or the slot size). */
int nd_upd_room(uint64_t *bytes);
/* Staging, in this order: begin (empties the staging area), then per file
** in manifest order file / write... / file_end, then commit, which writes
** the manifest and its signature and makes the staged files slot `slot`
** (the slot's old content is gone afterwards, and not before). abort drops a
** partial stage; the core also calls it at start (a kill left one behind). */
int nd_upd_stage_begin(int slot);
int nd_upd_stage_file(const char *path, uint64_t size, bool binary); /* path as in a manifest */
int nd_upd_stage_write(const void *p, size_t n);
int nd_upd_stage_file_end(void); /* flushed to storage when it returns */
int nd_upd_stage_commit(int slot, const char *manifest, size_t mlen, const void *sig, size_t slen);
void nd_upd_stage_abort(void);
/* A slot's manifest as committed; ND_ENOTFOUND for an empty or broken slot. */
int nd_upd_slot_manifest(int slot, char *buf, size_t cap, size_t *n);
/* Make slot the one a restart runs, atomically (ND_UPD_BASE: none). */
int nd_upd_activate(int slot);
/* The update record (update_manifest.h): read whole / replace atomically. */
int nd_upd_record_read(char *buf, size_t cap, size_t *n); /* ND_ENOTFOUND when none */
int nd_upd_record_write(const char *p, size_t n);
/* A process on trial is ended by the port if it is still unconfirmed after
** seconds (0 disarms): the backstop for a new version whose loop hangs. */
void nd_upd_watchdog(uint32_t seconds);
/* Fault injection for the tests: on POSIX the process kills itself
** (SIGKILL) at the named step when NODUS_UPDATE_CRASH_AT names it. */
void nd_upd_crashpoint(const char *step);

#endif
