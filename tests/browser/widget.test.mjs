// The embeddable widgets in headless Chromium with real MNIST: the example page with two
// trainers at once, a host page with a strict CSP using dist/ from a second origin,
// attributes (good and bad) and events, off-screen pausing, a phone-sized screen and the
// keyboard.
//   node --test tests/browser/widget.test.mjs   (after scripts/build-web.sh)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openBrowser, screenshot } from './harness.mjs';
import { startServer } from '../../scripts/serve.mjs';

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
let session;
let widgetServer; // dist/ on a second origin
let hostServer;   // the strict-CSP host page

before(async () => {
  session = await openBrowser();
  widgetServer = await startServer({ root: DIST, port: 0 });
  const widgetOrigin = new URL(widgetServer.url).origin;
  const hostRoot = mkdtempSync(join(tmpdir(), 'digitrain-host-'));
  for (const name of readdirSync(FIXTURES)) {
    writeFileSync(join(hostRoot, name), readFileSync(join(FIXTURES, name), 'utf8').replaceAll('WIDGET_ORIGIN', widgetOrigin));
  }
  // What the README asks of a page that uses the widget from another origin.
  const csp = [`default-src 'none'`, `script-src 'self' 'wasm-unsafe-eval' ${widgetOrigin}`, `worker-src blob: ${widgetOrigin}`,
    `connect-src ${widgetOrigin}`, `style-src 'self' ${widgetOrigin}`, `img-src 'self' blob: data:`].join('; ');
  hostServer = await startServer({ root: hostRoot, port: 0, headers: { 'Content-Security-Policy': csp } });
});

after(async () => {
  assert.deepEqual(session.errors, [], 'no console or page errors');
  await session.close();
  await widgetServer.close();
  await hostServer.close();
});

// fn(widget, root) runs in the page with the widget element and its shadow root.
const inWidget = (page, id, fn) => page.locator(`#${id}`).evaluate(fn);

const waitForReady = (page, ids, timeout = 120_000) =>
  page.waitForFunction((ids) => ids.every((id) => document.getElementById(id)?.session?.dataReady), ids, { timeout });

// A page at the demo server's origin made of `body` (the widget module is loaded first).
async function openTestPage(body, { width = 1000, height = 800 } = {}) {
  const context = await session.browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const url = `${session.url}test-widget-page.html`;
  await page.route(url, (route) => route.fulfill({ contentType: 'text/html', body:
    `<!doctype html><meta charset="utf-8"><script type="module" src="digitrain.js"></script><body>${body}</body>` }));
  await page.goto(url);
  return { page, errors, close: () => context.close() };
}

