/*
** sensors_shelf.c -- pure math of the device shelf's sensors (sensors.h):
** 1-Wire CRC-8, DS18B20 scratchpad, AHT10 frames, LD2410 radar reports, the
** Linux w1 sysfs texts (hal_int.h) and the table of sensor readings. Shared
** by the modules, the sim board's models and the unit tests, so the model
** and the driver cannot agree on a wrong encoding by accident: both sides
** are tested against datasheet examples (tests/unit/test_shelf.c).
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hal_int.h"
#include "nodus/sensors.h"
#include "ndmath.h"

uint8_t nd_ow_crc8(const uint8_t *p, size_t n)
{
    uint8_t crc = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t b = p[i];
        for (int k = 0; k < 8; k++) {
            uint8_t mix = (crc ^ b) & 1;
            crc >>= 1;
            if (mix) crc ^= 0x8C;
            b >>= 1;
        }
    }
    return crc;
}

int nd_ds18_decode(const uint8_t sp[9], double *temp_c)
{
    if (nd_ow_crc8(sp, 8) != sp[8]) return ND_EIO;
    int16_t raw = (int16_t)(uint16_t)(sp[0] | (sp[1] << 8));
    *temp_c = raw / 16.0;
    return ND_OK;
}

void nd_ds18_encode(double temp_c, uint8_t sp[9])
{
    int16_t raw = (int16_t)(long)nd_round(temp_c * 16.0);
    sp[0] = (uint8_t)raw;
    sp[1] = (uint8_t)((uint16_t)raw >> 8);
    sp[2] = 0x4B; /* TH, TL: the power-up alarm values */
    sp[3] = 0x46;
    sp[4] = 0x7F; /* 12-bit resolution */
    sp[5] = 0xFF;
    sp[6] = 0x0C;
    sp[7] = 0x10;
    sp[8] = nd_ow_crc8(sp, 8);
}

void nd_aht10_decode(const uint8_t d[6], double *temp_c, double *rh)
{
    uint32_t h = ((uint32_t)d[1] << 12) | ((uint32_t)d[2] << 4) | (d[3] >> 4);
    uint32_t t = ((uint32_t)(d[3] & 0x0F) << 16) | ((uint32_t)d[4] << 8) | d[5];
    /* the datasheet's formulas, in micrOS's float order */
    *rh = h * 100.0 / 1048576.0;
    *temp_c = t * 200.0 / 1048576.0 - 50;
}

void nd_aht10_encode(double temp_c, double rh, uint8_t d[6])
{
    uint32_t h = (uint32_t)(long)nd_round(rh / 100.0 * 1048576.0);
    uint32_t t = (uint32_t)(long)nd_round((temp_c + 50) / 200.0 * 1048576.0);
    if (h > 0xFFFFF) h = 0xFFFFF;
    if (t > 0xFFFFF) t = 0xFFFFF;
    d[0] = 0x08; /* calibrated, not busy */
    d[1] = (uint8_t)(h >> 12);
    d[2] = (uint8_t)(h >> 4);
    d[3] = (uint8_t)(((h & 0xF) << 4) | (t >> 16));
    d[4] = (uint8_t)(t >> 8);
    d[5] = (uint8_t)t;
}

static const uint8_t rep_head[4] = {0xf4, 0xf3, 0xf2, 0xf1};
static const uint8_t rep_tail[4] = {0xf8, 0xf7, 0xf6, 0xf5};

int nd_ld2410_find(const uint8_t *buf, size_t n, nd_ld2410 *out)
{
    if (n < ND_LD2410_FRAME) return ND_ENOTFOUND;
    /* from the end: the newest complete frame is what "now" looks like */
    for (size_t i = n - ND_LD2410_FRAME + 1; i-- > 0;) {
        const uint8_t *f = buf + i;
        if (memcmp(f, rep_head, 4) != 0 || f[4] != 0x0d || f[5] != 0 || f[7] != 0xaa ||
            memcmp(f + 19, rep_tail, 4) != 0)
            continue;
        out->state = f[8];
        out->moving_distance = f[9] | (f[10] << 8);
        out->moving_energy = f[11];
        out->stationary_distance = f[12] | (f[13] << 8);
        out->stationary_energy = f[14];
        out->detection_distance = f[15] | (f[16] << 8);
        return ND_OK;
    }
    return ND_ENOTFOUND;
}

