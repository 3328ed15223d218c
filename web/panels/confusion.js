// Confusion: the model's answers on the 10,000 test images as a 10x10 matrix (rows: the
// true digit, columns: the prediction), and a gallery of the digits it got wrong. A click
// on a wrong cell shows just those digits; a click on a digit loads it into the drawing pad.
// The last column is each digit's accuracy (tfjs-vis' per-class accuracy), with a bar, so
// the digits the model finds hard stand out before any cell is read.
import { renderDigit } from '../heatmap.js';
import { watchVisibility } from './visibility.js';

const GALLERY_SIZE = 24;

export function createConfusionPanel(section, ctx) {
  section.innerHTML = `<h2 class="dt__title">Where the model goes wrong</h2>
    <p class="message dt__confusion-status" role="status"></p>
    <div class="dt__confusion-row">
      <div class="dt__confusion-scroll"><table class="dt__confusion"><caption>Test set: true digit (rows) against prediction (columns); last column: the share of each digit read right</caption></table></div>
      <div><h3 class="dt__subtitle dt__gallery-title">&nbsp;</h3><div class="gallery dt__misclassified" tabindex="0" role="region" aria-label="Misclassified test digits"></div></div>
    </div>`;
  const status = section.querySelector('.dt__confusion-status');
  const table = section.querySelector('table');
  const galleryTitle = section.querySelector('.dt__gallery-title');
  const gallery = section.querySelector('.dt__misclassified');
  const { session } = ctx;
  let result = null;
  let stale = true;
  let running = null;

  async function compute() {
    status.textContent = 'Predicting the 10,000 test images…';
    const { labels, predicted } = await session.confusion();
    const matrix = Array.from({ length: 10 }, () => new Array(10).fill(0));
    const wrong = [];
    for (let i = 0; i < labels.length; i++) {
      matrix[labels[i]][predicted[i]] += 1;
      if (labels[i] !== predicted[i]) wrong.push(i);
    }
    result = { matrix, wrong, labels, predicted };
    const accuracy = 1 - wrong.length / labels.length;
    status.textContent = `${wrong.length.toLocaleString('en')} of ${labels.length.toLocaleString('en')} test images misclassified (accuracy ${accuracy.toFixed(4)}).`;
    renderMatrix();
    await showGallery(null);
  }

  // Empty until the first computation, but at its final size from the start.
  function renderMatrix(matrix = result.matrix) {
    const caption = table.querySelector('caption');
    const head = document.createElement('tr');
    const corner = cell('th', 'true \\ pred');
    corner.insertAdjacentHTML('beforeend', '<span class="dt__wide-only">icted</span>');
    head.append(corner, ...Array.from({ length: 10 }, (_, p) => cell('th', String(p), 'col')), cell('th', 'right', 'col'));
    const rows = matrix.map((counts, actual) => {
      const row = document.createElement('tr');
      row.append(cell('th', String(actual), 'row'));
      const total = counts.reduce((a, b) => a + b, 0) || 1;
      counts.forEach((n, p) => {
        const td = document.createElement('td');
        const share = n / total;
        if (n == null) {
          td.textContent = '·';
        } else if (p === actual) {
          td.className = 'is-right';
          td.textContent = String(n);
          td.style.backgroundColor = `rgba(47, 158, 68, ${0.15 + 0.6 * share})`;
        } else if (n > 0) {
          const button = document.createElement('button');
          button.type = 'button';
          button.textContent = String(n);
          button.setAttribute('aria-label', `${n} test images of a ${actual} predicted as ${p}: show them`);
          button.addEventListener('click', () => showGallery({ actual, p }).catch(() => {}));
          td.className = 'is-wrong';
          td.append(button);
          // Capped so black digits keep a 4.5:1 contrast on the darkest red (axe checks it).
          td.style.backgroundColor = `rgba(224, 49, 49, ${Math.min(0.5, 0.1 + 4 * share)})`;
        }
        row.append(td);
      });
      row.append(accuracyCell(counts[actual], counts.some((n) => n == null) ? null : total));
      return row;
    });
    table.replaceChildren(caption, head, ...rows);
  }
  renderMatrix(Array.from({ length: 10 }, () => new Array(10).fill(null)));

  async function showGallery(filter) {
    const { wrong, labels, predicted } = result;
    const chosen = (filter ? wrong.filter((i) => labels[i] === filter.actual && predicted[i] === filter.p) : wrong).slice(0, GALLERY_SIZE);
    galleryTitle.textContent = filter
      ? `${chosen.length} ${filter.actual}s predicted as ${filter.p}`
      : `The first ${chosen.length} misclassified test digits`;
    if (chosen.length === 0) return gallery.replaceChildren();
    const { images } = await session.testImages({ indices: chosen });
    gallery.replaceChildren(...chosen.map((index, k) => {
      const pixels = images.slice(k * 784, (k + 1) * 784);
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'dt__digit-button';
      const canvas = document.createElement('canvas');
      renderDigit(canvas, pixels, { cellSize: 2 });
      const text = document.createElement('span');
      text.textContent = `${predicted[index]} (is ${labels[index]})`;
      button.append(canvas, text);
      button.setAttribute('aria-label', `Test image ${index}: predicted ${predicted[index]}, actually ${labels[index]}. Load it into the drawing pad`);
      button.addEventListener('click', () => pick(pixels, index));
      return button;
    }));
  }

  function pick(pixels, index) {
    const drawing = ctx.panel('drawing');
    if (drawing) drawing.showImage(pixels);
    else ctx.setInput(pixels, 'gallery');
    ctx.say(`Test image ${index} ${drawing ? 'is on the drawing pad' : 'is the current digit'}.`);
  }

  // Not while training runs (the answers change every step); when on screen, once per model.
  // A change during a computation is picked up when it ends.
  function update() {
    if (!session.dataReady || !session.model || session.trainState !== 'idle') return;
    if (!seen.visible || running) return void (stale = true);
    stale = false;
    running = compute()
      .catch((e) => { status.textContent = `Could not compute the confusion matrix: ${e.message}`; })
      .finally(() => {
        running = null;
        if (stale) update();
      });
  }
  for (const type of ['data', 'model', 'trainend']) ctx.events.addEventListener(type, () => { stale = true; update(); });
  const seen = watchVisibility(section, (visible) => visible && stale && update());
  // A run's end arrives just before the worker reports itself idle.
  ctx.events.addEventListener('state', (e) => e.detail.state === 'idle' && stale && update());
  return { dispose: seen.dispose };
}

// A digit's share read right, as a percentage over a bar of that length.
function accuracyCell(right, total) {
  const td = document.createElement('td');
  td.className = 'dt__class-accuracy';
  if (total == null) {
    td.textContent = '·';
    return td;
  }
  const share = right / total;
  td.textContent = `${(100 * share).toFixed(1)}%`;
  td.style.setProperty('--share', String(share));
  return td;
}

function cell(tag, text, scope) {
  const el = document.createElement(tag);
  el.textContent = text;
  if (scope) el.scope = scope;
  return el;
}
