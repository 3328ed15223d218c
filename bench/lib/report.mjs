// The bench's results as markdown: the tables bench/README.md shows and `npm run bench`
// prints. Pure: results object in, text out.
import { batchRate, predictOneMs, testAccuracy, trainingRate } from './figures.mjs';
import { PEER_MODEL } from '../peers.mjs';

const ENVIRONMENT_LABEL = { native: 'native', 'node-wasm': 'Node, WASM', 'chromium-wasm': 'Chromium, WASM',
  'chromium-wasm-threads': 'Chromium, WASM threads',
  'firefox-wasm': 'Firefox, WASM', 'webkit-wasm': 'WebKit, WASM' };
// Issue #14: each engine's training samples/s as a share of Chromium's, in the same run.
const TARGET_VS_CHROMIUM = { 'firefox-wasm': 3 / 4, 'webkit-wasm': 2 / 3 };
const ENGINE_ENVIRONMENTS = ['chromium-wasm', 'firefox-wasm', 'webkit-wasm'];
// The targets of issue #6 (Chromium unless said otherwise).
const TARGET_SAMPLES_PER_S = { 'mlp-300-100': 30000, 'mlp-128-128': 50000, 'mlp-256': 40000, 'cnn-16-8': 5000 };
const TARGET_VS_PYTORCH = { 'mlp-300-100': 2, 'mlp-128-128': 2, 'mlp-256': 1.3, 'cnn-16-8': 2 };
const TARGET_CEILING_SHARE = 0.85;
const TARGET_PREDICT_MS = (preset) => (preset.startsWith('cnn') ? 0.1 : 0.04);
const TARGET_BATCH_VS_TFJS = 1.5;
const TARGET_PAGE_WEIGHT = 160_000; // issue 13: the diagram and the help texts within 160 KB
const TARGET_FIRST_STEP_MS = 1000;

const int = (x) => (x == null ? '–' : Math.round(x).toLocaleString('en'));
const ms = (x) => (x == null ? '–' : x < 1 ? x.toFixed(3) : x.toFixed(1));
const times = (x) => (x == null || !isFinite(x) ? '–' : `${x >= 10 ? x.toFixed(0) : x.toFixed(1)}×`);
const percent = (x) => (x == null ? '–' : `${Math.round(x * 100)} %`);
const rate = (r) => (r ? `${int(r.value)}${r.estimated ? ' (est.)' : ''}` : '–');
const mib = (bytes) => (bytes == null ? '–' : `${Math.round(bytes / 2 ** 20)} MiB`);

export function digitrainResult(results, environment, preset) {
  return (results.digitrain[environment] ?? []).find((r) => r.preset === preset && !r.error) ?? null;
}

// The peer result Digitrain is compared with in an environment, and what it is.
export function peerResult(results, environment, preset) {
  const model = PEER_MODEL[preset];
  for (const peerCase of results.peers[environment] ?? []) {
    const r = peerCase.results.find((x) => x.model === model);
    if (!r) continue;
    if (r.error) return { result: null, label: `${peerCase.case}: failed`, error: r.error };
    const partial = r.train_samples < 55000 ? `, ${int(r.train_samples)}-image partial epoch` : '';
    const backend = r.runtime === 'pytorch-cpu' ? 'PyTorch, 1 thread' : `TF.js ${r.backend}`;
    return { result: r, label: `${backend}${partial}` };
  }
  return null;
}

function gemmModel(results, environment, preset) {
  return results.gemm[environment]?.models?.find((m) => m.preset === preset) ?? null;
}

