/*
** sensors.c -- DHT frame decoding and BME280 compensation (sensors.h).
**
** The BME280 formulas are the datasheet's integer code (section 4.2.3),
** computed in 64-bit so that out-of-range raw values (a broken sensor, the
** sim's inverse search) cannot overflow; for every in-range input the result
** is bit-identical to the 32-bit reference. Left shifts of possibly negative
** values are written as multiplications (shifting a negative value left is
** undefined in C); right shifts of negatives are arithmetic on every
** compiler we target, as the datasheet assumes.
*/
#include <math.h>
#include <stdint.h>

#include "nodus/sensors.h"
#include "nodus/value.h"
#include "ndmath.h"

/* ---- DHT ------------------------------------------------------------------ */
int nd_dht_decode(const uint8_t f[5], int type, double *temp_c, double *rh)
{
    if (type != 11 && type != 22) return ND_EINVAL;
    if ((uint8_t)(f[0] + f[1] + f[2] + f[3]) != f[4]) return ND_EIO;
    if (type == 11) {
        *rh = f[0] + f[1] / 10.0;
        *temp_c = (f[2] & 0x7f) + f[3] / 10.0;
        if (f[2] & 0x80) *temp_c = -*temp_c;
        return ND_OK;
    }
    *rh = ((f[0] << 8) | f[1]) / 10.0;
    int t = ((f[2] & 0x7f) << 8) | f[3];
    *temp_c = (f[2] & 0x80 ? -t : t) / 10.0;
    return ND_OK;
}

void nd_dht22_encode(double temp_c, double rh, uint8_t f[5])
{
    long h = (long)nd_round(rh * 10.0), t = (long)nd_round(fabs(temp_c) * 10.0);
    if (h < 0) h = 0;
    if (h > 1000) h = 1000;
    if (t > 0x7fff) t = 0x7fff;
    f[0] = (uint8_t)(h >> 8);
    f[1] = (uint8_t)h;
    f[2] = (uint8_t)((t >> 8) | (temp_c < 0 && t ? 0x80 : 0));
    f[3] = (uint8_t)t;
    f[4] = (uint8_t)(f[0] + f[1] + f[2] + f[3]);
}

