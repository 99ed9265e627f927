/*
** rest.c -- micrOS's REST bridge and the config endpoints of the web door
** (docs/micros-compat.md §4.3, §4.5, §4.6).
**
** /rest/<tokens> runs through the one dispatcher (nd_exec) in JSON mode,
** exactly as a shell line would, and wraps the reply in micrOS's envelope
** {"result": <r>, "state": <bool>}: <r> is the reply itself when it is valid
** JSON (dicts, lists, numbers), otherwise the reply as a JSON string. Module
** errors are still HTTP 200 with "state": false -- clients read the state.
** Improvements no client can object to: application/json as the content type
** (micrOS says text/html), and CORS for GET /rest when `webcors` is set.
**
** /config needs header x-micros-auth equal to appwd, always (micrOS @sudo);
** a read never returns secrets (ND_CFG_SECRET keys: appwd, stapwd). A POST
** applies every key that validates and lists the others, as micrOS does
** (keys before a failing one are not rolled back).
*/
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "cfg_apply.h"
#include "json.h"
#include "rest_path.h"
#include "web_int.h"

/* ---- CORS ------------------------------------------------------------------- */

/* The webcors header line, or "" when unset; a value that could break the
** header (control characters) is ignored rather than sent. */
static void cors_header(struct nd_node *n, char *out, size_t cap)
{
    out[0] = 0;
    const char *v = nd_cfg_get_str(n->cfg, ND_K_webcors);
    if (!v[0] || !strcmp(v, "n/a") || strlen(v) > 200) return;
    for (const char *p = v; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f) return;
    snprintf(out, cap, "access-control-allow-origin: %s\r\nvary: origin\r\n", v);
}

/* ---- /rest ------------------------------------------------------------------- */

/* The door's own endpoints, listed as rest_info sends them. A module's
** endpoint (webep.c) whose quoted name occurs here is one of them. */
static const char usr_endpoints[] = "\"dashboard\", \"fs/dirs\", \"fs/list\", \"fs/files\", "
                                    "\"fs/usage\", \"fs\", \"config\", \"config/ui\", "
                                    "\"metrics\", \"events\"";

static void rest_info(struct nd_web *w, nd_buf *b)
{
    struct nd_node *n = w->node;
    nd_buf_printf(b, "{\"result\": {\"micrOS\": \"%s\", \"node\": ", NODUS_VERSION);
    const char *dev = nd_cfg_get_str(n->cfg, ND_K_devfid);
    nd_json_escape(b, dev, strlen(dev));
    nd_buf_printf(b, ", \"auth\": %s, \"usr_endpoints\": [%s",
                  nd_cfg_get_bool(n->cfg, ND_K_auth) ? "true" : "false", usr_endpoints);
    for (int i = 0; i < nd_webep_count(); i++) { /* registered by modules (webep.c) */
        char q[64]; /* a path is at most 47 characters, none of them a quote */
        snprintf(q, sizeof q, "\"%s\"", nd_webep_path(i));
        bool dup = strstr(usr_endpoints, q) != NULL;
        for (int k = 0; k < i; k++) dup = dup || !strcmp(nd_webep_path(k), nd_webep_path(i));
        if (!dup) nd_buf_printf(b, ", %s", q);
    }
    nd_buf_puts(b, "]}, \"state\": true}");
}

/* May this request run this command? auth.c's table: in auth mode an
** anonymous client may call functions of already-loaded modules and
** `modules` (micrOS), with no postfix and nothing else. */
static bool rest_allowed(nd_wconn *c, const char *line, size_t len)
{
    struct nd_node *n = c->web->node;
    if (c->authed || !nd_auth_on(n)) return true;
    return nd_auth_allows(n, ND_AUTH_DOOR_REST, nd_auth_classify(n, line, len), false);
}

