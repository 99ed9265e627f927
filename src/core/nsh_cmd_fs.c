/*
** nsh_cmd_fs.c -- nsh's file commands: ls cat head tail cp mv rm mkdir rmdir
** touch find grep hexdump wc.
**
** Everything goes through nd_nsh_path (the user's path, confined to the
** state directory) and the port's nd_fs_* calls with nd_fs_nofollow on (the
** entry wrapper in nsh_cmd_util.c), so no command follows a link, and ".."
** or an absolute path cannot leave the tree. Files are streamed in
** ND_CMD_CHUNK pieces with nd_fs_read_at: a command never holds a whole file,
** yields after ND_CMD_SLICE bytes so the loop keeps serving the other doors,
** and waits (ND_NSH_AGAIN + nd_nsh_wake_drained) when its reader is behind.
** Text commands (cat, head, tail) refuse a binary file (a NUL byte in its
** first chunk) with a pointer to hexdump instead of spraying control bytes
** at a terminal; grep skips binary files.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node_int.h" /* the zone (node->tz) without linking node.c into unit tests */
#include "nsh_cmds.h"

#define LINE_MAX_ 4096    /* longest line assembled; longer lines are cut in pieces */
#define TAIL_BACK (1 << 20) /* tail looks at most this far back from the end */
#define LS_MAX 4096       /* entries one ls of one directory shows */
#define RM_FAILED_MAX 64  /* paths rm -r could not remove before it gives up */

/* ---- streaming files: cat head tail hexdump wc grep ------------------------ */

enum { K_CAT, K_HEAD, K_TAIL, K_HEX, K_WC, K_GREP };

typedef struct fstream {
    int kind;
    nd_opts o;
    const char *synopsis;
    const char *cmd;
    int argi;         /* next operand */
    bool walking;     /* operands that are directories (grep) */
    nd_walk walk;
    bool open;        /* a file is being read */
    bool explicit_;   /* the open file was named by the user (not found by a walk) */
    char rel[ND_CMD_PATH_MAX];
    char shown[ND_CMD_PATH_MAX + 2];
    uint64_t off, size;
    bool checked;     /* first chunk looked at for binary content */
    /* line assembly */
    char line[LINE_MAX_ + 1];
    size_t linen;
    uint64_t lineno;
    bool cont;        /* the next piece continues a cut line */
    /* per kind */
    long n;           /* head/tail: lines */
    uint64_t done;    /* head: lines printed */
    uint64_t lines, words, bytes;
    bool inword;
    uint64_t tl, tw, tb;
    int nfiles;
    bool multi;       /* prefix grep lines with file names */
    const char *pat;
    size_t patn;
    bool matched;
    int status;
    char buf[ND_CMD_CHUNK];
} fstream;

static void fs_free(void *p)
{
    fstream *st = p;
    nd_walk_free(&st->walk);
    free(st);
}

static bool has_nul(const char *p, size_t n) { return memchr(p, 0, n) != NULL; }

static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }

static bool contains(const char *hay, size_t n, const char *pat, size_t pn, bool icase)
{
    if (pn == 0) return true;
    for (size_t i = 0; i + pn <= n; i++) {
        size_t k = 0;
        while (k < pn && (icase ? lower(hay[i + k]) == lower(pat[k]) : hay[i + k] == pat[k])) k++;
        if (k == pn) return true;
    }
    return false;
}

/* One assembled line (without its newline; nl says whether it had one). */
static void on_line(nd_nsh_io *io, fstream *st, const char *p, size_t n, bool nl)
{
    bool first_piece = !st->cont;
    if (first_piece) st->lineno++;
    st->cont = !nl;
    switch (st->kind) {
    case K_CAT:
        if (first_piece) nd_nsh_printf(io, "%6llu\t", (unsigned long long)st->lineno);
        nd_nsh_write(io, p, n);
        if (nl) nd_nsh_write(io, "\n", 1);
        break;
    case K_HEAD:
        if (st->done >= (uint64_t)st->n) return;
        nd_nsh_write(io, p, n);
        if (nl) {
            nd_nsh_write(io, "\n", 1);
            st->done++;
        }
        break;
    case K_GREP: {
        bool hit = contains(p, n, st->pat, st->patn, st->o.set['i']);
        if (hit == st->o.set['v']) return;
        st->matched = true;
        if (st->multi) nd_nsh_printf(io, "%s:", st->shown);
        if (st->o.set['n']) nd_nsh_printf(io, "%llu:", (unsigned long long)st->lineno);
        nd_nsh_write(io, p, n);
        nd_nsh_write(io, "\n", 1);
        break;
    }
    default: break;
    }
}

static void feed_lines(nd_nsh_io *io, fstream *st, const char *p, size_t n)
{
    while (n) {
        const char *nl = memchr(p, '\n', n);
        size_t take = nl ? (size_t)(nl - p) : n;
        if (st->linen + take > LINE_MAX_) { /* an over-long line: pass it on in pieces */
            size_t room = LINE_MAX_ - st->linen;
            memcpy(st->line + st->linen, p, room);
            on_line(io, st, st->line, LINE_MAX_, false);
            st->linen = 0;
            p += room;
            n -= room;
            continue;
        }
        memcpy(st->line + st->linen, p, take);
        st->linen += take;
        if (!nl) return;
        on_line(io, st, st->line, st->linen, true);
        st->linen = 0;
        p += take + 1;
        n -= take + 1;
    }
}

static void hex_rows(nd_nsh_io *io, fstream *st, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i += 16) {
        size_t k = n - i < 16 ? n - i : 16;
        char row[100];
        int w = snprintf(row, sizeof row, "%08llx ", (unsigned long long)(st->off + i));
        for (size_t j = 0; j < 16; j++) {
            if (j == 8) row[w++] = ' ';
            if (j < k) w += snprintf(row + w, sizeof row - (size_t)w, " %02x", p[i + j]);
            else w += snprintf(row + w, sizeof row - (size_t)w, "   ");
        }
        w += snprintf(row + w, sizeof row - (size_t)w, "  |");
        for (size_t j = 0; j < k; j++) row[w++] = p[i + j] >= 32 && p[i + j] < 127 ? (char)p[i + j] : '.';
        row[w++] = '|';
        row[w++] = '\n';
        nd_nsh_write(io, row, (size_t)w);
    }
}

