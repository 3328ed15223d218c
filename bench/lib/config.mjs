// The bench's knobs, from the environment (bench/README.md lists them).
const PRESETS = ['mlp-300-100', 'mlp-128-128', 'mlp-256', 'cnn-16-8'];
// chromium-threads: the threaded build (issue 19) in a cross-origin isolated tab.
const ENVIRONMENTS = { native: 'native', node: 'node-wasm', chromium: 'chromium-wasm', 'chromium-threads': 'chromium-wasm-threads',
  firefox: 'firefox-wasm', webkit: 'webkit-wasm' };

const list = (text) => (text ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const number = (text, fallback) => (text == null || text === '' ? fallback : Number(text));

export function readConfig(env = process.env) {
  const quick = env.BENCH_QUICK === '1';
  const presets = list(env.BENCH_MODELS).length ? list(env.BENCH_MODELS) : PRESETS;
  for (const p of presets) if (!PRESETS.includes(p)) throw new Error(`BENCH_MODELS: unknown preset '${p}' (known: ${PRESETS.join(', ')})`);
  const environmentNames = list(env.BENCH_ENVS).length ? list(env.BENCH_ENVS) : Object.keys(ENVIRONMENTS);
  for (const e of environmentNames) if (!ENVIRONMENTS[e]) throw new Error(`BENCH_ENVS: unknown '${e}' (known: ${Object.keys(ENVIRONMENTS).join(', ')})`);
  const config = {
    presets,
    environments: environmentNames.map((e) => ENVIRONMENTS[e]),
    quick,
    // Quick: a tenth of an epoch (the validation pass stays whole), short GEMM timings.
    limit: number(env.BENCH_LIMIT, quick ? 5500 : 0),
    stepsPerCall: number(env.BENCH_STEPS_PER_CALL, 1000),
    // Digitrain's training figure is the median of this many epochs, each from a fresh model:
    // on this shared VM one epoch's speed moves by ±10 % from one minute to the next.
    repeats: Math.max(1, number(env.BENCH_REPEATS, quick ? 1 : 3)),
    predictCalls: Math.max(1000, number(env.BENCH_PREDICT_CALLS, 1000)),
    gemmMinMs: number(env.BENCH_GEMM_MIN_MS, quick ? 10 : 20),
    gemmSamples: number(env.BENCH_GEMM_SAMPLES, quick ? 3 : 5),
    skipPeers: env.BENCH_SKIP_PEERS === '1',
    skipPage: env.BENCH_SKIP_PAGE === '1',
    // The TF.js cpu CNN trains at ~37 samples/s in Chromium and ~9 in Node: partial epochs.
    // Quick runs leave it out (its predict passes alone take minutes).
    cnnOnCpu: env.BENCH_CNN_PEERS ? env.BENCH_CNN_PEERS === '1' : !quick,
    cnnLimit: number(env.BENCH_CNN_LIMIT, 5500),
    cnnLimitNode: number(env.BENCH_CNN_LIMIT_NODE, 1100),
    timeoutS: number(env.BENCH_TIMEOUT_S, 3600),
  };
  // bench/README.md and bench/results-latest.json are rewritten only by a complete run,
  // unless BENCH_README=1 (or never, with 0).
  const complete = !quick && !config.limit && presets.length === PRESETS.length &&
    config.environments.length === Object.keys(ENVIRONMENTS).length && !config.skipPeers && !config.skipPage;
  config.writeReadme = env.BENCH_README ? env.BENCH_README === '1' : complete;
  return config;
}
