// Live training charts, drawn by line-chart.js: loss and accuracy on charts of their own,
// both by step. The solid line is the epoch's running mean on the training batches; at each
// epoch's end a dashed line with dots gives the validation figures (when the set-up holds
// some data back), so training and validation are told apart on one axis. Loss has a log
// scale (a run from 2.3 to 0.05 stays readable) and, on demand, each run's loss divided by
// its first value, so runs whose losses differ tenfold (the CNN's raw pixels) compare.
// Earlier runs of this tab stay on the charts in their own colours, thinner; each can be
// hidden. Data calls only record numbers and set a dirty flag; the charts redraw in an
// animation frame at most ten times a second: a curve that moves every 100 ms looks live,
// and a redraw of two charts with 5,000 points each then costs ~1 % of the main thread.
//
// A run's batch points live in typed arrays allocated once at its start, at their final
// size: the heap stays flat through a 30-epoch run (tests/browser/soak.mjs checks 1 %).
import {createLineChart} from './line-chart.js';

// A 30-epoch T1 run has 1,407 steps per epoch (42,210 points): past this many points per
// run every other point is dropped and the run keeps one point in two from then on.
const MAX_BATCH_POINTS = 5000;
// Runs drawn (the current one included); older runs stay in the CSV but leave the charts.
const MAX_RUNS_DRAWN = 5;
const HEIGHT = 170;
const MIN_REDRAW_MS = 100;
export const RUN_COLOURS = ['#1c7ed6', '#d9480f', '#2f9e44', '#ae3ec9', '#e67700', '#0c8599'];
const EPOCH_KEYS = ['loss', 'accuracy', 'val_loss', 'val_accuracy'];

