/*
** oled_ui.c -- pages on the SSD1306 panel (micrOS LM_oled_ui): a header
** with the clock and the page number, and micrOS's three pages: system
** (devfid, IP address, version), InterCon cache, welcome (press draws the
** bitmap and 'HELLO :D'). It draws through the `oled` module's panel.
**   load(pwr_sec=None, oled_type='ssd1306', page=0, width=128, height=64,
**        joystick=True) -> 'OLED: ssd1306: 128x64 initialized.'
**   draw -> 'refreshed...' (before load micrOS's 'Module uninitialized ...')
**   control(cmd='next') next/prev/press/on/off -> 'page: <n> pwr: True' (micrOS's);
**        another cmd -> micrOS's 'Invalid command ...! Hint: (...)'
**   msgbox(msg='micrOS msg') -> 'Show msg' (a framed message over the page)
** Navigation from buttons: irqN_cbf 'oled_ui control cmd=next'.
** pwr_sec=<sec>: micrOS's power saver -- the panel goes off after pwr_sec
** seconds without a control command (any control, or load, restarts the
** count; a msgbox turns the panel back on). micrOS counts its timirq draws;
** nodus counts real seconds in the task "oled_ui._pwr" (a 1 s tick), so the
** saver works without a timirq draw too. While off, draw leaves the panel
** dark, as micrOS's render_page does. missing: sh1106, the joystick pins,
** intercon_genpage and cmd_genpage. The contract: docs/modules.md.
*/
#include <stdio.h>
#include <string.h>

#include "nodus/hal.h"
#include "nodus/module.h"
#include "nodus/node.h"
#include "nodus/pins.h"
#include "nodus/port.h"
#include "nodus/ssd1306.h"
#include "nodus/task.h"

#define PAGES 3
#define PWR_SEC_MAX 86400 /* a day: longer is a typo */

static struct {
    bool ready;
    int page;
    bool pressed;
    char msg[64];
    bool off;          /* the power saver or control off darkened the panel */
    int64_t pwr_sec;   /* screen saver timeout, -1: None */
    uint64_t active;   /* the last control command (monotonic ms) */
    bool saver;        /* the task oled_ui._pwr runs */
} s = {.pwr_sec = -1};

static int32_t pwr_step(nd_task *t, void *ud)
{
    (void)ud;
    if (s.pwr_sec < 0) {
        s.saver = false;
        nd_task_printf(t, "power saver off");
        return ND_TASK_DONE;
    }
    uint64_t now = nd_port_mono_ms(), due = s.active + (uint64_t)s.pwr_sec * 1000;
    if (!s.off && now >= due) {
        if (nd_oled_power(nd_oled_panel(), false) >= 0) s.off = true; /* failed: again next tick */
        s.active = now; /* micrOS resets its counter when it turns the screen off */
    }
    if (s.off) nd_task_printf(t, "screen off");
    else nd_task_printf(t, "screen off in %llu s", (unsigned long long)((due > now ? due - now : 0) + 999) / 1000);
    /* wake at the deadline, at most 1 s apart; a failed power-off retries in 1 s */
    return s.off || due <= now || due - now > 1000 ? 1000 : (int32_t)(due - now);
}

static void header(nd_call *c, nd_oled *o)
{
    nd_tm tm;
    char b[32];
    nd_node_localtime(c->node, &tm);
    snprintf(b, sizeof b, "%02d:%02d:%02d", tm.hour, tm.min, tm.sec);
    nd_oled_text(o, b, 0, 0, 1);
    snprintf(b, sizeof b, "%d/%d", s.page + 1, PAGES);
    nd_oled_text(o, b, o->w - 8 * (int)strlen(b), 0, 1);
    nd_oled_line(o, 0, 10, o->w - 1, 10, 1);
}

static void page_sys(nd_call *c, nd_oled *o)
{
    char ip[16], mask[16], gw[16], dns[16], mac[18], b[40];
    nd_oled_text(o, nd_node_cfg_str(c->node, "devfid"), 0, 15, 1);
    if (nd_port_ifconfig(ip, mask, gw, dns, mac) != ND_OK) snprintf(ip, sizeof ip, "0.0.0.0");
    snprintf(b, sizeof b, "  %s", ip);
    nd_oled_text(o, b, 0, 25, 1);
    snprintf(b, sizeof b, "  V: %s", nd_node_cfg_str(c->node, "version"));
    nd_oled_text(o, b, 0, 45, 1);
}

