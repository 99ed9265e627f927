/*
** webep.c -- endpoints registered by modules (module.h nd_web_endpoint,
** micrOS's Common.web_endpoint), served by the web door (web.c) before the
** UI's files, as micrOS routes a registered endpoint before static files.
**
** A fixed table (ND_WEB_EP_MAX): a module cannot grow the door's memory,
** and a full table is a clear error to the module's caller.
*/
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "http.h"
#include "nodus/module.h"
#include "web_int.h"

static struct {
    char path[48];
    bool post;
    nd_web_ep_fn fn;
} eps[ND_WEB_EP_MAX];
static int neps;

int nd_web_endpoint(nd_call *c, const char *endpoint, const char *method, nd_web_ep_fn fn)
{
    size_t n = strlen(endpoint);
    if (n == 0 || n >= sizeof eps[0].path || endpoint[0] == '/' || !fn)
        return nd_fail(c, "web endpoint must be 1..%d characters, without a leading '/'",
                       (int)sizeof eps[0].path - 1);
    for (size_t i = 0; i < n; i++) {
        char ch = endpoint[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '-' || ch == '/'))
            return nd_fail(c, "web endpoint may use A-Z a-z 0-9 _ - / only");
    }
    bool post = method && !strcmp(method, "POST");
    if (method && !post && strcmp(method, "GET"))
        return nd_fail(c, "web endpoint method must be GET or POST, not %s", method);
    for (int i = 0; i < neps; i++)
        if (!strcmp(eps[i].path, endpoint) && eps[i].post == post) {
            eps[i].fn = fn;
            return ND_OK;
        }
    if (neps == ND_WEB_EP_MAX) return nd_fail(c, "web endpoints full (%d)", ND_WEB_EP_MAX);
    snprintf(eps[neps].path, sizeof eps[0].path, "%s", endpoint);
    eps[neps].post = post;
    eps[neps].fn = fn;
    neps++;
    return ND_OK;
}

int nd_webep_count(void) { return neps; }
const char *nd_webep_path(int i) { return i >= 0 && i < neps ? eps[i].path : NULL; }

bool nd_webep_handle(nd_wconn *c, const nd_http_req *r, nd_span body)
{
    nd_span p = r->path;
    if (p.n < 2 || neps == 0) return false;
    bool post = r->method == ND_HTTP_POST;
    if (!post && r->method != ND_HTTP_GET && r->method != ND_HTTP_HEAD) return false;
    for (int i = 0; i < neps; i++) {
        size_t n = strlen(eps[i].path);
        if (eps[i].post != post || p.n != n + 1 || memcmp(p.p + 1, eps[i].path, n)) continue;
        if (!nd_web_allows(c, ND_ACT_FS_READ)) {
            nd_web_unauthorized(c, r);
            return true;
        }
        char query[512];
        if (r->query.n >= sizeof query) {
            nd_web_error(c, 414, "Query string too long", false);
            return true;
        }
        snprintf(query, sizeof query, "%.*s", (int)r->query.n, r->query.p ? r->query.p : "");
        nd_buf out;
        nd_buf_init(&out, ND_WEB_EP_BODY_MAX);
        const char *ctype = "text/plain";
        int rc = eps[i].fn(c->web->node, query, post ? body.p : "", post ? body.n : 0, &out, &ctype);
        if (out.overflow) nd_web_error(c, 500, "endpoint reply too large", false);
        else if (rc != ND_OK) nd_web_reply(c, 500, "text/plain", "", out.p ? out.p : "", out.n);
        else nd_web_reply(c, 200, ctype, "cache-control: no-store\r\n", out.p ? out.p : "", out.n);
        nd_buf_free(&out);
        return true;
    }
    return false;
}
