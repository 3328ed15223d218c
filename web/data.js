// MNIST for the page: the four gzip IDX files, fetched with progress, gunzipped in the
// browser and cached (compressed) in Cache Storage so a reload needs no network.
// The bytes stay uint8 from the wire to the worker: the WASM core validates the IDX
// headers and scales pixels itself, so no float copy is ever made here.

export const MNIST_FILES = Object.freeze({
  trainImages: 'train-images-idx3-ubyte.gz',
  trainLabels: 'train-labels-idx1-ubyte.gz',
  testImages: 't10k-images-idx3-ubyte.gz',
  testLabels: 't10k-labels-idx1-ubyte.gz',
});

/** @typedef {{loaded: number, total: number | null, file: string | null}} MnistProgress */
/**
 * One of the four files: from the cache (`compressed` set) or an open network response
 * (`response` and `contentLength` set until the body is read into `compressed`).
 * @typedef {object} MnistSource
 * @property {string} file
 * @property {string} url
 * @property {boolean} [cached]
 * @property {boolean} encoded
 * @property {Uint8Array<ArrayBuffer>} [compressed]
 * @property {Response} [response]
 * @property {number | null} [contentLength]
 */

export const CACHE_NAME = 'digitrain-mnist-v1';

// retryable: a later attempt may succeed (network, server busy); false when retrying the
// same URL cannot help (404, a corrupt file on the server).
export class DataError extends Error {
  /**
   * @param {string} message
   * @param {{retryable?: boolean, file?: string | null, url?: string | null, cause?: unknown}} [options]
   */
  constructor(message, {retryable = false, file = null, url = null, cause} = {}) {
    super(message, cause === undefined ? undefined : {cause});
    this.name = 'DataError';
    this.retryable = retryable;
    this.file = file;
    this.url = url;
  }
}

// Fetches and caches the four files, still compressed: gunzipping 47 MB is left to
// whoever holds the data next (the training worker, so the page never stalls on it).
// Resolves to
//   files             {trainImages, trainLabels, testImages, testLabels}: {file, url,
//                     compressed: Uint8Array, encoded, cached}; `encoded`: the server sent
//                     Content-Encoding, so the body may already be the raw IDX bytes
//   fromCache         true when all four came from Cache Storage
//   bytesTransferred  compressed bytes read from the network
//   cacheError        null, or why caching was off or failed (never fatal)
// onProgress({loaded, total, file}) counts compressed bytes over all four files; total is
// the sum of the Content-Length headers (null if a server omits one or re-encodes the body).
// An abort through `signal` rejects with the AbortError itself, not a DataError.
// A file that is not gzip at all is refused here; a truncated or corrupt gzip is found by
// gunzipMnistFile, and its cached copy should then be dropped (forgetCachedFile).
/**
 * @param {{baseUrl?: string | URL, onProgress?: (progress: MnistProgress) => void, signal?: AbortSignal}} [options]
 */
export async function fetchMnist({baseUrl = 'data/', onProgress = () => {}, signal} = {}) {
  const base = new URL(baseUrl, globalThis.document?.baseURI ?? globalThis.location?.href);
  // One failure stops the other downloads.
  const controller = new AbortController();
  const stop = () => controller.abort(signal.reason);
  if (signal) {
    if (signal.aborted) throw signal.reason;
    signal.addEventListener('abort', stop, {once: true});
  }
  const {cache, cacheError: openError} = await openCache();
  let cacheError = openError;
  try {
    const keys = Object.keys(MNIST_FILES);
    const sources = await Promise.all(keys.map((key) =>
      openSource(MNIST_FILES[key], new URL(MNIST_FILES[key], base).href, cache, controller.signal)));

    const sizes = sources.map((s) => (s.cached ? s.compressed.length : s.contentLength));
    const total = sizes.every((n) => n != null) ? sizes.reduce((a, b) => a + b, 0) : null;
    let loaded = sources.reduce((sum, s) => sum + (s.cached ? s.compressed.length : 0), 0);
    onProgress({loaded, total, file: null});

    let bytesTransferred = 0;
    await Promise.all(sources.filter((s) => !s.cached).map(async (s) => {
      s.compressed = await readBody(s, controller.signal, (n) => {
        loaded += n;
        bytesTransferred += n;
        onProgress({loaded, total, file: s.file});
      });
      checkGzipMagic(s);
      if (cache) {
        try {
          await cache.put(s.url, new Response(s.compressed, {headers: {
            'Content-Type': 'application/gzip',
            'Content-Length': String(s.compressed.length),
          }}));
        } catch (e) {
          // QuotaExceededError and friends: the data is good, only the cache is not.
          cacheError ??= `could not cache ${s.file}: ${e.name}: ${e.message}`;
        }
      }
    }));
    const files = {};
    keys.forEach((key, i) => {
      const {file, url, compressed, encoded, cached} = sources[i];
      files[key] = {file, url, compressed, encoded, cached};
    });
    return {files, fromCache: sources.every((s) => s.cached), bytesTransferred, cacheError};
  } catch (e) {
    controller.abort(e);
    if (signal?.aborted) throw signal.reason;
    throw e;
  } finally {
    signal?.removeEventListener('abort', stop);
  }
}

