/*
** sim_dev.h -- simulated devices behind the sim board (hal_sim.c).
*/
#ifndef ND_SIM_DEV_H
#define ND_SIM_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ND_SIM_BME280_ADDR 0x76

/* BME280 at register level (sim_bme280.c). */
void nd_simbme_reset(void);
/* One I2C transaction addressed to the chip: w = register pointer then
** data to write; r = bytes read from the pointer on (auto-increment). */
int nd_simbme_xfer(const uint8_t *w, size_t wn, uint8_t *r, size_t rn);
/* Physical values the next measurement reports (the raw ADC values are
** found by inverting the datasheet compensation with the chip's calibration). */
void nd_simbme_set(double temp_c, double hpa, double rh);
void nd_simbme_get(double *temp_c, double *hpa, double *rh);

#endif
