/*
** webfs.c -- the file endpoints of the web door (docs/micros-compat.md §4.5, §4.7):
** /fs/dirs, /fs/list, /fs/files (list, multipart upload, delete), /fs/usage.
**
** Four places, micrOS's public dir and mounts, each a directory of the state dir:
**   /user_data   <state>/web/user_data  (served by the web door as /user_data/<path>)
**   $modules     <state>/modules        (user Load Modules; flat)
**   $data        <state>/data           (module data, data_logger files; read-only)
**   $logs        <state>/logs           (the node's logs; read-only)
** $data and $logs are also served read-only as GET /$data/<path>, /$logs/<path>.
** A path is up to ND_FS_DEPTH segments of [A-Za-z0-9._-] (nd_http_safe_path),
** none hidden, not .mpy; subfolders are made on upload and listed recursively. Writing needs x-micros-auth when `auth` is on -- and
** always for $modules: a module is code, and code is not uploaded without a
** credential.
**
** Uploads stream: the multipart parser (nd_mpart_*) hands part data to
** nd_fs_append on a temporary file in web/user_data/tmp as it arrives, and a
** completed file is renamed over its target, so a target is either the old
** file or the whole new one. Consecutive parts with the same filename append
** to one file (the browser UI splits a file into 1 KiB parts, docs/micros-compat.md §4.7).
** The request body is never held in memory.
**
** Symbolic links: the port never follows one under web/ or modules/ (port.h,
** "served trees"), in any path component. A linked file or directory is as
** good as absent here: not listed, not served, deleted with 404 "File does
** not exist", and an upload whose temporary file, directory or target is a
** link fails ("Cannot create/store") without writing anything outside.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modsrc.h"
#include "multipart.h"
#include "safepath.h"
#include "web_int.h"

#define TMP_DIR "web/user_data/tmp"

/* ---- places ----------------------------------------------------------------- */

enum { P_USER, P_MODULES, P_DATA, P_LOGS, P_COUNT };

#include "nodus/opts.h" /* the limits; a port may override them */

static const struct {
    const char *pub; /* as clients write it */
    const char *dir; /* relative to the state dir */
    bool ro;         /* micrOS: a mount without its write flag */
    bool flat;       /* no subfolders (modules are looked up by name) */
} places[] = {{"/user_data", "web/user_data", false, false},
              {"$modules", "modules", false, true},
              {"$data", "data", true, false},
              {"$logs", "logs", true, false}};

/* "/user_data/x.txt", "user_data/x.txt", "x.txt" (user_data), "$modules/LM_a.py"
** -> place and a checked name. A bare directory (name "") is allowed when
** dir_ok. Returns false when the path is refused. */
static bool resolve(const char *in, size_t n, int *place, char *name, size_t cap, bool dir_ok)
{
    char buf[ND_WEB_PATH_MAX];
    if (n >= sizeof buf || memchr(in, 0, n)) return false;
    memcpy(buf, in, n);
    buf[n] = 0;
    /* trim white space a form may add */
    char *s = buf;
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') s++;
    for (size_t k = strlen(s); k && (s[k - 1] == ' ' || s[k - 1] == '\r' || s[k - 1] == '\n'); k--)
        s[k - 1] = 0;
    *place = P_USER;
    int mount = -1;
    for (int i = P_MODULES; i < P_COUNT; i++) {
        size_t pl = strlen(places[i].pub);
        if (!strncmp(s, places[i].pub, pl) && (s[pl] == 0 || s[pl] == '/')) {
            mount = i;
            s += pl;
            break;
        }
    }
    bool bare_abs = false; /* "/etc/passwd": an absolute path outside user_data */
    if (mount >= 0) {
        *place = mount;
    } else {
        bool abs = *s == '/';
        if (abs) s++;
        if (!strncmp(s, "user_data", 9) && (s[9] == 0 || s[9] == '/')) s += 9;
        else if (!strncmp(s, "web/user_data", 13) && (s[13] == 0 || s[13] == '/')) s += 13;
        else bare_abs = abs;
    }
    if (*s == '/') s++;
    if (!*s) {
        name[0] = 0;
        return dir_ok;
    }
    if (nd_http_safe_path(s, name, cap) != ND_OK || !name[0]) return false;
    if ((places[*place].flat || bare_abs) && strchr(name, '/')) return false;
    int depth = 1;
    for (const char *seg = name; seg; seg = strchr(seg, '/')) {
        if (*seg == '/') seg++, depth++;
        if (*seg == '.') return false; /* hidden, at any level */
    }
    if (depth > ND_FS_DEPTH) return false;
    size_t nl = strlen(name);
    if (nl > 4 && !strcmp(name + nl - 4, ".mpy")) return false;
    if (*place == P_USER && (!strcmp(name, "tmp") || !strncmp(name, "tmp/", 4))) return false;
    return true;
}

