// TensorFlow's "Basic classification" tutorial in the tab: fashion-mlp-128 (10 epochs, Adam,
// batch 32) trained on Fashion-MNIST by the demo page's widget in headless Chromium, one
// fresh page per seed, and its test accuracy against the tutorial's (about 0.88) and the
// terminal trainer's (docs/accuracy.md).
//   node bench/fashion-accuracy.mjs [seed ...]   (default 1 2 3; after scripts/build-web.sh)
// Prints one line per seed and the mean.
import { openBrowser } from '../tests/browser/harness.mjs';

const seeds = process.argv.slice(2).map(Number);
if (seeds.length === 0) seeds.push(1, 2, 3);
const { browser, url, close } = await openBrowser();
const results = [];
try {
  for (const seed of seeds) {
    const page = await browser.newPage();
    await page.goto(`${url}index.html#dataset=fashion-mnist&preset=fashion-mlp-128&seed=${seed}`);
    await page.waitForFunction(() => {
      const w = document.querySelector('digit-trainer');
      return w?.session?.dataReady && w.session.model && w.settings.dataset === 'fashion-mnist';
    }, null, { timeout: 300_000 });
    const end = await page.evaluate(async () => {
      const trainer = document.querySelector('digit-trainer');
      let training = null;
      trainer.addEventListener('epochend', (e) => { training = e.detail.accuracy; }, { once: false });
      const result = await trainer.train();
      return { reason: result.reason, test: result.test, seconds: result.seconds, training, settings: trainer.settings };
    });
    results.push(end.test.accuracy);
    console.log(`seed ${seed}: ${end.reason}, ${end.settings.epochs} epochs, training accuracy ${end.training.toFixed(4)}, ` +
      `test accuracy ${end.test.accuracy.toFixed(4)} (loss ${end.test.loss.toFixed(4)}), ${Math.round(end.seconds)} s`);
    await page.close();
  }
} finally {
  await close();
}
const mean = results.reduce((a, b) => a + b, 0) / results.length;
console.log(`mean test accuracy ${mean.toFixed(4)} over ${results.length} seeds (the tutorial: about 0.88)`);
