/*
** test_nsh_run.c -- the nsh interpreter end to end through nsh.h: a real
** node on a temporary state directory, sessions opened with a door that
** collects what they write, the loop driven by running the node's timers.
** Scripts come from tests/fixtures/nsh/ (copied into /data). Covers exit
** status and test, redirection to files and variables, the environment,
** scripts (arguments scoped per invocation, labels, skip, return, exit,
** if), the issue's bad input (missing label, a script calling itself, an
** endless loop stopped by Ctrl-C and by kill, incr on a non-number, ...),
** jobs in the task table, read, and boot scripts.
*/
#define _DEFAULT_SOURCE /* usleep */
#define _XOPEN_SOURCE 700 /* nftw */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <ftw.h>
#include <libgen.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nodus/port.h"
#include "nsh_int.h"

static struct nd_node node;
static char dir[512];
static char out[256 * 1024];
static size_t outn;
static int idles, exits, exit_status;
static bool full_door; /* the door reports it is behind */
static nd_nsh *close_on_write; /* the door closes this session inside write */

static bool d_write(void *ud, const void *p, size_t n)
{
    (void)ud;
    if (outn + n >= sizeof out) n = sizeof out - outn - 1;
    memcpy(out + outn, p, n);
    outn += n;
    out[outn] = 0;
    if (close_on_write) { /* and say it is behind, as a door about to go would */
        nd_nsh *sh = close_on_write;
        close_on_write = NULL;
        nd_nsh_close(sh);
        return false;
    }
    return !full_door;
}
static void d_idle(void *ud) { (void)ud, idles++; }
static void d_exit(void *ud, int st)
{
    (void)ud;
    exits++;
    exit_status = st;
}
static const nd_nsh_door door = {d_write, d_idle, d_exit, NULL, true, "test"};

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *f)
{
    (void)st, (void)flag, (void)f;
    return remove(p);
}

static void copy_fixtures(void)
{
    char src[1024];
    snprintf(src, sizeof src, "%s", __FILE__);
    char *d = dirname(src); /* tests/unit */
    static const char *const names[] = {"loop.sh", "args.sh", "inner.sh", "nolabel.sh", "self.sh",
                                        "endless.sh", "exit.sh", "if.sh", "skip.sh", "badincr.sh",
                                        "redir.sh"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char p[1200], buf[8192], rel[64];
        snprintf(p, sizeof p, "%s/../fixtures/nsh/%s", d, names[i]);
        FILE *f = fopen(p, "r");
        assert_non_null(f);
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        snprintf(rel, sizeof rel, "data/%s", names[i]);
        assert_int_equal(nd_fs_write_atomic(rel, buf, n), ND_OK);
    }
}

