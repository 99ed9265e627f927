/*
** webfile.c -- the web UI files of the web door (docs/micros-compat.md §4.4).
**
** A file is looked up first in <state>/web/ (the user's own pages override
** the built-in ones, and user_data/ uploads live there), then among the web
** files of the update slot the node runs (update.h), then among the assets
** embedded in the binary at build time (webassets.h). Bodies stream
** in ND_WEB_CHUNK pieces as the socket drains: a 3 MB file costs the node
** one chunk of memory, not 3 MB.
**
** Paths are percent-decoded and normalised by nd_http_safe_path: names of
** [A-Za-z0-9._-], no absolute path, nothing that climbs out of web/ (400),
** no hidden (dot) files (404). Files anyone may upload (user_data/) are
** served with `content-security-policy: sandbox`, so an uploaded page cannot
** script the dashboard's origin.
**
** A symbolic link anywhere under web/ (a linked file, a linked directory on
** the way, web/ itself) is never followed: the port treats it as absent
** (port.h, "served trees"), so such a path gets the built-in asset of that
** name or 404 -- never 403, which would confirm it exists -- and nothing
** behind the link is read. Each piece of a streamed file is read through
** the same check, so a link swapped in mid-download ends the reply.
**
** An image without web UI files (ND_WITH_WEB_UI 0, opts.h: the firmware
** embeds no assets, has no update slot and nothing in it writes web/)
** keeps only the path checks: every path answers as an empty web/ would
** -- 400 for a bad escape or a climbing path, else 404 -- byte for byte.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "safepath.h"
#include "update.h"
#include "webassets.h"
#include "web_int.h"

#if ND_WITH_WEB_UI
/* Content types by extension: micrOS's table plus svg; anything else is
** text/plain, as micrOS serves a .py file. */
static const char *content_type(const char *path)
{
    static const char *const map[][2] = {
        {"html", "text/html"},        {"css", "text/css"},     {"js", "application/javascript"},
        {"json", "application/json"}, {"ico", "image/x-icon"}, {"jpeg", "image/jpeg"},
        {"jpg", "image/jpeg"},        {"png", "image/png"},    {"txt", "text/plain"},
        {"gif", "image/gif"},         {"svg", "image/svg+xml"},
    };
    const char *dot = strrchr(path, '.');
    if (!dot || strchr(dot, '/')) return "text/plain";
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(dot + 1, map[i][0])) return map[i][1];
    return "text/plain";
}

typedef struct {
    const unsigned char *p; /* an embedded asset, or NULL for a file on disk */
    uint64_t off, size;
    char rel[ND_WEB_PATH_MAX];
} file_src;

static int produce_file(nd_wconn *c)
{
    file_src *f = c->ps;
    while (f->off < f->size && c->out.n - c->outoff < ND_WEB_OUT_LOW) {
        uint64_t left = f->size - f->off;
        size_t want = left > ND_WEB_CHUNK ? ND_WEB_CHUNK : (size_t)left;
        if (f->p) {
            nd_buf_put(&c->out, f->p + f->off, want);
            f->off += want;
            continue;
        }
        char chunk[ND_WEB_CHUNK];
        size_t got = 0;
        if (nd_fs_read_at(f->rel, f->off, chunk, want, &got) != ND_OK || got == 0)
            return -1; /* the file shrank or vanished: the length promised cannot be met */
        nd_buf_put(&c->out, chunk, got);
        f->off += got;
    }
    if (c->out.overflow) return -1;
    return f->off >= f->size;
}

void nd_web_file(nd_wconn *c, const char *rel, const char *extra)
{
    char path[ND_WEB_PATH_MAX];
    int k = snprintf(path, sizeof path, "web/%s", rel);
    nd_fs_info info;
    const nd_webasset *a = NULL;
    bool on_disk = k > 0 && (size_t)k < sizeof path && nd_fs_stat(path, &info) == ND_OK && !info.dir;
    if (!on_disk) /* then the web files of the update slot the node runs (update.h) */
        on_disk = nd_update_web_path(rel, path, sizeof path) == ND_OK &&
                  nd_fs_stat(path, &info) == ND_OK && !info.dir;
    if (!on_disk) a = nd_webasset_find(rel, strlen(rel));
    if (!on_disk && !a) {
        nd_web_error(c, 404, "Not found", false);
        return;
    }
    char hdr[256];
    snprintf(hdr, sizeof hdr, "x-content-type-options: nosniff\r\n%s%s",
             strncmp(rel, "user_data/", 10) == 0 ? "content-security-policy: sandbox\r\n" : "",
             extra ? extra : "");
    uint64_t size = on_disk ? info.size : a->len;
    file_src *f = NULL;
    if (!c->head_only && size && !(f = calloc(1, sizeof *f))) {
        nd_web_error(c, 500, "Out of memory", false);
        return;
    }
    nd_web_head(c, 200, content_type(rel), hdr, (int64_t)size);
    if (!f) return;
    f->p = on_disk ? NULL : a->data;
    f->size = size;
    snprintf(f->rel, sizeof f->rel, "%s", path);
    c->ps = f;
    c->produce = produce_file;
}

