// Drawing: a <digit-pad>, the 28x28 image the model sees, and its ten probabilities,
// updated as the drawing changes and as training changes the weights. With a My digits
// panel, the drawing can be labelled and added to the learner's own set.
import '../digit-pad-define.js';
import { renderDigit, renderProbabilities } from '../heatmap.js';

export function createDrawingPanel(section, ctx) {
  section.innerHTML = `<h2 class="dt__title"><span class="dt__num" aria-hidden="true">4</span>Try it: draw a digit</h2>
    <div class="draw-row">
      <digit-pad id="pad"></digit-pad>
      <div class="draw-side">
        <div id="pad-probs" class="probs-box" aria-live="polite"></div>
        <figure class="model-input">
          <canvas id="pad-input" class="digit-heatmap" width="84" height="84" role="img" aria-label="The 28×28 image the model sees"></canvas>
          <figcaption>What the model sees: your drawing cropped, scaled and centred to 28×28, as MNIST was made</figcaption>
        </figure>
      </div>
    </div>
    <div class="buttons dt__add-mine" hidden>
      <label for="mine-label">This is a</label>
      <select id="mine-label"><option value="">choose…</option>${[...Array(10).keys()].map((d) => `<option value="${d}">${d}</option>`).join('')}</select>
      <button type="button" id="mine-add" disabled>Add to My digits</button>
      <span class="dt__add-said" role="status"></span>
    </div>`;
  const pad = section.querySelector('digit-pad');
  const inputCanvas = section.querySelector('#pad-input');
  const probsBox = section.querySelector('#pad-probs');
  // The ten bars are there from the start (empty), so the first answer moves nothing.
  const placeholder = () => {
    renderProbabilities(probsBox, new Array(10).fill(0));
    probsBox.querySelectorAll('.digit-probs__row').forEach((row, d) => {
      row.classList.remove('is-top');
      row.setAttribute('aria-label', `${d}: no answer yet`);
      row.querySelector('.digit-probs__value').textContent = '–';
    });
    probsBox.querySelector('.digit-probs__summary').textContent = 'Draw a digit from 0 to 9 on the black pad: the ten bars show how sure the network is of each.';
  };
  placeholder();
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
        renderDigit(inputCanvas, input, { cellSize: 3, label: 'The 28 by 28 image the model sees' });
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

  // Labelled by the learner, never by the model's guess: a wrong guess copied in would teach
  // the model its own mistake.
  const addRow = section.querySelector('.dt__add-mine');
  const labelPick = section.querySelector('#mine-label');
  const addButton = section.querySelector('#mine-add');
  const added = section.querySelector('.dt__add-said');
  addRow.hidden = !ctx.hasPanel('my-digits');
  let drawn = null; // the 28x28 image of the drawing on the pad
  const canAdd = () => { addButton.disabled = !drawn || labelPick.value === ''; };
  labelPick.addEventListener('change', canAdd);
  ctx.events.addEventListener('input', (e) => {
    drawn = e.detail.pixels;
    canAdd();
  });
  addButton.addEventListener('click', async () => {
    const label = Number(labelPick.value);
    try {
      const count = await ctx.addMyDigit(drawn, label);
      added.textContent = `Added as a ${label}: ${count} in My digits.`;
      // Ready for the next one, which is seldom the same digit: a label left chosen would
      // be given to it unnoticed.
      pad.clear();
      labelPick.value = '';
      canAdd();
    } catch (e) {
      added.textContent = `Not added: ${e.message}`;
    }
  });

  pad.addEventListener('ink', (e) => {
    e.stopPropagation(); // the widget's own prediction event is what the page hears
    lastInk = e.detail;
    predict();
  });
  pad.addEventListener('clear', (e) => {
    e.stopPropagation();
    lastInk = null;
    drawn = null;
    canAdd();
    inputCanvas.getContext('2d').clearRect(0, 0, inputCanvas.width, inputCanvas.height);
    placeholder();
  });
  // New weights, new answer.
  for (const type of ['model', 'trainend']) ctx.events.addEventListener(type, predict);
  // While training, the answer follows the weights a few times a second: each answer
  // rewrites ten rows, and twenty a second would be layout work nobody can read.
  let lastPredicted = 0;
  ctx.events.addEventListener('progress', () => {
    if (!ctx.visible || performance.now() - lastPredicted < 200) return;
    lastPredicted = performance.now();
    predict();
  });
  return { pad, showImage: (pixels) => pad.drawImage28(pixels) };
}
