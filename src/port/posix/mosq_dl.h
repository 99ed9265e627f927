/*
** mosq_dl.h -- libmosquitto, dlopen()ed once for the whole process.
**
** Two users: the node's MQTT port for TLS sessions (mqtt_posix.c, driving
** libmosquitto from the node's poll() loop) and `nodus gateway`
** (src/cli/gateway_fleet.c, running libmosquitto's own network thread).
** Linking the library instead would map it, libssl and libcrypto into every
** node process at start -- about 2 MB of resident memory (relocations,
** OpenSSL's constructors) that a node without MQTT over TLS never uses, and
** the gateway lives in the same binary.
**
** The table holds the union of the functions both users call, each typed
** from <mosquitto.h>, so a call through it is checked like a direct one.
** Loading does not call mosquitto_lib_init: each user pairs it with its own
** mosquitto_lib_cleanup (or never cleans up), as before.
*/
#ifndef ND_MOSQ_DL_H
#define ND_MOSQ_DL_H

#include <mosquitto.h>

/* Adding a function a user needs is adding a line here. */
#define ND_MOSQ_FUNCS(X) \
    X(mosquitto_connack_string) \
    X(mosquitto_connect_async) \
    X(mosquitto_connect_callback_set) \
    X(mosquitto_destroy) \
    X(mosquitto_disconnect) \
    X(mosquitto_disconnect_callback_set) \
    X(mosquitto_int_option) \
    X(mosquitto_lib_cleanup) \
    X(mosquitto_lib_init) \
    X(mosquitto_lib_version) \
    X(mosquitto_loop_misc) \
    X(mosquitto_loop_read) \
    X(mosquitto_loop_start) \
    X(mosquitto_loop_stop) \
    X(mosquitto_loop_write) \
    X(mosquitto_message_callback_set) \
    X(mosquitto_new) \
    X(mosquitto_publish) \
    X(mosquitto_publish_callback_set) \
    X(mosquitto_reconnect_delay_set) \
    X(mosquitto_socket) \
    X(mosquitto_strerror) \
    X(mosquitto_subscribe) \
    X(mosquitto_unsubscribe) \
    X(mosquitto_username_pw_set) \
    X(mosquitto_void_option) \
    X(mosquitto_want_write) \
    X(mosquitto_will_set) \
    /* end */

#define ND_MOSQ_DECL(f) __typeof__(&f) f;
typedef struct nd_mosq_api {
    ND_MOSQ_FUNCS(ND_MOSQ_DECL)
} nd_mosq_api;
#undef ND_MOSQ_DECL

/* The functions, loading libmosquitto.so.1 on the first call (any thread).
** NULL when it cannot: *why (if why) then says what is missing, e.g.
** "cannot load libmosquitto.so.1 (apt install libmosquitto1)" -- the same
** answer on every later call, the load is not retried. */
const nd_mosq_api *nd_mosq_load(const char **why);

/* Like nd_mosq_load but never loads: NULL with *why NULL while nobody has
** asked for the library yet. For status texts, which must not cost a node
** the megabytes the library brings in. It reads without a lock: call it
** from the thread that loads (the node's loop). */
const nd_mosq_api *nd_mosq_peek(const char **why);

#endif
