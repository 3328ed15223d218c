// Charts: loss and accuracy per batch group and per epoch, live, with earlier runs faded;
// they stop drawing while the widget is off screen.
import { createTrainingCharts } from '../charts.js';
import { download } from '../model-files.js';

export function createChartsPanel(section, ctx) {
  section.innerHTML = `<h2 class="dt__title">Learning curves</h2><div class="dt__charts" id="charts"></div>
    <button id="export-csv" type="button">Export history (CSV)</button>`;
  const charts = createTrainingCharts(section.querySelector('.dt__charts'), { height: ctx.compact ? 180 : 240 });
  section.querySelector('#export-csv').addEventListener('click', () => download('digitrain-history.csv', charts.toCsv(), 'text/csv'));
  const on = (type, listener) => ctx.events.addEventListener(type, (e) => listener(e.detail));
  on('trainstart', ({ label }) => charts.newRun(label));
  on('progress', (p) => {
    if (p.batch) charts.addBatchPoints([{ step: p.totalSteps, loss: p.loss, accuracy: p.accuracy }]);
    for (const e of p.epochsEnded) charts.addEpoch(e);
  });
  on('visibility', ({ visible }) => (visible ? charts.resume() : charts.pause()));
  if (!ctx.visible) charts.pause();
  return { charts, dispose: () => charts.destroy?.() };
}
