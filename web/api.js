/* api.js -- how the pages talk to a nodus node (micrOS-compatible).
 *
 * A shell command ("system info", "notify 'hi there'") travels as
 * GET /rest/<words joined by '/'>, each word with micrOS's escapes so the
 * node's REST tokeniser (docs/micros-compat.md §4.3) gets back exactly the words.
 * Replies are {"result": ..., "state": bool}. The config endpoints (and, in
 * auth mode, /events, /metrics, /fs and commands beyond loaded modules) want
 * the node password in the x-micros-auth header; it is kept in sessionStorage
 * once the user gave it on the Config or Files page.
 * Plain script (no modules, no framework): everything hangs off window.nodus.
 */
(function () {
  'use strict';

  var ESC = {
    ' ': '%20', '"': '%22', "'": '%27', '#': '%23', '=': '%3D', '>': '%3E',
    '&': '%26', '/': '%2F', '?': '%3F', '%': '%25', '\\': '%5C'
  };

  /* One word with micrOS's REST escapes. */
  function escapeWord(word) {
    return word.replace(/[ "'#=>&\/?%\\]/g, function (c) { return ESC[c]; });
  }

  /* Split a command line as the shell does: white space separates words,
   * except inside '...' or "..." (quotes are kept: they are Python syntax). */
  function splitCommand(line) {
    var words = [], cur = '', quote = null, started = false;
    for (var i = 0; i < line.length; i++) {
      var c = line[i];
      if (quote) {
        cur += c;
        if (c === '\\' && i + 1 < line.length) cur += line[++i];
        else if (c === quote) quote = null;
      } else if (/\s/.test(c)) {
        if (started) words.push(cur);
        cur = '';
        started = false;
      } else {
        if (c === '"' || c === "'") quote = c;
        cur += c;
        started = true;
      }
    }
    if (started) words.push(cur);
    return words;
  }

  function restPath(line) {
    return '/rest/' + splitCommand(line).map(escapeWord).join('/');
  }

  /* Read a fetch Response as JSON; an error carries .status and the body. */
  async function readJSON(resp) {
    var text = await resp.text();
    var data = null;
    try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
    if (!resp.ok) {
      var err = new Error('HTTP ' + resp.status + (text && !data ? ': ' + text.slice(0, 200) : ''));
      err.status = resp.status;
      err.data = data;
      throw err;
    }
    if (data === null && text) {
      var bad = new Error('not JSON: ' + text.slice(0, 200));
      bad.status = resp.status;
      throw bad;
    }
    return data;
  }

  /* Run a shell command on the node: resolves to {result, state}. With a
   * password given in this tab the call is authenticated: in auth mode the
   * node then runs any command, not only loaded modules' functions. */
  async function rest(line, opts) {
    var o = Object.assign({ cache: 'no-store' }, opts || {});
    o.headers = authHeaders(o.headers);
    var resp = await fetch(restPath(line), o);
    return readJSON(resp);
  }

  async function getJSON(url, opts) {
    var resp = await fetch(url, Object.assign({ cache: 'no-store' }, opts || {}));
    return readJSON(resp);
  }

  /* ---- the password (x-micros-auth) ---- */
  var PWD_KEY = 'nodus.pwd';
  function password() {
    try { return sessionStorage.getItem(PWD_KEY); } catch (e) { return null; }
  }
  function setPassword(p) {
    try {
      if (p) sessionStorage.setItem(PWD_KEY, p);
      else sessionStorage.removeItem(PWD_KEY);
    } catch (e) { /* private mode: ask again next time */ }
  }
  function authHeaders(extra) {
    var h = Object.assign({}, extra || {});
    var p = password();
    if (p) h['x-micros-auth'] = p;
    return h;
  }

  /* JSON on one line with Python's spacing: {"a": 1, "b": [1, 2]}. */
  function inline(v) {
    if (Array.isArray(v)) return '[' + v.map(inline).join(', ') + ']';
    if (v && typeof v === 'object')
      return '{' + Object.keys(v).map(function (k) { return JSON.stringify(k) + ': ' + inline(v[k]); }).join(', ') + '}';
    return JSON.stringify(v);
  }

  /* Short values on one line, longer objects one key per line. */
  function format(v, pad) {
    var one = inline(v);
    if (one.length + pad.length <= 64 || !v || typeof v !== 'object') return one;
    var inner = pad + '  ';
    if (Array.isArray(v))
      return '[\n' + v.map(function (x) { return inner + format(x, inner); }).join(',\n') + '\n' + pad + ']';
    return '{\n' + Object.keys(v).map(function (k) {
      return inner + JSON.stringify(k) + ': ' + format(v[k], inner);
    }).join(',\n') + '\n' + pad + '}';
  }

  /* A result as text: strings as they are, everything else as JSON. */
  function pretty(result) {
    if (typeof result === 'string') return result;
    if (result === undefined) return '';
    return format(result, '');
  }

  /* Tiny DOM helper: el('div', {class: 'x', text: 'hi'}, child, ...). */
  function el(tag, attrs) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === undefined || v === null || v === false) return;
      if (k === 'text') e.textContent = v;
      else if (k === 'class') e.className = v;
      else if (k.slice(0, 2) === 'on') e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : v);
    });
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined) continue;
      e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    }
    return e;
  }

  /* Show a reply in an element: text, red when state is false. */
  function showReply(node, reply) {
    node.classList.remove('bad', 'ok');
    if (reply instanceof Error) {
      node.textContent = reply.message;
      node.classList.add('bad');
      return;
    }
    node.textContent = pretty(reply && 'result' in reply ? reply.result : reply);
    node.classList.add(reply && reply.state === false ? 'bad' : 'ok');
  }

  window.nodus = {
    escapeWord: escapeWord,
    splitCommand: splitCommand,
    restPath: restPath,
    rest: rest,
    getJSON: getJSON,
    readJSON: readJSON,
    password: password,
    setPassword: setPassword,
    authHeaders: authHeaders,
    pretty: pretty,
    el: el,
    showReply: showReply
  };
})();
