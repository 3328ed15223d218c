// The training set-up as a form, mirrored in the URL hash so it can be shared as a link:
//   #preset=cnn-16-8&optimizer=adam&epochs=1&batch=32&lr=0.001&seed=1
const FIELDS = ['preset', 'optimizer', 'epochs', 'batch', 'lr', 'seed'];

export function readHash(hash = location.hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  return Object.fromEntries(FIELDS.filter((f) => params.has(f)).map((f) => [f, params.get(f)]));
}

export function writeHash(settings) {
  const params = new URLSearchParams();
  for (const f of FIELDS) if (settings[f] != null && settings[f] !== '') params.set(f, settings[f]);
  history.replaceState(null, '', `#${params}`);
}

// The preset's own values: what the tutorial used.
export function presetDefaults(description) {
  const optimizer = description.compile?.optimizer ?? {};
  const name = String(optimizer.class_name ?? optimizer).toLowerCase();
  const lr = optimizer.config?.learning_rate ?? (name === 'sgd' ? 0.01 : 0.001);
  return { optimizer: name === 'sgd' ? 'sgd' : 'adam', epochs: description.fit?.epochs ?? 1,
    batch: description.fit?.batch_size ?? 32, lr, seed: 1 };
}

// Reads and checks the form; throws an Error naming the field on a bad value.
export function readForm(form) {
  const value = (name) => form.elements[name].value.trim();
  const integer = (name, label, min, max) => {
    const n = Number(value(name));
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${label} must be a whole number from ${min} to ${max}`);
    return n;
  };
  const lr = Number(value('lr'));
  if (!(lr > 0 && lr <= 100)) throw new Error('Learning rate must be a number above 0 and at most 100');
  return { preset: value('preset'), optimizer: value('optimizer'), epochs: integer('epochs', 'Epochs', 1, 1000),
    batch: integer('batch', 'Batch size', 1, 4096), lr, seed: integer('seed', 'Seed', 0, 4294967295) };
}

export function fillForm(form, settings) {
  for (const f of FIELDS) if (settings[f] != null && form.elements[f]) form.elements[f].value = settings[f];
}
