/*
** test_widget.c -- widget JSON from help lines (docs/micros-compat.md §8.3), one row
** per line. Every expected string is what micrOS's Types.resolve(help,
** widgets=True) writes for the same line under CPython (json.dumps), with
** STATUS as docs/micros-compat.md §8.3 defines it. Rows marked "nodus:" are lines
** micrOS mishandles (it logs an error and emits a useless widget, or none);
** nodus drops them with ND_ESYNTAX as widget.h specifies.
**
** Inputs are copied to a malloc'd buffer of exactly their size, so
** AddressSanitizer catches a read past the terminator.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "widget.h"

static const struct {
    const char *in;
    int rc;
    const char *want; /* on ND_OK */
} rows[] = {
    /* ---- every widget type with its defaults ---- */
    {"BUTTON toggle", ND_OK, "{\"type\": \"button\", \"callback\": \"toggle \", \"result\": false, \"options\": [\"None\"]}"},
    {"SLIDER brightness br", ND_OK,
     "{\"type\": \"slider\", \"callback\": \"brightness br=:range:\", \"range\": [0, 100, 2]}"},
    {"TEXTBOX measure", ND_OK, "{\"type\": \"textbox\", \"callback\": \"measure \", \"refresh\": 10000}"},
    {"COLOR color r g b", ND_OK,
     "{\"type\": \"color\", \"callback\": \"color r=:range: g=:range: b=:range:\", \"range\": [0, 255, 2]}"},
    {"WHITE white cw ww", ND_OK,
     "{\"type\": \"white\", \"callback\": \"white cw=:range: ww=:range:\", \"range\": [0, 255, 2]}"},
    {"JOYSTICK move x y", ND_OK,
     "{\"type\": \"joystick\", \"callback\": \"move x=:range: y=:range:\", \"range\": [0, 100, 2]}"},
    {"STATUS status", ND_OK, "{\"type\": \"status\", \"callback\": \"status \", \"wtype\": \"auto\"}"},
    {"GRAPH top", ND_OK, "{\"type\": \"graph\", \"callback\": \"top \", \"refresh\": 3000, \"limit\": 30}"},
    {"EMBED snapshot", ND_OK,
     "{\"type\": \"embed\", \"callback\": \"snapshot \", \"image\": false, \"title\": null}"},

    /* ---- ranges: <min-max> takes the template's step, <min-max-step> its own ---- */
    {"SLIDER brightness br=<0-100>", ND_OK,
     "{\"type\": \"slider\", \"callback\": \"brightness br=:range:\", \"range\": [0, 100, 2]}"},
    {"SLIDER brightness br=<0-100-5>", ND_OK,
     "{\"type\": \"slider\", \"callback\": \"brightness br=:range:\", \"range\": [0, 100, 5]}"},
    {"SLIDER level value=<0-100-5>", ND_OK,
     "{\"type\": \"slider\", \"callback\": \"level value=:range:\", \"range\": [0, 100, 5]}"},
    /* the verified example of docs/micros-compat.md §8.3 */
    {"COLOR color r=<0-255-5> g b smooth=True force=True", ND_OK,
     "{\"type\": \"color\", \"callback\": \"color r=:range: g=:range: b=:range: smooth=True force=True\", "
     "\"range\": [0, 255, 5]}"},
    {"WHITE white cw=<0-255> ww=<0-255-10>", ND_OK, /* the last range wins */
     "{\"type\": \"white\", \"callback\": \"white cw=:range: ww=:range:\", \"range\": [0, 255, 10]}"},
    {"TEXTBOX t x=<0-10-1>", ND_OK, /* a range on a widget without one: appended */
     "{\"type\": \"textbox\", \"callback\": \"t x=:range:\", \"refresh\": 10000, \"range\": [0, 10, 1]}"},
    {"SLIDER s x=<+5-0_10-007>", ND_OK, /* Python int(): sign, underscores, zeros */
     "{\"type\": \"slider\", \"callback\": \"s x=:range:\", \"range\": [5, 10, 7]}"},
    {"SLIDER s x=<1-2-3-4>", ND_OK, /* parts past the step ignored */
     "{\"type\": \"slider\", \"callback\": \"s x=:range:\", \"range\": [1, 2, 3]}"},
    {"SLIDER s =<1-2>", ND_OK, "{\"type\": \"slider\", \"callback\": \"s =:range:\", \"range\": [1, 2, 2]}"},
    /* a part that is not an int: the parameter becomes "" (two spaces) */
    {"JOYSTICK move x=<-100-100> y", ND_OK,
     "{\"type\": \"joystick\", \"callback\": \"move  y=:range:\", \"range\": [0, 100, 2]}"},
    {"SLIDER s x=<a-b> y", ND_OK, "{\"type\": \"slider\", \"callback\": \"s  y=:range:\", \"range\": [0, 100, 2]}"},
    {"SLIDER s x=<-5>", ND_OK, "{\"type\": \"slider\", \"callback\": \"s \", \"range\": [0, 100, 2]}"},
    /* <...> without '-' or ',' is kept as a value */
    {"SLIDER s x=<>", ND_OK, "{\"type\": \"slider\", \"callback\": \"s x=<>\", \"range\": [0, 100, 2]}"},
    {"SLIDER s x=<5>", ND_OK, "{\"type\": \"slider\", \"callback\": \"s x=<5>\", \"range\": [0, 100, 2]}"},

    /* ---- options, bare parameters, kept values, task postfixes ---- */
    {"BUTTON mode m=<auto,on,off>", ND_OK,
     "{\"type\": \"button\", \"callback\": \"mode m=:options:\", \"result\": false, \"options\": [\"auto\", \"on\", \"off\"]}"},
    {"SLIDER pick x=<a,b,c>", ND_OK, /* options appended after the range */
     "{\"type\": \"slider\", \"callback\": \"pick x=:options:\", \"range\": [0, 100, 2], "
     "\"options\": [\"a\", \"b\", \"c\"]}"},
    {"BUTTON f p=<a,\"b\">", ND_OK,
     "{\"type\": \"button\", \"callback\": \"f p=:options:\", \"result\": false, \"options\": [\"a\", \"\\\"b\\\"\"]}"},
    {"BUTTON create_task count period", ND_OK,
     "{\"type\": \"button\", \"callback\": \"create_task count=:options: period=:options:\", "
     "\"result\": false, \"options\": [\"None\"]}"},
    {"TEXTBOX measure ntfy=False", ND_OK,
     "{\"type\": \"textbox\", \"callback\": \"measure ntfy=False\", \"refresh\": 10000}"},
    {"BUTTON run &", ND_OK, "{\"type\": \"button\", \"callback\": \"run &\", \"result\": false, \"options\": [\"None\"]}"},
    {"BUTTON run &&500 n", ND_OK,
     "{\"type\": \"button\", \"callback\": \"run &&500 n=:options:\", \"result\": false, \"options\": [\"None\"]}"},
    {"COLOR colour r=\"a b\"", ND_OK, /* split on white space, as Python does */
     "{\"type\": \"color\", \"callback\": \"colour r=\\\"a b\\\"=:range:\", \"range\": [0, 255, 2]}"},
    {"SLIDER f \xc3\xa9=<0-9> \xc3\xbc", ND_OK, /* ensure_ascii */
     "{\"type\": \"slider\", \"callback\": \"f \\u00e9=:range: \\u00fc=:range:\", \"range\": [0, 9, 2]}"},
    {"   BUTTON   toggle   x   ", ND_OK, /* strip(), split() */
     "{\"type\": \"button\", \"callback\": \"toggle x=:options:\", \"result\": false, \"options\": [\"None\"]}"},
    {"BUTTON toggle\t\n", ND_OK, "{\"type\": \"button\", \"callback\": \"toggle \", \"result\": false, \"options\": [\"None\"]}"},

    /* ---- inline overrides TAG{...}: ' read as ", update() in place or appended ---- */
    {"TEXTBOX{'refresh': 5000} measure ntfy=False", ND_OK,
     "{\"type\": \"textbox\", \"callback\": \"measure ntfy=False\", \"refresh\": 5000}"},
    {"TEXTBOX {\"refresh\": 5000} measure", ND_OK,
     "{\"type\": \"textbox\", \"callback\": \"measure \", \"refresh\": 5000}"},
    {"GRAPH{\"refresh\":5000} top", ND_OK,
     "{\"type\": \"graph\", \"callback\": \"top \", \"refresh\": 5000, \"limit\": 30}"},
    {"EMBED{\"callback\": \"/cam/stream\", \"image\": true}", ND_OK, /* no function: the template */
     "{\"type\": \"embed\", \"callback\": \"/cam/stream\", \"image\": true, \"title\": null}"},
    {"EMBED{\"callback\": \"/cam/stream\", \"title\": \"live stream\", \"image\": true}", ND_OK,
     "{\"type\": \"embed\", \"callback\": \"/cam/stream\", \"image\": true, \"title\": \"live stream\"}"},
    {"BUTTON{} go", ND_OK, "{\"type\": \"button\", \"callback\": \"go \", \"result\": false, \"options\": [\"None\"]}"},
    {"BUTTON{\"callback\": \"ignored\"} go", ND_OK, /* the function wins */
     "{\"type\": \"button\", \"callback\": \"go \", \"result\": false, \"options\": [\"None\"]}"},
    {"BUTTON{\"type\": \"link\", \"extra\": [1, 2.50, -0, 1e3, \"x\"], \"type\": \"b2\"} go", ND_OK,
     "{\"type\": \"b2\", \"callback\": \"go \", \"result\": false, \"options\": [\"None\"], \"extra\": [1, 2.5, 0, 1000.0, \"x\"]}"},
    {"SLIDER{\"range\": [0, 10, 1]} s x=<0-5>", ND_OK, /* the default step comes from the override */
     "{\"type\": \"slider\", \"callback\": \"s x=:range:\", \"range\": [0, 5, 1]}"},
    {"SLIDER{\"range\": [0, 10, 1.5]} s x=<0-5> y", ND_OK,
     "{\"type\": \"slider\", \"callback\": \"s x=:range: y=:range:\", \"range\": [0, 5, 1.5]}"},
    {"SLIDER{\"range\": [0, 100, \"x\"]} s v=<1-2>", ND_OK,
     "{\"type\": \"slider\", \"callback\": \"s v=:range:\", \"range\": [1, 2, \"x\"]}"},
    {"TEXTBOX{\"range\": [1, 2, 3]} s y", ND_OK, /* an override range makes bare params :range: */
     "{\"type\": \"textbox\", \"callback\": \"s y=:range:\", \"refresh\": 10000, \"range\": [1, 2, 3]}"},
    {"BUTTON{'a': '\xc3\xa9\\u00e9\\ud83d\\ude00\xf0\x9f\x98\x80 \\\"q\\\" \\t'} go", ND_OK,
     "{\"type\": \"button\", \"callback\": \"go \", \"result\": false, \"options\": [\"None\"], "
     "\"a\": \"\\u00e9\\u00e9\\ud83d\\ude00\\ud83d\\ude00 \\\"q\\\" \\t\"}"},
    {"BUTTON{\"a\": \"x\\/y\\u0041\\u001f\\u007f\\uD800\"} go", ND_OK,
     "{\"type\": \"button\", \"callback\": \"go \", \"result\": false, \"options\": [\"None\"], \"a\": \"x/yA\\u001f\\u007f\\ud800\"}"},
    {"BUTTON{\"a\": NaN, \"b\": -Infinity, \"c\": 1e400, \"d\": true, \"e\": null, \"f\": [[], [1, [2]]]} go",
     ND_OK,
     "{\"type\": \"button\", \"callback\": \"go \", \"result\": false, \"options\": [\"None\"], \"a\": NaN, \"b\": -Infinity, "
     "\"c\": Infinity, \"d\": true, \"e\": null, \"f\": [[], [1, [2]]]}"},
    {"GRAPH{\"refresh\": 1.0, \"limit\": 1.5e-7, \"z\": 123456789012345678901234567890} g", ND_OK,
     "{\"type\": \"graph\", \"callback\": \"g \", \"refresh\": 1.0, \"limit\": 1.5e-07, "
     "\"z\": 123456789012345678901234567890}"},
    {"GRAPH{ \"a\" :\t-0.0 ,\n\"b\":[ ] } g", ND_OK,
     "{\"type\": \"graph\", \"callback\": \"g \", \"refresh\": 3000, \"limit\": 30, \"a\": -0.0, \"b\": []}"},

    /* ---- no known tag: micrOS drops the line ---- */
    {"toggle", ND_ENOTFOUND, NULL},
    {"memory_leak n", ND_ENOTFOUND, NULL},
    {"LED toggle", ND_ENOTFOUND, NULL},
    {"Button toggle", ND_ENOTFOUND, NULL},
    {"BUTTONS toggle", ND_ENOTFOUND, NULL},
    {"BUTTON\ttoggle", ND_ENOTFOUND, NULL}, /* the tag ends at ' ' or '{' only */
    {"", ND_ENOTFOUND, NULL},
    {"   ", ND_ENOTFOUND, NULL},

    /* ---- malformed: micrOS raises and drops the widget ---- */
    {"SLIDER s x=a=b", ND_ESYNTAX, NULL},       /* var, value = p.split("=") */
    {"TEXTBOX t x=<0-10>", ND_ESYNTAX, NULL},   /* no default range for the step */
    {"BUTTON t x=<0-10>", ND_ESYNTAX, NULL},
    {"GRAPH g x=<1-2>", ND_ESYNTAX, NULL},
    {"SLIDER{\"range\": [0, 10]} s x=<0-5>", ND_ESYNTAX, NULL}, /* range[2]: IndexError */
    {"SLIDER{\"range\": 7} s x=<0-5>", ND_ESYNTAX, NULL},       /* TypeError */
    /* nodus: broken overrides and lone tags (micrOS logs and emits a useless widget) */
    {"BUTTON", ND_ESYNTAX, NULL},
    {"BUTTON{\"x\": 1}", ND_ESYNTAX, NULL},
    {"TEXTBOX{\"refresh\": 500}", ND_ESYNTAX, NULL},
    {"BUTTON{\"a\": 1,} go", ND_ESYNTAX, NULL},
    {"BUTTON{\"a\": {\"b\": 1}} go", ND_ESYNTAX, NULL}, /* ends at the first '}' */
    {"BUTTON{\"a\": 1 go", ND_ESYNTAX, NULL},
    {"BUTTON{a: 1} go", ND_ESYNTAX, NULL},
    {"BUTTON{\"a\": 01} go", ND_ESYNTAX, NULL},
    {"BUTTON{\"a\": \"x\\q\"} go", ND_ESYNTAX, NULL},
    {"BUTTON{\"a\": \"x\\u12\"} go", ND_ESYNTAX, NULL},
    {"BUTTON{\"a\": \"tab\there\"} go", ND_ESYNTAX, NULL}, /* raw control character */
    {"BUTTON{\"a\": tru} go", ND_ESYNTAX, NULL},
    {"BUTTON{\"a\": 1.} go", ND_ESYNTAX, NULL},
    {"BUTTON{\"a\" 1} go", ND_ESYNTAX, NULL},
    {"BUTTON{1: 1} go", ND_ESYNTAX, NULL},
    {"BUTTON{\"a\": [1 2]} go", ND_ESYNTAX, NULL},
    {"BUTTON{\"it's\": 1} go", ND_ESYNTAX, NULL}, /* every ' is a " */
    {"BUTTON go \xff", ND_ESYNTAX, NULL},         /* not UTF-8 */
    {"BUTTON{\"a\": \"\xc3\"} go", ND_ESYNTAX, NULL},
};

