/*
** json.h -- the JSON layer: reading JSON text, writing JSON values.
**
** One reader, written here, reads JSON exactly as Python's json.loads does
** (micrOS reads its config and REST bodies with it): nd_json_parse builds
** cJSON trees with it (cJSON, a Debian library, holds the items; its own
** parser also took leading zeros, raw control characters and 1000 levels of
** nesting, and is not linked: ~1.6 KB of flash on a board), nd_json_valid
** asks whether a text is JSON, and the widget overrides, which micrOS runs
** through json.loads and json.dumps, are written again with it (big ints
** keep their digits, lone \ud800 escapes survive).
** nd_json_value/nd_json_scalar turn items into nd_values. Writing is the
** value renderer's (nd_render_json: Python json.dumps with its defaults) and
** text.h's string escaper; nd_json_render walks a cJSON tree and hands
** every scalar to that renderer, so there is one way a number or a string
** is written, whatever holds it.
*/
#ifndef ND_JSON_H
#define ND_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "nodus/value.h"
#include "text.h"

/* Nesting accepted by the strict reader and by nd_json_value. */
#define ND_JSON_MAX_DEPTH ND_LIT_MAX_DEPTH

/* ---- trees (cJSON) ---------------------------------------------------------- */

/* The cJSON tree of the value at the start of p[0..n) (a UTF-8 BOM and
** white space before it are skipped), or NULL when there is none: the
** strict reader's grammar (nd_json_valid, below), at most ND_JSON_MAX_DEPTH
** levels, strings decoded to UTF-8 (a \u surrogate pair joined, a lone one
** refused; a \u0000 ends the C string: nd_json_nuls), numbers as doubles,
** an object's duplicate keys all kept in text order. *end (may be NULL) is
** the offset just past the value and the JSON white space after it, so end
** == n means the text was that value alone; on failure, the offset where
** reading failed (what a line number of the error is counted to). Free the
** tree with cJSON_Delete. */
cJSON *nd_json_parse(const char *p, size_t n, size_t *end);

/* cJSON items hold C strings, which end at a \u0000 escape (or a raw 0
** byte): the rest of that key or value would be lost without a word. For
** the JSON object text p[0..n) that nd_json_parse read, mark[i] is set when
** member i (text order = the tree's child order, duplicates included; i <
** cap) has a NUL in its key or anywhere in its value. Returns how many were
** marked. Lenient on purpose: it only tells strings apart. */
size_t nd_json_nuls(const char *p, size_t n, bool *mark, size_t cap);

/* The nd_value of one item without its children (an array or object comes
** out as an empty list or dict): strings point into the item, a number is an
** int when it is whole and within +-2^53, else a float. */
void nd_json_scalar(const cJSON *v, nd_value *out);

/* The whole item as an nd_value tree in a; NULL when a is full or the item
** nests deeper than ND_JSON_MAX_DEPTH. */
nd_value *nd_json_value(nd_arena *a, const cJSON *v);

/* ---- writing a cJSON tree ---------------------------------------------------- */

enum {
    ND_JSON_AS_JSON, /* json.dumps (nd_render_json) */
    ND_JSON_AS_REPR, /* Python repr (nd_render_repr) */
    ND_JSON_AS_STR,  /* Python str: a top-level string raw, the rest as repr */
};

/* Write item v in the given style: containers here, every scalar and key by
** the renderer. Not cJSON_Print: its numbers are "%.15g unless that reads
** back approximately equal", which loses the last digits; ours are the
** shortest round-trip form (Python's repr, as json.dumps writes). Returns
** ND_OK or the first nd_buf error. */
int nd_json_render(nd_buf *b, const cJSON *v, int style);

/* ---- the strict reader ------------------------------------------------------- */

/* RFC 8259 as Python's json.loads reads it, and nothing more: no leading
** zeros, no raw control characters in strings, valid UTF-8 only, no
** trailing bytes but white space, at most ND_JSON_MAX_DEPTH levels. NaN and
** Infinity, which json.loads also takes, are refused: what this accepts any
** JSON reader accepts. A REST reply is embedded verbatim when this says yes. */
bool nd_json_valid(const char *p, size_t n);

/* The reader itself, for callers that walk JSON text piece by piece. */
enum {
    ND_JSON_SQUOTE = 1, /* ' reads as " everywhere (micrOS Types.py: .replace("'", '"')) */
    ND_JSON_CONSTS = 2, /* NaN, Infinity and -Infinity are values (json.loads takes them) */
};

typedef struct nd_json_rd {
    const char *s;  /* the text, s[0..n), not NUL-terminated */
    size_t n, i;    /* i: the next byte */
    unsigned flags; /* ND_JSON_* */
} nd_json_rd;

void nd_json_rd_ws(nd_json_rd *r);        /* skip JSON white space */
int nd_json_rd_peek(const nd_json_rd *r); /* the next byte (' as " with SQUOTE), -1 at the end */
/* Read one string (r->i at its quote) or one value. With out, the value is
** written again as json.dumps writes what json.loads read: strings escaped
** code unit by code unit, ints with their digits ("-0" as 0), floats as
** Python's repr, ", " and ": " separators (an object's duplicate keys are
** all written; json.loads would keep the last). Returns ND_OK, ND_ESYNTAX,
** or ND_ENOMEM when out could not take the text. */
int nd_json_rd_string(nd_json_rd *r, nd_buf *out);
int nd_json_rd_value(nd_json_rd *r, nd_buf *out);

#endif
