/*
** cfg_schema.c -- every configuration key nodus knows, in one table.
**
** The first block is micrOS's node_config.json (docs/micros-compat.md §6)
** in micrOS's own dump order, with micrOS's code defaults, so a micrOS file
** loads unchanged and `conf` / `dump` look the same to micrOS clients. The
** second block holds the keys nodus adds; micrOS ignores unknown keys, so a
** nodus file still loads on micrOS.
**
** Defaults are text in the form conf mode prints them (Python str()), and are
** converted by cfg.c with the same rules as a conf-mode set, so the table is
** the only place a default is written down. Ranges are inclusive and apply
** only when min < max; ND_CFG_ATLEAST as max means "no upper bound" (the error
** text then says "at least").
*/
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cfg.h"
#include "icpeers.h"
#include "pinmap.h"

/* Upper bound standing for "unbounded": any int the store can hold exactly. */
#define ND_CFG_ATLEAST INT32_MAX

/* ---- checks (NULL = ok, else the message conf mode prints) ------------ */

static const char *check_devfid(const char *t)
{
    /* devfid becomes the prompt, the AP SSID and the mDNS host name, so it
    ** is kept to what all three accept. */
    size_t n = strlen(t);
    if (n == 0) return "Device name cannot be empty";
    if (n > 32) return "Device name may be at most 32 characters";
    for (const char *p = t; *p; p++) {
        char c = *p;
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-';
        if (!ok) return "Device name may only contain A-Z a-z 0-9 _ -";
    }
    return NULL;
}

/* micrOS Config.py: 8..9 characters with a digit, a lower and an upper case
** letter (the same string is the WebREPL and the AP WPA2 password). */
static const char *check_appwd(const char *t)
{
    size_t n = strlen(t);
    bool up = false, low = false, dig = false;
    for (const char *p = t; *p; p++) {
        if (*p >= 'A' && *p <= 'Z') up = true;
        if (*p >= 'a' && *p <= 'z') low = true;
        if (*p >= '0' && *p <= '9') dig = true;
    }
    if (n < 8 || n > 9 || !up || !low || !dig)
        return "Password must include [0-9] both [a-z][A-Z] and length between 8-9 char.";
    return NULL;
}

static const char *check_nwmd(const char *t)
{
    return strcmp(t, "STA") == 0 || strcmp(t, "AP") == 0 ? NULL : "nwmd must be STA or AP";
}

static const char *check_hwbackend(const char *t)
{
    return strcmp(t, "sim") == 0 || strcmp(t, "linux") == 0 ? NULL
                                                             : "hwbackend must be sim or linux";
}

static const char *check_debounce(const char *t)
{
    return strcmp(t, "lead") == 0 || strcmp(t, "stable") == 0
               ? NULL
               : "irq_debounce must be lead or stable";
}

/* ---- the table -------------------------------------------------------- */

#define R ND_CFG_REBOOT
#define S ND_CFG_SECRET
#define N ND_CFG_NODE
#define O ND_CFG_OFFLOAD