function comparisonTable(results) {
  const lines = [
    '| preset | where | peer | training samples/s: Digitrain · peer · ratio | 1-image predict ms: Digitrain · peer · ratio | batch predict img/s: Digitrain · peer · ratio |',
    '|---|---|---|---|---|---|',
  ];
  for (const preset of results.config.presets) {
    for (const environment of results.config.environments) {
      const ours = digitrainResult(results, environment, preset);
      const peer = peerResult(results, environment, preset);
      const theirs = peer?.result;
      const train = trainingRate(ours), peerTrain = trainingRate(theirs);
      const one = predictOneMs(ours), peerOne = predictOneMs(theirs);
      const batch = batchRate(ours), peerBatch = batchRate(theirs);
      lines.push(`| ${preset} | ${ENVIRONMENT_LABEL[environment]} | ${peer?.label ?? '–'} | ` +
        `${rate(train)} · ${rate(peerTrain)} · **${times(peerTrain && train && train.value / peerTrain.value)}** | ` +
        `${ms(one)} · ${ms(peerOne)} · **${times(peerOne && one && peerOne / one)}** | ` +
        `${int(batch)} · ${int(peerBatch)} · **${times(peerBatch && batch && batch / peerBatch)}** |`);
    }
  }
  return lines.join('\n');
}

function ceilingTable(results) {
  const lines = [
    '| preset | FLOPs/sample (fwd+bwd) | where | GEMM GFLOP/s on its products | ceiling samples/s | measured samples/s | % of ceiling |',
    '|---|---:|---|---:|---:|---:|---:|',
  ];
  for (const preset of results.config.presets) {
    for (const environment of results.config.environments) {
      const g = gemmModel(results, environment, preset);
      if (!g) continue;
      const train = trainingRate(digitrainResult(results, environment, preset));
      lines.push(`| ${preset} | ${(g.train_flops_per_sample / 1e6).toFixed(2)} M | ${ENVIRONMENT_LABEL[environment]} | ` +
        `${g.gflops.toFixed(1)} | ${int(g.ceiling_samples_per_s)} | ${rate(train)} | ` +
        `${percent(train && train.value / g.ceiling_samples_per_s)} |`);
    }
  }
  return lines.join('\n');
}

function nativeVsWasmTable(results) {
  const lines = [
    '| preset | native samples/s | Node WASM | Chromium WASM | native ÷ Chromium | Chromium ÷ PyTorch (native) | peak WASM heap (Chromium) | test acc. (native / Chromium) |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const preset of results.config.presets) {
    const [native, node, chromium] = ['native', 'node-wasm', 'chromium-wasm'].map((e) => digitrainResult(results, e, preset));
    const [n, o, c] = [native, node, chromium].map(trainingRate);
    const pytorch = trainingRate(peerResult(results, 'native', preset)?.result);
    const acc = [native, chromium].map((r) => (testAccuracy(r) == null ? '–' : testAccuracy(r).toFixed(4))).join(' / ');
    lines.push(`| ${preset} | ${rate(n)} | ${rate(o)} | ${rate(c)} | ${times(n && c && n.value / c.value)} | ` +
      `${times(c && pytorch && c.value / pytorch.value)} | ${mib(chromium?.peak_heap_bytes)} | ${acc} |`);
  }
  const gflops = ['native', 'node-wasm', 'chromium-wasm'].map((e) => results.gemm[e]?.gflops);
  lines.push('', `GEMM kernel, GFLOP/s over all models' training products (FLOP-weighted): native ${gflops[0]?.toFixed(1) ?? '–'}, ` +
    `Node WASM ${gflops[1]?.toFixed(1) ?? '–'}, Chromium WASM ${gflops[2]?.toFixed(1) ?? '–'}.`);
  return lines.join('\n');
}

