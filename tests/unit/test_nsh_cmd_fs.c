/*
** test_nsh_cmd_fs.c -- nsh's file commands (src/core/nsh_cmd_fs.c) against a
** real state directory through the port, with the interpreter faked
** (nsh_fake_io.h): output, exit status and errors of each command; large
** files streamed in bounded calls; binary files refused; no path, "..", or
** link leaves the state directory; protected files and "/" refused.
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

#define FIO_TABLE nd_nsh_cmds_fs
#include "nsh_fake_io.h"

static char base[512], dir[600], outside[600];

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *f)
{
    (void)st, (void)flag, (void)f;
    return remove(p);
}

static char *at(const char *d, const char *rel)
{
    static char p[4][800];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", d, rel);
    return p[k];
}

static void put(const char *rel, const char *text)
{
    assert_int_equal(nd_fs_write_atomic(rel, text, strlen(text)), ND_OK);
}

static int setup(void **state)
{
    (void)state;
    static int seq;
    const char *t = getenv("ND_TEST_TMP");
    snprintf(base, sizeof base, "%s/test_nsh_cmd_fs.%ld.%d", t && *t ? t : "/tmp", (long)getpid(),
             ++seq);
    snprintf(dir, sizeof dir, "%s/state", base);
    snprintf(outside, sizeof outside, "%s/outside", base);
    if (t && *t) mkdir(t, 0755);
    mkdir(base, 0755);
    assert_int_equal(mkdir(outside, 0755), 0);
    FILE *f = fopen(at(outside, "secret.txt"), "w");
    fputs("TOPSECRET\n", f);
    fclose(f);
    assert_int_equal(nd_fs_set_root(dir), ND_OK);
    put("data/a.txt", "alpha\nbeta\ngamma\n");
    put("data/b.txt", "one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\neleven\ntwelve\n");
    put("config/node.json", "{\"devfid\": \"n\"}\n");
    fio_reset();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    nftw(base, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    fio_reset();
    return 0;
}

static void test_ls(void **state)
{
    (void)state;
    put("data/.hidden", "x");
    assert_int_equal(nd_fs_mkdir("data/sub"), ND_OK);
    assert_int_equal(fio_run("ls /data"), 0);
    assert_string_equal(fio.out, "a.txt\nb.txt\nsub/\n");
    fio_reset();
    assert_int_equal(fio_run("ls -a data"), 0);
    assert_string_equal(fio.out, ".hidden\na.txt\nb.txt\nsub/\n");
    fio_reset();
    assert_int_equal(fio_run("ls -l /config"), 0);
    assert_non_null(strstr(fio.out, "-r-"));           /* protected: r- */
    assert_non_null(strstr(fio.out, " node.json\n"));
    assert_non_null(strstr(fio.out, "total 16 bytes"));
    fio_reset();
    assert_int_equal(fio_run("ls /nope"), 1);
    assert_non_null(strstr(fio.err, "ls: /nope: no such file"));
    fio_reset();
    assert_int_equal(fio_run("ls -z"), 2);
    assert_non_null(strstr(fio.err, "unknown option '-z'"));
    assert_non_null(strstr(fio.err, "usage: ls"));
}

