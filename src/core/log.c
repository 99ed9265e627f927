/*
** log.c -- bounded log files in the state directory, micrOS layout.
**
** A line's leading tag picks its file (micros-compat 1.2): [ERR] -> err,
** [WARN] -> warn, [BOOT] -> boot, [INFO] -> info, anything else -> user,
** all as logs/<name>.sys.log with lines "<Y.M.D-h:m:s> <text>". micrOS keeps
** only 4 lines per file; we keep up to `logmax` bytes per file and one older
** generation (<file>.1), so the state directory can never fill up with logs.
*/
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "node_int.h"
#include "nodus/port.h"

static const struct {
    const char *tag;
    const char *file;
} routes[] = {
    {"[ERR]", "logs/err.sys.log"},   {"[WARN]", "logs/warn.sys.log"},
    {"[BOOT]", "logs/boot.sys.log"}, {"[INFO]", "logs/info.sys.log"},
};

void nd_log(struct nd_node *n, const char *fmt, ...)
{
    char line[512];
    nd_tm tm;
    nd_node_localtime(n, &tm);
    int k = snprintf(line, sizeof line, "%d.%d.%d-%d:%d:%d ", tm.year, tm.mon, tm.mday, tm.hour,
                     tm.min, tm.sec);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + k, sizeof line - (size_t)k - 1, fmt, ap);
    va_end(ap);
    /* one record per line: newlines inside the text would split records */
    for (char *p = line + k; *p; p++)
        if (*p == '\n' || *p == '\r') *p = ' ';
    nd_port_console(line);
    nd_emit_log(n, line);

    const char *file = "logs/user.sys.log";
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        if (strncmp(line + k, routes[i].tag, strlen(routes[i].tag)) == 0) file = routes[i].file;
    size_t len = strlen(line);
    line[len++] = '\n';
    size_t cur = 0;
    int64_t max = n->cfg ? nd_cfg_int(n->cfg, "logmax") : 16384;
    if (max < 1024) max = 1024;
    if (nd_fs_size(file, &cur) == ND_OK && cur + len > (size_t)max) {
        char old[64];
        snprintf(old, sizeof old, "%s.1", file);
        nd_fs_rename(file, old);
    }
    nd_fs_append(file, line, len);
}
