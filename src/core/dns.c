/*
** dns.c -- DNS message parser and builder (dns.h).
**
** The one piece of logic shared by every name operation is nd_dns_label():
** step to the next label of a name, following compression pointers under
** the rule that makes loops impossible -- a pointer must point to an offset
** strictly lower than the one it was read at. Offsets fall with each hop,
** so a walk ends after at most n/2 hops whatever the input.
*/
#include <stdio.h>
#include <string.h>

#include "dns.h"
#include "nodus/value.h"
#include "text.h"

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Cursor over the labels of one name. */
typedef struct {
    const uint8_t *p;
    size_t n;
    size_t pos;   /* offset of the next length byte */
    size_t end;   /* offset just past the name where it was first read; 0 until known */
    size_t wire;  /* bytes of the name so far (labels + length bytes + final 0) */
} lab_cur;

/* Next label: 1 with lab and len set, 0 at the root (end of name), or
** ND_ESYNTAX. */
static int nd_dns_label(lab_cur *c, const uint8_t **lab, size_t *len)
{
    for (;;) {
        if (c->pos >= c->n) return ND_ESYNTAX;
        uint8_t b = c->p[c->pos];
        if ((b & 0xc0) == 0xc0) {
            if (c->pos + 1 >= c->n) return ND_ESYNTAX;
            size_t to = (size_t)(b & 0x3f) << 8 | c->p[c->pos + 1];
            if (!c->end) c->end = c->pos + 2;
            if (to >= c->pos) return ND_ESYNTAX; /* forward or self: could loop */
            c->pos = to;
            continue;
        }
        if (b & 0xc0) return ND_ESYNTAX; /* 0x40/0x80: extended label types, refused */
        c->wire += 1u + b;
        if (c->wire > ND_DNS_NAME_WIRE_MAX) return ND_ESYNTAX;
        if (b == 0) {
            if (!c->end) c->end = c->pos + 1;
            return 0;
        }
        if (c->pos + 1 + b > c->n) return ND_ESYNTAX;
        *lab = c->p + c->pos + 1;
        *len = b;
        c->pos += 1u + b;
        return 1;
    }
}

static void cur_init(lab_cur *c, const uint8_t *p, size_t n, size_t off)
{
    c->p = p;
    c->n = n;
    c->pos = off;
    c->end = 0;
    c->wire = 0;
}

int nd_dns_name_walk(const uint8_t *p, size_t n, size_t off, size_t *end)
{
    lab_cur c;
    cur_init(&c, p, n, off);
    const uint8_t *lab;
    size_t len;
    int r;
    while ((r = nd_dns_label(&c, &lab, &len)) == 1) {
    }
    if (r < 0) return r;
    if (end) *end = c.end;
    return (int)c.wire;
}

int nd_dns_name_text(const uint8_t *p, size_t n, size_t off, char *out, size_t cap)
{
    lab_cur c;
    cur_init(&c, p, n, off);
    const uint8_t *lab;
    size_t len, o = 0;
    int r;
    if (cap == 0) return ND_ELIMIT;
    while ((r = nd_dns_label(&c, &lab, &len)) == 1) {
        if (o && o + 1 < cap) out[o++] = '.';
        for (size_t i = 0; i < len; i++) {
            unsigned char ch = lab[i];
            char tmp[5];
            size_t k;
            if (ch == '.' || ch == '\\') {
                tmp[0] = '\\';
                tmp[1] = (char)ch;
                k = 2;
            } else if (ch < 0x21 || ch > 0x7e) {
                snprintf(tmp, sizeof tmp, "\\%03u", ch);
                k = 4;
            } else {
                tmp[0] = (char)ch;
                k = 1;
            }
            if (o + k >= cap) return ND_ELIMIT;
            memcpy(out + o, tmp, k);
            o += k;
        }
    }
    if (r < 0) return r;
    out[o] = 0;
    return (int)o;
}

bool nd_dns_name_eq(const uint8_t *p, size_t n, size_t off, const char *dotted)
{
    lab_cur c;
    cur_init(&c, p, n, off);
    const uint8_t *lab;
    size_t len;
    const char *s = dotted;
    int r;
    while ((r = nd_dns_label(&c, &lab, &len)) == 1) {
        const char *dot = strchr(s, '.');
        size_t sl = dot ? (size_t)(dot - s) : strlen(s);
        if (sl != len || sl == 0) return false;
        for (size_t i = 0; i < len; i++)
            if (nd_ascii_lower(lab[i]) != nd_ascii_lower((unsigned char)s[i])) return false;
        s += sl;
        if (*s == '.') s++;
        else if (!*s) s = NULL;
        if (!s) break;
    }
    if (r < 0) return false;
    if (s) return *s == 0 && r == 0; /* name ended: dotted must have ended too */
    return nd_dns_label(&c, &lab, &len) == 0;  /* dotted ended: name must end too */
}

