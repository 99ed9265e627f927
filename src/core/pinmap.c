/*
** pinmap.c -- cstmpmap parsing, name resolution and pin booking (pinmap.h).
**
** micrOS parses cstmpmap with a dict comprehension: one bad item throws the
** whole override set away and only a syslog line says so. Here every item is
** judged on its own: good ones apply, bad ones are skipped and described, so
** a typo in one override does not silently move every other pin back.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nodus/value.h"
#include "pinmap.h"

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* Trim [*s, *e) in place. */
static void trim(const char **s, const char **e)
{
    while (*s < *e && is_space(**s)) (*s)++;
    while (*e > *s && is_space((*e)[-1])) (*e)--;
}

static bool valid_name(const char *s, size_t n)
{
    if (n == 0 || n >= ND_PIN_TAG_MAX) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return true;
}

/* Python int() of a short decimal text: optional sign, digits, '_' between
** digits. Values past +-99999 are refused (no board has such pins). */
static bool parse_pin(const char *s, size_t n, int *out)
{
    size_t i = 0;
    int sign = 1;
    if (i < n && (s[i] == '+' || s[i] == '-')) sign = s[i++] == '-' ? -1 : 1;
    if (i == n) return false;
    long v = 0;
    bool digit = false;
    for (; i < n; i++) {
        if (s[i] == '_' && digit && i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '9') continue;
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
        digit = true;
        if (v > 99999) return false;
    }
    *out = (int)(sign * v);
    return true;
}

/* Append "; " + message to the problems text (silently truncated). */
static void problem(nd_pinmap *pm, const char *fmt, ...)
{
    size_t len = strlen(pm->problems);
    if (len + 4 >= sizeof pm->problems) return;
    if (len) {
        memcpy(pm->problems + len, "; ", 3);
        len += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(pm->problems + len, sizeof pm->problems - len, fmt, ap);
    va_end(ap);
}

/* A printable copy of user text for messages: at most 24 characters,
** control and non-ASCII bytes as '?'. */
static const char *shown(char out[32], const char *s, size_t n)
{
    size_t k = n > 24 ? 24 : n;
    for (size_t i = 0; i < k; i++) out[i] = (s[i] >= 32 && s[i] < 127) ? s[i] : '?';
    if (n > k) {
        memcpy(out + k, "...", 3);
        k += 3;
    }
    out[k] = 0;
    return out;
}

bool nd_pinmap_in_range(const nd_pinmap *pm, int pin)
{
    if (pin == ND_PIN_LED) {
        int p;
        return nd_board_pin(pm->board, "builtin", &p) && p == ND_PIN_LED;
    }
    int a = pin < 0 ? -pin : pin;
    return a <= pm->board->max_gpio;
}

static nd_pin_entry *find_entry(nd_pin_entry *tab, int n, const char *tag)
{
    for (int i = 0; i < n; i++)
        if (strcmp(tab[i].tag, tag) == 0) return &tab[i];
    return NULL;
}

static int set_custom(nd_pinmap *pm, const char *tag, size_t n, int pin)
{
    char name[ND_PIN_TAG_MAX];
    memcpy(name, tag, n);
    name[n] = 0;
    nd_pin_entry *e = find_entry(pm->custom, pm->ncustom, name);
    if (!e) {
        if (pm->ncustom >= ND_PINMAP_CUSTOM_MAX) return ND_ELIMIT;
        e = &pm->custom[pm->ncustom++];
        memcpy(e->tag, name, n + 1);
    }
    e->pin = pin;
    return ND_OK;
}

static void parse_item(nd_pinmap *pm, const char *s, const char *e, int idx)
{
    char a[32], b[32];
    const char *colon = memchr(s, ':', (size_t)(e - s));
    if (!colon) {
        problem(pm, "item %d '%s' is not name:pin", idx, shown(a, s, (size_t)(e - s)));
        return;
    }
    const char *ns = s, *ne = colon, *ps = colon + 1, *pe = e;
    trim(&ns, &ne);
    trim(&ps, &pe);
    size_t nn = (size_t)(ne - ns), pn = (size_t)(pe - ps);
    int pin;
    if (!valid_name(ns, nn)) {
        problem(pm, "item %d: bad pin name '%s' (1-%d of A-Z a-z 0-9 _)", idx, shown(a, ns, nn),
                ND_PIN_TAG_MAX - 1);
    } else if (!parse_pin(ps, pn, &pin)) {
        problem(pm, "item %d: %s:'%s' is not an integer pin", idx, shown(a, ns, nn), shown(b, ps, pn));
    } else if (!nd_pinmap_in_range(pm, pin)) {
        problem(pm, "item %d: %s:%d out of range for %s (0..%d)", idx, shown(a, ns, nn), pin,
                pm->board->name, pm->board->max_gpio);
    } else if (set_custom(pm, ns, nn, pin) != ND_OK) {
        problem(pm, "item %d: too many overrides (max %d)", idx, ND_PINMAP_CUSTOM_MAX);
    }
}

int nd_pinmap_init(nd_pinmap *pm, const char *board, const char *cstmpmap)
{
    memset(pm, 0, sizeof *pm);
    pm->board = board ? nd_board_find(board) : NULL;
    if (!pm->board) pm->board = nd_board_find("sim");
    if (!cstmpmap) return ND_OK;
    const char *s = cstmpmap, *end = s + strlen(s);
    trim(&s, &end);
    if ((size_t)(end - s) == 3 && memcmp(s, "n/a", 3) == 0) return ND_OK;

    /* First item without ':' names the map (micrOS set_pinmap). */
    const char *semi = memchr(s, ';', (size_t)(end - s));
    const char *fe = semi ? semi : end, *fs = s;
    trim(&fs, &fe);
    bool first_is_map = fe > fs && !memchr(fs, ':', (size_t)(fe - fs));
    if (first_is_map) {
        char name[32];
        size_t n = (size_t)(fe - fs);
        const nd_board *b = NULL;
        if (n < sizeof name) {
            memcpy(name, fs, n);
            name[n] = 0;
            b = nd_board_find(name);
        }
        if (b) {
            pm->board = b;
        } else {
            char shw[32];
            problem(pm, "unknown map '%s', using %s", shown(shw, fs, n), pm->board->name);
        }
        s = semi ? semi + 1 : end;
    }
    for (int idx = first_is_map ? 2 : 1; s < end; idx++) {
        semi = memchr(s, ';', (size_t)(end - s));
        const char *is = s, *ie = semi ? semi : end;
        trim(&is, &ie);
        if (ie > is) parse_item(pm, is, ie, idx); /* empty items (";;", trailing ';') are fine */
        s = semi ? semi + 1 : end;
    }
    return pm->problems[0] ? ND_ESYNTAX : ND_OK;
}

static void errf(char *err, size_t errn, const char *fmt, ...)
{
    if (!err || !errn) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errn, fmt, ap);
    va_end(ap);
}

