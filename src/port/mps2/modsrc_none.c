/*
** modsrc_none.c -- no run-time module source in this image (src/core/modsrc.h:
** "a build without a scripting engine links a source that finds nothing").
** Lua Load Modules need Lua's sources fetched like lwIP's: not yet.
*/
#include "modsrc.h"

int nd_modsrc_prepare(struct nd_node *n, const char *name, size_t len, char *err, size_t errn)
{
    (void)n, (void)name, (void)len, (void)err, (void)errn;
    return ND_ENOTFOUND;
}

void nd_modsrc_scan(struct nd_node *n) { (void)n; }

int nd_modsrc_command(struct nd_node *n, nd_cmd *c, bool json, nd_buf *out)
{
    (void)n, (void)c, (void)json, (void)out;
    return ND_ENOTFOUND;
}

void nd_modsrc_free(struct nd_node *n) { (void)n; }

void nd_modsrc_touched(struct nd_node *n) { (void)n; }
