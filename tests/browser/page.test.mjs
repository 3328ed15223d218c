// The demo page in headless Chromium against the served build (build/web) and real
// MNIST: download with progress, training in the worker, charts, responsiveness, the
// drawing pad, the cache on reload, model save/load, and data errors.
//   node --test tests/browser/page.test.mjs   (after scripts/build-web.sh)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBrowser, screenshot } from './harness.mjs';
import { DIGIT_STROKES } from './digit-strokes.mjs';

const PAGE = 'index.html#preset=mlp-128-128&optimizer=adam&epochs=1&batch=32&lr=0.001&seed=1';
let session;
let page;
const dataRequests = [];

// Long tasks and the progress bar's values, recorded from the first script on; $dt finds
// an element inside the page's <digit-trainer> (its shadow root).
function instrument() {
  window.$dt = (selector) => document.querySelector('digit-trainer')?.shadowRoot?.querySelector(selector);
  window.__longTasks = [];
  new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push([e.startTime, e.duration]); })
    .observe({ type: 'longtask', buffered: true });
  window.__progressValues = [];
  customElements.whenDefined('digit-trainer').then(() => {
    const bar = window.$dt('progress');
    // Every value the bar held: a fast local download can set it several times before an
    // observer runs, so the records' old values count too.
    new MutationObserver((records) => {
      for (const r of records) if (r.attributeName === 'value' && r.oldValue !== null) window.__progressValues.push([Number(r.oldValue), bar.max]);
      window.__progressValues.push([bar.value, bar.max]);
    }).observe(bar, { attributes: true, attributeOldValue: true });
  });
}

// Playwright's CSS selectors reach into open shadow roots.
const text = (selector) => page.textContent(selector);
const waitForText = (selector, pattern, timeout = 120_000) =>
  page.waitForFunction(([s, p]) => new RegExp(p).test(window.$dt(s)?.textContent ?? ''), [selector, pattern.source], { timeout });

// The current model's probabilities for `count` test images from `start`.
const predictTestImages = (start, count) => page.evaluate(async ([start, count]) => {
  const { worker } = window.digitrain.session;
  const { images } = await worker.request('test-images', 'test-images', { start, count });
  return Array.from((await worker.request('predict-images', 'predictions', { pixels: images, count })).probs);
}, [start, count]);

before(async () => {
  session = await openBrowser();
  page = session.page;
  page.on('request', (r) => { if (/\/data\/.*\.gz$/.test(r.url())) dataRequests.push(r.url()); });
  // The local server delivers MNIST's 11 MB within a frame or two on a quick machine, and
  // the page draws progress once per frame: a network of 40 MB/s (a fast home line) leaves
  // the download about 0.3 s, so the progress bar has values between 0 and done to show.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: 40e6, uploadThroughput: -1 });
  await page.addInitScript(instrument);
  await page.goto(session.url + PAGE);
});

after(async () => {
  assert.deepEqual(session.errors, [], 'no console or page errors');
  await session.close();
});

