// The training worker: owns the WASM module and the model, trains in slices of ~50 ms so
// messages (pause, a new learning rate, a drawing to recognise) are answered between them.
import createDigitrain from './digitrain.mjs';
import { gunzipMnistFile } from './data.js';
import { ToWorker, FromWorker } from './protocol.js';

// Long enough that call overhead is nothing, short enough that the page never waits long.
const SLICE_MS = 50;

// The .wasm sits next to this file, wherever the page is: a widget served from another
// origin starts this worker from a blob: URL, whose location says nothing useful.
const dt = await createDigitrain({ locateFile: (name) => new URL(name, import.meta.url).href });
const session = new dt.Session();
let state = 'idle'; // 'idle' | 'running' | 'paused'
let modelGeneration = 0; // counts model changes, so a load that awaited something knows if it is stale
let run = null; // the current training run's bookkeeping
let stepsPerSlice = 1;
let loopId = 0; // each start of the loop takes a new id; an older loop that wakes up quits

const post = (type, fields = {}, transfer = []) => self.postMessage({ type, ...fields }, transfer);
const fail = (about, message, extra = {}) => post(FromWorker.error, { about, message, ...extra });

// Yields to the message queue; faster than setTimeout(0), which is clamped to 4 ms.
const channel = new MessageChannel();
const waiting = [];
channel.port1.onmessage = () => waiting.shift()?.();
const yieldToMessages = () => new Promise((resolve) => { waiting.push(resolve); channel.port2.postMessage(0); });

function setState(next) {
  state = next;
  post(FromWorker.trainState, { state });
}

function runSlice(steps) {
  const t0 = performance.now();
  const r = session.trainSteps(steps);
  const ms = performance.now() - t0;
  if (!r.ok) throw new Error(r.error);
  run.trainMs += ms;
  run.samples += r.batchesRun * run.batchSize;
  const samplesPerSecond = run.trainMs > 0 ? (run.samples / run.trainMs) * 1000 : 0;
  const totalPlanned = run.stepsPerEpoch * run.epochs;
  const etaSeconds = r.totalSteps > 0 ? ((totalPlanned - r.totalSteps) * run.trainMs) / r.totalSteps / 1000 : null;
  if (r.batchesRun > 0 || r.epochs.length > 0) {
    post(FromWorker.progress, {
      epoch: r.epoch, epochs: run.epochs, step: r.step, stepsPerEpoch: r.stepsPerEpoch, totalSteps: r.totalSteps,
      loss: r.loss, accuracy: r.accuracy, batch: r.batch, samplesPerSecond, etaSeconds, epochsEnded: r.epochs,
      heapBytes: dt.HEAPU8?.buffer.byteLength, learningRate: r.learningRate,
    });
  }
  return { result: r, ms };
}

function finish(reason, error) {
  const test = session.evaluateTest();
  post(FromWorker.trainEnd, {
    reason, error, test: test.ok ? { loss: test.loss, accuracy: test.accuracy } : undefined,
    seconds: (performance.now() - run.startedAt) / 1000,
  });
  run = null;
  setState('idle');
}

// Ends a run that failed: the page gets the message and a usable idle state.
function abandon(error) {
  fail(ToWorker.train, error.message);
  session.stopTraining();
  run = null;
  setState('idle');
}

function startLoop() {
  const id = ++loopId;
  trainLoop(id).catch(abandon);
}

async function trainLoop(id) {
  while (state === 'running' && run && id === loopId) {
    const { result, ms } = runSlice(stepsPerSlice);
    // Aim each slice at SLICE_MS whatever the model's speed; grow at most 2x per slice so a
    // mis-measured fast slice cannot make the next one long.
    if (result.batchesRun > 0) {
      const ideal = Math.round((stepsPerSlice * SLICE_MS) / Math.max(ms, 1));
      stepsPerSlice = Math.max(1, Math.min(5000, ideal, stepsPerSlice * 2));
    }
    if (!result.running) {
      finish(result.error ? 'diverged' : run.stopRequested ? 'stopped' : 'done', result.error);
      return;
    }
    await yieldToMessages();
  }
}

