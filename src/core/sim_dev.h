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

/* The device shelf's models (sim_shelf.c): DS18B20s on 1-Wire, AHT10,
** VEML7700 and SSD1306 on I2C bus 0, the LD2410 radar on UART 0, DHT11
** frames, and observers of the stepper coils, DC motor drivers and the
** haptic motor (they watch the pins the modules drive). */
#define ND_SIM_AHT10_ADDR 0x38
#define ND_SIM_VEML_ADDR 0x10
#define ND_SIM_OLED_ADDR 0x3C
struct nd_arena;
struct nd_value;
void nd_simshelf_reset(void);
int nd_simshelf_i2c_scan(uint8_t *addrs, int n, int max); /* appends; returns new n */
/* ND_ENOTFOUND: no shelf device at addr (the caller NACKs). */
int nd_simshelf_i2c_xfer(uint8_t addr, const uint8_t *w, size_t wn, uint8_t *r, size_t rn);
int nd_simshelf_dht_type(void);                      /* 11 or 22 */
void nd_simshelf_dht11_encode(double t, double rh, uint8_t f[5]);
/* A pin's output changed (level, or PWM duty when pwm): the observers. */
void nd_simshelf_pin(int pin, int level, bool pwm, uint32_t duty);
int nd_simshelf_ow_search(int pin, uint64_t *roms, int max);
int nd_simshelf_ow_xfer(int pin, uint64_t rom, const uint8_t *w, size_t wn, uint8_t *r, size_t rn);
int nd_simshelf_uart_open(int tx, int rx, uint32_t baud);
int nd_simshelf_uart_write(int id, const uint8_t *p, size_t n);
int nd_simshelf_uart_read(int id, uint8_t *p, size_t max);
void nd_simshelf_uart_close(int id);
/* Adds the shelf's keys to the `sim state` dict (only: just that key; NULL all). */
int nd_simshelf_state(struct nd_arena *a, struct nd_value *d, const char *only);
/* Adds fields to dict e from a spec: per field a type letter and the key,
** NUL-separated, ending with an empty one; v[i] points at field i's value,
** of the C type the letter names: 'b' bool, 'f' double, 'i' int, 'u'
** uint32_t, 'h' uint16_t, 'l' long, 'q' int64_t/uint64_t, 's' const char *
** (copied). Returns e, NULL
** when e is NULL or the arena is full. */
struct nd_value *nd_simshelf_fields(struct nd_arena *a, struct nd_value *e, const char *spec,
                                    const void *const *v);

#endif
