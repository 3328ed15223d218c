// Charts: loss and accuracy by step, live, with this tab's earlier runs beside the current
// one, and a table of those runs (set-up, final and best accuracy, time) whose rows show or
// hide their curves. They stop drawing while the widget is off screen.
import { createTrainingCharts } from '../charts.js';
import { download } from '../model-files.js';
import { formatSeconds } from './status.js';
import { OPTIMIZERS } from '../trainer-options.js';

export function createChartsPanel(section, ctx) {
  section.innerHTML = `<h2 class="dt__title">Learning curves</h2>
    <div class="buttons dt__chart-options" role="group" aria-label="Loss chart">
      <button type="button" class="dt__toggle" id="loss-log" aria-pressed="true">Log scale</button>
      <button type="button" class="dt__toggle" id="loss-normalise" aria-pressed="false" title="Compare runs whose losses start far apart">Each run ÷ its start</button>
    </div>
    <div class="dt__charts" id="charts"></div>
    <div class="dt__runs-box"><table class="dt__runs"><caption>This tab's runs: press a run to hide or show its curves.
      Test: accuracy on the 10,000 test images after the run; best: the best epoch's validation (else training) accuracy.</caption>
      <thead><tr><th scope="col">Run</th><th scope="col">Model</th><th scope="col">Set-up</th>
        <th scope="col">Test</th><th scope="col">Best</th><th scope="col">Time</th></tr></thead>
      <tbody></tbody></table></div>
    <button id="export-csv" type="button">Export history (CSV)</button>`;
  const charts = createTrainingCharts(section.querySelector('.dt__charts'), { height: ctx.compact ? 150 : 170 });
  const body = section.querySelector('.dt__runs tbody');
  const toggles = { log: section.querySelector('#loss-log'), normalise: section.querySelector('#loss-normalise') };
  for (const [key, button] of Object.entries(toggles)) {
    button.addEventListener('click', () => {
      const on = button.getAttribute('aria-pressed') !== 'true';
      button.setAttribute('aria-pressed', String(on));
      charts.setLossView({ [key]: on });
    });
  }
  section.querySelector('#export-csv').addEventListener('click', () => download('digitrain-history.csv', charts.toCsv(), 'text/csv'));
  let settings = null;
  const rows = [];   // one per run: {cells, best}

  // model: what the run trains (the preset, its dataset, a fine-tuning's extra images);
  // epochs: the run's own (a fine-tuning run's are not the settings').
  function addRow(label, model, epochs) {
    const index = rows.length;
    const run = charts.runs()[index];
    const tr = document.createElement('tr');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'dt__run-toggle';
    button.setAttribute('aria-pressed', 'true');
    button.setAttribute('aria-label', `${label}: curves shown; press to hide`);
    button.innerHTML = '<span class="dt__swatch" aria-hidden="true"></span>';
    /** @type {HTMLElement} */ (button.firstChild).style.background = run.colour;
    button.append(run.short.replace('run ', '#'));
    button.addEventListener('click', () => {
      const shown = button.getAttribute('aria-pressed') !== 'true';
      button.setAttribute('aria-pressed', String(shown));
      button.setAttribute('aria-label', `${label}: curves ${shown ? 'shown; press to hide' : 'hidden; press to show'}`);
      charts.setRunVisible(index, shown);
    });
    const s = { ...settings, ...(epochs ? { epochs } : {}) };
    const setUp = s.optimizer ? `${OPTIMIZERS[s.optimizer] ?? s.optimizer} ${s.learningRate}, batch ${s.batchSize}, ${s.epochs} epoch${s.epochs === 1 ? '' : 's'}` : '';
    const cells = [model ?? s.preset ?? '', setUp, '…', '–', ''].map((text) => {
      const td = document.createElement('td');
      td.textContent = text;
      return td;
    });
    const first = document.createElement('th');
    first.scope = 'row';
    first.append(button);
    tr.append(first, ...cells);
    body.append(tr);
    rows.push({ cells });
  }

  const on = (type, listener) => ctx.events.addEventListener(type, (e) => listener(e.detail));
  on('settings', (s) => { settings = s; });
  on('trainstart', ({ label, model, epochs }) => {
    charts.newRun(label);
    addRow(label, model, epochs);
  });
  on('progress', (p) => {
    if (p.batch) charts.addBatchPoints([{ step: p.totalSteps, loss: p.loss, accuracy: p.accuracy }]);
    for (const e of p.epochsEnded) charts.addEpoch({ ...e, step: e.epoch * p.stepsPerEpoch });
    if (p.epochsEnded.length && rows.length) {
      const epochs = charts.runs()[rows.length - 1].epochs;
      const best = Math.max(...epochs.map((r) => r.val_accuracy ?? r.accuracy ?? 0));
      rows[rows.length - 1].cells[3].textContent = best.toFixed(4);
    }
  });
  on('trainend', (end) => {
    const row = rows[rows.length - 1];
    if (!row) return;
    row.cells[2].textContent = end.test ? end.test.accuracy.toFixed(4) : '–';
    row.cells[4].textContent = `${formatSeconds(end.seconds)}${end.reason === 'done' ? '' : ` (${end.reason})`}`;
  });
  on('visibility', ({ visible }) => (visible ? charts.resume() : charts.pause()));
  if (!ctx.visible) charts.pause();
  return { charts, dispose: () => charts.destroy?.() };
}
