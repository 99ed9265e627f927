/* index.js -- landing page: node info from GET /rest, its endpoints, and a
 * command console with history (kept in localStorage). */
(function () {
  'use strict';
  var n = window.nodus, el = n.el;
  var HIST_KEY = 'nodus.history', HIST_MAX = 100;

  async function loadInfo() {
    try {
      var r = await n.getJSON('/rest');
      var info = r.result || {};
      document.getElementById('node-name').textContent = info.node || 'Node';
      document.title = (info.node || 'nodus') + ' · nodus';
      document.getElementById('info-node').textContent = info.node || '?';
      document.getElementById('info-version').textContent = info.micrOS || '?';
      document.getElementById('info-auth').textContent = info.auth ? 'on' : 'off';
      var list = document.getElementById('ep-list');
      list.textContent = '';
      (info.usr_endpoints || []).forEach(function (ep) {
        list.appendChild(el('li', null, el('a', { href: '/' + ep, text: '/' + ep })));
      });
    } catch (e) {
      var p = document.getElementById('info-error');
      p.textContent = 'Cannot read /rest: ' + e.message;
      p.hidden = false;
    }
  }

  var out = document.getElementById('con-out');
  var input = document.getElementById('con-in');
  var history = [];
  try { history = JSON.parse(localStorage.getItem(HIST_KEY) || '[]'); } catch (e) { history = []; }
  var pos = history.length;

  function remember(cmd) {
    if (history[history.length - 1] !== cmd) history.push(cmd);
    if (history.length > HIST_MAX) history = history.slice(-HIST_MAX);
    try { localStorage.setItem(HIST_KEY, JSON.stringify(history)); } catch (e) { /* full or private */ }
    pos = history.length;
  }

  async function run(cmd) {
    var reply = el('pre', { class: 'reply', text: '…' });
    var entry = el('div', { class: 'entry' }, el('div', { class: 'cmd', text: '> ' + cmd }), reply);
    out.appendChild(entry);
    out.scrollTop = out.scrollHeight;
    try {
      n.showReply(reply, await n.rest(cmd));
    } catch (e) {
      n.showReply(reply, e);
    }
    out.scrollTop = out.scrollHeight;
  }

  document.getElementById('con-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var cmd = input.value.trim();
    if (!cmd) return;
    remember(cmd);
    input.value = '';
    run(cmd);
  });
  input.addEventListener('keydown', function (ev) {
    if (ev.key === 'ArrowUp' && pos > 0) {
      pos--;
      input.value = history[pos];
      ev.preventDefault();
    } else if (ev.key === 'ArrowDown' && pos < history.length) {
      pos++;
      input.value = pos < history.length ? history[pos] : '';
      ev.preventDefault();
    }
  });
  document.getElementById('con-clear').addEventListener('click', function () {
    out.textContent = '';
    input.focus();
  });

  loadInfo();
})();