// The three browser engines side by side: Digitrain's training and predict figures, its
// share of Chromium's, TF.js wasm in the same engine, and the GEMM kernel alone.
function enginesTable(results) {
  const present = ENGINE_ENVIRONMENTS.filter((e) => results.config.environments.includes(e));
  if (present.length < 2) return '';
  const label = (e) => ENVIRONMENT_LABEL[e].replace(', WASM', '');
  const version = (e) => (results.digitrain[e] ?? []).find((r) => r.engine)?.engine;
  const lines = [
    `| preset | ${present.map((e) => `${label(e)}: samples/s (÷ Chromium) · TF.js wasm · 1-image ms · batch img/s`).join(' | ')} |`,
    `|---|${present.map(() => '---').join('|')}|`,
  ];
  const chromiumRate = (preset) => trainingRate(digitrainResult(results, 'chromium-wasm', preset))?.value;
  for (const preset of results.config.presets) {
    const cells = present.map((e) => {
      const ours = digitrainResult(results, e, preset);
      const train = trainingRate(ours);
      const share = e !== 'chromium-wasm' && train && chromiumRate(preset) ? ` (${percent(train.value / chromiumRate(preset))})` : '';
      const peer = peerResult(results, e, preset);
      const peerTrain = peer?.result?.backend === 'wasm' ? trainingRate(peer.result) : null;
      return `${rate(train)}${share} · ${rate(peerTrain)} · ${ms(predictOneMs(ours))} · ${int(batchRate(ours))}`;
    });
    lines.push(`| ${preset} | ${cells.join(' | ')} |`);
  }
  const gflops = present.map((e) => `${label(e)} ${results.gemm[e]?.gflops?.toFixed(1) ?? '–'}`).join(', ');
  const versions = present.map((e) => version(e)).filter(Boolean).join(', ');
  lines.push('', `GEMM kernel alone, GFLOP/s over all models' training products (FLOP-weighted): ${gflops}.` +
    (versions ? ` Engines: ${versions}.` : ''));
  return lines.join('\n');
}

// One peer case's result for a preset, by the case's name (pytorch-cpu-2-threads-openblas,
// jaxjs-chromium-wasm, ...), or null.
function peerCaseResult(results, environment, caseName, preset) {
  const peerCase = (results.peers[environment] ?? []).find((c) => c.case === caseName);
  const r = peerCase?.results.find((x) => x.model === PEER_MODEL[preset]);
  return r && !r.error ? r : null;
}

// Issue 19: the threaded build in an isolated tab against the single-thread one, PyTorch on
// 1 and 2 threads, jax-js' wasm backend (one thread) and TF.js wasm, all from this run.
function threadsTable(results) {
  if (!results.config.environments.includes('chromium-wasm-threads')) return '';
  const threads = (results.digitrain['chromium-wasm-threads'] ?? []).find((r) => r.env?.threads)?.env.threads ?? '?';
  const lines = [
    `| preset | Chromium 1 thread | Chromium ${threads} threads | speed-up | PyTorch 1 thread | PyTorch 2 threads | ` +
      `${threads} threads ÷ PyTorch 1 · 2 | TF.js wasm | jax-js wasm (Chromium) | 1 thread ÷ jax-js | ${threads} threads ÷ jax-js |`,
    '|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|',
  ];
  for (const preset of results.config.presets) {
    const one = trainingRate(digitrainResult(results, 'chromium-wasm', preset))?.value;
    const many = trainingRate(digitrainResult(results, 'chromium-wasm-threads', preset))?.value;
    const torch1 = trainingRate(peerCaseResult(results, 'native', 'pytorch-cpu-1-thread-openblas', preset))?.value;
    const torch2 = trainingRate(peerCaseResult(results, 'native', 'pytorch-cpu-2-threads-openblas', preset))?.value;
    const tfjs = trainingRate(peerCaseResult(results, 'chromium-wasm', 'tfjs-chromium-wasm', preset))?.value;
    const jax = trainingRate(peerCaseResult(results, 'chromium-wasm', 'jaxjs-chromium-wasm', preset))?.value;
    const ratio = (a, b) => times(a && b && a / b);
    lines.push(`| ${preset} | ${int(one)} | ${int(many)} | **${ratio(many, one)}** | ${int(torch1)} | ${int(torch2)} | ` +
      `${ratio(many, torch1)} · ${ratio(many, torch2)} | ${int(tfjs)} | ${int(jax)} | ${ratio(one, jax)} | ${ratio(many, jax)} |`);
  }
  return lines.join('\n');
}

