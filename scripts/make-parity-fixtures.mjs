#!/usr/bin/env node
// make-parity-fixtures.mjs — reference numbers for the C++ core's parity tests.
//
//   node scripts/make-parity-fixtures.mjs [OUT_DIR]      (default: <repo>/build/fixtures/parity)
//
// Keras itself cannot be installed here, so TF.js (tfjs-layers 4.22, pure-JS "cpu" backend,
// float32 throughout) is our executable Keras reference. For every case below this script builds
// the tf.sequential model FROM a Digitrain model description (scripts/lib/tfjs-from-description.mjs),
// loads deterministic weights and a deterministic batch, and records what TF.js computes:
// every layer's output, the mean loss exactly as model.fit computes it, the gradient of that loss
// for every weight, and the weights after ONE SGD(0.1) step and after ONE Adam(0.001) step (both
// from the same original weights). The C++ core loads the same description, weights and batch
// and must agree within |a - b| <= 1e-6 + 1e-5 * |b|.
//
// One JSON file per case, <OUT_DIR>/<case>.json:
//   case, model (the description), batch, x (batch * prod(input_shape) floats, row-major,
//   channels-last), y (sparse labels; for categorical_crossentropy the C++ side one-hots them,
//   as this script does for TF.js), weights [{name: "<layer>/kernel"|"<layer>/bias", shape,
//   values}] in layer order, kernel before bias, TF.js layouts (Dense [in, units], Conv2D
//   [kh, kw, in, filters]), layer_outputs (one flat array per layer, after its activation,
//   batch first), loss, gradients (same order as weights), sgd {learning_rate, weights_after},
//   adam {learning_rate, beta_1, beta_2, epsilon, weights_after}, accuracy (argmax == label).
//   The small cases (and a preset that trains with one) also follow the stateful optimizers
//   over STEPS trainOnBatch calls: rmsprop, rmsprop_momentum {learning_rate, rho, momentum,
//   epsilon, steps, weights_after (step 1), weights_after_steps (step STEPS)}, the same for
//   rmsprop_centered and rmsprop_centered_momentum (with centered: true), and adagrad
//   {learning_rate, initial_accumulator_value, epsilon, steps, weights_after, weights_after_steps}.
//   Models with BatchNormalization: weights, and every weights_after, hold ALL weights (TF.js'
//   order: gamma, beta, moving_mean, moving_variance), so the moving statistics are compared
//   after each step; gradients hold the trainable ones only. layer_outputs are computed in
//   training mode (batch statistics); inference_output is the last layer's output in inference
//   mode (the moving statistics) from the original weights.
//   Two informational extras: seed (the PRNG seed used) and near_zero_relu_preactivations (how
//   many ReLU inputs lie within 1e-3 of 0, where a last-bit difference could flip the ReLU mask
//   and so change a gradient; the seed is chosen to make this 0 when a few tries can).
//   Floats are written as the shortest decimal that reads back (strtod, then cast to float)
//   as the exact float32 value TF.js produced.
//
// Where the numbers come from:
//   * loss: the function model.compile attaches (tfjs-layers src/losses.ts,
//     categoricalCrossentropy / sparseCategoricalCrossentropy, epsilon() = 1e-7 on cpu), averaged
//     with tf.mean exactly as LayersModel.makeTrainFunction's totalLossFunction does. NOT
//     tf.losses.softmaxCrossEntropy. categorical: p / sum(p), clip to [1e-7, 1 - 1e-7], -sum(t *
//     log). sparse: clip first, then the same (so it renormalises the clipped row and clips again).
//   * gradients: tf.variableGrads of that same function (what optimizer.minimize calls).
//   * sgd / adam weights_after: model.trainOnBatch with a fresh tf.train.sgd(0.1) /
//     tf.train.adam(0.001, 0.9, 0.999, 1e-7), i.e. the real fit path; the script re-derives both
//     steps in float32 from "gradients" and checks they agree, and that trainOnBatch reported
//     the same loss.
//
// Adam: TF.js adds epsilon AFTER bias correction,
//     w -= lr * m_hat / (sqrt(v_hat) + eps),  m_hat = m / (1 - beta1^t), v_hat = v / (1 - beta2^t)
// (with 1 - beta^t computed in float32 from the float32 beta: 1 - 0.9f = 0.100000024), while Keras
// adds it BEFORE (w -= lr * sqrt(1 - beta2^t) / (1 - beta1^t) * m / (sqrt(v) + eps)). The two differ
// only where |gradient| is comparable to epsilon (on step 1, TF.js divides by |g| + 1e-7, Keras by
// |g| + 1e-7 / sqrt(1 - beta2) ~ |g| + 3.2e-6), so the C++ test compares the Adam step only where
// |g| >= 1e-2 or g == 0.
//
// Inputs and weights come from a seeded mulberry32 PRNG (never Math.random): kernels uniform in
// +-sqrt(6 / (fan_in + fan_out)) (Glorot range; Conv2D fan_in = kh*kw*in, fan_out = kh*kw*filters),
// biases uniform in +-0.1 (non-zero on purpose), inputs uniform in [0, 1), labels uniform.
// After writing, every file is re-read and its array lengths checked against the description;
// any problem exits non-zero.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  initTfjsCpu,
  describeLayers,
  modelFromDescription,
  lossFromDescription,
  shapeSize,
} from './lib/tfjs-from-description.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const PRESET_DIR = path.join(ROOT, 'src', 'model', 'presets');
const OUT_DIR = path.resolve(process.argv[2] ?? path.join(ROOT, 'build', 'fixtures', 'parity'));

