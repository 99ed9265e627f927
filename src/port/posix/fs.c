/*
** fs.c -- the node's state directory on a POSIX file system (port.h storage).
**
** All paths the core passes are relative to one root chosen at start. A path
** is refused (ND_EINVAL) when it is absolute, empty, or has a ".." component,
** so no core or module bug can make the node write outside its directory.
**
** Symbolic links. web/ and modules/ are served trees: remote users read,
** upload and delete files there through the web door (static files, /fs).
** Under them no call follows a symbolic link, in any component: a link to
** /etc/passwd, or a linked directory leading outside, is as good as absent.
** Every call walks its path from the root one directory at a time with
** openat(O_NOFOLLOW | O_DIRECTORY) and then touches the last component
** relative to that directory with O_NOFOLLOW / AT_SYMLINK_NOFOLLOW. Nothing
** is checked first and used later (a realpath() prefix check would be), so a
** link swapped in between two calls, or during one, is refused as well. In
** the other trees (config/, data/, logs/) links the operator placed are
** followed -- logs/ on a tmpfs is a common setup -- and no remote user can
** name a path there.
**
** Atomic replacement is the classic sequence: write "<rel>.tmp" in the same
** directory, fsync it, rename it over <rel>, fsync the directory so the
** rename itself survives a power cut. A reader therefore sees the old file or
** the new one, never a mix; a crash leaves at most a stale .tmp beside it.
*/
#define _XOPEN_SOURCE 700 /* POSIX 2008: openat family, fdopendir, realpath */

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
#ifndef NAME_MAX
#define NAME_MAX 255
#endif
#define USAGE_DEPTH 16 /* nd_fs_usage stops descending here */

static char root[PATH_MAX];
static bool nofollow_all; /* nd_fs_nofollow: every tree treated as served */

static int from_errno(int e)
{
    switch (e) {
    case ENOENT:
    case ENOTDIR:
    case ELOOP: return ND_ENOTFOUND; /* ELOOP: O_NOFOLLOW met a link in a served tree */
    case ENAMETOOLONG: return ND_ELIMIT;
    case EINVAL: return ND_EINVAL;
    case ENOMEM: return ND_ENOMEM;
    default: return ND_EIO;
    }
}

/* Create dir and its parents (mkdir -p); ok if it exists. Only for the root
** itself, which the operator names (links allowed there). */
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

/* ---- the walk ------------------------------------------------------------ */

/* Is rel inside a served tree? Its first real component decides. */
static bool served(const char *rel)
{
    const char *p = rel;
    for (;;) {
        while (*p == '/') p++;
        if (p[0] == '.' && (p[1] == '/' || p[1] == 0)) {
            p++;
            continue;
        }
        break;
    }
    size_t n = strcspn(p, "/");
    return (n == 3 && !memcmp(p, "web", 3)) || (n == 7 && !memcmp(p, "modules", 7));
}

/* A walked path: fd is the open directory holding the last component, leaf
** is that component's name ("." when rel names the root itself). */
typedef struct {
    int fd;
    bool nofollow; /* a served tree: no link is followed */
    char leaf[NAME_MAX + 1];
} walk;

/* Open the next directory `name` below fd (creating it when create), and
** close fd. In a served tree O_NOFOLLOW makes a link fail with ELOOP. */
static int descend(int fd, const char *name, bool nofollow, bool create)
{
    int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0);
    int nfd = openat(fd, name, flags);
    if (nfd < 0 && errno == ENOENT && create &&
        (mkdirat(fd, name, 0755) == 0 || errno == EEXIST))
        nfd = openat(fd, name, flags);
    int e = errno;
    close(fd);
    errno = e;
    return nfd;
}

/* Check rel and open the directory that holds its last component, one
** component at a time from the root. create makes missing directories on
** the way (mkdir -p). On success the caller closes w->fd. */
static int walk_to(const char *rel, walk *w, bool create)
{
    w->fd = -1;
    if (!root[0] || !rel || !rel[0] || rel[0] == '/') return ND_EINVAL;
    if (strlen(root) + 1 + strlen(rel) >= PATH_MAX) return ND_ELIMIT;
    for (const char *p = rel; *p;) { /* all checks before anything is opened */
        size_t len = strcspn(p, "/");
        if (len == 2 && p[0] == '.' && p[1] == '.') return ND_EINVAL;
        if (len > NAME_MAX) return ND_ELIMIT;
        p += len;
        if (*p == '/') p++;
    }
    w->nofollow = nofollow_all || served(rel);
    int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return from_errno(errno);
    /* a component is opened only once the next one shows it is not the last */
    strcpy(w->leaf, ".");
    bool pending = false;
    for (const char *p = rel; *p;) {
        size_t len = strcspn(p, "/");
        if (len && !(len == 1 && p[0] == '.')) {
            if (pending && (fd = descend(fd, w->leaf, w->nofollow, create)) < 0)
                return from_errno(errno);
            memcpy(w->leaf, p, len);
            w->leaf[len] = 0;
            pending = true;
        }
        p += len;
        if (*p == '/') p++;
    }
    w->fd = fd;
    return ND_OK;
}

