// The page's WASM module through its Embind API, under Node: what the worker relies on
// (docs/wasm-api.md), with real MNIST and bad input.
//   node --test tests/wasm/module.test.mjs   (after scripts/build.sh wasm)
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const build = process.env.DIGITRAIN_WASM_DIR ?? join(root, 'build/wasm');
const mnistFile = (name) => new Uint8Array(readFileSync(join(root, 'data/mnist', name)));

let dt;
let mnist;
before(async () => {
  const { default: createDigitrain } = await import(join(build, 'digitrain.mjs'));
  dt = await createDigitrain({ wasmBinary: readFileSync(join(build, 'digitrain.wasm')) });
  mnist = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'].map(mnistFile);
});

function withSession(fn) {
  const session = new dt.Session();
  try {
    return fn(session);
  } finally {
    session.delete();
  }
}

// A preset's model description, parsed as the page parses it.
const preset = (name) => JSON.parse(dt.presetText(name).text);

test('presets are listed and their descriptions parse', () => {
  const names = dt.presetNames();
  assert.deepEqual(names, ['cnn-16-8', 'fashion-mlp-128', 'keras-convnet', 'mlp-128-128', 'mlp-256', 'mlp-300-100', 'tfjs-convnet']);
  assert.equal(preset('mlp-256').name, 'mlp-256');
  assert.match(dt.presetText('nope').error, /unknown preset 'nope'/);
});

// docs/architecture.md, "The WASM build's size": the page's module writes no JSON text
// (json::dump and its serializer, 8 KB) and formats no float with printf (5 KB). Each
// leaves a string of its own in the module's data, which the TF.js converter still has.
test('the page module has no JSON serializer and no floating-point printf', () => {
  const bytes = readFileSync(join(build, 'digitrain.wasm')).toString('latin1');
  const formats = readFileSync(join(build, 'digitrain-formats.wasm')).toString('latin1');
  for (const [what, marker] of [['nlohmann::json\'s serializer (dump)', 'incomplete UTF-8 string; last byte'],
    ['the C library\'s floating-point printf', '-0X+0X 0X-0x+0x 0x']]) {
    assert.ok(formats.includes(marker), `the marker of ${what} is no longer in the converter; pick another`);
    assert.ok(!bytes.includes(marker), `digitrain.wasm contains ${what}`);
  }
});

test('train mlp-128-128 for one epoch in slices, as the worker does, and reach 0.95', () => {
  withSession((s) => {
    assert.deepEqual(s.loadData(...mnist), { ok: true, trainCount: 60000, testCount: 10000 });
    const model = s.createModel(preset('mlp-128-128'), 1);
    assert.equal(model.ok, true);
    assert.equal(model.paramCount, 118282);
    assert.match(model.summary, /Total params: 118,282/);
    const started = s.startTraining({ epochs: 1 });
    assert.equal(started.stepsPerEpoch, 1875);
    let result;
    let calls = 0;
    do {
      result = s.trainSteps(200);
      assert.equal(result.ok, true);
      calls++;
    } while (result.running);
    assert.equal(calls, 10);
    assert.equal(result.totalSteps, 1875);
    assert.equal(result.epochs.length, 1);
    assert.ok(result.epochs[0].accuracy > 0.9);
    const test = s.evaluateTest();
    assert.ok(test.accuracy >= 0.95, `test accuracy ${test.accuracy}`);

    // Predict a batch: rows of probabilities summing to 1, mostly right.
    const pixels = mnist[2].subarray(16, 16 + 784 * 100);
    const probs = s.predict(pixels, 100);
    assert.equal(probs.length, 1000);
    let right = 0;
    for (let i = 0; i < 100; i++) {
      const row = Array.from(probs.subarray(i * 10, i * 10 + 10));
      assert.ok(Math.abs(row.reduce((a, b) => a + b) - 1) < 1e-4);
      right += row.indexOf(Math.max(...row)) === s.testLabel(i);
    }
    assert.ok(right >= 90, `${right} of 100`);

    // Save, load into another session: the same predictions.
    const saved = s.saveModel().file;
    withSession((other) => {
      assert.equal(other.loadModel(saved).ok, true);
      assert.deepEqual(Array.from(other.predict(pixels, 100)), Array.from(probs));
    });
  });
});

