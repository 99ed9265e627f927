/*
** fs_ram.c -- the port's storage (port.h nd_fs_*): a small table of files in
** RAM, with config/ kept in the flash config store.
**
** A board has no file system to spare; the node's files are few and small:
** the config (config/), logs (logs/, bounded by the core), module data
** (data/). All live in RAM, bounded (ND_FW_FILES files, ND_FW_FS_BYTES
** bytes together; a write past it is ND_ELIMIT). Everything under config/
** is also packed into one blob saved in the two-copy flash store
** (src/core/cfgstore.h) whenever a config file changes, and unpacked at
** boot: the config survives a reboot or a power cut during a save; logs and
** data/ start empty after a reset (as RAM does).
**
** Blob: records [u16 name length][name][u32 data length][data], little endian.
** "Flash" is the linker's .cfgflash (mps2.ld): RAM in QEMU that a reset does
** not clear; on a real board these two 16 KB copies are two flash sectors
** and erase/prog are the flash driver's.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "cfgstore.h"
#include "mps2.h"
#include "nodus/port.h"

#ifndef ND_FW_FILES
#define ND_FW_FILES 24
#endif
#ifndef ND_FW_FS_BYTES
#define ND_FW_FS_BYTES (48 * 1024)
#endif
#define NAME_MAX_ 64
#define COPY_SIZE (16 * 1024)
#define DIRS_MAX 8

typedef struct {
    char name[NAME_MAX_]; /* "" = free */
    char *data;
    size_t len;
    int64_t mtime;
} rfile;

static rfile files[ND_FW_FILES];
static size_t used_bytes;
static char dirs[DIRS_MAX][NAME_MAX_];
static bool cfg_unreadable; /* both flash copies corrupt: the config reads as an I/O error once */

/* ---- the flash config store ------------------------------------------- */
extern uint8_t nd_fw_cfgflash[]; /* 2 x COPY_SIZE, mps2.ld */

static int fl_read(void *ctx, int copy, uint32_t off, void *buf, uint32_t n)
{
    (void)ctx;
    memcpy(buf, nd_fw_cfgflash + (size_t)copy * COPY_SIZE + off, n);
    return 0;
}

static int fl_erase(void *ctx, int copy)
{
    (void)ctx;
    memset(nd_fw_cfgflash + (size_t)copy * COPY_SIZE, 0xff, COPY_SIZE);
    return 0;
}

static int fl_prog(void *ctx, int copy, uint32_t off, const void *buf, uint32_t n)
{
    (void)ctx;
    uint8_t *d = nd_fw_cfgflash + (size_t)copy * COPY_SIZE + off;
    const uint8_t *s = buf;
    for (uint32_t i = 0; i < n; i++) d[i] &= s[i]; /* NOR: programming clears bits */
    return 0;
}

static const nd_cfgstore_dev flash = {COPY_SIZE, NULL, fl_read, fl_erase, fl_prog};

static bool in_config(const char *rel) { return strncmp(rel, "config/", 7) == 0; }

static void store_err(const char *why) { nd_fw_diag("[ERR] config store: %s\r\n", why); }

/* config/'s files as one blob into `blob`, or only its size (blob NULL) */
static size_t pack(uint8_t *blob)
{
    size_t o = 0;
    for (int i = 0; i < ND_FW_FILES; i++) {
        rfile *f = &files[i];
        if (!f->name[0] || !in_config(f->name)) continue;
        size_t nl = strlen(f->name);
        if (blob) { /* the lengths little endian: as this core stores them */
            uint16_t nl16 = (uint16_t)nl;
            uint32_t len32 = (uint32_t)f->len;
            memcpy(blob + o, &nl16, 2);
            memcpy(blob + o + 2, f->name, nl);
            memcpy(blob + o + 2 + nl, &len32, 4);
            memcpy(blob + o + 6 + nl, f->data, f->len);
        }
        o += 6 + nl + f->len;
    }
    return o;
}