int nd_pinmap_resolve(const nd_pinmap *pm, const char *tag, int *pin, char *err, size_t errn)
{
    for (int i = 0; i < pm->ncustom; i++)
        if (strcmp(pm->custom[i].tag, tag) == 0) {
            *pin = pm->custom[i].pin;
            return ND_OK;
        }
    if (nd_board_pin(pm->board, tag, pin)) return ND_OK;
    errf(err, errn, "[io-resolve] error: no pin named '%s' in map %s", tag, pm->board->name);
    return ND_ENOTFOUND;
}

static int wire(int pin) { return pin < 0 ? -pin : pin; } /* -8 and 8 are one wire */

void nd_pinmap_release(nd_pinmap *pm, const char *tag)
{
    int k = 0;
    for (int i = 0; i < pm->nbooked; i++)
        if (strcmp(pm->booked[i].tag, tag) != 0) pm->booked[k++] = pm->booked[i];
    pm->nbooked = k;
}

int nd_pinmap_bind(nd_pinmap *pm, const char *tag, const int *number, int *pin, char *err,
                   size_t errn)
{
    size_t tn = strlen(tag);
    if (!valid_name(tag, tn)) {
        errf(err, errn, "[io] bad pin name '%s'", tag);
        return ND_EINVAL;
    }
    int p;
    if (number) {
        p = *number;
        if (!nd_pinmap_in_range(pm, p)) {
            errf(err, errn, "[io] Pin %s:%d out of range for %s (0..%d)", tag, p, pm->board->name,
                 pm->board->max_gpio);
            return ND_EINVAL;
        }
    } else {
        int rc = nd_pinmap_resolve(pm, tag, &p, err, errn);
        if (rc != ND_OK) return rc;
    }
    const nd_pin_entry *owner = NULL;
    for (int i = 0; i < pm->nbooked; i++)
        if (wire(pm->booked[i].pin) == wire(p)) owner = &pm->booked[i];
    if (owner && strcmp(owner->tag, tag) != 0) {
        if (number)
            errf(err, errn, "[io-register] %s:%d already in use: %s", tag, p, owner->tag);
        else
            errf(err, errn, "[io] Pin %s is busy: %s:%d", tag, owner->tag, owner->pin);
        return ND_ERR;
    }
    if (number && set_custom(pm, tag, tn, p) != ND_OK) {
        errf(err, errn, "[io] too many custom pins (max %d)", ND_PINMAP_CUSTOM_MAX);
        return ND_ELIMIT;
    }
    *pin = p;
    if (owner) return ND_OK; /* same tag, same wire: a module initialised again */
    nd_pinmap_release(pm, tag); /* the tag moved to another pin */
    if (pm->nbooked >= ND_PINMAP_BOOK_MAX) {
        errf(err, errn, "[io] too many booked pins (max %d)", ND_PINMAP_BOOK_MAX);
        return ND_ELIMIT;
    }
    nd_pin_entry *e = &pm->booked[pm->nbooked++];
    memcpy(e->tag, tag, tn + 1);
    e->pin = p;
    return ND_OK;
}
