/* test_multipart.c -- the streaming multipart/form-data parser
** (multipart.h). Callback transcripts read as the specification; most
** bodies are also fed split at every position and byte by byte. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "multipart.h"

/* ---- multipart -------------------------------------------------------------- */

/* Records callbacks as a transcript: "[B:<filename>|<name>]", raw data, "[E]". */
typedef struct rec {
    char log[16384];
    size_t n;
    int fail_data;  /* part_data returns this when non-zero */
    int fail_begin; /* part_begin, part_end likewise */
    int fail_end;
    int begins, ends;
} rec;

static void rec_put(rec *r, const char *p, size_t n)
{
    assert_true(r->n + n < sizeof r->log);
    memcpy(r->log + r->n, p, n);
    r->n += n;
    r->log[r->n] = 0;
}

static int rec_begin(void *ud, const char *filename, const char *name)
{
    rec *r = ud;
    char tmp[256];
    int k = snprintf(tmp, sizeof tmp, "[B:%s|%s]", filename, name);
    if (r->fail_begin) return r->fail_begin;
    rec_put(r, tmp, (size_t)k);
    r->begins++;
    return ND_OK;
}

static int rec_data(void *ud, const char *p, size_t n)
{
    rec *r = ud;
    assert_true(n > 0);
    if (r->fail_data) return r->fail_data;
    rec_put(r, p, n);
    return ND_OK;
}

static int rec_end(void *ud)
{
    rec *r = ud;
    if (r->fail_end) return r->fail_end;
    rec_put(r, "[E]", 3);
    r->ends++;
    return ND_OK;
}

static const nd_mpart_cb rec_cb = {rec_begin, rec_data, rec_end};

#define CT_XYZ "multipart/form-data; boundary=XyZ"

static const char one_part[] = "--XyZ\r\n"
                               "Content-Disposition: form-data; name=\"file\"; filename=\"user_data/notes.txt\"\r\n"
                               "Content-Type: text/plain\r\n"
                               "\r\n"
                               "hello\r\nworld\r\n--Xy\r\n--XyY\r\r\n-\r\n"
                               "\r\n--XyZ--\r\n";
static const char one_part_log[] = "[B:user_data/notes.txt|file]hello\r\nworld\r\n--Xy\r\n--XyY\r\r\n-\r\n[E]";

static const char three_parts[] = "--XyZ\r\n"
                                  "content-disposition: form-data; name=\"file\"; filename=\"user_data/big.txt\"\r\n"
                                  "\r\n"
                                  "AAAA\r\n"
                                  "--XyZ\r\n"
                                  "Content-Disposition: form-data; name=\"file\"; filename=\"user_data/big.txt\"\r\n"
                                  "\r\n"
                                  "BB\rB\r\n"
                                  "--XyZ\r\n"
                                  "Content-Disposition: form-data; filename=\"user_data/big.txt\"; name=file\r\n"
                                  "\r\n"
                                  "\r\n"
                                  "--XyZ--";
static const char three_parts_log[] =
    "[B:user_data/big.txt|file]AAAA[E][B:user_data/big.txt|file]BB\rB[E][B:user_data/big.txt|file][E]";

/* Feeds body in pieces cut at `cuts` (sorted offsets), then finishes. */
static int mp_run(const char *ct, const char *body, size_t n, const size_t *cuts, int ncut, rec *r)
{
    nd_mpart m;
    memset(r, 0, sizeof *r);
    int rc = nd_mpart_init(&m, (nd_span){ct, strlen(ct)}, &rec_cb, r);
    if (rc != ND_OK) return rc;
    size_t at = 0;
    for (int i = 0; i <= ncut; i++) {
        size_t end = i < ncut ? cuts[i] : n;
        char *piece = malloc(end - at + 1); /* exact copies: ASan sees over-reads */
        assert_non_null(piece);
        memcpy(piece, body + at, end - at);
        rc = nd_mpart_feed(&m, piece, end - at);
        free(piece);
        if (rc != ND_OK) return rc;
        at = end;
    }
    return nd_mpart_finish(&m);
}

static void mp_expect(const char *ct, const char *body, size_t n, int want, const char *log)
{
    rec r;
    assert_int_equal(mp_run(ct, body, n, NULL, 0, &r), want);
    if (log) assert_string_equal(r.log, log);
}

