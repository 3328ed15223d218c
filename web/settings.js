// The demo page's set-up in its URL hash, so it can be shared as a link:
//   #dataset=fashion-mnist&preset=cnn-16-8&optimizer=adam&epochs=1&batch=32&lr=0.001&seed=1
// and, for a model made in the editor, &model=<its description as compact JSON, URI-encoded>.
// Hash keys stay short; each maps to a <digit-trainer> attribute.
const HASH_ATTRIBUTES = Object.freeze({
  dataset: 'dataset', preset: 'preset', optimizer: 'optimizer', epochs: 'epochs', batch: 'batch-size', lr: 'learning-rate', seed: 'seed', model: 'model',
});
const SETTING_OF = { dataset: 'dataset', preset: 'preset', optimizer: 'optimizer', epochs: 'epochs', batch: 'batchSize', lr: 'learningRate', seed: 'seed', model: 'model' };

// {attribute: value} for the keys present in the hash.
export function readHash(hash = location.hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  return Object.fromEntries(Object.keys(HASH_ATTRIBUTES).filter((k) => params.has(k)).map((k) => [HASH_ATTRIBUTES[k], params.get(k)]));
}

// settings: the widget's {dataset, preset, optimizer, epochs, batchSize, learningRate, seed}.
export function writeHash(settings) {
  const params = new URLSearchParams();
  for (const [key, name] of Object.entries(SETTING_OF)) if (settings[name] != null && settings[name] !== '') params.set(key, settings[name]);
  history.replaceState(null, '', `#${params}`);
}
