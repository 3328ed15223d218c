// The training worker: owns the WASM module and the model, trains in slices of ~50 ms so
// messages (pause, a new learning rate, a drawing to recognise) are answered between them.
import createDigitrain from './digitrain.mjs';
import { gunzipMnistFile } from './data.js';
import { ToWorker, FromWorker } from './protocol.js';

// Long enough that call overhead is nothing, short enough that the page never waits long.
const SLICE_MS = 50;
// The test set is evaluated in chunks this large: cnn-16-8 takes ~60 ms for one, so a Stop,
// a drawing or a pause is answered in between and the page shows the evaluation's progress.
const EVAL_CHUNK = 500;

// The .wasm sits next to this file, wherever the page is: a widget served from another
// origin starts this worker from a blob: URL, whose location says nothing useful.
const locateFile = (name) => new URL(name, import.meta.url).href;

// A module worker's port delivers messages as soon as this script has started, before its
// top-level awaits below (fetching and compiling the module) settle (HTML "run a worker";
// Chromium, Firefox and WebKit alike). A message that found no handler then would be lost,
// and its request never answered: until the handlers exist, messages wait here.
const early = [];
self.onmessage = ({ data }) => { early.push(data); };

// Threads need SharedArrayBuffer, which only a cross-origin isolated page has (COOP/COEP;
// README "Threads"). There, with more than one core, the threaded build
// (digitrain-threads.mjs/.wasm/.worker.js, docs/toolchain.md "Threads") is imported;
// everywhere else today's single-thread module, and the threaded files are never requested.
// Its kernel pool takes at most 4 threads (wasm/bindings.cpp).
const cores = self.navigator?.hardwareConcurrency ?? 1;
async function createThreaded() {
  // The URL is built at run time so the bundler leaves the file (and its import.meta.url,
  // which locates the .wasm and the pthread workers' script) as it is.
  const url = new URL('./digitrain-threads.mjs', import.meta.url).href;
  const module = await (await import(url)).default({ locateFile });
  module.setThreads(Math.min(cores, 4));
  return module;
}
let dt = null;
let build = 'single';
if (self.crossOriginIsolated && cores > 1) {
  try {
    dt = await createThreaded();
    build = 'threads';
  } catch (e) {
    // A host that isolates its page but serves the widget's files without CORP/CORS, or
    // from another origin (pthread workers cannot start from a cross-origin URL).
    console.warn(`digitrain: the threaded build did not start (${e?.message ?? e}); using one thread`);
  }
}
dt ??= await createDigitrain({ locateFile });
// Which build runs and how its pool is used: for tests and the curious (DevTools console of
// this worker: digitrainEngine.threadStats()).
Object.assign(self, { digitrainEngine: { build, threadStats: () => dt.threadStats() } });
const session = new dt.Session();
let state = 'idle'; // 'idle' | 'running' | 'paused'
let modelGeneration = 0; // counts model changes, so a load that awaited something knows if it is stale
let run = null; // the current training run's bookkeeping
let stepsPerSlice = 1;
let loopId = 0; // each start of the loop takes a new id; an older loop that wakes up quits
let testCount = 0;

const post = (type, fields = {}, transfer = []) => self.postMessage({ type, ...fields }, transfer);
const fail = (about, message, extra = {}) => post(FromWorker.error, { about, message, ...extra });

// A trap (out-of-bounds access, unreachable, Emscripten's abort) leaves the module in an
// unknown state: the page is told, and this worker ends; the page starts a fresh one.
function isTrap(e) {
  return e instanceof WebAssembly.RuntimeError;
}
function fatal(e) {
  post(FromWorker.fatal, { message: e?.message ?? String(e) });
  self.close();
}

// "out of memory" from the module, said so that a learner knows what to change.
function explained(message) {
  if (message !== 'out of memory') return message;
  const heap = Math.round((dt.HEAPU8?.buffer.byteLength ?? 0) / 2 ** 20);
  return `out of memory: this needs more memory than the tab's WebAssembly heap can have (${heap} MB now, 2048 MB at most); ` +
    'try a smaller model or batch size. The model you had is unchanged.';
}

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

// The current model on the test set, in chunks (progress goes to the page as `evaluating`);
// undefined without data.
async function evaluateTest(which) {
  let lossSum = 0;
  let correct = 0;
  let count = 0;
  for (;;) {
    const r = session.evaluateTestRange(count, EVAL_CHUNK);
    if (!r.ok || r.count === 0) break;
    lossSum += r.loss * r.count;
    correct += Math.round(r.accuracy * r.count);
    count += r.count;
    post(FromWorker.evaluating, { which, done: count, total: testCount });
    await yieldToMessages();
  }
  return count > 0 ? { loss: lossSum / count, accuracy: correct / count } : undefined;
}

