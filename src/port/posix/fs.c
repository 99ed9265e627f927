/*
** fs.c -- the node's state directory on a POSIX file system (port.h storage).
**
** All paths the core passes are relative to one root chosen at start. A path
** is refused (ND_EINVAL) when it is absolute, empty, or has a ".." component,
** so no core or module bug can make the node write outside its directory.
** Symbolic links placed inside the root by the operator are followed; that is
** the operator's choice, not something a remote user can do through nodus.
**
** Atomic replacement is the classic sequence: write "<rel>.tmp" in the same
** directory, fsync it, rename it over <rel>, fsync the directory so the
** rename itself survives a power cut. A reader therefore sees the old file or
** the new one, never a mix; a crash leaves at most a stale .tmp beside it.
*/
#define _XOPEN_SOURCE 700 /* POSIX 2008 + realpath */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <unistd.h>

#include "nodus/port.h"

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif
#define USAGE_DEPTH 16 /* nd_fs_usage stops descending here */

static char root[PATH_MAX];

static int from_errno(int e)
{
    switch (e) {
    case ENOENT:
    case ENOTDIR: return ND_ENOTFOUND;
    case ENAMETOOLONG: return ND_ELIMIT;
    case EINVAL: return ND_EINVAL;
    case ENOMEM: return ND_ENOMEM;
    default: return ND_EIO;
    }
}

/* Create dir and its parents (mkdir -p); ok if it exists. */
static int mkdir_p(const char *dir)
{
    char p[PATH_MAX];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof p) return ND_EINVAL;
    memcpy(p, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (p[i] != '/' && p[i] != 0) continue;
        char saved = p[i];
        p[i] = 0;
        if (mkdir(p, 0755) != 0 && errno != EEXIST) return from_errno(errno);
        p[i] = saved;
    }
    struct stat st;
    if (stat(dir, &st) != 0) return from_errno(errno);
    return S_ISDIR(st.st_mode) ? ND_OK : ND_EIO;
}

/* Check rel and build root/rel into out. */
static int full_path(const char *rel, char *out, size_t n)
{
    if (!root[0] || !rel || !rel[0] || rel[0] == '/') return ND_EINVAL;
    for (const char *p = rel; *p;) {
        const char *e = strchr(p, '/');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == 2 && p[0] == '.' && p[1] == '.') return ND_EINVAL;
        p += len;
        if (*p == '/') p++;
    }
    int k = snprintf(out, n, "%s/%s", root, rel);
    return (k < 0 || (size_t)k >= n) ? ND_ELIMIT : ND_OK;
}

int nd_fs_set_root(const char *dir)
{
    if (!dir || !dir[0]) return ND_EINVAL;
    int rc = mkdir_p(dir);
    if (rc != ND_OK) return rc;
    /* an absolute, resolved root: stable however the node was started */
    char real[PATH_MAX];
    if (!realpath(dir, real)) return from_errno(errno);
    if (strlen(real) >= sizeof root) return ND_ELIMIT;
    strcpy(root, real);
    static const char *const subs[] = {"config", "data", "logs", "modules", "web"};
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
        rc = nd_fs_mkdir(subs[i]);
        if (rc != ND_OK) return rc;
    }
    return ND_OK;
}

const char *nd_fs_root(void) { return root; }

int nd_fs_read(const char *rel, char *buf, size_t cap, size_t *n)
{
    char path[PATH_MAX];
    int rc = full_path(rel, path, sizeof path);
    if (rc != ND_OK) return rc;
    if (!buf || cap == 0) return ND_EINVAL;
    if (n) *n = 0;
    /* O_NONBLOCK: a FIFO planted in the state dir must not hang the loop */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return from_errno(errno);
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return ND_EIO;
    }
    size_t got = 0;
    rc = ND_OK;
    for (;;) {
        /* read one byte past cap-1 to tell "fits exactly" from "too large" */
        char extra = 0;
        char *dst = got < cap - 1 ? buf + got : &extra;
        size_t want = got < cap - 1 ? cap - 1 - got : 1;
        ssize_t r = read(fd, dst, want);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            rc = from_errno(errno);
            break;
        }
        if (r == 0) break;
        if (dst == &extra) {
            rc = ND_ELIMIT;
            break;
        }
        got += (size_t)r;
    }
    close(fd);
    buf[got] = 0;
    if (n) *n = got;
    return rc;
}

static int write_all(int fd, const void *data, size_t n)
{
    const char *p = data;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) return from_errno(errno);
        p += w;
        n -= (size_t)w;
    }
    return ND_OK;
}

/* fsync the directory holding path, so a rename in it is durable. */
static void sync_dir_of(const char *path)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash) return;
    *slash = 0;
    int fd = open(dir[0] ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    fsync(fd); /* some file systems refuse fsync on directories: nothing to do then */
    close(fd);
}

int nd_fs_write_atomic(const char *rel, const void *data, size_t n)
{
    char path[PATH_MAX], tmp[PATH_MAX];
    int rc = full_path(rel, path, sizeof path);
    if (rc != ND_OK) return rc;
    if (!data && n) return ND_EINVAL;
    int k = snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if (k < 0 || (size_t)k >= sizeof tmp) return ND_ELIMIT;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return from_errno(errno);
    rc = write_all(fd, data, n);
    if (rc == ND_OK && fsync(fd) != 0) rc = ND_EIO;
    if (close(fd) != 0 && rc == ND_OK) rc = ND_EIO;
    if (rc == ND_OK && rename(tmp, path) != 0) rc = from_errno(errno);
    if (rc != ND_OK) {
        unlink(tmp);
        return rc == ND_ENOTFOUND ? ND_EIO : rc;
    }
    sync_dir_of(path);
    return ND_OK;
}

