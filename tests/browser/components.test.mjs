// Browser tests of the page's components: <digit-pad>, the training charts, the MNIST
// loader (web/data.js) and the heat map. Debian's Chromium, driven by playwright-core,
// loads tests/browser/components.html from the repository root.
//   node --test tests/browser/components.test.mjs
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {fileURLToPath} from 'node:url';
import zlib from 'node:zlib';
import {chromium} from 'playwright-core';
import {startServer} from '../../scripts/serve.mjs';
import {CHROMIUM_ARGS, CHROMIUM_PATH, screenshot} from './harness.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// Small stand-ins for the four MNIST files: pseudo-random bytes (so gzip cannot shrink
// them to nothing and downloads arrive in several chunks), gzipped as build-web.sh does.
const FILES = {
  'train-images-idx3-ubyte.gz': 48_000,
  'train-labels-idx1-ubyte.gz': 3_000,
  't10k-images-idx3-ubyte.gz': 12_000,
  't10k-labels-idx1-ubyte.gz': 1_000,
};
const RAW = {};
const GZ = {};
let seed = 12345;
for (const [name, size] of Object.entries(FILES)) {
  const raw = Buffer.alloc(size);
  for (let i = 0; i < size; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    raw[i] = i % 3 === 0 ? 0 : seed >>> 24;   // some zeros, like MNIST's background
  }
  RAW[name] = raw;
  GZ[name] = zlib.gzipSync(raw, {level: 9});
}
const KEY_OF = {
  'train-images-idx3-ubyte.gz': 'trainImages',
  'train-labels-idx1-ubyte.gz': 'trainLabels',
  't10k-images-idx3-ubyte.gz': 'testImages',
  't10k-labels-idx1-ubyte.gz': 'testLabels',
};
const GZ_TOTAL = Object.values(GZ).reduce((n, b) => n + b.length, 0);

// Requests seen per scenario, counted on the server: the cache tests need "no request".
const requests = new Map();
const stalled = new Set();

// /__data/<scenario>/<file>: the test files, broken as the scenario says.
function serveData(req, res) {
  const match = /^\/__data\/([\w-]+)\/([\w.-]+)$/.exec(req.url.split('?')[0]);
  if (!match) return false;
  const [, scenario, file] = match;
  if (!requests.has(scenario)) requests.set(scenario, []);
  requests.get(scenario).push(file);
  let body = GZ[file];
  const headers = {'Content-Type': 'application/gzip', 'Cache-Control': 'no-store'};
  if (!body || (scenario === 'missing' && file === 't10k-labels-idx1-ubyte.gz')) {
    res.writeHead(404, {'Content-Type': 'text/plain'});
    res.end('not found\n');
    return true;
  }
  const big = file === 'train-images-idx3-ubyte.gz';
  if (scenario === 'truncated' && big) body = body.subarray(0, body.length >> 1);
  res.writeHead(200, {...headers, 'Content-Length': body.length});
  if ((scenario === 'drop' || scenario === 'stall') && big) {
    // Promise the whole file, send half, then hang up (drop) or go quiet (stall).
    res.write(body.subarray(0, body.length >> 1));
    if (scenario === 'drop') setTimeout(() => res.socket.destroy(), 50);
    else stalled.add(res);
    return true;
  }
  // In 4 KB pieces a few milliseconds apart, so progress is reported during a file.
  (async () => {
    for (let at = 0; at < body.length && !res.destroyed; at += 4096) {
      res.write(body.subarray(at, at + 4096));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    res.end();
  })();
  return true;
}

let server;
let browser;
let context;
let page;
const errors = [];

before(async () => {
  server = await startServer({root: REPO, port: 0});
  // Wraps serve.mjs' handler: the data scenarios first.
  const [staticHandler] = server.server.listeners('request');
  server.server.removeAllListeners('request');
  server.server.on('request', (req, res) => {
    if (!serveData(req, res)) staticHandler(req, res);
  });
  if (!fs.existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} is missing: apt-get install chromium`);
  browser = await chromium.launch({executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS});
  context = await browser.newContext({hasTouch: true, viewport: {width: 900, height: 1400}});
  page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console.error: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.stack ?? e.message}`));
  await page.goto(`${server.url}tests/browser/components.html`);
  await page.waitForFunction(() => window.componentsReady === true);
});

after(async () => {
  for (const res of stalled) res.destroy();
  await browser?.close();
  await server?.close();
});

