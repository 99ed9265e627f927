/*
** w1_linux.c -- 1-Wire for the `linux` hardware backend (hal_linux.c),
** through the kernel's w1 subsystem rather than bit-banging (a 1-Wire
** time slot is 60 us; a user-space loop cannot hold it).
**
** Devices are the directories /sys/bus/w1/devices/<family>-<serial> (the
** environment variable ND_W1_DIR moves that root, for other mounts and for
** tests). The w1 master sits on the pin its overlay names (Raspberry Pi:
** dtoverlay=w1-gpio, GPIO 4), so the pin argument only has to be a valid
** GPIO. The DS18B20 command set maps onto w1_therm's files:
**   CONVERT T (0x44)        write "trigger" to each bus master's therm_bulk_read:
**                           every sensor converts at once and the write
**                           returns at once (kernel >= 5.10)
**   READ SCRATCHPAD (0xBE)  read <device>/w1_slave: after a bulk conversion
**                           the kernel answers from the converted value
**                           without a new 750 ms conversion
** Other commands fail with a clear message. The w1_slave text is parsed by
** nd_w1_slave_parse (core, unit-tested). UNTESTED ON HARDWARE.
*/
#define _GNU_SOURCE

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hal_int.h"
#include "nodus/sensors.h"
#include "posix.h"

static const char *w1_dir(void)
{
    const char *e = getenv("ND_W1_DIR");
    return e && *e ? e : "/sys/bus/w1/devices";
}

int nd_lx_ow_search(int pin, uint64_t *roms, int max)
{
    DIR *d = opendir(w1_dir());
    if (!d) return nd_hal_fail(ND_EIO, "1-Wire: cannot open %s: %s (is the w1-gpio overlay loaded?)",
                               w1_dir(), strerror(errno));
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < max) {
        uint64_t rom;
        if (nd_w1_name_rom(e->d_name, &rom) == ND_OK) roms[n++] = rom;
    }
    closedir(d);
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && roms[j - 1] > roms[j]; j--) {
            uint64_t t = roms[j];
            roms[j] = roms[j - 1], roms[j - 1] = t;
        }
    if (n == 0 && max > 0)
        return nd_hal_fail(ND_EIO, "no 1-Wire device under %s (pin %d)", w1_dir(), pin);
    return n;
}

static int bulk_trigger(void)
{
    DIR *d = opendir(w1_dir());
    if (!d) return nd_hal_fail(ND_EIO, "1-Wire: cannot open %s: %s", w1_dir(), strerror(errno));
    int done = 0;
    struct dirent *e;
    char path[512];
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, "w1_bus_master", 13) != 0) continue;
        snprintf(path, sizeof path, "%s/%s/therm_bulk_read", w1_dir(), e->d_name);
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0) continue;
        if (write(fd, "trigger\n", 8) == 8) done++;
        close(fd);
    }
    closedir(d);
    return done ? ND_OK
                : nd_hal_fail(ND_EIO, "1-Wire: no w1_bus_master therm_bulk_read under %s "
                                      "(w1_therm of kernel >= 5.10 needed)", w1_dir());
}

static int read_scratchpad(uint64_t rom, uint8_t *r, size_t rn)
{
    char name[20], path[512], text[256];
    if (rom == 0) { /* SKIP ROM: only meaningful with exactly one device */
        uint64_t roms[2];
        int n = nd_lx_ow_search(0, roms, 2);
        if (n < 0) return n;
        if (n != 1) return nd_hal_fail(ND_EINVAL, "1-Wire: READ with SKIP ROM needs exactly one device (%d)", n);
        rom = roms[0];
    }
    nd_w1_rom_name(rom, name, sizeof name);
    snprintf(path, sizeof path, "%s/%s/w1_slave", w1_dir(), name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return nd_hal_fail(ND_EIO, "1-Wire device %s did not answer: %s", name, strerror(errno));
    ssize_t k = read(fd, text, sizeof text - 1);
    close(fd);
    if (k <= 0) return nd_hal_fail(ND_EIO, "1-Wire device %s: empty w1_slave", name);
    text[k] = 0;
    uint8_t sp[9];
    int rc = nd_w1_slave_parse(text, sp);
    if (rc == ND_ESYNTAX) return nd_hal_fail(ND_EIO, "1-Wire device %s: unreadable w1_slave text", name);
    /* rc == ND_EIO: the kernel's CRC check failed -- hand the bytes on so the
    ** driver reports the CRC error itself, as on a bus it reads directly */
    for (size_t i = 0; i < rn; i++) r[i] = i < 9 ? sp[i] : 0xFF;
    return ND_OK;
}

int nd_lx_ow_xfer(int pin, uint64_t rom, const uint8_t *w, size_t wn, uint8_t *r, size_t rn)
{
    (void)pin;
    if (wn == 0) return ND_OK;
    if (w[0] == ND_DS18_CONVERT) return bulk_trigger();
    if (w[0] == ND_DS18_READ) return read_scratchpad(rom, r, rn);
    return nd_hal_fail(ND_EINVAL, "1-Wire command 0x%02x is not available through the kernel's "
                                  "w1_therm driver", w[0]);
}
