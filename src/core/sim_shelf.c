/*
** sim_shelf.c -- the device shelf's simulated devices on the sim board.
**
** Each model answers at the level the real part does, so the module that
** drives it is exercised for real:
**   DS18B20 x2 on 1-Wire (`ds18`): ROM search, MATCH/SKIP ROM, CONVERT T
**     taking 750 ms (a read before then returns the previous scratchpad,
**     85.0 degC after power-up), READ SCRATCHPAD with its CRC-8.
**   AHT10 (I2C 0x38): init 0xE1, trigger 0xAC 33 00 (busy for 80 ms, status
**     bit 7), soft reset 0xBA; 6-byte frame with 20-bit values.
**   VEML7700 (I2C 0x10): 16-bit LE registers; ALS counts at 0x04 read 0
**     while ALS_CONF's shutdown bit (power-up default) is set.
**   SSD1306 (I2C 0x3C, 128x64): control byte 0x00 commands / 0x40 data,
**     horizontal/page addressing, column/page windows, display on/off,
**     contrast, inverse -- the GDDRAM is what /sim draws.
**   LD2410 radar on UART 0 (tx 1 / rx 38, 256000 baud): a basic report
**     frame every 100 ms (made when read, from the elapsed time), ACK frames
**     for enable-config and firmware-version commands; bytes the ring
**     cannot hold are dropped oldest first, as a UART FIFO overrun would.
**   DHT11 on `dhtpin` when `sim dht11` chose it (integer frame bytes).
**   Observers: the 28BYJ-48 stepper's rotor follows the magnetic field of
**     the energised coils (a jump of 180 degrees or no field moves nothing;
**     a pattern held under 300 us is a transient of one update, ignored);
**     the haptic motor counts its buzzes (PWM duty rising from 0).
** Pins are found by name in the wiring table (hal_sim.c), never repeated.
*/
#include <math.h>
#include <string.h>

#include "hal_int.h"
#include "nodus/port.h"
#include "nodus/sensors.h"
#include "nodus/value.h"
#include "sim_dev.h"
#include "ndmath.h"

#define DS18_CONV_MS 750
#define AHT_BUSY_MS 80
#define RADAR_PERIOD_MS 100
#define RADAR_BAUD 256000
#define OLED_W 128
#define OLED_PAGES 8

static int pin_of(const char *name)
{
    for (const nd_sim_wire *w = nd_sim_wiring(); w->name; w++)
        if (strcmp(w->name, name) == 0) return w->pin;
    return -1;
}

static uint64_t now_ms(void) { return nd_port_mono_ms(); }

/* The models start at their power-up state even when the sim backend was
** never opened (unit tests drive the ops directly). */
static bool ready;
#define ENSURE()                                                                                 \
    do {                                                                                         \
        if (!ready) nd_simshelf_reset();                                                         \
    } while (0)

/* The control calls work on the sim board only. */
static int need_sim(void)
{
    if (strcmp(nd_hal_backend(), "sim") != 0)
        return nd_hal_fail(ND_ETYPE, "the sim board is not active (hwbackend is %s)", nd_hal_backend());
    ENSURE();
    return ND_OK;
}

/* ---- DHT11 ---------------------------------------------------------------- */
static int dht_type = 22;

int nd_simshelf_dht_type(void) { return dht_type; }

void nd_simshelf_dht11_encode(double t, double rh, uint8_t f[5])
{
    double at = fabs(t);
    int ti = (int)at, td = (int)(long)nd_round((at - ti) * 10);
    if (td == 10) ti++, td = 0;
    f[0] = (uint8_t)(long)nd_round(rh);
    f[1] = 0;
    f[2] = (uint8_t)(ti | (t < 0 ? 0x80 : 0));
    f[3] = (uint8_t)td;
    f[4] = (uint8_t)(f[0] + f[1] + f[2] + f[3]);
}

