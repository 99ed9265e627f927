/*
** cfg.h -- the node configuration: one schema, one store, atomic saves.
**
** The schema (cfg_keys.def, expanded by cfg_schema.c) lists every key nodus
** knows: micrOS's keys of docs/micros-compat.md §6, in micrOS's order, then
** nodus's own keys. Each key has a type, a default, a range or a check, and
** flags, and a name in `enum nd_key` (ND_K_<name>) for typed reads. The store holds
** the JSON object of config/node_config.json (cJSON), merged over defaults.
**
** Loading never loses data: keys not in the schema are kept and saved back;
** a file that fails to parse is renamed node_config.json.bad and the node
** starts on defaults; a value of the wrong type is converted when that is
** unambiguous ("9008" for an int, "true" for a bool) and otherwise replaced by
** the default after the original file is kept as node_config.json.bad. Every
** such event is recorded in nd_cfg_problems() for the log and `system info`.
**
** --set overrides (nd_cfg_override) apply to this run only and are never
** written to the file.
**
** Changes are transactions: a set, or every set between nd_cfg_begin and
** nd_cfg_commit, is saved as one, or not at all. A commit first renders the
** whole new file in memory, so a config that would exceed ND_CFG_FILE_MAX is
** refused before anything is written; a failed write (read-only or full
** storage) puts memory, overrides and already-written offloaded key files
** back as they were. Memory therefore always matches what was saved, and a
** later save cannot write a change that was reported as failed.
*/
#ifndef ND_CFG_H
#define ND_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nodus/value.h"

#define ND_CFG_PATH "config/node_config.json"
#define ND_CFG_BAD_PATH "config/node_config.json.bad"
/* ND_CFG_FILE_MAX, ND_CFG_STR_MAX */
#include "nodus/opts.h" /* the limits; a port may override them */

typedef enum { ND_CFG_STR, ND_CFG_BOOL, ND_CFG_INT, ND_CFG_FLOAT } nd_cfg_type;

/* What a key is, and when a change of it takes effect (cfg_keys.def says
** which key has which). A key has at most one of REBOOT and the FX_ flags;
** with none of them it applies at once: its readers read it every time. */
enum {
    ND_CFG_REBOOT = 1,     /* takes effect after a reboot (read at start) */
    ND_CFG_SECRET = 2,     /* never returned by remote reads (REST /config) */
    ND_CFG_NODE = 4,       /* written by the node itself (version, hwuid) */
    ND_CFG_OFFLOAD = 8,    /* stored in config/.<key>.key, dump shows "..." (guimeta) */
    ND_CFG_FX_SCHED = 16,  /* applied by a scheduler reload (nd_sched_reload) */
    ND_CFG_FX_MDNS = 32,   /* applied by the mDNS responder (nd_mdns_config_changed) */
};

/* Range maximum meaning "no upper bound" (the error then says "at least"). */
#define ND_CFG_ATLEAST INT32_MAX

/* One schema entry, packed (89 of them sit in a board's flash): the range
** and the extra validation are indexes into tables of cfg_schema.c, read
** through nd_cfg_key_range and nd_cfg_key_check. */
typedef struct nd_cfg_key {
    const char *name;
    const char *def;  /* default as text: "9008", "True", "n/a", "60" */
#if ND_WITH_KEY_HELP
    const char *help; /* one line for the README and `conf` help */
#endif
    uint8_t type;     /* nd_cfg_type */
    uint8_t flags;    /* ND_CFG_* */
    uint8_t check;    /* 0: none */
    uint8_t range;    /* 0: none */
} nd_cfg_key;

/* A key of a service an image may leave out: in cfg_keys.def,
** ND_KEY_WITH(FEAT, ...) is ND_KEY(...) where nodus/opts.h's ND_WITH_<FEAT>
** is 1 and nothing where it is 0 (the switch must be a plain 0 or 1). Such a
** key is then not in the image's schema -- conf mode says "Invalid key",
** dump and REST do not list it, a config file's value of it is kept as a
** key nodus does not know -- and costs no flash (a board's minimal image
** leaves out ~30: MQTT, telnet, nsh, InterCon, updates, Lua ...). Its
** ND_K_<name> still exists, after ND_K_COUNT, so the service's code
** compiles; every read by key checks k < ND_K_COUNT and gives the type's
** zero for it. */
#define ND_KEY_CAT_(a, b) a##b
#define ND_KEY_CAT(a, b) ND_KEY_CAT_(a, b)
#define ND_KEY_WITH(feat, ...) ND_KEY_CAT(ND_KEY_IF_, ND_WITH_##feat)(__VA_ARGS__)
#define ND_KEY_IF_1(...) ND_KEY(__VA_ARGS__)
#define ND_KEY_IF_0(...)

