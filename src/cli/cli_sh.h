/*
** cli_sh.h -- `nodus sh HOST[:PORT]`: nsh over a node's telnet door.
**
**   nodus sh HOST[:PORT] [--user NAME] [--pwd PASSWORD] [--timeout S] [-c 'command' ...]
**
** Port 2323 by default (`telnetport`). The password comes from --pwd,
** NODUS_PWD, or the terminal. With -c each command runs in turn and its
** output is printed; without -c a terminal gets an interactive session
** (libedit line editing and history, Ctrl-C interrupts the remote
** command) and any other stdin is read as commands, one per line.
**
** Exit codes: the last command's status ($?) in the non-interactive modes,
** 0 interactive; the client's own failures use sysexits.h numbers no nsh
** command returns by convention: 64 usage, 69 cannot connect, connection
** lost or no answer in time, 77 login refused (wrong password, locked
** out, node busy).
*/
#ifndef ND_CLI_SH_H
#define ND_CLI_SH_H

int nd_cli_sh(int argc, char **argv); /* argv[0] == "sh" */

#endif