static bool may_write(nd_wconn *c, const nd_http_req *r, int place)
{
    struct nd_web *w = c->web;
    if (place == P_MODULES || nd_cfg_get_bool(w->node->cfg, ND_K_auth))
        return nd_web_authorized(w, r);
    return true;
}

/* ---- listings -------------------------------------------------------------------- */


typedef struct {
    nd_buf *b;
    int place;
    int count;
    const char *sub;                      /* folder below the place, "" at the top */
    char dirs[ND_FS_SUBDIRS][64];         /* subfolders seen, walked after the files */
    int ndirs;
} list_ctx;

static int list_one(void *ud, const char *name, const nd_fs_info *info)
{
    list_ctx *l = ud;
    size_t nl = strlen(name);
    if (name[0] == '.' || (nl > 4 && !strcmp(name + nl - 4, ".mpy"))) return 0;
    if (info->dir) {
        bool tmp = l->place == P_USER && !l->sub[0] && !strcmp(name, "tmp");
        if (!tmp && !places[l->place].flat && nl < sizeof l->dirs[0] && l->ndirs < ND_FS_SUBDIRS)
            snprintf(l->dirs[l->ndirs++], sizeof l->dirs[0], "%s", name);
        return 0;
    }
    if (l->count >= 1000) return ND_ELIMIT; /* a listing is one bounded reply */
    char path[ND_WEB_PATH_MAX];
    snprintf(path, sizeof path, "%s/%s%s%s", places[l->place].pub, l->sub, l->sub[0] ? "/" : "",
             name);
    nd_buf_puts(l->b, l->count++ ? ", {\"path\": " : "{\"path\": ");
    nd_json_escape(l->b, path, strlen(path));
    nd_buf_printf(l->b, ", \"size\": %llu, \"created\": %lld}", (unsigned long long)info->size,
                  (long long)info->mtime);
    return 0;
}

/* One folder's files, then its subfolders' (depth-first, ND_FS_DEPTH deep at
** most). The subfolder names are copied out before walking them, so no
** listing of the port is ever nested in another. */
static int list_dir(nd_buf *b, int place, const char *sub, int depth, int *count)
{
    list_ctx *l = calloc(1, sizeof *l);
    if (!l) return ND_ENOMEM;
    *l = (list_ctx){.b = b, .place = place, .count = *count, .sub = sub};
    char rel[ND_WEB_PATH_MAX + 32];
    snprintf(rel, sizeof rel, "%s%s%s", places[place].dir, sub[0] ? "/" : "", sub);
    int rc = nd_fs_list(rel, list_one, l);
    *count = l->count;
    for (int i = 0; i < l->ndirs && rc == ND_OK && depth < ND_FS_DEPTH; i++) {
        char next[ND_WEB_PATH_MAX];
        int k = snprintf(next, sizeof next, "%s%s%s", sub, sub[0] ? "/" : "", l->dirs[i]);
        if (k < 0 || (size_t)k >= sizeof next) continue;
        int r2 = list_dir(b, place, next, depth + 1, count);
        if (r2 == ND_ELIMIT || r2 == ND_ENOMEM) rc = r2;
    }
    free(l);
    return rc;
}