// Fetches, gunzips and caches the four files on this thread. Resolves to
//   {trainImages, trainLabels, testImages, testLabels}  Uint8Array, raw IDX bytes (header included)
// plus fromCache, bytesTransferred and cacheError as fetchMnist gives them. A cached file
// that no longer gunzips (an interrupted write, a changed file) is dropped and downloaded
// again, once; a downloaded one that does not is a DataError and is not kept.
export async function loadMnist(options = {}) {
  for (let attempt = 0; ; attempt++) {
    const fetched = await fetchMnist(options);
    const result = {fromCache: fetched.fromCache, bytesTransferred: fetched.bytesTransferred, cacheError: fetched.cacheError};
    const failures = [];
    await Promise.all(Object.entries(fetched.files).map(async ([key, source]) => {
      try {
        result[key] = await gunzipMnistFile(source);
      } catch (e) {
        failures.push({source, error: e});
        await forgetCachedFile(source.url);
      }
    }));
    if (failures.length === 0) return result;
    if (attempt > 0 || !failures.every((f) => f.source.cached)) throw failures.find((f) => !f.source.cached)?.error ?? failures[0].error;
  }
}

// Drops one cached file (after it failed to gunzip), so the next load downloads it again.
export async function forgetCachedFile(url) {
  try {
    await (await globalThis.caches?.open(CACHE_NAME))?.delete(url);
  } catch {
    // Nothing cached, or no cache here: nothing to forget.
  }
}

// Names of the browser features the app cannot run without (and 'Cache Storage', which it
// can: caching is just off). Empty when everything is there.
export function missingFeatures() {
  const missing = [];
  const wasm = globalThis.WebAssembly;
  if (!wasm || !wasm.validate(SIMD_MODULE)) missing.push('WebAssembly SIMD');
  if (!wasm || !wasm.validate(EXCEPTIONS_MODULE)) missing.push('WebAssembly exceptions');
  if (typeof globalThis.DecompressionStream !== 'function') missing.push('DecompressionStream');
  if (typeof globalThis.Worker !== 'function') missing.push('Worker');
  if (!globalThis.caches) missing.push('Cache Storage');
  return missing;
}

// The features missingFeatures() may report that are not fatal.
export const OPTIONAL_FEATURES = Object.freeze(['Cache Storage']);

// (func (result v128) i32.const 0 i8x16.splat)
const SIMD_MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b,            // type: () -> v128
  0x03, 0x02, 0x01, 0x00,                              // function 0: type 0
  0x0a, 0x08, 0x01, 0x06, 0x00, 0x41, 0x00, 0xfd, 0x0f, 0x0b,
]);

// (tag $e) (func try (throw $e) catch $e end): the legacy exception-handling opcodes
// (try 0x06, catch 0x07, throw 0x08, tag section 13) that Emscripten's -fwasm-exceptions emits.
const EXCEPTIONS_MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x04, 0x01, 0x60, 0x00, 0x00,                  // type: () -> ()
  0x03, 0x02, 0x01, 0x00,                              // function 0: type 0
  0x0d, 0x03, 0x01, 0x00, 0x00,                        // tag 0: exception, type 0
  0x0a, 0x0b, 0x01, 0x09, 0x00,
  0x06, 0x40, 0x08, 0x00, 0x07, 0x00, 0x0b, 0x0b,      // try throw 0 catch 0 end end
]);

