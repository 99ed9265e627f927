/*
** cfg_apply.c -- the effects of a committed config change (cfg_apply.h).
**
** One place maps the schema's effect flags to the code that applies them, so
** the list of "keys that reload the scheduler" is the schema itself and not
** a copy in each writer.
*/
#include <stdbool.h>

#include "auth.h"
#include "cfg_apply.h"
#include "events.h"
#include "mdns.h"
#include "node_int.h"
#include "sched.h"

void nd_config_changed(struct nd_node *n, const nd_key *keys, int nkeys)
{
    const char *names[ND_K_COUNT];
    bool seen[ND_K_COUNT] = {false};
    int nn = 0, fx = 0;
    for (int i = 0; i < nkeys; i++) {
        nd_key k = keys[i];
        if ((unsigned)k >= ND_K_COUNT || seen[k]) continue;
        seen[k] = true;
        names[nn++] = nd_key_name(k);
        fx |= nd_cfg_schema_at(k)->flags;
    }
    if (!nn) return;
    if (seen[ND_K_appwd]) nd_auth_secret_sync(n); /* the salted verifier follows the password */
    if (fx & ND_CFG_FX_SCHED) nd_sched_reload(n);
    if (ND_WITH_MDNS && (fx & ND_CFG_FX_MDNS)) nd_mdns_config_changed(n);
    nd_emit_config(n, names, nn);
}
