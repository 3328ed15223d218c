// My digits: the learner's own labelled images (added from the pad or from the confusion
// matrix's galleries), kept in this browser. Test the model on them, fine-tune it with them
// mixed into the training images, and see before/after on them and on the test set side by
// side; export and import them as a standard IDX pair.
import { renderDigit } from '../heatmap.js';
import { download } from '../model-files.js';
import { sortIdxPair } from '../idx-files.js';

const percent = (accuracy) => (accuracy == null ? '–' : `${(100 * accuracy).toFixed(1)} %`);

export function createMyDigitsPanel(section, ctx) {
  section.innerHTML = `<h2 class="dt__title dt__mine-title">My digits</h2>
    <p class="hint dt__mine-hint"></p>
    <div class="gallery dt__mine" tabindex="0" role="region" aria-label="My digits"></div>
    <p class="message dt__mine-status" role="status"></p>
    <div class="buttons">
      <button type="button" class="dt__mine-test">Test on my digits</button>
      <span class="dt__mine-tune"><label for="mine-epochs">Epochs</label>
        <input id="mine-epochs" type="number" min="1" max="20" step="1" value="1">
        <button type="button" class="dt__mine-finetune">Fine-tune</button></span>
    </div>
    <table class="dt__mine-compare">
      <caption>Accuracy before and after fine-tuning</caption>
      <tr><th scope="col"></th><th scope="col">before</th><th scope="col">after</th></tr>
      <tr><th scope="row" class="dt__mine-row">My digits</th><td>–</td><td>–</td></tr>
      <tr><th scope="row">Test set (10,000)</th><td>–</td><td>–</td></tr>
    </table>
    <div class="buttons">
      <button type="button" class="dt__mine-export">Export (IDX)</button>
      <label class="file-button">Import (IDX)…<input type="file" class="dt__mine-import" multiple></label>
    </div>`;
  const $ = (selector) => section.querySelector(selector);
  const gallery = $('.dt__mine');
  const status = $('.dt__mine-status');
  const testButton = $('.dt__mine-test');
  const tuneButton = $('.dt__mine-finetune');
  const epochsField = $('#mine-epochs');
  const exportButton = $('.dt__mine-export');
  const cells = [...section.querySelectorAll('.dt__mine-compare td')];
  let tested = null; // the last test: {predicted} for the set as it was then
  let busy = false;
  // MNIST's set is My digits; Fashion-MNIST's, My images (each dataset has its own).
  const drawn = () => (ctx.classNames?.[1] ?? '1') === '1';
  const word = () => (drawn() ? 'digits' : 'images');
  const name = (k) => ctx.classNames?.[k] ?? String(k);
  function setUp() {
    $('.dt__mine-title').textContent = `My ${word()}`;
    $('.dt__mine-row').textContent = `My ${word()}`;
    gallery.setAttribute('aria-label', `My ${word()}`);
    testButton.textContent = `Test on my ${word()}`;
    $('.dt__mine-hint').textContent = drawn()
      ? 'Draw a digit on the pad, say which it is and add it. Then see how the model reads your handwriting, and teach it: ' +
        'fine-tuning trains the current model a little more on MNIST with your digits mixed in, each repeated and slightly shifted and turned.'
      : 'Add test images the model gets wrong (from the pad\'s picker or the confusion matrix), then fine-tune: the current model ' +
        'trains a little more on Fashion-MNIST with them mixed in, each repeated and slightly shifted and turned.';
    cells.forEach((td) => { td.textContent = '–'; });
  }

  const say = (text, kind = '') => {
    status.textContent = text;
    status.className = `message dt__mine-status ${kind}`;
  };

  // The gallery as the set is now, each digit with its label, the model's answer once
  // tested (wrong ones marked) and a button to remove it.
  function render() {
    const mine = ctx.myDigits;
    if (!mine) return;
    const items = [];
    for (let i = 0; i < mine.count; i++) {
      const label = mine.label(i);
      const figure = document.createElement('figure');
      figure.className = 'dt__mine-digit';
      const canvas = document.createElement('canvas');
      renderDigit(canvas, mine.image(i), { cellSize: 2, label: `Your ${name(label)}` });
      const caption = document.createElement('span');
      const read = tested?.predicted[i];
      if (read != null && read !== label) {
        figure.classList.add('is-wrong');
        caption.textContent = `${name(label)}, read ${name(read)}`;
      } else {
        caption.textContent = name(label);
      }
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.className = 'dt__mine-remove';
      remove.textContent = '×';
      remove.setAttribute('aria-label', `Remove number ${i + 1} (${name(label)})`);
      remove.addEventListener('click', () => ctx.removeMyDigit(i).catch((e) => say(e.message, 'error')));
      const row = document.createElement('div');
      row.append(caption, remove);
      figure.append(canvas, row);
      items.push(figure);
    }
    if (mine.count === 0) items.push(Object.assign(document.createElement('p'), { className: 'hint', textContent: drawn()
      ? 'None yet: draw one on the pad, choose its digit and press “Add to My digits”.'
      : 'None yet: pick a test image on the pad and press “Add to My images”, or add one from the confusion matrix.' }));
    gallery.replaceChildren(...items);
    testButton.disabled = tuneButton.disabled = exportButton.disabled = busy || mine.count === 0;
  }

  async function test() {
    const r = await ctx.testMyDigits();
    tested = r;
    render();
    say(`The model reads ${r.correct} of your ${r.count} ${word()} right (${percent(r.accuracy)})` +
      (r.wrong.length ? `; the ${r.wrong.length} it gets wrong are marked in red.` : '.'), r.wrong.length ? '' : 'ok');
  }

  async function fineTune() {
    const epochs = Number(epochsField.value);
    if (!(Number.isInteger(epochs) && epochs >= 1 && epochs <= 20)) {
      epochsField.setAttribute('aria-invalid', 'true');
      return say(`Epochs must be a whole number from 1 to 20, got ${epochsField.value}.`, 'error');
    }
    epochsField.removeAttribute('aria-invalid');
    cells.forEach((td) => { td.textContent = '…'; });
    say(`Fine-tuning for ${epochs} epoch${epochs > 1 ? 's' : ''} with your ${word()} mixed in…`);
    const { before, after } = await ctx.fineTune({ epochs });
    tested = after.mine;
    render();
    cells[0].textContent = percent(before.mine.accuracy);
    cells[1].textContent = percent(after.mine.accuracy);
    cells[2].textContent = before.test ? `${(100 * before.test.accuracy).toFixed(2)} %` : '–';
    cells[3].textContent = after.test ? `${(100 * after.test.accuracy).toFixed(2)} %` : '–';
    const change = after.test && before.test ? 100 * (after.test.accuracy - before.test.accuracy) : 0;
    say(`Your ${word()}: ${percent(before.mine.accuracy)} → ${percent(after.mine.accuracy)}. ` +
      `Test set: ${change >= 0 ? 'up' : 'down'} ${Math.abs(change).toFixed(2)} points.`, 'ok');
  }

  // One action at a time; the buttons say so.
  const run = (action) => async () => {
    if (busy) return;
    busy = true;
    testButton.disabled = tuneButton.disabled = true;
    try {
      await action();
    } catch (e) {
      say(e.message, 'error');
    } finally {
      busy = false;
      render();
    }
  };
  testButton.addEventListener('click', run(test));
  tuneButton.addEventListener('click', run(fineTune));

  exportButton.addEventListener('click', async () => {
    const { images, labels, imagesName, labelsName } = await ctx.exportMyDigits();
    download(imagesName, images, 'application/octet-stream');
    download(labelsName, labels, 'application/octet-stream');
    say(`Saved ${ctx.myDigits.count} ${word()} as ${imagesName} and ${labelsName}: the terminal trainer reads them with --extra-data.`, 'ok');
  });

  const picker = $('.dt__mine-import');
  picker.addEventListener('change', async () => {
    const files = await Promise.all([...picker.files].map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
    picker.value = '';
    const pair = sortIdxPair(files);
    if (!pair) return say(`Pick two files together: an images file (…-images-idx3-ubyte) and its labels file (…-labels-idx1-ubyte); got ${files.length}. My digits are unchanged.`, 'error');
    try {
      const count = await ctx.importMyDigits(pair.images.bytes, pair.labels.bytes, { imagesName: pair.images.name, labelsName: pair.labels.name });
      say(`Imported ${count} ${word()} from ${pair.images.name}.`, 'ok');
    } catch (e) {
      say(`Not imported: ${e.message}. My digits are unchanged.`, 'error');
    }
  });

  let dataset = ctx.dataset;
  ctx.events.addEventListener('dataset', (e) => {
    if (e.detail.dataset === dataset) return;
    dataset = e.detail.dataset;
    setUp();
    say('');
  });
  ctx.events.addEventListener('mydigits', () => {
    tested = null; // its answers were for the set before
    render();
    // A private window may refuse IndexedDB: the set works, but only until the tab closes.
    const refused = ctx.myDigits?.saveError;
    if (refused) say(`Not kept in this browser (${refused}): export them to keep them.`, 'error');
  });
  for (const type of ['model', 'trainend']) ctx.events.addEventListener(type, () => { if (!busy) tested = null; });
  setUp();
  render();
  return { render, get tested() { return tested; } };
}
