/*
** web.h -- the WebCli door: an HTTP/1.1 server on the event loop serving
** micrOS's REST bridge, the config endpoints, the web UI files, live events
** (SSE), Prometheus metrics and the file endpoints (docs/micros-compat.md §4).
**
** Started by the node when `webui` is true, on `webport` at `bind`. A port
** that cannot be bound (port 80 without root, a port in use) is logged and
** reported, and the node keeps running its shell.
**
** URL map (first match wins):
**   GET  /rest, /rest/<module>/<function>/<args...>   REST bridge (rest.c)
**   GET|POST /config, POST /config/reboot             config (rest.c), x-micros-auth
**   GET  /events                                      Server-Sent Events (web_events.c)
**   GET  /metrics                                     Prometheus text format (metrics.c)
**   /fs/dirs /fs/list /fs/files /fs/usage             file endpoints (webfs.c)
**   GET  /, /dashboard, /config/ui, /fs, /<file>      web UI files (web.c)
**
** Live events on /events, one JSON object per `data:` line:
**   event: task   data: {"tag": "<task tag>", "out": "<latest output>"}
**   event: log    data: {"line": "<log line>"}
**   event: state  data: {"what": "config", "keys": [...]}
**                       {"what": "module", "module": "<name>"}
**                       {"what": "task", "tag": "<tag>", "active": true|false}
** plus a ": keepalive" comment every 15 s, and ": dropped <n> events" when a
** slow client fell behind the bounded queue.
*/
#ifndef ND_WEB_H
#define ND_WEB_H

#include <stdbool.h>

struct nd_node;

/* Open the listener. Returns ND_OK also when the port could not be bound:
** that is logged, and nd_web_port() then says -1; the shell runs on. */
int nd_web_start(struct nd_node *n);
void nd_web_stop(struct nd_node *n);
int nd_web_port(struct nd_node *n);   /* bound port, -1 when not listening */
int nd_web_clients(struct nd_node *n); /* connections holding a client slot */
/* Why the listener is not running ("" when it is): for the start-up message. */
const char *nd_web_problem(struct nd_node *n);

#endif
