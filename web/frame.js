// frame.html: <digit-trainer> alone in an iframe, for pages that may only embed iframes
// (Moodle, Canvas). Set up from the URL hash with the demo page's keys plus `panels` and
// `origin`, and driven by the parent page with postMessage:
//   parent -> frame  {digitrain: 'train' | 'stop' | 'pause' | 'resume'}
//                    {digitrain: 'set', learningRate?, epochs?, batchSize?, optimizer?, seed?, preset?}
//                    {digitrain: 'predict', pixels: [784 numbers, MNIST layout], id?}
//   frame -> parent  {digitrain: 'ready' | 'epochend' | 'trainend' | 'prediction' | 'error', detail, id?}
// Only messages from `origin` (the hash's, else this page's own) are obeyed; the frame's
// events go to that origin alone.
import './digitrain.js';
import { readHash } from './settings.js';

/** @typedef {import('./trainer-element.js').DigitTrainer} DigitTrainer */
/** @typedef {import('../types/digitrain.js').PredictionDetail} PredictionDetail */

const trainer = /** @type {DigitTrainer} */ (document.getElementById('trainer'));
const params = new URLSearchParams(location.hash.replace(/^#/, ''));
for (const [attribute, value] of Object.entries(readHash())) trainer.setAttribute(attribute, value);
trainer.setAttribute('panels', params.get('panels') ?? 'controls charts drawing');
trainer.setAttribute('compact', '');

// The one origin allowed to drive the frame. An invalid value allows none, rather than all.
function allowedOrigin() {
  const asked = params.get('origin');
  if (!asked) return location.origin;
  try {
    return new URL(asked).origin;
  } catch {
    return null;
  }
}
const parentOrigin = allowedOrigin();

function tell(type, detail, id) {
  if (!parentOrigin || window.parent === window) return;
  window.parent.postMessage({ digitrain: type, detail: JSON.parse(JSON.stringify(detail ?? null)), id }, parentOrigin);
}

for (const type of ['epochend', 'trainend', 'prediction', 'error', 'modelchange']) {
  trainer.addEventListener(type, (e) => {
    const { detail } = /** @type {CustomEvent} */ (e);
    tell(type, type === 'prediction' ? plainPrediction(detail) : detail);
  });
}
trainer.ready.then((detail) => tell('ready', { ...detail, settings: trainer.settings }), () => {});

/** @param {PredictionDetail} prediction */
function plainPrediction({ digit, probabilities, input, source }) {
  return { digit, probabilities: Array.from(probabilities), input: Array.from(input ?? []), source };
}

const SETTINGS = ['learningRate', 'epochs', 'batchSize', 'optimizer', 'seed', 'preset'];

window.addEventListener('message', async (event) => {
  if (event.origin !== parentOrigin || event.source !== window.parent) return;
  const message = event.data;
  if (!message || typeof message !== 'object' || typeof message.digitrain !== 'string') return;
  const { digitrain: command, id } = message;
  try {
    if (command === 'train') trainer.train().catch(() => {});  // its end arrives as trainend
    else if (command === 'stop') trainer.stop();
    else if (command === 'pause') trainer.pause();
    else if (command === 'resume') trainer.resume();
    else if (command === 'set') {
      trainer.updateSettings(Object.fromEntries(SETTINGS.filter((k) => message[k] != null).map((k) => [k, message[k]])));
      tell('settings', trainer.settings, id);
    } else if (command === 'predict') {
      if (!Array.isArray(message.pixels) || message.pixels.length !== 784) throw new Error('predict wants pixels: 784 numbers');
      tell('prediction', plainPrediction(await trainer.predict(message.pixels)), id);
    } else throw new Error(`unknown command "${command}"`);
  } catch (e) {
    tell('error', { message: e.message, about: command }, id);
  }
});
