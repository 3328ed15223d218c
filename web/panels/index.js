// The panels a <digit-trainer> can show, by the names its `panels` attribute uses. Each
// factory fills its <section> and listens to the widget's events; see trainer-element.js.
import { createControlsPanel } from './controls.js';
import { createSummaryPanel } from './summary.js';
import { createChartsPanel } from './charts.js';
import { createDrawingPanel } from './drawing.js';
import { createNetworkPanel } from './network.js';
import { createPredictionsPanel } from './predictions.js';
import { createHeatmapPanel } from './heatmap.js';
import { createWeightsPanel } from './weights.js';
import { createConfusionPanel } from './confusion.js';
import { createMyDigitsPanel } from './my-digits.js';

export const PANEL_FACTORIES = Object.freeze({
  controls: createControlsPanel,
  summary: createSummaryPanel,
  charts: createChartsPanel,
  drawing: createDrawingPanel,
  network: createNetworkPanel,
  predictions: createPredictionsPanel,
  heatmap: createHeatmapPanel,
  weights: createWeightsPanel,
  confusion: createConfusionPanel,
  'my-digits': createMyDigitsPanel,
});
