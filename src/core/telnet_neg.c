/*
** telnet_neg.c -- the telnet byte machine (telnet_neg.h).
*/
#include "telnet_neg.h"

#include <string.h>

enum { S_DATA, S_IAC, S_OPT, S_SB, S_SB_IAC };

void nd_tn_init(nd_tn *t, const nd_tn_cb *cb)
{
    memset(t, 0, sizeof *t);
    t->cb = *cb;
}

static void send3(nd_tn *t, uint8_t verb, uint8_t opt)
{
    uint8_t b[3] = {ND_TN_IAC, verb, opt};
    t->replies++;
    if (t->cb.send) t->cb.send(t->cb.ud, b, 3);
}

static uint8_t *us_state(nd_tn *t, uint8_t opt)
{
    if (opt == ND_TNO_ECHO) return &t->us_echo;
    if (opt == ND_TNO_SGA) return &t->us_sga;
    return NULL;
}

/* RFC 1143, our side. We agree to DO for the options we offer only while
** we asked for them (WANTYES) or already have them: a client cannot turn
** our echo on behind the door's back (it would echo a password). */
static void got_do(nd_tn *t, uint8_t opt, bool on)
{
    if (opt == ND_TNO_TM) { /* RFC 860: mark the point in the stream, keep no state */
        if (on) send3(t, ND_TN_WILL, ND_TNO_TM);
        return;
    }
    uint8_t *us = us_state(t, opt);
    if (!us) {
        t->garbage++;
        if (on) send3(t, ND_TN_WONT, opt); /* a DONT for what we never do needs no answer */
        return;
    }
    if (on) {
        switch (*us) {
        case ND_TNQ_NO:
            /* only while the door asks: our ECHO hides what is typed, and
            ** SGA puts the client in character mode, losing its own line
            ** editing -- both are for the password, not for the session */
            send3(t, ND_TN_WONT, opt);
            break;
        case ND_TNQ_WANTNO: *us = ND_TNQ_NO; break; /* our WONT answered by DO: stays off */
        case ND_TNQ_WANTYES: *us = ND_TNQ_YES; break;
        default: break; /* YES: already on, no answer (no loops) */
        }
    } else {
        switch (*us) {
        case ND_TNQ_YES:
            *us = ND_TNQ_NO;
            send3(t, ND_TN_WONT, opt);
            break;
        case ND_TNQ_WANTNO:
        case ND_TNQ_WANTYES: *us = ND_TNQ_NO; break;
        default: break;
        }
    }
}

/* The client's side: we want none of its options (it echoes and edits
** lines itself, which is what a line-based shell wants). */
static void got_will(nd_tn *t, uint8_t opt, bool on)
{
    if (on) {
        t->garbage++;
        send3(t, ND_TN_DONT, opt); /* refusing an enable is the one answer owed */
    }
    /* WONT: it is already off on our books; no answer */
}

static void want(nd_tn *t, uint8_t opt, bool on)
{
    uint8_t *us = us_state(t, opt);
    if (!us) return;
    if (on && (*us == ND_TNQ_NO || *us == ND_TNQ_WANTNO)) {
        *us = ND_TNQ_WANTYES;
        send3(t, ND_TN_WILL, opt);
    } else if (!on && (*us == ND_TNQ_YES || *us == ND_TNQ_WANTYES)) {
        *us = ND_TNQ_WANTNO;
        send3(t, ND_TN_WONT, opt);
    }
}

void nd_tn_set_echo(nd_tn *t, bool on) { want(t, ND_TNO_ECHO, on); }
void nd_tn_set_sga(nd_tn *t, bool on) { want(t, ND_TNO_SGA, on); }

static void event(nd_tn *t, int ev)
{
    if (t->cb.event) t->cb.event(t->cb.ud, ev);
}

