// Heat map: one test image as 28x28 annotated pixel values (tutorial T1).
import { renderDigit } from '../heatmap.js';

export function createHeatmapPanel(section, ctx) {
  section.innerHTML = `<h2 class="dt__title">A test image, pixel by pixel</h2>
    <div class="heatmap-row"><label>Test image <input id="heatmap-index" type="number" min="0" max="9999" value="0"></label>
    <figure class="heatmap-figure"><figcaption id="heatmap-caption">&nbsp;</figcaption>
    <canvas id="heatmap" class="digit-heatmap" width="616" height="616" role="img" aria-label="Test image as an annotated 28×28 pixel heat map"></canvas></figure></div>`;
  const index = section.querySelector('#heatmap-index');
  const canvas = section.querySelector('#heatmap');
  async function show() {
    if (!ctx.session.dataReady) return;
    const i = Math.max(0, Math.min(9999, Math.trunc(Number(index.value)) || 0));
    const { images, labels } = await ctx.session.testImages({ start: i, count: 1 });
    renderDigit(canvas, images, { annotate: true, label: `Test image ${i} (a ${labels[0]}) as an annotated 28 by 28 pixel heat map` });
    section.querySelector('#heatmap-caption').textContent = `Test image ${i}: a handwritten ${labels[0]}, each pixel's value from 0 (black) to 255 (white)`;
  }
  const showQuietly = () => show().catch((e) => ctx.fail(`Could not show the test image: ${e.message}`, 'data'));
  index.addEventListener('change', showQuietly);
  ctx.events.addEventListener('data', showQuietly);
  return {};
}
