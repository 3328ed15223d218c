// The peers of issue #6, run from ../shared/peers in the same invocation as Digitrain (timings
// on this shared machine drift by up to 2x, so only same-run ratios mean something):
//   PyTorch CPU, 1 and 2 threads, OpenBLAS      beside the native build
//   jax-js 0.1.25 wasm backend in Node / Chromium (issue 19; ../shared/peers/jaxjs, when its
//                                               package is installed in PEERBENCH_DIR)
//   TF.js 4.22 wasm backend in Node / Chromium  beside Digitrain's WASM build there
//   TF.js cpu backend for the CNN               (the wasm backend cannot train it), on a
//                                               partial epoch, as the peers' run-all.sh does
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { failureText, runJsonLines } from './lib/child.mjs';
import { PEERBENCH_DIR, PEERS_DIR } from './lib/paths.mjs';

// Digitrain's preset names and the peers' names for the same models.
export const PEER_MODEL = { 'mlp-300-100': 'mlp300', 'mlp-128-128': 'mlp128', 'mlp-256': 'mlp256', 'cnn-16-8': 'cnn' };

// Why the peers cannot run, or null when they can.
export function peersUnavailable() {
  if (!existsSync(PEERS_DIR)) return `${PEERS_DIR} does not exist: Digitrain ran alone`;
  if (!existsSync(join(PEERBENCH_DIR, 'node_modules/@tensorflow/tfjs'))) {
    return `${PEERBENCH_DIR} has no TF.js: run bash bench/setup-peers.sh`;
  }
  return null;
}

const OPENBLAS = '/usr/lib/x86_64-linux-gnu/openblas-pthread';
const TFJS_RUNNERS = {
  'node-wasm': { runtime: 'node', script: 'run-node.js' },
  'chromium-wasm': { runtime: 'chromium', script: 'run-browser.js' },
  // The peers' page in Firefox and WebKit through this bench's own engine driver; the cpu
  // CNN is left out there (5,500 images take ~3 min in Chromium and longer elsewhere).
  'firefox-wasm': { runtime: 'firefox', engine: 'firefox' },
  'webkit-wasm': { runtime: 'webkit', engine: 'webkit' },
};
const JAXJS_RUNNERS = {
  'node-wasm': { runtime: 'node', script: 'run-node.js' },
  'chromium-wasm': { runtime: 'chromium', script: 'run-browser.js' },
};
const RUN_ENGINE = fileURLToPath(new URL('./engines/run-engine.mjs', import.meta.url));