int nd_sim_dht_model(int type)
{
    if (need_sim()) return ND_ETYPE;
    if (type != 11 && type != 22) return nd_hal_fail(ND_EINVAL, "DHT model is 11 or 22, not %d", type);
    dht_type = type;
    return ND_OK;
}

/* ---- DS18B20 on 1-Wire ---------------------------------------------------- */
static struct ds {
    uint64_t rom;
    double set;        /* what the next conversion measures */
    bool present;
    uint8_t sp[9];     /* scratchpad */
    double conv_val;   /* value of the running conversion */
    uint64_t conv_end; /* ms when it completes; 0: none running */
} ds[ND_SIM_DS18_N];

static uint64_t ds_rom(int i)
{
    uint8_t b[8] = {ND_DS18_FAMILY, (uint8_t)(0x51 + i), 0xA2, 0x79, 0x16, 0x03, 0x00, 0};
    b[7] = nd_ow_crc8(b, 7);
    uint64_t r = 0;
    for (int k = 7; k >= 0; k--) r = (r << 8) | b[k];
    return r;
}

static void ds_settle(struct ds *d)
{
    if (d->conv_end && now_ms() >= d->conv_end) {
        nd_ds18_encode(d->conv_val, d->sp);
        d->conv_end = 0;
    }
}

int nd_simshelf_ow_search(int pin, uint64_t *roms, int max)
{
    ENSURE();
    int n = 0;
    if (pin == pin_of("ds18"))
        for (int i = 0; i < ND_SIM_DS18_N; i++)
            if (ds[i].present && n < max) roms[n++] = ds[i].rom;
    if (n == 0 && (pin != pin_of("ds18") || max > 0))
        return nd_hal_fail(ND_EIO, "no 1-Wire device answered on pin %d (no presence pulse)", pin);
    return n;
}

int nd_simshelf_ow_xfer(int pin, uint64_t rom, const uint8_t *w, size_t wn, uint8_t *r, size_t rn)
{
    ENSURE();
    bool any = false;
    for (int i = 0; i < ND_SIM_DS18_N && pin == pin_of("ds18"); i++) any |= ds[i].present;
    if (!any) return nd_hal_fail(ND_EIO, "no 1-Wire device answered on pin %d (no presence pulse)", pin);
    struct ds *sel[ND_SIM_DS18_N];
    int ns = 0;
    for (int i = 0; i < ND_SIM_DS18_N; i++)
        if (ds[i].present && (rom == 0 || ds[i].rom == rom)) sel[ns++] = &ds[i];
    if (ns == 0) {
        char nm[20];
        nd_w1_rom_name(rom, nm, sizeof nm);
        return nd_hal_fail(ND_EIO, "1-Wire device %s did not answer on pin %d", nm, pin);
    }
    if (rn) memset(r, 0xFF, rn); /* an idle bus reads ones (r may be NULL when rn is 0) */
    if (wn == 0) return ND_OK;
    for (int i = 0; i < ns; i++) ds_settle(sel[i]);
    if (w[0] == ND_DS18_CONVERT) {
        for (int i = 0; i < ns; i++) {
            sel[i]->conv_val = sel[i]->set;
            sel[i]->conv_end = now_ms() + DS18_CONV_MS;
        }
    } else if (w[0] == ND_DS18_READ) {
        if (ns > 1) { /* several devices answering at once: wired-AND garbage */
            for (size_t k = 0; k < rn; k++) r[k] = 0;
            return ND_OK;
        }
        for (size_t k = 0; k < rn && k < 9; k++) r[k] = sel[0]->sp[k];
    }
    return ND_OK;
}

int nd_sim_ds18_set(int idx, double temp_c, bool present)
{
    if (need_sim()) return ND_ETYPE;
    if (idx < 0 || idx >= ND_SIM_DS18_N) return nd_hal_fail(ND_EINVAL, "DS18B20 index 0..%d", ND_SIM_DS18_N - 1);
    if (temp_c < -55 || temp_c > 125) return nd_hal_fail(ND_EINVAL, "DS18B20 range is -55..125 degC");
    ds[idx].set = temp_c;
    ds[idx].present = present;
    return ND_OK;
}