const SGD = { learning_rate: 0.1 };
const ADAM = { learning_rate: 0.001, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7 };
// Stateful optimizers are also followed over several steps (each on fresh gradients of the
// same batch), so that their accumulators, not only their first step, are compared.
const STEPS = 3;
const RMSPROP = { learning_rate: 0.001, rho: 0.9, momentum: 0, epsilon: 1e-7 };
const RMSPROP_MOMENTUM = { learning_rate: 0.001, rho: 0.8, momentum: 0.5, epsilon: 1e-7 };
const ADAGRAD = { learning_rate: 0.01, initial_accumulator_value: 0.1, epsilon: 1e-7 };
// Centered RMSprop: Keras divides by sqrt(v - mg² + eps), TF.js 4.22 by sqrt(v - (mg² + eps)),
// which is NaN wherever |g| is small (sqrt(-eps) for a zero gradient). TF.js is driven with
// epsilon negated, which is Keras' rule; the fixture records Keras' (positive) epsilon.
const RMSPROP_CENTERED = { learning_rate: 0.001, rho: 0.9, momentum: 0, epsilon: 1e-7, centered: true };
const RMSPROP_CENTERED_MOMENTUM = { learning_rate: 0.001, rho: 0.8, momentum: 0.5, epsilon: 1e-7, centered: true };
const RELU_MARGIN = 1e-3;
const MAX_SEED_ATTEMPTS = 24;

const f32 = Math.fround;

// ---------------------------------------------------------------------------------------------
// Cases

function synthetic(name, inputShape, layers, loss, batch = 4) {
  return {
    name,
    batch,
    stateful: true,
    description: {
      format: 'digitrain-model',
      version: 1,
      name,
      description: `parity fixture '${name}'`,
      input_shape: inputShape,
      layers,
      compile: {
        loss,
        optimizer: { class_name: 'SGD', config: { learning_rate: SGD.learning_rate } },
        metrics: ['accuracy'],
      },
    },
  };
}

const dense = (name, units, activation, extra = {}) => ({ class_name: 'Dense', config: { name, units, activation, ...extra } });
const conv = (name, filters, kernel_size, activation, extra = {}) => ({ class_name: 'Conv2D', config: { name, filters, kernel_size, activation, ...extra } });
const flatten = (name) => ({ class_name: 'Flatten', config: { name } });
const pool = (cls, name, extra = {}) => ({ class_name: cls, config: { name, ...extra } });

// TF.js draws its own dropout masks, so a fixture cannot reproduce a training step through
// Dropout: its rate is 0 in the fixtures (outputs at inference are unaffected by the rate; the
// masks are tested natively, tests/test_gradients.cpp).
function withoutDropout(description) {
  const copy = structuredClone(description);
  for (const l of copy.layers) if (l.class_name === 'Dropout') l.config = { ...l.config, rate: 0 };
  return copy;
}

