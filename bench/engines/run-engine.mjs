// Digitrain (or its TF.js peer) in Firefox or WebKit, through the cross-engine test driver
// (tests/engines/driver.mjs): the same bench page as in Chromium (../chromium/page.html, it
// is engine-neutral), or the peers' TF.js page. Prints JSON lines on stdout like
// run-chromium.mjs. The page's console lines reach Node through the probe that
// tests/engines/server.mjs injects (classic WebDriver cannot read the console).
//   node bench/engines/run-engine.mjs --engine webkit [../lib/wasm-args.mjs options] PRESET...
//   node bench/engines/run-engine.mjs --engine firefox --tfjs MODELS   (TF.js wasm, peers' page)
// JSC_* environment variables reach WebKit's web process (e.g. JSC_useOMGJIT=0).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import os from 'node:os';
import { openEngine } from '../../tests/engines/driver.mjs';
import { startEngineServer } from '../../tests/engines/server.mjs';
import { PEERBENCH_DIR, PEERS_DIR, REPO } from '../lib/paths.mjs';
import { parseWasmBenchArgs } from '../lib/wasm-args.mjs';

const { opts, presets } = parseWasmBenchArgs({
  engine: { type: 'string' }, tfjs: { type: 'string' }, 'tfjs-backend': { type: 'string', default: 'wasm' },
  'timeout-s': { type: 'string', default: '3600' },
});
const engineName = opts.engine;
if (!['chromium', 'firefox', 'webkit'].includes(engineName)) throw new Error('--engine chromium|firefox|webkit');
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('JSC_')));

let peerServer = null;
let server;
let url;
if (opts.tfjs) {
  // The peers' server (/nm/ = their node_modules, /mnist/, page.html), fronted by ours.
  const { startServer } = createRequire(import.meta.url)(join(PEERS_DIR, 'server.js'));
  peerServer = await startServer({ dir: PEERBENCH_DIR });
  server = await startEngineServer({ upstream: `http://127.0.0.1:${peerServer.port}/` });
  const query = new URLSearchParams({ backend: opts['tfjs-backend'], models: opts.tfjs, epochs: '1' });
  if (Number(opts.limit)) query.set('limit', opts.limit);
  url = `${server.url}page.html?${query}`;
} else {
  server = await startEngineServer({ root: REPO });
  const query = new URLSearchParams({
    presets: presets.join(','), limit: opts.limit, stepsPerCall: opts['steps-per-call'], repeats: opts.repeats,
    predictCalls: opts['predict-calls'], gemmMinMs: opts['gemm-min-ms'], gemmSamples: opts['gemm-samples'],
    gemm: opts['no-gemm'] ? '0' : '1',
  });
  url = `${server.url}bench/chromium/page.html?${query}`;
}

const engine = await openEngine(engineName, { env });
// As the peers label their runs ('chromium', 'node'), or as Digitrain's ('chromium-wasm').
const runtime = opts.tfjs ? engineName : `${engineName}-wasm`;
try {
  await engine.goto(url);
  const deadline = Date.now() + Number(opts['timeout-s']) * 1000;
  const [jsonTag, logTag, doneTag] = opts.tfjs ? ['PEERJSON ', 'PEERLOG ', 'PEERDONE'] : ['BENCHJSON ', 'BENCHLOG ', 'BENCHDONE'];
  for (let done = false; !done;) {
    if (Date.now() > deadline) throw new Error(`the bench page did not finish in ${opts['timeout-s']} s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const line of await engine.evaluate(() => window.__probe.takeLogs())) {
      if (line.startsWith(jsonTag)) {
        const result = JSON.parse(line.slice(jsonTag.length));
        const extra = opts.tfjs ? { runtime, engine: engine.version, loadavg_end: os.loadavg().map((x) => +x.toFixed(2)) }
          : { runtime, engine: engine.version };
        console.log(JSON.stringify({ ...result, ...extra }));
      } else if (line.startsWith(logTag)) console.error(`${runtime} ${line.slice(logTag.length)}`);
      else if (line === doneTag) done = true;
    }
  }
  const errors = (await engine.errors()).filter((e) => !/PEER|BENCH/.test(e));
  if (errors.length) console.log(JSON.stringify({ kind: 'error', runtime, error: errors.join('; ') }));
} finally {
  await engine.close();
  await server.close();
  peerServer?.server.close();
}
