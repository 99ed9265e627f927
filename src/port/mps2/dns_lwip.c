/*
** dns_lwip.c -- host name lookups on the board (port.h nd_port_resolve)
** over lwIP's DNS client (raw API; NO_SYS: its callbacks run inside
** nd_fw_net_poll, never in an interrupt).
**
** The core answers numeric addresses, its host cache, `hosts` and `.local`
** names (mDNS) itself and asks the port last (src/core/resolve.c); here a
** name goes to one DNS server: the `nameserver` config key, or QEMU's user
** network resolver (10.0.2.3) while it is n/a. Read at every lookup, so a
** conf change applies to the next one.
**
** A lookup holds one of ND_FW_DNS_SLOTS slots (past them ND_ELIMIT, with
** a UART line: the caller retries later), and lwIP one table entry of as
** many (lwipopts.h: DNS_TABLE_SIZE), so lwIP never runs out first. lwIP
** has no way to cancel a lookup: a cancelled one leaves its slot
** "orphaned" until lwIP's callback comes (answer, or its own give-up after
** 6-7 s), which then only frees the slot. Answers are reported from
** nd_fw_dns_dispatch (the loop's socket dispatch), never inside
** nd_port_resolve and never inside lwIP: a caller may start a lookup or a
** connection from its callback.
**
** lwIP gives no reason for a failure, so the reason is told by time: lwIP
** gives up on a silent server after DNS_MAX_RETRIES queries (at 0, 1, 2
** and 4 s), more than 6 s after the first -- every lookup has its own
** query (lwipopts.h), so that is counted from this lookup's start. A
** failure before ND_FW_DNS_SLOW_MS is an error answer (NXDOMAIN, SERVFAIL):
** "no such name", ND_ENOTFOUND; after it, a timeout: ND_ETIMEOUT ("timed
** out" where a caller shows it, e.g. `[intercon] NoHost: x (timed out)`),
** with one UART line naming the server. The slot is free again as soon as the caller is
** told; only a cancelled lookup waits for lwIP.
**
** IPv4 only (lwipopts.h: LWIP_IPV6 0): lookups ask for A records, also for
** ND_RESOLVE_ANY callers; a name with only AAAA records is not found.
*/
#include <string.h>

#include "dns_lwip.h"
#include "lwip/dns.h"
#include "lwip/ip4_addr.h"
#include "mps2.h"
#include "nodus/node.h"
#include "nodus/port.h"
#include "nodus/run.h"

#define ND_FW_DNS_DEFAULT "10.0.2.3" /* QEMU user network's resolver (slirp) */

#if LWIP_DNS

#define ND_FW_DNS_SLOTS DNS_TABLE_SIZE /* lookups at once (lwipopts.h) */
#define ND_FW_DNS_SLOW_MS 5000 /* a failure after this is lwIP's give-up (> 6 s) */

enum {
    D_FREE,   /* unused */
    D_ASKING, /* lwIP asks the server; the caller waits */
    D_DONE,   /* answered (or refused at once): report at the next dispatch */
    D_ORPHAN, /* cancelled: lwIP's late callback frees it */
};

struct nd_resolve_req {
    uint8_t state;
    int rc;
    uint32_t since; /* ms, for ND_FW_DNS_SLOW_MS */
    nd_resolve_fn fn;
    void *ud;
    char ip[16];
    char name[DNS_MAX_NAME_LENGTH]; /* for the UART lines */
};

static nd_resolve_req slots[ND_FW_DNS_SLOTS];

/* The server lookups use: the `nameserver` key, n/a (or unset) for QEMU's. */
static int server(ip4_addr_t *a, const char **text)
{
    const char *v = nd_node_cfg_str(nd_node_storage(), "nameserver");
    if (!v || !*v || !strcmp(v, "n/a")) v = ND_FW_DNS_DEFAULT;
    *text = v;
    return strchr(v, ':') || !ip4addr_aton(v, a) || ip4_addr_isany(a) ? ND_EINVAL : ND_OK;
}

int nd_fw_dns_server(char out[16])
{
    ip4_addr_t a;
    const char *text;
    if (server(&a, &text) != ND_OK) {
        memcpy(out, "0.0.0.0", 8); /* lookups fail: the key is not an address */
        return ND_EINVAL;
    }
    ip4addr_ntoa_r(&a, out, 16);
    return ND_OK;
}