test('the example page: two widgets train at once from one download, each with its own model and events', async () => {
  const { page } = session;
  const dataRequests = [];
  page.on('request', (r) => { if (/\/data\/.*\.gz$/.test(r.url())) dataRequests.push(r.url()); });
  await page.goto(`${session.url}embed.html`);
  await waitForReady(page, ['mlp', 'cnn']);
  assert.equal(dataRequests.length, 4, 'one download for both widgets');

  const runs = await page.evaluate(async () => {
    const events = [];
    for (const type of ['epochend', 'trainend']) document.addEventListener(type, (e) => events.push(`${e.target.id}:${type}`));
    const [mlp, cnn] = ['mlp', 'cnn'].map((id) => document.getElementById(id));
    const started = performance.now();
    const ends = await Promise.all([mlp.train(), cnn.train()]);
    return { ends, events, seconds: (performance.now() - started) / 1000,
      params: [mlp.session.model.paramCount, cnn.session.model.paramCount] };
  });
  assert.deepEqual(runs.params, [118282, 47410]);
  for (const end of runs.ends) {
    assert.equal(end.reason, 'done');
    assert.ok(end.test.accuracy >= 0.95, `test accuracy ${end.test.accuracy}`);
  }
  assert.deepEqual(runs.events.sort(), ['cnn:epochend', 'cnn:trainend', 'mlp:epochend', 'mlp:trainend']);
  await screenshot(page, 'embed-trained');

  // The confusion matrix counts exactly the test accuracy's errors (computed once on screen).
  await page.locator('#mlp .dt__panel--confusion').scrollIntoViewIfNeeded();
  const wrong = Math.round((1 - runs.ends[0].test.accuracy) * 10000);
  await page.waitForFunction((n) => new RegExp(`^${n.toLocaleString('en')} of 10,000 test images misclassified`)
    .test(document.getElementById('mlp').shadowRoot.querySelector('.dt__confusion-status').textContent), wrong, { timeout: 60_000 });
  const matrix = await inWidget(page, 'mlp', (w, root = w.shadowRoot) =>
    [...root.querySelectorAll('.dt__confusion tr')].slice(1).map((tr) => ({
      counts: [...tr.querySelectorAll('td:not(.dt__class-accuracy)')].map((td) => Number(td.textContent || 0)),
      right: tr.querySelector('.dt__class-accuracy').textContent })));
  assert.equal(matrix.flatMap((r) => r.counts).reduce((a, b) => a + b, 0), 10000);
  // Each digit's accuracy: its diagonal cell over its row.
  matrix.forEach(({ counts, right }, digit) => {
    const expected = (100 * counts[digit]) / counts.reduce((a, b) => a + b, 0);
    assert.equal(right, `${expected.toFixed(1)}%`, `digit ${digit}`);
  });
  // A misclassified digit, clicked, goes onto that widget's pad and is predicted there.
  const picked = await inWidget(page, 'mlp', (w, root = w.shadowRoot) => new Promise((resolve) => {
    w.addEventListener('prediction', (e) => resolve({ source: e.detail.source, sum: e.detail.probabilities.reduce((a, b) => a + b),
      padEmpty: root.querySelector('digit-pad').empty }), { once: true });
    root.querySelector('.dt__digit-button').click();
  }));
  assert.equal(picked.source, 'drawing');
  assert.equal(picked.padEmpty, false);
  assert.ok(Math.abs(picked.sum - 1) < 1e-4);

  // The CNN's views, one canvas per layer: 16 first-layer filters in a row, 8 rows of 16
  // second-layer ones (3×3 at 10 px a weight, 4 px apart), and 16 + 8 feature maps.
  await page.locator('#cnn .dt__panel--weights').scrollIntoViewIfNeeded();
  await page.waitForFunction(() => /Hover a square/.test(document.getElementById('cnn').shadowRoot.querySelector('.dt__legend').textContent), null, { timeout: 30_000 });
  const views = await inWidget(page, 'cnn', (w, root = w.shadowRoot) => ({
    filters: [...root.querySelectorAll('.dt__weights canvas')].map((c) => [c.width, c.height]),
    maps: [...root.querySelectorAll('.dt__maps canvas')].map((c) => [c.width, c.height]),
  }));
  assert.deepEqual(views.filters, [[16 * 34 - 4, 30], [16 * 34 - 4, 8 * 34 - 4]]);
  assert.deepEqual(views.maps, [[8 * 56 - 4, 2 * 56 - 4], [8 * 52 - 4, 52 - 4]]);

  // The stand-alone predictor follows the CNN widget's model.
  const predicted = await page.evaluate(async () => {
    const cnn = document.getElementById('cnn');
    const predictor = document.querySelector('digit-predictor[for="cnn"]');
    const { images, labels } = await cnn.session.testImages({ start: 0, count: 1 });
    const answer = new Promise((resolve) => predictor.addEventListener('prediction', (e) => resolve(e.detail.digit), { once: true }));
    predictor.shadowRoot.querySelector('digit-pad').drawImage28(images);
    return { digit: await answer, label: labels[0] };
  });
  assert.equal(predicted.digit, predicted.label);
});

