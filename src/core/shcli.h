/*
** shcli.h -- the client side of ShellCli (micrOS's socket shell), as a
** state machine that owns no socket and never waits.
**
** The caller connects, feeds every byte the node sends (nd_shcli_feed), tells
** the machine when the peer closed (nd_shcli_closed) and when it sent
** something (nd_shcli_sent); the machine answers with an event saying what
** happened and what may be sent next. Timeouts, the framing of what is sent
** (micrOS clients send no newline, `nodus exec` sends one) and the password
** itself stay with the caller: InterCon chooses it at prompt time and wipes
** it once sent (intercon.c), the CLI asks the user.
**
** The wire (docs/micros-compat.md §2.2, §2.3, §2.9, §2.10):
**   greeting  [prefix] ... <devfid> $         the prompt, never followed by a newline
**             Connection is busy. Bye!\n       no slot: the node closes
**   password  [password] <devfid> $  -> pwd -> AuthOk\n<prompt>
**                                           or AuthFailed\nBye!\n[password] <devfid> $ Bye!\n
**   command   -> cmd -> line\n...line\n<prompt>   (exit: Bye!\n, then the node closes)
** A prompt is the last line received so far (no newline after it), made of
** any `[word] ` prefixes (`[password] `, `[configure] `), the devfid, and
** " $ ". The greeting teaches the devfid; afterwards only a prompt with that
** devfid ends a reply, so an output line that merely ends in " $ " cannot.
** Markers (AuthOk, AuthFailed, Bye!, Connection is busy) count at the start
** of a line only.
**
** Memory is bounded: the machine holds one line (ND_SHCLI_LINE_MAX); reply
** text streams to the caller's sink as soon as it cannot be the prompt
** (complete lines, and lines too long to be a prompt). A greeting or an
** answer to the password longer than ND_SHCLI_HEAD_MAX without its prompt
** is garbage.
*/
#ifndef ND_SHCLI_H
#define ND_SHCLI_H

#include <stdbool.h>
#include <stddef.h>

#include "nodus/opts.h" /* the limits; a port may override them */

/* What the session waits for (nd_shcli.state). */
enum {
    ND_SHCLI_ST_GREETING, /* the node's first prompt */
    ND_SHCLI_ST_PASSWORD, /* the caller: a password to send (or give up) */
    ND_SHCLI_ST_AUTH,     /* the answer to the password: AuthOk and the prompt */
    ND_SHCLI_ST_READY,    /* the caller: a command to send */
    ND_SHCLI_ST_REPLY,    /* the reply, ended by the prompt */
    ND_SHCLI_ST_OVER,     /* the session ended (nd_shcli.ended_in says where) */
};

/* Events returned by feed and closed. The first five keep the session
** going; from BYE on the session is over. */
enum {
    ND_SHCLI_EV_MORE,         /* nothing to act on yet: read on */
    ND_SHCLI_EV_GREETED,      /* plain prompt: send a command */
    ND_SHCLI_EV_ASKS_PASSWORD, /* [password] prompt: send a password, or give up */
    ND_SHCLI_EV_AUTH_OK,      /* AuthOk and the prompt: send a command */
    ND_SHCLI_EV_REPLY,        /* the reply ended with the prompt: send the next command */
    ND_SHCLI_EV_BYE,          /* closed after a reply with a Bye! or [configure] line:
                               * the reply is complete (exit, reboot) */
    ND_SHCLI_EV_BUSY,         /* "Connection is busy": no slot on the node */
    ND_SHCLI_EV_AUTH_FAILED,  /* AuthFailed or Bye! (or a prompt without AuthOk) */
    ND_SHCLI_EV_GARBAGE,      /* more than ND_SHCLI_HEAD_MAX bytes and no prompt */
    ND_SHCLI_EV_CLOSED,       /* the peer closed at any other point */
};

/* What the caller sent (nd_shcli_sent). */
enum { ND_SHCLI_SEND_PASSWORD, ND_SHCLI_SEND_COMMAND };

/* Receives the reply's text (every line with its newline; prompt removed). */
typedef void (*nd_shcli_sink)(void *ud, const char *p, size_t n);

/* Callers read the fields; only the functions below change them. */
typedef struct nd_shcli {
    int state;      /* ND_SHCLI_ST_* */
    int ended_in;   /* state the session was in when it ended */
    int outcome;    /* the event that ended it (ND_SHCLI_EV_BYE ...), else MORE */
    size_t got;     /* bytes received since the state began */
    char devfid[ND_SHCLI_FID_MAX];       /* from the greeting; "" before */
    char prompt[ND_SHCLI_LINE_MAX + 1];  /* the last prompt, as received */
    bool asks_password, configure;       /* its prefixes */
    /* internal */
    nd_shcli_sink sink;
    void *ud;
    bool auth_ok;   /* an AuthOk line since the password went */
    bool bye;       /* the reply has a Bye! or [configure] line */
    bool spill;     /* inside a line too long to be a prompt (its start is gone) */
    size_t linen;
    char line[ND_SHCLI_LINE_MAX + 1]; /* the current line, not yet known to be reply text */
} nd_shcli;

/* A new session, waiting for the greeting; sink may be NULL. */
void nd_shcli_init(nd_shcli *c, nd_shcli_sink sink, void *ud);
/* Bytes from the node. Always takes all of them. */
int nd_shcli_feed(nd_shcli *c, const char *p, size_t n);
/* The node closed the connection (or reset it). */
int nd_shcli_closed(nd_shcli *c);
/* The caller sent a password (state PASSWORD) or a command (state READY):
** ND_OK, or ND_EINVAL when that is not what the session waits for. */
int nd_shcli_sent(nd_shcli *c, int what);
/* The current line, not ended by a newline and not a prompt: what a caller
** shows of an unfinished reply (closed or timed out), or the line that said
** "Connection is busy". */
const char *nd_shcli_partial(const nd_shcli *c, size_t *n);
/* Is the text a prompt? devfid (NULL: any) must match when given; fid
** receives it (fidn bytes). For tests and the parser's fuzz target. */
bool nd_shcli_prompt(const char *s, size_t n, const char *devfid, char *fid, size_t fidn,
                     bool *pwd, bool *conf);

#endif