// Ends a run. A diverged run has the best weights it saw back (the core restored them);
// if the model from before the run was put aside and does at least as well on the test
// set, that one is kept instead. trainend carries the test figures of the model kept.
async function finish(reason, result = {}) {
  const ending = run;
  ending.finishing = true;
  const end = { reason, error: result.error, seconds: (performance.now() - ending.startedAt) / 1000 };
  try {
    end.test = await evaluateTest('run');
    end.kept = reason === 'diverged' ? 'best' : 'run';
    if (reason === 'diverged') {
      end.restoredStep = result.restoredStep;
      end.bestTest = end.test;
    }
    if (reason === 'diverged' && ending.stashed) {
      const previous = checked(session.swapStash());
      const previousTest = await evaluateTest('previous');
      end.previousTest = previousTest;
      if (previousTest && (!end.test || previousTest.accuracy >= end.test.accuracy)) {
        end.kept = 'previous';
        end.test = previousTest;
        modelGeneration++;
        post(FromWorker.model, { info: previous, origin: ending.previousOrigin ?? 'loaded' });
      } else {
        checked(session.swapStash());
      }
    }
  } catch (e) {
    if (isTrap(e)) throw e;
    end.error ??= explained(e.message); // the run still ends, with what is known
  } finally {
    session.dropStash();
    run = null;
  }
  post(FromWorker.trainEnd, end);
  setState('idle');
}

// Ends a run that failed: the page gets the message and a usable idle state.
function abandon(error) {
  if (isTrap(error)) return fatal(error);
  fail(ToWorker.train, explained(error.message));
  session.stopTraining();
  session.dropStash();
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
      await finish(result.error ? 'diverged' : run.stopRequested ? 'stopped' : 'done', result);
      return;
    }
    await yieldToMessages();
  }
}

function modelReply(id, info, origin) {
  post(FromWorker.model, { id, info: checked(info), origin });
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
    // A trap of the converter is the converter's alone: the training module and the model are
    // untouched, so it is reported as the file's error, not as a crash of the worker (isTrap).
    if (isTrap(e) || e instanceof RangeError) throw new Error(`the TF.js converter failed on this file (${e.message}); it starts afresh for the next one`);
    throw e;
  }
}

function checked(result) {
  if (!result.ok) throw new Error(explained(result.error));
  return result;
}