// ---------------------------------------------------------------------------------------
describe('digit-pad', () => {
  const INK = 112;
  const events = () => page.evaluate(() => window.padEvents.map(({ink, ...rest}) => rest));
  const lastInk = () => page.evaluate(() => {
    const inks = window.padEvents.filter((e) => e.type === 'ink');
    return inks.length ? inks[inks.length - 1].ink : null;
  });
  const reset = () => page.evaluate(() => {
    document.getElementById('pad').clear();
    window.padEvents.length = 0;
  });
  // Ink at a point given as fractions of the pad (0..1).
  const at = (ink, fx, fy) => ink[Math.floor(fy * INK) * INK + Math.floor(fx * INK)];
  async function padBox() {
    const box = await page.locator('.digit-pad__canvas').boundingBox();
    return {...box, px: (fx) => box.x + fx * box.width, py: (fy) => box.y + fy * box.height};
  }

  test('renders a focusable, labelled canvas and a Clear button; touch-action is none', async () => {
    const info = await page.evaluate(() => {
      const canvas = document.querySelector('digit-pad .digit-pad__canvas');
      const style = getComputedStyle(canvas);
      return {
        tabIndex: canvas.tabIndex, label: canvas.getAttribute('aria-label'),
        touchAction: style.touchAction, cssWidth: canvas.clientWidth,
        backing: canvas.width, dpr: devicePixelRatio,
        button: document.querySelector('digit-pad button.digit-pad__clear')?.textContent,
        inBody: document.body.children.length,
      };
    });
    assert.equal(info.tabIndex, 0);
    assert.match(info.label, /draw a digit/i);
    assert.equal(info.touchAction, 'none');
    assert.equal(info.cssWidth, 280);
    assert.equal(info.backing, Math.round(280 * info.dpr));
    assert.equal(info.button, 'Clear');
  });

  test('a mouse stroke sends ink where the stroke went, at most once per frame while drawing', async () => {
    await reset();
    const box = await padBox();
    await page.evaluate(() => {
      window.frames = 0;
      window.counting = true;
      const tick = () => { window.frames++; if (window.counting) requestAnimationFrame(tick); };
      requestAnimationFrame(tick);
    });
    await page.mouse.move(box.px(0.2), box.py(0.5));
    await page.mouse.down();
    await page.mouse.move(box.px(0.8), box.py(0.5), {steps: 20});
    const beforeUp = (await events()).filter((e) => e.type === 'ink').length;
    await page.mouse.up();
    const frames = await page.evaluate(() => { window.counting = false; return window.frames; });
    // Drawing focuses the pad (Escape clears next) but shows no keyboard focus ring.
    const focus = await page.evaluate(() => [document.activeElement.className, document.activeElement.matches(':focus-visible')]);
    assert.deepEqual(focus, ['digit-pad__canvas', false]);
    const all = await events();
    const inks = all.filter((e) => e.type === 'ink');
    assert.ok(all.some((e) => e.type === 'pointerdown' && e.pointerType === 'mouse'));
    assert.ok(beforeUp >= 1, 'ink events while drawing');
    assert.ok(beforeUp <= frames + 1, `${beforeUp} ink events in ${frames} frames`);
    assert.equal(inks.length, beforeUp + 1, 'one more ink event when the stroke ends');
    const last = inks[inks.length - 1];
    assert.deepEqual([last.isFloat32, last.width, last.height], [true, INK, INK]);

    const ink = await lastInk();
    for (const fx of [0.25, 0.4, 0.5, 0.6, 0.75]) assert.ok(at(ink, fx, 0.5) > 0.9, `ink at x=${fx}`);
    for (const [fx, fy] of [[0.5, 0.1], [0.5, 0.9], [0.05, 0.5], [0.95, 0.5], [0.5, 0.4]]) {
      assert.equal(at(ink, fx, fy), 0, `no ink at ${fx},${fy}`);
    }
    // The stroke is about a twelfth of the pad wide: 112/12 ≈ 9 ink rows at its middle.
    let rows = 0;
    for (let y = 0; y < INK; y++) if (ink[y * INK + INK / 2] > 0.5) rows++;
    assert.ok(rows >= 7 && rows <= 12, `stroke ${rows} rows wide`);
  });

  test('a touch stroke (CDP touch events) draws too', async () => {
    await reset();
    const box = await padBox();
    const cdp = await context.newCDPSession(page);
    const touch = (type, fx, fy) => cdp.send('Input.dispatchTouchEvent', {
      type, touchPoints: type === 'touchEnd' ? [] : [{x: box.px(fx), y: box.py(fy), id: 1}],
    });
    await touch('touchStart', 0.5, 0.2);
    for (let i = 1; i <= 12; i++) await touch('touchMove', 0.5, 0.2 + (0.6 * i) / 12);
    await touch('touchEnd');
    await cdp.detach();
    await page.evaluate(() => window.nextFrames(2));
    const all = await events();
    assert.ok(all.some((e) => e.type === 'pointerdown' && e.pointerType === 'touch'), JSON.stringify(all.slice(0, 3)));
    assert.ok(all.filter((e) => e.type === 'ink').length >= 2);
    const ink = await lastInk();
    for (const fy of [0.25, 0.5, 0.75]) assert.ok(at(ink, 0.5, fy) > 0.9, `ink at y=${fy}`);
    assert.equal(at(ink, 0.3, 0.5), 0);
    assert.equal(at(ink, 0.5, 0.95), 0);
  });

  test('a pen stroke draws too', async () => {
    await reset();
    const box = await padBox();
    const cdp = await context.newCDPSession(page);
    const pen = (type, fx, fy) => cdp.send('Input.dispatchMouseEvent', {
      type, x: box.px(fx), y: box.py(fy), button: 'left', buttons: type === 'mouseReleased' ? 0 : 1,
      clickCount: 1, pointerType: 'pen', force: 0.5,
    });
    await pen('mousePressed', 0.2, 0.2);
    for (let i = 1; i <= 10; i++) await pen('mouseMoved', 0.2 + 0.06 * i, 0.2 + 0.06 * i);
    await pen('mouseReleased', 0.8, 0.8);
    await cdp.detach();
    const all = await events();
    assert.ok(all.some((e) => e.type === 'pointerdown' && e.pointerType === 'pen'));
    const ink = await lastInk();
    assert.ok(at(ink, 0.5, 0.5) > 0.9);
    assert.equal(at(ink, 0.8, 0.2), 0);
  });

  test('Clear empties the pad and sends clear', async () => {
    const box = await padBox();
    await page.mouse.move(box.px(0.3), box.py(0.3));
    await page.mouse.down();
    await page.mouse.move(box.px(0.6), box.py(0.6), {steps: 5});
    await page.mouse.up();
    await page.evaluate(() => { window.padEvents.length = 0; });
    await page.click('.digit-pad__clear');
    const all = (await events()).filter((e) => e.type !== 'pointerdown');
    assert.deepEqual(all.map((e) => e.type), ['clear']);
    const state = await page.evaluate(() => {
      const pad = document.getElementById('pad');
      return {empty: pad.empty, max: Math.max(...pad.readInk().ink)};
    });
    assert.deepEqual(state, {empty: true, max: 0});
  });

  test('keyboard: Shift+Tab from Clear focuses the pad with a visible focus ring; Escape and Delete clear it', async () => {
    for (const key of ['Escape', 'Delete']) {
      await page.evaluate(() => document.getElementById('pad').drawImage28(new Uint8Array(784).fill(200)));
      await page.evaluate(() => { document.querySelector('.digit-pad__clear').focus(); window.padEvents.length = 0; });
      await page.keyboard.press('Shift+Tab');
      const focus = await page.evaluate(() => {
        const el = document.activeElement;
        return {cls: el.className, visible: el.matches(':focus-visible'), outline: getComputedStyle(el).outlineStyle};
      });
      assert.deepEqual(focus, {cls: 'digit-pad__canvas', visible: true, outline: 'solid'});
      await page.keyboard.press(key);
      const all = await events();
      assert.deepEqual(all.map((e) => e.type), ['clear'], key);
      assert.equal(await page.evaluate(() => Math.max(...document.getElementById('pad').readInk().ink)), 0);
    }
  });

  test('drawImage28 paints an MNIST image over the pad and sends its ink', async () => {
    await reset();
    // A vertical bar in columns 13-14, rows 4-23: a "1".
    const ink = await page.evaluate(() => {
      const pixels = new Uint8Array(784);
      for (let y = 4; y < 24; y++) { pixels[y * 28 + 13] = 255; pixels[y * 28 + 14] = 255; }
      document.getElementById('pad').drawImage28(pixels);
      return window.padEvents.filter((e) => e.type === 'ink').at(-1).ink;
    });
    assert.ok(at(ink, 14 / 28, 0.5) > 0.9, 'the bar');
    assert.ok(at(ink, 14 / 28, 6 / 28) > 0.9, 'its top');
    assert.equal(at(ink, 5 / 28, 0.5), 0, 'left of it');
    assert.equal(at(ink, 14 / 28, 26 / 28), 0, 'below it');
    await assert.rejects(page.evaluate(() => document.getElementById('pad').drawImage28(new Uint8Array(10))),
      /expected 784 pixels, got 10/);
  });
});

