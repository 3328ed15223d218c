// <digit-trainer>'s attributes: parsed and checked in one place, each bad value named in a
// message the widget shows (the host page never sees an exception).
import { DATASETS, DEFAULT_DATASET } from './datasets.js';

export const PANELS = Object.freeze(['controls', 'summary', 'charts', 'drawing', 'network', 'my-digits', 'predictions', 'heatmap', 'weights', 'confusion']);
export const DEFAULT_PANELS = Object.freeze(['controls', 'charts', 'drawing']);
export const DEFAULT_PRESET = 'mlp-128-128';

export const ATTRIBUTES = Object.freeze(['preset', 'model', 'model-file', 'epochs', 'batch-size', 'learning-rate',
  'optimizer', 'seed', 'panels', 'autostart', 'data-url', 'compact', 'pause-offscreen', 'remember', 'my-digits-url', 'dataset']);

// The optimizers a page can pick: the `optimizer` attribute's values -> Keras' class names
// (what the model description's compile.optimizer names; the core reads both spellings).
export const OPTIMIZERS = Object.freeze({ adam: 'Adam', sgd: 'SGD', rmsprop: 'RMSprop', adagrad: 'Adagrad' });

// The preset's own values: what the tutorial used.
export function presetDefaults(description) {
  const optimizer = description.compile?.optimizer ?? {};
  const name = String(optimizer.class_name ?? optimizer).toLowerCase();
  const lr = optimizer.config?.learning_rate ?? (name === 'sgd' ? 0.01 : 0.001);
  return { optimizer: name in OPTIMIZERS ? name : 'adam', epochs: description.fit?.epochs ?? 1,
    batchSize: description.fit?.batch_size ?? 32, learningRate: lr, seed: 1 };
}

const LIMITS = {
  epochs: { label: 'epochs', min: 1, max: 1000, integer: true },
  batchSize: { label: 'batch-size', min: 1, max: 4096, integer: true },
  learningRate: { label: 'learning-rate', min: 0, max: 100, integer: false },
  seed: { label: 'seed', min: 0, max: 4294967295, integer: true },
};

// A number within LIMITS[key], or an Error message naming the attribute (or, given its
// label, the form field).
export function checkNumber(key, text, label = LIMITS[key].label) {
  const { min, max, integer } = LIMITS[key];
  const n = Number(String(text).trim());
  if (String(text).trim() === '' || !Number.isFinite(n)) return { error: `${label} must be a number, got "${text}"` };
  if (integer && (!Number.isInteger(n) || n < min || n > max)) return { error: `${label} must be a whole number from ${min} to ${max}, got ${text}` };
  if (!integer && !(n > min && n <= max)) return { error: `${label} must be above ${min} and at most ${max}, got ${text}` };
  return { value: n };
}

// Reads the element's attributes. Returns {options, errors}: options always usable (a bad
// value falls back to its default), errors the messages to show.
export function readAttributes(element, presetNames) {
  const errors = [];
  const attr = (name) => element.getAttribute(name);
  const flag = (name) => element.hasAttribute(name) && attr(name) !== 'false';

  let preset = attr('preset') ?? DEFAULT_PRESET;
  if (!presetNames.includes(preset)) {
    errors.push(`unknown preset "${preset}"; choose one of ${presetNames.join(', ')}`);
    preset = DEFAULT_PRESET;
  }
  const overrides = {};
  for (const [key, name] of [['epochs', 'epochs'], ['batchSize', 'batch-size'], ['learningRate', 'learning-rate'], ['seed', 'seed']]) {
    if (!element.hasAttribute(name)) continue;
    const { value, error } = checkNumber(key, attr(name));
    if (error) errors.push(error);
    else overrides[key] = value;
  }
  const optimizer = attr('optimizer');
  if (optimizer != null) {
    if (optimizer.toLowerCase() in OPTIMIZERS) overrides.optimizer = optimizer.toLowerCase();
    else errors.push(`optimizer must be ${Object.keys(OPTIMIZERS).join(', ').replace(/, (?=[^,]*$)/, ' or ')}, got "${optimizer}"`);
  }

  let dataset = attr('dataset') ?? DEFAULT_DATASET;
  if (!DATASETS[dataset]) {
    errors.push(`unknown dataset "${dataset}"; choose one of ${Object.keys(DATASETS).join(', ')}`);
    dataset = DEFAULT_DATASET;
  }

  let panels = [...DEFAULT_PANELS];
  if (element.hasAttribute('panels')) {
    const asked = attr('panels').split(/[\s,]+/).filter(Boolean);
    const unknown = asked.filter((p) => !PANELS.includes(p));
    if (unknown.length) errors.push(`unknown panel${unknown.length > 1 ? 's' : ''} ${unknown.map((p) => `"${p}"`).join(', ')}; panels are ${PANELS.join(', ')}`);
    panels = asked.filter((p) => PANELS.includes(p));
  }

  return {
    errors,
    options: {
      preset, overrides, panels, dataset,
      model: attr('model'),           // a model description: inline JSON, or a URL to one
      modelFile: attr('model-file'),  // a trained model file (or TF.js model.json) to start from
      dataUrl: attr('data-url'),
      myDigitsUrl: attr('my-digits-url'), // a starting My digits set: PREFIX-images-idx3-ubyte + PREFIX-labels-idx1-ubyte
      autostart: flag('autostart'),
      compact: flag('compact'),
      pauseOffscreen: flag('pause-offscreen'),
      remember: flag('remember'),
    },
  };
}
