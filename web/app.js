// The demo page: data download, the training worker, charts, the drawing pad and the
// tutorials' views, wired together. The page owns the DOM; the worker owns the model.
import './digit-pad-define.js';
import { loadMnist, missingFeatures, OPTIONAL_FEATURES } from './data.js';
import { createTrainingCharts } from './charts.js';
import { renderDigit, renderProbabilities } from './heatmap.js';
import { ToWorker, FromWorker } from './protocol.js';
import { WorkerClient } from './worker-client.js';
import { readHash, writeHash, presetDefaults, readForm, fillForm } from './settings.js';
import { loadLastModel, saveLastModel } from './model-store.js';

const $ = (id) => document.getElementById(id);
const GALLERY_SIZE = 10;
const DEFAULT_PRESET = 'mlp-128-128';

const ui = {
  form: $('settings'), preset: $('preset'), presetDescription: $('preset-description'),
  train: $('train'), pause: $('pause'), resume: $('resume'), step: $('step'), stop: $('stop'),
  dataProgress: $('data-progress'), dataStatus: $('data-status'), dataRetry: $('data-retry'),
  trainMessage: $('train-message'), summary: $('model-summary'), modelOrigin: $('model-origin'),
  pad: $('pad'), padInput: $('pad-input'), padProbs: $('pad-probs'),
  gallery: $('test-gallery'), testAccuracy: $('test-accuracy'), heatmap: $('heatmap'), heatmapIndex: $('heatmap-index'),
  stats: { epoch: $('stat-epoch'), step: $('stat-step'), speed: $('stat-speed'), eta: $('stat-eta'), loss: $('stat-loss'), accuracy: $('stat-accuracy') },
};

const app = {
  worker: null, presets: {}, dataReady: false, trainState: 'idle', model: null, charts: null, runs: 0,
  lastInk: null, testImages: null, testLabels: null,
  reports: { batchGroups: 0, epochs: 0 }, // what the charts were given, for the tests
};

// Exposed for the browser tests and for the curious (read-only use).
window.digitrain = app;

function showMessage(element, text, kind = '') {
  element.textContent = text;
  element.className = `message ${kind}`.trim();
}

