// <digit-trainer>: the whole trainer as one element: data, model, training, and the panels a
// page asks for. Teachers embed it; the demo page is one of it. Attributes and events are
// listed in the README ("Embedding"); trainer-options.js checks the attributes.
//
// Its DOM lives in an open shadow root, so neither the host page's CSS nor its ids meet the
// widget's, and several widgets fit on one page. It never touches the page's URL or storage
// (except IndexedDB with `remember`).
import { TrainerSession } from './trainer-session.js';
import { ATTRIBUTES, OPTIMIZERS, PANELS, presetDefaults, readAttributes } from './trainer-options.js';
import { missingFeatures, OPTIONAL_FEATURES } from './data.js';
import { loadLastModel, saveLastModel } from './model-store.js';
import { inkFromImage } from './ink.js';
import { argmax } from './heatmap.js';
import { fetchText } from './model-files.js';
import { PANEL_FACTORIES } from './panels/index.js';
import { shareMnist } from './mnist-source.js';
import { buildStatus, showMessage, formatSeconds } from './panels/status.js';
import { linkStylesheets } from './widget-styles.js';
import { MyDigits } from './my-digits.js';
import { IDX_NAMES } from './idx-files.js';
import { DATASETS, DEFAULT_DATASET } from './datasets.js';

// The settings a preset sets, as the controls name them.
const SETTING_LABELS = [['optimizer', 'optimizer'], ['epochs', 'epochs'], ['batchSize', 'batch size'], ['learningRate', 'learning rate']];

export class DigitTrainer extends HTMLElement {
  static get observedAttributes() { return ATTRIBUTES; }

  #shadow;
  #status;              // the always-present data/message area (panels/status.js)
  #session = null;
  #options = null;
  #settings = null;     // {preset, optimizer, epochs, batchSize, learningRate, seed}
  #description = null;  // the model description training starts from
  #panels = new Map();  // name -> panel
  #panelBox;
  #started = null;
  #visible = true;
  #pausedOffscreen = false;
  #observer = null;
  #input = null;        // the digit the views show: Uint8Array(784), drawn or picked
  #runs = 0;
  #dataLoaded = null;   // the first data load, which train() may have to wait for
  #myDigits = null;     // the learner's own labelled images (my-digits.js)
  #myDigitsLoaded = null;
  #dataset = DEFAULT_DATASET; // 'mnist' | 'fashion-mnist' (datasets.js)
  #kept = new Map();    // dataset -> {text, origin}: the model left behind when switching datasets
  #switching = null;
  #modelProblem = null; // why the edited description cannot be built (the model editor), or null
  #edited = null;       // {description, text}: the model made in the editor, until a preset or model replaces it

  constructor() {
    super();
    this.#shadow = this.attachShadow({ mode: 'open' });
  }

  // ---- Public API (README: "Embedding") -------------------------------------------------

