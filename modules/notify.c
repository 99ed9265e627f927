/*
** notify.c -- the notify Load Module: send a notification from the shell,
** REST, cron, an interrupt or a task, and look at the channels.
**
**     notify send "text" title=''   queue on every configured channel
**     notify status                 per channel: configured, counters, last error
**     notify channels               the configured channels' names
**     notify test channel=None      a test message, past the rate limit
**
** The channels are config keys (notify_mqtt, notify_webhook, notify_tg_*);
** the service behind it is src/core/notify.c (README "Notifications").
*/
#include <stdio.h>
#include <string.h>

#include "nodus/module.h"
#include "nodus/node.h"
#include "nodus/notify.h"

static const char *result_name(int r)
{
    switch (r) {
    case ND_NOTE_QUEUED: return "queued";
    case ND_NOTE_SUPPRESSED: return "suppressed";
    case ND_NOTE_ERROR: return "error";
    }
    return "off";
}

/* One item per channel: what this send did there. */
static int send_result(nd_call *c, int rc, const int res[ND_NCH_N])
{
    if (rc == ND_EAGAIN) return nd_fail(c, "notifications are disabled (system notifications enable=True)");
    if (rc == ND_ELIMIT)
        return nd_fail(c, "title or text too long (max %d and %d bytes)", ND_NOTIFY_TITLE_MAX - 1,
                       ND_NOTIFY_TEXT_MAX - 1);
    nd_value *d = nd_ret_dict(c);
    if (!d) return ND_ERR;
    for (int i = 0; i < ND_NCH_N; i++)
        if (nd_dict_set(c->arena, d, nd_notify_channel_name(i), nd_str(c->arena, result_name(res[i]))) != ND_OK)
            return nd_fail(c, "memory allocation failed");
    return ND_OK;
}

/* str() of any value, as micrOS formats a message */
static int text_of(nd_call *c, int i, nd_buf *b, size_t max, const char *what)
{
    nd_buf_init(b, 4 * max);
    if (c->argv[i]->type == ND_T_STR) nd_buf_put(b, c->argv[i]->u.s.p, c->argv[i]->u.s.n);
    else nd_render_str(b, c->argv[i]);
    if (b->overflow || b->n >= max) {
        nd_buf_free(b);
        return nd_fail(c, "%s too long (max %zu bytes)", what, max - 1);
    }
    if (memchr(b->p ? b->p : "", 0, b->n)) {
        nd_buf_free(b);
        return nd_fail(c, "%s holds a NUL byte", what);
    }
    return ND_OK;
}

static int f_send(nd_call *c)
{
    nd_buf text, title;
    if (text_of(c, 0, &text, ND_NOTIFY_TEXT_MAX, "text")) return ND_ERR;
    if (text_of(c, 1, &title, ND_NOTIFY_TITLE_MAX, "title")) {
        nd_buf_free(&text);
        return ND_ERR;
    }
    int res[ND_NCH_N];
    int rc = nd_notify_send(c->node, nd_buf_cstr(&title), nd_buf_cstr(&text), ND_NCH_ALL, false, res);
    nd_buf_free(&text);
    nd_buf_free(&title);
    return send_result(c, rc, res);
}

static int f_test(nd_call *c)
{
    unsigned mask = ND_NCH_ALL;
    if (!nd_arg_is_none(c, 0)) {
        const char *name;
        if (nd_arg_str(c, 0, &name)) return ND_ERR;
        int ch = nd_notify_channel_find(name);
        if (ch < 0) return nd_fail(c, "no channel '%s' (MQTT, Webhook, Telegram)", name);
        if (!nd_notify_configured(c->node, ch)) return nd_fail(c, "channel %s is not configured", name);
        mask = 1u << ch;
    }
    char text[128];
    snprintf(text, sizeof text, "test notification from %s", nd_node_cfg_str(c->node, "devfid"));
    int res[ND_NCH_N];
    int rc = nd_notify_send(c->node, "test", text, mask, true, res);
    return send_result(c, rc, res);
}

static int f_status(nd_call *c)
{
    nd_value *d = nd_ret_dict(c);
    if (!d) return ND_ERR;
    nd_arena *a = c->arena;
    for (int i = 0; i < ND_NCH_N; i++) {
        nd_notify_stats st;
        nd_notify_get_stats(c->node, i, &st);
        nd_value *e = nd_dict(a);
        if (!e || nd_dict_set(a, e, "configured", nd_bool(a, st.configured)) ||
            nd_dict_set(a, e, "sent", nd_int(a, (int64_t)st.sent)) ||
            nd_dict_set(a, e, "failed", nd_int(a, (int64_t)st.failed)) ||
            nd_dict_set(a, e, "suppressed", nd_int(a, (int64_t)st.suppressed)) ||
            nd_dict_set(a, e, "dropped", nd_int(a, (int64_t)st.dropped)) ||
            nd_dict_set(a, e, "retries", nd_int(a, (int64_t)st.retries)) ||
            nd_dict_set(a, e, "queued", nd_int(a, st.queued)) ||
            nd_dict_set(a, e, "last_error", nd_str(a, st.last_error)) ||
            nd_dict_set(a, d, nd_notify_channel_name(i), e))
            return nd_fail(c, "memory allocation failed");
    }
    return ND_OK;
}

static int f_channels(nd_call *c)
{
    nd_value *l = nd_list(c->arena);
    if (!l) return nd_fail(c, "memory allocation failed");
    for (int i = 0; i < ND_NCH_N; i++)
        if (nd_notify_configured(c->node, i) &&
            nd_seq_push(c->arena, l, nd_str(c->arena, nd_notify_channel_name(i))) != ND_OK)
            return nd_fail(c, "memory allocation failed");
    c->ret = l;
    return ND_OK;
}

static const nd_func funcs[] = {
    ND_FUNC("send", f_send, "text title=''", "send \"text\" title=''"),
    ND_FUNC("status", f_status, "", "TEXTBOX status"),
    ND_FUNC("channels", f_channels, "", "channels"),
    ND_FUNC("test", f_test, "channel=None", "BUTTON test channel=None"),
    ND_FUNCS_END,
};

const nd_module nd_mod_notify = {"notify", funcs, NULL, "notifications: MQTT topic, webhook, Telegram"};
