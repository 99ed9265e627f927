/*
** ssd1306.c -- SSD1306 driver and frame buffer (nodus/ssd1306.h). The
** command sequence is the datasheet's power-up order (section 8.9 and the
** application note's "software initialization"); commands go one per
** transaction with control byte 0x80 (Co=1), data in transactions of at
** most 255 bytes after the control byte 0x40: the hal caps a transfer at
** 256 bytes, and the panel's address pointer simply runs on across them in
** horizontal addressing mode.
*/
#include <stdlib.h>
#include <string.h>

#include "hal_int.h"
#include "nodus/ssd1306.h"

/* nodus's 5x7 font, columns left to right, bit 0 the top row: ' '..'`'
** then '{'..'~' (lower case maps to capitals). Drawn for nodus. */
static const uint8_t font[][5] = {
    {0x00, 0x00, 0x00, 0x00, 0x00}, /* ' ' */
    {0x00, 0x00, 0x5f, 0x00, 0x00}, /* '!' */
    {0x00, 0x03, 0x00, 0x03, 0x00}, /* '"' */
    {0x14, 0x7f, 0x14, 0x7f, 0x14}, /* '#' */
    {0x24, 0x2a, 0x7f, 0x2a, 0x12}, /* '$' */
    {0x23, 0x13, 0x08, 0x64, 0x62}, /* '%' */
    {0x36, 0x49, 0x55, 0x22, 0x50}, /* '&' */
    {0x00, 0x04, 0x03, 0x00, 0x00}, /* "'" */
    {0x00, 0x1c, 0x22, 0x41, 0x00}, /* '(' */
    {0x00, 0x41, 0x22, 0x1c, 0x00}, /* ')' */
    {0x14, 0x08, 0x3e, 0x08, 0x14}, /* '*' */
    {0x08, 0x08, 0x3e, 0x08, 0x08}, /* '+' */
    {0x00, 0x50, 0x30, 0x00, 0x00}, /* ',' */
    {0x08, 0x08, 0x08, 0x08, 0x08}, /* '-' */
    {0x00, 0x60, 0x60, 0x00, 0x00}, /* '.' */
    {0x20, 0x10, 0x08, 0x04, 0x02}, /* '/' */
    {0x3e, 0x51, 0x49, 0x45, 0x3e}, /* '0' */
    {0x00, 0x42, 0x7f, 0x40, 0x00}, /* '1' */
    {0x42, 0x61, 0x51, 0x49, 0x46}, /* '2' */
    {0x41, 0x49, 0x49, 0x49, 0x36}, /* '3' */
    {0x18, 0x14, 0x12, 0x7f, 0x10}, /* '4' */
    {0x27, 0x45, 0x45, 0x45, 0x39}, /* '5' */
    {0x3c, 0x4a, 0x49, 0x49, 0x30}, /* '6' */
    {0x01, 0x71, 0x09, 0x05, 0x03}, /* '7' */
    {0x36, 0x49, 0x49, 0x49, 0x36}, /* '8' */
    {0x06, 0x49, 0x49, 0x29, 0x1e}, /* '9' */
    {0x00, 0x36, 0x36, 0x00, 0x00}, /* ':' */
    {0x00, 0x56, 0x36, 0x00, 0x00}, /* ';' */
    {0x08, 0x14, 0x22, 0x41, 0x00}, /* '<' */
    {0x14, 0x14, 0x14, 0x14, 0x14}, /* '=' */
    {0x00, 0x41, 0x22, 0x14, 0x08}, /* '>' */
    {0x02, 0x01, 0x51, 0x09, 0x06}, /* '?' */
    {0x3e, 0x41, 0x5d, 0x55, 0x1e}, /* '@' */
    {0x7e, 0x09, 0x09, 0x09, 0x7e}, /* 'A' */
    {0x7f, 0x49, 0x49, 0x49, 0x36}, /* 'B' */
    {0x3e, 0x41, 0x41, 0x41, 0x22}, /* 'C' */
    {0x7f, 0x41, 0x41, 0x41, 0x3e}, /* 'D' */
    {0x7f, 0x49, 0x49, 0x49, 0x41}, /* 'E' */
    {0x7f, 0x09, 0x09, 0x09, 0x01}, /* 'F' */
    {0x3e, 0x41, 0x49, 0x49, 0x7a}, /* 'G' */
    {0x7f, 0x08, 0x08, 0x08, 0x7f}, /* 'H' */
    {0x00, 0x41, 0x7f, 0x41, 0x00}, /* 'I' */
    {0x20, 0x40, 0x41, 0x3f, 0x01}, /* 'J' */
    {0x7f, 0x08, 0x14, 0x22, 0x41}, /* 'K' */
    {0x7f, 0x40, 0x40, 0x40, 0x40}, /* 'L' */
    {0x7f, 0x02, 0x0c, 0x02, 0x7f}, /* 'M' */
    {0x7f, 0x04, 0x08, 0x10, 0x7f}, /* 'N' */
    {0x3e, 0x41, 0x41, 0x41, 0x3e}, /* 'O' */
    {0x7f, 0x09, 0x09, 0x09, 0x06}, /* 'P' */
    {0x3e, 0x41, 0x51, 0x21, 0x5e}, /* 'Q' */
    {0x7f, 0x09, 0x19, 0x29, 0x46}, /* 'R' */
    {0x46, 0x49, 0x49, 0x49, 0x31}, /* 'S' */
    {0x01, 0x01, 0x7f, 0x01, 0x01}, /* 'T' */
    {0x3f, 0x40, 0x40, 0x40, 0x3f}, /* 'U' */
    {0x1f, 0x20, 0x40, 0x20, 0x1f}, /* 'V' */
    {0x3f, 0x40, 0x38, 0x40, 0x3f}, /* 'W' */
    {0x63, 0x14, 0x08, 0x14, 0x63}, /* 'X' */
    {0x03, 0x04, 0x78, 0x04, 0x03}, /* 'Y' */
    {0x61, 0x51, 0x49, 0x45, 0x43}, /* 'Z' */
    {0x00, 0x7f, 0x41, 0x41, 0x00}, /* '[' */
    {0x02, 0x04, 0x08, 0x10, 0x20}, /* '\\' */
    {0x00, 0x41, 0x41, 0x7f, 0x00}, /* ']' */
    {0x04, 0x02, 0x01, 0x02, 0x04}, /* '^' */
    {0x40, 0x40, 0x40, 0x40, 0x40}, /* '_' */
    {0x00, 0x01, 0x02, 0x00, 0x00}, /* '`' */
    {0x00, 0x08, 0x36, 0x41, 0x00}, /* '{' */
    {0x00, 0x00, 0x7f, 0x00, 0x00}, /* '|' */
    {0x00, 0x41, 0x36, 0x08, 0x00}, /* '}' */
    {0x08, 0x04, 0x08, 0x10, 0x08}, /* '~' */
};

