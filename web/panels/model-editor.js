// The model editor (step 2, "Edit this model"): the model as a list of layers to add,
// remove, move and tune. The core judges every version (ToWorker.planModel, through the
// worker): each row shows the output shape and weight count it computed, and a layer that
// does not fit is named on its own row; JS knows which fields a layer class has, never
// whether they fit. A description that fits becomes the widget's model (ctx.setModel) a
// moment after the last edit; one that does not holds Train back (ctx.setModelProblem),
// saying why. docs/page.md, "The model editor".
const ACTIVATIONS = ['relu', 'softmax', 'linear', 'sigmoid', 'tanh', 'elu', 'selu', 'softplus'];
// Per class: its fields [key, label, kind] and a new layer's config. Kinds: int, pair (one
// number shown, [n, n] written), rate, act (activation), pad (padding).
const CLASSES = {
  Dense: [[['units', 'Units', 'int'], ['activation', 'Activation', 'act']], { units: 64, activation: 'relu' }],
  Conv2D: [[['filters', 'Filters', 'int'], ['kernel_size', 'Kernel', 'pair'], ['strides', 'Stride', 'pair'], ['padding', 'Padding', 'pad'], ['activation', 'Activation', 'act']],
    { filters: 8, kernel_size: [3, 3], strides: [1, 1], padding: 'valid', activation: 'relu' }],
  MaxPooling2D: [[['pool_size', 'Pool', 'pair']], { pool_size: [2, 2] }],
  AveragePooling2D: [[['pool_size', 'Pool', 'pair']], { pool_size: [2, 2] }],
  Flatten: [[], {}],
  Dropout: [[['rate', 'Rate', 'rate']], { rate: 0.25 }],
  ReLU: [[], {}],
  LeakyReLU: [[['alpha', 'Alpha', 'rate']], { alpha: 0.3 }],
  BatchNormalization: [[], {}], // Keras' defaults (momentum 0.99, epsilon 1e-3)
};
const INPUTS = { '28,28': '28×28 (for Flatten first)', '28,28,1': '28×28×1 (for Conv2D first)', '784': '784 (already flat)' };
const DEBOUNCE_MS = 250;

const shape = (s) => `(${s.join(', ')})`;
const options = (values, chosen) => values.map((v) => `<option${v === chosen ? ' selected' : ''}>${v}</option>`).join('');

// The description as the URL hash carries it: without the keys the core fills in again
// (layer names, format, version, the dataset the widget adds).
export function compactDescription(d) {
  const layers = d.layers.map((/** @type {{class_name: string, config?: Record<string, unknown>}} */ { class_name, config = {} }) => {
    const { name: _name, ...rest } = config;
    return Object.keys(rest).length ? { class_name, config: rest } : { class_name };
  });
  const fit = d.fit && { ...d.fit };
  delete fit?.dataset;
  return { name: d.name, input_shape: d.input_shape, layers, compile: d.compile, fit };
}

/**
 * Opens the editor in `host`, starting from the widget's current description.
 * @param {HTMLElement} host
 * @param {any} ctx the panel context (trainer-element.js)
 */
