/*
** cli_sess.h -- one ShellCli session of the CLI: a socket read with
** timeouts around the shared client machine (src/core/shcli.h), which does
** the protocol. `nodus exec/connect` and `nodus search/status` all talk
** through it.
**
** A client program may block: every wait here is a poll() bounded by the
** session's timeout, which covers one whole answer (greeting, answer to the
** password, or reply). Commands and passwords go out with a trailing "\n":
** a micrOS node strips it, a nodus node then need not wait for the rest of
** the line.
*/
#ifndef ND_CLI_SESS_H
#define ND_CLI_SESS_H

#include <stdbool.h>
#include <stddef.h>

#include "shcli.h"

#define CLI_REPLY_MAX (16u << 20) /* a reply larger than this is a broken peer */

/* Results besides the ND_SHCLI_EV_* events. */
enum {
    CLI_TIMEOUT = -1, /* no answer within the timeout */
    CLI_IOERR = -2,   /* the socket failed (errno says why) */
    CLI_TOOBIG = -3,  /* a reply over CLI_REPLY_MAX */
    CLI_SENDERR = -4, /* the command or password could not be sent (errno) */
};

typedef struct cli_sess {
    int fd;
    int timeout_ms;
    nd_shcli sh;     /* prompt, devfid, state */
    char *buf;       /* the last reply's text (prompt removed), NUL-terminated */
    size_t len, cap;
    bool too_big;
} cli_sess;

/* Take the connected socket fd (closed by cli_sess_close, whatever
** happens) and read the greeting: ND_SHCLI_EV_GREETED, ..._ASKS_PASSWORD,
** or what went wrong (..._BUSY: nd_shcli_partial has the node's line). */
int cli_sess_greet(cli_sess *s, int fd, int timeout_ms);
/* Send the password the greeting asked for: ND_SHCLI_EV_AUTH_OK, or not. */
int cli_sess_login(cli_sess *s, const char *pwd);
/* Send a command and read its reply into buf: ND_SHCLI_EV_REPLY, or
** another result with what did arrive in buf. */
int cli_sess_cmd(cli_sess *s, const char *cmd);
/* Say `exit` first when say_bye; close the socket, free the buffer. */
void cli_sess_close(cli_sess *s, bool say_bye);

#endif
