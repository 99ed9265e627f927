/* sim.js -- the /sim page: draws the simulated board from `sim state`
 * (polled over the REST bridge a few times a second) and drives its inputs
 * with `sim set <pin> <0|1>` while a button is held. */
(function () {
  'use strict';
  var N = window.nodus, el = N.el;
  var pinsBox = document.getElementById('pins');
  var stripBox = document.getElementById('strip');
  var conn = document.getElementById('conn');
  var errBox = document.getElementById('err');
  var lightIn = document.getElementById('light-in');
  var cards = {};
  var lightBusy = false;

  function press(pin, level) {
    N.rest('sim set ' + pin + ' ' + level).then(function (r) {
      errBox.textContent = r.state === false ? String(r.result) : '';
    }).catch(function (e) { errBox.textContent = e.message; });
  }

  function ledColor(p) {
    var on = p.mode === 'pwm' ? (p.duty || 0) / 1023 : p.level;
    var a = Math.max(0, Math.min(1, on));
    return a > 0 ? 'rgba(255, 200, 40, ' + (0.25 + 0.75 * a).toFixed(2) + ')' : '#333';
  }

  function card(p) {
    var c = cards[p.pin];
    if (c) return c;
    c = { root: el('div', { class: 'pin', 'data-pin': String(p.pin) }) };
    c.led = el('span', { class: 'led', 'aria-hidden': 'true' });
    c.title = el('h3', {}, c.led, p.name || ('GPIO ' + p.pin));
    c.num = el('div', { class: 'num', text: 'GPIO ' + p.pin + (p.device ? ' · ' + p.device : '') });
    c.state = el('div', { class: 'state' });
    c.root.append(c.title, c.num, c.state);
    if (p.device === 'servo') {
      c.arm = el('div', { class: 'arm' });
      c.root.append(el('div', { class: 'servo', 'aria-hidden': 'true' }, c.arm));
    }
    if (p.mode === 'pwm' || p.device === 'led' || p.device === 'servo' || p.device === 'buzzer') {
      c.bar = el('b');
      c.root.append(el('div', { class: 'bar', 'aria-hidden': 'true' }, c.bar));
    }
    if (p.device === 'button' || p.mode === 'in') {
      var b = el('button', { type: 'button', text: 'Press', 'aria-label': 'press ' + (p.name || p.pin) });
      var down = function (e) { e.preventDefault(); press(p.pin, 1); };
      var up = function () { press(p.pin, 0); };
      b.addEventListener('pointerdown', down);
      b.addEventListener('pointerup', up);
      b.addEventListener('keydown', function (e) { if (e.key === ' ' || e.key === 'Enter') down(e); });
      b.addEventListener('keyup', function (e) { if (e.key === ' ' || e.key === 'Enter') up(); });
      c.root.append(b);
    }
    cards[p.pin] = c;
    pinsBox.append(c.root);
    return c;
  }

  function draw(st) {
    (st.pins || []).forEach(function (p) {
      var c = card(p);
      c.led.style.background = ledColor(p);
      c.root.dataset.level = String(p.level);
      var s = p.mode + ' ' + p.level;
      if (p.mode === 'pwm') s = 'pwm ' + p.freq + ' Hz, duty ' + p.duty + '/1023';
      if (p.angle !== undefined && p.angle >= 0) s += ', ' + p.angle + '°';
      c.state.textContent = s;
      if (c.bar) c.bar.style.width = (p.mode === 'pwm' ? p.duty / 10.23 : p.level * 100) + '%';
      if (c.arm) c.arm.style.transform = 'rotate(' + ((p.angle >= 0 ? p.angle : 90) - 90) + 'deg)';
    });
    var px = (st.strip && st.strip.pixels) || [];
    while (stripBox.children.length > px.length) stripBox.lastChild.remove();
    while (stripBox.children.length < px.length) stripBox.append(el('i'));
    px.forEach(function (col, i) {
      var rgb = col.slice(0, 7);
      stripBox.children[i].style.background = rgb;
      stripBox.children[i].title = col;
    });
    document.getElementById('strip-info').textContent =
      px.length + ' pixels, ' + ((st.strip && st.strip.frames) || 0) + ' frames shown';
    var s = document.getElementById('sensors');
    s.replaceChildren();
    var add = function (k, v) { s.append(el('dt', { text: k }), el('dd', { text: v })); };
    var d = st.dht22 || {}, b = st.bme280 || {}, e = st.edges || {};
    add('DHT22', d.temp + ' °C, ' + d.hum + ' %RH' + (d.bad ? ' (' + d.bad + ' bad frames queued)' : ''));
    add('BME280', b.present ? b.temp + ' °C, ' + b.hpa + ' hPa, ' + b.hum + ' %RH' : 'absent (no ACK)');
    add('Light (ADC)', String(st.light));
    if (st.mic !== undefined) add('Microphone (ADC)', String(st.mic));
    add('Edges', e.queued + ' queued, ' + e.delivered + ' delivered, ' + e.dropped + ' dropped');
    if (!lightBusy && document.activeElement !== lightIn) lightIn.value = st.light;
    drawShelf(st);
  }

  /* The SSD1306's GDDRAM (`oled.fb`: 8 pages of 128 bytes, hex; bit 0 of a
   * byte is the top pixel of its page), as the panel shows it: lit pixels
   * blue-white, inverted when the panel is, dark when it is off. */
  var oledCanvas = document.getElementById('oled');
  var oledCtx = oledCanvas.getContext('2d');
  var oledImg = oledCtx.createImageData(128, 64);
  function drawOled(o) {
    var fb = o.fb || '', d = oledImg.data;
    for (var page = 0; page < 8; page++) {
      for (var x = 0; x < 128; x++) {
        var k = (page * 128 + x) * 2;
        var b = parseInt(fb.substr(k, 2), 16) || 0;
        for (var bit = 0; bit < 8; bit++) {
          var lit = ((b >> bit) & 1) === 1;
          if (o.inverse) lit = !lit;
          if (!o.on) lit = false;
          var i = ((page * 8 + bit) * 128 + x) * 4;
          d[i] = lit ? 170 : 0; d[i + 1] = lit ? 220 : 0; d[i + 2] = lit ? 255 : 0; d[i + 3] = 255;
        }
      }
    }
    oledCtx.putImageData(oledImg, 0, 0);
    document.getElementById('oled-info').textContent = !o.present ? 'OLED unplugged (sim oled present=True)'
      : 'OLED ' + (o.on ? 'on' : 'off') + ', contrast ' + o.contrast + ', ' + o.bytes + ' bytes received';
  }

  function drawShelf(st) {
    if (st.oled) drawOled(st.oled);
    var s = document.getElementById('shelf');
    s.replaceChildren();
    var add = function (k, v) { s.append(el('dt', { text: k }), el('dd', { text: v })); };
    (st.ds18 || []).forEach(function (d, i) {
      add('DS18B20 ' + i, d.present ? d.temp + ' °C (' + d.rom + ')' : 'absent');
    });
    var a = st.aht10 || {}, v = st.veml7700 || {}, r = st.ld2410 || {}, m = st.stepper || {}, h = st.haptic || {};
    add('AHT10', a.present ? a.temp + ' °C, ' + a.hum + ' %RH' : 'unplugged');
    add('VEML7700', v.present ? v.counts + ' counts' : 'unplugged');
    add('LD2410 radar', ['no target', 'moving', 'stationary', 'both'][r.state] + ', ' +
        r.detection_distance + ' cm, ' + r.frames + ' frames sent');
    add('Stepper', m.position + ' half steps, coils ' + m.coils);
    add('Haptic', h.buzzes + ' buzzes, duty ' + h.duty);
    add('DHT model', 'DHT' + st.dht_model);
  }

  lightIn.addEventListener('change', function () {
    lightBusy = true;
    N.rest('sim light ' + lightIn.value).finally(function () { lightBusy = false; });
  });

  async function tick() {
    try {
      var r = await N.rest('sim state');
      if (r.state === false) throw new Error(String(r.result));
      draw(r.result);
      conn.textContent = 'live';
      conn.className = 'conn up';
      errBox.textContent = '';
    } catch (e) {
      conn.textContent = 'live: ' + e.message;
      conn.className = 'conn down';
    }
    setTimeout(tick, 250);
  }
  tick();
})();
