/*
** test_cfg.c -- the configuration store as a specification.
**
** Each test gets a fresh state directory under $ND_TEST_TMP (or /tmp) and
** drives the store only through cfg.h and the port's nd_fs_*. The tables
** read as "input -> what micrOS clients (or the operator) must see": conf-mode
** replies, dump lines byte for byte, and what happens to a damaged file.
*/
#define _XOPEN_SOURCE 700 /* nftw, for removing the test directories */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <ftw.h>
#include <unistd.h>

#include "cfg.h"
#include "nodus/port.h"

/* ---- fixture ----------------------------------------------------------- */

static char dir[512];

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *f)
{
    (void)st, (void)flag, (void)f;
    return remove(p);
}

static int setup(void **state)
{
    static int seq;
    const char *base = getenv("ND_TEST_TMP");
    snprintf(dir, sizeof dir, "%s/test_cfg.%ld.%d", base && *base ? base : "/tmp", (long)getpid(),
             ++seq);
    assert_int_equal(nd_fs_set_root(dir), ND_OK);
    return 0;
}

static int teardown(void **state)
{
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

static void put_file(const char *rel, const char *data, size_t n)
{
    assert_int_equal(nd_fs_write_atomic(rel, data, n), ND_OK);
}

/* Whole file as a malloc'd string (NULL when missing). */
static char *get_file(const char *rel, size_t *n)
{
    size_t cap = 256 * 1024, len = 0;
    char *b = malloc(cap);
    assert_non_null(b);
    if (nd_fs_read(rel, b, cap, &len) != ND_OK) {
        free(b);
        return NULL;
    }
    if (n) *n = len;
    return b;
}

static bool exists(const char *rel)
{
    size_t n;
    return nd_fs_size(rel, &n) == ND_OK;
}

/* render(key) as a string in a static buffer ("<notfound>" when unknown) */
static const char *render(nd_cfg *c, const char *key)
{
    static char out[4096];
    nd_buf b;
    nd_buf_init(&b, sizeof out - 1);
    int rc = nd_cfg_render(c, key, &b);
    snprintf(out, sizeof out, "%s", rc == ND_OK ? nd_buf_cstr(&b) : "<notfound>");
    nd_buf_free(&b);
    return out;
}

static nd_cfg *loaded(void)
{
    nd_cfg *c = nd_cfg_new();
    assert_non_null(c);
    assert_int_equal(nd_cfg_load(c), ND_OK);
    return c;
}

/* ---- schema ------------------------------------------------------------ */

static const char *const micros_order[] = {
    "version", "auth", "staessid", "stapwd", "devfid", "appwd", "dbg", "nwmd", "hwuid",
    "soctout", "socport", "webui", "webui_max_con", "devip", "cron", "crontasks", "timirq",
    "timirqcbf", "timirqseq", "irq1", "irq1_cbf", "irq1_trig", "irq2", "irq2_cbf", "irq2_trig",
    "irq3", "irq3_cbf", "irq3_trig", "irq4", "irq4_cbf", "irq4_trig", "irq_prell_ms", "boothook",
    "aioqueue", "utc", "boostmd", "guimeta", "cstmpmap", "espnow", "ha",
    /* nodus keys follow micrOS's */
    "bind", "webport", "webcors", "tz", "lat", "lon", "taskbudget", "hwbackend", "board", "irq_debounce",
    "ntpserver", "hosts", "intercontout", "icpeers", "mdns", "logmax", "authfails", "authlock_s",
    "webevents_max", "updtrial_s", "updfree_kb", "notify_rate_s", "notify_mqtt", "notify_webhook",
    "notify_webhook_token", "notify_tg_token", "notify_tg_chat", "notify_tg_url", "telnet",
    "telnetport", "telnetidle_s", "pfiles", "nshenv", "mqtt", "mqtt_host", "mqtt_port", "mqtt_user",
    "mqtt_pwd", "mqtt_tls", "mqtt_ca", "mqtt_prefix", "mqtt_telemetry_s", "mqtt_keepalive",
    "mqtt_queue", "mqtt_cmd_rate", "mqtt_ha", "luamem_kb", "luacpu_ms", "nameserver"};

static void test_schema_order(void **state)
{
    size_t n = sizeof micros_order / sizeof micros_order[0];
    assert_int_equal(nd_cfg_schema_count(), n);
    for (size_t i = 0; i < n; i++) {
        const nd_cfg_key *k = nd_cfg_schema_at(i);
        assert_string_equal(k->name, micros_order[i]);
        assert_ptr_equal(nd_cfg_schema_find(k->name), k);
        assert_true(k->help && k->help[0]);
    }
    assert_null(nd_cfg_schema_at(n));
    assert_null(nd_cfg_schema_find("gmttimaaaa"));
    assert_true(nd_cfg_schema_find("appwd")->flags & ND_CFG_SECRET);
    assert_true(nd_cfg_schema_find("stapwd")->flags & ND_CFG_SECRET);
    assert_true(nd_cfg_schema_find("icpeers")->flags & ND_CFG_SECRET);
    assert_true(nd_cfg_schema_find("version")->flags & ND_CFG_NODE);
    assert_true(nd_cfg_schema_find("hwuid")->flags & ND_CFG_NODE);
    assert_true(nd_cfg_schema_find("guimeta")->flags & ND_CFG_OFFLOAD);
}

/* every default must pass its own key's validation */
static void test_defaults_valid(void **state)
{
    nd_cfg *c = nd_cfg_new();
    char err[ND_ERRMSG];
    for (size_t i = 0; i < nd_cfg_schema_count(); i++) {
        const nd_cfg_key *k = nd_cfg_schema_at(i);
        assert_int_equal(nd_cfg_override(c, k->name, k->def, err, sizeof err), ND_OK);
    }
    nd_cfg_free(c);
}

static const struct {
    const char *key, *str;
} defaults[] = {
    {"version", "n/a"},      {"auth", "False"},          {"staessid", "your_wifi_name"},
    {"stapwd", "your_wifi_passwd"}, {"devfid", "node01"}, {"appwd", "ADmin123"},
    {"dbg", "True"},         {"nwmd", "STA"},            {"hwuid", "n/a"},
    {"soctout", "30"},       {"socport", "9008"},        {"webui", "False"},
    {"webui_max_con", "3"},  {"devip", "n/a"},           {"cron", "False"},
    {"crontasks", "n/a"},    {"timirq", "False"},        {"timirqcbf", "n/a"},
    {"timirqseq", "1000"},   {"irq1", "False"},          {"irq4_trig", "n/a"},
    {"irq_prell_ms", "300"}, {"boothook", "n/a"},        {"aioqueue", "5"},
    {"utc", "60"},           {"boostmd", "True"},        {"guimeta", "n/a"},
    {"cstmpmap", "n/a"},     {"espnow", "False"},        {"ha", "True"},
    {"bind", "0.0.0.0"},     {"webport", "80"},          {"webcors", "n/a"},
    {"tz", "n/a"},           {"lat", "0.0"},             {"lon", "0.0"},
    {"taskbudget", "50"},    {"hwbackend", "sim"},       {"irq_debounce", "lead"},
    {"ntpserver", "pool.ntp.org"}, {"mdns", "True"},     {"logmax", "16384"},
};

static void test_defaults(void **state)
{
    nd_cfg *c = nd_cfg_new();
    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
        assert_string_equal(render(c, defaults[i].key), defaults[i].str);
    assert_string_equal(render(c, "gmttimaaaa"), "<notfound>");
    assert_int_equal(nd_cfg_int(c, "socport"), 9008);
    assert_int_equal(nd_cfg_int(c, "utc"), 60);
    assert_true(nd_cfg_bool(c, "dbg"));
    assert_false(nd_cfg_bool(c, "auth"));
    assert_string_equal(nd_cfg_str(c, "devfid"), "node01");
    assert_string_equal(nd_cfg_str(c, "guimeta"), "n/a");
    assert_true(nd_cfg_float(c, "lat") == 0.0);
    assert_true(nd_cfg_has(c, "socport"));
    assert_false(nd_cfg_has(c, "nope"));
    /* unknown keys read as empty / false / 0 */
    assert_string_equal(nd_cfg_str(c, "nope"), "");
    assert_false(nd_cfg_bool(c, "nope"));
    assert_int_equal(nd_cfg_int(c, "nope"), 0);
    assert_string_equal(nd_cfg_problems(c), "");
    nd_cfg_free(c);
}

static void test_missing_file_writes_defaults(void **state)
{
    nd_cfg *c = loaded();
    assert_string_equal(nd_cfg_problems(c), "");
    assert_true(exists(ND_CFG_PATH));
    assert_false(exists(ND_CFG_BAD_PATH));
    char *f = get_file(ND_CFG_PATH, NULL);
    /* one key per line, JSON types */
    assert_non_null(strstr(f, "{\n  \"version\": \"n/a\",\n  \"auth\": false,\n"));
    assert_non_null(strstr(f, "\n  \"socport\": 9008,\n"));
    assert_non_null(strstr(f, "\n  \"lat\": 0.0,\n"));
    assert_non_null(strstr(f, "\n  \"guimeta\": \"...\",\n"));
    assert_non_null(strstr(f, "\n  \"logmax\": 16384,\n"));
    assert_non_null(strstr(f, "\n  \"webevents_max\": 4,\n"));
    assert_non_null(strstr(f, "\n  \"updfree_kb\": 1024,\n"));
    assert_non_null(strstr(f, "\n  \"luacpu_ms\": 200,\n"));
    assert_non_null(strstr(f, "\n  \"nameserver\": \"n/a\"\n}\n")); /* the last key: no comma */
    free(f);
    nd_cfg_free(c);
    /* a second load of our own file changes nothing and reports nothing */
    c = loaded();
    assert_string_equal(nd_cfg_problems(c), "");
    assert_false(exists(ND_CFG_BAD_PATH));
    nd_cfg_free(c);
}

/* Strings are saved as json.dumps writes them, the node's one JSON escaper:
** non-ASCII, DEL and control characters as escapes (the file is ASCII), and
** they load back byte for byte. Kept keys too. */
static void test_file_strings_escaped(void **state)
{
    const char *js = "{\"m\xc3\xa9\": [\"\xc3\xa9\", 1]}";
    put_file(ND_CFG_PATH, js, strlen(js));
    nd_cfg *c = loaded();
    char err[ND_ERRMSG];
    const char *v = "caf\xc3\xa9 \x7f\b\f\"\\ \xf0\x9f\x98\x80";
    assert_int_equal(nd_cfg_set_text(c, "staessid", v, err, sizeof err), ND_OK);
    nd_cfg_free(c);
    char *f = get_file(ND_CFG_PATH, NULL);
    assert_non_null(strstr(f, "\n  \"staessid\": \"caf\\u00e9 \\u007f\\b\\f\\\"\\\\ \\ud83d\\ude00\",\n"));
    assert_non_null(strstr(f, "\n  \"m\\u00e9\": [\"\\u00e9\", 1]\n}\n"));
    for (const char *p = f; *p; p++) assert_true((unsigned char)*p < 0x80);
    free(f);
    c = loaded();
    assert_string_equal(nd_cfg_problems(c), "");
    assert_string_equal(nd_cfg_str(c, "staessid"), v);
    assert_string_equal(render(c, "m\xc3\xa9"), "['\xc3\xa9', 1]");
    nd_cfg_free(c);
}

/* ---- dump -------------------------------------------------------------- */

static void test_dump_format(void **state)
{
    nd_cfg *c = loaded();
    nd_buf b;
    nd_buf_init(&b, 1 << 16);
    assert_int_equal(nd_cfg_dump(c, NULL, &b), ND_OK);
    const char *d = nd_buf_cstr(&b);
    assert_true(strncmp(d, "  version   :        n/a\n  auth      :        False\n", 52) == 0);
    assert_non_null(strstr(d, "\n  socport   :        9008\n"));
    assert_non_null(strstr(d, "\n  webui_max_con:        3\n"));
    assert_non_null(strstr(d, "\n  irq_prell_ms:        300\n"));
    assert_non_null(strstr(d, "\n  guimeta   :        ...\n"));
    assert_non_null(strstr(d, "\n  lat       :        0.0\n"));
    size_t lines = 0;
    for (const char *p = d; *p; p++) lines += *p == '\n';
    assert_int_equal(lines, nd_cfg_schema_count());

    nd_buf_clear(&b);
    assert_int_equal(nd_cfg_dump(c, "irq1", &b), ND_OK);
    assert_string_equal(nd_buf_cstr(&b), "  irq1      :        False\n"
                                         "  irq1_cbf  :        n/a\n"
                                         "  irq1_trig :        n/a\n");
    nd_buf_clear(&b);
    assert_int_equal(nd_cfg_dump(c, "zzzz", &b), ND_OK);
    assert_int_equal(b.n, 0);
    nd_buf_free(&b);
    nd_cfg_free(c);
}

/* ---- conf-mode set ----------------------------------------------------- */

static const struct {
    const char *key, *text;
    int rc;
    const char *after; /* render after the set (the old value on failure) */
    const char *err;   /* expected err text, NULL: not checked */
} sets[] = {
    {"socport", "9010", ND_OK, "9010", ""},
    {"socport", " 9011 ", ND_OK, "9011", ""},
    {"socport", "9008x", ND_ETYPE, "9008", ""}, /* micrOS: bare "Failed to save" */
    {"socport", "9.5", ND_ETYPE, "9008", ""},
    {"socport", "0", ND_EINVAL, "9008", "socport must be between 1 and 65535"},
    {"socport", "65536", ND_EINVAL, "9008", NULL},
    {"socport", "99999999999999999999", ND_ETYPE, "9008", NULL},
    {"utc", "type", ND_ETYPE, "60", ""},
    {"utc", "-720", ND_OK, "-720", ""},
    {"utc", "841", ND_EINVAL, "60", NULL},
    {"soctout", "4", ND_EINVAL, "30", "soctout must be at least 5"},
    {"soctout", "5", ND_OK, "5", ""},
    {"auth", "TRUE", ND_OK, "True", ""},
    {"auth", "tRuE", ND_OK, "True", ""},
    {"dbg", "false", ND_OK, "False", ""},
    {"auth", "yes", ND_ETYPE, "False", ""},
    {"auth", "1", ND_ETYPE, "False", ""},
    {"lat", "47.5", ND_OK, "47.5", ""},
    {"lat", "-33", ND_OK, "-33.0", ""},
    {"lon", "1e1", ND_OK, "10.0", ""},
    {"lat", "91", ND_EINVAL, "0.0", "lat must be between -90 and 90"},
    {"lat", "inf", ND_ETYPE, "0.0", NULL},
    {"lat", "nan", ND_ETYPE, "0.0", NULL},
    {"lat", "0x10", ND_ETYPE, "0.0", NULL},
    {"devfid", "kitchen-2_b", ND_OK, "kitchen-2_b", ""},
    {"devfid", "my node", ND_EINVAL, "node01", "Device name may only contain A-Z a-z 0-9 _ -"},
    {"devfid", "", ND_EINVAL, "node01", "Device name cannot be empty"},
    {"devfid", "abcdefghijabcdefghijabcdefghijabc", ND_EINVAL, "node01", NULL},
    {"nwmd", "AP", ND_OK, "AP", ""},
    {"nwmd", "ap", ND_EINVAL, "STA", NULL},
    {"hwbackend", "linux", ND_OK, "linux", ""},
    {"hwbackend", "gpio", ND_EINVAL, "sim", NULL},
    {"irq_debounce", "stable", ND_OK, "stable", ""},
    {"irq_debounce", "x", ND_EINVAL, "lead", NULL},
    {"aioqueue", "0", ND_EINVAL, "5", NULL},
    {"aioqueue", "256", ND_OK, "256", ""},
    {"timirqseq", "0", ND_EINVAL, "1000", NULL},
    {"irq_prell_ms", "60001", ND_EINVAL, "300", NULL},
    {"logmax", "1023", ND_EINVAL, "16384", NULL},
    {"staessid", "home wifi;office", ND_OK, "home wifi;office", ""},
    {"crontasks", "*:8:0:0!system clock", ND_OK, "*:8:0:0!system clock", ""},
    {"tz", "CET-1CEST,M3.5.0,M10.5.0/3", ND_OK, "CET-1CEST,M3.5.0,M10.5.0/3", ""},
    {"webcors", "*", ND_OK, "*", ""},
    /* Python int(): digits only, exact within +-2^53 (what a double holds) */
    {"webui_max_con", "9007199254740993", ND_OK, "9007199254740992", ""},
    {"webui_max_con", "9007199254740994", ND_ETYPE, "3", ""},
    {"webui_max_con", " -0 ", ND_OK, "0", ""},
    {"utc", "+90", ND_OK, "90", ""},
    {"socport", "1e3", ND_ETYPE, "9008", ""},
    {"socport", "", ND_ETYPE, "9008", ""},
    /* Python float(): decimal only, text of at most 63 characters */
    {"lat", " .5 ", ND_OK, "0.5", ""},
    {"lat", "5.", ND_OK, "5.0", ""},
    {"lat", "1e", ND_ETYPE, "0.0", NULL},
    {"lat", ".", ND_ETYPE, "0.0", NULL},
    {"lat", "1.00000000000000000000000000000000000000000000000000000000000e1", ND_OK, "10.0", ""},
    {"lat", "1.000000000000000000000000000000000000000000000000000000000000e1", ND_ETYPE, "0.0",
     NULL},
    {"gmttimaaaa", "1", ND_ENOTFOUND, "<notfound>", NULL},
};

static void test_set_text(void **state)
{
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
        nd_cfg *c = loaded();
        char err[ND_ERRMSG] = "junk";
        int rc = nd_cfg_set_text(c, sets[i].key, sets[i].text, err, sizeof err);
        if (rc != sets[i].rc) fail_msg("%s %s: rc %d", sets[i].key, sets[i].text, rc);
        assert_string_equal(render(c, sets[i].key), sets[i].after);
        if (sets[i].err) assert_string_equal(err, sets[i].err);
        nd_cfg_free(c);
        /* what the reply said is what the file holds */
        c = loaded();
        assert_string_equal(render(c, sets[i].key), sets[i].after);
        assert_string_equal(nd_cfg_problems(c), "");
        nd_cfg_free(c);
        nd_fs_remove(ND_CFG_PATH);
    }
}

