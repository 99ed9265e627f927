/*
** log.c -- bounded log files in the state directory, micrOS layout.
**
** A line's leading tag picks its file (docs/micros-compat.md §1.2): [ERR] -> err,
** [WARN] -> warn, [BOOT] -> boot, [INFO] -> info, anything else -> user,
** all as logs/<name>.sys.log with lines "<Y.M.D-h:m:s> <text>". micrOS keeps
** only 4 lines per file; we keep up to `logmax` bytes per file and one older
** generation (<file>.1), so the state directory can never fill up with logs.
**
** Secrets never reach a log line or an event: nd_log masks every line before
** the console, the event stream and the file see it, and events.c masks at
** its emit choke point. A password gets into text in many ways -- a boothook
** after $pwd substitution, a failed pipeline command, a task's error output,
** a module function given pwd='...' -- and masking where text leaves the
** node, not where it is made, means no caller can forget it.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node_int.h"
#include "nodus/port.h"

/* The tags with a file of their own, logs/<tag in lower case>.sys.log;
** any other line goes to logs/user.sys.log. The first two also reach the
** console when `dbg` is off. */
static const char routes[][5] = {"ERR", "WARN", "BOOT", "INFO"};
#define ROUTES (sizeof routes / sizeof routes[0])

/* ---- secrets ------------------------------------------------------------ */

#define MASK_STACK 8192 /* texts up to this length are masked without malloc */

static bool marked(const unsigned char *bits, size_t i)
{
    return bits[i / 8] & (1u << (i % 8));
}

static void mark_run(unsigned char *bits, size_t from, size_t to)
{
    for (size_t j = from; j < to; j++) bits[j / 8] |= (unsigned char)(1u << (j % 8));
}

/* Mark in bits every byte of text covered by an occurrence of s (and, when
** cut, by a tail of text that is the start of s). */
static void mark(unsigned char *bits, const char *text, size_t len, const char *s, size_t sn,
                 bool cut)
{
    if (sn < ND_MASK_MIN) return;
    for (size_t i = 0; i + sn <= len; i++)
        if (text[i] == s[0] && !memcmp(text + i, s, sn)) mark_run(bits, i, i + sn);
    if (!cut) return;
    for (size_t t = sn - 1 < len ? sn - 1 : len; t > 0; t--)
        if (!memcmp(text + len - t, s, t)) {
            mark_run(bits, len - t, len);
            break;
        }
}

static void mark_trimmed(unsigned char *bits, const char *text, size_t len, const char *s,
                         const char *e, bool cut)
{
    while (s < e && (*s == ' ' || *s == '\t')) s++;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t')) e--;
    mark(bits, text, len, s, (size_t)(e - s), cut);
}

size_t nd_mask_secrets(const struct nd_node *n, char *text, size_t len, bool cut)
{
    if (!n || !n->cfg || !text || !len) return len;
    unsigned char stack[MASK_STACK / 8], *bits = stack;
    if (len > MASK_STACK && !(bits = malloc(len / 8 + 1))) {
        /* cannot tell where the secrets are: give nothing away */
        size_t k = len < 8 ? len : 8;
        memcpy(text, "[masked]", k);
        text[k] = 0;
        return k;
    }
    memset(bits, 0, len / 8 + 1);
    for (int i = 0; i < ND_K_COUNT; i++) {
        const nd_cfg_key *key = nd_cfg_schema_at((size_t)i);
        if (!(key->flags & ND_CFG_SECRET) || key->type != ND_CFG_STR) continue;
        const char *v = nd_cfg_get_str(n->cfg, (nd_key)i);
        size_t vn = strlen(v);
        mark(bits, text, len, v, vn, cut);
        /* a list of secrets ("pw1;pw2", "peer=pw;peer2=pw2"): each piece, and
        ** the secret of a name=secret piece, blanks around them trimmed */
        for (const char *p = v; p <= v + vn;) {
            const char *e = memchr(p, ';', (size_t)(v + vn - p));
            const char *pe = e ? e : v + vn;
            mark_trimmed(bits, text, len, p, pe, cut);
            const char *eq = memchr(p, '=', (size_t)(pe - p));
            if (eq) mark_trimmed(bits, text, len, eq + 1, pe, cut);
            p = pe + 1;
        }
    }
    /* squeeze: each run of marked bytes becomes "****" (a cut tail shorter
    ** than that becomes as many '*'), so the text never grows */
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        if (!marked(bits, i)) {
            text[o++] = text[i++];
            continue;
        }
        size_t r = 0;
        while (i < len && marked(bits, i)) i++, r++;
        size_t m = r < 4 ? r : 4;
        memset(text + o, '*', m);
        o += m;
    }
    if (bits != stack) free(bits);
    text[o] = 0;
    return o;
}

/* ---- the log ---------------------------------------------------------------- */

void nd_log(struct nd_node *n, const char *fmt, ...)
{
    char line[512];
    nd_tm tm;
    nd_node_localtime(n, &tm);
    int k = snprintf(line, sizeof line, "%d.%d.%d-%d:%d:%d ", tm.year, tm.mon, tm.mday, tm.hour,
                     tm.min, tm.sec);
    va_list ap;
    va_start(ap, fmt);
    int t = vsnprintf(line + k, sizeof line - (size_t)k - 1, fmt, ap);
    va_end(ap);
    /* before anything leaves: console, events, file. A line cut short may end
    ** in the first characters of a secret: those are masked too */
    size_t room = sizeof line - (size_t)k - 2;
    size_t tn = strlen(line + k);
    nd_mask_secrets(n, line + k, tn, t > 0 && (size_t)t > room);
    /* one record per line: newlines inside the text would split records */
    for (char *p = line + k; *p; p++)
        if (*p == '\n' || *p == '\r') *p = ' ';
    char name[5] = "user";
    size_t route = ROUTES; /* the line's tag in routes[] */
    for (size_t i = 0; i < ROUTES; i++) {
        size_t tl = strlen(routes[i]);
        if (line[k] == '[' && !strncmp(line + k + 1, routes[i], tl) && line[k + 1 + tl] == ']') {
            for (size_t j = 0; j < tl; j++) name[j] = (char)(routes[i][j] | 0x20); /* A-Z: a-z */
            name[tl] = 0;
            route = i;
        }
    }
    /* `dbg` (micrOS: console debug prints): False keeps the console -- the
    ** journal under systemd -- to errors and warnings; files and events get
    ** every line either way. Read per line: a change counts at once. */
    if (!n->cfg || nd_cfg_get_bool(n->cfg, ND_K_dbg) || route <= 1) /* [ERR] or [WARN] */
        nd_port_console(line);
    nd_emit_log(n, line);

    char file[24], old[sizeof file + 2];
    snprintf(file, sizeof file, "logs/%s.sys.log", name);
    snprintf(old, sizeof old, "%s.1", file);
    size_t len = strlen(line);
    line[len++] = '\n';
    size_t cur = 0;
    int64_t max = n->cfg ? nd_cfg_get_int(n->cfg, ND_K_logmax) : 16384;
    if (max < 1024) max = 1024;
    if (nd_fs_size(file, &cur) == ND_OK && cur + len > (size_t)max) nd_fs_rename(file, old);
    nd_fs_append(file, line, len);
}
