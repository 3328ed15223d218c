// Types of build/wasm/digitrain.mjs, the Emscripten module bindings.cpp becomes (Embind,
// docs/wasm-api.md), for the type check of web/worker.js (npm run typecheck). The module
// exists only after the WASM build, and scripts/build-web.sh copies it next to the worker;
// jsconfig.worker.json's rootDirs puts this folder beside web/ so that
// `import createDigitrain from './digitrain.mjs'` finds these types. Keep in step with
// bindings.cpp and docs/wasm-api.md. (Not part of the npm package's types/.)

/** Every call that can fail answers `{ok: false, error}`; the other fields come with ok. */
export interface Outcome {
  ok: boolean;
  error?: string;
}

export interface ModelInfo extends Outcome {
  name: string;
  summary: string;
  paramCount: number;
  layers: { name: string; className: string; outputShape: number[]; params: number }[];
  inputShape: number[];
  fit: Record<string, unknown>;
  optimizer: unknown;
  loss: string;
}

export interface EpochLogs {
  epoch: number;
  loss: number;
  accuracy: number;
  val_loss?: number;
  val_accuracy?: number;
}

export interface TrainingStart extends Outcome {
  stepsPerEpoch: number;
  epochs: number;
  batchSize: number;
  trainCount: number;
  validationCount: number;
  validation: string;
  extraCopies: number;
}

export interface TrainSteps extends Outcome {
  running: boolean;
  epoch: number;
  step: number;
  stepsPerEpoch: number;
  totalSteps: number;
  batchesRun: number;
  learningRate: number;
  /** Epochs that ended during these steps. */
  epochs: EpochLogs[];
  loss?: number;
  accuracy?: number;
  batch?: { loss: number; accuracy: number };
  /** With `error` after a diverged run: the step whose weights were restored. */
  restoredStep?: number;
}

export interface Evaluation extends Outcome {
  loss: number;
  accuracy: number;
}

export interface LayerOutput {
  name: string;
  className: string;
  shape: number[];
  values: Float32Array;
}

export interface Session {
  loadData(trainImages: Uint8Array, trainLabels: Uint8Array, testImages: Uint8Array, testLabels: Uint8Array):
    Outcome & { trainCount: number; testCount: number };
  createModel(description: unknown, seed: number): ModelInfo;
  loadModel(file: unknown): ModelInfo;
  saveModel(): Outcome & { file: unknown };
  setExtraImages(pixels: Uint8Array, labels: Uint8Array): Outcome;
  startTraining(options: Record<string, unknown>): TrainingStart;
  trainSteps(steps: number): TrainSteps;
  setLearningRate(learningRate: number): Outcome & { learningRate: number };
  stopTraining(): Outcome;
  evaluateTest(): Evaluation;
  evaluateTestRange(start: number, count: number): Evaluation & { count: number };
  stashModel(): Outcome & { stashed: boolean };
  swapStash(): ModelInfo;
  dropStash(): Outcome;
  predict(pixels: Uint8Array, count: number): Float32Array;
  layerOutputs(pixels: Uint8Array): LayerOutput[];
  predictTestLabels(start: number, count: number): Int32Array;
  testImage(index: number): Uint8Array;
  testLabel(index: number): number;
  /** A view into the heap: invalid once the heap grows. */
  weights(paramIndex: number): Float32Array;
  paramInfo(): { name: string; shape: number[]; size: number }[];
  delete(): void;
}

export interface DigitrainModule {
  Session: { new (): Session };
  HEAPU8?: Uint8Array;
  presetNames(): string[];
  /** The kernel pool's thread count (1-4; the default build stays at 1); returns the count in effect. */
  setThreads(n: number): number;
  threadStats(): { threads: number; sharedJobs: number };
  presetText(name: string): Outcome & { text: string };
  preprocessDigit(ink: Float32Array, width: number, height: number): Uint8Array;
  readIdxPair(images: Uint8Array, labels: Uint8Array, imagesName: string, labelsName: string):
    Outcome & { count: number; rows: number; cols: number; pixels: Uint8Array; labels: Uint8Array };
  /** A description checked layer by layer, nothing built: what fits, and the first problem with its layer's index. */
  planModel(description: unknown): Outcome & {
    name: string; paramCount: number; error?: string; errorLayer?: number;
    layers: { name: string; className: string; outputShape: number[]; params: number }[];
  };
}

/** The only Module options the factory reads (-sINCOMING_MODULE_JS_API). */
export interface DigitrainOptions {
  locateFile?: (name: string, prefix: string) => string;
  wasmBinary?: ArrayBuffer | Uint8Array;
}

export default function createDigitrain(options?: DigitrainOptions): Promise<DigitrainModule>;