static void list_place(nd_wconn *c, int place, const char *sub)
{
    nd_buf *b = &c->web->body;
    nd_buf_clear(b);
    nd_buf_putc(b, '[');
    if (!places[place].ro) nd_fs_mkdir(places[place].dir);
    int count = 0;
    int rc = list_dir(b, place, sub, 1 + (sub[0] ? 1 : 0), &count);
    nd_buf_putc(b, ']');
    /* ND_ENOTFOUND: the place is a symbolic link (refused by the port, see
    ** port.h) or vanished: it lists as empty, like a missing directory */
    if (rc != ND_OK && rc != ND_ELIMIT && rc != ND_ENOTFOUND) {
        nd_web_error(c, 500, "Cannot list the directory", false);
        return;
    }
    nd_web_reply(c, 200, "application/json", "cache-control: no-store\r\n", b->p, b->n);
}

/* ---- delete ----------------------------------------------------------------------- */

static void delete_file(nd_wconn *c, const nd_http_req *r, nd_span body)
{
    int place;
    char name[ND_WEB_PATH_MAX], rel[ND_WEB_PATH_MAX + 32], msg[ND_WEB_PATH_MAX + 64];
    if (!resolve(body.p, body.n, &place, name, sizeof name, false)) {
        nd_web_error(c, 400, "Invalid file name", false);
        return;
    }
    if (places[place].ro) { /* micrOS's exception text, as a 500 */
        snprintf(msg, sizeof msg, "ReadOnly path: %s/%s", places[place].pub, name);
        nd_web_error(c, 500, msg, false);
        return;
    }
    if (!may_write(c, r, place)) {
        nd_web_unauthorized(c, r);
        return;
    }
    snprintf(rel, sizeof rel, "%s/%s", places[place].dir, name);
    nd_fs_info info;
    if (nd_fs_stat(rel, &info) != ND_OK || info.dir) {
        snprintf(msg, sizeof msg, "File does not exist: %s", name);
        nd_web_error(c, 404, msg, false);
        return;
    }
    if (nd_fs_remove(rel) != ND_OK) {
        nd_web_error(c, 500, "Cannot delete the file", false);
        return;
    }
    if (place == P_MODULES) nd_modsrc_touched(c->web->node);
    nd_log(c->web->node, "[INFO] web: deleted %s/%s", places[place].pub, name);
    int k = snprintf(msg, sizeof msg, "%s/%s deleted", places[place].pub, name);
    nd_web_reply(c, 200, "text/plain", "", msg, (size_t)k);
}

/* ---- upload -------------------------------------------------------------------------- */

typedef struct {
    nd_mpart mp;
    nd_wconn *c;
    bool open;                       /* a target is being written */
    bool failed;
    int place;
    char name[ND_WEB_PATH_MAX];      /* current target name */
    char tmp[ND_WEB_PATH_MAX + 32];  /* its temporary file */
    char err[ND_WEB_PATH_MAX + 64];  /* why the upload failed */
    uint64_t files;
} upload;

static bool may_write_place(upload *u, int place);

/* The current file is complete: rename it over its target. */
static int close_current(upload *u)
{
    if (!u->open) return ND_OK;
    u->open = false;
    char rel[ND_WEB_PATH_MAX + 32];
    snprintf(rel, sizeof rel, "%s/%s", places[u->place].dir, u->name);
    for (char *sl = strchr(rel + strlen(places[u->place].dir) + 1, '/'); sl; sl = strchr(sl + 1, '/')) {
        *sl = 0; /* subfolders of the target, one level at a time */
        nd_fs_mkdir(rel);
        *sl = '/';
    }
    if (nd_fs_rename(u->tmp, rel) != ND_OK) {
        nd_fs_remove(u->tmp);
        snprintf(u->err, sizeof u->err, "Cannot store %s", u->name);
        return ND_EIO;
    }
    u->files++;
    if (u->place == P_MODULES) nd_modsrc_touched(u->c->web->node); /* the next call loads it */
    nd_log(u->c->web->node, "[INFO] web: uploaded %s/%s", places[u->place].pub, u->name);
    return ND_OK;
}

