/*
** dashboard_be.c -- micrOS's LM_dashboard_be: `load` / `create_dashboard`
** register the endpoint /dashboard through the module API's web endpoint
** (module.h nd_web_endpoint, micrOS's Common.web_endpoint); its callback
** answers the dashboard page, as micrOS's reads web/dashboard.html.
**
** The web door serves /dashboard on its own as well; this module is the
** micrOS-shaped way to (re)claim it, and the worked example of an endpoint
** a module registers.
*/
#include <stdbool.h>
#include <string.h>

#include "nodus/module.h"
#include "nodus/port.h"
#include "webassets.h"

/* The web/ override is copied into the reply in small pieces, so the module
** keeps no page-sized buffer of its own (a static 32 KB one was a third of a
** firmware image's RAM). Larger overrides are ignored, as before. */
#define DASH_PAGE_MAX (32 * 1024 - 1)

/* Append web/dashboard.html to out; false (out unchanged) when it is missing,
** larger than DASH_PAGE_MAX or unreadable, so the built-in page is served. */
static bool put_override(nd_buf *out)
{
    size_t size = 0, start = out->n, off = 0, got = 0;
    bool was_over = out->overflow, ok = true;
    if (nd_fs_size("web/dashboard.html", &size) != ND_OK || size > DASH_PAGE_MAX) return false;
    char chunk[512];
    for (;;) {
        if (nd_fs_read_at("web/dashboard.html", off, chunk, sizeof chunk, &got) != ND_OK) {
            ok = false;
            break;
        }
        if (!got) break;
        off += got;
        if (off > DASH_PAGE_MAX) { /* it grew while being read */
            ok = false;
            break;
        }
        nd_buf_put(out, chunk, got);
    }
    if (!ok || (out->overflow && !was_over)) {
        out->n = start, out->overflow = was_over;
        return false;
    }
    return true;
}

/* micrOS's _dashboard_clb: the page, or a text error (web/ override first,
** then the page built into the binary). */
static int dashboard_clb(struct nd_node *n, const char *query, const char *body, size_t body_n,
                         nd_buf *out, const char **ctype)
{
    (void)n, (void)query, (void)body, (void)body_n;
    if (!put_override(out)) {
        const nd_webasset *a = nd_webasset_find("dashboard.html", 14);
        if (!a) {
            *ctype = "text/plain";
            nd_buf_puts(out, "html_content error: None");
            return ND_OK;
        }
        nd_buf_put(out, (const char *)a->data, a->len);
    }
    *ctype = "text/html";
    return ND_OK;
}

static int f_create_dashboard(nd_call *c)
{
    if (nd_web_endpoint(c, "dashboard", "GET", dashboard_clb) != ND_OK) return ND_ERR;
    return nd_ret_str(c, "Endpoint created: /dashboard");
}

static const nd_func funcs[] = {
    ND_FUNC("load", f_create_dashboard, "", "load"),
    ND_FUNC("create_dashboard", f_create_dashboard, "", "create_dashboard"),
    ND_FUNCS_END,
};

const nd_module nd_mod_dashboard_be = {"dashboard_be", funcs, NULL,
                                       "registers the /dashboard endpoint (micrOS's LM_dashboard_be)"};