static void test_set_unchanged_is_saved(void **state)
{
    nd_cfg *c = loaded();
    char err[ND_ERRMSG];
    assert_int_equal(nd_cfg_set_text(c, "socport", "9008", err, sizeof err), ND_OK);
    assert_int_equal(nd_cfg_set_text(c, "devfid", "node01", err, sizeof err), ND_OK);
    nd_cfg_free(c);
}

static const struct {
    const char *pw;
    bool ok;
} passwords[] = {
    {"ADmin123", true},  {"Abcdefg1", true},    {"Abcdefgh1", true}, {"Abcdef1", false},
    {"Abcdefghi1", false}, {"abcdefg1", false}, {"ABCDEFG1", false}, {"Abcdefgh", false},
    {"", false},
};

static void test_appwd(void **state)
{
    nd_cfg *c = loaded();
    for (size_t i = 0; i < sizeof passwords / sizeof passwords[0]; i++) {
        char err[ND_ERRMSG];
        int rc = nd_cfg_set_text(c, "appwd", passwords[i].pw, err, sizeof err);
        if (passwords[i].ok) {
            assert_int_equal(rc, ND_OK);
            assert_string_equal(nd_cfg_str(c, "appwd"), passwords[i].pw);
        } else {
            assert_int_equal(rc, ND_EINVAL);
            assert_string_equal(err, "Password must include [0-9] both [a-z][A-Z] and length "
                                     "between 8-9 char.");
        }
    }
    nd_cfg_free(c);
}

