// One MNIST download per page, whatever the number of widgets: every widget asking for the
// same data URL shares the fetch (and its progress), then gets its own copy of the
// compressed bytes to hand to its worker, which gunzips them off the page's thread.
import { fetchMnist, forgetCachedFile } from './data.js';

const downloads = new Map(); // absolute data URL -> {promise, listeners, last}

// Resolves to fetchMnist's result for `dataUrl`; onProgress gets {loaded, total, file}
// (the latest one at once if the download is already under way). A failed download is
// forgotten, so the next call (a Retry) starts a new one.
/**
 * @param {string | URL} dataUrl
 * @param {(progress: import('./data.js').MnistProgress) => void} [onProgress]
 */
export function shareMnist(dataUrl, onProgress = () => {}) {
  const key = new URL(dataUrl, document.baseURI).href;
  let entry = downloads.get(key);
  if (!entry) {
    entry = { listeners: new Set(), last: null };
    entry.promise = fetchMnist({
      baseUrl: key,
      onProgress: (p) => {
        entry.last = p;
        for (const listener of entry.listeners) listener(p);
      },
    });
    entry.promise.catch(() => downloads.delete(key));
    downloads.set(key, entry);
  }
  entry.listeners.add(onProgress);
  if (entry.last) onProgress(entry.last);
  return entry.promise.finally(() => entry.listeners.delete(onProgress));
}

// Copies of the compressed bytes, one per worker (each transfers its copy away).
export function copyForWorker(files) {
  const copy = {};
  const transfer = [];
  for (const [key, source] of Object.entries(files)) {
    const compressed = source.compressed.slice();
    copy[key] = { ...source, compressed };
    transfer.push(compressed.buffer);
  }
  return { files: copy, transfer };
}

// After a worker found a file corrupt: drop it from the cache and from this page's shared
// download, so the next attempt fetches it again.
export async function forgetMnistFile(dataUrl, fileUrl) {
  downloads.delete(new URL(dataUrl, document.baseURI).href);
  await forgetCachedFile(fileUrl);
}
