/*
** oled.c -- SSD1306 OLED 128x64 on I2C at 0x3C (micrOS LM_oled): text,
** invert, clean, line, rect, pixel, bitmap draw into the frame buffer and
** return True; show sends it to the panel (returns None), poweron/poweroff
** -> True. load(width=128, height=64, brightness=50) initialises the panel
** (micrOS returns its driver object; nodus 'OLED 128x64 - loaded'). On the
** sim board the panel's GDDRAM is drawn live on /sim. Drawing primitives,
** font and I2C framing: src/core/ssd1306.c.
** image(pbm_img, x=0, y=0) -> True: a binary PBM (P4) from data/ or web/
** drawn at x, y, and the panel set inverse, as micrOS's image does (PBM's
** 1 is black: lit in the buffer, dark on the inverted panel). Unlike
** micrOS, which reads every file as a full-screen bitmap, rows are decoded
** with the image's own width; comments anywhere in the header are allowed.
** The contract: docs/modules.md.
*/
#include <stdio.h>
#include <string.h>

#include "nodus/hal.h"
#include "nodus/module.h"
#include "nodus/pins.h"
#include "nodus/port.h"
#include "nodus/ssd1306.h"

static bool inverted;

static int ready(nd_call *c, int w, int h, int br)
{
    nd_oled *o = nd_oled_panel();
    if (o->ready) return ND_OK;
    int sda, scl;
    if (nd_pin_bind(c, "i2c_sda", &sda) || nd_pin_bind(c, "i2c_scl", &scl)) return ND_ERR;
    int bus = nd_i2c_bus(nd_pin_gpio(sda), nd_pin_gpio(scl));
    if (bus < 0) return nd_fail(c, "no I2C bus on sda %d scl %d: %s", sda, scl, nd_hal_error());
    if (nd_oled_init(o, bus, w, h) < 0 || nd_oled_contrast(o, br) < 0)
        return nd_fail(c, "OLED at 0x3c: %s", nd_hal_error());
    return ND_OK;
}

static int use(nd_call *c) { return ready(c, 128, 64, 50); }

static int ret_true(nd_call *c) { return nd_ret_bool(c, true); }

static int f_load(nd_call *c)
{
    int64_t w, h, br;
    if (nd_arg_int(c, 0, &w) || nd_arg_int(c, 1, &h) || nd_arg_int(c, 2, &br)) return ND_ERR;
    if (br < 0 || br > 100) return nd_fail(c, "brightness=%lld out of range 0..100", (long long)br);
    if (ready(c, (int)w, (int)h, (int)br)) return ND_ERR;
    nd_oled *o = nd_oled_panel();
    return nd_ret_str(c, "OLED %dx%d - loaded", o->w, o->h);
}

static int ints(nd_call *c, int from, int n, int64_t *v)
{
    for (int i = 0; i < n; i++) {
        if (nd_arg_int(c, from + i, &v[i])) return ND_ERR;
        if (v[i] < -10000 || v[i] > 10000) return nd_fail(c, "%s=%lld out of range", c->argn[from + i], (long long)v[i]);
    }
    return ND_OK;
}

static int f_text(nd_call *c)
{
    const char *s;
    int64_t v[2];
    if (use(c) || nd_arg_str(c, 0, &s) || ints(c, 1, 2, v)) return ND_ERR;
    nd_oled_text(nd_oled_panel(), s, (int)v[0], (int)v[1], 1);
    return ret_true(c);
}

static int f_invert(nd_call *c)
{
    if (use(c)) return ND_ERR;
    inverted = !inverted;
    if (nd_oled_invert(nd_oled_panel(), inverted) < 0) return nd_fail(c, "%s", nd_hal_error());
    return ret_true(c);
}

static int f_clean(nd_call *c)
{
    int64_t st;
    if (use(c) || ints(c, 0, 1, &st)) return ND_ERR;
    nd_oled_fill(nd_oled_panel(), (int)st);
    return ret_true(c);
}

static int f_line(nd_call *c)
{
    int64_t v[5];
    if (use(c) || ints(c, 0, 5, v)) return ND_ERR;
    nd_oled_line(nd_oled_panel(), (int)v[0], (int)v[1], (int)v[2], (int)v[3], (int)v[4]);
    return ret_true(c);
}

