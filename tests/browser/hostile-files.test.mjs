// 100 hostile model files in a row through the page's Load model path (the worker, the
// WASM module, the TF.js converter module), then good ones: each bad file is refused with a
// message, and afterwards a good model file and good TF.js files load and predict as before
// (issue #18: ~27 deep TF.js files used to leave the converter failing with "memory access
// out of bounds" until a reload).
//   node --test tests/browser/hostile-files.test.mjs   (after scripts/build-web.sh)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser } from './harness.mjs';

const PAGE = 'index.html#preset=mlp-256&epochs=1';
let session;
let page;

before(async () => {
  session = await openBrowser({ root: process.env.DIGITRAIN_WEB_ROOT });
  page = session.page;
  await page.goto(session.url + PAGE);
  // The page at rest (MNIST in, its model made) before the files come: what this test judges
  // is the readers, not requests raced against the page's start-up.
  await page.waitForFunction(() => window.digitrain?.session?.dataReady && window.digitrain.session.model, null, { timeout: 120_000 });
});

after(async () => {
  await session?.close();
});

const nested = (depth, inner = '1') => '['.repeat(depth) + inner + ']'.repeat(depth);

// Model files (text) and TF.js model.json + shard variants made from the good ones.
function hostileFiles(goodFile, goodTfjs) {
  const good = JSON.parse(goodFile);
  const edited = (edit) => {
    const d = structuredClone(good);
    edit(d);
    return JSON.stringify(d);
  };
  const modelJson = JSON.parse(goodTfjs.modelJson);
  const tfjsEdited = (edit) => {
    const d = structuredClone(modelJson);
    edit(d);
    return JSON.stringify(d);
  };
  const files = [];
  const file = (name, text) => files.push({ name, text });
  // Shards travel as recipes ('good', {slice: n}, {length: n, fill: byte}), not bytes: the
  // page builds them from the good shard, which crosses into the page once.
  const tfjs = (name, text, shard = 'good') => files.push({ name, text, shard });
  for (const depth of [65, 100, 1000, 5000, 20000]) {
    file(`deep-${depth}.json`, `{"format": "digitrain-model", "version": 1, "extra": ${nested(depth)}}`);
    file(`deep-layer-${depth}.json`, edited((d) => { d.layers[0].config.extra = 0; }).replace('"extra":0', `"extra":${nested(depth)}`));
    tfjs(`deep-tfjs-${depth}.json`, tfjsEdited((d) => { d.modelTopology.config.layers[1].config.extra = 0; })
      .replace('"extra":0', `"extra":${nested(depth)}`));
    tfjs(`deep-top-${depth}.json`, nested(depth));
  }
  file('truncated.json', goodFile.slice(0, goodFile.length / 2));
  file('empty.json', '');
  file('number.json', '1e389');
  file('string.json', '"model"');
  file('huge-dense.json', JSON.stringify({
    format: 'digitrain-model', version: 1, name: 'x', input_shape: [784],
    layers: [{ class_name: 'Dense', config: { units: 300000, activation: 'softmax' } }],
    weights: [{ name: 'dense/kernel', shape: [1], data: '' }, { name: 'dense/bias', shape: [1], data: '' }],
  }));
  file('huge-input.json', edited((d) => { d.input_shape = [65536, 65536]; }));
  file('input-4e99.json', edited((d) => { d.input_shape = [4e99]; }));
  file('units-string.json', edited((d) => { d.layers[1].config.units = 'many'; }));
  file('layers-string.json', edited((d) => { d.layers = 'dense'; }));
  file('weights-number.json', edited((d) => { d.weights = 5; }));
  file('weight-short.json', edited((d) => { d.weights[0].data = 'AAAA'; }));
  file('weight-bad-base64.json', edited((d) => { d.weights[1].data = '!!!!'; }));
  file('weight-shape.json', edited((d) => { d.weights[0].shape = [2147483648, 2]; }));
  file('weights-missing.json', edited((d) => { d.weights.pop(); }));
  file('optimizer-number.json', edited((d) => { d.compile.optimizer = 12; }));
  file('fit-nested.json', edited((d) => { d.fit = { validation: { mode: ['split'] } }; }));
  tfjs('tfjs-1e389.json', '1e389');
  tfjs('tfjs-truncated.json', goodTfjs.modelJson.slice(0, 200));
  tfjs('tfjs-no-shard.json', goodTfjs.modelJson, 'none');
  tfjs('tfjs-short-shard.json', goodTfjs.modelJson, { slice: 100 });
  tfjs('tfjs-long-shard.json', goodTfjs.modelJson, { length: goodTfjs.weights.length + 4, fill: 0 });
  tfjs('tfjs-nan.json', goodTfjs.modelJson, { length: goodTfjs.weights.length, fill: 0xff });
  tfjs('tfjs-1gib-claim.json', tfjsEdited((d) => {
    d.modelTopology.config.layers[1].config.units = 300000;
    d.weightsManifest[0].weights[0].shape = [784, 300000];
  }));
  tfjs('tfjs-units-huge.json', tfjsEdited((d) => { d.modelTopology.config.layers[1].config.units = 2 ** 31; }));
  tfjs('tfjs-dtype.json', tfjsEdited((d) => { d.weightsManifest[0].weights[0].dtype = 'complex64'; }));
  tfjs('tfjs-shape-string.json', tfjsEdited((d) => { d.weightsManifest[0].weights[0].shape = 'big'; }));
  tfjs('tfjs-paths-escape.json', tfjsEdited((d) => { d.weightsManifest[0].paths = ['../../etc/passwd']; }));
  tfjs('tfjs-layers-object.json', tfjsEdited((d) => { d.modelTopology.config.layers = { a: 1 }; }));
  tfjs('tfjs-class.json', tfjsEdited((d) => { d.modelTopology.class_name = 'Functional'; }));
  tfjs('tfjs-input-huge.json', tfjsEdited((d) => { d.modelTopology.config.layers[0].config.batch_input_shape = [null, 1e300]; }));
  tfjs('tfjs-manifest-number.json', tfjsEdited((d) => { d.weightsManifest = 7; }));
  tfjs('tfjs-bad-utf8.json', goodTfjs.modelJson.replace('"Sequential"', '"Seq\ud800"'));
  // Fill up to 100 with repeats of the deepest and the largest claims.
  const worst = files.filter((f) => /deep-(tfjs|top)-20000|1gib|huge-dense/.test(f.name));
  for (let i = 0; files.length < 100; i++) files.push({ ...worst[i % worst.length], name: `again-${i}-${worst[i % worst.length].name}` });
  return files;
}