static void page_intercon(nd_call *c, nd_oled *o)
{
    nd_oled_text(o, "InterCon cache", 0, 15, 1);
    nd_value *d = nd_dict(c->arena);
    if (!d || nd_node_hosts(c->node, c->arena, d) != ND_OK) return;
    nd_value *ic = nd_dict_get(d, "intercon");
    if (!ic) ic = d; /* the cache's items themselves */
    if (!ic || ic->type != ND_T_DICT || ic->u.seq.n == 0) {
        nd_oled_text(o, "Empty", 40, 35, 1);
        return;
    }
    for (size_t i = 0; i < ic->u.seq.n && i < 3; i++) {
        char b[48], host[24];
        const char *k = ic->u.seq.v[2 * i]->u.s.p, *v = ic->u.seq.v[2 * i + 1]->type == ND_T_STR ? ic->u.seq.v[2 * i + 1]->u.s.p : "";
        const char *dot = strchr(k, '.');
        snprintf(host, sizeof host, "%.*s", (int)(dot ? dot - k : (long)strlen(k)), k);
        const char *tail = v + strlen(v); /* the address's last two octets, as micrOS */
        for (int dots = 0; tail > v && dots < 2; tail--)
            if (tail[-1] == '.' && ++dots == 2) break;
        snprintf(b, sizeof b, " %s %s", tail, host);
        nd_oled_text(o, b, 0, 15 + 10 * (int)(i + 1), 1);
    }
}

static const char *const hello_bmp[] = {
    "00001100110000", "00001100110000", "11111111111111", "11111111111111", "11110000001111",
    "11110000001111", "00110011001100", "00110011001100", "11110000001111", "11110000001111",
    "11111111111111", "11111111111111", "00001100110000", "00001100110000",
};

static void page_welcome(nd_oled *o)
{
    nd_oled_text(o, "micrOS GUI", 30, 15, 1);
    if (!s.pressed) return;
    for (int y = 0; y < 14; y++)
        for (int x = 0; x < 14; x++) nd_oled_pixel(o, 15 + x, 29 + y, hello_bmp[y][x] == '1');
    nd_oled_text(o, "HELLO :D", 35, 29, 1);
}

static int render(nd_call *c)
{
    nd_oled *o = nd_oled_panel();
    if (s.msg[0] && s.off) { /* micrOS: a message turns the screen back on */
        if (nd_oled_power(o, true) < 0) return nd_fail(c, "%s", nd_hal_error());
        s.off = false, s.active = nd_port_mono_ms(); /* a full saver count, as micrOS's reset */
    }
    if (s.off) return ND_OK; /* dark: micrOS's render_page draws nothing */
    nd_oled_fill(o, 0);
    header(c, o);
    if (s.page == 0) page_sys(c, o);
    else if (s.page == 1) page_intercon(c, o);
    else page_welcome(o);
    if (s.msg[0]) { /* the pop-up stays until the next page change */
        nd_oled_rect(o, 4, 20, o->w - 8, 24, 0, true);
        nd_oled_rect(o, 4, 20, o->w - 8, 24, 1, false);
        nd_oled_text(o, s.msg, 8, 28, 1);
    }
    if (nd_oled_show(o) < 0) return nd_fail(c, "OLED at 0x3c: %s", nd_hal_error());
    return ND_OK;
}

static int f_load(nd_call *c)
{
    const char *type;
    int64_t page, w, h;
    if (nd_arg_str(c, 1, &type) || nd_arg_int(c, 2, &page) || nd_arg_int(c, 3, &w) || nd_arg_int(c, 4, &h))
        return ND_ERR;
    int64_t pwr = -1;
    if (!nd_arg_is_none(c, 0)) {
        if (nd_arg_int(c, 0, &pwr)) return ND_ERR;
        if (pwr < 0 || pwr > PWR_SEC_MAX)
            return nd_fail(c, "pwr_sec=%lld out of range 0..%d s (or None)", (long long)pwr, PWR_SEC_MAX);
    }
    if (strcmp(type, "ssd1306") != 0) return nd_fail(c, "oled_type '%s': nodus drives the ssd1306 only", type);
    nd_oled *o = nd_oled_panel();
    if (!o->ready) {
        int sda, scl;
        if (nd_pin_bind(c, "i2c_sda", &sda) || nd_pin_bind(c, "i2c_scl", &scl)) return ND_ERR;
        int bus = nd_i2c_bus(nd_pin_gpio(sda), nd_pin_gpio(scl));
        if (bus < 0 || nd_oled_init(o, bus, (int)w, (int)h) < 0) return nd_fail(c, "OLED at 0x3c: %s", nd_hal_error());
    }
    if (!s.ready) s.page = (int)((page % PAGES + PAGES) % PAGES), s.ready = true;
    s.pwr_sec = pwr, s.active = nd_port_mono_ms();
    if (pwr >= 0 && !s.saver) {
        if (nd_task_spawn(c, "oled_ui._pwr", pwr_step, NULL, 0)) return ND_ERR;
        s.saver = true;
    }
    if (render(c)) return ND_ERR;
    return nd_ret_str(c, "OLED: %s: %dx%d initialized.", type, o->w, o->h);
}

