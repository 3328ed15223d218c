// My digits: the learner's own labelled 28x28 images (drawings as the model saw them, test
// images added with their true label, an imported IDX pair), kept in this browser's
// IndexedDB so a reload finds them again. One set per widget and dataset. Every change
// is saved, then announced with a `change` event {count, reason}.
import { keyValueStore } from './idb-store.js';
import { idxImages, idxLabels } from './idx-files.js';

const DB = 'digitrain-my-digits'; // its own database: the models' one keeps its version
const STORE = 'sets';
const PIXELS = 784;
// A few dozen is the idea; thousands still fit a fine-tuning run and IndexedDB easily.
export const MAX_MY_DIGITS = 10_000;

const transaction = keyValueStore(DB, STORE);

export class MyDigits extends EventTarget {
  #key;
  #pixels = new Uint8Array(0);
  #labels = new Uint8Array(0);
  #saving = Promise.resolve();
  saveError = null; // why the last save failed (a private window may refuse IndexedDB)

  constructor(key) {
    super();
    this.#key = key;
  }

  get count() { return this.#labels.length; }
  image(i) { return this.#pixels.subarray(i * PIXELS, (i + 1) * PIXELS); }
  label(i) { return this.#labels[i]; }
  // Copies: {pixels: Uint8Array(count*784), labels: Uint8Array(count)}.
  snapshot() { return { pixels: this.#pixels.slice(), labels: this.#labels.slice() }; }

  // The stored set, if any; resolves to whether there was one.
  async load() {
    let stored;
    try {
      stored = await transaction('readonly', (store) => store.get(this.#key));
    } catch (e) {
      this.saveError = e?.message ?? String(e);
      return false;
    }
    if (!stored?.labels || stored.pixels.length !== stored.labels.length * PIXELS) return false;
    this.#pixels = new Uint8Array(stored.pixels);
    this.#labels = new Uint8Array(stored.labels);
    this.#announce('load');
    return true;
  }

  async add(pixels, label) {
    if (pixels?.length !== PIXELS) throw new Error(`a digit has ${PIXELS} pixels (28×28), got ${pixels?.length}`);
    if (!(Number.isInteger(label) && label >= 0 && label <= 9)) throw new Error(`a label is a whole number from 0 to 9, got ${label}`);
    if (this.count >= MAX_MY_DIGITS) throw new Error(`My digits holds at most ${MAX_MY_DIGITS.toLocaleString('en')} images`);
    const next = new Uint8Array(this.#pixels.length + PIXELS);
    next.set(this.#pixels);
    next.set(pixels, this.#pixels.length);
    const labels = new Uint8Array(this.count + 1);
    labels.set(this.#labels);
    labels[this.count] = label;
    this.#pixels = next;
    this.#labels = labels;
    return this.#changed('add');
  }

  async remove(index) {
    if (!(index >= 0 && index < this.count)) return this.count;
    const without = (array, size) => {
      const out = new Uint8Array(array.length - size);
      out.set(array.subarray(0, index * size));
      out.set(array.subarray((index + 1) * size), index * size);
      return out;
    };
    this.#pixels = without(this.#pixels, PIXELS);
    this.#labels = without(this.#labels, 1);
    return this.#changed('remove');
  }

  // The whole set at once (an import): already checked by the core's IDX reader.
  async replace(pixels, labels) {
    if (labels.length > MAX_MY_DIGITS) throw new Error(`${labels.length.toLocaleString('en')} images: My digits holds at most ${MAX_MY_DIGITS.toLocaleString('en')}`);
    if (pixels.length !== labels.length * PIXELS) throw new Error(`${labels.length} labels for ${pixels.length / PIXELS} images`);
    this.#pixels = pixels.slice();
    this.#labels = labels.slice();
    return this.#changed('import');
  }

  // The set as an IDX pair: {images, labels} file bytes.
  toIdx() {
    return { images: idxImages(this.#pixels, this.count), labels: idxLabels(this.#labels) };
  }

  async #changed(reason) {
    const pixels = this.#pixels;
    const labels = this.#labels;
    // Saves run one after another, so the last change is the one stored.
    this.#saving = this.#saving.then(() => transaction('readwrite', (store) => store.put({ pixels, labels, savedAt: new Date().toISOString() }, this.#key)))
      .then(() => { this.saveError = null; }, (e) => { this.saveError = e?.message ?? String(e); });
    await this.#saving;
    this.#announce(reason);
    return this.count;
  }

  #announce(reason) {
    this.dispatchEvent(new CustomEvent('change', { detail: { count: this.count, reason } }));
  }
}