static void test_set_value(void **state)
{
    nd_cfg *c = loaded();
    char err[ND_ERRMSG], mem[1024];
    nd_arena a;
    nd_arena_init(&a, mem, sizeof mem);
    assert_int_equal(nd_cfg_set_value(c, "socport", nd_int(&a, 9100), true, err, sizeof err),
                     ND_OK);
    assert_int_equal(nd_cfg_int(c, "socport"), 9100);
    assert_int_equal(nd_cfg_set_value(c, "socport", nd_str(&a, "9101"), true, err, sizeof err),
                     ND_OK);
    assert_int_equal(nd_cfg_int(c, "socport"), 9101);
    assert_int_equal(nd_cfg_set_value(c, "socport", nd_bool(&a, true), true, err, sizeof err),
                     ND_ETYPE);
    assert_int_equal(nd_cfg_set_value(c, "socport", nd_float(&a, 1.5), true, err, sizeof err),
                     ND_ETYPE);
    assert_int_equal(nd_cfg_set_value(c, "lat", nd_int(&a, 47), true, err, sizeof err), ND_OK);
    assert_string_equal(render(c, "lat"), "47.0");
    assert_int_equal(nd_cfg_set_value(c, "devfid", nd_int(&a, 5), true, err, sizeof err), ND_ETYPE);
    assert_int_equal(nd_cfg_set_value(c, "auth", nd_bool(&a, true), true, err, sizeof err), ND_OK);
    assert_int_equal(nd_cfg_set_value(c, "nope", nd_bool(&a, true), true, err, sizeof err),
                     ND_ENOTFOUND);
    /* save=false: memory changes, the file only on nd_cfg_save */
    assert_int_equal(nd_cfg_set_value(c, "utc", nd_int(&a, 120), false, err, sizeof err), ND_OK);
    nd_cfg *d = loaded();
    assert_int_equal(nd_cfg_int(d, "utc"), 60);
    assert_int_equal(nd_cfg_int(d, "socport"), 9101);
    nd_cfg_free(d);
    assert_int_equal(nd_cfg_save(c), ND_OK);
    d = loaded();
    assert_int_equal(nd_cfg_int(d, "utc"), 120);
    assert_true(nd_cfg_bool(d, "auth"));
    nd_cfg_free(d);

    nd_value *v = nd_cfg_value(c, &a, "lat");
    assert_int_equal(v->type, ND_T_FLOAT);
    v = nd_cfg_value(c, &a, "devfid");
    assert_int_equal(v->type, ND_T_STR);
    assert_string_equal(v->u.s.p, "node01");
    assert_null(nd_cfg_value(c, &a, "nope"));
    nd_cfg_free(c);
}