test('100 hostile files in a row are refused; then good files load and predict', { timeout: 300_000 }, async () => {
  // The page's model when it has one (the small model trained at build time).
  const good = await page.evaluate(async () => {
    const { session } = window.digitrain;
    for (let i = 0; ; i++) {
      try {
        const file = await session.saveModel();
        const saved = await session.saveModelTfjs();
        return { file, modelJson: saved.modelJson, weightsPath: saved.weightsPath, weights: Array.from(new Uint8Array(saved.weights)) };
      } catch (e) {
        if (i > 100) throw e;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  });
  const goodTfjs = { modelJson: good.modelJson, weightsPath: good.weightsPath, weights: Uint8Array.from(good.weights) };
  const files = hostileFiles(good.file, goodTfjs);
  assert.equal(files.length, 100);

  const result = await page.evaluate(async ({ files, good }) => {
    const { session } = window.digitrain;
    const goodShard = Uint8Array.from(good.weights);
    const shardFiles = (recipe) => {
      if (!recipe) return undefined; // a model file, not TF.js
      if (recipe === 'none') return {};
      const bytes = recipe === 'good' ? goodShard
        : recipe.slice !== undefined ? goodShard.slice(0, recipe.slice) : new Uint8Array(recipe.length).fill(recipe.fill);
      return { [good.weightsPath]: bytes };
    };
    const pixels = new Uint8Array(784 * 4);
    for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 37) % 256;
    const before = Array.from(await session.predictImages(pixels, 4));
    const refusals = [];
    for (const f of files) {
      try {
        await session.loadModel(f.text, shardFiles(f.shard));
        refusals.push({ name: f.name, error: null });
      } catch (e) {
        refusals.push({ name: f.name, error: String(e.message ?? e) });
      }
    }
    // The model in place predicts as before; the good files load and predict the same.
    const kept = Array.from(await session.predictImages(pixels, 4));
    await session.loadModel(good.file);
    const reloaded = Array.from(await session.predictImages(pixels, 4));
    await session.loadModel(good.modelJson, shardFiles('good'));
    const fromTfjs = Array.from(await session.predictImages(pixels, 4));
    const again = await session.saveModelTfjs();
    return { refusals, before, kept, reloaded, fromTfjs, againBytes: again.weights.byteLength };
  }, { files, good });

  assert.equal(result.refusals.length, 100);
  for (const r of result.refusals) {
    assert.ok(r.error, `${r.name} was accepted`);
    assert.doesNotMatch(r.error, /internal error|memory access out of bounds|Maximum call stack|unreachable|out of memory|RuntimeError/,
      `${r.name}: ${r.error}`);
  }
  assert.match(result.refusals.find((r) => r.name === 'deep-tfjs-20000.json').error, /JSON nested more than 64 levels deep/);
  assert.match(result.refusals.find((r) => r.name === 'tfjs-1e389.json').error, /not valid JSON/);
  assert.match(result.refusals.find((r) => r.name === 'huge-dense.json').error, /holds 0 bytes, its shape \[784,300000\]/);
  const close = (a, b) => a.length === b.length && a.every((v, i) => Math.abs(v - b[i]) < 1e-6);
  assert.ok(close(result.kept, result.before), 'the model in place is unchanged');
  assert.ok(close(result.reloaded, result.before), 'the good model file loads and predicts the same');
  assert.ok(close(result.fromTfjs, result.before), 'the good TF.js files load and predict the same');
  assert.ok(result.againBytes > 0, 'the converter still saves');
  assert.deepEqual(session.errors, []);
});
