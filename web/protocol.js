// Every message between the page and the training worker: {type, ...}. The worker owns
// the WASM module and the model; the page owns the DOM. Every request carries an `id`, and
// the reply to it (or the error about it) carries the same `id` back.

// Page -> worker
export const ToWorker = Object.freeze({
  loadData: 'load-data',           // {files: {trainImages, ...: {file, url, compressed: Uint8Array (transferred), encoded}}}: fetchMnist's files
  createModel: 'create-model',     // {description: the parsed JSON object, seed}
  loadModel: 'load-model',         // {text: a model file, or a TF.js model.json with files: {name: Uint8Array}}
  saveModel: 'save-model',         // {}
  saveModelTfjs: 'save-model-tfjs', // {}
  train: 'train',                  // {description?, seed, options: {epochs, batchSize, learningRate, seed, optimizer?, limit?}, keep?, previousOrigin?, extra?: {pixels, labels}}: builds the run's model from description (keep: the model before is put aside and given back if the run diverges and does worse; no description: the current model trains on) and starts, with `extra` (My digits) mixed into the training images; replies train-start
  pause: 'pause',                  // {}
  resume: 'resume',                // {}
  step: 'step',                    // {}: one batch while paused
  stop: 'stop',                    // {}
  setLearningRate: 'set-learning-rate', // {value}
  predictInk: 'predict-ink',       // {id, ink: Float32Array, width, height}: a drawing
  predictImages: 'predict-images', // {id, pixels: Uint8Array, count}: MNIST-layout images
  testImages: 'test-images',       // {id, start, count} or {id, indices}
  layerOutputs: 'layer-outputs',   // {id, pixels: Uint8Array(784)}: every layer's output for one image
  confusion: 'confusion',          // {id}: the model's prediction for every test image
  evaluate: 'evaluate',            // {}: the test set, in chunks (evaluating progress); replies evaluation
  ping: 'ping',                    // {}: replies pong (the page's check that the worker still runs)
  weights: 'weights',              // {id, index}: one parameter's values
  planModel: 'plan-model',         // {id, description}: the description checked layer by layer by the core, nothing built; replies model-plan
  readIdx: 'read-idx',             // {id, images: Uint8Array, labels: Uint8Array, imagesName, labelsName}: an IDX pair checked by the core's reader; replies idx
});

// Worker -> page
export const FromWorker = Object.freeze({
  ready: 'ready',                  // {presets: [names], presetDescriptions: {name: JSON text}}
  dataLoaded: 'data-loaded',       // {trainCount, testCount}
  model: 'model',                  // {info: {summary, paramCount, layers, inputShape, fit, optimizer, loss, name}, origin}
  savedModel: 'saved-model',       // {text}
  savedModelTfjs: 'saved-model-tfjs', // {modelJson, weightsPath, weights: Uint8Array}
  trainStart: 'train-start',       // {stepsPerEpoch, epochs, batchSize, trainCount, validationCount, validation}
  progress: 'progress',            // {epoch, epochs, step, stepsPerEpoch, totalSteps, loss, accuracy, batch: {loss, accuracy}, samplesPerSecond, etaSeconds, epochsEnded: [...], heapBytes, learningRate}
  trainState: 'train-state',       // {state: 'running' | 'paused' | 'idle'}
  trainEnd: 'train-end',           // {reason: 'done' | 'stopped' | 'diverged', error?, test?: {loss, accuracy} of the model kept, seconds, kept: 'run' | 'best' | 'previous', restoredStep?, bestTest?, previousTest?}
  evaluating: 'evaluating',        // {which: 'run' | 'previous' | 'model', done, total}: test-set evaluation progress
  prediction: 'prediction',        // {id, input: Uint8Array(784), probs: Float32Array(10)}
  predictions: 'predictions',      // {id, probs: Float32Array(count*10)}
  testImages: 'test-images',       // {id, images: Uint8Array(count*784), labels: Int32Array}
  evaluation: 'evaluation',        // {loss, accuracy}
  weights: 'weights',              // {id, index, name, shape, values: Float32Array}
  layerOutputs: 'layer-outputs',   // {id, layers: [{name, className, shape, values: Float32Array}]}
  confusion: 'confusion',          // {id, labels: Int32Array, predicted: Int32Array}
  error: 'error',                  // {id?, about: the request type, message, file?, url?, corrupt?: a data file that did not gunzip}
  pong: 'pong',                    // {id}
  modelPlan: 'model-plan',         // {id, name, layers: [{name, className, outputShape, params}] (those that fit), paramCount, error?, errorLayer? (-1: the whole description)}
  idx: 'idx',                      // {id, count, rows, cols, pixels: Uint8Array, labels: Uint8Array}
  fatal: 'fatal',                  // {message}: the module trapped; the worker has closed itself
});