int nd_fs_append(const char *rel, const void *data, size_t n)
{
    char path[PATH_MAX];
    int rc = full_path(rel, path, sizeof path);
    if (rc != ND_OK) return rc;
    if (!data && n) return ND_EINVAL;
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return from_errno(errno);
    rc = write_all(fd, data, n);
    if (close(fd) != 0 && rc == ND_OK) rc = ND_EIO;
    return rc;
}

int nd_fs_rename(const char *from_rel, const char *to_rel)
{
    char from[PATH_MAX], to[PATH_MAX];
    int rc = full_path(from_rel, from, sizeof from);
    if (rc == ND_OK) rc = full_path(to_rel, to, sizeof to);
    if (rc != ND_OK) return rc;
    if (rename(from, to) != 0) return from_errno(errno);
    sync_dir_of(to);
    return ND_OK;
}

int nd_fs_remove(const char *rel)
{
    char path[PATH_MAX];
    int rc = full_path(rel, path, sizeof path);
    if (rc != ND_OK) return rc;
    if (unlink(path) == 0) return ND_OK;
    if ((errno == EISDIR || errno == EPERM) && rmdir(path) == 0) return ND_OK;
    return from_errno(errno);
}

int nd_fs_size(const char *rel, size_t *n)
{
    char path[PATH_MAX];
    int rc = full_path(rel, path, sizeof path);
    if (rc != ND_OK) return rc;
    struct stat st;
    if (stat(path, &st) != 0) return from_errno(errno);
    if (n) *n = (size_t)st.st_size;
    return ND_OK;
}

int nd_fs_mkdir(const char *rel)
{
    char path[PATH_MAX];
    int rc = full_path(rel, path, sizeof path);
    if (rc != ND_OK) return rc;
    return mkdir_p(path);
}

/* Bytes of regular files under dir; symbolic links are not followed. */
static uint64_t tree_size(const char *dir, int depth)
{
    if (depth > USAGE_DEPTH) return 0;
    DIR *d = opendir(dir);
    if (!d) return 0;
    uint64_t sum = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        char p[PATH_MAX];
        int k = snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (k < 0 || (size_t)k >= sizeof p) continue;
        struct stat st;
        if (lstat(p, &st) != 0) continue;
        if (S_ISREG(st.st_mode))
            sum += (uint64_t)st.st_size;
        else if (S_ISDIR(st.st_mode))
            sum += tree_size(p, depth + 1);
    }
    closedir(d);
    return sum;
}

int nd_fs_usage(uint64_t *tree_bytes, uint64_t *fs_total, uint64_t *fs_free)
{
    if (!root[0]) return ND_EINVAL;
    if (tree_bytes) *tree_bytes = tree_size(root, 0);
    struct statvfs sv;
    if (statvfs(root, &sv) != 0) return from_errno(errno);
    if (fs_total) *fs_total = (uint64_t)sv.f_frsize * (uint64_t)sv.f_blocks;
    if (fs_free) *fs_free = (uint64_t)sv.f_frsize * (uint64_t)sv.f_bavail;
    return ND_OK;
}

/* ---- metadata, piecewise reads and listings (web server) ---------------- */

static int info_of(const struct stat *st, nd_fs_info *info)
{
    if (!S_ISREG(st->st_mode) && !S_ISDIR(st->st_mode)) return ND_EIO;
    if (info) {
        info->size = S_ISREG(st->st_mode) ? (uint64_t)st->st_size : 0;
        info->mtime = (int64_t)st->st_mtime;
        info->dir = S_ISDIR(st->st_mode);
    }
    return ND_OK;
}

int nd_fs_stat(const char *rel, nd_fs_info *info)
{
    char path[PATH_MAX];
    int rc = full_path(rel, path, sizeof path);
    if (rc != ND_OK) return rc;
    struct stat st;
    if (stat(path, &st) != 0) return from_errno(errno);
    return info_of(&st, info);
}

int nd_fs_read_at(const char *rel, uint64_t off, void *buf, size_t n, size_t *got)
{
    char path[PATH_MAX];
    int rc = full_path(rel, path, sizeof path);
    if (rc != ND_OK) return rc;
    *got = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return from_errno(errno);
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return ND_EIO;
    }
    ssize_t r;
    do {
        r = pread(fd, buf, n, (off_t)off);
    } while (r < 0 && errno == EINTR);
    rc = r < 0 ? from_errno(errno) : ND_OK;
    if (r > 0) *got = (size_t)r;
    close(fd);
    return rc;
}

int nd_fs_list(const char *rel, nd_fs_list_fn fn, void *ud)
{
    char path[PATH_MAX];
    int rc = full_path(rel, path, sizeof path);
    if (rc != ND_OK) return rc;
    DIR *d = opendir(path);
    if (!d) return from_errno(errno);
    struct dirent *e;
    rc = ND_OK;
    while (rc == ND_OK && (e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char p[PATH_MAX];
        int k = snprintf(p, sizeof p, "%s/%s", path, e->d_name);
        if (k < 0 || (size_t)k >= sizeof p) continue;
        struct stat st;
        nd_fs_info info;
        if (lstat(p, &st) != 0 || info_of(&st, &info) != ND_OK) continue; /* links, FIFOs ... */
        rc = fn(ud, e->d_name, &info);
    }
    closedir(d);
    return rc;
}