static int f_draw(nd_call *c)
{
    if (!s.ready)
        return nd_ret_str(c, "Module uninitialized, run: oled_ui load pwr_sec=None oled_type='ssd1306' page=0 width=128 height=64");
    if (render(c)) return ND_ERR;
    return nd_ret_str(c, "refreshed...");
}

static int f_control(nd_call *c)
{
    const char *cmd;
    if (nd_arg_str(c, 0, &cmd)) return ND_ERR;
    static const char *const valid[] = {"next", "prev", "press", "on", "off"};
    int k = -1;
    for (int i = 0; i < 5; i++)
        if (!strcmp(cmd, valid[i])) k = i;
    if (k < 0) return nd_ret_str(c, "Invalid command %s! Hint: ('next', 'prev', 'press', 'on', 'off')", cmd);
    if (!s.ready) return nd_fail(c, "oled_ui is not loaded: oled_ui load");
    s.active = nd_port_mono_ms(); /* micrOS: every control restarts the power saver count */
    s.msg[0] = 0;                 /* ... and drops the message box */
    if (k == 3 || k == 4) {
        if (nd_oled_power(nd_oled_panel(), k == 3) < 0) return nd_fail(c, "%s", nd_hal_error());
        s.off = k == 4;
        return nd_ret_str(c, "page: %d pwr: %s", s.page, s.off ? "False" : "True"); /* micrOS PageUI.control */
    }
    if (k < 2) s.page = (s.page + (k == 0 ? 1 : PAGES - 1)) % PAGES, s.pressed = false, s.msg[0] = 0;
    else s.pressed = true;
    if (render(c)) return ND_ERR;
    return nd_ret_str(c, "page: %d pwr: %s", s.page, s.off ? "False" : "True"); /* micrOS PageUI.control */
}

static int f_msgbox(nd_call *c)
{
    const char *m;
    if (nd_arg_str(c, 0, &m)) return ND_ERR;
    if (!s.ready) return nd_fail(c, "oled_ui is not loaded: oled_ui load");
    if (strlen(m) >= sizeof s.msg) return nd_fail(c, "msg is longer than %d characters", (int)sizeof s.msg - 1);
    snprintf(s.msg, sizeof s.msg, "%s", m);
    if (render(c)) return ND_ERR;
    return nd_ret_str(c, "Show msg");
}

static int f_pinmap(nd_call *c)
{
    static const char *const tags[] = {"i2c_scl", "i2c_sda", "js_right", "js_left", "js_up", "js_down", "js_press", NULL};
    return nd_pin_ret_map(c, tags);
}

static const nd_func funcs[] = {
    ND_FUNC("load", f_load, "pwr_sec=None oled_type='ssd1306' page=0 width=128 height=64 joystick=True",
            "load pwr_sec=None/int(sec) oled_type=\"ssd1306 or sh1106\" page=0 width=128 height=64 joystick=True"),
    ND_FUNC("draw", f_draw, "", "draw"),
    ND_FUNC("control", f_control, "cmd='next'", "BUTTON control cmd=<prev,press,next,on,off>"),
    ND_FUNC("msgbox", f_msgbox, "msg='micrOS msg'", "msgbox \"msg\""),
    ND_FUNC("pinmap", f_pinmap, "", "pinmap"),
    ND_FUNCS_END,
};

const nd_module nd_mod_oled_ui = {"oled_ui", funcs, NULL, "pages on the SSD1306 OLED (micrOS oled_ui)"};
