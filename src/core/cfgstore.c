/*
** cfgstore.c -- two-copy, sequence-numbered, CRC-checked config in flash
** (layout and guarantees in cfgstore.h).
*/
#include "cfgstore.h"

#include <string.h>

#include "nodus/value.h"

uint32_t nd_crc32(uint32_t crc, const void *p, size_t n)
{
    /* bitwise: a config is saved rarely; a 1 KB table is flash we keep */
    const uint8_t *b = p;
    crc = ~crc;
    while (n--) {
        crc ^= *b++;
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* The CRC of a copy covers its seq and len, then the data. */
static uint32_t crc_head(uint32_t seq, uint32_t len)
{
    uint8_t sl[8];
    put32(sl, seq);
    put32(sl + 4, len);
    return nd_crc32(0, sl, 8);
}

typedef struct {
    int state; /* 0 = no magic (erased or a save cut short), 1 = magic present */
    uint32_t seq, len, crc;
} hdr;

static void read_hdr(const nd_cfgstore_dev *d, int copy, hdr *h)
{
    uint8_t b[ND_CFGSTORE_HDR];
    memset(h, 0, sizeof *h);
    if (d->read(d->ctx, copy, 0, b, sizeof b) != 0) return;
    if (get32(b + 12) != ND_CFGSTORE_MAGIC) return;
    h->state = 1;
    h->seq = get32(b);
    h->len = get32(b + 4);
    h->crc = get32(b + 8);
}

/* Read copy's data into buf and check it; 0 when valid. */
static int check(const nd_cfgstore_dev *d, int copy, const hdr *h, uint8_t *buf, size_t cap)
{
    if (h->len > d->size - ND_CFGSTORE_HDR) return ND_EIO;
    if (h->len > cap) return ND_ELIMIT;
    if (h->len && d->read(d->ctx, copy, ND_CFGSTORE_HDR, buf, h->len) != 0) return ND_EIO;
    uint32_t c = nd_crc32(crc_head(h->seq, h->len), buf, h->len);
    return c == h->crc ? 0 : ND_EIO;
}

static int newer(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }

/* Which copy holds the newest valid config: 0/1, or a negative code. */
static int pick(const nd_cfgstore_dev *d, uint8_t *buf, size_t cap, hdr *out)
{
    hdr h[2];
    read_hdr(d, 0, &h[0]);
    read_hdr(d, 1, &h[1]);
    int first = (h[0].state && h[1].state) ? (newer(h[1].seq, h[0].seq) ? 1 : 0)
                                           : (h[1].state ? 1 : 0);
    int rc = ND_ENOTFOUND;
    for (int i = 0; i < 2; i++) {
        int c = i ? !first : first;
        if (!h[c].state) continue;
        int r = check(d, c, &h[c], buf, cap);
        if (r == 0) {
            *out = h[c];
            return c;
        }
        if (rc != ND_ELIMIT) rc = r; /* corrupt (ND_EIO) unless the other one is too big */
    }
    return rc;
}

int nd_cfgstore_load(const nd_cfgstore_dev *d, void *buf, size_t cap, size_t *n, uint32_t *seq)
{
    hdr h;
    int c = pick(d, buf, cap, &h);
    if (c < 0) return c;
    if (h.len < cap) ((uint8_t *)buf)[h.len] = 0;
    if (n) *n = h.len;
    if (seq) *seq = h.seq;
    return ND_OK;
}

int nd_cfgstore_save(const nd_cfgstore_dev *d, const void *data, size_t n)
{
    if (n > d->size - ND_CFGSTORE_HDR) return ND_ELIMIT;
    /* the copy to keep: the newest valid one, found by reading headers and
    ** checking CRCs in place, chunk by chunk (no buffer of the config's size) */
    hdr h[2];
    int keep = -1;
    read_hdr(d, 0, &h[0]);
    read_hdr(d, 1, &h[1]);
    for (int c = 0; c < 2; c++) {
        if (!h[c].state || h[c].len > d->size - ND_CFGSTORE_HDR) continue;
        uint8_t chunk[64];
        uint32_t crc = crc_head(h[c].seq, h[c].len);
        int ok = 1;
        for (uint32_t off = 0; off < h[c].len && ok; off += sizeof chunk) {
            uint32_t k = h[c].len - off < sizeof chunk ? h[c].len - off : (uint32_t)sizeof chunk;
            if (d->read(d->ctx, c, ND_CFGSTORE_HDR + off, chunk, k) != 0) ok = 0;
            else crc = nd_crc32(crc, chunk, k);
        }
        if (!ok || crc != h[c].crc) continue;
        if (keep < 0 || newer(h[c].seq, h[keep].seq)) keep = c;
    }
    int target = keep == 0 ? 1 : 0;
    uint32_t seq = keep < 0 ? 1 : h[keep].seq + 1;
    if (d->erase(d->ctx, target) != 0) return ND_EIO;
    if (n && d->prog(d->ctx, target, ND_CFGSTORE_HDR, data, (uint32_t)n) != 0) return ND_EIO;
    uint8_t b[ND_CFGSTORE_HDR];
    put32(b, seq);
    put32(b + 4, (uint32_t)n);
    put32(b + 8, nd_crc32(crc_head(seq, (uint32_t)n), data, n));
    put32(b + 12, ND_CFGSTORE_MAGIC);
    /* seq/len/crc first, the magic last: the commit point of the save */
    if (d->prog(d->ctx, target, 0, b, 12) != 0) return ND_EIO;
    if (d->prog(d->ctx, target, 12, b + 12, 4) != 0) return ND_EIO;
    return ND_OK;
}