// Every request carries an id; its reply (or its error) carries the same id back, so the
// page settles exactly the request it belongs to.
const handlers = {
  // Gunzipped here, not on the page: 47 MB of output would stall the page's thread.
  async [ToWorker.loadData]({ id, files }) {
    if (state !== 'idle') throw new Error('stop training before loading new data');
    const keys = ['trainImages', 'trainLabels', 'testImages', 'testLabels'];
    const raw = [];
    for (const key of keys) {
      try {
        raw.push(await gunzipMnistFile(files[key]));
      } catch (e) {
        return fail(ToWorker.loadData, e.message, { id, file: files[key].file, url: files[key].url, corrupt: true });
      }
    }
    const r = checked(session.loadData(...(/** @type {[Uint8Array, Uint8Array, Uint8Array, Uint8Array]} */ (raw))));
    testCount = r.testCount;
    post(FromWorker.dataLoaded, { id, trainCount: r.trainCount, testCount: r.testCount });
  },
  [ToWorker.createModel]({ id, description, seed, origin }) {
    if (state !== 'idle') throw new Error('stop training before changing the model');
    modelGeneration++;
    modelReply(id, session.createModel(description, seed ?? 1), origin ?? 'created');
  },
  async [ToWorker.loadModel]({ id, text, files, origin }) {
    if (state !== 'idle') throw new Error('stop training before loading a model');
    const generation = ++modelGeneration;
    const file = files ? checked(await withFormats((m) => m.tfjsToModelFile(text, files))).file : parseModelFile(text);
    // While the converter loaded, the page may have moved on: training, or another model.
    if (state !== 'idle') throw new Error('stop training before loading a model');
    if (generation !== modelGeneration) throw new Error('another model replaced this one while it loaded');
    modelReply(id, session.loadModel(file), origin ?? 'loaded');
  },
  async [ToWorker.saveModelTfjs]({ id }) {
    const { file } = checked(session.saveModel());
    const r = checked(await withFormats((m) => m.modelFileToTfjs(file)));
    post(FromWorker.savedModelTfjs, { id, modelJson: r.modelJson, weightsPath: r.weightsPath, weights: r.weights }, [r.weights.buffer]);
  },
  [ToWorker.saveModel]({ id }) {
    const { file } = checked(session.saveModel());
    post(FromWorker.savedModel, { id, text: `${JSON.stringify(file, null, 1)}\n` });
  },
  // Builds the run's model from `description` (the model before it is put aside when
  // `keep` asks, so a run that diverges can give it back) and starts training. A refused
  // model or refused options leave the model from before the run in place.
  [ToWorker.train]({ id, description, seed, options, keep, previousOrigin, extra }) {
    if (state !== 'idle') throw new Error('training is already running');
    let stashed = false;
    const giveBack = () => {
      if (!stashed) return;
      const info = session.swapStash();
      session.dropStash();
      if (info.ok) post(FromWorker.model, { info, origin: previousOrigin ?? 'loaded' });
    };
    if (description) {
      stashed = keep ? checked(session.stashModel()).stashed : false;
      const created = session.createModel(description, seed ?? 1);
      if (!created.ok) {
        giveBack();
        throw new Error(explained(created.error));
      }
      modelGeneration++;
      post(FromWorker.model, { info: created, origin: 'created' });
    }
    // My digits for this run only: a run without them trains on the dataset alone.
    const none = new Uint8Array(0);
    const set = session.setExtraImages(extra?.pixels ?? none, extra?.labels ?? none);
    // A refused set has only ok and error, which !r.ok catches before any other field is read.
    const r = /** @type {import('./digitrain.mjs').TrainingStart} */ (set.ok ? session.startTraining(options) : set);
    if (!r.ok) {
      giveBack();
      throw new Error(explained(r.error));
    }
    run = { batchSize: r.batchSize, epochs: r.epochs, stepsPerEpoch: r.stepsPerEpoch, trainMs: 0, samples: 0,
      startedAt: performance.now(), stopRequested: false, finishing: false, stashed, previousOrigin };
    post(FromWorker.trainStart, { id, ...r });
    stepsPerSlice = 1; // a new model may be far slower than the last one
    setState('running');
    startLoop();
  },
  [ToWorker.pause]() {
    if (state === 'running' && !run?.finishing) setState('paused');
  },
  [ToWorker.resume]() {
    if (state !== 'paused') return;
    setState('running');
    startLoop();
  },
  async [ToWorker.step]() {
    if (state !== 'paused' || !run || run.finishing) return;
    const { result } = runSlice(1);
    if (!result.running) await finish(result.error ? 'diverged' : 'done', result);
  },
  async [ToWorker.stop]() {
    if (!run || run.finishing) return;
    run.stopRequested = true;
    session.stopTraining();
    if (state === 'paused') await finish('stopped');
    // A running loop sees running=false after its slice and finishes.
  },
  [ToWorker.setLearningRate]({ value }) {
    checked(session.setLearningRate(value));
  },
  [ToWorker.ping]({ id }) {
    post(FromWorker.pong, { id });
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
  async [ToWorker.evaluate]({ id }) {
    const r = await evaluateTest('model');
    if (!r) throw new Error('no model or no test data yet');
    post(FromWorker.evaluation, { id, loss: r.loss, accuracy: r.accuracy });
  },
  [ToWorker.readIdx]({ id, images, labels, imagesName, labelsName }) {
    const r = checked(dt.readIdxPair(images, labels, imagesName, labelsName));
    post(FromWorker.idx, { id, count: r.count, rows: r.rows, cols: r.cols, pixels: r.pixels, labels: r.labels }, [r.pixels.buffer, r.labels.buffer]);
  },
  // Conversion only: the core checks a description as it would build it, and builds nothing.
  [ToWorker.planModel]({ id, description }) {
    const r = checked(dt.planModel(description));
    post(FromWorker.modelPlan, { id, name: r.name, layers: r.layers, paramCount: r.paramCount, error: r.error, errorLayer: r.errorLayer });
  },
  [ToWorker.weights]({ id, index }) {
    const info = session.paramInfo()[index];
    const view = session.weights(index);
    if (!info || !view) throw new Error(`no parameter ${index}`);
    const values = view.slice(); // copy out of the heap before anything else runs
    post(FromWorker.weights, { id, index, name: info.name, shape: info.shape, values }, [values.buffer]);
  },
};

function handle(data) {
  const handler = handlers[data?.type];
  if (!handler) return fail(data?.type, `unknown message type '${data?.type}'`, { id: data?.id });
  // Handlers may be async (data, the confusion matrix): their failures are caught too.
  Promise.resolve().then(() => handler(data)).catch((e) => {
    if (isTrap(e)) return fatal(e);
    fail(data.type, explained(e?.message ?? String(e)), { id: data.id });
  });
}

const presets = dt.presetNames();
const presetDescriptions = Object.fromEntries(presets.map((name) => [name, dt.presetText(name).text]));
post(FromWorker.ready, { presets, presetDescriptions });
self.onmessage = ({ data }) => handle(data);
for (const data of early.splice(0)) handle(data);
