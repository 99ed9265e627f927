/*
** cmd.c -- command line splitting (see cmd.h).
*/
#include "cmd.h"

#include <stdio.h>
#include <string.h>


/* Last whitespace-separated word of [p, e) (e already trimmed). */
static nd_span last_word(const char *p, const char *e)
{
    const char *s = e;
    while (s > p && !nd_is_space(s[-1])) s--;
    return (nd_span){s, (size_t)(e - s)};
}

static bool host_ok(nd_span h)
{
    if (!h.n || h.n > 253) return false;
    /* an IPv6 literal, bare or in brackets ("::1", "[fe80::1]") */
    bool v6 = memchr(h.p, ':', h.n) != NULL;
    size_t a = v6 && h.n >= 2 && h.p[0] == '[' && h.p[h.n - 1] == ']' ? 1 : 0;
    if (v6 && h.n - 2 * a > 45) return false;
    for (size_t i = a; i < h.n - a; i++) {
        char ch = h.p[i], l = (char)(ch | 0x20);
        bool ok = (ch >= '0' && ch <= '9') || ch == '.' || (v6 ? (l >= 'a' && l <= 'f') || ch == ':'
                                                             : (l >= 'a' && l <= 'z') || ch == '_' || ch == '-');
        if (!ok) return false;
    }
    return true;
}

static bool is_task_word(nd_span w)
{
    return w.n >= 1 && w.p[0] == '&';
}

int nd_cmd_parse(const char *line, size_t n, nd_cmd *c, char *err, size_t errn)
{
    memset(c, 0, sizeof *c);
    c->task_ms = -1;
    nd_span all = nd_span_trim((nd_span){line, n});
    const char *p = all.p, *e = all.p + all.n;
    c->local = all;

    /* Postfixes, right to left. Once >>host is seen, everything left of it
    ** (including a >json) belongs to the remote command. */
    for (;;) {
        nd_span w = last_word(p, e);
        if (!w.n || w.p == p) break; /* never strip the first word */
        if (nd_span_eq(w, ">json") && !c->host.n) {
            c->json = true;
        } else if (nd_span_prefix(w, ">>") && !c->host.n && !c->task) {
            nd_span h = {w.p + 2, w.n - 2};
            if (!host_ok(h)) {
                snprintf(err, errn, "Invalid InterCon host: %.*s", (int)(h.n > 64 ? 64 : h.n), h.p);
                return -1;
            }
            c->host = h;
            c->json = false; /* a >json left of >>host is the remote's business */
        } else if (is_task_word(w) && !c->host.n && !c->task) {
            size_t i = 1;
            c->task = ND_TASK_ONCE;
            if (w.n > 1 && w.p[1] == '&') {
                c->task = ND_TASK_LOOP;
                i = 2;
            }
            if (i < w.n) {
                int64_t ms = 0;
                for (; i < w.n; i++) {
                    if (w.p[i] < '0' || w.p[i] > '9' || ms > 100000000000LL) {
                        snprintf(err, errn, "Invalid task postfix: %.*s (use &, &<ms>, && or &&<ms>)",
                                 (int)(w.n > 32 ? 32 : w.n), w.p);
                        return -1;
                    }
                    ms = ms * 10 + (w.p[i] - '0');
                }
                c->task_ms = ms;
            }
        } else {
            break;
        }
        nd_span rest = nd_span_trim((nd_span){p, (size_t)(w.p - p)});
        if (c->host.p == w.p + 2) c->local = rest; /* the line left of >>host */
        e = rest.p + rest.n;
    }

    /* words */
    const char *q = p;
    for (nd_span *w = &c->w0;; w = &c->w1) {
        while (q < e && nd_is_space(*q)) q++;
        if (q >= e) break;
        if (++c->nwords > 2) break; /* a third word: only counted */
        const char *s = q;
        while (q < e && !nd_is_space(*q)) q++;
        *w = (nd_span){s, (size_t)(q - s)};
    }
    if (c->nwords >= 2) {
        const char *a = c->w1.p + c->w1.n;
        c->args = nd_span_trim((nd_span){a, (size_t)(e - a)});
    } else {
        c->args = (nd_span){e, 0};
    }
    if (c->task && c->nwords < 2) {
        /* micrOS needs module and function for a task; without them the
        ** '&' word is an ordinary word */
        c->task = ND_TASK_NONE;
        c->task_ms = -1;
    }
    return 0;
}
