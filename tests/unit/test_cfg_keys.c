/*
** test_cfg_keys.c -- the typed config keys (enum nd_key from cfg_keys.def),
** their effects, the JSON setter of POST /config, and the module API's
** warning for a key nobody knows.
**
** The enum and the schema table come from one list, so these tests are what
** would catch the two drifting apart (an entry expanded differently, a block
** of irq keys reordered) and a typed read that answers differently from the
** by-name read it replaced.
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
#include "json.h"
#include "node_int.h"
#include "nodus/port.h"

static char dir[512];

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *f)
{
    (void)st, (void)flag, (void)f;
    return remove(p);
}

static int setup(void **state)
{
    (void)state;
    static int seq;
    const char *base = getenv("ND_TEST_TMP");
    snprintf(dir, sizeof dir, "%s/test_cfg_keys.%ld.%d", base && *base ? base : "/tmp",
             (long)getpid(), ++seq);
    assert_int_equal(nd_fs_set_root(dir), ND_OK);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

/* ---- the enum is the schema ---------------------------------------------- */

static void test_every_key_has_an_enum_value(void **state)
{
    (void)state;
    assert_int_equal(nd_cfg_schema_count(), ND_K_COUNT);
    for (int i = 0; i < ND_K_COUNT; i++) {
        const nd_cfg_key *k = nd_cfg_schema_at((size_t)i);
        assert_non_null(k);
        /* name -> enum -> name */
        assert_int_equal(nd_key_of(k->name), i);
        assert_string_equal(nd_key_name((nd_key)i), k->name);
        assert_ptr_equal(nd_cfg_schema_find(nd_key_name((nd_key)i)), k);
        assert_int_equal(nd_cfg_key_id(k), i);
    }
    assert_int_equal(nd_key_of("gmttimaaaa"), -1);
    assert_int_equal(nd_key_of(NULL), -1);
    assert_string_equal(nd_key_name(ND_K_COUNT), "");
    /* the enum names are the key names */
    assert_string_equal(nd_key_name(ND_K_version), "version");
    assert_string_equal(nd_key_name(ND_K_devfid), "devfid");
    assert_string_equal(nd_key_name(ND_K_aioqueue), "aioqueue");
    assert_string_equal(nd_key_name(ND_K_webevents_max), "webevents_max");
    /* the irq blocks, as irq.c indexes them */
    char want[32];
    for (int i = 1; i <= 4; i++) {
        snprintf(want, sizeof want, "irq%d", i);
        assert_string_equal(nd_key_name(ND_K_IRQ(i)), want);
        snprintf(want, sizeof want, "irq%d_cbf", i);
        assert_string_equal(nd_key_name(ND_K_IRQ_CBF(i)), want);
        snprintf(want, sizeof want, "irq%d_trig", i);
        assert_string_equal(nd_key_name(ND_K_IRQ_TRIG(i)), want);
    }
}

/* Typed reads answer what the by-name reads answer, for every key, on
** defaults, overrides, sets and the offloaded key. */
static void same_reads(const nd_cfg *c)
{
    for (int i = 0; i < ND_K_COUNT; i++) {
        const char *name = nd_key_name((nd_key)i);
        assert_string_equal(nd_cfg_get_str(c, (nd_key)i), nd_cfg_str(c, name));
        assert_int_equal(nd_cfg_get_bool(c, (nd_key)i), nd_cfg_bool(c, name));
        assert_true(nd_cfg_get_int(c, (nd_key)i) == nd_cfg_int(c, name));
        assert_true(nd_cfg_get_float(c, (nd_key)i) == nd_cfg_float(c, name));
    }
}