static nd_oled panel;

nd_oled *nd_oled_panel(void) { return &panel; }

static const uint8_t *glyph(char ch)
{
    unsigned char u = (unsigned char)ch;
    if (u >= 'a' && u <= 'z') u = (unsigned char)(u - 32);
    if (u >= 32 && u <= 96) return font[u - 32];
    if (u >= 123 && u <= 126) return font[65 + (u - 123)];
    return font['?' - 32];
}

int nd_oled_cmd(nd_oled *o, const uint8_t *cmd, int n)
{
    for (int i = 0; i < n; i++) {
        uint8_t b[2] = {0x80, cmd[i]};
        int rc = nd_i2c_xfer(o->bus, (uint8_t)o->addr, b, 2, NULL, 0);
        if (rc < 0) return rc;
    }
    return ND_OK;
}

int nd_oled_init(nd_oled *o, int bus, int w, int h)
{
    if (w < 1 || w > ND_OLED_W_MAX || (h != 32 && h != 64))
        return nd_hal_fail(ND_EINVAL, "OLED size %dx%d: width 1..128, height 32 or 64", w, h);
    o->bus = bus, o->addr = ND_OLED_ADDR, o->w = w, o->h = h, o->ready = false;
    const uint8_t seq[] = {
        0xAE,                     /* display off */
        0x20, 0x00,               /* horizontal addressing */
        0x40,                     /* start line 0 */
        0xA1,                     /* column 127 is SEG0 */
        0xA8, (uint8_t)(h - 1),   /* multiplex ratio */
        0xC8,                     /* COM scan from COM[N-1] */
        0xD3, 0x00,               /* no display offset */
        0xDA, (uint8_t)(w > 2 * h ? 0x02 : 0x12), /* COM pins */
        0xD5, 0x80,               /* clock divide */
        0xD9, 0xF1,               /* pre-charge (internal VCC) */
        0xDB, 0x30,               /* VCOMH deselect */
        0x81, 0xFF,               /* contrast */
        0xA4,                     /* output follows RAM */
        0xA6,                     /* not inverted */
        0x8D, 0x14,               /* charge pump on */
        0xAF,                     /* display on */
    };
    int rc = nd_oled_cmd(o, seq, (int)sizeof seq);
    if (rc < 0) return rc;
    o->ready = true;
    nd_oled_fill(o, 0);
    return nd_oled_show(o);
}

