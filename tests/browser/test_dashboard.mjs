#!/usr/bin/env node
// test_dashboard.mjs -- the web UI of a running node in a real browser
// (Debian's chromium driven by playwright-core; no browser download).
//
//   node tests/browser/test_dashboard.mjs http://127.0.0.1:8080 [--password PWD] [--only config]
//
// --password is the node's appwd (default ADmin123, micrOS's default): the
// config endpoints always want it (@sudo), so the config page asks for it;
// so does the file manager for $modules (and for everything with auth on).
//
// Checks, each one printed as "ok - ..." or "not ok - ...":
//   dashboard: loads, the live stream (SSE) connects, "load module" adds
//   robustness and system, a BUTTON reply appears, a SLIDER sends its value,
//   a started task shows up in the live panel and in its widget, the
//   TEXTBOX/GRAPH widgets fill; landing page: node info, the console runs
//   `system heartbeat`, quoting/escapes, errors in red, history; config page:
//   the 401 password prompt (a wrong password refused, the right one
//   accepted), devfid shown, secrets not shown, a change saved and read
//   back, a refused change shown in red, reboot asks to confirm, then
//   restarts the node while an open dashboard loses and regains its live
//   stream; file manager (/fs): reached from the nav, usage and the
//   directories shown, a file chosen in the file input is uploaded (its
//   name made safe), listed, served at /user_data/<name>, deleted after a
//   confirmation and gone; a bad name is refused in the page; $modules (and,
//   with auth on, everything) asks for the password, a wrong one refused.
// Exit status 0 only when every check passed; 1 on any failure, on a page
// script error, or when chromium is missing. Screenshots go to
// $ND_ARTIFACTS (default build/artifacts); ND_UPDATE_DOCS=1 also copies the
// dashboard screenshot to docs/dashboard.png.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARTIFACTS = process.env.ND_ARTIFACTS || path.join(ROOT, 'build', 'artifacts');
const TIMEOUT = 10000;