// The TF.js example's convnet as the page trains it: RMSprop, batch 320, strided pooling.
// Natively 6,400 images (20 steps) reach test accuracy 0.70 with seed 1.
test('tfjs-convnet trains with RMSprop in slices and learns', () => {
  withSession((s) => {
    assert.equal(s.loadData(...mnist).ok, true);
    const description = preset('tfjs-convnet');
    assert.equal(description.compile.optimizer.class_name, 'RMSprop');
    const model = s.createModel(description, 1);
    assert.equal(model.ok, true, model.error);
    assert.equal(model.paramCount, 33194);
    assert.equal(s.startTraining({ epochs: 1, limit: 6400 }).ok, true);
    let result;
    do result = s.trainSteps(5); while (result.ok && result.running);
    assert.equal(result.ok, true, result.error);
    const test = s.evaluateTest();
    assert.ok(test.accuracy > 0.6, `test accuracy ${test.accuracy} after 20 RMSprop steps`);
  });
});

test('the learning rate changes while training runs, and a diverging run keeps good weights', () => {
  withSession((s) => {
    s.loadData(...mnist);
    s.createModel(preset('mlp-300-100'), 1);
    s.startTraining({ epochs: 1, limit: 16000 });
    assert.equal(s.trainSteps(320).running, true);
    assert.equal(s.setLearningRate(1000).learningRate, 1000);
    assert.match(s.setLearningRate(-1).error, /learning rate must be a positive number/);
    let result;
    do result = s.trainSteps(50); while (result.running);
    assert.match(result.error, /^the loss (rose from 0\.\d+ to [\d.]+ in \d+ steps?|became NaN at epoch 1, step \d+): the learning rate 1000 is far too high; try 0\.01$/);
    // The best weights: a checkpoint (every 100 steps) from before the raise at step 320.
    assert.ok([200, 300].includes(result.restoredStep), `restored step ${result.restoredStep}`);
    const kernel = s.weights(0);
    assert.equal(kernel.length, 784 * 300);
    assert.ok(kernel.every(Number.isFinite), 'the kept weights are finite');
    assert.ok(s.evaluateTest().accuracy > 0.5, 'and still a working model');
  });
});

test('the test set in chunks gives the figures of one evaluation; a put-aside model comes back', () => {
  withSession((s) => {
    s.loadData(...mnist);
    s.createModel(preset('mlp-128-128'), 1);
    s.startTraining({ epochs: 1, limit: 3200 });
    while (s.trainSteps(100).running);
    const whole = s.evaluateTest();
    let lossSum = 0;
    let correct = 0;
    for (let start = 0; start < 10000; start += 700) {
      const r = s.evaluateTestRange(start, 700);
      assert.equal(r.count, Math.min(700, 10000 - start));
      lossSum += r.loss * r.count;
      correct += Math.round(r.accuracy * r.count);
    }
    assert.ok(Math.abs(lossSum / 10000 - whole.loss) < 1e-9);
    assert.equal(correct / 10000, whole.accuracy);
    assert.equal(s.evaluateTestRange(9990, 100).count, 10, 'clipped to the test set');
    assert.equal(s.evaluateTestRange(20000, 5).count, 0);

    const trained = s.saveModel().file;
    assert.equal(s.stashModel().stashed, true);
    assert.match(s.saveModel().error, /no model yet/, 'put aside: no current model');
    assert.equal(s.createModel(preset('mlp-256'), 2).ok, true);
    assert.equal(s.swapStash().name, 'mlp-128-128');
    assert.deepEqual(s.saveModel().file, trained, 'the same weights back');
    assert.equal(s.swapStash().name, 'mlp-256', 'and the other one is put aside');
    assert.equal(s.swapStash().name, 'mlp-128-128');
    s.dropStash();
    assert.match(s.swapStash().error, /no model was put aside/);
    assert.equal(s.evaluateTest().accuracy, whole.accuracy);
  });
});

