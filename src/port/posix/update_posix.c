/*
** update_posix.c -- A/B update slots on a POSIX file system (port.h,
** "A/B update slots") and the launcher of `nodus run` (update_posix.h).
**
** Layout under the state directory:
**
**   slots/a/, slots/b/   nodus (the binary, 0755), web/..., modules/...,
**                        manifest, manifest.sig (written last by a commit)
**   slots/current        symlink "a" or "b"; absent: run the base binary
**   slots/stage/         files of the update being staged
**   slots/state          the update record (update_manifest.h)
**
** A commit moves the old slot aside (<slot>.old), renames the stage into
** place and only then removes the old one, so a kill leaves either the old
** slot or the new one, plus litter nd_upd_stage_abort clears at the next
** start. `current` is switched by renaming a new symlink over it, which is
** atomic; every step that must survive a power cut is fsync'ed, files and
** the directories that name them.
*/
#define _GNU_SOURCE /* nftw's FTW_ACTIONRETVAL is not needed; realpath, posix_fallocate */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "nodus/port.h"
#include "update.h"
#include "update_manifest.h"
#include "update_posix.h"

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

static int running_slot = ND_UPD_BASE;
static int stage_fd = -1;

static int path_of(char *buf, size_t n, const char *rel)
{
    int k = snprintf(buf, n, "%s/slots%s%s", nd_fs_root(), rel[0] ? "/" : "", rel);
    return k > 0 && (size_t)k < n ? ND_OK : ND_ELIMIT;
}

static int slot_dir(int slot) { return slot == ND_UPD_A ? 'a' : 'b'; }

static int fsync_path(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ND_EIO;
    int rc = fsync(fd);
    close(fd);
    return rc == 0 ? ND_OK : ND_EIO;
}

static int sync_slots_dir(void)
{
    char p[PATH_MAX];
    if (path_of(p, sizeof p, "") != ND_OK) return ND_ELIMIT;
    return fsync_path(p);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (flag == FTW_DP) rmdir(path);
    else unlink(path); /* files and symlinks themselves: a link is never followed */
    return 0;
}

