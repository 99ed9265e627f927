/*
** params.h -- a function's parameter spec ("r g=None smooth=True"), parsed
** once. The spec strings live in the modules' static function tables, so a
** parsed spec keeps offsets into its string instead of copies: small enough
** to cache one per function (registry.c) and bind every call from it.
*/
#ifndef ND_PARAMS_H
#define ND_PARAMS_H

#include <stdbool.h>
#include <stdint.h>

#include "nodus/module.h"

#define ND_PARAMS_SPEC_MAX 65535 /* spec length the 16-bit offsets reach */

typedef struct nd_param {
    uint16_t name, name_len; /* the name: spec[name .. name + name_len) */
    uint16_t def, def_len;   /* the default literal; def == 0: required (a default follows '=') */
} nd_param;

typedef struct nd_params {
    uint8_t n;               /* parameters (at most ND_MAX_PARAMS) */
    uint8_t nreq;            /* of them without a default */
    uint8_t error;           /* ND_PARAMS_OK or why the spec cannot be used */
    nd_param p[ND_MAX_PARAMS];
} nd_params;

enum { ND_PARAMS_OK, ND_PARAMS_TOO_MANY, ND_PARAMS_TOO_LONG };

/* Parse spec (NULL or "" for none) into out. A name runs to the next space
** or '='; a default literal runs to the next space outside quotes and
** brackets. Returns ND_OK, or ND_ERR with out->error set when the spec has
** more than ND_MAX_PARAMS parameters or is longer than ND_PARAMS_SPEC_MAX. */
int nd_params_parse(const char *spec, nd_params *out);

/* The parsed spec of f, a function of module m: cached per module and
** function on the first call of any function of m (registry.c). A function
** outside the registry's tables (the built-in help) or a full cache is
** parsed into scratch, which is returned. */
const nd_params *nd_registry_params(const nd_module *m, const nd_func *f, nd_params *scratch);

#endif