/* Is there a file `rel` in <state>/web/ or among the embedded assets? */
static bool have_file(const char *rel)
{
    char path[ND_WEB_PATH_MAX];
    nd_fs_info info;
    int k = snprintf(path, sizeof path, "web/%s", rel);
    if (k > 0 && (size_t)k < sizeof path && nd_fs_stat(path, &info) == ND_OK && !info.dir) return true;
    if (nd_update_web_path(rel, path, sizeof path) == ND_OK && nd_fs_stat(path, &info) == ND_OK && !info.dir)
        return true;
    return nd_webasset_find(rel, strlen(rel)) != NULL;
}

/* Does a normalised path have a segment that starts with a dot? */
static bool hidden(const char *p)
{
    for (const char *s = p; s; s = strchr(s, '/')) {
        if (*s == '/') s++;
        if (*s == '.') return true;
    }
    return false;
}

#endif /* ND_WITH_WEB_UI */

/* The client's path, decoded and normalised into safe (ND_WEB_PATH_MAX
** bytes). False when it cannot name a file: the reply (400 or 404) is made. */
static bool ui_path(nd_wconn *c, nd_span p, char *safe)
{
    struct nd_web *w = c->web;
    size_t n = 0;
    nd_span rest = {p.p + 1, p.n - 1};
    if (nd_http_pct_decode(rest, w->line, sizeof w->line, &n, false) != ND_OK) {
        nd_web_error(c, 400, "Bad request: invalid percent-escape", false);
        return false;
    }
    if (w->line[0] == '/' || nd_http_safe_path(w->line, safe, ND_WEB_PATH_MAX) != ND_OK) {
        /* an absolute path or one climbing out of web/ is an attack, not a
        ** missing file; anything else refused (odd characters) cannot exist */
        bool climbs = w->line[0] == '/' || !strcmp(w->line, "..") || !strncmp(w->line, "../", 3) ||
                      strstr(w->line, "/../") || (n >= 3 && !strcmp(w->line + n - 3, "/.."));
        if (climbs) nd_web_error(c, 400, "Bad request: path not allowed", false);
        else nd_web_error(c, 404, "Not found", false);
        return false;
    }
    return true;
}

void nd_web_static(nd_wconn *c, const nd_http_req *r)
{
    nd_span p = r->path;
    char safe[ND_WEB_PATH_MAX];
#if ND_WITH_WEB_UI
    /* /fs: micrOS's filesui.html when the user put one in web/, else ours */
    static const struct {
        const char *path, *file, *fallback;
    } pages[] = {{"/", "index.html", NULL},
                 {"/dashboard", "dashboard.html", NULL},
                 {"/sim", "sim.html", NULL},
                 {"/config/ui", "config.html", NULL},
                 {"/fs", "filesui.html", "fs.html"}};
    for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++)
        if (nd_span_eq(p, pages[i].path)) {
            const char *f = pages[i].file;
            if (pages[i].fallback && !have_file(f)) f = pages[i].fallback;
            nd_web_file(c, f, NULL);
            return;
        }
    if (!ui_path(c, p, safe)) return;
    if (!safe[0]) {
        nd_web_file(c, "index.html", NULL);
        return;
    }
    if (hidden(safe)) { /* dot files, partial uploads (user_data/tmp/.upload-*) */
        nd_web_error(c, 404, "Not found", false);
        return;
    }
    nd_web_file(c, safe, NULL);
#else
    /* no file to find: the pages above and every sound path are 404 */
    if (ui_path(c, p, safe)) nd_web_error(c, 404, "Not found", false);
#endif
}
