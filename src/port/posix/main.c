/*
** main.c -- the `nodus` command: run a node, or talk to one.
**
**   nodus run [--state DIR] [--set key=value ...] [--quiet]
**   nodus connect HOST[:PORT] [--pwd PASSWORD]
**   nodus exec HOST[:PORT] 'command' ['command' ...]
**   nodus search [--scan CIDR] / nodus status
**   nodus version
*/
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cfg.h" /* the schema, for config-keys */
#include "cli.h"
#include "cli_fleet.h"
#include "cli_files.h"
#include "cli_update.h"
#include "cli_sh.h"
#include "console.h"
#include "life.h"
#include "gateway.h"
#include "nodus/node.h"
#include "nodus/port.h"
#include "nodus/run.h"
#include "posix.h"
#include "sdnotify.h"
#include "update.h"
#include "update_posix.h"
#include "web.h"

static void usage(FILE *f)
{
    fprintf(f,
            "nodus %s -- a programmable network node\n"
            "\n"
            "usage:\n"
            "  nodus run [--state DIR] [--set key=value ...] [--quiet] [--recovery] [--no-console]\n"
            "      run a node; DIR defaults to $XDG_STATE_HOME/nodus or ~/.local/state/nodus;\n"
            "      --set overrides a config key for this run only (not saved);\n"
            "      --recovery skips boothook and init scripts; a terminal on stdin gets the nsh\n"
            "      console unless --no-console\n"
            "  nodus sh HOST[:PORT] [--user U] [--pwd P] [-c 'command']   nsh over the telnet\n"
            "      door (port 2323); without -c, a terminal is interactive, else stdin is a script\n"
            "  nodus connect HOST[:PORT] [--pwd PASSWORD]   interactive shell (port 9008)\n"
            "  nodus exec HOST[:PORT] [--pwd PASSWORD] 'command' ...   run commands, print replies\n"
            "      HOST may be a device name from the cache (nodus search) or NAME.local\n"
            "  nodus search [--timeout S] [--scan CIDR [--port P] [--conc N] [--rate N]]\n"
            "      find nodes (mDNS _nodus._tcp; --scan: TCP port 9008 + hello) and cache them\n"
            "  nodus status [--timeout S] [--pwd PASSWORD] [--all]   fleet table of cached nodes\n"
            "  nodus release --genkey DIR | --key KEY --version X.Y.Z-N [--board B] [--arch A]\n"
            "                [--binary FILE] [--web DIR] [--modules DIR] -o OUT.ndu\n"
            "      signing keys and signed update bundles\n"
            "  nodus update --url URL (--all | NAME ...) [--canary N] [--force] [--pwd P]\n"
            "      fleet rollout: canaries first, the rest once they confirmed the update\n"
            "  nodus gateway [--broker HOST] [--port 5005] [--bind ADDR] [--root nodus/+]\n"
            "      fleet gateway: /metrics of every node, REST proxy, micrOS Gateway endpoints\n"
            "  nodus put HOST[:WEBPORT] FILE [--as NAME] [--pwd P]   upload over /fs: LM_*.lua to\n"
            "      $modules (the node loads it at its next call), other files to /user_data\n"
            "  nodus get HOST[:WEBPORT] NAME [-o OUT|-] [--pwd P]   download a module or a user file\n"
            "  nodus config-keys   the config key reference (Markdown)\n"
            "  nodus version\n",
            NODUS_VERSION);
}

/* The config reference table of the README, generated from the one schema
** (tests/blackbox/test_docs.py checks that the README matches it). */
static int cmd_keys(void)
{
    static const char *types[] = {"str", "bool", "int", "float"};
    printf("| Key | Type | Default | Reboot | Meaning |\n| --- | --- | --- | --- | --- |\n");
    for (size_t i = 0; i < nd_cfg_schema_count(); i++) {
        const nd_cfg_key *k = nd_cfg_schema_at(i);
#if ND_WITH_KEY_HELP
        const char *help = k->help ? k->help : "";
#else
        const char *help = ""; /* a build without the help lines */
#endif
        printf("| `%s` | %s | `%s` | %s | %s%s%s |\n", k->name, types[k->type], k->def,
               nd_cfg_effect(k->flags), help,
               (k->flags & ND_CFG_SECRET) ? " (secret: never returned by remote reads)" : "",
               (k->flags & ND_CFG_NODE) ? " (written by the node)" : "");
    }
    return 0;
}

static int default_state(char *buf, size_t n)
{
    const char *x = getenv("XDG_STATE_HOME");
    if (x && *x) return snprintf(buf, n, "%s/nodus", x) < (int)n ? 0 : -1;
    const char *h = getenv("HOME");
    if (!h || !*h) return -1;
    return snprintf(buf, n, "%s/.local/state/nodus", h) < (int)n ? 0 : -1;
}