bool nd_dns_names_eq(const uint8_t *p1, size_t n1, size_t o1, const uint8_t *p2, size_t n2,
                     size_t o2)
{
    lab_cur a, b;
    cur_init(&a, p1, n1, o1);
    cur_init(&b, p2, n2, o2);
    for (;;) {
        const uint8_t *la = NULL, *lb = NULL;
        size_t na = 0, nb = 0;
        int ra = nd_dns_label(&a, &la, &na), rb = nd_dns_label(&b, &lb, &nb);
        if (ra < 0 || rb < 0 || ra != rb) return false;
        if (ra == 0) return true;
        if (na != nb) return false;
        for (size_t i = 0; i < na; i++)
            if (nd_ascii_lower(la[i]) != nd_ascii_lower(lb[i])) return false;
    }
}

/* ---- parser ------------------------------------------------------------ */
static int parse_entry(nd_dns_msg *m, size_t *off, nd_dns_rr *rr, bool question)
{
    size_t end;
    if (nd_dns_name_walk(m->p, m->n, *off, &end) < 0) return ND_ESYNTAX;
    if (*off > 0xffff) return ND_ESYNTAX;
    rr->name = (uint16_t)*off;
    size_t fixed = question ? 4 : 10;
    if (end + fixed > m->n) return ND_ESYNTAX;
    const uint8_t *q = m->p + end;
    rr->type = rd16(q);
    uint16_t cls = rd16(q + 2);
    rr->cls = cls & 0x7fff;
    rr->top = (cls & ND_DNS_CLASS_TOP) != 0;
    rr->ttl = 0;
    rr->rdata = 0;
    rr->rdlen = 0;
    if (question) {
        *off = end + 4;
        return ND_OK;
    }
    rr->ttl = rd32(q + 4);
    rr->rdlen = rd16(q + 8);
    rr->rdata = (uint16_t)(end + 10);
    if (end + 10 + rr->rdlen > m->n) return ND_ESYNTAX;
    /* names inside the data of the types we read must be sound too, so no
    ** consumer ever meets a bad one */
    size_t rd = end + 10, rend = rd + rr->rdlen, nend;
    if (rr->type == ND_DNS_PTR) {
        if (nd_dns_name_walk(m->p, rend, rd, &nend) < 0 || nend != rend) return ND_ESYNTAX;
    } else if (rr->type == ND_DNS_SRV) {
        if (rr->rdlen < 7 || nd_dns_name_walk(m->p, rend, rd + 6, &nend) < 0 || nend != rend)
            return ND_ESYNTAX;
    } else if (rr->type == ND_DNS_A && rr->rdlen != 4) {
        return ND_ESYNTAX;
    } else if (rr->type == ND_DNS_AAAA && rr->rdlen != 16) {
        return ND_ESYNTAX;
    }
    *off = rend;
    return ND_OK;
}

int nd_dns_parse(const uint8_t *p, size_t n, nd_dns_msg *m)
{
    memset(m, 0, sizeof *m);
    if (n < 12 || n > 0xffff) return ND_ESYNTAX;
    m->p = p;
    m->n = n;
    m->id = rd16(p);
    m->flags = rd16(p + 2);
    m->qdcount = rd16(p + 4);
    m->ancount = rd16(p + 6);
    m->nscount = rd16(p + 8);
    m->arcount = rd16(p + 10);
    size_t off = 12;
    for (unsigned i = 0; i < m->qdcount; i++) {
        nd_dns_rr tmp, *rr = m->nq < ND_DNS_Q_MAX ? &m->q[m->nq] : &tmp;
        if (parse_entry(m, &off, rr, true) != ND_OK) return ND_ESYNTAX;
        if (rr == &tmp) m->partial = true;
        else m->nq++;
    }
    const uint16_t counts[3] = {m->ancount, m->nscount, m->arcount};
    int *kept[3] = {&m->nan, &m->nns, &m->nar};
    for (int s = 0; s < 3; s++) {
        for (unsigned i = 0; i < counts[s]; i++) {
            int used = m->nan + m->nns + m->nar;
            nd_dns_rr tmp, *rr = used < ND_DNS_RR_MAX ? &m->rr[used] : &tmp;
            if (parse_entry(m, &off, rr, false) != ND_OK) return ND_ESYNTAX;
            if (rr == &tmp) m->partial = true;
            else (*kept[s])++;
        }
    }
    /* trailing bytes after the last record are tolerated (some stacks pad) */
    return ND_OK;
}

/* ---- builder ----------------------------------------------------------- */
static bool room(nd_dns_w *w, size_t k)
{
    if (w->full || w->err) return false;
    if (w->len + k > w->cap) {
        w->full = true;
        return false;
    }
    return true;
}

