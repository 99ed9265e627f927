/*
** telnet_neg.h -- the telnet protocol as a pure byte machine (RFC 854, option
** negotiation by RFC 1143's "Q method", RFC 860 timing mark).
**
** The telnet door (telnet.c) feeds every received byte through
** nd_tn_feed(); what comes out is user data (lines end in a single '\n'
** whatever the client sent: CR LF, CR NUL, LF or a lone CR), commands the
** door acts on (interrupt, erase character, erase line, are-you-there,
** end of file), and the bytes the protocol must answer (negotiation
** replies) -- all through callbacks, in input order. It owns no socket and
** no buffer, so a unit test and a fuzz target drive it directly.
**
** Options. The server side offers ECHO (while a password is typed: the
** client stops echoing) and SUPPRESS-GO-AHEAD; everything else is refused,
** on either side. The Q method never answers a request that does not change
** the option's state, so two parties cannot loop on each other, and garbage
** (unknown commands, unknown options, unterminated subnegotiations of any
** length) costs no memory: subnegotiation contents are skipped, not stored.
*/
#ifndef ND_TELNET_NEG_H
#define ND_TELNET_NEG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    ND_TN_IAC = 255, ND_TN_DONT = 254, ND_TN_DO = 253, ND_TN_WONT = 252, ND_TN_WILL = 251,
    ND_TN_SB = 250, ND_TN_GA = 249, ND_TN_EL = 248, ND_TN_EC = 247, ND_TN_AYT = 246,
    ND_TN_AO = 245, ND_TN_IP = 244, ND_TN_BRK = 243, ND_TN_DM = 242, ND_TN_NOP = 241,
    ND_TN_SE = 240, ND_TN_EOR = 239, ND_TN_ABORT = 238, ND_TN_SUSP = 237, ND_TN_EOF = 236,
};
enum { ND_TNO_ECHO = 1, ND_TNO_SGA = 3, ND_TNO_TM = 6 };

/* What the door hears about (cmd callback). */
enum {
    ND_TN_EV_INTR = 1, /* IP, BRK, ABORT, SUSP, or a raw ^C byte: interrupt the foreground */
    ND_TN_EV_EC,       /* erase character (also raw BS / DEL bytes) */
    ND_TN_EV_EL,       /* erase line (also raw ^U) */
    ND_TN_EV_AYT,      /* are you there: answered by the door ("[yes]") */
    ND_TN_EV_EOF,      /* IAC EOF or a raw ^D */
};

/* Q-method state of one option on one side. */
enum { ND_TNQ_NO, ND_TNQ_YES, ND_TNQ_WANTNO, ND_TNQ_WANTYES };

typedef struct nd_tn_cb {
    void (*data)(void *ud, const char *p, size_t n); /* user bytes, '\n' ends a line */
    void (*event)(void *ud, int ev);
    void (*send)(void *ud, const uint8_t *p, size_t n); /* protocol replies */
    void *ud;
} nd_tn_cb;

typedef struct nd_tn {
    nd_tn_cb cb;
    uint8_t st;       /* parser state */
    uint8_t verb;     /* DO/DONT/WILL/WONT waiting for its option byte */
    bool cr;          /* the last data byte was CR (its LF or NUL is swallowed) */
    uint8_t us_echo, us_sga; /* our options (ND_TNQ_*) */
    uint32_t replies; /* negotiation replies sent (tests, metrics) */
    uint32_t garbage; /* unknown commands / refused options seen */
} nd_tn;

void nd_tn_init(nd_tn *t, const nd_tn_cb *cb);
/* Parse n received bytes; calls the callbacks, in order. */
void nd_tn_feed(nd_tn *t, const uint8_t *p, size_t n);
/* Ask to turn our ECHO / SGA on or off (no-op when already there or asked). */
void nd_tn_set_echo(nd_tn *t, bool on);
void nd_tn_set_sga(nd_tn *t, bool on);
/* Escape output for the wire: IAC doubled, "\n" as CR LF, a lone CR as
** CR NUL. Writes at most 2*n bytes to out; returns the count. */
size_t nd_tn_escape(const char *p, size_t n, uint8_t *out);

#endif
