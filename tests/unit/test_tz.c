/*
** test_tz.c -- POSIX TZ parsing, offsets, transitions, wall time -> UTC.
** Transition tables were generated independently from Python's zoneinfo
** (IANA tzdata) and cover every transition 2008-2037.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "nodus/node.h"
#include "nodus/value.h"
#include "tz.h"

#if ND_WITH_TZ /* without it (a board's minimal image) only test_fixed applies */
/* Europe/Berlin transitions 2008-2037 from Python zoneinfo: {utc, offset after} */
static const int64_t tr_berlin[][2] = {
    {1206838800, 7200}, {1224982800, 3600}, {1238288400, 7200},
    {1256432400, 3600}, {1269738000, 7200}, {1288486800, 3600},
    {1301187600, 7200}, {1319936400, 3600}, {1332637200, 7200},
    {1351386000, 3600}, {1364691600, 7200}, {1382835600, 3600},
    {1396141200, 7200}, {1414285200, 3600}, {1427590800, 7200},
    {1445734800, 3600}, {1459040400, 7200}, {1477789200, 3600},
    {1490490000, 7200}, {1509238800, 3600}, {1521939600, 7200},
    {1540688400, 3600}, {1553994000, 7200}, {1572138000, 3600},
    {1585443600, 7200}, {1603587600, 3600}, {1616893200, 7200},
    {1635642000, 3600}, {1648342800, 7200}, {1667091600, 3600},
    {1679792400, 7200}, {1698541200, 3600}, {1711846800, 7200},
    {1729990800, 3600}, {1743296400, 7200}, {1761440400, 3600},
    {1774746000, 7200}, {1792890000, 3600}, {1806195600, 7200},
    {1824944400, 3600}, {1837645200, 7200}, {1856394000, 3600},
    {1869094800, 7200}, {1887843600, 3600}, {1901149200, 7200},
    {1919293200, 3600}, {1932598800, 7200}, {1950742800, 3600},
    {1964048400, 7200}, {1982797200, 3600}, {1995498000, 7200},
    {2014246800, 3600}, {2026947600, 7200}, {2045696400, 3600},
    {2058397200, 7200}, {2077146000, 3600}, {2090451600, 7200},
    {2108595600, 3600}, {2121901200, 7200}, {2140045200, 3600},
};
/* America/New_York transitions 2008-2037 from Python zoneinfo: {utc, offset after} */
static const int64_t tr_newyork[][2] = {
    {1205046000, -14400}, {1225605600, -18000}, {1236495600, -14400},
    {1257055200, -18000}, {1268550000, -14400}, {1289109600, -18000},
    {1299999600, -14400}, {1320559200, -18000}, {1331449200, -14400},
    {1352008800, -18000}, {1362898800, -14400}, {1383458400, -18000},
    {1394348400, -14400}, {1414908000, -18000}, {1425798000, -14400},
    {1446357600, -18000}, {1457852400, -14400}, {1478412000, -18000},
    {1489302000, -14400}, {1509861600, -18000}, {1520751600, -14400},
    {1541311200, -18000}, {1552201200, -14400}, {1572760800, -18000},
    {1583650800, -14400}, {1604210400, -18000}, {1615705200, -14400},
    {1636264800, -18000}, {1647154800, -14400}, {1667714400, -18000},
    {1678604400, -14400}, {1699164000, -18000}, {1710054000, -14400},
    {1730613600, -18000}, {1741503600, -14400}, {1762063200, -18000},
    {1772953200, -14400}, {1793512800, -18000}, {1805007600, -14400},
    {1825567200, -18000}, {1836457200, -14400}, {1857016800, -18000},
    {1867906800, -14400}, {1888466400, -18000}, {1899356400, -14400},
    {1919916000, -18000}, {1930806000, -14400}, {1951365600, -18000},
    {1962860400, -14400}, {1983420000, -18000}, {1994310000, -14400},
    {2014869600, -18000}, {2025759600, -14400}, {2046319200, -18000},
    {2057209200, -14400}, {2077768800, -18000}, {2088658800, -14400},
    {2109218400, -18000}, {2120108400, -14400}, {2140668000, -18000},
};
/* Australia/Sydney transitions 2008-2037 from Python zoneinfo: {utc, offset after} */
static const int64_t tr_sydney[][2] = {
    {1207411200, 36000}, {1223136000, 39600}, {1238860800, 36000},
    {1254585600, 39600}, {1270310400, 36000}, {1286035200, 39600},
    {1301760000, 36000}, {1317484800, 39600}, {1333209600, 36000},
    {1349539200, 39600}, {1365264000, 36000}, {1380988800, 39600},
    {1396713600, 36000}, {1412438400, 39600}, {1428163200, 36000},
    {1443888000, 39600}, {1459612800, 36000}, {1475337600, 39600},
    {1491062400, 36000}, {1506787200, 39600}, {1522512000, 36000},
    {1538841600, 39600}, {1554566400, 36000}, {1570291200, 39600},
    {1586016000, 36000}, {1601740800, 39600}, {1617465600, 36000},
    {1633190400, 39600}, {1648915200, 36000}, {1664640000, 39600},
    {1680364800, 36000}, {1696089600, 39600}, {1712419200, 36000},
    {1728144000, 39600}, {1743868800, 36000}, {1759593600, 39600},
    {1775318400, 36000}, {1791043200, 39600}, {1806768000, 36000},
    {1822492800, 39600}, {1838217600, 36000}, {1853942400, 39600},
    {1869667200, 36000}, {1885996800, 39600}, {1901721600, 36000},
    {1917446400, 39600}, {1933171200, 36000}, {1948896000, 39600},
    {1964620800, 36000}, {1980345600, 39600}, {1996070400, 36000},
    {2011795200, 39600}, {2027520000, 36000}, {2043244800, 39600},
    {2058969600, 36000}, {2075299200, 39600}, {2091024000, 36000},
    {2106748800, 39600}, {2122473600, 36000}, {2138198400, 39600},
};
/* Europe/Dublin transitions 2008-2037 from Python zoneinfo: {utc, offset after} */
static const int64_t tr_dublin[][2] = {
    {1206838800, 3600}, {1224982800, 0}, {1238288400, 3600},
    {1256432400, 0}, {1269738000, 3600}, {1288486800, 0},
    {1301187600, 3600}, {1319936400, 0}, {1332637200, 3600},
    {1351386000, 0}, {1364691600, 3600}, {1382835600, 0},
    {1396141200, 3600}, {1414285200, 0}, {1427590800, 3600},
    {1445734800, 0}, {1459040400, 3600}, {1477789200, 0},
    {1490490000, 3600}, {1509238800, 0}, {1521939600, 3600},
    {1540688400, 0}, {1553994000, 3600}, {1572138000, 0},
    {1585443600, 3600}, {1603587600, 0}, {1616893200, 3600},
    {1635642000, 0}, {1648342800, 3600}, {1667091600, 0},
    {1679792400, 3600}, {1698541200, 0}, {1711846800, 3600},
    {1729990800, 0}, {1743296400, 3600}, {1761440400, 0},
    {1774746000, 3600}, {1792890000, 0}, {1806195600, 3600},
    {1824944400, 0}, {1837645200, 3600}, {1856394000, 0},
    {1869094800, 3600}, {1887843600, 0}, {1901149200, 3600},
    {1919293200, 0}, {1932598800, 3600}, {1950742800, 0},
    {1964048400, 3600}, {1982797200, 0}, {1995498000, 3600},
    {2014246800, 0}, {2026947600, 3600}, {2045696400, 0},
    {2058397200, 3600}, {2077146000, 0}, {2090451600, 3600},
    {2108595600, 0}, {2121901200, 3600}, {2140045200, 0},
};

