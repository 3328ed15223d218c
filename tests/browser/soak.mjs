// Soak (not part of npm test: it takes minutes): T1 (mlp-300-100, 30 epochs) in the demo
// page with every panel in view, sampled after each epoch: the JS heap (after a forced
// garbage collection), the WASM heap, the DOM node count, the event listeners Chromium
// counts, and the listeners on the widget's long-lived non-DOM targets. After the first
// epoch each must stay flat (within 1 %) and the listener counts must not grow.
//   node tests/browser/soak.mjs [epochs]   (after scripts/build-web.sh)
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
    await cdp.send('HeapProfiler.collectGarbage');
    const { usedSize } = await cdp.send('Runtime.getHeapUsage');
    const { nodes, jsEventListeners } = await cdp.send('Memory.getDOMCounters');
    const { wasm, listeners } = await page.evaluate(() => ({ wasm: window.__heap, listeners: window.__listenerCount() }));
    samples.push({ epoch, seconds: (Date.now() - t0) / 1000, jsHeap: usedSize, wasmHeap: wasm, nodes, jsEventListeners, listeners });
    console.log(JSON.stringify(samples.at(-1)));
  }
  const end = await ended;
  console.log(`trainend: ${end.reason}, test accuracy ${end.test?.accuracy}`);
  const base = samples[0];
  const spread = (key) => {
    const values = samples.slice(1).map((s) => s[key]);
    const min = Math.min(...values);
    const max = Math.max(...values);
    return { min, max, first: base[key], growth: (max - base[key]) / base[key], range: (max - min) / base[key] };
  };
  for (const key of ['jsHeap', 'wasmHeap', 'nodes', 'jsEventListeners', 'listeners']) {
    const s = spread(key);
    // Growth is what a leak looks like; the range (a DOM that redraws a gallery, say) is shown.
    const ok = key === 'jsEventListeners' || key === 'listeners' ? s.max <= s.first : s.growth <= 0.01;
    if (!ok) failed = true;
    console.log(`${key}: after epoch 1 ${s.first}, then ${s.min}-${s.max} (growth ${(100 * s.growth).toFixed(2)} %, ` +
      `range ${(100 * s.range).toFixed(2)} % of the first) ${ok ? 'ok' : 'GROWS'}`);
  }
  if (errors.length) {
    failed = true;
    console.log('page errors:', errors);
  }
} finally {
  await close();
}
process.exit(failed ? 1 : 0);