static void test_set_node(void **state)
{
    nd_cfg *c = loaded();
    assert_int_equal(nd_cfg_set_node(c, "version", "0.1.0 dev"), ND_OK);
    assert_int_equal(nd_cfg_set_node(c, "hwuid", "micr0123456789abOS"), ND_OK);
    assert_int_equal(nd_cfg_set_node(c, "nope", "x"), ND_ENOTFOUND);
    nd_cfg_free(c);
    c = loaded();
    assert_string_equal(nd_cfg_str(c, "version"), "0.1.0 dev");
    assert_string_equal(render(c, "hwuid"), "micr0123456789abOS");
    nd_cfg_free(c);
}

static void test_save_failure_keeps_memory_and_file(void **state)
{
    nd_cfg *c = loaded();
    /* a directory where the file goes: rename over it fails, even as root */
    assert_int_equal(nd_fs_remove(ND_CFG_PATH), ND_OK);
    assert_int_equal(nd_fs_mkdir(ND_CFG_PATH), ND_OK);
    assert_int_equal(nd_fs_mkdir(ND_CFG_PATH "/x"), ND_OK);
    char err[ND_ERRMSG];
    assert_int_equal(nd_cfg_set_text(c, "socport", "9010", err, sizeof err), ND_EIO);
    assert_int_equal(nd_cfg_int(c, "socport"), 9008);
    assert_false(exists(ND_CFG_PATH ".tmp"));
    nd_cfg_free(c);
}

/* ---- transactions ------------------------------------------------------ */

/* A directory where the temp file of rel goes: the atomic write fails, also for root. */
static void block(const char *rel)
{
    char tmp[128];
    snprintf(tmp, sizeof tmp, "%s.tmp", rel);
    assert_int_equal(nd_fs_mkdir(tmp), ND_OK);
}

static void unblock(const char *rel)
{
    char tmp[128];
    snprintf(tmp, sizeof tmp, "%s.tmp", rel);
    assert_int_equal(nd_fs_remove(tmp), ND_OK);
}

