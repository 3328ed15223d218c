// TF.js Layers files both ways, against real TF.js (@tensorflow/tfjs 4.22, cpu backend):
//  (a) Digitrain trains each preset and saves it with --save-tfjs; tf.loadLayersModel reads
//      the files and predicts the first 100 test images as `digitrain predict --json` does.
//  (b) TF.js builds each preset's architecture with random weights and saves it with
//      model.save through a file-writing IOHandler; `digitrain predict` on that model.json
//      (and on its `digitrain export` copy) matches TF.js' predictions.
//   node --test tests/tfjs/roundtrip.test.mjs   (DIGITRAIN_BIN names the binary)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initTfjsCpu, modelFromDescription, compileArgsFromDescription, lossWantsOneHot } from '../../scripts/lib/tfjs-from-description.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = process.env.DIGITRAIN_BIN ?? join(root, 'build/native/digitrain');
const work = mkdtempSync(join(tmpdir(), 'digitrain-tfjs-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

const presets = ['mlp-300-100', 'mlp-128-128', 'cnn-16-8', 'mlp-256', 'tfjs-convnet'];
const convnets = new Set(['cnn-16-8', 'tfjs-convnet']);
const count = 100;
const tolerance = 1e-5;
const tf = await initTfjsCpu();

function digitrain(args) {
  const r = spawnSync(bin, args, { encoding: 'utf8', cwd: root, timeout: 300_000, maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, `digitrain ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function digitrainPredictions(modelJson) {
  const out = JSON.parse(digitrain(['predict', '--model', modelJson, '--first', String(count), '--json']));
  assert.equal(out.probabilities.length, count);
  return out.probabilities;
}

// The first `count` MNIST test images as raw 0-255 floats (IDX: a 16-byte header).
const images = readFileSync(join(root, 'data/mnist/t10k-images-idx3-ubyte'));
const pixels = Float32Array.from(images.subarray(16, 16 + count * 784));

// Every activation, both ReLU layers, strides and 'same' padding, and Adagrad, in one MNIST
// model: TF.js builds and saves it, Digitrain reads it (test b).
const zoo = {
  name: 'zoo',
  input_shape: [28, 28, 1],
  layers: [
    { class_name: 'Conv2D', config: { name: 'conv2d', filters: 4, kernel_size: 3, activation: 'elu', strides: 2, padding: 'same' } },
    { class_name: 'LeakyReLU', config: { name: 'leaky_re_lu', alpha: 0.1 } },
    { class_name: 'Conv2D', config: { name: 'conv2d_1', filters: 6, kernel_size: 3, strides: [2, 1], use_bias: false } },
    { class_name: 'ReLU', config: { name: 're_lu' } },
    { class_name: 'Conv2D', config: { name: 'conv2d_2', filters: 4, kernel_size: 2, activation: 'selu', padding: 'same' } },
    { class_name: 'MaxPooling2D', config: { name: 'max_pooling2d', pool_size: 2 } },
    { class_name: 'Flatten', config: { name: 'flatten' } },
    { class_name: 'Dense', config: { name: 'dense', units: 16, activation: 'tanh' } },
    { class_name: 'Dense', config: { name: 'dense_1', units: 12, activation: 'sigmoid' } },
    { class_name: 'Dense', config: { name: 'dense_2', units: 12, activation: 'softplus' } },
    { class_name: 'Dense', config: { name: 'dense_3', units: 10, activation: 'softmax' } },
  ],
  compile: { loss: 'sparse_categorical_crossentropy', optimizer: { class_name: 'Adagrad', config: { learning_rate: 0.01 } } },
};

function preset(name) {
  if (name === 'zoo') return structuredClone(zoo);
  return JSON.parse(readFileSync(join(root, 'src/model/presets', `${name}.json`), 'utf8'));
}

async function tfjsPredictions(model, description, pixelScale) {
  const x = tf.tidy(() => tf.tensor(pixels, [count, ...description.input_shape]).div(pixelScale));
  const y = model.predict(x);
  const rows = await y.array();
  x.dispose();
  y.dispose();
  return rows;
}

function maxAbsDifference(a, b) {
  assert.equal(a.length, b.length);
  let max = 0;
  a.forEach((row, i) => {
    assert.equal(row.length, b[i].length);
    row.forEach((v, j) => {
      max = Math.max(max, Math.abs(v - b[i][j]));
    });
  });
  return max;
}

// Reads model.json and the shards its manifest names, as tf.io.http does from a server.
function fileLoader(modelJsonPath) {
  const dir = dirname(modelJsonPath);
  const modelJson = JSON.parse(readFileSync(modelJsonPath, 'utf8'));
  return {
    load: () =>
      tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const specs = manifest.flatMap((group) => group.weights);
        const data = Buffer.concat(manifest.flatMap((group) => group.paths.map((p) => readFileSync(join(dir, p)))));
        return [specs, data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)];
      }),
  };
}

// Writes model.json + one weights file the way TF.js' own file writers (browserDownloads,
// tfjs-node's file://) lay them out.
function fileWriter(dir) {
  return {
    save: async (artifacts) => {
      mkdirSync(dir, { recursive: true });
      const weights = tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      writeFileSync(join(dir, 'model.weights.bin'), Buffer.from(weights));
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: ['./model.weights.bin'], weights: artifacts.weightSpecs }],
      };
      if (artifacts.userDefinedMetadata != null) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
      if (artifacts.trainingConfig != null) modelJson.trainingConfig = artifacts.trainingConfig;
      writeFileSync(join(dir, 'model.json'), JSON.stringify(modelJson));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
  };
}

for (const name of presets) {
  test(`${name}: trained by Digitrain, saved with --save-tfjs, loaded by tf.loadLayersModel`, async (t) => {
    const description = preset(name);
    const dir = join(work, `digitrain-${name}`);
    const limit = convnets.has(name) ? '1000' : '2000';
    digitrain(['train', '--preset', name, '--epochs', '1', '--limit', limit, '--save-tfjs', dir]);

    const model = await tf.loadLayersModel(fileLoader(join(dir, 'model.json')));
    const saved = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    assert.equal(saved.format, 'layers-model');
    assert.match(saved.generatedBy, /^Digitrain \d+\.\d+\.\d+$/);
    assert.deepEqual(model.inputs[0].shape, [null, ...description.input_shape]);
    assert.deepEqual(model.getUserDefinedMetadata().digitrain.fit.pixel_scale, description.fit.pixel_scale);
    assert.deepEqual(
      model.layers.map((l) => l.name),
      description.layers.map((l) => l.config.name),
    );

    const expected = await tfjsPredictions(model, description, description.fit.pixel_scale);
    const got = digitrainPredictions(join(dir, 'model.json'));
    const diff = maxAbsDifference(expected, got);
    t.diagnostic(`${name}: max |TF.js - Digitrain| over ${count} images x 10 = ${diff.toExponential(2)}`);
    assert.ok(diff <= tolerance, `${name}: max difference ${diff}`);
    model.dispose();
  });
}

for (const name of [...presets, 'zoo']) {
  test(`${name}: built and saved by TF.js with random weights, read by digitrain`, async (t) => {
    const description = preset(name);
    const { model } = modelFromDescription(description);
    model.compile(compileArgsFromDescription(description));
    let pixelScale = 255; // what Digitrain assumes without its metadata
    if (name === 'cnn-16-8') {
      // TF.js keeps userDefinedMetadata: Digitrain's fit settings survive a TF.js re-save.
      pixelScale = 1;
      model.setUserDefinedMetadata({ digitrain: { fit: { pixel_scale: 1 } } });
    }
    // TF.js writes trainingConfig (the optimizer) only with includeOptimizer.
    const includeOptimizer = ['mlp-128-128', 'tfjs-convnet', 'zoo'].includes(name);
    if (includeOptimizer) {
      // One step gives Adam its moments, which model.save then writes after the weights.
      const x = tf.randomUniform([32, ...description.input_shape]);
      const labels = tf.randomUniform([32, 1], 0, 10, 'int32');
      const y = lossWantsOneHot(description) ? tf.oneHot(labels.reshape([32]), 10) : labels.toFloat();
      await model.fit(x, y, { epochs: 1, batchSize: 32, verbose: 0 });
      tf.dispose([x, labels, y]);
    }
    const dir = join(work, `tfjs-${name}`);
    await model.save(fileWriter(dir), { includeOptimizer });
    const saved = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    if (includeOptimizer) {
      assert.ok(saved.trainingConfig, 'TF.js wrote a trainingConfig');
      assert.ok(saved.weightsManifest[0].weights.some((w) => w.group === 'optimizer'), 'and optimizer weights');
    }

    const expected = await tfjsPredictions(model, description, pixelScale);
    const got = digitrainPredictions(join(dir, 'model.json'));
    const diff = maxAbsDifference(expected, got);
    t.diagnostic(`${name}: max |TF.js - Digitrain| over ${count} images x 10 = ${diff.toExponential(2)}`);
    assert.ok(diff <= tolerance, `${name}: max difference ${diff}`);

    // export: to our format and back to TF.js' gives the very same numbers.
    const ours = join(work, `tfjs-${name}-exported.json`);
    digitrain(['export', '--model', join(dir, 'model.json'), '--format', 'digitrain', ours]);
    assert.deepEqual(digitrainPredictions(ours), got);
    // TF.js' optimizer came through its trainingConfig (RMSProp's decay is Keras' rho).
    const wanted = { 'tfjs-convnet': ['RMSprop', 'rho', 0.9], zoo: ['Adagrad', 'initial_accumulator_value', 0.1] }[name];
    if (wanted) {
      const { optimizer } = JSON.parse(readFileSync(ours, 'utf8')).compile;
      assert.equal(optimizer.class_name, wanted[0]);
      assert.ok(Math.abs(optimizer.config[wanted[1]] - wanted[2]) < 1e-7, JSON.stringify(optimizer));
    }
    const again = join(work, `tfjs-${name}-re-exported`);
    digitrain(['export', '--model', ours, '--format', 'tfjs', again]);
    assert.deepEqual(digitrainPredictions(join(again, 'model.json')), got);
    model.dispose();
  });
}

// tfjs-examples mnist/index.js, createConvModel, as the example writes it (not from our
// description): TF.js' own shapes and parameter counts against `digitrain summary`.
test('tfjs-convnet: the summary is TF.js\' own for the example\'s createConvModel', () => {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [28, 28, 1], kernelSize: 3, filters: 16, activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  model.add(tf.layers.conv2d({ kernelSize: 3, filters: 32, activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  model.add(tf.layers.conv2d({ kernelSize: 3, filters: 32, activation: 'relu' }));
  model.add(tf.layers.flatten({}));
  model.add(tf.layers.dense({ units: 64, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  const summary = digitrain(['summary', '--preset', 'tfjs-convnet']);
  const total = model.countParams();
  assert.match(summary, new RegExp(`Total params: ${total.toLocaleString('en-US')}\\b`));
  const rows = summary.split('\n').filter((line) => /^\s*\S+ \(\w+\) +\(None/.test(line));
  assert.equal(rows.length, model.layers.length);
  model.layers.forEach((layer, i) => {
    const shape = `(None, ${layer.outputShape.slice(1).join(', ')})`;
    const params = String(layer.countParams());
    assert.ok(rows[i].includes(shape) && new RegExp(` ${params}$`).test(rows[i].trimEnd()), `${rows[i]} vs TF.js ${shape} ${params}`);
  });
  model.dispose();
});

test('a model.json naming a missing weights file: exit 1 and a message naming the file', () => {
  const dir = join(work, 'missing-shard');
  digitrain(['train', '--preset', 'mlp-256', '--epochs', '1', '--limit', '200', '--save-tfjs', dir]);
  rmSync(join(dir, 'group1-shard1of1.bin'));
  const r = spawnSync(bin, ['predict', '--model', join(dir, 'model.json'), '0'], { encoding: 'utf8', cwd: root });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /model\.json: weights file 'group1-shard1of1\.bin': cannot open .*group1-shard1of1\.bin/);
});