static void test_cat_head_tail_wc(void **state)
{
    (void)state;
    assert_int_equal(fio_run("cat /data/a.txt"), 0);
    assert_string_equal(fio.out, "alpha\nbeta\ngamma\n");
    fio_reset();
    assert_int_equal(fio_run("cat -n data/a.txt"), 0);
    assert_string_equal(fio.out, "     1\talpha\n     2\tbeta\n     3\tgamma\n");
    fio_reset();
    assert_int_equal(fio_run("head -n 2 /data/b.txt"), 0);
    assert_string_equal(fio.out, "one\ntwo\n");
    fio_reset();
    assert_int_equal(fio_run("tail -n 3 /data/b.txt"), 0);
    assert_string_equal(fio.out, "ten\neleven\ntwelve\n");
    fio_reset();
    assert_int_equal(fio_run("tail /data/a.txt"), 0);
    assert_string_equal(fio.out, "alpha\nbeta\ngamma\n");
    fio_reset();
    assert_int_equal(fio_run("wc /data/a.txt /data/b.txt"), 0);
    assert_non_null(strstr(fio.out, "      3       3        17 /data/a.txt\n"));
    assert_non_null(strstr(fio.out, " total\n"));
    fio_reset();
    assert_int_equal(fio_run("cat /data/missing"), 1);
    assert_string_equal(fio.err, "cat: /data/missing: no such file or directory\n");
    fio_reset();
    assert_int_equal(fio_run("cat /data"), 1);
    assert_non_null(strstr(fio.err, "is a directory"));
    fio_reset();
    assert_int_equal(fio_run("cat --help"), 0);
    assert_non_null(strstr(fio.out, "usage: cat [-n] FILE..."));
    fio_reset();
    assert_int_equal(fio_run("head -n x /data/a.txt"), 2);
}

/* A large file is streamed: many bounded calls, the output waits for room,
** and every byte arrives. */
static void test_cat_large_file_streams(void **state)
{
    (void)state;
    char line[100];
    memset(line, 'x', 99);
    line[99] = '\n';
    for (int i = 0; i < 40000; i++) assert_int_equal(nd_fs_append("data/big.txt", line, 100), ND_OK);
    assert_int_equal(fio_run("cat /data/big.txt"), 0);
    assert_int_equal(fio.outn, 4000000);
    assert_true(fio.agains > 10);
    assert_true(fio.drained_waits > 0);
    assert_true(fio.max_call_out <= ND_CMD_SLICE + ND_CMD_CHUNK);
    fio_reset();
    assert_int_equal(fio_run("tail -n 1 /data/big.txt"), 0);
    assert_int_equal(fio.outn, 100);
}

static void test_binary_files(void **state)
{
    (void)state;
    const char bin[] = {'E', 'L', 'F', 0, 1, 2, (char)0xff, '\n', 'a'};
    assert_int_equal(nd_fs_write_atomic("data/x.bin", bin, sizeof bin), ND_OK);
    assert_int_equal(fio_run("cat /data/x.bin"), 1);
    assert_string_equal(fio.out ? fio.out : "", "");
    assert_non_null(strstr(fio.err, "binary file (9 bytes), not shown; use hexdump"));
    fio_reset();
    assert_int_equal(fio_run("hexdump /data/x.bin"), 0);
    assert_string_equal(fio.out, "00000000  45 4c 46 00 01 02 ff 0a  61                       "
                                 "|ELF.....a|\n00000009\n");
    fio_reset();
    assert_int_equal(fio_run("grep -r ELF /data"), 1); /* skipped, so no match */
    assert_int_equal(fio_run("grep alpha /data"), 0);
}

static void test_grep(void **state)
{
    (void)state;
    assert_int_equal(nd_fs_mkdir("data/sub"), ND_OK);
    put("data/sub/c.txt", "ALPHA and more\nnothing\n");
    assert_int_equal(fio_run("grep alpha /data/a.txt"), 0);
    assert_string_equal(fio.out, "alpha\n");
    fio_reset();
    assert_int_equal(fio_run("grep -n -i alpha -r /data"), 0);
    assert_string_equal(fio.out, "/data/a.txt:1:alpha\n/data/sub/c.txt:1:ALPHA and more\n");
    fio_reset();
    assert_int_equal(fio_run("grep -v a /data/a.txt"), 1); /* every line has an a */
    fio_reset();
    assert_int_equal(fio_run("grep -v e /data/a.txt"), 0);
    assert_string_equal(fio.out, "alpha\ngamma\n");
    fio_reset();
    assert_int_equal(fio_run("grep zzz /data/a.txt"), 1);
    fio_reset();
    assert_int_equal(fio_run("grep x /data/none"), 2);
    fio_reset();
    assert_int_equal(fio_run("grep"), 2);
    /* without -r, a directory means the files directly in it */
    fio_reset();
    strcpy(fio.cwd, "/data");
    assert_int_equal(fio_run("grep -i alpha"), 0);
    assert_string_equal(fio.out, "/data/a.txt:alpha\n");
}

