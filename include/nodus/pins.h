/*
** pins.h -- logical pins for Load Modules (micrOS microIO, docs/micros-compat.md §8.4).
**
** A module never hard-codes a GPIO number: it asks for a logical name and
** gets the number on the node's board (config key `board`, or the first item
** of `cstmpmap`), with the user's `cstmpmap` overrides applied:
**
**     int gpio;
**     if (nd_pin_bind(c, "neop", &gpio)) return ND_ERR;  // booked for "neop"
**
** Binding also *books* the pin: a second name asking for the same wire fails
** the call with micrOS's text "[io] Pin <tag> is busy: <owner>:<pin>".
** A negative number means the device is wired inverted (active low); use
** nd_pin_gpio() for the wire and nd_pin_inverted() for the polarity.
*/
#ifndef NODUS_PINS_H
#define NODUS_PINS_H

#include <stdbool.h>
#include <stddef.h>

#include "nodus/module.h"

#define ND_PIN_LED 10000 /* symbolic 'LED' (Pico W: the LED on the radio chip) */

/* bind_pin(tag): resolve and book; fails the call (ND_ERR) with the reason. */
int nd_pin_bind(nd_call *c, const char *tag, int *pin);
/* bind_pin(tag, number) when argument argi (e.g. `pin=None` of load) is not
** None, else bind_pin(tag). A number is range-checked against the board. */
int nd_pin_bind_arg(nd_call *c, const char *tag, int argi, int *pin);
/* Resolve without booking (micrOS pinmap_search); ND_ENOTFOUND if unknown. */
int nd_pin_find(struct nd_node *n, const char *tag, int *pin);
/* Drop the bookings of tag (a module releasing its pins). */
void nd_pin_release(struct nd_node *n, const char *tag);
/* An LM's pinmap(): sets c->ret to {tag: pin or None} for the NULL-terminated
** tags, without booking. */
int nd_pin_ret_map(nd_call *c, const char *const *tags);
/* `system pinmap`: {'map', 'booked', 'custom', 'known_maps'} (+ 'problems'
** when cstmpmap had garbage); with keys 'builtin irq1' a pinmap_search dict. */
int nd_pin_ret_info(nd_call *c, const char *keys);

/* For the core (interrupt set-up): bind with an optional number, message in err. */
int nd_node_pin_bind(struct nd_node *n, const char *tag, const int *number, int *pin, char *err,
                     size_t errn);

/* The hal's pin-name resolver (nd_hal_set_resolver, installed at node
** start): plain numbers ("4", "-8") as they are, names through the pin map
** with cstmpmap applied. Resolves only -- booking is the caller's business. */
int nd_pins_resolve(struct nd_node *n, const char *name, int *pin);

static inline int nd_pin_gpio(int pin) { return pin < 0 ? -pin : pin; }
static inline bool nd_pin_inverted(int pin) { return pin < 0; }

#endif
