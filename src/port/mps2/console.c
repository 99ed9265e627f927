/*
** console.c -- the UART console (CMSDK APB UART 0) and newlib's system
** calls: printf-family output and the log go to the UART (the heap is
** heap.c's).
*/
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "mps2.h"

#define UART_DATA (ND_MPS2_UART0 + 0x00)
#define UART_STATE (ND_MPS2_UART0 + 0x04)
#define UART_CTRL (ND_MPS2_UART0 + 0x08)
#define UART_BAUDDIV (ND_MPS2_UART0 + 0x10)

void nd_fw_uart_init(void)
{
    ND_REG(UART_BAUDDIV) = ND_MPS2_SYSCLK / 115200u;
    ND_REG(UART_CTRL) = 1u; /* TX enable */
}

void nd_fw_uart_write(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        while (ND_REG(UART_STATE) & 1u) { /* TX buffer full */
        }
        ND_REG(UART_DATA) = (uint8_t)p[i];
    }
}

void nd_fw_diag(const char *fmt, ...)
{
    char buf[192];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    nd_fw_uart_write(buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

void nd_fw_panic(const char *msg)
{
    nd_fw_diag("\r\n[PANIC] %s: resetting\r\n", msg);
    nd_fw_system_reset();
}

/* newlib's own assert (its dtoa checks its allocations) prints with fiprintf,
** which links the whole FILE stdio machinery (~8 KB of flash) for a message a
** healthy node never shows: the console gets it through nd_fw_diag instead. */
void __assert_func(const char *file, int line, const char *func, const char *expr)
{
    nd_fw_diag("\r\nassertion \"%s\" failed: %s:%d %s\r\n", expr, file, line, func ? func : "");
    nd_fw_panic("assert");
    for (;;) {
    }
}

void nd_fw_system_reset(void)
{
    __asm volatile("dsb");
    ND_REG(0xE000ED0Cu) = (0x5FAu << 16) | (1u << 2); /* AIRCR: SYSRESETREQ */
    __asm volatile("dsb");
    for (;;) {
    }
}

/* ---- newlib system calls ------------------------------------------------ */
/* The heap region (mps2.ld's _end.._heap_limit) is heap.c's: nothing may
   grow into it with sbrk (no libc member left in the link calls it; this
   answer keeps libnosys's, which would, out) */
void *_sbrk(ptrdiff_t inc)
{
    (void)inc;
    errno = ENOMEM;
    return (void *)-1;
}

int _write(int fd, const char *p, int n)
{
    (void)fd;
    nd_fw_uart_write(p, (size_t)n);
    return n;
}

int _read(int fd, char *p, int n)
{
    (void)fd;
    (void)p;
    (void)n;
    return 0;
}

int _close(int fd)
{
    (void)fd;
    return -1;
}

int _fstat(int fd, struct stat *st)
{
    (void)fd;
    st->st_mode = S_IFCHR;
    return 0;
}

int _isatty(int fd)
{
    (void)fd;
    return 1;
}

int _lseek(int fd, int off, int whence)
{
    (void)fd;
    (void)off;
    (void)whence;
    return 0;
}

void _exit(int code)
{
    (void)code;
    nd_fw_system_reset();
}

int _kill(int pid, int sig)
{
    (void)pid;
    (void)sig;
    errno = EINVAL;
    return -1;
}

int _getpid(void) { return 1; }