static void wc_count(fstream *st, const char *p, size_t n)
{
    st->bytes += n;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '\n') st->lines++;
        bool sp = c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
        if (!sp && !st->inword) st->words++;
        st->inword = !sp;
    }
}

static void wc_print(nd_nsh_io *io, uint64_t l, uint64_t w, uint64_t b, const char *name)
{
    nd_nsh_printf(io, "%7llu %7llu %9llu %s\n", (unsigned long long)l, (unsigned long long)w,
                  (unsigned long long)b, name);
}

/* The open file ended: flush a last line without newline, print per-file totals. */
static void close_file(nd_nsh_io *io, fstream *st)
{
    if (st->linen) on_line(io, st, st->line, st->linen, true);
    if (st->kind == K_HEX && st->size) nd_nsh_printf(io, "%08llx\n", (unsigned long long)st->size);
    if (st->kind == K_WC) {
        wc_print(io, st->lines, st->words, st->bytes, st->shown);
        st->tl += st->lines;
        st->tw += st->words;
        st->tb += st->bytes;
        st->nfiles++;
    }
    st->open = false;
}

/* tail: where the last n lines start (looking back at most TAIL_BACK bytes). */
static uint64_t tail_start(fstream *st)
{
    uint64_t end = st->size, pos = end;
    long need = st->n;
    bool first = true;
    if (need == 0) return end;
    while (pos > 0 && end - pos < TAIL_BACK) {
        size_t want = pos < sizeof st->buf ? (size_t)pos : sizeof st->buf;
        size_t got = 0;
        if (nd_fs_read_at(st->rel, pos - want, st->buf, want, &got) != ND_OK || got != want)
            return pos;
        for (size_t i = want; i-- > 0;) {
            if (st->buf[i] != '\n') {
                first = false;
                continue;
            }
            if (first && pos - want + i == end - 1) { /* the file's final newline */
                first = false;
                continue;
            }
            if (--need <= 0) return pos - want + i + 1;
        }
        pos -= want;
    }
    return pos;
}

/* Open the next file to read: 1 opened, 0 no more, or after an error message
** (status set) go on with the next one. */
static int next_file(nd_nsh_io *io, fstream *st)
{
    for (;;) {
        nd_fs_info info;
        if (st->walking) {
            int r = nd_walk_next(&st->walk, st->rel, sizeof st->rel, &info);
            if (r <= 0) {
                if (st->walk.truncated)
                    nd_nsh_eprintf(io, "%s: tree too large or too deep, part of it skipped\n", st->cmd);
                if (r < 0) {
                    nd_nsh_eprintf(io, "%s: %s\n", st->cmd, nd_cmd_strerror(r));
                    st->status = 2;
                }
                nd_walk_free(&st->walk);
                st->walking = false;
                continue;
            }
            if (info.dir) continue;
            st->explicit_ = false;
        } else {
            if (st->argi >= st->o.npos) return 0;
            const char *arg = st->o.pos[st->argi++];
            if (nd_cmd_path(io, st->cmd, arg, st->rel, sizeof st->rel)) {
                st->status = st->kind == K_GREP ? 2 : 1;
                continue;
            }
            int rc = nd_fs_stat(st->rel, &info);
            if (rc != ND_OK) {
                nd_nsh_eprintf(io, "%s: %s: %s\n", st->cmd, arg, nd_cmd_strerror(rc));
                st->status = st->kind == K_GREP ? 2 : 1;
                continue;
            }
            if (info.dir) {
                if (st->kind == K_GREP) {
                    if (nd_walk_init(&st->walk, st->rel) != ND_OK) return 0;
                    st->walk.max_depth = st->o.set['r'] ? 0 : 1;
                    st->walking = true;
                    continue;
                }
                nd_nsh_eprintf(io, "%s: %s: is a directory\n", st->cmd, arg);
                st->status = 1;
                continue;
            }
            st->explicit_ = true;
        }
        nd_cmd_shown(st->rel, st->shown, sizeof st->shown);
        st->size = info.size;
        st->off = 0;
        st->checked = false;
        st->linen = 0;
        st->lineno = 0;
        st->cont = false;
        st->done = 0;
        st->lines = st->words = st->bytes = 0;
        st->inword = false;
        st->open = true;
        if (st->kind == K_TAIL) st->off = tail_start(st);
        return 1;
    }
}

static int fs_stream(nd_nsh_io *io, fstream *st)
{
    size_t budget = ND_CMD_SLICE;
    size_t chunk = st->kind == K_HEX ? 2048 : sizeof st->buf; /* hexdump's output is 5x its input */
    for (;;) {
        if (!st->open) {
            if (!next_file(io, st)) break;
            continue;
        }
        if (!nd_nsh_out_room(io)) return nd_cmd_wait_room(io);
        if (budget == 0) return nd_cmd_yield(io);
        if (st->kind == K_HEAD && st->done >= (uint64_t)st->n) {
            st->linen = 0;
            close_file(io, st);
            continue;
        }
        size_t got = 0;
        int rc = nd_fs_read_at(st->rel, st->off, st->buf, chunk, &got);
        if (rc != ND_OK) {
            nd_nsh_eprintf(io, "%s: %s: %s\n", st->cmd, st->shown, nd_cmd_strerror(rc));
            st->status = st->kind == K_GREP ? 2 : 1;
            st->open = false;
            st->linen = 0;
            continue;
        }
        if (got == 0) {
            close_file(io, st);
            continue;
        }
        if (!st->checked) {
            st->checked = true;
            bool bin = has_nul(st->buf, got);
            if (bin && (st->kind == K_CAT || st->kind == K_HEAD || st->kind == K_TAIL)) {
                nd_nsh_eprintf(io, "%s: %s: binary file (%llu bytes), not shown; use hexdump\n",
                               st->cmd, st->shown, (unsigned long long)st->size);
                st->status = 1;
                st->open = false;
                continue;
            }
            if (bin && st->kind == K_GREP) {
                if (st->explicit_)
                    nd_nsh_eprintf(io, "grep: %s: binary file skipped\n", st->shown);
                st->open = false;
                continue;
            }
        }
        switch (st->kind) {
        case K_CAT:
            if (st->o.set['n']) feed_lines(io, st, st->buf, got);
            else nd_nsh_write(io, st->buf, got);
            break;
        case K_TAIL: nd_nsh_write(io, st->buf, got); break;
        case K_HEX: hex_rows(io, st, (const unsigned char *)st->buf, got); break;
        case K_WC: wc_count(st, st->buf, got); break;
        default: feed_lines(io, st, st->buf, got); break;
        }
        st->off += got;
        budget = budget > got ? budget - got : 0;
    }
    if (st->kind == K_WC && st->nfiles > 1) wc_print(io, st->tl, st->tw, st->tb, "total");
    if (st->kind == K_GREP && st->status == 0 && !st->matched) return 1;
    return st->status;
}