static char *exact_copy(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    assert_non_null(p);
    memcpy(p, s, n);
    return p;
}

static void test_rows(void **state)
{
    (void)state;
    nd_buf b;
    nd_buf_init(&b, 4096);
    int bad = 0;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char *in = exact_copy(rows[i].in);
        nd_buf_clear(&b);
        int rc = nd_widget_json(in, &b);
        const char *got = nd_buf_cstr(&b);
        if (rc != rows[i].rc || (rc == ND_OK && strcmp(got, rows[i].want) != 0) ||
            (rc != ND_OK && b.n != 0)) {
            print_error("row %zu: %s\n  rc %d (want %d)\n  got  %s\n  want %s\n", i, rows[i].in, rc,
                        rows[i].rc, got, rows[i].want ? rows[i].want : "-");
            bad++;
        }
        free(in);
    }
    nd_buf_free(&b);
    assert_int_equal(bad, 0);
}

/* Appends after what is there; a dropped line leaves out as it was. */
static void test_appends_and_keeps(void **state)
{
    (void)state;
    nd_buf b;
    nd_buf_init(&b, 4096);
    nd_buf_puts(&b, "[");
    assert_int_equal(nd_widget_json("BUTTON toggle", &b), ND_OK);
    assert_int_equal(nd_widget_json("BUTTON{\"a\": [1, 2} go", &b), ND_ESYNTAX);
    assert_int_equal(nd_widget_json("SLIDER s x=<0-10-1-2>", &b), ND_OK);
    assert_int_equal(nd_widget_json("plain help line", &b), ND_ENOTFOUND);
    assert_false(b.overflow);
    assert_string_equal(nd_buf_cstr(&b),
                        "[{\"type\": \"button\", \"callback\": \"toggle \", \"result\": false, \"options\": [\"None\"]}"
                        "{\"type\": \"slider\", \"callback\": \"s x=:range:\", \"range\": [0, 10, 1]}");
    nd_buf_free(&b);
}