/* A symlink loop and links pointing outside: grep -r ends, finds nothing
** through them, and no command reads or changes anything behind a link. */
static void test_links_never_followed(void **state)
{
    (void)state;
    assert_int_equal(nd_fs_mkdir("data/loop"), ND_OK);
    assert_int_equal(symlink("..", at(dir, "data/loop/up")), 0);
    assert_int_equal(symlink(".", at(dir, "data/loop/self")), 0);
    assert_int_equal(symlink(at(outside, "secret.txt"), at(dir, "data/secret")), 0);
    assert_int_equal(symlink(outside, at(dir, "data/out")), 0);
    assert_int_equal(symlink(outside, at(dir, "logs2")), 0);
    assert_int_equal(fio_run("grep -r TOPSECRET /"), 1);
    assert_int_equal(fio_run("grep -r alpha /"), 0);
    assert_string_equal(fio.out, "/data/a.txt:alpha\n");
    fio_reset();
    assert_int_equal(fio_run("cat /data/secret"), 1);
    assert_int_equal(fio_run("cat /data/out/secret.txt"), 1);
    assert_int_equal(fio_run("cat /logs2/secret.txt"), 1);
    assert_null(fio.out);
    fio_reset();
    assert_int_equal(fio_run("ls /data"), 0);
    assert_string_equal(fio.out, "a.txt\nb.txt\nloop/\n"); /* links are not listed */
    fio_reset();
    assert_int_equal(fio_run("cp /data/secret /data/copy"), 1);
    assert_int_equal(fio_run("cp /data/a.txt /data/out/x"), 1);
    assert_int_equal(fio_run("touch /data/out/y"), 1);
    assert_int_equal(fio_run("rm /data/out/secret.txt"), 1);
    assert_int_equal(fio_run("mkdir -p /data/out/z"), 1);
    assert_int_equal(fio_run("find secret /"), 0);
    assert_null(fio.out);
    assert_int_equal(access(at(outside, "secret.txt"), F_OK), 0);
    assert_int_equal(access(at(outside, "x"), F_OK), -1);
    assert_int_equal(access(at(outside, "y"), F_OK), -1);
    assert_int_equal(access(at(outside, "z"), F_OK), -1);
    /* rm -r of the tree: the files go, the links (the operator's) stay and
    ** say so; nothing they point at is touched */
    fio_reset();
    assert_int_equal(fio_run("rm -r /data"), 1);
    assert_non_null(strstr(fio.err, "rm: /data/loop: directory not empty (what is left"));
    assert_int_equal(access(at(dir, "data/a.txt"), F_OK), -1);
    assert_int_equal(access(at(outside, "secret.txt"), F_OK), 0);
}

/* ".." stops at "/", absolute paths start at the state dir. */
static void test_dotdot_and_absolute(void **state)
{
    (void)state;
    strcpy(fio.cwd, "/data");
    assert_int_equal(fio_run("cat ../../../../data/a.txt"), 0);
    assert_string_equal(fio.out, "alpha\nbeta\ngamma\n");
    fio_reset();
    assert_int_equal(fio_run("cat /../../etc/passwd"), 1);
    assert_string_equal(fio.err, "cat: /../../etc/passwd: no such file or directory\n");
    fio_reset();
    assert_int_equal(fio_run("ls /.."), 0);
    assert_non_null(strstr(fio.out, "config/\ndata/\n"));
}