/* Start (first call) or go on (later calls) with a streaming command. */
static int fs_stream_cmd(nd_nsh_io *io, int argc, char **argv, int kind, const char *spec,
                         const char *synopsis)
{
    fstream *st = nd_nsh_state(io);
    if (st) return fs_stream(io, st);
    st = calloc(1, sizeof *st);
    if (!st) {
        nd_nsh_eprintf(io, "%s: out of memory\n", argv[0]);
        return 1;
    }
    st->kind = kind;
    st->cmd = argv[0];
    st->synopsis = synopsis;
    int rc = nd_cmd_opts(io, argc, argv, spec, synopsis, &st->o);
    if (rc) {
        free(st);
        return rc;
    }
    st->n = 10;
    if (kind == K_HEAD || kind == K_TAIL) {
        if (st->o.val['n']) {
            char *end;
            st->n = strtol(st->o.val['n'], &end, 10);
            if (*end || st->n < 0) {
                nd_nsh_eprintf(io, "%s: -n wants a number of lines, not '%s'\n", argv[0], st->o.val['n']);
                free(st);
                return 2;
            }
        }
    }
    if (kind == K_GREP) {
        if (st->o.npos < 1) {
            free(st);
            return nd_cmd_usage(io, synopsis);
        }
        st->pat = st->o.pos[0];
        st->patn = strlen(st->pat);
        memmove(st->o.pos, st->o.pos + 1, (size_t)(st->o.npos - 1) * sizeof st->o.pos[0]);
        st->o.npos--;
        if (st->o.npos == 0) st->o.pos[st->o.npos++] = ".";
        nd_fs_info info;
        char rel[ND_CMD_PATH_MAX];
        st->multi = st->o.npos > 1 || st->o.set['r'] ||
                    (nd_nsh_path(io, st->o.pos[0], rel, sizeof rel) == 0 &&
                     nd_fs_stat(rel[0] ? rel : ".", &info) == ND_OK && info.dir);
    } else if (st->o.npos == 0) {
        free(st);
        nd_nsh_eprintf(io, "%s: no file named (nsh has no pipes: name a file)\n", argv[0]);
        return nd_cmd_usage(io, synopsis);
    }
    nd_nsh_set_state(io, st, fs_free);
    return fs_stream(io, st);
}

#define SYN_CAT "cat [-n] FILE..."
#define SYN_HEAD "head [-n N] FILE..."
#define SYN_TAIL "tail [-n N] FILE..."
#define SYN_HEX "hexdump FILE..."
#define SYN_WC "wc FILE..."
#define SYN_GREP "grep [-r] [-v] [-n] [-i] TEXT [PATH...]"

ND_CMD_DEF(c_cat, "cat", SYN_CAT, "print files (-n: number the lines); binary files are refused")
static int c_cat(nd_nsh_io *io, int argc, char **argv) { return fs_stream_cmd(io, argc, argv, K_CAT, "n", SYN_CAT); }
ND_CMD_DEF(c_head, "head", SYN_HEAD, "print the first N lines (default 10)")
static int c_head(nd_nsh_io *io, int argc, char **argv) { return fs_stream_cmd(io, argc, argv, K_HEAD, "n:", SYN_HEAD); }
ND_CMD_DEF(c_tail, "tail", SYN_TAIL, "print the last N lines (default 10; looks back at most 1 MB)")
static int c_tail(nd_nsh_io *io, int argc, char **argv) { return fs_stream_cmd(io, argc, argv, K_TAIL, "n:", SYN_TAIL); }
ND_CMD_DEF(c_hex, "hexdump", SYN_HEX, "offset, 16 bytes in hex and |ascii| per row")
static int c_hex(nd_nsh_io *io, int argc, char **argv) { return fs_stream_cmd(io, argc, argv, K_HEX, "", SYN_HEX); }
ND_CMD_DEF(c_wc, "wc", SYN_WC, "count lines, words and bytes")
static int c_wc(nd_nsh_io *io, int argc, char **argv) { return fs_stream_cmd(io, argc, argv, K_WC, "", SYN_WC); }
ND_CMD_DEF(c_grep, "grep", SYN_GREP,
           "lines containing TEXT (-i any case, -v not containing, -n line numbers, -r into "
           "directories); skips binary files; exit 0 found, 1 none, 2 error")
static int c_grep(nd_nsh_io *io, int argc, char **argv) { return fs_stream_cmd(io, argc, argv, K_GREP, "rvni", SYN_GREP); }

/* ---- ls ------------------------------------------------------------------ */

typedef struct ls_ent {
    char *name;
    nd_fs_info info;
} ls_ent;

typedef struct lsstate {
    nd_opts o;
    int argi;
    ls_ent *ents;
    int n, i;
    bool full;
    bool headers;
    uint64_t total;
    char rel[ND_CMD_PATH_MAX];
    int status;
} lsstate;

static void ls_drop(lsstate *st)
{
    for (int i = 0; i < st->n; i++) free(st->ents[i].name);
    st->n = st->i = 0;
}

static void ls_free(void *p)
{
    lsstate *st = p;
    ls_drop(st);
    free(st->ents);
    free(st);
}

static int ls_collect(void *ud, const char *name, const nd_fs_info *info)
{
    lsstate *st = ud;
    if (name[0] == '.' && !st->o.set['a']) return 0;
    if (st->n >= LS_MAX) {
        st->full = true;
        return 0;
    }
    size_t len = strlen(name) + 1;
    char *s = malloc(len);
    if (!s) return ND_ENOMEM;
    memcpy(s, name, len);
    st->ents[st->n].name = s;
    st->ents[st->n].info = *info;
    st->n++;
    return 0;
}

static int ls_cmp(const void *a, const void *b)
{
    return strcmp(((const ls_ent *)a)->name, ((const ls_ent *)b)->name);
}

