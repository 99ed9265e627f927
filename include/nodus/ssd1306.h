/*
** ssd1306.h -- an SSD1306 OLED (128x64 or 128x32) over I2C with a frame
** buffer in RAM, for the `oled` and `oled_ui` modules (src/core/ssd1306.c).
** Drawing changes only the buffer (MicroPython framebuf's MONO_VLSB layout:
** byte = 8 vertical pixels of one page, bit 0 on top); nd_oled_show sends
** it to the panel. Text uses nodus's own 5x7 font in 8-pixel cells, as
** framebuf's text advances; lower case is drawn in capitals.
*/
#ifndef NODUS_SSD1306_H
#define NODUS_SSD1306_H

#include <stdbool.h>
#include <stdint.h>

#define ND_OLED_ADDR 0x3C
#define ND_OLED_W_MAX 128
#define ND_OLED_H_MAX 64

typedef struct nd_oled {
    int bus, addr, w, h;
    bool ready;
    uint8_t fb[ND_OLED_W_MAX * ND_OLED_H_MAX / 8];
} nd_oled;

/* The board's one panel at 0x3C, shared by `oled` and `oled_ui` (micrOS's
** oled_ui draws through LM_oled's object too). */
nd_oled *nd_oled_panel(void);

/* Send the power-up command sequence (display on, horizontal addressing,
** contrast), clear the panel. ND_OK, or the hal's error (message in
** nd_hal_error()). w 1..128, h 32 or 64. */
int nd_oled_init(nd_oled *o, int bus, int w, int h);
int nd_oled_show(nd_oled *o);
int nd_oled_cmd(nd_oled *o, const uint8_t *cmd, int n); /* raw commands */
int nd_oled_contrast(nd_oled *o, int percent);           /* 0..100 */
int nd_oled_invert(nd_oled *o, bool on);
int nd_oled_power(nd_oled *o, bool on);

/* Drawing on the buffer; pixels outside are clipped. */
void nd_oled_fill(nd_oled *o, int c);
void nd_oled_pixel(nd_oled *o, int x, int y, int c);
void nd_oled_line(nd_oled *o, int x0, int y0, int x1, int y1, int c);
void nd_oled_rect(nd_oled *o, int x, int y, int w, int h, int c, bool fill);
void nd_oled_text(nd_oled *o, const char *s, int x, int y, int c);

#endif
