/*
** nsh_port_none.c -- what nsh's commands ask of a port (port.h), for this
** board: its RAM file system has no links, so nd_fs_nofollow only keeps
** the setting; no ICMP socket and no watchdog yet (ping and wdt say so).
*/
#include <string.h>

#include "nodus/port.h"

static bool nofollow;

bool nd_fs_nofollow(bool on)
{
    bool was = nofollow;
    nofollow = on;
    return was;
}

int nd_fs_touch(const char *rel)
{
    nd_fs_info info;
    if (nd_fs_stat(rel, &info) == ND_OK) return ND_OK; /* no modification times kept here */
    return nd_fs_append(rel, "", 0);
}

int nd_port_wdt_arm(uint32_t timeout_s, uint32_t delay_s)
{
    (void)timeout_s, (void)delay_s;
    return ND_ENOTFOUND;
}

void nd_port_wdt_info(nd_wdt_info *out)
{
    memset(out, 0, sizeof *out);
    strcpy(out->kind, "none");
}

void nd_port_wdt_feed(void) {}

int nd_icmp_open(nd_sock_fn fn, void *ud, nd_sock **out, bool *raw)
{
    (void)fn, (void)ud, (void)out, (void)raw;
    return ND_EINVAL;
}

long nd_icmp_echo_send(nd_sock *s, const char *ip, uint16_t seq, const void *data, size_t n)
{
    (void)s, (void)ip, (void)seq, (void)data, (void)n;
    return ND_EIO;
}

long nd_icmp_echo_recv(nd_sock *s, uint16_t *seq, int *ttl, char ip[16])
{
    (void)s, (void)seq, (void)ttl, (void)ip;
    return ND_EAGAIN;
}