static void ls_row(nd_nsh_io *io, lsstate *st, const char *name, const char *rel, const nd_fs_info *info)
{
    if (!st->o.set['l']) {
        nd_nsh_printf(io, "%s%s\n", name, info->dir ? "/" : "");
        return;
    }
    struct nd_node *node = nd_nsh_node(io);
    int64_t t = info->mtime + (node ? nd_tz_offset_utc(&node->tz, info->mtime) : 0);
    nd_tm tm;
    nd_time_split(t, &tm);
    char sz[32];
    if (st->o.set['h']) nd_cmd_human(info->size, sz, sizeof sz);
    else snprintf(sz, sizeof sz, "%llu", (unsigned long long)info->size);
    bool prot = nd_nsh_protected(node, rel);
    nd_nsh_printf(io, "%c%s %9s %04d-%02d-%02d %02d:%02d %s%s\n", info->dir ? 'd' : '-',
                  prot ? "r-" : "rw", info->dir ? "-" : sz, tm.year, tm.mon, tm.mday, tm.hour,
                  tm.min, name, info->dir ? "/" : "");
    st->total += info->size;
}

static int ls_run(nd_nsh_io *io, lsstate *st)
{
    for (;;) {
        while (st->i < st->n) { /* print what the last listing collected */
            if (!nd_nsh_out_room(io)) return nd_cmd_wait_room(io);
            ls_ent *e = &st->ents[st->i++];
            char child[ND_CMD_PATH_MAX];
            if (nd_cmd_join(child, sizeof child, st->rel, e->name)) child[0] = 0;
            ls_row(io, st, e->name, child, &e->info);
            if (st->i == st->n) {
                if (st->full)
                    nd_nsh_eprintf(io, "ls: only the first %d entries shown\n", LS_MAX);
                if (st->o.set['l']) {
                    char h[32];
                    if (st->o.set['h']) nd_nsh_printf(io, "total %s\n", nd_cmd_human(st->total, h, sizeof h));
                    else nd_nsh_printf(io, "total %llu bytes\n", (unsigned long long)st->total);
                }
            }
        }
        ls_drop(st);
        if (st->argi >= st->o.npos) return st->status;
        const char *arg = st->o.pos[st->argi++];
        if (nd_cmd_path(io, "ls", arg, st->rel, sizeof st->rel)) {
            st->status = 1;
            continue;
        }
        nd_fs_info info;
        int rc = nd_fs_stat(st->rel, &info);
        if (rc != ND_OK) {
            nd_nsh_eprintf(io, "ls: %s: %s\n", arg, nd_cmd_strerror(rc));
            st->status = 1;
            continue;
        }
        if (!info.dir) {
            ls_row(io, st, arg, st->rel, &info);
            continue;
        }
        if (st->headers) nd_nsh_printf(io, "%s%s:\n", st->argi > 1 ? "\n" : "", arg);
        st->full = false;
        st->total = 0;
        rc = nd_fs_list(st->rel, ls_collect, st);
        if (rc != ND_OK) {
            nd_nsh_eprintf(io, "ls: %s: %s\n", arg, nd_cmd_strerror(rc));
            st->status = 1;
        }
        qsort(st->ents, (size_t)st->n, sizeof *st->ents, ls_cmp);
        if (st->n == 0 && st->o.set['l']) nd_nsh_printf(io, "total 0 bytes\n");
    }
}

#define SYN_LS "ls [-l] [-a] [-h] [PATH...]"
ND_CMD_DEF(c_ls, "ls", SYN_LS,
           "list a directory (-l long: type, rw/r- (protected), size, date, name; -a dot files; "
           "-h human sizes)")
static int c_ls(nd_nsh_io *io, int argc, char **argv)
{
    lsstate *st = nd_nsh_state(io);
    if (st) return ls_run(io, st);
    st = calloc(1, sizeof *st);
    if (!st || !(st->ents = malloc(LS_MAX * sizeof *st->ents))) {
        free(st);
        nd_nsh_eprintf(io, "ls: out of memory\n");
        return 1;
    }
    int rc = nd_cmd_opts(io, argc, argv, "lah", SYN_LS, &st->o);
    if (rc) {
        ls_free(st);
        return rc;
    }
    if (st->o.npos == 0) st->o.pos[st->o.npos++] = ".";
    st->headers = st->o.npos > 1;
    nd_nsh_set_state(io, st, ls_free);
    return ls_run(io, st);
}

/* ---- find ---------------------------------------------------------------- */

typedef struct findstate {
    nd_walk walk;
    const char *pat;
    bool glob;
    int status;
} findstate;

static void find_free(void *p)
{
    findstate *st = p;
    nd_walk_free(&st->walk);
    free(st);
}

#define SYN_FIND "find NAME-PATTERN [PATH]"
ND_CMD_DEF(c_find, "find", SYN_FIND,
           "paths under PATH (default .) whose name matches the pattern (* ? [..]; without "
           "them: names containing it)")
static int c_find(nd_nsh_io *io, int argc, char **argv)
{
    findstate *st = nd_nsh_state(io);
    if (!st) {
        nd_opts o;
        int rc = nd_cmd_opts(io, argc, argv, "", SYN_FIND, &o);
        if (rc) return rc;
        if (o.npos < 1 || o.npos > 2) return nd_cmd_usage(io, SYN_FIND);
        char rel[ND_CMD_PATH_MAX];
        if (nd_cmd_path(io, "find", o.npos > 1 ? o.pos[1] : ".", rel, sizeof rel)) return 1;
        nd_fs_info info;
        rc = nd_fs_stat(rel, &info);
        if (rc != ND_OK) {
            nd_nsh_eprintf(io, "find: %s: %s\n", o.npos > 1 ? o.pos[1] : ".", nd_cmd_strerror(rc));
            return 1;
        }
        st = calloc(1, sizeof *st);
        if (!st || nd_walk_init(&st->walk, rel) != ND_OK) {
            free(st);
            nd_nsh_eprintf(io, "find: out of memory\n");
            return 1;
        }
        st->pat = o.pos[0];
        st->glob = strpbrk(st->pat, "*?[") != NULL;
        nd_nsh_set_state(io, st, find_free);
    }
    int budget = 512;
    for (;;) {
        if (!nd_nsh_out_room(io)) return nd_cmd_wait_room(io);
        if (budget-- == 0) return nd_cmd_yield(io);
        char rel[ND_CMD_PATH_MAX], shown[ND_CMD_PATH_MAX + 2];
        nd_fs_info info;
        int r = nd_walk_next(&st->walk, rel, sizeof rel, &info);
        if (r < 0) {
            nd_nsh_eprintf(io, "find: %s\n", nd_cmd_strerror(r));
            return 1;
        }
        if (r == 0) break;
        const char *base = strrchr(rel, '/');
        base = base ? base + 1 : rel;
        if (!strcmp(base, ".")) base = "";
        bool hit = st->glob ? nd_cmd_glob(st->pat, base) : strstr(base, st->pat) != NULL;
        if (hit && base[0]) nd_nsh_printf(io, "%s\n", nd_cmd_shown(rel, shown, sizeof shown));
    }
    if (st->walk.truncated) {
        nd_nsh_eprintf(io, "find: tree too large or too deep, part of it skipped\n");
        return 1;
    }
    return 0;
}

