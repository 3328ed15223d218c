// scripts/serve.mjs: what the page relies on (MIME types, lengths, .gz left alone), what it
// must refuse (paths outside its folder, methods other than GET/HEAD), the command line,
// and one real Chromium loading a page from it.
//   node --test tests/browser/serve.test.mjs
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { startServer } from '../../scripts/serve.mjs';
import { openBrowser, screenshot } from './harness.mjs';

const SERVE = fileURLToPath(new URL('../../scripts/serve.mjs', import.meta.url));
const EMPTY_WASM = Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);  // '\0asm', version 1
const DIGITS = Buffer.from([...Array(1000).keys()].map((i) => i % 10));

// A served folder inside a temp folder that also holds a secret outside it.
const top = fs.mkdtempSync(path.join(os.tmpdir(), 'digitrain-serve-'));
const root = path.join(top, 'root');
function write(name, content) {
  fs.mkdirSync(path.dirname(path.join(top, name)), { recursive: true });
  fs.writeFileSync(path.join(top, name), content);
}
write('secret.txt', 'SECRET outside the root\n');
write('root/index.html', `<!doctype html><meta charset="utf-8"><title>serve test</title>
<link rel="stylesheet" href="style.css"><p id="out">loading</p>
<script type="module" src="app.mjs"></script>\n`);
write('root/app.mjs', `import { check } from './check.js';
const out = document.querySelector('#out');
try { out.textContent = await check(); } catch (err) { out.textContent = 'failed: ' + err.message; }\n`);
// What the page will do: instantiate wasm by streaming (needs application/wasm) and gunzip
// MNIST itself, checking the bytes against Content-Length like its progress bar will.
write('root/check.js', `export async function check() {
  await WebAssembly.instantiateStreaming(fetch('empty.wasm'));
  const response = await fetch('data/digits.gz');
  const length = Number(response.headers.get('Content-Length'));
  const gz = new Uint8Array(await response.clone().arrayBuffer());
  if (gz.length !== length) throw new Error('length ' + gz.length + ' != ' + length);
  const raw = await new Response(response.body.pipeThrough(new DecompressionStream('gzip'))).arrayBuffer();
  return 'ok ' + raw.byteLength;
}\n`);
write('root/style.css', 'body { font: 16px sans-serif; }\n');
write('root/empty.wasm', EMPTY_WASM);
write('root/model.json', '{"ok":true}\n');
write('root/icon.svg', '<svg xmlns="http://www.w3.org/2000/svg"/>\n');
write('root/pixel.png', Buffer.from('89504e470d0a1a0a', 'hex'));
write('root/data/digits.gz', zlib.gzipSync(DIGITS));
write('root/sub/index.html', '<!doctype html><title>sub</title>\n');
fs.symlinkSync(path.join(top, 'secret.txt'), path.join(root, 'link-out.txt'));

