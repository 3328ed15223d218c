// Confusion: the model's answers on the 10,000 test images as a 10x10 matrix (rows: the
// true digit, columns: the prediction), and a gallery of the digits it got wrong. A click
// on a wrong cell shows just those digits, most confidently wrong first (the largest loss);
// a click on a digit loads it into the drawing pad, and with a My digits panel any of them
// can be added to the learner's set with its true label. The last column is each class's
// accuracy (tfjs-vis' per-class accuracy), over a bar, so the hard classes stand out.
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
  const name = (k) => ctx.classNames[k];
  // Fashion-MNIST's names are long: rows carry them, the columns their numbers.
  const named = () => ctx.classNames[1] !== '1';
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
    head.append(corner, ...Array.from({ length: 10 }, (_, p) => {
      const th = cell('th', String(p), 'col');
      if (named()) th.title = name(p);
      return th;
    }), cell('th', 'right', 'col'));
    caption.textContent = named()
      ? 'Test set: true class (rows) against prediction (columns, numbered as the rows); last column: the share of each class read right'
      : 'Test set: true digit (rows) against prediction (columns); last column: the share of each digit read right';
    const rows = matrix.map((counts, actual) => {
      const row = document.createElement('tr');
      row.append(cell('th', named() ? `${actual} ${name(actual)}` : String(actual), 'row'));
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
          button.setAttribute('aria-label', `${n} test images of ${named() ? '' : 'a '}${name(actual)} predicted as ${name(p)}: show them`);
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
    let chosen = filter ? wrong.filter((i) => labels[i] === filter.actual && predicted[i] === filter.p) : wrong.slice(0, GALLERY_SIZE);
    const inCell = chosen.length;
    if (chosen.length === 0) {
      galleryTitle.textContent = filter ? `No ${name(filter.actual)} predicted as ${name(filter.p)}` : 'No misclassified test images';
      return gallery.replaceChildren();
    }
    let { images } = await session.testImages({ indices: chosen });
    let losses = null;
    if (filter) {
      // Sorted by loss, -log p(true digit): the digits the model is surest about, and wrong.
      const probs = await session.predictImages(images, chosen.length);
      const order = chosen.map((_, k) => k).sort((a, b) => probs[a * 10 + filter.actual] - probs[b * 10 + filter.actual]).slice(0, GALLERY_SIZE);
      const sorted = new Uint8Array(order.length * 784);
      order.forEach((k, j) => sorted.set(images.subarray(k * 784, (k + 1) * 784), j * 784));
      losses = order.map((k) => -Math.log(Math.max(probs[k * 10 + filter.actual], 1e-7)));
      chosen = order.map((k) => chosen[k]);
      images = sorted;
    }
    galleryTitle.textContent = filter
      ? `${inCell} × ${name(filter.actual)} predicted as ${name(filter.p)}${inCell > chosen.length ? `: the ${chosen.length} surest` : ''}, surest first`
      : `The first ${chosen.length} misclassified test ${named() ? 'images' : 'digits'}`;
    gallery.setAttribute('aria-label', `Misclassified test ${named() ? 'images' : 'digits'}`);
    const canAdd = ctx.hasPanel?.('my-digits');
    gallery.replaceChildren(...chosen.map((index, k) => {
      const pixels = images.slice(k * 784, (k + 1) * 784);
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'dt__digit-button';
      const canvas = document.createElement('canvas');
      renderDigit(canvas, pixels, { cellSize: 2 });
      const text = document.createElement('span');
      text.textContent = `${name(predicted[index])} (is ${name(labels[index])})`;
      button.append(canvas, text);
      const loss = losses ? ` loss ${losses[k].toFixed(2)}` : '';
      if (losses) button.append(Object.assign(document.createElement('span'), { className: 'dt__loss', textContent: loss.trim() }));
      button.setAttribute('aria-label', `Test image ${index}: predicted ${name(predicted[index])}, actually ${name(labels[index])}${loss ? `,${loss}` : ''}. Load it into the drawing pad`);
      button.addEventListener('click', () => pick(pixels, index, labels[index]));
      if (!canAdd) return button;
      const item = document.createElement('div');
      item.className = 'dt__wrong-item';
      const add = document.createElement('button');
      add.type = 'button';
      add.className = 'dt__wrong-add';
      add.textContent = `+ as ${name(labels[index])}`;
      add.setAttribute('aria-label', `Add test image ${index} to My ${named() ? 'images' : 'digits'} as ${name(labels[index])}`);
      add.addEventListener('click', () => ctx.addMyDigit(pixels, labels[index]).then(
        (count) => ctx.say(`Test image ${index} is in My ${named() ? 'images' : 'digits'} as ${name(labels[index])} (${count} there now).`, 'ok'),
        (e) => ctx.fail(`Could not add test image ${index}: ${e.message}`, 'my-digits')));
      item.append(button, add);
      return item;
    }));
  }

  function pick(pixels, index, label) {
    const drawing = ctx.panel('drawing');
    if (drawing) drawing.showImage(pixels, label);
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