/* Open a name in the walked directory; never through a link in a served tree. */
static int open_in(const walk *w, const char *name, int flags)
{
    return openat(w->fd, name, flags | O_CLOEXEC | (w->nofollow ? O_NOFOLLOW : 0), 0644);
}

/* A symbolic link in a served tree is not replaced, moved or removed either:
** it stays the operator's business and the caller gets an error. (A link
** planted between this check and the rename would be replaced -- by a file
** inside the tree: nothing outside is touched either way.) */
static bool served_link(const walk *w, const char *name)
{
    struct stat st;
    return w->nofollow && fstatat(w->fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
           S_ISLNK(st.st_mode);
}

/* stat of the leaf; a link in a served tree is as if absent */
static int stat_leaf(const walk *w, struct stat *st)
{
    if (fstatat(w->fd, w->leaf, st, w->nofollow ? AT_SYMLINK_NOFOLLOW : 0) != 0)
        return from_errno(errno);
    return S_ISLNK(st->st_mode) ? ND_ENOTFOUND : ND_OK;
}

/* ---- the calls ---------------------------------------------------------- */

/* lstat of a name directly in the root */
static int root_fd_lstat(const char *name, struct stat *st)
{
    int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return -1;
    int r = fstatat(fd, name, st, AT_SYMLINK_NOFOLLOW);
    close(fd);
    return r;
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
        /* web/ or modules/ made a link by the operator: the node still
        ** starts, and serves neither through it (see the top of the file) */
        struct stat st;
        if (rc != ND_OK && served(subs[i]) && root_fd_lstat(subs[i], &st) == 0 &&
            S_ISLNK(st.st_mode))
            continue;
        if (rc != ND_OK) return rc;
    }
    return ND_OK;
}

const char *nd_fs_root(void) { return root; }

/* Open rel for reading through the no-symlink walk: a regular file only. */
static int open_regular(const char *rel, int *out)
{
    walk w;
    int rc = walk_to(rel, &w, false);
    if (rc != ND_OK) return rc;
    /* O_NONBLOCK: a FIFO planted in the state dir must not hang the loop */
    int fd = open_in(&w, w.leaf, O_RDONLY | O_NONBLOCK);
    int e = errno;
    close(w.fd);
    if (fd < 0) return from_errno(e);
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return ND_EIO;
    }
    *out = fd;
    return ND_OK;
}