int nd_oled_show(nd_oled *o)
{
    int x0 = 0, x1 = o->w - 1;
    if (o->w != 128) x0 += (128 - o->w) / 2, x1 += (128 - o->w) / 2; /* narrow panels are centred */
    const uint8_t win[] = {0x21, (uint8_t)x0, (uint8_t)x1, 0x22, 0, (uint8_t)(o->h / 8 - 1)};
    int rc = nd_oled_cmd(o, win, (int)sizeof win);
    size_t n = (size_t)o->w * (size_t)(o->h / 8);
    uint8_t b[256];
    for (size_t off = 0; rc == ND_OK && off < n; off += 255) {
        size_t k = n - off < 255 ? n - off : 255;
        b[0] = 0x40;
        memcpy(b + 1, o->fb + off, k);
        rc = nd_i2c_xfer(o->bus, (uint8_t)o->addr, b, k + 1, NULL, 0);
    }
    return rc < 0 ? rc : ND_OK;
}

int nd_oled_contrast(nd_oled *o, int percent)
{
    const uint8_t c[2] = {0x81, (uint8_t)(255 * percent / 100)}; /* int(255 * (percent / 100)) */
    return nd_oled_cmd(o, c, 2);
}

int nd_oled_invert(nd_oled *o, bool on)
{
    const uint8_t c = (uint8_t)(0xA6 | (on ? 1 : 0));
    return nd_oled_cmd(o, &c, 1);
}

int nd_oled_power(nd_oled *o, bool on)
{
    const uint8_t c = on ? 0xAF : 0xAE;
    return nd_oled_cmd(o, &c, 1);
}

void nd_oled_fill(nd_oled *o, int c)
{
    memset(o->fb, c ? 0xFF : 0x00, (size_t)o->w * (size_t)(o->h / 8));
}

void nd_oled_pixel(nd_oled *o, int x, int y, int c)
{
    if (x < 0 || y < 0 || x >= o->w || y >= o->h) return;
    uint8_t *p = &o->fb[(y / 8) * o->w + x], bit = (uint8_t)(1u << (y % 8));
    *p = c ? (uint8_t)(*p | bit) : (uint8_t)(*p & ~bit);
}

void nd_oled_line(nd_oled *o, int x0, int y0, int x1, int y1, int c)
{
    /* Bresenham: every step moves one pixel along the longer axis */
    int dx = abs(x1 - x0), sx = x0 < x1 ? 1 : -1, dy = -abs(y1 - y0), sy = y0 < y1 ? 1 : -1;
    int err = dx + dy;
    for (int guard = 0; guard < 4 * (ND_OLED_W_MAX + ND_OLED_H_MAX) + 4 * (dx - dy); guard++) {
        nd_oled_pixel(o, x0, y0, c);
        if (x0 == x1 && y0 == y1) break;
        int e2 = 2 * err;
        if (e2 >= dy) err += dy, x0 += sx;
        if (e2 <= dx) err += dx, y0 += sy;
    }
}

void nd_oled_rect(nd_oled *o, int x, int y, int w, int h, int c, bool fill)
{
    if (w <= 0 || h <= 0) return;
    if (w > 4096) w = 4096;
    if (h > 4096) h = 4096;
    for (int j = 0; j < h; j++)
        for (int i = 0; i < w; i++)
            if (fill || j == 0 || j == h - 1 || i == 0 || i == w - 1) nd_oled_pixel(o, x + i, y + j, c);
}

void nd_oled_text(nd_oled *o, const char *s, int x, int y, int c)
{
    for (; *s && x < o->w; s++, x += 8) {
        const uint8_t *g = glyph(*s);
        for (int i = 0; i < 5; i++)
            for (int j = 0; j < 7; j++)
                if (g[i] >> j & 1) nd_oled_pixel(o, x + i, y + j, c);
    }
}