function pageLines(results) {
  const page = results.page;
  if (!page) return 'Page figures: not measured in this run.';
  if (page.unavailable) return `Page figures: unavailable (${page.unavailable}).`;
  const steps = page.rows.map((r) => `${r.preset} ${Math.round(r.first_step_ms)} ms`).join(', ');
  const onDemand = page.on_demand_gzip_bytes ? ` (${page.page_files.length} files; the TF.js converter, fetched ` +
    `only when a TF.js model is opened or saved, adds ${int(page.on_demand_gzip_bytes)})` : '';
  return `Page weight without MNIST and the model: ${int(page.page_weight_gzip_bytes)} bytes gzip${onDemand}; ` +
    `MNIST on the first visit: ${int(page.first_visit_mnist_bytes)} bytes (0 on reload: ` +
    `${page.rows.every((r) => r.reload_mnist_bytes === 0) ? 'yes' : 'no'}); navigation → first training step with ` +
    `MNIST cached: ${steps}.`;
}

// [{target, figure, verdict}] for issue #6's targets; a target whose figures are missing
// says so instead of passing or failing.
export function targets(results) {
  const rows = [];
  const verdict = (ok) => (ok == null ? 'not measured' : ok ? 'met' : 'short');
  const add = (target, figure, ok) => rows.push({ target, figure, verdict: verdict(ok) });
  for (const preset of results.config.presets) {
    const chromium = digitrainResult(results, 'chromium-wasm', preset);
    const c = trainingRate(chromium);
    add(`${preset}: Chromium ≥ ${int(TARGET_SAMPLES_PER_S[preset])} samples/s`, rate(c), c && c.value >= TARGET_SAMPLES_PER_S[preset]);
    const g = gemmModel(results, 'chromium-wasm', preset);
    const share = c && g && c.value / g.ceiling_samples_per_s;
    add(`${preset}: Chromium ≥ ${percent(TARGET_CEILING_SHARE)} of the GEMM ceiling`, percent(share), share == null ? null : share >= TARGET_CEILING_SHARE);
    const n = trainingRate(digitrainResult(results, 'native', preset));
    const pytorch = trainingRate(peerResult(results, 'native', preset)?.result);
    const vs = n && pytorch && n.value / pytorch.value;
    add(`${preset}: native ≥ ${TARGET_VS_PYTORCH[preset]}× PyTorch (1 thread, OpenBLAS)`, times(vs), vs == null ? null : vs >= TARGET_VS_PYTORCH[preset]);
    const one = predictOneMs(chromium);
    add(`${preset}: 1-image predict ≤ ${TARGET_PREDICT_MS(preset)} ms (Chromium)`, one == null ? '–' : `${ms(one)} ms`,
      one == null ? null : one <= TARGET_PREDICT_MS(preset));
    const peerBatch = batchRate(peerResult(results, 'chromium-wasm', preset)?.result);
    const batchVs = peerBatch && batchRate(chromium) && batchRate(chromium) / peerBatch;
    add(`${preset}: batch predict ≥ ${TARGET_BATCH_VS_TFJS}× TF.js (Chromium)`, times(batchVs), batchVs == null ? null : batchVs >= TARGET_BATCH_VS_TFJS);
  }
  for (const environment of Object.keys(TARGET_VS_CHROMIUM)) {
    if (!results.config.environments.includes(environment)) continue;
    for (const preset of results.config.presets) {
      const c = trainingRate(digitrainResult(results, 'chromium-wasm', preset));
      const e = trainingRate(digitrainResult(results, environment, preset));
      const share = c && e && e.value / c.value;
      add(`${preset}: ${ENVIRONMENT_LABEL[environment].replace(', WASM', '')} ≥ ${Math.round(TARGET_VS_CHROMIUM[environment] * 100)} % of Chromium's samples/s (issue #14)`,
        percent(share), share == null ? null : share >= TARGET_VS_CHROMIUM[environment]);
    }
  }
  const page = results.page && !results.page.unavailable ? results.page : null;
  add(`page weight without MNIST ≤ ${int(TARGET_PAGE_WEIGHT)} bytes gzip`, page ? int(page.page_weight_gzip_bytes) : '–',
    page ? page.page_weight_gzip_bytes <= TARGET_PAGE_WEIGHT : null);
  const slowest = page?.rows.length ? Math.max(...page.rows.map((r) => r.first_step_ms)) : null;
  add(`navigation → first step ≤ ${TARGET_FIRST_STEP_MS} ms, MNIST cached`, slowest == null ? '–' : `${Math.round(slowest)} ms (slowest preset)`,
    slowest == null ? null : slowest <= TARGET_FIRST_STEP_MS);
  return rows;
}