function buildCases() {
  const cases = [
    synthetic('dense_tiny', [5], [dense('dense', 4, 'relu'), dense('dense_1', 3, 'softmax')], 'sparse_categorical_crossentropy'),
    synthetic(
      'dense_linear_categorical',
      [6],
      [dense('dense', 5, 'linear'), dense('dense_1', 4, 'relu'), dense('dense_2', 3, 'softmax')],
      'categorical_crossentropy',
      3,
    ),
    synthetic(
      'conv_tiny',
      [6, 7, 2],
      [conv('conv2d', 3, [3, 3], 'relu'), conv('conv2d_1', 2, [2, 3], 'relu'), flatten('flatten'), dense('dense', 3, 'softmax')],
      'categorical_crossentropy',
    ),
    synthetic(
      'conv_no_bias',
      [5, 5, 1],
      [conv('conv2d', 2, 3, 'relu', { use_bias: false }), flatten('flatten'), dense('dense', 2, 'softmax', { use_bias: false })],
      'sparse_categorical_crossentropy',
    ),
    synthetic(
      'pooling',
      [7, 9, 2],
      [
        conv('conv2d', 3, 2, 'relu'),
        pool('MaxPooling2D', 'max_pooling2d', { pool_size: 2 }),
        // Valid, not same: TF.js' cpu avgPoolGrad divides every window by the whole pool size
        // (1 / (ph·pw)) while its forward divides a padded window by the pixels it covers, so
        // its gradient of a 'same' average pool is not the gradient of its own output at the
        // borders (TensorFlow's is). Ours is checked by finite differences instead
        // (tests/test_gradients.cpp), where TF.js cannot judge it.
        pool('AveragePooling2D', 'average_pooling2d', { pool_size: [2, 3], strides: [1, 2] }),
        pool('MaxPooling2D', 'max_pooling2d_1', { pool_size: [2, 2], strides: 1, padding: 'same' }),
        flatten('flatten'),
        withoutDropout({ layers: [{ class_name: 'Dropout', config: { name: 'dropout', rate: 0.5 } }] }).layers[0],
        dense('dense', 3, 'softmax'),
      ],
      'categorical_crossentropy',
    ),
    synthetic(
      'activations_dense',
      [6],
      [
        dense('dense', 5, 'sigmoid'),
        dense('dense_1', 5, 'selu'),
        dense('dense_2', 4, 'linear'),
        { class_name: 'LeakyReLU', config: { name: 'leaky_re_lu' } },
        dense('dense_3', 4, 'elu'),
        dense('dense_4', 3, 'softmax'),
      ],
      'sparse_categorical_crossentropy',
    ),
    synthetic(
      'activations_conv',
      [7, 7, 2],
      [
        conv('conv2d', 3, 3, 'elu'),
        { class_name: 'LeakyReLU', config: { name: 'leaky_re_lu', alpha: 0.2 } },
        conv('conv2d_1', 3, 2, 'linear', { use_bias: false }),
        { class_name: 'ReLU', config: { name: 're_lu' } },
        conv('conv2d_2', 2, 2, 'softplus'),
        flatten('flatten'),
        dense('dense', 4, 'tanh'),
        dense('dense_1', 3, 'softmax'),
      ],
      'categorical_crossentropy',
    ),
    synthetic(
      'conv_strides_same',
      [9, 8, 2],
      [
        conv('conv2d', 4, 3, 'relu', { strides: 2, padding: 'same' }),
        conv('conv2d_1', 3, [2, 3], 'linear', { strides: [1, 2], use_bias: false }),
        { class_name: 'ReLU', config: { name: 're_lu' } },
        conv('conv2d_2', 2, 3, 'sigmoid', { padding: 'same' }),
        conv('conv2d_3', 3, [2, 1], 'selu', { strides: [2, 1], padding: 'same' }),
        flatten('flatten'),
        dense('dense', 3, 'softmax', { use_bias: false }),
      ],
      'categorical_crossentropy',
    ),
    synthetic(
      'batch_norm',
      [6, 5, 2],
      // No bias before a BatchNormalization (Keras' practice): it would cancel in the batch's
      // mean, its gradient is 0 up to rounding, and Adam or RMSprop turn that rounding noise
      // into full-size steps whose sign differs between TF.js, native and WASM.
      [
        conv('conv2d', 3, 3, 'linear', { use_bias: false }),
        { class_name: 'BatchNormalization', config: { name: 'batch_normalization', momentum: 0.9 } },
        { class_name: 'ReLU', config: { name: 're_lu' } },
        pool('MaxPooling2D', 'max_pooling2d', { pool_size: 2 }),
        flatten('flatten'),
        dense('dense', 5, 'linear', { use_bias: false }),
        { class_name: 'BatchNormalization', config: { name: 'batch_normalization_1', epsilon: 0.01 } },
        dense('dense_1', 3, 'softmax'),
      ],
      'sparse_categorical_crossentropy',
      5,
    ),
  ];
  const presets = fs.readdirSync(PRESET_DIR).filter((f) => f.endsWith('.json')).sort();
  if (presets.length === 0) throw new Error(`no presets found in ${PRESET_DIR}`);
  for (const file of presets) {
    const p = path.join(PRESET_DIR, file);
    let description;
    try {
      description = JSON.parse(fs.readFileSync(p, 'utf8'));
    } catch (e) {
      throw new Error(`${p}: ${e.message}`);
    }
    // The presets' files are large (MBs of weights per optimizer): the stateful optimizers are
    // followed on the small cases, and on a preset only where it trains with one of them.
    const optimizer = String(description.compile?.optimizer?.class_name ?? description.compile?.optimizer).toLowerCase();
    cases.push({
      name: `preset_${path.basename(file, '.json')}`,
      batch: 4,
      description: withoutDropout(description),
      stateful: ['rmsprop', 'adagrad'].includes(optimizer),
    });
  }
  return cases;
}

// ---------------------------------------------------------------------------------------------
// Deterministic data

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function fnv1a(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; ++i) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h >>> 0;
}

/** Uniform in [0, 1) with 24 random bits, so every value is an exact float32 < 1. */
const unit24 = (rand) => Math.floor(rand() * 16777216) / 16777216;

function drawData(seed, info, batch, inputShape, classes) {
  const rand = mulberry32(seed);
  const weights = [];
  for (const layer of info) {
    for (const w of layer.weights) {
      const n = shapeSize(w.shape);
      const values = new Float32Array(n);
      let limit;
      if (w.name.endsWith('/kernel')) {
        let fanIn, fanOut;
        if (layer.class_name === 'Conv2D') {
          const [kh, kw, cin, cout] = w.shape;
          fanIn = kh * kw * cin;
          fanOut = kh * kw * cout;
        } else {
          [fanIn, fanOut] = w.shape;
        }
        limit = Math.sqrt(6 / (fanIn + fanOut));
      } else {
        limit = 0.1;
      }
      // gamma and moving_variance around 1 (a variance must be positive), the rest around 0.
      const around = w.name.endsWith('/gamma') || w.name.endsWith('/moving_variance') ? 1 : 0;
      if (around) limit = 0.5;
      for (let i = 0; i < n; ++i) values[i] = f32(around + (2 * unit24(rand) - 1) * limit);
      weights.push({ name: w.name, shape: w.shape.slice(), values });
    }
  }
  const x = new Float32Array(batch * shapeSize(inputShape));
  for (let i = 0; i < x.length; ++i) x[i] = unit24(rand);
  const y = [];
  for (let i = 0; i < batch; ++i) y.push(Math.min(classes - 1, Math.floor(rand() * classes)));
  return { weights, x, y };
}