/* ---- mkdir rmdir touch ----------------------------------------------------- */

static void parent_of(const char *rel, char *out, size_t n)
{
    snprintf(out, n, "%s", rel);
    char *s = strrchr(out, '/');
    if (s) *s = 0;
    else snprintf(out, n, ".");
}

static const char *base_of(const char *rel)
{
    const char *s = strrchr(rel, '/');
    return s ? s + 1 : rel;
}

#define SYN_MKDIR "mkdir [-p] DIR..."
ND_CMD_DEF(c_mkdir, "mkdir", SYN_MKDIR, "make directories (-p: parents too, no error if present)")
static int c_mkdir(nd_nsh_io *io, int argc, char **argv)
{
    nd_opts o;
    int rc = nd_cmd_opts(io, argc, argv, "p", SYN_MKDIR, &o);
    if (rc) return rc;
    if (o.npos == 0) return nd_cmd_usage(io, SYN_MKDIR);
    int status = 0;
    for (int i = 0; i < o.npos; i++) {
        char rel[ND_CMD_PATH_MAX], par[ND_CMD_PATH_MAX];
        nd_fs_info info;
        if (nd_cmd_path(io, "mkdir", o.pos[i], rel, sizeof rel)) {
            status = 1;
            continue;
        }
        if (!o.set['p']) {
            if (nd_fs_stat(rel, &info) == ND_OK) {
                nd_nsh_eprintf(io, "mkdir: %s: already exists\n", o.pos[i]);
                status = 1;
                continue;
            }
            parent_of(rel, par, sizeof par);
            if (nd_fs_stat(par, &info) != ND_OK || !info.dir) {
                nd_nsh_eprintf(io, "mkdir: %s: parent directory missing (use -p)\n", o.pos[i]);
                status = 1;
                continue;
            }
        }
        rc = nd_fs_mkdir(rel);
        if (rc != ND_OK) {
            nd_nsh_eprintf(io, "mkdir: %s: %s\n", o.pos[i],
                           rc == ND_EIO ? "a file or a link is in the way" : nd_cmd_strerror(rc));
            status = 1;
        }
    }
    return status;
}

static int count_one(void *ud, const char *name, const nd_fs_info *info)
{
    (void)name;
    (void)info;
    (*(int *)ud)++;
    return 1; /* one is enough */
}

#define SYN_RMDIR "rmdir DIR..."
ND_CMD_DEF(c_rmdir, "rmdir", SYN_RMDIR, "remove empty directories")
static int c_rmdir(nd_nsh_io *io, int argc, char **argv)
{
    nd_opts o;
    int rc = nd_cmd_opts(io, argc, argv, "", SYN_RMDIR, &o);
    if (rc) return rc;
    if (o.npos == 0) return nd_cmd_usage(io, SYN_RMDIR);
    int status = 0;
    for (int i = 0; i < o.npos; i++) {
        char rel[ND_CMD_PATH_MAX];
        nd_fs_info info;
        if (nd_cmd_path(io, "rmdir", o.pos[i], rel, sizeof rel)) {
            status = 1;
            continue;
        }
        if (!strcmp(rel, ".")) {
            nd_nsh_eprintf(io, "rmdir: refusing to remove '/'\n");
            status = 1;
            continue;
        }
        rc = nd_fs_stat(rel, &info);
        int entries = 0;
        if (rc == ND_OK && !info.dir) {
            nd_nsh_eprintf(io, "rmdir: %s: not a directory\n", o.pos[i]);
            status = 1;
            continue;
        }
        if (rc == ND_OK) nd_fs_list(rel, count_one, &entries);
        if (rc == ND_OK && entries) {
            nd_nsh_eprintf(io, "rmdir: %s: directory not empty\n", o.pos[i]);
            status = 1;
            continue;
        }
        if (rc == ND_OK) rc = nd_fs_remove(rel);
        if (rc != ND_OK) {
            nd_nsh_eprintf(io, "rmdir: %s: %s\n", o.pos[i], nd_cmd_strerror(rc));
            status = 1;
        }
    }
    return status;
}

#define SYN_TOUCH "touch FILE..."
ND_CMD_DEF(c_touch, "touch", SYN_TOUCH, "create empty files, or set their time to now")
static int c_touch(nd_nsh_io *io, int argc, char **argv)
{
    nd_opts o;
    int rc = nd_cmd_opts(io, argc, argv, "", SYN_TOUCH, &o);
    if (rc) return rc;
    if (o.npos == 0) return nd_cmd_usage(io, SYN_TOUCH);
    int status = 0;
    for (int i = 0; i < o.npos; i++) {
        char rel[ND_CMD_PATH_MAX];
        if (nd_cmd_path(io, "touch", o.pos[i], rel, sizeof rel)) {
            status = 1;
            continue;
        }
        rc = nd_fs_touch(rel);
        if (rc != ND_OK) {
            nd_nsh_eprintf(io, "touch: %s: %s\n", o.pos[i], nd_cmd_strerror(rc));
            status = 1;
        }
    }
    return status;
}

/* ---- rm ------------------------------------------------------------------ */

typedef struct rmstate {
    nd_opts o;
    int argi;
    /* rm -r of one directory: a stack of the directories being emptied */
    char stack[ND_WALK_DEPTH + 1][ND_CMD_PATH_MAX];
    int sp;
    char *failed[RM_FAILED_MAX];
    int nfailed;
    char sub[ND_CMD_PATH_MAX]; /* a subdirectory the last pass found */
    bool more;                 /* the last pass stopped early */
    int removed;
    nd_nsh_io *io;
    int status;
} rmstate;

