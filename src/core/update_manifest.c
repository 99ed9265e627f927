/*
** update_manifest.c -- bundle header, manifest, versions and the update
** record (update_manifest.h). Strict on purpose: the manifest is parsed
** only after its signature checked out, but a parser that accepts one
** shape only leaves nothing to interpret differently later (the staging
** code, a firmware port, a future version of this file).
*/
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "nodus/value.h"
#include "text.h"
#include "update_manifest.h"

static int bad(char *err, size_t errn, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (err && errn) vsnprintf(err, errn, fmt, ap);
    va_end(ap);
    return ND_EINVAL;
}

/* ---- header ------------------------------------------------------------- */

int nd_upd_head_parse(const uint8_t *p, size_t n, nd_upd_head *h, char *err, size_t errn)
{
    if (n < ND_UPD_HEAD) return bad(err, errn, "not a nodus update bundle (shorter than its header)");
    if (memcmp(p, "NDU", 3) != 0) return bad(err, errn, "not a nodus update bundle (no NDU magic)");
    if (p[3] != '1')
        return bad(err, errn, "bundle format %c is not supported (this node reads format 1)",
                   p[3] >= 0x21 && p[3] < 0x7f ? p[3] : '?');
    h->mlen = (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24;
    h->slen = (uint16_t)(p[8] | p[9] << 8);
    if (p[10] || p[11]) return bad(err, errn, "bundle header: reserved bytes are not zero");
    memcpy(h->keyid, p + 12, 8);
    if (h->mlen == 0 || h->mlen > ND_UPD_MANIFEST_MAX)
        return bad(err, errn, "bundle header: manifest length %lu outside 1..%d",
                   (unsigned long)h->mlen, ND_UPD_MANIFEST_MAX);
    if (h->slen < ND_UPD_SIG_MIN || h->slen > ND_UPD_SIG_MAX)
        return bad(err, errn, "bundle header: signature length %u outside %d..%d", h->slen,
                   ND_UPD_SIG_MIN, ND_UPD_SIG_MAX);
    return ND_OK;
}

void nd_upd_head_write(uint8_t out[ND_UPD_HEAD], uint32_t mlen, uint16_t slen,
                       const uint8_t keyid[8])
{
    memcpy(out, "NDU1", 4);
    for (int i = 0; i < 4; i++) out[4 + i] = (uint8_t)(mlen >> (8 * i));
    out[8] = (uint8_t)slen;
    out[9] = (uint8_t)(slen >> 8);
    out[10] = out[11] = 0;
    memcpy(out + 12, keyid, 8);
}

/* ---- versions ----------------------------------------------------------- */

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

int nd_upd_ver_parse(const char *s, size_t n, nd_upd_ver *out)
{
    static const char seps[4] = {'.', '.', '-', 0};
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        uint64_t v = 0;
        size_t start = i;
        while (i < n && is_digit(s[i])) {
            v = v * 10 + (uint64_t)(s[i++] - '0');
            if (v > UINT32_MAX || i - start > 10) return ND_EINVAL;
        }
        if (i == start) return ND_EINVAL;
        if (i - start > 1 && s[start] == '0') return ND_EINVAL; /* one spelling per number */
        out->v[part] = (uint32_t)v;
        if (part < 3) {
            if (i >= n || s[i] != seps[part]) return ND_EINVAL;
            i++;
        }
    }
    return i == n ? ND_OK : ND_EINVAL;
}

int nd_upd_ver_cmp(const nd_upd_ver *a, const nd_upd_ver *b)
{
    for (int i = 0; i < 4; i++)
        if (a->v[i] != b->v[i]) return a->v[i] < b->v[i] ? -1 : 1;
    return 0;
}

/* ---- manifest ------------------------------------------------------------ */

static bool seg_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '.' ||
           c == '_' || c == '-';
}

bool nd_upd_path_ok(const char *p, size_t n)
{
    if (n == 0 || n >= ND_UPD_PATH_MAX) return false;
    if (n == sizeof ND_UPD_BINARY - 1 && !memcmp(p, ND_UPD_BINARY, n)) return true;
    size_t skip;
    if (n > 4 && !memcmp(p, "web/", 4)) skip = 4;
    else if (n > 8 && !memcmp(p, "modules/", 8)) skip = 8;
    else return false;
    int depth = 1;
    bool seg_start = true;
    for (size_t i = skip; i < n; i++) {
        char c = p[i];
        if (c == '/') {
            if (seg_start || ++depth > ND_UPD_DEPTH_MAX) return false; /* empty segment */
            seg_start = true;
            continue;
        }
        if (!seg_char(c) || (seg_start && c == '.')) return false; /* no dot files, no .. */
        seg_start = false;
    }
    return !seg_start;
}