void nd_rest_handle(nd_wconn *c, const nd_http_req *r)
{
    struct nd_web *w = c->web;
    struct nd_node *n = w->node;
    char cors[256];
    cors_header(n, cors, sizeof cors);
    if (r->method == ND_HTTP_OPTIONS && cors[0]) { /* a browser's preflight */
        char extra[512];
        snprintf(extra, sizeof extra, "%saccess-control-allow-methods: GET\r\n"
                                      "access-control-max-age: 600\r\n", cors);
        nd_web_reply(c, 204, "text/plain", extra, "", 0);
        return;
    }
    if (r->method != ND_HTTP_GET) {
        nd_web_error(c, 405, "Method not allowed", false);
        return;
    }
    nd_buf *b = &w->body;
    nd_buf_clear(b);
    /* micrOS's WebEngine.rest() takes the whole URL after "/rest", query
    ** string included: a `?...` is command text (it sticks to the last word,
    ** e.g. a function named "heartbeat?x=1", which then does not exist), and
    ** one character or none is the node description. Matched, so a request
    ** means the same on both (docs/micros-compat.md §4.3). */
    nd_span rem = {r->target.p + 5, r->target.n - 5};
    if (rem.n <= 1) { /* "/rest", "/rest/", "/rest?" */
        rest_info(w, b);
        nd_web_reply(c, 200, "application/json", cors, b->p, b->n);
        return;
    }
    nd_span tokens = rem;
    if (tokens.p[0] == '/') {
        tokens.p++;
        tokens.n--;
    }
    size_t len = 0;
    /* the tokeniser's message goes straight after the prefix of the reply */
    char msg[ND_ERRMSG + 13] = "Bad request: ";
    char *err = msg + 13;
    int rc = nd_rest_tokenize(tokens, w->line, sizeof w->line, &len, err, ND_ERRMSG);
    if (rc == ND_ELIMIT) {
        nd_web_error(c, 414, "URI too long", false);
        return;
    }
    if (rc != ND_OK) {
        if (!err[0]) strcpy(err, "invalid REST path");
        nd_web_error(c, 400, msg, false);
        return;
    }
    if (len == 0) {
        nd_buf_puts(b, "{\"result\": null, \"state\": false}");
    } else if (!rest_allowed(c, w->line, len)) {
        nd_buf_puts(b, "{\"result\": \"Auth:Protected\", \"state\": true}");
    } else {
        nd_ctx ctx = {.door = ND_DOOR_REST, .json = true, .authed = c->authed};
        nd_buf_clear(&n->reply);
        int x = nd_exec(n, &ctx, w->line, len, &n->reply);
        const char *o = n->reply.p ? n->reply.p : "";
        size_t on = n->reply.n;
        while (on && (o[on - 1] == '\n' || o[on - 1] == '\r')) on--;
        nd_buf_puts(b, "{\"result\": ");
        if (on && !n->reply.overflow && nd_json_valid(o, on)) nd_buf_put(b, o, on);
        else nd_json_escape(b, o, on);
        nd_buf_puts(b, x == ND_X_FAIL ? ", \"state\": false}" : ", \"state\": true}");
        if (x == ND_X_REBOOT) { /* not reachable from REST today; never half-handle it */
            n->reboot = true;
            nd_loop_stop();
        }
    }
    if (b->overflow) {
        nd_web_error(c, 500, "Reply too large", false);
        return;
    }
    nd_web_reply(c, 200, "application/json", cors, b->p, b->n);
}

/* ---- /config ----------------------------------------------------------------- */

/* Keys micrOS's /config GET leaves out (identity, ports and the auth
** switch: not for a page to read or change). conf mode shows them. */
static bool config_hidden(nd_key k)
{
    static const nd_key hidden[] = {ND_K_hwuid, ND_K_guimeta, ND_K_socport,
                                    ND_K_version, ND_K_auth, ND_K_soctout};
    for (size_t i = 0; i < sizeof hidden / sizeof hidden[0]; i++)
        if (hidden[i] == k) return true;
    return false;
}

static void config_get(nd_wconn *c)
{
    struct nd_web *w = c->web;
    struct nd_node *n = w->node;
    nd_buf *b = &w->body;
    nd_buf_clear(b);
    nd_arena_reset(&n->arena);
    nd_buf_putc(b, '{');
    bool first = true;
    for (int i = 0; i < ND_K_COUNT; i++) {
        const nd_cfg_key *k = nd_cfg_schema_at((size_t)i);
        if (k->flags & ND_CFG_SECRET || config_hidden((nd_key)i)) continue;
        nd_value *v = nd_cfg_get_value(n->cfg, &n->arena, (nd_key)i);
        if (!v) continue;
        nd_buf_puts(b, first ? "" : ", ");
        first = false;
        nd_json_escape(b, k->name, strlen(k->name));
        nd_buf_puts(b, ": ");
        nd_render_json(b, v);
        nd_arena_reset(&n->arena);
    }
    nd_buf_putc(b, '}');
    if (b->overflow) {
        nd_web_error(c, 500, "Config too large", false);
        return;
    }
    nd_web_reply(c, 200, "application/json", "cache-control: no-store\r\n", b->p, b->n);
}

static void failed_item(nd_buf *f, const char *key, const char *msg)
{
    char line[ND_ERRMSG + 80];
    size_t kl = strlen(key);
    if (!strncmp(msg, key, kl) && (msg[kl] == ' ' || msg[kl] == ':'))
        snprintf(line, sizeof line, "%s", msg); /* the message names the key already */
    else
        snprintf(line, sizeof line, "%.64s: %s", key, msg);
    if (f->n > 1) nd_buf_puts(f, ", ");
    nd_json_escape(f, line, strlen(line));
}

