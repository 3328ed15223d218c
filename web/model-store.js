// The last trained model of a widget, kept in IndexedDB so a reload finds it again. One
// entry per key (the demo page's trainer, or an embedded widget's id).
const DB = 'digitrain';
const STORE = 'models';

function open() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function transaction(mode, action) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = action(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

// {text, savedAt, label, accuracy?} or undefined. `accuracy` (on the test set) lets a
// later run replace the entry only with a better model (trainer-element.js).
export const loadLastModel = (key) => transaction('readonly', (store) => store.get(key));
export const saveLastModel = (key, text, label, accuracy) =>
  transaction('readwrite', (store) => store.put({ text, label, accuracy, savedAt: new Date().toISOString() }, key));