static void persist(void)
{
    size_t total = pack(NULL);
    if (total > COPY_SIZE - ND_CFGSTORE_HDR) {
        store_err("config/ is larger than a flash copy; not saved");
        return;
    }
    uint8_t *blob = malloc(total ? total : 1);
    if (!blob) {
        store_err("out of memory; not saved");
        return;
    }
    if (nd_cfgstore_save(&flash, blob, pack(blob)) != ND_OK)
        store_err("flash save failed (the previous config stays)");
    free(blob);
}

static int put(const char *rel, const void *data, size_t n, bool append, bool save);

static void unpack(void)
{
    uint8_t *blob = malloc(COPY_SIZE);
    if (!blob) return;
    size_t n = 0;
    int rc = nd_cfgstore_load(&flash, blob, COPY_SIZE, &n, NULL);
    if (rc == ND_EIO) {
        store_err("both flash copies are corrupt: starting on defaults");
        cfg_unreadable = true;
    }
    size_t o = 0;
    while (rc == ND_OK && o + 6 <= n) {
        size_t nl = blob[o] | (size_t)blob[o + 1] << 8;
        if (nl == 0 || nl >= NAME_MAX_ || o + 2 + nl + 4 > n) break;
        char *name = (char *)blob + o + 2;
        uint32_t len;
        memcpy(&len, name + nl, 4); /* little endian (pack) */
        name[nl] = 0;               /* over the length, read already */
        o += 6 + nl;
        if (len > n - o) break;
        put(name, blob + o, len, false, false);
        o += len;
    }
    free(blob);
}

/* ---- the file table ----------------------------------------------------- */
static bool valid(const char *rel)
{
    if (!rel || !*rel || strlen(rel) >= NAME_MAX_ || rel[0] == '/') return false;
    return !strstr(rel, "..");
}

/* the file named rel; NULL if there is none or rel is not a valid name */
static rfile *find(const char *rel)
{
    if (valid(rel))
        for (int i = 0; i < ND_FW_FILES; i++)
            if (files[i].name[0] && !strcmp(files[i].name, rel)) return &files[i];
    return NULL;
}

static int put(const char *rel, const void *data, size_t n, bool append, bool save)
{
    if (!valid(rel)) return ND_EINVAL;
    rfile *f = find(rel);
    size_t old = f ? f->len : 0;
    size_t len = append ? old + n : n;
    if (used_bytes - old + len > ND_FW_FS_BYTES) return ND_ELIMIT;
    if (!f) {
        for (int i = 0; i < ND_FW_FILES && !f; i++)
            if (!files[i].name[0]) f = &files[i];
        if (!f) return ND_ELIMIT;
        memset(f, 0, sizeof *f);
    }
    /* the old bytes stay where the file is not rewritten (append), and the
    ** old copy, unchanged, when there is no room */
    char *p = realloc(f->data, len ? len : 1);
    if (!p) return ND_ENOMEM;
    memcpy(p + (append ? old : 0), data, n);
    if (!f->name[0]) strcpy(f->name, rel); /* valid(): it fits */
    f->data = p;
    used_bytes = used_bytes - old + len;
    f->len = len;
    f->mtime = nd_port_wall_ms() / 1000;
    if (save && in_config(rel)) persist();
    return ND_OK;
}

static void drop(rfile *f)
{
    used_bytes -= f->len;
    free(f->data);
    memset(f, 0, sizeof *f);
}

void nd_fw_fs_init(void) { unpack(); }

int nd_fs_set_root(const char *dir)
{
    (void)dir;
    return ND_OK;
}

const char *nd_fs_root(void) { return "flash:"; }

int nd_fs_read(const char *rel, char *buf, size_t cap, size_t *n)
{
    if (cfg_unreadable && !strcmp(rel, ND_CFG_PATH)) {
        cfg_unreadable = false; /* said once; the node goes on with defaults */
        return ND_EIO;
    }
    rfile *f = find(rel);
    if (!f) return ND_ENOTFOUND;
    if (f->len + 1 > cap) return ND_ELIMIT;
    memcpy(buf, f->data, f->len);
    buf[f->len] = 0;
    if (n) *n = f->len;
    return ND_OK;
}

