/*
** sim_bme280.c -- a Bosch BME280 at register level, for the sim board.
**
** The chip answers like the real one: chip id 0x60 at 0xD0, calibration at
** 0x88..0xA1 and 0xE1..0xE7, soft reset 0xB6 at 0xE0, ctrl_hum/ctrl_meas/
** config, measurements in 0xF7..0xFE. A measurement happens when ctrl_meas
** asks for forced mode (then the chip goes back to sleep) or on every read
** in normal mode; a skipped channel (oversampling 0) reads 0x80000/0x8000,
** as do the data registers before the first measurement. ctrl_hum only
** takes effect with the next ctrl_meas write, as the datasheet says.
**
** Calibration: the T/P words are the datasheet's worked example, so the
** default raw values (adc_T 519888, adc_P 415148) read back as its 25.08 degC
** and 100653.27 Pa; humidity words are those of a typical part. Values set by
** the user are turned into raw readings by searching the (monotonic)
** compensation functions, so the driver's math is exercised for real.
*/
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nodus/sensors.h"
#include "nodus/value.h"
#include "sim_dev.h"
#include "ndmath.h"

static const nd_bme280_calib calib = {
    27504, 26435, -1000,                                          /* T1..T3 */
    36477, -10685, 3024, 2855, 140, -7, 15500, -14600, 6000,      /* P1..P9 */
    75, 362, 0, 313, 50, 30,                                      /* H1..H6 */
};

/* The same calibration as the chip's registers hold it (0x88..0xA1, then
** 0xE1..0xE7; nd_bme280_calib_pack's layout): a copy at reset instead of the
** packing code. test_bme280's sim test parses them back into `calib`. */
#define LE(v) (uint8_t)((uint16_t)(v) & 0xff), (uint8_t)((uint16_t)(v) >> 8)
static const uint8_t calib1[26] = {LE(27504), LE(26435), LE(-1000), LE(36477), LE(-10685),
                                   LE(3024),  LE(2855),  LE(140),   LE(-7),    LE(15500),
                                   LE(-14600), LE(6000), 0,         75};
static const uint8_t calib2[7] = {LE(362), 0, 313 >> 4, (313 & 0x0f) | (50 & 0x0f) << 4, 50 >> 4, 30};

static uint8_t regs[256];
static uint8_t ptr;               /* register pointer */
static uint8_t hum_latched;       /* ctrl_hum as taken by the last ctrl_meas write */
static int32_t adc_t = 519888, adc_p = 415148, adc_h = 0;
static double set_t = 25.08, set_hpa = 1006.5327, set_rh = 45.0;

static int64_t ev_t(int32_t a, void *ud)
{
    (void)ud;
    int32_t tf;
    return nd_bme280_temp(&calib, a, &tf);
}
static int64_t ev_p(int32_t a, void *ud) { return nd_bme280_press(&calib, a, *(int32_t *)ud); }
static int64_t ev_h(int32_t a, void *ud) { return nd_bme280_hum(&calib, a, *(int32_t *)ud); }

/* Raw value in [lo, hi] whose compensated output is nearest to target; the
** function is monotonic (either direction). */
static int32_t search(int64_t (*f)(int32_t, void *), void *ud, int32_t lo, int32_t hi,
                      int64_t target)
{
    bool up = f(hi, ud) >= f(lo, ud);
    while (hi - lo > 1) {
        int32_t mid = lo + (hi - lo) / 2;
        int64_t v = f(mid, ud);
        if ((v < target) == up) lo = mid;
        else hi = mid;
    }
    return llabs(f(lo, ud) - target) <= llabs(f(hi, ud) - target) ? lo : hi;
}

void nd_simbme_set(double temp_c, double hpa, double rh)
{
    set_t = temp_c;
    set_hpa = hpa;
    set_rh = rh;
    adc_t = search(ev_t, NULL, 0, 0xFFFFF, (long long)nd_round(temp_c * 100.0));
    int32_t tf;
    nd_bme280_temp(&calib, adc_t, &tf);
    adc_p = search(ev_p, &tf, 0, 0xFFFFF, (long long)nd_round(hpa * 100.0 * 256.0));
    adc_h = search(ev_h, &tf, 0, 0xFFFF, (long long)nd_round(rh * 1024.0));
}

void nd_simbme_get(double *temp_c, double *hpa, double *rh)
{
    *temp_c = set_t;
    *hpa = set_hpa;
    *rh = set_rh;
}

static void put20(uint8_t *p, int32_t v)
{
    p[0] = (uint8_t)(v >> 12);
    p[1] = (uint8_t)(v >> 4);
    p[2] = (uint8_t)((v & 0xf) << 4);
}

static void measure(void)
{
    uint8_t meas = regs[ND_BME280_REG_CTRL_MEAS];
    int osrs_t = meas >> 5, osrs_p = (meas >> 2) & 7, osrs_h = hum_latched & 7;
    put20(regs + 0xF7, osrs_p ? adc_p : 0x80000);
    put20(regs + 0xFA, osrs_t ? adc_t : 0x80000);
    int32_t h = osrs_h ? adc_h : 0x8000;
    regs[0xFD] = (uint8_t)(h >> 8);
    regs[0xFE] = (uint8_t)h;
}

void nd_simbme_reset(void)
{
    memset(regs, 0, sizeof regs);
    regs[ND_BME280_REG_ID] = ND_BME280_CHIP_ID;
    memcpy(regs + ND_BME280_REG_CALIB1, calib1, sizeof calib1);
    memcpy(regs + ND_BME280_REG_CALIB2, calib2, sizeof calib2);
    put20(regs + 0xF7, 0x80000);
    put20(regs + 0xFA, 0x80000);
    regs[0xFD] = 0x80;
    ptr = 0;
    hum_latched = 0;
    if (adc_h == 0) {
        /* first start: humidity from the default value; T/P keep the
        ** datasheet's raw values exactly */
        int32_t tf;
        nd_bme280_temp(&calib, adc_t, &tf);
        adc_h = search(ev_h, &tf, 0, 0xFFFF, (long long)nd_round(set_rh * 1024.0));
    }
}

static void write_reg(uint8_t reg, uint8_t v)
{
    switch (reg) {
    case ND_BME280_REG_RESET:
        if (v == 0xB6) nd_simbme_reset();
        break;
    case ND_BME280_REG_CTRL_HUM:
        regs[reg] = v & 7;
        break;
    case ND_BME280_REG_CTRL_MEAS:
        regs[reg] = v;
        hum_latched = regs[ND_BME280_REG_CTRL_HUM];
        if ((v & 3) == 1 || (v & 3) == 2) { /* forced: one conversion, back to sleep */
            measure();
            regs[reg] = (uint8_t)(v & ~3);
        }
        break;
    case ND_BME280_REG_CONFIG:
        regs[reg] = v & 0xFD;
        break;
    default:
        break; /* read-only registers ignore writes, as the chip does */
    }
}

int nd_simbme_xfer(const uint8_t *w, size_t wn, uint8_t *r, size_t rn)
{
    if (wn) {
        /* writes are register/value pairs (no auto-increment on the BME280);
        ** a lone register byte just sets the read pointer */
        ptr = w[0];
        for (size_t i = 1; i < wn; i += 2) write_reg(w[i - 1], w[i]);
    }
    if ((regs[ND_BME280_REG_CTRL_MEAS] & 3) == 3) measure(); /* normal mode: always fresh */
    for (size_t i = 0; i < rn; i++) r[i] = regs[(uint8_t)(ptr + i)];
    ptr = (uint8_t)(ptr + rn);
    return ND_OK;
}
