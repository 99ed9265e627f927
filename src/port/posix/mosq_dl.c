/*
** mosq_dl.c -- libmosquitto, dlopen()ed once (mosq_dl.h).
*/
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <threads.h>

#include "mosq_dl.h"

static nd_mosq_api api;
static bool loaded;
static char err[160];
static once_flag once = ONCE_FLAG_INIT;

/* Leaves the handle open on a missing symbol: the process will not try
** again, and closing a library OpenSSL has initialised is not safe. */
static void load(void)
{
    void *h = dlopen("libmosquitto.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        snprintf(err, sizeof err, "cannot load libmosquitto.so.1 (apt install libmosquitto1)");
        return;
    }
#define ND_MOSQ_LOAD(f) \
    if (!(*(void **)&api.f = dlsym(h, #f))) { \
        snprintf(err, sizeof err, "libmosquitto has no %s", #f); \
        return; \
    }
    ND_MOSQ_FUNCS(ND_MOSQ_LOAD)
#undef ND_MOSQ_LOAD
    loaded = true;
}

const nd_mosq_api *nd_mosq_load(const char **why)
{
    call_once(&once, load);
    return nd_mosq_peek(why);
}

const nd_mosq_api *nd_mosq_peek(const char **why)
{
    /* only the thread that ran load() or one after call_once reads these */
    if (why) *why = err[0] ? err : NULL;
    return loaded ? &api : NULL;
}
