// The page's side of the worker: requests that expect one reply become promises;
// everything else (progress, state changes) goes to listeners by message type.
import { FromWorker } from './protocol.js';

export class WorkerClient {
  #worker;
  #listeners = new Map();
  #pending = new Map(); // reply type -> [{resolve, reject, id}]
  #nextId = 1;

  constructor(url) {
    const { worker, blobUrl } = startWorker(url);
    this.#worker = worker;
    this.ready = new Promise((resolve, reject) => {
      this.#worker.addEventListener('error', (e) => reject(new Error(`the training worker failed to start: ${e.message ?? 'unknown error'}` +
        (blobUrl ? ` (a page on another origin than Digitrain needs CORS on Digitrain's server, and a Content-Security-Policy allowing ${new URL(url).origin} in script-src, worker-src (with blob:) and connect-src)` : ''))), { once: true });
      this.on(FromWorker.ready, resolve);
    });
    if (blobUrl) this.ready.finally(() => URL.revokeObjectURL(blobUrl)).catch(() => {});
    // A worker that fails later answers nothing more: every waiting request learns why.
    const failAll = (e) => this.#rejectAll(new Error(`the training worker failed: ${e.message ?? 'a message could not be read'}`));
    this.#worker.addEventListener('error', failAll);
    this.#worker.addEventListener('messageerror', failAll);
    this.#worker.onmessage = ({ data }) => this.#dispatch(data);
  }

  terminate() {
    this.#worker.terminate();
    this.#rejectAll(new Error('the widget was removed from the page'));
  }

  on(type, listener) {
    if (!this.#listeners.has(type)) this.#listeners.set(type, new Set());
    this.#listeners.get(type).add(listener);
    return () => this.#listeners.get(type).delete(listener);
  }

  send(type, fields = {}, transfer = []) {
    this.#worker.postMessage({ type, ...fields }, transfer);
  }

  // Sends and waits for `replyType` (matched by id when the reply carries one), or an
  // error about this request.
  request(type, replyType, fields = {}, transfer = []) {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const queue = this.#pending.get(replyType) ?? [];
      const entry = { resolve, reject, id, about: type };
      queue.push(entry);
      this.#pending.set(replyType, queue);
      try {
        this.send(type, { id, ...fields }, transfer);
      } catch (e) {
        queue.splice(queue.indexOf(entry), 1); // or a later reply would resolve this dead entry
        reject(e);
      }
    });
  }

  #rejectAll(error) {
    for (const queue of this.#pending.values()) for (const entry of queue.splice(0)) entry.reject(error);
  }

  #dispatch(message) {
    if (message.type === FromWorker.error) {
      for (const queue of this.#pending.values()) {
        const index = queue.findIndex((p) => p.about === message.about);
        if (index >= 0) {
          const { file, url, corrupt } = message;
          queue.splice(index, 1)[0].reject(Object.assign(new Error(message.message), { file, url, corrupt }));
          return;
        }
      }
    }
    const queue = this.#pending.get(message.type);
    if (queue?.length) {
      const index = message.id != null ? queue.findIndex((p) => p.id === message.id) : 0;
      if (index >= 0) queue.splice(index, 1)[0].resolve(message);
    }
    for (const listener of this.#listeners.get(message.type) ?? []) listener(message);
  }
}

// A worker cannot be started from another origin's URL; a widget served from elsewhere
// starts it from a blob: URL that imports the real one (module imports may cross origins
// with CORS). The host page's CSP then needs worker-src blob: plus Digitrain's origin (a
// module worker's imports are fetched as worker scripts).
function startWorker(url) {
  const href = new URL(url, location.href).href;
  if (new URL(href).origin === location.origin) return { worker: new Worker(href, { type: 'module' }) };
  const blobUrl = URL.createObjectURL(new Blob([`import ${JSON.stringify(href)};`], { type: 'text/javascript' }));
  try {
    return { worker: new Worker(blobUrl, { type: 'module' }), blobUrl };
  } catch (e) {
    URL.revokeObjectURL(blobUrl);
    throw new Error(`the training worker could not start from a blob: URL (${e.message}); the page's Content-Security-Policy must allow worker-src blob: ${new URL(href).origin}`);
  }
}
