/*
** sys.c -- system information, identity, console and reboot on POSIX/Linux.
*/
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <malloc.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "nodus/port.h"
#include "posix.h"

static char **saved_argv;
static int console_quiet;

void nd_posix_set_argv(char **argv) { saved_argv = argv; }
void nd_posix_set_quiet(int quiet) { console_quiet = quiet; }

/* Read "Key:   123 kB" from a /proc file; returns bytes or 0. */
static size_t proc_kb(const char *path, const char *key)
{
    FILE *f = fopen(path, "re");
    if (!f) return 0;
    char line[256];
    size_t kl = strlen(key), v = 0;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, key, kl) && line[kl] == ':') {
            v = (size_t)strtoull(line + kl + 1, NULL, 10) * 1024u;
            break;
        }
    fclose(f);
    return v;
}

size_t nd_port_rss_bytes(void) { return proc_kb("/proc/self/status", "VmRSS"); }
size_t nd_port_mem_total(void) { return proc_kb("/proc/meminfo", "MemTotal"); }

size_t nd_port_heap_free(void)
{
    malloc_trim(0);
    struct mallinfo2 mi = mallinfo2();
    return mi.fordblks;
}

double nd_port_cpu_mhz(void)
{
    FILE *f = fopen("/sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq", "re");
    if (f) {
        double khz = 0;
        int ok = fscanf(f, "%lf", &khz) == 1;
        fclose(f);
        if (ok && khz > 0) return khz / 1000.0;
    }
    f = fopen("/proc/cpuinfo", "re");
    if (!f) return 0;
    char line[256];
    double mhz = 0;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "cpu MHz", 7)) {
            char *c = strchr(line, ':');
            if (c) mhz = strtod(c + 1, NULL);
            break;
        }
    fclose(f);
    return mhz;
}

/* The CPU's thermal zone: a zone whose type names the CPU package or SoC
** (x86_pkg_temp, cpu-thermal, soc_thermal, k10temp ...), else zone 0. */
int nd_port_cpu_temp(double *celsius)
{
    const char *e = getenv("ND_THERMAL_DIR");
    const char *dir = e && *e ? e : "/sys/class/thermal";
    int pick = -1;
    char path[512], type[64];
    for (int i = 0; i < 32; i++) {
        snprintf(path, sizeof path, "%s/thermal_zone%d/type", dir, i);
        FILE *f = fopen(path, "re");
        if (!f) continue;
        if (!fgets(type, sizeof type, f)) type[0] = 0;
        fclose(f);
        if (pick < 0) pick = i;
        if (strstr(type, "pkg") || strstr(type, "cpu") || strstr(type, "soc") || strstr(type, "k10temp")) {
            pick = i;
            break;
        }
    }
    if (pick < 0) return ND_ENOTFOUND;
    snprintf(path, sizeof path, "%s/thermal_zone%d/temp", dir, pick);
    FILE *f = fopen(path, "re");
    if (!f) return ND_ENOTFOUND;
    long milli = 0;
    int ok = fscanf(f, "%ld", &milli) == 1;
    fclose(f);
    if (!ok) return ND_ENOTFOUND;
    *celsius = milli / 1000.0;
    return ND_OK;
}

const char *nd_port_board(void)
{
    static char board[96];
    if (!board[0]) {
        struct utsname u;
        if (uname(&u) == 0) snprintf(board, sizeof board, "linux-%s", u.machine);
        else snprintf(board, sizeof board, "linux");
    }
    return board;
}

/* Default gateway of the interface from /proc/net/route (hex, little endian). */
static void gateway(const char *ifname, char gw[16])
{
    snprintf(gw, 16, "0.0.0.0");
    FILE *f = fopen("/proc/net/route", "re");
    if (!f) return;
    char line[256], name[IF_NAMESIZE + 1];
    unsigned dest, g;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "%16s %x %x", name, &dest, &g) == 3 && dest == 0 && !strcmp(name, ifname)) {
            struct in_addr a = {g};
            inet_ntop(AF_INET, &a, gw, 16);
            break;
        }
    fclose(f);
}

static void dns_server(char dns[16])
{
    snprintf(dns, 16, "0.0.0.0");
    FILE *f = fopen("/etc/resolv.conf", "re");
    if (!f) return;
    char line[256], ip[64];
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "nameserver %63s", ip) == 1) {
            struct in_addr a;
            if (inet_pton(AF_INET, ip, &a) == 1) {
                snprintf(dns, 16, "%.15s", ip);
                break;
            }
        }
    fclose(f);
}

