// Build a TF.js (tfjs-layers) model from a Digitrain model description.
//
// A description is the JSON in src/model/presets/*.json:
//   { input_shape: [...one sample, no batch dim...],
//     layers: [ {class_name: "Flatten"|"Dense"|"Conv2D", config: {...Keras names...}}, ... ],
//     compile: { loss, optimizer: {class_name: "SGD"|"Adam", config: {...}}, metrics } }
//
// The checks here mirror what the C++ core accepts (src/layers/layer_factory.cpp): Conv2D is
// always strides 1, dilation 1, padding "valid", channels-last; a Dense layer needs a rank-1
// input (TF.js would silently apply it to the last axis, Keras-style, but Digitrain refuses).
//
// Usage:
//   import { initTfjsCpu, modelFromDescription, compileArgsFromDescription } from './lib/tfjs-from-description.mjs';
//   const tf = await initTfjsCpu();
//   const { model, layers } = modelFromDescription(description);
//   model.compile(compileArgsFromDescription(description));

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

const ACTIVATIONS = new Set(['relu', 'softmax', 'linear']);

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

const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
const fail = (where, msg) => {
  throw new Error(`${where}: ${msg}`);
};
const prod = (shape) => shape.reduce((a, b) => a * b, 1);

function positiveInt(v, where, what) {
  if (!Number.isInteger(v) || v <= 0) fail(where, `'${what}' must be a positive integer, got ${JSON.stringify(v)}`);
  return v;
}

function pairOfInts(v, where, what) {
  if (Number.isInteger(v)) return [positiveInt(v, where, what), v];
  if (Array.isArray(v) && v.length === 2) return [positiveInt(v[0], where, what), positiveInt(v[1], where, what)];
  return fail(where, `'${what}' must be an int or [int, int], got ${JSON.stringify(v)}`);
}

function requireValue(config, key, allowed, where) {
  if (!(key in config) || config[key] == null) return;
  const v = config[key];
  const ok = allowed.some((a) => JSON.stringify(a) === JSON.stringify(v));
  if (!ok) fail(where, `'${key}' ${JSON.stringify(v)} is not supported (only ${allowed.map((a) => JSON.stringify(a)).join(' or ')})`);
}

function activationOf(config, where) {
  const a = config.activation ?? 'linear';
  if (typeof a !== 'string' || !ACTIVATIONS.has(a)) fail(where, `activation ${JSON.stringify(a)} is not supported (relu, softmax, linear)`);
  return a;
}

