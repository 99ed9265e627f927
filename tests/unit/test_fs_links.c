/*
** test_fs_links.c -- the port's storage never follows a symbolic link in a
** served tree (web/, modules/: port.h), in any component of a path, and
** still follows the operator's links elsewhere (logs/ on a tmpfs ...).
**
** Each test gets a fresh state directory under $ND_TEST_TMP (or /tmp) and a
** directory "outside" beside it holding a secret file; every check also
** verifies that nothing outside was read, written or removed.
*/
#define _XOPEN_SOURCE 700 /* nftw, symlink */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nodus/port.h"

static char base[512], dir[600], out[600];

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *f)
{
    (void)st, (void)flag, (void)f;
    return remove(p);
}

static void host_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* the whole host file as a static string, "<missing>" when absent */
static const char *host_read(const char *path)
{
    static char buf[256];
    FILE *f = fopen(path, "rb");
    if (!f) return "<missing>";
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

static char *at(const char *d, const char *rel)
{
    static char p[4][800];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", d, rel);
    return p[k];
}

static void link_to(const char *target, const char *rel)
{
    assert_int_equal(symlink(target, at(dir, rel)), 0);
}

static int setup(void **state)
{
    (void)state;
    static int seq;
    const char *t = getenv("ND_TEST_TMP");
    snprintf(base, sizeof base, "%s/test_fs_links.%ld.%d", t && *t ? t : "/tmp", (long)getpid(),
             ++seq);
    snprintf(dir, sizeof dir, "%s/state", base);
    snprintf(out, sizeof out, "%s/outside", base);
    if (t && *t) mkdir(t, 0755); /* may be missing in a fresh build dir */
    mkdir(base, 0755);
    assert_int_equal(mkdir(out, 0755), 0);
    assert_int_equal(mkdir(at(out, "d"), 0755), 0);
    host_write(at(out, "secret.txt"), "TOPSECRET");
    host_write(at(out, "d/page.html"), "INNER");
    assert_int_equal(nd_fs_set_root(dir), ND_OK);
    assert_int_equal(nd_fs_mkdir("web/user_data/tmp"), ND_OK);
    assert_int_equal(nd_fs_write_atomic("web/ok.txt", "hello", 5), ND_OK);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    nftw(base, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

/* Every read-side call sees a link in a served tree as absent. */
static void assert_absent(const char *rel)
{
    char buf[64];
    size_t n = 0, got = 7;
    nd_fs_info info;
    if (nd_fs_stat(rel, &info) != ND_ENOTFOUND) fail_msg("stat %s", rel);
    if (nd_fs_size(rel, &n) != ND_ENOTFOUND) fail_msg("size %s", rel);
    if (nd_fs_read(rel, buf, sizeof buf, &n) != ND_ENOTFOUND) fail_msg("read %s", rel);
    assert_int_equal(n, 0);
    if (nd_fs_read_at(rel, 0, buf, sizeof buf, &got) != ND_ENOTFOUND) fail_msg("read_at %s", rel);
    assert_int_equal(got, 0);
}

static int count_fn(void *ud, const char *name, const nd_fs_info *info)
{
    (void)name, (void)info;
    (*(int *)ud)++;
    return 0;
}

static void test_linked_files_are_absent(void **state)
{
    (void)state;
    char buf[64];
    size_t n;
    assert_int_equal(nd_fs_read("web/ok.txt", buf, sizeof buf, &n), ND_OK); /* the control */
    link_to(at(out, "secret.txt"), "web/leak.txt");
    link_to("/etc/passwd", "web/passwd.txt");
    link_to("../../outside/secret.txt", "web/rel.txt"); /* relative, still outside */
    link_to("ok.txt", "web/inner.txt");                 /* inside: not followed either */
    link_to(at(out, "nothing"), "web/dangling.txt");
    link_to(at(out, "secret.txt"), "modules/LM_leak.py");
    link_to(at(out, "secret.txt"), "web/user_data/leak.txt");
    static const char *const rels[] = {"web/leak.txt",   "web/passwd.txt",     "web/rel.txt",
                                       "web/inner.txt",  "web/dangling.txt",   "modules/LM_leak.py",
                                       "web/user_data/leak.txt", "./web/leak.txt", "web//leak.txt"};
    for (size_t i = 0; i < sizeof rels / sizeof rels[0]; i++) assert_absent(rels[i]);
    /* not replaced, not written through, not removed, not moved */
    assert_true(nd_fs_write_atomic("web/leak.txt", "pwned", 5) < 0);
    assert_true(nd_fs_append("web/leak.txt", "pwned", 5) < 0);
    assert_true(nd_fs_append("web/dangling.txt", "pwned", 5) < 0);
    assert_true(nd_fs_rename("web/ok.txt", "web/leak.txt") < 0);
    assert_true(nd_fs_rename("web/leak.txt", "web/moved.txt") < 0);
    assert_int_equal(nd_fs_remove("web/leak.txt"), ND_ENOTFOUND);
    assert_int_equal(nd_fs_remove("modules/LM_leak.py"), ND_ENOTFOUND);
    assert_string_equal(host_read(at(out, "secret.txt")), "TOPSECRET");
    assert_string_equal(host_read(at(out, "nothing")), "<missing>");
    assert_string_equal(host_read(at(dir, "web/ok.txt")), "hello");
    struct stat st;
    assert_int_equal(lstat(at(dir, "web/leak.txt"), &st), 0); /* the link stays the operator's */
    assert_true(S_ISLNK(st.st_mode));
    /* a planted temporary file of an atomic write is not written through */
    link_to(at(out, "secret.txt"), "web/new.txt.tmp");
    assert_true(nd_fs_write_atomic("web/new.txt", "pwned", 5) < 0);
    assert_string_equal(host_read(at(out, "secret.txt")), "TOPSECRET");
    /* listings skip links */
    int count = 0;
    assert_int_equal(nd_fs_list("web/user_data", count_fn, &count), ND_OK);
    assert_int_equal(count, 1); /* tmp/ only */
}

static void test_linked_directories_are_absent(void **state)
{
    (void)state;
    link_to(at(out, "d"), "web/ldir");
    assert_absent("web/ldir/page.html");
    assert_absent("web/ldir");
    assert_true(nd_fs_write_atomic("web/ldir/new.txt", "x", 1) < 0);
    assert_true(nd_fs_append("web/ldir/new.txt", "x", 1) < 0);
    assert_true(nd_fs_mkdir("web/ldir/sub") < 0);
    assert_true(nd_fs_rename("web/ok.txt", "web/ldir/ok.txt") < 0);
    assert_int_equal(nd_fs_remove("web/ldir/page.html"), ND_ENOTFOUND);
    int count = 0;
    assert_int_equal(nd_fs_list("web/ldir", count_fn, &count), ND_ENOTFOUND);
    assert_string_equal(host_read(at(out, "d/page.html")), "INNER");
    assert_string_equal(host_read(at(out, "d/new.txt")), "<missing>");
    assert_string_equal(host_read(at(out, "d/ok.txt")), "<missing>");

    /* a served tree's own directory, swapped for a link while running */
    assert_int_equal(rename(at(dir, "modules"), at(dir, "modules.old")), 0);
    link_to(at(out, "d"), "modules");
    assert_absent("modules/page.html");
    assert_true(nd_fs_write_atomic("modules/LM_x.py", "x", 1) < 0);
    assert_true(nd_fs_mkdir("modules") < 0);
    assert_string_equal(host_read(at(out, "d/LM_x.py")), "<missing>");

    /* web/user_data/tmp as a link: uploads' temporary files go nowhere */
    assert_int_equal(rmdir(at(dir, "web/user_data/tmp")), 0);
    link_to(at(out, "d"), "web/user_data/tmp");
    assert_true(nd_fs_write_atomic("web/user_data/tmp/.upload-1", "", 0) < 0);
    assert_true(nd_fs_append("web/user_data/tmp/.upload-1", "x", 1) < 0);
    assert_string_equal(host_read(at(out, "d/.upload-1")), "<missing>");
}

/* Outside the served trees the operator's links are followed, as before. */
static void test_other_trees_follow_links(void **state)
{
    (void)state;
    char buf[64];
    size_t n;
    link_to(at(out, "secret.txt"), "data/ext.txt");
    assert_int_equal(nd_fs_read("data/ext.txt", buf, sizeof buf, &n), ND_OK);
    assert_string_equal(buf, "TOPSECRET");
    assert_int_equal(rmdir(at(dir, "logs")), 0);
    link_to(at(out, "d"), "logs"); /* logs on another file system */
    assert_int_equal(nd_fs_append("logs/x.log", "line\n", 5), ND_OK);
    assert_string_equal(host_read(at(out, "d/x.log")), "line\n");
    assert_int_equal(nd_fs_rename("logs/x.log", "logs/x.log.1"), ND_OK);
    assert_string_equal(host_read(at(out, "d/x.log.1")), "line\n");
}

/* web/ or modules/ made a link before the start: the node still starts,
** and serves nothing through it. */
static void test_start_with_linked_web(void **state)
{
    (void)state;
    char b2[700];
    snprintf(b2, sizeof b2, "%s/state2", base);
    assert_int_equal(mkdir(b2, 0755), 0);
    char w[800];
    snprintf(w, sizeof w, "%s/web", b2);
    assert_int_equal(symlink(at(out, "d"), w), 0);
    assert_int_equal(nd_fs_set_root(b2), ND_OK);
    assert_absent("web/page.html");
    nd_fs_info info;
    assert_int_equal(nd_fs_stat("config", &info), ND_OK);
    assert_true(info.dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_linked_files_are_absent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_linked_directories_are_absent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_trees_follow_links, setup, teardown),
        cmocka_unit_test_setup_teardown(test_start_with_linked_web, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