// ---------------------------------------------------------------------------------------------
// TF.js side

function setLayerWeights(tf, layers, info, weights) {
  let k = 0;
  layers.forEach((layer, i) => {
    const n = info[i].weights.length;
    if (n === 0) return;
    const ts = weights.slice(k, k + n).map((w) => tf.tensor(w.values, w.shape, 'float32'));
    layer.setWeights(ts);
    ts.forEach((t) => t.dispose());
    k += n;
  });
  if (k !== weights.length) throw new Error(`internal: set ${k} of ${weights.length} weights`);
}

function readLayerWeights(layers) {
  return layers.flatMap((layer) => layer.getWeights().map((t) => Float32Array.from(t.dataSync())));
}

// Activations whose slope jumps at 0: a last-bit difference there could flip a gradient.
const KINKED = new Set(['relu', 'selu']);

/** Count the inputs of kinked activations (ReLU, SELU, the ReLU layers) within RELU_MARGIN of zero (and the smallest |z|). */
function reluMargin(tf, layers, info, weights, xT) {
  let count = 0;
  let minAbs = Infinity;
  const tally = (z) => {
    for (const v of z.dataSync()) {
      const av = Math.abs(v);
      if (av < RELU_MARGIN) ++count;
      if (av < minAbs) minAbs = av;
    }
  };
  tf.tidy(() => {
    let a = xT;
    let k = 0;
    layers.forEach((layer, i) => {
      const li = info[i];
      if (li.class_name === 'ReLU' || li.class_name === 'LeakyReLU') tally(a);
      if (KINKED.has(li.activation)) {
        const kernel = tf.tensor(weights[k].values, weights[k].shape);
        let z = li.class_name === 'Conv2D' ? tf.conv2d(a, kernel, li.args.strides, li.args.padding) : tf.matMul(a, kernel);
        if (li.use_bias) z = tf.add(z, tf.tensor(weights[k + 1].values, weights[k + 1].shape));
        tally(z);
      }
      k += li.weights.length;
      a = layer.apply(a, { training: true });
    });
  });
  return { count, minAbs };
}

function emulateSgd(w, g, lr) {
  const c = f32(-lr);
  const out = new Float32Array(w.length);
  for (let i = 0; i < w.length; ++i) out[i] = f32(f32(c * g[i]) + w[i]);
  return out;
}

// tfjs-core src/optimizers/adam_optimizer.ts, first step (m = v = 0, accBeta = beta), in float32.
function emulateAdam(w, g, { learning_rate, beta_1, beta_2, epsilon }) {
  const oneMinusAccB1 = f32(1 - f32(beta_1));
  const oneMinusAccB2 = f32(1 - f32(beta_2));
  const c1 = f32(1 - beta_1);
  const c2 = f32(1 - beta_2);
  const eps = f32(epsilon);
  const nlr = f32(-learning_rate);
  const out = new Float32Array(w.length);
  for (let i = 0; i < w.length; ++i) {
    const m = f32(g[i] * c1);
    const v = f32(f32(g[i] * g[i]) * c2);
    const mh = f32(m / oneMinusAccB1);
    const vh = f32(v / oneMinusAccB2);
    const step = f32(mh / f32(f32(Math.sqrt(vh)) + eps));
    out[i] = f32(f32(step * nlr) + w[i]);
  }
  return out;
}

const closeEnough = (a, b) => Math.abs(a - b) <= 1e-6 + 1e-5 * Math.abs(b);

function compareArrays(what, got, want) {
  let exact = 0;
  for (let i = 0; i < want.length; ++i) {
    if (got[i] === want[i]) ++exact;
    else if (!closeEnough(got[i], want[i])) {
      throw new Error(`${what}[${i}]: TF.js ${want[i]} vs float32 re-derivation ${got[i]}`);
    }
  }
  return want.length - exact; // number of not bit-identical (but within tolerance) elements
}