int nd_fs_read(const char *rel, char *buf, size_t cap, size_t *n)
{
    if (!buf || cap == 0) return ND_EINVAL;
    if (n) *n = 0;
    int fd;
    int rc = open_regular(rel, &fd);
    if (rc != ND_OK) return rc;
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

int nd_fs_write_atomic(const char *rel, const void *data, size_t n)
{
    if (!data && n) return ND_EINVAL;
    walk w;
    int rc = walk_to(rel, &w, false);
    if (rc != ND_OK) return rc;
    char tmp[NAME_MAX + 1];
    int k = snprintf(tmp, sizeof tmp, "%s.tmp", w.leaf);
    if (k < 0 || (size_t)k >= sizeof tmp) rc = ND_ELIMIT;
    else if (served_link(&w, w.leaf)) rc = ND_EIO;
    if (rc != ND_OK) {
        close(w.fd);
        return rc;
    }
    int fd = open_in(&w, tmp, O_WRONLY | O_CREAT | O_TRUNC);
    if (fd < 0) {
        rc = from_errno(errno);
        close(w.fd);
        return rc == ND_ENOTFOUND ? ND_EIO : rc;
    }
    rc = write_all(fd, data, n);
    if (rc == ND_OK && fsync(fd) != 0) rc = ND_EIO;
    if (close(fd) != 0 && rc == ND_OK) rc = ND_EIO;
    if (rc == ND_OK && renameat(w.fd, tmp, w.fd, w.leaf) != 0) rc = from_errno(errno);
    if (rc != ND_OK) {
        unlinkat(w.fd, tmp, 0);
        close(w.fd);
        return rc == ND_ENOTFOUND ? ND_EIO : rc;
    }
    fsync(w.fd); /* the rename itself; some file systems refuse fsync on a directory */
    close(w.fd);
    return ND_OK;
}

int nd_fs_append(const char *rel, const void *data, size_t n)
{
    if (!data && n) return ND_EINVAL;
    walk w;
    int rc = walk_to(rel, &w, false);
    if (rc != ND_OK) return rc;
    int fd = open_in(&w, w.leaf, O_WRONLY | O_CREAT | O_APPEND);
    int e = errno;
    close(w.fd);
    if (fd < 0) return from_errno(e);
    rc = write_all(fd, data, n);
    if (close(fd) != 0 && rc == ND_OK) rc = ND_EIO;
    return rc;
}

int nd_fs_rename(const char *from_rel, const char *to_rel)
{
    walk a, b;
    int rc = walk_to(from_rel, &a, false);
    if (rc != ND_OK) return rc;
    rc = walk_to(to_rel, &b, false);
    if (rc != ND_OK) {
        close(a.fd);
        return rc;
    }
    if (served_link(&a, a.leaf)) rc = ND_ENOTFOUND;
    else if (served_link(&b, b.leaf)) rc = ND_EIO;
    else if (renameat(a.fd, a.leaf, b.fd, b.leaf) != 0) rc = from_errno(errno);
    else fsync(b.fd); /* the rename survives a power cut */
    close(a.fd);
    close(b.fd);
    return rc;
}

int nd_fs_remove(const char *rel)
{
    walk w;
    int rc = walk_to(rel, &w, false);
    if (rc != ND_OK) return rc;
    if (served_link(&w, w.leaf)) rc = ND_ENOTFOUND;
    else if (unlinkat(w.fd, w.leaf, 0) == 0) rc = ND_OK;
    else if ((errno == EISDIR || errno == EPERM) && unlinkat(w.fd, w.leaf, AT_REMOVEDIR) == 0)
        rc = ND_OK;
    else rc = from_errno(errno);
    close(w.fd);
    return rc;
}

int nd_fs_size(const char *rel, size_t *n)
{
    walk w;
    int rc = walk_to(rel, &w, false);
    if (rc != ND_OK) return rc;
    struct stat st;
    rc = stat_leaf(&w, &st);
    close(w.fd);
    if (rc == ND_OK && n) *n = (size_t)st.st_size;
    return rc;
}

int nd_fs_mkdir(const char *rel)
{
    walk w;
    int rc = walk_to(rel, &w, true);
    if (rc != ND_OK) return rc;
    struct stat st;
    if (mkdirat(w.fd, w.leaf, 0755) != 0 && errno != EEXIST) rc = from_errno(errno);
    else if (fstatat(w.fd, w.leaf, &st, w.nofollow ? AT_SYMLINK_NOFOLLOW : 0) != 0)
        rc = from_errno(errno);
    else if (!S_ISDIR(st.st_mode)) rc = ND_EIO; /* a file, or a link in a served tree */
    close(w.fd);
    return rc;
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
    walk w;
    int rc = walk_to(rel, &w, false);
    if (rc != ND_OK) return rc;
    struct stat st;
    rc = stat_leaf(&w, &st);
    close(w.fd);
    return rc == ND_OK ? info_of(&st, info) : rc;
}

int nd_fs_read_at(const char *rel, uint64_t off, void *buf, size_t n, size_t *got)
{
    *got = 0;
    int fd;
    int rc = open_regular(rel, &fd);
    if (rc != ND_OK) return rc;
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
    walk w;
    int rc = walk_to(rel, &w, false);
    if (rc != ND_OK) return rc;
    int dfd = open_in(&w, w.leaf, O_RDONLY | O_DIRECTORY);
    int e = errno;
    close(w.fd);
    if (dfd < 0) return from_errno(e);
    DIR *d = fdopendir(dfd);
    if (!d) {
        e = errno;
        close(dfd);
        return from_errno(e);
    }
    struct dirent *ent;
    rc = ND_OK;
    while (rc == ND_OK && (ent = readdir(d)) != NULL) {
        if (!strcmp(ent->d_name, ".") || !strcmp(ent->d_name, "..")) continue;
        struct stat st;
        nd_fs_info info;
        if (fstatat(dfd, ent->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            info_of(&st, &info) != ND_OK)
            continue; /* links, FIFOs ... */
        rc = fn(ud, ent->d_name, &info);
    }
    closedir(d); /* closes dfd */
    return rc;
}

bool nd_fs_nofollow(bool on)
{
    bool was = nofollow_all;
    nofollow_all = on;
    return was;
}

int nd_fs_touch(const char *rel)
{
    walk w;
    int rc = walk_to(rel, &w, false);
    if (rc != ND_OK) return rc;
    struct stat st;
    if (fstatat(w.fd, w.leaf, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode) &&
        w.nofollow) {
        close(w.fd);
        return ND_EIO; /* never write through a link where links are not followed */
    }
    int fd = open_in(&w, w.leaf, O_RDONLY | O_NONBLOCK);
    if (fd < 0 && errno == ENOENT) fd = open_in(&w, w.leaf, O_WRONLY | O_CREAT | O_NONBLOCK);
    int e = errno;
    close(w.fd);
    if (fd < 0) return from_errno(e);
    rc = fstat(fd, &st) == 0 && (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) ? ND_OK : ND_EIO;
    if (rc == ND_OK && futimens(fd, NULL) != 0) rc = from_errno(errno);
    close(fd);
    return rc;
}