test('bad input gives messages, and what the user had stays', () => {
  withSession((s) => {
    assert.match(s.startTraining({}).error, /no model yet/);
    assert.equal(s.predict(new Uint8Array(784), 1).length, 0);
    // A truncated training file.
    const truncated = mnist[0].subarray(0, 1000);
    assert.match(s.loadData(truncated, mnist[1], mnist[2], mnist[3]).error,
      /train-images-idx3-ubyte: truncated/);
    // Labels given as images.
    assert.match(s.loadData(mnist[1], mnist[1], mnist[2], mnist[3]).error, /magic 0x00000801, expected 0x00000803/);
    // No files at all: an answer, not a TypeError from inside the module.
    assert.match(s.loadData(null, undefined, null, null).error, /train-images-idx3-ubyte: 0 bytes/);
    assert.match(s.createModel('{"layers": []}', 1).error, /a model description must be a JSON object/);
    assert.match(s.createModel({ layers: new Float32Array(2) }, 1).error, /model description: expected JSON data .* found Float32Array/);
    const loop = { layers: [] };
    loop.layers.push(loop);
    assert.match(s.createModel(loop, 1).error, /model description: nested more than 64 levels deep/);
    assert.match(s.createModel({ input_shape: [NaN] }, 1).error, /NaN or Infinity/);
    assert.equal(s.createModel(preset('mlp-256'), 1).ok, true);
    const before = s.saveModel().file;
    assert.match(s.loadModel({ format: 'digitrain-model' }).error, /missing 'input_shape'/);
    const broken = structuredClone(before);
    broken.weights[0].shape = [784, 255];
    assert.match(s.loadModel(broken).error, /has shape \[784,255\], the model needs \[784,256\]/);
    assert.deepEqual(s.saveModel().file, before, 'a failed load keeps the current model');
    assert.match(s.startTraining({}).error, /no data loaded yet/);
    assert.match(s.trainSteps(1).error, /training has not been started/);
  });
});

test('model descriptions cross as JavaScript values: what JSON.parse gives is taken, anything else is named', () => {
  withSession((s) => {
    const good = preset('mlp-256');
    // Null prototype, members set to undefined (dropped, as JSON.stringify does), -0 and
    // whole floats, which JSON.parse gives as integers.
    const bare = Object.assign(Object.create(null), good, { comment: undefined });
    bare.input_shape = [784.0];
    assert.equal(s.createModel(bare, 1).ok, true);
    assert.equal(s.createModel({ ...good, fit: { ...good.fit, epochs: -0 } }, 1).ok, true);
    const huge = 2 ** 53;
    assert.match(s.createModel({ ...good, input_shape: [huge] }, 1).error, /'input_shape' \[9007199254740992\] must hold positive integers/);
    assert.match(s.createModel({ ...good, input_shape: [huge + 2] }, 1).error, /must hold positive integers/, 'beyond 2^53: a float');
    assert.match(s.createModel({ ...good, layers: [, good.layers[0]] }, 1).error, /expected JSON data .* found undefined/, 'a hole'); // eslint-disable-line no-sparse-arrays
    const noConstructor = Object.assign(Object.create({ constructor: null }), good);
    assert.match(s.createModel(noConstructor, 1).error, /found object/);
    assert.match(s.createModel({ ...good, layers: new Array(2 ** 31) }, 1).error, /holds an array of more than 1048576 values/);
    // A small value that names the same parts again and again unfolds into 2^40 paths.
    let shared = [1];
    for (let i = 0; i < 40; i++) shared = [shared, shared];
    assert.match(s.createModel({ ...good, layers: shared }, 1).error, /more than 1048576 values/);
    assert.deepEqual(s.paramInfo().map((p) => p.name), ['dense/kernel', 'dense/bias', 'dense_1/kernel', 'dense_1/bias'],
      'the last good model stays');
  });
});

test('predict takes longer arrays and plain arrays, and calls of any size give the same answers', () => {
  withSession((s) => {
    assert.equal(s.createModel(preset('mlp-128-128'), 4).ok, true);
    const images = mnist[2].subarray(16, 16 + 784 * 50);
    const three = s.predict(images.subarray(0, 784 * 3), 3);
    assert.deepEqual(s.predict(images, 3), three, 'the first 3 of 50 images');
    const fifty = s.predict(images, 50);
    assert.equal(fifty.length, 500);
    assert.deepEqual(fifty.subarray(0, 30), three, 'a larger call after a smaller one');
    assert.deepEqual(s.predict(images.subarray(0, 784 * 3), 3), three, 'and a smaller one after it');
    assert.deepEqual(s.predict(Array.from(images.subarray(0, 784 * 6)), 3), three, 'a plain array, longer than needed');
    assert.equal(s.predict(images.subarray(0, 783), 1).length, 0, 'too few pixels');
  });
});

test('preprocessDigit centres and scales a stroke', () => {
  const w = 100;
  const ink = new Float32Array(w * w);
  for (let y = 5; y < 45; y++) for (let x = 10; x < 20; x++) ink[y * w + x] = 1;
  const img = dt.preprocessDigit(ink, w, w);
  assert.equal(img.length, 784);
  let rows = new Set();
  let mass = 0;
  let cy = 0;
  for (let i = 0; i < 784; i++) if (img[i]) { rows.add(Math.floor(i / 28)); mass += img[i]; cy += img[i] * (Math.floor(i / 28) + 0.5); }
  assert.equal(rows.size, 20);
  assert.ok(Math.abs(cy / mass - 14) < 0.6);
  assert.equal(dt.preprocessDigit(new Float32Array(10), 100, 100).length, 0, 'too few values');
  assert.equal(dt.preprocessDigit({}, 10, 10).length, 0, 'no values at all');
});

