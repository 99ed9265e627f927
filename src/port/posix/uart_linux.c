/*
** uart_linux.c -- UART for the `linux` hardware backend (hal_linux.c):
** a tty in raw 8N1 at any baud rate (termios2 BOTHER: the LD2410 radar's
** 256000 is not a classic Bxxx rate), opened non-blocking so a read never
** waits -- it returns what the kernel has buffered.
**
** Which tty: the environment variable ND_UART when set; else the Raspberry
** Pi header's tx 14 / rx 15 are the first of /dev/serial0, /dev/ttyAMA0,
** /dev/ttyS0 that exists, and any other pin pair is a USB adapter,
** /dev/ttyUSB0. UNTESTED ON HARDWARE (compile-tested; fails cleanly here).
*/
#define _GNU_SOURCE

#include <asm/termbits.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "hal_int.h"
#include "posix.h"

static struct {
    int fd; /* -1: closed */
    int tx, rx;
    char path[64];
} ports[ND_UART_MAX] = {{-1, 0, 0, ""}, {-1, 0, 0, ""}};

static const char *tty_for(int tx, int rx)
{
    const char *e = getenv("ND_UART");
    if (e && *e) return e;
    if (tx == 14 && rx == 15) {
        static const char *const pi[] = {"/dev/serial0", "/dev/ttyAMA0", "/dev/ttyS0"};
        for (int i = 0; i < 3; i++)
            if (access(pi[i], F_OK) == 0) return pi[i];
        return pi[0];
    }
    return "/dev/ttyUSB0";
}

int nd_lx_uart_open(int tx, int rx, uint32_t baud)
{
    int slot = -1;
    for (int i = 0; i < ND_UART_MAX; i++)
        if (ports[i].fd >= 0 && ports[i].tx == tx && ports[i].rx == rx) slot = i;
    if (slot < 0)
        for (int i = 0; i < ND_UART_MAX && slot < 0; i++)
            if (ports[i].fd < 0) slot = i;
    if (slot < 0) return nd_hal_fail(ND_ELIMIT, "UARTs full (%d open)", ND_UART_MAX);
    const char *path = tty_for(tx, rx);
    int fd = ports[slot].fd;
    if (fd < 0 && (fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)) < 0)
        return nd_hal_fail(ND_ENOTFOUND, "UART tx=%d rx=%d: cannot open %s: %s", tx, rx, path,
                           strerror(errno));
    struct termios2 t;
    if (ioctl(fd, TCGETS2, &t) < 0) goto fail;
    t.c_iflag = 0;
    t.c_oflag = 0;
    t.c_lflag = 0;
    t.c_cflag = (t.c_cflag & ~(CBAUD | CSIZE | PARENB | CSTOPB | CRTSCTS)) | CS8 | CREAD | CLOCAL | BOTHER;
    t.c_ispeed = t.c_ospeed = baud;
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 0;
    if (ioctl(fd, TCSETS2, &t) < 0) goto fail;
    ports[slot].fd = fd;
    ports[slot].tx = tx, ports[slot].rx = rx;
    snprintf(ports[slot].path, sizeof ports[slot].path, "%s", path);
    return slot;
fail:;
    int e = errno;
    close(fd);
    ports[slot].fd = -1;
    return nd_hal_fail(ND_EIO, "UART %s: cannot set %lu baud 8N1: %s", path, (unsigned long)baud,
                       strerror(e));
}

static int port_fd(int id)
{
    if (ports[id].fd < 0) return nd_hal_fail(ND_EINVAL, "UART %d is not open", id);
    return ports[id].fd;
}

int nd_lx_uart_write(int id, const uint8_t *p, size_t n)
{
    int fd = port_fd(id);
    if (fd < 0) return fd;
    ssize_t k = write(fd, p, n);
    if (k < 0 && (errno == EAGAIN || errno == EINTR)) return 0;
    if (k < 0) return nd_hal_fail(ND_EIO, "UART %s: write: %s", ports[id].path, strerror(errno));
    return (int)k;
}

int nd_lx_uart_read(int id, uint8_t *p, size_t max)
{
    int fd = port_fd(id);
    if (fd < 0) return fd;
    ssize_t k = read(fd, p, max);
    if (k < 0 && (errno == EAGAIN || errno == EINTR)) return 0;
    if (k < 0) return nd_hal_fail(ND_EIO, "UART %s: read: %s", ports[id].path, strerror(errno));
    return (int)k;
}

void nd_lx_uart_close(int id)
{
    if (ports[id].fd >= 0) close(ports[id].fd);
    ports[id].fd = -1;
}