// ---------------------------------------------------------------------------------------
describe('training charts', () => {
  // The test data: a loss that falls and an accuracy that rises with the step.
  const LOSS = (step) => 2 / (1 + (step - 1) / 500);
  const ACCURACY = (step) => 1 - 1 / (1 + (step - 1) / 500);
  // Feeds `steps` steps to window.testCharts (made afresh in #charts) in the worker's 100-step
  // messages, and `epochs` epochs of history.
  const feed = (p, steps, epochs = 3) => p.evaluate(async ([steps, epochs, loss, accuracy]) => {
    const LOSS = eval(loss), ACCURACY = eval(accuracy);
    window.testCharts?.destroy();
    const container = document.getElementById('charts');
    container.style.width = '';
    const charts = window.testCharts = window.components.charts.createTrainingCharts(container);
    for (let s = 1; s <= steps; s += 100) {
      charts.addBatchPoints(Array.from({length: Math.min(100, steps - s + 1)}, (_, i) => ({step: s + i, loss: LOSS(s + i), accuracy: ACCURACY(s + i)})));
    }
    for (let e = 1; e <= epochs; e++) {
      charts.addEpoch({epoch: e, step: Math.round((e * steps) / epochs), loss: 1.5 / e, accuracy: 0.9 + e / 100, val_loss: 1.6 / e, val_accuracy: 0.89 + e / 100});
    }
    await window.settle();
  }, [steps, epochs, String(LOSS), String(ACCURACY)]);
  // A chart's legend: {x: 'step 1234', values: {label: text}}, and its cursor line.
  const legend = (p, which = 'loss') => p.evaluate((which) => {
    const figure = window.testCharts[`${which}Chart`].figure;
    const cursor = figure.querySelector('.digit-chart__cursor');
    return {
      x: figure.querySelector('.digit-chart__x').textContent,
      values: Object.fromEntries([...figure.querySelectorAll('.digit-chart__item')].map((item) =>
        [item.querySelector('.digit-chart__label').textContent, item.querySelector('.digit-chart__value').textContent])),
      cursorLeft: cursor.hidden ? null : parseFloat(cursor.style.left),
    };
  }, which);
  const stepOf = (text) => Number(/^step (\d+)$/.exec(text)?.[1]);
  const close = (text, value) => Math.abs(Number(text) - value) <= 1e-3 * Math.abs(value) + 1e-9;

  test('take points, redraw at most 10 times a second, keep earlier runs, write CSV', async () => {
    const r = await page.evaluate(async () => {
      const {createTrainingCharts} = window.components.charts;
      window.testCharts?.destroy();
      const container = document.getElementById('charts');
      const charts = window.testCharts = createTrainingCharts(container);
      await window.settle();
      const out = {start: charts.redraws};
      // A T1 epoch and a half, in the worker's 100-step messages.
      for (let s = 0; s < 12_000; s += 100) {
        charts.addBatchPoints(Array.from({length: 100}, (_, i) => ({
          step: s + i + 1, loss: 2 / (1 + (s + i) / 500), accuracy: 1 - 1 / (1 + (s + i) / 500)})));
      }
      for (let e = 1; e <= 3; e++) {
        charts.addEpoch({epoch: e, loss: 1.5 / e, accuracy: 0.9 + e / 100, val_loss: 1.6 / e, val_accuracy: 0.89 + e / 100});
      }
      out.beforeFrame = charts.redraws;
      await window.settle();
      out.afterFrames = charts.redraws;
      out.counts1 = charts.pointCounts();

      charts.newRun('second, faster');
      charts.addBatchPoints([{step: 1, loss: 2.3, accuracy: 0.1}, {step: 2, loss: 2.1, accuracy: 0.2}]);
      charts.addEpoch({epoch: 1, loss: 0.5, accuracy: 0.85});
      charts.addEpoch({epoch: 2, loss: 0.3, accuracy: 0.91});
      await window.settle();
      out.counts2 = charts.pointCounts();
      out.csv = charts.toCsv();
      out.plots = container.querySelectorAll('figure.digit-chart canvas').length;
      out.legend = [...container.querySelectorAll('.digit-chart__label')].map((e) => e.textContent);
      out.series = [charts.lossChart.labels(), charts.accuracyChart.labels()];
      out.canvasWidth = container.querySelector('canvas').width;

      // Paused: points are kept, nothing is drawn; resume draws once.
      charts.pause();
      const paused = charts.redraws;
      charts.addEpoch({epoch: 3, loss: 0.2, accuracy: 0.93});
      await window.settle();
      out.pausedRedraws = charts.redraws - paused;
      charts.resume();
      await window.settle();
      out.resumedRedraws = charts.redraws - paused;

      // The charts follow their container's width, backing store included.
      container.style.width = '420px';
      await window.settle();
      const canvas = container.querySelector('canvas');
      out.narrowWidth = canvas.getBoundingClientRect().width;
      out.narrowBacking = canvas.width;
      return out;
    });
    assert.equal(r.afterFrames - r.beforeFrame, 1, 'many updates, one redraw');
    assert.equal(r.beforeFrame, r.start, 'no redraw inside the updates themselves');
    assert.ok(r.counts1.batch <= 5001 && r.counts1.batch >= 2500, `batch points kept: ${r.counts1.batch}`);
    assert.equal(r.counts1.epoch, 3);
    assert.deepEqual(r.counts2.runs.map((x) => [x.label, x.epoch]), [['run 1', 3], ['second, faster', 2]]);
    assert.equal(r.counts2.runs[1].batch, 2);
    assert.equal(r.counts2.epoch, 5);
    assert.equal(r.plots, 2);
    // The legends name the current run's lines only (their height stays put); the second run
    // has no validation, so no validation line; the first run stays drawn, faded.
    assert.deepEqual(r.legend, ['run 2 training', 'run 2 training']);
    assert.deepEqual(r.series[0], [{label: 'run 1 loss', faded: true, hidden: false}, {label: 'run 1 val_loss', faded: true, hidden: false},
      {label: 'second, faster loss', faded: false, hidden: false}]);
    assert.deepEqual(r.series[1].map((x) => x.label), ['run 1 accuracy', 'run 1 val_accuracy', 'second, faster accuracy']);
    assert.ok(r.canvasWidth > 300);
    const lines = r.csv.trim().split('\n');
    assert.equal(lines[0], 'run,epoch,loss,accuracy,val_loss,val_accuracy');
    assert.equal(lines.length, 6);
    assert.equal(lines[1], 'run 1,1,1.5,0.91,1.6,0.9');
    assert.equal(lines[5], '"second, faster",2,0.3,0.91,,');
    assert.equal(r.pausedRedraws, 0);
    assert.equal(r.resumedRedraws, 1);
    assert.ok(r.narrowWidth <= 420 && r.narrowWidth > 300, `width ${r.narrowWidth}`);
    assert.equal(r.narrowBacking, Math.round(r.narrowWidth));
  });

  test('a point every frame for a second costs at most ~10 redraws, and the newest point is always drawn', async () => {
    const r = await page.evaluate(async () => {
      window.testCharts?.destroy();
      const charts = window.testCharts = window.components.charts.createTrainingCharts(document.getElementById('charts'));
      await window.settle();
      const start = charts.redraws;
      const t0 = performance.now();
      let step = 0;
      while (performance.now() - t0 < 1000) {
        step += 1;
        charts.addBatchPoints([{step, loss: 1 / step, accuracy: 0.5}]);
        await window.nextFrames(1);
      }
      await window.settle();
      return {redraws: charts.redraws - start, step, label: charts.lossChart.figure.querySelector('.digit-chart__x').textContent};
    });
    assert.ok(r.redraws >= 5 && r.redraws <= 12, `${r.redraws} redraws for ${r.step} updates in 1 s`);
    assert.equal(r.label, `step ${r.step}`);
  });

  test('the series reach the canvas where their values say, at the device pixel ratio; earlier runs fade', async () => {
    const hiDpi = await browser.newContext({deviceScaleFactor: 2, viewport: {width: 900, height: 1000}});
    try {
      const p = await hiDpi.newPage();
      await p.goto(`${server.url}tests/browser/components.html`);
      await p.waitForFunction(() => window.componentsReady === true);
      await feed(p, 3000, 0);
      // Device pixels of a chart's canvas in a run's colour, drawn opaque (a faded run is
      // blended, so it does not match): per column, the mean row. Only the plot's columns.
      const scan = (which, hex) => p.evaluate(([which, hex]) => {
        const chart = window.testCharts[`${which}Chart`];
        const canvas = chart.figure.querySelector('canvas');
        const rgb = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
        const [from, to] = [1, 3000].map((step) => Math.round(chart.toPixel(step, 0.5).x * devicePixelRatio));
        const {data, width, height} = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
        const rows = [];
        for (let x = 0; x < width; x++) {
          if (x < from || x > to) { rows.push(null); continue; }
          let sum = 0, n = 0;
          for (let y = 0; y < height; y++) {
            const i = (y * width + x) * 4;
            if (data[i + 3] > 240 && rgb.every((c, k) => Math.abs(data[i + k] - c) <= 12)) sum += y, n++;
          }
          rows.push(n ? sum / n : null);
        }
        return {rows, width, height, cssWidth: canvas.clientWidth, cssHeight: canvas.clientHeight, dpr: devicePixelRatio};
      }, [which, hex]);
      const [first, second] = await p.evaluate(() => window.components.charts.RUN_COLOURS.slice(0, 2));
      for (const [which, value, scale] of [['loss', LOSS, 'loss'], ['accuracy', ACCURACY, 'acc']]) {
        const r = await scan(which, first);
        assert.equal(r.dpr, 2);
        assert.equal(r.width, Math.round(r.cssWidth * 2), 'backing store at the device pixel ratio');
        assert.equal(r.height, Math.round(r.cssHeight * 2));
        const cols = r.rows.map((y, x) => [x, y]).filter(([, y]) => y != null);
        assert.ok(cols.length > 0.6 * r.width, `${which}: ${cols.length} of ${r.width} columns drawn`);
        // Loss falls (its line goes down the canvas), accuracy rises.
        const [top, end] = [cols[0][1], cols[cols.length - 1][1]];
        assert.ok(which === 'loss' ? end - top > 0.3 * r.height : top - end > 0.5 * r.height, `${which}: rows ${top} -> ${end}`);
        // Where the chart says a value is, that series is drawn.
        for (const step of [10, 700, 1500, 2900]) {
          const pos = await p.evaluate(([which, step, v, scale]) => window.testCharts[`${which}Chart`].toPixel(step, v, scale), [which, step, value(step), scale]);
          const row = r.rows[Math.round(pos.x * 2)];
          assert.ok(row != null && Math.abs(row - pos.y * 2) <= 3, `${which} at step ${step}: drawn at row ${row}, expected ${pos.y * 2}`);
        }
      }
      // The loss scale is logarithmic: a decade takes the same height anywhere, and the
      // largest loss is inside the plot.
      const ys = await p.evaluate(() => [0.1, 1, 10, 2].map((v) => window.testCharts.lossChart.toPixel(1, v, 'loss').y));
      assert.ok(Math.abs((ys[0] - ys[1]) - (ys[1] - ys[2])) < 0.5 && ys[0] - ys[1] > 20, `log scale: y of 0.1, 1, 10 = ${ys.slice(0, 3)}`);
      assert.ok(ys[3] >= 0 && ys[3] < ys[1], `loss ${LOSS(1)} at y ${ys[3]}`);
      // Each run divided by its start: the first point sits at 1.
      await p.evaluate(async () => { window.testCharts.setLossView({normalise: true}); await window.settle(); });
      const normalised = await scan('loss', first);
      const y1 = await p.evaluate(() => window.testCharts.lossChart.toPixel(1, 1, 'loss'));
      const firstCol = normalised.rows.findIndex((y) => y != null);
      assert.ok(Math.abs(normalised.rows[firstCol] - y1.y * 2) <= 4, `normalised start at row ${normalised.rows[firstCol]}, 1 at ${y1.y * 2}`);
      await p.evaluate(async () => { window.testCharts.setLossView({normalise: false}); await window.settle(); });
      await screenshot(p, 'charts-dpr2');

      // A new run, in the next colour: the first one fades (its colour no longer matches
      // anywhere), the new one is opaque; a hidden run is not drawn at all.
      await p.evaluate(async () => {
        window.testCharts.newRun('two');
        window.testCharts.addBatchPoints([{step: 1, loss: 1.9, accuracy: 0.05}, {step: 2, loss: 1.8, accuracy: 0.1}]);
        await window.settle();
      });
      const faded = await scan('loss', first);
      assert.equal(faded.rows.filter((y) => y != null).length, 0, 'the first run faded');
      const fresh = await scan('loss', second);
      const opaque = fresh.rows.filter((y) => y != null).length;
      assert.ok(opaque > 0 && opaque < 0.1 * fresh.width, `opaque columns of the new run: ${opaque}`);
      await p.evaluate(async () => { window.testCharts.setRunVisible(1, false); await window.settle(); });
      assert.equal((await scan('loss', second)).rows.filter((y) => y != null).length, 0, 'a hidden run is not drawn');
    } finally {
      await hiDpi.close();
    }
  });

  test('pointer, touch and keys read out the values at a step in the legend; else the latest', async () => {
    await feed(page, 12_000, 3);
    const canvas = page.locator('#charts .digit-chart--loss canvas');
    const box = await canvas.boundingBox();
    const xOf = (step, which = 'loss') => page.evaluate(([step, which]) => window.testCharts[`${which}Chart`].toPixel(step, 0.5).x, [step, which]);
    // Decimation keeps about every 4th step: the readout shows a kept step near the pointer.
    const checkAt = async (target, l, how, which = 'loss', value = LOSS) => {
      const step = stepOf(l.x);
      assert.ok(Math.abs(step - target) <= 60, `${how}: legend at ${l.x}, pointer at step ${target}`);
      assert.ok(close(l.values['run 1 training'], value(step)), `${how}: ${which} ${l.values['run 1 training']} at step ${step}, data ${value(step)}`);
      assert.ok(Math.abs(l.cursorLeft - await xOf(step, which)) < 1, `${how}: cursor line at ${l.cursorLeft}`);
    };

    const latest = await legend(page);
    assert.equal(latest.x, 'step 12000');
    assert.ok(close(latest.values['run 1 training'], LOSS(12_000)) && close(latest.values['run 1 validation'], 1.6 / 3), JSON.stringify(latest));
    assert.ok(close((await legend(page, 'accuracy')).values['run 1 training'], ACCURACY(12_000)));
    assert.equal(latest.cursorLeft, null, 'no cursor line without a pointer');
    const label = await canvas.getAttribute('aria-label');
    assert.match(label, /step 12000/);
    assert.ok(label.includes(`run 1 loss ${latest.values['run 1 training']}`), label);
    assert.equal(await canvas.getAttribute('role'), 'img');

    await page.mouse.move(box.x + await xOf(6000), box.y + box.height / 2);
    await checkAt(6000, await legend(page), 'mouse');
    await page.mouse.move(box.x + await xOf(2500), box.y + 20);
    await checkAt(2500, await legend(page), 'mouse moved');
    await screenshot(page, 'charts-hover');
    await page.mouse.move(1, 1);
    assert.deepEqual(await legend(page), latest, 'the mouse gone, the latest values again');

    await page.touchscreen.tap(box.x + await xOf(9000), box.y + box.height / 2);
    await checkAt(9000, await legend(page), 'touch');
    // The accuracy chart reads out its own values.
    const accBox = await page.locator('#charts .digit-chart--accuracy canvas').boundingBox();
    await page.mouse.move(accBox.x + await xOf(3000, 'accuracy'), accBox.y + 20);
    await checkAt(3000, await legend(page, 'accuracy'), 'mouse on accuracy', 'accuracy', ACCURACY);
    await page.mouse.move(1, 1);

    // Keys: Escape back to the latest, arrows step through the kept points, Home to the first.
    await canvas.focus();
    await page.keyboard.press('Escape');
    assert.equal((await legend(page)).x, 'step 12000');
    await page.keyboard.press('ArrowLeft');
    const back = stepOf((await legend(page)).x);
    assert.ok(back < 12_000 && back > 11_900, `one point back: step ${back}`);
    await page.keyboard.press('Home');
    const first = await legend(page);
    await checkAt(1, first, 'Home');
    const status = await page.evaluate(() => window.testCharts.lossChart.figure.querySelector('[aria-live]').textContent);
    assert.ok(status.includes(`step 1:`) && status.includes(`run 1 loss ${first.values['run 1 training']}`), status);

    // At an epoch's end the validation dot is read out beside the training line.
    const ex = await xOf(8000);
    await page.mouse.move(box.x + ex, box.y + 30);
    const epoch = await legend(page);
    assert.equal(epoch.x, 'step 8000');
    assert.ok(close(epoch.values['run 1 validation'], 1.6 / 2) && close(epoch.values['run 1 training'], LOSS(8000)), JSON.stringify(epoch));
    await page.mouse.move(1, 1);
  });

  test('ticks step by 1, 2 or 5 times a power of ten, apart enough; epochs by whole numbers', async () => {
    const bad = await page.evaluate(() => {
      const {niceTicks} = window.components.lineChart;
      const out = [];
      let seed = 7;
      const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
      for (let k = 0; k < 500; k++) {
        const min = rand() < 0.5 ? 0 : (rand() - 0.5) * 10 ** Math.floor(rand() * 6 - 2);
        const max = min + 10 ** (rand() * 8 - 3);
        const px = 100 + rand() * 900, space = 30 + rand() * 50, integer = rand() < 0.3;
        const {ticks, step} = niceTicks(min, max, px, space, integer);
        const mantissa = step / 10 ** Math.floor(Math.log10(step) + 1e-9);
        const why = ![1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-6) ? 'not 1-2-5'
          : (step / (max - min)) * px < space * (1 - 1e-6) ? 'too close'
          : integer && step < 1 ? 'fractional epochs'
          : ticks.some((t) => t < min - 1e-9 * step || t > max + 1e-9 * step) ? 'outside the range'
          : ticks.some((t, i) => i && Math.abs(t - ticks[i - 1] - step) > 1e-6 * step) ? 'uneven'
          : (max - min >= 2 * step && ticks.length < 2) ? 'too few' : '';
        if (why) out.push({min, max, px, space, integer, step, ticks, why});
      }
      return out.slice(0, 3);
    });
    assert.deepEqual(bad, []);
  });
});

