// <digit-predictor>: drawing and prediction only. Its model comes from
//   for="id"     a <digit-trainer> on the page: the model it is training, as it changes;
//   model="url"  a saved model file (or a TF.js model.json next to its .bin files);
//   or a model file the user picks or drops on it (this replaces either of the above).
// Events out: prediction {digit, probabilities, input}, error {message}.
import { TrainerSession } from './trainer-session.js';
import { createDrawingPanel } from './panels/drawing.js';
import { buildModelPicker } from './panels/model-picker.js';
import { showMessage } from './panels/status.js';
import { argmax } from './heatmap.js';
import { fetchChecked, fetchText } from './model-files.js';
import { linkStylesheets } from './widget-styles.js';


export class DigitPredictor extends HTMLElement {
  static get observedAttributes() { return ['for', 'model']; }

  #shadow;
  #message;
  #events = new EventTarget();
  #trainer = null;       // the <digit-trainer> followed, when `for` names one
  #ownSession = null;    // a worker of its own, for a model file
  #unfollow = () => {};
  #connected = false;

  constructor() {
    super();
    this.#shadow = this.attachShadow({ mode: 'open' });
  }

  connectedCallback() {
    if (this.#connected) return;
    this.#connected = true;
    this.#build();
    this.#chooseSource().catch((e) => this.#fail(e.message));
  }

  disconnectedCallback() {
    setTimeout(() => {
      if (this.isConnected) return;
      this.#connected = false;
      this.#unfollow();
      this.#ownSession?.dispose();
      this.#ownSession = null;
    }, 0);
  }

  attributeChangedCallback(_name, oldValue, value) {
    if (this.#connected && oldValue !== value) this.#chooseSource().catch((e) => this.#fail(e.message));
  }

  #build() {
    linkStylesheets(this.#shadow);
    const root = document.createElement('div');
    root.className = 'dt dt--predictor';
    const section = document.createElement('section');
    section.className = 'dt__panel dt__panel--drawing';
    this.#message = document.createElement('p');
    this.#message.className = 'message';
    this.#message.setAttribute('role', 'status');
    root.append(section, this.#message);
    this.#shadow.append(root);
    const predictor = this;
    createDrawingPanel(section, {
      session: { predictInk: (ink, width, height) => predictor.#source().predictInk(ink, width, height) },
      events: this.#events,
      get visible() { return true; },
      setInput() {},
      hasPanel: () => false, // no My digits here
      prediction: (input, probs) => this.#emit('prediction', {
        digit: argmax(probs), probabilities: Array.from(probs), input }),
      fail: (text) => this.#fail(text),
    });
    root.append(buildModelPicker(this, (text, files, names) => this.#loadOwn(text, files, names), (message) => this.#fail(message)));
  }

  #source() {
    if (this.#ownSession?.model) return this.#ownSession;
    if (this.#trainer?.session?.model) return this.#trainer.session;
    throw new Error('no model yet: train one, or load a model file');
  }

  async #chooseSource() {
    this.#unfollow();
    this.#trainer = null;
    const forId = this.getAttribute('for');
    const modelUrl = this.getAttribute('model');
    if (modelUrl) {
      const url = new URL(modelUrl, document.baseURI);
      const { text, files } = await fetchModel(url);
      return this.#loadOwn(text, files, url.pathname.split('/').pop());
    }
    if (!forId) return this.#say('Load a model file (button or drop) to recognise drawings.');
    await customElements.whenDefined('digit-trainer');
    // Checked to be a <digit-trainer> just below.
    const trainer = /** @type {import('./trainer-element.js').DigitTrainer} */ (document.getElementById(forId));
    if (!trainer || trainer.localName !== 'digit-trainer') throw new Error(`for="${forId}" names no <digit-trainer> on this page`);
    this.#trainer = trainer;
    const changed = () => this.#events.dispatchEvent(new CustomEvent('model'));
    const types = ['modelchange', 'epochend', 'trainend'];
    types.forEach((t) => trainer.addEventListener(t, changed));
    this.#unfollow = () => types.forEach((t) => trainer.removeEventListener(t, changed));
    await trainer.ready;
    this.#say(`Using the model of the trainer "${forId}".`);
  }

  async #loadOwn(text, files, names) {
    if (!this.#ownSession) {
      this.#ownSession = new TrainerSession(new URL('./worker.js', import.meta.url));
      await this.#ownSession.start();
    }
    try {
      const { info } = await this.#ownSession.loadModel(text, files);
      this.#say(`Using ${info.name} from ${names}.`, 'ok');
      this.#events.dispatchEvent(new CustomEvent('model'));
    } catch (e) {
      this.#fail(`Could not load ${names}: ${e.message}. The model you had is unchanged.`);
    }
  }

  #say(text, kind) { showMessage(this.#message, text, kind); }

  #fail(text) {
    this.#say(text, 'error');
    this.#emit('error', { message: text });
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }
}

// A Digitrain model file, or a TF.js model.json and the weight files its manifest names.
async function fetchModel(url) {
  const text = await fetchText(url);
  if (!text.includes('"modelTopology"')) return { text };
  let manifest;
  try {
    manifest = JSON.parse(text).weightsManifest ?? [];
  } catch (e) {
    throw new Error(`${url} is not valid JSON: ${e.message}`);
  }
  const files = {};
  for (const path of manifest.flatMap((group) => group.paths ?? [])) {
    files[path] = new Uint8Array(await (await fetchChecked(new URL(path, url))).arrayBuffer());
  }
  return { text, files };
}
