/*
** cli_update.h -- the host side of signed updates (README "Updates"):
**
**   nodus release --genkey DIR
**       a new signing key: DIR/update.key (private, PEM, mode 0600: keep it
**       off the nodes) and DIR/update.pub (what a node trusts, in
**       <state>/config/update.pub)
**   nodus release --key KEY --version X.Y.Z-N [--board B] [--arch A]
**                 [--binary FILE] [--web DIR] [--modules DIR] -o OUT.ndu
**       a signed bundle (format: src/core/update_manifest.h, docs/updates.md)
**   nodus update --url URL (--all | NAME ...) [--canary N] [--force]
**                [--pwd P] [--timeout S]
**       a fleet rollout over the device cache: N canary nodes first, the
**       rest only once every canary confirmed the new version
**
** Exit codes: 0 done, 1 usage or local error (a bad key, an unreadable
** file), 2 a node could not be reached, 4 the rollout stopped (a node
** refused, failed or rolled back the update).
*/
#ifndef ND_CLI_UPDATE_H
#define ND_CLI_UPDATE_H

int nd_cli_release(int argc, char **argv); /* argv[0] == "release" */
int nd_cli_update(int argc, char **argv);  /* argv[0] == "update" */

#endif