// ---------------------------------------------------------------------------------------
describe('data.js', () => {
  const dataUrl = (scenario) => `${server.url}__data/${scenario}/`;
  // Runs loadMnist in the page; returns the result (byte arrays as plain arrays) or the error.
  const load = (scenario, options = {}) => page.evaluate(async ({baseUrl, options}) => {
    const {loadMnist, DataError} = window.components.data;
    const progress = [];
    const controller = new AbortController();
    if (options.preAbort) controller.abort();
    try {
      const result = await loadMnist({
        baseUrl,
        signal: controller.signal,
        onProgress: (p) => {
          progress.push(p);
          if (options.abortOnProgress && p.file) controller.abort();
        },
      });
      const out = {ok: true, progress};
      for (const [key, value] of Object.entries(result)) {
        out[key] = value instanceof Uint8Array ? {uint8: true, bytes: Array.from(value)} : value;
      }
      return out;
    } catch (e) {
      return {ok: false, progress, name: e.name, message: e.message, retryable: e.retryable,
              isDataError: e instanceof DataError, isError: e instanceof Error};
    }
  }, {baseUrl: dataUrl(scenario), options});
  const countOf = (scenario) => (requests.get(scenario) ?? []).length;

  function assertData(r) {
    assert.equal(r.ok, true, r.message);
    for (const [file, key] of Object.entries(KEY_OF)) {
      assert.equal(r[key].uint8, true);
      assert.ok(Buffer.from(r[key].bytes).equals(RAW[file]), `${key} round-trips`);
    }
  }

  before(() => page.evaluate(() => caches.delete('digitrain-mnist-v1')));

  test('missingFeatures: nothing missing in Chromium; each feature is really tested', async () => {
    const r = await page.evaluate(() => {
      const {missingFeatures} = window.components.data;
      const all = missingFeatures();
      const saved = {D: window.DecompressionStream, W: window.Worker, validate: WebAssembly.validate};
      window.DecompressionStream = undefined;
      window.Worker = undefined;
      const noStreams = missingFeatures();
      window.DecompressionStream = saved.D;
      window.Worker = saved.W;
      // An engine that rejects SIMD or exception opcodes fails validation of those modules.
      WebAssembly.validate = (bytes) => !bytes.includes(0xfd) && saved.validate(bytes);
      const noSimd = missingFeatures();
      WebAssembly.validate = (bytes) => !Array.from(bytes).slice(8).includes(0x0d) && saved.validate(bytes);
      const noEh = missingFeatures();
      WebAssembly.validate = saved.validate;
      return {all, noStreams, noSimd, noEh};
    });
    assert.deepEqual(r.all, []);
    assert.deepEqual(r.noStreams, ['DecompressionStream', 'Worker']);
    assert.deepEqual(r.noSimd, ['WebAssembly SIMD']);
    assert.deepEqual(r.noEh, ['WebAssembly exceptions']);
  });

  test('downloads with progress up to the total; after a page reload it comes from the cache', async () => {
    const first = await load('ok');
    assertData(first);
    assert.equal(first.fromCache, false);
    assert.equal(first.bytesTransferred, GZ_TOTAL);
    assert.equal(first.cacheError, null);
    assert.equal(countOf('ok'), 4);
    const p = first.progress;
    // One event before the first byte, then at least one per chunk the browser hands over.
    assert.ok(p.length >= 6, `${p.length} progress events`);
    assert.equal(p[0].loaded, 0);
    assert.ok(p.filter((e) => e.file === 'train-images-idx3-ubyte.gz').length >= 2, 'progress during a file');
    assert.ok(p.every((e) => e.total === GZ_TOTAL));
    assert.ok(p.every((e, i) => i === 0 || e.loaded >= p[i - 1].loaded), 'loaded never goes back');
    assert.equal(p.at(-1).loaded, GZ_TOTAL);
    assert.ok(p.some((e) => e.file === 'train-images-idx3-ubyte.gz'));

    // A reload of the page: Cache Storage outlives it.
    await page.reload();
    await page.waitForFunction(() => window.componentsReady === true);
    const second = await load('ok');
    assertData(second);
    assert.equal(countOf('ok'), 4, 'no network request the second time');
    assert.equal(second.fromCache, true);
    assert.equal(second.bytesTransferred, 0);
    assert.equal(second.progress.at(-1).loaded, GZ_TOTAL);
    assert.equal(second.progress.at(-1).total, GZ_TOTAL);
  });

  test('a missing file is a DataError naming it, its URL and the status', async () => {
    const r = await load('missing');
    assert.equal(r.ok, false);
    assert.deepEqual([r.isDataError, r.isError, r.name, r.retryable], [true, true, 'DataError', false]);
    assert.equal(r.message, `t10k-labels-idx1-ubyte.gz not found at ${dataUrl('missing')}t10k-labels-idx1-ubyte.gz (HTTP 404 Not Found)`);
  });

  test('a truncated .gz is reported corrupt or truncated, and is not cached', async () => {
    const r = await load('truncated');
    assert.equal(r.ok, false);
    assert.equal(r.isDataError, true);
    assert.match(r.message, /^train-images-idx3-ubyte\.gz is corrupt or truncated: .+/);
    assert.equal(r.retryable, false);
    const cached = await page.evaluate((url) => caches.match(url).then((x) => Boolean(x)),
      `${dataUrl('truncated')}train-images-idx3-ubyte.gz`);
    assert.equal(cached, false);
  });

  test('a connection dropped mid-file says how far the download got', async () => {
    const r = await load('drop');
    const half = GZ['train-images-idx3-ubyte.gz'].length >> 1;
    const total = GZ['train-images-idx3-ubyte.gz'].length;
    assert.equal(r.ok, false);
    assert.equal(r.isDataError, true);
    assert.match(r.message, new RegExp(`^download of train-images-idx3-ubyte\\.gz stopped after ${half} of ${total} bytes`));
    assert.equal(r.retryable, true);
  });

  test('a corrupt cached entry is deleted and downloaded again', async () => {
    assertData(await load('recache'));
    assert.equal(countOf('recache'), 4);
    const url = `${dataUrl('recache')}train-labels-idx1-ubyte.gz`;
    await page.evaluate(async (url) => {
      const cache = await caches.open('digitrain-mnist-v1');
      const bad = new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3]);
      await cache.put(url, new Response(bad));
    }, url);
    const r = await load('recache');
    assertData(r);
    assert.deepEqual(requests.get('recache').slice(4), ['train-labels-idx1-ubyte.gz']);
    assert.equal(r.fromCache, false);
    assert.equal(r.bytesTransferred, GZ['train-labels-idx1-ubyte.gz'].length);
    const third = await load('recache');
    assertData(third);
    assert.equal(third.fromCache, true);
    assert.equal(countOf('recache'), 5);
  });

  test('a full disk (QuotaExceededError) still returns the data and reports cacheError', async () => {
    await page.evaluate(() => {
      window.savedPut = Cache.prototype.put;
      Cache.prototype.put = () => Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError'));
    });
    let r;
    try {
      r = await load('quota');
    } finally {
      await page.evaluate(() => { Cache.prototype.put = window.savedPut; });
    }
    assertData(r);
    assert.match(r.cacheError, /QuotaExceededError/);
  });

  test('an abort stops the downloads with an AbortError, not a DataError', async () => {
    const pre = await load('ok', {preAbort: true});
    assert.deepEqual([pre.ok, pre.name, pre.isDataError], [false, 'AbortError', false]);
    const mid = await load('stall', {abortOnProgress: true});
    assert.deepEqual([mid.ok, mid.name, mid.isDataError], [false, 'AbortError', false]);
  });
});

