// Live training charts: batch loss/accuracy by step, and the per-epoch history (loss,
// accuracy, val_loss, val_accuracy by epoch) as tutorial T1 plots it, drawn by line-chart.js.
// Data calls only record numbers and set a dirty flag; the charts redraw at most once per
// animation frame. Earlier runs of this tab stay on the charts, faded, for comparison.
import {createLineChart} from './line-chart.js';

// A 30-epoch T1 run has 1,407 steps per epoch (42,210 points): past this many points per
// run every other point is dropped and the run keeps one point in two from then on.
const MAX_BATCH_POINTS = 5000;
// Runs drawn (the current one included); older runs stay in the CSV but leave the charts,
// whose legends would otherwise outgrow them.
const MAX_RUNS_DRAWN = 5;
const HEIGHT = 240;

const COLORS = {loss: '#d9480f', accuracy: '#1c7ed6', val_loss: '#e8590c', val_accuracy: '#0ca678'};
const EPOCH_KEYS = ['loss', 'accuracy', 'val_loss', 'val_accuracy'];

export function createTrainingCharts(container, {height = HEIGHT} = {}) {
  const runs = [];
  let dirty = {batch: true, epoch: true, size: false};
  let width = 0;
  let frame = 0;
  let paused = false;
  let redraws = 0;

  const batchChart = createLineChart(container, {
    title: 'Loss and accuracy per batch (running mean of the epoch)', className: 'digit-chart--batch', height,
    x: {label: 'step'},
    scales: {
      loss: {label: 'loss', color: COLORS.loss, range: (max) => [0, Math.max(max, 0.1)]},
      acc: {label: 'accuracy', color: COLORS.accuracy, side: 'right', grid: false, range: () => [0, 1]},
    },
  });
  const epochChart = createLineChart(container, {
    title: 'Training history per epoch', className: 'digit-chart--epoch', height,
    x: {label: 'epoch', integer: true},
    // T1 plots all four on one 0..1 axis; loss can start above 1, so the top follows it.
    scales: {y: {label: 'value', range: (max) => [0, Math.max(1, max)]}},
  });

  function currentRun() {
    if (runs.length === 0) newRun('run 1');
    return runs[runs.length - 1];
  }

  function newRun(label = `run ${runs.length + 1}`) {
    runs.push({
      label: String(label),
      step: [], loss: [], accuracy: [],
      stride: 1, seen: 0, last: null,
      epochs: [],
    });
    dirty.batch = dirty.epoch = true;
    schedule();
  }

  function addBatchPoints(points) {
    const run = currentRun();
    for (const p of points) {
      run.last = p;
      if (run.seen++ % run.stride !== 0) continue;
      run.step.push(p.step);
      run.loss.push(p.loss);
      run.accuracy.push(p.accuracy);
      if (run.step.length > MAX_BATCH_POINTS) {
        for (const key of ['step', 'loss', 'accuracy']) run[key] = run[key].filter((_, i) => i % 2 === 0);
        run.stride *= 2;
      }
    }
    dirty.batch = true;
    schedule();
  }

  function addEpoch(e) {
    const run = currentRun();
    const row = {epoch: e.epoch};
    for (const key of EPOCH_KEYS) row[key] = Number.isFinite(e[key]) ? e[key] : null;
    // A repeated epoch number (a resumed run) replaces the earlier row.
    const at = run.epochs.findIndex((r) => r.epoch === row.epoch);
    if (at >= 0) run.epochs[at] = row; else run.epochs.push(row);
    dirty.epoch = true;
    schedule();
  }

  function drawnRuns() {
    return runs.slice(-MAX_RUNS_DRAWN);
  }

  function batchSeries() {
    const drawn = drawnRuns();
    return drawn.flatMap((run, i) => {
      let {step, loss, accuracy} = run;
      // The newest point is always drawn, whatever the decimation kept.
      if (run.last && step[step.length - 1] !== run.last.step) {
        step = [...step, run.last.step];
        loss = [...loss, run.last.loss];
        accuracy = [...accuracy, run.last.accuracy];
      }
      const faded = i < drawn.length - 1;
      return [
        {label: `${run.label} loss`, scale: 'loss', color: COLORS.loss, faded, x: step, y: loss},
        {label: `${run.label} accuracy`, scale: 'acc', color: COLORS.accuracy, faded, x: step, y: accuracy},
      ];
    });
  }

  function epochSeries() {
    const drawn = drawnRuns();
    return drawn.flatMap((run, i) => {
      const rows = [...run.epochs].sort((a, b) => a.epoch - b.epoch);
      const x = rows.map((r) => r.epoch);
      // A run without validation (T2's presets) gets no validation lines or legend entries.
      const keys = EPOCH_KEYS.filter((key) => !key.startsWith('val_') || rows.some((r) => r[key] != null));
      return keys.map((key) => ({
        label: `${run.label} ${key}`, scale: 'y', color: COLORS[key], faded: i < drawn.length - 1,
        dash: key.startsWith('val_') ? [6, 4] : null, points: true, x, y: rows.map((r) => r[key]),
      }));
    });
  }

  function redraw() {
    frame = 0;
    if (paused) return;
    if (dirty.size) for (const chart of [batchChart, epochChart]) chart.setWidth(width);
    if (dirty.batch) batchChart.setSeries(batchSeries());
    if (dirty.epoch) epochChart.setSeries(epochSeries());
    dirty = {batch: false, epoch: false, size: false};
    const drewBatch = batchChart.draw();
    if (epochChart.draw() || drewBatch) redraws++;
  }

  function schedule() {
    if (paused || frame) return;
    frame = requestAnimationFrame(redraw);
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
    pause() {
      paused = true;
      if (frame) cancelAnimationFrame(frame);
      frame = 0;
    },
    resume() {
      paused = false;
      if (dirty.batch || dirty.epoch || dirty.size) schedule();
    },
    toCsv() {
      const lines = ['run,epoch,loss,accuracy,val_loss,val_accuracy'];
      for (const run of runs) {
        for (const r of [...run.epochs].sort((a, b) => a.epoch - b.epoch)) {
          lines.push([csvField(run.label), r.epoch, ...EPOCH_KEYS.map((k) => r[k] ?? '')].join(','));
        }
      }
      return lines.join('\n') + '\n';
    },
    // Points held (after decimation), over all runs, and per run.
    pointCounts() {
      return {
        batch: runs.reduce((n, r) => n + r.step.length, 0),
        epoch: runs.reduce((n, r) => n + r.epochs.length, 0),
        runs: runs.map((r) => ({label: r.label, batch: r.step.length, epoch: r.epochs.length})),
      };
    },
    // Frames that redrew: tests check that many updates cost one redraw.
    get redraws() { return redraws; },
    // The two line charts (line-chart.js), for tests: their figures and toPixel().
    batchChart,
    epochChart,
    destroy() {
      this.pause();
      resizeObserver.disconnect();
      batchChart.destroy();
      epochChart.destroy();
    },
  };
}

function csvField(text) {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