int nd_port_ifconfig(char ip[16], char mask[16], char gw[16], char dns[16], char mac[18])
{
    snprintf(ip, 16, "0.0.0.0");
    snprintf(mask, 16, "0.0.0.0");
    snprintf(gw, 16, "0.0.0.0");
    snprintf(dns, 16, "0.0.0.0");
    snprintf(mac, 18, "00:00:00:00:00:00");
    struct ifaddrs *ifa = NULL;
    if (getifaddrs(&ifa) < 0) return ND_EIO;
    struct ifaddrs *best = NULL;
    for (struct ifaddrs *i = ifa; i; i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || !(i->ifa_flags & IFF_UP)) continue;
        if (!best || ((best->ifa_flags & IFF_LOOPBACK) && !(i->ifa_flags & IFF_LOOPBACK))) best = i;
    }
    if (best) {
        inet_ntop(AF_INET, &((struct sockaddr_in *)best->ifa_addr)->sin_addr, ip, 16);
        if (best->ifa_netmask)
            inet_ntop(AF_INET, &((struct sockaddr_in *)best->ifa_netmask)->sin_addr, mask, 16);
        gateway(best->ifa_name, gw);
        char path[128];
        snprintf(path, sizeof path, "/sys/class/net/%s/address", best->ifa_name);
        FILE *f = fopen(path, "re");
        if (f) {
            if (fscanf(f, "%17s", mac) != 1) snprintf(mac, 18, "00:00:00:00:00:00");
            fclose(f);
        }
    }
    dns_server(dns);
    freeifaddrs(ifa);
    return best ? ND_OK : ND_ENOTFOUND;
}

/* /proc/net/wireless: two header lines, then one line per wireless
** interface with stats, e.g. "  wlan0: 0000   70.  -40.  -256  0 0 0 0 0  0"
** (name, status, link quality, level, noise ...). cfg80211 lists only
** associated interfaces and prints the level in dBm; a level outside
** -255..-1 is a driver's relative scale, not a station signal we can report. */
int nd_port_wifi_rssi(int *dbm)
{
    const char *path = getenv("ND_WIRELESS");
    FILE *f = fopen(path && *path ? path : "/proc/net/wireless", "re");
    if (!f) return ND_ENOTFOUND;
    char line[256], name[32];
    unsigned status;
    double qual, level;
    int rc = ND_ENOTFOUND;
    for (int i = 0; rc != ND_OK && fgets(line, sizeof line, f); i++) {
        if (i < 2 || !strchr(line, ':')) continue; /* the header */
        if (sscanf(line, " %31[^:]: %x %lf %lf", name, &status, &qual, &level) != 4) continue;
        if (level > -1.0 || level < -255.0) continue;
        *dbm = (int)(level - 0.5);
        rc = ND_OK;
    }
    fclose(f);
    return rc;
}

int nd_port_machine_id(char *buf, size_t cap)
{
    static const char *paths[] = {"/etc/machine-id", "/var/lib/dbus/machine-id"};
    for (size_t i = 0; i < 2; i++) {
        FILE *f = fopen(paths[i], "re");
        if (!f) continue;
        char *ok = fgets(buf, (int)cap, f);
        fclose(f);
        if (ok) {
            buf[strcspn(buf, "\r\n")] = 0;
            if (buf[0]) return ND_OK;
        }
    }
    return ND_ENOTFOUND;
}

void nd_port_random(void *buf, size_t n)
{
    unsigned char *p = buf;
    while (n) {
        ssize_t r = getrandom(p, n, 0);
        if (r <= 0) {
            if (errno == EINTR) continue;
            for (size_t i = 0; i < n; i++) p[i] = (unsigned char)rand();
            return;
        }
        p += r;
        n -= (size_t)r;
    }
}

void (*nd_posix_log_hook)(const char *line); /* console.c: above the line being edited */

void nd_port_console(const char *line)
{
    if (console_quiet) return;
    if (nd_posix_log_hook) nd_posix_log_hook(line);
    else fprintf(stderr, "%s\n", line);
}

int nd_port_reboot(void)
{
    if (!saved_argv) return ND_EINVAL;
    /* exec the binary by its real path, not /proc/self/exe: the process
    ** name (comm) comes from the path, and `pidof nodus` must still work */
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = 0;
        execv(self, saved_argv);
    }
    execv("/proc/self/exe", saved_argv);
    execvp(saved_argv[0], saved_argv);
    return ND_EIO;
}