static int f_rect(nd_call *c)
{
    int64_t v[5];
    bool fill;
    if (use(c) || ints(c, 0, 5, v) || nd_arg_bool(c, 5, &fill)) return ND_ERR;
    nd_oled_rect(nd_oled_panel(), (int)v[0], (int)v[1], (int)v[2], (int)v[3], (int)v[4], fill);
    return ret_true(c);
}

static int f_pixel(nd_call *c)
{
    int64_t v[3];
    if (use(c) || ints(c, 0, 3, v)) return ND_ERR;
    nd_oled_pixel(nd_oled_panel(), (int)v[0], (int)v[1], (int)v[2]);
    return ret_true(c);
}

/* micrOS's default bitmap (14x14), as rows of '0'/'1' */
static const char *const default_bmp[] = {
    "00001100110000", "00001100110000", "11111111111111", "11111111111111", "11110000001111",
    "11110000001111", "00110011001100", "00110011001100", "11110000001111", "11110000001111",
    "11111111111111", "11111111111111", "00001100110000", "00001100110000",
};

static int f_bitmap(nd_call *c)
{
    int64_t v[2];
    if (use(c) || ints(c, 1, 2, v)) return ND_ERR;
    nd_oled *o = nd_oled_panel();
    nd_value *b = c->argv[0];
    int rows = b && (b->type == ND_T_LIST || b->type == ND_T_TUPLE) ? (int)b->u.seq.n : 14;
    if (b && b->type != ND_T_NONE && b->type != ND_T_LIST && b->type != ND_T_TUPLE)
        return nd_fail(c, "bmp must be a tuple of '0'/'1' strings");
    for (int y = 0; y < rows && y < 64; y++) {
        const char *row = default_bmp[y % 14];
        if (b && b->type != ND_T_NONE) {
            nd_value *r = b->u.seq.v[y];
            if (r->type != ND_T_STR) return nd_fail(c, "bmp row %d is not a string", y);
            row = r->u.s.p;
        }
        for (int x = 0; row[x] && x < 128; x++) nd_oled_pixel(o, x + (int)v[0], y + (int)v[1], row[x] != '0');
    }
    return ret_true(c);
}

/* ---- image: PBM P4 files ---------------------------------------------- */
/* the largest file: a full panel of bits plus a header with comments */
#define PBM_MAX (ND_OLED_W_MAX * ND_OLED_H_MAX / 8 + 256)
#define PBM_PATH 128

/* the next header number: white space and '#' comments skipped */
static int pbm_num(const char *b, size_t n, size_t *i, int *v)
{
    for (;;) {
        while (*i < n && (b[*i] == ' ' || b[*i] == '\t' || b[*i] == '\r' || b[*i] == '\n')) (*i)++;
        if (*i < n && b[*i] == '#') {
            while (*i < n && b[*i] != '\n') (*i)++;
            continue;
        }
        break;
    }
    long x = 0;
    size_t s = *i;
    while (*i < n && b[*i] >= '0' && b[*i] <= '9' && x <= 100000) x = x * 10 + (b[(*i)++] - '0');
    if (*i == s || x > 100000) return ND_ERR;
    *v = (int)x;
    return ND_OK;
}

/* micrOS opens the path as given; nodus reads data/ and web/ only:
** "data/x.pbm", "/web/x.pbm", or a bare name tried in data/ then web/. */
static int pbm_read(nd_call *c, const char *name, char *buf, size_t cap, size_t *n)
{
    char rel[PBM_PATH + 8];
    while (*name == '/') name++;
    if (!*name || strlen(name) > PBM_PATH || strstr(name, ".."))
        return nd_fail(c, "pbm_img '%s': a file name in data/ or web/ (at most %d characters, no '..')", name, PBM_PATH);
    bool rooted = !strncmp(name, "data/", 5) || !strncmp(name, "web/", 4);
    int rc = ND_ENOTFOUND;
    for (int k = 0; k < (rooted ? 1 : 2) && rc == ND_ENOTFOUND; k++) {
        snprintf(rel, sizeof rel, "%s%s", rooted ? "" : k == 0 ? "data/" : "web/", name);
        rc = nd_fs_read(rel, buf, cap, n);
    }
    if (rc == ND_ENOTFOUND) return nd_fail(c, "pbm_img '%s' not found in data/ or web/", name);
    if (rc == ND_ELIMIT) return nd_fail(c, "pbm_img '%s' is larger than %d bytes (the panel is %dx%d)", name, PBM_MAX, ND_OLED_W_MAX, ND_OLED_H_MAX);
    if (rc != ND_OK) return nd_fail(c, "pbm_img '%s' cannot be read (error %d)", name, rc);
    return ND_OK;
}