/* Every schema key by name, from the one list (cfg_keys.def): ND_K_devfid,
** ND_K_aioqueue ... The value is the key's schema index, so a typed read is
** an array lookup, and a misspelt key does not compile. The keys this image
** leaves out come after ND_K_COUNT (a second pass over the list). */
typedef enum nd_key {
#define ND_KEY(name, type, def, flags, min, max, check, help) ND_K_##name,
#include "cfg_keys.def"
#undef ND_KEY
    ND_K_COUNT,
#define ND_KEY(name, type, def, flags, min, max, check, help)
#undef ND_KEY_IF_1
#undef ND_KEY_IF_0
#define ND_KEY_IF_1(...)
#define ND_KEY_IF_0(name, ...) ND_K_##name,
#include "cfg_keys.def"
#undef ND_KEY
#undef ND_KEY_IF_1
#undef ND_KEY_IF_0
#define ND_KEY_IF_1(...) ND_KEY(__VA_ARGS__)
#define ND_KEY_IF_0(...)
    ND_K_ALL /* ND_K_COUNT when the image has every service */
} nd_key;

/* irq<i>, irq<i>_cbf and irq<i>_trig for i = 1..4 (IRQ_KEYS blocks of three;
** cfg_schema.c checks the layout at compile time). */
#define ND_K_IRQ(i) ((nd_key)(ND_K_irq1 + 3 * ((i) - 1)))
#define ND_K_IRQ_CBF(i) ((nd_key)(ND_K_IRQ(i) + 1))
#define ND_K_IRQ_TRIG(i) ((nd_key)(ND_K_IRQ(i) + 2))

typedef struct nd_cfg nd_cfg;

/* Schema access (fixed order: micrOS keys first, then nodus keys;
** nd_cfg_schema_at(k) is the entry of nd_key k). */
size_t nd_cfg_schema_count(void); /* ND_K_COUNT */
const nd_cfg_key *nd_cfg_schema_at(size_t i);
const nd_cfg_key *nd_cfg_schema_find(const char *name);
/* Names and enum values, both ways: for names a user typed (conf mode,
** REST, --set). nd_key_of: -1 when the name is not a schema key. */
int nd_key_of(const char *name);
const char *nd_key_name(nd_key k); /* "" when out of range */
nd_key nd_cfg_key_id(const nd_cfg_key *k); /* k from the schema table */
/* k's inclusive range (ints and floats): false when it has none (min >= max).
** max ND_CFG_ATLEAST means "no upper bound". */
bool nd_cfg_key_range(const nd_cfg_key *k, int32_t *min, int32_t *max);
/* k's extra validation of a string: NULL when ok (or k has none), else the
** error text conf mode prints. */
const char *nd_cfg_key_check(const nd_cfg_key *k, const char *text);
/* When a change of a key with these flags takes effect, as the README's
** config table says it: "yes" (reboot), "no", "no (scheduler reload)" ... */
const char *nd_cfg_effect(int flags);

/* Create a store on defaults (no I/O). */
nd_cfg *nd_cfg_new(void);
void nd_cfg_free(nd_cfg *c);

/* Load ND_CFG_PATH through the port's storage (nd_fs_*), merge over defaults,
** record problems, rewrite the file when keys were added or repaired.
** A missing file is not a problem: defaults are written. Returns ND_OK, or
** ND_EIO when the file could not be written back (the node still runs). */
int nd_cfg_load(nd_cfg *c);
/* Write the store atomically (nd_fs_write_atomic), overrides excluded.
** ND_ELIMIT (nothing written) when the file would exceed ND_CFG_FILE_MAX;
** ND_EINVAL while a transaction is open (its commit saves). */
int nd_cfg_save(nd_cfg *c);

/* Transactions. nd_cfg_begin opens one (ND_EINVAL when one is open
** already; nothing is copied up front: each set keeps the value it
** replaces). Setters called while it is open only stage their value
** (validation errors are returned at once and stage nothing).
** nd_cfg_commit writes what was staged -- offloaded key files, then
** node_config.json, nothing when nothing changed -- and closes the
** transaction either way:
**  ND_OK      all applied and saved
**  ND_ELIMIT  the file would exceed ND_CFG_FILE_MAX: nothing written, nothing applied
**  ND_EIO     a write failed: every staged value undone in memory and on disk
** err says which, e.g. "node_config.json could not be written (I/O error):
** nothing was applied". nd_cfg_rollback drops the staged values. */
int nd_cfg_begin(nd_cfg *c);
int nd_cfg_commit(nd_cfg *c, char *err, size_t errn);
void nd_cfg_rollback(nd_cfg *c);

