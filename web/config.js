/* config.js -- the node's config as a form: GET /config, POST the changed
 * keys as JSON, POST /config/reboot. With auth on, the node answers 401
 * until the x-micros-auth header carries its password (asked once, kept in
 * sessionStorage for this tab). The form shows exactly the keys GET returns:
 * like micrOS, the node leaves out secrets and hwuid, guimeta, socport,
 * version, auth and soctout (set those in the shell's conf mode), so nothing
 * here may assume a key is present. */
(function () {
  'use strict';
  var n = window.nodus, el = n.el;
  var SECRET = /pwd|pass|secret|token/i;
  var original = {};
  var fields = document.getElementById('cfg-fields');
  var reply = document.getElementById('cfg-reply');
  var pending = null; /* what to retry after the password was given */

  function askPassword(retry, msg) {
    pending = retry;
    document.getElementById('auth').hidden = false;
    document.getElementById('auth-msg').textContent = msg || '';
    document.getElementById('auth-pwd').focus();
  }

  document.getElementById('auth-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    n.setPassword(document.getElementById('auth-pwd').value);
    document.getElementById('auth-pwd').value = '';
    document.getElementById('auth').hidden = true;
    if (pending) pending();
  });

  /* fetch with the password; a 401 asks for it and retries `again`. */
  async function authFetch(url, opts, again) {
    opts = opts || {};
    opts.headers = n.authHeaders(opts.headers);
    opts.cache = 'no-store';
    var resp = await fetch(url, opts);
    if (resp.status === 401) {
      var had = !!n.password();
      n.setPassword(null);
      askPassword(again, had ? 'Wrong password.' : '');
      return null;
    }
    return n.readJSON(resp);
  }

  function kindOf(v) {
    if (typeof v === 'boolean') return 'bool';
    if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
    if (typeof v === 'string') return 'str';
    return 'json';
  }

  function render(cfg) {
    original = cfg;
    fields.textContent = '';
    Object.keys(cfg).forEach(function (key) {
      var v = cfg[key], kind = kindOf(v), id = 'cfg-' + key, input;
      if (kind === 'bool') {
        input = el('input', { type: 'checkbox', id: id, name: key });
        input.checked = v;
      } else if (kind === 'int' || kind === 'float') {
        input = el('input', { type: 'number', id: id, name: key, step: kind === 'int' ? '1' : 'any', value: String(v) });
      } else {
        input = el('input', {
          type: SECRET.test(key) ? 'password' : 'text', id: id, name: key,
          value: kind === 'str' ? v : JSON.stringify(v), autocomplete: 'off', spellcheck: 'false'
        });
      }
      input.dataset.kind = kind;
      var item = el('div', { class: 'cfg-item ' + (kind === 'bool' ? 'bool' : ''), 'data-key': key });
      if (kind === 'bool') { item.appendChild(input); item.appendChild(el('label', { for: id, text: key })); }
      else { item.appendChild(el('label', { for: id, text: key })); item.appendChild(input); }
      input.addEventListener('input', function () { item.classList.toggle('changed', changed(input)); count(); });
      input.addEventListener('change', function () { item.classList.toggle('changed', changed(input)); count(); });
      fields.appendChild(item);
    });
    document.getElementById('cfg').hidden = false;
    filter();
    count();
  }

  function value(input) {
    var k = input.dataset.kind;
    if (k === 'bool') return input.checked;
    if (k === 'int' || k === 'float') return input.value === '' ? null : Number(input.value);
    if (k === 'json') { try { return JSON.parse(input.value); } catch (e) { return input.value; } }
    return input.value;
  }

  function changed(input) {
    return JSON.stringify(value(input)) !== JSON.stringify(original[input.name]);
  }

  function changes() {
    var out = {};
    fields.querySelectorAll('input').forEach(function (i) { if (changed(i)) out[i.name] = value(i); });
    return out;
  }

  function count() {
    var c = Object.keys(changes()).length;
    document.getElementById('cfg-count').textContent = c ? c + ' changed' : 'no changes';
    document.getElementById('cfg-save').disabled = !c;
  }

  function filter() {
    var q = document.getElementById('cfg-filter').value.trim().toLowerCase();
    fields.querySelectorAll('.cfg-item').forEach(function (it) {
      it.hidden = q && it.dataset.key.toLowerCase().indexOf(q) < 0;
    });
  }
  document.getElementById('cfg-filter').addEventListener('input', filter);

  async function load() {
    document.getElementById('load-err').textContent = '';
    try {
      var cfg = await authFetch('/config', {}, load);
      if (cfg) render(cfg);
    } catch (e) {
      document.getElementById('load-err').textContent = 'Cannot read /config: ' + e.message;
    }
  }

  async function save() {
    var body = changes();
    if (!Object.keys(body).length) return;
    reply.className = 'reply';
    reply.textContent = 'saving…';
    try {
      var r = await authFetch('/config', {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body)
      }, save);
      if (!r) { reply.textContent = ''; return; }
      var text = n.pretty(r.result);
      if (r.failed && r.failed.length) text += '\n' + r.failed.join('\n');
      reply.textContent = text;
      reply.className = 'reply ' + (r.state ? 'ok' : 'bad');
      if (r.state) await load();
    } catch (e) {
      n.showReply(reply, e);
    }
  }

  document.getElementById('cfg-form').addEventListener('submit', function (ev) { ev.preventDefault(); save(); });
  document.getElementById('cfg-reload').addEventListener('click', load);

  /* Reboot asks to confirm in the page (no blocking dialog). */
  var rb = document.getElementById('reboot'), rbCancel = document.getElementById('reboot-cancel');
  var armed = false;
  function disarm() { armed = false; rb.textContent = 'Reboot node'; rbCancel.hidden = true; }
  rbCancel.addEventListener('click', disarm);
  rb.addEventListener('click', async function reboot() {
    if (!armed) {
      armed = true;
      rb.textContent = 'Confirm reboot';
      rbCancel.hidden = false;
      return;
    }
    disarm();
    var out = document.getElementById('reboot-reply');
    try {
      var r = await authFetch('/config/reboot', { method: 'POST' }, function () { armed = true; reboot(); });
      if (r) n.showReply(out, r);
    } catch (e) {
      n.showReply(out, e);
    }
  });

  load();
})();
