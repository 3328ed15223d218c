// The page's side of the worker: requests become promises, settled by the reply or the
// error that carries their id; everything else (progress, state changes) goes to listeners
// by message type. A worker that crashes (its module trapped, or it stopped answering) is
// ended, every waiting request learns why, and onCrash tells the owner, which may start a
// fresh one.
import { ToWorker, FromWorker } from './protocol.js';

// While something is expected of the worker (a request, a run), it must say something at
// least this often; when it has said nothing for that long it is pinged, and silent through
// a second period it is taken for dead. Every slice of work it does is ~50 ms, but one call
// can be long: building a model of a few hundred million weights takes seconds (a 717 MB
// one took 7.6 s), so the periods are generous.
const LIVENESS_MS = 10_000;

export class WorkerClient {
  #worker;
  #listeners = new Map();
  #pending = new Map(); // id -> {resolve, reject, replyType, about}
  #nextId = 1;
  #heard = true;        // anything heard since the last liveness check
  #timer = null;
  #expectingRun = false;
  dead = null;          // why the worker is gone, once it is
  onCrash = null;       // (reason) => void

  constructor(url, { livenessMs = LIVENESS_MS } = {}) {
    const { worker, blobUrl } = startWorker(url);
    this.#worker = worker;
    this.livenessMs = livenessMs;
    let started = false;
    this.ready = new Promise((resolve, reject) => {
      this.#worker.addEventListener('error', (e) => {
        if (started) return;
        reject(new Error(`the training worker failed to start: ${e.message ?? 'unknown error'}` +
          (blobUrl ? ` (a page on another origin than Digitrain needs CORS on Digitrain's server, and a Content-Security-Policy allowing ${new URL(url).origin} in script-src, worker-src (with blob:) and connect-src)` : '')));
      }, { once: true });
      this.on(FromWorker.ready, (m) => {
        started = true;
        resolve(m);
      });
    });
    if (blobUrl) this.ready.finally(() => URL.revokeObjectURL(blobUrl)).catch(() => {});
    // An uncaught error after the start, or a message that cannot be read: the worker is in
    // an unknown state.
    this.#worker.addEventListener('error', (e) => {
      if (started) this.#crash(e.message ?? 'an uncaught error');
    });
    this.#worker.addEventListener('messageerror', () => this.#crash('a message could not be read'));
    this.#worker.onmessage = ({ data }) => this.#dispatch(data);
  }

  terminate() {
    this.#stopWatching();
    this.dead ??= 'the widget was removed from the page';
    this.#worker.terminate();
    this.#rejectAll(new Error('the widget was removed from the page'));
  }

  on(type, listener) {
    if (!this.#listeners.has(type)) this.#listeners.set(type, new Set());
    this.#listeners.get(type).add(listener);
    return () => this.#listeners.get(type).delete(listener);
  }

  send(type, fields = {}, transfer = []) {
    if (this.dead) return;
    this.#worker.postMessage({ type, ...fields }, transfer);
  }

  // Sends with a fresh id and waits for `replyType` with that id, or an error about it.
  request(type, replyType, fields = {}, transfer = []) {
    if (this.dead) return Promise.reject(new Error(`the training worker is not running (${this.dead})`));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, replyType, about: type });
      try {
        this.#worker.postMessage({ type, ...fields, id }, transfer);
      } catch (e) {
        this.#pending.delete(id); // or a later reply would resolve this dead entry
        reject(e);
      }
      this.#watch();
    });
  }

  // Whether a training run is going: the worker then reports several times a second.
  expectRun(running) {
    this.#expectingRun = running;
    this.#watch();
  }

  get pendingCount() { return this.#pending.size; }

  #busy() {
    return !this.dead && (this.#expectingRun || this.#pending.size > 0);
  }

  #watch() {
    if (this.#timer || !this.#busy()) return;
    this.#heard = false;
    this.#timer = setTimeout(() => this.#check(), this.livenessMs);
  }

  #check() {
    this.#timer = null;
    if (!this.#busy()) return;
    if (!this.#heard && this.#pinged) return this.#crash(`it stopped answering for ${Math.round((2 * this.livenessMs) / 1000)} s`);
    // Heard from, or not yet asked: ask, and look again one period later.
    this.#pinged = !this.#heard;
    if (this.#pinged) this.#worker.postMessage({ type: ToWorker.ping, id: 0 });
    this.#heard = false;
    this.#timer = setTimeout(() => this.#check(), this.livenessMs);
  }

  #pinged = false;

  #stopWatching() {
    clearTimeout(this.#timer);
    this.#timer = null;
  }

  #crash(reason) {
    if (this.dead) return;
    this.dead = reason;
    this.#stopWatching();
    this.#worker.terminate();
    this.#rejectAll(new Error(`the training worker crashed (${reason})`));
    this.onCrash?.(reason);
  }

  #rejectAll(error) {
    const entries = [...this.#pending.values()];
    this.#pending.clear();
    for (const entry of entries) entry.reject(error);
  }

  #dispatch(message) {
    this.#heard = true;
    this.#pinged = false;
    if (message.type === FromWorker.fatal) return this.#crash(message.message);
    if (message.type === FromWorker.pong) return;
    const entry = message.id != null ? this.#pending.get(message.id) : undefined;
    if (entry && message.type === FromWorker.error) {
      this.#pending.delete(message.id);
      const { file, url, corrupt } = message;
      entry.reject(Object.assign(new Error(message.message), { file, url, corrupt }));
      return; // answered: the request's caller reports it
    }
    if (entry && message.type === entry.replyType) {
      this.#pending.delete(message.id);
      entry.resolve(message);
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
