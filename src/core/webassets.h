/*
** webassets.h -- the web UI files, embedded in the binary at build time.
**
** CMake turns every file under web/ into a byte array (cmake/embed.cmake)
** and a table sorted by path, so a node serves its dashboard with no files
** on disk. A user's own files in <state>/web/ take precedence (the door
** looks there first).
*/
#ifndef ND_WEBASSETS_H
#define ND_WEBASSETS_H

#include <stddef.h>

typedef struct nd_webasset {
    const char *path;          /* relative to web/, e.g. "index.html", "js/widgets.js" */
    const unsigned char *data; /* the file's bytes (not NUL-terminated) */
    size_t len;
} nd_webasset;

extern const nd_webasset nd_webassets[]; /* sorted by path */
extern const size_t nd_webassets_count;

/* The asset at path (no leading '/'), or NULL. Binary search. */
const nd_webasset *nd_webasset_find(const char *path, size_t n);

#endif