test('a failed call changes nothing: bad training options, bad data, absurd sizes', () => {
  withSession((s) => {
    s.loadData(...mnist);
    s.createModel(preset('mlp-128-128'), 1);
    const before = s.saveModel().file;
    assert.match(s.startTraining({ optimizer: { class_name: 'SGD', config: { learning_rate: 0.5 } }, limit: -1 }).error,
      /--limit must not be negative/);
    assert.deepEqual(s.saveModel().file, before, 'the optimizer was not swapped by the failed start');
    assert.match(s.loadData(mnist[0].subarray(0, 100), mnist[1], mnist[2], mnist[3]).error, /truncated/);
    assert.equal(s.evaluateTest().ok, true, 'the data loaded before is still there');
    assert.equal(s.predict(new Uint8Array(784), 5478275).length, 0);
    assert.equal(dt.preprocessDigit(new Float32Array(16), 65536, 65536).length, 0);
    // A model too large for the heap is refused with a message, and the session lives on.
    const huge = preset('cnn-16-8');
    huge.input_shape = [784, 1, 1];
    huge.layers[0].config = { name: 'wide', filters: 65536, kernel_size: [1, 1] };
    huge.layers[1].config = { name: 'narrow', filters: 1, kernel_size: [1, 1] };
    assert.equal(s.createModel(huge, 1).ok, true);
    assert.match(s.startTraining({ batchSize: 4096 }).error, /larger than this build allows/);
    assert.equal(s.createModel(preset('mlp-128-128'), 1).ok, true);
    assert.equal(s.evaluateTest().ok, true);
  });
});

test('layerOutputs gives each layer\'s output for one image; predictTestLabels agrees with predict', () => {
  withSession((s) => {
    assert.equal(s.layerOutputs(new Uint8Array(784)).length, 0, 'no model: no outputs');
    assert.equal(s.predictTestLabels(0, 10).length, 0, 'no model or data: no labels');
    s.loadData(...mnist);
    assert.equal(s.createModel(preset('cnn-16-8'), 2).ok, true);
    const image = s.testImage(3);
    const outputs = s.layerOutputs(image);
    assert.deepEqual(outputs.map((o) => o.className), ['Conv2D', 'Conv2D', 'Flatten', 'Dense']);
    assert.deepEqual(outputs[0].shape, [26, 26, 16]);
    assert.deepEqual(outputs[1].shape, [24, 24, 8]);
    for (const o of outputs) assert.equal(o.values.length, o.shape.reduce((a, b) => a * b, 1));
    const probs = s.predict(image, 1);
    outputs[3].values.forEach((p, i) => assert.ok(Math.abs(p - probs[i]) < 1e-6));
    assert.equal(s.layerOutputs(new Uint8Array(10)).length, 0, 'too few pixels: nothing');
    // Values without a numeric length hold no pixels (their length is NaN to the module).
    for (const notPixels of [{}, 5, 'abc', null, undefined, { length: 'x' }]) {
      assert.equal(s.predict(notPixels, 1).length, 0, `predict(${JSON.stringify(notPixels)}, 1)`);
      assert.equal(s.layerOutputs(notPixels).length, 0, `layerOutputs(${JSON.stringify(notPixels)})`);
    }

    const count = 100;
    const pixels = new Uint8Array(count * 784);
    for (let i = 0; i < count; i++) pixels.set(s.testImage(i), i * 784);
    const all = s.predict(pixels, count);
    const labels = s.predictTestLabels(0, count);
    assert.equal(labels.length, count);
    for (let i = 0; i < count; i++) {
      const row = Array.from(all.subarray(i * 10, i * 10 + 10));
      assert.equal(labels[i], row.indexOf(Math.max(...row)), `image ${i}`);
    }
    assert.equal(s.predictTestLabels(9990, 50).length, 10, 'clipped at the end of the test set');
    assert.equal(s.predictTestLabels(-1, 5).length, 0);
    assert.equal(s.predictTestLabels(10000, 5).length, 0);
  });
});