#endif

static int64_t utc_of(int y, int mo, int d, int h, int mi, int s)
{
    nd_tm tm = {0};
    tm.year = y, tm.mon = mo, tm.mday = d, tm.hour = h, tm.min = mi, tm.sec = s;
    return nd_time_join(&tm);
}

#if ND_WITH_TZ
static nd_tz parse_ok(const char *s)
{
    nd_tz tz;
    char err[128];
    int rc = nd_tz_parse(&tz, s, err, sizeof err);
    if (rc != ND_OK)
        fail_msg("'%s' rejected: %s", s, err);
    return tz;
}

/* The fixed DST dates the issue asks for. */
static void test_fixed_dates(void **state)
{
    static const struct {
        const char *tz;
        int64_t t1, t2;      /* 2026 transitions, UTC */
        int32_t off0, off1;  /* offset before t1 / after t1 */
    } rows[] = {
        {"CET-1CEST,M3.5.0,M10.5.0/3", INT64_C(1774746000) /* 2026-03-29 01:00Z */,
         INT64_C(1792890000) /* 2026-10-25 01:00Z */, 3600, 7200},
        {"EST5EDT,M3.2.0,M11.1.0", INT64_C(1772953200) /* 2026-03-08 07:00Z */,
         INT64_C(1793512800) /* 2026-11-01 06:00Z */, -18000, -14400},
        {"AEST-10AEDT,M10.1.0,M4.1.0/3", INT64_C(1775318400) /* 2026-04-04 16:00Z */,
         INT64_C(1791043200) /* 2026-10-03 16:00Z */, 39600, 36000},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        nd_tz tz = parse_ok(rows[i].tz);
        int64_t w;
        int32_t b, a;
        assert_int_equal(nd_tz_next_transition(&tz, utc_of(2026, 1, 1, 0, 0, 0), &w, &b, &a), 1);
        assert_int_equal(w, rows[i].t1);
        assert_int_equal(b, rows[i].off0);
        assert_int_equal(a, rows[i].off1);
        assert_int_equal(nd_tz_next_transition(&tz, w, &w, &b, &a), 1);
        assert_int_equal(w, rows[i].t2);
        assert_int_equal(a, rows[i].off0);
        assert_int_equal(nd_tz_offset_utc(&tz, rows[i].t1 - 1), rows[i].off0);
        assert_int_equal(nd_tz_offset_utc(&tz, rows[i].t1), rows[i].off1);
        assert_int_equal(nd_tz_offset_utc(&tz, rows[i].t2 - 1), rows[i].off1);
        assert_int_equal(nd_tz_offset_utc(&tz, rows[i].t2), rows[i].off0);
        assert_int_equal(nd_tz_prev_transition(&tz, rows[i].t2, &w, NULL, NULL), 1);
        assert_int_equal(w, rows[i].t2);
        assert_int_equal(nd_tz_prev_transition(&tz, rows[i].t2 - 1, &w, NULL, NULL), 1);
        assert_int_equal(w, rows[i].t1);
    }
}