/* lwIP's callback: on an answer, an error answer, or its own give-up. May
** run inside dns_gethostbyname (a failed send): it only records. */
static void on_found(const char *name, const ip_addr_t *addr, void *arg)
{
    (void)name;
    nd_resolve_req *r = arg;
    if (r->state == D_ORPHAN) { /* nobody waits any more */
        r->state = D_FREE;
        return;
    }
    if (r->state != D_ASKING) return;
    r->state = D_DONE;
    uint32_t took = (uint32_t)nd_port_mono_ms() - r->since;
    if (addr && IP_IS_V4(addr)) {
        ip4addr_ntoa_r(ip_2_ip4(addr), r->ip, sizeof r->ip);
        r->rc = ND_OK;
    } else if (took < ND_FW_DNS_SLOW_MS) {
        r->rc = ND_ENOTFOUND;
    } else {
        char srv[16];
        nd_fw_dns_server(srv);
        nd_fw_diag("[WARN] dns: %s: no answer from %s in %lu ms (%d queries)\r\n", r->name, srv,
                   (unsigned long)took, DNS_MAX_RETRIES);
        r->rc = ND_ETIMEOUT;
    }
}

int nd_port_resolve(const char *name, int flags, nd_resolve_fn fn, void *ud, nd_resolve_req **out)
{
    (void)flags; /* ND_RESOLVE_ANY: IPv4 is all this image has (see above) */
    size_t n = name ? strlen(name) : 0;
    if (!n || n >= DNS_MAX_NAME_LENGTH || !fn) return ND_EINVAL;
    ip4_addr_t srv;
    const char *text;
    if (server(&srv, &text) != ND_OK) {
        nd_fw_diag("[WARN] dns: nameserver %s is not an IPv4 address: %s not looked up\r\n", text,
                   name);
        return ND_EIO;
    }
    nd_resolve_req *r = NULL;
    for (int i = 0; i < ND_FW_DNS_SLOTS && !r; i++)
        if (slots[i].state == D_FREE) r = &slots[i];
    if (!r) { /* all asking, or orphaned until lwIP lets go */
        nd_fw_diag("[WARN] dns: %s: %d lookups in flight already\r\n", name, ND_FW_DNS_SLOTS);
        return ND_ELIMIT;
    }
    /* lwIP takes answers only from the server it asked: a lookup in flight
    ** when the key changes gets none (a timeout), the next one asks anew */
    ip_addr_t ia;
    ip_addr_copy_from_ip4(ia, srv);
    dns_setserver(0, &ia);
    memset(r, 0, sizeof *r);
    r->state = D_ASKING; /* before the call: lwIP may call back inside it */
    r->fn = fn;
    r->ud = ud;
    r->since = (uint32_t)nd_port_mono_ms();
    memcpy(r->name, name, n + 1);
    ip_addr_t got;
    err_t e = dns_gethostbyname(name, &got, on_found, r);
    if (e == ERR_OK) { /* a number, or lwIP's cache (TTL-bound): reported at dispatch */
        on_found(name, &got, r);
    } else if (e != ERR_INPROGRESS) {
        r->state = D_FREE;
        return e == ERR_MEM ? ND_ELIMIT : ND_EINVAL; /* ERR_MEM: no UDP PCB for the query */
    }
    if (out) *out = r;
    return ND_OK;
}

void nd_port_resolve_cancel(nd_resolve_req *r)
{
    if (!r) return;
    if (r->state == D_ASKING) r->state = D_ORPHAN; /* lwIP still holds r */
    else if (r->state == D_DONE) r->state = D_FREE;
}

/* From the loop (nd_fw_net_dispatch): report the answers. */
int nd_fw_dns_dispatch(void)
{
    int calls = 0;
    for (int i = 0; i < ND_FW_DNS_SLOTS; i++) {
        nd_resolve_req *r = &slots[i];
        if (r->state != D_DONE) continue;
        /* copied out and freed first: the callback may start a lookup here */
        r->state = D_FREE;
        nd_resolve_fn fn = r->fn;
        void *ud = r->ud;
        int rc = r->rc;
        char ip[16];
        memcpy(ip, r->ip, sizeof ip);
        calls++;
        fn(ud, rc, rc == ND_OK ? ip : "");
    }
    return calls;
}

#else /* LWIP_DNS 0 (the min profile): numbers, the host cache and `hosts` only */

int nd_fw_dns_server(char out[16])
{
    memcpy(out, "0.0.0.0", 8);
    return ND_ENOTFOUND;
}

int nd_port_resolve(const char *name, int flags, nd_resolve_fn fn, void *ud, nd_resolve_req **out)
{
    (void)name, (void)flags, (void)fn, (void)ud, (void)out;
    return ND_ENOTFOUND;
}

void nd_port_resolve_cancel(nd_resolve_req *r) { (void)r; }

int nd_fw_dns_dispatch(void) { return 0; }

#endif
