// Figures of the in-tab page, measured in headless Chromium against build/web:
// samples/s per preset for one epoch, navigation -> first training step with MNIST cached,
// page weight without MNIST (gzip), MNIST bytes on first visit and on reload, peak WASM heap.
//   node bench/page-figures.mjs [preset ...]     (after scripts/build-web.sh)
// Prints a table and writes bench/results/page-figures.json.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { execSync } from 'node:child_process';
import { openBrowser, WEB_ROOT } from '../tests/browser/harness.mjs';

const presets = process.argv.slice(2).length ? process.argv.slice(2) : ['mlp-300-100', 'mlp-128-128', 'mlp-256', 'cnn-16-8'];

function pageWeight() {
  let bytes = 0;
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const rel = relative(WEB_ROOT, path);
      if (rel.startsWith('data') || rel.startsWith('models')) continue;
      if (statSync(path).isDirectory()) walk(path);
      else bytes += gzipSync(readFileSync(path), { level: 9 }).length;
    }
  };
  walk(WEB_ROOT);
  return bytes;
}

const session = await openBrowser();
const { page, url } = session;
let transferred = 0;
page.on('response', async (r) => {
  if (/\/data\/.*\.gz$/.test(r.url())) transferred += Number(r.headers()['content-length'] ?? 0);
});
const ready = () => page.waitForFunction(() => /MNIST ready/.test(document.getElementById('data-status').textContent), null, { timeout: 120_000 });

await page.goto(`${url}index.html`);
await ready();
const firstVisitBytes = transferred;

const rows = [];
for (const preset of presets) {
  transferred = 0;
  const t0 = Date.now();
  await page.goto(`${url}index.html#preset=${preset}&epochs=1`);
  await page.reload(); // a navigation with the hash set: the data now comes from the cache
  const navStart = await page.evaluate(() => performance.timeOrigin);
  await page.waitForFunction(() => !document.getElementById('train').disabled, null, { timeout: 120_000 });
  await page.click('#train');
  await page.waitForFunction(() => window.digitrain.reports.batchGroups > 0, null, { timeout: 120_000 });
  const firstStepMs = Date.now() - navStart;
  await page.waitForFunction(() => /Training (finished|stopped)/.test(document.getElementById('train-message').textContent), null, { timeout: 1_800_000, polling: 500 });
  const figures = await page.evaluate(() => ({
    samplesPerSecond: Number(document.getElementById('stat-speed').textContent.replace(/,/g, '')),
    message: document.getElementById('train-message').textContent,
    peakHeapBytes: window.digitrain.peakHeapBytes,
  }));
  rows.push({ preset, ...figures, firstStepMs, reloadDataBytes: transferred, wallSeconds: (Date.now() - t0) / 1000 });
  console.error(`${preset}: ${figures.samplesPerSecond} samples/s, first step ${firstStepMs} ms after navigation`);
}
await session.close();

const result = {
  date: new Date().toISOString(),
  cpu: execSync("lscpu | sed -n 's/^Model name: *//p'").toString().trim(),
  chromium: execSync('/usr/bin/chromium --version 2>/dev/null || true').toString().trim(),
  pageWeightGzipBytes: pageWeight(),
  firstVisitMnistBytes: firstVisitBytes,
  rows,
};
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/page-figures.json', import.meta.url), JSON.stringify(result, null, 2));
console.log(`page weight without MNIST (gzip): ${result.pageWeightGzipBytes} bytes; MNIST first visit: ${firstVisitBytes} bytes`);
console.log('| preset | samples/s (1 epoch) | navigation -> first step (cached) | MNIST bytes on reload | peak WASM heap |');
console.log('|---|---:|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.preset} | ${r.samplesPerSecond.toLocaleString('en')} | ${Math.round(r.firstStepMs)} ms | ${r.reloadDataBytes} | ${(r.peakHeapBytes / 2 ** 20).toFixed(0)} MiB |`);
