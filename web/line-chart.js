// A small canvas line chart for training curves: one x scale, a left and an optional right
// y scale, 1-2-5 ticks, gridlines, and a legend that reads out the values under the pointer
// (mouse, pen, touch) or the arrow keys, else the latest ones. Setters only mark the chart
// dirty; its owner calls draw() once per animation frame (as uPlot's commit/batch does), so
// a burst of updates costs one redraw.
//
// Series: {label, color, scale, x: [], y: [] (null leaves a gap), faded, dash, points,
// legend (false: left out of the legend, still in the text alternative), short (the
// legend's name for it)}. x must increase within a series: the readout finds points by
// bisection. A scale may be logarithmic ({log: true}): ticks at 1, 2, 5 × 10^k.
/**
 * @typedef {object} ChartSeries
 * @property {string} label
 * @property {string} [short]
 * @property {string} [color]
 * @property {string} scale
 * @property {ArrayLike<number>} x
 * @property {ArrayLike<number | null>} y
 * @property {boolean} [faded]
 * @property {boolean} [hidden]
 * @property {number[]} [dash]
 * @property {boolean} [points]
 * @property {boolean} [legend]
 */

const PAD = {top: 10, side: 50, right: 14, bottom: 36};
const FONT = '11px system-ui, sans-serif';

// Ticks at 1, 2 or 5 × 10^k, at least `space` px apart over `px` px; an integer scale
// (epochs) never steps below 1. Returns the ticks and the step.
export function niceTicks(min, max, px, space, integer) {
  const raw = ((max - min) * space) / Math.max(px, 1);
  const mag = 10 ** Math.floor(Math.log10(raw));
  let step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw * (1 - 1e-9));
  if (integer) step = Math.max(1, step);
  const ticks = [];
  // toFixed(10) keeps 0.30000000000000004 out of the labels and out of the comparisons.
  for (let v = Math.ceil(min / step - 1e-9) * step; v <= max + step * 1e-9; v += step) ticks.push(+v.toFixed(10));
  return {ticks, step};
}

const tickText = (v, step) => v.toFixed(Math.max(0, -Math.floor(Math.log10(step) + 1e-9)));

// Ticks of a log scale over [lo, hi] (both > 0): 1, 2 and 5 × 10^k, thinned to at most
// `most`; each with its label.
export function logTicks(lo, hi, most) {
  const ticks = [];
  for (let k = Math.floor(Math.log10(lo)); k <= Math.ceil(Math.log10(hi)); k++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** k;
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) ticks.push(+v.toPrecision(6));
    }
  }
  const keep = ticks.length > most ? ticks.filter((v) => Math.abs(Math.log10(v) % 1) < 1e-9 || Math.abs(Math.log10(v) % 1) > 1 - 1e-9) : ticks;
  return keep.map((v) => ({v, text: String(v)}));
}
// Four significant digits: enough to see a loss still falling in its third decimal.
export const formatValue = (v) => (v == null ? '–' : String(+v.toPrecision(4)));

// Index of the point of xs nearest to x.
function nearest(xs, x) {
  let lo = 0, hi = xs.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < x) lo = mid; else hi = mid;
  }
  return Math.abs(xs[lo] - x) <= Math.abs(xs[hi] - x) ? lo : hi;
}

// A series' value at x: none outside the x it covers, so a short run does not report its
// last value under a long run's later steps.
function valueAt(s, x) {
  if (!s.x.length || x < s.x[0] || x > s.x[s.x.length - 1]) return null;
  return s.y[nearest(s.x, x)];
}

function latest(s) {
  for (let i = s.y.length - 1; i >= 0; i--) if (s.y[i] != null) return s.y[i];
  return null;
}