static void rm_free(void *p)
{
    rmstate *st = p;
    for (int i = 0; i < st->nfailed; i++) free(st->failed[i]);
    free(st);
}

static bool rm_is_failed(rmstate *st, const char *rel)
{
    for (int i = 0; i < st->nfailed; i++)
        if (!strcmp(st->failed[i], rel)) return true;
    return false;
}

/* Remember a path that stays; false when too many did (rm stops). */
static bool rm_fail(rmstate *st, const char *rel, const char *why)
{
    char shown[ND_CMD_PATH_MAX + 2];
    nd_nsh_eprintf(st->io, "rm: %s: %s\n", nd_cmd_shown(rel, shown, sizeof shown), why);
    st->status = 1;
    if (st->nfailed >= RM_FAILED_MAX) return false;
    size_t n = strlen(rel) + 1;
    char *s = malloc(n);
    if (!s) return false;
    memcpy(s, rel, n);
    st->failed[st->nfailed++] = s;
    return true;
}

static int rm_entry(void *ud, const char *name, const nd_fs_info *info)
{
    rmstate *st = ud;
    const char *top = st->stack[st->sp - 1];
    char rel[ND_CMD_PATH_MAX];
    if (nd_cmd_join(rel, sizeof rel, top, name)) return 0;
    if (rm_is_failed(st, rel)) return 0;
    if (info->dir) {
        if (!st->sub[0]) snprintf(st->sub, sizeof st->sub, "%s", rel);
        return 0;
    }
    if (nd_nsh_protected(nd_nsh_node(st->io), rel)) {
        if (!rm_fail(st, rel, "protected file, not removed")) return ND_ELIMIT;
        return 0;
    }
    int rc = nd_fs_remove(rel);
    if (rc != ND_OK && !rm_fail(st, rel, nd_cmd_strerror(rc))) return ND_ELIMIT;
    if (++st->removed >= 1000) {
        st->more = true;
        return 1;
    }
    return 0;
}

/* One pass over the directory on top of the stack. */
static int rm_tree_step(nd_nsh_io *io, rmstate *st)
{
    const char *top = st->stack[st->sp - 1];
    st->sub[0] = 0;
    st->more = false;
    st->removed = 0;
    int rc = nd_fs_list(top, rm_entry, st);
    if (rc == ND_ELIMIT) {
        nd_nsh_eprintf(io, "rm: too many files could not be removed; stopped\n");
        st->sp = 0;
        return 0;
    }
    if (st->more) return 0;
    if (st->sub[0]) {
        if (st->sp > ND_WALK_DEPTH) {
            if (!rm_fail(st, st->sub, "too deep, not removed")) st->sp = 0;
            return 0;
        }
        snprintf(st->stack[st->sp++], ND_CMD_PATH_MAX, "%s", st->sub);
        return 0;
    }
    rc = nd_fs_remove(top);
    if (rc != ND_OK) {
        char topc[ND_CMD_PATH_MAX];
        snprintf(topc, sizeof topc, "%s", top);
        if (!rm_fail(st, topc,
                     rc == ND_EIO ? "directory not empty (what is left: files rm could not remove, "
                                    "or links and special files, which nsh neither shows nor touches)"
                                  : nd_cmd_strerror(rc)))
            st->sp = 1;
    }
    st->sp--;
    return 0;
}

#define SYN_RM "rm [-r] [-f] PATH..."
ND_CMD_DEF(c_rm, "rm", SYN_RM,
           "remove files (-r: directories and their content; -f: no error for missing ones); "
           "protected files and / are refused")
static int c_rm(nd_nsh_io *io, int argc, char **argv)
{
    rmstate *st = nd_nsh_state(io);
    if (!st) {
        st = calloc(1, sizeof *st);
        if (!st) {
            nd_nsh_eprintf(io, "rm: out of memory\n");
            return 1;
        }
        int rc = nd_cmd_opts(io, argc, argv, "rfR", SYN_RM, &st->o);
        if (rc || st->o.npos == 0) {
            free(st);
            return rc ? rc : nd_cmd_usage(io, SYN_RM);
        }
        st->o.set['r'] |= st->o.set['R'];
        nd_nsh_set_state(io, st, rm_free);
    }
    st->io = io;
    struct nd_node *node = nd_nsh_node(io);
    uint64_t t0 = nd_port_mono_ms();
    for (;;) {
        if (st->sp > 0) {
            if (nd_port_mono_ms() - t0 > 20) return nd_cmd_yield(io);
            rm_tree_step(io, st);
            continue;
        }
        if (st->argi >= st->o.npos) return st->status;
        const char *arg = st->o.pos[st->argi++];
        char rel[ND_CMD_PATH_MAX];
        if (nd_cmd_path(io, "rm", arg, rel, sizeof rel)) {
            st->status = 1;
            continue;
        }
        if (!strcmp(rel, ".")) {
            nd_nsh_eprintf(io, "rm: refusing to remove '/' (%s): it is the node's whole state\n", arg);
            st->status = 1;
            continue;
        }
        nd_fs_info info;
        int rc = nd_fs_stat(rel, &info);
        if (rc != ND_OK) {
            if (!(rc == ND_ENOTFOUND && st->o.set['f'])) {
                nd_nsh_eprintf(io, "rm: %s: %s\n", arg, nd_cmd_strerror(rc));
                st->status = 1;
            }
            continue;
        }
        if (info.dir) {
            if (!st->o.set['r']) {
                nd_nsh_eprintf(io, "rm: %s: is a directory (use rm -r)\n", arg);
                st->status = 1;
                continue;
            }
            snprintf(st->stack[0], ND_CMD_PATH_MAX, "%s", rel);
            st->sp = 1;
            continue;
        }
        if (nd_nsh_protected(node, rel)) {
            nd_nsh_eprintf(io, "rm: %s: protected file, not removed\n", arg);
            st->status = 1;
            continue;
        }
        rc = nd_fs_remove(rel);
        if (rc != ND_OK) {
            nd_nsh_eprintf(io, "rm: %s: %s\n", arg, nd_cmd_strerror(rc));
            st->status = 1;
        }
    }
}

