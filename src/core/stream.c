/*
** stream.c -- two of micrOS's Common helpers for module authors (module.h):
** socket_stream (nd_stream: `~~~` lines to every shell session, through
** shell.c) and data_logger (nd_data_log: a small rotating text log under
** data/, as micrOS's Logger.logger keeps it).
**
** The data log is rewritten whole on each append (atomically): it is at most
** ND_DATALOG_LINES short lines, the same trade micrOS makes for flash.
*/
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "node_int.h"
#include "nodus/module.h"
#include "nodus/port.h"

void nd_stream(nd_call *c, const char *fmt, ...)
{
    char text[ND_DATALOG_LINE_MAX * 2];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (k < 0) return;
    size_t n = (size_t)k < sizeof text ? (size_t)k : sizeof text - 1;
    nd_shell_broadcast(c->node, text, n);
}

static int log_path(nd_call *c, const char *name, char *rel, size_t cap)
{
    size_t n = strlen(name);
    size_t base = n > 4 && !strcmp(name + n - 4, ".dat") ? n - 4 : n; /* micrOS adds .dat */
    if (base == 0 || base > 32)
        return nd_fail(c, "data log name must be 1..32 characters, not %zu", base);
    for (size_t i = 0; i < base; i++) {
        char ch = name[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '-'))
            return nd_fail(c, "data log name may use A-Z a-z 0-9 _ - only");
    }
    snprintf(rel, cap, "data/%.*s.dat", (int)base, name);
    return ND_OK;
}

#define FILE_MAX (ND_DATALOG_LINES * (ND_DATALOG_LINE_MAX + 24) + 64)

int nd_data_log(nd_call *c, const char *name, const char *line, int limit)
{
    char rel[64];
    if (log_path(c, name, rel, sizeof rel)) return ND_ERR;
    if (limit < 1) return nd_fail(c, "data log limit must be at least 1, not %d", limit);
    if (limit > ND_DATALOG_LINES) limit = ND_DATALOG_LINES; /* micrOS: min(limit, 30) */
    size_t ln = strlen(line);
    if (ln > ND_DATALOG_LINE_MAX)
        return nd_fail(c, "data log line longer than %d bytes", ND_DATALOG_LINE_MAX);
    if (memchr(line, '\n', ln) || memchr(line, '\r', ln))
        return nd_fail(c, "data log line must not contain a line break");
    /* from the call's arena, not static: 16 KB a node keeps only while a
    ** module is logging (the firmware's RAM budget, issue 15) */
    char *old = nd_arena_alloc(c->arena, FILE_MAX), *out = nd_arena_alloc(c->arena, FILE_MAX);
    if (!old || !out) return nd_fail(c, "memory allocation failed");
    size_t on = 0;
    if (nd_fs_read(rel, old, FILE_MAX - 1, &on) != ND_OK) on = 0;
    old[on] = 0;
    /* keep the last limit-1 old lines, then the new one */
    const char *keep[ND_DATALOG_LINES];
    size_t keepn[ND_DATALOG_LINES];
    int kn = 0;
    for (char *p = old; *p;) {
        char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n) {
            if (kn == ND_DATALOG_LINES) {
                memmove(keep, keep + 1, sizeof keep[0] * (ND_DATALOG_LINES - 1));
                memmove(keepn, keepn + 1, sizeof keepn[0] * (ND_DATALOG_LINES - 1));
                kn--;
            }
            keep[kn] = p;
            keepn[kn++] = n;
        }
        p += n + (e ? 1 : 0);
    }
    int first = kn - (limit - 1) > 0 ? kn - (limit - 1) : 0;
    size_t o = 0;
    for (int i = first; i < kn; i++) {
        memcpy(out + o, keep[i], keepn[i]);
        o += keepn[i];
        out[o++] = '\n';
    }
    nd_tm tm;
    nd_node_localtime(c->node, &tm);
    int k = snprintf(out + o, FILE_MAX - o, "%d.%d.%d-%d:%d:%d %s\n", tm.year, tm.mon, tm.mday,
                     tm.hour, tm.min, tm.sec, line);
    if (k < 0 || (size_t)k >= FILE_MAX - o) return nd_fail(c, "data log line too long");
    o += (size_t)k;
    nd_fs_mkdir("data");
    int rc = nd_fs_write_atomic(rel, out, o);
    if (rc != ND_OK) return nd_fail(c, "cannot write %s: %s", rel, nd_strerror(rc));
    return ND_OK;
}

int nd_data_log_stream(nd_call *c, const char *name)
{
    char rel[64];
    if (log_path(c, name, rel, sizeof rel)) return ND_ERR;
    char *buf = nd_arena_alloc(c->arena, FILE_MAX); /* not static: see nd_data_log */
    if (!buf) return nd_fail(c, "memory allocation failed");
    size_t n = 0;
    nd_stream(c, "%s", rel + 5); /* micrOS: the file name, then "\t<line>" each */
    int rc = nd_fs_read(rel, buf, FILE_MAX - 1, &n);
    if (rc == ND_ENOTFOUND) return 0; /* nothing logged yet: micrOS streams the name only */
    if (rc != ND_OK) return nd_fail(c, "cannot read %s: %s", rel, nd_strerror(rc));
    buf[n] = 0;
    int lines = 0;
    for (char *p = buf; *p;) {
        char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len) {
            nd_stream(c, "\t%.*s", (int)len, p);
            lines++;
        }
        p += len + (e ? 1 : 0);
    }
    return lines;
}