/* A word of [a-z0-9_-] (versions and names are checked by their callers). */
static bool word_ok(const char *p, size_t n)
{
    if (n == 0 || n >= ND_UPD_WORD_MAX) return false;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (!((c >= 'a' && c <= 'z') || is_digit(c) || c == '_' || c == '-')) return false;
    }
    return true;
}

typedef struct {
    const char *p;
    size_t n;
} span;

/* Split a line into at most max words at single spaces. Returns the count,
** or -1 when the line has a doubled, leading or trailing space or more words. */
static int split(const char *p, size_t n, span *w, int max)
{
    int k = 0;
    size_t s = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && p[i] != ' ') continue;
        if (i == s || k == max) return -1;
        w[k].p = p + s;
        w[k].n = i - s;
        k++;
        s = i + 1;
    }
    return k;
}

static bool word_is(span w, const char *lit)
{
    return w.n == strlen(lit) && !memcmp(w.p, lit, w.n);
}

/* A decimal of at most maxd digits, no leading zero. */
static int parse_dec(span w, size_t maxd, uint64_t *out)
{
    if (w.n == 0 || w.n > maxd || (w.n > 1 && w.p[0] == '0')) return ND_EINVAL;
    uint64_t v = 0;
    for (size_t i = 0; i < w.n; i++) {
        if (!is_digit(w.p[i])) return ND_EINVAL;
        v = v * 10 + (uint64_t)(w.p[i] - '0');
    }
    *out = v;
    return ND_OK;
}

static int parse_size(span w, uint64_t *out) { return parse_dec(w, 12, out); }

static int parse_sha(span w, uint8_t out[32])
{
    if (w.n != 64) return ND_EINVAL;
    for (int i = 0; i < 32; i++) {
        int hi = w.p[2 * i], lo = w.p[2 * i + 1];
        /* lower case only: one spelling */
        if ((hi >= 'A' && hi <= 'F') || (lo >= 'A' && lo <= 'F')) return ND_EINVAL;
        int h = nd_hex_val(hi), l = nd_hex_val(lo);
        if (h < 0 || l < 0) return ND_EINVAL;
        out[i] = (uint8_t)(h << 4 | l);
    }
    return ND_OK;
}

/* One file line's fields ("file <path> <size> <sha>"), checked. */
static int file_line(const char *p, size_t n, nd_upd_file *f, const char **why)
{
    span w[4];
    if (split(p, n, w, 4) != 4 || !word_is(w[0], "file")) {
        *why = "expected: file <path> <size> <sha256>";
        return ND_EINVAL;
    }
    if (!nd_upd_path_ok(w[1].p, w[1].n)) {
        *why = "path is not nodus, web/... or modules/... of [A-Za-z0-9._-] segments";
        return ND_EINVAL;
    }
    memcpy(f->path, w[1].p, w[1].n);
    f->path[w[1].n] = 0;
    f->binary = !strcmp(f->path, ND_UPD_BINARY);
    if (parse_size(w[2], &f->size) != ND_OK || f->size > ND_UPD_FILE_MAX) {
        *why = "size is not a decimal number of bytes up to 256 MiB";
        return ND_EINVAL;
    }
    if (parse_sha(w[3], f->sha) != ND_OK) {
        *why = "sha256 is not 64 lower-case hex digits";
        return ND_EINVAL;
    }
    return ND_OK;
}

/* The next line of text at *off (without its "\n"); false at the end. A
** last line without "\n" is returned with *nl false. */
static bool next_line(const char *t, size_t len, size_t *off, span *line, bool *nl)
{
    if (*off >= len) return false;
    const char *s = t + *off;
    const char *e = memchr(s, '\n', len - *off);
    size_t n = e ? (size_t)(e - s) : len - *off;
    line->p = s;
    line->n = n;
    *nl = e != NULL;
    *off += n + (e ? 1 : 0);
    return true;
}