test('a host page with a strict CSP uses the widget from another origin (dist/)', async () => {
  const context = await session.browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error' && !/favicon/.test(m.location().url)) errors.push(m.text()); });
  try {
    await page.goto(`${hostServer.url}csp-host.html`);
    await page.waitForFunction(() => window.hostEvents?.some((e) => e.type === 'ready'), null, { timeout: 120_000 });
    // The host's CSS (magenta buttons, a hidden #train) does not reach into the widget.
    const trainStyle = await inWidget(page, 'widget', (w, root = w.shadowRoot) => {
      const style = getComputedStyle(root.getElementById('train'));
      return { display: style.display, background: style.backgroundColor };
    });
    assert.notEqual(trainStyle.display, 'none');
    assert.notEqual(trainStyle.background, 'rgb(255, 0, 255)');
    await page.click('#train');
    await page.waitForFunction(() => window.hostEvents.some((e) => e.type === 'trainend'), null, { timeout: 180_000 });
    const events = await page.evaluate(() => window.hostEvents);
    const end = events.find((e) => e.type === 'trainend').detail;
    assert.equal(end.reason, 'done');
    assert.ok(end.test.accuracy >= 0.95, `test accuracy ${end.test.accuracy}`);
    assert.equal(events.filter((e) => e.type === 'epochend').length, 1);

    // predict(): an ImageData drawn black on white by the page, and 784 MNIST pixels.
    const answers = await page.evaluate(async () => {
      const widget = document.getElementById('widget');
      const canvas = document.createElement('canvas');
      canvas.width = canvas.height = 200;
      const ctx = canvas.getContext('2d');
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, 200, 200);
      ctx.fillStyle = '#000';
      ctx.fillRect(88, 30, 24, 140);
      const one = await widget.predict(ctx.getImageData(0, 0, 200, 200));
      const { images, labels } = await widget.session.testImages({ start: 1, count: 1 });
      const test = await widget.predict(images);
      let bad;
      try { await widget.predict('not an image'); } catch (e) { bad = e.message; }
      return { one: one.digit, sum: one.probabilities.reduce((a, b) => a + b), test: test.digit, label: labels[0], bad };
    });
    assert.equal(answers.one, 1);
    assert.ok(Math.abs(answers.sum - 1) < 1e-4);
    assert.equal(answers.test, answers.label);
    assert.match(answers.bad, /predict\(\) takes an ImageData/);
    // The TF.js converter is a module of its own that the worker imports on first use:
    // from the widget's origin, under the host's CSP, it must load and convert.
    const tfjs = await page.evaluate(async () => {
      const { modelJson, weights } = await document.getElementById('widget').session.saveModelTfjs();
      return { format: JSON.parse(modelJson).format, bytes: weights.length };
    });
    assert.equal(tfjs.format, 'layers-model');
    assert.equal(tfjs.bytes, 4 * 118282, 'the weights of the widget\'s mlp-128-128');
    assert.deepEqual(await page.evaluate(() => window.violations), [], 'no CSP violations');
    assert.deepEqual(errors, []);
    await screenshot(page, 'widget-csp-cross-origin');
  } finally {
    await context.close();
  }
});

