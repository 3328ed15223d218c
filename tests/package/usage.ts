// A tutorial page's script, typed: what types/digitrain.d.ts promises an embedder.
import type { DigitTrainer, TrainEndDetail } from '../../types/digitrain';

const trainer: DigitTrainer | null = document.querySelector('digit-trainer');
if (trainer) {
  trainer.addEventListener('epochend', (e) => console.log(`epoch ${e.detail.epoch}: ${e.detail.accuracy.toFixed(3)}`));
  trainer.addEventListener('trainend', (e) => console.log(e.detail.reason, e.detail.test?.accuracy));
  trainer.addEventListener('error', (e) => console.warn(e.detail.message));
  trainer.updateSettings({ epochs: 2, learningRate: 0.01 });
  const settings = trainer.settings;
  console.log(settings.batchSize, trainer.state);
  trainer.train().then((end: TrainEndDetail) => console.log(end.seconds));
  const canvas = document.createElement('canvas');
  trainer.predict(canvas).then(({ digit, probabilities }) => console.log(digit, probabilities[digit]));
  trainer.predict(new Uint8Array(784));
}
const pad = document.querySelector('digit-pad');
if (pad && !pad.empty) pad.clear();
