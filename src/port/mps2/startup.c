/*
** startup.c -- reset, vector table and fault reporting of the nodus firmware
** (Cortex-M3/M4, ARMv7-M; also links for ARMv6-M).
**
** Reset copies .data from flash, zeroes .bss and calls main; SysTick counts
** milliseconds (the node's monotonic clock, time_mps2.c). The network is
** polled, so the only interrupt is SysTick: WFI in the loop sleeps until the
** next tick (1 ms), which keeps an idle QEMU from spinning a host core.
*/
#include <stdint.h>
#include <string.h>

#include "mps2.h"

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;
extern int main(void);
/* the constructor tables (mps2.ld): run here instead of newlib's
** __libc_init_array, which also wants crti's _init and costs 80 B more */
typedef void (*nd_ctor)(void);
extern nd_ctor __preinit_array_start[], __preinit_array_end[], __init_array_start[], __init_array_end[];

void nd_fw_reset(void);
void nd_fw_systick(void);
static void fault(void);

volatile uint32_t nd_fw_ticks; /* ms since reset (wraps after 49 days: time_mps2.c extends it) */

void nd_fw_systick(void) { nd_fw_ticks++; }

/* A fault is a bug: say where (the stacked PC), then reset; the node comes
** back with its config. Naked, so the frame the CPU pushed is at MSP. */
__attribute__((used)) void nd_fw_fault_report(const uint32_t *frame)
{
    uint32_t cfsr = *(volatile uint32_t *)0xE000ED28u;
    nd_fw_diag("\r\n[FAULT] cfsr=0x%08lx pc=0x%08lx lr=0x%08lx: resetting\r\n",
               (unsigned long)cfsr, (unsigned long)frame[6], (unsigned long)frame[5]);
    nd_fw_system_reset();
}

__attribute__((naked)) static void fault(void)
{
    __asm volatile("mrs r0, msp\n"
                   "b nd_fw_fault_report\n");
}

static void unused(void) { fault(); }

__attribute__((section(".vectors"), used)) static void (*const vectors[16 + 32])(void) = {
    (void (*)(void))(&_estack),
    nd_fw_reset,
    unused, /* NMI */
    fault,  /* HardFault */
    fault,  /* MemManage */
    fault,  /* BusFault */
    fault,  /* UsageFault */
    0, 0, 0, 0,
    unused, /* SVC */
    unused, /* DebugMon */
    0,
    unused, /* PendSV */
    nd_fw_systick,
    /* external interrupts: none enabled */
    unused, unused, unused, unused, unused, unused, unused, unused,
    unused, unused, unused, unused, unused, unused, unused, unused,
    unused, unused, unused, unused, unused, unused, unused, unused,
    unused, unused, unused, unused, unused, unused, unused, unused,
};

void nd_fw_reset(void)
{
    uint32_t *src = &_sidata;
    for (uint32_t *dst = &_sdata; dst < &_edata;) *dst++ = *src++;
    for (uint32_t *dst = &_sbss; dst < &_ebss;) *dst++ = 0;
#if defined(__ARM_FP)
    /* Cortex-M4F: enable the FPU (CP10/CP11) before any float code runs */
    *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20;
#endif
    for (nd_ctor *f = __preinit_array_start; f < __preinit_array_end; f++) (*f)();
    for (nd_ctor *f = __init_array_start; f < __init_array_end; f++) (*f)();
    main();
    nd_fw_system_reset();
}