/* ---- AHT10 ---------------------------------------------------------------- */
static struct {
    double t, rh;
    bool present, calibrated;
    uint64_t busy_until;
    uint8_t data[6];
} aht;

static int aht_xfer(const uint8_t *w, size_t wn, uint8_t *r, size_t rn)
{
    if (wn >= 1 && w[0] == 0xBA) aht.calibrated = false;
    if (wn >= 3 && w[0] == 0xE1) aht.calibrated = true;
    if (wn >= 3 && w[0] == 0xAC && w[1] == 0x33) {
        nd_aht10_encode(aht.t, aht.rh, aht.data);
        aht.busy_until = now_ms() + AHT_BUSY_MS;
    }
    bool busy = now_ms() < aht.busy_until;
    uint8_t st = (uint8_t)((busy ? 0x80 : 0) | (aht.calibrated ? 0x08 : 0));
    for (size_t i = 0; i < rn; i++) r[i] = i == 0 ? st : i < 6 ? aht.data[i] : 0xFF;
    return ND_OK;
}

int nd_sim_aht10_set(double temp_c, double rh, bool present)
{
    if (need_sim()) return ND_ETYPE;
    if (temp_c < -40 || temp_c > 85 || rh < 0 || rh > 100)
        return nd_hal_fail(ND_EINVAL, "AHT10 range is -40..85 degC, 0..100 %%RH");
    aht.t = temp_c, aht.rh = rh, aht.present = present;
    return ND_OK;
}

/* ---- VEML7700 ------------------------------------------------------------- */
static struct {
    uint16_t reg[8];
    uint8_t ptr;
    int counts;
    bool present;
} veml;

static int veml_xfer(const uint8_t *w, size_t wn, uint8_t *r, size_t rn)
{
    if (wn >= 1) veml.ptr = w[0] & 7;
    if (wn >= 3 && veml.ptr <= 3) veml.reg[veml.ptr] = (uint16_t)(w[1] | (w[2] << 8));
    bool shutdown = veml.reg[0] & 1;
    veml.reg[ND_VEML7700_ALS] = shutdown ? 0 : (uint16_t)veml.counts;
    veml.reg[5] = shutdown ? 0 : (uint16_t)(veml.counts * 3 / 2);
    uint16_t v = veml.reg[veml.ptr];
    for (size_t i = 0; i < rn; i++) r[i] = i == 0 ? (uint8_t)v : i == 1 ? (uint8_t)(v >> 8) : 0xFF;
    return ND_OK;
}

int nd_sim_veml7700_set(int counts, bool present)
{
    if (need_sim()) return ND_ETYPE;
    if (counts < 0 || counts > 65535) return nd_hal_fail(ND_EINVAL, "VEML7700 counts 0..65535");
    veml.counts = counts, veml.present = present;
    return ND_OK;
}

/* ---- SSD1306 -------------------------------------------------------------- */
static struct {
    uint8_t ram[OLED_PAGES][OLED_W];
    bool present, on, inverse;
    int contrast, mode; /* mode: 0 horizontal, 1 vertical, 2 page */
    int col, page, c0, c1, p0, p1;
    uint8_t pend[3]; /* a command waiting for its argument bytes */
    int pend_n, pend_need;
    uint64_t bytes;   /* data bytes written (`sim oled`, /sim) */
} oled;

static void oled_cmd_done(void)
{
    const uint8_t *c = oled.pend;
    switch (c[0]) {
    case 0x20: oled.mode = c[1] & 3; break;
    case 0x21: oled.c0 = c[1] & 127, oled.c1 = c[2] & 127, oled.col = oled.c0; break;
    case 0x22: oled.p0 = c[1] & 7, oled.p1 = c[2] & 7, oled.page = oled.p0; break;
    case 0x81: oled.contrast = c[1]; break;
    default: break; /* mux, offset, clock, charge pump ...: nothing to show */
    }
    oled.pend_n = oled.pend_need = 0;
}

