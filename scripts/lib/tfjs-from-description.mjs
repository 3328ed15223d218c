// Build a TF.js (tfjs-layers) model from a Digitrain model description.
//
// A description is the JSON in src/model/presets/*.json:
//   { input_shape: [...one sample, no batch dim...],
//     layers: [ {class_name: "Dense", config: {...Keras names...}}, ... ],
//     compile: { loss, optimizer: {class_name: "SGD"|"Adam", config: {...}}, metrics } }
//
// Which layer classes exist, their keys, kinds and defaults come from the C++ core's own
// registrations (src/keras/, printed by `digitrain layers --format json`), so adding a layer
// there adds it here: each key becomes the camelCase argument of the TF.js layer of the same
// class. Shapes and weights are TF.js' own (not worked out again here), which makes the
// fixtures an independent judge of the C++ layers' shapes. A Dense layer needs a rank-1
// input (TF.js would silently apply it to the last axis, Keras-style, but Digitrain refuses).
//
// Usage:
//   import { initTfjsCpu, modelFromDescription, compileArgsFromDescription } from './lib/tfjs-from-description.mjs';
//   const tf = await initTfjsCpu();
//   const { model, layers } = modelFromDescription(description);
//   model.compile(compileArgsFromDescription(description));

import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import * as tf from '@tensorflow/tfjs';

export { tf };

let initialised = false;

