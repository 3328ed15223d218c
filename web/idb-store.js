// One IndexedDB object store of key → value, opened per transaction and closed after it,
// so no connection stays open (and blocks a version change) between saves.
// `transaction(mode, action)` runs action(store) and resolves with its request's result.
/**
 * @param {string} database
 * @param {string} storeName
 * @returns {(mode: IDBTransactionMode, action: (store: IDBObjectStore) => IDBRequest) => Promise<any>}
 */
export function keyValueStore(database, storeName) {
  /** @returns {Promise<IDBDatabase>} */
  const open = () => new Promise((resolve, reject) => {
    const request = indexedDB.open(database, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(storeName);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  return async (mode, action) => {
    const db = await open();
    try {
      return await new Promise((resolve, reject) => {
        const tx = db.transaction(storeName, mode);
        const request = action(tx.objectStore(storeName));
        tx.oncomplete = () => resolve(request.result);
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error);
      });
    } finally {
      db.close();
    }
  };
}
