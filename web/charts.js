// Live training charts (uPlot): batch loss/accuracy by step, and the per-epoch history
// (loss, accuracy, val_loss, val_accuracy by epoch) as tutorial T1 plots it.
// Data calls only record numbers and set a dirty flag; the charts redraw at most once per
// animation frame. Earlier runs of this tab stay on the charts, faded, for comparison.
import uPlot from './vendor/uPlot.esm.js';

// A 30-epoch T1 run has 1,407 steps per epoch (42,210 points): past this many points per
// run every other point is dropped and the run keeps one point in two from then on.
const MAX_BATCH_POINTS = 5000;
// Runs drawn (the current one included); older runs stay in the CSV but leave the charts,
// whose legends would otherwise outgrow them.
const MAX_RUNS_DRAWN = 5;
const HEIGHT = 240;

const COLORS = {loss: '#d9480f', accuracy: '#1c7ed6', val_loss: '#e8590c', val_accuracy: '#0ca678'};
const EPOCH_KEYS = ['loss', 'accuracy', 'val_loss', 'val_accuracy'];

// Loads uPlot's stylesheet once per document or shadow root (a widget's styles live in its
// shadow root), next to this module, unless it is linked there already.
function ensureStylesheet(container) {
  const root = container.getRootNode();
  const target = root instanceof ShadowRoot ? root : container.ownerDocument.head;
  const href = new URL('./vendor/uPlot.min.css', import.meta.url).href;
  if ([...target.querySelectorAll('link[rel="stylesheet"]')].some((l) => l.href === href)) return;
  const link = container.ownerDocument.createElement('link');
  link.rel = 'stylesheet';
  link.href = href;
  target.append(link);
}

export function createTrainingCharts(container, {height = HEIGHT} = {}) {
  ensureStylesheet(container);
  const runs = [];
  let batchPlot = null;
  let epochPlot = null;
  let dirty = {batch: false, epoch: false, series: true, size: true};
  let frame = 0;
  let paused = false;
  let redraws = 0;

  const batchFigure = figure('Loss and accuracy per batch (running mean of the epoch)');
  const epochFigure = figure('Training history per epoch');
  batchFigure.classList.add('digit-chart--batch');
  epochFigure.classList.add('digit-chart--epoch');
  container.append(batchFigure, epochFigure);

  function figure(caption) {
    const el = container.ownerDocument.createElement('figure');
    el.className = 'digit-chart';
    const plot = container.ownerDocument.createElement('div');
    plot.className = 'digit-chart__plot';
    const cap = container.ownerDocument.createElement('figcaption');
    cap.className = 'digit-chart__caption';
    cap.textContent = caption;
    el.append(plot, cap);
    return el;
  }

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
    dirty.series = true;
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

  function seriesStyle(run, isCurrent) {
    return {width: isCurrent ? 2 : 1, alpha: isCurrent ? 1 : 0.35, label: run.label};
  }

  function batchOptions(width) {
    const series = [{label: 'step'}];
    const drawn = drawnRuns();
    drawn.forEach((run, i) => {
      const s = seriesStyle(run, i === drawn.length - 1);
      series.push({label: `${s.label} loss`, scale: 'loss', stroke: COLORS.loss, width: s.width, alpha: s.alpha, points: {show: false}});
      series.push({label: `${s.label} accuracy`, scale: 'acc', stroke: COLORS.accuracy, width: s.width, alpha: s.alpha, points: {show: false}});
    });
    return {
      width, height,
      series,
      scales: {x: {time: false}, loss: {range: (u, min, max) => [0, Math.max(max ?? 1, 0.1)]}, acc: {range: [0, 1]}},
      axes: [
        {label: 'step'},
        {scale: 'loss', label: 'loss', stroke: COLORS.loss},
        {scale: 'acc', label: 'accuracy', side: 1, stroke: COLORS.accuracy, grid: {show: false}},
      ],
      cursor: {drag: {x: false, y: false}},
      legend: {live: true},
    };
  }

  function epochOptions(width) {
    const series = [{label: 'epoch'}];
    const drawn = drawnRuns();
    drawn.forEach((run, i) => {
      const s = seriesStyle(run, i === drawn.length - 1);
      for (const key of EPOCH_KEYS) {
        series.push({
          label: `${s.label} ${key}`, stroke: COLORS[key], width: s.width, alpha: s.alpha,
          dash: key.startsWith('val_') ? [6, 4] : undefined,
          points: {show: true, size: 4},
        });
      }
    });
    return {
      width, height,
      series,
      // T1 plots all four on one 0..1 axis; loss can start above 1, so the top follows it.
      scales: {x: {time: false}, y: {range: (u, min, max) => [0, Math.max(1, max ?? 1)]}},
      axes: [{label: 'epoch', incrs: [1, 2, 5, 10, 20, 50, 100]}, {label: 'value'}],
      cursor: {drag: {x: false, y: false}},
      legend: {live: true},
    };
  }

  function batchData() {
    const drawn = drawnRuns();
    if (drawn.length === 0) return [[]];
    return uPlot.join(drawn.map((run) => {
      const step = run.step.slice(), loss = run.loss.slice(), accuracy = run.accuracy.slice();
      // The newest point is always drawn, whatever the decimation kept.
      if (run.last && step[step.length - 1] !== run.last.step) {
        step.push(run.last.step); loss.push(run.last.loss); accuracy.push(run.last.accuracy);
      }
      return [step, loss, accuracy];
    }));
  }

  function epochData() {
    const drawn = drawnRuns();
    if (drawn.length === 0) return [[]];
    return uPlot.join(drawn.map((run) => {
      const rows = [...run.epochs].sort((a, b) => a.epoch - b.epoch);
      return [rows.map((r) => r.epoch), ...EPOCH_KEYS.map((k) => rows.map((r) => r[k]))];
    }));
  }

  function plotWidth(fig) {
    return Math.max(200, Math.floor(fig.clientWidth || container.clientWidth || 600));
  }

  function redraw() {
    frame = 0;
    if (paused) return;
    redraws++;
    if (dirty.series || !batchPlot) {
      batchPlot?.destroy();
      epochPlot?.destroy();
      batchPlot = new uPlot(batchOptions(plotWidth(batchFigure)), batchData(), batchFigure.querySelector('.digit-chart__plot'));
      epochPlot = new uPlot(epochOptions(plotWidth(epochFigure)), epochData(), epochFigure.querySelector('.digit-chart__plot'));
      dirty = {batch: false, epoch: false, series: false, size: false};
      return;
    }
    if (dirty.size) {
      batchPlot.setSize({width: plotWidth(batchFigure), height});
      epochPlot.setSize({width: plotWidth(epochFigure), height});
    }
    if (dirty.batch) batchPlot.setData(batchData());
    if (dirty.epoch) epochPlot.setData(epochData());
    dirty = {batch: false, epoch: false, series: false, size: false};
  }

  function schedule() {
    if (paused || frame) return;
    frame = requestAnimationFrame(redraw);
  }

  // Only a change of width matters: the plots' own height changes (legends) come back here.
  let observedWidth = -1;
  const resizeObserver = new ResizeObserver(([entry]) => {
    const width = Math.round(entry.contentRect.width);
    if (width === observedWidth) return;
    observedWidth = width;
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
      if (dirty.batch || dirty.epoch || dirty.series || dirty.size) schedule();
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
    destroy() {
      this.pause();
      resizeObserver.disconnect();
      batchPlot?.destroy();
      epochPlot?.destroy();
      batchFigure.remove();
      epochFigure.remove();
    },
  };
}

function csvField(text) {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
