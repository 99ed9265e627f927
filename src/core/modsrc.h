/*
** modsrc.h -- Load Modules that come from files at run time, behind the
** registry (today: LM_<name>.lua in the state dir's modules/, lua_mod.c).
**
** The dispatcher knows only these four calls; a build without a scripting
** engine links a source that finds nothing. The modules a source finds are
** added to the registry (nd_registry_add) and from then on are looked up,
** listed, counted and called exactly as the built-in C modules are.
*/
#ifndef ND_MODSRC_H
#define ND_MODSRC_H

#include <stdbool.h>
#include <stddef.h>

#include "cmd.h"
#include "nodus/value.h"

struct nd_node;

/* Before a call of module `name` that is not built in: find its file, load it
** on first use, reload it when the file changed. ND_OK: registered and
** current; ND_ENOTFOUND: no such file (a module whose file is gone is
** hidden); ND_ERR: the file cannot be loaded, err says why (a changed file
** that fails keeps the previous version: ND_ERR once, then ND_OK). */
int nd_modsrc_prepare(struct nd_node *n, const char *name, size_t len, char *err, size_t errn);
/* The node itself wrote or removed a file in modules/ (the /fs endpoints):
** the next call checks its module file at once. Other writers (an editor,
** scp) are seen by the first call made ND_LUA_CHECK_MS (50 ms) after the
** module's previous check. */
void nd_modsrc_touched(struct nd_node *n);
/* `help lm`: register every module file, so it is listed with its functions. */
void nd_modsrc_scan(struct nd_node *n);
/* `modules <sub> ...`: reload NAME, unload NAME, stats. */
int nd_modsrc_command(struct nd_node *n, nd_cmd *c, bool json, nd_buf *out);
/* Node free: every module's memory. */
void nd_modsrc_free(struct nd_node *n);

#endif