/* ---- cp mv ---------------------------------------------------------------- */

/* Is `in` the directory `dir` itself or below it? */
static bool is_under(const char *in, const char *dir)
{
    if (!strcmp(dir, ".")) return true;
    size_t n = strlen(dir);
    return !strncmp(in, dir, n) && (in[n] == 0 || in[n] == '/');
}

/* Where SRC goes: DST itself, or DST/basename(SRC) when DST is a directory. */
static int target_of(const char *src, const char *dst, char *out, size_t n)
{
    nd_fs_info info;
    if (nd_fs_stat(dst, &info) == ND_OK && info.dir) return nd_cmd_join(out, n, dst, base_of(src));
    int k = snprintf(out, n, "%s", dst);
    return k < 0 || (size_t)k >= n ? ND_ELIMIT : ND_OK;
}

typedef struct cpstate {
    nd_opts o;
    int argi;
    char dst[ND_CMD_PATH_MAX];   /* the last operand, resolved */
    bool dst_dir;
    /* the source tree being copied (a file is a tree of one) */
    bool walking;
    nd_walk walk;
    char src_root[ND_CMD_PATH_MAX];
    char dst_root[ND_CMD_PATH_MAX];
    /* the file being copied */
    bool copying;
    char from[ND_CMD_PATH_MAX];
    char to[ND_CMD_PATH_MAX];
    char tmp[ND_CMD_PATH_MAX + 16];
    uint64_t off;
    int status;
    char buf[ND_CMD_CHUNK];
} cpstate;

static void cp_free(void *p)
{
    cpstate *st = p;
    if (st->copying) { /* killed halfway: no partial file stays */
        bool was = nd_fs_nofollow(true);
        nd_fs_remove(st->tmp);
        nd_fs_nofollow(was);
    }
    nd_walk_free(&st->walk);
    free(st);
}

static void cp_err(nd_nsh_io *io, cpstate *st, const char *rel, const char *why)
{
    char shown[ND_CMD_PATH_MAX + 2];
    nd_nsh_eprintf(io, "cp: %s: %s\n", nd_cmd_shown(rel, shown, sizeof shown), why);
    st->status = 1;
}

/* Start copying one file: checks, then a temporary file renamed at the end,
** so a reader never sees half a copy and an interrupted cp leaves nothing. */
static void cp_begin(nd_nsh_io *io, cpstate *st, const char *from, const char *to)
{
    nd_fs_info info;
    if (nd_nsh_protected(nd_nsh_node(io), to)) {
        cp_err(io, st, to, "protected file, not overwritten");
        return;
    }
    if (!strcmp(from, to)) {
        cp_err(io, st, to, "is the source itself");
        return;
    }
    if (nd_fs_stat(to, &info) == ND_OK && info.dir) {
        cp_err(io, st, to, "a directory is in the way");
        return;
    }
    snprintf(st->from, sizeof st->from, "%s", from);
    snprintf(st->to, sizeof st->to, "%s", to);
    snprintf(st->tmp, sizeof st->tmp, "%s.nsh-cp", to);
    nd_fs_remove(st->tmp);
    int rc = nd_fs_append(st->tmp, "", 0);
    if (rc != ND_OK) {
        cp_err(io, st, to, nd_cmd_strerror(rc));
        return;
    }
    st->off = 0;
    st->copying = true;
}

static int cp_chunk(nd_nsh_io *io, cpstate *st, size_t *budget)
{
    size_t got = 0;
    int rc = nd_fs_read_at(st->from, st->off, st->buf, sizeof st->buf, &got);
    if (rc == ND_OK && got) rc = nd_fs_append(st->tmp, st->buf, got);
    if (rc == ND_OK && got == 0) {
        rc = nd_fs_rename(st->tmp, st->to);
        st->copying = false;
        if (rc != ND_OK) {
            nd_fs_remove(st->tmp);
            cp_err(io, st, st->to, nd_cmd_strerror(rc));
        }
        return 0;
    }
    if (rc != ND_OK) {
        nd_fs_remove(st->tmp);
        st->copying = false;
        cp_err(io, st, st->from, nd_cmd_strerror(rc));
        return 0;
    }
    st->off += got;
    *budget = *budget > got ? *budget - got : 0;
    return 0;
}

static int cp_run(nd_nsh_io *io, cpstate *st)
{
    size_t budget = ND_CMD_SLICE;
    for (;;) {
        if (budget == 0) return nd_cmd_yield(io);
        if (st->copying) {
            cp_chunk(io, st, &budget);
            continue;
        }
        if (st->walking) {
            char rel[ND_CMD_PATH_MAX], to[ND_CMD_PATH_MAX];
            nd_fs_info info;
            int r = nd_walk_next(&st->walk, rel, sizeof rel, &info);
            if (r <= 0) {
                if (st->walk.truncated) cp_err(io, st, st->src_root, "tree too large or too deep, partly copied");
                nd_walk_free(&st->walk);
                st->walking = false;
                continue;
            }
            int k = snprintf(to, sizeof to, "%s%s", st->dst_root, rel + strlen(st->src_root));
            if (k < 0 || (size_t)k >= sizeof to) {
                cp_err(io, st, rel, "path too long");
                continue;
            }
            if (info.dir) {
                int rc = nd_fs_mkdir(to);
                if (rc != ND_OK) cp_err(io, st, to, rc == ND_EIO ? "a file is in the way" : nd_cmd_strerror(rc));
            } else {
                cp_begin(io, st, rel, to);
            }
            budget = budget > 4096 ? budget - 4096 : 0;
            continue;
        }
        if (st->argi >= st->o.npos - 1) return st->status;
        const char *arg = st->o.pos[st->argi++];
        char src[ND_CMD_PATH_MAX], to[ND_CMD_PATH_MAX];
        if (nd_cmd_path(io, "cp", arg, src, sizeof src)) {
            st->status = 1;
            continue;
        }
        nd_fs_info info;
        int rc = nd_fs_stat(src, &info);
        if (rc != ND_OK) {
            nd_nsh_eprintf(io, "cp: %s: %s\n", arg, nd_cmd_strerror(rc));
            st->status = 1;
            continue;
        }
        if (target_of(src, st->dst, to, sizeof to) != ND_OK) {
            nd_nsh_eprintf(io, "cp: %s: path too long\n", arg);
            st->status = 1;
            continue;
        }
        if (!info.dir) {
            cp_begin(io, st, src, to);
            continue;
        }
        if (!st->o.set['r']) {
            nd_nsh_eprintf(io, "cp: %s: is a directory (use cp -r)\n", arg);
            st->status = 1;
            continue;
        }
        if (is_under(to, src)) {
            nd_nsh_eprintf(io, "cp: %s: cannot copy a directory into itself\n", arg);
            st->status = 1;
            continue;
        }
        snprintf(st->src_root, sizeof st->src_root, "%s", src);
        snprintf(st->dst_root, sizeof st->dst_root, "%s", to);
        if (nd_walk_init(&st->walk, src) != ND_OK) {
            nd_nsh_eprintf(io, "cp: out of memory\n");
            return 1;
        }
        st->walking = true;
    }
}

