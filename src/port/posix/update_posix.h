/*
** update_posix.h -- the POSIX port's update launcher, for main.c.
**
** `nodus run` calls nd_posix_upd_launch once the state directory is set,
** before the node starts. A process started by the launcher (environment
** NODUS_SLOT=a|b) just runs: it is the slot's binary. Any other start is a
** launcher start: it asks the core (nd_update_boot) which slot to run --
** counting the starts of a slot on trial, rolling back when needed -- and
** execs <state>/slots/<slot>/nodus, or keeps running itself when no slot
** is current (the binary the user or the service started: the base).
** A reboot (nd_port_reboot re-execs the running binary) is a launcher start
** too, since the slot's process drops NODUS_SLOT from its environment at
** once. NODUS_LAUNCHER keeps the base binary's path across execs, so a
** rollback to "no slot" execs the base again.
*/
#ifndef ND_UPDATE_POSIX_H
#define ND_UPDATE_POSIX_H

/* argv: main's argv, passed to the slot's binary unchanged. Returns when
** this process is the one to run the node. */
void nd_posix_upd_launch(char **argv);

#endif
