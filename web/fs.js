/* fs.js -- the file manager: disk usage (GET /fs/usage), the node's
 * directories (GET /fs/dirs), the files of one (POST /fs/list, body = dir),
 * upload (multipart POST /fs/files, filename = "<dir>/<name>", one part),
 * delete (DELETE /fs/files, body = path). Files in /user_data are served by
 * the node as /user_data/<name>: they get open and download links. Writing
 * wants the x-micros-auth password when auth is on, and always in $modules
 * (a module is code); a 401 asks for it, kept in sessionStorage for the tab.
 */
(function () {
  'use strict';
  var n = window.nodus, el = n.el;
  var NAME_CHARS = /^[A-Za-z0-9._-]+$/;
  var NAME_MAX = 200;

  var dirSel = document.getElementById('fs-dir');
  var dirNote = document.getElementById('fs-dir-note');
  var tbody = document.getElementById('fs-list');
  var empty = document.getElementById('fs-empty');
  var msgEl = document.getElementById('fs-msg');
  var upForm = document.getElementById('up-form');
  var fileIn = document.getElementById('up-file');
  var nameIn = document.getElementById('up-name');
  var upBtn = document.getElementById('up-btn');
  var progress = document.getElementById('up-progress');
  var note = document.getElementById('up-note');

  var dirs = [];        /* [[dir, "rw"|"r"], ...] from /fs/dirs */
  var cur = null;       /* the selected dir */
  var files = [];       /* its listing */
  var authOn = false;   /* from GET /rest */
  var listSeq = 0;      /* a newer listing wins over a slower older one */
  var uploading = false;
  var pending = null;   /* what to retry once the password was given */

  /* ---- messages ---- */
  function say(text, bad) {
    msgEl.textContent = text;
    msgEl.className = text ? (bad ? 'bad' : 'ok') : '';
  }

  function human(b) {
    if (typeof b !== 'number' || !isFinite(b)) return '?';
    if (b < 1024) return b + ' B';
    var units = ['KiB', 'MiB', 'GiB', 'TiB'], v = b, i = -1;
    do { v /= 1024; i++; } while (v >= 1024 && i < units.length - 1);
    return (v < 10 ? v.toFixed(1) : String(Math.round(v))) + ' ' + units[i];
  }

  function when(secs) {
    if (typeof secs !== 'number' || secs <= 0) return '—';
    return new Date(secs * 1000).toLocaleString();
  }

  /* ---- the password ---- */
  function askPassword(retry, text, isError) {
    pending = retry;
    var m = document.getElementById('auth-msg');
    m.textContent = text || '';
    m.className = isError ? 'bad' : 'muted';
    document.getElementById('auth').hidden = false;
    document.getElementById('auth-pwd').focus();
  }

  document.getElementById('auth-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    n.setPassword(document.getElementById('auth-pwd').value);
    document.getElementById('auth-pwd').value = '';
    document.getElementById('auth').hidden = true;
    var retry = pending;
    pending = null;
    if (retry) retry();
  });
  document.getElementById('auth-cancel').addEventListener('click', function () {
    pending = null;
    document.getElementById('auth').hidden = true;
    say('Cancelled: the node wants its password for that.', true);
  });

  /* A 401: forget a password that did not work, ask, retry `again`. */
  function refused(again, what) {
    var had = !!n.password();
    n.setPassword(null);
    askPassword(again, had ? 'Wrong password.' : what + ' needs the node password.', had);
  }

  function writable(dir) {
    var d = dirs.filter(function (x) { return x[0] === dir; })[0];
    return !!d && String(d[1]).indexOf('w') >= 0;
  }

  function needsPassword(dir) { return authOn || dir === '$modules'; }

  /* "/user_data" -> "user_data/<name>" as filesui.js writes it; "$modules/<name>". */
  function target(dir, name) { return dir.replace(/^\/+/, '') + '/' + name; }

  function served(path) { return /^\/user_data\/[^/]+$/.test(path); }

  /* ---- usage ---- */
  async function usage() {
    var out = document.getElementById('fs-usage'), meter = document.getElementById('fs-meter');
    try {
      var u = await n.getJSON('/fs/usage', { headers: n.authHeaders() });
      var total = (u.used || 0) + (u.free || 0);
      meter.max = total || 1;
      meter.value = u.used || 0;
      meter.high = (total || 1) * 0.9;
      var pct = total ? Math.round(100 * u.used / total) : 0;
      out.textContent = human(u.used) + ' used, ' + human(u.free) + ' free (' + pct + '% used)';
      out.className = '';
    } catch (e) {
      out.textContent = 'Cannot read /fs/usage: ' + e.message;
      out.className = 'bad';
    }
  }

  /* ---- the listing ---- */
  function deleteButton(path, name) {
    var armed = false;
    var del = el('button', { type: 'button', class: 'danger del', text: 'Delete', 'aria-label': 'Delete ' + name });
    var cancel = el('button', { type: 'button', class: 'secondary', text: 'Cancel', hidden: true });
    function disarm() {
      armed = false;
      del.textContent = 'Delete';
      del.setAttribute('aria-label', 'Delete ' + name);
      cancel.hidden = true;
    }
    cancel.addEventListener('click', function () { disarm(); del.focus(); });
    del.addEventListener('click', function () {
      if (!armed) { /* ask in the page, not with a blocking dialog */
        armed = true;
        del.textContent = 'Confirm delete';
        del.setAttribute('aria-label', 'Confirm delete of ' + name);
        cancel.hidden = false;
        return;
      }
      disarm();
      del.disabled = true;
      remove(path);
    });
    return [del, cancel];
  }

  /* auth on: a link cannot send the password, so fetch the file with it and
   * hand the browser the bytes (open in a tab, or save under its name). */
  async function withPassword(ev) {
    ev.preventDefault();
    var a = ev.currentTarget;
    var resp = await fetch(a.getAttribute('href'), { cache: 'no-store', headers: n.authHeaders() });
    if (resp.status === 401) { refused(function () { a.click(); }, 'Reading files'); return; }
    if (!resp.ok) { say('Cannot read ' + a.getAttribute('href') + ': HTTP ' + resp.status, true); return; }
    var url = URL.createObjectURL(await resp.blob());
    var tmp = el('a', { href: url });
    if (a.hasAttribute('download')) tmp.setAttribute('download', a.getAttribute('download'));
    else tmp.setAttribute('target', '_blank');
    document.body.appendChild(tmp);
    tmp.click();
    tmp.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
  }

  function row(f) {
    var path = String(f.path);
    var name = path.slice(path.lastIndexOf('/') + 1);
    var href = served(path) ? '/user_data/' + encodeURIComponent(name) : null;
    var act = el('td', { class: 'act' });
    if (href) {
      var open = el('a', { href: href, target: '_blank', rel: 'noopener', class: 'open', text: 'Open',
        'aria-label': 'Open ' + name });
      var down = el('a', { href: href, download: name, class: 'download', text: 'Download',
        'aria-label': 'Download ' + name });
      if (authOn) [open, down].forEach(function (a) { a.addEventListener('click', withPassword); });
      act.appendChild(open);
      act.appendChild(down);
    }
    if (writable(cur)) deleteButton(path, name).forEach(function (b) { act.appendChild(b); });
    return el('tr', { 'data-path': path },
      el('td', { class: 'name', text: name, title: path }),
      el('td', { class: 'num', text: human(f.size), title: f.size + ' bytes' }),
      el('td', { class: 'date', text: when(f.created) }),
      act);
  }

  function render(list) {
    files = list;
    tbody.textContent = '';
    list.slice().sort(function (a, b) { return String(a.path).localeCompare(String(b.path)); })
      .forEach(function (f) { tbody.appendChild(row(f)); });
    empty.hidden = list.length > 0;
    nameHint();
  }

  async function list() {
    if (cur === null) return;
    var seq = ++listSeq, dir = cur;
    try {
      var resp = await fetch('/fs/list', { method: 'POST', body: dir, cache: 'no-store',
                                           headers: n.authHeaders() });
      var data = await n.readJSON(resp);
      if (seq !== listSeq) return;
      if (!Array.isArray(data)) throw new Error('unexpected reply: ' + n.pretty(data).slice(0, 200));
      render(data);
    } catch (e) {
      if (seq !== listSeq) return;
      render([]);
      empty.hidden = true;
      say('Cannot list ' + dir + ': ' + e.message, true);
    }
  }

  function refresh() { return Promise.all([list(), usage()]); }

  /* ---- delete ---- */
  async function remove(path) {
    var again = function () { remove(path); };
    try {
      var resp = await fetch('/fs/files', {
        method: 'DELETE', body: path, cache: 'no-store', headers: n.authHeaders()
      });
      if (resp.status === 401) {
        refused(again, 'Deleting ' + path);
        await list();
        return;
      }
      var text = (await resp.text()).trim();
      if (!resp.ok) throw new Error('HTTP ' + resp.status + (text ? ': ' + text : ''));
      say(text || path + ' deleted', false);
    } catch (e) {
      say('Cannot delete ' + path + ': ' + e.message, true);
    }
    await refresh();
  }

  /* ---- upload ---- */
  function sanitize(name) {
    return name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[.]+/, '').slice(0, NAME_MAX);
  }

  function badName(name, dir) {
    if (!name) return 'Give the file a name to save it as.';
    if (!NAME_CHARS.test(name)) return '"' + name + '": a name may use only letters, digits, ".", "_" and "-".';
    if (name[0] === '.') return '"' + name + '": a name may not start with ".".';
    if (/\.mpy$/i.test(name)) return '"' + name + '": .mpy files cannot be uploaded.';
    if (name.length > NAME_MAX) return 'The name is longer than ' + NAME_MAX + ' characters.';
    if (dir === '/user_data' && name === 'tmp') return '"tmp" is reserved: choose another name.';
    return '';
  }

  function nameHint() {
    var name = nameIn.value.trim();
    var exists = files.some(function (f) { return String(f.path).split('/').pop() === name; });
    var why = fileIn.files.length ? badName(name, cur) : '';
    nameIn.setAttribute('aria-invalid', why ? 'true' : 'false');
    note.textContent = why || (exists ? name + ' exists in ' + cur + ': uploading replaces it.' : '');
    note.className = why ? 'bad' : 'muted';
    upBtn.disabled = uploading || !fileIn.files.length || !!why || !writable(cur);
  }

  fileIn.addEventListener('change', function () {
    var f = fileIn.files[0];
    nameIn.value = f ? sanitize(f.name) : '';
    say('', false);
    nameHint();
  });
  nameIn.addEventListener('input', nameHint);

  /* One part, the whole file (the node streams it to disk); progress shown. */
  function send(filename, file) {
    return new Promise(function (resolve) {
      var fd = new FormData();
      fd.append('file', file, filename);
      var x = new XMLHttpRequest();
      x.open('POST', '/fs/files');
      var h = n.authHeaders();
      Object.keys(h).forEach(function (k) { x.setRequestHeader(k, h[k]); });
      x.upload.addEventListener('progress', function (e) {
        if (e.lengthComputable && e.total) progress.value = e.loaded / e.total;
      });
      x.onload = function () { resolve({ status: x.status, text: x.responseText || '' }); };
      x.onerror = x.onabort = function () { resolve({ status: 0, text: '' }); };
      x.send(fd);
    });
  }

  async function upload() {
    var file = fileIn.files[0];
    if (!file || uploading) return;
    var dir = cur, name = nameIn.value.trim(), why = badName(name, dir);
    if (why) { say(why, true); nameIn.focus(); return; }
    if (!writable(dir)) { say(dir + ' is read-only.', true); return; }
    var to = target(dir, name);
    if (needsPassword(dir) && !n.password()) {
      askPassword(upload, (dir === '$modules' ? 'Writing to $modules' : 'Writing files') +
        ' needs the node password.', false);
      return;
    }
    uploading = true;
    upBtn.disabled = true;
    progress.value = 0;
    progress.hidden = false;
    say('Uploading ' + to + ' (' + human(file.size) + ')…', false);
    var r = await send(to, file);
    uploading = false;
    progress.hidden = true;
    if (r.status === 401) {
      say('', false);
      refused(upload, 'Writing to ' + dir);
    } else if (r.status === 200) {
      say('Uploaded ' + to + ' (' + human(file.size) + ')', false);
      upForm.reset();
    } else if (r.status === 0) {
      say('Upload of ' + to + ' failed: the connection to the node was lost.', true);
    } else {
      say('Upload of ' + to + ' failed: HTTP ' + r.status + (r.text.trim() ? ': ' + r.text.trim() : ''), true);
    }
    nameHint();
    await refresh();
  }

  upForm.addEventListener('submit', function (ev) { ev.preventDefault(); upload(); });

  /* ---- directories ---- */
  function selectDir(dir) {
    cur = dir;
    dirSel.value = dir;
    document.getElementById('files-h').textContent = dir;
    var ro = !writable(dir);
    upForm.hidden = ro;
    dirNote.textContent = (dir === '/user_data'
      ? 'Served by the node as /user_data/<name>.'
      : dir === '$modules'
        ? 'User Load Modules (LM_<name>.py). Writing here always needs the node password.'
        : '') + (ro ? ' Read-only.' : '');
    try { history.replaceState(null, '', '#' + encodeURIComponent(dir)); } catch (e) { /* file: */ }
    render([]);
    empty.hidden = true;
    list();
  }

  dirSel.addEventListener('change', function () { say('', false); selectDir(dirSel.value); });
  document.getElementById('fs-reload').addEventListener('click', function () { say('', false); refresh(); });

  /* With auth on even reading wants the password: it is asked once, up front. */
  async function start() {
    try {
      var info = await n.getJSON('/rest');
      authOn = !!(info && info.result && info.result.auth);
    } catch (e) { /* not fatal: a 401 still asks for the password */ }
    if (authOn && !n.password()) {
      askPassword(start, 'Reading files needs the node password.', false);
      return;
    }
    try {
      var resp = await fetch('/fs/dirs', { cache: 'no-store', headers: n.authHeaders() });
      if (resp.status === 401) {
        refused(start, 'Reading files');
        return;
      }
      var d = await n.readJSON(resp);
      usage();
      dirs = Array.isArray(d) ? d.filter(function (x) { return Array.isArray(x) && typeof x[0] === 'string'; }) : [];
    } catch (e) {
      document.getElementById('load-err').textContent = 'Cannot read /fs/dirs: ' + e.message;
      return;
    }
    if (!dirs.length) {
      document.getElementById('load-err').textContent = 'The node offers no directories.';
      return;
    }
    dirSel.textContent = '';
    dirs.forEach(function (x) {
      dirSel.appendChild(el('option', { value: x[0], text: x[0] + (writable(x[0]) ? '' : ' (read-only)') }));
    });
    var want = '';
    try { want = decodeURIComponent(location.hash.slice(1)); } catch (e) { want = ''; }
    selectDir(writable(want) || dirs.some(function (x) { return x[0] === want; }) ? want : dirs[0][0]);
  }

  start();
})();
