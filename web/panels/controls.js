// Controls: the guided steps (1 Data: a glance at the digits; 2 Model: the preset and a
// sentence on it; 3 Train: Train/Pause/Resume/Step/Stop, epochs and learning rate, the other
// settings folded under "More settings", each with a `?` that explains it), live figures,
// and model download/load. Step 4 (draw) is the drawing panel.
import { checkNumber, OPTIMIZERS } from '../trainer-options.js';
import { formatSeconds } from './status.js';
import { download } from '../model-files.js';
import { buildModelPicker } from './model-picker.js';
import { openModelEditor } from './model-editor.js';
import { DATASETS } from '../datasets.js';

const FIELDS = [
  ['epochs', 'Epochs', 'epochs'], ['batchSize', 'Batch size', 'batch-size'],
  ['learningRate', 'Learning rate', 'learning-rate'], ['seed', 'Seed', 'seed'],
];

// One plain sentence per tutorial preset, for a learner who has not met the words yet.
const PRESET_SENTENCES = {
  'mlp-128-128': 'Two layers of 128 units between the 784 pixels and the ten digits: small and quick, good after one epoch.',
  'mlp-300-100': 'Every pixel feeds 300 units, then 100, then the ten digits: the classic "hello world" network, trained with plain SGD.',
  'mlp-256': 'One wide layer of 256 units between the pixels and the ten digits.',
  'cnn-16-8': 'A convolutional network: small 3×3 filters slide over the image and learn strokes and edges; slower per image, fewer weights.',
  'keras-convnet': 'Keras\' own MNIST convnet: two layers of filters, each followed by pooling that keeps the strongest response of every 2×2 patch, then dropout.',
  'tfjs-convnet': 'The TensorFlow.js MNIST example: three layers of 3×3 filters with pooling between, a layer of 64 units, trained with RMSprop in batches of 320.',
};

// What each setting does and what to watch for: shown under its `?`.
const HELP = {
  epochs: 'One epoch shows the network all 60,000 training digits once. More epochs learn more, until the validation curve stops improving.',
  learningRate: 'How big a step each batch takes downhill. Too small: the loss falls slowly. Too large (try 1): the loss jumps up instead of down.',
  optimizer: 'How the steps are taken. SGD steps straight down the gradient; Adam adapts the step for each weight and usually learns faster. RMSprop (the TF.js example\'s choice) and Adagrad also adapt each weight\'s step, from the sizes of its recent (RMSprop) or all (Adagrad) gradients.',
  batchSize: 'How many digits are averaged for one step. Small batches: more, noisier steps; large batches: fewer, smoother, faster ones.',
  seed: 'Picks the random starting weights and the order of the digits. The same seed gives the same run again.',
};

const field = (key, label, id) => `<div class="field"><label for="${id}">${label}</label>` +
  `<input id="${id}" name="${key}" type="number" step="any" required>${help(key, label)}</div>`;
const help = (key, label) => `<details class="help"><summary aria-label="What is ${label.toLowerCase()}?">?</summary><p>${HELP[key]}</p></details>`;