/* The same transcript for every split in two pieces and for byte-by-byte
** feeding: boundaries split anywhere, including inside the boundary. */
static void mp_expect_splits(const char *ct, const char *body, size_t n, int want, const char *log)
{
    static rec r;
    for (size_t k = 0; k <= n; k++) {
        assert_int_equal(mp_run(ct, body, n, &k, 1, &r), want);
        if (log) assert_string_equal(r.log, log);
    }
    size_t *cuts = malloc(n * sizeof *cuts + 1);
    assert_non_null(cuts);
    for (size_t k = 0; k < n; k++) cuts[k] = k;
    assert_int_equal(mp_run(ct, body, n, cuts, (int)n, &r), want);
    if (log) assert_string_equal(r.log, log);
    free(cuts);
}

static void test_mpart_single(void **st)
{
    mp_expect_splits(CT_XYZ, one_part, strlen(one_part), ND_OK, one_part_log);
}

static void test_mpart_several(void **st)
{
    mp_expect_splits(CT_XYZ, three_parts, strlen(three_parts), ND_OK, three_parts_log);
    rec r;
    assert_int_equal(mp_run(CT_XYZ, three_parts, strlen(three_parts), NULL, 0, &r), ND_OK);
    assert_int_equal(r.begins, 3);
    assert_int_equal(r.ends, 3);
}

static void test_mpart_framing(void **st)
{
    /* preamble and epilogue are ignored; transport padding is allowed */
    const char *pre = "This is a preamble\r\n--XyZ \t\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--XyZ--\r\n"
                      "epilogue --XyZ garbage\r\n";
    mp_expect_splits(CT_XYZ, pre, strlen(pre), ND_OK, "[B:|a]1[E]");
    /* a part without headers, and an empty upload with no part */
    const char *nohdr = "--XyZ\r\n\r\ndata\r\n--XyZ--";
    mp_expect(CT_XYZ, nohdr, strlen(nohdr), ND_OK, "[B:|]data[E]");
    mp_expect(CT_XYZ, "--XyZ--", 7, ND_OK, "");
    /* a CRLF before the first boundary (some clients) */
    const char *crlf = "\r\n--XyZ\r\n\r\nx\r\n--XyZ--";
    mp_expect(CT_XYZ, crlf, strlen(crlf), ND_OK, "[B:|]x[E]");
    /* binary data, NUL bytes included */
    const char bin[] = "--XyZ\r\n\r\n\0\r\0\n\xff\r\n--XyZ--";
    rec r;
    assert_int_equal(mp_run(CT_XYZ, bin, sizeof bin - 1, NULL, 0, &r), ND_OK);
    assert_int_equal(r.n, 5 + 5 + 3);
    assert_memory_equal(r.log + 5, "\0\r\0\n\xff[E]", 8);
}

static void test_mpart_truncated(void **st)
{
    /* missing closing boundary: finish fails; part_end comes only once a
    ** delimiter has ended the part (rows 6 on) */
    const char *cut[] = {
        "",
        "--XyZ",
        "--XyZ\r\n",
        "--XyZ\r\nContent-Disposition: form-data; filename=\"a\"\r\n",
        "--XyZ\r\n\r\ndata",
        "--XyZ\r\n\r\ndata\r\n--Xy",
        "--XyZ\r\n\r\ndata\r\n--XyZ",
        "--XyZ\r\n\r\ndata\r\n--XyZ-",
        "--XyZ\r\n\r\ndata\r\n--XyZ\r\n",
        "no boundary at all",
    };
    for (size_t i = 0; i < sizeof cut / sizeof cut[0]; i++) {
        print_message("row %zu\n", i);
        rec r;
        assert_int_equal(mp_run(CT_XYZ, cut[i], strlen(cut[i]), NULL, 0, &r), ND_ESYNTAX);
        assert_int_equal(r.ends, i >= 6 && i <= 8 ? 1 : 0);
    }
    /* the full body minus its last byte */
    for (size_t k = strlen(one_part) - 3; k > 0; k--) {
        rec r;
        assert_int_equal(mp_run(CT_XYZ, one_part, k, NULL, 0, &r), ND_ESYNTAX);
    }
}