static void test_txn_failed_save_undoes_everything(void **state)
{
    nd_cfg *c = loaded();
    char err[ND_ERRMSG], mem[1024];
    nd_arena a;
    nd_arena_init(&a, mem, sizeof mem);
    assert_int_equal(nd_cfg_set_text(c, "guimeta", "old-meta", err, sizeof err), ND_OK);
    assert_int_equal(nd_cfg_override(c, "socport", "1234", err, sizeof err), ND_OK);
    const char *ssid = nd_cfg_str(c, "staessid"); /* must stay valid through a rollback */
    char *before = get_file(ND_CFG_PATH, NULL);

    block(ND_CFG_PATH);
    assert_int_equal(nd_cfg_begin(c), ND_OK);
    assert_int_equal(nd_cfg_begin(c), ND_EINVAL); /* one at a time */
    assert_int_equal(nd_cfg_set_value(c, "staessid", nd_str(&a, "new"), false, err, sizeof err),
                     ND_OK);
    assert_int_equal(nd_cfg_set_value(c, "staessid", nd_str(&a, "newer"), false, err, sizeof err),
                     ND_OK);
    assert_int_equal(nd_cfg_set_value(c, "socport", nd_int(&a, 9100), false, err, sizeof err),
                     ND_OK);
    assert_int_equal(nd_cfg_set_text(c, "utc", "120", err, sizeof err), ND_OK); /* staged too */
    assert_int_equal(nd_cfg_set_text(c, "guimeta", "new-meta", err, sizeof err), ND_OK);
    assert_int_equal(nd_cfg_set_text(c, "utc", "99999", err, sizeof err), ND_EINVAL);
    assert_int_equal(nd_cfg_save(c), ND_EINVAL); /* only the commit saves staged values */
    assert_int_equal(nd_cfg_int(c, "utc"), 120);
    assert_int_equal(nd_cfg_commit(c, err, sizeof err), ND_EIO);
    assert_string_equal(err,
                        "node_config.json could not be written (I/O error): nothing was applied");
    assert_string_equal(nd_cfg_str(c, "staessid"), "your_wifi_name");
    assert_ptr_equal(nd_cfg_str(c, "staessid"), ssid);
    assert_int_equal(nd_cfg_int(c, "socport"), 1234); /* the override is back */
    assert_int_equal(nd_cfg_int(c, "utc"), 60);
    assert_string_equal(render(c, "guimeta"), "old-meta"); /* key file restored */
    assert_string_equal(nd_cfg_str(c, "guimeta"), "old-meta");
    char *after = get_file(ND_CFG_PATH, NULL);
    assert_string_equal(after, before);
    free(after);
    assert_int_equal(nd_cfg_commit(c, err, sizeof err), ND_EINVAL); /* closed */

    /* a lone set is its own transaction */
    assert_int_equal(nd_cfg_set_text(c, "staessid", "lone", err, sizeof err), ND_EIO);
    assert_string_equal(nd_cfg_str(c, "staessid"), "your_wifi_name");
    /* nothing changed: nothing to write, so no failure */
    assert_int_equal(nd_cfg_set_text(c, "staessid", "your_wifi_name", err, sizeof err), ND_OK);

    /* the offloaded key's file cannot be written: node_config.json is not touched */
    unblock(ND_CFG_PATH);
    block("config/.guimeta.key");
    assert_int_equal(nd_cfg_begin(c), ND_OK);
    assert_int_equal(nd_cfg_set_text(c, "guimeta", "new-meta", err, sizeof err), ND_OK);
    assert_int_equal(nd_cfg_set_text(c, "utc", "30", err, sizeof err), ND_OK);
    assert_int_equal(nd_cfg_commit(c, err, sizeof err), ND_EIO);
    assert_string_equal(err, "config/.guimeta.key could not be written (I/O error): nothing was "
                             "applied");
    assert_int_equal(nd_cfg_int(c, "utc"), 60);
    assert_string_equal(render(c, "guimeta"), "old-meta");

    /* fixed: saves work again, nothing of the failed attempts comes along */
    unblock("config/.guimeta.key");
    assert_int_equal(nd_cfg_set_text(c, "devfid", "fixed", err, sizeof err), ND_OK);
    assert_false(exists(ND_CFG_PATH ".tmp"));
    assert_false(exists("config/.guimeta.key.tmp"));
    nd_cfg_free(c);
    c = loaded();
    assert_string_equal(nd_cfg_str(c, "devfid"), "fixed");
    assert_string_equal(nd_cfg_str(c, "staessid"), "your_wifi_name");
    assert_int_equal(nd_cfg_int(c, "utc"), 60);
    assert_string_equal(nd_cfg_str(c, "guimeta"), "old-meta");
    nd_cfg_free(c);
    free(before);
}

static void test_txn_too_large(void **state)
{
    static const char *const keys[] = {"staessid", "stapwd", "devip", "timirqcbf", "irq1_cbf",
                                       "irq2_cbf", "irq3_cbf", "irq4_cbf", "boothook"};
    char big[ND_CFG_STR_MAX + 1], err[ND_ERRMSG];
    memset(big, '"', ND_CFG_STR_MAX); /* each is written as \" */
    big[ND_CFG_STR_MAX] = 0;
    nd_cfg *c = loaded();
    char *before = get_file(ND_CFG_PATH, NULL);
    assert_int_equal(nd_cfg_begin(c), ND_OK);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        assert_int_equal(nd_cfg_set_text(c, keys[i], big, err, sizeof err), ND_OK);
    assert_int_equal(nd_cfg_commit(c, err, sizeof err), ND_ELIMIT);
    assert_string_equal(err, "node_config.json would be larger than 65536 bytes (the config file "
                             "limit): nothing was applied");
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        assert_string_not_equal(nd_cfg_str(c, keys[i]), big);
    char *after = get_file(ND_CFG_PATH, NULL);
    assert_string_equal(after, before);
    free(after);
    free(before);
    /* one by one: the first seven fit, the eighth is refused alone */
    for (size_t i = 0; i < 7; i++)
        assert_int_equal(nd_cfg_set_text(c, keys[i], big, err, sizeof err), ND_OK);
    assert_int_equal(nd_cfg_set_text(c, keys[7], big, err, sizeof err), ND_ELIMIT);
    assert_string_equal(nd_cfg_str(c, keys[7]), "n/a");
    nd_cfg_free(c);
    c = loaded();
    assert_string_equal(nd_cfg_str(c, keys[6]), big);
    assert_string_equal(nd_cfg_str(c, keys[7]), "n/a");
    nd_cfg_free(c);
}

static void test_load_nul_escape_not_silent(void **state)
{
    const char *js = "{\"staessid\": \"ab\\u0000cd\", \"mine\": \"k\\u0000\"}";
    put_file(ND_CFG_PATH, js, strlen(js));
    nd_cfg *c = loaded();
    assert_string_equal(nd_cfg_problems(c),
                        "node_config.json: staessid holds \\u0000 (NUL), which nodus cannot "
                        "store: cut there, original kept as node_config.json.bad\n"
                        "node_config.json: mine holds \\u0000 (NUL), which nodus cannot store: "
                        "cut there, original kept as node_config.json.bad");
    char *bad = get_file(ND_CFG_BAD_PATH, NULL);
    assert_string_equal(bad, js);
    free(bad);
    nd_cfg_free(c);
}

/* ---- guimeta (offloaded) ---------------------------------------------- */

static void test_guimeta(void **state)
{
    nd_cfg *c = loaded();
    char err[ND_ERRMSG];
    assert_string_equal(render(c, "guimeta"), "n/a");
    assert_int_equal(nd_cfg_set_text(c, "guimeta", "{'rgb': 1}", err, sizeof err), ND_OK);
    assert_string_equal(render(c, "guimeta"), "{'rgb': 1}");
    assert_string_equal(nd_cfg_str(c, "guimeta"), "{'rgb': 1}");
    char *f = get_file("config/.guimeta.key", NULL);
    assert_string_equal(f, "{'rgb': 1}");
    free(f);
    f = get_file(ND_CFG_PATH, NULL);
    assert_non_null(strstr(f, "\"guimeta\": \"...\""));
    free(f);
    nd_buf b;
    nd_buf_init(&b, 4096);
    nd_cfg_dump(c, "guimeta", &b);
    assert_string_equal(nd_buf_cstr(&b), "  guimeta   :        ...\n");
    nd_buf_free(&b);
    nd_cfg_free(c);
    c = loaded();
    assert_string_equal(nd_cfg_str(c, "guimeta"), "{'rgb': 1}");
    nd_cfg_free(c);

    /* an inline value (older writer) moves to the key file */
    nd_fs_remove("config/.guimeta.key");
    const char *js = "{\"guimeta\": \"inline\"}";
    put_file(ND_CFG_PATH, js, strlen(js));
    c = loaded();
    assert_string_equal(render(c, "guimeta"), "inline");
    f = get_file(ND_CFG_PATH, NULL);
    assert_non_null(strstr(f, "\"guimeta\": \"...\""));
    free(f);
    nd_cfg_free(c);
}