function targetsTable(results) {
  return ['| target (issues #6, #14) | this run | |', '|---|---:|---|',
    ...targets(results).map((t) => `| ${t.target} | ${t.figure} | ${t.verdict} |`)].join('\n');
}

function header(results) {
  const s = results.system;
  const mode = results.config.quick || results.config.limit
    ? `**Quick run** (training on ${int(results.config.limit)} images; samples/s extrapolated to a full epoch, marked est.). `
    : '';
  return [
    `${mode}Run ${s.date.slice(0, 16).replace('T', ' ')} UTC, Digitrain ${s.digitrain_commit}${s.digitrain_core_changed ? ' (plus uncommitted core changes)' : ''}, ` +
      `${Math.round(results.seconds ?? 0)} s in all.`,
    `Machine: ${s.cpu}, ${s.cores} cores, SIMD ${s.simd.join(' ')}; load average ${s.load_average_start.join(' ')} at the start. ` +
      `Versions: ${(s.chromium ?? 'Chromium ?').replace(/ built on.*/, '')}, Node ${s.node}, ` +
      `Emscripten ${/\d+\.\d+\.\d+/.exec(s.emscripten ?? '')?.[0] ?? '?'}, g++ ${/\d+\.\d+\.\d+$/.exec(s.gxx ?? '')?.[0] ?? '?'}, ` +
      `TF.js ${s.tfjs ?? '–'}, PyTorch ${s.torch ?? '–'}.`,
    results.peersNote ? `Peers: ${results.peersNote}.` : '',
  ].filter(Boolean).join('\n');
}

// How long each part took and the load it met: a ratio measured under load 3 is weaker.
function partsLine(results) {
  return `Parts (seconds, load average at the end): ${results.parts.map((p) =>
    `${p.name} ${Math.round(p.seconds)} s (${p.load_average_end[0]})`).join(', ')}.`;
}

export function markdownReport(results) {
  const failures = results.failures.length
    ? ['**Failures in this run:**', ...results.failures.map((f) => `- ${f.part}: ${f.error}`)].join('\n')
    : '';
  return [
    header(results),
    '### Digitrain and its peers',
    'Ratio: how many times faster Digitrain is (peer time ÷ Digitrain time). Training: one epoch of 55,000 images with the ' +
      '5,000-image validation pass' + ((results.config.repeats ?? 1) > 1 ? `; Digitrain's figure is the median of ${results.config.repeats} ` +
      'such epochs, each from a fresh model (the peers run theirs once)' : '') + '. 1-image predict: the mean of one loop of calls. ' +
      'Batch: the 10,000 test images in calls of 1,000.',
    comparisonTable(results),
    '### What the GEMM kernel allows',
    'Ceiling: the epoch time if the model\'s training and validation products (a convolution counted as im2col products) ' +
      'ran at the speed the GEMM kernel reaches on those shapes and everything else took no time. It counts every product ' +
      'dense; the MLPs\' first layer skips MNIST\'s zero pixels (81 % of them), so they can train above it.',
    ceilingTable(results),
    enginesTable(results) ? '### Every browser engine' : '',
    enginesTable(results),
    threadsTable(results) ? '### Threads in the tab (issue 19)' : '',
    threadsTable(results) ? 'Training samples/s, one epoch with validation. Chromium with threads: the threaded build on a ' +
      'cross-origin isolated page. jax-js: its wasm backend on one thread (relaxed SIMD in Chromium).' : '',
    threadsTable(results),
    '### Native and WASM',
    nativeVsWasmTable(results),
    '### The page',
    pageLines(results),
    '### Targets',
    targetsTable(results),
    partsLine(results),
    failures,
  ].filter(Boolean).join('\n\n');
}
