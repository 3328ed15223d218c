// The formats module (TF.js Layers files <-> model files) under Node, as the worker uses it
// with the training module: real TF.js reads what it writes, and the reverse.
//   node --test tests/wasm/formats.test.mjs   (after scripts/build.sh wasm)
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initTfjsCpu } from '../../scripts/lib/tfjs-from-description.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const build = process.env.DIGITRAIN_WASM_DIR ?? join(root, 'build/wasm');
const mnistFile = (name) => new Uint8Array(readFileSync(join(root, 'data/mnist', name)));

let dt;
let formats;
let tf;
let session;
const count = 20;
let pixels;
before(async () => {
  const { default: createDigitrain } = await import(join(build, 'digitrain.mjs'));
  const { default: createFormats } = await import(join(build, 'digitrain-formats.mjs'));
  dt = await createDigitrain({ wasmBinary: readFileSync(join(build, 'digitrain.wasm')) });
  formats = await createFormats({ wasmBinary: readFileSync(join(build, 'digitrain-formats.wasm')) });
  tf = await initTfjsCpu();
  session = new dt.Session();
  const mnist = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];
  assert.equal(session.loadData(...mnist.map(mnistFile)).ok, true);
  pixels = mnistFile('t10k-images-idx3-ubyte').subarray(16, 16 + 784 * count);
});

const preset = (name) => JSON.parse(dt.presetText(name).text);

// A TF.js IOHandler over files held in memory, as tf.io.fromMemory but for the Layers
// format's two files.
function tfjsModelFromFiles(modelJson, weights) {
  const parsed = JSON.parse(modelJson);
  return tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: parsed.modelTopology,
    weightSpecs: parsed.weightsManifest.flatMap((group) => group.weights),
    weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
  }));
}

function tfjsPredictions(model, scale) {
  const inputShape = model.inputs[0].shape.slice(1);
  const x = tf.tensor(Float32Array.from(pixels, (p) => p / scale), [count, ...inputShape]);
  return model.predict(x).dataSync();
}

function assertClose(actual, expected, what) {
  assert.equal(actual.length, expected.length, what);
  for (let i = 0; i < actual.length; i++)
    assert.ok(Math.abs(actual[i] - expected[i]) < 1e-5, `${what}: value ${i}: ${actual[i]} vs ${expected[i]}`);
}

for (const name of ['mlp-128-128', 'cnn-16-8']) {
  test(`${name}: the page's TF.js export loads in TF.js and predicts as Digitrain does, and comes back`, async () => {
    assert.equal(session.createModel(preset(name), 3).ok, true);
    assert.equal(session.startTraining({ epochs: 1, limit: 2000 }).ok, true);
    while (session.trainSteps(100).running);
    const ours = session.predict(pixels, count);
    const { file } = session.saveModel();

    const exported = formats.modelFileToTfjs(file);
    assert.equal(exported.ok, true, exported.error);
    assert.equal(exported.weightsPath, 'group1-shard1of1.bin');
    const model = await tfjsModelFromFiles(exported.modelJson, exported.weights);
    assertClose(tfjsPredictions(model, file.fit?.pixel_scale ?? 255), ours, `TF.js on the exported ${name}`);

    const back = formats.tfjsToModelFile(exported.modelJson, { 'group1-shard1of1.bin': exported.weights });
    assert.equal(back.ok, true, back.error);
    const other = new dt.Session();
    try {
      assert.equal(other.loadModel(back.file).ok, true);
      assertClose(other.predict(pixels, count), ours, `${name} after the round trip`);
    } finally {
      other.delete();
    }
  });
}

test('bad TF.js input and bad model files are named, not thrown', () => {
  assert.equal(session.createModel(preset('mlp-256'), 1).ok, true);
  const { file } = session.saveModel();
  const exported = formats.modelFileToTfjs(file);
  assert.match(formats.tfjsToModelFile(exported.modelJson, {}).error,
    /model.json needs the weights file 'group1-shard1of1.bin': pick or drop it together with model.json/);
  assert.match(formats.tfjsToModelFile(exported.modelJson, { 'group1-shard1of1.bin': exported.weights.subarray(0, 100) }).error,
    /^model.json: .*group1-shard1of1.bin/);
  assert.match(formats.tfjsToModelFile('{"modelTopology": ', {}).error, /^model.json: /);
  assert.match(formats.modelFileToTfjs({ format: 'digitrain-model' }).error, /^model file: missing 'input_shape'/);
  assert.match(formats.modelFileToTfjs('not an object').error, /^model file: /);
});

// Issue #18: after ~27 TF.js files nested a few thousand deep, every later conversion failed
// with "memory access out of bounds" until a reload. Now the depth is refused while parsing,
// and 100 such files leave the module converting good files as before.
test('100 deep, huge and broken TF.js files in a row, then a good one converts', () => {
  assert.equal(session.createModel(preset('mlp-256'), 1).ok, true);
  const { file } = session.saveModel();
  const good = formats.modelFileToTfjs(file);
  const shard = { 'group1-shard1of1.bin': good.weights };
  const nested = (depth) => '['.repeat(depth) + ']'.repeat(depth);
  const claim = JSON.parse(good.modelJson);
  claim.modelTopology.config.layers[1].config.units = 300000;
  claim.weightsManifest[0].weights[0].shape = [784, 300000];
  const hostile = [
    (i) => `{"format": "layers-model", "modelTopology": ${nested(1000 + 500 * i)}}`,
    (i) => good.modelJson.replace('"units":', `"extra": ${nested(5000 + 50 * i)}, "units":`),
    () => JSON.stringify(claim),
    () => '1e389',
    (i) => good.modelJson.slice(0, 50 + i),
  ];
  for (let i = 0; i < 100; i++) {
    const r = formats.tfjsToModelFile(hostile[i % hostile.length](i), shard);
    assert.equal(r.ok, false, `file ${i} was accepted`);
    assert.match(r.error, /^model\.json: /, `file ${i}: ${r.error}`);
  }
  assert.match(formats.tfjsToModelFile(hostile[0](50), shard).error, /JSON nested more than 64 levels deep/);
  assert.match(formats.tfjsToModelFile('1e389', shard).error, /not valid JSON: number overflow/);
  const converted = formats.tfjsToModelFile(good.modelJson, shard);
  assert.equal(converted.ok, true, converted.error);
  assert.deepEqual(converted.file.weights, file.weights);
});
