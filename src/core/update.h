/*
** update.h -- signed over-the-air updates with automatic rollback: the
** slot state machine of docs/updates.md, in the portable core.
**
** Two halves share the update record (update_manifest.h):
**
**  - the launcher half runs at every start before a node exists (the POSIX
**    port's `nodus run`, a board's boot code): nd_update_boot counts the
**    starts of a slot on trial and rolls it back after too many, or once
**    its deadline has passed, and says which slot to run;
**  - the node half runs in the node: `system update` fetches or reads a
**    bundle, checks it (signature, arch, board, version, size, free space)
**    before anything is written, stages it in the slot that is not running,
**    switches and restarts; the new version, started on trial, runs the
**    health check (loop alive, doors listening, config loaded, boothook
**    done) and confirms itself, or rolls back when it cannot within
**    `updtrial_s`.
**
** Storage and process control go through the port (port.h, "A/B update
** slots"); nothing here knows files or exec.
*/
#ifndef ND_UPDATE_H
#define ND_UPDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nodus/value.h"

struct nd_node;

#include "nodus/opts.h" /* the limits; a port may override them */

/* ---- launcher half ---- */
typedef struct nd_upd_boot {
    int slot;        /* ND_UPD_BASE, _A, _B: what to run */
    bool trial;      /* the slot runs on trial */
    uint32_t left_s; /* seconds left of its trial */
    char msg[300];   /* what happened, for the console ("" when nothing) */
} nd_upd_boot;
/* The port's storage root must be set. is_base: this launcher is the base
** binary (the one the service starts): when its version differs from the
** one the record last saw -- a package upgrade or a new factory image --
** it runs itself instead of an older update's slot (outside a trial). */
void nd_update_boot(nd_upd_boot *b, bool is_base);
/* The launcher could not start slot's binary (why: the OS's reason). A
** slot on trial is rolled back and true returned: decide again with
** nd_update_boot. false: run the binary at hand. */
bool nd_update_exec_failed(int slot, const char *why);

/* ---- node half ---- */
void nd_update_start(struct nd_node *n); /* after nd_node_start */
void nd_update_stop(struct nd_node *n);  /* before nd_node_shutdown */

typedef struct nd_upd_req {
    const char *url;  /* http://... or NULL */
    const char *file; /* user_data/... (an /fs upload) or NULL */
    bool force;       /* allow a downgrade or the same version */
    uint32_t timeout_s; /* the fetch's idle timeout */
} nd_upd_req;
/* Start an update in the background; *id names it in the status. */
int nd_update_begin(struct nd_node *n, const nd_upd_req *r, uint32_t *id, char *err, size_t errn);
/* `system update_status`: a dict of the update state. */
int nd_update_status(struct nd_node *n, nd_arena *a, nd_value *dict);
/* Go back to the previous slot now (the running version stays in its slot). */
int nd_update_rollback(struct nd_node *n, char *err, size_t errn);

/* Web files a bundle shipped (web/... in the manifest) are served after the
** user's own <state>/web/ and before the built-in ones: the storage path of
** web file rel in the slot this node runs from. ND_ENOTFOUND when the node
** runs no slot (the caller then has nothing to look up). */
int nd_update_web_path(const char *rel, char *out, size_t n);

#endif
