/*
** fuzz_shell.c -- the whole command path on arbitrary lines: splitting,
** postfixes, the literal parser, argument binding, conf mode and every
** built-in module function, in a real node on a temporary state directory.
** Each input is split on newlines like a shell session; a line starting
** with "conf" enters conf mode as it would for a user.
*/
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node_int.h"
#include "nodus/port.h"

static struct nd_node node;
static int ready;

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (!ready) {
        char dir[] = "/tmp/nd_fuzz_shell_XXXXXX";
        char err[160];
        if (!mkdtemp(dir)) abort();
        if (nd_fs_set_root(dir) != ND_OK) abort();
        if (nd_node_init(&node, NULL, 0, err, sizeof err) != ND_OK) abort();
        ready = 1;
    }
    nd_ctx ctx = {.door = ND_DOOR_SHELL};
    const char *p = (const char *)data, *e = p + size;
    while (p < e) {
        const char *nl = memchr(p, '\n', (size_t)(e - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(e - p);
        /* writing config is slow and not what we fuzz: keep lines that would
        ** set keys from reaching the disk by leaving conf mode first */
        nd_buf_clear(&node.reply);
        nd_exec(&node, &ctx, p, n, &node.reply);
        if (ctx.conf_mode && n > 8) ctx.conf_mode = false;
        p += n + (nl ? 1 : 0);
    }
    return 0;
}