// options: {title, className, height, x: {label, integer}, scales: {name: {label, color,
// side: 'right', grid: false, log, range(max, min) -> [min, max]}}}; the first scale is on
// the left. setScale(name, changes) changes a scale (log on or off, its label) later.
export function createLineChart(parent, {title, className = '', height = 240, x: xAxis, scales}) {
  const doc = parent.ownerDocument;
  const el = (tag, cls, into) => {
    const e = doc.createElement(tag);
    e.className = cls;
    into?.append(e);
    return e;
  };
  const figure = el('figure', `digit-chart ${className}`, parent);
  const plot = el('div', 'digit-chart__plot', figure);
  const canvas = el('canvas', 'digit-chart__canvas', plot);
  const cursorLine = el('div', 'digit-chart__cursor', plot);
  const legend = el('div', 'digit-chart__legend', figure);
  // Announces the values the arrow keys move to; the training's own updates stay silent.
  const status = el('div', 'digit-chart__status', figure);
  el('figcaption', 'digit-chart__caption', figure).textContent = title;
  canvas.tabIndex = 0;
  canvas.setAttribute('role', 'img');
  canvas.style.height = `${height}px`;
  status.setAttribute('aria-live', 'polite');
  cursorLine.hidden = true;

  const scaleNames = Object.keys(scales);
  const right = scaleNames.find((n) => scales[n].side === 'right');
  let series = [];
  let width = 0;
  let dirty = true;
  let legendKey = '';
  let legendValues = [];
  let xLegend = null;
  let cursor = null; // in x units, or null: the legend shows the latest values
  let view = null; // the last drawing's box and scales, for the pointer

  function layout() {
    const w = Math.max(200, width || plot.clientWidth || 600);
    const box = {left: PAD.side, top: PAD.top, right: w - (right ? PAD.side : PAD.right), bottom: height - PAD.bottom};
    let xMin = Infinity, xMax = -Infinity;
    const yMax = {}, yMin = {};
    for (const s of series) {
      if (s.hidden) continue;
      if (s.x.length) xMin = Math.min(xMin, s.x[0]), xMax = Math.max(xMax, s.x[s.x.length - 1]);
      for (const v of s.y) {
        if (!Number.isFinite(v)) continue;
        if (v > (yMax[s.scale] ?? -Infinity)) yMax[s.scale] = v;
        if (v > 0 && v < (yMin[s.scale] ?? Infinity)) yMin[s.scale] = v;
      }
    }
    // One x (a first epoch) or none: a span around it, so the point sits inside the plot.
    if (!(xMin < xMax)) {
      xMin = (xMin < Infinity ? xMin : 1) - 1;
      xMax = xMin + 2;
    }
    const xt = niceTicks(xMin, xMax, box.right - box.left, 70, xAxis.integer);
    const ys = {};
    for (const name of scaleNames) {
      if (scales[name].log) {
        // Whole decades around the data (at least one), so the ticks read 0.1, 1, 10.
        const top = Math.max(yMax[name] ?? 1, 1e-6), bottom = Math.min(yMin[name] ?? top / 10, top);
        const lo = 10 ** Math.floor(Math.log10(bottom) + 1e-9);
        const hi = Math.max(10 ** Math.ceil(Math.log10(top) - 1e-9), lo * 10);
        const ticks = logTicks(lo, hi, Math.max(2, (box.bottom - box.top) / 18));
        ys[name] = {lo, hi, log: true, ticks: ticks.map((t) => t.v), labels: ticks.map((t) => t.text)};
        continue;
      }
      const [lo, top] = scales[name].range(yMax[name] ?? 0, yMin[name]);
      const {step} = niceTicks(lo, top, box.bottom - box.top, 30);
      // Up to the next tick, so the top gridline is labelled.
      const hi = +(Math.ceil(top / step - 1e-9) * step).toFixed(10);
      ys[name] = {lo, hi, ...niceTicks(lo, hi, box.bottom - box.top, 30)};
    }
    const X = (v) => box.left + ((v - xMin) / (xMax - xMin)) * (box.right - box.left);
    const Y = (name, v) => {
      const sc = ys[name];
      const f = sc.log ? (Math.log10(Math.max(v, sc.lo / 1e3)) - Math.log10(sc.lo)) / (Math.log10(sc.hi) - Math.log10(sc.lo))
        : (v - sc.lo) / (sc.hi - sc.lo);
      return box.bottom - f * (box.bottom - box.top);
    };
    return {w, box, xMin, xMax, xt, ys, X, Y};
  }

  let colours = null;
  function readColours() {
    const style = getComputedStyle(canvas);
    return {text: style.color, grid: style.getPropertyValue('--digit-grid').trim() || 'rgba(128,128,128,0.25)'};
  }

  function render() {
    const v = (view = layout());
    const {w, box, X, Y} = v;
    const dpr = devicePixelRatio || 1;
    if (canvas.width !== Math.round(w * dpr)) canvas.width = Math.round(w * dpr);
    if (canvas.height !== Math.round(height * dpr)) canvas.height = Math.round(height * dpr);
    const ctx = canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, height);
    // Read once per size: getComputedStyle in every redraw forces a style recalculation.
    colours ??= readColours();
    const text = colours.text;
    ctx.font = FONT;
    ctx.lineWidth = 1;
    ctx.strokeStyle = colours.grid;
    ctx.fillStyle = text;
    ctx.beginPath();
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const t of v.xt.ticks) {
      const px = Math.round(X(t)) + 0.5;
      ctx.moveTo(px, box.top), ctx.lineTo(px, box.bottom);
      ctx.fillText(tickText(t, v.xt.step), px, box.bottom + 4);
    }
    ctx.textBaseline = 'middle';
    for (const name of scaleNames) {
      const sc = scales[name], ys = v.ys[name], onRight = sc.side === 'right';
      ctx.textAlign = onRight ? 'left' : 'right';
      ys.ticks.forEach((t, i) => {
        const py = Math.round(Y(name, t)) + 0.5;
        if (sc.grid !== false) ctx.moveTo(box.left, py), ctx.lineTo(box.right, py);
        ctx.fillText(ys.log ? ys.labels[i] : tickText(t, ys.step), onRight ? box.right + 5 : box.left - 5, py);
      });
    }
    ctx.stroke();
    ctx.strokeStyle = text;
    ctx.strokeRect(box.left + 0.5, box.top + 0.5, box.right - box.left - 1, box.bottom - box.top);
    // Axis titles in the colour of the scale's series: it tells the two y scales apart.
    ctx.font = `600 ${FONT}`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'bottom';
    ctx.fillText(xAxis.label, (box.left + box.right) / 2, height - 2);
    for (const name of scaleNames) {
      const sc = scales[name], onRight = sc.side === 'right';
      ctx.save();
      ctx.translate(onRight ? w - 2 : 2, (box.top + box.bottom) / 2);
      ctx.rotate(onRight ? Math.PI / 2 : -Math.PI / 2);
      ctx.textBaseline = 'top';
      ctx.fillStyle = sc.color || text;
      ctx.fillText(sc.label, 0, 0);
      ctx.restore();
    }

    ctx.save();
    ctx.beginPath();
    ctx.rect(box.left - 4, box.top - 3, box.right - box.left + 8, box.bottom - box.top + 6); // a dot at either end shows whole
    ctx.clip();
    ctx.lineJoin = 'round';
    for (const s of series) {
      if (s.hidden) continue;
      const y = (val) => Y(s.scale, val);
      ctx.globalAlpha = s.faded ? 0.45 : 1;
      ctx.lineWidth = s.faded ? 1 : 2;
      ctx.strokeStyle = ctx.fillStyle = s.color;
      ctx.setLineDash(s.dash || []);
      ctx.beginPath();
      trace(ctx, s, X, y);
      ctx.stroke();
      if (s.points) {
        ctx.beginPath();
        s.x.forEach((xv, i) => {
          if (!Number.isFinite(s.y[i])) return;
          ctx.moveTo(X(xv) + 2.5, y(s.y[i]));
          ctx.arc(X(xv), y(s.y[i]), 2.5, 0, 2 * Math.PI);
        });
        ctx.fill();
      }
    }
    ctx.restore();
    canvas.setAttribute('aria-label', summary(null));
    readout();
  }

  // A 40,000-step run has many points per pixel column: each column draws its lowest,
  // highest and last point only, which looks the same and keeps a frame's work bounded.
  function trace(ctx, s, X, Y) {
    let pen = false, col = 0, lo = 0, hi = 0, end = 0;
    const flush = () => pen && (ctx.lineTo(col, lo), ctx.lineTo(col, hi), ctx.lineTo(col, end));
    for (let i = 0; i < s.x.length; i++) {
      if (!Number.isFinite(s.y[i])) { flush(); pen = false; continue; }
      const c = Math.round(X(s.x[i])), py = Y(s.y[i]);
      if (pen && c === col) { lo = Math.min(lo, py), hi = Math.max(hi, py), end = py; continue; }
      if (pen) flush(); else ctx.moveTo(c, py);
      pen = true, col = c, lo = hi = end = py;
    }
    flush();
  }

  // "step 1200: run 2 loss 0.31, run 2 accuracy 0.91" for the runs not faded, at the cursor
  // or, without one, their latest values.
  function summary(at) {
    const shown = series.filter((s) => !s.faded && !s.hidden);
    const lastX = Math.max(...shown.map((s) => s.x[s.x.length - 1] ?? -Infinity));
    const head = `${title}. ${at == null ? 'Latest, ' : ''}${xAxis.label} ${at ?? (lastX > -Infinity ? lastX : '–')}`;
    return `${head}: ${shown.map((s) => `${s.label} ${formatValue(at == null ? latest(s) : valueAt(s, at))}`).join(', ')}`;
  }

  const inLegend = () => series.filter((s) => s.legend !== false && !s.hidden);

  function buildLegend() {
    const listed = inLegend();
    const key = JSON.stringify(listed.map((s) => [s.label, s.short, s.color, s.faded, !!s.dash]));
    if (key === legendKey) return;
    legendKey = key;
    legend.replaceChildren();
    xLegend = el('span', 'digit-chart__x', legend);
    legendValues = listed.map((s) => {
      const item = el('span', `digit-chart__item${s.faded ? ' is-faded' : ''}`, legend);
      const swatch = el('span', `digit-chart__swatch${s.dash ? ' is-dashed' : ''}`, item);
      swatch.style.color = s.color;
      el('span', 'digit-chart__label', item).textContent = s.short ?? s.label;
      return el('span', 'digit-chart__value', item);
    });
  }

  function readout() {
    buildLegend();
    const lastX = Math.max(...series.map((s) => s.x[s.x.length - 1] ?? -Infinity));
    xLegend.textContent = `${xAxis.label} ${cursor ?? (lastX > -Infinity ? lastX : '–')}`;
    inLegend().forEach((s, i) => (legendValues[i].textContent = formatValue(cursor == null ? latest(s) : valueAt(s, cursor))));
    cursorLine.hidden = cursor == null || !view;
    if (!cursorLine.hidden) {
      cursorLine.style.left = `${view.X(cursor)}px`;
      cursorLine.style.top = `${view.box.top}px`;
      cursorLine.style.height = `${view.box.bottom - view.box.top}px`;
    }
  }

  // The cursor snaps to the nearest x any series has, as the legend reports that point.
  function moveTo(px) {
    if (!view) return;
    const {box, xMin, xMax} = view;
    const x = xMin + ((Math.min(Math.max(px, box.left), box.right) - box.left) / (box.right - box.left)) * (xMax - xMin);
    let best = null;
    for (const s of series) {
      if (!s.x.length || s.hidden) continue;
      const c = s.x[nearest(s.x, x)];
      if (best == null || Math.abs(c - x) < Math.abs(best - x)) best = c;
    }
    cursor = best;
    readout();
  }

  const onPointer = (e) => moveTo(e.offsetX);
  canvas.addEventListener('pointermove', onPointer);
  canvas.addEventListener('pointerdown', onPointer);
  // A finger lifted leaves the readout where it was, to be read; a mouse leaving clears it.
  canvas.addEventListener('pointerleave', (e) => {
    if (e.pointerType !== 'touch') (cursor = null), readout();
  });
  // Arrow keys step through the points of the current run (Page keys a tenth at a
  // time, Home/End to the ends); Escape goes back to the latest values.
  canvas.addEventListener('keydown', (e) => {
    // The current run's densest series (its training line, not its few validation dots).
    const ref = series.filter((s) => s.x.length && !s.faded && !s.hidden).sort((a, b) => b.x.length - a.x.length)[0];
    if (!ref) return;
    const n = ref.x.length;
    const i = cursor == null ? n - 1 : nearest(ref.x, cursor);
    const jump = Math.max(1, Math.round(n / 10));
    const moves = {ArrowLeft: -1, ArrowRight: 1, PageDown: -jump, PageUp: jump, Home: -n, End: n};
    if (e.key === 'Escape') cursor = null;
    else if (e.key in moves) cursor = ref.x[Math.min(n - 1, Math.max(0, i + moves[e.key]))];
    else return;
    e.preventDefault();
    readout();
    status.textContent = summary(cursor);
  });

  return {
    figure,
    /** @param {ChartSeries[]} next */
    setSeries(next) {
      series = next;
      dirty = true;
    },
    setWidth(w) {
      if (w !== width) (width = w), (dirty = true), (colours = null);
    },
    setScale(name, changes) {
      Object.assign(scales[name], changes);
      dirty = true;
    },
    // Draws if something changed since the last drawing; returns whether it drew.
    draw() {
      if (!dirty) return false;
      dirty = false;
      render();
      return true;
    },
    // The series drawn: {label, faded, hidden}, for tests.
    labels: () => series.map((s) => ({label: s.label, faded: !!s.faded, hidden: !!s.hidden})),
    // CSS pixels in the canvas of a value: for tests and overlays.
    toPixel(xv, yv, scale = scaleNames[0]) {
      return view && {x: view.X(xv), y: view.Y(scale, yv)};
    },
    destroy() {
      figure.remove();
    },
  };
}