/* Argument bytes a command takes (mux, offset, clock, charge pump ... take one). */
static int oled_args(uint8_t cmd)
{
    if (cmd == 0x21 || cmd == 0x22) return 2;
    return memchr("\x20\x81\x8D\xA8\xD3\xD5\xD9\xDA\xDB", cmd, 9) != NULL;
}

static void oled_command(uint8_t b)
{
    if (oled.pend_need) {
        oled.pend[++oled.pend_n] = b;
        if (oled.pend_n == oled.pend_need) oled_cmd_done();
        return;
    }
    if (b == 0xAE || b == 0xAF) oled.on = b == 0xAF;
    else if (b == 0xA6 || b == 0xA7) oled.inverse = b == 0xA7;
    else if (b >= 0xB0 && b <= 0xB7) oled.page = b & 7;           /* page mode */
    else if (b <= 0x0F) oled.col = (oled.col & 0xF0) | b;          /* page mode column */
    else if (b >= 0x10 && b <= 0x1F) oled.col = (oled.col & 0x0F) | ((b & 0x0F) << 4);
    int need = oled_args(b);
    if (need) oled.pend[0] = b, oled.pend_n = 0, oled.pend_need = need;
}

static void oled_data(uint8_t b)
{
    oled.ram[oled.page & 7][oled.col & 127] = b;
    oled.bytes++;
    if (oled.mode == 2) { /* page mode: the column runs on, the page stays */
        if (oled.col < 127) oled.col++;
        return;
    }
    if (oled.mode == 0) {
        if (++oled.col > oled.c1) {
            oled.col = oled.c0;
            if (++oled.page > oled.p1) oled.page = oled.p0;
        }
    } else {
        if (++oled.page > oled.p1) {
            oled.page = oled.p0;
            if (++oled.col > oled.c1) oled.col = oled.c0;
        }
    }
}

static int oled_xfer(const uint8_t *w, size_t wn, uint8_t *r, size_t rn)
{
    if (wn) {
        /* one control byte for the whole transfer (Co = 0), as the drivers send */
        bool data = w[0] & 0x40;
        for (size_t i = 1; i < wn; i++) data ? oled_data(w[i]) : oled_command(w[i]);
    }
    for (size_t i = 0; i < rn; i++) r[i] = oled.on ? 0x03 : 0x43; /* status: display off bit 6 */
    return ND_OK;
}

int nd_sim_oled_present(bool present)
{
    if (need_sim()) return ND_ETYPE;
    oled.present = present;
    return ND_OK;
}

/* ---- I2C dispatch ---------------------------------------------------------- */
int nd_simshelf_i2c_scan(uint8_t *addrs, int n, int max)
{
    ENSURE();
    /* ascending (the caller appends the BME280, whose address is higher) */
    _Static_assert(ND_SIM_VEML_ADDR < ND_SIM_AHT10_ADDR && ND_SIM_AHT10_ADDR < ND_SIM_OLED_ADDR,
                   "scan order is address order");
    if (veml.present && n < max) addrs[n++] = ND_SIM_VEML_ADDR;
    if (aht.present && n < max) addrs[n++] = ND_SIM_AHT10_ADDR;
    if (oled.present && n < max) addrs[n++] = ND_SIM_OLED_ADDR;
    return n;
}

int nd_simshelf_i2c_xfer(uint8_t addr, const uint8_t *w, size_t wn, uint8_t *r, size_t rn)
{
    ENSURE();
    if (addr == ND_SIM_AHT10_ADDR && aht.present) return aht_xfer(w, wn, r, rn);
    if (addr == ND_SIM_VEML_ADDR && veml.present) return veml_xfer(w, wn, r, rn);
    if (addr == ND_SIM_OLED_ADDR && oled.present) return oled_xfer(w, wn, r, rn);
    return ND_ENOTFOUND;
}

