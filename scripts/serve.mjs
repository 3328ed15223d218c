#!/usr/bin/env node
// A small static file server for the page (build/web), in plain Node: no dependencies.
//   node scripts/serve.mjs [folder]          (default build/web)
//   PORT=8081 node scripts/serve.mjs         (default 8080; a busy port is an error, not a
//                                             silent move to another one, so the URL you
//                                             bookmarked stays right)
//   The demo page is cross-origin isolated (COOP/COEP), so its worker may use threads
//   (SharedArrayBuffer; README "Threads"); the widget's example pages (embed.html,
//   frame.html) are not, as an embedder's page would not be, and run on one thread.
//   CROSS_ORIGIN_ISOLATED=1 isolates every page, =0 none.
// Tests import startServer() and listen on port 0.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',  // needed by WebAssembly.instantiateStreaming
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  // Sent as a file, never with Content-Encoding: gzip, or the browser would gunzip it
  // before the page does (with DecompressionStream) and Content-Length would not match
  // the bytes the page counts for its progress bar.
  '.gz': 'application/gzip',
};
// What a rebuild changes: the browser must ask again each time so a rebuilt page shows at
// once. (.json: the default model is retrained when the trainer is rebuilt.) Every answer
// carries validators (ETag, Last-Modified), so asking again costs a 304 and no body when
// nothing changed.
const NO_CACHE = new Set(['.html', '.js', '.mjs', '.css', '.wasm', '.json']);

// A weak validator from what a rebuild changes: size and modification time (ns). Weak: the
// same bytes served from another build would not match, and need not.
function etagOf(stat) {
  return `W/"${stat.size.toString(16)}-${stat.mtimeNs.toString(16)}"`;
}