// My digits (issue 15): an IDX pair read by the core's reader, and extra images mixed into
// the next runs' training images (training/mixing.h), as the page's fine-tuning does.
test('readIdxPair checks an IDX pair as --extra-data does; setExtraImages mixes images into the next run', () => {
  const [, , testImages, testLabels] = mnist;
  const pair = dt.readIdxPair(testImages, testLabels, 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte');
  assert.equal(pair.ok, true);
  assert.deepEqual([pair.count, pair.rows, pair.cols, pair.pixels.length, pair.labels.length], [10000, 28, 28, 7840000, 10000]);
  assert.deepEqual(Array.from(pair.labels.subarray(0, 5)), [7, 2, 1, 0, 4]);
  assert.match(dt.readIdxPair(testImages.subarray(0, 1000), testLabels, 'mine-images', 'mine-labels').error, /^mine-images: truncated/);
  assert.match(dt.readIdxPair(testLabels, testLabels, 'mine-images', 'mine-labels').error, /^mine-images: magic 0x00000801, expected 0x00000803/);
  const badLabels = testLabels.slice(0, 8 + 10000);
  badLabels[8 + 3] = 12;
  assert.match(dt.readIdxPair(testImages, badLabels, 'a', 'mine-labels').error, /^mine-labels: label 12 at index 3, expected 0-9/);

  withSession((s) => {
    s.loadData(...mnist);
    assert.equal(s.createModel(preset('mlp-128-128'), 1).ok, true);
    const pixels = pair.pixels.slice(0, 20 * 784);
    const labels = pair.labels.slice(0, 20);
    // Refused: a label out of 0..9, or fewer pixels than the labels need; nothing changes.
    assert.match(s.setExtraImages(pixels, Uint8Array.from([...labels.subarray(0, 19), 10])).error, /^My digits: label 10 at index 19/);
    assert.match(s.setExtraImages(pixels.subarray(0, 784), labels).error, /^My digits: 20 labels but fewer images/);
    assert.equal(s.startTraining({ epochs: 1, limit: 3200 }).extraCopies, 0);
    // 20 images among 3,200: each repeated 40 times, so that they are a fifth of the run.
    assert.deepEqual(s.setExtraImages(pixels, labels), { ok: true, count: 20 });
    const mixed = s.startTraining({ epochs: 1, limit: 3200 });
    assert.deepEqual([mixed.extraCopies, mixed.trainCount], [40, 3200 + 20 * 40]);
    assert.equal(s.trainSteps(10).ok, true);
    // Every preset trains on the mixed images (a fine-tuning continues whichever model is there).
    for (const name of dt.presetNames()) {
      assert.equal(s.createModel(preset(name), 1).ok, true, name);
      const run = s.startTraining({ epochs: 1, limit: 3200, batchSize: 32 });
      assert.equal(run.extraCopies, 40, name);
      const steps = s.trainSteps(3);
      assert.equal(steps.ok, true, `${name}: ${steps.error}`);
      assert.ok(Number.isFinite(steps.loss), name);
    }
    // Empty arrays: the dataset alone again.
    assert.deepEqual(s.setExtraImages(new Uint8Array(0), new Uint8Array(0)), { ok: true, count: 0 });
    assert.deepEqual([s.startTraining({ epochs: 1, limit: 3200 }).extraCopies, s.startTraining({ epochs: 1, limit: 3200 }).trainCount], [0, 3200]);
  });
});

test('planModel answers for the model editor: shapes and weights per layer, the misfit with its layer\'s index', () => {
  for (const name of dt.presetNames()) {
    const plan = dt.planModel(preset(name));
    assert.equal(plan.ok, true, name);
    assert.equal(plan.error, undefined, `${name}: ${plan.error}`);
    const info = withSession((s) => s.createModel(preset(name), 1));
    assert.equal(plan.paramCount, info.paramCount, name);
    assert.deepEqual(plan.layers.map((l) => [l.className, l.outputShape, l.params]), info.layers.map((l) => [l.className, l.outputShape, l.params]), name);
  }
  const d = preset('cnn-16-8');
  d.layers.splice(0, 0, { class_name: 'Flatten' }); // Conv2D after Flatten: layer 1
  const plan = dt.planModel(d);
  assert.equal(plan.ok, true);
  assert.equal(plan.errorLayer, 1);
  assert.match(plan.error, /\(Conv2D\): expects an input of shape \(height, width, channels\)/);
  assert.deepEqual(plan.layers.map((l) => l.outputShape), [[784]]);
  assert.equal(dt.planModel({ layers: [] }).errorLayer, -1);
  assert.equal(dt.planModel(() => 1).ok, false); // not JSON data
});
