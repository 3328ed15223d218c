// The model editor (issue 16) in headless Chromium against the served build (build/web):
// a model built in the editor (Conv2D -> MaxPooling2D -> Flatten -> Dense 10) counts the
// weights TF.js' Keras layers count for the same model, trains, and comes back from the URL
// hash after a reload; a layer that does not fit is named on its own row and Train waits;
// a malformed hash says so and falls back to the preset; axe-core with the editor open; no
// sideways scrolling at 390 px. Screenshots go to build/artifacts/screenshots/editor-*.png.
//   node --test tests/browser/model-editor.test.mjs   (after scripts/build-web.sh)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { openBrowser, screenshot, axeViolations } from './harness.mjs';

let session;

before(async () => {
  session = await openBrowser();
});

after(async () => {
  await session.close();
});

async function openPage(width, height, path) {
  const context = await session.browser.newContext({ viewport: { width, height }, hasTouch: width < 900 });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.stack ?? e.message));
  page.on('console', (m) => { if (m.type() === 'error' && !/favicon/.test(m.location().url)) errors.push(m.text()); });
  await page.goto(session.url + path);
  return { page, errors, close: () => context.close() };
}

const whenReady = (page) => page.waitForFunction(() => {
  const w = document.querySelector('digit-trainer');
  return w?.session?.dataReady && w.session.model;
}, null, { timeout: 120_000 });

const total = (page) => page.locator('.dt__editor-total');
const rows = (page) => page.locator('.dt__layer');
const classNames = (page) => page.locator('.dt__layer-name').allTextContents();
// The editor's verdict has arrived (its total line says something other than "Checking…").
const settled = (page) => page.waitForFunction(() => {
  const text = document.querySelector('digit-trainer').shadowRoot.querySelector('.dt__editor-total')?.textContent ?? '';
  return text && text !== 'Checking…';
});


// Keras' (TF.js Layers') own count for the same model: an independent judge of the core's.
function kerasParamCount() {
  const model = tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 6, kernelSize: 5, activation: 'relu' }),
    tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 10, activation: 'softmax' }),
  ] });
  const count = model.countParams();
  model.dispose();
  return count;
}

// From the default preset (mlp-128-128: Flatten, Dense 128, Dense 128, Dense 10) to Conv2D 6 5×5 ->
// MaxPooling2D -> Flatten -> Dense 10, with the keyboard where a learner would use it.
async function buildConvnet(page) {
  await page.locator('#edit-model').focus();
  await page.keyboard.press('Enter');
  await settled(page);
  assert.deepEqual(await classNames(page), ['1. Flatten', '2. Dense', '3. Dense', '4. Dense']);
  await page.locator('#ed-input').selectOption('28,28,1');
  await page.locator('[aria-label="Remove layer 2, Dense"]').click();
  // The focus stays on the row that took the removed one's place: Enter removes it too.
  await page.keyboard.press('Enter');
  await page.locator('[aria-label="Remove layer 1, Flatten"]').click();
  for (const name of ['Conv2D', 'MaxPooling2D', 'Flatten']) {
    await page.locator('#ed-class').selectOption(name);
    await page.locator('#ed-add').click();
  }
  assert.deepEqual(await classNames(page), ['1. Conv2D', '2. MaxPooling2D', '3. Flatten', '4. Dense']);
  await page.locator('#ed-0-filters').fill('6');
  await page.locator('#ed-0-kernel_size').fill('5');
  // A select too: linear, then relu again (the preset's Dense had relu; a new Conv2D has it).
  await page.locator('#ed-0-activation').selectOption('linear');
  await settled(page);
  assert.match(await total(page).textContent(), /^Total: /);
  await page.locator('#ed-0-activation').selectOption('relu');
  await settled(page);
}