function modelReply(info, origin) {
  post(FromWorker.model, { info: checked(info), origin });
}

// Model files are JSON text; the module takes the parsed value (docs/wasm-api.md).
function parseModelFile(text) {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error('model file: not valid JSON (truncated or not a model file?)');
  }
}

// The TF.js converter is a module of its own (as large as the trainer), fetched the first
// time a TF.js model is opened or saved: most visits never need it.
let formats = null;
let formatsAttempts = 0;
function tfjsFormats() {
  // A failed import() stays failed for its URL, so a retry asks for a fresh one.
  const url = `./digitrain-formats.mjs${formatsAttempts++ ? `?retry=${formatsAttempts}` : ''}`;
  formats ??= import(url)
    .then(({ default: create }) => create({ locateFile: (name) => new URL(name, import.meta.url).href }))
    .catch((e) => {
      formats = null; // the next TF.js open or save tries again
      throw new Error(`could not load the TF.js converter (digitrain-formats.mjs): ${e.message}`);
    });
  return formats;
}

// Runs `call` on the converter module. A trap inside it (a RuntimeError, a stack overflow)
// skips the C++ clean-up and can leave the module's stack pointer and heap inconsistent, so
// the module is dropped and the next TF.js open or save starts a fresh one. (Refusals of bad
// files are {ok: false} answers and keep the module.)
async function withFormats(call) {
  const module = await tfjsFormats();
  try {
    return call(module);
  } catch (e) {
    formats = null;
    throw e;
  }
}

function checked(result) {
  if (!result.ok) throw new Error(result.error);
  return result;
}