/* A buffer too small: ND_ENOMEM, nothing written, overflow not left set;
** with room enough the same line comes out whole. The widget needs scratch
** room in out (about twice its length), so small limits must fail cleanly. */
static void test_out_of_room(void **state)
{
    (void)state;
    static const char *const lines[] = {
        "COLOR color r=<0-255-5> g b smooth=True force=True",
        "BUTTON{\"t\": \"\\u00e9\", \"x\": [1.5, [2]], \"o\": \"y\"} mode m=<a,b,c> &",
        "SLIDER{'range': [0, 10, 3]} s v=<1-2>",
    };
    nd_buf full;
    nd_buf_init(&full, 4096);
    for (size_t l = 0; l < sizeof lines / sizeof lines[0]; l++) {
        nd_buf_clear(&full);
        assert_int_equal(nd_widget_json(lines[l], &full), ND_OK);
        size_t ok_from = 0;
        for (size_t max = 0; max <= 3 * full.n; max++) {
            nd_buf b;
            nd_buf_init(&b, max);
            int rc = nd_widget_json(lines[l], &b);
            if (rc == ND_OK) {
                assert_int_equal(b.n, full.n);
                assert_memory_equal(b.p, full.p, full.n);
                if (!ok_from) ok_from = max;
            } else {
                assert_int_equal(rc, ND_ENOMEM);
                assert_int_equal(b.n, 0);
                assert_false(b.overflow);
                assert_int_equal(ok_from, 0); /* no failure once it fitted */
            }
            nd_buf_free(&b);
        }
        assert_true(ok_from >= full.n);
        assert_true(ok_from > 0);
    }
    /* a buffer that had already overflowed takes nothing */
    nd_buf b;
    nd_buf_init(&b, 4);
    nd_buf_puts(&b, "12345");
    assert_true(b.overflow);
    assert_int_equal(nd_widget_json("BUTTON x", &b), ND_ENOMEM);
    assert_int_equal(b.n, 4);
    nd_buf_free(&b);
    nd_buf_free(&full);
}

