/*
** sensors.h -- pure sensor math shared by the device modules, the sim board
** and the unit tests: DHT11/DHT22 frame decoding and the BME280 datasheet's
** integer compensation. No I/O here; the bytes come from hal.h.
*/
#ifndef NODUS_SENSORS_H
#define NODUS_SENSORS_H

#include <stdint.h>

/* ---- DHT11 / DHT22 ----------------------------------------------------- */
/* A 40-bit frame: f[0..1] humidity, f[2..3] temperature, f[4] checksum =
** low byte of the sum of f[0..3]. DHT22: values are tenths, temperature
** bit 15 is the sign (sign-magnitude, not two's complement). DHT11: integer
** byte + decimal byte. Returns ND_OK, or ND_EIO on a checksum mismatch (the
** outputs are then untouched). type is 11 or 22 (else ND_EINVAL). */
int nd_dht_decode(const uint8_t f[5], int type, double *temp_c, double *rh);
/* Build a DHT22 frame for the given values (sim board, tests). */
void nd_dht22_encode(double temp_c, double rh, uint8_t f[5]);

/* ---- BME280 ------------------------------------------------------------ */
#define ND_BME280_CHIP_ID 0x60
#define ND_BME280_REG_ID 0xD0
#define ND_BME280_REG_RESET 0xE0   /* write 0xB6 */
#define ND_BME280_REG_CALIB1 0x88  /* 26 bytes 0x88..0xA1: T1..P9, (0xA0 unused), H1 */
#define ND_BME280_REG_CALIB2 0xE1  /* 7 bytes 0xE1..0xE7: H2..H6 */
#define ND_BME280_REG_CTRL_HUM 0xF2
#define ND_BME280_REG_STATUS 0xF3
#define ND_BME280_REG_CTRL_MEAS 0xF4
#define ND_BME280_REG_CONFIG 0xF5
#define ND_BME280_REG_DATA 0xF7    /* 8 bytes: press[3] temp[3] hum[2] */

typedef struct nd_bme280_calib {
    uint16_t T1;
    int16_t T2, T3;
    uint16_t P1;
    int16_t P2, P3, P4, P5, P6, P7, P8, P9;
    uint8_t H1;
    int16_t H2;
    uint8_t H3;
    int16_t H4, H5;
    int8_t H6;
} nd_bme280_calib;

/* Unpack the two calibration blocks (little-endian words; H4/H5 are 12-bit
** values sharing register 0xE5, as the datasheet lays them out). */
void nd_bme280_calib_parse(const uint8_t c1[26], const uint8_t c2[7], nd_bme280_calib *cal);
/* The inverse: pack calibration into register bytes (sim board). */
void nd_bme280_calib_pack(const nd_bme280_calib *cal, uint8_t c1[26], uint8_t c2[7]);
/* Raw 20-bit (T, P) and 16-bit (H) readings from the 8 data bytes. */
void nd_bme280_raw(const uint8_t d[8], int32_t *adc_t, int32_t *adc_p, int32_t *adc_h);
/* Datasheet integer compensation (BME280 datasheet section 4.2.3):
**  temperature in 0.01 degC, also sets *t_fine for the other two;
**  pressure in Pa as Q24.8 (the 64-bit version; /256.0 gives Pa), 0 when
**  the calibration would divide by zero;
**  humidity in %RH as Q22.10 (/1024.0 gives %). */
int32_t nd_bme280_temp(const nd_bme280_calib *cal, int32_t adc_t, int32_t *t_fine);
uint32_t nd_bme280_press(const nd_bme280_calib *cal, int32_t adc_p, int32_t t_fine);
uint32_t nd_bme280_hum(const nd_bme280_calib *cal, int32_t adc_h, int32_t t_fine);

#endif
