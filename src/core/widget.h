/*
** widget.h -- micrOS dashboard widgets from help tags (docs/micros-compat.md §8.3).
**
** A help line may start with an upper-case tag and optional inline
** overrides: "SLIDER brightness br=<0-100-5>", "GRAPH{\"refresh\":5000} top",
** "TEXTBOX{'refresh': 5000} measure". `<module> help True` (and
** /rest/<module>/help/True) answers one widget JSON string per tagged line,
** exactly as micrOS's Types.resolve() writes it (Python json.dumps spacing):
**
**   "COLOR color r=<0-255-5> g b smooth=True force=True" ->
**   {"type": "color", "callback": "color r=:range: g=:range: b=:range: smooth=True force=True", "range": [0, 255, 5]}
**
** Pure code: no I/O, no allocation beyond the caller's nd_buf.
*/
#ifndef ND_WIDGET_H
#define ND_WIDGET_H

#include "nodus/value.h"

/* Append the widget JSON for one help line to out. Returns ND_OK,
** ND_ENOTFOUND when the line has no known tag (micrOS drops it),
** ND_ESYNTAX when micrOS would fail on it (a missing function name, a
** parameter with two '=', a range without a step on a widget that has no
** default range, broken inline overrides) -- the caller drops it too,
** ND_ENOMEM when out overflowed. out is left unchanged unless ND_OK. */
int nd_widget_json(const char *help_line, nd_buf *out);

#endif