static void test_typed_reads_match_named_reads(void **state)
{
    (void)state;
    nd_cfg *c = nd_cfg_new();
    assert_int_equal(nd_cfg_load(c), ND_OK);
    same_reads(c);
    assert_int_equal(nd_cfg_get_int(c, ND_K_socport), 9008);
    assert_true(nd_cfg_get_bool(c, ND_K_dbg));
    assert_string_equal(nd_cfg_get_str(c, ND_K_devfid), "node01");
    assert_string_equal(nd_cfg_get_str(c, ND_K_guimeta), "n/a");
    /* a bool read as a number, a string read as one: as by name */
    assert_int_equal(nd_cfg_get_int(c, ND_K_dbg), 1);
    assert_int_equal(nd_cfg_get_int(c, ND_K_devfid), 0);
    /* out of range: the unknown-key answers, no crash */
    assert_string_equal(nd_cfg_get_str(c, ND_K_COUNT), "");
    assert_int_equal(nd_cfg_get_int(NULL, ND_K_socport), 0);

    char err[ND_ERRMSG];
    assert_int_equal(nd_cfg_override(c, "socport", "9100", err, sizeof err), ND_OK);
    assert_int_equal(nd_cfg_override(c, "lat", "47.5", err, sizeof err), ND_OK);
    assert_int_equal(nd_cfg_set_text(c, "devfid", "hall", err, sizeof err), ND_OK);
    assert_int_equal(nd_cfg_set_text(c, "guimeta", "{'a': 1}", err, sizeof err), ND_OK);
    assert_int_equal(nd_cfg_set_text(c, "auth", "True", err, sizeof err), ND_OK);
    same_reads(c);
    assert_int_equal(nd_cfg_get_int(c, ND_K_socport), 9100);
    assert_true(nd_cfg_get_float(c, ND_K_lat) == 47.5);
    assert_string_equal(nd_cfg_get_str(c, ND_K_devfid), "hall");
    assert_string_equal(nd_cfg_get_str(c, ND_K_guimeta), "{'a': 1}");
    /* a set clears the override; a rolled-back one brings it back */
    assert_int_equal(nd_cfg_begin(c), ND_OK);
    assert_int_equal(nd_cfg_set_text(c, "socport", "9200", err, sizeof err), ND_OK);
    assert_int_equal(nd_cfg_get_int(c, ND_K_socport), 9200);
    nd_cfg_rollback(c);
    assert_int_equal(nd_cfg_get_int(c, ND_K_socport), 9100);
    same_reads(c);

    /* after a reload from the file (members replaced) the index still holds */
    nd_cfg *d = nd_cfg_new();
    assert_int_equal(nd_cfg_load(d), ND_OK);
    same_reads(d);
    assert_string_equal(nd_cfg_get_str(d, ND_K_devfid), "hall");
    assert_true(nd_cfg_get_bool(d, ND_K_auth));
    nd_arena a;
    static char mem[4096];
    nd_arena_init(&a, mem, sizeof mem);
    nd_value *v = nd_cfg_get_value(d, &a, ND_K_devfid);
    assert_non_null(v);
    assert_int_equal(v->type, ND_T_STR);
    assert_string_equal(v->u.s.p, "hall");
    nd_cfg_free(d);
    nd_cfg_free(c);
}

/* ---- effects ------------------------------------------------------------- */