/* ---- LD2410 on UART 0 ----------------------------------------------------- */
static struct {
    bool open;
    uint32_t baud;
    uint8_t rx[ND_UART_RX];
    size_t head, n;       /* ring: n bytes from head */
    uint64_t next_ms;     /* when the next report frame is due */
    uint64_t dropped, frames;
    nd_ld2410 m;
    uint8_t cmd[64];
    size_t cmd_n;
} radar;

static void rx_push(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (radar.n == ND_UART_RX) { /* overrun: the oldest byte is lost */
            radar.head = (radar.head + 1) % ND_UART_RX;
            radar.n--;
            radar.dropped++;
        }
        radar.rx[(radar.head + radar.n++) % ND_UART_RX] = radar.baud == RADAR_BAUD ? p[i] : 0x00;
    }
}

static void radar_catch_up(void)
{
    uint64_t now = now_ms();
    if (radar.next_ms == 0) radar.next_ms = now;
    /* at most a ring's worth of frames: older ones would be overwritten anyway */
    if (now > radar.next_ms + (uint64_t)RADAR_PERIOD_MS * 64) radar.next_ms = now - RADAR_PERIOD_MS * 64;
    while (radar.next_ms <= now) {
        uint8_t f[ND_LD2410_FRAME];
        nd_ld2410_encode(&radar.m, f);
        rx_push(f, sizeof f);
        radar.frames++;
        radar.next_ms += RADAR_PERIOD_MS;
    }
}

static void radar_ack(uint16_t cmd, const uint8_t *val, size_t vn)
{
    uint8_t f[32] = {0xfd, 0xfc, 0xfb, 0xfa};
    size_t len = 4 + vn;
    f[4] = (uint8_t)len, f[5] = 0;
    f[6] = (uint8_t)cmd, f[7] = (uint8_t)((cmd >> 8) | 0x01);
    f[8] = 0, f[9] = 0; /* status: success */
    memcpy(f + 10, val, vn);
    memcpy(f + 10 + vn, "\x04\x03\x02\x01", 4);
    rx_push(f, 14 + vn);
}

int nd_simshelf_uart_open(int tx, int rx, uint32_t baud)
{
    ENSURE();
    if (tx != pin_of("tx") || rx != pin_of("rx"))
        return nd_hal_fail(ND_ENOTFOUND, "no UART on tx=%d rx=%d (sim: tx=%d rx=%d)", tx, rx,
                           pin_of("tx"), pin_of("rx"));
    radar.open = true;
    radar.baud = baud;
    return 0;
}

int nd_simshelf_uart_write(int id, const uint8_t *p, size_t n)
{
    if (id != 0 || !radar.open) return nd_hal_fail(ND_EINVAL, "UART %d is not open", id);
    for (size_t i = 0; i < n; i++) {
        if (radar.cmd_n == sizeof radar.cmd) radar.cmd_n = 0; /* garbage: start over */
        radar.cmd[radar.cmd_n++] = p[i];
        const uint8_t *c = radar.cmd;
        size_t k = radar.cmd_n;
        if (k >= 4 && memcmp(c, "\xfd\xfc\xfb\xfa", 4) != 0) { /* resync on the header */
            memmove(radar.cmd, radar.cmd + 1, --radar.cmd_n);
            continue;
        }
        if (k < 12 || memcmp(c + k - 4, "\x04\x03\x02\x01", 4) != 0) continue;
        if (radar.baud == RADAR_BAUD) {
            uint16_t cmd = (uint16_t)(c[6] | (c[7] << 8));
            if (cmd == 0x00FF) radar_ack(cmd, (const uint8_t *)"\x01\x00\x40\x00", 4);
            else if (cmd == 0x00A0) radar_ack(cmd, (const uint8_t *)"\x00\x01\x02\x01\x16\x24\x06\x22", 8);
            else if (cmd == 0x00FE || cmd == 0x0062 || cmd == 0x0063) radar_ack(cmd, NULL, 0);
        }
        radar.cmd_n = 0;
    }
    return (int)n;
}