/* Every transition 2008-2037 against tzdata, and offsets between them. */
static void check_table(const char *s, const int64_t (*tr)[2], size_t n)
{
    nd_tz tz = parse_ok(s);
    int64_t w = utc_of(2008, 1, 1, 0, 0, 0);
    for (size_t i = 0; i < n; i++) {
        int32_t a;
        assert_int_equal(nd_tz_next_transition(&tz, w, &w, NULL, &a), 1);
        assert_int_equal(w, tr[i][0]);
        assert_int_equal(a, tr[i][1]);
        assert_int_equal(nd_tz_offset_utc(&tz, w), tr[i][1]);
        assert_int_equal(nd_tz_offset_utc(&tz, w + 86400 * 30), tr[i][1]);
        assert_int_not_equal(nd_tz_offset_utc(&tz, w - 1), tr[i][1]);
    }
}

static void test_tzdata_tables(void **state)
{
    check_table("CET-1CEST,M3.5.0,M10.5.0/3", tr_berlin, sizeof tr_berlin / sizeof tr_berlin[0]);
    check_table("EST5EDT,M3.2.0,M11.1.0", tr_newyork, sizeof tr_newyork / sizeof tr_newyork[0]);
    check_table("AEST-10AEDT,M10.1.0,M4.1.0/3", tr_sydney, sizeof tr_sydney / sizeof tr_sydney[0]);
    /* Negative DST (tzdata's Europe/Dublin): "standard" IST, winter GMT. */
    check_table("IST-1GMT0,M10.5.0,M3.5.0/1", tr_dublin, sizeof tr_dublin / sizeof tr_dublin[0]);
}

