/* auth.js -- loaded by the node's 401 page (micrOS's shape, docs/micros-compat.md §4.6).
 * A browser that opened a protected URL (/config, /metrics, /events, /user_data/...) lands
 * here: ask for the node password, keep it for this tab (the other pages use the same
 * key), fetch the URL again with it and show what the node answers. */
(function () {
  'use strict';
  var KEY = 'nodus.pwd';
  var url = location.pathname + location.search;

  function show(text) {
    var pre = document.createElement('pre');
    pre.textContent = text;
    document.body.textContent = '';
    document.body.appendChild(pre);
  }

  async function attempt(pwd) {
    var resp = await fetch(url, { cache: 'no-store', headers: { 'x-micros-auth': pwd } });
    if (resp.status === 401) return false;
    try { sessionStorage.setItem(KEY, pwd); } catch (e) { /* private mode */ }
    var type = resp.headers.get('content-type') || '';
    if (type.indexOf('text/html') === 0) {
      document.open();
      document.write(await resp.text());
      document.close();
    } else {
      show(await resp.text());
    }
    return true;
  }

  async function ask(msg) {
    var stored = null;
    try { stored = sessionStorage.getItem(KEY); } catch (e) { stored = null; }
    if (stored && !msg && await attempt(stored)) return;
    var pwd = window.prompt((msg ? msg + ' ' : '') + 'Node password (appwd) for ' + url, '');
    if (pwd === null) { show('Auth required: this page needs the node password.'); return; }
    if (!(await attempt(pwd))) ask('Wrong password.');
  }

  ask('');
}());
