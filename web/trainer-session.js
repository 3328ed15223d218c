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
  #runEnded = null;

  constructor(workerUrl) {
    super();
    this.worker = new WorkerClient(workerUrl);
    this.worker.on(FromWorker.model, (m) => this.#setModel(m.info, m.origin));
    this.worker.on(FromWorker.trainState, ({ state }) => {
      this.trainState = state;
      this.#emit('state', { state });
    });
    this.worker.on(FromWorker.progress, (p) => this.#onProgress(p));
    this.worker.on(FromWorker.trainEnd, (end) => this.#onTrainEnd(end));
    this.worker.on(FromWorker.error, ({ about, message }) => {
      if (about === ToWorker.train || about === ToWorker.setLearningRate) this.#emit('error', { about, message });
    });
  }

  async start() {
    const { presets, presetDescriptions } = await this.worker.ready;
    this.presets = presets;
    this.presetDescriptions = presetDescriptions;
  }

  dispose() {
    this.worker.terminate();
  }

  // Downloads (or shares) MNIST and hands it to the worker. A cached file that turns out
  // corrupt is dropped and fetched again once. Resolves to
  // {trainCount, testCount, fromCache, bytesTransferred, cacheError}.
  async loadData(dataUrl, onProgress) {
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

  createModel(description, seed, origin = 'created') {
    return this.worker.request(ToWorker.createModel, FromWorker.model, { description, seed, origin });
  }

  // A Digitrain model file, or a TF.js model.json with its weight files {name: Uint8Array}.
  loadModel(text, files, origin = 'loaded') {
    const fields = { text, origin };
    if (files) fields.files = files;
    return this.worker.request(ToWorker.loadModel, FromWorker.model, fields);
  }

  async saveModel() {
    return (await this.worker.request(ToWorker.saveModel, FromWorker.savedModel)).text;
  }

  saveModelTfjs() {
    return this.worker.request(ToWorker.saveModelTfjs, FromWorker.savedModelTfjs);
  }

  // Builds a fresh model from `description` and trains it; resolves with the trainend
  // detail when the run ends (finished, stopped or diverged).
  async train(description, { epochs, batchSize, learningRate, seed }) {
    if (this.trainState !== 'idle') throw new Error('training is already running');
    if (!this.dataReady) throw new Error('MNIST is not loaded yet');
    await this.createModel(description, seed);
    const ended = new Promise((resolve) => { this.#runEnded = resolve; });
    this.worker.send(ToWorker.train, { options: { epochs, batchSize, learningRate, seed } });
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
    if (end.reason !== 'diverged') this.modelOrigin = 'trained';
    this.#emit('trainend', end);
    this.#runEnded?.(end);
    this.#runEnded = null;
  }
}
