// Figures of the in-tab page itself, in headless Chromium against build/web (made by
// scripts/build-web.sh): page weight without MNIST (each file the first visit fetched, but
// MNIST and the trained model, gzip -9; the TF.js converter, fetched on demand, apart),
// MNIST bytes on the first visit,
// and per preset the time from navigation to the first training step with MNIST cached.
// The page's own training speed is measured by the bench page (bench/chromium/) on the same
// module, with the peers' split; this only times what the user waits for.
//   node bench/page-figures.mjs [preset ...]    prints one JSON line
// A page that cannot be measured (say, its ids changed) gives {unavailable: reason}, so the
// rest of the bench still reports.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { openBrowser, WEB_ROOT } from '../tests/browser/harness.mjs';

// What the figures rely on in the page: its read-only window.digitrain hooks and the
// <digit-trainer> element's public API (its DOM is in a shadow root, ids are its own).
const PAGE = {
  dataReady: () => window.digitrain?.session?.dataReady === true,
  // Not awaited: train() resolves when training ends; the first step is what is timed.
  startTraining: () => { window.digitrain.trainer.train(); },
  firstStepDone: () => (window.digitrain?.reports?.batchGroups ?? 0) > 0,
};
const WAIT = { timeout: 60_000 };

// Every file of build/web but MNIST and the trained models, gzipped: an upper bound (the
// demo page does not load embed.html, say). The page weight proper is what the page fetched.
export function pageWeightGzipBytes(root = WEB_ROOT) {
  let bytes = 0;
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const rel = relative(root, path);
      if (rel.startsWith('data') || rel.startsWith('models')) continue;
      if (statSync(path).isDirectory()) walk(path);
      else bytes += gzipSync(readFileSync(path), { level: 9 }).length;
    }
  };
  walk(root);
  return bytes;
}

export async function measurePageFigures(presets) {
  let session;
  let stage = 'page weight';
  try {
    const folderWeight = pageWeightGzipBytes();
    stage = 'starting Chromium';
    session = await openBrowser();
    const { page, url } = session;
    let transferred = 0;
    const fetched = new Map(); // the first visit's page files: url -> gzip size
    page.on('response', async (r) => {
      const path = new URL(r.url()).pathname;
      if (/^\/data\/.*\.gz$/.test(path)) transferred += Number(r.headers()['content-length'] ?? 0);
      else if (!path.startsWith('/models/') && r.ok() && !fetched.has(r.url())) {
        fetched.set(r.url(), null);
        fetched.set(r.url(), gzipSync(await r.body().catch(() => Buffer.alloc(0)), { level: 9 }).length);
      }
    });
    stage = 'first visit: waiting for window.digitrain.session.dataReady';
    await page.goto(`${url}index.html`);
    await page.waitForFunction(PAGE.dataReady, null, WAIT);
    const firstVisitMnistBytes = transferred;
    const pageFiles = [...fetched].map(([url, bytes]) => ({ path: new URL(url).pathname, gzip_bytes: bytes }));
    fetched.clear();
    const rows = [];
    for (const preset of presets) {
      transferred = 0;
      stage = `${preset}: reload`;
      await page.goto(`${url}index.html#preset=${preset}&epochs=1`);
      await page.reload(); // a navigation with the hash set: MNIST now comes from the cache
      const navigationStart = await page.evaluate(() => performance.timeOrigin);
      stage = `${preset}: waiting for the data (from the cache)`;
      await page.waitForFunction(PAGE.dataReady, null, WAIT);
      await page.evaluate(PAGE.startTraining);
      stage = `${preset}: waiting for window.digitrain.reports.batchGroups > 0`;
      await page.waitForFunction(PAGE.firstStepDone, null, WAIT);
      const firstStepMs = Math.round(Date.now() - navigationStart);
      rows.push({ preset, first_step_ms: firstStepMs, reload_mnist_bytes: transferred });
      console.error(`page ${preset}: first step ${firstStepMs} ms after navigation`);
    }
    // The TF.js converter is not fetched unless a TF.js model is opened or saved: said apart.
    const onDemand = readdirSync(WEB_ROOT).filter((name) => name.startsWith('digitrain-formats.'))
      .reduce((sum, name) => sum + gzipSync(readFileSync(join(WEB_ROOT, name)), { level: 9 }).length, 0);
    return { page_weight_gzip_bytes: pageFiles.reduce((sum, f) => sum + f.gzip_bytes, 0), page_files: pageFiles,
      on_demand_gzip_bytes: onDemand,
      web_folder_gzip_bytes: folderWeight, first_visit_mnist_bytes: firstVisitMnistBytes, rows };
  } catch (err) {
    return { unavailable: `${stage}: ${String(err?.message ?? err).split('\n')[0]}` };
  } finally {
    await session?.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const presets = process.argv.slice(2);
  console.log(JSON.stringify(await measurePageFigures(presets.length ? presets : ['mlp-128-128'])));
}
