// The learner's page (issue 13) in headless Chromium against the served build (build/web)
// and real MNIST: what the first screen holds at four screen sizes, no sideways scrolling,
// controls a finger can hit, a pad that draws without scrolling the page, the network
// diagram against the module's own layer outputs, long tasks, layout shift and axe-core.
// Screenshots at 1366×768, 1920×1080, 820×1180 and 390×844 (idle, drawing, training, after
// training) go to build/artifacts/screenshots/learner-*.png.
//   node --test tests/browser/learner.test.mjs   (after scripts/build-web.sh)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser, screenshot, axeViolations } from './harness.mjs';
import { DIGIT_STROKES } from './digit-strokes.mjs';

const PAGE = 'index.html#preset=mlp-128-128&epochs=1';
let session;

before(async () => {
  session = await openBrowser();
});

after(async () => {
  await session.close();
});

// Long tasks and layout shifts from the first script on; $dt finds an element in the widget.
function instrument() {
  window.$dt = (selector) => document.querySelector('digit-trainer')?.shadowRoot?.querySelector(selector);
  window.__longTasks = [];
  window.__shifts = [];
  new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push([e.startTime, e.duration]); })
    .observe({ type: 'longtask', buffered: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shifts.push([e.startTime, e.value]);
  }).observe({ type: 'layout-shift', buffered: true });
}

async function openPage(width, height, path = PAGE) {
  const context = await session.browser.newContext({ viewport: { width, height }, hasTouch: width < 900 });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error' && !/favicon/.test(m.location().url)) errors.push(m.text()); });
  await page.addInitScript(instrument);
  await page.goto(session.url + path);
  return { page, errors, close: () => context.close() };
}

const whenReady = (page, id) => page.waitForFunction((id) => {
  const w = id ? document.getElementById(id) : document.querySelector('digit-trainer');
  return w?.session?.dataReady && w.session.model && !w.shadowRoot.getElementById('train').disabled;
}, id, { timeout: 120_000 });

const cls = (page) => page.evaluate(() => window.__shifts.reduce((sum, [, v]) => sum + v, 0));

// axe-core's serious and critical violations on the page (shadow roots included).

// Scrolls down the page and back, so every panel has been on screen and drawn.
async function scrollThrough(page) {
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  for (let y = 0; y < height; y += 500) {
    await page.evaluate((y) => window.scrollTo(0, y), y);
    await page.waitForTimeout(120);
  }
  await page.waitForTimeout(500);
  await page.evaluate(() => window.scrollTo(0, 0));
}

async function draw(page, digit) {
  const box = await page.locator('.digit-pad__canvas').boundingBox();
  for (const stroke of DIGIT_STROKES[digit]) {
    const [first, ...rest] = stroke.map(([x, y]) => [box.x + x * box.width, box.y + y * box.height]);
    await page.mouse.move(...first);
    await page.mouse.down();
    for (const point of rest) await page.mouse.move(...point, { steps: 2 });
    await page.mouse.up();
  }
  await page.waitForFunction(() => /Predicted \d/.test(window.$dt('.digit-probs__summary')?.textContent ?? ''));
}

// Every visible control's height, for the ones under 32 CSS px.
const smallControls = (page) => page.evaluate(() => {
  const all = [];
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.shadowRoot) walk(el.shadowRoot);
      if (!el.matches('button, input:not([type=file]), select, summary, .file-button')) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue; // hidden (a closed <details>, a hidden button)
      if (r.height < 31.5) all.push(`${el.localName}#${el.id || el.className} ${r.height.toFixed(1)} px`);
    }
  };
  walk(document);
  return all;
});

// Touch-drags on the pad with CDP touch events: the page must not scroll.
async function touchDraw(page) {
  const box = await page.locator('.digit-pad__canvas').boundingBox();
  const cdp = await page.context().newCDPSession(page);
  const before = await page.evaluate(() => [window.scrollX, window.scrollY]);
  const at = (x, y) => [{ x: box.x + x * box.width, y: box.y + y * box.height }];
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(0.5, 0.2) });
  for (let i = 1; i <= 12; i++) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at(0.5 - i * 0.02, 0.2 + i * 0.05) });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await page.waitForTimeout(300);
  const afterScroll = await page.evaluate(() => [window.scrollX, window.scrollY]);
  await cdp.detach();
  return { before, after: afterScroll };
}

const inView = (box, width, height) => box && box.x >= 0 && box.y >= 0 && box.x + box.width <= width + 0.5 && box.y + box.height <= height + 0.5;