/* One external-interrupt block (micrOS irq1..irq4). */
#define IRQ_KEYS(n)                                                                              \
    {"irq" #n, ND_CFG_BOOL, "False", R, 0, 0, NULL,                                              \
     "Enable external pin interrupt " #n " (pin from the pin map)"},                             \
        {"irq" #n "_cbf", ND_CFG_STR, "n/a", R, 0, 0, NULL,                                      \
         "Commands run on interrupt " #n ", ';'-separated"},                                     \
        {"irq" #n "_trig", ND_CFG_STR, "n/a", R, 0, 0, NULL,                                     \
         "Edge of interrupt " #n ": up (rising, also anything else), down or both"}

static const nd_cfg_key schema[] = {
    /* micrOS keys, micrOS dump order */
    {"version", ND_CFG_STR, "n/a", N, 0, 0, NULL, "Firmware version, written by the node"},
    {"auth", ND_CFG_BOOL, "False", R, 0, 0, NULL,
     "Require appwd before anything but hello, loaded-module REST calls and UI files (README Security)"},
    {"staessid", ND_CFG_STR, "your_wifi_name", R, 0, 0, NULL,
     "Wi-Fi SSIDs to join, ';'-separated, tried in order"},
    {"stapwd", ND_CFG_STR, "your_wifi_passwd", R | S, 0, 0, NULL,
     "Wi-Fi passwords in staessid order, ';'-separated"},
    {"devfid", ND_CFG_STR, "node01", 0, 0, 0, check_devfid,
     "Node name: shell prompt, AP SSID, mDNS host <devfid>.local"},
    {"appwd", ND_CFG_STR, "ADmin123", R | S, 0, 0, check_appwd,
     "Password for shell auth, @sudo functions and the AP (8-9 chars, upper+lower+digit)"},
    {"dbg", ND_CFG_BOOL, "True", R, 0, 0, NULL, "Console debug prints and progress LED"},
    {"nwmd", ND_CFG_STR, "STA", R, 0, 0, check_nwmd, "Preferred network mode: STA or AP"},
    {"hwuid", ND_CFG_STR, "n/a", N, 0, 0, NULL, "Hardware id micr<hex>OS, written by the node"},
    {"soctout", ND_CFG_INT, "30", R, 5, ND_CFG_ATLEAST, NULL,
     "Idle seconds after which a shell client may be evicted for a newcomer (min 5)"},
    {"socport", ND_CFG_INT, "9008", R, 1, 65535, NULL, "Shell TCP port, also the InterCon target"},
    {"webui", ND_CFG_BOOL, "False", R, 0, 0, NULL, "Start the HTTP server (web UI and REST)"},
    {"webui_max_con", ND_CFG_INT, "3", R, 0, 0, NULL, "Most concurrent HTTP requests"},
    {"devip", ND_CFG_STR, "n/a", R, 0, 0, NULL, "Last station IP address"},
    {"cron", ND_CFG_BOOL, "False", R, 0, 0, NULL, "Enable the cron scheduler (crontasks)"},
    {"crontasks", ND_CFG_STR, "n/a", 0, 0, 0, NULL,
     "Cron table: WD:H:M:S!command entries, ';'-separated"},
    {"timirq", ND_CFG_BOOL, "False", R, 0, 0, NULL, "Enable the periodic timer callback"},
    {"timirqcbf", ND_CFG_STR, "n/a", R, 0, 0, NULL,
     "Commands of the periodic timer, ';'-separated, # comments"},
    {"timirqseq", ND_CFG_INT, "1000", R, 1, ND_CFG_ATLEAST, NULL, "Periodic timer period in ms"},
    IRQ_KEYS(1),
    IRQ_KEYS(2),
    IRQ_KEYS(3),
    IRQ_KEYS(4),
    {"irq_prell_ms", ND_CFG_INT, "300", R, 0, 60000, NULL,
     "Debounce window of the pin interrupts in ms"},
    {"boothook", ND_CFG_STR, "n/a", R, 0, 0, NULL,
     "Commands run at boot, ';'-separated, # comments, $pwd is replaced by appwd"},
    {"aioqueue", ND_CFG_INT, "5", R, 1, 4096, NULL,
     "Task queue size and shared client-slot count (slots: at most 256)"},
    {"utc", ND_CFG_INT, "60", R, -720, 840, NULL, "UTC offset in minutes (used when tz is n/a)"},
    {"boostmd", ND_CFG_BOOL, "True", R, 0, 0, NULL, "Run the CPU at its highest clock"},
    {"guimeta", ND_CFG_STR, "...", O, 0, 0, NULL,
     "UI metadata for the phone client, stored in config/.guimeta.key"},
    {"cstmpmap", ND_CFG_STR, "n/a", R, 0, 0, NULL, "Pin map selection and overrides"},
    {"espnow", ND_CFG_BOOL, "False", R, 0, 0, NULL, "ESP-NOW server and InterCon over ESP-NOW"},
    {"ha", ND_CFG_BOOL, "True", R, 0, 0, NULL, "Watchdog and network self-heal"},

    /* nodus keys */
    {"bind", ND_CFG_STR, "0.0.0.0", R, 0, 0, NULL,
     "Listen address of the shell and web servers"},
    {"webport", ND_CFG_INT, "80", R, 1, 65535, NULL, "HTTP server port"},
    {"webcors", ND_CFG_STR, "n/a", 0, 0, 0, NULL,
     "CORS origin sent for GET /rest, e.g. * (n/a: no CORS header)"},
    {"tz", ND_CFG_STR, "n/a", 0, 0, 0, NULL,
     "POSIX TZ string such as CET-1CEST,M3.5.0,M10.5.0/3; n/a falls back to utc minutes"},
    {"lat", ND_CFG_FLOAT, "0.0", 0, -90, 90, NULL, "Latitude in degrees for sun times"},
    {"lon", ND_CFG_FLOAT, "0.0", 0, -180, 180, NULL, "Longitude in degrees for sun times"},
    {"taskbudget", ND_CFG_INT, "50", 0, 1, 60000, NULL,
     "Milliseconds one task run may block the loop before it is flagged"},
    {"hwbackend", ND_CFG_STR, "sim", R, 0, 0, check_hwbackend,
     "Hardware backend of the pin modules: sim or linux"},
    {"board", ND_CFG_STR, "sim", R, 0, 0, nd_pinmap_check_board,
     "Pin map of the board (esp32 ... rpi, sim); a first cstmpmap item overrides it"},
    {"irq_debounce", ND_CFG_STR, "lead", R, 0, 0, check_debounce,
     "Pin debounce: lead (fire on first edge) or stable (fire once the level settled)"},
    {"ntpserver", ND_CFG_STR, "pool.ntp.org", R, 0, 0, NULL, "NTP server for the clock sync"},
    {"hosts", ND_CFG_STR, "n/a", 0, 0, 0, NULL,
     "Static InterCon names: name=ip pairs, ';'-separated (checked after the learned cache)"},
    {"intercontout", ND_CFG_INT, "6000", 0, 100, 600000, NULL,
     "InterCon timeout per step (connect, prompt, reply) in ms"},
    /* secret: a name=secret entry holds a password; checked by icpeers.c */
    {"icpeers", ND_CFG_STR, "n/a", S, 0, 0, nd_icpeers_check,
     "InterCon peers (host as written after >>) that get a password when they ask, "
     "';'-separated: name (appwd), name=secret, * (any peer gets appwd, as micrOS); n/a: none"},
    {"mdns", ND_CFG_BOOL, "True", R, 0, 0, NULL, "Announce <devfid>.local over mDNS"},
    {"logmax", ND_CFG_INT, "16384", 0, 1024, 1048576, NULL, "Most bytes kept per log file"},
    {"authfails", ND_CFG_INT, "5", 0, 1, 1000, NULL,
     "Failed logins from one address within a minute that lock it out (every door)"},
    {"authlock_s", ND_CFG_INT, "60", 0, 1, 86400, NULL,
     "Seconds an address stays locked out after too many failed logins"},
    {"webevents_max", ND_CFG_INT, "4", 0, 0, 64, NULL,
     "Most /events streams at once (their own pool: they take no client slot)"},
};

#undef R
#undef S
#undef N
#undef O

size_t nd_cfg_schema_count(void) { return sizeof schema / sizeof schema[0]; }

const nd_cfg_key *nd_cfg_schema_at(size_t i)
{
    return i < nd_cfg_schema_count() ? &schema[i] : NULL;
}

const nd_cfg_key *nd_cfg_schema_find(const char *name)
{
    if (!name) return NULL;
    for (size_t i = 0; i < nd_cfg_schema_count(); i++)
        if (strcmp(schema[i].name, name) == 0) return &schema[i];
    return NULL;
}