static int setup(void **state)
{
    (void)state;
    static int seq;
    const char *t = getenv("ND_TEST_TMP");
    if (t && *t) mkdir(t, 0755);
    snprintf(dir, sizeof dir, "%s/test_nsh_run.%ld.%d", t && *t ? t : "/tmp", (long)getpid(), ++seq);
    assert_int_equal(nd_fs_set_root(dir), ND_OK);
    char err[160];
    static const char *const sets[] = {"aioqueue=8", "nshenv=PATH=/bin;GREETING=hi there"};
    memset(&node, 0, sizeof node);
    assert_int_equal(nd_node_init(&node, sets, 2, err, sizeof err), ND_OK);
    copy_fixtures();
    outn = 0;
    out[0] = 0;
    idles = exits = exit_status = 0;
    full_door = false;
    close_on_write = NULL;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    nd_node_free(&node);
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

/* Run the loop (its timers) until pred holds or ms pass; returns the turns. */
static int drive(nd_nsh *sh, int ms)
{
    uint64_t end = nd_port_mono_ms() + (uint64_t)ms;
    int turns = 0;
    while (nd_port_mono_ms() < end && (!sh || nd_nsh_busy(sh))) {
        if (!nd_timers_run(&node.timers, nd_port_mono_ms())) usleep(500);
        turns++;
    }
    return turns;
}

/* one line at the prompt, to completion; returns what it wrote */
static const char *run(nd_nsh *sh, const char *line)
{
    outn = 0;
    out[0] = 0;
    assert_int_equal(nd_nsh_input(sh, line, strlen(line)), 0);
    drive(sh, 5000);
    assert_false(nd_nsh_busy(sh));
    return out;
}

static void test_echo_status_and_test(void **state)
{
    (void)state;
    nd_nsh *sh = nd_nsh_open(&node, &door);
    assert_non_null(sh);
    assert_string_equal(run(sh, "echo hello   world"), "hello world\n");
    assert_string_equal(run(sh, "false; echo $?; true; echo $?"), "1\n0\n");
    assert_string_equal(run(sh, "[ 3 -lt 10 ]; echo $?; test abc = abd; echo $?"), "0\n1\n");
    assert_string_equal(run(sh, "test -d /data; echo $?; test -f /data/loop.sh; echo $?; test -e /nope; echo $?"),
                        "0\n0\n1\n");
    assert_string_equal(run(sh, "test -z ''; echo $?; test -n ''; echo $?"), "0\n1\n");
    assert_string_equal(run(sh, "test 5 -gt x; echo $?"), "test: -gt: integers expected: '5' 'x'\n2\n");
    assert_string_equal(run(sh, "nosuchthing; echo $?"), "nosuchthing: not found\n127\n");
    assert_string_equal(run(sh, "echo 'unterminated"), "unterminated ' quote\n");
    assert_string_equal(run(sh, "echo $?"), "2\n");
    assert_string_equal(run(sh, "echo ${x"), "'${' without '}'\n");
    assert_string_equal(run(sh, "printf '%s=%03d|%x\\n' a 7 255"), "a=007|ff\n");
    assert_string_equal(run(sh, "echo -n a; echo b"), "ab\n");
    assert_true(idles >= 10);
    nd_nsh_close(sh);
}

static void test_redirection(void **state)
{
    (void)state;
    nd_nsh *sh = nd_nsh_open(&node, &door);
    char buf[256];
    size_t n;
    assert_string_equal(run(sh, "echo hi > /data/o.txt; echo there >> /data/o.txt"), "");
    assert_int_equal(nd_fs_read("data/o.txt", buf, sizeof buf, &n), ND_OK);
    assert_string_equal(buf, "hi\nthere\n");
    assert_string_equal(run(sh, "cd /data; echo again > o.txt; cd /"), "");
    assert_int_equal(nd_fs_read("data/o.txt", buf, sizeof buf, &n), ND_OK);
    assert_string_equal(buf, "again\n");
    /* capture into a variable, append to it */
    assert_string_equal(run(sh, "echo cap >$v; echo \"[$v]\"; echo more >>$v; echo \"[$v]\""),
                        "[cap]\n[capmore]\n");
    /* stderr alone, and 2>&1 */
    assert_string_equal(run(sh, "nosuch 2> /data/e.txt; echo $?"), "nosuch: not found\n127\n");
    assert_string_equal(run(sh, "test 1 -lt x 2>/dev/null; echo $?"), "2\n");
    assert_string_equal(run(sh, "test 1 -lt x >$e 2>&1; echo \"<$e>\""), "<test: -lt: integers expected: '1' 'x'>\n");
    /* a module call is redirected like any command */
    assert_string_equal(run(sh, "modules >$m; echo \"$m\""), "['task']\n");
    assert_string_equal(run(sh, "modules > /data/m.txt"), "");
    assert_int_equal(nd_fs_read("data/m.txt", buf, sizeof buf, &n), ND_OK);
    assert_string_equal(buf, "['task']\n");
    /* protected files, and a directory */
    assert_string_equal(run(sh, "echo x > /config/node_config.json; echo $?"),
                        "/config/node_config.json: protected file (pfiles)\n1\n");
    assert_string_equal(run(sh, "echo x > /data"), "/data: is a directory\n");
    /* a script's whole output */
    assert_string_equal(run(sh, "sh /data/redir.sh >$all; echo \"$all\""), "line1\nline2\n");
    nd_nsh_close(sh);
}

static void test_environment(void **state)
{
    (void)state;
    nd_nsh *sh = nd_nsh_open(&node, &door);
    assert_string_equal(run(sh, "echo \"$GREETING\""), "hi there\n"); /* seeded from nshenv */
    assert_string_equal(run(sh, "export b 2; export a=1; export c = 3; env"),
                        "GREETING=hi there\nPATH=/bin\na=1\nb=2\nc=3\n");
    assert_string_equal(run(sh, "unset b GREETING; env"), "PATH=/bin\na=1\nc=3\n");
    assert_string_equal(run(sh, "incr a; incr a 10; decr c; echo $a $c"), "12 2\n");
    assert_string_equal(run(sh, "incr fresh; echo $fresh"), "1\n");
    assert_string_equal(run(sh, "export s abc; incr s; echo $? $s"),
                        "incr: s: 'abc' is not an integer\n1 abc\n");
    assert_string_equal(run(sh, "incr a 1.5; echo $?"), "incr: step '1.5' is not an integer\n1\n");
    assert_string_equal(run(sh, "export 1x y; echo $?"),
                        "export: 1x: bad variable name (letters, digits, _; not starting with a digit; max 31)\n1\n");
    /* another session does not see this one's overlay ... */
    nd_nsh *other = nd_nsh_open(&node, &door);
    assert_string_equal(run(other, "echo \"[$a]\""), "[]\n");
    /* ... until env save makes it the node's */
    assert_string_equal(run(sh, "env save"), "saved to /config/nsh.env\n");
    assert_string_equal(run(other, "echo \"[$a]\" \"[$GREETING]\""), "[12] []\n");
    char buf[512];
    size_t n;
    assert_int_equal(nd_fs_read(ND_NSH_ENV_FILE, buf, sizeof buf, &n), ND_OK);
    assert_non_null(strstr(buf, "a=12\n"));
    /* bounded */
    char line[400];
    snprintf(line, sizeof line, "export p %0100d; export big \"$p$p$p$p$p$p$p$p$p$p$p\"", 0);
    assert_string_equal(run(sh, line),
                        "export: big: too many variables (max 128) or value too long (max 1023 bytes)\n");
    assert_string_equal(run(sh, "echo $p$p$p$p$p$p$p$p$p$p$p >$big; echo $?"),
                        "big: captured output too long (max 1023 bytes)\n1\n");
    nd_nsh_close(other);
    nd_nsh_close(sh);
}

static void test_scripts(void **state)
{
    (void)state;
    nd_nsh *sh = nd_nsh_open(&node, &door);
    assert_string_equal(run(sh, "sh /data/loop.sh"), "i=1\ni=2\ni=3\ni=4\ni=5\ndone\n");
    assert_string_equal(run(sh, "sh /data/args.sh a \"b c\"; echo \"prompt: [$1] $#\""),
                        "outer: 0=/data/args.sh #=2 1=a 2=b c\n"
                        "inner: #=2 1=in one 2=in2\n"
                        "outer again: 1=a 2=b c #=2\n"
                        "all: a b c\n"
                        "prompt: [] 0\n");
    /* ./x.sh with its arguments, from the cwd; a bare name is not taken from the cwd */
    assert_string_equal(run(sh, "cd /data; ./inner.sh x y; echo $?"), "inner: #=2 1=x 2=y\n7\n");
    assert_string_equal(run(sh, "inner.sh; echo $?"),
                        "inner.sh: not found (a script in the current directory runs as ./inner.sh)\n127\n");
    /* $PATH */
    assert_string_equal(run(sh, "export PATH /data; inner.sh p; export PATH /bin; cd /"), "inner: #=1 1=p 2=\n");
    assert_string_equal(run(sh, "sh /data/skip.sh"), "one\ntwo\n");
    assert_string_equal(run(sh, "sh /data/exit.sh; echo after $?"), "start\nafter 3\n");
    assert_int_equal(exits, 0);
    assert_string_equal(run(sh, "sh /data/if.sh"),
                        "numeric: 10 > 9\nstring: abc < abd\nnumeric: 1.5 == 1.50\nin: ell in hello\n"
                        "not: 1 != 2\nbracket: /data is a dir\ncmd: true\ncmd: ! false\n"
                        "keeps 'quotes'   and  spacing\nrun: upyOS style\n");
    assert_string_equal(run(sh, "if a ~ b echo x"),
                        "if: usage: if A OP B ACTION... (OP: == != < > <= >= in) | if [ TEST ] ACTION... | "
                        "if CMD... then ACTION...\n");
    assert_string_equal(run(sh, "goto x"), "goto: only in scripts\n");
    assert_string_equal(run(sh, "sh /data/none.sh; echo $?"), "sh: /data/none.sh: no such script\n2\n");
    nd_nsh_close(sh);
}

static void test_bad_scripts(void **state)
{
    (void)state;
    nd_nsh *sh = nd_nsh_open(&node, &door);
    assert_string_equal(run(sh, "sh /data/nolabel.sh; echo $?"),
                        "before\n/data/nolabel.sh:3: goto: no label 'nowhere'\n2\n");
    const char *o = run(sh, "sh /data/self.sh; echo $?");
    assert_non_null(strstr(o, "/data/self.sh:1: sh: too many nested scripts (max 16)\n"));
    assert_string_equal(run(sh, "sh /data/badincr.sh"), "incr: v: 'abc' is not an integer\nstatus 1\n");
    /* a script line longer than the limit */
    char big[3000];
    memset(big, 'x', sizeof big);
    memcpy(big, "echo ", 5);
    big[sizeof big - 1] = '\n';
    assert_int_equal(nd_fs_write_atomic("data/long.sh", big, sizeof big), ND_OK);
    assert_string_equal(run(sh, "sh /data/long.sh; echo $?"), "/data/long.sh:1: line too long (max 1024 bytes)\n0\n");
    nd_nsh_close(sh);
}

/* An endless loop: the loop keeps turning (the run yields), Ctrl-C stops it. */
static void test_endless_interrupted(void **state)
{
    (void)state;
    nd_nsh *sh = nd_nsh_open(&node, &door);
    outn = 0;
    assert_int_equal(nd_nsh_input(sh, "sh /data/endless.sh", 19), 0);
    assert_true(nd_nsh_busy(sh)); /* it did not run to its end inside nd_nsh_input */
    int turns = drive(sh, 200);
    assert_true(nd_nsh_busy(sh));
    assert_true(turns > 3); /* the loop got control back between slices */
    assert_int_equal(nd_nsh_input(sh, "echo x", 6), ND_EAGAIN);
    nd_nsh_interrupt(sh);
    assert_false(nd_nsh_busy(sh));
    assert_string_equal(run(sh, "echo $?; if $n > 1000 echo counted"), "130\ncounted\n");
    nd_nsh_close(sh);
}

/* A door may close its session from inside write: from a foreground
** command, and from a job's output (no step of that session running). */
static void test_close_from_write(void **state)
{
    (void)state;
    nd_nsh *sh = nd_nsh_open(&node, &door);
    close_on_write = sh;
    assert_int_equal(nd_nsh_input(sh, "echo a; echo b; sh /data/endless.sh", 35), 0);
    assert_null(close_on_write);
    drive(NULL, 50);
    assert_string_equal(out, "a"); /* echo writes its word, then the newline */
    sh = nd_nsh_open(&node, &door);
    outn = 0;
    assert_string_equal(run(sh, "sh /data/loop.sh &"), "[1]\n");
    outn = 0;
    close_on_write = sh;
    drive(NULL, 200);
    assert_null(close_on_write);
    assert_string_equal(out, "i=1"); /* then its session is gone; the job went on */
    nd_nsh *other = nd_nsh_open(&node, &door);
    assert_non_null(strstr(run(other, "ps"), "     1  done(0)"));
    nd_nsh_close(other);
}

/* A reader that is behind holds the script between commands. */
static void test_backpressure(void **state)
{
    (void)state;
    assert_int_equal(nd_fs_write_atomic("data/chatty.sh", ":a\necho chatter\ngoto a\n", 22), ND_OK);
    nd_nsh *sh = nd_nsh_open(&node, &door);
    outn = 0;
    full_door = true;
    assert_int_equal(nd_nsh_input(sh, "sh /data/chatty.sh", 18), 0);
    drive(sh, 100);
    assert_true(nd_nsh_busy(sh));
    size_t held = outn;
    assert_true(held < 100); /* one line, then it waits */
    drive(sh, 100);
    assert_int_equal(outn, held);
    full_door = false;
    nd_nsh_drained(sh);
    drive(sh, 50);
    assert_true(outn > held + 1000);
    nd_nsh_interrupt(sh);
    assert_false(nd_nsh_busy(sh));
    nd_nsh_close(sh);
}

/* 1 MB of script streamed: a goto across it lands, memory does not grow. */
static void test_big_script(void **state)
{
    (void)state;
    size_t cap = 1100 * 1024, n = 0;
    char *s = malloc(cap);
    n += (size_t)sprintf(s + n, "export k 0\ngoto end\n");
    while (n < 1024 * 1024) n += (size_t)sprintf(s + n, "echo padding line that must never run\n");
    n += (size_t)sprintf(s + n, ":end\nincr k\nif $k < 3 goto again\necho done $k\nreturn\n:again\ngoto end\n");
    assert_int_equal(nd_fs_write_atomic("data/big.sh", s, n), ND_OK);
    free(s);
    nd_nsh *sh = nd_nsh_open(&node, &door);
    assert_string_equal(run(sh, "sh /data/big.sh"), "done 3\n");
    nd_nsh_close(sh);
}

static void test_jobs(void **state)
{
    (void)state;
    nd_nsh *sh = nd_nsh_open(&node, &door);
    assert_string_equal(run(sh, "sleep 0.2 &"), "[1]\n");
    const char *o = run(sh, "ps");
    assert_non_null(strstr(o, "     1  running"));
    assert_non_null(strstr(o, "sleep 0.2\n"));
    /* the same table as micrOS's tasks */
    nd_ctx ctx = {.door = ND_DOOR_PIPE};
    nd_buf b;
    nd_buf_init(&b, 4096);
    nd_exec(&node, &ctx, "task list", 9, &b);
    assert_non_null(strstr(nd_buf_cstr(&b), "Yes       nsh.1\n"));
    nd_buf_free(&b);
    assert_string_equal(run(sh, "wait 1; echo $?"), "[1]+ Done sleep 0.2\n0\n");
    o = run(sh, "ps");
    assert_non_null(strstr(o, "     1  done(0)"));
    /* an endless script as a job: the session stays usable, kill stops it */
    assert_string_equal(run(sh, "sh /data/endless.sh &"), "[2]\n");
    drive(NULL, 50);
    assert_string_equal(run(sh, "echo still here"), "still here\n");
    assert_string_equal(run(sh, "hold 2; jobs"), "[2]  held       sh /data/endless.sh\n");
    assert_string_equal(run(sh, "resume 2; jobs"), "[2]  running    sh /data/endless.sh\n");
    outn = 0;
    assert_string_equal(run(sh, "kill 2; wait 2; echo $?"), "[2]+ Killed sh /data/endless.sh\n143\n");
    assert_string_equal(run(sh, "kill 99"), "kill: 99: no such job or task\n");
    /* killed from the micrOS side: task kill */
    assert_string_equal(run(sh, "sh /data/endless.sh &"), "[3]\n");
    nd_buf_init(&b, 4096);
    nd_exec(&node, &ctx, "task kill nsh.3", 15, &b);
    assert_string_equal(nd_buf_cstr(&b), "Kill: nsh.3|True\n");
    nd_buf_free(&b);
    assert_non_null(strstr(out, "[3]+ Killed sh /data/endless.sh\n"));
    /* a job's output comes to its session; its variables are its own */
    assert_string_equal(run(sh, "export jv 1; sh /data/loop.sh > /data/job.txt &"), "[4]\n");
    drive(NULL, 200);
    char buf[256];
    size_t n;
    assert_int_equal(nd_fs_read("data/job.txt", buf, sizeof buf, &n), ND_OK);
    assert_string_equal(buf, "i=1\ni=2\ni=3\ni=4\ni=5\ndone\n");
    assert_string_equal(run(sh, "echo \"[$i]\""), "[]\n");
    nd_nsh_close(sh);
}

static void test_read_and_exit(void **state)
{
    (void)state;
    nd_nsh *sh = nd_nsh_open(&node, &door);
    outn = 0;
    const char *rl = "read who \"Who? \"; echo \"hi $who\"";
    assert_int_equal(nd_nsh_input(sh, rl, strlen(rl)), 0);
    assert_string_equal(out, "Who? ");
    assert_true(nd_nsh_busy(sh));
    assert_int_equal(nd_nsh_input(sh, "bob smith", 9), 0);
    drive(sh, 1000);
    assert_string_equal(out, "Who? hi bob smith\n");
    assert_string_equal(run(sh, "sh /data/redir.sh &"), "[1]\n");
    drive(NULL, 100);
    assert_string_equal(run(sh, "exit 4"), "");
    assert_int_equal(exits, 1);
    assert_int_equal(exit_status, 4);
    nd_nsh_close(sh);
}

static void test_paths(void **state)
{
    (void)state;
    char rel[ND_NSH_PATH_MAX];
    static const char *const cases[][3] = {
        {"/", "x", "x"},           {"/data", "x", "data/x"},     {"/data", "../../../etc", "etc"},
        {"/data", "/", ""},        {"/", "..", ""},              {"/a/b", "./c/./d/", "a/b/c/d"},
        {"/a/b", "../../..", ""},  {"/a", "//x//y", "x/y"},      {"/a", "/x/../../y", "y"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(nd_nsh_resolve(cases[i][0], cases[i][1], rel, sizeof rel), 0);
        assert_string_equal(rel, cases[i][2]);
    }
    assert_int_equal(nd_nsh_resolve("/", "", rel, sizeof rel), ND_EINVAL);
    char longp[600];
    memset(longp, 'a', sizeof longp - 1);
    longp[sizeof longp - 1] = 0;
    assert_int_equal(nd_nsh_resolve("/", longp, rel, sizeof rel), ND_EINVAL);
    assert_true(nd_nsh_protected(&node, "config/node_config.json"));
    assert_true(nd_nsh_protected(&node, "/config/node_config.json"));
    assert_true(nd_nsh_protected(&node, "config"));
    assert_true(nd_nsh_protected(&node, ""));
    assert_false(nd_nsh_protected(&node, "config/other.json"));
    assert_false(nd_nsh_protected(&node, "data"));
    nd_nsh *sh = nd_nsh_open(&node, &door);
    assert_string_equal(run(sh, "cd /data; pwd; cd ../../..; pwd; cd /nope"),
                        "/data\n/\ncd: /nope: not a directory\n");
    assert_string_equal(nd_nsh_prompt(sh), "/ $ ");
    nd_nsh_close(sh);
}

/* Links an operator (or anyone) placed never lead nsh out of the tree. */
static void test_links_not_followed(void **state)
{
    (void)state;
    char outside[700], link[700], sec[800];
    snprintf(outside, sizeof outside, "%s.outside", dir);
    mkdir(outside, 0755);
    snprintf(sec, sizeof sec, "%s/x.sh", outside);
    FILE *f = fopen(sec, "w");
    fputs("echo SECRET\n", f);
    fclose(f);
    snprintf(link, sizeof link, "%s/data/ln.sh", dir);
    assert_int_equal(symlink(sec, link), 0);
    snprintf(link, sizeof link, "%s/data/out", dir);
    assert_int_equal(symlink(outside, link), 0);
    nd_nsh *sh = nd_nsh_open(&node, &door);
    assert_string_equal(run(sh, "sh /data/ln.sh; echo $?"), "sh: /data/ln.sh: no such script\n2\n");
    assert_string_equal(run(sh, "echo x > /data/out/new.txt; echo $?"),
                        "/data/out/new.txt: cannot write (not found)\n1\n");
    assert_string_equal(run(sh, "cd /data/out; test -d /data/out; echo $?"), "cd: /data/out: not a directory\n1\n");
    char p2[800];
    snprintf(p2, sizeof p2, "%s/new.txt", outside);
    assert_int_equal(access(p2, F_OK), -1);
    nd_nsh_close(sh);
    snprintf(p2, sizeof p2, "rm -rf %s", outside);
    assert_int_equal(system(p2), 0);
}

static int boot_status = -1;
static void boot_done(void *ud, int st)
{
    (void)ud;
    boot_status = st;
}

static void test_boot_file_and_help(void **state)
{
    (void)state;
    assert_int_equal(nd_nsh_run_file(&node, "data/none.sh", boot_done, NULL), ND_ENOTFOUND);
    assert_int_equal(nd_nsh_run_file(&node, "data/exit.sh", boot_done, NULL), 0);
    drive(NULL, 200);
    assert_int_equal(boot_status, 3);
    /* the built-ins are found by binary search: sorted, each findable */
    for (int i = 0; nd_nsh_builtin_at(i); i++) {
        if (i) assert_true(strcmp(nd_nsh_builtin_at(i - 1)->name, nd_nsh_builtin_at(i)->name) < 0);
        assert_ptr_equal(nd_nsh_builtin(nd_nsh_builtin_at(i)->name), nd_nsh_builtin_at(i));
    }
    nd_nsh *sh = nd_nsh_open(&node, &door);
    const char *o = run(sh, "help");
    assert_non_null(strstr(o, "goto LABEL"));
    assert_non_null(strstr(o, "export NAME VALUE"));
    const nd_nsh_cmd *c = nd_nsh_cmd_at(0);
    if (c) assert_non_null(strstr(o, c->synopsis));
    assert_string_equal(run(sh, "help sleep"), "usage: sleep SECONDS\nwait (fractional seconds)\n");
    o = run(sh, "history");
    assert_non_null(strstr(o, "    1  help\n"));
    nd_nsh_close(sh);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_echo_status_and_test, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redirection, setup, teardown),
        cmocka_unit_test_setup_teardown(test_environment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scripts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_scripts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_endless_interrupted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_big_script, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backpressure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_close_from_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_jobs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_and_exit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_paths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_links_not_followed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_boot_file_and_help, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
