/*
** cfg_apply.h -- what a config change does to the running node.
**
** Every writer of the node's configuration at run time (conf mode, POST
** /config) calls nd_config_changed once per committed batch. It applies the
** effects the schema gives the changed keys (cfg_keys.def: ND_CFG_FX_*), each
** once however many keys ask for it, then emits the one config event. Keys
** without an effect flag need nothing: their readers read them every time;
** ND_CFG_REBOOT keys wait for the next start. --set at start needs no call:
** nothing runs yet.
*/
#ifndef ND_CFG_APPLY_H
#define ND_CFG_APPLY_H

#include "cfg.h"

struct nd_node;

/* keys: the keys whose new values were committed, in the order they were
** set (repeats are named once in the event). */
void nd_config_changed(struct nd_node *n, const nd_key *keys, int nkeys);

#endif
