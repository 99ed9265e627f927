/*
** cli_fleet.h -- finding nodes and watching a fleet: `nodus search`,
** `nodus status`, and the device cache that lets `nodus exec NAME` work.
**
** The cache is micrOS's device_conn_cache.json (docs/micros-compat.md §10.4), so
** micrOS's devToolKit and nodus share one list of devices:
**   {"<uid>": ["<ip>", <port>, "<fuid>"], ...}
** with micrOS's two placeholder entries __devuid__ and __localhost__. It
** lives in $NODUS_DEVICE_CACHE, else $XDG_STATE_HOME/nodus/, else
** ~/.local/state/nodus/device_conn_cache.json.
*/
#ifndef ND_CLI_FLEET_H
#define ND_CLI_FLEET_H

#include <stdbool.h>
#include <stddef.h>

int nd_cli_search(int argc, char **argv); /* argv[0] == "search" */
int nd_cli_status(int argc, char **argv); /* argv[0] == "status" */

/* Turn a device name into an address before dialing: a bare NAME is looked
** up in the cache (by fuid, then uid); NAME.local is asked over mDNS (then
** the cache by its first label). On success host becomes the IP (and port
** the cached port unless the user gave one) and 0 is returned; -1 leaves
** both alone for the system resolver. */
int nd_cli_resolve_name(char *host, size_t hostn, int *port, bool port_given);

/* The cached nodes (micrOS's placeholder entries left out), for other
** fleet commands (`nodus update --all`): count written, at most max. */
typedef struct nd_cli_dev {
    char uid[64], fuid[64], ip[64];
    int port;
} nd_cli_dev;
int nd_cli_cache_devices(nd_cli_dev *out, int max);

#endif
