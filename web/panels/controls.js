// Controls: the training set-up (preset, optimizer, epochs, batch size, learning rate,
// seed), Train/Pause/Resume/Step/Stop, live figures, and model download/load.
import { checkNumber } from '../trainer-options.js';
import { formatSeconds } from './status.js';
import { download } from '../model-files.js';
import { buildModelPicker } from './model-picker.js';

const FIELDS = [
  ['epochs', 'Epochs', 'epochs'], ['batchSize', 'Batch size', 'batch-size'],
  ['learningRate', 'Learning rate', 'learning-rate'], ['seed', 'Seed', 'seed'],
];

export function createControlsPanel(section, ctx) {
  section.setAttribute('aria-label', 'Model and training');
  section.innerHTML = `
    <h2 class="dt__title">Model and training</h2>
    <form class="settings" id="settings">
      <label>Model <select id="preset" name="preset"></select></label>
      <label>Optimizer <select id="optimizer" name="optimizer"><option value="adam">Adam</option><option value="sgd">SGD</option></select></label>
      ${FIELDS.map(([key, label, id]) => `<label>${label} <input id="${id}" name="${key}" type="number" step="any" required></label>`).join('')}
    </form>
    <p class="hint" id="preset-description"></p>
    <div class="buttons" role="group" aria-label="Training controls">
      <button id="train" type="button" disabled>Train</button>
      <button id="pause" type="button" disabled>Pause</button>
      <button id="resume" type="button" disabled>Resume</button>
      <button id="step" type="button" disabled>Step</button>
      <button id="stop" type="button" disabled>Stop</button>
    </div>
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

  $('preset').replaceChildren(...session.presets.map((name) => new Option(name, name)));

  function fill(settings) {
    for (const name of invalid) form.elements[name].removeAttribute('aria-invalid');
    invalid.clear();
    form.elements.preset.value = session.presets.includes(settings.preset) ? settings.preset : '';
    form.elements.optimizer.value = settings.optimizer;
    for (const [key] of FIELDS) form.elements[key].value = settings[key];
    const description = session.presetDescriptions[settings.preset];
    $('preset-description').textContent = description ? JSON.parse(description).description ?? '' : '';
  }

  function updateButtons() {
    const s = session.trainState;
    buttons.train.disabled = !dataReady || s !== 'idle' || invalid.size > 0;
    buttons.train.title = invalid.size > 0 ? `Fix the ${[...invalid].map((n) => FIELDS.find(([key]) => key === n)[1].toLowerCase()).join(' and ')} first` : '';
    buttons.pause.disabled = s !== 'running';
    buttons.resume.disabled = s !== 'paused';
    buttons.step.disabled = s !== 'paused';
    buttons.stop.disabled = s === 'idle';
    form.elements.preset.disabled = s !== 'idle';
  }

  // A field is checked when it changes; a bad value is named and the setting stays as it was.
  form.addEventListener('change', (e) => {
    const name = e.target.name;
    if (name === 'preset' || name === 'optimizer') return ctx.updateSettings({ [name]: e.target.value });
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
  on('state', updateButtons);
  on('data', () => { dataReady = true; updateButtons(); });
  on('progress', (p) => {
    stats.epoch.textContent = `${p.epoch} / ${p.epochs}`;
    // At an epoch's end the step count has already wrapped to 0.
    stats.step.textContent = `${p.step === 0 && p.totalSteps > 0 ? p.stepsPerEpoch : p.step} / ${p.stepsPerEpoch}`;
    stats.speed.textContent = Math.round(p.samplesPerSecond).toLocaleString('en');
    stats.eta.textContent = formatSeconds(p.etaSeconds);
    if (p.loss != null) stats.loss.textContent = p.loss.toFixed(4);
    if (p.accuracy != null) stats.accuracy.textContent = p.accuracy.toFixed(4);
  });
  updateButtons();
  return {};
}