test('bad attribute values are named in the widget; fixing them and other changes apply live', async () => {
  // The listeners are in place before the widget starts (a classic script runs before the
  // module that defines it): on a busy machine the worker can be ready before the page's load.
  const { page, errors, close } = await openTestPage(`
    <script>
      window.widgetEvents = [];
      for (const type of ['error', 'modelchange', 'ready']) {
        document.addEventListener(type, (e) => window.widgetEvents.push({ type, detail: e.detail }));
      }
    </script>
    <p id="before">Host text before</p>
    <digit-trainer id="w" preset="nope" epochs="-3" learning-rate="abc" panels="controls summary sparkles"></digit-trainer>
    <p id="after">Host text after</p>`);
  try {
    await waitForReady(page, ['w']);
    const shown = await inWidget(page, 'w', (w, root = w.shadowRoot) => ({
      alerts: [...root.querySelectorAll('.dt__attribute-errors li')].map((li) => li.textContent),
      role: root.querySelector('.dt__attribute-errors').getAttribute('role'),
      preset: root.getElementById('preset').value, epochs: root.getElementById('epochs').value,
      trainEnabled: !root.getElementById('train').disabled,
      panels: [...root.querySelectorAll('.dt__panel')].map((p) => p.className.split('--')[1]),
    }));
    assert.deepEqual(shown.alerts, [
      'Digitrain: unknown preset "nope"; choose one of cnn-16-8, fashion-mlp-128, keras-convnet, mlp-128-128, mlp-256, mlp-300-100, tfjs-convnet',
      'Digitrain: epochs must be a whole number from 1 to 1000, got -3',
      'Digitrain: learning-rate must be a number, got "abc"',
      'Digitrain: unknown panel "sparkles"; panels are controls, summary, charts, drawing, network, my-digits, predictions, heatmap, weights, confusion',
    ]);
    assert.equal(shown.role, 'alert');
    // The defaults stand in: the widget still works.
    assert.deepEqual([shown.preset, shown.epochs, shown.trainEnabled], ['mlp-128-128', '10', true]);
    assert.deepEqual(shown.panels, ['controls', 'summary']);
    const errorEvents = await page.evaluate(() => window.widgetEvents.filter((e) => e.type === 'error').map((e) => e.detail.about));
    assert.deepEqual(errorEvents, ['attribute', 'attribute', 'attribute', 'attribute']);
    assert.equal(await page.textContent('#after'), 'Host text after');

    // Fixed attributes: messages go, the new model is built, the form follows.
    const changed = await page.evaluate(() => new Promise((resolve) => {
      const w = document.getElementById('w');
      w.addEventListener('modelchange', (e) => resolve(e.detail), { once: true });
      w.setAttribute('epochs', '2');
      w.setAttribute('learning-rate', '0.002');
      w.setAttribute('panels', 'controls summary drawing');
      w.setAttribute('preset', 'cnn-16-8');
    }));
    assert.deepEqual([changed.name, changed.paramCount], ['cnn-16-8', 47410]);
    const after = await inWidget(page, 'w', (w, root = w.shadowRoot) => ({
      alerts: root.querySelectorAll('.dt__attribute-errors li').length,
      preset: root.getElementById('preset').value, epochs: root.getElementById('epochs').value,
      lr: root.getElementById('learning-rate').value, summary: root.getElementById('model-summary').textContent,
      panels: [...root.querySelectorAll('.dt__panel')].map((p) => p.className.split('--')[1]),
    }));
    assert.equal(after.alerts, 0);
    assert.deepEqual([after.preset, after.epochs, after.lr], ['cnn-16-8', '2', '0.002']);
    assert.match(after.summary, /Total params: 47,410/);
    assert.deepEqual(after.panels, ['controls', 'summary', 'drawing']);

    // A model description given inline, then a broken one.
    const tiny = JSON.stringify({ name: 'tiny', input_shape: [28, 28, 1], layers: [
      { class_name: 'Flatten', config: {} }, { class_name: 'Dense', config: { units: 10, activation: 'softmax' } }],
    compile: { loss: 'sparse_categorical_crossentropy', optimizer: 'adam' } });
    const inline = await page.evaluate((tiny) => new Promise((resolve) => {
      const w = document.getElementById('w');
      w.addEventListener('modelchange', (e) => resolve(e.detail), { once: true });
      w.setAttribute('model', tiny);
    }), tiny);
    assert.deepEqual([inline.name, inline.paramCount], ['tiny', 7850]);
    await page.evaluate(() => document.getElementById('w').setAttribute('model', '{"layers": [oops'));
    await page.waitForFunction(() => /the model attribute could not be used/.test(document.getElementById('w').shadowRoot.querySelector('.dt__attribute-errors').textContent));
    // Negative epochs typed into the form are refused with a message; the setting stays.
    await page.fill('#epochs', '-1');
    await page.dispatchEvent('#epochs', 'change');
    await page.waitForFunction(() => /Epochs must be a whole number/.test(document.getElementById('w').shadowRoot.getElementById('train-message').textContent));
    assert.equal(await page.evaluate(() => document.getElementById('w').settings.epochs), 2);
    // A good value applies, is announced as settingschange, and the host page's URL is left alone.
    const urlBefore = page.url();
    const announced = page.evaluate(() => new Promise((resolve) =>
      document.getElementById('w').addEventListener('settingschange', (e) => resolve(e.detail.epochs), { once: true })));
    await page.fill('#epochs', '3');
    await page.dispatchEvent('#epochs', 'change');
    assert.equal(await announced, 3);
    assert.equal(page.url(), urlBefore);
    assert.deepEqual(errors, []);
    await screenshot(page, 'widget-bad-attributes');
  } finally {
    await close();
  }
});

