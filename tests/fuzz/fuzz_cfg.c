/*
** fuzz_cfg.c -- node_config.json loading on arbitrary bytes.
**
** The input becomes config/node_config.json in a temporary state directory;
** the store loads it, dumps it and renders every key. Beyond "no crash, no
** leak" two properties are checked, because they are what keeps a node's
** configuration from decaying over reboots:
**  - what the store saved loads again without any problem line;
**  - that second load dumps exactly what the first one did.
*/
#define _GNU_SOURCE /* mkdtemp */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "nodus/port.h"

static int ready;

static void dump_all(nd_cfg *c, nd_buf *out)
{
    nd_cfg_dump(c, NULL, out);
    nd_buf r;
    nd_buf_init(&r, 1 << 20);
    static char mem[64 * 1024];
    nd_arena a;
    nd_arena_init(&a, mem, sizeof mem);
    for (size_t i = 0; i < nd_cfg_schema_count(); i++) {
        const char *name = nd_cfg_schema_at(i)->name;
        nd_buf_clear(&r);
        if (nd_cfg_render(c, name, &r) != ND_OK) abort(); /* schema keys always render */
        nd_arena_reset(&a);
        if (!nd_cfg_value(c, &a, name)) abort();
        (void)nd_cfg_str(c, name);
        (void)nd_cfg_int(c, name);
        (void)nd_cfg_float(c, name);
        (void)nd_cfg_bool(c, name);
    }
    /* kept keys: the names from the dump lines past the schema */
    const char *p = nd_buf_cstr(out);
    size_t line = 0;
    char name[256];
    while (*p) {
        const char *nl = strchr(p, '\n');
        if (!nl) break;
        if (line++ >= nd_cfg_schema_count()) {
            const char *colon = strstr(p, ":        ");
            if (colon && colon > p + 2 && (size_t)(colon - p - 2) < sizeof name) {
                size_t n = (size_t)(colon - p - 2);
                memcpy(name, p + 2, n);
                while (n && name[n - 1] == ' ') n--;
                name[n] = 0;
                nd_buf_clear(&r);
                nd_cfg_render(c, name, &r);
                nd_arena_reset(&a);
                nd_cfg_value(c, &a, name);
            }
        }
        p = nl + 1;
    }
    nd_buf_free(&r);
}

/* Leave no state directory behind (the target only ever creates these). */
static void cleanup(void)
{
    static const char *const files[] = {ND_CFG_PATH, ND_CFG_PATH ".tmp", ND_CFG_BAD_PATH,
                                        "config/.guimeta.key", "config", "data", "logs",
                                        "modules", "web"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) nd_fs_remove(files[i]);
    remove(nd_fs_root());
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (!ready) {
        /* every load may fsync several files: ND_FUZZ_TMP=/dev/shm runs ~10x faster */
        const char *base = getenv("ND_FUZZ_TMP");
        char dir[512];
        snprintf(dir, sizeof dir, "%s/nd_fuzz_cfg_XXXXXX", base && *base ? base : "/tmp");
        if (!mkdtemp(dir)) abort();
        if (nd_fs_set_root(dir) != ND_OK) abort();
        atexit(cleanup);
        ready = 1;
    }
    nd_fs_remove(ND_CFG_BAD_PATH);
    nd_fs_remove("config/.guimeta.key");
    if (nd_fs_write_atomic(ND_CFG_PATH, data, size) != ND_OK) abort();

    nd_cfg *c = nd_cfg_new();
    if (!c) abort();
    nd_cfg_load(c);
    nd_buf d1, d2;
    nd_buf_init(&d1, 1 << 20);
    nd_buf_init(&d2, 1 << 20);
    dump_all(c, &d1);
    int saved = nd_cfg_save(c);
    nd_cfg_free(c);

    if (saved == ND_OK) {
        c = nd_cfg_new();
        if (!c) abort();
        nd_cfg_load(c);
        if (nd_cfg_problems(c)[0]) {
            fprintf(stderr, "reload problems: %s\n", nd_cfg_problems(c));
            abort();
        }
        dump_all(c, &d2);
        if (d1.n != d2.n || memcmp(d1.p, d2.p, d1.n) != 0) {
            fprintf(stderr, "dump changed:\n%s\n----\n%s\n", nd_buf_cstr(&d1), nd_buf_cstr(&d2));
            abort();
        }
        nd_cfg_free(c);
    }
    nd_buf_free(&d1);
    nd_buf_free(&d2);
    return 0;
}
