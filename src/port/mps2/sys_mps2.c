/*
** sys_mps2.c -- the rest of port.h on the MPS2 board: clocks (SysTick),
** system facts, randomness, console, reboot, and the services this port
** does not have (a real-hardware backend, update slots).
*/
#include <stdio.h>
#include <string.h>

#include "mps2.h"
#include "nodus/port.h"
#include "update.h"

#ifndef ND_FW_EPOCH
#define ND_FW_EPOCH 1767225600 /* 2026-01-01: the wall clock's start until set (system setclock) */
#endif

#define SYST_CSR 0xE000E010u
#define SYST_RVR 0xE000E014u
#define SYST_CVR 0xE000E018u
#define TICK_CYCLES (ND_MPS2_SYSCLK / 1000u)

size_t nd_fw_heap_used(void);
size_t nd_fw_heap_size(void);

void nd_fw_time_init(void)
{
    ND_REG(SYST_RVR) = TICK_CYCLES - 1u;
    ND_REG(SYST_CVR) = 0;
    ND_REG(SYST_CSR) = 7u; /* processor clock, interrupt, enable */
}

/* ---- clocks ------------------------------------------------------------ */
static uint32_t hi, last; /* 64-bit extension of the 32-bit tick counter */

uint64_t nd_port_mono_ms(void)
{
    uint32_t t = nd_fw_ticks;
    if (t < last) hi++;
    last = t;
    return ((uint64_t)hi << 32) | t;
}

uint64_t nd_port_mono_us(void)
{
    uint32_t t1, cv;
    do { /* a tick between the two reads: read again */
        t1 = nd_fw_ticks;
        cv = ND_REG(SYST_CVR);
    } while (t1 != nd_fw_ticks);
    uint64_t ms = nd_port_mono_ms();
    (void)t1;
    return ms * 1000u + (TICK_CYCLES - 1u - cv) / (ND_MPS2_SYSCLK / 1000000u);
}

int64_t nd_port_wall_ms(void) { return (int64_t)ND_FW_EPOCH * 1000 + (int64_t)nd_port_mono_ms(); }

/* ---- system facts ------------------------------------------------------ */
size_t nd_port_rss_bytes(void) { return nd_fw_heap_used(); }
size_t nd_port_mem_total(void) { return nd_fw_heap_size(); }
size_t nd_port_heap_free(void) { return nd_fw_heap_size() - nd_fw_heap_used(); }
double nd_port_cpu_mhz(void) { return ND_MPS2_SYSCLK / 1e6; }
int nd_port_cpu_temp(double *celsius) { (void)celsius; return ND_ENOTFOUND; } /* no sensor on MPS2 */
const char *nd_port_board(void)
{
#if defined(__ARM_ARCH_7EM__)
    return "mps2-an386";
#else
    return "mps2-an385";
#endif
}

int nd_port_wifi_rssi(int *dbm)
{
    (void)dbm;
    return ND_ENOTFOUND; /* wired Ethernet */
}

/* The MAC straight from the interface: this runs while the node loads its
** config (hwuid), before nd_port_ifconfig's dns field may read it. */
int nd_port_machine_id(char *buf, size_t cap)
{
    char mac[18];
    nd_fw_mac_text(mac);
    return snprintf(buf, cap, "mps2-%s", mac) < (int)cap ? ND_OK : ND_ELIMIT;
}

/* xorshift32 seeded from the tick counter and the cycle counter; no entropy
** source on this board: good for ids and jitter, not for keys. */
static uint32_t rs;
uint32_t nd_fw_rand(void)
{
    if (!rs) rs = 0x9E3779B9u ^ nd_fw_ticks ^ (ND_REG(SYST_CVR) << 8);
    rs ^= rs << 13;
    rs ^= rs >> 17;
    rs ^= rs << 5;
    return rs;
}

void nd_port_random(void *buf, size_t n)
{
    uint8_t *p = buf;
    for (size_t i = 0; i < n; i++) p[i] = (uint8_t)(nd_fw_rand() >> 11);
}

void nd_port_console(const char *line)
{
    nd_fw_uart_write(line, strlen(line));
    nd_fw_uart_write("\r\n", 2);
}

int nd_port_reboot(void) { nd_fw_system_reset(); }

/* ---- services this port does not have ------------------------------------ */
/* (host name lookups, nd_port_resolve: dns_lwip.c) */

const struct nd_hal_ops *nd_port_hal(const char *name)
{
    (void)name;
    return NULL; /* the sim backend (core) is the board's hardware */
}

/* A/B updates need mbedTLS and flash slots: not in this image (ND_WITH_UPDATE 0:
** `system update*` say so, update_lm.c); only the web door asks for a slot path */

int nd_update_web_path(const char *rel, char *out, size_t n)
{
    (void)rel, (void)out, (void)n;
    return ND_ENOTFOUND;
}

/* nd_fs_nofollow, nd_fs_touch, the watchdog and ICMP: nsh_port_none.c */
const char *nd_upd_arch(void) { return "armv7m"; }