int nd_simshelf_uart_read(int id, uint8_t *p, size_t max)
{
    if (id != 0 || !radar.open) return nd_hal_fail(ND_EINVAL, "UART %d is not open", id);
    radar_catch_up();
    size_t k = 0;
    while (k < max && radar.n) {
        p[k++] = radar.rx[radar.head];
        radar.head = (radar.head + 1) % ND_UART_RX;
        radar.n--;
    }
    return (int)k;
}

void nd_simshelf_uart_close(int id)
{
    if (id == 0) radar.open = false, radar.n = 0;
}

int nd_sim_radar_set(int state, int mcm, int men, int scm, int sen, int dcm)
{
    if (need_sim()) return ND_ETYPE;
    if (state < 0 || state > 3 || mcm < 0 || mcm > 65535 || scm < 0 || scm > 65535 || dcm < 0 ||
        dcm > 65535 || men < 0 || men > 100 || sen < 0 || sen > 100)
        return nd_hal_fail(ND_EINVAL, "LD2410: state 0..3, distances 0..65535 cm, energies 0..100");
    radar.m = (nd_ld2410){state, mcm, men, scm, sen, dcm};
    return ND_OK;
}

/* ---- encoder ------------------------------------------------------------- */
int nd_sim_rotate(int steps)
{
    ENSURE();
    int dt = pin_of("rot_dt"), clk = pin_of("rot_clk");
    if (steps < -1000 || steps > 1000) return nd_hal_fail(ND_EINVAL, "rotate -1000..1000 detents");
    /* one detent is a full quadrature cycle from rest (both low): cw leads
    ** with clk, ccw with dt */
    int a = steps > 0 ? clk : dt, b = steps > 0 ? dt : clk;
    for (int i = 0; i < (steps < 0 ? -steps : steps); i++) {
        int rc;
        if ((rc = nd_sim_drive(a, 1)) || (rc = nd_sim_drive(b, 1)) || (rc = nd_sim_drive(a, 0)) ||
            (rc = nd_sim_drive(b, 0)))
            return rc;
    }
    return ND_OK;
}

/* ---- observers: stepper, haptic ------------------------------------------- */
#define STP_SETTLE_US 300 /* a coil pattern shorter than this is a transient of one
                            ** update (the four pins are written one by one); the
                            ** rotor's inertia ignores it, as a real rotor does */
static struct {
    int coil_pin[4];
    int coils;      /* bit i: coil i energised */
    uint64_t since; /* us: when coils took this pattern */
    int phase;      /* rotor position in half steps, 0..7 within a cycle */
    long position;  /* half steps from start; + is micrOS's direction=1 */
    int last_dir;   /* sign of the last move */
    long reversals; /* moves against the previous one: a shuffled coil order shows here */
} stp;
static struct {
    int pin;
    uint32_t duty, peak;
    uint64_t buzzes;
} hap;

/* Field direction of the energised coils in 45-degree units, -1 for none
** (no coil, or opposite coils cancelling). Coils sit at 0, 90, 180, 270
** degrees (stppr_1..4). */
static int field_of(int coils)
{
    static const int dir[16] = {-1, 0, 2, 1, 4, -1, 3, 2, 6, 7, -1, 0, 5, 6, 4, -1};
    return dir[coils & 15];
}