export function createControlsPanel(section, ctx) {
  section.setAttribute('aria-label', 'Model and training');
  section.innerHTML = `
    <h2 class="dt__title">Train a network</h2>
    <form class="settings" id="settings">
      <div class="dt__step"><h3 class="dt__step-title"><span class="dt__num" aria-hidden="true">1</span><label for="dataset">Data</label></h3>
        <select id="dataset" name="dataset"><option value="mnist">MNIST: handwritten digits</option><option value="fashion-mnist">Fashion-MNIST: clothes</option></select>
        <p class="hint dt__data-note">${DATASETS.mnist.about}</p>
        <canvas class="dt__glance" width="224" height="28" role="img" aria-label="A few MNIST digits"></canvas></div>
      <div class="dt__step"><h3 class="dt__step-title"><span class="dt__num" aria-hidden="true">2</span><label for="preset">Model</label></h3>
        <select id="preset" name="preset"></select>
        <p class="hint" id="preset-description"></p>
        <button type="button" id="edit-model" aria-expanded="false">Edit this model</button>
        <div class="dt__editor-box" hidden></div></div>
      <div class="dt__step"><h3 class="dt__step-title"><span class="dt__num" aria-hidden="true">3</span>Train</h3>
        <div class="buttons" role="group" aria-label="Training controls">
          <button id="train" class="primary" type="button" disabled>Train</button>
          <button id="pause" type="button" disabled>Pause</button>
          <button id="resume" type="button" disabled>Resume</button>
          <button id="step" type="button" disabled title="One batch">Step</button>
          <button id="stop" type="button" disabled>Stop</button>
        </div>
        <div class="fields">${field(...FIELDS[0])}${field(...FIELDS[2])}</div>
        <details class="advanced"><summary>More settings</summary><div class="fields">
          <div class="field"><label for="optimizer">Optimizer</label><select id="optimizer" name="optimizer">${Object.entries(OPTIMIZERS).map(([value, name]) => `<option value="${value}">${name}</option>`).join('')}</select>${help('optimizer', 'Optimizer')}</div>
          ${field(...FIELDS[1])}${field(...FIELDS[3])}</div></details>
      </div>
    </form>
    <dl class="stats" aria-live="off">
      <div><dt>Epoch</dt><dd id="stat-epoch">–</dd></div>
      <div><dt>Step</dt><dd id="stat-step">–</dd></div>
      <div><dt>Samples/s</dt><dd id="stat-speed">–</dd></div>
      <div><dt>ETA</dt><dd id="stat-eta">–</dd></div>
      <div><dt>Loss</dt><dd id="stat-loss">–</dd></div>
      <div><dt>Accuracy</dt><dd id="stat-accuracy">–</dd></div>
    </dl>
    <div class="buttons">
      <button id="save-model" type="button">Download model</button>
      <button id="save-model-tfjs" type="button" title="model.json and its weights file, for tf.loadLayersModel and Netron">Download for TF.js / Netron</button>
    </div>
    <p class="hint">or drop a model file (or a TF.js model.json with its .bin files) on this widget</p>`;
  const $ = (id) => section.querySelector(`#${id}`);
  const form = $('settings');
  const buttons = { train: $('train'), pause: $('pause'), resume: $('resume'), step: $('step'), stop: $('stop') };
  const stats = Object.fromEntries(['epoch', 'step', 'speed', 'eta', 'loss', 'accuracy'].map((k) => [k, $(`stat-${k}`)]));
  const { session } = ctx;
  let dataReady = false;
  // Fields whose typed value was refused: shown as such, and Train waits until they are
  // fixed (training with the old value while the refused one is on screen would mislead).
  const invalid = new Set();
  // The model editor's verdict on the edited description (model-editor.js): a reason, or null.
  let modelProblem = null;
  const glance = section.querySelector('.dt__glance');

  function fill(settings) {
    for (const name of invalid) form.elements[name].removeAttribute('aria-invalid');
    invalid.clear();
    // The presets are known once the worker is ready, which may be after this panel is built.
    if (form.elements.preset.options.length !== session.presets.length) {
      form.elements.preset.replaceChildren(...session.presets.map((name) => new Option(name, name)));
    }
    form.elements.preset.value = session.presets.includes(settings.preset) ? settings.preset : '';
    form.elements.optimizer.value = settings.optimizer;
    form.elements.dataset.value = settings.dataset ?? 'mnist';
    section.querySelector('.dt__data-note').textContent = DATASETS[form.elements.dataset.value].about;
    for (const [key] of FIELDS) form.elements[key].value = settings[key];
    const description = session.presetDescriptions[settings.preset];
    $('preset-description').textContent = settings.model
      ? `Your own model, made from ${settings.preset} in the editor below (or opened from a link).`
      : PRESET_SENTENCES[settings.preset] ?? (description ? JSON.parse(description).description ?? '' : '');
    // A link with its own model opens the editor on it.
    if (settings.model) openEditor();
  }

  // The editor is built on first use. Its code is in the bundle (2.5 KB gzip): a split chunk
  // would take 2.0 KB off the first load for one more request (docs/page.md, "The model editor").
  let editor = false;
  function openEditor() {
    const box = section.querySelector('.dt__editor-box');
    const button = $('edit-model');
    if (!editor) openModelEditor(box, ctx);
    editor = true;
    box.hidden = false;
    button.hidden = true;
    button.setAttribute('aria-expanded', 'true');
  }
  $('edit-model').addEventListener('click', openEditor);

  function updateButtons() {
    const s = session.trainState;
    buttons.train.disabled = !dataReady || s !== 'idle' || invalid.size > 0 || modelProblem != null;
    buttons.train.title = invalid.size > 0 ? `Fix the ${[...invalid].map((n) => FIELDS.find(([key]) => key === n)[1].toLowerCase()).join(' and ')} first`
      : modelProblem ?? '';
    buttons.pause.disabled = s !== 'running';
    buttons.resume.disabled = s !== 'paused';
    buttons.step.disabled = s !== 'paused';
    buttons.stop.disabled = s === 'idle';
    form.elements.preset.disabled = s !== 'idle';
    // One load at a time: a switch waits for the data under way (a failed load is over).
    form.elements.dataset.disabled = s !== 'idle' || (!dataReady && !dataFailed);
  }

  // A field is checked when it changes; a bad value is named and the setting stays as it was.
  form.addEventListener('change', (e) => {
    if (e.target.closest('.dt__editor-box')) return; // the model editor's own fields
    const name = e.target.name;
    if (name === 'preset' || name === 'optimizer' || name === 'dataset') return ctx.updateSettings({ [name]: e.target.value });
    const { value, error } = checkNumber(name, e.target.value, FIELDS.find(([key]) => key === name)[1]);
    if (error) {
      e.target.setAttribute('aria-invalid', 'true');
      invalid.add(name);
      updateButtons();
      return ctx.fail(`${error}: not used; Train waits until it is fixed.`, 'settings');
    }
    e.target.removeAttribute('aria-invalid');
    invalid.delete(name);
    updateButtons();
    ctx.updateSettings({ [name]: value });
  });
  form.addEventListener('submit', (e) => e.preventDefault());
  buttons.train.addEventListener('click', () => {
    buttons.train.disabled = true; // until the worker says it runs: no second run
    ctx.train();
  });
  buttons.pause.addEventListener('click', () => session.pause());
  buttons.resume.addEventListener('click', () => session.resume());
  buttons.step.addEventListener('click', () => session.step());
  buttons.stop.addEventListener('click', () => ctx.stop()); // the widget says "Stopping…" at once

  $('save-model').addEventListener('click', async () => {
    try {
      download(`${session.model?.name ?? 'model'}.json`, await session.saveModel(), 'application/json');
    } catch (e) {
      ctx.fail(`Could not save the model: ${e.message}`, 'model');
    }
  });
  $('save-model-tfjs').addEventListener('click', async () => {
    try {
      const { modelJson, weightsPath, weights } = await session.saveModelTfjs();
      download('model.json', modelJson, 'application/json');
      download(weightsPath, weights, 'application/octet-stream');
    } catch (e) {
      ctx.fail(`Could not save the model: ${e.message}`, 'model');
    }
  });
  const host = section.getRootNode().host;
  $('save-model-tfjs').after(buildModelPicker(host, async (text, files, names) => {
    if (session.trainState !== 'idle') throw new Error('stop training first');
    await session.loadModel(text, files);
    ctx.say(`Loaded ${names}.`, 'ok');
  }, (message) => ctx.fail(message, 'model'), ctx.signal));

  const on = (type, listener) => ctx.events.addEventListener(type, (e) => listener(e.detail));
  on('settings', fill);
  on('modelproblem', ({ problem }) => {
    modelProblem = problem;
    updateButtons();
  });
  on('description', () => {
    modelProblem = null;
    updateButtons();
  });
  on('state', updateButtons);
  // Another dataset: Train waits for its data.
  let dataset = ctx.dataset;
  let dataFailed = false;
  on('dataset', (d) => {
    if (d.dataset === dataset) return;
    dataset = d.dataset;
    dataReady = false;
    dataFailed = false;
    updateButtons();
  });
  on('datafailed', () => {
    dataFailed = true;
    updateButtons();
  });
  on('data', () => {
    dataFailed = false;
    dataReady = true;
    updateButtons();
    showGlance().catch(() => {}); // a glance only: the data status says what went wrong
  });
  // Step 1's glance at the data: the first eight test digits, in one canvas.
  async function showGlance() {
    const { images, labels } = await session.testImages({ start: 0, count: 8 });
    const c = glance.getContext('2d');
    const image = c.createImageData(224, 28);
    for (let k = 0; k < 8; k++) {
      for (let p = 0; p < 784; p++) {
        const o = 4 * ((p / 28 | 0) * 224 + k * 28 + (p % 28));
        image.data[o] = image.data[o + 1] = image.data[o + 2] = images[k * 784 + p];
        image.data[o + 3] = 255;
      }
    }
    c.putImageData(image, 0, 0);
    glance.setAttribute('aria-label', `Eight test ${DATASETS[ctx.dataset].item}s: ${Array.from(labels, (k) => ctx.classNames[k]).join(', ')}`);
  }
  // Progress messages (about 20 a second) only keep the figures; they are written once per
  // animation frame, so a burst of messages costs one layout.
  let latest = null;
  let frame = 0;
  const figures = {};
  on('progress', (p) => {
    latest = p;
    if (p.loss != null) figures.loss = p.loss;
    if (p.accuracy != null) figures.accuracy = p.accuracy;
    frame ||= requestAnimationFrame(writeStats);
  });
  function writeStats() {
    frame = 0;
    const p = latest;
    stats.epoch.textContent = `${p.epoch} / ${p.epochs}`;
    // At an epoch's end the step count has already wrapped to 0.
    stats.step.textContent = `${p.step === 0 && p.totalSteps > 0 ? p.stepsPerEpoch : p.step} / ${p.stepsPerEpoch}`;
    stats.speed.textContent = Math.round(p.samplesPerSecond).toLocaleString('en');
    stats.eta.textContent = formatSeconds(p.etaSeconds);
    if (figures.loss != null) stats.loss.textContent = figures.loss.toFixed(4);
    if (figures.accuracy != null) stats.accuracy.textContent = figures.accuracy.toFixed(4);
  }
  updateButtons();
  return {};
}
