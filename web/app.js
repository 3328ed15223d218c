// The demo page: one <digit-trainer> with every panel, whose set-up is mirrored in the URL
// hash so it can be shared as a link (#preset=cnn-16-8&epochs=1&…). Only this page does
// that: an embedded widget never touches its host page's URL.
import './digitrain.js';
import { readHash, writeHash } from './settings.js';
import { registerOffline } from './offline.js';

const trainer = document.getElementById('trainer');
for (const [attribute, value] of Object.entries(readHash())) trainer.setAttribute(attribute, value);
trainer.addEventListener('settingschange', (e) => writeHash(e.detail));

// For the browser tests and the curious (read-only use): the widget and its session.
window.digitrain = {
  trainer,
  get session() { return trainer.session; },
  get reports() { return trainer.session?.reports; },
  get peakHeapBytes() { return trainer.session?.peakHeapBytes; },
  get learningRate() { return trainer.session?.learningRate; },
};

// Works offline after the first visit (sw.js); a newer build is announced, not forced.
registerOffline();
