// Soak (not part of npm test: it takes minutes): T1 (mlp-300-100, 30 epochs) in the demo
// page with every panel in view, sampled after each epoch: the JS heap (after a forced
// garbage collection), the WASM heap, the DOM node count, the event listeners Chromium
// counts, and the listeners on the widget's long-lived non-DOM targets. None may grow: the
// last three epochs' floor stays within 1 % of the first three's.
//   node tests/browser/soak.mjs [epochs]   (after scripts/build-web.sh)
// What the JS heap gains over a run is not ours (2026-12-06, 12 epochs: +200 KB from epoch 3 to
// 12, found by diffing two heap snapshots): ~60 KB is code V8 optimises as the run goes on and
// ~120 KB the browser's performance-timeline entries (long animation frames, layout shifts,
// script timings), whose buffers are bounded; the widget's own objects did not grow.
import { openBrowser } from './harness.mjs';

const epochs = Number(process.argv[2] ?? 30);
const { page, url, errors, close } = await openBrowser();
let failed = false;
try {
  // Tall enough that every panel is in view, so every panel draws while training runs.
  await page.setViewportSize({ width: 1400, height: 6000 });
  await page.addInitScript(() => {
    const live = new Map();
    const add = EventTarget.prototype.addEventListener;
    const remove = EventTarget.prototype.removeEventListener;
    EventTarget.prototype.addEventListener = function (type, listener, options) {
      if (!(this instanceof Node) && this !== window && listener) {
        if (!live.has(this)) live.set(this, new Set());
        live.get(this).add(`${type}`);
        live.get(this)[type] = (live.get(this)[type] ?? new Set()).add(listener);
      }
      return add.call(this, type, listener, options);
    };
    EventTarget.prototype.removeEventListener = function (type, listener, options) {
      live.get(this)?.[type]?.delete(listener);
      return remove.call(this, type, listener, options);
    };
    window.__listenerCount = () => [...live.values()].reduce((n, set) => n + [...set].reduce((m, type) => m + (set[type]?.size ?? 0), 0), 0);
  });
  await page.goto(`${url}index.html#preset=mlp-300-100&optimizer=sgd&epochs=${epochs}&batch=32&lr=0.01&seed=1`);
  await page.waitForFunction(() => window.digitrain?.session?.dataReady && window.digitrain.session.model, null, { timeout: 120_000 });
  const cdp = await page.context().newCDPSession(page);
  const samples = [];
  await page.evaluate(() => {
    window.__epochs = 0;
    window.__heap = 0;
    const { session } = window.digitrain;
    session.addEventListener('epoch', () => { window.__epochs += 1; });
    session.addEventListener('progress', (e) => { window.__heap = e.detail.heapBytes; });
  });
  const t0 = Date.now();
  const ended = page.evaluate(() => window.digitrain.trainer.train());
  for (let epoch = 1; epoch <= epochs; epoch++) {
    await page.waitForFunction((n) => window.__epochs >= n, epoch, { timeout: 600_000, polling: 200 });
    // What is in flight at one instant (a progress message, a gallery being repainted, a
    // request's once-listener) moves a single reading by up to ±30 %: each figure is the
    // least of three readings 300 ms apart, each after a forced garbage collection.
    const readings = [];
    for (let k = 0; k < 3; k++) {
      if (k) await new Promise((resolve) => setTimeout(resolve, 300));
      await cdp.send('HeapProfiler.collectGarbage');
      const { usedSize } = await cdp.send('Runtime.getHeapUsage');
      const { nodes, jsEventListeners } = await cdp.send('Memory.getDOMCounters');
      const { wasm, listeners } = await page.evaluate(() => ({ wasm: window.__heap, listeners: window.__listenerCount() }));
      readings.push({ jsHeap: usedSize, wasmHeap: wasm, nodes, jsEventListeners, listeners });
    }
    const least = (key) => Math.min(...readings.map((r) => r[key]));
    samples.push({ epoch, seconds: (Date.now() - t0) / 1000, ...Object.fromEntries(
      ['jsHeap', 'wasmHeap', 'nodes', 'jsEventListeners', 'listeners'].map((key) => [key, least(key)])) });
    console.log(JSON.stringify(samples.at(-1)));
  }
  const end = await ended;
  console.log(`trainend: ${end.reason}, test accuracy ${end.test?.accuracy}`);
  // A leak grows from epoch to epoch: the last three epochs' floor is compared with the
  // floor of the first three (epoch 1 included), and must not be more than 1 % above it.
  const spread = (key) => {
    const values = samples.map((s) => s[key]);
    const min = Math.min(...values);
    const max = Math.max(...values);
    const first = Math.min(...values.slice(0, 3));
    const last = Math.min(...values.slice(-3));
    return { min, max, first, last, growth: (last - first) / first, range: (max - min) / first };
  };
  for (const key of ['jsHeap', 'wasmHeap', 'nodes', 'jsEventListeners', 'listeners']) {
    const s = spread(key);
    const ok = s.growth <= 0.01;
    if (!ok) failed = true;
    console.log(`${key}: first three epochs' floor ${s.first}, last three's ${s.last} (growth ${(100 * s.growth).toFixed(2)} %); ` +
      `all epochs ${s.min}-${s.max} (range ${(100 * s.range).toFixed(2)} %) ${ok ? 'ok' : 'GROWS'}`);
  }
  if (errors.length) {
    failed = true;
    console.log('page errors:', errors);
  }
} finally {
  await close();
}
process.exit(failed ? 1 : 0);