static void test_mpart_broken(void **st)
{
    const char *bad[] = {
        "--XyZ\r\nNo colon here\r\n\r\nx\r\n--XyZ--",
        "--XyZ\r\n: empty name\r\n\r\nx\r\n--XyZ--",
        "--XyZ\r\nBad Name: v\r\n\r\nx\r\n--XyZ--",
        "--XyZ\r\nContent-Disposition: form-data\n\r\n\r\nx\r\n--XyZ--", /* bare LF */
        "--XyZ\r\nContent-Disposition: form-data\rX\r\n\r\nx\r\n--XyZ--", /* bare CR */
        "--XyZ\r\nContent-Disposition: form-data; filename=\"unterminated\r\n\r\nx\r\n--XyZ--",
        "--XyZ\r\nX: a\x01\r\n\r\nx\r\n--XyZ--", /* control byte */
        "--XyZx\r\n\r\nx\r\n--XyZ--",            /* boundary followed by junk */
        "--XyZ-x\r\n",
        "--XyZ \tx\r\n",
        "--XyZ\rx",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        print_message("row %zu\n", i);
        mp_expect_splits(CT_XYZ, bad[i], strlen(bad[i]), ND_ESYNTAX, NULL);
    }
    /* a header line longer than the line buffer */
    static char big[1024];
    size_t n = (size_t)sprintf(big, "--XyZ\r\nX-Long: ");
    memset(big + n, 'a', 600);
    n += 600;
    n += (size_t)sprintf(big + n, "\r\n\r\nx\r\n--XyZ--");
    mp_expect(CT_XYZ, big, n, ND_ESYNTAX, NULL);
    /* a file name longer than nd_mpart.filename */
    n = (size_t)sprintf(big, "--XyZ\r\nContent-Disposition: form-data; filename=\"");
    memset(big + n, 'f', 200);
    n += 200;
    n += (size_t)sprintf(big + n, "\"\r\n\r\nx\r\n--XyZ--");
    mp_expect(CT_XYZ, big, n, ND_ESYNTAX, NULL);

    /* errors are sticky: later feeds and finish report the same error */
    nd_mpart m;
    rec r;
    memset(&r, 0, sizeof r);
    assert_int_equal(nd_mpart_init(&m, (nd_span){CT_XYZ, strlen(CT_XYZ)}, &rec_cb, &r), ND_OK);
    assert_int_equal(nd_mpart_feed(&m, "--XyZ!", 6), ND_ESYNTAX);
    assert_int_equal(nd_mpart_feed(&m, "\r\n\r\nx\r\n--XyZ--", 14), ND_ESYNTAX);
    assert_int_equal(nd_mpart_finish(&m), ND_ESYNTAX);
}

static void test_mpart_callback_error(void **st)
{
    nd_mpart m;
    rec r;
    memset(&r, 0, sizeof r);
    r.fail_data = ND_EIO;
    assert_int_equal(nd_mpart_init(&m, (nd_span){CT_XYZ, strlen(CT_XYZ)}, &rec_cb, &r), ND_OK);
    assert_int_equal(nd_mpart_feed(&m, one_part, strlen(one_part)), ND_EIO);
    assert_int_equal(nd_mpart_feed(&m, "x", 1), ND_EIO);
    assert_int_equal(nd_mpart_finish(&m), ND_EIO);
    /* part_begin / part_end errors stop the parse too; a positive return
    ** (not an ND_* code) becomes ND_ERR so that errors stay negative */
    memset(&r, 0, sizeof r);
    r.fail_begin = ND_ENOTFOUND;
    assert_int_equal(nd_mpart_init(&m, (nd_span){CT_XYZ, strlen(CT_XYZ)}, &rec_cb, &r), ND_OK);
    assert_int_equal(nd_mpart_feed(&m, one_part, strlen(one_part)), ND_ENOTFOUND);
    assert_int_equal(nd_mpart_finish(&m), ND_ENOTFOUND);
    memset(&r, 0, sizeof r);
    r.fail_end = 1;
    assert_int_equal(nd_mpart_init(&m, (nd_span){CT_XYZ, strlen(CT_XYZ)}, &rec_cb, &r), ND_OK);
    assert_int_equal(nd_mpart_feed(&m, three_parts, strlen(three_parts)), ND_ERR);
    assert_int_equal(r.begins, 1);
    assert_int_equal(nd_mpart_finish(&m), ND_ERR);
    /* NULL callbacks are allowed */
    static const nd_mpart_cb none = {NULL, NULL, NULL};
    assert_int_equal(nd_mpart_init(&m, (nd_span){CT_XYZ, strlen(CT_XYZ)}, &none, NULL), ND_OK);
    assert_int_equal(nd_mpart_feed(&m, one_part, strlen(one_part)), ND_OK);
    assert_int_equal(nd_mpart_finish(&m), ND_OK);
}

