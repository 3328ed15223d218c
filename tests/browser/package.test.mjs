// Reach: what `npm pack` makes works from a CDN, and the built site works under a sub-path
// (GitHub Pages serves a project at https://USER.github.io/REPO/).
// - The tarball holds exactly what an embedder needs, each file small enough for public CDNs.
// - Unpacked and served as jsDelivr/unpkg lay packages out (/npm/digitrain@VERSION/…, CORS *,
//   immutable caching) on a second origin, a host page on the first origin embeds it with the
//   README's two lines (no data-url: MNIST comes from the package) and trains to >= 0.95.
// - build/web served under /digitrain/ loads, finds everything relative to itself, and trains.
//   node --test tests/browser/package.test.mjs   (after scripts/build-web.sh)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openBrowser } from './harness.mjs';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const { version } = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
const work = fs.mkdtempSync(path.join(tmpdir(), 'digitrain-package-'));
const CDN_LIMIT = 20 * 1024 * 1024;  // jsDelivr's per-file limit
const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css',
  '.json': 'application/json', '.html': 'text/html', '.gz': 'application/gzip', '.svg': 'image/svg+xml' };

// A static server that answers under `prefix` only, with the given headers: a CDN's package
// folder, or a Pages site's sub-path. Counts requests per path.
function prefixServer(prefix, dir, headers = {}) {
  const requests = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    requests.push(url.pathname);
    const rel = decodeURIComponent(url.pathname).slice(prefix.length);
    const file = path.join(dir, rel.endsWith('/') || rel === '' ? `${rel}index.html` : rel);
    if (!url.pathname.startsWith(prefix) || !file.startsWith(dir) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain', ...headers });
      return res.end('not found');
    }
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream', ...headers });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${server.address().port}${prefix}`, requests,
    close: () => new Promise((r) => { server.close(r); server.closeAllConnections(); }),
  })));
}

let packed;   // npm pack --json's description of the tarball
let session;

before(async () => {
  assert.ok(fs.existsSync(path.join(REPO, 'dist/digitrain.js')), 'dist/ is built (scripts/build-web.sh)');
  packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: REPO, encoding: 'utf8' }))[0];
  session = await openBrowser();
});

after(async () => {
  await session?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

test('npm pack: the widget, its worker and wasm, the converter, styles, MNIST, types, manifest, README, licence', () => {
  const files = packed.files.map((f) => f.path).sort();
  for (const needed of ['package.json', 'README.md', 'LICENSE', 'custom-elements.json', 'types/digitrain.d.ts',
    'dist/digitrain.js', 'dist/worker.js', 'dist/digitrain.wasm', 'dist/digitrain-formats.mjs', 'dist/digitrain-formats.wasm',
    'dist/data/train-images-idx3-ubyte.gz', 'dist/data/train-labels-idx1-ubyte.gz',
    'dist/data/t10k-images-idx3-ubyte.gz', 'dist/data/t10k-labels-idx1-ubyte.gz']) {
    assert.ok(files.includes(needed), `${needed} is in the package`);
  }
  assert.ok(files.some((f) => /^dist\/.*\.css$/.test(f)), 'styles');
  // Nothing of the sources, tests, build tree or the demo page's own files.
  const stray = files.filter((f) => !/^(dist\/|types\/|package\.json$|README\.md$|LICENSE$|custom-elements\.json$)/.test(f)
    || /^dist\/(index\.html|app\.js|models\/)/.test(f) || f.startsWith('dist/data/fashion-mnist/'));
  assert.deepEqual(stray, []);
  const big = packed.files.filter((f) => f.size >= CDN_LIMIT).map((f) => `${f.path} ${f.size}`);
  assert.deepEqual(big, [], 'every file under 20 MB');
  assert.equal(packed.name, 'digitrain');
  assert.equal(packed.version, version);
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
  assert.equal(manifest.private, undefined, 'publishable');
  for (const field of ['exports', 'files', 'type', 'types', 'customElements']) assert.ok(manifest[field], field);
  console.log(`package: ${packed.files.length} files, ${packed.size} bytes packed, ${packed.unpackedSize} unpacked`);
});

test('from a CDN-style second origin, the README\'s two lines train to >= 0.95', async () => {
  const cdnDir = path.join(work, 'cdn');
  fs.mkdirSync(cdnDir);
  execFileSync('tar', ['-xzf', path.join(work, packed.filename), '-C', cdnDir, '--strip-components=1']);
  const cdn = await prefixServer(`/npm/digitrain@${version}/`, cdnDir,
    { 'Access-Control-Allow-Origin': '*', 'Cache-Control': 'public, max-age=31536000, immutable' });
  // The host page is served for real: Chromium's local-network checks refuse what a page made
  // up by page.route() (it has no address) fetches from 127.0.0.1.
  const hostDir = fs.mkdtempSync(path.join(work, 'host-'));
  const host = await prefixServer('/', hostDir);
  const page = await session.browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // (Chromium asks the host for /favicon.ico by itself; that 404 is not the widget's.)
  page.on('console', (m) => { if (m.type() === 'error' && !m.location().url?.endsWith('/favicon.ico')) errors.push(m.text()); });
  try {
    fs.writeFileSync(path.join(hostDir, 'lesson.html'), `<!doctype html><meta charset="utf-8"><title>Lesson</title>
<script type="module" src="${cdn.url}dist/digitrain.js"></script>
<digit-trainer epochs="1"></digit-trainer>`);
    await page.goto(`${host.url}lesson.html`);
    await page.waitForFunction(() => customElements.get('digit-trainer'), null, { timeout: 60_000 });
    const end = await page.evaluate(async () => {
      const trainer = document.querySelector('digit-trainer');
      await trainer.ready;
      return trainer.train();
    });
    assert.equal(end.reason, 'done');
    assert.ok(end.test.accuracy >= 0.95, `test accuracy ${end.test.accuracy}`);
    // MNIST came from the package on the CDN, not from the host.
    assert.equal(cdn.requests.filter((p) => p.endsWith('-ubyte.gz')).length, 4);
    assert.ok(host.requests.every((p) => !p.endsWith('.gz')));
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
    await cdn.close();
    await host.close();
  }
});

test('the demo site under a sub-path (/digitrain/, as on GitHub Pages) loads and trains', async () => {
  const site = await prefixServer('/digitrain/', path.join(REPO, 'build/web'));
  const page = await session.browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(site.url);
    const end = await page.evaluate(async () => {
      const trainer = document.querySelector('digit-trainer');
      await customElements.whenDefined('digit-trainer');
      await trainer.ready;
      trainer.updateSettings({ epochs: 1, preset: 'mlp-256' });
      return trainer.train();
    });
    assert.equal(end.reason, 'done');
    assert.ok(end.test.accuracy > 0.9, `test accuracy ${end.test.accuracy}`);
    // Everything it asked for was under the sub-path: no URL assumed the site's root.
    // (Chromium asks for /favicon.ico by itself when a page names no icon.)
    assert.deepEqual(site.requests.filter((p) => !p.startsWith('/digitrain/') && p !== '/favicon.ico'), []);
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
    await site.close();
  }
});