void nd_dns_w_u8(nd_dns_w *w, uint8_t v)
{
    if (room(w, 1)) w->p[w->len++] = v;
}

void nd_dns_w_u16(nd_dns_w *w, uint16_t v)
{
    if (!room(w, 2)) return;
    w->p[w->len++] = (uint8_t)(v >> 8);
    w->p[w->len++] = (uint8_t)v;
}

void nd_dns_w_u32(nd_dns_w *w, uint32_t v)
{
    nd_dns_w_u16(w, (uint16_t)(v >> 16));
    nd_dns_w_u16(w, (uint16_t)v);
}

void nd_dns_w_bytes(nd_dns_w *w, const void *b, size_t n)
{
    if (!room(w, n)) return;
    memcpy(w->p + w->len, b, n);
    w->len += n;
}

void nd_dns_w_init(nd_dns_w *w, uint8_t *buf, size_t cap, uint16_t id, uint16_t flags)
{
    memset(w, 0, sizeof *w);
    w->p = buf;
    w->cap = cap;
    w->sec = -1;
    nd_dns_w_u16(w, id);
    nd_dns_w_u16(w, flags);
    for (int i = 0; i < 4; i++) nd_dns_w_u16(w, 0);
}

/* Offset of an earlier name equal to the dotted suffix s, or 0. Linear in
** the names remembered (at most ND_DNS_Z_MAX): messages here are small. */
static size_t find_suffix(const nd_dns_w *w, const char *s)
{
    for (int i = 0; i < w->nz; i++)
        if (nd_dns_name_eq(w->p, w->len, w->zoff[i], s)) return w->zoff[i];
    return 0;
}

void nd_dns_w_name(nd_dns_w *w, const char *dotted, bool raw)
{
    if (w->err || w->full) return;
    size_t total = 1;
    for (const char *s = dotted; *s;) {
        const char *dot = strchr(s, '.');
        size_t l = dot ? (size_t)(dot - s) : strlen(s);
        if (l == 0 || l > 63) {
            w->err = true;
            return;
        }
        total += l + 1;
        s += l + (dot ? 1 : 0);
    }
    if (total > ND_DNS_NAME_WIRE_MAX) {
        w->err = true;
        return;
    }
    for (const char *s = dotted; *s;) {
        size_t at = raw ? 0 : find_suffix(w, s);
        if (at) {
            nd_dns_w_u16(w, (uint16_t)(0xc000u | at));
            return;
        }
        const char *dot = strchr(s, '.');
        size_t l = dot ? (size_t)(dot - s) : strlen(s);
        if (!raw && w->len < 0x3fff && w->nz < ND_DNS_Z_MAX && room(w, 1 + l))
            w->zoff[w->nz++] = (uint16_t)w->len;
        nd_dns_w_u8(w, (uint8_t)l);
        nd_dns_w_bytes(w, s, l);
        s += l + (dot ? 1 : 0);
    }
    nd_dns_w_u8(w, 0);
}

void nd_dns_w_question(nd_dns_w *w, const char *name, uint16_t type, uint16_t cls)
{
    nd_dns_w_rr_begin(w, ND_DNS_SEC_QD, name, type, cls, 0);
    nd_dns_w_rr_end(w);
}

void nd_dns_w_rr_begin(nd_dns_w *w, int sec, const char *name, uint16_t type, uint16_t cls,
                       uint32_t ttl)
{
    w->mark = w->len;
    w->mark_nz = w->nz;
    w->sec = sec;
    nd_dns_w_name(w, name, false);
    nd_dns_w_u16(w, type);
    nd_dns_w_u16(w, cls);
    if (sec == ND_DNS_SEC_QD) return;
    nd_dns_w_u32(w, ttl);
    w->rdlen_at = w->len;
    nd_dns_w_u16(w, 0);
}

void nd_dns_w_rr_end(nd_dns_w *w)
{
    if (w->err || w->sec < 0) return;
    if (w->full) { /* roll the record back: the message stays well formed */
        w->len = w->mark;
        w->nz = w->mark_nz;
        w->sec = -1;
        return;
    }
    if (w->sec != ND_DNS_SEC_QD) {
        size_t rdlen = w->len - w->rdlen_at - 2;
        w->p[w->rdlen_at] = (uint8_t)(rdlen >> 8);
        w->p[w->rdlen_at + 1] = (uint8_t)rdlen;
    }
    w->count[w->sec]++;
    w->sec = -1;
}

size_t nd_dns_w_finish(nd_dns_w *w)
{
    if (w->err || w->len < 12) return 0;
    for (int i = 0; i < 4; i++) {
        w->p[4 + 2 * i] = (uint8_t)(w->count[i] >> 8);
        w->p[5 + 2 * i] = (uint8_t)w->count[i];
    }
    return w->len;
}
