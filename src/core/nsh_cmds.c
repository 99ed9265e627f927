/*
** nsh_cmds.c -- the table of nsh's commands (files, system, network, jq):
** one lookup by name and one walk for `help`. Each group lives in its own
** nsh_cmd_*.c and exports a NULL-terminated table; this file only chains them,
** so adding a group is one line here.
*/
#include "nsh.h"
#include "nsh_cmds.h"

#include <string.h>

static const nd_nsh_cmd *const *const nd_groups[] = {
    nd_nsh_cmds_fs, nd_nsh_cmds_sys, nd_nsh_cmds_net, nd_nsh_cmds_jq,
};
#define ND_NGROUPS (sizeof nd_groups / sizeof nd_groups[0])

const nd_nsh_cmd *nd_nsh_cmd_at(int i)
{
    if (i < 0)
        return NULL;
    for (size_t g = 0; g < ND_NGROUPS; g++) {
        const nd_nsh_cmd *const *t = nd_groups[g];
        for (size_t k = 0; t[k]; k++)
            if (i-- == 0)
                return t[k];
    }
    return NULL;
}

const nd_nsh_cmd *nd_nsh_find_cmd(const char *name)
{
    if (!name)
        return NULL;
    for (int i = 0;; i++) {
        const nd_nsh_cmd *c = nd_nsh_cmd_at(i);
        if (!c)
            return NULL;
        if (strcmp(c->name, name) == 0)
            return c;
    }
}
