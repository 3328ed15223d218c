// frame.html, the widget for learning platforms that allow only iframes: a host page on
// another origin sets it up through the URL hash, drives a run through postMessage and
// receives its events; a page on a third origin is ignored.
//   node --test tests/browser/frame.test.mjs   (after scripts/build-web.sh)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openBrowser } from './harness.mjs';
import { startServer } from '../../scripts/serve.mjs';

let session;   // serves build/web (the frame's origin)
let lms;       // the learning platform's origin
let stranger;  // a third origin

// A host page that embeds the frame and keeps every message it receives in window.got.
const HOST = (frameUrl) => `<!doctype html><meta charset="utf-8"><title>Lesson</title>
<iframe id="f" src="${frameUrl}" width="900" height="700" title="Digitrain"></iframe>
<script>
  window.got = [];
  addEventListener('message', (e) => { if (e.data && e.data.digitrain) got.push({ origin: e.origin, ...e.data }); });
  window.send = (message) => document.getElementById('f').contentWindow.postMessage(message, '*');
</script>`;

let hostRoot;  // the host pages, served for real: Chromium's local-network checks refuse an
               // iframe in a page that page.route() made up (it has no address)

before(async () => {
  session = await openBrowser();
  hostRoot = fs.mkdtempSync(path.join(tmpdir(), 'digitrain-lms-'));
  lms = await startServer({ root: hostRoot, port: 0 });
  stranger = await startServer({ root: hostRoot, port: 0 });
});

after(async () => {
  await session.close();
  await lms.close();
  await stranger.close();
  fs.rmSync(hostRoot, { recursive: true, force: true });
});

async function hostPage(server, frameHash) {
  const page = await session.browser.newPage();
  const frameUrl = `${session.url}frame.html#${frameHash}`;
  const name = `lesson-${new URL(server.url).port}.html`;
  fs.writeFileSync(path.join(hostRoot, name), HOST(frameUrl));
  await page.goto(`${server.url}${name}`);
  return page;
}
const waitFor = (page, type, timeout = 180_000) =>
  page.waitForFunction((type) => window.got.find((m) => m.digitrain === type), type, { timeout }).then((h) => h.jsonValue());

test('a host page on another origin drives a run through postMessage and receives its events', async () => {
  const lmsOrigin = new URL(lms.url).origin;
  const page = await hostPage(lms, `preset=mlp-256&epochs=1&panels=controls%20charts&origin=${encodeURIComponent(lmsOrigin)}`);
  try {
    const ready = await waitFor(page, 'ready');
    assert.equal(ready.origin, new URL(session.url).origin);
    assert.equal(ready.detail.settings.preset, 'mlp-256');
    assert.equal(ready.detail.settings.epochs, 1);
    // The hash's panels, and nothing else, are shown.
    const frame = page.frames().find((f) => f.url().includes('frame.html'));
    const panels = await frame.evaluate(() => document.getElementById('trainer').getAttribute('panels'));
    assert.equal(panels, 'controls charts');

    await page.evaluate(() => window.send({ digitrain: 'set', learningRate: 0.002, id: 7 }));
    const settings = await waitFor(page, 'settings');
    assert.equal(settings.id, 7);
    assert.equal(settings.detail.learningRate, 0.002);

    await page.evaluate(() => window.send({ digitrain: 'train' }));
    const end = await waitFor(page, 'trainend');
    assert.equal(end.detail.reason, 'done');
    assert.ok(end.detail.test.accuracy > 0.9, JSON.stringify(end.detail));
    assert.ok(await page.evaluate(() => window.got.some((m) => m.digitrain === 'epochend' && m.detail.epoch === 1)));

    // A prediction on request: a plain vertical bar reads as a 1.
    await page.evaluate(() => {
      const pixels = Array(784).fill(0);
      for (let r = 4; r < 24; r++) for (let c = 13; c < 16; c++) pixels[r * 28 + c] = 255;
      window.send({ digitrain: 'predict', pixels, id: 'p1' });
    });
    await page.waitForFunction(() => window.got.find((m) => m.digitrain === 'prediction' && m.id === 'p1'));
    const prediction = await page.evaluate(() => window.got.find((m) => m.id === 'p1'));
    assert.equal(prediction.detail.probabilities.length, 10);
    assert.equal(prediction.detail.digit, 1);
    // A bad command is answered with an error, not silence.
    await page.evaluate(() => window.send({ digitrain: 'predict', pixels: [1, 2], id: 'bad' }));
    await page.waitForFunction(() => window.got.find((m) => m.digitrain === 'error' && m.id === 'bad'));
  } finally {
    await page.close();
  }
});

test('messages from a third origin are ignored, and it hears nothing', async () => {
  const lmsOrigin = new URL(lms.url).origin;
  const page = await hostPage(stranger, `preset=mlp-256&epochs=1&origin=${encodeURIComponent(lmsOrigin)}`);
  try {
    const frame = await page.waitForFunction(() => document.getElementById('f'))
      .then(() => page.frames().find((f) => f.url().includes('frame.html')));
    await frame.waitForFunction(() => document.getElementById('trainer')?.session?.dataReady, null, { timeout: 120_000 });
    await page.evaluate(() => window.send({ digitrain: 'train' }));
    await page.waitForTimeout(1500);
    assert.equal(await frame.evaluate(() => document.getElementById('trainer').state), 'idle');
    assert.deepEqual(await page.evaluate(() => window.got), []);
  } finally {
    await page.close();
  }
});

test('the demo\'s "Share this set-up" gives the link, the iframe and the two lines with the current settings', async () => {
  const page = session.page;
  await page.goto(`${session.url}#preset=mlp-256&epochs=2&lr=0.003`);
  await page.waitForFunction(() => document.getElementById('share-script').value.includes('mlp-256'), null, { timeout: 60_000 });
  await page.click('#share summary');
  const shared = await page.evaluate(() => Object.fromEntries(['link', 'iframe', 'script']
    .map((k) => [k, document.getElementById(`share-${k}`).value])));
  assert.match(shared.link, /#.*preset=mlp-256/);
  assert.match(shared.iframe, new RegExp(`^<iframe src="${session.url}frame\\.html#[^"]*preset=mlp-256[^"]*epochs=2[^"]*lr=0\\.003[^"]*panels=`));
  assert.match(shared.script, new RegExp(`^<script type="module" src="${session.url}digitrain\\.js"></script>\\n<digit-trainer preset="mlp-256" epochs="2" learning-rate="0.003"`));
  // The iframe's address opens the frame with those settings.
  const frameUrl = /src="([^"]+)"/.exec(shared.iframe)[1];
  const frame = await session.browser.newPage();
  try {
    await frame.goto(frameUrl);
    await frame.waitForFunction(() => document.getElementById('trainer')?.settings?.epochs === 2, null, { timeout: 60_000 });
    assert.deepEqual(await frame.evaluate(() => {
      const { preset, learningRate } = document.getElementById('trainer').settings;
      return { preset, learningRate };
    }), { preset: 'mlp-256', learningRate: 0.003 });
  } finally {
    await frame.close();
  }
  // Copy: to the clipboard where allowed, else the text is selected with a hint.
  await page.click('[data-copy="share-iframe"]');
  await page.waitForFunction(() => document.getElementById('share-said').textContent !== '');
});
