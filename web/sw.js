// Digitrain's service worker: after one visit the page works with no network (a classroom
// without Wi-Fi, a laptop on a train). It keeps the page's own files (the page, the widget,
// its worker and .wasm, styles, the default model) in a cache named after this build; MNIST
// is cached by the page itself (data.js) on its first download. A new build changes the list
// below, so the browser installs the new worker beside the old one; the page then says
// "updated — reload" (offline.js) and the new files serve from the next load. Models the
// learner trained live in IndexedDB and are never touched here.
//
// The widget never registers this by itself: on another site the host page owns its scope.
// A host that wants it offline adds one line (README, "Offline"):
//   navigator.serviceWorker.register('/path/to/digitrain/sw.js');
// build-web writes the list and the version (scripts/lib/write-precache.mjs).
const VERSION = '__DIGITRAIN_VERSION__';
const FILES = ['__DIGITRAIN_PRECACHE__'];
const CACHE = `digitrain-page-${VERSION}`;
// `self` as what it is here: the WebWorker library types it as a dedicated worker's global
// scope (jsconfig.worker.json), which has no registration, clients or install events.
const sw = /** @type {ServiceWorkerGlobalScope} */ (/** @type {unknown} */ (self));

sw.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // 'no-cache': asked again of the server, which answers 304 for what the page has just
    // fetched (so a first visit does not download twice) and the new bytes after an update.
    await cache.addAll(FILES.map((file) => new Request(new URL(file, sw.registration.scope), { cache: 'no-cache' })));
  })());
});

sw.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    // Only our own older page caches go: MNIST's cache (data.js) and anything else stay.
    for (const name of await caches.keys()) {
      if (name.startsWith('digitrain-page-') && name !== CACHE) await caches.delete(name);
    }
    await sw.clients.claim();
  })());
});

// The page asks the waiting worker to take over when the learner chooses to reload.
sw.addEventListener('message', (event) => {
  if (event.data === 'skipWaiting') sw.skipWaiting();
});

// The listed files, as absolute URLs without query or hash.
const LISTED = new Set(FILES.map((file) => new URL(file, sw.registration.scope).href));

sw.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  url.search = '';
  url.hash = '';
  // A navigation to the folder is the page itself.
  if (request.mode === 'navigate' && url.pathname.endsWith('/')) url.pathname += 'index.html';
  // Anything else (MNIST, whose own cache the page checks first; other sites) is left to the
  // browser, untouched.
  if (!LISTED.has(url.href)) return;
  event.respondWith((async () => {
    // This build's copy first: it works offline. Should the cache have lost it, the network.
    const hit = await (await caches.open(CACHE)).match(url.href);
    return hit ?? fetch(request);
  })());
});
