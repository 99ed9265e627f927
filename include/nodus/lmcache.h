/*
** lmcache.h -- a device module's state across restarts, micrOS style.
**
** micrOS modules keep their state machine (colour, on/off, brightness) in a
** small file and restore it in load(); nodus keeps it in
** data/<module>.cache as comma-separated numbers ("10,20,30,1"), replaced
** atomically on every change so a power cut leaves the old or the new state,
** never half a file.
*/
#ifndef NODUS_LMCACHE_H
#define NODUS_LMCACHE_H

/* Write n values. ND_OK or the storage error. */
int nd_lm_cache_save(const char *module, const double *v, int n);
/* Read up to n values into v; returns how many were read (0 when there is
** no cache), or ND_ESYNTAX for a damaged file (v untouched). */
int nd_lm_cache_load(const char *module, double *v, int n);

#endif