void nd_tn_feed(nd_tn *t, const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (t->st == S_DATA) {
            /* a run of plain bytes goes out in one callback */
            size_t j = i;
            while (j < n) {
                uint8_t c = p[j];
                if (c == ND_TN_IAC || c == '\r' || c == '\n' || c == 0 || c == 3 || c == 4 ||
                    c == 8 || c == 0x7f || c == 0x15)
                    break;
                j++;
            }
            if (j > i) {
                t->cr = false;
                if (t->cb.data) t->cb.data(t->cb.ud, (const char *)p + i, j - i);
                i = j;
                continue;
            }
            uint8_t c = p[i++];
            bool was_cr = t->cr;
            t->cr = false;
            switch (c) {
            case ND_TN_IAC: t->st = S_IAC; t->cr = was_cr; break;
            case '\r':
                t->cr = true;
                if (t->cb.data) t->cb.data(t->cb.ud, "\n", 1);
                break;
            case '\n':
            case 0:
                /* CR LF and CR NUL are one end of line; LF alone is one too */
                if (!was_cr && c == '\n' && t->cb.data) t->cb.data(t->cb.ud, "\n", 1);
                break;
            case 3: event(t, ND_TN_EV_INTR); break;
            case 4: event(t, ND_TN_EV_EOF); break;
            case 8:
            case 0x7f: event(t, ND_TN_EV_EC); break;
            case 0x15: event(t, ND_TN_EV_EL); break;
            default: break;
            }
            continue;
        }
        uint8_t c = p[i++];
        switch (t->st) {
        case S_IAC:
            switch (c) {
            case ND_TN_IAC:
                t->st = S_DATA;
                t->cr = false;
                if (t->cb.data) t->cb.data(t->cb.ud, "\xff", 1);
                break;
            case ND_TN_DO:
            case ND_TN_DONT:
            case ND_TN_WILL:
            case ND_TN_WONT:
                t->st = S_OPT;
                t->verb = c;
                break;
            case ND_TN_SB: t->st = S_SB; break;
            case ND_TN_IP:
            case ND_TN_BRK:
            case ND_TN_ABORT:
            case ND_TN_SUSP: t->st = S_DATA; event(t, ND_TN_EV_INTR); break;
            case ND_TN_EC: t->st = S_DATA; event(t, ND_TN_EV_EC); break;
            case ND_TN_EL: t->st = S_DATA; event(t, ND_TN_EV_EL); break;
            case ND_TN_AYT: t->st = S_DATA; event(t, ND_TN_EV_AYT); break;
            case ND_TN_EOF: t->st = S_DATA; event(t, ND_TN_EV_EOF); break;
            case ND_TN_NOP:
            case ND_TN_DM:
            case ND_TN_GA:
            case ND_TN_AO:
            case ND_TN_EOR:
            case ND_TN_SE: t->st = S_DATA; break; /* nothing to do (AO: output is line-sized) */
            default:
                t->garbage++;
                t->st = S_DATA;
                break;
            }
            break;
        case S_OPT:
            t->st = S_DATA;
            if (t->verb == ND_TN_DO || t->verb == ND_TN_DONT) got_do(t, c, t->verb == ND_TN_DO);
            else got_will(t, c, t->verb == ND_TN_WILL);
            break;
        case S_SB:
            if (c == ND_TN_IAC) t->st = S_SB_IAC; /* contents skipped, however long */
            break;
        case S_SB_IAC:
            /* IAC SE ends it; IAC IAC is a data 0xff inside; anything else
            ** is a broken subnegotiation: RFC 854 says treat it as ending */
            if (c == ND_TN_SE) t->st = S_DATA;
            else if (c == ND_TN_IAC) t->st = S_SB;
            else {
                t->garbage++;
                t->st = S_DATA;
            }
            break;
        default: t->st = S_DATA; break;
        }
    }
}

size_t nd_tn_escape(const char *p, size_t n, uint8_t *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = (uint8_t)p[i];
        if (c == ND_TN_IAC) {
            out[k++] = ND_TN_IAC;
            out[k++] = ND_TN_IAC;
        } else if (c == '\n') {
            out[k++] = '\r';
            out[k++] = '\n';
        } else if (c == '\r') {
            if (i + 1 < n && p[i + 1] == '\n') {
                out[k++] = '\r';
                out[k++] = '\n';
                i++;
            } else {
                out[k++] = '\r';
                out[k++] = 0;
            }
        } else {
            out[k++] = c;
        }
    }
    return k;
}
