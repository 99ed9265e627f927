/*
** cli_files.h -- `nodus put` / `nodus get`: files to and from a node's
** /fs endpoints (Load Modules to $modules, other files to /user_data).
*/
#ifndef ND_CLI_FILES_H
#define ND_CLI_FILES_H

int nd_cli_put(int argc, char **argv); /* argv[0] == "put" */
int nd_cli_get(int argc, char **argv); /* argv[0] == "get" */

#endif