/* ---- BME280 --------------------------------------------------------------- */
static uint16_t u16le(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static int16_t s16le(const uint8_t *p) { return (int16_t)u16le(p); }

void nd_bme280_calib_parse(const uint8_t c1[26], const uint8_t c2[7], nd_bme280_calib *c)
{
    c->T1 = u16le(c1 + 0);
    c->T2 = s16le(c1 + 2);
    c->T3 = s16le(c1 + 4);
    c->P1 = u16le(c1 + 6);
    c->P2 = s16le(c1 + 8);
    c->P3 = s16le(c1 + 10);
    c->P4 = s16le(c1 + 12);
    c->P5 = s16le(c1 + 14);
    c->P6 = s16le(c1 + 16);
    c->P7 = s16le(c1 + 18);
    c->P8 = s16le(c1 + 20);
    c->P9 = s16le(c1 + 22);
    c->H1 = c1[25]; /* 0xA1; 0xA0 is unused */
    c->H2 = s16le(c2 + 0);
    c->H3 = c2[2];
    /* H4 = 0xE4[7:0] << 4 | 0xE5[3:0]; H5 = 0xE6[7:0] << 4 | 0xE5[7:4]; both signed 12-bit */
    c->H4 = (int16_t)(((int16_t)(int8_t)c2[3] * 16) | (c2[4] & 0x0f));
    c->H5 = (int16_t)(((int16_t)(int8_t)c2[5] * 16) | (c2[4] >> 4));
    c->H6 = (int8_t)c2[6];
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

void nd_bme280_calib_pack(const nd_bme280_calib *c, uint8_t c1[26], uint8_t c2[7])
{
    put16(c1 + 0, c->T1);
    put16(c1 + 2, (uint16_t)c->T2);
    put16(c1 + 4, (uint16_t)c->T3);
    put16(c1 + 6, c->P1);
    put16(c1 + 8, (uint16_t)c->P2);
    put16(c1 + 10, (uint16_t)c->P3);
    put16(c1 + 12, (uint16_t)c->P4);
    put16(c1 + 14, (uint16_t)c->P5);
    put16(c1 + 16, (uint16_t)c->P6);
    put16(c1 + 18, (uint16_t)c->P7);
    put16(c1 + 20, (uint16_t)c->P8);
    put16(c1 + 22, (uint16_t)c->P9);
    c1[24] = 0;
    c1[25] = c->H1;
    put16(c2 + 0, (uint16_t)c->H2);
    c2[2] = c->H3;
    uint16_t h4 = (uint16_t)c->H4 & 0x0fff, h5 = (uint16_t)c->H5 & 0x0fff;
    c2[3] = (uint8_t)(h4 >> 4);
    c2[4] = (uint8_t)((h4 & 0x0f) | (h5 & 0x0f) << 4);
    c2[5] = (uint8_t)(h5 >> 4);
    c2[6] = (uint8_t)c->H6;
}

void nd_bme280_raw(const uint8_t d[8], int32_t *adc_t, int32_t *adc_p, int32_t *adc_h)
{
    *adc_p = (int32_t)((uint32_t)d[0] << 12 | (uint32_t)d[1] << 4 | d[2] >> 4);
    *adc_t = (int32_t)((uint32_t)d[3] << 12 | (uint32_t)d[4] << 4 | d[5] >> 4);
    *adc_h = (int32_t)((uint32_t)d[6] << 8 | d[7]);
}

int32_t nd_bme280_temp(const nd_bme280_calib *c, int32_t adc_t, int32_t *t_fine)
{
    int64_t a = adc_t;
    int64_t v1 = (((a >> 3) - (int64_t)c->T1 * 2) * c->T2) >> 11;
    int64_t d = (a >> 4) - c->T1;
    int64_t v2 = (((d * d) >> 12) * c->T3) >> 14;
    int64_t tf = v1 + v2;
    *t_fine = (int32_t)tf;
    return (int32_t)((tf * 5 + 128) >> 8);
}

uint32_t nd_bme280_press(const nd_bme280_calib *c, int32_t adc_p, int32_t t_fine)
{
    int64_t v1 = (int64_t)t_fine - 128000;
    int64_t v2 = v1 * v1 * c->P6;
    v2 = v2 + v1 * c->P5 * 131072;                  /* << 17 */
    v2 = v2 + (int64_t)c->P4 * ((int64_t)1 << 35);  /* << 35 */
    v1 = ((v1 * v1 * c->P3) >> 8) + v1 * c->P2 * 4096; /* << 12 */
    v1 = ((((int64_t)1 << 47) + v1) * c->P1) >> 33;
    if (v1 == 0) return 0; /* avoid a division by zero */
    int64_t p = 1048576 - (int64_t)adc_p;
    p = ((p * ((int64_t)1 << 31) - v2) * 3125) / v1;
    v1 = ((int64_t)c->P9 * (p >> 13) * (p >> 13)) >> 25;
    v2 = ((int64_t)c->P8 * p) >> 19;
    p = ((p + v1 + v2) >> 8) + (int64_t)c->P7 * 16;
    return p < 0 ? 0 : (uint32_t)p;
}

uint32_t nd_bme280_hum(const nd_bme280_calib *c, int32_t adc_h, int32_t t_fine)
{
    int64_t v = (int64_t)t_fine - 76800;
    int64_t a = ((((int64_t)adc_h * 16384) - (int64_t)c->H4 * 1048576 - (int64_t)c->H5 * v) + 16384) >> 15;
    int64_t b = ((((((v * c->H6) >> 10) * (((v * c->H3) >> 11) + 32768)) >> 10) + 2097152) * c->H2 + 8192) >> 14;
    v = a * b;
    v = v - (((((v >> 15) * (v >> 15)) >> 7) * c->H1) >> 4);
    if (v < 0) v = 0;
    if (v > 419430400) v = 419430400;
    return (uint32_t)(v >> 12);
}
