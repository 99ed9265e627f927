/*
** fuzz_nsh_jq.c -- libFuzzer target for nsh's jq filters (src/core/nsh_jq.c).
**
** Input: "FILTER\nJSON". The filter is compiled (it must either compile or
** give an error message, never crash or hang); when it compiles it runs on
** the JSON (or on a fixed document when the rest is not JSON) and every
** result is printed both pretty and compact. Beyond memory safety the
** target aborts when a compile failure leaves no message, a run error
** leaves no message, or a printed result does not read back as JSON.
** Seed corpus: tests/fuzz/corpus/nsh_jq/.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "nsh_jq.h"

static void check(int ok)
{
    if (!ok) abort();
}

static int emit(void *ud, const cJSON *v)
{
    (void)ud;
    nd_buf b;
    nd_buf_init(&b, 1 << 20);
    nd_jq_print(&b, v, 2, false);
    if (!b.overflow) {
        cJSON *back = nd_json_parse(b.p ? b.p : "", b.n, NULL);
        check(back != NULL);
        cJSON_Delete(back);
    }
    nd_buf_clear(&b);
    nd_jq_print(&b, v, -1, true);
    nd_buf_free(&b);
    static int count;
    return ++count % 100000 == 0; /* a huge .. stops early, as a full buffer would */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = 0;
    char *nl = memchr(text, '\n', size);
    const char *json = "{\"a\": {\"b\": [1, 2, {\"c\": \"x\"}]}, \"n\": null}";
    size_t jn = strlen(json);
    if (nl) {
        *nl = 0;
        json = nl + 1;
        jn = size - (size_t)(nl + 1 - text);
    }
    char err[160] = "";
    nd_jq *q = nd_jq_compile(text, err, sizeof err);
    if (!q) {
        check(err[0] != 0);
    } else {
        cJSON *doc = nd_json_parse(json, jn, NULL);
        if (!doc) doc = cJSON_Parse("[1, {\"a\": [true, null, \"s\"]}]");
        int rc = nd_jq_run(q, doc, emit, NULL, err, sizeof err);
        if (rc == -1) check(err[0] != 0);
        cJSON_Delete(doc);
        nd_jq_free(q);
    }
    free(text);
    return 0;
}