/** Select the pure-JS cpu backend and drop the "install tfjs-node" hint. Returns tf. */
export async function initTfjsCpu() {
  if (!initialised) {
    const warn = console.warn;
    console.warn = (...args) => {
      if (args.length > 0 && typeof args[0] === 'string' && args[0].includes('tfjs-node')) return;
      warn(...args);
    };
    const ok = await tf.setBackend('cpu');
    if (!ok || tf.getBackend() !== 'cpu') throw new Error('could not select the TF.js cpu backend');
    await tf.ready();
    initialised = true;
  }
  return tf;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
let layerClassTable = null;

/**
 * The layer classes the C++ core registers: [{class_name, keys: [{key, kind, default, choices?}]}].
 * Read from the native binary (DIGITRAIN_BIN, default build/native/digitrain).
 */
export function layerClasses() {
  if (!layerClassTable) {
    const bin = process.env.DIGITRAIN_BIN ?? path.join(ROOT, 'build', 'native', 'digitrain');
    let text;
    try {
      text = execFileSync(bin, ['layers', '--format', 'json'], { encoding: 'utf8' });
    } catch (e) {
      throw new Error(`cannot list the layer classes with ${bin} (build it first: bash scripts/build.sh native): ${e.message}`);
    }
    layerClassTable = new Map(JSON.parse(text).map((c) => [c.class_name, c]));
  }
  return layerClassTable;
}

// Keras loss names -> the keys of tfjs-layers' lossesMap (tfjs-layers/src/losses.ts).
const LOSSES = {
  sparse_categorical_crossentropy: 'sparseCategoricalCrossentropy',
  sparseCategoricalCrossentropy: 'sparseCategoricalCrossentropy',
  categorical_crossentropy: 'categoricalCrossentropy',
  categoricalCrossentropy: 'categoricalCrossentropy',
};

// Keras initializer aliases that are not just snake_case -> camelCase of a tfjs name.
const INITIALIZER_ALIASES = {
  normal: 'randomNormal', // keras.initializers.RandomNormal(stddev=0.05); tfjs default stddev is 0.05 too
  uniform: 'randomUniform', // keras RandomUniform(-0.05, 0.05); same tfjs defaults
  zero: 'zeros',
  one: 'ones',
};

// Values whose TF.js spelling differs from Keras'.
const TFJS_VALUES = { channels_last: 'channelsLast', channels_first: 'channelsFirst' };

const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
const fail = (where, msg) => {
  throw new Error(`${where}: ${msg}`);
};
const prod = (shape) => shape.reduce((a, b) => a * b, 1);

function positiveInt(v, where, what) {
  if (!Number.isInteger(v) || v <= 0) fail(where, `'${what}' must be a positive integer, got ${JSON.stringify(v)}`);
  return v;
}

/** Keras initializer spec (string or {class_name, config}) -> tfjs initializer argument. */
export function initializerFromDescription(spec, where = 'initializer') {
  if (spec == null) return undefined;
  if (typeof spec === 'string') {
    return INITIALIZER_ALIASES[spec] ?? camel(spec);
  }
  if (typeof spec === 'object' && typeof spec.class_name === 'string') {
    const name = spec.class_name.charAt(0).toLowerCase() + spec.class_name.slice(1); // GlorotUniform -> glorotUniform
    const factory = tf.initializers[name];
    if (typeof factory !== 'function') fail(where, `initializer ${JSON.stringify(spec.class_name)} is unknown to TF.js`);
    const cfg = {};
    for (const [k, v] of Object.entries(spec.config ?? {})) cfg[camel(k)] = v;
    return factory(cfg);
  }
  return fail(where, `bad initializer ${JSON.stringify(spec)}`);
}

const IGNORED = new Set(['name', 'trainable', 'dtype', 'batch_input_shape', 'batch_shape', 'input_shape']);

/**
 * One layer's Keras keys with the class's defaults filled in, unknown keys refused (the C++
 * reader, src/keras/layer_classes.cpp, checks the values in full).
 */
export function layerArgs(layer, where) {
  const cls = layerClasses().get(layer?.class_name);
  if (!cls) fail(where, `class_name ${JSON.stringify(layer?.class_name)} is not supported (${[...layerClasses().keys()].join(', ')})`);
  const config = layer.config ?? {};
  const args = {};
  for (const rule of cls.keys) {
    if (rule.kind === 'ignored' || rule.kind === 'alias') continue;
    const given = config[rule.key];
    if (given == null) {
      if (rule.default == null && ['positive_int', 'int_pair', 'fraction', 'positive_number'].includes(rule.kind)) fail(where, `missing '${rule.key}'`);
      args[rule.key] = rule.default;
    } else if (rule.kind === 'int_pair' || rule.kind === 'optional_int_pair') {
      args[rule.key] = Number.isInteger(given) ? [given, given] : given;
    } else if (rule.kind === 'fixed' || rule.kind === 'fixed_unwritten') {
      const same = JSON.stringify(given) === JSON.stringify(rule.default) || (Array.isArray(rule.default) && given === rule.default[0]);
      if (!same) fail(where, `'${rule.key}' ${JSON.stringify(given)} is not supported (only ${JSON.stringify(rule.default)})`);
      args[rule.key] = rule.default;
    } else if (rule.kind === 'choice' && !rule.choices.includes(given)) {
      fail(where, `'${rule.key}' ${JSON.stringify(given)} is not supported (only ${rule.choices.join(', ')})`);
    } else {
      args[rule.key] = given;
    }
  }
  // Keras 3's other names (negative_slope for LeakyReLU's alpha) stand for their key.
  for (const rule of cls.keys) if (rule.kind === 'alias' && config[rule.key] != null) args[rule.alias_of] = config[rule.key];
  for (const [key, value] of Object.entries(config)) {
    if (!IGNORED.has(key) && value != null && !cls.keys.some((r) => r.key === key)) fail(where, `option '${key}' is not supported`);
  }
  return { cls, args };
}

/** One tfjs layer from one layer description. inputShape (per sample) only for the first layer. */
export function layerFromDescription(layer, inputShape, where = 'layer') {
  const { cls, args } = layerArgs(layer, where);
  const name = layer.config?.name;
  const tfArgs = { name };
  if (inputShape) tfArgs.inputShape = inputShape.slice();
  for (const rule of cls.keys) {
    if (rule.kind === 'ignored' || rule.kind === 'fixed_unwritten' || rule.kind === 'alias') continue;
    const value = args[rule.key];
    if (value == null) continue;
    tfArgs[camel(rule.key)] = rule.kind === 'initializer' ? initializerFromDescription(value, name) : (TFJS_VALUES[value] ?? value);
  }
  // Dense -> dense, Conv2D -> conv2d, MaxPooling2D -> maxPooling2d.
  const factoryName = (cls.class_name.charAt(0).toLowerCase() + cls.class_name.slice(1)).replace(/2D$/, '2d');
  const factory = tf.layers[factoryName];
  if (typeof factory !== 'function') fail(where, `TF.js has no tf.layers.${factoryName}`);
  return factory(tfArgs);
}

/**
 * tf.sequential built from a description. Returns { model, layers (the tfjs layer objects, in
 * description order), info }: per layer {class_name, name, args (Keras keys, defaults filled),
 * activation, use_bias, kernel_size, input_shape, output_shape (per sample, TF.js'),
 * weights: [{name: "<layer>/kernel", shape, trainable}] (TF.js' order)}.
 */
export function modelFromDescription(description) {
  const where0 = `model '${description?.name ?? 'sequential'}'`;
  if (!description || typeof description !== 'object') fail(where0, 'description must be an object');
  const inputShape = description.input_shape;
  if (!Array.isArray(inputShape) || inputShape.length === 0) fail(where0, `'input_shape' must be a non-empty list`);
  inputShape.forEach((d) => positiveInt(d, where0, 'input_shape'));
  if (!Array.isArray(description.layers) || description.layers.length === 0) fail(where0, `'layers' must be a non-empty list`);
  const model = tf.sequential({ name: typeof description.name === 'string' ? description.name.replace(/[^A-Za-z0-9_.-]/g, '_') : undefined });
  const names = new Set();
  const info = [];
  const layers = description.layers.map((layer, i) => {
    const name = layer?.config?.name;
    const where = `${where0}, layer ${i} (${layer?.class_name}${name ? ` '${name}'` : ''})`;
    if (typeof name !== 'string' || name === '') fail(where, `needs a config.name`);
    if (names.has(name)) fail(where, `two layers are named '${name}'`);
    names.add(name);
    const inShape = i === 0 ? inputShape.slice() : info[i - 1].output_shape;
    if (layer.class_name === 'Dense' && inShape.length !== 1)
      fail(where, `Dense needs a rank-1 input (one sample), got ${JSON.stringify(inShape)}; add a Flatten first`);
    const l = layerFromDescription(layer, i === 0 ? inputShape : null, where);
    model.add(l);
    const { args } = layerArgs(layer, where);
    info.push({
      class_name: layer.class_name,
      name,
      args,
      activation: args.activation ?? 'linear',
      use_bias: args.use_bias ?? false,
      kernel_size: args.kernel_size,
      input_shape: inShape,
      output_shape: l.outputShape.slice(1),
      // Every weight in TF.js' order, trainable first (BatchNormalization: gamma, beta, then
      // moving_mean, moving_variance, which are not).
      weights: l.weights.map((w) => ({ name: `${name}/${w.originalName.split('/').pop()}`, shape: w.shape.slice(), trainable: w.trainable })),
    });
    return l;
  });
  return { model, layers, info };
}

/** The info of modelFromDescription, without keeping the model. */
export function describeLayers(description) {
  const { model, info } = modelFromDescription(description);
  model.dispose();
  return info;
}

/** Keras loss name -> tfjs-layers loss name (string accepted by model.compile). */
export function lossFromDescription(description) {
  const loss = description.compile?.loss ?? 'sparse_categorical_crossentropy';
  const name = LOSSES[loss];
  if (!name) throw new Error(`loss ${JSON.stringify(loss)} is not supported (sparse_categorical_crossentropy, categorical_crossentropy)`);
  return name;
}

/** True when the loss wants one-hot targets (the fixtures always store sparse labels). */
export function lossWantsOneHot(description) {
  return lossFromDescription(description) === 'categoricalCrossentropy';
}

/** Keras optimizer description ("adam" | {class_name, config}) -> a fresh tf.train optimizer. */
export function optimizerFromDescription(spec) {
  let name = 'Adam';
  let config = {};
  if (typeof spec === 'string') name = spec;
  else if (spec && typeof spec === 'object') {
    name = spec.class_name;
    config = spec.config ?? {};
  }
  const lr = config.learning_rate ?? config.lr;
  switch (String(name).toLowerCase()) {
    case 'sgd':
      if ((config.momentum ?? 0) !== 0) return tf.train.momentum(lr ?? 0.01, config.momentum, config.nesterov ?? false);
      return tf.train.sgd(lr ?? 0.01);
    case 'adam':
      // Keras defaults; TF.js' own default epsilon is the backend's (1e-7 on cpu), pass it explicitly.
      return tf.train.adam(lr ?? 0.001, config.beta_1 ?? 0.9, config.beta_2 ?? 0.999, config.epsilon ?? 1e-7);
    case 'rmsprop':
      // Keras' defaults (TF.js' own 'rmsprop' string gives the same: lr 0.001, rho 0.9, momentum 0).
      // Centered: Keras divides by sqrt(v - mg² + eps); TF.js 4.22 by sqrt(v - (mg² + eps)), NaN
      // wherever |g| is small. Its epsilon negated gives Keras' rule (docs/training.md).
      if (config.centered) return tf.train.rmsprop(lr ?? 0.001, config.rho ?? 0.9, config.momentum ?? 0, -(config.epsilon ?? 1e-7), true);
      return tf.train.rmsprop(lr ?? 0.001, config.rho ?? 0.9, config.momentum ?? 0, config.epsilon ?? 1e-7);
    case 'adagrad':
      // TF.js' Adagrad takes the backend's epsilon (1e-7), Keras' default.
      if ((config.epsilon ?? 1e-7) !== 1e-7) throw new Error('optimizer Adagrad: TF.js has no epsilon but 1e-7');
      return tf.train.adagrad(lr ?? 0.001, config.initial_accumulator_value ?? 0.1);
    default:
      throw new Error(`optimizer ${JSON.stringify(name)} is not supported (SGD, Adam, RMSprop, Adagrad)`);
  }
}

/** Arguments for model.compile() from the description's compile block. */
export function compileArgsFromDescription(description, optimizer) {
  const metrics = description.compile?.metrics;
  return {
    loss: lossFromDescription(description),
    optimizer: optimizer ?? optimizerFromDescription(description.compile?.optimizer ?? 'adam'),
    ...(Array.isArray(metrics) && metrics.length > 0 ? { metrics: metrics.map((m) => (m === 'acc' ? 'accuracy' : m)) } : {}),
  };
}

export { prod as shapeSize };
