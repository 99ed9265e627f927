/*
** nsh_jq.h -- the filter language of nsh's `jq` (a subset of jq's), kept
** apart from the command so the unit tests and tests/fuzz/fuzz_nsh_jq.c
** drive it directly.
**
** Grammar (jq's meaning for each):
**   filter  := comma ('|' comma)*
**   comma   := postfix (',' postfix)*
**   postfix := primary suffix*
**   primary := '.' | '.' NAME | '.' STRING | '..' | '(' filter ')' | NUMBER | STRING
**            | 'keys' | 'length' | 'type' | 'values' | 'not' | 'null' | 'true' | 'false'
**   suffix  := '.' NAME | '.' STRING | '[' ']' | '[' INT ']' | '[' STRING ']' | '?'
** `.a.b[0]`, `.[]`, `.[-1]`, `.. ` (every value, depth first), `keys`
** (sorted), `length`, `.a, .b`, `.[] | .name`, `.x?` (errors dropped).
** Limits: ND_JQ_NODES nodes per filter, ND_JQ_DEPTH nesting of parentheses;
** evaluation makes at most ND_JQ_MADE new values (keys, length ...).
*/
#ifndef ND_NSH_JQ_H
#define ND_NSH_JQ_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "nodus/value.h"

#include "nodus/opts.h" /* the limits; a port may override them */

typedef struct nd_jq nd_jq;

/* Compile a filter; NULL with a message in err on a syntax error or limit. */
nd_jq *nd_jq_compile(const char *filter, char *err, size_t errn);
void nd_jq_free(nd_jq *q);

/* Run q on in: emit(ud, v) for every result, in order (v lives until
** nd_jq_free or the next run). Returns 0, or -1 with err set (a runtime
** error such as indexing a number), or what emit returned if non-zero. */
typedef int (*nd_jq_emit)(void *ud, const cJSON *v);
int nd_jq_run(nd_jq *q, const cJSON *in, nd_jq_emit emit, void *ud, char *err, size_t errn);

/* Write v as JSON: indent 2 per level (jq's default), or compact when
** indent < 0. raw: a string alone is written without quotes (jq -r).
** Nesting deeper than 512 is cut with an error. */
int nd_jq_print(nd_buf *b, const cJSON *v, int indent, bool raw);

#endif