/* ---- overrides --------------------------------------------------------- */

static void test_override(void **state)
{
    nd_cfg *c = loaded();
    char err[ND_ERRMSG];
    assert_int_equal(nd_cfg_override(c, "socport", "1234", err, sizeof err), ND_OK);
    assert_int_equal(nd_cfg_override(c, "devfid", "tmpnode", err, sizeof err), ND_OK);
    assert_int_equal(nd_cfg_int(c, "socport"), 1234);
    assert_string_equal(render(c, "socport"), "1234");
    assert_string_equal(nd_cfg_str(c, "devfid"), "tmpnode");
    assert_int_equal(nd_cfg_override(c, "socport", "x", err, sizeof err), ND_EINVAL);
    assert_int_equal(nd_cfg_override(c, "socport", "0", err, sizeof err), ND_EINVAL);
    assert_int_equal(nd_cfg_override(c, "nope", "0", err, sizeof err), ND_ENOTFOUND);
    /* saving (here via another key's set) never writes an override */
    assert_int_equal(nd_cfg_set_text(c, "utc", "120", err, sizeof err), ND_OK);
    assert_int_equal(nd_cfg_save(c), ND_OK);
    char *f = get_file(ND_CFG_PATH, NULL);
    assert_null(strstr(f, "1234"));
    assert_null(strstr(f, "tmpnode"));
    free(f);
    nd_cfg *d = loaded();
    assert_int_equal(nd_cfg_int(d, "socport"), 9008);
    assert_int_equal(nd_cfg_int(d, "utc"), 120);
    nd_cfg_free(d);
    /* a conf-mode set replaces the override */
    assert_int_equal(nd_cfg_set_text(c, "socport", "9009", err, sizeof err), ND_OK);
    assert_int_equal(nd_cfg_int(c, "socport"), 9009);
    nd_cfg_free(c);
}

/* ---- kept keys --------------------------------------------------------- */

static void test_unknown_keys_kept(void **state)
{
    const char *js = "{\"foo\": [1, \"a'b\", {\"b\": true, \"n\": null}, 2.5], \"socport\": 9009,"
                     " \"zzz\": \"x\", \"foo2\": {}}";
    put_file(ND_CFG_PATH, js, strlen(js));
    nd_cfg *c = loaded();
    assert_string_equal(nd_cfg_problems(c), "");
    assert_false(exists(ND_CFG_BAD_PATH)); /* nothing repaired, nothing to keep */
    assert_int_equal(nd_cfg_int(c, "socport"), 9009);
    assert_string_equal(render(c, "foo"), "[1, \"a'b\", {'b': True, 'n': None}, 2.5]");
    assert_string_equal(render(c, "zzz"), "x");
    assert_string_equal(render(c, "foo2"), "{}");
    assert_string_equal(nd_cfg_str(c, "zzz"), "x");
    assert_true(nd_cfg_has(c, "zzz"));
    char err[ND_ERRMSG];
    assert_int_equal(nd_cfg_set_text(c, "zzz", "y", err, sizeof err), ND_ENOTFOUND);
    /* dump: after the schema keys, in file order */
    nd_buf b;
    nd_buf_init(&b, 1 << 16);
    nd_cfg_dump(c, NULL, &b);
    const char *d = nd_buf_cstr(&b);
    const char *p1 = strstr(d, "  logmax    :"), *p2 = strstr(d, "  foo       :"),
               *p3 = strstr(d, "  zzz       :        x\n"), *p4 = strstr(d, "  foo2      :");
    assert_true(p1 && p2 && p3 && p4 && p1 < p2 && p2 < p3 && p3 < p4);
    nd_buf_free(&b);
    char mem[2048];
    nd_arena a;
    nd_arena_init(&a, mem, sizeof mem);
    nd_value *v = nd_cfg_value(c, &a, "foo");
    assert_int_equal(v->type, ND_T_LIST);
    assert_int_equal(v->u.seq.n, 4);
    nd_cfg_free(c);
    /* saved back, in the same order */
    char *f = get_file(ND_CFG_PATH, NULL);
    p1 = strstr(f, "\"logmax\"");
    p2 = strstr(f, "\"foo\": [1, \"a'b\", {\"b\": true, \"n\": null}, 2.5]");
    p3 = strstr(f, "\"zzz\": \"x\"");
    assert_true(p1 && p2 && p3 && p1 < p2 && p2 < p3);
    free(f);
    c = loaded();
    assert_string_equal(render(c, "zzz"), "x");
    assert_string_equal(nd_cfg_problems(c), "");
    nd_cfg_free(c);
}

/* The problems hold 1023 bytes: the line that does not fit is cut and ends
** in "...", wherever the cut falls (in the frame of a line about a file
** value or in its middle), and nothing follows it. */
static void test_problems_cut(void **state)
{
    static const char line[] = "node_config.json: %s holds a number JSON cannot store: saved as "
                               "null, original kept as node_config.json.bad";
    char xs[128];
    memset(xs, 'x', sizeof xs);
    for (int pad = 0; pad < 120; pad += 3) { /* moves the cut through a whole line */
        char js[8192] = "{", want[8192] = "", name[160];
        for (int i = 0; i < 12; i++) {
            snprintf(name, sizeof name, "k%02d%.*s", i, pad, xs);
            snprintf(js + strlen(js), sizeof js - strlen(js), "%s\"%s\": 1e999", i ? ", " : "",
                     name);
            if (i) strcat(want, "\n");
            snprintf(want + strlen(want), sizeof want - strlen(want), line, name);
        }
        strcat(js, "}");
        assert_true(strlen(want) > 1023);
        memcpy(want + 1020, "...", 4);
        put_file(ND_CFG_PATH, js, strlen(js));
        nd_cfg *c = loaded();
        assert_string_equal(nd_cfg_problems(c), want);
        nd_cfg_free(c);
        nd_fs_remove(ND_CFG_BAD_PATH);
        nd_fs_remove(ND_CFG_PATH);
    }
}

/* 1e999 parses as inf, which JSON cannot hold: saved as null, original kept */
static void test_kept_nonfinite(void **state)
{
    const char *js = "{\"big\\nkey\": [1e999, 2], \"socport\": 9009}";
    put_file(ND_CFG_PATH, js, strlen(js));
    nd_cfg *c = loaded();
    /* one line per problem, whatever the key name holds */
    assert_non_null(strstr(nd_cfg_problems(c), "big?key holds a number JSON cannot store"));
    assert_null(strchr(nd_cfg_problems(c), '\n'));
    assert_string_equal(render(c, "big\nkey"), "[None, 2]");
    assert_int_equal(nd_cfg_int(c, "socport"), 9009);
    char *bad = get_file(ND_CFG_BAD_PATH, NULL);
    assert_string_equal(bad, js);
    free(bad);
    nd_cfg_free(c);
    c = loaded();
    assert_string_equal(nd_cfg_problems(c), "");
    assert_string_equal(render(c, "big\nkey"), "[None, 2]");
    nd_cfg_free(c);
}