static int part_begin(void *ud, const char *filename, const char *name)
{
    upload *u = ud;
    (void)name;
    if (!filename || !filename[0]) return ND_OK; /* a plain form field: ignored */
    int place;
    char nm[ND_WEB_PATH_MAX];
    if (!resolve(filename, strlen(filename), &place, nm, sizeof nm, false)) {
        snprintf(u->err, sizeof u->err, "Invalid filename in part headers: %.120s", filename);
        return ND_EINVAL;
    }
    if (u->open && place == u->place && !strcmp(nm, u->name)) return ND_OK; /* continues */
    if (close_current(u) != ND_OK) return ND_EIO;
    if (places[place].ro) {
        snprintf(u->err, sizeof u->err, "ReadOnly path: %s/%.120s", places[place].pub, nm);
        return ND_EINVAL;
    }
    if (!may_write_place(u, place)) {
        snprintf(u->err, sizeof u->err, "Auth required to write %s", places[place].pub);
        return ND_EINVAL;
    }
    u->place = place;
    snprintf(u->name, sizeof u->name, "%s", nm);
    snprintf(u->tmp, sizeof u->tmp, "%s/.upload-%llu-%llu", TMP_DIR,
             (unsigned long long)++u->c->web->upload_seq, (unsigned long long)u->files);
    nd_fs_remove(u->tmp);
    /* an empty file must exist even when the part has no data */
    if (nd_fs_write_atomic(u->tmp, "", 0) != ND_OK) {
        snprintf(u->err, sizeof u->err, "Cannot create %s", nm);
        return ND_EIO;
    }
    u->open = true;
    return ND_OK;
}

static int part_data(void *ud, const char *p, size_t n)
{
    upload *u = ud;
    if (!u->open || !n) return ND_OK; /* data of an ignored field */
    if (nd_fs_append(u->tmp, p, n) != ND_OK) {
        snprintf(u->err, sizeof u->err, "Cannot write %s (disk full?)", u->name);
        return ND_EIO;
    }
    return ND_OK;
}

static int part_end(void *ud)
{
    (void)ud; /* the next part may continue the same file: renamed later */
    return ND_OK;
}

static const nd_mpart_cb upload_cb = {part_begin, part_data, part_end};

/* the request is gone by the time parts arrive: its auth result is kept */
typedef struct {
    upload u;
    bool authed;
} upload_req;

static bool may_write_place(upload *u, int place)
{
    upload_req *q = (upload_req *)u;
    if (place == P_MODULES || nd_cfg_get_bool(u->c->web->node->cfg, ND_K_auth)) return q->authed;
    return true;
}

static void upload_abort(upload *u)
{
    if (u->open) nd_fs_remove(u->tmp);
    u->open = false;
}

bool nd_webfs_is_upload(const nd_http_req *r)
{
    return r->method == ND_HTTP_POST && nd_span_eq(r->path, "/fs/files");
}

void nd_webfs_upload_begin(nd_wconn *c, const nd_http_req *r)
{
    const nd_http_hdr *ct = nd_http_header(r, "content-type");
    upload_req *q = calloc(1, sizeof *q);
    if (!q) {
        c->keep_alive = false;
        nd_web_error(c, 500, "Out of memory", true);
        return;
    }
    q->u.c = c;
    q->authed = nd_web_authorized(c->web, r);
    nd_span none = {"", 0};
    if (nd_mpart_init(&q->u.mp, ct ? ct->value : none, &upload_cb, &q->u) != ND_OK) {
        free(q);
        c->keep_alive = false;
        nd_web_error(c, 400, "Invalid multipart boundary", true);
        return;
    }
    if (nd_cfg_get_bool(c->web->node->cfg, ND_K_auth) && !q->authed) {
        free(q);
        c->keep_alive = false; /* the body is not read: the connection cannot go on */
        c->close_after = true;
        nd_web_unauthorized(c, r);
        return;
    }
    nd_fs_mkdir(TMP_DIR);
    c->ps = q;
}