test('tfjs-convnet brings the TF.js example\'s RMSprop and batch 320; the optimizer attribute takes adagrad, not adadelta', async () => {
  const { page, errors, close } = await openTestPage('<digit-trainer id="w" preset="tfjs-convnet" optimizer="adadelta"></digit-trainer>');
  try {
    await waitForReady(page, ['w']);
    const shown = await inWidget(page, 'w', (w, root = w.shadowRoot) => ({
      alerts: [...root.querySelectorAll('.dt__attribute-errors li')].map((li) => li.textContent),
      settings: w.settings, choices: [...root.getElementById('optimizer').options].map((o) => o.value),
      optimizer: root.getElementById('optimizer').value, summary: root.getElementById('model-summary')?.textContent ?? '',
    }));
    assert.deepEqual(shown.alerts, ['Digitrain: optimizer must be adam, sgd, rmsprop or adagrad, got "adadelta"']);
    assert.deepEqual([shown.settings.optimizer, shown.settings.batchSize, shown.settings.epochs, shown.optimizer], ['rmsprop', 320, 3, 'rmsprop']);
    assert.deepEqual(shown.choices, ['adam', 'sgd', 'rmsprop', 'adagrad']);
    await page.evaluate(() => document.getElementById('w').setAttribute('optimizer', 'adagrad'));
    await page.waitForFunction(() => document.getElementById('w').settings.optimizer === 'adagrad');
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test('a widget scrolled out of view pauses (pause-offscreen) and its charts stop drawing', async () => {
  const { page, errors, close } = await openTestPage(`
    <digit-trainer id="w" preset="mlp-128-128" epochs="5" panels="controls charts" pause-offscreen></digit-trainer>
    <div id="spacer"></div>`);
  try {
    await page.evaluate(() => { document.getElementById('spacer').style.height = '4000px'; });
    await waitForReady(page, ['w']);
    await page.evaluate(() => { window.run = document.getElementById('w').train(); });
    await page.waitForFunction(() => document.getElementById('w').state === 'running' && document.getElementById('w').session.reports.batchGroups > 3);
    await page.evaluate(() => window.scrollTo(0, 4000));
    await page.waitForFunction(() => document.getElementById('w').state === 'paused', null, { timeout: 10_000 });
    const charts = () => page.evaluate(() => document.getElementById('w').panels.get('charts').charts.redraws);
    const redraws = await charts();
    await page.waitForTimeout(500);
    assert.equal(await charts(), redraws, 'no redraws while off screen');
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.waitForFunction(() => document.getElementById('w').state === 'running', null, { timeout: 10_000 });
    await page.evaluate(() => { document.getElementById('w').stop(); return window.run; });
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test('on a 360 px phone nothing scrolls sideways, and the keyboard reaches every control', async () => {
  const { page, errors, close } = await openTestPage(`
    <digit-trainer id="w" panels="controls summary charts drawing predictions heatmap weights confusion"></digit-trainer>`, { width: 360, height: 740 });
  try {
    await waitForReady(page, ['w']);
    await page.waitForFunction(() => !document.getElementById('w').shadowRoot.getElementById('train').disabled);
    // Below the fold the confusion matrix (10,000 predictions) waits until it is seen.
    await page.waitForTimeout(1000);
    assert.equal(await inWidget(page, 'w', (w, root = w.shadowRoot) => root.querySelector('.dt__confusion-status').textContent), '');
    await page.locator('#w .dt__panel--confusion').scrollIntoViewIfNeeded();
    await page.waitForFunction(() => /misclassified/.test(document.getElementById('w').shadowRoot.querySelector('.dt__confusion-status').textContent), null, { timeout: 60_000 });
    await page.evaluate(() => window.scrollTo(0, 0));
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow} px wider than the screen`);
    await screenshot(page, 'widget-360px');

    // The folded settings are opened, as a learner would, to reach the fields inside.
    await inWidget(page, 'w', (w) => w.shadowRoot.querySelectorAll('details.advanced').forEach((d) => { d.open = true; }));
    const reached = new Set();
    let ringSeen = false;
    for (let i = 0; i < 200; i++) {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => {
        let el = document.activeElement;
        while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
        if (!el || el === document.body) return null;
        const style = getComputedStyle(el);
        return { id: el.id || el.className || el.localName, ring: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2 };
      });
      if (!focused) continue;
      reached.add(focused.id);
      ringSeen ||= focused.id === 'train' && focused.ring;
    }
    for (const id of ['preset', 'optimizer', 'epochs', 'batch-size', 'learning-rate', 'seed', 'train', 'save-model', 'save-model-tfjs',
      'load-model', 'export-csv', 'digit-pad__canvas', 'digit-pad__clear', 'heatmap-index', 'dt__digit-button']) {
      assert.ok([...reached].some((r) => r === id || String(r).split(' ').includes(id)), `Tab reaches ${id} (reached: ${[...reached].join(', ')})`);
    }
    assert.ok(ringSeen, 'a visible focus ring on Train');
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test('autostart trains without a click; a predictor loads a model file by URL, and a wrong URL says so', async () => {
  const { page, errors, close } = await openTestPage(`
    <digit-trainer id="auto" preset="mlp-128-128" epochs="1" panels="charts" autostart></digit-trainer>
    <digit-predictor id="file" model="models/default.json"></digit-predictor>
    <digit-predictor id="missing" model="models/missing.json"></digit-predictor>`);
  try {
    const end = await page.evaluate(() => new Promise((resolve) =>
      document.getElementById('auto').addEventListener('trainend', (e) => resolve(e.detail), { once: true })));
    assert.equal(end.reason, 'done');
    assert.ok(end.test.accuracy >= 0.95, `test accuracy ${end.test.accuracy}`);

    await page.waitForFunction(() => /Using starter-mlp-64 from default\.json/.test(document.getElementById('file').shadowRoot.textContent));
    const predicted = await page.evaluate(async () => {
      const { images, labels } = await document.getElementById('auto').session.testImages({ start: 2, count: 1 });
      const predictor = document.getElementById('file');
      const answer = new Promise((resolve) => predictor.addEventListener('prediction', (e) => resolve(e.detail.digit), { once: true }));
      predictor.shadowRoot.querySelector('digit-pad').drawImage28(images);
      return { digit: await answer, label: labels[0] };
    });
    assert.equal(predicted.digit, predicted.label);
    await page.waitForFunction(() => /models\/missing\.json: HTTP 404/.test(document.getElementById('missing').shadowRoot.querySelector('.message').textContent));
    // Drawing on a predictor without a model says what to do instead of failing silently.
    const noModel = await page.evaluate(() => new Promise((resolve) => {
      const predictor = document.getElementById('missing');
      predictor.addEventListener('error', (e) => resolve(e.detail.message), { once: true });
      predictor.shadowRoot.querySelector('digit-pad').drawImage28(new Uint8Array(784).fill(200));
    }));
    assert.match(noModel, /no model yet: train one, or load a model file/);
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});