test('the page loads MNIST with a progress bar and can draw at once with the default model', async () => {
  await waitForText('#data-status', /MNIST ready: 60,000 training and 10,000 test images \(downloaded/);
  assert.equal(dataRequests.length, 4);
  const values = await page.evaluate(() => window.__progressValues);
  assert.ok(values.some(([v, max]) => v > 0 && v < max), `intermediate progress seen: ${JSON.stringify(values.slice(0, 5))}`);
  const [last, max] = values.at(-1);
  assert.equal(last, max);
  assert.match(await text('#model-origin'), /a ready-trained model/);
  // The ready-trained starter (scripts/default-model.json): 784-64-10, under 100 KB gzip.
  assert.match(await text('#model-summary'), /Total params: 50,890/);
  await screenshot(page, 'page-idle');
});

test('train mlp-128-128 for one epoch: test accuracy >= 0.95, charts fed, page responsive', async () => {
  const trainClicked = await page.evaluate(() => performance.now());
  await page.click('#train');
  await waitForText('#stat-step', /^\d+ \/ 1875$/, 30_000);
  await page.waitForFunction(() => window.$dt('#stat-step').textContent.split(' ')[0] > 200);
  // A click answers within 200 ms while training runs.
  const pauseToResume = await page.evaluate(() => new Promise((resolve) => {
    const resume = window.$dt('#resume');
    const t0 = performance.now();
    new MutationObserver((_, observer) => {
      if (!resume.disabled) { observer.disconnect(); resolve(performance.now() - t0); }
    }).observe(resume, { attributes: true });
    window.$dt('#pause').click();
  }));
  assert.ok(pauseToResume < 200, `pause answered in ${pauseToResume.toFixed(0)} ms`);
  await screenshot(page, 'page-paused');
  // Step runs exactly one batch while paused.
  const before = await page.evaluate(() => window.digitrain.reports.batchGroups);
  await page.click('#step');
  await page.waitForFunction((n) => window.digitrain.reports.batchGroups === n + 1, before);
  // The learning rate changes while training runs.
  await page.fill('#learning-rate', '0.0005');
  await page.dispatchEvent('#learning-rate', 'change');
  await page.click('#resume');
  await page.waitForFunction(() => Math.abs(window.digitrain.learningRate - 0.0005) < 1e-9, null, { timeout: 10_000 });
  assert.match(page.url(), /lr=0\.0005/, 'and the URL keeps it');
  await waitForText('#train-message', /Training finished after/, 180_000);
  const accuracy = Number((await text('#test-accuracy')).match(/(\d\.\d+)/)[1]);
  assert.ok(accuracy >= 0.95, `test accuracy ${accuracy}`);
  await page.fill('#learning-rate', '0.001');
  await page.dispatchEvent('#learning-rate', 'change');
  await screenshot(page, 'page-trained');

  const { counts, reports } = await page.evaluate(() => ({ counts: window.digitrain.trainer.panels.get('charts').charts.pointCounts(), reports: window.digitrain.reports }));
  assert.equal(counts.epoch, reports.epochs);
  assert.equal(counts.epoch, 1);
  assert.equal(counts.batch, reports.batchGroups);
  assert.ok(counts.batch > 10);
  const longTasks = (await page.evaluate(() => window.__longTasks)).filter(([start]) => start >= trainClicked).map(([, d]) => d);
  assert.ok(Math.max(0, ...longTasks) < 200, `main-thread long tasks while training: ${longTasks.map(Math.round).join(', ')} ms`);
});

// Draws with synthesized pointer events and waits for the probabilities shown.
async function drawDigit(digit) {
  await page.click('.digit-pad__clear');
  const box = await page.locator('.digit-pad__canvas').boundingBox();
  for (const stroke of DIGIT_STROKES[digit]) {
    const [first, ...rest] = stroke.map(([x, y]) => [box.x + x * box.width, box.y + y * box.height]);
    await page.mouse.move(...first);
    await page.mouse.down();
    for (const point of rest) await page.mouse.move(...point, { steps: 2 });
    await page.mouse.up();
  }
  await page.waitForTimeout(150);
  return page.evaluate(async () => {
    const pad = window.$dt('#pad');
    const ink = pad.readInk();
    const { input, probs } = await window.digitrain.session.worker.request('predict-ink', 'prediction', { ink: ink.ink, width: ink.width, height: ink.height });
    return { probs: Array.from(probs), inkPixels: input.reduce((n, v) => n + (v > 0), 0) };
  });
}

test('drawn digits 0-9 are recognised (at least 8 of 10), probabilities sum to 1', async () => {
  const recognised = [];
  for (let digit = 0; digit <= 9; digit++) {
    const { probs, inkPixels } = await drawDigit(digit);
    assert.ok(inkPixels > 20, `digit ${digit} left ink`);
    assert.equal(probs.length, 10);
    assert.ok(Math.abs(probs.reduce((a, b) => a + b) - 1) < 1e-4);
    const best = probs.indexOf(Math.max(...probs));
    if (best === digit) recognised.push(digit);
    if (digit === 3) await screenshot(page, 'page-drawing');
  }
  assert.ok(recognised.length >= 8, `recognised ${recognised.join(',')}`);
  // The page shows bars for the last drawing.
  assert.equal(await page.locator('#pad-probs li').count(), 10);
});

// The pad re-crops, re-scales and re-centres what it is given, as for a drawn digit, so a
// few digits near a decision boundary may change class: with the one-epoch model trained
// above, 95 of 100 agreed in every run measured (2026-11-24), and fewer once, since the model
// depends on when the earlier test changed the learning rate. A pipeline that shifted,
// flipped or mis-scaled the image would lose far more than 10 (transposed digits: 12 agreed).
test('100 MNIST test digits painted on the pad get the raw image\'s prediction (>= 90)', async () => {
  const agree = await page.evaluate(async () => {
    const { worker } = window.digitrain.session;
    const pad = window.$dt('#pad');
    const { images } = await worker.request('test-images', 'test-images', { start: 0, count: 100 });
    const { probs: raw } = await worker.request('predict-images', 'predictions', { pixels: images.slice(), count: 100 });
    const argmax = (p, i) => { const row = Array.from(p.subarray(i * 10, i * 10 + 10)); return row.indexOf(Math.max(...row)); };
    let same = 0;
    for (let i = 0; i < 100; i++) {
      pad.drawImage28(images.subarray(i * 784, (i + 1) * 784));
      const ink = pad.readInk();
      const { probs } = await worker.request('predict-ink', 'prediction', { ink: ink.ink, width: ink.width, height: ink.height });
      same += argmax(probs, 0) === argmax(raw, i);
    }
    pad.clear();
    return same;
  });
  assert.ok(agree >= 90, `${agree} of 100 agree`);
});

test('save then load gives the same predictions', async () => {
  const predict = () => predictTestImages(100, 50);
  const before = await predict();
  const [downloadEvent] = await Promise.all([page.waitForEvent('download'), page.click('#save-model')]);
  const file = join(mkdtempSync(join(tmpdir(), 'digitrain-page-')), 'model.json');
  await downloadEvent.saveAs(file);
  assert.equal(JSON.parse(readFileSync(file, 'utf8')).format, 'digitrain-model');
  // Change the model, then load the saved one back.
  await page.evaluate(() => window.digitrain.session.createModel(JSON.parse(window.digitrain.session.presetDescriptions['mlp-256']), 7));
  assert.notDeepEqual(await predict(), before);
  await page.setInputFiles('#load-model', file);
  await waitForText('#train-message', /Loaded model\.json/);
  assert.deepEqual(await predict(), before);
  // A bad file is refused and the model stays.
  await page.setInputFiles('#load-model', { name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"format": "digitrain-model", "layers": [') });
  await waitForText('#train-message', /Could not load broken\.json: .*not valid JSON.*unchanged/);
  assert.deepEqual(await predict(), before);
});

test('the TF.js files (model.json + .bin) download and load back with the same predictions', async () => {
  const predict = () => predictTestImages(200, 50);
  const before = await predict();
  // The converter is fetched on first use; a failed fetch is named, and the next click
  // fetches it again.
  const converter = /digitrain-formats\.mjs/;
  await page.context().route(converter, (route) => route.abort('connectionreset'));
  await page.click('#save-model-tfjs');
  await waitForText('#train-message', /Could not save the model: could not load the TF\.js converter \(digitrain-formats\.mjs\)/);
  await page.context().unroute(converter);
  const downloads = [];
  page.on('download', (d) => downloads.push(d));
  await page.click('#save-model-tfjs');
  for (let i = 0; i < 50 && downloads.length < 2; i++) await page.waitForTimeout(100);
  assert.deepEqual(downloads.map((d) => d.suggestedFilename()).sort(), ['group1-shard1of1.bin', 'model.json']);
  const dir = mkdtempSync(join(tmpdir(), 'digitrain-tfjs-'));
  const paths = [];
  for (const d of downloads) {
    const path = join(dir, d.suggestedFilename());
    await d.saveAs(path);
    paths.push(path);
  }
  const modelJson = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  assert.equal(modelJson.format, 'layers-model');
  await page.evaluate(() => window.digitrain.session.createModel(JSON.parse(window.digitrain.session.presetDescriptions['mlp-256']), 3));
  // model.json alone is refused, naming the missing file; the model stays.
  const changed = await predict();
  await page.setInputFiles('#load-model', join(dir, 'model.json'));
  await waitForText('#train-message', /Could not load model\.json: .*needs the weights file 'group1-shard1of1\.bin'.*unchanged/);
  assert.deepEqual(await predict(), changed);
  await page.setInputFiles('#load-model', paths);
  await waitForText('#train-message', /Loaded (model\.json \+ group1-shard1of1\.bin|group1-shard1of1\.bin \+ model\.json)/);
  const after = await predict();
  assert.ok(after.every((p, i) => Math.abs(p - before[i]) < 1e-6), 'same predictions after the TF.js round trip');
});

test('a reload takes MNIST from the cache, revalidates the rest, and finds the last trained model', async () => {
  dataRequests.length = 0;
  // What the reload costs on the wire: the server's validators turn each file into a 304.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const responses = new Map();
  let bytes = 0;
  cdp.on('Network.responseReceived', ({ requestId, response }) => responses.set(requestId, response.status));
  cdp.on('Network.loadingFinished', ({ encodedDataLength }) => { bytes += encodedDataLength; });
  await page.reload();
  await waitForText('#data-status', /MNIST ready: .*from this browser's cache/);
  assert.deepEqual(dataRequests, []);
  await waitForText('#model-origin', /your last trained model/);
  await cdp.detach();
  const statuses = [...responses.values()];
  console.log(`# reload: ${bytes} bytes on the wire, headers included, for ${statuses.length} responses (${statuses.filter((s) => s === 304).length} of them 304)`);
  assert.ok(statuses.length > 0 && statuses.every((s) => s === 304 || s === 200), statuses.join());
  assert.ok(bytes < 30_000, `a reload transferred ${bytes} bytes`);
  assert.equal(await page.inputValue('#epochs'), '1', 'the set-up comes back from the URL hash');
});

// Deterministic: SGD at 10 from seed 1 climbs from 2.37 to ~15 within 6 steps (NaN would
// follow at step 24). tests/browser/reliability.test.mjs covers every preset and optimizer,
// a model kept from before the run, and a rate raised mid-run.
test('a diverging run stops with a clear message; the kept weights still predict', async () => {
  await page.selectOption('#preset', 'mlp-300-100');
  await page.click('details.advanced > summary'); // the optimizer is under "More settings"
  await page.selectOption('#optimizer', 'sgd');
  await page.fill('#learning-rate', '10');
  await page.dispatchEvent('#learning-rate', 'change');
  await page.click('#train');
  await waitForText('#train-message', /^Training stopped: The loss rose from 2\.\d\d to [\d.]+ in \d steps: the learning rate 10 is far too high; try 0\.01\. The run's starting weights are kept \(\d+\.\d % on the test set\)\.$/, 60_000);
  assert.equal(await page.isEnabled('#train'), true);
  assert.equal(await page.isDisabled('#stop'), true);
  assert.match(await text('#model-origin'), /the best weights of the run that diverged/);
  const probs = await predictTestImages(0, 1);
  assert.ok(probs.every(Number.isFinite) && Math.abs(probs.reduce((a, b) => a + b) - 1) < 1e-4);
  await screenshot(page, 'page-diverged');
  // Back to a sane set-up for what follows.
  await page.goto(session.url + PAGE);
  await waitForText('#data-status', /MNIST ready/);
});

test('a 404 and a truncated data file each show their message and a Retry that works', async () => {
  const fresh = await session.browser.newContext();
  const other = await fresh.newPage();
  const errors = [];
  other.on('pageerror', (e) => errors.push(e.message));
  await other.route('**/data/t10k-labels-idx1-ubyte.gz', (route) => route.fulfill({ status: 404, body: 'Not found' }));
  await other.goto(session.url + PAGE);
  const status = (pattern) => other.waitForFunction((p) => new RegExp(p).test(document.querySelector('digit-trainer')?.shadowRoot?.getElementById('data-status')?.textContent), pattern.source, { timeout: 60_000 });
  await status(/could not be loaded: .*t10k-labels-idx1-ubyte\.gz.*404/);
  assert.equal(await other.isVisible('#data-retry'), true);
  await screenshot(other, 'page-data-404');

  await other.unroute('**/data/t10k-labels-idx1-ubyte.gz');
  const gz = readFileSync(new URL('../../build/web/data/t10k-images-idx3-ubyte.gz', import.meta.url));
  await other.route('**/data/t10k-images-idx3-ubyte.gz', (route) => route.fulfill({ status: 200, body: gz.subarray(0, gz.length >> 1), contentType: 'application/gzip' }));
  await other.click('#data-retry');
  await status(/could not be loaded: .*t10k-images-idx3-ubyte\.gz is corrupt or truncated/);

  await other.unroute('**/data/t10k-images-idx3-ubyte.gz');
  await other.click('#data-retry');
  await status(/MNIST ready/);
  assert.deepEqual(errors, []);
  await fresh.close();
});