void nd_webfs_upload_feed(nd_wconn *c, const char *p, size_t n, bool last)
{
    upload_req *q = c->ps;
    if (!q) return;
    upload *u = &q->u;
    if (!p && !last) { /* the connection is going away: drop the partial file */
        upload_abort(u);
        return;
    }
    int rc = n ? nd_mpart_feed(&u->mp, p, n) : ND_OK;
    if (rc == ND_OK && last) {
        rc = nd_mpart_finish(&u->mp);
        if (rc == ND_OK) rc = close_current(u);
        else if (!u->err[0]) snprintf(u->err, sizeof u->err, "Invalid multipart body");
    }
    if (rc != ND_OK) {
        upload_abort(u);
        if (!u->err[0]) snprintf(u->err, sizeof u->err, "Invalid multipart body");
        bool auth = !strncmp(u->err, "Auth required", 13);
        c->keep_alive = false; /* the rest of the body is not read */
        char err[sizeof u->err];
        snprintf(err, sizeof err, "%s", u->err);
        free(q);
        c->ps = NULL;
        if (auth) {
            c->close_after = true;
            static const char body[] = "{\"state\": false, \"result\": \"Auth required\"}";
            nd_web_reply(c, 401, "application/json",
                         "cache-control: no-store\r\nx-content-type-options: nosniff\r\n"
                         "referrer-policy: no-referrer\r\n",
                         body, sizeof body - 1);
        } else {
            nd_web_error(c, strncmp(err, "ReadOnly path", 13) ? 400 : 500, err, true);
        }
        return;
    }
    if (!last) return;
    free(q);
    c->ps = NULL;
    nd_web_reply(c, 200, "text/plain", "", "ok", 2);
}

/* ---- start ----------------------------------------------------------------------- */

static int remove_stale(void *ud, const char *name, const nd_fs_info *info)
{
    (void)ud;
    char rel[ND_WEB_PATH_MAX + 32];
    if (!info->dir && !strncmp(name, ".upload-", 8)) {
        snprintf(rel, sizeof rel, "%s/%s", TMP_DIR, name);
        nd_fs_remove(rel);
    }
    return 0;
}

/* GET /$data/<path>, /$logs/<path>: micrOS's read-only mounts as files
** (1 MiB at most, one reply). Returns false when the path is no mount. */
bool nd_webfs_mount_get(nd_wconn *c, const nd_http_req *r)
{
    nd_span p = r->path;
    if (!nd_span_prefix(p, "/$data/") && !nd_span_prefix(p, "/$logs/")) return false;
    char in[ND_WEB_PATH_MAX], name[ND_WEB_PATH_MAX], rel[ND_WEB_PATH_MAX + 32];
    size_t n = 0;
    nd_span rest = {p.p + 1, p.n - 1};
    int place;
    if (nd_http_pct_decode(rest, in, sizeof in, &n, false) != ND_OK ||
        !resolve(in, n, &place, name, sizeof name, false)) {
        nd_web_error(c, 404, "Not found", false);
        return true;
    }
    snprintf(rel, sizeof rel, "%s/%s", places[place].dir, name);
    size_t cap = 1024 * 1024 + 1, got = 0;
    char *buf = malloc(cap);
    int rc = buf ? nd_fs_read(rel, buf, cap, &got) : ND_ENOMEM;
    if (rc == ND_OK)
        nd_web_reply(c, 200, "text/plain; charset=utf-8",
                     "cache-control: no-store\r\nx-content-type-options: nosniff\r\n", buf, got);
    else if (rc == ND_ENOTFOUND) nd_web_error(c, 404, "Not found", false);
    else if (rc == ND_ELIMIT) nd_web_error(c, 413, "File larger than 1 MiB", false);
    else nd_web_error(c, 500, "Cannot read the file", false);
    free(buf);
    return true;
}

void nd_webfs_start(struct nd_web *w)
{
    (void)w;
    nd_fs_mkdir(places[P_USER].dir);
    nd_fs_mkdir(places[P_MODULES].dir);
    nd_fs_mkdir(TMP_DIR);
    /* uploads cut short by a crash or a power loss leave their temporary
    ** file: nothing can complete it any more */
    nd_fs_list(TMP_DIR, remove_stale, NULL);
}

/* ---- the endpoints ----------------------------------------------------------------- */

