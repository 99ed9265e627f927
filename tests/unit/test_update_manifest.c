/* test_update_manifest.c -- the update bundle's pure parts: header,
** manifest, versions, the update record (update_manifest.h), the HTTP
** response pieces of the fetch (update_fetch.h) and the signature check
** with a key made here (update_sig.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "update_fetch.h"
#include "update_manifest.h"
#include "update_sig.h"

#define SHA_A "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#define HEAD "nodus-bundle 1\nname nodus\nversion 1.2.3-4\narch x86_64\nboard any\n"

static int parse(const char *text, char *err)
{
    nd_upd_manifest m;
    return nd_upd_manifest_parse(text, strlen(text), &m, err, 200);
}

static void test_manifest_ok(void **st)
{
    (void)st;
    const char *t = HEAD "file modules/LM_x.lua 12 " SHA_A "\nfile nodus 1820592 " SHA_A
                         "\nfile web/css/a.css 0 " SHA_A "\n";
    nd_upd_manifest m;
    char err[200] = "";
    assert_int_equal(nd_upd_manifest_parse(t, strlen(t), &m, err, sizeof err), ND_OK);
    assert_string_equal(m.version, "1.2.3-4");
    assert_string_equal(m.arch, "x86_64");
    assert_string_equal(m.board, "any");
    assert_int_equal(m.nfiles, 3);
    assert_true(m.has_binary);
    assert_int_equal(m.total, 1820604);
    size_t cur = 0;
    nd_upd_file f;
    const char *want[] = {"modules/LM_x.lua", "nodus", "web/css/a.css"};
    for (int i = 0; i < 3; i++) {
        assert_true(nd_upd_manifest_next(&m, &cur, &f));
        assert_string_equal(f.path, want[i]);
        assert_int_equal(f.binary, i == 1);
        assert_int_equal(f.sha[0], 0x9f);
        assert_int_equal(f.sha[31], 0x08);
    }
    assert_false(nd_upd_manifest_next(&m, &cur, &f));
}

static const struct bad_row {
    const char *text, *err;
} bad_rows[] = {
    {"", "ends after 0 lines"},
    {"nodus-bundle 2\n", "line 1: expected 'nodus-bundle 1'"},
    {HEAD, "lists no file"},
    {"nodus-bundle 1\nname nodus\nversion 1.2-4\narch x\nboard any\nfile nodus 1 " SHA_A "\n",
     "line 3: version '1.2-4' is not X.Y.Z-N"},
    {"nodus-bundle 1\nname nodus\nversion 01.2.3-4\narch x\nboard any\nfile nodus 1 " SHA_A "\n",
     "is not X.Y.Z-N"},
    {"nodus-bundle 1\nname other\nversion 1.2.3-4\narch x\nboard any\nfile nodus 1 " SHA_A "\n",
     "bundle is for 'other', not nodus"},
    {"nodus-bundle 1\nname nodus\nversion 1.2.3-4\narch any\nboard any\nfile nodus 1 " SHA_A "\n",
     "must name its arch"},
    {"nodus-bundle 1\nname nodus\nversion 1.2.3-4\nboard any\narch x\nfile nodus 1 " SHA_A "\n",
     "line 4: expected 'arch <value>'"},
    {"nodus-bundle 1\nname nodus\nversion 1.2.3-4\narch X86\nboard any\nfile nodus 1 " SHA_A "\n",
     "line 4: arch is not 1-31 characters"},
    {HEAD "file nodus 1 " SHA_A, "does not end with a newline"},
    {HEAD "file nodus  1 " SHA_A "\n", "expected: file <path> <size> <sha256>"},
    {HEAD "file nodus 01 " SHA_A "\n", "size is not a decimal"},
    {HEAD "file nodus 268435457 " SHA_A "\n", "up to 256 MiB"},
    {HEAD "file nodus 1 9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08\n",
     "64 lower-case hex"},
    {HEAD "file etc/passwd 1 " SHA_A "\n", "path is not nodus"},
    {HEAD "file web/../x 1 " SHA_A "\n", "path is not nodus"},
    {HEAD "file web/.hidden 1 " SHA_A "\n", "path is not nodus"},
    {HEAD "file web//x 1 " SHA_A "\n", "path is not nodus"},
    {HEAD "file web/x/ 1 " SHA_A "\n", "path is not nodus"},
    {HEAD "file web/a/b/c/d/e/f/g/h/i 1 " SHA_A "\n", "path is not nodus"}, /* 9 levels */
    {HEAD "file nodus2 1 " SHA_A "\n", "path is not nodus"},
    {HEAD "file web/b 1 " SHA_A "\nfile web/a 1 " SHA_A "\n", "web/a is out of order or repeated"},
    {HEAD "file web/a 1 " SHA_A "\nfile web/a 1 " SHA_A "\n", "out of order or repeated"},
    {HEAD "file web/a 1 " SHA_A "\r\n", "not printable ASCII"},
    {HEAD "comment hi\n", "expected: file"},
};