int nd_fs_write_atomic(const char *rel, const void *data, size_t n)
{
    return put(rel, data, n, false, true); /* a RAM copy is atomic by nature */
}

int nd_fs_append(const char *rel, const void *data, size_t n) { return put(rel, data, n, true, true); }

int nd_fs_rename(const char *from, const char *to)
{
    rfile *f = find(from);
    if (!f) return ND_ENOTFOUND;
    if (!valid(to)) return ND_EINVAL;
    rfile *t = find(to);
    if (t && t != f) drop(t);
    strcpy(f->name, to); /* valid(): it fits */
    if (in_config(from) || in_config(to)) persist();
    return ND_OK;
}

int nd_fs_remove(const char *rel)
{
    rfile *f = find(rel);
    if (!f) return ND_ENOTFOUND;
    drop(f);
    if (in_config(rel)) persist();
    return ND_OK;
}

int nd_fs_size(const char *rel, size_t *n)
{
    rfile *f = find(rel);
    if (!f) return ND_ENOTFOUND;
    *n = f->len;
    return ND_OK;
}

static bool is_dir(const char *rel)
{
    /* the node's own directories, there from the start */
    for (const char *d = ".\0config\0data\0logs\0modules\0web\0"; *d; d += strlen(d) + 1)
        if (!strcmp(rel, d)) return true;
    size_t l = strlen(rel);
    for (int i = 0; i < DIRS_MAX; i++)
        if (!strcmp(dirs[i], rel)) return true;
    for (int i = 0; i < ND_FW_FILES; i++)
        if (files[i].name[0] && !strncmp(files[i].name, rel, l) && files[i].name[l] == '/')
            return true;
    return false;
}

int nd_fs_mkdir(const char *rel)
{
    if (!valid(rel)) return ND_EINVAL;
    if (is_dir(rel)) return ND_OK;
    for (int i = 0; i < DIRS_MAX; i++)
        if (!dirs[i][0]) {
            strcpy(dirs[i], rel); /* valid(): it fits */
            return ND_OK;
        }
    return ND_ELIMIT;
}

int nd_fs_stat(const char *rel, nd_fs_info *info)
{
    if (!valid(rel)) return ND_ENOTFOUND;
    memset(info, 0, sizeof *info);
    rfile *f = find(rel);
    if (f) {
        info->size = f->len;
        info->mtime = f->mtime;
        return ND_OK;
    }
    if (is_dir(rel)) {
        info->dir = true;
        return ND_OK;
    }
    return ND_ENOTFOUND;
}

int nd_fs_read_at(const char *rel, uint64_t off, void *buf, size_t n, size_t *got)
{
    rfile *f = find(rel);
    if (!f) return ND_ENOTFOUND;
    size_t k = off >= f->len ? 0 : (f->len - (size_t)off < n ? f->len - (size_t)off : n);
    if (k) memcpy(buf, f->data + off, k);
    *got = k;
    return ND_OK;
}

int nd_fs_list(const char *rel, nd_fs_list_fn fn, void *ud)
{
    if (!valid(rel) || !is_dir(rel)) return ND_ENOTFOUND;
    size_t l = strlen(rel);
    for (int i = 0; i < ND_FW_FILES; i++) {
        rfile *f = &files[i];
        if (!f->name[0] || strncmp(f->name, rel, l) || f->name[l] != '/') continue;
        const char *base = f->name + l + 1;
        if (strchr(base, '/')) continue; /* deeper: not listed as a directory entry here */
        nd_fs_info info = {f->len, f->mtime, false};
        int r = fn(ud, base, &info);
        if (r) return r;
    }
    return ND_OK;
}

int nd_fs_usage(uint64_t *tree_bytes, uint64_t *fs_total, uint64_t *fs_free)
{
    if (tree_bytes) *tree_bytes = used_bytes;
    if (fs_total) *fs_total = ND_FW_FS_BYTES;
    if (fs_free) *fs_free = ND_FW_FS_BYTES - used_bytes;
    return ND_OK;
}