export function openModelEditor(host, ctx) {
  host.innerHTML = `<fieldset class="dt__editor"><legend>Layers, from the image to the ten outputs</legend>
    <div class="field"><label for="ed-input">Input shape</label><select id="ed-input">${Object.entries(INPUTS).map(([v, t]) => `<option value="${v}">${t}</option>`).join('')}</select></div>
    <ol class="dt__layers"></ol>
    <div class="dt__add"><label for="ed-class">Add a layer</label><select id="ed-class">${options(Object.keys(CLASSES), 'Dense')}</select>
      <button type="button" id="ed-add">Add before the last</button></div>
    <p class="dt__editor-total" role="status"></p></fieldset>`;
  const list = host.querySelector('.dt__layers');
  const input = /** @type {HTMLSelectElement} */ (host.querySelector('#ed-input'));
  const total = host.querySelector('.dt__editor-total');
  const fieldset = /** @type {HTMLFieldSetElement} */ (host.querySelector('fieldset'));
  let base = null;     // the description being edited (compile and fit come with it)
  let layers = [];     // [{class_name, config}]
  let timer = 0;
  let asked = 0;       // plans asked for; an answer to an older one is dropped
  let applied = '';    // the compact JSON last given to the widget

  function load(from) {
    base = structuredClone(from);
    layers = compactDescription(base).layers.map((l) => ({ class_name: l.class_name, config: { ...l.config } }));
    const key = String(base.input_shape);
    if (!(key in INPUTS)) input.append(new Option(shape(base.input_shape), key));
    input.value = key;
    // Opening the editor changes nothing: the model is replaced only after an edit.
    applied = JSON.stringify(compactDescription(description()));
    render();
    check();
  }

  function description() {
    return { ...base, name: base.name?.endsWith('-edited') || base.name === 'custom' ? base.name : `${base.name ?? 'model'}-edited`,
      input_shape: input.value.split(',').map(Number), layers: layers.map((l) => ({ class_name: l.class_name, config: { ...l.config } })) };
  }

  // One row per layer: its number and class, its fields, where it can move, and a line the
  // core's answer fills (output shape and weights, or what does not fit).
  function render(focus) {
    list.replaceChildren(...layers.map((layer, i) => {
      const row = document.createElement('li');
      row.className = 'dt__layer';
      const id = `ed-${i}`;
      const fields = (CLASSES[layer.class_name]?.[0] ?? []).map(([key, label, kind]) => {
        // A key the description leaves out shows the core's default (a new layer's).
        const value = layer.config[key] ?? CLASSES[layer.class_name][1][key];
        const shown = kind === 'pair' && Array.isArray(value) ? value[0] : value ?? '';
        const control = kind === 'act' ? `<select name="${key}" id="${id}-${key}">${options(ACTIVATIONS, value ?? 'linear')}</select>`
          : kind === 'pad' ? `<select name="${key}" id="${id}-${key}">${options(['valid', 'same'], value ?? 'valid')}</select>`
            : `<input name="${key}" id="${id}-${key}" type="number" inputmode="decimal" step="${kind === 'rate' ? 'any' : 1}" min="${kind === 'rate' ? 0 : 1}" value="${shown}">`;
        return `<div class="field"><label for="${id}-${key}">${label}</label>${control}</div>`;
      }).join('');
      const name = `layer ${i + 1}, ${layer.class_name}`;
      row.innerHTML = `<div class="dt__layer-head"><span class="dt__layer-name">${i + 1}. ${layer.class_name}</span>
        <button type="button" data-move="-1" aria-label="Move ${name} up"${i === 0 ? ' disabled' : ''}>↑</button>
        <button type="button" data-move="1" aria-label="Move ${name} down"${i === layers.length - 1 ? ' disabled' : ''}>↓</button>
        <button type="button" data-remove aria-label="Remove ${name}">✕</button></div>
        ${fields ? `<div class="fields">${fields}</div>` : ''}<p class="dt__layer-out" id="${id}-out">…</p>`;
      for (const control of row.querySelectorAll('input, select')) control.setAttribute('aria-describedby', `${id}-out`);
      row.dataset.index = String(i);
      return row;
    }));
    // The focus stays where the hand was: the first of `focus` (selectors) that exists.
    if (focus) (focus.map((f) => list.querySelector(f)).find(Boolean) ?? host.querySelector('#ed-add')).focus();
  }

  list.addEventListener('input', (e) => {
    const target = /** @type {HTMLInputElement} */ (e.target);
    const i = Number(target.closest('li').dataset.index);
    const kind = CLASSES[layers[i].class_name][0].find(([key]) => key === target.name)[2];
    // A number as typed goes to the core, which names it if it does not fit; an empty or
    // unreadable field goes as its text, so the message quotes it.
    const n = target.value.trim() === '' || Number.isNaN(Number(target.value)) ? target.value : Number(target.value);
    layers[i].config[target.name] = kind === 'act' || kind === 'pad' ? target.value : kind === 'pair' ? [n, n] : n;
    schedule();
  });
  list.addEventListener('click', (e) => {
    const button = /** @type {HTMLElement} */ (e.target).closest('button');
    if (!button) return;
    const i = Number(button.closest('li').dataset.index);
    if (button.dataset.remove != null) {
      layers.splice(i, 1);
      render([`[data-index="${Math.min(i, layers.length - 1)}"] [data-remove]`]);
    } else {
      const j = i + Number(button.dataset.move);
      [layers[i], layers[j]] = [layers[j], layers[i]];
      render([`[data-index="${j}"] [data-move="${button.dataset.move}"]:not(:disabled)`, `[data-index="${j}"] [data-move]:not(:disabled)`]);
    }
    schedule();
  });
  host.querySelector('#ed-add').addEventListener('click', () => {
    const name = /** @type {HTMLSelectElement} */ (host.querySelector('#ed-class')).value;
    const at = Math.max(0, layers.length - 1);
    layers.splice(at, 0, { class_name: name, config: structuredClone(CLASSES[name][1]) });
    render([`[data-index="${at}"] input`, `[data-index="${at}"] button`]);
    schedule();
  });
  input.addEventListener('change', schedule);

  function schedule() {
    clearTimeout(timer);
    total.textContent = 'Checking…';
    // Until the core has answered, Train waits: it would train the version before the edit.
    ctx.setModelProblem('Checking the edited model…');
    timer = setTimeout(check, DEBOUNCE_MS);
  }

  async function check() {
    const mine = ++asked;
    const d = description();
    let plan;
    try {
      plan = await ctx.session.planModel(d);
    } catch (e) {
      plan = { layers: [], paramCount: 0, error: e.message, errorLayer: -1 };
    }
    if (mine !== asked) return;
    const rows = list.children;
    for (let i = 0; i < rows.length; i++) {
      const out = rows[i].querySelector('.dt__layer-out');
      const fits = plan.layers[i];
      const wrong = Boolean(plan.error) && plan.errorLayer === i;
      out.textContent = wrong ? `Does not fit: ${plan.error}` : fits ? `→ ${shape(fits.outputShape)}, ${fits.params.toLocaleString('en')} weights` : '–';
      out.classList.toggle('dt__layer-error', wrong);
      rows[i].classList.toggle('dt__layer--error', wrong);
      for (const control of rows[i].querySelectorAll('input, select')) {
        if (wrong) control.setAttribute('aria-invalid', 'true'); // (an empty aria-invalid means false)
        else control.removeAttribute('aria-invalid');
      }
    }
    const where = plan.errorLayer >= 0 ? `layer ${plan.errorLayer + 1} (${layers[plan.errorLayer]?.class_name}) does not fit` : 'the model does not fit';
    const problem = plan.error ? `Train waits: ${where}: ${plan.error}` : null;
    total.textContent = problem ?? `Total: ${plan.paramCount.toLocaleString('en')} weights in ${layers.length} layers.`;
    total.classList.toggle('dt__layer-error', !!problem);
    ctx.setModelProblem(problem);
    const text = JSON.stringify(compactDescription(d));
    if (!problem && text !== applied) {
      applied = text;
      ctx.setModel(d, text);
    }
  }

  // A preset picked, a model attribute changed, a link opened: the editor starts again from it.
  ctx.events.addEventListener('description', () => load(ctx.description));
  ctx.events.addEventListener('state', (e) => { fieldset.disabled = e.detail.state !== 'idle'; });
  load(ctx.description);
  fieldset.disabled = ctx.session.trainState !== 'idle';
}
