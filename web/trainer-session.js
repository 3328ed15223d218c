// One widget's training session, without the DOM: its worker (which owns the WASM module and
// the model), its data, its model and its run. Panels and the element listen to its events:
//   model {info, origin}   state {state}   progress {...}   epoch {...}   trainend {...}
import { ToWorker, FromWorker } from './protocol.js';
import { WorkerClient } from './worker-client.js';
import { shareMnist, copyForWorker, forgetMnistFile } from './mnist-source.js';

export class TrainerSession extends EventTarget {
  worker;
  presets = [];
  presetDescriptions = {};
  dataReady = false;
  trainState = 'idle';
  model = null;        // the worker's model info: {summary, paramCount, layers, name, ...}
  modelOrigin = null;
  peakHeapBytes = 0;
  learningRate = null;
  reports = { batchGroups: 0, epochs: 0 }; // what the charts were given, for the tests
  crashes = 0;
  #workerUrl;
  #run = null;         // {resolve, reject} of the train() under way
  #dataUrl = null;
  #lastGood = null;    // how to rebuild the current model in a fresh worker: {text, files?, origin} or {description, seed}
  #lastGoodAsked = 0;  // which model change #lastGood is for (a save that comes late is dropped)
  #recovering = null;

  constructor(workerUrl) {
    super();
    this.#workerUrl = workerUrl;
    this.#startWorker();
  }