/* rm -rf of a path under slots/ (FTW_PHYS: links are removed, not followed). */
static void rmtree(const char *rel)
{
    char p[PATH_MAX];
    struct stat st;
    if (path_of(p, sizeof p, rel) != ND_OK || lstat(p, &st) != 0) return;
    if (!S_ISDIR(st.st_mode)) {
        unlink(p);
        return;
    }
    nftw(p, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int mkdir_slots(void)
{
    char p[PATH_MAX];
    if (path_of(p, sizeof p, "") != ND_OK) return ND_ELIMIT;
    if (mkdir(p, 0755) != 0 && errno != EEXIST) return ND_EIO;
    return ND_OK;
}

/* ---- which slot ------------------------------------------------------------ */

int nd_upd_active(void)
{
    char p[PATH_MAX], t[16];
    if (path_of(p, sizeof p, "current") != ND_OK) return ND_UPD_BASE;
    ssize_t n = readlink(p, t, sizeof t - 1);
    if (n != 1) return ND_UPD_BASE;
    return t[0] == 'a' ? ND_UPD_A : t[0] == 'b' ? ND_UPD_B : ND_UPD_BASE;
}

int nd_upd_running_slot(void) { return running_slot; }

const char *nd_upd_arch(void)
{
    /* the architecture this binary was built for: what a bundle's binary
    ** must be (armv6l and armv7l boards both run an "arm" hard-float build) */
#if defined(__x86_64__)
    return "x86_64";
#elif defined(__aarch64__)
    return "aarch64";
#elif defined(__arm__)
    return "arm";
#elif defined(__i386__)
    return "i386";
#elif defined(__riscv) && __riscv_xlen == 64
    return "riscv64";
#else
    return "unknown";
#endif
}

int nd_upd_room(uint64_t *bytes)
{
    struct statvfs sv;
    if (statvfs(nd_fs_root(), &sv) != 0) return ND_EIO;
    *bytes = (uint64_t)sv.f_frsize * (uint64_t)sv.f_bavail;
    return ND_OK;
}

/* ---- staging ------------------------------------------------------------------ */

void nd_upd_stage_abort(void)
{
    if (stage_fd >= 0) close(stage_fd);
    stage_fd = -1;
    rmtree("stage");
    rmtree("a.old");
    rmtree("b.old");
    char p[PATH_MAX]; /* a first update that failed leaves no empty slots/ behind */
    if (path_of(p, sizeof p, "") == ND_OK) rmdir(p);
}

int nd_upd_stage_begin(int slot)
{
    (void)slot; /* the stage becomes the slot at commit */
    nd_upd_stage_abort();
    char p[PATH_MAX];
    if (mkdir_slots() != ND_OK || path_of(p, sizeof p, "stage") != ND_OK) return ND_EIO;
    return mkdir(p, 0755) == 0 ? ND_OK : ND_EIO;
}

int nd_upd_stage_file(const char *path, uint64_t size, bool binary)
{
    if (!nd_upd_path_ok(path, strlen(path)) || stage_fd >= 0) return ND_EINVAL;
    char p[PATH_MAX];
    if (path_of(p, sizeof p, "stage") != ND_OK) return ND_ELIMIT;
    size_t base = strlen(p);
    if (base + 1 + strlen(path) >= sizeof p) return ND_ELIMIT;
    p[base] = '/';
    strcpy(p + base + 1, path);
    for (char *s = p + base + 1; (s = strchr(s, '/')); s++) { /* the folders on the way */
        *s = 0;
        int rc = mkdir(p, 0755);
        *s = '/';
        if (rc != 0 && errno != EEXIST) return ND_EIO;
    }
    int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, binary ? 0755 : 0644);
    if (fd < 0) return ND_EIO;
    /* claim the space now: a full disk shows at the first file, not midway */
    if (size && posix_fallocate(fd, 0, (off_t)size) == ENOSPC) {
        close(fd);
        return ND_EIO;
    }
    stage_fd = fd;
    return ND_OK;
}

int nd_upd_stage_write(const void *data, size_t n)
{
    const char *p = data;
    while (n) {
        ssize_t w = write(stage_fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return ND_EIO;
        p += w;
        n -= (size_t)w;
    }
    return ND_OK;
}

int nd_upd_stage_file_end(void)
{
    int rc = fsync(stage_fd) == 0 ? ND_OK : ND_EIO;
    if (close(stage_fd) != 0) rc = ND_EIO;
    stage_fd = -1;
    return rc;
}

static int write_file(const char *rel, const void *data, size_t n)
{
    char p[PATH_MAX];
    if (path_of(p, sizeof p, rel) != ND_OK) return ND_ELIMIT;
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) return ND_EIO;
    stage_fd = fd;
    int rc = nd_upd_stage_write(data, n);
    if (nd_upd_stage_file_end() != ND_OK) rc = ND_EIO;
    return rc;
}

/* fsync every directory of the stage, so the renames of its files hold. */
static int sync_dir(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return flag == FTW_DP && fsync_path(path) != ND_OK ? -1 : 0;
}

int nd_upd_stage_commit(int slot, const char *manifest, size_t mlen, const void *sig, size_t slen)
{
    if (slot != ND_UPD_A && slot != ND_UPD_B) return ND_EINVAL;
    char stage[PATH_MAX], dst[PATH_MAX], old[PATH_MAX], rel[8];
    if (write_file("stage/manifest.sig", sig, slen) != ND_OK ||
        write_file("stage/manifest", manifest, mlen) != ND_OK)
        return ND_EIO;
    if (path_of(stage, sizeof stage, "stage") != ND_OK ||
        nftw(stage, sync_dir, 16, FTW_DEPTH | FTW_PHYS) != 0)
        return ND_EIO;
    snprintf(rel, sizeof rel, "%c", slot_dir(slot));
    path_of(dst, sizeof dst, rel);
    snprintf(rel, sizeof rel, "%c.old", slot_dir(slot));
    path_of(old, sizeof old, rel);
    rmtree(rel);
    if (rename(dst, old) != 0 && errno != ENOENT) return ND_EIO;
    nd_upd_crashpoint("commit");
    if (rename(stage, dst) != 0) return ND_EIO;
    int rc = sync_slots_dir();
    rmtree(rel);
    return rc;
}

int nd_upd_slot_manifest(int slot, char *buf, size_t cap, size_t *n)
{
    if (slot != ND_UPD_A && slot != ND_UPD_B) return ND_ENOTFOUND;
    char rel[32];
    snprintf(rel, sizeof rel, "slots/%c/manifest", slot_dir(slot));
    int rc = nd_fs_read(rel, buf, cap, n);
    return rc == ND_ELIMIT ? ND_OK : rc; /* larger than the caller wants: it still exists */
}

int nd_upd_activate(int slot)
{
    char cur[PATH_MAX], tmp[PATH_MAX];
    if (mkdir_slots() != ND_OK || path_of(cur, sizeof cur, "current") != ND_OK ||
        path_of(tmp, sizeof tmp, "current.tmp") != ND_OK)
        return ND_EIO;
    if (slot == ND_UPD_BASE) {
        if (unlink(cur) != 0 && errno != ENOENT) return ND_EIO;
        return sync_slots_dir();
    }
    char target[2] = {(char)slot_dir(slot), 0};
    unlink(tmp);
    if (symlink(target, tmp) != 0) return ND_EIO;
    if (rename(tmp, cur) != 0) {
        unlink(tmp);
        return ND_EIO;
    }
    return sync_slots_dir();
}

int nd_upd_record_read(char *buf, size_t cap, size_t *n)
{
    return nd_fs_read("slots/state", buf, cap, n);
}

int nd_upd_record_write(const char *p, size_t n)
{
    if (mkdir_slots() != ND_OK) return ND_EIO;
    return nd_fs_write_atomic("slots/state", p, n);
}

void nd_upd_watchdog(uint32_t seconds)
{
    /* SIGALRM's default action ends the process, and an alarm survives
    ** exec: the launcher arms it before it execs a slot on trial, the new
    ** version disarms it once confirmed. A version that hangs is killed and
    ** its service manager's restart is counted by the launcher. */
    alarm(seconds);
}

void nd_upd_crashpoint(const char *step)
{
    const char *at = getenv("NODUS_UPDATE_CRASH_AT");
    if (!at || strcmp(at, step) != 0) return;
    fprintf(stderr, "nodus: NODUS_UPDATE_CRASH_AT=%s: killing myself (test fault injection)\n", step);
    fflush(stderr);
    raise(SIGKILL);
}

/* ---- the launcher --------------------------------------------------------------- */

void nd_posix_upd_launch(char **argv)
{
    const char *env = getenv("NODUS_SLOT");
    if (env) { /* started by a launcher: this is the slot's binary */
        running_slot = !strcmp(env, "a") ? ND_UPD_A : !strcmp(env, "b") ? ND_UPD_B : ND_UPD_BASE;
        unsetenv("NODUS_SLOT"); /* our own re-exec (reboot) is a launcher start again */
        return;
    }
    char self[PATH_MAX];
    if (!realpath("/proc/self/exe", self)) self[0] = 0;
    const char *base = getenv("NODUS_LAUNCHER");
    if (!base || !*base) {
        setenv("NODUS_LAUNCHER", self, 1);
        base = getenv("NODUS_LAUNCHER");
    }
    for (int attempt = 0; attempt < 3; attempt++) {
        nd_upd_boot b;
        nd_update_boot(&b, self[0] && !strcmp(self, base));
        if (b.msg[0]) fprintf(stderr, "nodus: %s\n", b.msg);
        if (b.slot == ND_UPD_BASE) {
            alarm(0); /* a rolled-back trial's alarm must not end the old version */
            if (self[0] && strcmp(self, base) != 0 && access(base, X_OK) == 0) {
                execv(base, argv);
                fprintf(stderr, "nodus: cannot start %s (%s): running %s\n", base, strerror(errno), self);
            }
            return;
        }
        char bin[PATH_MAX], rel[16];
        snprintf(rel, sizeof rel, "%c/" ND_UPD_BINARY, slot_dir(b.slot));
        if (path_of(bin, sizeof bin, rel) != ND_OK) return;
        setenv("NODUS_SLOT", b.slot == ND_UPD_A ? "a" : "b", 1);
        alarm(b.trial ? b.left_s + 5 : 0);
        fflush(NULL);
        execv(bin, argv);
        int e = errno;
        unsetenv("NODUS_SLOT");
        alarm(0);
        fprintf(stderr, "nodus: cannot start %s: %s\n", bin, strerror(e));
        if (!nd_update_exec_failed(b.slot, strerror(e))) return; /* run this binary instead */
    }
}
