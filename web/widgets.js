/* widgets.js -- dashboard widgets from micrOS widget JSON (docs/micros-compat.md §8.3).
 *
 * `<module> help True` answers one JSON string per tagged help line, e.g.
 *   {"type": "slider", "callback": "brightness br=:range:", "range": [0, 100, 5]}
 * The callback is "<function> <params>"; a widget fills the placeholders
 * (:range: with its values in order, :options: with the chosen option) and
 * runs "<module> <callback>" over REST. Every widget shows its last reply.
 *
 * nodus.widget(module, spec, hooks) returns {root, module, func, type,
 * showReply(reply), onTask(out), refresh(), stop()}; hooks.afterCall(widget)
 * is called after a user action (the dashboard refreshes status widgets).
 */
(function () {
  'use strict';
  var n = window.nodus, el = n.el;
  var uid = 0;
  var PALETTE = ['#1f6feb', '#e8590c', '#2f9e44', '#ae3ec9', '#f59f00', '#0c8599'];

  function parseCallback(cb) {
    var words = String(cb || '').trim().split(/\s+/).filter(Boolean);
    return { func: words[0] || '', params: words.slice(1) };
  }

  /* "<module> <function> <params>" with placeholders filled; a parameter
   * whose value is missing (or the option "None") is left out, so the
   * function's default applies. */
  function command(module, cb, ranges, option) {
    var p = parseCallback(cb), words = [module, p.func], ri = 0;
    p.params.forEach(function (param) {
      if (param.indexOf(':range:') >= 0) {
        var v = ranges ? ranges[ri++] : undefined;
        if (v !== undefined) words.push(param.replace(':range:', String(v)));
      } else if (param.indexOf(':options:') >= 0) {
        if (option !== undefined && option !== null && option !== 'None')
          words.push(param.replace(':options:', option));
      } else {
        words.push(param);
      }
    });
    return words.join(' ');
  }

  function rangeOf(spec) {
    var r = Array.isArray(spec.range) ? spec.range.map(Number) : [];
    var min = isFinite(r[0]) ? r[0] : 0, max = isFinite(r[1]) ? r[1] : 100;
    var step = isFinite(r[2]) && r[2] > 0 ? r[2] : 1;
    if (max < min) { var t = min; min = max; max = t; }
    return { min: min, max: max, step: step };
  }

  function debounce(fn, ms) {
    var t = null;
    var d = function () {
      var args = arguments;
      clearTimeout(t);
      t = setTimeout(function () { t = null; fn.apply(null, args); }, ms);
    };
    d.flush = function () {
      if (t !== null) { clearTimeout(t); t = null; fn(); }
    };
    return d;
  }

  /* Numbers in a result, by series name: 42 -> {value: 42},
   * {"CPU": 3.5, "x": "a"} -> {CPU: 3.5}, "21.5" -> {value: 21.5}. */
  function numbers(result) {
    if (typeof result === 'string') {
      try { result = JSON.parse(result); } catch (e) { /* plain text */ }
    }
    var out = {};
    if (typeof result === 'number' && isFinite(result)) out.value = result;
    else if (typeof result === 'boolean') out.value = result ? 1 : 0;
    else if (typeof result === 'string') {
      var f = parseFloat(result);
      if (isFinite(f)) out.value = f;
    } else if (result && typeof result === 'object' && !Array.isArray(result)) {
      Object.keys(result).forEach(function (k) {
        var v = typeof result[k] === 'string' ? parseFloat(result[k]) : result[k];
        if (typeof v === 'number' && isFinite(v)) out[k] = v;
      });
    }
    return out;
  }

  /* A small line chart: one polyline per series, auto-scaled. */
  function Chart(canvas, legend, limit) {
    this.canvas = canvas;
    this.legend = legend;
    this.limit = Math.max(2, limit || 30);
    this.points = [];
    this.keys = [];
  }
  Chart.prototype.push = function (vals) {
    var names = Object.keys(vals);
    if (!names.length) return;
    names.forEach(function (k) { if (this.keys.indexOf(k) < 0) this.keys.push(k); }, this);
    this.points.push(vals);
    if (this.points.length > this.limit) this.points.shift();
    this.draw();
  };
  Chart.prototype.draw = function () {
    var c = this.canvas, dpr = window.devicePixelRatio || 1;
    var w = Math.max(50, c.clientWidth), h = Math.max(40, c.clientHeight);
    c.width = Math.round(w * dpr);
    c.height = Math.round(h * dpr);
    var g = c.getContext('2d');
    if (!g) return;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, h);
    var lo = Infinity, hi = -Infinity;
    this.points.forEach(function (p) {
      Object.keys(p).forEach(function (k) { lo = Math.min(lo, p[k]); hi = Math.max(hi, p[k]); });
    });
    if (!isFinite(lo)) return;
    if (hi === lo) { hi += 1; lo -= 1; }
    /* points spread over the width until `limit` of them, then it scrolls */
    var pad = 14, n0 = Math.max(1, this.points.length - 1);
    var x = function (i) { return 4 + (w - 8) * i / n0; };
    var y = function (v) { return pad + (h - 2 * pad) * (1 - (v - lo) / (hi - lo)); };
    var muted = getComputedStyle(c).color || '#888';
    g.font = '10px system-ui, sans-serif';
    g.fillStyle = muted;
    g.fillText(String(+hi.toPrecision(4)), 4, 10);
    g.fillText(String(+lo.toPrecision(4)), 4, h - 3);
    this.keys.forEach(function (k, ki) {
      g.strokeStyle = PALETTE[ki % PALETTE.length];
      g.lineWidth = 2;
      g.beginPath();
      var moved = false;
      this.points.forEach(function (p, i) {
        if (!(k in p)) { moved = false; return; }
        if (moved) g.lineTo(x(i), y(p[k]));
        else g.moveTo(x(i), y(p[k]));
        moved = true;
      });
      g.stroke();
      var lastp = this.points[this.points.length - 1];
      if (k in lastp) { /* a dot on the newest value (and the only one at first) */
        g.fillStyle = g.strokeStyle;
        g.beginPath();
        g.arc(x(this.points.length - 1), y(lastp[k]), 3, 0, 2 * Math.PI);
        g.fill();
      }
    }, this);
    var last = this.points[this.points.length - 1] || {};
    this.legend.textContent = '';
    this.keys.forEach(function (k, ki) {
      this.legend.appendChild(el('span', null,
        el('i', { style: 'background:' + PALETTE[ki % PALETTE.length] }),
        k + (k in last ? ': ' + last[k] : '')));
    }, this);
  };

  function widget(module, spec, hooks) {
    hooks = hooks || {};
    var type = String(spec.type || 'unknown').toLowerCase();
    var p = parseCallback(spec.callback);
    var id = 'w' + (++uid);
    /* replies to the user's own actions are announced; periodic ones are not */
    var quiet = type === 'textbox' || type === 'status' || type === 'graph';
    var reply = el('pre', {
      class: 'reply', id: id + '-reply', 'aria-live': quiet ? 'off' : 'polite', 'aria-label': p.func + ' reply'
    });
    var body = el('div', { class: 'body' });
    var root = el('div', {
      class: 'widget', 'data-module': module, 'data-func': p.func, 'data-type': type,
      role: 'group', 'aria-labelledby': id + '-title'
    },
      el('div', { class: 'kind', text: type }),
      el('h3', { id: id + '-title', text: p.func || String(spec.callback || type) }),
      body, reply);
    var w = {
      root: root, module: module, func: p.func, type: type, spec: spec,
      timer: null, busy: false, lastCmd: null,
      showReply: function (r) { n.showReply(reply, r); },
      onTask: function (out) { n.showReply(reply, { result: out, state: true }); },
      refresh: function () { },
      stop: function () { if (w.timer) clearInterval(w.timer); w.timer = null; }
    };

    /* Run a command, show the reply; skipped while the previous one runs
     * (periodic refreshes must not pile up on a slow node). */
    async function call(cmd, user) {
      if (w.busy && !user) return null;
      w.busy = true;
      root.setAttribute('aria-busy', 'true');
      var r;
      try {
        r = await n.rest(cmd);
      } catch (e) {
        r = e;
      }
      w.busy = false;
      root.removeAttribute('aria-busy');
      w.lastCmd = cmd;
      w.showReply(r);
      if (user && hooks.afterCall) hooks.afterCall(w);
      return r;
    }
    w.call = call;

    function periodic(ms, fn) {
      ms = Math.max(500, Number(ms) || 10000);
      w.timer = setInterval(function () { if (!document.hidden) fn(); }, ms);
    }

    switch (type) {
      case 'button': {
        var opts = Array.isArray(spec.options) ? spec.options.map(String) : [];
        var real = opts.filter(function (o) { return o !== 'None'; });
        var select = null;
        if (real.length) {
          select = el('select', { id: id + '-opt', 'aria-label': p.func + ' option' });
          opts.forEach(function (o) { select.appendChild(el('option', { value: o, text: o })); });
          body.appendChild(select);
        }
        body.appendChild(el('button', {
          type: 'button', text: p.func || 'run',
          onclick: function () { call(command(module, spec.callback, null, select ? select.value : null), true); }
        }));
        break;
      }
      case 'slider': case 'white': case 'joystick': {
        var rg = rangeOf(spec), inputs = [];
        var names = p.params.filter(function (x) { return x.indexOf(':range:') >= 0; })
          .map(function (x) { return x.split('=')[0] || 'value'; });
        if (!names.length) names = ['value'];
        var mid = rg.min + Math.round((rg.max - rg.min) / 2 / rg.step) * rg.step;
        var send = debounce(function () {
          call(command(module, spec.callback, inputs.map(function (i) { return i.value; })), true);
        }, 250);
        names.forEach(function (name, i) {
          var out = el('output', { for: id + '-r' + i, text: String(mid) });
          var input = el('input', {
            type: 'range', id: id + '-r' + i, min: rg.min, max: rg.max, step: rg.step, value: mid,
            'data-param': name,
            oninput: function () { out.textContent = input.value; send(); },
            onchange: function () { out.textContent = input.value; send.flush(); }
          });
          inputs.push(input);
          body.appendChild(el('label', { for: id + '-r' + i }, name + ' ', out));
          body.appendChild(input);
        });
        break;
      }
      case 'color': {
        var cr = rangeOf(spec);
        var picker = el('input', { type: 'color', id: id + '-c', value: '#ffffff' });
        var sendColor = debounce(function () {
          var hex = picker.value.replace('#', '');
          var rgb = [0, 2, 4].map(function (i) {
            var c = parseInt(hex.substr(i, 2), 16) / 255;
            var v = cr.min + c * (cr.max - cr.min);
            return Math.round(Math.round(v / cr.step) * cr.step);
          });
          call(command(module, spec.callback, rgb), true);
        }, 250);
        picker.addEventListener('input', sendColor);
        picker.addEventListener('change', function () { sendColor(); sendColor.flush(); });
        body.appendChild(el('label', { for: id + '-c', class: 'sr-only', text: p.func + ' colour' }));
        body.appendChild(picker);
        break;
      }
      case 'textbox': case 'status': {
        var cmdT = command(module, spec.callback);
        w.refresh = function () { return call(cmdT, false); };
        body.appendChild(el('button', {
          type: 'button', class: 'secondary', text: 'Refresh', 'aria-label': 'Refresh ' + p.func,
          onclick: function () { call(cmdT, true); }
        }));
        periodic(type === 'status' ? 10000 : spec.refresh, w.refresh);
        w.refresh();
        break;
      }
      case 'graph': {
        var canvas = el('canvas', { role: 'img', 'aria-label': p.func + ' chart' });
        var legend = el('div', { class: 'legend' });
        var chart = new Chart(canvas, legend, Number(spec.limit) || 30);
        body.appendChild(canvas);
        body.appendChild(legend);
        var cmdG = command(module, spec.callback);
        w.chart = chart;
        w.showReply = function (r) {
          n.showReply(reply, r);
          if (r && !(r instanceof Error) && r.state !== false) chart.push(numbers(r.result));
        };
        w.onTask = function (out) { w.showReply({ result: out, state: true }); };
        w.refresh = function () { return call(cmdG, false); };
        body.appendChild(el('button', {
          type: 'button', class: 'secondary', text: 'Refresh', 'aria-label': 'Refresh ' + p.func,
          onclick: function () { call(cmdG, true); }
        }));
        periodic(spec.refresh || 3000, w.refresh);
        w.refresh();
        break;
      }
      case 'embed': {
        var src = String(spec.callback || '');
        if (spec.image && src.charAt(0) === '/')
          body.appendChild(el('img', { src: src, alt: spec.title || p.func, loading: 'lazy' }));
        else if (src.charAt(0) === '/')
          body.appendChild(el('a', { href: src, text: spec.title || src }));
        else
          body.appendChild(el('button', {
            type: 'button', text: p.func || 'run',
            onclick: function () { call(command(module, spec.callback), true); }
          }));
        break;
      }
      default:
        body.appendChild(el('button', {
          type: 'button', text: p.func || 'run',
          onclick: function () { call(command(module, spec.callback), true); }
        }));
    }
    return w;
  }

  n.widget = widget;
  n.widgetCommand = command;
  n.widgetNumbers = numbers;
})();