// A raw request: fetch() would clean '..' out of the path before sending it.
function request(method, urlPath, { port, headers = {} }) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, headers }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('startServer', () => {
  let served, port;
  const get = (urlPath, options = {}) => request(options.method ?? 'GET', urlPath, { port, ...options });
  before(async () => {
    served = await startServer({ root, port: 0 });
    port = served.server.address().port;
  });
  after(() => served.close());

  test('prints a 127.0.0.1 URL with the real port', () => {
    assert.equal(served.url, `http://127.0.0.1:${port}/`);
  });

  test('MIME types, Content-Length and Cache-Control', async () => {
    const expected = {
      '/index.html': ['text/html; charset=utf-8', 'no-cache'],
      '/app.mjs': ['text/javascript; charset=utf-8', 'no-cache'],
      '/check.js': ['text/javascript; charset=utf-8', 'no-cache'],
      '/style.css': ['text/css; charset=utf-8', 'no-cache'],
      '/empty.wasm': ['application/wasm', 'no-cache'],
      '/model.json': ['application/json', 'no-cache'],
      '/icon.svg': ['image/svg+xml', undefined],
      '/pixel.png': ['image/png', undefined],
      '/data/digits.gz': ['application/gzip', undefined],
    };
    for (const [urlPath, [type, cache]] of Object.entries(expected)) {
      const res = await get(urlPath);
      const file = fs.readFileSync(path.join(root, urlPath));
      assert.equal(res.status, 200, urlPath);
      assert.equal(res.headers['content-type'], type, urlPath);
      assert.equal(res.headers['cache-control'], cache, urlPath);
      assert.equal(res.headers['content-length'], String(file.length), urlPath);
      assert.deepEqual(res.body, file, urlPath);
    }
  });

  test('.gz is sent as is, without Content-Encoding, even to a client that accepts gzip', async () => {
    const res = await get('/data/digits.gz', { headers: { 'Accept-Encoding': 'gzip' } });
    assert.equal(res.headers['content-encoding'], undefined);
    assert.deepEqual(zlib.gunzipSync(res.body), DIGITS);
  });

  test('/ and folders/ serve index.html; a folder without its slash is redirected', async () => {
    assert.match((await get('/')).body.toString(), /serve test/);
    assert.match((await get('/sub/')).body.toString(), /<title>sub/);
    const redirect = await get('/sub');
    assert.equal(redirect.status, 301);
    assert.equal(redirect.headers.location, '/sub/');
    assert.equal((await get('/index.html?v=2')).status, 200, 'a query string is ignored');
  });

  test('a missing file is a short 404 with a length', async () => {
    const res = await get('/nothing-here.js');
    assert.equal(res.status, 404);
    assert.equal(res.body.toString(), 'Not found: /nothing-here.js\n');
    assert.equal(res.headers['content-length'], String(res.body.length));
  });

  test('paths outside the root are refused, however they are spelt', async () => {
    for (const urlPath of ['/../secret.txt', '/%2e%2e/secret.txt', '/%2E%2E%2Fsecret.txt',
                           '/sub/../../secret.txt', '/sub/%2e%2e/%2e%2e/secret.txt',
                           '/../../../../../../etc/passwd', '/link-out.txt']) {
      const res = await get(urlPath);
      assert.equal(res.status, 403, urlPath);
      assert.doesNotMatch(res.body.toString(), /SECRET|root:/, urlPath);
    }
    // '..' that stays inside the root is harmless.
    assert.equal((await get('/sub/../index.html')).status, 200);
  });

  test('bad percent-encoding and NUL bytes are a 400', async () => {
    assert.equal((await get('/%E0%A4%A')).status, 400);
    assert.equal((await get('/index.html%00.png')).status, 400);
  });

  test('HEAD gives the headers of GET and no body', async () => {
    const res = await get('/empty.wasm', { method: 'HEAD' });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/wasm');
    assert.equal(res.headers['content-length'], String(EMPTY_WASM.length));
    assert.equal(res.body.length, 0);
  });

  test('validators: ETag and Last-Modified; a matching If-None-Match or If-Modified-Since is a 304 without a body', async () => {
    const first = await get('/style.css');
    const { etag } = first.headers;
    assert.match(etag, /^W\/"[0-9a-f]+-[0-9a-f]+"$/);
    assert.ok(Number.isFinite(Date.parse(first.headers['last-modified'])));
    const again = await get('/style.css', { headers: { 'If-None-Match': etag } });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
    assert.equal(again.headers.etag, etag);
    assert.equal((await get('/style.css', { headers: { 'If-None-Match': `"other", ${etag}` } })).status, 304);
    assert.equal((await get('/style.css', { headers: { 'If-Modified-Since': first.headers['last-modified'] } })).status, 304);
    // If-None-Match wins: a stale tag means the file is sent, whatever the date says.
    const stale = await get('/style.css', { headers: { 'If-None-Match': '"stale"', 'If-Modified-Since': first.headers['last-modified'] } });
    assert.equal(stale.status, 200);
    assert.equal(stale.body.toString(), 'body { font: 16px sans-serif; }\n');
    // A rebuilt file (new bytes, new time) has a new tag and is sent in full.
    write('root/style.css', 'body { font: 17px sans-serif; }\n');
    fs.utimesSync(path.join(root, 'style.css'), new Date(), new Date(Date.now() + 5000));
    const changed = await get('/style.css', { headers: { 'If-None-Match': etag, 'If-Modified-Since': first.headers['last-modified'] } });
    assert.equal(changed.status, 200);
    assert.notEqual(changed.headers.etag, etag);
    assert.equal(changed.body.toString(), 'body { font: 17px sans-serif; }\n');
    write('root/style.css', 'body { font: 16px sans-serif; }\n');
  });

  test('methods other than GET and HEAD are a 405 naming the allowed ones', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
      const res = await get('/index.html', { method });
      assert.equal(res.status, 405, method);
      assert.equal(res.headers.allow, 'GET, HEAD', method);
    }
  });

  test('COOP/COEP only when asked for', async () => {
    assert.equal((await get('/')).headers['cross-origin-opener-policy'], undefined);
    const isolated = await startServer({ root, port: 0, crossOriginIsolated: true });
    try {
      const res = await request('GET', '/', { port: isolated.server.address().port });
      assert.equal(res.headers['cross-origin-opener-policy'], 'same-origin');
      assert.equal(res.headers['cross-origin-embedder-policy'], 'require-corp');
    } finally {
      await isolated.close();
    }
  });
});

