// Digitrain in headless Chromium on WASM: serves the repository root, opens
// bench/chromium/page.html in Debian's Chromium (tests/browser/harness.mjs: same binary and
// flags as the browser tests) and prints the page's results as JSON lines on stdout.
//   node bench/chromium/run-chromium.mjs [--limit N] [--steps-per-call N] [--predict-calls N]
//                                        [--gemm-min-ms N] [--gemm-samples N] [--no-gemm] PRESET...
import { parseArgs } from 'node:util';
import { openBrowser } from '../../tests/browser/harness.mjs';
import { REPO } from '../lib/paths.mjs';

const { values: opts, positionals: presets } = parseArgs({
  allowPositionals: true,
  options: {
    limit: { type: 'string', default: '0' },
    'steps-per-call': { type: 'string', default: '1000' },
    'predict-calls': { type: 'string', default: '1000' },
    'gemm-min-ms': { type: 'string', default: '20' },
    'gemm-samples': { type: 'string', default: '5' },
    'no-gemm': { type: 'boolean', default: false },
    'timeout-s': { type: 'string', default: '3600' },
  },
});

const session = await openBrowser({ root: REPO });
try {
  const { page, url, browser, errors } = session;
  const chromium = browser.version();
  let finish;
  const done = new Promise((resolve) => { finish = resolve; });
  page.on('console', (message) => {
    const text = message.text();
    if (text.startsWith('BENCHJSON ')) console.log(JSON.stringify({ ...JSON.parse(text.slice(10)), chromium }));
    else if (text.startsWith('BENCHLOG ')) console.error(`chromium-wasm ${text.slice(9)}`);
    else if (text === 'BENCHDONE') finish();
  });
  page.on('crash', () => finish());
  const query = new URLSearchParams({
    presets: presets.join(','), limit: opts.limit, stepsPerCall: opts['steps-per-call'],
    predictCalls: opts['predict-calls'], gemmMinMs: opts['gemm-min-ms'], gemmSamples: opts['gemm-samples'],
    gemm: opts['no-gemm'] ? '0' : '1',
  });
  await page.goto(`${url}bench/chromium/page.html?${query}`);
  let timer;
  const timedOut = new Promise((resolve) => { timer = setTimeout(() => resolve('timeout'), Number(opts['timeout-s']) * 1000); });
  const outcome = await Promise.race([done, timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') throw new Error(`the bench page did not finish in ${opts['timeout-s']} s`);
  if (errors.length) console.log(JSON.stringify({ kind: 'error', runtime: 'chromium-wasm', error: errors.join('; ') }));
} finally {
  await session.close();
}
