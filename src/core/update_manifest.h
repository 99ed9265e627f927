/*
** update_manifest.h -- the update bundle's header, its signed manifest, the
** version numbers it compares, and the node's update record: pure parsers
** and writers, no I/O (the POSIX port and a firmware port share them).
**
** A bundle (`nodus release`, docs/updates.md) is one byte stream:
**
**   offset 0   "NDU1"                      magic and format version
**          4   u32 LE manifest length M    1..ND_UPD_MANIFEST_MAX
**          8   u16 LE signature length S   ND_UPD_SIG_MIN..ND_UPD_SIG_MAX
**         10   u16 LE 0                    reserved
**         12   8 bytes key id              first 8 bytes of SHA-256 of the
**                                          signer's public key (DER); a hint
**                                          for picking the key, not trusted
**         20   manifest (M bytes of text), then the signature (S bytes: DER
**              ECDSA P-256 over SHA-256 of the manifest bytes), then every
**              file's bytes in manifest order, nothing after the last one.
**
** The manifest is line-based ASCII so a microcontroller parses it without a
** JSON library, in a fixed order, every line ending in "\n":
**
**   nodus-bundle 1
**   name nodus
**   version 0.1.0-1                 X.Y.Z-N, each part a decimal < 2^32
**   arch x86_64                     or "any" (only without a binary)
**   board any                       or a board name (the node's `board`)
**   file modules/x.lua 120 <sha256 hex>
**   file nodus 1820592 <sha256 hex> the binary: the one path with no folder
**   file web/index.html 950 <sha256 hex>
**
** File lines are sorted by path (byte order, so no path repeats), at most
** ND_UPD_FILES_MAX; a path is "nodus", or web/... or modules/... with
** segments of [A-Za-z0-9._-] that do not start with a dot.
*/
#ifndef ND_UPDATE_MANIFEST_H
#define ND_UPDATE_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nodus/value.h" /* ND_OK, ND_E* */

#define ND_UPD_HEAD 20                  /* bundle header bytes */
#include "nodus/opts.h" /* the limits; a port may override them */
#define ND_UPD_SIG_MIN 8
#define ND_UPD_SIG_MAX 160              /* a DER P-256 signature is at most 72 */
#define ND_UPD_PATH_MAX 128             /* one file path, NUL included */
#define ND_UPD_DEPTH_MAX 8              /* path segments below web/ or modules/ */
#define ND_UPD_WORD_MAX 32              /* name, version, arch, board (NUL included) */
#define ND_UPD_BINARY "nodus"           /* the binary's path in a bundle and a slot */

typedef struct nd_upd_head {
    uint32_t mlen; /* manifest bytes */
    uint16_t slen; /* signature bytes */
    uint8_t keyid[8];
} nd_upd_head;

/* Parse the first ND_UPD_HEAD bytes. ND_OK, or ND_EINVAL with err set. */
int nd_upd_head_parse(const uint8_t *p, size_t n, nd_upd_head *h, char *err, size_t errn);
/* Write a header (release side). */
void nd_upd_head_write(uint8_t out[ND_UPD_HEAD], uint32_t mlen, uint16_t slen,
                       const uint8_t keyid[8]);

/* X.Y.Z-N as micrOS writes versions. */
typedef struct nd_upd_ver {
    uint32_t v[4];
} nd_upd_ver;
int nd_upd_ver_parse(const char *s, size_t n, nd_upd_ver *out); /* ND_OK / ND_EINVAL */
int nd_upd_ver_cmp(const nd_upd_ver *a, const nd_upd_ver *b);   /* <0, 0, >0 */

typedef struct nd_upd_file {
    char path[ND_UPD_PATH_MAX];
    uint64_t size;
    uint8_t sha[32];
    bool binary; /* path == "nodus" */
} nd_upd_file;

/* A parsed manifest. It keeps a pointer to the text (owned by the caller)
** instead of a table of files, so a microcontroller needs the text and one
** nd_upd_file, not ND_UPD_FILES_MAX of them; nd_upd_manifest_next walks
** the already checked file lines. */
typedef struct nd_upd_manifest {
    const char *text;
    size_t len;
    char name[ND_UPD_WORD_MAX], version[ND_UPD_WORD_MAX];
    char arch[ND_UPD_WORD_MAX], board[ND_UPD_WORD_MAX];
    nd_upd_ver ver;
    int nfiles;
    bool has_binary;
    uint64_t total; /* sum of the file sizes */
    size_t files_at; /* offset of the first file line */
} nd_upd_manifest;

/* Check the whole text and fill m. ND_OK, or ND_EINVAL with err naming the
** line ("manifest line 3: version 1.2 is not X.Y.Z-N"). */
int nd_upd_manifest_parse(const char *text, size_t len, nd_upd_manifest *m, char *err,
                          size_t errn);
/* The file line at *cursor (0 for the first); advances it. false at the end. */
bool nd_upd_manifest_next(const nd_upd_manifest *m, size_t *cursor, nd_upd_file *f);
/* Is p a path a bundle may carry (see above)? */
bool nd_upd_path_ok(const char *p, size_t n);

/* ---- the node's update record ------------------------------------------
** What survives a restart: the last update's state, kept by the port
** (nd_upd_record_read/write: a file on POSIX, a flash sector on a board).
** Text, one "key value" per line, unknown lines ignored. */
enum {
    ND_REC_IDLE = 0,       /* no update yet */
    ND_REC_TRIAL = 1,      /* slot runs on trial: confirm or roll back */
    ND_REC_CONFIRMED = 2,  /* slot passed its health check */
    ND_REC_ROLLEDBACK = 3, /* slot failed; prev is current again */
    ND_REC_FAILED = 4,     /* the update stopped before the switch (nothing changed) */
};
enum { ND_UPD_BASE = 0, ND_UPD_A = 1, ND_UPD_B = 2 }; /* slots; BASE: no slot */

#define ND_REC_ERR_MAX 240
typedef struct nd_upd_record {
    uint32_t seq;      /* id of the last update that reached the switch */
    int state;         /* ND_REC_* */
    int slot, prev;    /* slot on trial/installed, and the one to go back to */
    char version[ND_UPD_WORD_MAX], prev_version[ND_UPD_WORD_MAX];
    char base[ND_UPD_WORD_MAX]; /* version of the base binary the launcher last saw */
    uint32_t starts;   /* starts of the trial slot without a confirmation */
    int64_t since_ms;  /* wall clock when the trial began */
    uint32_t deadline_s;
    bool reported;     /* error already logged by a running node */
    char error[ND_REC_ERR_MAX];
} nd_upd_record;

#define ND_REC_TEXT_MAX 1024
/* A text that does not start with the record's first line gives ND_EINVAL
** and an idle record. */
int nd_upd_record_parse(const char *text, size_t len, nd_upd_record *r);
size_t nd_upd_record_format(const nd_upd_record *r, char *buf, size_t cap);
const char *nd_upd_state_name(int rec_state);
const char *nd_upd_slot_name(int slot); /* "base", "a", "b" */

#endif