/* Wall time -> UTC around the transitions: gap, overlap, exact. */
static void test_local_to_utc(void **state)
{
    static const struct {
        const char *tz;
        int64_t local;   /* wall time as seconds */
        int fold;
        int64_t utc;
        int status;
    } rows[] = {
        /* Europe, spring 2026-03-29: 02:00..02:59:59 do not exist */
        {"CET-1CEST,M3.5.0,M10.5.0/3", INT64_C(1774749599) /* 01:59:59 */, 0, INT64_C(1774745999), ND_TZ_EXACT},
        {"CET-1CEST,M3.5.0,M10.5.0/3", INT64_C(1774749600) /* 02:00:00 */, 0, INT64_C(1774746000), ND_TZ_GAP},
        {"CET-1CEST,M3.5.0,M10.5.0/3", INT64_C(1774751400) /* 02:30:00 */, 1, INT64_C(1774746000), ND_TZ_GAP},
        {"CET-1CEST,M3.5.0,M10.5.0/3", INT64_C(1774753199) /* 02:59:59 */, 0, INT64_C(1774746000), ND_TZ_GAP},
        {"CET-1CEST,M3.5.0,M10.5.0/3", INT64_C(1774753200) /* 03:00:00 */, 0, INT64_C(1774746000), ND_TZ_EXACT},
        /* Europe, autumn 2026-10-25: 02:00..02:59:59 happen twice */
        {"CET-1CEST,M3.5.0,M10.5.0/3", INT64_C(1792893599) /* 01:59:59 */, 0, INT64_C(1792886399), ND_TZ_EXACT},
        {"CET-1CEST,M3.5.0,M10.5.0/3", INT64_C(1792895400) /* 02:30:00 */, 0, INT64_C(1792888200), ND_TZ_OVERLAP},
        {"CET-1CEST,M3.5.0,M10.5.0/3", INT64_C(1792895400) /* 02:30:00 */, 1, INT64_C(1792891800), ND_TZ_OVERLAP},
        {"CET-1CEST,M3.5.0,M10.5.0/3", INT64_C(1792897200) /* 03:00:00 */, 0, INT64_C(1792893600), ND_TZ_EXACT},
        /* US: 2026-03-08 02:30 missing, 2026-11-01 01:30 twice */
        {"EST5EDT,M3.2.0,M11.1.0", INT64_C(1772937000), 0, INT64_C(1772953200), ND_TZ_GAP},
        {"EST5EDT,M3.2.0,M11.1.0", INT64_C(1793496600), 0, INT64_C(1793511000), ND_TZ_OVERLAP},
        {"EST5EDT,M3.2.0,M11.1.0", INT64_C(1793496600), 1, INT64_C(1793514600), ND_TZ_OVERLAP},
        /* Sydney: 2026-10-04 02:30 missing, 2026-04-05 02:30 twice */
        {"AEST-10AEDT,M10.1.0,M4.1.0/3", INT64_C(1791081000), 0, INT64_C(1791043200), ND_TZ_GAP},
        {"AEST-10AEDT,M10.1.0,M4.1.0/3", INT64_C(1775356200), 0, INT64_C(1775316600), ND_TZ_OVERLAP},
        {"AEST-10AEDT,M10.1.0,M4.1.0/3", INT64_C(1775356200), 1, INT64_C(1775320200), ND_TZ_OVERLAP},
        /* Fixed zone */
        {"<+0530>-5:30", INT64_C(19800), 0, INT64_C(0), ND_TZ_EXACT},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        nd_tz tz = parse_ok(rows[i].tz);
        int st = -1;
        int64_t u = nd_tz_local_to_utc(&tz, rows[i].local, rows[i].fold, &st);
        if (u != rows[i].utc || st != rows[i].status)
            fail_msg("row %zu: got %lld status %d, want %lld status %d", i, (long long)u, st,
                     (long long)rows[i].utc, rows[i].status);
    }
}

/* Brute force: for every second around the Europe 2026 transitions, the
** fold-0 mapping is monotone, and wall_after is the exact threshold. */
static void test_wall_after_bruteforce(void **state)
{
    const char *zones[] = {"CET-1CEST,M3.5.0,M10.5.0/3", "AEST-10AEDT,M10.1.0,M4.1.0/3",
                           "IST-1GMT0,M10.5.0,M3.5.0/1"};
    int64_t centres[] = {INT64_C(1774746000), INT64_C(1792890000), INT64_C(1775318400),
                         INT64_C(1791043200)};
    for (size_t z = 0; z < 3; z++) {
        nd_tz tz = parse_ok(zones[z]);
        for (size_t c = 0; c < 4; c++) {
            int64_t T = centres[c];
            /* mapping monotone over wall times near T */
            int64_t prev = INT64_MIN;
            for (int64_t L = T - 4 * 3600 + 7200 * 0; L < T + 4 * 3600 + 36000 * 2; L += 7) {
                int64_t u = nd_tz_local_to_utc(&tz, L, 0, NULL);
                assert_true(u >= prev);
                prev = u;
            }
            for (int64_t u = T - 5400; u < T + 5400; u += 13) {
                int64_t L = nd_tz_wall_after(&tz, u);
                assert_true(nd_tz_local_to_utc(&tz, L, 0, NULL) > u);
                assert_true(nd_tz_local_to_utc(&tz, L - 1, 0, NULL) <= u);
            }
        }
    }
}