async function openCache() {
  if (!globalThis.caches) {
    return {cache: null, cacheError: 'Cache Storage is not available here (it needs https or localhost); MNIST is downloaded on every load'};
  }
  try {
    return {cache: await caches.open(CACHE_NAME), cacheError: null};
  } catch (e) {
    return {cache: null, cacheError: `Cache Storage could not be opened: ${e.name}: ${e.message}`};
  }
}

// A file from the cache (already verified by gunzipping it) or an open network response.
/**
 * @param {string} file
 * @param {string} url
 * @param {Cache | null} cache
 * @param {AbortSignal} signal
 * @returns {Promise<MnistSource>}
 */
async function openSource(file, url, cache, signal) {
  if (cache) {
    try {
      const hit = await cache.match(url);
      if (hit) {
        const compressed = new Uint8Array(await hit.arrayBuffer());
        const source = {file, url, cached: true, compressed, encoded: false};
        if (isGzip(compressed)) return source;
        await cache.delete(url).catch(() => {});
      }
    } catch {
      // A broken cache is no reason to fail: fall through to the network.
    }
  }
  let response;
  try {
    response = await fetch(url, {signal, cache: 'no-cache'});
  } catch (e) {
    if (signal.aborted) throw signal.reason;
    throw new DataError(`download of ${file} from ${url} failed: ${e.message} (offline or server unreachable)`,
      {retryable: true, file, url, cause: e});
  }
  if (!response.ok) {
    const status = `HTTP ${response.status}${response.statusText ? ' ' + response.statusText : ''}`;
    const message = response.status === 404 || response.status === 410
      ? `${file} not found at ${url} (${status})`
      : `${file} could not be downloaded from ${url} (${status})`;
    const retryable = response.status >= 500 || response.status === 408 || response.status === 429;
    response.body?.cancel().catch(() => {});
    throw new DataError(message, {retryable, file, url});
  }
  // With Content-Encoding the browser has already decoded the body, and Content-Length
  // counts the encoded bytes: no usable total, and the body may no longer be gzip.
  const encoded = Boolean(response.headers.get('Content-Encoding'));
  const length = Number.parseInt(response.headers.get('Content-Length') ?? '', 10);
  const contentLength = !encoded && Number.isFinite(length) ? length : null;
  return {file, url, cached: false, response, contentLength, encoded};
}

async function readBody(source, signal, onChunk) {
  const {file, url, response, contentLength} = source;
  const chunks = [];
  let received = 0;
  const stopped = (e) => new DataError(
    `download of ${file} stopped after ${received} of ${contentLength ?? 'unknown'} bytes` +
      (e ? `: ${e.message}` : ''),
    {retryable: true, file, url, cause: e});
  const reader = response.body.getReader();
  for (;;) {
    let chunk;
    try {
      chunk = await reader.read();
    } catch (e) {
      if (signal.aborted) throw signal.reason;
      throw stopped(e);
    }
    if (chunk.done) break;
    chunks.push(chunk.value);
    received += chunk.value.length;
    onChunk(chunk.value.length);
  }
  if (contentLength != null && received !== contentLength) throw stopped(null);
  if (chunks.length === 1) return chunks[0];
  const bytes = new Uint8Array(received);
  let offset = 0;
  for (const c of chunks) { bytes.set(c, offset); offset += c.length; }
  return bytes;
}

const isGzip = (bytes) => bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;

/** @param {MnistSource} source */
function checkGzipMagic({file, url, compressed, encoded}) {
  // A server that sent Content-Encoding: gzip had the browser gunzip it already.
  if (isGzip(compressed) || encoded) return;
  throw new DataError(`${file} is corrupt or truncated: not a gzip file (starts with ${hex(compressed)})`,
    {retryable: false, file, url});
}

// One file of fetchMnist's `files` to its raw IDX bytes. Works in a worker too.
export async function gunzipMnistFile(source) {
  const {file, url, compressed} = source;
  checkGzipMagic(source);
  if (!isGzip(compressed)) return compressed;
  try {
    const stream = new Blob([compressed]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    throw new DataError(`${file} is corrupt or truncated: ${e.message}`, {retryable: false, file, url, cause: e});
  }
}

function hex(bytes) {
  if (bytes.length === 0) return 'nothing: empty file';
  return Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
}
