// The WebKit adapter (driver.mjs): WebKitGTK's MiniBrowser (Safari's engine) through
// WebKitWebDriver, a classic W3C WebDriver server, under its own Xvfb display. The client is
// the dozen WebDriver commands the suite needs, over fetch: no dependency.
// What classic WebDriver cannot do, and how the suite copes:
// - read the console or run a script before the page's own: server.mjs injects probe.js;
// - intercept requests: server.mjs injects faults and counts requests;
// - touch: WebKitGTK takes 'touch' pointer actions but delivers them as mouse events
//   (pointerType 'mouse', no touch events), so `touch` is false here.
// JSC options (JSC_useWasmSIMD=0, ...) reach the web process through the environment: the
// driver starts MiniBrowser, which starts its web process, each inheriting it.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';

export const WEBKIT_DRIVER = '/usr/bin/WebKitWebDriver';
export const MINIBROWSER = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

const freePort = () => new Promise((resolve, reject) => {
  const server = net.createServer();
  server.once('error', reject);
  server.listen(0, '127.0.0.1', () => { const { port } = server.address(); server.close(() => resolve(port)); });
});
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// options: width, height (the page's viewport; at least 447 px wide, MiniBrowser's toolbar
// keeps its window from getting narrower), env (e.g. {JSC_useWasmSIMD: '0'}), features
// (MiniBrowser --features, e.g. '-CompressionStream'), screen (Xvfb's size).
export async function open({ width = 1000, height = 800, env = {}, features = '', screen = '1400x1400' } = {}) {
  for (const file of [WEBKIT_DRIVER, MINIBROWSER, '/usr/bin/xvfb-run']) {
    if (!fs.existsSync(file)) throw new Error(`${file} is missing; apt-get install webkit2gtk-driver xvfb`);
  }
  const port = await freePort();
  // Its own process group: close() ends xvfb-run, Xvfb, the driver and the browser at once.
  const child = spawn('xvfb-run', ['-a', '-s', `-screen 0 ${screen}x24`, WEBKIT_DRIVER, `--port=${port}`],
    { detached: true, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-2000); });
  const kill = () => { try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ } };
  const base = `http://127.0.0.1:${port}`;
  let sessionId = null;
  let created;
  async function command(method, path, body) {
    const url = `${base}${sessionId && path !== '/session' ? `/session/${sessionId}` : ''}${path}`;
    const response = await fetch(url, { method, headers: { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body) });
    const { value } = await response.json();
    if (value?.error) throw new Error(`webkit: ${method} ${path}: ${value.error}: ${value.message}`);
    return value;
  }
  try {
    for (let i = 0; ; i++) {
      try { await command('GET', '/status'); break; } catch (e) {
        if (i > 150 || child.exitCode !== null) throw new Error(`WebKitWebDriver did not start: ${e.message}\n${stderr}`);
        await sleep(100);
      }
    }
    created = await command('POST', '/session', { capabilities: { alwaysMatch: {
      browserName: 'MiniBrowser',
      'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation', ...(features ? [`--features=${features}`] : [])] },
    } } });
    sessionId = created.sessionId;
    await command('POST', '/timeouts', { script: 900_000, pageLoad: 120_000 });
  } catch (e) {
    kill();
    throw e;
  }

  const evaluate = async (fn, arg = null) => {
    const script = `const done = arguments[arguments.length - 1];
      Promise.resolve().then(() => (${fn})(arguments[0]))
        .then((value) => done({ value: value === undefined ? null : value }), (e) => done({ thrown: String(e && e.stack || e) }));`;
    const result = await command('POST', '/execute/async', { script, args: [arg] });
    if (result?.thrown) throw new Error(`webkit: in the page: ${result.thrown}`);
    return result?.value;
  };

  const engine = {
    name: 'webkit',
    version: `WebKitGTK ${created.capabilities.browserVersion} (MiniBrowser)`,
    touch: false,
    consoleSeen: 'nothing: classic WebDriver has no console; the probe sees the page\'s errors, console.error ' +
      'and its workers\' uncaught errors, not a worker\'s console.error',
    protocolErrors: [],
    goto: (url) => command('POST', '/url', { url }).then(() => {}),
    // WebDriver's Refresh loses the automation session's (ephemeral) Cache Storage in
    // WebKitGTK 2.50, which Safari keeps; loading the page again from another page of its
    // origin keeps it, as a return visit does. (Straight to the same URL with a #hash would
    // be a same-document navigation, no reload at all.)
    reload: async () => {
      const url = new URL(await command('GET', '/url'));
      await command('POST', '/url', { url: `${url.origin}/__engine-probe.js` });
      await command('POST', '/url', { url: url.href });
    },
    evaluate,
    async strokes(strokes, { pointer = 'mouse' } = {}) {
      if (pointer === 'touch') throw new Error('webkit: WebKitGTK delivers WebDriver touch actions as mouse events');
      for (const stroke of strokes) {
        const move = ([x, y]) => ({ type: 'pointerMove', x: Math.round(x), y: Math.round(y), origin: 'viewport', duration: 0 });
        await command('POST', '/actions', { actions: [{ type: 'pointer', id: 'pen', parameters: { pointerType: 'mouse' },
          actions: [move(stroke[0]), { type: 'pointerDown', button: 0 }, ...stroke.slice(1).map(move), { type: 'pointerUp', button: 0 }] }] });
      }
      await command('DELETE', '/actions');
    },
    // The window is sized so that the page's viewport gets the size asked for.
    async setViewport({ width: w, height: h }) {
      await command('POST', '/window/rect', { width: w, height: h });
      const inner = await evaluate(() => [innerWidth, innerHeight]);
      await command('POST', '/window/rect', { width: w + (w - inner[0]), height: h + (h - inner[1]) });
      const got = await evaluate(() => [innerWidth, innerHeight]);
      if (got[0] !== w || got[1] !== h) throw new Error(`webkit: viewport ${got.join('×')}, asked for ${w}×${h} (MiniBrowser's window is at least 447 px wide)`);
    },
    async close() {
      try { await command('DELETE', ''); } catch { /* the browser may be gone already */ }
      kill();
    },
  };
  await engine.setViewport({ width, height });
  return engine;
}