static void test_effects(void **state)
{
    (void)state;
    const int fx = ND_CFG_REBOOT | ND_CFG_FX_SCHED | ND_CFG_FX_MDNS;
    for (int i = 0; i < ND_K_COUNT; i++) {
        int f = nd_cfg_schema_at((size_t)i)->flags & fx;
        assert_true(f == 0 || f == ND_CFG_REBOOT || f == ND_CFG_FX_SCHED || f == ND_CFG_FX_MDNS);
    }
    /* what nd_sched_reload re-reads */
    static const nd_key sched[] = {ND_K_cron, ND_K_crontasks, ND_K_tz, ND_K_utc, ND_K_lat, ND_K_lon};
    for (size_t i = 0; i < sizeof sched / sizeof sched[0]; i++)
        assert_true(nd_cfg_schema_at(sched[i])->flags & ND_CFG_FX_SCHED);
    assert_true(nd_cfg_schema_at(ND_K_devfid)->flags & ND_CFG_FX_MDNS);
    assert_true(nd_cfg_schema_at(ND_K_mdns)->flags & ND_CFG_FX_MDNS);
    /* read once at start: only a reboot applies them */
    static const nd_key boot[] = {ND_K_boothook, ND_K_timirq, ND_K_timirqseq, ND_K_socport,
                                  ND_K_webport, ND_K_bind, ND_K_webui, ND_K_irq1, ND_K_board};
    for (size_t i = 0; i < sizeof boot / sizeof boot[0]; i++)
        assert_true(nd_cfg_schema_at(boot[i])->flags & ND_CFG_REBOOT);
    assert_string_equal(nd_cfg_effect(0), "no");
    assert_string_equal(nd_cfg_effect(ND_CFG_SECRET), "no");
    assert_string_equal(nd_cfg_effect(ND_CFG_REBOOT | ND_CFG_SECRET), "yes");
    assert_string_equal(nd_cfg_effect(ND_CFG_FX_SCHED), "no (scheduler reload)");
    assert_string_equal(nd_cfg_effect(ND_CFG_FX_MDNS), "no (mDNS re-announce)");
}

/* ---- POST /config's setter ------------------------------------------------ */

/* nd_cfg_set_json(item) must do exactly what nd_cfg_set_value did with the
** nd_value of the same item (the path it replaces): same code, same
** message, same stored value. */
static void test_set_json_matches_set_value(void **state)
{
    (void)state;
    static const char *const items[] = {
        "9100", "\"9101\"", "true", "1.5", "47", "-3", "1e300", "1e999", "\"abc\"", "\"\"",
        "\"True\"", "false", "null", "[1]", "{\"a\": 1}", "9007199254740993", "0.0", "\"n/a\"",
        "\"CET-1CEST,M3.5.0,M10.5.0/3\"", "\"Zz9abcdef\"", "2.0",
    };
    static const nd_key keys[] = {ND_K_socport, ND_K_lat, ND_K_auth, ND_K_devfid, ND_K_utc,
                                  ND_K_tz, ND_K_appwd, ND_K_soctout, ND_K_guimeta};
    nd_cfg *a = nd_cfg_new(), *b = nd_cfg_new();
    assert_non_null(a);
    assert_non_null(b);
    static char mem[4096];
    nd_arena ar;
    nd_arena_init(&ar, mem, sizeof mem);
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++) {
        cJSON *it = nd_json_parse(items[i], strlen(items[i]), NULL);
        assert_non_null(it);
        for (size_t j = 0; j < sizeof keys / sizeof keys[0]; j++) {
            char ea[ND_ERRMSG] = "x", eb[ND_ERRMSG] = "y";
            nd_value v;
            nd_json_scalar(it, &v);
            int ra = nd_cfg_set_value(a, nd_key_name(keys[j]), &v, true, ea, sizeof ea);
            int rb = nd_cfg_set_json(b, keys[j], it, eb, sizeof eb);
            if (ra != rb || strcmp(ea, eb) != 0)
                fail_msg("%s = %s: set_value %d '%s', set_json %d '%s'", nd_key_name(keys[j]),
                         items[i], ra, ea, rb, eb);
            nd_buf x, y;
            nd_buf_init(&x, 256);
            nd_buf_init(&y, 256);
            assert_int_equal(nd_cfg_render(a, nd_key_name(keys[j]), &x), ND_OK);
            assert_int_equal(nd_cfg_render(b, nd_key_name(keys[j]), &y), ND_OK);
            assert_string_equal(nd_buf_cstr(&x), nd_buf_cstr(&y));
            nd_buf_free(&x);
            nd_buf_free(&y);
        }
        cJSON_Delete(it);
    }
    assert_int_equal(nd_cfg_set_json(b, ND_K_COUNT, NULL, NULL, 0), ND_ENOTFOUND);
    nd_cfg_free(a);
    nd_cfg_free(b);
}

