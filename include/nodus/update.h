/*
** update.h -- the `system` module's update functions (README "Updates"):
** the module lists them; src/core/update_lm.c implements them over the
** core's update machine.
**
**   system update url='http://host:port/x.ndu' [force=False] [timeout=15]
**   system update file='user_data/x.ndu' [force=False]
**   system update_status
**   system update_rollback
*/
#ifndef NODUS_UPDATE_H
#define NODUS_UPDATE_H

#include "nodus/module.h"

int nd_update_lm_update(nd_call *c);
int nd_update_lm_status(nd_call *c);
int nd_update_lm_rollback(nd_call *c);

#define ND_UPDATE_PARAMS "url=None file=None force=False timeout=15"

#endif
