/*
** fuzz_pinmap.c -- libFuzzer target for the cstmpmap parser and pin booking.
**
** Input: one byte choosing the board, then the cstmpmap text. Beyond memory
** safety (ASan/UBSan) the target checks the pin map's invariants and aborts
** when one fails: the problems text is terminated and non-empty exactly when
** the parser says ND_ESYNTAX; every override has a valid name and a pin in
** the board's range; binding every override either succeeds or reports a
** busy pin, and the booking table never holds one wire twice.
** Seed corpus: tests/fuzz/corpus/pinmap/.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nodus/value.h"
#include "pinmap.h"

static void check(int ok)
{
    if (!ok)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static nd_pinmap pm;
    if (size < 1)
        return 0;
    const nd_board *b = nd_board_at(data[0] % 10); /* 9 boards + NULL -> default */
    char *text = malloc(size);
    if (!text)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = 0;

    int rc = nd_pinmap_init(&pm, b ? b->name : "nonsense", text);
    check(rc == ND_OK || rc == ND_ESYNTAX);
    check(memchr(pm.problems, 0, sizeof pm.problems) != NULL);
    check((rc == ND_ESYNTAX) == (pm.problems[0] != 0));
    check(pm.board != NULL);
    check(pm.ncustom >= 0 && pm.ncustom <= ND_PINMAP_CUSTOM_MAX);
    for (int i = 0; i < pm.ncustom; i++) {
        check(memchr(pm.custom[i].tag, 0, ND_PIN_TAG_MAX) != NULL && pm.custom[i].tag[0] != 0);
        check(nd_pinmap_in_range(&pm, pm.custom[i].pin));
        int p;
        check(nd_pinmap_resolve(&pm, pm.custom[i].tag, &p, NULL, 0) == ND_OK);
        check(p == pm.custom[i].pin);
    }
    char err[ND_ERRMSG];
    for (int i = 0; i < pm.ncustom; i++) {
        int p;
        err[0] = 0;
        rc = nd_pinmap_bind(&pm, pm.custom[i].tag, NULL, &p, err, sizeof err);
        check(rc == ND_OK || rc == ND_ERR || rc == ND_ELIMIT);
        check(rc == ND_OK || err[0] != 0);
    }
    for (int i = 0; i < pm.nbooked; i++)
        for (int k = i + 1; k < pm.nbooked; k++) {
            int a = pm.booked[i].pin, c = pm.booked[k].pin;
            check((a < 0 ? -a : a) != (c < 0 ? -c : c));
        }
    free(text);
    return 0;
}
