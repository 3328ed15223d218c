// Types for Digitrain's widgets, for pages and tutorials written in TypeScript or checked with
// JSDoc. The elements are defined by importing the package (or dist/digitrain.js):
//   import 'digitrain';                       // or <script type="module" src=".../digitrain.js">
//   const trainer = document.querySelector('digit-trainer')!;
//   trainer.addEventListener('epochend', (e) => console.log(e.detail.accuracy));
// custom-elements.json lists the same API for editors and documentation tools;
// tests/package/manifest.test.mjs keeps both in step with web/.

/** A preset's name: the four Keras MNIST tutorials, TensorFlow's Fashion-MNIST one, and any newer ones. */
export type PresetName = 'mlp-300-100' | 'mlp-128-128' | 'mlp-256' | 'cnn-16-8' | 'fashion-mlp-128' | (string & {});

/** A panel of <digit-trainer>, in the order given to `panels`. */
export type PanelName = 'controls' | 'summary' | 'charts' | 'drawing' | 'network' | 'my-digits' | 'predictions' | 'heatmap' | 'weights' | 'confusion' | (string & {});

export interface TrainerSettings {
  /** The dataset trained on: 'mnist' (default) or 'fashion-mnist'. */
  dataset?: 'mnist' | 'fashion-mnist' | (string & {});
  preset: PresetName;
  optimizer: 'adam' | 'sgd' | 'rmsprop' | 'adagrad';
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  /** A model description made in the model editor (compact JSON), or the `model` attribute as used; null for the preset's. */
  model?: string | null;
}

export interface EvaluationFigures { loss: number; accuracy: number; }

export interface ReadyDetail { trainCount: number; testCount: number; }
export interface ModelChangeDetail { name: string; origin: string; paramCount: number; }
export interface EpochEndDetail {
  epoch: number; loss: number; accuracy: number;
  val_loss?: number; val_accuracy?: number;
}
export interface TrainEndDetail {
  /** done: every epoch ran; stopped: stop() or the Stop button; diverged: the loss exploded or the run stuck at chance. */
  reason: 'done' | 'stopped' | 'diverged' | (string & {});
  /** Test-set figures of the model in use after the run (for `diverged`, the model kept). */
  test?: EvaluationFigures;
  seconds?: number;
  error?: string;
}
export interface PredictionDetail {
  /** The class with the highest probability (0-9). */
  digit: number;
  probabilities: number[] | Float32Array;
  /** The 28x28 image the model saw, MNIST layout. */
  input: Uint8Array;
  source: 'drawing' | 'api' | (string & {});
}
export interface ErrorDetail { message: string; about?: string; }

/** My digits: the learner's own labelled 28x28 images. */
export interface MyDigitsSet { count: number; pixels: Uint8Array; labels: Uint8Array; }
export interface MyDigitsChangeDetail { count: number; reason: 'load' | 'add' | 'remove' | 'import' | (string & {}); }
/** A standard IDX pair: the terminal trainer reads it with --extra-data. */
export interface MyDigitsIdx { images: Uint8Array; labels: Uint8Array; imagesName: string; labelsName: string; }
export interface MyDigitsTest {
  count: number; correct: number; accuracy: number | null;
  wrong: { index: number; label: number; predicted: number; confidence: number }[];
}
export interface FineTuneFigures {
  myDigits: { count: number; correct: number; accuracy: number | null };
  test?: EvaluationFigures;
}
export interface FineTuneDetail { before: FineTuneFigures; after: FineTuneFigures; }

/** What predict() takes: a picture of a digit (any size, dark on light or light on dark) or 784 MNIST-layout pixels. */
export type DigitImage = ImageData | HTMLCanvasElement | OffscreenCanvas | HTMLImageElement | ArrayLike<number>;

// The widget's 'error' is a CustomEvent with a message, not the DOM's ErrorEvent.
export interface DigitTrainerEventMap extends Omit<HTMLElementEventMap, 'error'> {
  ready: CustomEvent<ReadyDetail>;
  modelchange: CustomEvent<ModelChangeDetail>;
  epochend: CustomEvent<EpochEndDetail>;
  trainend: CustomEvent<TrainEndDetail>;
  prediction: CustomEvent<PredictionDetail>;
  settingschange: CustomEvent<TrainerSettings>;
  mydigitschange: CustomEvent<MyDigitsChangeDetail>;
  finetuneend: CustomEvent<FineTuneDetail>;
  error: CustomEvent<ErrorDetail>;
}

/** <digit-trainer>: trains a Keras-style model on MNIST in a Web Worker, with the panels asked for. */
export declare class DigitTrainer extends HTMLElement {
  static readonly observedAttributes: readonly string[];
  /** The current training set-up (a copy). */
  readonly settings: TrainerSettings;
  /** 'idle' | 'training' | 'paused' | ... */
  readonly state: string;
  /** Resolves once the worker runs and MNIST is loaded. */
  readonly ready: Promise<unknown>;
  /** Trains a fresh model with the current settings; resolves with the trainend detail. */
  train(): Promise<TrainEndDetail>;
  stop(): void;
  pause(): void;
  resume(): void;
  predict(image: DigitImage): Promise<PredictionDetail>;
  /** The current model as a Digitrain model file (JSON text). */
  saveModel(): Promise<unknown>;
  /** Loads a model file's text, or a TF.js model.json with its weight files. */
  loadModel(text: string, files?: Iterable<File> | File[]): Promise<unknown>;
  updateSettings(partial: Partial<TrainerSettings>): void;
  /** My digits (copies). */
  readonly myDigits: MyDigitsSet;
  /** Adds 784 MNIST-layout pixels with their label 0-9; resolves to the new count. */
  addMyDigit(pixels: ArrayLike<number>, label: number): Promise<number>;
  removeMyDigit(index: number): Promise<number>;
  exportMyDigits(): Promise<MyDigitsIdx>;
  /** Replaces My digits with an IDX pair's; a bad pair rejects and leaves the set unchanged. */
  importMyDigits(images: Uint8Array, labels: Uint8Array, names?: { imagesName?: string; labelsName?: string }): Promise<number>;
  testMyDigits(): Promise<MyDigitsTest>;
  /** A short run with My digits mixed into the training images: before/after figures. */
  fineTune(options?: { epochs?: number }): Promise<FineTuneDetail & { end: TrainEndDetail }>;
  addEventListener<K extends keyof DigitTrainerEventMap>(type: K, listener: (this: DigitTrainer, ev: DigitTrainerEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof DigitTrainerEventMap>(type: K, listener: (this: DigitTrainer, ev: DigitTrainerEventMap[K]) => unknown, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;
}

export interface DigitPredictorEventMap extends Omit<HTMLElementEventMap, 'error'> {
  prediction: CustomEvent<PredictionDetail>;
  error: CustomEvent<ErrorDetail>;
}

/** <digit-predictor>: a drawing pad that uses a trainer's model (for="id") or a saved model file (model="url"). */
export declare class DigitPredictor extends HTMLElement {
  static readonly observedAttributes: readonly string[];
  addEventListener<K extends keyof DigitPredictorEventMap>(type: K, listener: (this: DigitPredictor, ev: DigitPredictorEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
}

/** <digit-pad>: the drawing surface the other two use. */
export declare class DigitPad extends HTMLElement {
  static readonly observedAttributes: readonly string[];
  readonly empty: boolean;
  clear(): void;
}

declare global {
  interface HTMLElementTagNameMap {
    'digit-trainer': DigitTrainer;
    'digit-predictor': DigitPredictor;
    'digit-pad': DigitPad;
  }
}