const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const base = (args.find((a) => /^https?:\/\//.test(a)) || '').replace(/\/$/, '');
const password = opt('--password') || 'ADmin123';
const only = opt('--only');
if (!base) {
  console.error('usage: node test_dashboard.mjs <http://host:port> [--password PWD] [--only dashboard|console|files|config|sim]');
  process.exit(2);
}
if (!fs.existsSync(CHROMIUM)) {
  console.error(`not ok - chromium not found at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM)`);
  process.exit(1);
}
let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch (e) {
  console.error(`not ok - playwright-core not installed (npm ci at the repo root): ${e.message}`);
  process.exit(1);
}

let failures = 0;
let passes = 0;
const pageErrors = [];

async function check(name, fn, page) {
  try {
    await fn();
    passes++;
    console.log(`ok - ${name}`);
  } catch (e) {
    failures++;
    console.log(`not ok - ${name}\n  ${String(e && e.message || e).split('\n').join('\n  ')}`);
    if (page) {
      const file = path.join(ARTIFACTS, `failure-${name.replace(/[^a-z0-9]+/gi, '_').slice(0, 60)}.png`);
      await page.screenshot({ path: file, fullPage: true }).catch(() => {});
      console.log(`  screenshot: ${file}`);
    }
  }
}

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

// Wait until fn() (run in the page) returns a truthy value; its last value in the error.
async function waitFor(page, what, fn, arg, timeout = TIMEOUT) {
  try {
    const h = await page.waitForFunction(fn, arg, { timeout, polling: 100 });
    return await h.jsonValue();
  } catch (e) {
    const last = await page.evaluate(fn, arg).catch((err) => `evaluate failed: ${err.message}`);
    throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
  }
}

const replyOf = (sel) => (s) => {
  const r = document.querySelector(s);
  return r ? r.textContent : null;
};

function watch(page) {
  page.on('pageerror', (e) => pageErrors.push(`${page.url()}: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource|EventSource/.test(m.text()))
      pageErrors.push(`${page.url()}: console: ${m.text()}`);
  });
  page.setDefaultTimeout(TIMEOUT);
}

// ---------------------------------------------------------------- sim board
async function simBoard(ctx) {
  const page = await ctx.newPage();
  watch(page);
  const rest = async (cmd) => (await (await fetch(`${base}/rest/${cmd.split(' ').join('/')}`)).json());
  await check('sim: /sim draws the board and its pins', async () => {
    const resp = await page.goto(`${base}/sim`);
    assert(resp && resp.ok(), `GET /sim: HTTP ${resp && resp.status()}`);
    await waitFor(page, 'pins drawn', () => document.querySelectorAll('.pin').length >= 20);
    await waitFor(page, 'live', () => document.querySelector('#conn.up') !== null);
  }, page);
  await check('sim: a sensor value changed over REST shows up live', async () => {
    const r = await rest('sim light 4000');
    assert(r.state !== false, JSON.stringify(r));
    await waitFor(page, 'light level shown', () => document.getElementById('sensors').textContent.includes('4000'));
  }, page);
  await check('sim: holding a button drives the input high, releasing drives it low', async () => {
    const btn = page.locator('.pin[data-pin="18"] button');
    await btn.dispatchEvent('pointerdown');
    await waitFor(page, 'pin 18 high', () => document.querySelector('.pin[data-pin="18"]').dataset.level === '1');
    await btn.dispatchEvent('pointerup');
    await waitFor(page, 'pin 18 low', () => document.querySelector('.pin[data-pin="18"]').dataset.level === '0');
    await page.screenshot({ path: path.join(ARTIFACTS, 'sim.png'), fullPage: true });
  }, page);
  await check('sim: the OLED frame buffer is drawn live', async () => {
    for (const cmd of ['sim oled present=True', 'oled load', 'oled rect 0 0 128 64 1 True', 'oled show']) {
      const r = await rest(cmd);
      assert(r.state !== false, `${cmd}: ${JSON.stringify(r)}`);
    }
    await waitFor(page, 'OLED pixels lit', () =>
      document.getElementById('oled').getContext('2d').getImageData(64, 32, 1, 1).data[2] === 255);
    await rest('oled clean');
    await rest('oled show');
    await waitFor(page, 'OLED pixels dark', () =>
      document.getElementById('oled').getContext('2d').getImageData(64, 32, 1, 1).data[2] === 0);
  }, page);
}

// ---------------------------------------------------------------- dashboard
async function dashboard(ctx) {
  const page = await ctx.newPage();
  watch(page);
  const W = (m, f) => `.widget[data-module="${m}"][data-func="${f}"]`;

  await check('dashboard: /dashboard loads and the live stream connects', async () => {
    const resp = await page.goto(`${base}/dashboard`);
    assert(resp && resp.ok(), `GET /dashboard: HTTP ${resp && resp.status()}`);
    assert((await page.title()).includes('Dashboard'), `title is ${await page.title()}`);
    await waitFor(page, 'SSE connected', () => document.querySelector('#conn.up') !== null);
  }, page);

  await check('dashboard: "load module" adds robustness and system with their widgets', async () => {
    for (const m of ['robustness', 'system']) {
      await page.fill('#load-in', m);
      await page.click('#load-form button[type=submit]');
      await page.waitForSelector(`section.module[data-module="${m}"] .widget`);
    }
    const types = await page.$$eval('section.module[data-module="robustness"] .widget',
      (ws) => ws.map((w) => `${w.dataset.type}:${w.dataset.func}`).sort());
    assert(JSON.stringify(types) ===
      JSON.stringify(['button:create_task', 'button:raise_error', 'slider:level']),
      `robustness widgets: ${JSON.stringify(types)}`);
    for (const f of ['heartbeat', 'clock', 'top', 'info'])
      assert(await page.$(W('system', f)), `no system ${f} widget`);
  }, page);

  await check('dashboard: a BUTTON shows its reply (system heartbeat)', async () => {
    await page.click(`${W('system', 'heartbeat')} button`);
    await waitFor(page, 'heartbeat reply', (s) => {
      const r = document.querySelector(s);
      return r && r.textContent === '<3 heartbeat <3' && r.classList.contains('ok');
    }, `${W('system', 'heartbeat')} .reply`);
  }, page);

  await check('dashboard: a failing BUTTON shows its error in red (raise_error)', async () => {
    await page.click(`${W('robustness', 'raise_error')} button`);
    await waitFor(page, 'raise_error reply', (s) => {
      const r = document.querySelector(s);
      return r && r.classList.contains('bad') && r.textContent.includes('Test exception');
    }, `${W('robustness', 'raise_error')} .reply`);
  }, page);

  await check('dashboard: a SLIDER sends the value it was moved to', async () => {
    const slider = `${W('robustness', 'level')} input[type=range]`;
    const reply = `${W('robustness', 'level')} .reply`;
    const attrs = await page.$eval(slider, (i) => [i.min, i.max, i.step].join('/'));
    assert(attrs === '0/100/5', `range attributes ${attrs}`);
    for (const v of ['40', '85']) {
      await page.fill(slider, v);
      await waitFor(page, `slider reply ${v}`, ([s, want]) => {
        const r = document.querySelector(s);
        if (!r) return false;
        try { return JSON.parse(r.textContent).level === want; } catch (e) { return false; }
      }, [reply, Number(v)]);
    }
    const shown = await page.$eval(`${W('robustness', 'level')} output`, (o) => o.textContent);
    assert(shown === '85', `slider shows ${shown}`);
  }, page);

  await check('dashboard: a COLOR widget sends its colour scaled to the range', async () => {
    // no built-in module has a COLOR function: build one on robustness level
    await page.evaluate(() => {
      const w = window.nodus.widget('robustness',
        { type: 'color', callback: 'level value=:range:', range: [0, 100, 5] });
      w.root.id = 'color-demo';
      document.querySelector('section.module[data-module="robustness"] .widgets').appendChild(w.root);
    });
    await page.fill('#color-demo input[type=color]', '#808080'); // 128/255 of 0..100, step 5
    await waitFor(page, 'colour reply', () => {
      const r = document.querySelector('#color-demo .reply');
      return r && r.textContent === '{"level": 50}';
    });
    await page.evaluate(() => document.getElementById('color-demo').remove());
  }, page);

  await check('dashboard: a started task appears live (SSE) in the panel and its widget', async () => {
    await page.click('#live-clear');
    await page.click(`${W('robustness', 'create_task')} button`);
    await waitFor(page, 'create_task reply', (s) => {
      const r = document.querySelector(s);
      return r && r.textContent.includes('robustness.counter');
    }, `${W('robustness', 'create_task')} .reply`);
    await waitFor(page, 'task output in the live panel', () =>
      [...document.querySelectorAll('#live li.ev-task')].some((li) =>
        li.textContent.includes('robustness.counter') && /step \d+\/10/.test(li.textContent)));
    await waitFor(page, 'task state in the live panel', () =>
      [...document.querySelectorAll('#live li.ev-state')].some((li) =>
        li.textContent.includes('robustness.counter')));
    // a task of a function with a widget updates that widget: system clock &
    await page.evaluate(() => window.nodus.rest('system clock &'));
    await waitFor(page, 'clock task in the live panel', () =>
      [...document.querySelectorAll('#live li.ev-task')].some((li) => li.textContent.includes('system.clock')));
  }, page);

  await check('dashboard: TEXTBOX and GRAPH widgets fill themselves', async () => {
    await waitFor(page, 'clock textbox', (s) => {
      const r = document.querySelector(s);
      return r && /\d{4}\.\d+\.\d+/.test(r.textContent);
    }, `${W('system', 'clock')} .reply`);
    await waitFor(page, 'top graph legend', (s) => {
      const l = document.querySelector(s);
      return l && l.textContent.includes('CPU load');
    }, `${W('system', 'top')} .legend`);
  }, page);

  await check('dashboard: screenshot saved', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    // for the README: let the GRAPH collect a few points (it refreshes every 5 s)
    await page.waitForTimeout(process.env.ND_UPDATE_DOCS === '1' ? 16000 : 600);
    const file = path.join(ARTIFACTS, 'dashboard.png');
    await page.screenshot({ path: file, fullPage: true });
    assert(fs.statSync(file).size > 10000, 'screenshot too small');
    if (process.env.ND_UPDATE_DOCS === '1') {
      fs.mkdirSync(path.join(ROOT, 'docs'), { recursive: true });
      fs.copyFileSync(file, path.join(ROOT, 'docs', 'dashboard.png'));
    }
  }, page);
  await page.close();
}

// ---------------------------------------------------------------- console
async function landing(ctx) {
  const page = await ctx.newPage();
  watch(page);
  const last = () => page.$$eval('#con-out .reply', (rs) => {
    const r = rs[rs.length - 1];
    return r ? { text: r.textContent, bad: r.classList.contains('bad'), n: rs.length } : null;
  });
  async function run(cmd) {
    const before = await page.$$eval('#con-out .reply', (rs) => rs.length);
    await page.fill('#con-in', cmd);
    await page.press('#con-in', 'Enter');
    await waitFor(page, `reply to ${cmd}`, (n) => {
      const rs = document.querySelectorAll('#con-out .reply');
      return rs.length > n && rs[rs.length - 1].textContent !== '…';
    }, before);
    return last();
  }

  await check('landing: node info and endpoints from GET /rest', async () => {
    const resp = await page.goto(`${base}/`);
    assert(resp && resp.ok(), `GET /: HTTP ${resp && resp.status()}`);
    await waitFor(page, 'node info', () => document.getElementById('info-version').textContent !== '…');
    const node = await page.textContent('#info-node');
    assert(node && node !== '?', `node name ${node}`);
    const eps = await page.$$eval('#ep-list a', (as) => as.map((a) => a.getAttribute('href')));
    assert(eps.includes('/dashboard'), `endpoints ${JSON.stringify(eps)}`);
  }, page);

  await check('landing: the console runs `system heartbeat`', async () => {
    const r = await run('system heartbeat');
    assert(r.text === '<3 heartbeat <3' && !r.bad, `reply ${JSON.stringify(r)}`);
  }, page);

  await check('landing: quotes and escapes reach the node intact', async () => {
    const r = await run("system pinmap keys='builtin irq1'");
    assert(!r.bad, `reply ${JSON.stringify(r)}`);
    const json = await run('system info >json');
    assert(!json.bad && JSON.parse(json.text).board, `reply ${JSON.stringify(json)}`);
  }, page);

  await check('landing: commands become REST paths with micrOS escapes', async () => {
    const cases = [
      ['system  info', '/rest/system/info'],
      ['notify "a b" x=\'c d\'', '/rest/notify/%22a%20b%22/x%3D%27c%20d%27'],
      ['m f #=>&/?%\\ -5', '/rest/m/f/%23%3D%3E%26%2F%3F%25%5C/-5'],
      ['system clock &', '/rest/system/clock/%26'],
    ];
    for (const [cmd, want] of cases) {
      const got = await page.evaluate((c) => window.nodus.restPath(c), cmd);
      assert(got === want, `${cmd}: ${got} (want ${want})`);
    }
  }, page);

  await check('landing: an error reply is red', async () => {
    const r = await run('nomod func');
    assert(r.bad && r.text.includes("No module named 'LM_nomod'"), `reply ${JSON.stringify(r)}`);
  }, page);

  await check('landing: history with the up/down keys', async () => {
    await page.click('#con-in');
    await page.press('#con-in', 'ArrowUp');
    assert(await page.inputValue('#con-in') === 'nomod func', 'ArrowUp: last command');
    await page.press('#con-in', 'ArrowUp');
    assert(await page.inputValue('#con-in') === 'system info >json', 'ArrowUp twice');
    await page.press('#con-in', 'ArrowDown');
    await page.press('#con-in', 'ArrowDown');
    assert(await page.inputValue('#con-in') === '', 'ArrowDown back to empty');
  }, page);
  await page.close();
}

// ---------------------------------------------------------------- files
async function files(ctx) {
  const page = await ctx.newPage();
  watch(page);
  const NAME = 'nodus_ui-test.txt';          // chosen as "nodus ui-test.txt": the space is not allowed
  const ROW = `#fs-list tr[data-path="/user_data/${NAME}"]`;
  const MOD = 'LM_nodus_ui_test.py';
  const MODROW = `#fs-list tr[data-path="$modules/${MOD}"]`;
  const content = `hello from the browser ${Date.now()}\n`;
  let authOn = false;

  // Give the password when the page asks; with `wrong`, a wrong one first.
  async function unlock(wrong) {
    await page.waitForSelector('#auth:not([hidden])');
    if (wrong) {
      await page.fill('#auth-pwd', 'Wrong0pwd');
      await page.click('#auth-form button[type=submit]');
      await waitFor(page, 'wrong password message', () =>
        !document.getElementById('auth').hidden &&
        document.getElementById('auth-msg').textContent.includes('Wrong'));
    }
    await page.fill('#auth-pwd', password);
    await page.click('#auth-form button[type=submit]');
  }

  async function deleteRow(sel) {
    await page.click(`${sel} button.del`);
    assert(await page.textContent(`${sel} button.del`) === 'Confirm delete', 'no confirmation step');
    assert(await page.$(sel), 'deleted before the confirmation');
    await page.click(`${sel} button.del`);
    await waitFor(page, 'row gone', (s) => document.querySelector(s) === null, sel);
    await waitFor(page, 'delete reply', () => {
      const m = document.getElementById('fs-msg');
      return m.classList.contains('ok') && m.textContent.includes('deleted');
    });
  }

  await check('files: /fs is reached from the nav and shows usage and the directories', async () => {
    const resp = await page.goto(`${base}/`);
    assert(resp && resp.ok(), `GET /: HTTP ${resp && resp.status()}`);
    await Promise.all([page.waitForURL(/\/fs(#.*)?$/), page.click('header nav a[href="/fs"]')]);
    assert((await page.title()).includes('Files'), `title is ${await page.title()}`);
    authOn = !!(await page.evaluate(() => window.nodus.getJSON('/rest'))).result.auth;
    if (authOn) await unlock(true); // auth on: reading wants the password too, asked once
    await waitFor(page, 'usage', () => /used, .* free/.test(document.getElementById('fs-usage').textContent));
    const dirs = await page.$$eval('#fs-dir option', (os) => os.map((o) => o.value));
    assert(JSON.stringify(dirs) === JSON.stringify(['/user_data', '$modules', '$data', '$logs']), `dirs ${JSON.stringify(dirs)}`);
    assert(await page.inputValue('#fs-dir') === '/user_data', 'first dir not selected');
    assert(await page.isDisabled('#up-btn'), 'upload enabled without a file');
    for (const p of ['/dashboard', '/config/ui']) { // the other pages link here too
      const html = await page.evaluate((u) => fetch(u).then((r) => r.text()), p);
      assert(html.includes('<a href="/fs">Files</a>'), `no Files link in ${p}`);
    }
  }, page);

  await check('files: a bad name is refused in the page', async () => {
    await page.setInputFiles('#up-file', { name: 'x.mpy', mimeType: 'application/octet-stream', buffer: Buffer.from('x') });
    assert(await page.inputValue('#up-name') === 'x.mpy', 'name not taken from the file');
    await waitFor(page, 'refusal', () => document.getElementById('up-note').classList.contains('bad') &&
      document.getElementById('up-note').textContent.includes('.mpy'));
    assert(await page.isDisabled('#up-btn'), 'upload enabled with a bad name');
    await page.fill('#up-name', 'a b.txt');
    await waitFor(page, 'refusal of a space', () => document.getElementById('up-note').textContent.includes('only letters'));
    assert(await page.isDisabled('#up-btn'), 'upload enabled with a space in the name');
  }, page);

  await check('files: a file chosen in the page is uploaded and listed', async () => {
    await page.setInputFiles('#up-file', { name: 'nodus ui-test.txt', mimeType: 'text/plain', buffer: Buffer.from(content) });
    assert(await page.inputValue('#up-name') === NAME, `name made safe: ${await page.inputValue('#up-name')}`);
    assert(!(await page.isDisabled('#up-btn')), 'upload disabled');
    await page.click('#up-btn');
    await page.waitForSelector(ROW);
    assert(await page.isHidden('#auth'), 'password prompt still shown');
    const msg = await page.textContent('#fs-msg');
    assert(msg.includes(`Uploaded user_data/${NAME}`), `message ${msg}`);
    const size = await page.getAttribute(`${ROW} td.num`, 'title');
    assert(size === `${Buffer.byteLength(content)} bytes`, `size ${size}`);
    const href = await page.getAttribute(`${ROW} a.download`, 'href');
    assert(href === `/user_data/${NAME}`, `download link ${href}`);
    const served = await page.evaluate((u) => fetch(u, { cache: 'no-store',
      headers: window.nodus.authHeaders() }).then((r) => r.text()), href);
    assert(served === content, `served ${JSON.stringify(served)}`);
    const listed = await page.evaluate(() => fetch('/fs/files', { cache: 'no-store',
      headers: window.nodus.authHeaders() }).then((r) => r.json()));
    assert(listed.some((f) => f.path === `/user_data/${NAME}`), `GET /fs/files ${JSON.stringify(listed)}`);
    assert(await page.inputValue('#up-name') === '', 'the form was not reset');
    await page.screenshot({ path: path.join(ARTIFACTS, 'files.png'), fullPage: true });
  }, page);

  await check('files: delete asks to confirm, then the file is gone', async () => {
    await page.click(`${ROW} button.del`);
    await page.click(`${ROW} button:has-text("Cancel")`);
    assert(await page.textContent(`${ROW} button.del`) === 'Delete', 'cancel did not disarm');
    await deleteRow(ROW);
    const listed = await page.evaluate(() => fetch('/fs/files', { cache: 'no-store',
      headers: window.nodus.authHeaders() }).then((r) => r.json()));
    assert(!listed.some((f) => f.path === `/user_data/${NAME}`), `still on the node: ${JSON.stringify(listed)}`);
    const st = await page.evaluate((u) => fetch(u, { cache: 'no-store',
      headers: window.nodus.authHeaders() }).then((r) => r.status), `/user_data/${NAME}`);
    assert(st === 404, `GET /user_data/${NAME} after delete: ${st}`);
  }, page);

  await check('files: $modules asks for the password, takes a module, lists and deletes it', async () => {
    await page.selectOption('#fs-dir', '$modules');
    await waitFor(page, '$modules selected', () => document.getElementById('files-h').textContent === '$modules');
    await page.setInputFiles('#up-file', { name: MOD, mimeType: 'text/x-python', buffer: Buffer.from('def hello():\n    return "hi"\n') });
    await page.click('#up-btn');
    if (!authOn) await unlock(false); // a module is code: the password even with auth off
    await page.waitForSelector(MODROW);
    assert(await page.$(`${MODROW} a`) === null, 'a link to a file the node does not serve');
    await deleteRow(MODROW);
    const listed = await page.evaluate(() =>
      fetch('/fs/list', { method: 'POST', body: '$modules', cache: 'no-store',
        headers: window.nodus.authHeaders() }).then((r) => r.json()));
    assert(!listed.some((f) => f.path === `$modules/${MOD}`), `still on the node: ${JSON.stringify(listed)}`);
  }, page);
  await page.close();
}

// ---------------------------------------------------------------- config
async function config(ctx) {
  const page = await ctx.newPage();
  watch(page);

  await check('config: the page asks for the password, then shows devfid', async () => {
    const resp = await page.goto(`${base}/config/ui`);
    assert(resp && resp.ok(), `GET /config/ui: HTTP ${resp && resp.status()}`);
    await page.waitForSelector('#auth:not([hidden])');
    await page.fill('#auth-pwd', 'Wrong0pwd');
    await page.click('#auth-form button');
    await waitFor(page, 'wrong password message', () =>
      document.getElementById('auth-msg').textContent.includes('Wrong'));
    assert(await page.$('#cfg:not([hidden])') === null, 'config shown with a wrong password');
    await page.fill('#auth-pwd', password);
    await page.click('#auth-form button');
    await page.waitForSelector('#cfg-devfid');
    assert(await page.isHidden('#auth'), 'password prompt still shown');
    const v = await page.inputValue('#cfg-devfid');
    assert(v.length > 0, 'devfid is empty');
    const secrets = await page.$$eval('input[name=appwd], input[name=stapwd]', (is) => is.map((i) => i.value));
    assert(!secrets.some((s) => s === password && s), 'a secret was shown');
  }, page);

  await check('config: a change is saved and read back', async () => {
    await page.fill('#cfg-devfid', 'browser01');
    await page.click('#cfg-save');
    await waitFor(page, 'save reply', () => document.getElementById('cfg-reply').textContent.includes('Config updated'));
    await page.reload(); // sessionStorage keeps the password for the tab: no prompt
    await page.waitForSelector('#cfg-devfid');
    assert(await page.isHidden('#auth'), 'asked for the password again');
    assert(await page.inputValue('#cfg-devfid') === 'browser01', 'devfid not saved');
  }, page);

  await check('config: a refused change is shown in red', async () => {
    await page.fill('#cfg-devfid', '');
    await page.click('#cfg-save');
    await waitFor(page, 'failure reply', () => {
      const r = document.getElementById('cfg-reply');
      return r.classList.contains('bad') && r.textContent.includes('devfid');
    });
  }, page);

  await check('config: reboot asks for confirmation in the page', async () => {
    await page.click('#reboot');
    assert(await page.textContent('#reboot') === 'Confirm reboot', 'no confirmation step');
    await page.click('#reboot-cancel');
    assert(await page.textContent('#reboot') === 'Reboot node', 'cancel did not disarm');
  }, page);

  await check('config: reboot restarts the node; the dashboard live stream reconnects', async () => {
    const dash = await ctx.newPage();
    watch(dash);
    await dash.goto(`${base}/dashboard`);
    const authed = !!(await dash.evaluate(() => window.nodus.getJSON('/rest'))).result.auth;
    if (authed) { // auth on: /events wants the password; a new tab asks for it
      await dash.waitForSelector('#live-auth:not([hidden])');
      await dash.fill('#live-pwd', password);
      await dash.click('#live-auth button');
    }
    await waitFor(dash, 'SSE connected', () => document.querySelector('#conn.up') !== null);
    const downs = await dash.evaluateHandle(() => {
      const seen = { down: false };
      new MutationObserver(() => {
        if (document.getElementById('conn').classList.contains('down')) seen.down = true;
      }).observe(document.getElementById('conn'), { attributes: true, childList: true });
      return seen;
    });
    await page.click('#reboot');
    await page.click('#reboot');
    await waitFor(page, 'reboot reply', () =>
      document.getElementById('reboot-reply').textContent.includes('reboot'));
    await waitFor(dash, 'live stream lost', (s) => s.down, downs, 15000);
    await waitFor(dash, 'live stream back', () => document.querySelector('#conn.up') !== null, undefined, 30000);
    // the node is back, with the devfid saved above
    const r = await dash.evaluate(() => window.nodus.getJSON('/rest'));
    assert(r.state && r.result.node === 'browser01', `GET /rest after reboot: ${JSON.stringify(r)}`);
    await dash.close();
  }, page);
  await page.close();
}

fs.mkdirSync(ARTIFACTS, { recursive: true });
let browser;
try {
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
} catch (e) {
  console.error(`not ok - chromium did not start: ${e.message}`);
  process.exit(1);
}
try {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  if (!only || only === 'dashboard') await dashboard(ctx);
  if (!only || only === 'console') await landing(ctx);
  if (!only || only === 'files') await files(ctx);
  if (!only || only === 'config') await config(ctx);
  if (!only || only === 'sim') await simBoard(ctx);
  await check('no script errors in the pages', async () => {
    assert(pageErrors.length === 0, pageErrors.join('\n'));
  });
} finally {
  await browser.close();
}
console.log(`# ${passes} passed, ${failures} failed`);
process.exit(failures ? 1 : 0);
