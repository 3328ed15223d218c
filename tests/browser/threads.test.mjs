// The threaded build (issue 19) in headless Chromium: on a cross-origin isolated page the
// worker runs digitrain-threads.* and its kernel pool takes part in the products; on a page
// that is not isolated the threaded files are never requested and training runs as before.
//   node --test tests/browser/threads.test.mjs   (after scripts/build.sh all and build-web.sh)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openBrowser, WEB_ROOT } from './harness.mjs';

const PAGE = 'index.html#preset=mlp-300-100&optimizer=sgd&epochs=1&batch=32&lr=0.1&seed=1';
const WAIT = { timeout: 120_000 };
const THREADED = /digitrain-threads\./;

// Opens the page, trains until 20 batches have run, and returns what the worker says about
// its build and pool, the page's isolation, and every URL requested.
async function trainAndReport(crossOriginIsolated) {
  const session = await openBrowser({ crossOriginIsolated });
  const requested = [];
  try {
    const { page } = session;
    page.on('request', (r) => requested.push(r.url()));
    // Chromium has 2 logical cores at least here; the worker reads hardwareConcurrency.
    await page.goto(session.url + PAGE);
    await page.waitForFunction(() => window.digitrain?.session?.dataReady === true, null, WAIT);
    await page.evaluate(() => { window.digitrain.trainer.train(); });
    await page.waitForFunction(() => (window.digitrain?.reports?.batchGroups ?? 0) > 1, null, WAIT);
    const worker = page.workers().find((w) => /worker\.js/.test(w.url()));
    assert.ok(worker, `the training worker among ${page.workers().map((w) => w.url()).join(', ')}`);
    const engine = await worker.evaluate(() => ({ build: self.digitrainEngine.build, stats: self.digitrainEngine.threadStats(),
      isolated: self.crossOriginIsolated, cores: navigator.hardwareConcurrency }));
    const pageIsolated = await page.evaluate(() => window.crossOriginIsolated);
    return { engine, pageIsolated, requested, errors: session.errors };
  } finally {
    await session.close();
  }
}

test('an isolated page trains on the threaded build, and its pool takes part', {
  skip: !existsSync(join(WEB_ROOT, 'digitrain-threads.wasm')) && 'no threaded build in build/web (scripts/build.sh wasm-threads)',
}, async () => {
  const { engine, pageIsolated, requested, errors } = await trainAndReport(true);
  assert.equal(pageIsolated, true);
  assert.equal(engine.isolated, true);
  assert.ok(engine.cores > 1, `hardwareConcurrency ${engine.cores}: the threaded build needs 2 cores`);
  assert.equal(engine.build, 'threads');
  assert.equal(engine.stats.threads, Math.min(engine.cores, 4));
  // Products the pool split with a worker running part of them: a step of mlp-300-100 has
  // several, so 2 slices of steps give hundreds.
  assert.ok(engine.stats.sharedJobs > 10, `sharedJobs ${engine.stats.sharedJobs}`);
  assert.ok(requested.some((u) => /digitrain-threads\.worker\.js/.test(u)), 'the pthreads\' script was fetched');
  assert.deepEqual(errors, []);
});

test('a page that is not isolated trains on one thread and never requests the threaded files', async () => {
  const { engine, pageIsolated, requested, errors } = await trainAndReport(false);
  assert.equal(pageIsolated, false);
  assert.equal(engine.build, 'single');
  assert.equal(engine.stats.threads, 1);
  assert.equal(engine.stats.sharedJobs, 0);
  assert.deepEqual(requested.filter((u) => THREADED.test(u)), []);
  assert.ok(requested.some((u) => /\/digitrain\.wasm/.test(u)), 'the single-thread module was fetched');
  assert.deepEqual(errors, []);
});
