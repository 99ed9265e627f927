/*
** lmcache.c -- module state files in data/ (lmcache.h).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nodus/lmcache.h"
#include "nodus/port.h"

#include "nodus/opts.h" /* the limits; a port may override them */

static void path(char *out, size_t n, const char *module)
{
    snprintf(out, n, "data/%s.cache", module);
}

int nd_lm_cache_save(const char *module, const double *v, int n)
{
    char p[96], buf[ND_LMCACHE_MAX * 24];
    size_t len = 0;
    if (n > ND_LMCACHE_MAX) n = ND_LMCACHE_MAX;
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%.17g", i ? "," : "", v[i]);
    path(p, sizeof p, module);
    return nd_fs_write_atomic(p, buf, len);
}

int nd_lm_cache_load(const char *module, double *v, int n)
{
    char p[96], buf[ND_LMCACHE_MAX * 24 + 1];
    double tmp[ND_LMCACHE_MAX];
    size_t got;
    path(p, sizeof p, module);
    int rc = nd_fs_read(p, buf, sizeof buf, &got);
    if (rc == ND_ENOTFOUND) return 0;
    if (rc != ND_OK) return ND_ESYNTAX;
    int k = 0;
    for (char *s = buf; *s && k < n && k < ND_LMCACHE_MAX;) {
        char *e;
        tmp[k] = strtod(s, &e);
        if (e == s || (*e && *e != ',' && *e != '\n') || tmp[k] != tmp[k]) return ND_ESYNTAX;
        k++;
        s = *e == ',' ? e + 1 : e;
        if (*s == '\n') break;
    }
    memcpy(v, tmp, (size_t)k * sizeof *v);
    return k;
}