  #startWorker() {
    const worker = new WorkerClient(this.#workerUrl);
    this.worker = worker;
    worker.onCrash = (reason) => this.#onCrash(reason);
    worker.on(FromWorker.model, (m) => this.#setModel(m.info, m.origin));
    worker.on(FromWorker.trainState, ({ state }) => {
      this.trainState = state;
      worker.expectRun(state === 'running');
      this.#emit('state', { state });
    });
    worker.on(FromWorker.progress, (p) => this.#onProgress(p));
    worker.on(FromWorker.evaluating, (p) => this.#emit('evaluating', p));
    worker.on(FromWorker.trainEnd, (end) => this.#onTrainEnd(end));
    // Errors without an id (a run that failed on its way) come here; a request's own error
    // goes to its caller.
    worker.on(FromWorker.error, ({ about, message }) => {
      if (about === ToWorker.train) {
        this.#run?.reject(new Error(message));
        this.#run = null;
      }
      if (about === ToWorker.train || about === ToWorker.setLearningRate) this.#emit('error', { about, message });
    });
  }

  async start() {
    const { presets, presetDescriptions } = await this.worker.ready;
    this.presets = presets;
    this.presetDescriptions = presetDescriptions;
  }

  dispose() {
    this.worker.onCrash = null;
    this.worker.terminate();
    this.#run?.reject(new Error('the widget was removed from the page'));
    this.#run = null;
  }

  // Resolves once a crashed worker's successor has the data and the model back.
  get recovering() { return this.#recovering; }

  // Downloads (or shares) MNIST and hands it to the worker. A cached file that turns out
  // corrupt is dropped and fetched again once. Resolves to
  // {trainCount, testCount, fromCache, bytesTransferred, cacheError}.
  async loadData(dataUrl, onProgress) {
    this.#dataUrl = dataUrl;
    this.dataReady = false; // until the new data is in (another dataset, a Retry)
    for (let attempt = 0; ; attempt++) {
      const fetched = await shareMnist(dataUrl, onProgress);
      const { files, transfer } = copyForWorker(fetched.files);
      try {
        const loaded = await this.worker.request(ToWorker.loadData, FromWorker.dataLoaded, { files }, transfer);
        this.dataReady = true;
        return { ...loaded, fromCache: fetched.fromCache, bytesTransferred: fetched.bytesTransferred, cacheError: fetched.cacheError };
      } catch (e) {
        if (!e.corrupt) throw e;
        await forgetMnistFile(dataUrl, e.url);
        const wasCached = Object.values(fetched.files).find((f) => f.url === e.url)?.cached;
        if (attempt > 0 || !wasCached) throw e;
      }
    }
  }

  async createModel(description, seed, origin = 'created') {
    const reply = await this.worker.request(ToWorker.createModel, FromWorker.model, { description, seed, origin });
    this.#lastGood = { description, seed, origin };
    this.#lastGoodAsked++;
    return reply;
  }

  // A Digitrain model file, or a TF.js model.json with its weight files {name: Uint8Array}.
  async loadModel(text, files, origin = 'loaded') {
    const fields = { text, origin };
    if (files) fields.files = files;
    const reply = await this.worker.request(ToWorker.loadModel, FromWorker.model, fields);
    this.#lastGood = { text, files, origin };
    this.#lastGoodAsked++;
    return reply;
  }

  async saveModel() {
    return (await this.worker.request(ToWorker.saveModel, FromWorker.savedModel)).text;
  }

  saveModelTfjs() {
    return this.worker.request(ToWorker.saveModelTfjs, FromWorker.savedModelTfjs);
  }

  // Builds a fresh model from `description` and trains it; resolves with the trainend
  // detail when the run ends (finished, stopped or diverged), rejects with the message when
  // it cannot start or fails on its way (a refused option, a crashed worker). The model
  // from before is kept aside: a run that diverges and does worse gives it back.
  // With no description the current model trains on (a fine-tuning run); `extra`
  // ({pixels, labels}: My digits) is mixed into the training images.
  async train(description, { epochs, batchSize, learningRate, seed }, extra) {
    if (this.trainState !== 'idle' || this.#run) throw new Error('training is already running');
    if (!this.dataReady) throw new Error('MNIST is not loaded yet');
    const ended = new Promise((resolve, reject) => { this.#run = { resolve, reject }; });
    ended.catch(() => {}); // the caller hears of it; never an unhandled rejection
    const keep = this.model != null && this.modelOrigin !== 'created';
    const fields = { description, seed, keep, previousOrigin: this.modelOrigin, options: { epochs, batchSize, learningRate, seed } };
    let transfer = [];
    if (extra) {
      fields.extra = { pixels: extra.pixels.slice(), labels: extra.labels.slice() };
      transfer = [fields.extra.pixels.buffer, fields.extra.labels.buffer];
    }
    try {
      await this.worker.request(ToWorker.train, FromWorker.trainStart, fields, transfer);
    } catch (e) {
      this.#run = null;
      throw e;
    }
    return ended;
  }

  pause() { this.worker.send(ToWorker.pause); }
  resume() { this.worker.send(ToWorker.resume); }
  step() { this.worker.send(ToWorker.step); }
  stop() { this.worker.send(ToWorker.stop); }
  setLearningRate(value) { if (this.trainState !== 'idle') this.worker.send(ToWorker.setLearningRate, { value }); }

  // A drawing (ink in [0,1], any size) -> {input: Uint8Array(784) as the model sees it, probs}.
  async predictInk(ink, width, height) {
    const copy = ink.slice();
    const { input, probs } = await this.worker.request(ToWorker.predictInk, FromWorker.prediction, { ink: copy, width, height }, [copy.buffer]);
    return { input, probs };
  }

  async predictImages(pixels, count) {
    const copy = pixels.slice();
    return (await this.worker.request(ToWorker.predictImages, FromWorker.predictions, { pixels: copy, count }, [copy.buffer])).probs;
  }

  testImages(selection) {
    return this.worker.request(ToWorker.testImages, FromWorker.testImages, selection);
  }

  async layerOutputs(pixels) {
    const copy = pixels.slice();
    return (await this.worker.request(ToWorker.layerOutputs, FromWorker.layerOutputs, { pixels: copy }, [copy.buffer])).layers;
  }

  weights(index) {
    return this.worker.request(ToWorker.weights, FromWorker.weights, { index });
  }

  confusion() {
    return this.worker.request(ToWorker.confusion, FromWorker.confusion);
  }

  // The current model on the whole test set: {loss, accuracy}.
  evaluate() {
    return this.worker.request(ToWorker.evaluate, FromWorker.evaluation);
  }

  // A model description checked by the core without building it (the model editor):
  // {name, layers: [{name, className, outputShape, params}], paramCount, error?, errorLayer?}.
  planModel(description) {
    return this.worker.request(ToWorker.planModel, FromWorker.modelPlan, { description });
  }

  // Two IDX files' bytes, checked by the core's reader: {count, rows, cols, pixels, labels}.
  readIdx(images, labels, imagesName, labelsName) {
    const i = images.slice();
    const l = labels.slice();
    return this.worker.request(ToWorker.readIdx, FromWorker.idx, { images: i, labels: l, imagesName, labelsName }, [i.buffer, l.buffer]);
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  #setModel(info, origin) {
    this.model = info;
    this.modelOrigin = origin;
    this.#emit('model', { info, origin });
  }

  #onProgress(p) {
    this.peakHeapBytes = Math.max(this.peakHeapBytes, p.heapBytes ?? 0);
    this.learningRate = p.learningRate;
    if (p.batch) this.reports.batchGroups += 1;
    this.reports.epochs += p.epochsEnded.length;
    this.#emit('progress', p);
    for (const e of p.epochsEnded) this.#emit('epoch', e);
  }

  #onTrainEnd(end) {
    if (end.kept !== 'previous') {
      // A run that diverged before any checkpoint did better than the start leaves its
      // starting weights: an untrained model, not one to keep aside at the next run.
      this.modelOrigin = end.kept === 'best' && !(end.restoredStep > 0) ? 'created' : 'trained';
      // What a fresh worker would need after a crash: the weights as they are now.
      const asked = ++this.#lastGoodAsked;
      const origin = this.modelOrigin;
      this.saveModel().then((text) => {
        if (asked === this.#lastGoodAsked) this.#lastGood = { text, origin };
      }, () => {});
    }
    this.#emit('trainend', end);
    this.#run?.resolve(end);
    this.#run = null;
  }

  // The worker crashed (its module trapped, or it stopped answering): the run under way is
  // lost and says so; a fresh worker gets the data and the last good model back.
  #onCrash(reason) {
    this.crashes += 1;
    const message = `the training worker crashed (${reason})`;
    this.#run?.reject(new Error(message));
    this.#run = null;
    this.trainState = 'idle';
    this.#emit('state', { state: 'idle' });
    this.#emit('crash', { message });
    this.#recovering = this.#restart().then(
      () => this.#emit('recovered', { model: this.model?.name, origin: this.modelOrigin }),
      (e) => this.#emit('error', { about: 'crash', message: `a fresh training worker could not take over: ${e.message}` }));
  }

  async #restart() {
    this.dataReady = false;
    this.#startWorker();
    await this.start();
    if (this.#dataUrl) await this.loadData(this.#dataUrl);
    const good = this.#lastGood;
    if (good?.text) await this.loadModel(good.text, good.files, good.origin);
    else if (good?.description) await this.createModel(good.description, good.seed, good.origin);
  }
}