// ---------------------------------------------------------------------------------------
describe('heatmap', () => {
  test('renderDigit draws grey cells with annotations; renderProbabilities marks the argmax', async () => {
    const r = await page.evaluate(() => {
      const {renderDigit, renderProbabilities} = window.components.heatmap;
      const canvas = document.getElementById('heatmap');
      const pixels = new Uint8Array(784);
      pixels[0] = 255;            // top-left cell white
      pixels[29] = 128;           // (1,1) mid grey
      renderDigit(canvas, pixels, {annotate: true});
      const dpr = devicePixelRatio;
      const ctx = canvas.getContext('2d');
      // Cell corners, away from the numbers written in the middle.
      const px = (cx, cy) => Array.from(ctx.getImageData(Math.floor((cx * 22 + 2) * dpr), Math.floor((cy * 22 + 2) * dpr), 1, 1).data);
      // The middle of cell (0,0) holds "255" in black, so some dark pixels appear there.
      const centre = ctx.getImageData(0, 0, Math.floor(22 * dpr), Math.floor(22 * dpr)).data;
      let dark = 0;
      for (let i = 0; i < centre.length; i += 4) if (centre[i] < 100) dark++;
      const out = {
        width: canvas.width, cssWidth: canvas.style.width, dpr, role: canvas.getAttribute('role'),
        white: px(0, 0), grey: px(1, 1), black: px(5, 5), darkText: dark,
      };
      renderDigit(canvas, pixels);   // plain: 10 px cells
      out.plainWidth = canvas.style.width;

      const probsBox = document.getElementById('probs');
      const probs = new Float32Array([0.01, 0.02, 0.05, 0.80, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02]);
      out.top = renderProbabilities(probsBox, probs, {label: 3});
      const list = probsBox.querySelector('ol');
      out.rows = probsBox.querySelectorAll('li').length;
      out.topRows = [...probsBox.querySelectorAll('li.is-top')].map((li) => li.textContent);
      out.summary = probsBox.querySelector('.digit-probs__summary').textContent;
      out.fill = probsBox.querySelectorAll('.digit-probs__fill')[3].style.width;
      probs[3] = 0.1; probs[5] = 0.7;
      renderProbabilities(probsBox, probs, {label: 3});
      out.sameList = probsBox.querySelector('ol') === list;
      out.wrong = list.classList.contains('is-wrong');
      out.topRows2 = [...probsBox.querySelectorAll('li.is-top')].map((li) => li.textContent);
      out.summary2 = probsBox.querySelector('.digit-probs__summary').textContent;
      return out;
    });
    assert.equal(r.width, Math.round(28 * 22 * r.dpr));
    assert.equal(r.cssWidth, `${28 * 22}px`);
    assert.equal(r.role, 'img');
    assert.deepEqual(r.white, [255, 255, 255, 255]);
    assert.deepEqual(r.grey, [128, 128, 128, 255]);
    assert.deepEqual(r.black, [0, 0, 0, 255]);
    assert.ok(r.darkText > 5, 'the value is written on the white cell');
    assert.equal(r.plainWidth, '280px');
    assert.equal(r.top, 3);
    assert.equal(r.rows, 10);
    assert.deepEqual(r.topRows, ['380.0%']);
    assert.equal(r.summary, 'Predicted 3 (80.0%), actual 3');
    assert.equal(r.fill, '80%');
    assert.equal(r.sameList, true);
    assert.equal(r.wrong, true);
    assert.deepEqual(r.topRows2, ['570.0%']);
    assert.equal(r.summary2, 'Predicted 5 (70.0%), actual 3: wrong');
  });
});

test('no errors on the page', () => {
  // Failed requests the data tests provoke on purpose (404, dropped) are logged by Chromium
  // as "Failed to load resource"; anything else is a bug.
  const unexpected = errors.filter((e) => !/Failed to load resource|net::ERR_/.test(e));
  assert.deepEqual(unexpected, []);
});
