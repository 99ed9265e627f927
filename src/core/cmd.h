/*
** cmd.h -- split a micrOS command line into module, function, argument text
** and postfixes, without copying (spans into the line).
**
** Postfixes are taken from the right, in any order (docs/micros-compat.md §2.6):
**   >json       JSON rendering
**   >>host      run on another node (InterCon); host is [A-Za-z0-9._-]+
**   &  &<ms>  &&  &&<ms>   background task (only with module and function)
** Unlike micrOS, a task postfix must be a whole word made of '&' and digits,
** so a quoted argument that merely contains '&' is never taken for one.
*/
#ifndef ND_CMD_H
#define ND_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "text.h" /* nd_span and its helpers */

enum { ND_TASK_NONE, ND_TASK_ONCE, ND_TASK_LOOP };

typedef struct nd_cmd {
    nd_span w0, w1;     /* first two words (n == 0 when absent) */
    nd_span args;       /* text after w1 up to the postfixes, trimmed */
    nd_span local;      /* the whole line without the >>host postfix, trimmed */
    int nwords;         /* words before postfixes, counted up to 3 */
    bool json;
    nd_span host;       /* >>host target, n == 0 when local */
    int task;           /* ND_TASK_* */
    int64_t task_ms;    /* -1 when not given */
} nd_cmd;

/* Returns 0, or -1 with a message in err (e.g. a malformed task postfix). */
int nd_cmd_parse(const char *line, size_t n, nd_cmd *c, char *err, size_t errn);

#endif