static void test_duplicate_keys_last_wins(void **state)
{
    const char *js = "{\"socport\": 1000, \"x\": 1, \"socport\": 2000, \"x\": 2}";
    put_file(ND_CFG_PATH, js, strlen(js));
    nd_cfg *c = loaded();
    assert_int_equal(nd_cfg_int(c, "socport"), 2000);
    assert_string_equal(render(c, "x"), "2");
    nd_cfg_free(c);
}

/* ---- damaged files ----------------------------------------------------- */

static const struct {
    const char *name, *data;
    size_t n; /* 0: strlen(data) */
    const char *problem;
} broken[] = {
    {"truncated", "{\n  \"socport\": 9009,\n  \"auth\": tr", 0, "unparsable (line 3)"},
    {"garbage", "\x01\xff\xfe\x00zz\x80", 7, "node_config.json contains a NUL byte"},
    {"not utf8", "{\"devfid\": \"\xff\xfe\"}", 0, "not valid UTF-8"},
    {"empty", "", 0, "node_config.json is empty"},
    {"blank", " \n\t\n", 0, "node_config.json is empty"},
    {"array", "[1, 2, 3]", 0, "node_config.json is not a JSON object"},
    {"string", "\"socport\"", 0, "node_config.json is not a JSON object"},
    {"trailing", "{\"socport\": 9009} x", 0, "unparsable (line 1)"},
    {"two objects", "{}{}", 0, "unparsable"},
};

static void check_quarantined(const char *data, size_t n, const char *problem_text)
{
    nd_cfg *c = nd_cfg_new();
    assert_int_equal(nd_cfg_load(c), ND_OK);
    const char *p = nd_cfg_problems(c);
    if (!strstr(p, problem_text)) fail_msg("problem '%s' lacks '%s'", p, problem_text);
    assert_non_null(strstr(p, "kept as node_config.json.bad, using defaults"));
    assert_int_equal(nd_cfg_int(c, "socport"), 9008);
    size_t bn = 0;
    char *bad = get_file(ND_CFG_BAD_PATH, &bn);
    assert_non_null(bad);
    assert_int_equal(bn, n);
    assert_memory_equal(bad, data, n);
    free(bad);
    nd_cfg_free(c);
    /* the rewritten file is good */
    c = loaded();
    assert_string_equal(nd_cfg_problems(c), "");
    nd_cfg_free(c);
    nd_fs_remove(ND_CFG_BAD_PATH);
}

static void test_broken_files(void **state)
{
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
        size_t n = broken[i].n ? broken[i].n : strlen(broken[i].data);
        put_file(ND_CFG_PATH, broken[i].data, n);
        check_quarantined(broken[i].data, n, broken[i].problem);
    }
}

static void test_huge_file(void **state)
{
    size_t n = ND_CFG_FILE_MAX + 10;
    char *big = malloc(n);
    memset(big, ' ', n);
    big[0] = '{';
    big[n - 1] = '}';
    put_file(ND_CFG_PATH, big, n);
    check_quarantined(big, n, "larger than 65536 bytes");
    /* exactly the limit is still read */
    big[ND_CFG_FILE_MAX - 1] = '}';
    put_file(ND_CFG_PATH, big, ND_CFG_FILE_MAX);
    nd_cfg *c = loaded();
    assert_string_equal(nd_cfg_problems(c), "");
    nd_cfg_free(c);
    free(big);
}

static void test_unreadable_directory(void **state)
{
    assert_int_equal(nd_fs_mkdir(ND_CFG_PATH), ND_OK);
    nd_cfg *c = nd_cfg_new();
    assert_int_equal(nd_cfg_load(c), ND_OK);
    assert_non_null(strstr(nd_cfg_problems(c), "node_config.json is unreadable: kept as"));
    nd_cfg_free(c);
}

static const struct {
    const char *json, *key, *after, *problem;
} typed[] = {
    /* convertible: converted, original kept */
    {"{\"socport\": \"9010\"}", "socport", "9010", "socport = \"9010\" converted to 9010"},
    {"{\"auth\": \"TRUE\"}", "auth", "True", "auth = \"TRUE\" converted to True"},
    {"{\"dbg\": 0}", "dbg", "False", "dbg = 0 converted to False"},
    {"{\"devfid\": 123}", "devfid", "123", "devfid = 123 converted to 123"},
    {"{\"version\": 1.5}", "version", "1.5", "version = 1.5 converted to 1.5"},
    {"{\"lat\": \"47.25\"}", "lat", "47.25", "lat = \"47.25\" converted to 47.25"},
    /* not convertible: default, original kept */
    {"{\"socport\": \"abc\"}", "socport", "9008", "socport = \"abc\" rejected (not an int)"},
    {"{\"socport\": 1.5}", "socport", "9008", "socport = 1.5 rejected"},
    {"{\"socport\": true}", "socport", "9008", "socport = true rejected"},
    {"{\"auth\": \"yes\"}", "auth", "False", "auth = \"yes\" rejected (not a bool)"},
    {"{\"dbg\": 2}", "dbg", "True", "dbg = 2 rejected"},
    {"{\"devfid\": null}", "devfid", "node01", "devfid = null rejected (not a string)"},
    {"{\"devfid\": [1]}", "devfid", "node01", "devfid = [1] rejected"},
    {"{\"devfid\": true}", "devfid", "node01", "devfid = true rejected"},
    {"{\"lat\": 1e999}", "lat", "0.0", "lat = "},
    /* typed right but invalid */
    {"{\"socport\": 0}", "socport", "9008", "socport = 0 rejected (socport must be between"},
    {"{\"devfid\": \"my node\"}", "devfid", "node01", "Device name may only contain"},
    {"{\"appwd\": \"weak\"}", "appwd", "ADmin123", "appwd = (secret) rejected (Password must"},
    {"{\"stapwd\": 12345678}", "stapwd", "12345678", "stapwd = (secret) converted to (secret)"},
};

