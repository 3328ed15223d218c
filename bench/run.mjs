// npm run bench: Digitrain natively, in Node (WASM) and in headless Chromium (WASM), each
// beside its peers in the same invocation, the GEMM ceiling, the page's own figures; then
// the tables. Built by scripts/bench.sh, which calls this. Knobs: lib/config.mjs, README.md.
//   node bench/run.mjs
// Writes bench/results/<date>.json (gitignored); a complete run also rewrites the results
// section of bench/README.md and bench/results-latest.json.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { failureText, runJsonLines } from './lib/child.mjs';
import { readConfig } from './lib/config.mjs';
import { MNIST_DIR, REPO } from './lib/paths.mjs';
import { markdownReport } from './lib/report.mjs';
import { loadAverage, systemInfo } from './lib/system.mjs';
import { peerCases, peersUnavailable, runPeerCase } from './peers.mjs';

const BENCH = join(REPO, 'bench');
const config = readConfig();
const started = Date.now();
const results = { config, system: systemInfo(), digitrain: {}, gemm: {}, peers: {}, page: null, failures: [], parts: [] };
const log = (message) => console.error(`bench: ${message}`);

// One part as a child process; its JSON lines go where `keep` puts them.
async function part(name, command, args, keep, options = {}) {
  log(`${name} (load ${loadAverage().join(' ')})`);
  const run = await runJsonLines(command, args, { cwd: REPO, timeoutS: config.timeoutS, label: name, ...options });
  results.parts.push({ name, seconds: run.seconds, load_average_end: loadAverage() });
  for (const r of run.results) {
    if (r.kind === 'error' || r.error) results.failures.push({ part: name, error: r.error });
    else keep(r);
  }
  if (run.error) results.failures.push({ part: name, error: failureText(run) });
}

const sharedArgs = ['--limit', String(config.limit), '--predict-calls', String(config.predictCalls),
  '--repeats', String(config.repeats)];
const gemmArgs = ['--min-ms', String(config.gemmMinMs), '--samples', String(config.gemmSamples)];
const wasmArgs = [...sharedArgs, '--steps-per-call', String(config.stepsPerCall),
  '--gemm-min-ms', String(config.gemmMinMs), '--gemm-samples', String(config.gemmSamples), ...config.presets];
const keepInto = (environment) => (r) => {
  if (r.kind === 'gemm' || (r.models && r.shapes)) results.gemm[environment] = r;
  else (results.digitrain[environment] ??= []).push(r);
};

const digitrainParts = {
  native: async () => {
    await part('digitrain native', join(REPO, 'build/native/bench/digitrain_model_bench'),
      ['--data', MNIST_DIR, ...sharedArgs, ...config.presets], keepInto('native'));
    await part('gemm native', join(REPO, 'build/native/bench/digitrain_gemm_bench'), [...gemmArgs, ...config.presets], keepInto('native'));
  },
  'node-wasm': () => part('digitrain node-wasm', process.execPath, [join(BENCH, 'wasm/run-node.mjs'), ...wasmArgs], keepInto('node-wasm')),
  'chromium-wasm': () => part('digitrain chromium-wasm', process.execPath,
    [join(BENCH, 'chromium/run-chromium.mjs'), ...wasmArgs, '--timeout-s', String(config.timeoutS)],
    keepInto('chromium-wasm')),
  // The threaded build on a cross-origin isolated page, as many threads as the tab has
  // cores (at most 4); no GEMM ceiling (the kernel is the same).
  'chromium-wasm-threads': () => part('digitrain chromium-wasm-threads', process.execPath,
    [join(BENCH, 'chromium/run-chromium.mjs'), ...wasmArgs, '--threads', 'auto', '--no-gemm', '--timeout-s', String(config.timeoutS)],
    keepInto('chromium-wasm-threads')),
  // Firefox (BiDi) and WebKit (WebDriver) through the cross-engine test driver, same page.
  'firefox-wasm': () => part('digitrain firefox-wasm', process.execPath,
    [join(BENCH, 'engines/run-engine.mjs'), '--engine', 'firefox', ...wasmArgs, '--timeout-s', String(config.timeoutS)],
    keepInto('firefox-wasm')),
  'webkit-wasm': () => part('digitrain webkit-wasm', process.execPath,
    [join(BENCH, 'engines/run-engine.mjs'), '--engine', 'webkit', ...wasmArgs, '--timeout-s', String(config.timeoutS)],
    keepInto('webkit-wasm')),
};

const noPeers = config.skipPeers ? 'skipped (BENCH_SKIP_PEERS=1)' : peersUnavailable();
results.peersNote = noPeers ?? (config.cnnOnCpu ? null : 'the TF.js cpu CNN was left out (quick run; BENCH_CNN_PEERS=1 runs it)');
if (noPeers) log(`peers: ${noPeers}`);

// Each environment's Digitrain part, then its peers right after, so both meet similar load.
for (const environment of config.environments) {
  await digitrainParts[environment]();
  if (noPeers) continue;
  for (const peerCase of peerCases(environment, config.presets, { trainLimit: config.limit, cnnLimit: config.cnnLimit,
    cnnLimitNode: config.cnnLimitNode, cnnOnCpu: config.cnnOnCpu })) {
    log(`peer ${peerCase.name} (load ${loadAverage().join(' ')})`);
    const run = await runPeerCase(peerCase, { timeoutS: config.timeoutS });
    (results.peers[environment] ??= []).push(run);
    results.parts.push({ name: peerCase.name, seconds: run.seconds, load_average_end: loadAverage() });
    if (run.error) results.failures.push({ part: peerCase.name, error: run.error });
  }
}

if (!config.skipPage) {
  await part('page figures', process.execPath, [join(BENCH, 'page-figures.mjs'), ...config.presets], (r) => { results.page = r; });
}

results.seconds = (Date.now() - started) / 1000;
results.system.load_average_end = loadAverage();
const report = markdownReport(results);
const stamp = results.system.date.replace(/[:.]/g, '-').slice(0, 19);
mkdirSync(join(BENCH, 'results'), { recursive: true });
writeFileSync(join(BENCH, 'results', `${stamp}.json`), JSON.stringify(results, null, 1));
if (config.writeReadme) {
  writeFileSync(join(BENCH, 'results-latest.json'), JSON.stringify(results, null, 1));
  replaceReadmeSection(report);
  log('bench/README.md and bench/results-latest.json updated');
}
console.log(report);
log(`done in ${Math.round(results.seconds)} s; raw results in bench/results/${stamp}.json`);

// The README keeps its hand-written parts; the results live between two markers.
function replaceReadmeSection(text) {
  const file = join(BENCH, 'README.md');
  const [start, end] = ['<!-- results:start -->', '<!-- results:end -->'];
  const readme = readFileSync(file, 'utf8');
  const from = readme.indexOf(start), to = readme.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${file}: the markers ${start} and ${end} are missing`);
  writeFileSync(file, `${readme.slice(0, from + start.length)}\n${text}\n${readme.slice(to)}`);
}
