/*
** cfg_schema.c -- the schema table, built from cfg_keys.def, and its lookups.
**
** The keys themselves (names, types, defaults, ranges, flags, help) are in
** cfg_keys.def, one line each; this file holds the checks those lines name
** and expands the list into the table that cfg.c and conf mode read. The same
** list makes `enum nd_key` in cfg.h, so ND_K_<name> is the key's index here.
**
** Defaults are text in the form conf mode prints them (Python str()), and are
** converted by cfg.c with the same rules as a conf-mode set, so the list is
** the only place a default is written down. Ranges are inclusive and apply
** only when min < max; ND_CFG_ATLEAST as max means "no upper bound" (the error
** text then says "at least").
*/
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cfg.h"
#include "nodus/opts.h"
#include "icpeers.h"
#include "pinmap.h"

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

/* ---- the table: cfg_keys.def, expanded -------------------------------- */

/* An entry is 12 bytes on a 32-bit board (name, default, four one-byte
** fields) instead of 40: the type and flags are bytes, the check is an index
** into `checks`, and the range an index into `ranges`, which has a slot only
** for the int and float keys (the only ones a range applies to). */

/* The checks cfg_keys.def names; slot 0 (nocheck in the list) is "none". A key
** naming a check missing here fails to compile (CK_<name> undeclared). */
enum { CK_nocheck, CK_check_devfid, CK_check_appwd, CK_check_nwmd, CK_check_hwbackend,
       CK_nd_pinmap_check_board, CK_check_debounce, CK_nd_icpeers_check };
static const char *(*const checks[])(const char *) = {
    [CK_check_devfid] = check_devfid,
    [CK_check_appwd] = check_appwd,
    [CK_check_nwmd] = check_nwmd,
    [CK_check_hwbackend] = ND_WITH_HW ? check_hwbackend : NULL, /* their keys' images only */
    [CK_nd_pinmap_check_board] = ND_WITH_HW ? nd_pinmap_check_board : NULL,
    [CK_check_debounce] = ND_WITH_HW ? check_debounce : NULL,
    [CK_nd_icpeers_check] = ND_WITH_INTERCON ? nd_icpeers_check : NULL, /* its key's image only */
};

/* One range slot per int or float key, in list order, after slot 0 (none):
** SLOT_<TYPE> expands to nothing for the other types. */
#define SLOT_STR(name, min, max)
#define SLOT_BOOL(name, min, max)
#define SLOT_INT(name, min, max) RG_##name,
#define SLOT_FLOAT(name, min, max) RG_##name,
enum {
    RG_NONE,
#define ND_KEY(name, type, def, flags, min, max, check, help) SLOT_##type(name, min, max)
#include "cfg_keys.def"
#undef ND_KEY
};
#undef SLOT_INT
#undef SLOT_FLOAT
#define SLOT_INT(name, min, max) {min, max},
#define SLOT_FLOAT(name, min, max) {min, max},
static const struct {
    int32_t min, max;
} ranges[] = {
    {0, 0},
#define ND_KEY(name, type, def, flags, min, max, check, help) SLOT_##type(name, min, max)
#include "cfg_keys.def"
#undef ND_KEY
};
#undef SLOT_STR
#undef SLOT_BOOL
#undef SLOT_INT
#undef SLOT_FLOAT
#define RANGE_STR(name) RG_NONE
#define RANGE_BOOL(name) RG_NONE
#define RANGE_INT(name) RG_##name
#define RANGE_FLOAT(name) RG_##name

#define R ND_CFG_REBOOT
#define S ND_CFG_SECRET
#define N ND_CFG_NODE
#define O ND_CFG_OFFLOAD
#define FX_SCHED ND_CFG_FX_SCHED
#define FX_MDNS ND_CFG_FX_MDNS

static const nd_cfg_key schema[] = {
/* help lines only feed `nodus config-keys` and the docs: a board image
** leaves them out (ND_WITH_KEY_HELP 0; ~5 KB of flash, and the field) */
#if ND_WITH_KEY_HELP
#define ND_KEY(name, type, def, flags, min, max, check, help) \
    {#name, def, help, ND_CFG_##type, flags, CK_##check, RANGE_##type(name)},
#else
#define ND_KEY(name, type, def, flags, min, max, check, help) \
    {#name, def, ND_CFG_##type, flags, CK_##check, RANGE_##type(name)},
#endif
#include "cfg_keys.def"
#undef ND_KEY
};

#undef R
#undef S
#undef N
#undef O
#undef FX_SCHED
#undef FX_MDNS
#undef RANGE_STR
#undef RANGE_BOOL
#undef RANGE_INT
#undef RANGE_FLOAT

/* The enum is the table index: both come from the one list. */
_Static_assert(sizeof schema / sizeof schema[0] == ND_K_COUNT, "schema and enum nd_key differ");
/* the byte fields hold every flag, range slot and check */
_Static_assert(sizeof ranges / sizeof ranges[0] <= 256, "too many range slots for a byte");
_Static_assert(ND_CFG_FX_MDNS <= 255, "flags do not fit a byte");
/* ND_K_IRQ(i) counts on IRQ_KEYS(n) blocks of three consecutive keys. */
_Static_assert(ND_K_irq1_cbf == ND_K_IRQ_CBF(1) && ND_K_irq1_trig == ND_K_IRQ_TRIG(1) &&
                   ND_K_irq2 == ND_K_IRQ(2) && ND_K_irq3_cbf == ND_K_IRQ_CBF(3) &&
                   ND_K_irq4 == ND_K_IRQ(4) && ND_K_irq4_trig == ND_K_IRQ_TRIG(4),
               "irq keys are not in blocks of three");

bool nd_cfg_key_range(const nd_cfg_key *k, int32_t *min, int32_t *max)
{
    *min = ranges[k->range].min;
    *max = ranges[k->range].max;
    return *min < *max;
}

const char *nd_cfg_key_check(const nd_cfg_key *k, const char *text)
{
    return k->check ? checks[k->check](text) : NULL;
}

size_t nd_cfg_schema_count(void) { return ND_K_COUNT; }

const nd_cfg_key *nd_cfg_schema_at(size_t i)
{
    return i < ND_K_COUNT ? &schema[i] : NULL;
}

const nd_cfg_key *nd_cfg_schema_find(const char *name)
{
    if (!name) return NULL;
    for (size_t i = 0; i < ND_K_COUNT; i++)
        if (strcmp(schema[i].name, name) == 0) return &schema[i];
    return NULL;
}

int nd_key_of(const char *name)
{
    const nd_cfg_key *k = nd_cfg_schema_find(name);
    return k ? (int)(k - schema) : -1;
}

const char *nd_key_name(nd_key k)
{
    return (unsigned)k < ND_K_COUNT ? schema[k].name : "";
}

nd_key nd_cfg_key_id(const nd_cfg_key *k) { return (nd_key)(k - schema); }

const char *nd_cfg_effect(int flags)
{
    if (flags & ND_CFG_REBOOT) return "yes";
    if (flags & ND_CFG_FX_SCHED) return "no (scheduler reload)";
    if (flags & ND_CFG_FX_MDNS) return "no (mDNS re-announce)";
    return "no";
}