void nd_ld2410_encode(const nd_ld2410 *m, uint8_t f[ND_LD2410_FRAME])
{
    memcpy(f, rep_head, 4);
    f[4] = 0x0d, f[5] = 0x00, f[6] = 0x02, f[7] = 0xaa;
    f[8] = (uint8_t)m->state;
    f[9] = (uint8_t)m->moving_distance, f[10] = (uint8_t)(m->moving_distance >> 8);
    f[11] = (uint8_t)m->moving_energy;
    f[12] = (uint8_t)m->stationary_distance, f[13] = (uint8_t)(m->stationary_distance >> 8);
    f[14] = (uint8_t)m->stationary_energy;
    f[15] = (uint8_t)m->detection_distance, f[16] = (uint8_t)(m->detection_distance >> 8);
    f[17] = 0x55, f[18] = 0x00; /* tail and check byte of the basic report */
    memcpy(f + 19, rep_tail, 4);
}

/* ---- Linux w1 sysfs ------------------------------------------------------ */
int nd_w1_name_rom(const char *name, uint64_t *rom)
{
    /* "ff-ssssssssssss": family, then the 48-bit serial most significant
    ** byte first (as the kernel prints it) */
    if (strlen(name) != 15 || name[2] != '-') return ND_ESYNTAX;
    uint8_t b[8];
    for (int i = 0; i < 15; i++)
        if (i != 2 && !strchr("0123456789abcdef", name[i])) return ND_ESYNTAX;
    char hx[3] = {name[0], name[1], 0};
    b[0] = (uint8_t)strtoul(hx, NULL, 16);
    for (int i = 0; i < 6; i++) {
        hx[0] = name[3 + 2 * i], hx[1] = name[4 + 2 * i];
        b[6 - i] = (uint8_t)strtoul(hx, NULL, 16);
    }
    b[7] = nd_ow_crc8(b, 7);
    uint64_t r = 0;
    for (int i = 7; i >= 0; i--) r = (r << 8) | b[i];
    *rom = r;
    return ND_OK;
}

void nd_w1_rom_name(uint64_t rom, char *buf, size_t cap)
{
    snprintf(buf, cap, "%02x-%02x%02x%02x%02x%02x%02x", (unsigned)(rom & 0xff),
             (unsigned)(rom >> 48 & 0xff), (unsigned)(rom >> 40 & 0xff), (unsigned)(rom >> 32 & 0xff),
             (unsigned)(rom >> 24 & 0xff), (unsigned)(rom >> 16 & 0xff), (unsigned)(rom >> 8 & 0xff));
}

int nd_w1_slave_parse(const char *text, uint8_t sp[9])
{
    const char *p = text;
    for (int i = 0; i < 9; i++) {
        char *end;
        while (*p == ' ') p++;
        if (!strchr("0123456789abcdefABCDEF", *p) || !*p) return ND_ESYNTAX;
        unsigned long v = strtoul(p, &end, 16);
        if (end - p != 2 || v > 255) return ND_ESYNTAX;
        sp[i] = (uint8_t)v;
        p = end;
    }
    if (strncmp(p, " : crc=", 7) != 0) return ND_ESYNTAX;
    p += 7;
    if (!p[0] || !p[1] || p[2] != ' ') return ND_ESYNTAX;
    p += 3;
    if (strncmp(p, "YES", 3) == 0 && (p[3] == '\n' || !p[3])) return ND_OK;
    if (strncmp(p, "NO", 2) == 0 && (p[2] == '\n' || !p[2])) return ND_EIO;
    return ND_ESYNTAX;
}

/* ---- readings ------------------------------------------------------------- */
static const nd_sensor_desc sensor_list[] = {
    {"dht22", "measure", "temp[C]", "°C", "temperature"},
    {"dht22", "measure", "hum[%]", "%", "humidity"},
    {"dht11", "measure", "temp[C]", "°C", "temperature"},
    {"dht11", "measure", "hum[%]", "%", "humidity"},
    {"bme280", "measure", "temp[C]", "°C", "temperature"},
    {"bme280", "measure", "hum[%]", "%", "humidity"},
    {"bme280", "measure", "pressure[hPa]", "hPa", "pressure"},
    {"ds18", "measure", "temp[C]", "°C", "temperature"},
    {"aht10", "measure", "temp [ºC]", "°C", "temperature"},
    {"aht10", "measure", "hum [%]", "%", "humidity"},
    {"veml7700", "read_lux", "LUX", "lx", "illuminance"},
    {"light_sensor", "intensity", "light intensity [%]", "%", ""},
    {"light_sensor", "illuminance", "illuminance [lux]", "lx", "illuminance"},
    {"cpu", "temp", "CPU temp [C]", "°C", "temperature"},
    {"cpu", "freq", "CPU freq [MHz]", "MHz", "frequency"},
    {NULL, NULL, NULL, NULL, NULL},
};

const nd_sensor_desc *nd_sensor_list(void) { return sensor_list; }
