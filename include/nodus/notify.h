/*
** notify.h -- send a notification from a Load Module (micrOS's Notify).
**
** The node's notify service (src/core/notify.c) hands the message to every
** configured channel: an MQTT topic, an HTTP webhook, a Telegram bot
** (config keys notify_*; README "Notifications"). Delivery happens later in
** the event loop, with retries and backoff; this call never waits for the
** network. Each channel sends at most one message per notify_rate_s
** seconds; the others are counted as suppressed.
*/
#ifndef NODUS_NOTIFY_H
#define NODUS_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

struct nd_node;

#define ND_NOTIFY_TITLE_MAX 64   /* bytes of a title, NUL included */
#define ND_NOTIFY_TEXT_MAX 512   /* bytes of a text, NUL included */

/* Queue title (may be "" or NULL) and text on every configured channel.
** Returns how many channels took it (0: none configured, or every one
** within its rate limit), ND_EAGAIN when notifications are disabled
** (`system notifications enable=False`), ND_ELIMIT when title or text is
** too long (nothing sent). */
int nd_notify(struct nd_node *n, const char *title, const char *text);

/* ---- the fuller interface: the notify LM and `system notify` ---------- */
enum { ND_NCH_MQTT, ND_NCH_WEBHOOK, ND_NCH_TELEGRAM, ND_NCH_N };
#define ND_NCH_ALL ((1u << ND_NCH_N) - 1)

#define ND_NOTIFY_QUEUE 8        /* messages waiting per channel: the oldest goes when full */
#define ND_NOTIFY_ATTEMPTS 5     /* deliveries tried per message before it is given up */
#define ND_NOTIFY_TIMEOUT_MS 5000 /* longest wait for an endpoint in any phase */
#define ND_NOTIFY_BACKOFF_MS 1000 /* first retry delay; doubles per attempt */
#define ND_NOTIFY_BACKOFF_MAX_MS 60000

/* What a send did on one channel. */
enum { ND_NOTE_OFF, ND_NOTE_QUEUED, ND_NOTE_SUPPRESSED, ND_NOTE_ERROR };

const char *nd_notify_channel_name(int ch); /* "MQTT", "Webhook", "Telegram" */
int nd_notify_channel_find(const char *name); /* index, or -1 */
bool nd_notify_configured(struct nd_node *n, int ch);

/* Send to the channels in mask. res[ch] gets ND_NOTE_* (may be NULL);
** force skips the rate limit (`notify test`). Returns the number queued,
** ND_EAGAIN when disabled, ND_ELIMIT when too long. */
int nd_notify_send(struct nd_node *n, const char *title, const char *text, unsigned mask, bool force,
                   int res[ND_NCH_N]);

bool nd_notify_enabled(struct nd_node *n);
void nd_notify_set_enabled(struct nd_node *n, bool on);

/* Per-channel counters for `notify status` and /metrics. */
typedef struct nd_notify_stats {
    bool configured;
    uint64_t sent, failed, suppressed, dropped, retries;
    int queued;
    char last_error[160];
} nd_notify_stats;
void nd_notify_get_stats(struct nd_node *n, int ch, nd_notify_stats *st);


#endif