static int f_image(nd_call *c)
{
    static char buf[PBM_MAX + 1];
    const char *name;
    int64_t v[2];
    size_t n = 0, i = 2;
    int w, h;
    if (use(c) || nd_arg_str(c, 0, &name) || ints(c, 1, 2, v)) return ND_ERR;
    if (pbm_read(c, name, buf, sizeof buf, &n)) return ND_ERR;
    if (n < 2 || buf[0] != 'P' || buf[1] != '4') return nd_fail(c, "pbm_img '%s' is not a binary PBM (P4)", name);
    if (pbm_num(buf, n, &i, &w) || pbm_num(buf, n, &i, &h) || i >= n || w < 1 || h < 1)
        return nd_fail(c, "pbm_img '%s': bad PBM header", name);
    if (w > ND_OLED_W_MAX || h > ND_OLED_H_MAX)
        return nd_fail(c, "pbm_img '%s' is %dx%d: larger than the panel's %dx%d", name, w, h, ND_OLED_W_MAX, ND_OLED_H_MAX);
    i++; /* the single white space before the raster */
    size_t stride = (size_t)(w + 7) / 8;
    if (n - i < stride * (size_t)h)
        return nd_fail(c, "pbm_img '%s' is truncated: %zu of %zu raster bytes", name, n - i, stride * (size_t)h);
    nd_oled *o = nd_oled_panel();
    const uint8_t *r = (const uint8_t *)buf + i;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) /* blit: 0 bits overwrite too; the panel clips */
            nd_oled_pixel(o, x + (int)v[0], y + (int)v[1], r[(size_t)y * stride + (size_t)(x / 8)] >> (7 - x % 8) & 1);
    inverted = true; /* micrOS's image calls invert(1) */
    if (nd_oled_invert(o, true) < 0) return nd_fail(c, "%s", nd_hal_error());
    return ret_true(c);
}

static int f_show(nd_call *c)
{
    if (use(c)) return ND_ERR;
    if (nd_oled_show(nd_oled_panel()) < 0) return nd_fail(c, "OLED at 0x3c: %s", nd_hal_error());
    return ND_OK; /* micrOS returns None */
}

static int f_poweron(nd_call *c)
{
    if (use(c) || nd_oled_power(nd_oled_panel(), true) < 0) return c->err[0] ? ND_ERR : nd_fail(c, "%s", nd_hal_error());
    return ret_true(c);
}

static int f_poweroff(nd_call *c)
{
    if (use(c) || nd_oled_power(nd_oled_panel(), false) < 0) return c->err[0] ? ND_ERR : nd_fail(c, "%s", nd_hal_error());
    return ret_true(c);
}

static int f_pinmap(nd_call *c)
{
    static const char *const tags[] = {"i2c_scl", "i2c_sda", NULL};
    return nd_pin_ret_map(c, tags);
}

static const nd_func funcs[] = {
    ND_FUNC("load", f_load, "width=128 height=64 brightness=50", "load width=128 height=64"),
    ND_FUNC("text", f_text, "string='text' x=0 y=0", "text \"text\" x y"),
    ND_FUNC("invert", f_invert, "", "BUTTON invert"),
    ND_FUNC("clean", f_clean, "state=0", "clean state=<0/1>"),
    ND_FUNC("line", f_line, "sx sy ex ey state=1", "line sx sy ex ey state=1"),
    ND_FUNC("rect", f_rect, "x y w h state=1 fill=False", "rect x y w h state=1 fill=False"),
    ND_FUNC("pixel", f_pixel, "x y color=1", "pixel x y color=1"),
    ND_FUNC("bitmap", f_bitmap, "bmp=None x=0 y=0", "bitmap bmp=<str tuple> x=0 y=0"),
    ND_FUNC("image", f_image, "pbm_img x=0 y=0", "image pbm_img x=0 y=0"),
    ND_FUNC("show", f_show, "", "show"),
    ND_FUNC("poweron", f_poweron, "", "BUTTON poweron"),
    ND_FUNC("poweroff", f_poweroff, "", "BUTTON poweroff"),
    ND_FUNC("pinmap", f_pinmap, "", "pinmap"),
    ND_FUNCS_END,
};

const nd_module nd_mod_oled = {"oled", funcs, NULL, "SSD1306 OLED 128x64 (I2C)"};
