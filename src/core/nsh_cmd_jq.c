/*
** nsh_cmd_jq.c -- `jq FILTER [FILE]`: filters JSON (nsh_jq.c), not only
** pretty-prints it as upyOS's does. The input is a file, or -- as in upyOS --
** a variable holding JSON when no such file exists. Bounded: the input is
** read whole up to ND_JQ_INPUT_MAX, the output is built up to ND_JQ_OUT_MAX
** and then streamed to the reader as it drains.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "nsh_cmds.h"
#include "nsh_jq.h"

#include "nodus/opts.h" /* the limits; a port may override them */

typedef struct jqstate {
    nd_buf out;
    size_t off;
    int status;
} jqstate;

static void jq_free(void *p)
{
    jqstate *st = p;
    nd_buf_free(&st->out);
    free(st);
}

typedef struct jqemit {
    nd_buf *b;
    int indent;
    bool raw;
} jqemit;

static int jq_emit(void *ud, const cJSON *v)
{
    jqemit *e = ud;
    nd_jq_print(e->b, v, e->indent, e->raw);
    nd_buf_putc(e->b, '\n');
    return e->b->overflow ? ND_ELIMIT : 0;
}

static int jq_drain(nd_nsh_io *io, jqstate *st)
{
    while (st->off < st->out.n) {
        if (!nd_nsh_out_room(io)) return nd_cmd_wait_room(io);
        size_t k = st->out.n - st->off;
        if (k > ND_CMD_CHUNK) k = ND_CMD_CHUNK;
        nd_nsh_write(io, st->out.p + st->off, k);
        st->off += k;
    }
    return st->status;
}

#define SYN_JQ "jq [-c] [-r] FILTER FILE|VARIABLE"
ND_CMD_DEF(c_jq, "jq", SYN_JQ,
           "filter JSON: . .a.b[0] .[] .[-1] .. keys length type values , | ? (-c compact, -r raw "
           "strings); exit 2 bad input, 3 bad filter, 5 filter error")
static int c_jq(nd_nsh_io *io, int argc, char **argv)
{
    jqstate *st = nd_nsh_state(io);
    if (st) return jq_drain(io, st);
    nd_opts o;
    int rc = nd_cmd_opts(io, argc, argv, "cr", SYN_JQ, &o);
    if (rc) return rc;
    if (o.npos != 2) {
        if (o.npos == 1)
            nd_nsh_eprintf(io, "jq: name a file or a variable holding JSON (nsh has no pipes)\n");
        return nd_cmd_usage(io, SYN_JQ);
    }
    char err[160];
    nd_jq *q = nd_jq_compile(o.pos[0], err, sizeof err);
    if (!q) {
        nd_nsh_eprintf(io, "jq: bad filter: %s\n", err);
        return 3;
    }
    /* the input: a file, else a variable of that name ($ stripped) */
    char rel[ND_CMD_PATH_MAX];
    char *text = NULL;
    size_t n = 0;
    const char *src = o.pos[1];
    nd_fs_info info;
    if (nd_nsh_path(io, src, rel, sizeof rel) == 0 && rel[0] && nd_fs_stat(rel, &info) == ND_OK) {
        if (info.dir) {
            nd_nsh_eprintf(io, "jq: %s: is a directory\n", src);
            nd_jq_free(q);
            return 2;
        }
        if (info.size > ND_JQ_INPUT_MAX) {
            nd_nsh_eprintf(io, "jq: %s: larger than %d bytes\n", src, ND_JQ_INPUT_MAX);
            nd_jq_free(q);
            return 2;
        }
        text = malloc((size_t)info.size + 1);
        rc = text ? nd_fs_read(rel, text, (size_t)info.size + 1, &n) : ND_ENOMEM;
        if (rc != ND_OK) {
            nd_nsh_eprintf(io, "jq: %s: %s\n", src, nd_cmd_strerror(rc));
            free(text);
            nd_jq_free(q);
            return 2;
        }
    } else {
        const char *var = nd_nsh_getenv(io, src[0] == '$' ? src + 1 : src);
        if (!var) {
            nd_nsh_eprintf(io, "jq: %s: no such file or variable\n", src);
            nd_jq_free(q);
            return 2;
        }
        n = strlen(var);
        text = malloc(n + 1);
        if (text) memcpy(text, var, n + 1);
    }
    if (!text) {
        nd_jq_free(q);
        nd_nsh_eprintf(io, "jq: out of memory\n");
        return 2;
    }
    size_t end = 0;
    cJSON *doc = nd_json_parse(text, n, &end);
    if (!doc || end != n) {
        nd_nsh_eprintf(io, "jq: %s: not JSON (at byte %zu)\n", src, end);
        cJSON_Delete(doc);
        free(text);
        nd_jq_free(q);
        return 2;
    }
    st = calloc(1, sizeof *st);
    if (!st) {
        cJSON_Delete(doc);
        free(text);
        nd_jq_free(q);
        return 2;
    }
    nd_buf_init(&st->out, ND_JQ_OUT_MAX);
    jqemit e = {&st->out, o.set['c'] ? -1 : 2, o.set['r']};
    rc = nd_jq_run(q, doc, jq_emit, &e, err, sizeof err);
    if (rc == ND_ELIMIT) {
        nd_nsh_eprintf(io, "jq: output larger than %d bytes; cut\n", ND_JQ_OUT_MAX);
        st->status = 5;
    } else if (rc) {
        nd_nsh_eprintf(io, "jq: error: %s\n", err);
        st->status = 5;
    }
    cJSON_Delete(doc);
    free(text);
    nd_jq_free(q);
    nd_nsh_set_state(io, st, jq_free);
    return jq_drain(io, st);
}

const nd_nsh_cmd *const nd_nsh_cmds_jq[] = {&c_jq_def, NULL};
