// Registers <digit-pad> (the class is in digit-pad.js). Importing it twice is harmless.
import {DigitPad} from './digit-pad.js';

if (!customElements.get('digit-pad')) customElements.define('digit-pad', DigitPad);

export {DigitPad};