static void test_manifest_bad(void **st)
{
    (void)st;
    for (size_t i = 0; i < sizeof bad_rows / sizeof bad_rows[0]; i++) {
        char err[200] = "";
        if (parse(bad_rows[i].text, err) != ND_EINVAL || !strstr(err, bad_rows[i].err))
            fail_msg("row %zu: got '%s', want '%s'", i, err, bad_rows[i].err);
    }
}

static void test_versions(void **st)
{
    (void)st;
    nd_upd_ver a, b;
    assert_int_equal(nd_upd_ver_parse("0.1.0-0", 7, &a), ND_OK);
    assert_int_equal(nd_upd_ver_parse("0.1.0-10", 8, &b), ND_OK);
    assert_true(nd_upd_ver_cmp(&a, &b) < 0);
    assert_int_equal(nd_upd_ver_parse("0.2.0-0", 7, &b), ND_OK);
    assert_true(nd_upd_ver_cmp(&b, &a) > 0);
    assert_int_equal(nd_upd_ver_parse("4294967295.0.0-0", 16, &b), ND_OK);
    assert_int_equal(nd_upd_ver_cmp(&a, &a), 0);
    const char *bad[] = {"", "1", "1.2.3", "1.2.3-", "1.2.3-4-5", "1..3-4", "a.b.c-d", "1.2.3-4 ",
                         "4294967296.0.0-0", "00.1.2-3", "1.2.3.4"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (nd_upd_ver_parse(bad[i], strlen(bad[i]), &a) != ND_EINVAL) fail_msg("accepted '%s'", bad[i]);
}

static void test_head(void **st)
{
    (void)st;
    uint8_t h[ND_UPD_HEAD], id[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    nd_upd_head_write(h, 300, 71, id);
    nd_upd_head p;
    char err[160];
    assert_int_equal(nd_upd_head_parse(h, sizeof h, &p, err, sizeof err), ND_OK);
    assert_int_equal(p.mlen, 300);
    assert_int_equal(p.slen, 71);
    assert_memory_equal(p.keyid, id, 8);
    assert_int_equal(nd_upd_head_parse(h, 19, &p, err, sizeof err), ND_EINVAL);
    h[3] = '2';
    assert_int_equal(nd_upd_head_parse(h, sizeof h, &p, err, sizeof err), ND_EINVAL);
    assert_non_null(strstr(err, "format 2 is not supported"));
    nd_upd_head_write(h, ND_UPD_MANIFEST_MAX + 1, 71, id);
    assert_int_equal(nd_upd_head_parse(h, sizeof h, &p, err, sizeof err), ND_EINVAL);
    nd_upd_head_write(h, 10, 200, id);
    assert_int_equal(nd_upd_head_parse(h, sizeof h, &p, err, sizeof err), ND_EINVAL);
}

static void test_record_roundtrip(void **st)
{
    (void)st;
    nd_upd_record r = {.seq = 7, .state = ND_REC_TRIAL, .slot = ND_UPD_B, .prev = ND_UPD_BASE,
                       .starts = 2, .since_ms = 1796187560461LL, .deadline_s = 60, .reported = true};
    snprintf(r.version, sizeof r.version, "0.1.0-2");
    snprintf(r.base, sizeof r.base, "0.1.0-0");
    snprintf(r.error, sizeof r.error, "two\nlines");
    char buf[ND_REC_TEXT_MAX];
    size_t n = nd_upd_record_format(&r, buf, sizeof buf);
    nd_upd_record q;
    assert_int_equal(nd_upd_record_parse(buf, n, &q), ND_OK);
    assert_int_equal(q.seq, 7);
    assert_int_equal(q.state, ND_REC_TRIAL);
    assert_int_equal(q.slot, ND_UPD_B);
    assert_int_equal(q.prev, ND_UPD_BASE);
    assert_int_equal(q.starts, 2);
    assert_int_equal(q.since_ms, 1796187560461LL);
    assert_true(q.reported);
    assert_string_equal(q.version, "0.1.0-2");
    assert_string_equal(q.prev_version, "");
    assert_string_equal(q.base, "0.1.0-0");
    assert_string_equal(q.error, "two lines"); /* one line per field */
    assert_int_equal(nd_upd_record_parse("garbage\nseq 3\n", 14, &q), ND_EINVAL);
    assert_int_equal(q.state, ND_REC_IDLE);
    assert_int_equal(q.seq, 0);
}

static int collect(void *ud, const void *p, size_t n)
{
    char *out = ud;
    strncat(out, p, n);
    return 0;
}

static void test_http_pieces(void **st)
{
    (void)st;
    nd_url u;
    char err[160];
    assert_int_equal(nd_url_parse("http://example.org:8080/a/b.ndu#x", &u, err, sizeof err), ND_OK);
    assert_string_equal(u.host, "example.org");
    assert_int_equal(u.port, 8080);
    assert_string_equal(u.path, "/a/b.ndu");
    assert_int_equal(nd_url_parse("http://h", &u, err, sizeof err), ND_OK);
    assert_int_equal(u.port, 80);
    assert_string_equal(u.path, "/");
    const char *bad[] = {"ftp://h/", "https://h/", "http://", "http://:80/", "http://h:0/", "http://h:99999/",
                         "http://u:p@h/", "http://h/a b", "http://[::1]/", "http://h_x/"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (nd_url_parse(bad[i], &u, err, sizeof err) != ND_EINVAL) fail_msg("accepted '%s'", bad[i]);

    const char *h = "HTTP/1.1 200 OK\r\nContent-Length: 12\r\nX: y\r\n\r\nbody";
    assert_int_equal(nd_http_head_len(h, strlen(h)), strlen(h) - 4);
    assert_int_equal(nd_http_head_len(h, 20), 0);
    nd_http_resp r;
    assert_int_equal(nd_http_resp_parse(h, strlen(h) - 4, &r, err, sizeof err), ND_OK);
    assert_int_equal(r.status, 200);
    assert_true(r.has_length);
    assert_int_equal(r.length, 12);
    assert_string_equal(r.reason, "OK");
    h = "HTTP/1.0 404 Not Found\nTransfer-Encoding: chunked\nContent-Length: 5\n\n";
    assert_int_equal(nd_http_resp_parse(h, strlen(h), &r, err, sizeof err), ND_OK);
    assert_int_equal(r.status, 404);
    assert_true(r.chunked);
    assert_false(r.has_length);
    h = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n";
    assert_int_equal(nd_http_resp_parse(h, strlen(h), &r, err, sizeof err), ND_EINVAL);
    h = "SSH-2.0-OpenSSH\r\n\r\n";
    assert_int_equal(nd_http_resp_parse(h, strlen(h), &r, err, sizeof err), ND_EINVAL);

    /* chunked, fed whole and byte by byte */
    const char *body = "4;x=1\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nT: 1\r\n\r\nafter";
    for (int mode = 0; mode < 2; mode++) {
        nd_chunked c;
        nd_chunked_init(&c);
        char out[128] = "";
        size_t used = 0, n = strlen(body);
        while (used < n && !c.done) {
            size_t k = mode ? 1 : n - used;
            long got = nd_chunked_feed(&c, body + used, k, collect, out, err, sizeof err);
            assert_true(got >= 0);
            used += (size_t)got;
        }
        assert_true(c.done);
        assert_string_equal(out, "Wikipedia in\r\n\r\nchunks.");
        assert_string_equal(body + used, "after");
    }
    nd_chunked c;
    nd_chunked_init(&c);
    char out[16] = "";
    assert_int_equal(nd_chunked_feed(&c, "zz\r\n", 4, collect, out, err, sizeof err), ND_EINVAL);
    nd_chunked_init(&c);
    assert_int_equal(nd_chunked_feed(&c, "1\r\nab", 6, collect, out, err, sizeof err), ND_EINVAL);
}

/* A P-256 key pair made with `nodus release --genkey` (test data only). */
static const char pub[] = "-----BEGIN PUBLIC KEY-----\n"
                          "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEwINwH6c1HKt+wDMj1bX4nqHsvSXK\n"
                          "QjLqVNMj45GOrDO1teobWakfTIrsknofO3nNYTHEjD/icvy6L/Uij36WtQ==\n"
                          "-----END PUBLIC KEY-----\n";

static void test_keys(void **st)
{
    (void)st;
    uint8_t id[8];
    char hex[17], err[200];
    assert_int_equal(nd_upd_keyid(pub, strlen(pub), id, err, sizeof err), ND_OK);
    nd_upd_keyid_hex(id, hex);
    assert_string_equal(hex, "c1d1c67b60afc6c3");
    assert_int_equal(nd_upd_keyid("junk", 4, id, err, sizeof err), ND_EINVAL);
    nd_upd_head h = {.mlen = 5, .slen = 8};
    memcpy(h.keyid, id, 8);
    uint8_t sig[8] = {0x30, 6, 2, 1, 1, 2, 1, 1};
    assert_int_equal(nd_upd_verify(pub, strlen(pub), &h, (const uint8_t *)"hello", 5, sig, err, sizeof err),
                     ND_EINVAL);
    assert_non_null(strstr(err, "bad signature"));
    h.keyid[0] ^= 1;
    assert_int_equal(nd_upd_verify(pub, strlen(pub), &h, (const uint8_t *)"hello", 5, sig, err, sizeof err),
                     ND_EINVAL);
    assert_non_null(strstr(err, "which this node does not trust (config/update.pub: c1d1c67b60afc6c3)"));
    assert_int_equal(nd_upd_verify("", 0, &h, (const uint8_t *)"hello", 5, sig, err, sizeof err), ND_EINVAL);
    assert_non_null(strstr(err, "no trusted update key"));
    const char broken[] = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
    assert_int_equal(nd_upd_verify(broken, strlen(broken), &h, (const uint8_t *)"hello", 5, sig, err,
                                   sizeof err),
                     ND_EINVAL);
    assert_non_null(strstr(err, "config/update.pub key 1: not a PEM public key"));
}

static void test_sha256(void **st)
{
    (void)st;
    uint8_t a[32], b[32];
    nd_sha256_of("abc", 3, a);
    static const uint8_t want[4] = {0xba, 0x78, 0x16, 0xbf}; /* FIPS 180-2 example */
    assert_memory_equal(a, want, 4);
    nd_sha256 s;
    nd_sha256_begin(&s);
    nd_sha256_add(&s, "a", 1);
    nd_sha256_add(&s, "bc", 2);
    nd_sha256_end(&s, b);
    assert_memory_equal(a, b, 32);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_manifest_ok),  cmocka_unit_test(test_manifest_bad),
        cmocka_unit_test(test_versions),     cmocka_unit_test(test_head),
        cmocka_unit_test(test_record_roundtrip), cmocka_unit_test(test_http_pieces),
        cmocka_unit_test(test_keys),         cmocka_unit_test(test_sha256),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