export function createTrainingCharts(container, {height = HEIGHT} = {}) {
  const runs = [];
  let dirty = {data: true, size: false};
  let width = 0;
  let frame = 0;
  let timer = 0;
  let lastDraw = -Infinity;
  let paused = false;
  let redraws = 0;
  const view = {log: true, normalise: false};

  const lossScale = {label: 'loss (log scale)', log: true, range: (max) => [0, Math.max(max, 0.1)]};
  const lossChart = createLineChart(container, {
    title: 'Loss: lower is better. Solid: training batches (running mean of the epoch); dashed dots: validation at each epoch\'s end.',
    className: 'digit-chart--loss', height, x: {label: 'step'}, scales: {loss: lossScale},
  });
  const accuracyChart = createLineChart(container, {
    title: 'Accuracy: the share of images read right. Solid: training; dashed dots: validation.',
    className: 'digit-chart--accuracy', height, x: {label: 'step'},
    scales: {acc: {label: 'accuracy', range: (max, min) => [min > 0.5 ? 0.5 : 0, 1]}},
  });
  const charts = [lossChart, accuracyChart];

  function currentRun() {
    if (runs.length === 0) newRun('run 1');
    return runs[runs.length - 1];
  }

  function newRun(label = `run ${runs.length + 1}`) {
    runs.push({
      label: String(label), short: `run ${runs.length + 1}`, colour: RUN_COLOURS[runs.length % RUN_COLOURS.length],
      // One slot more than kept: the newest point is written after the kept ones, so it is
      // drawn whatever the decimation kept.
      step: new Float64Array(MAX_BATCH_POINTS + 1), loss: new Float32Array(MAX_BATCH_POINTS + 1),
      accuracy: new Float32Array(MAX_BATCH_POINTS + 1), n: 0, stride: 1, seen: 0, last: null, first: null,
      epochs: [], hidden: false,
    });
    // Runs past those drawn keep only their epochs (the CSV's rows).
    for (const old of runs.slice(0, -MAX_RUNS_DRAWN)) old.step = old.loss = old.accuracy = null;
    changed();
  }

  function addBatchPoints(points) {
    const run = currentRun();
    for (const p of points) {
      run.last = p;
      if (run.first == null && Number.isFinite(p.loss) && p.loss > 0) run.first = p.loss;
      if (!run.step) continue;
      const keep = run.seen++ % run.stride === 0;
      put(run, run.n, p);
      if (!keep) continue;
      run.n += 1;
      if (run.n === MAX_BATCH_POINTS) {
        // Every other point goes, in place; from now on the run keeps one point in two more.
        for (const key of ['step', 'loss', 'accuracy']) {
          const a = run[key];
          for (let i = 0; 2 * i < run.n; i++) a[i] = a[2 * i];
        }
        run.n = MAX_BATCH_POINTS / 2;
        run.stride *= 2;
        put(run, run.n, p);   // the newest point, dropped by the halving, back in the slot after
      }
    }
    changed();
  }

  // e: {epoch, loss, accuracy, val_loss?, val_accuracy?, step?}; step is where the epoch
  // ended on the x axis (else the latest step seen).
  function addEpoch(e) {
    const run = currentRun();
    const row = {epoch: e.epoch, step: e.step ?? run.last?.step ?? e.epoch};
    for (const key of EPOCH_KEYS) row[key] = Number.isFinite(e[key]) ? e[key] : null;
    // A repeated epoch number (a resumed run) replaces the earlier row.
    const at = run.epochs.findIndex((r) => r.epoch === row.epoch);
    if (at >= 0) run.epochs[at] = row; else run.epochs.push(row);
    run.epochs.sort((a, b) => a.epoch - b.epoch);
    changed();
  }

  function changed() {
    dirty.data = true;
    schedule();
  }

  function drawnRuns() {
    return runs.slice(-MAX_RUNS_DRAWN);
  }

  // One chart's series: per run the training line and, if any, the validation dots.
  function seriesOf(key, scale) {
    const drawn = drawnRuns();
    return drawn.flatMap((run, i) => {
      // The kept points, and the newest one if the decimation did not keep it (it sits in
      // the slot after them).
      const n = run.step ? run.n + (run.last && (run.n === 0 || run.step[run.n - 1] !== run.last.step) ? 1 : 0) : 0;
      const step = run.step ? run.step.subarray(0, n) : [];
      let y = run.step ? run[key].subarray(0, n) : [];
      const by = key === 'loss' && view.normalise && run.first ? 1 / run.first : 1;
      if (by !== 1) y = y.map((v) => v * by);
      const faded = i < drawn.length - 1;
      const common = {scale, color: run.colour, faded, hidden: run.hidden, legend: !faded};
      /** @type {import('./line-chart.js').ChartSeries[]} */
      const out = [{...common, label: `${run.label} ${key}`, short: `${run.short} training`, x: step, y}];
      const val = run.epochs.filter((r) => r[`val_${key}`] != null);
      if (val.length) {
        out.push({...common, label: `${run.label} val_${key}`, short: `${run.short} validation`, dash: [5, 4], points: true,
          x: val.map((r) => r.step), y: val.map((r) => r[`val_${key}`] * by)});
      }
      return out;
    });
  }

  function redraw() {
    frame = 0;
    if (paused) return;
    lastDraw = performance.now();
    if (dirty.size) for (const chart of charts) chart.setWidth(width);
    if (dirty.data) {
      lossChart.setSeries(seriesOf('loss', 'loss'));
      accuracyChart.setSeries(seriesOf('accuracy', 'acc'));
    }
    dirty = {data: false, size: false};
    const drewLoss = lossChart.draw();
    if (accuracyChart.draw() || drewLoss) redraws++;
  }

  function schedule() {
    if (paused || frame || timer) return;
    const wait = lastDraw + MIN_REDRAW_MS - performance.now();
    if (wait <= 0) frame = requestAnimationFrame(redraw);
    else timer = setTimeout(() => { timer = 0; schedule(); }, wait);
  }

  // Only a change of width matters: the legends' height changes come back here too.
  const resizeObserver = new ResizeObserver(([entry]) => {
    const observed = Math.round(entry.contentRect.width);
    if (observed === width) return;
    width = observed;
    dirty.size = true;
    schedule();
  });
  resizeObserver.observe(container);

  return {
    addBatchPoints,
    addEpoch,
    newRun,
    // {log, normalise}: the loss chart's scale, and each run's loss divided by its first.
    setLossView(changes) {
      Object.assign(view, changes);
      lossChart.setScale('loss', {log: view.log, label: `${view.normalise ? 'loss ÷ first loss' : 'loss'}${view.log ? ' (log scale)' : ''}`,
        range: (max) => [0, Math.max(max, view.normalise ? 1 : 0.1)]});
      changed();
    },
    get lossView() { return {...view}; },
    // Hides or shows run i's curves (0 = the first run of the tab).
    setRunVisible(i, visible) {
      if (!runs[i]) return;
      runs[i].hidden = !visible;
      changed();
    },
    runs: () => runs.map((r) => ({label: r.label, short: r.short, colour: r.colour, hidden: r.hidden, epochs: r.epochs.map((e) => ({...e}))})),
    pause() {
      paused = true;
      if (frame) cancelAnimationFrame(frame);
      clearTimeout(timer);
      frame = timer = 0;
    },
    resume() {
      paused = false;
      if (dirty.data || dirty.size) schedule();
    },
    toCsv() {
      const lines = ['run,epoch,loss,accuracy,val_loss,val_accuracy'];
      for (const run of runs) {
        for (const r of run.epochs) lines.push([csvField(run.label), r.epoch, ...EPOCH_KEYS.map((k) => r[k] ?? '')].join(','));
      }
      return lines.join('\n') + '\n';
    },
    // Points held (after decimation), over all runs, and per run.
    pointCounts() {
      return {
        batch: runs.reduce((n, r) => n + r.n, 0),
        epoch: runs.reduce((n, r) => n + r.epochs.length, 0),
        runs: runs.map((r) => ({label: r.label, batch: r.n, epoch: r.epochs.length})),
      };
    },
    // Frames that redrew: tests check that many updates cost one redraw.
    get redraws() { return redraws; },
    // The two line charts (line-chart.js), for tests: their figures and toPixel().
    lossChart,
    accuracyChart,
    destroy() {
      this.pause();
      resizeObserver.disconnect();
      for (const chart of charts) chart.destroy();
    },
  };
}

function put(run, i, p) {
  run.step[i] = p.step;
  run.loss[i] = p.loss ?? NaN;
  run.accuracy[i] = p.accuracy ?? NaN;
}

function csvField(text) {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
