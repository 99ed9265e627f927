/*
** cli.h -- the client side of ShellCli: `nodus connect` and `nodus exec`.
**
** Talks to any node that speaks micrOS's socket shell (a nodus node or a
** micrOS node): the prompt ends every reply, `[password] ` before it asks
** for the password, `Bye!` ends the session (docs/micros-compat.md §2.2, §2.3, §2.9).
**
** Exit codes (exec and connect):
**   0  every command answered
**   1  usage error
**   2  cannot connect, connection lost, or no reply in time
**   3  the node refused us: "Connection is busy" or AuthFailed
*/
#ifndef ND_CLI_H
#define ND_CLI_H

int nd_cli_connect(int argc, char **argv); /* argv[0] == "connect" */
int nd_cli_exec(int argc, char **argv);    /* argv[0] == "exec" */
/* Read a password from the terminal without echo ("Password: " on stderr);
** NULL at end of input. The buffer is static: use it before the next call. */
char *nd_cli_ask_password(void);
/* Connect to host:port (name or address, any family) within timeout_ms; a
** non-blocking socket, or -1 after printing why ("<who>: cannot ..."). */
int nd_cli_tcp_connect(const char *host, int port, int timeout_ms, const char *who);

#endif
