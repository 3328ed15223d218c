// A test server in front of scripts/serve.mjs for the cross-engine suite. What no protocol
// offers in every engine, it does itself:
// - every HTML page gets /__engine-probe.js as its first script (probe.js: records errors,
//   console.error and CSP violations in the page), since classic WebDriver (WebKit) can
//   neither run a script before the page's own nor read the console;
// - it counts requests (the cache test) and answers chosen paths with a fault (the 404 test),
//   since WebDriver cannot intercept requests either.
//   const server = await startEngineServer({ root });  server.fail(/t10k-labels/, 404);
import fs from 'node:fs';
import http from 'node:http';
import { startServer } from '../../scripts/serve.mjs';

const PROBE = fs.readFileSync(new URL('./probe.js', import.meta.url));
const PROBE_PATH = '/__engine-probe.js';
const FRAME_PATH = '/__device.html';

// root: the folder to serve (through scripts/serve.mjs); or upstream: the URL of a server
// already running (the TF.js peers' own), which this one fronts.
export async function startEngineServer({ root, upstream, headers = {} }) {
  const inner = upstream ? { url: upstream, close: async () => {} } : await startServer({ root, port: 0 });
  const innerUrl = new URL(inner.url);
  const faults = [];   // [{pattern, status}]
  const requests = []; // every path asked for, in order
  const server = http.createServer((req, res) => {
    const path = req.url.split(/[?#]/)[0];
    requests.push(path);
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    if (path === PROBE_PATH) {
      res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-cache' });
      return res.end(PROBE);
    }
    if (path === FRAME_PATH) {
      // A page that shows `src` in a w×h frame at its top-left corner: a phone's or a
      // tablet's viewport in any engine (MiniBrowser's window cannot be made 390 px wide).
      const query = new URL(req.url, 'http://x').searchParams;
      const [w, h] = [Number(query.get('w')), Number(query.get('h'))];
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      return res.end(`<!doctype html><meta charset="utf-8"><script src="${PROBE_PATH}"></script>` +
        `<body style="margin:0"><iframe id="device" style="border:0;display:block;width:${w}px;height:${h}px" ` +
        `src="${query.get('src').replaceAll('"', '&quot;')}"></iframe></body>`);
    }
    const fault = faults.find((f) => f.pattern.test(path));
    if (fault) {
      res.writeHead(fault.status, { 'Content-Type': 'text/plain', 'Access-Control-Allow-Origin': '*', 'Cache-Control': 'no-store' });
      return res.end(`fault injected by the test: ${fault.status}\n`);
    }
    const forward = http.request({ host: innerUrl.hostname, port: innerUrl.port, path: req.url, method: req.method,
      headers: req.headers }, (answer) => {
      const isHtml = /^text\/html/.test(answer.headers['content-type'] ?? '');
      if (!isHtml) {
        res.writeHead(answer.statusCode, answer.headers);
        return answer.pipe(res);
      }
      const chunks = [];
      answer.on('data', (c) => chunks.push(c));
      answer.on('end', () => {
        const html = Buffer.concat(chunks).toString('utf8');
        // Before any other script: right after <head> (or at the start when there is none).
        const tag = `<script src="${PROBE_PATH}"></script>`;
        const body = /<head[^>]*>/i.test(html) ? html.replace(/<head[^>]*>/i, (m) => m + tag) : tag + html;
        const out = { ...answer.headers };
        delete out['content-length'];
        res.writeHead(answer.statusCode, out);
        res.end(body);
      });
    });
    forward.on('error', (e) => { res.writeHead(502); res.end(String(e)); });
    req.pipe(forward);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/`;
  return {
    url,
    requests,
    fail(pattern, status) { faults.push({ pattern, status }); },
    heal() { faults.length = 0; },
    async close() {
      await new Promise((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
      await inner.close();
    },
  };
}