static void test_wrong_types(void **state)
{
    for (size_t i = 0; i < sizeof typed / sizeof typed[0]; i++) {
        put_file(ND_CFG_PATH, typed[i].json, strlen(typed[i].json));
        nd_cfg *c = nd_cfg_new();
        assert_int_equal(nd_cfg_load(c), ND_OK);
        const char *p = nd_cfg_problems(c);
        if (!strstr(p, typed[i].problem)) fail_msg("problem '%s' lacks '%s'", p, typed[i].problem);
        assert_non_null(strstr(p, "original kept as node_config.json.bad"));
        assert_null(strstr(p, "weak")); /* secrets never reach the log */
        assert_string_equal(render(c, typed[i].key), typed[i].after);
        char *bad = get_file(ND_CFG_BAD_PATH, NULL);
        assert_non_null(bad);
        assert_string_equal(bad, typed[i].json);
        free(bad);
        nd_cfg_free(c);
        c = loaded();
        assert_string_equal(nd_cfg_problems(c), "");
        assert_string_equal(render(c, typed[i].key), typed[i].after);
        nd_cfg_free(c);
        nd_fs_remove(ND_CFG_BAD_PATH);
        nd_fs_remove(ND_CFG_PATH);
    }
}

/* ---- atomic saves ------------------------------------------------------ */

static void test_atomic_save(void **state)
{
    nd_cfg *c = loaded();
    char err[ND_ERRMSG];
    assert_int_equal(nd_cfg_set_text(c, "socport", "9010", err, sizeof err), ND_OK);
    assert_false(exists(ND_CFG_PATH ".tmp"));
    nd_cfg_free(c);
    /* a save cut short leaves a temp file: the next load removes it and
    ** keeps the real file */
    put_file(ND_CFG_PATH ".tmp.x", "{", 1);
    assert_int_equal(nd_fs_rename(ND_CFG_PATH ".tmp.x", ND_CFG_PATH ".tmp"), ND_OK);
    c = loaded();
    assert_false(exists(ND_CFG_PATH ".tmp"));
    assert_int_equal(nd_cfg_int(c, "socport"), 9010);
    assert_string_equal(nd_cfg_problems(c), "");
    nd_cfg_free(c);
}

/* ---- fs.c -------------------------------------------------------------- */

static const struct {
    const char *rel;
    int rc;
} paths[] = {
    {"../x", ND_EINVAL},
    {"..", ND_EINVAL},
    {"config/../../etc/passwd", ND_EINVAL},
    {"config/..", ND_EINVAL},
    {"a/../b", ND_EINVAL},
    {"/etc/passwd", ND_EINVAL},
    {"", ND_EINVAL},
    {"config/missing", ND_ENOTFOUND},
    {"...", ND_ENOTFOUND},
    {"config/..x", ND_ENOTFOUND},
};

static void test_fs_confinement(void **state)
{
    char buf[64];
    size_t n;
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        int rc = nd_fs_read(paths[i].rel, buf, sizeof buf, &n);
        if (rc != paths[i].rc) fail_msg("read %s: %d", paths[i].rel, rc);
        if (paths[i].rc == ND_EINVAL) {
            assert_int_equal(nd_fs_write_atomic(paths[i].rel, "x", 1), ND_EINVAL);
            assert_int_equal(nd_fs_append(paths[i].rel, "x", 1), ND_EINVAL);
            assert_int_equal(nd_fs_remove(paths[i].rel), ND_EINVAL);
            assert_int_equal(nd_fs_size(paths[i].rel, &n), ND_EINVAL);
            assert_int_equal(nd_fs_mkdir(paths[i].rel), ND_EINVAL);
            assert_int_equal(nd_fs_rename("config/a", paths[i].rel), ND_EINVAL);
            assert_int_equal(nd_fs_rename(paths[i].rel, "config/a"), ND_EINVAL);
        }
    }
    assert_int_equal(nd_fs_read(NULL, buf, sizeof buf, &n), ND_EINVAL);
}

static void test_fs_basics(void **state)
{
    char buf[8];
    size_t n = 99;
    assert_true(nd_fs_root()[0] == '/');
    assert_int_equal(nd_fs_size("data", &n), ND_OK); /* subdirectories exist */
    assert_int_equal(nd_fs_size("logs", &n), ND_OK);
    assert_int_equal(nd_fs_size("modules", &n), ND_OK);
    assert_int_equal(nd_fs_size("web", &n), ND_OK);
    assert_int_equal(nd_fs_append("data/a.log", "abc", 3), ND_OK);
    assert_int_equal(nd_fs_append("data/a.log", "defg", 4), ND_OK);
    assert_int_equal(nd_fs_read("data/a.log", buf, sizeof buf, &n), ND_OK); /* 7 = cap-1 */
    assert_int_equal(n, 7);
    assert_string_equal(buf, "abcdefg");
    assert_int_equal(nd_fs_append("data/a.log", "h", 1), ND_OK);
    assert_int_equal(nd_fs_read("data/a.log", buf, sizeof buf, &n), ND_ELIMIT);
    assert_int_equal(nd_fs_size("data/a.log", &n), ND_OK);
    assert_int_equal(n, 8);
    assert_int_equal(nd_fs_mkdir("data/x/y/z"), ND_OK);
    assert_int_equal(nd_fs_mkdir("data/x/y/z"), ND_OK);
    assert_int_equal(nd_fs_rename("data/a.log", "data/x/y/z/b.log"), ND_OK);
    assert_int_equal(nd_fs_size("data/a.log", &n), ND_ENOTFOUND);
    uint64_t tree = 0, total = 0, fr = 0;
    assert_int_equal(nd_fs_usage(&tree, &total, &fr), ND_OK);
    assert_true(tree >= 8);
    assert_true(total > 0 && fr <= total);
    assert_int_equal(nd_fs_remove("data/x/y/z/b.log"), ND_OK);
    assert_int_equal(nd_fs_remove("data/x/y/z/b.log"), ND_ENOTFOUND);
    assert_int_equal(nd_fs_write_atomic("data/w", "", 0), ND_OK);
    assert_int_equal(nd_fs_read("data/w", buf, sizeof buf, &n), ND_OK);
    assert_int_equal(n, 0);
    assert_false(exists("data/w.tmp"));
    /* writing into a missing directory fails cleanly */
    assert_true(nd_fs_write_atomic("nodir/w", "x", 1) < 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_schema_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_defaults_valid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_file_writes_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_strings_escaped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dump_format, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_unchanged_is_saved, setup, teardown),
        cmocka_unit_test_setup_teardown(test_appwd, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_value, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_node, setup, teardown),
        cmocka_unit_test_setup_teardown(test_save_failure_keeps_memory_and_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_txn_failed_save_undoes_everything, setup, teardown),
        cmocka_unit_test_setup_teardown(test_txn_too_large, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_nul_escape_not_silent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_guimeta, setup, teardown),
        cmocka_unit_test_setup_teardown(test_override, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_keys_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kept_nonfinite, setup, teardown),
        cmocka_unit_test_setup_teardown(test_problems_cut, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_keys_last_wins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_broken_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_huge_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unreadable_directory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_types, setup, teardown),
        cmocka_unit_test_setup_teardown(test_atomic_save, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fs_confinement, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fs_basics, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
