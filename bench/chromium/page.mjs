// Digitrain in a browser tab on WASM (Chromium, Firefox, WebKit: nothing here is engine-specific): the same session-bench.mjs and gemm-ceiling.mjs as in Node,
// on the module the page ships, without COOP/COEP (as the widget is embedded), or the threaded
// build with them (?threads). Runs on the
// page's main thread: a worker runs the same V8 code at the same speed, and here nothing
// else competes for the thread. Reports through console lines that run-chromium.mjs reads:
// 'BENCHJSON {...}' per result, 'BENCHLOG ...', then 'BENCHDONE'.
import createDigitrain from '/build/wasm/digitrain.mjs';
import { benchPreset } from '../wasm/session-bench.mjs';
import { runGemmCeiling } from '../wasm/gemm-ceiling.mjs';

const query = new URLSearchParams(location.search);
const number = (name, fallback) => Number(query.get(name) ?? fallback);
const log = (message) => {
  console.log(`BENCHLOG ${message}`);
  document.getElementById('log').textContent += `${message}\n`;
};
// ?threads=N|auto: the threaded build (needs a cross-origin isolated page; run-chromium.mjs
// --threads), N threads or the tab's cores (at most 4, as web/worker.js does).
const threadsParam = query.get('threads') ?? '';
const threads = threadsParam === 'auto' ? Math.min(navigator.hardwareConcurrency, 4) : Number(threadsParam || 0);
// The runtime is Chromium's; run-engine.mjs relabels the other engines' lines.
const runtime = threads ? 'chromium-wasm-threads' : 'chromium-wasm';
const emit = (kind, result) => console.log(`BENCHJSON ${JSON.stringify({ kind, ...result, runtime })}`);

async function fetchBytes(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

try {
  const presets = (query.get('presets') ?? 'mlp-300-100,mlp-128-128,mlp-256,cnn-16-8').split(',').filter(Boolean);
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all(
    ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']
      .map((name) => fetchBytes(`/data/mnist/${name}`)));
  const mnist = { trainImages, trainLabels, testImages, testLabels };
  const build = threads ? '/build/wasm-threads/digitrain-threads' : '/build/wasm/digitrain';
  const wasmBinary = await fetchBytes(`${build}.wasm`);
  const create = threads ? (await import(`${build}.mjs`)).default : createDigitrain;
  const createModule = async () => {
    const dt = await create({ wasmBinary });
    if (threads) dt.setThreads(threads);
    return dt;
  };
  const env = { crossOriginIsolated: self.crossOriginIsolated, userAgent: navigator.userAgent, threads: threads || 1 };
  for (const preset of presets) {
    const result = await benchPreset(createModule, mnist, preset, {
      limit: number('limit', 0), stepsPerCall: number('stepsPerCall', 1000), predictCalls: number('predictCalls', 1000),
      repeats: number('repeats', 1),
    });
    emit('model', { ...result, env });
    log(`${preset}: ${Math.round(result.samples_per_s)} samples/s`);
  }
  if (query.get('gemm') !== '0') {
    // Imported only when asked for: a run without it needs no bench build.
    const { default: createGemmBench } = await import('/build/wasm/bench/digitrain_gemm_bench.mjs');
    const gemm = await runGemmCeiling(createGemmBench, { wasmBinary: await fetchBytes('/build/wasm/bench/digitrain_gemm_bench.wasm') },
      { presets, minMs: number('gemmMinMs', 20), samples: number('gemmSamples', 5) });
    emit('gemm', { ...gemm, env });
  }
} catch (err) {
  emit('error', { error: String(err?.stack ?? err) });
} finally {
  console.log('BENCHDONE');
}