  get session() { return this.#session; }
  get panels() { return new Map(this.#panels); } // name -> panel, for tests and the curious
  get settings() { return { ...this.#settings }; }
  get state() { return this.#session?.trainState ?? 'idle'; }
  get ready() { return this.#started ?? Promise.reject(new Error('not connected to a page')); }

  // Trains a fresh model with the current settings; resolves with the trainend detail.
  async train() {
    await this.ready; // start-up includes the first data load
    if (this.#modelProblem) throw new Error(this.#modelProblem);
    const s = this.#settings;
    const description = structuredClone(this.#description);
    description.compile ??= {};
    // A model saved after this run says what it learnt (its class names follow it).
    description.fit = { ...description.fit, dataset: this.#dataset };
    description.compile.optimizer = { class_name: OPTIMIZERS[s.optimizer] ?? 'Adam', config: { learning_rate: s.learningRate } };
    this.#runs += 1;
    const on = this.#dataset === 'mnist' ? '' : ` on ${DATASETS[this.#dataset].title}`;
    this.#emitInternal('trainstart', { label: `run ${this.#runs}: ${description.name ?? s.preset}${on}`, model: `${s.preset}${on}`, epochs: s.epochs });
    this.#say(`Training ${description.name ?? s.preset}…`);
    try {
      return await this.#session.train(description, s);
    } catch (e) {
      this.#fail(`Could not start training: ${e.message}`, 'train');
      throw e;
    }
  }

  stop() {
    if (this.state === 'idle') return;
    this.#session.stop();
    // Answered at once: the run ends after its current slice, then the test set is evaluated.
    this.#say('Stopping…');
  }
  pause() { this.#session?.pause(); }
  resume() { this.#session?.resume(); }

  // imageData: an ImageData or canvas (any size; dark-on-light or light-on-dark drawing) or
  // 784 pixels in MNIST layout (0 = background). Resolves to {digit, probabilities, input}.
  async predict(image) {
    await this.ready;
    let input;
    let probs;
    if (image?.length === 784) {
      input = Uint8Array.from(image, (v) => Math.max(0, Math.min(255, Math.round(v))));
      probs = await this.#session.predictImages(input, 1);
    } else {
      const { ink, width, height } = inkFromImage(image);
      ({ input, probs } = await this.#session.predictInk(ink, width, height));
    }
    return this.#prediction(input, probs, 'api');
  }

  // My digits: {count, pixels: Uint8Array(count*784), labels: Uint8Array(count)} (copies).
  get myDigits() {
    const set = this.#myDigits?.snapshot() ?? { pixels: new Uint8Array(0), labels: new Uint8Array(0) };
    return { count: set.labels.length, ...set };
  }

  // Adds a 28x28 image (784 uint8 pixels, MNIST layout) with its label; resolves to the
  // new count. A mydigitschange event follows.
  async addMyDigit(pixels, label) {
    await this.#myDigitsReady();
    return this.#myDigits.add(Uint8Array.from(pixels), label);
  }

  async removeMyDigit(index) {
    await this.#myDigitsReady();
    return this.#myDigits.remove(index);
  }

  // The set as a standard IDX pair: {images, labels} (Uint8Array file bytes), {imagesName,
  // labelsName} the names the terminal trainer's --extra-data finds them by.
  async exportMyDigits() {
    await this.#myDigitsReady();
    return { ...this.#myDigits.toIdx(), imagesName: IDX_NAMES.images, labelsName: IDX_NAMES.labels };
  }

  // Replaces the set with an IDX pair's (the two files' bytes). A file the core's reader
  // refuses, or images that are not 28x28, reject with the reason; the set is unchanged.
  async importMyDigits(images, labels, { imagesName = 'images file', labelsName = 'labels file' } = {}) {
    await this.ready;
    await this.#myDigitsReady();
    const r = await this.#session.readIdx(images, labels, imagesName, labelsName);
    if (r.rows !== 28 || r.cols !== 28) throw new Error(`${imagesName}: images of ${r.rows}×${r.cols} pixels; My digits are 28×28`);
    return this.#myDigits.replace(r.pixels, r.labels);
  }

  // The current model on My digits: {count, correct, accuracy, wrong: [{index, label,
  // predicted, confidence}], predicted: Int32Array}.
  async testMyDigits() {
    await this.ready;
    await this.#myDigitsReady();
    const { pixels, labels } = this.#myDigits.snapshot();
    const count = labels.length;
    const predicted = new Int32Array(count);
    const wrong = [];
    const probs = count ? await this.#session.predictImages(pixels, count) : new Float32Array(0);
    if (probs.length < count * 10) throw new Error('no model to test yet');
    for (let i = 0; i < count; i++) {
      const row = probs.subarray(i * 10, i * 10 + 10);
      predicted[i] = argmax(row);
      if (predicted[i] !== labels[i]) wrong.push({ index: i, label: labels[i], predicted: predicted[i], confidence: row[predicted[i]] });
    }
    return { count, correct: count - wrong.length, accuracy: count ? (count - wrong.length) / count : null, wrong, predicted };
  }

  // A short run of the current model on the dataset with My digits mixed in (each repeated
  // and changed a little by the core), with the learning rate and batch size of the
  // settings. Resolves to {before, after, end}: before/after each {mine: testMyDigits(),
  // test: {loss, accuracy} on the test set}.
  async fineTune({ epochs = 1 } = {}) {
    await this.ready;
    await this.#myDigitsReady();
    if (this.state !== 'idle') throw new Error('stop training before fine-tuning');
    if (this.#myDigits.count === 0) throw new Error('My digits is empty: add a few drawings first');
    if (!this.#session.model) throw new Error('no model to fine-tune yet');
    this.#say('Fine-tuning: testing the model before…');
    const before = { mine: await this.testMyDigits(), test: await this.#session.evaluate() };
    const s = this.#settings;
    this.#runs += 1;
    const mine = this.#dataset === 'mnist' ? 'My digits' : `My images, ${DATASETS[this.#dataset].title}`;
    this.#emitInternal('trainstart', { label: `run ${this.#runs}: fine-tune with ${mine}`, model: `${s.preset} + ${mine}`, epochs });
    this.#say(`Fine-tuning ${this.#session.model.name} with ${this.#myDigits.count} of your digits mixed in…`);
    let end;
    try {
      end = await this.#session.train(null, { ...s, epochs }, this.#myDigits.snapshot());
    } catch (e) {
      this.#fail(`Could not fine-tune: ${e.message}`, 'train');
      throw e;
    }
    const after = { mine: await this.testMyDigits(), test: end.test };
    const detail = { before, after, end };
    this.#emitInternal('finetune', detail);
    this.#emit('finetuneend', { before: summary(before), after: summary(after) });
    return detail;
  }

  async saveModel() {
    await this.ready;
    return this.#session.saveModel();
  }

  async loadModel(text, files) {
    await this.ready;
    if (this.state !== 'idle') throw new Error('stop training before loading a model');
    return this.#session.loadModel(text, files);
  }

  // ---- Element lifecycle ----------------------------------------------------------------

  connectedCallback() {
    if (this.#started) {
      this.#observer?.observe(this);
      return;
    }
    this.#build();
    this.#started = this.#start();
    this.#started.catch((e) => this.#fail(`Digitrain could not start: ${e.message}`, 'start'));
  }

  disconnectedCallback() {
    this.#observer?.disconnect();
    // Moved, not removed, if it is back by the next task: keep the worker then.
    setTimeout(() => {
      if (this.isConnected) return;
      this.#disposePanels();
      this.#session?.dispose();
      // Put back on a page later, it starts afresh.
      this.#session = null;
      this.#started = null;
      this.#shadow.replaceChildren();
    }, 0);
  }

  attributeChangedCallback(name, oldValue, value) {
    if (oldValue === value || !this.#session?.presets.length) return;
    this.#applyAttributes(name).catch((e) => this.#fail(e.message, 'attribute'));
  }

  // ---- Internals --------------------------------------------------------------------------

  #build() {
    const root = document.createElement('div');
    root.className = 'dt';
    root.setAttribute('part', 'root');
    // Until its stylesheets have loaded the widget shows nothing and keeps a screen's height
    // (as the host page's digit-trainer:not(:defined) rule does before): unstyled content,
    // restyled a moment later, would shift the page around it.
    root.hidden = true;
    this.style.minHeight = '100vh';
    linkStylesheets(this.#shadow).then(() => {
      root.hidden = false;
      this.style.minHeight = '';
    });
    this.#status = buildStatus();
    this.#panelBox = document.createElement('div');
    this.#panelBox.className = 'dt__panels';
    root.append(this.#status.element, this.#panelBox);
    this.#shadow.append(root);
    this.#status.retry.addEventListener('click', () => this.#loadData());
  }

  async #start() {
    // A host script that sets attributes right after defining the element (the demo page's
    // hash) is heard before the data starts coming: the dataset decides which.
    await null;
    const missing = missingFeatures().filter((f) => !OPTIONAL_FEATURES.includes(f));
    if (missing.length) throw new Error(`this browser lacks ${missing.join(', ')}; use a current Chrome, Edge, Firefox or Safari`);
    this.#dataset = readAttributes(this, []).options.dataset;
    // MNIST starts coming (from the cache or the network) while the worker compiles the module.
    shareMnist(this.#dataUrl()).catch(() => {}); // a failure is reported by #loadData
    this.#session = new TrainerSession(new URL('./worker.js', import.meta.url));
    this.#watchSession();
    // The panels are built before the worker is ready, so the widget takes its full size at
    // once: a host page's text below it does not jump when the module has compiled.
    this.#options = readAttributes(this, []).options;
    this.#shadow.querySelector('.dt').classList.toggle('dt--compact', this.#options.compact);
    this.#myDigits = new MyDigits(this.#myDigitsKey());
    this.#buildPanels();
    await this.#session.start();
    this.#readAttributes();
    this.#dataset = this.#options.dataset;
    this.#openMyDigits();
    this.#description = await this.#resolveDescription();
    this.#newDescription();
    if (this.#options.panels.join() !== [...this.#panels.keys()].join()) this.#buildPanels();
    else this.#announce();
    this.#watchVisibility();
    // The data and the first model load side by side: neither needs the other.
    this.#dataLoaded = this.#loadData();
    await this.#loadInitialModel();
    await this.#dataLoaded;
    if (this.#options.autostart && this.#session.dataReady) this.train().catch(() => {});
  }

  #readAttributes() {
    const { options, errors } = readAttributes(this, this.#session.presets);
    this.#options = options;
    this.#status.setAttributeErrors(errors);
    for (const message of errors) this.#emit('error', { message, about: 'attribute' });
    this.#shadow.querySelector('.dt').classList.toggle('dt--compact', options.compact);
  }

  // The model description from `model` (inline JSON or a URL) or the preset; the settings
  // from its fit/compile values, then the attributes.
  async #resolveDescription() {
    const { model, preset, overrides } = this.#options;
    let description = JSON.parse(this.#session.presetDescriptions[preset]);
    let used = null;
    if (model) {
      try {
        const text = model.trim().startsWith('{') ? model : await fetchText(new URL(model, document.baseURI));
        description = JSON.parse(text);
        if (!Array.isArray(description.layers)) throw new Error('it has no "layers" list');
        used = model;
      } catch (e) {
        const message = `the model attribute could not be used (${e.message}); using the ${preset} preset`;
        this.#status.addAttributeError(message);
        this.#emit('error', { message, about: 'attribute' });
        description = JSON.parse(this.#session.presetDescriptions[preset]);
      }
    }
    this.#settings = { preset, ...presetDefaults(description), ...overrides, dataset: this.#dataset, model: used };
    return description;
  }

  async #applyAttributes(name) {
    const before = this.#options;
    this.#readAttributes();
    if (name === 'panels') return this.#buildPanels();
    if (name === 'data-url' && this.state === 'idle') return this.#loadData();
    if (name === 'dataset') return this.#switchDataset(this.#options.dataset);
    if (['compact', 'autostart', 'pause-offscreen', 'remember', 'model-file', 'data-url', 'my-digits-url'].includes(name)) return;
    const modelChanged = name === 'preset' || name === 'model';
    if (modelChanged && this.state !== 'idle') {
      this.#options = { ...this.#options, preset: before.preset, model: before.model };
      return this.#say('The new model applies after this run: stop it first.', 'error');
    }
    this.#description = await this.#resolveDescription();
    if (this.#edited && !modelChanged) {
      // Another attribute (epochs, say) keeps the model made in the editor.
      this.#description = this.#edited.description;
      this.#settings.model = this.#edited.text;
    } else {
      this.#newDescription();
    }
    if (this.state !== 'idle' && name === 'learning-rate') this.#session.setLearningRate(this.#settings.learningRate);
    this.#emitInternal('settings', this.settings);
    if (modelChanged) await this.#createUntrainedModel();
  }

  // Settings edited in the controls panel (already checked there).
  updateSettings(partial) {
    if (partial.dataset && partial.dataset !== this.#dataset) {
      this.#switchDataset(partial.dataset).catch((e) => this.#fail(e.message, 'data'));
      return;
    }
    const presetChanged = partial.preset && partial.preset !== this.#settings.preset;
    if (presetChanged) {
      // A preset is a tutorial: its own optimizer, epochs, batch size and rate come with it
      // (a typed value would rarely suit another model), and the message says which changed.
      const before = this.#settings;
      this.#options = { ...this.#options, preset: partial.preset, model: null };
      this.#description = JSON.parse(this.#session.presetDescriptions[partial.preset]);
      this.#settings = { preset: partial.preset, ...presetDefaults(this.#description), seed: before.seed, dataset: this.#dataset, model: null };
      this.#newDescription();
      const changed = SETTING_LABELS.filter(([key]) => before[key] !== this.#settings[key])
        .map(([key, label]) => `${label} ${key === 'optimizer' ? OPTIMIZERS[this.#settings[key]] : this.#settings[key]}`);
      this.#say(changed.length
        ? `${partial.preset} brings its tutorial's set-up: ${changed.join(', ')}.`
        : `${partial.preset} uses the same set-up as before.`);
    } else {
      Object.assign(this.#settings, partial);
      if (partial.learningRate != null) this.#session.setLearningRate(partial.learningRate);
    }
    this.#emitInternal('settings', this.settings);
    this.#emit('settingschange', this.settings);
    if (presetChanged) this.#createUntrainedModel().catch((e) => this.#fail(e.message, 'model'));
  }

  // A preset or a model attribute replaced the description: the editor's model and its
  // verdict are gone, and the editor starts again from the new one.
  #newDescription() {
    this.#modelProblem = null;
    this.#edited = null;
    this.#emitInternal('description', {});
  }

  // A description from the model editor, already checked by the core (planModel): it becomes
  // the model training starts from, an untrained one is built at once (the summary and the
  // network follow), and settings.model carries it (the demo page's URL hash).
  async #setModel(description, text) {
    if (this.state !== 'idle') throw new Error('stop training before changing the model');
    this.#description = description;
    this.#edited = { description, text };
    this.#settings = { ...this.#settings, model: text };
    this.#emitInternal('settings', this.settings);
    this.#emit('settingschange', this.settings);
    await this.#createUntrainedModel();
  }

  #createUntrainedModel() {
    const description = { ...this.#description, fit: { ...this.#description.fit, dataset: this.#dataset } };
    return this.#session.createModel(description, this.#settings.seed);
  }

  // Another dataset: its data (cached apart from the other's), its My digits, and the model
  // left there earlier in this tab (else the kept or shipped one, else an untrained model).
  // The model of the dataset left behind is kept for the way back.
  async #switchDataset(next) {
    if (!DATASETS[next]) throw new Error(`unknown dataset "${next}"; datasets are ${Object.keys(DATASETS).join(', ')}`);
    if (next === this.#dataset) return;
    if (this.state !== 'idle') {
      this.#emitInternal('settings', this.settings); // the picker goes back
      return this.#say(`Stop training before switching to ${DATASETS[next].title}.`, 'error');
    }
    await this.#switching;
    const previous = this.#dataset;
    const work = (async () => {
      if (this.#session.model) {
        try {
          this.#kept.set(previous, { text: await this.#session.saveModel(), origin: this.#session.modelOrigin });
        } catch (e) {
          console.warn('Digitrain: could not keep the model for the way back:', e.message);
        }
      }
      this.#dataset = next;
      this.#settings = { ...this.#settings, dataset: next };
      this.#emitInternal('dataset', { dataset: next });
      this.#emitInternal('settings', this.settings);
      this.#emit('settingschange', this.settings);
      this.#openMyDigits();
      await this.#dataLoaded; // the first load, if it is still under way, comes first
      const loading = this.#loadData();
      const kept = this.#kept.get(next);
      if (kept) await this.#session.loadModel(kept.text, undefined, kept.origin);
      else await this.#loadInitialModel();
      await loading;
      this.#say(`${DATASETS[next].title}: ${kept ? 'the model you had here is back' : 'a model of its own'}. The ${DATASETS[previous].title} model is kept for when you switch back.`);
    })();
    this.#switching = work.catch(() => {});
    return work;
  }

  // My digits of the current dataset (one set per dataset and widget).
  #openMyDigits() {
    this.#myDigits = new MyDigits(this.#myDigitsKey());
    this.#myDigits.addEventListener('change', (e) => {
      this.#emitInternal('mydigits', e.detail);
      this.#emit('mydigitschange', { ...e.detail });
    });
    this.#myDigitsLoaded = this.#loadMyDigits();
    this.#emitInternal('mydigits', { count: 0, reason: 'open' });
  }

  async #loadInitialModel() {
    const { remember, modelFile } = this.#options;
    if (remember) {
      try {
        const last = await loadLastModel(this.#storeKey());
        if (last?.text) return await this.#session.loadModel(last.text, undefined, 'restored');
      } catch (e) {
        console.warn('Digitrain: could not restore the last model:', e.message);
      }
    }
    if (modelFile) {
      try {
        const text = await fetchText(new URL(modelFile, document.baseURI));
        // A model made for the other dataset (models/default.json is MNIST's) is not used.
        const dataset = (() => { try { return JSON.parse(text).fit?.dataset ?? 'mnist'; } catch { return 'mnist'; } })();
        if (dataset === this.#dataset) return await this.#session.loadModel(text, undefined, 'default');
      } catch (e) {
        this.#fail(`The model file ${modelFile} could not be loaded (${e.message}); starting from an untrained model.`, 'model');
      }
    }
    try {
      await this.#createUntrainedModel();
    } catch (e) {
      this.#fail(`The model could not be built: ${e.message}`, 'model');
    }
  }

  #myDigitsKey() {
    return `${this.id ? `widget:${this.id}` : 'page'}:${this.#dataset}`;
  }

  #myDigitsReady() {
    if (!this.#myDigits) return this.ready.then(() => this.#myDigitsLoaded);
    return this.#myDigitsLoaded ?? Promise.resolve();
  }

  // The set kept in this browser; on a first visit (nothing kept), the page's starting set
  // from my-digits-url (a prefix: PREFIX-images-idx3-ubyte and PREFIX-labels-idx1-ubyte).
  async #loadMyDigits() {
    if (await this.#myDigits.load()) return;
    const prefix = this.#options.myDigitsUrl;
    if (!prefix) return;
    const urls = ['images-idx3-ubyte', 'labels-idx1-ubyte'].map((suffix) => new URL(`${prefix}-${suffix}`, document.baseURI));
    try {
      const [images, labels] = await Promise.all(urls.map(async (url) => {
        const response = await fetch(url);
        if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
        return new Uint8Array(await response.arrayBuffer());
      }));
      const r = await this.#session.readIdx(images, labels, urls[0].href, urls[1].href);
      if (r.rows !== 28 || r.cols !== 28) throw new Error(`${urls[0].href}: images of ${r.rows}×${r.cols} pixels; My digits are 28×28`);
      await this.#myDigits.replace(r.pixels, r.labels);
    } catch (e) {
      const message = `the my-digits-url set could not be loaded (${e.message})`;
      this.#status.addAttributeError(message);
      this.#emit('error', { message, about: 'attribute' });
    }
  }

  // data-url names the dataset's own folder; without it, data/ (MNIST) or data/fashion-mnist/.
  #dataUrl() {
    const attribute = this.getAttribute('data-url');
    return (attribute ? new URL(attribute, document.baseURI) : new URL(`./data/${DATASETS[this.#dataset].folder}`, import.meta.url)).href;
  }

  #storeKey() {
    const key = this.id ? `widget:${this.id}` : 'last-trained';
    return this.#dataset === 'mnist' ? key : `${key}:${this.#dataset}`;
  }

  async #loadData() {
    const status = this.#status;
    const { title } = DATASETS[this.#dataset];
    status.setDataset(title);
    status.dataLoading();
    try {
      const loaded = await this.#session.loadData(this.#dataUrl(), (p) => status.dataProgress(p));
      status.dataReady(loaded);
      this.#emitInternal('data', loaded);
      this.#emit('ready', { trainCount: loaded.trainCount, testCount: loaded.testCount });
    } catch (e) {
      // The npm package leaves Fashion-MNIST out (31 MB): a widget from a CDN finds no folder.
      const hint = this.#dataset !== 'mnist' && /not found/.test(e.message) && !this.hasAttribute('data-url')
        ? `. ${title} is not in the npm package: copy dist/data/${DATASETS[this.#dataset].folder} from a build of Digitrain to your host and point data-url at it.`
        : '';
      status.dataFailed(e.message + hint);
      this.#emitInternal('datafailed', { message: e.message + hint });
      this.#emit('error', { message: `${title} could not be loaded: ${e.message}${hint}`, about: 'data' });
    }
  }

  #buildPanels() {
    this.#disposePanels();
    this.#panelBox.replaceChildren();
    for (const name of PANELS.filter((p) => this.#options.panels.includes(p))) {
      const section = document.createElement('section');
      section.className = `dt__panel dt__panel--${name}`;
      this.#panelBox.append(section);
      const context = this.#panelContext();
      const panel = PANEL_FACTORIES[name](section, context) ?? {};
      this.#panels.set(name, panel);
      this.#panelScopes.set(panel, context);
    }
    this.#announce();
  }

  // A new panel starts from what is already known.
  #announce() {
    if (this.#session.model) this.#emitInternal('model', { info: this.#session.model, origin: this.#session.modelOrigin });
    if (this.#session.dataReady) this.#emitInternal('data', {});
    this.#emitInternal('state', { state: this.state });
    if (this.#settings) this.#emitInternal('settings', this.settings);
    this.#emitInternal('dataset', { dataset: this.#dataset });
  }

  // A removed panel lets go of everything it listened to: the widget's event bus (through
  // its scoped `events`), listeners it added with `signal` (on the host element, say), and
  // whatever its own dispose() releases (observers, charts).
  #disposePanels() {
    for (const panel of this.#panels.values()) {
      panel.dispose?.();
      this.#panelScopes.get(panel)?.release();
    }
    this.#panels.clear();
    this.#panelScopes.clear();
  }

  #panelScopes = new Map(); // panel -> its context

  // What a panel may use: the session, the widget's settings, messages, the current digit.
  // Each panel gets its own: `events` remembers the listeners the panel adds, and `signal`
  // aborts, when the panel is removed.
  #panelContext() {
    const widget = this;
    const bus = this.#internal;
    const added = [];
    const aborter = new AbortController();
    const events = {
      addEventListener(type, listener, options) {
        bus.addEventListener(type, listener, options);
        added.push([type, listener, options]);
      },
      removeEventListener: (type, listener, options) => bus.removeEventListener(type, listener, options),
      dispatchEvent: (event) => bus.dispatchEvent(event),
    };
    return {
      get session() { return widget.#session; },
      events,
      signal: aborter.signal,
      release() {
        for (const [type, listener, options] of added.splice(0)) bus.removeEventListener(type, listener, options);
        aborter.abort();
      },
      get visible() { return widget.#visible; },
      get compact() { return widget.#options.compact; },
      get input() { return widget.#input; },
      get myDigits() { return widget.#myDigits; },
      get dataset() { return widget.#dataset; },
      get description() { return widget.#description; },
      setModel: (description, text) => this.#setModel(description, text).catch((e) => this.#fail(e.message, 'model')),
      // The editor's verdict: a reason holds Train back (and train() rejects with it).
      setModelProblem: (problem) => {
        this.#modelProblem = problem;
        this.#emitInternal('modelproblem', { problem });
      },
      get classNames() { return DATASETS[widget.#dataset].classNames; },
      hasPanel: (name) => this.#options.panels.includes(name),
      addMyDigit: (pixels, label) => this.addMyDigit(pixels, label),
      removeMyDigit: (index) => this.removeMyDigit(index),
      exportMyDigits: () => this.exportMyDigits(),
      importMyDigits: (images, labels, names) => this.importMyDigits(images, labels, names),
      testMyDigits: () => this.testMyDigits(),
      fineTune: (options) => this.fineTune(options),
      panel: (name) => this.#panels.get(name),
      updateSettings: (partial) => this.updateSettings(partial),
      train: () => this.train().catch(() => {}),
      stop: () => this.stop(),
      say: (text, kind) => this.#say(text, kind),
      fail: (text, about) => this.#fail(text, about),
      setInput: (pixels, source) => {
        this.#input = pixels;
        this.#emitInternal('input', { pixels, source });
      },
      prediction: (input, probs, source) => this.#prediction(input, probs, source),
    };
  }

  #internal = new EventTarget();

  #emitInternal(type, detail) {
    this.#internal.dispatchEvent(new CustomEvent(type, { detail }));
  }

  // Events for the host page: bubbling and composed, so a listener on document hears them.
  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  #say(text, kind = '') {
    showMessage(this.#status.message, text, kind);
  }

  #fail(text, about) {
    this.#say(text, 'error');
    this.#emit('error', { message: text, about });
  }

  #prediction(input, probs, source) {
    const probabilities = Array.from(probs.subarray(0, 10));
    const detail = { digit: argmax(probabilities), probabilities, input, source };
    this.#emit('prediction', detail);
    return detail;
  }

  #watchSession() {
    const s = this.#session;
    const forward = (type) => s.addEventListener(type, (e) => this.#emitInternal(type, e.detail));
    ['model', 'state', 'progress'].forEach(forward);
    s.addEventListener('model', (e) => this.#emit('modelchange', { name: e.detail.info.name, origin: e.detail.origin, paramCount: e.detail.info.paramCount }));
    s.addEventListener('epoch', (e) => {
      this.#emitInternal('epoch', e.detail);
      const r = e.detail;
      const val = r.val_accuracy != null ? `, val_accuracy ${r.val_accuracy.toFixed(4)}` : '';
      this.#say(`Epoch ${r.epoch}: loss ${r.loss.toFixed(4)}, accuracy ${r.accuracy.toFixed(4)}${val}`);
      this.#emit('epochend', { ...r });
    });
    s.addEventListener('error', (e) => this.#fail(e.detail.message, e.detail.about));
    s.addEventListener('trainend', (e) => this.#onTrainEnd(e.detail));
    s.addEventListener('evaluating', (e) => {
      const { which, done, total } = e.detail;
      if (which === 'model') return;
      const what = which === 'previous' ? 'your previous model' : 'the model';
      this.#say(`Testing ${what} on the ${total.toLocaleString('en')} test images… ${Math.round((100 * done) / total)} %`);
    });
    s.addEventListener('crash', (e) => {
      this.#fail(`${e.detail.message[0].toUpperCase()}${e.detail.message.slice(1)}. A fresh one is starting and gets your last good model back…`, 'crash');
    });
    s.addEventListener('recovered', (e) => {
      this.#say(`The training worker was restarted; ${e.detail.model ?? 'the model'} (${e.detail.origin === 'trained' ? 'your last trained model' : 'the model you had'}) is back. You can train again.`, 'ok');
    });
  }

  async #onTrainEnd(end) {
    const percent = (test) => `${(100 * test.accuracy).toFixed(1)} %`;
    const test = end.test ? `test accuracy ${end.test.accuracy.toFixed(4)} (loss ${end.test.loss.toFixed(4)})` : '';
    if (end.reason === 'diverged') {
      const name = this.#session.model?.name ?? 'the model';
      let kept;
      if (end.kept === 'previous') kept = ` Your previous model (${name}, ${end.test ? percent(end.test) : 'untested'} on the test set) is kept.`;
      else if (end.restoredStep > 0) kept = ` The best weights of this run (from step ${end.restoredStep.toLocaleString('en')}${end.test ? `, ${percent(end.test)} on the test set` : ''}) are kept.`;
      else kept = ` The run's starting weights are kept${end.test ? ` (${percent(end.test)} on the test set)` : ''}.`;
      const said = end.error ? `${end.error[0].toUpperCase()}${end.error.slice(1)}` : 'Training diverged';
      this.#say(`Training stopped: ${said}.${kept}`, 'error');
    } else {
      this.#say(`Training ${end.reason === 'stopped' ? 'stopped' : 'finished'} after ${formatSeconds(end.seconds)}: ${test}.`, 'ok');
    }
    this.#emitInternal('trainend', end);
    this.#emit('trainend', { ...end });
    if (this.#options.remember) await this.#remember(end);
  }

  // The model kept in this browser is replaced only by a better one: never by the model
  // from before the run (it is the one kept, or an older one), never by a diverged run's
  // weights unless they beat the kept one, never by a worse run.
  async #remember(end) {
    if (end.kept === 'previous' || !end.test) return;
    try {
      const key = this.#storeKey();
      const known = (await loadLastModel(key))?.accuracy;
      const better = known == null ? end.reason !== 'diverged' : end.test.accuracy >= known && (end.reason !== 'diverged' || end.test.accuracy > known);
      if (!better) {
        if (known != null && end.reason !== 'diverged') {
          this.#status.message.textContent += ` This browser keeps remembering the better model it had (${(100 * known).toFixed(1)} % on the test set).`;
        }
        return;
      }
      await saveLastModel(key, await this.#session.saveModel(), this.#session.model?.name, end.test.accuracy);
    } catch (e) {
      console.warn('Digitrain: could not keep the model in this browser:', e.message);
    }
  }

  // Off screen: charts stop drawing; with pause-offscreen, training pauses too.
  #watchVisibility() {
    this.#observer = new IntersectionObserver(([entry]) => {
      this.#visible = entry.isIntersecting;
      this.#emitInternal('visibility', { visible: this.#visible });
      if (!this.#options.pauseOffscreen) return;
      if (!this.#visible && this.state === 'running') {
        this.#pausedOffscreen = true;
        this.#session.pause();
      } else if (this.#visible && this.#pausedOffscreen) {
        this.#pausedOffscreen = false;
        if (this.state === 'paused') this.#session.resume();
      }
    });
    this.#observer.observe(this);
  }
}

// Figures only, for the host page's event.
function summary({ mine, test }) {
  return { myDigits: { count: mine.count, correct: mine.correct, accuracy: mine.accuracy }, test: test && { loss: test.loss, accuracy: test.accuracy } };
}