#define SYN_CP "cp [-r] SRC... DST"
ND_CMD_DEF(c_cp, "cp", SYN_CP,
           "copy files (-r: directories too); into DST when it is a directory; protected "
           "files are never overwritten")
static int c_cp(nd_nsh_io *io, int argc, char **argv)
{
    cpstate *st = nd_nsh_state(io);
    if (st) return cp_run(io, st);
    st = calloc(1, sizeof *st);
    if (!st) {
        nd_nsh_eprintf(io, "cp: out of memory\n");
        return 1;
    }
    int rc = nd_cmd_opts(io, argc, argv, "rR", SYN_CP, &st->o);
    if (rc || st->o.npos < 2) {
        free(st);
        return rc ? rc : nd_cmd_usage(io, SYN_CP);
    }
    st->o.set['r'] |= st->o.set['R'];
    if (nd_cmd_path(io, "cp", st->o.pos[st->o.npos - 1], st->dst, sizeof st->dst)) {
        free(st);
        return 1;
    }
    nd_fs_info info;
    st->dst_dir = nd_fs_stat(st->dst, &info) == ND_OK && info.dir;
    if (st->o.npos > 2 && !st->dst_dir) {
        nd_nsh_eprintf(io, "cp: %s: not a directory (several sources)\n", st->o.pos[st->o.npos - 1]);
        free(st);
        return 1;
    }
    nd_nsh_set_state(io, st, cp_free);
    return cp_run(io, st);
}

/* Would moving this directory carry a protected file away? (bounded walk;
** a tree too large to check counts as holding one) */
static bool tree_has_protected(nd_nsh_io *io, const char *dir)
{
    nd_walk w;
    if (nd_walk_init(&w, dir) != ND_OK) return true;
    char rel[ND_CMD_PATH_MAX];
    nd_fs_info info;
    bool hit = false;
    int r;
    while (!hit && (r = nd_walk_next(&w, rel, sizeof rel, &info)) > 0)
        hit = nd_nsh_protected(nd_nsh_node(io), rel);
    hit = hit || w.truncated;
    nd_walk_free(&w);
    return hit;
}

#define SYN_MV "mv SRC... DST"
ND_CMD_DEF(c_mv, "mv", SYN_MV,
           "move or rename files and directories (into DST when it is a directory); "
           "protected files are refused")
static int c_mv(nd_nsh_io *io, int argc, char **argv)
{
    nd_opts o;
    int rc = nd_cmd_opts(io, argc, argv, "", SYN_MV, &o);
    if (rc) return rc;
    if (o.npos < 2) return nd_cmd_usage(io, SYN_MV);
    struct nd_node *node = nd_nsh_node(io);
    char dst[ND_CMD_PATH_MAX];
    if (nd_cmd_path(io, "mv", o.pos[o.npos - 1], dst, sizeof dst)) return 1;
    nd_fs_info info;
    bool dst_dir = nd_fs_stat(dst, &info) == ND_OK && info.dir;
    if (o.npos > 2 && !dst_dir) {
        nd_nsh_eprintf(io, "mv: %s: not a directory (several sources)\n", o.pos[o.npos - 1]);
        return 1;
    }
    int status = 0;
    for (int i = 0; i < o.npos - 1; i++) {
        char src[ND_CMD_PATH_MAX], to[ND_CMD_PATH_MAX], shown[ND_CMD_PATH_MAX + 2];
        if (nd_cmd_path(io, "mv", o.pos[i], src, sizeof src)) {
            status = 1;
            continue;
        }
        if (!strcmp(src, ".")) {
            nd_nsh_eprintf(io, "mv: refusing to move '/'\n");
            status = 1;
            continue;
        }
        rc = nd_fs_stat(src, &info);
        if (rc != ND_OK) {
            nd_nsh_eprintf(io, "mv: %s: %s\n", o.pos[i], nd_cmd_strerror(rc));
            status = 1;
            continue;
        }
        if (target_of(src, dst, to, sizeof to) != ND_OK) {
            nd_nsh_eprintf(io, "mv: %s: path too long\n", o.pos[i]);
            status = 1;
            continue;
        }
        if (nd_nsh_protected(node, src) || nd_nsh_protected(node, to)) {
            nd_nsh_eprintf(io, "mv: %s: protected file, refused\n",
                           nd_cmd_shown(nd_nsh_protected(node, src) ? src : to, shown, sizeof shown));
            status = 1;
            continue;
        }
        if (info.dir && tree_has_protected(io, src)) {
            nd_nsh_eprintf(io, "mv: %s: holds protected files, refused\n", o.pos[i]);
            status = 1;
            continue;
        }
        if (info.dir && is_under(to, src)) {
            nd_nsh_eprintf(io, "mv: %s: cannot move a directory into itself\n", o.pos[i]);
            status = 1;
            continue;
        }
        if (!strcmp(src, to)) continue;
        rc = nd_fs_rename(src, to);
        if (rc != ND_OK) {
            nd_nsh_eprintf(io, "mv: %s: %s\n", o.pos[i], nd_cmd_strerror(rc));
            status = 1;
        }
    }
    return status;
}

const nd_nsh_cmd *const nd_nsh_cmds_fs[] = {
    &c_ls_def,  &c_cat_def,   &c_head_def,    &c_tail_def, &c_cp_def,   &c_mv_def,
    &c_rm_def,  &c_mkdir_def, &c_rmdir_def,   &c_touch_def, &c_find_def, &c_grep_def,
    &c_hex_def, &c_wc_def,    NULL,
};