async function generate(tf, c) {
  const { name, batch, description } = c;
  const info = describeLayers(description);
  const last = info[info.length - 1];
  if (last.output_shape.length !== 1) throw new Error(`${name}: the last layer's output must be rank 1, got ${JSON.stringify(last.output_shape)}`);
  if (last.activation !== 'softmax') throw new Error(`${name}: the last layer must use softmax (cross-entropy on probabilities)`);
  const classes = last.output_shape[0];
  const lossName = lossFromDescription(description);
  const oneHot = lossName === 'categoricalCrossentropy';
  const inputShape = description.input_shape;

  const { model, layers } = modelFromDescription(description);
  try {
    // Pick a seed (deterministically) that keeps ReLU inputs away from the kink if a few tries can.
    let best = null;
    for (let attempt = 0; attempt < MAX_SEED_ATTEMPTS; ++attempt) {
      const seed = (fnv1a(name) + Math.imul(attempt, 0x9e3779b9)) >>> 0;
      const data = drawData(seed, info, batch, inputShape, classes);
      setLayerWeights(tf, layers, info, data.weights);
      const xT = tf.tensor(data.x, [batch, ...inputShape], 'float32');
      const m = reluMargin(tf, layers, info, data.weights, xT);
      xT.dispose();
      if (!best || m.count < best.count || (m.count === best.count && m.minAbs > best.minAbs)) best = { seed, data, ...m };
      if (m.count === 0) break;
    }
    const { seed, data } = best;
    const { weights, x, y } = data;

    setLayerWeights(tf, layers, info, weights);
    const xT = tf.tensor(x, [batch, ...inputShape], 'float32');
    const yT = oneHot
      ? tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(y, 'int32'), classes), 'float32'))
      : tf.tensor2d(y, [batch, 1], 'float32');

    // Layer outputs (inference path; no dropout/batchnorm, so identical to the training path).
    const layerOutputs = [];
    tf.tidy(() => {
      let a = xT;
      // Training mode, as the C++ test runs them (BatchNormalization: the batch's statistics).
      for (const layer of layers) {
        a = layer.apply(a, { training: true });
        layerOutputs.push(Float32Array.from(a.dataSync()));
      }
    });
    const probs = layerOutputs[layerOutputs.length - 1];
    let correct = 0;
    for (let i = 0; i < batch; ++i) {
      let best = 0;
      for (let j = 1; j < classes; ++j) if (probs[i * classes + j] > probs[i * classes + best]) best = j;
      if (best === y[i]) ++correct;
    }
    const accuracy = correct / batch;

    // The loss function model.compile attaches (the one fit uses) and its gradients.
    model.compile({ loss: lossName, optimizer: tf.train.sgd(SGD.learning_rate) });
    const inner = model.model ?? model;
    const lossFn = inner.lossFunctions?.[0];
    if (typeof lossFn !== 'function') throw new Error(`${name}: could not find the compiled loss function`);
    // (TF.js makes variable names unique per process, "dense/kernel_1"; originalName is the layer's own.)
    const layerVars = layers.flatMap((l) => l.trainableWeights);
    const trainableIndex = info.flatMap((l) => l.weights).flatMap((w, i) => (w.trainable ? [i] : []));
    const expectNames = trainableIndex.map((i) => info.flatMap((l) => l.weights)[i].name);
    if (layerVars.length !== expectNames.length) throw new Error(`${name}: TF.js has ${layerVars.length} trainable weights, expected ${expectNames.length}`);
    layerVars.forEach((v, i) => {
      const w = weights[trainableIndex[i]];
      if (v.originalName !== expectNames[i] || JSON.stringify(v.shape) !== JSON.stringify(w.shape)) {
        throw new Error(`${name}: TF.js weight ${i} is ${v.originalName} ${JSON.stringify(v.shape)}, expected ${expectNames[i]} ${JSON.stringify(w.shape)}`);
      }
    });
    const vars = layerVars.map((v) => v.read());
    const { value, grads } = tf.variableGrads(() => tf.tidy(() => tf.mean(lossFn(yT, model.apply(xT, { training: true })))), vars);
    const loss = value.dataSync()[0];
    const gradients = vars.map((v) => {
      const g = grads[v.name];
      if (!g) throw new Error(`${name}: no gradient for ${v.name}`);
      return Float32Array.from(g.dataSync());
    });
    value.dispose();
    Object.values(grads).forEach((g) => g.dispose());

    // Inference mode from the original weights (BatchNormalization: the moving statistics);
    // the passes above moved those, so the weights are set again first.
    setLayerWeights(tf, layers, info, weights);
    const inferenceOutput = tf.tidy(() => Float32Array.from(model.predict(xT).dataSync()));
    // One real training step each (model.trainOnBatch = one fit step), from the original weights.
    setLayerWeights(tf, layers, info, weights);
    const sgdLoss = await model.trainOnBatch(xT, yT);
    const sgdAfter = readLayerWeights(layers);
    setLayerWeights(tf, layers, info, weights);
    model.compile({ loss: lossName, optimizer: tf.train.adam(ADAM.learning_rate, ADAM.beta_1, ADAM.beta_2, ADAM.epsilon) });
    const adamLoss = await model.trainOnBatch(xT, yT);
    const adamAfter = readLayerWeights(layers);
    // RMSprop and Adagrad, after 1 and after STEPS steps, each from the original weights.
    const stepsOf = async (makeOptimizer, config) => {
      setLayerWeights(tf, layers, info, weights);
      const optimizer = makeOptimizer();
      model.compile({ loss: lossName, optimizer });
      const after = [];
      for (let i = 0; i < STEPS; ++i) {
        await model.trainOnBatch(xT, yT);
        if (i === 0 || i === STEPS - 1) after.push(readLayerWeights(layers));
      }
      optimizer.dispose();
      return { ...config, steps: STEPS, weights_after: after[0], weights_after_steps: after[1] };
    };
    const stateful = {};
    if (c.stateful) {
      stateful.rmsprop = await stepsOf(() => tf.train.rmsprop(RMSPROP.learning_rate, RMSPROP.rho, RMSPROP.momentum, RMSPROP.epsilon), RMSPROP);
      stateful.rmsprop_momentum = await stepsOf(
        () => tf.train.rmsprop(RMSPROP_MOMENTUM.learning_rate, RMSPROP_MOMENTUM.rho, RMSPROP_MOMENTUM.momentum, RMSPROP_MOMENTUM.epsilon),
        RMSPROP_MOMENTUM,
      );
      for (const [key, r] of [['rmsprop_centered', RMSPROP_CENTERED], ['rmsprop_centered_momentum', RMSPROP_CENTERED_MOMENTUM]]) {
        stateful[key] = await stepsOf(() => tf.train.rmsprop(r.learning_rate, r.rho, r.momentum, -r.epsilon, true), r);
      }
      stateful.adagrad = await stepsOf(() => tf.train.adagrad(ADAGRAD.learning_rate, ADAGRAD.initial_accumulator_value), ADAGRAD);
    }
    xT.dispose();
    yT.dispose();

    // Cross-checks: trainOnBatch saw the same loss, and the steps follow from "gradients".
    for (const [what, l] of [['sgd', sgdLoss], ['adam', adamLoss]]) {
      if (!closeEnough(l, loss)) throw new Error(`${name}: trainOnBatch (${what}) loss ${l} != computed loss ${loss}`);
    }
    let inexact = 0;
    trainableIndex.forEach((wi, i) => {
      const w = weights[wi];
      inexact += compareArrays(`${name} sgd ${w.name}`, emulateSgd(w.values, gradients[i], SGD.learning_rate), sgdAfter[wi]);
      inexact += compareArrays(`${name} adam ${w.name}`, emulateAdam(w.values, gradients[i], ADAM), adamAfter[wi]);
    });

    const fixture = {
      case: name,
      model: description,
      batch,
      seed,
      near_zero_relu_preactivations: best.count,
      x,
      y,
      weights: weights.map((w) => ({ name: w.name, shape: w.shape, values: w.values })),
      layer_outputs: layerOutputs,
      inference_output: inferenceOutput,
      loss: new F32Scalar(loss),
      gradients,
      sgd: { learning_rate: SGD.learning_rate, weights_after: sgdAfter },
      adam: { ...ADAM, weights_after: adamAfter },
      ...stateful,
      accuracy,
    };
    const params = weights.reduce((s, w) => s + w.values.length, 0);
    return { fixture, params, loss, accuracy, nearZero: best.count, inexact, lossExact: sgdLoss === loss && adamLoss === loss };
  } finally {
    model.dispose();
  }
}