/* One transaction per POST: keys that fail validation are listed and the
** others staged (micrOS applies what validates); then one commit. A commit
** that fails (storage, or the file would exceed ND_CFG_FILE_MAX) applies
** none of them -- memory stays as before the request -- and says so. */
static void config_post(nd_wconn *c, nd_span body)
{
    struct nd_web *w = c->web;
    struct nd_node *n = w->node;
    nd_buf *b = &w->body;
    nd_buf_clear(b);
    nd_buf failed;
    nd_buf_init(&failed, 16 * 1024);
    nd_buf_putc(&failed, '[');
    /* bytes after the object are ignored (end not checked), as they always were */
    cJSON *root = nd_json_parse(body.p, body.n, NULL);
    nd_key keys[ND_K_COUNT];
    bool listed[ND_K_COUNT] = {false};
    int nkeys = 0, status = 200;
    bool txn = false, *nul = NULL;
    if (!cJSON_IsObject(root)) {
        failed_item(&failed, "body", "expected a JSON object {\"key\": value}");
        status = 400;
    } else {
        /* which members hold a \u0000 that cJSON's C strings would cut off */
        size_t cnt = (size_t)cJSON_GetArraySize(root);
        nd_arena_reset(&n->arena); /* free between commands; a 64 KiB body has far fewer members */
        nul = nd_arena_alloc(&n->arena, (cnt ? cnt : 1) * sizeof *nul);
        if (nul) {
            memset(nul, 0, (cnt ? cnt : 1) * sizeof *nul);
            nd_json_nuls(body.p, body.n, nul, cnt);
        }
        txn = nul && nd_cfg_begin(n->cfg) == ND_OK;
        if (!txn) {
            failed_item(&failed, "node_config.json", "out of memory: nothing was applied");
            status = 500;
        }
    }
    size_t idx = 0;
    for (cJSON *it = txn ? root->child : NULL; it; it = it->next, idx++) {
        const char *key = it->string ? it->string : "";
        const nd_cfg_key *k = nd_cfg_schema_find(key);
        char err[ND_ERRMSG] = "";
        if (nul[idx]) {
            failed_item(&failed, key, "holds a NUL character (\\u0000), which a config key or "
                                      "value cannot contain: not applied");
            continue;
        }
        if (!k) {
            failed_item(&failed, key, "unknown key");
            continue;
        }
        if (k->flags & ND_CFG_NODE) {
            failed_item(&failed, key, "written by the node, not settable");
            continue;
        }
        nd_key id = nd_cfg_key_id(k);
        /* micrOS: an empty string means "not set" (n/a); an empty devfid goes
        ** on to be refused by its check */
        char na_text[] = "n/a";
        cJSON na = {.type = cJSON_String, .valuestring = na_text};
        const cJSON *item = it;
        if (cJSON_IsString(it) && !it->valuestring[0] && id != ND_K_devfid) item = &na;
        /* the member goes to the store as it is (an array or object: refused
        ** with its type in the message) */
        int rc = nd_cfg_set_json(n->cfg, id, item, err, sizeof err);
        if (rc != ND_OK) {
            failed_item(&failed, key, err[0] ? err : nd_strerror(rc));
            continue;
        }
        if (!listed[id]) { /* a key given twice is one change */
            listed[id] = true;
            keys[nkeys++] = id;
        }
    }
    if (txn) {
        char err[ND_ERRMSG] = "";
        int rc = nd_cfg_commit(n->cfg, err, sizeof err);
        if (rc != ND_OK) {
            failed_item(&failed, "node_config.json", err[0] ? err : nd_strerror(rc));
            status = rc == ND_ELIMIT ? 413 : 500;
            nkeys = 0; /* nothing changed: no effects, no event */
            nd_log(n, "[ERR] web: config update not applied: %s", err);
        }
    }
    nd_arena_reset(&n->arena);
    cJSON_Delete(root);
    if (nkeys) {
        nd_config_changed(n, keys, nkeys); /* as conf mode: effects and the event */
        nd_log(n, "[INFO] web: config updated (%d key%s)", nkeys, nkeys == 1 ? "" : "s");
    }
    nd_buf_putc(&failed, ']');
    if (failed.n == 2)
        nd_buf_puts(b, "{\"state\": true, \"result\": \"Config updated\"}");
    else
        nd_buf_printf(b, "{\"state\": false, \"result\": \"Config update failed\", \"failed\": %.*s}",
                      (int)failed.n, failed.p);
    nd_buf_free(&failed);
    nd_web_reply(c, status, "application/json", "cache-control: no-store\r\n", b->p, b->n);
}

void nd_config_handle(nd_wconn *c, const nd_http_req *r, nd_span body)
{
    /* web.c let it through: the request carried the password (@sudo) */
    if (r->method == ND_HTTP_GET) config_get(c);
    else config_post(c, body);
}

static void reboot_fn(nd_timer *t, void *ud)
{
    (void)t;
    struct nd_web *w = ud;
    w->node->reboot = true;
    nd_loop_stop();
}

void nd_config_reboot(nd_wconn *c, const nd_http_req *r)
{
    struct nd_web *w = c->web;
    (void)r; /* web.c let it through: the request carried the password (@sudo) */
    nd_log(w->node, "[INFO] web: soft reboot requested");
    /* after 1 s, as micrOS: the reply reaches the client first */
    nd_timer_arm(&w->node->timers, &w->reboot, nd_port_mono_ms() + 1000, reboot_fn, w);
    static const char body[] = "{\"state\": true, \"result\": \"Soft reboot scheduled\"}";
    nd_web_reply(c, 200, "application/json", "", body, sizeof body - 1);
}