static void test_parse_valid(void **state)
{
    static const struct {
        const char *s;
        int32_t std_off, dst_off;
        int has_dst;
        const char *std_name;
    } rows[] = {
        {"UTC0", 0, 0, 0, "UTC"},
        {"GMT0BST,M3.5.0/1,M10.5.0", 0, 3600, 1, "GMT"},
        {"<+0530>-5:30", 19800, 19800, 0, "+0530"},
        {"<-03>3", -10800, -10800, 0, "-03"},
        {"<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45", 45900, 49500, 1, "+1245"},
        {"EST5EDT", -18000, -14400, 1, "EST"},               /* default US rules */
        {"NZST-12NZDT,M9.5.0,M4.1.0/3", 43200, 46800, 1, "NZST"},
        {"IST-1GMT0,M10.5.0,M3.5.0/1", 3600, 0, 1, "IST"},
        {"<-02>2<-01>,M3.5.0/-1,M10.5.0/0", -7200, -3600, 1, "-02"}, /* negative rule time */
        {"<-03>3<-02>,M3.5.0/-2,M10.5.0/-1", -10800, -7200, 1, "-03"},
        {"EST5EDT,0/0,J365/25", -14400, -14400, 0, "EDT"},    /* permanent DST (RFC 8536) */
        {"HST10", -36000, -36000, 0, "HST"},
        {"ABC+1:30:15", -5415, -5415, 0, "ABC"},
        {"XYZ-14", 50400, 50400, 0, "XYZ"},
        {"ABC3DEF,J60/167,300/-167", -10800, -7200, 1, "ABC"},
        {"CET-1CEST,M3.5.0/2:00:00,M10.5.0/3:00", 3600, 7200, 1, "CET"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        nd_tz tz = parse_ok(rows[i].s);
        assert_int_equal(tz.std_off, rows[i].std_off);
        assert_int_equal(tz.dst_off, rows[i].dst_off);
        assert_int_equal(tz.has_dst, rows[i].has_dst);
        assert_string_equal(tz.std_name, rows[i].std_name);
    }
    /* Negative rule time: the -02 zone switches at 01:00 UTC (-1 h local). */
    nd_tz tz = parse_ok("<-02>2<-01>,M3.5.0/-1,M10.5.0/0");
    int64_t w;
    assert_int_equal(nd_tz_next_transition(&tz, utc_of(2026, 1, 1, 0, 0, 0), &w, NULL, NULL), 1);
    assert_int_equal(w, utc_of(2026, 3, 28, 23, 0, 0) + 7200); /* Sat 23:00 local -02 */
    /* J60 never counts Feb 29; n counts it. */
    tz = parse_ok("ABC0DEF,J60/0,300/0");
    assert_int_equal(nd_tz_next_transition(&tz, utc_of(2028, 1, 1, 0, 0, 0), &w, NULL, NULL), 1);
    assert_int_equal(w, utc_of(2028, 3, 1, 0, 0, 0));
    tz = parse_ok("ABC0DEF,60/0,300/0");
    assert_int_equal(nd_tz_next_transition(&tz, utc_of(2028, 1, 1, 0, 0, 0), &w, NULL, NULL), 1);
    assert_int_equal(w, utc_of(2028, 3, 1, 0, 0, 0));
    assert_int_equal(nd_tz_next_transition(&tz, utc_of(2027, 1, 1, 0, 0, 0), &w, NULL, NULL), 1);
    assert_int_equal(w, utc_of(2027, 3, 2, 0, 0, 0));
    assert_string_equal(nd_tz_name(&tz, utc_of(2027, 6, 1, 0, 0, 0)), "DEF");
    assert_string_equal(nd_tz_name(&tz, utc_of(2027, 1, 1, 0, 0, 0)), "ABC");
}

static void test_parse_garbage(void **state)
{
    static const struct {
        const char *s;
        const char *msg; /* substring of the error */
    } rows[] = {
        {"", "zone name"},
        {"C", "zone name"},
        {"CET", "expected UTC offset"},
        {"CET-1CEST,M3.5.0", "expected ','"},
        {"CET-1CEST,M13.5.0,M10.5.0/3", "month 13 out of range 1-12"},
        {"CET-1CEST,M3.6.0,M10.5.0/3", "week 6 out of range 1-5"},
        {"CET-1CEST,M3.5.7,M10.5.0/3", "weekday 7 out of range 0-6"},
        {"CET-1CEST,M3.5,M10.5.0/3", "expected '.'"},
        {"CET-25", "UTC offset out of range"},
        {"CET-1:60", "out of range"},
        {":Europe/Berlin", "zoneinfo names are not supported"},
        {"Europe/Berlin", "expected UTC offset"},
        {"CET-1CEST,M3.5.0,M10.5.0/168", "rule time out of range"},
        {"<AB>1", "3 to 15"},
        {"<+05", "unterminated"},
        {"CET-1CEST,J0,J100", "Julian day 0 out of range 1-365"},
        {"CET-1CEST,366,100", "day 366 out of range 0-365"},
        {"CET-1CEST,X,Y", "expected a rule"},
        {"CET-1x", "zone name"},
        {"CET-1CEST,M3.5.0,M10.5.0/3junk", "trailing"},
        {"CET-1CEST-2,M3.5.0,M10.5.0/3,", "trailing"},
        {"ABCDEFGHIJKLMNOPQ1", "3 to 15"},
        {"CET-1CEST,M3.5.0,M3.5.0/4", "too close"},
        {"CET-1CEST,J100/0,J101/0", "too close"},
        {"CET-1CEST,M3.5.0/+", "expected rule time"},
        {"CET-100000000", "bad number"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        nd_tz tz;
        char err[128];
        int rc = nd_tz_parse(&tz, rows[i].s, err, sizeof err);
        if (rc != ND_ESYNTAX || !strstr(err, rows[i].msg))
            fail_msg("'%s': rc %d err '%s', want '%s'", rows[i].s, rc, err, rows[i].msg);
        /* a failed parse leaves a usable UTC zone */
        assert_int_equal(nd_tz_offset_utc(&tz, 0), 0);
        assert_int_equal(tz.has_dst, 0);
    }
    nd_tz tz;
    assert_int_equal(nd_tz_parse(&tz, NULL, NULL, 0), ND_ESYNTAX);
}

#endif /* ND_WITH_TZ */

static void test_fixed(void **state)
{
    nd_tz tz;
    nd_tz_fixed(&tz, 120 * 60); /* micrOS utc = 120 minutes */
    assert_int_equal(nd_tz_offset_utc(&tz, utc_of(2026, 7, 1, 0, 0, 0)), 7200);
    assert_int_equal(nd_tz_offset_utc(&tz, utc_of(2026, 1, 1, 0, 0, 0)), 7200);
    int st;
    assert_int_equal(nd_tz_local_to_utc(&tz, 7200, 0, &st), 0);
    assert_int_equal(st, ND_TZ_EXACT);
    assert_int_equal(nd_tz_next_transition(&tz, 0, NULL, NULL, NULL), 0);
    assert_int_equal(nd_tz_wall_after(&tz, 0), 7201);
    assert_string_equal(nd_tz_name(&tz, 0), "UTC");
#if !ND_WITH_TZ
    /* no parser sets DST here; even a zone marked so keeps one fixed offset */
    tz.has_dst = 1;
    tz.dst_off = 10800;
    assert_int_equal(nd_tz_offset_utc(&tz, utc_of(2026, 7, 1, 0, 0, 0)), 7200);
    assert_int_equal(nd_tz_local_to_utc(&tz, 7200, 0, NULL), 0);
    assert_int_equal(nd_tz_prev_transition(&tz, utc_of(2026, 7, 1, 0, 0, 0), NULL, NULL, NULL), 0);
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#if ND_WITH_TZ
        cmocka_unit_test(test_fixed_dates),
        cmocka_unit_test(test_tzdata_tables),
        cmocka_unit_test(test_local_to_utc),
        cmocka_unit_test(test_wall_after_bruteforce),
        cmocka_unit_test(test_parse_valid),
        cmocka_unit_test(test_parse_garbage),
#endif
        cmocka_unit_test(test_fixed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