static void test_protected_and_root(void **state)
{
    (void)state;
    assert_int_equal(fio_run("rm -r /"), 1);
    assert_non_null(strstr(fio.err, "rm: refusing to remove '/'"));
    fio_reset();
    assert_int_equal(fio_run("rm -rf /data/.."), 1);
    assert_non_null(strstr(fio.err, "refusing"));
    fio_reset();
    assert_int_equal(fio_run("rm /config/node.json"), 1);
    assert_non_null(strstr(fio.err, "protected"));
    fio_reset();
    assert_int_equal(fio_run("cp /data/a.txt /config/node.json"), 1);
    assert_non_null(strstr(fio.err, "protected"));
    fio_reset();
    assert_int_equal(fio_run("mv /data/a.txt /config/node.json"), 1);
    assert_int_equal(fio_run("mv /config/node.json /data/n.json"), 1);
    assert_int_equal(fio_run("mv /config /data/c"), 1);
    fio_reset();
    assert_int_equal(fio_run("rm -r /config"), 1);
    assert_non_null(strstr(fio.err, "/config/node.json: protected file"));
    char buf[64];
    size_t n;
    assert_int_equal(nd_fs_read("config/node.json", buf, sizeof buf, &n), ND_OK);
    assert_string_equal(buf, "{\"devfid\": \"n\"}\n");
    assert_int_equal(nd_fs_read("data/a.txt", buf, sizeof buf, &n), ND_OK);
}

static void test_cp_mv_rm_mkdir(void **state)
{
    (void)state;
    assert_int_equal(fio_run("mkdir /data/d1/d2"), 1);
    assert_non_null(strstr(fio.err, "use -p"));
    assert_int_equal(fio_run("mkdir -p /data/d1/d2"), 0);
    assert_int_equal(fio_run("mkdir /data/d1"), 1);
    assert_int_equal(fio_run("cp /data/a.txt /data/d1/d2"), 0);
    assert_int_equal(fio_run("cp -r /data/d1 /data/e1"), 0);
    char buf[64];
    size_t n;
    assert_int_equal(nd_fs_read("data/e1/d2/a.txt", buf, sizeof buf, &n), ND_OK);
    assert_string_equal(buf, "alpha\nbeta\ngamma\n");
    fio_reset();
    assert_int_equal(fio_run("cp /data/d1 /data/f1"), 1);
    assert_non_null(strstr(fio.err, "use cp -r"));
    assert_int_equal(fio_run("cp -r /data /data/in"), 1);
    assert_non_null(strstr(fio.err, "into itself"));
    assert_int_equal(fio_run("rmdir /data/d1"), 1);
    assert_non_null(strstr(fio.err, "not empty"));
    assert_int_equal(fio_run("mv /data/e1 /data/g1"), 0);
    assert_int_equal(nd_fs_read("data/g1/d2/a.txt", buf, sizeof buf, &n), ND_OK);
    assert_int_equal(fio_run("rm /data/d1"), 1);
    assert_int_equal(fio_run("rm -r /data/d1 /data/g1"), 0);
    nd_fs_info info;
    assert_int_equal(nd_fs_stat("data/d1", &info), ND_ENOTFOUND);
    assert_int_equal(nd_fs_stat("data/g1", &info), ND_ENOTFOUND);
    assert_int_equal(fio_run("rm /data/nothing"), 1);
    assert_int_equal(fio_run("rm -f /data/nothing"), 0);
    assert_int_equal(fio_run("touch /data/t"), 0);
    assert_int_equal(nd_fs_stat("data/t", &info), ND_OK);
    assert_int_equal(info.size, 0);
    assert_int_equal(fio_run("mkdir /data/e"), 0);
    assert_int_equal(fio_run("rmdir /data/e"), 0);
    fio_reset();
    assert_int_equal(fio_run("find *.txt /data"), 0);
    assert_string_equal(fio.out, "/data/a.txt\n/data/b.txt\n");
    fio_reset();
    assert_int_equal(fio_run("find b.t /"), 0);
    assert_string_equal(fio.out, "/data/b.txt\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cat_head_tail_wc, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cat_large_file_streams, setup, teardown),
        cmocka_unit_test_setup_teardown(test_binary_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_grep, setup, teardown),
        cmocka_unit_test_setup_teardown(test_links_never_followed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dotdot_and_absolute, setup, teardown),
        cmocka_unit_test_setup_teardown(test_protected_and_root, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cp_mv_rm_mkdir, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