static int cmd_run(int argc, char **argv)
{
    char state[4096] = "";
    bool recovery = false, console = true;
    const char *sets[128];
    int nsets = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--state") && i + 1 < argc) {
            snprintf(state, sizeof state, "%s", argv[++i]);
        } else if (!strcmp(argv[i], "--set") && i + 1 < argc) {
            if (nsets == 128) {
                fprintf(stderr, "nodus: too many --set options (max 128)\n");
                return 2;
            }
            sets[nsets++] = argv[++i];
        } else if (!strcmp(argv[i], "--quiet")) {
            nd_posix_set_quiet(1);
        } else if (!strcmp(argv[i], "--recovery")) {
            recovery = true;
        } else if (!strcmp(argv[i], "--no-console")) {
            console = false;
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "nodus run: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (!state[0] && default_state(state, sizeof state) != 0) {
        fprintf(stderr, "nodus: no --state DIR given and no HOME to default to\n");
        return 2;
    }
    if (nd_fs_set_root(state) != ND_OK) {
        fprintf(stderr, "nodus: cannot use state directory %s\n", state);
        return 1;
    }
    /* update slots: exec slots/current/nodus, or go on here (update_posix.h);
    ** argv - 1 is main's argv: cmd_run got it from argv[1] on */
    nd_posix_upd_launch(argv - 1);
    nd_posix_signals(); /* a SIGTERM during start-up stops the node cleanly */
    /* 500 clients at once must be refused politely, not by EMFILE */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max > 8192 ? 8192 : rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    struct nd_node *node = nd_node_storage();
    char err[256] = "";
    if (nd_node_init(node, sets, nsets, err, sizeof err) != ND_OK) {
        fprintf(stderr, "nodus: %s\n", err);
        nd_node_free(node);
        return 2;
    }
    const nd_cfg *cfg = nd_node_config(node);
    if (recovery) nd_life_force_recovery(node, "nodus run --recovery");
    if (nd_node_start(node) != ND_OK) {
        fprintf(stderr, "nodus: cannot start the shell on %s:%lld (see %s/logs/err.sys.log)\n",
                nd_cfg_get_str(cfg, ND_K_bind), (long long)nd_cfg_get_int(cfg, ND_K_socport),
                state);
        nd_node_shutdown(node);
        nd_node_free(node);
        return 1;
    }
    nd_update_start(node); /* a new version on trial starts its health check */
    const char *bind = nd_cfg_get_str(cfg, ND_K_bind);
    int port = (int)nd_cfg_get_int(cfg, ND_K_socport);
    printf("nodus %s: node '%s' running, state in %s\n", NODUS_VERSION,
           nd_cfg_get_str(cfg, ND_K_devfid), state);
    printf("connect with: nodus connect %s%s%.0d\n",
           strcmp(bind, "0.0.0.0") ? bind : "127.0.0.1", port == 9008 ? "" : ":",
           port == 9008 ? 0 : port);
    if (nd_web_port(node) > 0)
        printf("web UI and REST: http://%s:%d/\n", strcmp(bind, "0.0.0.0") ? bind : "127.0.0.1",
               nd_web_port(node));
    else if (nd_cfg_get_bool(cfg, ND_K_webui))
        fprintf(stderr, "nodus: web UI not started: %s\n", nd_web_problem(node));
    fflush(stdout);
    nd_sd_watchdog_ha(nd_cfg_get_bool(cfg, ND_K_ha)); /* `ha` False: no watchdog */
    /* systemd (Type=notify): the doors listen; again after each reboot's re-exec */
    nd_sd_notifyf("READY=1\nSTATUS=node '%s', shell on %s:%d", nd_cfg_get_str(cfg, ND_K_devfid),
                  bind, port);
    if (console) nd_console_start(node); /* only when stdin is a terminal */
    int rc = nd_loop_run(node);
    /* /etc/end.sh, with the loop still turning (bounded: life.h) */
    if (rc == ND_OK && nd_node_stopping(node)) rc = nd_loop_run(node);
    nd_console_stop();
    nd_update_stop(node);
    nd_node_shutdown(node);
    bool reboot = nd_node_wants_reboot(node);
    nd_node_free(node);
    /* after the node: freeing its tasks cancels their pending lookups, which
    ** must still exist then (the shutdown frees whatever is left) */
    nd_port_resolve_shutdown();
    if (reboot) {
        fflush(NULL);
        /* the pid stays (exec): systemd sees a reload that ends with READY=1 */
        nd_sd_notifyf("RELOADING=1\nSTATUS=rebooting (re-exec)");
        nd_port_reboot();
        fprintf(stderr, "nodus: reboot failed\n");
        return 1;
    }
    return rc == ND_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
    nd_posix_set_argv(argv);
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "run")) return cmd_run(argc - 1, argv + 1);
    if (!strcmp(sub, "connect")) return nd_cli_connect(argc - 1, argv + 1);
    if (!strcmp(sub, "exec")) return nd_cli_exec(argc - 1, argv + 1);
    if (!strcmp(sub, "sh")) return nd_cli_sh(argc - 1, argv + 1);
    if (!strcmp(sub, "search")) return nd_cli_search(argc - 1, argv + 1);
    if (!strcmp(sub, "gateway")) return nd_cli_gateway(argc - 1, argv + 1);
    if (!strcmp(sub, "status")) return nd_cli_status(argc - 1, argv + 1);
    if (!strcmp(sub, "release")) return nd_cli_release(argc - 1, argv + 1);
    if (!strcmp(sub, "update")) return nd_cli_update(argc - 1, argv + 1);
    if (!strcmp(sub, "put")) return nd_cli_put(argc - 1, argv + 1);
    if (!strcmp(sub, "get")) return nd_cli_get(argc - 1, argv + 1);
    if (!strcmp(sub, "config-keys")) return cmd_keys();
    if (!strcmp(sub, "version") || !strcmp(sub, "--version")) {
        printf("%s\n", NODUS_VERSION);
        return 0;
    }
    if (!strcmp(sub, "help") || !strcmp(sub, "--help") || !strcmp(sub, "-h")) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "nodus: unknown command '%s'\n", sub);
    usage(stderr);
    return 2;
}