// ---------------------------------------------------------------------------------------------
// JSON output: float32 values as the shortest decimal that reads back as the same float32.

function f32String(v) {
  if (!Number.isFinite(v)) throw new Error(`non-finite value ${v} in a fixture`);
  if (v === 0) return '0';
  for (let p = 1; p <= 9; ++p) {
    const s = v.toPrecision(p);
    if (f32(Number(s)) === v) return s.replace('e+', 'e');
  }
  return String(v); // exact double of the float32 (cannot happen for float32 values, but safe)
}

class F32Scalar {
  constructor(v) {
    this.value = f32(v);
  }
}

function toJson(value, indent = '') {
  if (value instanceof F32Scalar) return f32String(value.value);
  if (value instanceof Float32Array) {
    const parts = new Array(value.length);
    for (let i = 0; i < value.length; ++i) parts[i] = f32String(value[i]);
    return `[${parts.join(',')}]`;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`non-finite value ${value} in a fixture`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== 'object')) return JSON.stringify(value);
    const inner = indent + '  ';
    return `[\n${value.map((v) => inner + toJson(v, inner)).join(',\n')}\n${indent}]`;
  }
  if (value && typeof value === 'object') {
    if (indent.length >= 4 && !Object.values(value).some((v) => v instanceof Float32Array)) return JSON.stringify(value);
    const inner = indent + '  ';
    const body = Object.entries(value).map(([k, v]) => `${inner}${JSON.stringify(k)}: ${toJson(v, inner)}`);
    return `{\n${body.join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

// Keras' activations in float64 (keras/activations.py; SELU's constants from its paper).
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;
const POINTWISE = {
  linear: null,
  relu: (v) => Math.max(0, v),
  sigmoid: (v) => 1 / (1 + Math.exp(-v)),
  tanh: Math.tanh,
  elu: (v) => (v >= 0 ? v : Math.expm1(v)),
  selu: (v) => (v >= 0 ? SELU_SCALE * v : SELU_SCALE * SELU_ALPHA * Math.expm1(v)),
  softplus: (v) => (v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v))),
};

/** Plain float64 forward pass of one layer (row-major, channels-last, TF.js kernel layouts). */
function referenceLayer(l, input, kernel, bias, B) {
  const inSize = shapeSize(l.input_shape);
  const outSize = shapeSize(l.output_shape);
  const out = new Float64Array(B * outSize);
  if (l.class_name === 'Flatten' || l.class_name === 'Dropout') return Float64Array.from(input);
  if (l.class_name === 'ReLU' || l.class_name === 'LeakyReLU') {
    const slope = l.class_name === 'ReLU' ? 0 : l.args.alpha;
    return Float64Array.from(input, (v) => (v < 0 ? slope * v : v));
  }
  if (l.class_name !== 'Dense' && l.class_name !== 'Conv2D') return null; // pooling: TF.js alone judges
  if (l.class_name === 'Dense') {
    const units = l.output_shape[0];
    for (let b = 0; b < B; ++b)
      for (let j = 0; j < units; ++j) {
        let acc = bias ? bias[j] : 0;
        for (let i = 0; i < inSize; ++i) acc += input[b * inSize + i] * kernel[i * units + j];
        out[b * units + j] = acc;
      }
  } else {
    const [H, W, C] = l.input_shape;
    const [OH, OW, F] = l.output_shape;
    const [KH, KW] = l.kernel_size;
    const [SH, SW] = l.args.strides;
    // TF's 'same': the padding ceil(in / stride) outputs need, the odd row or column after.
    const before = (n, k, s, outN) => (l.args.padding === 'same' ? Math.floor(Math.max((outN - 1) * s + k - n, 0) / 2) : 0);
    const top = before(H, KH, SH, OH);
    const left = before(W, KW, SW, OW);
    for (let b = 0; b < B; ++b)
      for (let y = 0; y < OH; ++y)
        for (let x = 0; x < OW; ++x)
          for (let fo = 0; fo < F; ++fo) {
            let acc = bias ? bias[fo] : 0;
            for (let dy = 0; dy < KH; ++dy)
              for (let dx = 0; dx < KW; ++dx) {
                const iy = y * SH + dy - top;
                const ix = x * SW + dx - left;
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                for (let c = 0; c < C; ++c) acc += input[b * inSize + (iy * W + ix) * C + c] * kernel[((dy * KW + dx) * C + c) * F + fo];
              }
            out[b * outSize + (y * OW + x) * F + fo] = acc;
          }
  }
  const pointwise = POINTWISE[l.activation];
  if (pointwise) for (let i = 0; i < out.length; ++i) out[i] = pointwise(out[i]);
  if (l.activation === 'softmax') {
    const n = l.output_shape[0];
    for (let b = 0; b < B; ++b) {
      const row = out.subarray(b * n, (b + 1) * n);
      const m = Math.max(...row);
      let sum = 0;
      for (let j = 0; j < n; ++j) sum += (row[j] = Math.exp(row[j] - m));
      for (let j = 0; j < n; ++j) row[j] /= sum;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Self-check: re-read each file and check it against its own model description.

function checkFixture(file, expectedCase, original) {
  const where = path.basename(file);
  const bad = (msg) => {
    throw new Error(`self-check ${where}: ${msg}`);
  };
  let f;
  try {
    f = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    bad(`cannot re-read: ${e.message}`);
  }
  if (f.case !== expectedCase) bad(`case is ${JSON.stringify(f.case)}`);
  const info = describeLayers(f.model);
  const B = f.batch;
  if (!Number.isInteger(B) || B <= 0) bad(`batch ${B}`);
  const classes = info[info.length - 1].output_shape[0];
  // Lengths against the description; values finite and reading back (as float32) bit-exactly
  // what TF.js produced.
  const floats = (what, arr, n, orig) => {
    if (!Array.isArray(arr)) bad(`${what} is not an array`);
    if (arr.length !== n) bad(`${what} has ${arr.length} values, expected ${n}`);
    if (orig.length !== n) bad(`${what}: generated ${orig.length} values, expected ${n}`);
    for (let i = 0; i < n; ++i) {
      const v = arr[i];
      if (typeof v !== 'number' || !Number.isFinite(v) || !Number.isFinite(f32(v))) bad(`${what}[${i}] is ${v}, not a finite float32`);
      if (f32(v) !== orig[i]) bad(`${what}[${i}] reads back as ${f32(v)}, generated ${orig[i]}`);
    }
  };
  floats('x', f.x, B * shapeSize(f.model.input_shape), original.x);
  if (!Array.isArray(f.y) || f.y.length !== B) bad(`y has ${f.y?.length} labels, expected ${B}`);
  for (const v of f.y) if (!Number.isInteger(v) || v < 0 || v >= classes) bad(`label ${v} outside 0..${classes - 1}`);
  const specs = info.flatMap((l) => l.weights);
  const lists = { weights: f.weights, gradients: f.gradients, 'sgd.weights_after': f.sgd?.weights_after, 'adam.weights_after': f.adam?.weights_after };
  const stateful = ['rmsprop', 'rmsprop_momentum', 'rmsprop_centered', 'rmsprop_centered_momentum', 'adagrad'].filter((o) => o in original);
  for (const o of stateful) {
    lists[`${o}.weights_after`] = f[o]?.weights_after;
    lists[`${o}.weights_after_steps`] = f[o]?.weights_after_steps;
  }
  const trainable = specs.flatMap((w, i) => (w.trainable ? [i] : []));
  for (const [what, list] of Object.entries(lists)) {
    const n = what === 'gradients' ? trainable.length : specs.length;
    if (!Array.isArray(list) || list.length !== n) bad(`${what} has ${list?.length} entries, expected ${n}`);
  }
  specs.forEach((s, i) => {
    const w = f.weights[i];
    if (w.name !== s.name) bad(`weights[${i}] is ${w.name}, expected ${s.name}`);
    if (JSON.stringify(w.shape) !== JSON.stringify(s.shape)) bad(`${s.name} shape ${JSON.stringify(w.shape)}, expected ${JSON.stringify(s.shape)}`);
    const n = shapeSize(s.shape);
    floats(`${s.name} values`, w.values, n, original.weights[i].values);
    const t = trainable.indexOf(i);
    if (t >= 0) floats(`gradients[${t}]`, f.gradients[t], n, original.gradients[t]);
    floats(`sgd.weights_after[${i}]`, f.sgd.weights_after[i], n, original.sgd.weights_after[i]);
    floats(`adam.weights_after[${i}]`, f.adam.weights_after[i], n, original.adam.weights_after[i]);
    for (const o of stateful) {
      floats(`${o}.weights_after[${i}]`, f[o].weights_after[i], n, original[o].weights_after[i]);
      floats(`${o}.weights_after_steps[${i}]`, f[o].weights_after_steps[i], n, original[o].weights_after_steps[i]);
    }
  });
  if (!Array.isArray(f.layer_outputs) || f.layer_outputs.length !== info.length) bad(`layer_outputs has ${f.layer_outputs?.length} entries, expected ${info.length}`);
  info.forEach((l, i) => floats(`layer_outputs[${i}] (${l.name})`, f.layer_outputs[i], B * shapeSize(l.output_shape), original.layer_outputs[i]));
  floats('inference_output', f.inference_output, B * classes, original.inference_output);
  const probs = f.layer_outputs[info.length - 1];
  let correct = 0;
  for (let i = 0; i < B; ++i) {
    const row = probs.slice(i * classes, (i + 1) * classes);
    const sum = row.reduce((a, b) => a + b, 0);
    if (Math.abs(sum - 1) > 1e-5) bad(`softmax row ${i} sums to ${sum}`);
    if (row.indexOf(Math.max(...row)) === f.y[i]) ++correct;
  }
  if (typeof f.loss !== 'number' || !Number.isFinite(f.loss) || f.loss <= 0 || f32(f.loss) !== original.loss.value) bad(`loss ${f.loss}`);
  if (JSON.stringify(f.y) !== JSON.stringify(original.y)) bad('y does not read back');
  if (f.accuracy !== correct / B) bad(`accuracy ${f.accuracy}, recomputed ${correct / B}`);
  // Layouts: recompute every layer (in float64, from the fixture's own input to that layer) and
  // the loss, and the last Dense bias gradient (mean of p - onehot), independently of TF.js.
  let k = 0;
  info.forEach((l, i) => {
    const input = i === 0 ? f.x : f.layer_outputs[i - 1];
    const kernel = l.weights.length > 0 ? f.weights[k].values : null;
    const bias = l.use_bias ? f.weights[k + 1].values : null;
    const want = referenceLayer(l, input, kernel, bias, B);
    if (want) f.layer_outputs[i].forEach((v, j) => {
      if (Math.abs(v - want[j]) > 1e-5 + 1e-5 * Math.abs(want[j])) bad(`layer_outputs[${i}][${j}] is ${v}, float64 recomputation ${want[j]}`);
    });
    k += l.weights.length;
  });
  const isCategorical = lossFromDescription(f.model) === 'categoricalCrossentropy';
  let lossSum = 0;
  for (let i = 0; i < B; ++i) {
    const row = probs.slice(i * classes, (i + 1) * classes);
    const sum = isCategorical ? row.reduce((a, b) => a + b, 0) : 1;
    lossSum -= Math.log(Math.min(Math.max(row[f.y[i]] / sum, 1e-7), 1 - 1e-7));
  }
  if (Math.abs(f.loss - lossSum / B) > 1e-5 * Math.max(1, lossSum / B)) bad(`loss ${f.loss}, float64 recomputation ${lossSum / B}`);
  const lastLayer = info[info.length - 1];
  if (lastLayer.use_bias) {
    const g = f.gradients[trainable.length - 1];
    for (let j = 0; j < classes; ++j) {
      let want = 0;
      for (let i = 0; i < B; ++i) want += (probs[i * classes + j] - (f.y[i] === j ? 1 : 0)) / B;
      if (Math.abs(g[j] - want) > 1e-5) bad(`${lastLayer.name}/bias gradient[${j}] is ${g[j]}, expected mean(p - onehot) = ${want}`);
    }
  }
  if (f.sgd.learning_rate !== SGD.learning_rate) bad(`sgd.learning_rate ${f.sgd.learning_rate}`);
  for (const k of Object.keys(ADAM)) if (f.adam[k] !== ADAM[k]) bad(`adam.${k} ${f.adam[k]}`);
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const t0 = process.hrtime.bigint();
  const tf = await initTfjsCpu();
  const cases = buildCases();
  fs.mkdirSync(OUT_DIR, { recursive: true });
  // A case no longer generated must not linger: the C++ suite checks every file is one it compares.
  for (const f of fs.readdirSync(OUT_DIR)) if (f.endsWith('.json')) fs.rmSync(path.join(OUT_DIR, f));
  const written = [];
  for (const c of cases) {
    const r = await generate(tf, c);
    const file = path.join(OUT_DIR, `${c.name}.json`);
    const text = toJson(r.fixture) + '\n';
    fs.writeFileSync(file, text);
    written.push({ file, name: c.name, fixture: r.fixture });
    const kb = Buffer.byteLength(text) / 1024;
    const size = kb >= 1024 ? `${(kb / 1024).toFixed(1)} MB` : `${kb.toFixed(1)} kB`;
    console.log(
      `wrote ${path.relative(process.cwd(), file).startsWith('..') ? file : path.relative(process.cwd(), file)}  batch ${c.batch}, ${r.params} params, ` +
        `loss ${r.loss.toPrecision(6)}, accuracy ${r.accuracy}, near-zero ReLU inputs ${r.nearZero}, ` +
        `steps re-derived ${r.inexact === 0 ? 'bit-exactly' : `with ${r.inexact} last-bit differences`}${r.lossExact ? '' : ' (trainOnBatch loss differs in the last bits)'}, ${size}`,
    );
  }
  for (const w of written) checkFixture(w.file, w.name, w.fixture);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`self-check passed for ${written.length} fixtures in ${OUT_DIR} (${secs.toFixed(1)} s)`);
}

main().catch((e) => {
  console.error(`make-parity-fixtures: ERROR: ${e?.stack ?? e}`);
  process.exit(1);
});
