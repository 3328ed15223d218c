// Digitrain's WASM figures through the product module (build/wasm/digitrain.{mjs,wasm}) and
// its Embind Session, driven as the page's worker drives it: many steps per trainSteps call.
// The same code runs in Node (run-node.mjs) and in Chromium (../chromium/page.mjs).
// Figures match the native bench (bench/native/model_bench.cpp) field for field.

const TRAIN_IMAGES = 55000;
const VALIDATION_IMAGES = 5000;
const IMAGE_BYTES = 784;
const IDX_IMAGES_HEADER = 16;
const IDX_LABELS_HEADER = 8;

const checked = (result) => {
  if (result.ok === false) throw new Error(result.error);
  return result;
};

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// The preset with the peers' data handling, as bench/native/bench_spec.h does it: /255
// pixels, one epoch, the last 5,000 of the 60,000 training images validate.
export function benchDescription(dt, preset) {
  const description = JSON.parse(checked(dt.presetText(preset)).text);
  description.fit.pixel_scale = 255;
  description.fit.epochs = 1;
  description.fit.validation = { mode: 'split', fraction: VALIDATION_IMAGES / (TRAIN_IMAGES + VALIDATION_IMAGES) };
  return description;
}

// One epoch (validation included, as Keras times it), 1-image predict latency, and
// predicting the 10,000 test images in calls of 1,000.
//   createModule: () => Promise<module>; a fresh module per preset, so its heap peak is this
//     preset's alone. mnist: the four raw IDX files as Uint8Arrays.
export async function benchPreset(createModule, mnist, preset,
  { limit = 0, stepsPerCall = 1000, predictCalls = 1000, seed = 1, repeats = 1 } = {}) {
  const dt = await createModule();
  const session = new dt.Session();
  let peakHeapBytes = 0;
  const sampleHeap = () => { peakHeapBytes = Math.max(peakHeapBytes, dt.HEAPU8.buffer.byteLength); };
  try {
    checked(session.loadData(mnist.trainImages, mnist.trainLabels, mnist.testImages, mnist.testLabels));
    // `repeats` epochs, each from a fresh model; the median one is reported. Predict is
    // timed on the last one's model.
    const epochs = [];
    let model;
    let started;
    for (let r = 0; r < repeats; r++) {
      model = checked(session.createModel(benchDescription(dt, preset), seed));
      started = checked(session.startTraining({ epochs: 1, seed, limit }));
      if (started.validationCount !== VALIDATION_IMAGES) {
        throw new Error(`${preset}: validates on ${started.validationCount} images, expected ${VALIDATION_IMAGES}`);
      }
      sampleHeap();
      epochs.push(trainEpoch(session, started.stepsPerEpoch, stepsPerCall, sampleHeap));
    }
    const epoch = [...epochs].sort((a, b) => a.epoch_s - b.epoch_s)[epochs.length >> 1];
    const predict = predictFigures(session, mnist, predictCalls);
    sampleHeap();
    return { preset, params: model.paramCount, batch_size: started.batchSize, train_samples: started.trainCount,
      val_samples: started.validationCount, steps: started.stepsPerEpoch, steps_per_call: stepsPerCall, ...epoch,
      samples_per_s: started.trainCount / epoch.epoch_s,
      epoch_runs_samples_per_s: epochs.map((e) => Math.round(started.trainCount / e.epoch_s)),
      train_only_samples_per_s: started.trainCount / epoch.train_only_s, ...predict, peak_heap_bytes: peakHeapBytes };
  } finally {
    session.delete();
  }
}

function trainEpoch(session, steps, stepsPerCall, sampleHeap) {
  // All steps but the last in calls of stepsPerCall; then the last step alone, whose call
  // also runs the validation pass: its time minus one average step is the validation time.
  const start = performance.now();
  for (let done = 0; done < steps - 1;) {
    const n = Math.min(stepsPerCall, steps - 1 - done);
    const r = checked(session.trainSteps(n));
    if (r.error) throw new Error(r.error);
    done += n;
    sampleHeap();
  }
  const beforeLast = performance.now();
  const last = checked(session.trainSteps(1));
  const end = performance.now();
  if (last.error) throw new Error(last.error);
  if (last.running || last.epochs.length !== 1) throw new Error(`the epoch did not end after ${steps} steps`);
  const epochS = (end - start) / 1000;
  const stepS = steps > 1 ? (beforeLast - start) / 1000 / (steps - 1) : 0;
  const valS = Math.max(0, (end - beforeLast) / 1000 - stepS);
  const trainS = epochS - valS;
  const epoch = last.epochs[0];
  return { epoch_s: epochS, train_only_s: trainS, val_s: valS, loss: epoch.loss, accuracy: epoch.accuracy,
    val_accuracy: epoch.val_accuracy };
}

function predictFigures(session, mnist, predictCalls) {
  const image = mnist.testImages.subarray(IDX_IMAGES_HEADER, IDX_IMAGES_HEADER + IMAGE_BYTES);
  for (let i = 0; i < 100; i++) session.predict(image, 1); // warm-up
  // One timed loop, divided: without cross-origin isolation page timers tick in 0.1 ms.
  const start = performance.now();
  for (let i = 0; i < predictCalls; i++) session.predict(image, 1);
  const oneMs = (performance.now() - start) / predictCalls;

  // As the peers do it: calls of 1,000 images, one warm-up call, the median of 3 passes.
  const batch = 1000;
  const labels = mnist.testLabels.subarray(IDX_LABELS_HEADER);
  const chunks = [];
  for (let first = 0; first + batch <= labels.length; first += batch) {
    const offset = IDX_IMAGES_HEADER + first * IMAGE_BYTES;
    chunks.push(mnist.testImages.subarray(offset, offset + batch * IMAGE_BYTES));
  }
  session.predict(chunks[0], batch);
  const passes = [];
  let correct = 0;
  for (let pass = 0; pass < 3; pass++) {
    correct = 0;
    const t = performance.now();
    chunks.forEach((chunk, c) => {
      const probs = session.predict(chunk, batch);
      for (let i = 0; i < batch; i++) {
        let best = 0;
        for (let k = 1; k < 10; k++) if (probs[i * 10 + k] > probs[i * 10 + best]) best = k;
        if (best === labels[c * batch + i]) correct++;
      }
    });
    passes.push((performance.now() - t) / 1000);
  }
  const images = chunks.length * batch;
  return { predict_one_ms: oneMs, predict_calls: predictCalls, batch_pass_s: passes,
    batch_predict_imgs_per_s: images / median(passes), test_accuracy: correct / images };
}
