// The cross-engine suite: the demo page and the widget in Chromium, Firefox and WebKit
// (Safari's engine), one test list for all three through driver.mjs. Chromium also runs the
// full suite in tests/browser/. ENGINES=webkit node --test tests/engines/ runs one engine.
//   node --test --test-concurrency=1 tests/engines/   (after scripts/build-web.sh)
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENGINES, openEngine } from './driver.mjs';
import { startEngineServer } from './server.mjs';
import { SELECTORS } from './selectors.mjs';
import { DIGIT_STROKES } from '../browser/digit-strokes.mjs';
import { WEB_ROOT } from '../browser/harness.mjs';

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../browser/fixtures/', import.meta.url));
const PAGE = 'index.html#preset=mlp-128-128&optimizer=adam&epochs=1&batch=32&lr=0.001&seed=1';
const chosen = (process.env.ENGINES ?? ENGINES.join(',')).split(',').filter(Boolean);
// Slow engines get long timeouts: WebKit trains about 4x slower than Chromium here.
const LONG = { timeout: 240_000 };

// ---- In the page (these functions are sent to the engine; each must stand alone) ----------

// Records the widget's public events on window.__events (of the frame, if one is named),
// once per page; times are the top page's performance.now().
const recordEvents = (frame = null) => {
  const win = frame ? document.querySelector(frame).contentWindow : window;
  if (win.__events) return true;
  win.__events = [];
  for (const type of ['ready', 'epochend', 'trainend', 'prediction', 'error', 'modelchange']) {
    win.document.addEventListener(type, (e) => win.__events.push({ type, at: performance.now(),
      detail: JSON.parse(JSON.stringify(e.detail ?? null, (k, v) => (ArrayBuffer.isView(v) ? undefined : v))) }));
  }
  return true;
};
// The test images [start, start + count) and the current model's digit for each, through
// the public predict() API.
const predictTestImages = async ({ start, count }) => {
  const trainer = window.digitrain.trainer;
  const { images } = await trainer.session.testImages({ start, count });
  const out = [];
  for (let i = 0; i < count; i++) out.push((await trainer.predict(images.subarray(i * 784, (i + 1) * 784))).probabilities);
  return out;
};

// ---- In Node ---------------------------------------------------------------------------

async function openPage(engine, url) {
  await engine.goto(url);
  await engine.waitFor(() => customElements.get('digit-trainer') !== undefined, null, { timeout: 60_000 });
  await engine.evaluate(recordEvents);
}

const waitForText = (engine, selector, pattern, timeout = 120_000) => engine.waitFor(([selector, source]) =>
  new RegExp(source).test(document.querySelector('digit-trainer')?.shadowRoot?.querySelector(selector)?.textContent ?? ''),
[selector, pattern.source], { timeout, message: `${selector} to match ${pattern}` });

// Strokes in pad coordinates (0..1) drawn on the pad through the protocol's pointer input;
// resolves to the widget's last 'prediction' event from the drawing.
async function drawDigit(engine, digit, { pointer = 'mouse', frame = null } = {}) {
  const box = await engine.evaluate(([padSelector, canvasSelector, frame]) => {
    const doc = frame ? document.querySelector(frame).contentDocument : document;
    const root = doc.querySelector('digit-trainer').shadowRoot;
    root.querySelector(padSelector).clear();
    const canvas = root.querySelector(canvasSelector);
    canvas.scrollIntoView({ block: 'center' });
    const r = canvas.getBoundingClientRect();
    const offset = frame ? document.querySelector(frame).getBoundingClientRect() : { left: 0, top: 0 };
    const win = frame ? document.querySelector(frame).contentWindow : window;
    win.__drawStart = performance.now();
    win.__scrollAtDraw = [win.scrollX, win.scrollY, window.scrollX, window.scrollY];
    // Which kind of pointer reached the pad: the protocol's touch must arrive as touch.
    win.__pointerTypes = new Set();
    canvas.addEventListener('pointerdown', (e) => win.__pointerTypes.add(e.pointerType), { once: true });
    return { x: r.left + offset.left, y: r.top + offset.top, width: r.width, height: r.height };
  }, [SELECTORS.pad, SELECTORS.padCanvas, frame]);
  const strokes = DIGIT_STROKES[digit].map((stroke) => stroke.map(([x, y]) => [box.x + x * box.width, box.y + y * box.height]));
  await engine.strokes(strokes, { pointer });
  // The pad predicts while drawing; the answer to the whole digit is the last one, once no
  // new one has come for 400 ms.
  return engine.waitFor((frame) => {
    const win = frame ? document.querySelector(frame).contentWindow : window;
    const mine = win.__events.filter((e) => e.type === 'prediction' && e.detail.source === 'drawing' && e.at > win.__drawStart);
    return mine.length && performance.now() - mine.at(-1).at > 400 ? { ...mine.at(-1).detail, pointerTypes: [...win.__pointerTypes] } : null;
  }, frame, { timeout: 30_000, message: `a prediction for the drawn ${digit}` });
}

