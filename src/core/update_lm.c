/*
** update_lm.c -- `system update`, `system update_status` and
** `system update_rollback` (nodus/update.h) over update.c.
**
** `system update` only starts the work and answers at once with the
** status: the fetch, the checks and the staging run in the background, the
** shell keeps answering, and `system update_status` (or /events) shows how
** far it got. Status values are only strings and integers, as every nodus
** reply a micrOS client may parse with a Python literal parser.
*/
#include <stddef.h>

#include "nodus/opts.h"
#include "nodus/update.h"
#include "update.h"

#if ND_WITH_UPDATE
int nd_update_lm_update(nd_call *c)
{
    nd_upd_req r = {0};
    int64_t t;
    if (!nd_arg_is_none(c, 0) && nd_arg_str(c, 0, &r.url)) return ND_ERR;
    if (!nd_arg_is_none(c, 1) && nd_arg_str(c, 1, &r.file)) return ND_ERR;
    if (nd_arg_bool(c, 2, &r.force) || nd_arg_int(c, 3, &t)) return ND_ERR;
    if (t < 1 || t > 600) return nd_fail(c, "timeout=%lld out of range 1..600 (seconds)", (long long)t);
    r.timeout_s = (uint32_t)t;
    if (!r.url && !r.file) return nd_update_lm_status(c); /* `system update`: the status */
    uint32_t id;
    char err[ND_ERRMSG];
    if (nd_update_begin(c->node, &r, &id, err, sizeof err) != ND_OK) return nd_fail(c, "%s", err);
    return nd_update_lm_status(c);
}

int nd_update_lm_status(nd_call *c)
{
    nd_value *d = nd_ret_dict(c);
    if (!d) return ND_ERR;
    if (nd_update_status(c->node, c->arena, d) != ND_OK) return nd_fail(c, "memory allocation failed");
    return ND_OK;
}

int nd_update_lm_rollback(nd_call *c)
{
    char err[ND_ERRMSG];
    if (nd_update_rollback(c->node, err, sizeof err) != ND_OK) return nd_fail(c, "%s", err);
    return nd_update_lm_status(c);
}
#else
/* No A/B updates in this image (nodus/opts.h; a board's: update.c is not
** linked): the three calls say so, as every service an image leaves out
** does, and nothing of update.c's API is needed. */
static int not_built(nd_call *c) { return nd_fail(c, "updates are not built into this node"); }
int nd_update_lm_update(nd_call *c) { return not_built(c); }
int nd_update_lm_status(nd_call *c) { return not_built(c); }
int nd_update_lm_rollback(nd_call *c) { return not_built(c); }
#endif
