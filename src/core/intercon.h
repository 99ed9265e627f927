/*
** intercon.h -- InterCon: `any command >>host` runs the command on another
** node's ShellCli (docs/micros-compat.md §5), from every door.
*/
#ifndef ND_INTERCON_H
#define ND_INTERCON_H

#include "cmd.h"
#include "node_int.h"

#include "nodus/opts.h" /* the limits; a port may override them */
#define ND_IC_CMD_MAX 2048  /* longest forwarded command (micrOS reads 2048 per command) */
#define ND_IC_ATTEMPTS 2    /* micrOS: one retry */
#define ND_IC_RETRY_MS 100  /* micrOS: retry after 100 ms */

/* Start task con.<host>.<module> for the parsed command c (c->host set) and
** write micrOS's reply dict to out. Returns the door's ND_X_* result. */
int nd_intercon_start(struct nd_node *n, const nd_cmd *c, bool json, nd_buf *out);

#endif
