// The last trained model of a widget, kept in IndexedDB so a reload finds it again. One
// entry per key (the demo page's trainer, or an embedded widget's id).
import { keyValueStore } from './idb-store.js';

const DB = 'digitrain';
const STORE = 'models';

const transaction = keyValueStore(DB, STORE);

// {text, savedAt, label, accuracy?} or undefined. `accuracy` (on the test set) lets a
// later run replace the entry only with a better model (trainer-element.js).
export const loadLastModel = (key) => transaction('readonly', (store) => store.get(key));
export const saveLastModel = (key, text, label, accuracy) =>
  transaction('readwrite', (store) => store.put({ text, label, accuracy, savedAt: new Date().toISOString() }, key));
