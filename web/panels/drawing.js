// Drawing: a <digit-pad>, the 28x28 image the model sees, and its ten probabilities,
// updated as the drawing changes and as training changes the weights.
import '../digit-pad-define.js';
import { renderDigit, renderProbabilities } from '../heatmap.js';

export function createDrawingPanel(section, ctx) {
  section.innerHTML = `<h2 class="dt__title">Draw a digit</h2>
    <div class="draw-row">
      <digit-pad id="pad"></digit-pad>
      <figure class="model-input">
        <canvas id="pad-input" class="digit-heatmap" width="140" height="140" aria-label="The 28×28 image the model sees"></canvas>
        <figcaption>What the model sees (28×28)</figcaption>
      </figure>
      <div id="pad-probs" class="probs-box" aria-live="polite"></div>
    </div>`;
  const pad = section.querySelector('digit-pad');
  const inputCanvas = section.querySelector('#pad-input');
  const probsBox = section.querySelector('#pad-probs');
  let lastInk = null;
  let busy = false;
  let again = false;

  // One request at a time; ink that arrives meanwhile is predicted once the reply is in.
  async function predict() {
    if (!lastInk) return;
    if (busy) return void (again = true);
    busy = true;
    const detail = lastInk;
    try {
      const { input, probs } = await ctx.session.predictInk(detail.ink, detail.width, detail.height);
      if (lastInk === detail && probs.length === 10) {
        renderDigit(inputCanvas, input, { cellSize: 5 });
        renderProbabilities(probsBox, probs);
        ctx.setInput(input, 'drawing');
        ctx.prediction(input, probs, 'drawing');
      }
    } catch (e) {
      ctx.fail(`Could not recognise the drawing: ${e.message}`, 'predict');
    } finally {
      busy = false;
      if (again) {
        again = false;
        predict();
      }
    }
  }

  pad.addEventListener('ink', (e) => {
    e.stopPropagation(); // the widget's own prediction event is what the page hears
    lastInk = e.detail;
    predict();
  });
  pad.addEventListener('clear', (e) => {
    e.stopPropagation();
    lastInk = null;
    inputCanvas.getContext('2d').clearRect(0, 0, inputCanvas.width, inputCanvas.height);
    probsBox.replaceChildren();
  });
  // New weights, new answer.
  for (const type of ['model', 'trainend']) ctx.events.addEventListener(type, predict);
  ctx.events.addEventListener('progress', () => { if (ctx.visible) predict(); });
  return { pad, showImage: (pixels) => pad.drawImage28(pixels) };
}