/* Too many override keys or parameters: refused, never overrun. */
static void test_limits(void **state)
{
    (void)state;
    char line[8192];
    nd_buf b;
    nd_buf_init(&b, 1 << 16);
    size_t n = (size_t)snprintf(line, sizeof line, "BUTTON{");
    for (int i = 0; i < 40; i++) n += (size_t)snprintf(line + n, sizeof line - n, "%s\"k%d\": %d", i ? ", " : "", i, i);
    snprintf(line + n, sizeof line - n, "} go");
    assert_int_equal(nd_widget_json(line, &b), ND_ENOMEM);
    assert_int_equal(b.n, 0);

    n = (size_t)snprintf(line, sizeof line, "SLIDER f");
    for (int i = 0; i < 200; i++) n += (size_t)snprintf(line + n, sizeof line - n, " p%d", i);
    assert_int_equal(nd_widget_json(line, &b), ND_ESYNTAX);

    n = (size_t)snprintf(line, sizeof line, "BUTTON{\"a\": ");
    for (int i = 0; i < 100; i++) line[n++] = '[';
    for (int i = 0; i < 100; i++) line[n++] = ']';
    snprintf(line + n, sizeof line - n, "} go");
    assert_int_equal(nd_widget_json(line, &b), ND_ESYNTAX);
    assert_int_equal(b.n, 0);
    nd_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows),
        cmocka_unit_test(test_appends_and_keeps),
        cmocka_unit_test(test_out_of_room),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