/* Problems seen while loading, one per line ("" when none), e.g.
** "node_config.json unparsable (line 3): kept as node_config.json.bad, using defaults" */
const char *nd_cfg_problems(const nd_cfg *c);

/* --set key=value for this run only. ND_ENOTFOUND unknown key, ND_EINVAL bad value. */
int nd_cfg_override(nd_cfg *c, const char *key, const char *text, char *err, size_t errn);

/* Conf-mode set: convert text to the key's type (bool: true/false any case;
** int/float: whole text must convert; str: as is), validate (range, check),
** store and save. Clears an override of that key.
**  ND_OK          -> "Saved"
**  ND_ENOTFOUND   -> "Invalid key"
**  ND_EINVAL/ETYPE-> "Failed to save" (err holds the reason; for appwd the
**                    micrOS text "Password must include [0-9] both [a-z][A-Z]
**                    and length between 8-9 char.")
**  ND_ELIMIT      -> "Failed to save" (the file would exceed ND_CFG_FILE_MAX)
**  ND_EIO         -> "Failed to save" (storage)
** A failed save leaves the value (and its override) as it was. Inside a
** transaction the value is only staged. */
int nd_cfg_set_text(nd_cfg *c, const char *key, const char *text, char *err, size_t errn);
/* The same from a typed value. Ints are accepted for
** floats; a string is converted like nd_cfg_set_text (v->u.s.n must be its
** real length: a NUL inside is refused). Inside a transaction (the way to
** set several keys and save once) save is ignored; outside one, save=false
** changes memory only and the caller must nd_cfg_save. */
int nd_cfg_set_value(nd_cfg *c, const char *key, const nd_value *v, bool save, char *err,
                     size_t errn);
/* The same from the JSON item of a POST /config member, converted as
** nd_cfg_set_value converts the nd_value of that item (a whole number is an
** int, any number fits a float key, a string is converted like conf-mode
** text), without making that nd_value. Into the open transaction, or saved
** at once when none is open. */
struct cJSON;
int nd_cfg_set_json(nd_cfg *c, nd_key k, const struct cJSON *item, char *err, size_t errn);
/* Set by the node itself (version, hwuid, devip): no validation, saved.
** nd_cfg_set_node: the same by name (ND_ENOTFOUND for an unknown one). */
int nd_cfg_put_node(nd_cfg *c, nd_key k, const char *text);
int nd_cfg_set_node(nd_cfg *c, const char *key, const char *text);

/* Typed reads (override > file > default), by key: what the node's own code
** uses. A key read as another type converts as Python would (a bool as
** 0/1); a string key read as a number gives 0. The string stays valid until
** the key is next changed. */
const char *nd_cfg_get_str(const nd_cfg *c, nd_key k);
bool nd_cfg_get_bool(const nd_cfg *c, nd_key k);
int64_t nd_cfg_get_int(const nd_cfg *c, nd_key k);
double nd_cfg_get_float(const nd_cfg *c, nd_key k);
/* The value as nd_value (REST /config GET); NULL when a is full. */
nd_value *nd_cfg_get_value(const nd_cfg *c, nd_arena *a, nd_key k);

/* The same by name, for names from outside the core (the module API
** nd_node_cfg_*, which warns about unknown names; conf mode; tests). Keys
** kept from the file but not in the schema are found too. Unknown key: "",
** false, 0. */
const char *nd_cfg_str(const nd_cfg *c, const char *key);
bool nd_cfg_bool(const nd_cfg *c, const char *key);
int64_t nd_cfg_int(const nd_cfg *c, const char *key);
double nd_cfg_float(const nd_cfg *c, const char *key);
bool nd_cfg_has(const nd_cfg *c, const char *key); /* schema key or key kept from file */

/* The store of a running node, for the port's main() (node.c). */
struct nd_node;
const nd_cfg *nd_node_config(struct nd_node *n);

/* Python str() of a key's value into b: 9008, True, n/a (conf-mode get).
** Keys kept from the file but not in the schema render too.
** ND_ENOTFOUND when the key is unknown (conf mode then prints None). */
int nd_cfg_render(const nd_cfg *c, const char *key, nd_buf *b);
/* Value as nd_value (REST /config GET); NULL if unknown. */
nd_value *nd_cfg_value(const nd_cfg *c, nd_arena *a, const char *key);
/* Conf-mode dump: schema order, each line "  %-10s:        %s\n" (two spaces,
** key left-justified to 10, ':', 8 spaces, str(value)); offloaded keys show
** "...". substr != NULL keeps only keys containing it. */
int nd_cfg_dump(const nd_cfg *c, const char *substr, nd_buf *b);

#endif