int nd_upd_manifest_parse(const char *text, size_t len, nd_upd_manifest *m, char *err,
                          size_t errn)
{
    static const char *const heads[] = {"name", "version", "arch", "board"};
    memset(m, 0, sizeof *m);
    m->text = text;
    m->len = len;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c != '\n' && (c < 0x20 || c > 0x7e))
            return bad(err, errn, "manifest: byte %zu is not printable ASCII", i);
    }
    size_t off = 0;
    span line;
    bool nl;
    int lineno = 0;
    char prev[ND_UPD_PATH_MAX] = "";
    while (next_line(text, len, &off, &line, &nl)) {
        lineno++;
        if (!nl) return bad(err, errn, "manifest line %d: does not end with a newline", lineno);
        if (lineno == 1) {
            if (!(line.n == 14 && !memcmp(line.p, "nodus-bundle 1", 14)))
                return bad(err, errn, "manifest line 1: expected 'nodus-bundle 1'");
            continue;
        }
        if (lineno <= 5) { /* name, version, arch, board, in this order */
            const char *key = heads[lineno - 2];
            span w[2];
            if (split(line.p, line.n, w, 2) != 2 || !word_is(w[0], key))
                return bad(err, errn, "manifest line %d: expected '%s <value>'", lineno, key);
            char *dst = lineno == 2 ? m->name : lineno == 3 ? m->version : lineno == 4 ? m->arch : m->board;
            if (lineno == 3) {
                if (w[1].n >= ND_UPD_WORD_MAX || nd_upd_ver_parse(w[1].p, w[1].n, &m->ver) != ND_OK)
                    return bad(err, errn, "manifest line 3: version '%.*s' is not X.Y.Z-N",
                               (int)(w[1].n > 40 ? 40 : w[1].n), w[1].p);
            } else if (!word_ok(w[1].p, w[1].n)) {
                return bad(err, errn, "manifest line %d: %s is not 1-31 characters of [a-z0-9_-]",
                           lineno, key);
            }
            memcpy(dst, w[1].p, w[1].n);
            dst[w[1].n] = 0;
            if (lineno == 5) m->files_at = off;
            continue;
        }
        nd_upd_file f;
        const char *why = "";
        if (file_line(line.p, line.n, &f, &why) != ND_OK)
            return bad(err, errn, "manifest line %d: %s", lineno, why);
        if (prev[0] && strcmp(prev, f.path) >= 0)
            return bad(err, errn, "manifest line %d: %s is out of order or repeated (paths are sorted)",
                       lineno, f.path);
        snprintf(prev, sizeof prev, "%s", f.path);
        if (++m->nfiles > ND_UPD_FILES_MAX)
            return bad(err, errn, "manifest: more than %d files", ND_UPD_FILES_MAX);
        m->total += f.size;
        if (m->total > ND_UPD_TOTAL_MAX)
            return bad(err, errn, "manifest: files add up to more than %llu bytes",
                       (unsigned long long)ND_UPD_TOTAL_MAX);
        m->has_binary |= f.binary;
    }
    if (lineno < 5) return bad(err, errn, "manifest: ends after %d lines, before its board line", lineno);
    if (m->nfiles == 0) return bad(err, errn, "manifest: lists no file");
    if (strcmp(m->name, "nodus") != 0)
        return bad(err, errn, "manifest: bundle is for '%s', not nodus", m->name);
    if (m->has_binary && !strcmp(m->arch, "any"))
        return bad(err, errn, "manifest: a bundle with a binary must name its arch, not 'any'");
    return ND_OK;
}

bool nd_upd_manifest_next(const nd_upd_manifest *m, size_t *cursor, nd_upd_file *f)
{
    size_t off = *cursor ? *cursor : m->files_at;
    span line;
    bool nl;
    if (!m->files_at || !next_line(m->text, m->len, &off, &line, &nl)) return false;
    const char *why;
    if (file_line(line.p, line.n, f, &why) != ND_OK) return false; /* checked by parse */
    *cursor = off;
    return true;
}

/* ---- the update record ------------------------------------------------- */

static const char *const state_names[] = {"idle", "trial", "confirmed", "rolledback", "failed"};
static const char *const slot_names[] = {"base", "a", "b"};

