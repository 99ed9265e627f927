/*
** pinmap.h -- board pin maps and pin booking, micrOS microIO style
** (docs/micros-compat.md §8.4).
**
** A board is a data table of logical names -> GPIO numbers (`neop` -> 15).
** A pin map is one board plus the user's `cstmpmap` overrides plus the
** booking table: every pin a module uses is *booked* under a tag, and a
** second tag asking for the same pin is refused with micrOS's text
**     [io] Pin <tag> is busy: <owner>:<pin>
** so two modules can never drive one wire.
**
** Numbers: a negative pin means "inverted" (micrOS: builtin = -8 is an LED
** wired active-low on GPIO 8); range checks apply to its absolute value.
** The Pico W LED sits on the radio chip, not on a GPIO; it is ND_PIN_LED
** and shows as 'LED', as micrOS's IO_rp2 has it.
**
** Everything here is pure (no node, no I/O) and caller-owned, so the unit
** tests and the fuzz target drive it directly; pins.c binds one instance to
** the running node.
*/
#ifndef ND_PINMAP_H
#define ND_PINMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "nodus/opts.h" /* ND_PIN_TAG_MAX, ND_PINMAP_CUSTOM_MAX, _BOOK_MAX, _PROBLEMS */
#include "nodus/pins.h" /* ND_PIN_LED */

/* The board tables in the image: ND_PINMAP_BOARDS (nodus/opts.h) is a mask
** of these (a port sets it in its nd_port_opts.h; 0: `sim` only). `sim` is always
** built in: it is the `board` key's default and the fallback of an
** unknown map name. */
#define ND_PINMAP_ESP32 0x01
#define ND_PINMAP_ESP32S2 0x02
#define ND_PINMAP_ESP32S3 0x04
#define ND_PINMAP_ESP32C3 0x08
#define ND_PINMAP_ESP32C6 0x10
#define ND_PINMAP_RP2 0x20
#define ND_PINMAP_TINYPICO 0x40
#define ND_PINMAP_RPI 0x80
#define ND_PINMAP_ALL 0xff /* ND_PINMAP_BOARDS's default (nodus/opts.h) */

typedef struct nd_pin_def {
    const char *name; /* logical name, micrOS spelling */
    int pin;          /* GPIO number, negative = inverted, or ND_PIN_LED */
} nd_pin_def;

typedef struct nd_board {
    const char *name;       /* map name as cstmpmap / `board` select it */
    int max_gpio;           /* valid GPIOs are 0..max_gpio */
    const nd_pin_def *pins; /* terminated by {NULL, 0}; NULL: the sim wiring (hal.h) */
} nd_board;

/* Known boards in `known_maps` order; NULL past the end. */
const nd_board *nd_board_at(size_t i);
const nd_board *nd_board_find(const char *name);
/* The i-th entry of a board's table; false past the end. */
bool nd_board_pin_at(const nd_board *b, size_t i, const char **name, int *pin);
/* Pin of a logical name on a board (no overrides); false when absent. */
bool nd_board_pin(const nd_board *b, const char *name, int *pin);

typedef struct nd_pin_entry {
    char tag[ND_PIN_TAG_MAX];
    int pin;
} nd_pin_entry;

typedef struct nd_pinmap {
    const nd_board *board;
    nd_pin_entry custom[ND_PINMAP_CUSTOM_MAX]; /* overrides, in given order */
    int ncustom;
    nd_pin_entry booked[ND_PINMAP_BOOK_MAX]; /* booking order (system pinmap) */
    int nbooked;
    char problems[ND_PINMAP_PROBLEMS]; /* what cstmpmap got wrong, "" if nothing */
} nd_pinmap;

/* Set up from the `board` key and the `cstmpmap` text ("n/a", "dht:10",
** "esp32; dht:10; neop:15"). A first item without ':' selects a map by name.
** Garbage never stops the node: every bad item is skipped and described in
** pm->problems, and the call returns ND_ESYNTAX (ND_OK when all was good).
** An unknown `board` falls back to "sim". */
int nd_pinmap_init(nd_pinmap *pm, const char *board, const char *cstmpmap);

/* Resolve without booking (micrOS pinmap_search): custom > board table.
** ND_ENOTFOUND with a message in err when the name is not on the map. */
int nd_pinmap_resolve(const nd_pinmap *pm, const char *tag, int *pin, char *err, size_t errn);

/* micrOS bind_pin(tag, number=None): resolve (number == NULL) or register a
** custom number, then book the pin for tag. Re-binding the same tag to the
** same pin is fine (a module loaded twice); a tag moved to another number
** releases its old pin. Errors (err gets micrOS's text):
**   ND_ENOTFOUND unknown name, ND_EINVAL out of the board's range,
**   ND_ERR pin busy, ND_ELIMIT booking table full. */
int nd_pinmap_bind(nd_pinmap *pm, const char *tag, const int *number, int *pin, char *err,
                   size_t errn);
/* Drop every booking of tag (a module unloaded). */
void nd_pinmap_release(nd_pinmap *pm, const char *tag);
/* Is pin valid on the board (absolute value, or ND_PIN_LED on a board that has it)? */
bool nd_pinmap_in_range(const nd_pinmap *pm, int pin);

/* Config check for the `board` key (NULL when the name is known; the
** message lists the maps built in). */
const char *nd_pinmap_check_board(const char *name);

#endif
