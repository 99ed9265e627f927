/*
** dns.h -- DNS messages (RFC 1035) as mDNS uses them (RFC 6762): a bounded
** parser that never copies, and a builder with name compression.
**
** The parser checks a whole message before anyone looks at it: every name
** is walked once with its compression pointers, and a name is refused when
** it is longer than 255 bytes on the wire, has a label longer than 63, uses a
** reserved label type, or follows a pointer that does not point strictly
** backwards from where it was read (so a pointer chain always ends: no loops,
** at most len/2 hops). Records are kept as offsets into the caller's buffer;
** names are compared or turned into text on demand. Tables are fixed: a
** message with more questions or records than fit is parsed up to the limit
** and flagged `partial` (mDNS queries may carry long known-answer lists; we
** answer what we saw rather than nothing).
**
** Text form of names: labels joined by '.', no trailing dot. The builder
** takes names in that form and treats every '.' as a separator, so a label
** cannot contain a dot (ours never do: devfid allows A-Z a-z 0-9 _ -). The
** text formatter escapes '.', '\\' and unprintable bytes as \DDD, like dig.
*/
#ifndef ND_DNS_H
#define ND_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ND_DNS_NAME_WIRE_MAX 255 /* RFC 1035 2.3.4 */
#define ND_DNS_TEXT_MAX 1024     /* text of any valid name, escapes included, + NUL */
#include "nodus/opts.h" /* the limits; a port may override them */

enum { /* record types we use */
    ND_DNS_A = 1,
    ND_DNS_PTR = 12,
    ND_DNS_TXT = 16,
    ND_DNS_AAAA = 28,
    ND_DNS_SRV = 33,
    ND_DNS_NSEC = 47,
    ND_DNS_ANY = 255,
};
#define ND_DNS_IN 1
#define ND_DNS_CLASS_TOP 0x8000u /* cache-flush (records) / unicast-response (questions) */
#define ND_DNS_QR 0x8000u        /* header flag: a response */
#define ND_DNS_AA 0x0400u        /* header flag: authoritative */
#define ND_DNS_TC 0x0200u        /* header flag: truncated / more known answers follow */

typedef struct nd_dns_rr {
    uint16_t name;  /* offset of the owner name in the message */
    uint16_t type;
    uint16_t cls;   /* class without the top bit */
    bool top;       /* the class's top bit (cache-flush or QU) */
    uint32_t ttl;   /* records only */
    uint16_t rdata; /* records only: offset and length of the data */
    uint16_t rdlen;
} nd_dns_rr;

typedef struct nd_dns_msg {
    const uint8_t *p; /* the message (caller's buffer, must outlive this) */
    size_t n;
    uint16_t id, flags;
    uint16_t qdcount, ancount, nscount, arcount; /* as the header says */
    nd_dns_rr q[ND_DNS_Q_MAX];
    int nq;
    nd_dns_rr rr[ND_DNS_RR_MAX]; /* answers, then authority, then additional */
    int nan, nns, nar;           /* how many of each were kept */
    bool partial;                /* more was there than the tables hold */
} nd_dns_msg;

/* Parse and validate. ND_OK, or ND_ESYNTAX for a malformed message (short,
** bad name, record running past the end) -- nothing of it may be used then. */
int nd_dns_parse(const uint8_t *p, size_t n, nd_dns_msg *m);

/* Walk the name at off: *end gets the offset just past it where it was read
** (not where pointers led). Returns the wire length (1..255) or ND_ESYNTAX. */
int nd_dns_name_walk(const uint8_t *p, size_t n, size_t off, size_t *end);
/* Text of the name at off (see above); length, or ND_ESYNTAX / ND_ELIMIT. */
int nd_dns_name_text(const uint8_t *p, size_t n, size_t off, char *out, size_t cap);
/* Does the name at off equal `dotted`? ASCII case-insensitive (RFC 6762 16). */
bool nd_dns_name_eq(const uint8_t *p, size_t n, size_t off, const char *dotted);
/* Compare two names inside messages, case-insensitively. */
bool nd_dns_names_eq(const uint8_t *p1, size_t n1, size_t o1, const uint8_t *p2, size_t n2,
                     size_t o2);

/* ---- builder ------------------------------------------------------------
** Writes into a caller buffer. Running out of room inside a record rolls the
** whole record back and sets `full`: the message stays well formed with the
** records that fitted. Other misuse (a name too long, a label over 63) sets
** `err`; such a message must not be sent. */
enum { ND_DNS_SEC_QD, ND_DNS_SEC_AN, ND_DNS_SEC_NS, ND_DNS_SEC_AR };
typedef struct nd_dns_w {
    uint8_t *p;
    size_t cap, len;
    uint16_t count[4];          /* per section */
    uint16_t zoff[ND_DNS_Z_MAX]; /* offsets of names (and suffixes) already written */
    int nz;
    size_t mark, rdlen_at;      /* record being written: where it began, its RDLENGTH */
    int mark_nz, sec;
    bool full, err;
} nd_dns_w;

void nd_dns_w_init(nd_dns_w *w, uint8_t *buf, size_t cap, uint16_t id, uint16_t flags);
/* A name, compressed against what was written before unless raw. */
void nd_dns_w_name(nd_dns_w *w, const char *dotted, bool raw);
void nd_dns_w_u8(nd_dns_w *w, uint8_t v);
void nd_dns_w_u16(nd_dns_w *w, uint16_t v);
void nd_dns_w_u32(nd_dns_w *w, uint32_t v);
void nd_dns_w_bytes(nd_dns_w *w, const void *b, size_t n);
void nd_dns_w_question(nd_dns_w *w, const char *name, uint16_t type, uint16_t cls);
/* A record: begin (owner, type, class incl. top bit, ttl), write the rdata
** with the writers above, end (fills RDLENGTH, counts it in sec). */
void nd_dns_w_rr_begin(nd_dns_w *w, int sec, const char *name, uint16_t type, uint16_t cls,
                       uint32_t ttl);
void nd_dns_w_rr_end(nd_dns_w *w);
/* Patch the header counts; the message length, or 0 after err. */
size_t nd_dns_w_finish(nd_dns_w *w);

#endif