// The peer cases for one environment. `trainLimit` (quick runs) shortens every epoch;
// `cnnLimit`/`cnnLimitNode` are the partial epochs of the TF.js cpu CNN (a full epoch takes
// ~25 min in Chromium and ~2 h in Node, where tfjs-cpu is 4x slower).
export function peerCases(environment, presets, { trainLimit = 0, cnnLimit = 5500, cnnLimitNode = 1100, cnnOnCpu = true } = {}) {
  const models = presets.map((p) => PEER_MODEL[p]).filter(Boolean);
  const mlps = models.filter((m) => m !== 'cnn');
  const hasCnn = models.includes('cnn');
  const limit = trainLimit ? { TRAIN_LIMIT: String(trainLimit) } : {};
  const cases = [];
  if (environment === 'native' && models.length) {
    cases.push({ name: 'pytorch-cpu-1-thread-openblas', command: '/usr/bin/python3', cwd: join(PEERS_DIR, 'pytorch'),
      args: ['train.py', '--threads', '1', '--models', models.join(','), '--data', join(PEERBENCH_DIR, 'mnist'),
        ...(trainLimit ? ['--limit', String(trainLimit)] : [])],
      // OpenBLAS for this process only (pytorch/README.md); its own threads off: 1 thread total.
      env: { LD_LIBRARY_PATH: OPENBLAS, OPENBLAS_NUM_THREADS: '1' } });
    // Two intra-op threads (issue 19: the threaded tab against PyTorch's own 2 threads);
    // OpenBLAS' threads stay off, so PyTorch alone splits the work.
    cases.push({ name: 'pytorch-cpu-2-threads-openblas', command: '/usr/bin/python3', cwd: join(PEERS_DIR, 'pytorch'),
      args: ['train.py', '--threads', '2', '--models', models.join(','), '--data', join(PEERBENCH_DIR, 'mnist'),
        ...(trainLimit ? ['--limit', String(trainLimit)] : [])],
      env: { LD_LIBRARY_PATH: OPENBLAS, OPENBLAS_NUM_THREADS: '1' } });
  }
  const tfjs = TFJS_RUNNERS[environment];
  if (!tfjs) return cases.concat(jaxjsCases(environment, mlps, limit));
  const tfjsCase = (backend, caseModels, env) => (tfjs.engine ? {
    name: `tfjs-${tfjs.runtime}-${backend}`, command: process.execPath, cwd: PEERS_DIR,
    args: [RUN_ENGINE, '--engine', tfjs.engine, '--tfjs', caseModels.join(','), '--tfjs-backend', backend,
      ...(env.TRAIN_LIMIT ? ['--limit', env.TRAIN_LIMIT] : [])],
  } : {
    name: `tfjs-${tfjs.runtime}-${backend}`, command: process.execPath, cwd: PEERS_DIR, args: [tfjs.script],
    env: { BACKEND: backend, MODELS: caseModels.join(','), EPOCHS: '1', PEERBENCH_DIR, ...env } });
  if (mlps.length) cases.push(tfjsCase('wasm', mlps, limit));
  if (hasCnn && cnnOnCpu && !tfjs.engine) {
    const cnnImages = tfjs.runtime === 'node' ? cnnLimitNode : cnnLimit;
    cases.push(tfjsCase('cpu', ['cnn'], { TRAIN_LIMIT: String(trainLimit ? Math.min(trainLimit, cnnImages) : cnnImages) }));
  }
  // After TF.js: the comparison table's peer is an environment's first case (peerResult).
  return cases.concat(jaxjsCases(environment, mlps, limit));
}

// jax-js' wasm backend, one thread (no COOP/COEP in Chromium), the MLPs: its CNN trains at
// ~60 samples/s, a full epoch would take 15 minutes. Its Node run has no relaxed SIMD
// (Node 20 lacks it by default); Chromium's has (jaxjs/README.md). Only when its package is
// installed (bench/setup-peers.sh).
function jaxjsCases(environment, mlps, limit) {
  const jaxjs = JAXJS_RUNNERS[environment];
  if (!jaxjs || !mlps.length || !existsSync(join(PEERBENCH_DIR, 'node_modules/@jax-js/jax'))) return [];
  return [{ name: `jaxjs-${jaxjs.runtime}-wasm`, command: process.execPath, cwd: join(PEERS_DIR, 'jaxjs'),
    args: [jaxjs.script], env: { BACKEND: 'wasm', MODELS: mlps.join(','), EPOCHS: '1', SEED: '1', PEERBENCH_DIR, ...limit } }];
}

// Runs one case; resolves to {case, seconds, results: [peer JSON], error?}.
export async function runPeerCase(peerCase, { timeoutS = 3600 } = {}) {
  const run = await runJsonLines(peerCase.command, peerCase.args,
    { cwd: peerCase.cwd, env: peerCase.env, timeoutS, label: peerCase.name });
  const failed = run.results.filter((r) => r.error).map((r) => `${r.model ?? ''}: ${r.error.split('\n')[0]}`);
  const error = failureText(run);
  return { case: peerCase.name, env: peerCase.env, seconds: run.seconds, results: run.results,
    ...(error || failed.length ? { error: [error, ...failed].filter(Boolean).join('; ') } : {}) };
}
