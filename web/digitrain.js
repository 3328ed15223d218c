// Digitrain's widgets. One module script defines them all:
//   <script type="module" src="…/digitrain.js"></script>
//   <digit-trainer preset="cnn-16-8" epochs="1"></digit-trainer>
//   <digit-predictor for="that-trainer's-id"></digit-predictor>
// The worker, the .wasm, the styles and MNIST (data/) are found next to this file, so the
// folder can be copied to any static host. README.md, "Embedding", lists every attribute,
// event and method.
import { DigitPad } from './digit-pad.js';
import { DigitTrainer } from './trainer-element.js';
import { DigitPredictor } from './predictor-element.js';

/** @type {[string, CustomElementConstructor][]} */
const ELEMENTS = [['digit-pad', DigitPad], ['digit-trainer', DigitTrainer], ['digit-predictor', DigitPredictor]];
for (const [name, element] of ELEMENTS) {
  if (!customElements.get(name)) customElements.define(name, element);
}

export { DigitPad, DigitTrainer, DigitPredictor };