const handlers = {
  // Gunzipped here, not on the page: 47 MB of output would stall the page's thread.
  async [ToWorker.loadData]({ files }) {
    if (state !== 'idle') throw new Error('stop training before loading new data');
    const keys = ['trainImages', 'trainLabels', 'testImages', 'testLabels'];
    const raw = [];
    for (const key of keys) {
      try {
        raw.push(await gunzipMnistFile(files[key]));
      } catch (e) {
        return fail(ToWorker.loadData, e.message, { file: files[key].file, url: files[key].url, corrupt: true });
      }
    }
    const r = session.loadData(...raw);
    if (!r.ok) throw new Error(r.error);
    post(FromWorker.dataLoaded, { trainCount: r.trainCount, testCount: r.testCount });
  },
  [ToWorker.createModel]({ description, seed, origin }) {
    if (state !== 'idle') throw new Error('stop training before changing the model');
    modelGeneration++;
    modelReply(session.createModel(description, seed ?? 1), origin ?? 'created');
  },
  async [ToWorker.loadModel]({ text, files, origin }) {
    if (state !== 'idle') throw new Error('stop training before loading a model');
    const generation = ++modelGeneration;
    const file = files ? checked(await withFormats((m) => m.tfjsToModelFile(text, files))).file : parseModelFile(text);
    // While the converter loaded, the page may have moved on: training, or another model.
    if (state !== 'idle') throw new Error('stop training before loading a model');
    if (generation !== modelGeneration) throw new Error('another model replaced this one while it loaded');
    modelReply(session.loadModel(file), origin ?? 'loaded');
  },
  async [ToWorker.saveModelTfjs]() {
    const { file } = checked(session.saveModel());
    const r = checked(await withFormats((m) => m.modelFileToTfjs(file)));
    post(FromWorker.savedModelTfjs, { modelJson: r.modelJson, weightsPath: r.weightsPath, weights: r.weights }, [r.weights.buffer]);
  },
  [ToWorker.saveModel]() {
    const { file } = checked(session.saveModel());
    post(FromWorker.savedModel, { text: `${JSON.stringify(file, null, 1)}\n` });
  },
  [ToWorker.train]({ options }) {
    if (state !== 'idle') throw new Error('training is already running');
    const r = checked(session.startTraining(options));
    run = { batchSize: r.batchSize, epochs: r.epochs, stepsPerEpoch: r.stepsPerEpoch, trainMs: 0, samples: 0,
      startedAt: performance.now(), stopRequested: false };
    post(FromWorker.trainStart, r);
    stepsPerSlice = 1; // a new model may be far slower than the last one
    setState('running');
    startLoop();
  },
  [ToWorker.pause]() {
    if (state === 'running') setState('paused');
  },
  [ToWorker.resume]() {
    if (state !== 'paused') return;
    setState('running');
    startLoop();
  },
  [ToWorker.step]() {
    if (state !== 'paused' || !run) return;
    const { result } = runSlice(1);
    if (!result.running) finish(result.error ? 'diverged' : 'done', result.error);
  },
  [ToWorker.stop]() {
    if (!run) return;
    run.stopRequested = true;
    session.stopTraining();
    if (state === 'paused') finish('stopped');
    // A running loop sees running=false after its slice and finishes.
  },
  [ToWorker.setLearningRate]({ value }) {
    checked(session.setLearningRate(value));
  },
  [ToWorker.predictInk]({ id, ink, width, height }) {
    const input = dt.preprocessDigit(ink, width, height);
    const probs = session.predict(input, 1);
    post(FromWorker.prediction, { id, input, probs }, [input.buffer, probs.buffer]);
  },
  [ToWorker.predictImages]({ id, pixels, count }) {
    const probs = session.predict(pixels, count);
    post(FromWorker.predictions, { id, probs }, [probs.buffer]);
  },
  // Either a range (start, count) or a list of indices.
  [ToWorker.testImages]({ id, start, count, indices }) {
    const which = indices ?? Array.from({ length: count }, (_, i) => start + i);
    const images = new Uint8Array(which.length * 784);
    const labels = new Int32Array(which.length);
    which.forEach((index, i) => {
      images.set(session.testImage(index), i * 784);
      labels[i] = session.testLabel(index);
    });
    post(FromWorker.testImages, { id, images, labels }, [images.buffer, labels.buffer]);
  },
  [ToWorker.layerOutputs]({ id, pixels }) {
    const layers = session.layerOutputs(pixels);
    post(FromWorker.layerOutputs, { id, layers }, layers.map((l) => l.values.buffer));
  },
  // The whole test set, in chunks so a pause or a drawing is answered in between.
  async [ToWorker.confusion]({ id }) {
    const predicted = new Int32Array(10000);
    let count = 0;
    for (let chunk; (chunk = session.predictTestLabels(count, 1000)).length > 0; count += chunk.length) {
      predicted.set(chunk, count);
      await yieldToMessages();
    }
    if (count === 0) throw new Error('no model or no test data yet');
    const labels = Int32Array.from({ length: count }, (_, i) => session.testLabel(i));
    post(FromWorker.confusion, { id, labels, predicted: predicted.subarray(0, count) });
  },
  [ToWorker.evaluate]() {
    const r = checked(session.evaluateTest());
    post(FromWorker.evaluation, { loss: r.loss, accuracy: r.accuracy });
  },
  [ToWorker.weights]({ id, index }) {
    const info = session.paramInfo()[index];
    const view = session.weights(index);
    if (!info || !view) throw new Error(`no parameter ${index}`);
    const values = view.slice(); // copy out of the heap before anything else runs
    post(FromWorker.weights, { id, index, name: info.name, shape: info.shape, values }, [values.buffer]);
  },
};

self.onmessage = ({ data }) => {
  const handler = handlers[data?.type];
  if (!handler) return fail(data?.type, `unknown message type '${data?.type}'`);
  // Handlers may be async (data, the confusion matrix): their failures are caught too.
  Promise.resolve().then(() => handler(data)).catch((e) => fail(data.type, e?.message ?? String(e)));
};

const presets = dt.presetNames();
const presetDescriptions = Object.fromEntries(presets.map((name) => [name, dt.presetText(name).text]));
post(FromWorker.ready, { presets, presetDescriptions });