bool nd_webfs_handle(nd_wconn *c, const nd_http_req *r, nd_span body)
{
    nd_span p = r->path;
    int m = r->method;
    struct nd_web *w = c->web;
    if (nd_span_eq(p, "/fs/dirs")) {
        if (m != ND_HTTP_GET) return nd_web_error(c, 405, "Method not allowed", false), true;
        static const char dirs[] = "[[\"/user_data\", \"rw\"], [\"$modules\", \"rw\"], "
                                   "[\"$data\", \"r\"], [\"$logs\", \"r\"]]";
        nd_web_reply(c, 200, "application/json", "", dirs, sizeof dirs - 1);
        return true;
    }
    if (nd_span_eq(p, "/fs/list")) {
        if (m == ND_HTTP_GET) {
            static const char t[] = "USE THIS AS POST Endpoint, select dir in http body";
            nd_web_reply(c, 200, "text/plain", "", t, sizeof t - 1);
            return true;
        }
        if (m != ND_HTTP_POST) return nd_web_error(c, 405, "Method not allowed", false), true;
        int place;
        char name[ND_WEB_PATH_MAX];
        nd_fs_info st;
        char rel[ND_WEB_PATH_MAX + 32];
        bool ok = resolve(body.p, body.n, &place, name, sizeof name, true);
        if (ok && name[0]) { /* a subfolder */
            snprintf(rel, sizeof rel, "%s/%s", places[place].dir, name);
            ok = nd_fs_stat(rel, &st) == ND_OK && st.dir;
        }
        if (!ok) {
            nd_web_error(c, 400, "Unknown directory: use /user_data, $modules, $data or $logs", false);
            return true;
        }
        list_place(c, place, name);
        return true;
    }
    if (nd_span_eq(p, "/fs/files")) {
        if (m == ND_HTTP_GET) list_place(c, P_USER, "");
        else if (m == ND_HTTP_DELETE) delete_file(c, r, body);
        else nd_web_error(c, 405, "Method not allowed", false); /* POST is streamed (upload) */
        return true;
    }
    /* nodus: a module's source, for `nodus get` (micrOS serves none). Code may
    ** hold secrets: the password is needed, as for writes to $modules. */
    if (nd_span_prefix(p, "/fs/modules/")) {
        if (m != ND_HTTP_GET) return nd_web_error(c, 405, "Method not allowed", false), true;
        if (!may_write(c, r, P_MODULES)) return nd_web_unauthorized(c, r), true;
        char in[ND_WEB_PATH_MAX], name[ND_WEB_PATH_MAX], rel[ND_WEB_PATH_MAX + 32];
        int place, k = snprintf(in, sizeof in, "$modules/%.*s", (int)(p.n - 12), p.p + 12);
        if (k < 0 || (size_t)k >= sizeof in || !resolve(in, (size_t)k, &place, name, sizeof name, false))
            return nd_web_error(c, 400, "Invalid file name", false), true;
        snprintf(rel, sizeof rel, "modules/%s", name);
        size_t cap = 1024 * 1024 + 1, n = 0;
        char *buf = malloc(cap);
        int rc = buf ? nd_fs_read(rel, buf, cap, &n) : ND_ENOMEM;
        if (rc == ND_OK) nd_web_reply(c, 200, "application/octet-stream", "cache-control: no-store\r\n", buf, n);
        else if (rc == ND_ENOTFOUND) nd_web_error(c, 404, "File does not exist", false);
        else if (rc == ND_ELIMIT) nd_web_error(c, 413, "File larger than 1 MiB", false);
        else nd_web_error(c, 500, "Cannot read the file", false);
        free(buf);
        return true;
    }
    if (nd_span_eq(p, "/fs/usage")) {
        if (m != ND_HTTP_GET) return nd_web_error(c, 405, "Method not allowed", false), true;
        uint64_t used = 0, total = 0, avail = 0;
        if (nd_fs_usage(&used, &total, &avail) != ND_OK) {
            nd_web_error(c, 500, "Cannot read the disk usage", false);
            return true;
        }
        nd_buf *b = &w->body;
        nd_buf_clear(b);
        nd_buf_printf(b, "{\"used\": %llu, \"free\": %llu}", (unsigned long long)used,
                      (unsigned long long)avail);
        nd_web_reply(c, 200, "application/json", "cache-control: no-store\r\n", b->p, b->n);
        return true;
    }
    return false;
}
