/*
** safepath.h -- path confinement for the file endpoints of the web door
** (webfs.c, webfile.c): a client's relative path is normalised as text,
** before any file call, so no name it sends can reach outside its root.
** Symbolic links inside the root are the port's business (fs.c).
*/
#ifndef ND_SAFEPATH_H
#define ND_SAFEPATH_H

#include <stddef.h>

#include "nodus/value.h"

/* Normalise a relative file path for the file endpoints: removes "." and
** empty segments, refuses ".." that would leave the root, absolute paths,
** NUL and control bytes, and names with characters outside
** [A-Za-z0-9._-] in any segment. ND_EINVAL when refused, ND_ELIMIT when
** the result does not fit cap. "", "." or "a/.." give ND_OK with out ""
** (the root itself): callers that need a file name check out[0]. */
int nd_http_safe_path(const char *in, char *out, size_t cap);

#endif