// RFC 9110 13.1.2: If-None-Match wins over If-Modified-Since; weak comparison for GET.
function notModified(req, etag, stat) {
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch != null) {
    const tags = ifNoneMatch.split(',').map((t) => t.trim().replace(/^W\//, ''));
    return tags.includes('*') || tags.includes(etag.replace(/^W\//, ''));
  }
  const since = Date.parse(req.headers['if-modified-since'] ?? '');
  // HTTP dates have whole seconds.
  return Number.isFinite(since) && Math.floor(stat.mtimeMs / 1000) * 1000 <= since;
}

// Serves `root` on host:port (port 0: any free port). Resolves to {server, url, close}.
// headers: extra response headers for every reply (a test's Content-Security-Policy).
export async function startServer({ root, port = 8080, host = '127.0.0.1',
                                    crossOriginIsolated = false, log = false, headers = {} } = {}) {
  if (!root) throw new Error('startServer: root is required');
  // Compared against real paths, so a symlink inside root cannot lead outside it either.
  const realRoot = await fs.promises.realpath(root);
  const server = http.createServer((req, res) => {
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    handle(req, res, { realRoot, crossOriginIsolated }).catch((err) => {
      if (!res.headersSent) reply(res, 500, 'Internal server error\n');
      else res.destroy(err);
    }).finally(() => {
      if (log && res.statusCode >= 400) console.error(`${res.statusCode} ${req.method} ${req.url}`);
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => { server.off('error', reject); resolve(); });
  });
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${urlHost}:${server.address().port}/`;
  const close = () => new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();  // keep-alive connections would hold close() open
  });
  return { server, url, close };
}

// The widget's host pages, left unisolated in 'demo' mode.
const EMBEDDER_PAGES = /^\/(embed|frame)\.(html|js|css)$/;

// crossOriginIsolated: false (no headers), true (every reply) or 'demo' (all but the
// widget's host pages). Isolated replies also say Cross-Origin-Resource-Policy: cross-origin,
// so an isolated page elsewhere may embed the widget's files (the CORS header below covers
// what is fetched with CORS).
async function handle(req, res, { realRoot, crossOriginIsolated }) {
  const urlPathForHeaders = (req.url ?? '').split(/[?#]/)[0];
  if (crossOriginIsolated === true || (crossOriginIsolated === 'demo' && !EMBEDDER_PAGES.test(urlPathForHeaders))) {
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return reply(res, 405, 'Method not allowed\n');
  }
  // The raw path, decoded once, without the WHATWG URL clean-up: '..' in any spelling
  // (plain, %2e%2e, %2f) must be seen and refused, not silently folded away.
  let urlPath;
  try {
    urlPath = decodeURIComponent(req.url.split(/[?#]/)[0]);
  } catch {
    return reply(res, 400, 'Bad request: malformed percent-encoding\n');
  }
  if (!urlPath.startsWith('/') || urlPath.includes('\0')) return reply(res, 400, 'Bad request\n');
  const file = path.join(realRoot, urlPath);
  if (!isInside(realRoot, file)) return reply(res, 403, 'Forbidden: outside the served folder\n');

  let real;
  try {
    real = await fs.promises.realpath(file);
  } catch {
    return reply(res, 404, `Not found: ${urlPath}\n`);
  }
  if (!isInside(realRoot, real)) return reply(res, 403, 'Forbidden: outside the served folder\n');

  const stat = await fs.promises.stat(real);
  if (stat.isDirectory()) {
    // A folder without its trailing slash: redirect, or the page's relative URLs break.
    if (!urlPath.endsWith('/')) {
      res.setHeader('Location', `${encodeURI(urlPath)}/`);
      return reply(res, 301, 'Moved\n');
    }
    return sendFile(req, res, path.join(real, 'index.html'), urlPath);
  }
  return sendFile(req, res, real, urlPath);
}

async function sendFile(req, res, file, urlPath) {
  let handle;
  try {
    handle = await fs.promises.open(file, 'r');
  } catch {
    return reply(res, 404, `Not found: ${urlPath}\n`);
  }
  // The length comes from the open file, so it matches the bytes that are sent.
  const stat = await handle.stat({ bigint: true }).then((big) => ({
    size: Number(big.size), mtimeMs: Number(big.mtimeMs), mtimeNs: big.mtimeNs, isFile: () => big.isFile(),
  }));
  if (!stat.isFile()) {
    await handle.close();
    return reply(res, 404, `Not found: ${urlPath}\n`);
  }
  const ext = path.extname(file).toLowerCase();
  res.statusCode = 200;
  res.setHeader('Content-Type', MIME_TYPES[ext] ?? 'application/octet-stream');
  res.setHeader('Content-Length', stat.size);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  // Static, public files: a page on another origin may use the widget from here (module
  // scripts, the worker's imports, the .wasm and MNIST are all fetched with CORS).
  res.setHeader('Access-Control-Allow-Origin', '*');
  if (NO_CACHE.has(ext)) res.setHeader('Cache-Control', 'no-cache');
  const etag = etagOf(stat);
  res.setHeader('ETag', etag);
  res.setHeader('Last-Modified', new Date(stat.mtimeMs).toUTCString());
  if (notModified(req, etag, stat)) {
    await handle.close();
    res.statusCode = 304;
    // A 304 has no body and so no length of its own (RFC 9110 15.4.5).
    for (const name of ['Content-Type', 'Content-Length']) res.removeHeader(name);
    return res.end();
  }
  if (req.method === 'HEAD') {
    await handle.close();
    return res.end();
  }
  const stream = handle.createReadStream();  // closes the handle when done
  await new Promise((resolve) => {
    stream.on('error', (err) => { res.destroy(err); resolve(); });
    res.on('close', () => { stream.destroy(); resolve(); });
    stream.pipe(res);
  });
}

function isInside(root, file) {
  const rel = path.relative(root, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

// A short plain-text answer (errors, redirects), with its length like every answer.
function reply(res, status, text) {
  const body = Buffer.from(text);
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Content-Length', body.length);
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

async function main() {
  const repo = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
  const root = path.resolve(process.argv[2] ?? path.join(repo, 'build/web'));
  const port = Number(process.env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`serve: PORT=${process.env.PORT} is not a port number (0-65535)`);
    process.exit(1);
  }
  if (!fs.existsSync(root)) {
    console.error(`serve: ${root} does not exist; run scripts/build-web.sh first`);
    process.exit(1);
  }
  let started;
  try {
    const isolation = { 1: true, 0: false }[process.env.CROSS_ORIGIN_ISOLATED ?? ''] ?? 'demo';
    started = await startServer({ root, port, log: true, crossOriginIsolated: isolation });
  } catch (err) {
    if (err.code === 'EADDRINUSE') {
      console.error(`serve: port ${port} is already in use (another Digitrain server?).`);
      console.error(`serve: stop it, or choose another port: PORT=${port + 1} npm start`);
    } else {
      console.error(`serve: ${err.message}`);
    }
    process.exit(1);
  }
  console.log(`Digitrain is at ${started.url}`);
  if (fs.existsSync(path.join(root, 'embed.html'))) console.log(`Two widgets in a tutorial page: ${started.url}embed.html`);
  console.log('Ctrl-C to stop.');
  const stop = () => started.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

// Run as a command only when invoked directly, not when a test imports startServer.
if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main();
}
