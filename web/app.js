// The demo page: one <digit-trainer> with every panel, whose set-up is mirrored in the URL
// hash so it can be shared as a link (#preset=cnn-16-8&epochs=1&…). Only this page does
// that: an embedded widget never touches its host page's URL.
import './digitrain.js';
import { readHash, writeHash } from './settings.js';
import { registerOffline } from './offline.js';

/** @typedef {import('./trainer-element.js').DigitTrainer} DigitTrainer */
/** @typedef {import('../types/digitrain.js').TrainerSettings} TrainerSettings */

const trainer = /** @type {DigitTrainer} */ (document.getElementById('trainer'));
for (const [attribute, value] of Object.entries(readHash())) trainer.setAttribute(attribute, value);
trainer.addEventListener('settingschange', (e) => {
  const { detail } = /** @type {CustomEvent<TrainerSettings>} */ (e);
  writeHash(detail);
  fillShare(detail);
});

// "Share this set-up": the page's link, frame.html in an iframe (for learning platforms that
// strip scripts), and the two-line embed, all with the current settings (README, "Embedding").
/** @param {TrainerSettings} settings */
function fillShare(settings) {
  const here = new URL('.', location.href).href;
  const hash = location.hash.replace(/^#/, '');
  const attributes = [['dataset', settings.dataset === 'mnist' ? null : settings.dataset], ['preset', settings.preset], ['epochs', settings.epochs], ['learning-rate', settings.learningRate],
    ['batch-size', settings.batchSize], ['optimizer', settings.optimizer], ['seed', settings.seed], ['model', settings.model]]
    .filter(([, value]) => value != null && value !== '').map(([name, value]) => ` ${name}="${String(value).replaceAll('&', '&amp;').replaceAll('"', '&quot;')}"`).join('');
  /** @type {HTMLInputElement} */ (document.getElementById('share-link')).value = location.href;
  /** @type {HTMLTextAreaElement} */ (document.getElementById('share-iframe')).value =
    `<iframe src="${here}frame.html#${hash}&panels=controls%20charts%20drawing" width="900" height="720" title="Train a neural network on MNIST"></iframe>`;
  /** @type {HTMLTextAreaElement} */ (document.getElementById('share-script')).value =
    `<script type="module" src="${here}digitrain.js"></script>\n<digit-trainer${attributes}></digit-trainer>`;
}
trainer.ready.then(() => {
  // A model in the link that could not be used (the widget said why) leaves the hash, so
  // the link shared next is the set-up in use.
  if (readHash().model && !trainer.settings.model) writeHash(trainer.settings);
  fillShare(trainer.settings);
  // Below the widget: shown only once the widget has laid itself out, or the widget's
  // growth would move it under the reader's eyes (layout shift).
  document.getElementById('share').hidden = false;
}, () => {});
for (const button of /** @type {NodeListOf<HTMLButtonElement>} */ (document.querySelectorAll('#share [data-copy]'))) {
  button.addEventListener('click', async () => {
    // The link's <input> or a <textarea>: both have value and select().
    const field = /** @type {HTMLInputElement | HTMLTextAreaElement} */ (document.getElementById(button.dataset.copy));
    const said = document.getElementById('share-said');
    try {
      await navigator.clipboard.writeText(field.value);
      said.textContent = 'Copied.';
    } catch {
      // No clipboard permission (an insecure page, an old browser): select it for Ctrl-C.
      field.select();
      said.textContent = 'Selected: press Ctrl-C (or ⌘-C) to copy.';
    }
  });
}

// For the browser tests and the curious (read-only use): the widget and its session.
/** @type {Window & typeof globalThis & {digitrain?: object}} */ (window).digitrain = {
  trainer,
  get session() { return trainer.session; },
  get reports() { return trainer.session?.reports; },
  get peakHeapBytes() { return trainer.session?.peakHeapBytes; },
  get learningRate() { return trainer.session?.learningRate; },
};

// Works offline after the first visit (sw.js); a newer build is announced, not forced.
registerOffline();
