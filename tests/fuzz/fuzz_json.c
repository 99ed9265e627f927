/*
** fuzz_json.c -- libFuzzer target for the JSON layer: the strict reader
** (nd_json_valid, nd_json_rd_value) and the string escaper (nd_json_escape).
**
** Input: arbitrary bytes, used both as JSON text and as a string to escape.
** Beyond memory safety the target aborts when:
**   - escaper: escape(x) is not printable ASCII in double quotes, is refused
**     by nd_json_valid or by cJSON, or does not read back as x (cJSON ends
**     strings at a NUL, and bytes that are not UTF-8 come back as U+FFFD);
**     the reader writing escape(x) again changes it;
**   - nd_json_parse (the reader building cJSON trees) takes x whole when
**     nd_json_valid(x) does not, or the other way round (surrogate escapes
**     and a leading BOM excepted: it refuses a lone surrogate, which UTF-8
**     cannot hold, and skips a BOM); what it takes whole, cJSON's own parser
**     takes too and reads as the same tree (compared as rendered JSON);
**   - nd_json_valid(x) and the reader (no flags) disagree;
**   - the reader's re-rendering (json.loads then json.dumps) is not a fixed
**     point: read and written again, it must come out the same.
** Seed corpus: tests/fuzz/corpus/json/.
*/
#define _GNU_SOURCE /* memmem */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

static void check(int ok)
{
    if (!ok) abort();
}

/* Is there a \uD800-\uDFFF escape (or something that looks like one)? */
static int has_surrogate_escape(const char *p, size_t n)
{
    for (size_t i = 0; i + 3 < n; i++)
        if (p[i] == '\\' && p[i + 1] == 'u' && (p[i + 2] | 0x20) == 'd' && strchr("89abcdefABCDEF", p[i + 3]))
            return 1;
    return 0;
}

/* What cJSON should read back from escape(x): x up to its first NUL, each
** byte that is not UTF-8 as U+FFFD. */
static size_t expected_back(const char *x, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        int l = nd_utf8_next(x + i, n - i, &cp);
        if (l < 0) {
            memcpy(out + o, "\xef\xbf\xbd", 3);
            o += 3;
            i++;
            continue;
        }
        if (cp == 0) break;
        memcpy(out + o, x + i, (size_t)l);
        o += (size_t)l;
        i += (size_t)l;
    }
    return o;
}

static void check_escape(const char *x, size_t n)
{
    nd_buf e;
    nd_buf_init(&e, 12 * n + 16);
    check(nd_json_escape(&e, x, n) == ND_OK);
    const char *t = nd_buf_cstr(&e);
    check(e.n >= 2 && t[0] == '"' && t[e.n - 1] == '"');
    for (size_t i = 0; i < e.n; i++) check((unsigned char)t[i] >= 0x20 && (unsigned char)t[i] < 0x7f);
    check(nd_json_valid(t, e.n));

    cJSON *s = cJSON_ParseWithLength(t, e.n);
    check(cJSON_IsString(s));
    char *want = malloc(3 * n + 1);
    check(want != NULL);
    size_t wn = expected_back(x, n, want);
    check(strlen(s->valuestring) == wn && memcmp(s->valuestring, want, wn) == 0);
    free(want);
    cJSON_Delete(s);

    /* json.dumps(json.loads(escape(x))) == escape(x) */
    nd_buf again;
    nd_buf_init(&again, e.n + 16);
    nd_json_rd r = {t, e.n, 0, 0};
    check(nd_json_rd_string(&r, &again) == ND_OK && r.i == e.n);
    check(again.n == e.n && memcmp(again.p, t, e.n) == 0);
    nd_buf_free(&again);
    nd_buf_free(&e);
}

static void check_reader(const char *x, size_t n)
{
    bool ok = nd_json_valid(x, n);

    nd_json_rd r = {x, n, 0, 0};
    nd_json_rd_ws(&r);
    int rc = nd_json_rd_value(&r, NULL);
    nd_json_rd_ws(&r);
    check(ok == (rc == ND_OK && r.i == n));

    size_t end = 0;
    cJSON *t = nd_json_parse(x, n, &end);
    bool whole = t && end == n, bom = n >= 3 && memcmp(x, "\xef\xbb\xbf", 3) == 0;
    check(end <= n);
    if (!has_surrogate_escape(x, n) && !bom) check(whole == ok);
    if (whole) {
        cJSON *c = bom ? cJSON_ParseWithLength(x + 3, n - 3) : cJSON_ParseWithLength(x, n);
        check(c != NULL);
        nd_buf a, b;
        nd_buf_init(&a, 1 << 22);
        nd_buf_init(&b, 1 << 22);
        nd_json_render(&a, t, ND_JSON_AS_JSON);
        nd_json_render(&b, c, ND_JSON_AS_JSON);
        check(a.n == b.n && memcmp(nd_buf_cstr(&a), nd_buf_cstr(&b), a.n) == 0);
        nd_buf_free(&a);
        nd_buf_free(&b);
        cJSON_Delete(c);
    }
    cJSON_Delete(t);

    /* the re-rendering, with everything json.loads takes (NaN too) */
    nd_buf once, twice;
    nd_buf_init(&once, 1 << 20);
    nd_buf_init(&twice, 1 << 20);
    nd_json_rd a = {x, n, 0, ND_JSON_CONSTS};
    nd_json_rd_ws(&a);
    if (nd_json_rd_value(&a, &once) == ND_OK) {
        nd_json_rd b = {once.p, once.n, 0, ND_JSON_CONSTS};
        check(nd_json_rd_value(&b, &twice) == ND_OK && b.i == once.n);
        check(twice.n == once.n && memcmp(twice.p, once.p, once.n) == 0);
        /* without NaN/Infinity in it, what was written is strict JSON */
        if (!memmem(once.p, once.n, "NaN", 3) && !memmem(once.p, once.n, "Infinity", 8))
            check(nd_json_valid(once.p, once.n));
    }
    nd_buf_free(&once);
    nd_buf_free(&twice);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exact-size copy: ASan sees any read past the end */
    char *x = malloc(size ? size : 1);
    if (!x) return 0;
    memcpy(x, data, size);
    check_escape(x, size);
    check_reader(x, size);
    free(x);
    return 0;
}
