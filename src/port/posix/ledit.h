/*
** ledit.h -- line editing that never blocks: libedit's callback interface
** (rl_callback_handler_install / rl_callback_read_char), fed one key at a
** time when the caller's poll() says stdin is readable. Shared by the
** node's console (console.c) and the `nodus sh` client (src/cli/cli_sh.c).
**
** libedit is dlopen()ed here, only when a terminal asks for editing: a node
** without a console never maps it (~370 kB of resident memory with its
** libtinfo and libbsd). Without libedit, or when stdin is not a terminal,
** the same calls read plain lines (no editing, no history).
**
** Output that arrives while the user is typing goes through
** nd_ledit_print(): the line being edited is taken off the screen, the
** text printed, and the line put back -- under the text's last, unfinished
** line (a prompt), which becomes the editor's prompt.
*/
#ifndef ND_LEDIT_H
#define ND_LEDIT_H

#include <stdbool.h>
#include <stddef.h>

/* A finished line (no newline; malloc()ed, the callee frees it), or NULL
** at end of input (^D on an empty line, or stdin closed). */
typedef void (*nd_ledit_fn)(char *line, void *ud);

/* Start reading fd 0. history: file to load and save (NULL: none).
** Returns true when libedit edits the lines, false for plain reading. */
bool nd_ledit_open(const char *history, nd_ledit_fn fn, void *ud);
/* fd 0 is readable: read what is there, call fn for finished lines. */
void nd_ledit_input(void);
/* Text for the terminal while a line may be in edit (see above). */
void nd_ledit_print(const char *p, size_t n);
/* The prompt shown before the line being edited (copied). */
void nd_ledit_set_prompt(const char *prompt);
/* ^C: drop the line being typed and show the prompt again. */
void nd_ledit_cancel(void);
void nd_ledit_add_history(const char *line);
/* Restore the terminal, save the history. */
void nd_ledit_close(void);
bool nd_ledit_active(void);

#endif