async function recognisedDigits(engine, options) {
  const recognised = [];
  for (let digit = 0; digit <= 9; digit++) {
    const { digit: answer, probabilities, pointerTypes } = await drawDigit(engine, digit, options);
    assert.deepEqual(pointerTypes, [options.pointer], 'the pad saw the pointer the protocol sent');
    assert.ok(Math.abs(probabilities.reduce((a, b) => a + b) - 1) < 1e-4, 'probabilities sum to 1');
    if (answer === digit) recognised.push(digit);
  }
  return recognised;
}

// A copy of the CSP host fixture that loads the widget from `widgetOrigin`.
function cspHostRoot(widgetOrigin) {
  const root = mkdtempSync(join(tmpdir(), 'digitrain-engines-host-'));
  for (const name of readdirSync(FIXTURES)) {
    writeFileSync(join(root, name), readFileSync(join(FIXTURES, name), 'utf8').replaceAll('WIDGET_ORIGIN', widgetOrigin));
  }
  return root;
}

// Options that open each engine with touch where its protocol can give it.
const TOUCH = { chromium: true, firefox: true, webkit: false };

for (const name of chosen) {
  describe(`${name}`, { concurrency: false }, () => {
    let engine;
    let server;
    before(async () => {
      server = await startEngineServer({ root: WEB_ROOT });
      engine = await openEngine(name, { width: 1000, height: 800, touch: TOUCH[name] });
      console.log(`# ${engine.version}; console seen by the protocol: ${engine.consoleSeen}`);
    });
    after(async () => {
      await engine?.close();
      await server?.close();
    });

    test('a 404 shows its message and Retry works; the page then loads with no error', LONG, async () => {
      server.fail(/\/data\/t10k-labels-idx1-ubyte\.gz$/, 404);
      await openPage(engine, server.url + PAGE);
      await waitForText(engine, SELECTORS.dataStatus, /could not be loaded: .*t10k-labels-idx1-ubyte\.gz.*404/);
      assert.equal(await engine.evaluate((s) => !document.querySelector('digit-trainer').shadowRoot.querySelector(s).hidden, SELECTORS.dataRetry), true);
      await engine.errors(); // the failed download may be logged; what matters is what follows
      server.heal();
      await engine.evaluate((s) => document.querySelector('digit-trainer').shadowRoot.querySelector(s).click(), SELECTORS.dataRetry);
      await waitForText(engine, SELECTORS.dataStatus, /MNIST ready: 60,000 training and 10,000 test images/);
      assert.deepEqual(await engine.errors(), []);
    });

    test('a reload takes MNIST from the cache, with no error', LONG, async () => {
      const before = server.requests.length;
      await engine.reload();
      await engine.evaluate(recordEvents);
      await waitForText(engine, SELECTORS.dataStatus, /MNIST ready: .*from this browser's cache/);
      assert.deepEqual(server.requests.slice(before).filter((p) => p.endsWith('.gz')), []);
      assert.deepEqual(await engine.errors(), []);
    });

    test('one epoch of mlp-128-128 reaches test accuracy >= 0.95', LONG, async () => {
      const end = await engine.evaluate(() => window.digitrain.trainer.train());
      assert.equal(end.reason, 'done');
      assert.ok(end.test.accuracy >= 0.95, `test accuracy ${end.test.accuracy}`);
      const epochs = await engine.evaluate(() => window.__events.filter((e) => e.type === 'epochend').length);
      assert.equal(epochs, 1);
      console.log(`# ${name}: mlp-128-128 one epoch in ${end.seconds.toFixed(1)} s, test accuracy ${end.test.accuracy}`);
      assert.deepEqual(await engine.errors(), []);
    });

    test('drawn digits 0-9 are recognised (at least 8 of 10), with the mouse and with touch where the engine takes it', LONG, async () => {
      const mouse = await recognisedDigits(engine, { pointer: 'mouse' });
      assert.ok(mouse.length >= 8, `mouse: recognised ${mouse.join(',')}`);
      if (engine.touch) {
        const touch = await recognisedDigits(engine, { pointer: 'touch' });
        assert.ok(touch.length >= 8, `touch: recognised ${touch.join(',')}`);
      } else {
        console.log(`# ${name}: no touch through this protocol (WebKitGTK's WebDriver turns touch actions into mouse events)`);
      }
      assert.deepEqual(await engine.errors(), []);
    });

    test('save then load gives the same predictions', LONG, async () => {
      const before = await engine.evaluate(predictTestImages, { start: 100, count: 20 });
      const saved = await engine.evaluate(() => window.digitrain.trainer.saveModel());
      assert.equal(JSON.parse(saved).format, 'digitrain-model');
      // Another model in between (a new preset builds an untrained one).
      await engine.evaluate(() => new Promise((resolve) => {
        const trainer = window.digitrain.trainer;
        trainer.addEventListener('modelchange', resolve, { once: true });
        trainer.setAttribute('preset', 'mlp-256');
      }));
      assert.notDeepEqual(await engine.evaluate(predictTestImages, { start: 100, count: 20 }), before);
      await engine.evaluate((text) => window.digitrain.trainer.loadModel(text), saved);
      assert.deepEqual(await engine.evaluate(predictTestImages, { start: 100, count: 20 }), before);
      assert.deepEqual(await engine.errors(), []);
    });

    test('the CNN trains a partial epoch (stopped after 150 steps)', LONG, async () => {
      const end = await engine.evaluate(() => new Promise((resolve, reject) => {
        const trainer = window.digitrain.trainer;
        trainer.addEventListener('modelchange', () => {
          const onProgress = (e) => {
            if (e.detail.totalSteps < 150) return;
            trainer.session.removeEventListener('progress', onProgress);
            trainer.stop();
          };
          trainer.session.addEventListener('progress', onProgress);
          trainer.train().then(resolve, reject);
        }, { once: true });
        trainer.setAttribute('preset', 'cnn-16-8');
      }));
      assert.equal(end.reason, 'stopped');
      assert.ok(end.test.accuracy >= 0.8, `test accuracy after a partial epoch ${end.test.accuracy}`);
      console.log(`# ${name}: cnn-16-8 partial epoch: test accuracy ${end.test.accuracy} after ${end.seconds.toFixed(1)} s`);
      assert.deepEqual(await engine.errors(), []);
    });

    // Divergence is a lesson (#13): the run ends 'diverged' with what happened and what to try.
    test('a diverging run (SGD, learning rate 10) stops with its message', LONG, async () => {
      const end = await engine.evaluate(() => new Promise((resolve, reject) => {
        const trainer = window.digitrain.trainer;
        trainer.addEventListener('modelchange', () => trainer.train().then(resolve, reject), { once: true });
        trainer.setAttribute('optimizer', 'sgd');
        trainer.setAttribute('learning-rate', '10');
        trainer.setAttribute('preset', 'mlp-300-100');
      }));
      assert.equal(end.reason, 'diverged', `trainend ${JSON.stringify(end)}`);
      assert.match(end.error ?? '', /too high|NaN|chance/);
      const shown = await engine.evaluate(() => document.querySelector('digit-trainer').shadowRoot.textContent);
      assert.match(shown, /Training stopped: .*(too high|NaN|chance)/);
      assert.deepEqual(await engine.errors(), []);
    });

    test('the widget trains under a strict CSP from another origin', LONG, async () => {
      const widgetServer = await startEngineServer({ root: DIST });
      const widgetOrigin = new URL(widgetServer.url).origin;
      const csp = [`default-src 'none'`, `script-src 'self' 'wasm-unsafe-eval' ${widgetOrigin}`, `worker-src blob: ${widgetOrigin}`,
        `connect-src ${widgetOrigin}`, `style-src 'self' ${widgetOrigin}`, `img-src 'self' blob: data:`].join('; ');
      const hostServer = await startEngineServer({ root: cspHostRoot(widgetOrigin), headers: { 'Content-Security-Policy': csp } });
      try {
        await engine.goto(`${hostServer.url}csp-host.html`);
        await engine.waitFor(() => window.hostEvents?.some((e) => e.type === 'ready'), null, { timeout: 120_000 });
        const end = await engine.evaluate(() => document.getElementById('widget').train());
        assert.equal(end.reason, 'done');
        assert.ok(end.test.accuracy >= 0.95, `test accuracy ${end.test.accuracy}`);
        assert.deepEqual(await engine.evaluate(() => window.violations), [], 'no CSP violations');
        assert.deepEqual(await engine.errors(), []);
      } finally {
        await hostServer.close();
        await widgetServer.close();
      }
    });
    // Phones and tablets: the demo page in a frame of the device's size (the same way in
    // every engine: MiniBrowser's window cannot be made narrower than 447 px). Drawing must
    // not scroll the page, and nothing may scroll sideways. Touch where the protocol gives
    // it (Chromium, Firefox); in WebKit the pad's touch-action is what keeps a real finger
    // from scrolling, so that is checked too.
    for (const [width, height] of [[390, 844], [820, 1180]]) {
      test(`at ${width}×${height}: drawing works without scrolling the page, nothing scrolls sideways`, LONG, async () => {
        await engine.setViewport({ width: Math.max(width, 860), height: height + 20 });
        await engine.goto(`${server.url}__device.html?w=${width}&h=${height}&src=${encodeURIComponent(PAGE)}`);
        await engine.waitFor(() => document.getElementById('device').contentWindow.digitrain?.trainer?.session?.dataReady, null, { timeout: 120_000 });
        await engine.evaluate(recordEvents, '#device');
        const pointer = engine.touch ? 'touch' : 'mouse';
        const { digit, pointerTypes } = await drawDigit(engine, 7, { pointer, frame: '#device' });
        assert.deepEqual(pointerTypes, [pointer]);
        assert.ok(Number.isInteger(digit), 'the drawing was predicted');
        const after = await engine.evaluate(([canvasSelector]) => {
          const win = document.getElementById('device').contentWindow;
          const canvas = win.document.querySelector('digit-trainer').shadowRoot.querySelector(canvasSelector);
          const small = [...win.document.querySelector('digit-trainer').shadowRoot.querySelectorAll('button, select, input')]
            .filter((el) => el.offsetParent && el.getBoundingClientRect().height < 32)
            .map((el) => `${el.localName}#${el.id || el.className} ${el.getBoundingClientRect().height.toFixed(0)} px`);
          return { scrolled: [win.scrollX, win.scrollY, window.scrollX, window.scrollY], before: win.__scrollAtDraw,
            sideways: win.document.documentElement.scrollWidth - win.innerWidth, innerWidth: win.innerWidth,
            touchAction: getComputedStyle(canvas).touchAction, small };
        }, [SELECTORS.padCanvas]);
        assert.equal(after.innerWidth, width);
        assert.deepEqual(after.scrolled, after.before, `drawing with ${pointer} scrolled the page`);
        assert.ok(after.sideways <= 0, `the page is ${after.sideways} px wider than the ${width} px screen`);
        assert.equal(after.touchAction, 'none', 'the pad keeps a finger from scrolling the page');
        // Controls of at least 32 px are page-ui's work (issue #14); listed, not yet asserted.
        if (after.small.length) console.log(`# ${name} ${width}×${height}: controls under 32 px: ${after.small.join(', ')}`);
        assert.deepEqual(await engine.errors(), []);
      });
    }
  });

  // Feature detection: the page names what the browser lacks. Each engine turns off what it
  // allows: Chromium a V8 flag (legacy Wasm exceptions), Firefox a profile pref (all of
  // WebAssembly: 153 has no pref for SIMD or exceptions alone), WebKit a JSC option.
  describe(`${name}: a feature turned off`, () => {
    const OFF = {
      chromium: { options: { args: ['--js-flags=--no-wasm-legacy-eh'] }, missing: /lacks WebAssembly exceptions;/ },
      firefox: { options: { prefs: { 'javascript.options.wasm': false } }, missing: /lacks WebAssembly SIMD, WebAssembly exceptions;/ },
      webkit: { options: { env: { JSC_useWasmSIMD: '0' } }, missing: /lacks WebAssembly SIMD;/ },
    }[name];
    test(`the page names what is missing`, LONG, async () => {
      const server = await startEngineServer({ root: WEB_ROOT });
      const engine = await openEngine(name, OFF.options);
      try {
        await engine.goto(server.url + PAGE);
        const shown = await engine.waitFor((source) => {
          const text = document.querySelector('digit-trainer')?.shadowRoot?.textContent ?? '';
          return new RegExp(source).test(text) && text;
        }, OFF.missing.source, { timeout: 60_000 });
        assert.match(shown, /Digitrain could not start: this browser lacks/);
      } finally {
        await engine.close();
        await server.close();
      }
    });
  });
}