const char *nd_upd_state_name(int s)
{
    return s >= 0 && s <= ND_REC_FAILED ? state_names[s] : "idle";
}

const char *nd_upd_slot_name(int s) { return s >= 0 && s <= ND_UPD_B ? slot_names[s] : "base"; }

static int lookup(span w, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (word_is(w, names[i])) return i;
    return -1;
}

static bool num(span w, uint64_t max, uint64_t *out)
{
    return parse_dec(w, 18, out) == ND_OK && *out <= max;
}

/* "-" is how the record writes an empty word; a NUL ends a value (the
** record is C strings: what follows one could never have been written). */
static void copy_word(char *dst, size_t cap, span w)
{
    const char *nul = memchr(w.p, 0, w.n);
    if (nul) w.n = (size_t)(nul - w.p);
    if (w.n == 1 && w.p[0] == '-') w.n = 0;
    size_t k = w.n < cap - 1 ? w.n : cap - 1;
    memcpy(dst, w.p, k);
    dst[k] = 0;
}

int nd_upd_record_parse(const char *text, size_t len, nd_upd_record *r)
{
    memset(r, 0, sizeof *r);
    size_t off = 0;
    span line;
    bool nl;
    if (!next_line(text, len, &off, &line, &nl) ||
        !(line.n == 21 && !memcmp(line.p, "nodus-update-record 1", 21)))
        return ND_EINVAL; /* not a record: idle, nothing to act on */
    while (next_line(text, len, &off, &line, &nl)) {
        const char *sp = memchr(line.p, ' ', line.n);
        if (!sp) continue;
        span k = {line.p, (size_t)(sp - line.p)}, v = {sp + 1, line.n - (size_t)(sp - line.p) - 1};
        uint64_t x;
        int i;
        if (word_is(k, "seq") && num(v, UINT32_MAX, &x)) r->seq = (uint32_t)x;
        else if (word_is(k, "state") && (i = lookup(v, state_names, 5)) >= 0) r->state = i;
        else if (word_is(k, "slot") && (i = lookup(v, slot_names, 3)) >= 0) r->slot = i;
        else if (word_is(k, "prev") && (i = lookup(v, slot_names, 3)) >= 0) r->prev = i;
        else if (word_is(k, "version")) copy_word(r->version, sizeof r->version, v);
        else if (word_is(k, "prev_version")) copy_word(r->prev_version, sizeof r->prev_version, v);
        else if (word_is(k, "base")) copy_word(r->base, sizeof r->base, v);
        else if (word_is(k, "starts") && num(v, 1000000, &x)) r->starts = (uint32_t)x;
        else if (word_is(k, "since") && num(v, (uint64_t)1 << 52, &x)) r->since_ms = (int64_t)x;
        else if (word_is(k, "deadline") && num(v, 86400, &x)) r->deadline_s = (uint32_t)x;
        else if (word_is(k, "reported")) r->reported = word_is(v, "1");
        else if (word_is(k, "error")) copy_word(r->error, sizeof r->error, v);
    }
    return ND_OK;
}

size_t nd_upd_record_format(const nd_upd_record *r, char *buf, size_t cap)
{
    char err[ND_REC_ERR_MAX];
    /* one line per field: a newline in the error would start a new one */
    size_t k = 0;
    for (const char *p = r->error; *p && k + 1 < sizeof err; p++)
        err[k++] = (*p == '\n' || *p == '\r') ? ' ' : *p;
    err[k] = 0;
    int n = snprintf(buf, cap,
                     "nodus-update-record 1\nseq %lu\nstate %s\nslot %s\nprev %s\nversion %s\n"
                     "prev_version %s\nbase %s\nstarts %lu\nsince %lld\ndeadline %lu\nreported %d\n"
                     "error %s\n",
                     (unsigned long)r->seq, nd_upd_state_name(r->state), nd_upd_slot_name(r->slot),
                     nd_upd_slot_name(r->prev), r->version[0] ? r->version : "-",
                     r->prev_version[0] ? r->prev_version : "-", r->base[0] ? r->base : "-",
                     (unsigned long)r->starts,
                     (long long)(r->since_ms > 0 ? r->since_ms : 0), (unsigned long)r->deadline_s,
                     r->reported ? 1 : 0, err);
    return n < 0 ? 0 : (size_t)n >= cap ? cap - 1 : (size_t)n;
}
