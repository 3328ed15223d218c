// Drawing: a <digit-pad>, the 28x28 image the model sees, and its ten probabilities,
// updated as the drawing changes and as training changes the weights. With a My digits
// panel, the drawing can be labelled and added to the learner's own set. Clothes are not
// drawn: for Fashion-MNIST the pad gives way to a test image picked at random, or a photo
// of the learner's (picked, or dropped on the image), turned into 28x28 grey.
import '../digit-pad-define.js';
import { renderDigit, renderProbabilities } from '../heatmap.js';
import { DATASETS } from '../datasets.js';
import { grey28FromImage } from '../ink.js';

const DIGITS = DATASETS.mnist.classNames;

export function createDrawingPanel(section, ctx) {
  section.innerHTML = `<h2 class="dt__title"><span class="dt__num" aria-hidden="true">4</span><span class="dt__draw-title">Try it: draw a digit</span></h2>
    <div class="draw-row">
      <digit-pad id="pad"></digit-pad>
      <div class="dt__pick" hidden>
        <canvas class="dt__picked digit-heatmap" width="224" height="224" role="img" aria-label="No test image picked yet"></canvas>
        <div class="buttons"><button type="button" class="dt__pick-button">Pick a test image</button>
          <label class="file-button">Your photo…<input type="file" accept="image/*" class="dt__photo"></label></div>
      </div>
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
      <select id="mine-label"></select>
      <button type="button" id="mine-add" disabled>Add to My digits</button>
      <span class="dt__add-said" role="status"></span>
    </div>`;
  const pad = section.querySelector('digit-pad');
  const pick = section.querySelector('.dt__pick');
  const picked = section.querySelector('.dt__picked');
  const inputCanvas = section.querySelector('#pad-input');
  const inputFigure = section.querySelector('.model-input');
  const probsBox = section.querySelector('#pad-probs');
  const names = () => ctx.classNames ?? DIGITS;
  const drawn = () => DATASETS[ctx.dataset ?? 'mnist'].drawn;
  // The ten bars are there from the start (empty), so the first answer moves nothing.
  const placeholder = () => {
    renderProbabilities(probsBox, new Array(10).fill(0), { names: names() });
    probsBox.querySelectorAll('.digit-probs__row').forEach((row, d) => {
      row.classList.remove('is-top');
      row.setAttribute('aria-label', `${names()[d]}: no answer yet`);
      row.querySelector('.digit-probs__value').textContent = '–';
    });
    probsBox.querySelector('.digit-probs__summary').textContent = drawn()
      ? 'Draw a digit from 0 to 9 on the black pad: the ten bars show how sure the network is of each.'
      : 'Pick a test image: the ten bars show how sure the network is of each kind of clothing.';
  };
  let lastInk = null;
  let shown = null; // a picked test image: {pixels, label}
  let busy = false;
  let again = false;

  // One request at a time; ink that arrives meanwhile is predicted once the reply is in.
  async function predict() {
    if (!lastInk && !shown) return;
    if (busy) return void (again = true);
    busy = true;
    const detail = lastInk ?? shown;
    try {
      let input;
      let probs;
      if (detail === shown) {
        input = shown.pixels;
        probs = await ctx.session.predictImages(input, 1);
      } else {
        ({ input, probs } = await ctx.session.predictInk(detail.ink, detail.width, detail.height));
      }
      if ((lastInk ?? shown) === detail && probs.length === 10) {
        renderDigit(inputCanvas, input, { cellSize: 3, label: 'The 28 by 28 image the model sees' });
        renderProbabilities(probsBox, probs, { names: names(), label: detail === shown ? shown.label : undefined });
        ctx.setInput(input, detail === shown ? 'picked' : 'drawing');
        ctx.prediction(input, probs, detail === shown ? 'picked' : 'drawing');
      }
    } catch (e) {
      ctx.fail(`Could not recognise the ${detail === shown ? 'test image' : 'drawing'}: ${e.message}`, 'predict');
    } finally {
      busy = false;
      if (again) {
        again = false;
        predict();
      }
    }
  }

  // A test image (from the picker, or sent here from the confusion matrix): shown as it is,
  // predicted as it is (no cropping or centring: it is already in the dataset's layout).
  function showPicked(pixels, label) {
    shown = { pixels: Uint8Array.from(pixels), label };
    lastInk = null;
    renderDigit(picked, shown.pixels, { cellSize: 8, label: label != null ? `Test image: ${names()[label]}` : 'Your photo, as 28×28 grey' });
    labelPick.value = label != null ? String(label) : ''; // a photo is the learner's to label
    predict();
  }
  section.querySelector('.dt__pick-button').addEventListener('click', async () => {
    try {
      const index = Math.floor(Math.random() * 10000);
      const { images, labels } = await ctx.session.testImages({ indices: [index] });
      labelPick.value = String(labels[0]);
      showPicked(images, labels[0]);
    } catch (e) {
      ctx.fail(`Could not pick a test image: ${e.message}`, 'predict');
    }
  });

  // A photo of the learner's: as 28x28 grey, light on black like Fashion-MNIST's.
  async function showPhoto(file) {
    if (!file) return;
    try {
      const bitmap = await createImageBitmap(file);
      showPicked(grey28FromImage(bitmap), undefined);
      bitmap.close();
    } catch (e) {
      ctx.fail(`${file.name} could not be read as a picture (${e.message})`, 'predict');
    }
  }
  const photo = section.querySelector('.dt__photo');
  photo.addEventListener('change', () => {
    showPhoto(photo.files[0]);
    photo.value = '';
  });
  // A picture dropped here is a photo to classify, not a model file for the widget.
  pick.addEventListener('dragover', (e) => e.preventDefault());
  pick.addEventListener('drop', (e) => {
    e.preventDefault();
    e.stopPropagation();
    showPhoto(e.dataTransfer?.files[0]);
  });

  // Labelled by the learner, never by the model's guess: a wrong guess copied in would teach
  // the model its own mistake. (A picked test image comes with its true label.)
  const addRow = section.querySelector('.dt__add-mine');
  const labelPick = section.querySelector('#mine-label');
  const addButton = section.querySelector('#mine-add');
  const added = section.querySelector('.dt__add-said');
  addRow.hidden = !ctx.hasPanel('my-digits');
  let input = null; // the 28x28 image the model saw
  const canAdd = () => { addButton.disabled = !input || labelPick.value === ''; };
  labelPick.addEventListener('change', canAdd);
  ctx.events.addEventListener('input', (e) => {
    input = e.detail.pixels;
    canAdd();
  });
  addButton.addEventListener('click', async () => {
    const label = Number(labelPick.value);
    try {
      const count = await ctx.addMyDigit(input, label);
      added.textContent = `Added as ${drawn() ? 'a ' : ''}${names()[label]}: ${count} in ${drawn() ? 'My digits' : 'My images'}.`;
      // Ready for the next one, which is seldom the same digit: a label left chosen would
      // be given to it unnoticed.
      if (drawn()) pad.clear();
      labelPick.value = '';
      canAdd();
    } catch (e) {
      added.textContent = `Not added: ${e.message}`;
    }
  });

  // The dataset decides: the pad for MNIST, a picked test image for Fashion-MNIST.
  function setUp() {
    const draw = drawn();
    section.querySelector('.dt__draw-title').textContent = draw ? 'Try it: draw a digit' : 'Try it: pick a test image';
    pad.hidden = !draw;
    pick.hidden = draw;
    inputFigure.hidden = !draw; // a test image is its own input: no second copy
    addButton.textContent = draw ? 'Add to My digits' : 'Add to My images';
    labelPick.replaceChildren(new Option('choose…', ''), ...names().map((name, k) => new Option(name, String(k))));
    lastInk = null;
    shown = null;
    input = null;
    added.textContent = '';
    canAdd();
    if (draw) pad.clear();
    else picked.getContext('2d').clearRect(0, 0, picked.width, picked.height);
    inputCanvas.getContext('2d').clearRect(0, 0, inputCanvas.width, inputCanvas.height);
    placeholder();
  }
  setUp();
  let dataset = ctx.dataset;
  ctx.events.addEventListener('dataset', (e) => {
    if (e.detail.dataset === dataset) return;
    dataset = e.detail.dataset;
    setUp();
  });

  pad.addEventListener('ink', (e) => {
    e.stopPropagation(); // the widget's own prediction event is what the page hears
    lastInk = e.detail;
    shown = null;
    predict();
  });
  pad.addEventListener('clear', (e) => {
    e.stopPropagation();
    if (!drawn()) return;
    lastInk = null;
    input = null;
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
  return {
    pad,
    // A 28x28 image: drawn on the pad (MNIST), or shown as a picked test image with its label.
    showImage: (pixels, label) => (drawn() ? pad.drawImage28(pixels) : showPicked(pixels, label)),
  };
}