static void test_mpart_names(void **st)
{
    static const struct {
        const char *disp, *log;
    } rows[] = {
        {"form-data; name=\"f\"; filename=\"a\\\"b.txt\"", "[B:a\"b.txt|f]"},
        {"form-data; name=\"f\"; filename=\"C:\\dir\\f.txt\"", "[B:C:\\dir\\f.txt|f]"},
        {"form-data; name=\"f\"; filename=\"a\\\\b\"", "[B:a\\b|f]"},
        {"form-data; name=f; filename=plain.txt", "[B:plain.txt|f]"},
        {"form-data; NAME=\"f\"; FileName=\"x;y.txt\"", "[B:x;y.txt|f]"},
        {"form-data; filename*=UTF-8''x.txt; name=f", "[B:|f]"},
        {"form-data; name=\"up\"; filename=\"\"", "[B:|up]"},
        {"form-data;name=a;filename=b", "[B:b|a]"},
        {"form-data; name=\"a\"; filename=\"caf\xc3\xa9.txt\"", "[B:caf\xc3\xa9.txt|a]"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        print_message("row %zu: %s\n", i, rows[i].disp);
        char body[512], log[512];
        int n = snprintf(body, sizeof body, "--XyZ\r\nContent-Disposition: %s\r\n\r\nd\r\n--XyZ--", rows[i].disp);
        snprintf(log, sizeof log, "%sd[E]", rows[i].log);
        mp_expect(CT_XYZ, body, (size_t)n, ND_OK, log);
    }
}

static void test_mpart_content_type(void **st)
{
    static const struct {
        const char *ct, *boundary; /* NULL: refused */
    } rows[] = {
        {"multipart/form-data; boundary=XyZ", "XyZ"},
        {"multipart/form-data;boundary=XyZ", "XyZ"},
        {"Multipart/Form-Data; BOUNDARY=XyZ", "XyZ"},
        {"multipart/form-data; charset=utf-8; boundary=\"a b:c\"", "a b:c"},
        {"multipart/form-data; boundary=\"XyZ\"; charset=utf-8", "XyZ"},
        {"multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW",
         "----WebKitFormBoundary7MA4YWxkTrZu0gW"},
        {"multipart/form-data; boundary=------------------------d74496d66958873e",
         "------------------------d74496d66958873e"},
        {"multipart/form-data; boundary=0123456789012345678901234567890123456789012345678901234567890123456789",
         "0123456789012345678901234567890123456789012345678901234567890123456789"},
        {"multipart/form-data; boundary=01234567890123456789012345678901234567890123456789012345678901234567890",
         NULL},
        {"multipart/form-data", NULL},
        {"multipart/form-data; boundary=", NULL},
        {"multipart/form-data; boundary=\"\"", NULL},
        {"multipart/form-data; boundary=\"ab \"", NULL},
        {"multipart/form-data; boundary=\"unterminated", NULL},
        {"multipart/form-data; boundary=a@b", NULL},
        {"multipart/form-data; boundary=\"a\rb\"", NULL},
        {"multipart/mixed; boundary=XyZ", NULL},
        {"text/plain; boundary=XyZ", NULL},
        {"", NULL},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        print_message("row %zu: %s\n", i, rows[i].ct);
        nd_mpart m;
        int rc = nd_mpart_init(&m, (nd_span){rows[i].ct, strlen(rows[i].ct)}, &rec_cb, NULL);
        if (!rows[i].boundary) {
            assert_int_equal(rc, ND_ESYNTAX);
            assert_int_equal(nd_mpart_feed(&m, "x", 1), ND_ESYNTAX);
            assert_int_equal(nd_mpart_finish(&m), ND_ESYNTAX);
            continue;
        }
        assert_int_equal(rc, ND_OK);
        char body[256], log[64];
        int n = snprintf(body, sizeof body, "--%s\r\n\r\nok\r\n--%s--\r\n", rows[i].boundary, rows[i].boundary);
        snprintf(log, sizeof log, "[B:|]ok[E]");
        mp_expect_splits(rows[i].ct, body, (size_t)n, ND_OK, log);
    }
    nd_mpart m;
    assert_int_equal(nd_mpart_init(&m, (nd_span){NULL, 0}, &rec_cb, NULL), ND_ESYNTAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mpart_single),
        cmocka_unit_test(test_mpart_several),
        cmocka_unit_test(test_mpart_framing),
        cmocka_unit_test(test_mpart_truncated),
        cmocka_unit_test(test_mpart_broken),
        cmocka_unit_test(test_mpart_callback_error),
        cmocka_unit_test(test_mpart_names),
        cmocka_unit_test(test_mpart_content_type),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