test('a convnet built in the editor: Keras\' weight count, it trains, and the URL brings it back', async () => {
  const { page, errors, close } = await openPage(1366, 768, 'index.html#preset=mlp-128-128&epochs=1&batch=128');
  try {
    await whenReady(page);
    await buildConvnet(page);
    const expected = kerasParamCount(); // 6·(5·5·1)+6 = 156, then 12·12·6·10+10 = 8650
    assert.equal(await total(page).textContent(), `Total: ${expected.toLocaleString('en')} weights in 4 layers.`);
    assert.match(await rows(page).nth(0).locator('.dt__layer-out').textContent(), /\(24, 24, 6\), 156 weights/);
    assert.match(await rows(page).nth(1).locator('.dt__layer-out').textContent(), /\(12, 12, 6\), 0 weights/);
    // The widget's model is the edited one (built by the core), and the summary follows.
    await page.waitForFunction((n) => document.querySelector('digit-trainer').session.model?.paramCount === n, expected);
    assert.match(await page.locator('#model-summary').textContent(), /conv2d \(Conv2D\)/);
    await page.waitForFunction(() => /[#&]model=/.test(location.hash));
    await screenshot(page, 'editor-1366x768', { fullPage: false });
    // Another attribute (the host sets epochs) keeps the edited model.
    const edited = await page.evaluate(() => document.querySelector('digit-trainer').settings.model);
    await page.evaluate(() => document.querySelector('digit-trainer').setAttribute('epochs', '2'));
    await page.waitForFunction(() => document.querySelector('digit-trainer').settings.epochs === 2);
    assert.equal(await page.evaluate(() => document.querySelector('digit-trainer').settings.model), edited);
    assert.deepEqual(await classNames(page), ['1. Conv2D', '2. MaxPooling2D', '3. Flatten', '4. Dense']);

    // A few steps of training with it, then Stop.
    assert.equal(await page.locator('#train').isDisabled(), false);
    await page.locator('#train').click();
    await page.waitForFunction(() => document.querySelector('digit-trainer').session.reports.batchGroups >= 3, null, { timeout: 60_000 });
    const end = page.evaluate(() => new Promise((resolve) => document.querySelector('digit-trainer')
      .addEventListener('trainend', (e) => resolve(e.detail), { once: true })));
    await page.locator('#stop').click();
    const detail = await end;
    assert.equal(detail.reason, 'stopped');
    assert.ok(detail.test.accuracy > 0.2, `test accuracy after a few steps: ${detail.test.accuracy}`);
    assert.equal(await page.evaluate(() => document.querySelector('digit-trainer').session.model.paramCount), expected);

    // The link brings the editor back with the same model.
    const hash = await page.evaluate(() => location.hash);
    assert.ok(hash.length < 1200, `the hash is ${hash.length} characters`);
    await page.reload();
    await whenReady(page);
    await settled(page);
    assert.deepEqual(await classNames(page), ['1. Conv2D', '2. MaxPooling2D', '3. Flatten', '4. Dense']);
    assert.equal(await page.locator('#ed-input').inputValue(), '28,28,1');
    assert.equal(await page.locator('#ed-0-kernel_size').inputValue(), '5');
    assert.equal(await total(page).textContent(), `Total: ${expected.toLocaleString('en')} weights in 4 layers.`);
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

// BatchNormalization keeps four weights per feature, two of them not trained: the editor
// counts all four, as Keras' summary (and TF.js' countParams) does.
test('BatchNormalization added in the editor: all four weights counted, as Keras counts them', async () => {
  const { page, errors, close } = await openPage(1366, 768, 'index.html#preset=mlp-128-128&epochs=1');
  try {
    await whenReady(page);
    await page.locator('#edit-model').click();
    await settled(page);
    await page.locator('#ed-class').selectOption('BatchNormalization');
    await page.locator('#ed-add').click();
    await settled(page);
    assert.deepEqual(await classNames(page), ['1. Flatten', '2. Dense', '3. Dense', '4. BatchNormalization', '5. Dense']);
    const model = tf.sequential({ layers: [
      tf.layers.flatten({ inputShape: [28, 28] }),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.batchNormalization(),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ] });
    const expected = model.countParams();
    model.dispose();
    assert.match(await rows(page).nth(3).locator('.dt__layer-out').textContent(), /\(128\), 512 weights/);
    assert.equal(await total(page).textContent(), `Total: ${expected.toLocaleString('en')} weights in 5 layers.`);
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test('a layer that does not fit is named on its row, Train waits and says why; axe-core with the editor open', async () => {
  const { page, errors, close } = await openPage(1366, 768, 'index.html#preset=mlp-128-128');
  try {
    await whenReady(page);
    await buildConvnet(page);
    assert.equal(await page.locator('#train').isDisabled(), false);
    // A 30×30 pool after a 24×24 output.
    await page.locator('#ed-1-pool_size').fill('30');
    await settled(page);
    const pool = rows(page).nth(1);
    assert.match(await pool.getAttribute('class'), /dt__layer--error/);
    assert.match(await pool.locator('.dt__layer-out').textContent(), /Does not fit: .*MaxPooling2D.*30x30/);
    assert.match(await total(page).textContent(), /^Train waits: layer 2 \(MaxPooling2D\) does not fit/);
    assert.equal(await page.locator('#train').isDisabled(), true);
    assert.match(await page.locator('#train').getAttribute('title'), /layer 2 \(MaxPooling2D\)/);
    assert.equal(await page.locator('#ed-1-pool_size').getAttribute('aria-invalid'), 'true');
    await assert.rejects(page.evaluate(() => document.querySelector('digit-trainer').train()), /layer 2 \(MaxPooling2D\)/);
    assert.deepEqual(await axeViolations(page), [], 'axe-core, editor open with an error');
    await screenshot(page, 'editor-1366x768-error', { fullPage: false });

    // Back to 2: it fits again. Then Flatten moved above Conv2D: Conv2D no longer fits.
    await page.locator('#ed-1-pool_size').fill('2');
    await settled(page);
    assert.equal(await page.locator('#train').isDisabled(), false);
    await page.locator('[aria-label="Move layer 3, Flatten up"]').click();
    await page.locator('[aria-label="Move layer 2, Flatten up"]').click();
    // The focus follows the moved layer (its other move button once it is first).
    assert.equal(await page.evaluate(() => document.querySelector('digit-trainer').shadowRoot.activeElement?.getAttribute('aria-label')), 'Move layer 1, Flatten down');
    await settled(page);
    assert.deepEqual(await classNames(page), ['1. Flatten', '2. Conv2D', '3. MaxPooling2D', '4. Dense']);
    assert.match(await rows(page).nth(1).locator('.dt__layer-out').textContent(), /Does not fit: .*\(Conv2D\): expects an input of shape \(height, width, channels\)/);
    assert.match(await rows(page).nth(2).locator('.dt__layer-out').textContent(), /^–$/);
    assert.equal(await page.locator('#train').isDisabled(), true);
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test('a malformed model in the URL says so and falls back to the preset', async () => {
  const { page, errors, close } = await openPage(1366, 768, 'index.html#preset=cnn-16-8&model=%7B%22layers%22%3A%5B');
  try {
    await whenReady(page);
    await page.waitForFunction(() => /model attribute could not be used/.test(document.querySelector('digit-trainer').shadowRoot.textContent));
    assert.equal(await page.evaluate(() => document.querySelector('digit-trainer').settings.model), null);
    assert.equal(await page.locator('#preset').inputValue(), 'cnn-16-8');
    await page.locator('#edit-model').click();
    await settled(page);
    assert.deepEqual(await classNames(page), ['1. Conv2D', '2. Conv2D', '3. Flatten', '4. Dense']);
    assert.equal(await page.locator('#train').isDisabled(), false);
    // Opening the editor changes nothing: the preset stays the model until an edit.
    await page.waitForTimeout(400);
    assert.equal(await page.evaluate(() => document.querySelector('digit-trainer').settings.model), null);
    assert.doesNotMatch(await page.evaluate(() => location.hash), /model=/);
    // The host changes the preset: the editor starts again from it.
    await page.evaluate(() => document.querySelector('digit-trainer').setAttribute('preset', 'mlp-256'));
    await page.waitForFunction(() => document.querySelector('digit-trainer').shadowRoot.querySelectorAll('.dt__layer').length === 2);
    await settled(page);
    assert.deepEqual(await classNames(page), ['1. Dense', '2. Dense']);
    assert.equal(await page.locator('#ed-input').inputValue(), '784');
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

for (const [width, height] of [[820, 1180], [390, 844]]) {
  test(`${width}×${height}: the editor fits, no sideways scrolling, buttons of 32 px`, async () => {
    const { page, errors, close } = await openPage(width, height, 'index.html#preset=cnn-16-8');
    try {
      await whenReady(page);
      await page.locator('#edit-model').click();
      await settled(page);
      const sideways = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(sideways <= 0, `the page is ${sideways} px wider than the screen`);
      const small = await page.evaluate(() => [...document.querySelector('digit-trainer').shadowRoot.querySelectorAll('.dt__editor button, .dt__editor input, .dt__editor select')]
        .map((el) => [el.id || el.getAttribute('aria-label'), el.getBoundingClientRect()]).filter(([, r]) => r.height > 0 && r.height < 31.5).map(([n, r]) => `${n} ${r.height}`));
      assert.deepEqual(small, []);
      await page.locator('.dt__editor').scrollIntoViewIfNeeded();
      await screenshot(page, `editor-${width}x${height}`, { fullPage: false });
      assert.deepEqual(await axeViolations(page), []);
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });
}
