// Offline after the first visit: the demo page's service worker (sw.js) keeps the page's
// files, the page keeps MNIST; with the network off a reload loads, trains and predicts.
// A new build is then picked up with a visible "updated — reload" note.
//   node --test tests/browser/offline.test.mjs   (after scripts/build-web.sh)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openBrowser, WEB_ROOT, screenshot } from './harness.mjs';
import { startServer } from '../../scripts/serve.mjs';

const REPO = path.resolve(WEB_ROOT, '../..');
let session;
let site;      // a copy of build/web, so the test can publish a "new build" of it
let root;

before(async () => {
  root = fs.mkdtempSync(path.join(tmpdir(), 'digitrain-offline-'));
  fs.cpSync(WEB_ROOT, root, { recursive: true });
  session = await openBrowser();
  site = await startServer({ root, port: 0 });
});

after(async () => {
  await session.close();
  await site.close();
  fs.rmSync(root, { recursive: true, force: true });
});

const dataReady = (page) => page.waitForFunction(() => window.digitrain?.session?.dataReady, null, { timeout: 120_000 });

test('second visit with the network off: the page loads, trains one epoch and predicts', async () => {
  const context = await session.browser.newContext({ serviceWorkers: 'allow' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(site.url);
    await dataReady(page);
    // The worker is installed and controls the page (clients.claim) once it is active.
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    const cached = await page.evaluate(async () => (await caches.keys()).filter((k) => k.startsWith('digitrain-page-')));
    assert.equal(cached.length, 1);

    await context.setOffline(true);
    await page.reload();
    await dataReady(page);
    assert.equal(await page.evaluate(() => navigator.onLine), false);
    const end = await page.evaluate(async () => {
      const trainer = window.digitrain.trainer;
      trainer.updateSettings({ preset: 'mlp-256', epochs: 1 });
      return trainer.train();
    });
    assert.equal(end.reason, 'done');
    assert.ok(end.test.accuracy > 0.9, `test accuracy ${end.test.accuracy}`);
    const { digit, probabilities } = await page.evaluate(async () => {
      const pixels = Array(784).fill(0);
      for (let r = 4; r < 24; r++) for (let c = 13; c < 16; c++) pixels[r * 28 + c] = 255;
      const p = await window.digitrain.trainer.predict(pixels);
      return { digit: p.digit, probabilities: Array.from(p.probabilities) };
    });
    assert.equal(probabilities.length, 10);
    assert.equal(digit, 1);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('a new build is announced with "updated — reload", and Reload brings it in', async () => {
  const context = await session.browser.newContext({ serviceWorkers: 'allow' });
  const page = await context.newPage();
  try {
    await page.goto(site.url);
    await dataReady(page);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    // Publish a new build: a changed page, and its worker written anew for the new files.
    const index = path.join(root, 'index.html');
    fs.writeFileSync(index, fs.readFileSync(index, 'utf8').replace('<head>', '<head>\n  <meta name="digitrain-build" content="2">'));
    fs.copyFileSync(path.join(REPO, 'web/sw.js'), path.join(root, 'sw.js'));
    execFileSync('node', [path.join(REPO, 'scripts/lib/write-precache.mjs'), root, 'embed.', 'frame.']);

    await page.reload();
    // The old worker still serves this load: the page is the old one, and it says so.
    await page.waitForSelector('#digitrain-update', { timeout: 60_000 });
    assert.equal(await page.$('meta[name="digitrain-build"]'), null);
    assert.match(await page.textContent('#digitrain-update'), /updated.*Reload/s);
    await screenshot(page, 'offline-update-note');
    await Promise.all([page.waitForEvent('load'), page.click('#digitrain-update button')]);
    await page.waitForSelector('meta[name="digitrain-build"]', { state: 'attached', timeout: 30_000 });
  } finally {
    await context.close();
  }
});