function useBiasOf(config, where) {
  const b = config.use_bias ?? true;
  if (typeof b !== 'boolean') fail(where, `'use_bias' must be a boolean`);
  return b;
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

/**
 * Validate a description and work out every layer's output shape (per sample, no batch dim)
 * and its weights, without touching TF.js.
 * Returns [{class_name, name, activation, use_bias, input_shape, output_shape,
 *           weights: [{name, shape}]}], one per layer.
 */
export function describeLayers(description) {
  const where0 = `model '${description?.name ?? 'sequential'}'`;
  if (!description || typeof description !== 'object') fail(where0, 'description must be an object');
  const inputShape = description.input_shape;
  if (!Array.isArray(inputShape) || inputShape.length === 0) fail(where0, `'input_shape' must be a non-empty list`);
  inputShape.forEach((d) => positiveInt(d, where0, 'input_shape'));
  if (!Array.isArray(description.layers) || description.layers.length === 0) fail(where0, `'layers' must be a non-empty list`);

  const out = [];
  const names = new Set();
  let shape = inputShape.slice();
  description.layers.forEach((layer, i) => {
    const cls = layer?.class_name;
    const config = layer?.config ?? {};
    const name = config.name;
    const where = `${where0}, layer ${i} (${cls}${name ? ` '${name}'` : ''})`;
    if (typeof name !== 'string' || name === '') fail(where, `needs a config.name`);
    if (names.has(name)) fail(where, `two layers are named '${name}'`);
    names.add(name);
    const info = { class_name: cls, name, input_shape: shape.slice(), weights: [] };
    if (cls === 'Flatten') {
      requireValue(config, 'data_format', ['channels_last'], where);
      info.activation = 'linear';
      info.use_bias = false;
      shape = [prod(shape)];
    } else if (cls === 'Dense') {
      if (shape.length !== 1) fail(where, `Dense needs a rank-1 input (one sample), got ${JSON.stringify(shape)}; add a Flatten first`);
      const units = positiveInt(config.units, where, 'units');
      info.activation = activationOf(config, where);
      info.use_bias = useBiasOf(config, where);
      info.weights.push({ name: `${name}/kernel`, shape: [shape[0], units] });
      if (info.use_bias) info.weights.push({ name: `${name}/bias`, shape: [units] });
      shape = [units];
    } else if (cls === 'Conv2D') {
      if (shape.length !== 3) fail(where, `Conv2D needs a [height, width, channels] input, got ${JSON.stringify(shape)}`);
      const filters = positiveInt(config.filters, where, 'filters');
      const [kh, kw] = pairOfInts(config.kernel_size, where, 'kernel_size');
      requireValue(config, 'strides', [1, [1, 1]], where);
      requireValue(config, 'dilation_rate', [1, [1, 1]], where);
      requireValue(config, 'padding', ['valid'], where);
      requireValue(config, 'data_format', ['channels_last'], where);
      requireValue(config, 'groups', [1], where);
      const [h, w, c] = shape;
      if (kh > h || kw > w) fail(where, `kernel ${kh}x${kw} is larger than its ${h}x${w} input`);
      info.activation = activationOf(config, where);
      info.use_bias = useBiasOf(config, where);
      info.kernel_size = [kh, kw];
      info.filters = filters;
      info.weights.push({ name: `${name}/kernel`, shape: [kh, kw, c, filters] });
      if (info.use_bias) info.weights.push({ name: `${name}/bias`, shape: [filters] });
      shape = [h - kh + 1, w - kw + 1, filters];
    } else {
      fail(where, `class_name ${JSON.stringify(cls)} is not supported (Flatten, Dense, Conv2D)`);
    }
    info.output_shape = shape.slice();
    out.push(info);
  });
  return out;
}

/** One tfjs layer from one layer description. inputShape (per sample) only for the first layer. */
export function layerFromDescription(layer, inputShape) {
  const config = layer.config ?? {};
  const common = { name: config.name };
  if (inputShape) common.inputShape = inputShape.slice();
  switch (layer.class_name) {
    case 'Flatten':
      return tf.layers.flatten({ ...common, dataFormat: 'channelsLast' });
    case 'Dense':
      return tf.layers.dense({
        ...common,
        units: config.units,
        activation: config.activation ?? 'linear',
        useBias: config.use_bias ?? true,
        kernelInitializer: initializerFromDescription(config.kernel_initializer, config.name),
        biasInitializer: initializerFromDescription(config.bias_initializer, config.name),
      });
    case 'Conv2D': {
      const ks = Number.isInteger(config.kernel_size) ? [config.kernel_size, config.kernel_size] : config.kernel_size.slice();
      return tf.layers.conv2d({
        ...common,
        filters: config.filters,
        kernelSize: ks,
        strides: [1, 1],
        padding: 'valid',
        dataFormat: 'channelsLast',
        dilationRate: [1, 1],
        activation: config.activation ?? 'linear',
        useBias: config.use_bias ?? true,
        kernelInitializer: initializerFromDescription(config.kernel_initializer, config.name),
        biasInitializer: initializerFromDescription(config.bias_initializer, config.name),
      });
    }
    default:
      throw new Error(`layer class ${JSON.stringify(layer.class_name)} is not supported`);
  }
}

/**
 * tf.sequential built from a description (validated with describeLayers first).
 * Returns { model, layers (the tfjs layer objects, in description order), info (describeLayers) }.
 */
export function modelFromDescription(description) {
  const info = describeLayers(description);
  const model = tf.sequential({ name: typeof description.name === 'string' ? description.name.replace(/[^A-Za-z0-9_.-]/g, '_') : undefined });
  const layers = description.layers.map((layer, i) => {
    const l = layerFromDescription(layer, i === 0 ? description.input_shape : null);
    model.add(l);
    return l;
  });
  // Cross-check our shape bookkeeping against TF.js'.
  layers.forEach((l, i) => {
    const got = JSON.stringify(l.outputShape.slice(1));
    const want = JSON.stringify(info[i].output_shape);
    if (got !== want) throw new Error(`layer '${info[i].name}': TF.js output shape ${got}, expected ${want}`);
  });
  return { model, layers, info };
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
    default:
      throw new Error(`optimizer ${JSON.stringify(name)} is not supported (SGD, Adam)`);
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
