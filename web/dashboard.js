/* dashboard.js -- one card per loaded module with the widgets its help tags
 * describe (GET /rest/<module>/help/True), and a live panel fed by the
 * node's Server-Sent Events (/events): task output, log lines, state.
 */
(function () {
  'use strict';
  var n = window.nodus, el = n.el;
  var LIVE_MAX = 200;
  var modules = {};   /* name -> {section, widgets: []} */
  var container = document.getElementById('modules');
  var live = document.getElementById('live');

  function addLive(kind, head, text) {
    var li = el('li', { class: 'ev-' + kind },
      el('span', { class: 'badge', text: kind }),
      head ? el('span', { class: 'tag', text: head + ' ' }) : null,
      el('span', { class: 'text', text: text }));
    live.insertBefore(li, live.firstChild);
    while (live.children.length > LIVE_MAX) live.removeChild(live.lastChild);
  }

  /* After a user action, status widgets of the module show the new state. */
  function afterCall(w) {
    var m = modules[w.module];
    if (!m) return;
    m.widgets.forEach(function (o) { if (o !== w && o.type === 'status') o.refresh(); });
  }

  async function addModule(name) {
    if (modules[name]) return modules[name];
    var grid = el('div', { class: 'widgets' });
    var note = el('p', { class: 'muted', text: 'loading widgets…' });
    var h = el('h2', { id: 'mod-' + name, text: name });
    var section = el('section', { class: 'card module', 'data-module': name, 'aria-labelledby': 'mod-' + name },
      h, note, grid);
    var entry = { section: section, widgets: [] };
    modules[name] = entry;
    /* keep modules in name order */
    var after = Object.keys(modules).sort().filter(function (k) { return k > name && modules[k].section.parentNode; })[0];
    container.insertBefore(section, after ? modules[after].section : null);
    var r;
    try {
      r = await n.rest(name + ' help True');
    } catch (e) {
      note.textContent = 'help failed: ' + e.message;
      note.className = 'bad';
      return entry;
    }
    if (!r.state || !Array.isArray(r.result)) {
      note.textContent = n.pretty(r.result);
      note.className = 'bad';
      return entry;
    }
    r.result.forEach(function (s) {
      var spec = s;
      if (typeof s === 'string') {
        try { spec = JSON.parse(s); } catch (e) { return; }
      }
      if (!spec || typeof spec !== 'object') return;
      var w = n.widget(name, spec, { afterCall: afterCall });
      entry.widgets.push(w);
      grid.appendChild(w.root);
    });
    if (entry.widgets.length) note.remove();
    else note.textContent = 'No widgets: its help lines have no BUTTON/SLIDER/TEXTBOX… tags.';
    return entry;
  }

  async function loadModules() {
    try {
      var r = await n.rest('modules');
      var list = Array.isArray(r.result) ? r.result : [];
      list.filter(function (m) { return m !== 'task'; }).sort().forEach(addModule);
      if (!list.filter(function (m) { return m !== 'task'; }).length)
        document.getElementById('load-msg').textContent =
          'No module is loaded yet: load one above (for example system).';
    } catch (e) {
      document.getElementById('load-msg').textContent = 'Cannot list modules: ' + e.message;
    }
  }

  document.getElementById('load-form').addEventListener('submit', async function (ev) {
    ev.preventDefault();
    var input = document.getElementById('load-in');
    var msg = document.getElementById('load-msg');
    var name = input.value.trim();
    if (!/^[A-Za-z0-9_]+$/.test(name)) {
      msg.textContent = 'A module name is letters, digits and _.';
      msg.className = 'bad';
      return;
    }
    msg.className = 'muted';
    msg.textContent = 'loading ' + name + '…';
    try {
      var r = await n.rest(name + ' help');
      if (!r.state) {
        msg.textContent = n.pretty(r.result);
        msg.className = 'bad';
        return;
      }
      await addModule(name);
      msg.textContent = name + ' loaded';
      input.value = '';
      modules[name].section.scrollIntoView({ block: 'nearest' });
    } catch (e) {
      msg.textContent = e.message;
      msg.className = 'bad';
    }
  });

  document.getElementById('live-clear').addEventListener('click', function () { live.textContent = ''; });

  /* Task output goes to the live panel and to the widgets of that module
   * whose function made the task ("system.clock" -> system's clock). */
  function onTask(d) {
    var tag = String(d.tag || ''), out = String(d.out === undefined ? '' : d.out);
    addLive('task', tag, out);
    var dot = tag.indexOf('.');
    var m = modules[dot > 0 ? tag.slice(0, dot) : tag];
    if (!m) return;
    var func = dot > 0 ? tag.slice(dot + 1) : '';
    m.widgets.forEach(function (w) { if (w.func === func) w.onTask(out); });
  }

  function onState(d) {
    if (d.what === 'module' && d.module) {
      addLive('state', 'module', d.module + ' loaded');
      addModule(String(d.module));
    } else if (d.what === 'task') {
      addLive('state', 'task', String(d.tag) + (d.active ? ' started' : ' finished'));
    } else if (d.what === 'config') {
      addLive('state', 'config', 'changed: ' + (d.keys || []).join(', '));
    } else {
      addLive('state', String(d.what || ''), JSON.stringify(d));
    }
  }

  /* The stream is read with fetch() rather than EventSource, which cannot
   * send the x-micros-auth header that /events wants in auth mode. A dropped
   * stream reconnects with a growing delay; a 401 asks for the password
   * (kept for this tab, like the Config and Files pages do). */
  var conn = document.getElementById('conn'), backoff = 1000;
  function setConn(up, text) {
    conn.className = 'conn ' + (up ? 'up' : 'down');
    conn.textContent = 'live: ' + text;
  }
  function dispatch(block) {
    var ev = 'message', data = '';
    block.split('\n').forEach(function (line) {
      if (line.indexOf('event: ') === 0) ev = line.slice(7);
      else if (line.indexOf('data: ') === 0) data += line.slice(6);
    });
    var d;
    try { d = JSON.parse(data); } catch (e) { return; }
    if (ev === 'task') onTask(d);
    else if (ev === 'log') addLive('log', '', String(d.line));
    else if (ev === 'state') onState(d);
    else if (ev === 'irq') addLive('irq', String(d.irq), d.edge + ' edge, #' + d.fired);
  }
  function retry(text) {
    setConn(false, text + ', reconnecting in ' + Math.round(backoff / 1000) + ' s');
    setTimeout(connect, backoff);
    backoff = Math.min(backoff * 2, 30000);
  }
  async function connect() {
    var resp;
    try {
      resp = await fetch('/events', { cache: 'no-store',
        headers: nodus.authHeaders({ Accept: 'text/event-stream' }) });
    } catch (e) { retry('no connection'); return; }
    if (resp.status === 401) { /* auth on: ask here (a tab keeps its own password) */
      var had = !!nodus.password();
      nodus.setPassword(null);
      setConn(false, had ? 'wrong password' : 'password needed');
      document.getElementById('live-auth').hidden = false;
      return;
    }
    if (!resp.ok || !resp.body) { retry('HTTP ' + resp.status); return; }
    backoff = 1000;
    setConn(true, 'connected');
    var reader = resp.body.getReader(), dec = new TextDecoder(), buf = '';
    try {
      for (;;) {
        var r = await reader.read();
        if (r.done) break;
        buf += dec.decode(r.value, { stream: true }).replace(/\r\n/g, '\n');
        var k;
        while ((k = buf.indexOf('\n\n')) >= 0) {
          dispatch(buf.slice(0, k));
          buf = buf.slice(k + 2);
        }
      }
    } catch (e) { /* dropped */ }
    retry('stream ended');
  }

  document.getElementById('live-auth').addEventListener('submit', function (ev) {
    ev.preventDefault();
    nodus.setPassword(document.getElementById('live-pwd').value);
    document.getElementById('live-pwd').value = '';
    document.getElementById('live-auth').hidden = true;
    backoff = 1000;
    connect();
  });

  loadModules();
  connect();
})();