function download(filename, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = Object.assign(document.createElement('a'), { href: url, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

const formatSeconds = (s) => (s == null || !Number.isFinite(s) ? '–' : s < 60 ? `${Math.round(s)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`);

// ---- Buttons follow the training state --------------------------------------------------

function updateButtons() {
  const s = app.trainState;
  ui.train.disabled = !app.dataReady || s !== 'idle';
  ui.pause.disabled = s !== 'running';
  ui.resume.disabled = s !== 'paused';
  ui.step.disabled = s !== 'paused';
  ui.stop.disabled = s === 'idle';
  ui.preset.disabled = s !== 'idle';
}

// ---- Settings ---------------------------------------------------------------------------

function applyPreset(name, overrides = {}) {
  const description = JSON.parse(app.presets[name]);
  fillForm(ui.form, { ...presetDefaults(description), ...overrides, preset: name });
  ui.presetDescription.textContent = description.description ?? '';
}

function settingsChanged() {
  try {
    const settings = readForm(ui.form);
    writeHash(settings);
    if (app.trainState !== 'idle') app.worker.send(ToWorker.setLearningRate, { value: settings.lr });
  } catch (e) {
    showMessage(ui.trainMessage, e.message, 'error');
  }
}

// ---- Model ------------------------------------------------------------------------------

function showModel({ info, origin }) {
  app.model = info;
  ui.summary.textContent = info.summary;
  const where = { default: 'a small model trained when the page was built', restored: 'your last trained model (kept in this browser)',
    loaded: 'the model file you loaded', created: 'a new, untrained model' }[origin] ?? origin;
  ui.modelOrigin.textContent = `Predictions come from ${info.name}: ${where}.`;
  refreshPredictions();
}

async function loadInitialModel() {
  try {
    const last = await loadLastModel();
    if (last?.text) return await app.worker.request(ToWorker.loadModel, FromWorker.model, { text: last.text, origin: 'restored' });
  } catch (e) {
    console.warn('could not restore the last model:', e.message);
  }
  try {
    const response = await fetch('models/default.json');
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return await app.worker.request(ToWorker.loadModel, FromWorker.model, { text: await response.text(), origin: 'default' });
  } catch (e) {
    showMessage(ui.trainMessage, `No ready model to draw with (${e.message}); train one.`, 'error');
    return null;
  }
}

// One Digitrain model file, or a TF.js model.json with its weights files (picked or
// dropped together).
async function loadModelFiles(fileList) {
  if (app.trainState !== 'idle') return showMessage(ui.trainMessage, 'Stop training before loading a model.', 'error');
  const files = [...fileList];
  const jsonFiles = files.filter((f) => f.name.toLowerCase().endsWith('.json'));
  const main = jsonFiles[0] ?? files[0];
  if (!main) return;
  try {
    if (jsonFiles.length > 1) throw new Error('pick one model file at a time');
    const text = await main.text();
    const fields = { text, origin: 'loaded' };
    if (text.includes('"modelTopology"')) {
      const weights = files.filter((f) => f !== main);
      fields.files = Object.fromEntries(await Promise.all(weights.map(async (f) => [f.name, new Uint8Array(await f.arrayBuffer())])));
    }
    await app.worker.request(ToWorker.loadModel, FromWorker.model, fields);
    showMessage(ui.trainMessage, `Loaded ${files.map((f) => f.name).join(' + ')}.`, 'ok');
  } catch (e) {
    showMessage(ui.trainMessage, `Could not load ${main.name}: ${e.message}. The model you had is unchanged.`, 'error');
  }
}

async function saveModelTfjs() {
  try {
    const { modelJson, weightsPath, weights } = await app.worker.request(ToWorker.saveModelTfjs, FromWorker.savedModelTfjs);
    download('model.json', modelJson, 'application/json');
    download(weightsPath, weights, 'application/octet-stream');
  } catch (e) {
    showMessage(ui.trainMessage, `Could not save the model: ${e.message}`, 'error');
  }
}

async function saveModelFile() {
  try {
    const { text } = await app.worker.request(ToWorker.saveModel, FromWorker.savedModel);
    download(`${app.model?.name ?? 'model'}.json`, text, 'application/json');
  } catch (e) {
    showMessage(ui.trainMessage, `Could not save the model: ${e.message}`, 'error');
  }
}

// ---- Data -------------------------------------------------------------------------------

async function loadData() {
  ui.dataRetry.hidden = true;
  ui.dataStatus.textContent = 'Downloading MNIST…';
  try {
    const data = await loadMnist({
      baseUrl: 'data/',
      onProgress: ({ loaded, total }) => {
        if (!total) return void (ui.dataStatus.textContent = `Downloading MNIST… ${(loaded / 1e6).toFixed(1)} MB`);
        ui.dataProgress.max = total;
        ui.dataProgress.value = loaded;
        ui.dataStatus.textContent = `Downloading MNIST… ${(loaded / 1e6).toFixed(1)} of ${(total / 1e6).toFixed(1)} MB (${Math.round((100 * loaded) / total)} %)`;
      },
    });
    const { trainImages, trainLabels, testImages, testLabels } = data;
    const loaded = await app.worker.request(ToWorker.loadData, FromWorker.dataLoaded,
      { trainImages, trainLabels, testImages, testLabels },
      [trainImages.buffer, trainLabels.buffer, testImages.buffer, testLabels.buffer]);
    ui.dataProgress.max = 1;
    ui.dataProgress.value = 1;
    const source = data.fromCache ? 'from this browser\'s cache' : `downloaded ${(data.bytesTransferred / 1e6).toFixed(1)} MB`;
    ui.dataStatus.textContent = `MNIST ready: ${loaded.trainCount.toLocaleString()} training and ${loaded.testCount.toLocaleString()} test images (${source}).`;
    if (data.cacheError) ui.dataStatus.textContent += ` Not cached: ${data.cacheError}.`;
    app.dataReady = true;
    updateButtons();
    await loadTestImages();
  } catch (e) {
    ui.dataStatus.textContent = `MNIST could not be loaded: ${e.message}`;
    ui.dataStatus.classList.add('error');
    ui.dataRetry.hidden = false;
  }
}

// ---- Training ---------------------------------------------------------------------------

async function startTraining() {
  let settings;
  try {
    settings = readForm(ui.form);
  } catch (e) {
    return showMessage(ui.trainMessage, e.message, 'error');
  }
  // Until the worker says it is running, a second click must not start a second run.
  ui.train.disabled = true;
  writeHash(settings);
  const description = JSON.parse(app.presets[settings.preset]);
  description.compile.optimizer = { class_name: settings.optimizer === 'sgd' ? 'SGD' : 'Adam', config: { learning_rate: settings.lr } };
  try {
    await app.worker.request(ToWorker.createModel, FromWorker.model, { description: JSON.stringify(description), seed: settings.seed });
    app.runs += 1;
    app.charts.newRun(`run ${app.runs}: ${settings.preset}`);
    showMessage(ui.trainMessage, `Training ${settings.preset}…`);
    app.worker.send(ToWorker.train, { options: { epochs: settings.epochs, batchSize: settings.batch, learningRate: settings.lr, seed: settings.seed } });
  } catch (e) {
    showMessage(ui.trainMessage, `Could not start training: ${e.message}`, 'error');
    updateButtons();
  }
}

function onProgress(p) {
  app.peakHeapBytes = Math.max(app.peakHeapBytes ?? 0, p.heapBytes ?? 0);
  app.learningRate = p.learningRate;
  ui.stats.epoch.textContent = `${p.epoch} / ${p.epochs}`;
  // At an epoch's end the step count has already wrapped to 0.
  ui.stats.step.textContent = `${p.step === 0 && p.totalSteps > 0 ? p.stepsPerEpoch : p.step} / ${p.stepsPerEpoch}`;
  ui.stats.speed.textContent = Math.round(p.samplesPerSecond).toLocaleString();
  ui.stats.eta.textContent = formatSeconds(p.etaSeconds);
  if (p.loss != null) ui.stats.loss.textContent = p.loss.toFixed(4);
  if (p.accuracy != null) ui.stats.accuracy.textContent = p.accuracy.toFixed(4);
  if (p.batch) {
    app.charts.addBatchPoints([{ step: p.totalSteps, loss: p.loss, accuracy: p.accuracy }]);
    app.reports.batchGroups += 1;
  }
  for (const e of p.epochsEnded) {
    app.charts.addEpoch(e);
    app.reports.epochs += 1;
    const val = e.val_accuracy != null ? `, val_accuracy ${e.val_accuracy.toFixed(4)}` : '';
    showMessage(ui.trainMessage, `Epoch ${e.epoch}: loss ${e.loss.toFixed(4)}, accuracy ${e.accuracy.toFixed(4)}${val}`);
  }
  // The pad follows the weights as they change.
  if (app.lastInk) predictInk(app.lastInk);
}

async function onTrainEnd(end) {
  const test = end.test ? `test accuracy ${end.test.accuracy.toFixed(4)} (loss ${end.test.loss.toFixed(4)})` : '';
  if (end.reason === 'diverged') {
    showMessage(ui.trainMessage, `Training stopped: ${end.error}`, 'error');
  } else {
    showMessage(ui.trainMessage, `Training ${end.reason === 'stopped' ? 'stopped' : 'finished'} after ${formatSeconds(end.seconds)}: ${test}.`, 'ok');
  }
  if (end.test) ui.testAccuracy.textContent = `Test accuracy of the current model: ${end.test.accuracy.toFixed(4)}`;
  refreshPredictions();
  if (end.reason === 'diverged') {
    // Those weights may be barely trained: the model kept in the browser stays as it was.
    ui.modelOrigin.textContent = `Predictions come from ${app.model?.name}: the weights kept when training diverged.`;
    return;
  }
  ui.modelOrigin.textContent = `Predictions come from ${app.model?.name}: the model you just trained.`;
  try {
    const { text } = await app.worker.request(ToWorker.saveModel, FromWorker.savedModel);
    await saveLastModel(text, app.model?.name);
  } catch (e) {
    console.warn('could not keep the model in this browser:', e.message);
  }
}

// ---- Drawing and test images ------------------------------------------------------------

async function predictInk(detail) {
  app.lastInk = detail;
  const ink = detail.ink.slice();
  const { input, probs } = await app.worker.request(ToWorker.predictInk, FromWorker.prediction, { ink, width: detail.width, height: detail.height }, [ink.buffer]);
  if (app.lastInk !== detail || probs.length !== 10) return;
  renderDigit(ui.padInput, input, { cellSize: 5 });
  renderProbabilities(ui.padProbs, probs);
}

async function loadTestImages() {
  const { images, labels } = await app.worker.request(ToWorker.testImages, FromWorker.testImages, { start: 0, count: GALLERY_SIZE });
  app.testImages = images;
  app.testLabels = labels;
  showHeatmap();
  refreshPredictions();
}

async function refreshPredictions() {
  if (!app.testImages || !app.model) return;
  const pixels = app.testImages.slice();
  const { probs } = await app.worker.request(ToWorker.predictImages, FromWorker.predictions, { pixels, count: GALLERY_SIZE }, [pixels.buffer]);
  ui.gallery.replaceChildren(...Array.from({ length: GALLERY_SIZE }, (_, i) => {
    const row = Array.from(probs.subarray(i * 10, i * 10 + 10));
    const predicted = row.indexOf(Math.max(...row));
    const figure = document.createElement('figure');
    figure.className = 'test-digit';
    const canvas = document.createElement('canvas');
    renderDigit(canvas, app.testImages.subarray(i * 784, (i + 1) * 784), { cellSize: 3 });
    const caption = document.createElement('figcaption');
    caption.textContent = `Predicted: ${predicted}, Actual: ${app.testLabels[i]}`;
    if (predicted !== app.testLabels[i]) caption.classList.add('wrong');
    const softmax = document.createElement('code');
    softmax.className = 'softmax';
    softmax.textContent = `[${row.map((p) => p.toFixed(2)).join(' ')}]`;
    figure.append(canvas, caption, softmax);
    return figure;
  }));
  if (app.lastInk) predictInk(app.lastInk);
}

async function showHeatmap() {
  const index = Math.max(0, Math.min(9999, Number(ui.heatmapIndex.value) || 0));
  const { images } = await app.worker.request(ToWorker.testImages, FromWorker.testImages, { start: index, count: 1 });
  renderDigit(ui.heatmap, images, { annotate: true });
}

// ---- Start ------------------------------------------------------------------------------

function wireControls() {
  ui.train.addEventListener('click', startTraining);
  ui.pause.addEventListener('click', () => app.worker.send(ToWorker.pause));
  ui.resume.addEventListener('click', () => app.worker.send(ToWorker.resume));
  ui.step.addEventListener('click', () => app.worker.send(ToWorker.step));
  ui.stop.addEventListener('click', () => app.worker.send(ToWorker.stop));
  ui.preset.addEventListener('change', () => { applyPreset(ui.preset.value); settingsChanged(); });
  ui.form.addEventListener('change', settingsChanged);
  ui.form.addEventListener('submit', (e) => e.preventDefault());
  ui.dataRetry.addEventListener('click', loadData);
  $('save-model').addEventListener('click', saveModelFile);
  $('save-model-tfjs').addEventListener('click', saveModelTfjs);
  $('load-model').addEventListener('change', (e) => e.target.files.length && loadModelFiles(e.target.files));
  $('export-csv').addEventListener('click', () => download('digitrain-history.csv', app.charts.toCsv(), 'text/csv'));
  ui.heatmapIndex.addEventListener('change', showHeatmap);
  document.addEventListener('dragover', (e) => e.preventDefault());
  document.addEventListener('drop', (e) => {
    e.preventDefault();
    if (e.dataTransfer?.files?.length) loadModelFiles(e.dataTransfer.files);
  });
  ui.pad.addEventListener('ink', (e) => predictInk(e.detail));
  ui.pad.addEventListener('clear', () => {
    app.lastInk = null;
    ui.padInput.getContext('2d').clearRect(0, 0, ui.padInput.width, ui.padInput.height);
    ui.padProbs.replaceChildren();
  });
  // Charts off-screen need no redraws.
  new IntersectionObserver(([entry]) => (entry.isIntersecting ? app.charts.resume() : app.charts.pause()))
    .observe($('charts'));
}

async function main() {
  // Cache Storage exists only on secure origins (https, localhost): without it the page
  // works and just downloads MNIST again next time.
  const missing = missingFeatures().filter((f) => !OPTIONAL_FEATURES.includes(f));
  if (missing.length) {
    const box = $('unsupported');
    box.textContent = `This browser lacks what Digitrain needs: ${missing.join(', ')}. Use a current Chrome, Edge, Firefox or Safari.`;
    box.hidden = false;
    $('app').hidden = true;
    return;
  }
  app.charts = createTrainingCharts($('charts'));
  app.worker = new WorkerClient(new URL('./worker.js', import.meta.url));
  app.worker.on(FromWorker.model, showModel);
  app.worker.on(FromWorker.progress, onProgress);
  app.worker.on(FromWorker.trainEnd, onTrainEnd);
  app.worker.on(FromWorker.trainState, ({ state }) => { app.trainState = state; updateButtons(); });
  app.worker.on(FromWorker.error, ({ about, message }) => {
    if (about === ToWorker.train || about === ToWorker.setLearningRate) showMessage(ui.trainMessage, message, 'error');
  });
  const { presets, presetDescriptions } = await app.worker.ready;
  app.presets = presetDescriptions;
  ui.preset.replaceChildren(...presets.map((name) => new Option(name, name)));
  const fromHash = readHash();
  const preset = app.presets[fromHash.preset] ? fromHash.preset : DEFAULT_PRESET;
  applyPreset(preset, fromHash);
  wireControls();
  updateButtons();
  await loadInitialModel();
  await loadData();
}

main().catch((e) => {
  const box = $('unsupported');
  box.textContent = `Digitrain could not start: ${e.message}`;
  box.hidden = false;
});
