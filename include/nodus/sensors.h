/*
** sensors.h -- pure sensor math shared by the device modules, the sim board
** and the unit tests: DHT11/DHT22 frame decoding and the BME280 datasheet's
** integer compensation. No I/O here; the bytes come from hal.h.
*/
#ifndef NODUS_SENSORS_H
#define NODUS_SENSORS_H

#include <stddef.h>
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

/* ---- the device shelf (sensors_shelf.c) --------------------------------- */
/* Dallas/Maxim CRC-8 (x^8 + x^5 + x^4 + 1, reflected): 1-Wire ROM codes and
** DS18B20 scratchpads end with it; the CRC over the whole block is 0. */
uint8_t nd_ow_crc8(const uint8_t *p, size_t n);

/* DS18B20: function commands and the 9-byte scratchpad (temp lo, temp hi,
** TH, TL, config, 3 reserved, CRC). Temperature is 1/16 degC two's
** complement at 12-bit resolution (config 0x7F). */
#define ND_DS18_FAMILY 0x28
#define ND_DS18_CONVERT 0x44
#define ND_DS18_READ 0xBE
/* Scratchpad -> degC (85.0 straight after power-up, as the chip says);
** ND_EIO on a CRC mismatch (a bit error on the wire). */
int nd_ds18_decode(const uint8_t sp[9], double *temp_c);
void nd_ds18_encode(double temp_c, uint8_t sp[9]); /* sim board, tests */

/* AHT10 (I2C 0x38): 6 bytes status, hum 20 bit, temp 20 bit. Status bit 7 is
** busy (the caller polls again), bit 3 calibrated. */
#define ND_AHT10_ADDR 0x38
void nd_aht10_decode(const uint8_t d[6], double *temp_c, double *rh);
void nd_aht10_encode(double temp_c, double rh, uint8_t d[6]);

/* VEML7700 (I2C 0x10): 16-bit little-endian registers; ALS counts at 0x04.
** lux = counts * resolution of (integration time, gain). */
#define ND_VEML7700_ADDR 0x10
#define ND_VEML7700_ALS 0x04

/* HLK-LD2410 radar report frame (UART 256000 8N1): f4 f3 f2 f1, length
** 0x0d 0x00 (basic) or 0x23 (engineering), type, 0xaa, state, moving
** distance (cm, LE), moving energy, stationary distance, stationary
** energy, detection distance, ..., f8 f7 f6 f5 -- 23 bytes in basic mode. */
#define ND_LD2410_FRAME 23
typedef struct nd_ld2410 {
    int state; /* 0 no target, 1 moving, 2 stationary, 3 both */
    int moving_distance, moving_energy, stationary_distance, stationary_energy;
    int detection_distance;
} nd_ld2410;
/* Find the newest complete report frame in buf; ND_OK and *out filled, or
** ND_ENOTFOUND when there is none (a torn frame is skipped). */
int nd_ld2410_find(const uint8_t *buf, size_t n, nd_ld2410 *out);
void nd_ld2410_encode(const nd_ld2410 *m, uint8_t f[ND_LD2410_FRAME]);

/* ---- the Linux w1 sysfs texts (the linux backend's w1_linux.c; pure, unit-tested) -- */
/* "28-0316a2791eff" -> ROM code with its CRC; ND_ESYNTAX for anything else. */
int nd_w1_name_rom(const char *name, uint64_t *rom);
/* The ROM back to the sysfs directory name ("28-0316a2791eff"; cap >= 16). */
void nd_w1_rom_name(uint64_t rom, char *buf, size_t cap);
/* w1_therm's w1_slave text ("50 05 4b 46 7f ff 0c 10 1c : crc=1c YES\n50 05
** ... t=85000\n") -> the 9 scratchpad bytes. ND_EIO when the kernel says
** the CRC failed ("NO"), ND_ESYNTAX for text of another shape. */
int nd_w1_slave_parse(const char *text, uint8_t scratch[9]);

/* ---- what the sensor modules measure, for readers of readings ----------
** (MQTT/Home Assistant discovery, nsh `sensors`, the dashboard): one row
** per value a module's function returns -- module, function, the micrOS
** result key, unit and Home Assistant device class. Terminated by
** module == NULL. Call `<module> <function> >json` and read `key`. */
typedef struct nd_sensor_desc {
    const char *module, *func, *key, *unit, *device_class;
} nd_sensor_desc;
const nd_sensor_desc *nd_sensor_list(void);

#endif
