/* mqtt_tls.h -- OpenSSL context for the MQTT port (see mqtt_tls.c). */
#ifndef ND_MQTT_TLS_H
#define ND_MQTT_TLS_H
#include <stddef.h>
/* An SSL_CTX that trusts ca_file (NULL: the system store) and accepts only
** a certificate naming `name` (host name or IPv4 address); NULL + why. */
void *nd_mqtt_tls_ctx(const char *ca_file, const char *name, char *why, size_t whyn);
void nd_mqtt_tls_free(void *ctx);
#endif
