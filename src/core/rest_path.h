/*
** rest_path.h -- micrOS's REST path tokeniser: the WebCli door's /rest/...
** URL becomes the command line that any other door would send. Pure code:
** no I/O, no allocation beyond the caller's buffer.
*/
#ifndef ND_REST_PATH_H
#define ND_REST_PATH_H

#include <stddef.h>

#include "cmd.h"
#include "nodus/value.h"

/* micrOS REST path -> a command line (docs/micros-compat.md §4.3): the part after
** "/rest/" with micrOS's escapes decoded (%22 %E2%80%9C %E2%80%9D -> ",
** %27 ' %23 # %3D = %3E > %26 & %2F / %5C \ %20 space %3F ? %25 %, and
** any other valid %XX too), text inside double quotes kept as one token with
** its quotes, a quoted value directly after a token ending in '=' appended
** to it, '/' outside quotes a separator. Unlike micrOS, '-' is NOT a
** separator (so -5 stays -5; docs/micros-compat.md §13 explains why no client
** cares). Only a raw '/' separates: an escaped %2F is data. Tokens are
** joined with single spaces into out. Errors: ND_ESYNTAX (bad escape, %00
** or NUL, unbalanced quote), ND_ELIMIT (too long); out is "" and err (may
** be NULL) says what and where. */
int nd_rest_tokenize(nd_span path, char *out, size_t cap, size_t *outn, char *err, size_t errn);

#endif
