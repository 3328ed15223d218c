// Digitrain in headless Chromium on WASM: serves the repository root, opens
// bench/chromium/page.html in Debian's Chromium (tests/browser/harness.mjs: same binary and
// flags as the browser tests) and prints the page's results as JSON lines on stdout.
//   node bench/chromium/run-chromium.mjs [options: ../lib/wasm-args.mjs] [--timeout-s N] PRESET...
import { openBrowser } from '../../tests/browser/harness.mjs';
import { REPO } from '../lib/paths.mjs';
import { parseWasmBenchArgs } from '../lib/wasm-args.mjs';

// Its own options: how long the page may take before the run counts as failed, and
// --threads N|auto: the threaded build (build/wasm-threads) on a cross-origin isolated page
// (auto: the tab's cores, at most 4), reported as chromium-wasm-threads.
const { opts, presets } = parseWasmBenchArgs({ 'timeout-s': { type: 'string', default: '3600' },
  threads: { type: 'string', default: '' } });

const session = await openBrowser({ root: REPO, crossOriginIsolated: Boolean(opts.threads) });
try {
  const { page, url, browser, errors } = session;
  const chromium = browser.version();
  let finish;
  const done = new Promise((resolve) => { finish = resolve; });
  page.on('console', (message) => {
    const text = message.text();
    if (text.startsWith('BENCHJSON ')) console.log(JSON.stringify({ ...JSON.parse(text.slice(10)), chromium }));
    else if (text.startsWith('BENCHLOG ')) console.error(`${opts.threads ? 'chromium-wasm-threads' : 'chromium-wasm'} ${text.slice(9)}`);
    else if (text === 'BENCHDONE') finish();
  });
  page.on('crash', () => finish());
  const query = new URLSearchParams({
    presets: presets.join(','), limit: opts.limit, stepsPerCall: opts['steps-per-call'], repeats: opts.repeats,
    predictCalls: opts['predict-calls'], gemmMinMs: opts['gemm-min-ms'], gemmSamples: opts['gemm-samples'],
    gemm: opts['no-gemm'] ? '0' : '1', threads: opts.threads,
  });
  await page.goto(`${url}bench/chromium/page.html?${query}`);
  let timer;
  const timedOut = new Promise((resolve) => { timer = setTimeout(() => resolve('timeout'), Number(opts['timeout-s']) * 1000); });
  const outcome = await Promise.race([done, timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') throw new Error(`the bench page did not finish in ${opts['timeout-s']} s`);
  if (errors.length) {
    console.log(JSON.stringify({ kind: 'error', runtime: opts.threads ? 'chromium-wasm-threads' : 'chromium-wasm', error: errors.join('; ') }));
  }
} finally {
  await session.close();
}
