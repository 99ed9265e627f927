/*
** update_fetch.h -- update bundles are fetched with the node's one HTTP
** client (http_client.h); this name stays for the code that includes it.
*/
#ifndef ND_UPDATE_FETCH_H
#define ND_UPDATE_FETCH_H

#include "http_client.h"

#endif