/* The rotor follows a field up to 90 degrees away; 180 degrees is a stall. */
static void stp_commit(uint64_t now)
{
    int f = field_of(stp.coils);
    if (f < 0 || now - stp.since < STP_SETTLE_US) return;
    int d = (f - stp.phase + 8) % 8, dir = 0;
    if (d == 1 || d == 2) stp.position -= d, stp.phase = f, dir = -1;
    else if (d == 7 || d == 6) stp.position += 8 - d, stp.phase = f, dir = 1;
    if (dir && stp.last_dir && dir != stp.last_dir) stp.reversals++;
    if (dir) stp.last_dir = dir;
}

void nd_simshelf_pin(int pin, int level, bool pwm, uint32_t duty)
{
    ENSURE();
    for (int i = 0; i < 4; i++) {
        if (pin != stp.coil_pin[i]) continue;
        int c = (stp.coils & ~(1 << i)) | ((pwm ? duty > 0 : level) ? 1 << i : 0);
        if (c == stp.coils) return;
        uint64_t now = nd_port_mono_us();
        stp_commit(now);
        stp.coils = c;
        stp.since = now;
        return;
    }
    if (pin == hap.pin) {
        uint32_t v = pwm ? duty : 0;
        if (hap.duty == 0 && v > 0) hap.buzzes++;
        if (v > hap.peak) hap.peak = v;
        hap.duty = v;
    }
}

/* ---- life cycle, snapshot -------------------------------------------------- */
void nd_simshelf_reset(void)
{
    ready = true;
    dht_type = 22;
    memset(ds, 0, sizeof ds);
    for (int i = 0; i < ND_SIM_DS18_N; i++) {
        ds[i].rom = ds_rom(i);
        ds[i].set = i ? 23.0 : 21.5;
        ds[i].present = i == 0;
        nd_ds18_encode(85.0, ds[i].sp); /* the power-up scratchpad */
    }
    memset(&aht, 0, sizeof aht);
    aht.t = 22.5, aht.rh = 41.0; /* I2C parts start unplugged: `sim aht10 present=True` */
    memset(&veml, 0, sizeof veml);
    veml.reg[0] = 0x0001; /* power-up: shut down */
    veml.counts = 1000;
    memset(&oled, 0, sizeof oled);
    oled.contrast = 0x7F, oled.c1 = 127, oled.p1 = 7, oled.mode = 2;
    memset(&radar, 0, sizeof radar); /* no target in the reports */
    memset(&stp, 0, sizeof stp);
    stp.phase = 7; /* at rest where micrOS's half-step cycle ends (coils 1+4) */
    char coil[] = "stppr_1";
    for (int i = 0; i < 4; i++, coil[6]++) stp.coil_pin[i] = pin_of(coil);
    memset(&hap, 0, sizeof hap);
    hap.pin = pin_of("haptic");
}

/* The snapshot's dicts are built from a spec rather than one call per key
** (flash: a field costs its key and a pointer, not a call sequence). spec:
** per field a type letter and the key, NUL-separated, ending with an empty
** one; v: where each value is. Letters name the C type read: 'b' bool, 'f'
** double, 'i' int, 'u' uint32_t, 'h' uint16_t, 'l' long, 'q' a 64-bit
** integer (uint64_t counters are shown as int64_t, as before), 's' a
** const char * (the text is copied). */
nd_value *nd_simshelf_fields(nd_arena *a, nd_value *e, const char *spec, const void *const *v)
{
    for (const char *k = spec; e && *k; k += strlen(k) + 1, v++) {
        const void *p = *v;
        nd_value *x;
        switch (*k) {
        case 'b': x = nd_bool(a, *(const bool *)p); break;
        case 'f': x = nd_float(a, *(const double *)p); break;
        case 'i': x = nd_int(a, *(const int *)p); break;
        case 'u': x = nd_int(a, *(const uint32_t *)p); break;
        case 'h': x = nd_int(a, *(const uint16_t *)p); break;
        case 'l': x = nd_int(a, *(const long *)p); break;
        case 's': x = nd_str(a, *(const char *const *)p); break;
        default: x = nd_int(a, *(const int64_t *)p); break;
        }
        if (nd_dict_set(a, e, k + 1, x) != ND_OK) e = NULL;
    }
    return e;
}

