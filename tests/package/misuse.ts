// Must NOT type-check: a misspelt event field, caught by the declarations.
import type { DigitTrainer } from '../../types/digitrain';

const trainer = document.querySelector('digit-trainer') as DigitTrainer;
trainer.addEventListener('epochend', (e) => console.log(e.detail.acuracy));
