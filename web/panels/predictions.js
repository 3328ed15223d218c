// Predictions: the first test images with "Predicted: p, Actual: a" and their softmax rows
// (tutorial T3), and the test accuracy after a run.
import { argmax, renderDigit } from '../heatmap.js';

const GALLERY_SIZE = 10;

export function createPredictionsPanel(section, ctx) {
  section.innerHTML = `<h2 class="dt__title">Test images</h2>
    <p id="test-accuracy" class="message" role="status"></p><div id="test-gallery" class="gallery"></div>`;
  const gallery = section.querySelector('#test-gallery');
  const accuracy = section.querySelector('#test-accuracy');
  let test = null;

  async function refresh() {
    if (!ctx.session.dataReady || !ctx.session.model) return;
    test ??= await ctx.session.testImages({ start: 0, count: GALLERY_SIZE });
    const probs = await ctx.session.predictImages(test.images, GALLERY_SIZE);
    gallery.replaceChildren(...Array.from({ length: GALLERY_SIZE }, (_, i) => {
      const row = Array.from(probs.subarray(i * 10, i * 10 + 10));
      const predicted = argmax(row);
      const figure = document.createElement('figure');
      figure.className = 'test-digit';
      const canvas = document.createElement('canvas');
      renderDigit(canvas, test.images.subarray(i * 784, (i + 1) * 784), { cellSize: 3 });
      const caption = document.createElement('figcaption');
      caption.textContent = `Predicted: ${ctx.classNames[predicted]}, Actual: ${ctx.classNames[test.labels[i]]}`;
      if (predicted !== test.labels[i]) caption.classList.add('wrong');
      const softmax = document.createElement('code');
      softmax.className = 'softmax';
      softmax.setAttribute('aria-label', `Softmax output: ${row.map((p, d) => `${ctx.classNames[d]}: ${p.toFixed(2)}`).join(', ')}`);
      softmax.replaceChildren(...row.map((p, d) => Object.assign(document.createElement('span'), { textContent: `${d}:${p.toFixed(2)}` })));
      figure.append(canvas, caption, softmax);
      return figure;
    }));
  }
  const refreshQuietly = () => refresh().catch((e) => ctx.fail(`Could not show the test images: ${e.message}`, 'predict'));
  // New data (another dataset): other test images.
  ctx.events.addEventListener('data', () => { test = null; });
  for (const type of ['data', 'model']) ctx.events.addEventListener(type, refreshQuietly);
  ctx.events.addEventListener('trainend', (e) => {
    if (e.detail.test) accuracy.textContent = `Test accuracy of the current model: ${e.detail.test.accuracy.toFixed(4)}`;
    refreshQuietly();
  });
  return {};
}
