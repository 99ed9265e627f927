/*
** mqtt_tls.c -- the OpenSSL context of the MQTT port (mqtt_posix.c).
**
** In its own directory and object library (CMakeLists.txt): OpenSSL's
** headers include <sched.h>, which the core's src/core/sched.h would shadow
** on the node's include path, so this file builds without that path.
**
** Why our own SSL_CTX: libmosquitto checks the broker's certificate against
** the host it connects to, and the node connects to the address it
** resolved itself (never a blocking lookup inside libmosquitto). The
** certificate must name the host the user configured, so the check is set
** here, on the context, against that name.
**
** OpenSSL is not linked: libmosquitto (dlopen()ed by mqtt_posix.c) brought
** libssl and libcrypto in, and their functions are looked up there, so a
** node without MQTT never maps them.
*/
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdbool.h>
#include <stdio.h>

#include "mqtt_tls.h"

#define ND_SSL_FUNCS(X) \
    X(TLS_client_method) \
    X(SSL_CTX_new) \
    X(SSL_CTX_free) \
    X(SSL_CTX_ctrl) \
    X(SSL_CTX_set_verify) \
    X(SSL_CTX_load_verify_locations) \
    X(SSL_CTX_set_default_verify_paths) \
    X(SSL_CTX_get0_param)
#define ND_CRYPTO_FUNCS(X) \
    X(X509_VERIFY_PARAM_set1_host) \
    X(X509_VERIFY_PARAM_set1_ip_asc)
#define ND_DECL(f) __typeof__(&f) f;
static struct {
    ND_SSL_FUNCS(ND_DECL)
    ND_CRYPTO_FUNCS(ND_DECL)
} o;
#undef ND_DECL
static int state; /* 0 not tried, 1 loaded, -1 failed */

#define ND_STR_(x) #x
#define ND_STR(x) ND_STR_(x)

static bool load(void)
{
    if (state) return state > 0;
    state = -1;
    /* the sonames of the OpenSSL the headers are from */
    void *ssl = dlopen("libssl.so." ND_STR(OPENSSL_VERSION_MAJOR), RTLD_NOW | RTLD_LOCAL);
    void *crypto = dlopen("libcrypto.so." ND_STR(OPENSSL_VERSION_MAJOR), RTLD_NOW | RTLD_LOCAL);
    if (!ssl || !crypto) return false;
#define ND_LOAD_SSL(f) if (!(*(void **)&o.f = dlsym(ssl, #f))) return false;
#define ND_LOAD_CRYPTO(f) if (!(*(void **)&o.f = dlsym(crypto, #f))) return false;
    ND_SSL_FUNCS(ND_LOAD_SSL)
    ND_CRYPTO_FUNCS(ND_LOAD_CRYPTO)
    state = 1;
    return true;
}

void *nd_mqtt_tls_ctx(const char *ca_file, const char *name, char *why, size_t whyn)
{
    if (!load()) {
        snprintf(why, whyn, "TLS: cannot load libssl.so." ND_STR(OPENSSL_VERSION_MAJOR));
        return NULL;
    }
    SSL_CTX *ctx = o.SSL_CTX_new(o.TLS_client_method());
    if (!ctx) {
        snprintf(why, whyn, "TLS: no context");
        return NULL;
    }
    o.SSL_CTX_ctrl(ctx, SSL_CTRL_SET_MIN_PROTO_VERSION, TLS1_2_VERSION, NULL);
    o.SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    int ok = ca_file && *ca_file ? o.SSL_CTX_load_verify_locations(ctx, ca_file, NULL)
                                 : o.SSL_CTX_set_default_verify_paths(ctx);
    if (ok != 1) {
        snprintf(why, whyn, "TLS: cannot load CA file %s", ca_file ? ca_file : "(system)");
        o.SSL_CTX_free(ctx);
        return NULL;
    }
    X509_VERIFY_PARAM *p = o.SSL_CTX_get0_param(ctx);
    struct in_addr a;
    if (inet_pton(AF_INET, name, &a) == 1) o.X509_VERIFY_PARAM_set1_ip_asc(p, name);
    else o.X509_VERIFY_PARAM_set1_host(p, name, 0);
    return ctx;
}

void nd_mqtt_tls_free(void *ctx)
{
    if (ctx && state > 0) o.SSL_CTX_free(ctx);
}