#define TRY(x)                                                                                   \
    do {                                                                                         \
        if ((x) != ND_OK) return ND_ENOMEM;                                                      \
    } while (0)
#define NN(x) ((x) ? ND_OK : ND_ENOMEM)
#define WANT(k) (!only || strcmp(only, k) == 0)

/* The parts that are plain fields. */
static const void *const aht_v[] = {&aht.present, &aht.t, &aht.rh};
static const void *const veml_v[] = {&veml.present, &veml.counts, &veml.reg[0]};
static const void *const oled_v[] = {&oled.present, &oled.on, &oled.inverse, &oled.contrast, &oled.bytes};
static const void *const radar_v[] = {&radar.m.state, &radar.m.moving_distance, &radar.m.detection_distance,
                                      &radar.open,    &radar.frames,            &radar.dropped};
static char coils_txt[5]; /* the stepper's coils as "1001" */
static const char *const coils_s = coils_txt;
static const void *const stp_v[] = {&stp.position, &coils_s, &stp.reversals};
static const void *const hap_v[] = {&hap.duty, &hap.peak, &hap.buzzes};
static const void *const dht_v[] = {&dht_type};
static const struct {
    const char *key, *spec;
    const void *const *v;
} parts[] = {
    {"aht10", "bpresent\0ftemp\0fhum\0", aht_v},
    {"veml7700", "bpresent\0icounts\0hconf\0", veml_v},
    {"oled", "bpresent\0bon\0binverse\0icontrast\0qbytes\0", oled_v},
    {"ld2410", "istate\0imoving_distance\0idetection_distance\0bopen\0qframes\0qdropped\0", radar_v},
    {"stepper", "lposition\0scoils\0lreversals\0", stp_v},
    {"haptic", "uduty\0upeak\0qbuzzes\0", hap_v},
};

int nd_simshelf_state(nd_arena *a, nd_value *d, const char *only)
{
    ENSURE();
    nd_value *l = nd_list(a);
    TRY(NN(l));
    for (int i = 0; i < ND_SIM_DS18_N && WANT("ds18"); i++) {
        char nm[20];
        nd_w1_rom_name(ds[i].rom, nm, sizeof nm);
        const char *rom = nm;
        const void *const v[] = {&rom, &ds[i].set, &ds[i].present};
        TRY(nd_seq_push(a, l, nd_simshelf_fields(a, nd_dict(a), "srom\0ftemp\0bpresent\0", v)));
    }
    if (WANT("ds18")) TRY(nd_dict_set(a, d, "ds18", l));
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        if (!WANT(parts[i].key)) continue;
        if (parts[i].v == stp_v) {
            stp_commit(nd_port_mono_us()); /* the rotor's latest move */
            for (int k = 0; k < 4; k++) coils_txt[k] = (char)('0' + ((stp.coils >> k) & 1));
        }
        nd_value *e = nd_simshelf_fields(a, nd_dict(a), parts[i].spec, parts[i].v);
        if (parts[i].v == oled_v) { /* and the frame buffer, in hex, for /sim */
            static const char hx[] = "0123456789abcdef";
            char fb[OLED_PAGES * OLED_W * 2 + 1];
            const uint8_t *ram = &oled.ram[0][0];
            for (int k = 0; k < OLED_PAGES * OLED_W; k++) {
                fb[2 * k] = hx[ram[k] >> 4];
                fb[2 * k + 1] = hx[ram[k] & 15];
            }
            fb[sizeof fb - 1] = 0;
            TRY(nd_dict_set(a, e, "fb", nd_str(a, fb)));
        }
        TRY(nd_dict_set(a, d, parts[i].key, e));
    }
    if (WANT("dht_model")) TRY(NN(nd_simshelf_fields(a, d, "idht_model\0", dht_v)));
    return ND_OK;
}