// npm start's mode (issue 19): the demo page and its files isolated, so its worker may use
// threads; the widget's example pages not, as an embedder's page would not be.
test('demo isolation: COOP/COEP and CORP for the demo page, none for embed.html and frame.html', async () => {
  for (const name of ['embed.html', 'frame.html', 'worker.js']) fs.writeFileSync(path.join(root, name), '\n');
  const demo = await startServer({ root, port: 0, crossOriginIsolated: 'demo' });
  try {
    const port = demo.server.address().port;
    for (const path of ['/', '/index.html', '/worker.js']) {
      const res = await request('GET', path, { port });
      assert.equal(res.headers['cross-origin-opener-policy'], 'same-origin', path);
      assert.equal(res.headers['cross-origin-embedder-policy'], 'require-corp', path);
      assert.equal(res.headers['cross-origin-resource-policy'], 'cross-origin', path);
    }
    for (const path of ['/embed.html', '/frame.html']) {
      const res = await request('GET', path, { port });
      assert.equal(res.headers['cross-origin-opener-policy'], undefined, path);
      assert.equal(res.headers['cross-origin-embedder-policy'], undefined, path);
    }
  } finally {
    await demo.close();
  }
});

// Runs `node scripts/serve.mjs root` and resolves when it prints its URL or exits.
function runCli(env) {
  const child = spawn(process.execPath, [SERVE, root], { env: { ...process.env, ...env } });
  let stdout = '', stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  const done = new Promise((resolve) => {
    child.stdout.on('data', () => { if (stdout.includes('\n')) resolve(); });
    child.on('exit', resolve);
  });
  return done.then(() => ({ child, stdout, stderr, code: child.exitCode }));
}

describe('serve.mjs on the command line', () => {
  test('prints where it is and serves', async () => {
    const { child, stdout } = await runCli({ PORT: '0' });
    try {
      const match = stdout.match(/^Digitrain is at (http:\/\/127\.0\.0\.1:(\d+)\/)\n/);
      assert.ok(match, stdout);
      assert.equal((await request('GET', '/', { port: Number(match[2]) })).status, 200);
    } finally {
      child.kill('SIGINT');
    }
  });

  test('a busy port is an error that says so', async () => {
    const busy = await startServer({ root, port: 0 });
    try {
      const { code, stderr } = await runCli({ PORT: String(busy.server.address().port) });
      assert.equal(code, 1);
      assert.match(stderr, /already in use/);
    } finally {
      await busy.close();
    }
  });
});

describe('Chromium through the harness', () => {
  test('loads a page from startServer with no console errors', async () => {
    const { page, url, errors, close } = await openBrowser({ root });
    try {
      await page.goto(url);
      await page.waitForFunction(() => document.querySelector('#out').textContent !== 'loading');
      assert.equal(await page.textContent('#out'), `ok ${DIGITS.length}`);
      assert.ok(fs.existsSync(await screenshot(page, 'serve-test')));
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });
});

after(() => fs.rmSync(top, { recursive: true, force: true }));
