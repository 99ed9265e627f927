/*
** fuzz_cron.c -- libFuzzer target for the crontasks parser, the POSIX TZ
** parser and the next/previous fire computation.
**
** Input: "<TZ string>\n" + 12 bytes (instant, latitude, longitude) + the
** crontasks text. Beyond memory safety (ASan/UBSan) the target checks the
** scheduling invariants and aborts when one fails:
**   next(t) > t; prev(next(t)) == next(t); nothing in (t, next(t));
**   the fold-0 wall-time mapping is consistent with nd_tz_wall_after.
** Seed corpus: tests/fuzz/corpus/cron/.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nodus/node.h"
#include "nodus/value.h"
#include "cron.h"
#include "sun.h"
#include "tz.h"

static void check(int ok)
{
    if (!ok)
        abort();
}

static void check_tz(const nd_tz *tz, int64_t t)
{
    int32_t off = nd_tz_offset_utc(tz, t);
    check(off == tz->std_off || off == tz->dst_off);
    int64_t L = nd_tz_wall_after(tz, t);
    check(nd_tz_local_to_utc(tz, L, 0, NULL) > t);
    check(nd_tz_local_to_utc(tz, L - 1, 0, NULL) <= t);
    int st;
    int64_t u = nd_tz_local_to_utc(tz, t + off, 0, &st);
    if (st != ND_TZ_GAP)
        check(u + nd_tz_offset_utc(tz, u) == t + off);
    int64_t w;
    if (nd_tz_next_transition(tz, t, &w, NULL, NULL))
        check(w > t);
    if (nd_tz_prev_transition(tz, t, &w, NULL, NULL))
        check(w <= t);
}

static void check_entry(const nd_cron_entry *e, const nd_tz *tz, double lat, double lon, int64_t t)
{
    int64_t n, p, q;
    int rc = nd_cron_next(e, tz, lat, lon, t, &n);
    check(rc == ND_OK || rc == ND_ENOTFOUND || rc == ND_EINVAL);
    if (rc != ND_OK)
        return;
    check(n > t);
    check(nd_cron_prev(e, tz, lat, lon, n, &p) == ND_OK && p == n);
    rc = nd_cron_prev(e, tz, lat, lon, n - 1, &p);
    check(rc == ND_OK || rc == ND_ENOTFOUND);
    if (rc == ND_OK) {
        check(p <= t);
        check(nd_cron_next(e, tz, lat, lon, p, &q) == ND_OK && q == n);
    }
    int64_t occ;
    rc = nd_cron_missed(e, tz, lat, lon, t - 3600, n + 60, &occ);
    check(rc == 0 || rc == 1);
    if (rc == 1) /* the newest occurrence in (t - 1 h, n + 60], within ~N */
        check(occ >= n && occ <= n + 60 && e->catchup > 0 && n + 60 - occ <= e->catchup * 60);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static nd_cron_table table;
    char tzs[128];
    char *text;
    nd_tz tz;
    char err[128];

    const uint8_t *nl = memchr(data, '\n', size < sizeof tzs ? size : sizeof tzs);
    size_t tl = nl ? (size_t)(nl - data) : 0;
    memcpy(tzs, data, tl);
    tzs[tl] = 0;
    data += nl ? tl + 1 : 0;
    size -= nl ? tl + 1 : 0;

    if (nd_tz_parse(&tz, tzs, err, sizeof err) != ND_OK) {
        check(err[0] != 0 && memchr(err, 0, sizeof err) != NULL);
        nd_tz_fixed(&tz, 3600);
    }

    uint8_t raw[12] = {0};
    size_t rl = size < sizeof raw ? size : sizeof raw;
    memcpy(raw, data, rl);
    data += rl;
    size -= rl;
    uint64_t u = 0;
    for (int i = 0; i < 8; i++)
        u = u << 8 | raw[i];
    /* Mostly near the present (DST, sun), sometimes anywhere in the range. */
    int64_t span = (raw[0] & 0x80) ? ND_CRON_T_MAX - ND_CRON_T_MIN : INT64_C(200) * 366 * 86400;
    int64_t base = (raw[0] & 0x80) ? ND_CRON_T_MIN : INT64_C(946684800);
    int64_t t = base + (int64_t)(u % (uint64_t)span);
    double lat = ((raw[8] << 8 | raw[9]) % 18001) / 100.0 - 90.0;
    double lon = ((raw[10] << 8 | raw[11]) % 36001) / 100.0 - 180.0;

    check_tz(&tz, t);

    text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = 0;
    int rc = nd_cron_parse(&table, text);
    check(rc == ND_OK || rc == ND_ESYNTAX || rc == ND_ELIMIT);
    check(table.n >= 0 && table.n <= ND_CRON_MAX && table.nerr <= ND_CRON_MAX + 1);
    for (int i = 0; i < table.nerr; i++)
        check(table.err[i].reason[0] != 0);
    for (int i = 0; i < table.n && i < 6; i++) {
        check(table.e[i].cmd[0] != 0);
        check_entry(&table.e[i], &tz, lat, lon, t);
    }
    free(text);
    return 0;
}