/* ---- the module API ------------------------------------------------------ */

static char *read_log(const char *rel)
{
    static char buf[8192];
    size_t n = 0;
    if (nd_fs_read(rel, buf, sizeof buf - 1, &n) != ND_OK) n = 0;
    buf[n] = 0;
    return buf;
}

static int count(const char *hay, const char *needle)
{
    int k = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle)) k++;
    return k;
}

static void test_module_unknown_key_warns_once(void **state)
{
    (void)state;
    static struct nd_node node;
    memset(&node, 0, sizeof node);
    node.cfg = nd_cfg_new();
    assert_non_null(node.cfg);
    assert_int_equal(nd_cfg_load(node.cfg), ND_OK);
    /* known keys, by any accessor: no warning */
    assert_string_equal(nd_node_cfg_str(&node, "devfid"), "node01");
    assert_int_equal(nd_node_cfg_int(&node, "socport"), 9008);
    assert_true(nd_node_cfg_bool(&node, "dbg"));
    assert_true(nd_node_cfg_float(&node, "lat") == 0.0);
    assert_string_equal(read_log("logs/warn.sys.log"), "");
    /* a misspelt key reads as before ("", 0), and is reported once */
    assert_string_equal(nd_node_cfg_str(&node, "devfi"), "");
    assert_int_equal(nd_node_cfg_int(&node, "devfi"), 0);
    assert_false(nd_node_cfg_bool(&node, "devfi"));
    assert_true(nd_node_cfg_float(&node, "devfi") == 0.0);
    const char *log = read_log("logs/warn.sys.log");
    assert_int_equal(count(log, "[WARN] config: a module read unknown key 'devfi'"), 1);
    assert_int_equal(count(log, "\n"), 1);
    /* another unknown name gets its own line */
    (void)nd_node_cfg_int(&node, "socprot");
    log = read_log("logs/warn.sys.log");
    assert_int_equal(count(log, "unknown key 'socprot'"), 1);
    assert_int_equal(count(log, "\n"), 2);
    /* bounded: after ND_CFG_WARN_MAX names, one closing line and silence */
    for (int i = 0; i < ND_CFG_WARN_MAX + 10; i++) {
        char name[32];
        snprintf(name, sizeof name, "nokey%d", i);
        (void)nd_node_cfg_str(&node, name);
    }
    log = read_log("logs/warn.sys.log");
    assert_int_equal(count(log, "\n"), ND_CFG_WARN_MAX + 1);
    assert_int_equal(count(log, "no longer reported"), 1);
    nd_cfg_free(node.cfg);
}

/* A key the file has but the schema does not (a module's own key, added by
** hand) is known: it reads as its value, with no warning. */
static void test_module_kept_key_is_known(void **state)
{
    (void)state;
    static const char file[] = "{\"mykey\": \"hello\", \"mynum\": 7}";
    assert_int_equal(nd_fs_write_atomic(ND_CFG_PATH, file, sizeof file - 1), ND_OK);
    static struct nd_node node;
    memset(&node, 0, sizeof node);
    node.cfg = nd_cfg_new();
    assert_int_equal(nd_cfg_load(node.cfg), ND_OK);
    assert_string_equal(nd_node_cfg_str(&node, "mykey"), "hello");
    assert_int_equal(nd_node_cfg_int(&node, "mynum"), 7);
    assert_string_equal(read_log("logs/warn.sys.log"), "");
    nd_cfg_free(node.cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_key_has_an_enum_value, setup, teardown),
        cmocka_unit_test_setup_teardown(test_typed_reads_match_named_reads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_effects, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_json_matches_set_value, setup, teardown),
        cmocka_unit_test_setup_teardown(test_module_unknown_key_warns_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_module_kept_key_is_known, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