for (const [width, height] of [[1366, 768], [1920, 1080], [820, 1180], [390, 844]]) {
  test(`${width}×${height}: the first screen, no sideways scrolling, controls of 32 px, a run, no layout shift, no axe violation`, async () => {
    const { page, errors, close } = await openPage(width, height);
    const name = `learner-${width}x${height}`;
    try {
      await whenReady(page);
      await page.waitForTimeout(300);
      if (width >= 1366) {
        // The model, Train/Pause/Step/Stop, both curves, the pad, its ten bars and the status.
        for (const selector of ['#preset', '#train', '#pause', '#step', '#stop', '.digit-chart--loss canvas', '.digit-chart--accuracy canvas',
          '.digit-pad__canvas', '.digit-probs', '#train-message', '#data-status']) {
          const box = await page.locator(selector).first().boundingBox();
          assert.ok(inView(box, width, height), `${selector} in the first screen: ${JSON.stringify(box)}`);
        }
      }
      const sideways = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(await sideways() <= 0, `idle: the page is ${await sideways()} px wider than the screen`);
      assert.deepEqual(await smallControls(page), [], 'controls at least 32 px tall');
      await screenshot(page, `${name}-idle`, { fullPage: false });
      assert.deepEqual(await axeViolations(page), [], 'axe-core, idle');

      if (width < 900) {
        await page.locator('.digit-pad__canvas').scrollIntoViewIfNeeded();
        const moved = await touchDraw(page);
        assert.deepEqual(moved.after, moved.before, 'drawing on the pad with a finger does not scroll the page');
        await page.waitForFunction(() => /Predicted \d/.test(window.$dt('.digit-probs__summary')?.textContent ?? ''));
        await page.locator('.digit-pad__clear').click();
      }
      await page.locator('.digit-pad__canvas').scrollIntoViewIfNeeded();
      await draw(page, 3);
      await screenshot(page, `${name}-drawing`, { fullPage: false });
      await page.evaluate(() => window.scrollTo(0, 0));

      await page.locator('#train').click();
      await page.waitForFunction(() => Number(window.$dt('#stat-step').textContent.split(' ')[0]) > 300, null, { timeout: 60_000 });
      await screenshot(page, `${name}-training`, { fullPage: false });
      await page.waitForFunction(() => /Training (finished|stopped)/.test(window.$dt('#train-message').textContent), null, { timeout: 180_000 });
      await scrollThrough(page);
      assert.ok(await sideways() <= 0, `after training: the page is ${await sideways()} px wider than the screen`);
      await screenshot(page, `${name}-trained`, { fullPage: false });
      await screenshot(page, `${name}-trained-full`);
      const shift = await cls(page);
      console.log(`# ${width}×${height}: cumulative layout shift ${shift.toFixed(4)}`);
      assert.ok(shift < 0.05, `cumulative layout shift ${shift.toFixed(4)}`);
      assert.deepEqual(await axeViolations(page), [], 'axe-core, after training');
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });
}

test('the example page (embed.html): no layout shift through load and a run, no axe violation', async () => {
  const { page, errors, close } = await openPage(1366, 768, 'embed.html');
  try {
    await whenReady(page, 'mlp');
    await whenReady(page, 'cnn');
    assert.deepEqual(await axeViolations(page), [], 'axe-core, idle');
    await page.evaluate(() => document.getElementById('mlp').train());
    await scrollThrough(page);
    const shift = await cls(page);
    console.log(`# embed.html: cumulative layout shift ${shift.toFixed(4)}`);
    assert.ok(shift < 0.05, `cumulative layout shift ${shift.toFixed(4)}`);
    assert.deepEqual(await axeViolations(page), [], 'axe-core, after training');
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test('the diagram: one block per layer with its shape for every preset; its activations are layerOutputs\' for the digit', async () => {
  const { page, errors, close } = await openPage(1366, 1400, 'index.html');
  try {
    await whenReady(page);
    await page.locator('.dt__panel--network').scrollIntoViewIfNeeded();
    // The tutorials' presets, the two convnets (pooling, dropout) with them; fashion-mlp-128
    // reads another dataset and is not checked here.
    const presets = ['keras-convnet', 'tfjs-convnet', 'cnn-16-8', 'mlp-128-128', 'mlp-256', 'mlp-300-100'];
    const offered = await page.evaluate(() => window.digitrain.session.presets);
    assert.deepEqual(presets.filter((p) => !offered.includes(p)), []);
    for (const preset of presets) {
      await page.evaluate((preset) => new Promise((resolve) => {
        const trainer = window.digitrain.trainer;
        if (trainer.session.model?.name === preset) return resolve();
        trainer.addEventListener('modelchange', resolve, { once: true });
        trainer.setAttribute('preset', preset);
      }), preset);
      // A test digit on the pad; the diagram must show that digit's outputs.
      const input = await page.evaluate(async () => {
        const { trainer, session } = window.digitrain;
        const { images } = await session.testImages({ start: 8, count: 1 });
        const predicted = new Promise((resolve) => trainer.addEventListener('prediction', (e) => resolve(Array.from(e.detail.input)), { once: true }));
        trainer.panels.get('drawing').showImage(images);
        return predicted;
      });
      await page.waitForFunction(([input, name]) => {
        const shown = window.digitrain.trainer.panels.get('network').shown;
        return window.digitrain.session.model.name === name && shown && shown.input.length === 784 && shown.input.every((v, i) => v === input[i]);
      }, [input, preset], { timeout: 30_000 });
      const r = await page.evaluate(async (input) => {
        const { trainer, session } = window.digitrain;
        const network = trainer.panels.get('network');
        const reference = await session.layerOutputs(Uint8Array.from(input));
        const shown = network.shown;
        const mismatches = [];
        reference.forEach((layer, i) => {
          const got = shown.layers[i];
          if (got.name !== layer.name || got.values.length !== layer.values.length || got.values.some((v, k) => v !== layer.values[k])) mismatches.push(layer.name);
        });
        // The painted cells follow the values: each Dense block's strongest unit is drawn in
        // the scale's darkest colour; the output block names the argmax.
        const root = trainer.shadowRoot;
        const blocks = [...root.querySelectorAll('.dt__block')];
        const painted = [];
        reference.forEach((layer, i) => {
          const canvas = blocks[i + 1].querySelector('canvas');
          if (!canvas || layer.shape.length !== 1) return;
          let best = 0;
          for (let k = 1; k < layer.values.length; k++) if (layer.values[k] > layer.values[best]) best = k;
          if (layer.values.length === 10 && i === reference.length - 1) {
            painted.push([layer.name, new RegExp(`^Output: ${best} at`).test(canvas.getAttribute('aria-label'))]);
            return;
          }
          const step = 8; // CELL + gap, network.js
          const x = (best % 16) * step + 3, y = Math.floor(best / 16) * step + 3;
          const [red, green, blue] = canvas.getContext('2d').getImageData(x, y, 1, 1).data;
          painted.push([layer.name, red === 25 && green === 75 && blue === 175]);
        });
        return {
          layers: session.model.layers.map((l) => ({ name: l.name, shape: l.outputShape.join('×') })),
          blocks: blocks.map((b) => ({ name: b.dataset.layer, text: b.textContent })),
          mismatches, painted,
        };
      }, input);
      assert.equal(r.blocks.length, r.layers.length + 1, `${preset}: the input and one block per layer`);
      assert.match(r.blocks[0].text, /28×28/);
      r.layers.forEach((layer, i) => {
        assert.equal(r.blocks[i + 1].name, layer.name);
        assert.ok(r.blocks[i + 1].text.includes(layer.shape), `${preset}: block ${layer.name} shows ${layer.shape}: ${r.blocks[i + 1].text}`);
      });
      assert.deepEqual(r.mismatches, [], `${preset}: the blocks show layerOutputs' values`);
      assert.ok(r.painted.length > 0 && r.painted.every(([, ok]) => ok), `${preset}: painted as the values say: ${JSON.stringify(r.painted)}`);
    }
    // Pointing at a first-layer unit shows its incoming weights (mlp-300-100 is the last preset).
    const pick = await page.locator('.dt__net-pick').boundingBox();
    await page.mouse.move(pick.x + 5 * 8 + 3, pick.y + 3);
    await page.waitForFunction(() => /^Unit 5 of /.test(window.$dt('.dt__unit-text').textContent));
    await screenshot(page, 'learner-diagram', { fullPage: false });
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test('cnn-16-8 trains with every panel on screen: no main-thread task of 200 ms or more', { timeout: 300_000 }, async () => {
  // A screen tall enough for the whole page: every panel is on screen and repaints.
  const { page, errors, close } = await openPage(1366, 4600, 'index.html#preset=cnn-16-8&epochs=1');
  try {
    await whenReady(page);
    await page.waitForTimeout(1500);
    // Twelve seconds of training (the whole epoch, on a quiet machine), then Stop.
    const start = await page.evaluate(() => performance.now());
    const end = await page.evaluate(async () => {
      const { trainer } = window.digitrain;
      const ended = trainer.train();
      await new Promise((resolve) => setTimeout(resolve, 12_000));
      trainer.stop();
      return ended;
    });
    assert.ok(['done', 'stopped'].includes(end.reason), end.reason);
    const tasks = (await page.evaluate(() => window.__longTasks)).filter(([t]) => t >= start).map(([, d]) => Math.round(d));
    const speed = await page.evaluate(() => window.$dt('#stat-speed').textContent);
    console.log(`# cnn-16-8, every panel on screen: ${end.seconds.toFixed(1)} s, ${speed} samples/s; long tasks ${tasks.length} (${tasks.filter((d) => d > 50).length} over 50 ms), longest ${Math.max(0, ...tasks)} ms`);
    assert.ok(Math.max(0, ...tasks) < 200, `long tasks while training: ${tasks.join(', ')} ms`);
    await screenshot(page, 'learner-cnn-all-panels', { fullPage: false });
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});
